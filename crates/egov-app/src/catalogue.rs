//! The catalogue use cases: administrative units, agencies and procedures.

use std::sync::Arc;

use egov_domain::{
    text, AdminUnit, Agency, Era, Page, Procedure, ProcedureCode, ProcedureVersion, UnitLevel,
    UnitSuccession, VersionSummary,
};
use egov_search::{SearchIndex, SearchQuery, SearchResults, UnitScope};

use crate::ports::{AdminUnitFilter, AgencyFilter, CatalogueStore, ImportCounts, VersionOutcome};
use crate::AppError;

/// A current unit that took over (part of) a pre-2025 unit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Successor {
    pub unit: AdminUnit,
    /// True when only part of the old unit went to this one.
    pub partial: bool,
}

/// The catalogue: storage plus the search index kept in step with it.
pub struct Catalogue {
    store: Arc<dyn CatalogueStore>,
    index: Arc<SearchIndex>,
}

impl Catalogue {
    /// Opens the catalogue and builds the search index from what is stored.
    pub async fn open(store: Arc<dyn CatalogueStore>) -> Result<Self, AppError> {
        let index = Arc::new(SearchIndex::new()?);
        let catalogue = Self { store, index };
        catalogue.rebuild_index().await?;
        Ok(catalogue)
    }

    pub fn store(&self) -> &Arc<dyn CatalogueStore> {
        &self.store
    }

    /// Rebuilds the search index from the stored procedures.
    pub async fn rebuild_index(&self) -> Result<usize, AppError> {
        let procedures = self.store.all_procedures().await?;
        let count = procedures.len();
        let index = Arc::clone(&self.index);
        blocking(move || index.replace_all(&procedures)).await?;
        Ok(count)
    }

    pub async fn ready(&self) -> Result<(), AppError> {
        Ok(self.store.ping().await?)
    }

    // --- administrative units ---------------------------------------------

    /// Imports units of one era in one transaction.
    pub async fn import_admin_units(&self, units: &[AdminUnit]) -> Result<ImportCounts, AppError> {
        for (i, unit) in units.iter().enumerate() {
            unit.validate().map_err(|e| AppError::Import {
                location: format!("record {}", i + 1),
                reason: e.to_string(),
            })?;
        }
        Ok(self.store.upsert_admin_units(units).await?)
    }

    pub async fn import_successions(
        &self,
        links: &[UnitSuccession],
    ) -> Result<ImportCounts, AppError> {
        Ok(self.store.upsert_successions(links).await?)
    }

    /// Imports the links whose two ends are stored and skips the rest (the
    /// published mappings name a few old communes merged away before the
    /// last pre-reform list). The skipped links are counted, not lost silently.
    pub async fn import_known_successions(
        &self,
        links: &[UnitSuccession],
    ) -> Result<ImportCounts, AppError> {
        let mut known = std::collections::HashMap::new();
        let mut kept = Vec::with_capacity(links.len());
        for link in links {
            let old = self
                .exists(&mut known, Era::Pre2025, &link.old_code)
                .await?;
            let new = self
                .exists(&mut known, Era::Current, &link.new_code)
                .await?;
            if old && new {
                kept.push(link.clone());
            }
        }
        let mut counts = self.store.upsert_successions(&kept).await?;
        counts.skipped = (links.len() - kept.len()) as u64;
        Ok(counts)
    }

    async fn exists(
        &self,
        known: &mut std::collections::HashMap<(Era, String), bool>,
        era: Era,
        code: &str,
    ) -> Result<bool, AppError> {
        let key = (era, code.to_owned());
        if let Some(found) = known.get(&key) {
            return Ok(*found);
        }
        let found = self.store.admin_unit(era, code).await?.is_some();
        known.insert(key, found);
        Ok(found)
    }

    pub async fn admin_unit(&self, era: Era, code: &str) -> Result<AdminUnit, AppError> {
        self.store
            .admin_unit(era, code)
            .await?
            .ok_or_else(|| AppError::not_found("administrative unit", code))
    }

    pub async fn list_admin_units(
        &self,
        filter: &AdminUnitFilter,
    ) -> Result<Page<AdminUnit>, AppError> {
        let mut filter = filter.clone();
        filter.name_folded = filter.name_folded.map(|q| text::fold(&q));
        if let Some(parent) = &filter.parent_code {
            let era = filter.era.unwrap_or(Era::Current);
            self.admin_unit(era, parent).await?;
        }
        Ok(self.store.list_admin_units(&filter).await?)
    }

    /// The chain from a unit up to its province (the unit first).
    pub async fn ancestry(&self, era: Era, code: &str) -> Result<Vec<AdminUnit>, AppError> {
        let mut chain = vec![self.admin_unit(era, code).await?];
        while let Some(parent) = chain.last().and_then(|u| u.parent_code.clone()) {
            if chain.len() > 3 {
                break;
            }
            chain.push(self.admin_unit(era, &parent).await?);
        }
        Ok(chain)
    }

    /// Today's units that took over a pre-2025 unit (an address written before
    /// the reform resolves through this).
    pub async fn successors_of(&self, old: &AdminUnit) -> Result<Vec<Successor>, AppError> {
        let links = self.store.successors(&old.code, old.level).await?;
        let mut out = Vec::with_capacity(links.len());
        for link in links {
            if let Some(unit) = self.store.admin_unit(Era::Current, &link.new_code).await? {
                out.push(Successor {
                    unit,
                    partial: link.partial,
                });
            }
        }
        Ok(out)
    }

    /// The pre-2025 units a current unit took over.
    pub async fn predecessors_of(&self, new_code: &str) -> Result<Vec<Successor>, AppError> {
        let links = self.store.predecessors(new_code).await?;
        let mut out = Vec::with_capacity(links.len());
        for link in links {
            if let Some(unit) = self.store.admin_unit(Era::Pre2025, &link.old_code).await? {
                out.push(Successor {
                    unit,
                    partial: link.partial,
                });
            }
        }
        Ok(out)
    }

    // --- agencies -----------------------------------------------------------

    pub async fn upsert_agencies(&self, agencies: &[Agency]) -> Result<ImportCounts, AppError> {
        for (i, agency) in agencies.iter().enumerate() {
            agency.validate().map_err(|e| AppError::Import {
                location: format!("record {}", i + 1),
                reason: e.to_string(),
            })?;
        }
        Ok(self.store.upsert_agencies(agencies).await?)
    }

    pub async fn agency(&self, code: &str) -> Result<Agency, AppError> {
        self.store
            .agency(code)
            .await?
            .ok_or_else(|| AppError::not_found("agency", code))
    }

    pub async fn list_agencies(&self, filter: &AgencyFilter) -> Result<Page<Agency>, AppError> {
        let mut filter = filter.clone();
        filter.name_folded = filter.name_folded.map(|q| text::fold(&q));
        Ok(self.store.list_agencies(&filter).await?)
    }

    // --- procedures ---------------------------------------------------------

    /// Imports procedures: new ones get version 1, changed ones a new version,
    /// unchanged ones stay as they are. One transaction; the index follows.
    pub async fn import_procedures(
        &self,
        procedures: Vec<Procedure>,
        now: jiff::Timestamp,
    ) -> Result<ImportCounts, AppError> {
        for (i, p) in procedures.iter().enumerate() {
            p.validate().map_err(|e| AppError::Import {
                location: format!("record {} ({})", i + 1, p.code),
                reason: e.to_string(),
            })?;
        }
        let outcomes = self.store.save_procedures(&procedures, now).await?;
        let mut counts = ImportCounts::default();
        let mut changed = Vec::new();
        for (outcome, procedure) in outcomes.into_iter().zip(procedures) {
            match outcome {
                VersionOutcome::Created => counts.created += 1,
                VersionOutcome::NewVersion(_) => counts.updated += 1,
                VersionOutcome::Unchanged => {
                    counts.unchanged += 1;
                    continue;
                }
            }
            changed.push(procedure);
        }
        if !changed.is_empty() {
            let index = Arc::clone(&self.index);
            blocking(move || index.upsert(&changed)).await?;
        }
        Ok(counts)
    }

    /// Edits a procedure: stores a new version when the content changed.
    /// Returns the version now current.
    pub async fn edit_procedure(
        &self,
        procedure: Procedure,
        now: jiff::Timestamp,
    ) -> Result<ProcedureVersion, AppError> {
        procedure.validate()?;
        let code = procedure.code.clone();
        self.procedure(&code).await?;
        self.import_procedures(vec![procedure], now).await?;
        self.procedure(&code).await
    }

    pub async fn procedure(&self, code: &ProcedureCode) -> Result<ProcedureVersion, AppError> {
        self.store
            .procedure(code)
            .await?
            .ok_or_else(|| AppError::not_found("procedure", code.as_str()))
    }

    pub async fn procedure_version(
        &self,
        code: &ProcedureCode,
        version: u32,
    ) -> Result<ProcedureVersion, AppError> {
        self.store
            .procedure_version(code, version)
            .await?
            .ok_or_else(|| AppError::not_found("procedure version", format!("{code}@{version}")))
    }

    pub async fn procedure_history(
        &self,
        code: &ProcedureCode,
    ) -> Result<Vec<VersionSummary>, AppError> {
        let history = self.store.procedure_history(code).await?;
        if history.is_empty() {
            return Err(AppError::not_found("procedure", code.as_str()));
        }
        Ok(history)
    }

    /// Searches the catalogue. `unit_code` (a current unit) restricts results
    /// to procedures carried out there.
    pub async fn search(
        &self,
        mut query: SearchQuery,
        unit_code: Option<&str>,
    ) -> Result<SearchResults, AppError> {
        if let Some(code) = unit_code {
            let chain = self.ancestry(Era::Current, code).await?;
            let level = chain
                .first()
                .map(|u| u.level)
                .unwrap_or(UnitLevel::Province);
            query.unit = Some(UnitScope {
                level,
                codes: chain.into_iter().map(|u| u.code).collect(),
            });
        }
        let index = Arc::clone(&self.index);
        blocking(move || index.search(&query)).await
    }

    /// Searches without leaving the calling thread (for benchmarks and callers
    /// that already run off the async executor).
    pub fn search_now(&self, query: &SearchQuery) -> Result<SearchResults, AppError> {
        Ok(self.index.search(query)?)
    }
}

/// Runs index work (CPU-bound, may block on the writer lock) off the async executor.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, egov_search::SearchError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Search(e.to_string()))?
        .map_err(AppError::from)
}
