//! Reading and changing an account (hồ sơ tài khoản). A person reaches only
//! their own account; an agency administrator also reaches the officials of
//! their agency; a system administrator reaches every account.

use egov_domain::identity::{
    authorize, Account, AccountId, AccountKind, AccountStatus, Action, Actor, Denied,
};
use jiff::Timestamp;

use super::register::clean_name;
use super::{Accounts, AuditEntryExt, RequestContext};
use crate::AppError;

/// Changes to an account; `None` leaves a field as it is. The holder may
/// change the name; only an administrator over the account may require a
/// second factor or lock and unlock it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileUpdate {
    pub full_name: Option<String>,
    pub totp_required: Option<bool>,
    pub status: Option<AccountStatus>,
}

impl Accounts {
    /// `authorize(actor, UpdateAccount(id))`.
    pub(crate) fn authorize_self(&self, actor: &Actor, id: &AccountId) -> Result<(), AppError> {
        Ok(authorize(actor, &Action::UpdateAccount(id))?)
    }

    /// Whether `actor` administers `target`: a system administrator (or the
    /// operator) always; an agency administrator for an official holding a
    /// role in their agency or below.
    pub(crate) async fn administers(
        &self,
        actor: &Actor,
        target: &Account,
    ) -> Result<bool, AppError> {
        if authorize(actor, &Action::ManageOfficials { agency_path: &[] }).is_ok() {
            return Ok(true);
        }
        if target.kind != AccountKind::Official {
            return Ok(false);
        }
        for assignment in self.store.roles(&target.id).await? {
            let path = self.agency_path(&assignment.agency_code).await?;
            if authorize(actor, &Action::ManageOfficials { agency_path: &path }).is_ok() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// An account, for its holder or an administrator over it. Anyone else is
    /// `Denied`, whether or not the account exists.
    pub async fn account(&self, actor: &Actor, id: &AccountId) -> Result<Account, AppError> {
        match authorize(actor, &Action::ReadAccount(id)) {
            Ok(()) => self.load(id).await,
            Err(denied) => match self.store.account(id).await? {
                Some(target) if self.administers(actor, &target).await? => Ok(target),
                _ => Err(denied.into()),
            },
        }
    }

    /// Changes an account (see [`ProfileUpdate`]). Locking signs the account
    /// out everywhere.
    pub async fn update_profile(
        &self,
        actor: &Actor,
        id: &AccountId,
        update: &ProfileUpdate,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<Account, AppError> {
        let is_self = authorize(actor, &Action::UpdateAccount(id));
        let target = match (&is_self, self.store.account(id).await?) {
            (_, Some(target)) => target,
            (Ok(()), None) => return Err(AppError::not_found("account", id.0.clone())),
            (Err(denied), None) => return Err(denied.clone().into()),
        };
        let admin = self.administers(actor, &target).await?;
        let admin_fields = update.totp_required.is_some() || update.status.is_some();
        let acting_on_self = super::actor_id(actor).as_ref() == Some(id);
        if (is_self.is_err() && !admin) || (admin_fields && (!admin || acting_on_self)) {
            return Err(AppError::Denied(Denied {
                reason: "this account may not make that change".into(),
            }));
        }
        let mut account = target.clone();
        if let Some(name) = &update.full_name {
            account.full_name = clean_name("full_name", name)?;
        }
        if let Some(required) = update.totp_required {
            account.totp_required = required;
        }
        if let Some(status) = update.status {
            account.status = status;
        }
        if account == target {
            return Ok(account);
        }
        self.store.update_account(&account).await?;
        if target.status == AccountStatus::Active && account.status == AccountStatus::Locked {
            self.store.revoke_sessions_of(id, now).await?;
            self.store.revoke_refresh_tokens_of(id, now).await?;
        }
        let entry = Self::entry_by(actor, "account.updated", ctx, now)
            .about(&id.0)
            .detail(changed_fields(&target, &account));
        self.record(entry).await?;
        Ok(account)
    }
}

/// The names of the fields that differ (for the audit log; no values).
fn changed_fields(before: &Account, after: &Account) -> String {
    let mut fields = Vec::new();
    if before.full_name != after.full_name {
        fields.push("full_name");
    }
    if before.totp_required != after.totp_required {
        fields.push("totp_required");
    }
    if before.status != after.status {
        fields.push(match after.status {
            AccountStatus::Locked => "status=locked",
            AccountStatus::Active => "status=active",
        });
    }
    fields.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_fields_name_no_values() {
        let before = Account {
            id: AccountId("a".into()),
            kind: AccountKind::Official,
            status: AccountStatus::Active,
            login: "a@example.vn".into(),
            full_name: "Trần Văn Bình".into(),
            national_id: None,
            date_of_birth: None,
            email: None,
            email_verified_at: None,
            phone: None,
            phone_verified_at: None,
            organisation: None,
            totp_required: false,
            created_at: Timestamp::UNIX_EPOCH,
        };
        let mut after = before.clone();
        after.full_name = "Trần Văn Bính".into();
        after.status = AccountStatus::Locked;
        assert_eq!(changed_fields(&before, &after), "full_name, status=locked");
    }
}
