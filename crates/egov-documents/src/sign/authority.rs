//! The platform's certificate authority, the agencies' signing keys, and
//! detached signing.

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use jiff::{SignedDuration, Timestamp};
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::asn1::SetOfVec;
use x509_cert::der::oid::db::{rfc5911, rfc5912};
use x509_cert::der::zeroize::Zeroizing;
use x509_cert::der::{Any, DecodePem, Encode, EncodePem};
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, EncodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::time::Validity;
use x509_cert::Certificate;

use super::{name, timestamp, x509_time, NamePart, SigningError};

/// How long a root certificate is valid.
const ROOT_VALIDITY: SignedDuration = SignedDuration::from_hours(20 * 365 * 24);
/// How long an agency certificate is valid (never past its root's end).
const AGENCY_VALIDITY: SignedDuration = SignedDuration::from_hours(5 * 365 * 24);
/// Certificates start this much before the time they are made at, so a
/// clock a little behind still accepts them.
const BACKDATE: SignedDuration = SignedDuration::from_hours(1);

/// A private key and certificate(s) in PEM, to persist and load again.
#[derive(Clone)]
pub struct PemParts {
    /// The private key, PKCS#8 PEM ("BEGIN PRIVATE KEY"); wiped from memory on drop.
    pub private_key_pem: Zeroizing<String>,
    /// The certificate PEM; for an agency, its certificate followed by its
    /// issuer's (the chain).
    pub certificate_pem: String,
}

impl std::fmt::Debug for PemParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PemParts")
            .field("private_key_pem", &"<redacted>")
            .field("certificate_pem", &self.certificate_pem)
            .finish()
    }
}

/// Certificate authority (tổ chức cung cấp dịch vụ chứng thực) of the
/// platform: a P-256 root key and its self-signed certificate, which issues
/// the agencies' signing certificates. Third parties trust results by
/// trusting its certificate ([`CertificateAuthority::certificate_pem`]).
pub struct CertificateAuthority {
    key: SigningKey,
    certificate: Certificate,
}

/// Agency signer: an agency's P-256 key and the certificate the platform's
/// authority issued it, which name the agency (common name and organisation:
/// its name; serialNumber: its code). Signs issued results.
pub struct AgencySigner {
    key: SigningKey,
    certificate: Certificate,
    /// The issuers' certificates, nearest first (the root's).
    issuers: Vec<Certificate>,
}

impl std::fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAuthority")
            .field(
                "subject",
                &self.certificate.tbs_certificate.subject.to_string(),
            )
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for AgencySigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgencySigner")
            .field(
                "subject",
                &self.certificate.tbs_certificate.subject.to_string(),
            )
            .finish_non_exhaustive()
    }
}

impl CertificateAuthority {
    /// Makes a new root key and a self-signed certificate for `common_name`,
    /// valid from an hour before `now` for 20 years.
    pub fn generate(common_name: &str, now: Timestamp) -> Result<Self, SigningError> {
        let common_name = non_empty(common_name, "the authority's common name")?;
        let key = SigningKey::random(&mut OsRng);
        let subject = name(&[NamePart::CommonName(common_name)])?;
        let validity = validity(now, now.saturating_add(ROOT_VALIDITY)?)?;
        let builder = CertificateBuilder::new(
            Profile::Root,
            random_serial()?,
            validity,
            subject,
            public_key_info(&key)?,
            &key,
        )?;
        let certificate = builder.build::<DerSignature>()?;
        Ok(CertificateAuthority { key, certificate })
    }

    /// The root certificate, PEM: what verifiers trust.
    pub fn certificate_pem(&self) -> Result<String, SigningError> {
        Ok(self.certificate.to_pem(LineEnding::LF)?)
    }

    /// The key (PKCS#8 PEM) and the certificate (PEM), to persist.
    pub fn to_pem_parts(&self) -> Result<PemParts, SigningError> {
        Ok(PemParts {
            private_key_pem: private_key_pem(&self.key)?,
            certificate_pem: self.certificate_pem()?,
        })
    }

    /// Loads an authority saved with [`CertificateAuthority::to_pem_parts`].
    pub fn from_pem_parts(
        private_key_pem: &str,
        certificate_pem: &str,
    ) -> Result<Self, SigningError> {
        let key =
            SigningKey::from_pkcs8_pem(private_key_pem).map_err(|_| SigningError::PrivateKey)?;
        let certificate = Certificate::from_pem(certificate_pem.trim().as_bytes())
            .map_err(|e| SigningError::Certificate(e.to_string()))?;
        check_key_matches(&key, &certificate)?;
        Ok(CertificateAuthority { key, certificate })
    }

    /// Issues a signing certificate to an agency: a new key, and a
    /// certificate naming it (common name and organisation: `agency_name`;
    /// serialNumber: `agency_code`), valid from an hour before `now` for 5
    /// years but not past the root's own end.
    ///
    /// `agency_code` must be a PrintableString (letters, digits, space and
    /// `'()+,-./:=?`), as agency codes of the national catalogue are.
    pub fn issue_agency(
        &self,
        agency_code: &str,
        agency_name: &str,
        now: Timestamp,
    ) -> Result<AgencySigner, SigningError> {
        let agency_code = non_empty(agency_code, "the agency code")?;
        let agency_name = non_empty(agency_name, "the agency name")?;
        let root = &self.certificate.tbs_certificate;
        let root_end = timestamp(&root.validity.not_after);
        check_valid_at(&self.certificate, now)?;
        let end = now.saturating_add(AGENCY_VALIDITY)?.min(root_end);

        let key = SigningKey::random(&mut OsRng);
        let subject = name(&[
            NamePart::SerialNumber(agency_code),
            NamePart::Organization(agency_name),
            NamePart::CommonName(agency_name),
        ])?;
        let profile = Profile::Leaf {
            issuer: root.subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let builder = CertificateBuilder::new(
            profile,
            random_serial()?,
            validity(now, end)?,
            subject,
            public_key_info(&key)?,
            &self.key,
        )?;
        let certificate = builder.build::<DerSignature>()?;
        Ok(AgencySigner {
            key,
            certificate,
            issuers: vec![self.certificate.clone()],
        })
    }
}

impl AgencySigner {
    /// The key (PKCS#8 PEM) and the certificate chain (PEM, the agency's
    /// certificate first), to persist.
    pub fn to_pem_parts(&self) -> Result<PemParts, SigningError> {
        Ok(PemParts {
            private_key_pem: private_key_pem(&self.key)?,
            certificate_pem: self.certificate_chain_pem()?,
        })
    }

    /// Loads a signer saved with [`AgencySigner::to_pem_parts`]: the key and
    /// the chain, the agency's certificate first.
    pub fn from_pem_parts(
        private_key_pem: &str,
        certificate_chain_pem: &str,
    ) -> Result<Self, SigningError> {
        let key =
            SigningKey::from_pkcs8_pem(private_key_pem).map_err(|_| SigningError::PrivateKey)?;
        let mut chain = Certificate::load_pem_chain(certificate_chain_pem.trim().as_bytes())
            .map_err(|e| SigningError::Certificate(e.to_string()))?;
        if chain.is_empty() {
            return Err(SigningError::Certificate(
                "no certificate in the PEM".to_owned(),
            ));
        }
        let certificate = chain.remove(0);
        check_key_matches(&key, &certificate)?;
        Ok(AgencySigner {
            key,
            certificate,
            issuers: chain,
        })
    }

    /// The agency's certificate then its issuers', PEM.
    pub fn certificate_chain_pem(&self) -> Result<String, SigningError> {
        let mut pem = String::new();
        for certificate in std::iter::once(&self.certificate).chain(&self.issuers) {
            pem.push_str(&certificate.to_pem(LineEnding::LF)?);
        }
        Ok(pem)
    }

    /// A detached CMS signature (RFC 5652 SignedData, DER) of `content`: the
    /// content is not embedded; the signed attributes hold its SHA-256
    /// digest, the content type (id-data) and `signing_time`; the agency's
    /// certificate (and any intermediate, not the root) is included so anyone
    /// holding the root certificate can verify.
    ///
    /// Fails with [`SigningError::OutsideValidity`] when `signing_time` is
    /// outside the agency certificate's validity.
    pub fn sign_detached(
        &self,
        content: &[u8],
        signing_time: Timestamp,
    ) -> Result<Vec<u8>, SigningError> {
        check_valid_at(&self.certificate, signing_time)?;
        let digest = Sha256::digest(content);
        let content_info = EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent: None,
        };
        let digest_algorithm = AlgorithmIdentifierOwned {
            oid: rfc5912::ID_SHA_256,
            parameters: None,
        };
        let tbs = &self.certificate.tbs_certificate;
        let signer_id = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer.clone(),
            serial_number: tbs.serial_number.clone(),
        });
        let mut signer_info = SignerInfoBuilder::new(
            &self.key,
            signer_id,
            digest_algorithm.clone(),
            &content_info,
            Some(digest.as_slice()),
        )
        .map_err(cms_error)?;
        signer_info
            .add_signed_attribute(signing_time_attribute(signing_time)?)
            .map_err(cms_error)?;

        let mut signed_data = SignedDataBuilder::new(&content_info);
        signed_data
            .add_digest_algorithm(digest_algorithm)
            .map_err(cms_error)?;
        // The chain without the self-signed root: verifiers bring their own
        // trusted copy of it.
        let chain = std::iter::once(&self.certificate).chain(
            self.issuers
                .iter()
                .filter(|c| c.tbs_certificate.subject != c.tbs_certificate.issuer),
        );
        for certificate in chain {
            signed_data
                .add_certificate(CertificateChoices::Certificate(certificate.clone()))
                .map_err(cms_error)?;
        }
        signed_data
            .add_signer_info::<SigningKey, DerSignature>(signer_info)
            .map_err(cms_error)?;
        Ok(signed_data.build().map_err(cms_error)?.to_der()?)
    }
}

fn cms_error(e: impl std::fmt::Display) -> SigningError {
    SigningError::Encoding(format!("CMS: {e}"))
}

fn non_empty<'a>(text: &'a str, what: &str) -> Result<&'a str, SigningError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SigningError::InvalidInput(format!("{what} is empty")));
    }
    Ok(text)
}

/// A random positive serial number of 16 bytes (RFC 5280: at most 20, and
/// CAs should put 64 random bits or more in it).
fn random_serial() -> Result<SerialNumber, SigningError> {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    // Positive and without a leading zero byte.
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::new(&bytes)?)
}

fn validity(now: Timestamp, end: Timestamp) -> Result<Validity, SigningError> {
    Ok(Validity {
        not_before: x509_time(now.saturating_sub(BACKDATE)?)?,
        not_after: x509_time(end)?,
    })
}

fn public_key_info(key: &SigningKey) -> Result<SubjectPublicKeyInfoOwned, SigningError> {
    let der = key
        .verifying_key()
        .to_public_key_der()
        .map_err(|e| SigningError::Encoding(e.to_string()))?;
    SubjectPublicKeyInfoOwned::try_from(der.as_bytes())
        .map_err(|e| SigningError::Encoding(e.to_string()))
}

fn private_key_pem(key: &SigningKey) -> Result<Zeroizing<String>, SigningError> {
    key.to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| SigningError::Encoding(e.to_string()))
}

fn check_key_matches(key: &SigningKey, certificate: &Certificate) -> Result<(), SigningError> {
    if public_key_info(key)? != certificate.tbs_certificate.subject_public_key_info {
        return Err(SigningError::KeyMismatch);
    }
    Ok(())
}

fn check_valid_at(certificate: &Certificate, at: Timestamp) -> Result<(), SigningError> {
    let validity = &certificate.tbs_certificate.validity;
    let (not_before, not_after) = (
        timestamp(&validity.not_before),
        timestamp(&validity.not_after),
    );
    if at < not_before || at > not_after {
        return Err(SigningError::OutsideValidity {
            at,
            not_before,
            not_after,
        });
    }
    Ok(())
}

/// The signing-time attribute (RFC 5652 § 11.3) of `at`.
fn signing_time_attribute(at: Timestamp) -> Result<x509_cert::attr::Attribute, SigningError> {
    let time = x509_time(at)?;
    let mut values = SetOfVec::new();
    values.insert(Any::encode_from(&time)?)?;
    Ok(x509_cert::attr::Attribute {
        oid: rfc5911::ID_SIGNING_TIME,
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_cert::der::oid::db::rfc4519;
    use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};

    fn now() -> Timestamp {
        "2025-03-05T01:30:00Z".parse().unwrap()
    }

    #[test]
    fn the_root_is_a_ca_and_the_agency_certificate_is_not() {
        let ca = CertificateAuthority::generate("Nền tảng egov - CA gốc", now()).unwrap();
        let root = &ca.certificate.tbs_certificate;
        assert_eq!(root.issuer, root.subject);
        let (_, basic) = root.get::<BasicConstraints>().unwrap().unwrap();
        assert!(basic.ca);
        let (_, usage) = root.get::<KeyUsage>().unwrap().unwrap();
        assert!(usage.key_cert_sign());

        let signer = ca
            .issue_agency("000.00.01.H26", "UBND phường Hoàn Kiếm", now())
            .unwrap();
        let leaf = &signer.certificate.tbs_certificate;
        assert_eq!(leaf.issuer, root.subject);
        let (_, basic) = leaf.get::<BasicConstraints>().unwrap().unwrap();
        assert!(!basic.ca);
        let (_, usage) = leaf.get::<KeyUsage>().unwrap().unwrap();
        assert!(usage.digital_signature() && usage.non_repudiation() && !usage.key_cert_sign());
        assert_eq!(
            super::super::name_attribute(&leaf.subject, rfc4519::SERIAL_NUMBER).as_deref(),
            Some("000.00.01.H26")
        );
        assert_ne!(leaf.serial_number, root.serial_number);
    }

    #[test]
    fn an_agency_certificate_ends_no_later_than_its_root() {
        let ca = CertificateAuthority::generate("CA", now()).unwrap();
        let root_end = timestamp(&ca.certificate.tbs_certificate.validity.not_after);
        let late = root_end
            .saturating_sub(SignedDuration::from_hours(24))
            .unwrap();
        let signer = ca.issue_agency("G01", "Sở Tư pháp", late).unwrap();
        assert_eq!(
            timestamp(&signer.certificate.tbs_certificate.validity.not_after),
            root_end
        );
        let agency_end = timestamp(
            &ca.issue_agency("G01", "Sở Tư pháp", now())
                .unwrap()
                .certificate
                .tbs_certificate
                .validity
                .not_after,
        );
        assert!(agency_end < root_end);
    }

    #[test]
    fn pem_parts_round_trip_and_a_foreign_key_is_refused() {
        let ca = CertificateAuthority::generate("CA", now()).unwrap();
        let parts = ca.to_pem_parts().unwrap();
        assert!(parts
            .private_key_pem
            .starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(!format!("{parts:?}").contains("BEGIN PRIVATE KEY"));
        let loaded =
            CertificateAuthority::from_pem_parts(&parts.private_key_pem, &parts.certificate_pem)
                .unwrap();
        assert_eq!(loaded.certificate, ca.certificate);

        let signer = ca.issue_agency("G01", "Sở Tư pháp", now()).unwrap();
        let signer_parts = signer.to_pem_parts().unwrap();
        assert_eq!(
            signer_parts
                .certificate_pem
                .matches("BEGIN CERTIFICATE")
                .count(),
            2
        );
        let loaded = AgencySigner::from_pem_parts(
            &signer_parts.private_key_pem,
            &signer_parts.certificate_pem,
        )
        .unwrap();
        assert_eq!(loaded.certificate, signer.certificate);
        assert_eq!(loaded.issuers, signer.issuers);

        let other = CertificateAuthority::generate("Other", now())
            .unwrap()
            .to_pem_parts()
            .unwrap();
        assert!(matches!(
            CertificateAuthority::from_pem_parts(&other.private_key_pem, &parts.certificate_pem),
            Err(SigningError::KeyMismatch)
        ));
        assert!(matches!(
            CertificateAuthority::from_pem_parts("not a key", &parts.certificate_pem),
            Err(SigningError::PrivateKey)
        ));
        assert!(matches!(
            AgencySigner::from_pem_parts(&signer_parts.private_key_pem, "garbage"),
            Err(SigningError::Certificate(_))
        ));
    }

    #[test]
    fn signing_outside_the_certificate_validity_is_refused() {
        let ca = CertificateAuthority::generate("CA", now()).unwrap();
        let signer = ca.issue_agency("G01", "Sở Tư pháp", now()).unwrap();
        let before = now()
            .saturating_sub(SignedDuration::from_hours(48))
            .unwrap();
        assert!(matches!(
            signer.sign_detached(b"x", before),
            Err(SigningError::OutsideValidity { .. })
        ));
    }

    #[test]
    fn empty_names_are_refused() {
        assert!(matches!(
            CertificateAuthority::generate("  ", now()),
            Err(SigningError::InvalidInput(_))
        ));
        let ca = CertificateAuthority::generate("CA", now()).unwrap();
        assert!(matches!(
            ca.issue_agency("", "Sở", now()),
            Err(SigningError::InvalidInput(_))
        ));
        assert!(matches!(
            ca.issue_agency("G01", "", now()),
            Err(SigningError::InvalidInput(_))
        ));
    }
}
