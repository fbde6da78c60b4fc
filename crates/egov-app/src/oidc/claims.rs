//! Claims: what tokens and `userinfo` say about a person, according to the
//! scopes granted, and the checks of bearer access tokens (RFC 9068, RFC 6750).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use egov_domain::identity::policy::scope;
use egov_domain::identity::{Account, AccountId, AccountStatus, Actor};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha256};

use super::{grant, ErrorCode, OAuthError, Oidc};

/// Claims this provider can return.
pub(super) const SUPPORTED: [&str; 16] = [
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "at_hash",
    "name",
    "birthdate",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "national_id",
    "organisation",
];

/// The `typ` header of access tokens (RFC 9068 §2.1).
pub(super) const ACCESS_TOKEN_TYP: &str = "at+jwt";
/// Clock skew tolerated when checking `exp` and `iat`.
const LEEWAY_SECONDS: i64 = 30;
/// How long `userinfo` may answer from a cached copy of an account.
const ACCOUNT_CACHE_TTL: Duration = Duration::from_secs(2);
const ACCOUNT_CACHE_MAX: usize = 10_000;

/// The claims of an access token (a JWT, RFC 9068).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    /// The account id, or the client id for a client's own token.
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// Space-separated scopes.
    pub scope: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// The grant type, for a token a client obtained for itself
    /// (`client_credentials`): such a token acts for no person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gty: Option<String>,
}

impl AccessClaims {
    pub fn scopes(&self) -> Vec<String> {
        super::parse_scopes(&self.scope)
    }

    pub fn has_scope(&self, wanted: &str) -> bool {
        self.scope.split(' ').any(|s| s == wanted)
    }

    /// Whether the token acts for the client itself, not for a person.
    pub fn is_client_token(&self) -> bool {
        self.gty.as_deref() == Some(grant::CLIENT_CREDENTIALS)
    }
}

/// The person claims the scopes allow (OIDC Core §5.4, plus `national_id`
/// and `organisation`).
pub(super) fn person_claims(account: &Account, scopes: &[String]) -> Map<String, Value> {
    let has = |s: &str| scopes.iter().any(|g| g == s);
    let mut out = Map::new();
    if has(scope::PROFILE) {
        out.insert("name".into(), json!(account.full_name));
        if let Some(d) = account.date_of_birth {
            out.insert("birthdate".into(), json!(d.to_string()));
        }
    }
    if has(scope::EMAIL) {
        if let Some(e) = &account.email {
            out.insert("email".into(), json!(e.as_str()));
            out.insert(
                "email_verified".into(),
                json!(account.email_verified_at.is_some()),
            );
        }
    }
    if has(scope::PHONE) {
        if let Some(p) = &account.phone {
            out.insert("phone_number".into(), json!(p.as_str()));
            out.insert(
                "phone_number_verified".into(),
                json!(account.phone_verified_at.is_some()),
            );
        }
    }
    if has(scope::NATIONAL_ID) {
        if let Some(n) = &account.national_id {
            out.insert("national_id".into(), json!(n.as_str()));
        }
    }
    if has(scope::ORGANISATION) {
        if let Some(o) = &account.organisation {
            out.insert(
                "organisation".into(),
                json!({ "tax_code": o.tax_code.as_str(), "name": o.name }),
            );
        }
    }
    out
}

/// `at_hash`: the left half of the SHA-256 of the access token, base64url.
pub(super) fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// A short-lived copy of the accounts `userinfo` reads.
#[derive(Default)]
pub(super) struct AccountCache {
    entries: Mutex<HashMap<AccountId, (Instant, Account)>>,
}

impl AccountCache {
    fn get(&self, id: &AccountId) -> Option<Account> {
        let entries = self.entries.lock().ok()?;
        let (at, account) = entries.get(id)?;
        (at.elapsed() < ACCOUNT_CACHE_TTL).then(|| account.clone())
    }

    fn put(&self, account: &Account) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= ACCOUNT_CACHE_MAX {
                entries.retain(|_, (at, _)| at.elapsed() < ACCOUNT_CACHE_TTL);
                if entries.len() >= ACCOUNT_CACHE_MAX {
                    entries.clear();
                }
            }
            entries.insert(account.id.clone(), (Instant::now(), account.clone()));
        }
    }
}

impl Oidc {
    /// Checks a bearer access token: ES256 with one of our keys, our issuer,
    /// type `at+jwt`, not expired. Anything else is `invalid_token`.
    pub async fn verify_access_token(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<AccessClaims, OAuthError> {
        let data = self.verify_jwt::<AccessClaims>(token, now).await?;
        let typ = data.header.typ.as_deref().unwrap_or("");
        if !(typ.eq_ignore_ascii_case(ACCESS_TOKEN_TYP)
            || typ.eq_ignore_ascii_case("application/at+jwt"))
        {
            return Err(OAuthError::invalid_token("not an access token"));
        }
        let claims = data.claims;
        let t = now.as_second();
        if t > claims.exp.saturating_add(LEEWAY_SECONDS) {
            return Err(OAuthError::invalid_token("the token has expired"));
        }
        if claims.iat > t.saturating_add(LEEWAY_SECONDS) {
            return Err(OAuthError::invalid_token(
                "the token is issued in the future",
            ));
        }
        Ok(claims)
    }

    /// The `userinfo` answer: `sub` and the claims the token's scopes allow.
    pub async fn userinfo(&self, claims: &AccessClaims) -> Result<Value, OAuthError> {
        if claims.is_client_token() || !claims.has_scope(scope::OPENID) {
            return Err(OAuthError::new(
                ErrorCode::InsufficientScope,
                "the token lacks the openid scope",
            ));
        }
        let id = AccountId(claims.sub.clone());
        let account = match self.accounts.get(&id) {
            Some(a) => a,
            None => {
                let a = self.active_account(&id).await?;
                self.accounts.put(&a);
                a
            }
        };
        if account.status != AccountStatus::Active {
            return Err(OAuthError::invalid_token("the account is not active"));
        }
        let mut out = person_claims(&account, &claims.scopes());
        out.insert("sub".into(), json!(account.id.0));
        Ok(Value::Object(out))
    }

    /// The actor a bearer token stands for in the JSON API: the person with
    /// their roles, limited to the token's scopes. A client's own token
    /// (`client_credentials`) acts for no person: [`Actor::Anonymous`].
    pub async fn actor_for_token(&self, claims: &AccessClaims) -> Result<Actor, OAuthError> {
        if claims.is_client_token() {
            return Ok(Actor::Anonymous);
        }
        let id = AccountId(claims.sub.clone());
        let account = self.active_account(&id).await?;
        let roles = self.store.roles(&id).await?;
        Ok(Actor::Person {
            id,
            kind: account.kind,
            roles,
            scopes: Some(claims.scopes()),
        })
    }

    /// The account a token names, if it still exists and is active.
    async fn active_account(&self, id: &AccountId) -> Result<Account, OAuthError> {
        match self.store.account(id).await? {
            Some(a) if a.status == AccountStatus::Active => Ok(a),
            _ => Err(OAuthError::invalid_token(
                "the account no longer exists or is locked",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_the_left_half_of_the_digest() {
        // 16 bytes → 22 base64url characters.
        let h = at_hash("token");
        assert_eq!(h.len(), 22);
        assert_ne!(h, at_hash("other"));
    }

    #[test]
    fn access_claims_know_their_scopes() {
        let c = AccessClaims {
            iss: "i".into(),
            sub: "s".into(),
            aud: "c".into(),
            exp: 1,
            iat: 0,
            jti: "j".into(),
            scope: "openid email".into(),
            client_id: "c".into(),
            auth_time: None,
            gty: None,
        };
        assert!(c.has_scope("email"));
        assert!(!c.has_scope("open"));
        assert!(!c.is_client_token());
        assert_eq!(c.scopes(), vec!["openid", "email"]);
    }
}
