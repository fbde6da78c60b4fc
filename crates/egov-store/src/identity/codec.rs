//! How identity values are written to and read from columns: timestamps,
//! dates, JSON lists, enum names and booleans; and which unique key a
//! uniqueness violation broke.

use egov_domain::identity::{AccountKind, AccountStatus};
use egov_ports::{Channel, ClientKind, CodePurpose, Outcome};
use jiff::civil::Date;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::error::ErrorKind;

use crate::error::{backend_error, corrupt};
use crate::sql::{int, opt_text, text};
use crate::StoreError;

/// A timestamp as stored: RFC 3339 in UTC with nine fractional digits, e.g.
/// `2026-01-01T08:00:00.000000000Z`. The fixed width makes text order time
/// order, so columns compare and sort as instants on both databases.
pub(crate) fn ts(at: Timestamp) -> String {
    format!("{at:.9}")
}

pub(crate) fn opt_ts(at: Option<Timestamp>) -> Option<String> {
    at.map(ts)
}

/// A timestamp column.
pub(crate) fn get_ts(row: &AnyRow, column: &str) -> Result<Timestamp, StoreError> {
    text(row, column)?.parse().map_err(|e| corrupt(column, e))
}

/// A nullable timestamp column.
pub(crate) fn get_opt_ts(row: &AnyRow, column: &str) -> Result<Option<Timestamp>, StoreError> {
    opt_text(row, column)?
        .map(|t| t.parse().map_err(|e| corrupt(column, e)))
        .transpose()
}

/// A nullable date column (ISO 8601).
pub(crate) fn get_opt_date(row: &AnyRow, column: &str) -> Result<Option<Date>, StoreError> {
    opt_text(row, column)?
        .map(|t| t.parse().map_err(|e| corrupt(column, e)))
        .transpose()
}

/// A list of strings as JSON text.
pub(crate) fn json_list(items: &[String]) -> String {
    // Serialising strings cannot fail; fall back to an empty list regardless.
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

/// A JSON list column.
pub(crate) fn get_list(row: &AnyRow, column: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(&text(row, column)?).map_err(|e| corrupt(column, e))
}

/// A boolean column, read through `CASE WHEN column THEN 1 ELSE 0 END AS column`
/// (the Any driver cannot decode a SQLite column declared BOOLEAN).
pub(crate) fn get_bool(row: &AnyRow, column: &str) -> Result<bool, StoreError> {
    Ok(int(row, column)? != 0)
}

/// A non-negative counter column.
pub(crate) fn get_count(row: &AnyRow, column: &str) -> Result<u32, StoreError> {
    let n = int(row, column)?;
    u32::try_from(n).map_err(|_| corrupt(column, format!("count {n} out of range")))
}

/// Names of an enum as stored, and back.
pub(crate) trait Named: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn name(self) -> &'static str;

    /// Reads the enum from a column; an unknown name is a corrupt row.
    fn get(row: &AnyRow, column: &str) -> Result<Self, StoreError> {
        let stored = text(row, column)?;
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.name() == stored)
            .ok_or_else(|| corrupt(column, format!("unknown value `{stored}`")))
    }
}

impl Named for AccountKind {
    const ALL: &'static [Self] = &[
        AccountKind::Citizen,
        AccountKind::Organisation,
        AccountKind::Official,
    ];
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Named for AccountStatus {
    const ALL: &'static [Self] = &[AccountStatus::Active, AccountStatus::Locked];
    fn name(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Locked => "locked",
        }
    }
}

impl Named for CodePurpose {
    const ALL: &'static [Self] = &[
        CodePurpose::VerifyEmail,
        CodePurpose::VerifyPhone,
        CodePurpose::ResetPassword,
    ];
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Named for Channel {
    const ALL: &'static [Self] = &[Channel::Email, Channel::Sms];
    fn name(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

impl Named for Outcome {
    const ALL: &'static [Self] = &[Outcome::Success, Outcome::Failure];
    fn name(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

impl Named for ClientKind {
    const ALL: &'static [Self] = &[ClientKind::Confidential, ClientKind::Public];
    fn name(self) -> &'static str {
        match self {
            ClientKind::Confidential => "confidential",
            ClientKind::Public => "public",
        }
    }
}

/// The unique keys of the identity tables: (column as named in the
/// constraint or message, what is reported as taken). Most specific first.
const UNIQUE_KEYS: [(&str, &str); 3] = [
    ("national_id", "national_id"),
    ("email", "email"),
    ("login", "login"),
];

/// Maps a failed account write: a broken unique key becomes
/// `Conflict("login" | "national_id" | "email")`, or `Conflict(what)` for
/// another key (the primary key); anything else goes through
/// [`backend_error`].
pub(crate) fn account_write_error(e: sqlx::Error, what: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.kind() == ErrorKind::UniqueViolation {
            // PostgreSQL names the index (`accounts_email`); SQLite only says
            // `UNIQUE constraint failed: accounts.email` in its message.
            let culprit = db.constraint().unwrap_or_else(|| db.message());
            return StoreError::Conflict(taken_key(culprit).unwrap_or(what).to_owned());
        }
    }
    backend_error(e)
}

/// Which account key a constraint name or violation message is about.
fn taken_key(culprit: &str) -> Option<&'static str> {
    UNIQUE_KEYS
        .iter()
        .find(|(column, _)| culprit.contains(column))
        .map(|(_, key)| *key)
}

/// Maps a failed insert of a new `what`: a unique violation is
/// `Conflict(what)`; a foreign-key violation is `MissingReference` to
/// `reference` `missing` (SQLite does not say which key failed, so callers
/// name the likeliest one); anything else a backend error.
pub(crate) fn insert_error(
    e: sqlx::Error,
    what: &'static str,
    reference: &'static str,
    missing: &str,
) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.kind() == ErrorKind::ForeignKeyViolation => {
            StoreError::MissingReference {
                entity: what,
                code: "(new)".to_owned(),
                reference,
                missing: missing.to_owned(),
            }
        }
        _ => conflict_as(e, what),
    }
}

/// A `Conflict` for any unique violation, a backend error otherwise.
pub(crate) fn conflict_as(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.kind() == ErrorKind::UniqueViolation => {
            StoreError::Conflict(what.to_owned())
        }
        _ => backend_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_a_fixed_width_in_time_order() {
        let whole = Timestamp::from_second(1_767_225_600).unwrap();
        let later = whole + jiff::SignedDuration::from_millis(500);
        assert_eq!(ts(whole), "2026-01-01T00:00:00.000000000Z");
        assert_eq!(ts(later), "2026-01-01T00:00:00.500000000Z");
        assert!(ts(whole) < ts(later));
        assert_eq!(ts(later).parse::<Timestamp>().unwrap(), later);
    }

    #[test]
    fn violations_name_the_taken_key() {
        assert_eq!(taken_key("accounts_email"), Some("email"));
        assert_eq!(
            taken_key("UNIQUE constraint failed: accounts.national_id"),
            Some("national_id")
        );
        assert_eq!(taken_key("accounts_login"), Some("login"));
        assert_eq!(taken_key("accounts_pkey"), None);
    }

    #[test]
    fn enum_names_are_distinct() {
        fn distinct<T: Named>() -> bool {
            let mut names: Vec<_> = T::ALL.iter().map(|v| v.name()).collect();
            names.sort_unstable();
            names.dedup();
            names.len() == T::ALL.len()
        }
        assert!(distinct::<AccountKind>());
        assert!(distinct::<AccountStatus>());
        assert!(distinct::<CodePurpose>());
        assert!(distinct::<Channel>());
        assert!(distinct::<Outcome>());
        assert!(distinct::<ClientKind>());
    }
}
