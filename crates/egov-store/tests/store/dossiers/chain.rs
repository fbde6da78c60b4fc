//! The audit chain over every dossier event: intact after many writes, and
//! any edit or removal made behind the store's back is detected.

use egov_domain::dossier::chain::{verify_batch, verify_head, ChainBroken, GENESIS};
use egov_domain::dossier::{DossierCode, DossierStatus};
use egov_ports::DossierStore;
use egov_store::testing::{execute, test_stores};
use egov_store::SqlStore;

use super::{change, seed, stored, submit_new};

/// Entries read per batch: small, so that verifying spans several batches.
const BATCH: u32 = 7;

/// Verifies the whole chain in batches, then its end against the head.
pub async fn verify(store: &SqlStore) -> Result<(), ChainBroken> {
    let (mut last, mut after) = (None, 0);
    loop {
        let batch = store.chain_entries(after, BATCH).await.expect("entries");
        let Some(end) = batch.last() else { break };
        after = end.seq;
        last = verify_batch(last, &batch)?;
    }
    verify_head(last, store.chain_head().await.expect("head"))
}

/// Six dossiers with three changes each: 24 events.
async fn history(store: &SqlStore) -> Vec<DossierCode> {
    seed(store).await;
    let mut codes = Vec::new();
    for n in 0..6 {
        let applicant = if n % 2 == 0 { "c1" } else { "c2" };
        codes.push(submit_new(store, &format!("d{n}"), applicant).await);
    }
    for (step, (action, status)) in [
        ("accept", DossierStatus::Received),
        ("assign", DossierStatus::Processing),
        ("approve", DossierStatus::ResultReady),
    ]
    .into_iter()
    .enumerate()
    {
        for (n, code) in codes.iter().enumerate() {
            let current = stored(store, code).await;
            let seconds = i64::try_from(1_000 * (step + 1) + n).expect("small");
            let c = change(&current, action, seconds, |d| d.status = status);
            assert!(store.apply(&c).await.expect("applied"));
        }
    }
    codes
}

#[tokio::test]
async fn the_chain_is_intact_after_many_writes() {
    for (label, store) in test_stores().await {
        assert_eq!(store.chain_head().await.expect(&label), None, "{label}");
        assert_eq!(verify(&store).await, Ok(()), "{label}");

        let codes = history(&store).await;
        assert_eq!(verify(&store).await, Ok(()), "{label}");
        let (seq, hash) = store.chain_head().await.expect(&label).expect("a head");
        assert_eq!(seq, 24, "{label}");
        let all = store.chain_entries(0, 100).await.expect(&label);
        assert_eq!(all.len(), 24, "{label}");
        assert_eq!(all[0].prev_hash, GENESIS);
        assert_eq!(all[23].hash, hash);
        assert_eq!(
            store.chain_entries(20, 100).await.expect(&label).len(),
            4,
            "{label}"
        );

        // A dossier's events are its entries of the one chain, in order.
        let events = store.events(&codes[2]).await.expect(&label);
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [3, 9, 15, 21], "{label}");
        let actions: Vec<&str> = events.iter().map(|e| e.content.action.as_str()).collect();
        assert_eq!(actions, ["submit", "accept", "assign", "approve"]);
        assert!(events
            .iter()
            .all(|e| e.content.subject == codes[2].to_string()));
        assert_eq!(events[1], all[8], "{label}");
    }
}

/// Runs `tamper` on a fresh store with a history, and returns what the
/// verifier says afterwards.
async fn tampered(sql: &str) -> Vec<(String, Result<(), ChainBroken>)> {
    let mut out = Vec::new();
    for (label, store) in test_stores().await {
        history(&store).await;
        assert_eq!(verify(&store).await, Ok(()), "{label} before");
        let changed = execute(&store, sql).await.expect("tampered");
        assert_eq!(changed, 1, "{label}: {sql}");
        out.push((label, verify(&store).await));
    }
    out
}

#[tokio::test]
async fn an_edited_entry_is_detected() {
    let sql = "UPDATE dossier_events SET detail = '{\"note\":\"edited\"}' WHERE seq = 10";
    for (label, verdict) in tampered(sql).await {
        assert_eq!(verdict, Err(ChainBroken::Content { seq: 10 }), "{label}");
    }
}

#[tokio::test]
async fn a_removed_entry_is_detected() {
    for (label, verdict) in tampered("DELETE FROM dossier_events WHERE seq = 12").await {
        assert_eq!(
            verdict,
            Err(ChainBroken::Gap {
                seq: 13,
                expected: 12
            }),
            "{label}"
        );
    }
}

#[tokio::test]
async fn a_removed_last_entry_is_detected_by_the_head() {
    for (label, verdict) in tampered("DELETE FROM dossier_events WHERE seq = 24").await {
        assert_eq!(
            verdict,
            Err(ChainBroken::Head { last: 23, head: 24 }),
            "{label}"
        );
    }
}

#[tokio::test]
async fn a_rewound_head_is_detected() {
    for (label, verdict) in tampered("UPDATE dossier_chain_head SET seq = 23 WHERE id = 1").await {
        assert_eq!(
            verdict,
            Err(ChainBroken::Head { last: 24, head: 23 }),
            "{label}"
        );
    }
}
