//! Opening databases by URL and migrating them.

use egov_ports::CatalogueStore;
use egov_store::{Backend, SqlStore, StoreError};
use sqlx::{Connection, SqliteConnection};

#[tokio::test]
async fn an_unknown_scheme_is_refused_by_name() {
    let err = SqlStore::connect("mysql://root@localhost/egov")
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, StoreError::Backend(m) if m.contains("`mysql`")),
        "{err}"
    );
}

#[tokio::test]
async fn sqlite_file_and_folder_are_created_in_wal_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/folder/egov.db");
    let url = format!("sqlite://{}", path.display());
    let store = SqlStore::connect(&url).await.expect("connect");
    assert_eq!(store.backend(), Backend::Sqlite);
    store.migrate().await.expect("migrate");
    // Migrating again is a no-op.
    store.migrate().await.expect("migrate twice");
    store.set_setting("k", "v").await.expect("write");
    store.close().await;
    assert!(path.exists(), "{} was not created", path.display());

    let mut conn = SqliteConnection::connect(&url).await.expect("reopen");
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .expect("pragma");
    assert_eq!(mode.to_lowercase(), "wal");
    let value: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'k'")
        .fetch_one(&mut conn)
        .await
        .expect("kept");
    assert_eq!(value, "v");
}

#[tokio::test]
async fn sqlite_in_memory_is_one_database() {
    let store = SqlStore::connect("sqlite::memory:").await.expect("connect");
    store.migrate().await.expect("migrate");
    store.set_setting("k", "v").await.expect("write");
    assert_eq!(
        store.get_setting("k").await.expect("read").as_deref(),
        Some("v")
    );
}

#[tokio::test]
async fn foreign_keys_are_enforced_on_every_backend() {
    for (label, store) in egov_store::testing::test_stores().await {
        // The store checks parents itself; the schema must refuse an orphan too.
        assert!(
            orphan_is_refused(&store).await,
            "{label}: the database accepted an orphan unit"
        );
    }
}

/// Tries to insert a unit whose parent does not exist, bypassing the store's checks.
async fn orphan_is_refused(store: &SqlStore) -> bool {
    egov_store::testing::execute(
        store,
        "INSERT INTO admin_units (era, code, level, kind, name, full_name, name_folded, parent_code, province_code) \
         VALUES ('current', '00004', 'commune', 'ward', 'X', 'Phường X', 'phuong x', '98', '98')",
    )
    .await
    .is_err()
}
