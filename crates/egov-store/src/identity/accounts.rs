//! Accounts (tài khoản), their credentials and officials' role assignments.

use egov_domain::identity::{
    Account, AccountId, AccountKind, AccountStatus, Email, NationalId, Organisation, Phone, Role,
    RoleAssignment, TaxCode,
};
use egov_domain::text::fold;
use egov_domain::{Page, PageRequest};
use egov_ports::{Credentials, NewAccount};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use super::codec::{
    account_write_error, get_bool, get_opt_date, get_opt_ts, get_ts, opt_ts, ts, Named,
};
use crate::error::{backend_error, corrupt, write_error};
use crate::sql::{
    begin_row_write, fetch_page, opt_text, placeholders, text, AnyQuery, ListQuery, Where,
};
use crate::{Backend, SqlStore, StoreError};

const COLUMNS: &str = "id, kind, status, login, full_name, national_id, date_of_birth, \
     email, email_verified_at, phone, phone_verified_at, org_tax_code, org_name, \
     org_representative_name, org_representative_national_id, \
     CASE WHEN totp_required THEN 1 ELSE 0 END AS totp_required, created_at";

/// The columns [`bind_details`] binds, from `$2` on (`$1` is the id).
const DETAILS: [&str; 15] = [
    "kind",
    "status",
    "full_name",
    "name_folded",
    "national_id",
    "date_of_birth",
    "email",
    "email_verified_at",
    "phone",
    "phone_verified_at",
    "org_tax_code",
    "org_name",
    "org_representative_name",
    "org_representative_national_id",
    "totp_required",
];

/// A typed value read back from a text column.
fn parsed<T, E: std::fmt::Display>(
    row: &AnyRow,
    column: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    opt_text(row, column)?
        .map(|v| parse(&v).map_err(|e| corrupt(column, e)))
        .transpose()
}

fn national_id(value: &str) -> Result<NationalId, egov_domain::InvalidField> {
    NationalId::try_from(value.to_owned())
}

fn decode_organisation(row: &AnyRow) -> Result<Option<Organisation>, StoreError> {
    let Some(tax_code) = parsed(row, "org_tax_code", TaxCode::parse)? else {
        return Ok(None);
    };
    let representative_national_id = parsed(row, "org_representative_national_id", national_id)?
        .ok_or_else(|| corrupt("org_representative_national_id", "missing"))?;
    Ok(Some(Organisation {
        tax_code,
        name: text(row, "org_name")?,
        representative_name: text(row, "org_representative_name")?,
        representative_national_id,
    }))
}

pub(crate) fn decode(row: &AnyRow) -> Result<Account, StoreError> {
    Ok(Account {
        id: AccountId(text(row, "id")?),
        kind: AccountKind::get(row, "kind")?,
        status: AccountStatus::get(row, "status")?,
        login: text(row, "login")?,
        full_name: text(row, "full_name")?,
        national_id: parsed(row, "national_id", national_id)?,
        date_of_birth: get_opt_date(row, "date_of_birth")?,
        email: parsed(row, "email", Email::parse)?,
        email_verified_at: get_opt_ts(row, "email_verified_at")?,
        phone: parsed(row, "phone", Phone::parse)?,
        phone_verified_at: get_opt_ts(row, "phone_verified_at")?,
        organisation: decode_organisation(row)?,
        totp_required: get_bool(row, "totp_required")?,
        created_at: get_ts(row, "created_at")?,
    })
}

/// Binds the details of [`DETAILS`], in order.
fn bind_details<'q>(query: AnyQuery<'q>, a: &'q Account) -> AnyQuery<'q> {
    let org = a.organisation.as_ref();
    query
        .bind(a.kind.name())
        .bind(a.status.name())
        .bind(a.full_name.as_str())
        .bind(fold(&a.full_name))
        .bind(a.national_id.as_ref().map(NationalId::as_str))
        .bind(a.date_of_birth.map(|d| d.to_string()))
        .bind(a.email.as_ref().map(Email::as_str))
        .bind(opt_ts(a.email_verified_at))
        .bind(a.phone.as_ref().map(Phone::as_str))
        .bind(opt_ts(a.phone_verified_at))
        .bind(org.map(|o| o.tax_code.as_str()))
        .bind(org.map(|o| o.name.as_str()))
        .bind(org.map(|o| o.representative_name.as_str()))
        .bind(org.map(|o| o.representative_national_id.as_str()))
        .bind(a.totp_required)
}

pub(crate) async fn create(store: &SqlStore, new: &NewAccount) -> Result<(), StoreError> {
    let a = &new.account;
    let n = DETAILS.len();
    let statement = format!(
        "INSERT INTO accounts (id, {}, login, password_hash, created_at) VALUES ({})",
        DETAILS.join(", "),
        placeholders(1, n + 4)
    );
    bind_details(sqlx::query(&statement).bind(a.id.0.as_str()), a)
        .bind(a.login.as_str())
        .bind(new.password_hash.as_str())
        .bind(ts(a.created_at))
        .execute(&store.pool)
        .await
        .map_err(|e| account_write_error(e, "account id"))?;
    Ok(())
}

pub(crate) async fn get(store: &SqlStore, id: &AccountId) -> Result<Option<Account>, StoreError> {
    let query = format!("SELECT {COLUMNS} FROM accounts WHERE id = $1");
    sqlx::query(&query)
        .bind(id.0.as_str())
        .fetch_optional(&store.pool)
        .await
        .map_err(backend_error)?
        .as_ref()
        .map(decode)
        .transpose()
}

pub(crate) async fn by_login(
    store: &SqlStore,
    login: &str,
) -> Result<Option<(Account, Credentials)>, StoreError> {
    let query =
        format!("SELECT {COLUMNS}, password_hash, totp_secret FROM accounts WHERE login = $1");
    let Some(row) = sqlx::query(&query)
        .bind(login)
        .fetch_optional(&store.pool)
        .await
        .map_err(backend_error)?
    else {
        return Ok(None);
    };
    let credentials = Credentials {
        password_hash: text(&row, "password_hash")?,
        totp_secret: opt_text(&row, "totp_secret")?,
    };
    Ok(Some((decode(&row)?, credentials)))
}

/// Replaces everything but the id, the login, the creation time and the
/// credentials. An unknown id changes nothing.
pub(crate) async fn update(store: &SqlStore, a: &Account) -> Result<(), StoreError> {
    let sets: Vec<String> = DETAILS
        .iter()
        .enumerate()
        .map(|(i, column)| format!("{column} = ${}", i + 2))
        .collect();
    let statement = format!("UPDATE accounts SET {} WHERE id = $1", sets.join(", "));
    bind_details(sqlx::query(&statement).bind(a.id.0.as_str()), a)
        .execute(&store.pool)
        .await
        .map_err(|e| account_write_error(e, "account id"))?;
    Ok(())
}

/// Sets one credential column (`password_hash` or `totp_secret`).
pub(crate) async fn set_credential(
    store: &SqlStore,
    id: &AccountId,
    column: Credential,
    value: Option<&str>,
) -> Result<(), StoreError> {
    let statement = match column {
        Credential::Password => "UPDATE accounts SET password_hash = $2 WHERE id = $1",
        Credential::Totp => "UPDATE accounts SET totp_secret = $2 WHERE id = $1",
    };
    sqlx::query(statement)
        .bind(id.0.as_str())
        .bind(value)
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(())
}

/// Moves the last used TOTP step forward; false when it is not forward
/// (one statement, so concurrent sign-ins with the same code get one `true`).
pub(crate) async fn use_totp_step(
    store: &SqlStore,
    id: &AccountId,
    step: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE accounts SET totp_last_step = $2 \
         WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
    )
    .bind(id.0.as_str())
    .bind(step)
    .execute(&store.pool)
    .await
    .map_err(backend_error)?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Credential {
    Password,
    Totp,
}

pub(crate) async fn officials_in(
    store: &SqlStore,
    agency_codes: &[String],
    page: PageRequest,
) -> Result<Page<Account>, StoreError> {
    if agency_codes.is_empty() {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            offset: page.offset,
            limit: page.limit.clamp(1, PageRequest::MAX_LIMIT),
        });
    }
    let mut w = Where::default();
    w.eq("kind", AccountKind::Official.name());
    // A subquery, not a join: an official with several matching roles is listed once.
    w.list(
        "id IN (SELECT account_id FROM role_assignments WHERE agency_code IN (",
        agency_codes,
        "))",
    );
    let list = ListQuery {
        table: "accounts",
        columns: COLUMNS,
        order_by: "name_folded, full_name, id",
    };
    fetch_page(store, &list, &w, page, decode).await
}

pub(crate) async fn roles(
    store: &SqlStore,
    id: &AccountId,
) -> Result<Vec<RoleAssignment>, StoreError> {
    let rows = sqlx::query("SELECT agency_code, role FROM role_assignments WHERE account_id = $1")
        .bind(id.0.as_str())
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    let mut roles = rows
        .iter()
        .map(|row| {
            Ok(RoleAssignment {
                agency_code: text(row, "agency_code")?,
                role: Role::parse(&text(row, "role")?).map_err(|e| corrupt("role", e))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    roles.sort_by(by_agency_then_role);
    Ok(roles)
}

/// Agency code, then role in the order of [`Role::ALL`] (desk to system).
fn by_agency_then_role(a: &RoleAssignment, b: &RoleAssignment) -> std::cmp::Ordering {
    (&a.agency_code, a.role).cmp(&(&b.agency_code, b.role))
}

pub(crate) async fn set_roles(
    store: &SqlStore,
    id: &AccountId,
    roles: &[RoleAssignment],
) -> Result<(), StoreError> {
    let mut tx = begin_row_write(store).await?;
    lock_account(store.backend, &mut tx, id).await?;
    check_agencies(&mut tx, id, roles).await?;
    sqlx::query("DELETE FROM role_assignments WHERE account_id = $1")
        .bind(id.0.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
    let mut roles = roles.to_vec();
    roles.sort_by(by_agency_then_role);
    roles.dedup();
    for r in &roles {
        sqlx::query(
            "INSERT INTO role_assignments (account_id, agency_code, role) VALUES ($1, $2, $3)",
        )
        .bind(id.0.as_str())
        .bind(r.agency_code.as_str())
        .bind(r.role.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| write_error(e, "role assignment", &id.0))?;
    }
    tx.commit().await.map_err(backend_error)
}

/// Checks the account exists and keeps other writers of its roles out until
/// commit. SQLite: the transaction already holds the database's write lock.
/// PostgreSQL: lock the account's row.
async fn lock_account(
    backend: Backend,
    tx: &mut Transaction<'static, Any>,
    id: &AccountId,
) -> Result<(), StoreError> {
    let query = match backend {
        Backend::Sqlite => "SELECT id FROM accounts WHERE id = $1",
        Backend::Postgres => "SELECT id FROM accounts WHERE id = $1 FOR UPDATE",
    };
    let found = sqlx::query(query)
        .bind(id.0.as_str())
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend_error)?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::MissingReference {
            entity: "role assignment",
            code: id.0.clone(),
            reference: "account",
            missing: id.0.clone(),
        }),
    }
}

/// Fails with `MissingReference` naming the first unknown agency.
async fn check_agencies(
    tx: &mut Transaction<'static, Any>,
    id: &AccountId,
    roles: &[RoleAssignment],
) -> Result<(), StoreError> {
    let mut codes: Vec<&str> = roles.iter().map(|r| r.agency_code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    if codes.is_empty() {
        return Ok(());
    }
    let query = format!(
        "SELECT code FROM agencies WHERE code IN ({})",
        placeholders(1, codes.len())
    );
    let mut q = sqlx::query(&query);
    for code in &codes {
        q = q.bind(*code);
    }
    let rows = q.fetch_all(&mut **tx).await.map_err(backend_error)?;
    let known: Vec<String> = rows
        .iter()
        .map(|r| text(r, "code"))
        .collect::<Result<_, _>>()?;
    match codes.into_iter().find(|c| !known.iter().any(|k| k == c)) {
        None => Ok(()),
        Some(missing) => Err(StoreError::MissingReference {
            entity: "role assignment",
            code: id.0.clone(),
            reference: "agency",
            missing: missing.to_owned(),
        }),
    }
}
