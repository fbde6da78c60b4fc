//! `POST /oidc/token` (RFC 6749 §3.2) and `GET`/`POST /oidc/userinfo` (OIDC
//! Core §5.3). Answers are JSON, never cached; errors are RFC 6749 / RFC 6750
//! errors, not problem details.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use egov_app::oidc::{
    parse_basic_authorization, ClientAuth, OAuthError, RevocationRequest, TokenRequest,
};
use jiff::Timestamp;

use super::{json, oauth_error};
use crate::auth::caller::{bearer_token, header_safe};
use crate::auth::form::is_form;
use crate::auth::{ClientInfo, FormData};
use crate::extract::RawBody;
use crate::problem::Problem;
use crate::state::AppState;

/// `POST /oidc/token` (form-encoded; the client authenticates with HTTP Basic
/// or `client_id`/`client_secret` in the body; public clients send `client_id`).
pub async fn token(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    body: Result<RawBody, Problem>,
) -> Response {
    let request = match token_request(&headers, body) {
        Ok(request) => request,
        Err(e) => return token_error(&e),
    };
    match state
        .oidc
        .token(request, &client.oidc(), Timestamp::now())
        .await
    {
        Ok(tokens) => {
            let body = serde_json::to_value(&tokens).unwrap_or_default();
            let mut response = json(StatusCode::OK, &body, "no-store");
            response
                .headers_mut()
                .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(e) => token_error(&e),
    }
}

/// The token request from the headers and the form body.
fn token_request(
    headers: &HeaderMap,
    body: Result<RawBody, Problem>,
) -> Result<TokenRequest, OAuthError> {
    let form = client_form(headers, body)?;
    let get = |name: &str| form.raw(name).map(str::to_owned);
    Ok(TokenRequest {
        grant_type: get("grant_type"),
        code: get("code"),
        redirect_uri: get("redirect_uri"),
        code_verifier: get("code_verifier"),
        refresh_token: get("refresh_token"),
        scope: get("scope"),
        client: client_auth(headers, &form)?,
    })
}

/// The form body a client posts to the token and revocation endpoints:
/// form-encoded, no parameter repeated.
fn client_form(
    headers: &HeaderMap,
    body: Result<RawBody, Problem>,
) -> Result<FormData, OAuthError> {
    if !is_form(headers) {
        return Err(OAuthError::invalid_request(
            "send the parameters as application/x-www-form-urlencoded",
        ));
    }
    let RawBody(bytes) = body.map_err(|p| OAuthError::invalid_request(p.detail))?;
    let form = FormData::parse(&bytes);
    if let Some(name) = form.repeated() {
        return Err(OAuthError::invalid_request(format!(
            "the {name} parameter is repeated"
        )));
    }
    Ok(form)
}

/// The client's credentials: HTTP Basic, or `client_id`/`client_secret` in the body.
fn client_auth(headers: &HeaderMap, form: &FormData) -> Result<ClientAuth, OAuthError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => {
            let parsed = value.to_str().ok().and_then(parse_basic_authorization);
            Some(parsed.ok_or_else(|| {
                OAuthError::invalid_client("the Authorization header is not HTTP Basic")
            })?)
        }
    };
    let get = |name: &str| form.raw(name).map(str::to_owned);
    Ok(ClientAuth {
        basic,
        client_id: get("client_id"),
        client_secret: get("client_secret"),
    })
}

/// `POST /oidc/revoke` (RFC 7009): revokes a refresh token (and its family).
/// Unknown tokens get the same 200 answer; errors are RFC 6749 JSON.
pub async fn revoke(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    body: Result<RawBody, Problem>,
) -> Response {
    let request = client_form(&headers, body).and_then(|form| {
        Ok(RevocationRequest {
            token: form.raw("token").map(str::to_owned),
            token_type_hint: form.raw("token_type_hint").map(str::to_owned),
            client: client_auth(&headers, &form)?,
        })
    });
    let result = match request {
        Ok(request) => {
            state
                .oidc
                .revoke(request, &client.oidc(), Timestamp::now())
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => json(StatusCode::OK, &serde_json::json!({}), "no-store"),
        Err(e) => token_error(&e),
    }
}

/// A token endpoint error; `invalid_client` carries a Basic challenge.
fn token_error(e: &OAuthError) -> Response {
    let mut response = oauth_error(e);
    if e.status == 401 {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"egov\""),
        );
    }
    response
}

/// `GET`/`POST /oidc/userinfo` with `Authorization: Bearer <access token>`:
/// the claims the token's scopes allow.
pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token);
    let Some(token) = token else {
        let e = OAuthError::new(
            egov_app::oidc::ErrorCode::InvalidRequest,
            "send Authorization: Bearer <access token>",
        );
        return bearer_error(
            &e,
            StatusCode::UNAUTHORIZED,
            "Bearer realm=\"egov\"".to_owned(),
        );
    };
    let now = Timestamp::now();
    let result = match state.oidc.verify_access_token(token, now).await {
        Ok(claims) => state.oidc.userinfo(&claims).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(claims) => json(StatusCode::OK, &claims, "no-store"),
        Err(e) if e.status == 401 || e.status == 403 => {
            let challenge = format!(
                "Bearer realm=\"egov\", error=\"{}\", error_description=\"{}\"",
                e.error.as_str(),
                header_safe(&e.description)
            );
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNAUTHORIZED);
            bearer_error(&e, status, challenge)
        }
        Err(e) => oauth_error(&e),
    }
}

/// An RFC 6750 error: the challenge in `WWW-Authenticate`, the error in the body.
fn bearer_error(e: &OAuthError, status: StatusCode, challenge: String) -> Response {
    let mut response = json(status, &e.to_json(), "no-store");
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;

    fn form_headers(authorization: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        if let Some(a) = authorization {
            h.insert(header::AUTHORIZATION, a.parse().unwrap());
        }
        h
    }

    fn body(text: &str) -> Result<RawBody, Problem> {
        Ok(RawBody(Bytes::from(text.to_owned())))
    }

    #[test]
    fn token_requests_read_the_form_and_basic_credentials() {
        // "client:s3cret" in base64.
        let h = form_headers(Some("Basic Y2xpZW50OnMzY3JldA=="));
        let r = token_request(&h, body("grant_type=authorization_code&code=abc")).unwrap();
        assert_eq!(r.grant_type.as_deref(), Some("authorization_code"));
        assert_eq!(r.client.basic, Some(("client".into(), "s3cret".into())));
    }

    #[test]
    fn bad_token_requests_are_oauth_errors() {
        let e = token_request(&HeaderMap::new(), body("grant_type=x")).unwrap_err();
        assert_eq!(e.error.as_str(), "invalid_request");
        let e = token_request(&form_headers(None), body("code=a&code=b")).unwrap_err();
        assert!(e.description.contains("repeated"));
        let e = token_request(&form_headers(Some("Bearer x")), body("code=a")).unwrap_err();
        assert_eq!(e.error.as_str(), "invalid_client");
        let response = token_error(&e);
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}
