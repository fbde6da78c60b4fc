//! Dossiers end to end: online service definitions, applications (drafts,
//! attachments, submission), the officials' processing, the deadline
//! calendar, the issued slips and signed results, notifications, the public
//! lookup and the audit chain.
//!
//! `Dossiers` is the one entry point. Every method that acts for someone
//! takes the [`Actor`] and asks `egov_domain::identity::policy::authorize`
//! first; every change goes to the store as one [`ports::Change`] (state,
//! chain entry, documents, notifications, outbox) or not at all.
//!
//! The work is split by concern: `service` (definitions), `calendar`,
//! `drafts`, `uploads`, `submit`, `act` (the commands), `read` (views,
//! inbox, public status), `documents` (slips, results, signing,
//! verification), `notify` and `audit`; `access` holds the permission
//! helpers they share and `messages` the Vietnamese texts
//! (`slips.vi.toml`).

mod access;
mod act;
mod audit;
mod calendar;
mod documents;
mod drafts;
mod messages;
mod notify;
mod read;
mod service;
mod submit;
mod uploads;

use std::collections::HashMap;
use std::sync::Arc;

use egov_documents::{AgencySigner, CertificateAuthority};
use egov_domain::calendar::{CalendarOverride, Holiday, WorkingCalendar};
use egov_domain::dossier::{DeadlineStatus, Dossier, DossierCode, DossierStatus, Transition};
use egov_domain::identity::{AccountId, Role};
use egov_domain::service::ServiceDefinition;
use egov_domain::PageRequest;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use tokio::sync::{Mutex, RwLock};
use utoipa::ToSchema;

use crate::ports::blobs::{BlobStore, VirusScanner};
use crate::ports::{
    Attachment, CatalogueStore, DossierStore, Draft, IdentityStore, IssuedDocument,
};

/// Settings of the dossier use cases.
#[derive(Debug, Clone)]
pub struct DossierConfig {
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: usize,
    /// Largest draft (form values as JSON), in bytes.
    pub max_draft_bytes: usize,
    /// Public address of the portal, for links and QR codes on documents.
    pub public_base_url: String,
    /// A running dossier is flagged "due soon" this close to its deadline.
    pub due_soon: SignedDuration,
}

impl Default for DossierConfig {
    fn default() -> Self {
        Self {
            max_upload_bytes: 10 * 1024 * 1024,
            max_draft_bytes: 256 * 1024,
            public_base_url: "http://127.0.0.1:8080".into(),
            due_soon: SignedDuration::from_hours(24),
        }
    }
}

/// A service in the list of online services.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceSummary {
    pub procedure_code: String,
    pub version: u32,
    pub name: egov_domain::service::LocalText,
    pub agencies: Vec<String>,
}

/// Where an upload goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadTarget {
    Draft(String),
    /// An attachment added to a dossier while supplementing it.
    Dossier(DossierCode),
}

/// An upload as received.
#[derive(Debug, Clone)]
pub struct Upload {
    pub document_key: String,
    pub file_name: String,
    pub declared_mime: Option<String>,
    pub bytes: Vec<u8>,
}

/// A draft with what the form page needs.
#[derive(Debug, Clone)]
pub struct DraftView {
    pub draft: Draft,
    pub version: u32,
    pub service: ServiceDefinition,
    pub attachments: Vec<Attachment>,
}

/// What an actor asks to do with a dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Desk: accept at intake (sets the appointment date, issues the receipt).
    Accept,
    /// Desk: refuse at intake (issues the refusal slip).
    RefuseIntake { reason: String },
    /// Desk or leader: give the dossier to a specialist of the handling agency.
    Assign { specialist: AccountId },
    /// Hand the dossier to another agency (liên thông).
    Transfer { agency: String, note: String },
    /// Specialist: propose the decision to the leader.
    Propose { note: String },
    /// Leader: send back to the specialist.
    SendBack { note: String },
    /// Desk (at intake) or specialist: ask the applicant for more (issues the slip; the clock pauses).
    RequestSupplement { reason: String },
    /// Applicant: supplied (new attachments were uploaded to the dossier first).
    Supplement { note: String },
    /// Leader: approve; the signed result is issued.
    Approve { note: String },
    /// Leader: refuse on the merits; processing stops, a refusal result is issued.
    Stop { reason: String },
    /// Applicant: withdraw.
    Withdraw { reason: String },
    /// Desk: the result was returned (electronically or at the counter).
    ReturnResult,
    /// An official of the handling agency: apology and new appointment date.
    Apologise { reason: String, new_due: Date },
    /// Officials or the applicant: a message on the dossier.
    Message { text: String },
    /// Applicant: satisfaction rating 1–5 with an optional comment.
    Rate { rating: u8, comment: String },
}

impl Command {
    pub fn transition(&self) -> Transition {
        match self {
            Command::Accept => Transition::Accept,
            Command::RefuseIntake { .. } => Transition::RefuseIntake,
            Command::Assign { .. } => Transition::Assign,
            Command::Transfer { .. } => Transition::Transfer,
            Command::Propose { .. } => Transition::Propose,
            Command::SendBack { .. } => Transition::SendBack,
            Command::RequestSupplement { .. } => Transition::RequestSupplement,
            Command::Supplement { .. } => Transition::Supplement,
            Command::Approve { .. } => Transition::Approve,
            Command::Stop { .. } => Transition::Stop,
            Command::Withdraw { .. } => Transition::Withdraw,
            Command::ReturnResult => Transition::ReturnResult,
            Command::Apologise { .. } => Transition::Apologise,
            Command::Message { .. } => Transition::Message,
            Command::Rate { .. } => Transition::Rate,
        }
    }
}

/// One line of a dossier's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineEntry {
    #[schema(value_type = String)]
    pub at: Timestamp,
    /// `submit` or a transition.
    pub action: String,
    pub from: Option<DossierStatus>,
    pub to: Option<DossierStatus>,
    /// The actor's name for officials' actions shown to the applicant is the role, not the person.
    pub actor_role: Option<String>,
    pub note: Option<String>,
    #[schema(value_type = Option<String>)]
    pub due_at: Option<Timestamp>,
    pub documents: Vec<String>,
}

/// A dossier as its applicant or an official sees it.
#[derive(Debug, Clone)]
pub struct DossierView {
    pub dossier: Dossier,
    pub service: ServiceDefinition,
    pub deadline: DeadlineStatus,
    pub effective_due_at: Option<Timestamp>,
    pub timeline: Vec<TimelineEntry>,
    pub documents: Vec<IssuedDocument>,
    pub attachments: Vec<Attachment>,
    /// What this actor may do now (drives the buttons).
    pub allowed: Vec<Transition>,
    /// The current step's name and role.
    pub step_name: String,
    pub step_role: Option<Role>,
}

/// What anyone may see by dossier code: status and dates, no personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicStatus {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub status: DossierStatus,
    /// National synchronisation code 1–10.
    pub status_code: u8,
    pub receiving_agency: String,
    #[schema(value_type = String)]
    pub submitted_at: Timestamp,
    #[schema(value_type = Option<String>)]
    pub received_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub due_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub finished_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub returned_at: Option<Timestamp>,
    pub deadline: DeadlineStatus,
}

/// An inbox line.
#[derive(Debug, Clone)]
pub struct InboxItem {
    pub dossier: Dossier,
    pub deadline: DeadlineStatus,
}

/// Filters an official picks in the inbox.
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    /// Only dossiers awaiting the official's own roles (default) or all of the agency.
    pub all_roles: bool,
    pub status: Option<DossierStatus>,
    pub assigned_to_me: bool,
    pub overdue_only: bool,
    pub procedure_code: Option<String>,
    pub code: Option<String>,
    pub page: PageRequest,
}

/// A year of the working-day calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarYear {
    pub year: i16,
    pub holidays: Vec<Holiday>,
    pub declared: Vec<CalendarOverride>,
}

/// The result of checking a signed result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatureCheck {
    pub valid: bool,
    pub signer: Option<String>,
    pub agency_code: Option<String>,
    #[schema(value_type = Option<String>)]
    pub signed_at: Option<Timestamp>,
    /// The dossier the document was issued for, when it is known here.
    pub dossier_code: Option<String>,
    /// Why it is not valid.
    pub problem: Option<String>,
}

/// What `egov audit verify` reports.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub entries: i64,
    pub head_hash: Option<String>,
}

/// The dossier use cases.
pub struct Dossiers {
    store: Arc<dyn DossierStore>,
    identity: Arc<dyn IdentityStore>,
    catalogue: Arc<dyn CatalogueStore>,
    blobs: Arc<dyn BlobStore>,
    scanner: Arc<dyn VirusScanner>,
    config: DossierConfig,
    /// The working-day calendar with the declared days, loaded on first use
    /// and reloaded after every declaration.
    calendar: RwLock<Option<Arc<WorkingCalendar>>>,
    /// The platform's certificate authority, loaded (or created) on first use.
    authority: Mutex<Option<Arc<CertificateAuthority>>>,
    /// The agencies' signers, by agency code.
    signers: Mutex<HashMap<String, Arc<AgencySigner>>>,
}

impl Dossiers {
    pub fn new(
        store: Arc<dyn DossierStore>,
        identity: Arc<dyn IdentityStore>,
        catalogue: Arc<dyn CatalogueStore>,
        blobs: Arc<dyn BlobStore>,
        scanner: Arc<dyn VirusScanner>,
        config: DossierConfig,
    ) -> Self {
        Self {
            store,
            identity,
            catalogue,
            blobs,
            scanner,
            config,
            calendar: RwLock::new(None),
            authority: Mutex::new(None),
            signers: Mutex::new(HashMap::new()),
        }
    }

    pub fn config(&self) -> &DossierConfig {
        &self.config
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::act::{allowed, permit};
    use super::*;
    use crate::AppError;
    use egov_domain::dossier::Filing;
    use egov_domain::identity::{AccountKind, Actor, RoleAssignment};
    use egov_domain::{Channel, ProcedureCode};
    use serde_json::json;

    pub(crate) fn service() -> ServiceDefinition {
        serde_json::from_value(json!({
            "procedure_code": "1.001193",
            "name": {"vi": "Đăng ký khai sinh", "en": "Birth registration"},
            "agencies": ["A.1"],
            "applicants": ["citizen"],
            "deadline": {"amount": 1, "unit": "working-days"},
            "form": {"fields": [
                {"key": "child_name", "label": {"vi": "Họ tên", "en": "Name"}, "type": "text", "required": true}
            ]},
            "workflow": [
                {"key": "intake", "name": {"vi": "Tiếp nhận", "en": "Intake"}, "role": "receiving-officer"},
                {"key": "review", "name": {"vi": "Thẩm định", "en": "Review"}, "role": "specialist"},
                {"key": "approve", "name": {"vi": "Phê duyệt", "en": "Approval"}, "role": "leader"},
                {"key": "return", "name": {"vi": "Trả kết quả", "en": "Return"}, "role": "receiving-officer"}
            ],
            "result": {"title": {"vi": "Giấy khai sinh", "en": "Birth certificate"}}
        }))
        .unwrap()
    }

    pub(crate) fn dossier() -> Dossier {
        let at: Timestamp = "2026-12-04T02:00:00Z".parse().unwrap();
        Dossier::submitted(Filing {
            code: DossierCode::parse("A.1-261204-0001").unwrap(),
            procedure_code: ProcedureCode::parse("1.001193").unwrap(),
            service_version: 1,
            procedure_name: "Đăng ký khai sinh".into(),
            applicant: AccountId("citizen".into()),
            applicant_kind: AccountKind::Citizen,
            applicant_name: "Nguyễn Văn An".into(),
            channel: Channel::Online,
            agency: "A.1".into(),
            awaiting: Some(Role::ReceivingOfficer),
            form: json!({}),
            submitted_at: at,
        })
    }

    fn official(id: &str, agency: &str, role: Role) -> Actor {
        Actor::Person {
            id: AccountId(id.into()),
            kind: AccountKind::Official,
            roles: vec![RoleAssignment {
                agency_code: agency.into(),
                role,
            }],
            scopes: None,
        }
    }

    fn citizen(id: &str) -> Actor {
        Actor::Person {
            id: AccountId(id.into()),
            kind: AccountKind::Citizen,
            roles: vec![],
            scopes: None,
        }
    }

    fn path() -> Vec<String> {
        vec!["A.1".into(), "A".into()]
    }

    #[test]
    fn the_desk_takes_new_dossiers_and_nobody_else() {
        let (s, d) = (service(), dossier());
        let desk = official("desk", "A.1", Role::ReceivingOfficer);
        assert_eq!(
            allowed(&desk, &d, &s, &path()),
            vec![
                Transition::Accept,
                Transition::RefuseIntake,
                Transition::RequestSupplement,
                Transition::Message
            ]
        );
        // A desk officer of the province above covers the department.
        let above = official("p", "A", Role::ReceivingOfficer);
        assert!(permit(&above, &d, &s, &path(), Transition::Accept).is_ok());
        // Another agency's desk, a specialist, the applicant: no.
        let other = official("o", "B", Role::ReceivingOfficer);
        assert!(matches!(
            permit(&other, &d, &s, &path(), Transition::Accept),
            Err(AppError::Denied(_))
        ));
        let specialist = official("s", "A.1", Role::Specialist);
        assert!(permit(&specialist, &d, &s, &path(), Transition::Accept).is_err());
        let applicant = citizen("citizen");
        assert_eq!(
            allowed(&applicant, &d, &s, &path()),
            vec![Transition::Withdraw, Transition::Message]
        );
        assert!(allowed(&citizen("someone-else"), &d, &s, &path()).is_empty());
    }

    #[test]
    fn each_step_belongs_to_its_role() {
        let s = service();
        let mut d = dossier();
        d.status = DossierStatus::Processing;
        d.received_at = Some(d.submitted_at);
        d.due_at = Some(d.submitted_at);
        d.step = 1;
        let specialist = official("s", "A.1", Role::Specialist);
        let leader = official("l", "A.1", Role::Leader);
        assert!(permit(&specialist, &d, &s, &path(), Transition::Propose).is_ok());
        // The leader cannot approve before the specialist proposed.
        assert!(matches!(
            permit(&leader, &d, &s, &path(), Transition::Approve),
            Err(AppError::Transition(_))
        ));
        // Nor send back from the first processing step.
        assert!(permit(&leader, &d, &s, &path(), Transition::SendBack).is_err());
        d.step = 2;
        assert!(permit(&leader, &d, &s, &path(), Transition::Approve).is_ok());
        assert!(permit(&leader, &d, &s, &path(), Transition::SendBack).is_ok());
        assert!(permit(&specialist, &d, &s, &path(), Transition::Propose).is_err());
        // Nobody asks for payment by hand.
        assert!(permit(&Actor::System, &d, &s, &path(), Transition::RequestPayment).is_err());
    }

    #[test]
    fn the_applicant_rates_once_after_the_end() {
        let s = service();
        let mut d = dossier();
        let applicant = citizen("citizen");
        assert!(permit(&applicant, &d, &s, &path(), Transition::Rate).is_err());
        d.status = DossierStatus::ResultReturned;
        let p = permit(&applicant, &d, &s, &path(), Transition::Rate).unwrap();
        assert_eq!((p.to, p.role), (DossierStatus::ResultReturned, None));
        d.rating = Some(5);
        assert!(permit(&applicant, &d, &s, &path(), Transition::Rate).is_err());
    }
}
