//! The agency tree.

use egov_domain::{AgencyKind, PageRequest};
use egov_ports::{AgencyFilter, CatalogueStore, ImportCounts, StoreError};
use egov_store::testing::test_stores;

use crate::fixtures::{agencies, agency, current_units};

fn codes(items: &[egov_domain::Agency]) -> Vec<&str> {
    items.iter().map(|a| a.code.as_str()).collect()
}

#[tokio::test]
async fn a_tree_given_children_first_is_stored() {
    for (label, store) in test_stores().await {
        store
            .upsert_admin_units(&current_units())
            .await
            .expect(&label);
        let tree = agencies();
        let counts = store.upsert_agencies(&tree).await.expect(&label);
        assert_eq!(
            counts,
            ImportCounts {
                created: 5,
                updated: 0,
                unchanged: 0,
                skipped: 0
            },
            "{label}"
        );
        for a in &tree {
            assert_eq!(
                store.agency(&a.code).await.expect(&label).as_ref(),
                Some(a),
                "{label}"
            );
        }
        assert_eq!(store.agency("nope").await.expect(&label), None, "{label}");

        let mut renamed = tree.clone();
        renamed[1].name = "Sở Tư pháp Thành phố Hà Nội".into();
        let counts = store.upsert_agencies(&renamed).await.expect(&label);
        assert_eq!(
            counts,
            ImportCounts {
                created: 0,
                updated: 1,
                unchanged: 4,
                skipped: 0
            },
            "{label}"
        );
    }
}

#[tokio::test]
async fn agencies_filter_by_parent_kind_unit_and_name() {
    for (label, store) in test_stores().await {
        store
            .upsert_admin_units(&current_units())
            .await
            .expect(&label);
        store.upsert_agencies(&agencies()).await.expect(&label);
        let list = |filter: AgencyFilter| {
            let store = &store;
            async move { store.list_agencies(&filter).await.expect("list") }
        };

        let all = list(AgencyFilter::default()).await;
        assert_eq!(all.total, 5, "{label}");
        assert_eq!(
            codes(&all.items),
            [
                "000.00.00.G06",
                "000.00.00.H26",
                "000.00.01.G06",
                "000.00.04.H26",
                "000.00.12.H26"
            ],
            "{label}"
        );
        let children = list(AgencyFilter {
            parent_code: Some("000.00.00.H26".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            codes(&children.items),
            ["000.00.04.H26", "000.00.12.H26"],
            "{label}"
        );
        let ministries = list(AgencyFilter {
            kind: Some(AgencyKind::Ministry),
            ..Default::default()
        })
        .await;
        assert_eq!(codes(&ministries.items), ["000.00.00.G06"], "{label}");
        let in_hanoi = list(AgencyFilter {
            admin_unit_code: Some("01".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            codes(&in_hanoi.items),
            ["000.00.00.H26", "000.00.12.H26"],
            "{label}"
        );
        let named = list(AgencyFilter {
            name_folded: Some("tu phap".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            codes(&named.items),
            ["000.00.00.G06", "000.00.12.H26"],
            "{label}"
        );
        let page = list(AgencyFilter {
            page: PageRequest::new(1, 2),
            ..Default::default()
        })
        .await;
        assert_eq!(
            (codes(&page.items), page.total),
            (vec!["000.00.00.H26", "000.00.01.G06"], 5),
            "{label}"
        );
    }
}

#[tokio::test]
async fn unknown_parents_and_units_are_refused_whole() {
    for (label, store) in test_stores().await {
        store
            .upsert_admin_units(&current_units())
            .await
            .expect(&label);
        let cases = [
            (
                agency("X.1", "Không rõ", AgencyKind::Other, Some("ghost"), None),
                "ghost",
            ),
            (
                agency("X.2", "Không rõ", AgencyKind::Other, None, Some("55555")),
                "55555",
            ),
        ];
        for (bad, missing_code) in cases {
            let mut batch = agencies();
            batch.push(bad.clone());
            match store.upsert_agencies(&batch).await {
                Err(StoreError::MissingReference { code, missing, .. }) => {
                    assert_eq!(
                        (code.as_str(), missing.as_str()),
                        (bad.code.as_str(), missing_code),
                        "{label}"
                    );
                }
                other => panic!("{label}: expected MissingReference, got {other:?}"),
            }
            let all = store
                .list_agencies(&AgencyFilter::default())
                .await
                .expect(&label);
            assert_eq!(all.total, 0, "{label}: nothing of the batch was written");
        }
    }
}

#[tokio::test]
async fn an_agency_serves_only_a_current_unit() {
    for (label, store) in test_stores().await {
        store
            .upsert_admin_units(&crate::fixtures::old_units())
            .await
            .expect(&label);
        // 001 exists, but only as a pre-2025 district.
        let a = agency(
            "X.3",
            "UBND quận Ba Đình",
            AgencyKind::Other,
            None,
            Some("001"),
        );
        let err = store.upsert_agencies(&[a]).await.expect_err(&label);
        assert!(
            matches!(err, StoreError::MissingReference { .. }),
            "{label}: {err:?}"
        );
    }
}
