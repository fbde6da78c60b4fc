//! The gateways' notifications (IPN) as received, and their review.

use egov_domain::identity::AccountId;
use egov_domain::payment::PaymentOrderId;
use egov_domain::Page;
use egov_ports::{PaymentNotification, PaymentNotificationFilter};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::page_bounds;
use crate::error::backend_error;
use crate::identity::codec::{conflict_as, get_bool, get_opt_ts, get_ts, opt_ts, ts};
use crate::sql::{fetch_row, int, opt_text, text};
use crate::{SqlStore, StoreError};

const COLUMNS: &str = "id, gateway, received_at, raw_query, txn_ref, order_id, outcome, detail, \
     CASE WHEN needs_review THEN 1 ELSE 0 END AS needs_review, reviewed_at, reviewed_by, \
     review_note";

const INSERT_COLUMNS: &str = "id, gateway, received_at, raw_query, txn_ref, order_id, outcome, \
     detail, needs_review, reviewed_at, reviewed_by, review_note";

fn decode(row: &AnyRow) -> Result<PaymentNotification, StoreError> {
    Ok(PaymentNotification {
        id: text(row, "id")?,
        gateway: text(row, "gateway")?,
        received_at: get_ts(row, "received_at")?,
        raw_query: text(row, "raw_query")?,
        txn_ref: opt_text(row, "txn_ref")?,
        order: opt_text(row, "order_id")?.map(PaymentOrderId),
        outcome: text(row, "outcome")?,
        detail: opt_text(row, "detail")?,
        needs_review: get_bool(row, "needs_review")?,
        reviewed_at: get_opt_ts(row, "reviewed_at")?,
        reviewed_by: opt_text(row, "reviewed_by")?.map(AccountId),
        review_note: opt_text(row, "review_note")?,
    })
}

/// Inserts one notification on `conn` (also inside an order's update).
pub(super) async fn insert(
    conn: &mut AnyConnection,
    n: &PaymentNotification,
) -> Result<(), StoreError> {
    let statement = format!(
        "INSERT INTO payment_notifications ({INSERT_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    );
    sqlx::query(&statement)
        .bind(n.id.as_str())
        .bind(n.gateway.as_str())
        .bind(ts(n.received_at))
        .bind(n.raw_query.as_str())
        .bind(n.txn_ref.as_deref())
        .bind(n.order.as_ref().map(|o| o.0.as_str()))
        .bind(n.outcome.as_str())
        .bind(n.detail.as_deref())
        .bind(n.needs_review)
        .bind(opt_ts(n.reviewed_at))
        .bind(n.reviewed_by.as_ref().map(|a| a.0.as_str()))
        .bind(n.review_note.as_deref())
        .execute(conn)
        .await
        .map_err(|e| conflict_as(e, "payment notification"))?;
    Ok(())
}

pub(super) async fn record(store: &SqlStore, n: &PaymentNotification) -> Result<(), StoreError> {
    let mut conn = store.pool.acquire().await.map_err(backend_error)?;
    insert(&mut conn, n).await
}

pub(super) async fn get(
    store: &SqlStore,
    id: &str,
) -> Result<Option<PaymentNotification>, StoreError> {
    let query = format!("SELECT {COLUMNS} FROM payment_notifications WHERE id = $1");
    fetch_row(store, &query, &[id], decode).await
}

pub(super) async fn list(
    store: &SqlStore,
    filter: &PaymentNotificationFilter,
) -> Result<Page<PaymentNotification>, StoreError> {
    // Fixed conditions; the only value is the order, bound as $1.
    let mut conditions = vec!["TRUE"];
    if filter.awaiting_review {
        conditions.push("needs_review AND reviewed_at IS NULL");
    }
    let order = filter.order.as_ref().map(|o| o.0.as_str());
    if order.is_some() {
        conditions.push("order_id = $1");
    }
    let where_sql = conditions.join(" AND ");
    let first = if order.is_some() { 2 } else { 1 };
    let (limit, limit_arg, offset_arg) = page_bounds(filter.page);
    let count_sql = format!("SELECT COUNT(*) AS n FROM payment_notifications WHERE {where_sql}");
    let mut count = sqlx::query(&count_sql);
    if let Some(order) = order {
        count = count.bind(order);
    }
    let total = count.fetch_one(&store.pool).await.map_err(backend_error)?;
    let total = int(&total, "n")?;
    let rows_sql = format!(
        "SELECT {COLUMNS} FROM payment_notifications WHERE {where_sql} \
         ORDER BY received_at DESC, id DESC LIMIT ${first} OFFSET ${}",
        first + 1
    );
    let mut rows = sqlx::query(&rows_sql);
    if let Some(order) = order {
        rows = rows.bind(order);
    }
    let rows = rows
        .bind(limit_arg)
        .bind(offset_arg)
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(Page {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total: u64::try_from(total).unwrap_or(0),
        offset: filter.page.offset,
        limit,
    })
}

pub(super) async fn review(
    store: &SqlStore,
    id: &str,
    by: Option<&AccountId>,
    at: Timestamp,
    note: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE payment_notifications SET reviewed_at = $1, reviewed_by = $2, review_note = $3 \
         WHERE id = $4 AND reviewed_at IS NULL",
    )
    .bind(ts(at))
    .bind(by.map(|a| a.0.as_str()))
    .bind(note)
    .bind(id)
    .execute(&store.pool)
    .await
    .map_err(backend_error)?;
    Ok(done.rows_affected() == 1)
}
