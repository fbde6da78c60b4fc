use super::*;
use crate::service::{LocalText, PayableAt};
use jiff::SignedDuration;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn line(amount: i64, quantity: u32) -> FeeLine {
    FeeLine::new(
        LocalText {
            vi: "Lệ phí".into(),
            en: "Charge".into(),
        },
        Vnd(amount),
        quantity,
        PayableAt::Submission,
    )
    .unwrap()
}

fn new_order(lines: Vec<FeeLine>) -> NewPaymentOrder {
    let created_at = at("2026-11-23T03:00:00Z");
    NewPaymentOrder {
        id: PaymentOrderId("po-1".into()),
        dossier: DossierCode::parse("000.00.12.H29-261123-0042").unwrap(),
        payer: AccountId("acc-1".into()),
        lines,
        created_at,
        expires_at: created_at + SignedDuration::from_mins(15),
        gateway: "vnpay".into(),
        gateway_txn_ref: "PO20261123ABC".into(),
    }
}

fn order() -> PaymentOrder {
    PaymentOrder::new(new_order(vec![line(50_000, 1), line(8_000, 3)])).unwrap()
}

fn notice(amount: i64, success: bool) -> PaymentNotice {
    PaymentNotice {
        txn_ref: "PO20261123ABC".into(),
        amount: Vnd(amount),
        success,
        transaction_no: Some("14226112".into()),
        paid_at: Some(at("2026-11-23T03:05:00Z")),
    }
}

fn now() -> Timestamp {
    at("2026-11-23T03:06:00Z")
}

#[test]
fn a_new_order_is_pending_with_the_checked_total() {
    let order = order();
    assert_eq!(order.status, PaymentStatus::Pending);
    assert_eq!(order.total, Vnd(74_000));
    assert_eq!(order.refunded, Vnd::ZERO);
    assert!(order.is_payable(now()));
    assert!(!order.is_payable(at("2026-11-23T03:15:00Z")));
}

#[test]
fn bad_orders_are_refused() {
    assert_eq!(
        PaymentOrder::new(new_order(vec![])),
        Err(PaymentError::NoLines)
    );
    let mut wrong = line(8_000, 3);
    wrong.amount = Vnd(1);
    assert_eq!(
        PaymentOrder::new(new_order(vec![line(1, 1), wrong])),
        Err(PaymentError::InvalidLine { index: 1 })
    );
    assert_eq!(
        PaymentOrder::new(new_order(vec![line(i64::MAX, 1), line(1, 1)])),
        Err(PaymentError::Overflow)
    );
    assert_eq!(
        PaymentOrder::new(new_order(vec![line(0, 1)])),
        Err(PaymentError::NothingToPay)
    );
    let mut expiry = new_order(vec![line(1, 1)]);
    expiry.expires_at = expiry.created_at;
    assert_eq!(PaymentOrder::new(expiry), Err(PaymentError::BadExpiry));
    let mut reference = new_order(vec![line(1, 1)]);
    reference.gateway_txn_ref = "PO 1&x=2".into();
    assert_eq!(
        PaymentOrder::new(reference),
        Err(PaymentError::BadReference)
    );
}

#[test]
fn a_verified_success_credits_once() {
    let mut order = order();
    assert_eq!(
        order.apply_notice(&notice(74_000, true), now()),
        NoticeOutcome::Credited
    );
    assert_eq!(order.status, PaymentStatus::Paid);
    assert_eq!(order.paid_at, Some(at("2026-11-23T03:05:00Z")));
    assert_eq!(order.gateway_transaction_no.as_deref(), Some("14226112"));
    let credited = order.clone();
    for _ in 0..3 {
        let outcome = order.apply_notice(&notice(74_000, true), now());
        assert_eq!(outcome, NoticeOutcome::AlreadyCredited);
        assert!(!outcome.changes_order() && !outcome.needs_review());
    }
    assert_eq!(order, credited);
}

#[test]
fn a_second_success_under_another_transaction_is_flagged() {
    let mut order = order();
    order.apply_notice(&notice(74_000, true), now());
    let mut other = notice(74_000, true);
    other.transaction_no = Some("99999999".into());
    let outcome = order.apply_notice(&other, now());
    assert_eq!(
        outcome,
        NoticeOutcome::DuplicatePayment {
            first: Some("14226112".into()),
            second: Some("99999999".into())
        }
    );
    assert!(outcome.needs_review());
    assert_eq!(order.gateway_transaction_no.as_deref(), Some("14226112"));
}

#[test]
fn a_wrong_amount_or_reference_changes_nothing() {
    let mut order = order();
    let before = order.clone();
    let outcome = order.apply_notice(&notice(7_400, true), now());
    assert_eq!(
        outcome,
        NoticeOutcome::AmountMismatch {
            expected: Vnd(74_000),
            received: Vnd(7_400)
        }
    );
    assert!(outcome.needs_review() && !outcome.changes_order());
    let mut other = notice(74_000, true);
    other.txn_ref = "PO-OTHER".into();
    assert_eq!(order.apply_notice(&other, now()), NoticeOutcome::WrongOrder);
    assert_eq!(order, before);
}

#[test]
fn a_failure_fails_a_pending_order_and_is_ignored_later() {
    let mut order = order();
    assert_eq!(
        order.apply_notice(&notice(74_000, false), now()),
        NoticeOutcome::Declined
    );
    assert_eq!(order.status, PaymentStatus::Failed);
    assert_eq!(
        order.apply_notice(&notice(74_000, false), now()),
        NoticeOutcome::IgnoredFailure {
            status: PaymentStatus::Failed
        }
    );
    let mut paid = self::order();
    paid.apply_notice(&notice(74_000, true), now());
    assert_eq!(
        paid.apply_notice(&notice(74_000, false), now()),
        NoticeOutcome::IgnoredFailure {
            status: PaymentStatus::Paid
        }
    );
    assert_eq!(paid.status, PaymentStatus::Paid);
}

#[test]
fn a_late_success_is_flagged_never_credited() {
    for status in [
        PaymentStatus::Expired,
        PaymentStatus::Cancelled,
        PaymentStatus::Failed,
    ] {
        let mut order = order();
        order.status = status;
        let before = order.clone();
        let outcome = order.apply_notice(&notice(74_000, true), now());
        assert_eq!(outcome, NoticeOutcome::LateSuccess { status });
        assert!(outcome.needs_review() && !outcome.changes_order());
        assert_eq!(order, before);
    }
    // Still pending, but paid after the expiry.
    let mut order = order();
    let mut late = notice(74_000, true);
    late.paid_at = Some(at("2026-11-23T03:15:00Z"));
    assert_eq!(
        order.apply_notice(&late, now()),
        NoticeOutcome::LateSuccess {
            status: PaymentStatus::Expired
        }
    );
    assert_eq!(order.status, PaymentStatus::Pending);
    // Without a pay time, the time it arrived counts.
    late.paid_at = None;
    assert!(matches!(
        order.apply_notice(&late, at("2026-11-23T04:00:00Z")),
        NoticeOutcome::LateSuccess { .. }
    ));
    assert_eq!(order.apply_notice(&late, now()), NoticeOutcome::Credited);
    assert_eq!(order.paid_at, Some(now()));
}

#[test]
fn cancel_and_expire() {
    let mut order = order();
    assert_eq!(
        order.expire(now()),
        Err(PaymentError::NotYetExpired {
            expires_at: order.expires_at
        })
    );
    order.expire(at("2026-11-23T03:15:00Z")).unwrap();
    assert_eq!(order.status, PaymentStatus::Expired);
    assert!(matches!(order.cancel(), Err(PaymentError::Illegal(_))));
    let mut order = self::order();
    order.cancel().unwrap();
    assert_eq!(order.status, PaymentStatus::Cancelled);
    assert!(order.cancel().is_err());
}

fn refund_request(amount: i64, reason: &str) -> RefundRequest {
    RefundRequest {
        id: "rf-1".into(),
        amount: Vnd(amount),
        reason: reason.into(),
        by: AccountId("official-1".into()),
        at: at("2026-11-24T03:00:00Z"),
    }
}

#[test]
fn refunds_partial_then_full() {
    let mut order = order();
    assert_eq!(
        order.refund(refund_request(1, "x")),
        Err(RefundError::NotPaid(PaymentStatus::Pending))
    );
    assert_eq!(order.refundable(), Vnd::ZERO);
    order.apply_notice(&notice(74_000, true), now());
    assert_eq!(order.refundable(), Vnd(74_000));
    let refund = order
        .refund(refund_request(24_000, "  Miễn phí bản sao  "))
        .unwrap();
    assert_eq!(refund.reason, "Miễn phí bản sao");
    assert_eq!(refund.order, order.id);
    assert_eq!(refund.status_after, PaymentStatus::PartiallyRefunded);
    assert_eq!(order.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(order.refundable(), Vnd(50_000));
    assert_eq!(
        order.refund(refund_request(50_001, "x")),
        Err(RefundError::TooMuch {
            requested: Vnd(50_001),
            refundable: Vnd(50_000)
        })
    );
    let refund = order.refund(refund_request(50_000, "Hủy hồ sơ")).unwrap();
    assert_eq!(refund.status_after, PaymentStatus::Refunded);
    assert_eq!(order.status, PaymentStatus::Refunded);
    assert_eq!(order.refunded, order.total);
    assert_eq!(order.refundable(), Vnd::ZERO);
    assert_eq!(
        order.refund(refund_request(1, "x")),
        Err(RefundError::NotPaid(PaymentStatus::Refunded))
    );
}

#[test]
fn a_refund_needs_a_reason_and_a_positive_amount() {
    let mut order = order();
    order.apply_notice(&notice(74_000, true), now());
    let before = order.clone();
    assert_eq!(
        order.refund(refund_request(1_000, "   ")),
        Err(RefundError::ReasonRequired)
    );
    assert_eq!(
        order.refund(refund_request(1_000, &"x".repeat(1001))),
        Err(RefundError::ReasonTooLong)
    );
    assert_eq!(
        order.refund(refund_request(0, "x")),
        Err(RefundError::NotPositive)
    );
    assert_eq!(
        order.refund(refund_request(-5, "x")),
        Err(RefundError::NotPositive)
    );
    assert_eq!(order, before);
}

#[test]
fn orders_serialise_with_kebab_case_statuses() {
    let json = serde_json::to_value(order()).unwrap();
    assert_eq!(json["status"], "pending");
    assert_eq!(json["dossier"], "000.00.12.H29-261123-0042");
    assert_eq!(json["total"], 74_000);
    let back: PaymentOrder = serde_json::from_value(json).unwrap();
    assert_eq!(back, order());
}
