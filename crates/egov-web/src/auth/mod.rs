//! Authentication at the edge: who calls ([`Caller`]), the cookies, form
//! bodies and their CSRF tokens, where a request comes from ([`ClientInfo`]),
//! and safe return addresses ([`safe_next`]).

pub mod caller;
pub mod cookies;
pub mod form;

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use egov_app::{identity, oidc};

pub use caller::{Caller, SignedSession, Via, X_REQUESTED_WITH};
pub use form::{FormData, PreSessionToken};

use crate::state::AppState;

/// Longest `next` address accepted (an authorization request fits).
const MAX_NEXT: usize = 4096;

/// Where a request comes from, for throttling and the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    pub fn identity(&self) -> identity::RequestContext {
        identity::RequestContext {
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
        }
    }

    pub fn oidc(&self) -> oidc::RequestContext {
        oidc::RequestContext {
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
        }
    }
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .config
            .trust_forwarded_for
            .then(|| forwarded_for(&parts.headers))
            .flatten();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(256).collect());
        Ok(ClientInfo {
            ip: forwarded.or(peer).map(|ip| ip.to_string()),
            user_agent,
        })
    }
}

/// The right-most address of `X-Forwarded-For` (the one the trusted proxy added).
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|ip| ip.trim().parse().ok())
}

/// `next` if it is a path on this site (`/…`, not `//…` nor `/\…`, no
/// scheme, no control characters); `None` otherwise. No open redirects.
pub fn safe_next(next: &str) -> Option<String> {
    let next = next.trim();
    let bytes = next.as_bytes();
    let local = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && next.len() <= MAX_NEXT
        && !next.contains('\\')
        && next.chars().all(|c| !c.is_control() && !c.is_whitespace());
    local.then(|| next.to_owned())
}

/// Compares in time that depends only on the expected value's length.
pub fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = given.len() ^ expected.len();
    for (i, e) in expected.iter().enumerate() {
        let g = given.get(i).copied().unwrap_or(!*e);
        diff |= usize::from(g ^ e);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_next("/tai-khoan").as_deref(), Some("/tai-khoan"));
        assert!(
            safe_next("/oidc/authorize?client_id=x&redirect_uri=http%3A%2F%2F127.0.0.1").is_some()
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/ok\\..\\x",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/a\nb",
            "/a b",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(MAX_NEXT))), None);
    }

    #[test]
    fn the_proxy_added_address_is_used() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "10.0.0.1, 203.0.113.7".parse().unwrap());
        assert_eq!(forwarded_for(&h), Some("203.0.113.7".parse().unwrap()));
        h.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(forwarded_for(&h), None);
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abd", b"abc"));
        assert!(!constant_time_eq(b"ab", b"abc"));
        assert!(!constant_time_eq(b"abcd", b"abc"));
        assert!(!constant_time_eq(b"", b"x"));
    }
}
