//! The finance officer's side of payments: refunds (never more than was
//! paid, by finance officers of the paid agency only) and reconciliation of
//! the gateway's settlement file against what was credited, end to end
//! through the store and exported — on SQLite, and PostgreSQL when
//! TEST_DATABASE_URL is set.

// clippy.toml allows unwrap() inside #[test] functions only; the helpers here fail the test the same way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod dossiers_support;
mod payments_support;

use egov_app::payments::{ExportFormat, RefundInput};
use egov_app::AppError;
use egov_domain::identity::Actor;
use egov_domain::payment::{PaymentOrder, PaymentStatus};
use egov_domain::{PageRequest, Vnd};
use egov_payments::vnpay::format_date;
use jiff::Timestamp;

use dossiers_support::{denied, friday, later, JUSTICE};
use payments_support::{paid, payment_fixtures, start, submitted_with, Px};

/// A dossier of An's paid (50,000 đồng) at `now` through VNPay.
async fn paid_order(px: &Px, now: Timestamp) -> PaymentOrder {
    let dossier = submitted_with(px, 0, now).await;
    let order = start(px, &dossier.code.to_string(), now).await.order;
    let answer = px
        .payments
        .handle_notification("vnpay", &paid(px, &order, later(now, 1)), later(now, 1))
        .await
        .unwrap();
    assert_eq!(answer.outcome, "credited", "{}", px.label);
    order
}

fn refund(amount: i64, reason: &str) -> RefundInput {
    RefundInput {
        amount: Vnd(amount),
        reason: reason.into(),
    }
}

fn invalid_field<T: std::fmt::Debug>(result: Result<T, AppError>) -> &'static str {
    match result {
        Err(AppError::Invalid(f)) => f.field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

#[tokio::test]
async fn refunds_are_partial_or_full_never_more_than_paid_and_by_finance_officers_only() {
    for px in payment_fixtures().await {
        let now = friday();
        let order = paid_order(&px, now).await;
        let id = order.id.0.as_str();
        let at = later(now, 60);

        for who in [&px.an, &px.desk, &px.leader, &px.danang_finance] {
            assert!(
                denied(px.payments.refund(who, id, refund(1_000, "x"), at).await),
                "{}: {who:?}",
                px.label
            );
        }
        let first = px
            .payments
            .refund(&px.finance, id, refund(20_000, "  Thu thừa lệ phí  "), at)
            .await
            .unwrap();
        assert_eq!(first.amount, Vnd(20_000));
        assert_eq!(first.reason, "Thu thừa lệ phí");
        assert_eq!(first.by.0, "ketoan");
        assert_eq!(first.status_after, PaymentStatus::PartiallyRefunded);

        // More than is left, no reason, nothing: refused, nothing changes.
        assert_eq!(
            invalid_field(
                px.payments
                    .refund(&px.finance, id, refund(30_001, "x"), at)
                    .await
            ),
            "amount",
            "{}",
            px.label
        );
        assert_eq!(
            invalid_field(
                px.payments
                    .refund(&px.finance, id, refund(1_000, " "), at)
                    .await
            ),
            "reason"
        );
        assert_eq!(
            invalid_field(
                px.payments
                    .refund(&px.finance, id, refund(0, "x"), at)
                    .await
            ),
            "amount"
        );
        let view = px.payments.payment(&px.finance, id).await.unwrap();
        assert_eq!(view.order.refunded, Vnd(20_000), "{}", px.label);
        assert_eq!(view.refundable, Vnd(30_000));

        // A finance officer of the province above refunds the rest.
        let rest = px
            .payments
            .refund(
                &px.merchant_finance,
                id,
                refund(30_000, "Hủy hồ sơ"),
                later(at, 1),
            )
            .await
            .unwrap();
        assert_eq!(rest.status_after, PaymentStatus::Refunded);
        assert!(matches!(
            px.payments
                .refund(&Actor::System, id, refund(1, "x"), later(at, 2))
                .await,
            Err(AppError::Conflict(_))
        ));
        let view = px.payments.payment(&px.an, id).await.unwrap();
        assert_eq!(view.order.status, PaymentStatus::Refunded);
        assert_eq!(view.refundable, Vnd::ZERO);
        let reasons: Vec<&str> = view.refunds.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(reasons, ["Thu thừa lệ phí", "Hủy hồ sơ"], "{}", px.label);
        // The receipt stays genuine, and says the money went back.
        let check = px
            .payments
            .verify_receipt(&view.receipt.unwrap().id)
            .await
            .unwrap();
        assert_eq!(check.status, PaymentStatus::Refunded);
        assert_eq!(check.refunded, Vnd(50_000));

        // A pending order has nothing to refund.
        let other = submitted_with(&px, 0, later(now, 70)).await;
        let pending = start(&px, &other.code.to_string(), later(now, 70))
            .await
            .order;
        assert!(matches!(
            px.payments
                .refund(
                    &px.finance,
                    &pending.id.0,
                    refund(1_000, "x"),
                    later(now, 71)
                )
                .await,
            Err(AppError::Conflict(_))
        ));
    }
}

fn refs(pairs: &[egov_payments::reconcile::Pair]) -> Vec<&str> {
    pairs.iter().map(|p| p.ours.txn_ref.as_str()).collect()
}

fn row(
    order: &PaymentOrder,
    transaction: &str,
    amount: i64,
    at: Timestamp,
    status: &str,
) -> String {
    format!(
        "{},{transaction},{amount},{},NCB,{status}\r\n",
        order.gateway_txn_ref,
        format_date(at)
    )
}

#[tokio::test]
async fn reconciliation_reports_every_kind_of_mismatch_end_to_end() {
    for px in payment_fixtures().await {
        let now = friday();
        let matched = paid_order(&px, now).await;
        let mismatched = paid_order(&px, later(now, 10)).await;
        let ours_only = paid_order(&px, later(now, 20)).await;
        // Paid at the gateway after its order expired: settled by them,
        // flagged (not credited) by us.
        let dossier = submitted_with(&px, 0, later(now, 30)).await;
        let late = start(&px, &dossier.code.to_string(), later(now, 30))
            .await
            .order;
        px.payments.expire_due(later(now, 46)).await.unwrap();
        let answer = px
            .payments
            .handle_notification("vnpay", &paid(&px, &late, later(now, 47)), later(now, 47))
            .await
            .unwrap();
        assert_eq!(answer.outcome, "late-success");

        let mut file = String::from("txn_ref,transaction_no,amount,pay_date,bank_code,status\r\n");
        file += &row(&matched, "14226112", 50_000, later(now, 1), "00");
        file += &row(&mismatched, "14226112", 45_000, later(now, 11), "00");
        file += &row(&late, "14226112", 50_000, later(now, 47), "00");
        file += &row(&matched, "14226199", 50_000, later(now, 2), "00");
        file += &row(&late, "14226113", 10_000, later(now, 48), "02");

        // Only the merchant's finance officers reconcile.
        for who in [&px.finance, &px.leader, &px.an] {
            assert!(denied(
                px.payments
                    .import_settlement(who, "vnpay", file.as_bytes(), later(now, 60))
                    .await
            ));
        }
        let imported = px
            .payments
            .import_settlement(
                &px.merchant_finance,
                "vnpay",
                file.as_bytes(),
                later(now, 60),
            )
            .await
            .unwrap();
        let report = &imported.report;
        assert_eq!(
            refs(&report.matched),
            [matched.gateway_txn_ref.as_str()],
            "{}",
            px.label
        );
        assert_eq!(
            refs(&report.amount_mismatch),
            [mismatched.gateway_txn_ref.as_str()]
        );
        assert_eq!(report.amount_mismatch[0].theirs.amount, Vnd(45_000));
        assert_eq!(report.missing_on_our_side.len(), 1);
        assert_eq!(report.missing_on_our_side[0].txn_ref, late.gateway_txn_ref);
        let missing: Vec<&str> = report
            .missing_on_theirs
            .iter()
            .map(|p| p.txn_ref.as_str())
            .collect();
        assert_eq!(
            missing,
            [ours_only.gateway_txn_ref.as_str()],
            "{}",
            px.label
        );
        assert_eq!(report.duplicates.len(), 1);
        assert_eq!(report.duplicates[0].txn_ref, matched.gateway_txn_ref);
        assert_eq!(report.not_settled.len(), 1);
        assert!(!report.is_clean());
        let justice = report
            .totals
            .iter()
            .find(|t| t.agency.as_deref() == Some(JUSTICE))
            .unwrap();
        assert_eq!((justice.our_count, justice.our_amount), (3, Vnd(150_000)));
        assert_eq!(
            (justice.matched_count, justice.matched_amount),
            (1, Vnd(50_000))
        );

        let s = &imported.settlement;
        assert_eq!(s.rows, 5);
        assert_eq!(s.first_day, jiff::civil::date(2026, 12, 4));
        assert_eq!(s.last_day, s.first_day);
        assert_eq!(
            s.imported_by.as_ref().map(|a| a.0.as_str()),
            Some("ketoanhn")
        );
        assert_eq!(
            (
                s.summary.matched,
                s.summary.amount_mismatch,
                s.summary.missing_on_our_side,
                s.summary.missing_on_theirs,
                s.summary.duplicates,
                s.summary.not_settled
            ),
            (1, 1, 1, 1, 1, 1),
            "{}",
            px.label
        );

        // Recomputed on demand, from the stored file.
        let again = px
            .payments
            .settlement_report(&px.merchant_finance, &s.id)
            .await
            .unwrap();
        assert_eq!(again.report, imported.report, "{}", px.label);
        let listed = px
            .payments
            .settlements(&px.merchant_finance, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(listed.total, 1);

        // Exports.
        let csv = px
            .payments
            .export_settlement(&px.merchant_finance, &s.id, ExportFormat::DetailsCsv)
            .await
            .unwrap();
        assert_eq!(csv.file_name, "doi-soat-vnpay-2026-12-04-2026-12-04.csv");
        assert!(csv.content_type.starts_with("text/csv"));
        let text = String::from_utf8(csv.bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        for kind in [
            "matched",
            "amount-mismatch",
            "missing-on-our-side",
            "missing-on-theirs",
            "duplicate-theirs",
            "not-settled",
        ] {
            assert!(text.contains(kind), "{}: {kind} in {text}", px.label);
        }
        assert!(text.contains(&mismatched.gateway_txn_ref));
        let totals = px
            .payments
            .export_settlement(&px.merchant_finance, &s.id, ExportFormat::TotalsCsv)
            .await
            .unwrap();
        assert!(String::from_utf8(totals.bytes).unwrap().contains(JUSTICE));
        let xlsx = px
            .payments
            .export_settlement(&px.merchant_finance, &s.id, ExportFormat::Xlsx)
            .await
            .unwrap();
        assert!(xlsx.file_name.ends_with(".xlsx"));
        assert!(xlsx.bytes.starts_with(b"PK"), "{}", px.label);
        assert!(denied(
            px.payments
                .export_settlement(&px.finance, &s.id, ExportFormat::Xlsx)
                .await
        ));

        // Unreadable files are refused with their line; an empty one too.
        let bad = format!(
            "txn_ref,transaction_no,amount,pay_date,bank_code,status\n{}X,1,12.5,20261204090000,NCB,00\n",
            row(&matched, "1", 50_000, now, "00")
        );
        match px
            .payments
            .import_settlement(
                &px.merchant_finance,
                "vnpay",
                bad.as_bytes(),
                later(now, 61),
            )
            .await
        {
            Err(AppError::Import { location, .. }) => assert_eq!(location, "line 3"),
            other => panic!("{}: {other:?}", px.label),
        }
        let empty = "txn_ref,transaction_no,amount,pay_date,bank_code,status\n";
        assert_eq!(
            match px
                .payments
                .import_settlement(
                    &px.merchant_finance,
                    "vnpay",
                    empty.as_bytes(),
                    later(now, 61)
                )
                .await
            {
                Err(AppError::Invalid(f)) => f.field,
                other => panic!("{other:?}"),
            },
            "file"
        );
        let listed = px
            .payments
            .settlements(&Actor::System, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(listed.total, 1, "{}: refused files are not kept", px.label);
    }
}
