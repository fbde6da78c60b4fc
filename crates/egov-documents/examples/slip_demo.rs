//! Renders a sample receipt slip, signs it with a fresh agency key and writes
//! `receipt.pdf`, `receipt.p7s` and `root.pem` into the folder given as the
//! first argument (default: the current folder). Check it with
//!
//! ```text
//! openssl cms -verify -binary -inform DER -in receipt.p7s -content receipt.pdf \
//!     -CAfile root.pem -purpose any -out /dev/null
//! ```
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".to_owned()));
    let pdf = egov_documents::render_pdf(&common::receipt(
        std::env::var("ROWS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(5),
    ))?;
    std::fs::write(dir.join("receipt.pdf"), &pdf)?;
    eprintln!("receipt.pdf: {} bytes", pdf.len());

    let now = jiff::Timestamp::now();
    let ca = egov_documents::CertificateAuthority::generate("egov Root CA (demo)", now)?;
    let signer = ca.issue_agency("000.00.01.H26", "UBND phường Hoàn Kiếm", now)?;
    std::fs::write(dir.join("receipt.p7s"), signer.sign_detached(&pdf, now)?)?;
    std::fs::write(dir.join("root.pem"), ca.certificate_pem()?)?;
    Ok(())
}
