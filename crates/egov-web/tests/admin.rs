//! The admin API (imports, edits, index), through the router, on every backend.
// Helpers outside #[test] fns unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{fixture, loaded_apps};
use serde_json::{json, Value};

fn codes(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn malformed_import_is_refused_whole_naming_the_line() {
    for app in loaded_apps().await {
        let before = app.procedure_total().await;
        // JSON Lines in the portal's form: line 1 is a valid new procedure, line 2 is broken.
        let body = concat!(
            r#"{"ma_thu_tuc": "9.000001", "ten_thu_tuc": "Thủ tục thử nghiệm", "linh_vuc": "Thử nghiệm"}"#,
            "\n",
            r#"{"ma_thu_tuc": "9.000002", "ten_thu_tuc": "#,
            "\n"
        );
        let response = app
            .import(
                "/api/v1/admin/imports/procedures?format=jsonl",
                body.as_bytes().to_vec(),
            )
            .await;
        let problem = response.problem(422);
        assert!(
            problem["detail"].as_str().unwrap().contains("line 2"),
            "{}: {problem}",
            app.backend
        );
        assert!(problem["errors"][0]["location"]
            .as_str()
            .unwrap()
            .contains("line 2"));
        assert_eq!(app.procedure_total().await, before, "{}", app.backend);
        app.get("/api/v1/procedures/9.000001").await.problem(404);

        // A JSON array whose second record has an impossible code.
        let mut records: Value = serde_json::from_slice(&fixture("procedures.json")).unwrap();
        records[0]["code"] = json!("9.000003");
        records[1]["code"] = json!("không hợp lệ");
        let response = app
            .import(
                "/api/v1/admin/imports/procedures?format=json",
                serde_json::to_vec(&records).unwrap(),
            )
            .await;
        let problem = response.problem(422);
        assert!(
            problem["detail"].as_str().unwrap().contains("record 2"),
            "{problem}"
        );
        assert_eq!(app.procedure_total().await, before);
        app.get("/api/v1/procedures/9.000003").await.problem(404);

        let agencies_before = app.get_json("/api/v1/agencies").await["total"].clone();
        let response = app
            .import(
                "/api/v1/admin/imports/agencies?format=json",
                b"[{\"code\": ".to_vec(),
            )
            .await;
        response.problem(422);
        assert_eq!(
            app.get_json("/api/v1/agencies").await["total"],
            agencies_before
        );
    }
}

#[tokio::test]
async fn reimport_counts_unchanged_and_bad_import_parameters_are_400() {
    for app in loaded_apps().await {
        let again = app
            .import(
                "/api/v1/admin/imports/procedures?format=json",
                fixture("procedures.json"),
            )
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text());
        let counts = again.json();
        assert_eq!(
            (&counts["created"], &counts["updated"], &counts["unchanged"]),
            (&json!(0), &json!(0), &json!(5)),
            "{counts}"
        );

        for (uri, parameter) in [
            ("/api/v1/admin/imports/procedures", "format"),
            ("/api/v1/admin/imports/procedures?format=pdf", "format"),
            ("/api/v1/admin/imports/admin-units?format=json", "era"),
            (
                "/api/v1/admin/imports/admin-units?era=now&format=json",
                "era",
            ),
            (
                "/api/v1/admin/imports/agencies?format=json&dry_run=1",
                "dry_run",
            ),
        ] {
            let problem = app.import(uri, b"[]".to_vec()).await.problem(400);
            assert_eq!(problem["errors"][0]["parameter"], parameter, "{uri}");
        }
    }
}

#[tokio::test]
async fn an_edit_makes_a_new_version_and_keeps_the_old_one() {
    for app in loaded_apps().await {
        let mut procedure = app.get_json("/api/v1/procedures/2.000528").await["procedure"].clone();
        procedure["name"] = json!("Thủ tục đăng ký kết hôn (sửa đổi)");
        let response = app
            .put_json("/api/v1/admin/procedures/2.000528", &procedure)
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{}: {}",
            app.backend,
            response.text()
        );
        assert_eq!(response.json()["version"], 2);

        let current = app.get_json("/api/v1/procedures/2.000528").await;
        assert_eq!(current["version"], 2);
        assert_eq!(
            current["procedure"]["name"],
            "Thủ tục đăng ký kết hôn (sửa đổi)"
        );
        let old = app.get_json("/api/v1/procedures/2.000528/versions/1").await;
        assert_eq!(old["procedure"]["name"], "Thủ tục đăng ký kết hôn");
        let history = app.get_json("/api/v1/procedures/2.000528/versions").await;
        assert_eq!(history["versions"].as_array().unwrap().len(), 2);

        // The index follows the edit.
        let found = app.get_json("/api/v1/procedures?q=sua+doi").await;
        assert_eq!(codes(&found), vec!["2.000528"], "{}", app.backend);

        // The same content again: no new version.
        let same = app
            .put_json("/api/v1/admin/procedures/2.000528", &procedure)
            .await;
        assert_eq!(same.json()["version"], 2);

        // Path and body must agree; unknown procedures are not created by PUT.
        let problem = app
            .put_json("/api/v1/admin/procedures/1.001193", &procedure)
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], "code");
        procedure["code"] = json!("7.777777");
        app.put_json("/api/v1/admin/procedures/7.777777", &procedure)
            .await
            .problem(404);
        procedure["code"] = json!("2.000528");
        procedure["name"] = json!("  ");
        let problem = app
            .put_json("/api/v1/admin/procedures/2.000528", &procedure)
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], "name");
    }
}

#[tokio::test]
async fn agencies_can_be_put() {
    for app in loaded_apps().await {
        let agency = json!({"code": "000.03.00.H26", "name": "Sở Y tế Thành phố Hà Nội",
            "kind": "department", "parent_code": "000.00.00.H26", "admin_unit_code": "01"});
        let created = app
            .put_json("/api/v1/admin/agencies/000.03.00.H26", &agency)
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let mut renamed = agency.clone();
        renamed["name"] = json!("Sở Y tế Hà Nội");
        let replaced = app
            .put_json("/api/v1/admin/agencies/000.03.00.H26", &renamed)
            .await;
        assert_eq!(replaced.status, StatusCode::OK);
        assert_eq!(
            app.get_json("/api/v1/agencies/000.03.00.H26").await["name"],
            "Sở Y tế Hà Nội"
        );

        let orphan = json!({"code": "000.09.00.H26", "name": "Sở mồ côi", "kind": "department",
            "parent_code": "000.99.99.H99", "admin_unit_code": null});
        app.put_json("/api/v1/admin/agencies/000.09.00.H26", &orphan)
            .await
            .problem(409);
    }
}

#[tokio::test]
async fn malformed_json_bodies_are_problems() {
    for app in loaded_apps().await {
        let uri = "/api/v1/admin/procedures/1.001193";
        let broken = app
            .admin(
                Method::PUT,
                uri,
                "application/json",
                b"{\"code\": ".to_vec(),
            )
            .await;
        let problem = broken.problem(400);
        assert!(
            problem["detail"].as_str().unwrap().contains("JSON"),
            "{problem}"
        );

        let wrong_shape = app
            .admin(
                Method::PUT,
                uri,
                "application/json",
                b"{\"code\": 5}".to_vec(),
            )
            .await;
        wrong_shape.problem(422);

        let bad_code = app
            .admin(
                Method::PUT,
                uri,
                "application/json",
                br#"{"code": "has space", "name": "x"}"#.to_vec(),
            )
            .await;
        bad_code.problem(422);

        let not_json = app
            .admin(Method::PUT, uri, "text/plain", b"{}".to_vec())
            .await;
        not_json.problem(415);
    }
}

#[tokio::test]
async fn search_rebuild_reports_the_count() {
    for app in loaded_apps().await {
        let response = app.import("/api/v1/admin/search/rebuild", Vec::new()).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        assert_eq!(response.json()["indexed"], 5);
        assert_eq!(app.procedure_total().await, 5);
    }
}

#[tokio::test]
async fn successions_to_unknown_units_are_refused_or_skipped() {
    for app in loaded_apps().await {
        let links = json!([
            {"old_code": "00001", "old_level": "commune", "new_code": "00008", "new_level": "commune", "partial": true},
            {"old_code": "00099", "old_level": "commune", "new_code": "00008", "new_level": "commune", "partial": false}
        ]);
        let body = serde_json::to_vec(&links).unwrap();
        let uri = "/api/v1/admin/imports/unit-successions?format=json";
        app.import(uri, body.clone()).await.problem(409);
        let before = app.get_json("/api/v1/admin-units/00001?era=pre-2025").await;
        assert_eq!(
            before["successors"].as_array().unwrap().len(),
            1,
            "{}",
            app.backend
        );

        let skipped = app.import(&format!("{uri}&skip_unknown=true"), body).await;
        assert_eq!(skipped.status, StatusCode::OK, "{}", skipped.text());
        let counts = skipped.json();
        assert_eq!(
            (&counts["created"], &counts["skipped"]),
            (&json!(1), &json!(1)),
            "{counts}"
        );
        let after = app.get_json("/api/v1/admin-units/00001?era=pre-2025").await;
        assert_eq!(after["successors"].as_array().unwrap().len(), 2);

        let problem = app
            .import(&format!("{uri}&skip_unknown=maybe"), b"[]".to_vec())
            .await
            .problem(400);
        assert_eq!(problem["errors"][0]["parameter"], "skip_unknown");
    }
}
