//! Drafts (bản nháp): an application being filled in, pre-filled from the
//! account and saved as typed. Only its applicant sees or changes it.

use egov_domain::identity::{authorize, Account, AccountKind, Action, Actor};
use egov_domain::service::{Prefill, ServiceDefinition};
use egov_domain::InvalidField;
use jiff::Timestamp;
use serde_json::{Map, Value};

use super::access::{denied, person};
use super::{Dossiers, DraftView};
use crate::identity::new_id;
use crate::ports::{AttachmentOwner, Draft};
use crate::AppError;

impl Dossiers {
    /// Starts an application: a draft pre-filled from the account. `agency`
    /// defaults to the service's first receiving agency.
    pub async fn start_application(
        &self,
        actor: &Actor,
        procedure_code: &str,
        agency: Option<&str>,
        now: Timestamp,
    ) -> Result<Draft, AppError> {
        authorize(actor, &Action::ApplyForService)?;
        let applicant = person(actor)?;
        let (_, service) = self.service(procedure_code).await?;
        let account = self.applicant_account(applicant).await?;
        check_applicant_kind(&service, account.kind)?;
        let agency_code = match agency {
            None => service
                .agencies
                .first()
                .cloned()
                .ok_or_else(|| InvalidField::new("agency", "the service names no agency"))?,
            Some(code) if service.agencies.iter().any(|a| a == code) => code.to_owned(),
            Some(code) => {
                return Err(InvalidField::new(
                    "agency",
                    format!("`{code}` does not receive dossiers for this service"),
                )
                .into())
            }
        };
        let draft = Draft {
            id: new_id(),
            applicant: applicant.clone(),
            procedure_code: service.procedure_code.clone(),
            agency_code,
            values: prefilled(&service, &account),
            created_at: now,
            updated_at: now,
        };
        self.store.put_draft(&draft).await?;
        Ok(draft)
    }

    /// Saves form values as typed (autosave); not validated beyond size.
    pub async fn save_draft(
        &self,
        actor: &Actor,
        draft_id: &str,
        values: Value,
        now: Timestamp,
    ) -> Result<Draft, AppError> {
        let mut draft = self.own_draft(actor, draft_id).await?;
        if !values.is_object() {
            return Err(InvalidField::new("values", "the form values are a JSON object").into());
        }
        let size = serde_json::to_vec(&values)
            .map_err(|e| InvalidField::new("values", e.to_string()))?
            .len();
        if size > self.config.max_draft_bytes {
            return Err(InvalidField::new(
                "values",
                format!(
                    "the draft is {size} bytes, over the limit of {} bytes",
                    self.config.max_draft_bytes
                ),
            )
            .into());
        }
        draft.values = values;
        draft.updated_at = now;
        self.store.put_draft(&draft).await?;
        Ok(draft)
    }

    /// A draft with its service's form and its attachments.
    pub async fn draft(&self, actor: &Actor, draft_id: &str) -> Result<DraftView, AppError> {
        let draft = self.own_draft(actor, draft_id).await?;
        let (version, service) = self.service(draft.procedure_code.as_str()).await?;
        let attachments = self
            .store
            .attachments(&AttachmentOwner::Draft(draft.id.clone()))
            .await?;
        Ok(DraftView {
            draft,
            version,
            service,
            attachments,
        })
    }

    /// The acting person's drafts.
    pub async fn drafts(&self, actor: &Actor) -> Result<Vec<Draft>, AppError> {
        authorize(actor, &Action::ApplyForService)?;
        let applicant = person(actor)?;
        Ok(self.store.drafts_of(applicant).await?)
    }

    /// Deletes a draft and its attachments' records (the files stay: they
    /// are stored by content and may be shared).
    pub async fn discard_draft(&self, actor: &Actor, draft_id: &str) -> Result<(), AppError> {
        let draft = self.own_draft(actor, draft_id).await?;
        self.store.delete_draft(&draft.id).await?;
        Ok(())
    }
}

/// Refuses an account kind the service is not offered to.
pub(super) fn check_applicant_kind(
    service: &ServiceDefinition,
    kind: AccountKind,
) -> Result<(), AppError> {
    if service.applicants.contains(&kind) {
        Ok(())
    } else {
        Err(denied(&format!(
            "this service is not offered to {} accounts",
            kind.as_str()
        )))
    }
}

/// The form's pre-filled fields, from what the account knows.
fn prefilled(service: &ServiceDefinition, account: &Account) -> Value {
    let mut values = Map::new();
    for field in &service.form.fields {
        let Some(prefill) = field.prefill else {
            continue;
        };
        if let Some(value) = prefill_value(prefill, account) {
            values.insert(field.key.clone(), Value::String(value));
        }
    }
    Value::Object(values)
}

fn prefill_value(prefill: Prefill, account: &Account) -> Option<String> {
    let organisation = account.organisation.as_ref();
    match prefill {
        Prefill::FullName => Some(account.full_name.clone()),
        Prefill::NationalId => account
            .national_id
            .as_ref()
            .or(organisation.map(|o| &o.representative_national_id))
            .map(|n| n.as_str().to_owned()),
        Prefill::DateOfBirth => account.date_of_birth.map(|d| d.to_string()),
        Prefill::Phone => account.phone.as_ref().map(|p| p.as_str().to_owned()),
        Prefill::Email => account.email.as_ref().map(|e| e.as_str().to_owned()),
        Prefill::TaxCode => organisation.map(|o| o.tax_code.as_str().to_owned()),
        Prefill::OrganisationName => organisation.map(|o| o.name.clone()),
    }
}
