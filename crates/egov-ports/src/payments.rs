//! Payment storage (thanh toán trực tuyến): payment orders with their
//! refunds and electronic receipts, every notification a gateway sent, and
//! the imported settlement files.
//!
//! An order changes only through [`PaymentStore::update_order`], compared and
//! set on its `version`: when many copies of one gateway notification arrive
//! at once, exactly one of them changes the order; the others find it
//! changed, read it again and see a replay. The order, its refund or
//! receipt and the notification that caused the change are written in one
//! transaction.

use async_trait::async_trait;
use egov_domain::attachment::ContentHash;
use egov_domain::dossier::DossierCode;
use egov_domain::identity::AccountId;
use egov_domain::payment::{PaymentOrder, PaymentOrderId, Refund};
use egov_domain::{Page, PageRequest};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// A payment order as stored, with what the storage adds to the domain's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPaymentOrder {
    pub order: PaymentOrder,
    /// Raised by every change: the compare-and-set key. 1 when created.
    pub version: i64,
    /// The agency the fees are paid to (the dossier's receiving agency).
    pub agency: String,
    /// Credited, and what follows a credit (the receipt's PDF, moving the
    /// dossier on) is not known to be done yet. Set with the credit, cleared
    /// by [`PaymentStore::finish_follow_up`].
    pub follow_up: bool,
    pub updated_at: Timestamp,
}

/// An electronic receipt (biên lai điện tử): numbered in its series when
/// the payment is credited; its PDF is rendered afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentReceipt {
    /// Opaque and unguessable: the public verification address uses it.
    pub id: String,
    pub order: PaymentOrderId,
    /// The series (ký hiệu), e.g. `BL2026`.
    pub series: String,
    /// The number in its series (số), from 1, without gaps.
    pub number: i64,
    pub issued_at: Timestamp,
    /// The PDF in the blob store, once rendered.
    pub content_hash: Option<ContentHash>,
}

/// A receipt to number with a credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPaymentReceipt {
    pub id: String,
    pub series: String,
    pub issued_at: Timestamp,
}

/// One message a gateway sent to the notification endpoint (IPN), as
/// received, with what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentNotification {
    pub id: String,
    pub gateway: String,
    pub received_at: Timestamp,
    /// The query string as received (cut at a few kilobytes). It holds no
    /// secret: the signature in it is a MAC, not the key.
    pub raw_query: String,
    /// The reference it names, once its signature was verified.
    pub txn_ref: Option<String>,
    /// The order it was applied to.
    pub order: Option<PaymentOrderId>,
    /// `credited`, `declined`, `already-credited`, `ignored-failure`,
    /// `amount-mismatch`, `late-success`, `duplicate-payment`,
    /// `unknown-order`, `bad-signature`, `bad-amount` or `malformed`.
    pub outcome: String,
    /// For the reviewer, e.g. the amounts that differ.
    pub detail: Option<String>,
    /// A person must look at it: money may have been taken and not credited,
    /// or the message should not exist.
    pub needs_review: bool,
    pub reviewed_at: Option<Timestamp>,
    pub reviewed_by: Option<AccountId>,
    pub review_note: Option<String>,
}

/// Which notifications to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentNotificationFilter {
    /// Only those that need review and were not reviewed yet.
    pub awaiting_review: bool,
    pub order: Option<PaymentOrderId>,
    pub page: PageRequest,
}

/// A change of an order, written only if its version is still
/// `expected_version` (the stored version becomes `expected_version + 1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOrderUpdate {
    /// The new state.
    pub order: PaymentOrder,
    pub expected_version: i64,
    pub at: Timestamp,
    /// The change is a credit: the follow-up flag is set.
    pub start_follow_up: bool,
    /// A receipt numbered with this change (a credit).
    pub receipt: Option<NewPaymentReceipt>,
    /// The refund this change records.
    pub refund: Option<Refund>,
    /// The notification that caused the change.
    pub notification: Option<PaymentNotification>,
}

/// What [`PaymentStore::update_order`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOrderUpdated {
    /// Written; with the receipt numbered, if one was asked for.
    Applied { receipt: Option<PaymentReceipt> },
    /// The order changed since it was read (or is gone): nothing written.
    Stale,
}

/// Counts of a reconciliation, kept with its settlement file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementSummary {
    pub matched: u64,
    pub amount_mismatch: u64,
    pub missing_on_our_side: u64,
    pub missing_on_theirs: u64,
    pub duplicates: u64,
    pub not_settled: u64,
}

/// An imported settlement file (file đối soát) of a gateway; its bytes are
/// in the blob store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettlementRecord {
    pub id: String,
    pub gateway: String,
    /// The local days the file covers, first and last.
    pub first_day: Date,
    pub last_day: Date,
    pub file_hash: ContentHash,
    pub rows: u64,
    pub imported_by: Option<AccountId>,
    pub imported_at: Timestamp,
    /// The reconciliation as it stood at import.
    pub summary: SettlementSummary,
}

#[async_trait]
pub trait PaymentStore: Send + Sync {
    /// Stores a new order (version 1). A second pending order for the same
    /// dossier, or a reference the gateway already has, is a `Conflict`.
    async fn create_order(&self, order: &StoredPaymentOrder) -> Result<(), StoreError>;
    async fn payment_order(
        &self,
        id: &PaymentOrderId,
    ) -> Result<Option<StoredPaymentOrder>, StoreError>;
    async fn order_by_txn_ref(
        &self,
        gateway: &str,
        txn_ref: &str,
    ) -> Result<Option<StoredPaymentOrder>, StoreError>;
    /// A dossier's orders, oldest first.
    async fn orders_of(&self, dossier: &DossierCode)
        -> Result<Vec<StoredPaymentOrder>, StoreError>;
    /// Applies the update in one transaction (see [`PaymentOrderUpdate`]).
    async fn update_order(
        &self,
        update: &PaymentOrderUpdate,
    ) -> Result<PaymentOrderUpdated, StoreError>;
    /// Pending orders whose expiry is at or before `now`, oldest expiry first.
    async fn expired_pending(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<StoredPaymentOrder>, StoreError>;
    /// Orders whose follow-up is not done, oldest change first.
    async fn pending_follow_ups(&self, limit: u32) -> Result<Vec<StoredPaymentOrder>, StoreError>;
    /// Clears the follow-up flag (no new version: nothing about the money
    /// changes); false when it was not set.
    async fn finish_follow_up(&self, id: &PaymentOrderId) -> Result<bool, StoreError>;
    /// Credited orders (paid, partially refunded or refunded) of a gateway
    /// paid at or after `from` and before `until`, by pay time.
    async fn credited_between(
        &self,
        gateway: &str,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<StoredPaymentOrder>, StoreError>;
    /// An order's refunds, oldest first.
    async fn refunds(&self, order: &PaymentOrderId) -> Result<Vec<Refund>, StoreError>;

    async fn receipt(&self, id: &str) -> Result<Option<PaymentReceipt>, StoreError>;
    async fn receipt_of(
        &self,
        order: &PaymentOrderId,
    ) -> Result<Option<PaymentReceipt>, StoreError>;
    /// Records the rendered PDF unless one is recorded already; false then.
    async fn set_receipt_content(&self, id: &str, hash: &ContentHash) -> Result<bool, StoreError>;

    /// Records a notification that changed nothing.
    async fn record_notification(
        &self,
        notification: &PaymentNotification,
    ) -> Result<(), StoreError>;
    async fn payment_notifications(
        &self,
        filter: &PaymentNotificationFilter,
    ) -> Result<Page<PaymentNotification>, StoreError>;
    async fn payment_notification(
        &self,
        id: &str,
    ) -> Result<Option<PaymentNotification>, StoreError>;
    /// Marks a notification reviewed unless it was already; false then.
    async fn review_notification(
        &self,
        id: &str,
        by: Option<&AccountId>,
        at: Timestamp,
        note: &str,
    ) -> Result<bool, StoreError>;

    async fn save_settlement(&self, settlement: &SettlementRecord) -> Result<(), StoreError>;
    async fn settlement(&self, id: &str) -> Result<Option<SettlementRecord>, StoreError>;
    /// Imported settlement files, newest import first.
    async fn settlements(&self, page: PageRequest) -> Result<Page<SettlementRecord>, StoreError>;
}
