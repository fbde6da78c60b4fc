//! Signing in, lockouts and the second factor, on every test backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod identity_support;

use egov_app::identity::{IdentityConfig, ProfileUpdate, ThrottleRule, TOTP_NEEDED, WRONG_SIGN_IN};
use egov_app::AppError;
use egov_domain::identity::{AccountStatus, Actor, Role};
use identity_support::*;
use jiff::SignedDuration;
use totp_rs::{Algorithm, Secret, TOTP};

fn is_wrong(result: &Result<impl std::fmt::Debug, AppError>) -> bool {
    matches!(result, Err(AppError::Unauthenticated(m)) if m == WRONG_SIGN_IN)
}

#[tokio::test]
async fn signing_in_opens_a_session_and_is_audited() {
    for fx in fixtures().await {
        let account = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let signed_in = fx
            .accounts
            .sign_in(
                " 001 203 012 345 ",
                PASSWORD,
                None,
                &ctx("203.0.113.5"),
                now(),
            )
            .await
            .unwrap();
        assert_eq!(signed_in.account.id, account.id);
        assert_eq!(signed_in.session_token.len(), 43);
        assert!(!signed_in.session.second_factor);
        assert_ne!(signed_in.session.id_hash, signed_in.session_token);
        assert_eq!(signed_in.session.expires_at, later(now(), 12 * 60));
        let (who, session) = fx
            .accounts
            .authenticate_session(&signed_in.session_token, now())
            .await
            .unwrap();
        assert_eq!(
            (who.id, session.id_hash),
            (account.id.clone(), signed_in.session.id_hash)
        );
        let entries = audit(&fx, "sign-in", Some(&account.id.0)).await;
        assert_eq!(entries.len(), 1, "{}", fx.label);
        assert_eq!(entries[0].ip.as_deref(), Some("203.0.113.5"));
        assert_eq!(entries[0].user_agent.as_deref(), Some("Mozilla/5.0 (test)"));
        assert_eq!(entries[0].actor.as_ref(), Some(&account.id));
    }
}

#[tokio::test]
async fn unknown_logins_wrong_passwords_and_locked_accounts_look_alike() {
    for fx in fixtures().await {
        let account = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let wrong = fx
            .accounts
            .sign_in(NID_AN, "not the password", None, &ctx("192.0.2.1"), now())
            .await;
        let unknown = fx
            .accounts
            .sign_in(NID_BINH, "not the password", None, &ctx("192.0.2.2"), now())
            .await;
        assert!(
            is_wrong(&wrong) && is_wrong(&unknown),
            "{wrong:?} / {unknown:?}"
        );
        assert_eq!(
            wrong.unwrap_err().to_string(),
            unknown.unwrap_err().to_string()
        );

        let lock = ProfileUpdate {
            status: Some(AccountStatus::Locked),
            ..ProfileUpdate::default()
        };
        fx.accounts
            .update_profile(&Actor::System, &account.id, &lock, &ctx("192.0.2.9"), now())
            .await
            .unwrap();
        let locked = fx
            .accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("192.0.2.3"), now())
            .await;
        assert!(is_wrong(&locked), "{}: {locked:?}", fx.label);

        let failed = audit(&fx, "sign-in.failed", None).await;
        assert_eq!(failed.len(), 3);
        for entry in &failed {
            assert!(entry.detail.contains("001*******45") || entry.detail.contains("079*******01"));
            assert!(!entry.detail.contains(NID_AN) && !entry.detail.contains("not the password"));
            assert!(entry.ip.is_some());
        }
    }
}

#[tokio::test]
async fn five_failures_lock_the_login_whether_or_not_it_exists() {
    for fx in fixtures().await {
        register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        for login in [NID_AN, NID_BINH] {
            for i in 0..5 {
                // A new address each time: only the per-login count grows.
                let ip = format!("198.51.100.{i}");
                let r = fx
                    .accounts
                    .sign_in(login, "not the password", None, &ctx(&ip), now())
                    .await;
                assert!(is_wrong(&r), "{}: attempt {i}: {r:?}", fx.label);
            }
            let r = fx
                .accounts
                .sign_in(
                    login,
                    PASSWORD,
                    None,
                    &ctx("198.51.100.99"),
                    later(now(), 1),
                )
                .await;
            match r {
                Err(AppError::Throttled {
                    retry_after_seconds,
                }) => assert_eq!(retry_after_seconds, 14 * 60),
                other => panic!("{}: {login}: {other:?}", fx.label),
            }
        }
        // After the lock the right password works; each success clears the
        // count, so two runs of four failures never lock.
        let t = later(now(), 15);
        for round in 0..2 {
            fx.accounts
                .sign_in(NID_AN, PASSWORD, None, &ctx("198.51.100.99"), t)
                .await
                .unwrap();
            for i in 0..4 {
                let ip = format!("198.51.100.{}", 10 + 4 * round + i);
                let r = fx
                    .accounts
                    .sign_in(NID_AN, "not the password", None, &ctx(&ip), t)
                    .await;
                assert!(is_wrong(&r), "{}: round {round}: {r:?}", fx.label);
            }
        }
        fx.accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("198.51.100.97"), t)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn too_many_failures_from_one_address_lock_that_address() {
    let config = IdentityConfig {
        ip_throttle: ThrottleRule {
            max_failures: 4,
            window: SignedDuration::from_mins(15),
            lock: SignedDuration::from_mins(15),
        },
        ..IdentityConfig::default()
    };
    for fx in fixtures_with(config).await {
        register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        for i in 0..4 {
            let login = format!("0012030000{i:02}");
            let r = fx
                .accounts
                .sign_in(&login, "guess guess", None, &ctx("203.0.113.66"), now())
                .await;
            assert!(is_wrong(&r), "{r:?}");
        }
        let blocked = fx
            .accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("203.0.113.66"), now())
            .await;
        assert!(
            matches!(
                blocked,
                Err(AppError::Throttled {
                    retry_after_seconds: 900
                })
            ),
            "{}: {blocked:?}",
            fx.label
        );
        fx.accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("203.0.113.67"), now())
            .await
            .unwrap();
    }
}

fn code_for(secret: &str, at: jiff::Timestamp) -> String {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).unwrap();
    totp.generate(u64::try_from(at.as_second()).unwrap())
}

#[tokio::test]
async fn officials_who_must_use_totp_enrol_and_then_need_it() {
    for fx in fixtures().await {
        let leader = official(
            &fx,
            "lanhdao@hanoi.example.vn",
            HANOI,
            &[Role::Leader],
            true,
        )
        .await;
        // Not enrolled yet: signed in, but without the second factor and without roles.
        let first = fx
            .accounts
            .sign_in(
                "lanhdao@hanoi.example.vn",
                PASSWORD,
                None,
                &ctx("192.0.2.1"),
                now(),
            )
            .await
            .unwrap();
        assert!(!first.session.second_factor);
        match fx
            .accounts
            .actor_for_session(&first.account, &first.session)
            .await
            .unwrap()
        {
            Actor::Person { roles, .. } => assert!(roles.is_empty()),
            other => panic!("{other:?}"),
        }
        let enrolment = fx.accounts.begin_totp_enrolment(&leader).await.unwrap();
        assert!(enrolment
            .otpauth_url
            .starts_with("otpauth://totp/egov:lanhdao@hanoi.example.vn?secret="));
        let wrong = fx
            .accounts
            .confirm_totp_enrolment(
                &first.session_token,
                &enrolment.secret,
                "000000x",
                &ctx("192.0.2.1"),
                now(),
            )
            .await;
        assert_eq!(invalid_field(wrong), "code");
        let code = code_for(&enrolment.secret, now());
        let second = fx
            .accounts
            .confirm_totp_enrolment(
                &first.session_token,
                &enrolment.secret,
                &code,
                &ctx("192.0.2.1"),
                now(),
            )
            .await
            .unwrap();
        assert!(second.session.second_factor);
        assert!(fx
            .accounts
            .authenticate_session(&first.session_token, now())
            .await
            .is_err());
        match fx
            .accounts
            .actor_for_session(&second.account, &second.session)
            .await
            .unwrap()
        {
            Actor::Person { roles, .. } => assert_eq!(roles.len(), 1),
            other => panic!("{other:?}"),
        }
        assert!(
            fx.accounts.begin_totp_enrolment(&leader).await.is_err(),
            "enrolled once only"
        );

        // From now on the code is needed.
        let t = later(now(), 5);
        let login = "lanhdao@hanoi.example.vn";
        let missing = fx
            .accounts
            .sign_in(login, PASSWORD, None, &ctx("192.0.2.1"), t)
            .await;
        assert!(
            matches!(missing, Err(AppError::Unauthenticated(ref m)) if m == TOTP_NEEDED),
            "{missing:?}"
        );
        let near: Vec<String> = [-1, 0, 1]
            .iter()
            .map(|step| {
                code_for(
                    &enrolment.secret,
                    t.checked_add(SignedDuration::from_secs(30 * step)).unwrap(),
                )
            })
            .collect();
        let bad_code = ["123456", "654321", "111111", "999999"]
            .into_iter()
            .find(|c| !near.iter().any(|n| n == c))
            .unwrap();
        let wrong = fx
            .accounts
            .sign_in(login, PASSWORD, Some(bad_code), &ctx("192.0.2.1"), t)
            .await;
        assert!(is_wrong(&wrong), "{wrong:?}");
        // A wrong password with a right code is just a wrong password.
        let right = code_for(&enrolment.secret, t);
        let wrong = fx
            .accounts
            .sign_in(
                login,
                "not the password",
                Some(&right),
                &ctx("192.0.2.1"),
                t,
            )
            .await;
        assert!(is_wrong(&wrong), "{wrong:?}");
        let ok = fx
            .accounts
            .sign_in(login, PASSWORD, Some(&right), &ctx("192.0.2.1"), t)
            .await
            .unwrap();
        assert!(ok.session.second_factor, "{}", fx.label);
        // A code counts once: replayed (or an earlier step's) it is refused.
        let replayed = fx
            .accounts
            .sign_in(login, PASSWORD, Some(&right), &ctx("192.0.2.1"), t)
            .await;
        assert!(is_wrong(&replayed), "{}: {replayed:?}", fx.label);
        let next_step = t.checked_add(SignedDuration::from_secs(30)).unwrap();
        let next = code_for(&enrolment.secret, next_step);
        assert!(fx
            .accounts
            .sign_in(login, PASSWORD, Some(&next), &ctx("192.0.2.1"), next_step)
            .await
            .is_ok());
    }
}

#[tokio::test]
async fn external_sign_ins_open_a_session_and_are_audited() {
    for fx in fixtures().await {
        let account = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let issuer = "https://vneid.example";
        let signed_in = fx
            .accounts
            .sign_in_external(account.clone(), issuer, &ctx("203.0.113.9"), now())
            .await
            .unwrap();
        let (who, _) = fx
            .accounts
            .authenticate_session(&signed_in.session_token, now())
            .await
            .unwrap();
        assert_eq!(who.id, account.id);
        let entries = audit(&fx, "sign-in.external", Some(&account.id.0)).await;
        assert_eq!(entries.len(), 1, "{}", fx.label);
        assert!(entries[0].detail.contains(issuer), "{}", fx.label);

        let mut locked = account.clone();
        locked.status = AccountStatus::Locked;
        let refused = fx
            .accounts
            .sign_in_external(locked, issuer, &ctx("203.0.113.9"), now())
            .await;
        assert!(is_wrong(&refused), "{}", fx.label);

        fx.accounts
            .record_external_failure(issuer, "state mismatch", &ctx("203.0.113.9"), now())
            .await
            .unwrap();
        let failed = audit(&fx, "sign-in.external.failed", None).await;
        assert_eq!(failed.len(), 1, "{}", fx.label);
        assert!(failed[0].detail.contains("state mismatch"));
    }
}
