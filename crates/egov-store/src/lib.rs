//! Storage (lưu trữ) of the egov catalogue, identities and dossiers on
//! SQLite and PostgreSQL.
//!
//! [`SqlStore`] implements [`CatalogueStore`], [`IdentityStore`],
//! [`DossierStore`] and [`PaymentStore`] with one set of queries for both databases: it talks
//! through sqlx's `Any` driver, and every statement uses `$1`-style
//! placeholders, which PostgreSQL and sqlx's SQLite driver both accept.
//! Where the dialects differ (connection set-up, how a write transaction
//! starts, row locks, migrations) the code branches on [`Backend`] in one
//! plain, commented place.
//!
//! Stored representation: enums as their kebab-case names, timestamps as
//! RFC 3339 text (in the identity and dossier tables with nine fractional
//! digits, so that text order is time order), dates as ISO 8601 text, lists,
//! a procedure version's content, service definitions and form values as
//! JSON text.
//!
//! ```no_run
//! # async fn open() -> Result<(), egov_store::StoreError> {
//! use std::sync::Arc;
//! use egov_store::{CatalogueStore, SqlStore};
//!
//! let store = SqlStore::connect("sqlite://egov.db").await?;
//! store.migrate().await?;
//! let store: Arc<dyn CatalogueStore> = Arc::new(store);
//! # Ok(()) }
//! ```

mod agencies;
mod connect;
mod dossiers;
mod error;
mod identity;
mod payments;
mod procedures;
mod sql;
mod store;
mod successions;
mod units;

#[cfg(feature = "testing")]
pub mod testing;

pub use connect::{redacted_url, Backend};
pub use egov_ports::{
    AdminUnitFilter, AgencyFilter, CatalogueStore, DossierStore, IdentityStore, ImportCounts,
    PaymentStore, StoreError, VersionOutcome,
};

/// The catalogue, identity and dossier store on SQLite or PostgreSQL. Cheap
/// to clone: clones share one connection pool.
#[derive(Clone)]
pub struct SqlStore {
    pool: sqlx::AnyPool,
    backend: Backend,
    /// SQLite only: this process's dossier writers take turns here before
    /// they open their write transaction (see `dossiers::WriteTx`), so that
    /// they queue in order instead of polling SQLite's busy handler.
    write_gate: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Things that must live as long as the store (a test's temporary folder
    /// or database).
    #[cfg(feature = "testing")]
    _keep_alive: Option<std::sync::Arc<dyn std::any::Any + Send + Sync>>,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl SqlStore {
    /// Which database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the connections (waits for borrowed ones to come back).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
