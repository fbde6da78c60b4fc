//! The token endpoint and bearer tokens: the code flow with PKCE, the attack
//! cases (replay, wrong verifier, forged tokens…), refresh rotation and reuse
//! detection, client credentials, userinfo — on every test backend.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod oidc_support;

use egov_app::oidc::{AuthorizationParams, ClientAuth, ErrorCode, OAuthError, TokenRequest};
use egov_domain::identity::{Action, Actor};
use jiff::{SignedDuration, Timestamp};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use oidc_support::*;

fn code_of(r: Result<egov_app::oidc::TokenResponse, OAuthError>) -> ErrorCode {
    r.unwrap_err().error
}

/// Verifies an ID token as a relying party would, with the published JWKS.
async fn verify_id_token(f: &Fixture, token: &str, now: Timestamp) -> serde_json::Value {
    let jwks: JwkSet = serde_json::from_value(f.oidc.jwks(now).await.unwrap()).unwrap();
    let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    let jwk = jwks.find(&kid).unwrap();
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut v = Validation::new(Algorithm::ES256);
    v.set_audience(&["mobile"]);
    v.set_issuer(&[ISSUER]);
    jsonwebtoken::decode::<serde_json::Value>(token, &key, &v)
        .unwrap()
        .claims
}

#[tokio::test]
async fn the_code_flow_issues_verifiable_tokens() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let t = f
            .mobile_tokens("openid profile email national_id", now)
            .await;
        assert_eq!(t.token_type, "Bearer");
        assert_eq!(t.expires_in, 600);
        assert_eq!(t.scope, "openid profile email national_id");
        assert!(t.refresh_token.is_some(), "{}", f.label);
        let id = verify_id_token(&f, t.id_token.as_deref().unwrap(), now).await;
        assert_eq!(id["sub"], f.citizen.0.as_str(), "{}", f.label);
        assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
        assert_eq!(id["auth_time"], now.as_second());
        assert_eq!(id["name"], "Nguyễn Văn An");
        assert_eq!(id["email"], "an.nguyen@example.vn");
        assert_eq!(id["email_verified"], true);
        assert_eq!(id["national_id"], CITIZEN_NATIONAL_ID);
        assert!(id.get("phone_number").is_none(), "no phone scope");
        let digest = <sha2::Sha256 as sha2::Digest>::digest(t.access_token.as_bytes());
        let expected = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            &digest[..16],
        );
        assert_eq!(id["at_hash"], expected);

        let header = jsonwebtoken::decode_header(&t.access_token).unwrap();
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        let claims = f
            .oidc
            .verify_access_token(&t.access_token, now)
            .await
            .unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.aud.as_str()),
            (f.citizen.0.as_str(), "mobile")
        );
        assert_eq!(claims.client_id, "mobile");
        assert!(!claims.jti.is_empty());
        assert_eq!(f.audited("token.issued").await, 1);
    }
}

#[tokio::test]
async fn bad_exchanges_are_refused_and_recorded() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let o = &f.oidc;
        let code = f.code_for(mobile_request("openid"), &f.citizen, now).await;
        let mut req = f.mobile_exchange(&code);
        req.code_verifier = Some("x".repeat(43));
        assert_eq!(
            code_of(o.token(req, &ctx(), now).await),
            ErrorCode::InvalidGrant,
            "{}: verifier",
            f.label
        );

        let code = f.code_for(mobile_request("openid"), &f.citizen, now).await;
        let late = now + SignedDuration::from_secs(61);
        assert_eq!(
            code_of(o.token(f.mobile_exchange(&code), &ctx(), late).await),
            ErrorCode::InvalidGrant,
            "expired"
        );

        let code = f.code_for(mobile_request("openid"), &f.citizen, now).await;
        let mut req = f.mobile_exchange(&code);
        req.redirect_uri = Some("http://127.0.0.1:40000/callback".into());
        assert_eq!(
            code_of(o.token(req, &ctx(), now).await),
            ErrorCode::InvalidGrant,
            "redirect_uri"
        );

        let req = f.mobile_exchange("made-up-code");
        assert_eq!(
            code_of(o.token(req, &ctx(), now).await),
            ErrorCode::InvalidGrant,
            "unknown code"
        );

        // A code issued to `mobile` cannot be redeemed by `portal`.
        let code = f.code_for(mobile_request("openid"), &f.citizen, now).await;
        let mut req = f.mobile_exchange(&code);
        req.client = ClientAuth {
            basic: Some(("portal".into(), f.portal_secret.clone())),
            ..ClientAuth::default()
        };
        assert_eq!(
            code_of(o.token(req, &ctx(), now).await),
            ErrorCode::InvalidGrant,
            "other client"
        );

        let mut req = f.mobile_exchange("x");
        req.grant_type = Some("password".into());
        assert_eq!(
            code_of(o.token(req, &ctx(), now).await),
            ErrorCode::UnsupportedGrantType
        );
        let mut req = f.mobile_exchange("x");
        req.client = ClientAuth::public("nobody");
        let err = o.token(req, &ctx(), now).await.unwrap_err();
        assert_eq!((err.error, err.status), (ErrorCode::InvalidClient, 401));
        assert_eq!(f.audited("token.failed").await, 7, "{}", f.label);
    }
}

#[tokio::test]
async fn a_replayed_code_revokes_what_it_produced() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let code = f.code_for(mobile_request("openid"), &f.citizen, now).await;
        let first = f
            .oidc
            .token(f.mobile_exchange(&code), &ctx(), now)
            .await
            .unwrap();
        let replay = f.oidc.token(f.mobile_exchange(&code), &ctx(), now).await;
        assert_eq!(code_of(replay), ErrorCode::InvalidGrant, "{}", f.label);
        let refresh = f.refresh_request(first.refresh_token.as_deref().unwrap(), None);
        assert_eq!(
            code_of(f.oidc.token(refresh, &ctx(), now).await),
            ErrorCode::InvalidGrant,
            "{}",
            f.label
        );
        assert_eq!(f.audited("token.code-reuse").await, 1);
    }
}

#[tokio::test]
async fn confidential_clients_authenticate() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let params = AuthorizationParams {
            response_type: Some("code".into()),
            client_id: Some("portal".into()),
            redirect_uri: Some("https://portal.example/cb".into()),
            scope: Some("openid email".into()),
            ..Default::default()
        };
        let exchange = |code: &str, basic: Option<(&str, &str)>| TokenRequest {
            grant_type: Some("authorization_code".into()),
            code: Some(code.into()),
            redirect_uri: Some("https://portal.example/cb".into()),
            client: ClientAuth {
                basic: basic.map(|(a, b)| (a.to_owned(), b.to_owned())),
                ..ClientAuth::default()
            },
            ..TokenRequest::default()
        };
        let code = f.code_for(params.clone(), &f.citizen, now).await;
        let wrong = f
            .oidc
            .token(exchange(&code, Some(("portal", "wrong"))), &ctx(), now)
            .await
            .unwrap_err();
        assert_eq!(
            (wrong.error, wrong.status),
            (ErrorCode::InvalidClient, 401),
            "{}",
            f.label
        );
        let code = f.code_for(params.clone(), &f.citizen, now).await;
        let none = f.oidc.token(exchange(&code, None), &ctx(), now).await;
        assert_eq!(code_of(none), ErrorCode::InvalidClient, "no secret");

        let code = f.code_for(params.clone(), &f.citizen, now).await;
        let t = f
            .oidc
            .token(
                exchange(&code, Some(("portal", &f.portal_secret))),
                &ctx(),
                now,
            )
            .await
            .unwrap();
        assert!(
            t.refresh_token.is_none(),
            "{}: portal may not refresh",
            f.label
        );
        assert!(t.id_token.is_some());
        // client_secret_post works too.
        let code = f.code_for(params, &f.citizen, now).await;
        let mut post = exchange(&code, None);
        post.client = ClientAuth::post("portal", &f.portal_secret);
        assert!(f.oidc.token(post, &ctx(), now).await.is_ok(), "{}", f.label);
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let o = &f.oidc;
        let t = f.mobile_tokens("openid profile email", now).await;
        let r1 = t.refresh_token.unwrap();
        let t2 = o
            .token(f.refresh_request(&r1, None), &ctx(), now)
            .await
            .unwrap();
        let r2 = t2.refresh_token.clone().unwrap();
        assert_ne!(r1, r2, "{}: rotated", f.label);
        assert_eq!(t2.scope, "openid profile email");
        let id = verify_id_token(&f, t2.id_token.as_deref().unwrap(), now).await;
        assert_eq!(id["auth_time"], now.as_second());

        let reuse = o.token(f.refresh_request(&r1, None), &ctx(), now).await;
        assert_eq!(code_of(reuse), ErrorCode::InvalidGrant, "{}", f.label);
        let newest = o.token(f.refresh_request(&r2, None), &ctx(), now).await;
        assert_eq!(
            code_of(newest),
            ErrorCode::InvalidGrant,
            "{}: the family is revoked",
            f.label
        );
        assert_eq!(f.audited("token.refresh-reuse").await, 1);
    }
}

#[tokio::test]
async fn refreshing_may_narrow_the_scope_not_widen_it() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let o = &f.oidc;
        let r = f
            .mobile_tokens("openid profile email", now)
            .await
            .refresh_token
            .unwrap();
        let wide = o
            .token(f.refresh_request(&r, Some("openid phone")), &ctx(), now)
            .await;
        assert_eq!(code_of(wide), ErrorCode::InvalidScope, "{}", f.label);

        let r = f
            .mobile_tokens("openid profile email", now)
            .await
            .refresh_token
            .unwrap();
        let narrow = o
            .token(f.refresh_request(&r, Some("profile")), &ctx(), now)
            .await
            .unwrap();
        assert_eq!(narrow.scope, "profile");
        assert!(narrow.id_token.is_none(), "no openid, no id_token");
        // The rotated token keeps the original grant.
        let next = narrow.refresh_token.unwrap();
        let back = o
            .token(f.refresh_request(&next, None), &ctx(), now)
            .await
            .unwrap();
        assert_eq!(back.scope, "openid profile email", "{}", f.label);

        let late = now + SignedDuration::from_hours(31 * 24);
        let expired = o
            .token(
                f.refresh_request(&back.refresh_token.unwrap(), None),
                &ctx(),
                late,
            )
            .await;
        assert_eq!(code_of(expired), ErrorCode::InvalidGrant, "{}", f.label);
    }
}

#[tokio::test]
async fn machine_clients_get_their_own_tokens() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let o = &f.oidc;
        let req = |secret: &str, scope: &str| TokenRequest {
            grant_type: Some("client_credentials".into()),
            scope: Some(scope.into()),
            client: ClientAuth::post("robot", secret),
            ..TokenRequest::default()
        };
        let t = o
            .token(req(&f.robot_secret, "admin"), &ctx(), now)
            .await
            .unwrap();
        assert!(
            t.id_token.is_none() && t.refresh_token.is_none(),
            "{}",
            f.label
        );
        let claims = o.verify_access_token(&t.access_token, now).await.unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.scope.as_str()),
            ("robot", "admin")
        );
        assert_eq!(o.actor_for_token(&claims).await.unwrap(), Actor::Anonymous);
        assert_eq!(
            o.userinfo(&claims).await.unwrap_err().error,
            ErrorCode::InsufficientScope
        );

        assert_eq!(
            code_of(o.token(req(&f.robot_secret, "openid"), &ctx(), now).await),
            ErrorCode::InvalidScope
        );
        assert_eq!(
            code_of(o.token(req("nope", "admin"), &ctx(), now).await),
            ErrorCode::InvalidClient
        );
        let public = TokenRequest {
            grant_type: Some("client_credentials".into()),
            client: ClientAuth::public("mobile"),
            ..TokenRequest::default()
        };
        assert_eq!(
            code_of(o.token(public, &ctx(), now).await),
            ErrorCode::UnauthorizedClient,
            "{}",
            f.label
        );
    }
}

#[tokio::test]
async fn forged_and_expired_tokens_are_invalid() {
    let now = Timestamp::now();
    let f = fixtures(now).await.remove(0);
    let o = &f.oidc;
    let t = f.mobile_tokens("openid profile", now).await;
    let real = jsonwebtoken::decode_header(&t.access_token).unwrap();
    let payload = t.access_token.split('.').nth(1).unwrap().to_owned();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &payload)
            .unwrap(),
    )
    .unwrap();

    // Signed by another P-256 key under our key id.
    let other = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let pem =
        p256::pkcs8::EncodePrivateKey::to_pkcs8_pem(&other, p256::pkcs8::LineEnding::LF).unwrap();
    let forged = jsonwebtoken::encode(
        &real,
        &claims,
        &EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap();
    // `alg: none`, and HS256 with the public key as secret.
    let none_header = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        format!(
            r#"{{"alg":"none","typ":"at+jwt","kid":"{}"}}"#,
            real.kid.clone().unwrap()
        ),
    );
    let alg_none = format!("{none_header}.{payload}.");
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = real.kid.clone();
    hs.typ = Some("at+jwt".into());
    let hs256 = jsonwebtoken::encode(&hs, &claims, &EncodingKey::from_secret(b"secret")).unwrap();

    let id_token = t.id_token.clone().unwrap();
    for (what, token) in [
        ("forged", &forged),
        ("none", &alg_none),
        ("hs256", &hs256),
        ("id token", &id_token),
    ] {
        let err = o.verify_access_token(token, now).await.unwrap_err();
        assert_eq!(
            (err.error, err.status),
            (ErrorCode::InvalidToken, 401),
            "{what}"
        );
    }
    let late = now + SignedDuration::from_mins(11);
    assert_eq!(
        o.verify_access_token(&t.access_token, late)
            .await
            .unwrap_err()
            .error,
        ErrorCode::InvalidToken
    );
    assert!(o.verify_access_token(&t.access_token, now).await.is_ok());
    assert!(o.verify_access_token("not.a.token", now).await.is_err());
}

#[tokio::test]
async fn userinfo_follows_the_scopes() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let o = &f.oidc;
        let t = f.mobile_tokens("openid profile", now).await;
        let info = o
            .userinfo(&o.verify_access_token(&t.access_token, now).await.unwrap())
            .await
            .unwrap();
        assert_eq!(info["sub"], f.citizen.0.as_str(), "{}", f.label);
        assert_eq!(info["name"], "Nguyễn Văn An");
        assert_eq!(info["birthdate"], "2003-05-17");
        for absent in ["national_id", "email", "phone_number", "organisation"] {
            assert!(info.get(absent).is_none(), "{}: {absent}", f.label);
        }

        let t = f.mobile_tokens("openid national_id phone", now).await;
        let info = o
            .userinfo(&o.verify_access_token(&t.access_token, now).await.unwrap())
            .await
            .unwrap();
        assert_eq!(info["national_id"], CITIZEN_NATIONAL_ID);
        assert_eq!(info["phone_number"], "+84912345678");
        assert_eq!(info["phone_number_verified"], false);
        assert!(info.get("name").is_none());

        let code = f
            .code_for(mobile_request("openid organisation"), &f.company, now)
            .await;
        let t = o
            .token(f.mobile_exchange(&code), &ctx(), now)
            .await
            .unwrap();
        let info = o
            .userinfo(&o.verify_access_token(&t.access_token, now).await.unwrap())
            .await
            .unwrap();
        assert_eq!(
            info["organisation"]["tax_code"], "0101234567",
            "{}",
            f.label
        );
        assert_eq!(info["organisation"]["name"], "Công ty TNHH Sao Mai");
    }
}

#[tokio::test]
async fn tokens_act_for_the_person_within_their_scopes() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let t = f.mobile_tokens("openid profile", now).await;
        let claims = f
            .oidc
            .verify_access_token(&t.access_token, now)
            .await
            .unwrap();
        let actor = f.oidc.actor_for_token(&claims).await.unwrap();
        assert!(
            matches!(&actor, Actor::Person { id, scopes: Some(s), .. } if *id == f.citizen && s.len() == 2)
        );
        let authorize = egov_domain::identity::authorize;
        assert!(
            authorize(&actor, &Action::ReadAccount(&f.citizen)).is_ok(),
            "{}",
            f.label
        );
        assert!(
            authorize(&actor, &Action::UpdateAccount(&f.citizen)).is_err(),
            "no account:write scope"
        );
        assert!(
            authorize(&actor, &Action::ReadAccount(&f.company)).is_err(),
            "not another's account"
        );
    }
}
