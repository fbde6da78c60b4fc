//! The OpenID Connect endpoints over HTTP: discovery, JWKS, the authorization
//! flow through sign-in and consent, the token endpoint's errors, userinfo,
//! RP-initiated logout, CORS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::identity::{
    csrf_of, form_body, Browser, CITIZEN_ID, PASSWORD, RP, RP_LOGGED_OUT, RP_REDIRECT, SPA,
};
use common::{apps, TestApp, TestResponse, ISSUER};
use egov_app::oidc::{AuthorizationParams, ClientAuth, RequestContext, TokenRequest};
use jiff::Timestamp;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const CALLBACK: &str = "http://127.0.0.1:53111/callback";

fn authorize_uri(state: &str, extra: &str) -> String {
    let q = form_body(&[
        ("response_type", "code"),
        ("client_id", SPA),
        ("redirect_uri", CALLBACK),
        ("scope", "openid profile national_id"),
        ("state", state),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]);
    format!("/oidc/authorize?{q}{extra}")
}

/// The query parameters of a redirect's `Location`.
fn location_params(response: &TestResponse) -> Vec<(String, String)> {
    let location = response.header("location").expect("a Location");
    let url = url::Url::parse(location).unwrap();
    url.query_pairs().into_owned().collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn post_token(app: &TestApp, pairs: &[(&str, &str)], basic: Option<&str>) -> TestResponse {
    post_client_form(app, "/oidc/token", pairs, basic).await
}

/// A client's form POST to the token or revocation endpoint.
async fn post_client_form(
    app: &TestApp,
    uri: &str,
    pairs: &[(&str, &str)],
    basic: Option<&str>,
) -> TestResponse {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(value) = basic {
        request = request.header(header::AUTHORIZATION, value);
    }
    app.send(request.body(Body::from(form_body(pairs))).unwrap())
        .await
}

/// Asserts an RFC 6749 error body (not a problem); returns the error code.
fn oauth_error(response: &TestResponse, status: u16) -> String {
    assert_eq!(response.status.as_u16(), status, "{}", response.text());
    assert_eq!(response.content_type(), "application/json");
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let json = response.json();
    assert!(json["error_description"].is_string(), "{json}");
    assert!(json.get("type").is_none(), "not problem+json: {json}");
    json["error"].as_str().unwrap().to_owned()
}

/// Follows the authorization request through sign-in to the consent page.
async fn to_consent(browser: &mut Browser<'_>, state: &str) -> TestResponse {
    let first = browser.get(&authorize_uri(state, "")).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.text());
    let sign_in = first.header("location").unwrap().to_owned();
    assert!(
        sign_in.starts_with("/dang-nhap?next=%2Foidc%2Fauthorize"),
        "{sign_in}"
    );
    let page = browser.get(&sign_in).await;
    let html = page.text();
    assert!(html.contains("name=\"next\""));
    let next = url::Url::parse(&format!("http://x{sign_in}")).unwrap();
    let next = next
        .query_pairs()
        .find(|(k, _)| k == "next")
        .unwrap()
        .1
        .into_owned();
    let signed = browser
        .post_form(
            "/dang-nhap",
            &[
                ("csrf", &csrf_of(&html)),
                ("login", CITIZEN_ID),
                ("password", PASSWORD),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text());
    let back = signed.header("location").unwrap().to_owned();
    assert!(back.starts_with("/oidc/authorize?"), "{back}");
    browser.get(&back).await
}

#[tokio::test]
async fn discovery_and_jwks_describe_the_provider() {
    for app in apps().await {
        app.services
            .oidc
            .ensure_signing_key(Timestamp::now())
            .await
            .unwrap();
        let response = app.get("/.well-known/openid-configuration").await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.header("access-control-allow-origin"), Some("*"));
        assert!(response
            .header("access-control-allow-credentials")
            .is_none());
        let doc = response.json();
        assert_eq!(doc["issuer"], ISSUER);
        assert_eq!(doc["token_endpoint"], format!("{ISSUER}/oidc/token"));
        assert_eq!(doc["jwks_uri"], format!("{ISSUER}/oidc/jwks"));
        assert_eq!(
            doc["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        let jwks = app.get("/oidc/jwks").await;
        assert_eq!(jwks.header("access-control-allow-origin"), Some("*"));
        let keys = jwks.json()["keys"].as_array().unwrap().clone();
        assert!(!keys.is_empty());
        for key in &keys {
            assert_eq!(key["kty"], "EC");
            assert!(key["kid"].is_string());
            assert!(key.get("d").is_none(), "no private part: {key}");
        }
        // A browser app's preflight to the token endpoint.
        let preflight = Request::builder()
            .method(Method::OPTIONS)
            .uri("/oidc/token")
            .header("origin", "https://spa.example")
            .header("access-control-request-method", "POST")
            .body(Body::empty())
            .unwrap();
        let response = app.send(preflight).await;
        assert_eq!(response.status, StatusCode::NO_CONTENT);
        assert_eq!(response.header("access-control-allow-origin"), Some("*"));
        // Pages are not open to other origins.
        assert!(app
            .get("/oidc/authorize")
            .await
            .header("access-control-allow-origin")
            .is_none());
    }
}

#[tokio::test]
async fn sign_in_then_consent_then_code_then_tokens() {
    for app in apps().await {
        app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let mut browser = app.browser();
        let consent = to_consent(&mut browser, "st-1").await;
        assert_eq!(consent.status, StatusCode::OK, "{}", consent.text());
        let html = consent.text();
        assert!(html.contains("Ứng dụng Demo"), "the client's name");
        assert!(
            html.contains("Xem số định danh cá nhân"),
            "scopes in plain words"
        );
        assert!(html.contains("name=\"decision\" value=\"allow\""));
        assert!(html.contains("name=\"decision\" value=\"deny\""));
        let csp = consent.header("content-security-policy").unwrap();
        assert!(
            csp.contains("form-action 'self' http://127.0.0.1:53111"),
            "{csp}"
        );
        let fields = hidden_fields(&html);
        let mut pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        pairs.push(("decision", "allow"));
        let allowed = browser.post_form("/oidc/authorize", &pairs).await;
        assert_eq!(allowed.status, StatusCode::FOUND, "{}", allowed.text());
        assert!(allowed.header("location").unwrap().starts_with(CALLBACK));
        let params = location_params(&allowed);
        assert_eq!(param(&params, "state"), Some("st-1"));
        assert_eq!(param(&params, "iss"), Some(ISSUER));
        let code = param(&params, "code").unwrap().to_owned();

        let exchange = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("client_id", SPA),
            ("code_verifier", VERIFIER),
        ];
        let tokens = post_token(&app, &exchange, None).await;
        assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.text());
        assert_eq!(tokens.header("cache-control"), Some("no-store"));
        assert_eq!(tokens.header("access-control-allow-origin"), Some("*"));
        let json = tokens.json();
        assert!(json["id_token"].is_string() && json["refresh_token"].is_string());
        let access = json["access_token"].as_str().unwrap().to_owned();
        // Revocation (RFC 7009, advertised in discovery) ends the refresh token.
        let refresh = json["refresh_token"].as_str().unwrap().to_owned();
        let revoked = post_client_form(
            &app,
            "/oidc/revoke",
            &[("token", refresh.as_str()), ("client_id", SPA)],
            None,
        )
        .await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
        let refreshed = post_token(
            &app,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.as_str()),
                ("client_id", SPA),
            ],
            None,
        )
        .await;
        assert_eq!(oauth_error(&refreshed, 400), "invalid_grant");
        // The code is single use.
        let replay = post_token(&app, &exchange, None).await;
        assert_eq!(oauth_error(&replay, 400), "invalid_grant");

        let bearer = format!("Bearer {access}");
        let info = app
            .get_with("/oidc/userinfo", &[("authorization", &bearer)])
            .await;
        assert_eq!(info.status, StatusCode::OK, "{}", info.text());
        assert_eq!(info.json()["national_id"], CITIZEN_ID);
        assert_eq!(info.json()["name"], "Nguyễn Văn An");

        // Consent is remembered: straight back with a code.
        let again = browser.get(&authorize_uri("st-2", "")).await;
        assert_eq!(again.status, StatusCode::FOUND, "{}", again.text());
        assert_eq!(param(&location_params(&again), "state"), Some("st-2"));
        assert!(param(&location_params(&again), "code").is_some());
        // prompt=consent asks again; denying sends access_denied back.
        let asked = browser.get(&authorize_uri("st-3", "&prompt=consent")).await;
        assert_eq!(asked.status, StatusCode::OK);
        let fields = hidden_fields(&asked.text());
        let mut pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        pairs.push(("decision", "deny"));
        let denied = browser.post_form("/oidc/authorize", &pairs).await;
        assert_eq!(denied.status, StatusCode::FOUND);
        let params = location_params(&denied);
        assert_eq!(param(&params, "error"), Some("access_denied"));
        assert_eq!(param(&params, "state"), Some("st-3"));
        // The consent form without the session's token is refused.
        let forged = browser
            .post_form(
                "/oidc/authorize",
                &[("client_id", SPA), ("decision", "allow")],
            )
            .await;
        assert_ne!(forged.status, StatusCode::FOUND);
    }
}

/// Every hidden input of a page's consent form, as name/value pairs.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let form = &html[html.find("action=\"/oidc/authorize\"").unwrap()..];
    let mut out = Vec::new();
    for (i, _) in form.match_indices("<input type=\"hidden\"") {
        let tag = &form[i..i + form[i..].find('>').unwrap()];
        let attr = |name: &str| {
            let marker = format!(" {name}=\"");
            let start = tag.find(&marker).unwrap() + marker.len();
            let end = tag[start..].find('"').unwrap();
            decode_html(&tag[start..start + end])
        };
        out.push((attr("name"), attr("value")));
    }
    out
}

fn decode_html(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn untrusted_requests_get_a_page_not_a_redirect() {
    for app in apps().await {
        let bad_redirect = authorize_uri("s", "").replace("53111%2Fcallback", "53111%2Fevil");
        let unknown = authorize_uri("s", "").replace("client_id=spa", "client_id=nobody");
        for uri in [bad_redirect, unknown] {
            let response = app.get(&uri).await;
            assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
            assert!(response.header("location").is_none());
            assert!(response.content_type().starts_with("text/html"));
        }
        // prompt=none without a session: login_required, back to the client.
        let response = app.get(&authorize_uri("s9", "&prompt=none")).await;
        assert_eq!(response.status, StatusCode::FOUND);
        assert_eq!(
            param(&location_params(&response), "error"),
            Some("login_required")
        );
    }
}

#[tokio::test]
async fn token_and_userinfo_errors_follow_the_rfcs() {
    for app in apps().await {
        let wrong = format!("Basic {}", base64_of(&format!("{RP}:not-the-secret")));
        let pairs = [
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", RP_REDIRECT),
        ];
        let response = post_token(&app, &pairs, Some(&wrong)).await;
        assert_eq!(oauth_error(&response, 401), "invalid_client");
        assert!(response
            .header("www-authenticate")
            .unwrap()
            .starts_with("Basic"));
        let right = format!("Basic {}", base64_of(&format!("{RP}:{}", app.rp_secret)));
        let response = post_token(&app, &pairs, Some(&right)).await;
        assert_eq!(oauth_error(&response, 400), "invalid_grant");
        let response = post_token(&app, &[("grant_type", "password")], Some(&right)).await;
        assert_eq!(oauth_error(&response, 400), "unsupported_grant_type");

        let id = app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let token = app.access_token(&id, "openid profile").await;
        let (head, _) = token.rsplit_once('.').unwrap();
        let forged = format!("Bearer {head}.{}", "B".repeat(86));
        for method in [Method::GET, Method::POST] {
            let request = Request::builder()
                .method(method)
                .uri("/oidc/userinfo")
                .header(header::AUTHORIZATION, &forged)
                .body(Body::empty())
                .unwrap();
            let response = app.send(request).await;
            assert_eq!(oauth_error(&response, 401), "invalid_token");
            let challenge = response.header("www-authenticate").unwrap();
            assert!(
                challenge.starts_with("Bearer") && challenge.contains("error=\"invalid_token\""),
                "{challenge}"
            );
        }
        let missing = app.get("/oidc/userinfo").await;
        assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            missing.header("www-authenticate"),
            Some("Bearer realm=\"egov\"")
        );
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// An ID token for the citizen from `test-rp` (without HTTP).
async fn id_token(app: &TestApp, account: &egov_domain::identity::AccountId) -> String {
    let oidc = &app.services.oidc;
    let now = Timestamp::now();
    let params = AuthorizationParams {
        response_type: Some("code".into()),
        client_id: Some(RP.into()),
        redirect_uri: Some(RP_REDIRECT.into()),
        scope: Some("openid".into()),
        ..AuthorizationParams::default()
    };
    let request = oidc.validate_authorization(params).await.unwrap();
    let code = oidc.issue_code(&request, account, now, now).await.unwrap();
    let token = TokenRequest {
        grant_type: Some("authorization_code".into()),
        code: Some(code),
        redirect_uri: Some(RP_REDIRECT.into()),
        client: ClientAuth {
            basic: Some((RP.into(), app.rp_secret.clone())),
            ..ClientAuth::default()
        },
        ..TokenRequest::default()
    };
    let tokens = oidc
        .token(token, &RequestContext::default(), now)
        .await
        .unwrap();
    tokens.id_token.unwrap()
}

#[tokio::test]
async fn logout_goes_only_to_registered_addresses() {
    for app in apps().await {
        let id = app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let hint = id_token(&app, &id).await;
        // Not registered: a page, no redirect, the session stays.
        let mut browser = app.signed_in(CITIZEN_ID).await;
        let q = form_body(&[
            ("id_token_hint", &hint),
            ("post_logout_redirect_uri", "https://evil.example/bye"),
            ("state", "s1"),
        ]);
        let refused = browser.get(&format!("/oidc/logout?{q}")).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.header("location").is_none());
        assert_eq!(browser.get("/tai-khoan").await.status, StatusCode::OK);
        // Registered, with a hint naming the person: signed out and sent back.
        let q = form_body(&[
            ("id_token_hint", &hint),
            ("post_logout_redirect_uri", RP_LOGGED_OUT),
            ("state", "s2"),
        ]);
        let done = browser.get(&format!("/oidc/logout?{q}")).await;
        assert_eq!(done.status, StatusCode::FOUND, "{}", done.text());
        assert_eq!(
            done.header("location"),
            Some(format!("{RP_LOGGED_OUT}?state=s2").as_str())
        );
        assert!(browser.cookie("egov_session").is_none());
        assert_eq!(
            browser.get("/tai-khoan").await.status,
            StatusCode::SEE_OTHER
        );
        // Without a hint the person is asked first.
        let mut browser = app.signed_in(CITIZEN_ID).await;
        let q = form_body(&[
            ("client_id", RP),
            ("post_logout_redirect_uri", RP_LOGGED_OUT),
        ]);
        let asked = browser.get(&format!("/oidc/logout?{q}")).await;
        assert_eq!(asked.status, StatusCode::OK);
        assert!(asked.text().contains("action=\"/oidc/logout\""));
        assert_eq!(browser.get("/tai-khoan").await.status, StatusCode::OK);
        let confirmed = browser
            .post_form(
                "/oidc/logout",
                &[
                    ("csrf", &csrf_of(&asked.text())),
                    ("client_id", RP),
                    ("post_logout_redirect_uri", RP_LOGGED_OUT),
                ],
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::FOUND);
        assert_eq!(confirmed.header("location"), Some(RP_LOGGED_OUT));
        assert_eq!(
            browser.get("/tai-khoan").await.status,
            StatusCode::SEE_OTHER
        );
        // Nobody signed in, nothing asked: the signed-out page.
        let page = app.get("/oidc/logout").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.content_type().starts_with("text/html"));
    }
}
