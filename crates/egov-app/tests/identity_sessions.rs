//! Web sessions: timeouts, signing out, one's own sessions, CSRF, on every
//! test backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod identity_support;

use egov_app::identity::{check_csrf, csrf_token};
use egov_app::AppError;
use identity_support::*;

#[tokio::test]
async fn sessions_end_when_idle_or_too_old() {
    for fx in fixtures().await {
        register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let s = fx
            .accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        let token = s.session_token.as_str();
        // Idle: 30 minutes without a request.
        assert!(fx
            .accounts
            .authenticate_session(token, later(now(), 29))
            .await
            .is_ok());
        assert!(
            fx.accounts
                .authenticate_session(token, later(now(), 58))
                .await
                .is_ok(),
            "touched at 29"
        );
        assert!(
            fx.accounts
                .authenticate_session(token, later(now(), 88))
                .await
                .is_err(),
            "idle since 58"
        );

        // Absolute: 12 hours, however busy.
        let s = fx
            .accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        let mut minute = 0;
        while minute < 12 * 60 - 20 {
            minute += 20;
            let ok = fx
                .accounts
                .authenticate_session(&s.session_token, later(now(), minute))
                .await;
            assert!(ok.is_ok(), "{}: minute {minute}", fx.label);
        }
        let too_old = fx
            .accounts
            .authenticate_session(&s.session_token, later(now(), 12 * 60))
            .await;
        assert!(
            matches!(too_old, Err(AppError::Unauthenticated(_))),
            "{too_old:?}"
        );
        assert!(fx
            .accounts
            .authenticate_session("forged-token", now())
            .await
            .is_err());
    }
}

#[tokio::test]
async fn signing_out_here_and_everywhere() {
    for fx in fixtures().await {
        let account = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let me = actor(&fx, &account).await;
        let mut tokens = Vec::new();
        for ip in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
            let s = fx
                .accounts
                .sign_in(NID_AN, PASSWORD, None, &ctx(ip), now())
                .await
                .unwrap();
            tokens.push(s.session_token);
        }
        assert_eq!(
            fx.accounts
                .sessions(&me, &account.id, now())
                .await
                .unwrap()
                .len(),
            3
        );
        fx.accounts
            .sign_out(&tokens[0], &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        assert!(fx
            .accounts
            .authenticate_session(&tokens[0], now())
            .await
            .is_err());
        assert!(fx
            .accounts
            .authenticate_session(&tokens[1], now())
            .await
            .is_ok());
        let listed = fx.accounts.sessions(&me, &account.id, now()).await.unwrap();
        assert_eq!(listed.len(), 2);
        assert!(listed.iter().all(|s| s.ip.as_deref() != Some("192.0.2.1")));
        let ended = fx
            .accounts
            .sign_out_everywhere(&me, &account.id, &ctx("192.0.2.2"), now())
            .await
            .unwrap();
        assert_eq!(ended, 2, "{}", fx.label);
        for token in &tokens {
            assert!(fx
                .accounts
                .authenticate_session(token, now())
                .await
                .is_err());
        }
        assert!(fx
            .accounts
            .sessions(&me, &account.id, now())
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn only_ones_own_sessions_can_be_listed_or_ended() {
    for fx in fixtures().await {
        let an = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let binh = register(&fx, NID_BINH, "binh@example.vn", "0912345679").await;
        let (as_an, as_binh) = (actor(&fx, &an).await, actor(&fx, &binh).await);
        let s = fx
            .accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        let hash = s.session.id_hash.clone();
        let listed = fx.accounts.sessions(&as_binh, &an.id, now()).await;
        assert!(matches!(listed, Err(AppError::Denied(_))), "{listed:?}");
        let foreign = fx
            .accounts
            .revoke_session(&as_binh, &binh.id, &hash, &ctx("192.0.2.2"), now())
            .await;
        assert!(
            matches!(foreign, Err(AppError::NotFound { .. })),
            "{foreign:?}"
        );
        let everywhere = fx
            .accounts
            .sign_out_everywhere(&as_binh, &an.id, &ctx("192.0.2.2"), now())
            .await;
        assert!(matches!(everywhere, Err(AppError::Denied(_))));
        assert!(fx
            .accounts
            .authenticate_session(&s.session_token, now())
            .await
            .is_ok());
        fx.accounts
            .revoke_session(&as_an, &an.id, &hash, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        assert!(fx
            .accounts
            .authenticate_session(&s.session_token, now())
            .await
            .is_err());
    }
}

#[tokio::test]
async fn csrf_tokens_belong_to_their_session() {
    for fx in fixtures().await {
        register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let a = fx
            .accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        let b = fx
            .accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        let (_, session) = fx
            .accounts
            .authenticate_session(&a.session_token, now())
            .await
            .unwrap();
        let token = csrf_token(&session);
        assert_eq!(token, fx.accounts.csrf_token(&a.session));
        assert!(check_csrf(&session, &token).is_ok());
        assert!(matches!(
            check_csrf(&b.session, &token),
            Err(AppError::Denied(_))
        ));
        assert!(check_csrf(&session, "").is_err());
        assert!(!token.contains(&session.csrf_secret));
    }
}
