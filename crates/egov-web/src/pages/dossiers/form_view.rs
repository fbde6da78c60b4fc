//! The application form (tờ khai) as HTML: a [`FormSpec`] becomes labelled
//! inputs, posted inputs become the JSON values the use cases keep, and the
//! use cases' field errors become messages next to the right input.
//!
//! Input names: `f.{key}` for a value, `f.{key}.{row}.{column}` for a table
//! cell, `file.{key}` for a document's files. Input ids: `f-{key}` (the
//! first radio of a choice: `f-{key}-0`; a table's fieldset: `f-{key}`),
//! `f-{key}-{row}-{column}`, `file-{key}`.

use egov_app::ports::Attachment;
use egov_domain::attachment::MediaType;
use egov_domain::service::{FieldErrorCode, FieldKind, FieldSpec, FormSpec};
use serde_json::{Map, Value};

use super::super::forms::{aria_invalid, FormErrors};
use crate::i18n::{Lang, Messages};

/// Choices with more options than this are a `<select>`, fewer are radios.
const MAX_RADIOS: usize = 6;

/// One option of a choice.
#[derive(Debug, Clone)]
pub struct OptionView {
    pub id: String,
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One uploaded file of a document.
#[derive(Debug, Clone)]
pub struct FileView {
    pub id: String,
    pub name: String,
    pub size: String,
    pub href: String,
}

/// One row of a table field: its legend and its cells.
#[derive(Debug, Clone)]
pub struct RowView {
    pub legend: String,
    pub cells: Vec<FieldView>,
}

/// One field as the page shows it. `widget` picks the markup: `text`,
/// `textarea`, `number`, `date`, `national-id`, `admin-unit`, `radios`,
/// `select`, `table` or `file`.
#[derive(Debug, Clone)]
pub struct FieldView {
    pub id: String,
    pub name: String,
    pub widget: &'static str,
    pub label: String,
    /// Help text and what the input expects; empty when there is none.
    pub hint: String,
    pub required: bool,
    pub error: Option<String>,
    pub value: String,
    pub max_length: u32,
    pub options: Vec<OptionView>,
    pub rows: Vec<RowView>,
    pub files: Vec<FileView>,
    /// `accept` of a file input.
    pub accept: String,
    /// More files may be attached to this document.
    pub more_files: bool,
}

impl FieldView {
    /// `aria-describedby` of the control: the hint and the error, when shown.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.name_id()));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name_id()));
        }
        ids.join(" ")
    }

    /// The stem of the ids of the hint and the error (the id without the
    /// `-0` of a first radio).
    pub fn name_id(&self) -> String {
        match self.widget {
            "radios" => self
                .id
                .strip_suffix("-0")
                .unwrap_or(self.id.as_str())
                .to_owned(),
            _ => self.id.clone(),
        }
    }

    pub fn invalid(&self) -> &'static str {
        aria_invalid(self.error.is_some())
    }
}

/// What a field is filled with, as typed.
fn as_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// `prefix` with the keys of a table cell.
fn cell_id(key: &str, row: usize, column: &str) -> String {
    format!("f-{key}-{row}-{column}")
}

/// The id of the control a field's error points at.
pub fn control_id(field: &FieldSpec) -> String {
    match &field.kind {
        FieldKind::File { .. } => format!("file-{}", field.key),
        FieldKind::Choice { options } if options.len() <= MAX_RADIOS => {
            format!("f-{}-0", field.key)
        }
        _ => format!("f-{}", field.key),
    }
}

fn accept_of(accept: &[MediaType]) -> String {
    accept
        .iter()
        .flat_map(|m| [format!(".{}", m.extension()), m.as_mime().to_owned()])
        .collect::<Vec<_>>()
        .join(",")
}

fn types_of(accept: &[MediaType]) -> String {
    accept
        .iter()
        .map(|m| m.extension().to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A size for people: `12 KB`, `1,5 MB`.
pub fn human_size(lang: Lang, bytes: u64) -> String {
    let text = if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024).max(1))
    } else {
        let tenths = (bytes * 10).div_ceil(1024 * 1024);
        format!("{}.{} MB", tenths / 10, tenths % 10)
    };
    match lang {
        Lang::Vi => text.replace('.', ","),
        Lang::En => text,
    }
}

/// Builds the page's fields from the form, what was typed, the attached files
/// and the errors (keyed by control id).
pub struct FormRenderer<'a> {
    pub t: Messages,
    pub spec: &'a FormSpec,
    pub values: &'a Value,
    pub attachments: &'a [Attachment],
    pub errors: &'a FormErrors,
    /// Address of an attachment's download.
    pub file_href: &'a (dyn Fn(&Attachment) -> String + Sync),
}

impl FormRenderer<'_> {
    pub fn fields(&self) -> Vec<FieldView> {
        self.spec
            .fields
            .iter()
            .map(|f| {
                self.field(
                    f,
                    &format!("f-{}", f.key),
                    &format!("f.{}", f.key),
                    self.values.get(&f.key),
                    f.label.get(self.t.lang().code()),
                )
            })
            .collect()
    }

    fn hint(&self, field: &FieldSpec) -> String {
        let lang = self.t.lang().code();
        let mut parts: Vec<String> = Vec::new();
        if let Some(help) = &field.help {
            parts.push(help.get(lang).to_owned());
        }
        let t = self.t;
        match &field.kind {
            FieldKind::Date { .. } => parts.push(t.get("apply.hint.date").to_owned()),
            FieldKind::NationalId => parts.push(t.get("apply.hint.national_id").to_owned()),
            FieldKind::AdminUnit => parts.push(t.get("apply.hint.admin_unit").to_owned()),
            FieldKind::Number { min, max } => match (min, max) {
                (Some(a), Some(b)) => parts.push(t.fill(
                    "apply.hint.range",
                    &[("min", &a.to_string()), ("max", &b.to_string())],
                )),
                (Some(a), None) => parts.push(t.fill("apply.hint.min", &[("min", &a.to_string())])),
                (None, Some(b)) => parts.push(t.fill("apply.hint.max", &[("max", &b.to_string())])),
                (None, None) => {}
            },
            FieldKind::File { accept, max_files } => parts.push(t.fill(
                "apply.hint.files",
                &[
                    ("types", &types_of(accept)),
                    ("count", &max_files.to_string()),
                ],
            )),
            FieldKind::Table { max_rows, .. } => {
                parts.push(t.fill("apply.hint.rows", &[("max", &max_rows.to_string())]))
            }
            _ => {}
        }
        parts.join(" ")
    }

    fn field(
        &self,
        field: &FieldSpec,
        id: &str,
        name: &str,
        value: Option<&Value>,
        label: &str,
    ) -> FieldView {
        let mut view = FieldView {
            id: id.to_owned(),
            name: name.to_owned(),
            widget: "text",
            label: label.to_owned(),
            hint: self.hint(field),
            required: field.required,
            error: None,
            value: as_text(value),
            max_length: 2000,
            options: Vec::new(),
            rows: Vec::new(),
            files: Vec::new(),
            accept: String::new(),
            more_files: false,
        };
        let lang = self.t.lang().code();
        match &field.kind {
            FieldKind::Text {
                max_length,
                multiline,
            } => {
                view.widget = if *multiline { "textarea" } else { "text" };
                view.max_length = max_length.unwrap_or(2000).min(2000);
            }
            FieldKind::Number { .. } => view.widget = "number",
            FieldKind::Date { .. } => view.widget = "date",
            FieldKind::NationalId => view.widget = "national-id",
            FieldKind::AdminUnit => view.widget = "admin-unit",
            FieldKind::Choice { options } => {
                let radios = options.len() <= MAX_RADIOS;
                view.widget = if radios { "radios" } else { "select" };
                if radios {
                    view.id = format!("{id}-0");
                }
                view.options = options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| OptionView {
                        id: format!("{id}-{i}"),
                        value: o.value.clone(),
                        label: o.label.get(lang).to_owned(),
                        checked: view.value == o.value,
                    })
                    .collect();
            }
            FieldKind::Table {
                columns, max_rows, ..
            } => {
                view.widget = "table";
                let rows = value.and_then(Value::as_array);
                view.rows = (0..*max_rows as usize)
                    .map(|r| {
                        let row = rows.and_then(|rows| rows.get(r));
                        let number = (r + 1).to_string();
                        RowView {
                            legend: self
                                .t
                                .fill("apply.row", &[("table", label), ("number", &number)]),
                            cells: columns
                                .iter()
                                .map(|c| {
                                    let cell_label = c.label.get(lang).to_owned();
                                    let mut cell = self.field(
                                        c,
                                        &cell_id(&field.key, r, &c.key),
                                        &format!("f.{}.{r}.{}", field.key, c.key),
                                        row.and_then(|row| row.get(&c.key)),
                                        &cell_label,
                                    );
                                    cell.error = self
                                        .errors
                                        .of(&control_id_of_cell(&field.key, r, c))
                                        .map(str::to_owned);
                                    cell
                                })
                                .collect(),
                        }
                    })
                    .collect();
            }
            FieldKind::File { accept, max_files } => {
                view.widget = "file";
                view.id = format!("file-{}", field.key);
                view.name = format!("file.{}", field.key);
                view.accept = accept_of(accept);
                view.files = self
                    .attachments
                    .iter()
                    .filter(|a| a.document_key == field.key)
                    .map(|a| FileView {
                        id: a.id.clone(),
                        name: a.file_name.clone(),
                        size: human_size(self.t.lang(), a.size),
                        href: (self.file_href)(a),
                    })
                    .collect();
                view.more_files = view.files.len() < *max_files as usize;
            }
        }
        if view.error.is_none() {
            view.error = self.errors.of(&view.id).map(str::to_owned);
        }
        view
    }
}

fn control_id_of_cell(table: &str, row: usize, column: &FieldSpec) -> String {
    match &column.kind {
        FieldKind::Choice { options } if options.len() <= MAX_RADIOS => {
            format!("{}-0", cell_id(table, row, &column.key))
        }
        _ => cell_id(table, row, &column.key),
    }
}

/// The form values posted by the page, as JSON: blank inputs are left out,
/// table rows with no value are dropped.
pub fn values_from(spec: &FormSpec, get: &(dyn Fn(&str) -> Option<String> + Sync)) -> Value {
    let mut out = Map::new();
    for field in &spec.fields {
        match &field.kind {
            FieldKind::File { .. } => {}
            FieldKind::Table {
                columns, max_rows, ..
            } => {
                let mut rows = Vec::new();
                for r in 0..*max_rows as usize {
                    let mut row = Map::new();
                    for c in columns {
                        if let Some(v) = get(&format!("f.{}.{r}.{}", field.key, c.key)) {
                            row.insert(c.key.clone(), Value::String(v));
                        }
                    }
                    if !row.is_empty() {
                        rows.push(Value::Object(row));
                    }
                }
                if !rows.is_empty() {
                    out.insert(field.key.clone(), Value::Array(rows));
                }
            }
            _ => {
                if let Some(v) = get(&format!("f.{}", field.key)) {
                    out.insert(field.key.clone(), Value::String(v));
                }
            }
        }
    }
    Value::Object(out)
}

/// The parts of an error path: `children[1].name` → (`children`, 1, `name`).
fn split_path(path: &str) -> (&str, Option<usize>, Option<&str>) {
    let Some(open) = path.find('[') else {
        return (path, None, None);
    };
    let key = &path[..open];
    let rest = &path[open + 1..];
    let Some(close) = rest.find(']') else {
        return (key, None, None);
    };
    let row = rest[..close].parse().ok();
    let column = rest[close + 1..]
        .strip_prefix('.')
        .filter(|c| !c.is_empty());
    (key, row, column)
}

/// The stable name of a field error code (its catalogue key suffix).
pub fn code_name(code: FieldErrorCode) -> &'static str {
    match code {
        FieldErrorCode::Required => "required",
        FieldErrorCode::UnknownField => "unknown-field",
        FieldErrorCode::WrongType => "wrong-type",
        FieldErrorCode::TooLong => "too-long",
        FieldErrorCode::NotANumber => "not-a-number",
        FieldErrorCode::OutOfRange => "out-of-range",
        FieldErrorCode::InvalidDate => "invalid-date",
        FieldErrorCode::DateInFuture => "date-in-future",
        FieldErrorCode::DateInPast => "date-in-past",
        FieldErrorCode::InvalidNationalId => "invalid-national-id",
        FieldErrorCode::UnknownUnit => "unknown-unit",
        FieldErrorCode::NotAnOption => "not-an-option",
        FieldErrorCode::TooFewRows => "too-few-rows",
        FieldErrorCode::TooManyRows => "too-many-rows",
        FieldErrorCode::TooManyFiles => "too-many-files",
        FieldErrorCode::FileType => "file-type",
    }
}

/// The numbers a message about `field` may quote.
fn limits(field: &FieldSpec) -> Vec<(&'static str, String)> {
    let show = |n: Option<i64>| n.map_or_else(|| "…".to_owned(), |n| n.to_string());
    match &field.kind {
        FieldKind::Text { max_length, .. } => {
            vec![("max", max_length.unwrap_or(2000).min(2000).to_string())]
        }
        FieldKind::Number { min, max } => vec![("min", show(*min)), ("max", show(*max))],
        FieldKind::Table {
            min_rows, max_rows, ..
        } => vec![("min", min_rows.to_string()), ("max", max_rows.to_string())],
        FieldKind::File { max_files, accept } => {
            vec![("max", max_files.to_string()), ("types", types_of(accept))]
        }
        _ => Vec::new(),
    }
}

/// The use case's field errors as page errors: each on its control, in the
/// words of the page's language.
pub fn errors_from(
    t: Messages,
    spec: &FormSpec,
    errors: &[egov_domain::service::FieldError],
) -> FormErrors {
    let lang = t.lang().code();
    let mut out = FormErrors::none();
    for e in errors {
        let (key, row, column) = split_path(&e.field);
        let Some(field) = spec.field(key) else {
            let target = spec.fields.first().map(control_id).unwrap_or_default();
            out.push(
                &target,
                t.fill("field_error.other", &[("reason", e.message.as_str())]),
            );
            continue;
        };
        let table_label = field.label.get(lang);
        let (target, label, subject) = match (&field.kind, row, column) {
            (FieldKind::Table { columns, .. }, Some(r), Some(c)) => {
                match columns.iter().find(|col| col.key == c) {
                    Some(col) => (
                        control_id_of_cell(key, r, col),
                        t.fill(
                            "apply.cell",
                            &[
                                ("table", table_label),
                                ("number", &(r + 1).to_string()),
                                ("column", col.label.get(lang)),
                            ],
                        ),
                        col,
                    ),
                    None => (control_id(field), table_label.to_owned(), field),
                }
            }
            (FieldKind::Table { .. }, Some(r), None) => (
                control_id(field),
                t.fill(
                    "apply.row",
                    &[("table", table_label), ("number", &(r + 1).to_string())],
                ),
                field,
            ),
            _ => (control_id(field), table_label.to_owned(), field),
        };
        let mut values: Vec<(&str, String)> = vec![("field", label)];
        values.extend(limits(subject));
        let refs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let message = t.fill(&format!("field_error.{}", code_name(e.code)), &refs);
        // One message per control: the first is the one to fix first.
        if out.of(&target).is_none() {
            out.push(&target, message);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use egov_domain::service::{ChoiceOption, FieldError, LocalText};
    use serde_json::json;

    fn text(vi: &str) -> LocalText {
        LocalText {
            vi: vi.into(),
            en: String::new(),
        }
    }

    fn spec_field(key: &str, kind: FieldKind) -> FieldSpec {
        FieldSpec {
            key: key.into(),
            label: text(&format!("Nhãn {key}")),
            help: None,
            required: true,
            required_if: None,
            prefill: None,
            kind,
        }
    }

    fn spec() -> FormSpec {
        FormSpec {
            fields: vec![
                spec_field(
                    "name",
                    FieldKind::Text {
                        max_length: Some(100),
                        multiline: false,
                    },
                ),
                spec_field(
                    "sex",
                    FieldKind::Choice {
                        options: vec![
                            ChoiceOption {
                                value: "m".into(),
                                label: text("Nam"),
                            },
                            ChoiceOption {
                                value: "f".into(),
                                label: text("Nữ"),
                            },
                        ],
                    },
                ),
                spec_field(
                    "children",
                    FieldKind::Table {
                        columns: vec![spec_field("name", FieldKind::NationalId)],
                        min_rows: 0,
                        max_rows: 3,
                    },
                ),
                spec_field(
                    "birth_paper",
                    FieldKind::File {
                        accept: vec![MediaType::Pdf],
                        max_files: 1,
                    },
                ),
            ],
        }
    }

    #[test]
    fn posted_inputs_become_values_without_blanks() {
        let posted = [
            ("f.name", "Lan"),
            ("f.sex", "f"),
            ("f.children.1.name", "001203012345"),
        ];
        let get = |name: &str| {
            posted
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        };
        let values = values_from(&spec(), &get);
        assert_eq!(
            values,
            json!({"name": "Lan", "sex": "f", "children": [{"name": "001203012345"}]})
        );
        assert_eq!(values_from(&spec(), &|_| None), json!({}));
    }

    #[test]
    fn paths_split_into_key_row_and_column() {
        assert_eq!(split_path("name"), ("name", None, None));
        assert_eq!(
            split_path("children[1].name"),
            ("children", Some(1), Some("name"))
        );
        assert_eq!(split_path("children[0]"), ("children", Some(0), None));
    }

    #[test]
    fn errors_land_on_their_controls_in_the_page_language() {
        let t = Lang::Vi.messages();
        let errors = [
            FieldError {
                field: "name".into(),
                code: FieldErrorCode::TooLong,
                message: "at most 100 characters".into(),
            },
            FieldError {
                field: "sex".into(),
                code: FieldErrorCode::Required,
                message: "required".into(),
            },
            FieldError {
                field: "children[1].name".into(),
                code: FieldErrorCode::InvalidNationalId,
                message: "bad".into(),
            },
            FieldError {
                field: "birth_paper".into(),
                code: FieldErrorCode::Required,
                message: "attach".into(),
            },
        ];
        let out = errors_from(t, &spec(), &errors);
        assert!(out.of("f-name").unwrap().contains("100"), "{out:?}");
        assert!(out.of("f-sex-0").unwrap().contains("Nhãn sex"));
        assert!(out.of("f-children-1-name").unwrap().contains('2'));
        assert!(out.of("file-birth_paper").is_some());
        assert!(!out.of("f-name").unwrap().contains("at most"), "Vietnamese");
    }

    #[test]
    fn the_page_shows_values_files_and_errors() {
        let t = Lang::Vi.messages();
        let values = json!({"name": "Lan", "sex": "f", "children": [{"name": "x"}]});
        let errors = FormErrors::one("f-children-0-name", "sai");
        let href = |a: &Attachment| format!("/tep/{}", a.id);
        let spec = spec();
        let renderer = FormRenderer {
            t,
            spec: &spec,
            values: &values,
            attachments: &[],
            errors: &errors,
            file_href: &href,
        };
        let fields = renderer.fields();
        assert_eq!(fields[0].value, "Lan");
        assert_eq!(fields[1].widget, "radios");
        assert_eq!(fields[1].id, "f-sex-0");
        assert!(fields[1].options[1].checked);
        assert_eq!(fields[2].rows.len(), 3);
        assert_eq!(fields[2].rows[0].cells[0].value, "x");
        assert_eq!(fields[2].rows[0].cells[0].error.as_deref(), Some("sai"));
        assert_eq!(fields[3].widget, "file");
        assert!(fields[3].accept.contains("application/pdf"));
        assert!(fields[3].more_files);
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(Lang::En, 10), "1 KB");
        assert_eq!(human_size(Lang::En, 1536 * 1024), "1.5 MB");
        assert_eq!(human_size(Lang::Vi, 1536 * 1024), "1,5 MB");
    }
}
