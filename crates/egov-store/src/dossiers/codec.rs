//! How dossier values are stored: enum names (the same as their serde
//! names), the dossier row's columns, and JSON text.

use egov_domain::attachment::MediaType;
use egov_domain::calendar::OverrideKind;
use egov_domain::dossier::{Dossier, DossierCode, DossierStatus, Outcome};
use egov_domain::identity::{AccountId, AccountKind, Role};
use egov_domain::{Channel, ProcedureCode};
use egov_ports::DocumentKind;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::corrupt;
use crate::identity::codec::{get_count, get_opt_ts, get_ts, opt_ts, ts, Named};
use crate::sql::{int, opt_text, placeholders, text, version, AnyQuery};
use crate::StoreError;

impl Named for DossierStatus {
    const ALL: &'static [Self] = &DossierStatus::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Named for Role {
    const ALL: &'static [Self] = &Role::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Named for DocumentKind {
    const ALL: &'static [Self] = &DocumentKind::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Named for Channel {
    const ALL: &'static [Self] = &[Channel::InPerson, Channel::Online, Channel::Post];
    fn name(self) -> &'static str {
        match self {
            Channel::InPerson => "in-person",
            Channel::Online => "online",
            Channel::Post => "post",
        }
    }
}

impl Named for Outcome {
    const ALL: &'static [Self] = &[Outcome::Granted, Outcome::Refused];
    fn name(self) -> &'static str {
        match self {
            Outcome::Granted => "granted",
            Outcome::Refused => "refused",
        }
    }
}

impl Named for MediaType {
    const ALL: &'static [Self] = &MediaType::ALL;
    fn name(self) -> &'static str {
        match self {
            MediaType::Pdf => "pdf",
            MediaType::Jpeg => "jpeg",
            MediaType::Png => "png",
        }
    }
}

impl Named for OverrideKind {
    const ALL: &'static [Self] = &[OverrideKind::DayOff, OverrideKind::WorkingDay];
    fn name(self) -> &'static str {
        match self {
            OverrideKind::DayOff => "day-off",
            OverrideKind::WorkingDay => "working-day",
        }
    }
}

/// A nullable enum column.
pub(super) fn get_opt<T: Named>(row: &AnyRow, column: &str) -> Result<Option<T>, StoreError> {
    match opt_text(row, column)? {
        None => Ok(None),
        Some(_) => T::get(row, column).map(Some),
    }
}

/// A value as JSON text.
pub(super) fn to_json<T: serde::Serialize + ?Sized>(
    value: &T,
    what: &str,
) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Backend(format!("cannot encode {what}: {e}")))
}

/// A JSON text column.
pub(super) fn get_json<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    column: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(&text(row, column)?).map_err(|e| corrupt(column, e))
}

/// A dossier code column.
pub(super) fn get_code(row: &AnyRow, column: &str) -> Result<DossierCode, StoreError> {
    DossierCode::parse(&text(row, column)?).map_err(|e| corrupt(column, e))
}

/// The columns of `dossiers` besides `code` (first) and `version` (last),
/// in the order [`bind_details`] binds them.
pub(super) const DETAILS: [&str; 26] = [
    "procedure_code",
    "service_version",
    "procedure_name",
    "applicant",
    "applicant_kind",
    "applicant_name",
    "channel",
    "receiving_agency",
    "handling_agency",
    "status",
    "step",
    "awaiting",
    "assignee",
    "form",
    "submitted_at",
    "received_at",
    "due_at",
    "deadline_at",
    "rescheduled_due_at",
    "paused_since",
    "paused_seconds",
    "supplement_requests",
    "finished_at",
    "outcome",
    "returned_at",
    "rating",
];

/// `code, {DETAILS}, version`: every column, for reading.
pub(super) fn columns() -> String {
    format!("code, {}, version", DETAILS.join(", "))
}

/// `INSERT INTO dossiers (code, …, version) VALUES ($1, …, $28)`.
pub(super) fn insert_statement() -> String {
    format!(
        "INSERT INTO dossiers ({}) VALUES ({})",
        columns(),
        placeholders(1, DETAILS.len() + 2)
    )
}

/// `UPDATE dossiers SET … = $2, …, version = $28 WHERE code = $1 AND version = $29`.
pub(super) fn update_statement() -> String {
    let sets: Vec<String> = DETAILS
        .iter()
        .enumerate()
        .map(|(i, column)| format!("{column} = ${}", i + 2))
        .collect();
    let n = DETAILS.len();
    format!(
        "UPDATE dossiers SET {}, version = ${} WHERE code = $1 AND version = ${}",
        sets.join(", "),
        n + 2,
        n + 3
    )
}

/// Binds the columns of [`DETAILS`] in order; `form` is the form as JSON text.
pub(super) fn bind_details<'q>(query: AnyQuery<'q>, d: &'q Dossier, form: String) -> AnyQuery<'q> {
    query
        .bind(d.procedure_code.as_str())
        .bind(i64::from(d.service_version))
        .bind(d.procedure_name.as_str())
        .bind(d.applicant.0.as_str())
        .bind(d.applicant_kind.name())
        .bind(d.applicant_name.as_str())
        .bind(d.channel.name())
        .bind(d.receiving_agency.as_str())
        .bind(d.handling_agency.as_str())
        .bind(d.status.name())
        .bind(i64::from(d.step))
        .bind(d.awaiting.map(Named::name))
        .bind(d.assignee.as_ref().map(|a| a.0.as_str()))
        .bind(form)
        .bind(ts(d.submitted_at))
        .bind(opt_ts(d.received_at))
        .bind(opt_ts(d.due_at))
        .bind(opt_ts(d.deadline_at))
        .bind(opt_ts(d.rescheduled_due_at))
        .bind(opt_ts(d.paused_since))
        .bind(d.paused_seconds)
        .bind(i64::from(d.supplement_requests))
        .bind(opt_ts(d.finished_at))
        .bind(d.outcome.map(Named::name))
        .bind(opt_ts(d.returned_at))
        .bind(d.rating.map(i64::from))
}

/// A `dossiers` row read through [`columns`].
pub(super) fn decode_dossier(row: &AnyRow) -> Result<Dossier, StoreError> {
    let rating: Option<i64> = row.try_get("rating").map_err(|e| corrupt("rating", e))?;
    let rating = rating
        .map(|r| u8::try_from(r).map_err(|_| corrupt("rating", format!("{r} out of range"))))
        .transpose()?;
    Ok(Dossier {
        code: get_code(row, "code")?,
        procedure_code: ProcedureCode::parse(&text(row, "procedure_code")?)
            .map_err(|e| corrupt("procedure_code", e))?,
        service_version: version(row, "service_version")?,
        procedure_name: text(row, "procedure_name")?,
        applicant: AccountId(text(row, "applicant")?),
        applicant_kind: AccountKind::get(row, "applicant_kind")?,
        applicant_name: text(row, "applicant_name")?,
        channel: Channel::get(row, "channel")?,
        receiving_agency: text(row, "receiving_agency")?,
        handling_agency: text(row, "handling_agency")?,
        status: DossierStatus::get(row, "status")?,
        step: get_count(row, "step")?,
        awaiting: get_opt(row, "awaiting")?,
        assignee: opt_text(row, "assignee")?.map(AccountId),
        form: get_json(row, "form")?,
        submitted_at: get_ts(row, "submitted_at")?,
        received_at: get_opt_ts(row, "received_at")?,
        due_at: get_opt_ts(row, "due_at")?,
        deadline_at: get_opt_ts(row, "deadline_at")?,
        rescheduled_due_at: get_opt_ts(row, "rescheduled_due_at")?,
        paused_since: get_opt_ts(row, "paused_since")?,
        paused_seconds: int(row, "paused_seconds")?,
        supplement_requests: get_count(row, "supplement_requests")?,
        finished_at: get_opt_ts(row, "finished_at")?,
        outcome: get_opt(row, "outcome")?,
        returned_at: get_opt_ts(row, "returned_at")?,
        rating,
        version: int(row, "version")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored names are the serde names, so JSON and columns agree.
    fn names_are_serde_names<T: Named + serde::Serialize>() {
        let mut names: Vec<&str> = T::ALL.iter().map(|v| v.name()).collect();
        for value in T::ALL {
            let json = serde_json::to_value(value).unwrap();
            assert_eq!(json.as_str(), Some(value.name()));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), T::ALL.len());
    }

    #[test]
    fn enum_names_match_serde() {
        names_are_serde_names::<DossierStatus>();
        names_are_serde_names::<Role>();
        names_are_serde_names::<DocumentKind>();
        names_are_serde_names::<Channel>();
        names_are_serde_names::<Outcome>();
        names_are_serde_names::<MediaType>();
        names_are_serde_names::<OverrideKind>();
    }

    #[test]
    fn statements_number_every_column() {
        assert!(insert_statement().ends_with("$27, $28)"));
        let update = update_statement();
        assert!(update.starts_with("UPDATE dossiers SET procedure_code = $2, "));
        assert!(update.ends_with("rating = $27, version = $28 WHERE code = $1 AND version = $29"));
    }
}
