//! Online payment of fees (thanh toán trực tuyến phí, lệ phí): the payment
//! order of a dossier, its status machine, what a verified gateway
//! notification does to it, refunds, fee lines from the service definition
//! and amounts in Vietnamese words.
//!
//! Nothing here talks to a gateway: the protocol (signing, verifying) lives in
//! `egov-payments`, which turns a verified message into a [`PaymentNotice`].
//! An order is credited only from such a notice, never from the browser's
//! return alone.

mod fees;
mod refund;
mod status;
pub mod words;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::dossier::DossierCode;
use crate::identity::AccountId;
use crate::Vnd;

pub(crate) use fees::condition_holds;
pub use fees::{fee_lines, total, FeeError, FeeLine};
pub use refund::{Refund, RefundError, RefundRequest};
pub use status::{next_status, IllegalPaymentTransition, PaymentEvent, PaymentStatus};
pub use words::vnd_in_words;

/// A payment order's identifier (opaque, chosen by the caller).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PaymentOrderId(pub String);

impl std::fmt::Display for PaymentOrderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Payment order (lệnh thanh toán): what one dossier owes, sent to one
/// gateway under one reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentOrder {
    pub id: PaymentOrderId,
    pub dossier: DossierCode,
    pub payer: AccountId,
    pub lines: Vec<FeeLine>,
    /// The checked sum of the lines.
    pub total: Vnd,
    pub status: PaymentStatus,
    pub created_at: Timestamp,
    /// After this instant a success is no longer credited automatically.
    pub expires_at: Timestamp,
    /// When the gateway says the payer paid (or when we learnt it).
    pub paid_at: Option<Timestamp>,
    /// Which gateway, e.g. `vnpay`.
    pub gateway: String,
    /// Our reference for this order at the gateway (`vnp_TxnRef`).
    pub gateway_txn_ref: String,
    /// The gateway's own transaction number, once paid (`vnp_TransactionNo`).
    pub gateway_transaction_no: Option<String>,
    /// Refunded so far; never more than `total`.
    pub refunded: Vnd,
}

/// What is known when an order is created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPaymentOrder {
    pub id: PaymentOrderId,
    pub dossier: DossierCode,
    pub payer: AccountId,
    pub lines: Vec<FeeLine>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub gateway: String,
    pub gateway_txn_ref: String,
}

/// Why an order could not be created or changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("a payment order needs at least one fee line")]
    NoLines,
    #[error("fee line {index} is inconsistent (amount ≠ unit amount × quantity, or not positive)")]
    InvalidLine { index: usize },
    #[error("the total overflows")]
    Overflow,
    #[error("there is nothing to pay")]
    NothingToPay,
    #[error("the expiry must be after the creation")]
    BadExpiry,
    #[error("the gateway and its reference are 1–64 letters, digits, `-`, `_` or `.`")]
    BadReference,
    #[error("the order expires at {expires_at}; it is not yet expired")]
    NotYetExpired { expires_at: Timestamp },
    #[error(transparent)]
    Illegal(#[from] IllegalPaymentTransition),
}

/// A verified notification from a gateway, in gateway-neutral terms. Only
/// build it from a message whose signature was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentNotice {
    /// Our reference, as echoed by the gateway.
    pub txn_ref: String,
    /// The amount the gateway says was paid.
    pub amount: Vnd,
    /// The gateway says the payment succeeded.
    pub success: bool,
    /// The gateway's transaction number.
    pub transaction_no: Option<String>,
    /// When the gateway says the payer paid.
    pub paid_at: Option<Timestamp>,
}

/// What a verified notice did to an order. Only `Credited` and `Declined`
/// change it; every outcome with [`NoticeOutcome::needs_review`] must be
/// recorded for a person to look at — money may have been taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeOutcome {
    /// The order is now paid.
    Credited,
    /// The payment failed at the gateway; the order is now failed.
    Declined,
    /// The same success again (a replay or a retry): nothing changes.
    AlreadyCredited,
    /// A failure for an order that is no longer pending: nothing changes.
    IgnoredFailure { status: PaymentStatus },
    /// The amount differs from the order's total: refused, nothing changes.
    AmountMismatch { expected: Vnd, received: Vnd },
    /// A success for an order that had expired, was cancelled or had failed
    /// (or was paid after its expiry): never credited silently, never lost.
    /// `status` is the order's effective status: `Expired` for an order
    /// still pending but paid after its expiry.
    LateSuccess { status: PaymentStatus },
    /// A second success, under another gateway transaction, for an order
    /// already paid: the payer may have been charged twice.
    DuplicatePayment {
        first: Option<String>,
        second: Option<String>,
    },
    /// The notice is for another reference: nothing changes.
    WrongOrder,
}

impl NoticeOutcome {
    /// The order was changed and must be written.
    pub fn changes_order(&self) -> bool {
        matches!(self, NoticeOutcome::Credited | NoticeOutcome::Declined)
    }

    /// A person must look at it (money taken but not credited, or a
    /// message that should not exist).
    pub fn needs_review(&self) -> bool {
        matches!(
            self,
            NoticeOutcome::AmountMismatch { .. }
                | NoticeOutcome::LateSuccess { .. }
                | NoticeOutcome::DuplicatePayment { .. }
                | NoticeOutcome::WrongOrder
        )
    }

    /// Stable key for storage and logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            NoticeOutcome::Credited => "credited",
            NoticeOutcome::Declined => "declined",
            NoticeOutcome::AlreadyCredited => "already-credited",
            NoticeOutcome::IgnoredFailure { .. } => "ignored-failure",
            NoticeOutcome::AmountMismatch { .. } => "amount-mismatch",
            NoticeOutcome::LateSuccess { .. } => "late-success",
            NoticeOutcome::DuplicatePayment { .. } => "duplicate-payment",
            NoticeOutcome::WrongOrder => "wrong-order",
        }
    }
}

fn is_reference(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl PaymentOrder {
    /// A pending order: the lines are checked, the total is their checked
    /// sum and must be positive.
    pub fn new(new: NewPaymentOrder) -> Result<PaymentOrder, PaymentError> {
        if new.lines.is_empty() {
            return Err(PaymentError::NoLines);
        }
        if let Some(index) = new.lines.iter().position(|l| !l.is_consistent()) {
            return Err(PaymentError::InvalidLine { index });
        }
        let total = total(&new.lines).ok_or(PaymentError::Overflow)?;
        if total.0 <= 0 {
            return Err(PaymentError::NothingToPay);
        }
        if new.expires_at <= new.created_at {
            return Err(PaymentError::BadExpiry);
        }
        if !is_reference(&new.gateway) || !is_reference(&new.gateway_txn_ref) {
            return Err(PaymentError::BadReference);
        }
        Ok(PaymentOrder {
            id: new.id,
            dossier: new.dossier,
            payer: new.payer,
            lines: new.lines,
            total,
            status: PaymentStatus::Pending,
            created_at: new.created_at,
            expires_at: new.expires_at,
            paid_at: None,
            gateway: new.gateway,
            gateway_txn_ref: new.gateway_txn_ref,
            gateway_transaction_no: None,
            refunded: Vnd::ZERO,
        })
    }

    fn apply(&mut self, event: PaymentEvent) -> Result<(), IllegalPaymentTransition> {
        self.status = next_status(self.status, event)?;
        Ok(())
    }

    /// Cancels a pending order.
    pub fn cancel(&mut self) -> Result<(), PaymentError> {
        Ok(self.apply(PaymentEvent::Cancel)?)
    }

    /// Expires a pending order whose expiry has passed at `now`.
    pub fn expire(&mut self, now: Timestamp) -> Result<(), PaymentError> {
        if now < self.expires_at {
            return Err(PaymentError::NotYetExpired {
                expires_at: self.expires_at,
            });
        }
        Ok(self.apply(PaymentEvent::Expire)?)
    }

    /// Pending, and not past its expiry at `now`.
    pub fn is_payable(&self, now: Timestamp) -> bool {
        self.status == PaymentStatus::Pending && now < self.expires_at
    }

    /// What is left to refund.
    pub fn refundable(&self) -> Vnd {
        if self.status.is_credited() {
            Vnd(self.total.0.saturating_sub(self.refunded.0).max(0))
        } else {
            Vnd::ZERO
        }
    }

    /// Applies a verified notice received at `now`. The order changes only
    /// for `Credited` (→ paid) and `Declined` (→ failed); see
    /// [`NoticeOutcome`] for the rest. Checks, in order: the reference, the
    /// amount (whatever the status, as the gateway expects), then the status.
    /// A success paid after the expiry (the notice's pay time, else `now`)
    /// is a late success even while the order is still pending.
    pub fn apply_notice(&mut self, notice: &PaymentNotice, now: Timestamp) -> NoticeOutcome {
        use PaymentStatus as S;
        if notice.txn_ref != self.gateway_txn_ref {
            return NoticeOutcome::WrongOrder;
        }
        if notice.amount != self.total {
            return NoticeOutcome::AmountMismatch {
                expected: self.total,
                received: notice.amount,
            };
        }
        match (self.status, notice.success) {
            (S::Pending, true) => {
                let paid_at = notice.paid_at.unwrap_or(now);
                if paid_at >= self.expires_at {
                    return NoticeOutcome::LateSuccess { status: S::Expired };
                }
                self.status = S::Paid;
                self.paid_at = Some(paid_at);
                self.gateway_transaction_no = notice.transaction_no.clone();
                NoticeOutcome::Credited
            }
            (S::Pending, false) => {
                self.status = S::Failed;
                NoticeOutcome::Declined
            }
            (S::Paid | S::PartiallyRefunded | S::Refunded, true) => {
                if notice.transaction_no == self.gateway_transaction_no {
                    NoticeOutcome::AlreadyCredited
                } else {
                    NoticeOutcome::DuplicatePayment {
                        first: self.gateway_transaction_no.clone(),
                        second: notice.transaction_no.clone(),
                    }
                }
            }
            (S::Expired | S::Cancelled | S::Failed, true) => NoticeOutcome::LateSuccess {
                status: self.status,
            },
            (status, false) => NoticeOutcome::IgnoredFailure { status },
        }
    }
}

#[cfg(test)]
mod tests;
