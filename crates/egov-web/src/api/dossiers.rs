//! The dossier API (`/api/v1`): online services and the working-day
//! calendar, drafts and uploads, submission, a dossier's view and the
//! actions on it, documents and slips, the officials' inbox,
//! notifications, and the public lookup and signature check.
//!
//! Callers: citizens and organisations with the session cookie (plus
//! `X-Requested-With`) or an access token with the `dossiers` scope;
//! officials with the session cookie or a token with the `admin` scope;
//! system administrators (or the admin token) publish services and declare
//! calendar days. Every decision of who may do what is the use case's
//! (`egov_app::Dossiers`); this module only translates.
//!
//! **403 or 404.** A dossier that exists but that the caller may not read or
//! act on is `403`; `404` means there is none. Hiding existence behind a 404
//! would protect nothing: the public lookup (`GET
//! /api/v1/public/dossiers/{code}`) answers for any code, by design, so that
//! the code printed on a receipt can be followed without signing in. Drafts
//! and attachments have random ids and follow the same rule. The answer to
//! someone else's dossier never carries any of its content.
//!
//! Uploads (`POST …/attachments`, the signature check) accept a larger body
//! than the rest: the use cases' largest file plus room for the multipart
//! framing. The public lookup and the signature check are rate limited per
//! client address.

pub mod actions;
pub mod drafts;
pub mod files;
pub mod filing;
pub mod inbox;
pub mod json;
pub mod public;
pub mod rate_limit;
pub mod services;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use egov_domain::dossier::DossierCode;

pub use rate_limit::RateLimiter;

use crate::problem::Problem;
use crate::state::AppState;

/// Room for the multipart framing around the largest accepted file.
const MULTIPART_OVERHEAD: usize = 2 * 1024 * 1024;
/// Signature checks (they cost CPU): this many at once, then one every interval.
const VERIFY_BURST: u32 = 10;
const VERIFY_INTERVAL: Duration = Duration::from_secs(6);

/// A dossier code in a path, or a 400 naming the parameter.
pub fn path_dossier_code(code: &str) -> Result<DossierCode, Problem> {
    DossierCode::parse(code).map_err(|e| Problem::parameter("code", e.reason))
}

/// Every route of the dossier API, with its own body limit for uploads and
/// rate limits for the public endpoints. `state` gives the upload size and
/// how the client address is found.
pub fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = state
        .dossiers
        .config()
        .max_upload_bytes
        .saturating_add(MULTIPART_OVERHEAD);
    let limited = |burst, interval| rate_limit::Limited {
        state: state.clone(),
        limiter: Arc::new(RateLimiter::new(burst, interval)),
    };
    let uploads = Router::new()
        .route(
            "/api/v1/drafts/{id}/attachments",
            post(drafts::upload_to_draft),
        )
        .route(
            "/api/v1/dossiers/{code}/attachments",
            post(drafts::upload_to_dossier),
        )
        .merge(
            Router::new()
                .route("/api/v1/public/signatures/verify", post(public::verify))
                .route_layer(axum::middleware::from_fn_with_state(
                    limited(VERIFY_BURST, VERIFY_INTERVAL),
                    rate_limit::limit,
                )),
        )
        .layer(DefaultBodyLimit::max(upload_limit));
    let lookups = Router::new()
        .route("/api/v1/public/dossiers/{code}", get(public::status))
        .route_layer(axum::middleware::from_fn_with_state(
            // Public lookups: `WebConfig::lookup_burst` and `lookup_interval`.
            limited(state.config.lookup_burst, state.config.lookup_interval),
            rate_limit::limit,
        ));
    Router::new()
        .route("/api/v1/services", get(services::list))
        .route(
            "/api/v1/services/{procedure_code}",
            get(services::get).put(services::publish),
        )
        .route("/api/v1/calendar/{year}", get(services::calendar_year))
        .route(
            "/api/v1/calendar/days/{date}",
            put(services::declare_day).delete(services::remove_day),
        )
        .route("/api/v1/drafts", get(drafts::list).post(drafts::create))
        .route(
            "/api/v1/drafts/{id}",
            get(drafts::get).put(drafts::save).delete(drafts::discard),
        )
        .route(
            "/api/v1/attachments/{id}",
            get(drafts::download_attachment).delete(drafts::remove_attachment),
        )
        .route("/api/v1/dossiers", get(filing::mine).post(filing::submit))
        .route("/api/v1/dossiers/{code}", get(filing::view))
        .route(
            "/api/v1/dossiers/{code}/documents/{id}",
            get(filing::document),
        )
        .route("/api/v1/dossiers/{code}/slips/{kind}", get(filing::slip))
        .merge(action_routes())
        .route("/api/v1/inbox", get(inbox::inbox))
        .route("/api/v1/notifications", get(inbox::notifications))
        .route("/api/v1/notifications/read", post(inbox::mark_read))
        .route(
            "/api/v1/public/certificates/root.pem",
            get(public::root_certificate),
        )
        .merge(lookups)
        .merge(uploads)
}

fn action_routes() -> Router<AppState> {
    use actions as a;
    let base = "/api/v1/dossiers/{code}";
    let routes: [(&str, axum::routing::MethodRouter<AppState>); 15] = [
        ("accept", post(a::accept)),
        ("refuse-intake", post(a::refuse_intake)),
        ("assign", post(a::assign)),
        ("transfer", post(a::transfer)),
        ("propose", post(a::propose)),
        ("send-back", post(a::send_back)),
        ("request-supplement", post(a::request_supplement)),
        ("supplement", post(a::supplement)),
        ("approve", post(a::approve)),
        ("stop", post(a::stop)),
        ("withdraw", post(a::withdraw)),
        ("return-result", post(a::return_result)),
        ("apologise", post(a::apologise)),
        ("messages", post(a::message)),
        ("rating", post(a::rate)),
    ];
    routes
        .into_iter()
        .fold(Router::new(), |router, (action, handler)| {
            router.route(&format!("{base}/{action}"), handler)
        })
}
