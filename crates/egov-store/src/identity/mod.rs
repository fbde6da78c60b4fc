//! [`IdentityStore`] for [`SqlStore`]: accounts and roles, one-time codes and
//! the outbox, sessions and throttles, the audit log, and the OpenID Connect
//! provider's records. Each method hands over to the module of its tables;
//! [`codec`] says how values are stored (timestamps as fixed-width RFC 3339
//! text, lists as JSON text, enums by their kebab-case names).

mod accounts;
mod audit;
pub(crate) mod codec;
pub(crate) mod messages;
mod oidc;
mod sessions;
mod tokens;

use async_trait::async_trait;
use egov_domain::identity::{Account, AccountId, RoleAssignment};
use egov_domain::{Page, PageRequest};
use egov_ports::{
    AuditEntry, AuditFilter, AuthorizationCode, CodePurpose, Consent, Credentials, IdentityStore,
    NewAccount, OidcClient, OneTimeCode, OutboxMessage, Redeemed, RefreshToken, Session,
    SigningKey, Throttle,
};
use jiff::Timestamp;

use crate::{SqlStore, StoreError};
use accounts::Credential;

#[async_trait]
impl IdentityStore for SqlStore {
    async fn create_account(&self, new: &NewAccount) -> Result<(), StoreError> {
        accounts::create(self, new).await
    }

    async fn account(&self, id: &AccountId) -> Result<Option<Account>, StoreError> {
        accounts::get(self, id).await
    }

    async fn account_by_login(
        &self,
        login: &str,
    ) -> Result<Option<(Account, Credentials)>, StoreError> {
        accounts::by_login(self, login).await
    }

    async fn update_account(&self, account: &Account) -> Result<(), StoreError> {
        accounts::update(self, account).await
    }

    async fn set_password(&self, id: &AccountId, password_hash: &str) -> Result<(), StoreError> {
        accounts::set_credential(self, id, Credential::Password, Some(password_hash)).await
    }

    async fn set_totp_secret(
        &self,
        id: &AccountId,
        secret: Option<&str>,
    ) -> Result<(), StoreError> {
        accounts::set_credential(self, id, Credential::Totp, secret).await
    }

    async fn use_totp_step(&self, id: &AccountId, step: i64) -> Result<bool, StoreError> {
        accounts::use_totp_step(self, id, step).await
    }

    async fn officials_in(
        &self,
        agency_codes: &[String],
        page: PageRequest,
    ) -> Result<Page<Account>, StoreError> {
        accounts::officials_in(self, agency_codes, page).await
    }

    async fn roles(&self, id: &AccountId) -> Result<Vec<RoleAssignment>, StoreError> {
        accounts::roles(self, id).await
    }

    async fn set_roles(&self, id: &AccountId, roles: &[RoleAssignment]) -> Result<(), StoreError> {
        accounts::set_roles(self, id, roles).await
    }

    async fn put_code(
        &self,
        code: &OneTimeCode,
        message: &OutboxMessage,
    ) -> Result<(), StoreError> {
        messages::put_code(self, code, message).await
    }

    async fn code(
        &self,
        id: &AccountId,
        purpose: CodePurpose,
    ) -> Result<Option<OneTimeCode>, StoreError> {
        messages::code(self, id, purpose).await
    }

    async fn count_code_attempt(
        &self,
        id: &AccountId,
        purpose: CodePurpose,
    ) -> Result<u32, StoreError> {
        messages::count_attempt(self, id, purpose).await
    }

    async fn delete_code(&self, id: &AccountId, purpose: CodePurpose) -> Result<(), StoreError> {
        messages::delete_code(self, id, purpose).await
    }

    async fn enqueue(&self, message: &OutboxMessage) -> Result<(), StoreError> {
        messages::enqueue(self, message).await
    }

    async fn pending_messages(
        &self,
        max_attempts: u32,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        messages::pending(self, max_attempts, limit).await
    }

    async fn mark_sent(&self, id: &str, at: Timestamp) -> Result<(), StoreError> {
        messages::mark_sent(self, id, at).await
    }

    async fn mark_failed(&self, id: &str, error: &str) -> Result<(), StoreError> {
        messages::mark_failed(self, id, error).await
    }

    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        sessions::create(self, session).await
    }

    async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        sessions::get(self, id_hash).await
    }

    async fn touch_session(&self, id_hash: &str, at: Timestamp) -> Result<(), StoreError> {
        sessions::touch(self, id_hash, at).await
    }

    async fn revoke_session(&self, id_hash: &str, at: Timestamp) -> Result<(), StoreError> {
        sessions::revoke(self, id_hash, at).await
    }

    async fn revoke_sessions_of(&self, id: &AccountId, at: Timestamp) -> Result<u64, StoreError> {
        sessions::revoke_all_of(self, id, at).await
    }

    async fn sessions_of(
        &self,
        id: &AccountId,
        now: Timestamp,
    ) -> Result<Vec<Session>, StoreError> {
        sessions::live_of(self, id, now).await
    }

    async fn throttle(&self, key: &str) -> Result<Option<Throttle>, StoreError> {
        sessions::throttle(self, key).await
    }

    async fn put_throttle(&self, key: &str, state: &Throttle) -> Result<(), StoreError> {
        sessions::put_throttle(self, key, state).await
    }

    async fn clear_throttle(&self, key: &str) -> Result<(), StoreError> {
        sessions::clear_throttle(self, key).await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        audit::append(self, entry).await
    }

    async fn audit(&self, filter: &AuditFilter) -> Result<Page<AuditEntry>, StoreError> {
        audit::list(self, filter).await
    }

    async fn put_client(&self, client: &OidcClient) -> Result<(), StoreError> {
        oidc::put_client(self, client).await
    }

    async fn client(&self, client_id: &str) -> Result<Option<OidcClient>, StoreError> {
        oidc::client(self, client_id).await
    }

    async fn clients(&self) -> Result<Vec<OidcClient>, StoreError> {
        oidc::clients(self).await
    }

    async fn put_authorization_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        tokens::put_code(self, code).await
    }

    async fn redeem_authorization_code(
        &self,
        code_hash: &str,
        at: Timestamp,
    ) -> Result<Redeemed<AuthorizationCode>, StoreError> {
        tokens::redeem_code(self, code_hash, at).await
    }

    async fn put_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError> {
        tokens::put_token(self, token).await
    }

    async fn redeem_refresh_token(
        &self,
        token_hash: &str,
        at: Timestamp,
    ) -> Result<Redeemed<RefreshToken>, StoreError> {
        tokens::redeem_token(self, token_hash, at).await
    }

    async fn revoke_refresh_family(
        &self,
        family_id: &str,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        tokens::revoke_family(self, family_id, at).await
    }

    async fn revoke_refresh_tokens_of(
        &self,
        id: &AccountId,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        tokens::revoke_of(self, id, at).await
    }

    async fn consent(
        &self,
        id: &AccountId,
        client_id: &str,
    ) -> Result<Option<Consent>, StoreError> {
        oidc::consent(self, id, client_id).await
    }

    async fn put_consent(&self, consent: &Consent) -> Result<(), StoreError> {
        oidc::put_consent(self, consent).await
    }

    async fn put_signing_key(&self, key: &SigningKey) -> Result<(), StoreError> {
        oidc::put_signing_key(self, key).await
    }

    async fn signing_keys(&self, now: Timestamp) -> Result<Vec<SigningKey>, StoreError> {
        oidc::signing_keys(self, now).await
    }

    async fn link_external_identity(
        &self,
        issuer: &str,
        subject: &str,
        id: &AccountId,
    ) -> Result<(), StoreError> {
        oidc::link_external(self, issuer, subject, id).await
    }

    async fn account_by_external_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<AccountId>, StoreError> {
        oidc::external(self, issuer, subject).await
    }
}
