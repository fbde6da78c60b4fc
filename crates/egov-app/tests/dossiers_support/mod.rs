//! Shared set-up of the dossier tests: a [`Dossiers`] service on every test
//! backend (SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set) with
//! real files in a temporary folder, a province and its justice department
//! and another province in the catalogue, a published birth-registration
//! service, two citizens and officials of each agency.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] functions

use std::sync::Arc;

use egov_app::dossiers::{Command, DossierConfig, Upload, UploadTarget};
use egov_app::ports::blobs::{BlobError, ScanVerdict, VirusScanner};
use egov_app::ports::{CatalogueStore, DossierStore, Draft, IdentityStore, NewAccount};
use egov_app::{AppError, Dossiers};
use egov_blobs::{LocalBlobStore, NoScan};
use egov_domain::dossier::Dossier;
use egov_domain::identity::{
    Account, AccountId, AccountKind, AccountStatus, Actor, Email, NationalId, Phone, Role,
    RoleAssignment,
};
use egov_domain::service::ServiceDefinition;
use egov_domain::{AdminUnit, Agency, AgencyKind, Era, UnitKind, UnitLevel};
use egov_store::testing::test_stores;
use egov_store::SqlStore;
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use serde_json::{json, Value};

/// Ủy ban nhân dân Thành phố Hà Nội.
pub const HANOI: &str = "000.00.00.H01";
/// Sở Tư pháp Thành phố Hà Nội (under [`HANOI`]): receives and handles the service.
pub const JUSTICE: &str = "000.01.00.H01";
/// Ủy ban nhân dân Thành phố Đà Nẵng.
pub const DANANG: &str = "000.00.00.H48";
/// The birth registration service.
pub const PROCEDURE: &str = "1.001193";

pub const NID_AN: &str = "001203012345";
pub const NID_BINH: &str = "079185000001";
pub const EMAIL_AN: &str = "an@example.vn";
pub const PHONE_AN: &str = "+84912345678";

/// Friday 4 December 2026, 09:00 in Hà Nội (no holiday near it).
pub fn friday() -> Timestamp {
    t("2026-12-04T02:00:00Z")
}

pub fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub fn later(at: Timestamp, minutes: i64) -> Timestamp {
    at.checked_add(SignedDuration::from_mins(minutes)).unwrap()
}

pub struct Fx {
    pub label: String,
    pub dossiers: Arc<Dossiers>,
    pub store: Arc<dyn DossierStore>,
    pub identity: Arc<dyn IdentityStore>,
    pub catalogue: Arc<dyn CatalogueStore>,
    /// The store itself, to set up states the API refuses.
    pub sql: SqlStore,
    /// Nguyễn Văn An, with a verified e-mail address and phone.
    pub an: Actor,
    /// Trần Thị Bình, another citizen.
    pub binh: Actor,
    /// The justice department's desk officer, specialist and leader.
    pub desk: Actor,
    pub specialist: Actor,
    pub specialist_id: AccountId,
    pub leader: Actor,
    /// A leader of the Hà Nội People's Committee (above the department).
    pub province_leader: Actor,
    /// Đà Nẵng's desk officer and leader.
    pub danang_desk: Actor,
    pub danang_leader: Actor,
    _files: tempfile::TempDir,
}

/// Refuses any file containing `EICAR`, as a real scanner would the test file.
pub struct EicarScanner;

#[async_trait::async_trait]
impl VirusScanner for EicarScanner {
    async fn scan(&self, bytes: &[u8]) -> Result<ScanVerdict, BlobError> {
        if bytes.windows(5).any(|w| w == b"EICAR") {
            Ok(ScanVerdict::Infected {
                signature: "Eicar-Test-Signature".into(),
            })
        } else {
            Ok(ScanVerdict::Clean)
        }
    }
}

pub async fn fixtures() -> Vec<Fx> {
    fixtures_with(DossierConfig::default(), false).await
}

pub async fn fixtures_with(config: DossierConfig, eicar: bool) -> Vec<Fx> {
    let mut out = Vec::new();
    for (label, sql) in test_stores().await {
        let catalogue: Arc<dyn CatalogueStore> = Arc::new(sql.clone());
        let identity: Arc<dyn IdentityStore> = Arc::new(sql.clone());
        let store: Arc<dyn DossierStore> = Arc::new(sql.clone());
        seed_catalogue(catalogue.as_ref()).await;
        let files = tempfile::tempdir().unwrap();
        let blobs = LocalBlobStore::open(files.path().join("files"))
            .await
            .unwrap();
        let scanner: Arc<dyn VirusScanner> = if eicar {
            Arc::new(EicarScanner)
        } else {
            Arc::new(NoScan)
        };
        let dossiers = Arc::new(Dossiers::new(
            Arc::clone(&store),
            Arc::clone(&identity),
            Arc::clone(&catalogue),
            Arc::new(blobs),
            scanner,
            DossierConfig {
                public_base_url: "https://dichvucong.example.vn".into(),
                ..config.clone()
            },
        ));
        dossiers
            .publish_service(&Actor::System, birth_registration(), friday())
            .await
            .unwrap_or_else(|e| panic!("{label}: publishing the service failed: {e}"));

        let an = citizen(
            identity.as_ref(),
            "an",
            NID_AN,
            "Nguyễn Văn An",
            Some((EMAIL_AN, PHONE_AN)),
        )
        .await;
        let binh = citizen(identity.as_ref(), "binh", NID_BINH, "Trần Thị Bình", None).await;
        let desk = official(identity.as_ref(), "desk", JUSTICE, Role::ReceivingOfficer).await;
        let specialist = official(identity.as_ref(), "specialist", JUSTICE, Role::Specialist).await;
        let leader = official(identity.as_ref(), "leader", JUSTICE, Role::Leader).await;
        let province_leader = official(identity.as_ref(), "pleader", HANOI, Role::Leader).await;
        let danang_desk =
            official(identity.as_ref(), "dndesk", DANANG, Role::ReceivingOfficer).await;
        let danang_leader = official(identity.as_ref(), "dnleader", DANANG, Role::Leader).await;
        out.push(Fx {
            label,
            dossiers,
            store,
            identity,
            catalogue,
            sql,
            an,
            binh,
            desk,
            specialist_id: id_of(&specialist),
            specialist,
            leader,
            province_leader,
            danang_desk,
            danang_leader,
            _files: files,
        });
    }
    out
}

pub fn id_of(actor: &Actor) -> AccountId {
    match actor {
        Actor::Person { id, .. } => id.clone(),
        _ => panic!("not a person"),
    }
}

async fn seed_catalogue(catalogue: &dyn CatalogueStore) {
    let unit = |code: &str, name: &str| AdminUnit {
        code: code.into(),
        era: Era::Current,
        level: UnitLevel::Province,
        kind: UnitKind::CentralCity,
        name: name.into(),
        full_name: format!("Thành phố {name}"),
        name_en: None,
        full_name_en: None,
        parent_code: None,
        province_code: code.into(),
    };
    catalogue
        .upsert_admin_units(&[unit("01", "Hà Nội"), unit("48", "Đà Nẵng")])
        .await
        .unwrap();
    let agency = |code: &str, name: &str, kind, parent: Option<&str>, unit: &str| Agency {
        code: code.into(),
        name: name.into(),
        kind,
        parent_code: parent.map(Into::into),
        admin_unit_code: Some(unit.into()),
    };
    catalogue
        .upsert_agencies(&[
            agency(
                HANOI,
                "Ủy ban nhân dân Thành phố Hà Nội",
                AgencyKind::ProvincialCommittee,
                None,
                "01",
            ),
            agency(
                JUSTICE,
                "Sở Tư pháp Thành phố Hà Nội",
                AgencyKind::Department,
                Some(HANOI),
                "01",
            ),
            agency(
                DANANG,
                "Ủy ban nhân dân Thành phố Đà Nẵng",
                AgencyKind::ProvincialCommittee,
                None,
                "48",
            ),
        ])
        .await
        .unwrap();
}

/// Đăng ký khai sinh, received and handled by the justice department:
/// intake → review (specialist) → approval (leader) → return; 1 working day.
pub fn birth_registration() -> ServiceDefinition {
    serde_json::from_value(json!({
        "procedure_code": PROCEDURE,
        "name": {"vi": "Đăng ký khai sinh", "en": "Birth registration"},
        "agencies": [JUSTICE],
        "applicants": ["citizen"],
        "deadline": {"amount": 1, "unit": "working-days"},
        "form": {"fields": [
            {"key": "applicant_name", "label": {"vi": "Họ tên người yêu cầu", "en": "Applicant"}, "type": "text", "required": true, "prefill": "full-name"},
            {"key": "child_name", "label": {"vi": "Họ, chữ đệm, tên của trẻ", "en": "Child's full name"}, "type": "text", "required": true, "max_length": 100},
            {"key": "child_birth_date", "label": {"vi": "Ngày sinh", "en": "Date of birth"}, "type": "date", "required": true, "not_future": true},
            {"key": "sex", "label": {"vi": "Giới tính", "en": "Sex"}, "type": "choice", "required": true,
             "options": [{"value": "nam", "label": {"vi": "Nam", "en": "Male"}}, {"value": "nu", "label": {"vi": "Nữ", "en": "Female"}}]},
            {"key": "birth_place", "label": {"vi": "Nơi sinh", "en": "Place of birth"}, "type": "admin-unit", "required": true},
            {"key": "mother_id", "label": {"vi": "Số định danh của người yêu cầu", "en": "ID number"}, "type": "national-id", "required": true, "prefill": "national-id"},
            {"key": "email", "label": {"vi": "Thư điện tử", "en": "E-mail"}, "type": "text", "prefill": "email"},
            {"key": "birth_certificate", "label": {"vi": "Giấy chứng sinh", "en": "Birth certificate"}, "type": "file", "required": true, "accept": ["pdf", "jpeg", "png"]},
            {"key": "extra", "label": {"vi": "Giấy tờ bổ sung", "en": "Additional papers"}, "type": "file", "accept": ["pdf"], "max_files": 3}
        ]},
        "workflow": [
            {"key": "intake", "name": {"vi": "Tiếp nhận", "en": "Intake"}, "role": "receiving-officer"},
            {"key": "review", "name": {"vi": "Thẩm định", "en": "Review"}, "role": "specialist", "days": 1},
            {"key": "approve", "name": {"vi": "Phê duyệt", "en": "Approval"}, "role": "leader"},
            {"key": "return", "name": {"vi": "Trả kết quả", "en": "Return"}, "role": "receiving-officer"}
        ],
        "result": {"title": {"vi": "Giấy khai sinh", "en": "Birth certificate"}}
    }))
    .unwrap()
}

async fn citizen(
    identity: &dyn IdentityStore,
    id: &str,
    national_id: &str,
    name: &str,
    contact: Option<(&str, &str)>,
) -> Actor {
    let account = Account {
        id: AccountId(id.into()),
        kind: AccountKind::Citizen,
        status: AccountStatus::Active,
        login: national_id.into(),
        full_name: name.into(),
        national_id: Some(NationalId::parse(national_id, date(2026, 1, 1)).unwrap()),
        date_of_birth: Some(date(1990, 5, 14)),
        email: contact.map(|(e, _)| Email::parse(e).unwrap()),
        email_verified_at: contact.map(|_| friday()),
        phone: contact.map(|(_, p)| Phone::parse(p).unwrap()),
        phone_verified_at: contact.map(|_| friday()),
        organisation: None,
        totp_required: false,
        created_at: friday(),
    };
    create(identity, account, Vec::new()).await
}

async fn official(identity: &dyn IdentityStore, id: &str, agency: &str, role: Role) -> Actor {
    let email = format!("{id}@coquan.example.vn");
    let account = Account {
        id: AccountId(id.into()),
        kind: AccountKind::Official,
        status: AccountStatus::Active,
        login: email.clone(),
        full_name: format!("Cán bộ {id}"),
        national_id: None,
        date_of_birth: None,
        email: Some(Email::parse(&email).unwrap()),
        email_verified_at: None,
        phone: None,
        phone_verified_at: None,
        organisation: None,
        totp_required: false,
        created_at: friday(),
    };
    let roles = vec![RoleAssignment {
        agency_code: agency.into(),
        role,
    }];
    create(identity, account, roles).await
}

/// Stores `account` (without a usable password) with `roles`; returns it
/// as the acting person.
async fn create(
    identity: &dyn IdentityStore,
    account: Account,
    roles: Vec<RoleAssignment>,
) -> Actor {
    identity
        .create_account(&NewAccount {
            account: account.clone(),
            password_hash: "unusable".into(),
        })
        .await
        .unwrap();
    if !roles.is_empty() {
        identity.set_roles(&account.id, &roles).await.unwrap();
    }
    Actor::Person {
        id: account.id,
        kind: account.kind,
        roles,
        scopes: None,
    }
}

/// A small but real-looking PDF.
pub fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.7\n% {text}\n%%EOF\n").into_bytes()
}

/// The eight-byte PNG signature and a little more.
pub fn png() -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.extend_from_slice(b"\0\0\0\rIHDR");
    bytes
}

pub fn upload(key: &str, name: &str, bytes: Vec<u8>) -> Upload {
    Upload {
        document_key: key.into(),
        file_name: name.into(),
        declared_mime: None,
        bytes,
    }
}

/// Form values that pass validation (with the certificate attached).
pub fn valid_values() -> Value {
    json!({
        "applicant_name": "Nguyễn Văn An",
        "child_name": "Nguyễn Văn Bé",
        "child_birth_date": "2026-11-20",
        "sex": "nam",
        "birth_place": "01",
        "mother_id": NID_AN,
    })
}

/// A new, empty draft of `actor`'s at the service's first agency.
pub async fn start(fx: &Fx, actor: &Actor, now: Timestamp) -> Draft {
    fx.dossiers
        .start_application(actor, PROCEDURE, None, now)
        .await
        .unwrap_or_else(|e| panic!("{}: start failed: {e}", fx.label))
}

/// A draft of `actor`'s filled in and with its certificate attached.
pub async fn ready_draft(fx: &Fx, actor: &Actor, now: Timestamp) -> Draft {
    let d = &fx.dossiers;
    let draft = start(fx, actor, now).await;
    d.save_draft(actor, &draft.id, valid_values(), now)
        .await
        .unwrap();
    d.upload(
        actor,
        UploadTarget::Draft(draft.id.clone()),
        upload("birth_certificate", "giay-chung-sinh.pdf", pdf(&draft.id)),
        now,
    )
    .await
    .unwrap_or_else(|e| panic!("{}: upload failed: {e}", fx.label));
    draft
}

/// A dossier of An's, submitted at `now`.
pub async fn submitted(fx: &Fx, now: Timestamp) -> Dossier {
    let draft = ready_draft(fx, &fx.an, now).await;
    let (dossier, created) = fx
        .dossiers
        .submit(&fx.an, &draft.id, None, now)
        .await
        .unwrap_or_else(|e| panic!("{}: submit failed: {e}", fx.label));
    assert!(created);
    dossier
}

/// Applies a command, panicking with the backend's label on failure.
pub async fn act(
    fx: &Fx,
    actor: &Actor,
    dossier: &Dossier,
    command: Command,
    now: Timestamp,
) -> Dossier {
    let what = format!("{command:?}");
    fx.dossiers
        .act(actor, &dossier.code.to_string(), command, now)
        .await
        .unwrap_or_else(|e| panic!("{}: {what} failed: {e}", fx.label))
}

/// A dossier accepted by the desk and assigned to the specialist.
pub async fn in_review(fx: &Fx, now: Timestamp) -> Dossier {
    let d = submitted(fx, now).await;
    let d = act(fx, &fx.desk, &d, Command::Accept, later(now, 60)).await;
    act(
        fx,
        &fx.desk,
        &d,
        Command::Assign {
            specialist: fx.specialist_id.clone(),
        },
        later(now, 70),
    )
    .await
}

pub fn denied<T: std::fmt::Debug>(result: Result<T, AppError>) -> bool {
    matches!(result, Err(AppError::Denied(_)))
}
