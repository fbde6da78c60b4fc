//! Lists: an applicant's dossiers, an official's inbox, notifications.

use egov_domain::dossier::{Dossier, DossierCode, DossierStatus};
use egov_domain::identity::Role;
use egov_domain::{Page, PageRequest};
use egov_ports::{DossierStore, InboxFilter};
use egov_store::testing::test_stores;
use egov_store::SqlStore;

use super::{change, notification, notifications_of, seed, stored, submit_new, UNIT};
use crate::fixtures::code as procedure_code;
use crate::identity::{at, id};

const DEPARTMENT: &str = "000.00.12.H26";
const MINISTRY: &str = "000.00.00.G06";

/// Submits a dossier of `applicant`, then changes it with `f`.
async fn make(
    store: &SqlStore,
    draft_id: &str,
    applicant: &str,
    f: impl FnOnce(&mut Dossier),
) -> DossierCode {
    let code = submit_new(store, draft_id, applicant).await;
    let current = stored(store, &code).await;
    assert!(store
        .apply(&change(&current, "accept", 1_000, f))
        .await
        .expect("applied"));
    code
}

/// Five dossiers, returned as `[a, b, c, d, e]`.
async fn dossiers(store: &SqlStore) -> [DossierCode; 5] {
    let a = make(store, "a", "c1", |d| {
        d.status = DossierStatus::Received;
        d.awaiting = Some(Role::Specialist);
        d.assignee = Some(id("o1"));
        d.deadline_at = Some(at(1_000));
        d.submitted_at = at(10);
    })
    .await;
    let b = make(store, "b", "c1", |d| {
        d.status = DossierStatus::Processing;
        d.awaiting = Some(Role::Leader);
        d.assignee = Some(id("o2"));
        d.deadline_at = Some(at(500));
        d.submitted_at = at(20);
    })
    .await;
    let c = make(store, "c", "c2", |d| {
        d.status = DossierStatus::Received;
        d.awaiting = Some(Role::Specialist);
        d.handling_agency = DEPARTMENT.into();
        d.procedure_code = procedure_code("2.000001");
        d.submitted_at = at(5);
    })
    .await;
    let d = make(store, "d", "c1", |d| d.submitted_at = at(30)).await;
    let e = make(store, "e", "c2", |d| {
        d.status = DossierStatus::Received;
        d.handling_agency = MINISTRY.into();
        d.deadline_at = Some(at(100));
    })
    .await;
    [a, b, c, d, e]
}

fn codes(page: &Page<Dossier>) -> Vec<&DossierCode> {
    page.items.iter().map(|d| &d.code).collect()
}

fn filter(f: impl FnOnce(&mut InboxFilter)) -> InboxFilter {
    let mut filter = InboxFilter {
        agencies: vec![UNIT.into(), DEPARTMENT.into()],
        page: PageRequest::new(0, 20),
        ..InboxFilter::default()
    };
    f(&mut filter);
    filter
}

#[tokio::test]
async fn the_inbox_filters_and_orders_by_deadline() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let [a, b, c, d, e] = dossiers(&store).await;
        let inbox = |f: InboxFilter| {
            let store = &store;
            async move { store.inbox(&f).await.expect("inbox") }
        };

        // Nearest deadline first, none last, then by submission.
        let all = inbox(filter(|_| {})).await;
        assert_eq!(codes(&all), [&b, &a, &c, &d], "{label}");
        assert_eq!(all.total, 4);
        assert_eq!(all.items[0], stored(&store, &b).await, "{label}");

        let page = inbox(filter(|f| f.page = PageRequest::new(1, 2))).await;
        assert_eq!(codes(&page), [&a, &c], "{label}");
        assert_eq!((page.total, page.offset, page.limit), (4, 1, 2));

        let none = inbox(filter(|f| f.agencies.clear())).await;
        assert_eq!((none.total, none.items.len()), (0, 0), "{label}");
        let ministry = inbox(filter(|f| f.agencies = vec![MINISTRY.into()])).await;
        assert_eq!(codes(&ministry), [&e], "{label}");

        let received = inbox(filter(|f| f.statuses = vec![DossierStatus::Received])).await;
        assert_eq!(codes(&received), [&a, &c], "{label}");
        let two = inbox(filter(|f| {
            f.statuses = vec![DossierStatus::Processing, DossierStatus::Submitted];
        }))
        .await;
        assert_eq!(codes(&two), [&b, &d], "{label}");

        let awaiting = inbox(filter(|f| {
            f.awaiting = vec![Role::Specialist, Role::Leader]
        }))
        .await;
        assert_eq!(codes(&awaiting), [&b, &a, &c], "{label}");
        let desk = inbox(filter(|f| f.awaiting = vec![Role::ReceivingOfficer])).await;
        assert_eq!(codes(&desk), [&d], "{label}");

        let mine = inbox(filter(|f| f.assignee = Some(id("o1")))).await;
        assert_eq!(codes(&mine), [&a], "{label}");

        let procedure = inbox(filter(|f| {
            f.procedure_code = Some(procedure_code("2.000001"))
        }))
        .await;
        assert_eq!(codes(&procedure), [&c], "{label}");

        // Strictly before, and never those without a deadline.
        for (before, expected) in [
            (at(500), vec![]),
            (at(1_000), vec![&b]),
            (at(1_001), vec![&b, &a]),
        ] {
            let due = inbox(filter(|f| f.deadline_before = Some(before))).await;
            assert_eq!(codes(&due), expected, "{label} {before}");
        }

        let combined = inbox(filter(|f| {
            f.statuses = vec![DossierStatus::Received, DossierStatus::Processing];
            f.awaiting = vec![Role::Specialist];
            f.deadline_before = Some(at(2_000));
        }))
        .await;
        assert_eq!(codes(&combined), [&a], "{label}");
    }
}

#[tokio::test]
async fn the_inbox_finds_codes_by_prefix_literally() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let [a, b, c, d, _] = dossiers(&store).await;
        let by_code = |code: &str| {
            let store = &store;
            let code = code.to_owned();
            async move {
                let page = store
                    .inbox(&filter(|f| f.code = Some(code)))
                    .await
                    .expect("inbox");
                codes(&page)
                    .into_iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            by_code("000.00.04.H26-2601").await,
            [b.to_string(), a.to_string(), c.to_string(), d.to_string()],
            "{label}"
        );
        assert_eq!(by_code(&c.to_string()).await, [c.to_string()], "{label}");
        assert_eq!(by_code(&format!(" {a} ")).await, [a.to_string()], "{label}");
        // Wildcards typed by the user match only themselves.
        for pattern in ["%", "_", "000.00.04.H26-260101-000_", "%H26%"] {
            assert!(by_code(pattern).await.is_empty(), "{label}: {pattern}");
        }
        // A quote is just a character.
        assert!(by_code("' OR '1'='1").await.is_empty(), "{label}");
        // Empty means no filter.
        assert_eq!(by_code("").await.len(), 4, "{label}");
    }
}

#[tokio::test]
async fn an_applicant_sees_their_dossiers_newest_first() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let [a, b, _, d, _] = dossiers(&store).await;
        let page = store
            .dossiers_of(&id("c1"), PageRequest::new(0, 2))
            .await
            .expect(&label);
        assert_eq!(codes(&page), [&d, &b], "{label}");
        assert_eq!(page.total, 3, "{label}");
        let rest = store
            .dossiers_of(&id("c1"), PageRequest::new(2, 2))
            .await
            .expect(&label);
        assert_eq!(codes(&rest), [&a], "{label}");
        let none = store
            .dossiers_of(&id("o1"), PageRequest::new(0, 2))
            .await
            .expect(&label);
        assert_eq!(none.total, 0, "{label}");
    }
}

#[tokio::test]
async fn notifications_are_listed_newest_first_and_marked_read() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let code = submit_new(&store, "d1", "c1").await;
        let v1 = stored(&store, &code).await;
        let mut first = change(&v1, "accept", 200, |d| d.status = DossierStatus::Received);
        first.effects.notifications = vec![
            notification("n1", "c1", 10),
            notification("n2", "c1", 30),
            notification("n3", "c1", 20),
            notification("x1", "c2", 15),
        ];
        assert!(store.apply(&first).await.expect(&label));

        let page = store
            .notifications(&id("c1"), PageRequest::new(0, 2))
            .await
            .expect(&label);
        let ids: Vec<&str> = page.items.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["n2", "n3"], "{label}");
        assert_eq!(page.total, 3, "{label}");
        assert_eq!(page.items[0].dossier, code, "{label}");
        assert_eq!(page.items[0].read_at, None, "{label}");

        assert_eq!(
            store
                .mark_notifications_read(&id("c1"), at(40))
                .await
                .expect(&label),
            3
        );
        assert_eq!(
            store
                .mark_notifications_read(&id("c1"), at(41))
                .await
                .expect(&label),
            0
        );
        let page = notifications_of(&store, &label, "c1").await;
        assert!(
            page.items.iter().all(|n| n.read_at == Some(at(40))),
            "{label}"
        );
        let other = notifications_of(&store, &label, "c2").await;
        assert_eq!(other.items[0].read_at, None, "{label}");
    }
}
