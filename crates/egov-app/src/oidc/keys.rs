//! Token-signing keys (khóa ký): ES256 (P-256) keys, rotated on a schedule.
//!
//! A key signs from `activates_at` until `retires_at`, and stays in the JWKS
//! until `expires_at` so that tokens it signed still verify. The next key is
//! stored (and published) shortly before the current one retires, so relying
//! parties that cache the JWKS already know it when it starts signing.
//!
//! Decoded keys are kept in memory: verifying a token reads the database only
//! when it names a key id the cache does not know (at most every few seconds).

use std::sync::{Arc, RwLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jiff::{SignedDuration, Timestamp};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, TokenData, Validation};
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use p256::pkcs8::{EncodePrivateKey as _, LineEnding};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{after, random_token, ErrorCode, OAuthError, Oidc};
use crate::ports::SigningKey;
use crate::AppError;

pub(super) const ALG: &str = "ES256";
/// A cache older than this is reloaded before the JWKS is served.
const CACHE_MAX_AGE: SignedDuration = SignedDuration::from_secs(60);
/// An unknown key id reloads the cache at most this often.
const UNKNOWN_KID_RELOAD: SignedDuration = SignedDuration::from_secs(5);

/// A stored key, decoded once.
pub(super) struct LoadedKey {
    pub kid: String,
    activates_at: Timestamp,
    retires_at: Timestamp,
    expires_at: Timestamp,
    encoding: EncodingKey,
    pub decoding: DecodingKey,
    jwk: serde_json::Value,
}

impl LoadedKey {
    fn decode(key: &SigningKey) -> Option<Self> {
        let jwk: serde_json::Value = serde_json::from_str(&key.public_jwk).ok()?;
        let (x, y) = (jwk.get("x")?.as_str()?, jwk.get("y")?.as_str()?);
        let decoding = DecodingKey::from_ec_components(x, y).ok()?;
        let encoding = EncodingKey::from_ec_pem(key.private_pem.as_bytes()).ok()?;
        Some(Self {
            kid: key.kid.clone(),
            activates_at: key.activates_at,
            retires_at: key.retires_at,
            expires_at: key.expires_at,
            encoding,
            decoding,
            jwk,
        })
    }

    fn signs_at(&self, now: Timestamp) -> bool {
        self.activates_at <= now && now < self.retires_at
    }
}

#[derive(Default)]
struct Cache {
    keys: Vec<Arc<LoadedKey>>,
    loaded_at: Option<Timestamp>,
}

/// The in-memory copy of the stored keys.
#[derive(Default)]
pub(super) struct KeyRing {
    cache: RwLock<Cache>,
    /// Serialises key generation within this process.
    generating: tokio::sync::Mutex<()>,
}

impl KeyRing {
    fn read<R>(&self, f: impl FnOnce(&Cache) -> R) -> R {
        match self.cache.read() {
            Ok(c) => f(&c),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    fn replace(&self, keys: Vec<Arc<LoadedKey>>, now: Timestamp) {
        let mut cache = match self.cache.write() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        *cache = Cache {
            keys,
            loaded_at: Some(now),
        };
    }

    fn older_than(&self, now: Timestamp, age: SignedDuration) -> bool {
        self.read(|c| c.loaded_at.is_none_or(|at| after(at, age) <= now))
    }

    /// The key that signs at `now` (the most recently activated one).
    fn active(&self, now: Timestamp) -> Option<Arc<LoadedKey>> {
        self.read(|c| {
            c.keys
                .iter()
                .filter(|k| k.signs_at(now))
                .max_by_key(|k| k.activates_at)
                .cloned()
        })
    }

    fn find(&self, kid: &str, now: Timestamp) -> Option<Arc<LoadedKey>> {
        self.read(|c| {
            c.keys
                .iter()
                .find(|k| k.kid == kid && now < k.expires_at)
                .cloned()
        })
    }
}

/// A new P-256 key pair as a stored record.
fn generate_key(
    activates_at: Timestamp,
    rotation: SignedDuration,
    overlap: SignedDuration,
    now: Timestamp,
) -> Result<SigningKey, AppError> {
    let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let pem = secret
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| AppError::Storage(format!("cannot encode a signing key: {e}")))?;
    let point = secret.public_key().to_encoded_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        return Err(AppError::Storage("cannot encode a public key".into()));
    };
    let kid = random_token(16);
    let jwk = serde_json::json!({
        "kty": "EC",
        "crv": "P-256",
        "x": URL_SAFE_NO_PAD.encode(x),
        "y": URL_SAFE_NO_PAD.encode(y),
        "kid": kid,
        "alg": ALG,
        "use": "sig",
    });
    let retires_at = after(activates_at, rotation);
    Ok(SigningKey {
        kid,
        alg: ALG.to_owned(),
        private_pem: pem.to_string(),
        public_jwk: jwk.to_string(),
        created_at: now,
        activates_at,
        retires_at,
        expires_at: after(retires_at, overlap),
    })
}

impl Oidc {
    /// Makes sure a key signs at `now` (generating one if none does) and that
    /// its successor is published before it retires. Returns the signing key id.
    /// Call at start-up and then periodically (e.g. hourly).
    pub async fn ensure_signing_key(&self, now: Timestamp) -> Result<String, AppError> {
        let _one_at_a_time = self.keys.generating.lock().await;
        let stored = self.store.signing_keys(now).await?;
        let active = stored
            .iter()
            .filter(|k| k.activates_at <= now && now < k.retires_at)
            .max_by_key(|k| k.activates_at);
        let (rotation, overlap) = (self.config.key_rotation, self.config.key_overlap);
        let active_kid = match active {
            None => {
                let key = generate_key(now, rotation, overlap, now)?;
                self.store.put_signing_key(&key).await?;
                key.kid
            }
            Some(current) => {
                let has_successor = stored.iter().any(|k| k.activates_at >= current.retires_at);
                let publish_from = current
                    .retires_at
                    .checked_sub(overlap.min(rotation / 2))
                    .unwrap_or(current.activates_at);
                if !has_successor && now >= publish_from {
                    let next = generate_key(current.retires_at, rotation, overlap, now)?;
                    self.store.put_signing_key(&next).await?;
                }
                current.kid.clone()
            }
        };
        self.reload_keys(now).await?;
        Ok(active_kid)
    }

    /// The JSON Web Key Set: every key not yet expired (`{"keys": […]}`).
    pub async fn jwks(&self, now: Timestamp) -> Result<serde_json::Value, AppError> {
        if self.keys.older_than(now, CACHE_MAX_AGE) {
            self.reload_keys(now).await?;
        }
        let keys: Vec<serde_json::Value> = self.keys.read(|c| {
            c.keys
                .iter()
                .filter(|k| now < k.expires_at)
                .map(|k| k.jwk.clone())
                .collect()
        });
        Ok(serde_json::json!({ "keys": keys }))
    }

    async fn reload_keys(&self, now: Timestamp) -> Result<(), AppError> {
        let stored = self.store.signing_keys(now).await?;
        let keys = stored
            .iter()
            .filter_map(|k| {
                let loaded = LoadedKey::decode(k);
                if loaded.is_none() {
                    tracing::warn!(kid = %k.kid, "a stored signing key cannot be decoded; skipped");
                }
                loaded.map(Arc::new)
            })
            .collect();
        self.keys.replace(keys, now);
        Ok(())
    }

    /// Signs `claims` as a JWT with the active key; `typ` is the header type.
    pub(super) async fn sign<T: Serialize>(
        &self,
        typ: &str,
        claims: &T,
        now: Timestamp,
    ) -> Result<String, AppError> {
        let key = match self.keys.active(now) {
            Some(k) => k,
            None => {
                self.ensure_signing_key(now).await?;
                self.keys
                    .active(now)
                    .ok_or_else(|| AppError::Storage("no usable signing key".into()))?
            }
        };
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some(typ.to_owned());
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.encoding)
            .map_err(|e| AppError::Storage(format!("cannot sign a token: {e}")))
    }

    /// Checks a JWT's signature (ES256 only, with one of our unexpired keys)
    /// and issuer. Expiry is left to the caller (the logout hint may be expired).
    pub(super) async fn verify_jwt<T: DeserializeOwned>(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<TokenData<T>, OAuthError> {
        let bad = |why: &str| OAuthError::new(ErrorCode::InvalidToken, why);
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| bad("the token is malformed"))?;
        if header.alg != Algorithm::ES256 {
            return Err(bad("the token is not signed with ES256"));
        }
        let kid = header.kid.ok_or_else(|| bad("the token names no key"))?;
        let key = match self.keys.find(&kid, now) {
            Some(k) => k,
            None if self.keys.older_than(now, UNKNOWN_KID_RELOAD) => {
                self.reload_keys(now).await?;
                self.keys
                    .find(&kid, now)
                    .ok_or_else(|| bad("unknown signing key"))?
            }
            None => return Err(bad("unknown signing key")),
        };
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_required_spec_claims(&["iss", "sub", "exp"]);
        validation.validate_exp = false;
        validation.validate_aud = false;
        jsonwebtoken::decode::<T>(token, &key.decoding, &validation)
            .map_err(|_| bad("the token signature or issuer is invalid"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_sign_and_verify() {
        let now = Timestamp::UNIX_EPOCH;
        let stored = generate_key(
            now,
            SignedDuration::from_hours(1),
            SignedDuration::from_hours(1),
            now,
        )
        .unwrap();
        let key = LoadedKey::decode(&stored).unwrap();
        assert!(key.signs_at(now));
        assert!(!key.signs_at(after(now, SignedDuration::from_hours(1))));
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(key.kid.clone());
        let claims = serde_json::json!({"sub": "a", "exp": 10_000_000_000u64});
        let token = jsonwebtoken::encode(&header, &claims, &key.encoding).unwrap();
        let mut v = Validation::new(Algorithm::ES256);
        v.validate_aud = false;
        let data = jsonwebtoken::decode::<serde_json::Value>(&token, &key.decoding, &v).unwrap();
        assert_eq!(data.claims["sub"], "a");
        assert_eq!(key.jwk["kty"], "EC");
        assert_eq!(key.jwk["crv"], "P-256");
        assert_eq!(key.jwk["kid"], key.kid.as_str());
    }
}
