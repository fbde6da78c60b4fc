//! `/api/v1/admin-units`: administrative units of both eras.

use axum::extract::State;
use axum::Json;
use egov_app::catalogue::Successor;
use egov_app::ports::AdminUnitFilter;
use egov_domain::{AdminUnit, Era, UnitLevel};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{ApiPath, ApiQuery, FromQuery, Paging, QueryReader, MAX_TEXT};
use crate::problem::Problem;
use crate::state::AppState;

/// Filters of the unit list. Without `parent` and `level`: the provinces.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitListParams {
    /// Only the children of this unit (same era).
    #[param(max_length = 200)]
    pub parent: Option<String>,
    /// Part of the name, diacritics optional.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Which map: today's (default) or the one before 1 July 2025.
    pub era: Option<Era>,
    pub level: Option<UnitLevel>,
    #[param(minimum = 1, maximum = 1000, default = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// Internal form of the list parameters.
#[derive(Debug)]
pub struct UnitList {
    filter: AdminUnitFilter,
    paging: Paging,
}

impl FromQuery for UnitList {
    const NAMES: &'static [&'static str] = &["parent", "q", "era", "level", "page", "per_page"];

    fn from_query(query: &QueryReader) -> Result<Self, Problem> {
        let paging = query.paging()?;
        Ok(Self {
            filter: AdminUnitFilter {
                era: Some(query.parse("era", Era::parse)?.unwrap_or(Era::Current)),
                parent_code: query.text("parent", MAX_TEXT)?,
                level: query.parse("level", UnitLevel::parse)?,
                name_folded: query.text("q", MAX_TEXT)?,
                page: paging.request(),
            },
            paging,
        })
    }
}

/// A page of units.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUnitPage {
    pub items: Vec<AdminUnit>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// Lists units (by default today's 34 provinces).
#[utoipa::path(
    operation_id = "list_admin_units",
    get,
    path = "/api/v1/admin-units",
    tag = "administrative units",
    params(UnitListParams),
    responses(
        (status = 200, description = "A page of units", body = AdminUnitPage),
        (status = 400, description = "A parameter is invalid or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The parent does not exist", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<UnitList>,
) -> Result<Json<AdminUnitPage>, Problem> {
    let page = state.catalogue.list_admin_units(&params.filter).await?;
    Ok(Json(AdminUnitPage {
        items: page.items,
        total: page.total,
        page: params.paging.page,
        per_page: params.paging.per_page,
    }))
}

/// Which era a unit code is read in.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EraParams {
    /// `current` (default) or `pre-2025`.
    pub era: Option<Era>,
}

impl FromQuery for EraParams {
    const NAMES: &'static [&'static str] = &["era"];

    fn from_query(query: &QueryReader) -> Result<Self, Problem> {
        Ok(Self {
            era: query.parse("era", Era::parse)?,
        })
    }
}

/// A unit with the units above it and its links across the 2025 reform.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUnitDetail {
    pub unit: AdminUnit,
    /// The units above it, nearest first, up to the province.
    pub parents: Vec<AdminUnit>,
    /// For a pre-2025 unit: today's unit(s) that took it over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successors: Option<Vec<Successor>>,
    /// For a current unit: the pre-2025 units it took over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predecessors: Option<Vec<Successor>>,
}

/// One unit, its parents and its successors or predecessors.
#[utoipa::path(
    operation_id = "get_admin_unit",
    get,
    path = "/api/v1/admin-units/{code}",
    tag = "administrative units",
    params(("code" = String, Path, description = "GSO code (mã ĐVHC)", example = "00004"), EraParams),
    responses(
        (status = 200, description = "The unit", body = AdminUnitDetail),
        (status = 400, description = "A parameter is invalid or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in that era", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(params): ApiQuery<EraParams>,
) -> Result<Json<AdminUnitDetail>, Problem> {
    let era = params.era.unwrap_or(Era::Current);
    let catalogue = &state.catalogue;
    let mut chain = catalogue.ancestry(era, &code).await?.into_iter();
    let Some(unit) = chain.next() else {
        return Err(Problem::not_found(format!(
            "administrative unit `{code}` not found"
        )));
    };
    let (successors, predecessors) = match era {
        Era::Pre2025 => (Some(catalogue.successors_of(&unit).await?), None),
        Era::Current => (None, Some(catalogue.predecessors_of(&unit.code).await?)),
    };
    Ok(Json(AdminUnitDetail {
        unit,
        parents: chain.collect(),
        successors,
        predecessors,
    }))
}
