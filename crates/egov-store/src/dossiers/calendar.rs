//! The days an administrator declared in the working-day calendar (ngày
//! nghỉ, ngày làm bù), one per date.

use egov_domain::calendar::OverrideKind;
use egov_ports::DeclaredDay;
use jiff::civil::Date;
use sqlx::any::AnyRow;

use crate::error::{backend_error, corrupt};
use crate::identity::codec::Named;
use crate::sql::{fetch_rows, text};
use crate::{SqlStore, StoreError};

fn decode(row: &AnyRow) -> Result<DeclaredDay, StoreError> {
    Ok(DeclaredDay {
        date: text(row, "day")?.parse().map_err(|e| corrupt("day", e))?,
        kind: OverrideKind::get(row, "kind")?,
        reason: text(row, "reason")?,
    })
}

/// Every declared day, by date.
pub(super) async fn all(store: &SqlStore) -> Result<Vec<DeclaredDay>, StoreError> {
    let query = "SELECT day, kind, reason FROM calendar_overrides ORDER BY day";
    fetch_rows(store, query, &[], decode).await
}

/// Adds the declaration, or replaces the one of its date.
pub(super) async fn put(store: &SqlStore, day: &DeclaredDay) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO calendar_overrides (day, kind, reason) VALUES ($1, $2, $3) \
         ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, reason = excluded.reason",
    )
    .bind(day.date.to_string())
    .bind(day.kind.name())
    .bind(day.reason.as_str())
    .execute(&store.pool)
    .await
    .map_err(backend_error)?;
    Ok(())
}

pub(super) async fn delete(store: &SqlStore, date: Date) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM calendar_overrides WHERE day = $1")
        .bind(date.to_string())
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(done.rows_affected() > 0)
}
