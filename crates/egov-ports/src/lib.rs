//! Storage traits (ports): what the use cases need from a database, and the
//! records that cross that boundary. `egov-store` implements them on SQLite
//! and PostgreSQL; `egov-app` uses them. No SQL and no HTTP here.

pub mod blobs;
pub mod catalogue;
pub mod dossiers;
pub mod identity;
pub mod payments;

pub use catalogue::*;
pub use dossiers::*;
pub use identity::*;
pub use payments::*;
