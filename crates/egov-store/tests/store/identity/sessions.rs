//! Web sessions and throttling counters.

use egov_ports::{IdentityStore, Session, StoreError, Throttle};
use egov_store::testing::test_stores;

use super::{at, at_ms, citizen, create, id};

fn session(hash: &str, account: &str, created: i64, expires: i64) -> Session {
    Session {
        id_hash: hash.into(),
        account_id: id(account),
        created_at: at_ms(created, 1),
        last_seen_at: at_ms(created, 1),
        expires_at: at(expires),
        ip: Some("203.0.113.7".into()),
        user_agent: Some("Mozilla/5.0".into()),
        csrf_secret: format!("csrf-{hash}"),
        second_factor: hash.ends_with('2'),
        revoked_at: None,
    }
}

fn hashes(sessions: &[Session]) -> Vec<&str> {
    sessions.iter().map(|s| s.id_hash.as_str()).collect()
}

#[tokio::test]
async fn sessions_live_until_revoked_or_expired() {
    for (label, store) in test_stores().await {
        create(&store, citizen("c1", "001203012345", "an@example.vn")).await;
        create(&store, citizen("c2", "079185000001", "binh@example.vn")).await;
        let c1 = id("c1");
        for s in [
            session("s1", "c1", 0, 1_000),
            session("s2", "c1", 100, 1_000),
            session("s3", "c1", 200, 1_000),
            session("old", "c1", 300, 400),
            session("other", "c2", 0, 1_000),
        ] {
            store.create_session(&s).await.expect(&label);
        }
        assert_eq!(
            store.session("s2").await.expect(&label),
            Some(session("s2", "c1", 100, 1_000)),
            "{label}"
        );
        assert_eq!(store.session("nope").await.expect(&label), None, "{label}");
        let err = store
            .create_session(&session("ghost", "nobody", 0, 1_000))
            .await
            .expect_err(&label);
        assert!(
            matches!(
                err,
                StoreError::MissingReference {
                    reference: "account",
                    ..
                }
            ),
            "{label}: {err:?}"
        );

        // Newest first; the one expired at 500 is not listed.
        let live = store.sessions_of(&c1, at(500)).await.expect(&label);
        assert_eq!(hashes(&live), ["s3", "s2", "s1"], "{label}");
        assert_eq!(
            hashes(&store.sessions_of(&c1, at(350)).await.expect(&label)),
            ["old", "s3", "s2", "s1"]
        );

        store.touch_session("s1", at(450)).await.expect(&label);
        let touched = store.session("s1").await.expect(&label).expect("s1");
        assert_eq!(touched.last_seen_at, at(450), "{label}");

        store.revoke_session("s2", at(460)).await.expect(&label);
        store.revoke_session("s2", at(470)).await.expect(&label);
        let revoked = store.session("s2").await.expect(&label).expect("s2");
        assert_eq!(revoked.revoked_at, Some(at(460)), "{label}");
        assert_eq!(
            hashes(&store.sessions_of(&c1, at(500)).await.expect(&label)),
            ["s3", "s1"]
        );

        // Log out everywhere: the two live ones, not the revoked or expired one.
        assert_eq!(
            store.revoke_sessions_of(&c1, at(500)).await.expect(&label),
            2
        );
        assert!(store
            .sessions_of(&c1, at(500))
            .await
            .expect(&label)
            .is_empty());
        assert_eq!(
            store.revoke_sessions_of(&c1, at(510)).await.expect(&label),
            0
        );
        assert_eq!(
            store
                .session("s2")
                .await
                .expect(&label)
                .and_then(|s| s.revoked_at),
            Some(at(460))
        );
        // Another account's sessions are untouched.
        assert_eq!(
            hashes(&store.sessions_of(&id("c2"), at(500)).await.expect(&label)),
            ["other"]
        );
    }
}

#[tokio::test]
async fn throttles_are_kept_per_key() {
    for (label, store) in test_stores().await {
        assert_eq!(store.throttle("ip:203.0.113.7").await.expect(&label), None);
        let first = Throttle {
            failures: 1,
            window_started_at: at_ms(0, 42),
            locked_until: None,
        };
        store
            .put_throttle("ip:203.0.113.7", &first)
            .await
            .expect(&label);
        let locked = Throttle {
            failures: 5,
            window_started_at: at(0),
            locked_until: Some(at(900)),
        };
        store
            .put_throttle("account:c1", &locked)
            .await
            .expect(&label);
        assert_eq!(
            store.throttle("ip:203.0.113.7").await.expect(&label),
            Some(first)
        );

        let more = Throttle {
            failures: 2,
            ..first
        };
        store
            .put_throttle("ip:203.0.113.7", &more)
            .await
            .expect(&label);
        assert_eq!(
            store.throttle("ip:203.0.113.7").await.expect(&label),
            Some(more)
        );
        assert_eq!(
            store.throttle("account:c1").await.expect(&label),
            Some(locked)
        );

        store.clear_throttle("ip:203.0.113.7").await.expect(&label);
        assert_eq!(store.throttle("ip:203.0.113.7").await.expect(&label), None);
        assert_eq!(
            store.throttle("account:c1").await.expect(&label),
            Some(locked)
        );
    }
}
