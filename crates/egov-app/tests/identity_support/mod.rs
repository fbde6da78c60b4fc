//! Shared set-up of the identity tests: an [`Accounts`] service on every test
//! backend, with two provinces' agencies in the catalogue, and helpers that
//! read codes out of the outbox as a person would read their messages.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] functions

use std::sync::Arc;

use egov_app::identity::{
    Accounts, CreateOfficial, IdentityConfig, RegisterCitizen, RequestContext,
};
use egov_app::ports::{AuditFilter, CatalogueStore, IdentityStore};
use egov_app::AppError;
use egov_domain::identity::{Account, Actor, Role};
use egov_domain::{AdminUnit, Agency, AgencyKind, Era, PageRequest, UnitKind, UnitLevel};
use egov_store::testing::test_stores;
use jiff::{SignedDuration, Timestamp};

/// Ủy ban nhân dân Thành phố Hà Nội.
pub const HANOI: &str = "000.00.00.H01";
/// Sở Tư pháp Thành phố Hà Nội (under [`HANOI`]).
pub const HANOI_JUSTICE: &str = "000.01.00.H01";
/// Ủy ban nhân dân Thành phố Đà Nẵng.
pub const DANANG: &str = "000.00.00.H48";

pub const NID_AN: &str = "001203012345";
pub const NID_BINH: &str = "079185000001";
pub const PASSWORD: &str = "mật khẩu đủ dài 2026";

pub struct Fx {
    pub label: String,
    pub accounts: Accounts,
    pub store: Arc<dyn IdentityStore>,
}

pub fn now() -> Timestamp {
    "2026-03-02T02:00:00Z".parse().unwrap()
}

pub fn later(t: Timestamp, minutes: i64) -> Timestamp {
    t.checked_add(SignedDuration::from_mins(minutes)).unwrap()
}

pub fn ctx(ip: &str) -> RequestContext {
    RequestContext {
        ip: Some(ip.into()),
        user_agent: Some("Mozilla/5.0 (test)".into()),
    }
}

pub async fn fixtures() -> Vec<Fx> {
    fixtures_with(IdentityConfig::default()).await
}

pub async fn fixtures_with(config: IdentityConfig) -> Vec<Fx> {
    let mut out = Vec::new();
    for (label, sql) in test_stores().await {
        let catalogue: Arc<dyn CatalogueStore> = Arc::new(sql.clone());
        seed_agencies(catalogue.as_ref()).await;
        let store: Arc<dyn IdentityStore> = Arc::new(sql);
        let accounts = Accounts::new(Arc::clone(&store), catalogue, config.clone());
        out.push(Fx {
            label,
            accounts,
            store,
        });
    }
    out
}

async fn seed_agencies(catalogue: &dyn CatalogueStore) {
    let hanoi = AdminUnit {
        code: "01".into(),
        era: Era::Current,
        level: UnitLevel::Province,
        kind: UnitKind::CentralCity,
        name: "Hà Nội".into(),
        full_name: "Thành phố Hà Nội".into(),
        name_en: None,
        full_name_en: None,
        parent_code: None,
        province_code: "01".into(),
    };
    catalogue.upsert_admin_units(&[hanoi]).await.unwrap();
    let agency = |code: &str, name: &str, kind, parent: Option<&str>, unit: Option<&str>| Agency {
        code: code.into(),
        name: name.into(),
        kind,
        parent_code: parent.map(Into::into),
        admin_unit_code: unit.map(Into::into),
    };
    let agencies = [
        agency(
            HANOI,
            "Ủy ban nhân dân Thành phố Hà Nội",
            AgencyKind::ProvincialCommittee,
            None,
            Some("01"),
        ),
        agency(
            HANOI_JUSTICE,
            "Sở Tư pháp Thành phố Hà Nội",
            AgencyKind::Department,
            Some(HANOI),
            Some("01"),
        ),
        agency(
            DANANG,
            "Ủy ban nhân dân Thành phố Đà Nẵng",
            AgencyKind::ProvincialCommittee,
            None,
            None,
        ),
    ];
    catalogue.upsert_agencies(&agencies).await.unwrap();
}

/// A valid registration form of a citizen.
pub fn citizen_form(national_id: &str, email: &str, phone: &str) -> RegisterCitizen {
    let nid = egov_domain::identity::NationalId::parse(national_id, jiff::civil::date(2026, 1, 1))
        .unwrap();
    RegisterCitizen {
        national_id: national_id.into(),
        full_name: "Nguyễn Văn An".into(),
        date_of_birth: format!("{}-05-14", nid.birth_year()),
        sex: None,
        phone: phone.into(),
        email: email.into(),
        password: PASSWORD.into(),
    }
}

/// Registers a citizen with [`PASSWORD`].
pub async fn register(fx: &Fx, national_id: &str, email: &str, phone: &str) -> Account {
    fx.accounts
        .register_citizen(
            &citizen_form(national_id, email, phone),
            &ctx("192.0.2.1"),
            now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{}: registration failed: {e}", fx.label))
}

/// The person acting as themselves through a web session.
pub async fn actor(fx: &Fx, account: &Account) -> Actor {
    fx.accounts.actor_for(account).await.unwrap()
}

/// The six-digit code in the unsent message to `recipient`, which is then
/// marked sent (read), as a person reads their inbox. Tests keep at most one
/// unsent message per recipient.
pub async fn code_sent_to(fx: &Fx, recipient: &str) -> Option<String> {
    let messages = fx.store.pending_messages(100, 1000).await.unwrap();
    let mut to: Vec<_> = messages
        .iter()
        .filter(|m| m.recipient == recipient)
        .collect();
    assert!(
        to.len() <= 1,
        "{}: {} unsent messages to one recipient",
        fx.label,
        to.len()
    );
    let message = to.pop()?;
    fx.store.mark_sent(&message.id, now()).await.unwrap();
    six_digits(&message.body)
}

fn six_digits(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(5)).find_map(|i| {
        let run = &bytes[i..i + 6];
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 6).is_none_or(|b| !b.is_ascii_digit());
        (bounded && run.iter().all(u8::is_ascii_digit)).then(|| text[i..i + 6].to_owned())
    })
}

/// An official created by the operator, whose password was then set with
/// the e-mailed code to [`PASSWORD`].
pub async fn official(fx: &Fx, email: &str, agency: &str, roles: &[Role], totp: bool) -> Account {
    let input = CreateOfficial {
        email: email.into(),
        full_name: "Trần Văn Cường".into(),
        agency_code: agency.into(),
        roles: roles.to_vec(),
        totp_required: totp,
    };
    let account = fx
        .accounts
        .create_official(&Actor::System, &input, &ctx("192.0.2.1"), now())
        .await
        .unwrap_or_else(|e| panic!("{}: create_official failed: {e}", fx.label));
    let code = code_sent_to(fx, email).await.expect("welcome code");
    fx.accounts
        .reset_password(email, &code, PASSWORD, &ctx("192.0.2.1"), now())
        .await
        .unwrap_or_else(|e| panic!("{}: setting the password failed: {e}", fx.label));
    account
}

/// Audit entries with this action (and subject, if given).
pub async fn audit(
    fx: &Fx,
    action: &str,
    subject: Option<&str>,
) -> Vec<egov_app::ports::AuditEntry> {
    let filter = AuditFilter {
        actor: None,
        subject: subject.map(Into::into),
        action_prefix: Some(action.into()),
        page: PageRequest::new(0, 100),
    };
    fx.store
        .audit(&filter)
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

/// The field an `Invalid` error names.
pub fn invalid_field(result: Result<impl std::fmt::Debug, AppError>) -> &'static str {
    match result {
        Err(AppError::Invalid(e)) => e.field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}
