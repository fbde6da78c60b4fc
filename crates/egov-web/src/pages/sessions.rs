//! The active sessions of one's account (`/tai-khoan/phien`): end any of them,
//! or all of them at once ("log out everywhere").

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use jiff::Timestamp;

use super::account::local_time;
use super::sign_in::clear_session_cookie;
use super::{see_other, Chrome, PageCtx, Section};
use crate::auth::form::session_csrf_ok;
use crate::auth::{ClientInfo, FormData};
use crate::extract::QueryReader;
use crate::state::AppState;

/// One session as the list shows it (no secrets: `id` is the stored digest).
pub struct SessionView {
    id: String,
    device: String,
    started: String,
    last_seen: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<String>,
    sessions: Vec<SessionView>,
}

/// A short description of the browser and address of a session.
fn device(user_agent: Option<&str>, ip: Option<&str>, unknown: &str) -> String {
    let agent = user_agent.map(browser_name).unwrap_or(unknown);
    match ip {
        Some(ip) => format!("{agent} · {ip}"),
        None => agent.to_owned(),
    }
}

/// The browser family named by a User-Agent string.
fn browser_name(ua: &str) -> &str {
    const KNOWN: [(&str, &str); 6] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ];
    KNOWN
        .iter()
        .find(|(marker, _)| ua.contains(marker))
        .map_or(ua, |(_, name)| name)
}

/// `GET /tai-khoan/phien?done=`
pub async fn sessions(State(state): State<AppState>, ctx: PageCtx, uri: Uri) -> Response {
    let Some(session) = ctx.session() else {
        return ctx.sign_in_redirect();
    };
    let t = ctx.t();
    let now = Timestamp::now();
    let listed = state
        .accounts
        .sessions(&ctx.caller.actor, &session.account.id, now)
        .await;
    let list = match listed {
        Ok(list) => list,
        Err(e) => return ctx.app_error(e),
    };
    let query = QueryReader::from_uri(&uri).unwrap_or_default();
    let notice = (query.text("done", 20).ok().flatten().as_deref() == Some("revoked"))
        .then(|| t.get("sessions.notice.revoked").to_owned());
    let page = SessionsPage {
        chrome: ctx.chrome(t.get("sessions.title"), Section::Account),
        csrf: session.csrf.clone(),
        notice,
        sessions: list
            .iter()
            .map(|s| SessionView {
                id: s.id_hash.clone(),
                device: device(
                    s.user_agent.as_deref(),
                    s.ip.as_deref(),
                    t.get("sessions.unknown"),
                ),
                started: local_time(s.created_at),
                last_seen: local_time(s.last_seen_at),
                current: s.id_hash == session.session.id_hash,
            })
            .collect(),
    };
    ctx.render(StatusCode::OK, &page)
}

/// `POST /tai-khoan/phien/thu-hoi` (`session`: the id shown in the list).
pub async fn revoke(
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
    let target = form.text("session");
    let now = Timestamp::now();
    let result = state
        .accounts
        .revoke_session(
            &ctx.caller.actor,
            &session.account.id,
            &target,
            &client.identity(),
            now,
        )
        .await;
    match result {
        Ok(()) if target == session.session.id_hash => {
            clear_session_cookie(see_other("/dang-nhap?done=signed-out"), ctx.secure)
        }
        Ok(()) => ctx.finish(see_other("/tai-khoan/phien?done=revoked")),
        Err(e) => ctx.app_error(e),
    }
}

/// `POST /tai-khoan/phien/dang-xuat-tat-ca`: ends every session of the
/// account (this one too) and revokes its refresh tokens.
pub async fn everywhere(
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
    let now = Timestamp::now();
    let result = state
        .accounts
        .sign_out_everywhere(
            &ctx.caller.actor,
            &session.account.id,
            &client.identity(),
            now,
        )
        .await;
    match result {
        Ok(_) => clear_session_cookie(see_other("/dang-nhap?done=signed-out"), ctx.secure),
        Err(e) => ctx.app_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_name_the_browser_and_address() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36";
        assert_eq!(
            device(Some(chrome), Some("203.0.113.9"), "?"),
            "Chrome · 203.0.113.9"
        );
        assert_eq!(device(None, None, "unknown"), "unknown");
        assert_eq!(browser_name("Mozilla/5.0 Firefox/128.0"), "Firefox");
        assert_eq!(browser_name("MyApp/1"), "MyApp/1");
    }
}
