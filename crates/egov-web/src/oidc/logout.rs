//! RP-initiated logout (`/oidc/logout`). With an `id_token_hint` naming the
//! signed-in person, the session ends at once; otherwise the person is asked
//! (a form with the CSRF token), so no other site can sign anyone out. The
//! browser then goes to the registered `post_logout_redirect_uri` (with
//! `state`), or sees a signed-out page. A bad request gets a page, never a
//! redirect.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use egov_app::oidc::{EndSession, LogoutError};
use jiff::Timestamp;

use super::found;
use crate::auth::form::session_csrf_ok;
use crate::auth::{ClientInfo, FormData};
use crate::pages::consent::{logout_confirm_page, signed_out_page};
use crate::pages::sign_in::clear_session_cookie;
use crate::pages::PageCtx;
use crate::problem::Problem;
use crate::state::AppState;

const PARAMS: [&str; 4] = [
    "id_token_hint",
    "client_id",
    "post_logout_redirect_uri",
    "state",
];

/// Checks the request with the provider.
async fn check(state: &AppState, ctx: &PageCtx, data: &FormData) -> Result<EndSession, Response> {
    if let Some(name) = data.repeated().filter(|n| PARAMS.contains(n)) {
        let problem = Problem::parameter(name, "given more than once");
        return Err(ctx.problem_page(&problem));
    }
    let get = |name: &str| data.raw(name).filter(|v| !v.is_empty());
    let checked = state
        .oidc
        .end_session(
            get("id_token_hint"),
            get("client_id"),
            get("post_logout_redirect_uri"),
            get("state"),
            Timestamp::now(),
        )
        .await;
    checked.map_err(|e| match e {
        LogoutError::InvalidRequest(reason) => ctx.problem_page(&Problem::new(
            StatusCode::BAD_REQUEST,
            "/problems/invalid-logout-request",
            "Invalid logout request",
            reason,
        )),
        LogoutError::Storage(detail) => {
            tracing::error!(error = %detail, "logout failed");
            ctx.problem_page(&Problem::from_status(StatusCode::INTERNAL_SERVER_ERROR))
        }
    })
}

/// Where the browser goes once no session is left.
fn done(ctx: &PageCtx, end: &EndSession) -> Response {
    match &end.redirect {
        Some(url) => found(url),
        None => signed_out_page(ctx),
    }
}

/// Ends this browser's session, then [`done`].
async fn sign_out(
    state: &AppState,
    ctx: &PageCtx,
    client: &ClientInfo,
    end: &EndSession,
) -> Response {
    let Some(session) = ctx.session() else {
        return done(ctx, end);
    };
    let ended = state
        .accounts
        .sign_out(&session.token, &client.identity(), Timestamp::now())
        .await;
    match ended {
        Ok(()) => clear_session_cookie(done(ctx, end), ctx.secure),
        Err(e) => ctx.app_error(e),
    }
}

/// `GET /oidc/logout?id_token_hint=&client_id=&post_logout_redirect_uri=&state=`
pub async fn logout(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    uri: Uri,
) -> Response {
    let data = FormData::parse(uri.query().unwrap_or("").as_bytes());
    let end = match check(&state, &ctx, &data).await {
        Ok(end) => end,
        Err(response) => return response,
    };
    let Some(session) = ctx.session() else {
        return done(&ctx, &end);
    };
    if end.account.as_ref() == Some(&session.account.id) {
        return sign_out(&state, &ctx, &client, &end).await;
    }
    let params = PARAMS
        .iter()
        .filter_map(|name| Some(((*name).to_owned(), data.raw(name)?.to_owned())))
        .collect();
    let then = data
        .raw("post_logout_redirect_uri")
        .filter(|_| end.redirect.is_some());
    logout_confirm_page(&ctx, end.client_id.as_deref(), params, then)
}

/// `POST /oidc/logout`: the confirmation form (`csrf` and the request's parameters).
pub async fn confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    data: FormData,
) -> Response {
    let end = match check(&state, &ctx, &data).await {
        Ok(end) => end,
        Err(response) => return response,
    };
    match ctx.session() {
        Some(session) if !session_csrf_ok(session, &data) => ctx.csrf_refused(),
        _ => sign_out(&state, &ctx, &client, &end).await,
    }
}
