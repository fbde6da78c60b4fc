//! The account page (`/tai-khoan`): details, name, password, e-mail and phone
//! (re-verified), and the second factor of officials
//! (`/tai-khoan/xac-thuc-hai-buoc`).

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use egov_app::identity::{ChangePassword, ContactChange, ProfileUpdate};
use egov_app::AppError;
use egov_domain::identity::{AccountKind, RoleAssignment};
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

use super::forms::{field, form_errors, Field, FormErrors, INVALID};
use super::sign_in::with_session_cookie;
use super::{see_other, Chrome, PageCtx, Section};
use crate::auth::form::session_csrf_ok;
use crate::auth::{ClientInfo, FormData, SignedSession};
use crate::extract::QueryReader;
use crate::i18n::Messages;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<String>,
    facts: Vec<(String, String)>,
    full_name: String,
    official: bool,
    errors: FormErrors,
}

/// A time as shown in Vietnam (UTC+7): `2026-03-01 14:05`.
pub fn local_time(t: Timestamp) -> String {
    t.to_zoned(TimeZone::fixed(Offset::constant(7)))
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

fn verified(t: Messages, at: Option<Timestamp>) -> &'static str {
    if at.is_some() {
        t.get("verify.verified")
    } else {
        t.get("verify.not_verified")
    }
}

/// The account's details as label/value pairs.
fn facts(t: Messages, s: &SignedSession, roles: &[RoleAssignment]) -> Vec<(String, String)> {
    let a = &s.account;
    let mut out = vec![
        (t.get("register.full_name").to_owned(), a.full_name.clone()),
        (
            t.get("account.kind").to_owned(),
            t.label("account.kind", a.kind.as_str()),
        ),
        (t.get("sign_in.login").to_owned(), a.login.clone()),
    ];
    if let Some(id) = &a.national_id {
        out.push((
            t.get("register.national_id").to_owned(),
            id.as_str().to_owned(),
        ));
    }
    if let Some(date) = a.date_of_birth {
        out.push((t.get("register.date_of_birth").to_owned(), date.to_string()));
    }
    if let Some(email) = &a.email {
        let text = format!("{} ({})", email.as_str(), verified(t, a.email_verified_at));
        out.push((t.get("register.email").to_owned(), text));
    }
    if let Some(phone) = &a.phone {
        let text = format!("{} ({})", phone.as_str(), verified(t, a.phone_verified_at));
        out.push((t.get("register.phone").to_owned(), text));
    }
    if let Some(org) = &a.organisation {
        out.push((
            t.get("register.tax_code").to_owned(),
            org.tax_code.as_str().to_owned(),
        ));
        out.push((t.get("register.org_name").to_owned(), org.name.clone()));
        out.push((
            t.get("register.representative_name").to_owned(),
            org.representative_name.clone(),
        ));
    }
    for r in roles {
        let text = format!("{} — {}", t.label("role", r.role.as_str()), r.agency_code);
        out.push((t.get("account.role").to_owned(), text));
    }
    out.push((
        t.get("account.created").to_owned(),
        local_time(a.created_at),
    ));
    out
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    status: StatusCode,
    notice: Option<String>,
    errors: FormErrors,
) -> Response {
    let Some(session) = ctx.session() else {
        return ctx.sign_in_redirect();
    };
    let t = ctx.t();
    let official = session.account.kind == AccountKind::Official;
    let roles = if official {
        match state
            .accounts
            .roles_of(&ctx.caller.actor, &session.account.id)
            .await
        {
            Ok(roles) => roles,
            Err(e) => return ctx.app_error(e),
        }
    } else {
        Vec::new()
    };
    let page = AccountPage {
        chrome: ctx.chrome(t.get("account.title"), Section::Account),
        csrf: session.csrf.clone(),
        notice,
        facts: facts(t, session, &roles),
        full_name: session.account.full_name.clone(),
        official,
        errors,
    };
    ctx.render(status, &page)
}

/// `GET /tai-khoan?done=`
pub async fn account(State(state): State<AppState>, ctx: PageCtx, uri: Uri) -> Response {
    let query = QueryReader::from_uri(&uri).unwrap_or_default();
    let t = ctx.t();
    let notice = match query.text("done", 20).ok().flatten().as_deref() {
        Some("name") => Some(t.get("account.notice.name").to_owned()),
        Some("password") => Some(t.get("account.notice.password").to_owned()),
        Some("totp") => Some(t.get("account.notice.totp").to_owned()),
        _ => None,
    };
    render(&state, &ctx, StatusCode::OK, notice, FormErrors::none()).await
}

/// The session of a form POST whose CSRF token is right, or the answer.
fn checked<'a>(ctx: &'a PageCtx, form: &FormData) -> Result<&'a SignedSession, Box<Response>> {
    let session = ctx
        .session()
        .ok_or_else(|| Box::new(ctx.sign_in_redirect()))?;
    if session_csrf_ok(session, form) {
        Ok(session)
    } else {
        Err(Box::new(ctx.csrf_refused()))
    }
}

/// The account page again with the errors of a refused change, or the
/// page of an error that is not about the form.
async fn refused(state: &AppState, ctx: &PageCtx, e: AppError, fields: &[Field]) -> Response {
    match form_errors(ctx.t(), e, fields) {
        Ok(errors) => render(state, ctx, INVALID, None, errors).await,
        Err(e) => ctx.app_error(e),
    }
}

/// `POST /tai-khoan/ho-ten` (`full_name`).
pub async fn change_name(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    form: FormData,
) -> Response {
    let session = match checked(&ctx, &form) {
        Ok(s) => s,
        Err(response) => return *response,
    };
    let update = ProfileUpdate {
        full_name: Some(form.text("full_name")),
        ..ProfileUpdate::default()
    };
    let now = Timestamp::now();
    let result = state
        .accounts
        .update_profile(
            &ctx.caller.actor,
            &session.account.id,
            &update,
            &client.identity(),
            now,
        )
        .await;
    match result {
        Ok(_) => ctx.finish(see_other("/tai-khoan?done=name")),
        Err(e) => {
            refused(
                &state,
                &ctx,
                e,
                &[field("full_name", "full_name", "register.full_name")],
            )
            .await
        }
    }
}

/// `POST /tai-khoan/mat-khau` (`current_password`, `new_password`): every
/// other session of the account ends.
pub async fn change_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    form: FormData,
) -> Response {
    let session = match checked(&ctx, &form) {
        Ok(s) => s,
        Err(response) => return *response,
    };
    let change = ChangePassword {
        current: form.raw("current_password").unwrap_or("").to_owned(),
        new: form.raw("new_password").unwrap_or("").to_owned(),
        keep_session: Some(session.session.id_hash.clone()),
    };
    let now = Timestamp::now();
    let result = state
        .accounts
        .change_password(
            &ctx.caller.actor,
            &session.account.id,
            change,
            &client.identity(),
            now,
        )
        .await;
    let fields = [
        field(
            "current_password",
            "current_password",
            "account.password.current",
        ),
        field("password", "new_password", "account.password.new"),
    ];
    match result {
        Ok(()) => ctx.finish(see_other("/tai-khoan?done=password")),
        Err(e) => refused(&state, &ctx, e, &fields).await,
    }
}

/// `POST /tai-khoan/lien-he` (`kind` = `email` or `phone`, `value`): sends a
/// code to the new address; it replaces the old one once verified.
pub async fn change_contact(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    form: FormData,
) -> Response {
    let session = match checked(&ctx, &form) {
        Ok(s) => s,
        Err(response) => return *response,
    };
    let value = form.text("value");
    let (change, fields) = match form.text("kind").as_str() {
        "phone" => (
            ContactChange::Phone(value),
            [field("phone", "phone", "account.contact.phone")],
        ),
        _ => (
            ContactChange::Email(value),
            [field("email", "email", "account.contact.email")],
        ),
    };
    let now = Timestamp::now();
    let result = state
        .accounts
        .change_contact(
            &ctx.caller.actor,
            &session.account.id,
            &change,
            &client.identity(),
            now,
        )
        .await;
    match result {
        Ok(()) => ctx.finish(see_other("/xac-minh?done=sent")),
        Err(e) => refused(&state, &ctx, e, &fields).await,
    }
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    chrome: Chrome,
    csrf: String,
    required: bool,
    secret: Option<String>,
    secret_grouped: String,
    otpauth_url: String,
    errors: FormErrors,
}

/// A secret in groups of four, easier to type.
fn grouped(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

fn render_totp(
    ctx: &PageCtx,
    session: &SignedSession,
    status: StatusCode,
    secret: Option<(String, String)>,
    errors: FormErrors,
) -> Response {
    let t = ctx.t();
    let (secret, otpauth_url) = match secret {
        Some((s, url)) => (Some(s), url),
        None => (None, String::new()),
    };
    let page = TotpPage {
        chrome: ctx.chrome(t.get("totp.title"), Section::Account),
        csrf: session.csrf.clone(),
        required: session.account.totp_required && !session.session.second_factor,
        secret_grouped: secret.as_deref().map(grouped).unwrap_or_default(),
        secret,
        otpauth_url,
        errors,
    };
    ctx.render(status, &page)
}

/// `GET /tai-khoan/xac-thuc-hai-buoc`: a new secret to add to an
/// authenticator app, shown as text.
pub async fn totp_form(State(state): State<AppState>, ctx: PageCtx) -> Response {
    let Some(session) = ctx.session() else {
        return ctx.sign_in_redirect();
    };
    match state.accounts.begin_totp_enrolment(&session.account).await {
        Ok(e) => render_totp(
            &ctx,
            session,
            StatusCode::OK,
            Some((e.secret.clone(), e.otpauth_url.clone())),
            FormErrors::none(),
        ),
        Err(AppError::Conflict(_)) => {
            render_totp(&ctx, session, StatusCode::OK, None, FormErrors::none())
        }
        Err(e) => ctx.app_error(e),
    }
}

/// `POST /tai-khoan/xac-thuc-hai-buoc` (`secret`, `code`): turns the second
/// factor on; the session is replaced by one that used it.
pub async fn totp_confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    form: FormData,
) -> Response {
    let session = match checked(&ctx, &form) {
        Ok(s) => s,
        Err(response) => return *response,
    };
    let secret = form.text("secret");
    let code = form.text("code");
    let now = Timestamp::now();
    let result = state
        .accounts
        .confirm_totp_enrolment(&session.token, &secret, &code, &client.identity(), now)
        .await;
    match result {
        Ok(signed_in) => with_session_cookie(
            see_other("/tai-khoan?done=totp"),
            &signed_in.session_token,
            ctx.secure,
        ),
        Err(e) => match form_errors(ctx.t(), e, &[field("code", "code", "totp.code")]) {
            Ok(errors) => render_totp(
                &ctx,
                session,
                INVALID,
                Some((secret, String::new())),
                errors,
            ),
            Err(AppError::Conflict(_)) => {
                render_totp(&ctx, session, StatusCode::OK, None, FormErrors::none())
            }
            Err(e) => ctx.app_error(e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_vietnam() {
        let t: Timestamp = "2026-01-31T18:30:00Z".parse().unwrap();
        assert_eq!(local_time(t), "2026-02-01 01:30");
    }

    #[test]
    fn secrets_are_grouped_by_four() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
