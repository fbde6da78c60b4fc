//! [`PaymentStore`] for [`SqlStore`]: payment orders with their refunds and
//! receipts (`orders`), the gateways' notifications (`notifications`) and
//! the imported settlement files (`settlements`).
//!
//! An order changes by compare-and-set: `UPDATE … WHERE id = … AND version
//! = …` writes nothing when another writer changed it first, and the whole
//! update (order, refund, receipt number, notification) is one
//! transaction. On PostgreSQL concurrent updates of one order queue on its
//! row lock and the losers find the version moved (READ COMMITTED
//! re-checks the condition on the new row); on SQLite this process's
//! writers take turns on the store's write gate, then `BEGIN IMMEDIATE`
//! takes the database's write lock.

mod notifications;
mod orders;
mod settlements;

use async_trait::async_trait;
use egov_domain::attachment::ContentHash;
use egov_domain::dossier::DossierCode;
use egov_domain::identity::AccountId;
use egov_domain::payment::{PaymentOrderId, PaymentStatus, Refund};
use egov_domain::{Page, PageRequest};
use egov_ports::{
    PaymentNotification, PaymentNotificationFilter, PaymentOrderUpdate, PaymentOrderUpdated,
    PaymentReceipt, PaymentStore, SettlementRecord, StoredPaymentOrder,
};
use jiff::Timestamp;
use sqlx::{Any, AnyConnection, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::error::backend_error;
use crate::identity::codec::Named;
use crate::{Backend, SqlStore, StoreError};

impl Named for PaymentStatus {
    const ALL: &'static [Self] = &PaymentStatus::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A write transaction of the payment tables.
struct PayTx {
    // Fields drop in order: the transaction (rolled back unless committed)
    // before the turn.
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl PayTx {
    async fn begin(store: &SqlStore) -> Result<PayTx, StoreError> {
        match store.backend {
            Backend::Sqlite => {
                // Queue in this process first (as the dossier writers do),
                // then take SQLite's write lock at BEGIN.
                let turn = store.write_gate.clone().lock_owned().await;
                let tx = store
                    .pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(backend_error)?;
                Ok(PayTx {
                    tx,
                    _turn: Some(turn),
                })
            }
            Backend::Postgres => Ok(PayTx {
                tx: store.pool.begin().await.map_err(backend_error)?,
                _turn: None,
            }),
        }
    }

    fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(backend_error)
    }

    async fn rollback(self) -> Result<(), StoreError> {
        self.tx.rollback().await.map_err(backend_error)
    }
}

/// `LIMIT`/`OFFSET` of a page request, clamped as the other lists are.
fn page_bounds(page: PageRequest) -> (u32, i64, i64) {
    let limit = page.limit.clamp(1, PageRequest::MAX_LIMIT);
    (limit, i64::from(limit), i64::from(page.offset))
}

#[async_trait]
impl PaymentStore for SqlStore {
    async fn create_order(&self, order: &StoredPaymentOrder) -> Result<(), StoreError> {
        orders::create(self, order).await
    }

    async fn payment_order(
        &self,
        id: &PaymentOrderId,
    ) -> Result<Option<StoredPaymentOrder>, StoreError> {
        orders::get(self, id).await
    }

    async fn order_by_txn_ref(
        &self,
        gateway: &str,
        txn_ref: &str,
    ) -> Result<Option<StoredPaymentOrder>, StoreError> {
        orders::by_txn_ref(self, gateway, txn_ref).await
    }

    async fn orders_of(
        &self,
        dossier: &DossierCode,
    ) -> Result<Vec<StoredPaymentOrder>, StoreError> {
        orders::of_dossier(self, dossier).await
    }

    async fn update_order(
        &self,
        update: &PaymentOrderUpdate,
    ) -> Result<PaymentOrderUpdated, StoreError> {
        orders::update(self, update).await
    }

    async fn expired_pending(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<StoredPaymentOrder>, StoreError> {
        orders::expired_pending(self, now, limit).await
    }

    async fn pending_follow_ups(&self, limit: u32) -> Result<Vec<StoredPaymentOrder>, StoreError> {
        orders::pending_follow_ups(self, limit).await
    }

    async fn finish_follow_up(&self, id: &PaymentOrderId) -> Result<bool, StoreError> {
        orders::finish_follow_up(self, id).await
    }

    async fn credited_between(
        &self,
        gateway: &str,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<StoredPaymentOrder>, StoreError> {
        orders::credited_between(self, gateway, from, until).await
    }

    async fn refunds(&self, order: &PaymentOrderId) -> Result<Vec<Refund>, StoreError> {
        orders::refunds(self, order).await
    }

    async fn receipt(&self, id: &str) -> Result<Option<PaymentReceipt>, StoreError> {
        orders::receipt(self, id).await
    }

    async fn receipt_of(
        &self,
        order: &PaymentOrderId,
    ) -> Result<Option<PaymentReceipt>, StoreError> {
        orders::receipt_of(self, order).await
    }

    async fn set_receipt_content(&self, id: &str, hash: &ContentHash) -> Result<bool, StoreError> {
        orders::set_receipt_content(self, id, hash).await
    }

    async fn record_notification(
        &self,
        notification: &PaymentNotification,
    ) -> Result<(), StoreError> {
        notifications::record(self, notification).await
    }

    async fn payment_notifications(
        &self,
        filter: &PaymentNotificationFilter,
    ) -> Result<Page<PaymentNotification>, StoreError> {
        notifications::list(self, filter).await
    }

    async fn payment_notification(
        &self,
        id: &str,
    ) -> Result<Option<PaymentNotification>, StoreError> {
        notifications::get(self, id).await
    }

    async fn review_notification(
        &self,
        id: &str,
        by: Option<&AccountId>,
        at: Timestamp,
        note: &str,
    ) -> Result<bool, StoreError> {
        notifications::review(self, id, by, at, note).await
    }

    async fn save_settlement(&self, settlement: &SettlementRecord) -> Result<(), StoreError> {
        settlements::save(self, settlement).await
    }

    async fn settlement(&self, id: &str) -> Result<Option<SettlementRecord>, StoreError> {
        settlements::get(self, id).await
    }

    async fn settlements(&self, page: PageRequest) -> Result<Page<SettlementRecord>, StoreError> {
        settlements::list(self, page).await
    }
}
