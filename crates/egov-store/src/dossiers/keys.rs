//! Signing keys: the platform's certificate authority (one) and each
//! agency's signer. `init_*` stores the given one unless one is there
//! already, then returns the one stored — whoever wins a race, every caller
//! gets the same.

use egov_ports::StoredCertificate;
use sqlx::any::AnyRow;

use crate::error::backend_error;
use crate::identity::codec::{get_ts, ts};
use crate::sql::{fetch_row, text};
use crate::{SqlStore, StoreError};

const COLUMNS: &str = "private_key_pem, certificate_pem, created_at";

fn decode(row: &AnyRow) -> Result<StoredCertificate, StoreError> {
    Ok(StoredCertificate {
        private_key_pem: text(row, "private_key_pem")?,
        certificate_pem: text(row, "certificate_pem")?,
        created_at: get_ts(row, "created_at")?,
    })
}

pub(super) async fn authority(store: &SqlStore) -> Result<Option<StoredCertificate>, StoreError> {
    let query = format!("SELECT {COLUMNS} FROM certificate_authority WHERE id = 1");
    fetch_row(store, &query, &[], decode).await
}

pub(super) async fn init_authority(
    store: &SqlStore,
    ca: &StoredCertificate,
) -> Result<StoredCertificate, StoreError> {
    // ON CONFLICT DO NOTHING: a concurrent insert waits for the other to
    // commit (PostgreSQL) or for the write lock (SQLite), then does nothing.
    let statement = format!(
        "INSERT INTO certificate_authority (id, {COLUMNS}) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO NOTHING"
    );
    sqlx::query(&statement)
        .bind(ca.private_key_pem.as_str())
        .bind(ca.certificate_pem.as_str())
        .bind(ts(ca.created_at))
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    authority(store)
        .await?
        .ok_or_else(|| StoreError::Backend("the certificate authority was not stored".into()))
}

pub(super) async fn agency(
    store: &SqlStore,
    agency: &str,
) -> Result<Option<StoredCertificate>, StoreError> {
    let query = format!("SELECT {COLUMNS} FROM agency_certificates WHERE agency_code = $1");
    fetch_row(store, &query, &[agency], decode).await
}

pub(super) async fn init_agency(
    store: &SqlStore,
    agency_code: &str,
    signer: &StoredCertificate,
) -> Result<StoredCertificate, StoreError> {
    let statement = format!(
        "INSERT INTO agency_certificates (agency_code, {COLUMNS}) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (agency_code) DO NOTHING"
    );
    sqlx::query(&statement)
        .bind(agency_code)
        .bind(signer.private_key_pem.as_str())
        .bind(signer.certificate_pem.as_str())
        .bind(ts(signer.created_at))
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    agency(store, agency_code).await?.ok_or_else(|| {
        StoreError::Backend(format!(
            "the signer of agency `{agency_code}` was not stored"
        ))
    })
}
