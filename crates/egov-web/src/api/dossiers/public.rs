//! What anyone may ask without signing in: a dossier's status by its code
//! (no personal data), whether a signed result is genuine, and the root
//! certificate signatures chain to. The first two are rate limited per
//! client address (see [`super::rate_limit`]).

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use egov_app::dossiers::{PublicStatus, SignatureCheck};
use jiff::Timestamp;
use utoipa::ToSchema;

use super::files::MultipartBody;
use super::path_dossier_code;
use crate::extract::ApiPath;
use crate::problem::Problem;
use crate::state::AppState;

/// A signed document and its detached signature: `multipart/form-data`.
#[derive(Debug, ToSchema)]
pub struct VerifyForm {
    /// The document (the result PDF).
    #[schema(value_type = String, format = Binary)]
    pub document: Vec<u8>,
    /// Its detached CMS signature (the `.p7s` file).
    #[schema(value_type = String, format = Binary)]
    pub signature: Vec<u8>,
}

/// A dossier's status and dates by its code: no name, no form, nothing
/// personal — what the code printed on a receipt lets anyone follow.
#[utoipa::path(
    get,
    path = "/api/v1/public/dossiers/{code}",
    operation_id = "public_dossier_status",
    tag = "public",
    params(("code" = String, Path, description = "The dossier code", example = "000.01.00.H26-261123-0001")),
    responses(
        (status = 200, description = "Status and dates", body = PublicStatus),
        (status = 400, description = "Not a dossier code", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such dossier", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many lookups from this address; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    )
)]
pub async fn status(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<PublicStatus>, Problem> {
    let code = path_dossier_code(&code)?;
    Ok(Json(
        state
            .dossiers
            .public_status(&code.to_string(), Timestamp::now())
            .await?,
    ))
}

/// Checks a document against its detached signature: whether it is intact
/// and signed by an agency's key certified by this platform.
#[utoipa::path(
    post,
    path = "/api/v1/public/signatures/verify",
    operation_id = "verify_signature",
    tag = "public",
    request_body(content = VerifyForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The verdict (`valid` false with `problem` when it does not hold)", body = SignatureCheck),
        (status = 400, description = "Malformed multipart body", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Files too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A part is missing or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many checks from this address; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    mut body: MultipartBody,
) -> Result<Json<SignatureCheck>, Problem> {
    body.check_names(&["document", "signature"])?;
    let document = body.take("document")?;
    let signature = body.take("signature")?;
    Ok(Json(
        state
            .dossiers
            .verify_signature(&document.bytes, &signature.bytes)
            .await?,
    ))
}

/// The platform's root certificate (PEM), which the agencies' signing
/// certificates chain to.
#[utoipa::path(
    get,
    path = "/api/v1/public/certificates/root.pem",
    operation_id = "root_certificate",
    tag = "public",
    responses(
        (status = 200, description = "The certificate", body = String, content_type = "application/x-pem-file"),
    )
)]
pub async fn root_certificate(State(state): State<AppState>) -> Result<Response, Problem> {
    let pem = state.dossiers.root_certificate_pem().await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-pem-file"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        pem,
    )
        .into_response())
}
