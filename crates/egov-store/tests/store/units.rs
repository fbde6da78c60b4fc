//! Administrative units, their filters and succession links.

use egov_domain::{Era, PageRequest, UnitKind, UnitLevel};
use egov_ports::{AdminUnitFilter, CatalogueStore, ImportCounts, StoreError};
use egov_store::testing::test_stores;

use crate::fixtures::{current_units, link, old_units, unit};

fn codes<T>(items: &[T], code: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| code(i).to_owned()).collect()
}

async fn seeded(store: &dyn CatalogueStore) {
    store
        .upsert_admin_units(&current_units())
        .await
        .expect("current units");
    store
        .upsert_admin_units(&old_units())
        .await
        .expect("old units");
}

#[tokio::test]
async fn units_in_any_order_are_stored_and_counted() {
    for (label, store) in test_stores().await {
        let units = current_units();
        let counts = store.upsert_admin_units(&units).await.expect(&label);
        assert_eq!(
            counts,
            ImportCounts {
                created: 7,
                updated: 0,
                unchanged: 0,
                skipped: 0
            },
            "{label}"
        );
        for u in &units {
            assert_eq!(
                store
                    .admin_unit(Era::Current, &u.code)
                    .await
                    .expect(&label)
                    .as_ref(),
                Some(u),
                "{label}"
            );
        }
        assert_eq!(
            store.admin_unit(Era::Pre2025, "01").await.expect(&label),
            None,
            "{label}"
        );

        let mut changed = units.clone();
        changed[1].name_en = Some("Ba Dinh".into());
        let counts = store.upsert_admin_units(&changed).await.expect(&label);
        assert_eq!(
            counts,
            ImportCounts {
                created: 0,
                updated: 1,
                unchanged: 6,
                skipped: 0
            },
            "{label}"
        );
        assert_eq!(
            store
                .admin_unit(Era::Current, "00004")
                .await
                .expect(&label)
                .and_then(|u| u.name_en),
            Some("Ba Dinh".to_owned()),
            "{label}"
        );
        assert_eq!(
            store.count_admin_units(Era::Current).await.expect(&label),
            7,
            "{label}"
        );
        assert_eq!(
            store.count_admin_units(Era::Pre2025).await.expect(&label),
            0,
            "{label}"
        );
    }
}

#[tokio::test]
async fn both_eras_keep_the_same_code_apart() {
    for (label, store) in test_stores().await {
        seeded(&store).await;
        let new = store
            .admin_unit(Era::Current, "00004")
            .await
            .expect(&label)
            .expect("current 00004");
        let old = store
            .admin_unit(Era::Pre2025, "00004")
            .await
            .expect(&label)
            .expect("old 00004");
        assert_eq!(
            (new.name.as_str(), old.name.as_str()),
            ("Ba Đình", "Trúc Bạch"),
            "{label}"
        );
        assert_eq!(old.parent_code.as_deref(), Some("001"), "{label}");
        assert_eq!(
            store.count_admin_units(Era::Pre2025).await.expect(&label),
            4,
            "{label}"
        );
    }
}

#[tokio::test]
async fn a_missing_parent_is_named_and_nothing_is_written() {
    for (label, store) in test_stores().await {
        let mut batch = current_units();
        batch.push(unit(
            Era::Current,
            "99999",
            UnitKind::Commune,
            "Không Có",
            Some("98"),
        ));
        let err = store.upsert_admin_units(&batch).await.expect_err(&label);
        match &err {
            StoreError::MissingReference { code, missing, .. } => {
                assert_eq!(
                    (code.as_str(), missing.as_str()),
                    ("99999", "98"),
                    "{label}"
                );
            }
            other => panic!("{label}: expected MissingReference, got {other:?}"),
        }
        assert!(
            err.to_string().contains("99999") && err.to_string().contains("98"),
            "{label}: {err}"
        );
        // All or nothing: the valid units of the batch were not kept either.
        assert_eq!(
            store.count_admin_units(Era::Current).await.expect(&label),
            0,
            "{label}"
        );
    }
}

#[tokio::test]
async fn a_parent_must_be_in_the_same_era() {
    for (label, store) in test_stores().await {
        store.upsert_admin_units(&old_units()).await.expect(&label);
        // "01" exists only as a pre-2025 unit so far.
        let child = unit(Era::Current, "00004", UnitKind::Ward, "Ba Đình", Some("01"));
        let err = store.upsert_admin_units(&[child]).await.expect_err(&label);
        assert!(
            matches!(err, StoreError::MissingReference { .. }),
            "{label}: {err:?}"
        );
    }
}

#[tokio::test]
async fn filters_select_provinces_children_levels_and_names() {
    for (label, store) in test_stores().await {
        seeded(&store).await;
        let list = |filter: AdminUnitFilter| {
            let store = &store;
            async move { store.list_admin_units(&filter).await.expect("list") }
        };
        let code = |u: &egov_domain::AdminUnit| u.code.clone();

        let provinces = list(AdminUnitFilter::default()).await;
        assert_eq!(
            provinces.items.iter().map(code).collect::<Vec<_>>(),
            ["01", "31", "79"],
            "{label}"
        );
        assert_eq!(provinces.total, 3, "{label}");

        let children = list(AdminUnitFilter {
            parent_code: Some("01".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            children.items.iter().map(code).collect::<Vec<_>>(),
            ["00004", "00008", "00250"],
            "{label}"
        );

        let old_children = list(AdminUnitFilter {
            era: Some(Era::Pre2025),
            parent_code: Some("01".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            old_children.items.iter().map(code).collect::<Vec<_>>(),
            ["001"],
            "{label}"
        );

        let communes = list(AdminUnitFilter {
            level: Some(UnitLevel::Commune),
            ..Default::default()
        })
        .await;
        assert_eq!(communes.total, 4, "{label}");

        // Diacritics-insensitive, matching inside the full name.
        let named = list(AdminUnitFilter {
            level: Some(UnitLevel::Commune),
            name_folded: Some("ba dinh".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            named.items.iter().map(code).collect::<Vec<_>>(),
            ["00004"],
            "{label}"
        );
        let by_type = list(AdminUnitFilter {
            level: Some(UnitLevel::Commune),
            name_folded: Some("Phường".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(by_type.total, 3, "{label}");
        // Unfolded text is folded by the store too.
        let ha = list(AdminUnitFilter {
            name_folded: Some("Hà Nội".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            ha.items.iter().map(code).collect::<Vec<_>>(),
            ["01"],
            "{label}"
        );

        // LIKE wildcards in user text match only themselves.
        for wild in ["%", "_", "h_ noi"] {
            let none = list(AdminUnitFilter {
                name_folded: Some(wild.into()),
                ..Default::default()
            })
            .await;
            assert_eq!(none.total, 0, "{label}: {wild}");
        }
    }
}

#[tokio::test]
async fn pages_are_ordered_by_code_and_carry_the_total() {
    for (label, store) in test_stores().await {
        seeded(&store).await;
        let filter = |offset, limit| AdminUnitFilter {
            level: Some(UnitLevel::Commune),
            page: PageRequest::new(offset, limit),
            ..Default::default()
        };
        let first = store.list_admin_units(&filter(0, 3)).await.expect(&label);
        let second = store.list_admin_units(&filter(3, 3)).await.expect(&label);
        assert_eq!(
            codes(&first.items, |u| &u.code),
            ["00004", "00008", "00250"],
            "{label}"
        );
        assert_eq!(codes(&second.items, |u| &u.code), ["26734"], "{label}");
        assert_eq!((first.total, second.total), (4, 4), "{label}");
        assert_eq!((second.offset, second.limit), (3, 3), "{label}");
        let beyond = store.list_admin_units(&filter(10, 3)).await.expect(&label);
        assert!(beyond.items.is_empty() && beyond.total == 4, "{label}");
    }
}

#[tokio::test]
async fn successions_link_both_ways_and_count_changes() {
    for (label, store) in test_stores().await {
        seeded(&store).await;
        let links = vec![
            link("00001", UnitLevel::Commune, "00004", false),
            link("00004", UnitLevel::Commune, "00004", true),
            link("00004", UnitLevel::Commune, "00008", true),
            link("001", UnitLevel::District, "00004", true),
            link("01", UnitLevel::Province, "01", false),
        ];
        let counts = store.upsert_successions(&links).await.expect(&label);
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

        let after = store
            .successors("00004", UnitLevel::Commune)
            .await
            .expect(&label);
        assert_eq!(after, vec![links[1].clone(), links[2].clone()], "{label}");
        assert!(
            store
                .successors("00004", UnitLevel::District)
                .await
                .expect(&label)
                .is_empty(),
            "{label}"
        );
        let before = store.predecessors("00004").await.expect(&label);
        assert_eq!(
            codes(&before, |l| &l.old_code),
            ["00001", "00004", "001"],
            "{label}"
        );
        assert!(!before[0].partial && before[1].partial, "{label}");

        let mut again = links.clone();
        again[0].partial = true;
        let counts = store.upsert_successions(&again).await.expect(&label);
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
        assert!(
            store
                .successors("00001", UnitLevel::Commune)
                .await
                .expect(&label)[0]
                .partial,
            "{label}"
        );
    }
}

#[tokio::test]
async fn succession_ends_must_exist_in_their_era() {
    for (label, store) in test_stores().await {
        seeded(&store).await;
        let cases = [
            // Unknown old unit.
            (link("77777", UnitLevel::Commune, "00004", false), "77777"),
            // Unknown new unit.
            (link("00001", UnitLevel::Commune, "77777", false), "77777"),
            // 00250 is a current unit only: not a pre-2025 end.
            (link("00250", UnitLevel::Commune, "00004", false), "00250"),
            // 001 is a district, not a commune.
            (link("001", UnitLevel::Commune, "00004", false), "001"),
        ];
        for (bad, missing_code) in cases {
            let batch = vec![link("00001", UnitLevel::Commune, "00004", false), bad];
            match store.upsert_successions(&batch).await {
                Err(StoreError::MissingReference { missing, .. }) => {
                    assert_eq!(missing, missing_code, "{label}")
                }
                other => {
                    panic!("{label}: expected MissingReference for {missing_code}, got {other:?}")
                }
            }
            assert!(
                store.predecessors("00004").await.expect(&label).is_empty(),
                "{label}: nothing written"
            );
        }
    }
}

#[tokio::test]
async fn large_batches_cross_statement_and_lookup_chunks() {
    for (label, store) in test_stores().await {
        // 1,200 communes under 12 provinces: more rows than one INSERT
        // statement takes and more keys than one lookup query.
        let mut batch = Vec::new();
        for c in 0..1200 {
            let parent = format!("{:02}", 10 + c % 12);
            batch.push(unit(
                Era::Current,
                &format!("{:05}", 10_000 + c),
                UnitKind::Commune,
                "Xã",
                Some(&parent),
            ));
        }
        for p in 0..12 {
            batch.push(unit(
                Era::Current,
                &format!("{:02}", 10 + p),
                UnitKind::Province,
                "Tỉnh",
                None,
            ));
        }
        let counts = store.upsert_admin_units(&batch).await.expect(&label);
        assert_eq!(
            counts,
            ImportCounts {
                created: 1212,
                updated: 0,
                unchanged: 0,
                skipped: 0
            },
            "{label}"
        );
        batch[700].name_en = Some("changed".into());
        let counts = store.upsert_admin_units(&batch).await.expect(&label);
        assert_eq!(
            counts,
            ImportCounts {
                created: 0,
                updated: 1,
                unchanged: 1211,
                skipped: 0
            },
            "{label}"
        );
        let children = store
            .list_admin_units(&AdminUnitFilter {
                parent_code: Some("10".into()),
                ..Default::default()
            })
            .await
            .expect(&label);
        assert_eq!(children.total, 100, "{label}");
    }
}
