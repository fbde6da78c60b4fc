//! Fee lines computed from a service definition's fees (phí, lệ phí) and
//! the applicant's form values.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::service::{Condition, FeeSpec, LocalText, PayableAt, ServiceDefinition};
use crate::Vnd;

/// One line of a payment order or receipt: a fee, its unit amount, how many
/// units, and their product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FeeLine {
    pub label: LocalText,
    #[schema(value_type = i64)]
    pub unit_amount: Vnd,
    pub quantity: u32,
    /// `unit_amount × quantity`, checked.
    #[schema(value_type = i64)]
    pub amount: Vnd,
    pub payable_at: PayableAt,
}

impl FeeLine {
    /// A line with its amount computed; `None` if it overflows or the unit
    /// amount is negative.
    pub fn new(
        label: LocalText,
        unit_amount: Vnd,
        quantity: u32,
        payable_at: PayableAt,
    ) -> Option<FeeLine> {
        if unit_amount.0 < 0 {
            return None;
        }
        let amount = unit_amount.0.checked_mul(i64::from(quantity))?;
        Some(FeeLine {
            label,
            unit_amount,
            quantity,
            amount: Vnd(amount),
            payable_at,
        })
    }

    /// The line is coherent: non-negative unit amount, at least one unit,
    /// and `amount = unit_amount × quantity`.
    pub fn is_consistent(&self) -> bool {
        self.quantity > 0
            && self.unit_amount.0 >= 0
            && self.unit_amount.0.checked_mul(i64::from(self.quantity)) == Some(self.amount.0)
    }
}

/// Why fees could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error(
        "fee `{label}`: the quantity field `{field}` is not a whole number from 0 to 4294967295"
    )]
    BadQuantity { label: String, field: String },
    #[error("fee `{label}`: the amount overflows")]
    Overflow { label: String },
}

/// The fee lines due for validated form values, in the definition's order.
///
/// - a fee with `per_field` is multiplied by that number field; when the
///   field is absent or null the quantity is 1 (as
///   [`ServiceDefinition::fees_due`] does), when it is 0 the line is left out;
/// - a fee whose `exempt_if` condition holds is left out (exemption, miễn);
/// - nothing is rounded: amounts are whole đồng, products are checked.
pub fn fee_lines(def: &ServiceDefinition, values: &Value) -> Result<Vec<FeeLine>, FeeError> {
    let mut lines = Vec::new();
    for fee in &def.fees {
        if fee
            .exempt_if
            .as_ref()
            .is_some_and(|c| condition_holds(c, values))
        {
            continue;
        }
        let quantity = quantity(fee, values)?;
        if quantity == 0 {
            continue;
        }
        let line = FeeLine::new(fee.label.clone(), fee.amount, quantity, fee.payable_at)
            .ok_or_else(|| FeeError::Overflow {
                label: fee.label.vi.clone(),
            })?;
        lines.push(line);
    }
    Ok(lines)
}

/// The sum of the lines' amounts; `None` on overflow.
pub fn total(lines: &[FeeLine]) -> Option<Vnd> {
    lines
        .iter()
        .try_fold(Vnd::ZERO, |sum, line| sum.checked_add(line.amount))
}

fn quantity(fee: &FeeSpec, values: &Value) -> Result<u32, FeeError> {
    let Some(field) = &fee.per_field else {
        return Ok(1);
    };
    let bad = || FeeError::BadQuantity {
        label: fee.label.vi.clone(),
        field: field.clone(),
    };
    match values.get(field) {
        None | Some(Value::Null) => Ok(1),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(bad),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(1),
        Some(Value::String(s)) => s.trim().parse::<u32>().map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

/// Whether the form value of the condition's field equals its value, read
/// the way `required_if` reads it (trimmed text, or a number written out).
pub(crate) fn condition_holds(condition: &Condition, values: &Value) -> bool {
    match values.get(&condition.field) {
        Some(Value::String(s)) => !s.trim().is_empty() && s.trim() == condition.equals,
        Some(Value::Number(n)) => n.to_string() == condition.equals,
        Some(Value::Bool(b)) => b.to_string() == condition.equals,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn definition(fees: Value) -> ServiceDefinition {
        let mut def = crate::service::tests::birth_registration();
        def.fees = serde_json::from_value(fees).unwrap();
        def.form.fields.push(
            serde_json::from_value(json!({
                "key": "beneficiary", "label": {"vi": "Đối tượng chính sách", "en": "Beneficiary"},
                "type": "choice",
                "options": [{"value": "co", "label": {"vi": "Có", "en": "Yes"}},
                            {"value": "khong", "label": {"vi": "Không", "en": "No"}}]
            }))
            .unwrap(),
        );
        def.validate().unwrap();
        def
    }

    fn fees() -> Value {
        json!([
            {"label": {"vi": "Lệ phí", "en": "Charge"}, "amount": 50000, "payable_at": "submission",
             "exempt_if": {"field": "beneficiary", "equals": "co"}},
            {"label": {"vi": "Phí bản sao", "en": "Copy fee"}, "amount": 8000, "per_field": "copies",
             "payable_at": "before-result"}
        ])
    }

    #[test]
    fn fixed_and_per_unit_fees() {
        let def = definition(fees());
        let lines = fee_lines(&def, &json!({"copies": 3, "beneficiary": "khong"})).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].amount, Vnd(50_000));
        assert_eq!(lines[0].quantity, 1);
        assert_eq!(lines[0].payable_at, PayableAt::Submission);
        assert_eq!(lines[1].unit_amount, Vnd(8_000));
        assert_eq!(lines[1].quantity, 3);
        assert_eq!(lines[1].amount, Vnd(24_000));
        assert_eq!(lines[1].payable_at, PayableAt::BeforeResult);
        assert_eq!(total(&lines), Some(Vnd(74_000)));
        assert!(lines.iter().all(FeeLine::is_consistent));
    }

    #[test]
    fn an_exemption_drops_its_fee_only() {
        let def = definition(fees());
        let lines = fee_lines(&def, &json!({"copies": 2, "beneficiary": "co"})).unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].label.en, "Copy fee");
        assert_eq!(total(&lines), Some(Vnd(16_000)));
        // The legacy summary honours the exemption too.
        let due = def.fees_due(&json!({"copies": 2, "beneficiary": "co"}));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].1, Vnd(16_000));
    }

    #[test]
    fn zero_units_drop_the_line_and_a_missing_count_is_one() {
        let def = definition(fees());
        let lines = fee_lines(&def, &json!({"copies": 0})).unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].amount, Vnd(50_000));
        let lines = fee_lines(&def, &json!({})).unwrap();
        assert_eq!(lines[1].quantity, 1);
    }

    #[test]
    fn bad_quantities_and_overflow_are_errors() {
        let def = definition(fees());
        for copies in [json!(-1), json!(1.5), json!("two"), json!([2])] {
            assert!(
                matches!(
                    fee_lines(&def, &json!({ "copies": copies })),
                    Err(FeeError::BadQuantity { .. })
                ),
                "{copies}"
            );
        }
        assert_eq!(
            fee_lines(&def, &json!({"copies": "2"})).unwrap()[1].amount,
            Vnd(16_000)
        );
        let big = definition(json!([
            {"label": {"vi": "Phí", "en": "Fee"}, "amount": i64::MAX / 2, "per_field": "copies",
             "payable_at": "submission"}
        ]));
        assert_eq!(
            fee_lines(&big, &json!({"copies": 3})),
            Err(FeeError::Overflow {
                label: "Phí".into()
            })
        );
    }

    #[test]
    fn totals_are_checked() {
        let line = FeeLine::new(
            LocalText {
                vi: "Phí".into(),
                en: "Fee".into(),
            },
            Vnd(i64::MAX),
            1,
            PayableAt::Submission,
        )
        .unwrap();
        assert_eq!(total(&[line.clone(), line.clone()]), None);
        assert_eq!(total(&[]), Some(Vnd::ZERO));
        assert!(FeeLine::new(line.label.clone(), Vnd(-1), 1, PayableAt::Submission).is_none());
        let mut wrong = line;
        wrong.quantity = 2;
        assert!(!wrong.is_consistent());
    }

    #[test]
    fn an_exemption_on_an_unknown_field_is_refused() {
        let mut def = definition(fees());
        def.fees[0].exempt_if = Some(Condition {
            field: "nope".into(),
            equals: "co".into(),
        });
        assert_eq!(def.validate().unwrap_err().field, "fees");
    }

    #[test]
    fn existing_definitions_without_exemptions_still_parse() {
        let def = crate::service::tests::birth_registration();
        assert_eq!(def.fees[0].exempt_if, None);
    }
}
