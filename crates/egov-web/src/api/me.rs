//! `/api/v1/me`: the caller's own account. With an access token, reading
//! needs the `profile` scope and changing needs `account:write`; with the
//! session cookie, `X-Requested-With` must be sent.

use axum::extract::State;
use axum::Json;
use egov_app::identity::{ContactChange, ProfileUpdate};
use egov_app::ports::CodePurpose;
use egov_domain::identity::{Account, RoleAssignment};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, ClientInfo};
use crate::extract::ApiJson;
use crate::problem::Problem;
use crate::state::AppState;

/// An account with the roles it holds (officials).
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub account: Account,
    pub roles: Vec<RoleAssignment>,
}

/// Changes to one's account; absent fields stay. A new e-mail address or
/// phone number gets a code and replaces the old one only once verified
/// (`POST /api/v1/me/verification`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeUpdate {
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Which contact detail a code verifies.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Contact {
    Email,
    Phone,
}

/// A verification code received by e-mail or SMS.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    pub contact: Contact,
    /// Six digits.
    pub code: String,
}

/// The account and its roles, as `actor` may see them.
pub async fn me_of(state: &AppState, caller: &Caller) -> Result<Me, Problem> {
    let id = caller.person()?;
    let account = state.accounts.account(&caller.actor, id).await?;
    let roles = state.accounts.roles_of(&caller.actor, id).await?;
    Ok(Me { account, roles })
}

/// The caller's own account.
#[utoipa::path(
    operation_id = "get_me",
    get,
    path = "/api/v1/me",
    tag = "accounts",
    security(("bearer_jwt" = ["profile"]), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The caller's account", body = Me),
        (status = 401, description = "Not signed in, or the token is refused", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `profile` scope", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(State(state): State<AppState>, caller: Caller) -> Result<Json<Me>, Problem> {
    Ok(Json(me_of(&state, &caller).await?))
}

/// Changes the caller's name, or starts changing their e-mail or phone.
#[utoipa::path(
    patch,
    path = "/api/v1/me",
    tag = "accounts",
    security(("bearer_jwt" = ["account:write"]), ("session_cookie" = [])),
    request_body = MeUpdate,
    responses(
        (status = 200, description = "The account after the change", body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `account:write` scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many codes sent; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiJson(update): ApiJson<MeUpdate>,
) -> Result<Json<Me>, Problem> {
    let id = caller.person()?.clone();
    let (actor, ctx, now) = (&caller.actor, client.identity(), Timestamp::now());
    if let Some(full_name) = update.full_name {
        let change = ProfileUpdate {
            full_name: Some(full_name),
            ..ProfileUpdate::default()
        };
        state
            .accounts
            .update_profile(actor, &id, &change, &ctx, now)
            .await?;
    }
    if let Some(email) = update.email {
        let change = ContactChange::Email(email);
        state
            .accounts
            .change_contact(actor, &id, &change, &ctx, now)
            .await?;
    }
    if let Some(phone) = update.phone {
        let change = ContactChange::Phone(phone);
        state
            .accounts
            .change_contact(actor, &id, &change, &ctx, now)
            .await?;
    }
    Ok(Json(me_of(&state, &caller).await?))
}

/// Enters a code sent to the caller's e-mail address or phone.
#[utoipa::path(
    post,
    path = "/api/v1/me/verification",
    tag = "accounts",
    security(("bearer_jwt" = ["account:write"]), ("session_cookie" = [])),
    request_body = Verification,
    responses(
        (status = 200, description = "Verified; the account now", body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The code is wrong or has expired", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiJson(body): ApiJson<Verification>,
) -> Result<Json<Me>, Problem> {
    let id = caller.person()?.clone();
    let purpose = match body.contact {
        Contact::Email => CodePurpose::VerifyEmail,
        Contact::Phone => CodePurpose::VerifyPhone,
    };
    state
        .accounts
        .verify_contact(
            &caller.actor,
            &id,
            purpose,
            &body.code,
            &client.identity(),
            Timestamp::now(),
        )
        .await?;
    Ok(Json(me_of(&state, &caller).await?))
}
