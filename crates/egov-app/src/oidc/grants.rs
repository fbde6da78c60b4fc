//! The grants of the token endpoint (RFC 6749 §4.1.3, §4.4, §6; RFC 7636
//! §4.6): code exchange with PKCE and replay detection, refresh with rotation
//! and reuse detection, client credentials.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use egov_domain::identity::policy::scope;
use jiff::Timestamp;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::authorize::is_pkce_string;
use super::claims::{AccessClaims, ACCESS_TOKEN_TYP};
use super::token::{ClientAuth, Grant, TokenRequest, TokenResponse};
use super::{
    after, grant, parse_scopes, random_token, sha256_hex, ErrorCode, OAuthError, Oidc,
    RequestContext,
};
use crate::ports::{ClientKind, OidcClient, Outcome, Redeemed};

/// A revocation request (RFC 7009 §2.1) with the client's credentials.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RevocationRequest {
    pub token: Option<String>,
    pub token_type_hint: Option<String>,
    pub client: ClientAuth,
}

/// Never prints the token or secret.
impl std::fmt::Debug for RevocationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevocationRequest")
            .field("client", &self.client)
            .field("token_type_hint", &self.token_type_hint)
            .finish_non_exhaustive()
    }
}

/// The refresh-token family started by an authorization code.
fn family_of_code(code_hash: &str) -> String {
    sha256_hex(&format!("family:{code_hash}"))
}

/// RFC 7636 §4.6; a verifier without a challenge is refused too (downgrade).
fn check_verifier(
    challenge: Option<&str>,
    method: Option<&str>,
    verifier: Option<&str>,
) -> Result<(), OAuthError> {
    let (challenge, verifier) = match (challenge, verifier) {
        (None, None) => return Ok(()),
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "no code_challenge was sent for this code",
            ))
        }
        (Some(_), None) => return Err(OAuthError::invalid_grant("code_verifier is missing")),
        (Some(c), Some(v)) => (c, v),
    };
    if !is_pkce_string(verifier) {
        return Err(OAuthError::invalid_grant("code_verifier is malformed"));
    }
    let computed = match method {
        Some("plain") => verifier.to_owned(),
        _ => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
    };
    if bool::from(computed.as_bytes().ct_eq(challenge.as_bytes())) {
        Ok(())
    } else {
        Err(OAuthError::invalid_grant(
            "the code_verifier does not match the code_challenge",
        ))
    }
}

impl Oidc {
    pub(super) async fn exchange_code(
        &self,
        client: &OidcClient,
        req: &TokenRequest,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<TokenResponse, OAuthError> {
        let code = req
            .code
            .as_deref()
            .ok_or_else(|| OAuthError::invalid_request("code is missing"))?;
        let code_hash = sha256_hex(code);
        let family = family_of_code(&code_hash);
        let record = match self
            .store
            .redeem_authorization_code(&code_hash, now)
            .await?
        {
            Redeemed::Fresh(c) => c,
            Redeemed::Missing => {
                return Err(OAuthError::invalid_grant("the code is invalid or expired"))
            }
            Redeemed::Replayed(c) => {
                let revoked = self.store.revoke_refresh_family(&family, now).await?;
                let detail =
                    format!("authorization code used twice; {revoked} refresh token(s) revoked");
                let (actor, subject) = (Some(&c.account_id), Some(c.client_id.as_str()));
                self.audit(
                    actor,
                    "token.code-reuse",
                    subject,
                    ctx,
                    Outcome::Failure,
                    detail,
                    now,
                )
                .await?;
                return Err(OAuthError::invalid_grant("the code was already used"));
            }
        };
        if record.client_id != client.client_id {
            return Err(OAuthError::invalid_grant(
                "the code was issued to another client",
            ));
        }
        if now >= record.expires_at {
            return Err(OAuthError::invalid_grant("the code has expired"));
        }
        if req.redirect_uri.as_deref() != Some(record.redirect_uri.as_str()) {
            return Err(OAuthError::invalid_grant(
                "redirect_uri differs from the authorization request",
            ));
        }
        check_verifier(
            record.code_challenge.as_deref(),
            record.code_challenge_method.as_deref(),
            req.code_verifier.as_deref(),
        )?;
        let account = self.grant_account(&record.account_id).await?;
        let refresh_token = if client.grant_types.iter().any(|g| g == grant::REFRESH_TOKEN) {
            let t = self
                .new_refresh_token(
                    client,
                    &account.id,
                    &record.scopes,
                    record.auth_time,
                    family,
                    now,
                )
                .await?;
            Some(t)
        } else {
            None
        };
        let grant = Grant {
            client,
            account: &account,
            scopes: &record.scopes,
            auth_time: record.auth_time,
            nonce: record.nonce.as_deref(),
            refresh_token,
            grant_type: grant::AUTHORIZATION_CODE,
        };
        self.issue_tokens(grant, ctx, now).await
    }

    pub(super) async fn refresh(
        &self,
        client: &OidcClient,
        req: &TokenRequest,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<TokenResponse, OAuthError> {
        let presented = req
            .refresh_token
            .as_deref()
            .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing"))?;
        let old = match self
            .store
            .redeem_refresh_token(&sha256_hex(presented), now)
            .await?
        {
            Redeemed::Fresh(t) => t,
            Redeemed::Missing => {
                return Err(OAuthError::invalid_grant("the refresh token is invalid"))
            }
            Redeemed::Replayed(t) => {
                let revoked = self.store.revoke_refresh_family(&t.family_id, now).await?;
                let detail =
                    format!("refresh token used twice; {revoked} token(s) of its family revoked");
                let (actor, subject) = (Some(&t.account_id), Some(t.client_id.as_str()));
                self.audit(
                    actor,
                    "token.refresh-reuse",
                    subject,
                    ctx,
                    Outcome::Failure,
                    detail,
                    now,
                )
                .await?;
                return Err(OAuthError::invalid_grant(
                    "the refresh token was already used",
                ));
            }
        };
        if old.client_id != client.client_id {
            self.store
                .revoke_refresh_family(&old.family_id, now)
                .await?;
            return Err(OAuthError::invalid_grant(
                "the refresh token was issued to another client",
            ));
        }
        if old.revoked_at.is_some() {
            return Err(OAuthError::invalid_grant("the refresh token was revoked"));
        }
        if now >= old.expires_at {
            return Err(OAuthError::invalid_grant("the refresh token has expired"));
        }
        let scopes = match req.scope.as_deref().map(parse_scopes) {
            Some(asked) if !asked.is_empty() => {
                if !asked.iter().all(|s| old.scopes.contains(s)) {
                    return Err(OAuthError::new(
                        ErrorCode::InvalidScope,
                        "a scope was not granted originally",
                    ));
                }
                asked
            }
            _ => old.scopes.clone(),
        };
        let account = self.grant_account(&old.account_id).await?;
        // The new refresh token keeps the original scopes (RFC 6749 §6).
        let rotated = self
            .new_refresh_token(
                client,
                &account.id,
                &old.scopes,
                old.auth_time,
                old.family_id.clone(),
                now,
            )
            .await?;
        let grant = Grant {
            client,
            account: &account,
            scopes: &scopes,
            auth_time: old.auth_time,
            nonce: None,
            refresh_token: Some(rotated),
            grant_type: grant::REFRESH_TOKEN,
        };
        self.issue_tokens(grant, ctx, now).await
    }

    pub(super) async fn client_credentials(
        &self,
        client: &OidcClient,
        req: &TokenRequest,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<TokenResponse, OAuthError> {
        if client.kind != ClientKind::Confidential {
            return Err(OAuthError::new(
                ErrorCode::UnauthorizedClient,
                "only confidential clients",
            ));
        }
        let scopes = parse_scopes(req.scope.as_deref().unwrap_or(""));
        let allowed = |s: &String| s != scope::OPENID && client.allowed_scopes.contains(s);
        if !scopes.iter().all(allowed) {
            return Err(OAuthError::new(
                ErrorCode::InvalidScope,
                "a scope is not allowed for this client",
            ));
        }
        let claims = AccessClaims {
            iss: self.config.issuer.clone(),
            sub: client.client_id.clone(),
            aud: client.client_id.clone(),
            exp: after(now, self.config.access_token_ttl).as_second(),
            iat: now.as_second(),
            jti: random_token(16),
            scope: scopes.join(" "),
            client_id: client.client_id.clone(),
            auth_time: None,
            gty: Some(grant::CLIENT_CREDENTIALS.to_owned()),
        };
        let access_token = self.sign(ACCESS_TOKEN_TYP, &claims, now).await?;
        let detail = format!("grant client_credentials; scopes {}", claims.scope);
        let subject = Some(client.client_id.as_str());
        self.audit(
            None,
            "token.issued",
            subject,
            ctx,
            Outcome::Success,
            detail,
            now,
        )
        .await?;
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: self.config.access_token_ttl.as_secs(),
            refresh_token: None,
            id_token: None,
            scope: claims.scope,
        })
    }

    /// Token revocation (RFC 7009): a refresh token's whole family is
    /// revoked. Access tokens are short-lived JWTs and cannot be revoked;
    /// unknown tokens are ignored (the answer is the same: success). A token
    /// presented by another client is revoked too: it has leaked.
    pub async fn revoke(
        &self,
        request: RevocationRequest,
        ctx: &RequestContext,
        now: Timestamp,
    ) -> Result<(), OAuthError> {
        let client = self.authenticate_client(&request.client).await?;
        let token = request
            .token
            .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
        let found = match self
            .store
            .redeem_refresh_token(&sha256_hex(&token), now)
            .await?
        {
            Redeemed::Fresh(t) | Redeemed::Replayed(t) => t,
            Redeemed::Missing => return Ok(()),
        };
        let revoked = self
            .store
            .revoke_refresh_family(&found.family_id, now)
            .await?;
        let outcome = if found.client_id == client.client_id {
            Outcome::Success
        } else {
            Outcome::Failure
        };
        let detail = format!(
            "{revoked} refresh token(s) revoked at the request of {}",
            client.client_id
        );
        let subject = Some(found.client_id.as_str());
        self.audit(
            Some(&found.account_id),
            "token.revoked",
            subject,
            ctx,
            outcome,
            detail,
            now,
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_verification_follows_rfc7636() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(check_verifier(Some(challenge), Some("S256"), Some(verifier)).is_ok());
        let wrong = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX";
        assert_eq!(
            check_verifier(Some(challenge), Some("S256"), Some(wrong))
                .unwrap_err()
                .error,
            ErrorCode::InvalidGrant
        );
        assert!(check_verifier(Some(challenge), Some("S256"), None).is_err());
        assert!(check_verifier(None, None, Some(verifier)).is_err());
        assert!(check_verifier(Some(challenge), Some("S256"), Some("short")).is_err());
        assert!(check_verifier(Some(verifier), Some("plain"), Some(verifier)).is_ok());
        assert!(check_verifier(None, None, None).is_ok());
    }

    #[test]
    fn code_families_are_stable_and_distinct() {
        assert_eq!(family_of_code("a"), family_of_code("a"));
        assert_ne!(family_of_code("a"), family_of_code("b"));
    }
}
