//! What the form pages share: errors listed in a summary at the top (each a
//! link to its field) and repeated beside the field, and the mapping from
//! refused use cases to those errors.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use egov_app::AppError;

use crate::i18n::Messages;

/// One error of a form: the id of the input it concerns, and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The errors of a form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    pub items: Vec<FieldError>,
}

impl FormErrors {
    pub fn none() -> Self {
        Self::default()
    }

    /// One error on `field`.
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.push(field, message);
        errors
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.items.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The message about `field`, if any (shown beside it).
    pub fn of(&self, field: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// `aria-describedby` / `aria-invalid` helpers for templates.
    pub fn invalid(&self, field: &str) -> &'static str {
        aria_invalid(self.of(field).is_some())
    }
}

/// The value of `aria-invalid` for a control with or without an error.
pub fn aria_invalid(has_error: bool) -> &'static str {
    if has_error {
        "true"
    } else {
        "false"
    }
}

/// A field of a form: the name the use case reports, the input's id, and the
/// message key of its label.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub input: &'static str,
    pub label: &'static str,
}

pub const fn field(name: &'static str, input: &'static str, label: &'static str) -> Field {
    Field { name, input, label }
}

/// The form errors a refused use case stands for, or the error back when it
/// is not about the form (not allowed, too many attempts, a server fault).
/// `fields` lists the form's fields; the first one takes errors that name none.
pub fn form_errors(t: Messages, error: AppError, fields: &[Field]) -> Result<FormErrors, AppError> {
    let (name, reason) = match error {
        AppError::Invalid(invalid) => (invalid.field.to_owned(), invalid.reason),
        AppError::Conflict(detail) => match detail.split_once(": ") {
            Some((name, reason)) => (name.to_owned(), reason.to_owned()),
            None => (String::new(), detail),
        },
        other => return Err(other),
    };
    let found = fields.iter().find(|f| f.name == name);
    let target = found.or(fields.first());
    let input = target.map_or("main", |f| f.input);
    let message = match found {
        Some(f) => t.fill(
            "form.invalid",
            &[("field", t.get(f.label)), ("reason", reason.as_str())],
        ),
        None => t.fill("form.invalid.other", &[("reason", reason.as_str())]),
    };
    Ok(FormErrors::one(input, message))
}

/// Adds `Retry-After` to a response.
pub fn with_retry_after(mut response: Response, seconds: u64) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// The status of a form shown again with its errors.
pub const INVALID: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use egov_domain::InvalidField;

    const FIELDS: [Field; 2] = [
        field("login", "login", "sign_in.login"),
        field("password", "password", "sign_in.password"),
    ];

    #[test]
    fn invalid_fields_point_at_their_input() {
        let t = Lang::En.messages();
        let e = AppError::Invalid(InvalidField::new("password", "too short"));
        let errors = form_errors(t, e, &FIELDS).unwrap();
        assert_eq!(errors.items[0].field, "password");
        assert!(errors.of("password").unwrap().contains("too short"));
        assert_eq!(errors.invalid("password"), "true");
        assert_eq!(errors.invalid("login"), "false");
    }

    #[test]
    fn conflicts_name_their_field_and_others_fall_to_the_first() {
        let t = Lang::En.messages();
        let e = AppError::Conflict("password: taken".into());
        assert_eq!(
            form_errors(t, e, &FIELDS).unwrap().items[0].field,
            "password"
        );
        let e = AppError::Conflict("something else".into());
        assert_eq!(form_errors(t, e, &FIELDS).unwrap().items[0].field, "login");
        let e = AppError::Throttled {
            retry_after_seconds: 5,
        };
        assert!(form_errors(t, e, &FIELDS).is_err());
    }
}
