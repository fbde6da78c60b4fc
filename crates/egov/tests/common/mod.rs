//! Helpers of the tests that run the real `egov` binary: the database
//! options of each backend, a server started on a free port and stopped (or
//! killed) when done, and a citizen's HTTP client for the dossier API.

// Test helpers: a failed set-up must fail the test.
#![allow(clippy::expect_used, clippy::unwrap_used, dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_egov");

/// The demo citizen (README, "Demo accounts").
pub const CITIZEN_LOGIN: &str = "001203012345";
pub const CITIZEN_PASSWORD: &str = "demo-congdan-2025";

/// A small, well-formed PDF.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// Runs an `egov` command to its end on the database `db`.
pub fn egov(args: &[&str], db: &[String]) -> Output {
    Command::new(BIN)
        .args(args)
        .args(db)
        .env("EGOV_LOG", "warn")
        .output()
        .expect("egov runs")
}

/// One backend: its name, the database options of every command, and what
/// keeps the database alive (a temporary folder or a test database).
pub struct Backend {
    pub label: &'static str,
    pub args: Vec<String>,
    _guard: Box<dyn std::any::Any>,
}

/// A fresh SQLite data folder, and a fresh PostgreSQL database when
/// TEST_DATABASE_URL is set.
pub fn backends() -> Vec<Backend> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().expect("temp dir");
    out.push(Backend {
        label: "sqlite",
        args: vec!["--data-dir".to_owned(), dir.path().display().to_string()],
        _guard: Box::new(dir),
    });
    if let Some(db) = egov_store::testing::fresh_postgres_database() {
        // Uploaded files still go to a data folder.
        let dir = tempfile::tempdir().expect("temp dir");
        out.push(Backend {
            label: "postgres",
            args: vec![
                "--database-url".to_owned(),
                db.url().to_owned(),
                "--data-dir".to_owned(),
                dir.path().display().to_string(),
            ],
            _guard: Box::new((db, dir)),
        });
    }
    out
}

/// `egov serve --demo` on a port the system picks; killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    /// Starts the server and waits until it listens (it prints its address
    /// once the database is migrated and the demo data loaded).
    pub fn start(db: &[String]) -> Self {
        let mut child = Command::new(BIN)
            .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .args(db)
            .env("EGOV_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("egov serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        // Reads the address, then keeps draining stdout so that the server
        // never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    if let (Some(tx), Some(addr)) = (tx.take(), rest.split_whitespace().next()) {
                        let _ = tx.send(addr.to_owned());
                    }
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the server prints its address before it exits");
        Self { child, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Kills the process with SIGKILL — on Unix `std::process::Child::kill`
    /// sends SIGKILL, which cannot be caught: no graceful shutdown, no flush,
    /// open transactions cut where they are — and reaps it.
    pub fn kill(mut self) {
        self.child.kill().expect("kill the server");
        self.child.wait().expect("reap the server");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client of the JSON API signed in with a session cookie (and the
/// `X-Requested-With` header the API wants with it).
pub async fn signed_in(base: &str, login: &str, password: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-requested-with",
        reqwest::header::HeaderValue::from_static("XMLHttpRequest"),
    );
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("HTTP client");
    let response = client
        .post(format!("{base}/api/v1/sessions"))
        .json(&serde_json::json!({"login": login, "password": password}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(
        response.status(),
        201,
        "sign in: {}",
        response.text().await.unwrap_or_default()
    );
    client
}

const BOUNDARY: &str = "egov-test-boundary-4f1c2b9d";

/// A `multipart/form-data` upload body: `document_key` and one file.
pub fn upload_body(
    document_key: &str,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"document_key\"\r\n\r\n{document_key}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}
