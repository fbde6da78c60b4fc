//! The HTTP endpoints of the OpenID Connect provider. Thin: every rule is in
//! [`egov_app::oidc::Oidc`].
//!
//! * `GET /.well-known/openid-configuration`, `GET /oidc/jwks`
//! * `GET`/`POST /oidc/authorize` — sign-in, consent, code ([`authorize`])
//! * `POST /oidc/token`, `POST /oidc/revoke`, `GET`/`POST /oidc/userinfo` ([`token`])
//! * `GET`/`POST /oidc/logout` — RP-initiated logout ([`logout`])
//!
//! Discovery, JWKS, token and userinfo may be called from browser apps on
//! other origins: they answer CORS with `*` and never with credentials.

pub mod authorize;
pub mod logout;
pub mod token;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use egov_app::oidc::OAuthError;
use jiff::Timestamp;

use crate::state::AppState;

/// The provider's routes.
pub fn routes() -> Router<AppState> {
    let cross_origin = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/oidc/jwks", get(jwks))
        .route("/oidc/token", axum::routing::post(token::token))
        .route("/oidc/revoke", axum::routing::post(token::revoke))
        .route("/oidc/userinfo", get(token::userinfo).post(token::userinfo))
        .layer(axum::middleware::from_fn(cors));
    Router::new()
        .merge(cross_origin)
        .route(
            "/oidc/authorize",
            get(authorize::authorize).post(authorize::decide),
        )
        .route("/oidc/logout", get(logout::logout).post(logout::confirm))
}

/// CORS for public endpoints: any origin, no credentials; preflights answered here.
async fn cors(req: Request, next: Next) -> Response<Body> {
    if req.method() == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, Content-Type"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        return response;
    }
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("WWW-Authenticate"),
    );
    response
}

/// `GET /.well-known/openid-configuration`
async fn discovery(State(state): State<AppState>) -> Response {
    json(
        StatusCode::OK,
        &state.oidc.discovery(),
        "public, max-age=600",
    )
}

/// `GET /oidc/jwks`: every key that still verifies tokens.
async fn jwks(State(state): State<AppState>) -> Response {
    match state.oidc.jwks(Timestamp::now()).await {
        Ok(keys) => json(StatusCode::OK, &keys, "public, max-age=300"),
        Err(e) => {
            tracing::error!(error = %e, "cannot read the signing keys");
            oauth_error(&OAuthError::new(
                egov_app::oidc::ErrorCode::ServerError,
                "the keys cannot be read",
            ))
        }
    }
}

/// A JSON body with `Cache-Control`.
pub fn json(status: StatusCode, body: &serde_json::Value, cache: &'static str) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        bytes,
    )
        .into_response()
}

/// An RFC 6749 error: `{"error", "error_description"}` with its status,
/// never cached.
pub fn oauth_error(e: &OAuthError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = json(status, &e.to_json(), "no-store");
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// `302 Found` to `location`, not cached (it may carry a code).
pub fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (
            StatusCode::FOUND,
            [
                (header::LOCATION, value),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_errors_are_rfc_6749_json() {
        let response = oauth_error(&OAuthError::invalid_grant("used"));
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    }

    #[test]
    fn redirects_are_not_cached() {
        let response = found("http://127.0.0.1:5/cb?code=x");
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    }
}
