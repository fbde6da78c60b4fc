//! Catalogue storage: administrative units, agencies, procedures.

use async_trait::async_trait;
use egov_domain::{
    AdminUnit, Agency, AgencyKind, Era, Page, PageRequest, Procedure, ProcedureCode,
    ProcedureVersion, UnitLevel, UnitSuccession, VersionSummary,
};

/// Errors a storage backend reports. Backends map their driver errors here.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row refers to something that does not exist (e.g. a parent code).
    #[error("{entity} `{code}` refers to unknown {reference} `{missing}`")]
    MissingReference {
        entity: &'static str,
        code: String,
        reference: &'static str,
        missing: String,
    },
    /// A uniqueness rule was broken.
    #[error("{0} already exists")]
    Conflict(String),
    /// The database failed or could not be reached.
    #[error("database error: {0}")]
    Backend(String),
}

/// How many records an import (or upsert) added, changed and left as they were.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportCounts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Records left out on purpose (e.g. links to units that do not exist,
    /// when the caller asked to skip those).
    pub skipped: u64,
}

/// Filter for listing administrative units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminUnitFilter {
    pub era: Option<Era>,
    /// Only children of this unit (same era). `None` with no `level`: provinces.
    pub parent_code: Option<String>,
    pub level: Option<UnitLevel>,
    /// Diacritics-insensitive substring of the name (already folded by the caller).
    pub name_folded: Option<String>,
    pub page: PageRequest,
}

/// Filter for listing agencies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgencyFilter {
    pub parent_code: Option<String>,
    pub kind: Option<AgencyKind>,
    pub admin_unit_code: Option<String>,
    /// Diacritics-insensitive substring of the name (already folded by the caller).
    pub name_folded: Option<String>,
    pub page: PageRequest,
}

/// What happened to one procedure in an import or edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionOutcome {
    Created,
    NewVersion(u32),
    Unchanged,
}

/// Persistence of the catalogue: units, agencies, procedures and their versions.
///
/// Every method that writes several records does so in one transaction: it
/// either writes all of them or none.
#[async_trait]
pub trait CatalogueStore: Send + Sync {
    /// Inserts or updates units (key: era + code). Parents must exist, either
    /// already stored or earlier in `units`.
    async fn upsert_admin_units(&self, units: &[AdminUnit]) -> Result<ImportCounts, StoreError>;
    /// Inserts succession links (old pre-2025 unit → current unit); both ends must exist.
    async fn upsert_successions(
        &self,
        links: &[UnitSuccession],
    ) -> Result<ImportCounts, StoreError>;
    async fn admin_unit(&self, era: Era, code: &str) -> Result<Option<AdminUnit>, StoreError>;
    async fn list_admin_units(
        &self,
        filter: &AdminUnitFilter,
    ) -> Result<Page<AdminUnit>, StoreError>;
    /// Links from a pre-2025 unit to its current successors.
    async fn successors(
        &self,
        old_code: &str,
        old_level: UnitLevel,
    ) -> Result<Vec<UnitSuccession>, StoreError>;
    /// Links from a current unit back to the pre-2025 units it took over.
    async fn predecessors(&self, new_code: &str) -> Result<Vec<UnitSuccession>, StoreError>;
    async fn count_admin_units(&self, era: Era) -> Result<u64, StoreError>;

    /// Inserts or updates agencies (key: code). Parents and units must exist.
    async fn upsert_agencies(&self, agencies: &[Agency]) -> Result<ImportCounts, StoreError>;
    async fn agency(&self, code: &str) -> Result<Option<Agency>, StoreError>;
    async fn list_agencies(&self, filter: &AgencyFilter) -> Result<Page<Agency>, StoreError>;

    /// Stores each procedure: a new procedure gets version 1; a changed one
    /// (by content hash) gets the next version; an unchanged one is left alone.
    /// All in one transaction. Returns one outcome per input, in order.
    async fn save_procedures(
        &self,
        procedures: &[Procedure],
        now: jiff::Timestamp,
    ) -> Result<Vec<VersionOutcome>, StoreError>;
    /// The current (latest) version.
    async fn procedure(&self, code: &ProcedureCode)
        -> Result<Option<ProcedureVersion>, StoreError>;
    async fn procedure_version(
        &self,
        code: &ProcedureCode,
        version: u32,
    ) -> Result<Option<ProcedureVersion>, StoreError>;
    /// All versions, oldest first.
    async fn procedure_history(
        &self,
        code: &ProcedureCode,
    ) -> Result<Vec<VersionSummary>, StoreError>;
    /// The current version of every procedure (for building the search index).
    async fn all_procedures(&self) -> Result<Vec<Procedure>, StoreError>;
    async fn count_procedures(&self) -> Result<u64, StoreError>;

    /// A small key/value table for markers such as "demo data loaded".
    async fn get_setting(&self, key: &str) -> Result<Option<String>, StoreError>;
    async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError>;

    /// Checks the database answers (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;
}
