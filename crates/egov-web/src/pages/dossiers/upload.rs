//! Files chosen in a page form (the application form, the supplement),
//! sent to the use case one by one; what it refuses becomes a message
//! beside the file input, in the page's language.

use egov_app::dossiers::{Upload, UploadTarget};
use egov_app::AppError;
use egov_domain::attachment::AttachmentRejected;
use jiff::Timestamp;

use super::form_view::human_size;
use super::FilePart;
use crate::i18n::Messages;
use crate::pages::PageCtx;
use crate::state::AppState;

/// Why a file was refused, in the page's language.
pub fn rejection_text(t: Messages, file_name: &str, e: &AttachmentRejected) -> String {
    let lang = t.lang();
    let limit = match e {
        AttachmentRejected::TooLarge { limit, .. } => human_size(lang, *limit as u64),
        _ => String::new(),
    };
    t.fill(
        &format!("attachment_error.{}", e.code()),
        &[("file", file_name), ("limit", &limit)],
    )
}

/// A file the use case refused for this document (type, count, scanner).
pub fn invalid_file_text(t: Messages, file_name: &str, reason: &str) -> String {
    t.fill("form.invalid", &[("field", file_name), ("reason", reason)])
}

/// Uploads `file` as the document `key` of `target` for the caller.
/// `Ok(None)`: stored; `Ok(Some(message))`: refused for a reason the person
/// can act on (size, type, count, the scanner); any other error is the
/// caller's to answer.
pub async fn upload_file(
    state: &AppState,
    ctx: &PageCtx,
    target: UploadTarget,
    key: &str,
    file: &FilePart,
    now: Timestamp,
) -> Result<Option<String>, AppError> {
    let upload = Upload {
        document_key: key.to_owned(),
        file_name: file.file_name.clone(),
        declared_mime: file.content_type.clone(),
        bytes: file.bytes.clone(),
    };
    let t = ctx.t();
    match state
        .dossiers
        .upload(&ctx.caller.actor, target, upload, now)
        .await
    {
        Ok(_) => Ok(None),
        Err(AppError::Attachment(e)) => Ok(Some(rejection_text(t, &file.file_name, &e))),
        Err(AppError::Invalid(invalid)) => {
            Ok(Some(invalid_file_text(t, &file.file_name, &invalid.reason)))
        }
        Err(e) => Err(e),
    }
}
