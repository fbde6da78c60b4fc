//! Signing in (đăng nhập): password, lockout, second factor.
//!
//! No user enumeration: an unknown login, a wrong password and a locked
//! account give the same error after the same work (an argon2 verification
//! runs against a dummy hash when the login is unknown), and lockouts are
//! keyed by the login as typed, whether or not an account has it.

use egov_domain::identity::{Account, AccountId, AccountStatus};
use jiff::Timestamp;

use super::password::{dummy_hash, verify_blocking};
use super::throttle::login_key;
use super::totp::matching_step;
use super::{audit_entry, mask_login, normalise_login, Accounts, AuditEntryExt, RequestContext};
use crate::ports::{Credentials, IdentityStore, Outcome, Session};
use crate::AppError;

/// The one message for every failed sign-in.
pub const WRONG_SIGN_IN: &str = "wrong sign-in details";

/// The password was right; the account also needs a code from its authenticator app.
pub const TOTP_NEEDED: &str = "enter the code from your authenticator app";

/// Logins longer than this are refused without a look-up.
const MAX_LOGIN_LEN: usize = 254;

/// A new session. The token goes into the cookie and is not kept anywhere else.
pub struct SignedIn {
    pub session_token: String,
    pub session: Session,
    pub account: Account,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("account", &self.account.id)
            .field("second_factor", &self.session.second_factor)
            .finish_non_exhaustive()
    }
}

/// Why a sign-in failed (for the audit log only; the caller sees one message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    UnknownLogin,
    WrongPassword,
    AccountLocked,
    WrongTotp,
}

impl Failure {
    fn as_str(self) -> &'static str {
        match self {
            Failure::UnknownLogin => "unknown login",
            Failure::WrongPassword => "wrong password",
            Failure::AccountLocked => "account locked",
            Failure::WrongTotp => "wrong second-factor code",
        }
    }
}

/// What the checks decided.
enum Verdict {
    Pass {
        account: Box<Account>,
        second_factor: bool,
    },
    NeedTotp,
    Fail(Failure, Option<AccountId>),
}

fn wrong() -> AppError {
    AppError::Unauthenticated(WRONG_SIGN_IN.into())
}

/// The second-factor check for an account whose password was right. A code
/// counts once: its time step is recorded, and a code of that step or an
/// earlier one is refused afterwards (RFC 6238 §5.2).
async fn second_factor(
    store: &dyn IdentityStore,
    account: Account,
    credentials: &Credentials,
    totp: Option<&str>,
    now: Timestamp,
) -> Result<Verdict, AppError> {
    let Some(secret) = &credentials.totp_secret else {
        // Not enrolled: the web layer sends officials who must use it to enrolment.
        return Ok(Verdict::Pass {
            account: Box::new(account),
            second_factor: false,
        });
    };
    let Some(code) = totp.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(Verdict::NeedTotp);
    };
    let step = matching_step(secret, code, now).and_then(|s| i64::try_from(s).ok());
    let fresh = match step {
        Some(step) => store.use_totp_step(&account.id, step).await?,
        None => false,
    };
    Ok(if fresh {
        Verdict::Pass {
            account: Box::new(account),
            second_factor: true,
        }
    } else {
        Verdict::Fail(Failure::WrongTotp, Some(account.id))
    })
}

impl Accounts {
    /// Signs in with a login (national ID, tax code or e-mail), a password
    /// and, for accounts with a second factor, a TOTP code.
    ///
    /// Errors: `Throttled` while the login or the address is locked (checked
    /// first), `Unauthenticated(WRONG_SIGN_IN)` for any wrong detail,
    /// `Unauthenticated(TOTP_NEEDED)` when the password was right but the
    /// code is missing.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        totp: Option<&str>,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<SignedIn, AppError> {
        let login = normalise_login(login);
        let keys = self.sign_in_keys(&login, ctx.ip.as_deref());
        self.check_throttles(&keys, now).await?;
        let verdict = self.check_credentials(&login, password, totp, now).await?;
        match verdict {
            Verdict::Pass {
                account,
                second_factor,
            } => {
                self.store.clear_throttle(&login_key(&login)).await?;
                let id = account.id.clone();
                let signed_in = self.open_session(*account, second_factor, ctx, now).await?;
                let entry = audit_entry("sign-in", ctx, now)
                    .by(Some(id.clone()))
                    .about(&id.0)
                    .detail(if second_factor {
                        "with second factor"
                    } else {
                        "password"
                    });
                self.record(entry).await?;
                Ok(signed_in)
            }
            Verdict::NeedTotp => Err(AppError::Unauthenticated(TOTP_NEEDED.into())),
            Verdict::Fail(failure, account) => {
                self.record_failures(&keys, now).await?;
                let mut entry = audit_entry("sign-in.failed", ctx, now)
                    .outcome(Outcome::Failure)
                    .detail(format!("{}: {}", mask_login(&login), failure.as_str()));
                if let Some(id) = account {
                    entry = entry.about(&id.0);
                }
                self.record(entry).await?;
                Err(wrong())
            }
        }
    }

    /// Opens a session for an account an external identity provider vouched
    /// for (upstream login), after the caller verified the provider's ID token
    /// and linked the identity. Audited as `sign-in.external` with the
    /// provider's issuer. Locked accounts are refused.
    pub async fn sign_in_external(
        &self,
        account: Account,
        issuer: &str,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<SignedIn, AppError> {
        if account.status != AccountStatus::Active {
            return Err(wrong());
        }
        let id = account.id.clone();
        let signed_in = self.open_session(account, false, ctx, now).await?;
        let entry = audit_entry("sign-in.external", ctx, now)
            .by(Some(id.clone()))
            .about(&id.0)
            .detail(format!(
                "through {}",
                issuer.chars().take(200).collect::<String>()
            ));
        self.record(entry).await?;
        Ok(signed_in)
    }

    /// Records a failed upstream login (`sign-in.external.failed`); `reason`
    /// must hold no token and no personal data.
    pub async fn record_external_failure(
        &self,
        issuer: &str,
        reason: &str,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let entry = audit_entry("sign-in.external.failed", ctx, now)
            .outcome(Outcome::Failure)
            .detail(format!(
                "{}: {}",
                issuer.chars().take(200).collect::<String>(),
                reason.chars().take(200).collect::<String>()
            ));
        self.record(entry).await
    }

    async fn check_credentials(
        &self,
        login: &str,
        password: &str,
        totp: Option<&str>,
        now: Timestamp,
    ) -> Result<Verdict, AppError> {
        let found = if login.is_empty() || login.len() > MAX_LOGIN_LEN {
            None
        } else {
            self.store.account_by_login(login).await?
        };
        let Some((account, credentials)) = found else {
            // Same work as a wrong password.
            verify_blocking(password, dummy_hash().await).await?;
            return Ok(Verdict::Fail(Failure::UnknownLogin, None));
        };
        if !verify_blocking(password, credentials.password_hash.clone()).await? {
            return Ok(Verdict::Fail(Failure::WrongPassword, Some(account.id)));
        }
        if account.status == AccountStatus::Locked {
            return Ok(Verdict::Fail(Failure::AccountLocked, Some(account.id)));
        }
        second_factor(self.store.as_ref(), account, &credentials, totp, now).await
    }
}
