//! Applying online: the start page of a service (`/nop-ho-so/{procedure}`),
//! the application form of a draft (`/ho-so-nhap/{draft}`) and the
//! confirmation with the dossier code (`/ho-so/{code}/da-nop`).
//!
//! The form is one `multipart/form-data` form: every button saves what was
//! typed and uploads the chosen files first, so nothing typed is lost when a
//! file is added or removed; "submit" then files the dossier. The first
//! button of the form is "save", so Enter in a field saves.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use egov_app::dossiers::{DraftView, UploadTarget};
use egov_app::AppError;
use egov_domain::service::{FieldKind, ServiceDefinition};
use jiff::Timestamp;

use super::form_view::{errors_from, values_from, FieldView, FormRenderer};
use super::upload::upload_file;
use super::{done_param, signed_in, signed_in_form, status_text, when, MultipartForm};
use crate::auth::FormData;
use crate::i18n::Messages;
use crate::pages::forms::{FormErrors, INVALID};
use crate::pages::{encode, see_other, time_unit_key, Choice, Chrome, PageCtx, PagePath, Section};
use crate::state::AppState;

/// The address of a draft's form.
pub fn draft_href(id: &str) -> String {
    format!("/ho-so-nhap/{}", encode(id))
}

/// The address of a dossier's page.
pub fn dossier_href(code: &str) -> String {
    format!("/ho-so/{}", encode(code))
}

/// A label and a value.
pub struct Fact {
    pub label: String,
    pub value: String,
}

pub fn fact(label: &str, value: impl Into<String>) -> Fact {
    Fact {
        label: label.to_owned(),
        value: value.into(),
    }
}

/// The legal deadline in words: `5 ngày làm việc`.
fn deadline_text(t: Messages, service: &ServiceDefinition) -> String {
    format!(
        "{} {}",
        service.deadline.amount,
        t.label("time_unit", time_unit_key(service.deadline.unit))
    )
}

/// An agency's name, or its code when it is not in the catalogue.
pub async fn agency_name(state: &AppState, code: &str) -> String {
    match state.catalogue.agency(code).await {
        Ok(a) => a.name,
        Err(_) => code.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "service_start.html")]
struct StartPage {
    chrome: Chrome,
    csrf: String,
    procedure_code: String,
    name: String,
    facts: Vec<Fact>,
    fees: Vec<Fact>,
    documents: Vec<String>,
    agencies: Vec<Choice>,
    drafts: Vec<(String, String)>,
    action: String,
}

/// `GET /nop-ho-so/{procedure}`: what the application takes, and the
/// button that starts it (after signing in).
pub async fn start_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(code): PagePath<String>,
) -> Response {
    let back = format!("/nop-ho-so/{}", encode(&code));
    let session = match signed_in(&ctx, &back) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let t = ctx.t();
    let lang = ctx.lang.code();
    let (_, service) = match state.dossiers.service(&code).await {
        Ok(s) => s,
        Err(e) => return ctx.app_error(e),
    };
    let drafts = match state.dossiers.drafts(&ctx.caller.actor).await {
        Ok(drafts) => drafts,
        // Officials have no drafts; the start button tells them they cannot apply.
        Err(AppError::Denied(_)) => Vec::new(),
        Err(e) => return ctx.app_error(e),
    };
    let mut agencies = Vec::new();
    for (i, a) in service.agencies.iter().enumerate() {
        agencies.push(Choice {
            value: a.clone(),
            label: agency_name(&state, a).await,
            selected: i == 0,
        });
    }
    let name = service.name.get(lang).to_owned();
    let page = StartPage {
        chrome: ctx.chrome(name.clone(), Section::Procedures),
        csrf: session.csrf.clone(),
        procedure_code: service.procedure_code.to_string(),
        facts: vec![
            fact(t.get("procedure.code"), service.procedure_code.to_string()),
            fact(t.get("apply.deadline"), deadline_text(t, &service)),
            fact(t.get("apply.result"), service.result.title.get(lang)),
        ],
        fees: service
            .fees
            .iter()
            .map(|f| fact(f.label.get(lang), f.amount.to_string()))
            .collect(),
        documents: service
            .form
            .documents()
            .map(|d| {
                let label = d.label.get(lang).to_owned();
                if d.required {
                    label
                } else {
                    format!("{label} ({})", t.get("apply.optional"))
                }
            })
            .collect(),
        agencies,
        drafts: drafts
            .iter()
            .filter(|d| d.procedure_code == service.procedure_code)
            .map(|d| {
                (
                    draft_href(&d.id),
                    t.fill(
                        "apply.continue_draft",
                        &[("date", &when(ctx.lang, d.updated_at))],
                    ),
                )
            })
            .collect(),
        action: back,
        name,
    };
    ctx.render(StatusCode::OK, &page)
}

/// `POST /nop-ho-so/{procedure}` (`csrf`, `agency`): a new draft, then its form.
pub async fn start(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(code): PagePath<String>,
    form: FormData,
) -> Response {
    let back = format!("/nop-ho-so/{}", encode(&code));
    if let Err(r) = signed_in_form(&ctx, &back, form.raw("csrf")) {
        return *r;
    }
    let agency = form.optional("agency");
    let result = state
        .dossiers
        .start_application(
            &ctx.caller.actor,
            &code,
            agency.as_deref(),
            Timestamp::now(),
        )
        .await;
    match result {
        Ok(draft) => ctx.finish(see_other(&draft_href(&draft.id))),
        Err(e) => ctx.app_error(e),
    }
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
    chrome: Chrome,
    csrf: String,
    action: String,
    discard_action: String,
    name: String,
    procedure_code: String,
    agency: String,
    saved: String,
    notice: Option<String>,
    fields: Vec<FieldView>,
    errors: FormErrors,
}

/// The form page of a draft with `errors`.
async fn render_draft(
    state: &AppState,
    ctx: &PageCtx,
    view: DraftView,
    status: StatusCode,
    notice: Option<String>,
    errors: FormErrors,
) -> Response {
    let Some(session) = ctx.session() else {
        return ctx.sign_in_redirect();
    };
    let t = ctx.t();
    let lang = ctx.lang.code();
    let agency = agency_name(state, &view.draft.agency_code).await;
    let href = |a: &egov_app::ports::Attachment| format!("/ho-so/tep/{}", encode(&a.id));
    let fields = FormRenderer {
        t,
        spec: &view.service.form,
        values: &view.draft.values,
        attachments: &view.attachments,
        errors: &errors,
        file_href: &href,
    }
    .fields();
    let name = view.service.name.get(lang).to_owned();
    let page = DraftPage {
        chrome: ctx.chrome(
            t.fill("apply.title", &[("name", name.as_str())]),
            Section::Account,
        ),
        csrf: session.csrf.clone(),
        action: draft_href(&view.draft.id),
        discard_action: format!("{}/xoa", draft_href(&view.draft.id)),
        procedure_code: view.draft.procedure_code.to_string(),
        agency,
        saved: when(ctx.lang, view.draft.updated_at),
        notice,
        fields,
        errors,
        name,
    };
    ctx.render(status, &page)
}

/// `GET /ho-so-nhap/{draft}?done=`
pub async fn draft_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<String>,
    uri: Uri,
) -> Response {
    if let Err(r) = signed_in(&ctx, &draft_href(&id)) {
        return *r;
    }
    let t = ctx.t();
    let notice = match done_param(&uri).as_deref() {
        Some("saved") => Some(t.get("apply.notice.saved").to_owned()),
        Some("uploaded") => Some(t.get("apply.notice.uploaded").to_owned()),
        Some("removed") => Some(t.get("apply.notice.removed").to_owned()),
        _ => None,
    };
    show_draft(
        &state,
        &ctx,
        &id,
        StatusCode::OK,
        notice,
        FormErrors::none(),
    )
    .await
}

/// `POST /ho-so-nhap/{draft}` (multipart): saves the values, removes the
/// file named by `remove`, uploads the chosen files; `action=submit` then
/// submits. Answers with a redirect, or the form with its errors.
pub async fn draft_post(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<String>,
    form: MultipartForm,
) -> Response {
    if let Err(r) = signed_in_form(&ctx, &draft_href(&id), form.raw("csrf")) {
        return *r;
    }
    let t = ctx.t();
    let actor = &ctx.caller.actor;
    let dossiers = &state.dossiers;
    let now = Timestamp::now();
    let view = match dossiers.draft(actor, &id).await {
        Ok(view) => view,
        Err(e) => return ctx.app_error(e),
    };
    let get = |name: &str| form.optional(name);
    let values = values_from(&view.service.form, &get);
    if let Err(e) = dossiers.save_draft(actor, &id, values, now).await {
        return ctx.app_error(e);
    }
    let mut errors = FormErrors::none();
    let mut fragment = String::new();
    let removed = form.optional("remove");
    if let Some(attachment) = &removed {
        match dossiers.remove_attachment(actor, attachment).await {
            // Removed already (a second click): nothing to do.
            Ok(()) | Err(AppError::NotFound { .. }) => {}
            Err(e) => return ctx.app_error(e),
        }
    }
    let mut uploaded = false;
    for (key, file) in form.documents() {
        let is_document = matches!(
            view.service.form.field(key),
            Some(f) if matches!(f.kind, FieldKind::File { .. })
        );
        if !is_document {
            continue;
        }
        fragment = format!("#file-{key}");
        let target = UploadTarget::Draft(id.clone());
        match upload_file(&state, &ctx, target, key, file, now).await {
            Ok(None) => uploaded = true,
            Ok(Some(refused)) => errors.push(&format!("file-{key}"), refused),
            Err(e) => return ctx.app_error(e),
        }
    }
    if !errors.is_empty() {
        return show_draft(&state, &ctx, &id, INVALID, None, errors).await;
    }
    if form.text("action") == "submit" {
        return match dossiers.submit(actor, &id, None, now).await {
            Ok((dossier, _)) => ctx.finish(see_other(&format!(
                "{}/da-nop",
                dossier_href(&dossier.code.to_string())
            ))),
            Err(AppError::Form(e)) => {
                let errors = errors_from(t, &view.service.form, &e.0);
                show_draft(&state, &ctx, &id, INVALID, None, errors).await
            }
            Err(e) => ctx.app_error(e),
        };
    }
    let done = if removed.is_some() {
        "removed"
    } else if uploaded {
        "uploaded"
    } else {
        "saved"
    };
    ctx.finish(see_other(&format!(
        "{}?done={done}{fragment}",
        draft_href(&id)
    )))
}

/// The form of the draft as saved, with `notice` or `errors`.
async fn show_draft(
    state: &AppState,
    ctx: &PageCtx,
    id: &str,
    status: StatusCode,
    notice: Option<String>,
    errors: FormErrors,
) -> Response {
    match state.dossiers.draft(&ctx.caller.actor, id).await {
        Ok(view) => render_draft(state, ctx, view, status, notice, errors).await,
        Err(e) => ctx.app_error(e),
    }
}

/// `POST /ho-so-nhap/{draft}/xoa` (`csrf`): discards the draft.
pub async fn discard(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<String>,
    form: FormData,
) -> Response {
    if let Err(r) = signed_in_form(&ctx, &draft_href(&id), form.raw("csrf")) {
        return *r;
    }
    match state.dossiers.discard_draft(&ctx.caller.actor, &id).await {
        Ok(()) => ctx.finish(see_other("/ho-so?done=discarded")),
        Err(e) => ctx.app_error(e),
    }
}

#[derive(Template)]
#[template(path = "apply_done.html")]
struct DonePage {
    chrome: Chrome,
    code: String,
    dossier_href: String,
    lookup_href: String,
    facts: Vec<Fact>,
}

/// `GET /ho-so/{code}/da-nop`: the dossier code and what happens next.
pub async fn submitted(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(code): PagePath<String>,
) -> Response {
    let href = dossier_href(&code);
    if let Err(r) = signed_in(&ctx, &format!("{href}/da-nop")) {
        return *r;
    }
    let t = ctx.t();
    let view = match state
        .dossiers
        .dossier(&ctx.caller.actor, &code, Timestamp::now())
        .await
    {
        Ok(view) => view,
        Err(e) => return ctx.app_error(e),
    };
    let d = &view.dossier;
    let code = d.code.to_string();
    let page = DonePage {
        chrome: ctx.chrome(t.get("apply.done.title"), Section::Account),
        facts: vec![
            fact(t.get("dossier.procedure"), d.procedure_name.clone()),
            fact(
                t.get("dossier.receiving_agency"),
                agency_name(&state, &d.receiving_agency).await,
            ),
            fact(
                t.get("dossier.submitted_at"),
                when(ctx.lang, d.submitted_at),
            ),
            fact(t.get("dossier.status"), status_text(t, d.status)),
        ],
        lookup_href: format!("/tra-cuu/{}", encode(&code)),
        dossier_href: href,
        code,
    };
    ctx.render(StatusCode::OK, &page)
}
