//! OpenID Connect clients, consents, signing keys and external identities.

use egov_ports::{ClientKind, Consent, IdentityStore, SigningKey, StoreError};
use egov_store::testing::test_stores;

use super::{at, at_ms, citizen, client, conflict, create, id};

#[tokio::test]
async fn clients_round_trip_with_their_lists() {
    for (label, store) in test_stores().await {
        let public = client("egov-demo");
        let mut confidential = client("agency-portal");
        confidential.kind = ClientKind::Confidential;
        confidential.secret_hash = Some("9f86d081884c7d659a2feaa0c55ad015".into());
        confidential.redirect_uris = vec![
            "https://portal.example.vn/cb".into(),
            "https://portal.example.vn/cb?x=\"quoted\"".into(),
        ];
        confidential.post_logout_redirect_uris = vec!["https://portal.example.vn/".into()];
        confidential.grant_types = vec!["client_credentials".into()];
        confidential.allowed_scopes = vec![];
        confidential.created_at = at_ms(5, 999);
        store.put_client(&public).await.expect(&label);
        store.put_client(&confidential).await.expect(&label);

        assert_eq!(
            store.client("egov-demo").await.expect(&label),
            Some(public.clone())
        );
        assert_eq!(
            store.client("agency-portal").await.expect(&label),
            Some(confidential.clone())
        );
        assert_eq!(store.client("nope").await.expect(&label), None, "{label}");
        assert_eq!(
            store.clients().await.expect(&label),
            [confidential.clone(), public.clone()],
            "{label}"
        );

        let mut renamed = public.clone();
        renamed.name = "Ứng dụng egov".into();
        renamed.redirect_uris.push("http://127.0.0.1/other".into());
        store.put_client(&renamed).await.expect(&label);
        assert_eq!(
            store.client("egov-demo").await.expect(&label),
            Some(renamed)
        );
        assert_eq!(store.clients().await.expect(&label).len(), 2, "{label}");
    }
}

#[tokio::test]
async fn consents_are_remembered_and_replaced() {
    for (label, store) in test_stores().await {
        create(&store, citizen("c1", "001203012345", "an@example.vn")).await;
        store.put_client(&client("egov-demo")).await.expect(&label);
        let c1 = id("c1");
        assert_eq!(store.consent(&c1, "egov-demo").await.expect(&label), None);

        let first = Consent {
            account_id: c1.clone(),
            client_id: "egov-demo".into(),
            scopes: vec!["openid".into()],
            granted_at: at(10),
        };
        store.put_consent(&first).await.expect(&label);
        assert_eq!(
            store.consent(&c1, "egov-demo").await.expect(&label),
            Some(first.clone())
        );

        let wider = Consent {
            scopes: vec!["openid".into(), "profile".into(), "national_id".into()],
            granted_at: at(20),
            ..first
        };
        store.put_consent(&wider).await.expect(&label);
        assert_eq!(
            store.consent(&c1, "egov-demo").await.expect(&label),
            Some(wider.clone())
        );
        assert_eq!(
            store.consent(&c1, "other").await.expect(&label),
            None,
            "{label}"
        );

        let stray = Consent {
            client_id: "unregistered".into(),
            ..wider
        };
        assert!(matches!(
            store.put_consent(&stray).await,
            Err(StoreError::MissingReference { .. })
        ));
    }
}

fn key(kid: &str, activates: i64, expires: i64) -> SigningKey {
    SigningKey {
        kid: kid.into(),
        alg: "ES256".into(),
        private_pem: format!("-----BEGIN PRIVATE KEY-----\n{kid}\n-----END PRIVATE KEY-----\n"),
        public_jwk: format!(r#"{{"kty":"EC","crv":"P-256","kid":"{kid}"}}"#),
        created_at: at(activates - 10),
        activates_at: at(activates),
        retires_at: at(activates + 100),
        expires_at: at(expires),
    }
}

#[tokio::test]
async fn signing_keys_are_listed_until_they_expire() {
    for (label, store) in test_stores().await {
        for k in [key("k1", 0, 200), key("k3", 200, 400), key("k2", 100, 300)] {
            store.put_signing_key(&k).await.expect(&label);
        }
        let kids = |keys: Vec<SigningKey>| keys.into_iter().map(|k| k.kid).collect::<Vec<_>>();
        assert_eq!(
            kids(store.signing_keys(at(150)).await.expect(&label)),
            ["k3", "k2", "k1"]
        );
        // k1 expires at 200 exactly: no longer listed then.
        assert_eq!(
            kids(store.signing_keys(at(200)).await.expect(&label)),
            ["k3", "k2"]
        );
        assert_eq!(
            store.signing_keys(at(250)).await.expect(&label),
            [key("k3", 200, 400), key("k2", 100, 300)],
            "{label}"
        );
        assert!(store.signing_keys(at(400)).await.expect(&label).is_empty());

        // Putting a key again replaces it (e.g. an earlier retirement).
        let mut retired = key("k3", 200, 400);
        retired.expires_at = at(260);
        store.put_signing_key(&retired).await.expect(&label);
        assert_eq!(
            kids(store.signing_keys(at(270)).await.expect(&label)),
            ["k2"]
        );
    }
}

#[tokio::test]
async fn external_identities_link_to_one_account() {
    for (label, store) in test_stores().await {
        create(&store, citizen("c1", "001203012345", "an@example.vn")).await;
        create(&store, citizen("c2", "079185000001", "binh@example.vn")).await;
        let issuer = "https://sso.dichvucong.gov.vn";
        assert_eq!(
            store
                .account_by_external_identity(issuer, "sub-1")
                .await
                .expect(&label),
            None
        );

        store
            .link_external_identity(issuer, "sub-1", &id("c1"))
            .await
            .expect(&label);
        store
            .link_external_identity(issuer, "sub-1", &id("c1"))
            .await
            .expect(&label);
        assert_eq!(
            store
                .account_by_external_identity(issuer, "sub-1")
                .await
                .expect(&label),
            Some(id("c1"))
        );
        assert_eq!(
            conflict(
                store
                    .link_external_identity(issuer, "sub-1", &id("c2"))
                    .await
            ),
            "external identity",
            "{label}"
        );
        assert_eq!(
            store
                .account_by_external_identity(issuer, "sub-1")
                .await
                .expect(&label),
            Some(id("c1"))
        );
        // Same subject at another issuer is another identity.
        store
            .link_external_identity("https://other.example", "sub-1", &id("c2"))
            .await
            .expect(&label);
        assert_eq!(
            store
                .account_by_external_identity("https://other.example", "sub-1")
                .await
                .expect(&label),
            Some(id("c2"))
        );
        assert!(matches!(
            store
                .link_external_identity(issuer, "sub-2", &id("ghost"))
                .await,
            Err(StoreError::MissingReference {
                reference: "account",
                ..
            })
        ));
    }
}
