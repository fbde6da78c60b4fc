//! Shared plumbing: UTF-8 checks, CSV tables with named columns, JSON arrays.

use std::collections::HashMap;

use egov_domain::text::fold;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ImportError;

/// The bytes as UTF-8 text without a byte-order mark; bad bytes fail with their line.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        ImportError::line(line as u64, "not valid UTF-8 text; save the file as UTF-8")
    })
}

/// A CSV file read whole: the header names (folded) and every record with
/// the physical line it starts on.
pub(crate) struct Table {
    columns: HashMap<String, usize>,
    pub rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    pub fn read(bytes: &[u8]) -> Result<Table, ImportError> {
        let text = utf8(bytes)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let lines = Lines::new(text);
        let headers = reader.headers().map_err(|e| csv_error(e, &lines))?.clone();
        if headers.iter().all(|h| h.trim().is_empty()) {
            return Err(ImportError::line(1, "the file has no header row"));
        }
        let columns = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (fold(h.trim()), i))
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(e, &lines))?;
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let line = record.position().map_or(0, |p| lines.of(p.byte()));
            rows.push((line, record));
        }
        Ok(Table { columns, rows })
    }

    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// The first column whose folded name starts with `prefix`.
    pub fn column_starting(&self, prefix: &str) -> Option<&str> {
        let mut found: Vec<(&String, &usize)> = self
            .columns
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .collect();
        found.sort_by_key(|(_, i)| **i);
        found.first().map(|(k, _)| k.as_str())
    }

    /// Fails on the header line unless every column is present.
    pub fn require(&self, columns: &[&str]) -> Result<(), ImportError> {
        match columns.iter().find(|c| !self.has(c)) {
            Some(missing) => Err(ImportError::line(
                1,
                format!("missing required column `{missing}`"),
            )),
            None => Ok(()),
        }
    }

    /// The trimmed cell of `column` in `record`; `None` when the column is absent.
    pub fn get<'r>(&self, record: &'r csv::StringRecord, column: &str) -> Option<&'r str> {
        let i = *self.columns.get(column)?;
        Some(record.get(i).unwrap_or("").trim())
    }

    /// Like [`Table::get`], but an absent column or empty cell is `None`.
    pub fn non_empty<'r>(&self, record: &'r csv::StringRecord, column: &str) -> Option<&'r str> {
        self.get(record, column).filter(|v| !v.is_empty())
    }
}

/// Physical line numbers from byte offsets (the csv crate counts records,
/// not the line breaks inside quoted cells).
struct Lines<'a> {
    text: &'a [u8],
    starts: Vec<u64>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let breaks = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i as u64 + 1);
        Self {
            text: text.as_bytes(),
            starts: std::iter::once(0).chain(breaks).collect(),
        }
    }

    /// The line (from 1) of the record starting at byte `offset`; blank
    /// lines before it (which the csv crate counts into the record) are skipped.
    fn of(&self, offset: u64) -> u64 {
        let blank = self
            .text
            .get(offset as usize..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .count() as u64;
        self.starts
            .partition_point(|start| *start <= offset + blank) as u64
    }
}

fn csv_error(e: csv::Error, lines: &Lines<'_>) -> ImportError {
    let reason = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8 text; save the file as UTF-8".to_owned(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("the row has {len} fields but the header has {expected_len}")
        }
        _ => e.to_string(),
    };
    match e.position() {
        Some(p) => ImportError::line(lines.of(p.byte()), reason),
        None => ImportError::file(reason),
    }
}

/// A JSON file holding an array of records.
pub(crate) fn json_array(bytes: &[u8]) -> Result<Vec<Value>, ImportError> {
    let text = utf8(bytes)?;
    match serde_json::from_str(text).map_err(json_syntax)? {
        Value::Array(items) => Ok(items),
        _ => Err(ImportError::file("expected a JSON array of records")),
    }
}

/// A JSON syntax error at its line and column.
pub(crate) fn json_syntax(e: serde_json::Error) -> ImportError {
    ImportError::new(
        format!("line {}, column {}", e.line(), e.column()),
        without_position(&e),
    )
}

/// serde_json's message without its " at line L column C" tail.
pub(crate) fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}

/// Record `index` of a JSON array in the serde form of `T`.
pub(crate) fn from_record<T: DeserializeOwned>(
    value: Value,
    index: usize,
) -> Result<T, ImportError> {
    serde_json::from_value(value).map_err(|e| ImportError::record(index, without_position(&e)))
}

/// A JSON value as text: strings as they are, numbers written out, null as `None`.
pub(crate) fn value_text(value: &Value, key: &str) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_owned())),
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(format!("`{key}` must be text")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_utf8_is_reported_on_its_line() {
        let err = utf8(b"code,name\n01,ok\n02,\xff\n").err();
        assert_eq!(err.map(|e| e.location), Some("line 3".to_owned()));
        assert_eq!(utf8(b"\xEF\xBB\xBFcode").ok(), Some("code"));
    }

    #[test]
    fn table_keeps_physical_lines_and_skips_blank_rows() {
        let t = Table::read("Mã số,Tên\n01,\"a\nb\"\n\n02,c\n".as_bytes());
        let t = t.unwrap_or_else(|e| panic!("{e}"));
        assert!(t.has("ma so"));
        assert_eq!(t.column_starting("te"), Some("ten"));
        let lines: Vec<u64> = t.rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 5]);
        assert_eq!(t.get(&t.rows[0].1, "ten"), Some("a\nb"));
        assert_eq!(
            t.require(&["ma so", "code"]).map_err(|e| e.to_string()),
            Err("line 1: missing required column `code`".into())
        );
    }

    #[test]
    fn ragged_rows_fail_with_their_line() {
        let err = Table::read(b"a,b\n1,2\n3\n").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("line 3: the row has 1 fields but the header has 2")
        );
    }

    #[test]
    fn json_errors_have_places() {
        let e = json_array(b"[\n{\"a\": 1},\n{\"a\" 2}]").err();
        assert_eq!(e.map(|e| e.location), Some("line 3, column 6".to_owned()));
        let e = json_array(b"{}").err().map(|e| e.location);
        assert_eq!(e.as_deref(), Some("file"));
    }
}
