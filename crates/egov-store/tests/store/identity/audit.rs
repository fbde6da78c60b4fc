//! The audit log: filters, order and paging.

use egov_domain::PageRequest;
use egov_ports::{AuditEntry, AuditFilter, IdentityStore, Outcome};
use egov_store::testing::test_stores;

use super::{at, id};

fn entry(seconds: i64, actor: Option<&str>, action: &str, subject: Option<&str>) -> AuditEntry {
    AuditEntry {
        at: at(seconds),
        actor: actor.map(id),
        action: action.into(),
        subject: subject.map(Into::into),
        ip: Some("198.51.100.4".into()),
        user_agent: None,
        outcome: if action.ends_with(".failed") {
            Outcome::Failure
        } else {
            Outcome::Success
        },
        detail: format!("{action} at {seconds}"),
    }
}

fn details(entries: &[AuditEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.detail.as_str()).collect()
}

#[tokio::test]
async fn the_audit_log_is_read_newest_first_under_filters() {
    for (label, store) in test_stores().await {
        let entries = [
            entry(10, Some("c1"), "sign-in", Some("c1")),
            entry(20, None, "sign-in.failed", Some("c1")),
            entry(30, Some("a1"), "role.granted", Some("o1")),
            // Same instant as the one before: the later insert comes first.
            entry(30, Some("c1"), "consent.granted", Some("egov-demo")),
            entry(40, Some("c1"), "sign_in.odd", None),
            entry(50, Some("o1"), "sign-in", Some("o1")),
        ];
        for e in &entries {
            store.append_audit(e).await.expect(&label);
        }
        let read = |filter: AuditFilter| {
            let store = &store;
            async move { store.audit(&filter).await.expect("audit") }
        };

        let all = read(AuditFilter::default()).await;
        assert_eq!(all.total, 6, "{label}");
        assert_eq!(all.items[0], entries[5], "{label}");
        assert_eq!(
            details(&all.items),
            [
                "sign-in at 50",
                "sign_in.odd at 40",
                "consent.granted at 30",
                "role.granted at 30",
                "sign-in.failed at 20",
                "sign-in at 10"
            ],
            "{label}"
        );

        let by_actor = read(AuditFilter {
            actor: Some(id("c1")),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(by_actor.total, 3, "{label}");
        assert_eq!(
            details(&by_actor.items),
            [
                "sign_in.odd at 40",
                "consent.granted at 30",
                "sign-in at 10"
            ]
        );

        let by_subject = read(AuditFilter {
            subject: Some("c1".into()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(
            details(&by_subject.items),
            ["sign-in.failed at 20", "sign-in at 10"]
        );

        let sign_ins = read(AuditFilter {
            action_prefix: Some("sign-in".into()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(sign_ins.total, 3, "{label}");
        // `_` is not a wildcard: "sign_" matches only the action spelled so.
        let underscore = read(AuditFilter {
            action_prefix: Some("sign_".into()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(details(&underscore.items), ["sign_in.odd at 40"], "{label}");
        let percent = read(AuditFilter {
            action_prefix: Some("%".into()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(percent.total, 0, "{label}");

        let combined = read(AuditFilter {
            actor: Some(id("c1")),
            action_prefix: Some("sign-in".into()),
            subject: Some("c1".into()),
            page: PageRequest::default(),
        })
        .await;
        assert_eq!(details(&combined.items), ["sign-in at 10"], "{label}");

        let page = read(AuditFilter {
            page: PageRequest::new(2, 2),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!((page.total, page.offset, page.limit), (6, 2, 2), "{label}");
        assert_eq!(
            details(&page.items),
            ["consent.granted at 30", "role.granted at 30"],
            "{label}"
        );
    }
}
