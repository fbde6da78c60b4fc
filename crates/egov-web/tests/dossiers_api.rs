//! The dossier API end to end, on every backend: publishing a service,
//! applying, processing, the signed result and its check, and what others
//! may not see or do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/dossiers.rs"]
mod dossiers;

use axum::http::Method;
use common::identity::CITIZEN_ID;
use common::{apps, TestApp, TestResponse, TOKEN};
use dossiers::{Part, Person, CITIZEN_NAME, PDF, PNG, PROCEDURE};
use serde_json::{json, Value};

/// Asserts `response` is a problem with one of `statuses`.
fn refused(response: &TestResponse, statuses: &[u16], what: &str) -> Value {
    assert!(
        statuses.contains(&response.status.as_u16()),
        "{what}: {} {}",
        response.status,
        response.text()
    );
    response.problem(response.status.as_u16())
}

/// The kinds of the documents of a view.
fn document(view: &Value, kind: &str) -> Value {
    view["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} document in {view}"))
        .clone()
}

fn allowed(view: &Value) -> Vec<String> {
    view["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn services_are_published_by_system_administrators_only() {
    for app in apps().await {
        let people = app.dossier_setup().await;
        let uri = format!("/api/v1/services/{PROCEDURE}");
        // The same definition again: nothing new.
        let again = app
            .call(
                Method::PUT,
                &uri,
                Some(TOKEN),
                Some(dossiers::service_definition()),
            )
            .await;
        assert_eq!(again.status, 200, "{}", again.text());
        assert_eq!(again.json()["version"], 1);
        assert_eq!(again.json()["changed"], false);
        // A change makes version 2.
        let mut changed = dossiers::service_definition();
        changed["deadline"]["amount"] = json!(5);
        let v2 = app
            .call(Method::PUT, &uri, Some(TOKEN), Some(changed.clone()))
            .await;
        assert_eq!(v2.json()["version"], 2, "{}", v2.text());
        assert_eq!(v2.json()["changed"], true);
        let current = app.get_json(&uri).await;
        assert_eq!(current["version"], 2);
        assert_eq!(current["definition"]["deadline"]["amount"], 5);
        let list = app.get_json("/api/v1/services").await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
        assert_eq!(list[0]["procedure_code"], PROCEDURE);
        // The path names the service.
        let wrong = app
            .call(
                Method::PUT,
                "/api/v1/services/2.000528",
                Some(TOKEN),
                Some(changed.clone()),
            )
            .await;
        let problem = wrong.problem(422);
        assert_eq!(problem["errors"][0]["field"], "procedure_code");
        // An incoherent definition: no leader approves.
        let mut incoherent = changed.clone();
        incoherent["workflow"][2]["role"] = json!("specialist");
        let response = app
            .call(Method::PUT, &uri, Some(TOKEN), Some(incoherent))
            .await;
        assert_eq!(response.problem(422)["errors"][0]["field"], "workflow");
        // Citizens and officials may not publish.
        for who in [&people.citizen, &people.leader] {
            let response = app
                .call(Method::PUT, &uri, Some(&who.token), Some(changed.clone()))
                .await;
            refused(&response, &[403], "publish");
        }
        let response = app.call(Method::PUT, &uri, None, Some(changed)).await;
        refused(&response, &[401], "anonymous publish");
        assert_eq!(app.get("/api/v1/services/9.999999").await.status, 404);
    }
}

#[tokio::test]
async fn the_calendar_is_public_and_declared_by_administrators() {
    for app in apps().await {
        let people = app.dossier_setup().await;
        let year = app.get_json("/api/v1/calendar/2026").await;
        assert_eq!(year["year"], 2026);
        assert!(
            year["holidays"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["date"] == "2026-09-02"),
            "{year}"
        );
        let day = json!({"kind": "day-off", "reason": "Nghỉ bù cho thứ Bảy 10/01/2026"});
        let uri = "/api/v1/calendar/days/2026-01-02";
        let response = app
            .call(
                Method::PUT,
                uri,
                Some(&people.citizen.token),
                Some(day.clone()),
            )
            .await;
        refused(&response, &[403], "a citizen declares a day");
        let response = app.call(Method::PUT, uri, Some(TOKEN), Some(day)).await;
        assert_eq!(response.status, 200, "{}", response.text());
        let year = app.get_json("/api/v1/calendar/2026").await;
        assert_eq!(year["declared"][0]["date"], "2026-01-02", "{year}");
        let no_reason = json!({"kind": "day-off", "reason": "  "});
        let response = app
            .call(Method::PUT, uri, Some(TOKEN), Some(no_reason))
            .await;
        assert_eq!(response.problem(422)["errors"][0]["field"], "reason");
        let bad_date = app
            .call(
                Method::PUT,
                "/api/v1/calendar/days/2026-02-30",
                Some(TOKEN),
                Some(json!({"kind": "day-off", "reason": "x"})),
            )
            .await;
        bad_date.problem(400);
        let gone = app.call(Method::DELETE, uri, Some(TOKEN), None).await;
        assert_eq!(gone.status, 204, "{}", gone.text());
        let again = app.call(Method::DELETE, uri, Some(TOKEN), None).await;
        again.problem(404);
        app.get("/api/v1/calendar/19x6").await.problem(400);
    }
}

#[tokio::test]
async fn a_dossier_goes_from_draft_to_rated_result() {
    for app in apps().await {
        let people = app.dossier_setup().await;
        let backend = app.backend.clone();
        let (citizen, desk, specialist, leader) = (
            &people.citizen,
            &people.desk,
            &people.specialist,
            &people.leader,
        );

        // A draft pre-filled from the account, saved, with a PDF attached.
        let draft = app.new_draft(citizen).await;
        assert_eq!(draft["values"]["mother_id"], CITIZEN_ID, "{draft}");
        assert_eq!(draft["agency_code"], common::identity::JUSTICE_DEPT);
        let draft_id = draft["id"].as_str().unwrap().to_owned();
        let saved = app
            .save_values(&citizen.token, &draft_id, dossiers::valid_values())
            .await;
        assert_eq!(saved.status, 200, "{}", saved.text());
        let uploaded = app
            .upload_pdf(
                &format!("/api/v1/drafts/{draft_id}/attachments"),
                &citizen.token,
                "Giấy chứng sinh.pdf",
            )
            .await;
        assert_eq!(uploaded.status, 201, "{backend}: {}", uploaded.text());
        let attachment = uploaded.json();
        assert_eq!(attachment["media_type"], "pdf");
        assert_eq!(attachment["file_name"], "Giấy chứng sinh.pdf");
        let file = app
            .get_as(&citizen.token, attachment["href"].as_str().unwrap())
            .await;
        assert_eq!(file.status, 200, "{}", file.text());
        assert_eq!(file.body, PDF);
        assert_eq!(file.content_type(), "application/pdf");
        assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
        let disposition = file.header("content-disposition").unwrap();
        assert!(
            disposition.starts_with("attachment;")
                && disposition.contains("filename*=UTF-8''Gi%E1%BA%A5y%20ch%E1%BB%A9ng%20sinh.pdf"),
            "{disposition}"
        );
        let view = app
            .get_as(&citizen.token, &format!("/api/v1/drafts/{draft_id}"))
            .await
            .json();
        assert_eq!(view["attachments"].as_array().unwrap().len(), 1, "{view}");
        assert_eq!(view["service"]["procedure_code"], PROCEDURE);
        let drafts = app.get_as(&citizen.token, "/api/v1/drafts").await.json();
        assert_eq!(drafts.as_array().unwrap().len(), 1, "{drafts}");

        // Submitted twice with one key: one dossier.
        let key = [("idempotency-key", "5c1f6a57-9d3e-4e0b-a7f1-submit-1")];
        let submit = |draft: &str| {
            let body = json!({ "draft_id": draft });
            app.call_with(
                Method::POST,
                "/api/v1/dossiers",
                Some(&citizen.token),
                &key,
                Some(body),
            )
        };
        let first = submit(&draft_id).await;
        assert_eq!(first.status, 201, "{backend}: {}", first.text());
        let second = submit(&draft_id).await;
        assert_eq!(second.status, 200, "{backend}: {}", second.text());
        assert_eq!(first.json(), second.json());
        assert_eq!(second.header("idempotent-replayed"), Some("true"));
        let dossier = first.json();
        let code = dossier["code"].as_str().unwrap().to_owned();
        assert_eq!(
            first.header("location"),
            Some(format!("/api/v1/dossiers/{code}").as_str())
        );
        assert_eq!(dossier["status"], "submitted");
        assert_eq!(dossier["status_code"], 1);
        assert!(code.starts_with(common::identity::JUSTICE_DEPT), "{code}");
        // The same key for another submission is refused.
        let other_draft = app.ready_draft(citizen).await;
        let reused = submit(&other_draft).await;
        reused.problem(409);
        let mine = app.get_as(&citizen.token, "/api/v1/dossiers").await.json();
        assert_eq!(mine["total"], 1, "{mine}");
        assert_eq!(mine["items"][0]["code"], code.as_str());

        // Intake.
        let inbox = app.get_as(&desk.token, "/api/v1/inbox").await.json();
        assert!(
            inbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == code.as_str()),
            "{inbox}"
        );
        let view = app.dossier_view(desk, &code).await;
        assert!(allowed(&view).contains(&"accept".to_owned()), "{view}");
        let view = app.act(desk, &code, "accept", json!({"version": 1})).await;
        assert_eq!(view["dossier"]["status"], "received");
        assert!(view["dossier"]["due_at"].is_string(), "{view}");
        document(&view, "receipt");
        let view = app
            .act(
                desk,
                &code,
                "assign",
                json!({"specialist": specialist.id.0}),
            )
            .await;
        assert_eq!(view["dossier"]["status"], "processing");
        assert_eq!(view["dossier"]["assignee"], specialist.id.0.as_str());

        // A supplement is asked for and given.
        let view = app
            .act(
                specialist,
                &code,
                "request-supplement",
                json!({"reason": "Bổ sung bản sao giấy chứng sinh rõ nét"}),
            )
            .await;
        assert_eq!(view["dossier"]["status"], "supplement-requested");
        document(&view, "supplement-request");
        let added = app
            .upload_pdf(
                &format!("/api/v1/dossiers/{code}/attachments"),
                &citizen.token,
                "Bản sao rõ nét.pdf",
            )
            .await;
        assert_eq!(added.status, 201, "{backend}: {}", added.text());
        assert_eq!(added.json()["dossier_code"], code.as_str());
        let view = app
            .act(citizen, &code, "supplement", json!({"note": "Đã bổ sung"}))
            .await;
        assert_eq!(view["dossier"]["status"], "processing");
        assert_eq!(view["attachments"].as_array().unwrap().len(), 2, "{view}");

        // Proposed, approved: the signed result.
        app.act(
            specialist,
            &code,
            "propose",
            json!({"note": "Đủ điều kiện"}),
        )
        .await;
        let view = app.act(leader, &code, "approve", json!({})).await;
        assert_eq!(view["dossier"]["status"], "result-ready");
        let result = document(&view, "result");
        let signature = document(&view, "result-signature");
        let citizen_view = app.dossier_view(citizen, &code).await;
        assert_eq!(citizen_view["dossier"]["status"], "result-ready");
        let pdf = app
            .get_as(&citizen.token, result["href"].as_str().unwrap())
            .await;
        assert_eq!(pdf.status, 200, "{}", pdf.text());
        assert_eq!(pdf.content_type(), "application/pdf");
        assert!(pdf.body.starts_with(b"%PDF-"));
        assert!(pdf
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment;"));
        let p7s = app
            .get_as(&citizen.token, signature["href"].as_str().unwrap())
            .await;
        assert_eq!(p7s.status, 200, "{}", p7s.text());
        assert_eq!(p7s.content_type(), "application/pkcs7-signature");

        // Anyone can check the signature; a changed document fails.
        let check = app
            .post_multipart(
                "/api/v1/public/signatures/verify",
                None,
                &dossiers::signature_parts(&pdf.body, &p7s.body),
            )
            .await;
        assert_eq!(check.status, 200, "{backend}: {}", check.text());
        let check = check.json();
        assert_eq!(check["valid"], true, "{check}");
        assert_eq!(check["dossier_code"], code.as_str(), "{check}");
        assert_eq!(
            check["agency_code"],
            common::identity::JUSTICE_DEPT,
            "{check}"
        );
        let mut tampered = pdf.body.clone();
        let middle = tampered.len() / 2;
        tampered[middle] ^= 0x01;
        let check = app
            .post_multipart(
                "/api/v1/public/signatures/verify",
                None,
                &dossiers::signature_parts(&tampered, &p7s.body),
            )
            .await;
        assert_eq!(check.status, 200, "{}", check.text());
        assert_eq!(check.json()["valid"], false, "{}", check.text());
        let root = app.get("/api/v1/public/certificates/root.pem").await;
        assert_eq!(root.status, 200);
        assert!(
            root.text().starts_with("-----BEGIN CERTIFICATE-----"),
            "{}",
            root.text()
        );

        // The control slip is printed on demand.
        let slip = app
            .get_as(
                &desk.token,
                &format!("/api/v1/dossiers/{code}/slips/control-slip"),
            )
            .await;
        assert_eq!(slip.status, 200, "{backend}: {}", slip.text());
        assert_eq!(slip.content_type(), "application/pdf");
        assert!(slip.body.starts_with(b"%PDF-"));
        app.get_as(
            &desk.token,
            &format!("/api/v1/dossiers/{code}/slips/nonsense"),
        )
        .await
        .problem(400);

        // Returned and rated.
        let view = app.act(desk, &code, "return-result", json!({})).await;
        assert_eq!(view["dossier"]["status"], "result-returned");
        assert_eq!(view["dossier"]["status_code"], 10);
        let out_of_range = app
            .try_act(citizen, &code, "rating", json!({"rating": 6}))
            .await;
        assert_eq!(out_of_range.problem(422)["errors"][0]["field"], "rating");
        let view = app
            .act(
                citizen,
                &code,
                "rating",
                json!({"rating": 5, "comment": "Nhanh chóng"}),
            )
            .await;
        assert_eq!(view["dossier"]["rating"], 5);
        let timeline: Vec<&str> = view["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for action in ["submit", "accept", "approve", "return-result", "rate"] {
            assert!(timeline.contains(&action), "{action} not in {timeline:?}");
        }

        // The applicant was told along the way.
        let notes = app
            .get_as(&citizen.token, "/api/v1/notifications")
            .await
            .json();
        assert!(notes["total"].as_u64().unwrap() > 0, "{notes}");
        let read = app
            .call(
                Method::POST,
                "/api/v1/notifications/read",
                Some(&citizen.token),
                None,
            )
            .await;
        assert_eq!(read.status, 200, "{}", read.text());
        assert!(read.json()["marked"].as_u64().unwrap() > 0);
    }
}

#[tokio::test]
async fn a_submission_lists_every_invalid_field() {
    for app in apps().await {
        let people = app.dossier_setup().await;
        let draft = app.new_draft(&people.citizen).await;
        let id = draft["id"].as_str().unwrap();
        let values = json!({
            "child_name": "x".repeat(101),
            "child_birth_date": "2999-01-01",
            "birth_place": "99999",
            "mother_id": "123",
            "nickname": "Bi",
        });
        let saved = app.save_values(&people.citizen.token, id, values).await;
        assert_eq!(saved.status, 200, "{}", saved.text());
        let response = app
            .call(
                Method::POST,
                "/api/v1/dossiers",
                Some(&people.citizen.token),
                Some(json!({"draft_id": id})),
            )
            .await;
        let problem = response.problem(422);
        let errors: Vec<(String, String)> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                assert!(e["reason"].as_str().is_some_and(|r| !r.is_empty()), "{e}");
                (
                    e["field"].as_str().unwrap().to_owned(),
                    e["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        for (field, code) in [
            ("child_name", "too-long"),
            ("child_birth_date", "date-in-future"),
            ("birth_place", "unknown-unit"),
            ("mother_id", "invalid-national-id"),
            ("nickname", "unknown-field"),
            ("birth_certificate", "required"),
        ] {
            assert!(
                errors.contains(&(field.to_owned(), code.to_owned())),
                "{field} {code} not in {errors:?}"
            );
        }
        // Nothing was filed.
        let mine = app
            .get_as(&people.citizen.token, "/api/v1/dossiers")
            .await
            .json();
        assert_eq!(mine["total"], 0, "{mine}");
    }
}

#[tokio::test]
async fn uploads_are_checked_for_size_and_type() {
    for app in apps().await {
        let people = app.dossier_setup().await;
        let draft = app.new_draft(&people.citizen).await;
        let uri = format!(
            "/api/v1/drafts/{}/attachments",
            draft["id"].as_str().unwrap()
        );
        let token = &people.citizen.token;

        // Over the route's body limit: refused while reading.
        let mut huge = b"%PDF-1.4\n".to_vec();
        huge.resize(13 * 1024 * 1024, b'0');
        let response = app
            .upload(&uri, token, "lon.pdf", "application/pdf", &huge)
            .await;
        response.problem(413);
        // Within the body limit but over the largest file.
        let mut large = b"%PDF-1.4\n".to_vec();
        large.resize(10 * 1024 * 1024 + 1, b'0');
        let response = app
            .upload(&uri, token, "lon.pdf", "application/pdf", &large)
            .await;
        let problem = response.problem(413);
        assert_eq!(problem["errors"][0]["code"], "attachment-too-large");

        // A PNG named .pdf lies about its type.
        let response = app
            .upload(&uri, token, "giay-chung-sinh.pdf", "application/pdf", PNG)
            .await;
        let problem = refused(&response, &[415, 422], "PNG named .pdf");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("giay-chung-sinh.pdf"),
            "{problem}"
        );
        assert_eq!(problem["errors"][0]["location"], "giay-chung-sinh.pdf");
        // A program is not accepted whatever it is called.
        let response = app
            .upload(
                &uri,
                token,
                "setup.exe",
                "application/octet-stream",
                b"MZ\x90\0",
            )
            .await;
        let problem = refused(&response, &[415], "a program");
        assert_eq!(problem["errors"][0]["code"], "attachment-forbidden-type");
        // Not multipart at all; a part missing; an unknown part.
        let response = app
            .call(Method::POST, &uri, Some(token), Some(json!({"file": "x"})))
            .await;
        response.problem(415);
        let response = app
            .post_multipart(
                &uri,
                Some(token),
                &[Part::text("document_key", "birth_certificate")],
            )
            .await;
        assert_eq!(response.problem(422)["errors"][0]["field"], "file");
        let response = app
            .post_multipart(
                &uri,
                Some(token),
                &[
                    Part::text("document_key", "birth_certificate"),
                    Part::text("comment", "x"),
                ],
            )
            .await;
        assert_eq!(response.problem(422)["errors"][0]["field"], "comment");
        // Nothing was stored.
        let view = app
            .get_as(
                token,
                &format!("/api/v1/drafts/{}", draft["id"].as_str().unwrap()),
            )
            .await
            .json();
        assert_eq!(view["attachments"], json!([]), "{view}");
    }
}

/// Every dossier route a citizen could try on someone else's dossier.
fn dossier_routes(
    code: &str,
    document: &str,
    attachment: &str,
) -> Vec<(Method, String, Option<Value>)> {
    let d = format!("/api/v1/dossiers/{code}");
    let mut routes = vec![
        (Method::GET, d.clone(), None),
        (Method::GET, format!("{d}/documents/{document}"), None),
        (Method::GET, format!("{d}/slips/control-slip"), None),
        (
            Method::GET,
            format!("/api/v1/attachments/{attachment}"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/attachments/{attachment}"),
            None,
        ),
    ];
    let actions = [
        ("accept", json!({})),
        ("refuse-intake", json!({"reason": "x"})),
        ("assign", json!({"specialist": "acc-x"})),
        (
            "transfer",
            json!({"agency": common::identity::BUILDING_DEPT, "note": ""}),
        ),
        ("propose", json!({"note": "x"})),
        ("send-back", json!({"note": "x"})),
        ("request-supplement", json!({"reason": "x"})),
        ("supplement", json!({"note": "x"})),
        ("approve", json!({"note": "x"})),
        ("stop", json!({"reason": "x"})),
        ("withdraw", json!({"reason": "x"})),
        ("return-result", json!({})),
        ("apologise", json!({"reason": "x", "new_due": "2099-12-01"})),
        ("messages", json!({"text": "xin chào"})),
        ("rating", json!({"rating": 1, "comment": ""})),
    ];
    for (action, body) in actions {
        routes.push((Method::POST, format!("{d}/{action}"), Some(body)));
    }
    routes
}

/// Asserts `who` is refused everywhere on `code` and learns nothing of it.
async fn assert_shut_out(
    app: &TestApp,
    who: &Person,
    code: &str,
    document: &str,
    attachment: &str,
) {
    for (method, uri, body) in dossier_routes(code, document, attachment) {
        let response = app.call(method.clone(), &uri, Some(&who.token), body).await;
        refused(&response, &[403, 404], &format!("{method} {uri}"));
        let text = response.text();
        assert!(!text.contains(CITIZEN_NAME), "{method} {uri}: {text}");
        assert!(!text.contains(CITIZEN_ID), "{method} {uri}: {text}");
    }
    let response = app
        .upload_pdf(
            &format!("/api/v1/dossiers/{code}/attachments"),
            &who.token,
            "x.pdf",
        )
        .await;
    refused(&response, &[403, 404], "upload to someone else's dossier");
}

#[tokio::test]
async fn others_are_shut_out_of_a_dossier() {
    for app in apps().await {
        let people = app.dossier_setup().await;
        let code = app.submitted(&people.citizen).await;
        let view = app.act(&people.desk, &code, "accept", json!({})).await;
        let receipt = document(&view, "receipt")["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let attachment = view["attachments"][0]["id"].as_str().unwrap().to_owned();
        let version = view["dossier"]["version"].clone();

        // Another citizen, and an official of another department.
        assert_shut_out(&app, &people.other, &code, &receipt, &attachment).await;
        assert_shut_out(&app, &people.outsider, &code, &receipt, &attachment).await;
        let inbox = app
            .get_as(&people.outsider.token, "/api/v1/inbox?all_roles=true")
            .await;
        assert_eq!(inbox.status, 200, "{}", inbox.text());
        assert_eq!(inbox.json()["total"], 0, "{}", inbox.text());
        let theirs = app
            .get_as(&people.other.token, "/api/v1/dossiers")
            .await
            .json();
        assert_eq!(theirs["total"], 0);

        // Drafts are the applicant's own too.
        let draft = app.ready_draft(&people.citizen).await;
        let d = format!("/api/v1/drafts/{draft}");
        for (method, uri, body) in [
            (Method::GET, d.clone(), None),
            (Method::PUT, d.clone(), Some(json!({"values": {}}))),
            (Method::DELETE, d.clone(), None),
            (
                Method::POST,
                "/api/v1/dossiers".to_owned(),
                Some(json!({"draft_id": draft})),
            ),
        ] {
            let response = app
                .call(method.clone(), &uri, Some(&people.other.token), body)
                .await;
            refused(&response, &[403, 404], &format!("{method} {uri}"));
        }
        let response = app
            .upload_pdf(&format!("{d}/attachments"), &people.other.token, "x.pdf")
            .await;
        refused(&response, &[403, 404], "upload to someone else's draft");

        // Nothing changed.
        let view = app.dossier_view(&people.citizen, &code).await;
        assert_eq!(view["dossier"]["version"], version);
        assert_eq!(view["dossier"]["status"], "received");
        let still = app.get_as(&people.citizen.token, &d).await;
        assert_eq!(still.status, 200, "{}", still.text());

        // Without signing in: 401 everywhere.
        for (method, uri, body) in dossier_routes(&code, &receipt, &attachment) {
            let response = app.call(method.clone(), &uri, None, body).await;
            refused(&response, &[401], &format!("anonymous {method} {uri}"));
        }
    }
}

#[tokio::test]
async fn tokens_need_the_dossiers_scope_and_cookies_need_x_requested_with() {
    for app in apps().await {
        let people = app.dossier_setup().await;
        let code = app.submitted(&people.citizen).await;
        let profile_only = app.access_token(&people.citizen.id, "openid profile").await;
        let response = app
            .call(
                Method::POST,
                "/api/v1/drafts",
                Some(&profile_only),
                Some(json!({"procedure_code": PROCEDURE})),
            )
            .await;
        let problem = refused(&response, &[403], "draft without the scope");
        assert!(
            problem["detail"].as_str().unwrap().contains("dossiers"),
            "{problem}"
        );
        let response = app
            .get_as(&profile_only, &format!("/api/v1/dossiers/{code}"))
            .await;
        refused(&response, &[403], "read without the scope");

        // The web session works on the API with X-Requested-With.
        let mut browser = app.signed_in(CITIZEN_ID).await;
        let mine = browser.api(Method::GET, "/api/v1/dossiers", None).await;
        assert_eq!(mine.status, 200, "{}", mine.text());
        assert_eq!(mine.json()["items"][0]["code"], code.as_str());
    }
}

#[tokio::test]
async fn an_illegal_or_stale_action_is_409_and_changes_nothing() {
    for app in apps().await {
        let people = app.dossier_setup().await;
        let code = app.submitted(&people.citizen).await;
        let before = app.dossier_view(&people.citizen, &code).await;

        // Approving a dossier nobody has received.
        let response = app
            .try_act(&people.leader, &code, "approve", json!({"note": "Đồng ý"}))
            .await;
        let problem = response.problem(409);
        assert_eq!(problem["type"], "/problems/illegal-transition");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("submitted") && detail.contains("approve"),
            "{detail}"
        );

        // Rating before the end.
        let response = app
            .try_act(&people.citizen, &code, "rating", json!({"rating": 4}))
            .await;
        response.problem(409);

        // Acting on a stale version.
        let response = app
            .try_act(&people.desk, &code, "accept", json!({"version": 0}))
            .await;
        let problem = response.problem(409);
        assert_eq!(problem["type"], "/problems/stale-version");

        // An empty reason.
        let response = app
            .try_act(
                &people.desk,
                &code,
                "refuse-intake",
                json!({"reason": "  "}),
            )
            .await;
        assert_eq!(response.problem(422)["errors"][0]["field"], "reason");
        let response = app
            .try_act(
                &people.desk,
                &code,
                "refuse-intake",
                json!({"reasons": "x"}),
            )
            .await;
        response.problem(422);

        let after = app.dossier_view(&people.citizen, &code).await;
        assert_eq!(after["dossier"], before["dossier"]);
        assert_eq!(after["timeline"], before["timeline"]);

        // A missing dossier, a malformed code.
        let response = app
            .try_act(
                &people.desk,
                "000.01.00.H26-261123-9999",
                "accept",
                json!({}),
            )
            .await;
        response.problem(404);
        let response = app
            .get_as(&people.desk.token, "/api/v1/dossiers/not-a-code")
            .await;
        assert_eq!(response.problem(400)["errors"][0]["parameter"], "code");
    }
}

#[tokio::test]
async fn the_public_lookup_shows_no_personal_data_and_is_rate_limited() {
    for app in apps().await {
        let people = app.dossier_setup().await;
        let code = app.submitted(&people.citizen).await;
        app.act(&people.desk, &code, "accept", json!({})).await;
        let uri = format!("/api/v1/public/dossiers/{code}");
        let response = app.get(&uri).await;
        assert_eq!(response.status, 200, "{}", response.text());
        let text = response.text();
        assert!(!text.contains(CITIZEN_NAME), "{text}");
        assert!(!text.contains(CITIZEN_ID), "{text}");
        assert!(!text.contains(&people.citizen.id.0), "{text}");
        let status = response.json();
        assert_eq!(status["code"], code.as_str());
        assert_eq!(status["status"], "received");
        assert_eq!(status["status_code"], 2);
        assert!(status["due_at"].is_string(), "{status}");
        app.get("/api/v1/public/dossiers/000.01.00.H26-261123-9999")
            .await
            .problem(404);

        // Enough lookups from one address are refused for a while.
        let mut limited = None;
        for _ in 0..200 {
            let response = app.get(&uri).await;
            if response.status == 429 {
                limited = Some(response);
                break;
            }
            assert_eq!(response.status, 200, "{}", response.text());
        }
        let limited = limited.expect("the lookup is rate limited");
        let problem = limited.problem(429);
        assert_eq!(problem["type"], "/problems/rate-limited");
        let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
        assert!(retry >= 1, "{retry}");
    }
}

#[tokio::test]
async fn the_openapi_document_lists_the_dossier_api() {
    let app = apps().await.into_iter().next().unwrap();
    let doc = app.get_json("/api/openapi.json").await;
    let operations = [
        ("get", "/api/v1/services"),
        ("get", "/api/v1/services/{procedure_code}"),
        ("put", "/api/v1/services/{procedure_code}"),
        ("get", "/api/v1/calendar/{year}"),
        ("put", "/api/v1/calendar/days/{date}"),
        ("delete", "/api/v1/calendar/days/{date}"),
        ("post", "/api/v1/drafts"),
        ("get", "/api/v1/drafts"),
        ("get", "/api/v1/drafts/{id}"),
        ("put", "/api/v1/drafts/{id}"),
        ("delete", "/api/v1/drafts/{id}"),
        ("post", "/api/v1/drafts/{id}/attachments"),
        ("get", "/api/v1/attachments/{id}"),
        ("delete", "/api/v1/attachments/{id}"),
        ("post", "/api/v1/dossiers"),
        ("get", "/api/v1/dossiers"),
        ("get", "/api/v1/dossiers/{code}"),
        ("post", "/api/v1/dossiers/{code}/attachments"),
        ("get", "/api/v1/dossiers/{code}/documents/{id}"),
        ("get", "/api/v1/dossiers/{code}/slips/{kind}"),
        ("post", "/api/v1/dossiers/{code}/accept"),
        ("post", "/api/v1/dossiers/{code}/refuse-intake"),
        ("post", "/api/v1/dossiers/{code}/assign"),
        ("post", "/api/v1/dossiers/{code}/transfer"),
        ("post", "/api/v1/dossiers/{code}/propose"),
        ("post", "/api/v1/dossiers/{code}/send-back"),
        ("post", "/api/v1/dossiers/{code}/request-supplement"),
        ("post", "/api/v1/dossiers/{code}/supplement"),
        ("post", "/api/v1/dossiers/{code}/approve"),
        ("post", "/api/v1/dossiers/{code}/stop"),
        ("post", "/api/v1/dossiers/{code}/withdraw"),
        ("post", "/api/v1/dossiers/{code}/return-result"),
        ("post", "/api/v1/dossiers/{code}/apologise"),
        ("post", "/api/v1/dossiers/{code}/messages"),
        ("post", "/api/v1/dossiers/{code}/rating"),
        ("get", "/api/v1/inbox"),
        ("get", "/api/v1/notifications"),
        ("post", "/api/v1/notifications/read"),
        ("get", "/api/v1/public/dossiers/{code}"),
        ("post", "/api/v1/public/signatures/verify"),
        ("get", "/api/v1/public/certificates/root.pem"),
    ];
    for (method, path) in operations {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} missing");
        let responses = operation["responses"].as_object().unwrap();
        assert!(
            ["200", "201", "204"]
                .iter()
                .any(|s| responses.contains_key(*s)),
            "{method} {path}"
        );
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                assert!(
                    response["content"]["application/problem+json"].is_object(),
                    "{method} {path} {status}"
                );
            }
        }
    }
    // Each of these operations has an id of its own in the whole document.
    let mut ids = Vec::new();
    for operations in doc["paths"].as_object().unwrap().values() {
        for operation in operations.as_object().unwrap().values() {
            ids.push(operation["operationId"].as_str().unwrap().to_owned());
        }
    }
    for (method, path) in operations {
        let id = doc["paths"][path][method]["operationId"].as_str().unwrap();
        assert_eq!(
            ids.iter().filter(|i| i.as_str() == id).count(),
            1,
            "{method} {path}: operationId `{id}` is not unique"
        );
    }
    let submit = &doc["paths"]["/api/v1/dossiers"]["post"];
    for status in ["200", "201", "409", "422"] {
        assert!(submit["responses"][status].is_object(), "submit {status}");
    }
    let lookup = &doc["paths"]["/api/v1/public/dossiers/{code}"]["get"];
    assert!(lookup["responses"]["429"].is_object());
    let upload = &doc["paths"]["/api/v1/drafts/{id}/attachments"]["post"];
    assert!(upload["requestBody"]["content"]["multipart/form-data"].is_object());
    for status in ["413", "415", "422"] {
        assert!(upload["responses"][status].is_object(), "upload {status}");
    }
    assert!(doc["components"]["schemas"]["DossierViewJson"].is_object());
    assert!(doc["components"]["schemas"]["ServiceDefinition"].is_object());
    assert!(doc["components"]["schemas"]["ProblemItem"]["properties"]["code"].is_object());
}
