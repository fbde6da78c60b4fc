//! Administrative units (đơn vị hành chính) of both eras.

use std::collections::{HashMap, HashSet};

use egov_domain::text::fold;
use egov_domain::{AdminUnit, Era, Page, UnitKind, UnitLevel};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use crate::error::{backend_error, corrupt, write_error};
use crate::sql::{
    self, begin_write, fetch_page, opt_text, placeholders, text, AnyQuery, ListQuery, Where,
};
use crate::{AdminUnitFilter, ImportCounts, SqlStore, StoreError};

const COLUMNS: &str =
    "era, code, level, kind, name, full_name, name_en, full_name_en, parent_code, province_code";

const INSERT: &str = "INSERT INTO admin_units (era, code, level, kind, name, full_name, name_en, \
     full_name_en, name_folded, parent_code, province_code, valid_from, valid_to)";
const INSERT_WIDTH: usize = 13;

const UPDATE: &str = "UPDATE admin_units SET level = $3, kind = $4, name = $5, full_name = $6, \
     name_en = $7, full_name_en = $8, name_folded = $9, parent_code = $10, province_code = $11, \
     valid_from = $12, valid_to = $13 WHERE era = $1 AND code = $2";

const ENTITY: &str = "administrative unit";

pub(crate) fn decode(row: &AnyRow) -> Result<AdminUnit, StoreError> {
    let bad = |e| corrupt(ENTITY, e);
    Ok(AdminUnit {
        code: text(row, "code")?,
        era: Era::parse(&text(row, "era")?).map_err(bad)?,
        level: UnitLevel::parse(&text(row, "level")?).map_err(bad)?,
        kind: UnitKind::parse(&text(row, "kind")?).map_err(bad)?,
        name: text(row, "name")?,
        full_name: text(row, "full_name")?,
        name_en: opt_text(row, "name_en")?,
        full_name_en: opt_text(row, "full_name_en")?,
        parent_code: opt_text(row, "parent_code")?,
        province_code: text(row, "province_code")?,
    })
}

/// The folded text a name search matches: the full name ("xa ba vi"), plus
/// the short name when the full name does not contain it.
fn folded_name(unit: &AdminUnit) -> String {
    let full = fold(&unit.full_name);
    let short = fold(&unit.name);
    if full.contains(&short) {
        full
    } else {
        format!("{full} | {short}")
    }
}

/// Parents before children: provinces, then districts, then communes.
fn level_rank(level: UnitLevel) -> u8 {
    match level {
        UnitLevel::Province => 0,
        UnitLevel::District => 1,
        UnitLevel::Commune => 2,
    }
}

/// Binds a unit in the column order of [`INSERT`] and [`UPDATE`] (`$1`…`$13`).
fn bind_unit<'q>(query: AnyQuery<'q>, unit: &'q AdminUnit) -> AnyQuery<'q> {
    query
        .bind(unit.era.as_str())
        .bind(unit.code.as_str())
        .bind(unit.level.as_str())
        .bind(unit.kind.as_str())
        .bind(unit.name.as_str())
        .bind(unit.full_name.as_str())
        .bind(unit.name_en.as_deref())
        .bind(unit.full_name_en.as_deref())
        .bind(folded_name(unit))
        .bind(unit.parent_code.as_deref())
        .bind(unit.province_code.as_str())
        .bind(unit.era.valid_from().map(|d| d.to_string()))
        .bind(unit.era.valid_to().map(|d| d.to_string()))
}

/// The stored units of `era` among `codes`, by code.
pub(crate) async fn load(
    conn: &mut AnyConnection,
    era: Era,
    codes: &[&str],
) -> Result<HashMap<String, AdminUnit>, StoreError> {
    let mut codes = codes.to_vec();
    codes.sort_unstable();
    codes.dedup();
    let mut out = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(sql::CHUNK) {
        let query = format!(
            "SELECT {COLUMNS} FROM admin_units WHERE era = $1 AND code IN ({})",
            placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(&query).bind(era.as_str());
        for code in chunk {
            q = q.bind(*code);
        }
        for row in q.fetch_all(&mut *conn).await.map_err(backend_error)? {
            let unit = decode(&row)?;
            out.insert(unit.code.clone(), unit);
        }
    }
    Ok(out)
}

pub(crate) async fn upsert(
    store: &SqlStore,
    units: &[AdminUnit],
) -> Result<ImportCounts, StoreError> {
    let mut order: Vec<&AdminUnit> = units.iter().collect();
    order.sort_by_key(|u| level_rank(u.level));
    let mut tx = begin_write(store).await?;

    // What is stored already: the units themselves and the parents they name.
    let mut stored: HashMap<(Era, String), AdminUnit> = HashMap::new();
    let mut known: HashSet<(Era, String)> = HashSet::new();
    for era in Era::ALL {
        let codes: Vec<&str> = order
            .iter()
            .filter(|u| u.era == era)
            .flat_map(|u| std::iter::once(u.code.as_str()).chain(u.parent_code.as_deref()))
            .collect();
        if codes.is_empty() {
            continue;
        }
        for (code, unit) in load(&mut tx, era, &codes).await? {
            known.insert((era, code.clone()));
            stored.insert((era, code), unit);
        }
    }

    // Decide what to write, in order; a unit may appear twice in a batch.
    let mut counts = ImportCounts::default();
    let (mut inserts, mut updates) = (Vec::new(), Vec::new());
    for unit in order {
        if let Some(parent) = &unit.parent_code {
            if !known.contains(&(unit.era, parent.clone())) {
                return Err(StoreError::MissingReference {
                    entity: ENTITY,
                    code: unit.code.clone(),
                    reference: "parent unit",
                    missing: parent.clone(),
                });
            }
        }
        let key = (unit.era, unit.code.clone());
        match stored.get(&key) {
            None => {
                counts.created += 1;
                inserts.push(unit);
            }
            Some(old) if old == unit => counts.unchanged += 1,
            Some(_) => {
                counts.updated += 1;
                updates.push(unit);
            }
        }
        known.insert(key.clone());
        stored.insert(key, unit.clone());
    }

    // New units first (parents before children): an update may name a new parent.
    sql::insert_many(&mut tx, INSERT, INSERT_WIDTH, &inserts, |q, u| {
        bind_unit(q, u)
    })
    .await
    .map_err(|e| write_error(e, ENTITY, ""))?;
    for unit in updates {
        bind_unit(sqlx::query(UPDATE), unit)
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error(e, ENTITY, &unit.code))?;
    }
    tx.commit().await.map_err(backend_error)?;
    Ok(counts)
}

pub(crate) async fn get(
    store: &SqlStore,
    era: Era,
    code: &str,
) -> Result<Option<AdminUnit>, StoreError> {
    let query = format!("SELECT {COLUMNS} FROM admin_units WHERE era = $1 AND code = $2");
    sqlx::query(&query)
        .bind(era.as_str())
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
    filter: &AdminUnitFilter,
) -> Result<Page<AdminUnit>, StoreError> {
    let mut w = Where::default();
    w.eq("era", filter.era.unwrap_or(Era::Current).as_str());
    match (&filter.parent_code, filter.level) {
        (Some(parent), _) => w.eq("parent_code", parent.as_str()),
        // Neither a parent nor a level: the provinces.
        (None, None) => w.eq("level", UnitLevel::Province.as_str()),
        (None, Some(_)) => {}
    }
    if let Some(level) = filter.level {
        w.eq("level", level.as_str());
    }
    if let Some(name) = filter.name_folded.as_deref().map(fold) {
        w.contains("name_folded", &name);
    }
    let list = ListQuery {
        table: "admin_units",
        columns: COLUMNS,
        order_by: "code",
    };
    fetch_page(store, &list, &w, filter.page, decode).await
}

pub(crate) async fn count(store: &SqlStore, era: Era) -> Result<u64, StoreError> {
    sql::count(
        store,
        "SELECT COUNT(*) AS n FROM admin_units WHERE era = $1",
        Some(era.as_str()),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, full_name: &str) -> AdminUnit {
        AdminUnit {
            code: "00004".into(),
            era: Era::Current,
            level: UnitLevel::Commune,
            kind: UnitKind::Ward,
            name: name.into(),
            full_name: full_name.into(),
            name_en: None,
            full_name_en: None,
            parent_code: Some("01".into()),
            province_code: "01".into(),
        }
    }

    #[test]
    fn folded_name_covers_full_and_short_name() {
        assert_eq!(
            folded_name(&unit("Ba Đình", "Phường Ba Đình")),
            "phuong ba dinh"
        );
        assert_eq!(
            folded_name(&unit("Ba Đình", "Phường 1")),
            "phuong 1 | ba dinh"
        );
    }

    #[test]
    fn parents_sort_first() {
        let mut levels = [UnitLevel::Commune, UnitLevel::Province, UnitLevel::District];
        levels.sort_by_key(|l| level_rank(*l));
        assert_eq!(
            levels,
            [UnitLevel::Province, UnitLevel::District, UnitLevel::Commune]
        );
    }
}
