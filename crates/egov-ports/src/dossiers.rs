//! Dossier storage: online service definitions, drafts, attachments'
//! metadata, dossiers with their hash-chained event log, issued documents,
//! in-app notifications, the working-day calendar's declared days, and the
//! agencies' signing keys.
//!
//! Every change of a dossier is one transaction: the new state (compared
//! and set on `version`), one chain entry, the documents, the notifications
//! and the outbox messages — all or nothing.

use async_trait::async_trait;
use egov_domain::attachment::{ContentHash, MediaType};
use egov_domain::calendar::CalendarOverride;
use egov_domain::dossier::chain::ChainEntry;
use egov_domain::dossier::{Dossier, DossierCode, DossierStatus};
use egov_domain::identity::{AccountId, Role};
use egov_domain::service::ServiceDefinition;
use egov_domain::{Page, PageRequest, ProcedureCode};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{OutboxMessage, StoreError};

/// An application being filled in, not yet submitted (bản nháp).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub id: String,
    pub applicant: AccountId,
    pub procedure_code: ProcedureCode,
    /// The receiving agency the applicant chose.
    pub agency_code: String,
    /// Form values as typed so far (not validated).
    pub values: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What an attachment belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttachmentOwner {
    Draft(String),
    Dossier(DossierCode),
}

/// An uploaded file's record; the bytes live in the blob store under `hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: String,
    pub owner: AttachmentOwner,
    /// The file field of the form it answers.
    pub document_key: String,
    /// Sanitised original name, for display and download.
    pub file_name: String,
    pub media_type: MediaType,
    pub size: u64,
    pub hash: ContentHash,
    pub uploaded_by: AccountId,
    pub uploaded_at: Timestamp,
}

/// The kinds of documents a dossier gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    /// Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
    Receipt,
    /// Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.
    SupplementRequest,
    /// Phiếu từ chối tiếp nhận giải quyết hồ sơ.
    Refusal,
    /// Phiếu xin lỗi và hẹn lại ngày trả kết quả.
    Apology,
    /// Phiếu kiểm soát quá trình giải quyết hồ sơ.
    ControlSlip,
    /// The result document (PDF).
    Result,
    /// The detached CMS signature of the result.
    ResultSignature,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 7] = [
        DocumentKind::Receipt,
        DocumentKind::SupplementRequest,
        DocumentKind::Refusal,
        DocumentKind::Apology,
        DocumentKind::ControlSlip,
        DocumentKind::Result,
        DocumentKind::ResultSignature,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "receipt",
            DocumentKind::SupplementRequest => "supplement-request",
            DocumentKind::Refusal => "refusal",
            DocumentKind::Apology => "apology",
            DocumentKind::ControlSlip => "control-slip",
            DocumentKind::Result => "result",
            DocumentKind::ResultSignature => "result-signature",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A document issued for a dossier; the bytes live in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedDocument {
    pub id: String,
    pub dossier: DossierCode,
    pub kind: DocumentKind,
    pub file_name: String,
    /// `application/pdf` or `application/pkcs7-signature`.
    pub content_type: String,
    pub hash: ContentHash,
    pub issued_at: Timestamp,
}

/// What an event records, besides the chain's own fields. Serialised into
/// the chain entry's `detail`, so it is covered by the hash.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetail {
    pub from: Option<DossierStatus>,
    pub to: Option<DossierStatus>,
    /// The role the actor acted in, for officials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Reason, message or note typed by the actor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
    /// Ids of documents issued with this event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
}

/// An event about to be appended: the store numbers and chains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub at: Timestamp,
    /// None for the system (e.g. a payment notification).
    pub actor: Option<AccountId>,
    /// `submit` or a `Transition::as_str()`.
    pub action: String,
    pub detail: EventDetail,
}

/// An in-app notification of a dossier change (thông báo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: String,
    pub account_id: AccountId,
    pub dossier: DossierCode,
    pub status: DossierStatus,
    /// The event's action.
    pub action: String,
    pub at: Timestamp,
    pub read_at: Option<Timestamp>,
}

/// Everything else written with a change: documents, notifications, outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SideEffects {
    pub documents: Vec<IssuedDocument>,
    pub notifications: Vec<Notification>,
    pub outbox: Vec<OutboxMessage>,
}

/// A submission. The store allocates the code `{unit}-{yyMMdd}-{NNNN}` with
/// the next counter of `unit` on `date`, unique under concurrency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The dossier to create; its `code` is replaced by the allocated one
    /// and `version` set to 1.
    pub dossier: Dossier,
    pub unit: String,
    /// The local date the code carries.
    pub date: Date,
    /// The draft whose attachments move to the dossier; deleted afterwards.
    pub draft_id: String,
    /// `Idempotency-Key` of the request, with a fingerprint of its content.
    pub idempotency: Option<IdempotencyKey>,
    pub event: NewEvent,
    pub effects: SideEffects,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub key: String,
    /// Hash of what was submitted with the key; a reuse with other content is refused.
    pub fingerprint: String,
}

/// What `submit` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    Created(DossierCode),
    /// The idempotency key was seen before with the same content.
    Replayed(DossierCode),
}

/// A change of an existing dossier, applied only if nobody changed it since
/// it was read (`expected_version`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The new state; its `version` must be `expected_version + 1`.
    pub dossier: Dossier,
    pub expected_version: i64,
    pub event: NewEvent,
    pub effects: SideEffects,
}

/// Filter of an official's inbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilter {
    /// Handling agencies to include (the caller expands agency subtrees).
    pub agencies: Vec<String>,
    /// Only these statuses (empty: all).
    pub statuses: Vec<DossierStatus>,
    /// Only dossiers awaiting one of these roles (empty: any).
    pub awaiting: Vec<Role>,
    pub assignee: Option<AccountId>,
    pub procedure_code: Option<ProcedureCode>,
    /// Only dossiers whose deadline (`deadline_at`) is before this moment.
    pub deadline_before: Option<Timestamp>,
    /// Dossier code prefix or exact code.
    pub code: Option<String>,
    pub page: PageRequest,
}

/// A stored key pair and certificate (PEM), for the platform's certificate
/// authority and each agency's signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCertificate {
    pub private_key_pem: String,
    pub certificate_pem: String,
    pub created_at: Timestamp,
}

/// One declared calendar day with who declared it.
pub type DeclaredDay = CalendarOverride;

#[async_trait]
pub trait DossierStore: Send + Sync {
    // Service definitions.
    /// Stores a new version when the definition differs from the latest;
    /// returns the current version number and whether it is new.
    async fn put_service(
        &self,
        definition: &ServiceDefinition,
        at: Timestamp,
    ) -> Result<(u32, bool), StoreError>;
    async fn service(
        &self,
        procedure: &ProcedureCode,
    ) -> Result<Option<(u32, ServiceDefinition)>, StoreError>;
    async fn service_version(
        &self,
        procedure: &ProcedureCode,
        version: u32,
    ) -> Result<Option<ServiceDefinition>, StoreError>;
    /// The latest version of every service, by procedure code.
    async fn services(&self) -> Result<Vec<(u32, ServiceDefinition)>, StoreError>;

    // Drafts and attachments.
    async fn put_draft(&self, draft: &Draft) -> Result<(), StoreError>;
    async fn draft(&self, id: &str) -> Result<Option<Draft>, StoreError>;
    async fn drafts_of(&self, applicant: &AccountId) -> Result<Vec<Draft>, StoreError>;
    /// Deletes the draft and its attachments' records (not the blobs).
    async fn delete_draft(&self, id: &str) -> Result<bool, StoreError>;
    async fn add_attachment(&self, attachment: &Attachment) -> Result<(), StoreError>;
    async fn attachment(&self, id: &str) -> Result<Option<Attachment>, StoreError>;
    async fn attachments(&self, owner: &AttachmentOwner) -> Result<Vec<Attachment>, StoreError>;
    async fn delete_attachment(&self, id: &str) -> Result<bool, StoreError>;

    // Dossiers.
    /// Creates the dossier atomically (see [`Submission`]). A reused
    /// idempotency key with another fingerprint is a `Conflict`.
    async fn submit(&self, submission: &Submission) -> Result<Submitted, StoreError>;
    /// Applies a change; `Ok(false)` when the dossier changed meanwhile
    /// (nothing is written).
    async fn apply(&self, change: &Change) -> Result<bool, StoreError>;
    async fn dossier(&self, code: &DossierCode) -> Result<Option<Dossier>, StoreError>;
    /// An applicant's dossiers, newest first.
    async fn dossiers_of(
        &self,
        applicant: &AccountId,
        page: PageRequest,
    ) -> Result<Page<Dossier>, StoreError>;
    /// Dossiers for officials, oldest deadline first.
    async fn inbox(&self, filter: &InboxFilter) -> Result<Page<Dossier>, StoreError>;
    /// The dossier's events in order.
    async fn events(&self, code: &DossierCode) -> Result<Vec<ChainEntry>, StoreError>;
    async fn documents(&self, code: &DossierCode) -> Result<Vec<IssuedDocument>, StoreError>;
    async fn document(&self, id: &str) -> Result<Option<IssuedDocument>, StoreError>;

    // Notifications.
    async fn notifications(
        &self,
        account: &AccountId,
        page: PageRequest,
    ) -> Result<Page<Notification>, StoreError>;
    async fn mark_notifications_read(
        &self,
        account: &AccountId,
        at: Timestamp,
    ) -> Result<u64, StoreError>;

    // The audit chain.
    /// The recorded head: last sequence number and hash.
    async fn chain_head(&self) -> Result<Option<(i64, String)>, StoreError>;
    /// Entries with `seq > after`, in order, at most `limit`.
    async fn chain_entries(&self, after: i64, limit: u32) -> Result<Vec<ChainEntry>, StoreError>;

    // Working-day calendar.
    async fn calendar_overrides(&self) -> Result<Vec<DeclaredDay>, StoreError>;
    /// Adds or replaces the declaration for its date.
    async fn put_calendar_override(&self, day: &DeclaredDay) -> Result<(), StoreError>;
    async fn delete_calendar_override(&self, date: Date) -> Result<bool, StoreError>;

    // Signing keys.
    async fn certificate_authority(&self) -> Result<Option<StoredCertificate>, StoreError>;
    /// Stores the authority unless one exists; returns the one in force.
    async fn init_certificate_authority(
        &self,
        ca: &StoredCertificate,
    ) -> Result<StoredCertificate, StoreError>;
    async fn agency_certificate(
        &self,
        agency: &str,
    ) -> Result<Option<StoredCertificate>, StoreError>;
    /// Stores the agency's signer unless one exists; returns the one in force.
    async fn init_agency_certificate(
        &self,
        agency: &str,
        signer: &StoredCertificate,
    ) -> Result<StoredCertificate, StoreError>;

    // Look-ups added for the use cases (default: not supported, `None`).
    /// The dossier an earlier submission of `applicant` with this
    /// idempotency key created, and the fingerprint it was stored with. A
    /// retry after a lost response finds its dossier here (the draft it came
    /// from is gone by then).
    async fn submission_by_key(
        &self,
        applicant: &AccountId,
        key: &str,
    ) -> Result<Option<(DossierCode, String)>, StoreError>;
    /// An issued document with this content hash (the newest if several),
    /// to name the dossier a verified result belongs to.
    async fn document_by_hash(
        &self,
        hash: &ContentHash,
    ) -> Result<Option<IssuedDocument>, StoreError>;
}
