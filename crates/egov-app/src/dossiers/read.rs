//! Reading dossiers: one dossier with its timeline and the actions open to
//! the reader, the applicant's list, the officials' inbox, and the public
//! status by code (no personal data).

use std::collections::BTreeSet;

use egov_domain::dossier::chain::ChainEntry;
use egov_domain::dossier::Dossier;
use egov_domain::identity::{AccountId, Actor, Role};
use egov_domain::{Page, PageRequest, ProcedureCode};
use jiff::Timestamp;

use super::access::{person, PROCESSING_ROLES};
use super::act::{allowed, permit};
use super::{DossierView, Dossiers, InboxItem, InboxQuery, PublicStatus, TimelineEntry};
use crate::ports::{AttachmentOwner, EventDetail, InboxFilter};
use crate::AppError;

/// The timeline of a dossier from its events. The applicant's own actions
/// show as `applicant`; officials' as the role they acted in, not the person.
pub(super) fn timeline_of(dossier: &Dossier, events: &[ChainEntry]) -> Vec<TimelineEntry> {
    events
        .iter()
        .map(|entry| {
            let detail: EventDetail =
                serde_json::from_str(&entry.content.detail).unwrap_or_default();
            let actor_role = if entry.content.actor == dossier.applicant.0 {
                Some("applicant".to_owned())
            } else {
                detail.role.map(|r| r.as_str().to_owned())
            };
            TimelineEntry {
                at: entry.content.at.parse().unwrap_or(dossier.submitted_at),
                action: entry.content.action.clone(),
                from: detail.from,
                to: detail.to,
                actor_role,
                note: detail.note,
                due_at: detail.due_at,
                documents: detail.documents,
            }
        })
        .collect()
}

impl Dossiers {
    /// A dossier as its applicant or an official of the agencies concerned sees it.
    pub async fn dossier(
        &self,
        actor: &Actor,
        code: &str,
        now: Timestamp,
    ) -> Result<DossierView, AppError> {
        let dossier = self.load_dossier(code).await?;
        self.authorize_read(actor, &dossier).await?;
        let service = self.service_of(&dossier).await?;
        let path = self.agency_path(&dossier.handling_agency).await?;
        let events = self.store.events(&dossier.code).await?;
        let documents = self.store.documents(&dossier.code).await?;
        let attachments = self
            .store
            .attachments(&AttachmentOwner::Dossier(dossier.code.clone()))
            .await?;
        let clock = dossier.clock();
        let step = service.workflow.get(dossier.step as usize);
        Ok(DossierView {
            deadline: clock.status(now, self.config.due_soon),
            effective_due_at: clock.effective_due(now),
            timeline: timeline_of(&dossier, &events),
            documents,
            attachments,
            allowed: allowed(actor, &dossier, &service, &path),
            step_name: step.map(|s| s.name.vi.clone()).unwrap_or_default(),
            step_role: step.map(|s| s.role),
            service,
            dossier,
        })
    }

    /// The acting person's dossiers, newest first (deadlines as of now).
    pub async fn my_dossiers(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<InboxItem>, AppError> {
        self.my_dossiers_at(actor, page, Timestamp::now()).await
    }

    /// [`Dossiers::my_dossiers`] with the deadlines as of `now`.
    pub async fn my_dossiers_at(
        &self,
        actor: &Actor,
        page: PageRequest,
        now: Timestamp,
    ) -> Result<Page<InboxItem>, AppError> {
        let id = person(actor)?;
        let page = self.store.dossiers_of(id, page).await?;
        Ok(page.map(|dossier| self.item(dossier, now)))
    }

    fn item(&self, dossier: Dossier, now: Timestamp) -> InboxItem {
        InboxItem {
            deadline: dossier.clock().status(now, self.config.due_soon),
            dossier,
        }
    }

    /// The officials' inbox: dossiers handled in the agencies where the
    /// official holds a processing role, and in every agency below them; by
    /// default only those awaiting one of the official's roles.
    pub async fn inbox(
        &self,
        actor: &Actor,
        query: InboxQuery,
        now: Timestamp,
    ) -> Result<Page<InboxItem>, AppError> {
        let roles = match actor {
            Actor::Person { roles, .. } => roles,
            _ => return Err(super::access::denied("the inbox is for officials")),
        };
        let id = person(actor)?;
        let held: Vec<_> = roles
            .iter()
            .filter(|r| PROCESSING_ROLES.contains(&r.role))
            .collect();
        if held.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
                offset: query.page.offset,
                limit: query.page.limit,
            });
        }
        let mut agencies = BTreeSet::new();
        for assignment in &held {
            if !agencies.contains(&assignment.agency_code) {
                agencies.extend(self.agency_subtree(&assignment.agency_code).await?);
            }
        }
        let mut awaiting: Vec<Role> = Vec::new();
        if !query.all_roles {
            for assignment in &held {
                if !awaiting.contains(&assignment.role) {
                    awaiting.push(assignment.role);
                }
            }
        }
        let procedure_code = query
            .procedure_code
            .as_deref()
            .map(ProcedureCode::parse)
            .transpose()?;
        let filter = InboxFilter {
            agencies: agencies.into_iter().collect(),
            statuses: query.status.into_iter().collect(),
            awaiting,
            assignee: query.assigned_to_me.then(|| id.clone()),
            procedure_code,
            deadline_before: query.overdue_only.then_some(now),
            code: query
                .code
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty()),
            page: query.page,
        };
        let page = self.store.inbox(&filter).await?;
        Ok(page.map(|dossier| self.item(dossier, now)))
    }

    /// Specialists of the dossier's handling agency, for the assign form of
    /// those who may assign it.
    pub async fn specialists(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<Vec<(AccountId, String)>, AppError> {
        let dossier = self.load_dossier(code).await?;
        let service = self.service_of(&dossier).await?;
        let path = self.agency_path(&dossier.handling_agency).await?;
        permit(
            actor,
            &dossier,
            &service,
            &path,
            egov_domain::dossier::Transition::Assign,
        )?;
        // Specialists of the handling agency or of an agency above it, as
        // the permission policy scopes roles.
        let mut out = Vec::new();
        let mut offset = 0u32;
        loop {
            let page = self
                .identity
                .officials_in(&path, PageRequest::new(offset, PageRequest::MAX_LIMIT))
                .await?;
            let count = page.items.len();
            for account in page.items {
                let roles = self.identity.roles(&account.id).await?;
                if super::access::is_specialist_on(&roles, &path) {
                    out.push((account.id, account.full_name));
                }
            }
            offset = offset.saturating_add(PageRequest::MAX_LIMIT);
            if count < PageRequest::MAX_LIMIT as usize || u64::from(offset) >= page.total {
                break;
            }
        }
        Ok(out)
    }

    /// Status and dates by code, without personal data.
    pub async fn public_status(
        &self,
        code: &str,
        now: Timestamp,
    ) -> Result<PublicStatus, AppError> {
        let dossier = self.load_dossier(code).await?;
        let clock = dossier.clock();
        Ok(PublicStatus {
            code: dossier.code.to_string(),
            procedure_code: dossier.procedure_code.as_str().to_owned(),
            procedure_name: dossier.procedure_name.clone(),
            status: dossier.status,
            status_code: dossier.status.code(),
            receiving_agency: dossier.receiving_agency.clone(),
            submitted_at: dossier.submitted_at,
            received_at: dossier.received_at,
            due_at: dossier
                .rescheduled_due_at
                .or_else(|| clock.effective_due(now)),
            finished_at: dossier.finished_at,
            returned_at: dossier.returned_at,
            deadline: clock.status(now, self.config.due_soon),
        })
    }
}
