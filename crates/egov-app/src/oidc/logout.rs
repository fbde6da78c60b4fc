//! RP-Initiated Logout 1.0 (đăng xuất từ ứng dụng): a relying party sends
//! the person to the end-session endpoint; we check where it asks us to send
//! them afterwards. Ending the web session is the web layer's job.

use egov_domain::identity::AccountId;
use jiff::Timestamp;
use serde_json::Value;

use super::claims::ACCESS_TOKEN_TYP;
use super::clients::redirect_matches;
use super::error::append_query;
use super::{LogoutError, Oidc};

/// What a valid logout request resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndSession {
    /// The person the `id_token_hint` names: the web layer ends the session
    /// only if it is theirs (otherwise it asks).
    pub account: Option<AccountId>,
    pub client_id: Option<String>,
    /// Where to send the browser afterwards (with `state`), if asked and registered.
    pub redirect: Option<String>,
}

/// The audience of an ID token: one client id, or the first of a list.
fn audience(claims: &Value) -> Option<String> {
    match claims.get("aud")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(list) => list.first()?.as_str().map(str::to_owned),
        _ => None,
    }
}

impl Oidc {
    /// Checks a logout request. The `id_token_hint` must be an ID token we
    /// signed (expired ones are accepted, as the spec allows); a
    /// `post_logout_redirect_uri` must be registered for the client (exactly,
    /// or — a loopback IP one — with any port, as for redirect URIs).
    pub async fn end_session(
        &self,
        id_token_hint: Option<&str>,
        client_id: Option<&str>,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
        now: Timestamp,
    ) -> Result<EndSession, LogoutError> {
        let bad = |why: &str| LogoutError::InvalidRequest(why.to_owned());
        let (mut account, mut hinted_client) = (None, None);
        if let Some(hint) = id_token_hint.filter(|h| !h.is_empty()) {
            let data = self
                .verify_jwt::<Value>(hint, now)
                .await
                .map_err(|_| bad("the id_token_hint is not an ID token from this provider"))?;
            let typ = data.header.typ.as_deref().unwrap_or("");
            if typ.eq_ignore_ascii_case(ACCESS_TOKEN_TYP) {
                return Err(bad("the id_token_hint is an access token"));
            }
            account = data
                .claims
                .get("sub")
                .and_then(Value::as_str)
                .map(|s| AccountId(s.to_owned()));
            hinted_client = audience(&data.claims);
        }
        let client_id = match (client_id.filter(|c| !c.is_empty()), hinted_client) {
            (Some(given), Some(hinted)) if given != hinted => {
                return Err(bad("client_id differs from the id_token_hint's audience"))
            }
            (Some(given), _) => Some(given.to_owned()),
            (None, hinted) => hinted,
        };
        let redirect = match post_logout_redirect_uri.filter(|u| !u.is_empty()) {
            None => None,
            Some(uri) => {
                let id = client_id.as_deref().ok_or_else(|| {
                    bad("post_logout_redirect_uri needs an id_token_hint or client_id")
                })?;
                let client = self
                    .store
                    .client(id)
                    .await?
                    .ok_or_else(|| bad("unknown client"))?;
                if !client
                    .post_logout_redirect_uris
                    .iter()
                    .any(|r| redirect_matches(r, uri))
                {
                    return Err(bad(
                        "the post_logout_redirect_uri is not registered for this client",
                    ));
                }
                Some(match state {
                    Some(s) => append_query(uri, &[("state", s)]),
                    None => uri.to_owned(),
                })
            }
        };
        Ok(EndSession {
            account,
            client_id,
            redirect,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_is_a_string_or_the_first_of_a_list() {
        assert_eq!(
            audience(&serde_json::json!({"aud": "a"})).as_deref(),
            Some("a")
        );
        assert_eq!(
            audience(&serde_json::json!({"aud": ["b", "c"]})).as_deref(),
            Some("b")
        );
        assert_eq!(audience(&serde_json::json!({})), None);
    }
}
