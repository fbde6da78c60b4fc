//! Keys, certificates and detached CMS signatures (RFC 5652) of issued results.
//!
//! One algorithm throughout: ECDSA on P-256 with SHA-256 (ES256), the keys in
//! PKCS#8, the certificates X.509 v3 made with RustCrypto's builders.

mod authority;
mod verify;

pub use authority::{AgencySigner, CertificateAuthority, PemParts};
pub use verify::{verify_detached, VerifiedSignature, VerifyError};

use jiff::Timestamp;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::der::asn1::{GeneralizedTime, PrintableStringRef, SetOfVec, UtcTime, Utf8StringRef};
use x509_cert::der::oid::db::rfc4519;
use x509_cert::der::{Any, DateTime, Tag, Tagged};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::time::Time;

/// Errors of making keys and certificates and of signing.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// A name or code given to the authority is not usable in a certificate.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The private key PEM is not a PKCS#8 P-256 key.
    #[error("the private key could not be read (a PKCS#8 PEM P-256 key is expected)")]
    PrivateKey,
    /// The certificate PEM could not be read.
    #[error("the certificate could not be read: {0}")]
    Certificate(String),
    /// The private key does not belong to the certificate.
    #[error("the private key does not belong to the certificate")]
    KeyMismatch,
    /// The time is outside the certificate's validity, so a signature made
    /// then would not verify.
    #[error("{at} is outside the validity of the certificate ({not_before} to {not_after})")]
    OutsideValidity {
        /// The time asked for.
        at: Timestamp,
        /// Start of the validity.
        not_before: Timestamp,
        /// End of the validity.
        not_after: Timestamp,
    },
    /// Encoding or building a structure failed.
    #[error("encoding failed: {0}")]
    Encoding(String),
}

impl From<x509_cert::der::Error> for SigningError {
    fn from(e: x509_cert::der::Error) -> Self {
        SigningError::Encoding(e.to_string())
    }
}

impl From<jiff::Error> for SigningError {
    fn from(e: jiff::Error) -> Self {
        SigningError::InvalidInput(format!("time out of range: {e}"))
    }
}

impl From<x509_cert::builder::Error> for SigningError {
    fn from(e: x509_cert::builder::Error) -> Self {
        SigningError::Encoding(e.to_string())
    }
}

/// The X.509 time of `at`, to the second: UTCTime up to 2049, GeneralizedTime
/// after, as RFC 5280 and RFC 5652 want.
pub(crate) fn x509_time(at: Timestamp) -> Result<Time, SigningError> {
    let seconds = u64::try_from(at.as_second())
        .map_err(|_| SigningError::InvalidInput(format!("time {at} is before 1970")))?;
    let date_time = DateTime::from_unix_duration(std::time::Duration::from_secs(seconds))?;
    Ok(if date_time.year() < 2050 {
        Time::UtcTime(UtcTime::from_date_time(date_time)?)
    } else {
        Time::GeneralTime(GeneralizedTime::from_date_time(date_time))
    })
}

/// The timestamp of an X.509 time.
pub(crate) fn timestamp(time: &Time) -> Timestamp {
    let seconds = i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    Timestamp::from_second(seconds).unwrap_or(Timestamp::MAX)
}

/// One attribute of a distinguished name.
pub(crate) enum NamePart<'a> {
    /// commonName, UTF8String.
    CommonName(&'a str),
    /// organizationName, UTF8String.
    Organization(&'a str),
    /// serialNumber (X.520: PrintableString), which holds the agency code.
    SerialNumber(&'a str),
}

/// A distinguished name of one attribute per RDN, in the given order.
pub(crate) fn name(parts: &[NamePart<'_>]) -> Result<Name, SigningError> {
    let mut rdns = Vec::new();
    for part in parts {
        let (oid, value) = match part {
            NamePart::CommonName(s) => (rfc4519::CN, Any::encode_from(&Utf8StringRef::new(s)?)?),
            NamePart::Organization(s) => (rfc4519::O, Any::encode_from(&Utf8StringRef::new(s)?)?),
            NamePart::SerialNumber(s) => (
                rfc4519::SERIAL_NUMBER,
                Any::encode_from(&PrintableStringRef::new(s).map_err(|_| {
                    SigningError::InvalidInput(format!(
                        "agency code {s:?} may only hold letters, digits, spaces and ' ( ) + , - . / : = ?"
                    ))
                })?)?,
            ),
        };
        let mut set = SetOfVec::new();
        set.insert(AttributeTypeAndValue { oid, value })?;
        rdns.push(RelativeDistinguishedName(set));
    }
    Ok(RdnSequence(rdns))
}

/// The first value of the attribute `oid` in `name`, if it is a string.
pub(crate) fn name_attribute(
    name: &Name,
    oid: x509_cert::der::oid::ObjectIdentifier,
) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid == oid)
        .find_map(|atv| match atv.value.tag() {
            Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
                std::str::from_utf8(atv.value.value())
                    .ok()
                    .map(str::to_owned)
            }
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_to_the_second_on_both_sides_of_2050() {
        for text in [
            "2025-03-05T01:30:00Z",
            "2049-12-31T23:59:59Z",
            "2051-06-01T00:00:00Z",
        ] {
            let at: Timestamp = text.parse().unwrap();
            let time = x509_time(at).unwrap();
            assert_eq!(timestamp(&time), at);
            assert_eq!(
                matches!(time, Time::UtcTime(_)),
                at.as_second() < 2_524_608_000
            );
        }
    }

    #[test]
    fn names_keep_vietnamese_text_and_refuse_unprintable_agency_codes() {
        let n = name(&[
            NamePart::CommonName("Sở Tư pháp Hà Nội"),
            NamePart::SerialNumber("000.00.01.H26"),
        ])
        .unwrap();
        assert_eq!(
            name_attribute(&n, rfc4519::CN).as_deref(),
            Some("Sở Tư pháp Hà Nội")
        );
        assert_eq!(
            name_attribute(&n, rfc4519::SERIAL_NUMBER).as_deref(),
            Some("000.00.01.H26")
        );
        assert_eq!(name_attribute(&n, rfc4519::O), None);
        assert!(matches!(
            name(&[NamePart::SerialNumber("Sở_01")]),
            Err(SigningError::InvalidInput(_))
        ));
    }
}
