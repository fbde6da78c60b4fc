//! Actions on a dossier, each a sub-resource: `POST
//! /api/v1/dossiers/{code}/{action}`. Each answers with the dossier's view
//! after the change. The status machine and who may act are the use case's:
//! an action the status does not allow is 409 naming both, one the caller
//! may not take is 403. Every body may carry the `version` of the dossier the
//! caller saw; when it changed since, nothing is done (409).

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::Json;
use egov_app::dossiers::Command;
use egov_app::AppError;
use egov_domain::identity::AccountId;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::ToSchema;

use super::json::{Bare, DossierViewJson, StepJson};
use super::path_dossier_code;
use crate::api::accounts::acting;
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, RawBody};
use crate::problem::Problem;
use crate::state::AppState;

/// A JSON body that may be left out (an empty body is `T::default()`).
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let (parts, body) = req.into_parts();
        let RawBody(bytes) =
            RawBody::from_request(Request::from_parts(parts.clone(), body), state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        ApiJson::<T>::from_request(req, state)
            .await
            .map(|ApiJson(t)| OptionalJson(t))
    }
}

/// Applies `command` unless the dossier changed since `version`, then reads
/// the view again.
async fn act(
    state: &AppState,
    caller: &Caller,
    code: &str,
    version: Option<i64>,
    command: Command,
) -> Result<Json<DossierViewJson>, Problem> {
    let actor = acting(caller)?;
    let code = path_dossier_code(code)?.to_string();
    if let Some(seen) = version {
        let current = state
            .dossiers
            .dossier(actor, &code, Timestamp::now())
            .await?;
        if current.dossier.version != seen {
            return Err(stale(seen, current.dossier.version));
        }
    }
    let dossier = state
        .dossiers
        .act(actor, &code, command, Timestamp::now())
        .await?;
    let now = Timestamp::now();
    match state.dossiers.dossier(actor, &code, now).await {
        Ok(view) => Ok(Json(view.into())),
        // The action took the dossier out of the caller's reach (a
        // transfer to another agency): what was done, without the rest.
        Err(AppError::Denied(_) | AppError::NotFound { .. }) => {
            let clock = dossier.clock();
            let due_soon = state.dossiers.config().due_soon;
            Ok(Json(DossierViewJson {
                step: StepJson {
                    index: dossier.step,
                    name: None,
                    role: dossier.awaiting,
                },
                deadline: clock.status(now, due_soon),
                effective_due_at: clock.effective_due(now),
                dossier: dossier.into(),
                service: None,
                timeline: Vec::new(),
                documents: Vec::new(),
                attachments: Vec::new(),
                allowed: Vec::new(),
            }))
        }
        Err(e) => Err(e.into()),
    }
}

fn stale(seen: i64, current: i64) -> Problem {
    Problem::new(
        StatusCode::CONFLICT,
        "/problems/stale-version",
        "The dossier changed meanwhile",
        format!(
            "the dossier is at version {current}, not {seen}: reload it and decide again; nothing was done"
        ),
    )
}

/// A reason given for the action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub reason: String,
    /// The dossier's `version` the caller last saw.
    pub version: Option<i64>,
}

/// A note with the action (may be empty).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    #[serde(default)]
    pub note: String,
    /// The dossier's `version` the caller last saw.
    pub version: Option<i64>,
}

/// Giving the dossier to a specialist.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// The specialist's account id.
    pub specialist: String,
    pub version: Option<i64>,
}

/// Handing the dossier to another agency (liên thông).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// The agency's code.
    pub agency: String,
    #[serde(default)]
    pub note: String,
    pub version: Option<i64>,
}

/// An apology with a new appointment date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApologyBody {
    pub reason: String,
    /// The new appointment date, YYYY-MM-DD.
    #[schema(value_type = String, format = Date, example = "2026-12-01")]
    pub new_due: Date,
    pub version: Option<i64>,
}

/// A message on the dossier between the officials and the applicant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    pub text: String,
    pub version: Option<i64>,
}

/// The applicant's satisfaction rating (mức độ hài lòng).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    /// 1 (very unsatisfied) to 5 (very satisfied).
    #[schema(minimum = 1, maximum = 5)]
    pub rating: u8,
    #[serde(default)]
    pub comment: String,
    pub version: Option<i64>,
}

/// Who may take an action, for the 403 of its OpenAPI description.
const DESK_ONLY: &str = "Not a receiving officer of the agency that received it";
const HANDLERS_ONLY: &str = "Not an official of the handling agency with the role this step needs";
const APPLICANT_ONLY: &str = "Not the dossier's applicant";

/// One action handler with its OpenAPI description.
macro_rules! action {
    (
        $(#[doc = $doc:tt])*
        $name:ident, $path:tt, $who:tt, $extract:ident<$body:ty>, |$b:ident| $command:expr
    ) => {
        $(#[doc = $doc])*
        #[utoipa::path(
            post,
            path = $path,
            operation_id = concat!("dossier_", stringify!($name)),
            tag = "dossier actions",
            security(("bearer_jwt" = ["dossiers"]), ("session_cookie" = [])),
            params(("code" = String, Path, description = "The dossier code")),
            request_body = $body,
            responses(
                (status = 200, description = "Done; the dossier now", body = DossierViewJson),
                (status = 400, description = "Not a dossier code, or malformed JSON", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = $who, body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such dossier", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "The dossier's status does not allow this (the problem names both), or it changed since `version`; nothing was done", body = Problem, content_type = "application/problem+json"),
                (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
                (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "A field is invalid (e.g. an empty reason, a rating out of range)", body = Problem, content_type = "application/problem+json"),
            )
        )]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            ApiPath(code): ApiPath<String>,
            $extract($b): $extract<$body>,
        ) -> Result<Json<DossierViewJson>, Problem> {
            let version = $b.version;
            let command = $command;
            act(&state, &caller, &code, version, command).await
        }
    };
}

action! {
    /// Desk: accepts the dossier at intake; the receipt with the appointment date is issued.
    accept, "/api/v1/dossiers/{code}/accept", DESK_ONLY, OptionalJson<Bare>, |b| Command::Accept
}
action! {
    /// Desk: refuses the dossier at intake, with reasons; the refusal slip is issued.
    refuse_intake, "/api/v1/dossiers/{code}/refuse-intake", DESK_ONLY, ApiJson<Reason>,
    |b| Command::RefuseIntake { reason: b.reason }
}
action! {
    /// Desk or leader: gives the dossier to a specialist of the handling agency.
    assign, "/api/v1/dossiers/{code}/assign", HANDLERS_ONLY, ApiJson<AssignBody>,
    |b| Command::Assign { specialist: AccountId(b.specialist) }
}
action! {
    /// Hands the dossier to another agency (liên thông).
    transfer, "/api/v1/dossiers/{code}/transfer", HANDLERS_ONLY, ApiJson<TransferBody>,
    |b| Command::Transfer { agency: b.agency, note: b.note }
}
action! {
    /// Specialist: proposes the decision to the leader.
    propose, "/api/v1/dossiers/{code}/propose", HANDLERS_ONLY, OptionalJson<Note>,
    |b| Command::Propose { note: b.note }
}
action! {
    /// Leader: sends the proposal back to the specialist.
    send_back, "/api/v1/dossiers/{code}/send-back", HANDLERS_ONLY, OptionalJson<Note>,
    |b| Command::SendBack { note: b.note }
}
action! {
    /// Desk (at intake) or specialist: asks the applicant for more; the
    /// request slip is issued and the clock pauses.
    request_supplement, "/api/v1/dossiers/{code}/request-supplement", HANDLERS_ONLY, ApiJson<Reason>,
    |b| Command::RequestSupplement { reason: b.reason }
}
action! {
    /// Applicant: the supplement is done (upload the files first with
    /// `POST /api/v1/dossiers/{code}/attachments`).
    supplement, "/api/v1/dossiers/{code}/supplement", APPLICANT_ONLY, OptionalJson<Note>,
    |b| Command::Supplement { note: b.note }
}
action! {
    /// Leader: approves; the signed result is issued.
    approve, "/api/v1/dossiers/{code}/approve", HANDLERS_ONLY, OptionalJson<Note>,
    |b| Command::Approve { note: b.note }
}
action! {
    /// Leader: refuses on the merits and stops processing, with reasons.
    stop, "/api/v1/dossiers/{code}/stop", HANDLERS_ONLY, ApiJson<Reason>,
    |b| Command::Stop { reason: b.reason }
}
action! {
    /// Applicant: withdraws the dossier.
    withdraw, "/api/v1/dossiers/{code}/withdraw", APPLICANT_ONLY, ApiJson<Reason>,
    |b| Command::Withdraw { reason: b.reason }
}
action! {
    /// Desk: the result was returned to the applicant.
    return_result, "/api/v1/dossiers/{code}/return-result", DESK_ONLY, OptionalJson<Bare>,
    |b| Command::ReturnResult
}
action! {
    /// An official of the handling agency: apologises and sets a new
    /// appointment date; the apology letter is issued.
    apologise, "/api/v1/dossiers/{code}/apologise", HANDLERS_ONLY, ApiJson<ApologyBody>,
    |b| Command::Apologise { reason: b.reason, new_due: b.new_due }
}
action! {
    /// The applicant or an official handling it: a message on the dossier.
    message, "/api/v1/dossiers/{code}/messages", "Neither its applicant nor an official handling it",
    ApiJson<MessageBody>, |b| Command::Message { text: b.text }
}
action! {
    /// Applicant: rates the service once it is over.
    rate, "/api/v1/dossiers/{code}/rating", APPLICANT_ONLY, ApiJson<RatingBody>,
    |b| Command::Rate { rating: b.rating, comment: b.comment }
}
