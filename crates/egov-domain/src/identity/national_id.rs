//! Personal identification number (số định danh cá nhân), printed on the
//! citizen ID card (CCCD): 12 digits — 3 for the province of birth, 1 for
//! century and sex, 2 for the year of birth, 6 random.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::InvalidField;

/// Province codes that may start a national ID: the 63 pre-2025 provinces'
/// GSO codes (the number was assigned before the 2025 merger and never changes).
const BIRTH_PROVINCES: [&str; 63] = [
    "01", "02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "22", "24", "25",
    "26", "27", "30", "31", "33", "34", "35", "36", "37", "38", "40", "42", "44", "45", "46", "48",
    "49", "51", "52", "54", "56", "58", "60", "62", "64", "66", "67", "68", "70", "72", "74", "75",
    "77", "79", "80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96",
];

/// Sex as encoded in the national ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Sex {
    Male,
    Female,
}

/// A structurally valid national ID number.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "001203012345")]
pub struct NationalId(String);

impl NationalId {
    /// Checks the structure: 12 digits, a real birth-province code, a
    /// century-and-sex digit, and a birth year not after `today`.
    pub fn parse(input: &str, today: Date) -> Result<Self, InvalidField> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let err = |reason: &str| InvalidField::new("national_id", reason);
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(
                "must be the 12 digits of the personal identification number",
            ));
        }
        if !BIRTH_PROVINCES.contains(&&s[1..3]) || &s[0..1] != "0" {
            return Err(err(
                "the first three digits are not a province-of-birth code",
            ));
        }
        let id = Self(s);
        if i32::from(id.birth_year()) > i32::from(today.year()) {
            return Err(err("the century digit and year of birth are in the future"));
        }
        Ok(id)
    }

    /// The code of the province of birth (two digits, pre-2025 GSO code).
    pub fn birth_province_code(&self) -> &str {
        &self.0[1..3]
    }

    fn century_digit(&self) -> u8 {
        self.0.as_bytes()[3] - b'0'
    }

    pub fn sex(&self) -> Sex {
        if self.century_digit().is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Year of birth: century from digit 4 (0/1 → 1900s, 2/3 → 2000s, …), year from digits 5–6.
    pub fn birth_year(&self) -> i16 {
        let century = 1900 + 100 * i16::from(self.century_digit() / 2);
        let yy: i16 = self.0[4..6].parse().unwrap_or(0);
        century + yy
    }

    /// Checks that a declared date of birth and sex agree with the number.
    pub fn check_birth(&self, date_of_birth: Date, sex: Option<Sex>) -> Result<(), InvalidField> {
        if date_of_birth.year() != self.birth_year() {
            return Err(InvalidField::new(
                "date_of_birth",
                "the year of birth does not match the national ID number",
            ));
        }
        if sex.is_some_and(|s| s != self.sex()) {
            return Err(InvalidField::new(
                "sex",
                "does not match the national ID number",
            ));
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For display to the holder and for logs that need a hint: `001*******45`.
    pub fn masked(&self) -> String {
        format!("{}*******{}", &self.0[..3], &self.0[10..])
    }
}

/// Never prints the number itself: a national ID is personal data.
impl std::fmt::Debug for NationalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NationalId({})", self.masked())
    }
}

impl TryFrom<String> for NationalId {
    type Error = InvalidField;
    /// Deserialising trusts stored values but still checks the structure
    /// (with no upper bound on the year).
    fn try_from(s: String) -> Result<Self, InvalidField> {
        Self::parse(&s, jiff::civil::date(9999, 12, 31))
    }
}

impl From<NationalId> for String {
    fn from(id: NationalId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 23);

    #[test]
    fn decodes_province_century_sex_and_year() {
        let id = NationalId::parse("001203012345", TODAY).unwrap();
        assert_eq!(id.birth_province_code(), "01");
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.birth_year(), 2003);
        let id = NationalId::parse("079185000001", TODAY).unwrap();
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.birth_year(), 1985);
    }

    #[test]
    fn refuses_bad_structure() {
        for bad in [
            "",
            "00120301234",
            "0012030123456",
            "00120301234a",
            "003203012345", // 03 is not a province code
            "101203012345", // must start with 0
            "001230012345", // born in 2030
            "001503012345", // 22nd century
        ] {
            assert!(NationalId::parse(bad, TODAY).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn spaces_are_ignored() {
        assert!(NationalId::parse("001 203 012 345", TODAY).is_ok());
    }

    #[test]
    fn birth_must_match() {
        let id = NationalId::parse("001203012345", TODAY).unwrap();
        assert!(id.check_birth(date(2003, 5, 1), Some(Sex::Male)).is_ok());
        assert_eq!(
            id.check_birth(date(2004, 5, 1), None).map_err(|e| e.field),
            Err("date_of_birth")
        );
        assert_eq!(
            id.check_birth(date(2003, 5, 1), Some(Sex::Female))
                .map_err(|e| e.field),
            Err("sex")
        );
    }

    #[test]
    fn debug_and_masked_hide_the_number() {
        let id = NationalId::parse("001203012345", TODAY).unwrap();
        assert_eq!(id.masked(), "001*******45");
        assert!(!format!("{id:?}").contains("203012"));
    }
}
