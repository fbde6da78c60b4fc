//! Single-use secrets of the OpenID Connect provider: authorization codes
//! and refresh tokens.
//!
//! Redeeming is one conditional `UPDATE … SET used_at = $t WHERE … AND
//! used_at IS NULL RETURNING …`. Both databases run it atomically per row:
//! of concurrent redemptions exactly one sees the row still unused and gets
//! it back (`Fresh`); the others update nothing and then read the row as it
//! is (`Replayed`), or find none (`Missing`).

use egov_domain::identity::AccountId;
use egov_ports::{AuthorizationCode, Redeemed, RefreshToken};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use super::codec::{get_list, get_opt_ts, get_ts, insert_error, json_list, opt_ts, ts};
use crate::error::backend_error;
use crate::sql::{opt_text, text};
use crate::{SqlStore, StoreError};

const CODE_COLUMNS: &str = "code_hash, client_id, account_id, redirect_uri, scopes, nonce, \
     code_challenge, code_challenge_method, auth_time, created_at, expires_at";

const TOKEN_COLUMNS: &str = "token_hash, family_id, client_id, account_id, scopes, auth_time, \
     created_at, expires_at, revoked_at";

fn decode_code(row: &AnyRow) -> Result<AuthorizationCode, StoreError> {
    Ok(AuthorizationCode {
        code_hash: text(row, "code_hash")?,
        client_id: text(row, "client_id")?,
        account_id: AccountId(text(row, "account_id")?),
        redirect_uri: text(row, "redirect_uri")?,
        scopes: get_list(row, "scopes")?,
        nonce: opt_text(row, "nonce")?,
        code_challenge: opt_text(row, "code_challenge")?,
        code_challenge_method: opt_text(row, "code_challenge_method")?,
        auth_time: get_ts(row, "auth_time")?,
        created_at: get_ts(row, "created_at")?,
        expires_at: get_ts(row, "expires_at")?,
    })
}

fn decode_token(row: &AnyRow) -> Result<RefreshToken, StoreError> {
    Ok(RefreshToken {
        token_hash: text(row, "token_hash")?,
        family_id: text(row, "family_id")?,
        client_id: text(row, "client_id")?,
        account_id: AccountId(text(row, "account_id")?),
        scopes: get_list(row, "scopes")?,
        auth_time: get_ts(row, "auth_time")?,
        created_at: get_ts(row, "created_at")?,
        expires_at: get_ts(row, "expires_at")?,
        revoked_at: get_opt_ts(row, "revoked_at")?,
    })
}

pub(crate) async fn put_code(store: &SqlStore, c: &AuthorizationCode) -> Result<(), StoreError> {
    let statement = format!(
        "INSERT INTO authorization_codes ({CODE_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    );
    sqlx::query(&statement)
        .bind(c.code_hash.as_str())
        .bind(c.client_id.as_str())
        .bind(c.account_id.0.as_str())
        .bind(c.redirect_uri.as_str())
        .bind(json_list(&c.scopes))
        .bind(c.nonce.as_deref())
        .bind(c.code_challenge.as_deref())
        .bind(c.code_challenge_method.as_deref())
        .bind(ts(c.auth_time))
        .bind(ts(c.created_at))
        .bind(ts(c.expires_at))
        .execute(&store.pool)
        .await
        .map_err(|e| insert_error(e, "authorization code", "account or client", &c.client_id))?;
    Ok(())
}

pub(crate) async fn put_token(store: &SqlStore, t: &RefreshToken) -> Result<(), StoreError> {
    let statement = format!(
        "INSERT INTO refresh_tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    );
    sqlx::query(&statement)
        .bind(t.token_hash.as_str())
        .bind(t.family_id.as_str())
        .bind(t.client_id.as_str())
        .bind(t.account_id.0.as_str())
        .bind(json_list(&t.scopes))
        .bind(ts(t.auth_time))
        .bind(ts(t.created_at))
        .bind(ts(t.expires_at))
        .bind(opt_ts(t.revoked_at))
        .execute(&store.pool)
        .await
        .map_err(|e| insert_error(e, "refresh token", "account or client", &t.client_id))?;
    Ok(())
}

/// A single-use table: its name, key column and columns read back.
struct SingleUse<T> {
    table: &'static str,
    key: &'static str,
    columns: &'static str,
    decode: fn(&AnyRow) -> Result<T, StoreError>,
}

const CODES: SingleUse<AuthorizationCode> = SingleUse {
    table: "authorization_codes",
    key: "code_hash",
    columns: CODE_COLUMNS,
    decode: decode_code,
};

const TOKENS: SingleUse<RefreshToken> = SingleUse {
    table: "refresh_tokens",
    key: "token_hash",
    columns: TOKEN_COLUMNS,
    decode: decode_token,
};

async fn redeem<T>(
    store: &SqlStore,
    kind: &SingleUse<T>,
    key: &str,
    at: Timestamp,
) -> Result<Redeemed<T>, StoreError> {
    let SingleUse {
        table,
        key: key_column,
        columns,
        decode,
    } = kind;
    // fetch_all, not fetch_optional: the statement runs to its end, so
    // SQLite releases its write lock at once.
    let claimed = format!(
        "UPDATE {table} SET used_at = $1 WHERE {key_column} = $2 AND used_at IS NULL \
         RETURNING {columns}"
    );
    let rows = sqlx::query(&claimed)
        .bind(ts(at))
        .bind(key)
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    if let Some(row) = rows.first() {
        return Ok(Redeemed::Fresh(decode(row)?));
    }
    let current = format!("SELECT {columns} FROM {table} WHERE {key_column} = $1");
    let row = sqlx::query(&current)
        .bind(key)
        .fetch_optional(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(match row {
        Some(row) => Redeemed::Replayed(decode(&row)?),
        None => Redeemed::Missing,
    })
}

pub(crate) async fn redeem_code(
    store: &SqlStore,
    code_hash: &str,
    at: Timestamp,
) -> Result<Redeemed<AuthorizationCode>, StoreError> {
    redeem(store, &CODES, code_hash, at).await
}

/// Marks the token used. A revoked token is still returned (as `Fresh` on
/// its first use): the caller refuses it by its `revoked_at`.
pub(crate) async fn redeem_token(
    store: &SqlStore,
    token_hash: &str,
    at: Timestamp,
) -> Result<Redeemed<RefreshToken>, StoreError> {
    redeem(store, &TOKENS, token_hash, at).await
}

/// Runs a revoking `statement` (`$1` the value, `$2` the time); returns how many it revoked.
async fn revoke_where(
    store: &SqlStore,
    statement: &'static str,
    value: &str,
    at: Timestamp,
) -> Result<u64, StoreError> {
    let done = sqlx::query(statement)
        .bind(value)
        .bind(ts(at))
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(done.rows_affected())
}

pub(crate) async fn revoke_family(
    store: &SqlStore,
    family_id: &str,
    at: Timestamp,
) -> Result<u64, StoreError> {
    revoke_where(
        store,
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
        family_id,
        at,
    )
    .await
}

pub(crate) async fn revoke_of(
    store: &SqlStore,
    id: &AccountId,
    at: Timestamp,
) -> Result<u64, StoreError> {
    revoke_where(
        store,
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
        &id.0,
        at,
    )
    .await
}
