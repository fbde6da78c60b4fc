//! The officials' inbox (`/api/v1/inbox`) and one's notifications
//! (`/api/v1/notifications`).

use axum::extract::State;
use axum::Json;
use egov_app::dossiers::InboxQuery;
use egov_domain::dossier::DossierStatus;
use egov_domain::InvalidField;
use jiff::Timestamp;
use utoipa::IntoParams;

use super::filing::{PageParams, PageQuery};
use super::json::{DossierPage, MarkedRead, NotificationJson, NotificationPage};
use crate::api::accounts::acting;
use crate::api::procedures::path_code;
use crate::auth::Caller;
use crate::extract::{ApiQuery, FromQuery, Paging, QueryReader};
use crate::problem::Problem;
use crate::state::AppState;

/// Filters of the inbox.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// Only dossiers in this status.
    pub status: Option<DossierStatus>,
    /// Only dossiers past their deadline.
    #[param(default = false)]
    pub overdue: Option<bool>,
    /// Only dossiers assigned to the caller.
    #[param(default = false)]
    pub mine: Option<bool>,
    /// Every dossier of the caller's agencies, not only those awaiting the caller's roles.
    #[param(default = false)]
    pub all_roles: Option<bool>,
    /// Only dossiers of this procedure.
    pub procedure: Option<String>,
    /// A dossier code or its beginning.
    #[param(max_length = 64)]
    pub code: Option<String>,
    #[param(minimum = 1, maximum = 1000, default = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

fn flag(s: &str) -> Result<bool, InvalidField> {
    match s {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(InvalidField::new("flag", "use true or false")),
    }
}

fn status(s: &str) -> Result<DossierStatus, InvalidField> {
    DossierStatus::parse(s).ok_or_else(|| {
        let known: Vec<&str> = DossierStatus::ALL.iter().map(|s| s.as_str()).collect();
        InvalidField::new(
            "status",
            format!("not a status; use one of {}", known.join(", ")),
        )
    })
}

/// The inbox query, checked.
#[derive(Debug)]
pub struct Inbox {
    query: InboxQuery,
    paging: Paging,
}

impl FromQuery for Inbox {
    const NAMES: &'static [&'static str] = &[
        "status",
        "overdue",
        "mine",
        "all_roles",
        "procedure",
        "code",
        "page",
        "per_page",
    ];

    fn from_query(q: &QueryReader) -> Result<Self, Problem> {
        let paging = q.paging()?;
        let procedure_code = match q.text("procedure", 64)? {
            Some(code) => Some(
                path_code(&code)
                    .map_err(|p| Problem::parameter("procedure", p.detail))?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        let query = InboxQuery {
            all_roles: q.parse("all_roles", flag)?.unwrap_or(false),
            status: q.parse("status", status)?,
            assigned_to_me: q.parse("mine", flag)?.unwrap_or(false),
            overdue_only: q.parse("overdue", flag)?.unwrap_or(false),
            procedure_code,
            code: q.text("code", 64)?,
            page: paging.request(),
        };
        Ok(Self { query, paging })
    }
}

/// The dossiers an official's agencies handle: by default those awaiting
/// the caller's roles, oldest deadline first.
#[utoipa::path(
    get,
    path = "/api/v1/inbox",
    operation_id = "inbox",
    tag = "dossiers",
    security(("bearer_jwt" = ["admin"]), ("session_cookie" = [])),
    params(InboxParams),
    responses(
        (status = 200, description = "A page of dossiers", body = DossierPage),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an official who handles dossiers", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(Inbox { query, paging }): ApiQuery<Inbox>,
) -> Result<Json<DossierPage>, Problem> {
    let actor = acting(&caller)?;
    let page = state.dossiers.inbox(actor, query, Timestamp::now()).await?;
    Ok(Json(DossierPage::new(page, paging)))
}

/// The caller's notifications, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    operation_id = "list_notifications",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of notifications", body = NotificationPage),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `dossiers` scope", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn notifications(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(PageQuery(paging)): ApiQuery<PageQuery>,
) -> Result<Json<NotificationPage>, Problem> {
    let actor = acting(&caller)?;
    let page = state
        .dossiers
        .notifications(actor, paging.request())
        .await?;
    Ok(Json(NotificationPage {
        items: page.items.into_iter().map(NotificationJson::from).collect(),
        total: page.total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// Marks all of the caller's notifications read.
#[utoipa::path(
    post,
    path = "/api/v1/notifications/read",
    operation_id = "mark_notifications_read",
    tag = "dossiers",
    security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
    responses(
        (status = 200, description = "How many were marked", body = MarkedRead),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `dossiers` scope", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<MarkedRead>, Problem> {
    let actor = acting(&caller)?;
    let marked = state
        .dossiers
        .mark_notifications_read(actor, Timestamp::now())
        .await?;
    Ok(Json(MarkedRead { marked }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Uri;

    fn inbox(q: &str) -> Result<Inbox, Problem> {
        let uri: Uri = format!("/api/v1/inbox?{q}").parse().unwrap();
        let reader = QueryReader::from_uri(&uri)?;
        reader.deny_unknown(Inbox::NAMES)?;
        Inbox::from_query(&reader)
    }

    #[test]
    fn filters_are_read() {
        let i = inbox("status=processing&overdue=true&mine=1&procedure=1.001193&code=000.01&page=2&per_page=10")
            .unwrap();
        assert_eq!(i.query.status, Some(DossierStatus::Processing));
        assert!(i.query.overdue_only && i.query.assigned_to_me && !i.query.all_roles);
        assert_eq!(i.query.procedure_code.as_deref(), Some("1.001193"));
        assert_eq!(i.query.code.as_deref(), Some("000.01"));
        assert_eq!(i.query.page.offset, 10);
    }

    #[test]
    fn bad_filters_name_the_parameter() {
        for (q, name) in [
            ("status=lost", "status"),
            ("overdue=maybe", "overdue"),
            ("procedure=a%20b", "procedure"),
            ("colour=red", "colour"),
        ] {
            let p = inbox(q).unwrap_err();
            assert_eq!(p.errors[0].parameter.as_deref(), Some(name), "{q}");
        }
    }
}
