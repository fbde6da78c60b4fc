//! Submission (nộp hồ sơ): one transaction that checks the idempotency key,
//! allocates the dossier code, creates the dossier from its draft and
//! records the event and its side effects.

use egov_domain::dossier::DossierCode;
use egov_domain::identity::AccountId;
use egov_ports::{IdempotencyKey, Submission, Submitted};
use jiff::civil::Date;
use sqlx::AnyConnection;

use super::codec::{bind_details, get_code, insert_statement, to_json};
use super::{effects, WriteTx};
use crate::error::backend_error;
use crate::identity::codec::{conflict_as, insert_error, ts};
use crate::sql::{int, text};
use crate::{SqlStore, StoreError};

pub(super) async fn submit(store: &SqlStore, s: &Submission) -> Result<Submitted, StoreError> {
    let mut tx = WriteTx::begin(store).await?;
    let applicant = &s.dossier.applicant;
    if let Some(key) = &s.idempotency {
        if let Some(code) = replayed(tx.conn(), applicant, key).await? {
            tx.rollback().await?;
            return Ok(Submitted::Replayed(code));
        }
    }
    claim_draft(tx.conn(), &s.draft_id).await?;
    let sequence = next_sequence(tx.conn(), &s.unit, s.date).await?;
    let code = DossierCode::new(&s.unit, s.date, sequence)
        .map_err(|e| StoreError::Backend(format!("cannot make a dossier code: {e}")))?;
    let mut dossier = s.dossier.clone();
    dossier.code = code.clone();
    dossier.version = 1;
    let form = to_json(&dossier.form, "form values")?;
    let code_text = code.to_string();
    bind_details(
        sqlx::query(&insert_statement()).bind(code_text.as_str()),
        &dossier,
        form,
    )
    .bind(dossier.version)
    .execute(tx.conn())
    .await
    .map_err(|e| insert_error(e, "dossier", "account", &applicant.0))?;
    move_attachments(tx.conn(), &s.draft_id, &code_text).await?;
    if let Some(key) = &s.idempotency {
        sqlx::query(
            "INSERT INTO idempotency_keys (applicant, key, fingerprint, dossier_code, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(applicant.0.as_str())
        .bind(key.key.as_str())
        .bind(key.fingerprint.as_str())
        .bind(code_text.as_str())
        .bind(ts(s.event.at))
        .execute(tx.conn())
        .await
        .map_err(|e| conflict_as(e, "idempotency key"))?;
    }
    tx.append(&code, &s.event).await?;
    effects::write(tx.conn(), &code, &s.effects).await?;
    tx.commit().await?;
    Ok(Submitted::Created(code))
}

/// The dossier an earlier submission with this key created, when its
/// content was the same; a `Conflict` when it was not.
async fn replayed(
    conn: &mut AnyConnection,
    applicant: &AccountId,
    key: &IdempotencyKey,
) -> Result<Option<DossierCode>, StoreError> {
    let row = sqlx::query(
        "SELECT fingerprint, dossier_code FROM idempotency_keys WHERE applicant = $1 AND key = $2",
    )
    .bind(applicant.0.as_str())
    .bind(key.key.as_str())
    .fetch_optional(conn)
    .await
    .map_err(backend_error)?;
    let Some(row) = row else {
        return Ok(None);
    };
    if text(&row, "fingerprint")? != key.fingerprint {
        return Err(StoreError::Conflict("idempotency key".to_owned()));
    }
    get_code(&row, "dossier_code").map(Some)
}

/// Deletes the draft, keeping its attachments for the dossier: the draft
/// must exist, so one draft gives at most one dossier.
async fn claim_draft(conn: &mut AnyConnection, draft_id: &str) -> Result<(), StoreError> {
    let found = sqlx::query("SELECT id FROM drafts WHERE id = $1")
        .bind(draft_id)
        .fetch_optional(conn)
        .await
        .map_err(backend_error)?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::MissingReference {
            entity: "dossier",
            code: "(new)".to_owned(),
            reference: "draft",
            missing: draft_id.to_owned(),
        }),
    }
}

/// Moves the draft's attachments to the dossier, then deletes the draft.
async fn move_attachments(
    conn: &mut AnyConnection,
    draft_id: &str,
    code: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE attachments SET dossier_code = $1, draft_id = NULL WHERE draft_id = $2")
        .bind(code)
        .bind(draft_id)
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    sqlx::query("DELETE FROM drafts WHERE id = $1")
        .bind(draft_id)
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    Ok(())
}

/// The next daily counter of `unit` on `date`, 1 on the first dossier. One
/// atomic statement on both databases (an upsert that returns the new
/// value), unique even if writers were not queued.
async fn next_sequence(
    conn: &mut AnyConnection,
    unit: &str,
    date: Date,
) -> Result<u32, StoreError> {
    // fetch_all, not fetch_optional: the statement runs to its end.
    let rows = sqlx::query(
        "INSERT INTO dossier_counters (unit, day, last_seq) VALUES ($1, $2, 1) \
         ON CONFLICT (unit, day) DO UPDATE SET last_seq = dossier_counters.last_seq + 1 \
         RETURNING last_seq",
    )
    .bind(unit)
    .bind(date.to_string())
    .fetch_all(conn)
    .await
    .map_err(backend_error)?;
    let row = rows
        .first()
        .ok_or_else(|| StoreError::Backend("the dossier counter returned no row".to_owned()))?;
    let n = int(row, "last_seq")?;
    u32::try_from(n).map_err(|_| StoreError::Backend(format!("dossier counter {n} out of range")))
}
