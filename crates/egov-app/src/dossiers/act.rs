//! The commands on a dossier (xử lý hồ sơ): who may give each, when, and
//! what it changes.
//!
//! Every command is checked in the same order — permission (the role of the
//! current workflow step in the handling agency's path, or the applicant),
//! then the status (`next_status`, the one transition table), then the
//! workflow position — and then written with the event, documents,
//! notifications and messages as one `Change`, compared on the version read.
//! The same check, without input, gives the actions a person may take now.

use egov_domain::dossier::{
    next_status, Dossier, DossierStatus, IllegalTransition, Outcome, Transition,
};
use egov_domain::identity::{
    authorize, AccountId, AccountKind, AccountStatus, Action, Actor, Role,
};
use egov_domain::service::ServiceDefinition;
use egov_domain::InvalidField;
use jiff::{SignedDuration, Timestamp};

use super::access::{actor_id, clean_text, denied, local_date, PROCESSING_ROLES};
use super::documents::Issue;
use super::messages::messages;
use super::notify::Notice;
use super::{Command, Dossiers};
use crate::ports::{Change, EventDetail, NewEvent, SideEffects};
use crate::AppError;

/// Who may give a command.
enum Who {
    /// The dossier's applicant.
    Applicant,
    /// An official holding one of these roles in the handling agency's path.
    Officials(Vec<Role>),
    /// The applicant, or such an official.
    Either(Vec<Role>),
}

/// A command that may go ahead: the status it leads to and the role the
/// actor acts in (None for the applicant).
pub(super) struct Permit {
    pub to: DossierStatus,
    pub role: Option<Role>,
}

/// The role acting at workflow step `step`.
fn role_at(service: &ServiceDefinition, step: usize) -> Option<Role> {
    service.workflow.get(step).map(|s| s.role)
}

fn who(dossier: &Dossier, service: &ServiceDefinition, transition: Transition) -> Option<Who> {
    use Transition as T;
    let step = role_at(service, dossier.step as usize);
    let intake = role_at(service, 0);
    let ret = role_at(service, service.return_step());
    let roles = |candidates: &[Option<Role>]| {
        let mut out: Vec<Role> = Vec::new();
        for role in candidates.iter().flatten() {
            if !out.contains(role) {
                out.push(*role);
            }
        }
        out
    };
    Some(match transition {
        T::Accept | T::RefuseIntake => Who::Officials(roles(&[intake])),
        T::Assign | T::Transfer => Who::Officials(roles(&[step, Some(Role::Leader)])),
        T::Propose | T::SendBack | T::RequestSupplement => Who::Officials(roles(&[step])),
        T::Approve | T::Stop => Who::Officials(vec![Role::Leader]),
        T::ReturnResult => Who::Officials(roles(&[ret])),
        T::Apologise => Who::Officials(PROCESSING_ROLES.to_vec()),
        T::Message => Who::Either(PROCESSING_ROLES.to_vec()),
        T::Supplement | T::Withdraw | T::Rate => Who::Applicant,
        // Payments are confirmed by the payment notification, not by a person.
        T::RequestPayment | T::ConfirmPayment => return None,
    })
}

/// The first of `roles` the actor holds in the agency path.
fn as_official(actor: &Actor, path: &[String], roles: &[Role]) -> Result<Role, AppError> {
    let mut refusal = None;
    for role in roles {
        match authorize(
            actor,
            &Action::ProcessDossier {
                agency_path: path,
                role: *role,
            },
        ) {
            Ok(()) => return Ok(*role),
            Err(e) => refusal = Some(e),
        }
    }
    Err(refusal.map_or_else(|| denied("nobody may do that now"), AppError::Denied))
}

fn illegal(dossier: &Dossier, transition: Transition) -> AppError {
    IllegalTransition {
        from: dossier.status,
        transition,
    }
    .into()
}

/// Whether the workflow position allows the transition (the status allows it).
fn workflow_allows(dossier: &Dossier, service: &ServiceDefinition, transition: Transition) -> bool {
    use Transition as T;
    let step = dossier.step as usize;
    let first = service.first_processing_step();
    let ret = service.return_step();
    match transition {
        T::Propose => step >= first && step + 1 < ret,
        T::SendBack => step > first && step < ret,
        T::Transfer => step < ret,
        T::Approve => role_at(service, step) == Some(Role::Leader),
        T::Apologise => dossier.due_at.is_some() && dossier.finished_at.is_none(),
        T::Rate => dossier.rating.is_none(),
        _ => true,
    }
}

/// Checks `actor` may make `transition` on `dossier` now.
pub(super) fn permit(
    actor: &Actor,
    dossier: &Dossier,
    service: &ServiceDefinition,
    handling_path: &[String],
    transition: Transition,
) -> Result<Permit, AppError> {
    let Some(who) = who(dossier, service, transition) else {
        return Err(illegal(dossier, transition));
    };
    let applicant = Action::ActAsApplicant {
        applicant: &dossier.applicant,
    };
    let role = match who {
        Who::Applicant => {
            authorize(actor, &applicant)?;
            None
        }
        Who::Officials(roles) => Some(as_official(actor, handling_path, &roles)?),
        Who::Either(roles) => match authorize(actor, &applicant) {
            Ok(()) => None,
            Err(_) => Some(as_official(actor, handling_path, &roles)?),
        },
    };
    let to = next_status(dossier.status, transition, dossier.received_at.is_some())?;
    if !workflow_allows(dossier, service, transition) {
        return Err(illegal(dossier, transition));
    }
    Ok(Permit { to, role })
}

/// The transitions `actor` may make on `dossier` now.
pub(super) fn allowed(
    actor: &Actor,
    dossier: &Dossier,
    service: &ServiceDefinition,
    handling_path: &[String],
) -> Vec<Transition> {
    Transition::ALL
        .into_iter()
        .filter(|t| permit(actor, dossier, service, handling_path, *t).is_ok())
        .collect()
}

/// The effective deadline: the appointment plus the time spent
/// supplementing; none while paused.
fn deadline_of(dossier: &Dossier) -> Option<Timestamp> {
    if dossier.paused_since.is_some() {
        return None;
    }
    let due = dossier.due_at?;
    due.checked_add(SignedDuration::from_secs(dossier.paused_seconds))
        .ok()
}

/// Moves the dossier to workflow step `step`: its role must act next, and a
/// step of another agency transfers the dossier there.
fn enter_step(
    next: &mut Dossier,
    service: &ServiceDefinition,
    step: usize,
    detail: &mut EventDetail,
) {
    next.step = u32::try_from(step).unwrap_or(u32::MAX);
    if let Some(agency) = service.workflow.get(step).and_then(|s| s.agency.clone()) {
        if agency != next.handling_agency {
            next.handling_agency = agency.clone();
            next.assignee = None;
            detail.agency = Some(agency);
        }
    }
    next.awaiting = role_at(service, step);
}

impl Dossiers {
    /// Applies a command; an illegal one is refused (AppError::Transition)
    /// and changes nothing; a concurrent change is AppError::Conflict.
    pub async fn act(
        &self,
        actor: &Actor,
        code: &str,
        command: Command,
        now: Timestamp,
    ) -> Result<Dossier, AppError> {
        let dossier = self.load_dossier(code).await?;
        let service = self.service_of(&dossier).await?;
        let path = self.agency_path(&dossier.handling_agency).await?;
        let transition = command.transition();
        let permit = permit(actor, &dossier, &service, &path, transition)?;

        let mut next = dossier.clone();
        next.status = permit.to;
        next.version = dossier.version + 1;
        let mut detail = EventDetail {
            from: Some(dossier.status),
            to: Some(permit.to),
            role: permit.role,
            ..EventDetail::default()
        };
        let mut issue = None;
        let mut notice = (permit.to != dossier.status).then_some(Notice::Status);
        let step = dossier.step as usize;

        match command {
            Command::Accept => {
                let due = self.due_at(now, service.deadline).await?;
                next.received_at = Some(now);
                next.due_at = Some(due);
                next.awaiting = role_at(&service, 0);
                detail.due_at = Some(due);
                issue = Some(Issue::Receipt);
            }
            Command::RefuseIntake { reason } => {
                detail.note = clean_text("reason", &reason, true)?;
                next.awaiting = None;
                issue = Some(Issue::Refusal);
            }
            Command::Assign { specialist } => {
                self.check_specialist(&specialist, &dossier.handling_agency)
                    .await?;
                next.step = next.step.max(service.first_processing_step() as u32);
                next.assignee = Some(specialist.clone());
                next.awaiting = role_at(&service, next.step as usize);
                detail.assignee = Some(specialist.0);
            }
            Command::Transfer { agency, note } => {
                let agency = agency.trim().to_owned();
                if agency == dossier.handling_agency {
                    return Err(InvalidField::new("agency", "the dossier is there already").into());
                }
                if self.catalogue.agency(&agency).await?.is_none() {
                    return Err(InvalidField::new("agency", format!("no agency `{agency}`")).into());
                }
                next.handling_agency = agency.clone();
                next.assignee = None;
                detail.agency = Some(agency);
                detail.note = clean_text("note", &note, false)?;
            }
            Command::Propose { note } => {
                detail.note = clean_text("note", &note, false)?;
                enter_step(&mut next, &service, step + 1, &mut detail);
            }
            Command::SendBack { note } => {
                detail.note = clean_text("note", &note, false)?;
                enter_step(&mut next, &service, step.saturating_sub(1), &mut detail);
            }
            Command::RequestSupplement { reason } => {
                detail.note = clean_text("reason", &reason, true)?;
                // Before intake the clock has not started: nothing pauses,
                // and the request does not count against the deadline.
                if dossier.received_at.is_some() {
                    next.paused_since = Some(now);
                    next.supplement_requests += 1;
                }
                next.awaiting = None;
                issue = Some(Issue::SupplementRequest);
            }
            Command::Supplement { note } => {
                detail.note = clean_text("note", &note, false)?;
                next.awaiting = if dossier.received_at.is_some() {
                    role_at(&service, step)
                } else {
                    role_at(&service, 0)
                };
            }
            Command::Approve { note } => {
                detail.note = clean_text("note", &note, false)?;
                next.outcome = Some(Outcome::Granted);
                issue = Some(Issue::Result {
                    agency: dossier.handling_agency.clone(),
                });
                // The one-stop desk returns the result.
                let ret = service.return_step();
                next.step = u32::try_from(ret).unwrap_or(u32::MAX);
                let desk = service
                    .workflow
                    .get(ret)
                    .and_then(|s| s.agency.clone())
                    .unwrap_or_else(|| dossier.receiving_agency.clone());
                if desk != next.handling_agency {
                    detail.agency = Some(desk.clone());
                    next.handling_agency = desk;
                }
                next.awaiting = role_at(&service, ret);
            }
            Command::Stop { reason } => {
                detail.note = clean_text("reason", &reason, true)?;
                next.outcome = Some(Outcome::Refused);
                next.awaiting = None;
                issue = Some(Issue::Stop);
            }
            Command::Withdraw { reason } => {
                detail.note = clean_text("reason", &reason, false)?;
                next.awaiting = None;
            }
            Command::ReturnResult => {
                next.returned_at = Some(now);
                next.awaiting = None;
            }
            Command::Apologise { reason, new_due } => {
                detail.note = clean_text("reason", &reason, true)?;
                let current = dossier
                    .rescheduled_due_at
                    .or_else(|| dossier.clock().effective_due(now));
                if let Some(current) = current {
                    let current = local_date(current);
                    if new_due <= current {
                        return Err(InvalidField::new(
                            "new_due",
                            format!("must be after the current due date {current}"),
                        )
                        .into());
                    }
                }
                if !self.working_calendar().await?.is_working_day(new_due) {
                    return Err(InvalidField::new("new_due", "is not a working day").into());
                }
                let new_at = Self::close_of(new_due)?;
                next.rescheduled_due_at = Some(new_at);
                detail.due_at = Some(new_at);
                issue = Some(Issue::Apology {
                    previous_due: current,
                });
                notice = Some(Notice::Apology {
                    date: messages()?.date(new_at),
                });
            }
            Command::Message { text } => {
                detail.note = clean_text("text", &text, true)?;
                if permit.role.is_some() {
                    notice = Some(Notice::Message);
                }
            }
            Command::Rate { rating, comment } => {
                if !(1..=5).contains(&rating) {
                    return Err(InvalidField::new("rating", "from 1 to 5").into());
                }
                next.rating = Some(rating);
                detail.rating = Some(rating);
                detail.note = clean_text("comment", &comment, false)?;
            }
        }

        // Leaving a pause: the time spent supplementing is added up.
        if dossier.status == DossierStatus::SupplementRequested
            && next.status != DossierStatus::SupplementRequested
        {
            if let Some(since) = next.paused_since.take() {
                next.paused_seconds += now.duration_since(since).as_secs().max(0);
            }
        }
        if next.status.ends_processing() && next.finished_at.is_none() {
            next.finished_at = Some(now);
        }
        next.deadline_at = deadline_of(&next);

        let documents = match issue {
            Some(issue) => {
                self.issue(issue, &next, &service, detail.note.as_deref(), now)
                    .await?
            }
            None => Vec::new(),
        };
        detail.documents = documents.iter().map(|d| d.id.clone()).collect();
        let (notifications, outbox) = match notice {
            Some(notice) => {
                self.notices(&next, transition.as_str(), notice, now)
                    .await?
            }
            None => (Vec::new(), Vec::new()),
        };
        let change = Change {
            dossier: next.clone(),
            expected_version: dossier.version,
            event: NewEvent {
                at: now,
                actor: actor_id(actor),
                action: transition.as_str().to_owned(),
                detail,
            },
            effects: SideEffects {
                documents,
                notifications,
                outbox,
            },
        };
        if !self.store.apply(&change).await? {
            return Err(AppError::Conflict(
                "the dossier changed meanwhile; reload".into(),
            ));
        }
        Ok(next)
    }

    /// Refuses anyone who is not an active specialist of the agency.
    async fn check_specialist(&self, id: &AccountId, agency: &str) -> Result<(), AppError> {
        let refused = || {
            AppError::from(InvalidField::new(
                "specialist",
                "is not a specialist of the agency handling the dossier",
            ))
        };
        let account = self.identity.account(id).await?.ok_or_else(refused)?;
        if account.kind != AccountKind::Official || account.status != AccountStatus::Active {
            return Err(refused());
        }
        let roles = self.identity.roles(id).await?;
        let path = self.agency_path(agency).await?;
        if super::access::is_specialist_on(&roles, &path) {
            Ok(())
        } else {
            Err(refused())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_the_appointment_plus_the_pauses_and_none_while_paused() {
        let due: Timestamp = "2026-12-07T10:00:00Z".parse().unwrap();
        let mut d = crate::dossiers::tests::dossier();
        assert_eq!(deadline_of(&d), None);
        d.due_at = Some(due);
        assert_eq!(deadline_of(&d), Some(due));
        d.paused_seconds = 3600;
        assert_eq!(
            deadline_of(&d),
            Some("2026-12-07T11:00:00Z".parse().unwrap())
        );
        d.paused_since = Some(due);
        assert_eq!(deadline_of(&d), None);
    }
}
