//! Officials (cán bộ, công chức) and their roles, scoped to agencies; and
//! resolving the acting person once per request.

use std::collections::BTreeSet;

use egov_domain::identity::{
    authorize, Account, AccountId, AccountKind, AccountStatus, Action, Actor, Denied, Email, Role,
    RoleAssignment,
};
use egov_domain::{InvalidField, Page, PageRequest};
use jiff::Timestamp;

use super::codes::CodeMessage;
use super::password::unusable_password_hash;
use super::register::clean_name;
use super::{new_id, Accounts, AuditEntryExt, RequestContext};
use crate::ports::{Channel, CodePurpose, NewAccount, Session};
use crate::AppError;

/// Agencies are nested a few levels deep; a longer chain is a cycle.
const MAX_AGENCY_DEPTH: usize = 16;

/// A new official's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOfficial {
    /// The official's work e-mail; becomes the login.
    pub email: String,
    pub full_name: String,
    /// The agency the roles are held in.
    pub agency_code: String,
    pub roles: Vec<Role>,
    /// Whether signing in needs a TOTP code too.
    pub totp_required: bool,
}

impl Accounts {
    /// The acting person for a web session: the account with its roles (all
    /// scopes). An official who must use a second factor but has not given
    /// it in this session acts without roles until they have.
    pub async fn actor_for_session(
        &self,
        account: &Account,
        session: &Session,
    ) -> Result<Actor, AppError> {
        let mut actor = self.actor_for(account).await?;
        if account.totp_required && !session.second_factor {
            if let Actor::Person { roles, .. } = &mut actor {
                roles.clear();
            }
        }
        Ok(actor)
    }

    /// The acting person for an account, with its roles, unrestricted by scopes.
    pub async fn actor_for(&self, account: &Account) -> Result<Actor, AppError> {
        let roles =
            if account.kind == AccountKind::Official && account.status == AccountStatus::Active {
                self.store.roles(&account.id).await?
            } else {
                Vec::new()
            };
        Ok(Actor::Person {
            id: account.id.clone(),
            kind: account.kind,
            roles,
            scopes: None,
        })
    }

    /// The agency's code and those of every agency above it, nearest first.
    pub async fn agency_path(&self, code: &str) -> Result<Vec<String>, AppError> {
        let mut path = Vec::new();
        let mut next = Some(code.to_owned());
        while let Some(code) = next.take() {
            if path.len() >= MAX_AGENCY_DEPTH || path.contains(&code) {
                break;
            }
            let agency = self
                .catalogue
                .agency(&code)
                .await?
                .ok_or_else(|| AppError::not_found("agency", code.clone()))?;
            next = agency.parent_code;
            path.push(code);
        }
        Ok(path)
    }

    /// Creates an official holding `roles` in an agency. The account gets a
    /// random password nobody knows; a code to set one is e-mailed to them.
    pub async fn create_official(
        &self,
        actor: &Actor,
        input: &CreateOfficial,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<Account, AppError> {
        let path = self.agency_path(&input.agency_code).await?;
        authorize(actor, &Action::ManageOfficials { agency_path: &path })?;
        for role in &input.roles {
            authorize(
                actor,
                &Action::AssignRole {
                    agency_path: &path,
                    role: *role,
                },
            )?;
        }
        if input.roles.is_empty() {
            return Err(InvalidField::new("roles", "give the official at least one role").into());
        }
        let email = Email::parse(&input.email)?;
        let full_name = clean_name("full_name", &input.full_name)?;
        if self.store.account_by_login(email.as_str()).await?.is_some() {
            return Err(AppError::Conflict(
                "email: an account with this e-mail address already exists".into(),
            ));
        }
        let account = Account {
            id: AccountId(new_id()),
            kind: AccountKind::Official,
            status: AccountStatus::Active,
            login: email.as_str().to_owned(),
            full_name,
            national_id: None,
            date_of_birth: None,
            email: Some(email.clone()),
            email_verified_at: None,
            phone: None,
            phone_verified_at: None,
            organisation: None,
            totp_required: input.totp_required,
            created_at: now,
        };
        let password_hash = unusable_password_hash().await?;
        self.store
            .create_account(&NewAccount {
                account: account.clone(),
                password_hash,
            })
            .await?;
        let roles = assignments(&input.agency_code, &input.roles);
        self.store.set_roles(&account.id, &roles).await?;
        self.send_code(
            &account.id,
            CodePurpose::ResetPassword,
            CodeMessage::Welcome,
            Channel::Email,
            email.as_str(),
            now,
        )
        .await?;
        let entry = Self::entry_by(actor, "official.created", ctx, now)
            .about(&account.id.0)
            .detail(format!("in {}", input.agency_code));
        self.record(entry).await?;
        self.audit_role_changes(actor, &account.id, &roles, &[], ctx, now)
            .await?;
        Ok(account)
    }

    /// Replaces an official's roles. The actor must be allowed to assign
    /// every role added and every role taken away, each in its agency.
    pub async fn set_roles(
        &self,
        actor: &Actor,
        id: &AccountId,
        roles: &[RoleAssignment],
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<Vec<RoleAssignment>, AppError> {
        let wanted: BTreeSet<(String, Role)> = roles
            .iter()
            .map(|r| (r.agency_code.clone(), r.role))
            .collect();
        let target = self.store.account(id).await?;
        let current: BTreeSet<(String, Role)> = match &target {
            Some(_) => self
                .store
                .roles(id)
                .await?
                .into_iter()
                .map(|r| (r.agency_code, r.role))
                .collect(),
            None => BTreeSet::new(),
        };
        let added: Vec<RoleAssignment> = wanted.difference(&current).map(to_assignment).collect();
        let removed: Vec<RoleAssignment> = current.difference(&wanted).map(to_assignment).collect();
        for change in added.iter().chain(&removed) {
            let path = self.agency_path(&change.agency_code).await?;
            authorize(
                actor,
                &Action::AssignRole {
                    agency_path: &path,
                    role: change.role,
                },
            )?;
        }
        match target {
            None => return Err(AppError::not_found("account", id.0.clone())),
            Some(t) if t.kind != AccountKind::Official => {
                return Err(InvalidField::new("roles", "only officials hold roles").into())
            }
            Some(_) => {}
        }
        let all: Vec<RoleAssignment> = wanted.iter().map(to_assignment).collect();
        self.store.set_roles(id, &all).await?;
        self.audit_role_changes(actor, id, &added, &removed, ctx, now)
            .await?;
        Ok(all)
    }

    /// Officials holding a role in the agency, by name.
    pub async fn officials(
        &self,
        actor: &Actor,
        agency_code: &str,
        page: PageRequest,
    ) -> Result<Page<Account>, AppError> {
        let path = self.agency_path(agency_code).await?;
        authorize(actor, &Action::ManageOfficials { agency_path: &path })?;
        Ok(self
            .store
            .officials_in(&[agency_code.to_owned()], page)
            .await?)
    }

    /// An official's roles, for an administrator over them or themselves.
    pub async fn roles_of(
        &self,
        actor: &Actor,
        id: &AccountId,
    ) -> Result<Vec<RoleAssignment>, AppError> {
        self.account(actor, id).await?;
        Ok(self.store.roles(id).await?)
    }

    /// Removes an official's second factor (lost phone); they enrol again.
    pub async fn reset_second_factor(
        &self,
        actor: &Actor,
        id: &AccountId,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let target = self.store.account(id).await?;
        let allowed = match &target {
            Some(t) => {
                super::actor_id(actor).as_ref() != Some(id) && self.administers(actor, t).await?
            }
            None => false,
        };
        if !allowed {
            return Err(AppError::Denied(Denied {
                reason: "only an administrator over this account may do that".into(),
            }));
        }
        self.clear_totp(id).await?;
        self.store.revoke_sessions_of(id, now).await?;
        let entry = Self::entry_by(actor, "totp.reset", ctx, now).about(&id.0);
        self.record(entry).await
    }

    async fn audit_role_changes(
        &self,
        actor: &Actor,
        id: &AccountId,
        added: &[RoleAssignment],
        removed: &[RoleAssignment],
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let changes = added
            .iter()
            .map(|r| ("role.granted", r))
            .chain(removed.iter().map(|r| ("role.revoked", r)));
        for (action, r) in changes {
            let entry = Self::entry_by(actor, action, ctx, now)
                .about(&id.0)
                .detail(format!("{} in {}", r.role.as_str(), r.agency_code));
            self.record(entry).await?;
        }
        Ok(())
    }
}

fn assignments(agency_code: &str, roles: &[Role]) -> Vec<RoleAssignment> {
    let unique: BTreeSet<Role> = roles.iter().copied().collect();
    unique
        .into_iter()
        .map(|role| RoleAssignment {
            agency_code: agency_code.to_owned(),
            role,
        })
        .collect()
}

fn to_assignment((agency_code, role): &(String, Role)) -> RoleAssignment {
    RoleAssignment {
        agency_code: agency_code.clone(),
        role: *role,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_drop_duplicates() {
        let roles = assignments("HN", &[Role::Leader, Role::Specialist, Role::Leader]);
        assert_eq!(roles.len(), 2);
        assert!(roles.iter().all(|r| r.agency_code == "HN"));
    }
}
