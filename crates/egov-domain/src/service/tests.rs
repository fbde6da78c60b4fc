use super::*;
use crate::attachment::MediaType;
use jiff::civil::date;
use serde_json::json;

pub(crate) fn birth_registration() -> ServiceDefinition {
    serde_json::from_value(json!({
        "procedure_code": "1.001193",
        "name": {"vi": "Đăng ký khai sinh", "en": "Birth registration"},
        "agencies": ["000.00.01.H01"],
        "applicants": ["citizen"],
        "deadline": {"amount": 1, "unit": "working-days"},
        "form": {"fields": [
            {"key": "child_name", "label": {"vi": "Họ, chữ đệm, tên của trẻ", "en": "Child's full name"}, "type": "text", "required": true, "max_length": 100},
            {"key": "child_birth_date", "label": {"vi": "Ngày sinh", "en": "Date of birth"}, "type": "date", "required": true, "not_future": true},
            {"key": "sex", "label": {"vi": "Giới tính", "en": "Sex"}, "type": "choice", "required": true,
             "options": [{"value": "nam", "label": {"vi": "Nam", "en": "Male"}}, {"value": "nu", "label": {"vi": "Nữ", "en": "Female"}}]},
            {"key": "birth_place", "label": {"vi": "Nơi sinh", "en": "Place of birth"}, "type": "admin-unit", "required": true},
            {"key": "copies", "label": {"vi": "Số bản sao", "en": "Copies"}, "type": "number", "min": 0, "max": 10},
            {"key": "mother_id", "label": {"vi": "Số định danh của mẹ", "en": "Mother's ID number"}, "type": "national-id", "required": true, "prefill": "national-id"},
            {"key": "other_note", "label": {"vi": "Ghi chú", "en": "Note"}, "type": "text", "required_if": {"field": "sex", "equals": "nu"}},
            {"key": "siblings", "label": {"vi": "Anh chị em", "en": "Siblings"}, "type": "table", "max_rows": 2,
             "columns": [{"key": "name", "label": {"vi": "Họ tên", "en": "Name"}, "type": "text", "required": true}]},
            {"key": "birth_certificate", "label": {"vi": "Giấy chứng sinh", "en": "Birth certificate"}, "type": "file", "required": true, "accept": ["pdf", "jpeg", "png"]}
        ]},
        "fees": [{"label": {"vi": "Lệ phí bản sao", "en": "Copy fee"}, "amount": 8000, "per_field": "copies", "payable_at": "submission"}],
        "workflow": [
            {"key": "intake", "name": {"vi": "Tiếp nhận", "en": "Intake"}, "role": "receiving-officer"},
            {"key": "review", "name": {"vi": "Thẩm định", "en": "Review"}, "role": "specialist"},
            {"key": "approve", "name": {"vi": "Phê duyệt", "en": "Approval"}, "role": "leader"},
            {"key": "return", "name": {"vi": "Trả kết quả", "en": "Return"}, "role": "receiving-officer"}
        ],
        "result": {"title": {"vi": "Giấy khai sinh", "en": "Birth certificate"}}
    }))
    .unwrap()
}

fn context<'a>(files: &'a dyn Fn(&str) -> Vec<MediaType>) -> FormContext<'a> {
    FormContext {
        today: date(2026, 11, 23),
        unit_exists: &|code| code == "00004",
        attached: files,
    }
}

#[test]
fn the_demo_definition_is_valid() {
    birth_registration().validate().unwrap();
}

#[test]
fn valid_values_come_back_normalised() {
    let def = birth_registration();
    let files = |key: &str| {
        if key == "birth_certificate" {
            vec![MediaType::Pdf]
        } else {
            vec![]
        }
    };
    let values = json!({
        "child_name": "  Nguyễn Văn An ", "child_birth_date": "2026-11-20", "sex": "nam",
        "birth_place": "00004", "copies": "2", "mother_id": "001203012345",
        "siblings": [{"name": "Nguyễn Thị Bình"}]
    });
    let out = def.form.validate_values(&values, &context(&files)).unwrap();
    assert_eq!(out["child_name"], "Nguyễn Văn An");
    assert_eq!(out["copies"], 2);
    assert_eq!(out["siblings"][0]["name"], "Nguyễn Thị Bình");
    let fees = def.fees_due(&out);
    assert_eq!(fees[0].1, Vnd(16_000));
}

#[test]
fn every_invalid_field_is_reported() {
    let def = birth_registration();
    let files = |_: &str| vec![MediaType::Png, MediaType::Png];
    let values = json!({
        "child_name": "x".repeat(101), "child_birth_date": "2027-01-01", "sex": "nu",
        "birth_place": "99999", "copies": "eleven", "mother_id": "123",
        "siblings": [{"name": ""}, {"name": "a"}, {"name": "b"}], "hacker": 1
    });
    let errors = def
        .form
        .validate_values(&values, &context(&files))
        .unwrap_err()
        .0;
    let found: Vec<(&str, FieldErrorCode)> =
        errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
    for expected in [
        ("hacker", FieldErrorCode::UnknownField),
        ("child_name", FieldErrorCode::TooLong),
        ("child_birth_date", FieldErrorCode::DateInFuture),
        ("birth_place", FieldErrorCode::UnknownUnit),
        ("copies", FieldErrorCode::NotANumber),
        ("mother_id", FieldErrorCode::InvalidNationalId),
        ("other_note", FieldErrorCode::Required),
        ("siblings", FieldErrorCode::TooManyRows),
        ("birth_certificate", FieldErrorCode::TooManyFiles),
    ] {
        assert!(
            found.contains(&expected),
            "missing {expected:?} in {found:?}"
        );
    }
}

#[test]
fn missing_required_fields_and_files_are_named() {
    let def = birth_registration();
    let files = |_: &str| vec![];
    let errors = def
        .form
        .validate_values(&json!({}), &context(&files))
        .unwrap_err()
        .0;
    let required: Vec<&str> = errors
        .iter()
        .filter(|e| e.code == FieldErrorCode::Required)
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(
        required,
        [
            "child_name",
            "child_birth_date",
            "sex",
            "birth_place",
            "mother_id",
            "birth_certificate"
        ]
    );
}

#[test]
fn table_cells_are_checked_with_their_path() {
    let def = birth_registration();
    let files = |_: &str| vec![MediaType::Jpeg];
    let values = json!({
        "child_name": "An", "child_birth_date": "2026-11-20", "sex": "nam", "birth_place": "00004",
        "mother_id": "001203012345", "siblings": [{"name": "  "}, {"age": 3}]
    });
    let errors = def
        .form
        .validate_values(&values, &context(&files))
        .unwrap_err()
        .0;
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["siblings[0].name", "siblings[1].age", "siblings[1].name"]
    );
}

#[test]
fn incoherent_definitions_are_refused() {
    let mut def = birth_registration();
    def.workflow
        .retain(|s| s.role != crate::identity::Role::Leader);
    assert!(def.validate().is_err());

    let mut def = birth_registration();
    def.form.fields[1].key = "child_name".into();
    assert!(def.validate().is_err());

    let mut def = birth_registration();
    def.fees[0].per_field = Some("sex".into());
    assert!(def.validate().is_err());

    let mut def = birth_registration();
    def.form.fields[6].required_if = Some(Condition {
        field: "nothing".into(),
        equals: "x".into(),
    });
    assert!(def.validate().is_err());

    let mut def = birth_registration();
    def.agencies.clear();
    assert!(def.validate().is_err());
}
