//! The payment order's status (trạng thái thanh toán) and the one table of
//! legal transitions.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a payment order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentStatus {
    /// Created; the payer may be sent to the gateway (chờ thanh toán).
    Pending,
    /// A verified notification confirmed the payment (đã thanh toán).
    Paid,
    /// The gateway reported that the payment did not go through (thất bại).
    Failed,
    /// Cancelled before payment (đã hủy).
    Cancelled,
    /// Not paid before its expiry (hết hạn).
    Expired,
    /// Everything paid was refunded (đã hoàn tiền).
    Refunded,
    /// Part of what was paid was refunded (hoàn tiền một phần).
    PartiallyRefunded,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 7] = [
        PaymentStatus::Pending,
        PaymentStatus::Paid,
        PaymentStatus::Failed,
        PaymentStatus::Cancelled,
        PaymentStatus::Expired,
        PaymentStatus::Refunded,
        PaymentStatus::PartiallyRefunded,
    ];

    /// Stable key for storage and message catalogues.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Cancelled => "cancelled",
            PaymentStatus::Expired => "expired",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::PartiallyRefunded => "partially-refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The money was received (and not all of it given back).
    pub fn is_credited(self) -> bool {
        matches!(
            self,
            PaymentStatus::Paid | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
        )
    }

    /// No transition leaves a final status.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            PaymentStatus::Failed
                | PaymentStatus::Cancelled
                | PaymentStatus::Expired
                | PaymentStatus::Refunded
        )
    }
}

impl std::fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What can happen to a payment order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentEvent {
    /// A verified success notification with the right amount.
    Confirm,
    /// A verified failure notification.
    Decline,
    /// The payer or an official cancels the order before payment.
    Cancel,
    /// The order reached its expiry unpaid.
    Expire,
    /// An authorised official refunds part of what is left.
    RefundPartially,
    /// An authorised official refunds everything that is left.
    RefundFully,
}

impl PaymentEvent {
    pub const ALL: [PaymentEvent; 6] = [
        PaymentEvent::Confirm,
        PaymentEvent::Decline,
        PaymentEvent::Cancel,
        PaymentEvent::Expire,
        PaymentEvent::RefundPartially,
        PaymentEvent::RefundFully,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentEvent::Confirm => "confirm",
            PaymentEvent::Decline => "decline",
            PaymentEvent::Cancel => "cancel",
            PaymentEvent::Expire => "expire",
            PaymentEvent::RefundPartially => "refund-partially",
            PaymentEvent::RefundFully => "refund-fully",
        }
    }
}

/// Refusal of an event the current status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a payment order that is {from} cannot {event}", from = from.as_str(), event = event.as_str())]
pub struct IllegalPaymentTransition {
    pub from: PaymentStatus,
    pub event: PaymentEvent,
}

/// The status a payment order moves to, or why it cannot.
///
/// Note what is *not* here: a success for an expired, cancelled or failed
/// order is no transition at all — [`super::PaymentOrder::apply_notice`]
/// flags it for review (`LateSuccess`) instead.
pub fn next_status(
    from: PaymentStatus,
    event: PaymentEvent,
) -> Result<PaymentStatus, IllegalPaymentTransition> {
    use PaymentEvent as E;
    use PaymentStatus as S;
    let to = match (from, event) {
        (S::Pending, E::Confirm) => Some(S::Paid),
        (S::Pending, E::Decline) => Some(S::Failed),
        (S::Pending, E::Cancel) => Some(S::Cancelled),
        (S::Pending, E::Expire) => Some(S::Expired),
        (S::Paid | S::PartiallyRefunded, E::RefundPartially) => Some(S::PartiallyRefunded),
        (S::Paid | S::PartiallyRefunded, E::RefundFully) => Some(S::Refunded),
        _ => None,
    };
    to.ok_or(IllegalPaymentTransition { from, event })
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentEvent as E;
    use PaymentStatus as S;

    #[test]
    fn keys_round_trip() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::Value::String(s.as_str().to_owned())
            );
        }
        assert_eq!(S::parse("paid "), None);
    }

    #[test]
    fn the_table_is_exactly_this() {
        let mut legal = Vec::new();
        for from in S::ALL {
            for event in E::ALL {
                if let Ok(to) = next_status(from, event) {
                    legal.push((from, event, to));
                }
            }
        }
        assert_eq!(
            legal,
            vec![
                (S::Pending, E::Confirm, S::Paid),
                (S::Pending, E::Decline, S::Failed),
                (S::Pending, E::Cancel, S::Cancelled),
                (S::Pending, E::Expire, S::Expired),
                (S::Paid, E::RefundPartially, S::PartiallyRefunded),
                (S::Paid, E::RefundFully, S::Refunded),
                (
                    S::PartiallyRefunded,
                    E::RefundPartially,
                    S::PartiallyRefunded
                ),
                (S::PartiallyRefunded, E::RefundFully, S::Refunded),
            ]
        );
    }

    #[test]
    fn nothing_leaves_a_final_status() {
        for from in S::ALL.into_iter().filter(|s| s.is_final()) {
            for event in E::ALL {
                assert!(next_status(from, event).is_err(), "{from:?} {event:?}");
            }
        }
    }

    #[test]
    fn an_expired_or_cancelled_order_cannot_be_confirmed() {
        let err = next_status(S::Expired, E::Confirm).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a payment order that is expired cannot confirm"
        );
        assert!(next_status(S::Cancelled, E::Confirm).is_err());
        assert!(next_status(S::Paid, E::Confirm).is_err());
        assert!(next_status(S::Pending, E::RefundFully).is_err());
    }
}
