//! Dossier storage: service definitions, drafts and attachments, submission
//! and changes with their hash chain, the inbox, notifications, the calendar
//! and signing keys, on every backend.

mod apply;
mod chain;
mod drafts;
mod inbox;
mod services;
mod settings;
mod submit;

use egov_domain::attachment::{ContentHash, MediaType};
use egov_domain::dossier::{Dossier, DossierCode, DossierStatus, Filing};
use egov_domain::identity::{AccountKind, Role};
use egov_domain::service::ServiceDefinition;
use egov_domain::{Channel, Page, PageRequest};
use egov_ports::{
    Attachment, AttachmentOwner, Change, DocumentKind, DossierStore, Draft, EventDetail,
    IdempotencyKey, IssuedDocument, NewEvent, Notification, SideEffects, Submission, Submitted,
};
use egov_store::SqlStore;
use jiff::civil::{date, Date};
use serde_json::json;

use crate::fixtures::code as procedure_code;
use crate::identity::{at, at_ms, citizen, create, id, official};

/// The receiving unit of the fixtures' dossiers.
pub const UNIT: &str = "000.00.04.H26";

/// The day the fixtures' dossiers are filed.
pub fn day() -> Date {
    date(2026, 1, 1)
}

/// Citizens c1 and c2, officials o1 and o2.
pub async fn seed(store: &SqlStore) {
    create(store, citizen("c1", "001203012345", "an@example.vn")).await;
    create(store, citizen("c2", "079185000001", "binh@example.vn")).await;
    create(store, official("o1", "Lê Văn Cường")).await;
    create(store, official("o2", "Phạm Thị Dung")).await;
}

/// A valid birth-registration service; `title` varies its content.
pub fn service(procedure: &str, title: &str) -> ServiceDefinition {
    serde_json::from_value(json!({
        "procedure_code": procedure,
        "name": {"vi": "Đăng ký khai sinh", "en": "Birth registration"},
        "agencies": [UNIT],
        "applicants": ["citizen"],
        "deadline": {"amount": 3, "unit": "working-days"},
        "form": {"fields": [
            {"key": "child_name", "label": {"vi": "Họ, chữ đệm, tên của trẻ", "en": "Child's full name"},
             "type": "text", "required": true, "max_length": 100},
            {"key": "birth_certificate", "label": {"vi": "Giấy chứng sinh", "en": "Birth certificate"},
             "type": "file", "required": true, "accept": ["pdf", "jpeg", "png"]}
        ]},
        "workflow": [
            {"key": "intake", "name": {"vi": "Tiếp nhận", "en": "Intake"}, "role": "receiving-officer"},
            {"key": "review", "name": {"vi": "Thẩm định", "en": "Review"}, "role": "specialist"},
            {"key": "approve", "name": {"vi": "Phê duyệt", "en": "Approval"}, "role": "leader"},
            {"key": "return", "name": {"vi": "Trả kết quả", "en": "Return"}, "role": "receiving-officer"}
        ],
        "result": {"title": {"vi": title, "en": "Birth certificate"}}
    }))
    .expect("valid service definition")
}

pub fn draft(draft_id: &str, applicant: &str) -> Draft {
    Draft {
        id: draft_id.into(),
        applicant: id(applicant),
        procedure_code: procedure_code("1.001193"),
        agency_code: UNIT.into(),
        values: json!({"child_name": "Nguyễn Văn Bé", "note": "50% _done_"}),
        created_at: at_ms(0, 1),
        updated_at: at_ms(5, 2),
    }
}

pub fn hash(n: u8) -> ContentHash {
    ContentHash::of(&[n])
}

pub fn attachment(attachment_id: &str, owner: AttachmentOwner, uploaded: i64) -> Attachment {
    Attachment {
        id: attachment_id.into(),
        owner,
        document_key: "birth_certificate".into(),
        file_name: format!("{attachment_id}.pdf"),
        media_type: MediaType::Pdf,
        size: 12_345,
        hash: hash(1),
        uploaded_by: id("c1"),
        uploaded_at: at(uploaded),
    }
}

/// A code to stand in until the store allocates the real one.
pub fn placeholder() -> DossierCode {
    DossierCode::new(UNIT, day(), 999_999).expect("valid code")
}

/// A dossier as submitted online by `applicant`.
pub fn dossier(applicant: &str) -> Dossier {
    Dossier {
        // The store sets version 1 itself.
        version: 0,
        ..Dossier::submitted(Filing {
            code: placeholder(),
            procedure_code: procedure_code("1.001193"),
            service_version: 1,
            procedure_name: "Đăng ký khai sinh".into(),
            applicant: id(applicant),
            applicant_kind: AccountKind::Citizen,
            applicant_name: "Nguyễn Văn An".into(),
            channel: Channel::Online,
            agency: UNIT.into(),
            awaiting: Some(Role::ReceivingOfficer),
            form: json!({"child_name": "Nguyễn Văn Bé", "copies": 2}),
            submitted_at: at_ms(100, 500),
        })
    }
}

pub fn event(action: &str, actor: Option<&str>, seconds: i64) -> NewEvent {
    NewEvent {
        at: at_ms(seconds, 250),
        actor: actor.map(id),
        action: action.into(),
        detail: EventDetail::default(),
    }
}

/// A submission of `dossier(applicant)` from draft `draft_id`.
pub fn submission(draft_id: &str, applicant: &str, key: Option<(&str, &str)>) -> Submission {
    Submission {
        dossier: dossier(applicant),
        unit: UNIT.into(),
        date: day(),
        draft_id: draft_id.into(),
        idempotency: key.map(|(key, fingerprint)| IdempotencyKey {
            key: key.into(),
            fingerprint: fingerprint.into(),
        }),
        event: NewEvent {
            detail: EventDetail {
                to: Some(DossierStatus::Submitted),
                ..EventDetail::default()
            },
            ..event("submit", Some(applicant), 100)
        },
        effects: SideEffects::default(),
    }
}

pub fn document(document_id: &str, kind: DocumentKind, issued: i64) -> IssuedDocument {
    IssuedDocument {
        id: document_id.into(),
        dossier: placeholder(),
        kind,
        file_name: format!("{}.pdf", kind.as_str()),
        content_type: "application/pdf".into(),
        hash: hash(2),
        issued_at: at(issued),
    }
}

pub fn notification(notification_id: &str, account: &str, seconds: i64) -> Notification {
    Notification {
        id: notification_id.into(),
        account_id: id(account),
        dossier: placeholder(),
        status: DossierStatus::Submitted,
        action: "submit".into(),
        at: at(seconds),
        read_at: None,
    }
}

/// Puts a draft and submits it; the new dossier's code.
pub async fn submit_new(store: &SqlStore, draft_id: &str, applicant: &str) -> DossierCode {
    store
        .put_draft(&draft(draft_id, applicant))
        .await
        .expect("draft stored");
    match store
        .submit(&submission(draft_id, applicant, None))
        .await
        .expect("submitted")
    {
        Submitted::Created(code) => code,
        other => panic!("expected a new dossier, got {other:?}"),
    }
}

/// A change of `current` made by `f`, from its version to the next.
pub fn change(
    current: &Dossier,
    action: &str,
    seconds: i64,
    f: impl FnOnce(&mut Dossier),
) -> Change {
    let mut next = current.clone();
    f(&mut next);
    next.version = current.version + 1;
    Change {
        event: NewEvent {
            detail: EventDetail {
                from: Some(current.status),
                to: Some(next.status),
                role: Some(Role::ReceivingOfficer),
                note: Some(format!("{action} \"quoted\" ✓")),
                ..EventDetail::default()
            },
            ..event(action, Some("o1"), seconds)
        },
        dossier: next,
        expected_version: current.version,
        effects: SideEffects::default(),
    }
}

/// The first ten notifications of `account`, newest first.
pub async fn notifications_of(store: &SqlStore, label: &str, account: &str) -> Page<Notification> {
    store
        .notifications(&id(account), PageRequest::new(0, 10))
        .await
        .expect(label)
}

/// The stored dossier `code`.
pub async fn stored(store: &SqlStore, code: &DossierCode) -> Dossier {
    store
        .dossier(code)
        .await
        .expect("read")
        .expect("dossier exists")
}
