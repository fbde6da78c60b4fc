//! The audit log (nhật ký): who did what, when, from where. Writing it is
//! part of the action: a failed write is returned as an error, never dropped.

use egov_domain::identity::{authorize, AccountId, AccountKind, Action, Actor, Denied};
use egov_domain::Page;
use jiff::Timestamp;

use super::{actor_id, Accounts, RequestContext};
use crate::ports::{AuditEntry, AuditFilter, IdentityStore, Outcome};
use crate::AppError;

/// A successful entry for `action` at `now` from `ctx`; refine it with
/// [`AuditEntryExt`].
pub fn audit_entry(action: &str, ctx: &RequestContext, now: Timestamp) -> AuditEntry {
    let ctx = ctx.bounded();
    AuditEntry {
        at: now,
        actor: None,
        action: action.to_owned(),
        subject: None,
        ip: ctx.ip,
        user_agent: ctx.user_agent,
        outcome: Outcome::Success,
        detail: String::new(),
    }
}

/// Builder-style setters for [`AuditEntry`].
pub trait AuditEntryExt {
    /// The acting account.
    fn by(self, actor: Option<AccountId>) -> Self;
    /// What the action was done to.
    fn about(self, subject: &str) -> Self;
    fn outcome(self, outcome: Outcome) -> Self;
    /// Short detail, without personal data.
    fn detail(self, detail: impl Into<String>) -> Self;
}

impl AuditEntryExt for AuditEntry {
    fn by(mut self, actor: Option<AccountId>) -> Self {
        self.actor = actor;
        self
    }
    fn about(mut self, subject: &str) -> Self {
        self.subject = Some(subject.to_owned());
        self
    }
    fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }
    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// Appends an entry; the error is the caller's to return.
pub async fn write_audit(store: &dyn IdentityStore, entry: &AuditEntry) -> Result<(), AppError> {
    store.append_audit(entry).await.map_err(AppError::from)
}

impl Accounts {
    pub(crate) async fn record(&self, entry: AuditEntry) -> Result<(), AppError> {
        write_audit(self.store.as_ref(), &entry).await
    }

    /// An entry for an action `actor` did.
    pub(crate) fn entry_by(
        actor: &Actor,
        action: &str,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> AuditEntry {
        audit_entry(action, ctx, now).by(actor_id(actor))
    }

    /// Reads the audit log. A system administrator reads everything; an agency
    /// administrator reads entries by or about an official of their agency
    /// (the filter must name that official); anyone reads entries by or
    /// about themselves.
    pub async fn audit_log(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
    ) -> Result<Page<AuditEntry>, AppError> {
        if authorize(actor, &Action::ReadAudit { agency_path: &[] }).is_err() {
            self.authorize_audit_of(actor, filter).await?;
        }
        Ok(self.store.audit(filter).await?)
    }

    async fn authorize_audit_of(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
    ) -> Result<(), AppError> {
        let denied = || {
            AppError::Denied(Denied {
                reason: "name an account whose log you may read".into(),
            })
        };
        let named = filter
            .actor
            .clone()
            .or_else(|| filter.subject.clone().map(AccountId));
        let Some(named) = named else {
            return Err(denied());
        };
        // Both filters, when given, must name the same account.
        if let (Some(a), Some(s)) = (&filter.actor, &filter.subject) {
            if &a.0 != s {
                return Err(denied());
            }
        }
        if actor_id(actor).as_ref() == Some(&named) {
            return authorize(actor, &Action::ReadAccount(&named)).map_err(AppError::from);
        }
        let Some(target) = self.store.account(&named).await? else {
            return Err(denied());
        };
        if target.kind != AccountKind::Official {
            return Err(denied());
        }
        for assignment in self.store.roles(&target.id).await? {
            let path = self.agency_path(&assignment.agency_code).await?;
            if authorize(actor, &Action::ReadAudit { agency_path: &path }).is_ok() {
                return Ok(());
            }
        }
        Err(denied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_default_to_success_and_carry_the_context() {
        let ctx = RequestContext {
            ip: Some("203.0.113.9".into()),
            user_agent: Some("Firefox".into()),
        };
        let now = Timestamp::UNIX_EPOCH;
        let entry = audit_entry("sign-in", &ctx, now)
            .by(Some(AccountId("a".into())))
            .about("a")
            .detail("x");
        assert_eq!(entry.outcome, Outcome::Success);
        assert_eq!(entry.ip.as_deref(), Some("203.0.113.9"));
        assert_eq!(entry.user_agent.as_deref(), Some("Firefox"));
        assert_eq!(entry.actor, Some(AccountId("a".into())));
        assert_eq!(
            (entry.subject.as_deref(), entry.detail.as_str()),
            (Some("a"), "x")
        );
        let failed = audit_entry("sign-in.failed", &ctx, now).outcome(Outcome::Failure);
        assert_eq!(failed.outcome, Outcome::Failure);
    }
}
