//! `/api/v1/admin/audit`: the audit log (nhật ký), newest first. System
//! administrators read everything; agency administrators the entries by or
//! about an official of their agency (name them with `actor` or `subject`);
//! anyone the entries about themselves.

use axum::extract::State;
use axum::Json;
use egov_app::ports::{AuditEntry, AuditFilter};
use egov_domain::identity::AccountId;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::accounts::acting;
use crate::auth::Caller;
use crate::extract::{ApiQuery, FromQuery, Paging, QueryReader};
use crate::problem::Problem;
use crate::state::AppState;

/// Filters of the audit log.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Entries by this account.
    #[param(max_length = 64)]
    pub actor: Option<String>,
    /// Entries about this account or client.
    #[param(max_length = 128)]
    pub subject: Option<String>,
    /// Entries whose action starts with this (`sign-in`, `role.`, `token.`…).
    #[param(max_length = 64)]
    pub action: Option<String>,
    #[param(minimum = 1, maximum = 1000, default = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

impl FromQuery for AuditParams {
    const NAMES: &'static [&'static str] = &["actor", "subject", "action", "page", "per_page"];

    fn from_query(query: &QueryReader) -> Result<Self, Problem> {
        let paging = query.paging()?;
        Ok(Self {
            actor: query.text("actor", 64)?,
            subject: query.text("subject", 128)?,
            action: query.text("action", 64)?,
            page: Some(paging.page),
            per_page: Some(paging.per_page),
        })
    }
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// Reads the audit log.
#[utoipa::path(
    operation_id = "list_audit",
    get,
    path = "/api/v1/admin/audit",
    tag = "officials",
    security(("bearer_jwt" = ["admin"]), ("session_cookie" = []), ("admin_token" = [])),
    params(AuditParams),
    responses(
        (status = 200, description = "Entries, newest first", body = AuditPage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to read these entries", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Json<AuditPage>, Problem> {
    let actor = acting(&caller)?;
    let paging = Paging {
        page: params.page.unwrap_or(1),
        per_page: params.per_page.unwrap_or(Paging::DEFAULT_PER_PAGE),
    };
    let filter = AuditFilter {
        actor: params.actor.map(AccountId),
        subject: params.subject,
        action_prefix: params.action,
        page: paging.request(),
    };
    let page = state.accounts.audit_log(actor, &filter).await?;
    Ok(Json(AuditPage {
        items: page.items,
        total: page.total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}
