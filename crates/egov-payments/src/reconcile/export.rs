//! The reconciliation report as files for the finance officer: CSV (UTF-8
//! with a byte-order mark, so spreadsheet programs read the Vietnamese
//! right) and XLSX (two sheets, "Totals" and "Details").
//!
//! Columns of the details (one row per item of the report):
//! `kind, txn_ref, agency, our_date, our_amount, their_pay_date,
//! their_amount, transaction_no, bank_code, their_status, file_line, count`,
//! where `kind` is `matched`, `amount-mismatch`, `missing-on-our-side`,
//! `missing-on-theirs`, `duplicate-ours`, `duplicate-theirs` or
//! `not-settled`; for a duplicate, `our_amount`/`their_amount` is the sum of
//! the extra occurrences and `count` how many there are in all.
//!
//! Columns of the totals: `date, agency, our_count, our_amount,
//! their_count, their_amount, matched_count, matched_amount, discrepancies`.
//!
//! Amounts are whole đồng. Text that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed
//! with `'` in the CSV; XLSX cells are typed, so text stays text.

use egov_domain::calendar::TIME_ZONE;
use egov_domain::Vnd;
use jiff::Timestamp;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{CreditedPayment, Report, Side};
use crate::settlement::SettlementRow;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing XLSX: {0}")]
    Xlsx(#[from] XlsxError),
}

/// A cell: text or a whole number of đồng (or a count).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cell {
    Text(String),
    Number(i64),
    Empty,
}

const DETAIL_HEADER: [&str; 12] = [
    "kind",
    "txn_ref",
    "agency",
    "our_date",
    "our_amount",
    "their_pay_date",
    "their_amount",
    "transaction_no",
    "bank_code",
    "their_status",
    "file_line",
    "count",
];

const TOTALS_HEADER: [&str; 9] = [
    "date",
    "agency",
    "our_count",
    "our_amount",
    "their_count",
    "their_amount",
    "matched_count",
    "matched_amount",
    "discrepancies",
];

fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn local(t: Timestamp) -> String {
    t.to_zoned(TIME_ZONE.clone())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn count(n: u64) -> Cell {
    Cell::Number(i64::try_from(n).unwrap_or(i64::MAX))
}

fn detail(
    kind: &str,
    txn_ref: &str,
    ours: Option<&CreditedPayment>,
    theirs: Option<&SettlementRow>,
) -> Vec<Cell> {
    vec![
        text(kind),
        text(txn_ref),
        ours.map_or(Cell::Empty, |p| text(&p.agency)),
        ours.map_or(Cell::Empty, |p| text(&p.date.to_string())),
        ours.map_or(Cell::Empty, |p| Cell::Number(p.amount.0)),
        theirs.map_or(Cell::Empty, |r| text(&local(r.pay_date))),
        theirs.map_or(Cell::Empty, |r| Cell::Number(r.amount.0)),
        theirs
            .map(|r| r.transaction_no.as_str())
            .or_else(|| ours.and_then(|p| p.transaction_no.as_deref()))
            .map_or(Cell::Empty, text),
        theirs.map_or(Cell::Empty, |r| text(&r.bank_code)),
        theirs.map_or(Cell::Empty, |r| text(&r.status)),
        theirs.map_or(Cell::Empty, |r| count(r.line)),
        Cell::Empty,
    ]
}

fn detail_rows(report: &Report) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for pair in &report.matched {
        rows.push(detail(
            "matched",
            &pair.ours.txn_ref,
            Some(&pair.ours),
            Some(&pair.theirs),
        ));
    }
    for pair in &report.amount_mismatch {
        rows.push(detail(
            "amount-mismatch",
            &pair.ours.txn_ref,
            Some(&pair.ours),
            Some(&pair.theirs),
        ));
    }
    for row in &report.missing_on_our_side {
        rows.push(detail("missing-on-our-side", &row.txn_ref, None, Some(row)));
    }
    for p in &report.missing_on_theirs {
        rows.push(detail("missing-on-theirs", &p.txn_ref, Some(p), None));
    }
    for d in &report.duplicates {
        let mut row = detail(
            match d.side {
                Side::Ours => "duplicate-ours",
                Side::Theirs => "duplicate-theirs",
            },
            &d.txn_ref,
            None,
            None,
        );
        let amount_column = if d.side == Side::Ours { 4 } else { 6 };
        row[amount_column] = Cell::Number(d.extra_amount.0);
        row[11] = count(u64::try_from(d.count).unwrap_or(u64::MAX));
        rows.push(row);
    }
    for row in &report.not_settled {
        rows.push(detail("not-settled", &row.txn_ref, None, Some(row)));
    }
    rows
}

fn total_rows(report: &Report) -> Vec<Vec<Cell>> {
    let amount = |v: Vnd| Cell::Number(v.0);
    report
        .totals
        .iter()
        .map(|t| {
            vec![
                text(&t.date.to_string()),
                t.agency.as_deref().map_or(Cell::Empty, text),
                count(t.our_count),
                amount(t.our_amount),
                count(t.their_count),
                amount(t.their_amount),
                count(t.matched_count),
                amount(t.matched_amount),
                count(t.discrepancies),
            ]
        })
        .collect()
}

/// Neutralises text a spreadsheet would evaluate as a formula.
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn to_csv(header: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, ExportError> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row.iter().map(|cell| match cell {
            Cell::Text(s) => defuse(s),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }))?;
    }
    writer
        .into_inner()
        .map_err(|e| ExportError::Csv(csv::Error::from(e.into_error())))
}

/// The details as CSV.
pub fn details_csv(report: &Report) -> Result<Vec<u8>, ExportError> {
    to_csv(&DETAIL_HEADER, &detail_rows(report))
}

/// The totals per agency and day as CSV.
pub fn totals_csv(report: &Report) -> Result<Vec<u8>, ExportError> {
    to_csv(&TOTALS_HEADER, &total_rows(report))
}

/// Largest integer an XLSX number (a double) holds exactly.
const EXACT: i64 = 1 << 53;

fn write_sheet(
    sheet: &mut Worksheet,
    header: &[&str],
    rows: &[Vec<Cell>],
    bold: &Format,
    money: &Format,
) -> Result<(), XlsxError> {
    for (col, name) in (0u16..).zip(header) {
        sheet.write_string_with_format(0, col, *name, bold)?;
        sheet.set_column_width(col, 16)?;
    }
    for (r, row) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(row) {
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, col, s)?;
                }
                // Exact as a double: the cast loses nothing.
                Cell::Number(n) if (-EXACT..=EXACT).contains(n) => {
                    sheet.write_number_with_format(r, col, *n as f64, money)?;
                }
                Cell::Number(n) => {
                    sheet.write_string(r, col, n.to_string())?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The report as an XLSX workbook: "Totals" then "Details".
pub fn report_xlsx(report: &Report) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0");
    write_sheet(
        workbook.add_worksheet().set_name("Totals")?,
        &TOTALS_HEADER,
        &total_rows(report),
        &bold,
        &money,
    )?;
    write_sheet(
        workbook.add_worksheet().set_name("Details")?,
        &DETAIL_HEADER,
        &detail_rows(report),
        &bold,
        &money,
    )?;
    Ok(workbook.save_to_buffer()?)
}
