//! Boots the real `egov` binary: help, serve with demo data (twice: the demo
//! set loads once), imports that fail whole, configuration errors. On SQLite,
//! and on PostgreSQL when TEST_DATABASE_URL is set.

// Test helpers: a failed set-up must fail the test.
#![allow(clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_egov");

fn egov(args: &[&str], db: &[String]) -> Output {
    Command::new(BIN)
        .args(args)
        .args(db)
        .env("EGOV_LOG", "warn")
        .output()
        .expect("egov runs")
}

struct Server {
    child: Child,
    addr: String,
    first_lines: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &[String]) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .args(db)
        .env("EGOV_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("egov serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut first_lines = Vec::new();
    let addr = loop {
        let line = lines.next().expect("a line before exit").expect("utf-8");
        first_lines.push(line.clone());
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().expect("address").to_owned();
        }
    };
    Server {
        child,
        addr,
        first_lines,
    }
}

/// A minimal HTTP/1.1 GET (the test needs nothing more).
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connects");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("writes");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("reads");
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn stats(db: &[String]) -> serde_json::Value {
    let out = egov(&["admin", "stats"], db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stats are JSON")
}

/// Database options for each backend: a fresh SQLite folder, and a fresh
/// PostgreSQL database when TEST_DATABASE_URL is set.
fn backends() -> Vec<(String, Vec<String>, Box<dyn std::any::Any>)> {
    let mut out: Vec<(String, Vec<String>, Box<dyn std::any::Any>)> = Vec::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let args = vec!["--data-dir".to_owned(), dir.path().display().to_string()];
    out.push(("sqlite".into(), args, Box::new(dir)));
    if let Some(db) = egov_store::testing::fresh_postgres_database() {
        let args = vec!["--database-url".to_owned(), db.url().to_owned()];
        out.push(("postgres".into(), args, Box::new(db)));
    }
    out
}

#[test]
fn help_explains_the_commands() {
    let out = egov(&["--help"], &[]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for word in ["serve", "migrate", "import", "admin", "--database-url"] {
        assert!(text.contains(word), "help lacks {word}: {text}");
    }
}

#[test]
fn serve_with_demo_data_loads_it_once_and_answers() {
    for (label, db, _guard) in backends() {
        {
            let server = serve(&db);
            assert!(
                server
                    .first_lines
                    .iter()
                    .any(|l| l.contains("demo data loaded")),
                "{label}: {:?}",
                server.first_lines
            );
            let listening = server.first_lines.last().expect("a line");
            assert!(listening.contains("database: "), "{label}: {listening}");
            assert_eq!(get(&server.addr, "/healthz").0, 200, "{label}");
            let (status, body) = get(&server.addr, "/api/v1/procedures?q=dang+ky+khai+sinh");
            assert_eq!(status, 200, "{label}: {body}");
            assert!(body.contains("1.001193"), "{label}: {body}");
        }
        let before = stats(&db);
        assert_eq!(before["procedures"], 37, "{label}: {before}");
        assert_eq!(
            before["admin_units_current"].as_u64().map(|n| n >= 34),
            Some(true)
        );
        let server = serve(&db);
        assert!(
            server
                .first_lines
                .iter()
                .any(|l| l.contains("already loaded")),
            "{label}: {:?}",
            server.first_lines
        );
        drop(server);
        assert_eq!(
            stats(&db),
            before,
            "{label}: a second --demo start changed the data"
        );
    }
}

#[test]
fn a_malformed_import_fails_whole_and_names_the_line() {
    for (label, db, _guard) in backends() {
        let dir = tempfile::tempdir().expect("temp dir");
        let good = dir.path().join("provinces.csv");
        std::fs::write(
            &good,
            "code,name,full_name,administrative_unit_id\n01,Hà Nội,Thành phố Hà Nội,1\n",
        )
        .expect("write");
        let out = egov(
            &["import", "admin-units", good.to_str().expect("utf-8")],
            &db,
        );
        assert!(
            out.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("1 created"),
            "{label}"
        );

        let bad = dir.path().join("bad.csv");
        std::fs::write(
            &bad,
            "code,name,full_name,administrative_unit_id\n79,Hồ Chí Minh,Thành phố Hồ Chí Minh,1\nXX,Lỗi,Tỉnh Lỗi,2\n",
        )
        .expect("write");
        let out = egov(
            &["import", "admin-units", bad.to_str().expect("utf-8")],
            &db,
        );
        assert!(!out.status.success(), "{label}: a bad file must fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("line 3"),
            "{label}: error should name line 3: {err}"
        );
        assert_eq!(
            stats(&db)["admin_units_current"],
            1,
            "{label}: nothing of the bad file is kept"
        );
    }
}

#[test]
fn configuration_mistakes_are_refused_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("egov.toml");
    std::fs::write(&config, "lisen = \"127.0.0.1:1\"\n").expect("write");
    let out = egov(
        &["migrate", "--config", config.to_str().expect("utf-8")],
        &[],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("lisen"));

    let out = egov(
        &["migrate", "--database-url", "mysql://localhost/egov"],
        &[],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("mysql"));
}

/// The README's commands for loading the full reference lists, run as written.
#[test]
fn the_full_reference_lists_import_as_the_readme_says() {
    let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
    if !std::path::Path::new(shared).is_dir() {
        eprintln!("skipped: {shared} is not there");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let db = vec!["--data-dir".to_owned(), dir.path().display().to_string()];
    let units = format!("{shared}/admin-units");
    let steps: Vec<Vec<String>> = [
        "import admin-units {u}/2025/provinces.csv",
        "import admin-units {u}/2025/wards.csv",
        "import admin-units --era pre-2025 {u}/pre-2025/provinces.csv",
        "import admin-units --era pre-2025 {u}/pre-2025/districts.csv",
        "import admin-units --era pre-2025 {u}/pre-2025/wards.csv",
        "import unit-successions {u}/2025-mapping/province_old_to_new.csv",
        "import unit-successions --skip-unknown {u}/2025-mapping/commune_old_to_new.csv",
        "import procedures {s}/procedures/tthc_details.jsonl",
    ]
    .iter()
    .map(|s| {
        s.replace("{u}", &units)
            .replace("{s}", shared)
            .split(' ')
            .map(str::to_owned)
            .collect()
    })
    .collect();
    for step in &steps {
        let args: Vec<&str> = step.iter().map(String::as_str).collect();
        let out = egov(&args, &db);
        assert!(
            out.status.success(),
            "{step:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let s = stats(&db);
    assert_eq!(s["admin_units_current"], 34 + 3_321, "{s}");
    assert_eq!(s["admin_units_pre_2025"], 63 + 696 + 10_035, "{s}");
    assert_eq!(s["procedures"], 2_642, "{s}");

    // Phường Phúc Xá (00001, Ba Đình, before the reform) is part of today's Phường Hồng Hà (00097).
    let out = egov(&["admin", "unit", "00001", "--era", "pre-2025"], &db);
    assert!(out.status.success());
    let unit: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let linked: Vec<&str> = unit["linked"]
        .as_array()
        .expect("linked units")
        .iter()
        .filter_map(|l| l["unit"]["code"].as_str())
        .collect();
    assert_eq!(linked, ["00097"], "{unit}");

    // Importing the same list again changes nothing and makes no new versions.
    let again: Vec<&str> = steps
        .last()
        .expect("a step")
        .iter()
        .map(String::as_str)
        .collect();
    let out = egov(&again, &db);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("0 created, 0 updated, 2642 unchanged"),
        "{text}"
    );
}
