//! HTML pages: languages, content, labels, security and weight.
// Helpers outside #[test] fns unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::{loaded_apps, TestApp, TestResponse};

/// The value of `name="…"` inside one tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')?;
    Some(&tag[start..start + end])
}

/// Every form control that takes input has a `<label for>` naming its id.
fn assert_every_input_is_labelled(uri: &str, html: &str) {
    let mut controls = 0;
    for opener in ["<input", "<select", "<textarea"] {
        for (i, _) in html.match_indices(opener) {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            if matches!(attribute(tag, "type"), Some("hidden" | "submit")) {
                continue;
            }
            controls += 1;
            let id =
                attribute(tag, "id").unwrap_or_else(|| panic!("{uri}: control without id: {tag}"));
            assert!(
                html.contains(&format!("<label for=\"{id}\"")),
                "{uri}: no <label for=\"{id}\">"
            );
        }
    }
    assert!(controls > 0, "{uri}: expected a form");
}

/// What every page must have.
fn assert_page_basics(uri: &str, response: &TestResponse, lang: &str) -> String {
    assert!(response.content_type().starts_with("text/html"), "{uri}");
    let html = response.text();
    assert!(html.starts_with("<!DOCTYPE html>"), "{uri}");
    assert!(
        html.contains(&format!("<html lang=\"{lang}\">")),
        "{uri}: lang {lang}"
    );
    for landmark in [
        "<header",
        "<nav",
        "<main id=\"main\"",
        "<footer",
        "href=\"#main\"",
    ] {
        assert!(html.contains(landmark), "{uri}: missing {landmark}");
    }
    // The language switch points at the other language.
    let other = if lang == "vi" { "en" } else { "vi" };
    assert!(
        html.contains(&format!("hreflang=\"{other}\"")),
        "{uri}: no language switch"
    );
    // Nothing inline: the CSP forbids it anyway.
    assert!(
        !html.contains("style=\"") && !html.contains("<script") && !html.contains("<style"),
        "{uri}"
    );
    assert!(response.header("content-security-policy").is_some());
    html
}

async fn page(app: &TestApp, uri: &str, lang: &str) -> String {
    let response = app.get(uri).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{} {uri}: {}",
        app.backend,
        response.text()
    );
    assert_page_basics(uri, &response, lang)
}

#[tokio::test]
async fn pages_render_in_vietnamese_and_english() {
    for app in loaded_apps().await {
        let home = page(&app, "/", "vi").await;
        assert!(home.contains("Tra cứu thủ tục hành chính"));
        assert!(home.contains("Hộ tịch"), "fields are listed");
        assert!(home.contains("href=\"/thu-tuc?tier=commune\""));
        assert_every_input_is_labelled("/", &home);

        let en = page(&app, "/?lang=en", "en").await;
        assert!(en.contains("Find an administrative procedure"));
        assert_every_input_is_labelled("/?lang=en", &en);
        let response = app.get("/?lang=en").await;
        assert!(response
            .header("set-cookie")
            .unwrap()
            .starts_with("lang=en"));

        let by_cookie = app.get_with("/", &[("cookie", "lang=en")]).await;
        assert_page_basics("/ (cookie)", &by_cookie, "en");
        let by_header = app
            .get_with("/", &[("accept-language", "en-US,en;q=0.9")])
            .await;
        assert_page_basics("/ (accept-language)", &by_header, "en");
        let query_wins = app
            .get_with(
                "/?lang=vi",
                &[("cookie", "lang=en"), ("accept-language", "en")],
            )
            .await;
        assert_page_basics("/?lang=vi", &query_wins, "vi");
    }
}

#[tokio::test]
async fn search_page_finds_and_filters_without_javascript() {
    for app in loaded_apps().await {
        let uri = "/thu-tuc?q=dang+ky+khai+sinh";
        let html = page(&app, uri, "vi").await;
        assert!(
            html.contains("Thủ tục đăng ký khai sinh"),
            "{}: {html}",
            app.backend
        );
        assert!(html.contains("href=\"/thu-tuc/1.001193\""));
        assert!(
            html.contains("value=\"dang ky khai sinh\""),
            "the query stays in the box"
        );
        assert_every_input_is_labelled(uri, &html);

        let en = page(&app, "/thu-tuc?q=khai+sinh&lang=en", "en").await;
        assert!(en.contains("Thủ tục đăng ký khai sinh"));
        assert!(en.contains("Fully online"));

        let filtered = page(&app, "/thu-tuc?tier=province&online_mode=full", "vi").await;
        assert!(filtered.contains("2.001417"));
        assert!(!filtered.contains("1.001193"));
        assert!(filtered.contains("<option value=\"province\" selected>"));
    }
}

#[tokio::test]
async fn search_page_has_pagination_links() {
    let app = loaded_apps().await.into_iter().next().unwrap();
    let all = page(&app, "/thu-tuc", "vi").await;
    assert!(all.contains("Tìm thấy 5 thủ tục"), "{all}");
    // 5 results fit one page of 20: no pager.
    assert!(!all.contains("rel=\"next\""));
    for code in ["1.001193", "2.000528", "1.009994", "2.001417", "1.004227"] {
        assert!(all.contains(code), "{code}");
    }
    // A page past the end still renders, with a link back.
    let past = page(&app, "/thu-tuc?page=2", "vi").await;
    assert!(past.contains("Tìm thấy 5 thủ tục"));
}

#[tokio::test]
async fn procedure_page_shows_content_fees_and_history() {
    for app in loaded_apps().await {
        let html = page(&app, "/thu-tuc/1.001193", "vi").await;
        for text in [
            "<h1>Thủ tục đăng ký khai sinh</h1>",
            "Hộ tịch",
            "Cấp xã",
            "Trực tuyến toàn trình",
            "50.000 ₫",
            "Tờ khai đăng ký khai sinh",
            "Nộp hồ sơ",
            "Giấy khai sinh",
            "Luật Hộ tịch 2014",
            "1 ngày làm việc",
            "href=\"/thu-tuc/1.001193/phien-ban/1\"",
        ] {
            assert!(html.contains(text), "{}: missing {text}", app.backend);
        }
        let en = page(&app, "/thu-tuc/1.001193?lang=en", "en").await;
        assert!(en.contains("Required documents") && en.contains("50.000 ₫"));

        // After an edit the old version stays readable under its link.
        let mut procedure = app.get_json("/api/v1/procedures/1.001193").await["procedure"].clone();
        procedure["result"] = serde_json::json!("Giấy khai sinh (bản điện tử)");
        let response = app
            .put_json("/api/v1/admin/procedures/1.001193", &procedure)
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let current = page(&app, "/thu-tuc/1.001193", "vi").await;
        assert!(current.contains("Giấy khai sinh (bản điện tử)"));
        assert!(current.contains("href=\"/thu-tuc/1.001193/phien-ban/2\""));
        let old = page(&app, "/thu-tuc/1.001193/phien-ban/1", "vi").await;
        assert!(!old.contains("bản điện tử"));
        assert!(old.contains("phiên bản hiện hành là 2"), "{old}");
    }
}

#[tokio::test]
async fn unit_pages_browse_and_look_up_old_codes() {
    for app in loaded_apps().await {
        let html = page(&app, "/don-vi-hanh-chinh", "vi").await;
        assert!(html.contains("Thành phố Hà Nội") && html.contains("Tỉnh Quảng Ninh"));
        assert!(html.contains("href=\"/don-vi-hanh-chinh?parent=01\""));
        assert_every_input_is_labelled("/don-vi-hanh-chinh", &html);

        let hanoi = page(&app, "/don-vi-hanh-chinh?parent=01", "vi").await;
        assert!(hanoi.contains("Phường Ba Đình") && hanoi.contains("Phường Ngọc Hà"));
        assert!(!hanoi.contains("Phường Sài Gòn"));
        assert_every_input_is_labelled("/don-vi-hanh-chinh?parent=01", &hanoi);

        let en = page(&app, "/don-vi-hanh-chinh?lang=en", "en").await;
        assert!(en.contains("Ha Noi City"));

        let uri = "/don-vi-hanh-chinh/tra-cuu?ma=00006";
        let lookup = page(&app, uri, "vi").await;
        assert!(
            lookup.contains("Phường Vĩnh Phúc, Quận Ba Đình, Thành phố Hà Nội"),
            "{lookup}"
        );
        assert!(lookup.contains("Phường Ba Đình, Thành phố Hà Nội"));
        assert!(lookup.contains("Phường Ngọc Hà, Thành phố Hà Nội"));
        assert!(lookup.contains("một phần địa bàn"));
        assert_every_input_is_labelled(uri, &lookup);

        let missing = app.get("/don-vi-hanh-chinh/tra-cuu?ma=12345").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(assert_page_basics("lookup 404", &missing, "vi").contains("12345"));
    }
}

#[tokio::test]
async fn error_pages_are_html_in_the_right_language() {
    let app = loaded_apps().await.into_iter().next().unwrap();
    let missing = app.get("/thu-tuc/9.999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(assert_page_basics("404", &missing, "vi").contains("Không tìm thấy trang"));

    let missing_en = app.get("/khong-co?lang=en").await;
    assert_eq!(missing_en.status, StatusCode::NOT_FOUND);
    assert!(assert_page_basics("404 en", &missing_en, "en").contains("Page not found"));

    let bad = app.get("/thu-tuc?tier=xyz").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let html = assert_page_basics("400", &bad, "vi");
    assert!(html.contains("Yêu cầu không hợp lệ") && html.contains("tier"));

    let bad_version = app.get("/thu-tuc/1.001193/phien-ban/abc").await;
    assert_eq!(bad_version.status, StatusCode::BAD_REQUEST);
    assert_page_basics("bad version", &bad_version, "vi");

    let bad_path = app.get("/thu-tuc/%FF%FE").await;
    assert_eq!(bad_path.status, StatusCode::BAD_REQUEST);
    assert_page_basics("bad path", &bad_path, "vi");

    let bad_query = app.get("/thu-tuc?q=a&q=b").await;
    assert_eq!(bad_query.status, StatusCode::BAD_REQUEST);
    assert_page_basics("bad query", &bad_query, "vi");
}

#[tokio::test]
async fn pages_are_light() {
    let app = loaded_apps().await.into_iter().next().unwrap();
    let css = app.get("/static/app.css").await.body.len();
    for uri in [
        "/",
        "/thu-tuc",
        "/thu-tuc/1.001193",
        "/don-vi-hanh-chinh?parent=01",
    ] {
        let html = app.get(uri).await.body.len();
        assert!(html + css < 30 * 1024, "{uri}: {html} + {css} bytes");
    }
}

#[tokio::test]
async fn responses_are_gzipped_for_clients_that_accept_it() {
    let app = loaded_apps().await.into_iter().next().unwrap();
    let plain = app.get("/thu-tuc/1.001193").await;
    assert_eq!(plain.header("content-encoding"), None);
    let gzipped = app
        .get_with("/thu-tuc/1.001193", &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(gzipped.status, StatusCode::OK);
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    assert!(
        gzipped.body.len() < plain.body.len(),
        "{} gzipped vs {} plain",
        gzipped.body.len(),
        plain.body.len()
    );
}
