//! Readers that turn import files into validated domain records.
//!
//! Readers never touch the database: they return every record or the first
//! error with its place in the file, so the caller can store all of them in
//! one transaction or nothing at all.
//!
//! | reader | csv | json | jsonl | xlsx |
//! |---|---|---|---|---|
//! | [`read_admin_units`] | thanglequoc lists, GSO 915/1027 lists | snake_case records, the nested simplified file, `AdminUnit` | – | – |
//! | [`read_successions`] | the 2025 mapping files | `UnitSuccession` | – | – |
//! | [`read_agencies`] | `code,name,kind,parent_code,admin_unit_code` | `Agency` | – | – |
//! | [`read_procedures`] | the TTHC catalogue | `Procedure` | the TTHC details | the portal's export |

mod admin_units;
mod agencies;
mod input;
mod procedures;
mod successions;

pub use admin_units::read_admin_units;
pub use agencies::read_agencies;
pub use procedures::read_procedures;
pub use successions::read_successions;

/// The place in a file where a record failed and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {reason}")]
pub struct ImportError {
    /// "line 12", "record 5", "sheet Danh sách TTHC, row 9", or "file".
    pub location: String,
    pub reason: String,
}

impl ImportError {
    pub(crate) fn new(location: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            location: location.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn line(line: u64, reason: impl Into<String>) -> Self {
        Self::new(format!("line {line}"), reason)
    }

    /// A record of a JSON array, counted from 1.
    pub(crate) fn record(index: usize, reason: impl Into<String>) -> Self {
        Self::new(format!("record {}", index + 1), reason)
    }

    pub(crate) fn file(reason: impl Into<String>) -> Self {
        Self::new("file", reason)
    }

    pub(crate) fn unsupported(format: Format, what: &str) -> Self {
        Self::file(format!("{format:?} files are not supported for {what}"))
    }
}

/// The file formats the readers understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    JsonLines,
    Xlsx,
}

impl Format {
    /// The format a file name's extension says (`.csv`, `.json`, `.jsonl`/`.ndjson`, `.xlsx`).
    pub fn from_file_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit('.').next()?;
        match ext {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_file_names() {
        assert_eq!(Format::from_file_name("wards.CSV"), Some(Format::Csv));
        assert_eq!(Format::from_file_name("a.ndjson"), Some(Format::JsonLines));
        assert_eq!(Format::from_file_name("danh-sach.xlsx"), Some(Format::Xlsx));
        assert_eq!(Format::from_file_name("notes.txt"), None);
    }

    #[test]
    fn errors_print_place_then_reason() {
        let e = ImportError::line(12, "missing required column `code`");
        assert_eq!(e.to_string(), "line 12: missing required column `code`");
        assert_eq!(ImportError::record(0, "x").location, "record 1");
    }
}
