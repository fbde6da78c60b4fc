//! Identity use cases (định danh và xác thực): registration of citizens and
//! organisations, verification of contact details, passwords, sign-in with
//! throttling and a second factor, web sessions, officials and their roles,
//! the audit log, and the notification outbox.
//!
//! Nothing here knows about HTTP: the web layer calls [`Accounts`] with the
//! request's [`RequestContext`] and the current time, and maps [`AppError`]
//! to responses. Secrets (passwords, codes, session tokens) are never logged
//! nor stored in clear; personal data is masked in logs and the audit log.

mod audit;
mod codes;
mod contact;
mod demo;
mod notify;
mod officials;
mod password;
mod profile;
mod register;
mod sessions;
mod sign_in;
mod throttle;
mod totp;

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use egov_domain::identity::{AccountId, Actor, Email};
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::ports::{CatalogueStore, IdentityStore};
use crate::AppError;

pub use audit::{audit_entry, write_audit, AuditEntryExt};
pub use contact::ContactChange;
pub use demo::{DemoAccount, DEMO_AGENCY};
pub use notify::{
    deliver_outbox, spawn_outbox_worker, ByChannel, Delivery, LogNotifier, Notifier, SmtpConfig,
    SmtpNotifier, MAX_DELIVERY_ATTEMPTS,
};
pub use officials::CreateOfficial;
pub use password::{
    check_password_policy, hash_password, verify_password, ChangePassword, PasswordHashParams,
    PASSWORD_HASH_PARAMS,
};
pub use profile::ProfileUpdate;
pub use register::{RegisterCitizen, RegisterOrganisation};
pub use sessions::{check_csrf, csrf_token};
pub use sign_in::{SignedIn, TOTP_NEEDED, WRONG_SIGN_IN};
pub use throttle::ThrottleRule;
pub use totp::TotpEnrolment;

/// Settings of the identity use cases. [`Default`] gives the production values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityConfig {
    /// A session ends after this long without a request.
    pub session_idle: SignedDuration,
    /// A session ends this long after sign-in, whatever the activity.
    pub session_absolute: SignedDuration,
    /// How long a verification or password-reset code is valid.
    pub code_ttl: SignedDuration,
    /// How long the code a new official sets a password with is valid.
    pub welcome_code_ttl: SignedDuration,
    /// Wrong entries of a code before it is thrown away.
    pub code_max_attempts: u32,
    /// Failed sign-ins per login before it is locked for a while.
    pub login_throttle: ThrottleRule,
    /// Failed sign-ins per client address before it is locked for a while.
    pub ip_throttle: ThrottleRule,
    /// Codes (re)sent per account and purpose, and reset requests per login.
    pub send_throttle: ThrottleRule,
    /// Shown in authenticator apps (`otpauth://…?issuer=`).
    pub totp_issuer: String,
    /// Demo mode: demo accounts may be created; codes appear in the log.
    pub demo: bool,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        let minutes = |m: i64| SignedDuration::from_mins(m);
        Self {
            session_idle: minutes(30),
            session_absolute: SignedDuration::from_hours(12),
            code_ttl: minutes(15),
            welcome_code_ttl: SignedDuration::from_hours(72),
            code_max_attempts: 5,
            login_throttle: ThrottleRule {
                max_failures: 5,
                window: minutes(15),
                lock: minutes(15),
            },
            ip_throttle: ThrottleRule {
                max_failures: 20,
                window: minutes(15),
                lock: minutes(15),
            },
            send_throttle: ThrottleRule {
                max_failures: 5,
                window: minutes(60),
                lock: minutes(60),
            },
            totp_issuer: "egov".into(),
            demo: false,
        }
    }
}

/// Where a request came from, for the audit log and per-address throttling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl RequestContext {
    /// The context with over-long values cut (they are stored).
    pub(crate) fn bounded(&self) -> RequestContext {
        RequestContext {
            ip: self.ip.as_deref().map(|s| truncate(s, 64)),
            user_agent: self.user_agent.as_deref().map(|s| truncate(s, 256)),
        }
    }
}

/// The identity service: accounts, sessions, officials, audit.
pub struct Accounts {
    store: Arc<dyn IdentityStore>,
    catalogue: Arc<dyn CatalogueStore>,
    config: IdentityConfig,
}

impl Accounts {
    /// `catalogue` is read for agency ancestry (role scopes).
    pub fn new(
        store: Arc<dyn IdentityStore>,
        catalogue: Arc<dyn CatalogueStore>,
        config: IdentityConfig,
    ) -> Self {
        Self {
            store,
            catalogue,
            config,
        }
    }

    pub fn store(&self) -> &Arc<dyn IdentityStore> {
        &self.store
    }

    pub fn config(&self) -> &IdentityConfig {
        &self.config
    }

    /// The account, or `NotFound`.
    pub(crate) async fn load(
        &self,
        id: &AccountId,
    ) -> Result<egov_domain::identity::Account, AppError> {
        self.store
            .account(id)
            .await?
            .ok_or_else(|| AppError::not_found("account", id.0.clone()))
    }
}

/// `n` random bytes from a cryptographically secure generator.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
}

/// A fresh secret token: 32 random bytes, base64url without padding.
pub fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// Lower-case hex SHA-256 of `input` (how tokens and codes are stored).
pub fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

/// A fresh random identifier (128 bits, hex).
pub(crate) fn new_id() -> String {
    hex::encode(random_bytes::<16>())
}

/// `t + d`, saturating at the end of time.
pub(crate) fn after(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.saturating_add(d).unwrap_or(Timestamp::MAX)
}

/// The calendar date in Vietnam (UTC+7, no daylight saving) at `now`.
pub(crate) fn today_in_vietnam(now: Timestamp) -> Date {
    now.to_zoned(TimeZone::fixed(Offset::constant(7))).date()
}

/// The sign-in identifier as stored: no white space, lower case (national
/// IDs and tax codes are digits; e-mail addresses are stored lower-cased).
pub fn normalise_login(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A login safe for logs: `001*******45`, `a***@example.vn`, `***`.
pub fn mask_login(login: &str) -> String {
    if login.contains('@') {
        return Email::parse(login).map_or_else(|_| "***".into(), |e| e.masked());
    }
    let chars: Vec<char> = login.chars().collect();
    if chars.len() < 8 {
        return "***".into();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 5))
}

/// The acting account's id, if a person acts.
pub(crate) fn actor_id(actor: &Actor) -> Option<AccountId> {
    match actor {
        Actor::Person { id, .. } => Some(id.clone()),
        Actor::Anonymous | Actor::System => None,
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_normalised() {
        assert_eq!(normalise_login(" 001 203 012345 "), "001203012345");
        assert_eq!(
            normalise_login("An.Nguyen@Example.VN"),
            "an.nguyen@example.vn"
        );
    }

    #[test]
    fn masked_logins_hide_the_middle() {
        assert_eq!(mask_login("001203012345"), "001*******45");
        assert_eq!(mask_login("0101234567"), "010*****67");
        assert_eq!(mask_login("an@example.vn"), "a***@example.vn");
        assert_eq!(mask_login("short"), "***");
        assert_eq!(mask_login("@@"), "***");
    }

    #[test]
    fn tokens_are_random_and_url_safe() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(new_id().len(), 32);
    }

    #[test]
    fn sha256_is_hex() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn vietnam_is_seven_hours_ahead() {
        let late_utc: Timestamp = "2026-01-31T18:30:00Z".parse().unwrap();
        assert_eq!(today_in_vietnam(late_utc), jiff::civil::date(2026, 2, 1));
    }

    #[test]
    fn context_is_bounded() {
        let ctx = RequestContext {
            ip: Some("1".repeat(100)),
            user_agent: Some("ư".repeat(1000)),
        }
        .bounded();
        assert_eq!(ctx.ip.unwrap().len(), 64);
        assert_eq!(ctx.user_agent.unwrap().chars().count(), 256);
    }
}
