//! Printable slips of the one-stop process as PDF, and detached signatures
//! of issued results.
//!
//! No database, no HTTP, no clock (times are passed in); the caller fills and
//! localises every text.
//!
//! # Slips as PDF
//!
//! A [`Slip`] holds the texts of one printable document — the receipt and
//! appointment (giấy tiếp nhận hồ sơ và hẹn trả kết quả), the supplement
//! request (phiếu yêu cầu bổ sung), the refusal (phiếu từ chối), the apology
//! and new appointment (phiếu xin lỗi và hẹn lại ngày trả kết quả), the
//! process control slip (phiếu kiểm soát quá trình), and the result itself
//! (kết quả giải quyết). [`render_pdf`] lays it out on A4 pages with
//! [krilla](https://docs.rs/krilla): texts wrap, a long table continues on
//! further pages under its repeated header row, the QR code (e.g. the public
//! lookup URL) is drawn as vector squares, and the text stays extractable.
//!
//! The font is DejaVu Sans (regular and bold), shipped in `fonts/` under the
//! Bitstream Vera licence (`fonts/LICENSE-DejaVu.txt`, which allows
//! redistribution); it covers Vietnamese fully, and only the glyphs used are
//! embedded, so a one-page slip weighs about 40 KB.
//!
//! # Signed results
//!
//! The platform holds a root [`CertificateAuthority`]; it issues each agency
//! an [`AgencySigner`] (a P-256 key and a certificate naming the agency, its
//! code in the subject's serialNumber). [`AgencySigner::sign_detached`] makes
//! a detached CMS signature (RFC 5652 SignedData, DER, ECDSA P-256 with
//! SHA-256) over the result's PDF bytes, with the certificate chain inside;
//! [`verify_detached`] checks it against the trusted root. Anyone can check
//! it too, with the root certificate only:
//!
//! ```text
//! openssl cms -verify -binary -inform DER -in result.p7s -content result.pdf \
//!     -CAfile root.pem -purpose any -out /dev/null
//! ```
//!
//! Keys and certificates are persisted by the caller as PEM
//! ([`PemParts`]: a PKCS#8 private key and the certificate(s)).
//!
//! ```
//! use egov_documents::{render_pdf, verify_detached, CertificateAuthority, Slip};
//!
//! let now: jiff::Timestamp = "2025-03-05T01:30:00Z".parse()?;
//! let slip = Slip {
//!     title: "KẾT QUẢ GIẢI QUYẾT".to_owned(),
//!     reference: "000.00.01.H26-250305-0001".to_owned(),
//!     fields: vec![("Người nộp:".to_owned(), "Nguyễn Văn A".to_owned())],
//!     ..Slip::default()
//! };
//! let pdf = render_pdf(&slip)?;
//!
//! let ca = CertificateAuthority::generate("egov Root CA", now)?;
//! let signer = ca.issue_agency("000.00.01.H26", "UBND phường Hoàn Kiếm", now)?;
//! let signature = signer.sign_detached(&pdf, now)?;
//!
//! let verified = verify_detached(&pdf, &signature, &ca.certificate_pem()?)?;
//! assert_eq!(verified.agency_code.as_deref(), Some("000.00.01.H26"));
//! assert!(verify_detached(b"another document", &signature, &ca.certificate_pem()?).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod pdf;
mod sign;
mod slip;

pub use pdf::render_pdf;
pub use sign::{
    verify_detached, AgencySigner, CertificateAuthority, PemParts, SigningError, VerifiedSignature,
    VerifyError,
};
pub use slip::{Slip, SlipTable};
/// The wrapper of [`PemParts::private_key_pem`]: wipes the key text from
/// memory when dropped.
pub use x509_cert::der::zeroize::Zeroizing;

/// Errors of rendering a slip.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// An embedded font could not be read (a build defect).
    #[error("the embedded font {0} could not be read")]
    Font(&'static str),
    /// The QR text does not fit in a QR code.
    #[error("the QR code could not be made: {0}")]
    Qr(String),
    /// krilla refused to write the PDF.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}
