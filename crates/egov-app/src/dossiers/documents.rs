//! The documents a dossier gets: the slips of the one-stop process as PDF
//! (receipt and appointment, supplement request, refusal, apology and new
//! appointment, the process control slip), the result signed with the
//! handling agency's key (a detached CMS signature stored beside it), and
//! the public check of such a signature.
//!
//! Every slip carries a QR code of the public lookup address
//! `{public_base_url}/tra-cuu/{code}`; its texts come from `slips.vi.toml`.
//! The platform's certificate authority is created on first use, each
//! agency's signer likewise; the store keeps the first one written when two
//! instances race, and both are cached here.

use std::collections::HashMap;
use std::sync::Arc;

use egov_documents::{
    render_pdf, verify_detached, AgencySigner, CertificateAuthority, Slip, SlipTable,
};
use egov_domain::attachment::ContentHash;
use egov_domain::dossier::{Dossier, DossierCode};
use egov_domain::identity::Actor;
use egov_domain::service::{FieldKind, FieldSpec, ServiceDefinition};
use egov_domain::Era;
use jiff::Timestamp;
use serde_json::Value;

use super::messages::{fill, messages, Messages};
use super::read::timeline_of;
use super::{Dossiers, SignatureCheck};
use crate::identity::new_id;
use crate::ports::{AttachmentOwner, DocumentKind, IssuedDocument, StoredCertificate};
use crate::AppError;

/// The common name of the platform's root certificate.
const ROOT_NAME: &str = "egov Root CA";
const PDF: &str = "application/pdf";
const SIGNATURE: &str = "application/pkcs7-signature";

/// A document a command issues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Issue {
    Receipt,
    SupplementRequest,
    Refusal,
    /// Processing stopped (a refusal on the merits).
    Stop,
    Apology {
        previous_due: Option<Timestamp>,
    },
    /// The result, signed by `agency`.
    Result {
        agency: String,
    },
}

fn signing_error(e: egov_documents::SigningError) -> AppError {
    AppError::Storage(format!("signing failed: {e}"))
}

/// Renders a slip on a blocking thread (laying out a PDF is CPU work).
async fn render(slip: Slip) -> Result<Vec<u8>, AppError> {
    tokio::task::spawn_blocking(move || render_pdf(&slip))
        .await
        .map_err(|e| AppError::Storage(format!("rendering failed: {e}")))?
        .map_err(|e| AppError::Storage(format!("the document could not be made: {e}")))
}

impl Dossiers {
    /// The public lookup address of a dossier (printed as a QR code).
    pub(super) fn lookup_url(&self, code: &DossierCode) -> String {
        format!(
            "{}/tra-cuu/{code}",
            self.config.public_base_url.trim_end_matches('/')
        )
    }

    /// Renders, stores and describes the documents of a command; `dossier`
    /// is the state after it, `note` the reason or decision typed.
    pub(super) async fn issue(
        &self,
        issue: Issue,
        dossier: &Dossier,
        service: &ServiceDefinition,
        note: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<IssuedDocument>, AppError> {
        let m = messages()?;
        let (kind, key) = match &issue {
            Issue::Receipt => (DocumentKind::Receipt, "receipt"),
            Issue::SupplementRequest => (DocumentKind::SupplementRequest, "supplement-request"),
            Issue::Refusal => (DocumentKind::Refusal, "refusal"),
            Issue::Stop => (DocumentKind::Refusal, "stop"),
            Issue::Apology { .. } => (DocumentKind::Apology, "apology"),
            Issue::Result { .. } => (DocumentKind::Result, "result"),
        };
        let agency = match &issue {
            Issue::Result { agency } => agency.clone(),
            Issue::Receipt | Issue::Refusal => dossier.receiving_agency.clone(),
            _ => dossier.handling_agency.clone(),
        };
        let agency_name = self.agency_name(&agency).await?;
        let mut slip = self.base_slip(m, key, dossier, &agency_name, now)?;
        let labels = &m.labels;
        match &issue {
            Issue::Receipt => {
                slip.fields
                    .push((labels.received_at.clone(), opt_time(m, dossier.received_at)));
                slip.fields
                    .push((labels.due_at.clone(), opt_time(m, dossier.due_at)));
                slip.table = Some(self.documents_table(m, dossier, service).await?);
            }
            Issue::SupplementRequest | Issue::Refusal | Issue::Stop => {
                slip.fields
                    .push((labels.reason.clone(), note.unwrap_or_default().to_owned()));
            }
            Issue::Apology { previous_due } => {
                slip.fields
                    .push((labels.old_due_at.clone(), opt_time(m, *previous_due)));
                slip.fields.push((
                    labels.new_due_at.clone(),
                    opt_time(m, dossier.rescheduled_due_at),
                ));
                slip.fields
                    .push((labels.reason.clone(), note.unwrap_or_default().to_owned()));
            }
            Issue::Result { .. } => {
                slip.title = service.result.title.vi.to_uppercase();
                let units = self.unit_names(service, &dossier.form).await?;
                slip.fields
                    .extend(form_rows(m, service, &dossier.form, &units));
                if let Some(note) = note {
                    slip.fields.push((labels.decision.clone(), note.to_owned()));
                }
                slip.footer.push(agency_name.clone());
                slip.footer.push(m.common.signed.clone());
            }
        }
        let pdf = render(slip).await?;
        let code = dossier.code.to_string();
        let mut issued = Vec::new();
        if let Issue::Result { agency } = &issue {
            let signer = self.signer(agency, &agency_name, now).await?;
            let signature = signer.sign_detached(&pdf, now).map_err(signing_error)?;
            issued.push(
                self.store_document(dossier, kind, format!("ket-qua-{code}.pdf"), PDF, &pdf, now)
                    .await?,
            );
            issued.push(
                self.store_document(
                    dossier,
                    DocumentKind::ResultSignature,
                    format!("ket-qua-{code}.p7s"),
                    SIGNATURE,
                    &signature,
                    now,
                )
                .await?,
            );
        } else {
            let name = format!("{}-{code}.pdf", key);
            issued.push(
                self.store_document(dossier, kind, name, PDF, &pdf, now)
                    .await?,
            );
        }
        Ok(issued)
    }

    /// The title, header, reference, the applicant and procedure, the fixed
    /// paragraphs and footer of a slip, and its QR code.
    fn base_slip(
        &self,
        m: &Messages,
        key: &str,
        dossier: &Dossier,
        agency_name: &str,
        now: Timestamp,
    ) -> Result<Slip, AppError> {
        let text = m.slip(key)?;
        let code = dossier.code.to_string();
        let url = self.lookup_url(&dossier.code);
        let labels = &m.labels;
        let mut paragraphs = text.paragraphs.clone();
        paragraphs.push(fill(&m.common.lookup, &[("url", &url)]));
        Ok(Slip {
            title: text.title.clone(),
            subtitle: Some(agency_name.to_owned()),
            header_lines: m.common.motto.clone(),
            reference: fill(&m.common.reference, &[("code", &code)]),
            fields: vec![
                (labels.applicant.clone(), dossier.applicant_name.clone()),
                (labels.procedure.clone(), dossier.procedure_name.clone()),
                (
                    labels.submitted_at.clone(),
                    m.date_time(dossier.submitted_at),
                ),
            ],
            table: None,
            paragraphs,
            footer: text.footer.clone(),
            issued_at: m.issued_at(now),
            qr: Some(url),
        })
    }

    /// The documents received, for the receipt.
    async fn documents_table(
        &self,
        m: &Messages,
        dossier: &Dossier,
        service: &ServiceDefinition,
    ) -> Result<SlipTable, AppError> {
        let attachments = self
            .store
            .attachments(&AttachmentOwner::Dossier(dossier.code.clone()))
            .await?;
        let rows = attachments
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let label = service
                    .form
                    .field(&a.document_key)
                    .map_or_else(|| a.document_key.clone(), |f| f.label.vi.clone());
                vec![(i + 1).to_string(), label, a.file_name.clone()]
            })
            .collect();
        Ok(SlipTable {
            headers: m.labels.documents_header.clone(),
            rows,
        })
    }

    /// The process control slip: every step so far, in order.
    async fn control_slip(&self, dossier: &Dossier, now: Timestamp) -> Result<Vec<u8>, AppError> {
        let m = messages()?;
        let agency_name = self.agency_name(&dossier.receiving_agency).await?;
        let mut slip = self.base_slip(m, "control-slip", dossier, &agency_name, now)?;
        let labels = &m.labels;
        let handling = self.agency_name(&dossier.handling_agency).await?;
        slip.fields
            .push((labels.receiving_agency.clone(), agency_name.clone()));
        slip.fields.push((labels.handling_agency.clone(), handling));
        slip.fields
            .push((labels.received_at.clone(), opt_time(m, dossier.received_at)));
        slip.fields.push((
            labels.due_at.clone(),
            opt_time(m, dossier.rescheduled_due_at.or(dossier.due_at)),
        ));
        slip.fields
            .push((labels.status.clone(), m.status(dossier.status).to_owned()));
        let events = self.store.events(&dossier.code).await?;
        let rows = timeline_of(dossier, &events)
            .into_iter()
            .enumerate()
            .map(|(i, entry)| {
                vec![
                    (i + 1).to_string(),
                    m.date_time(entry.at),
                    m.action(&entry.action).to_owned(),
                    entry
                        .actor_role
                        .as_deref()
                        .map_or_else(String::new, |r| m.role(r).to_owned()),
                    entry
                        .to
                        .map_or_else(String::new, |s| m.status(s).to_owned()),
                    entry.note.unwrap_or_default(),
                ]
            })
            .collect();
        slip.table = Some(SlipTable {
            headers: labels.steps_header.clone(),
            rows,
        });
        render(slip).await
    }

    async fn store_document(
        &self,
        dossier: &Dossier,
        kind: DocumentKind,
        file_name: String,
        content_type: &str,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<IssuedDocument, AppError> {
        let hash = self.blobs.put(bytes).await?;
        Ok(IssuedDocument {
            id: new_id(),
            dossier: dossier.code.clone(),
            kind,
            file_name,
            content_type: content_type.to_owned(),
            hash,
            issued_at: now,
        })
    }

    /// The names of the administrative units the form names, by code.
    async fn unit_names(
        &self,
        service: &ServiceDefinition,
        form: &Value,
    ) -> Result<HashMap<String, String>, AppError> {
        let mut codes = Vec::new();
        for field in &service.form.fields {
            match &field.kind {
                FieldKind::AdminUnit => codes.extend(form.get(&field.key).and_then(Value::as_str)),
                FieldKind::Table { columns, .. } => {
                    let rows = form.get(&field.key).and_then(Value::as_array);
                    for row in rows.into_iter().flatten() {
                        for column in columns {
                            if matches!(column.kind, FieldKind::AdminUnit) {
                                codes.extend(row.get(&column.key).and_then(Value::as_str));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let mut names = HashMap::new();
        for code in codes {
            if names.contains_key(code) {
                continue;
            }
            if let Some(unit) = self.catalogue.admin_unit(Era::Current, code).await? {
                names.insert(code.to_owned(), unit.full_name);
            }
        }
        Ok(names)
    }

    async fn agency_name(&self, code: &str) -> Result<String, AppError> {
        Ok(self
            .catalogue
            .agency(code)
            .await?
            .map_or_else(|| code.to_owned(), |a| a.name))
    }

    /// The platform's certificate authority: cached, else stored, else made
    /// now (the store keeps the first one written).
    async fn authority(&self, now: Timestamp) -> Result<Arc<CertificateAuthority>, AppError> {
        let mut cached = self.authority.lock().await;
        if let Some(ca) = cached.as_ref() {
            return Ok(Arc::clone(ca));
        }
        let stored = match self.store.certificate_authority().await? {
            Some(stored) => stored,
            None => {
                let ca = CertificateAuthority::generate(ROOT_NAME, now).map_err(signing_error)?;
                let parts = ca.to_pem_parts().map_err(signing_error)?;
                let candidate = StoredCertificate {
                    private_key_pem: parts.private_key_pem.as_str().to_owned(),
                    certificate_pem: parts.certificate_pem.clone(),
                    created_at: now,
                };
                self.store.init_certificate_authority(&candidate).await?
            }
        };
        let ca = Arc::new(
            CertificateAuthority::from_pem_parts(&stored.private_key_pem, &stored.certificate_pem)
                .map_err(signing_error)?,
        );
        *cached = Some(Arc::clone(&ca));
        Ok(ca)
    }

    /// The agency's signer: cached, else stored, else issued now.
    async fn signer(
        &self,
        agency: &str,
        agency_name: &str,
        now: Timestamp,
    ) -> Result<Arc<AgencySigner>, AppError> {
        if let Some(signer) = self.signers.lock().await.get(agency) {
            return Ok(Arc::clone(signer));
        }
        let stored = match self.store.agency_certificate(agency).await? {
            Some(stored) => stored,
            None => {
                let ca = self.authority(now).await?;
                let signer = ca
                    .issue_agency(agency, agency_name, now)
                    .map_err(signing_error)?;
                let parts = signer.to_pem_parts().map_err(signing_error)?;
                let candidate = StoredCertificate {
                    private_key_pem: parts.private_key_pem.as_str().to_owned(),
                    certificate_pem: parts.certificate_pem.clone(),
                    created_at: now,
                };
                self.store
                    .init_agency_certificate(agency, &candidate)
                    .await?
            }
        };
        let signer = Arc::new(
            AgencySigner::from_pem_parts(&stored.private_key_pem, &stored.certificate_pem)
                .map_err(signing_error)?,
        );
        self.signers
            .lock()
            .await
            .insert(agency.to_owned(), Arc::clone(&signer));
        Ok(signer)
    }

    /// An issued document's bytes, for the applicant or an entitled official.
    pub async fn document_file(
        &self,
        actor: &Actor,
        document_id: &str,
    ) -> Result<(IssuedDocument, Vec<u8>), AppError> {
        let document = self
            .store
            .document(document_id)
            .await?
            .ok_or_else(|| AppError::not_found("document", document_id))?;
        let dossier = self.load_dossier(&document.dossier.to_string()).await?;
        self.authorize_read(actor, &dossier).await?;
        let bytes =
            self.blobs.get(&document.hash).await?.ok_or_else(|| {
                AppError::Storage(format!("the file {} is missing", document.hash))
            })?;
        Ok((document, bytes))
    }

    /// A printable slip: the process control slip is made on demand; the
    /// other kinds are the latest issued of that kind.
    pub async fn slip(
        &self,
        actor: &Actor,
        code: &str,
        kind: DocumentKind,
        now: Timestamp,
    ) -> Result<Vec<u8>, AppError> {
        let dossier = self.load_dossier(code).await?;
        self.authorize_read(actor, &dossier).await?;
        if kind == DocumentKind::ControlSlip {
            return self.control_slip(&dossier, now).await;
        }
        let latest = self
            .store
            .documents(&dossier.code)
            .await?
            .into_iter()
            .filter(|d| d.kind == kind)
            .max_by_key(|d| d.issued_at)
            .ok_or_else(|| AppError::not_found("document", kind.as_str()))?;
        self.blobs
            .get(&latest.hash)
            .await?
            .ok_or_else(|| AppError::Storage(format!("the file {} is missing", latest.hash)))
    }

    /// Checks a result document against its detached signature.
    pub async fn verify_signature(
        &self,
        document: &[u8],
        signature: &[u8],
    ) -> Result<SignatureCheck, AppError> {
        let refused = |problem: String| SignatureCheck {
            valid: false,
            signer: None,
            agency_code: None,
            signed_at: None,
            dossier_code: None,
            problem: Some(problem),
        };
        let Some(root) = self.store.certificate_authority().await? else {
            return Ok(refused(
                "nothing has been signed on this platform yet".to_owned(),
            ));
        };
        match verify_detached(document, signature, &root.certificate_pem) {
            Ok(verified) => {
                let issued = self
                    .store
                    .document_by_hash(&ContentHash::of(document))
                    .await?
                    .filter(|d| d.kind == DocumentKind::Result);
                Ok(SignatureCheck {
                    valid: true,
                    signer: Some(verified.signer_common_name),
                    agency_code: verified.agency_code,
                    signed_at: Some(verified.signing_time),
                    dossier_code: issued.map(|d| d.dossier.to_string()),
                    problem: None,
                })
            }
            Err(e) => Ok(refused(e.to_string())),
        }
    }

    /// The platform's root certificate (PEM) that signatures chain to.
    pub async fn root_certificate_pem(&self) -> Result<String, AppError> {
        self.authority(Timestamp::now())
            .await?
            .certificate_pem()
            .map_err(signing_error)
    }
}

fn opt_time(m: &Messages, at: Option<Timestamp>) -> String {
    at.map_or_else(|| m.common.none.clone(), |t| m.date_time(t))
}

/// The form's values as label/value rows, in the form's order (files left out).
fn form_rows(
    m: &Messages,
    service: &ServiceDefinition,
    form: &Value,
    units: &HashMap<String, String>,
) -> Vec<(String, String)> {
    service
        .form
        .fields
        .iter()
        .filter(|f| !matches!(f.kind, FieldKind::File { .. }))
        .filter_map(|f| {
            let value = form.get(&f.key)?;
            Some((format!("{}:", f.label.vi), display(m, f, value, units)))
        })
        .collect()
}

/// A value as printed: the option's label, a date as dd/mm/yyyy, the name
/// of an administrative unit, a table's rows one after another.
fn display(
    m: &Messages,
    field: &FieldSpec,
    value: &Value,
    units: &HashMap<String, String>,
) -> String {
    match (&field.kind, value) {
        (FieldKind::AdminUnit, Value::String(code)) => units
            .get(code)
            .map_or_else(|| code.clone(), |name| format!("{name} ({code})")),
        (FieldKind::Choice { options }, Value::String(s)) => options
            .iter()
            .find(|o| &o.value == s)
            .map_or_else(|| s.clone(), |o| o.label.vi.clone()),
        (FieldKind::Date { .. }, Value::String(s)) => match s.parse::<jiff::civil::Date>() {
            Ok(d) => format!("{:02}/{:02}/{}", d.day(), d.month(), d.year()),
            Err(_) => s.clone(),
        },
        (FieldKind::Table { columns, .. }, Value::Array(rows)) => {
            if rows.is_empty() {
                return fill(&m.common.rows, &[("n", "0")]);
            }
            rows.iter()
                .map(|row| {
                    columns
                        .iter()
                        .filter_map(|c| {
                            let cell = row.get(&c.key)?;
                            Some(format!("{}: {}", c.label.vi, display(m, c, cell, units)))
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect::<Vec<_>>()
                .join("; ")
        }
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_values_print_as_people_read_them() {
        let m = messages().unwrap();
        let service: ServiceDefinition = serde_json::from_value(json!({
            "procedure_code": "1.0",
            "name": {"vi": "Thủ tục", "en": "Procedure"},
            "agencies": ["A.1"],
            "applicants": ["citizen"],
            "deadline": {"amount": 1, "unit": "working-days"},
            "form": {"fields": [
                {"key": "sex", "label": {"vi": "Giới tính", "en": "Sex"}, "type": "choice",
                 "options": [{"value": "nu", "label": {"vi": "Nữ", "en": "Female"}}]},
                {"key": "born", "label": {"vi": "Ngày sinh", "en": "Born"}, "type": "date"},
                {"key": "place", "label": {"vi": "Nơi sinh", "en": "Place"}, "type": "admin-unit"},
                {"key": "kids", "label": {"vi": "Con", "en": "Children"}, "type": "table", "max_rows": 3,
                 "columns": [{"key": "name", "label": {"vi": "Tên", "en": "Name"}, "type": "text"}]},
                {"key": "paper", "label": {"vi": "Giấy tờ", "en": "Paper"}, "type": "file", "accept": ["pdf"]},
                {"key": "missing", "label": {"vi": "Trống", "en": "Empty"}, "type": "text"}
            ]},
            "workflow": [
                {"key": "intake", "name": {"vi": "Tiếp nhận", "en": "Intake"}, "role": "receiving-officer"},
                {"key": "approve", "name": {"vi": "Duyệt", "en": "Approve"}, "role": "leader"},
                {"key": "return", "name": {"vi": "Trả", "en": "Return"}, "role": "receiving-officer"}
            ],
            "result": {"title": {"vi": "Kết quả", "en": "Result"}}
        }))
        .unwrap();
        let form = json!({
            "sex": "nu", "born": "2026-11-20", "place": "01",
            "kids": [{"name": "An"}, {"name": "Bình"}]
        });
        let units = HashMap::from([("01".to_owned(), "Thành phố Hà Nội".to_owned())]);
        assert_eq!(
            form_rows(m, &service, &form, &units),
            vec![
                ("Giới tính:".to_owned(), "Nữ".to_owned()),
                ("Ngày sinh:".to_owned(), "20/11/2026".to_owned()),
                ("Nơi sinh:".to_owned(), "Thành phố Hà Nội (01)".to_owned()),
                ("Con:".to_owned(), "Tên: An; Tên: Bình".to_owned()),
            ]
        );
    }
}
