//! What is written with a dossier change besides the dossier and its event:
//! issued documents, in-app notifications and outbox messages.

use egov_domain::dossier::DossierCode;
use egov_ports::{IssuedDocument, Notification, SideEffects};
use sqlx::AnyConnection;

use crate::identity::codec::{insert_error, opt_ts, ts, Named};
use crate::identity::messages::insert_message;
use crate::StoreError;

pub(super) const DOCUMENT_COLUMNS: &str =
    "id, dossier_code, kind, file_name, content_type, content_hash, issued_at";

pub(super) const NOTIFICATION_COLUMNS: &str =
    "id, account_id, dossier_code, status, action, at, read_at";

/// Writes `effects` for dossier `code` (which replaces the dossier the
/// documents and notifications name: at submission it was not known yet).
pub(super) async fn write(
    conn: &mut AnyConnection,
    code: &DossierCode,
    effects: &SideEffects,
) -> Result<(), StoreError> {
    let code = code.to_string();
    for document in &effects.documents {
        insert_document(conn, &code, document).await?;
    }
    for notification in &effects.notifications {
        insert_notification(conn, &code, notification).await?;
    }
    for message in &effects.outbox {
        insert_message(conn, message).await?;
    }
    Ok(())
}

async fn insert_document(
    conn: &mut AnyConnection,
    code: &str,
    d: &IssuedDocument,
) -> Result<(), StoreError> {
    let statement = format!(
        "INSERT INTO issued_documents ({DOCUMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    );
    sqlx::query(&statement)
        .bind(d.id.as_str())
        .bind(code)
        .bind(d.kind.name())
        .bind(d.file_name.as_str())
        .bind(d.content_type.as_str())
        .bind(d.hash.as_str())
        .bind(ts(d.issued_at))
        .execute(conn)
        .await
        .map_err(|e| insert_error(e, "document", "dossier", code))?;
    Ok(())
}

async fn insert_notification(
    conn: &mut AnyConnection,
    code: &str,
    n: &Notification,
) -> Result<(), StoreError> {
    let statement = format!(
        "INSERT INTO notifications ({NOTIFICATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    );
    sqlx::query(&statement)
        .bind(n.id.as_str())
        .bind(n.account_id.0.as_str())
        .bind(code)
        .bind(n.status.name())
        .bind(n.action.as_str())
        .bind(ts(n.at))
        .bind(opt_ts(n.read_at))
        .execute(conn)
        .await
        .map_err(|e| insert_error(e, "notification", "account", &n.account_id.0))?;
    Ok(())
}
