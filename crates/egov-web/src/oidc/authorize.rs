//! `GET /oidc/authorize` and the consent form's `POST /oidc/authorize`.
//!
//! A request that cannot be trusted (unknown client, redirect URI not
//! registered exactly) gets an HTML error page and is never redirected.
//! Otherwise: not signed in → the sign-in page, coming back here; consent
//! needed → the consent screen; consent remembered → straight back to the
//! client with a code.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use egov_app::oidc::{AuthorizationParams, AuthorizeError, ErrorCode, ValidRequest};
use jiff::Timestamp;

use super::found;
use crate::auth::form::session_csrf_ok;
use crate::auth::{ClientInfo, FormData, SignedSession};
use crate::pages::consent::{consent_page, Consent};
use crate::pages::{href, see_other, sign_in_href, PageCtx};
use crate::problem::Problem;
use crate::state::AppState;

/// The parameters of an authorization request, in the order they are repeated.
const PARAMS: [&str; 9] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
];

/// The request's parameters as sent (query or form).
fn params_of(data: &FormData) -> AuthorizationParams {
    let get = |name: &str| data.raw(name).map(str::to_owned);
    AuthorizationParams {
        response_type: get("response_type"),
        client_id: get("client_id"),
        redirect_uri: get("redirect_uri"),
        scope: get("scope"),
        state: get("state"),
        nonce: get("nonce"),
        code_challenge: get("code_challenge"),
        code_challenge_method: get("code_challenge_method"),
        prompt: get("prompt"),
    }
}

/// The known parameters as name/value pairs, `prompt` changed by `prompt`.
fn pairs_of(data: &FormData, prompt: impl Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    PARAMS
        .iter()
        .filter_map(|name| {
            let value = data.raw(name)?;
            let value = if *name == "prompt" {
                prompt(value)?
            } else {
                value.to_owned()
            };
            Some(((*name).to_owned(), value))
        })
        .collect()
}

/// `prompt` without `login` (asked once: after signing in again it is met).
fn without_login(prompt: &str) -> Option<String> {
    let rest: Vec<&str> = prompt
        .split(' ')
        .filter(|p| !p.is_empty() && *p != "login")
        .collect();
    (!rest.is_empty()).then(|| rest.join(" "))
}

/// The page for a request that must not be redirected, or the redirect
/// carrying the error back to the client.
fn refused(ctx: &PageCtx, e: AuthorizeError) -> Response {
    if let Some(url) = e.redirect_url() {
        return found(&url);
    }
    match e {
        AuthorizeError::NoRedirect { reason } => ctx.problem_page(&Problem::new(
            StatusCode::BAD_REQUEST,
            "/problems/invalid-authorization-request",
            "Invalid authorization request",
            reason,
        )),
        other => {
            tracing::error!(error = %other, "authorization failed");
            ctx.problem_page(&Problem::from_status(StatusCode::INTERNAL_SERVER_ERROR))
        }
    }
}

/// Checks the parameters (a repeated one is refused without a redirect).
async fn validate(
    state: &AppState,
    ctx: &PageCtx,
    data: &FormData,
) -> Result<ValidRequest, Response> {
    if let Some(name) = data.repeated().filter(|n| PARAMS.contains(n)) {
        let reason = format!("the {name} parameter is repeated");
        return Err(refused(ctx, AuthorizeError::NoRedirect { reason }));
    }
    state
        .oidc
        .validate_authorization(params_of(data))
        .await
        .map_err(|e| refused(ctx, e))
}

/// `GET /oidc/authorize?response_type=code&client_id=…&redirect_uri=…&scope=openid…`
pub async fn authorize(State(state): State<AppState>, ctx: PageCtx, uri: Uri) -> Response {
    let data = FormData::parse(uri.query().unwrap_or("").as_bytes());
    let request = match validate(&state, &ctx, &data).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let session = match ctx.session() {
        Some(session) if !request.prompt.login => session,
        _ if request.prompt.none => {
            return refused(
                &ctx,
                request.error(ErrorCode::LoginRequired, "the person is not signed in"),
            )
        }
        signed_in => {
            let again = href("/oidc/authorize", &pairs_of(&data, without_login));
            let mut to = sign_in_href(&again);
            if signed_in.is_some() {
                to.push_str("&prompt=login");
            }
            return ctx.finish(see_other(&to));
        }
    };
    let account = &session.account.id;
    let needs = match state
        .oidc
        .needs_consent(account, &request.client.client_id, &request.scopes)
        .await
    {
        Ok(needs) => needs || request.prompt.consent,
        Err(e) => return ctx.app_error(e),
    };
    if !needs {
        return issue(&state, &ctx, session, &request).await;
    }
    if request.prompt.none {
        return refused(
            &ctx,
            request.error(ErrorCode::ConsentRequired, "the person must consent first"),
        );
    }
    consent_page(
        &ctx,
        Consent {
            client_name: &request.client.name,
            client_id: &request.client.client_id,
            scopes: &request.scopes,
            params: pairs_of(&data, without_login),
            redirect_uri: &request.redirect_uri,
        },
    )
}

/// `POST /oidc/authorize`: the consent form (`decision` = `allow` or `deny`,
/// `csrf`, and the request's parameters).
pub async fn decide(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    data: FormData,
) -> Response {
    let request = match validate(&state, &ctx, &data).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let Some(session) = ctx.session() else {
        let again = href("/oidc/authorize", &pairs_of(&data, without_login));
        return ctx.finish(see_other(&sign_in_href(&again)));
    };
    if !session_csrf_ok(session, &data) {
        return ctx.csrf_refused();
    }
    match data.text("decision").as_str() {
        "allow" => {
            let granted = state
                .oidc
                .grant_consent(
                    &session.account.id,
                    &request.client.client_id,
                    &request.scopes,
                    &client.oidc(),
                    Timestamp::now(),
                )
                .await;
            match granted {
                Ok(()) => issue(&state, &ctx, session, &request).await,
                Err(e) => ctx.app_error(e),
            }
        }
        "deny" => refused(
            &ctx,
            request.error(ErrorCode::AccessDenied, "the person refused"),
        ),
        _ => ctx.problem_page(&Problem::field("decision", "choose allow or deny")),
    }
}

/// Issues the code and sends the browser back to the client.
async fn issue(
    state: &AppState,
    ctx: &PageCtx,
    session: &SignedSession,
    request: &ValidRequest,
) -> Response {
    let now = Timestamp::now();
    let issued = state
        .oidc
        .issue_code(
            request,
            &session.account.id,
            session.session.created_at,
            now,
        )
        .await;
    match issued {
        Ok(code) => found(&state.oidc.redirect_with_code(request, &code)),
        Err(e) => ctx.app_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_is_taken_out_of_prompt() {
        assert_eq!(without_login("login"), None);
        assert_eq!(without_login("login consent").as_deref(), Some("consent"));
        assert_eq!(without_login("none").as_deref(), Some("none"));
    }

    #[test]
    fn parameters_are_repeated_in_order() {
        let data = FormData::parse(b"scope=openid&client_id=c&csrf=x&prompt=login&decision=allow");
        let pairs = pairs_of(&data, without_login);
        assert_eq!(
            pairs,
            vec![
                ("client_id".to_owned(), "c".to_owned()),
                ("scope".to_owned(), "openid".to_owned())
            ]
        );
    }
}
