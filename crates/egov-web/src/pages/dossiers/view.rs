//! One dossier (`/ho-so/{code}`) as its applicant or an official sees it:
//! status, dates, timeline, messages, documents, and a form for each action
//! the use case allows this person now (`DossierView::allowed`; the forms
//! are built in `actions`). Also the actions themselves
//! (`/ho-so/{code}/thao-tac`, `/ho-so/{code}/bo-sung`), the withdrawal's
//! confirmation and the downloads.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use egov_app::dossiers::{Command, DossierView, UploadTarget};
use egov_app::ports::DocumentKind;
use egov_domain::dossier::{DossierCode, Transition};
use egov_domain::service::{FieldKind, FieldSpec};
use jiff::Timestamp;
use serde_json::Value;

use super::actions::{action_forms, command, refusal, ActionForm, Typed};
use super::apply::{agency_name, dossier_href, fact, Fact};
use super::form_view::human_size;
use super::upload::upload_file;
use super::{
    deadline_flag, done_param, download, role_text, signed_in, signed_in_form, status_text, when,
    MultipartForm,
};
use crate::auth::FormData;
use crate::pages::forms::{FormErrors, INVALID};
use crate::pages::{encode, see_other, Chrome, PageCtx, PagePath, Section};
use crate::state::AppState;

/// A value of the filed form: a label and its text, or a table's rows.
pub struct ValueView {
    pub label: String,
    pub value: String,
    pub rows: Vec<Vec<Fact>>,
}

/// A file to download.
pub struct FileLink {
    pub href: String,
    pub label: String,
    pub detail: String,
}

/// One line of the timeline.
pub struct TimelineView {
    pub at: String,
    pub action: String,
    pub change: String,
    pub by: String,
    pub note: String,
    pub due: String,
}

/// A message on the dossier.
pub struct MessageView {
    pub at: String,
    pub by: String,
    pub text: String,
}

/// A document field of the supplement form.
pub struct SupplementDoc {
    pub id: String,
    pub name: String,
    pub label: String,
    pub accept: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    chrome: Chrome,
    csrf: String,
    code: String,
    href: String,
    heading: String,
    status: String,
    deadline: String,
    deadline_class: &'static str,
    facts: Vec<Fact>,
    notice: Option<String>,
    errors: FormErrors,
    values: Vec<ValueView>,
    attachments: Vec<FileLink>,
    documents: Vec<FileLink>,
    has_result: bool,
    slips: Vec<FileLink>,
    timeline: Vec<TimelineView>,
    messages: Vec<MessageView>,
    actions: Vec<ActionForm>,
    supplement: Option<Vec<SupplementDoc>>,
    supplement_note: String,
    supplement_error: Option<String>,
    withdraw_href: Option<String>,
    is_official: bool,
}

/// The filed form's values, labelled (documents are listed apart).
fn values_of(lang: &str, fields: &[FieldSpec], form: &Value) -> Vec<ValueView> {
    let text = |field: &FieldSpec, value: &Value| -> String {
        let raw = match value {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        match &field.kind {
            FieldKind::Choice { options } => options
                .iter()
                .find(|o| o.value == raw)
                .map(|o| o.label.get(lang).to_owned())
                .unwrap_or(raw),
            _ => raw,
        }
    };
    let mut out = Vec::new();
    for field in fields {
        let Some(value) = form.get(&field.key) else {
            continue;
        };
        let label = field.label.get(lang).to_owned();
        match &field.kind {
            FieldKind::File { .. } => {}
            FieldKind::Table { columns, .. } => {
                let rows = value
                    .as_array()
                    .map(|rows| {
                        rows.iter()
                            .map(|row| {
                                columns
                                    .iter()
                                    .filter_map(|c| {
                                        row.get(&c.key).map(|v| fact(c.label.get(lang), text(c, v)))
                                    })
                                    .collect()
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(ValueView {
                    label,
                    value: String::new(),
                    rows,
                });
            }
            _ => out.push(ValueView {
                label,
                value: text(field, value),
                rows: Vec::new(),
            }),
        }
    }
    out
}

/// The page of `view` for the signed-in person.
async fn render(state: &AppState, ctx: &PageCtx, view: DossierView, shown: Shown) -> Response {
    let Shown {
        status,
        notice,
        errors,
        typed,
    } = shown;
    let Some(session) = ctx.session() else {
        return ctx.sign_in_redirect();
    };
    let t = ctx.t();
    let lang = ctx.lang.code();
    let d = &view.dossier;
    let code = d.code.to_string();
    let href = dossier_href(&code);
    let is_applicant = d.applicant == session.account.id;
    let allowed = &view.allowed;
    let specialists = if allowed.contains(&Transition::Assign) {
        match state.dossiers.specialists(&ctx.caller.actor, &code).await {
            Ok(list) => list,
            Err(e) => return ctx.app_error(e),
        }
    } else {
        Vec::new()
    };
    let (deadline, deadline_class) = deadline_flag(t, view.deadline);
    let step_name = view
        .service
        .workflow
        .get(d.step as usize)
        .map_or(view.step_name.as_str(), |s| s.name.get(lang));
    let step = match view.step_role {
        Some(role) => format!("{step_name} ({})", role_text(t, Some(role))),
        None => step_name.to_owned(),
    };
    let mut facts = vec![
        fact(t.get("dossier.code"), code.clone()),
        fact(
            t.get("dossier.procedure"),
            format!("{} ({})", d.procedure_name, d.procedure_code),
        ),
        fact(t.get("dossier.applicant"), d.applicant_name.clone()),
        fact(t.get("dossier.step"), step),
        fact(
            t.get("dossier.submitted_at"),
            when(ctx.lang, d.submitted_at),
        ),
    ];
    let mut push = |key: &str, at: Option<Timestamp>| {
        if let Some(at) = at {
            facts.push(fact(t.get(key), when(ctx.lang, at)));
        }
    };
    push("dossier.received_at", d.received_at);
    push("dossier.due_at", view.effective_due_at);
    push("dossier.finished_at", d.finished_at);
    push("dossier.returned_at", d.returned_at);
    facts.push(fact(
        t.get("dossier.receiving_agency"),
        agency_name(state, &d.receiving_agency).await,
    ));
    if d.handling_agency != d.receiving_agency {
        facts.push(fact(
            t.get("dossier.handling_agency"),
            agency_name(state, &d.handling_agency).await,
        ));
    }
    if let Some(rating) = d.rating {
        facts.push(fact(
            t.get("dossier.rating"),
            t.label("rating", &rating.to_string()),
        ));
    }
    let document_label = |key: &str| {
        view.service
            .form
            .field(key)
            .map(|f| f.label.get(lang).to_owned())
            .unwrap_or_else(|| key.to_owned())
    };
    let attachments = view
        .attachments
        .iter()
        .map(|a| FileLink {
            href: format!("/ho-so/tep/{}", encode(&a.id)),
            label: a.file_name.clone(),
            detail: format!(
                "{} · {} · {}",
                document_label(&a.document_key),
                human_size(ctx.lang, a.size),
                when(ctx.lang, a.uploaded_at)
            ),
        })
        .collect();
    let documents: Vec<FileLink> = view
        .documents
        .iter()
        .map(|doc| FileLink {
            href: format!("/ho-so/tai-lieu/{}", encode(&doc.id)),
            label: t.label("document_kind", doc.kind.as_str()),
            detail: format!("{} · {}", doc.file_name, when(ctx.lang, doc.issued_at)),
        })
        .collect();
    let has_result = view
        .documents
        .iter()
        .any(|doc| doc.kind == DocumentKind::ResultSignature);
    let slips = if is_applicant {
        Vec::new()
    } else {
        vec![FileLink {
            href: format!("{href}/phieu/{}", DocumentKind::ControlSlip.as_str()),
            label: t.label("document_kind", DocumentKind::ControlSlip.as_str()),
            detail: String::new(),
        }]
    };
    let by = |role: &Option<String>| match role.as_deref() {
        Some("applicant") | None => t.get("dossier.by_applicant").to_owned(),
        Some(r) => t.label("role", r),
    };
    let timeline = view
        .timeline
        .iter()
        .map(|e| TimelineView {
            at: when(ctx.lang, e.at),
            action: t.label("dossier_action", &e.action),
            change: match (e.from, e.to) {
                (Some(from), Some(to)) if from != to => format!(
                    "{} → {}",
                    t.label("dossier_status", from.as_str()),
                    t.label("dossier_status", to.as_str())
                ),
                _ => String::new(),
            },
            by: by(&e.actor_role),
            note: if e.action == "message" {
                String::new()
            } else {
                e.note.clone().unwrap_or_default()
            },
            due: e
                .due_at
                .map(|at| t.fill("dossier.timeline.due", &[("date", &when(ctx.lang, at))]))
                .unwrap_or_default(),
        })
        .collect();
    let messages = view
        .timeline
        .iter()
        .filter(|e| e.action == "message")
        .map(|e| MessageView {
            at: when(ctx.lang, e.at),
            by: by(&e.actor_role),
            text: e.note.clone().unwrap_or_default(),
        })
        .collect();
    let supplement = allowed.contains(&Transition::Supplement).then(|| {
        view.service
            .form
            .documents()
            .map(|f| {
                let id = format!("supplement-file-{}", f.key);
                SupplementDoc {
                    error: errors.of(&id).map(str::to_owned),
                    name: format!("file.{}", f.key),
                    label: f.label.get(lang).to_owned(),
                    accept: match &f.kind {
                        FieldKind::File { accept, .. } => accept
                            .iter()
                            .map(|m| format!(".{},{}", m.extension(), m.as_mime()))
                            .collect::<Vec<_>>()
                            .join(","),
                        _ => String::new(),
                    },
                    id,
                }
            })
            .collect()
    });
    let page = DossierPage {
        chrome: ctx.chrome(
            t.fill("dossier.title", &[("code", code.as_str())]),
            Section::Account,
        ),
        csrf: session.csrf.clone(),
        heading: d.procedure_name.clone(),
        status: status_text(t, d.status),
        deadline,
        deadline_class,
        facts,
        notice,
        values: values_of(lang, &view.service.form.fields, &d.form),
        attachments,
        documents,
        has_result,
        slips,
        timeline,
        messages,
        actions: action_forms(t, allowed, &specialists, &typed, &errors),
        supplement,
        supplement_note: typed.value("supplement", "note"),
        supplement_error: errors.of("act-supplement").map(str::to_owned),
        withdraw_href: allowed
            .contains(&Transition::Withdraw)
            .then(|| format!("{href}/rut-ho-so")),
        is_official: !is_applicant,
        errors,
        code,
        href,
    };
    ctx.render(status, &page)
}

/// `GET /ho-so/{code}?done=`
pub async fn dossier(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(code): PagePath<String>,
    uri: Uri,
) -> Response {
    if let Err(r) = signed_in(&ctx, &dossier_href(&code)) {
        return *r;
    }
    let t = ctx.t();
    let notice = done_param(&uri).and_then(|done| match done.as_str() {
        "uploaded" => Some(t.get("dossier.notice.uploaded").to_owned()),
        other => Transition::parse(other).map(|a| t.label("act.done", a.as_str())),
    });
    let shown = Shown {
        status: StatusCode::OK,
        notice,
        errors: FormErrors::none(),
        typed: Typed::default(),
    };
    show(&state, &ctx, &code, shown).await
}

/// What the dossier page shows besides the dossier: a notice, or the
/// errors of an action with what was typed.
struct Shown {
    status: StatusCode,
    notice: Option<String>,
    errors: FormErrors,
    typed: Typed,
}

impl Shown {
    /// The errors of an action, with what was typed.
    fn errors(status: StatusCode, errors: FormErrors, typed: Typed) -> Self {
        Self {
            status,
            notice: None,
            errors,
            typed,
        }
    }
}

/// The dossier page as it is now.
async fn show(state: &AppState, ctx: &PageCtx, code: &str, shown: Shown) -> Response {
    match state
        .dossiers
        .dossier(&ctx.caller.actor, code, Timestamp::now())
        .await
    {
        Ok(view) => render(state, ctx, view, shown).await,
        Err(e) => ctx.app_error(e),
    }
}

/// `POST /ho-so/{code}/thao-tac` (`csrf`, `action` and the action's inputs).
pub async fn act(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(code): PagePath<String>,
    form: FormData,
) -> Response {
    let href = dossier_href(&code);
    if let Err(r) = signed_in_form(&ctx, &href, form.raw("csrf")) {
        return *r;
    }
    let t = ctx.t();
    let name = form.text("action");
    let Some(action) = Transition::parse(&name) else {
        return ctx.problem_page(&crate::problem::Problem::field(
            "action",
            "not an action on dossiers",
        ));
    };
    let typed = Typed {
        action: name.clone(),
        values: [
            "reason",
            "note",
            "text",
            "specialist",
            "agency",
            "new_due",
            "rating",
            "comment",
        ]
        .iter()
        .map(|n| ((*n).to_owned(), form.text(n)))
        .collect(),
    };
    let withdrawing = action == Transition::Withdraw;
    let command = match command(t, action, &form) {
        Ok(c) => c,
        Err(errors) if withdrawing => {
            return render_withdraw(
                &ctx,
                &code,
                INVALID,
                &typed.value("withdraw", "reason"),
                errors,
            )
        }
        Err(errors) => {
            return show(&state, &ctx, &code, Shown::errors(INVALID, errors, typed)).await
        }
    };
    let result = state
        .dossiers
        .act(&ctx.caller.actor, &code, command, Timestamp::now())
        .await;
    match result {
        Ok(_) => ctx.finish(see_other(&format!("{href}?done={name}"))),
        Err(e) => match refusal(t, &name, e) {
            Ok((status, errors)) if withdrawing && status == INVALID => render_withdraw(
                &ctx,
                &code,
                status,
                &typed.value("withdraw", "reason"),
                errors,
            ),
            Ok((status, errors)) => {
                show(&state, &ctx, &code, Shown::errors(status, errors, typed)).await
            }
            Err(e) => ctx.app_error(e),
        },
    }
}

/// `POST /ho-so/{code}/bo-sung` (multipart: `csrf`, `note`, `file.{key}`…,
/// `action` = `upload` or `send`): adds the chosen files to the dossier; `send`
/// then tells the officials the supplement is complete.
pub async fn supplement(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(code): PagePath<String>,
    form: MultipartForm,
) -> Response {
    let href = dossier_href(&code);
    if let Err(r) = signed_in_form(&ctx, &href, form.raw("csrf")) {
        return *r;
    }
    let Ok(dossier_code) = DossierCode::parse(&code) else {
        return ctx.problem_page(&crate::problem::Problem::not_found("no such dossier"));
    };
    let t = ctx.t();
    let now = Timestamp::now();
    let typed = Typed {
        action: "supplement".into(),
        values: vec![("note".into(), form.text("note"))],
    };
    let mut errors = FormErrors::none();
    for (key, file) in form.documents() {
        let target = UploadTarget::Dossier(dossier_code.clone());
        match upload_file(&state, &ctx, target, key, file, now).await {
            Ok(None) => {}
            Ok(Some(refused)) => errors.push(&format!("supplement-file-{key}"), refused),
            Err(e) => return ctx.app_error(e),
        }
    }
    if !errors.is_empty() {
        return show(&state, &ctx, &code, Shown::errors(INVALID, errors, typed)).await;
    }
    if form.text("action") != "send" {
        return ctx.finish(see_other(&format!("{href}?done=uploaded#act-supplement")));
    }
    let command = Command::Supplement {
        note: form.text("note"),
    };
    match state
        .dossiers
        .act(&ctx.caller.actor, &code, command, now)
        .await
    {
        Ok(_) => ctx.finish(see_other(&format!("{href}?done=supplement"))),
        Err(e) => match refusal(t, "supplement", e) {
            Ok((status, errors)) => {
                show(&state, &ctx, &code, Shown::errors(status, errors, typed)).await
            }
            Err(e) => ctx.app_error(e),
        },
    }
}

#[derive(Template)]
#[template(path = "dossier_withdraw.html")]
struct WithdrawPage {
    chrome: Chrome,
    csrf: String,
    code: String,
    href: String,
    reason: String,
    reason_error: Option<String>,
    errors: FormErrors,
}

fn render_withdraw(
    ctx: &PageCtx,
    code: &str,
    status: StatusCode,
    reason: &str,
    errors: FormErrors,
) -> Response {
    let Some(session) = ctx.session() else {
        return ctx.sign_in_redirect();
    };
    let t = ctx.t();
    let page = WithdrawPage {
        chrome: ctx.chrome(t.get("withdraw.title"), Section::Account),
        csrf: session.csrf.clone(),
        code: code.to_owned(),
        href: dossier_href(code),
        reason: reason.to_owned(),
        reason_error: errors.of("withdraw-reason").map(str::to_owned),
        errors,
    };
    ctx.render(status, &page)
}

/// `GET /ho-so/{code}/rut-ho-so`: asks to confirm the withdrawal.
pub async fn withdraw_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(code): PagePath<String>,
) -> Response {
    let href = dossier_href(&code);
    if let Err(r) = signed_in(&ctx, &format!("{href}/rut-ho-so")) {
        return *r;
    }
    match state
        .dossiers
        .dossier(&ctx.caller.actor, &code, Timestamp::now())
        .await
    {
        Ok(view) if view.allowed.contains(&Transition::Withdraw) => {
            render_withdraw(&ctx, &code, StatusCode::OK, "", FormErrors::none())
        }
        Ok(_) => ctx.finish(see_other(&href)),
        Err(e) => ctx.app_error(e),
    }
}

/// `GET /ho-so/tai-lieu/{id}`: an issued document (slip, result, signature).
pub async fn document(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<String>,
) -> Response {
    if ctx.session().is_none() {
        return ctx.sign_in_redirect();
    }
    match state.dossiers.document_file(&ctx.caller.actor, &id).await {
        Ok((doc, bytes)) => download(&ctx, bytes, &doc.content_type, &doc.file_name),
        Err(e) => ctx.app_error(e),
    }
}

/// `GET /ho-so/tep/{id}`: an attached file.
pub async fn attachment(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<String>,
) -> Response {
    if ctx.session().is_none() {
        return ctx.sign_in_redirect();
    }
    match state.dossiers.attachment_file(&ctx.caller.actor, &id).await {
        Ok((a, bytes)) => download(&ctx, bytes, a.media_type.as_mime(), &a.file_name),
        Err(e) => ctx.app_error(e),
    }
}

/// `GET /ho-so/{code}/phieu/{kind}`: a slip made now (e.g. the process
/// control slip), to print.
pub async fn slip(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath((code, kind)): PagePath<(String, String)>,
) -> Response {
    if ctx.session().is_none() {
        return ctx.sign_in_redirect();
    }
    let Some(kind) = DocumentKind::parse(&kind) else {
        return ctx.problem_page(&crate::problem::Problem::not_found("no such slip"));
    };
    match state
        .dossiers
        .slip(&ctx.caller.actor, &code, kind, Timestamp::now())
        .await
    {
        Ok(bytes) => download(
            &ctx,
            bytes,
            "application/pdf",
            &format!("{}-{code}.pdf", kind.as_str()),
        ),
        Err(e) => ctx.app_error(e),
    }
}
