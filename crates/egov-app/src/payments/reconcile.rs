//! The finance officer's work for the merchant account: reconciliation
//! (đối soát) of the gateways' daily settlement files against our credited
//! payments, exported to CSV and XLSX, and the review of the notifications
//! that need a person's look.
//!
//! A settlement file's bytes are kept in the blob store; its report is
//! computed again whenever it is asked for, so it reflects what was credited
//! since (the counts at import are kept with the file).

use egov_domain::calendar::TIME_ZONE;
use egov_domain::identity::Actor;
use egov_domain::{InvalidField, Page, PageRequest};
use egov_payments::reconcile::{export, reconcile, CreditedPayment, Report};
use egov_payments::settlement::{self, SettlementRow};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use super::{person, Payments};
use crate::identity::new_id;
use crate::ports::{
    PaymentNotification, PaymentNotificationFilter, SettlementRecord, SettlementSummary,
};
use crate::AppError;

/// Longest review note, in characters.
const MAX_NOTE_CHARS: usize = 2000;

/// An imported settlement file with its reconciliation.
#[derive(Debug, Clone, Serialize)]
pub struct SettlementImport {
    pub settlement: SettlementRecord,
    pub report: Report,
}

/// The exports of a reconciliation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One row per payment or discrepancy, CSV.
    DetailsCsv,
    /// Totals per agency and day, CSV.
    TotalsCsv,
    /// Both, as two sheets of a workbook.
    Xlsx,
}

/// A file to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

fn summary(report: &Report) -> SettlementSummary {
    let n = |len: usize| u64::try_from(len).unwrap_or(u64::MAX);
    SettlementSummary {
        matched: n(report.matched.len()),
        amount_mismatch: n(report.amount_mismatch.len()),
        missing_on_our_side: n(report.missing_on_our_side.len()),
        missing_on_theirs: n(report.missing_on_theirs.len()),
        duplicates: n(report.duplicates.len()),
        not_settled: n(report.not_settled.len()),
    }
}

fn local_day(at: Timestamp) -> Date {
    at.to_zoned(TIME_ZONE.clone()).date()
}

/// The first and last local day of the rows' pay dates.
fn days(rows: &[SettlementRow]) -> Option<(Date, Date)> {
    let first = rows.iter().map(|r| local_day(r.pay_date)).min()?;
    let last = rows.iter().map(|r| local_day(r.pay_date)).max()?;
    Some((first, last))
}

/// The instant a local day starts in Vietnam.
fn start_of(day: Date) -> Result<Timestamp, AppError> {
    day.to_zoned(TIME_ZONE.clone())
        .map(|z| z.timestamp())
        .map_err(|e| AppError::Storage(format!("day {day}: {e}")))
}

fn parse(bytes: &[u8]) -> Result<Vec<SettlementRow>, AppError> {
    settlement::parse(bytes).map_err(|e| AppError::Import {
        location: format!("line {}", e.line),
        reason: e.reason,
    })
}

impl Payments {
    /// Our credited payments of `gateway` paid on the local days `first` to
    /// `last`, matched against the settlement rows.
    async fn reconcile_days(
        &self,
        gateway: &str,
        first: Date,
        last: Date,
        rows: &[SettlementRow],
    ) -> Result<Report, AppError> {
        let after_last = last
            .tomorrow()
            .map_err(|e| AppError::Storage(format!("day after {last}: {e}")))?;
        let credited = self
            .store
            .credited_between(gateway, start_of(first)?, start_of(after_last)?)
            .await?;
        let ours: Vec<CreditedPayment> = credited
            .into_iter()
            .filter_map(|stored| {
                let paid_at = stored.order.paid_at?;
                Some(CreditedPayment {
                    txn_ref: stored.order.gateway_txn_ref,
                    transaction_no: stored.order.gateway_transaction_no,
                    amount: stored.order.total,
                    agency: stored.agency,
                    date: local_day(paid_at),
                })
            })
            .collect();
        reconcile(&ours, rows).map_err(|e| AppError::Conflict(e.to_string()))
    }

    /// Imports a gateway's settlement file (CSV, see
    /// `egov_payments::settlement`) and reconciles it against our credited
    /// payments of the local days it covers (its first to its last pay
    /// date): matched, amount mismatches, missing on our side, missing on
    /// theirs, duplicates, totals per agency and day. A file that cannot be
    /// read is refused with its line (`AppError::Import`).
    pub async fn import_settlement(
        &self,
        actor: &Actor,
        gateway: &str,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<SettlementImport, AppError> {
        self.authorize_merchant(actor).await?;
        let gateway = self.gateway(gateway)?.code().to_owned();
        if bytes.len() > self.config.max_settlement_bytes {
            return Err(InvalidField::new(
                "file",
                format!("is larger than {} bytes", self.config.max_settlement_bytes),
            )
            .into());
        }
        let rows = parse(bytes)?;
        let (first_day, last_day) =
            days(&rows).ok_or_else(|| InvalidField::new("file", "has no transactions"))?;
        let report = self
            .reconcile_days(&gateway, first_day, last_day, &rows)
            .await?;
        let file_hash = self.blobs.put(bytes).await?;
        let settlement = SettlementRecord {
            id: new_id(),
            gateway,
            first_day,
            last_day,
            file_hash,
            rows: u64::try_from(rows.len()).unwrap_or(u64::MAX),
            imported_by: person(actor),
            imported_at: now,
            summary: summary(&report),
        };
        self.store.save_settlement(&settlement).await?;
        Ok(SettlementImport { settlement, report })
    }

    /// An imported file with its reconciliation as it stands now.
    pub async fn settlement_report(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<SettlementImport, AppError> {
        self.authorize_merchant(actor).await?;
        let settlement = self
            .store
            .settlement(id)
            .await?
            .ok_or_else(|| AppError::not_found("settlement", id))?;
        let bytes = self
            .blobs
            .get(&settlement.file_hash)
            .await?
            .ok_or_else(|| {
                AppError::Storage(format!(
                    "settlement file {} is missing",
                    settlement.file_hash
                ))
            })?;
        let rows = parse(&bytes)?;
        let report = self
            .reconcile_days(
                &settlement.gateway,
                settlement.first_day,
                settlement.last_day,
                &rows,
            )
            .await?;
        Ok(SettlementImport { settlement, report })
    }

    /// The reconciliation of an imported file as a file to download.
    pub async fn export_settlement(
        &self,
        actor: &Actor,
        id: &str,
        format: ExportFormat,
    ) -> Result<ExportFile, AppError> {
        let SettlementImport { settlement, report } = self.settlement_report(actor, id).await?;
        let base = format!(
            "doi-soat-{}-{}-{}",
            settlement.gateway, settlement.first_day, settlement.last_day
        );
        let failed = |e: export::ExportError| AppError::Storage(e.to_string());
        Ok(match format {
            ExportFormat::DetailsCsv => ExportFile {
                file_name: format!("{base}.csv"),
                content_type: "text/csv; charset=utf-8",
                bytes: export::details_csv(&report).map_err(failed)?,
            },
            ExportFormat::TotalsCsv => ExportFile {
                file_name: format!("{base}-tong-hop.csv"),
                content_type: "text/csv; charset=utf-8",
                bytes: export::totals_csv(&report).map_err(failed)?,
            },
            ExportFormat::Xlsx => ExportFile {
                file_name: format!("{base}.xlsx"),
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes: export::report_xlsx(&report).map_err(failed)?,
            },
        })
    }

    /// The imported settlement files, newest first.
    pub async fn settlements(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<SettlementRecord>, AppError> {
        self.authorize_merchant(actor).await?;
        Ok(self.store.settlements(page).await?)
    }

    /// The notifications, newest first: all, or those awaiting review, or
    /// those of one order.
    pub async fn payment_notifications(
        &self,
        actor: &Actor,
        filter: PaymentNotificationFilter,
    ) -> Result<Page<PaymentNotification>, AppError> {
        self.authorize_merchant(actor).await?;
        Ok(self.store.payment_notifications(&filter).await?)
    }

    /// Marks a notification that needed review as reviewed, with a note
    /// saying what was done (e.g. refunded, credited by hand).
    pub async fn mark_reviewed(
        &self,
        actor: &Actor,
        id: &str,
        note: &str,
        now: Timestamp,
    ) -> Result<PaymentNotification, AppError> {
        self.authorize_merchant(actor).await?;
        let note = note.trim();
        if note.is_empty() {
            return Err(InvalidField::new("note", "is required").into());
        }
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(
                InvalidField::new("note", format!("at most {MAX_NOTE_CHARS} characters")).into(),
            );
        }
        let found = self
            .store
            .payment_notification(id)
            .await?
            .ok_or_else(|| AppError::not_found("payment notification", id))?;
        if !found.needs_review {
            return Err(AppError::Conflict(
                "this notification needs no review".into(),
            ));
        }
        let by = person(actor);
        if !self
            .store
            .review_notification(id, by.as_ref(), now, note)
            .await?
        {
            return Err(AppError::Conflict(
                "this notification was reviewed already".into(),
            ));
        }
        self.store
            .payment_notification(id)
            .await?
            .ok_or_else(|| AppError::not_found("payment notification", id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_covers_the_local_days_of_its_pay_dates() {
        let row = |pay: &str| SettlementRow {
            line: 2,
            txn_ref: "R".into(),
            transaction_no: "1".into(),
            amount: egov_domain::Vnd(1),
            pay_date: pay.parse().unwrap(),
            bank_code: String::new(),
            status: "00".into(),
        };
        assert_eq!(days(&[]), None);
        // 23:30 on 1 December in Vietnam is 16:30 UTC.
        let rows = [row("2026-12-01T16:30:00Z"), row("2026-12-03T01:00:00Z")];
        assert_eq!(
            days(&rows),
            Some((
                jiff::civil::date(2026, 12, 1),
                jiff::civil::date(2026, 12, 3)
            ))
        );
        assert_eq!(
            start_of(jiff::civil::date(2026, 12, 1)).unwrap(),
            "2026-11-30T17:00:00Z".parse::<Timestamp>().unwrap()
        );
    }
}
