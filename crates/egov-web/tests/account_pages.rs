//! The account pages: registration and verification, the account page,
//! sessions, password reset, the second factor, officials administration;
//! labels, error summaries and languages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::identity::{csrf_of, CITIZEN_ID, JUSTICE_DEPT, PASSWORD};
use common::{apps, loaded_apps};
use egov_domain::identity::Role;

/// The value of `name="…"` inside one tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')?;
    Some(&tag[start..start + end])
}

/// Every visible control has a `<label for>`; the page is HTML in `lang`,
/// without inline script or style.
fn assert_accessible(uri: &str, html: &str, lang: &str) {
    assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{uri}");
    assert!(
        !html.contains("<script") && !html.contains("style=\""),
        "{uri}"
    );
    let mut controls = 0;
    for opener in ["<input", "<select", "<textarea"] {
        for (i, _) in html.match_indices(opener) {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            if matches!(attribute(tag, "type"), Some("hidden" | "submit")) {
                continue;
            }
            controls += 1;
            let id = attribute(tag, "id").unwrap_or_else(|| panic!("{uri}: no id: {tag}"));
            assert!(
                html.contains(&format!("<label for=\"{id}\"")),
                "{uri}: no label for {id}"
            );
        }
    }
    assert!(controls > 0, "{uri}: no form");
}

#[tokio::test]
async fn signed_out_pages_are_labelled_in_both_languages() {
    for app in apps().await {
        for uri in [
            "/dang-nhap",
            "/dang-ky",
            "/dang-ky?loai=to-chuc",
            "/quen-mat-khau",
            "/dat-lai-mat-khau",
        ] {
            for (lang, accept) in [("vi", "vi"), ("en", "en")] {
                let response = app.get_with(uri, &[("accept-language", accept)]).await;
                assert_eq!(response.status, StatusCode::OK, "{uri}");
                assert_accessible(uri, &response.text(), lang);
            }
        }
        let html = app.get("/dang-ky").await.text();
        for autocomplete in ["name", "bday", "email", "tel", "new-password"] {
            assert!(
                html.contains(&format!("autocomplete=\"{autocomplete}\"")),
                "{autocomplete}"
            );
        }
        assert!(app
            .get("/dang-ky?loai=to-chuc")
            .await
            .text()
            .contains("name=\"tax_code\""));
    }
}

#[tokio::test]
async fn registering_signs_in_and_codes_verify_the_contacts() {
    for app in apps().await {
        let mut browser = app.browser();
        let mut fields = vec![
            ("kind", "citizen"),
            ("national_id", "123"),
            ("full_name", "Nguyễn Văn An"),
            ("date_of_birth", "2003-05-14"),
            ("sex", "male"),
            ("email", "an@example.vn"),
            ("phone", "0912345678"),
            ("password", PASSWORD),
        ];
        let refused = browser.submit("/dang-ky", "/dang-ky", &fields).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.text()
        );
        let html = refused.text();
        assert!(html.contains("class=\"error-summary\""));
        assert!(
            html.contains("href=\"#national_id\""),
            "the summary links to the field"
        );
        assert!(
            html.contains("value=\"Nguyễn Văn An\""),
            "what was typed stays"
        );
        assert!(!html.contains(PASSWORD), "passwords are never sent back");
        fields[1] = ("national_id", CITIZEN_ID);
        let done = browser.submit("/dang-ky", "/dang-ky", &fields).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
        assert_eq!(done.header("location"), Some("/xac-minh?done=registered"));
        let verify = browser.get("/xac-minh?done=registered").await;
        assert_eq!(verify.status, StatusCode::OK);
        assert_accessible("/xac-minh", &verify.text(), "vi");
        let wrong = browser
            .submit(
                "/xac-minh",
                "/xac-minh",
                &[("purpose", "verify-email"), ("code", "000000")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.text().contains("href=\"#verify-email-code\""));
        let code = app.code_sent_to("an@example.vn").await;
        let right = browser
            .submit(
                "/xac-minh",
                "/xac-minh",
                &[("purpose", "verify-email"), ("code", &code)],
            )
            .await;
        assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.text());
        let account = browser.get("/tai-khoan").await.text();
        assert!(account.contains("an@example.vn (đã xác minh)"), "{account}");
    }
}

#[tokio::test]
async fn the_account_page_changes_name_and_password() {
    for app in apps().await {
        app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let mut browser = app.signed_in(CITIZEN_ID).await;
        let page = browser.get("/tai-khoan").await;
        assert_accessible("/tai-khoan", &page.text(), "vi");
        let renamed = browser
            .submit(
                "/tai-khoan",
                "/tai-khoan/ho-ten",
                &[("full_name", "Nguyễn Văn Bình")],
            )
            .await;
        assert_eq!(renamed.status, StatusCode::SEE_OTHER);
        assert!(browser
            .get("/tai-khoan?done=name")
            .await
            .text()
            .contains("Nguyễn Văn Bình"));
        let mut other = app.signed_in(CITIZEN_ID).await;
        let wrong = browser
            .submit(
                "/tai-khoan",
                "/tai-khoan/mat-khau",
                &[
                    ("current_password", "not it at all"),
                    ("new_password", "a brand new secret"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.text().contains("href=\"#current_password\""));
        let changed = browser
            .submit(
                "/tai-khoan",
                "/tai-khoan/mat-khau",
                &[
                    ("current_password", PASSWORD),
                    ("new_password", "a brand new secret"),
                ],
            )
            .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text());
        // This session stays; the other one ended.
        assert_eq!(browser.get("/tai-khoan").await.status, StatusCode::OK);
        assert_eq!(other.get("/tai-khoan").await.status, StatusCode::SEE_OTHER);
        let mut fresh = app.browser();
        let again = fresh.sign_in(CITIZEN_ID, "a brand new secret").await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn sessions_are_listed_and_can_be_ended() {
    for app in apps().await {
        app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let mut first = app.signed_in(CITIZEN_ID).await;
        let mut second = app.signed_in(CITIZEN_ID).await;
        let mut third = app.signed_in(CITIZEN_ID).await;
        let list = first.get("/tai-khoan/phien").await;
        assert_eq!(list.status, StatusCode::OK);
        let html = list.text();
        assert_eq!(html.matches("name=\"session\"").count(), 3, "{html}");
        // End another session: pick one that is not this browser's.
        let rows: Vec<&str> = html.split("<tr>").skip(2).collect();
        let other_row = rows.iter().find(|r| !r.contains("<strong>")).unwrap();
        let marker = "name=\"session\" value=\"";
        let start = other_row.find(marker).unwrap() + marker.len();
        let id = &other_row[start..start + 64];
        let csrf = csrf_of(&html);
        let revoked = first
            .post_form(
                "/tai-khoan/phien/thu-hoi",
                &[("csrf", &csrf), ("session", id)],
            )
            .await;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER);
        let alive = [&mut second, &mut third];
        let mut statuses = Vec::new();
        for b in alive {
            statuses.push(b.get("/tai-khoan").await.status);
        }
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1);
        // Everywhere: this one too.
        let out = first
            .submit("/tai-khoan/phien", "/tai-khoan/phien/dang-xuat-tat-ca", &[])
            .await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        for b in [&mut first, &mut second, &mut third] {
            assert_eq!(b.get("/tai-khoan").await.status, StatusCode::SEE_OTHER);
        }
    }
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_a_code() {
    for app in apps().await {
        app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let mut browser = app.browser();
        let sent = browser
            .submit("/quen-mat-khau", "/quen-mat-khau", &[("login", CITIZEN_ID)])
            .await;
        assert_eq!(sent.status, StatusCode::OK);
        // An unknown login gets the same page.
        let unknown = browser
            .submit(
                "/quen-mat-khau",
                "/quen-mat-khau",
                &[("login", "001199000001")],
            )
            .await;
        assert_eq!(
            sent.text().replace(CITIZEN_ID, "X"),
            unknown.text().replace("001199000001", "X")
        );
        let code = app.code_sent_to(&format!("{CITIZEN_ID}@example.vn")).await;
        let fields = [
            ("login", CITIZEN_ID),
            ("code", code.as_str()),
            ("password", "a brand new secret"),
        ];
        let reset = browser
            .submit("/dat-lai-mat-khau", "/dat-lai-mat-khau", &fields)
            .await;
        assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.text());
        assert_eq!(reset.header("location"), Some("/dang-nhap?done=reset"));
        assert_eq!(
            browser
                .sign_in(CITIZEN_ID, "a brand new secret")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
}

#[tokio::test]
async fn officials_set_up_a_second_factor_and_then_need_it() {
    for app in loaded_apps().await {
        let email = "lanhdao@tuphap.hanoi.example";
        app.official(email, "Hoàng Văn Nam", &[(JUSTICE_DEPT, Role::Leader)])
            .await;
        let mut browser = app.signed_in(email).await;
        let page = browser.get("/tai-khoan/xac-thuc-hai-buoc").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        let marker = "name=\"secret\" value=\"";
        let start = html.find(marker).unwrap() + marker.len();
        let secret = html[start..start + html[start..].find('"').unwrap()].to_owned();
        assert!(html.contains(&secret[..4]), "the secret is shown as text");
        let totp = totp_rs::TOTP::new(
            totp_rs::Algorithm::SHA1,
            6,
            1,
            30,
            totp_rs::Secret::Encoded(secret.clone()).to_bytes().unwrap(),
        )
        .unwrap();
        let csrf = csrf_of(&html);
        let wrong = browser
            .post_form(
                "/tai-khoan/xac-thuc-hai-buoc",
                &[("csrf", &csrf), ("secret", &secret), ("code", "12345")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let code = totp.generate_current().unwrap();
        let on = browser
            .post_form(
                "/tai-khoan/xac-thuc-hai-buoc",
                &[("csrf", &csrf), ("secret", &secret), ("code", &code)],
            )
            .await;
        assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.text());
        // Signing in now asks for the code, in a field named totp.
        let mut later = app.browser();
        let asked = later.sign_in(email, PASSWORD).await;
        assert_eq!(asked.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = asked.text();
        assert!(html.contains("name=\"totp\""), "{html}");
        let csrf = csrf_of(&html);
        // The enrolment code is spent (a code counts once): the app's next one.
        let reused = later
            .post_form(
                "/dang-nhap",
                &[
                    ("csrf", &csrf),
                    ("login", email),
                    ("password", PASSWORD),
                    ("totp", &code),
                ],
            )
            .await;
        assert_ne!(
            reused.status,
            StatusCode::SEE_OTHER,
            "a spent code signed in"
        );
        let csrf = csrf_of(&reused.text());
        let next_step = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 30;
        let code = totp.generate(next_step);
        let done = later
            .post_form(
                "/dang-nhap",
                &[
                    ("csrf", &csrf),
                    ("login", email),
                    ("password", PASSWORD),
                    ("totp", &code),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    }
}

#[tokio::test]
async fn the_officials_page_offers_only_what_the_policy_allows() {
    for app in loaded_apps().await {
        let admin = "quantri@tuphap.hanoi.example";
        app.official(admin, "Vũ Thị Lan", &[(JUSTICE_DEPT, Role::AgencyAdmin)])
            .await;
        let mut browser = app.signed_in(admin).await;
        let page = browser.get("/quan-tri/can-bo").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        assert_accessible("/quan-tri/can-bo", &html, "vi");
        assert!(html.contains("Vũ Thị Lan"));
        assert!(html.contains("id=\"new-role-leader\""));
        assert!(
            !html.contains("id=\"new-role-system-admin\""),
            "not the admin's to give"
        );
        let fields = [
            ("agency", JUSTICE_DEPT),
            ("full_name", "Lê Văn Tâm"),
            ("email", "tam@tuphap.hanoi.example"),
            ("role", "specialist"),
            ("role", "receiving-officer"),
        ];
        let created = browser
            .submit("/quan-tri/can-bo", "/quan-tri/can-bo", &fields)
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
        let list = browser
            .get(created.header("location").unwrap())
            .await
            .text();
        assert!(list.contains("Lê Văn Tâm"));
        // A bad e-mail: the form again, with the error linked to the field.
        let fields = [
            ("agency", JUSTICE_DEPT),
            ("full_name", "X Y"),
            ("email", "not-an-email"),
            ("role", "leader"),
        ];
        let refused = browser
            .submit("/quan-tri/can-bo", "/quan-tri/can-bo", &fields)
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("href=\"#email\""));
    }
}

#[tokio::test]
async fn a_changed_address_is_shown_waiting_for_its_code() {
    for app in apps().await {
        app.citizen(CITIZEN_ID, "Nguyễn Văn An").await;
        let mut browser = app.signed_in(CITIZEN_ID).await;
        let before = browser.get("/xac-minh").await.text();
        assert!(
            before.contains(&format!("{CITIZEN_ID}@example.vn")),
            "{}",
            app.backend
        );
        let changed = browser
            .submit(
                "/tai-khoan",
                "/tai-khoan/lien-he",
                &[("kind", "email"), ("value", "moi@example.vn")],
            )
            .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text());
        let after = browser.get("/xac-minh").await.text();
        assert!(after.contains("moi@example.vn"), "{}: {after}", app.backend);
        // The stored, verified address is unchanged until the code is entered.
        let account = browser.get("/tai-khoan").await.text();
        assert!(
            account.contains(&format!("{CITIZEN_ID}@example.vn")),
            "{}",
            app.backend
        );
    }
}
