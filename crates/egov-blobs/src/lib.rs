//! Attachment storage (kho tệp): the `egov-ports` [`BlobStore`] on local
//! content-addressed files ([`LocalBlobStore`], the default) or on an
//! S3-compatible object store ([`ObjectBlobStore`]), and the
//! [`VirusScanner`] hooks ([`NoScan`], [`CommandScanner`] for `clamdscan -`).
//!
//! Content is stored under its SHA-256 and checked against it on every read:
//! a corrupted file is an error, never served. Who may read a file is decided
//! by the use cases, not here.
//!
//! [`BlobStore`]: egov_ports::blobs::BlobStore
//! [`VirusScanner`]: egov_ports::blobs::VirusScanner

#![forbid(unsafe_code)]

mod local;
mod object;
mod scan;

pub use local::LocalBlobStore;
pub use object::{ObjectBlobStore, S3Config};
pub use scan::{CommandScanner, NoScan};

use egov_domain::attachment::ContentHash;
use egov_ports::blobs::BlobError;

/// Hashes owned content on a blocking thread (SHA-256 of a large file would
/// hold up the async runtime) and hands the content back.
async fn hash_off_thread(bytes: Vec<u8>) -> Result<(ContentHash, Vec<u8>), BlobError> {
    tokio::task::spawn_blocking(move || (ContentHash::of(&bytes), bytes))
        .await
        .map_err(join_error)
}

fn join_error(e: tokio::task::JoinError) -> BlobError {
    BlobError::Backend(format!("blob task failed: {e}"))
}

/// The store-relative location of a hash: `ab/cd/abcd…` (two levels of
/// 256 folders keep each folder small).
fn shard(hash: &ContentHash) -> [&str; 3] {
    let h = hash.as_str();
    [&h[..2], &h[2..4], h]
}
