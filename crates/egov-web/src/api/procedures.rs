//! `/api/v1/procedures`: search, current version, history, one version.

use axum::extract::State;
use axum::Json;
use egov_domain::{OnlineMode, ProcedureCode, ProcedureVersion, Tier, VersionSummary};
use egov_search::{SearchHit, SearchQuery};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{ApiPath, ApiQuery, FromQuery, Paging, QueryReader, MAX_TEXT};
use crate::problem::Problem;
use crate::state::AppState;

/// Search filters. Every one is optional; without `q` procedures come by name.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find, with or without diacritics (`giay phep xay dung`); at most 200 characters.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Code or name of an implementing agency.
    #[param(max_length = 200)]
    pub agency: Option<String>,
    /// Field (lĩnh vực), e.g. `Hộ tịch`.
    #[param(max_length = 200)]
    pub field: Option<String>,
    pub tier: Option<Tier>,
    pub online_mode: Option<OnlineMode>,
    /// Code of a current administrative unit: only procedures carried out there.
    #[param(max_length = 200)]
    pub unit: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000, default = 1)]
    pub page: Option<u32>,
    /// Results per page.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

impl FromQuery for SearchParams {
    const NAMES: &'static [&'static str] = &[
        "q",
        "agency",
        "field",
        "tier",
        "online_mode",
        "unit",
        "page",
        "per_page",
    ];

    fn from_query(query: &QueryReader) -> Result<Self, Problem> {
        let paging = query.paging()?;
        Ok(Self {
            q: query.text("q", MAX_TEXT)?,
            agency: query.text("agency", MAX_TEXT)?,
            field: query.text("field", MAX_TEXT)?,
            tier: query.parse("tier", Tier::parse)?,
            online_mode: query.parse("online_mode", OnlineMode::parse)?,
            unit: query.text("unit", MAX_TEXT)?,
            page: Some(paging.page),
            per_page: Some(paging.per_page),
        })
    }
}

/// One search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureHit {
    #[schema(example = "1.001193")]
    pub code: String,
    pub name: String,
    pub field: String,
    pub tiers: Vec<Tier>,
    pub online_mode: OnlineMode,
    pub implementing_agencies: Vec<String>,
    /// Relevance (higher first); 0 when no words were given.
    pub score: f32,
}

impl From<SearchHit> for ProcedureHit {
    fn from(hit: SearchHit) -> Self {
        Self {
            code: hit.code,
            name: hit.name,
            field: hit.field,
            tiers: hit.tiers,
            online_mode: hit.online_mode,
            implementing_agencies: hit.implementing_agencies,
            score: hit.score,
        }
    }
}

/// A page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureSearchPage {
    pub items: Vec<ProcedureHit>,
    /// How many procedures matched in all.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// A procedure's versions, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionHistory {
    pub code: String,
    pub versions: Vec<VersionSummary>,
}

/// Searches procedures (diacritics-insensitive, typo-tolerant).
#[utoipa::path(
    get,
    path = "/api/v1/procedures",
    tag = "procedures",
    params(SearchParams),
    responses(
        (status = 200, description = "Matching procedures", body = ProcedureSearchPage),
        (status = 400, description = "A parameter is invalid or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The unit does not exist", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<ProcedureSearchPage>, Problem> {
    let paging = Paging {
        page: params.page.unwrap_or(1),
        per_page: params.per_page.unwrap_or(Paging::DEFAULT_PER_PAGE),
    };
    let query = SearchQuery {
        text: params.q,
        agency: params.agency,
        field: params.field,
        tier: params.tier,
        online_mode: params.online_mode,
        unit: None,
        offset: paging.offset() as usize,
        limit: paging.per_page as usize,
    };
    let results = state
        .catalogue
        .search(query, params.unit.as_deref())
        .await?;
    Ok(Json(ProcedureSearchPage {
        items: results.hits.into_iter().map(ProcedureHit::from).collect(),
        total: results.total as u64,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// Reads a procedure code from the path (400 naming `code` when it cannot be one).
pub fn path_code(code: &str) -> Result<ProcedureCode, Problem> {
    ProcedureCode::parse(code).map_err(|e| Problem::parameter("code", e.reason))
}

/// The current version of a procedure, with its full content.
#[utoipa::path(
    operation_id = "get_procedure",
    get,
    path = "/api/v1/procedures/{code}",
    tag = "procedures",
    params(("code" = String, Path, description = "Procedure code (mã thủ tục)", example = "1.001193")),
    responses(
        (status = 200, description = "The current version", body = ProcedureVersion),
        (status = 400, description = "Not a procedure code", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such procedure", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<ProcedureVersion>, Problem> {
    let code = path_code(&code)?;
    Ok(Json(state.catalogue.procedure(&code).await?))
}

/// Every version of a procedure, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/procedures/{code}/versions",
    tag = "procedures",
    params(("code" = String, Path, description = "Procedure code (mã thủ tục)")),
    responses(
        (status = 200, description = "The versions, oldest first", body = VersionHistory),
        (status = 400, description = "Not a procedure code", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such procedure", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn versions(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<VersionHistory>, Problem> {
    let code = path_code(&code)?;
    let versions = state.catalogue.procedure_history(&code).await?;
    Ok(Json(VersionHistory {
        code: code.to_string(),
        versions,
    }))
}

/// One version of a procedure.
#[utoipa::path(
    get,
    path = "/api/v1/procedures/{code}/versions/{version}",
    tag = "procedures",
    params(
        ("code" = String, Path, description = "Procedure code (mã thủ tục)"),
        ("version" = u32, Path, description = "Version number, from 1", minimum = 1),
    ),
    responses(
        (status = 200, description = "That version", body = ProcedureVersion),
        (status = 400, description = "Not a procedure code or version number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such procedure or version", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn version(
    State(state): State<AppState>,
    ApiPath((code, version)): ApiPath<(String, String)>,
) -> Result<Json<ProcedureVersion>, Problem> {
    let code = path_code(&code)?;
    let version = match version.parse::<u32>() {
        Ok(n) if n > 0 => n,
        _ => {
            return Err(Problem::parameter(
                "version",
                "must be a version number (1, 2, …)",
            ))
        }
    };
    Ok(Json(
        state.catalogue.procedure_version(&code, version).await?,
    ))
}
