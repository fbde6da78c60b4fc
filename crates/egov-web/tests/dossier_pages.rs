//! The dossier pages on every backend, driven like a browser without
//! JavaScript: plain forms (URL-encoded or multipart) with CSRF tokens and
//! redirects. Applying with errors shown beside the fields, the officials'
//! actions, the supplement, the signed result and its check, the public
//! lookup, and what other people may not see.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/dossiers.rs"]
mod dossiers;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::identity::{csrf_of, Browser, CITIZEN_ID, OTHER_ID};
use common::{apps, TestApp, TestResponse};
use dossiers::{
    multipart, Part, People, CITIZEN_NAME, DESK, LEADER, OUTSIDER, PDF, PNG, PROCEDURE, SPECIALIST,
};

/// The value of `name="…"` inside one tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')?;
    Some(&tag[start..start + end])
}

/// Every visible control has a `<label for>`; every error shown beside a
/// field is referenced by the field's `aria-describedby`; every link of the
/// error summary reaches an element; no inline script or style.
fn assert_accessible(uri: &str, html: &str, lang: &str) {
    assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{uri}");
    assert!(
        !html.contains("<script") && !html.contains("style=\""),
        "{uri}"
    );
    for opener in ["<input", "<select", "<textarea"] {
        for (i, _) in html.match_indices(opener) {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            if matches!(attribute(tag, "type"), Some("hidden" | "submit")) {
                continue;
            }
            let id = attribute(tag, "id").unwrap_or_else(|| panic!("{uri}: no id: {tag}"));
            assert!(
                html.contains(&format!("<label for=\"{id}\"")),
                "{uri}: no label for {id}"
            );
        }
    }
    for (i, _) in html.match_indices("class=\"field-error\" id=\"") {
        let tag = &html[i..i + html[i..].find('>').unwrap()];
        let id = attribute(tag, "id").unwrap();
        assert!(
            html.contains(&format!("aria-describedby=\"{id}\""))
                || html.contains(&format!(" {id}\""))
                || html.contains(&format!("\"{id} ")),
            "{uri}: nothing is described by {id}"
        );
    }
    if let Some(start) = html.find("class=\"error-summary\"") {
        let end = start + html[start..].find("</div>").unwrap();
        for (i, _) in html[start..end].match_indices("href=\"#") {
            let rest = &html[start + i + 7..];
            let target = &rest[..rest.find('"').unwrap()];
            assert!(
                html.contains(&format!(" id=\"{target}\"")),
                "{uri}: the summary links to #{target}, which is not on the page"
            );
        }
    }
}

/// The `Location` of a redirect.
fn location(response: &TestResponse) -> String {
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "expected a redirect: {}",
        response.text()
    );
    response.header("location").unwrap().to_owned()
}

/// The `href` of the link whose text starts with `label`.
fn href_of(html: &str, label: &str) -> String {
    let at = html
        .find(&format!(">{label}"))
        .unwrap_or_else(|| panic!("no link {label:?} in {html}"));
    let start = html[..at].rfind("href=\"").unwrap() + 6;
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_owned()
}

fn either(response: &TestResponse, what: &str) {
    assert!(
        matches!(response.status.as_u16(), 403 | 404),
        "{what}: {} {}",
        response.status,
        response.text()
    );
    assert!(
        !response.text().contains(CITIZEN_NAME),
        "{what}: the applicant's name leaked"
    );
}

/// A multipart POST from `browser` carrying its CSRF token (`None`: none).
async fn post_multipart(
    browser: &mut Browser<'_>,
    uri: &str,
    csrf: Option<&str>,
    parts: &[Part<'_>],
) -> TestResponse {
    let mut all: Vec<Part<'_>> = csrf.map(|c| Part::text("csrf", c)).into_iter().collect();
    all.extend_from_slice(parts);
    let (content_type, body) = multipart(&all);
    let request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, content_type);
    browser.request(request, Body::from(body)).await
}

/// The page at `uri` (expecting 200) and its CSRF token.
async fn page(browser: &mut Browser<'_>, uri: &str) -> (String, String) {
    let response = browser.get(uri).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{uri}: {}",
        response.text()
    );
    let html = response.text();
    let csrf = csrf_of(&html);
    (html, csrf)
}

/// The application form as typed (the child, born on `birth_date` in
/// `birth_place`; the mother's ID), sent with the button `action`.
fn typed<'a>(birth_date: &'a str, birth_place: &'a str, action: &'a str) -> Vec<Part<'a>> {
    vec![
        Part::text("f.child_name", "Nguyễn Minh Khang"),
        Part::text("f.child_birth_date", birth_date),
        Part::text("f.birth_place", birth_place),
        Part::text("f.mother_id", CITIZEN_ID),
        Part::text("action", action),
    ]
}

/// Posts an action form of the dossier page.
async fn act(browser: &mut Browser<'_>, code: &str, pairs: &[(&str, &str)]) -> TestResponse {
    let uri = format!("/ho-so/{code}/thao-tac");
    browser.submit(&format!("/ho-so/{code}"), &uri, pairs).await
}

async fn setup(app: &TestApp) -> People {
    app.dossier_setup().await
}

#[tokio::test]
async fn a_procedure_with_an_online_service_offers_to_apply() {
    for app in apps().await {
        setup(&app).await;
        let html = app.get(&format!("/thu-tuc/{PROCEDURE}")).await.text();
        assert!(
            html.contains(&format!("href=\"/nop-ho-so/{PROCEDURE}\"")),
            "{}: no apply button",
            app.backend
        );
        let other = app.get("/thu-tuc/2.000528").await.text();
        assert!(!other.contains("/nop-ho-so/"), "no service, no button");

        let start = format!("/nop-ho-so/{PROCEDURE}");
        let anonymous = app.get(&start).await;
        assert_eq!(
            location(&anonymous),
            format!("/dang-nhap?next=%2Fnop-ho-so%2F{PROCEDURE}"),
            "sign in first, then come back"
        );

        let mut citizen = app.signed_in(CITIZEN_ID).await;
        for (lang, query) in [("vi", ""), ("en", "?lang=en")] {
            let (html, _) = page(&mut citizen, &format!("{start}{query}")).await;
            assert_accessible(&start, &html, lang);
            assert!(html.contains("Giấy chứng sinh") || html.contains("Birth certificate"));
        }
        let forged = citizen.post_form(&start, &[("csrf", "forged")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let started = citizen.submit(&start, &start, &[]).await;
        assert!(location(&started).starts_with("/ho-so-nhap/"));

        let mut desk = app.signed_in(DESK).await;
        let refused = desk.submit(&start, &start, &[]).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "officials do not apply: {}",
            refused.text()
        );
    }
}

#[tokio::test]
async fn applying_without_javascript_shows_errors_beside_the_fields_and_keeps_values() {
    for app in apps().await {
        setup(&app).await;
        let mut citizen = app.signed_in(CITIZEN_ID).await;
        let start = format!("/nop-ho-so/{PROCEDURE}");
        let draft = location(&citizen.submit(&start, &start, &[]).await);

        let (html, csrf) = page(&mut citizen, &draft).await;
        assert_accessible(&draft, &html, "vi");
        assert!(html.contains("enctype=\"multipart/form-data\""));
        assert!(
            html.contains(&format!("value=\"{CITIZEN_ID}\"")),
            "the mother's ID is pre-filled from the account"
        );
        assert!(html.contains("name=\"file.birth_certificate\""));
        let (english, _) = page(&mut citizen, &format!("{draft}?lang=en")).await;
        assert_accessible(&draft, &english, "en");
        assert!(english.contains("Date of birth"), "{english}");
        page(&mut citizen, &format!("{draft}?lang=vi")).await;

        let forged = post_multipart(
            &mut citizen,
            &draft,
            Some("forged"),
            &[Part::text("action", "save")],
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "CSRF is checked");
        let missing =
            post_multipart(&mut citizen, &draft, None, &[Part::text("action", "save")]).await;
        assert_eq!(missing.status, StatusCode::FORBIDDEN, "CSRF is required");

        let bad = typed("2999-01-01", "99999", "submit");
        let refused = post_multipart(&mut citizen, &draft, Some(&csrf), &bad).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {}",
            app.backend,
            refused.text()
        );
        let html = refused.text();
        assert_accessible(&draft, &html, "vi");
        assert!(html.contains("class=\"error-summary\""));
        for id in [
            "f-child_birth_date",
            "f-birth_place",
            "file-birth_certificate",
        ] {
            assert!(
                html.contains(&format!("href=\"#{id}\"")),
                "the summary links to {id}"
            );
            assert!(
                html.contains(&format!("id=\"{id}-error\"")),
                "an error beside {id}"
            );
        }
        assert!(html.contains("aria-describedby=\"f-birth_place-hint f-birth_place-error\""));
        assert!(
            html.contains("value=\"Nguyễn Minh Khang\""),
            "what was typed stays"
        );
        assert!(
            html.contains("Nơi sinh: không có đơn vị hành chính hiện hành với mã này."),
            "messages are in the page's language: {html}"
        );

        let liar = [
            Part::text("f.child_name", "Nguyễn Minh Khang"),
            Part::text("action", "upload"),
            Part::file("file.birth_certificate", "anh.pdf", "application/pdf", PNG),
        ];
        let refused = post_multipart(&mut citizen, &draft, Some(&csrf), &liar).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused
            .text()
            .contains("id=\"file-birth_certificate-error\""));

        let mut good = typed("2025-10-02", "00004", "upload");
        good.push(Part::file(
            "file.birth_certificate",
            "Giấy chứng sinh.pdf",
            "application/pdf",
            PDF,
        ));
        let uploaded = post_multipart(&mut citizen, &draft, Some(&csrf), &good).await;
        assert!(location(&uploaded).starts_with(&format!("{draft}?done=uploaded")));
        let (html, _) = page(&mut citizen, &format!("{draft}?done=uploaded")).await;
        assert!(html.contains("Giấy chứng sinh.pdf"), "the file is listed");
        assert!(html.contains("name=\"remove\""), "with a remove button");
        assert!(html.contains("value=\"00004\""), "values were saved");

        let filled = typed("2025-10-02", "00004", "submit");
        let submitted = post_multipart(&mut citizen, &draft, Some(&csrf), &filled).await;
        let done = location(&submitted);
        let code = done
            .strip_prefix("/ho-so/")
            .and_then(|rest| rest.strip_suffix("/da-nop"))
            .unwrap_or_else(|| panic!("not a confirmation: {done}"))
            .to_owned();
        let (html, _) = page(&mut citizen, &done).await;
        assert!(html.contains(&code), "the confirmation shows the code");
        let (mine, _) = page(&mut citizen, "/ho-so").await;
        assert!(mine.contains(&code), "my dossiers list it");
        assert!(
            citizen.get(&draft).await.status == StatusCode::NOT_FOUND,
            "the draft became the dossier"
        );
        let (html, _) = page(&mut citizen, &format!("/ho-so/{code}")).await;
        assert_accessible("/ho-so/{code}", &html, "vi");
        assert!(html.contains("Nguyễn Minh Khang"));
        assert!(
            html.contains("mã trạng thái 1"),
            "status with its national code"
        );
    }
}

#[tokio::test]
async fn other_people_cannot_see_or_act_on_a_dossier() {
    for app in apps().await {
        let people = setup(&app).await;
        let code = app.submitted(&people.citizen).await;
        let draft = app.ready_draft(&people.citizen).await;

        let anonymous = app.get(&format!("/ho-so/{code}")).await;
        assert!(location(&anonymous).starts_with("/dang-nhap?next="));

        let mut citizen = app.signed_in(CITIZEN_ID).await;
        let (html, _) = page(&mut citizen, &format!("/ho-so/{code}")).await;
        let attachment = href_of(&html, "Giấy chứng sinh.pdf");
        assert!(attachment.starts_with("/ho-so/tep/"), "{attachment}");
        let file = citizen.get(&attachment).await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.body, PDF);

        let mut other = app.signed_in(OTHER_ID).await;
        for uri in [
            format!("/ho-so/{code}"),
            format!("/ho-so/{code}/da-nop"),
            format!("/ho-so/{code}/rut-ho-so"),
            format!("/ho-so-nhap/{draft}"),
            attachment.clone(),
        ] {
            either(&other.get(&uri).await, &uri);
        }
        let (_, csrf) = page(&mut other, "/ho-so").await;
        let message = other
            .post_form(
                &format!("/ho-so/{code}/thao-tac"),
                &[("csrf", &csrf), ("action", "withdraw"), ("reason", "x")],
            )
            .await;
        either(&message, "withdraw someone else's dossier");
        let saved = post_multipart(
            &mut other,
            &format!("/ho-so-nhap/{draft}"),
            Some(&csrf),
            &[
                Part::text("f.child_name", "X"),
                Part::text("action", "save"),
            ],
        )
        .await;
        either(&saved, "save someone else's draft");

        let mut outsider = app.signed_in(OUTSIDER).await;
        either(
            &outsider.get(&format!("/ho-so/{code}")).await,
            "an official of another agency",
        );
        let inbox = outsider.get("/hop-ho-so?all=1").await;
        assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.text());
        assert!(
            !inbox.text().contains(&code),
            "not in another agency's inbox"
        );
    }
}

#[tokio::test]
async fn officials_process_a_dossier_through_the_pages_and_the_citizen_follows() {
    for app in apps().await {
        let people = setup(&app).await;
        let code = app.submitted(&people.citizen).await;
        let dossier = format!("/ho-so/{code}");

        // The desk finds it in the inbox and accepts it.
        let mut desk = app.signed_in(DESK).await;
        let (inbox, _) = page(&mut desk, "/hop-ho-so").await;
        assert_accessible("/hop-ho-so", &inbox, "vi");
        assert!(inbox.contains(&code), "{}: {inbox}", app.backend);
        let (html, _) = page(&mut desk, &dossier).await;
        assert_accessible(&dossier, &html, "vi");
        assert!(html.contains("name=\"action\" value=\"accept\""));
        assert!(
            !html.contains("value=\"approve\""),
            "only the allowed actions are offered"
        );
        let forged = desk
            .post_form(
                &format!("{dossier}/thao-tac"),
                &[("csrf", "forged"), ("action", "accept")],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let accepted = act(&mut desk, &code, &[("action", "accept")]).await;
        assert_eq!(location(&accepted), format!("{dossier}?done=accept"));
        let (html, _) = page(&mut desk, &format!("{dossier}?done=accept")).await;
        assert!(html.contains("class=\"ok\""), "the done notice");
        let receipt = href_of(&html, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả");
        let slip = desk.get(&receipt).await;
        assert_eq!(slip.status, StatusCode::OK);
        assert_eq!(slip.content_type(), "application/pdf");
        assert!(slip.body.starts_with(b"%PDF"));
        let control = desk.get(&format!("{dossier}/phieu/control-slip")).await;
        assert_eq!(control.status, StatusCode::OK, "{}", control.text());
        assert!(control.body.starts_with(b"%PDF"));

        // The desk gives it to the specialist, picked from a list.
        assert!(html.contains("id=\"assign-specialist\""));
        assert!(html.contains(&format!("value=\"{}\"", people.specialist.id.0)));
        let assigned = act(
            &mut desk,
            &code,
            &[
                ("action", "assign"),
                ("specialist", &people.specialist.id.0),
            ],
        )
        .await;
        location(&assigned);

        // The specialist asks for more: a reason is needed.
        let mut specialist = app.signed_in(SPECIALIST).await;
        let empty = act(
            &mut specialist,
            &code,
            &[("action", "request-supplement"), ("reason", " ")],
        )
        .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = empty.text();
        assert_accessible(&dossier, &html, "vi");
        assert!(html.contains("href=\"#request-supplement-reason\""));
        assert!(html.contains("id=\"request-supplement-reason-error\""));
        let asked = act(
            &mut specialist,
            &code,
            &[
                ("action", "request-supplement"),
                ("reason", "Giấy chứng sinh bị mờ, xin nộp lại bản rõ."),
            ],
        )
        .await;
        location(&asked);

        // The citizen supplies a clearer copy.
        let mut citizen = app.signed_in(CITIZEN_ID).await;
        let (html, csrf) = page(&mut citizen, &dossier).await;
        assert_accessible(&dossier, &html, "vi");
        assert!(
            html.contains("Giấy chứng sinh bị mờ"),
            "the reason is shown"
        );
        assert!(html.contains(&format!("action=\"{dossier}/bo-sung\"")));
        let sent = post_multipart(
            &mut citizen,
            &format!("{dossier}/bo-sung"),
            Some(&csrf),
            &[
                Part::text("note", "Đã nộp bản rõ."),
                Part::text("action", "send"),
                Part::file(
                    "file.birth_certificate",
                    "ban-ro.pdf",
                    "application/pdf",
                    PDF,
                ),
            ],
        )
        .await;
        assert_eq!(location(&sent), format!("{dossier}?done=supplement"));

        // Propose, approve, return.
        location(
            &act(
                &mut specialist,
                &code,
                &[("action", "propose"), ("note", "Đủ điều kiện.")],
            )
            .await,
        );
        let mut leader = app.signed_in(LEADER).await;
        location(&act(&mut leader, &code, &[("action", "approve")]).await);
        location(&act(&mut desk, &code, &[("action", "return-result")]).await);

        // The citizen downloads the signed result and checks it.
        let (html, _) = page(&mut citizen, &dossier).await;
        assert!(html.contains("mã trạng thái 10"), "result returned");
        let result = citizen
            .get(&href_of(&html, "Kết quả giải quyết (PDF)"))
            .await;
        let signature = citizen
            .get(&href_of(&html, "Chữ ký số của kết quả (.p7s)"))
            .await;
        assert_eq!(result.status, StatusCode::OK);
        assert_eq!(signature.status, StatusCode::OK);
        let (verify, csrf) = page(&mut citizen, "/kiem-tra-chu-ky").await;
        assert_accessible("/kiem-tra-chu-ky", &verify, "vi");
        let checked = post_multipart(
            &mut citizen,
            "/kiem-tra-chu-ky",
            Some(&csrf),
            &dossiers::signature_parts(&result.body, &signature.body),
        )
        .await;
        assert_eq!(checked.status, StatusCode::OK, "{}", checked.text());
        assert!(
            checked.text().contains("Chữ ký hợp lệ"),
            "{}",
            checked.text()
        );
        let mut tampered = result.body.clone();
        tampered.extend_from_slice(b"\n% changed\n");
        let checked = post_multipart(
            &mut citizen,
            "/kiem-tra-chu-ky",
            Some(&csrf),
            &dossiers::signature_parts(&tampered, &signature.body),
        )
        .await;
        assert!(
            checked.text().contains("Chữ ký không hợp lệ"),
            "{}",
            checked.text()
        );

        // And rates the service.
        let wrong = act(&mut citizen, &code, &[("action", "rate"), ("rating", "9")]).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.text().contains("href=\"#rate-rating-1\""));
        let rated = act(&mut citizen, &code, &[("action", "rate"), ("rating", "5")]).await;
        location(&rated);
        let (html, _) = page(&mut citizen, &dossier).await;
        assert!(html.contains("5 – Rất hài lòng"));

        // Notifications list what happened.
        let (html, _) = page(&mut citizen, "/thong-bao").await;
        assert!(html.contains(&code), "{html}");
        let read = citizen.submit("/thong-bao", "/thong-bao/da-doc", &[]).await;
        assert_eq!(location(&read), "/thong-bao?done=read");

        // Anyone can look the status up, without personal data.
        let lookup = app.get(&format!("/tra-cuu/{code}")).await;
        assert_eq!(lookup.status, StatusCode::OK);
        let text = lookup.text();
        assert_accessible("/tra-cuu/{code}", &text, "vi");
        assert!(text.contains("Đã trả kết quả"));
        assert!(!text.contains(CITIZEN_NAME) && !text.contains(CITIZEN_ID));
    }
}

#[tokio::test]
async fn the_public_lookup_and_the_signature_check_work_signed_out() {
    for app in apps().await {
        let people = setup(&app).await;
        let code = app.submitted(&people.citizen).await;
        let form = app.get("/tra-cuu").await;
        assert_eq!(form.status, StatusCode::OK);
        assert_accessible("/tra-cuu", &form.text(), "vi");
        let found = app.get(&format!("/tra-cuu?ma={code}")).await;
        assert_eq!(location(&found), format!("/tra-cuu/{code}"));
        let bad = app.get("/tra-cuu?ma=khong-phai-ma").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("id=\"ma-error\""));
        let unknown = app.get("/tra-cuu/000.01.00.H26-250101-9999").await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        let english = app.get(&format!("/tra-cuu/{code}?lang=en")).await;
        assert!(
            english.text().contains("status code 1"),
            "{}",
            english.text()
        );

        let mut visitor = app.browser();
        let (html, csrf) = page(&mut visitor, "/kiem-tra-chu-ky").await;
        assert_accessible("/kiem-tra-chu-ky", &html, "vi");
        let forged = post_multipart(&mut visitor, "/kiem-tra-chu-ky", Some("forged"), &[]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let empty = post_multipart(&mut visitor, "/kiem-tra-chu-ky", Some(&csrf), &[]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = empty.text();
        assert_accessible("/kiem-tra-chu-ky", &html, "vi");
        assert!(html.contains("href=\"#document\"") && html.contains("href=\"#signature\""));
        let root = app.get("/kiem-tra-chu-ky/chung-thu-goc.pem").await;
        assert_eq!(root.status, StatusCode::OK);
        assert!(root.text().contains("BEGIN CERTIFICATE"));
    }
}

#[tokio::test]
async fn withdrawing_asks_for_confirmation() {
    for app in apps().await {
        let people = setup(&app).await;
        let code = app.submitted(&people.citizen).await;
        let dossier = format!("/ho-so/{code}");
        let mut citizen = app.signed_in(CITIZEN_ID).await;
        let (html, _) = page(&mut citizen, &dossier).await;
        let confirm = format!("{dossier}/rut-ho-so");
        assert!(html.contains(&format!("href=\"{confirm}\"")));
        let (html, _) = page(&mut citizen, &confirm).await;
        assert_accessible(&confirm, &html, "vi");
        let done = citizen
            .submit(
                &confirm,
                &format!("{dossier}/thao-tac"),
                &[("action", "withdraw"), ("reason", "Nộp nhầm thủ tục.")],
            )
            .await;
        assert_eq!(location(&done), format!("{dossier}?done=withdraw"));
        let (html, _) = page(&mut citizen, &dossier).await;
        assert!(html.contains("mã trạng thái 7"), "withdrawn");
        assert!(!html.contains(&confirm), "nothing left to withdraw");
        let again = citizen.get(&confirm).await;
        assert_eq!(location(&again), dossier);
    }
}
