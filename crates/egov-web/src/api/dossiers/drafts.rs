//! Applications being filled in (`/api/v1/drafts`) and uploaded files
//! (`/api/v1/attachments`, `POST …/attachments`).

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use egov_app::dossiers::{Upload, UploadTarget};
use egov_app::AppError;
use egov_domain::attachment::safe_file_name;
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;

use super::files::{download, MultipartBody};
use super::json::{AttachmentJson, DraftJson, DraftViewJson};
use super::path_dossier_code;
use crate::api::accounts::acting;
use crate::api::procedures::path_code;
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath};
use crate::problem::Problem;
use crate::state::AppState;

/// Starting an application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDraft {
    pub procedure_code: String,
    /// The receiving agency; the service's first one when absent.
    pub agency_code: Option<String>,
}

/// Form values as typed so far (autosave).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftValues {
    /// A JSON object keyed by the form's field keys.
    #[schema(value_type = Object)]
    pub values: serde_json::Value,
}

/// A file upload: `multipart/form-data` with these parts.
#[derive(Debug, ToSchema)]
pub struct UploadForm {
    /// The file field of the form the file answers.
    pub document_key: String,
    /// PDF, JPEG or PNG; the type is established from the content, and the
    /// name's extension and the part's `Content-Type` must agree with it.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

fn created(location: String, body: impl serde::Serialize) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Starts an application: a draft pre-filled from the caller's account.
#[utoipa::path(
    post,
    path = "/api/v1/drafts",
    operation_id = "create_draft",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    request_body = NewDraft,
    responses(
        (status = 201, description = "The new draft, pre-filled", body = DraftJson),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a citizen or organisation, or the token lacks the `dossiers` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No online service for this procedure, or no such agency", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid (e.g. the agency does not receive this service)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewDraft>,
) -> Result<Response, Problem> {
    let actor = acting(&caller)?;
    let code = path_code(&body.procedure_code)
        .map_err(|_| Problem::field("procedure_code", "not a procedure code"))?;
    let draft = state
        .dossiers
        .start_application(
            actor,
            code.as_str(),
            body.agency_code.as_deref(),
            Timestamp::now(),
        )
        .await?;
    let location = format!("/api/v1/drafts/{}", draft.id);
    Ok(created(location, DraftJson::from(draft)))
}

/// The caller's drafts.
#[utoipa::path(
    get,
    path = "/api/v1/drafts",
    operation_id = "list_drafts",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The caller's drafts", body = [DraftJson]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `dossiers` scope", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<DraftJson>>, Problem> {
    let actor = acting(&caller)?;
    let drafts = state.dossiers.drafts(actor).await?;
    Ok(Json(drafts.into_iter().map(Into::into).collect()))
}

/// A draft with its form and the files attached so far.
#[utoipa::path(
    get,
    path = "/api/v1/drafts/{id}",
    operation_id = "get_draft",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(("id" = String, Path, description = "The draft's id")),
    responses(
        (status = 200, description = "The draft", body = DraftViewJson),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's draft", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such draft", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DraftViewJson>, Problem> {
    let actor = acting(&caller)?;
    Ok(Json(state.dossiers.draft(actor, &id).await?.into()))
}

/// Saves the form values as typed (autosave; checked only for size until
/// submission).
#[utoipa::path(
    put,
    path = "/api/v1/drafts/{id}",
    operation_id = "save_draft",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(("id" = String, Path, description = "The draft's id")),
    request_body = DraftValues,
    responses(
        (status = 200, description = "Saved", body = DraftJson),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's draft", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such draft", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a JSON object, or too large a draft", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<DraftValues>,
) -> Result<Json<DraftJson>, Problem> {
    let actor = acting(&caller)?;
    let draft = state
        .dossiers
        .save_draft(actor, &id, body.values, Timestamp::now())
        .await?;
    Ok(Json(draft.into()))
}

/// Discards a draft and its files.
#[utoipa::path(
    delete,
    path = "/api/v1/drafts/{id}",
    operation_id = "discard_draft",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(("id" = String, Path, description = "The draft's id")),
    responses(
        (status = 204, description = "Discarded"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's draft", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such draft", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn discard(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, Problem> {
    let actor = acting(&caller)?;
    state.dossiers.discard_draft(actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stores an upload; a refused file is a problem that names it.
async fn upload(
    state: &AppState,
    caller: &Caller,
    target: UploadTarget,
    mut body: MultipartBody,
) -> Result<Response, Problem> {
    let actor = acting(caller)?;
    body.check_names(&["document_key", "file"])?;
    let document_key = body.text("document_key")?;
    let file = body.take("file")?;
    let file_name = file
        .file_name
        .ok_or_else(|| Problem::field("file", "the part has no file name"))?;
    let upload = Upload {
        document_key,
        file_name: file_name.clone(),
        declared_mime: file.content_type,
        bytes: file.bytes.to_vec(),
    };
    let attachment = match state
        .dossiers
        .upload(actor, target, upload, Timestamp::now())
        .await
    {
        Ok(attachment) => attachment,
        Err(AppError::Attachment(rejected)) => {
            let mut problem = Problem::attachment(&rejected);
            let name = safe_file_name(&file_name);
            problem.detail = format!("`{name}`: {}", problem.detail);
            for item in &mut problem.errors {
                item.location = Some(name.clone());
            }
            return Err(problem);
        }
        Err(e) => return Err(e.into()),
    };
    let location = super::json::attachment_href(&attachment.id);
    Ok(created(location, AttachmentJson::from(attachment)))
}

/// Attaches a file to a draft.
#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/attachments",
    operation_id = "upload_to_draft",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(("id" = String, Path, description = "The draft's id")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = AttachmentJson),
        (status = 400, description = "Malformed multipart body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's draft", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such draft", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or a file type that is not accepted (names the file)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A part is missing, the file is empty, its name or type lies about its content (names the file), or the scanner found a virus", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload_to_draft(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    body: MultipartBody,
) -> Result<Response, Problem> {
    upload(&state, &caller, UploadTarget::Draft(id), body).await
}

/// Attaches a file to a dossier whose supplement was requested (the
/// applicant then sends `POST /api/v1/dossiers/{code}/supplement`).
#[utoipa::path(
    post,
    path = "/api/v1/dossiers/{code}/attachments",
    operation_id = "upload_to_dossier",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(("code" = String, Path, description = "The dossier code")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = AttachmentJson),
        (status = 400, description = "Not a dossier code, or a malformed multipart body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's dossier", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such dossier", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier does not wait for a supplement", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or a file type that is not accepted (names the file)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A part is missing, the file is empty or its name or type lies about its content (names the file)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload_to_dossier(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    body: MultipartBody,
) -> Result<Response, Problem> {
    let code = path_dossier_code(&code)?;
    upload(&state, &caller, UploadTarget::Dossier(code), body).await
}

/// Removes an uploaded file from a draft (or from a dossier being supplemented).
#[utoipa::path(
    delete,
    path = "/api/v1/attachments/{id}",
    operation_id = "remove_attachment",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(("id" = String, Path, description = "The attachment's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's file", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The file belongs to a submitted dossier and can no longer be removed", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_attachment(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, Problem> {
    let actor = acting(&caller)?;
    state.dossiers.remove_attachment(actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Downloads an uploaded file (its applicant or an entitled official).
#[utoipa::path(
    get,
    path = "/api/v1/attachments/{id}",
    operation_id = "download_attachment",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(("id" = String, Path, description = "The attachment's id")),
    responses(
        (status = 200, description = "The file, as an attachment, with its stored media type",
            content(("application/pdf"), ("image/jpeg"), ("image/png"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not entitled to the file", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn download_attachment(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, Problem> {
    let actor = acting(&caller)?;
    let (attachment, bytes) = state.dossiers.attachment_file(actor, &id).await?;
    Ok(download(
        bytes,
        attachment.media_type.as_mime(),
        &attachment.file_name,
    ))
}
