//! The built-in demo data set (see `crates/egov/demo/README.md`).

use anyhow::Context;
use egov_app::{ports::ImportCounts, AppError, Catalogue, Dossiers};
use egov_domain::identity::Actor;
use egov_domain::service::ServiceDefinition;
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

/// The demo online services: five real procedures with their forms,
/// deadlines and workflows (`crates/egov/demo/services/`).
pub const SERVICES: [(&str, &str); 5] = [
    (
        "birth-registration",
        include_str!("../demo/services/birth-registration.json"),
    ),
    (
        "building-permit",
        include_str!("../demo/services/building-permit.json"),
    ),
    (
        "business-household",
        include_str!("../demo/services/business-household.json"),
    ),
    (
        "judicial-record",
        include_str!("../demo/services/judicial-record.json"),
    ),
    (
        "certified-copy",
        include_str!("../demo/services/certified-copy.json"),
    ),
];

/// Publishes the demo services that are not defined yet (an administrator's
/// later edits are kept). Returns how many were published.
pub async fn load_services(dossiers: &Dossiers, now: jiff::Timestamp) -> anyhow::Result<usize> {
    let mut published = 0;
    for (name, json) in SERVICES {
        let definition: ServiceDefinition =
            serde_json::from_str(json).with_context(|| format!("demo service {name}"))?;
        match dossiers.service(definition.procedure_code.as_str()).await {
            Ok(_) => continue,
            Err(AppError::NotFound { .. }) => {}
            Err(e) => return Err(e).with_context(|| format!("demo service {name}")),
        }
        dossiers
            .publish_service(&Actor::System, definition, now)
            .await
            .with_context(|| format!("demo service {name}"))?;
        published += 1;
    }
    Ok(published)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_services_are_valid_definitions() {
        for (name, json) in SERVICES {
            let definition: ServiceDefinition =
                serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: {e}"));
            definition
                .validate()
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn the_demo_services_name_demo_procedures_and_agencies() {
        let procedures = String::from_utf8_lossy(PROCEDURES);
        let agencies = String::from_utf8_lossy(AGENCIES);
        for (name, json) in SERVICES {
            let definition: ServiceDefinition = serde_json::from_str(json).unwrap();
            let code = definition.procedure_code.as_str();
            assert!(
                procedures.contains(&format!("\"ma_thu_tuc\": \"{code}\"")),
                "{name}: procedure {code} is not in the demo catalogue"
            );
            for agency in definition
                .agencies
                .iter()
                .chain(definition.workflow.iter().filter_map(|s| s.agency.as_ref()))
            {
                assert!(
                    agencies.contains(&format!("\"code\": \"{agency}\"")),
                    "{name}: agency {agency} is not in the demo set"
                );
            }
        }
    }
}
