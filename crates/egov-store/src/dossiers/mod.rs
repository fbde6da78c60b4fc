//! [`DossierStore`] for [`SqlStore`]: service definitions, drafts and
//! attachments, dossiers with their hash-chained events, documents,
//! notifications, the calendar's declared days and the signing keys. Each
//! method hands over to the module of its tables; [`codec`] says how values
//! are stored.
//!
//! Every change of a dossier (`submit`, `apply`) is one [`WriteTx`]: the
//! dossier row, one chain entry, documents, notifications and outbox
//! messages — all or nothing. The chain is one sequence over all dossiers,
//! so its writers are serialised:
//!
//! * SQLite: writers of this process take turns on the store's write gate,
//!   then `BEGIN IMMEDIATE` takes the database's write lock (other
//!   processes' writers wait for it through the busy timeout);
//! * PostgreSQL: the transaction starts by locking the chain's head row
//!   (`SELECT … FOR UPDATE`); concurrent writers queue on it, and each
//!   statement after the lock sees what the previous writer committed (READ
//!   COMMITTED takes a fresh snapshot per statement).

mod apply;
mod calendar;
mod chain;
mod codec;
mod drafts;
mod effects;
mod keys;
mod read;
mod services;
mod submit;

use async_trait::async_trait;
use egov_domain::attachment::ContentHash;
use egov_domain::dossier::chain::ChainEntry;
use egov_domain::dossier::{Dossier, DossierCode};
use egov_domain::identity::AccountId;
use egov_domain::service::ServiceDefinition;
use egov_domain::{Page, PageRequest, ProcedureCode};
use egov_ports::{
    Attachment, AttachmentOwner, Change, DeclaredDay, DossierStore, Draft, InboxFilter,
    IssuedDocument, Notification, StoredCertificate, Submission, Submitted,
};
use jiff::civil::Date;
use jiff::Timestamp;
use sqlx::{Any, AnyConnection, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::error::backend_error;
use crate::{Backend, SqlStore, StoreError};

/// A write transaction of the dossier tables that holds the chain's head:
/// the writer's turn is taken before it starts and kept until it ends.
struct WriteTx {
    // Fields drop in order: the transaction (rolled back unless committed)
    // before the turn.
    tx: Transaction<'static, Any>,
    /// The chain's head as it was when the turn was taken (`None`: empty).
    head: Option<(i64, String)>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// Takes the writer's turn, opens the transaction and reads the head.
    async fn begin(store: &SqlStore) -> Result<WriteTx, StoreError> {
        let (tx, turn) = match store.backend {
            Backend::Sqlite => {
                // Queue in this process first, then take SQLite's write lock
                // at BEGIN: a deferred transaction that reads first would fail
                // with SQLITE_BUSY, without waiting, when another connection
                // wrote in between.
                let turn = store.write_gate.clone().lock_owned().await;
                let tx = store
                    .pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(backend_error)?;
                (tx, Some(turn))
            }
            Backend::Postgres => (store.pool.begin().await.map_err(backend_error)?, None),
        };
        let mut write = WriteTx {
            tx,
            head: None,
            _turn: turn,
        };
        write.head = chain::lock_head(store.backend, &mut write.tx).await?;
        Ok(write)
    }

    fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Appends the event to the chain (entry and head), after the head read at
    /// [`WriteTx::begin`].
    async fn append(
        &mut self,
        code: &DossierCode,
        event: &egov_ports::NewEvent,
    ) -> Result<ChainEntry, StoreError> {
        let prev = self.head.as_ref().map(|(seq, hash)| (*seq, hash.as_str()));
        let entry = chain::entry(prev, code, event)?;
        chain::append(&mut self.tx, &entry).await?;
        self.head = Some((entry.seq, entry.hash.clone()));
        Ok(entry)
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(backend_error)
    }

    /// Ends without writing anything (before the turn is given back).
    async fn rollback(self) -> Result<(), StoreError> {
        self.tx.rollback().await.map_err(backend_error)
    }
}

#[async_trait]
impl DossierStore for SqlStore {
    async fn put_service(
        &self,
        definition: &ServiceDefinition,
        at: Timestamp,
    ) -> Result<(u32, bool), StoreError> {
        services::put(self, definition, at).await
    }

    async fn service(
        &self,
        procedure: &ProcedureCode,
    ) -> Result<Option<(u32, ServiceDefinition)>, StoreError> {
        services::latest(self, procedure).await
    }

    async fn service_version(
        &self,
        procedure: &ProcedureCode,
        version: u32,
    ) -> Result<Option<ServiceDefinition>, StoreError> {
        services::at_version(self, procedure, version).await
    }

    async fn services(&self) -> Result<Vec<(u32, ServiceDefinition)>, StoreError> {
        services::all_latest(self).await
    }

    async fn put_draft(&self, draft: &Draft) -> Result<(), StoreError> {
        drafts::put(self, draft).await
    }

    async fn draft(&self, id: &str) -> Result<Option<Draft>, StoreError> {
        drafts::get(self, id).await
    }

    async fn drafts_of(&self, applicant: &AccountId) -> Result<Vec<Draft>, StoreError> {
        drafts::of(self, applicant).await
    }

    async fn delete_draft(&self, id: &str) -> Result<bool, StoreError> {
        drafts::delete(self, id).await
    }

    async fn add_attachment(&self, attachment: &Attachment) -> Result<(), StoreError> {
        drafts::add_attachment(self, attachment).await
    }

    async fn attachment(&self, id: &str) -> Result<Option<Attachment>, StoreError> {
        drafts::attachment(self, id).await
    }

    async fn attachments(&self, owner: &AttachmentOwner) -> Result<Vec<Attachment>, StoreError> {
        drafts::attachments(self, owner).await
    }

    async fn delete_attachment(&self, id: &str) -> Result<bool, StoreError> {
        drafts::delete_attachment(self, id).await
    }

    async fn submit(&self, submission: &Submission) -> Result<Submitted, StoreError> {
        submit::submit(self, submission).await
    }

    async fn apply(&self, change: &Change) -> Result<bool, StoreError> {
        apply::apply(self, change).await
    }

    async fn dossier(&self, code: &DossierCode) -> Result<Option<Dossier>, StoreError> {
        read::dossier(self, code).await
    }

    async fn dossiers_of(
        &self,
        applicant: &AccountId,
        page: PageRequest,
    ) -> Result<Page<Dossier>, StoreError> {
        read::dossiers_of(self, applicant, page).await
    }

    async fn inbox(&self, filter: &InboxFilter) -> Result<Page<Dossier>, StoreError> {
        read::inbox(self, filter).await
    }

    async fn events(&self, code: &DossierCode) -> Result<Vec<ChainEntry>, StoreError> {
        chain::events(self, code).await
    }

    async fn documents(&self, code: &DossierCode) -> Result<Vec<IssuedDocument>, StoreError> {
        read::documents(self, code).await
    }

    async fn document(&self, id: &str) -> Result<Option<IssuedDocument>, StoreError> {
        read::document(self, id).await
    }

    async fn document_by_hash(
        &self,
        hash: &ContentHash,
    ) -> Result<Option<IssuedDocument>, StoreError> {
        read::document_by_hash(self, hash).await
    }

    async fn submission_by_key(
        &self,
        applicant: &AccountId,
        key: &str,
    ) -> Result<Option<(DossierCode, String)>, StoreError> {
        read::submission_by_key(self, applicant, key).await
    }

    async fn notifications(
        &self,
        account: &AccountId,
        page: PageRequest,
    ) -> Result<Page<Notification>, StoreError> {
        read::notifications(self, account, page).await
    }

    async fn mark_notifications_read(
        &self,
        account: &AccountId,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        read::mark_notifications_read(self, account, at).await
    }

    async fn chain_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        chain::head(self).await
    }

    async fn chain_entries(&self, after: i64, limit: u32) -> Result<Vec<ChainEntry>, StoreError> {
        chain::entries(self, after, limit).await
    }

    async fn calendar_overrides(&self) -> Result<Vec<DeclaredDay>, StoreError> {
        calendar::all(self).await
    }

    async fn put_calendar_override(&self, day: &DeclaredDay) -> Result<(), StoreError> {
        calendar::put(self, day).await
    }

    async fn delete_calendar_override(&self, date: Date) -> Result<bool, StoreError> {
        calendar::delete(self, date).await
    }

    async fn certificate_authority(&self) -> Result<Option<StoredCertificate>, StoreError> {
        keys::authority(self).await
    }

    async fn init_certificate_authority(
        &self,
        ca: &StoredCertificate,
    ) -> Result<StoredCertificate, StoreError> {
        keys::init_authority(self, ca).await
    }

    async fn agency_certificate(
        &self,
        agency: &str,
    ) -> Result<Option<StoredCertificate>, StoreError> {
        keys::agency(self, agency).await
    }

    async fn init_agency_certificate(
        &self,
        agency: &str,
        signer: &StoredCertificate,
    ) -> Result<StoredCertificate, StoreError> {
        keys::init_agency(self, agency, signer).await
    }
}
