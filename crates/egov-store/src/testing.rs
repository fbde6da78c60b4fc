//! Test harness (feature `testing`): fresh, migrated stores on every backend
//! that is available, for this crate's tests and other crates' tests.
//!
//! SQLite is always available: each store gets its own temporary folder. When
//! the environment variable `TEST_DATABASE_URL` names a PostgreSQL server
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`), each store also gets
//! a freshly created database `egov_t_<pid>_<n>` there, dropped again when the
//! store (or the [`TestDatabase`] guard) is dropped. Databases left behind by
//! test processes that died are dropped the next time the harness runs.
//!
//! These helpers panic with a clear message when the set-up fails: they only
//! run in tests, where a failed set-up must fail the test.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use sqlx::{Connection, PgConnection};

use crate::SqlStore;

/// The environment variable naming a PostgreSQL server for tests.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// Prefix of the databases the harness creates.
const PREFIX: &str = "egov_t_";

/// The PostgreSQL server URL from `TEST_DATABASE_URL`, if set and not empty.
pub fn postgres_server_url() -> Option<String> {
    std::env::var(TEST_DATABASE_URL)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Fresh migrated stores: `("sqlite", …)` always, and `("postgres", …)` when
/// `TEST_DATABASE_URL` is set. Run the same assertions on each.
pub async fn test_stores() -> Vec<(String, SqlStore)> {
    let mut stores = vec![("sqlite".to_owned(), sqlite_store().await)];
    if let Some(store) = postgres_store().await {
        stores.push(("postgres".to_owned(), store));
    }
    stores
}

/// A fresh migrated SQLite store in its own temporary folder, removed once
/// the store and all its clones are dropped.
pub async fn sqlite_store() -> SqlStore {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temp folder: {e}"));
    let url = format!("sqlite://{}/egov.db", dir.path().display());
    let store = open(&url).await;
    store.keep_alive(Arc::new(dir))
}

/// A fresh migrated store in a new PostgreSQL database (dropped with the
/// store); `None` when `TEST_DATABASE_URL` is not set.
pub async fn postgres_store() -> Option<SqlStore> {
    let server = postgres_server_url()?;
    let db = create_database(&server).await;
    let store = open(&db.url).await;
    Some(store.keep_alive(Arc::new(db)))
}

/// Runs one SQL statement on `store` as it is, bypassing the store's own
/// checks (to set up states the API would refuse). Returns the rows affected.
pub async fn execute(store: &SqlStore, sql: &str) -> Result<u64, crate::StoreError> {
    sqlx::query(sql)
        .execute(&store.pool)
        .await
        .map(|done| done.rows_affected())
        .map_err(crate::error::backend_error)
}

async fn open(url: &str) -> SqlStore {
    let store = SqlStore::connect(url).await.unwrap_or_else(|e| {
        panic!(
            "cannot open test database {}: {e}",
            crate::redacted_url(url)
        )
    });
    store
        .migrate()
        .await
        .unwrap_or_else(|e| panic!("cannot migrate test database: {e}"));
    store
}

/// An empty PostgreSQL database made for one test; dropped when this guard is.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
    server_url: String,
}

impl TestDatabase {
    /// URL of the new database.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server_url.clone(), self.name.clone());
        // Drop may run inside or outside an async runtime: do the work on a
        // thread of its own, with a runtime of its own, and wait for it.
        let done = std::thread::spawn(move || {
            block_on(async move {
                let mut admin = PgConnection::connect(&server).await?;
                drop_database(&mut admin, &name).await?;
                admin.close().await
            })
        })
        .join();
        match done {
            Ok(Some(Ok(()))) => {}
            Ok(Some(Err(e))) => eprintln!("could not drop test database {}: {e}", self.name),
            Ok(None) | Err(_) => eprintln!("could not drop test database {}", self.name),
        }
    }
}

/// A new empty PostgreSQL database for a test, or `None` when
/// `TEST_DATABASE_URL` is not set. Usable from sync and async code alike.
pub fn fresh_postgres_database() -> Option<TestDatabase> {
    let server = postgres_server_url()?;
    let db = std::thread::spawn(move || block_on(async move { create_database(&server).await }))
        .join()
        .unwrap_or_else(|_| panic!("creating a test database failed"));
    Some(db.unwrap_or_else(|| panic!("cannot start a runtime to create a test database")))
}

fn block_on<F: std::future::Future>(future: F) -> Option<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    Some(runtime.block_on(future))
}

async fn create_database(server_url: &str) -> TestDatabase {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "{PREFIX}{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let shown = crate::redacted_url(server_url);
    let mut admin = PgConnection::connect(server_url)
        .await
        .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL}={shown}: cannot connect: {e}"));
    sweep_dead_databases(&mut admin).await;
    // A database of a dead process with the same pid may linger.
    drop_database(&mut admin, &name)
        .await
        .unwrap_or_else(|e| panic!("cannot drop stale database {name}: {e}"));
    // The name is made here from digits and a constant prefix, never from input.
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name} on {shown}: {e}"));
    let _ = admin.close().await;
    TestDatabase {
        url: with_database(server_url, &name),
        name,
        server_url: server_url.to_owned(),
    }
}

async fn drop_database(admin: &mut PgConnection, name: &str) -> Result<(), sqlx::Error> {
    // WITH (FORCE) (PostgreSQL 13+) ends sessions still connected to it.
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(admin)
        .await
        .map(|_| ())
}

/// Drops, once per process, test databases whose creating process is gone.
async fn sweep_dead_databases(admin: &mut PgConnection) {
    static SWEPT: OnceLock<()> = OnceLock::new();
    if SWEPT.set(()).is_err() {
        return;
    }
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'egov\\_t\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    .unwrap_or_default();
    for name in names {
        if owner_is_gone(&name) {
            let _ = drop_database(admin, &name).await;
        }
    }
}

/// Whether the process that created database `name` (`egov_t_<pid>_<n>`) has
/// ended. Only known on Linux; elsewhere nothing is swept.
fn owner_is_gone(name: &str) -> bool {
    let pid = name
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split('_').next())
        .and_then(|pid| pid.parse::<u32>().ok());
    match pid {
        Some(pid) if cfg!(target_os = "linux") => {
            pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        }
        _ => false,
    }
}

/// `url` with its database (path) replaced by `name`; the query string is kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_is_swapped_in_the_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "egov_t_1_0"),
            "postgres://postgres@127.0.0.1:5432/egov_t_1_0"
        );
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "x"),
            "postgresql://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }

    #[test]
    fn only_names_of_this_harness_are_swept() {
        assert!(!owner_is_gone("egov_production"));
        assert!(!owner_is_gone(&format!("egov_t_{}_0", std::process::id())));
    }
}
