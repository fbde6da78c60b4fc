//! Administrative units (đơn vị hành chính) from unit lists.
//!
//! Every source is turned into a [`RawUnit`] (the text of one row plus the
//! level the file's shape implies) and then into a validated [`AdminUnit`].

mod csv;
mod json;

use egov_domain::text::{clean, fold};
use egov_domain::{AdminUnit, Era, UnitKind, UnitLevel};

use crate::{Format, ImportError};

/// Reads administrative units of `era`.
///
/// * CSV: the thanglequoc lists (`code,name,…,[province_code],[district_code],administrative_unit_id`),
///   the GSO 1027 commune list (`stt,code,full_name,…,province_code`) and the
///   GSO 915 province list (`Stt,Mã số,Tên …`).
/// * JSON: an array of records with the same snake_case keys, the nested
///   simplified file (PascalCase keys, children in `Wards`/`Districts`), or
///   records in the serde form of [`AdminUnit`] (taken as they are, era included).
///
/// The kind comes from `administrative_unit_id` read with the era's table,
/// else from the type word that starts the full name.
pub fn read_admin_units(
    bytes: &[u8],
    format: Format,
    era: Era,
) -> Result<Vec<AdminUnit>, ImportError> {
    match format {
        Format::Csv => csv::read(bytes, era),
        Format::Json => json::read(bytes, era),
        Format::JsonLines | Format::Xlsx => {
            Err(ImportError::unsupported(format, "administrative units"))
        }
    }
}

/// One unit as text, before it is checked.
#[derive(Debug, Default, Clone)]
pub(crate) struct RawUnit {
    pub code: String,
    pub name: Option<String>,
    pub full_name: Option<String>,
    pub name_en: Option<String>,
    pub full_name_en: Option<String>,
    /// `administrative_unit_id` of the source's unit-type table.
    pub unit_type_id: Option<String>,
    pub province_code: Option<String>,
    pub district_code: Option<String>,
    /// The level the file's shape implies (parent columns, nesting), if any.
    pub level: Option<UnitLevel>,
}

/// The level a row has by which parent codes its file gives.
pub(crate) fn level_from_parents(era: Era, has_province: bool, has_district: bool) -> UnitLevel {
    match (has_district, has_province, era) {
        (true, _, _) => UnitLevel::Commune,
        (false, true, Era::Pre2025) => UnitLevel::District,
        (false, true, Era::Current) => UnitLevel::Commune,
        (false, false, _) => UnitLevel::Province,
    }
}

pub(crate) fn build(raw: RawUnit, era: Era) -> Result<AdminUnit, String> {
    let non_empty = |v: Option<String>| v.map(|s| clean(&s)).filter(|s| !s.is_empty());
    let full_name = non_empty(raw.full_name.clone())
        .or_else(|| non_empty(raw.name.clone()))
        .ok_or("full_name is missing")?;
    let kind = match raw
        .unit_type_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(id) => kind_from_id(era, id)?,
        None => kind_from_name(&full_name, era, raw.level)?,
    };
    let level = kind.level();
    if let Some(expected) = raw.level.filter(|l| *l != level) {
        return Err(format!(
            "a {} is a {}, but this file lists {}s",
            kind.as_str(),
            level.as_str(),
            expected.as_str()
        ));
    }
    let province_code = non_empty(raw.province_code);
    let parent_code = match (level, era) {
        (UnitLevel::Province, _) => None,
        (UnitLevel::Commune, Era::Pre2025) => Some(
            non_empty(raw.district_code)
                .ok_or("district_code is missing: a pre-2025 commune needs its district")?,
        ),
        _ => Some(
            province_code
                .clone()
                .ok_or("province_code is missing: the unit needs its province")?,
        ),
    };
    let province_code = match level {
        UnitLevel::Province => raw.code.clone(),
        _ => province_code.ok_or("province_code is missing")?,
    };
    let unit = AdminUnit {
        name: non_empty(raw.name).unwrap_or_else(|| strip_kind(&full_name)),
        code: raw.code.trim().to_owned(),
        era,
        level,
        kind,
        full_name,
        name_en: non_empty(raw.name_en),
        full_name_en: non_empty(raw.full_name_en),
        parent_code,
        province_code,
    };
    unit.validate().map_err(|e| e.to_string())?;
    Ok(unit)
}

/// Kind from the source's unit-type id (administrative_units.csv of each era).
fn kind_from_id(era: Era, id: &str) -> Result<UnitKind, String> {
    let n: u8 = id
        .parse()
        .map_err(|_| format!("administrative_unit_id `{id}` is not a number"))?;
    let kind = match (era, n) {
        (_, 1) => UnitKind::CentralCity,
        (_, 2) => UnitKind::Province,
        (Era::Pre2025, 3) => UnitKind::CityUnderCentralCity,
        (Era::Pre2025, 4) => UnitKind::ProvincialCity,
        (Era::Pre2025, 5) => UnitKind::UrbanDistrict,
        (Era::Pre2025, 6) => UnitKind::Town,
        (Era::Pre2025, 7) => UnitKind::RuralDistrict,
        (Era::Pre2025, 8) | (Era::Current, 3) => UnitKind::Ward,
        (Era::Pre2025, 9) => UnitKind::Township,
        (Era::Pre2025, 10) | (Era::Current, 4) => UnitKind::Commune,
        (Era::Current, 5) => UnitKind::SpecialZone,
        _ => {
            return Err(format!(
                "administrative_unit_id {n} is not a unit type of the {} era",
                era.as_str()
            ))
        }
    };
    Ok(kind)
}

fn kind_from_name(full_name: &str, era: Era, level: Option<UnitLevel>) -> Result<UnitKind, String> {
    let kind = UnitKind::from_full_name(full_name, era)
        .ok_or_else(|| format!("cannot tell the kind of unit from the name `{full_name}`"))?;
    // "Thành phố" below province level is a city of a province.
    Ok(match (kind, level) {
        (UnitKind::CentralCity, Some(UnitLevel::District)) => UnitKind::ProvincialCity,
        _ => kind,
    })
}

/// The name without its type words ("Thành phố Hà Nội" → "Hà Nội").
pub(crate) fn strip_kind(full_name: &str) -> String {
    let words: Vec<&str> = full_name.split_whitespace().collect();
    let first_two = fold(&words.iter().take(2).copied().collect::<Vec<_>>().join(" "));
    let first = words.first().map(|w| fold(w)).unwrap_or_default();
    let skip = if ["thanh pho", "thi xa", "thi tran", "dac khu"].contains(&first_two.as_str()) {
        2
    } else if ["tinh", "quan", "huyen", "phuong", "xa"].contains(&first.as_str()) {
        1
    } else {
        0
    };
    match words.get(skip..) {
        Some(rest) if !rest.is_empty() => rest.join(" "),
        _ => full_name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(code: &str, full_name: &str) -> RawUnit {
        RawUnit {
            code: code.into(),
            full_name: Some(full_name.into()),
            ..RawUnit::default()
        }
    }

    #[test]
    fn ids_follow_each_era_table() {
        assert_eq!(
            kind_from_id(Era::Pre2025, "3"),
            Ok(UnitKind::CityUnderCentralCity)
        );
        assert_eq!(kind_from_id(Era::Current, "3"), Ok(UnitKind::Ward));
        assert_eq!(kind_from_id(Era::Current, "5"), Ok(UnitKind::SpecialZone));
        assert_eq!(kind_from_id(Era::Pre2025, "10"), Ok(UnitKind::Commune));
        assert!(kind_from_id(Era::Current, "7").is_err_and(|e| e.contains("current")));
        assert!(kind_from_id(Era::Current, "x").is_err_and(|e| e.contains("not a number")));
    }

    #[test]
    fn kind_from_name_knows_provincial_cities() {
        let mut r = raw("764", "Thành phố Thủ Dầu Một");
        r.province_code = Some("74".into());
        r.level = Some(UnitLevel::District);
        let unit = build(r, Era::Pre2025).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(unit.kind, UnitKind::ProvincialCity);
        assert_eq!(unit.name, "Thủ Dầu Một");
        assert_eq!(unit.parent_code.as_deref(), Some("74"));
    }

    #[test]
    fn parents_per_era() {
        let mut r = raw("00004", "Phường Ba Đình");
        r.province_code = Some("01".into());
        r.district_code = Some("001".into());
        let current = build(r.clone(), Era::Current).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(current.parent_code.as_deref(), Some("01"));
        let old = build(r.clone(), Era::Pre2025).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(old.parent_code.as_deref(), Some("001"));
        r.district_code = None;
        assert!(build(r, Era::Pre2025).is_err_and(|e| e.contains("district_code")));
    }

    #[test]
    fn level_from_the_file_must_match_the_kind() {
        let mut r = raw("01", "Thành phố Hà Nội");
        r.unit_type_id = Some("1".into());
        r.level = Some(UnitLevel::Commune);
        assert!(build(r, Era::Current).is_err_and(|e| e.contains("lists communes")));
    }

    #[test]
    fn invalid_codes_and_names_are_refused() {
        assert!(
            build(raw("1", "Tỉnh Cao Bằng"), Era::Current).is_err_and(|e| e.starts_with("code"))
        );
        assert!(
            build(raw("04", "Cao Bằng"), Era::Current).is_err_and(|e| e.contains("kind of unit"))
        );
        assert!(build(raw("04", " "), Era::Current).is_err_and(|e| e.contains("full_name")));
    }

    #[test]
    fn type_words_are_stripped() {
        assert_eq!(strip_kind("Thành phố Hà Nội"), "Hà Nội");
        assert_eq!(strip_kind("Đặc khu Côn Đảo"), "Côn Đảo");
        assert_eq!(strip_kind("Xã Ba Vì"), "Ba Vì");
        assert_eq!(strip_kind("Hà Nội"), "Hà Nội");
        assert_eq!(strip_kind("Phường"), "Phường");
    }
}
