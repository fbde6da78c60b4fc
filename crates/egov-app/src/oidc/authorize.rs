//! The authorization endpoint's logic: checking the request (OIDC Core
//! §3.1.2.1–2, RFC 6749 §4.1.1, RFC 7636), the consent the person gave
//! (sự đồng ý), and issuing the single-use code.

use egov_domain::identity::policy::scope;
use egov_domain::identity::AccountId;
use jiff::Timestamp;

use super::clients::redirect_matches;
use super::error::append_query;
use super::{
    after, grant, parse_scopes, random_token, sha256_hex, AuthorizeError, ErrorCode, Oidc,
    RequestContext,
};
use crate::ports::{AuthorizationCode, ClientKind, Consent, OidcClient, Outcome};
use crate::AppError;

/// Longest `state` or `nonce` accepted.
const MAX_PARAM_LEN: usize = 1024;

/// The query parameters of an authorization request, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
}

/// The `prompt` parameter (OIDC Core §3.1.2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// Show nothing: answer `login_required` / `consent_required` if needed.
    pub none: bool,
    /// Ask the person to sign in again even with a session.
    pub login: bool,
    /// Ask for consent again even if it was given.
    pub consent: bool,
}

/// A checked authorization request: the web layer signs the person in, asks
/// for consent if needed, then calls [`Oidc::issue_code`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    pub client: OidcClient,
    /// Exactly as sent (a loopback one keeps its port).
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Prompt,
    issuer: String,
}

impl ValidRequest {
    /// An error to send back to the client (e.g. `access_denied` when the
    /// person refuses, `login_required` for `prompt=none`).
    pub fn error(&self, error: ErrorCode, description: &str) -> AuthorizeError {
        AuthorizeError::Redirect {
            redirect_uri: self.redirect_uri.clone(),
            error,
            description: description.to_owned(),
            state: self.state.clone(),
            issuer: self.issuer.clone(),
        }
    }
}

/// Whether `s` is a PKCE verifier or plain challenge: 43–128 unreserved characters.
pub(super) fn is_pkce_string(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn parse_prompt(value: Option<&str>) -> Result<Prompt, &'static str> {
    let mut p = Prompt::default();
    for v in value.unwrap_or("").split(' ').filter(|v| !v.is_empty()) {
        match v {
            "none" => p.none = true,
            "login" => p.login = true,
            "consent" => p.consent = true,
            _ => {}
        }
    }
    if p.none && (p.login || p.consent) {
        return Err("prompt=none cannot be combined with other values");
    }
    Ok(p)
}

/// Checks the requested scopes against what exists and what the client may ask.
fn check_scopes(
    scope_param: Option<&str>,
    client: &OidcClient,
) -> Result<Vec<String>, &'static str> {
    let scopes = parse_scopes(scope_param.unwrap_or(""));
    if !scopes.iter().any(|s| s == scope::OPENID) {
        return Err("the openid scope is required");
    }
    let allowed =
        |s: &String| scope::ALL.contains(&s.as_str()) && client.allowed_scopes.contains(s);
    if !scopes.iter().all(allowed) {
        return Err("a requested scope is unknown or not allowed for this client");
    }
    Ok(scopes)
}

/// PKCE (RFC 7636, Security BCP §2.1.1): S256 required for public clients.
fn check_pkce(
    challenge: Option<&str>,
    method: Option<&str>,
    kind: ClientKind,
) -> Result<Option<String>, &'static str> {
    let Some(challenge) = challenge else {
        if method.is_some() {
            return Err("code_challenge_method without code_challenge");
        }
        return match kind {
            ClientKind::Public => Err("PKCE with S256 is required for public clients"),
            ClientKind::Confidential => Ok(None),
        };
    };
    let method = method.unwrap_or("plain");
    match (method, kind) {
        ("S256", _) if challenge.len() == 43 && is_pkce_string(challenge) => {
            Ok(Some("S256".into()))
        }
        ("S256", _) => Err("code_challenge is not a BASE64URL SHA-256 digest"),
        ("plain", ClientKind::Public) => Err("public clients must use code_challenge_method=S256"),
        ("plain", ClientKind::Confidential) if is_pkce_string(challenge) => {
            Ok(Some("plain".into()))
        }
        ("plain", ClientKind::Confidential) => Err("code_challenge is malformed"),
        _ => Err("unsupported code_challenge_method"),
    }
}

impl Oidc {
    /// Checks an authorization request. Errors that cannot safely go back to
    /// the client (unknown client, redirect URI not registered) are
    /// [`AuthorizeError::NoRedirect`]; the others redirect with the `state`.
    pub async fn validate_authorization(
        &self,
        p: AuthorizationParams,
    ) -> Result<ValidRequest, AuthorizeError> {
        let no_redirect = |reason: &str| AuthorizeError::NoRedirect {
            reason: reason.to_owned(),
        };
        let client_id = p.client_id.as_deref().filter(|c| !c.is_empty());
        let client_id =
            client_id.ok_or_else(|| no_redirect("the client_id parameter is missing"))?;
        let client = match self.store.client(client_id).await? {
            Some(c) => c,
            None => return Err(no_redirect("unknown client")),
        };
        let redirect_uri = p
            .redirect_uri
            .ok_or_else(|| no_redirect("the redirect_uri parameter is missing"))?;
        if !client
            .redirect_uris
            .iter()
            .any(|r| redirect_matches(r, &redirect_uri))
        {
            return Err(no_redirect(
                "the redirect_uri is not registered for this client",
            ));
        }
        let state = p.state.filter(|s| s.len() <= MAX_PARAM_LEN);
        let mut request = ValidRequest {
            client,
            redirect_uri,
            scopes: Vec::new(),
            state,
            nonce: None,
            code_challenge: None,
            code_challenge_method: None,
            prompt: Prompt::default(),
            issuer: self.config.issuer.clone(),
        };
        let fail = |r: &ValidRequest, code, why: &str| Err(r.error(code, why));
        match p.response_type.as_deref() {
            None => {
                return fail(
                    &request,
                    ErrorCode::InvalidRequest,
                    "response_type is missing",
                )
            }
            Some("code") => {}
            Some(_) => {
                return fail(
                    &request,
                    ErrorCode::UnsupportedResponseType,
                    "only response_type=code is supported",
                )
            }
        }
        if !request
            .client
            .grant_types
            .iter()
            .any(|g| g == grant::AUTHORIZATION_CODE)
        {
            return fail(
                &request,
                ErrorCode::UnauthorizedClient,
                "the client may not use the code flow",
            );
        }
        if p.nonce.as_ref().is_some_and(|n| n.len() > MAX_PARAM_LEN) {
            return fail(&request, ErrorCode::InvalidRequest, "nonce is too long");
        }
        request.nonce = p.nonce;
        request.prompt = match parse_prompt(p.prompt.as_deref()) {
            Ok(prompt) => prompt,
            Err(why) => return fail(&request, ErrorCode::InvalidRequest, why),
        };
        request.scopes = match check_scopes(p.scope.as_deref(), &request.client) {
            Ok(s) => s,
            Err(why) => return fail(&request, ErrorCode::InvalidScope, why),
        };
        let method = p.code_challenge_method.as_deref();
        match check_pkce(p.code_challenge.as_deref(), method, request.client.kind) {
            Ok(m) => {
                request.code_challenge_method = m;
                request.code_challenge = p.code_challenge;
            }
            Err(why) => return fail(&request, ErrorCode::InvalidRequest, why),
        }
        Ok(request)
    }

    /// Whether the person must be asked: true unless a stored consent covers
    /// every requested scope.
    pub async fn needs_consent(
        &self,
        account: &AccountId,
        client_id: &str,
        scopes: &[String],
    ) -> Result<bool, AppError> {
        let stored = self.store.consent(account, client_id).await?;
        Ok(!stored.is_some_and(|c| scopes.iter().all(|s| c.scopes.contains(s))))
    }

    /// Records that the person granted `scopes` to the client (added to what
    /// was granted before), and audits `consent.granted`.
    pub async fn grant_consent(
        &self,
        account: &AccountId,
        client_id: &str,
        scopes: &[String],
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let mut granted = match self.store.consent(account, client_id).await? {
            Some(c) => c.scopes,
            None => Vec::new(),
        };
        for s in scopes {
            if !granted.contains(s) {
                granted.push(s.clone());
            }
        }
        let consent = Consent {
            account_id: account.clone(),
            client_id: client_id.to_owned(),
            scopes: granted,
            granted_at: now,
        };
        self.store.put_consent(&consent).await?;
        let detail = format!("scopes {}", scopes.join(" "));
        self.audit(
            Some(account),
            "consent.granted",
            Some(client_id),
            ctx,
            Outcome::Success,
            detail,
            now,
        )
        .await
    }

    /// Issues the authorization code (32 random bytes, base64url; stored as
    /// its SHA-256 digest; valid [`super::OidcConfig::code_ttl`]).
    pub async fn issue_code(
        &self,
        request: &ValidRequest,
        account: &AccountId,
        auth_time: Timestamp,
        now: Timestamp,
    ) -> Result<String, AppError> {
        let code = random_token(32);
        let record = AuthorizationCode {
            code_hash: sha256_hex(&code),
            client_id: request.client.client_id.clone(),
            account_id: account.clone(),
            redirect_uri: request.redirect_uri.clone(),
            scopes: request.scopes.clone(),
            nonce: request.nonce.clone(),
            code_challenge: request.code_challenge.clone(),
            code_challenge_method: request.code_challenge_method.clone(),
            auth_time,
            created_at: now,
            expires_at: after(now, self.config.code_ttl),
        };
        self.store.put_authorization_code(&record).await?;
        Ok(code)
    }

    /// The URL to send the browser back to: `code`, `state` and `iss` (RFC 9207).
    pub fn redirect_with_code(&self, request: &ValidRequest, code: &str) -> String {
        let mut pairs = vec![("code", code)];
        if let Some(state) = &request.state {
            pairs.push(("state", state));
        }
        pairs.push(("iss", &self.config.issuer));
        append_query(&request.redirect_uri, &pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S256: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn pkce_rules_depend_on_the_client_kind() {
        use ClientKind::*;
        assert_eq!(
            check_pkce(Some(S256), Some("S256"), Public),
            Ok(Some("S256".into()))
        );
        assert!(check_pkce(None, None, Public).is_err());
        assert!(check_pkce(Some(S256), Some("plain"), Public).is_err());
        assert!(check_pkce(Some(S256), None, Public).is_err());
        assert_eq!(check_pkce(None, None, Confidential), Ok(None));
        assert_eq!(
            check_pkce(Some(S256), None, Confidential),
            Ok(Some("plain".into()))
        );
        assert!(check_pkce(Some("short"), Some("S256"), Confidential).is_err());
        assert!(check_pkce(Some(S256), Some("S512"), Confidential).is_err());
        assert!(check_pkce(None, Some("S256"), Confidential).is_err());
    }

    #[test]
    fn prompt_none_stands_alone() {
        assert_eq!(
            parse_prompt(Some("login consent")).map(|p| (p.login, p.consent)),
            Ok((true, true))
        );
        assert!(parse_prompt(Some("none login")).is_err());
        assert_eq!(parse_prompt(None), Ok(Prompt::default()));
    }

    #[test]
    fn pkce_strings_use_the_unreserved_set() {
        assert!(is_pkce_string(S256));
        assert!(!is_pkce_string(&"a".repeat(42)));
        assert!(is_pkce_string(&"a~.-_".repeat(20)));
        assert!(!is_pkce_string(&"a".repeat(129)));
        assert!(!is_pkce_string(&format!("{}+", "a".repeat(50))));
    }
}
