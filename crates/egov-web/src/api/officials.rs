//! `/api/v1/admin/officials`: officials of an agency and their roles. Agency
//! administrators act in their agency and the agencies below it; system
//! administrators (and the admin token) everywhere. Access tokens need the
//! `admin` scope.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use egov_app::identity::CreateOfficial;
use egov_domain::identity::{AccountId, Role, RoleAssignment};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::accounts::acting;
use super::me::Me;
use crate::auth::{Caller, ClientInfo};
use crate::extract::{ApiJson, ApiPath, ApiQuery, FromQuery, Paging, QueryReader};
use crate::problem::Problem;
use crate::state::AppState;

/// Which officials to list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficialListParams {
    /// The agency's code.
    #[param(max_length = 64)]
    pub agency: String,
    #[param(minimum = 1, maximum = 1000, default = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

impl FromQuery for OfficialListParams {
    const NAMES: &'static [&'static str] = &["agency", "page", "per_page"];

    fn from_query(query: &QueryReader) -> Result<Self, Problem> {
        let paging = query.paging()?;
        let agency = query
            .text("agency", 64)?
            .ok_or_else(|| Problem::parameter("agency", "required"))?;
        Ok(Self {
            agency,
            page: Some(paging.page),
            per_page: Some(paging.per_page),
        })
    }
}

/// A page of officials with their roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficialPage {
    pub items: Vec<Me>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// A new official (cán bộ); they receive an e-mail to set their password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOfficial {
    pub email: String,
    pub full_name: String,
    pub agency_code: String,
    pub roles: Vec<Role>,
    /// Whether signing in needs a TOTP code too.
    #[serde(default)]
    pub totp_required: bool,
}

/// All of an official's roles (in every agency) after the change.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    pub roles: Vec<RoleAssignment>,
}

/// Lists the officials holding a role in an agency.
#[utoipa::path(
    operation_id = "list_officials",
    get,
    path = "/api/v1/admin/officials",
    tag = "officials",
    security(("bearer_jwt" = ["admin"]), ("session_cookie" = []), ("admin_token" = [])),
    params(OfficialListParams),
    responses(
        (status = 200, description = "A page of officials", body = OfficialPage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator of this agency", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agency", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<OfficialListParams>,
) -> Result<Json<OfficialPage>, Problem> {
    let actor = acting(&caller)?;
    let paging = Paging {
        page: params.page.unwrap_or(1),
        per_page: params.per_page.unwrap_or(Paging::DEFAULT_PER_PAGE),
    };
    let page = state
        .accounts
        .officials(actor, &params.agency, paging.request())
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for account in page.items {
        let roles = state.accounts.roles_of(actor, &account.id).await?;
        items.push(Me { account, roles });
    }
    Ok(Json(OfficialPage {
        items,
        total: page.total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// Creates an official in an agency with roles there.
#[utoipa::path(
    operation_id = "create_official",
    post,
    path = "/api/v1/admin/officials",
    tag = "officials",
    security(("bearer_jwt" = ["admin"]), ("session_cookie" = []), ("admin_token" = [])),
    request_body = NewOfficial,
    responses(
        (status = 201, description = "Created", body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed in this agency, or for these roles", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail address is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiJson(body): ApiJson<NewOfficial>,
) -> Result<(StatusCode, Json<Me>), Problem> {
    let actor = acting(&caller)?;
    let input = CreateOfficial {
        email: body.email,
        full_name: body.full_name,
        agency_code: body.agency_code,
        roles: body.roles,
        totp_required: body.totp_required,
    };
    let account = state
        .accounts
        .create_official(actor, &input, &client.identity(), Timestamp::now())
        .await?;
    let roles = state.accounts.roles_of(actor, &account.id).await?;
    Ok((StatusCode::CREATED, Json(Me { account, roles })))
}

/// Replaces an official's roles. Each role given or taken away must be one
/// the caller may assign in its agency.
#[utoipa::path(
    put,
    path = "/api/v1/admin/officials/{id}/roles",
    tag = "officials",
    security(("bearer_jwt" = ["admin"]), ("session_cookie" = []), ("admin_token" = [])),
    params(("id" = String, Path, description = "The official's account id")),
    request_body = Roles,
    responses(
        (status = 200, description = "The roles now", body = Roles),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A change is not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_roles(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Roles>,
) -> Result<Json<Roles>, Problem> {
    let actor = acting(&caller)?;
    let roles = state
        .accounts
        .set_roles(
            actor,
            &AccountId(id),
            &body.roles,
            &client.identity(),
            Timestamp::now(),
        )
        .await?;
    Ok(Json(Roles { roles }))
}
