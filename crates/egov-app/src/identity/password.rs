//! Passwords (mật khẩu): the policy, argon2id hashing, changing a password,
//! and resetting a forgotten one with a code.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use egov_domain::identity::{Account, AccountId, AccountStatus, Actor, Email, Phone};
use egov_domain::InvalidField;
use jiff::Timestamp;

use super::codes::CodeMessage;
use super::throttle::login_key;
use super::{audit_entry, normalise_login, random_bytes, Accounts, AuditEntryExt, RequestContext};
use crate::ports::{Channel, CodePurpose, Outcome};
use crate::AppError;

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordHashParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

/// The parameters new hashes use: 19 MiB, 2 passes, 1 lane — the OWASP
/// minimum for argon2id. Stored hashes carry their own parameters, so these
/// can be raised later without invalidating existing passwords.
pub const PASSWORD_HASH_PARAMS: PasswordHashParams = PasswordHashParams {
    memory_kib: 19_456,
    iterations: 2,
    parallelism: 1,
};

const MIN_CHARS: usize = 10;
const MAX_CHARS: usize = 256;

/// Checks a new password: 10 to 256 characters, not only digits, and not one
/// of the holder's identifiers (`personal`: national ID, tax code, login…).
pub fn check_password_policy(password: &str, personal: &[&str]) -> Result<(), InvalidField> {
    let err = |reason: &str| Err(InvalidField::new("password", reason));
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return err("must be at least 10 characters long");
    }
    if chars > MAX_CHARS {
        return err("must be at most 256 characters long");
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return err("must not be only digits");
    }
    let folded = normalise_login(password);
    if personal
        .iter()
        .any(|p| !p.is_empty() && normalise_login(p) == folded)
    {
        return err("must not be your national ID number, tax code or login");
    }
    Ok(())
}

fn hasher() -> Result<Argon2<'static>, AppError> {
    let p = PASSWORD_HASH_PARAMS;
    let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None)
        .map_err(|e| AppError::Storage(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with argon2id and a random salt; returns the PHC string.
/// CPU-heavy: async callers run it on a blocking thread.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>())
        .map_err(|e| AppError::Storage(format!("password salt: {e}")))?;
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Storage(format!("password hashing: {e}")))
}

/// Whether `password` matches the PHC string (with the parameters stored in
/// it). A malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

pub(crate) async fn hash_blocking(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Storage(format!("password hashing: {e}")))?
}

pub(crate) async fn verify_blocking(password: &str, phc: String) -> Result<bool, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(|e| AppError::Storage(format!("password check: {e}")))
}

/// A hash of a random password nobody knows, computed once: verified against
/// when the login is unknown, so that answer takes as long as a wrong password.
pub(crate) async fn dummy_hash() -> String {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return hash.clone();
    }
    let hash = hash_blocking(&super::new_token()).await.unwrap_or_default();
    DUMMY.get_or_init(|| hash).clone()
}

/// A hash of a random password (an account nobody can sign in to until a password is set).
pub(crate) async fn unusable_password_hash() -> Result<String, AppError> {
    hash_blocking(&super::new_token()).await
}

/// Changing one's password while signed in.
#[derive(Clone)]
pub struct ChangePassword {
    pub current: String,
    pub new: String,
    /// The `id_hash` of the session to keep; every other session is signed out.
    pub keep_session: Option<String>,
}

impl std::fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePassword").finish_non_exhaustive()
    }
}

/// Identifiers a password must not equal.
fn personal_ids(account: &Account) -> Vec<&str> {
    let mut ids = vec![account.login.as_str()];
    ids.extend(account.national_id.as_ref().map(|n| n.as_str()));
    ids.extend(account.email.as_ref().map(Email::as_str));
    if let Some(org) = &account.organisation {
        ids.push(org.tax_code.as_str());
        ids.push(org.representative_national_id.as_str());
    }
    ids
}

fn wrong_current() -> AppError {
    AppError::Invalid(InvalidField::new("current_password", "is wrong"))
}

impl Accounts {
    /// Changes the password after checking the current one; signs out every
    /// other session and revokes refresh tokens. Wrong current passwords count
    /// towards the sign-in lockout.
    pub async fn change_password(
        &self,
        actor: &Actor,
        id: &AccountId,
        change: ChangePassword,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<(), AppError> {
        self.authorize_self(actor, id)?;
        let account = self.load(id).await?;
        let keys = self.sign_in_keys(&account.login, ctx.ip.as_deref());
        self.check_throttles(&keys, now).await?;
        let Some((_, credentials)) = self.store.account_by_login(&account.login).await? else {
            return Err(AppError::not_found("account", id.0.clone()));
        };
        if !verify_blocking(&change.current, credentials.password_hash).await? {
            self.record_failures(&keys, now).await?;
            let entry = audit_entry("password.change.failed", ctx, now)
                .by(Some(id.clone()))
                .about(&id.0)
                .outcome(Outcome::Failure);
            self.record(entry).await?;
            return Err(wrong_current());
        }
        check_password_policy(&change.new, &personal_ids(&account))?;
        let hash = hash_blocking(&change.new).await?;
        self.store.set_password(id, &hash).await?;
        for session in self.store.sessions_of(id, now).await? {
            if change.keep_session.as_deref() != Some(session.id_hash.as_str()) {
                self.store.revoke_session(&session.id_hash, now).await?;
            }
        }
        self.store.revoke_refresh_tokens_of(id, now).await?;
        let entry = audit_entry("password.changed", ctx, now)
            .by(Some(id.clone()))
            .about(&id.0);
        self.record(entry).await
    }

    /// Sends a reset code to the account's verified e-mail (or else verified
    /// phone). Answers the same whether or not the login exists; requests
    /// beyond the send limit are dropped silently.
    pub async fn request_password_reset(
        &self,
        login: &str,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let login = normalise_login(login);
        let key = vec![(
            format!("send:{}", login_key(&login)),
            self.config.send_throttle,
        )];
        match self.check_throttles(&key, now).await {
            Err(AppError::Throttled { .. }) => return Ok(()),
            other => other?,
        }
        self.record_failures(&key, now).await?;
        let Some((account, _)) = self.store.account_by_login(&login).await? else {
            return Ok(());
        };
        if account.status == AccountStatus::Locked {
            return Ok(());
        }
        let target = reset_target(&account);
        let Some((channel, target)) = target else {
            return Ok(());
        };
        self.send_code(
            &account.id,
            CodePurpose::ResetPassword,
            CodeMessage::Reset,
            channel,
            &target,
            now,
        )
        .await?;
        let entry = audit_entry("password.reset-requested", ctx, now).about(&account.id.0);
        self.record(entry).await
    }

    /// Sets a new password with a reset code; signs out every session and
    /// revokes refresh tokens. Any problem with the login or the code gives
    /// the same `Invalid` on the `code` field.
    pub async fn reset_password(
        &self,
        login: &str,
        code: &str,
        new_password: &str,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let login = normalise_login(login);
        // Checks that do not depend on the account come first, so that their
        // answer cannot tell whether the login exists.
        check_password_policy(new_password, &[&login])?;
        let Some((mut account, _)) = self.store.account_by_login(&login).await? else {
            return Err(super::codes::wrong_code());
        };
        let used = self
            .check_code(&account.id, CodePurpose::ResetPassword, code, now)
            .await?;
        check_password_policy(new_password, &personal_ids(&account))?;
        self.store
            .delete_code(&account.id, CodePurpose::ResetPassword)
            .await?;
        let hash = hash_blocking(new_password).await?;
        self.store.set_password(&account.id, &hash).await?;
        self.store.revoke_sessions_of(&account.id, now).await?;
        self.store
            .revoke_refresh_tokens_of(&account.id, now)
            .await?;
        self.store.clear_throttle(&login_key(&login)).await?;
        // Receiving the code proves the address: a new official's e-mail is verified so.
        if account.email_verified_at.is_none()
            && account
                .email
                .as_ref()
                .is_some_and(|e| e.as_str() == used.target)
        {
            account.email_verified_at = Some(now);
            self.store.update_account(&account).await?;
        }
        let entry = audit_entry("password.reset", ctx, now)
            .by(Some(account.id.clone()))
            .about(&account.id.0);
        self.record(entry).await
    }
}

/// Where a reset code goes: the verified e-mail, else the verified phone.
/// A new official's unverified e-mail also qualifies (they have no other).
fn reset_target(account: &Account) -> Option<(Channel, String)> {
    let email = account.email.as_ref().map(Email::as_str);
    let phone = account.phone.as_ref().map(Phone::as_str);
    match (account.email_verified_at, account.phone_verified_at) {
        (Some(_), _) => email.map(|e| (Channel::Email, e.to_owned())),
        (None, Some(_)) => phone.map(|p| (Channel::Sms, p.to_owned())),
        (None, None) if account.kind == egov_domain::identity::AccountKind::Official => {
            email.map(|e| (Channel::Email, e.to_owned()))
        }
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_refuses_short_long_numeric_and_personal() {
        let field = |p: &str| check_password_policy(p, &["001203012345"]).map_err(|e| e.reason);
        assert!(field("correct horse").is_ok());
        assert!(field("short").is_err());
        assert!(field("1234567890123").unwrap_err().contains("digits"));
        assert!(field(&"x".repeat(257)).unwrap_err().contains("at most"));
        assert!(field(&"x".repeat(256)).is_ok());
        assert!(check_password_policy("an@example.vn", &["An@Example.vn"]).is_err());
        // Ten characters, counted as characters (not bytes).
        assert!(field("mậtkhẩuđủ1").is_ok());
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b);
        assert!(verify_password("correct horse", &a));
        assert!(!verify_password("correct horsf", &a));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn change_password_debug_hides_the_passwords() {
        let change = ChangePassword {
            current: "old secret 1".into(),
            new: "new secret 2".into(),
            keep_session: None,
        };
        assert!(!format!("{change:?}").contains("secret"));
    }
}
