//! Problem details (RFC 9457): the one error body of the JSON API, and the one
//! mapping from [`AppError`] to HTTP status codes.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use egov_app::AppError;
use egov_domain::attachment::AttachmentRejected;
use egov_domain::service::{FieldErrorCode, FormErrors};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of problem bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error as `application/problem+json` (RFC 9457).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/invalid-parameter",
    "title": "Invalid query parameter",
    "status": 400,
    "detail": "tier: `xyz` is not a tier; use central, province, district, commune or other",
    "instance": "/api/v1/procedures",
    "errors": [{"parameter": "tier", "reason": "`xyz` is not a tier; use central, province, district, commune or other"}]
}))]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Short summary of the kind of problem.
    pub title: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The path of the request (never its query string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Each parameter, field or record that was refused, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemItem>,
    /// Seconds to wait before trying again (also sent as `Retry-After`).
    #[serde(skip)]
    pub retry_after: Option<u32>,
}

/// One refused input: a query or path `parameter`, a body `field`, or an
/// import file `location` (line or record), with the reason and, where there
/// is one, a stable `code` (e.g. `required`, `attachment-type-mismatch`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// A stable code for the reason, for programs and message catalogues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub reason: String,
}

impl ProblemItem {
    /// A refused body field with a stable code.
    pub fn field(name: &str, code: &str, reason: impl Into<String>) -> Self {
        Self {
            parameter: None,
            field: Some(name.to_owned()),
            location: None,
            code: Some(code.to_owned()),
            reason: reason.into(),
        }
    }
}

impl Problem {
    /// `kind` is the problem type URI (`/problems/…`).
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            title,
            status: status.as_u16(),
            detail: detail.into(),
            instance: None,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// A generic problem for a bare status code (from a layer or the router).
    pub fn from_status(status: StatusCode) -> Self {
        let title = status.canonical_reason().unwrap_or("Error");
        let detail = match status {
            StatusCode::NOT_FOUND => "There is nothing at this address.",
            StatusCode::METHOD_NOT_ALLOWED => "This address does not accept that method.",
            StatusCode::PAYLOAD_TOO_LARGE => "The request body is too large.",
            StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => {
                "The request took too long; try again later."
            }
            s if s.is_server_error() => "The server failed; the error has been logged.",
            _ => title,
        };
        Self {
            kind: "about:blank",
            title,
            status: status.as_u16(),
            detail: detail.to_owned(),
            instance: None,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// A refused query or path parameter (400).
    pub fn parameter(name: &str, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        let mut p = Self::new(
            StatusCode::BAD_REQUEST,
            "/problems/invalid-parameter",
            "Invalid parameter",
            format!("{name}: {reason}"),
        );
        p.errors.push(ProblemItem {
            parameter: Some(name.to_owned()),
            field: None,
            location: None,
            code: None,
            reason,
        });
        p
    }

    /// A refused body field (422).
    pub fn field(name: &str, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        let mut p = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "/problems/invalid-field",
            "Invalid field",
            format!("{name}: {reason}"),
        );
        p.errors.push(ProblemItem {
            parameter: None,
            field: Some(name.to_owned()),
            location: None,
            code: None,
            reason,
        });
        p
    }

    /// A body that is not what the endpoint reads (400, 413, 415 or 422).
    pub fn body(status: StatusCode, detail: impl Into<String>) -> Self {
        let title = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "Request body too large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "Unsupported media type",
            _ => "Invalid request body",
        };
        let kind = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "/problems/body-too-large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "/problems/unsupported-media-type",
            _ => "/problems/invalid-body",
        };
        Self::new(status, kind, title, detail)
    }

    /// Every invalid field of a submitted form (422): `errors` lists each
    /// with its path (`children[1].name`), a stable code and the reason.
    pub fn form(errors: FormErrors) -> Self {
        let names: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        let mut p = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "/problems/invalid-form",
            "The form has invalid fields",
            format!("{} invalid field(s): {}", names.len(), names.join(", ")),
        );
        p.errors = errors
            .0
            .into_iter()
            .map(|e| ProblemItem::field(&e.field, &field_error_code(e.code), e.message))
            .collect();
        p
    }

    /// A refused upload: 413 too large, 415 a type not accepted, 422 empty
    /// or a name or declared type that lies about the content.
    pub fn attachment(rejected: &AttachmentRejected) -> Self {
        let (status, title) = match rejected {
            AttachmentRejected::TooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "File too large")
            }
            AttachmentRejected::ForbiddenType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "File type not accepted")
            }
            AttachmentRejected::Empty | AttachmentRejected::TypeMismatch { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "File refused")
            }
        };
        let reason = rejected.to_string();
        let mut p = Self::new(
            status,
            "/problems/attachment-refused",
            title,
            reason.clone(),
        );
        p.errors
            .push(ProblemItem::field("file", rejected.code(), reason));
        p
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "/problems/not-found",
            "Not found",
            detail,
        )
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The body bytes (serialisation of this plain struct cannot fail; an
    /// empty object is the fallback all the same).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_else(|_| b"{}".to_vec())
    }
}

impl From<AppError> for Problem {
    /// The one mapping from use-case errors to HTTP. Server faults are logged
    /// here, once, and their detail never reaches the client.
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid(invalid) => Problem::field(invalid.field, invalid.reason),
            AppError::Import { location, reason } => {
                let mut p = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "/problems/import-failed",
                    "Import file refused; nothing was imported",
                    format!("{location}: {reason}"),
                );
                p.errors.push(ProblemItem {
                    parameter: None,
                    field: None,
                    location: Some(location),
                    code: None,
                    reason,
                });
                p
            }
            AppError::NotFound { entity, code } => {
                Problem::not_found(format!("{entity} `{code}` not found"))
            }
            AppError::Conflict(detail) => Problem::new(
                StatusCode::CONFLICT,
                "/problems/conflict",
                "Conflict",
                detail,
            ),
            AppError::Unauthenticated(detail) => Problem::new(
                StatusCode::UNAUTHORIZED,
                "/problems/unauthenticated",
                "Sign-in required or failed",
                detail,
            ),
            AppError::Denied(denied) => Problem::new(
                StatusCode::FORBIDDEN,
                "/problems/forbidden",
                "Not allowed",
                denied.reason,
            ),
            AppError::Throttled {
                retry_after_seconds,
            } => {
                let mut p = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "/problems/too-many-attempts",
                    "Too many attempts",
                    format!("try again in {retry_after_seconds} seconds"),
                );
                p.retry_after = Some(u32::try_from(retry_after_seconds).unwrap_or(u32::MAX));
                p
            }
            AppError::Form(errors) => Problem::form(errors),
            AppError::Transition(illegal) => Problem::new(
                StatusCode::CONFLICT,
                "/problems/illegal-transition",
                "Not possible in the dossier's status",
                format!(
                    "{illegal}: the dossier is `{}`, the action `{}` is not allowed now",
                    illegal.from.as_str(),
                    illegal.transition.as_str()
                ),
            ),
            AppError::Attachment(rejected) => Problem::attachment(&rejected),
            e @ (AppError::Search(_) | AppError::Storage(_)) => {
                tracing::error!(error = %e, "request failed");
                Problem::from_status(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

/// The stable name of a form error code: its serialised (kebab-case) form.
fn field_error_code(code: FieldErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{code:?}"),
    }
}

impl From<egov_import::ImportError> for Problem {
    fn from(e: egov_import::ImportError) -> Self {
        Problem::from(AppError::Import {
            location: e.location,
            reason: e.reason,
        })
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = self.to_json();
        let mut response = (self.status(), body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == 401 {
            // RFC 9110: a 401 names how to authenticate (callers may replace it).
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"egov\""),
            );
        }
        // The edge middleware fills in `instance` from the request path.
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egov_domain::InvalidField;

    #[test]
    fn app_errors_map_to_statuses() {
        let cases = [
            (AppError::Invalid(InvalidField::new("name", "empty")), 422),
            (
                AppError::Import {
                    location: "line 3".into(),
                    reason: "bad".into(),
                },
                422,
            ),
            (AppError::not_found("procedure", "1.0"), 404),
            (AppError::Conflict("dup".into()), 409),
            (AppError::Unauthenticated("who?".into()), 401),
            (
                AppError::Denied(egov_domain::identity::Denied {
                    reason: "no".into(),
                }),
                403,
            ),
            (
                AppError::Throttled {
                    retry_after_seconds: 60,
                },
                429,
            ),
            (AppError::Search("tantivy detail".into()), 500),
            (AppError::Storage("secret dsn".into()), 500),
        ];
        for (error, status) in cases {
            assert_eq!(Problem::from(error).status, status);
        }
    }

    #[test]
    fn dossier_errors_map_to_statuses() {
        use egov_domain::attachment::{AttachmentRejected as R, MediaType};
        use egov_domain::dossier::{DossierStatus, IllegalTransition, Transition};
        let illegal = IllegalTransition {
            from: DossierStatus::Submitted,
            transition: Transition::Approve,
        };
        let cases = [
            (AppError::Transition(illegal), 409),
            (AppError::Attachment(R::Empty), 422),
            (AppError::Attachment(R::TooLarge { limit: 1, size: 2 }), 413),
            (AppError::Attachment(R::ForbiddenType), 415),
            (
                AppError::Attachment(R::TypeMismatch {
                    declared: ".pdf".into(),
                    actual: Some(MediaType::Png),
                }),
                422,
            ),
        ];
        for (error, status) in cases {
            assert_eq!(Problem::from(error).status, status);
        }
        let p = Problem::from(AppError::Transition(illegal));
        assert!(p.detail.contains("`submitted`") && p.detail.contains("`approve`"));
        let p = Problem::from(AppError::Attachment(R::ForbiddenType));
        assert_eq!(
            p.errors[0].code.as_deref(),
            Some("attachment-forbidden-type")
        );
    }

    #[test]
    fn form_errors_list_every_field_with_its_code() {
        use egov_domain::service::{FieldError, FormErrors};
        let errors = FormErrors(vec![
            FieldError {
                field: "child_name".into(),
                code: FieldErrorCode::Required,
                message: "is required".into(),
            },
            FieldError {
                field: "children[1].birth_date".into(),
                code: FieldErrorCode::DateInFuture,
                message: "is in the future".into(),
            },
        ]);
        let json: serde_json::Value =
            serde_json::from_slice(&Problem::from(AppError::Form(errors)).to_json()).unwrap();
        assert_eq!(json["status"], 422);
        assert_eq!(json["type"], "/problems/invalid-form");
        assert_eq!(json["errors"][0]["field"], "child_name");
        assert_eq!(json["errors"][0]["code"], "required");
        assert_eq!(json["errors"][1]["field"], "children[1].birth_date");
        assert_eq!(json["errors"][1]["code"], "date-in-future");
        assert_eq!(json["errors"][1]["reason"], "is in the future");
    }

    #[test]
    fn throttling_says_when_to_try_again() {
        let p = Problem::from(AppError::Throttled {
            retry_after_seconds: 90,
        });
        let response = p.into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "90");
        let response = Problem::from(AppError::Unauthenticated("x".into())).into_response();
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }

    #[test]
    fn server_faults_hide_their_detail() {
        let p = Problem::from(AppError::Storage("postgres://user:pw@db".into()));
        let body = String::from_utf8(p.to_json()).unwrap();
        assert!(!body.contains("postgres"), "{body}");
    }

    #[test]
    fn import_errors_name_the_location() {
        let p = Problem::from(AppError::Import {
            location: "line 7".into(),
            reason: "missing name".into(),
        });
        assert!(p.detail.contains("line 7"));
        assert_eq!(p.errors[0].location.as_deref(), Some("line 7"));
    }

    #[test]
    fn parameter_problems_name_the_parameter() {
        let json: serde_json::Value =
            serde_json::from_slice(&Problem::parameter("page", "must be a number").to_json())
                .unwrap();
        assert_eq!(json["status"], 400);
        assert_eq!(json["errors"][0]["parameter"], "page");
        assert!(json.get("instance").is_none());
    }
}
