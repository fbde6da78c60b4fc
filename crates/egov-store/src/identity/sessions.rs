//! Web sessions (phiên đăng nhập) and throttling counters.

use egov_domain::identity::AccountId;
use egov_ports::{Session, Throttle};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use super::codec::{get_bool, get_count, get_opt_ts, get_ts, insert_error, opt_ts, ts};
use crate::error::backend_error;
use crate::sql::{opt_text, text};
use crate::{SqlStore, StoreError};

const COLUMNS: &str = "id_hash, account_id, created_at, last_seen_at, expires_at, ip, \
     user_agent, csrf_secret, CASE WHEN second_factor THEN 1 ELSE 0 END AS second_factor, \
     revoked_at";

fn decode(row: &AnyRow) -> Result<Session, StoreError> {
    Ok(Session {
        id_hash: text(row, "id_hash")?,
        account_id: AccountId(text(row, "account_id")?),
        created_at: get_ts(row, "created_at")?,
        last_seen_at: get_ts(row, "last_seen_at")?,
        expires_at: get_ts(row, "expires_at")?,
        ip: opt_text(row, "ip")?,
        user_agent: opt_text(row, "user_agent")?,
        csrf_secret: text(row, "csrf_secret")?,
        second_factor: get_bool(row, "second_factor")?,
        revoked_at: get_opt_ts(row, "revoked_at")?,
    })
}

pub(crate) async fn create(store: &SqlStore, s: &Session) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at, expires_at, ip, \
         user_agent, csrf_secret, second_factor, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(s.id_hash.as_str())
    .bind(s.account_id.0.as_str())
    .bind(ts(s.created_at))
    .bind(ts(s.last_seen_at))
    .bind(ts(s.expires_at))
    .bind(s.ip.as_deref())
    .bind(s.user_agent.as_deref())
    .bind(s.csrf_secret.as_str())
    .bind(s.second_factor)
    .bind(opt_ts(s.revoked_at))
    .execute(&store.pool)
    .await
    .map_err(|e| insert_error(e, "session", "account", &s.account_id.0))?;
    Ok(())
}

pub(crate) async fn get(store: &SqlStore, id_hash: &str) -> Result<Option<Session>, StoreError> {
    let query = format!("SELECT {COLUMNS} FROM sessions WHERE id_hash = $1");
    sqlx::query(&query)
        .bind(id_hash)
        .fetch_optional(&store.pool)
        .await
        .map_err(backend_error)?
        .as_ref()
        .map(decode)
        .transpose()
}

pub(crate) async fn touch(
    store: &SqlStore,
    id_hash: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
        .bind(id_hash)
        .bind(ts(at))
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(())
}

/// Revokes one session; one already revoked keeps its first revocation time.
pub(crate) async fn revoke(
    store: &SqlStore,
    id_hash: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL")
        .bind(id_hash)
        .bind(ts(at))
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(())
}

/// Revokes the sessions of the account that are live at `at`; returns how many.
pub(crate) async fn revoke_all_of(
    store: &SqlStore,
    id: &AccountId,
    at: Timestamp,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $2 \
         WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(id.0.as_str())
    .bind(ts(at))
    .execute(&store.pool)
    .await
    .map_err(backend_error)?;
    Ok(done.rows_affected())
}

pub(crate) async fn live_of(
    store: &SqlStore,
    id: &AccountId,
    now: Timestamp,
) -> Result<Vec<Session>, StoreError> {
    let query = format!(
        "SELECT {COLUMNS} FROM sessions \
         WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
         ORDER BY created_at DESC, id_hash"
    );
    let rows = sqlx::query(&query)
        .bind(id.0.as_str())
        .bind(ts(now))
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    rows.iter().map(decode).collect()
}

pub(crate) async fn throttle(store: &SqlStore, key: &str) -> Result<Option<Throttle>, StoreError> {
    let row = sqlx::query(
        "SELECT failures, window_started_at, locked_until FROM throttles WHERE key = $1",
    )
    .bind(key)
    .fetch_optional(&store.pool)
    .await
    .map_err(backend_error)?;
    row.map(|row| {
        Ok(Throttle {
            failures: get_count(&row, "failures")?,
            window_started_at: get_ts(&row, "window_started_at")?,
            locked_until: get_opt_ts(&row, "locked_until")?,
        })
    })
    .transpose()
}

pub(crate) async fn put_throttle(
    store: &SqlStore,
    key: &str,
    state: &Throttle,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO throttles (key, failures, window_started_at, locked_until) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, \
         window_started_at = excluded.window_started_at, locked_until = excluded.locked_until",
    )
    .bind(key)
    .bind(i64::from(state.failures))
    .bind(ts(state.window_started_at))
    .bind(opt_ts(state.locked_until))
    .execute(&store.pool)
    .await
    .map_err(backend_error)?;
    Ok(())
}

pub(crate) async fn clear_throttle(store: &SqlStore, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM throttles WHERE key = $1")
        .bind(key)
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(())
}
