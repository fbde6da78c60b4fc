//! Procedures (thủ tục hành chính) and their versions.
//!
//! `procedures` holds one row per procedure pointing at its current version;
//! `procedure_versions` keeps the content of every version as JSON text.

use std::collections::HashMap;

use egov_domain::{Procedure, ProcedureCode, ProcedureVersion, VersionSummary};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use crate::error::{backend_error, corrupt, write_error};
use crate::sql::{self, begin_write, placeholders, text, version, AnyQuery};
use crate::{SqlStore, StoreError, VersionOutcome};

const ENTITY: &str = "procedure";

/// Joins a procedure to its current version.
const CURRENT: &str = "procedures p JOIN procedure_versions v \
     ON v.code = p.code AND v.version = p.current_version";

const VERSION_COLUMNS: &str = "v.version, v.recorded_at, v.content_hash, v.content";

fn decode_content(row: &AnyRow) -> Result<Procedure, StoreError> {
    serde_json::from_str(&text(row, "content")?).map_err(|e| corrupt("procedure content", e))
}

fn decode_timestamp(row: &AnyRow) -> Result<jiff::Timestamp, StoreError> {
    text(row, "recorded_at")?
        .parse()
        .map_err(|e| corrupt("version timestamp", e))
}

fn decode_version(row: &AnyRow) -> Result<ProcedureVersion, StoreError> {
    Ok(ProcedureVersion {
        version: version(row, "version")?,
        recorded_at: decode_timestamp(row)?,
        content_hash: text(row, "content_hash")?,
        procedure: decode_content(row)?,
    })
}

fn decode_summary(row: &AnyRow) -> Result<VersionSummary, StoreError> {
    Ok(VersionSummary {
        version: version(row, "version")?,
        recorded_at: decode_timestamp(row)?,
        content_hash: text(row, "content_hash")?,
    })
}

/// Current version number and content hash of the stored procedures among `codes`.
async fn load_current(
    conn: &mut AnyConnection,
    codes: &[&str],
) -> Result<HashMap<String, (u32, String)>, StoreError> {
    let mut codes = codes.to_vec();
    codes.sort_unstable();
    codes.dedup();
    let mut out = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(sql::CHUNK) {
        let query = format!(
            "SELECT p.code, v.version, v.content_hash FROM {CURRENT} WHERE p.code IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&query);
        for code in chunk {
            q = q.bind(*code);
        }
        for row in q.fetch_all(&mut *conn).await.map_err(backend_error)? {
            let current = (version(&row, "version")?, text(&row, "content_hash")?);
            out.insert(text(&row, "code")?, current);
        }
    }
    Ok(out)
}

/// A `procedures` row: the head pointing at the current version.
struct Head<'a> {
    procedure: &'a Procedure,
    version: i64,
    updated_at: &'a str,
}

/// A `procedure_versions` row.
struct VersionRow<'a> {
    code: &'a str,
    version: i64,
    recorded_at: &'a str,
    content_hash: String,
    content: String,
}

const INSERT_HEAD: &str = "INSERT INTO procedures (code, current_version, name, field, updated_at)";
const UPDATE_HEAD: &str = "UPDATE procedures SET current_version = $2, name = $3, field = $4, \
     updated_at = $5 WHERE code = $1";
const INSERT_VERSION: &str =
    "INSERT INTO procedure_versions (code, version, recorded_at, content_hash, content)";

/// Binds a head in the column order of [`INSERT_HEAD`] and [`UPDATE_HEAD`].
fn bind_head<'q>(query: AnyQuery<'q>, head: &'q Head<'_>) -> AnyQuery<'q> {
    query
        .bind(head.procedure.code.as_str())
        .bind(head.version)
        .bind(head.procedure.name.as_str())
        .bind(head.procedure.field.as_str())
        .bind(head.updated_at)
}

fn bind_version<'q>(query: AnyQuery<'q>, row: &'q VersionRow<'_>) -> AnyQuery<'q> {
    query
        .bind(row.code)
        .bind(row.version)
        .bind(row.recorded_at)
        .bind(row.content_hash.as_str())
        .bind(row.content.as_str())
}

pub(crate) async fn save(
    store: &SqlStore,
    procedures: &[Procedure],
    now: jiff::Timestamp,
) -> Result<Vec<VersionOutcome>, StoreError> {
    let mut tx = begin_write(store).await?;
    let codes: Vec<&str> = procedures.iter().map(|p| p.code.as_str()).collect();
    let mut current = load_current(&mut tx, &codes).await?;
    let recorded_at = now.to_string();

    // Decide every outcome first; a procedure may appear twice in a batch.
    let mut outcomes = Vec::with_capacity(procedures.len());
    let (mut new_heads, mut changed_heads, mut versions) = (Vec::new(), Vec::new(), Vec::new());
    for procedure in procedures {
        let code = procedure.code.as_str();
        let hash = procedure.content_hash();
        let (version, outcome) = match current.get(code) {
            None => (1, VersionOutcome::Created),
            Some((_, stored_hash)) if *stored_hash == hash => {
                outcomes.push(VersionOutcome::Unchanged);
                continue;
            }
            Some((stored, _)) => {
                let next = stored.checked_add(1).ok_or_else(|| {
                    StoreError::Backend(format!("procedure `{code}` has too many versions"))
                })?;
                (next, VersionOutcome::NewVersion(next))
            }
        };
        let content = serde_json::to_string(procedure)
            .map_err(|e| StoreError::Backend(format!("cannot encode procedure `{code}`: {e}")))?;
        let head = Head {
            procedure,
            version: i64::from(version),
            updated_at: &recorded_at,
        };
        if version == 1 {
            new_heads.push(head);
        } else {
            changed_heads.push(head);
        }
        versions.push(VersionRow {
            code,
            version: i64::from(version),
            recorded_at: &recorded_at,
            content_hash: hash.clone(),
            content,
        });
        current.insert(code.to_owned(), (version, hash));
        outcomes.push(outcome);
    }

    // Heads first: versions refer to them.
    sql::insert_many(&mut tx, INSERT_HEAD, 5, &new_heads, |q, h| bind_head(q, h))
        .await
        .map_err(|e| write_error(e, ENTITY, ""))?;
    for head in &changed_heads {
        bind_head(sqlx::query(UPDATE_HEAD), head)
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error(e, ENTITY, head.procedure.code.as_str()))?;
    }
    sql::insert_many(&mut tx, INSERT_VERSION, 5, &versions, |q, v| {
        bind_version(q, v)
    })
    .await
    .map_err(|e| write_error(e, ENTITY, ""))?;
    tx.commit().await.map_err(backend_error)?;
    Ok(outcomes)
}

pub(crate) async fn current(
    store: &SqlStore,
    code: &ProcedureCode,
) -> Result<Option<ProcedureVersion>, StoreError> {
    let query = format!("SELECT {VERSION_COLUMNS} FROM {CURRENT} WHERE p.code = $1");
    sqlx::query(&query)
        .bind(code.as_str())
        .fetch_optional(&store.pool)
        .await
        .map_err(backend_error)?
        .as_ref()
        .map(decode_version)
        .transpose()
}

pub(crate) async fn at_version(
    store: &SqlStore,
    code: &ProcedureCode,
    number: u32,
) -> Result<Option<ProcedureVersion>, StoreError> {
    let query = format!(
        "SELECT {VERSION_COLUMNS} FROM procedure_versions v WHERE v.code = $1 AND v.version = $2"
    );
    sqlx::query(&query)
        .bind(code.as_str())
        .bind(i64::from(number))
        .fetch_optional(&store.pool)
        .await
        .map_err(backend_error)?
        .as_ref()
        .map(decode_version)
        .transpose()
}

pub(crate) async fn history(
    store: &SqlStore,
    code: &ProcedureCode,
) -> Result<Vec<VersionSummary>, StoreError> {
    sqlx::query(
        "SELECT version, recorded_at, content_hash FROM procedure_versions \
         WHERE code = $1 ORDER BY version",
    )
    .bind(code.as_str())
    .fetch_all(&store.pool)
    .await
    .map_err(backend_error)?
    .iter()
    .map(decode_summary)
    .collect()
}

pub(crate) async fn all_current(store: &SqlStore) -> Result<Vec<Procedure>, StoreError> {
    let query = format!("SELECT v.content FROM {CURRENT} ORDER BY p.code");
    sqlx::query(&query)
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?
        .iter()
        .map(decode_content)
        .collect()
}

pub(crate) async fn count(store: &SqlStore) -> Result<u64, StoreError> {
    sql::count(store, "SELECT COUNT(*) AS n FROM procedures", None).await
}
