//! What the other parts share: the acting person, agency paths and
//! subtrees from the catalogue, and loading a dossier, its service and a
//! draft with the permission checks that go with them.

use std::collections::{BTreeSet, VecDeque};

use egov_domain::calendar::TIME_ZONE;
use egov_domain::dossier::{Dossier, DossierCode};
use egov_domain::identity::{authorize, Account, AccountId, Action, Actor, Denied, Role};
use egov_domain::service::ServiceDefinition;
use egov_domain::{InvalidField, PageRequest};
use jiff::civil::Date;
use jiff::Timestamp;

use super::Dossiers;
use crate::ports::{AgencyFilter, Attachment, Draft};
use crate::AppError;

/// Agencies are nested a few levels deep; a longer chain is a cycle.
const MAX_AGENCY_DEPTH: usize = 16;
/// The most agencies an inbox covers (a whole province is far fewer).
const MAX_SUBTREE: usize = 20_000;
/// Longest free text (reasons, notes, messages, comments), in characters.
pub(super) const MAX_TEXT_CHARS: usize = 2000;

/// The roles that handle dossiers.
pub(super) const PROCESSING_ROLES: [Role; 3] =
    [Role::ReceivingOfficer, Role::Specialist, Role::Leader];

/// The acting person's account id; the operator and anonymous callers have none.
pub(super) fn person(actor: &Actor) -> Result<&AccountId, AppError> {
    match actor {
        Actor::Person { id, .. } => Ok(id),
        Actor::Anonymous => Err(denied("sign in first")),
        Actor::System => Err(denied("only a signed-in person can do that")),
    }
}

/// The account id of a person, `None` for the operator.
pub(super) fn actor_id(actor: &Actor) -> Option<AccountId> {
    match actor {
        Actor::Person { id, .. } => Some(id.clone()),
        Actor::Anonymous | Actor::System => None,
    }
}

pub(super) fn denied(reason: &str) -> AppError {
    AppError::Denied(Denied {
        reason: reason.to_owned(),
    })
}

/// The calendar date in Vietnam at `at`.
pub(super) fn local_date(at: Timestamp) -> Date {
    at.to_zoned(TIME_ZONE.clone()).date()
}

/// Free text typed by someone: trimmed, at most [`MAX_TEXT_CHARS`], and
/// not empty when `required`.
pub(super) fn clean_text(
    field: &'static str,
    text: &str,
    required: bool,
) -> Result<Option<String>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return if required {
            Err(InvalidField::new(field, "is required").into())
        } else {
            Ok(None)
        };
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(
            InvalidField::new(field, format!("at most {MAX_TEXT_CHARS} characters")).into(),
        );
    }
    Ok(Some(text.to_owned()))
}

pub(super) fn parse_code(code: &str) -> Result<DossierCode, AppError> {
    Ok(DossierCode::parse(code)?)
}

impl Dossiers {
    /// The agency's code and those of every agency above it, nearest first.
    /// An agency missing from the catalogue ends the path there.
    pub(super) async fn agency_path(&self, code: &str) -> Result<Vec<String>, AppError> {
        let mut path = Vec::new();
        let mut next = Some(code.to_owned());
        while let Some(code) = next.take() {
            if path.len() >= MAX_AGENCY_DEPTH || path.contains(&code) {
                break;
            }
            next = self
                .catalogue
                .agency(&code)
                .await?
                .and_then(|a| a.parent_code);
            path.push(code);
        }
        Ok(path)
    }

    /// The agency and every agency below it in the catalogue's tree.
    pub(super) async fn agency_subtree(&self, code: &str) -> Result<Vec<String>, AppError> {
        let mut seen = BTreeSet::from([code.to_owned()]);
        let mut out = vec![code.to_owned()];
        let mut queue = VecDeque::from([code.to_owned()]);
        while let Some(parent) = queue.pop_front() {
            let mut offset = 0u32;
            loop {
                let page = self
                    .catalogue
                    .list_agencies(&AgencyFilter {
                        parent_code: Some(parent.clone()),
                        page: PageRequest::new(offset, PageRequest::MAX_LIMIT),
                        ..AgencyFilter::default()
                    })
                    .await?;
                let count = page.items.len();
                for child in page.items {
                    if out.len() >= MAX_SUBTREE {
                        return Ok(out);
                    }
                    if seen.insert(child.code.clone()) {
                        out.push(child.code.clone());
                        queue.push_back(child.code);
                    }
                }
                offset = offset.saturating_add(PageRequest::MAX_LIMIT);
                if count < PageRequest::MAX_LIMIT as usize || u64::from(offset) >= page.total {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// The dossier by code: `Invalid` when malformed, `NotFound` when unknown.
    pub(super) async fn load_dossier(&self, code: &str) -> Result<Dossier, AppError> {
        let parsed = parse_code(code)?;
        self.store
            .dossier(&parsed)
            .await?
            .ok_or_else(|| AppError::not_found("dossier", parsed.to_string()))
    }

    /// The applicant's account: `NotFound` when there is none.
    pub(super) async fn applicant_account(&self, id: &AccountId) -> Result<Account, AppError> {
        self.identity
            .account(id)
            .await?
            .ok_or_else(|| AppError::not_found("account", id.0.clone()))
    }

    /// An attachment's record: `NotFound` when unknown.
    pub(super) async fn load_attachment(&self, id: &str) -> Result<Attachment, AppError> {
        self.store
            .attachment(id)
            .await?
            .ok_or_else(|| AppError::not_found("attachment", id))
    }

    /// The service definition the dossier was filed under.
    pub(super) async fn service_of(
        &self,
        dossier: &Dossier,
    ) -> Result<ServiceDefinition, AppError> {
        self.store
            .service_version(&dossier.procedure_code, dossier.service_version)
            .await?
            .ok_or_else(|| {
                AppError::not_found(
                    "service",
                    format!(
                        "{} v{}",
                        dossier.procedure_code.as_str(),
                        dossier.service_version
                    ),
                )
            })
    }

    /// The agencies whose officials may read the dossier: those above and
    /// at the handling agency and the receiving agency.
    pub(super) async fn read_path(&self, dossier: &Dossier) -> Result<Vec<String>, AppError> {
        let mut path = self.agency_path(&dossier.handling_agency).await?;
        if dossier.receiving_agency != dossier.handling_agency {
            for code in self.agency_path(&dossier.receiving_agency).await? {
                if !path.contains(&code) {
                    path.push(code);
                }
            }
        }
        Ok(path)
    }

    /// Refuses anyone but the applicant and officials of the agencies concerned.
    pub(super) async fn authorize_read(
        &self,
        actor: &Actor,
        dossier: &Dossier,
    ) -> Result<(), AppError> {
        let path = self.read_path(dossier).await?;
        authorize(
            actor,
            &Action::ReadDossier {
                applicant: &dossier.applicant,
                agency_path: &path,
            },
        )?;
        Ok(())
    }

    /// A draft its applicant (only) may see and change.
    pub(super) async fn own_draft(&self, actor: &Actor, draft_id: &str) -> Result<Draft, AppError> {
        let draft = self
            .store
            .draft(draft_id)
            .await?
            .ok_or_else(|| AppError::not_found("draft", draft_id))?;
        authorize(
            actor,
            &Action::ActAsApplicant {
                applicant: &draft.applicant,
            },
        )?;
        Ok(draft)
    }
}

/// Whether `roles` include a specialist's role in an agency on `path` (the
/// handling agency or one above it), as the policy scopes roles.
pub(super) fn is_specialist_on(
    roles: &[egov_domain::identity::RoleAssignment],
    path: &[String],
) -> bool {
    roles
        .iter()
        .any(|r| r.role == egov_domain::identity::Role::Specialist && path.contains(&r.agency_code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_is_trimmed_bounded_and_required_when_asked() {
        assert_eq!(
            clean_text("reason", "  thiếu giấy  ", true).unwrap(),
            Some("thiếu giấy".into())
        );
        assert!(matches!(
            clean_text("reason", "   ", true),
            Err(AppError::Invalid(e)) if e.field == "reason"
        ));
        assert_eq!(clean_text("note", "", false).unwrap(), None);
        assert!(clean_text("note", &"ư".repeat(2001), false).is_err());
        assert!(clean_text("note", &"ư".repeat(2000), false).is_ok());
    }

    #[test]
    fn local_dates_are_vietnamese() {
        let late: Timestamp = "2026-12-03T17:30:00Z".parse().unwrap();
        assert_eq!(local_date(late), jiff::civil::date(2026, 12, 4));
    }

    #[test]
    fn a_specialist_above_the_handling_agency_counts() {
        use egov_domain::identity::{Role, RoleAssignment};
        let path = vec!["000.00.01.H01".to_owned(), "000.00.00.H01".to_owned()];
        let at = |agency: &str, role| RoleAssignment {
            agency_code: agency.into(),
            role,
        };
        assert!(is_specialist_on(
            &[at("000.00.00.H01", Role::Specialist)],
            &path
        ));
        assert!(is_specialist_on(
            &[at("000.00.01.H01", Role::Specialist)],
            &path
        ));
        assert!(!is_specialist_on(
            &[at("000.00.00.H01", Role::Leader)],
            &path
        ));
        assert!(!is_specialist_on(
            &[at("000.00.00.H48", Role::Specialist)],
            &path
        ));
    }
}
