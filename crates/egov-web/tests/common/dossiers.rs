//! Dossier helpers of the tests: the online service the tests publish, the
//! people who apply and process (each with an access token), multipart
//! bodies, and a dossier taken to a given point.

#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{header, Method, Request};
use egov_domain::identity::{AccountId, Role};
use serde_json::{json, Value};

use crate::common::identity::{BUILDING_DEPT, CITIZEN_ID, JUSTICE_DEPT, OTHER_ID};
use crate::common::{TestApp, TestResponse, TOKEN};

/// The procedure the tests offer online (birth registration).
pub const PROCEDURE: &str = "1.001193";
/// The applicant's name: must never appear in what others are given.
pub const CITIZEN_NAME: &str = "Nguyễn Thị Hồng Nhung";
pub const OTHER_NAME: &str = "Trần Văn Bảo";
/// The sign-in names of the justice department's desk officer, specialist
/// and leader, and of an official of the building department.
pub const DESK: &str = "tiepnhan@stp.hanoi.gov.vn";
pub const SPECIALIST: &str = "chuyenvien@stp.hanoi.gov.vn";
pub const LEADER: &str = "lanhdao@stp.hanoi.gov.vn";
pub const OUTSIDER: &str = "canbo@sxd.hanoi.gov.vn";

/// A small, well-formed PDF.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// The start of a PNG image.
pub const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
];

/// The definition the tests publish: a short birth registration handled by
/// the justice department.
pub fn service_definition() -> Value {
    json!({
        "procedure_code": PROCEDURE,
        "name": {"vi": "Đăng ký khai sinh", "en": "Birth registration"},
        "agencies": [JUSTICE_DEPT],
        "applicants": ["citizen"],
        "deadline": {"amount": 3, "unit": "working-days"},
        "form": {"fields": [
            {"key": "child_name", "label": {"vi": "Họ, chữ đệm, tên của trẻ", "en": "Child's full name"},
             "type": "text", "required": true, "max_length": 100},
            {"key": "child_birth_date", "label": {"vi": "Ngày sinh", "en": "Date of birth"},
             "type": "date", "required": true, "not_future": true},
            {"key": "birth_place", "label": {"vi": "Nơi sinh", "en": "Place of birth"},
             "type": "admin-unit", "required": true},
            {"key": "mother_id", "label": {"vi": "Số định danh của mẹ", "en": "Mother's ID number"},
             "type": "national-id", "required": true, "prefill": "national-id"},
            {"key": "birth_certificate", "label": {"vi": "Giấy chứng sinh", "en": "Birth certificate"},
             "type": "file", "required": true, "accept": ["pdf"], "max_files": 2}
        ]},
        "fees": [],
        "workflow": [
            {"key": "intake", "name": {"vi": "Tiếp nhận", "en": "Intake"}, "role": "receiving-officer"},
            {"key": "review", "name": {"vi": "Thẩm định", "en": "Review"}, "role": "specialist", "days": 2},
            {"key": "approve", "name": {"vi": "Phê duyệt", "en": "Approval"}, "role": "leader", "days": 1},
            {"key": "return", "name": {"vi": "Trả kết quả", "en": "Return"}, "role": "receiving-officer"}
        ],
        "result": {"title": {"vi": "Giấy khai sinh", "en": "Birth certificate"}}
    })
}

/// Form values that pass every rule (the mother's ID is pre-filled).
pub fn valid_values() -> Value {
    json!({
        "child_name": "Nguyễn Minh Khang",
        "child_birth_date": "2025-10-02",
        "birth_place": "01",
        "mother_id": CITIZEN_ID,
    })
}

/// One person with an access token.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: AccountId,
    pub token: String,
}

/// Everyone the tests need.
#[derive(Debug, Clone)]
pub struct People {
    pub citizen: Person,
    pub other: Person,
    pub desk: Person,
    pub specialist: Person,
    pub leader: Person,
    /// A desk officer and leader of another department.
    pub outsider: Person,
}

/// A multipart part.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    pub name: &'a str,
    pub file_name: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub bytes: &'a [u8],
}

impl<'a> Part<'a> {
    pub fn text(name: &'a str, value: &'a str) -> Self {
        Self {
            name,
            file_name: None,
            content_type: None,
            bytes: value.as_bytes(),
        }
    }

    pub fn file(name: &'a str, file_name: &'a str, content_type: &'a str, bytes: &'a [u8]) -> Self {
        Self {
            name,
            file_name: Some(file_name),
            content_type: Some(content_type),
            bytes,
        }
    }
}

/// The parts of a signature check: the document and its detached signature.
pub fn signature_parts<'a>(document: &'a [u8], signature: &'a [u8]) -> [Part<'a>; 2] {
    [
        Part::file("document", "ket-qua.pdf", "application/pdf", document),
        Part::file(
            "signature",
            "ket-qua.pdf.p7s",
            "application/pkcs7-signature",
            signature,
        ),
    ]
}

const BOUNDARY: &str = "egov-test-7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body and its content type.
pub fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(file_name) = part.file_name {
            disposition.push_str(&format!("; filename=\"{file_name}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(content_type) = part.content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

impl TestApp {
    /// Asserts `response` has `status` (naming the backend); returns it.
    pub fn expect(&self, response: TestResponse, status: u16) -> TestResponse {
        assert_eq!(
            response.status.as_u16(),
            status,
            "{}: {}",
            self.backend,
            response.text()
        );
        response
    }

    /// A `GET` with a bearer token.
    pub async fn get_as(&self, token: &str, uri: &str) -> TestResponse {
        self.call(Method::GET, uri, Some(token), None).await
    }

    /// Saves `values` in the draft `id` of the token's holder.
    pub async fn save_values(&self, token: &str, id: &str, values: Value) -> TestResponse {
        let uri = format!("/api/v1/drafts/{id}");
        let body = json!({ "values": values });
        self.call(Method::PUT, &uri, Some(token), Some(body)).await
    }

    /// A JSON call with a bearer token (`None`: anonymous).
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        self.call_with(method, uri, token, &[], body).await
    }

    pub async fn call_with(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> TestResponse {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        if let Some(bearer) = &bearer {
            all.push(("authorization", bearer));
        }
        self.json_request(method, uri, &all, body).await
    }

    /// A multipart `POST` with a bearer token (`None`: anonymous).
    pub async fn post_multipart(
        &self,
        uri: &str,
        token: Option<&str>,
        parts: &[Part<'_>],
    ) -> TestResponse {
        let (content_type, body) = multipart(parts);
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, content_type);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// Uploads `bytes` as the birth certificate to `uri`.
    pub async fn upload(
        &self,
        uri: &str,
        token: &str,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> TestResponse {
        let parts = [
            Part::text("document_key", "birth_certificate"),
            Part::file("file", file_name, content_type, bytes),
        ];
        self.post_multipart(uri, Some(token), &parts).await
    }

    /// Uploads the test PDF as the birth certificate to `uri`.
    pub async fn upload_pdf(&self, uri: &str, token: &str, file_name: &str) -> TestResponse {
        self.upload(uri, token, file_name, "application/pdf", PDF)
            .await
    }

    /// Publishes the test service with the admin token; asserts it worked.
    pub async fn publish_service(&self) {
        let uri = format!("/api/v1/services/{PROCEDURE}");
        let response = self
            .call(Method::PUT, &uri, Some(TOKEN), Some(service_definition()))
            .await;
        self.expect(response, 200);
    }

    async fn person(&self, id: AccountId, scopes: &str) -> Person {
        let token = self.access_token(&id, scopes).await;
        Person { id, token }
    }

    /// An official with `roles` and a token with the `admin` scope.
    async fn staff(&self, login: &str, name: &str, roles: &[(&str, Role)]) -> Person {
        let id = self.official(login, name, roles).await;
        self.person(id, "openid admin").await
    }

    /// The fixture catalogue, the test service and everyone's accounts.
    pub async fn dossier_setup(&self) -> People {
        self.load_fixtures().await;
        self.publish_service().await;
        let citizen = self.citizen(CITIZEN_ID, CITIZEN_NAME).await;
        let other = self.citizen(OTHER_ID, OTHER_NAME).await;
        let justice = |role| [(JUSTICE_DEPT, role)];
        let desk = justice(Role::ReceivingOfficer);
        let (specialist, leader) = (justice(Role::Specialist), justice(Role::Leader));
        let building = [
            (BUILDING_DEPT, Role::ReceivingOfficer),
            (BUILDING_DEPT, Role::Leader),
        ];
        People {
            citizen: self.person(citizen, "openid dossiers").await,
            other: self.person(other, "openid dossiers").await,
            desk: self.staff(DESK, "Lê Thu Hà", &desk).await,
            specialist: self.staff(SPECIALIST, "Phạm Quốc Tuấn", &specialist).await,
            leader: self.staff(LEADER, "Đỗ Văn Hùng", &leader).await,
            outsider: self.staff(OUTSIDER, "Vũ Thị Lan", &building).await,
        }
    }

    /// A new draft of `who` for the test service; returns its JSON.
    pub async fn new_draft(&self, who: &Person) -> Value {
        let response = self
            .call(
                Method::POST,
                "/api/v1/drafts",
                Some(&who.token),
                Some(json!({"procedure_code": PROCEDURE})),
            )
            .await;
        self.expect(response, 201).json()
    }

    /// A draft with valid values and a PDF attached; returns its id.
    pub async fn ready_draft(&self, who: &Person) -> String {
        let draft = self.new_draft(who).await;
        let id = draft["id"].as_str().unwrap().to_owned();
        let response = self.save_values(&who.token, &id, valid_values()).await;
        self.expect(response, 200);
        let uri = format!("/api/v1/drafts/{id}/attachments");
        let response = self
            .upload_pdf(&uri, &who.token, "Giấy chứng sinh.pdf")
            .await;
        self.expect(response, 201);
        id
    }

    /// A dossier submitted by `who`; returns its code.
    pub async fn submitted(&self, who: &Person) -> String {
        let draft = self.ready_draft(who).await;
        let response = self
            .call(
                Method::POST,
                "/api/v1/dossiers",
                Some(&who.token),
                Some(json!({"draft_id": draft})),
            )
            .await;
        self.expect(response, 201).json()["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// `POST /api/v1/dossiers/{code}/{action}`, expecting 200; returns the view.
    pub async fn act(&self, who: &Person, code: &str, action: &str, body: Value) -> Value {
        let response = self.try_act(who, code, action, body).await;
        assert_eq!(
            response.status,
            200,
            "{} {action}: {}",
            self.backend,
            response.text()
        );
        response.json()
    }

    pub async fn try_act(
        &self,
        who: &Person,
        code: &str,
        action: &str,
        body: Value,
    ) -> TestResponse {
        self.call(
            Method::POST,
            &format!("/api/v1/dossiers/{code}/{action}"),
            Some(&who.token),
            Some(body),
        )
        .await
    }

    /// The dossier as `who` sees it, expecting 200.
    pub async fn dossier_view(&self, who: &Person, code: &str) -> Value {
        let uri = format!("/api/v1/dossiers/{code}");
        let response = self.get_as(&who.token, &uri).await;
        self.expect(response, 200).json()
    }
}
