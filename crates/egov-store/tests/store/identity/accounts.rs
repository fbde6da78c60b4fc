//! Accounts, credentials, roles and the officials of agencies.

use egov_domain::identity::{AccountStatus, Phone, Role, RoleAssignment};
use egov_domain::PageRequest;
use egov_ports::{IdentityStore, StoreError};
use egov_store::testing::{execute, test_stores};

use super::{
    at, citizen, conflict, create, email, id, new_account, official, organisation, seed_agencies,
};

#[tokio::test]
async fn accounts_round_trip_with_their_credentials() {
    for (label, store) in test_stores().await {
        let person = citizen("c1", "001203012345", "an@example.vn");
        let company = organisation("o1", "0101234567-001");
        create(&store, person.clone()).await;
        create(&store, company.clone()).await;

        let read = |account_id: &'static str| {
            let store = &store;
            async move { store.account(&id(account_id)).await.expect("read") }
        };
        assert_eq!(read("c1").await.as_ref(), Some(&person), "{label}");
        assert_eq!(read("o1").await.as_ref(), Some(&company), "{label}");
        assert_eq!(read("nobody").await, None, "{label}");

        let (found, credentials) = store
            .account_by_login("001203012345")
            .await
            .expect(&label)
            .expect("found by login");
        assert_eq!(found, person, "{label}");
        assert_eq!(
            credentials.password_hash,
            new_account(person.clone()).password_hash
        );
        assert_eq!(credentials.totp_secret, None, "{label}");
        assert!(store
            .account_by_login("0012030")
            .await
            .expect(&label)
            .is_none());

        store
            .set_password(&id("c1"), "$argon2id$new")
            .await
            .expect(&label);
        store
            .set_totp_secret(&id("c1"), Some("JBSWY3DPEHPK3PXP"))
            .await
            .expect(&label);
        let (_, credentials) = store
            .account_by_login("001203012345")
            .await
            .expect(&label)
            .expect("found");
        assert_eq!(credentials.password_hash, "$argon2id$new", "{label}");
        assert_eq!(credentials.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
        store.set_totp_secret(&id("c1"), None).await.expect(&label);
        let (_, credentials) = store
            .account_by_login("001203012345")
            .await
            .expect(&label)
            .expect("found");
        assert_eq!(credentials.totp_secret, None, "{label}");
    }
}

#[tokio::test]
async fn updates_replace_details_but_not_the_login() {
    for (label, store) in test_stores().await {
        let person = citizen("c1", "001203012345", "an@example.vn");
        create(&store, person.clone()).await;

        let mut changed = person.clone();
        changed.login = "hijacked".into();
        changed.full_name = "Nguyễn Văn Ân".into();
        changed.email = Some(email("an.nguyen@example.vn"));
        changed.email_verified_at = None;
        changed.phone = Some(Phone::parse("0387654321").expect("phone"));
        changed.phone_verified_at = Some(at(99));
        changed.status = AccountStatus::Locked;
        changed.totp_required = true;
        store.update_account(&changed).await.expect(&label);

        let stored = store
            .account(&id("c1"))
            .await
            .expect(&label)
            .expect("stored");
        let mut expected = changed.clone();
        expected.login = person.login.clone();
        assert_eq!(stored, expected, "{label}");
        assert!(store
            .account_by_login("hijacked")
            .await
            .expect(&label)
            .is_none());
    }
}

#[tokio::test]
async fn taken_keys_are_conflicts_naming_the_key() {
    for (label, store) in test_stores().await {
        create(&store, citizen("c1", "001203012345", "an@example.vn")).await;
        let try_create = |account| {
            let store = &store;
            async move { store.create_account(&new_account(account)).await }
        };

        let mut same_login = citizen("c2", "079185000001", "binh@example.vn");
        same_login.login = "001203012345".into();
        assert_eq!(conflict(try_create(same_login).await), "login", "{label}");

        let mut same_id_number = citizen("c2", "001203012345", "binh@example.vn");
        same_id_number.login = "other-login".into();
        assert_eq!(
            conflict(try_create(same_id_number).await),
            "national_id",
            "{label}"
        );

        let same_email = citizen("c2", "079185000001", "an@example.vn");
        assert_eq!(conflict(try_create(same_email).await), "email", "{label}");

        let same_id = citizen("c1", "079185000001", "binh@example.vn");
        assert_eq!(conflict(try_create(same_id).await), "account id", "{label}");

        // Nothing above was stored; a free set of keys still is.
        create(&store, citizen("c2", "079185000001", "binh@example.vn")).await;
        let mut steal = store.account(&id("c2")).await.expect(&label).expect("c2");
        steal.email = Some(email("an@example.vn"));
        assert_eq!(
            conflict(store.update_account(&steal).await),
            "email",
            "{label}"
        );
        steal.email = None;
        steal.national_id = Some(super::nid("001203012345"));
        assert_eq!(
            conflict(store.update_account(&steal).await),
            "national_id",
            "{label}"
        );
    }
}

#[tokio::test]
async fn an_unreadable_stored_value_is_an_error_not_a_panic() {
    for (label, store) in test_stores().await {
        create(&store, citizen("c1", "001203012345", "an@example.vn")).await;
        execute(
            &store,
            "UPDATE accounts SET national_id = '12345' WHERE id = 'c1'",
        )
        .await
        .expect(&label);
        let err = store.account(&id("c1")).await.expect_err(&label);
        assert!(
            matches!(&err, StoreError::Backend(m) if m.contains("national_id")),
            "{label}: {err:?}"
        );
        execute(
            &store,
            "UPDATE accounts SET national_id = '001203012345', email = 'no-at-sign' WHERE id = 'c1'",
        )
        .await
        .expect(&label);
        assert!(matches!(
            store.account_by_login("001203012345").await,
            Err(StoreError::Backend(_))
        ));
    }
}

fn assignment(agency: &str, role: Role) -> RoleAssignment {
    RoleAssignment {
        agency_code: agency.into(),
        role,
    }
}

#[tokio::test]
async fn roles_are_replaced_as_a_whole() {
    for (label, store) in test_stores().await {
        seed_agencies(&store).await;
        create(&store, official("o1", "Lê Văn Cường")).await;
        let official = id("o1");
        assert_eq!(store.roles(&official).await.expect(&label), []);

        let first = [
            assignment("000.00.12.H26", Role::Specialist),
            assignment("000.00.04.H26", Role::ReceivingOfficer),
            assignment("000.00.12.H26", Role::Leader),
            assignment("000.00.12.H26", Role::Specialist),
        ];
        store.set_roles(&official, &first).await.expect(&label);
        assert_eq!(
            store.roles(&official).await.expect(&label),
            [
                assignment("000.00.04.H26", Role::ReceivingOfficer),
                assignment("000.00.12.H26", Role::Specialist),
                assignment("000.00.12.H26", Role::Leader),
            ],
            "{label}"
        );

        let second = [assignment("000.00.00.H26", Role::AgencyAdmin)];
        store.set_roles(&official, &second).await.expect(&label);
        assert_eq!(
            store.roles(&official).await.expect(&label),
            second,
            "{label}"
        );

        // An unknown agency fails the whole replacement.
        let bad = [
            assignment("000.00.12.H26", Role::Leader),
            assignment("nope", Role::Leader),
        ];
        let err = store.set_roles(&official, &bad).await.expect_err(&label);
        assert!(
            matches!(&err, StoreError::MissingReference { reference: "agency", missing, .. } if missing == "nope"),
            "{label}: {err:?}"
        );
        assert_eq!(
            store.roles(&official).await.expect(&label),
            second,
            "{label}"
        );

        let err = store
            .set_roles(&id("ghost"), &second)
            .await
            .expect_err(&label);
        assert!(
            matches!(
                &err,
                StoreError::MissingReference {
                    reference: "account",
                    ..
                }
            ),
            "{label}: {err:?}"
        );

        store.set_roles(&official, &[]).await.expect(&label);
        assert_eq!(store.roles(&official).await.expect(&label), [], "{label}");
    }
}

#[tokio::test]
async fn officials_of_agencies_are_listed_once_by_name() {
    for (label, store) in test_stores().await {
        seed_agencies(&store).await;
        let justice = "000.00.12.H26";
        let ward = "000.00.04.H26";
        let ministry = "000.00.00.G06";
        let people = [
            ("o1", "Võ Thị Yến", vec![justice]),
            ("o2", "Đặng Văn Đức", vec![ward]),
            ("o3", "Bùi Minh Anh", vec![justice, ward]),
            ("o4", "Bùi Minh Anh", vec![justice]),
            ("o5", "Phạm Quốc Bảo", vec![ministry]),
            ("o6", "Cao Thị Hoa", vec![]),
        ];
        for (account_id, name, agencies) in &people {
            create(&store, official(account_id, name)).await;
            let roles: Vec<_> = agencies
                .iter()
                .flat_map(|a| [assignment(a, Role::Specialist), assignment(a, Role::Leader)])
                .collect();
            store
                .set_roles(&id(account_id), &roles)
                .await
                .expect(&label);
        }
        // A citizen never counts as an official, even with a stray role row.
        create(&store, citizen("c1", "001203012345", "an@example.vn")).await;
        execute(
            &store,
            "INSERT INTO role_assignments (account_id, agency_code, role) \
             VALUES ('c1', '000.00.12.H26', 'specialist')",
        )
        .await
        .expect(&label);

        let codes = vec![justice.to_owned(), ward.to_owned()];
        let ids = |page: &egov_domain::Page<egov_domain::identity::Account>| {
            page.items
                .iter()
                .map(|a| a.id.0.clone())
                .collect::<Vec<_>>()
        };
        let all = store
            .officials_in(&codes, PageRequest::new(0, 10))
            .await
            .expect(&label);
        // By name without diacritics ("bui", "dang", "vo"), then id.
        assert_eq!(ids(&all), ["o3", "o4", "o2", "o1"], "{label}");
        assert_eq!(all.total, 4, "{label}");

        let second = store
            .officials_in(&codes, PageRequest::new(2, 2))
            .await
            .expect(&label);
        assert_eq!(
            (ids(&second), second.total),
            (vec!["o2".to_owned(), "o1".to_owned()], 4)
        );
        let ministry_only = store
            .officials_in(&[ministry.to_owned()], PageRequest::default())
            .await
            .expect(&label);
        assert_eq!(ids(&ministry_only), ["o5"], "{label}");
        let none = store
            .officials_in(&[], PageRequest::default())
            .await
            .expect(&label);
        assert_eq!((none.items.len(), none.total), (0, 0), "{label}");
    }
}
