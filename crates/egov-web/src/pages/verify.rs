//! Verification of the e-mail address and phone number (`/xac-minh`): the
//! codes sent at registration or after a change of contact details.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use egov_app::ports::CodePurpose;
use jiff::Timestamp;

use super::forms::{field, form_errors, FormErrors, INVALID};
use super::{see_other, Chrome, PageCtx, Section};
use crate::auth::form::session_csrf_ok;
use crate::auth::{ClientInfo, FormData};
use crate::extract::QueryReader;
use crate::problem::Problem;
use crate::state::AppState;

/// One contact detail to verify.
pub struct ContactView {
    purpose: &'static str,
    input: String,
    title: String,
    address: String,
    verified: bool,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<String>,
    contacts: Vec<ContactView>,
    errors: FormErrors,
}

async fn render_verify(
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
    let account = &session.account;
    // A changed address waits for its code: show the new one, not yet verified.
    let pending = match state
        .accounts
        .pending_contacts(&ctx.caller.actor, &account.id, Timestamp::now())
        .await
    {
        Ok(pending) => pending,
        Err(e) => return ctx.app_error(e),
    };
    let pending_for = |purpose: CodePurpose| {
        pending
            .iter()
            .find(|(p, _)| *p == purpose)
            .map(|(_, address)| address.clone())
    };
    let stored = [
        (
            CodePurpose::VerifyEmail,
            "verify.email",
            account.email.as_ref().map(|e| e.as_str().to_owned()),
            account.email_verified_at.is_some(),
        ),
        (
            CodePurpose::VerifyPhone,
            "verify.phone",
            account.phone.as_ref().map(|p| p.as_str().to_owned()),
            account.phone_verified_at.is_some(),
        ),
    ];
    let mut contacts = Vec::new();
    for (purpose, title, address, verified) in stored {
        let waiting = pending_for(purpose).filter(|p| Some(p) != address.as_ref());
        let (address, verified) = match (waiting, address) {
            (Some(new), _) => (new, false),
            (None, Some(old)) => (old, verified),
            (None, None) => continue,
        };
        contacts.push(ContactView {
            purpose: purpose.as_str(),
            input: code_input(purpose).to_owned(),
            title: t.get(title).to_owned(),
            address,
            verified,
        });
    }
    let page = VerifyPage {
        chrome: ctx.chrome(t.get("verify.title"), Section::Account),
        csrf: session.csrf.clone(),
        notice,
        contacts,
        errors,
    };
    ctx.render(status, &page)
}

/// `GET /xac-minh?done=`
pub async fn verify_form(State(state): State<AppState>, ctx: PageCtx, uri: Uri) -> Response {
    let query = QueryReader::from_uri(&uri).unwrap_or_default();
    let t = ctx.t();
    let notice = match query.text("done", 20).ok().flatten().as_deref() {
        Some("registered") => Some(t.get("verify.notice.registered").to_owned()),
        Some("sent") => Some(t.get("verify.notice.sent").to_owned()),
        Some("verified") => Some(t.get("verify.notice.verified").to_owned()),
        _ => None,
    };
    render_verify(&state, &ctx, StatusCode::OK, notice, FormErrors::none()).await
}

fn purpose(form: &FormData) -> Option<CodePurpose> {
    match form.text("purpose").as_str() {
        "verify-email" => Some(CodePurpose::VerifyEmail),
        "verify-phone" => Some(CodePurpose::VerifyPhone),
        _ => None,
    }
}

/// `POST /xac-minh` (`purpose`, `code`).
pub async fn verify(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    form: FormData,
) -> Response {
    let Some(session) = ctx.session() else {
        return ctx.sign_in_redirect();
    };
    if !session_csrf_ok(session, &form) {
        return ctx.csrf_refused();
    }
    let Some(purpose) = purpose(&form) else {
        return ctx.problem_page(&Problem::field("purpose", "unknown"));
    };
    let code = form.text("code");
    let id = session.account.id.clone();
    let now = Timestamp::now();
    let result = state
        .accounts
        .verify_contact(
            &ctx.caller.actor,
            &id,
            purpose,
            &code,
            &client.identity(),
            now,
        )
        .await;
    match result {
        Ok(_) => ctx.finish(see_other("/xac-minh?done=verified")),
        Err(e) => verify_error(&state, &ctx, purpose, e).await,
    }
}

/// The input of a purpose's code.
fn code_input(purpose: CodePurpose) -> &'static str {
    match purpose {
        CodePurpose::VerifyPhone => "verify-phone-code",
        CodePurpose::VerifyEmail | CodePurpose::ResetPassword => "verify-email-code",
    }
}

async fn verify_error(
    state: &AppState,
    ctx: &PageCtx,
    purpose: CodePurpose,
    e: egov_app::AppError,
) -> Response {
    let fields = [field("code", code_input(purpose), "verify.code")];
    match form_errors(ctx.t(), e, &fields) {
        Ok(errors) => render_verify(state, ctx, INVALID, None, errors).await,
        Err(e) => ctx.app_error(e),
    }
}

/// `POST /xac-minh/gui-lai` (`purpose`): sends a new code.
pub async fn resend(State(state): State<AppState>, ctx: PageCtx, form: FormData) -> Response {
    let Some(session) = ctx.session() else {
        return ctx.sign_in_redirect();
    };
    if !session_csrf_ok(session, &form) {
        return ctx.csrf_refused();
    }
    let Some(purpose) = purpose(&form) else {
        return ctx.problem_page(&Problem::field("purpose", "unknown"));
    };
    let id = session.account.id.clone();
    match state
        .accounts
        .resend_code(&ctx.caller.actor, &id, purpose, Timestamp::now())
        .await
    {
        Ok(()) => ctx.finish(see_other("/xac-minh?done=sent")),
        Err(e) => verify_error(&state, &ctx, purpose, e).await,
    }
}
