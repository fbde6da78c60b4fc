use super::export::{details_csv, report_xlsx, totals_csv};
use super::*;
use crate::settlement;
use jiff::civil::date;

fn ours(txn_ref: &str, amount: i64, agency: &str, day: i8) -> CreditedPayment {
    CreditedPayment {
        txn_ref: txn_ref.into(),
        transaction_no: Some(format!("T{txn_ref}")),
        amount: Vnd(amount),
        agency: agency.into(),
        date: date(2026, 11, day),
    }
}

/// Settlement rows as the gateway's file gives them.
fn theirs(body: &str) -> Vec<SettlementRow> {
    let file = format!("txn_ref,transaction_no,amount,pay_date,bank_code,status\n{body}");
    settlement::parse(file.as_bytes()).unwrap()
}

fn sample() -> Report {
    let ours = vec![
        ours("A", 50_000, "H29", 23),
        ours("B", 74_000, "H29", 23),
        ours("C", 10_000, "H01", 23),
        ours("D", 20_000, "H01", 24),
        ours("E", 30_000, "H01", 24),
        ours("E", 30_000, "H01", 24),
    ];
    let theirs = theirs(
        "A,TA,50000,20261123100000,NCB,00\n\
         B,TB,47000,20261123110000,NCB,00\n\
         X,TX,99000,20261123120000,VCB,00\n\
         D,TD,20000,20261124000500,NCB,02\n\
         E,TE,30000,20261124090000,NCB,00\n\
         A,TA2,50000,20261123235959,NCB,00\n",
    );
    reconcile(&ours, &theirs).unwrap()
}

fn refs_pairs(pairs: &[Pair]) -> Vec<&str> {
    pairs.iter().map(|p| p.ours.txn_ref.as_str()).collect()
}

#[test]
fn each_kind_of_discrepancy_is_found() {
    let report = sample();
    assert_eq!(refs_pairs(&report.matched), ["A", "E"]);
    assert_eq!(refs_pairs(&report.amount_mismatch), ["B"]);
    assert_eq!(report.amount_mismatch[0].ours.amount, Vnd(74_000));
    assert_eq!(report.amount_mismatch[0].theirs.amount, Vnd(47_000));
    let missing_ours: Vec<&str> = report
        .missing_on_our_side
        .iter()
        .map(|r| r.txn_ref.as_str())
        .collect();
    assert_eq!(missing_ours, ["X"]);
    // C was never settled; D only as a failed row.
    let missing_theirs: Vec<&str> = report
        .missing_on_theirs
        .iter()
        .map(|p| p.txn_ref.as_str())
        .collect();
    assert_eq!(missing_theirs, ["C", "D"]);
    assert_eq!(report.not_settled.len(), 1);
    assert_eq!(report.not_settled[0].txn_ref, "D");
    assert_eq!(
        report.duplicates,
        vec![
            Duplicate {
                side: Side::Ours,
                txn_ref: "E".into(),
                count: 2,
                extra_amount: Vnd(30_000)
            },
            Duplicate {
                side: Side::Theirs,
                txn_ref: "A".into(),
                count: 2,
                extra_amount: Vnd(50_000)
            },
        ]
    );
    assert!(!report.is_clean());
}

#[test]
fn totals_per_agency_and_day() {
    let report = sample();
    let find = |agency: Option<&str>, day: i8| {
        report
            .totals
            .iter()
            .find(|t| t.agency.as_deref() == agency && t.date == date(2026, 11, day))
            .unwrap()
    };
    let h29 = find(Some("H29"), 23);
    assert_eq!((h29.our_count, h29.our_amount), (2, Vnd(124_000)));
    // A, B and A's duplicate.
    assert_eq!((h29.their_count, h29.their_amount), (3, Vnd(147_000)));
    assert_eq!((h29.matched_count, h29.matched_amount), (1, Vnd(50_000)));
    // B's mismatch and A's duplicate.
    assert_eq!(h29.discrepancies, 2);
    let h01 = find(Some("H01"), 23);
    assert_eq!(
        (h01.our_count, h01.their_count, h01.discrepancies),
        (1, 0, 1)
    );
    let h01 = find(Some("H01"), 24);
    assert_eq!((h01.our_count, h01.our_amount), (3, Vnd(80_000)));
    assert_eq!((h01.their_count, h01.matched_count), (1, 1));
    // D missing on theirs, E duplicated on ours.
    assert_eq!(h01.discrepancies, 2);
    let unknown = find(None, 23);
    assert_eq!(
        (unknown.their_count, unknown.their_amount),
        (1, Vnd(99_000))
    );
    assert_eq!(unknown.discrepancies, 1);
    // Sorted by day, then agency with the unknown last.
    let order: Vec<(i8, Option<&str>)> = report
        .totals
        .iter()
        .map(|t| (t.date.day(), t.agency.as_deref()))
        .collect();
    assert_eq!(
        order,
        [
            (23, Some("H01")),
            (23, Some("H29")),
            (23, None),
            (24, Some("H01"))
        ]
    );
}

#[test]
fn the_gateways_day_is_the_local_day() {
    // 00:05 on the 24th in Hà Nội is still the 23rd in UTC.
    let report = reconcile(
        &[ours("A", 1_000, "H29", 23)],
        &theirs("A,TA,1000,20261124000500,NCB,00\n"),
    )
    .unwrap();
    let days: Vec<i8> = report.totals.iter().map(|t| t.date.day()).collect();
    assert_eq!(days, [23, 24]);
    assert_eq!(report.totals[1].their_count, 1);
    assert_eq!(report.totals[1].agency.as_deref(), Some("H29"));
}

#[test]
fn a_clean_day_is_clean() {
    let report = reconcile(
        &[ours("A", 1_000, "H29", 23)],
        &theirs("A,TA,1000,20261123100000,NCB,00\n"),
    )
    .unwrap();
    assert!(report.is_clean());
    assert_eq!(report.matched.len(), 1);
    assert!(reconcile(&[], &[]).unwrap().is_clean());
}

#[test]
fn overflowing_totals_are_an_error() {
    let ours = [
        ours("A", i64::MAX, "H29", 23),
        ours("B", i64::MAX, "H29", 23),
    ];
    assert_eq!(reconcile(&ours, &[]), Err(Overflow));
}

#[test]
fn csv_exports() {
    let report = sample();
    let details = String::from_utf8(details_csv(&report).unwrap()).unwrap();
    let details = details.strip_prefix('\u{feff}').unwrap();
    let lines: Vec<&str> = details.lines().collect();
    assert_eq!(
        lines[0],
        "kind,txn_ref,agency,our_date,our_amount,their_pay_date,their_amount,transaction_no,bank_code,their_status,file_line,count"
    );
    assert_eq!(
        lines[1],
        "matched,A,H29,2026-11-23,50000,2026-11-23 10:00:00,50000,TA,NCB,00,2,"
    );
    assert!(lines.contains(&"missing-on-theirs,C,H01,2026-11-23,10000,,,TC,,,,"));
    assert!(lines.contains(&"duplicate-theirs,A,,,,,50000,,,,,2"));
    assert_eq!(lines.len(), 1 + 2 + 1 + 1 + 2 + 2 + 1);
    let totals = String::from_utf8(totals_csv(&report).unwrap()).unwrap();
    assert!(totals.contains("2026-11-23,H29,2,124000,3,147000,1,50000,2\n"));
    assert!(totals.contains("2026-11-23,,0,0,1,99000,0,0,1\n"));
}

#[test]
fn csv_export_defuses_formulas() {
    let report = reconcile(
        &[],
        &theirs("\"=HYPERLINK(\"\"x\"\")\",T1,1000,20261123100000,NCB,00\n"),
    )
    .unwrap();
    let details = String::from_utf8(details_csv(&report).unwrap()).unwrap();
    assert!(
        details.contains("missing-on-our-side,\"'=HYPERLINK(\"\"x\"\")\""),
        "{details}"
    );
}

#[test]
fn xlsx_export_reads_back() {
    use calamine::{Data, Reader, Xlsx};
    let report = sample();
    let bytes = report_xlsx(&report).unwrap();
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["Totals", "Details"]);
    let totals = book.worksheet_range("Totals").unwrap();
    assert_eq!(totals.get((0, 0)), Some(&Data::String("date".into())));
    let h29 = totals
        .rows()
        .find(|r| r[1] == Data::String("H29".into()))
        .unwrap();
    assert_eq!(h29[3], Data::Float(124_000.0));
    let details = book.worksheet_range("Details").unwrap();
    assert_eq!(details.height(), 1 + 9);
    assert_eq!(details.get((1, 0)), Some(&Data::String("matched".into())));
    assert_eq!(details.get((1, 4)), Some(&Data::Float(50_000.0)));
}
