//! Imported settlement files (file đối soát) and the counts of their
//! reconciliation at import.

use egov_domain::attachment::ContentHash;
use egov_domain::identity::AccountId;
use egov_domain::{Page, PageRequest};
use egov_ports::SettlementRecord;
use sqlx::any::AnyRow;

use super::page_bounds;
use crate::error::{backend_error, corrupt};
use crate::identity::codec::{conflict_as, get_ts, ts};
use crate::sql::{count, fetch_row, int, opt_text, text};
use crate::{SqlStore, StoreError};

const COLUMNS: &str =
    "id, gateway, first_day, last_day, file_hash, row_count, imported_by, imported_at, summary";

fn decode(row: &AnyRow) -> Result<SettlementRecord, StoreError> {
    let day = |column: &str| -> Result<jiff::civil::Date, StoreError> {
        text(row, column)?.parse().map_err(|e| corrupt(column, e))
    };
    let rows = int(row, "row_count")?;
    Ok(SettlementRecord {
        id: text(row, "id")?,
        gateway: text(row, "gateway")?,
        first_day: day("first_day")?,
        last_day: day("last_day")?,
        file_hash: ContentHash::parse(&text(row, "file_hash")?)
            .map_err(|e| corrupt("file_hash", e))?,
        rows: u64::try_from(rows).map_err(|_| corrupt("row_count", rows))?,
        imported_by: opt_text(row, "imported_by")?.map(AccountId),
        imported_at: get_ts(row, "imported_at")?,
        summary: serde_json::from_str(&text(row, "summary")?)
            .map_err(|e| corrupt("settlement summary", e))?,
    })
}

pub(super) async fn save(store: &SqlStore, s: &SettlementRecord) -> Result<(), StoreError> {
    let summary = serde_json::to_string(&s.summary)
        .map_err(|e| StoreError::Backend(format!("summary not serialisable: {e}")))?;
    let rows = i64::try_from(s.rows)
        .map_err(|_| StoreError::Backend("row count out of range".to_owned()))?;
    let statement = format!(
        "INSERT INTO payment_settlements ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    );
    sqlx::query(&statement)
        .bind(s.id.as_str())
        .bind(s.gateway.as_str())
        .bind(s.first_day.to_string())
        .bind(s.last_day.to_string())
        .bind(s.file_hash.as_str())
        .bind(rows)
        .bind(s.imported_by.as_ref().map(|a| a.0.as_str()))
        .bind(ts(s.imported_at))
        .bind(summary)
        .execute(&store.pool)
        .await
        .map_err(|e| conflict_as(e, "settlement"))?;
    Ok(())
}

pub(super) async fn get(
    store: &SqlStore,
    id: &str,
) -> Result<Option<SettlementRecord>, StoreError> {
    let query = format!("SELECT {COLUMNS} FROM payment_settlements WHERE id = $1");
    fetch_row(store, &query, &[id], decode).await
}

pub(super) async fn list(
    store: &SqlStore,
    page: PageRequest,
) -> Result<Page<SettlementRecord>, StoreError> {
    let total = count(store, "SELECT COUNT(*) AS n FROM payment_settlements", None).await?;
    let (limit, limit_arg, offset_arg) = page_bounds(page);
    let query = format!(
        "SELECT {COLUMNS} FROM payment_settlements ORDER BY imported_at DESC, id DESC \
         LIMIT $1 OFFSET $2"
    );
    let rows = sqlx::query(&query)
        .bind(limit_arg)
        .bind(offset_arg)
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(Page {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total,
        offset: page.offset,
        limit,
    })
}
