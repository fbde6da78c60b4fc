//! Server-rendered HTML pages (askama templates in `templates/`).
//!
//! Pages work without JavaScript: search forms use GET and links carry the
//! state; forms that change something POST with a CSRF token and answer with
//! a redirect (or the form again, with its errors).

pub mod account;
pub mod consent;
pub mod dossiers;
pub mod forms;
pub mod home;
pub mod officials;
pub mod pager;
pub mod procedures;
pub mod register;
pub mod sessions;
pub mod sign_in;
pub mod units;
pub mod upstream;
pub mod verify;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use egov_app::AppError;
use egov_domain::{Channel, TimeUnit};

use crate::auth::{cookies, Caller, SignedSession};
use crate::extract::QueryReader;
use crate::i18n::{Lang, Messages};
use crate::problem::Problem;
use crate::state::AppState;

pub use pager::{PageLink, Pager};

/// The language of a page and what the language switch needs.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Lang,
    /// `?lang=` was given: remember it in a cookie.
    remember: bool,
    path: String,
    /// The query without `lang`, to rebuild links.
    pairs: Vec<(String, String)>,
    /// Who is signed in (pages look at the session cookie only).
    pub caller: Caller,
    /// Cookies are `Secure`.
    pub secure: bool,
    /// The label of the upstream login button, when one is configured.
    pub upstream_name: Option<String>,
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let query = lang_from_query(&parts.uri);
        let lang = Lang::negotiate(query.as_deref(), &parts.headers);
        let pairs = query_pairs(&parts.uri)
            .into_iter()
            .filter(|(k, _)| k != "lang")
            .collect();
        let caller = Caller::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|_| Caller::anonymous());
        Ok(PageCtx {
            lang,
            remember: query.as_deref().and_then(Lang::parse).is_some(),
            path: parts.uri.path().to_owned(),
            pairs,
            caller,
            secure: state.config.secure_cookies,
            upstream_name: state.config.upstream.as_ref().map(|u| u.name.clone()),
        })
    }
}

impl PageCtx {
    pub fn t(&self) -> Messages {
        self.lang.messages()
    }

    /// The signed-in person's session.
    pub fn session(&self) -> Option<&SignedSession> {
        self.caller.session.as_deref()
    }

    /// This page's address (path and query, without `lang`).
    pub fn here(&self) -> String {
        href(&self.path, &self.pairs)
    }

    /// The frame of a page titled `title`.
    pub fn chrome(&self, title: impl Into<String>, section: Section) -> Chrome {
        let other = self.lang.other();
        let mut pairs = self.pairs.clone();
        pairs.push(("lang".to_owned(), other.code().to_owned()));
        Chrome {
            lang: self.lang.code(),
            t: self.t(),
            title: title.into(),
            switch_href: href(&self.path, &pairs),
            switch_label: other.messages().get("lang.name"),
            switch_lang: other.code(),
            section,
            user: self.session().map(|s| ChromeUser {
                name: s.account.full_name.clone(),
                csrf: s.csrf.clone(),
                official: s.account.kind == egov_domain::identity::AccountKind::Official,
            }),
            sign_in_href: sign_in_href(&self.here()),
        }
    }

    /// Renders `page` with `status`, remembering the language when asked.
    pub fn render(&self, status: StatusCode, page: &impl Template) -> Response {
        let response = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "template failed");
                error_page(self.lang, StatusCode::INTERNAL_SERVER_ERROR)
            }
        };
        self.finish(response)
    }

    /// Adds this request's cookies to a response: the remembered language,
    /// and the deletion of a session cookie that names no live session.
    pub fn finish(&self, mut response: Response) -> Response {
        if self.remember {
            let cookie = format!(
                "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
                self.lang.code()
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        if self.caller.session.is_some() {
            // Personal pages and session tokens stay out of shared caches
            // and the back button of a shared computer.
            response
                .headers_mut()
                .entry(header::CACHE_CONTROL)
                .or_insert(HeaderValue::from_static("no-store"));
        }
        if self.caller.stale_cookie {
            let name = cookies::session_cookie_name(self.secure);
            response
                .headers_mut()
                .append(header::SET_COOKIE, cookies::clear(name, self.secure));
        }
        response
    }

    /// The answer to a refused use case: sign in first (a redirect), not
    /// allowed (403), too many attempts (429 with `Retry-After`), or the
    /// problem's page.
    pub fn app_error(&self, error: AppError) -> Response {
        match error {
            AppError::Unauthenticated(_) => self.sign_in_redirect(),
            other => self.problem_page(&Problem::from(other)),
        }
    }

    /// `303` to the sign-in page, coming back here afterwards.
    pub fn sign_in_redirect(&self) -> Response {
        self.finish(see_other(&sign_in_href(&self.here())))
    }

    /// The 403 page of a form whose CSRF token is missing or wrong.
    pub fn csrf_refused(&self) -> Response {
        let t = self.t();
        let page = ErrorPage {
            chrome: self.chrome(t.get("error.forbidden.title"), Section::None),
            status: 403,
            message: t.get("error.csrf.text").to_owned(),
        };
        self.render(StatusCode::FORBIDDEN, &page)
    }

    /// The page for a refused request (a problem from an API-style check).
    pub fn problem_page(&self, problem: &Problem) -> Response {
        let status = problem.status();
        let t = self.t();
        let page = ErrorPage {
            chrome: self.chrome(t.get(error_title_key(status)), Section::None),
            status: status.as_u16(),
            message: match status {
                StatusCode::NOT_FOUND => t.get("error.not_found.text").to_owned(),
                StatusCode::FORBIDDEN => t.get("error.forbidden.text").to_owned(),
                StatusCode::TOO_MANY_REQUESTS => t.fill(
                    "error.throttled.text",
                    &[(
                        "minutes",
                        &minutes(problem.retry_after.map_or(60, u64::from)),
                    )],
                ),
                s if s.is_client_error() => {
                    format!("{} ({})", t.get("error.bad_request.text"), problem.detail)
                }
                _ => t.get("error.server.text").to_owned(),
            },
        };
        let mut response = self.render(status, &page);
        if let Some(seconds) = problem.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Path extractor of pages: a path that cannot be read is a 400 page.
#[derive(Debug)]
pub struct PagePath<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequestParts<AppState> for PagePath<T> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(PagePath(value)),
            Err(rejection) => {
                let Ok(ctx) = PageCtx::from_request_parts(parts, state).await;
                Err(ctx.problem_page(&Problem::parameter("path", rejection.body_text())))
            }
        }
    }
}

/// Which part of the site a page belongs to (for `aria-current` in the nav).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    None,
    Home,
    Procedures,
    Units,
    Account,
    Admin,
}

/// The signed-in person, as the header shows them.
#[derive(Debug, Clone)]
pub struct ChromeUser {
    pub name: String,
    /// The CSRF token of the header's sign-out form.
    pub csrf: String,
    /// Officials get the dossier inbox in the menu; others their dossiers.
    pub official: bool,
}

/// What every page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: &'static str,
    pub t: Messages,
    pub title: String,
    pub switch_href: String,
    pub switch_label: &'static str,
    pub switch_lang: &'static str,
    pub section: Section,
    pub user: Option<ChromeUser>,
    pub sign_in_href: String,
}

impl Chrome {
    /// `aria-current="page"` for the nav link of the current section.
    pub fn current(&self, section: &str) -> &'static str {
        let here = match self.section {
            Section::Home => "home",
            Section::Procedures => "procedures",
            Section::Units => "units",
            Section::Account => "account",
            Section::Admin => "admin",
            Section::None => "",
        };
        if here == section {
            "page"
        } else {
            "false"
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub(crate) chrome: Chrome,
    pub(crate) status: u16,
    pub(crate) message: String,
}

fn error_title_key(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "error.not_found.title",
        StatusCode::FORBIDDEN => "error.forbidden.title",
        StatusCode::TOO_MANY_REQUESTS => "error.throttled.title",
        s if s.is_client_error() => "error.bad_request.title",
        _ => "error.server.title",
    }
}

/// An HTML error page for `status` (no request context needed).
pub fn error_page(lang: Lang, status: StatusCode) -> Response {
    let t = lang.messages();
    let page = ErrorPage {
        chrome: Chrome {
            lang: lang.code(),
            t,
            title: t.get(error_title_key(status)).to_owned(),
            switch_href: format!("/?lang={}", lang.other().code()),
            switch_label: lang.other().messages().get("lang.name"),
            switch_lang: lang.other().code(),
            section: Section::None,
            user: None,
            sign_in_href: "/dang-nhap".to_owned(),
        },
        status: status.as_u16(),
        message: t
            .get(match status {
                StatusCode::NOT_FOUND => "error.not_found.text",
                StatusCode::FORBIDDEN => "error.forbidden.text",
                s if s.is_client_error() => "error.bad_request.text",
                _ => "error.server.text",
            })
            .to_owned(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error template failed");
            status.into_response()
        }
    }
}

/// Fallback for addresses that match no route.
pub async fn not_found(ctx: PageCtx, uri: Uri) -> Response {
    if crate::middleware::is_api(uri.path()) {
        return Problem::not_found("there is no API endpoint at this address").into_response();
    }
    ctx.problem_page(&Problem::not_found(""))
}

/// `303 See Other` to `location` (after a form was handled).
pub fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response(),
        Err(_) => (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response(),
    }
}

/// The sign-in page, coming back to `next` (a local path) afterwards.
pub fn sign_in_href(next: &str) -> String {
    let plain = [
        "/",
        "/dang-nhap",
        "/dang-xuat",
        "/dang-ky",
        "/quen-mat-khau",
        "/dat-lai-mat-khau",
    ];
    let path = next.split('?').next().unwrap_or("");
    if plain.contains(&path) {
        "/dang-nhap".to_owned()
    } else {
        href("/dang-nhap", &[("next".to_owned(), next.to_owned())])
    }
}

/// Seconds as whole minutes, rounded up, for messages.
pub fn minutes(seconds: u64) -> String {
    seconds.div_ceil(60).max(1).to_string()
}

/// `?lang=` of a URI, if any.
pub fn lang_from_query(uri: &Uri) -> Option<String> {
    query_pairs(uri)
        .into_iter()
        .find(|(k, _)| k == "lang")
        .map(|(_, v)| v)
}

fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    QueryReader::from_uri(uri)
        .map(|q| q.into_pairs())
        .unwrap_or_default()
}

/// `path?k=v&…` with the values percent-encoded.
pub fn href(path: &str, pairs: &[(String, String)]) -> String {
    let mut out = path.to_owned();
    for (i, (k, v)) in pairs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(&encode(k));
        out.push('=');
        out.push_str(&encode(v));
    }
    out
}

/// Percent-encodes a query component (form style: space as `+`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Message-key suffix of a channel (`channel.in-person`).
pub fn channel_key(c: Channel) -> &'static str {
    match c {
        Channel::InPerson => "in-person",
        Channel::Online => "online",
        Channel::Post => "post",
    }
}

/// Message-key suffix of a time unit (`time_unit.working-days`).
pub fn time_unit_key(u: TimeUnit) -> &'static str {
    match u {
        TimeUnit::WorkingDays => "working-days",
        TimeUnit::CalendarDays => "calendar-days",
        TimeUnit::Hours => "hours",
        TimeUnit::Months => "months",
    }
}

/// A choice in a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn href_encodes_values() {
        let pairs = vec![
            ("q".to_owned(), "giấy phép & xây".to_owned()),
            ("page".to_owned(), "2".to_owned()),
        ];
        assert_eq!(
            href("/thu-tuc", &pairs),
            "/thu-tuc?q=gi%E1%BA%A5y+ph%C3%A9p+%26+x%C3%A2y&page=2"
        );
        assert_eq!(href("/", &[]), "/");
    }
}
