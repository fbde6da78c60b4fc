//! Drafts (bản nháp) and the records of uploaded files (tệp đính kèm). An
//! attachment belongs to a draft, or, once submitted, to a dossier.

use egov_domain::attachment::{ContentHash, MediaType};
use egov_domain::identity::AccountId;
use egov_domain::ProcedureCode;
use egov_ports::{Attachment, AttachmentOwner, Draft};
use sqlx::any::AnyRow;

use super::codec::{get_code, get_json, to_json};
use crate::error::{backend_error, corrupt};
use crate::identity::codec::{get_ts, insert_error, ts, Named};
use crate::sql::{begin_row_write, fetch_row, fetch_rows, int, opt_text, text};
use crate::{SqlStore, StoreError};

const DRAFT_COLUMNS: &str =
    "id, applicant, procedure_code, agency_code, form_values, created_at, updated_at";

const ATTACHMENT_COLUMNS: &str = "id, draft_id, dossier_code, document_key, file_name, \
     media_type, size, content_hash, uploaded_by, uploaded_at";

fn decode_draft(row: &AnyRow) -> Result<Draft, StoreError> {
    Ok(Draft {
        id: text(row, "id")?,
        applicant: AccountId(text(row, "applicant")?),
        procedure_code: ProcedureCode::parse(&text(row, "procedure_code")?)
            .map_err(|e| corrupt("procedure_code", e))?,
        agency_code: text(row, "agency_code")?,
        values: get_json(row, "form_values")?,
        created_at: get_ts(row, "created_at")?,
        updated_at: get_ts(row, "updated_at")?,
    })
}

fn decode_attachment(row: &AnyRow) -> Result<Attachment, StoreError> {
    let owner = match opt_text(row, "draft_id")? {
        Some(draft) => AttachmentOwner::Draft(draft),
        None => AttachmentOwner::Dossier(get_code(row, "dossier_code")?),
    };
    let size = int(row, "size")?;
    Ok(Attachment {
        id: text(row, "id")?,
        owner,
        document_key: text(row, "document_key")?,
        file_name: text(row, "file_name")?,
        media_type: MediaType::get(row, "media_type")?,
        size: u64::try_from(size).map_err(|_| corrupt("size", format!("{size} is negative")))?,
        hash: ContentHash::parse(&text(row, "content_hash")?)
            .map_err(|e| corrupt("content_hash", e))?,
        uploaded_by: AccountId(text(row, "uploaded_by")?),
        uploaded_at: get_ts(row, "uploaded_at")?,
    })
}

/// Stores the draft, replacing the one with its id.
pub(super) async fn put(store: &SqlStore, d: &Draft) -> Result<(), StoreError> {
    // ON CONFLICT … DO UPDATE (not REPLACE, which would delete the row its
    // attachments refer to) is spelled the same in SQLite and PostgreSQL.
    let statement = format!(
        "INSERT INTO drafts ({DRAFT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET applicant = excluded.applicant, \
         procedure_code = excluded.procedure_code, agency_code = excluded.agency_code, \
         form_values = excluded.form_values, created_at = excluded.created_at, \
         updated_at = excluded.updated_at"
    );
    sqlx::query(&statement)
        .bind(d.id.as_str())
        .bind(d.applicant.0.as_str())
        .bind(d.procedure_code.as_str())
        .bind(d.agency_code.as_str())
        .bind(to_json(&d.values, "draft values")?)
        .bind(ts(d.created_at))
        .bind(ts(d.updated_at))
        .execute(&store.pool)
        .await
        .map_err(|e| insert_error(e, "draft", "account", &d.applicant.0))?;
    Ok(())
}

pub(super) async fn get(store: &SqlStore, id: &str) -> Result<Option<Draft>, StoreError> {
    let query = format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = $1");
    fetch_row(store, &query, &[id], decode_draft).await
}

/// An applicant's drafts, the last edited first.
pub(super) async fn of(store: &SqlStore, applicant: &AccountId) -> Result<Vec<Draft>, StoreError> {
    let query = format!(
        "SELECT {DRAFT_COLUMNS} FROM drafts WHERE applicant = $1 ORDER BY updated_at DESC, id"
    );
    fetch_rows(store, &query, &[applicant.0.as_str()], decode_draft).await
}

/// Deletes the draft and its attachments' records; false when there was no draft.
pub(super) async fn delete(store: &SqlStore, id: &str) -> Result<bool, StoreError> {
    let mut tx = begin_row_write(store).await?;
    sqlx::query("DELETE FROM attachments WHERE draft_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
    let deleted = sqlx::query("DELETE FROM drafts WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
    tx.commit().await.map_err(backend_error)?;
    Ok(deleted.rows_affected() > 0)
}

pub(super) async fn add_attachment(store: &SqlStore, a: &Attachment) -> Result<(), StoreError> {
    let (draft, dossier, owner) = match &a.owner {
        AttachmentOwner::Draft(id) => (Some(id.clone()), None, id.clone()),
        AttachmentOwner::Dossier(code) => (None, Some(code.to_string()), code.to_string()),
    };
    let size = i64::try_from(a.size)
        .map_err(|_| StoreError::Backend(format!("attachment size {} out of range", a.size)))?;
    let statement = format!(
        "INSERT INTO attachments ({ATTACHMENT_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    );
    sqlx::query(&statement)
        .bind(a.id.as_str())
        .bind(draft)
        .bind(dossier)
        .bind(a.document_key.as_str())
        .bind(a.file_name.as_str())
        .bind(a.media_type.name())
        .bind(size)
        .bind(a.hash.as_str())
        .bind(a.uploaded_by.0.as_str())
        .bind(ts(a.uploaded_at))
        .execute(&store.pool)
        .await
        .map_err(|e| insert_error(e, "attachment", "draft, dossier or account", &owner))?;
    Ok(())
}

pub(super) async fn attachment(
    store: &SqlStore,
    id: &str,
) -> Result<Option<Attachment>, StoreError> {
    let query = format!("SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1");
    fetch_row(store, &query, &[id], decode_attachment).await
}

/// The owner's attachments, in upload order.
pub(super) async fn attachments(
    store: &SqlStore,
    owner: &AttachmentOwner,
) -> Result<Vec<Attachment>, StoreError> {
    let (condition, key) = match owner {
        AttachmentOwner::Draft(id) => ("draft_id = $1", id.clone()),
        AttachmentOwner::Dossier(code) => ("dossier_code = $1", code.to_string()),
    };
    let query = format!(
        "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE {condition} ORDER BY uploaded_at, id"
    );
    fetch_rows(store, &query, &[&key], decode_attachment).await
}

pub(super) async fn delete_attachment(store: &SqlStore, id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM attachments WHERE id = $1")
        .bind(id)
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(done.rows_affected() > 0)
}
