//! OpenID Connect benchmarks' in-process parts: authorization codes made in
//! advance (so the HTTP benchmark measures only the token endpoint), and the
//! cost of one argon2id verification with the production parameters.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use base64::Engine;
use egov_app::identity::{hash_password, verify_password, PASSWORD_HASH_PARAMS};
use egov_app::oidc::{AuthorizationParams, Oidc, OidcConfig};
use egov_app::ports::IdentityStore;
use egov_store::SqlStore;
use sha2::{Digest, Sha256};

/// The PKCE verifier every benchmark code is issued for.
pub const VERIFIER: &str = "egov-bench-pkce-verifier-0123456789-abcdefghijklmnop";
/// A loopback redirect of the demo client (any port is allowed).
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
const DEMO_CITIZEN: &str = "001203012345";

/// Prints `count` fresh authorization codes, one a line, for the demo client
/// and the demo citizen of the database in `dir` (made by `egov serve --demo`).
#[allow(clippy::print_stdout)]
pub async fn codes(dir: &Path, issuer: &str, count: usize) -> anyhow::Result<()> {
    let store = SqlStore::connect(&crate::db_url(dir)).await?;
    let store: Arc<dyn IdentityStore> = Arc::new(store);
    let Some((citizen, _)) = store.account_by_login(DEMO_CITIZEN).await? else {
        bail!("no demo citizen: start `egov serve --demo` on this data folder first");
    };
    let oidc = Oidc::new(Arc::clone(&store), OidcConfig::new(issuer));
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER));
    let request = oidc
        .validate_authorization(AuthorizationParams {
            response_type: Some("code".into()),
            client_id: Some("egov-demo".into()),
            redirect_uri: Some(REDIRECT_URI.into()),
            scope: Some("openid profile".into()),
            state: Some("bench".into()),
            nonce: Some("bench".into()),
            code_challenge: Some(challenge),
            code_challenge_method: Some("S256".into()),
            prompt: None,
        })
        .await
        .map_err(|e| anyhow::anyhow!("authorization request refused: {e:?}"))?;
    let now = jiff::Timestamp::now();
    for _ in 0..count {
        let code = oidc.issue_code(&request, &citizen.id, now, now).await?;
        println!("{code}");
    }
    Ok(())
}

/// Times argon2id verifications with the parameters accounts use.
#[allow(clippy::print_stdout)]
pub fn argon2(rounds: usize) -> anyhow::Result<()> {
    let hash = hash_password("correct horse battery staple").context("hashing")?;
    let p = PASSWORD_HASH_PARAMS;
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        let ok = verify_password("correct horse battery staple", &hash);
        samples.push(t.elapsed());
        if !ok {
            bail!("verification failed");
        }
    }
    let (p50, p99) = crate::percentiles(&mut samples);
    println!(
        "argon2id ({p:?}), one verification: p50 {:.1} ms, max {:.1} ms over {rounds}",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    Ok(())
}
