//! Online service definitions, versioned per procedure: a new version is
//! stored only when the definition's JSON differs from the latest one
//! (compared as JSON values, so neither key order nor spacing counts).

use egov_domain::service::ServiceDefinition;
use egov_domain::ProcedureCode;
use jiff::Timestamp;
use sqlx::any::AnyRow;

use super::codec::{get_json, to_json};
use crate::error::{backend_error, write_error};
use crate::identity::codec::ts;
use crate::sql::{begin_write, fetch_row, fetch_rows, version};
use crate::{SqlStore, StoreError};

const LATEST: &str = "SELECT version, definition FROM service_versions \
     WHERE procedure_code = $1 ORDER BY version DESC LIMIT 1";

fn decode(row: &AnyRow) -> Result<(u32, ServiceDefinition), StoreError> {
    Ok((version(row, "version")?, get_json(row, "definition")?))
}

pub(super) async fn put(
    store: &SqlStore,
    definition: &ServiceDefinition,
    at: Timestamp,
) -> Result<(u32, bool), StoreError> {
    let code = definition.procedure_code.as_str();
    let new_value = serde_json::to_value(definition)
        .map_err(|e| StoreError::Backend(format!("cannot encode service `{code}`: {e}")))?;
    // Writers of the catalogue queue here (SQLite: the write lock;
    // PostgreSQL: an advisory lock), so two of them cannot both take the
    // same next version.
    let mut tx = begin_write(store).await?;
    let latest = sqlx::query(LATEST)
        .bind(code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
    let next = match &latest {
        None => 1,
        Some(row) => {
            let stored = version(row, "version")?;
            let stored_value: serde_json::Value = get_json(row, "definition")?;
            if stored_value == new_value {
                tx.rollback().await.map_err(backend_error)?;
                return Ok((stored, false));
            }
            stored.checked_add(1).ok_or_else(|| {
                StoreError::Backend(format!("service `{code}` has too many versions"))
            })?
        }
    };
    sqlx::query(
        "INSERT INTO service_versions (procedure_code, version, recorded_at, definition) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(code)
    .bind(i64::from(next))
    .bind(ts(at))
    .bind(to_json(&new_value, "service definition")?)
    .execute(&mut *tx)
    .await
    .map_err(|e| write_error(e, "service", code))?;
    tx.commit().await.map_err(backend_error)?;
    Ok((next, true))
}

pub(super) async fn latest(
    store: &SqlStore,
    procedure: &ProcedureCode,
) -> Result<Option<(u32, ServiceDefinition)>, StoreError> {
    fetch_row(store, LATEST, &[procedure.as_str()], decode).await
}

pub(super) async fn at_version(
    store: &SqlStore,
    procedure: &ProcedureCode,
    version: u32,
) -> Result<Option<ServiceDefinition>, StoreError> {
    let row = sqlx::query(
        "SELECT definition FROM service_versions WHERE procedure_code = $1 AND version = $2",
    )
    .bind(procedure.as_str())
    .bind(i64::from(version))
    .fetch_optional(&store.pool)
    .await
    .map_err(backend_error)?;
    row.as_ref().map(|r| get_json(r, "definition")).transpose()
}

/// The latest version of every service, by procedure code.
pub(super) async fn all_latest(
    store: &SqlStore,
) -> Result<Vec<(u32, ServiceDefinition)>, StoreError> {
    let query = "SELECT s.version, s.definition FROM service_versions s \
         WHERE s.version = (SELECT MAX(m.version) FROM service_versions m \
                            WHERE m.procedure_code = s.procedure_code) \
         ORDER BY s.procedure_code";
    fetch_rows(store, query, &[], decode).await
}
