//! Identity storage: accounts and roles, codes and the outbox, sessions,
//! throttles, the audit log and the OpenID Connect records, on every backend.

mod accounts;
mod audit;
mod messages;
mod oidc;
mod sessions;
mod tokens;

use egov_domain::identity::{
    Account, AccountId, AccountKind, AccountStatus, Email, NationalId, Organisation, Phone, TaxCode,
};
use egov_ports::{CatalogueStore, ClientKind, IdentityStore, NewAccount, OidcClient, StoreError};
use egov_store::SqlStore;
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};

use crate::fixtures::{agencies, current_units};

/// 2026-01-01T00:00:00Z plus `seconds`.
pub fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_767_225_600 + seconds).expect("valid time")
}

/// [`at`] plus some milliseconds: stored times keep their fraction.
pub fn at_ms(seconds: i64, millis: i64) -> Timestamp {
    at(seconds) + SignedDuration::from_millis(millis)
}

pub fn nid(digits: &str) -> NationalId {
    NationalId::parse(digits, date(2026, 1, 1)).expect("valid national ID")
}

pub fn email(address: &str) -> Email {
    Email::parse(address).expect("valid e-mail")
}

pub fn id(s: &str) -> AccountId {
    AccountId(s.to_owned())
}

/// A citizen who signs in with `national_id`, with every optional detail set.
pub fn citizen(account_id: &str, national_id: &str, mail: &str) -> Account {
    Account {
        id: id(account_id),
        kind: AccountKind::Citizen,
        status: AccountStatus::Active,
        login: national_id.to_owned(),
        full_name: "Nguyễn Văn An".to_owned(),
        national_id: Some(nid(national_id)),
        date_of_birth: Some(date(2003, 5, 1)),
        email: Some(email(mail)),
        email_verified_at: Some(at_ms(10, 250)),
        phone: Some(Phone::parse("0912345678").expect("valid phone")),
        phone_verified_at: None,
        organisation: None,
        totp_required: false,
        created_at: at_ms(0, 123),
    }
}

pub fn organisation(account_id: &str, tax_code: &str) -> Account {
    Account {
        id: id(account_id),
        kind: AccountKind::Organisation,
        status: AccountStatus::Active,
        login: tax_code.to_owned(),
        full_name: "Công ty TNHH Sông Hồng".to_owned(),
        national_id: None,
        date_of_birth: None,
        email: None,
        email_verified_at: None,
        phone: None,
        phone_verified_at: None,
        organisation: Some(Organisation {
            tax_code: TaxCode::parse(tax_code).expect("valid tax code"),
            name: "Công ty TNHH Sông Hồng".to_owned(),
            representative_name: "Trần Thị Bình".to_owned(),
            representative_national_id: nid("079185000001"),
        }),
        totp_required: false,
        created_at: at(1),
    }
}

/// An official who signs in with e-mail and must use a second factor.
pub fn official(account_id: &str, name: &str) -> Account {
    let mail = format!("{account_id}@hanoi.gov.vn");
    Account {
        id: id(account_id),
        kind: AccountKind::Official,
        status: AccountStatus::Active,
        login: mail.clone(),
        full_name: name.to_owned(),
        national_id: None,
        date_of_birth: None,
        email: Some(email(&mail)),
        email_verified_at: None,
        phone: None,
        phone_verified_at: None,
        organisation: None,
        totp_required: true,
        created_at: at(2),
    }
}

pub fn new_account(account: Account) -> NewAccount {
    NewAccount {
        account,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
    }
}

pub async fn create(store: &SqlStore, account: Account) {
    store
        .create_account(&new_account(account))
        .await
        .expect("account created");
}

/// The fixtures' administrative units and agencies (for role assignments).
pub async fn seed_agencies(store: &SqlStore) {
    store
        .upsert_admin_units(&current_units())
        .await
        .expect("units");
    store.upsert_agencies(&agencies()).await.expect("agencies");
}

pub fn client(client_id: &str) -> OidcClient {
    OidcClient {
        client_id: client_id.to_owned(),
        name: format!("Client {client_id}"),
        kind: ClientKind::Public,
        secret_hash: None,
        redirect_uris: vec!["http://127.0.0.1/callback".to_owned()],
        post_logout_redirect_uris: vec![],
        allowed_scopes: vec!["openid".to_owned(), "profile".to_owned()],
        grant_types: vec!["authorization_code".to_owned(), "refresh_token".to_owned()],
        created_at: at(0),
    }
}

/// The message of a `Conflict`, or a description of what came instead.
pub fn conflict<T: std::fmt::Debug>(result: Result<T, StoreError>) -> String {
    match result {
        Err(StoreError::Conflict(what)) => what,
        other => format!("not a conflict: {other:?}"),
    }
}
