//! Registration and verification of contact details, on every test backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod identity_support;

use egov_app::identity::{ContactChange, RegisterOrganisation};
use egov_app::ports::{Channel, CodePurpose};
use egov_app::AppError;
use egov_domain::identity::{AccountKind, Sex};
use identity_support::*;

/// A change to a registration form.
type Edit = dyn Fn(&mut egov_app::identity::RegisterCitizen);

#[tokio::test]
async fn registration_validates_every_field() {
    for fx in fixtures().await {
        let base = citizen_form(NID_AN, "an@example.vn", "0912345678");
        let cases: Vec<(&str, Box<Edit>)> = vec![
            (
                "national_id",
                Box::new(|f| f.national_id = "003203012345".into()),
            ),
            (
                "national_id",
                Box::new(|f| f.national_id = "0012030123".into()),
            ),
            (
                "date_of_birth",
                Box::new(|f| f.date_of_birth = "2004-05-14".into()),
            ),
            (
                "date_of_birth",
                Box::new(|f| f.date_of_birth = "14/05/2003".into()),
            ),
            ("sex", Box::new(|f| f.sex = Some(Sex::Female))),
            ("full_name", Box::new(|f| f.full_name = "  ".into())),
            ("email", Box::new(|f| f.email = "an@".into())),
            ("phone", Box::new(|f| f.phone = "0212345678".into())),
            ("password", Box::new(|f| f.password = "short".into())),
            ("password", Box::new(|f| f.password = "123456789012".into())),
            (
                "password",
                Box::new(|f| f.password = "An@Example.vn".into()),
            ),
            ("password", Box::new(|f| f.password = "x".repeat(257))),
        ];
        for (field, change) in cases {
            let mut form = base.clone();
            change(&mut form);
            let result = fx
                .accounts
                .register_citizen(&form, &ctx("192.0.2.1"), now())
                .await;
            assert_eq!(invalid_field(result), field, "{}", fx.label);
        }
        // Nothing was stored.
        assert!(fx.store.account_by_login(NID_AN).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn registration_conflicts_name_the_field() {
    for fx in fixtures().await {
        register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let again = citizen_form(NID_AN, "other@example.vn", "0912345679");
        match fx
            .accounts
            .register_citizen(&again, &ctx("192.0.2.1"), now())
            .await
        {
            Err(AppError::Conflict(m)) => assert!(m.contains("national_id"), "{}: {m}", fx.label),
            other => panic!("{}: {other:?}", fx.label),
        }
        let same_email = citizen_form(NID_BINH, "AN@example.vn", "0912345679");
        match fx
            .accounts
            .register_citizen(&same_email, &ctx("192.0.2.1"), now())
            .await
        {
            Err(AppError::Conflict(m)) => assert!(m.contains("email"), "{}: {m}", fx.label),
            other => panic!("{}: {other:?}", fx.label),
        }
    }
}

fn organisation_form() -> RegisterOrganisation {
    RegisterOrganisation {
        tax_code: "0101234567".into(),
        name: "Công ty TNHH Sao Mai".into(),
        representative_name: "Trần Thị Bình".into(),
        representative_national_id: NID_BINH.into(),
        email: "lienhe@saomai.example.vn".into(),
        phone: "0987654321".into(),
        password: PASSWORD.into(),
    }
}

#[tokio::test]
async fn organisations_register_with_their_tax_code() {
    for fx in fixtures().await {
        let mut bad = organisation_form();
        bad.representative_national_id = "12345".into();
        let result = fx
            .accounts
            .register_organisation(&bad, &ctx("192.0.2.1"), now())
            .await;
        assert_eq!(invalid_field(result), "representative_national_id");
        let mut bad = organisation_form();
        bad.tax_code = "01012345".into();
        let result = fx
            .accounts
            .register_organisation(&bad, &ctx("192.0.2.1"), now())
            .await;
        assert_eq!(invalid_field(result), "tax_code");

        let org = fx
            .accounts
            .register_organisation(&organisation_form(), &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        assert_eq!(
            (org.kind, org.login.as_str()),
            (AccountKind::Organisation, "0101234567")
        );
        assert_eq!(
            org.organisation.as_ref().unwrap().representative_name,
            "Trần Thị Bình"
        );
        let signed_in = fx
            .accounts
            .sign_in("0101234567", PASSWORD, None, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        assert_eq!(signed_in.account.id, org.id);
        match fx
            .accounts
            .register_organisation(&organisation_form(), &ctx("192.0.2.1"), now())
            .await
        {
            Err(AppError::Conflict(m)) => assert!(m.contains("tax_code"), "{m}"),
            other => panic!("{}: {other:?}", fx.label),
        }
    }
}

#[tokio::test]
async fn registration_sends_codes_and_is_audited() {
    for fx in fixtures().await {
        let account = register(&fx, NID_AN, "an@example.vn", "0912 345 678").await;
        assert_eq!(account.login, NID_AN);
        assert!(account.email_verified_at.is_none() && account.phone_verified_at.is_none());
        let messages = fx.store.pending_messages(5, 100).await.unwrap();
        let channels: Vec<_> = messages
            .iter()
            .map(|m| (m.channel, m.recipient.as_str()))
            .collect();
        assert!(
            channels.contains(&(Channel::Email, "an@example.vn")),
            "{channels:?}"
        );
        assert!(
            channels.contains(&(Channel::Sms, "+84912345678")),
            "{channels:?}"
        );
        let code = code_sent_to(&fx, "an@example.vn").await.unwrap();
        let stored = fx
            .store
            .code(&account.id, CodePurpose::VerifyEmail)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.target, "an@example.vn");
        assert!(!stored.code_hash.contains(&code));
        assert_eq!(stored.code_hash.len(), 64);
        let entries = audit(&fx, "account.registered", Some(&account.id.0)).await;
        assert_eq!(entries.len(), 1, "{}", fx.label);
        assert_eq!(entries[0].ip.as_deref(), Some("192.0.2.1"));
    }
}

#[tokio::test]
async fn the_right_code_verifies_the_address_once() {
    for fx in fixtures().await {
        let account = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let me = actor(&fx, &account).await;
        let code = code_sent_to(&fx, "an@example.vn").await.unwrap();
        let verified = fx
            .accounts
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
        assert_eq!(verified.email_verified_at, Some(now()));
        assert!(verified.phone_verified_at.is_none());
        let again = fx
            .accounts
            .verify_contact(
                &me,
                &account.id,
                CodePurpose::VerifyEmail,
                &code,
                &ctx("192.0.2.1"),
                now(),
            )
            .await;
        assert_eq!(invalid_field(again), "code");
        let sms = code_sent_to(&fx, "+84912345678").await.unwrap();
        let verified = fx
            .accounts
            .verify_contact(
                &me,
                &account.id,
                CodePurpose::VerifyPhone,
                &sms,
                &ctx("192.0.2.1"),
                now(),
            )
            .await
            .unwrap();
        assert_eq!(verified.phone_verified_at, Some(now()));
        assert_eq!(
            audit(&fx, "contact.verified", Some(&account.id.0))
                .await
                .len(),
            2
        );
    }
}

#[tokio::test]
async fn wrong_expired_and_used_up_codes_are_refused() {
    for fx in fixtures().await {
        let account = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let me = actor(&fx, &account).await;
        let verify = |code: String, at| {
            let (accounts, me, id) = (&fx.accounts, me.clone(), account.id.clone());
            async move {
                accounts
                    .verify_contact(
                        &me,
                        &id,
                        CodePurpose::VerifyEmail,
                        &code,
                        &ctx("192.0.2.1"),
                        at,
                    )
                    .await
            }
        };
        // Expired: 15 minutes.
        let code = code_sent_to(&fx, "an@example.vn").await.unwrap();
        assert_eq!(
            invalid_field(verify(code.clone(), later(now(), 16)).await),
            "code"
        );
        assert_eq!(
            invalid_field(verify(code, now()).await),
            "code",
            "an expired code is thrown away"
        );

        // Five wrong entries use the code up.
        fx.accounts
            .resend_code(&me, &account.id, CodePurpose::VerifyEmail, now())
            .await
            .unwrap();
        let code = code_sent_to(&fx, "an@example.vn").await.unwrap();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..5 {
            assert_eq!(invalid_field(verify(wrong.to_owned(), now()).await), "code");
        }
        assert_eq!(
            invalid_field(verify(code, now()).await),
            "code",
            "{}",
            fx.label
        );

        // A fresh code works.
        fx.accounts
            .resend_code(&me, &account.id, CodePurpose::VerifyEmail, now())
            .await
            .unwrap();
        let code = code_sent_to(&fx, "an@example.vn").await.unwrap();
        assert!(verify(code, now())
            .await
            .unwrap()
            .email_verified_at
            .is_some());
        // Once verified there is nothing to resend.
        let resend = fx
            .accounts
            .resend_code(&me, &account.id, CodePurpose::VerifyEmail, now())
            .await;
        assert!(matches!(resend, Err(AppError::Conflict(_))), "{resend:?}");
    }
}

#[tokio::test]
async fn a_new_address_counts_only_once_verified() {
    for fx in fixtures().await {
        let account = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let me = actor(&fx, &account).await;
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
        let change = ContactChange::Email("an.moi@example.vn".into());
        fx.accounts
            .change_contact(
                &me,
                &account.id,
                &change,
                &ctx("192.0.2.1"),
                later(now(), 1),
            )
            .await
            .unwrap();
        let unchanged = fx.store.account(&account.id).await.unwrap().unwrap();
        assert_eq!(unchanged.email.as_ref().unwrap().as_str(), "an@example.vn");
        assert_eq!(unchanged.email_verified_at, Some(now()));
        let code = code_sent_to(&fx, "an.moi@example.vn").await.unwrap();
        let changed = fx
            .accounts
            .verify_contact(
                &me,
                &account.id,
                CodePurpose::VerifyEmail,
                &code,
                &ctx("192.0.2.1"),
                later(now(), 2),
            )
            .await
            .unwrap();
        assert_eq!(
            changed.email.as_ref().unwrap().as_str(),
            "an.moi@example.vn"
        );
        assert_eq!(changed.email_verified_at, Some(later(now(), 2)));
        let bad = ContactChange::Phone("12345".into());
        let result = fx
            .accounts
            .change_contact(&me, &account.id, &bad, &ctx("192.0.2.1"), now())
            .await;
        assert_eq!(invalid_field(result), "phone");
    }
}

#[tokio::test]
async fn nobody_verifies_or_changes_another_persons_contacts() {
    for fx in fixtures().await {
        let an = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let binh = register(&fx, NID_BINH, "binh@example.vn", "0912345679").await;
        let as_binh = actor(&fx, &binh).await;
        let code = code_sent_to(&fx, "an@example.vn").await.unwrap();
        let verify = fx
            .accounts
            .verify_contact(
                &as_binh,
                &an.id,
                CodePurpose::VerifyEmail,
                &code,
                &ctx("192.0.2.1"),
                now(),
            )
            .await;
        assert!(matches!(verify, Err(AppError::Denied(_))), "{verify:?}");
        let change = ContactChange::Email("binh.takes.over@example.vn".into());
        let result = fx
            .accounts
            .change_contact(&as_binh, &an.id, &change, &ctx("192.0.2.1"), now())
            .await;
        assert!(matches!(result, Err(AppError::Denied(_))), "{result:?}");
        let stored = fx.store.account(&an.id).await.unwrap().unwrap();
        assert!(stored.email_verified_at.is_none());
    }
}
