//! Second factor (xác thực hai yếu tố): time-based one-time passwords
//! (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of clock skew).

use egov_domain::identity::{Account, AccountId};
use egov_domain::InvalidField;
use jiff::Timestamp;
use totp_rs::{Algorithm, Secret, TOTP};

use super::sign_in::SignedIn;
use super::{random_bytes, Accounts, AuditEntryExt, RequestContext};
use crate::AppError;

const DIGITS: usize = 6;
const STEP_SECONDS: u64 = 30;
const SKEW_STEPS: u8 = 1;

/// A secret to enrol in an authenticator app (shown as a QR code of the URL).
#[derive(Clone)]
pub struct TotpEnrolment {
    /// Base32, as typed into an app by hand.
    pub secret: String,
    /// `otpauth://totp/…`.
    pub otpauth_url: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpEnrolment").finish_non_exhaustive()
    }
}

fn totp(secret_base32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_owned()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, DIGITS, SKEW_STEPS, STEP_SECONDS, bytes).ok()
}

/// The time step (30 s since the epoch) whose code `code` is, within one
/// step either side of `now`; `None` when it is no such code.
pub(crate) fn matching_step(secret_base32: &str, code: &str, now: Timestamp) -> Option<u64> {
    let code = code.trim();
    let secs = u64::try_from(now.as_second()).ok()?;
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) || secs < STEP_SECONDS * 2
    {
        return None;
    }
    let t = totp(secret_base32)?;
    let current = secs / STEP_SECONDS;
    (current - 1..=current + 1).find(|step| {
        let expected = t.generate(step * STEP_SECONDS);
        bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            code.as_bytes(),
        ))
    })
}

/// Whether `code` is the current code of the secret (± one step).
#[cfg(test)]
fn verify_totp(secret_base32: &str, code: &str, now: Timestamp) -> bool {
    matching_step(secret_base32, code, now).is_some()
}

/// A new random secret (160 bits, base32).
pub(crate) fn new_secret() -> String {
    match Secret::Raw(random_bytes::<20>().to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => String::new(),
    }
}

/// Percent-encodes everything but unreserved characters and `@`.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The Key URI Format understood by authenticator apps.
pub(crate) fn otpauth_url(issuer: &str, label: &str, secret: &str) -> String {
    let issuer = encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        encode(label)
    )
}

impl Accounts {
    /// A fresh secret for the account to add to an authenticator app. Nothing
    /// is stored until [`Accounts::confirm_totp_enrolment`] gets a right code.
    pub async fn begin_totp_enrolment(&self, account: &Account) -> Result<TotpEnrolment, AppError> {
        self.refuse_if_enrolled(&account.login).await?;
        let secret = new_secret();
        let otpauth_url = otpauth_url(&self.config.totp_issuer, &account.login, &secret);
        Ok(TotpEnrolment {
            secret,
            otpauth_url,
        })
    }

    /// Stores the secret once the app shows a right code, and replaces the
    /// session by one that counts the second factor as given.
    pub async fn confirm_totp_enrolment(
        &self,
        session_token: &str,
        secret: &str,
        code: &str,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<SignedIn, AppError> {
        let (account, session) = self.authenticate_session(session_token, now).await?;
        self.refuse_if_enrolled(&account.login).await?;
        if totp(secret).is_none() {
            return Err(AppError::Invalid(InvalidField::new(
                "secret",
                "is not a valid secret",
            )));
        }
        let Some(step) = matching_step(secret, code, now).and_then(|s| i64::try_from(s).ok())
        else {
            return Err(AppError::Invalid(InvalidField::new(
                "code",
                "is wrong; check the time on your phone",
            )));
        };
        self.store
            .set_totp_secret(&account.id, Some(secret))
            .await?;
        // The code just shown cannot sign in again.
        self.store.use_totp_step(&account.id, step).await?;
        self.store.revoke_session(&session.id_hash, now).await?;
        let id = account.id.clone();
        let signed_in = self.open_session(account, true, ctx, now).await?;
        let entry = super::audit_entry("totp.enrolled", ctx, now)
            .by(Some(id.clone()))
            .about(&id.0);
        self.record(entry).await?;
        Ok(signed_in)
    }

    async fn refuse_if_enrolled(&self, login: &str) -> Result<(), AppError> {
        let enrolled = self
            .store
            .account_by_login(login)
            .await?
            .is_some_and(|(_, c)| c.totp_secret.is_some());
        if enrolled {
            return Err(AppError::Conflict(
                "totp: a second factor is already set up".into(),
            ));
        }
        Ok(())
    }

    /// Removes an account's second factor (an administrator does this when an
    /// official lost their phone); they enrol again at the next sign-in.
    pub(crate) async fn clear_totp(&self, id: &AccountId) -> Result<(), AppError> {
        Ok(self.store.set_totp_secret(id, None).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_this_and_the_next_and_previous_step_are_accepted() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        let t = totp(&secret).unwrap();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let secs = 1_800_000_000u64;
        assert!(verify_totp(&secret, &t.generate(secs), now));
        assert!(verify_totp(&secret, &t.generate(secs - 30), now));
        assert!(verify_totp(&secret, &t.generate(secs + 30), now));
        assert!(!verify_totp(&secret, &t.generate(secs + 90), now));
        assert!(!verify_totp(&secret, "12345", now));
        assert!(!verify_totp(&secret, "abcdef", now));
        assert!(!verify_totp("not base32!", "123456", now));
        assert!(!verify_totp(&secret, &t.generate(0), Timestamp::UNIX_EPOCH));
        assert_eq!(
            matching_step(&secret, &t.generate(secs - 30), now),
            Some(secs / 30 - 1)
        );
    }

    #[test]
    fn otpauth_urls_encode_the_label() {
        let url = otpauth_url("egov", "an nguyen@example.vn", "ABC");
        assert_eq!(
            url,
            "otpauth://totp/egov:an%20nguyen@example.vn?secret=ABC&issuer=egov&algorithm=SHA1&digits=6&period=30"
        );
    }
}
