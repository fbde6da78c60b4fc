//! Small hand-made records for the storage tests.

use egov_domain::{
    AdminUnit, Agency, AgencyKind, Era, Procedure, ProcedureCode, UnitKind, UnitLevel,
    UnitSuccession,
};

pub fn unit(era: Era, code: &str, kind: UnitKind, name: &str, parent: Option<&str>) -> AdminUnit {
    let prefix = match kind {
        UnitKind::CentralCity => "Thành phố",
        UnitKind::Province => "Tỉnh",
        UnitKind::UrbanDistrict => "Quận",
        UnitKind::RuralDistrict => "Huyện",
        UnitKind::Ward => "Phường",
        UnitKind::Commune => "Xã",
        UnitKind::SpecialZone => "Đặc khu",
        _ => "Đơn vị",
    };
    let province = match parent {
        None => code.to_owned(),
        Some(p) if p.len() == 2 => p.to_owned(),
        // Districts of the fixtures sit in province 01.
        Some(_) => "01".to_owned(),
    };
    AdminUnit {
        code: code.into(),
        era,
        level: kind.level(),
        kind,
        name: name.into(),
        full_name: format!("{prefix} {name}"),
        name_en: None,
        full_name_en: None,
        parent_code: parent.map(Into::into),
        province_code: province,
    }
}

/// Current units, children listed before their parents on purpose.
pub fn current_units() -> Vec<AdminUnit> {
    use UnitKind::*;
    let c = Era::Current;
    vec![
        unit(c, "00008", Ward, "Ngọc Hà", Some("01")),
        unit(c, "00004", Ward, "Ba Đình", Some("01")),
        unit(c, "26734", Ward, "Bến Thành", Some("79")),
        unit(c, "00250", Commune, "Sóc Sơn", Some("01")),
        unit(c, "79", CentralCity, "Hồ Chí Minh", None),
        unit(c, "01", CentralCity, "Hà Nội", None),
        unit(c, "31", CentralCity, "Hải Phòng", None),
    ]
}

/// Pre-2025 units (three tiers), children first.
pub fn old_units() -> Vec<AdminUnit> {
    use UnitKind::*;
    let o = Era::Pre2025;
    vec![
        unit(o, "00001", Ward, "Phúc Xá", Some("001")),
        unit(o, "00004", Ward, "Trúc Bạch", Some("001")),
        unit(o, "001", UrbanDistrict, "Ba Đình", Some("01")),
        unit(o, "01", CentralCity, "Hà Nội", None),
    ]
}

pub fn link(old: &str, old_level: UnitLevel, new: &str, partial: bool) -> UnitSuccession {
    UnitSuccession {
        old_code: old.into(),
        old_level,
        new_code: new.into(),
        new_level: if new.len() == 2 {
            UnitLevel::Province
        } else {
            UnitLevel::Commune
        },
        partial,
    }
}

pub fn agency(
    code: &str,
    name: &str,
    kind: AgencyKind,
    parent: Option<&str>,
    unit: Option<&str>,
) -> Agency {
    Agency {
        code: code.into(),
        name: name.into(),
        kind,
        parent_code: parent.map(Into::into),
        admin_unit_code: unit.map(Into::into),
    }
}

/// An agency tree, children first.
pub fn agencies() -> Vec<Agency> {
    use AgencyKind::*;
    vec![
        agency(
            "000.00.04.H26",
            "UBND Phường Ba Đình",
            CommuneCommittee,
            Some("000.00.00.H26"),
            Some("00004"),
        ),
        agency(
            "000.00.12.H26",
            "Sở Tư pháp Hà Nội",
            Department,
            Some("000.00.00.H26"),
            Some("01"),
        ),
        agency(
            "000.00.00.H26",
            "UBND Thành phố Hà Nội",
            ProvincialCommittee,
            None,
            Some("01"),
        ),
        agency("000.00.00.G06", "Bộ Tư pháp", Ministry, None, None),
        agency(
            "000.00.01.G06",
            "Cục Hộ tịch, quốc tịch, chứng thực",
            MinistryUnit,
            Some("000.00.00.G06"),
            None,
        ),
    ]
}

pub fn code(s: &str) -> ProcedureCode {
    ProcedureCode::parse(s).expect("valid code")
}

pub fn procedure(c: &str, name: &str) -> Procedure {
    Procedure::minimal(code(c), name.into(), "Hộ tịch".into())
}
