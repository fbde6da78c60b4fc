//! Attachment content storage (kho tệp): bytes stored under their SHA-256
//! ([`ContentHash`]), and the virus-scan hook uploads pass through.
//!
//! `egov-blobs` implements both: local content-addressed files by default, an
//! S3-compatible object store as the alternative; scanners that accept
//! everything or run a command such as `clamdscan -`. Who may read a file is
//! the use cases' decision, not the store's: it serves any hash it is asked for.

use async_trait::async_trait;
use egov_domain::attachment::ContentHash;

/// Why a blob store or scanner failed. Never the uploader's fault (a 5xx).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    /// Stored content no longer matches its hash; it is not served.
    #[error("stored content of {hash} does not match its hash")]
    Corrupt { hash: ContentHash },
    /// The storage failed or could not be reached.
    #[error("blob storage error: {0}")]
    Backend(String),
    /// The virus scanner could not give a verdict.
    #[error("virus scanner error: {0}")]
    Scanner(String),
}

/// Content-addressed storage of attachment bytes.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores content and returns its hash. Idempotent: the same content gives
    /// the same hash and is stored once. Durable once it returns.
    async fn put(&self, bytes: &[u8]) -> Result<ContentHash, BlobError>;
    /// The content stored under `hash`, checked against it (a mismatch is
    /// [`BlobError::Corrupt`]); `None` when nothing is stored under it.
    async fn get(&self, hash: &ContentHash) -> Result<Option<Vec<u8>>, BlobError>;
    /// Whether something is stored under `hash` (not checked against it).
    async fn exists(&self, hash: &ContentHash) -> Result<bool, BlobError>;
}

/// What a virus scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanVerdict {
    Clean,
    /// Infected; `signature` names what the scanner found.
    Infected {
        signature: String,
    },
}

/// The hook every upload passes through before it is stored.
#[async_trait]
pub trait VirusScanner: Send + Sync {
    async fn scan(&self, bytes: &[u8]) -> Result<ScanVerdict, BlobError>;
}
