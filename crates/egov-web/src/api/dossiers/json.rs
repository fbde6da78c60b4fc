//! The JSON bodies of the dossier API and their conversions from the use
//! cases' records. Personal data (the applicant's name, the form values)
//! appear only in what the applicant and entitled officials read.

use egov_app::dossiers::{DossierView, DraftView, InboxItem, TimelineEntry};
use egov_app::ports::Notification;
use egov_app::ports::{Attachment, AttachmentOwner, DocumentKind, Draft, IssuedDocument};
use egov_domain::attachment::MediaType;
use egov_domain::dossier::{DeadlineStatus, Dossier, DossierStatus, Outcome, Transition};
use egov_domain::identity::{AccountId, AccountKind, Role};
use egov_domain::service::ServiceDefinition;
use egov_domain::{Channel, Page};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::Paging;

/// The API's address of an attachment's content.
pub fn attachment_href(id: &str) -> String {
    format!("/api/v1/attachments/{id}")
}

/// The API's address of an issued document's content.
pub fn document_href(code: &str, id: &str) -> String {
    format!("/api/v1/dossiers/{code}/documents/{id}")
}

/// A published online service and its version.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedService {
    pub version: u32,
    pub definition: ServiceDefinition,
}

/// What publishing a definition did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishResult {
    pub procedure_code: String,
    /// The version now current.
    pub version: u32,
    /// `false` when the definition equals the current version (nothing stored).
    pub changed: bool,
}

/// A draft application (bản nháp).
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftJson {
    pub id: String,
    pub procedure_code: String,
    /// The receiving agency chosen.
    pub agency_code: String,
    /// Form values as typed so far (not validated before submission).
    #[schema(value_type = Object)]
    pub values: serde_json::Value,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    #[schema(value_type = String)]
    pub updated_at: Timestamp,
}

impl From<Draft> for DraftJson {
    fn from(d: Draft) -> Self {
        Self {
            id: d.id,
            procedure_code: d.procedure_code.as_str().to_owned(),
            agency_code: d.agency_code,
            values: d.values,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// A draft with the form it fills in and the files attached so far.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftViewJson {
    pub draft: DraftJson,
    /// Version of the service definition the draft is filled against.
    pub service_version: u32,
    pub service: ServiceDefinition,
    pub attachments: Vec<AttachmentJson>,
}

impl From<DraftView> for DraftViewJson {
    fn from(v: DraftView) -> Self {
        Self {
            draft: v.draft.into(),
            service_version: v.version,
            service: v.service,
            attachments: v.attachments.into_iter().map(Into::into).collect(),
        }
    }
}

/// An uploaded file (tệp đính kèm).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentJson {
    pub id: String,
    /// The file field of the form it answers.
    pub document_key: String,
    /// The draft it belongs to, until submission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft_id: Option<String>,
    /// The dossier it belongs to, after submission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dossier_code: Option<String>,
    /// The sanitised original name.
    pub file_name: String,
    /// The type established from the content.
    pub media_type: MediaType,
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    #[schema(value_type = String)]
    pub uploaded_at: Timestamp,
    /// Where to download it.
    pub href: String,
}

impl From<Attachment> for AttachmentJson {
    fn from(a: Attachment) -> Self {
        let (draft_id, dossier_code) = match a.owner {
            AttachmentOwner::Draft(id) => (Some(id), None),
            AttachmentOwner::Dossier(code) => (None, Some(code.to_string())),
        };
        Self {
            href: attachment_href(&a.id),
            id: a.id,
            document_key: a.document_key,
            draft_id,
            dossier_code,
            file_name: a.file_name,
            media_type: a.media_type,
            size: a.size,
            sha256: a.hash.as_str().to_owned(),
            uploaded_at: a.uploaded_at,
        }
    }
}

/// A document issued for a dossier: a slip, the result or its signature.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentJson {
    pub id: String,
    pub kind: DocumentKind,
    pub file_name: String,
    /// `application/pdf` or `application/pkcs7-signature`.
    pub content_type: String,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    #[schema(value_type = String)]
    pub issued_at: Timestamp,
    /// Where to download it.
    pub href: String,
}

impl From<IssuedDocument> for DocumentJson {
    fn from(d: IssuedDocument) -> Self {
        Self {
            href: document_href(&d.dossier.to_string(), &d.id),
            id: d.id,
            kind: d.kind,
            file_name: d.file_name,
            content_type: d.content_type,
            sha256: d.hash.as_str().to_owned(),
            issued_at: d.issued_at,
        }
    }
}

/// A dossier (hồ sơ) as stored, for its applicant and entitled officials.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierJson {
    /// `{receiving unit}-{yyMMdd}-{NNNN}`.
    #[schema(example = "000.01.00.H26-261123-0001")]
    pub code: String,
    pub procedure_code: String,
    /// Version of the service definition it was filed under.
    pub service_version: u32,
    pub procedure_name: String,
    pub applicant: AccountId,
    pub applicant_kind: AccountKind,
    pub applicant_name: String,
    pub channel: Channel,
    pub receiving_agency: String,
    pub handling_agency: String,
    pub status: DossierStatus,
    /// The national synchronisation code of the status, 1–10.
    pub status_code: u8,
    /// Index of the current workflow step.
    pub step: u32,
    /// The role that must act next (none while the applicant must act).
    pub awaiting: Option<Role>,
    pub assignee: Option<AccountId>,
    /// The validated form values.
    #[schema(value_type = Object)]
    pub form: serde_json::Value,
    #[schema(value_type = String)]
    pub submitted_at: Timestamp,
    #[schema(value_type = Option<String>)]
    pub received_at: Option<Timestamp>,
    /// The appointment date on the receipt.
    #[schema(value_type = Option<String>)]
    pub due_at: Option<Timestamp>,
    /// The effective deadline (appointment plus time spent supplementing).
    #[schema(value_type = Option<String>)]
    pub deadline_at: Option<Timestamp>,
    /// A later date promised in an apology letter.
    #[schema(value_type = Option<String>)]
    pub rescheduled_due_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub paused_since: Option<Timestamp>,
    pub paused_seconds: i64,
    pub supplement_requests: u32,
    #[schema(value_type = Option<String>)]
    pub finished_at: Option<Timestamp>,
    pub outcome: Option<Outcome>,
    #[schema(value_type = Option<String>)]
    pub returned_at: Option<Timestamp>,
    pub rating: Option<u8>,
    /// Increases with every change; send it back with an action to refuse
    /// acting on a stale view.
    pub version: i64,
}

impl From<Dossier> for DossierJson {
    fn from(d: Dossier) -> Self {
        Self {
            code: d.code.to_string(),
            procedure_code: d.procedure_code.as_str().to_owned(),
            service_version: d.service_version,
            procedure_name: d.procedure_name,
            applicant: d.applicant,
            applicant_kind: d.applicant_kind,
            applicant_name: d.applicant_name,
            channel: d.channel,
            receiving_agency: d.receiving_agency,
            handling_agency: d.handling_agency,
            status_code: d.status.code(),
            status: d.status,
            step: d.step,
            awaiting: d.awaiting,
            assignee: d.assignee,
            form: d.form,
            submitted_at: d.submitted_at,
            received_at: d.received_at,
            due_at: d.due_at,
            deadline_at: d.deadline_at,
            rescheduled_due_at: d.rescheduled_due_at,
            paused_since: d.paused_since,
            paused_seconds: d.paused_seconds,
            supplement_requests: d.supplement_requests,
            finished_at: d.finished_at,
            outcome: d.outcome,
            returned_at: d.returned_at,
            rating: d.rating,
            version: d.version,
        }
    }
}

/// The current workflow step.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepJson {
    pub index: u32,
    /// Its name, when the caller may read the dossier.
    pub name: Option<String>,
    pub role: Option<Role>,
}

/// A dossier with its timeline, documents, attachments, deadline and what
/// the caller may do now.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierViewJson {
    pub dossier: DossierJson,
    /// The service definition it was filed under. Absent only in the answer
    /// to an action after which the caller may no longer read the dossier
    /// (e.g. it was transferred to another agency).
    pub service: Option<ServiceDefinition>,
    pub deadline: DeadlineStatus,
    /// The deadline now, with the time spent supplementing added.
    #[schema(value_type = Option<String>)]
    pub effective_due_at: Option<Timestamp>,
    pub step: StepJson,
    pub timeline: Vec<TimelineEntry>,
    pub documents: Vec<DocumentJson>,
    pub attachments: Vec<AttachmentJson>,
    /// The actions this caller may take now (`POST /api/v1/dossiers/{code}/{action}`).
    pub allowed: Vec<Transition>,
}

impl From<DossierView> for DossierViewJson {
    fn from(v: DossierView) -> Self {
        Self {
            step: StepJson {
                index: v.dossier.step,
                name: Some(v.step_name),
                role: v.step_role,
            },
            dossier: v.dossier.into(),
            service: Some(v.service),
            deadline: v.deadline,
            effective_due_at: v.effective_due_at,
            timeline: v.timeline,
            documents: v.documents.into_iter().map(Into::into).collect(),
            attachments: v.attachments.into_iter().map(Into::into).collect(),
            allowed: v.allowed,
        }
    }
}

/// A line of a list of dossiers (one's own, or an official's inbox).
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierSummary {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub status: DossierStatus,
    pub status_code: u8,
    pub receiving_agency: String,
    pub handling_agency: String,
    pub awaiting: Option<Role>,
    pub assignee: Option<AccountId>,
    #[schema(value_type = String)]
    pub submitted_at: Timestamp,
    #[schema(value_type = Option<String>)]
    pub received_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub due_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub deadline_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub finished_at: Option<Timestamp>,
    pub deadline: DeadlineStatus,
    pub version: i64,
}

impl From<InboxItem> for DossierSummary {
    fn from(item: InboxItem) -> Self {
        let d = item.dossier;
        Self {
            code: d.code.to_string(),
            procedure_code: d.procedure_code.as_str().to_owned(),
            procedure_name: d.procedure_name,
            applicant_name: d.applicant_name,
            status_code: d.status.code(),
            status: d.status,
            receiving_agency: d.receiving_agency,
            handling_agency: d.handling_agency,
            awaiting: d.awaiting,
            assignee: d.assignee,
            submitted_at: d.submitted_at,
            received_at: d.received_at,
            due_at: d.due_at,
            deadline_at: d.deadline_at,
            finished_at: d.finished_at,
            deadline: item.deadline,
            version: d.version,
        }
    }
}

/// A page of dossiers.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierPage {
    pub items: Vec<DossierSummary>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl DossierPage {
    pub fn new(page: Page<InboxItem>, paging: Paging) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            total: page.total,
            page: paging.page,
            per_page: paging.per_page,
        }
    }
}

/// An in-app notification of a change of one's dossier (thông báo).
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationJson {
    pub id: String,
    pub dossier_code: String,
    /// The dossier's status after the change.
    pub status: DossierStatus,
    /// What happened (`submit` or an action).
    pub action: String,
    #[schema(value_type = String)]
    pub at: Timestamp,
    #[schema(value_type = Option<String>)]
    pub read_at: Option<Timestamp>,
}

impl From<Notification> for NotificationJson {
    fn from(n: Notification) -> Self {
        Self {
            id: n.id,
            dossier_code: n.dossier.to_string(),
            status: n.status,
            action: n.action,
            at: n.at,
            read_at: n.read_at,
        }
    }
}

/// A page of notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationJson>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// How many notifications were marked read.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    pub marked: u64,
}

/// `Deserialize`-only bodies live with their handlers; this one is shared by
/// the actions that take nothing but the optional `version`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bare {
    /// The dossier's `version` the caller last saw; refused (409) when it changed since.
    pub version: Option<i64>,
}
