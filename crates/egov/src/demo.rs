//! The built-in demo data set (see `crates/egov/demo/README.md`).

use anyhow::Context;
use egov_app::{ports::ImportCounts, Catalogue};
use egov_domain::Era;
use egov_import::{read_admin_units, read_agencies, read_procedures, read_successions, Format};

const CURRENT_UNITS: &[u8] = include_bytes!("../demo/admin-units-current.json");
const PRE_2025_UNITS: &[u8] = include_bytes!("../demo/admin-units-pre-2025.json");
const SUCCESSIONS: &[u8] = include_bytes!("../demo/unit-successions.json");
const AGENCIES: &[u8] = include_bytes!("../demo/agencies.json");
const PROCEDURES: &[u8] = include_bytes!("../demo/procedures.jsonl");

/// Settings key recording that the demo set was loaded.
const MARKER: &str = "demo_loaded_at";

/// What loading the demo set did.
#[derive(Debug, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded {
        units: u64,
        agencies: u64,
        procedures: u64,
    },
    AlreadyLoaded,
    /// The database holds other data; the demo set is only for an empty one.
    NotEmpty,
}

/// Loads the demo set into an empty database; a second call does nothing.
pub async fn load(catalogue: &Catalogue, now: jiff::Timestamp) -> anyhow::Result<DemoOutcome> {
    let store = catalogue.store();
    if store.get_setting(MARKER).await?.is_some() {
        return Ok(DemoOutcome::AlreadyLoaded);
    }
    let has_data = store.count_procedures().await? > 0
        || store.count_admin_units(Era::Current).await? > 0
        || store.count_admin_units(Era::Pre2025).await? > 0;
    if has_data {
        return Ok(DemoOutcome::NotEmpty);
    }
    let mut units = catalogue
        .import_admin_units(&read_admin_units(
            CURRENT_UNITS,
            Format::Json,
            Era::Current,
        )?)
        .await
        .context("demo: current units")?;
    let old = catalogue
        .import_admin_units(&read_admin_units(
            PRE_2025_UNITS,
            Format::Json,
            Era::Pre2025,
        )?)
        .await
        .context("demo: pre-2025 units")?;
    units.created += old.created;
    catalogue
        .import_successions(&read_successions(SUCCESSIONS, Format::Json)?)
        .await
        .context("demo: unit successions")?;
    let agencies = catalogue
        .upsert_agencies(&read_agencies(AGENCIES, Format::Json)?)
        .await
        .context("demo: agencies")?;
    let procedures: ImportCounts = catalogue
        .import_procedures(read_procedures(PROCEDURES, Format::JsonLines)?, now)
        .await
        .context("demo: procedures")?;
    store.set_setting(MARKER, &now.to_string()).await?;
    Ok(DemoOutcome::Loaded {
        units: units.created,
        agencies: agencies.created,
        procedures: procedures.created,
    })
}
