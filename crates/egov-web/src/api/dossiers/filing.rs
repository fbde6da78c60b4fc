//! Submitting a draft (`POST /api/v1/dossiers`, idempotent with
//! `Idempotency-Key`), one's dossiers, a dossier's view and its documents.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use egov_app::ports::DocumentKind;
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::files::download;
use super::json::{DossierJson, DossierPage, DossierViewJson};
use super::path_dossier_code;
use crate::api::accounts::acting;
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, FromQuery, Paging, QueryReader};
use crate::problem::Problem;
use crate::state::AppState;

/// The header that makes a submission safe to retry.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Sent on a replayed submission's answer.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Longest idempotency key accepted.
const MAX_KEY: usize = 255;

/// Submitting a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Submit {
    pub draft_id: String,
}

/// The `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let mut values = headers.get_all(&IDEMPOTENCY_KEY).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(Problem::parameter(
            "Idempotency-Key",
            "given more than once",
        ));
    }
    let bytes = value.as_bytes();
    let key = std::str::from_utf8(bytes)
        .ok()
        .map(|k| k.trim().trim_matches('"'))
        .filter(|k| !k.is_empty() && k.len() <= MAX_KEY && k.bytes().all(|b| b.is_ascii_graphic()));
    match key {
        Some(key) => Ok(Some(key.to_owned())),
        None => Err(Problem::parameter(
            "Idempotency-Key",
            format!("1 to {MAX_KEY} visible ASCII characters"),
        )),
    }
}

/// Submits a draft: every field is checked (422 lists each invalid one),
/// the dossier code is allocated and the desk is notified. With
/// `Idempotency-Key`, a retry returns the dossier made the first time (200
/// instead of 201, same body); the same key with another draft is refused (409).
#[utoipa::path(
    post,
    path = "/api/v1/dossiers",
    operation_id = "submit_dossier",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the submission safe to retry: 1–255 visible ASCII characters, unique per submission")),
    request_body = Submit,
    responses(
        (status = 201, description = "Submitted", body = DossierJson,
            headers(("Location" = String, description = "The dossier's address"))),
        (status = 200, description = "A replay of a submission made with the same key: the same dossier", body = DossierJson,
            headers(("Idempotent-Replayed" = String, description = "`true`"))),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's draft, or the token lacks the `dossiers` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such draft", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The key was used for another submission", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: `errors` lists every one with `field`, `code` and `reason`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Submit>,
) -> Result<Response, Problem> {
    let actor = acting(&caller)?;
    let key = idempotency_key(&headers)?;
    let (dossier, created) = state
        .dossiers
        .submit(actor, &body.draft_id, key.as_deref(), Timestamp::now())
        .await?;
    let location = format!("/api/v1/dossiers/{}", dossier.code);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = (status, Json(DossierJson::from(dossier))).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, value);
    }
    if !created {
        headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// Paging of a list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    #[param(minimum = 1, maximum = 1000, default = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// `page` and `per_page`, checked.
#[derive(Debug)]
pub struct PageQuery(pub Paging);

impl FromQuery for PageQuery {
    const NAMES: &'static [&'static str] = &["page", "per_page"];

    fn from_query(query: &QueryReader) -> Result<Self, Problem> {
        query.paging().map(PageQuery)
    }
}

/// The caller's own dossiers, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers",
    operation_id = "list_my_dossiers",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of the caller's dossiers", body = DossierPage),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `dossiers` scope", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn mine(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(PageQuery(paging)): ApiQuery<PageQuery>,
) -> Result<Json<DossierPage>, Problem> {
    let actor = acting(&caller)?;
    let page = state.dossiers.my_dossiers(actor, paging.request()).await?;
    Ok(Json(DossierPage::new(page, paging)))
}

/// A dossier with its timeline, documents, attachments, deadline and the
/// actions the caller may take now.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}",
    operation_id = "get_dossier",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(("code" = String, Path, description = "The dossier code", example = "000.01.00.H26-261123-0001")),
    responses(
        (status = 200, description = "The dossier", body = DossierViewJson),
        (status = 400, description = "Not a dossier code", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither its applicant nor an official handling it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such dossier", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn view(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<DossierViewJson>, Problem> {
    let actor = acting(&caller)?;
    let code = path_dossier_code(&code)?;
    let view = state
        .dossiers
        .dossier(actor, &code.to_string(), Timestamp::now())
        .await?;
    Ok(Json(view.into()))
}

/// Downloads a document issued for the dossier: a slip, the result (PDF) or
/// its detached signature (`.p7s`).
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/documents/{id}",
    operation_id = "download_dossier_document",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(
        ("code" = String, Path, description = "The dossier code"),
        ("id" = String, Path, description = "The document's id (see `documents` in the dossier)"),
    ),
    responses(
        (status = 200, description = "The document, as an attachment",
            content(("application/pdf"), ("application/pkcs7-signature"))),
        (status = 400, description = "Not a dossier code", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not entitled to the dossier", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document of this dossier", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn document(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((code, id)): ApiPath<(String, String)>,
) -> Result<Response, Problem> {
    let actor = acting(&caller)?;
    let code = path_dossier_code(&code)?;
    let (document, bytes) = state.dossiers.document_file(actor, &id).await?;
    if document.dossier != code {
        return Err(Problem::not_found(format!(
            "dossier `{code}` has no document `{id}`"
        )));
    }
    Ok(download(bytes, &document.content_type, &document.file_name))
}

/// A printable slip made on demand, e.g. the process control slip
/// (`control-slip`, phiếu kiểm soát quá trình giải quyết hồ sơ).
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/slips/{kind}",
    operation_id = "print_dossier_slip",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(
        ("code" = String, Path, description = "The dossier code"),
        ("kind" = DocumentKind, Path, description = "Which slip", example = "control-slip"),
    ),
    responses(
        (status = 200, description = "The slip (PDF), as an attachment", content_type = "application/pdf"),
        (status = 400, description = "Not a dossier code or a kind of slip", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not entitled to the dossier", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such dossier, or no such slip for it yet", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn slip(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((code, kind)): ApiPath<(String, String)>,
) -> Result<Response, Problem> {
    let actor = acting(&caller)?;
    let code = path_dossier_code(&code)?;
    let kind = DocumentKind::parse(&kind).ok_or_else(|| {
        let known: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.as_str()).collect();
        Problem::parameter(
            "kind",
            format!("not a kind of slip; use one of {}", known.join(", ")),
        )
    })?;
    let bytes = state
        .dossiers
        .slip(actor, &code.to_string(), kind, Timestamp::now())
        .await?;
    let name = format!("{}-{code}.pdf", kind.as_str());
    Ok(download(bytes, "application/pdf", &name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(IDEMPOTENCY_KEY, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn idempotency_keys_are_checked() {
        assert_eq!(idempotency_key(&headers(&[])).unwrap(), None);
        assert_eq!(
            idempotency_key(&headers(&["\"8e03978e-40d5\""])).unwrap(),
            Some("8e03978e-40d5".to_owned())
        );
        for bad in ["", "has space", &"x".repeat(256)] {
            let p = idempotency_key(&headers(&[bad])).unwrap_err();
            assert_eq!(p.errors[0].parameter.as_deref(), Some("Idempotency-Key"));
        }
        assert!(idempotency_key(&headers(&["a", "b"])).is_err());
    }
}
