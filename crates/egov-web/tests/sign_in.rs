//! Signing in and out through the pages: CSRF, cookies, no enumeration,
//! lockout, safe return addresses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::identity::{csrf_of, CITIZEN_ID, PASSWORD};
use common::{apps, apps_with, TOKEN};
use egov_web::WebConfig;

#[tokio::test]
async fn signing_in_sets_a_session_cookie_and_shows_the_account() {
    for app in apps().await {
        app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let mut browser = app.browser();
        let form = browser.get("/dang-nhap").await;
        assert_eq!(form.status, StatusCode::OK);
        let html = form.text();
        assert!(html.contains("data-form=\"sign-in\""), "{html}");
        assert!(html.contains("name=\"login\"") && html.contains("name=\"password\""));
        assert!(html.contains("autocomplete=\"current-password\""));
        assert_eq!(form.header("cache-control"), Some("no-store"));
        let csrf = csrf_of(&html);
        assert_eq!(browser.cookie("egov_csrf"), Some(csrf.as_str()));

        let response = browser
            .post_form(
                "/dang-nhap",
                &[
                    ("csrf", &csrf),
                    ("login", CITIZEN_ID),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.backend,
            response.text()
        );
        assert_eq!(response.header("location"), Some("/tai-khoan"));
        let cookie = response
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("egov_session="))
            .expect("a session cookie");
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");

        let account = browser.get("/tai-khoan").await;
        assert_eq!(account.status, StatusCode::OK, "{}", account.text());
        assert_eq!(account.header("cache-control"), Some("no-store"));
        let html = account.text();
        assert!(html.contains("Nguyễn Văn An"));
        // The header offers signing out, with the session's CSRF token.
        assert!(html.contains("action=\"/dang-xuat\""));

        let out = browser.submit("/tai-khoan", "/dang-xuat", &[]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert!(browser.cookie("egov_session").is_none());
        let after = browser.get("/tai-khoan").await;
        assert_eq!(after.status, StatusCode::SEE_OTHER);
        assert!(after.header("location").unwrap().starts_with("/dang-nhap"));
    }
}

#[tokio::test]
async fn secure_cookies_use_the_host_prefix() {
    let config = WebConfig {
        admin_token: Some(TOKEN.into()),
        ..WebConfig::default()
    }
    .with_public_base_url(Some("https://id.egov.test".into()));
    for app in apps_with(config).await {
        app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let mut browser = app.browser();
        let response = browser.sign_in(CITIZEN_ID, PASSWORD).await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "{}",
            response.text()
        );
        let cookies: Vec<String> = response
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let session = cookies
            .iter()
            .find(|c| c.starts_with("__Host-egov_session="))
            .unwrap_or_else(|| panic!("{cookies:?}"));
        assert!(
            session.contains("Secure") && session.contains("HttpOnly"),
            "{session}"
        );
        assert!(!session.contains("Domain"), "{session}");
        let page = browser.get("/tai-khoan").await;
        assert_eq!(page.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused() {
    for app in apps().await {
        app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let mut browser = app.browser();
        browser.get("/dang-nhap").await;
        for csrf in [None, Some("forged-token")] {
            let mut pairs = vec![("login", CITIZEN_ID), ("password", PASSWORD)];
            if let Some(token) = csrf {
                pairs.push(("csrf", token));
            }
            let response = browser.post_form("/dang-nhap", &pairs).await;
            assert_eq!(
                response.status,
                StatusCode::FORBIDDEN,
                "{}",
                response.text()
            );
            assert!(response.content_type().starts_with("text/html"));
            assert!(browser.cookie("egov_session").is_none());
        }
        // Signed in: a form of the account page without the session's token.
        let mut browser = app.signed_in(CITIZEN_ID).await;
        let response = browser
            .post_form("/tai-khoan/ho-ten", &[("full_name", "Kẻ Giả Mạo")])
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        // The pre-session token does not stand in for the session's.
        let pre = browser.cookie("egov_csrf").unwrap().to_owned();
        let response = browser
            .post_form(
                "/tai-khoan/ho-ten",
                &[("csrf", &pre), ("full_name", "Kẻ Giả Mạo")],
            )
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        assert!(browser
            .get("/tai-khoan")
            .await
            .text()
            .contains("Nguyễn Văn An"));
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_login_look_the_same() {
    for app in apps().await {
        app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let mut browser = app.browser();
        let wrong = browser.sign_in(CITIZEN_ID, "not the password").await;
        let unknown = browser.sign_in("001199000001", "not the password").await;
        assert_eq!(wrong.status, unknown.status);
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let same = |r: &common::TestResponse, login: &str| r.text().replace(login, "LOGIN");
        assert_eq!(same(&wrong, CITIZEN_ID), same(&unknown, "001199000001"));
        assert!(wrong.text().contains("error-summary"));
        assert!(browser.cookie("egov_session").is_none());
    }
}

#[tokio::test]
async fn repeated_failures_lock_the_login_with_retry_after() {
    for app in apps().await {
        app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let mut browser = app.browser();
        for _ in 0..5 {
            let r = browser.sign_in(CITIZEN_ID, "not the password").await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        // Locked now, even with the right password.
        let locked = browser.sign_in(CITIZEN_ID, PASSWORD).await;
        assert_eq!(
            locked.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            locked.text()
        );
        let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
        assert!(retry > 0);
        assert!(locked.content_type().starts_with("text/html"));
        assert!(browser.cookie("egov_session").is_none());
        // The JSON API says the same, as a problem.
        let body = serde_json::json!({"login": CITIZEN_ID, "password": PASSWORD});
        let api = app
            .json_request(Method::POST, "/api/v1/sessions", &[], Some(body))
            .await;
        api.problem(429);
        assert!(api.header("retry-after").is_some());
    }
}

#[tokio::test]
async fn only_local_return_addresses_are_followed() {
    for app in apps().await {
        app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        for next in [
            "https://evil.example/x",
            "//evil.example",
            "/\\evil.example",
        ] {
            let mut browser = app.browser();
            let uri = format!("/dang-nhap?next={}", egov_web::pages::encode(next));
            let page = browser.get(&uri).await;
            // The form does not carry the address on.
            assert!(!page.text().contains("name=\"next\""), "{next}");
            let csrf = csrf_of(&page.text());
            let response = browser
                .post_form(
                    "/dang-nhap",
                    &[
                        ("csrf", &csrf),
                        ("login", CITIZEN_ID),
                        ("password", PASSWORD),
                        ("next", next),
                    ],
                )
                .await;
            assert_eq!(response.status, StatusCode::SEE_OTHER);
            assert_eq!(response.header("location"), Some("/tai-khoan"), "{next}");
        }
        let mut browser = app.browser();
        let page = browser.get("/dang-nhap?next=%2Fthu-tuc%3Fq%3Dx").await;
        let csrf = csrf_of(&page.text());
        let response = browser
            .post_form(
                "/dang-nhap",
                &[
                    ("csrf", &csrf),
                    ("login", CITIZEN_ID),
                    ("password", PASSWORD),
                    ("next", "/thu-tuc?q=x"),
                ],
            )
            .await;
        assert_eq!(response.header("location"), Some("/thu-tuc?q=x"));
    }
}

#[tokio::test]
async fn pages_that_need_a_session_send_to_sign_in_and_back() {
    for app in apps().await {
        for uri in [
            "/tai-khoan",
            "/tai-khoan/phien",
            "/xac-minh",
            "/quan-tri/can-bo",
        ] {
            let response = app.get(uri).await;
            assert_eq!(response.status, StatusCode::SEE_OTHER, "{uri}");
            let location = response.header("location").unwrap();
            assert!(location.starts_with("/dang-nhap?next="), "{location}");
        }
        // A cookie naming no session is deleted.
        let response = app
            .get_with("/", &[("cookie", "egov_session=stale-or-forged")])
            .await;
        let cleared = response
            .headers
            .get_all("set-cookie")
            .iter()
            .any(|v| v.to_str().unwrap().starts_with("egov_session=;"));
        assert!(cleared);
    }
}
