//! Domain types and rules of egov.
//!
//! This crate knows nothing about HTTP, SQL, files or the clock: callers pass
//! time in and persist the values elsewhere. Everything here is plain data plus
//! the rules that validate and interpret it.

pub mod admin_unit;
pub mod agency;
pub mod attachment;
pub mod calendar;
pub mod dossier;
pub mod identity;
pub mod money;
pub mod paging;
pub mod payment;
pub mod procedure;
pub mod service;
pub mod text;

pub use admin_unit::{AdminUnit, Era, UnitKind, UnitLevel, UnitSuccession};
pub use agency::{Agency, AgencyKind};
pub use money::Vnd;
pub use paging::{Page, PageRequest};
pub use procedure::{
    Channel, Fee, OnlineMode, Procedure, ProcedureCode, ProcedureVersion, ProcessingTime,
    RequiredDocument, SubmissionChannel, Tier, TimeUnit, VersionSummary,
};

/// A value that failed validation, naming the field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidField {
    pub field: &'static str,
    pub reason: String,
}

impl InvalidField {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}
