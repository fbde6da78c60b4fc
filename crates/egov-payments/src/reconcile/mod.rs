//! Reconciliation (đối soát): our credited payments against the gateway's
//! settlement rows, matched by our reference (`txn_ref`).
//!
//! - **matched**: on both sides, same amount;
//! - **amount_mismatch**: on both sides, different amounts;
//! - **missing_on_our_side**: settled by the gateway, not credited by us
//!   (e.g. a notification that never arrived or was refused);
//! - **missing_on_theirs**: credited by us, not settled by the gateway;
//! - **duplicates**: a reference seen more than once on one side (the
//!   first occurrence is matched, the others are listed here);
//! - **not_settled**: the gateway's rows with a status other than `00`,
//!   which take no part in the matching.
//!
//! Totals are per agency and local day: our side by our agency and the day
//! we credited; the gateway's side by its pay date (Asia/Ho_Chi_Minh) and the
//! agency of our matching payment, or none when we have no such payment.

pub mod export;

use std::collections::{BTreeMap, HashMap, HashSet};

use egov_domain::calendar::TIME_ZONE;
use egov_domain::Vnd;
use jiff::civil::Date;
use serde::Serialize;

use crate::settlement::SettlementRow;

/// A payment we credited, as the reconciliation sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditedPayment {
    pub txn_ref: String,
    pub transaction_no: Option<String>,
    pub amount: Vnd,
    /// The agency the fee belongs to.
    pub agency: String,
    /// The local (Asia/Ho_Chi_Minh) day it was credited.
    pub date: Date,
}

/// A payment found on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub ours: CreditedPayment,
    pub theirs: SettlementRow,
}

/// Which side a duplicate is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    Ours,
    Theirs,
}

/// A reference seen more than once on one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    pub side: Side,
    pub txn_ref: String,
    /// How many times in all.
    pub count: usize,
    /// The sum of the extra occurrences (all but the first).
    pub extra_amount: Vnd,
}

/// Totals of one agency (or none: the gateway's rows we know nothing of)
/// on one local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayTotal {
    pub agency: Option<String>,
    pub date: Date,
    pub our_count: u64,
    pub our_amount: Vnd,
    pub their_count: u64,
    pub their_amount: Vnd,
    pub matched_count: u64,
    pub matched_amount: Vnd,
    /// Mismatches, missing on either side and duplicates.
    pub discrepancies: u64,
}

/// The reconciliation report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub matched: Vec<Pair>,
    pub amount_mismatch: Vec<Pair>,
    pub missing_on_our_side: Vec<SettlementRow>,
    pub missing_on_theirs: Vec<CreditedPayment>,
    pub duplicates: Vec<Duplicate>,
    pub not_settled: Vec<SettlementRow>,
    /// Sorted by day, then agency (none last).
    pub totals: Vec<DayTotal>,
}

impl Report {
    /// Nothing to look at: every payment matched.
    pub fn is_clean(&self) -> bool {
        self.amount_mismatch.is_empty()
            && self.missing_on_our_side.is_empty()
            && self.missing_on_theirs.is_empty()
            && self.duplicates.is_empty()
    }
}

/// A sum did not fit in an `i64` of đồng.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a total overflows")]
pub struct Overflow;

fn add(sum: &mut Vnd, amount: Vnd) -> Result<(), Overflow> {
    *sum = sum.checked_add(amount).ok_or(Overflow)?;
    Ok(())
}

fn their_date(row: &SettlementRow) -> Date {
    row.pay_date.to_zoned(TIME_ZONE.clone()).date()
}

struct Totals(BTreeMap<(Date, bool, Option<String>), DayTotal>);

impl Totals {
    fn entry(&mut self, agency: Option<&str>, date: Date) -> &mut DayTotal {
        // `agency.is_none()` sorts the unknown agency after the known ones.
        self.0
            .entry((date, agency.is_none(), agency.map(str::to_owned)))
            .or_insert_with(|| DayTotal {
                agency: agency.map(str::to_owned),
                date,
                our_count: 0,
                our_amount: Vnd::ZERO,
                their_count: 0,
                their_amount: Vnd::ZERO,
                matched_count: 0,
                matched_amount: Vnd::ZERO,
                discrepancies: 0,
            })
    }
}

/// Matches our credited payments against the gateway's rows.
pub fn reconcile(ours: &[CreditedPayment], theirs: &[SettlementRow]) -> Result<Report, Overflow> {
    let mut report = Report::default();
    let mut totals = Totals(BTreeMap::new());

    // Our side, first occurrence of each reference.
    let mut our_index: HashMap<&str, usize> = HashMap::new();
    let mut our_dups: BTreeMap<&str, (usize, Vnd)> = BTreeMap::new();
    for (i, p) in ours.iter().enumerate() {
        let total = totals.entry(Some(&p.agency), p.date);
        total.our_count += 1;
        add(&mut total.our_amount, p.amount)?;
        if our_index.contains_key(p.txn_ref.as_str()) {
            let d = our_dups.entry(&p.txn_ref).or_insert((1, Vnd::ZERO));
            d.0 += 1;
            add(&mut d.1, p.amount)?;
            totals.entry(Some(&p.agency), p.date).discrepancies += 1;
        } else {
            our_index.insert(&p.txn_ref, i);
        }
    }

    // Their side, settled rows only.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut their_dups: BTreeMap<&str, (usize, Vnd)> = BTreeMap::new();
    let mut matched_refs: HashSet<&str> = HashSet::new();
    for row in theirs {
        if !row.is_settled() {
            report.not_settled.push(row.clone());
            continue;
        }
        let ours = our_index.get(row.txn_ref.as_str()).map(|&i| &ours[i]);
        let agency = ours.map(|p| p.agency.as_str());
        let total = totals.entry(agency, their_date(row));
        total.their_count += 1;
        add(&mut total.their_amount, row.amount)?;
        if !seen.insert(&row.txn_ref) {
            let d = their_dups.entry(&row.txn_ref).or_insert((1, Vnd::ZERO));
            d.0 += 1;
            add(&mut d.1, row.amount)?;
            total.discrepancies += 1;
            continue;
        }
        match ours {
            None => {
                total.discrepancies += 1;
                report.missing_on_our_side.push(row.clone());
            }
            Some(p) => {
                matched_refs.insert(&p.txn_ref);
                let pair = Pair {
                    ours: p.clone(),
                    theirs: row.clone(),
                };
                let total = totals.entry(Some(&p.agency), p.date);
                if p.amount == row.amount {
                    total.matched_count += 1;
                    add(&mut total.matched_amount, p.amount)?;
                    report.matched.push(pair);
                } else {
                    total.discrepancies += 1;
                    report.amount_mismatch.push(pair);
                }
            }
        }
    }

    for (i, p) in ours.iter().enumerate() {
        let first = our_index.get(p.txn_ref.as_str()) == Some(&i);
        if first && !matched_refs.contains(p.txn_ref.as_str()) {
            totals.entry(Some(&p.agency), p.date).discrepancies += 1;
            report.missing_on_theirs.push(p.clone());
        }
    }
    for (side, dups) in [(Side::Ours, our_dups), (Side::Theirs, their_dups)] {
        for (txn_ref, (count, extra_amount)) in dups {
            report.duplicates.push(Duplicate {
                side,
                txn_ref: txn_ref.to_owned(),
                count,
                extra_amount,
            });
        }
    }
    report.totals = totals.0.into_values().collect();
    Ok(report)
}

#[cfg(test)]
mod tests;
