//! The JSON API, through the router, on every backend.
// Helpers outside #[test] fns unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::loaded_apps;
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
async fn unaccented_search_finds_the_accented_name() {
    for app in loaded_apps().await {
        let page = app
            .get_json("/api/v1/procedures?q=giay+phep+xay+dung")
            .await;
        assert_eq!(
            codes(&page).first().map(String::as_str),
            Some("1.009994"),
            "{}: {page}",
            app.backend
        );
        let hit = &page["items"][0];
        assert_eq!(
            hit["name"],
            "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
        );
        assert_eq!(hit["field"], "Hoạt động xây dựng");
        assert_eq!(hit["tiers"], json!(["province"]));
        assert_eq!(hit["online_mode"], "partial");
        assert!(hit["score"].as_f64().unwrap() > 0.0);
        assert!(hit["implementing_agencies"].is_array());

        let page = app.get_json("/api/v1/procedures?q=khai%20sinh").await;
        assert_eq!(codes(&page)[0], "1.001193", "{}", app.backend);
    }
}

#[tokio::test]
async fn filters_narrow_the_results() {
    for app in loaded_apps().await {
        let total = |page: &Value| page["total"].as_u64().unwrap();
        let all = app.get_json("/api/v1/procedures").await;
        assert_eq!(total(&all), 5, "{}", app.backend);

        let civil = app
            .get_json("/api/v1/procedures?field=H%E1%BB%99%20t%E1%BB%8Bch")
            .await;
        let mut got = codes(&civil);
        got.sort();
        assert_eq!(got, vec!["1.001193", "2.000528"], "{}", app.backend);

        let province = app.get_json("/api/v1/procedures?tier=province").await;
        assert_eq!(total(&province), 3, "{}", app.backend);

        let full = app
            .get_json("/api/v1/procedures?online_mode=full&tier=commune")
            .await;
        let mut got = codes(&full);
        got.sort();
        assert_eq!(got, vec!["1.001193", "2.000528"]);

        let offline = app
            .get_json("/api/v1/procedures?online_mode=not-online")
            .await;
        assert_eq!(codes(&offline), vec!["1.004227"]);

        let by_agency = app
            .get_json("/api/v1/procedures?agency=000.01.00.H26")
            .await;
        assert_eq!(codes(&by_agency), vec!["2.001417"], "{}", app.backend);

        // In a commune of Hà Nội every fixture procedure is available.
        let here = app.get_json("/api/v1/procedures?unit=00004").await;
        assert_eq!(total(&here), 5, "{}: {here}", app.backend);

        let nowhere = app.get("/api/v1/procedures?unit=99999").await;
        nowhere.problem(404);
    }
}

#[tokio::test]
async fn pages_cover_every_result_once() {
    for app in loaded_apps().await {
        let mut seen = Vec::new();
        for page in 1..=3 {
            let body = app
                .get_json(&format!("/api/v1/procedures?per_page=2&page={page}"))
                .await;
            assert_eq!(body["total"], 5);
            assert_eq!(body["page"], page);
            assert_eq!(body["per_page"], 2);
            let got = codes(&body);
            assert_eq!(
                got.len(),
                if page < 3 { 2 } else { 1 },
                "{}: page {page}",
                app.backend
            );
            seen.extend(got);
        }
        let beyond = app.get_json("/api/v1/procedures?per_page=2&page=4").await;
        assert!(codes(&beyond).is_empty());
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 5, "{}: {seen:?}", app.backend);
    }
}

#[tokio::test]
async fn procedure_and_its_versions() {
    for app in loaded_apps().await {
        let current = app.get_json("/api/v1/procedures/1.001193").await;
        assert_eq!(current["version"], 1);
        assert!(current["recorded_at"].is_string());
        assert_eq!(current["procedure"]["name"], "Thủ tục đăng ký khai sinh");
        assert_eq!(
            current["procedure"]["channels"][0]["fees"][0]["amount"],
            50000
        );

        let history = app.get_json("/api/v1/procedures/1.001193/versions").await;
        assert_eq!(history["code"], "1.001193");
        assert_eq!(history["versions"].as_array().unwrap().len(), 1);

        let v1 = app.get_json("/api/v1/procedures/1.001193/versions/1").await;
        assert_eq!(v1["procedure"], current["procedure"]);
    }
}

#[tokio::test]
async fn unknown_things_are_404_problems() {
    for app in loaded_apps().await {
        for uri in [
            "/api/v1/procedures/9.999999",
            "/api/v1/procedures/9.999999/versions",
            "/api/v1/procedures/1.001193/versions/7",
            "/api/v1/admin-units/99999",
            "/api/v1/admin-units/00001",
            "/api/v1/admin-units?parent=98",
            "/api/v1/agencies/000.00.00.X99",
            "/api/v1/no-such-endpoint",
            "/api/nothing",
        ] {
            let response = app.get(uri).await;
            let problem = response.problem(404);
            assert_eq!(problem["instance"], uri.split('?').next().unwrap(), "{uri}");
        }
    }
}

#[tokio::test]
async fn every_bad_parameter_is_a_400_naming_it() {
    let long = "a".repeat(201);
    let cases = [
        ("/api/v1/procedures?tier=xyz".to_owned(), "tier"),
        (
            "/api/v1/procedures?online_mode=sometimes".to_owned(),
            "online_mode",
        ),
        ("/api/v1/procedures?page=0".to_owned(), "page"),
        ("/api/v1/procedures?page=two".to_owned(), "page"),
        ("/api/v1/procedures?page=1001".to_owned(), "page"),
        ("/api/v1/procedures?per_page=101".to_owned(), "per_page"),
        ("/api/v1/procedures?per_page=-1".to_owned(), "per_page"),
        (format!("/api/v1/procedures?q={long}"), "q"),
        (format!("/api/v1/procedures?field={long}"), "field"),
        ("/api/v1/procedures?colour=red".to_owned(), "colour"),
        ("/api/v1/procedures?q=a&q=b".to_owned(), "q"),
        ("/api/v1/procedures/not%20a%20code".to_owned(), "code"),
        (
            "/api/v1/procedures/1.001193/versions/abc".to_owned(),
            "version",
        ),
        (
            "/api/v1/procedures/1.001193/versions/0".to_owned(),
            "version",
        ),
        ("/api/v1/admin-units?era=1990".to_owned(), "era"),
        ("/api/v1/admin-units?level=hamlet".to_owned(), "level"),
        ("/api/v1/admin-units?per_page=1000".to_owned(), "per_page"),
        ("/api/v1/admin-units?sort=name".to_owned(), "sort"),
        ("/api/v1/admin-units/01?era=future".to_owned(), "era"),
        ("/api/v1/admin-units/01?lang=en".to_owned(), "lang"),
        ("/api/v1/agencies?kind=club".to_owned(), "kind"),
        ("/api/v1/agencies?page=x".to_owned(), "page"),
        (format!("/api/v1/agencies?q={long}"), "q"),
    ];
    for app in loaded_apps().await {
        for (uri, parameter) in &cases {
            let problem = app.get(uri).await.problem(400);
            assert_eq!(
                problem["errors"][0]["parameter"], *parameter,
                "{uri}: {problem}"
            );
            assert!(
                problem["detail"].as_str().unwrap().contains(parameter),
                "{uri}: {problem}"
            );
        }
    }
}

#[tokio::test]
async fn admin_units_of_both_eras() {
    for app in loaded_apps().await {
        let provinces = app.get_json("/api/v1/admin-units").await;
        assert_eq!(provinces["total"], 3, "{}: {provinces}", app.backend);
        assert!(provinces["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["level"] == "province"));

        let hanoi = app.get_json("/api/v1/admin-units?parent=01").await;
        let mut got = codes(&hanoi);
        got.sort();
        assert_eq!(got, vec!["00004", "00008"]);

        let named = app
            .get_json("/api/v1/admin-units?parent=01&q=ngoc+ha")
            .await;
        assert_eq!(codes(&named), vec!["00008"], "{}", app.backend);

        let communes = app.get_json("/api/v1/admin-units?level=commune").await;
        assert_eq!(communes["total"], 3);

        let old = app.get_json("/api/v1/admin-units?era=pre-2025").await;
        assert_eq!(codes(&old), vec!["01"]);

        let split = app.get_json("/api/v1/admin-units/00006?era=pre-2025").await;
        assert_eq!(split["unit"]["full_name"], "Phường Vĩnh Phúc");
        let parents: Vec<&str> = split["parents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["code"].as_str().unwrap())
            .collect();
        assert_eq!(parents, vec!["001", "01"]);
        let successors = split["successors"].as_array().unwrap();
        assert_eq!(successors.len(), 2, "{split}");
        assert!(successors.iter().all(|s| s["partial"] == true));
        assert!(split.get("predecessors").is_none());

        let today = app.get_json("/api/v1/admin-units/00004").await;
        assert_eq!(today["parents"][0]["code"], "01");
        let mut before: Vec<&str> = today["predecessors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["unit"]["code"].as_str().unwrap())
            .collect();
        before.sort();
        assert_eq!(before, vec!["00001", "00004", "00006"], "{}", app.backend);
    }
}

#[tokio::test]
async fn agencies_are_listed_and_filtered() {
    for app in loaded_apps().await {
        let all = app.get_json("/api/v1/agencies").await;
        assert_eq!(all["total"], 5);
        let departments = app.get_json("/api/v1/agencies?kind=department").await;
        assert_eq!(departments["total"], 2);
        let under = app.get_json("/api/v1/agencies?parent=000.00.00.H26").await;
        assert_eq!(under["total"], 3);
        let in_ward = app.get_json("/api/v1/agencies?unit=00004").await;
        assert_eq!(codes(&in_ward), vec!["000.00.04.H26"]);
        let named = app.get_json("/api/v1/agencies?q=so+tu+phap").await;
        assert_eq!(codes(&named), vec!["000.01.00.H26"], "{}", app.backend);
        let one = app.get_json("/api/v1/agencies/000.00.00.G12").await;
        assert_eq!(one["name"], "Bộ Tư pháp");
    }
}
