//! Officials, roles scoped to agencies, who may read and change which
//! account, and the audit log, on every test backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod identity_support;

use egov_app::identity::{CreateOfficial, ProfileUpdate};
use egov_app::ports::AuditFilter;
use egov_app::AppError;
use egov_domain::identity::{AccountId, AccountKind, AccountStatus, Actor, Role, RoleAssignment};
use egov_domain::PageRequest;
use identity_support::*;

fn denied<T: std::fmt::Debug>(result: Result<T, AppError>) -> bool {
    matches!(result, Err(AppError::Denied(_)))
}

fn new_official(email: &str, agency: &str, roles: &[Role]) -> CreateOfficial {
    CreateOfficial {
        email: email.into(),
        full_name: "Ngô Thị Mai".into(),
        agency_code: agency.into(),
        roles: roles.to_vec(),
        totp_required: false,
    }
}

fn grant(agency: &str, role: Role) -> RoleAssignment {
    RoleAssignment {
        agency_code: agency.into(),
        role,
    }
}

#[tokio::test]
async fn agency_admins_act_in_their_agency_only() {
    for fx in fixtures().await {
        let admin = official(
            &fx,
            "quantri@hanoi.example.vn",
            HANOI,
            &[Role::AgencyAdmin],
            false,
        )
        .await;
        let as_admin = actor(&fx, &admin).await;
        let c = ctx("192.0.2.1");

        // In a department under their agency: allowed.
        let mai = fx
            .accounts
            .create_official(
                &as_admin,
                &new_official("mai@hanoi.example.vn", HANOI_JUSTICE, &[Role::Specialist]),
                &c,
                now(),
            )
            .await
            .unwrap();
        assert_eq!(mai.kind, AccountKind::Official);
        // In another province: refused, and nothing stored.
        let elsewhere = new_official("hai@danang.example.vn", DANANG, &[Role::Specialist]);
        assert!(denied(
            fx.accounts
                .create_official(&as_admin, &elsewhere, &c, now())
                .await
        ));
        assert!(fx
            .store
            .account_by_login("hai@danang.example.vn")
            .await
            .unwrap()
            .is_none());
        // A system administrator role: refused.
        let root = new_official("root@hanoi.example.vn", HANOI, &[Role::SystemAdmin]);
        assert!(denied(
            fx.accounts
                .create_official(&as_admin, &root, &c, now())
                .await
        ));

        // Roles: granting in Đà Nẵng is refused; in Hà Nội allowed and audited.
        let current = vec![grant(HANOI_JUSTICE, Role::Specialist)];
        let with_danang = [current.clone(), vec![grant(DANANG, Role::Leader)]].concat();
        assert!(denied(
            fx.accounts
                .set_roles(&as_admin, &mai.id, &with_danang, &c, now())
                .await
        ));
        assert_eq!(fx.store.roles(&mai.id).await.unwrap(), current);
        let promoted = vec![grant(HANOI_JUSTICE, Role::Leader)];
        fx.accounts
            .set_roles(&as_admin, &mai.id, &promoted, &c, now())
            .await
            .unwrap();
        assert_eq!(fx.store.roles(&mai.id).await.unwrap(), promoted);
        let granted = audit(&fx, "role.granted", Some(&mai.id.0)).await;
        let revoked = audit(&fx, "role.revoked", Some(&mai.id.0)).await;
        assert!(
            granted
                .iter()
                .any(|e| e.detail == format!("leader in {HANOI_JUSTICE}")),
            "{granted:?}"
        );
        assert_eq!(revoked.len(), 1, "{}", fx.label);
        assert_eq!(revoked[0].detail, format!("specialist in {HANOI_JUSTICE}"));
        assert_eq!(revoked[0].actor.as_ref(), Some(&admin.id));

        // An official of Đà Nẵng: their roles cannot be taken away from Hà Nội.
        let hai = official(
            &fx,
            "hai@danang.example.vn",
            DANANG,
            &[Role::Specialist],
            false,
        )
        .await;
        assert!(denied(
            fx.accounts
                .set_roles(&as_admin, &hai.id, &[], &c, now())
                .await
        ));
        assert!(denied(fx.accounts.account(&as_admin, &hai.id).await));
        assert!(denied(
            fx.accounts
                .officials(&as_admin, DANANG, PageRequest::default())
                .await
        ));
        let listed = fx
            .accounts
            .officials(&as_admin, HANOI_JUSTICE, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(
            listed
                .items
                .iter()
                .map(|a| a.id.clone())
                .collect::<Vec<_>>(),
            vec![mai.id.clone()]
        );
        assert_eq!(
            fx.accounts.account(&as_admin, &mai.id).await.unwrap().id,
            mai.id
        );
    }
}

#[tokio::test]
async fn officials_without_the_admin_role_manage_nobody() {
    for fx in fixtures().await {
        let leader = official(
            &fx,
            "lanhdao@hanoi.example.vn",
            HANOI,
            &[Role::Leader],
            false,
        )
        .await;
        let colleague = official(
            &fx,
            "chuyenvien@hanoi.example.vn",
            HANOI,
            &[Role::Specialist],
            false,
        )
        .await;
        let as_leader = actor(&fx, &leader).await;
        let c = ctx("192.0.2.1");
        let input = new_official("moi@hanoi.example.vn", HANOI, &[Role::Specialist]);
        assert!(denied(
            fx.accounts
                .create_official(&as_leader, &input, &c, now())
                .await
        ));
        let more = [grant(HANOI, Role::Specialist), grant(HANOI, Role::Leader)];
        assert!(denied(
            fx.accounts
                .set_roles(&as_leader, &colleague.id, &more, &c, now())
                .await
        ));
        assert!(denied(fx.accounts.account(&as_leader, &colleague.id).await));
        // Nor themselves: a leader cannot make themselves an administrator.
        let admin = [grant(HANOI, Role::Leader), grant(HANOI, Role::AgencyAdmin)];
        assert!(denied(
            fx.accounts
                .set_roles(&as_leader, &leader.id, &admin, &c, now())
                .await
        ));
    }
}

#[tokio::test]
async fn a_citizen_never_reads_or_changes_another_account() {
    for fx in fixtures().await {
        let an = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let binh = register(&fx, NID_BINH, "binh@example.vn", "0912345679").await;
        let as_an = actor(&fx, &an).await;
        let c = ctx("192.0.2.1");
        assert!(denied(fx.accounts.account(&as_an, &binh.id).await));
        let rename = ProfileUpdate {
            full_name: Some("Kẻ Mạo Danh".into()),
            ..ProfileUpdate::default()
        };
        assert!(denied(
            fx.accounts
                .update_profile(&as_an, &binh.id, &rename, &c, now())
                .await
        ));
        // Unknown accounts look the same as others' accounts.
        let ghost = AccountId("0123456789abcdef0123456789abcdef".into());
        assert!(denied(fx.accounts.account(&as_an, &ghost).await));
        assert!(denied(
            fx.accounts
                .update_profile(&as_an, &ghost, &rename, &c, now())
                .await
        ));
        assert_eq!(
            fx.store.account(&binh.id).await.unwrap().unwrap().full_name,
            binh.full_name
        );

        // One's own: allowed, except locking oneself or admin-only fields.
        let mine = fx
            .accounts
            .update_profile(&as_an, &an.id, &rename, &c, now())
            .await
            .unwrap();
        assert_eq!(mine.full_name, "Kẻ Mạo Danh");
        assert_eq!(
            fx.accounts.account(&as_an, &an.id).await.unwrap().full_name,
            "Kẻ Mạo Danh"
        );
        let unlock = ProfileUpdate {
            totp_required: Some(true),
            ..ProfileUpdate::default()
        };
        assert!(denied(
            fx.accounts
                .update_profile(&as_an, &an.id, &unlock, &c, now())
                .await
        ));

        // An official of an agency has no business with citizens' accounts either.
        let admin = official(
            &fx,
            "quantri@hanoi.example.vn",
            HANOI,
            &[Role::AgencyAdmin],
            false,
        )
        .await;
        let as_admin = actor(&fx, &admin).await;
        assert!(denied(fx.accounts.account(&as_admin, &an.id).await));
        // A bearer token without the `profile` scope cannot read even its own account.
        let token = Actor::Person {
            id: an.id.clone(),
            kind: AccountKind::Citizen,
            roles: vec![],
            scopes: Some(vec!["openid".into()]),
        };
        assert!(denied(fx.accounts.account(&token, &an.id).await));
    }
}

#[tokio::test]
async fn locking_an_official_ends_their_sessions() {
    for fx in fixtures().await {
        let admin = official(
            &fx,
            "quantri@hanoi.example.vn",
            HANOI,
            &[Role::AgencyAdmin],
            false,
        )
        .await;
        let clerk = official(
            &fx,
            "tiepnhan@hanoi.example.vn",
            HANOI_JUSTICE,
            &[Role::ReceivingOfficer],
            false,
        )
        .await;
        let as_admin = actor(&fx, &admin).await;
        let c = ctx("192.0.2.1");
        let s = fx
            .accounts
            .sign_in("tiepnhan@hanoi.example.vn", PASSWORD, None, &c, now())
            .await
            .unwrap();
        let lock = ProfileUpdate {
            status: Some(AccountStatus::Locked),
            ..ProfileUpdate::default()
        };
        // Not oneself.
        assert!(denied(
            fx.accounts
                .update_profile(&as_admin, &admin.id, &lock, &c, now())
                .await
        ));
        let locked = fx
            .accounts
            .update_profile(&as_admin, &clerk.id, &lock, &c, now())
            .await
            .unwrap();
        assert_eq!(locked.status, AccountStatus::Locked);
        assert!(fx
            .accounts
            .authenticate_session(&s.session_token, now())
            .await
            .is_err());
        let again = fx
            .accounts
            .sign_in("tiepnhan@hanoi.example.vn", PASSWORD, None, &c, now())
            .await;
        assert!(
            matches!(again, Err(AppError::Unauthenticated(_))),
            "{}: {again:?}",
            fx.label
        );
        let entries = audit(&fx, "account.updated", Some(&clerk.id.0)).await;
        assert_eq!(entries[0].detail, "status=locked");
    }
}

#[tokio::test]
async fn a_new_official_sets_a_password_with_the_emailed_code() {
    for fx in fixtures().await {
        let input = new_official("moi@hanoi.example.vn", HANOI, &[Role::Specialist]);
        let account = fx
            .accounts
            .create_official(&Actor::System, &input, &ctx("192.0.2.1"), now())
            .await
            .unwrap();
        // The random initial password is nobody's.
        let before = fx
            .accounts
            .sign_in("moi@hanoi.example.vn", "", None, &ctx("192.0.2.1"), now())
            .await;
        assert!(matches!(before, Err(AppError::Unauthenticated(_))));
        let code = code_sent_to(&fx, "moi@hanoi.example.vn").await.unwrap();
        fx.accounts
            .reset_password(
                "Moi@Hanoi.example.vn",
                &code,
                PASSWORD,
                &ctx("192.0.2.1"),
                later(now(), 60 * 48),
            )
            .await
            .unwrap();
        let signed_in = fx
            .accounts
            .sign_in(
                "moi@hanoi.example.vn",
                PASSWORD,
                None,
                &ctx("192.0.2.1"),
                later(now(), 60 * 48),
            )
            .await
            .unwrap();
        assert_eq!(signed_in.account.id, account.id);
        assert!(
            signed_in.account.email_verified_at.is_some(),
            "receiving the code verified the address"
        );
        let duplicate = fx
            .accounts
            .create_official(&Actor::System, &input, &ctx("192.0.2.1"), now())
            .await;
        assert!(
            matches!(duplicate, Err(AppError::Conflict(ref m)) if m.contains("email")),
            "{duplicate:?}"
        );
        let unknown_agency =
            new_official("x@hanoi.example.vn", "000.99.99.H99", &[Role::Specialist]);
        let r = fx
            .accounts
            .create_official(&Actor::System, &unknown_agency, &ctx("192.0.2.1"), now())
            .await;
        assert!(matches!(r, Err(AppError::NotFound { .. })), "{r:?}");
    }
}

#[tokio::test]
async fn the_audit_log_is_read_within_ones_reach() {
    for fx in fixtures().await {
        let root = official(
            &fx,
            "hethong@example.vn",
            HANOI,
            &[Role::SystemAdmin],
            false,
        )
        .await;
        let admin = official(
            &fx,
            "quantri@hanoi.example.vn",
            HANOI,
            &[Role::AgencyAdmin],
            false,
        )
        .await;
        let clerk = official(
            &fx,
            "tiepnhan@hanoi.example.vn",
            HANOI_JUSTICE,
            &[Role::ReceivingOfficer],
            false,
        )
        .await;
        let far = official(
            &fx,
            "hai@danang.example.vn",
            DANANG,
            &[Role::Specialist],
            false,
        )
        .await;
        let citizen = register(&fx, NID_AN, "an@example.vn", "0912345678").await;
        let c = ctx("192.0.2.1");
        fx.accounts
            .sign_in("tiepnhan@hanoi.example.vn", PASSWORD, None, &c, now())
            .await
            .unwrap();
        fx.accounts
            .sign_in(NID_AN, PASSWORD, None, &c, now())
            .await
            .unwrap();
        let about = |id: &AccountId| AuditFilter {
            subject: Some(id.0.clone()),
            page: PageRequest::new(0, 100),
            ..AuditFilter::default()
        };
        let everything = AuditFilter::default();

        let as_root = actor(&fx, &root).await;
        assert!(
            fx.accounts
                .audit_log(&as_root, &everything)
                .await
                .unwrap()
                .total
                > 5
        );
        let as_admin = actor(&fx, &admin).await;
        assert!(denied(fx.accounts.audit_log(&as_admin, &everything).await));
        let clerk_log = fx
            .accounts
            .audit_log(&as_admin, &about(&clerk.id))
            .await
            .unwrap();
        assert!(
            clerk_log.items.iter().any(|e| e.action == "sign-in"),
            "{}",
            fx.label
        );
        assert!(denied(
            fx.accounts.audit_log(&as_admin, &about(&far.id)).await
        ));
        assert!(denied(
            fx.accounts.audit_log(&as_admin, &about(&citizen.id)).await
        ));
        let as_citizen = actor(&fx, &citizen).await;
        let own = fx
            .accounts
            .audit_log(&as_citizen, &about(&citizen.id))
            .await
            .unwrap();
        assert!(own.items.iter().any(|e| e.action == "sign-in"));
        assert!(denied(
            fx.accounts.audit_log(&as_citizen, &about(&clerk.id)).await
        ));
    }
}
