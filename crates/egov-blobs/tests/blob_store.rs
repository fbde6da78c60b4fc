//! The blob stores' behaviour through the `BlobStore` port: the local store on
//! a temporary folder, the object store on `object_store`'s in-memory back end
//! (no S3 server is run by these tests; the S3 path differs only in the
//! `object_store` back end).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use egov_blobs::{LocalBlobStore, ObjectBlobStore};
use egov_domain::attachment::ContentHash;
use egov_ports::blobs::{BlobError, BlobStore};
use object_store::memory::InMemory;
use object_store::{ObjectStore, PutPayload};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

async fn local() -> (tempfile::TempDir, LocalBlobStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::open(dir.path().join("blobs"))
        .await
        .unwrap();
    (dir, store)
}

fn in_memory() -> (Arc<InMemory>, ObjectBlobStore) {
    let memory = Arc::new(InMemory::new());
    let store = ObjectBlobStore::new(memory.clone(), "attachments");
    (memory, store)
}

async fn round_trip(store: &dyn BlobStore) {
    let hash = store.put(PDF).await.unwrap();
    assert_eq!(hash, ContentHash::of(PDF));
    assert!(store.exists(&hash).await.unwrap());
    assert_eq!(store.get(&hash).await.unwrap().as_deref(), Some(PDF));
}

async fn missing_is_none(store: &dyn BlobStore) {
    let hash = ContentHash::of(b"never stored");
    assert!(!store.exists(&hash).await.unwrap());
    assert_eq!(store.get(&hash).await.unwrap(), None);
}

#[tokio::test]
async fn local_round_trip() {
    let (_dir, store) = local().await;
    round_trip(&store).await;
}

#[tokio::test]
async fn local_missing_is_none() {
    let (_dir, store) = local().await;
    missing_is_none(&store).await;
}

#[tokio::test]
async fn local_stores_under_sharded_hash_path() {
    let (_dir, store) = local().await;
    let hash = store.put(PDF).await.unwrap();
    let h = hash.as_str();
    let expected = store.root().join(&h[..2]).join(&h[2..4]).join(h);
    assert_eq!(store.path_of(&hash), expected);
    assert_eq!(std::fs::read(&expected).unwrap(), PDF);
    assert_eq!(files_under(store.root()), vec![expected]);
}

#[tokio::test]
async fn local_put_is_idempotent() {
    let (_dir, store) = local().await;
    let first = store.put(PDF).await.unwrap();
    let second = store.put(PDF).await.unwrap();
    assert_eq!(first, second);
    let other = store.put(b"\x89PNG\r\n\x1a\nother").await.unwrap();
    assert_ne!(first, other);
    // One file per distinct content, no temporary files left behind.
    let mut files = files_under(store.root());
    files.sort();
    let mut expected = vec![store.path_of(&first), store.path_of(&other)];
    expected.sort();
    assert_eq!(files, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_concurrent_puts_of_the_same_content_leave_one_file() {
    let (_dir, store) = local().await;
    let store = Arc::new(store);
    let content: Arc<Vec<u8>> = Arc::new(PDF.repeat(10_000));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            let content = content.clone();
            tokio::spawn(async move { store.put(&content).await })
        })
        .collect();
    let mut hashes = Vec::new();
    for task in tasks {
        hashes.push(task.await.unwrap().unwrap());
    }
    let expected = ContentHash::of(&content);
    assert!(hashes.iter().all(|h| *h == expected));
    assert_eq!(files_under(store.root()), vec![store.path_of(&expected)]);
    assert_eq!(
        store.get(&expected).await.unwrap().as_ref(),
        Some(&*content)
    );
}

#[tokio::test]
async fn local_corrupted_file_is_not_served() {
    let (_dir, store) = local().await;
    let hash = store.put(PDF).await.unwrap();
    let path = store.path_of(&hash);
    let mut damaged = PDF.to_vec();
    damaged[3] ^= 0x01; // same size, one bit flipped
    std::fs::write(&path, &damaged).unwrap();
    assert_eq!(
        store.get(&hash).await,
        Err(BlobError::Corrupt { hash: hash.clone() })
    );
    // Storing the content again repairs it.
    assert_eq!(store.put(PDF).await.unwrap(), hash);
    assert_eq!(store.get(&hash).await.unwrap().as_deref(), Some(PDF));
}

#[tokio::test]
async fn local_truncated_file_is_not_served_and_is_repaired() {
    let (_dir, store) = local().await;
    let hash = store.put(PDF).await.unwrap();
    std::fs::write(store.path_of(&hash), &PDF[..10]).unwrap();
    assert!(matches!(
        store.get(&hash).await,
        Err(BlobError::Corrupt { .. })
    ));
    store.put(PDF).await.unwrap();
    assert_eq!(store.get(&hash).await.unwrap().as_deref(), Some(PDF));
}

#[tokio::test]
async fn local_open_refuses_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    assert!(matches!(
        LocalBlobStore::open(file).await,
        Err(BlobError::Backend(_))
    ));
}

#[tokio::test]
async fn local_store_reopened_serves_what_was_stored() {
    let dir = tempfile::tempdir().unwrap();
    let hash = LocalBlobStore::open(dir.path().to_owned())
        .await
        .unwrap()
        .put(PDF)
        .await
        .unwrap();
    let reopened = LocalBlobStore::open(dir.path().to_owned()).await.unwrap();
    assert_eq!(reopened.get(&hash).await.unwrap().as_deref(), Some(PDF));
}

#[tokio::test]
async fn object_round_trip() {
    let (_memory, store) = in_memory();
    round_trip(&store).await;
}

#[tokio::test]
async fn object_missing_is_none() {
    let (_memory, store) = in_memory();
    missing_is_none(&store).await;
}

#[tokio::test]
async fn object_put_is_idempotent_under_the_prefix() {
    let (memory, store) = in_memory();
    let first = store.put(PDF).await.unwrap();
    let second = store.put(PDF).await.unwrap();
    assert_eq!(first, second);
    let h = first.as_str();
    let listed = memory.list_with_delimiter(None).await.unwrap();
    assert_eq!(listed.common_prefixes, vec!["attachments".into()]);
    let key = store.key_of(&first);
    assert_eq!(
        key.as_ref(),
        format!("attachments/{}/{}/{h}", &h[..2], &h[2..4])
    );
    let meta = memory.head(&key).await.unwrap();
    assert_eq!(meta.size, PDF.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_concurrent_puts_of_the_same_content() {
    let (memory, store) = in_memory();
    let store = Arc::new(store);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.put(PDF).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), ContentHash::of(PDF));
    }
    let key = store.key_of(&ContentHash::of(PDF));
    assert!(memory.head(&key).await.is_ok());
    assert_eq!(
        store.get(&ContentHash::of(PDF)).await.unwrap().as_deref(),
        Some(PDF)
    );
}

#[tokio::test]
async fn object_corrupted_object_is_not_served_and_is_repaired() {
    let (memory, store) = in_memory();
    let hash = store.put(PDF).await.unwrap();
    let key = store.key_of(&hash);
    memory
        .put(&key, PutPayload::from(PDF[..10].to_vec()))
        .await
        .unwrap();
    assert_eq!(
        store.get(&hash).await,
        Err(BlobError::Corrupt { hash: hash.clone() })
    );
    store.put(PDF).await.unwrap();
    assert_eq!(store.get(&hash).await.unwrap().as_deref(), Some(PDF));
}
