//! Public pages: a dossier's status by its code (`/tra-cuu`, `/tra-cuu/{code}`,
//! where the QR codes on slips point; status and dates only, no personal
//! data) and the check of a signed result (`/kiem-tra-chu-ky`) with the
//! root certificate signatures chain to.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use egov_app::AppError;
use egov_domain::dossier::DossierCode;
use jiff::Timestamp;

use super::apply::{agency_name, Fact};
use super::{deadline_flag, status_text, when, MultipartForm};
use crate::auth::PreSessionToken;
use crate::extract::QueryReader;
use crate::pages::{encode, see_other, Chrome, PageCtx, PagePath, Section};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "lookup_dossier.html")]
struct LookupPage {
    chrome: Chrome,
    code: String,
    error: Option<String>,
    found: Option<Found>,
}

/// A dossier found by code.
struct Found {
    procedure: String,
    status: String,
    deadline: String,
    deadline_class: &'static str,
    facts: Vec<Fact>,
}

/// `GET /tra-cuu?ma=`: the form; with a code, the dossier's address.
pub async fn lookup_form(ctx: PageCtx, uri: Uri) -> Response {
    let query = QueryReader::from_uri(&uri).unwrap_or_default();
    let t = ctx.t();
    match query.text("ma", 60).ok().flatten() {
        Some(code) if DossierCode::parse(&code).is_ok() => {
            ctx.finish(see_other(&format!("/tra-cuu/{}", encode(code.trim()))))
        }
        Some(code) => render(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            Some(t.get("lookup_dossier.error.format").to_owned()),
            None,
        ),
        None => render(&ctx, StatusCode::OK, String::new(), None, None),
    }
}

fn render(
    ctx: &PageCtx,
    status: StatusCode,
    code: String,
    error: Option<String>,
    found: Option<Found>,
) -> Response {
    let t = ctx.t();
    let title = if found.is_some() {
        t.fill("lookup_dossier.result_title", &[("code", &code)])
    } else {
        t.get("lookup_dossier.title").to_owned()
    };
    let page = LookupPage {
        chrome: ctx.chrome(title, Section::None),
        code,
        error,
        found,
    };
    ctx.render(status, &page)
}

/// `GET /tra-cuu/{code}`: status and dates of a dossier.
pub async fn lookup(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(code): PagePath<String>,
) -> Response {
    let t = ctx.t();
    if DossierCode::parse(&code).is_err() {
        let error = t.get("lookup_dossier.error.format").to_owned();
        return render(&ctx, StatusCode::NOT_FOUND, code, Some(error), None);
    }
    let status = match state.dossiers.public_status(&code, Timestamp::now()).await {
        Ok(s) => s,
        Err(AppError::NotFound { .. }) => {
            let error = t.get("lookup_dossier.error.not_found").to_owned();
            return render(&ctx, StatusCode::NOT_FOUND, code, Some(error), None);
        }
        Err(e) => return ctx.app_error(e),
    };
    let lang = ctx.lang;
    let mut facts = vec![
        Fact {
            label: t.get("dossier.procedure").to_owned(),
            value: format!("{} ({})", status.procedure_name, status.procedure_code),
        },
        Fact {
            label: t.get("dossier.receiving_agency").to_owned(),
            value: agency_name(&state, &status.receiving_agency).await,
        },
        Fact {
            label: t.get("dossier.submitted_at").to_owned(),
            value: when(lang, status.submitted_at),
        },
    ];
    for (key, at) in [
        ("dossier.received_at", status.received_at),
        ("dossier.due_at", status.due_at),
        ("dossier.finished_at", status.finished_at),
        ("dossier.returned_at", status.returned_at),
    ] {
        if let Some(at) = at {
            facts.push(Fact {
                label: t.get(key).to_owned(),
                value: when(lang, at),
            });
        }
    }
    let (deadline, deadline_class) = deadline_flag(t, status.deadline);
    let found = Found {
        procedure: status.procedure_name.clone(),
        status: status_text(t, status.status),
        deadline,
        deadline_class,
        facts,
    };
    render(&ctx, StatusCode::OK, status.code, None, Some(found))
}

#[derive(Template)]
#[template(path = "verify_signature.html")]
struct VerifyPage {
    chrome: Chrome,
    csrf: String,
    errors: crate::pages::forms::FormErrors,
    result: Option<Outcome>,
}

/// What the check found.
struct Outcome {
    valid: bool,
    heading: String,
    facts: Vec<Fact>,
}

fn render_verify(
    ctx: &PageCtx,
    token: &PreSessionToken,
    status: StatusCode,
    errors: crate::pages::forms::FormErrors,
    result: Option<Outcome>,
) -> Response {
    let t = ctx.t();
    let page = VerifyPage {
        chrome: ctx.chrome(t.get("verify_signature.title"), Section::None),
        csrf: csrf_of(ctx, token),
        errors,
        result,
    };
    token.apply(ctx.render(status, &page))
}

/// Signed in: the session's token; signed out: the pre-session one.
fn csrf_of(ctx: &PageCtx, token: &PreSessionToken) -> String {
    match ctx.session() {
        Some(s) => s.csrf.clone(),
        None => token.token.clone(),
    }
}

/// `GET /kiem-tra-chu-ky`
pub async fn verify_form(ctx: PageCtx, headers: axum::http::HeaderMap) -> Response {
    let token = PreSessionToken::for_request(&headers, ctx.secure);
    render_verify(
        &ctx,
        &token,
        StatusCode::OK,
        crate::pages::forms::FormErrors::none(),
        None,
    )
}

/// `POST /kiem-tra-chu-ky` (multipart: `csrf`, `document` — the PDF,
/// `signature` — the `.p7s`): valid or not, by whom and when.
pub async fn verify(
    State(state): State<AppState>,
    ctx: PageCtx,
    headers: axum::http::HeaderMap,
    form: MultipartForm,
) -> Response {
    let token = PreSessionToken::for_request(&headers, ctx.secure);
    let given = form.raw("csrf").unwrap_or("");
    let csrf_ok = match ctx.session() {
        Some(s) => super::csrf_ok(s, given),
        None => {
            token.set_cookie.is_none()
                && crate::auth::constant_time_eq(given.as_bytes(), token.token.as_bytes())
        }
    };
    if !csrf_ok {
        return ctx.csrf_refused();
    }
    let t = ctx.t();
    let file = |name: &str| form.files.iter().find(|f| f.name == name);
    let mut errors = crate::pages::forms::FormErrors::none();
    if file("document").is_none() {
        errors.push("document", t.get("verify_signature.error.document"));
    }
    if file("signature").is_none() {
        errors.push("signature", t.get("verify_signature.error.signature"));
    }
    let (Some(document), Some(signature)) = (file("document"), file("signature")) else {
        return render_verify(&ctx, &token, StatusCode::UNPROCESSABLE_ENTITY, errors, None);
    };
    let check = match state
        .dossiers
        .verify_signature(&document.bytes, &signature.bytes)
        .await
    {
        Ok(check) => check,
        Err(AppError::Invalid(invalid)) => {
            let message = t.fill("form.invalid.other", &[("reason", &invalid.reason)]);
            let errors = crate::pages::forms::FormErrors::one("signature", message);
            return render_verify(&ctx, &token, StatusCode::UNPROCESSABLE_ENTITY, errors, None);
        }
        Err(e) => return ctx.app_error(e),
    };
    let mut facts = Vec::new();
    let mut push = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            facts.push(Fact {
                label: t.get(key).to_owned(),
                value,
            });
        }
    };
    push("verify_signature.signer", check.signer.clone());
    push("verify_signature.agency", check.agency_code.clone());
    push(
        "verify_signature.signed_at",
        check.signed_at.map(|at| when(ctx.lang, at)),
    );
    push("dossier.code", check.dossier_code.clone());
    push("verify_signature.problem", check.problem.clone());
    let outcome = Outcome {
        valid: check.valid,
        heading: t
            .get(if check.valid {
                "verify_signature.valid"
            } else {
                "verify_signature.invalid"
            })
            .to_owned(),
        facts,
    };
    render_verify(
        &ctx,
        &token,
        StatusCode::OK,
        crate::pages::forms::FormErrors::none(),
        Some(outcome),
    )
}

/// `GET /kiem-tra-chu-ky/chung-thu-goc.pem`: the root certificate.
pub async fn root_certificate(State(state): State<AppState>, ctx: PageCtx) -> Response {
    match state.dossiers.root_certificate_pem().await {
        Ok(pem) => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/x-pem-file"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"egov-root-ca.pem\""),
                ),
            ],
            pem,
        )
            .into_response(),
        Err(e) => ctx.app_error(e),
    }
}
