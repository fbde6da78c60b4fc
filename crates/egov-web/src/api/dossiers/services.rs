//! Online service definitions (`/api/v1/services`) and the working-day
//! calendar (`/api/v1/calendar`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use egov_app::dossiers::{CalendarYear, ServiceSummary};
use egov_domain::calendar::{CalendarOverride, OverrideKind};
use egov_domain::service::ServiceDefinition;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;

use super::json::{PublishResult, PublishedService};
use crate::api::accounts::acting;
use crate::api::procedures::path_code;
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath};
use crate::problem::Problem;
use crate::state::AppState;

/// The online services, by procedure code.
#[utoipa::path(
    get,
    path = "/api/v1/services",
    operation_id = "list_services",
    tag = "services",
    responses(
        (status = 200, description = "Every published service, current version", body = [ServiceSummary]),
    )
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<ServiceSummary>>, Problem> {
    Ok(Json(state.dossiers.services().await?))
}

/// The current definition of an online service: its form, fees, deadline
/// and workflow.
#[utoipa::path(
    get,
    path = "/api/v1/services/{procedure_code}",
    operation_id = "get_service",
    tag = "services",
    params(("procedure_code" = String, Path, description = "Procedure code (mã thủ tục)", example = "1.001193")),
    responses(
        (status = 200, description = "The current definition", body = PublishedService),
        (status = 400, description = "Not a procedure code", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No online service for this procedure", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<PublishedService>, Problem> {
    let code = path_code(&code)?;
    let (version, definition) = state.dossiers.service(code.as_str()).await?;
    Ok(Json(PublishedService {
        version,
        definition,
    }))
}

/// Publishes an online service definition (system administrators): a new
/// version when it differs from the current one.
#[utoipa::path(
    put,
    path = "/api/v1/services/{procedure_code}",
    operation_id = "publish_service",
    tag = "services",
    security(("bearer_jwt" = ["admin"]), ("session_cookie" = []), ("admin_token" = [])),
    params(("procedure_code" = String, Path, description = "Procedure code; must equal `procedure_code` in the body")),
    request_body(content = ServiceDefinition, content_type = "application/json"),
    responses(
        (status = 200, description = "Published (or unchanged)", body = PublishResult),
        (status = 400, description = "Malformed JSON or path", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a system administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such procedure in the catalogue", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The definition refers to something that does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The definition is incoherent; names the field", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(definition): ApiJson<ServiceDefinition>,
) -> Result<Json<PublishResult>, Problem> {
    let actor = acting(&caller)?;
    let code = path_code(&code)?;
    if definition.procedure_code != code {
        return Err(Problem::field(
            "procedure_code",
            "must equal the procedure code in the path",
        ));
    }
    let (version, changed) = state
        .dossiers
        .publish_service(actor, definition, Timestamp::now())
        .await?;
    Ok(Json(PublishResult {
        procedure_code: code.as_str().to_owned(),
        version,
        changed,
    }))
}

/// A day declared off or worked (ngày nghỉ, ngày làm bù).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayDeclaration {
    pub kind: OverrideKind,
    /// As announced, e.g. "Nghỉ bù cho thứ Bảy 10/01/2026".
    pub reason: String,
}

/// Years the calendar answers for.
const YEARS: std::ops::RangeInclusive<i16> = 1990..=2100;

fn path_year(year: &str) -> Result<i16, Problem> {
    match year.parse::<i16>() {
        Ok(y) if YEARS.contains(&y) => Ok(y),
        _ => Err(Problem::parameter(
            "year",
            format!(
                "`{year}` is not a year from {} to {}",
                YEARS.start(),
                YEARS.end()
            ),
        )),
    }
}

fn path_date(date: &str) -> Result<Date, Problem> {
    date.parse::<Date>()
        .map_err(|_| Problem::parameter("date", "not a date; use YYYY-MM-DD"))
}

/// The working-day calendar of a year: the Labour Code holidays and the
/// days an administrator declared.
#[utoipa::path(
    get,
    path = "/api/v1/calendar/{year}",
    operation_id = "get_calendar_year",
    tag = "services",
    params(("year" = i16, Path, description = "Gregorian year", example = 2026)),
    responses(
        (status = 200, description = "Holidays and declared days", body = CalendarYear),
        (status = 400, description = "Not a year in range", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn calendar_year(
    State(state): State<AppState>,
    ApiPath(year): ApiPath<String>,
) -> Result<Json<CalendarYear>, Problem> {
    let year = path_year(&year)?;
    Ok(Json(state.dossiers.calendar_year(year).await?))
}

/// Declares a day off or a make-up working day (replaces an earlier
/// declaration of the same date).
#[utoipa::path(
    put,
    path = "/api/v1/calendar/days/{date}",
    operation_id = "declare_calendar_day",
    tag = "services",
    security(("bearer_jwt" = ["admin"]), ("session_cookie" = []), ("admin_token" = [])),
    params(("date" = String, Path, description = "The date, YYYY-MM-DD", example = "2026-01-02")),
    request_body = DayDeclaration,
    responses(
        (status = 200, description = "Declared", body = CalendarOverride),
        (status = 400, description = "Not a date, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to manage services", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason, or a working day that already is one", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn declare_day(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(date): ApiPath<String>,
    ApiJson(body): ApiJson<DayDeclaration>,
) -> Result<Json<CalendarOverride>, Problem> {
    let actor = acting(&caller)?;
    let date = path_date(&date)?;
    // The use case validates it (reason given, a working day not one already).
    let day = CalendarOverride {
        date,
        kind: body.kind,
        reason: body.reason.trim().to_owned(),
    };
    state.dossiers.declare_day(actor, day.clone()).await?;
    Ok(Json(day))
}

/// Removes a declared day.
#[utoipa::path(
    delete,
    path = "/api/v1/calendar/days/{date}",
    operation_id = "remove_calendar_day",
    tag = "services",
    security(("bearer_jwt" = ["admin"]), ("session_cookie" = []), ("admin_token" = [])),
    params(("date" = String, Path, description = "The date, YYYY-MM-DD")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Not a date", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to manage services", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No day declared on that date", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_day(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(date): ApiPath<String>,
) -> Result<StatusCode, Problem> {
    let actor = acting(&caller)?;
    let date = path_date(&date)?;
    if state.dossiers.remove_declared_day(actor, date).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found(format!("no day declared on {date}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_dates_are_checked() {
        assert_eq!(path_year("2026").unwrap(), 2026);
        for bad in ["20x6", "1800", "40000", ""] {
            assert_eq!(path_year(bad).unwrap_err().status, 400, "{bad}");
        }
        assert_eq!(
            path_date("2026-01-02").unwrap(),
            jiff::civil::date(2026, 1, 2)
        );
        assert_eq!(path_date("2026-02-30").unwrap_err().status, 400);
    }
}
