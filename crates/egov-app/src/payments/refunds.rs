//! Refunds (hoàn tiền), full or partial, by a finance officer of the paid
//! agency, with a reason, recorded with the order in one transaction.
//!
//! This records the decision and the amount; sending the money back goes
//! through the gateway's merchant tools.

use egov_domain::identity::Actor;
use egov_domain::payment::{Refund, RefundRequest};
use egov_domain::Vnd;
use jiff::Timestamp;

use super::{actor_account, lost_races, refund_error, Payments, RETRIES};
use crate::identity::new_id;
use crate::ports::{PaymentOrderUpdate, PaymentOrderUpdated};
use crate::AppError;

/// What the official asks to refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundInput {
    /// Whole đồng, at most what is left to refund.
    pub amount: Vnd,
    /// Why; required, at most 1,000 characters.
    pub reason: String,
}

impl Payments {
    /// Refunds part or all of what is left of a credited order
    /// (`ManagePayments` in the paid agency's path). More than is left, no
    /// reason, or an order that was not paid is refused and changes nothing.
    pub async fn refund(
        &self,
        actor: &Actor,
        order_id: &str,
        input: RefundInput,
        now: Timestamp,
    ) -> Result<Refund, AppError> {
        for _ in 0..RETRIES {
            let stored = self.load_order(order_id).await?;
            self.authorize_manage(actor, &stored.agency).await?;
            let mut order = stored.order.clone();
            let refund = order
                .refund(RefundRequest {
                    id: new_id(),
                    amount: input.amount,
                    reason: input.reason.clone(),
                    by: actor_account(actor),
                    at: now,
                })
                .map_err(refund_error)?;
            let update = PaymentOrderUpdate {
                order,
                expected_version: stored.version,
                at: now,
                start_follow_up: false,
                receipt: None,
                refund: Some(refund.clone()),
                notification: None,
            };
            if let PaymentOrderUpdated::Applied { .. } = self.store.update_order(&update).await? {
                return Ok(refund);
            }
        }
        Err(lost_races("the payment order"))
    }
}
