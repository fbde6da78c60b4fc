//! Money (tiền): amounts in whole Vietnamese đồng, never floating point.

use serde::{Deserialize, Serialize};

/// An amount in integer VND (đồng). The đồng has no minor unit in use.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Vnd(pub i64);

impl Vnd {
    pub const ZERO: Vnd = Vnd(0);

    /// Adds two amounts, `None` on overflow.
    pub fn checked_add(self, other: Vnd) -> Option<Vnd> {
        self.0.checked_add(other.0).map(Vnd)
    }
}

impl std::fmt::Display for Vnd {
    /// Vietnamese grouping with dots: `1.250.000 ₫`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{grouped} ₫")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_groups_thousands_with_dots() {
        assert_eq!(Vnd(0).to_string(), "0 ₫");
        assert_eq!(Vnd(500).to_string(), "500 ₫");
        assert_eq!(Vnd(50_000).to_string(), "50.000 ₫");
        assert_eq!(Vnd(1_250_000).to_string(), "1.250.000 ₫");
        assert_eq!(Vnd(-1_000).to_string(), "-1.000 ₫");
    }

    #[test]
    fn checked_add_detects_overflow() {
        assert_eq!(Vnd(1).checked_add(Vnd(2)), Some(Vnd(3)));
        assert_eq!(Vnd(i64::MAX).checked_add(Vnd(1)), None);
    }
}
