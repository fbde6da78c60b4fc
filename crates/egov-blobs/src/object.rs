//! An object store (S3 and compatible: MinIO, Ceph, Garage, cloud providers'
//! S3 APIs) through the `object_store` crate: `prefix/ab/cd/<sha256>`.

use std::sync::Arc;

use async_trait::async_trait;
use egov_domain::attachment::ContentHash;
use egov_ports::blobs::{BlobError, BlobStore};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

use crate::{hash_off_thread, shard};

/// Attachments as objects named by their SHA-256 under a prefix:
/// `prefix/ab/cd/abcd…`.
///
/// An object store's put is atomic and durable when it returns; one already
/// stored with the right size is not sent again. Reads check the content
/// against its name.
#[derive(Debug, Clone)]
pub struct ObjectBlobStore {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
}

/// Where an S3-compatible store is and how to sign in to it.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    /// `https://s3.example.vn` or `http://127.0.0.1:9000`; `None` for AWS
    /// itself. Requests use path-style URLs (`endpoint/bucket/key`).
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Whether a plain `http://` endpoint is allowed.
    pub allow_http: bool,
    /// Key prefix inside the bucket (may be empty).
    pub prefix: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("allow_http", &self.allow_http)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl ObjectBlobStore {
    /// A store on any `object_store` back end, keys under `prefix` (`""` for
    /// the root; `/` separates levels).
    pub fn new(store: Arc<dyn ObjectStore>, prefix: &str) -> Self {
        Self {
            store,
            prefix: Path::from(prefix),
        }
    }

    /// A store on an S3-compatible service. Contacts nothing: a wrong
    /// address or key shows on the first request.
    pub fn s3(config: S3Config) -> Result<Self, BlobError> {
        for (name, value) in [
            ("bucket", &config.bucket),
            ("region", &config.region),
            ("access_key_id", &config.access_key_id),
            ("secret_access_key", &config.secret_access_key),
        ] {
            if value.trim().is_empty() {
                return Err(BlobError::Backend(format!(
                    "S3 configuration: {name} is empty"
                )));
            }
        }
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(&config.secret_access_key)
            .with_allow_http(config.allow_http);
        if let Some(endpoint) = &config.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        let s3 = builder
            .build()
            .map_err(|e| BlobError::Backend(format!("S3 configuration: {e}")))?;
        Ok(Self::new(Arc::new(s3), &config.prefix))
    }

    /// The object key the content with this hash is (or would be) stored at.
    pub fn key_of(&self, hash: &ContentHash) -> Path {
        let [a, b, name] = shard(hash);
        self.prefix.child(a).child(b).child(name)
    }
}

#[async_trait]
impl BlobStore for ObjectBlobStore {
    async fn put(&self, bytes: &[u8]) -> Result<ContentHash, BlobError> {
        let (hash, bytes) = hash_off_thread(bytes.to_vec()).await?;
        let key = self.key_of(&hash);
        match self.store.head(&key).await {
            Ok(meta) if meta.size == bytes.len() as u64 => return Ok(hash),
            Ok(_) => {
                tracing::warn!(%hash, "stored attachment had the wrong size; rewriting it");
            }
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(backend("check", &key, e)),
        }
        // Writing the same content twice (a concurrent put) is harmless: an
        // object store's put replaces the object whole.
        self.store
            .put(&key, PutPayload::from(bytes))
            .await
            .map_err(|e| backend("write", &key, e))?;
        Ok(hash)
    }

    async fn get(&self, hash: &ContentHash) -> Result<Option<Vec<u8>>, BlobError> {
        let key = self.key_of(hash);
        let result = match self.store.get(&key).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(backend("read", &key, e)),
        };
        let bytes = result.bytes().await.map_err(|e| backend("read", &key, e))?;
        let (actual, bytes) = hash_off_thread(bytes.to_vec()).await?;
        if actual == *hash {
            Ok(Some(bytes))
        } else {
            tracing::error!(%hash, "stored attachment does not match its hash");
            Err(BlobError::Corrupt { hash: hash.clone() })
        }
    }

    async fn exists(&self, hash: &ContentHash) -> Result<bool, BlobError> {
        let key = self.key_of(hash);
        match self.store.head(&key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(backend("check", &key, e)),
        }
    }
}

fn backend(what: &str, key: &Path, e: object_store::Error) -> BlobError {
    BlobError::Backend(format!("cannot {what} object {key}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> S3Config {
        S3Config {
            endpoint: Some("http://127.0.0.1:9000".into()),
            bucket: "egov".into(),
            region: "us-east-1".into(),
            access_key_id: "minio".into(),
            secret_access_key: "very-secret".into(),
            allow_http: true,
            prefix: "attachments".into(),
        }
    }

    #[test]
    fn s3_builds_without_contacting_anything() {
        let store = ObjectBlobStore::s3(config()).unwrap();
        let hash = ContentHash::of(b"x");
        assert_eq!(
            store.key_of(&hash).as_ref(),
            format!(
                "attachments/{}/{}/{hash}",
                &hash.as_str()[..2],
                &hash.as_str()[2..4]
            )
        );
    }

    #[test]
    fn s3_refuses_a_missing_bucket() {
        let err = ObjectBlobStore::s3(S3Config {
            bucket: String::new(),
            ..config()
        })
        .unwrap_err();
        assert!(matches!(err, BlobError::Backend(_)), "{err:?}");
    }

    #[test]
    fn s3_config_debug_hides_the_secret() {
        let debug = format!("{:?}", config());
        assert!(!debug.contains("very-secret"), "{debug}");
        assert!(debug.contains("minio"), "{debug}");
    }

    #[test]
    fn key_of_without_prefix() {
        let store = ObjectBlobStore::new(Arc::new(object_store::memory::InMemory::new()), "");
        let hash = ContentHash::of(b"y");
        let h = hash.as_str();
        assert_eq!(
            store.key_of(&hash).as_ref(),
            format!("{}/{}/{h}", &h[..2], &h[2..4])
        );
    }
}
