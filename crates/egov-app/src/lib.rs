//! Use cases of egov. Each public method of a service is one thing a user or an
//! administrator does: it validates, applies the domain rules, writes through
//! the storage traits in [`ports`] and keeps the search index in step.
//!
//! This crate sees storage only through traits and knows nothing about HTTP.

pub mod catalogue;
pub mod dossiers;
pub mod error;
pub mod identity;
pub mod oidc;
pub mod payments;
pub use egov_ports as ports;

pub use catalogue::Catalogue;
pub use dossiers::Dossiers;
pub use error::AppError;
pub use payments::Payments;
pub use ports::{CatalogueStore, StoreError};
