//! `/api/v1/admin/oidc-clients`: the relying parties of the OpenID Connect
//! provider, registered by a system administrator.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use egov_app::oidc::RegisterClient;
use egov_app::ports::{ClientKind, OidcClient};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::acting;
use crate::auth::{Caller, ClientInfo};
use crate::extract::ApiJson;
use crate::problem::Problem;
use crate::state::AppState;

/// A client to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    /// Letters, digits, `.`, `_`, `-` (3–64); random when absent.
    pub client_id: Option<String>,
    pub name: String,
    pub kind: ClientKind,
    /// Exact redirect URIs: https, or http on a loopback address.
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    pub allowed_scopes: Vec<String>,
    /// `authorization_code`, `refresh_token`, `client_credentials`.
    pub grant_types: Vec<String>,
}

/// A registered client and, for a confidential one, its secret — shown this
/// once and stored only as a digest.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredClient {
    pub client: OidcClient,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

/// Lists the registered clients.
#[utoipa::path(
    operation_id = "list_oidc_clients",
    get,
    path = "/api/v1/admin/oidc-clients",
    tag = "openid connect",
    security(("bearer_jwt" = ["admin"]), ("session_cookie" = []), ("admin_token" = [])),
    responses(
        (status = 200, description = "Every client", body = [OidcClient]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a system administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<OidcClient>>, Problem> {
    let actor = acting(&caller)?;
    Ok(Json(state.oidc.clients(actor).await?))
}

/// Registers a client.
#[utoipa::path(
    operation_id = "create_oidc_client",
    post,
    path = "/api/v1/admin/oidc-clients",
    tag = "openid connect",
    security(("bearer_jwt" = ["admin"]), ("session_cookie" = []), ("admin_token" = [])),
    request_body = NewClient,
    responses(
        (status = 201, description = "Registered", body = RegisteredClient),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a system administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The client id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiJson(body): ApiJson<NewClient>,
) -> Result<(StatusCode, Json<RegisteredClient>), Problem> {
    let actor = acting(&caller)?;
    let request = RegisterClient {
        client_id: body.client_id,
        name: body.name,
        kind: body.kind,
        redirect_uris: body.redirect_uris,
        post_logout_redirect_uris: body.post_logout_redirect_uris,
        allowed_scopes: body.allowed_scopes,
        grant_types: body.grant_types,
    };
    let (registered, client_secret) = state
        .oidc
        .register_client(actor, request, &client.oidc(), Timestamp::now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(RegisteredClient {
            client: registered,
            client_secret,
        }),
    ))
}
