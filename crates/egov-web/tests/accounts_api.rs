//! The identity JSON API: who the caller is (session cookie with
//! `X-Requested-With`, access token, admin token), what they may read and
//! change, and what administrators may do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::identity::{BUILDING_DEPT, CITIZEN_ID, HANOI, JUSTICE_DEPT, OTHER_ID};
use common::{apps, loaded_apps, TOKEN};
use egov_domain::identity::Role;
use serde_json::json;

#[tokio::test]
async fn me_with_the_session_cookie_needs_x_requested_with() {
    for app in apps().await {
        let id = app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let mut browser = app.signed_in(CITIZEN_ID).await;
        let me = browser.api(Method::GET, "/api/v1/me", None).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.text());
        let json = me.json();
        assert_eq!(json["id"], id.0);
        assert_eq!(json["full_name"], "Nguyễn Văn An");
        assert_eq!(json["roles"], json!([]));
        // The same cookie without the header: ignored, so not signed in.
        let cookie = format!("egov_session={}", browser.cookie("egov_session").unwrap());
        let bare = app.get_with("/api/v1/me", &[("cookie", &cookie)]).await;
        let problem = bare.problem(401);
        assert!(problem["detail"]
            .as_str()
            .unwrap()
            .contains("X-Requested-With"));
        assert!(bare
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer"));
    }
}

#[tokio::test]
async fn me_with_an_access_token_is_limited_by_its_scopes() {
    for app in apps().await {
        let id = app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let token = app.access_token(&id, "openid profile").await;
        let bearer = format!("Bearer {token}");
        let me = app
            .get_with("/api/v1/me", &[("authorization", &bearer)])
            .await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.text());
        assert_eq!(me.json()["id"], id.0);
        // Changing needs account:write.
        let change = json!({"full_name": "Nguyễn Văn Bình"});
        let headers = [("authorization", bearer.as_str())];
        let refused = app
            .json_request(Method::PATCH, "/api/v1/me", &headers, Some(change.clone()))
            .await;
        refused.problem(403);
        let writer = format!(
            "Bearer {}",
            app.access_token(&id, "openid profile account:write").await
        );
        let headers = [("authorization", writer.as_str())];
        let changed = app
            .json_request(Method::PATCH, "/api/v1/me", &headers, Some(change))
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
        assert_eq!(changed.json()["full_name"], "Nguyễn Văn Bình");
        // Without profile, not even reading.
        let thin = format!("Bearer {}", app.access_token(&id, "openid").await);
        app.get_with("/api/v1/me", &[("authorization", &thin)])
            .await
            .problem(403);
    }
}

#[tokio::test]
async fn forged_and_malformed_tokens_are_refused_with_a_challenge() {
    for app in apps().await {
        let id = app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let token = app.access_token(&id, "openid profile").await;
        // Same header and claims, another signature.
        let (head, _) = token.rsplit_once('.').unwrap();
        let forged = format!("{head}.{}", "A".repeat(86));
        for value in [
            format!("Bearer {forged}"),
            "Bearer not-a-token".into(),
            "Bearer a.b.c".into(),
        ] {
            let response = app
                .get_with("/api/v1/me", &[("authorization", &value)])
                .await;
            response.problem(401);
            let challenge = response.header("www-authenticate").unwrap();
            assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        }
    }
}

#[tokio::test]
async fn a_citizen_cannot_read_another_account() {
    for app in apps().await {
        let own = app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let other = app.citizen(OTHER_ID, "Trần Thị Bình").await;
        let bearer = format!(
            "Bearer {}",
            app.access_token(&own, "openid profile account:write").await
        );
        let headers = [("authorization", bearer.as_str())];
        let mine = app
            .get_with(&format!("/api/v1/accounts/{}", own.0), &headers)
            .await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.text());
        // Another person's id and an id nobody has get the same 403.
        let theirs = app
            .get_with(&format!("/api/v1/accounts/{}", other.0), &headers)
            .await;
        let nobody = app.get_with("/api/v1/accounts/acc-nobody", &headers).await;
        assert_eq!(theirs.problem(403)["detail"], nobody.problem(403)["detail"]);
        assert!(!theirs.text().contains("Trần Thị Bình"));
        // Not through the session either.
        let mut browser = app.signed_in(CITIZEN_ID).await;
        let uri = format!("/api/v1/accounts/{}", other.0);
        browser.api(Method::GET, &uri, None).await.problem(403);
        // Anonymous: 401.
        app.get(&uri).await.problem(401);
    }
}

#[tokio::test]
async fn an_agency_admin_acts_only_in_their_agency() {
    for app in loaded_apps().await {
        app.official(
            "quantri@tuphap.hanoi.example",
            "Vũ Thị Lan",
            &[(JUSTICE_DEPT, Role::AgencyAdmin)],
        )
        .await;
        let mut browser = app.signed_in("quantri@tuphap.hanoi.example").await;
        let new = |agency: &str, email: &str| json!({"email": email, "full_name": "Lê Văn Tâm", "agency_code": agency, "roles": ["specialist"]});
        let elsewhere = new(BUILDING_DEPT, "tam@xaydung.hanoi.example");
        let refused = browser
            .api(Method::POST, "/api/v1/admin/officials", Some(elsewhere))
            .await;
        refused.problem(403);
        let above = new(HANOI, "tam@hanoi.example");
        browser
            .api(Method::POST, "/api/v1/admin/officials", Some(above))
            .await
            .problem(403);
        // Nor give the system administrator role at home.
        let mut root = new(JUSTICE_DEPT, "root@tuphap.hanoi.example");
        root["roles"] = json!(["system-admin"]);
        browser
            .api(Method::POST, "/api/v1/admin/officials", Some(root))
            .await
            .problem(403);
        let home = new(JUSTICE_DEPT, "tam@tuphap.hanoi.example");
        let created = browser
            .api(Method::POST, "/api/v1/admin/officials", Some(home))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let list = browser
            .api(
                Method::GET,
                &format!("/api/v1/admin/officials?agency={JUSTICE_DEPT}"),
                None,
            )
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text());
        assert_eq!(list.json()["total"], 2);
        browser
            .api(
                Method::GET,
                &format!("/api/v1/admin/officials?agency={BUILDING_DEPT}"),
                None,
            )
            .await
            .problem(403);
        // Roles: moving the new official to another agency is refused.
        let roles = json!({"roles": [{"agency_code": BUILDING_DEPT, "role": "specialist"}]});
        let uri = format!("/api/v1/admin/officials/{id}/roles");
        browser
            .api(Method::PUT, &uri, Some(roles))
            .await
            .problem(403);
        let roles = json!({"roles": [{"agency_code": JUSTICE_DEPT, "role": "leader"}]});
        let set = browser.api(Method::PUT, &uri, Some(roles)).await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.text());
        // The same through the officials page.
        let page = format!("/quan-tri/can-bo?co-quan={BUILDING_DEPT}");
        assert_eq!(browser.get(&page).await.status, StatusCode::FORBIDDEN);
        let form = format!("/quan-tri/can-bo?co-quan={JUSTICE_DEPT}");
        let fields = [
            ("agency", BUILDING_DEPT),
            ("full_name", "Đỗ Văn Hùng"),
            ("email", "hung@xaydung.hanoi.example"),
            ("role", "specialist"),
        ];
        let response = browser.submit(&form, "/quan-tri/can-bo", &fields).await;
        assert_eq!(
            response.status,
            StatusCode::FORBIDDEN,
            "{}",
            response.text()
        );
        assert!(response.content_type().starts_with("text/html"));
    }
}

#[tokio::test]
async fn citizens_are_not_administrators() {
    for app in loaded_apps().await {
        app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let mut browser = app.signed_in(CITIZEN_ID).await;
        let page = browser.get("/quan-tri/can-bo").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let uri = format!("/api/v1/admin/officials?agency={HANOI}");
        browser.api(Method::GET, &uri, None).await.problem(403);
        browser
            .api(Method::GET, "/api/v1/admin/oidc-clients", None)
            .await
            .problem(403);
        // Not even with a token that has every scope.
        let id = egov_domain::identity::AccountId(format!("acc-{CITIZEN_ID}"));
        let bearer = format!("Bearer {}", app.access_token(&id, "openid admin").await);
        app.get_with(&uri, &[("authorization", &bearer)])
            .await
            .problem(403);
        let rebuild = app
            .json_request(
                Method::POST,
                "/api/v1/admin/search/rebuild",
                &[("authorization", &bearer)],
                None,
            )
            .await;
        rebuild.problem(403);
    }
}

#[tokio::test]
async fn the_admin_token_acts_as_the_operator() {
    for app in apps().await {
        let bearer = format!("Bearer {TOKEN}");
        let clients = app
            .get_with("/api/v1/admin/oidc-clients", &[("authorization", &bearer)])
            .await;
        assert_eq!(clients.status, StatusCode::OK, "{}", clients.text());
        let json = clients.json();
        let ids: Vec<&str> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["client_id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"test-rp"), "{ids:?}");
        assert!(!clients.text().contains("secret_hash"));
        let new = json!({
            "client_id": "agency-portal",
            "name": "Cổng cơ quan",
            "kind": "confidential",
            "redirect_uris": ["https://portal.example/cb"],
            "allowed_scopes": ["openid", "profile"],
            "grant_types": ["authorization_code"]
        });
        let headers = [("authorization", bearer.as_str())];
        let created = app
            .json_request(
                Method::POST,
                "/api/v1/admin/oidc-clients",
                &headers,
                Some(new),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        assert!(created.json()["client_secret"].as_str().unwrap().len() >= 32);
        let audit = app
            .get_with("/api/v1/admin/audit?action=client.", &headers)
            .await;
        assert_eq!(audit.status, StatusCode::OK, "{}", audit.text());
        assert!(audit.json()["total"].as_u64().unwrap() >= 1);
        // The admin token is no person.
        app.get_with("/api/v1/me", &headers).await.problem(401);
    }
}

#[tokio::test]
async fn registration_through_the_api() {
    for app in apps().await {
        let body = json!({
            "kind": "citizen",
            "national_id": CITIZEN_ID,
            "full_name": "Nguyễn Văn An",
            "date_of_birth": "2003-05-14",
            "phone": "0912345678",
            "email": "an@example.vn",
            "password": "correct horse battery"
        });
        let created = app
            .json_request(Method::POST, "/api/v1/accounts", &[], Some(body.clone()))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        assert_eq!(created.json()["kind"], "citizen");
        assert!(created
            .header("location")
            .unwrap()
            .starts_with("/api/v1/accounts/"));
        app.json_request(Method::POST, "/api/v1/accounts", &[], Some(body.clone()))
            .await
            .problem(409);
        let mut bad = body;
        bad["national_id"] = json!("123");
        let problem = app
            .json_request(Method::POST, "/api/v1/accounts", &[], Some(bad))
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], "national_id");
        // Signing in through the API sets the cookie; the audit log has it.
        let login = json!({"login": CITIZEN_ID, "password": "correct horse battery"});
        let session = app
            .json_request(Method::POST, "/api/v1/sessions", &[], Some(login))
            .await;
        assert_eq!(session.status, StatusCode::CREATED, "{}", session.text());
        let cookie = session.header("set-cookie").unwrap();
        assert!(cookie.starts_with("egov_session=") && cookie.contains("HttpOnly"));
        let wrong = json!({"login": CITIZEN_ID, "password": "wrong password!"});
        let unknown = json!({"login": "001199000001", "password": "wrong password!"});
        let a = app
            .json_request(Method::POST, "/api/v1/sessions", &[], Some(wrong))
            .await;
        let b = app
            .json_request(Method::POST, "/api/v1/sessions", &[], Some(unknown))
            .await;
        assert_eq!(a.problem(401)["detail"], b.problem(401)["detail"]);
    }
}
