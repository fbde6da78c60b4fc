//! Authorization codes and refresh tokens: single use, even under concurrency.

use egov_ports::{AuthorizationCode, IdentityStore, Redeemed, RefreshToken};
use egov_store::testing::test_stores;
use egov_store::SqlStore;
use tokio::task::JoinSet;

use super::{at, citizen, client, create, id};

/// How many redemptions of one secret race each other.
const RACERS: usize = 20;

async fn seed(store: &SqlStore) {
    create(store, citizen("c1", "001203012345", "an@example.vn")).await;
    create(store, citizen("c2", "079185000001", "binh@example.vn")).await;
    store
        .put_client(&client("egov-demo"))
        .await
        .expect("client");
}

fn code(hash: &str) -> AuthorizationCode {
    AuthorizationCode {
        code_hash: hash.into(),
        client_id: "egov-demo".into(),
        account_id: id("c1"),
        redirect_uri: "http://127.0.0.1:49152/callback".into(),
        scopes: vec!["openid".into(), "profile".into()],
        nonce: Some("n-0S6_WzA2Mj".into()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        code_challenge_method: Some("S256".into()),
        auth_time: at(0),
        created_at: at(1),
        expires_at: at(61),
    }
}

fn token(hash: &str, family: &str, account: &str) -> RefreshToken {
    RefreshToken {
        token_hash: hash.into(),
        family_id: family.into(),
        client_id: "egov-demo".into(),
        account_id: id(account),
        scopes: vec!["openid".into(), "offline_access".into()],
        auth_time: at(0),
        created_at: at(10),
        expires_at: at(86_400),
        revoked_at: None,
    }
}

/// Counts (fresh, replayed, missing) among the outcomes.
fn tally<T>(outcomes: &[Redeemed<T>]) -> (usize, usize, usize) {
    outcomes.iter().fold((0, 0, 0), |(f, r, m), o| match o {
        Redeemed::Fresh(_) => (f + 1, r, m),
        Redeemed::Replayed(_) => (f, r + 1, m),
        Redeemed::Missing => (f, r, m + 1),
    })
}

#[tokio::test]
async fn an_authorization_code_is_redeemed_once() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        store
            .put_authorization_code(&code("h1"))
            .await
            .expect(&label);
        assert_eq!(
            store
                .redeem_authorization_code("h1", at(5))
                .await
                .expect(&label),
            Redeemed::Fresh(code("h1"))
        );
        assert_eq!(
            store
                .redeem_authorization_code("h1", at(6))
                .await
                .expect(&label),
            Redeemed::Replayed(code("h1"))
        );
        assert_eq!(
            store
                .redeem_authorization_code("unknown", at(6))
                .await
                .expect(&label),
            Redeemed::Missing
        );
        assert_eq!(
            super::conflict(store.put_authorization_code(&code("h1")).await),
            "authorization code"
        );
        let mut no_pkce = code("h2");
        no_pkce.nonce = None;
        no_pkce.code_challenge = None;
        no_pkce.code_challenge_method = None;
        store.put_authorization_code(&no_pkce).await.expect(&label);
        assert_eq!(
            store
                .redeem_authorization_code("h2", at(5))
                .await
                .expect(&label),
            Redeemed::Fresh(no_pkce)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_redemptions_of_a_code_get_one_fresh() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        store
            .put_authorization_code(&code("race"))
            .await
            .expect(&label);
        let mut racers = JoinSet::new();
        for n in 0..RACERS {
            let store = store.clone();
            racers.spawn(async move {
                store
                    .redeem_authorization_code("race", at(5 + n as i64))
                    .await
                    .expect("redeem")
            });
        }
        let outcomes: Vec<_> = racers.join_all().await;
        assert_eq!(tally(&outcomes), (1, RACERS - 1, 0), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_redemptions_of_a_refresh_token_get_one_fresh() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        store
            .put_refresh_token(&token("race", "f1", "c1"))
            .await
            .expect(&label);
        let mut racers = JoinSet::new();
        for _ in 0..RACERS {
            let store = store.clone();
            racers.spawn(async move {
                store
                    .redeem_refresh_token("race", at(20))
                    .await
                    .expect("redeem")
            });
        }
        let outcomes: Vec<_> = racers.join_all().await;
        assert_eq!(tally(&outcomes), (1, RACERS - 1, 0), "{label}");
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_replays_are_seen() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let first = token("t1", "f1", "c1");
        store.put_refresh_token(&first).await.expect(&label);
        assert_eq!(
            store
                .redeem_refresh_token("t1", at(20))
                .await
                .expect(&label),
            Redeemed::Fresh(first.clone())
        );
        // Rotation: the next token of the same family.
        let second = token("t2", "f1", "c1");
        store.put_refresh_token(&second).await.expect(&label);

        // The used one presented again is a replay; the caller revokes the family.
        assert_eq!(
            store
                .redeem_refresh_token("t1", at(30))
                .await
                .expect(&label),
            Redeemed::Replayed(first.clone())
        );
        assert_eq!(
            store
                .revoke_refresh_family("f1", at(31))
                .await
                .expect(&label),
            2
        );
        assert_eq!(
            store
                .revoke_refresh_family("f1", at(32))
                .await
                .expect(&label),
            0
        );
        let Redeemed::Fresh(revoked) = store
            .redeem_refresh_token("t2", at(40))
            .await
            .expect(&label)
        else {
            panic!("{label}: t2 was never used");
        };
        assert_eq!(revoked.revoked_at, Some(at(31)), "{label}");
        assert_eq!(
            store
                .redeem_refresh_token("nope", at(40))
                .await
                .expect(&label),
            Redeemed::Missing
        );
    }
}

#[tokio::test]
async fn log_out_everywhere_revokes_every_family_of_the_account() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        for t in [
            token("a1", "fa", "c1"),
            token("a2", "fa", "c1"),
            token("b1", "fb", "c1"),
            token("x1", "fx", "c2"),
        ] {
            store.put_refresh_token(&t).await.expect(&label);
        }
        assert_eq!(
            store
                .revoke_refresh_family("fb", at(50))
                .await
                .expect(&label),
            1
        );
        assert_eq!(
            store
                .revoke_refresh_tokens_of(&id("c1"), at(60))
                .await
                .expect(&label),
            2
        );
        assert_eq!(
            store
                .revoke_refresh_tokens_of(&id("c1"), at(61))
                .await
                .expect(&label),
            0
        );
        let revoked_at = |outcome: Redeemed<RefreshToken>| match outcome {
            Redeemed::Fresh(t) | Redeemed::Replayed(t) => t.revoked_at,
            Redeemed::Missing => panic!("missing"),
        };
        assert_eq!(
            revoked_at(
                store
                    .redeem_refresh_token("a2", at(70))
                    .await
                    .expect(&label)
            ),
            Some(at(60))
        );
        assert_eq!(
            revoked_at(
                store
                    .redeem_refresh_token("b1", at(70))
                    .await
                    .expect(&label)
            ),
            Some(at(50))
        );
        assert_eq!(
            revoked_at(
                store
                    .redeem_refresh_token("x1", at(70))
                    .await
                    .expect(&label)
            ),
            None
        );
    }
}
