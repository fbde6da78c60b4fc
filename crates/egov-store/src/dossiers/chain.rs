//! The dossiers' audit log (nhật ký hồ sơ): one hash chain over every
//! dossier event, in `dossier_events`, and its head (last sequence number
//! and hash) in the one-row `dossier_chain_head`, so that removed entries at
//! the end are detected too. The stored columns are exactly what was hashed.

use egov_domain::dossier::chain::{ChainContent, ChainEntry};
use egov_domain::dossier::DossierCode;
use egov_ports::NewEvent;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::codec::to_json;
use crate::error::{backend_error, corrupt};
use crate::identity::codec::ts;
use crate::sql::{fetch_rows, int, text};
use crate::{Backend, SqlStore, StoreError};

const COLUMNS: &str = "seq, dossier_code, at, actor, action, detail, prev_hash, hash";

/// The actor of events no account caused.
const SYSTEM: &str = "system";

fn decode(row: &AnyRow) -> Result<ChainEntry, StoreError> {
    Ok(ChainEntry {
        seq: int(row, "seq")?,
        content: ChainContent {
            at: text(row, "at")?,
            actor: text(row, "actor")?,
            subject: text(row, "dossier_code")?,
            action: text(row, "action")?,
            detail: text(row, "detail")?,
        },
        prev_hash: text(row, "prev_hash")?,
        hash: text(row, "hash")?,
    })
}

/// Reads the head inside a write transaction. PostgreSQL: locks its row
/// until the transaction ends, which queues every other dossier writer.
/// SQLite: the transaction already holds the database's write lock.
/// `None` while the chain is empty.
pub(super) async fn lock_head(
    backend: Backend,
    conn: &mut AnyConnection,
) -> Result<Option<(i64, String)>, StoreError> {
    let query = match backend {
        Backend::Sqlite => "SELECT seq, hash FROM dossier_chain_head WHERE id = 1",
        Backend::Postgres => "SELECT seq, hash FROM dossier_chain_head WHERE id = 1 FOR UPDATE",
    };
    let row = sqlx::query(query)
        .fetch_optional(conn)
        .await
        .map_err(backend_error)?
        .ok_or_else(|| corrupt("dossier chain head", "the row is missing"))?;
    head_of(&row)
}

fn head_of(row: &AnyRow) -> Result<Option<(i64, String)>, StoreError> {
    let seq = int(row, "seq")?;
    Ok((seq > 0)
        .then(|| text(row, "hash"))
        .transpose()?
        .map(|hash| (seq, hash)))
}

/// The entry that records `event` of dossier `code` after `prev`.
pub(super) fn entry(
    prev: Option<(i64, &str)>,
    code: &DossierCode,
    event: &NewEvent,
) -> Result<ChainEntry, StoreError> {
    let content = ChainContent {
        at: ts(event.at),
        actor: event
            .actor
            .as_ref()
            .map_or_else(|| SYSTEM.to_owned(), |a| a.0.clone()),
        subject: code.to_string(),
        action: event.action.clone(),
        detail: to_json(&event.detail, "event detail")?,
    };
    Ok(ChainEntry::next(prev, content))
}

/// Inserts `entry` and moves the head to it.
pub(super) async fn append(conn: &mut AnyConnection, entry: &ChainEntry) -> Result<(), StoreError> {
    let statement =
        format!("INSERT INTO dossier_events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    let c = &entry.content;
    sqlx::query(&statement)
        .bind(entry.seq)
        .bind(c.subject.as_str())
        .bind(c.at.as_str())
        .bind(c.actor.as_str())
        .bind(c.action.as_str())
        .bind(c.detail.as_str())
        .bind(entry.prev_hash.as_str())
        .bind(entry.hash.as_str())
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    let moved = sqlx::query("UPDATE dossier_chain_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(entry.seq)
        .bind(entry.hash.as_str())
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    if moved.rows_affected() != 1 {
        return Err(corrupt("dossier chain head", "the row is missing"));
    }
    Ok(())
}

pub(super) async fn events(
    store: &SqlStore,
    code: &DossierCode,
) -> Result<Vec<ChainEntry>, StoreError> {
    let query =
        format!("SELECT {COLUMNS} FROM dossier_events WHERE dossier_code = $1 ORDER BY seq");
    fetch_rows(store, &query, &[&code.to_string()], decode).await
}

pub(super) async fn head(store: &SqlStore) -> Result<Option<(i64, String)>, StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM dossier_chain_head WHERE id = 1")
        .fetch_optional(&store.pool)
        .await
        .map_err(backend_error)?;
    // A missing row reads as an empty chain: the verifier then reports
    // every stored entry as beyond the head.
    row.as_ref().map_or(Ok(None), head_of)
}

pub(super) async fn entries(
    store: &SqlStore,
    after: i64,
    limit: u32,
) -> Result<Vec<ChainEntry>, StoreError> {
    let query =
        format!("SELECT {COLUMNS} FROM dossier_events WHERE seq > $1 ORDER BY seq LIMIT $2");
    let rows = sqlx::query(&query)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    rows.iter().map(decode).collect()
}
