//! Administrative unit pages: today's provinces and their communes
//! (`/don-vi-hanh-chinh`), and the pre-2025 lookup (`/don-vi-hanh-chinh/tra-cuu`).

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use egov_app::ports::AdminUnitFilter;
use egov_app::AppError;
use egov_domain::{AdminUnit, Era, PageRequest};

use super::{href, Chrome, PageCtx, Pager, Section};
use crate::extract::{Paging, QueryReader, MAX_TEXT};
use crate::i18n::Lang;
use crate::problem::Problem;
use crate::state::AppState;

/// Communes shown per page (a province has up to a few hundred).
const PER_PAGE: u32 = 100;

/// A unit as a list shows it.
pub struct UnitView {
    code: String,
    name: String,
    /// Where the unit's page is (empty: no link).
    href: String,
    partial: bool,
}

/// The name of a unit in the page's language, with its type.
fn display_name(lang: Lang, unit: &AdminUnit) -> String {
    match (lang, &unit.full_name_en) {
        (Lang::En, Some(en)) if !en.trim().is_empty() => en.clone(),
        _ => unit.full_name.clone(),
    }
}

fn unit_view(lang: Lang, unit: &AdminUnit, href: String) -> UnitView {
    UnitView {
        code: unit.code.clone(),
        name: display_name(lang, unit),
        href,
        partial: false,
    }
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    chrome: Chrome,
    parent: Option<UnitView>,
    q: String,
    summary: String,
    units: Vec<UnitView>,
    pager: Pager,
    code: String,
}

/// `GET /don-vi-hanh-chinh?parent=&q=&page=`
pub async fn units(State(state): State<AppState>, ctx: PageCtx, uri: Uri) -> Response {
    match units_page(&state, &ctx, &uri).await {
        Ok(page) => ctx.render(StatusCode::OK, &page),
        Err(problem) => ctx.problem_page(&problem),
    }
}

async fn units_page(state: &AppState, ctx: &PageCtx, uri: &Uri) -> Result<UnitsPage, Problem> {
    let t = ctx.t();
    let query = QueryReader::from_uri(uri)?;
    let parent_code = query.text("parent", 8)?;
    let q = query.text("q", MAX_TEXT)?;
    let page = query.number("page", 1, Paging::MAX_PAGE)?.unwrap_or(1);
    let parent = match &parent_code {
        Some(code) => Some(state.catalogue.admin_unit(Era::Current, code).await?),
        None => None,
    };
    let filter = AdminUnitFilter {
        era: Some(Era::Current),
        parent_code: parent_code.clone(),
        level: None,
        name_folded: q.clone(),
        page: PageRequest::from_page(page, PER_PAGE),
    };
    let list = state.catalogue.list_admin_units(&filter).await?;
    let link_children = parent.is_none();
    let units = list
        .items
        .iter()
        .map(|u| {
            let link = if link_children {
                href(
                    "/don-vi-hanh-chinh",
                    &[("parent".to_owned(), u.code.clone())],
                )
            } else {
                String::new()
            };
            unit_view(ctx.lang, u, link)
        })
        .collect();
    let total = list.total.to_string();
    let summary_key = if parent.is_some() {
        "units.communes_total"
    } else {
        "units.provinces_total"
    };
    let title = match &parent {
        Some(p) => display_name(ctx.lang, p),
        None => t.get("units.title").to_owned(),
    };
    let page_link = |n: u32| {
        let mut pairs = Vec::new();
        if let Some(code) = &parent_code {
            pairs.push(("parent".to_owned(), code.clone()));
        }
        if let Some(q) = &q {
            pairs.push(("q".to_owned(), q.clone()));
        }
        pairs.push(("page".to_owned(), n.to_string()));
        href("/don-vi-hanh-chinh", &pairs)
    };
    Ok(UnitsPage {
        chrome: ctx.chrome(title, Section::Units),
        parent: parent
            .as_ref()
            .map(|p| unit_view(ctx.lang, p, String::new())),
        q: q.clone().unwrap_or_default(),
        summary: t.fill(summary_key, &[("total", &total)]),
        units,
        pager: Pager::new(page, PER_PAGE, list.total, page_link),
        code: String::new(),
    })
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    chrome: Chrome,
    code: String,
    old: Option<UnitView>,
    successors: Vec<UnitView>,
    message: String,
}

/// `GET /don-vi-hanh-chinh/tra-cuu?ma=` — which unit of today an old code became.
pub async fn lookup(State(state): State<AppState>, ctx: PageCtx, uri: Uri) -> Response {
    let t = ctx.t();
    let code = match QueryReader::from_uri(&uri).and_then(|q| q.text("ma", 16)) {
        Ok(code) => code,
        Err(problem) => return ctx.problem_page(&problem),
    };
    let mut page = LookupPage {
        chrome: ctx.chrome(t.get("lookup.heading"), Section::Units),
        code: code.clone().unwrap_or_default(),
        old: None,
        successors: Vec::new(),
        message: String::new(),
    };
    let Some(code) = code else {
        return ctx.render(StatusCode::OK, &page);
    };
    match resolve(&state, ctx.lang, &code).await {
        Ok((old, successors)) => {
            page.old = Some(old);
            page.successors = successors;
            ctx.render(StatusCode::OK, &page)
        }
        Err(AppError::NotFound { .. }) => {
            page.message = t.fill("lookup.not_found", &[("code", &code)]);
            ctx.render(StatusCode::NOT_FOUND, &page)
        }
        Err(e) => ctx.problem_page(&Problem::from(e)),
    }
}

/// The old unit (named with its chain) and today's unit(s) that took it over.
async fn resolve(
    state: &AppState,
    lang: Lang,
    code: &str,
) -> Result<(UnitView, Vec<UnitView>), AppError> {
    let catalogue = &state.catalogue;
    let chain = catalogue.ancestry(Era::Pre2025, code).await?;
    let Some(old) = chain.first() else {
        return Err(AppError::not_found("administrative unit", code));
    };
    let mut old_view = unit_view(lang, old, String::new());
    old_view.name = chain_name(lang, &chain);
    let mut successors = Vec::new();
    for successor in catalogue.successors_of(old).await? {
        let chain = catalogue
            .ancestry(Era::Current, &successor.unit.code)
            .await?;
        let province = chain.last().map(|p| p.code.clone()).unwrap_or_default();
        let mut view = unit_view(
            lang,
            &successor.unit,
            href("/don-vi-hanh-chinh", &[("parent".to_owned(), province)]),
        );
        view.name = chain_name(lang, &chain);
        view.partial = successor.partial;
        successors.push(view);
    }
    Ok((old_view, successors))
}

/// "Xã A, Huyện B, Tỉnh C".
fn chain_name(lang: Lang, chain: &[AdminUnit]) -> String {
    chain
        .iter()
        .map(|u| display_name(lang, u))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use egov_domain::{UnitKind, UnitLevel};

    fn unit(en: Option<&str>) -> AdminUnit {
        AdminUnit {
            code: "01".into(),
            era: Era::Current,
            level: UnitLevel::Province,
            kind: UnitKind::CentralCity,
            name: "Hà Nội".into(),
            full_name: "Thành phố Hà Nội".into(),
            name_en: None,
            full_name_en: en.map(str::to_owned),
            parent_code: None,
            province_code: "01".into(),
        }
    }

    #[test]
    fn english_names_are_used_when_known() {
        assert_eq!(
            display_name(Lang::En, &unit(Some("Ha Noi City"))),
            "Ha Noi City"
        );
        assert_eq!(display_name(Lang::En, &unit(None)), "Thành phố Hà Nội");
        assert_eq!(
            display_name(Lang::Vi, &unit(Some("Ha Noi City"))),
            "Thành phố Hà Nội"
        );
    }
}
