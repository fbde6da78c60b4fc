//! Form bodies (`application/x-www-form-urlencoded`) and their CSRF tokens.
//!
//! Every form of the pages carries a hidden `csrf` field. Forms of a signed-in
//! person carry the session's token (derived from the session's secret by the
//! identity service); signed-out forms (sign-in, registration, password
//! reset) carry a pre-session token that must equal the `egov_csrf` cookie
//! (double submit; the cookie is HttpOnly, SameSite=Strict and, with secure
//! cookies, `__Host-` prefixed so no other site or sub-domain can set it).

use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::caller::SignedSession;
use super::{constant_time_eq, cookies};
use crate::extract::RawBody;

/// The name of the hidden field.
pub const CSRF_FIELD: &str = "csrf";

/// A form body as name/value pairs, in order.
#[derive(Debug, Clone, Default)]
pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        Self {
            pairs: url::form_urlencoded::parse(body).into_owned().collect(),
        }
    }

    /// The first value of `name`, as sent (passwords are not trimmed).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.raw(name).unwrap_or("").trim().to_owned()
    }

    /// The trimmed value, `None` when absent or empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.is_empty())
    }

    /// Every value of `name` (checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first name that appears more than once, if any.
    pub fn repeated(&self) -> Option<&str> {
        self.pairs
            .iter()
            .enumerate()
            .find(|(i, (name, _))| self.pairs[..*i].iter().any(|(n, _)| n == name))
            .map(|(_, (name, _))| name.as_str())
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;

    /// 415 without the form content type; 400 or 413 for an unreadable body
    /// (bare statuses: the edge gives them an HTML or JSON body by path).
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        if !is_form(req.headers()) {
            return Err(StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response());
        }
        match RawBody::from_request(req, state).await {
            Ok(RawBody(bytes)) => Ok(FormData::parse(&bytes)),
            Err(problem) => Err(problem.status().into_response()),
        }
    }
}

/// Whether the request says its body is a URL-encoded form.
pub fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Whether the form carries the session's CSRF token.
pub fn session_csrf_ok(session: &SignedSession, form: &FormData) -> bool {
    let given = form.raw(CSRF_FIELD).unwrap_or("");
    egov_app::identity::check_csrf(&session.session, given).is_ok()
}

/// Whether a signed-out form's token equals the pre-session cookie.
pub fn pre_session_csrf_ok(headers: &HeaderMap, form: &FormData, secure: bool) -> bool {
    let Some(cookie) = cookies::read(headers, cookies::csrf_cookie_name(secure)) else {
        return false;
    };
    let given = form.raw(CSRF_FIELD).unwrap_or("");
    is_token(&cookie) && constant_time_eq(given.as_bytes(), cookie.as_bytes())
}

/// The pre-session token a signed-out form carries, and the cookie to set
/// when the browser has none yet.
#[derive(Clone)]
pub struct PreSessionToken {
    pub token: String,
    pub set_cookie: Option<HeaderValue>,
}

impl std::fmt::Debug for PreSessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreSessionToken").finish_non_exhaustive()
    }
}

impl PreSessionToken {
    /// The browser's token, or a fresh one.
    pub fn for_request(headers: &HeaderMap, secure: bool) -> Self {
        let name = cookies::csrf_cookie_name(secure);
        match cookies::read(headers, name).filter(|t| is_token(t)) {
            Some(token) => Self {
                token,
                set_cookie: None,
            },
            None => {
                let token = egov_app::identity::new_token();
                let set_cookie = cookies::set(name, &token, secure, cookies::SameSite::Strict);
                Self { token, set_cookie }
            }
        }
    }

    /// Adds the cookie to a response, if a new token was made; the page
    /// carries the token, so it is not stored by caches.
    pub fn apply(&self, mut response: Response) -> Response {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(cookie) = &self.set_cookie {
            response
                .headers_mut()
                .append(header::SET_COOKIE, cookie.clone());
        }
        response
    }
}

/// 43 base64url characters: what [`egov_app::identity::new_token`] makes.
fn is_token(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_decoded_in_order() {
        let form = FormData::parse(b"login=+001+&password=a+b%26c&role=x&role=y&empty=");
        assert_eq!(form.text("login"), "001");
        assert_eq!(form.raw("password"), Some("a b&c"));
        assert_eq!(form.all("role"), vec!["x", "y"]);
        assert_eq!(form.optional("empty"), None);
        assert_eq!(form.optional("absent"), None);
        assert_eq!(form.repeated(), Some("role"));
        assert_eq!(FormData::parse(b"a=1&b=2").repeated(), None);
    }

    #[test]
    fn pre_session_tokens_must_match_the_cookie() {
        let fresh = PreSessionToken::for_request(&HeaderMap::new(), false);
        assert!(fresh.set_cookie.is_some());
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            format!("egov_csrf={}", fresh.token).parse().unwrap(),
        );
        let again = PreSessionToken::for_request(&headers, false);
        assert_eq!(again.token, fresh.token);
        assert!(again.set_cookie.is_none());
        let good = FormData::parse(format!("csrf={}", fresh.token).as_bytes());
        assert!(pre_session_csrf_ok(&headers, &good, false));
        assert!(!pre_session_csrf_ok(&headers, &good, true));
        let bad = FormData::parse(b"csrf=nope");
        assert!(!pre_session_csrf_ok(&headers, &bad, false));
        assert!(!pre_session_csrf_ok(&HeaderMap::new(), &good, false));
    }

    #[test]
    fn form_content_types() {
        let mut h = HeaderMap::new();
        assert!(!is_form(&h));
        h.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=UTF-8"
                .parse()
                .unwrap(),
        );
        assert!(is_form(&h));
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        assert!(!is_form(&h));
    }
}
