//! The national portal's Excel export ("Danh sách thủ tục hành chính"):
//! a title block, then a header row `Mã số, Tên, Cơ quan ban hành,
//! Cơ quan thực hiện, Lĩnh vực`, then one procedure per row.

use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};
use egov_domain::text::{clean, fold};
use egov_domain::Procedure;

use super::{assemble, ProcedureText};
use crate::ImportError;

const SHEET: &str = "danh sach tthc";
const CODE: &str = "ma so";
const NAME: &str = "ten";
const ISSUER: &str = "co quan ban hanh";
const IMPLEMENTER: &str = "co quan thuc hien";
const FIELD: &str = "linh vuc";

pub(super) fn read(bytes: &[u8]) -> Result<Vec<Procedure>, ImportError> {
    // calamine parses zip and XML from outside; should it ever panic on a
    // malformed file, report the file as unreadable instead of crashing.
    let loaded = std::panic::catch_unwind(|| load(bytes))
        .map_err(|_| ImportError::file("the workbook could not be read"))??;
    let (sheet, range) = loaded;
    read_sheet(&sheet, &range)
}

/// The sheet "Danh sách TTHC" (compared without marks), else the first one.
fn load(bytes: &[u8]) -> Result<(String, Range<Data>), ImportError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| ImportError::file(format!("not an xlsx workbook: {e}")))?;
    let names = workbook.sheet_names();
    let sheet = names
        .iter()
        .find(|n| fold(&clean(n)) == SHEET)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| ImportError::file("the workbook has no sheets"))?;
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| ImportError::new(format!("sheet {sheet}"), format!("cannot be read: {e}")))?;
    Ok((sheet, range))
}

fn read_sheet(sheet: &str, range: &Range<Data>) -> Result<Vec<Procedure>, ImportError> {
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let row_number = |i: usize| first_row + i + 1;
    let at = |i: usize| format!("sheet {sheet}, row {}", row_number(i));
    let rows: Vec<&[Data]> = range.rows().collect();
    let (header_index, columns) = rows
        .iter()
        .enumerate()
        .find_map(|(i, row)| Columns::find(row).map(|c| (i, c)))
        .ok_or_else(|| {
            ImportError::new(
                format!("sheet {sheet}"),
                "no header row with the columns Mã số and Tên",
            )
        })?;
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header_index + 1) {
        if row.iter().all(|c| text(c).trim().is_empty()) {
            continue;
        }
        let procedure = columns
            .procedure(row)
            .map_err(|reason| ImportError::new(at(i), reason))?;
        out.push(procedure);
    }
    Ok(out)
}

/// Where each known column is.
struct Columns {
    code: usize,
    name: usize,
    issuer: Option<usize>,
    implementer: Option<usize>,
    field: Option<usize>,
}

impl Columns {
    /// The columns, if `row` is the header row (it has Mã số and Tên).
    fn find(row: &[Data]) -> Option<Columns> {
        let keys: Vec<String> = row.iter().map(|c| fold(&clean(&text(c)))).collect();
        let position = |name: &str| keys.iter().position(|k| k == name);
        Some(Columns {
            code: position(CODE)?,
            name: position(NAME)?,
            issuer: position(ISSUER),
            implementer: position(IMPLEMENTER),
            field: position(FIELD),
        })
    }

    fn procedure(&self, row: &[Data]) -> Result<Procedure, String> {
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).map(text).unwrap_or_default();
        if let Some(Data::Float(f)) = row.get(self.code) {
            return Err(format!(
                "Mã số is the number {f}, not text; Excel may have dropped its zeros, so format the column as text"
            ));
        }
        assemble(ProcedureText {
            code: cell(Some(self.code)),
            name: cell(Some(self.name)),
            field: cell(self.field),
            issuing_agency: cell(self.issuer),
            implementing_agencies: cell(self.implementer),
            ..ProcedureText::default()
        })
    }
}

fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::xlsx_fixture::workbook;
    use super::*;

    const HEADER: [&str; 5] = [
        "Mã số",
        "Tên",
        "Cơ quan ban hành",
        "Cơ quan thực hiện",
        "Lĩnh vực",
    ];

    fn portal_rows(extra: &[&[&str]]) -> Vec<Vec<String>> {
        let mut rows: Vec<Vec<String>> = vec![
            vec!["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc".into()],
            HEADER.iter().map(|s| s.to_string()).collect(),
            [
                "1.014966",
                "Cấp lại chứng chỉ hành nghề Quản tài viên",
                "Bộ Tư pháp",
                "Chủ tịch ủy ban nhân dân cấp tỉnh\nSở Tư pháp",
                "Quản tài viên",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ];
        rows.extend(
            extra
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect()),
        );
        rows
    }

    fn read_rows(sheet: &str, rows: &[Vec<String>]) -> Result<Vec<Procedure>, String> {
        read(&workbook(sheet, rows)).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_rows_below_the_header() {
        let rows = portal_rows(&[
            &[],
            &[
                "3.000323",
                "Đăng ký giám sát việc giám hộ",
                "Bộ Tư pháp",
                "Ủy ban nhân dân cấp xã",
                "Hộ tịch",
            ],
        ]);
        let all = read_rows("Danh sách TTHC", &rows).unwrap_or_default();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].code.as_str(), "1.014966");
        assert_eq!(all[0].issuing_agency.as_deref(), Some("Bộ Tư pháp"));
        assert_eq!(
            all[0].implementing_agencies,
            ["Chủ tịch ủy ban nhân dân cấp tỉnh", "Sở Tư pháp"]
        );
        assert_eq!(all[1].field, "Hộ tịch");
    }

    #[test]
    fn errors_name_sheet_and_row() {
        let rows = portal_rows(&[&["", "Tên thiếu mã", "Bộ", "Sở", "X"]]);
        let err = read_rows("Danh sách TTHC", &rows);
        assert!(
            err.as_ref()
                .is_err_and(|e| e.starts_with("sheet Danh sách TTHC, row 4: code")),
            "{err:?}"
        );
        let no_header = vec![vec!["Mã".to_string(), "Tên".to_string()]];
        assert_eq!(
            read_rows("Sheet1", &no_header),
            Err("sheet Sheet1: no header row with the columns Mã số and Tên".into())
        );
        assert_eq!(
            read(b"PK\x03\x04 not a zip").map_err(|e| e.location),
            Err("file".into())
        );
        let rows = portal_rows(&[&["num:1.01", "Số bị Excel đổi", "Bộ", "Sở", "X"]]);
        let err = read_rows("Danh sách TTHC", &rows);
        assert!(
            err.is_err_and(
                |e| e.starts_with("sheet Danh sách TTHC, row 4: Mã số is the number 1.01")
            )
        );
    }
}
