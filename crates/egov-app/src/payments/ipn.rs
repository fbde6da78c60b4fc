//! The gateways' messages: the server-to-server notification (IPN), which
//! alone credits an order, the browser's return, which only shows our
//! status, and the periodic sweep (expiry and unfinished follow-ups).

use egov_domain::payment::{NoticeOutcome, PaymentNotice, PaymentOrderId};
use egov_payments::{GatewayError, PaymentGateway};
use jiff::Timestamp;
use serde::Serialize;

use super::{lost_races, PaymentReturn, Payments, Sweep, RETRIES};
use crate::identity::new_id;
use crate::ports::{
    NewPaymentReceipt, PaymentNotification, PaymentOrderUpdate, PaymentOrderUpdated,
};
use crate::AppError;

/// The longest query string recorded, in bytes (the rest is cut).
const MAX_RECORDED_QUERY: usize = 4096;

/// Orders handled per sweep, of each kind.
const SWEEP_BATCH: u32 = 200;

/// The answer to a gateway's notification, and what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpnResponse {
    /// The HTTP answer the gateway expects (VNPay: JSON `RspCode`/`Message`).
    pub content_type: &'static str,
    pub body: String,
    /// What was recorded: `credited`, `already-credited`, `bad-signature`, …
    pub outcome: String,
    /// The notification waits for a finance officer's review.
    pub needs_review: bool,
}

/// `query` cut to at most [`MAX_RECORDED_QUERY`] bytes on a character boundary.
fn recorded(query: &str) -> String {
    if query.len() <= MAX_RECORDED_QUERY {
        return query.to_owned();
    }
    let mut end = MAX_RECORDED_QUERY;
    while !query.is_char_boundary(end) {
        end -= 1;
    }
    query[..end].to_owned()
}

/// What a reviewer needs to know about an outcome.
fn detail(outcome: &NoticeOutcome, notice: &PaymentNotice) -> Option<String> {
    let transaction = notice.transaction_no.as_deref().unwrap_or("-");
    match outcome {
        NoticeOutcome::AmountMismatch { expected, received } => Some(format!(
            "the order is {expected}, the gateway says {received} was paid (transaction {transaction})"
        )),
        NoticeOutcome::LateSuccess { status } => Some(format!(
            "paid (transaction {transaction}) while the order is {status}: refund it, or settle it by hand"
        )),
        NoticeOutcome::DuplicatePayment { first, second } => Some(format!(
            "already paid under transaction {}, paid again under transaction {}: refund the second",
            first.as_deref().unwrap_or("-"),
            second.as_deref().unwrap_or("-")
        )),
        NoticeOutcome::IgnoredFailure { status } => {
            Some(format!("a failure for an order that is {status}"))
        }
        NoticeOutcome::WrongOrder => Some("the notice names another order".into()),
        NoticeOutcome::Credited | NoticeOutcome::Declined | NoticeOutcome::AlreadyCredited => None,
    }
}

fn refused_outcome(e: &GatewayError) -> &'static str {
    match e {
        GatewayError::BadSignature => "bad-signature",
        GatewayError::BadAmount(_) => "bad-amount",
        GatewayError::InvalidRequest(_) | GatewayError::Malformed(_) => "malformed",
    }
}

impl Payments {
    /// Handles a gateway's server-to-server notification (IPN), given its
    /// raw query string: verifies it (a bad signature is refused), finds the
    /// order by its reference (an unknown one is refused), applies it
    /// (`PaymentOrder::apply_notice`) and writes the change compared-and-set
    /// on the order's version, with the notification, in one transaction —
    /// the same notification delivered many times, even at once, credits
    /// once. Every notification is recorded, those that need a person's
    /// look flagged. A credit numbers the receipt; its PDF and the dossier's
    /// move follow at once (and at the next sweep if that fails).
    ///
    /// An unknown gateway is `NotFound`; a storage failure is an error, so
    /// that the gateway retries.
    pub async fn handle_notification(
        &self,
        gateway_code: &str,
        raw_query: &str,
        now: Timestamp,
    ) -> Result<IpnResponse, AppError> {
        let gateway = std::sync::Arc::clone(self.gateway(gateway_code)?);
        let record = |outcome: &str, needs_review: bool| PaymentNotification {
            id: new_id(),
            gateway: gateway.code().to_owned(),
            received_at: now,
            raw_query: recorded(raw_query),
            txn_ref: None,
            order: None,
            outcome: outcome.to_owned(),
            detail: None,
            needs_review,
            reviewed_at: None,
            reviewed_by: None,
            review_note: None,
        };
        let notice = match gateway.verify(raw_query) {
            Ok(notice) => notice,
            Err(e) => {
                let outcome = refused_outcome(&e);
                self.store
                    .record_notification(&PaymentNotification {
                        detail: Some(e.to_string()),
                        ..record(outcome, true)
                    })
                    .await?;
                return Ok(answer(gateway.as_ref(), Err(&e), outcome, true));
            }
        };
        for _ in 0..RETRIES {
            let Some(stored) = self
                .store
                .order_by_txn_ref(gateway.code(), &notice.txn_ref)
                .await?
            else {
                let outcome = "unknown-order";
                self.store
                    .record_notification(&PaymentNotification {
                        txn_ref: Some(notice.txn_ref.clone()),
                        detail: Some(format!(
                            "no order has the reference {} ({} paid: {})",
                            notice.txn_ref, notice.amount, notice.success
                        )),
                        ..record(outcome, true)
                    })
                    .await?;
                return Ok(answer(
                    gateway.as_ref(),
                    Ok(&NoticeOutcome::WrongOrder),
                    outcome,
                    true,
                ));
            };
            let mut order = stored.order.clone();
            let outcome = order.apply_notice(&notice, now);
            let notification = PaymentNotification {
                txn_ref: Some(notice.txn_ref.clone()),
                order: Some(order.id.clone()),
                detail: detail(&outcome, &notice),
                ..record(outcome.as_str(), outcome.needs_review())
            };
            if !outcome.changes_order() {
                self.store.record_notification(&notification).await?;
                return Ok(answer(
                    gateway.as_ref(),
                    Ok(&outcome),
                    outcome.as_str(),
                    outcome.needs_review(),
                ));
            }
            let credited = outcome == NoticeOutcome::Credited;
            let receipt = credited.then(|| NewPaymentReceipt {
                id: new_id(),
                series: receipt_series(now),
                issued_at: now,
            });
            let update = PaymentOrderUpdate {
                order,
                expected_version: stored.version,
                at: now,
                start_follow_up: credited,
                receipt,
                refund: None,
                notification: Some(notification),
            };
            match self.store.update_order(&update).await? {
                PaymentOrderUpdated::Applied { .. } => {
                    if credited {
                        self.follow_up_logged(&update.order.id, now).await;
                    }
                    return Ok(answer(
                        gateway.as_ref(),
                        Ok(&outcome),
                        outcome.as_str(),
                        outcome.needs_review(),
                    ));
                }
                // Another copy of the notice (or a cancellation) came first:
                // read the order again and decide again.
                PaymentOrderUpdated::Stale => continue,
            }
        }
        Err(lost_races("the payment order"))
    }

    /// What the browser's return from the gateway shows: whether its
    /// signature holds and what the gateway says, next to our own status of
    /// the order. Changes nothing — an order is paid only by the
    /// notification.
    pub async fn payment_return(
        &self,
        gateway_code: &str,
        raw_query: &str,
    ) -> Result<PaymentReturn, AppError> {
        let gateway = self.gateway(gateway_code)?;
        let Ok(notice) = gateway.verify(raw_query) else {
            return Ok(PaymentReturn {
                verified: false,
                gateway_success: false,
                order_id: None,
                dossier: None,
                status: None,
                total: None,
            });
        };
        let stored = self
            .store
            .order_by_txn_ref(gateway.code(), &notice.txn_ref)
            .await?;
        Ok(PaymentReturn {
            verified: true,
            gateway_success: notice.success,
            order_id: stored.as_ref().map(|s| s.order.id.clone()),
            dossier: stored.as_ref().map(|s| s.order.dossier.to_string()),
            status: stored.as_ref().map(|s| s.order.status),
            total: stored.as_ref().map(|s| s.order.total),
        })
    }

    /// Renders the receipt and moves the dossier on after a credit, then
    /// clears the order's follow-up flag. Safe to run twice.
    pub(super) async fn follow_up(
        &self,
        id: &PaymentOrderId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let Some(stored) = self.store.payment_order(id).await? else {
            return Ok(());
        };
        if !stored.follow_up {
            return Ok(());
        }
        if let Some(receipt) = self.store.receipt_of(id).await? {
            if receipt.content_hash.is_none() {
                self.render_receipt(&stored, &receipt).await?;
            }
        }
        self.confirm_dossier(&stored.order.dossier, now).await?;
        self.store.finish_follow_up(id).await?;
        Ok(())
    }

    /// [`Payments::follow_up`], a failure logged (the sweep tries again).
    async fn follow_up_logged(&self, id: &PaymentOrderId, now: Timestamp) -> bool {
        match self.follow_up(id, now).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(order = %id, error = %e, "payment follow-up failed; the sweep retries it");
                false
            }
        }
    }

    /// The periodic sweep: expires the pending orders past their expiry and
    /// finishes the follow-ups of credits that a failure interrupted. Run it
    /// every minute or so; running it twice at once is safe.
    pub async fn expire_due(&self, now: Timestamp) -> Result<Sweep, AppError> {
        let mut sweep = Sweep::default();
        for stored in self.store.expired_pending(now, SWEEP_BATCH).await? {
            if self.expire(&stored, now).await? {
                sweep.expired += 1;
            }
        }
        for stored in self.store.pending_follow_ups(SWEEP_BATCH).await? {
            if self.follow_up_logged(&stored.order.id, now).await {
                sweep.followed_up += 1;
            } else {
                sweep.failed += 1;
            }
        }
        Ok(sweep)
    }
}

/// The receipt series of a credit: `BL` and the year in Vietnam.
fn receipt_series(now: Timestamp) -> String {
    let year = now
        .to_zoned(egov_domain::calendar::TIME_ZONE.clone())
        .year();
    format!("BL{year}")
}

fn answer(
    gateway: &dyn PaymentGateway,
    result: Result<&NoticeOutcome, &GatewayError>,
    outcome: &str,
    needs_review: bool,
) -> IpnResponse {
    let ack = gateway.acknowledge(result);
    IpnResponse {
        content_type: ack.content_type,
        body: ack.body,
        outcome: outcome.to_owned(),
        needs_review,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_queries_are_cut_on_a_character_boundary() {
        assert_eq!(recorded("a=1"), "a=1");
        let long = "ă".repeat(MAX_RECORDED_QUERY);
        let cut = recorded(&long);
        assert!(cut.len() <= MAX_RECORDED_QUERY);
        assert!(cut.len() >= MAX_RECORDED_QUERY - 1);
        assert!(cut.chars().all(|c| c == 'ă'));
    }

    #[test]
    fn receipts_are_numbered_per_year_in_vietnam() {
        let new_year: Timestamp = "2026-12-31T17:30:00Z".parse().unwrap();
        assert_eq!(receipt_series(new_year), "BL2027");
        let before: Timestamp = "2026-12-31T16:59:59Z".parse().unwrap();
        assert_eq!(receipt_series(before), "BL2026");
    }

    #[test]
    fn reviewers_are_told_what_went_wrong() {
        let notice = PaymentNotice {
            txn_ref: "R".into(),
            amount: egov_domain::Vnd(7_400),
            success: true,
            transaction_no: Some("14226112".into()),
            paid_at: None,
        };
        let mismatch = NoticeOutcome::AmountMismatch {
            expected: egov_domain::Vnd(74_000),
            received: egov_domain::Vnd(7_400),
        };
        let text = detail(&mismatch, &notice).unwrap();
        assert!(text.contains("74.000") && text.contains("7.400") && text.contains("14226112"));
        assert_eq!(detail(&NoticeOutcome::Credited, &notice), None);
        assert_eq!(
            refused_outcome(&GatewayError::BadSignature),
            "bad-signature"
        );
    }
}
