//! Changes: compare-and-set on the version, with the event and the side
//! effects, all or nothing — one winner among concurrent changes.

use egov_domain::dossier::{DossierStatus, Outcome};
use egov_domain::identity::Role;
use egov_ports::{DocumentKind, DossierStore, StoreError};
use egov_store::testing::test_stores;
use jiff::SignedDuration;
use tokio::task::JoinSet;

use super::{change, document, notification, notifications_of, seed, stored, submit_new};
use crate::identity::{at, at_ms, id};

#[tokio::test]
async fn a_change_replaces_every_column_and_is_recorded() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let code = submit_new(&store, "d1", "c1").await;
        let current = stored(&store, &code).await;
        let mut accept = change(&current, "accept", 200, |d| {
            d.status = DossierStatus::Received;
            d.step = 1;
            d.awaiting = Some(Role::Specialist);
            d.assignee = Some(id("o1"));
            d.handling_agency = "000.00.12.H26".into();
            d.received_at = Some(at_ms(200, 1));
            d.due_at = Some(at_ms(3 * 86_400, 0));
            d.deadline_at = Some(at_ms(3 * 86_400, 999));
            d.rescheduled_due_at = Some(at(5 * 86_400));
            // Nanoseconds are kept.
            d.paused_since = Some(at(300) + SignedDuration::from_nanos(123_456_789));
            d.paused_seconds = 3_600;
            d.supplement_requests = 2;
            d.finished_at = Some(at(400));
            d.outcome = Some(Outcome::Refused);
            d.returned_at = Some(at(500));
            d.rating = Some(5);
            d.form = serde_json::json!({"child_name": "Đã sửa", "nested": {"a": [1, 2]}});
            d.procedure_name = "Đăng ký khai sinh (sửa)".into();
            d.service_version = 2;
        });
        accept.effects.documents = vec![document("r1", DocumentKind::Receipt, 200)];
        accept.effects.notifications = vec![notification("n1", "c1", 200)];
        assert!(store.apply(&accept).await.expect(&label), "{label}");

        let after = stored(&store, &code).await;
        assert_eq!(after, accept.dossier, "{label}");
        assert_eq!(after.version, 2);

        let events = store.events(&code).await.expect(&label);
        let actions: Vec<&str> = events.iter().map(|e| e.content.action.as_str()).collect();
        assert_eq!(actions, ["submit", "accept"], "{label}");
        assert_eq!(events[1].content.actor, "o1");
        assert_eq!(events[1].prev_hash, events[0].hash, "{label}");
        let detail: serde_json::Value =
            serde_json::from_str(&events[1].content.detail).expect("detail is JSON");
        assert_eq!(detail["from"], "submitted", "{label}");
        assert_eq!(detail["to"], "received", "{label}");
        assert_eq!(detail["role"], "receiving-officer", "{label}");
        assert_eq!(store.documents(&code).await.expect(&label).len(), 1);
        let notes = notifications_of(&store, &label, "c1").await;
        assert_eq!(notes.items[0].status, DossierStatus::Submitted, "{label}");

        // A system event: no actor.
        let mut pay = change(&after, "pay", 600, |d| d.rating = None);
        pay.event.actor = None;
        assert!(store.apply(&pay).await.expect(&label));
        let events = store.events(&code).await.expect(&label);
        assert_eq!(events[2].content.actor, "system", "{label}");
        assert_eq!(stored(&store, &code).await.rating, None, "{label}");
    }
}

#[tokio::test]
async fn a_stale_change_writes_nothing() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let code = submit_new(&store, "d1", "c1").await;
        let v1 = stored(&store, &code).await;
        let first = change(&v1, "accept", 200, |d| d.status = DossierStatus::Received);
        assert!(store.apply(&first).await.expect(&label));

        let mut stale = change(&v1, "refuse", 201, |d| {
            d.status = DossierStatus::RefusedAtIntake;
        });
        stale.effects.notifications = vec![notification("n1", "c1", 201)];
        stale.effects.documents = vec![document("x1", DocumentKind::Refusal, 201)];
        assert!(!store.apply(&stale).await.expect(&label), "{label}");
        assert_eq!(stored(&store, &code).await, first.dossier, "{label}");
        assert_eq!(store.events(&code).await.expect(&label).len(), 2);
        assert_eq!(
            store.chain_head().await.expect(&label).map(|h| h.0),
            Some(2)
        );
        assert!(store.documents(&code).await.expect(&label).is_empty());
        assert_eq!(notifications_of(&store, &label, "c1").await.total, 0);

        // An unknown dossier is no change either.
        let mut ghost = change(&v1, "accept", 300, |_| {});
        ghost.dossier.code = super::placeholder();
        assert!(!store.apply(&ghost).await.expect(&label), "{label}");

        // A failing side effect undoes the change.
        let v2 = stored(&store, &code).await;
        let mut broken = change(&v2, "assign", 400, |d| d.assignee = Some(id("o2")));
        broken.effects.notifications = vec![notification("n2", "ghost", 400)];
        assert!(matches!(
            store.apply(&broken).await,
            Err(StoreError::MissingReference { .. })
        ));
        assert_eq!(stored(&store, &code).await, v2, "{label}");
        assert_eq!(store.events(&code).await.expect(&label).len(), 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_concurrent_changes_of_one_version_exactly_one_wins() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let code = submit_new(&store, "d1", "c1").await;
        let v1 = stored(&store, &code).await;
        let mut racers = JoinSet::new();
        for n in 0..10_i64 {
            let store = store.clone();
            let c = change(&v1, "assign", 200 + n, |d| {
                d.assignee = Some(id(if n % 2 == 0 { "o1" } else { "o2" }));
                d.paused_seconds = n;
            });
            racers.spawn(async move { (store.apply(&c).await, c) });
        }
        let mut winners = Vec::new();
        while let Some(outcome) = racers.join_next().await {
            let (result, c) = outcome.expect("task");
            if result.expect(&label) {
                winners.push(c);
            }
        }
        assert_eq!(winners.len(), 1, "{label}");
        assert_eq!(stored(&store, &code).await, winners[0].dossier, "{label}");
        assert_eq!(store.events(&code).await.expect(&label).len(), 2);
        assert_eq!(
            store.chain_head().await.expect(&label).map(|h| h.0),
            Some(2)
        );
    }
}
