//! Filters, unit scope, listing, paging and index updates.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::{catalogue, codes, index_of, procedure, text};
use egov_domain::{OnlineMode, Tier, UnitLevel};
use egov_search::{SearchIndex, SearchQuery, UnitScope, MAX_LIMIT};

fn list(query: SearchQuery) -> SearchQuery {
    SearchQuery {
        limit: 100,
        ..query
    }
}

fn found(index: &SearchIndex, query: SearchQuery) -> Vec<String> {
    let results = index.search(&list(query)).unwrap();
    assert_eq!(results.total, results.hits.len());
    codes(&results).into_iter().map(str::to_owned).collect()
}

#[test]
fn no_text_lists_everything_by_code() {
    let index = index_of(&catalogue());
    let all = found(&index, SearchQuery::default());
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    assert_eq!(all.len(), catalogue().len());
}

#[test]
fn agency_filter_takes_a_code_or_a_name_with_or_without_marks() {
    let index = index_of(&catalogue());
    let by = |agency: &str| {
        found(
            &index,
            SearchQuery {
                agency: Some(agency.into()),
                ..Default::default()
            },
        )
    };
    assert_eq!(by("UBND-XA"), ["1.001612", "2.000986"]);
    assert_eq!(by("C06"), ["1.000889"]);
    let commune = ["1.001612", "1.H01.001", "1.H79.001", "2.000986", "3.000001"];
    assert_eq!(by("Ủy ban nhân dân cấp xã"), commune);
    assert_eq!(by("uy ban nhan dan cap xa"), commune);
    assert_eq!(by("  UY BAN  nhan dan cap xa "), commune);
    // The competent agency counts too.
    assert_eq!(by("Ủy ban nhân dân cấp tỉnh"), ["1.009994"]);
    // A part of a name is not enough.
    assert!(by("uy ban").is_empty());
}

#[test]
fn field_filter_is_exact_on_the_folded_field() {
    let index = index_of(&catalogue());
    let by = |field: &str| {
        found(
            &index,
            SearchQuery {
                field: Some(field.into()),
                ..Default::default()
            },
        )
    };
    assert_eq!(by("Hộ tịch"), ["1.001612", "2.000986", "3.000001"]);
    assert_eq!(by("ho tich"), ["1.001612", "2.000986", "3.000001"]);
    assert!(by("tich").is_empty());
}

#[test]
fn tier_and_online_mode_filters() {
    let index = index_of(&catalogue());
    let tier = |t| {
        found(
            &index,
            SearchQuery {
                tier: Some(t),
                ..Default::default()
            },
        )
    };
    assert_eq!(tier(Tier::Central), ["1.000889"]);
    assert_eq!(tier(Tier::Province), ["1.000889", "1.009994", "3.000002"]);
    assert_eq!(tier(Tier::Other), ["4.000001"]);
    assert!(tier(Tier::District).is_empty());
    let mode = |m| {
        found(
            &index,
            SearchQuery {
                online_mode: Some(m),
                ..Default::default()
            },
        )
    };
    assert_eq!(mode(OnlineMode::Full), ["1.001612", "2.000986", "4.000001"]);
    assert_eq!(
        mode(OnlineMode::Partial),
        ["1.000889", "1.009994", "3.000001"]
    );
}

#[test]
fn filters_combine_with_each_other_and_with_text() {
    let index = index_of(&catalogue());
    let query = SearchQuery {
        field: Some("ho tich".into()),
        online_mode: Some(OnlineMode::Full),
        ..Default::default()
    };
    assert_eq!(found(&index, query.clone()), ["1.001612", "2.000986"]);
    let query = SearchQuery {
        text: Some("dang ky".into()),
        tier: Some(Tier::Commune),
        ..query
    };
    let results = index.search(&list(query.clone())).unwrap();
    assert_eq!(results.total, 2);
    assert!(results.hits.iter().all(|h| h.score > 0.0));
    let query = SearchQuery {
        text: Some("khai sinh".into()),
        online_mode: Some(OnlineMode::Partial),
        ..query
    };
    assert!(found(&index, query).is_empty());
}

#[test]
fn a_commune_sees_its_own_province_and_central_procedures() {
    let index = index_of(&catalogue());
    let scope = UnitScope {
        level: UnitLevel::Commune,
        codes: vec!["00004".into(), "01".into()],
    };
    let seen = found(
        &index,
        SearchQuery {
            unit: Some(scope),
            ..Default::default()
        },
    );
    // Everything except the procedure specific to province 79.
    let mut want: Vec<String> = catalogue().iter().map(|p| p.code.to_string()).collect();
    want.retain(|c| c != "1.H79.001");
    want.sort();
    assert_eq!(seen, want);
}

#[test]
fn a_province_sees_province_and_central_procedures_only() {
    let index = index_of(&catalogue());
    let scope = UnitScope {
        level: UnitLevel::Province,
        codes: vec!["79".into()],
    };
    let seen = found(
        &index,
        SearchQuery {
            unit: Some(scope.clone()),
            ..Default::default()
        },
    );
    // Province/central tiers, "other", unknown tier, and the one specific to 79.
    assert_eq!(
        seen,
        [
            "1.000889",
            "1.009994",
            "1.H79.001",
            "3.000002",
            "4.000001",
            "5.000001"
        ]
    );
    let searched = SearchQuery {
        text: Some("ho tro hoc nghe".into()),
        unit: Some(scope),
        ..Default::default()
    };
    assert_eq!(found(&index, searched), ["1.H79.001"]);
}

#[test]
fn pages_split_the_matches_and_total_counts_them_all() {
    let procedures: Vec<_> = (0..150)
        .map(|i| {
            procedure(
                &format!("9.{i:06}"),
                &format!("Thủ tục số {i}"),
                "Thử nghiệm",
            )
        })
        .collect();
    let index = index_of(&procedures);
    let page = |offset, limit| {
        index
            .search(&SearchQuery {
                offset,
                limit,
                ..Default::default()
            })
            .unwrap()
    };
    let second = page(10, 10);
    assert_eq!(second.total, 150);
    assert_eq!(
        second.hits.first().map(|h| h.code.as_str()),
        Some("9.000010")
    );
    assert_eq!(second.hits.len(), 10);
    assert_eq!(page(145, 10).hits.len(), 5);
    assert!(page(150, 10).hits.is_empty());
    assert!(page(usize::MAX, usize::MAX).hits.is_empty());
    assert_eq!(page(0, 0).hits.len(), 1);
    assert_eq!(page(0, 1_000).hits.len(), MAX_LIMIT);
    let searched = SearchQuery {
        offset: 20,
        limit: 5,
        ..text("thu tuc")
    };
    let results = index.search(&searched).unwrap();
    assert_eq!((results.total, results.hits.len()), (150, 5));
}

#[test]
fn upsert_adds_or_replaces_by_code() {
    let index = SearchIndex::new().unwrap();
    assert!(index.is_empty());
    index.upsert(&catalogue()).unwrap();
    assert_eq!(index.len(), catalogue().len());
    let renamed = procedure("1.001612", "Đăng ký khai sinh lưu động", "Hộ tịch");
    index.upsert(std::slice::from_ref(&renamed)).unwrap();
    index.upsert(&[renamed]).unwrap();
    assert_eq!(index.len(), catalogue().len());
    let results = index.search(&text("khai sinh")).unwrap();
    assert_eq!(results.total, 1);
    assert_eq!(results.hits[0].name, "Đăng ký khai sinh lưu động");
    index
        .upsert(&[procedure("9.999999", "Thủ tục mới", "Khác")])
        .unwrap();
    assert_eq!(index.len(), catalogue().len() + 1);
    index.upsert(&[]).unwrap();
    assert_eq!(index.len(), catalogue().len() + 1);
}

#[test]
fn the_same_code_twice_in_one_batch_keeps_the_last() {
    let index = index_of(&[
        procedure("1.000001", "Bản đầu", "Khác"),
        procedure("1.000001", "Bản sau", "Khác"),
    ]);
    assert_eq!(index.len(), 1);
    assert_eq!(index.search(&text("ban")).unwrap().hits[0].name, "Bản sau");
}

#[test]
fn replace_all_drops_what_is_not_given_again() {
    let index = index_of(&catalogue());
    index
        .replace_all(&[procedure("2.000986", "Đăng ký kết hôn", "Hộ tịch")])
        .unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(index.search(&text("khai sinh")).unwrap().total, 0);
    assert_eq!(index.search(&text("ket hon")).unwrap().total, 1);
    index.replace_all(&[]).unwrap();
    assert!(index.is_empty());
    assert_eq!(index.search(&SearchQuery::default()).unwrap().total, 0);
}
