//! The public dossier lookup's per-address limit is configured from the
//! command line (`--lookup-burst`, `--lookup-interval-ms`) and reaches the
//! limiter of the API and of the page.

// Test helpers: a failed set-up must fail the test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};

#[tokio::test]
async fn the_lookup_limit_is_configurable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = vec![
        "--data-dir".to_owned(),
        dir.path().display().to_string(),
        "--lookup-burst".to_owned(),
        "2".to_owned(),
        // Long enough that no token comes back during the test.
        "--lookup-interval-ms".to_owned(),
        "3600000".to_owned(),
    ];
    let server = common::Server::start(&db);
    let client = reqwest::Client::new();
    for path in [
        "/api/v1/public/dossiers/000.00.01.H01-261123-0001",
        "/tra-cuu/000.00.01.H01-261123-0001",
    ] {
        let mut statuses = Vec::new();
        for _ in 0..3 {
            let response = client.get(server.url(path)).send().await.expect("answers");
            statuses.push(response.status().as_u16());
        }
        assert_ne!(statuses[0], 429, "{path}: {statuses:?}");
        assert_ne!(statuses[1], 429, "{path}: {statuses:?}");
        assert_eq!(
            statuses[2], 429,
            "{path}: the third lookup is over the burst of 2"
        );
    }
}

#[test]
fn a_zero_lookup_interval_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(common::BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--lookup-interval-ms",
            "0",
        ])
        .args(["--data-dir", &dir.path().display().to_string()])
        .env("EGOV_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("egov runs");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("lookup_interval_ms"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
