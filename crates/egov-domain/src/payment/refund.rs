//! Refunds (hoàn tiền), full or partial, by an authorised official with a
//! reason. Who is authorised is the policy's business, not this module's.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{PaymentEvent, PaymentOrder, PaymentOrderId, PaymentStatus};
use crate::identity::AccountId;
use crate::Vnd;

/// Longest reason kept, in characters.
const MAX_REASON: usize = 1000;

/// A refund asked for by an official.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// Opaque identifier chosen by the caller.
    pub id: String,
    pub amount: Vnd,
    pub reason: String,
    pub by: AccountId,
    pub at: Timestamp,
}

/// A recorded refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub order: PaymentOrderId,
    pub amount: Vnd,
    /// Trimmed, never empty.
    pub reason: String,
    pub by: AccountId,
    pub at: Timestamp,
    /// The order's status after this refund.
    pub status_after: PaymentStatus,
}

/// Why a refund was refused; the order is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    #[error("only a paid order can be refunded; this one is {0}")]
    NotPaid(PaymentStatus),
    #[error("a refund is a positive amount")]
    NotPositive,
    #[error("{requested} is more than the {refundable} left to refund")]
    TooMuch { requested: Vnd, refundable: Vnd },
    #[error("a reason is required")]
    ReasonRequired,
    #[error("the reason is longer than {MAX_REASON} characters")]
    ReasonTooLong,
}

impl PaymentOrder {
    /// Refunds `request.amount` (≤ what was paid less what was already
    /// refunded): the order becomes partially refunded, or refunded when
    /// nothing is left.
    pub fn refund(&mut self, request: RefundRequest) -> Result<Refund, RefundError> {
        if !matches!(
            self.status,
            PaymentStatus::Paid | PaymentStatus::PartiallyRefunded
        ) {
            return Err(RefundError::NotPaid(self.status));
        }
        let reason = request.reason.trim();
        if reason.is_empty() {
            return Err(RefundError::ReasonRequired);
        }
        if reason.chars().count() > MAX_REASON {
            return Err(RefundError::ReasonTooLong);
        }
        if request.amount.0 <= 0 {
            return Err(RefundError::NotPositive);
        }
        let refundable = self.refundable();
        if request.amount > refundable {
            return Err(RefundError::TooMuch {
                requested: request.amount,
                refundable,
            });
        }
        // amount ≤ total − refunded, so this neither overflows nor passes total.
        let refunded = Vnd(self.refunded.0 + request.amount.0);
        let event = if refunded == self.total {
            PaymentEvent::RefundFully
        } else {
            PaymentEvent::RefundPartially
        };
        let status = super::next_status(self.status, event)
            .map_err(|_| RefundError::NotPaid(self.status))?;
        self.status = status;
        self.refunded = refunded;
        Ok(Refund {
            id: request.id,
            order: self.id.clone(),
            amount: request.amount,
            reason: reason.to_owned(),
            by: request.by,
            at: request.at,
            status_after: status,
        })
    }
}
