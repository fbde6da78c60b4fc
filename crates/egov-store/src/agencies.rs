//! Agencies (cơ quan): a tree, each optionally serving a current unit.

use std::collections::{HashMap, HashSet};

use egov_domain::text::fold;
use egov_domain::{Agency, AgencyKind, Era, Page};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use crate::error::{backend_error, corrupt, write_error};
use crate::sql::{
    self, begin_write, fetch_page, opt_text, placeholders, text, AnyQuery, ListQuery, Where,
};
use crate::{units, AgencyFilter, ImportCounts, SqlStore, StoreError};

const COLUMNS: &str = "code, name, kind, parent_code, admin_unit_code";

const INSERT: &str =
    "INSERT INTO agencies (code, name, name_folded, kind, parent_code, admin_unit_code)";
const INSERT_WIDTH: usize = 6;

const UPDATE: &str =
    "UPDATE agencies SET name = $2, name_folded = $3, kind = $4, parent_code = $5, \
     admin_unit_code = $6 WHERE code = $1";

const ENTITY: &str = "agency";

fn decode(row: &AnyRow) -> Result<Agency, StoreError> {
    Ok(Agency {
        code: text(row, "code")?,
        name: text(row, "name")?,
        kind: AgencyKind::parse(&text(row, "kind")?).map_err(|e| corrupt(ENTITY, e))?,
        parent_code: opt_text(row, "parent_code")?,
        admin_unit_code: opt_text(row, "admin_unit_code")?,
    })
}

/// Binds an agency in the column order of [`INSERT`] and [`UPDATE`].
fn bind_agency<'q>(query: AnyQuery<'q>, agency: &'q Agency) -> AnyQuery<'q> {
    query
        .bind(agency.code.as_str())
        .bind(agency.name.as_str())
        .bind(fold(&agency.name))
        .bind(agency.kind.as_str())
        .bind(agency.parent_code.as_deref())
        .bind(agency.admin_unit_code.as_deref())
}

/// The batch ordered so that an agency comes after its parent when the
/// parent is in the batch too (stable otherwise). A cycle inside the batch
/// is left as it is; the parent check then reports it.
fn parents_first(agencies: &[Agency]) -> Vec<&Agency> {
    let parent_of: HashMap<&str, Option<&str>> = agencies
        .iter()
        .map(|a| (a.code.as_str(), a.parent_code.as_deref()))
        .collect();
    let depth = |code: &str| {
        let mut seen = HashSet::new();
        let mut depth = 0usize;
        let mut current = code;
        while let Some(Some(parent)) = parent_of.get(current) {
            if !seen.insert(current) || !parent_of.contains_key(parent) {
                break;
            }
            depth += 1;
            current = parent;
        }
        depth
    };
    let mut order: Vec<(usize, &Agency)> = agencies.iter().map(|a| (depth(&a.code), a)).collect();
    order.sort_by_key(|(depth, _)| *depth);
    order.into_iter().map(|(_, a)| a).collect()
}

/// The stored agencies among `codes`, by code.
async fn load(
    conn: &mut AnyConnection,
    codes: &[&str],
) -> Result<HashMap<String, Agency>, StoreError> {
    let mut codes = codes.to_vec();
    codes.sort_unstable();
    codes.dedup();
    let mut out = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(sql::CHUNK) {
        let query = format!(
            "SELECT {COLUMNS} FROM agencies WHERE code IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&query);
        for code in chunk {
            q = q.bind(*code);
        }
        for row in q.fetch_all(&mut *conn).await.map_err(backend_error)? {
            let agency = decode(&row)?;
            out.insert(agency.code.clone(), agency);
        }
    }
    Ok(out)
}

pub(crate) async fn upsert(
    store: &SqlStore,
    agencies: &[Agency],
) -> Result<ImportCounts, StoreError> {
    let order = parents_first(agencies);
    let mut tx = begin_write(store).await?;
    let codes: Vec<&str> = order
        .iter()
        .flat_map(|a| std::iter::once(a.code.as_str()).chain(a.parent_code.as_deref()))
        .collect();
    let mut stored = load(&mut tx, &codes).await?;
    let mut known: HashSet<String> = stored.keys().cloned().collect();
    let unit_codes: Vec<&str> = order
        .iter()
        .filter_map(|a| a.admin_unit_code.as_deref())
        .collect();
    let units = units::load(&mut tx, Era::Current, &unit_codes).await?;

    // Decide what to write, in order; an agency may appear twice in a batch.
    let mut counts = ImportCounts::default();
    let (mut inserts, mut updates) = (Vec::new(), Vec::new());
    for agency in order {
        let missing = |reference, missing: &str| StoreError::MissingReference {
            entity: ENTITY,
            code: agency.code.clone(),
            reference,
            missing: missing.to_owned(),
        };
        if let Some(parent) = agency.parent_code.as_deref() {
            if !known.contains(parent) {
                return Err(missing("parent agency", parent));
            }
        }
        if let Some(unit) = agency.admin_unit_code.as_deref() {
            if !units.contains_key(unit) {
                return Err(missing("current administrative unit", unit));
            }
        }
        match stored.get(&agency.code) {
            None => {
                counts.created += 1;
                inserts.push(agency);
            }
            Some(old) if old == agency => counts.unchanged += 1,
            Some(_) => {
                counts.updated += 1;
                updates.push(agency);
            }
        }
        known.insert(agency.code.clone());
        stored.insert(agency.code.clone(), agency.clone());
    }

    // New agencies first (parents before children): an update may name a new parent.
    sql::insert_many(&mut tx, INSERT, INSERT_WIDTH, &inserts, |q, a| {
        bind_agency(q, a)
    })
    .await
    .map_err(|e| write_error(e, ENTITY, ""))?;
    for agency in updates {
        bind_agency(sqlx::query(UPDATE), agency)
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error(e, ENTITY, &agency.code))?;
    }
    tx.commit().await.map_err(backend_error)?;
    Ok(counts)
}

pub(crate) async fn get(store: &SqlStore, code: &str) -> Result<Option<Agency>, StoreError> {
    let query = format!("SELECT {COLUMNS} FROM agencies WHERE code = $1");
    sqlx::query(&query)
        .bind(code)
        .fetch_optional(&store.pool)
        .await
        .map_err(backend_error)?
        .as_ref()
        .map(decode)
        .transpose()
}

pub(crate) async fn list(
    store: &SqlStore,
    filter: &AgencyFilter,
) -> Result<Page<Agency>, StoreError> {
    let mut w = Where::default();
    if let Some(parent) = &filter.parent_code {
        w.eq("parent_code", parent.as_str());
    }
    if let Some(kind) = filter.kind {
        w.eq("kind", kind.as_str());
    }
    if let Some(unit) = &filter.admin_unit_code {
        w.eq("admin_unit_code", unit.as_str());
    }
    if let Some(name) = filter.name_folded.as_deref().map(fold) {
        w.contains("name_folded", &name);
    }
    let list = ListQuery {
        table: "agencies",
        columns: COLUMNS,
        order_by: "code",
    };
    fetch_page(store, &list, &w, filter.page, decode).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency(code: &str, parent: Option<&str>) -> Agency {
        Agency {
            code: code.into(),
            name: code.into(),
            kind: AgencyKind::Other,
            parent_code: parent.map(Into::into),
            admin_unit_code: None,
        }
    }

    fn codes(order: &[&Agency]) -> Vec<String> {
        order.iter().map(|a| a.code.clone()).collect()
    }

    #[test]
    fn children_come_after_their_parents() {
        let batch = [
            agency("c", Some("b")),
            agency("b", Some("a")),
            agency("x", Some("stored")),
            agency("a", None),
        ];
        assert_eq!(codes(&parents_first(&batch)), ["x", "a", "b", "c"]);
    }

    #[test]
    fn a_cycle_does_not_hang() {
        let batch = [agency("a", Some("b")), agency("b", Some("a"))];
        assert_eq!(parents_first(&batch).len(), 2);
    }
}
