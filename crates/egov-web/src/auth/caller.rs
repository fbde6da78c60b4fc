//! Who is calling, resolved once per request into an [`Actor`]:
//!
//! * on the JSON API, `Authorization: Bearer …` — the deployment's admin token
//!   (the operator, [`Actor::System`]) or an access token (a JWT) issued by the
//!   OpenID Connect provider (the person, limited to the token's scopes);
//! * else the session cookie, validated by the identity service (idle and
//!   absolute timeouts). On the API the cookie counts only with an
//!   `X-Requested-With` header, which no other site can send without a CORS
//!   preflight this server never grants: cookies cannot be used cross-site on
//!   the API.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use egov_app::ports::Session;
use egov_app::AppError;
use egov_domain::identity::{Account, AccountId, Actor};
use jiff::Timestamp;

use super::{constant_time_eq, cookies};
use crate::middleware::is_api;
use crate::problem::Problem;
use crate::state::AppState;

/// The header that lets a session cookie authenticate a JSON API call.
pub const X_REQUESTED_WITH: HeaderName = HeaderName::from_static("x-requested-with");

/// The realm named in `WWW-Authenticate` challenges.
const REALM: &str = "egov";

/// A live web session and what the pages need of it.
#[derive(Clone)]
pub struct SignedSession {
    /// The cookie's token (needed to sign out or rotate the session). Secret.
    pub token: String,
    pub account: Account,
    pub session: Session,
    /// The CSRF token of this session's forms.
    pub csrf: String,
}

impl std::fmt::Debug for SignedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedSession")
            .field("account", &self.account.id)
            .finish_non_exhaustive()
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Nobody,
    Session,
    /// An access token from the OpenID Connect provider.
    Bearer,
    /// The deployment's admin token.
    AdminToken,
}

/// The resolved caller of one request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub via: Via,
    /// The web session, when the caller came with the cookie.
    pub session: Option<Arc<SignedSession>>,
    /// A session cookie was sent that names no live session (pages delete it).
    pub stale_cookie: bool,
    /// An API call sent the session cookie without `X-Requested-With`; it was ignored.
    pub cookie_ignored: bool,
}

impl Caller {
    pub fn anonymous() -> Self {
        Self {
            actor: Actor::Anonymous,
            via: Via::Nobody,
            session: None,
            stale_cookie: false,
            cookie_ignored: false,
        }
    }

    /// The acting person's account id.
    pub fn account_id(&self) -> Option<&AccountId> {
        match &self.actor {
            Actor::Person { id, .. } => Some(id),
            Actor::Anonymous | Actor::System => None,
        }
    }

    /// The acting person's account id, or a 401 problem saying how to sign in.
    pub fn person(&self) -> Result<&AccountId, Problem> {
        if let Some(id) = self.account_id() {
            return Ok(id);
        }
        let detail = if self.cookie_ignored {
            "send `X-Requested-With` with API calls authenticated by the session cookie"
        } else if self.via == Via::Bearer {
            "this access token acts for no person (a client's own token)"
        } else if self.via == Via::AdminToken {
            "the admin token acts for no person; use an access token or a session"
        } else {
            "sign in first: send `Authorization: Bearer <access token>`"
        };
        Err(Problem::from(AppError::Unauthenticated(detail.into())))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let caller = resolve(parts, state).await?;
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

async fn resolve(parts: &Parts, state: &AppState) -> Result<Caller, Response> {
    let api = is_api(parts.uri.path());
    if api {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            return from_authorization(value, state).await;
        }
    }
    let name = cookies::session_cookie_name(state.config.secure_cookies);
    let Some(token) = cookies::read(&parts.headers, name) else {
        return Ok(Caller::anonymous());
    };
    if api && !has_requested_with(&parts.headers) {
        return Ok(Caller {
            cookie_ignored: true,
            ..Caller::anonymous()
        });
    }
    from_session(token, state).await
}

fn has_requested_with(headers: &HeaderMap) -> bool {
    headers
        .get(&X_REQUESTED_WITH)
        .is_some_and(|v| !v.as_bytes().is_empty())
}

/// The person a session cookie stands for, or an anonymous caller whose
/// stale cookie the page deletes.
pub async fn from_session(token: String, state: &AppState) -> Result<Caller, Response> {
    let now = Timestamp::now();
    let (account, session) = match state.accounts.authenticate_session(&token, now).await {
        Ok(found) => found,
        Err(AppError::Unauthenticated(_)) => {
            return Ok(Caller {
                stale_cookie: true,
                ..Caller::anonymous()
            })
        }
        Err(e) => return Err(server_fault(&e)),
    };
    let actor = state
        .accounts
        .actor_for_session(&account, &session)
        .await
        .map_err(|e| server_fault(&e))?;
    let csrf = state.accounts.csrf_token(&session);
    Ok(Caller {
        actor,
        via: Via::Session,
        session: Some(Arc::new(SignedSession {
            token,
            account,
            session,
            csrf,
        })),
        stale_cookie: false,
        cookie_ignored: false,
    })
}

async fn from_authorization(value: &HeaderValue, state: &AppState) -> Result<Caller, Response> {
    let Some(token) = value.to_str().ok().and_then(bearer_token) else {
        return Err(unauthorized(None));
    };
    let admin = state
        .config
        .admin_token
        .as_deref()
        .filter(|t| !t.is_empty());
    if admin.is_some_and(|expected| constant_time_eq(token.as_bytes(), expected.as_bytes())) {
        return Ok(Caller {
            actor: Actor::System,
            via: Via::AdminToken,
            ..Caller::anonymous()
        });
    }
    if !looks_like_jwt(token) {
        return Err(unauthorized(Some("the bearer token is not valid")));
    }
    let now = Timestamp::now();
    let claims = match state.oidc.verify_access_token(token, now).await {
        Ok(claims) => claims,
        Err(e) if e.status == 401 => return Err(unauthorized(Some(&e.description))),
        Err(e) => return Err(server_fault(&e)),
    };
    let actor = match state.oidc.actor_for_token(&claims).await {
        Ok(actor) => actor,
        Err(e) if e.status == 401 => return Err(unauthorized(Some(&e.description))),
        Err(e) => return Err(server_fault(&e)),
    };
    Ok(Caller {
        actor,
        via: Via::Bearer,
        ..Caller::anonymous()
    })
}

/// The token of an `Authorization: Bearer …` value.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Three base64url segments: a compact JWS. The admin token never is one
/// (it is compared first anyway), so the two cannot be confused.
pub fn looks_like_jwt(token: &str) -> bool {
    let segments: Vec<&str> = token.split('.').collect();
    segments.len() == 3
        && segments.iter().take(2).all(|s| !s.is_empty())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// 401 with `WWW-Authenticate: Bearer` (and `error="invalid_token"` when a
/// token was sent but refused, RFC 6750 §3).
pub fn unauthorized(invalid: Option<&str>) -> Response {
    let (detail, challenge) = match invalid {
        Some(description) => (
            format!("the access token was refused: {description}"),
            format!(
                "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{}\"",
                header_safe(description)
            ),
        ),
        None => (
            "send `Authorization: Bearer <access token>`".to_owned(),
            format!("Bearer realm=\"{REALM}\""),
        ),
    };
    let mut response = Problem::from(AppError::Unauthenticated(detail)).into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// Text fit for a quoted header parameter: printable ASCII without quotes.
pub fn header_safe(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control() && *c != '"' && *c != '\\')
        .take(200)
        .collect()
}

/// A bare 500 (the problem middleware gives it the right body), logged once.
fn server_fault(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "cannot resolve the caller");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_from_the_header() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer"), None);
    }

    #[test]
    fn jwts_are_told_from_opaque_tokens() {
        assert!(looks_like_jwt("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"));
        assert!(!looks_like_jwt("test-admin-token-0123456789"));
        assert!(!looks_like_jwt("a.b"));
        assert!(!looks_like_jwt("a.b.c.d"));
        assert!(!looks_like_jwt("a b.c.d"));
        assert!(!looks_like_jwt("..sig"));
    }

    #[test]
    fn refused_tokens_get_an_invalid_token_challenge() {
        let response = unauthorized(Some("the token has \"expired\""));
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let challenge = response.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        assert!(challenge.contains("the token has expired"), "{challenge}");
        let response = unauthorized(None);
        let challenge = response.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap();
        assert_eq!(challenge, "Bearer realm=\"egov\"");
    }

    #[test]
    fn anonymous_callers_are_told_how_to_sign_in() {
        let ignored = Caller {
            cookie_ignored: true,
            ..Caller::anonymous()
        };
        assert!(ignored
            .person()
            .unwrap_err()
            .detail
            .contains("X-Requested-With"));
        assert_eq!(Caller::anonymous().person().unwrap_err().status, 401);
    }
}
