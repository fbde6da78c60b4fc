//! The lists of dossiers: the applicant's own (`/ho-so`, with the drafts)
//! and the officials' inbox (`/hop-ho-so`) with its filters. Deadline flags
//! are words, not colour alone.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use egov_app::dossiers::{InboxItem, InboxQuery};
use egov_domain::dossier::DossierStatus;
use egov_domain::PageRequest;
use jiff::Timestamp;

use super::apply::{dossier_href, draft_href};
use super::{deadline_flag, list_pager, list_query, signed_in, status_text, when, PER_PAGE};
use crate::extract::{Paging, QueryReader, MAX_TEXT};
use crate::i18n::Messages;
use crate::pages::{href, Choice, Chrome, PageCtx, Pager, Section};
use crate::problem::Problem;
use crate::state::AppState;

/// A dossier in a list.
pub struct Line {
    pub href: String,
    pub code: String,
    pub procedure: String,
    pub applicant: String,
    pub status: String,
    pub deadline: String,
    pub deadline_class: &'static str,
    pub due: String,
    pub submitted: String,
}

fn line(t: Messages, lang: crate::i18n::Lang, item: InboxItem) -> Line {
    let d = item.dossier;
    let (deadline, deadline_class) = deadline_flag(t, item.deadline);
    let code = d.code.to_string();
    Line {
        href: dossier_href(&code),
        procedure: d.procedure_name,
        applicant: d.applicant_name,
        status: status_text(t, d.status),
        deadline,
        deadline_class,
        due: d
            .deadline_at
            .or(d.due_at)
            .map(|at| when(lang, at))
            .unwrap_or_default(),
        submitted: when(lang, d.submitted_at),
        code,
    }
}

/// A draft in the applicant's list.
pub struct DraftLine {
    pub href: String,
    pub procedure: String,
    pub saved: String,
}

#[derive(Template)]
#[template(path = "dossiers.html")]
struct MinePage {
    chrome: Chrome,
    notice: Option<String>,
    drafts: Vec<DraftLine>,
    lines: Vec<Line>,
    summary: String,
    pager: Pager,
}

/// `GET /ho-so?page=&done=`: my dossiers, newest first, and my drafts.
pub async fn mine(State(state): State<AppState>, ctx: PageCtx, uri: Uri) -> Response {
    if let Err(r) = signed_in(&ctx, "/ho-so") {
        return *r;
    }
    let t = ctx.t();
    let (query, paging) = match list_query(&ctx, &uri) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let actor = &ctx.caller.actor;
    let list = match state.dossiers.my_dossiers(actor, paging.request()).await {
        Ok(list) => list,
        Err(e) => return ctx.app_error(e),
    };
    let drafts = match state.dossiers.drafts(actor).await {
        Ok(drafts) => drafts,
        // Officials do not apply: no drafts.
        Err(egov_app::AppError::Denied(_)) => Vec::new(),
        Err(e) => return ctx.app_error(e),
    };
    let mut names = std::collections::HashMap::new();
    for d in &drafts {
        let code = d.procedure_code.to_string();
        if let std::collections::hash_map::Entry::Vacant(entry) = names.entry(code) {
            let name = match state.dossiers.service(entry.key()).await {
                Ok((_, s)) => s.name.get(ctx.lang.code()).to_owned(),
                Err(_) => entry.key().clone(),
            };
            entry.insert(name);
        }
    }
    let notice = match query.text("done", 20).ok().flatten().as_deref() {
        Some("discarded") => Some(t.get("dossiers.notice.discarded").to_owned()),
        _ => None,
    };
    let view = MinePage {
        chrome: ctx.chrome(t.get("dossiers.title"), Section::Account),
        notice,
        drafts: drafts
            .iter()
            .map(|d| DraftLine {
                href: draft_href(&d.id),
                procedure: names
                    .get(&d.procedure_code.to_string())
                    .cloned()
                    .unwrap_or_default(),
                saved: when(ctx.lang, d.updated_at),
            })
            .collect(),
        summary: t.fill("dossiers.total", &[("total", &list.total.to_string())]),
        pager: list_pager("/ho-so", paging, list.total),
        lines: list
            .items
            .into_iter()
            .map(|i| line(t, ctx.lang, i))
            .collect(),
    };
    ctx.render(StatusCode::OK, &view)
}

/// The inbox's filters as typed.
#[derive(Debug, Default, Clone)]
struct Filters {
    status: Option<DossierStatus>,
    overdue: bool,
    mine: bool,
    all: bool,
    code: Option<String>,
    procedure: Option<String>,
    page: u32,
}

impl Filters {
    fn read(query: &QueryReader) -> Result<Self, Problem> {
        let status = match query.text("status", 40)? {
            Some(s) => Some(
                DossierStatus::parse(&s)
                    .ok_or_else(|| Problem::parameter("status", "not a dossier status"))?,
            ),
            None => None,
        };
        let flag = |name: &str| -> Result<bool, Problem> {
            Ok(query.text(name, 10)?.as_deref() == Some("1"))
        };
        Ok(Self {
            status,
            overdue: flag("overdue")?,
            mine: flag("mine")?,
            all: flag("all")?,
            code: query.text("code", MAX_TEXT)?,
            procedure: query.text("procedure", MAX_TEXT)?,
            page: query.number("page", 1, Paging::MAX_PAGE)?.unwrap_or(1),
        })
    }

    fn link(&self, page: u32) -> String {
        let mut pairs = Vec::new();
        let mut push = |k: &str, v: &str| pairs.push((k.to_owned(), v.to_owned()));
        if let Some(s) = self.status {
            push("status", s.as_str());
        }
        for (name, on) in [
            ("overdue", self.overdue),
            ("mine", self.mine),
            ("all", self.all),
        ] {
            if on {
                push(name, "1");
            }
        }
        if let Some(c) = &self.code {
            push("code", c);
        }
        if let Some(p) = &self.procedure {
            push("procedure", p);
        }
        if page > 1 {
            push("page", &page.to_string());
        }
        href("/hop-ho-so", &pairs)
    }
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    statuses: Vec<Choice>,
    overdue: bool,
    mine: bool,
    all: bool,
    code: String,
    procedure: String,
    summary: String,
    lines: Vec<Line>,
    pager: Pager,
}

/// `GET /hop-ho-so?status=&overdue=1&mine=1&all=1&code=&procedure=&page=`:
/// the dossiers awaiting the official (or all of the agency), oldest
/// deadline first.
pub async fn inbox(State(state): State<AppState>, ctx: PageCtx, uri: Uri) -> Response {
    if let Err(r) = signed_in(&ctx, &ctx.here()) {
        return *r;
    }
    let t = ctx.t();
    let filters = match QueryReader::from_uri(&uri).and_then(|q| Filters::read(&q)) {
        Ok(f) => f,
        Err(p) => return ctx.problem_page(&p),
    };
    let paging = Paging {
        page: filters.page,
        per_page: PER_PAGE,
    };
    let query = InboxQuery {
        all_roles: filters.all,
        status: filters.status,
        assigned_to_me: filters.mine,
        overdue_only: filters.overdue,
        procedure_code: filters.procedure.clone(),
        code: filters.code.clone(),
        page: PageRequest::new(paging.offset(), PER_PAGE),
    };
    let list = match state
        .dossiers
        .inbox(&ctx.caller.actor, query, Timestamp::now())
        .await
    {
        Ok(list) => list,
        Err(e) => return ctx.app_error(e),
    };
    let page = InboxPage {
        chrome: ctx.chrome(t.get("inbox.title"), Section::None),
        statuses: DossierStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: status_text(t, *s),
                selected: filters.status == Some(*s),
            })
            .collect(),
        overdue: filters.overdue,
        mine: filters.mine,
        all: filters.all,
        code: filters.code.clone().unwrap_or_default(),
        procedure: filters.procedure.clone().unwrap_or_default(),
        summary: t.fill("inbox.total", &[("total", &list.total.to_string())]),
        pager: Pager::new(filters.page, PER_PAGE, list.total, |n| filters.link(n)),
        lines: list
            .items
            .into_iter()
            .map(|i| line(t, ctx.lang, i))
            .collect(),
    };
    ctx.render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox_links_keep_the_filters() {
        let f = Filters {
            status: Some(DossierStatus::Received),
            overdue: true,
            code: Some("000.00.00.H01".into()),
            page: 1,
            ..Filters::default()
        };
        assert_eq!(
            f.link(2),
            "/hop-ho-so?status=received&overdue=1&code=000.00.00.H01&page=2"
        );
        let uri: Uri = "/hop-ho-so?status=nope".parse().unwrap();
        assert!(Filters::read(&QueryReader::from_uri(&uri).unwrap()).is_err());
    }
}
