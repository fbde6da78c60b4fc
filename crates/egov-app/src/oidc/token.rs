//! The token endpoint (RFC 6749 §3.2, §5; OIDC Core §3.1.3): client
//! authentication, dispatch to the grants (see `grants.rs`), and the issuing
//! of access, ID and refresh tokens. Every refusal is recorded in the audit log.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use egov_domain::identity::policy::scope;
use egov_domain::identity::{Account, AccountId, AccountStatus};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{json, Value};
use subtle::ConstantTimeEq as _;

use super::claims::{at_hash, person_claims, AccessClaims, ACCESS_TOKEN_TYP};
use super::{after, grant, random_token, sha256_hex, ErrorCode, OAuthError, Oidc, RequestContext};
use crate::ports::{ClientKind, OidcClient, Outcome, RefreshToken};

/// How a client identifies itself at the token and revocation endpoints:
/// `Authorization: Basic` (decoded with [`parse_basic_authorization`]) or
/// `client_id`/`client_secret` in the body (a public client: the id alone).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientAuth {
    /// `(client_id, client_secret)` from the `Authorization: Basic` header.
    pub basic: Option<(String, String)>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

impl ClientAuth {
    /// A public client: its id alone.
    pub fn public(client_id: &str) -> Self {
        Self {
            client_id: Some(client_id.to_owned()),
            ..Self::default()
        }
    }

    /// A confidential client with its secret in the body (`client_secret_post`).
    pub fn post(client_id: &str, secret: &str) -> Self {
        Self {
            client_id: Some(client_id.to_owned()),
            client_secret: Some(secret.to_owned()),
            ..Self::default()
        }
    }

    /// The client id it names, whether authenticated or not (for the audit log).
    pub fn named_client(&self) -> Option<&String> {
        self.basic
            .as_ref()
            .map(|b| &b.0)
            .or(self.client_id.as_ref())
    }
}

/// Never prints the secret.
impl std::fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAuth")
            .field("client_id", &self.named_client())
            .finish_non_exhaustive()
    }
}

/// A token request: the form fields and the client's credentials.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
    pub client: ClientAuth,
}

/// Never prints the code, verifier, refresh token or secret.
impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest")
            .field("grant_type", &self.grant_type)
            .field("client", &self.client)
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// The successful answer (RFC 6749 §5.1), serialised as the JSON body.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds.
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    pub scope: String,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "…"))
            .field("id_token", &self.id_token.as_ref().map(|_| "…"))
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Decodes an `Authorization: Basic …` header value into the client id and
/// secret (each form-url-decoded, RFC 6749 §2.3.1).
pub fn parse_basic_authorization(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

fn form_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// At most `max` characters of an untrusted string, for the audit log.
fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// What the tokens are issued for.
pub(super) struct Grant<'a> {
    pub client: &'a OidcClient,
    pub account: &'a Account,
    pub scopes: &'a [String],
    pub auth_time: Timestamp,
    pub nonce: Option<&'a str>,
    pub refresh_token: Option<String>,
    pub grant_type: &'static str,
}

impl Oidc {
    /// The token endpoint.
    pub async fn token(
        &self,
        request: TokenRequest,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<TokenResponse, OAuthError> {
        let result = self.token_inner(&request, ctx, now).await;
        if let Err(e) = &result {
            let client = request.client.named_client().map(|c| clip(c, 64));
            let detail = format!("{}: {}", e.error, e.description);
            let audit = self
                .audit(
                    None,
                    "token.failed",
                    client.as_deref(),
                    ctx,
                    Outcome::Failure,
                    detail,
                    now,
                )
                .await;
            if let Err(a) = audit {
                tracing::warn!(error = %a, "cannot record a token failure");
            }
        }
        result
    }

    async fn token_inner(
        &self,
        req: &TokenRequest,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<TokenResponse, OAuthError> {
        let grant_type = req
            .grant_type
            .as_deref()
            .ok_or_else(|| OAuthError::invalid_request("grant_type is missing"))?;
        let Some(&grant_type) = grant::ALL.iter().find(|g| **g == grant_type) else {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedGrantType,
                "unsupported grant_type",
            ));
        };
        let client = self.authenticate_client(&req.client).await?;
        if !client.grant_types.iter().any(|g| g == grant_type) {
            return Err(OAuthError::new(
                ErrorCode::UnauthorizedClient,
                "the client may not use this grant type",
            ));
        }
        match grant_type {
            grant::AUTHORIZATION_CODE => self.exchange_code(&client, req, ctx, now).await,
            grant::REFRESH_TOKEN => self.refresh(&client, req, ctx, now).await,
            _ => self.client_credentials(&client, req, ctx, now).await,
        }
    }

    /// Client authentication: a confidential client's secret (one method
    /// only: Basic or the body), compared in constant time on the digests; a
    /// public client gives its id and no secret.
    pub(super) async fn authenticate_client(
        &self,
        req: &ClientAuth,
    ) -> Result<OidcClient, OAuthError> {
        let failed = || OAuthError::invalid_client("client authentication failed");
        let (id, secret) = match (&req.basic, &req.client_id, &req.client_secret) {
            (Some(_), _, Some(_)) => {
                return Err(OAuthError::invalid_request(
                    "use only one client authentication method",
                ))
            }
            (Some((id, _)), Some(body_id), None) if body_id != id => {
                return Err(OAuthError::invalid_request(
                    "client_id differs from the authenticated client",
                ))
            }
            (Some((id, secret)), _, None) => (id, Some(secret.as_str())),
            (None, Some(id), secret) => (id, secret.as_deref()),
            (None, None, _) => return Err(failed()),
        };
        let secret = secret.filter(|s| !s.is_empty());
        let client = self.store.client(id).await?.ok_or_else(failed)?;
        match (client.kind, secret, client.secret_hash.as_deref()) {
            (ClientKind::Public, None, _) => Ok(client),
            (ClientKind::Confidential, Some(secret), Some(stored)) => {
                let given = sha256_hex(secret);
                if bool::from(given.as_bytes().ct_eq(stored.as_bytes())) {
                    Ok(client)
                } else {
                    Err(failed())
                }
            }
            _ => Err(failed()),
        }
    }

    /// An account tokens may still be issued for.
    pub(super) async fn grant_account(&self, id: &AccountId) -> Result<Account, OAuthError> {
        match self.store.account(id).await? {
            Some(a) if a.status == AccountStatus::Active => Ok(a),
            _ => Err(OAuthError::invalid_grant(
                "the account no longer exists or is locked",
            )),
        }
    }

    /// Stores a new refresh token of `family` and returns it.
    pub(super) async fn new_refresh_token(
        &self,
        client: &OidcClient,
        account: &AccountId,
        scopes: &[String],
        auth_time: Timestamp,
        family_id: String,
        now: Timestamp,
    ) -> Result<String, OAuthError> {
        let token = random_token(32);
        let record = RefreshToken {
            token_hash: sha256_hex(&token),
            family_id,
            client_id: client.client_id.clone(),
            account_id: account.clone(),
            scopes: scopes.to_vec(),
            auth_time,
            created_at: now,
            expires_at: after(now, self.config.refresh_ttl),
            revoked_at: None,
        };
        self.store.put_refresh_token(&record).await?;
        Ok(token)
    }

    /// Signs the access token and, with `openid`, the ID token; audits `token.issued`.
    pub(super) async fn issue_tokens(
        &self,
        g: Grant<'_>,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<TokenResponse, OAuthError> {
        let (issuer, client_id) = (&self.config.issuer, &g.client.client_id);
        let claims = AccessClaims {
            iss: issuer.clone(),
            sub: g.account.id.0.clone(),
            aud: client_id.clone(),
            exp: after(now, self.config.access_token_ttl).as_second(),
            iat: now.as_second(),
            jti: random_token(16),
            scope: g.scopes.join(" "),
            client_id: client_id.clone(),
            auth_time: Some(g.auth_time.as_second()),
            gty: None,
        };
        let access_token = self.sign(ACCESS_TOKEN_TYP, &claims, now).await?;
        let id_token = if g.scopes.iter().any(|s| s == scope::OPENID) {
            let mut id = person_claims(g.account, g.scopes);
            id.insert("iss".into(), json!(issuer));
            id.insert("sub".into(), json!(g.account.id.0));
            id.insert("aud".into(), json!(client_id));
            id.insert(
                "exp".into(),
                json!(after(now, self.config.id_token_ttl).as_second()),
            );
            id.insert("iat".into(), json!(now.as_second()));
            id.insert("auth_time".into(), json!(g.auth_time.as_second()));
            id.insert("at_hash".into(), json!(at_hash(&access_token)));
            if let Some(nonce) = g.nonce {
                id.insert("nonce".into(), json!(nonce));
            }
            Some(self.sign("JWT", &Value::Object(id), now).await?)
        } else {
            None
        };
        let detail = format!(
            "grant {}; scopes {}; refresh token {}",
            g.grant_type,
            claims.scope,
            if g.refresh_token.is_some() {
                "yes"
            } else {
                "no"
            }
        );
        self.audit(
            Some(&g.account.id),
            "token.issued",
            Some(client_id),
            ctx,
            Outcome::Success,
            detail,
            now,
        )
        .await?;
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: self.config.access_token_ttl.as_secs(),
            refresh_token: g.refresh_token,
            id_token,
            scope: claims.scope,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_decoded() {
        let header = format!("Basic {}", STANDARD.encode("my%2Dclient:s%3Acret+x"));
        assert_eq!(
            parse_basic_authorization(&header),
            Some(("my-client".into(), "s:cret x".into()))
        );
        assert_eq!(parse_basic_authorization("Bearer abc"), None);
        assert_eq!(parse_basic_authorization("Basic !!!"), None);
        let bad_escape = format!("Basic {}", STANDARD.encode("a:%zz"));
        assert_eq!(parse_basic_authorization(&bad_escape), None);
    }
}
