//! Signing in and out (`/dang-nhap`, `/dang-xuat`) and the forgotten-password
//! pages (`/quen-mat-khau`, `/dat-lai-mat-khau`).

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::Response;
use egov_app::identity::{SignedIn, TOTP_NEEDED};
use egov_app::AppError;
use jiff::Timestamp;

use super::forms::{field, form_errors, with_retry_after, Field, FormErrors, INVALID};
use super::{minutes, see_other, Chrome, PageCtx, Section};
use crate::auth::form::{pre_session_csrf_ok, session_csrf_ok};
use crate::auth::{cookies, safe_next, ClientInfo, FormData, PreSessionToken};
use crate::extract::QueryReader;
use crate::state::AppState;

/// Where a signed-in person goes when nothing else was asked.
pub const HOME: &str = "/tai-khoan";

/// Where an official who must use a second factor but has none goes first.
pub const TOTP_ENROLMENT: &str = "/tai-khoan/xac-thuc-hai-buoc";

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    csrf: String,
    next: Option<String>,
    login: String,
    totp: bool,
    notice: Option<String>,
    errors: FormErrors,
    /// The label of the upstream login button, when configured.
    upstream: Option<String>,
    upstream_href: String,
}

/// What the sign-in form shows.
struct SignInForm {
    next: Option<String>,
    login: String,
    totp: bool,
    notice: Option<String>,
    errors: FormErrors,
}

fn render_sign_in(
    ctx: &PageCtx,
    token: &PreSessionToken,
    status: StatusCode,
    form: SignInForm,
) -> Response {
    let t = ctx.t();
    let page = SignInPage {
        chrome: ctx.chrome(t.get("sign_in.title"), Section::Account),
        csrf: token.token.clone(),
        login: form.login,
        totp: form.totp,
        notice: form.notice,
        upstream: ctx
            .upstream_name
            .as_ref()
            .map(|name| t.fill("sign_in.upstream", &[("name", name)])),
        upstream_href: super::upstream::start_href(form.next.as_deref()),
        next: form.next,
        errors: form.errors,
    };
    token.apply(ctx.render(status, &page))
}

/// `GET /dang-nhap?next=&prompt=login&done=`
pub async fn sign_in_form(ctx: PageCtx, headers: HeaderMap, uri: Uri) -> Response {
    let query = QueryReader::from_uri(&uri).unwrap_or_default();
    let next = query
        .text("next", 4096)
        .ok()
        .flatten()
        .and_then(|n| safe_next(&n));
    let again = query.text("prompt", 20).ok().flatten().as_deref() == Some("login");
    if ctx.session().is_some() && !again {
        return ctx.finish(see_other(next.as_deref().unwrap_or(HOME)));
    }
    let t = ctx.t();
    let notice = match query.text("done", 20).ok().flatten().as_deref() {
        Some("reset") => Some(t.get("sign_in.notice.reset").to_owned()),
        Some("signed-out") => Some(t.get("sign_in.notice.signed_out").to_owned()),
        Some("registered") => Some(t.get("sign_in.notice.registered").to_owned()),
        _ => None,
    };
    let token = PreSessionToken::for_request(&headers, ctx.secure);
    let form = SignInForm {
        next,
        login: String::new(),
        totp: false,
        notice,
        errors: FormErrors::none(),
    };
    render_sign_in(&ctx, &token, StatusCode::OK, form)
}

/// `POST /dang-nhap`: `login`, `password`, optional `totp`, `next`, `csrf`.
/// A wrong password and an unknown login get the same answer.
pub async fn sign_in(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    if !pre_session_csrf_ok(&headers, &form, ctx.secure) {
        return ctx.csrf_refused();
    }
    let next = form.optional("next").and_then(|n| safe_next(&n));
    let login = form.text("login");
    let password = form.raw("password").unwrap_or("");
    let totp = form.optional("totp");
    let now = Timestamp::now();
    let result = state
        .accounts
        .sign_in(&login, password, totp.as_deref(), &client.identity(), now)
        .await;
    let t = ctx.t();
    let token = PreSessionToken::for_request(&headers, ctx.secure);
    let again = |errors: FormErrors, totp: bool| SignInForm {
        next: next.clone(),
        login: login.clone(),
        totp,
        notice: None,
        errors,
    };
    match result {
        Ok(signed_in) => {
            end_previous_session(&state, &ctx, &client).await;
            let target = if needs_enrolment(&signed_in) {
                TOTP_ENROLMENT.to_owned()
            } else {
                next.clone().unwrap_or_else(|| HOME.to_owned())
            };
            with_session_cookie(see_other(&target), &signed_in.session_token, ctx.secure)
        }
        Err(AppError::Unauthenticated(message)) if message == TOTP_NEEDED => {
            let errors = FormErrors::one("totp", t.get("sign_in.error.totp"));
            render_sign_in(&ctx, &token, INVALID, again(errors, true))
        }
        Err(AppError::Unauthenticated(_)) => {
            let errors = FormErrors::one("login", t.get("sign_in.error.wrong"));
            render_sign_in(&ctx, &token, INVALID, again(errors, totp.is_some()))
        }
        Err(AppError::Throttled {
            retry_after_seconds,
        }) => {
            let text = t.fill(
                "error.throttled.text",
                &[("minutes", &minutes(retry_after_seconds))],
            );
            let errors = FormErrors::one("login", text);
            let response = render_sign_in(
                &ctx,
                &token,
                StatusCode::TOO_MANY_REQUESTS,
                again(errors, false),
            );
            with_retry_after(response, retry_after_seconds)
        }
        Err(e) => ctx.app_error(e),
    }
}

/// An official who must use a second factor and has not set one up yet.
pub fn needs_enrolment(signed_in: &SignedIn) -> bool {
    signed_in.account.totp_required && !signed_in.session.second_factor
}

/// Signing in again in the same browser ends the session it had.
async fn end_previous_session(state: &AppState, ctx: &PageCtx, client: &ClientInfo) {
    if let Some(old) = ctx.session() {
        let ended = state
            .accounts
            .sign_out(&old.token, &client.identity(), Timestamp::now())
            .await;
        if let Err(e) = ended {
            tracing::warn!(error = %e, "cannot end the previous session");
        }
    }
}

/// Adds the session cookie to a response.
pub fn with_session_cookie(mut response: Response, token: &str, secure: bool) -> Response {
    let name = cookies::session_cookie_name(secure);
    if let Some(cookie) = cookies::set(name, token, secure, cookies::SameSite::Lax) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// `POST /dang-xuat` (`csrf`): ends this session.
pub async fn sign_out(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    form: FormData,
) -> Response {
    let Some(session) = ctx.session() else {
        return ctx.finish(see_other("/dang-nhap?done=signed-out"));
    };
    if !session_csrf_ok(session, &form) {
        return ctx.csrf_refused();
    }
    let now = Timestamp::now();
    if let Err(e) = state
        .accounts
        .sign_out(&session.token, &client.identity(), now)
        .await
    {
        return ctx.app_error(e);
    }
    clear_session_cookie(see_other("/dang-nhap?done=signed-out"), ctx.secure)
}

/// Deletes the session cookie.
pub fn clear_session_cookie(mut response: Response, secure: bool) -> Response {
    let name = cookies::session_cookie_name(secure);
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookies::clear(name, secure));
    response
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    csrf: String,
    login: String,
    errors: FormErrors,
}

/// `GET /quen-mat-khau`
pub async fn forgot_form(ctx: PageCtx, headers: HeaderMap) -> Response {
    let t = ctx.t();
    let token = PreSessionToken::for_request(&headers, ctx.secure);
    let page = ForgotPage {
        chrome: ctx.chrome(t.get("forgot.title"), Section::Account),
        csrf: token.token.clone(),
        login: String::new(),
        errors: FormErrors::none(),
    };
    token.apply(ctx.render(StatusCode::OK, &page))
}

/// `POST /quen-mat-khau` (`login`): sends a code if the account exists; the
/// answer is the same either way.
pub async fn forgot(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    if !pre_session_csrf_ok(&headers, &form, ctx.secure) {
        return ctx.csrf_refused();
    }
    let login = form.text("login");
    let token = PreSessionToken::for_request(&headers, ctx.secure);
    if login.is_empty() {
        let t = ctx.t();
        let page = ForgotPage {
            chrome: ctx.chrome(t.get("forgot.title"), Section::Account),
            csrf: token.token.clone(),
            login,
            errors: FormErrors::one("login", t.get("form.required")),
        };
        return token.apply(ctx.render(INVALID, &page));
    }
    let now = Timestamp::now();
    let requested = state
        .accounts
        .request_password_reset(&login, &client.identity(), now)
        .await;
    if let Err(e) = requested {
        return ctx.app_error(e);
    }
    render_reset(
        &ctx,
        &token,
        StatusCode::OK,
        login,
        true,
        FormErrors::none(),
    )
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    chrome: Chrome,
    csrf: String,
    login: String,
    sent: bool,
    errors: FormErrors,
}

fn render_reset(
    ctx: &PageCtx,
    token: &PreSessionToken,
    status: StatusCode,
    login: String,
    sent: bool,
    errors: FormErrors,
) -> Response {
    let t = ctx.t();
    let page = ResetPage {
        chrome: ctx.chrome(t.get("reset.title"), Section::Account),
        csrf: token.token.clone(),
        login,
        sent,
        errors,
    };
    token.apply(ctx.render(status, &page))
}

/// `GET /dat-lai-mat-khau`
pub async fn reset_form(ctx: PageCtx, headers: HeaderMap) -> Response {
    let token = PreSessionToken::for_request(&headers, ctx.secure);
    render_reset(
        &ctx,
        &token,
        StatusCode::OK,
        String::new(),
        false,
        FormErrors::none(),
    )
}

const RESET_FIELDS: [Field; 3] = [
    field("login", "login", "sign_in.login"),
    field("code", "code", "reset.code"),
    field("password", "password", "reset.password"),
];

/// `POST /dat-lai-mat-khau` (`login`, `code`, `password`).
pub async fn reset(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    if !pre_session_csrf_ok(&headers, &form, ctx.secure) {
        return ctx.csrf_refused();
    }
    let login = form.text("login");
    let code = form.text("code");
    let password = form.raw("password").unwrap_or("");
    let now = Timestamp::now();
    let result = state
        .accounts
        .reset_password(&login, &code, password, &client.identity(), now)
        .await;
    match result {
        Ok(()) => ctx.finish(see_other("/dang-nhap?done=reset")),
        Err(e) => match form_errors(ctx.t(), e, &RESET_FIELDS) {
            Ok(errors) => {
                let token = PreSessionToken::for_request(&headers, ctx.secure);
                render_reset(&ctx, &token, INVALID, login, false, errors)
            }
            Err(e) => ctx.app_error(e),
        },
    }
}
