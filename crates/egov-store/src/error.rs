//! Mapping driver errors to [`StoreError`].

use sqlx::error::ErrorKind;

use crate::StoreError;

/// A driver error with no better context: uniqueness and foreign-key
/// violations keep their meaning, everything else is a backend failure.
pub(crate) fn backend_error(e: sqlx::Error) -> StoreError {
    write_error(e, "record", "")
}

/// A driver error met while writing `entity` `code`.
pub(crate) fn write_error(e: sqlx::Error, entity: &'static str, code: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        match db.kind() {
            ErrorKind::UniqueViolation => {
                return StoreError::Conflict(if code.is_empty() {
                    format!("{entity} ({})", db.constraint().unwrap_or("unique key"))
                } else {
                    format!("{entity} `{code}`")
                });
            }
            ErrorKind::ForeignKeyViolation => {
                return StoreError::MissingReference {
                    entity,
                    code: code.to_owned(),
                    reference: "record",
                    // SQLite does not say which key failed; PostgreSQL names the constraint.
                    missing: db.constraint().unwrap_or("(unknown)").to_owned(),
                };
            }
            _ => {}
        }
    }
    StoreError::Backend(e.to_string())
}

/// A stored value this code cannot read back (a bug or a hand-edited row).
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("unreadable {what} in the database: {detail}"))
}
