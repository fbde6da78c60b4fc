//! Demo accounts and the notification outbox, on every test backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod identity_support;

use std::sync::Mutex;

use async_trait::async_trait;
use egov_app::identity::{deliver_outbox, IdentityConfig, Notifier, MAX_DELIVERY_ATTEMPTS};
use egov_app::ports::OutboxMessage;
use egov_app::AppError;
use egov_domain::identity::{AccountKind, Actor, Role};
use identity_support::*;

#[tokio::test]
async fn demo_accounts_exist_only_in_demo_mode_and_load_once() {
    for fx in fixtures().await {
        let refused = fx.accounts.load_demo_accounts(now()).await;
        assert!(matches!(refused, Err(AppError::Conflict(_))), "{refused:?}");
        assert!(fx
            .store
            .account_by_login("001203012345")
            .await
            .unwrap()
            .is_none());
    }
    let demo = IdentityConfig {
        demo: true,
        ..IdentityConfig::default()
    };
    for fx in fixtures_with(demo).await {
        let first = fx.accounts.load_demo_accounts(now()).await.unwrap();
        assert_eq!(first.len(), 8);
        assert!(first.iter().all(|a| a.created));
        let again = fx.accounts.load_demo_accounts(now()).await.unwrap();
        assert!(again.iter().all(|a| !a.created), "{}", fx.label);
        for account in &first {
            let s = fx
                .accounts
                .sign_in(
                    account.login,
                    account.password,
                    None,
                    &ctx("192.0.2.1"),
                    now(),
                )
                .await
                .unwrap_or_else(|e| panic!("{}: {}: {e}", fx.label, account.label));
            let who = fx.accounts.actor_for(&s.account).await.unwrap();
            if let Actor::Person {
                kind: AccountKind::Official,
                roles,
                ..
            } = who
            {
                assert_eq!(roles.len(), 1);
                assert_eq!(roles[0].agency_code, HANOI);
            }
        }
        let roles: Vec<Role> = {
            let mut roles = Vec::new();
            for account in first.iter().filter(|a| a.login.contains('@')) {
                let (a, _) = fx
                    .store
                    .account_by_login(account.login)
                    .await
                    .unwrap()
                    .unwrap();
                roles.extend(
                    fx.store
                        .roles(&a.id)
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|r| r.role),
                );
            }
            roles
        };
        for role in Role::ALL {
            assert!(roles.contains(&role), "no demo official is {role:?}");
        }
    }
}

/// Records what it is asked to send; fails while `fail` is set.
struct Recorder {
    sent: Mutex<Vec<String>>,
    fail: bool,
}

#[async_trait]
impl Notifier for Recorder {
    async fn send(&self, message: &OutboxMessage) -> Result<(), String> {
        if self.fail {
            return Err("mail server down".into());
        }
        self.sent.lock().unwrap().push(message.recipient.clone());
        Ok(())
    }
}

#[tokio::test]
async fn the_outbox_sends_once_and_retries_failures_a_few_times() {
    for fx in fixtures().await {
        register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let failing = Recorder {
            sent: Mutex::new(Vec::new()),
            fail: true,
        };
        for _ in 0..MAX_DELIVERY_ATTEMPTS - 1 {
            let done = deliver_outbox(fx.store.as_ref(), &failing, now())
                .await
                .unwrap();
            assert_eq!((done.sent, done.failed), (0, 2));
        }
        let working = Recorder {
            sent: Mutex::new(Vec::new()),
            fail: false,
        };
        let done = deliver_outbox(fx.store.as_ref(), &working, now())
            .await
            .unwrap();
        assert_eq!((done.sent, done.failed), (2, 0), "{}", fx.label);
        let mut sent = working.sent.lock().unwrap().clone();
        sent.sort();
        assert_eq!(
            sent,
            vec!["+84912345678".to_owned(), "an@example.vn".to_owned()]
        );
        let done = deliver_outbox(fx.store.as_ref(), &working, now())
            .await
            .unwrap();
        assert_eq!((done.sent, done.failed), (0, 0));

        // A message that keeps failing is given up after the last attempt.
        register(&fx, NID_BINH, "binh@example.vn", "0912345679").await;
        for _ in 0..MAX_DELIVERY_ATTEMPTS {
            deliver_outbox(fx.store.as_ref(), &failing, now())
                .await
                .unwrap();
        }
        let done = deliver_outbox(fx.store.as_ref(), &working, now())
            .await
            .unwrap();
        assert_eq!((done.sent, done.failed), (0, 0));
    }
}
