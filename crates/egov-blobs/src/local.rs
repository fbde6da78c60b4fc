//! Local content-addressed files: `dir/ab/cd/<sha256>`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use egov_domain::attachment::ContentHash;
use egov_ports::blobs::{BlobError, BlobStore};

use crate::{join_error, shard};

/// Attachments as files named by their SHA-256 under one folder:
/// `dir/ab/cd/abcd…`.
///
/// A write goes to a temporary file in the target folder, is flushed to disk,
/// renamed into place and the folders are flushed too, so a file either is
/// there whole and durable or not at all, and concurrent writes of the same
/// content leave one file. Reads check the content against its name.
/// File work runs on tokio's blocking threads.
#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: PathBuf,
}

impl LocalBlobStore {
    /// Opens (creating it if needed) the store in `dir`.
    pub async fn open(dir: PathBuf) -> Result<Self, BlobError> {
        tokio::task::spawn_blocking(move || {
            fs::create_dir_all(&dir).map_err(|e| io_error("create", &dir, e))?;
            let meta = fs::metadata(&dir).map_err(|e| io_error("open", &dir, e))?;
            if !meta.is_dir() {
                return Err(BlobError::Backend(format!(
                    "{} is not a folder",
                    dir.display()
                )));
            }
            Ok(Self { root: dir })
        })
        .await
        .map_err(join_error)?
    }

    /// The folder the store lives in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the content with this hash is (or would be) stored.
    pub fn path_of(&self, hash: &ContentHash) -> PathBuf {
        let [a, b, name] = shard(hash);
        self.root.join(a).join(b).join(name)
    }
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    async fn put(&self, bytes: &[u8]) -> Result<ContentHash, BlobError> {
        let root = self.root.clone();
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || put_blocking(&root, &bytes))
            .await
            .map_err(join_error)?
    }

    async fn get(&self, hash: &ContentHash) -> Result<Option<Vec<u8>>, BlobError> {
        let path = self.path_of(hash);
        let hash = hash.clone();
        tokio::task::spawn_blocking(move || {
            let bytes = match fs::read(&path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io_error("read", &path, e)),
            };
            if ContentHash::of(&bytes) == hash {
                Ok(Some(bytes))
            } else {
                tracing::error!(%hash, "stored attachment does not match its hash");
                Err(BlobError::Corrupt { hash })
            }
        })
        .await
        .map_err(join_error)?
    }

    async fn exists(&self, hash: &ContentHash) -> Result<bool, BlobError> {
        let path = self.path_of(hash);
        tokio::fs::try_exists(&path)
            .await
            .map_err(|e| io_error("check", &path, e))
    }
}

fn put_blocking(root: &Path, bytes: &[u8]) -> Result<ContentHash, BlobError> {
    let hash = ContentHash::of(bytes);
    let [a, b, name] = shard(&hash);
    let mid = root.join(a);
    let dir = mid.join(b);
    let path = dir.join(name);
    // Already stored: nothing to write, but it must be durable before we say
    // so (another writer may not have flushed its folder yet). A stored file
    // that differs (damaged) is replaced.
    match fs::metadata(&path) {
        Ok(meta) if meta.len() == bytes.len() as u64 => {
            let existing = fs::read(&path).map_err(|e| io_error("read", &path, e))?;
            if existing == bytes {
                sync_dirs(&[&dir, &mid, root])?;
                return Ok(hash);
            }
            tracing::warn!(%hash, "stored attachment did not match its hash; rewriting it");
        }
        Ok(_) => {
            tracing::warn!(%hash, "stored attachment had the wrong size; rewriting it");
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error("check", &path, e)),
    }
    fs::create_dir_all(&dir).map_err(|e| io_error("create", &dir, e))?;
    // Same folder as the target, so the rename is atomic; removed if we fail.
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(&dir)
        .map_err(|e| io_error("create a temporary file in", &dir, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| io_error("write", tmp.path(), e))?;
    tmp.persist(&path)
        .map_err(|e| io_error("rename into", &path, e.error))?;
    sync_dirs(&[&dir, &mid, root])?;
    Ok(hash)
}

/// Flushes folder entries (new files, renames, new sub-folders) to disk.
#[cfg(unix)]
fn sync_dirs(dirs: &[&Path]) -> Result<(), BlobError> {
    for dir in dirs {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_error("flush", dir, e))?;
    }
    Ok(())
}

/// Folders cannot be opened to flush them elsewhere; renames are durable
/// there per the file system's own rules.
#[cfg(not(unix))]
fn sync_dirs(_dirs: &[&Path]) -> Result<(), BlobError> {
    Ok(())
}

fn io_error(what: &str, path: &Path, e: io::Error) -> BlobError {
    BlobError::Backend(format!("cannot {what} {}: {e}", path.display()))
}
