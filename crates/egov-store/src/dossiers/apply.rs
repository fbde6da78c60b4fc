//! Changes of a dossier (chuyển bước xử lý): compare-and-set on its version,
//! with the event and the side effects, in one transaction.

use egov_ports::Change;

use super::codec::{bind_details, to_json, update_statement};
use super::{effects, WriteTx};
use crate::error::backend_error;
use crate::{SqlStore, StoreError};

/// Writes the change when the stored version is still `expected_version`;
/// the stored version becomes `expected_version + 1` (what the port asks the
/// caller to set). `Ok(false)`, writing nothing, when the version moved or
/// the dossier does not exist.
pub(super) async fn apply(store: &SqlStore, change: &Change) -> Result<bool, StoreError> {
    let d = &change.dossier;
    let next = change
        .expected_version
        .checked_add(1)
        .ok_or_else(|| StoreError::Backend("dossier version out of range".to_owned()))?;
    let form = to_json(&d.form, "form values")?;
    let code = d.code.to_string();
    let mut tx = WriteTx::begin(store).await?;
    let statement = update_statement();
    let updated = bind_details(sqlx::query(&statement).bind(code.as_str()), d, form)
        .bind(next)
        .bind(change.expected_version)
        .execute(tx.conn())
        .await
        .map_err(backend_error)?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    tx.append(&d.code, &change.event).await?;
    effects::write(tx.conn(), &d.code, &change.effects).await?;
    tx.commit().await?;
    Ok(true)
}
