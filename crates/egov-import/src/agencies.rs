//! Agencies (cơ quan) from a CSV list or a JSON array.

use egov_domain::text::clean;
use egov_domain::{Agency, AgencyKind};

use crate::input::{from_record, json_array, Table};
use crate::{Format, ImportError};

/// Reads agencies: CSV with the header `code,name,kind,parent_code,admin_unit_code`
/// (`kind` as [`AgencyKind::as_str`], empty parent or unit for none), or a JSON
/// array of [`Agency`]. Each one is validated.
pub fn read_agencies(bytes: &[u8], format: Format) -> Result<Vec<Agency>, ImportError> {
    match format {
        Format::Csv => read_csv(bytes),
        Format::Json => json_array(bytes)?
            .into_iter()
            .enumerate()
            .map(|(i, value)| {
                let agency: Agency = from_record(value, i)?;
                agency
                    .validate()
                    .map_err(|e| ImportError::record(i, e.to_string()))?;
                Ok(agency)
            })
            .collect(),
        Format::JsonLines | Format::Xlsx => Err(ImportError::unsupported(format, "agencies")),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Agency>, ImportError> {
    let table = Table::read(bytes)?;
    table.require(&["code", "name", "kind"])?;
    table
        .rows
        .iter()
        .map(|(line, r)| {
            let fail = |reason: String| ImportError::line(*line, reason);
            let kind = AgencyKind::parse(table.get(r, "kind").unwrap_or_default())
                .map_err(|e| fail(e.to_string()))?;
            let agency = Agency {
                code: table.get(r, "code").unwrap_or_default().to_owned(),
                name: clean(table.get(r, "name").unwrap_or_default()),
                kind,
                parent_code: table.non_empty(r, "parent_code").map(str::to_owned),
                admin_unit_code: table.non_empty(r, "admin_unit_code").map(str::to_owned),
            };
            agency.validate().map_err(|e| fail(e.to_string()))?;
            Ok(agency)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "code,name,kind,parent_code,admin_unit_code\n";

    fn read_csv_text(text: &str) -> Result<Vec<Agency>, String> {
        read_agencies(text.as_bytes(), Format::Csv).map_err(|e| e.to_string())
    }

    #[test]
    fn csv_rows_become_agencies() {
        let text = format!("{HEADER}000.00.00.H26,UBND Thành phố  Hà Nội,provincial-committee,,01\n000.00.01.H26,Sở Tư pháp,department,000.00.00.H26,\n");
        let agencies = read_csv_text(&text).unwrap_or_default();
        assert_eq!(agencies.len(), 2);
        assert_eq!(agencies[0].name, "UBND Thành phố Hà Nội");
        assert_eq!(agencies[0].parent_code, None);
        assert_eq!(agencies[1].parent_code.as_deref(), Some("000.00.00.H26"));
        assert_eq!(agencies[1].admin_unit_code, None);
    }

    #[test]
    fn csv_errors_name_the_line() {
        assert_eq!(
            read_csv_text("code,name\nA,B\n"),
            Err("line 1: missing required column `kind`".into())
        );
        let bad_kind = format!("{HEADER}A1,Bộ Tư pháp,ministry,,\nA2,Sở,dept,,\n");
        assert_eq!(
            read_csv_text(&bad_kind),
            Err("line 3: kind: `dept` is not an agency kind".into())
        );
        let bad_code = format!("{HEADER}có dấu,Bộ,ministry,,\n");
        assert!(read_csv_text(&bad_code).is_err_and(|e| e.starts_with("line 2: code")));
    }

    #[test]
    fn json_array_of_agencies() {
        let agency = Agency {
            code: "G01".into(),
            name: "Bộ Tư pháp".into(),
            kind: AgencyKind::Ministry,
            parent_code: None,
            admin_unit_code: None,
        };
        let json = serde_json::to_vec(std::slice::from_ref(&agency)).unwrap_or_default();
        assert_eq!(read_agencies(&json, Format::Json), Ok(vec![agency]));
        let self_parent =
            r#"[{"code":"A","name":"B","kind":"other","parent_code":"A","admin_unit_code":null}]"#;
        let err = read_agencies(self_parent.as_bytes(), Format::Json).map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("record 1: parent_code: an agency cannot be its own parent".into())
        );
        let err = read_agencies(b"[]", Format::Xlsx).map_err(|e| e.location);
        assert_eq!(err, Err("file".into()));
    }
}
