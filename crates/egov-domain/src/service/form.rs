//! The application form (tờ khai) as data: typed fields and their rules.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::LocalText;
use crate::attachment::MediaType;
use crate::InvalidField;

/// The form: fields in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FormSpec {
    #[schema(no_recursion)]
    pub fields: Vec<FieldSpec>,
}

/// What a field is pre-filled with from the applicant's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Prefill {
    FullName,
    NationalId,
    DateOfBirth,
    Phone,
    Email,
    TaxCode,
    OrganisationName,
}

/// A field is required only when another field has a given value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Condition {
    pub field: String,
    pub equals: String,
}

/// One option of a choice field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChoiceOption {
    pub value: String,
    pub label: LocalText,
}

/// One field of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldSpec {
    /// Lowercase key: letters, digits, `_`.
    pub key: String,
    pub label: LocalText,
    #[serde(default)]
    pub help: Option<LocalText>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub required_if: Option<Condition>,
    #[serde(default)]
    pub prefill: Option<Prefill>,
    #[serde(flatten)]
    #[schema(no_recursion)]
    pub kind: FieldKind,
}

/// The type of a field and its type-specific rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FieldKind {
    Text {
        #[serde(default)]
        max_length: Option<u32>,
        #[serde(default)]
        multiline: bool,
    },
    /// A whole number.
    Number {
        #[serde(default)]
        min: Option<i64>,
        #[serde(default)]
        max: Option<i64>,
    },
    Date {
        #[serde(default)]
        not_future: bool,
        #[serde(default)]
        not_past: bool,
    },
    /// A 12-digit personal identification number (số định danh cá nhân).
    NationalId,
    /// The code of a current administrative unit (mã ĐVHC).
    AdminUnit,
    Choice {
        options: Vec<ChoiceOption>,
    },
    /// Rows of sub-fields (e.g. the members of a household).
    Table {
        #[schema(no_recursion)]
        columns: Vec<FieldSpec>,
        #[serde(default)]
        min_rows: u32,
        max_rows: u32,
    },
    /// An attached document (thành phần hồ sơ), uploaded separately.
    File {
        accept: Vec<MediaType>,
        #[serde(default = "one")]
        max_files: u32,
    },
}

fn one() -> u32 {
    1
}

pub(crate) fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl FormSpec {
    pub fn field(&self, key: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The file fields: the documents the applicant attaches.
    pub fn documents(&self) -> impl Iterator<Item = &FieldSpec> {
        self.fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::File { .. }))
    }

    pub(crate) fn validate_definition(&self) -> Result<(), InvalidField> {
        if self.fields.is_empty() {
            return Err(InvalidField::new("form", "at least one field"));
        }
        check_fields(&self.fields, true)?;
        for field in &self.fields {
            if let Some(cond) = &field.required_if {
                if self.field(&cond.field).is_none() || cond.field == field.key {
                    return Err(InvalidField::new(
                        "form",
                        format!("`{}` depends on unknown field `{}`", field.key, cond.field),
                    ));
                }
            }
        }
        Ok(())
    }
}

fn check_fields(fields: &[FieldSpec], top_level: bool) -> Result<(), InvalidField> {
    let mut keys = std::collections::HashSet::new();
    for field in fields {
        let bad = |reason: &str| InvalidField::new("form", format!("`{}`: {reason}", field.key));
        if !is_key(&field.key) || !keys.insert(field.key.as_str()) {
            return Err(bad("keys are unique, lowercase letters, digits and _"));
        }
        if field.label.vi.trim().is_empty() {
            return Err(bad("a Vietnamese label is required"));
        }
        match &field.kind {
            FieldKind::Choice { options } if options.is_empty() => {
                return Err(bad("a choice needs options"))
            }
            FieldKind::Number {
                min: Some(a),
                max: Some(b),
            } if a > b => return Err(bad("min is above max")),
            FieldKind::Date {
                not_future: true,
                not_past: true,
            } => return Err(bad("a date cannot be neither past nor future")),
            FieldKind::Table { .. } if !top_level => return Err(bad("tables do not nest")),
            FieldKind::Table {
                columns,
                min_rows,
                max_rows,
            } => {
                if columns.is_empty() || max_rows == &0 || min_rows > max_rows {
                    return Err(bad("a table needs columns and 0 < max_rows ≥ min_rows"));
                }
                check_fields(columns, false)?;
            }
            FieldKind::File { .. } if !top_level => return Err(bad("files are not in tables")),
            FieldKind::File { accept, max_files } if accept.is_empty() || *max_files == 0 => {
                return Err(bad("a file field accepts at least one type and one file"))
            }
            _ => {}
        }
    }
    Ok(())
}
