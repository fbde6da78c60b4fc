//! Errors of the use cases. The web crate maps each variant to an HTTP status
//! once, at the edge; the CLI prints them.

use egov_domain::InvalidField;

use crate::ports::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input broke a rule; names the field.
    #[error(transparent)]
    Invalid(#[from] InvalidField),
    /// An import file could not be read; names the line or record.
    #[error("{location}: {reason}")]
    Import { location: String, reason: String },
    /// The thing asked for does not exist.
    #[error("{entity} `{code}` not found")]
    NotFound { entity: &'static str, code: String },
    /// The request conflicts with what is stored (e.g. an unknown parent).
    #[error("{0}")]
    Conflict(String),
    /// The caller is not signed in, or the credentials are wrong. The message
    /// is the same whatever was wrong (no account enumeration).
    #[error("{0}")]
    Unauthenticated(String),
    /// Signed in, but not allowed (the permission policy said no).
    #[error(transparent)]
    Denied(#[from] egov_domain::identity::Denied),
    /// Too many failed attempts; try again after the given number of seconds.
    #[error("too many attempts; try again in {retry_after_seconds} s")]
    Throttled { retry_after_seconds: u64 },
    /// Submitted form values broke the form's rules: every invalid field.
    #[error(transparent)]
    Form(#[from] egov_domain::service::FormErrors),
    /// The dossier's status does not allow this (nothing changed).
    #[error(transparent)]
    Transition(#[from] egov_domain::dossier::IllegalTransition),
    /// An uploaded file was refused (size, type, content).
    #[error(transparent)]
    Attachment(#[from] egov_domain::attachment::AttachmentRejected),
    #[error("search failed: {0}")]
    Search(String),
    #[error("storage failed: {0}")]
    Storage(String),
}

impl AppError {
    pub fn not_found(entity: &'static str, code: impl Into<String>) -> Self {
        AppError::NotFound {
            entity,
            code: code.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            e @ StoreError::MissingReference { .. } => AppError::Conflict(e.to_string()),
            StoreError::Conflict(what) => AppError::Conflict(format!("{what} already exists")),
            StoreError::Backend(detail) => AppError::Storage(detail),
        }
    }
}

impl From<crate::ports::blobs::BlobError> for AppError {
    /// Blob storage and virus-scanner faults are never the caller's doing.
    fn from(e: crate::ports::blobs::BlobError) -> Self {
        AppError::Storage(e.to_string())
    }
}

impl From<egov_search::SearchError> for AppError {
    fn from(e: egov_search::SearchError) -> Self {
        AppError::Search(e.to_string())
    }
}
