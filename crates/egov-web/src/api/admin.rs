//! `/api/v1/admin/…`: imports, edits and index maintenance, behind a bearer token.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use egov_app::ports::ImportCounts;
use egov_app::AppError;
use egov_domain::identity::{authorize, Action};
use egov_domain::{Agency, Era, Procedure, ProcedureVersion};
use egov_import::{Format, ImportError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::procedures::path_code;
use crate::auth::caller::{bearer_token, looks_like_jwt};
use crate::auth::{constant_time_eq, Caller, Via};
use crate::extract::{ApiJson, ApiPath, ApiQuery, FromQuery, QueryReader, RawBody};
use crate::problem::Problem;
use crate::state::AppState;

/// Proof that the caller may import and edit the catalogue: the admin token,
/// or a system administrator (access token with the `admin` scope, or a
/// session cookie with `X-Requested-With`).
#[derive(Debug)]
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let opaque = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(|v| bearer_token(v).is_none_or(|t| !looks_like_jwt(t)))
            .unwrap_or(false);
        if !opaque {
            let caller = Caller::from_request_parts(parts, state).await?;
            if caller.via != Via::Nobody {
                return authorize(&caller.actor, &Action::ManageCatalogue)
                    .map(|()| Admin)
                    .map_err(|denied| Problem::from(AppError::from(denied)).into_response());
            }
        }
        admin_token(parts, state).map_err(|refused| *refused)
    }
}

/// The deployment's admin token (`Authorization: Bearer <token>`).
fn admin_token(parts: &Parts, state: &AppState) -> Result<Admin, Box<Response>> {
    let Some(expected) = state
        .config
        .admin_token
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return Err(Box::new(
            Problem::new(
                StatusCode::FORBIDDEN,
                "/problems/admin-disabled",
                "Admin API disabled",
                "admin API disabled: the server has no admin token configured",
            )
            .into_response(),
        ));
    };
    let given = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token);
    match given {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => Ok(Admin),
        given => {
            let (detail, challenge) = match given {
                Some(_) => (
                    "the bearer token is not valid",
                    "Bearer realm=\"egov-admin\", error=\"invalid_token\"",
                ),
                None => (
                    "send `Authorization: Bearer <token>`",
                    "Bearer realm=\"egov-admin\"",
                ),
            };
            let mut response = Problem::new(
                StatusCode::UNAUTHORIZED,
                "/problems/unauthorized",
                "Unauthorized",
                detail,
            )
            .into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
            Err(Box::new(response))
        }
    }
}

/// File formats of imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    Csv,
    Json,
    /// JSON Lines: one record per line.
    Jsonl,
    Xlsx,
}

impl ImportFormat {
    fn parse(s: &str) -> Result<Format, egov_domain::InvalidField> {
        match s {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "jsonl" | "ndjson" => Ok(Format::JsonLines),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(egov_domain::InvalidField::new(
                "format",
                format!("`{other}` is not a format; use csv, json, jsonl or xlsx"),
            )),
        }
    }
}

/// Parameters of an import.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The format of the file in the body.
    pub format: ImportFormat,
}

/// Parameters of an import of succession links.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuccessionImportParams {
    /// The format of the file in the body.
    pub format: ImportFormat,
    /// `true`: skip links whose old or new unit is not stored (and count
    /// them as `skipped`) instead of refusing the whole file.
    #[param(default = false)]
    pub skip_unknown: Option<bool>,
}

/// Parameters of an import of administrative units.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitImportParams {
    /// Which map the units belong to.
    pub era: Era,
    /// The format of the file in the body.
    pub format: ImportFormat,
}

/// Internal form of import parameters.
#[derive(Debug)]
pub struct Import {
    format: Format,
    era: Option<Era>,
}

fn required<T>(name: &str, value: Option<T>) -> Result<T, Problem> {
    value.ok_or_else(|| Problem::parameter(name, "is required"))
}

impl FromQuery for Import {
    const NAMES: &'static [&'static str] = &["format"];

    fn from_query(query: &QueryReader) -> Result<Self, Problem> {
        Ok(Self {
            format: required("format", query.parse("format", ImportFormat::parse)?)?,
            era: None,
        })
    }
}

/// Internal form of succession import parameters.
#[derive(Debug)]
pub struct SuccessionImport {
    format: Format,
    skip_unknown: bool,
}

fn parse_bool(s: &str) -> Result<bool, egov_domain::InvalidField> {
    match s {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(egov_domain::InvalidField::new(
            "skip_unknown",
            "use true or false",
        )),
    }
}

impl FromQuery for SuccessionImport {
    const NAMES: &'static [&'static str] = &["format", "skip_unknown"];

    fn from_query(query: &QueryReader) -> Result<Self, Problem> {
        Ok(Self {
            format: required("format", query.parse("format", ImportFormat::parse)?)?,
            skip_unknown: query.parse("skip_unknown", parse_bool)?.unwrap_or(false),
        })
    }
}

/// Internal form of unit import parameters.
#[derive(Debug)]
pub struct UnitImport(Import);

impl FromQuery for UnitImport {
    const NAMES: &'static [&'static str] = &["era", "format"];

    fn from_query(query: &QueryReader) -> Result<Self, Problem> {
        let era = required("era", query.parse("era", Era::parse)?)?;
        let format = required("format", query.parse("format", ImportFormat::parse)?)?;
        Ok(Self(Import {
            format,
            era: Some(era),
        }))
    }
}

/// Parses an import file off the async executor.
async fn read<T: Send + 'static>(
    body: RawBody,
    read: impl FnOnce(&[u8]) -> Result<T, ImportError> + Send + 'static,
) -> Result<T, Problem> {
    let RawBody(bytes) = body;
    match tokio::task::spawn_blocking(move || read(&bytes)).await {
        Ok(result) => result.map_err(Problem::from),
        Err(e) => {
            tracing::error!(error = %e, "import reader failed");
            Err(Problem::from_status(StatusCode::INTERNAL_SERVER_ERROR))
        }
    }
}

const IMPORT_BODY: &str = "The file, in the format named by `format`";

/// Imports administrative units of one era (all or nothing).
#[utoipa::path(
    post,
    path = "/api/v1/admin/imports/admin-units",
    tag = "admin",
    params(UnitImportParams),
    request_body(description = IMPORT_BODY, content(("text/csv"), ("application/json"), ("application/octet-stream"))),
    responses(
        (status = 200, description = "Imported", body = ImportCounts),
        (status = 400, description = "A parameter is invalid or missing", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admin API disabled", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A record refers to a unit that does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "File too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file is malformed; names the line or record; nothing imported", body = Problem, content_type = "application/problem+json"),
    ),
    security(("admin_token" = []))
)]
pub async fn import_admin_units(
    _: Admin,
    State(state): State<AppState>,
    ApiQuery(UnitImport(params)): ApiQuery<UnitImport>,
    body: RawBody,
) -> Result<Json<ImportCounts>, Problem> {
    let era = params.era.unwrap_or(Era::Current);
    let format = params.format;
    let units = read(body, move |b| egov_import::read_admin_units(b, format, era)).await?;
    Ok(Json(state.catalogue.import_admin_units(&units).await?))
}

/// Imports links from pre-2025 units to today's units.
#[utoipa::path(
    post,
    path = "/api/v1/admin/imports/unit-successions",
    tag = "admin",
    params(SuccessionImportParams),
    request_body(description = IMPORT_BODY, content(("text/csv"), ("application/json"), ("application/octet-stream"))),
    responses(
        (status = 200, description = "Imported", body = ImportCounts),
        (status = 400, description = "A parameter is invalid or missing", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admin API disabled", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A link refers to a unit that does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "File too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file is malformed; nothing imported", body = Problem, content_type = "application/problem+json"),
    ),
    security(("admin_token" = []))
)]
pub async fn import_successions(
    _: Admin,
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SuccessionImport>,
    body: RawBody,
) -> Result<Json<ImportCounts>, Problem> {
    let format = params.format;
    let links = read(body, move |b| egov_import::read_successions(b, format)).await?;
    let counts = if params.skip_unknown {
        state.catalogue.import_known_successions(&links).await?
    } else {
        state.catalogue.import_successions(&links).await?
    };
    Ok(Json(counts))
}

/// Imports agencies.
#[utoipa::path(
    post,
    path = "/api/v1/admin/imports/agencies",
    tag = "admin",
    params(ImportParams),
    request_body(description = IMPORT_BODY, content(("text/csv"), ("application/json"), ("application/octet-stream"))),
    responses(
        (status = 200, description = "Imported", body = ImportCounts),
        (status = 400, description = "A parameter is invalid or missing", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admin API disabled", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A record refers to an agency or unit that does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "File too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file is malformed; nothing imported", body = Problem, content_type = "application/problem+json"),
    ),
    security(("admin_token" = []))
)]
pub async fn import_agencies(
    _: Admin,
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<Import>,
    body: RawBody,
) -> Result<Json<ImportCounts>, Problem> {
    let format = params.format;
    let agencies = read(body, move |b| egov_import::read_agencies(b, format)).await?;
    Ok(Json(state.catalogue.upsert_agencies(&agencies).await?))
}

/// Imports procedures: new ones get version 1, changed ones a new version.
#[utoipa::path(
    post,
    path = "/api/v1/admin/imports/procedures",
    tag = "admin",
    params(ImportParams),
    request_body(description = IMPORT_BODY, content(("text/csv"), ("application/json"), ("application/x-ndjson"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("application/octet-stream"))),
    responses(
        (status = 200, description = "Imported", body = ImportCounts),
        (status = 400, description = "A parameter is invalid or missing", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admin API disabled", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "File too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file is malformed; nothing imported", body = Problem, content_type = "application/problem+json"),
    ),
    security(("admin_token" = []))
)]
pub async fn import_procedures(
    _: Admin,
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<Import>,
    body: RawBody,
) -> Result<Json<ImportCounts>, Problem> {
    let format = params.format;
    let procedures = read(body, move |b| egov_import::read_procedures(b, format)).await?;
    let counts = state
        .catalogue
        .import_procedures(procedures, jiff::Timestamp::now())
        .await;
    state.procedures_changed().await;
    Ok(Json(counts?))
}

/// Edits a procedure: a new version when the content changed.
#[utoipa::path(
    put,
    path = "/api/v1/admin/procedures/{code}",
    tag = "admin",
    params(("code" = String, Path, description = "Procedure code; must equal `code` in the body")),
    request_body(content = Procedure, content_type = "application/json"),
    responses(
        (status = 200, description = "The version now current", body = ProcedureVersion),
        (status = 400, description = "Malformed JSON or path", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admin API disabled", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such procedure", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("admin_token" = []))
)]
pub async fn put_procedure(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiJson(procedure): ApiJson<Procedure>,
) -> Result<Json<ProcedureVersion>, Problem> {
    let code = path_code(&code)?;
    if procedure.code != code {
        return Err(Problem::field("code", "must equal the code in the path"));
    }
    let result = state
        .catalogue
        .edit_procedure(procedure, jiff::Timestamp::now())
        .await;
    state.procedures_changed().await;
    Ok(Json(result?))
}

/// Creates or replaces an agency.
#[utoipa::path(
    put,
    path = "/api/v1/admin/agencies/{code}",
    tag = "admin",
    params(("code" = String, Path, description = "Agency identifier; must equal `code` in the body")),
    request_body(content = Agency, content_type = "application/json"),
    responses(
        (status = 200, description = "Replaced", body = Agency),
        (status = 201, description = "Created", body = Agency),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admin API disabled", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The parent agency or unit does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("admin_token" = []))
)]
pub async fn put_agency(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiJson(agency): ApiJson<Agency>,
) -> Result<Response, Problem> {
    if agency.code != code {
        return Err(Problem::field("code", "must equal the code in the path"));
    }
    let counts = state
        .catalogue
        .upsert_agencies(std::slice::from_ref(&agency))
        .await?;
    let stored = state.catalogue.agency(&agency.code).await?;
    let status = if counts.created > 0 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(stored)).into_response())
}

/// How many procedures the rebuilt index holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct RebuildReport {
    pub indexed: usize,
}

/// Rebuilds the search index from the database.
#[utoipa::path(
    post,
    path = "/api/v1/admin/search/rebuild",
    tag = "admin",
    responses(
        (status = 200, description = "Rebuilt", body = RebuildReport),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admin API disabled", body = Problem, content_type = "application/problem+json"),
    ),
    security(("admin_token" = []))
)]
pub async fn rebuild_search(
    _: Admin,
    State(state): State<AppState>,
) -> Result<Json<RebuildReport>, Problem> {
    let indexed = state.catalogue.rebuild_index().await;
    state.procedures_changed().await;
    Ok(Json(RebuildReport { indexed: indexed? }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse() {
        assert_eq!(ImportFormat::parse("jsonl"), Ok(Format::JsonLines));
        assert!(ImportFormat::parse("pdf").is_err());
    }
}
