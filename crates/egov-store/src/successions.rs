//! Succession links: which current unit(s) took over a pre-2025 unit.

use std::collections::HashMap;

use egov_domain::{Era, UnitLevel, UnitSuccession};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use crate::error::{backend_error, corrupt, write_error};
use crate::sql::{self, begin_write, int, placeholders, text, AnyQuery};
use crate::{units, ImportCounts, SqlStore, StoreError};

// `partial` is read through an expression: the sqlx Any driver cannot decode
// a SQLite column declared BOOLEAN, and CASE gives an integer on both databases.
const COLUMNS: &str =
    "old_code, old_level, new_code, new_level, CASE WHEN partial THEN 1 ELSE 0 END AS partial";

const INSERT: &str =
    "INSERT INTO unit_successions (old_code, old_level, new_code, new_level, partial)";
const INSERT_WIDTH: usize = 5;

const UPDATE: &str = "UPDATE unit_successions SET old_level = $2, new_level = $4, partial = $5 \
     WHERE old_code = $1 AND new_code = $3";

const ENTITY: &str = "succession";

fn decode(row: &AnyRow) -> Result<UnitSuccession, StoreError> {
    let bad = |e| corrupt(ENTITY, e);
    Ok(UnitSuccession {
        old_code: text(row, "old_code")?,
        old_level: UnitLevel::parse(&text(row, "old_level")?).map_err(bad)?,
        new_code: text(row, "new_code")?,
        new_level: UnitLevel::parse(&text(row, "new_level")?).map_err(bad)?,
        partial: int(row, "partial")? != 0,
    })
}

/// Binds a link in the column order of [`INSERT`] and [`UPDATE`].
fn bind_link<'q>(query: AnyQuery<'q>, link: &'q UnitSuccession) -> AnyQuery<'q> {
    query
        .bind(link.old_code.as_str())
        .bind(link.old_level.as_str())
        .bind(link.new_code.as_str())
        .bind(link.new_level.as_str())
        .bind(link.partial)
}

/// The stored links that start at one of `old_codes`, by (old code, new code).
async fn load(
    conn: &mut AnyConnection,
    old_codes: &[&str],
) -> Result<HashMap<(String, String), UnitSuccession>, StoreError> {
    let mut codes = old_codes.to_vec();
    codes.sort_unstable();
    codes.dedup();
    let mut out = HashMap::new();
    for chunk in codes.chunks(sql::CHUNK) {
        let query = format!(
            "SELECT {COLUMNS} FROM unit_successions WHERE old_code IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&query);
        for code in chunk {
            q = q.bind(*code);
        }
        for row in q.fetch_all(&mut *conn).await.map_err(backend_error)? {
            let link = decode(&row)?;
            out.insert((link.old_code.clone(), link.new_code.clone()), link);
        }
    }
    Ok(out)
}

/// Checks that the old end is a stored pre-2025 unit and the new end a stored
/// current unit, each at the level the link says.
fn check_ends(
    link: &UnitSuccession,
    old_units: &HashMap<String, egov_domain::AdminUnit>,
    new_units: &HashMap<String, egov_domain::AdminUnit>,
) -> Result<(), StoreError> {
    let missing = |reference, missing: &str| StoreError::MissingReference {
        entity: ENTITY,
        code: format!("{} → {}", link.old_code, link.new_code),
        reference,
        missing: missing.to_owned(),
    };
    match old_units.get(&link.old_code) {
        Some(unit) if unit.level == link.old_level => {}
        _ => return Err(missing(old_reference(link.old_level), &link.old_code)),
    }
    match new_units.get(&link.new_code) {
        Some(unit) if unit.level == link.new_level => Ok(()),
        _ => Err(missing(new_reference(link.new_level), &link.new_code)),
    }
}

fn old_reference(level: UnitLevel) -> &'static str {
    match level {
        UnitLevel::Province => "pre-2025 province",
        UnitLevel::District => "pre-2025 district",
        UnitLevel::Commune => "pre-2025 commune",
    }
}

fn new_reference(level: UnitLevel) -> &'static str {
    match level {
        UnitLevel::Province => "current province",
        UnitLevel::District => "current district",
        UnitLevel::Commune => "current commune",
    }
}

pub(crate) async fn upsert(
    store: &SqlStore,
    links: &[UnitSuccession],
) -> Result<ImportCounts, StoreError> {
    let mut tx = begin_write(store).await?;
    let old_codes: Vec<&str> = links.iter().map(|l| l.old_code.as_str()).collect();
    let new_codes: Vec<&str> = links.iter().map(|l| l.new_code.as_str()).collect();
    let old_units = units::load(&mut tx, Era::Pre2025, &old_codes).await?;
    let new_units = units::load(&mut tx, Era::Current, &new_codes).await?;
    let mut stored = load(&mut tx, &old_codes).await?;

    let mut counts = ImportCounts::default();
    let (mut inserts, mut updates) = (Vec::new(), Vec::new());
    for link in links {
        check_ends(link, &old_units, &new_units)?;
        let key = (link.old_code.clone(), link.new_code.clone());
        match stored.get(&key) {
            None => {
                counts.created += 1;
                inserts.push(link);
            }
            Some(old) if old == link => counts.unchanged += 1,
            Some(_) => {
                counts.updated += 1;
                updates.push(link);
            }
        }
        stored.insert(key, link.clone());
    }

    sql::insert_many(&mut tx, INSERT, INSERT_WIDTH, &inserts, |q, l| {
        bind_link(q, l)
    })
    .await
    .map_err(|e| write_error(e, ENTITY, ""))?;
    for link in updates {
        bind_link(sqlx::query(UPDATE), link)
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error(e, ENTITY, &link.old_code))?;
    }
    tx.commit().await.map_err(backend_error)?;
    Ok(counts)
}

pub(crate) async fn successors(
    store: &SqlStore,
    old_code: &str,
    old_level: UnitLevel,
) -> Result<Vec<UnitSuccession>, StoreError> {
    let query = format!(
        "SELECT {COLUMNS} FROM unit_successions WHERE old_code = $1 AND old_level = $2 ORDER BY new_code"
    );
    sqlx::query(&query)
        .bind(old_code)
        .bind(old_level.as_str())
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?
        .iter()
        .map(decode)
        .collect()
}

pub(crate) async fn predecessors(
    store: &SqlStore,
    new_code: &str,
) -> Result<Vec<UnitSuccession>, StoreError> {
    let query =
        format!("SELECT {COLUMNS} FROM unit_successions WHERE new_code = $1 ORDER BY old_code");
    sqlx::query(&query)
        .bind(new_code)
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?
        .iter()
        .map(decode)
        .collect()
}
