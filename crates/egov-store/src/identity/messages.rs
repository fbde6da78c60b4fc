//! One-time codes (mã xác thực) and the notification outbox they travel in.

use egov_domain::identity::AccountId;
use egov_ports::{CodePurpose, OneTimeCode, OutboxMessage};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::codec::{conflict_as, get_count, get_opt_ts, get_ts, insert_error, opt_ts, ts, Named};
use crate::error::backend_error;
use crate::sql::{begin_row_write, opt_text, text};
use crate::{SqlStore, StoreError};

const CODE_COLUMNS: &str = "account_id, purpose, target, code_hash, expires_at, attempts";

const MESSAGE_COLUMNS: &str =
    "id, channel, recipient, subject, body, created_at, attempts, sent_at, last_error";

fn decode_code(row: &AnyRow) -> Result<OneTimeCode, StoreError> {
    Ok(OneTimeCode {
        account_id: AccountId(text(row, "account_id")?),
        purpose: CodePurpose::get(row, "purpose")?,
        target: text(row, "target")?,
        code_hash: text(row, "code_hash")?,
        expires_at: get_ts(row, "expires_at")?,
        attempts: get_count(row, "attempts")?,
    })
}

fn decode_message(row: &AnyRow) -> Result<OutboxMessage, StoreError> {
    Ok(OutboxMessage {
        id: text(row, "id")?,
        channel: Named::get(row, "channel")?,
        recipient: text(row, "recipient")?,
        subject: text(row, "subject")?,
        body: text(row, "body")?,
        created_at: get_ts(row, "created_at")?,
        attempts: get_count(row, "attempts")?,
        sent_at: get_opt_ts(row, "sent_at")?,
        last_error: opt_text(row, "last_error")?,
    })
}

pub(crate) async fn put_code(
    store: &SqlStore,
    code: &OneTimeCode,
    message: &OutboxMessage,
) -> Result<(), StoreError> {
    let mut tx = begin_row_write(store).await?;
    // ON CONFLICT … DO UPDATE is spelled the same in SQLite and PostgreSQL.
    sqlx::query(
        "INSERT INTO one_time_codes (account_id, purpose, target, code_hash, expires_at, attempts) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (account_id, purpose) DO UPDATE SET target = excluded.target, \
         code_hash = excluded.code_hash, expires_at = excluded.expires_at, \
         attempts = excluded.attempts",
    )
    .bind(code.account_id.0.as_str())
    .bind(code.purpose.name())
    .bind(code.target.as_str())
    .bind(code.code_hash.as_str())
    .bind(ts(code.expires_at))
    .bind(i64::from(code.attempts))
    .execute(&mut *tx)
    .await
    .map_err(|e| insert_error(e, "one-time code", "account", &code.account_id.0))?;
    insert_message(&mut tx, message).await?;
    tx.commit().await.map_err(backend_error)
}

pub(crate) async fn code(
    store: &SqlStore,
    id: &AccountId,
    purpose: CodePurpose,
) -> Result<Option<OneTimeCode>, StoreError> {
    let query =
        format!("SELECT {CODE_COLUMNS} FROM one_time_codes WHERE account_id = $1 AND purpose = $2");
    sqlx::query(&query)
        .bind(id.0.as_str())
        .bind(purpose.name())
        .fetch_optional(&store.pool)
        .await
        .map_err(backend_error)?
        .as_ref()
        .map(decode_code)
        .transpose()
}

/// The new count of wrong entries, or 0 when there is no such code.
pub(crate) async fn count_attempt(
    store: &SqlStore,
    id: &AccountId,
    purpose: CodePurpose,
) -> Result<u32, StoreError> {
    // RETURNING reads the count this very update wrote (both databases have it).
    // fetch_all, not fetch_optional: the statement runs to its end.
    let rows = sqlx::query(
        "UPDATE one_time_codes SET attempts = attempts + 1 \
         WHERE account_id = $1 AND purpose = $2 RETURNING attempts",
    )
    .bind(id.0.as_str())
    .bind(purpose.name())
    .fetch_all(&store.pool)
    .await
    .map_err(backend_error)?;
    rows.first().map_or(Ok(0), |row| get_count(row, "attempts"))
}

pub(crate) async fn delete_code(
    store: &SqlStore,
    id: &AccountId,
    purpose: CodePurpose,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM one_time_codes WHERE account_id = $1 AND purpose = $2")
        .bind(id.0.as_str())
        .bind(purpose.name())
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(())
}

/// Inserts one outbox message on `conn` (also used inside the dossier writes).
pub(crate) async fn insert_message(
    conn: &mut AnyConnection,
    m: &OutboxMessage,
) -> Result<(), StoreError> {
    let statement = format!(
        "INSERT INTO outbox ({MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    );
    sqlx::query(&statement)
        .bind(m.id.as_str())
        .bind(m.channel.name())
        .bind(m.recipient.as_str())
        .bind(m.subject.as_str())
        .bind(m.body.as_str())
        .bind(ts(m.created_at))
        .bind(i64::from(m.attempts))
        .bind(opt_ts(m.sent_at))
        .bind(m.last_error.as_deref())
        .execute(conn)
        .await
        .map_err(|e| conflict_as(e, "outbox message"))?;
    Ok(())
}

pub(crate) async fn enqueue(store: &SqlStore, message: &OutboxMessage) -> Result<(), StoreError> {
    let mut conn = store.pool.acquire().await.map_err(backend_error)?;
    insert_message(&mut conn, message).await
}

pub(crate) async fn pending(
    store: &SqlStore,
    max_attempts: u32,
    limit: u32,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let query = format!(
        "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE sent_at IS NULL AND attempts < $1 \
         ORDER BY created_at, id LIMIT $2"
    );
    let rows = sqlx::query(&query)
        .bind(i64::from(max_attempts))
        .bind(i64::from(limit))
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    rows.iter().map(decode_message).collect()
}

pub(crate) async fn mark_sent(store: &SqlStore, id: &str, at: Timestamp) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox SET sent_at = $2 WHERE id = $1")
        .bind(id)
        .bind(ts(at))
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(())
}

pub(crate) async fn mark_failed(store: &SqlStore, id: &str, error: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1")
        .bind(id)
        .bind(error)
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(())
}
