//! The OpenID Connect provider (nhà cung cấp định danh OpenID Connect): other
//! agencies' systems sign citizens in with their egov account.
//!
//! Follows OpenID Connect Core 1.0, RFC 6749 (OAuth 2.0), RFC 7636 (PKCE),
//! RFC 8252 (native apps: a loopback redirect URI matches any port), RFC 9068
//! (JWT access tokens), RFC 9207 (`iss` in the authorization response), the
//! OAuth 2.0 Security BCP (RFC 9700) and RP-Initiated Logout 1.0.
//!
//! No HTTP here: the web layer parses requests into the parameter structs of
//! this module, calls [`Oidc`] and turns the results into responses. Secrets
//! (codes, refresh tokens, client secrets) are stored as SHA-256 hex digests;
//! access and ID tokens are ES256 JWTs that are not stored at all.

mod authorize;
mod claims;
mod clients;
mod discovery;
mod error;
mod grants;
mod keys;
mod logout;
mod token;
pub mod upstream;

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use egov_domain::identity::AccountId;
use jiff::{SignedDuration, Timestamp};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

use crate::ports::{AuditEntry, IdentityStore, Outcome};
use crate::AppError;

/// The same request context as the identity use cases.
pub use crate::identity::RequestContext;
pub use authorize::{AuthorizationParams, Prompt, ValidRequest};
pub use claims::AccessClaims;
pub use clients::{RegisterClient, DEMO_CLIENT_ID};
pub use error::{AuthorizeError, ErrorCode, LogoutError, OAuthError};
pub use grants::RevocationRequest;
pub use logout::EndSession;
pub use token::{parse_basic_authorization, ClientAuth, TokenRequest, TokenResponse};
pub use upstream::{UpstreamClient, UpstreamProvider};

/// Grant types the provider supports.
pub mod grant {
    pub const AUTHORIZATION_CODE: &str = "authorization_code";
    pub const REFRESH_TOKEN: &str = "refresh_token";
    pub const CLIENT_CREDENTIALS: &str = "client_credentials";
    pub const ALL: [&str; 3] = [AUTHORIZATION_CODE, REFRESH_TOKEN, CLIENT_CREDENTIALS];
}

/// Settings of the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcConfig {
    /// The issuer identifier, e.g. `https://id.egov.example` (no trailing slash).
    pub issuer: String,
    pub access_token_ttl: SignedDuration,
    pub id_token_ttl: SignedDuration,
    pub code_ttl: SignedDuration,
    pub refresh_ttl: SignedDuration,
    /// How long a key signs before the next one takes over.
    pub key_rotation: SignedDuration,
    /// How long a retired key stays in the JWKS (at least the longest token lifetime).
    pub key_overlap: SignedDuration,
}

impl OidcConfig {
    /// The defaults: tokens 10 min, codes 60 s, refresh tokens 30 days, a new
    /// signing key every 30 days, retired keys published 7 more days.
    pub fn new(issuer: &str) -> Self {
        Self {
            issuer: issuer.trim_end_matches('/').to_owned(),
            access_token_ttl: SignedDuration::from_mins(10),
            id_token_ttl: SignedDuration::from_mins(10),
            code_ttl: SignedDuration::from_secs(60),
            refresh_ttl: SignedDuration::from_hours(30 * 24),
            key_rotation: SignedDuration::from_hours(30 * 24),
            key_overlap: SignedDuration::from_hours(7 * 24),
        }
    }
}

/// The OpenID Connect provider.
pub struct Oidc {
    store: Arc<dyn IdentityStore>,
    config: OidcConfig,
    keys: keys::KeyRing,
    accounts: claims::AccountCache,
}

impl Oidc {
    pub fn new(store: Arc<dyn IdentityStore>, config: OidcConfig) -> Self {
        // A retired key must outlive every token it signed.
        let longest = config.access_token_ttl.max(config.id_token_ttl);
        let config = OidcConfig {
            issuer: config.issuer.trim_end_matches('/').to_owned(),
            key_overlap: config.key_overlap.max(longest),
            ..config
        };
        Self {
            store,
            config,
            keys: keys::KeyRing::default(),
            accounts: claims::AccountCache::default(),
        }
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    pub fn issuer(&self) -> &str {
        &self.config.issuer
    }

    /// Appends one line to the audit log.
    #[allow(clippy::too_many_arguments)]
    async fn audit(
        &self,
        actor: Option<&AccountId>,
        action: &str,
        subject: Option<&str>,
        ctx: &RequestContext,
        outcome: Outcome,
        detail: String,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let ctx = ctx.bounded();
        let entry = AuditEntry {
            at: now,
            actor: actor.cloned(),
            action: action.to_owned(),
            subject: subject.map(str::to_owned),
            ip: ctx.ip,
            user_agent: ctx.user_agent,
            outcome,
            detail,
        };
        Ok(self.store.append_audit(&entry).await?)
    }
}

/// `count` random bytes, base64url without padding.
fn random_token(count: usize) -> String {
    let mut bytes = vec![0u8; count];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 hex digest: how secrets are stored.
fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// `now + d`, saturating instead of overflowing.
fn after(now: Timestamp, d: SignedDuration) -> Timestamp {
    now.checked_add(d).unwrap_or(Timestamp::MAX)
}

/// Space-separated scope string → list, in order, without duplicates.
fn parse_scopes(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.split(' ').filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_split_and_deduplicated() {
        assert_eq!(
            parse_scopes(" openid  email openid "),
            vec!["openid", "email"]
        );
        assert!(parse_scopes("").is_empty());
    }

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let (a, b) = (random_token(32), random_token(32));
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }

    #[test]
    fn issuer_loses_its_trailing_slash() {
        assert_eq!(
            OidcConfig::new("http://127.0.0.1:8080/").issuer,
            "http://127.0.0.1:8080"
        );
    }
}
