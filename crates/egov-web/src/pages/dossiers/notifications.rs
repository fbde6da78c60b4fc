//! Notifications (`/thong-bao`): what changed on one's dossiers, newest
//! first, unread ones marked in words; one button marks them all read.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use jiff::Timestamp;

use super::apply::dossier_href;
use super::{list_pager, list_query, signed_in, signed_in_form, status_text, when};
use crate::auth::FormData;
use crate::pages::{see_other, Chrome, PageCtx, Pager, Section};
use crate::state::AppState;

/// A notification as the list shows it.
pub struct NoticeLine {
    pub href: String,
    pub code: String,
    pub text: String,
    pub at: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<String>,
    lines: Vec<NoticeLine>,
    any_unread: bool,
    pager: Pager,
}

/// `GET /thong-bao?page=&done=`
pub async fn notifications(State(state): State<AppState>, ctx: PageCtx, uri: Uri) -> Response {
    let session = match signed_in(&ctx, "/thong-bao") {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let t = ctx.t();
    let (query, paging) = match list_query(&ctx, &uri) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let list = match state
        .dossiers
        .notifications(&ctx.caller.actor, paging.request())
        .await
    {
        Ok(list) => list,
        Err(e) => return ctx.app_error(e),
    };
    let lines: Vec<NoticeLine> = list
        .items
        .iter()
        .map(|n| {
            let code = n.dossier.to_string();
            NoticeLine {
                href: dossier_href(&code),
                text: t.fill(
                    "notifications.line",
                    &[
                        ("action", &t.label("dossier_action", &n.action)),
                        ("status", &status_text(t, n.status)),
                    ],
                ),
                at: when(ctx.lang, n.at),
                unread: n.read_at.is_none(),
                code,
            }
        })
        .collect();
    let notice = match query.text("done", 20).ok().flatten().as_deref() {
        Some("read") => Some(t.get("notifications.notice.read").to_owned()),
        _ => None,
    };
    let view = NotificationsPage {
        chrome: ctx.chrome(t.get("notifications.title"), Section::Account),
        csrf: session.csrf.clone(),
        notice,
        any_unread: lines.iter().any(|l| l.unread),
        lines,
        pager: list_pager("/thong-bao", paging, list.total),
    };
    ctx.render(StatusCode::OK, &view)
}

/// `POST /thong-bao/da-doc` (`csrf`): marks every notification read.
pub async fn mark_read(State(state): State<AppState>, ctx: PageCtx, form: FormData) -> Response {
    if let Err(r) = signed_in_form(&ctx, "/thong-bao", form.raw("csrf")) {
        return *r;
    }
    match state
        .dossiers
        .mark_notifications_read(&ctx.caller.actor, Timestamp::now())
        .await
    {
        Ok(_) => ctx.finish(see_other("/thong-bao?done=read")),
        Err(e) => ctx.app_error(e),
    }
}
