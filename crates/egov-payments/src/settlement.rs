//! The gateway's daily settlement file (file đối soát), CSV.
//!
//! Columns (a header row is required; names are matched case-insensitively
//! and in any order; other columns are ignored):
//!
//! | column           | content                                                   |
//! |------------------|-----------------------------------------------------------|
//! | `txn_ref`        | our reference (`vnp_TxnRef`)                              |
//! | `transaction_no` | the gateway's transaction number (`vnp_TransactionNo`)    |
//! | `amount`         | whole đồng, digits only (not × 100): `74000`              |
//! | `pay_date`       | `yyyyMMddHHmmss` or `yyyy-MM-dd HH:mm:ss`, Asia/Ho_Chi_Minh |
//! | `bank_code`      | the bank or method, may be empty                          |
//! | `status`         | the transaction status code, `00` = settled successfully  |
//!
//! A UTF-8 byte-order mark and CRLF line ends are accepted, fields are
//! trimmed, blank lines skipped. The first error stops the read and names
//! its line (the header is line 1).

use egov_domain::Vnd;
use jiff::civil::DateTime;
use jiff::Timestamp;
use serde::Serialize;

use egov_domain::calendar::TIME_ZONE;

const COLUMNS: [&str; 6] = [
    "txn_ref",
    "transaction_no",
    "amount",
    "pay_date",
    "bank_code",
    "status",
];

/// One transaction the gateway settled (or reports as not settled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettlementRow {
    /// Line in the file, for people to find it.
    pub line: u64,
    pub txn_ref: String,
    pub transaction_no: String,
    pub amount: Vnd,
    pub pay_date: Timestamp,
    pub bank_code: String,
    pub status: String,
}

impl SettlementRow {
    /// The gateway settled it: status `00`.
    pub fn is_settled(&self) -> bool {
        self.status == "00"
    }
}

/// Why the file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct SettlementError {
    pub line: u64,
    pub reason: String,
}

fn error(line: u64, reason: impl Into<String>) -> SettlementError {
    SettlementError {
        line,
        reason: reason.into(),
    }
}

/// Reads `yyyyMMddHHmmss` or `yyyy-MM-dd HH:mm:ss` in Asia/Ho_Chi_Minh.
fn parse_pay_date(s: &str) -> Option<Timestamp> {
    if let Some(t) = crate::vnpay::parse_date(s) {
        return Some(t);
    }
    if s.len() != 19 {
        return None;
    }
    let civil = DateTime::strptime("%Y-%m-%d %H:%M:%S", s).ok()?;
    Some(civil.to_zoned(TIME_ZONE.clone()).ok()?.timestamp())
}

/// Reads a settlement file; every row, or the first error with its line.
pub fn parse(bytes: &[u8]) -> Result<Vec<SettlementRow>, SettlementError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // The 1-based line a record starts on. The csv crate's own line count
    // skips blank lines, and its positions point before the line ends that
    // precede a record, so skip those and count the newlines before.
    let line_at = |position: Option<&csv::Position>| {
        position.map_or(0, |p| {
            let from = usize::try_from(p.byte())
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            let start = bytes[from..]
                .iter()
                .position(|b| !matches!(b, b'\r' | b'\n'))
                .map_or(bytes.len(), |i| from + i);
            let newlines = bytes[..start].iter().filter(|&&b| b == b'\n').count();
            u64::try_from(newlines).unwrap_or(u64::MAX) + 1
        })
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| error(1, format!("unreadable header: {}", csv_reason(&e))))?
        .clone();
    if header.iter().all(str::is_empty) {
        return Err(error(1, "the header row is required"));
    }
    let mut index = [0usize; 6];
    for (slot, name) in index.iter_mut().zip(COLUMNS) {
        let mut found = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.eq_ignore_ascii_case(name));
        *slot = match (found.next(), found.next()) {
            (Some((i, _)), None) => i,
            (None, _) => return Err(error(1, format!("missing column `{name}`"))),
            (Some(_), Some(_)) => return Err(error(1, format!("column `{name}` appears twice"))),
        };
    }
    let [txn_ref, transaction_no, amount, pay_date, bank_code, status] = index;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| error(line_at(e.position()), csv_reason(&e)))?;
        let line = line_at(record.position());
        let field = |i: usize| record.get(i).unwrap_or("");
        let required = |i: usize, name: &str| {
            let v = field(i);
            if v.is_empty() {
                Err(error(line, format!("`{name}` is empty")))
            } else if v.chars().count() > 100 {
                Err(error(
                    line,
                    format!("`{name}` is longer than 100 characters"),
                ))
            } else {
                Ok(v.to_owned())
            }
        };
        let amount_text = field(amount);
        if amount_text.is_empty() || !amount_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error(
                line,
                format!("`amount` is not a whole number of đồng: `{amount_text}`"),
            ));
        }
        let value: i64 = amount_text
            .parse()
            .map_err(|_| error(line, "`amount` is too large"))?;
        if value == 0 {
            return Err(error(line, "`amount` is zero"));
        }
        let date_text = field(pay_date);
        let date = parse_pay_date(date_text).ok_or_else(|| {
            error(
                line,
                format!("`pay_date` is not yyyyMMddHHmmss or yyyy-MM-dd HH:mm:ss: `{date_text}`"),
            )
        })?;
        let bank = field(bank_code);
        if bank.chars().count() > 100 {
            return Err(error(line, "`bank_code` is longer than 100 characters"));
        }
        rows.push(SettlementRow {
            line,
            txn_ref: required(txn_ref, "txn_ref")?,
            transaction_no: required(transaction_no, "transaction_no")?,
            amount: Vnd(value),
            pay_date: date,
            bank_code: bank.to_owned(),
            status: required(status, "status")?,
        });
    }
    Ok(rows)
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_owned(),
        _ => "unreadable CSV".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\u{feff}txn_ref,transaction_no,amount,pay_date,bank_code,status\r\n\
        PO1,14226112,74000,20261123100500,NCB,00\r\n\
        \r\n\
        PO2, 14226113 ,50000,2026-11-23 23:59:59,,02\r\n";

    #[test]
    fn reads_rows_with_bom_crlf_and_blank_lines() {
        let rows = parse(GOOD.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].txn_ref, "PO1");
        assert_eq!(rows[0].amount, Vnd(74_000));
        assert_eq!(rows[0].line, 2);
        assert_eq!(
            rows[0].pay_date,
            "2026-11-23T03:05:00Z".parse::<Timestamp>().unwrap()
        );
        assert!(rows[0].is_settled());
        assert_eq!(rows[1].transaction_no, "14226113");
        assert_eq!(rows[1].bank_code, "");
        assert_eq!(rows[1].line, 4);
        assert_eq!(
            rows[1].pay_date,
            "2026-11-23T16:59:59Z".parse::<Timestamp>().unwrap()
        );
        assert!(!rows[1].is_settled());
    }

    #[test]
    fn columns_in_any_order_and_extra_columns() {
        let rows = parse(b"Status,AMOUNT,note,txn_ref,pay_date,bank_code,transaction_no\n00,1000,hi,PO9,20261123100500,VCB,77\n").unwrap();
        assert_eq!(rows[0].txn_ref, "PO9");
        assert_eq!(rows[0].amount, Vnd(1_000));
        assert_eq!(rows[0].transaction_no, "77");
    }

    #[test]
    fn an_empty_file_has_no_rows_only_with_a_header() {
        assert!(
            parse(b"txn_ref,transaction_no,amount,pay_date,bank_code,status\n")
                .unwrap()
                .is_empty()
        );
        assert_eq!(parse(b"").unwrap_err().line, 1);
    }

    #[test]
    fn errors_name_their_line() {
        let header = "txn_ref,transaction_no,amount,pay_date,bank_code,status\n";
        let ok = "PO1,1,1000,20261123100500,NCB,00\n";
        for (body, line, fragment) in [
            ("PO2,2,12.5,20261123100500,NCB,00\n", 3, "amount"),
            ("PO2,2,-100,20261123100500,NCB,00\n", 3, "amount"),
            ("PO2,2,1.000,20261123100500,NCB,00\n", 3, "amount"),
            (
                "PO2,2,99999999999999999999,20261123100500,NCB,00\n",
                3,
                "too large",
            ),
            ("PO2,2,0,20261123100500,NCB,00\n", 3, "zero"),
            ("PO2,2,1000,20261323100500,NCB,00\n", 3, "pay_date"),
            ("PO2,2,1000,23/11/2026,NCB,00\n", 3, "pay_date"),
            (",2,1000,20261123100500,NCB,00\n", 3, "txn_ref"),
            ("PO2,,1000,20261123100500,NCB,00\n", 3, "transaction_no"),
            ("PO2,2,1000,20261123100500,NCB,\n", 3, "status"),
            ("PO2,2,1000\n", 3, "3 fields where the header has 6"),
            ("\nPO2,2,1000,20261123100500,NCB,00,extra\n", 4, "7 fields"),
        ] {
            let file = format!("{header}{ok}{body}");
            let e = parse(file.as_bytes()).unwrap_err();
            assert_eq!(e.line, line, "{body:?}: {e}");
            assert!(e.to_string().contains(fragment), "{body:?}: {e}");
            assert!(e.to_string().starts_with(&format!("line {line}: ")));
        }
    }

    #[test]
    fn header_errors_are_on_line_one() {
        let e =
            parse(b"txn_ref,amount,pay_date,bank_code,status\nPO1,1000,20261123100500,NCB,00\n")
                .unwrap_err();
        assert_eq!(e, error(1, "missing column `transaction_no`"));
        let e =
            parse(b"txn_ref,transaction_no,amount,amount,pay_date,bank_code,status\n").unwrap_err();
        assert_eq!(e, error(1, "column `amount` appears twice"));
        let e = parse(b"\xff\xfe,x\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn invalid_utf8_in_a_row_names_the_line() {
        let mut file = b"txn_ref,transaction_no,amount,pay_date,bank_code,status\n".to_vec();
        file.extend_from_slice(b"PO1,1,1000,20261123100500,N\xffB,00\n");
        let e = parse(&file).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("UTF-8"));
    }
}
