//! Procedure pages: search with filters (`/thu-tuc`) and one procedure
//! (`/thu-tuc/{code}`, `/thu-tuc/{code}/phien-ban/{n}`).

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use egov_domain::{OnlineMode, Procedure, ProcedureCode, ProcedureVersion, Tier, VersionSummary};
use egov_search::{SearchHit, SearchQuery};

use super::{channel_key, href, time_unit_key, Choice, Chrome, PageCtx, PagePath, Pager, Section};
use crate::extract::{Paging, QueryReader, MAX_TEXT};
use crate::i18n::{Lang, Messages};
use crate::problem::Problem;
use crate::state::AppState;

const PER_PAGE: u32 = 20;

/// The search form's values.
#[derive(Debug, Default)]
struct SearchForm {
    q: Option<String>,
    field: Option<String>,
    tier: Option<Tier>,
    online_mode: Option<OnlineMode>,
    page: u32,
}

impl SearchForm {
    fn read(query: &QueryReader) -> Result<Self, Problem> {
        Ok(Self {
            q: query.text("q", MAX_TEXT)?,
            field: query.text("field", MAX_TEXT)?,
            tier: query.parse("tier", Tier::parse)?,
            online_mode: query.parse("online_mode", OnlineMode::parse)?,
            page: query.number("page", 1, Paging::MAX_PAGE)?.unwrap_or(1),
        })
    }

    /// The address of page `n` of the same search.
    fn link(&self, page: u32) -> String {
        let mut pairs = Vec::new();
        let mut push = |k: &str, v: Option<&str>| {
            if let Some(v) = v {
                pairs.push((k.to_owned(), v.to_owned()));
            }
        };
        push("q", self.q.as_deref());
        push("field", self.field.as_deref());
        push("tier", self.tier.map(Tier::as_str));
        push("online_mode", self.online_mode.map(OnlineMode::as_str));
        if page > 1 {
            pairs.push(("page".to_owned(), page.to_string()));
        }
        href("/thu-tuc", &pairs)
    }
}

/// A result as the list shows it.
struct HitView {
    code: String,
    name: String,
    field: String,
    tiers: String,
    online: String,
    agencies: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    fields: Vec<Choice>,
    tiers: Vec<Choice>,
    modes: Vec<Choice>,
    summary: String,
    first: u32,
    hits: Vec<HitView>,
    pager: Pager,
}

fn tier_labels(t: &Messages, tiers: &[Tier]) -> String {
    tiers
        .iter()
        .map(|tier| t.label("tier", tier.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn hit_view(t: &Messages, hit: SearchHit) -> HitView {
    HitView {
        tiers: tier_labels(t, &hit.tiers),
        online: t.label("online_mode", hit.online_mode.as_str()),
        agencies: hit.implementing_agencies.join("; "),
        code: hit.code,
        name: hit.name,
        field: hit.field,
    }
}

/// `GET /thu-tuc`
pub async fn search(State(state): State<AppState>, ctx: PageCtx, uri: Uri) -> Response {
    match search_page(&state, &ctx, &uri).await {
        Ok(page) => ctx.render(StatusCode::OK, &page),
        Err(problem) => ctx.problem_page(&problem),
    }
}

async fn search_page(state: &AppState, ctx: &PageCtx, uri: &Uri) -> Result<SearchPage, Problem> {
    let t = ctx.t();
    let form = SearchForm::read(&QueryReader::from_uri(uri)?)?;
    let paging = Paging {
        page: form.page,
        per_page: PER_PAGE,
    };
    let query = SearchQuery {
        text: form.q.clone(),
        field: form.field.clone(),
        tier: form.tier,
        online_mode: form.online_mode,
        offset: paging.offset() as usize,
        limit: PER_PAGE as usize,
        ..SearchQuery::default()
    };
    let results = state.catalogue.search(query, None).await?;
    let fields = state.fields().await?;
    let total = results.total.to_string();
    Ok(SearchPage {
        chrome: ctx.chrome(t.get("search.title"), Section::Procedures),
        q: form.q.clone().unwrap_or_default(),
        fields: fields
            .iter()
            .map(|f| Choice {
                value: f.name.clone(),
                label: f.name.clone(),
                selected: form.field.as_deref() == Some(f.name.as_str()),
            })
            .collect(),
        tiers: Tier::ALL
            .iter()
            .map(|tier| Choice {
                value: tier.as_str().to_owned(),
                label: t.label("tier", tier.as_str()),
                selected: form.tier == Some(*tier),
            })
            .collect(),
        modes: OnlineMode::ALL
            .iter()
            .map(|m| Choice {
                value: m.as_str().to_owned(),
                label: t.label("online_mode", m.as_str()),
                selected: form.online_mode == Some(*m),
            })
            .collect(),
        summary: t.fill("search.total", &[("total", &total)]),
        first: paging.offset() + 1,
        pager: Pager::new(form.page, PER_PAGE, results.total as u64, |n| form.link(n)),
        hits: results.hits.into_iter().map(|h| hit_view(&t, h)).collect(),
    })
}

/// A fee with its amount already formatted (`50.000 ₫`).
struct FeeView {
    label: String,
    amount: String,
}

struct ChannelView {
    label: String,
    time: String,
    fees: Vec<FeeView>,
    fee_text: String,
    description: String,
}

struct DocumentView {
    name: String,
    originals: u32,
    copies: u32,
}

/// A procedure as its page shows it.
struct ProcedureView {
    code: String,
    name: String,
    field: String,
    tiers: String,
    online: String,
    processing_time: String,
    agencies: String,
    competent_agency: String,
    issuing_agency: String,
    decision: String,
    applicants: String,
    channels: Vec<ChannelView>,
    documents: Vec<DocumentView>,
    documents_text: String,
    steps: Vec<String>,
    steps_text: String,
    conditions: String,
    result: String,
    legal_basis: Vec<String>,
    legal_basis_text: String,
    source_url: String,
}

struct VersionLink {
    href: String,
    label: String,
    shown: bool,
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    chrome: Chrome,
    p: ProcedureView,
    is_current: bool,
    /// An online service exists: the page offers to apply.
    online_service: bool,
    old_notice: String,
    version_line: String,
    history: Vec<VersionLink>,
}

fn time_text(t: &Messages, time: Option<egov_domain::ProcessingTime>, published: &str) -> String {
    match time {
        Some(time) => format!(
            "{} {}",
            time.amount,
            t.label("time_unit", time_unit_key(time.unit))
        ),
        None => published.to_owned(),
    }
}

fn procedure_view(t: &Messages, p: Procedure) -> ProcedureView {
    let channels = p
        .channels
        .iter()
        .map(|c| ChannelView {
            label: t.label("channel", channel_key(c.channel)),
            time: time_text(t, c.processing_time, &c.processing_time_text),
            fees: c
                .fees
                .iter()
                .map(|f| FeeView {
                    label: f.label.clone(),
                    amount: f.amount.to_string(),
                })
                .collect(),
            fee_text: c.fee_text.clone(),
            description: c.description.clone(),
        })
        .collect();
    let is_web = p.source_url.starts_with("https://") || p.source_url.starts_with("http://");
    ProcedureView {
        tiers: tier_labels(t, &p.tiers),
        online: t.label("online_mode", p.online_mode.as_str()),
        processing_time: time_text(t, p.processing_time, ""),
        agencies: p.implementing_agencies.join("; "),
        competent_agency: p.competent_agency.unwrap_or_default(),
        issuing_agency: p.issuing_agency.unwrap_or_default(),
        channels,
        documents: p
            .required_documents
            .into_iter()
            .map(|d| DocumentView {
                name: d.name,
                originals: d.originals,
                copies: d.copies,
            })
            .collect(),
        source_url: if is_web { p.source_url } else { String::new() },
        code: p.code.to_string(),
        name: p.name,
        field: p.field,
        decision: p.decision,
        applicants: p.applicants,
        documents_text: p.required_documents_text,
        steps: p.steps,
        steps_text: p.steps_text,
        conditions: p.conditions,
        result: p.result,
        legal_basis: p.legal_basis,
        legal_basis_text: p.legal_basis_text,
    }
}

/// A timestamp as a date in Vietnam's time zone (UTC+7, no daylight saving).
pub fn local_date(lang: Lang, ts: jiff::Timestamp) -> String {
    let zoned = ts.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)));
    match lang {
        Lang::Vi => zoned.strftime("%d/%m/%Y").to_string(),
        Lang::En => zoned.strftime("%Y-%m-%d").to_string(),
    }
}

/// `GET /thu-tuc/{code}`
pub async fn procedure(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(code): PagePath<String>,
) -> Response {
    match procedure_page(&state, &ctx, &code, None).await {
        Ok(page) => ctx.render(StatusCode::OK, &page),
        Err(problem) => ctx.problem_page(&problem),
    }
}

/// `GET /thu-tuc/{code}/phien-ban/{version}`
pub async fn procedure_version(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath((code, version)): PagePath<(String, String)>,
) -> Response {
    let version = match version.parse::<u32>() {
        Ok(n) if n > 0 => n,
        _ => return ctx.problem_page(&Problem::parameter("version", "must be a version number")),
    };
    match procedure_page(&state, &ctx, &code, Some(version)).await {
        Ok(page) => ctx.render(StatusCode::OK, &page),
        Err(problem) => ctx.problem_page(&problem),
    }
}

async fn procedure_page(
    state: &AppState,
    ctx: &PageCtx,
    code: &str,
    version: Option<u32>,
) -> Result<ProcedurePage, Problem> {
    let t = ctx.t();
    // A code that cannot exist is simply not found.
    let code = ProcedureCode::parse(code).map_err(|_| Problem::not_found("no such procedure"))?;
    let current = state.catalogue.procedure(&code).await?;
    let shown: ProcedureVersion = match version {
        Some(n) if n != current.version => state.catalogue.procedure_version(&code, n).await?,
        _ => current.clone(),
    };
    let history = state.catalogue.procedure_history(&code).await?;
    let online_service = state.dossiers.service(code.as_str()).await.is_ok();
    let date = local_date(ctx.lang, shown.recorded_at);
    let number = shown.version.to_string();
    Ok(ProcedurePage {
        chrome: ctx.chrome(shown.procedure.name.clone(), Section::Procedures),
        is_current: shown.version == current.version,
        online_service,
        old_notice: t.fill(
            "procedure.old_version",
            &[
                ("version", &number),
                ("current", &current.version.to_string()),
            ],
        ),
        version_line: t.fill(
            "procedure.version_line",
            &[("version", &number), ("date", &date)],
        ),
        history: history_links(ctx.lang, &code, &history, shown.version),
        p: procedure_view(&t, shown.procedure),
    })
}

fn history_links(
    lang: Lang,
    code: &ProcedureCode,
    history: &[VersionSummary],
    shown: u32,
) -> Vec<VersionLink> {
    let t = lang.messages();
    history
        .iter()
        .rev()
        .map(|v| VersionLink {
            href: format!(
                "/thu-tuc/{}/phien-ban/{}",
                super::encode(code.as_str()),
                v.version
            ),
            label: t.fill(
                "procedure.version_line",
                &[
                    ("version", &v.version.to_string()),
                    ("date", &local_date(lang, v.recorded_at)),
                ],
            ),
            shown: v.version == shown,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_shown_in_vietnam_time() {
        let ts: jiff::Timestamp = "2025-06-30T18:30:00Z".parse().unwrap();
        assert_eq!(local_date(Lang::Vi, ts), "01/07/2025");
        assert_eq!(local_date(Lang::En, ts), "2025-07-01");
    }

    #[test]
    fn search_links_keep_the_filters() {
        let form = SearchForm {
            q: Some("khai sinh".into()),
            tier: Some(Tier::Commune),
            page: 1,
            ..SearchForm::default()
        };
        assert_eq!(form.link(2), "/thu-tuc?q=khai+sinh&tier=commune&page=2");
        assert_eq!(form.link(1), "/thu-tuc?q=khai+sinh&tier=commune");
    }
}
