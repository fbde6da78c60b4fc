//! A crash at any moment loses no dossier whose submission was acknowledged.
//!
//! Several rounds, on SQLite and (when TEST_DATABASE_URL is set) on
//! PostgreSQL: start `egov serve --demo`, let several citizens' clients
//! submit dossiers concurrently (draft, PDF upload, values, submission with a
//! unique `Idempotency-Key`), kill the server with SIGKILL while they are at
//! it, and start it again on the same database. After every restart:
//!
//! * every code acknowledged with 201 is readable (status 1, submitted);
//! * a submission cut off by the kill (sent, never answered) retried with its
//!   key gives exactly one dossier: the one made before the kill (200) or a
//!   new one (201);
//! * every acknowledged key replayed gives the same code (200);
//! * the citizen's list holds each of those codes exactly once and nothing
//!   else — no dossier lost, none doubled, no code given twice.
//!
//! At the end `egov audit verify` must pass on the database.
//!
//! The kill moments come from a seeded RNG; the seed is printed, and
//! `EGOV_CRASH_SEED=N` replays the same choices (the timing of the server
//! still varies from run to run).

// Test helpers: a failed set-up must fail the test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Backend, Server};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// Submitters running at once.
const WORKERS: usize = 8;
/// Kills per backend.
const ROUNDS: usize = 4;
/// The demo's certified copy service and one agency that receives it.
const PROCEDURE: &str = "2.000815";
const AGENCIES: [&str; 3] = ["000.00.01.H01", "000.00.02.H01", "000.00.03.H01"];

/// One submission: the key it was sent with and its draft.
#[derive(Debug, Clone)]
struct Attempt {
    key: String,
    draft_id: String,
}

/// What happened to one submission while the server was being killed.
enum Outcome {
    /// 201 with this code.
    Acknowledged(Attempt, String),
    /// The server went away before the submission was sent.
    NotSent,
    /// Sent, never answered: it may or may not have been stored.
    CutOff(Attempt),
    /// An answer no request should get.
    Unexpected(String),
}

/// What the submitters of one round saw.
#[derive(Default)]
struct Ledger {
    acknowledged: Vec<(Attempt, String)>,
    cut_off: Vec<Attempt>,
    unexpected: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_submissions_survive_sigkill() {
    let seed = std::env::var("EGOV_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    eprintln!("crash test seed: {seed} (EGOV_CRASH_SEED={seed} replays the kill choices)");
    for backend in common::backends() {
        crash_rounds(&backend, seed).await;
    }
}

async fn crash_rounds(backend: &Backend, seed: u64) {
    let label = backend.label;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut known: Vec<(Attempt, String)> = Vec::new();
    let mut cut_off: Vec<Attempt> = Vec::new();
    let (mut stored_before_kill, mut stored_on_retry) = (0, 0);
    for round in 0..ROUNDS {
        let server = Server::start(&backend.args);
        let base = server.url("");
        let client =
            common::signed_in(&base, common::CITIZEN_LOGIN, common::CITIZEN_PASSWORD).await;
        let (before, after) = check(
            label,
            &client,
            &base,
            &mut known,
            std::mem::take(&mut cut_off),
        )
        .await;
        stored_before_kill += before;
        stored_on_retry += after;

        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..WORKERS)
            .map(|worker| {
                let prefix = format!("crash-{seed}-{label}-{round}-{worker}");
                let agency = AGENCIES[worker % AGENCIES.len()];
                tokio::spawn(submitter(
                    client.clone(),
                    base.clone(),
                    prefix,
                    agency,
                    Arc::clone(&ledger),
                    Arc::clone(&stop),
                ))
            })
            .collect();
        // Kill once some submissions were acknowledged, at a random moment
        // after that: the submitters are then mid-way through theirs.
        let wanted = rng.gen_range(1..=25);
        let extra = Duration::from_millis(rng.gen_range(0..250));
        let started = Instant::now();
        while ledger.lock().unwrap().acknowledged.len() < wanted {
            let problems = ledger.lock().unwrap().unexpected.clone();
            assert!(problems.is_empty(), "{label} round {round}: {problems:?}");
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{label} round {round}: fewer than {wanted} submissions in two minutes"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(extra).await;
        server.kill();
        stop.store(true, Ordering::SeqCst);
        for worker in workers {
            worker.await.expect("a submitter panicked");
        }
        let ledger = std::mem::take(&mut *ledger.lock().unwrap());
        assert!(
            ledger.unexpected.is_empty(),
            "{label} round {round}: {:?}",
            ledger.unexpected
        );
        eprintln!(
            "{label} round {round}: SIGKILL {} ms after {wanted} acknowledgements; {} acknowledged in all, {} submissions cut off",
            extra.as_millis(),
            ledger.acknowledged.len(),
            ledger.cut_off.len()
        );
        known.extend(ledger.acknowledged);
        cut_off = ledger.cut_off;
    }
    let server = Server::start(&backend.args);
    let base = server.url("");
    let client = common::signed_in(&base, common::CITIZEN_LOGIN, common::CITIZEN_PASSWORD).await;
    let (before, after) = check(label, &client, &base, &mut known, cut_off).await;
    stored_before_kill += before;
    stored_on_retry += after;
    eprintln!(
        "{label}: {} dossiers after {ROUNDS} kills, all found once; of the submissions cut off, \
         {stored_before_kill} had been stored before the kill and {stored_on_retry} were stored by the retry",
        known.len()
    );
    assert!(!known.is_empty(), "{label}: nothing was submitted");
    server.kill();

    let out = common::egov(&["audit", "verify"], &backend.args);
    assert!(
        out.status.success(),
        "{label}: egov audit verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Submits dossiers one after another until told to stop or the server goes away.
async fn submitter(
    client: reqwest::Client,
    base: String,
    prefix: String,
    agency: &'static str,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
) {
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let key = format!("{prefix}-{n}");
        let outcome = submit_one(&client, &base, agency, key).await;
        let mut ledger = ledger.lock().unwrap();
        match outcome {
            Outcome::Acknowledged(attempt, code) => ledger.acknowledged.push((attempt, code)),
            Outcome::NotSent => return,
            Outcome::CutOff(attempt) => {
                ledger.cut_off.push(attempt);
                return;
            }
            Outcome::Unexpected(problem) => {
                ledger.unexpected.push(problem);
                return;
            }
        }
    }
}

/// Draft, upload, values, submission. A request that fails for want of a
/// server ends the attempt; any answer but the expected one is unexpected.
async fn submit_one(client: &reqwest::Client, base: &str, agency: &str, key: String) -> Outcome {
    let draft = client
        .post(format!("{base}/api/v1/drafts"))
        .json(&json!({"procedure_code": PROCEDURE, "agency_code": agency}))
        .send()
        .await;
    let draft_id = match expect(draft, 201, "create draft").await {
        Ok(Some(body)) => body["id"].as_str().unwrap_or_default().to_owned(),
        Ok(None) => return Outcome::NotSent,
        Err(problem) => return Outcome::Unexpected(problem),
    };
    let (content_type, body) = common::upload_body(
        "original_scan",
        "ban-chinh.pdf",
        "application/pdf",
        common::PDF,
    );
    let upload = client
        .post(format!("{base}/api/v1/drafts/{draft_id}/attachments"))
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await;
    match expect(upload, 201, "upload").await {
        Ok(Some(_)) => {}
        Ok(None) => return Outcome::NotSent,
        Err(problem) => return Outcome::Unexpected(problem),
    }
    let save = client
        .put(format!("{base}/api/v1/drafts/{draft_id}"))
        .json(&json!({"values": values(&key)}))
        .send()
        .await;
    match expect(save, 200, "save values").await {
        Ok(Some(_)) => {}
        Ok(None) => return Outcome::NotSent,
        Err(problem) => return Outcome::Unexpected(problem),
    }
    let attempt = Attempt { key, draft_id };
    match expect(send_submission(client, base, &attempt).await, 201, "submit").await {
        Ok(Some(body)) => match body["code"].as_str() {
            Some(code) => Outcome::Acknowledged(attempt, code.to_owned()),
            None => Outcome::Unexpected(format!("submit: no code in {body}")),
        },
        Ok(None) => Outcome::CutOff(attempt),
        Err(problem) => Outcome::Unexpected(problem),
    }
}

fn values(key: &str) -> Value {
    json!({
        "requester_name": "Nguyễn Văn An",
        "document_title": format!("Bằng tốt nghiệp ({key})"),
        "issuer": "Trường Đại học Bách khoa Hà Nội",
        "pages": 2,
        "copies": 1,
    })
}

async fn send_submission(
    client: &reqwest::Client,
    base: &str,
    attempt: &Attempt,
) -> reqwest::Result<reqwest::Response> {
    client
        .post(format!("{base}/api/v1/dossiers"))
        .header("idempotency-key", &attempt.key)
        .json(&json!({"draft_id": attempt.draft_id}))
        .send()
        .await
}

/// `Ok(None)`: no answer (the server is gone); `Ok(Some(body))`: the
/// expected status; `Err`: another answer.
async fn expect(
    response: reqwest::Result<reqwest::Response>,
    status: u16,
    what: &str,
) -> Result<Option<Value>, String> {
    let Ok(response) = response else {
        return Ok(None);
    };
    let got = response.status().as_u16();
    let Ok(text) = response.text().await else {
        return Ok(None);
    };
    if got != status {
        return Err(format!("{what}: {got} {text}"));
    }
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("{what}: {e}: {text}"))
}

/// After a restart: settles the submissions cut off by the last kill
/// (adding their dossiers to `known`), then checks every known dossier.
/// Returns how many cut-off submissions had been stored before the kill
/// and how many the retry stored.
async fn check(
    label: &str,
    client: &reqwest::Client,
    base: &str,
    known: &mut Vec<(Attempt, String)>,
    cut_off: Vec<Attempt>,
) -> (usize, usize) {
    let (mut before, mut retried) = (0, 0);
    for attempt in cut_off {
        let response = send_submission(client, base, &attempt)
            .await
            .expect("the restarted server answers");
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("JSON");
        match status {
            200 => before += 1,
            201 => retried += 1,
            _ => panic!("{label}: retrying cut-off submission {attempt:?}: {status} {body}"),
        }
        let code = body["code"].as_str().expect("a code").to_owned();
        known.push((attempt, code));
    }

    let mut codes: HashMap<&str, usize> = HashMap::new();
    for (_, code) in known.iter() {
        *codes.entry(code.as_str()).or_default() += 1;
    }
    let doubled: Vec<_> = codes.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        doubled.is_empty(),
        "{label}: codes given to several submissions: {doubled:?}"
    );

    for (attempt, code) in known.iter() {
        let response = client
            .get(format!("{base}/api/v1/dossiers/{code}"))
            .send()
            .await
            .expect("the restarted server answers");
        let status = response.status().as_u16();
        let view: Value = response.json().await.expect("JSON");
        assert_eq!(
            status, 200,
            "{label}: acknowledged dossier {code} ({attempt:?}): {view}"
        );
        assert_eq!(view["dossier"]["code"], code.as_str(), "{label}: {view}");
        assert_eq!(view["dossier"]["status_code"], 1, "{label}: {code}: {view}");
        assert_eq!(
            view["dossier"]["status"], "submitted",
            "{label}: {code}: {view}"
        );

        let replay = send_submission(client, base, attempt)
            .await
            .expect("the restarted server answers");
        let status = replay.status().as_u16();
        let replayed = replay
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body: Value = replay.json().await.expect("JSON");
        assert_eq!(status, 200, "{label}: replaying {attempt:?}: {body}");
        assert_eq!(replayed.as_deref(), Some("true"), "{label}: {attempt:?}");
        assert_eq!(
            body["code"],
            code.as_str(),
            "{label}: replaying {attempt:?} gave another dossier"
        );
    }

    let listed = list_mine(client, base).await;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for code in &listed {
        *seen.entry(code.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "{label}: listed more than once: {twice:?}"
    );
    for code in codes.keys() {
        assert_eq!(
            seen.get(code),
            Some(&1),
            "{label}: {code} is not in the citizen's list"
        );
    }
    let unknown: Vec<_> = seen.keys().filter(|c| !codes.contains_key(*c)).collect();
    assert!(
        unknown.is_empty(),
        "{label}: dossiers nobody was told about: {unknown:?}"
    );
    (before, retried)
}

/// Every code in the citizen's list of dossiers, page by page.
async fn list_mine(client: &reqwest::Client, base: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for page in 1.. {
        let response = client
            .get(format!("{base}/api/v1/dossiers?page={page}&per_page=100"))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("JSON");
        let items = body["items"].as_array().expect("items");
        if items.is_empty() {
            break;
        }
        codes.extend(
            items
                .iter()
                .map(|d| d["code"].as_str().expect("code").to_owned()),
        );
        let total = body["total"].as_u64().expect("total");
        if codes.len() as u64 >= total {
            break;
        }
    }
    codes
}
