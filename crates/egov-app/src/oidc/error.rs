//! The standard OAuth 2.0 error answers (RFC 6749 §4.1.2.1 and §5.2, RFC 6750
//! §3.1, OIDC Core §3.1.2.6).

use serde::Serialize;

use crate::ports::StoreError;
use crate::AppError;

/// An OAuth 2.0 / OpenID Connect error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    /// RFC 6750: the bearer token is malformed, expired, revoked or forged.
    InvalidToken,
    /// RFC 6750: the token lacks a scope the resource needs.
    InsufficientScope,
    /// `prompt=none` but the person must sign in.
    LoginRequired,
    /// `prompt=none` but the person must consent.
    ConsentRequired,
    InteractionRequired,
    ServerError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::InteractionRequired => "interaction_required",
            ErrorCode::ServerError => "server_error",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error of the token, userinfo or bearer-token checks: the JSON body
/// `{"error", "error_description"}` with its HTTP status. A 401 from the
/// token endpoint carries `WWW-Authenticate: Basic`; from a resource,
/// `WWW-Authenticate: Bearer error="…"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {description}")]
pub struct OAuthError {
    pub error: ErrorCode,
    pub description: String,
    /// 400, 401, 403 or 500.
    pub status: u16,
}

impl OAuthError {
    pub fn new(error: ErrorCode, description: impl Into<String>) -> Self {
        let status = match error {
            ErrorCode::InvalidClient | ErrorCode::InvalidToken => 401,
            ErrorCode::InsufficientScope => 403,
            ErrorCode::ServerError => 500,
            _ => 400,
        };
        Self {
            error,
            description: description.into(),
            status,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidGrant, description)
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidClient, description)
    }

    pub fn invalid_token(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidToken, description)
    }

    /// The response body.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "error": self.error.as_str(), "error_description": self.description })
    }
}

impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "oidc storage failure");
        Self::new(
            ErrorCode::ServerError,
            "the server could not complete the request",
        )
    }
}

impl From<AppError> for OAuthError {
    fn from(e: AppError) -> Self {
        tracing::error!(error = %e, "oidc failure");
        Self::new(
            ErrorCode::ServerError,
            "the server could not complete the request",
        )
    }
}

/// A refused authorization request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizeError {
    /// The client or its redirect URI cannot be trusted (unknown client,
    /// redirect URI not registered exactly): show an error page, never redirect.
    #[error("{reason}")]
    NoRedirect { reason: String },
    /// A well-identified client sent a bad request: send the error back to its
    /// redirect URI (see [`AuthorizeError::redirect_url`]).
    #[error("{error}: {description}")]
    Redirect {
        redirect_uri: String,
        error: ErrorCode,
        description: String,
        state: Option<String>,
        /// The issuer, sent as `iss` (RFC 9207).
        issuer: String,
    },
    /// Storage failed: show an error page.
    #[error("storage failed: {0}")]
    Storage(String),
}

impl AuthorizeError {
    /// Where to send the browser, for [`AuthorizeError::Redirect`].
    pub fn redirect_url(&self) -> Option<String> {
        match self {
            AuthorizeError::Redirect {
                redirect_uri,
                error,
                description,
                state,
                issuer,
            } => {
                let mut pairs = vec![
                    ("error", error.as_str()),
                    ("error_description", description.as_str()),
                ];
                if let Some(state) = state {
                    pairs.push(("state", state));
                }
                pairs.push(("iss", issuer));
                Some(append_query(redirect_uri, &pairs))
            }
            _ => None,
        }
    }
}

impl From<StoreError> for AuthorizeError {
    fn from(e: StoreError) -> Self {
        AuthorizeError::Storage(e.to_string())
    }
}

/// A refused logout request: show a page, never redirect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoutError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("storage failed: {0}")]
    Storage(String),
}

impl From<StoreError> for LogoutError {
    fn from(e: StoreError) -> Self {
        LogoutError::Storage(e.to_string())
    }
}

/// Adds form-encoded query parameters to a URI that may already have a query.
pub(super) fn append_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    let query = query.finish();
    let (base, fragment) = match uri.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (uri, None),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{sep}{query}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_rfcs() {
        assert_eq!(OAuthError::invalid_client("x").status, 401);
        assert_eq!(OAuthError::invalid_token("x").status, 401);
        assert_eq!(OAuthError::invalid_grant("x").status, 400);
        assert_eq!(
            OAuthError::new(ErrorCode::InsufficientScope, "x").status,
            403
        );
    }

    #[test]
    fn queries_are_appended_and_encoded() {
        assert_eq!(
            append_query("https://a.example/cb", &[("code", "a b"), ("state", "x&y")]),
            "https://a.example/cb?code=a+b&state=x%26y"
        );
        assert_eq!(
            append_query("https://a.example/cb?k=1", &[("c", "d")]),
            "https://a.example/cb?k=1&c=d"
        );
    }

    #[test]
    fn redirect_errors_carry_state_and_issuer() {
        let e = AuthorizeError::Redirect {
            redirect_uri: "https://rp.example/cb".into(),
            error: ErrorCode::InvalidScope,
            description: "bad".into(),
            state: Some("s1".into()),
            issuer: "https://id.example".into(),
        };
        assert_eq!(
            e.redirect_url().as_deref(),
            Some("https://rp.example/cb?error=invalid_scope&error_description=bad&state=s1&iss=https%3A%2F%2Fid.example")
        );
        assert_eq!(
            AuthorizeError::NoRedirect { reason: "x".into() }.redirect_url(),
            None
        );
    }
}
