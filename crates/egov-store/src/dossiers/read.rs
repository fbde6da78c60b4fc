//! Reading dossiers (one, an applicant's, an official's inbox), their
//! documents, and notifications.

use egov_domain::attachment::ContentHash;
use egov_domain::dossier::{Dossier, DossierCode, DossierStatus};
use egov_domain::identity::AccountId;
use egov_domain::{Page, PageRequest};
use egov_ports::{DocumentKind, InboxFilter, IssuedDocument, Notification};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use super::codec::{columns, decode_dossier, get_code};
use super::effects::{DOCUMENT_COLUMNS, NOTIFICATION_COLUMNS};
use crate::error::{backend_error, corrupt};
use crate::identity::codec::{get_opt_ts, get_ts, ts, Named};
use crate::sql::{fetch_page, fetch_row, fetch_rows, text, ListQuery, Where};
use crate::{SqlStore, StoreError};

fn decode_document(row: &AnyRow) -> Result<IssuedDocument, StoreError> {
    Ok(IssuedDocument {
        id: text(row, "id")?,
        dossier: get_code(row, "dossier_code")?,
        kind: DocumentKind::get(row, "kind")?,
        file_name: text(row, "file_name")?,
        content_type: text(row, "content_type")?,
        hash: ContentHash::parse(&text(row, "content_hash")?)
            .map_err(|e| corrupt("content_hash", e))?,
        issued_at: get_ts(row, "issued_at")?,
    })
}

fn decode_notification(row: &AnyRow) -> Result<Notification, StoreError> {
    Ok(Notification {
        id: text(row, "id")?,
        account_id: AccountId(text(row, "account_id")?),
        dossier: get_code(row, "dossier_code")?,
        status: DossierStatus::get(row, "status")?,
        action: text(row, "action")?,
        at: get_ts(row, "at")?,
        read_at: get_opt_ts(row, "read_at")?,
    })
}

pub(super) async fn dossier(
    store: &SqlStore,
    code: &DossierCode,
) -> Result<Option<Dossier>, StoreError> {
    let query = format!("SELECT {} FROM dossiers WHERE code = $1", columns());
    fetch_row(store, &query, &[&code.to_string()], decode_dossier).await
}

/// An applicant's dossiers, newest first.
pub(super) async fn dossiers_of(
    store: &SqlStore,
    applicant: &AccountId,
    page: PageRequest,
) -> Result<Page<Dossier>, StoreError> {
    let mut w = Where::default();
    w.eq("applicant", applicant.0.as_str());
    let columns = columns();
    let list = ListQuery {
        table: "dossiers",
        columns: &columns,
        order_by: "submitted_at DESC, code DESC",
    };
    fetch_page(store, &list, &w, page, decode_dossier).await
}

/// The dossiers matching every given filter, the nearest deadline first
/// (those without one last), then the oldest submission. No agencies, no
/// dossiers: an empty list of agencies does not mean all of them. The code
/// matches as a literal prefix (`%` and `_` are not wildcards); note that
/// SQLite's `LIKE` ignores ASCII case where PostgreSQL's does not.
pub(super) async fn inbox(
    store: &SqlStore,
    filter: &InboxFilter,
) -> Result<Page<Dossier>, StoreError> {
    if filter.agencies.is_empty() {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            offset: filter.page.offset,
            limit: filter.page.limit.clamp(1, PageRequest::MAX_LIMIT),
        });
    }
    let mut w = Where::default();
    w.list("handling_agency IN (", &filter.agencies, ")");
    if !filter.statuses.is_empty() {
        let statuses: Vec<String> = filter.statuses.iter().map(|s| s.name().into()).collect();
        w.list("status IN (", &statuses, ")");
    }
    if !filter.awaiting.is_empty() {
        let roles: Vec<String> = filter.awaiting.iter().map(|r| r.name().into()).collect();
        w.list("awaiting IN (", &roles, ")");
    }
    if let Some(assignee) = &filter.assignee {
        w.eq("assignee", assignee.0.as_str());
    }
    if let Some(procedure) = &filter.procedure_code {
        w.eq("procedure_code", procedure.as_str());
    }
    if let Some(before) = filter.deadline_before {
        w.less_than("deadline_at", ts(before));
    }
    if let Some(code) = filter
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        w.starts_with("code", code);
    }
    let columns = columns();
    let list = ListQuery {
        table: "dossiers",
        columns: &columns,
        order_by: "CASE WHEN deadline_at IS NULL THEN 1 ELSE 0 END, deadline_at, \
                   submitted_at, code",
    };
    fetch_page(store, &list, &w, filter.page, decode_dossier).await
}

pub(super) async fn documents(
    store: &SqlStore,
    code: &DossierCode,
) -> Result<Vec<IssuedDocument>, StoreError> {
    let query = format!(
        "SELECT {DOCUMENT_COLUMNS} FROM issued_documents WHERE dossier_code = $1 \
         ORDER BY issued_at, id"
    );
    fetch_rows(store, &query, &[&code.to_string()], decode_document).await
}

pub(super) async fn document(
    store: &SqlStore,
    id: &str,
) -> Result<Option<IssuedDocument>, StoreError> {
    let query = format!("SELECT {DOCUMENT_COLUMNS} FROM issued_documents WHERE id = $1");
    fetch_row(store, &query, &[id], decode_document).await
}

/// The newest issued document with this content hash.
pub(super) async fn document_by_hash(
    store: &SqlStore,
    hash: &ContentHash,
) -> Result<Option<IssuedDocument>, StoreError> {
    let query = format!(
        "SELECT {DOCUMENT_COLUMNS} FROM issued_documents WHERE content_hash = $1 \
         ORDER BY issued_at DESC, id DESC LIMIT 1"
    );
    fetch_row(store, &query, &[hash.as_str()], decode_document).await
}

/// The dossier an applicant's idempotency key created, with its fingerprint.
pub(super) async fn submission_by_key(
    store: &SqlStore,
    applicant: &AccountId,
    key: &str,
) -> Result<Option<(DossierCode, String)>, StoreError> {
    let row = sqlx::query(
        "SELECT dossier_code, fingerprint FROM idempotency_keys WHERE applicant = $1 AND key = $2",
    )
    .bind(applicant.0.as_str())
    .bind(key)
    .fetch_optional(&store.pool)
    .await
    .map_err(backend_error)?;
    row.map(|row| Ok((get_code(&row, "dossier_code")?, text(&row, "fingerprint")?)))
        .transpose()
}

/// An account's notifications, newest first.
pub(super) async fn notifications(
    store: &SqlStore,
    account: &AccountId,
    page: PageRequest,
) -> Result<Page<Notification>, StoreError> {
    let mut w = Where::default();
    w.eq("account_id", account.0.as_str());
    let list = ListQuery {
        table: "notifications",
        columns: NOTIFICATION_COLUMNS,
        order_by: "at DESC, id DESC",
    };
    fetch_page(store, &list, &w, page, decode_notification).await
}

/// Marks the account's unread notifications read; returns how many.
pub(super) async fn mark_notifications_read(
    store: &SqlStore,
    account: &AccountId,
    at: Timestamp,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = $2 WHERE account_id = $1 AND read_at IS NULL",
    )
    .bind(account.0.as_str())
    .bind(ts(at))
    .execute(&store.pool)
    .await
    .map_err(backend_error)?;
    Ok(done.rows_affected())
}
