//! The JSON API (`/api/v1`) and the operations endpoints.

pub mod accounts;
pub mod admin;
pub mod admin_units;
pub mod agencies;
pub mod audit;
pub mod clients;
pub mod dossiers;
pub mod me;
pub mod officials;
pub mod procedures;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Router;

use crate::state::AppState;

/// Read-only API routes.
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/procedures", get(procedures::search))
        .route("/api/v1/procedures/{code}", get(procedures::get))
        .route(
            "/api/v1/procedures/{code}/versions",
            get(procedures::versions),
        )
        .route(
            "/api/v1/procedures/{code}/versions/{version}",
            get(procedures::version),
        )
        .route("/api/v1/admin-units", get(admin_units::list))
        .route("/api/v1/admin-units/{code}", get(admin_units::get))
        .route("/api/v1/agencies", get(agencies::list))
        .route("/api/v1/agencies/{code}", get(agencies::get))
}

/// Accounts and sessions of the caller.
pub fn account_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me::get).patch(me::patch))
        .route("/api/v1/me/verification", post(me::verify))
        .route("/api/v1/accounts", post(accounts::register))
        .route("/api/v1/accounts/{id}", get(accounts::get))
        .route("/api/v1/sessions", post(accounts::sign_in))
        .route("/api/v1/sessions/current", delete(accounts::sign_out))
}

/// Admin routes that take an import file.
pub fn import_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/imports/admin-units",
            post(admin::import_admin_units),
        )
        .route(
            "/api/v1/admin/imports/unit-successions",
            post(admin::import_successions),
        )
        .route(
            "/api/v1/admin/imports/agencies",
            post(admin::import_agencies),
        )
        .route(
            "/api/v1/admin/imports/procedures",
            post(admin::import_procedures),
        )
}

/// Other admin routes.
pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/procedures/{code}", put(admin::put_procedure))
        .route("/api/v1/admin/agencies/{code}", put(admin::put_agency))
        .route("/api/v1/admin/search/rebuild", post(admin::rebuild_search))
        .route(
            "/api/v1/admin/officials",
            get(officials::list).post(officials::create),
        )
        .route(
            "/api/v1/admin/officials/{id}/roles",
            put(officials::set_roles),
        )
        .route(
            "/api/v1/admin/oidc-clients",
            get(clients::list).post(clients::create),
        )
        .route("/api/v1/admin/audit", get(audit::list))
}

/// The process is alive.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "Alive", body = String, content_type = "text/plain"))
)]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = String, content_type = "text/plain"),
        (status = 503, description = "The database does not answer", body = String, content_type = "text/plain"),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.catalogue.ready().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
