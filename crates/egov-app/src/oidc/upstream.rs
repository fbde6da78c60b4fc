//! Optional upstream login (đăng nhập qua nhà cung cấp định danh bên ngoài):
//! egov as a relying party of an external national identity provider; the
//! external identity is linked to the egov account by national ID number.
//!
//! Only the pure parts are here: the authorization URL (state, nonce, PKCE
//! S256), the checks of the callback, and linking. Fetching the discovery
//! document and exchanging the code over HTTP need an HTTP client, which this
//! crate does not have: the web layer or the binary implements
//! [`UpstreamClient`] (e.g. with `reqwest`) and must verify the upstream ID
//! token itself (signature with the provider's JWKS, `iss`, `aud`, `exp`, `nonce`).

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use egov_domain::identity::{Account, AccountKind, AccountStatus, NationalId};
use jiff::Timestamp;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::error::append_query;
use super::{random_token, Oidc, RequestContext};
use crate::ports::Outcome;
use crate::AppError;

/// The configured external provider.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamProvider {
    /// Its issuer URL; discovery is at `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Our callback, registered at the provider.
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    /// The claim carrying the national ID number (default `national_id`).
    pub national_id_claim: String,
}

impl std::fmt::Debug for UpstreamProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamProvider")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl UpstreamProvider {
    pub fn discovery_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        )
    }
}

/// The endpoints read from the provider's discovery document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub userinfo_endpoint: Option<String>,
}

impl UpstreamMetadata {
    /// Reads a discovery document; its `issuer` must be the configured one
    /// (OpenID Connect Discovery §4.3).
    pub fn from_discovery(provider: &UpstreamProvider, doc: &Value) -> Result<Self, AppError> {
        let text = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_owned);
        let need = |k: &str| {
            text(k).ok_or_else(|| AppError::Conflict(format!("the upstream discovery lacks `{k}`")))
        };
        let issuer = need("issuer")?;
        if issuer.trim_end_matches('/') != provider.issuer.trim_end_matches('/') {
            return Err(AppError::Conflict(
                "the upstream discovery names another issuer".into(),
            ));
        }
        Ok(Self {
            issuer,
            authorization_endpoint: need("authorization_endpoint")?,
            token_endpoint: need("token_endpoint")?,
            jwks_uri: need("jwks_uri")?,
            userinfo_endpoint: text("userinfo_endpoint"),
        })
    }
}

/// Where to send the browser, and what to keep (in a short-lived, HttpOnly
/// cookie) to check the callback.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamAuthorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
}

impl std::fmt::Debug for UpstreamAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamAuthorization")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Builds the authorization request to the provider (code flow, PKCE S256).
pub fn authorization_url(
    provider: &UpstreamProvider,
    metadata: &UpstreamMetadata,
) -> UpstreamAuthorization {
    let (state, nonce, code_verifier) = (random_token(32), random_token(32), random_token(32));
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(code_verifier.as_bytes()));
    let mut scopes = provider.scopes.clone();
    if !scopes.iter().any(|s| s == "openid") {
        scopes.insert(0, "openid".into());
    }
    let scope = scopes.join(" ");
    let url = append_query(
        &metadata.authorization_endpoint,
        &[
            ("response_type", "code"),
            ("client_id", &provider.client_id),
            ("redirect_uri", &provider.redirect_uri),
            ("scope", &scope),
            ("state", &state),
            ("nonce", &nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    UpstreamAuthorization {
        url,
        state,
        nonce,
        code_verifier,
    }
}

/// Whether the callback's `state` is the one we sent (constant time).
pub fn state_matches(expected: &str, received: &str) -> bool {
    bool::from(expected.as_bytes().ct_eq(received.as_bytes()))
}

/// The person the provider vouches for, after its ID token was verified.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamIdentity {
    pub issuer: String,
    pub subject: String,
    pub national_id: Option<String>,
}

impl std::fmt::Debug for UpstreamIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamIdentity")
            .field("issuer", &self.issuer)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl UpstreamIdentity {
    /// Reads `iss`, `sub` and the national ID claim from verified claims.
    pub fn from_claims(provider: &UpstreamProvider, claims: &Value) -> Result<Self, AppError> {
        let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_owned);
        let bad =
            || AppError::Unauthenticated("the identity provider's answer is incomplete".into());
        Ok(Self {
            issuer: text("iss").ok_or_else(bad)?,
            subject: text("sub").ok_or_else(bad)?,
            national_id: text(&provider.national_id_claim),
        })
    }
}

/// The HTTP side of upstream login, implemented outside this crate.
#[async_trait]
pub trait UpstreamClient: Send + Sync {
    /// Fetches and reads the provider's discovery document.
    async fn discover(&self, provider: &UpstreamProvider) -> Result<UpstreamMetadata, AppError>;
    /// Exchanges the code at the token endpoint (with the PKCE verifier and
    /// the client secret) and returns the identity from the ID token, after
    /// verifying its signature against the provider's JWKS, `iss`, `aud`,
    /// `exp` and that its `nonce` is `nonce`.
    async fn exchange_code(
        &self,
        provider: &UpstreamProvider,
        metadata: &UpstreamMetadata,
        code: &str,
        code_verifier: &str,
        nonce: &str,
    ) -> Result<UpstreamIdentity, AppError>;
}

impl Oidc {
    /// After an upstream login: the account already linked to this external
    /// identity, or else the citizen account with the national ID number the
    /// provider gave (whose login is that number), which is then linked.
    pub async fn link_or_find_account(
        &self,
        external_issuer: &str,
        subject: &str,
        national_id_claim: Option<&str>,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<Account, AppError> {
        let refused = |why: &str| AppError::Unauthenticated(why.to_owned());
        if let Some(id) = self
            .store
            .account_by_external_identity(external_issuer, subject)
            .await?
        {
            return match self.store.account(&id).await? {
                Some(a) if a.status == AccountStatus::Active => Ok(a),
                _ => Err(refused("this account is locked or no longer exists")),
            };
        }
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        let national_id = national_id_claim
            .and_then(|n| NationalId::parse(n, today).ok())
            .ok_or_else(|| refused("the identity provider gave no valid national ID number"))?;
        let found = self.store.account_by_login(national_id.as_str()).await?;
        let account = match found {
            Some((a, _))
                if a.kind == AccountKind::Citizen
                    && a.status == AccountStatus::Active
                    && a.national_id.as_ref() == Some(&national_id) =>
            {
                a
            }
            _ => {
                return Err(refused(
                    "no account has this national ID number; register first",
                ))
            }
        };
        self.store
            .link_external_identity(external_issuer, subject, &account.id)
            .await?;
        let detail = format!(
            "linked through {}",
            external_issuer.chars().take(200).collect::<String>()
        );
        self.audit(
            Some(&account.id),
            "external-identity.linked",
            Some(&account.id.0),
            ctx,
            Outcome::Success,
            detail,
            now,
        )
        .await?;
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> UpstreamProvider {
        UpstreamProvider {
            issuer: "https://vneid.example".into(),
            client_id: "egov".into(),
            client_secret: Some("s".into()),
            redirect_uri: "https://egov.example/upstream/callback".into(),
            scopes: vec!["profile".into()],
            national_id_claim: "national_id".into(),
        }
    }

    fn metadata() -> UpstreamMetadata {
        let doc = serde_json::json!({
            "issuer": "https://vneid.example",
            "authorization_endpoint": "https://vneid.example/authorize",
            "token_endpoint": "https://vneid.example/token",
            "jwks_uri": "https://vneid.example/jwks",
        });
        UpstreamMetadata::from_discovery(&provider(), &doc).unwrap()
    }

    #[test]
    fn the_authorization_url_carries_state_nonce_and_pkce() {
        let a = authorization_url(&provider(), &metadata());
        let url = url::Url::parse(&a.url).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["state"], a.state);
        assert_eq!(q["nonce"], a.nonce);
        assert_eq!(q["scope"], "openid profile");
        assert_eq!(q["code_challenge_method"], "S256");
        let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(a.code_verifier.as_bytes()));
        assert_eq!(q["code_challenge"], expected);
        assert!(state_matches(&a.state, &q["state"]));
        assert!(!state_matches(&a.state, "other"));
    }

    #[test]
    fn discovery_from_another_issuer_is_refused() {
        let doc = serde_json::json!({
            "issuer": "https://evil.example",
            "authorization_endpoint": "a", "token_endpoint": "t", "jwks_uri": "j",
        });
        assert!(UpstreamMetadata::from_discovery(&provider(), &doc).is_err());
        assert_eq!(metadata().token_endpoint, "https://vneid.example/token");
    }

    #[test]
    fn identities_read_the_configured_claim() {
        let claims = serde_json::json!({"iss": "https://vneid.example", "sub": "42", "national_id": "001203012345"});
        let id = UpstreamIdentity::from_claims(&provider(), &claims).unwrap();
        assert_eq!(id.subject, "42");
        assert_eq!(id.national_id.as_deref(), Some("001203012345"));
        assert!(
            UpstreamIdentity::from_claims(&provider(), &serde_json::json!({"sub": "1"})).is_err()
        );
    }
}
