//! The home page: a search box, the tiers, online modes and fields.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use egov_domain::{OnlineMode, Tier};

use super::{href, Chrome, PageCtx, Section};
use crate::state::AppState;

/// A link with a label (and a count where it has one).
#[derive(Debug, Clone)]
pub struct Link {
    pub href: String,
    pub label: String,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    tiers: Vec<Link>,
    modes: Vec<Link>,
    fields: Vec<Link>,
}

fn search_link(name: &str, value: &str, label: String, count: usize) -> Link {
    Link {
        href: href("/thu-tuc", &[(name.to_owned(), value.to_owned())]),
        label,
        count,
    }
}

/// `GET /`
pub async fn home(State(state): State<AppState>, ctx: PageCtx) -> Response {
    let t = ctx.t();
    let fields = match state.fields().await {
        Ok(fields) => fields,
        Err(problem) => return ctx.problem_page(&problem),
    };
    let page = HomePage {
        chrome: ctx.chrome(t.get("home.title"), Section::Home),
        tiers: Tier::ALL
            .iter()
            .filter(|tier| **tier != Tier::District)
            .map(|tier| search_link("tier", tier.as_str(), t.label("tier", tier.as_str()), 0))
            .collect(),
        modes: OnlineMode::ALL
            .iter()
            .map(|m| {
                search_link(
                    "online_mode",
                    m.as_str(),
                    t.label("online_mode", m.as_str()),
                    0,
                )
            })
            .collect(),
        fields: fields
            .iter()
            .map(|f| search_link("field", &f.name, f.name.clone(), f.count))
            .collect(),
    };
    ctx.render(StatusCode::OK, &page)
}
