//! Client registration (đăng ký ứng dụng): relying parties are registered by a
//! system administrator; the demo client is seeded in demo mode.

use egov_domain::identity::policy::scope;
use egov_domain::identity::{authorize, Action, Actor};
use egov_domain::InvalidField;
use jiff::Timestamp;
use url::{Host, Url};

use super::{grant, random_token, sha256_hex, Oidc, RequestContext};
use crate::ports::{ClientKind, OidcClient, Outcome};
use crate::AppError;

/// The public client seeded by `--demo`.
pub const DEMO_CLIENT_ID: &str = "egov-demo";

/// What a system administrator fills in to register a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterClient {
    /// Chosen id (letters, digits, `.`, `_`, `-`; 3–64); random when absent.
    pub client_id: Option<String>,
    pub name: String,
    pub kind: ClientKind,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub allowed_scopes: Vec<String>,
    pub grant_types: Vec<String>,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> AppError {
    AppError::Invalid(InvalidField::new(field, reason))
}

fn is_loopback_ip(host: Option<Host<&str>>) -> bool {
    match host {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    }
}

/// A redirect URI may be registered if it is absolute, has no fragment and no
/// credentials, and uses https — or http on a loopback host (RFC 8252 §7.3).
pub(super) fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let url = Url::parse(uri).map_err(|_| format!("`{uri}` is not an absolute URI"))?;
    if url.fragment().is_some() || uri.contains('#') {
        return Err(format!("`{uri}` must not have a fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("`{uri}` must not carry credentials"));
    }
    let loopback = is_loopback_ip(url.host()) || url.host_str() == Some("localhost");
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(format!(
            "`{uri}` must use https (http only on 127.0.0.1, [::1] or localhost)"
        )),
    }
}

/// Whether a requested redirect URI matches a registered one: exactly, or —
/// for a registered `http` loopback IP literal — with any port (RFC 8252 §7.3).
pub(super) fn redirect_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Ok(reg), Ok(req)) = (Url::parse(registered), Url::parse(requested)) else {
        return false;
    };
    reg.scheme() == "http"
        && req.scheme() == "http"
        && is_loopback_ip(reg.host())
        && reg.host() == req.host()
        && reg.path() == req.path()
        && reg.query() == req.query()
        && req.fragment().is_none()
        && req.username().is_empty()
        && req.password().is_none()
}

fn check_client_id(id: &str) -> Result<(), AppError> {
    let ok = (3..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "client_id",
            "use 3 to 64 letters, digits, `.`, `_` or `-`",
        ))
    }
}

fn check_registration(r: &RegisterClient) -> Result<(), AppError> {
    if r.name.trim().is_empty() {
        return Err(invalid("name", "is required"));
    }
    if let Some(s) = r
        .allowed_scopes
        .iter()
        .find(|s| !scope::ALL.contains(&s.as_str()))
    {
        return Err(invalid("allowed_scopes", format!("`{s}` is not a scope")));
    }
    if r.grant_types.is_empty() {
        return Err(invalid("grant_types", "at least one is required"));
    }
    if let Some(g) = r
        .grant_types
        .iter()
        .find(|g| !grant::ALL.contains(&g.as_str()))
    {
        return Err(invalid("grant_types", format!("`{g}` is not supported")));
    }
    let has = |g: &str| r.grant_types.iter().any(|x| x == g);
    if r.kind == ClientKind::Public && has(grant::CLIENT_CREDENTIALS) {
        return Err(invalid(
            "grant_types",
            "a public client cannot use client_credentials",
        ));
    }
    if has(grant::REFRESH_TOKEN) && !has(grant::AUTHORIZATION_CODE) {
        return Err(invalid(
            "grant_types",
            "refresh_token needs authorization_code",
        ));
    }
    if has(grant::AUTHORIZATION_CODE) && r.redirect_uris.is_empty() {
        return Err(invalid(
            "redirect_uris",
            "authorization_code needs a redirect URI",
        ));
    }
    for uri in &r.redirect_uris {
        check_redirect_uri(uri).map_err(|e| invalid("redirect_uris", e))?;
    }
    for uri in &r.post_logout_redirect_uris {
        check_redirect_uri(uri).map_err(|e| invalid("post_logout_redirect_uris", e))?;
    }
    Ok(())
}

fn actor_id(actor: &Actor) -> Option<&egov_domain::identity::AccountId> {
    match actor {
        Actor::Person { id, .. } => Some(id),
        _ => None,
    }
}

impl Oidc {
    /// Registers a client. Returns it with, for a confidential client, its
    /// secret: shown this once, stored only as a SHA-256 digest.
    pub async fn register_client(
        &self,
        actor: &Actor,
        request: RegisterClient,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<(OidcClient, Option<String>), AppError> {
        authorize(actor, &Action::ManageClients)?;
        check_registration(&request)?;
        let client_id = match request.client_id {
            Some(id) => {
                check_client_id(&id)?;
                if self.store.client(&id).await?.is_some() {
                    return Err(AppError::Conflict(format!("client `{id}` already exists")));
                }
                id
            }
            None => random_token(12),
        };
        let secret = (request.kind == ClientKind::Confidential).then(|| random_token(32));
        let client = OidcClient {
            client_id,
            name: request.name.trim().to_owned(),
            kind: request.kind,
            secret_hash: secret.as_deref().map(sha256_hex),
            redirect_uris: request.redirect_uris,
            post_logout_redirect_uris: request.post_logout_redirect_uris,
            allowed_scopes: request.allowed_scopes,
            grant_types: request.grant_types,
            created_at: now,
        };
        self.store.put_client(&client).await?;
        let detail = format!(
            "kind {:?}, grants {}",
            client.kind,
            client.grant_types.join(" ")
        );
        self.audit(
            actor_id(actor),
            "client.registered",
            Some(&client.client_id),
            ctx,
            Outcome::Success,
            detail,
            now,
        )
        .await?;
        Ok((client, secret))
    }

    /// Every registered client (system administrators only).
    pub async fn clients(&self, actor: &Actor) -> Result<Vec<OidcClient>, AppError> {
        authorize(actor, &Action::ManageClients)?;
        Ok(self.store.clients().await?)
    }

    /// Demo mode: the public client `egov-demo` with the loopback redirect URI
    /// `http://127.0.0.1/callback` (any port, RFC 8252). Kept if it exists.
    pub async fn ensure_demo_client(&self, now: Timestamp) -> Result<OidcClient, AppError> {
        if let Some(existing) = self.store.client(DEMO_CLIENT_ID).await? {
            return Ok(existing);
        }
        let to_strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let client = OidcClient {
            client_id: DEMO_CLIENT_ID.to_owned(),
            name: "egov demo (native app)".to_owned(),
            kind: ClientKind::Public,
            secret_hash: None,
            redirect_uris: to_strings(&["http://127.0.0.1/callback", "http://[::1]/callback"]),
            post_logout_redirect_uris: to_strings(&[
                "http://127.0.0.1/logged-out",
                "http://[::1]/logged-out",
            ]),
            allowed_scopes: to_strings(&[
                scope::OPENID,
                scope::PROFILE,
                scope::EMAIL,
                scope::PHONE,
                scope::NATIONAL_ID,
                scope::ORGANISATION,
            ]),
            grant_types: to_strings(&[grant::AUTHORIZATION_CODE, grant::REFRESH_TOKEN]),
            created_at: now,
        };
        self.store.put_client(&client).await?;
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_must_be_https_or_loopback_http() {
        assert!(check_redirect_uri("https://rp.example/cb").is_ok());
        assert!(check_redirect_uri("http://127.0.0.1/callback").is_ok());
        assert!(check_redirect_uri("http://[::1]:8080/callback").is_ok());
        assert!(check_redirect_uri("http://localhost:3000/cb").is_ok());
        assert!(check_redirect_uri("http://rp.example/cb").is_err());
        assert!(check_redirect_uri("https://rp.example/cb#frag").is_err());
        assert!(check_redirect_uri("/relative").is_err());
        assert!(check_redirect_uri("https://user:pw@rp.example/cb").is_err());
        assert!(check_redirect_uri("javascript:alert(1)").is_err());
    }

    #[test]
    fn loopback_ip_redirects_match_any_port_others_exactly() {
        assert!(redirect_matches(
            "http://127.0.0.1/callback",
            "http://127.0.0.1:51234/callback"
        ));
        assert!(redirect_matches(
            "http://[::1]/callback",
            "http://[::1]:80/callback"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1/callback",
            "http://127.0.0.1:5/other"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1/callback",
            "http://127.0.0.2:5/callback"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1/callback",
            "http://127.0.0.1:5/callback?x=1"
        ));
        assert!(!redirect_matches(
            "http://localhost/cb",
            "http://localhost:5/cb"
        ));
        assert!(!redirect_matches(
            "https://rp.example/cb",
            "https://rp.example:444/cb"
        ));
        assert!(!redirect_matches(
            "https://rp.example/cb",
            "https://rp.example/cb/"
        ));
        assert!(redirect_matches(
            "https://rp.example/cb",
            "https://rp.example/cb"
        ));
    }

    #[test]
    fn client_ids_are_restricted() {
        assert!(check_client_id("egov-demo").is_ok());
        assert!(check_client_id("a b").is_err());
        assert!(check_client_id("ab").is_err());
    }
}
