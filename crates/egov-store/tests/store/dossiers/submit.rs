//! Submission: the code, the draft's attachments, idempotency, side
//! effects, all or nothing — and unique codes under concurrency.

use std::collections::BTreeSet;

use egov_domain::dossier::DossierCode;
use egov_domain::PageRequest;
use egov_ports::{
    AttachmentOwner, Channel, DocumentKind, DossierStore, IdentityStore, OutboxMessage, StoreError,
    Submitted,
};
use egov_store::testing::test_stores;
use egov_store::SqlStore;
use jiff::civil::date;
use tokio::task::JoinSet;

use super::{
    attachment, day, document, draft, notification, notifications_of, seed, stored, submission,
    submit_new, UNIT,
};
use crate::identity::{at, conflict, id};

fn code(sequence: u32) -> DossierCode {
    DossierCode::new(UNIT, day(), sequence).expect("valid code")
}

fn message(message_id: &str) -> OutboxMessage {
    OutboxMessage {
        id: message_id.into(),
        channel: Channel::Email,
        recipient: "an@example.vn".into(),
        subject: "Hồ sơ đã nộp".into(),
        body: "Hồ sơ của bạn đã được nộp (submitted)".into(),
        created_at: at(100),
        attempts: 0,
        sent_at: None,
        last_error: None,
    }
}

async fn count_dossiers(store: &SqlStore, applicant: &str) -> u64 {
    store
        .dossiers_of(&id(applicant), PageRequest::new(0, 100))
        .await
        .expect("dossiers")
        .total
}

fn created(result: Result<Submitted, StoreError>) -> DossierCode {
    match result.expect("submitted") {
        Submitted::Created(code) => code,
        other => panic!("expected a new dossier, got {other:?}"),
    }
}

/// Draft d1 of c1 with the attachments `files` (id, second of upload);
/// returns their owner.
async fn draft_with_files(store: &SqlStore, label: &str, files: &[(&str, i64)]) -> AttachmentOwner {
    store.put_draft(&draft("d1", "c1")).await.expect(label);
    let on_draft = AttachmentOwner::Draft("d1".into());
    for (id, uploaded) in files {
        let file = attachment(id, on_draft.clone(), *uploaded);
        store.add_attachment(&file).await.expect(label);
    }
    on_draft
}

#[tokio::test]
async fn a_submission_creates_the_dossier_from_its_draft() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let on_draft = draft_with_files(&store, &label, &[("a1", 10), ("a2", 11)]).await;

        let mut s = submission("d1", "c1", Some(("key-1", "fp-1")));
        s.effects.documents = vec![document("doc-1", DocumentKind::Receipt, 100)];
        s.effects.notifications = vec![notification("n1", "c1", 100)];
        s.effects.outbox = vec![message("m1")];
        let result = store.submit(&s).await;
        let first = created(result);
        assert_eq!(first.to_string(), "000.00.04.H26-260101-0001", "{label}");

        // Stored as given, with the allocated code and version 1.
        let mut expected = s.dossier.clone();
        expected.code = first.clone();
        expected.version = 1;
        assert_eq!(stored(&store, &first).await, expected, "{label}");

        // The attachments moved, the draft is gone.
        assert_eq!(store.draft("d1").await.expect(&label), None);
        assert!(store.attachments(&on_draft).await.expect(&label).is_empty());
        let moved = store
            .attachments(&AttachmentOwner::Dossier(first.clone()))
            .await
            .expect(&label);
        let ids: Vec<&str> = moved.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a1", "a2"], "{label}");

        // One event, and the side effects name the new dossier.
        let events = store.events(&first).await.expect(&label);
        assert_eq!(events.len(), 1, "{label}");
        assert_eq!(events[0].seq, 1);
        assert_eq!(events[0].content.action, "submit");
        assert_eq!(events[0].content.actor, "c1");
        assert_eq!(events[0].content.subject, first.to_string());
        let mut doc = document("doc-1", DocumentKind::Receipt, 100);
        doc.dossier = first.clone();
        assert_eq!(
            store.documents(&first).await.expect(&label),
            [doc.clone()],
            "{label}"
        );
        assert_eq!(store.document("doc-1").await.expect(&label), Some(doc));
        let notes = notifications_of(&store, &label, "c1").await;
        assert_eq!(notes.total, 1, "{label}");
        assert_eq!(notes.items[0].dossier, first, "{label}");
        assert_eq!(
            store.pending_messages(5, 10).await.expect(&label),
            [message("m1")],
            "{label}"
        );

        // The counter runs on per unit and day.
        assert_eq!(submit_new(&store, "d2", "c2").await, code(2), "{label}");
        let mut other_day = submission("d3", "c1", None);
        other_day.date = date(2026, 1, 2);
        store.put_draft(&draft("d3", "c1")).await.expect(&label);
        let result = store.submit(&other_day).await;
        assert_eq!(created(result).to_string(), "000.00.04.H26-260102-0001");
        let mut other_unit = submission("d4", "c1", None);
        other_unit.unit = "000.00.12.H26".into();
        store.put_draft(&draft("d4", "c1")).await.expect(&label);
        let result = store.submit(&other_unit).await;
        assert_eq!(created(result).to_string(), "000.00.12.H26-260101-0001");
    }
}

#[tokio::test]
async fn an_idempotency_key_replays_the_same_submission_only() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        store.put_draft(&draft("d1", "c1")).await.expect(&label);
        let s = submission("d1", "c1", Some(("key-1", "fp-1")));
        let result = store.submit(&s).await;
        let first = created(result);

        // The same key and content: the first dossier again, nothing written.
        let mut again = s.clone();
        again.effects.notifications = vec![notification("n-again", "c1", 101)];
        assert_eq!(
            store.submit(&again).await.expect(&label),
            Submitted::Replayed(first.clone()),
            "{label}"
        );
        assert_eq!(store.events(&first).await.expect(&label).len(), 1);
        assert_eq!(
            notifications_of(&store, &label, "c1").await.total,
            0,
            "{label}"
        );
        assert_eq!(
            store.chain_head().await.expect(&label).map(|h| h.0),
            Some(1)
        );

        // The same key with other content is refused.
        store.put_draft(&draft("d2", "c1")).await.expect(&label);
        assert_eq!(
            conflict(
                store
                    .submit(&submission("d2", "c1", Some(("key-1", "fp-2"))))
                    .await
            ),
            "idempotency key",
            "{label}"
        );
        // Keys are per applicant.
        store.put_draft(&draft("d3", "c2")).await.expect(&label);
        let result = store
            .submit(&submission("d3", "c2", Some(("key-1", "fp-1"))))
            .await;
        assert_eq!(created(result), code(2), "{label}");
        // Nothing was used up by the refused or replayed submissions.
        assert_eq!(submit_new(&store, "d2", "c1").await, code(3), "{label}");
    }
}

#[tokio::test]
async fn a_failed_submission_writes_nothing() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        // No such draft.
        assert!(
            matches!(
                store.submit(&submission("ghost", "c1", None)).await,
                Err(StoreError::MissingReference {
                    reference: "draft",
                    ..
                })
            ),
            "{label}"
        );

        // A notification for an unknown account fails the whole submission.
        let on_draft = draft_with_files(&store, &label, &[("a1", 10)]).await;
        let mut s = submission("d1", "c1", Some(("key-1", "fp-1")));
        s.effects.notifications = vec![notification("n1", "ghost", 100)];
        s.effects.outbox = vec![message("m1")];
        assert!(
            matches!(
                store.submit(&s).await,
                Err(StoreError::MissingReference { .. })
            ),
            "{label}"
        );
        assert_eq!(count_dossiers(&store, "c1").await, 0, "{label}");
        assert!(store.draft("d1").await.expect(&label).is_some());
        assert_eq!(
            store.attachments(&on_draft).await.expect(&label).len(),
            1,
            "{label}"
        );
        assert_eq!(store.chain_head().await.expect(&label), None, "{label}");
        assert!(store
            .pending_messages(5, 10)
            .await
            .expect(&label)
            .is_empty());

        // The key was not used up and the counter did not move.
        s.effects.notifications.clear();
        let result = store.submit(&s).await;
        assert_eq!(created(result), code(1), "{label}");
    }
}

/// How many submissions race each other.
const RACERS: u32 = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_get_distinct_consecutive_codes() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        for n in 0..RACERS {
            store
                .put_draft(&draft(&format!("d{n}"), "c1"))
                .await
                .expect(&label);
        }
        let mut racers = JoinSet::new();
        for n in 0..RACERS {
            let store = store.clone();
            racers.spawn(async move {
                let mut s = submission(&format!("d{n}"), "c1", Some((&format!("k{n}"), "fp")));
                s.effects.notifications = vec![notification(&format!("n{n}"), "c1", 100)];
                store.submit(&s).await
            });
        }
        let mut codes = BTreeSet::new();
        while let Some(outcome) = racers.join_next().await {
            match outcome.expect("task").expect(&label) {
                Submitted::Created(code) => assert!(codes.insert(code), "{label}: code reused"),
                other => panic!("{label}: {other:?}"),
            }
        }
        let expected: BTreeSet<DossierCode> = (1..=RACERS).map(code).collect();
        assert_eq!(codes, expected, "{label}");
        assert_eq!(count_dossiers(&store, "c1").await, u64::from(RACERS));
        assert_eq!(
            store.chain_head().await.expect(&label).map(|h| h.0),
            Some(i64::from(RACERS)),
            "{label}"
        );
        super::chain::verify(&store)
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_with_one_key_create_one_dossier() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        store.put_draft(&draft("d1", "c1")).await.expect(&label);
        let mut racers = JoinSet::new();
        for _ in 0..10 {
            let store = store.clone();
            racers.spawn(async move {
                store
                    .submit(&submission("d1", "c1", Some(("same-key", "fp"))))
                    .await
            });
        }
        let (mut created, mut replayed) = (Vec::new(), Vec::new());
        while let Some(outcome) = racers.join_next().await {
            match outcome.expect("task").expect(&label) {
                Submitted::Created(code) => created.push(code),
                Submitted::Replayed(code) => replayed.push(code),
            }
        }
        assert_eq!(created, [code(1)], "{label}");
        assert_eq!(replayed, vec![code(1); 9], "{label}");
        assert_eq!(count_dossiers(&store, "c1").await, 1, "{label}");
    }
}
