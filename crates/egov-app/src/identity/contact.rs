//! Verifying contact details (xác minh e-mail, số điện thoại) and changing
//! them: a new address is stored as verified only once the code sent to it
//! has been entered; until then the old one stays.

use egov_domain::identity::{Account, AccountId, Actor, Email, Phone};
use egov_domain::InvalidField;
use jiff::Timestamp;

use super::codes::CodeMessage;
use super::{Accounts, AuditEntryExt, RequestContext};
use crate::ports::{Channel, CodePurpose};
use crate::AppError;

/// A new e-mail address or phone number, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactChange {
    Email(String),
    Phone(String),
}

fn channel_of(purpose: CodePurpose) -> Result<Channel, AppError> {
    match purpose {
        CodePurpose::VerifyEmail => Ok(Channel::Email),
        CodePurpose::VerifyPhone => Ok(Channel::Sms),
        CodePurpose::ResetPassword => Err(AppError::Invalid(InvalidField::new(
            "purpose",
            "use the password reset for this code",
        ))),
    }
}

/// The account with `target` stored as its verified e-mail or phone.
fn with_verified(
    mut account: Account,
    purpose: CodePurpose,
    target: &str,
    now: Timestamp,
) -> Result<Account, AppError> {
    match purpose {
        CodePurpose::VerifyEmail => {
            account.email = Some(Email::parse(target)?);
            account.email_verified_at = Some(now);
        }
        CodePurpose::VerifyPhone => {
            account.phone = Some(Phone::parse(target)?);
            account.phone_verified_at = Some(now);
        }
        CodePurpose::ResetPassword => {
            channel_of(purpose)?;
        }
    }
    Ok(account)
}

/// The stored address a purpose verifies, and whether it is verified.
fn current_target(account: &Account, purpose: CodePurpose) -> Option<(String, bool)> {
    match purpose {
        CodePurpose::VerifyEmail => account
            .email
            .as_ref()
            .map(|e| (e.as_str().to_owned(), account.email_verified_at.is_some())),
        CodePurpose::VerifyPhone => account
            .phone
            .as_ref()
            .map(|p| (p.as_str().to_owned(), account.phone_verified_at.is_some())),
        CodePurpose::ResetPassword => None,
    }
}

impl Accounts {
    /// Sends a verification code for `purpose` to `target`.
    pub(crate) async fn send_verification(
        &self,
        account: &AccountId,
        purpose: CodePurpose,
        target: &str,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let channel = channel_of(purpose)?;
        self.send_code(account, purpose, CodeMessage::Verify, channel, target, now)
            .await
    }

    /// Enters a verification code: on success the address it was sent to
    /// becomes the account's verified e-mail or phone.
    pub async fn verify_contact(
        &self,
        actor: &Actor,
        id: &AccountId,
        purpose: CodePurpose,
        code: &str,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<Account, AppError> {
        self.authorize_self(actor, id)?;
        channel_of(purpose)?;
        let account = self.load(id).await?;
        let used = self.check_code(id, purpose, code, now).await?;
        let account = with_verified(account, purpose, &used.target, now)?;
        self.store.update_account(&account).await?;
        self.store.delete_code(id, purpose).await?;
        let entry = Self::entry_by(actor, "contact.verified", ctx, now)
            .about(&id.0)
            .detail(purpose.as_str());
        self.record(entry).await?;
        Ok(account)
    }

    /// Sends a new code: to the address awaiting verification, else to the
    /// stored one if it is not verified yet. Limited per account and purpose.
    pub async fn resend_code(
        &self,
        actor: &Actor,
        id: &AccountId,
        purpose: CodePurpose,
        now: Timestamp,
    ) -> Result<(), AppError> {
        self.authorize_self(actor, id)?;
        channel_of(purpose)?;
        let account = self.load(id).await?;
        let pending = self.store.code(id, purpose).await?.map(|c| c.target);
        let target = match (pending, current_target(&account, purpose)) {
            (Some(target), _) => target,
            (None, Some((target, false))) => target,
            (None, Some((_, true))) => {
                return Err(AppError::Conflict(format!(
                    "{}: already verified",
                    field_of(purpose)
                )))
            }
            (None, None) => {
                return Err(AppError::Invalid(InvalidField::new(
                    field_of(purpose),
                    "there is nothing to verify",
                )))
            }
        };
        self.send_limited(id, purpose, &target, now).await
    }

    /// Starts changing the e-mail or phone: sends a code to the new one; the
    /// account keeps the old one until [`Accounts::verify_contact`].
    /// Addresses waiting for their code: after a change of e-mail or phone,
    /// the new one (it replaces the stored one only once verified). One entry
    /// per purpose with a live code, `(purpose, address)`.
    pub async fn pending_contacts(
        &self,
        actor: &Actor,
        id: &AccountId,
        now: Timestamp,
    ) -> Result<Vec<(CodePurpose, String)>, AppError> {
        self.authorize_self(actor, id)?;
        let mut pending = Vec::new();
        for purpose in [CodePurpose::VerifyEmail, CodePurpose::VerifyPhone] {
            if let Some(code) = self.store.code(id, purpose).await? {
                if code.expires_at > now {
                    pending.push((purpose, code.target));
                }
            }
        }
        Ok(pending)
    }

    pub async fn change_contact(
        &self,
        actor: &Actor,
        id: &AccountId,
        change: &ContactChange,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<(), AppError> {
        self.authorize_self(actor, id)?;
        self.load(id).await?;
        let (purpose, target) = match change {
            ContactChange::Email(e) => (
                CodePurpose::VerifyEmail,
                Email::parse(e)?.as_str().to_owned(),
            ),
            ContactChange::Phone(p) => (
                CodePurpose::VerifyPhone,
                Phone::parse(p)?.as_str().to_owned(),
            ),
        };
        self.send_limited(id, purpose, &target, now).await?;
        let entry = Self::entry_by(actor, "contact.change-requested", ctx, now)
            .about(&id.0)
            .detail(purpose.as_str());
        self.record(entry).await
    }

    async fn send_limited(
        &self,
        id: &AccountId,
        purpose: CodePurpose,
        target: &str,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let key = vec![(
            format!("send:{}:{}", id.0, purpose.as_str()),
            self.config.send_throttle,
        )];
        self.check_throttles(&key, now).await?;
        self.record_failures(&key, now).await?;
        self.send_verification(id, purpose, target, now).await
    }
}

fn field_of(purpose: CodePurpose) -> &'static str {
    match purpose {
        CodePurpose::VerifyPhone => "phone",
        CodePurpose::VerifyEmail | CodePurpose::ResetPassword => "email",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_verification_purposes_have_a_channel() {
        assert_eq!(
            channel_of(CodePurpose::VerifyEmail).unwrap(),
            Channel::Email
        );
        assert_eq!(channel_of(CodePurpose::VerifyPhone).unwrap(), Channel::Sms);
        assert!(channel_of(CodePurpose::ResetPassword).is_err());
    }
}
