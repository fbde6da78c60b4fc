//! Identity storage: accounts and credentials, one-time codes, the
//! notification outbox, web sessions, throttling counters, the audit log, and
//! the OpenID Connect provider's clients, codes, tokens, consents and keys.
//!
//! Secrets are never stored in clear: passwords as argon2id PHC strings,
//! session ids, one-time codes, authorization codes, refresh tokens and client
//! secrets as SHA-256 hex digests computed by the caller (`*_hash` fields).
//! All times are `jiff::Timestamp` (UTC instants); callers pass `now`.

use async_trait::async_trait;
use egov_domain::identity::{Account, AccountId, RoleAssignment};
use egov_domain::{Page, PageRequest};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// A new account with its first password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub account: Account,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// What signing in checks, besides the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub password_hash: String,
    /// Base32 TOTP secret once the official has enrolled a second factor.
    pub totp_secret: Option<String>,
}

/// Why a one-time code was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodePurpose {
    VerifyEmail,
    VerifyPhone,
    ResetPassword,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::VerifyEmail => "verify-email",
            CodePurpose::VerifyPhone => "verify-phone",
            CodePurpose::ResetPassword => "reset-password",
        }
    }
}

/// A one-time code awaiting entry. One per account and purpose: a new one replaces the old.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeCode {
    pub account_id: AccountId,
    pub purpose: CodePurpose,
    /// The address or number the code was sent to (it is verified, not the stored one).
    pub target: String,
    pub code_hash: String,
    pub expires_at: Timestamp,
    /// Wrong entries so far; the caller gives up after a few.
    pub attempts: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    Email,
    Sms,
}

/// A message waiting in the outbox (sent by a background worker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: String,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: Timestamp,
    pub attempts: u32,
    pub sent_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// A web session. The cookie holds a random token; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub account_id: AccountId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// Absolute end, whatever the activity.
    pub expires_at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Per-session secret the forms' CSRF tokens are derived from.
    pub csrf_secret: String,
    /// Whether the second factor was given in this session.
    pub second_factor: bool,
    pub revoked_at: Option<Timestamp>,
}

/// Failed attempts counted under one key (`account:{id}`, `ip:{addr}`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub failures: u32,
    pub window_started_at: Timestamp,
    pub locked_until: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Success,
    Failure,
}

/// One line of the audit log: who did what, when, from where, and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    #[schema(value_type = String)]
    pub at: Timestamp,
    /// The acting account, if known.
    #[schema(value_type = Option<String>)]
    pub actor: Option<AccountId>,
    /// Dotted event name: `sign-in`, `sign-in.failed`, `role.granted`, `token.issued`, `consent.granted`…
    pub action: String,
    /// What it was done to (an account id, a client id, …).
    pub subject: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub outcome: Outcome,
    /// Short detail without personal data.
    pub detail: String,
}

/// Filter for reading the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<AccountId>,
    pub subject: Option<String>,
    pub action_prefix: Option<String>,
    pub page: PageRequest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClientKind {
    /// Can keep a secret (a server-side application); authenticates at the token endpoint.
    Confidential,
    /// Cannot (a mobile or single-page app); must use PKCE S256.
    Public,
}

/// A registered OpenID Connect client (relying party).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OidcClient {
    pub client_id: String,
    pub name: String,
    pub kind: ClientKind,
    /// SHA-256 hex of the client secret (confidential clients).
    #[serde(skip_serializing)]
    pub secret_hash: Option<String>,
    /// Exact redirect URIs (a loopback `http://127.0.0.1/…` one matches any port, RFC 8252).
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// Scopes the client may ask for.
    pub allowed_scopes: Vec<String>,
    /// `authorization_code`, `refresh_token`, `client_credentials`.
    pub grant_types: Vec<String>,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
}

/// An authorization code, single use, short-lived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    pub code_hash: String,
    pub client_id: String,
    pub account_id: AccountId,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    /// `S256` (or `plain` for confidential clients only).
    pub code_challenge_method: Option<String>,
    /// When the person authenticated (the `auth_time` claim).
    pub auth_time: Timestamp,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Result of redeeming a single-use secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed<T> {
    /// First use: it is now marked used.
    Fresh(T),
    /// Already used before: a replay. The caller revokes what the first use produced.
    Replayed(T),
    /// Unknown.
    Missing,
}

/// A refresh token. Each use rotates it: the old one is marked used and a new
/// one of the same family issued; a used one presented again revokes the family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub token_hash: String,
    pub family_id: String,
    pub client_id: String,
    pub account_id: AccountId,
    pub scopes: Vec<String>,
    pub auth_time: Timestamp,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// What a person granted a client (remembered so they are asked once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Consent {
    #[schema(value_type = String)]
    pub account_id: AccountId,
    pub client_id: String,
    pub scopes: Vec<String>,
    #[schema(value_type = String)]
    pub granted_at: Timestamp,
}

/// A token-signing key. Signs from `activates_at` until `retires_at`; still
/// verifies (is published in the JWKS) until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKey {
    pub kid: String,
    /// `ES256`.
    pub alg: String,
    /// PKCS#8 PEM of the private key.
    pub private_pem: String,
    /// The public key as a JWK (JSON text).
    pub public_jwk: String,
    pub created_at: Timestamp,
    pub activates_at: Timestamp,
    pub retires_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Identity persistence. Methods that write several rows do so in one transaction.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    // --- accounts ---------------------------------------------------------
    /// Fails with `Conflict` when the login, national ID or e-mail is taken.
    async fn create_account(&self, new: &NewAccount) -> Result<(), StoreError>;
    async fn account(&self, id: &AccountId) -> Result<Option<Account>, StoreError>;
    /// By the sign-in identifier (exact, already normalised by the caller).
    async fn account_by_login(
        &self,
        login: &str,
    ) -> Result<Option<(Account, Credentials)>, StoreError>;
    /// Replaces the stored details (not the login or id). `Conflict` if the e-mail is taken.
    async fn update_account(&self, account: &Account) -> Result<(), StoreError>;
    async fn set_password(&self, id: &AccountId, password_hash: &str) -> Result<(), StoreError>;
    async fn set_totp_secret(&self, id: &AccountId, secret: Option<&str>)
        -> Result<(), StoreError>;
    /// Records that the TOTP code of time step `step` was used, atomically.
    /// False when that step or a later one was used already (a replayed code).
    async fn use_totp_step(&self, id: &AccountId, step: i64) -> Result<bool, StoreError>;
    /// Officials holding any role in any of `agency_codes`, by name.
    async fn officials_in(
        &self,
        agency_codes: &[String],
        page: PageRequest,
    ) -> Result<Page<Account>, StoreError>;
    async fn roles(&self, id: &AccountId) -> Result<Vec<RoleAssignment>, StoreError>;
    /// Replaces all of an account's role assignments.
    async fn set_roles(&self, id: &AccountId, roles: &[RoleAssignment]) -> Result<(), StoreError>;

    // --- one-time codes and the outbox ------------------------------------
    /// Stores the code (replacing one of the same account and purpose) and,
    /// in the same transaction, queues the message that carries it.
    async fn put_code(&self, code: &OneTimeCode, message: &OutboxMessage)
        -> Result<(), StoreError>;
    async fn code(
        &self,
        id: &AccountId,
        purpose: CodePurpose,
    ) -> Result<Option<OneTimeCode>, StoreError>;
    /// Adds one to the wrong-entry count; returns the new count.
    async fn count_code_attempt(
        &self,
        id: &AccountId,
        purpose: CodePurpose,
    ) -> Result<u32, StoreError>;
    async fn delete_code(&self, id: &AccountId, purpose: CodePurpose) -> Result<(), StoreError>;
    async fn enqueue(&self, message: &OutboxMessage) -> Result<(), StoreError>;
    /// Unsent messages with fewer than `max_attempts` attempts, oldest first.
    async fn pending_messages(
        &self,
        max_attempts: u32,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    async fn mark_sent(&self, id: &str, at: Timestamp) -> Result<(), StoreError>;
    async fn mark_failed(&self, id: &str, error: &str) -> Result<(), StoreError>;

    // --- sessions ---------------------------------------------------------
    async fn create_session(&self, session: &Session) -> Result<(), StoreError>;
    async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError>;
    async fn touch_session(&self, id_hash: &str, at: Timestamp) -> Result<(), StoreError>;
    async fn revoke_session(&self, id_hash: &str, at: Timestamp) -> Result<(), StoreError>;
    /// Revokes every live session of the account; returns how many.
    async fn revoke_sessions_of(&self, id: &AccountId, at: Timestamp) -> Result<u64, StoreError>;
    /// Live (not revoked, not expired at `now`) sessions, newest first.
    async fn sessions_of(&self, id: &AccountId, now: Timestamp)
        -> Result<Vec<Session>, StoreError>;

    // --- throttling -------------------------------------------------------
    async fn throttle(&self, key: &str) -> Result<Option<Throttle>, StoreError>;
    async fn put_throttle(&self, key: &str, state: &Throttle) -> Result<(), StoreError>;
    async fn clear_throttle(&self, key: &str) -> Result<(), StoreError>;

    // --- audit ------------------------------------------------------------
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// Newest first.
    async fn audit(&self, filter: &AuditFilter) -> Result<Page<AuditEntry>, StoreError>;

    // --- OpenID Connect ---------------------------------------------------
    /// Inserts or replaces a client.
    async fn put_client(&self, client: &OidcClient) -> Result<(), StoreError>;
    async fn client(&self, client_id: &str) -> Result<Option<OidcClient>, StoreError>;
    async fn clients(&self) -> Result<Vec<OidcClient>, StoreError>;
    async fn put_authorization_code(&self, code: &AuthorizationCode) -> Result<(), StoreError>;
    /// Marks the code used, atomically: concurrent redemptions get one `Fresh`.
    async fn redeem_authorization_code(
        &self,
        code_hash: &str,
        at: Timestamp,
    ) -> Result<Redeemed<AuthorizationCode>, StoreError>;
    async fn put_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError>;
    /// Marks the token used, atomically (see [`Redeemed`]).
    async fn redeem_refresh_token(
        &self,
        token_hash: &str,
        at: Timestamp,
    ) -> Result<Redeemed<RefreshToken>, StoreError>;
    /// Revokes every token of a family (reuse detected, or log-out).
    async fn revoke_refresh_family(
        &self,
        family_id: &str,
        at: Timestamp,
    ) -> Result<u64, StoreError>;
    /// Revokes every refresh token of the account (log out everywhere).
    async fn revoke_refresh_tokens_of(
        &self,
        id: &AccountId,
        at: Timestamp,
    ) -> Result<u64, StoreError>;
    async fn consent(&self, id: &AccountId, client_id: &str)
        -> Result<Option<Consent>, StoreError>;
    async fn put_consent(&self, consent: &Consent) -> Result<(), StoreError>;
    async fn put_signing_key(&self, key: &SigningKey) -> Result<(), StoreError>;
    /// Keys not yet expired at `now`, newest first.
    async fn signing_keys(&self, now: Timestamp) -> Result<Vec<SigningKey>, StoreError>;
    /// Links an identity at an external provider (issuer + subject) to an account.
    async fn link_external_identity(
        &self,
        issuer: &str,
        subject: &str,
        id: &AccountId,
    ) -> Result<(), StoreError>;
    async fn account_by_external_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<AccountId>, StoreError>;
}
