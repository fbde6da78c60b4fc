//! The audit log (nhật ký kiểm toán): append-only, read newest first.

use egov_domain::identity::AccountId;
use egov_domain::Page;
use egov_ports::{AuditEntry, AuditFilter, Outcome};
use sqlx::any::AnyRow;

use super::codec::{get_ts, ts, Named};
use crate::error::backend_error;
use crate::sql::{fetch_page, opt_text, text, ListQuery, Where};
use crate::{SqlStore, StoreError};

const COLUMNS: &str = "at, actor, action, subject, ip, user_agent, outcome, detail";

fn decode(row: &AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        at: get_ts(row, "at")?,
        actor: opt_text(row, "actor")?.map(AccountId),
        action: text(row, "action")?,
        subject: opt_text(row, "subject")?,
        ip: opt_text(row, "ip")?,
        user_agent: opt_text(row, "user_agent")?,
        outcome: Outcome::get(row, "outcome")?,
        detail: text(row, "detail")?,
    })
}

pub(crate) async fn append(store: &SqlStore, e: &AuditEntry) -> Result<(), StoreError> {
    // The id is left to the database (AUTOINCREMENT / BIGSERIAL): it breaks
    // ties between entries of the same instant, in insertion order.
    let statement =
        format!("INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    sqlx::query(&statement)
        .bind(ts(e.at))
        .bind(e.actor.as_ref().map(|a| a.0.as_str()))
        .bind(e.action.as_str())
        .bind(e.subject.as_deref())
        .bind(e.ip.as_deref())
        .bind(e.user_agent.as_deref())
        .bind(e.outcome.name())
        .bind(e.detail.as_str())
        .execute(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(())
}

/// Entries matching every given filter, newest first. The action prefix
/// matches literally (`%` and `_` are not wildcards); note that SQLite's
/// `LIKE` ignores ASCII case where PostgreSQL's does not, and action names
/// are lower case.
pub(crate) async fn list(
    store: &SqlStore,
    filter: &AuditFilter,
) -> Result<Page<AuditEntry>, StoreError> {
    let mut w = Where::default();
    if let Some(actor) = &filter.actor {
        w.eq("actor", actor.0.as_str());
    }
    if let Some(subject) = &filter.subject {
        w.eq("subject", subject.as_str());
    }
    if let Some(prefix) = filter.action_prefix.as_deref().filter(|p| !p.is_empty()) {
        w.starts_with("action", prefix);
    }
    let list = ListQuery {
        table: "audit_log",
        columns: COLUMNS,
        order_by: "at DESC, id DESC",
    };
    fetch_page(store, &list, &w, filter.page, decode).await
}
