//! The dossier code (mã hồ sơ) in the national format
//! `{receiving unit's e-identifier}-{yyMMdd}-{NNNN}`, e.g. `000.00.12.H29-261123-0042`.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::InvalidField;

/// A dossier code. The counter restarts every day for every receiving unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DossierCode {
    unit: String,
    date: Date,
    sequence: u32,
}

impl DossierCode {
    /// `unit` is the receiving agency's code; `sequence` starts at 1.
    pub fn new(unit: &str, date: Date, sequence: u32) -> Result<Self, InvalidField> {
        if !is_unit_identifier(unit) {
            return Err(InvalidField::new(
                "code",
                "the unit identifier has letters, digits and dots only",
            ));
        }
        if sequence == 0 || sequence > 999_999 {
            return Err(InvalidField::new(
                "code",
                "the daily counter runs from 1 to 999999",
            ));
        }
        if !(2000..=2099).contains(&date.year()) {
            return Err(InvalidField::new("code", "the year is out of range"));
        }
        Ok(Self {
            unit: unit.to_owned(),
            date,
            sequence,
        })
    }

    pub fn parse(s: &str) -> Result<Self, InvalidField> {
        let bad = || {
            InvalidField::new(
                "code",
                "expected {unit}-{yyMMdd}-{NNNN}, e.g. 000.00.12.H29-261123-0042",
            )
        };
        let mut parts = s.trim().rsplitn(3, '-');
        let (Some(seq), Some(day), Some(unit)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if day.len() != 6 || !day.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if seq.len() < 4 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let number = |range: std::ops::Range<usize>| day[range].parse::<i8>().map_err(|_| bad());
        let date = Date::new(
            2000 + i16::from(number(0..2)?),
            number(2..4)?,
            number(4..6)?,
        )
        .map_err(|_| bad())?;
        let sequence = seq.parse::<u32>().map_err(|_| bad())?;
        let code = Self::new(unit, date, sequence)?;
        if code.to_string() != s.trim() {
            // e.g. a counter padded with more zeros than the format gives.
            return Err(bad());
        }
        Ok(code)
    }

    pub fn unit(&self) -> &str {
        &self.unit
    }

    pub fn date(&self) -> Date {
        self.date
    }

    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

fn is_unit_identifier(unit: &str) -> bool {
    !unit.is_empty()
        && unit.len() <= 40
        && unit.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:02}{:02}{:02}-{:04}",
            self.unit,
            self.date.year() % 100,
            self.date.month(),
            self.date.day(),
            self.sequence
        )
    }
}

impl TryFrom<String> for DossierCode {
    type Error = InvalidField;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DossierCode> for String {
    fn from(code: DossierCode) -> Self {
        code.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn formats_the_national_shape() {
        let code = DossierCode::new("000.00.12.H29", date(2026, 11, 23), 42).unwrap();
        assert_eq!(code.to_string(), "000.00.12.H29-261123-0042");
        let big = DossierCode::new("000.00.12.H29", date(2026, 1, 2), 12345).unwrap();
        assert_eq!(big.to_string(), "000.00.12.H29-260102-12345");
    }

    #[test]
    fn parses_what_it_formats() {
        for s in ["000.00.12.H29-261123-0042", "000.00.00.H01-260102-12345"] {
            let code = DossierCode::parse(s).unwrap();
            assert_eq!(code.to_string(), s);
        }
        let code = DossierCode::parse("000.00.12.H29-261123-0042").unwrap();
        assert_eq!(code.unit(), "000.00.12.H29");
        assert_eq!(code.date(), date(2026, 11, 23));
        assert_eq!(code.sequence(), 42);
    }

    #[test]
    fn refuses_malformed_codes() {
        for s in [
            "",
            "000.00.12.H29",
            "000.00.12.H29-261323-0042",
            "000.00.12.H29-261123-42",
            "000.00.12.H29-261123-0000",
            "000.00.12.H29-261123-00042",
            "000 00-261123-0042",
            "-261123-0042",
            "x-2611a3-0042",
        ] {
            assert!(DossierCode::parse(s).is_err(), "{s:?}");
        }
    }
}
