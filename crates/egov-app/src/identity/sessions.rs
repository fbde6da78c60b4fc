//! Web sessions (phiên đăng nhập): a random token in the cookie, its digest
//! in the store; idle and absolute timeouts; signing out here or everywhere;
//! CSRF tokens derived from a per-session secret.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use egov_domain::identity::{Account, AccountId, AccountStatus, Actor, Denied};
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::sign_in::SignedIn;
use super::{after, audit_entry, new_token, sha256_hex, Accounts, AuditEntryExt, RequestContext};
use crate::ports::Session;
use crate::AppError;

/// Sessions are touched at most this often (a write per request is wasteful).
const TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// Tokens longer than this are not looked up.
const MAX_TOKEN_LEN: usize = 256;

/// Domain separation of the CSRF MAC.
const CSRF_CONTEXT: &[u8] = b"egov-csrf-v1";

fn session_ended() -> AppError {
    AppError::Unauthenticated("the session has ended; sign in again".into())
}

/// Whether a session may still be used at `now`.
pub(crate) fn is_live(session: &Session, idle: SignedDuration, now: Timestamp) -> bool {
    session.revoked_at.is_none()
        && session.expires_at > now
        && after(session.last_seen_at, idle) > now
}

/// The CSRF token of every form of a session: HMAC-SHA256 of a fixed label
/// under the session's secret, base64url.
pub fn csrf_token(session: &Session) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(session.csrf_secret.as_bytes()) else {
        return String::new();
    };
    mac.update(CSRF_CONTEXT);
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Checks a form's CSRF token in constant time.
pub fn check_csrf(session: &Session, token: &str) -> Result<(), AppError> {
    let expected = csrf_token(session);
    let ok = !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(token.as_bytes()));
    if ok {
        Ok(())
    } else {
        Err(AppError::Denied(Denied {
            reason: "the form has expired; reload the page and try again".into(),
        }))
    }
}

impl Accounts {
    /// Opens a session for an account that just proved who it is.
    pub(crate) async fn open_session(
        &self,
        account: Account,
        second_factor: bool,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<SignedIn, AppError> {
        let token = new_token();
        let ctx = ctx.bounded();
        let session = Session {
            id_hash: sha256_hex(&token),
            account_id: account.id.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: after(now, self.config.session_absolute),
            ip: ctx.ip,
            user_agent: ctx.user_agent,
            csrf_secret: new_token(),
            second_factor,
            revoked_at: None,
        };
        self.store.create_session(&session).await?;
        Ok(SignedIn {
            session_token: token,
            session,
            account,
        })
    }

    /// The account and session a cookie's token stands for. Refuses revoked,
    /// expired and idle sessions, and locked accounts, with one message.
    pub async fn authenticate_session(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<(Account, Session), AppError> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Err(session_ended());
        }
        let id_hash = sha256_hex(token);
        let Some(mut session) = self.store.session(&id_hash).await? else {
            return Err(session_ended());
        };
        if !is_live(&session, self.config.session_idle, now) {
            return Err(session_ended());
        }
        let account = self
            .store
            .account(&session.account_id)
            .await?
            .filter(|a| a.status == AccountStatus::Active)
            .ok_or_else(session_ended)?;
        if now.duration_since(session.last_seen_at) >= TOUCH_EVERY {
            self.store.touch_session(&id_hash, now).await?;
            session.last_seen_at = now;
        }
        Ok((account, session))
    }

    /// Ends the session of this token (nothing happens for an unknown token).
    pub async fn sign_out(
        &self,
        token: &str,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<(), AppError> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Ok(());
        }
        let id_hash = sha256_hex(token);
        let Some(session) = self.store.session(&id_hash).await? else {
            return Ok(());
        };
        if session.revoked_at.is_some() {
            return Ok(());
        }
        self.store.revoke_session(&id_hash, now).await?;
        let entry = audit_entry("sign-out", ctx, now)
            .by(Some(session.account_id.clone()))
            .about(&session.account_id.0);
        self.record(entry).await
    }

    /// Ends every session and revokes every refresh token of the account;
    /// returns how many sessions were ended.
    pub async fn sign_out_everywhere(
        &self,
        actor: &Actor,
        id: &AccountId,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<u64, AppError> {
        self.authorize_self(actor, id)?;
        let ended = self.store.revoke_sessions_of(id, now).await?;
        let tokens = self.store.revoke_refresh_tokens_of(id, now).await?;
        let entry = Self::entry_by(actor, "sign-out.everywhere", ctx, now)
            .about(&id.0)
            .detail(format!("{ended} sessions, {tokens} refresh tokens"));
        self.record(entry).await?;
        Ok(ended)
    }

    /// The account's live sessions, newest first.
    pub async fn sessions(
        &self,
        actor: &Actor,
        id: &AccountId,
        now: Timestamp,
    ) -> Result<Vec<Session>, AppError> {
        self.authorize_self(actor, id)?;
        let idle = self.config.session_idle;
        let mut sessions = self.store.sessions_of(id, now).await?;
        sessions.retain(|s| is_live(s, idle, now));
        Ok(sessions)
    }

    /// Ends one of the account's own sessions (by its `id_hash`). Another
    /// account's session is `NotFound`, as an unknown one.
    pub async fn revoke_session(
        &self,
        actor: &Actor,
        id: &AccountId,
        id_hash: &str,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<(), AppError> {
        self.authorize_self(actor, id)?;
        let own = self
            .store
            .session(id_hash)
            .await?
            .filter(|s| &s.account_id == id);
        if own.is_none() {
            return Err(AppError::not_found("session", "…"));
        }
        self.store.revoke_session(id_hash, now).await?;
        let entry = Self::entry_by(actor, "session.revoked", ctx, now).about(&id.0);
        self.record(entry).await
    }

    /// See [`csrf_token`].
    pub fn csrf_token(&self, session: &Session) -> String {
        csrf_token(session)
    }

    /// See [`check_csrf`].
    pub fn check_csrf(&self, session: &Session, token: &str) -> Result<(), AppError> {
        check_csrf(session, token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(secret: &str) -> Session {
        let t = Timestamp::from_second(1_800_000_000).unwrap();
        Session {
            id_hash: "h".into(),
            account_id: AccountId("a".into()),
            created_at: t,
            last_seen_at: t,
            expires_at: after(t, SignedDuration::from_hours(12)),
            ip: None,
            user_agent: None,
            csrf_secret: secret.into(),
            second_factor: false,
            revoked_at: None,
        }
    }

    #[test]
    fn csrf_tokens_depend_on_the_session_secret() {
        let (a, b) = (session("one secret"), session("another secret"));
        let token = csrf_token(&a);
        assert_eq!(token.len(), 43);
        assert!(check_csrf(&a, &token).is_ok());
        assert!(check_csrf(&b, &token).is_err());
        assert!(check_csrf(&a, "").is_err());
        assert!(check_csrf(&a, &token[..42]).is_err());
    }

    #[test]
    fn sessions_end_when_idle_expired_or_revoked() {
        let s = session("x");
        let idle = SignedDuration::from_mins(30);
        let at = |mins: i64| after(s.last_seen_at, SignedDuration::from_mins(mins));
        assert!(is_live(&s, idle, at(29)));
        assert!(!is_live(&s, idle, at(30)));
        let mut busy = s.clone();
        busy.last_seen_at = at(12 * 60 - 1);
        assert!(is_live(&busy, idle, at(12 * 60 - 1)));
        assert!(!is_live(&busy, idle, at(12 * 60)));
        let mut revoked = s.clone();
        revoked.revoked_at = Some(at(1));
        assert!(!is_live(&revoked, idle, at(2)));
    }
}
