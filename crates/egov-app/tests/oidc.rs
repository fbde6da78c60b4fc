//! The OpenID Connect provider: discovery, keys, clients, authorization
//! requests and consent — on every test backend. Logout and upstream linking
//! are in `oidc_logout.rs`.
//! Token-endpoint and bearer-token behaviour is in `oidc_tokens.rs`.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod oidc_support;

use egov_app::oidc::{
    AuthorizeError, ClientAuth, ErrorCode, OidcConfig, TokenRequest, DEMO_CLIENT_ID,
};
use egov_app::ports::ClientKind;
use egov_app::AppError;
use egov_domain::identity::{AccountId, AccountKind, Actor, Role, RoleAssignment};
use jiff::{SignedDuration, Timestamp};
use oidc_support::*;

fn no_redirect(r: Result<egov_app::oidc::ValidRequest, AuthorizeError>) -> bool {
    matches!(r, Err(AuthorizeError::NoRedirect { .. }))
}

fn redirected(r: Result<egov_app::oidc::ValidRequest, AuthorizeError>) -> (ErrorCode, String) {
    let e = r.unwrap_err();
    let url = e
        .redirect_url()
        .unwrap_or_else(|| panic!("expected a redirect, got {e:?}"));
    match e {
        AuthorizeError::Redirect { error, .. } => (error, url),
        other => panic!("expected a redirect, got {other:?}"),
    }
}

#[tokio::test]
async fn discovery_describes_the_provider() {
    let f = fixtures(Timestamp::now()).await.remove(0);
    let d = f.oidc.discovery();
    assert_eq!(d["issuer"], ISSUER);
    assert_eq!(
        d["authorization_endpoint"],
        format!("{ISSUER}/oidc/authorize")
    );
    assert_eq!(d["token_endpoint"], format!("{ISSUER}/oidc/token"));
    assert_eq!(d["userinfo_endpoint"], format!("{ISSUER}/oidc/userinfo"));
    assert_eq!(d["jwks_uri"], format!("{ISSUER}/oidc/jwks"));
    assert_eq!(d["end_session_endpoint"], format!("{ISSUER}/oidc/logout"));
    assert_eq!(d["revocation_endpoint"], format!("{ISSUER}/oidc/revoke"));
    assert_eq!(d["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(
        d["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        d["id_token_signing_alg_values_supported"],
        serde_json::json!(["ES256"])
    );
    assert_eq!(d["subject_types_supported"], serde_json::json!(["public"]));
    let scopes = d["scopes_supported"].as_array().unwrap();
    assert!(scopes.iter().any(|s| s == "national_id") && scopes.iter().any(|s| s == "openid"));
    let auth = d["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    assert!(auth.iter().any(|m| m == "client_secret_basic") && auth.iter().any(|m| m == "none"));
    assert!(d["claims_supported"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "organisation"));
}

#[tokio::test]
async fn the_jwks_keeps_a_retired_key_until_it_expires() {
    let t0 = Timestamp::now();
    let hours = SignedDuration::from_hours;
    let config = || OidcConfig {
        key_rotation: hours(24),
        key_overlap: hours(48),
        ..OidcConfig::new(ISSUER)
    };
    for f in fixtures_with(config, t0).await {
        let kids = |jwks: serde_json::Value| -> Vec<String> {
            let keys = jwks["keys"].as_array().unwrap().iter();
            keys.map(|k| k["kid"].as_str().unwrap().to_owned())
                .collect()
        };
        let first = f.oidc.ensure_signing_key(t0).await.unwrap();
        let jwks = f.oidc.jwks(t0).await.unwrap();
        let key = &jwks["keys"][0];
        assert_eq!(
            (key["kty"].as_str(), key["crv"].as_str()),
            (Some("EC"), Some("P-256"))
        );
        assert_eq!(
            (key["alg"].as_str(), key["use"].as_str()),
            (Some("ES256"), Some("sig"))
        );
        assert_eq!(kids(jwks), vec![first.clone()], "{}", f.label);
        let again = f.oidc.ensure_signing_key(t0).await.unwrap();
        assert_eq!(again, first, "a live key is kept");

        // Signed just before the rotation.
        let ta = t0 + hours(24) - SignedDuration::from_mins(5);
        let token = client_token(&f, ta).await;
        let kid = |t: &str| jsonwebtoken::decode_header(t).unwrap().kid.unwrap();
        assert_eq!(kid(&token), first);
        let id_token = f.mobile_tokens("openid", ta).await.id_token.unwrap();
        assert_eq!(kid(&id_token), first);

        let t1 = t0 + hours(24) + SignedDuration::from_mins(1);
        let second = f.oidc.ensure_signing_key(t1).await.unwrap();
        assert_ne!(
            second, first,
            "{}: a new key signs after the rotation",
            f.label
        );
        let listed = kids(f.oidc.jwks(t1).await.unwrap());
        assert!(
            listed.contains(&first) && listed.contains(&second),
            "{}",
            f.label
        );
        let verified = f.oidc.verify_access_token(&token, t1).await;
        assert!(
            verified.is_ok(),
            "{}: the retired key still verifies",
            f.label
        );
        assert_eq!(kid(&client_token(&f, t1).await), second);

        // The ID token stays usable as a logout hint until its key expires.
        let before = t0 + hours(24 + 47);
        f.oidc.ensure_signing_key(before).await.unwrap();
        let hint = f
            .oidc
            .end_session(Some(&id_token), None, None, None, before)
            .await;
        assert_eq!(
            hint.unwrap().account.as_ref(),
            Some(&f.citizen),
            "{}",
            f.label
        );
        let after = t0 + hours(24 + 48) + SignedDuration::from_mins(1);
        f.oidc.ensure_signing_key(after).await.unwrap();
        assert!(
            !kids(f.oidc.jwks(after).await.unwrap()).contains(&first),
            "{}",
            f.label
        );
        let hint = f
            .oidc
            .end_session(Some(&id_token), None, None, None, after)
            .await;
        assert!(hint.is_err(), "{}: the key has expired", f.label);
    }
}

async fn client_token(f: &Fixture, now: Timestamp) -> String {
    let req = TokenRequest {
        grant_type: Some("client_credentials".into()),
        client: ClientAuth {
            basic: Some(("robot".into(), f.robot_secret.clone())),
            ..ClientAuth::default()
        },
        ..TokenRequest::default()
    };
    f.oidc.token(req, &ctx(), now).await.unwrap().access_token
}

#[tokio::test]
async fn authorization_requests_are_checked() {
    for f in fixtures(Timestamp::now()).await {
        let o = &f.oidc;
        let ok = o
            .validate_authorization(mobile_request("openid profile"))
            .await
            .unwrap();
        assert_eq!(
            ok.redirect_uri, "http://127.0.0.1:49152/callback",
            "{}: loopback, any port",
            f.label
        );
        assert_eq!(ok.scopes, strings(&["openid", "profile"]));

        let mut p = mobile_request("openid");
        p.client_id = Some("nobody".into());
        assert!(
            no_redirect(o.validate_authorization(p).await),
            "{}: unknown client",
            f.label
        );
        let mut p = mobile_request("openid");
        p.redirect_uri = Some("https://evil.example/cb".into());
        assert!(
            no_redirect(o.validate_authorization(p).await),
            "{}: unregistered redirect",
            f.label
        );
        let mut p = mobile_request("openid");
        p.redirect_uri = Some("https://rp.example:8443/cb".into());
        assert!(
            no_redirect(o.validate_authorization(p).await),
            "{}: https matches exactly",
            f.label
        );
        let mut p = mobile_request("openid");
        p.redirect_uri = Some("https://rp.example/cb/extra".into());
        assert!(no_redirect(o.validate_authorization(p).await));
        let mut p = mobile_request("openid");
        p.redirect_uri = Some("https://rp.example/cb".into());
        assert!(
            o.validate_authorization(p).await.is_ok(),
            "{}: https exact",
            f.label
        );

        let mut p = mobile_request("openid");
        p.code_challenge = None;
        p.code_challenge_method = None;
        let (code, url) = redirected(o.validate_authorization(p).await);
        assert_eq!(
            code,
            ErrorCode::InvalidRequest,
            "{}: PKCE required",
            f.label
        );
        assert!(
            url.starts_with("http://127.0.0.1:49152/callback?error=invalid_request"),
            "{url}"
        );
        assert!(
            url.contains("state=st-1") && url.contains("iss=http%3A%2F%2F127.0.0.1%3A8080"),
            "{url}"
        );

        let mut p = mobile_request("openid");
        p.code_challenge = Some(VERIFIER.into());
        p.code_challenge_method = Some("plain".into());
        assert_eq!(
            redirected(o.validate_authorization(p).await).0,
            ErrorCode::InvalidRequest,
            "plain"
        );

        for scope in ["profile email", "openid unknown", "openid admin", ""] {
            let p = mobile_request(scope);
            assert_eq!(
                redirected(o.validate_authorization(p).await).0,
                ErrorCode::InvalidScope,
                "{scope}"
            );
        }
        let mut p = mobile_request("openid");
        p.response_type = Some("token".into());
        assert_eq!(
            redirected(o.validate_authorization(p).await).0,
            ErrorCode::UnsupportedResponseType
        );

        // A confidential client may do without PKCE.
        let p = egov_app::oidc::AuthorizationParams {
            response_type: Some("code".into()),
            client_id: Some("portal".into()),
            redirect_uri: Some("https://portal.example/cb".into()),
            scope: Some("openid".into()),
            ..Default::default()
        };
        assert!(o.validate_authorization(p).await.is_ok(), "{}", f.label);
    }
}

#[tokio::test]
async fn the_code_redirect_carries_code_state_and_issuer() {
    let now = Timestamp::now();
    let f = fixtures(now).await.remove(0);
    let valid = f
        .oidc
        .validate_authorization(mobile_request("openid"))
        .await
        .unwrap();
    let code = f
        .oidc
        .issue_code(&valid, &f.citizen, now, now)
        .await
        .unwrap();
    assert_eq!(code.len(), 43);
    let url = url::Url::parse(&f.oidc.redirect_with_code(&valid, &code)).unwrap();
    assert_eq!(url.port(), Some(49152));
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["code"], code);
    assert_eq!(q["state"], "st-1");
    assert_eq!(q["iss"], ISSUER);
}

#[tokio::test]
async fn consent_is_remembered() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let o = &f.oidc;
        let asked = strings(&["openid", "profile"]);
        assert!(o.needs_consent(&f.citizen, "mobile", &asked).await.unwrap());
        o.grant_consent(&f.citizen, "mobile", &asked, &ctx(), now)
            .await
            .unwrap();
        assert!(
            !o.needs_consent(&f.citizen, "mobile", &asked).await.unwrap(),
            "{}",
            f.label
        );
        assert!(!o
            .needs_consent(&f.citizen, "mobile", &strings(&["openid"]))
            .await
            .unwrap());
        assert!(o
            .needs_consent(&f.citizen, "mobile", &strings(&["openid", "email"]))
            .await
            .unwrap());
        assert!(
            o.needs_consent(&f.company, "mobile", &asked).await.unwrap(),
            "per person"
        );
        assert!(
            o.needs_consent(&f.citizen, "portal", &asked).await.unwrap(),
            "per client"
        );
        o.grant_consent(&f.citizen, "mobile", &strings(&["email"]), &ctx(), now)
            .await
            .unwrap();
        let all = strings(&["openid", "profile", "email"]);
        assert!(
            !o.needs_consent(&f.citizen, "mobile", &all).await.unwrap(),
            "{}: grants add up",
            f.label
        );
        assert_eq!(f.audited("consent.granted").await, 2);
    }
}

#[tokio::test]
async fn only_system_administrators_register_clients() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let o = &f.oidc;
        let citizen = Actor::Person {
            id: f.citizen.clone(),
            kind: AccountKind::Citizen,
            roles: vec![],
            scopes: None,
        };
        let new = || {
            register(
                "new-app",
                ClientKind::Public,
                &["https://app.example/cb"],
                &["openid"],
                &["authorization_code"],
            )
        };
        assert!(matches!(
            o.register_client(&citizen, new(), &ctx(), now).await,
            Err(AppError::Denied(_))
        ));
        assert!(matches!(
            o.clients(&citizen).await,
            Err(AppError::Denied(_))
        ));
        let root = Actor::Person {
            id: AccountId("root".into()),
            kind: AccountKind::Official,
            roles: vec![RoleAssignment {
                agency_code: "GOV".into(),
                role: Role::SystemAdmin,
            }],
            scopes: None,
        };
        let (client, secret) = o.register_client(&root, new(), &ctx(), now).await.unwrap();
        assert_eq!(
            (client.client_id.as_str(), secret),
            ("new-app", None),
            "{}",
            f.label
        );
        assert!(matches!(
            o.register_client(&root, new(), &ctx(), now).await,
            Err(AppError::Conflict(_))
        ));

        let mut bad = new();
        bad.client_id = None;
        bad.redirect_uris = strings(&["http://app.example/cb"]);
        assert!(matches!(
            o.register_client(&root, bad, &ctx(), now).await,
            Err(AppError::Invalid(_))
        ));
        let mut bad = new();
        bad.client_id = None;
        bad.redirect_uris = strings(&["https://app.example/cb#x"]);
        assert!(matches!(
            o.register_client(&root, bad, &ctx(), now).await,
            Err(AppError::Invalid(_))
        ));
        let mut bad = new();
        bad.client_id = None;
        bad.grant_types = strings(&["client_credentials"]);
        assert!(
            matches!(
                o.register_client(&root, bad, &ctx(), now).await,
                Err(AppError::Invalid(_))
            ),
            "public + client_credentials"
        );

        let stored = o.clients(&root).await.unwrap();
        let portal = stored.iter().find(|c| c.client_id == "portal").unwrap();
        let hash = portal.secret_hash.as_deref().unwrap();
        assert_ne!(
            hash, f.portal_secret,
            "{}: the secret is not stored in clear",
            f.label
        );
        assert_eq!(hash.len(), 64);
        assert!(f.audited("client.registered").await >= 4);
    }
}

#[tokio::test]
async fn the_demo_client_accepts_any_loopback_port() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let demo = f.oidc.ensure_demo_client(now).await.unwrap();
        assert_eq!(demo.kind, ClientKind::Public);
        assert_eq!(f.oidc.ensure_demo_client(now).await.unwrap(), demo, "kept");
        for port in [1024, 54321] {
            let mut p = mobile_request("openid profile national_id organisation");
            p.client_id = Some(DEMO_CLIENT_ID.into());
            p.redirect_uri = Some(format!("http://127.0.0.1:{port}/callback"));
            assert!(
                f.oidc.validate_authorization(p).await.is_ok(),
                "{} {port}",
                f.label
            );
        }
    }
}
