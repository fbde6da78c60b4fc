//! The cookies of the web pages: the session (`__Host-egov_session` with
//! secure cookies, else `egov_session`) and the pre-session CSRF token of the
//! signed-out forms (`__Host-egov_csrf` / `egov_csrf`). Both are HttpOnly,
//! `Path=/`, without `Domain`; `Secure` when configured.

use axum::http::{HeaderMap, HeaderValue};

/// The name of the session cookie.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-egov_session"
    } else {
        "egov_session"
    }
}

/// The name of the pre-session CSRF cookie.
pub fn csrf_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-egov_csrf"
    } else {
        "egov_csrf"
    }
}

/// The value of cookie `name`, if sent.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    crate::i18n::cookie(headers, name)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// `Set-Cookie` for a browser-session cookie (no `Max-Age`: it ends when the
/// browser closes; the server ends sessions after their timeouts anyway).
pub fn set(name: &str, value: &str, secure: bool, same_site: SameSite) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={}{secure}",
        same_site.as_str()
    );
    HeaderValue::from_str(&text).ok()
}

/// `Set-Cookie` that deletes the cookie.
pub fn clear(name: &str, secure: bool) -> HeaderValue {
    let text = if secure {
        format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0")
    } else {
        format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    };
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("x=; Max-Age=0"))
}

/// The `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Sent on top-level navigations from other sites (the session: links from
    /// a relying party keep the person signed in).
    Lax,
    /// Never sent from other sites (the pre-session CSRF token).
    Strict,
}

impl SameSite {
    fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_cookies_use_the_host_prefix() {
        assert_eq!(session_cookie_name(true), "__Host-egov_session");
        assert_eq!(session_cookie_name(false), "egov_session");
        let cookie = set("__Host-egov_session", "abc", true, SameSite::Lax).unwrap();
        let text = cookie.to_str().unwrap();
        for part in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure"] {
            assert!(text.contains(part), "{text}");
        }
        assert!(!text.contains("Domain"));
        let plain = set("egov_csrf", "x", false, SameSite::Strict).unwrap();
        assert!(!plain.to_str().unwrap().contains("Secure"));
        assert!(clear("egov_session", false)
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            "lang=vi; egov_session=tok; x_egov_session=no"
                .parse()
                .unwrap(),
        );
        assert_eq!(read(&h, "egov_session").as_deref(), Some("tok"));
        assert_eq!(read(&h, "__Host-egov_session"), None);
    }
}
