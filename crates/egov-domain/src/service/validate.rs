//! Checking submitted form values against the form definition. Every
//! invalid field is reported at once; valid values come back normalised
//! (trimmed text, whole numbers, ISO dates).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::form::{FieldKind, FieldSpec, FormSpec};
use crate::attachment::MediaType;
use crate::identity::NationalId;

/// What validation needs from outside: today's date, which administrative
/// units exist, and what is attached under each document key.
pub struct FormContext<'a> {
    pub today: Date,
    pub unit_exists: &'a dyn Fn(&str) -> bool,
    pub attached: &'a dyn Fn(&str) -> Vec<MediaType>,
}

/// Why a value was refused; stable codes for message catalogues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FieldErrorCode {
    Required,
    UnknownField,
    WrongType,
    TooLong,
    NotANumber,
    OutOfRange,
    InvalidDate,
    DateInFuture,
    DateInPast,
    InvalidNationalId,
    UnknownUnit,
    NotAnOption,
    TooFewRows,
    TooManyRows,
    TooManyFiles,
    FileType,
}

/// One invalid field: its path (`children[1].name`), a code and an English message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: FieldErrorCode,
    pub message: String,
}

/// Every invalid field of a submission.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} invalid field(s): {}", .0.len(), .0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", "))]
pub struct FormErrors(pub Vec<FieldError>);

const MAX_TEXT: usize = 2000;

impl FormSpec {
    /// Checks `values` (a JSON object keyed by field) and returns them
    /// normalised, or every invalid field.
    pub fn validate_values(
        &self,
        values: &Value,
        ctx: &FormContext<'_>,
    ) -> Result<Value, FormErrors> {
        let mut errors = Vec::new();
        let empty = Map::new();
        let object = match values {
            Value::Object(map) => map,
            Value::Null => &empty,
            _ => {
                return Err(FormErrors(vec![error(
                    "",
                    FieldErrorCode::WrongType,
                    "the form is a JSON object",
                )]))
            }
        };
        for key in object.keys() {
            if self.field(key).is_none() {
                errors.push(error(
                    key,
                    FieldErrorCode::UnknownField,
                    "no such field in this form",
                ));
            }
        }
        let mut out = Map::new();
        for field in &self.fields {
            let required = field.required
                || field.required_if.as_ref().is_some_and(|c| {
                    object
                        .get(&c.field)
                        .and_then(as_text)
                        .is_some_and(|v| v == c.equals)
                });
            if let Some(value) = check_field(
                field,
                &field.key,
                object.get(&field.key),
                required,
                ctx,
                &mut errors,
            ) {
                out.insert(field.key.clone(), value);
            }
        }
        if errors.is_empty() {
            Ok(Value::Object(out))
        } else {
            Err(FormErrors(errors))
        }
    }
}

fn error(field: &str, code: FieldErrorCode, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        code,
        message: message.into(),
    }
}

/// A string value, or a number written as one; empty strings are absent.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(rows)) => rows.is_empty(),
        _ => false,
    }
}

fn check_field(
    field: &FieldSpec,
    path: &str,
    value: Option<&Value>,
    required: bool,
    ctx: &FormContext<'_>,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    if let FieldKind::File { accept, max_files } = &field.kind {
        check_files(field, path, accept, *max_files, required, ctx, errors);
        return None;
    }
    if is_blank(value) {
        if required {
            errors.push(error(
                path,
                FieldErrorCode::Required,
                "this field is required",
            ));
        }
        return None;
    }
    let value = value?;
    let result = match &field.kind {
        FieldKind::Table {
            columns,
            min_rows,
            max_rows,
        } => return check_table(columns, path, value, *min_rows, *max_rows, ctx, errors),
        kind => check_scalar(kind, value, ctx),
    };
    match result {
        Ok(v) => Some(v),
        Err((code, message)) => {
            errors.push(error(path, code, message));
            None
        }
    }
}

type Refusal = (FieldErrorCode, String);

fn check_scalar(kind: &FieldKind, value: &Value, ctx: &FormContext<'_>) -> Result<Value, Refusal> {
    let text = as_text(value).ok_or((
        FieldErrorCode::WrongType,
        "expected a text value".to_owned(),
    ))?;
    match kind {
        FieldKind::Text { max_length, .. } => {
            let limit = max_length.map_or(MAX_TEXT, |m| m as usize).min(MAX_TEXT);
            if text.chars().count() > limit {
                return Err((
                    FieldErrorCode::TooLong,
                    format!("at most {limit} characters"),
                ));
            }
            Ok(Value::String(text))
        }
        FieldKind::Number { min, max } => {
            let n: i64 = text.replace(['.', ' '], "").parse().map_err(|_| {
                (
                    FieldErrorCode::NotANumber,
                    "expected a whole number".to_owned(),
                )
            })?;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                let range = format!(
                    "{} – {}",
                    min.map_or("…".into(), |m| m.to_string()),
                    max.map_or("…".into(), |m| m.to_string())
                );
                return Err((
                    FieldErrorCode::OutOfRange,
                    format!("expected a number in {range}"),
                ));
            }
            Ok(Value::from(n))
        }
        FieldKind::Date {
            not_future,
            not_past,
        } => {
            let date: Date = text.parse().map_err(|_| {
                (
                    FieldErrorCode::InvalidDate,
                    "expected a date YYYY-MM-DD".to_owned(),
                )
            })?;
            if *not_future && date > ctx.today {
                return Err((
                    FieldErrorCode::DateInFuture,
                    "the date cannot be in the future".to_owned(),
                ));
            }
            if *not_past && date < ctx.today {
                return Err((
                    FieldErrorCode::DateInPast,
                    "the date cannot be in the past".to_owned(),
                ));
            }
            Ok(Value::String(date.to_string()))
        }
        FieldKind::NationalId => NationalId::parse(&text, ctx.today)
            .map(|id| Value::String(id.as_str().to_owned()))
            .map_err(|e| (FieldErrorCode::InvalidNationalId, e.reason)),
        FieldKind::AdminUnit => {
            if (ctx.unit_exists)(&text) {
                Ok(Value::String(text))
            } else {
                Err((
                    FieldErrorCode::UnknownUnit,
                    "no current administrative unit has this code".to_owned(),
                ))
            }
        }
        FieldKind::Choice { options } => {
            if options.iter().any(|o| o.value == text) {
                Ok(Value::String(text))
            } else {
                Err((
                    FieldErrorCode::NotAnOption,
                    "not one of the options".to_owned(),
                ))
            }
        }
        FieldKind::Table { .. } | FieldKind::File { .. } => {
            Err((FieldErrorCode::WrongType, "not a simple value".to_owned()))
        }
    }
}

fn check_table(
    columns: &[FieldSpec],
    path: &str,
    value: &Value,
    min_rows: u32,
    max_rows: u32,
    ctx: &FormContext<'_>,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    let Value::Array(rows) = value else {
        errors.push(error(
            path,
            FieldErrorCode::WrongType,
            "expected a list of rows",
        ));
        return None;
    };
    if rows.len() < min_rows as usize {
        errors.push(error(
            path,
            FieldErrorCode::TooFewRows,
            format!("at least {min_rows} row(s)"),
        ));
    }
    if rows.len() > max_rows as usize {
        errors.push(error(
            path,
            FieldErrorCode::TooManyRows,
            format!("at most {max_rows} row(s)"),
        ));
        return None;
    }
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let row_path = format!("{path}[{i}]");
        let Value::Object(cells) = row else {
            errors.push(error(
                &row_path,
                FieldErrorCode::WrongType,
                "a row is an object",
            ));
            continue;
        };
        for key in cells.keys() {
            if !columns.iter().any(|c| &c.key == key) {
                errors.push(error(
                    &format!("{row_path}.{key}"),
                    FieldErrorCode::UnknownField,
                    "no such column",
                ));
            }
        }
        let mut row_out = Map::new();
        for column in columns {
            let cell_path = format!("{row_path}.{}", column.key);
            if let Some(v) = check_field(
                column,
                &cell_path,
                cells.get(&column.key),
                column.required,
                ctx,
                errors,
            ) {
                row_out.insert(column.key.clone(), v);
            }
        }
        out.push(Value::Object(row_out));
    }
    Some(Value::Array(out))
}

fn check_files(
    field: &FieldSpec,
    path: &str,
    accept: &[MediaType],
    max_files: u32,
    required: bool,
    ctx: &FormContext<'_>,
    errors: &mut Vec<FieldError>,
) {
    let files = (ctx.attached)(&field.key);
    if files.is_empty() && required {
        errors.push(error(
            path,
            FieldErrorCode::Required,
            "attach this document",
        ));
    }
    if files.len() > max_files as usize {
        errors.push(error(
            path,
            FieldErrorCode::TooManyFiles,
            format!("at most {max_files} file(s)"),
        ));
    }
    if files.iter().any(|t| !accept.contains(t)) {
        errors.push(error(
            path,
            FieldErrorCode::FileType,
            "a file of a type this document does not accept",
        ));
    }
}
