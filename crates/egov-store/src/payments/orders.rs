//! Payment orders (lệnh thanh toán), their refunds and their receipts.

use egov_domain::attachment::ContentHash;
use egov_domain::dossier::DossierCode;
use egov_domain::identity::AccountId;
use egov_domain::payment::{FeeLine, PaymentOrder, PaymentOrderId, PaymentStatus, Refund};
use egov_domain::Vnd;
use egov_ports::{
    NewPaymentReceipt, PaymentOrderUpdate, PaymentOrderUpdated, PaymentReceipt, StoredPaymentOrder,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::{notifications, PayTx};
use crate::error::{backend_error, corrupt};
use crate::identity::codec::{
    conflict_as, get_bool, get_opt_ts, get_ts, insert_error, opt_ts, ts, Named,
};
use crate::sql::{fetch_row, fetch_rows, int, opt_text, text};
use crate::{SqlStore, StoreError};

const COLUMNS: &str = "id, dossier_code, payer, agency, lines, total, status, created_at, \
     expires_at, paid_at, gateway, txn_ref, transaction_no, refunded, version, \
     CASE WHEN follow_up THEN 1 ELSE 0 END AS follow_up, updated_at";

const INSERT_COLUMNS: &str = "id, dossier_code, payer, agency, lines, total, status, \
     created_at, expires_at, paid_at, gateway, txn_ref, transaction_no, refunded, version, \
     follow_up, updated_at";

const REFUND_COLUMNS: &str = "id, order_id, amount, reason, refunded_by, at, status_after";

const RECEIPT_COLUMNS: &str = "id, order_id, series, number, issued_at, content_hash";

/// The statuses of an order whose money was received.
const CREDITED: &str = "('paid', 'partially-refunded', 'refunded')";

fn decode(row: &AnyRow) -> Result<StoredPaymentOrder, StoreError> {
    let lines: Vec<FeeLine> =
        serde_json::from_str(&text(row, "lines")?).map_err(|e| corrupt("fee lines", e))?;
    let dossier = text(row, "dossier_code")?;
    Ok(StoredPaymentOrder {
        order: PaymentOrder {
            id: PaymentOrderId(text(row, "id")?),
            dossier: DossierCode::parse(&dossier).map_err(|e| corrupt("dossier_code", e))?,
            payer: AccountId(text(row, "payer")?),
            lines,
            total: Vnd(int(row, "total")?),
            status: PaymentStatus::get(row, "status")?,
            created_at: get_ts(row, "created_at")?,
            expires_at: get_ts(row, "expires_at")?,
            paid_at: get_opt_ts(row, "paid_at")?,
            gateway: text(row, "gateway")?,
            gateway_txn_ref: text(row, "txn_ref")?,
            gateway_transaction_no: opt_text(row, "transaction_no")?,
            refunded: Vnd(int(row, "refunded")?),
        },
        version: int(row, "version")?,
        agency: text(row, "agency")?,
        follow_up: get_bool(row, "follow_up")?,
        updated_at: get_ts(row, "updated_at")?,
    })
}

fn decode_refund(row: &AnyRow) -> Result<Refund, StoreError> {
    Ok(Refund {
        id: text(row, "id")?,
        order: PaymentOrderId(text(row, "order_id")?),
        amount: Vnd(int(row, "amount")?),
        reason: text(row, "reason")?,
        by: AccountId(text(row, "refunded_by")?),
        at: get_ts(row, "at")?,
        status_after: PaymentStatus::get(row, "status_after")?,
    })
}

fn decode_receipt(row: &AnyRow) -> Result<PaymentReceipt, StoreError> {
    let hash = opt_text(row, "content_hash")?
        .map(|h| ContentHash::parse(&h).map_err(|e| corrupt("content_hash", e)))
        .transpose()?;
    Ok(PaymentReceipt {
        id: text(row, "id")?,
        order: PaymentOrderId(text(row, "order_id")?),
        series: text(row, "series")?,
        number: int(row, "number")?,
        issued_at: get_ts(row, "issued_at")?,
        content_hash: hash,
    })
}

pub(super) async fn create(
    store: &SqlStore,
    stored: &StoredPaymentOrder,
) -> Result<(), StoreError> {
    let o = &stored.order;
    let lines = serde_json::to_string(&o.lines)
        .map_err(|e| StoreError::Backend(format!("fee lines not serialisable: {e}")))?;
    let statement = format!(
        "INSERT INTO payment_orders ({INSERT_COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
    );
    sqlx::query(&statement)
        .bind(o.id.0.as_str())
        .bind(o.dossier.to_string())
        .bind(o.payer.0.as_str())
        .bind(stored.agency.as_str())
        .bind(lines)
        .bind(o.total.0)
        .bind(o.status.as_str())
        .bind(ts(o.created_at))
        .bind(ts(o.expires_at))
        .bind(opt_ts(o.paid_at))
        .bind(o.gateway.as_str())
        .bind(o.gateway_txn_ref.as_str())
        .bind(o.gateway_transaction_no.as_deref())
        .bind(o.refunded.0)
        .bind(stored.version)
        .bind(stored.follow_up)
        .bind(ts(stored.updated_at))
        .execute(&store.pool)
        .await
        .map_err(|e| insert_error(e, "payment order", "dossier", &o.dossier.to_string()))?;
    Ok(())
}

pub(super) async fn get(
    store: &SqlStore,
    id: &PaymentOrderId,
) -> Result<Option<StoredPaymentOrder>, StoreError> {
    let query = format!("SELECT {COLUMNS} FROM payment_orders WHERE id = $1");
    fetch_row(store, &query, &[&id.0], decode).await
}

pub(super) async fn by_txn_ref(
    store: &SqlStore,
    gateway: &str,
    txn_ref: &str,
) -> Result<Option<StoredPaymentOrder>, StoreError> {
    let query = format!("SELECT {COLUMNS} FROM payment_orders WHERE gateway = $1 AND txn_ref = $2");
    fetch_row(store, &query, &[gateway, txn_ref], decode).await
}

pub(super) async fn of_dossier(
    store: &SqlStore,
    dossier: &DossierCode,
) -> Result<Vec<StoredPaymentOrder>, StoreError> {
    let query = format!(
        "SELECT {COLUMNS} FROM payment_orders WHERE dossier_code = $1 ORDER BY created_at, id"
    );
    fetch_rows(store, &query, &[&dossier.to_string()], decode).await
}

/// Writes the update when the stored version is still the expected one.
pub(super) async fn update(
    store: &SqlStore,
    update: &PaymentOrderUpdate,
) -> Result<PaymentOrderUpdated, StoreError> {
    let o = &update.order;
    let next = update
        .expected_version
        .checked_add(1)
        .ok_or_else(|| StoreError::Backend("payment order version out of range".to_owned()))?;
    let mut tx = PayTx::begin(store).await?;
    let changed = sqlx::query(
        "UPDATE payment_orders SET status = $1, paid_at = $2, transaction_no = $3, \
         refunded = $4, version = $5, updated_at = $6, follow_up = (follow_up OR $7) \
         WHERE id = $8 AND version = $9",
    )
    .bind(o.status.as_str())
    .bind(opt_ts(o.paid_at))
    .bind(o.gateway_transaction_no.as_deref())
    .bind(o.refunded.0)
    .bind(next)
    .bind(ts(update.at))
    .bind(update.start_follow_up)
    .bind(o.id.0.as_str())
    .bind(update.expected_version)
    .execute(tx.conn())
    .await
    .map_err(backend_error)?;
    if changed.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(PaymentOrderUpdated::Stale);
    }
    if let Some(refund) = &update.refund {
        insert_refund(tx.conn(), refund).await?;
    }
    let receipt = match &update.receipt {
        Some(new) => Some(insert_receipt(tx.conn(), &o.id, new).await?),
        None => None,
    };
    if let Some(notification) = &update.notification {
        notifications::insert(tx.conn(), notification).await?;
    }
    tx.commit().await?;
    Ok(PaymentOrderUpdated::Applied { receipt })
}

async fn insert_refund(conn: &mut AnyConnection, r: &Refund) -> Result<(), StoreError> {
    let statement = format!(
        "INSERT INTO payment_refunds ({REFUND_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    );
    sqlx::query(&statement)
        .bind(r.id.as_str())
        .bind(r.order.0.as_str())
        .bind(r.amount.0)
        .bind(r.reason.as_str())
        .bind(r.by.0.as_str())
        .bind(ts(r.at))
        .bind(r.status_after.as_str())
        .execute(conn)
        .await
        .map_err(|e| conflict_as(e, "refund"))?;
    Ok(())
}

/// Numbers the receipt with the next number of its series and stores it.
async fn insert_receipt(
    conn: &mut AnyConnection,
    order: &PaymentOrderId,
    new: &NewPaymentReceipt,
) -> Result<PaymentReceipt, StoreError> {
    // fetch_all, not fetch_optional: the statement runs to its end.
    let rows = sqlx::query(
        "INSERT INTO payment_counters (name, last_value) VALUES ($1, 1) \
         ON CONFLICT (name) DO UPDATE SET last_value = payment_counters.last_value + 1 \
         RETURNING last_value",
    )
    .bind(new.series.as_str())
    .fetch_all(&mut *conn)
    .await
    .map_err(backend_error)?;
    let number = rows
        .first()
        .map(|row| int(row, "last_value"))
        .transpose()?
        .ok_or_else(|| corrupt("payment counter", "no value returned"))?;
    let statement =
        format!("INSERT INTO payment_receipts ({RECEIPT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)");
    sqlx::query(&statement)
        .bind(new.id.as_str())
        .bind(order.0.as_str())
        .bind(new.series.as_str())
        .bind(number)
        .bind(ts(new.issued_at))
        .bind(None::<String>)
        .execute(&mut *conn)
        .await
        .map_err(|e| conflict_as(e, "receipt"))?;
    Ok(PaymentReceipt {
        id: new.id.clone(),
        order: order.clone(),
        series: new.series.clone(),
        number,
        issued_at: new.issued_at,
        content_hash: None,
    })
}

pub(super) async fn expired_pending(
    store: &SqlStore,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<StoredPaymentOrder>, StoreError> {
    let query = format!(
        "SELECT {COLUMNS} FROM payment_orders WHERE status = 'pending' AND expires_at <= $1 \
         ORDER BY expires_at, id LIMIT $2"
    );
    let rows = sqlx::query(&query)
        .bind(ts(now))
        .bind(i64::from(limit))
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    rows.iter().map(decode).collect()
}

pub(super) async fn pending_follow_ups(
    store: &SqlStore,
    limit: u32,
) -> Result<Vec<StoredPaymentOrder>, StoreError> {
    let query = format!(
        "SELECT {COLUMNS} FROM payment_orders WHERE follow_up ORDER BY updated_at, id LIMIT $1"
    );
    let rows = sqlx::query(&query)
        .bind(i64::from(limit))
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    rows.iter().map(decode).collect()
}

pub(super) async fn finish_follow_up(
    store: &SqlStore,
    id: &PaymentOrderId,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE payment_orders SET follow_up = $1 WHERE id = $2 AND follow_up")
        .bind(false)
        .bind(id.0.as_str())
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn credited_between(
    store: &SqlStore,
    gateway: &str,
    from: Timestamp,
    until: Timestamp,
) -> Result<Vec<StoredPaymentOrder>, StoreError> {
    let query = format!(
        "SELECT {COLUMNS} FROM payment_orders WHERE gateway = $1 AND status IN {CREDITED} \
         AND paid_at >= $2 AND paid_at < $3 ORDER BY paid_at, id"
    );
    fetch_rows(store, &query, &[gateway, &ts(from), &ts(until)], decode).await
}

pub(super) async fn refunds(
    store: &SqlStore,
    order: &PaymentOrderId,
) -> Result<Vec<Refund>, StoreError> {
    let query =
        format!("SELECT {REFUND_COLUMNS} FROM payment_refunds WHERE order_id = $1 ORDER BY at, id");
    fetch_rows(store, &query, &[&order.0], decode_refund).await
}

pub(super) async fn receipt(
    store: &SqlStore,
    id: &str,
) -> Result<Option<PaymentReceipt>, StoreError> {
    let query = format!("SELECT {RECEIPT_COLUMNS} FROM payment_receipts WHERE id = $1");
    fetch_row(store, &query, &[id], decode_receipt).await
}

pub(super) async fn receipt_of(
    store: &SqlStore,
    order: &PaymentOrderId,
) -> Result<Option<PaymentReceipt>, StoreError> {
    let query = format!("SELECT {RECEIPT_COLUMNS} FROM payment_receipts WHERE order_id = $1");
    fetch_row(store, &query, &[&order.0], decode_receipt).await
}

pub(super) async fn set_receipt_content(
    store: &SqlStore,
    id: &str,
    hash: &ContentHash,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE payment_receipts SET content_hash = $1 WHERE id = $2 AND content_hash IS NULL",
    )
    .bind(hash.as_str())
    .bind(id)
    .execute(&store.pool)
    .await
    .map_err(backend_error)?;
    Ok(done.rows_affected() == 1)
}
