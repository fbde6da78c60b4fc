//! Submission (nộp hồ sơ): a draft checked field by field becomes a dossier
//! with a code of the receiving agency, status 1, awaiting intake.
//!
//! With an `Idempotency-Key`, a retry returns the dossier the first attempt
//! created. The fingerprint stored with the key is `{draft id}:{SHA-256 of
//! the agency, the normalised values and the attachments' hashes}`, so the
//! same key with other content is a conflict, and a retry whose draft is
//! already gone (it is deleted on success) is still recognised.

use std::collections::{BTreeSet, HashSet};

use egov_domain::dossier::{Dossier, DossierCode, DossierStatus, Filing};
use egov_domain::identity::{authorize, AccountId, Action, Actor};
use egov_domain::service::{FieldKind, FormContext, ServiceDefinition};
use egov_domain::{Channel, Era, InvalidField};
use jiff::Timestamp;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::access::{local_date, person};
use super::drafts::check_applicant_kind;
use super::Dossiers;
use crate::identity::new_id;
use crate::ports::{
    Attachment, AttachmentOwner, EventDetail, IdempotencyKey, NewEvent, Notification, SideEffects,
    Submission, Submitted,
};
use crate::{AppError, StoreError};

/// Longest accepted idempotency key.
const MAX_KEY_LEN: usize = 255;
/// The most distinct administrative-unit codes looked up for one form.
const MAX_UNIT_LOOKUPS: usize = 200;

impl Dossiers {
    /// Submits a draft: validates every field (AppError::Form lists them),
    /// allocates the code, records the event. Returns the dossier and
    /// whether it was created now (false: an idempotent replay). An invalid
    /// form saves nothing: the draft stays as it was.
    pub async fn submit(
        &self,
        actor: &Actor,
        draft_id: &str,
        idempotency_key: Option<&str>,
        now: Timestamp,
    ) -> Result<(Dossier, bool), AppError> {
        authorize(actor, &Action::ApplyForService)?;
        let applicant = person(actor)?.clone();
        let key = idempotency_key.map(check_key).transpose()?;
        let Some(draft) = self.store.draft(draft_id).await? else {
            return self.replay_without_draft(&applicant, draft_id, key).await;
        };
        authorize(
            actor,
            &Action::ActAsApplicant {
                applicant: &draft.applicant,
            },
        )?;
        let (version, service) = self.service(draft.procedure_code.as_str()).await?;
        let account = self.applicant_account(&applicant).await?;
        check_applicant_kind(&service, account.kind)?;
        if !service.agencies.contains(&draft.agency_code) {
            return Err(InvalidField::new(
                "agency",
                "the chosen agency no longer receives dossiers for this service",
            )
            .into());
        }
        let attachments = self
            .store
            .attachments(&AttachmentOwner::Draft(draft.id.clone()))
            .await?;
        let today = local_date(now);
        let units = self.existing_units(&service, &draft.values).await?;
        let unit_exists = |code: &str| units.contains(code);
        let attached = |key: &str| {
            attachments
                .iter()
                .filter(|a| a.document_key == key)
                .map(|a| a.media_type)
                .collect()
        };
        let values = service.form.validate_values(
            &draft.values,
            &FormContext {
                today,
                unit_exists: &unit_exists,
                attached: &attached,
            },
        )?;
        let code = DossierCode::new(&draft.agency_code, today, 1)?;
        let dossier = Dossier::submitted(Filing {
            code: code.clone(),
            procedure_code: service.procedure_code.clone(),
            service_version: version,
            procedure_name: service.name.vi.clone(),
            applicant: applicant.clone(),
            applicant_kind: account.kind,
            applicant_name: account.full_name.clone(),
            channel: Channel::Online,
            agency: draft.agency_code.clone(),
            awaiting: service.workflow.first().map(|s| s.role),
            form: values.clone(),
            submitted_at: now,
        });
        let idempotency = key.as_ref().map(|key| IdempotencyKey {
            key: key.clone(),
            fingerprint: fingerprint(&draft.id, &draft.agency_code, &values, &attachments),
        });
        let submission = Submission {
            dossier,
            unit: draft.agency_code.clone(),
            date: today,
            draft_id: draft.id.clone(),
            idempotency,
            event: NewEvent {
                at: now,
                actor: Some(applicant.clone()),
                action: "submit".into(),
                detail: EventDetail {
                    from: None,
                    to: Some(DossierStatus::Submitted),
                    agency: Some(draft.agency_code.clone()),
                    ..EventDetail::default()
                },
            },
            // The store names the allocated code in the notification.
            effects: SideEffects {
                notifications: vec![Notification {
                    id: new_id(),
                    account_id: applicant.clone(),
                    dossier: code,
                    status: DossierStatus::Submitted,
                    action: "submit".into(),
                    at: now,
                    read_at: None,
                }],
                ..SideEffects::default()
            },
        };
        let outcome = match self.store.submit(&submission).await {
            Ok(outcome) => outcome,
            Err(StoreError::Conflict(_)) if key.is_some() => return Err(key_reused()),
            Err(e) => return Err(e.into()),
        };
        match outcome {
            Submitted::Created(code) => {
                let dossier = self.load_dossier(&code.to_string()).await?;
                self.enqueue_submitted(&dossier, &account, now).await;
                Ok((dossier, true))
            }
            Submitted::Replayed(code) => {
                let dossier = self.load_dossier(&code.to_string()).await?;
                if dossier.applicant != applicant {
                    return Err(key_reused());
                }
                Ok((dossier, false))
            }
        }
    }

    /// A retry whose draft was deleted by the first, successful attempt.
    async fn replay_without_draft(
        &self,
        applicant: &AccountId,
        draft_id: &str,
        key: Option<String>,
    ) -> Result<(Dossier, bool), AppError> {
        let not_found = || AppError::not_found("draft", draft_id);
        let Some(key) = key else {
            return Err(not_found());
        };
        match self.store.submission_by_key(applicant, &key).await? {
            Some((code, fingerprint)) if fingerprint_draft(&fingerprint) == Some(draft_id) => {
                let dossier = self.load_dossier(&code.to_string()).await?;
                if &dossier.applicant != applicant {
                    return Err(key_reused());
                }
                Ok((dossier, false))
            }
            Some(_) => Err(key_reused()),
            None => Err(not_found()),
        }
    }

    /// The administrative-unit codes typed in the form that exist now.
    async fn existing_units(
        &self,
        service: &ServiceDefinition,
        values: &Value,
    ) -> Result<HashSet<String>, AppError> {
        let mut candidates = BTreeSet::new();
        for field in &service.form.fields {
            match &field.kind {
                FieldKind::AdminUnit => candidates.extend(text(values.get(&field.key))),
                FieldKind::Table { columns, .. } => {
                    let rows = values.get(&field.key).and_then(Value::as_array);
                    for row in rows.into_iter().flatten() {
                        for column in columns {
                            if matches!(column.kind, FieldKind::AdminUnit) {
                                candidates.extend(text(row.get(&column.key)));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let mut existing = HashSet::new();
        for code in candidates.into_iter().take(MAX_UNIT_LOOKUPS) {
            if self
                .catalogue
                .admin_unit(Era::Current, &code)
                .await?
                .is_some()
            {
                existing.insert(code);
            }
        }
        Ok(existing)
    }
}

fn check_key(key: &str) -> Result<String, AppError> {
    let ok =
        !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(key.to_owned())
    } else {
        Err(InvalidField::new(
            "idempotency_key",
            format!("1 to {MAX_KEY_LEN} visible ASCII characters"),
        )
        .into())
    }
}

fn key_reused() -> AppError {
    AppError::Conflict("this Idempotency-Key was used for another submission; use a new key".into())
}

/// A value as the form reads it: trimmed text, or a number as text.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `{draft id}:{hex SHA-256 of the content}`.
fn fingerprint(draft_id: &str, agency: &str, values: &Value, attachments: &[Attachment]) -> String {
    let mut files: Vec<(&str, &str)> = attachments
        .iter()
        .map(|a| (a.document_key.as_str(), a.hash.as_str()))
        .collect();
    files.sort_unstable();
    // serde_json keeps object keys sorted, so equal content gives equal text.
    let content = json!({ "agency": agency, "values": values, "attachments": files });
    let digest = Sha256::digest(content.to_string().as_bytes());
    format!("{draft_id}:{}", hex::encode(digest))
}

/// The draft id a fingerprint was made for.
fn fingerprint_draft(fingerprint: &str) -> Option<&str> {
    fingerprint.split_once(':').map(|(draft, _)| draft)
}

#[cfg(test)]
mod tests {
    use super::*;
    use egov_domain::attachment::{ContentHash, MediaType};

    fn attachment(key: &str, content: &[u8]) -> Attachment {
        Attachment {
            id: "a".into(),
            owner: AttachmentOwner::Draft("d1".into()),
            document_key: key.into(),
            file_name: "x.pdf".into(),
            media_type: MediaType::Pdf,
            size: 1,
            hash: ContentHash::of(content),
            uploaded_by: AccountId("u".into()),
            uploaded_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn fingerprints_follow_the_content_and_name_the_draft() {
        let values = json!({"a": "1", "b": 2});
        let files = [attachment("k", b"one"), attachment("j", b"two")];
        let reordered = [attachment("j", b"two"), attachment("k", b"one")];
        let base = fingerprint("d1", "A.1", &values, &files);
        assert_eq!(base, fingerprint("d1", "A.1", &values, &reordered));
        assert_eq!(fingerprint_draft(&base), Some("d1"));
        assert_ne!(base, fingerprint("d1", "A.2", &values, &files));
        assert_ne!(
            base,
            fingerprint("d1", "A.1", &json!({"a": "2", "b": 2}), &files)
        );
        assert_ne!(base, fingerprint("d1", "A.1", &values, &files[..1]));
        assert_ne!(base, fingerprint("d2", "A.1", &values, &files));
    }

    #[test]
    fn idempotency_keys_are_bounded_visible_ascii() {
        assert!(check_key("6f1c2a9e-1b7d-4c1e-9a51-3c1f0c2a7b11").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key("has space").is_err());
        assert!(check_key(&"k".repeat(256)).is_err());
    }
}
