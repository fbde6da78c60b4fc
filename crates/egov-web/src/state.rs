//! Configuration of the HTTP edge and the state its handlers share.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egov_app::identity::Accounts;
use egov_app::oidc::{Oidc, UpstreamClient, UpstreamProvider};
use egov_app::{Catalogue, Dossiers};
use egov_search::SearchQuery;
use tokio::sync::RwLock;

use crate::metrics::Metrics;
use crate::problem::Problem;

/// How the HTTP edge behaves.
#[derive(Clone)]
pub struct WebConfig {
    /// Bearer token of the admin API (`/api/v1/admin/…`); `None` turns it off.
    pub admin_token: Option<String>,
    /// Public address of the server (e.g. `https://dichvucong.example.gov.vn`),
    /// listed as the server in the OpenAPI document.
    pub public_base_url: Option<String>,
    /// Longest time a public request may take.
    pub request_timeout: Duration,
    /// Longest time an admin request (an import) may take.
    pub admin_timeout: Duration,
    /// Largest request body outside imports, in bytes.
    pub body_limit: usize,
    /// Largest import file, in bytes.
    pub import_body_limit: usize,
    /// Cookies are `Secure` and the session cookie is `__Host-egov_session`
    /// (set this when the public base URL is https).
    pub secure_cookies: bool,
    /// Take the client address from the right-most `X-Forwarded-For` entry
    /// (only behind a reverse proxy that sets it), for per-address throttling
    /// and the audit log.
    pub trust_forwarded_for: bool,
    /// Public dossier lookups by code (the API's and the page's, each with its
    /// own count) one client address may make at once…
    pub lookup_burst: u32,
    /// …then one more every this long.
    pub lookup_interval: Duration,
    /// Optional upstream login through an external identity provider
    /// (`/dang-nhap/ben-ngoai`); `None` hides it.
    pub upstream: Option<UpstreamLogin>,
}

/// Upstream login (đăng nhập qua nhà cung cấp định danh bên ngoài): the
/// provider, the label of its button and the HTTP client that talks to it.
#[derive(Clone)]
pub struct UpstreamLogin {
    /// The provider; its `redirect_uri` must be `{our issuer}/dang-nhap/ben-ngoai/callback`.
    pub provider: UpstreamProvider,
    /// Shown on the button, e.g. "VNeID".
    pub name: String,
    pub client: Arc<dyn UpstreamClient>,
}

impl std::fmt::Debug for UpstreamLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamLogin")
            .field("provider", &self.provider)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for WebConfig {
    /// Never prints the admin token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .field("public_base_url", &self.public_base_url)
            .field("request_timeout", &self.request_timeout)
            .field("admin_timeout", &self.admin_timeout)
            .field("body_limit", &self.body_limit)
            .field("import_body_limit", &self.import_body_limit)
            .field("secure_cookies", &self.secure_cookies)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("lookup_burst", &self.lookup_burst)
            .field("lookup_interval", &self.lookup_interval)
            .field("upstream", &self.upstream)
            .finish()
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            admin_token: None,
            public_base_url: None,
            request_timeout: Duration::from_secs(30),
            admin_timeout: Duration::from_secs(600),
            body_limit: 1024 * 1024,
            import_body_limit: 32 * 1024 * 1024,
            secure_cookies: false,
            trust_forwarded_for: false,
            lookup_burst: 30,
            lookup_interval: Duration::from_secs(2),
            upstream: None,
        }
    }
}

/// One field (lĩnh vực) and how many procedures it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldCount {
    pub name: String,
    pub count: usize,
}

impl WebConfig {
    /// `secure_cookies` follows the scheme of `public_base_url` (https → true).
    pub fn with_public_base_url(mut self, url: Option<String>) -> Self {
        self.secure_cookies = url
            .as_deref()
            .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"));
        self.public_base_url = url;
        self
    }
}

/// The use cases the edge calls.
#[derive(Clone)]
pub struct Services {
    /// The procedure catalogue, administrative units and agencies.
    pub catalogue: Arc<Catalogue>,
    /// Accounts, sessions, officials and the audit log.
    pub accounts: Arc<Accounts>,
    /// The OpenID Connect provider.
    pub oidc: Arc<Oidc>,
    /// Online services, dossiers, their documents and the audit chain.
    pub dossiers: Arc<Dossiers>,
}

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub catalogue: Arc<Catalogue>,
    pub accounts: Arc<Accounts>,
    pub oidc: Arc<Oidc>,
    pub dossiers: Arc<Dossiers>,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    fields: Arc<RwLock<Option<CachedFields>>>,
}

/// The fields and when they were counted.
type CachedFields = (Instant, Arc<Vec<FieldCount>>);

/// How long the list of fields is kept when nothing here changed procedures
/// (another process, such as a command-line import, may have).
const FIELDS_TTL: Duration = Duration::from_secs(300);

impl AppState {
    pub fn new(services: Services, config: WebConfig) -> Self {
        Self {
            catalogue: services.catalogue,
            accounts: services.accounts,
            oidc: services.oidc,
            dossiers: services.dossiers,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            fields: Arc::new(RwLock::new(None)),
        }
    }

    /// The fields of the catalogue with their procedure counts, by name.
    /// Computed from the search index and kept until procedures change here
    /// or [`FIELDS_TTL`] passes.
    pub async fn fields(&self) -> Result<Arc<Vec<FieldCount>>, Problem> {
        if let Some((at, fields)) = self.fields.read().await.as_ref() {
            if at.elapsed() < FIELDS_TTL {
                return Ok(Arc::clone(fields));
            }
        }
        let fields = Arc::new(self.count_fields().await?);
        *self.fields.write().await = Some((Instant::now(), Arc::clone(&fields)));
        Ok(fields)
    }

    /// Forgets the cached fields (after procedures were imported or edited).
    pub async fn procedures_changed(&self) {
        *self.fields.write().await = None;
    }

    async fn count_fields(&self) -> Result<Vec<FieldCount>, Problem> {
        const CHUNK: usize = egov_search::MAX_LIMIT;
        const MAX_PROCEDURES: usize = 50_000;
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        let mut offset = 0;
        loop {
            let query = SearchQuery {
                offset,
                limit: CHUNK,
                ..SearchQuery::default()
            };
            let results = self.catalogue.search(query, None).await?;
            for hit in &results.hits {
                *counts.entry(hit.field.clone()).or_default() += 1;
            }
            offset += results.hits.len();
            if results.hits.is_empty() || offset >= results.total || offset >= MAX_PROCEDURES {
                break;
            }
        }
        let mut fields: Vec<FieldCount> = counts
            .into_iter()
            .filter(|(name, _)| !name.trim().is_empty())
            .map(|(name, count)| FieldCount { name, count })
            .collect();
        // Vietnamese order: "Đất đai" next to "Đầu tư", not after "Y tế".
        fields.sort_by_cached_key(|f| (egov_domain::text::fold(&f.name), f.name.clone()));
        Ok(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_admin_token() {
        let config = WebConfig {
            admin_token: Some("very-secret-token-123".into()),
            ..WebConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn https_base_urls_turn_secure_cookies_on() {
        let https = WebConfig::default().with_public_base_url(Some("HTTPS://id.gov.vn".into()));
        assert!(https.secure_cookies);
        let http = WebConfig::default().with_public_base_url(Some("http://127.0.0.1:8080".into()));
        assert!(!http.secure_cookies);
        assert!(
            !WebConfig::default()
                .with_public_base_url(None)
                .secure_cookies
        );
    }
}
