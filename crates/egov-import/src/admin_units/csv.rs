//! Unit lists in CSV: thanglequoc's tables, the GSO 1027 commune list and the
//! GSO 915 province list.

use egov_domain::{AdminUnit, Era, UnitKind, UnitLevel};

use super::{build, level_from_parents, strip_kind, RawUnit};
use crate::input::Table;
use crate::ImportError;

pub(super) fn read(bytes: &[u8], era: Era) -> Result<Vec<AdminUnit>, ImportError> {
    let table = Table::read(bytes)?;
    if table.has("ma so") {
        read_gso_provinces(&table, era)
    } else {
        read_unit_table(&table, era)
    }
}

/// thanglequoc lists and GSO 1027: `code`, `name` and/or `full_name`, parent columns.
fn read_unit_table(table: &Table, era: Era) -> Result<Vec<AdminUnit>, ImportError> {
    table.require(&["code"])?;
    if !table.has("full_name") && !table.has("name") {
        return Err(ImportError::line(
            1,
            "missing required column `full_name` (or `name`)",
        ));
    }
    let level = level_from_parents(era, table.has("province_code"), table.has("district_code"));
    let text = |r: &csv::StringRecord, c: &str| table.get(r, c).map(str::to_owned);
    table
        .rows
        .iter()
        .map(|(line, r)| {
            let raw = RawUnit {
                code: table.get(r, "code").unwrap_or_default().to_owned(),
                name: text(r, "name"),
                full_name: text(r, "full_name"),
                name_en: text(r, "name_en"),
                full_name_en: text(r, "full_name_en"),
                unit_type_id: text(r, "administrative_unit_id"),
                province_code: text(r, "province_code"),
                district_code: text(r, "district_code"),
                level: Some(level),
            };
            build(raw, era).map_err(|reason| ImportError::line(*line, reason))
        })
        .collect()
}

/// GSO 915 (`Stt, Mã số, Tên 34 tỉnh sau sáp nhập`): provinces are listed by
/// bare name ("Cao Bằng"), central cities with their type ("Thành phố Huế").
fn read_gso_provinces(table: &Table, era: Era) -> Result<Vec<AdminUnit>, ImportError> {
    let name_column = table
        .column_starting("ten")
        .ok_or_else(|| ImportError::line(1, "missing required column `Tên`"))?
        .to_owned();
    table
        .rows
        .iter()
        .map(|(line, r)| {
            let published = table.get(r, &name_column).unwrap_or_default();
            let full_name = match UnitKind::from_full_name(published, era) {
                Some(_) => published.to_owned(),
                None if published.is_empty() => String::new(),
                None => format!("Tỉnh {published}"),
            };
            let raw = RawUnit {
                code: table.get(r, "ma so").unwrap_or_default().to_owned(),
                name: Some(strip_kind(&full_name)),
                full_name: Some(full_name),
                level: Some(UnitLevel::Province),
                ..RawUnit::default()
            };
            build(raw, era).map_err(|reason| ImportError::line(*line, reason))
        })
        .collect()
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

    #[test]
    fn thanglequoc_pre_2025_tiers() {
        let provinces = read_ok(
            "code,name,name_en,full_name,full_name_en,code_name,administrative_unit_id,administrative_region_id\n01,Hà Nội,Ha Noi,Thành phố Hà Nội,Ha Noi City,ha_noi,1,3\n",
            Era::Pre2025,
        );
        assert_eq!(provinces[0].kind, UnitKind::CentralCity);
        assert_eq!(provinces[0].parent_code, None);
        assert_eq!(provinces[0].province_code, "01");
        let districts = read_ok(
            "code,name,name_en,full_name,full_name_en,code_name,province_code,administrative_unit_id\n001,Ba Đình,Ba Dinh,Quận Ba Đình,Ba Dinh District,ba_dinh,01,5\n",
            Era::Pre2025,
        );
        assert_eq!(
            (districts[0].level, districts[0].kind),
            (UnitLevel::District, UnitKind::UrbanDistrict)
        );
        let wards = read_ok(
            "code,name,name_en,full_name,full_name_en,code_name,district_code,administrative_unit_id,province_code\n00001,Phúc Xá,Phuc Xa,Phường Phúc Xá,Phuc Xa Ward,phuc_xa,001,8,01\n",
            Era::Pre2025,
        );
        assert_eq!(wards[0].parent_code.as_deref(), Some("001"));
        assert_eq!(wards[0].province_code, "01");
        assert_eq!(wards[0].name_en.as_deref(), Some("Phuc Xa"));
    }

    #[test]
    fn thanglequoc_current_communes() {
        let wards = read_ok(
            "code,name,name_en,full_name,full_name_en,code_name,province_code,administrative_unit_id\n26732,Côn Đảo,Con Dao,Đặc khu Côn Đảo,Con Dao Special Zone,con_dao,79,5\n",
            Era::Current,
        );
        assert_eq!(wards[0].kind, UnitKind::SpecialZone);
        assert_eq!(wards[0].parent_code.as_deref(), Some("79"));
    }

    #[test]
    fn gso_lists() {
        let communes = read_ok(
            "stt,code,full_name,province_name_as_published,province_code\n1,00070,Phường Hoàn Kiếm,Thành phố Hà Nội,01\n",
            Era::Current,
        );
        assert_eq!(
            (communes[0].name.as_str(), communes[0].kind),
            ("Hoàn Kiếm", UnitKind::Ward)
        );
        let provinces = read_ok(
            "Stt,Mã số,Tên 34 tỉnh sau sáp nhập\n1,01,Thành phố Hà Nội\n2,04,Cao Bằng\n",
            Era::Current,
        );
        assert_eq!(provinces[1].full_name, "Tỉnh Cao Bằng");
        assert_eq!(provinces[1].name, "Cao Bằng");
        assert_eq!(provinces[0].kind, UnitKind::CentralCity);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            read_err("name,full_name\nHà Nội,Thành phố Hà Nội\n", Era::Current),
            "line 1: missing required column `code`"
        );
        assert_eq!(
            read_err("code,full_name,province_code,administrative_unit_id\n00004,Phường Ba Đình,01,3\n00008,Phường Ngọc Hà,01,x\n", Era::Current),
            "line 3: administrative_unit_id `x` is not a number"
        );
        let bad_code = read_err(
            "code,full_name,province_code\n00004,Phường Ba Đình,01\n8,Phường Ngọc Hà,01\n",
            Era::Current,
        );
        assert!(bad_code.starts_with("line 3: code: `8`"), "{bad_code}");
        let no_parent = read_err(
            "code,full_name,province_code\n00004,Phường Ba Đình,\n",
            Era::Current,
        );
        assert!(
            no_parent.starts_with("line 2: province_code is missing"),
            "{no_parent}"
        );
        assert_eq!(
            read_err("Stt,Mã số\n1,01\n", Era::Current),
            "line 1: missing required column `Tên`"
        );
        assert_eq!(
            read_err(
                "code,full_name\n01,T\u{1ec9}nh H\u{e0}\n02,\"x\n",
                Era::Current
            )
            .split(':')
            .next(),
            Some("line 3")
        );
    }

    #[test]
    fn bad_utf8_names_its_line() {
        let err = read(b"code,full_name\n01,Th\xe0nh ph\xf4\n", Era::Current).err();
        assert_eq!(err.map(|e| e.location), Some("line 2".to_owned()));
    }
}
