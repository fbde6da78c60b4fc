//! The pages of the OpenID Connect provider: the consent screen (màn hình
//! đồng ý) listing in plain words what a client asks for, and the logout
//! confirmation and signed-out pages. The HTTP endpoints are in
//! [`crate::oidc`].

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use super::{Chrome, PageCtx, Section};
use crate::middleware::CSP;

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    chrome: Chrome,
    heading: String,
    intro: String,
    scopes: Vec<String>,
    signed_in_as: String,
    csrf: String,
    params: Vec<(String, String)>,
}

/// What the consent screen shows.
pub struct Consent<'a> {
    pub client_name: &'a str,
    pub client_id: &'a str,
    pub scopes: &'a [String],
    /// The authorization request, repeated in the form.
    pub params: Vec<(String, String)>,
    /// Where the browser goes after the decision (allowed as a form target).
    pub redirect_uri: &'a str,
}

/// The consent screen, for the signed-in person in `ctx`.
pub fn consent_page(ctx: &PageCtx, consent: Consent<'_>) -> Response {
    let t = ctx.t();
    let (name, csrf) = ctx
        .session()
        .map(|s| (s.account.full_name.clone(), s.csrf.clone()))
        .unwrap_or_default();
    let client = format!("{} ({})", consent.client_name, consent.client_id);
    let page = ConsentPage {
        chrome: ctx.chrome(t.get("consent.title"), Section::Account),
        heading: t.fill("consent.heading", &[("client", consent.client_name)]),
        intro: t.fill("consent.intro", &[("client", &client)]),
        scopes: consent.scopes.iter().map(|s| t.label("scope", s)).collect(),
        signed_in_as: t.fill("consent.signed_in_as", &[("name", &name)]),
        csrf,
        params: consent.params,
    };
    let response = ctx.render(StatusCode::OK, &page);
    allow_form_target(response, consent.redirect_uri)
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage {
    chrome: Chrome,
    confirm: bool,
    intro: String,
    csrf: String,
    params: Vec<(String, String)>,
}

/// "Sign out?" with a form repeating the logout request.
pub fn logout_confirm_page(
    ctx: &PageCtx,
    client: Option<&str>,
    params: Vec<(String, String)>,
    then: Option<&str>,
) -> Response {
    let t = ctx.t();
    let name = ctx
        .session()
        .map(|s| s.account.full_name.clone())
        .unwrap_or_default();
    let intro = match client {
        Some(client) => t.fill(
            "logout.confirm.client",
            &[("client", client), ("name", &name)],
        ),
        None => t.fill("logout.confirm.text", &[("name", &name)]),
    };
    let page = LogoutPage {
        chrome: ctx.chrome(t.get("logout.title"), Section::Account),
        confirm: true,
        intro,
        csrf: ctx.session().map(|s| s.csrf.clone()).unwrap_or_default(),
        params,
    };
    let response = ctx.render(StatusCode::OK, &page);
    match then {
        Some(uri) => allow_form_target(response, uri),
        None => response,
    }
}

/// "You have signed out."
pub fn signed_out_page(ctx: &PageCtx) -> Response {
    let t = ctx.t();
    let page = LogoutPage {
        chrome: ctx.chrome(t.get("logout.title"), Section::Account),
        confirm: false,
        intro: String::new(),
        csrf: String::new(),
        params: Vec::new(),
    };
    ctx.render(StatusCode::OK, &page)
}

/// Lets the page's form lead (through our redirect) to `uri`'s origin:
/// browsers apply `form-action` to the redirects after a form is sent.
fn allow_form_target(mut response: Response, uri: &str) -> Response {
    if let Some(csp) = csp_allowing(uri) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// The CSP with `form-action 'self' <origin of uri>`.
fn csp_allowing(uri: &str) -> Option<HeaderValue> {
    let url = url::Url::parse(uri).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let origin = url.origin().ascii_serialization();
    if origin == "null" || origin.contains(|c: char| c == ';' || c == ',' || c.is_whitespace()) {
        return None;
    }
    let csp = CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    );
    HeaderValue::from_str(&csp).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redirect_origin_becomes_a_form_target() {
        let csp = csp_allowing("http://127.0.0.1:51234/callback?x=1").unwrap();
        let text = csp.to_str().unwrap();
        assert!(
            text.contains("form-action 'self' http://127.0.0.1:51234;"),
            "{text}"
        );
        assert!(!text.contains("unsafe-inline"));
        assert!(csp_allowing("javascript:alert(1)").is_none());
        assert!(csp_allowing("not a url").is_none());
    }
}
