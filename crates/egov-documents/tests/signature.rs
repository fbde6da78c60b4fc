//! Detached CMS signatures: round trip, and every way a signature must be refused.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use egov_documents::{
    render_pdf, verify_detached, AgencySigner, CertificateAuthority, VerifyError,
};
use jiff::{SignedDuration, Timestamp};

fn now() -> Timestamp {
    "2025-03-05T01:30:00Z".parse().unwrap()
}

struct Setup {
    ca: CertificateAuthority,
    root_pem: String,
    signer: AgencySigner,
    pdf: Vec<u8>,
    signature: Vec<u8>,
}

fn setup() -> Setup {
    let ca = CertificateAuthority::generate("Nền tảng egov - CA gốc", now()).unwrap();
    let signer = ca
        .issue_agency("000.00.01.H26", "UBND phường Hoàn Kiếm", now())
        .unwrap();
    let pdf = render_pdf(&common::receipt(2)).unwrap();
    let signed_at = now() + SignedDuration::from_mins(10);
    let signature = signer.sign_detached(&pdf, signed_at).unwrap();
    Setup {
        root_pem: ca.certificate_pem().unwrap(),
        ca,
        signer,
        pdf,
        signature,
    }
}

#[test]
fn a_signature_verifies_and_names_the_agency() {
    let s = setup();
    let verified = verify_detached(&s.pdf, &s.signature, &s.root_pem).unwrap();
    assert_eq!(verified.signer_common_name, "UBND phường Hoàn Kiếm");
    assert_eq!(
        verified.signer_organization.as_deref(),
        Some("UBND phường Hoàn Kiếm")
    );
    assert_eq!(verified.agency_code.as_deref(), Some("000.00.01.H26"));
    assert_eq!(verified.signing_time, now() + SignedDuration::from_mins(10));
    assert_eq!(
        verified
            .certificate_chain_pem
            .matches("BEGIN CERTIFICATE")
            .count(),
        2
    );
    assert!(verified.certificate_chain_pem.ends_with(&s.root_pem));
    assert!(verified
        .certificate_chain_pem
        .starts_with(&s.signer.certificate_chain_pem().unwrap()[..64]));
}

#[test]
fn a_signer_and_an_authority_reloaded_from_pem_keep_working() {
    let s = setup();
    let parts = s.signer.to_pem_parts().unwrap();
    let signer =
        AgencySigner::from_pem_parts(&parts.private_key_pem, &parts.certificate_pem).unwrap();
    let signature = signer.sign_detached(b"ket qua", now()).unwrap();
    verify_detached(b"ket qua", &signature, &s.root_pem).unwrap();

    let ca_parts = s.ca.to_pem_parts().unwrap();
    let ca =
        CertificateAuthority::from_pem_parts(&ca_parts.private_key_pem, &ca_parts.certificate_pem)
            .unwrap();
    let other_agency = ca.issue_agency("G22.39", "Sở Tư pháp", now()).unwrap();
    let signature = other_agency.sign_detached(b"ket qua", now()).unwrap();
    let verified = verify_detached(b"ket qua", &signature, &s.root_pem).unwrap();
    assert_eq!(verified.agency_code.as_deref(), Some("G22.39"));
}

#[test]
fn one_flipped_byte_of_the_pdf_is_detected() {
    let s = setup();
    for position in [0, s.pdf.len() / 2, s.pdf.len() - 1] {
        let mut tampered = s.pdf.clone();
        tampered[position] ^= 0x01;
        assert!(
            matches!(
                verify_detached(&tampered, &s.signature, &s.root_pem),
                Err(VerifyError::ContentMismatch)
            ),
            "byte {position}"
        );
    }
    let mut longer = s.pdf.clone();
    longer.push(b'\n');
    assert!(matches!(
        verify_detached(&longer, &s.signature, &s.root_pem),
        Err(VerifyError::ContentMismatch)
    ));
}

#[test]
fn another_root_is_not_trusted() {
    let s = setup();
    let other = CertificateAuthority::generate("Nền tảng egov - CA gốc", now()).unwrap();
    assert!(matches!(
        verify_detached(&s.pdf, &s.signature, &other.certificate_pem().unwrap()),
        Err(VerifyError::Untrusted(_))
    ));
}

#[test]
fn a_signature_by_an_agency_of_another_authority_is_not_trusted() {
    let s = setup();
    // Same names, different authority: only the keys tell them apart.
    let impostor_ca = CertificateAuthority::generate("Nền tảng egov - CA gốc", now()).unwrap();
    let impostor = impostor_ca
        .issue_agency("000.00.01.H26", "UBND phường Hoàn Kiếm", now())
        .unwrap();
    let forged = impostor.sign_detached(&s.pdf, now()).unwrap();
    assert!(matches!(
        verify_detached(&s.pdf, &forged, &s.root_pem),
        Err(VerifyError::Untrusted(_))
    ));
}

#[test]
fn garbage_is_refused_without_panicking() {
    let s = setup();
    for garbage in [
        &b""[..],
        b"\x30",
        b"\x30\x80\x00\x00",
        b"-----BEGIN PKCS7-----",
        &s.pdf[..200],
        &[0xff; 64],
    ] {
        assert!(
            matches!(
                verify_detached(&s.pdf, garbage, &s.root_pem),
                Err(VerifyError::Malformed(_))
            ),
            "{garbage:?}"
        );
    }
    assert!(matches!(
        verify_detached(&s.pdf, &s.signature, "not a certificate"),
        Err(VerifyError::TrustedRoot(_))
    ));
}

#[test]
fn every_truncation_of_the_signature_is_refused() {
    let s = setup();
    for length in 0..s.signature.len() {
        assert!(
            verify_detached(&s.pdf, &s.signature[..length], &s.root_pem).is_err(),
            "accepted at {length} bytes"
        );
    }
}

#[test]
fn no_flipped_bit_of_the_signature_changes_what_it_proves() {
    // Flipping a bit of a signed part (attributes, signature value,
    // certificate) must be refused; so is a flip of the few unsigned parts
    // (version numbers, the list of digest algorithms), which must agree with
    // the rest. Should one ever verify, it must prove exactly the same thing.
    let s = setup();
    let genuine = verify_detached(&s.pdf, &s.signature, &s.root_pem).unwrap();
    let mut accepted = 0;
    for position in 0..s.signature.len() {
        let mut flipped = s.signature.clone();
        flipped[position] ^= 0x01;
        if let Ok(verified) = verify_detached(&s.pdf, &flipped, &s.root_pem) {
            assert_eq!(verified, genuine, "byte {position}");
            accepted += 1;
        }
    }
    assert_eq!(accepted, 0, "{accepted} flips accepted");
}

#[test]
fn a_signature_made_after_the_certificate_expired_is_refused() {
    // The signer refuses to sign outside its validity, so forge the case with
    // an agency certificate issued long ago.
    let long_ago: Timestamp = "2019-01-01T00:00:00Z".parse().unwrap();
    let ca = CertificateAuthority::generate("CA", long_ago).unwrap();
    let signer = ca.issue_agency("G01", "Sở Tư pháp", long_ago).unwrap();
    let within = long_ago + SignedDuration::from_hours(24 * 365);
    let signature = signer.sign_detached(b"x", within).unwrap();
    verify_detached(b"x", &signature, &ca.certificate_pem().unwrap()).unwrap();
    let after_expiry = long_ago + SignedDuration::from_hours(24 * 365 * 6);
    assert!(signer.sign_detached(b"x", after_expiry).is_err());
}
