//! Resetting and changing passwords, on every test backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod identity_support;

use egov_app::identity::{ChangePassword, WRONG_SIGN_IN};
use egov_app::ports::CodePurpose;
use egov_app::AppError;
use identity_support::*;

#[tokio::test]
async fn a_password_reset_answers_alike_and_revokes_sessions() {
    for fx in fixtures().await {
        let account = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let me = actor(&fx, &account).await;
        // Without a verified address there is nowhere to send a code.
        fx.accounts
            .request_password_reset(NID_AN, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        assert!(fx
            .store
            .code(&account.id, CodePurpose::ResetPassword)
            .await
            .unwrap()
            .is_none());
        let code = code_sent_to(&fx, "an@example.vn").await.unwrap();
        fx.accounts
            .verify_contact(
                &me,
                &account.id,
                CodePurpose::VerifyEmail,
                &code,
                &ctx("192.0.2.1"),
                now(),
            )
            .await
            .unwrap();
        let before = fx.store.pending_messages(5, 1000).await.unwrap().len();
        fx.accounts
            .request_password_reset("079000000000", &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        assert_eq!(
            fx.store.pending_messages(5, 1000).await.unwrap().len(),
            before
        );
        fx.accounts
            .request_password_reset(NID_AN, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        let code = code_sent_to(&fx, "an@example.vn").await.unwrap();

        let session = fx
            .accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        let new_password = "một mật khẩu mới 2026";
        let unknown = fx
            .accounts
            .reset_password(
                "079000000000",
                &code,
                new_password,
                &ctx("192.0.2.1"),
                now(),
            )
            .await
            .unwrap_err();
        let wrong = fx
            .accounts
            .reset_password(NID_AN, "999999x", new_password, &ctx("192.0.2.1"), now())
            .await
            .unwrap_err();
        assert_eq!(unknown.to_string(), wrong.to_string(), "{}", fx.label);
        fx.accounts
            .reset_password(NID_AN, &code, new_password, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        assert!(fx
            .accounts
            .authenticate_session(&session.session_token, now())
            .await
            .is_err());
        let old = fx
            .accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("192.0.2.1"), now())
            .await;
        assert!(
            matches!(old, Err(AppError::Unauthenticated(ref m)) if m == WRONG_SIGN_IN),
            "{old:?}"
        );
        fx.accounts
            .sign_in(NID_AN, new_password, None, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        assert_eq!(
            audit(&fx, "password.reset", Some(&account.id.0))
                .await
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn changing_the_password_checks_the_old_one_and_ends_other_sessions() {
    for fx in fixtures().await {
        let account = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let me = actor(&fx, &account).await;
        let here = fx
            .accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        let there = fx
            .accounts
            .sign_in(NID_AN, PASSWORD, None, &ctx("192.0.2.2"), now())
            .await
            .unwrap();
        let change = |current: &str, new: &str| ChangePassword {
            current: current.into(),
            new: new.into(),
            keep_session: Some(here.session.id_hash.clone()),
        };
        let wrong = fx
            .accounts
            .change_password(
                &me,
                &account.id,
                change("not it at all", "another good one"),
                &ctx("192.0.2.1"),
                now(),
            )
            .await;
        assert_eq!(invalid_field(wrong), "current_password");
        let weak = fx
            .accounts
            .change_password(
                &me,
                &account.id,
                change(PASSWORD, NID_AN),
                &ctx("192.0.2.1"),
                now(),
            )
            .await;
        assert_eq!(invalid_field(weak), "password");
        fx.accounts
            .change_password(
                &me,
                &account.id,
                change(PASSWORD, "another good one"),
                &ctx("192.0.2.1"),
                now(),
            )
            .await
            .unwrap();
        assert!(fx
            .accounts
            .authenticate_session(&here.session_token, now())
            .await
            .is_ok());
        assert!(fx
            .accounts
            .authenticate_session(&there.session_token, now())
            .await
            .is_err());
        fx.accounts
            .sign_in(NID_AN, "another good one", None, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
    }
}
