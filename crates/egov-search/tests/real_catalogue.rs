//! Searches over the real national catalogue extract (shared/data), when present.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // test helpers outside #[test] functions

use std::path::PathBuf;

use egov_domain::text::fold;
use egov_domain::{Procedure, ProcedureCode, Tier, UnitLevel};
use egov_search::{SearchIndex, SearchQuery, SearchResults, UnitScope};

fn catalogue_path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        .join("procedures/tthc_catalogue.csv")
}

fn tier(label: &str) -> Option<Tier> {
    match label.trim() {
        "Cấp bộ" => Some(Tier::Central),
        "Cấp tỉnh" => Some(Tier::Province),
        "Cấp huyện" => Some(Tier::District),
        "Cấp xã" => Some(Tier::Commune),
        "Cơ quan khác" => Some(Tier::Other),
        _ => None,
    }
}

/// Code, name, field and tiers of every procedure; `None` when the file is absent.
fn load() -> Option<Vec<Procedure>> {
    let path = catalogue_path();
    if !path.exists() {
        println!("skipped: {} not found", path.display());
        return None;
    }
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (code, name, field, level) = (
        column("ma_thu_tuc"),
        column("ten_thu_tuc"),
        column("linh_vuc"),
        column("cap_thuc_hien"),
    );
    let procedures = reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let mut p = Procedure::minimal(
                ProcedureCode::parse(&record[code]).unwrap(),
                record[name].to_owned(),
                record[field].to_owned(),
            );
            p.tiers = record[level].split(',').filter_map(tier).collect();
            p
        })
        .collect();
    Some(procedures)
}

fn search(index: &SearchIndex, query: SearchQuery) -> SearchResults {
    index.search(&SearchQuery { limit: 20, ..query }).unwrap()
}

fn text(t: &str) -> SearchQuery {
    SearchQuery {
        text: Some(t.into()),
        ..SearchQuery::default()
    }
}

#[test]
fn citizens_find_everyday_procedures_in_the_real_catalogue() {
    let Some(procedures) = load() else { return };
    assert!(procedures.len() > 2_000);
    let index = SearchIndex::new().unwrap();
    index.replace_all(&procedures).unwrap();
    assert_eq!(index.len(), procedures.len());

    let birth = search(&index, text("dang ky khai sinh"));
    let names: Vec<String> = birth.hits.iter().map(|h| fold(&h.name)).collect();
    assert!(names[0].contains("khai sinh"), "{names:#?}");
    // The plain birth registration is among the first few.
    let top: Vec<&str> = birth.hits.iter().take(3).map(|h| h.code.as_str()).collect();
    assert!(top.contains(&"1.001193"), "{top:?} {names:#?}");

    let id_card = search(&index, text("cap doi can cuoc"));
    let first = fold(&id_card.hits[0].name);
    assert!(
        first.contains("cap doi") && first.contains("can cuoc"),
        "{first}"
    );

    let typo = search(&index, text("dang ky ket hno"));
    assert!(
        fold(&typo.hits[0].name).contains("ket hon"),
        "{:?}",
        typo.hits[0]
    );

    let by_code = search(&index, text("1.000889"));
    assert_eq!(by_code.hits[0].code, "1.000889");
}

#[test]
fn a_province_scope_hides_commune_only_procedures_of_the_real_catalogue() {
    let Some(procedures) = load() else { return };
    let index = SearchIndex::new().unwrap();
    index.replace_all(&procedures).unwrap();
    let province = UnitScope {
        level: UnitLevel::Province,
        codes: vec!["01".into()],
    };
    let scoped = search(
        &index,
        SearchQuery {
            unit: Some(province),
            ..text("dang ky khai sinh")
        },
    );
    assert!(scoped.total > 0);
    // 1.001193 is carried out at commune level only.
    assert!(scoped.hits.iter().all(|h| h.code != "1.001193"));
    assert!(scoped
        .hits
        .iter()
        .all(|h| h.tiers.iter().any(|t| *t != Tier::Commune)));
    let listed = search(&index, SearchQuery::default());
    assert_eq!(listed.total, procedures.len());
}
