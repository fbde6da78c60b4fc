//! The edge around the API: admin auth, body limits, OpenAPI, metrics,
//! health, request ids and security headers.
// Helpers outside #[test] fns unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{apps, apps_with, loaded_apps, TOKEN};
use egov_web::WebConfig;

fn post(uri: &str, authorization: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut request = Request::builder().method(Method::POST).uri(uri);
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    request.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn admin_needs_the_right_bearer_token() {
    let uri = "/api/v1/admin/imports/agencies?format=json";
    for app in apps().await {
        for authorization in [
            None,
            Some("Bearer wrong-token-0123456789"),
            Some("Basic dXNlcjpwYXNz"),
        ] {
            let response = app.send(post(uri, authorization, b"[]".to_vec())).await;
            response.problem(401);
            let challenge = response.header("www-authenticate").unwrap();
            assert!(challenge.starts_with("Bearer"), "{challenge}");
        }
        let response = app
            .send(post(uri, Some(&format!("Bearer {TOKEN}")), b"[]".to_vec()))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    }
}

#[tokio::test]
async fn admin_api_is_off_without_a_token() {
    for app in apps_with(WebConfig::default()).await {
        let response = app
            .send(post(
                "/api/v1/admin/search/rebuild",
                Some("Bearer anything-at-all-12345"),
                Vec::new(),
            ))
            .await;
        let problem = response.problem(403);
        assert!(problem["detail"]
            .as_str()
            .unwrap()
            .contains("admin API disabled"));
    }
}

#[tokio::test]
async fn oversized_bodies_are_413_problems() {
    for app in apps().await {
        // The default import limit is 32 MiB.
        let big = vec![b' '; 32 * 1024 * 1024 + 1];
        let response = app
            .import("/api/v1/admin/imports/procedures?format=jsonl", big)
            .await;
        response.problem(413);
        // Elsewhere 1 MiB.
        let mut json = b"{\"code\": \"1.001193\", \"name\": \"".to_vec();
        json.extend(std::iter::repeat_n(b'a', 1024 * 1024));
        json.extend(b"\"}");
        let response = app
            .admin(
                Method::PUT,
                "/api/v1/admin/procedures/1.001193",
                "application/json",
                json,
            )
            .await;
        response.problem(413);
    }
}

#[tokio::test]
async fn wrong_methods_and_unknown_routes() {
    for app in apps().await {
        let response = app.get("/api/v1/admin/imports/procedures").await;
        response.problem(405);
        assert!(response.header("allow").unwrap().contains("POST"));

        let page = app.get("/khong-co-trang-nay").await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(page.content_type().starts_with("text/html"));
        assert!(page.text().contains("<html lang=\"vi\""));
    }
}

#[tokio::test]
async fn openapi_document_lists_every_route() {
    let app = apps().await.into_iter().next().unwrap();
    let doc = app.get_json("/api/openapi.json").await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let routes = [
        ("get", "/api/v1/procedures"),
        ("get", "/api/v1/procedures/{code}"),
        ("get", "/api/v1/procedures/{code}/versions"),
        ("get", "/api/v1/procedures/{code}/versions/{version}"),
        ("get", "/api/v1/admin-units"),
        ("get", "/api/v1/admin-units/{code}"),
        ("get", "/api/v1/agencies"),
        ("get", "/api/v1/agencies/{code}"),
        ("post", "/api/v1/admin/imports/admin-units"),
        ("post", "/api/v1/admin/imports/unit-successions"),
        ("post", "/api/v1/admin/imports/agencies"),
        ("post", "/api/v1/admin/imports/procedures"),
        ("put", "/api/v1/admin/procedures/{code}"),
        ("put", "/api/v1/admin/agencies/{code}"),
        ("post", "/api/v1/admin/search/rebuild"),
        ("get", "/api/v1/me"),
        ("patch", "/api/v1/me"),
        ("post", "/api/v1/me/verification"),
        ("post", "/api/v1/accounts"),
        ("get", "/api/v1/accounts/{id}"),
        ("post", "/api/v1/sessions"),
        ("delete", "/api/v1/sessions/current"),
        ("get", "/api/v1/admin/officials"),
        ("post", "/api/v1/admin/officials"),
        ("put", "/api/v1/admin/officials/{id}/roles"),
        ("get", "/api/v1/admin/oidc-clients"),
        ("post", "/api/v1/admin/oidc-clients"),
        ("get", "/api/v1/admin/audit"),
        ("get", "/api/openapi.json"),
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/metrics"),
    ];
    for (method, path) in routes {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} missing");
        assert!(
            ["200", "201", "204"]
                .iter()
                .any(|s| operation["responses"][s].is_object()),
            "{method} {path}"
        );
    }
    // Every other operation belongs to the dossier routes, which
    // `dossiers_api.rs` checks one by one.
    const DOSSIER_AREAS: [&str; 8] = [
        "/api/v1/services",
        "/api/v1/calendar",
        "/api/v1/drafts",
        "/api/v1/attachments",
        "/api/v1/dossiers",
        "/api/v1/inbox",
        "/api/v1/notifications",
        "/api/v1/public/",
    ];
    let operations: usize = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, _)| !DOSSIER_AREAS.iter().any(|area| path.starts_with(area)))
        .map(|(_, p)| p.as_object().unwrap().len())
        .sum();
    assert_eq!(operations, routes.len());
    // Operation ids are unique (clients generate function names from them).
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|p| p.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "duplicate operationIds");
    // Every parameter of the search is documented, and so is the problem schema.
    let params: Vec<&str> = doc["paths"]["/api/v1/procedures"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "q",
        "agency",
        "field",
        "tier",
        "online_mode",
        "unit",
        "page",
        "per_page",
    ] {
        assert!(params.contains(&name), "{name} not in {params:?}");
    }
    let problem = &doc["components"]["schemas"]["Problem"]["properties"];
    for field in ["type", "title", "status", "detail", "instance", "errors"] {
        assert!(problem[field].is_object(), "Problem.{field}");
    }
    let bad = &doc["paths"]["/api/v1/procedures"]["get"]["responses"]["400"]["content"];
    assert!(bad["application/problem+json"].is_object(), "{bad}");
    assert!(doc["components"]["schemas"]["Procedure"].is_object());
    assert!(doc["paths"]["/api/v1/admin/search/rebuild"]["post"]["security"].is_array());
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    for app in loaded_apps().await {
        app.get("/api/v1/procedures/1.001193").await;
        app.get("/api/v1/procedures/9.999999").await;
        let metrics = app.get("/metrics").await;
        assert_eq!(metrics.status, StatusCode::OK);
        let text = metrics.text();
        assert!(
            text.contains(
                r#"http_requests_total{method="GET",route="/api/v1/procedures/{code}",status="200"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains(
            r#"http_requests_total{method="GET",route="/api/v1/procedures/{code}",status="404"} 1"#
        ));
        assert!(
            !text.contains("1.001193"),
            "raw paths must not become labels"
        );
        assert!(text.contains("http_request_duration_seconds_bucket"));
        assert!(text.contains("egov_procedures 5"), "{text}");
        assert!(
            text.contains(r#"egov_admin_units{era="pre-2025"} 5"#),
            "{text}"
        );
    }
}

#[tokio::test]
async fn health_and_readiness() {
    for app in apps().await {
        let health = app.get("/healthz").await;
        assert_eq!(
            (health.status, health.text().as_str()),
            (StatusCode::OK, "ok")
        );
        assert_eq!(app.get("/readyz").await.status, StatusCode::OK);
        app.store.close().await;
        let ready = app.get("/readyz").await;
        assert_eq!(
            ready.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            app.backend
        );
        assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
        // A broken database is a 500 problem without internal detail.
        let response = app.get("/api/v1/admin-units").await;
        let problem = response.problem(500);
        assert!(
            !response.text().to_lowercase().contains("pool"),
            "{problem}"
        );
    }
}

#[tokio::test]
async fn request_ids_and_security_headers() {
    let app = apps().await.into_iter().next().unwrap();
    let response = app.get("/healthz").await;
    let id = response.header("x-request-id").unwrap();
    assert!(!id.is_empty());
    let echoed = app
        .get_with("/healthz", &[("x-request-id", "abc-123")])
        .await;
    assert_eq!(echoed.header("x-request-id"), Some("abc-123"));
    let replaced = app
        .get_with("/healthz", &[("x-request-id", "has spaces in it")])
        .await;
    assert_ne!(replaced.header("x-request-id"), Some("has spaces in it"));

    let page = app.get("/").await;
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.header("referrer-policy").is_some());
    let css = app.get("/static/app.css").await;
    assert!(css.content_type().starts_with("text/css"));
    assert!(css.header("cache-control").unwrap().contains("max-age"));
}
