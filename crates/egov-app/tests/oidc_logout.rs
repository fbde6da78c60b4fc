//! The OpenID Connect provider: RP-initiated logout, token revocation and
//! upstream identities linked by national ID — on every test backend.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod oidc_support;

use egov_app::oidc::{ClientAuth, ErrorCode, RevocationRequest};
use egov_app::AppError;
use jiff::{SignedDuration, Timestamp};
use oidc_support::*;

#[tokio::test]
async fn logout_redirects_only_to_registered_uris() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let o = &f.oidc;
        let id_token = f.mobile_tokens("openid", now).await.id_token.unwrap();
        let later = now + SignedDuration::from_hours(2);
        let end = o
            .end_session(
                Some(&id_token),
                None,
                Some("https://rp.example/bye"),
                Some("s 1"),
                later,
            )
            .await
            .unwrap();
        assert_eq!(
            end.redirect.as_deref(),
            Some("https://rp.example/bye?state=s+1"),
            "{}: expired hint ok",
            f.label
        );
        assert_eq!(end.account.as_ref(), Some(&f.citizen));
        assert_eq!(end.client_id.as_deref(), Some("mobile"));

        let unregistered = o.end_session(
            Some(&id_token),
            None,
            Some("https://evil.example/"),
            None,
            now,
        );
        assert!(unregistered.await.is_err(), "{}", f.label);
        let other_client = o.end_session(
            Some(&id_token),
            Some("portal"),
            Some("https://rp.example/bye"),
            None,
            now,
        );
        assert!(other_client.await.is_err());
        let no_client = o.end_session(None, None, Some("https://rp.example/bye"), None, now);
        assert!(no_client.await.is_err());
        let by_id = o
            .end_session(
                None,
                Some("mobile"),
                Some("https://rp.example/bye"),
                None,
                now,
            )
            .await
            .unwrap();
        assert_eq!(by_id.redirect.as_deref(), Some("https://rp.example/bye"));
        let plain = o.end_session(None, None, None, None, now).await.unwrap();
        assert_eq!(plain.redirect, None);

        let mut forged = id_token.clone();
        forged.push('A');
        assert!(
            o.end_session(Some(&forged), None, None, None, now)
                .await
                .is_err(),
            "{}",
            f.label
        );
    }
}

#[tokio::test]
async fn upstream_identities_link_by_national_id() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let o = &f.oidc;
        let issuer = "https://vneid.example";
        let unknown = o
            .link_or_find_account(issuer, "sub-9", Some("079190000123"), &ctx(), now)
            .await;
        assert!(
            matches!(unknown, Err(AppError::Unauthenticated(_))),
            "{}",
            f.label
        );
        let missing = o
            .link_or_find_account(issuer, "sub-9", None, &ctx(), now)
            .await;
        assert!(matches!(missing, Err(AppError::Unauthenticated(_))));

        let found = o
            .link_or_find_account(issuer, "sub-1", Some(CITIZEN_NATIONAL_ID), &ctx(), now)
            .await
            .unwrap();
        assert_eq!(found.id, f.citizen, "{}", f.label);
        assert_eq!(
            f.store
                .account_by_external_identity(issuer, "sub-1")
                .await
                .unwrap(),
            Some(f.citizen.clone())
        );
        // Once linked, the national ID claim is no longer needed.
        let again = o
            .link_or_find_account(issuer, "sub-1", None, &ctx(), now)
            .await
            .unwrap();
        assert_eq!(again.id, f.citizen);
        assert_eq!(f.audited("external-identity.linked").await, 1);
    }
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_family() {
    let now = Timestamp::now();
    for f in fixtures(now).await {
        let o = &f.oidc;
        let r = f.mobile_tokens("openid", now).await.refresh_token.unwrap();
        let revoke = |token: &str, client: &str| RevocationRequest {
            token: Some(token.into()),
            client: ClientAuth::public(client),
            ..RevocationRequest::default()
        };
        let wrong = o
            .revoke(revoke(&r, "nobody"), &ctx(), now)
            .await
            .unwrap_err();
        assert_eq!(wrong.error, ErrorCode::InvalidClient, "{}", f.label);
        o.revoke(revoke(&r, "mobile"), &ctx(), now).await.unwrap();
        let refused = o
            .token(f.refresh_request(&r, None), &ctx(), now)
            .await
            .unwrap_err();
        assert_eq!(refused.error, ErrorCode::InvalidGrant, "{}", f.label);
        assert!(o
            .revoke(revoke("unknown", "mobile"), &ctx(), now)
            .await
            .is_ok());
        assert_eq!(f.audited("token.revoked").await, 1);
    }
}
