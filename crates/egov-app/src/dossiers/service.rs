//! Online service definitions (dịch vụ công trực tuyến): published by the
//! platform's administrators, read by everyone.

use egov_domain::dossier::DossierCode;
use egov_domain::identity::{authorize, Action, Actor};
use egov_domain::service::ServiceDefinition;
use egov_domain::{InvalidField, ProcedureCode};
use jiff::civil::date;
use jiff::Timestamp;

use super::{Dossiers, ServiceSummary};
use crate::AppError;

impl Dossiers {
    /// Publishes a definition (a new version when it changed). Every agency
    /// it names must be in the catalogue, and the receiving agencies' codes
    /// must be usable in dossier codes.
    pub async fn publish_service(
        &self,
        actor: &Actor,
        definition: ServiceDefinition,
        now: Timestamp,
    ) -> Result<(u32, bool), AppError> {
        authorize(actor, &Action::ManageServices)?;
        definition.validate()?;
        for agency in &definition.agencies {
            if DossierCode::new(agency, date(2026, 1, 1), 1).is_err() {
                return Err(InvalidField::new(
                    "agencies",
                    format!(
                        "`{agency}` cannot start a dossier code (letters, digits and dots only)"
                    ),
                )
                .into());
            }
        }
        let step_agencies = definition.workflow.iter().filter_map(|s| s.agency.as_ref());
        for agency in definition.agencies.iter().chain(step_agencies) {
            if self.catalogue.agency(agency).await?.is_none() {
                return Err(InvalidField::new(
                    "agencies",
                    format!("no agency `{agency}` in the catalogue"),
                )
                .into());
            }
        }
        Ok(self.store.put_service(&definition, now).await?)
    }

    /// The latest version of every online service.
    pub async fn services(&self) -> Result<Vec<ServiceSummary>, AppError> {
        Ok(self
            .store
            .services()
            .await?
            .into_iter()
            .map(|(version, def)| ServiceSummary {
                procedure_code: def.procedure_code.as_str().to_owned(),
                version,
                name: def.name,
                agencies: def.agencies,
            })
            .collect())
    }

    /// The latest version of one service.
    pub async fn service(
        &self,
        procedure_code: &str,
    ) -> Result<(u32, ServiceDefinition), AppError> {
        let code = ProcedureCode::parse(procedure_code)?;
        self.store
            .service(&code)
            .await?
            .ok_or_else(|| AppError::not_found("service", code.as_str()))
    }
}
