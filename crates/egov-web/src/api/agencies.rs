//! `/api/v1/agencies`: the agency tree.

use axum::extract::State;
use axum::Json;
use egov_app::ports::AgencyFilter;
use egov_domain::{Agency, AgencyKind};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{ApiPath, ApiQuery, FromQuery, Paging, QueryReader, MAX_TEXT};
use crate::problem::Problem;
use crate::state::AppState;

/// Filters of the agency list.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyListParams {
    /// Only agencies directly under this one.
    #[param(max_length = 200)]
    pub parent: Option<String>,
    pub kind: Option<AgencyKind>,
    /// Only agencies serving this current administrative unit.
    #[param(max_length = 200)]
    pub unit: Option<String>,
    /// Part of the name, diacritics optional.
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 1000, default = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// Internal form of the list parameters.
#[derive(Debug)]
pub struct AgencyList {
    filter: AgencyFilter,
    paging: Paging,
}

impl FromQuery for AgencyList {
    const NAMES: &'static [&'static str] = &["parent", "kind", "unit", "q", "page", "per_page"];

    fn from_query(query: &QueryReader) -> Result<Self, Problem> {
        let paging = query.paging()?;
        Ok(Self {
            filter: AgencyFilter {
                parent_code: query.text("parent", MAX_TEXT)?,
                kind: query.parse("kind", AgencyKind::parse)?,
                admin_unit_code: query.text("unit", MAX_TEXT)?,
                name_folded: query.text("q", MAX_TEXT)?,
                page: paging.request(),
            },
            paging,
        })
    }
}

/// A page of agencies.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyPage {
    pub items: Vec<Agency>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// Lists agencies.
#[utoipa::path(
    operation_id = "list_agencies",
    get,
    path = "/api/v1/agencies",
    tag = "agencies",
    params(AgencyListParams),
    responses(
        (status = 200, description = "A page of agencies", body = AgencyPage),
        (status = 400, description = "A parameter is invalid or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<AgencyList>,
) -> Result<Json<AgencyPage>, Problem> {
    let page = state.catalogue.list_agencies(&params.filter).await?;
    Ok(Json(AgencyPage {
        items: page.items,
        total: page.total,
        page: params.paging.page,
        per_page: params.paging.per_page,
    }))
}

/// One agency.
#[utoipa::path(
    operation_id = "get_agency",
    get,
    path = "/api/v1/agencies/{code}",
    tag = "agencies",
    params(("code" = String, Path, description = "Agency identifier (mã định danh)", example = "000.00.00.G01")),
    responses(
        (status = 200, description = "The agency", body = Agency),
        (status = 404, description = "No such agency", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Agency>, Problem> {
    Ok(Json(state.catalogue.agency(&code).await?))
}
