//! Verification of detached CMS signatures against a trusted root.

use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use jiff::Timestamp;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use x509_cert::der::asn1::{ObjectIdentifier, OctetStringRef};
use x509_cert::der::oid::db::{rfc4519, rfc5911, rfc5912};
use x509_cert::der::pem::LineEnding;
use x509_cert::der::{Decode, DecodePem, Encode, EncodePem};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::time::Time;
use x509_cert::Certificate;

use super::{name_attribute, timestamp};

/// The longest chain followed from the signer to the root (intermediates included).
const MAX_CHAIN: usize = 5;

/// What a valid signature says: who signed, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The common name of the signer's certificate (the agency's name).
    pub signer_common_name: String,
    /// The organisation of the signer's certificate, if it names one.
    pub signer_organization: Option<String>,
    /// The agency code: the serialNumber attribute of the signer's
    /// certificate subject, if it has one.
    pub agency_code: Option<String>,
    /// The signing time the signer declared (signed attribute), to the second.
    pub signing_time: Timestamp,
    /// The chain that was checked, PEM: the signer's certificate first, the
    /// trusted root last.
    pub certificate_chain_pem: String,
}

/// Why a signature was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The trusted root PEM could not be read.
    #[error("the trusted root certificate could not be read: {0}")]
    TrustedRoot(String),
    /// Not a DER CMS SignedData structure.
    #[error("the signature is not a well-formed CMS SignedData (DER): {0}")]
    Malformed(String),
    /// The signature embeds its content; a detached one is expected.
    #[error("the signature embeds its content; a detached signature is expected")]
    NotDetached,
    /// Not exactly one signer.
    #[error("the signature has {0} signers; exactly one is expected")]
    SignerCount(usize),
    /// An algorithm other than SHA-256 with ECDSA P-256.
    #[error("unsupported algorithm {0}: only SHA-256 with ECDSA on P-256 is accepted")]
    UnsupportedAlgorithm(String),
    /// A required signed attribute is missing or malformed.
    #[error("the signed attribute {0} is missing or malformed")]
    MissingAttribute(&'static str),
    /// The content's digest differs from the signed one.
    #[error(
        "the content does not match the signature: it was altered or is not the signed document"
    )]
    ContentMismatch,
    /// The signer's certificate is not among the signature's certificates.
    #[error("the signer's certificate is not included in the signature")]
    SignerCertificateMissing,
    /// The signature value does not verify with the signer's key.
    #[error("the signature value is not valid for the signer's certificate")]
    BadSignature,
    /// The signer's certificate does not chain to the trusted root.
    #[error("the signer's certificate does not chain to the trusted root: {0}")]
    Untrusted(String),
    /// A certificate of the chain was not valid at the signing time.
    #[error("certificate \"{subject}\" was not valid at the signing time {at}")]
    NotValidAt {
        /// The certificate's subject.
        subject: String,
        /// The signing time.
        at: Timestamp,
    },
}

fn malformed(e: impl std::fmt::Display) -> VerifyError {
    VerifyError::Malformed(e.to_string())
}

/// Verifies a detached CMS signature of `content` (as made by
/// [`AgencySigner::sign_detached`](crate::AgencySigner::sign_detached), or by
/// `openssl cms -sign -binary -outform DER` with a P-256 key) against the
/// trusted root certificate `trusted_root_pem`.
///
/// Checks, in order: the structure (one signer, detached, SHA-256 and ECDSA
/// P-256), that the signed message digest is the content's SHA-256, the
/// signature over the signed attributes with the signer's certificate, and
/// that the signer's certificate chains to the trusted root through the
/// certificates in the signature — each link's signature, CA flags and key
/// usages, and every certificate's validity at the declared signing time.
///
/// The signing time is the signer's own claim (there is no timestamp
/// authority) and revocation is not checked (there are no CRLs yet): a caller
/// that keeps its own record of when a result was issued should compare it
/// with [`VerifiedSignature::signing_time`].
///
/// Never panics on bad input; every refusal is a [`VerifyError`].
pub fn verify_detached(
    content: &[u8],
    signature_der: &[u8],
    trusted_root_pem: &str,
) -> Result<VerifiedSignature, VerifyError> {
    let root = Certificate::from_pem(trusted_root_pem.trim().as_bytes())
        .map_err(|e| VerifyError::TrustedRoot(e.to_string()))?;

    let content_info = ContentInfo::from_der(signature_der).map_err(malformed)?;
    if content_info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(VerifyError::Malformed(format!(
            "content type {} is not signed-data",
            content_info.content_type
        )));
    }
    let signed_data: SignedData = content_info.content.decode_as().map_err(malformed)?;
    if signed_data.encap_content_info.econtent.is_some() {
        return Err(VerifyError::NotDetached);
    }
    if signed_data.encap_content_info.econtent_type != rfc5911::ID_DATA {
        return Err(VerifyError::Malformed(
            "the signed content type is not id-data".to_owned(),
        ));
    }
    let signer_infos: Vec<&SignerInfo> = signed_data.signer_infos.0.iter().collect();
    let [signer_info] = signer_infos.as_slice() else {
        return Err(VerifyError::SignerCount(signer_infos.len()));
    };
    // RFC 5652 § 5.1 and § 5.3: the version numbers follow from the contents.
    let signer_version = match signer_info.sid {
        SignerIdentifier::IssuerAndSerialNumber(_) => CmsVersion::V1,
        SignerIdentifier::SubjectKeyIdentifier(_) => CmsVersion::V3,
    };
    if signer_info.version != signer_version
        || !matches!(
            signed_data.version,
            CmsVersion::V1 | CmsVersion::V3 | CmsVersion::V4 | CmsVersion::V5
        )
    {
        return Err(VerifyError::Malformed("wrong version numbers".to_owned()));
    }
    expect_algorithm(&signer_info.digest_alg.oid, rfc5912::ID_SHA_256)?;
    // The (unsigned) list of the signers' digest algorithms must name it too.
    if !signed_data
        .digest_algorithms
        .iter()
        .any(|a| a.oid == rfc5912::ID_SHA_256)
    {
        return Err(VerifyError::Malformed(
            "SHA-256 is not among the digest algorithms".to_owned(),
        ));
    }
    expect_algorithm(
        &signer_info.signature_algorithm.oid,
        rfc5912::ECDSA_WITH_SHA_256,
    )?;

    // The signed attributes: content type, message digest, signing time.
    let attributes = signer_info
        .signed_attrs
        .as_ref()
        .ok_or(VerifyError::MissingAttribute("signed attributes"))?;
    let single_value = |oid: ObjectIdentifier, what: &'static str| {
        let mut found = attributes.iter().filter(|a| a.oid == oid);
        match (found.next(), found.next()) {
            (Some(attribute), None) if attribute.values.len() == 1 => attribute
                .values
                .iter()
                .next()
                .ok_or(VerifyError::MissingAttribute(what)),
            _ => Err(VerifyError::MissingAttribute(what)),
        }
    };
    let content_type: ObjectIdentifier = single_value(rfc5911::ID_CONTENT_TYPE, "content-type")?
        .decode_as()
        .map_err(|_| VerifyError::MissingAttribute("content-type"))?;
    if content_type != rfc5911::ID_DATA {
        return Err(VerifyError::MissingAttribute("content-type"));
    }
    let digest: OctetStringRef<'_> = single_value(rfc5911::ID_MESSAGE_DIGEST, "message-digest")?
        .decode_as()
        .map_err(|_| VerifyError::MissingAttribute("message-digest"))?;
    let signing_time = single_value(rfc5911::ID_SIGNING_TIME, "signing-time")?
        .to_der()
        .and_then(|der| Time::from_der(&der))
        .map_err(|_| VerifyError::MissingAttribute("signing-time"))?;
    let signing_time = timestamp(&signing_time);

    if digest.as_bytes() != Sha256::digest(content).as_slice() {
        return Err(VerifyError::ContentMismatch);
    }

    // The signature over the DER of the signed attributes (as a SET OF).
    let certificates: Vec<Certificate> = signed_data
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            cms::cert::CertificateChoices::Other(_) => None,
        })
        .collect();
    let signer = certificates
        .iter()
        .find(|c| identifies(&signer_info.sid, c))
        .ok_or(VerifyError::SignerCertificateMissing)?;
    let signed_bytes = attributes.to_der().map_err(malformed)?;
    verify_with(signer, &signed_bytes, signer_info.signature.as_bytes())
        .map_err(|_| VerifyError::BadSignature)?;

    // The signer's certificate may sign, and chains to the root.
    if let Some((_, usage)) = signer
        .tbs_certificate
        .get::<KeyUsage>()
        .map_err(malformed)?
    {
        if !usage.digital_signature() && !usage.non_repudiation() {
            return Err(VerifyError::Untrusted(
                "the signer's certificate is not for digital signatures".to_owned(),
            ));
        }
    }
    let chain = chain_to_root(signer, &certificates, &root, signing_time)?;

    let mut certificate_chain_pem = String::new();
    for certificate in &chain {
        certificate_chain_pem.push_str(&certificate.to_pem(LineEnding::LF).map_err(malformed)?);
    }
    let subject = &signer.tbs_certificate.subject;
    Ok(VerifiedSignature {
        signer_common_name: name_attribute(subject, rfc4519::CN).unwrap_or_default(),
        signer_organization: name_attribute(subject, rfc4519::O),
        agency_code: name_attribute(subject, rfc4519::SERIAL_NUMBER),
        signing_time,
        certificate_chain_pem,
    })
}

fn expect_algorithm(
    found: &ObjectIdentifier,
    expected: ObjectIdentifier,
) -> Result<(), VerifyError> {
    if *found != expected {
        return Err(VerifyError::UnsupportedAlgorithm(found.to_string()));
    }
    Ok(())
}

/// Whether the signer identifier names `certificate`.
fn identifies(sid: &SignerIdentifier, certificate: &Certificate) -> bool {
    let tbs = &certificate.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            id.issuer == tbs.issuer && id.serial_number == tbs.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(id) => tbs
            .get::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .is_some_and(|(_, ski)| ski.0 == id.0),
    }
}

/// Verifies an ECDSA P-256 SHA-256 signature (DER) of `message` with the
/// key of `certificate`.
fn verify_with(
    certificate: &Certificate,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let spki = certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(malformed)?;
    let key = VerifyingKey::from_public_key_der(&spki).map_err(|_| {
        VerifyError::UnsupportedAlgorithm("a public key other than P-256".to_owned())
    })?;
    let signature = DerSignature::from_bytes(signature).map_err(|_| VerifyError::BadSignature)?;
    key.verify(message, &signature)
        .map_err(|_| VerifyError::BadSignature)
}

/// Whether `issuer` signed `certificate`.
fn signed_by(certificate: &Certificate, issuer: &Certificate) -> bool {
    if certificate.tbs_certificate.issuer != issuer.tbs_certificate.subject
        || certificate.signature_algorithm.oid != rfc5912::ECDSA_WITH_SHA_256
    {
        return false;
    }
    let Ok(tbs) = certificate.tbs_certificate.to_der() else {
        return false;
    };
    let Some(signature) = certificate.signature.as_bytes() else {
        return false;
    };
    verify_with(issuer, &tbs, signature).is_ok()
}

fn subject(certificate: &Certificate) -> String {
    certificate.tbs_certificate.subject.to_string()
}

fn check_valid_at(certificate: &Certificate, at: Timestamp) -> Result<(), VerifyError> {
    let validity = &certificate.tbs_certificate.validity;
    if at < timestamp(&validity.not_before) || at > timestamp(&validity.not_after) {
        return Err(VerifyError::NotValidAt {
            subject: subject(certificate),
            at,
        });
    }
    Ok(())
}

/// An issuer must be a CA allowed to sign certificates.
fn check_issuer(certificate: &Certificate) -> Result<(), VerifyError> {
    let tbs = &certificate.tbs_certificate;
    let is_ca = matches!(tbs.get::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca);
    let may_sign = match tbs.get::<KeyUsage>() {
        Ok(Some((_, usage))) => usage.key_cert_sign(),
        Ok(None) => true,
        Err(_) => false,
    };
    if !is_ca || !may_sign {
        return Err(VerifyError::Untrusted(format!(
            "\"{}\" is not a certificate authority",
            subject(certificate)
        )));
    }
    Ok(())
}

/// The chain from `signer` to `root` through `bundled` certificates, each
/// link checked; the root is trusted as given (its self-signature is not
/// what makes it trusted).
fn chain_to_root(
    signer: &Certificate,
    bundled: &[Certificate],
    root: &Certificate,
    at: Timestamp,
) -> Result<Vec<Certificate>, VerifyError> {
    let mut chain = vec![signer.clone()];
    let mut current = signer.clone();
    for _ in 0..MAX_CHAIN {
        check_valid_at(&current, at)?;
        if signed_by(&current, root) {
            check_issuer(root)?;
            check_valid_at(root, at)?;
            chain.push(root.clone());
            return Ok(chain);
        }
        let issuer = bundled
            .iter()
            .find(|c| *c != &current && !chain.contains(c) && signed_by(&current, c))
            .ok_or_else(|| {
                VerifyError::Untrusted(format!(
                    "no issuer of \"{}\" leads to the trusted root",
                    subject(&current)
                ))
            })?;
        check_issuer(issuer)?;
        chain.push(issuer.clone());
        current = issuer.clone();
    }
    Err(VerifyError::Untrusted("the chain is too long".to_owned()))
}
