//! The OpenID Connect provider's registry: clients, consents, signing keys,
//! and identities at external providers linked to accounts.

use egov_domain::identity::AccountId;
use egov_ports::{ClientKind, Consent, OidcClient, SigningKey};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use super::codec::{get_list, get_ts, insert_error, json_list, ts, Named};
use crate::error::backend_error;
use crate::sql::{opt_text, text};
use crate::{SqlStore, StoreError};

const CLIENT_COLUMNS: &str = "client_id, name, kind, secret_hash, redirect_uris, \
     post_logout_redirect_uris, allowed_scopes, grant_types, created_at";

const KEY_COLUMNS: &str =
    "kid, alg, private_pem, public_jwk, created_at, activates_at, retires_at, expires_at";

fn decode_client(row: &AnyRow) -> Result<OidcClient, StoreError> {
    Ok(OidcClient {
        client_id: text(row, "client_id")?,
        name: text(row, "name")?,
        kind: ClientKind::get(row, "kind")?,
        secret_hash: opt_text(row, "secret_hash")?,
        redirect_uris: get_list(row, "redirect_uris")?,
        post_logout_redirect_uris: get_list(row, "post_logout_redirect_uris")?,
        allowed_scopes: get_list(row, "allowed_scopes")?,
        grant_types: get_list(row, "grant_types")?,
        created_at: get_ts(row, "created_at")?,
    })
}

fn decode_key(row: &AnyRow) -> Result<SigningKey, StoreError> {
    Ok(SigningKey {
        kid: text(row, "kid")?,
        alg: text(row, "alg")?,
        private_pem: text(row, "private_pem")?,
        public_jwk: text(row, "public_jwk")?,
        created_at: get_ts(row, "created_at")?,
        activates_at: get_ts(row, "activates_at")?,
        retires_at: get_ts(row, "retires_at")?,
        expires_at: get_ts(row, "expires_at")?,
    })
}

pub(crate) async fn put_client(store: &SqlStore, c: &OidcClient) -> Result<(), StoreError> {
    // ON CONFLICT … DO UPDATE is spelled the same in SQLite and PostgreSQL.
    let statement = format!(
        "INSERT INTO oidc_clients ({CLIENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (client_id) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
         secret_hash = excluded.secret_hash, redirect_uris = excluded.redirect_uris, \
         post_logout_redirect_uris = excluded.post_logout_redirect_uris, \
         allowed_scopes = excluded.allowed_scopes, grant_types = excluded.grant_types, \
         created_at = excluded.created_at"
    );
    sqlx::query(&statement)
        .bind(c.client_id.as_str())
        .bind(c.name.as_str())
        .bind(c.kind.name())
        .bind(c.secret_hash.as_deref())
        .bind(json_list(&c.redirect_uris))
        .bind(json_list(&c.post_logout_redirect_uris))
        .bind(json_list(&c.allowed_scopes))
        .bind(json_list(&c.grant_types))
        .bind(ts(c.created_at))
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(())
}

pub(crate) async fn client(
    store: &SqlStore,
    client_id: &str,
) -> Result<Option<OidcClient>, StoreError> {
    let query = format!("SELECT {CLIENT_COLUMNS} FROM oidc_clients WHERE client_id = $1");
    sqlx::query(&query)
        .bind(client_id)
        .fetch_optional(&store.pool)
        .await
        .map_err(backend_error)?
        .as_ref()
        .map(decode_client)
        .transpose()
}

/// Every client, by id.
pub(crate) async fn clients(store: &SqlStore) -> Result<Vec<OidcClient>, StoreError> {
    let query = format!("SELECT {CLIENT_COLUMNS} FROM oidc_clients ORDER BY client_id");
    let rows = sqlx::query(&query)
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    rows.iter().map(decode_client).collect()
}

pub(crate) async fn consent(
    store: &SqlStore,
    id: &AccountId,
    client_id: &str,
) -> Result<Option<Consent>, StoreError> {
    let row = sqlx::query(
        "SELECT account_id, client_id, scopes, granted_at FROM consents \
         WHERE account_id = $1 AND client_id = $2",
    )
    .bind(id.0.as_str())
    .bind(client_id)
    .fetch_optional(&store.pool)
    .await
    .map_err(backend_error)?;
    row.map(|row| {
        Ok(Consent {
            account_id: AccountId(text(&row, "account_id")?),
            client_id: text(&row, "client_id")?,
            scopes: get_list(&row, "scopes")?,
            granted_at: get_ts(&row, "granted_at")?,
        })
    })
    .transpose()
}

/// Inserts or replaces what the account granted the client.
pub(crate) async fn put_consent(store: &SqlStore, c: &Consent) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO consents (account_id, client_id, scopes, granted_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = excluded.scopes, \
         granted_at = excluded.granted_at",
    )
    .bind(c.account_id.0.as_str())
    .bind(c.client_id.as_str())
    .bind(json_list(&c.scopes))
    .bind(ts(c.granted_at))
    .execute(&store.pool)
    .await
    .map_err(|e| insert_error(e, "consent", "account or client", &c.client_id))?;
    Ok(())
}

/// Inserts a key, or replaces the one with the same `kid`.
pub(crate) async fn put_signing_key(store: &SqlStore, k: &SigningKey) -> Result<(), StoreError> {
    let statement = format!(
        "INSERT INTO signing_keys ({KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (kid) DO UPDATE SET alg = excluded.alg, private_pem = excluded.private_pem, \
         public_jwk = excluded.public_jwk, created_at = excluded.created_at, \
         activates_at = excluded.activates_at, retires_at = excluded.retires_at, \
         expires_at = excluded.expires_at"
    );
    sqlx::query(&statement)
        .bind(k.kid.as_str())
        .bind(k.alg.as_str())
        .bind(k.private_pem.as_str())
        .bind(k.public_jwk.as_str())
        .bind(ts(k.created_at))
        .bind(ts(k.activates_at))
        .bind(ts(k.retires_at))
        .bind(ts(k.expires_at))
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(())
}

/// Keys not yet expired at `now`, the latest to activate first.
pub(crate) async fn signing_keys(
    store: &SqlStore,
    now: Timestamp,
) -> Result<Vec<SigningKey>, StoreError> {
    let query = format!(
        "SELECT {KEY_COLUMNS} FROM signing_keys WHERE expires_at > $1 \
         ORDER BY activates_at DESC, kid"
    );
    let rows = sqlx::query(&query)
        .bind(ts(now))
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    rows.iter().map(decode_key).collect()
}

/// Links `issuer` + `subject` to the account. Linking it again to the same
/// account changes nothing; an identity already linked to another account
/// is a `Conflict` (it is never moved silently).
pub(crate) async fn link_external(
    store: &SqlStore,
    issuer: &str,
    subject: &str,
    id: &AccountId,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "INSERT INTO external_identities (issuer, subject, account_id) VALUES ($1, $2, $3) \
         ON CONFLICT (issuer, subject) DO NOTHING",
    )
    .bind(issuer)
    .bind(subject)
    .bind(id.0.as_str())
    .execute(&store.pool)
    .await
    .map_err(|e| insert_error(e, "external identity", "account", &id.0))?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    match external(store, issuer, subject).await? {
        Some(linked) if linked == *id => Ok(()),
        _ => Err(StoreError::Conflict("external identity".to_owned())),
    }
}

pub(crate) async fn external(
    store: &SqlStore,
    issuer: &str,
    subject: &str,
) -> Result<Option<AccountId>, StoreError> {
    let row = sqlx::query(
        "SELECT account_id FROM external_identities WHERE issuer = $1 AND subject = $2",
    )
    .bind(issuer)
    .bind(subject)
    .fetch_optional(&store.pool)
    .await
    .map_err(backend_error)?;
    row.map(|row| text(&row, "account_id").map(AccountId))
        .transpose()
}
