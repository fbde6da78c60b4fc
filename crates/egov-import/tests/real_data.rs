//! The readers over the real files in shared/data (skipped when absent).

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use egov_domain::{
    AdminUnit, Channel, Era, OnlineMode, Procedure, ProcessingTime, Tier, TimeUnit, UnitKind,
    UnitLevel, Vnd,
};
use egov_import::{read_admin_units, read_procedures, read_successions, Format};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

/// The file's bytes, or `None` (with a note) when shared/data is not there.
fn data(path: &str) -> Option<Vec<u8>> {
    let full = PathBuf::from(DATA).join(path);
    match std::fs::read(&full) {
        Ok(bytes) => Some(bytes),
        Err(_) => {
            eprintln!("skipped: {} not found", full.display());
            None
        }
    }
}

fn units(path: &str, format: Format, era: Era) -> Option<Vec<AdminUnit>> {
    let bytes = data(&format!("admin-units/{path}"))?;
    Some(read_admin_units(&bytes, format, era).unwrap_or_else(|e| panic!("{path}: {e}")))
}

fn count_kinds(units: &[AdminUnit]) -> HashMap<UnitKind, usize> {
    let mut counts = HashMap::new();
    for u in units {
        *counts.entry(u.kind).or_insert(0) += 1;
    }
    counts
}

#[test]
fn pre_2025_units() {
    let Some(provinces) = units("pre-2025/provinces.csv", Format::Csv, Era::Pre2025) else {
        return;
    };
    let Some(districts) = units("pre-2025/districts.csv", Format::Csv, Era::Pre2025) else {
        return;
    };
    let Some(communes) = units("pre-2025/wards.csv", Format::Csv, Era::Pre2025) else {
        return;
    };
    assert_eq!(
        (provinces.len(), districts.len(), communes.len()),
        (63, 696, 10_035)
    );
    // Huế became the sixth centrally-run city on 1 January 2025.
    assert_eq!(
        count_kinds(&provinces).get(&UnitKind::CentralCity),
        Some(&6)
    );
    let kinds = count_kinds(&communes);
    assert_eq!(kinds.get(&UnitKind::Ward), Some(&1_726));
    assert_eq!(kinds.get(&UnitKind::Township), Some(&617));
    assert_eq!(kinds.get(&UnitKind::Commune), Some(&7_692));
    assert_eq!(
        count_kinds(&districts).get(&UnitKind::RuralDistrict),
        Some(&508)
    );
    let phuc_xa = communes.iter().find(|u| u.code == "00001");
    assert_eq!(
        phuc_xa.map(|u| (
            u.full_name.as_str(),
            u.parent_code.as_deref(),
            u.province_code.as_str()
        )),
        Some(("Phường Phúc Xá", Some("001"), "01"))
    );
    let district_codes: BTreeSet<&str> = districts.iter().map(|d| d.code.as_str()).collect();
    assert!(communes.iter().all(|c| c
        .parent_code
        .as_deref()
        .is_some_and(|p| district_codes.contains(p))));
}

#[test]
fn current_units_from_every_source() {
    let Some(provinces) = units("2025/provinces.csv", Format::Csv, Era::Current) else {
        return;
    };
    let Some(communes) = units("2025/wards.csv", Format::Csv, Era::Current) else {
        return;
    };
    assert_eq!((provinces.len(), communes.len()), (34, 3_321));
    let kinds = count_kinds(&communes);
    assert_eq!(
        (
            kinds.get(&UnitKind::Ward),
            kinds.get(&UnitKind::Commune),
            kinds.get(&UnitKind::SpecialZone)
        ),
        (Some(&687), Some(&2_621), Some(&13))
    );
    assert!(communes.iter().all(|c| c.level == UnitLevel::Commune
        && c.parent_code.as_deref() == Some(c.province_code.as_str())));

    let Some(gso_provinces) = units(
        "2025/official-gso/gso_915_CTK-CSCL_provinces.csv",
        Format::Csv,
        Era::Current,
    ) else {
        return;
    };
    let Some(gso_communes) = units(
        "2025/official-gso/gso_1027_CTK-CSCL_communes.csv",
        Format::Csv,
        Era::Current,
    ) else {
        return;
    };
    assert_eq!((gso_provinces.len(), gso_communes.len()), (34, 3_321));
    let codes = |us: &[AdminUnit]| us.iter().map(|u| u.code.clone()).collect::<BTreeSet<_>>();
    assert_eq!(codes(&gso_provinces), codes(&provinces));
    // SOURCES.md: the two lists differ in exactly two commune codes.
    assert_eq!(
        codes(&gso_communes).difference(&codes(&communes)).count(),
        2
    );
    let hue = gso_provinces.iter().find(|u| u.code == "46");
    assert_eq!(
        hue.map(|u| (u.kind, u.name.as_str())),
        Some((UnitKind::CentralCity, "Huế"))
    );

    let Some(nested) = units(
        "2025/vn_units_simplified.v3.0.2.min.json",
        Format::Json,
        Era::Current,
    ) else {
        return;
    };
    assert_eq!(nested.len(), 34 + 3_321);
    let flat: Vec<AdminUnit> = provinces.iter().chain(&communes).cloned().collect();
    let without_en = |us: &[AdminUnit]| {
        us.iter()
            .map(|u| (u.code.clone(), u.kind.as_str(), u.parent_code.clone()))
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(without_en(&nested), without_en(&flat));
}

#[test]
fn mappings() {
    let Some(old_to_new) = data("admin-units/2025-mapping/commune_old_to_new.csv") else {
        return;
    };
    let Some(new_to_old) = data("admin-units/2025-mapping/commune_new_to_old.csv") else {
        return;
    };
    let Some(provinces) = data("admin-units/2025-mapping/province_old_to_new.csv") else {
        return;
    };
    let read = |b: &[u8]| read_successions(b, Format::Csv).unwrap_or_else(|e| panic!("{e}"));
    let (a, b, p) = (read(&old_to_new), read(&new_to_old), read(&provinces));
    assert_eq!((a.len(), b.len(), p.len()), (10_599, 10_604, 63));
    assert_eq!(a.iter().filter(|s| s.partial).count(), 1_012);
    assert_eq!(b.iter().filter(|s| s.partial).count(), 1_012);
    let islands: BTreeSet<&str> = b
        .iter()
        .filter(|s| s.old_level == UnitLevel::District)
        .map(|s| s.old_code.as_str())
        .collect();
    assert_eq!(islands, BTreeSet::from(["318", "471", "498", "536", "755"]));
    assert!(p
        .iter()
        .all(|s| s.old_level == UnitLevel::Province && s.new_level == UnitLevel::Province));
    let ha_giang = p.iter().find(|s| s.old_code == "02");
    assert_eq!(ha_giang.map(|s| s.new_code.as_str()), Some("08"));
}

fn procedures(path: &str, format: Format) -> Option<Vec<Procedure>> {
    let bytes = data(&format!("procedures/{path}"))?;
    Some(read_procedures(&bytes, format).unwrap_or_else(|e| panic!("{path}: {e}")))
}

/// The details file, read once for every test that needs it.
fn details() -> Option<&'static [Procedure]> {
    static DETAILS: OnceLock<Option<Vec<Procedure>>> = OnceLock::new();
    DETAILS
        .get_or_init(|| procedures("tthc_details.jsonl", Format::JsonLines))
        .as_deref()
}

fn by_code<'a>(all: &'a [Procedure], code: &str) -> &'a Procedure {
    all.iter()
        .find(|p| p.code.as_str() == code)
        .unwrap_or_else(|| panic!("{code} missing"))
}

#[test]
fn procedure_details_jsonl() {
    let Some(all) = details() else { return };
    assert_eq!(all.len(), 2_642);
    let days = |amount| {
        Some(ProcessingTime {
            amount,
            unit: TimeUnit::WorkingDays,
        })
    };

    let account = by_code(all, "1.000236");
    assert_eq!(account.tiers, [Tier::Central]);
    assert_eq!(account.online_mode, OnlineMode::Partial);
    assert_eq!(account.processing_time, days(3));
    assert_eq!(account.lowest_fee(), Some(Vnd::ZERO));

    let card = by_code(all, "1.000889");
    let in_person = card
        .channels
        .iter()
        .find(|c| c.channel == Channel::InPerson);
    assert_eq!(
        in_person.map(|c| (c.fee_text.as_str(), c.fees[0].amount)),
        Some(("50,000 Việt Nam Đồng", Vnd(50_000)))
    );
    assert_eq!(in_person.and_then(|c| c.processing_time), days(7));

    let household = by_code(all, "1.001612");
    assert_eq!(household.tiers, [Tier::Central, Tier::Commune]);
    assert_eq!(household.lowest_fee(), Some(Vnd(50_000)));
    assert_eq!(household.processing_time, None);

    let stay = by_code(all, "1.000771");
    let online = stay.channels.iter().find(|c| c.channel == Channel::Online);
    assert_eq!(
        online.map(|c| (c.fee_text.as_str(), c.fees.is_empty())),
        Some(("10 USD", true))
    );

    let recruit = by_code(all, "1.004030");
    assert_eq!(
        recruit.processing_time,
        Some(ProcessingTime {
            amount: 3,
            unit: TimeUnit::Months
        })
    );

    let complaint = by_code(all, "1.000178");
    assert_eq!(complaint.processing_time, days(60));
    assert_eq!(complaint.required_documents.len(), 8);
    assert!(complaint
        .required_documents
        .iter()
        .all(|d| (d.originals, d.copies) == (1, 0)));
    assert_eq!(
        complaint.required_documents[1].name,
        "Quyết định giải quyết khiếu nại"
    );
    assert_eq!(complaint.steps.len(), 5);
    assert!(complaint.steps[0].starts_with("Thụ lý giải quyết khiếu nại"));
    assert!(
        complaint
            .legal_basis
            .iter()
            .any(|l| l == "Luật Khiếu nại năm 2011 (02/2011/QH13)"),
        "{:?}",
        complaint.legal_basis
    );
    assert!(complaint
        .legal_basis_text
        .starts_with("Tên văn bản pháp lý"));

    // No source says "toàn trình": nothing is guessed fully online.
    assert!(all.iter().all(|p| p.online_mode != OnlineMode::Full));
    let parsed_documents = all
        .iter()
        .filter(|p| !p.required_documents.is_empty())
        .count();
    assert!(parsed_documents > 2_500, "{parsed_documents}");
}

#[test]
fn catalogue_csv_matches_the_details() {
    let Some(csv) = procedures("tthc_catalogue.csv", Format::Csv) else {
        return;
    };
    let Some(jsonl) = details() else { return };
    assert_eq!(csv.len(), 2_642);
    let codes = |all: &[Procedure]| all.iter().map(|p| p.code.clone()).collect::<BTreeSet<_>>();
    assert_eq!(codes(&csv), codes(jsonl));
    let account = by_code(&csv, "1.000236");
    assert_eq!(account.channels.len(), 3);
    assert_eq!(
        account.processing_time,
        Some(ProcessingTime {
            amount: 3,
            unit: TimeUnit::WorkingDays
        })
    );
    assert_eq!(account.issuing_agency.as_deref(), Some("Bộ Công an"));
    let same_tiers = csv
        .iter()
        .filter(|p| by_code(jsonl, p.code.as_str()).tiers == p.tiers)
        .count();
    assert_eq!(same_tiers, 2_642);
}

#[test]
fn portal_excel_exports() {
    let files = [
        ("BoCongAn", 339),
        ("BoTaiChinh", 706),
        ("BoTuPhap", 271),
        ("BoXayDung", 525),
        ("NganhangNhanuocVietNam", 261),
        ("NongNghiepvaMoiTruong", 537),
        ("ToaAnNhanDan", 3),
    ];
    let mut codes = BTreeSet::new();
    for (name, rows) in files {
        let Some(all) = procedures(
            &format!("official-lists/danh-sach-tthc-{name}.xlsx"),
            Format::Xlsx,
        ) else {
            return;
        };
        assert_eq!(all.len(), rows, "{name}");
        codes.extend(all.iter().map(|p| p.code.clone()));
        if name == "BoTuPhap" {
            let p = by_code(&all, "1.014966");
            assert_eq!(p.issuing_agency.as_deref(), Some("Bộ Tư pháp"));
            assert_eq!(p.field, "Quản tài viên");
            assert_eq!(p.implementing_agencies.len(), 2);
        }
    }
    assert_eq!(codes.len(), 2_642);
}
