//! Unit lists in JSON: flat snake_case records, the nested simplified file
//! (PascalCase keys, children in `Wards` / `Districts`), or `AdminUnit` itself.

use egov_domain::{AdminUnit, Era, UnitLevel};
use serde_json::{Map, Value};

use super::{build, level_from_parents, RawUnit};
use crate::input::{from_record, json_array, value_text};
use crate::ImportError;

pub(super) fn read(bytes: &[u8], era: Era) -> Result<Vec<AdminUnit>, ImportError> {
    let mut out = Vec::new();
    for (index, value) in json_array(bytes)?.into_iter().enumerate() {
        let Value::Object(object) = value else {
            return Err(ImportError::record(index, "expected an object"));
        };
        let place = format!("record {}", index + 1);
        if ["era", "level", "kind"]
            .iter()
            .any(|k| object.contains_key(*k))
        {
            let unit: AdminUnit = from_record(Value::Object(object), index)?;
            unit.validate()
                .map_err(|e| ImportError::new(&place, e.to_string()))?;
            out.push(unit);
        } else if object.contains_key("Code") {
            let top = Node {
                level: UnitLevel::Province,
                parents: Parents::default(),
                place,
            };
            read_nested(&object, era, &top, &mut out)?;
        } else {
            let raw = flat_record(&object, era).map_err(|r| ImportError::new(&place, r))?;
            out.push(build(raw, era).map_err(|r| ImportError::new(&place, r))?);
        }
    }
    Ok(out)
}

/// A flat record with thanglequoc's snake_case keys; its level follows from
/// the parent keys it has, like a CSV file's columns.
fn flat_record(object: &Map<String, Value>, era: Era) -> Result<RawUnit, String> {
    let text = |key: &str| object.get(key).map_or(Ok(None), |v| value_text(v, key));
    let province_code = text("province_code")?;
    let district_code = text("district_code")?;
    let level = level_from_parents(era, province_code.is_some(), district_code.is_some());
    Ok(RawUnit {
        code: text("code")?.ok_or("`code` is missing")?,
        name: text("name")?,
        full_name: text("full_name")?,
        name_en: text("name_en")?,
        full_name_en: text("full_name_en")?,
        unit_type_id: text("administrative_unit_id")?,
        province_code,
        district_code,
        level: Some(level),
    })
}

#[derive(Default, Clone)]
struct Parents {
    province: Option<String>,
    district: Option<String>,
}

/// Where a node of the nested file sits: its level (by the key that holds
/// it: top, `Districts` or `Wards`), its parents and its place for errors.
struct Node {
    level: UnitLevel,
    parents: Parents,
    place: String,
}

/// One node of the nested file and its children.
fn read_nested(
    object: &Map<String, Value>,
    era: Era,
    node: &Node,
    out: &mut Vec<AdminUnit>,
) -> Result<(), ImportError> {
    let (level, parents) = (node.level, &node.parents);
    let fail = |reason: String| ImportError::new(&node.place, reason);
    let text = |key: &str| {
        object
            .get(key)
            .map_or(Ok(None), |v| value_text(v, key))
            .map_err(fail)
    };
    let code = text("Code")?.ok_or_else(|| fail("`Code` is missing".into()))?;
    let raw = RawUnit {
        code: code.clone(),
        name: text("Name")?,
        full_name: text("FullName")?,
        name_en: text("NameEn")?,
        full_name_en: text("FullNameEn")?,
        unit_type_id: text("AdministrativeUnitId")?,
        province_code: parents.province.clone().or(text("ProvinceCode")?),
        district_code: parents.district.clone().or(text("DistrictCode")?),
        level: Some(level),
    };
    out.push(build(raw, era).map_err(fail)?);
    let mut below = parents.clone();
    match level {
        UnitLevel::Province => below.province = Some(code),
        UnitLevel::District => below.district = Some(code),
        UnitLevel::Commune => return Ok(()),
    }
    for (key, child_level) in [
        ("Districts", UnitLevel::District),
        ("Wards", UnitLevel::Commune),
    ] {
        let children = match object.get(key) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(children)) => children,
            Some(_) => return Err(fail(format!("`{key}` must be an array"))),
        };
        for (i, child) in children.iter().enumerate() {
            let child_place = format!("{}, {key} {}", node.place, i + 1);
            let Value::Object(child) = child else {
                return Err(ImportError::new(child_place, "expected an object"));
            };
            let child_node = Node {
                level: child_level,
                parents: below.clone(),
                place: child_place,
            };
            read_nested(child, era, &child_node, out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use egov_domain::UnitKind;

    fn read_ok(text: &str, era: Era) -> Vec<AdminUnit> {
        read(text.as_bytes(), era).unwrap_or_else(|e| panic!("{e}"))
    }

    fn read_err(text: &str, era: Era) -> String {
        read(text.as_bytes(), era)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    const NESTED: &str = r#"[{"Code":"01","Name":"Hà Nội","NameEn":"Ha Noi","FullName":"Thành phố Hà Nội","FullNameEn":"Ha Noi City","CodeName":"ha_noi","Wards":[{"Code":"00004","Name":"Ba Đình","NameEn":"Ba Dinh","FullName":"Phường Ba Đình","FullNameEn":"Ba Dinh Ward","CodeName":"ba_dinh","ProvinceCode":"01"}]}]"#;

    #[test]
    fn nested_simplified_file() {
        let units = read_ok(NESTED, Era::Current);
        assert_eq!(units.len(), 2);
        assert_eq!(
            (units[0].level, units[0].kind),
            (UnitLevel::Province, UnitKind::CentralCity)
        );
        assert_eq!(units[1].parent_code.as_deref(), Some("01"));
        assert_eq!(units[1].kind, UnitKind::Ward);
    }

    #[test]
    fn nested_pre_2025_file_has_districts() {
        let text = r#"[{"Code":"01","FullName":"Thành phố Hà Nội","Districts":[{"Code":"001","FullName":"Quận Ba Đình","Wards":[{"Code":"00001","FullName":"Phường Phúc Xá"}]}]}]"#;
        let units = read_ok(text, Era::Pre2025);
        let levels: Vec<UnitLevel> = units.iter().map(|u| u.level).collect();
        assert_eq!(
            levels,
            [UnitLevel::Province, UnitLevel::District, UnitLevel::Commune]
        );
        assert_eq!(units[2].parent_code.as_deref(), Some("001"));
        assert_eq!(units[2].province_code, "01");
    }

    #[test]
    fn flat_records_and_serde_form() {
        let flat = read_ok(
            r#"[{"code":"00004","name":"Ba Đình","full_name":"Phường Ba Đình","province_code":"01","administrative_unit_id":3}]"#,
            Era::Current,
        );
        assert_eq!(
            (flat[0].kind, flat[0].province_code.as_str()),
            (UnitKind::Ward, "01")
        );
        let serde_form = serde_json::to_string(&flat).unwrap_or_default();
        // Serde form keeps its own era even when the caller says otherwise.
        assert_eq!(read_ok(&serde_form, Era::Pre2025), flat);
    }

    #[test]
    fn errors_name_the_record() {
        assert_eq!(
            read_err(r#"[{"code":"01","full_name":"Tỉnh A"}, 3]"#, Era::Current),
            "record 2: expected an object"
        );
        assert_eq!(
            read_err(
                r#"[{"code":"01","full_name":"Tỉnh A"},{"full_name":"Tỉnh B"}]"#,
                Era::Current
            ),
            "record 2: `code` is missing"
        );
        let nested = NESTED.replace("\"00004\"", "\"4\"");
        assert!(read_err(&nested, Era::Current).starts_with("record 1, Wards 1: code"));
        let serde_bad = r#"[{"code":"01","era":"current","level":"province","kind":"planet","name":"A","full_name":"A","name_en":null,"full_name_en":null,"parent_code":null,"province_code":"01"}]"#;
        assert!(read_err(serde_bad, Era::Current).starts_with("record 1: unknown variant `planet`"));
        assert!(read_err(r#"[{"code":["01"]}]"#, Era::Current).contains("`code` must be text"));
        assert_eq!(
            read_err("[", Era::Current).split(':').next(),
            Some("line 1, column 1")
        );
    }
}
