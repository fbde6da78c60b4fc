//! A third party checks our signatures with the system's `openssl`, and we
//! check openssl's. Skipped, with a note, when `openssl` is not on PATH.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use egov_documents::{render_pdf, verify_detached, CertificateAuthority, VerifyError};
use jiff::Timestamp;

fn openssl_available() -> bool {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("note: `openssl` is not on PATH; skipping the third-party verification test");
    }
    found
}

fn openssl(dir: &Path, args: &[&str]) -> Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl")
}

fn verify_with_openssl(dir: &Path, content: &str, root: &str) -> Output {
    openssl(
        dir,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "result.p7s",
            "-content",
            content,
            "-CAfile",
            root,
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    )
}

fn now() -> Timestamp {
    // Verification by openssl uses the real clock: sign within the
    // certificates' validity as it is today.
    Timestamp::now()
}

#[test]
fn openssl_verifies_our_signature_and_refuses_a_tampered_pdf() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ca = CertificateAuthority::generate("Nền tảng egov - CA gốc", now()).unwrap();
    let signer = ca
        .issue_agency("000.00.01.H26", "UBND phường Hoàn Kiếm", now())
        .unwrap();
    let pdf = render_pdf(&common::receipt(3)).unwrap();
    let signature = signer.sign_detached(&pdf, now()).unwrap();

    std::fs::write(dir.path().join("result.pdf"), &pdf).unwrap();
    std::fs::write(dir.path().join("result.p7s"), &signature).unwrap();
    std::fs::write(dir.path().join("root.pem"), ca.certificate_pem().unwrap()).unwrap();
    let mut tampered = pdf.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x01;
    std::fs::write(dir.path().join("tampered.pdf"), &tampered).unwrap();
    let other = CertificateAuthority::generate("Nền tảng egov - CA gốc", now()).unwrap();
    std::fs::write(
        dir.path().join("other.pem"),
        other.certificate_pem().unwrap(),
    )
    .unwrap();

    let genuine = verify_with_openssl(dir.path(), "result.pdf", "root.pem");
    assert!(
        genuine.status.success(),
        "openssl refused: {}",
        String::from_utf8_lossy(&genuine.stderr)
    );
    assert!(String::from_utf8_lossy(&genuine.stderr).contains("Verification successful"));

    let altered = verify_with_openssl(dir.path(), "tampered.pdf", "root.pem");
    assert!(!altered.status.success(), "openssl accepted a tampered PDF");

    let untrusted = verify_with_openssl(dir.path(), "result.pdf", "other.pem");
    assert!(!untrusted.status.success(), "openssl accepted another root");
}

#[test]
fn we_verify_a_signature_openssl_made_with_an_agency_key() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ca = CertificateAuthority::generate("Nền tảng egov - CA gốc", now()).unwrap();
    let signer = ca.issue_agency("G22.39", "Sở Tư pháp", now()).unwrap();
    let parts = signer.to_pem_parts().unwrap();
    // The chain PEM holds the agency's certificate first: openssl takes it as the signer.
    std::fs::write(dir.path().join("agency.pem"), &parts.certificate_pem).unwrap();
    std::fs::write(
        dir.path().join("agency.key"),
        parts.private_key_pem.as_bytes(),
    )
    .unwrap();
    let pdf = render_pdf(&common::receipt(1)).unwrap();
    std::fs::write(dir.path().join("result.pdf"), &pdf).unwrap();

    let signed = openssl(
        dir.path(),
        &[
            "cms",
            "-sign",
            "-binary",
            "-md",
            "sha256",
            "-in",
            "result.pdf",
            "-signer",
            "agency.pem",
            "-inkey",
            "agency.key",
            "-outform",
            "DER",
            "-out",
            "result.p7s",
        ],
    );
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    let signature = std::fs::read(dir.path().join("result.p7s")).unwrap();

    let root = ca.certificate_pem().unwrap();
    let verified = verify_detached(&pdf, &signature, &root).unwrap();
    assert_eq!(verified.agency_code.as_deref(), Some("G22.39"));
    assert_eq!(verified.signer_common_name, "Sở Tư pháp");
    assert!(matches!(
        verify_detached(b"another document", &signature, &root),
        Err(VerifyError::ContentMismatch)
    ));
}
