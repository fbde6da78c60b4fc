//! Request middleware: request ids, one tracing span per request, metrics,
//! problem bodies for every API error, security headers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Response, StatusCode};
use axum::middleware::Next;
use axum::response::IntoResponse;
use tracing::Instrument;

use crate::problem::{Problem, PROBLEM_JSON};
use crate::state::AppState;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Content-Security-Policy of every response: nothing inline, nothing foreign.
pub const CSP: &str = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'none'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Keeps a sane `x-request-id` from the client, or makes one; echoes it back.
pub async fn request_id(mut req: Request, next: Next) -> Response<Body> {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .filter(|v| is_sane_id(v.as_bytes()))
        .cloned()
        .unwrap_or_else(new_request_id);
    req.headers_mut().insert(X_REQUEST_ID, id.clone());
    let mut response = next.run(req).await;
    response.headers_mut().insert(X_REQUEST_ID, id);
    response
}

fn is_sane_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(b))
}

fn new_request_id() -> HeaderValue {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let text = format!("{:x}-{n:x}", *START);
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("unknown"))
}

/// One span per request (method, route template, request id) and one event
/// when it ends (status, latency); plus the request metrics. Never logs the
/// query string or the body: they may hold personal data.
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response<Body> {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let request_id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let span = tracing::info_span!(
        "request",
        %method,
        %route,
        %request_id,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    let started = Instant::now();
    let response = next.run(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status();
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    span.record("status", status.as_u16());
    span.record("latency_ms", latency_ms);
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::warn!("request finished");
        } else {
            tracing::info!("request finished");
        }
    });
    state.metrics.observe(&method, &route, status, elapsed);
    response
}

/// Every error under `/api` leaves as problem+json with `instance` set;
/// every error elsewhere as an HTML page.
pub async fn problems(req: Request, next: Next) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let lang_query = crate::pages::lang_from_query(req.uri());
    let lang = crate::i18n::Lang::negotiate(lang_query.as_deref(), req.headers());
    let response = next.run(req).await;
    let status = response.status();
    if let Some(problem) = response.extensions().get::<Problem>().cloned() {
        return with_instance(response, problem, &path);
    }
    let is_error = status.is_client_error() || status.is_server_error();
    let has_type = response.headers().contains_key(header::CONTENT_TYPE);
    // Bodies a handler wrote on purpose stay (readyz's text, HTML pages);
    // bare statuses from layers and the router, and any non-problem API error, get one.
    if !is_error || (has_type && !is_api(&path)) {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut fresh = if is_api(&path) {
        Problem::from_status(status).into_response()
    } else {
        crate::pages::error_page(lang, status)
    };
    // Keep headers a layer set (Allow, WWW-Authenticate…), not its body type.
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fresh.headers_mut().entry(name).or_insert(value.clone());
        }
    }
    fresh
}

pub fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

fn with_instance(response: Response<Body>, mut problem: Problem, path: &str) -> Response<Body> {
    problem.instance = Some(path.to_owned());
    let (mut parts, _) = response.into_parts();
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = Body::from(problem.to_json());
    Response::from_parts(parts, body)
}

/// Security headers on every response.
pub async fn security_headers(req: Request, next: Next) -> Response<Body> {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let set = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in set {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    headers
        .entry(HeaderName::from_static("permissions-policy"))
        .or_insert(HeaderValue::from_static(
            "camera=(), microphone=(), geolocation=()",
        ));
    response
}

/// The last resort: a panic in a handler becomes a plain 500 (the problem
/// middleware gives it a body), logged without the request's content.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    tracing::error!(panic = %message, "handler panicked");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_checked() {
        assert!(is_sane_id(b"abc-123_x.y"));
        assert!(!is_sane_id(b""));
        assert!(!is_sane_id(b"has space"));
        assert!(!is_sane_id("x".repeat(65).as_bytes()));
        assert_ne!(new_request_id(), new_request_id());
    }

    #[test]
    fn api_paths() {
        assert!(is_api("/api/v1/procedures"));
        assert!(is_api("/api"));
        assert!(!is_api("/apiary"));
        assert!(!is_api("/thu-tuc"));
    }

    #[test]
    fn a_panic_becomes_a_bare_500() {
        let response = panic_response(Box::new("boom"));
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.headers().get(header::CONTENT_TYPE).is_none());
        let response = panic_response(Box::new(String::from("boom")));
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn csp_has_no_unsafe_inline() {
        assert!(!CSP.contains("unsafe-inline"));
        assert!(CSP.contains("default-src 'self'"));
        assert!(CSP.contains("frame-ancestors 'none'"));
    }
}
