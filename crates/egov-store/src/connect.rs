//! Opening a database from its URL, and migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, Executor};

use crate::error::backend_error;
use crate::{SqlStore, StoreError};

/// Migrations of each dialect, embedded at compile time. Both sets must
/// describe the same schema (tests/schema.rs checks it).
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a SQLite connection waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// The database product behind a [`SqlStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a URL names by its scheme: `sqlite:` or `postgres://` /
    /// `postgresql://`. Any other scheme is refused, naming it.
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme.to_ascii_lowercase())
            .ok_or_else(|| {
                StoreError::Backend(
                    "the database URL has no scheme; use sqlite://FILE or postgres://HOST/DB"
                        .into(),
                )
            })?;
        match scheme.as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            other => Err(StoreError::Backend(format!(
                "unsupported database URL scheme `{other}`; use sqlite://FILE or postgres://HOST/DB"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl SqlStore {
    /// Opens the database `url` names: `sqlite:PATH`, `sqlite://PATH` (the
    /// file and its folder are created if missing; WAL journal, foreign keys
    /// on, busy timeout), `sqlite::memory:`, or `postgres://…` /
    /// `postgresql://…`. Call [`SqlStore::migrate`] before use.
    pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let pool = match backend {
            Backend::Sqlite => open_sqlite(url).await?,
            Backend::Postgres => open_postgres(url).await?,
        };
        Ok(SqlStore {
            pool,
            backend,
            write_gate: Default::default(),
            #[cfg(feature = "testing")]
            _keep_alive: None,
        })
    }

    /// Applies the migrations that have not run yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Backend(format!("migration failed: {e}")))
    }

    /// Keeps `value` alive as long as this store (and its clones) live.
    #[cfg(feature = "testing")]
    pub(crate) fn keep_alive(
        mut self,
        value: std::sync::Arc<dyn std::any::Any + Send + Sync>,
    ) -> Self {
        self._keep_alive = Some(value);
        self
    }
}

fn is_sqlite_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

async fn open_sqlite(url: &str) -> Result<sqlx::AnyPool, StoreError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::Backend(format!("bad SQLite URL: {e}")))?;
    let memory = is_sqlite_memory(url);
    if !memory {
        create_sqlite_file(options).await?;
    }
    let mut pool = AnyPoolOptions::new().after_connect(|conn, _meta| {
        Box::pin(async move {
            // sqlx sets these by default too; stated here so the store does
            // not depend on driver defaults.
            conn.execute("PRAGMA foreign_keys = ON").await?;
            conn.execute(format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}").as_str())
                .await?;
            // Safe with WAL (a crash loses at most the last commits, never
            // corrupts) and much faster for imports.
            conn.execute("PRAGMA synchronous = NORMAL").await?;
            Ok(())
        })
    });
    pool = if memory {
        // Every connection to `:memory:` is a separate database: keep exactly
        // one, forever.
        pool.max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        pool.max_connections(8)
    };
    pool.connect(url).await.map_err(backend_error)
}

/// Creates the SQLite file (and its folder) if missing and switches it to WAL
/// journaling, which is a property of the file and persists.
async fn create_sqlite_file(options: SqliteConnectOptions) -> Result<(), StoreError> {
    let path = options.get_filename().to_path_buf();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir).await.map_err(|e| {
            StoreError::Backend(format!("cannot create folder {}: {e}", dir.display()))
        })?;
    }
    let conn = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_millis(u64::from(SQLITE_BUSY_TIMEOUT_MS)))
        .connect()
        .await
        .map_err(backend_error)?;
    conn.close().await.map_err(backend_error)
}

async fn open_postgres(url: &str) -> Result<sqlx::AnyPool, StoreError> {
    AnyPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        .map_err(backend_error)
}

/// `url` with any password replaced by `***`, for printing which database is used.
///
/// ```
/// assert_eq!(
///     egov_store::redacted_url("postgres://egov:s3cret@db:5432/egov"),
///     "postgres://egov:***@db:5432/egov"
/// );
/// ```
pub fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return redact_query(url);
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}{}", redact_query(tail))
}

/// Hides the value of a `password=` query parameter.
fn redact_query(text: &str) -> String {
    let Some((head, query)) = text.split_once('?') else {
        return text.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{head}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_choose_the_backend() {
        assert_eq!(
            Backend::from_url("sqlite:egov.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("sqlite://data/egov.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("sqlite::memory:").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("postgres://h/db").ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("PostgreSQL://h/db").ok(),
            Some(Backend::Postgres)
        );
    }

    #[test]
    fn other_schemes_are_refused_by_name() {
        let err = Backend::from_url("mysql://root@h/db")
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("`mysql`"), "{err}");
        assert!(Backend::from_url("egov.db").is_err());
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redacted_url("postgresql://u:p%40ss@host:5432/db?sslmode=require"),
            "postgresql://u:***@host:5432/db?sslmode=require"
        );
        assert_eq!(
            redacted_url("postgres://host/db?user=u&password=secret"),
            "postgres://host/db?user=u&password=***"
        );
        assert_eq!(redacted_url("postgres://u@host/db"), "postgres://u@host/db");
        assert_eq!(
            redacted_url("sqlite://data/egov.db"),
            "sqlite://data/egov.db"
        );
        assert_eq!(redacted_url("sqlite:egov.db"), "sqlite:egov.db");
    }

    #[test]
    fn memory_urls_are_recognised() {
        assert!(is_sqlite_memory("sqlite::memory:"));
        assert!(is_sqlite_memory("sqlite://?mode=memory"));
        assert!(!is_sqlite_memory("sqlite://egov.db"));
    }
}
