//! `CommandScanner` against `sh -c` scripts that behave like `clamdscan -`:
//! read the file on standard input, exit 0 when clean, 1 with a
//! `stream: NAME FOUND` line when infected, 2 on error.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use egov_blobs::CommandScanner;
use egov_ports::blobs::{BlobError, ScanVerdict, VirusScanner};

fn sh(script: &str) -> CommandScanner {
    CommandScanner::new("sh", ["-c", script])
}

/// Infected when the input contains `EICAR`, like a real scanner looks inside.
const FAKE_CLAMDSCAN: &str = r#"
if grep -q EICAR; then
  echo "stream: Eicar-Test-Signature FOUND"
  echo
  echo "----------- SCAN SUMMARY -----------"
  exit 1
fi
echo "stream: OK"
exit 0
"#;

#[tokio::test]
async fn clean_content_is_clean() {
    let verdict = sh(FAKE_CLAMDSCAN).scan(b"%PDF-1.7 harmless").await.unwrap();
    assert_eq!(verdict, ScanVerdict::Clean);
}

#[tokio::test]
async fn infected_content_names_the_signature() {
    let verdict = sh(FAKE_CLAMDSCAN)
        .scan(b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
        .await
        .unwrap();
    assert_eq!(
        verdict,
        ScanVerdict::Infected {
            signature: "Eicar-Test-Signature".into()
        }
    );
}

#[tokio::test]
async fn the_whole_file_reaches_the_scanner() {
    // 4 MiB, far more than a pipe holds, with the marker at the very end.
    let mut bytes = vec![b'a'; 4 * 1024 * 1024];
    bytes.extend_from_slice(b"\nEICAR\n");
    let verdict = sh(FAKE_CLAMDSCAN).scan(&bytes).await.unwrap();
    assert!(
        matches!(verdict, ScanVerdict::Infected { .. }),
        "{verdict:?}"
    );
    // And the same size without it is clean (no deadlock with a chatty scanner).
    let bytes = vec![b'a'; 4 * 1024 * 1024];
    let verdict = sh("cat; exit 0").scan(&bytes).await.unwrap();
    assert_eq!(verdict, ScanVerdict::Clean);
}

#[tokio::test]
async fn other_exit_codes_are_errors() {
    let err = sh("cat >/dev/null; echo 'cannot connect to clamd' >&2; exit 2")
        .scan(b"x")
        .await
        .unwrap_err();
    match err {
        BlobError::Scanner(message) => {
            assert!(message.contains("cannot connect to clamd"), "{message}")
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn clean_without_reading_the_file_is_an_error() {
    let bytes = vec![0u8; 4 * 1024 * 1024];
    let err = sh("exit 0").scan(&bytes).await.unwrap_err();
    assert!(matches!(err, BlobError::Scanner(_)), "{err:?}");
}

#[tokio::test]
async fn killed_scanner_is_an_error() {
    let err = sh("cat >/dev/null; kill -9 $$")
        .scan(b"x")
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::Scanner(_)), "{err:?}");
}

#[tokio::test]
async fn missing_program_is_an_error() {
    let err = CommandScanner::new("/nonexistent/clamdscan", ["-"])
        .scan(b"x")
        .await
        .unwrap_err();
    match err {
        BlobError::Scanner(message) => assert!(message.contains("cannot start"), "{message}"),
        other => panic!("unexpected {other:?}"),
    }
}
