//! `/api/v1/accounts` (registration, reading an account) and
//! `/api/v1/sessions` (signing in and out with the session cookie).
//!
//! Reading someone else's account is `403`, whether or not the id exists:
//! the answer tells nothing about other accounts (the use case refuses
//! before it looks).

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use egov_app::identity::{RegisterCitizen, RegisterOrganisation};
use egov_domain::identity::{Account, AccountId, Actor, Sex};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::me::Me;
use crate::auth::{cookies, Caller, ClientInfo};
use crate::extract::{ApiJson, ApiPath};
use crate::problem::Problem;
use crate::state::AppState;

/// A registration: a citizen (công dân) or an organisation (tổ chức).
#[derive(Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Registration {
    Citizen {
        /// Số định danh cá nhân (12 digits); becomes the login.
        national_id: String,
        full_name: String,
        /// `YYYY-MM-DD`.
        date_of_birth: String,
        sex: Option<Sex>,
        phone: String,
        email: String,
        password: String,
    },
    Organisation {
        /// Mã số thuế; becomes the login.
        tax_code: String,
        name: String,
        representative_name: String,
        representative_national_id: String,
        email: String,
        phone: String,
        password: String,
    },
}

/// Signing in with the session cookie.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    /// National ID, tax code or (officials) e-mail address.
    pub login: String,
    pub password: String,
    /// The authenticator app's code, for accounts with a second factor.
    pub totp: Option<String>,
}

/// A new session; the cookie carries it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionCreated {
    pub account: Account,
    /// When the session ends at the latest.
    #[schema(value_type = String)]
    pub expires_at: Timestamp,
}

/// Registers a citizen or an organisation. Codes to verify the e-mail
/// address and phone are sent at once.
#[utoipa::path(
    post,
    path = "/api/v1/accounts",
    tag = "accounts",
    request_body = Registration,
    responses(
        (status = 201, description = "Registered", body = Account),
        (status = 409, description = "The national ID or tax code is registered already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<Registration>,
) -> Result<Response, Problem> {
    let (ctx, now) = (client.identity(), Timestamp::now());
    let account = match body {
        Registration::Citizen {
            national_id,
            full_name,
            date_of_birth,
            sex,
            phone,
            email,
            password,
        } => {
            let input = RegisterCitizen {
                national_id,
                full_name,
                date_of_birth,
                sex,
                phone,
                email,
                password,
            };
            state.accounts.register_citizen(&input, &ctx, now).await?
        }
        Registration::Organisation {
            tax_code,
            name,
            representative_name,
            representative_national_id,
            email,
            phone,
            password,
        } => {
            let input = RegisterOrganisation {
                tax_code,
                name,
                representative_name,
                representative_national_id,
                email,
                phone,
                password,
            };
            state
                .accounts
                .register_organisation(&input, &ctx, now)
                .await?
        }
    };
    let location = format!("/api/v1/accounts/{}", account.id);
    let mut response = (StatusCode::CREATED, Json(account)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// The actor, or 401 for an anonymous caller.
pub fn acting(caller: &Caller) -> Result<&Actor, Problem> {
    match caller.actor {
        Actor::Anonymous => Err(caller.person().err().unwrap_or_else(|| {
            Problem::from(egov_app::AppError::Unauthenticated("sign in first".into()))
        })),
        _ => Ok(&caller.actor),
    }
}

/// An account: one's own (or, for administrators, an official they manage).
#[utoipa::path(
    operation_id = "get_account",
    get,
    path = "/api/v1/accounts/{id}",
    tag = "accounts",
    security(("bearer_jwt" = ["profile"]), ("session_cookie" = []), ("admin_token" = [])),
    params(("id" = String, Path, description = "The account id")),
    responses(
        (status = 200, description = "The account", body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yours (whether or not it exists)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Me>, Problem> {
    let actor = acting(&caller)?;
    let id = AccountId(id);
    let account = state.accounts.account(actor, &id).await?;
    let roles = state.accounts.roles_of(actor, &id).await?;
    Ok(Json(Me { account, roles }))
}

/// Signs in and sets the session cookie (for browser apps on this site).
/// Unknown logins and wrong passwords get the same 401.
#[utoipa::path(
    post,
    path = "/api/v1/sessions",
    tag = "accounts",
    request_body = SignInRequest,
    responses(
        (status = 201, description = "Signed in; `Set-Cookie` carries the session", body = SessionCreated),
        (status = 401, description = "Wrong sign-in details, or a TOTP code is needed", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<SignInRequest>,
) -> Result<Response, Problem> {
    let signed_in = state
        .accounts
        .sign_in(
            &body.login,
            &body.password,
            body.totp.as_deref(),
            &client.identity(),
            Timestamp::now(),
        )
        .await?;
    let secure = state.config.secure_cookies;
    let name = cookies::session_cookie_name(secure);
    let created = SessionCreated {
        expires_at: signed_in.session.expires_at,
        account: signed_in.account,
    };
    let mut response = (StatusCode::CREATED, Json(created)).into_response();
    if let Some(cookie) = cookies::set(
        name,
        &signed_in.session_token,
        secure,
        cookies::SameSite::Lax,
    ) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Ends the session of the cookie (sent with `X-Requested-With`).
#[utoipa::path(
    delete,
    path = "/api/v1/sessions/current",
    tag = "accounts",
    security(("session_cookie" = [])),
    responses(
        (status = 204, description = "Signed out; the cookie is deleted"),
        (status = 401, description = "No session", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_out(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
) -> Result<Response, Problem> {
    let Some(session) = &caller.session else {
        return Err(caller.person().err().unwrap_or_else(|| {
            Problem::from(egov_app::AppError::Unauthenticated(
                "no session cookie".into(),
            ))
        }));
    };
    state
        .accounts
        .sign_out(&session.token, &client.identity(), Timestamp::now())
        .await?;
    let secure = state.config.secure_cookies;
    let mut response = StatusCode::NO_CONTENT.into_response();
    let clear = cookies::clear(cookies::session_cookie_name(secure), secure);
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(response)
}
