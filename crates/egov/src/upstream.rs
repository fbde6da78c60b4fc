//! The HTTP side of upstream login (đăng nhập qua nhà cung cấp định danh bên
//! ngoài): [`HttpUpstreamClient`] implements [`UpstreamClient`] with `reqwest`
//! (discovery, code exchange) and verifies the provider's ID token with
//! `jsonwebtoken` against its JWKS. Tokens never appear in errors or logs.

use std::time::Duration;

use async_trait::async_trait;
use egov_app::oidc::upstream::{UpstreamIdentity, UpstreamMetadata};
use egov_app::oidc::{UpstreamClient, UpstreamProvider};
use egov_app::AppError;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Longest wait for the provider.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Largest answer read from the provider, in bytes.
const MAX_BODY: usize = 512 * 1024;

/// Clock skew tolerated on `exp`, in seconds.
const LEEWAY_SECONDS: u64 = 60;

/// Talks to the provider over HTTP(S); follows no redirects.
#[derive(Debug, Clone)]
pub struct HttpUpstreamClient {
    http: reqwest::Client,
}

fn unavailable(what: &str) -> AppError {
    AppError::Conflict(format!("the identity provider failed: {what}"))
}

fn refused(what: &str) -> AppError {
    AppError::Unauthenticated(format!(
        "the identity provider's answer was refused: {what}"
    ))
}

impl HttpUpstreamClient {
    pub fn new() -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("egov/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http })
    }

    /// Sends `request` and reads a JSON answer (error details are dropped:
    /// they may echo what was sent).
    async fn json<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<T, AppError> {
        let mut response = request.send().await.map_err(|_| unavailable(what))?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|_| unavailable(what))? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_BODY {
                return Err(unavailable(what));
            }
        }
        if status.is_client_error() {
            return Err(refused(&format!("{what} answered {}", status.as_u16())));
        }
        if !status.is_success() {
            return Err(unavailable(&format!("{what} answered {}", status.as_u16())));
        }
        serde_json::from_slice(&body).map_err(|_| unavailable(what))
    }
}

#[async_trait]
impl UpstreamClient for HttpUpstreamClient {
    async fn discover(&self, provider: &UpstreamProvider) -> Result<UpstreamMetadata, AppError> {
        let doc: Value = self
            .json(self.http.get(provider.discovery_url()), "discovery")
            .await?;
        // The issuer must be exactly the configured one (Discovery §4.3).
        if doc.get("issuer").and_then(Value::as_str) != Some(provider.issuer.as_str()) {
            return Err(unavailable("the discovery document names another issuer"));
        }
        UpstreamMetadata::from_discovery(provider, &doc)
    }

    async fn exchange_code(
        &self,
        provider: &UpstreamProvider,
        metadata: &UpstreamMetadata,
        code: &str,
        code_verifier: &str,
        nonce: &str,
    ) -> Result<UpstreamIdentity, AppError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", provider.redirect_uri.as_str()),
            ("code_verifier", code_verifier),
            ("client_id", provider.client_id.as_str()),
        ];
        let mut request = self.http.post(&metadata.token_endpoint).form(&form);
        if let Some(secret) = &provider.client_secret {
            // client_secret_basic: each part form-url-encoded (RFC 6749 §2.3.1).
            request =
                request.basic_auth(form_encode(&provider.client_id), Some(form_encode(secret)));
        }
        let answer: Value = self.json(request, "token endpoint").await?;
        let id_token = answer
            .get("id_token")
            .and_then(Value::as_str)
            .ok_or_else(|| refused("no id_token"))?;
        let jwks: JwkSet = self.json(self.http.get(&metadata.jwks_uri), "JWKS").await?;
        let claims = verify_id_token(id_token, &jwks, provider, metadata, nonce)?;
        UpstreamIdentity::from_claims(provider, &claims)
    }
}

/// Verifies an ID token: ES256 or RS256 only, signed by a key of `jwks`
/// (by `kid`), `iss` the provider's, `aud` our client id, not expired, and
/// carrying our `nonce`.
pub fn verify_id_token(
    token: &str,
    jwks: &JwkSet,
    provider: &UpstreamProvider,
    metadata: &UpstreamMetadata,
    nonce: &str,
) -> Result<Value, AppError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| refused("malformed ID token"))?;
    if !matches!(header.alg, Algorithm::ES256 | Algorithm::RS256) {
        return Err(refused("ID token algorithm not allowed"));
    }
    let jwk = match &header.kid {
        Some(kid) => jwks.find(kid),
        None if jwks.keys.len() == 1 => jwks.keys.first(),
        None => None,
    }
    .ok_or_else(|| refused("ID token signed by an unknown key"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| refused("unusable provider key"))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[metadata.issuer.as_str()]);
    validation.set_audience(&[provider.client_id.as_str()]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = LEEWAY_SECONDS;
    let data = jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map_err(|_| refused("ID token not valid"))?;
    let claims = data.claims;
    let given = claims.get("nonce").and_then(Value::as_str).unwrap_or("");
    if !egov_app::oidc::upstream::state_matches(nonce, given) {
        return Err(refused("ID token nonce does not match"));
    }
    Ok(claims)
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'*') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_escapes_reserved_bytes() {
        assert_eq!(form_encode("a:b c/đ"), "a%3Ab%20c%2F%C4%91");
        assert_eq!(form_encode("Abc-1._*"), "Abc-1._*");
    }

    fn provider() -> UpstreamProvider {
        UpstreamProvider {
            issuer: "https://idp.example".into(),
            client_id: "egov".into(),
            client_secret: Some("s".into()),
            redirect_uri: "https://egov.example/dang-nhap/ben-ngoai/callback".into(),
            scopes: vec!["national_id".into()],
            national_id_claim: "national_id".into(),
        }
    }

    fn metadata() -> UpstreamMetadata {
        UpstreamMetadata {
            issuer: "https://idp.example".into(),
            authorization_endpoint: "https://idp.example/authorize".into(),
            token_endpoint: "https://idp.example/token".into(),
            jwks_uri: "https://idp.example/jwks".into(),
            userinfo_endpoint: None,
        }
    }

    #[test]
    fn hmac_and_unsigned_tokens_are_refused() {
        let claims = serde_json::json!({"iss": "https://idp.example", "aud": "egov", "sub": "1", "exp": 4_000_000_000u64, "nonce": "n"});
        let key = jsonwebtoken::EncodingKey::from_secret(b"shared");
        let hs = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap();
        let jwks = JwkSet { keys: vec![] };
        let err = verify_id_token(&hs, &jwks, &provider(), &metadata(), "n").unwrap_err();
        assert!(err.to_string().contains("algorithm"), "{err}");
        let err = verify_id_token("not.a.token", &jwks, &provider(), &metadata(), "n").unwrap_err();
        assert!(err.to_string().contains("malformed"), "{err}");
    }
}
