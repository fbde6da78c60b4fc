//! [`CatalogueStore`] for [`SqlStore`]: each method hands over to the module
//! of its table. Settings and the health check live here.

use async_trait::async_trait;
use egov_domain::{
    AdminUnit, Agency, Era, Page, Procedure, ProcedureCode, ProcedureVersion, UnitLevel,
    UnitSuccession, VersionSummary,
};

use crate::error::backend_error;
use crate::sql::text;
use crate::{
    agencies, procedures, successions, units, AdminUnitFilter, AgencyFilter, CatalogueStore,
    ImportCounts, SqlStore, StoreError, VersionOutcome,
};

#[async_trait]
impl CatalogueStore for SqlStore {
    async fn upsert_admin_units(&self, units: &[AdminUnit]) -> Result<ImportCounts, StoreError> {
        units::upsert(self, units).await
    }

    async fn upsert_successions(
        &self,
        links: &[UnitSuccession],
    ) -> Result<ImportCounts, StoreError> {
        successions::upsert(self, links).await
    }

    async fn admin_unit(&self, era: Era, code: &str) -> Result<Option<AdminUnit>, StoreError> {
        units::get(self, era, code).await
    }

    async fn list_admin_units(
        &self,
        filter: &AdminUnitFilter,
    ) -> Result<Page<AdminUnit>, StoreError> {
        units::list(self, filter).await
    }

    async fn successors(
        &self,
        old_code: &str,
        old_level: UnitLevel,
    ) -> Result<Vec<UnitSuccession>, StoreError> {
        successions::successors(self, old_code, old_level).await
    }

    async fn predecessors(&self, new_code: &str) -> Result<Vec<UnitSuccession>, StoreError> {
        successions::predecessors(self, new_code).await
    }

    async fn count_admin_units(&self, era: Era) -> Result<u64, StoreError> {
        units::count(self, era).await
    }

    async fn upsert_agencies(&self, agencies: &[Agency]) -> Result<ImportCounts, StoreError> {
        agencies::upsert(self, agencies).await
    }

    async fn agency(&self, code: &str) -> Result<Option<Agency>, StoreError> {
        agencies::get(self, code).await
    }

    async fn list_agencies(&self, filter: &AgencyFilter) -> Result<Page<Agency>, StoreError> {
        agencies::list(self, filter).await
    }

    async fn save_procedures(
        &self,
        procedures: &[Procedure],
        now: jiff::Timestamp,
    ) -> Result<Vec<VersionOutcome>, StoreError> {
        procedures::save(self, procedures, now).await
    }

    async fn procedure(
        &self,
        code: &ProcedureCode,
    ) -> Result<Option<ProcedureVersion>, StoreError> {
        procedures::current(self, code).await
    }

    async fn procedure_version(
        &self,
        code: &ProcedureCode,
        version: u32,
    ) -> Result<Option<ProcedureVersion>, StoreError> {
        procedures::at_version(self, code, version).await
    }

    async fn procedure_history(
        &self,
        code: &ProcedureCode,
    ) -> Result<Vec<VersionSummary>, StoreError> {
        procedures::history(self, code).await
    }

    async fn all_procedures(&self) -> Result<Vec<Procedure>, StoreError> {
        procedures::all_current(self).await
    }

    async fn count_procedures(&self) -> Result<u64, StoreError> {
        procedures::count(self).await
    }

    async fn get_setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?
            .map(|row| text(&row, "value"))
            .transpose()
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        // ON CONFLICT … DO UPDATE is spelled the same in SQLite and PostgreSQL.
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }
}
