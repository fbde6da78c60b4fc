//! Contact details: e-mail addresses and Vietnamese phone numbers.

use serde::{Deserialize, Serialize};

use crate::InvalidField;

/// An e-mail address, lower-cased, structurally checked.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "an.nguyen@example.vn")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, InvalidField> {
        let s = input.trim().to_lowercase();
        let err = || InvalidField::new("email", "is not an e-mail address");
        let (local, domain) = s.split_once('@').ok_or_else(err)?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && !domain.contains('@');
        if ok {
            Ok(Self(s))
        } else {
            Err(err())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `a***@example.vn`, for messages and logs.
    pub fn masked(&self) -> String {
        match self.0.split_once('@') {
            Some((local, domain)) => {
                format!("{}***@{domain}", local.chars().next().unwrap_or('*'))
            }
            None => "***".into(),
        }
    }
}

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Email({})", self.masked())
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidField;
    fn try_from(s: String) -> Result<Self, InvalidField> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

/// A Vietnamese mobile number, stored in E.164 (`+84912345678`).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "+84912345678")]
pub struct Phone(String);

impl Phone {
    /// Accepts `0912345678`, `84912345678`, `+84 912 345 678`; mobile prefixes 3, 5, 7, 8, 9.
    pub fn parse(input: &str) -> Result<Self, InvalidField> {
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
            .collect();
        let national = digits
            .strip_prefix("+84")
            .or_else(|| digits.strip_prefix("84").filter(|r| r.len() == 9))
            .or_else(|| digits.strip_prefix('0'))
            .unwrap_or("");
        let ok = national.len() == 9
            && national.bytes().all(|b| b.is_ascii_digit())
            && matches!(national.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9');
        if ok {
            Ok(Self(format!("+84{national}")))
        } else {
            Err(InvalidField::new(
                "phone",
                "is not a Vietnamese mobile number (e.g. 0912 345 678)",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `+84*******78`, for messages and logs.
    pub fn masked(&self) -> String {
        format!("+84*******{}", &self.0[self.0.len() - 2..])
    }
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl TryFrom<String> for Phone {
    type Error = InvalidField;
    fn try_from(s: String) -> Result<Self, InvalidField> {
        Self::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

/// Tax / enterprise code (mã số thuế, mã số doanh nghiệp): 10 digits, or 10
/// digits + `-` + 3 digits for a branch. (Since 2025 individuals use the
/// 12-digit national ID instead.)
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "0101234567")]
pub struct TaxCode(String);

impl TaxCode {
    pub fn parse(input: &str) -> Result<Self, InvalidField> {
        let s = input.trim();
        let (main, branch) = match s.split_once('-') {
            Some((m, b)) => (m, Some(b)),
            None => (s, None),
        };
        let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
        if digits(main, 10) && branch.is_none_or(|b| digits(b, 3)) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidField::new(
                "tax_code",
                "must be 10 digits, or 10 digits, a dash and 3 digits for a branch",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TaxCode {
    type Error = InvalidField;
    fn try_from(s: String) -> Result<Self, InvalidField> {
        Self::parse(&s)
    }
}

impl From<TaxCode> for String {
    fn from(t: TaxCode) -> String {
        t.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" An@Example.VN ").unwrap().as_str(),
            "an@example.vn"
        );
        for bad in [
            "", "a", "a@b", "@b.vn", "a@.vn", "a@b..vn", "a b@c.vn", "a@b@c.vn",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Email::parse("an@example.vn").unwrap().masked(),
            "a***@example.vn"
        );
    }

    #[test]
    fn phones_normalise_to_e164() {
        for ok in [
            "0912345678",
            "+84912345678",
            "84912345678",
            "0912 345 678",
            "091.234.5678",
        ] {
            assert_eq!(Phone::parse(ok).unwrap().as_str(), "+84912345678", "{ok}");
        }
        for bad in [
            "",
            "012345678",
            "0212345678",
            "09123456789",
            "+1 912345678",
            "091234567x",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
        assert!(!format!("{:?}", Phone::parse("0912345678").unwrap()).contains("12345"));
    }

    #[test]
    fn tax_codes() {
        assert!(TaxCode::parse("0101234567").is_ok());
        assert!(TaxCode::parse("0101234567-001").is_ok());
        for bad in [
            "",
            "010123456",
            "0101234567-01",
            "010123456a",
            "0101234567-",
        ] {
            assert!(TaxCode::parse(bad).is_err(), "{bad}");
        }
    }
}
