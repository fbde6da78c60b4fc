//! Test harness: the router in-process over a fresh store on every backend
//! (SQLite always, PostgreSQL when `TEST_DATABASE_URL` is set), requests sent
//! with `tower::ServiceExt::oneshot`.

#![allow(dead_code)]
// Test helpers: a failed set-up must fail the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod identity;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use egov_app::dossiers::DossierConfig;
use egov_app::identity::{Accounts, IdentityConfig};
use egov_app::oidc::{Oidc, OidcConfig};
use egov_app::ports::IdentityStore;
use egov_app::{Catalogue, CatalogueStore, Dossiers};
use egov_store::SqlStore;
use egov_web::{Services, WebConfig};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const TOKEN: &str = "test-admin-token-0123456789";

/// The issuer of the test provider.
pub const ISSUER: &str = "http://egov.test";

/// One application over one backend.
pub struct TestApp {
    pub backend: String,
    pub router: Router,
    pub store: SqlStore,
    pub services: Services,
    /// The secret of the confidential client `test-rp` (see [`identity`]).
    pub rp_secret: String,
}

/// A finished response, body read.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("body is UTF-8")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    /// Asserts a problem+json body with `status`; returns it.
    pub fn problem(&self, status: u16) -> serde_json::Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "{}",
            self.text()
        );
        let json = self.json();
        assert_eq!(json["status"], status);
        assert!(
            json["title"].is_string() && json["type"].is_string(),
            "{json}"
        );
        json
    }
}

/// Fresh, empty applications on every backend, with the admin token set.
pub async fn apps() -> Vec<TestApp> {
    apps_with(WebConfig {
        admin_token: Some(TOKEN.to_owned()),
        ..WebConfig::default()
    })
    .await
}

pub async fn apps_with(config: WebConfig) -> Vec<TestApp> {
    let mut apps = Vec::new();
    for (backend, store) in egov_store::testing::test_stores().await {
        let shared: Arc<dyn CatalogueStore> = Arc::new(store.clone());
        let identity: Arc<dyn IdentityStore> = Arc::new(store.clone());
        let catalogue = Catalogue::open(Arc::clone(&shared))
            .await
            .expect("catalogue opens");
        let accounts = Accounts::new(
            Arc::clone(&identity),
            Arc::clone(&shared),
            IdentityConfig::default(),
        );
        let oidc = Oidc::new(Arc::clone(&identity), OidcConfig::new(ISSUER));
        let files = tempfile::tempdir().expect("temporary folder").keep();
        let blobs = egov_blobs::LocalBlobStore::open(files)
            .await
            .expect("file store opens");
        let dossiers = Dossiers::new(
            Arc::new(store.clone()),
            identity,
            Arc::clone(&shared),
            Arc::new(blobs),
            Arc::new(egov_blobs::NoScan),
            DossierConfig::default(),
        );
        let services = Services {
            catalogue: Arc::new(catalogue),
            accounts: Arc::new(accounts),
            oidc: Arc::new(oidc),
            dossiers: Arc::new(dossiers),
        };
        let rp_secret = identity::register_clients(&services.oidc).await;
        apps.push(TestApp {
            backend,
            router: egov_web::router(services.clone(), config.clone()),
            store,
            services,
            rp_secret,
        });
    }
    apps
}

/// Applications with the fixture catalogue imported through the admin API.
pub async fn loaded_apps() -> Vec<TestApp> {
    let apps = apps().await;
    for app in &apps {
        app.load_fixtures().await;
    }
    apps
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

impl TestApp {
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router never fails");
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .expect("body reads")
            .to_bytes()
            .to_vec();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> TestResponse {
        self.get_with(uri, &[]).await
    }

    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut request = Request::builder().uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// `GET` expecting 200 JSON.
    pub async fn get_json(&self, uri: &str) -> serde_json::Value {
        let response = self.get(uri).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{} {uri}: {}",
            self.backend,
            response.text()
        );
        response.json()
    }

    pub async fn admin(
        &self,
        method: Method,
        uri: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> TestResponse {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    pub async fn import(&self, uri: &str, body: Vec<u8>) -> TestResponse {
        self.admin(Method::POST, uri, "application/octet-stream", body)
            .await
    }

    pub async fn put_json(&self, uri: &str, json: &serde_json::Value) -> TestResponse {
        self.admin(
            Method::PUT,
            uri,
            "application/json",
            serde_json::to_vec(json).unwrap(),
        )
        .await
    }

    /// Imports every fixture file; asserts each import succeeds.
    pub async fn load_fixtures(&self) {
        let steps = [
            (
                "/api/v1/admin/imports/admin-units?era=current&format=json",
                "admin-units-current.json",
            ),
            (
                "/api/v1/admin/imports/admin-units?era=pre-2025&format=json",
                "admin-units-pre-2025.json",
            ),
            (
                "/api/v1/admin/imports/unit-successions?format=json",
                "unit-successions.json",
            ),
            (
                "/api/v1/admin/imports/agencies?format=json",
                "agencies.json",
            ),
            (
                "/api/v1/admin/imports/procedures?format=json",
                "procedures.json",
            ),
        ];
        for (uri, file) in steps {
            let response = self.import(uri, fixture(file)).await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{} {uri}: {}",
                self.backend,
                response.text()
            );
            let counts = response.json();
            assert!(counts["created"].as_u64().unwrap() > 0, "{uri}: {counts}");
        }
    }

    /// How many procedures the API lists.
    pub async fn procedure_total(&self) -> u64 {
        self.get_json("/api/v1/procedures").await["total"]
            .as_u64()
            .unwrap()
    }
}
