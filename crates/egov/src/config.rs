//! Configuration: flags, then environment (`EGOV_*`), then an optional TOML
//! file, then defaults — in that order of precedence. Unknown keys in the file
//! are refused.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use egov_app::identity::SmtpConfig;
use serde::Deserialize;

/// Options shared by every command that opens the database. clap reads the
/// flag, else the environment variable; the file and the defaults come after.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DatabaseArgs {
    /// Folder for the embedded SQLite database and local files [default: ./data]
    #[arg(long, env = "EGOV_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB [default: SQLite in the data folder]
    #[arg(long, env = "EGOV_DATABASE_URL", global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// TOML configuration file (keys: listen, data_dir, database_url, demo, admin_token, public_base_url, smtp_*, upstream_*, lookup_*)
    #[arg(long, env = "EGOV_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Options of `egov serve`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "EGOV_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Load the built-in demo data set into an empty database
    #[arg(long, env = "EGOV_DEMO")]
    pub demo: bool,
    /// Bearer token that authorises the admin API (/api/v1/admin/…); without one the admin API is off
    #[arg(
        long,
        env = "EGOV_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
    /// Public address of this server, used in links and as the OpenID Connect
    /// issuer (e.g. https://dichvucong.example.gov.vn) [default: http://LISTEN-ADDRESS]
    #[arg(long, env = "EGOV_PUBLIC_BASE_URL", value_name = "URL")]
    pub public_base_url: Option<String>,
    /// SMTP server that sends e-mail (STARTTLS); without one, e-mail is only logged in demo mode
    #[arg(long, env = "EGOV_SMTP_HOST", value_name = "HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port [default: 587]
    #[arg(long, env = "EGOV_SMTP_PORT", value_name = "PORT")]
    pub smtp_port: Option<u16>,
    #[arg(long, env = "EGOV_SMTP_USERNAME", value_name = "USER")]
    pub smtp_username: Option<String>,
    #[arg(
        long,
        env = "EGOV_SMTP_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true
    )]
    pub smtp_password: Option<String>,
    /// Sender, e.g. "Cổng dịch vụ công <no-reply@example.gov.vn>"
    #[arg(long, env = "EGOV_SMTP_FROM", value_name = "MAILBOX")]
    pub smtp_from: Option<String>,
    /// Issuer URL of an external OpenID Connect identity provider to offer
    /// sign-in through (e.g. VNeID); accounts are linked by national ID number
    #[arg(long, env = "EGOV_UPSTREAM_ISSUER", value_name = "URL")]
    pub upstream_issuer: Option<String>,
    /// Client id of egov registered at the upstream provider
    #[arg(long, env = "EGOV_UPSTREAM_CLIENT_ID", value_name = "ID")]
    pub upstream_client_id: Option<String>,
    /// Client secret of egov at the upstream provider (client_secret_basic)
    #[arg(
        long,
        env = "EGOV_UPSTREAM_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub upstream_client_secret: Option<String>,
    /// Label of the upstream sign-in button ("Đăng nhập bằng NAME") [default: the issuer's host]
    #[arg(long, env = "EGOV_UPSTREAM_NAME", value_name = "NAME")]
    pub upstream_name: Option<String>,
    /// Public dossier lookups (by code, without signing in) one client address
    /// may make at once [default: 30]
    #[arg(long, env = "EGOV_LOOKUP_BURST", value_name = "N")]
    pub lookup_burst: Option<u32>,
    /// After the burst, one more lookup per address every this many milliseconds [default: 2000]
    #[arg(long, env = "EGOV_LOOKUP_INTERVAL_MS", value_name = "MS")]
    pub lookup_interval_ms: Option<u64>,
}

/// The configuration file. Every key is optional; unknown keys are an error.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub demo: Option<bool>,
    pub admin_token: Option<String>,
    pub public_base_url: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_from: Option<String>,
    pub upstream_issuer: Option<String>,
    pub upstream_client_id: Option<String>,
    pub upstream_client_secret: Option<String>,
    pub upstream_name: Option<String>,
    pub lookup_burst: Option<u32>,
    pub lookup_interval_ms: Option<u64>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read configuration file {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in configuration file {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<Self> {
        Ok(toml::from_str(text)?)
    }
}

/// Where the database is, after precedence is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseConfig {
    pub data_dir: PathBuf,
    pub url: String,
}

/// Everything `egov serve` needs, after precedence is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    pub database: DatabaseConfig,
    pub listen: SocketAddr,
    pub demo: bool,
    pub admin_token: Option<String>,
    pub public_base_url: Option<String>,
    pub smtp: Option<SmtpConfig>,
    pub upstream: Option<UpstreamSettings>,
    /// The per-address limit of public dossier lookups.
    pub lookup_limit: LookupLimit,
}

/// Public dossier lookups per client address: `burst` at once, then one
/// more every `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupLimit {
    pub burst: u32,
    pub interval: Duration,
}

impl Default for LookupLimit {
    /// The web layer's defaults.
    fn default() -> Self {
        let web = egov_web::WebConfig::default();
        Self {
            burst: web.lookup_burst,
            interval: web.lookup_interval,
        }
    }
}

/// The external identity provider of upstream login.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub name: String,
}

impl std::fmt::Debug for UpstreamSettings {
    /// Never prints the client secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl DatabaseConfig {
    pub fn resolve(args: &DatabaseArgs, file: &FileConfig) -> anyhow::Result<Self> {
        let data_dir = args
            .data_dir
            .clone()
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from("data"));
        let url = match args
            .database_url
            .clone()
            .or_else(|| file.database_url.clone())
        {
            Some(url) => url,
            None => sqlite_url(&data_dir)?,
        };
        Ok(Self { data_dir, url })
    }
}

impl ServeConfig {
    pub fn resolve(db: &DatabaseArgs, serve: &ServeArgs) -> anyhow::Result<Self> {
        let file = FileConfig::load(db.config.as_deref())?;
        let listen = match serve.listen.or(file.listen) {
            Some(addr) => addr,
            None => DEFAULT_LISTEN.parse()?,
        };
        let admin_token = serve
            .admin_token
            .clone()
            .or_else(|| file.admin_token.clone());
        if admin_token.as_deref().is_some_and(|t| t.len() < 16) {
            bail!("admin_token must be at least 16 characters long");
        }
        Ok(Self {
            database: DatabaseConfig::resolve(db, &file)?,
            listen,
            demo: serve.demo || file.demo.unwrap_or(false),
            admin_token,
            public_base_url: serve
                .public_base_url
                .clone()
                .or_else(|| file.public_base_url.clone())
                .map(|u| u.trim_end_matches('/').to_owned()),
            smtp: smtp(serve, &file)?,
            upstream: upstream(serve, &file)?,
            lookup_limit: lookup_limit(serve, &file)?,
        })
    }
}

/// The lookup limit: flag or environment, else file, else the default.
fn lookup_limit(serve: &ServeArgs, file: &FileConfig) -> anyhow::Result<LookupLimit> {
    let default = LookupLimit::default();
    let burst = serve
        .lookup_burst
        .or(file.lookup_burst)
        .unwrap_or(default.burst);
    let interval = serve
        .lookup_interval_ms
        .or(file.lookup_interval_ms)
        .map_or(default.interval, Duration::from_millis);
    if burst == 0 {
        bail!("lookup_burst must be at least 1");
    }
    if interval.is_zero() {
        bail!("lookup_interval_ms must be at least 1");
    }
    Ok(LookupLimit { burst, interval })
}

/// The SMTP settings, when a host is given (flag, environment or file).
fn smtp(serve: &ServeArgs, file: &FileConfig) -> anyhow::Result<Option<SmtpConfig>> {
    let pick = |flag: &Option<String>, file: &Option<String>| flag.clone().or_else(|| file.clone());
    let Some(host) = pick(&serve.smtp_host, &file.smtp_host) else {
        return Ok(None);
    };
    let Some(from) = pick(&serve.smtp_from, &file.smtp_from) else {
        bail!("smtp_from is required with smtp_host");
    };
    Ok(Some(SmtpConfig {
        host,
        port: serve.smtp_port.or(file.smtp_port).unwrap_or(587),
        username: pick(&serve.smtp_username, &file.smtp_username),
        password: pick(&serve.smtp_password, &file.smtp_password),
        from,
    }))
}

/// The upstream provider, when an issuer is given (flag, environment or file).
fn upstream(serve: &ServeArgs, file: &FileConfig) -> anyhow::Result<Option<UpstreamSettings>> {
    let pick = |flag: &Option<String>, file: &Option<String>| flag.clone().or_else(|| file.clone());
    let Some(issuer) = pick(&serve.upstream_issuer, &file.upstream_issuer) else {
        return Ok(None);
    };
    let Some(client_id) = pick(&serve.upstream_client_id, &file.upstream_client_id) else {
        bail!("upstream_client_id is required with upstream_issuer");
    };
    let Some(host) = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))
        .and_then(|rest| rest.split('/').next())
        .filter(|h| !h.is_empty())
    else {
        bail!("upstream_issuer must be an http(s) URL");
    };
    let name = pick(&serve.upstream_name, &file.upstream_name).unwrap_or_else(|| host.to_owned());
    Ok(Some(UpstreamSettings {
        client_secret: pick(&serve.upstream_client_secret, &file.upstream_client_secret),
        issuer,
        client_id,
        name,
    }))
}

/// The URL of the embedded database in `data_dir` (the folder is created).
fn sqlite_url(data_dir: &Path) -> anyhow::Result<String> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data folder {}", data_dir.display()))?;
    let path = data_dir.join("egov.db");
    let text = path
        .to_str()
        .with_context(|| format!("data folder path is not UTF-8: {}", path.display()))?;
    Ok(format!("sqlite://{text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused() {
        let msg = FileConfig::parse("listen = \"127.0.0.1:9000\"\nlisen = 1\n")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("lisen"), "{msg}");
        assert!(FileConfig::parse("listen = \"127.0.0.1:9000\"\n").is_ok());
    }

    #[test]
    fn flags_beat_file_and_file_beats_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("egov.toml");
        std::fs::write(
            &file,
            format!(
                "listen = \"127.0.0.1:9100\"\ndata_dir = \"{}\"\ndemo = true\n",
                dir.path().join("from-file").display()
            ),
        )
        .unwrap();
        let db = DatabaseArgs {
            config: Some(file),
            ..Default::default()
        };
        let from_file = ServeConfig::resolve(&db, &ServeArgs::default()).unwrap();
        assert_eq!(from_file.listen.port(), 9100);
        assert!(from_file.demo);
        assert!(from_file.database.url.ends_with("from-file/egov.db"));

        let flags = ServeArgs {
            listen: Some("127.0.0.1:9200".parse().unwrap()),
            ..Default::default()
        };
        let db = DatabaseArgs {
            database_url: Some("postgres://db.example/egov".into()),
            ..db
        };
        let from_flags = ServeConfig::resolve(&db, &flags).unwrap();
        assert_eq!(from_flags.listen.port(), 9200);
        assert_eq!(from_flags.database.url, "postgres://db.example/egov");
    }

    #[test]
    fn defaults_apply_without_anything() {
        let dir = tempfile::tempdir().unwrap();
        let db = DatabaseArgs {
            data_dir: Some(dir.path().join("d")),
            ..Default::default()
        };
        let cfg = ServeConfig::resolve(&db, &ServeArgs::default()).unwrap();
        assert_eq!(cfg.listen.to_string(), DEFAULT_LISTEN);
        assert!(!cfg.demo);
        assert!(cfg.database.url.starts_with("sqlite://"));
        assert!(dir.path().join("d").is_dir());
    }

    #[test]
    fn upstream_settings_need_a_client_id_and_hide_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let db = DatabaseArgs {
            data_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let mut serve = ServeArgs {
            upstream_issuer: Some("https://id.example.gov.vn".into()),
            ..Default::default()
        };
        assert!(ServeConfig::resolve(&db, &serve).is_err());
        serve.upstream_client_id = Some("egov".into());
        serve.upstream_client_secret = Some("top-secret-value".into());
        let up = ServeConfig::resolve(&db, &serve).unwrap().upstream.unwrap();
        assert_eq!(up.name, "id.example.gov.vn");
        assert_eq!(up.client_secret.as_deref(), Some("top-secret-value"));
        assert!(!format!("{up:?}").contains("top-secret"));
        serve.upstream_issuer = Some("ftp://x".into());
        assert!(ServeConfig::resolve(&db, &serve).is_err());
    }

    #[test]
    fn the_lookup_limit_follows_the_precedence() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("egov.toml");
        std::fs::write(&file, "lookup_burst = 500\nlookup_interval_ms = 10\n").unwrap();
        let db = DatabaseArgs {
            data_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let defaults = ServeConfig::resolve(&db, &ServeArgs::default()).unwrap();
        assert_eq!(defaults.lookup_limit, LookupLimit::default());
        let db = DatabaseArgs {
            config: Some(file),
            ..db
        };
        let from_file = ServeConfig::resolve(&db, &ServeArgs::default()).unwrap();
        assert_eq!(
            from_file.lookup_limit,
            LookupLimit {
                burst: 500,
                interval: Duration::from_millis(10)
            }
        );
        let flags = ServeArgs {
            lookup_burst: Some(7),
            ..Default::default()
        };
        let from_flags = ServeConfig::resolve(&db, &flags).unwrap();
        assert_eq!(from_flags.lookup_limit.burst, 7);
        assert_eq!(from_flags.lookup_limit.interval, Duration::from_millis(10));
        let zero = ServeArgs {
            lookup_interval_ms: Some(0),
            ..Default::default()
        };
        assert!(ServeConfig::resolve(&db, &zero).is_err());
    }

    #[test]
    fn short_admin_token_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = DatabaseArgs {
            data_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let serve = ServeArgs {
            admin_token: Some("short".into()),
            ..Default::default()
        };
        assert!(ServeConfig::resolve(&db, &serve).is_err());
    }
}
