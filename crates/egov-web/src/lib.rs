//! The HTTP edge of egov: JSON API (`/api/v1`), its OpenAPI document, HTML
//! pages, the OpenID Connect provider's endpoints, health and metrics. Thin:
//! every handler calls a use case of [`egov_app`].
//!
//! ```no_run
//! # async fn serve(services: egov_web::Services) {
//! let app = egov_web::router(services, egov_web::WebConfig::default());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//! axum::serve(listener, app).await.unwrap();
//! # }
//! ```

pub mod api;
pub mod auth;
pub mod extract;
pub mod i18n;
pub mod metrics;
pub mod middleware;
pub mod oidc;
pub mod openapi;
pub mod pages;
pub mod problem;
pub mod state;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

pub use problem::Problem;
pub use state::{AppState, Services, UpstreamLogin, WebConfig};

/// The stylesheet of every page (one small file, no external fonts).
const APP_CSS: &str = include_str!("../static/app.css");

/// The whole application: API, pages, OpenID Connect, static files, health
/// and metrics.
pub fn router(services: Services, config: WebConfig) -> Router {
    let state = AppState::new(services, config);
    let config = Arc::clone(&state.config);
    let limit = |bytes: usize| DefaultBodyLimit::max(bytes);
    let public = Router::new()
        .merge(api::public_routes())
        .merge(api::account_routes())
        // Dossiers: uploads carry their own larger body limit, the public
        // lookup and signature check their own rate limits.
        .merge(api::dossiers::routes(&state))
        .merge(page_routes())
        .merge(account_pages())
        // Dossier pages: applying, following, processing, public lookup.
        .merge(pages::dossiers::routes(&state))
        .merge(oidc::routes())
        .route("/api/openapi.json", get(openapi::openapi_json))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/static/app.css", get(stylesheet))
        .fallback(pages::not_found)
        .layer(limit(config.body_limit))
        .layer(timeout(config.request_timeout));
    let imports = api::import_routes()
        .layer(limit(config.import_body_limit))
        .layer(timeout(config.admin_timeout));
    let admin = api::admin_routes()
        .layer(limit(config.body_limit))
        .layer(timeout(config.admin_timeout));
    public
        .merge(imports)
        .merge(admin)
        // Innermost first: panics become bare 500s, which `problems` dresses.
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn(middleware::problems))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .layer(axum::middleware::from_fn(middleware::request_id))
        // Pages carry long published texts; gzip keeps them light on a slow
        // mobile connection (only when the client accepts it).
        .layer(CompressionLayer::new().gzip(true))
        .with_state(state)
}

fn timeout(duration: std::time::Duration) -> TimeoutLayer {
    TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, duration)
}

fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home::home))
        .route("/thu-tuc", get(pages::procedures::search))
        .route("/thu-tuc/{code}", get(pages::procedures::procedure))
        .route(
            "/thu-tuc/{code}/phien-ban/{version}",
            get(pages::procedures::procedure_version),
        )
        .route("/don-vi-hanh-chinh", get(pages::units::units))
        .route("/don-vi-hanh-chinh/tra-cuu", get(pages::units::lookup))
}

/// Registration, sign-in, the account and officials administration.
fn account_pages() -> Router<AppState> {
    use pages::{account, officials, register, sessions, sign_in, upstream, verify};
    Router::new()
        .route("/dang-nhap/ben-ngoai", get(upstream::start))
        .route("/dang-nhap/ben-ngoai/callback", get(upstream::callback))
        .route(
            "/dang-nhap",
            get(sign_in::sign_in_form).post(sign_in::sign_in),
        )
        .route("/dang-xuat", post(sign_in::sign_out))
        .route(
            "/quen-mat-khau",
            get(sign_in::forgot_form).post(sign_in::forgot),
        )
        .route(
            "/dat-lai-mat-khau",
            get(sign_in::reset_form).post(sign_in::reset),
        )
        .route(
            "/dang-ky",
            get(register::register_form).post(register::register),
        )
        .route("/xac-minh", get(verify::verify_form).post(verify::verify))
        .route("/xac-minh/gui-lai", post(verify::resend))
        .route("/tai-khoan", get(account::account))
        .route("/tai-khoan/ho-ten", post(account::change_name))
        .route("/tai-khoan/mat-khau", post(account::change_password))
        .route("/tai-khoan/lien-he", post(account::change_contact))
        .route(
            "/tai-khoan/xac-thuc-hai-buoc",
            get(account::totp_form).post(account::totp_confirm),
        )
        .route("/tai-khoan/phien", get(sessions::sessions))
        .route("/tai-khoan/phien/thu-hoi", post(sessions::revoke))
        .route(
            "/tai-khoan/phien/dang-xuat-tat-ca",
            post(sessions::everywhere),
        )
        .route(
            "/quan-tri/can-bo",
            get(officials::officials).post(officials::create),
        )
        .route("/quan-tri/can-bo/{id}/vai-tro", post(officials::set_roles))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        APP_CSS,
    )
}
