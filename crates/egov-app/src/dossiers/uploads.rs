//! Attachments (tệp đính kèm): uploads to a draft, or to a dossier while its
//! applicant supplements it; and serving them only to those entitled.

use egov_domain::attachment::{check_upload, safe_file_name, MediaType};
use egov_domain::dossier::{DossierStatus, IllegalTransition, Transition};
use egov_domain::identity::{authorize, Action, Actor};
use egov_domain::service::{FieldKind, ServiceDefinition};
use egov_domain::InvalidField;
use jiff::Timestamp;

use super::access::{denied, person};
use super::{Dossiers, Upload, UploadTarget};
use crate::identity::new_id;
use crate::ports::blobs::ScanVerdict;
use crate::ports::{Attachment, AttachmentOwner};
use crate::AppError;

impl Dossiers {
    /// Stores an uploaded file after checking size, type (from content) and
    /// the virus scanner. The document key must name a file field of the
    /// form; a draft takes at most the field's number of files.
    pub async fn upload(
        &self,
        actor: &Actor,
        target: UploadTarget,
        upload: Upload,
        now: Timestamp,
    ) -> Result<Attachment, AppError> {
        let uploader = person(actor)?.clone();
        let (owner, service) = match target {
            UploadTarget::Draft(id) => {
                let draft = self.own_draft(actor, &id).await?;
                let (_, service) = self.service(draft.procedure_code.as_str()).await?;
                (AttachmentOwner::Draft(draft.id), service)
            }
            UploadTarget::Dossier(code) => {
                let dossier = self.load_dossier(&code.to_string()).await?;
                authorize(
                    actor,
                    &Action::ActAsApplicant {
                        applicant: &dossier.applicant,
                    },
                )?;
                if dossier.status != DossierStatus::SupplementRequested {
                    return Err(IllegalTransition {
                        from: dossier.status,
                        transition: Transition::Supplement,
                    }
                    .into());
                }
                let service = self.service_of(&dossier).await?;
                (AttachmentOwner::Dossier(dossier.code), service)
            }
        };
        let accept = accepted_types(&service, &upload.document_key)?;
        let media_type = check_upload(
            &upload.file_name,
            upload.declared_mime.as_deref(),
            &upload.bytes,
            self.config.max_upload_bytes,
        )?;
        if !accept.contains(&media_type) {
            let names: Vec<&str> = accept.iter().map(|t| t.extension()).collect();
            return Err(InvalidField::new(
                "file",
                format!("this document accepts {} files only", names.join(", ")),
            )
            .into());
        }
        if let AttachmentOwner::Draft(_) = &owner {
            let max = max_files(&service, &upload.document_key);
            let present = self
                .store
                .attachments(&owner)
                .await?
                .iter()
                .filter(|a| a.document_key == upload.document_key)
                .count();
            if present >= max {
                return Err(InvalidField::new(
                    "document_key",
                    format!("this document takes at most {max} file(s); remove one first"),
                )
                .into());
            }
        }
        if let ScanVerdict::Infected { signature } = self.scanner.scan(&upload.bytes).await? {
            tracing::warn!(%signature, "an uploaded file was refused by the virus scanner");
            return Err(
                InvalidField::new("file", "the file was refused by the virus scanner").into(),
            );
        }
        let hash = self.blobs.put(&upload.bytes).await?;
        let attachment = Attachment {
            id: new_id(),
            owner,
            document_key: upload.document_key,
            file_name: safe_file_name(&upload.file_name),
            media_type,
            size: upload.bytes.len() as u64,
            hash,
            uploaded_by: uploader,
            uploaded_at: now,
        };
        self.store.add_attachment(&attachment).await?;
        Ok(attachment)
    }

    /// Removes an attachment from a draft. A submitted dossier's files are kept.
    pub async fn remove_attachment(
        &self,
        actor: &Actor,
        attachment_id: &str,
    ) -> Result<(), AppError> {
        let attachment = self.load_attachment(attachment_id).await?;
        match &attachment.owner {
            AttachmentOwner::Draft(draft_id) => {
                self.own_draft(actor, draft_id).await?;
                self.store.delete_attachment(&attachment.id).await?;
                Ok(())
            }
            AttachmentOwner::Dossier(_) => Err(denied("the files of a submitted dossier are kept")),
        }
    }

    /// An attachment's bytes, for the applicant or an entitled official
    /// (a draft's, for its applicant only).
    pub async fn attachment_file(
        &self,
        actor: &Actor,
        attachment_id: &str,
    ) -> Result<(Attachment, Vec<u8>), AppError> {
        let attachment = self.load_attachment(attachment_id).await?;
        match &attachment.owner {
            AttachmentOwner::Draft(draft_id) => {
                self.own_draft(actor, draft_id).await?;
            }
            AttachmentOwner::Dossier(code) => {
                let dossier = self.load_dossier(&code.to_string()).await?;
                self.authorize_read(actor, &dossier).await?;
            }
        }
        let bytes =
            self.blobs.get(&attachment.hash).await?.ok_or_else(|| {
                AppError::Storage(format!("the file {} is missing", attachment.hash))
            })?;
        Ok((attachment, bytes))
    }
}

/// The types the file field `key` accepts; `Invalid` if it is not a file field.
fn accepted_types(service: &ServiceDefinition, key: &str) -> Result<Vec<MediaType>, AppError> {
    match service.form.field(key).map(|f| &f.kind) {
        Some(FieldKind::File { accept, .. }) => Ok(accept.clone()),
        _ => Err(InvalidField::new(
            "document_key",
            format!("`{key}` is not a document of this form"),
        )
        .into()),
    }
}

fn max_files(service: &ServiceDefinition, key: &str) -> usize {
    match service.form.field(key).map(|f| &f.kind) {
        Some(FieldKind::File { max_files, .. }) => *max_files as usize,
        _ => 0,
    }
}
