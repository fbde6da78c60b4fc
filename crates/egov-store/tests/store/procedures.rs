//! Versioned procedures, settings and the health check.

use egov_ports::{CatalogueStore, VersionOutcome};
use egov_store::testing::test_stores;
use jiff::Timestamp;

use crate::fixtures::{code, procedure};

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_751_328_000 + seconds).expect("valid time")
}

#[tokio::test]
async fn versions_are_created_only_for_changed_content() {
    for (label, store) in test_stores().await {
        let v1 = procedure("1.001193", "Đăng ký khai sinh");
        let other = procedure("2.000986", "Cấp giấy phép xây dựng");
        let out = store
            .save_procedures(&[v1.clone(), other.clone()], at(0))
            .await
            .expect(&label);
        assert_eq!(
            out,
            [VersionOutcome::Created, VersionOutcome::Created],
            "{label}"
        );

        let out = store
            .save_procedures(&[v1.clone(), other.clone()], at(60))
            .await
            .expect(&label);
        assert_eq!(
            out,
            [VersionOutcome::Unchanged, VersionOutcome::Unchanged],
            "{label}"
        );

        let mut v2 = v1.clone();
        v2.result = "Giấy khai sinh".into();
        let out = store
            .save_procedures(&[v2.clone(), other.clone()], at(120))
            .await
            .expect(&label);
        assert_eq!(
            out,
            [VersionOutcome::NewVersion(2), VersionOutcome::Unchanged],
            "{label}"
        );

        let c = code("1.001193");
        let current = store.procedure(&c).await.expect(&label).expect("stored");
        assert_eq!((current.version, &current.procedure), (2, &v2), "{label}");
        assert_eq!(current.recorded_at, at(120), "{label}");
        assert_eq!(current.content_hash, v2.content_hash(), "{label}");

        let first = store
            .procedure_version(&c, 1)
            .await
            .expect(&label)
            .expect("v1 kept");
        assert_eq!(
            (first.version, &first.procedure, first.recorded_at),
            (1, &v1, at(0)),
            "{label}"
        );
        assert_eq!(
            store.procedure_version(&c, 3).await.expect(&label),
            None,
            "{label}"
        );

        let history = store.procedure_history(&c).await.expect(&label);
        let summary: Vec<_> = history
            .iter()
            .map(|h| (h.version, h.recorded_at, h.content_hash.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                (1, at(0), v1.content_hash()),
                (2, at(120), v2.content_hash())
            ],
            "{label}"
        );

        assert_eq!(store.count_procedures().await.expect(&label), 2, "{label}");
        assert_eq!(
            store.all_procedures().await.expect(&label),
            [v2, other],
            "{label}"
        );
        assert_eq!(
            store.procedure(&code("9.999999")).await.expect(&label),
            None,
            "{label}"
        );
        assert!(
            store
                .procedure_history(&code("9.999999"))
                .await
                .expect(&label)
                .is_empty(),
            "{label}"
        );
    }
}

#[tokio::test]
async fn one_batch_can_carry_several_versions_of_a_procedure() {
    for (label, store) in test_stores().await {
        let a = procedure("1.001193", "Đăng ký khai sinh");
        let mut b = a.clone();
        b.steps = vec!["Nộp hồ sơ".into()];
        let out = store
            .save_procedures(&[a.clone(), a.clone(), b.clone()], at(0))
            .await
            .expect(&label);
        assert_eq!(
            out,
            [
                VersionOutcome::Created,
                VersionOutcome::Unchanged,
                VersionOutcome::NewVersion(2)
            ],
            "{label}"
        );
        let current = store
            .procedure(&code("1.001193"))
            .await
            .expect(&label)
            .expect("stored");
        assert_eq!(current.procedure, b, "{label}");
    }
}

#[tokio::test]
async fn rich_content_round_trips_through_json() {
    use egov_domain::{
        Channel, Fee, OnlineMode, ProcessingTime, SubmissionChannel, Tier, TimeUnit, Vnd,
    };
    for (label, store) in test_stores().await {
        let mut p = procedure("1.000001", "Thủ tục có đủ trường");
        p.tiers = vec![Tier::Province, Tier::Commune];
        p.online_mode = OnlineMode::Full;
        p.legacy_level = Some(4);
        p.processing_time = Some(ProcessingTime {
            amount: 5,
            unit: TimeUnit::WorkingDays,
        });
        p.channels = vec![SubmissionChannel {
            channel: Channel::Online,
            processing_time: Some(ProcessingTime {
                amount: 5,
                unit: TimeUnit::WorkingDays,
            }),
            processing_time_text: "5 Ngày làm việc".into(),
            fees: vec![Fee {
                label: "Lệ phí".into(),
                amount: Vnd(50_000),
            }],
            fee_text: "Lệ phí : 50.000 Đồng".into(),
            description: "Nộp trực tuyến".into(),
        }];
        p.admin_unit_codes = vec!["01".into()];
        store
            .save_procedures(std::slice::from_ref(&p), at(0))
            .await
            .expect(&label);
        let stored = store
            .procedure(&p.code)
            .await
            .expect(&label)
            .expect("stored");
        assert_eq!(stored.procedure, p, "{label}");
    }
}

#[tokio::test]
async fn settings_are_kept_and_overwritten() {
    for (label, store) in test_stores().await {
        assert_eq!(
            store.get_setting("demo_loaded").await.expect(&label),
            None,
            "{label}"
        );
        store
            .set_setting("demo_loaded", "2025-07-01")
            .await
            .expect(&label);
        store
            .set_setting("demo_loaded", "2025-07-02")
            .await
            .expect(&label);
        assert_eq!(
            store
                .get_setting("demo_loaded")
                .await
                .expect(&label)
                .as_deref(),
            Some("2025-07-02"),
            "{label}"
        );
        store.ping().await.expect(&label);
    }
}

#[tokio::test]
async fn a_failure_inside_the_database_rolls_the_whole_batch_back() {
    for (label, store) in test_stores().await {
        // A procedure whose next version number is already taken: the store
        // decides "version 2" and the database refuses it, after the batch
        // has already written other rows.
        let setup = [
            "INSERT INTO procedures (code, current_version, name, field, updated_at) \
             VALUES ('9.000001', 1, 'X', 'Y', '2025-07-01T00:00:00Z')",
            "INSERT INTO procedure_versions (code, version, recorded_at, content_hash, content) \
             VALUES ('9.000001', 1, '2025-07-01T00:00:00Z', 'h1', '{}'), \
                    ('9.000001', 2, '2025-07-01T00:00:00Z', 'h2', '{}')",
        ];
        for sql in setup {
            egov_store::testing::execute(&store, sql)
                .await
                .expect(&label);
        }
        let batch = [
            procedure("1.001193", "Đăng ký khai sinh"),
            procedure("9.000001", "Khác"),
        ];
        let err = store
            .save_procedures(&batch, at(0))
            .await
            .expect_err(&label);
        assert!(
            matches!(err, egov_ports::StoreError::Conflict(_)),
            "{label}: {err:?}"
        );
        assert_eq!(
            store.procedure(&code("1.001193")).await.expect(&label),
            None,
            "{label}: rolled back"
        );
        assert_eq!(store.count_procedures().await.expect(&label), 1, "{label}");
        // The store is usable afterwards.
        let out = store
            .save_procedures(&batch[..1], at(1))
            .await
            .expect(&label);
        assert_eq!(out, [VersionOutcome::Created], "{label}");
    }
}
