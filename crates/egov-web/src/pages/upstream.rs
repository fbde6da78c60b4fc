//! Upstream login (đăng nhập qua nhà cung cấp định danh bên ngoài):
//! `GET /dang-nhap/ben-ngoai` sends the browser to the external identity
//! provider; `GET /dang-nhap/ben-ngoai/callback` checks its answer, links the
//! external identity to the account with the same national ID number and
//! opens a session.
//!
//! What the callback must check (state, nonce, PKCE verifier, where to go
//! next) travels in a short-lived HttpOnly, SameSite=Lax cookie that the
//! callback deletes: it is used once, and an attacker who cannot set the
//! victim's cookies cannot make the `state` of a forged callback match it.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Redirect, Response};
use egov_app::oidc::upstream::{authorization_url, state_matches};
use egov_app::AppError;
use jiff::Timestamp;

use super::sign_in::{with_session_cookie, HOME, TOTP_ENROLMENT};
use super::{encode, ErrorPage, PageCtx, Section};
use crate::auth::{cookies, safe_next, ClientInfo};
use crate::extract::QueryReader;
use crate::state::{AppState, UpstreamLogin};

/// Where the upstream login starts.
pub const START: &str = "/dang-nhap/ben-ngoai";

/// How long the browser may take at the provider, in seconds.
const PENDING_MAX_AGE: u32 = 600;

/// The address of the button, carrying `next` when there is one.
pub fn start_href(next: Option<&str>) -> String {
    match next {
        Some(next) => format!("{START}?next={}", encode(next)),
        None => START.to_owned(),
    }
}

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-egov_upstream"
    } else {
        "egov_upstream"
    }
}

/// What the callback checks, kept in the browser between the two requests.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    next: Option<String>,
}

impl Pending {
    fn encode(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        out.append_pair("s", &self.state)
            .append_pair("n", &self.nonce)
            .append_pair("v", &self.verifier);
        if let Some(next) = &self.next {
            out.append_pair("x", next);
        }
        out.finish()
    }

    fn decode(text: &str) -> Option<Self> {
        let mut pending = Pending {
            state: String::new(),
            nonce: String::new(),
            verifier: String::new(),
            next: None,
        };
        for (k, v) in url::form_urlencoded::parse(text.as_bytes()) {
            match k.as_ref() {
                "s" => pending.state = v.into_owned(),
                "n" => pending.nonce = v.into_owned(),
                "v" => pending.verifier = v.into_owned(),
                "x" => pending.next = safe_next(&v),
                _ => {}
            }
        }
        let complete = [&pending.state, &pending.nonce, &pending.verifier]
            .iter()
            .all(|s| !s.is_empty() && s.len() <= 256);
        complete.then_some(pending)
    }
}

fn set_pending(response: &mut Response, pending: &Pending, secure: bool) {
    let text = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={PENDING_MAX_AGE}{}",
        cookie_name(secure),
        pending.encode(),
        if secure { "; Secure" } else { "" }
    );
    if let Ok(value) = HeaderValue::from_str(&text) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn clear_pending(mut response: Response, secure: bool) -> Response {
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookie_name(secure), secure),
    );
    response
}

/// `GET /dang-nhap/ben-ngoai?next=`: to the provider's authorization endpoint.
pub async fn start(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    uri: Uri,
) -> Response {
    let Some(upstream) = state.config.upstream.clone() else {
        return super::not_found(ctx, uri).await;
    };
    let next = QueryReader::from_uri(&uri)
        .unwrap_or_default()
        .text("next", 4096)
        .ok()
        .flatten()
        .and_then(|n| safe_next(&n));
    let metadata = match upstream.client.discover(&upstream.provider).await {
        Ok(m) => m,
        Err(e) => return failure(&state, &ctx, &client, &upstream, e, "discovery").await,
    };
    let auth = authorization_url(&upstream.provider, &metadata);
    let pending = Pending {
        state: auth.state,
        nonce: auth.nonce,
        verifier: auth.code_verifier,
        next,
    };
    let mut response = see_other_external(&auth.url);
    set_pending(&mut response, &pending, ctx.secure);
    ctx.finish(response)
}

fn see_other_external(url: &str) -> Response {
    use axum::response::IntoResponse as _;
    let mut response = Redirect::to(url).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /dang-nhap/ben-ngoai/callback?code=&state=` (or `?error=`).
pub async fn callback(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let Some(upstream) = state.config.upstream.clone() else {
        return super::not_found(ctx, uri).await;
    };
    let response = complete(&state, &ctx, &client, &upstream, &headers, &uri).await;
    clear_pending(response, ctx.secure)
}

async fn complete(
    state: &AppState,
    ctx: &PageCtx,
    client: &ClientInfo,
    upstream: &UpstreamLogin,
    headers: &HeaderMap,
    uri: &Uri,
) -> Response {
    let refused = |why: &str| AppError::Unauthenticated(why.to_owned());
    let query = QueryReader::from_uri(uri).unwrap_or_default();
    let text = |k: &str| query.text(k, 2048).ok().flatten();
    let pending = cookies::read(headers, cookie_name(ctx.secure)).and_then(|c| Pending::decode(&c));
    let Some(pending) = pending else {
        let e = refused("no upstream login was started in this browser");
        return failure(state, ctx, client, upstream, e, "no pending login").await;
    };
    if !text("state").is_some_and(|s| state_matches(&pending.state, &s)) {
        let e = refused("the state does not match");
        return failure(state, ctx, client, upstream, e, "state mismatch").await;
    }
    if text("error").is_some() {
        let e = refused("the identity provider refused");
        return failure(state, ctx, client, upstream, e, "provider error").await;
    }
    let Some(code) = text("code") else {
        let e = refused("no code");
        return failure(state, ctx, client, upstream, e, "no code").await;
    };
    let now = Timestamp::now();
    let provider = &upstream.provider;
    let identity = match upstream.client.discover(provider).await {
        Ok(metadata) => {
            upstream
                .client
                .exchange_code(
                    provider,
                    &metadata,
                    &code,
                    &pending.verifier,
                    &pending.nonce,
                )
                .await
        }
        Err(e) => Err(e),
    };
    let identity = match identity {
        Ok(i) => i,
        Err(e) => return failure(state, ctx, client, upstream, e, "code exchange").await,
    };
    let linked = state
        .oidc
        .link_or_find_account(
            &identity.issuer,
            &identity.subject,
            identity.national_id.as_deref(),
            &client.oidc(),
            now,
        )
        .await;
    let account = match linked {
        Ok(a) => a,
        Err(e) => return failure(state, ctx, client, upstream, e, "no linked account").await,
    };
    let signed_in = state
        .accounts
        .sign_in_external(account, &identity.issuer, &client.identity(), now)
        .await;
    let signed_in = match signed_in {
        Ok(s) => s,
        Err(e) => return failure(state, ctx, client, upstream, e, "session").await,
    };
    if let Some(old) = ctx.session() {
        let ended = state
            .accounts
            .sign_out(&old.token, &client.identity(), now)
            .await;
        if let Err(e) = ended {
            tracing::warn!(error = %e, "cannot end the previous session");
        }
    }
    let target = if super::sign_in::needs_enrolment(&signed_in) {
        TOTP_ENROLMENT.to_owned()
    } else {
        pending.next.unwrap_or_else(|| HOME.to_owned())
    };
    with_session_cookie(
        super::see_other(&target),
        &signed_in.session_token,
        ctx.secure,
    )
}

/// Records the failure (without tokens or personal data) and shows a page.
async fn failure(
    state: &AppState,
    ctx: &PageCtx,
    client: &ClientInfo,
    upstream: &UpstreamLogin,
    error: AppError,
    step: &str,
) -> Response {
    let recorded = state
        .accounts
        .record_external_failure(
            &upstream.provider.issuer,
            step,
            &client.identity(),
            Timestamp::now(),
        )
        .await;
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "cannot record a failed upstream login");
    }
    tracing::info!(step, error = %error, "upstream login failed");
    let t = ctx.t();
    let (status, key) = match &error {
        AppError::Unauthenticated(m) if m.contains("register first") => {
            (StatusCode::FORBIDDEN, "upstream.error.no_account")
        }
        AppError::Unauthenticated(_) | AppError::Invalid(_) => {
            (StatusCode::BAD_REQUEST, "upstream.error.text")
        }
        _ => (StatusCode::BAD_GATEWAY, "upstream.error.unavailable"),
    };
    let page = ErrorPage {
        chrome: ctx.chrome(t.get("upstream.error.title"), Section::Account),
        status: status.as_u16(),
        message: t.get(key).to_owned(),
    };
    ctx.render(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_logins_survive_the_cookie() {
        let pending = Pending {
            state: "st-1".into(),
            nonce: "no_2".into(),
            verifier: "ve3".into(),
            next: Some("/tai-khoan?x=1&y=2".into()),
        };
        let text = pending.encode();
        assert!(!text.contains(';') && !text.contains(' ') && !text.contains(','));
        assert_eq!(Pending::decode(&text), Some(pending));
    }

    #[test]
    fn pending_logins_refuse_foreign_next_and_missing_parts() {
        let decoded = Pending::decode("s=a&n=b&v=c&x=https%3A%2F%2Fevil.example").unwrap();
        assert_eq!(decoded.next, None);
        assert_eq!(Pending::decode("s=a&n=b"), None);
        assert_eq!(start_href(Some("/a b")), "/dang-nhap/ben-ngoai?next=%2Fa+b");
    }
}
