//! Shared set-up of the OpenID Connect provider tests: a provider on every
//! test backend, accounts created directly in the store, registered clients,
//! and a helper that runs the authorization step up to the code.

#![allow(dead_code, clippy::unwrap_used)] // test helpers outside #[test] functions

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use egov_app::oidc::{
    AuthorizationParams, ClientAuth, Oidc, OidcConfig, RegisterClient, RequestContext,
    TokenRequest, TokenResponse,
};
use egov_app::ports::{AuditFilter, ClientKind, IdentityStore, NewAccount};
use egov_domain::identity::{
    Account, AccountId, AccountKind, AccountStatus, Actor, Email, NationalId, Organisation, Phone,
    TaxCode,
};
use jiff::Timestamp;
use sha2::{Digest as _, Sha256};

pub const ISSUER: &str = "http://127.0.0.1:8080";
pub const CITIZEN_NATIONAL_ID: &str = "001203012345";
/// Not a real hash: these tests never sign in with a password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

pub struct Fixture {
    pub label: String,
    pub oidc: Oidc,
    pub store: Arc<dyn IdentityStore>,
    pub citizen: AccountId,
    pub company: AccountId,
    /// The confidential client `portal`'s secret.
    pub portal_secret: String,
    /// The confidential machine client `robot`'s secret.
    pub robot_secret: String,
}

pub fn ctx() -> RequestContext {
    RequestContext {
        ip: Some("192.0.2.1".into()),
        user_agent: Some("test".into()),
    }
}

pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn base_account(id: &str, kind: AccountKind, login: &str, name: &str, now: Timestamp) -> Account {
    Account {
        id: AccountId(id.into()),
        kind,
        status: AccountStatus::Active,
        login: login.into(),
        full_name: name.into(),
        national_id: None,
        date_of_birth: None,
        email: None,
        email_verified_at: None,
        phone: None,
        phone_verified_at: None,
        organisation: None,
        totp_required: false,
        created_at: now,
    }
}

async fn create(store: &Arc<dyn IdentityStore>, account: Account) -> AccountId {
    let id = account.id.clone();
    let new = NewAccount {
        account,
        password_hash: DUMMY_HASH.into(),
    };
    store.create_account(&new).await.unwrap();
    id
}

pub async fn citizen_account(store: &Arc<dyn IdentityStore>, now: Timestamp) -> AccountId {
    let today = jiff::civil::date(2025, 7, 1);
    let nid = NationalId::parse(CITIZEN_NATIONAL_ID, today).unwrap();
    let mut a = base_account(
        "acc-citizen",
        AccountKind::Citizen,
        nid.as_str(),
        "Nguyễn Văn An",
        now,
    );
    a.national_id = Some(nid);
    a.date_of_birth = Some(jiff::civil::date(2003, 5, 17));
    a.email = Some(Email::parse("an.nguyen@example.vn").unwrap());
    a.email_verified_at = Some(now);
    a.phone = Some(Phone::parse("0912345678").unwrap());
    create(store, a).await
}

async fn company_account(store: &Arc<dyn IdentityStore>, now: Timestamp) -> AccountId {
    let today = jiff::civil::date(2025, 7, 1);
    let tax = TaxCode::parse("0101234567").unwrap();
    let mut a = base_account(
        "acc-company",
        AccountKind::Organisation,
        tax.as_str(),
        "Công ty TNHH Sao Mai",
        now,
    );
    a.email = Some(Email::parse("contact@saomai.example.vn").unwrap());
    a.organisation = Some(Organisation {
        tax_code: tax,
        name: "Công ty TNHH Sao Mai".into(),
        representative_name: "Trần Thị Bình".into(),
        representative_national_id: NationalId::parse("079190000123", today).unwrap(),
    });
    create(store, a).await
}

pub fn register(
    id: &str,
    kind: ClientKind,
    redirects: &[&str],
    scopes: &[&str],
    grants: &[&str],
) -> RegisterClient {
    RegisterClient {
        client_id: Some(id.into()),
        name: format!("client {id}"),
        kind,
        redirect_uris: strings(redirects),
        post_logout_redirect_uris: strings(&["https://rp.example/bye"]),
        allowed_scopes: strings(scopes),
        grant_types: strings(grants),
    }
}

pub const PERSON_SCOPES: [&str; 6] = [
    "openid",
    "profile",
    "email",
    "phone",
    "national_id",
    "organisation",
];

async fn fixture(
    label: String,
    store: Arc<dyn IdentityStore>,
    config: OidcConfig,
    now: Timestamp,
) -> Fixture {
    let oidc = Oidc::new(Arc::clone(&store), config);
    let citizen = citizen_account(&store, now).await;
    let company = company_account(&store, now).await;
    let sys = Actor::System;
    let mobile = register(
        "mobile",
        ClientKind::Public,
        &["http://127.0.0.1/callback", "https://rp.example/cb"],
        &PERSON_SCOPES,
        &["authorization_code", "refresh_token"],
    );
    oidc.register_client(&sys, mobile, &ctx(), now)
        .await
        .unwrap();
    let portal = register(
        "portal",
        ClientKind::Confidential,
        &["https://portal.example/cb"],
        &["openid", "profile", "email"],
        &["authorization_code"],
    );
    let (_, portal_secret) = oidc
        .register_client(&sys, portal, &ctx(), now)
        .await
        .unwrap();
    let robot = register(
        "robot",
        ClientKind::Confidential,
        &[],
        &["admin"],
        &["client_credentials"],
    );
    let (_, robot_secret) = oidc
        .register_client(&sys, robot, &ctx(), now)
        .await
        .unwrap();
    Fixture {
        label,
        oidc,
        store,
        citizen,
        company,
        portal_secret: portal_secret.unwrap(),
        robot_secret: robot_secret.unwrap(),
    }
}

/// One fixture per test backend, with `config`.
pub async fn fixtures_with(config: impl Fn() -> OidcConfig, now: Timestamp) -> Vec<Fixture> {
    let mut out = Vec::new();
    for (label, store) in egov_store::testing::test_stores().await {
        let store: Arc<dyn IdentityStore> = Arc::new(store);
        out.push(fixture(label, store, config(), now).await);
    }
    out
}

pub async fn fixtures(now: Timestamp) -> Vec<Fixture> {
    fixtures_with(|| OidcConfig::new(ISSUER), now).await
}

/// An authorization request of the public client `mobile` with PKCE S256.
pub fn mobile_request(scope: &str) -> AuthorizationParams {
    AuthorizationParams {
        response_type: Some("code".into()),
        client_id: Some("mobile".into()),
        redirect_uri: Some("http://127.0.0.1:49152/callback".into()),
        scope: Some(scope.into()),
        state: Some("st-1".into()),
        nonce: Some("n-0S6_WzA2Mj".into()),
        code_challenge: Some(challenge(VERIFIER)),
        code_challenge_method: Some("S256".into()),
        prompt: None,
    }
}

impl Fixture {
    /// Validates `params` and issues a code for `account`.
    pub async fn code_for(
        &self,
        params: AuthorizationParams,
        account: &AccountId,
        now: Timestamp,
    ) -> String {
        let valid = self.oidc.validate_authorization(params).await.unwrap();
        self.oidc
            .issue_code(&valid, account, now, now)
            .await
            .unwrap()
    }

    /// The token request exchanging `code` for the `mobile` client.
    pub fn mobile_exchange(&self, code: &str) -> TokenRequest {
        TokenRequest {
            grant_type: Some("authorization_code".into()),
            code: Some(code.into()),
            redirect_uri: Some("http://127.0.0.1:49152/callback".into()),
            code_verifier: Some(VERIFIER.into()),
            client: ClientAuth::public("mobile"),
            ..TokenRequest::default()
        }
    }

    /// A full code flow for `mobile` with `scope`, as the citizen.
    pub async fn mobile_tokens(&self, scope: &str, now: Timestamp) -> TokenResponse {
        let code = self
            .code_for(mobile_request(scope), &self.citizen, now)
            .await;
        self.oidc
            .token(self.mobile_exchange(&code), &ctx(), now)
            .await
            .unwrap()
    }

    pub fn refresh_request(&self, token: &str, scope: Option<&str>) -> TokenRequest {
        TokenRequest {
            grant_type: Some("refresh_token".into()),
            refresh_token: Some(token.into()),
            scope: scope.map(str::to_owned),
            client: ClientAuth::public("mobile"),
            ..TokenRequest::default()
        }
    }

    /// How many audit entries have this action.
    pub async fn audited(&self, action: &str) -> u64 {
        let filter = AuditFilter {
            action_prefix: Some(action.into()),
            ..AuditFilter::default()
        };
        self.store.audit(&filter).await.unwrap().total
    }
}
