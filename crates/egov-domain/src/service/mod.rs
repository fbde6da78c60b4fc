//! Online service definitions (dịch vụ công trực tuyến): what a procedure
//! version declares as data — the application form, fees, the deadline and
//! the processing workflow. Agencies publish these as JSON; no code per
//! procedure.

mod form;
mod validate;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::identity::{AccountKind, Role};
use crate::{InvalidField, ProcedureCode, ProcessingTime, TimeUnit, Vnd};

pub use form::{ChoiceOption, Condition, FieldKind, FieldSpec, FormSpec, Prefill};
pub use validate::{FieldError, FieldErrorCode, FormContext, FormErrors};

/// A text in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LocalText {
    pub vi: String,
    pub en: String,
}

impl LocalText {
    /// The text in `lang` ("en" or anything else for Vietnamese).
    pub fn get(&self, lang: &str) -> &str {
        if lang == "en" && !self.en.is_empty() {
            &self.en
        } else {
            &self.vi
        }
    }
}

/// When a fee is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PayableAt {
    Submission,
    BeforeResult,
}

/// One fee or charge (phí, lệ phí) of the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FeeSpec {
    pub label: LocalText,
    #[schema(value_type = i64)]
    pub amount: Vnd,
    /// A number field of the form the amount is multiplied by (copies, units).
    #[serde(default)]
    pub per_field: Option<String>,
    pub payable_at: PayableAt,
    /// Exemption (miễn): the fee is not due when this condition holds,
    /// e.g. `{"field": "beneficiary", "equals": "co"}`.
    #[serde(default)]
    pub exempt_if: Option<Condition>,
}

/// One step of the processing workflow (quy trình xử lý).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StepSpec {
    pub key: String,
    pub name: LocalText,
    /// The role that acts at this step.
    #[schema(value_type = String)]
    pub role: Role,
    /// The agency that acts, when it is not the one handling the dossier:
    /// reaching this step transfers the dossier there (liên thông).
    #[serde(default)]
    pub agency: Option<String>,
    /// Working days allotted to this step, shown on the process control slip.
    #[serde(default)]
    pub days: Option<u32>,
}

/// The document issued as the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResultSpec {
    /// Its title, e.g. "Giấy khai sinh".
    pub title: LocalText,
}

/// An online service: one procedure as offered online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServiceDefinition {
    #[schema(value_type = String)]
    pub procedure_code: ProcedureCode,
    pub name: LocalText,
    /// Codes of the agencies that receive dossiers for this service.
    pub agencies: Vec<String>,
    /// Who may apply.
    #[schema(value_type = Vec<String>)]
    pub applicants: Vec<AccountKind>,
    pub form: FormSpec,
    #[serde(default)]
    pub fees: Vec<FeeSpec>,
    /// The legal deadline, counted from intake.
    #[schema(value_type = Object)]
    pub deadline: ProcessingTime,
    /// Steps in order: intake at the desk first, return of the result last.
    pub workflow: Vec<StepSpec>,
    pub result: ResultSpec,
}

impl ServiceDefinition {
    /// Checks the definition is coherent, naming the first problem.
    pub fn validate(&self) -> Result<(), InvalidField> {
        if self.name.vi.trim().is_empty() {
            return Err(InvalidField::new("name", "a Vietnamese name is required"));
        }
        if self.agencies.is_empty() {
            return Err(InvalidField::new(
                "agencies",
                "at least one receiving agency",
            ));
        }
        if self.applicants.is_empty() {
            return Err(InvalidField::new(
                "applicants",
                "at least one kind of applicant",
            ));
        }
        if self.deadline.amount == 0
            || self.deadline.unit == TimeUnit::Months && self.deadline.amount > 36
        {
            return Err(InvalidField::new(
                "deadline",
                "a positive deadline is required",
            ));
        }
        self.form.validate_definition()?;
        self.validate_workflow()?;
        for fee in &self.fees {
            if fee.amount.0 < 0 {
                return Err(InvalidField::new("fees", "amounts are not negative"));
            }
            if let Some(field) = &fee.per_field {
                match self.form.field(field) {
                    Some(FieldSpec {
                        kind: FieldKind::Number { .. },
                        ..
                    }) => {}
                    _ => {
                        return Err(InvalidField::new(
                            "fees",
                            format!("per_field `{field}` is not a number field of the form"),
                        ))
                    }
                }
            }
            if let Some(cond) = &fee.exempt_if {
                if self.form.field(&cond.field).is_none() {
                    return Err(InvalidField::new(
                        "fees",
                        format!("exempt_if depends on unknown field `{}`", cond.field),
                    ));
                }
            }
        }
        Ok(())
    }

    fn validate_workflow(&self) -> Result<(), InvalidField> {
        let steps = &self.workflow;
        let (Some(first), Some(last)) = (steps.first(), steps.last()) else {
            return Err(InvalidField::new("workflow", "steps are required"));
        };
        if steps.len() < 3 {
            return Err(InvalidField::new(
                "workflow",
                "at least intake, one processing step and return",
            ));
        }
        if first.role != Role::ReceivingOfficer || last.role != Role::ReceivingOfficer {
            return Err(InvalidField::new(
                "workflow",
                "the first (intake) and last (return) steps belong to the receiving officer",
            ));
        }
        if !steps.iter().any(|s| s.role == Role::Leader) {
            return Err(InvalidField::new(
                "workflow",
                "a leader's step approves the result",
            ));
        }
        let mut keys = std::collections::HashSet::new();
        for step in steps {
            if !form::is_key(&step.key) || !keys.insert(step.key.as_str()) {
                return Err(InvalidField::new(
                    "workflow",
                    format!("step key `{}` is not a unique lowercase key", step.key),
                ));
            }
            if matches!(step.role, Role::AgencyAdmin | Role::SystemAdmin) {
                return Err(InvalidField::new(
                    "workflow",
                    "administrators do not process dossiers",
                ));
            }
        }
        Ok(())
    }

    /// Index of the first processing step (after intake).
    pub fn first_processing_step(&self) -> usize {
        1
    }

    /// Index of the return step (the last).
    pub fn return_step(&self) -> usize {
        self.workflow.len().saturating_sub(1)
    }

    /// The fees due for validated form values (exempt fees left out). See
    /// [`crate::payment::fee_lines`] for checked lines with quantities.
    pub fn fees_due(&self, values: &serde_json::Value) -> Vec<(LocalText, Vnd, PayableAt)> {
        self.fees
            .iter()
            .filter(|fee| {
                !fee.exempt_if
                    .as_ref()
                    .is_some_and(|c| crate::payment::condition_holds(c, values))
            })
            .map(|fee| {
                let times = fee
                    .per_field
                    .as_ref()
                    .and_then(|f| values.get(f))
                    .and_then(serde_json::Value::as_i64)
                    .unwrap_or(1)
                    .max(0);
                (
                    fee.label.clone(),
                    Vnd(fee.amount.0.saturating_mul(times)),
                    fee.payable_at,
                )
            })
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod tests;
