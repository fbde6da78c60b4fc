//! What each command does.

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};
use egov_app::dossiers::DossierConfig;
use egov_app::identity::{Accounts, IdentityConfig};
use egov_app::oidc::{Oidc, OidcConfig};
use egov_app::ports::{AgencyFilter, ImportCounts};
use egov_app::ports::{DossierStore, IdentityStore};
use egov_app::Dossiers;
use egov_app::{Catalogue, CatalogueStore};
use egov_blobs::{LocalBlobStore, NoScan};
use egov_domain::{Era, PageRequest, Procedure, ProcedureCode};
use egov_import::Format;
use egov_store::SqlStore;
use egov_web::Services;

use crate::cli::{
    AdminCommand, AgencyCommand, AuditCommand, Cli, Command, ImportCommand, ProcedureCommand,
};
use crate::config::{DatabaseConfig, FileConfig, ServeConfig};
use crate::demo::{self, DemoOutcome};
use crate::{admin_identity, background};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(ServeConfig::resolve(&cli.db, &args)?).await,
        Command::Migrate => {
            let db = database(&cli.db)?;
            open_store(&db).await?;
            say(&format!(
                "database {} is up to date",
                egov_store::redacted_url(&db.url)
            ));
            Ok(())
        }
        Command::Import(import) => {
            let services = open_services(&database(&cli.db)?, CLI_ISSUER, false).await?;
            run_import(&services.catalogue, import).await
        }
        Command::Admin(admin) => {
            let services = open_services(&database(&cli.db)?, CLI_ISSUER, false).await?;
            run_admin(&services, admin).await
        }
        Command::Audit(AuditCommand::Verify) => {
            let services = open_services(&database(&cli.db)?, CLI_ISSUER, false).await?;
            let report = services
                .dossiers
                .verify_audit()
                .await
                .context("the audit chain does not verify")?;
            print_json(&report)?;
            say(&format!("audit chain intact: {} entries", report.entries));
            Ok(())
        }
    }
}

/// The command line issues no tokens; the issuer only names the provider.
const CLI_ISSUER: &str = "http://127.0.0.1:8080";

fn database(args: &crate::config::DatabaseArgs) -> anyhow::Result<DatabaseConfig> {
    let file = FileConfig::load(args.config.as_deref())?;
    DatabaseConfig::resolve(args, &file)
}

async fn open_store(db: &DatabaseConfig) -> anyhow::Result<Arc<SqlStore>> {
    let store = SqlStore::connect(&db.url)
        .await
        .with_context(|| format!("cannot open database {}", egov_store::redacted_url(&db.url)))?;
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    Ok(Arc::new(store))
}

/// The use cases over one database.
async fn open_services(db: &DatabaseConfig, issuer: &str, demo: bool) -> anyhow::Result<Services> {
    let store = open_store(db).await?;
    let catalogue_store: Arc<dyn CatalogueStore> = store.clone();
    let dossier_store: Arc<dyn DossierStore> = store.clone();
    let identity_store: Arc<dyn IdentityStore> = store;
    let catalogue = Arc::new(Catalogue::open(Arc::clone(&catalogue_store)).await?);
    let config = IdentityConfig {
        demo,
        ..IdentityConfig::default()
    };
    let accounts = Arc::new(Accounts::new(
        Arc::clone(&identity_store),
        Arc::clone(&catalogue_store),
        config,
    ));
    let oidc = Arc::new(Oidc::new(
        Arc::clone(&identity_store),
        OidcConfig::new(issuer),
    ));
    let blobs = LocalBlobStore::open(db.data_dir.join("files"))
        .await
        .with_context(|| format!("cannot open the file store in {}", db.data_dir.display()))?;
    let dossiers = Arc::new(Dossiers::new(
        dossier_store,
        identity_store,
        Arc::clone(&catalogue_store),
        Arc::new(blobs),
        Arc::new(NoScan),
        DossierConfig {
            public_base_url: issuer.trim_end_matches('/').to_owned(),
            ..DossierConfig::default()
        },
    ));
    Ok(Services {
        catalogue,
        accounts,
        oidc,
        dossiers,
    })
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let issuer = config
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let services = open_services(&config.database, &issuer, config.demo).await?;
    let now = jiff::Timestamp::now();
    if config.demo {
        report_demo(demo::load(&services.catalogue, now).await?);
        let created = services.accounts.load_demo_accounts(now).await?;
        services.oidc.ensure_demo_client(now).await?;
        let published = demo::load_services(&services.dossiers, now).await?;
        say(&format!("demo online services ready ({published} new)"));
        say(&format!(
            "demo accounts ready ({} new; logins and passwords in the README)",
            created.iter().filter(|a| a.created).count()
        ));
    }
    services.oidc.ensure_signing_key(now).await?;
    let mut background = background::spawn(&services, &config)?;
    let web = egov_web::WebConfig {
        admin_token: config.admin_token.clone(),
        public_base_url: config.public_base_url.clone(),
        secure_cookies: issuer.starts_with("https://"),
        upstream: upstream_login(&config, &issuer)?,
        lookup_burst: config.lookup_limit.burst,
        lookup_interval: config.lookup_limit.interval,
        ..Default::default()
    };
    let app = egov_web::router(services, web);
    say(&format!(
        "egov listening on http://{addr} (database: {})",
        egov_store::redacted_url(&config.database.url)
    ));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    background.abort_all();
    say("egov stopped");
    Ok(())
}

/// Upstream login, when an external provider is configured.
fn upstream_login(
    config: &ServeConfig,
    issuer: &str,
) -> anyhow::Result<Option<egov_web::UpstreamLogin>> {
    let Some(up) = &config.upstream else {
        return Ok(None);
    };
    let provider = egov_app::oidc::UpstreamProvider {
        issuer: up.issuer.clone(),
        client_id: up.client_id.clone(),
        client_secret: up.client_secret.clone(),
        redirect_uri: format!("{issuer}/dang-nhap/ben-ngoai/callback"),
        scopes: vec!["openid".into(), "national_id".into()],
        national_id_claim: "national_id".into(),
    };
    say(&format!("upstream login through {}", up.issuer));
    Ok(Some(egov_web::UpstreamLogin {
        provider,
        name: up.name.clone(),
        client: Arc::new(crate::upstream::HttpUpstreamClient::new()?),
    }))
}

fn report_demo(outcome: DemoOutcome) {
    match outcome {
        DemoOutcome::Loaded {
            units,
            agencies,
            procedures,
        } => say(&format!(
            "demo data loaded: {units} administrative units, {agencies} agencies, {procedures} procedures"
        )),
        DemoOutcome::AlreadyLoaded => say("demo data already loaded"),
        DemoOutcome::NotEmpty => {
            tracing::warn!("--demo ignored: the database already holds other data")
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

fn read_file(path: &Path) -> anyhow::Result<(Vec<u8>, Format)> {
    let name = path.to_string_lossy();
    let Some(format) = Format::from_file_name(&name) else {
        bail!("{name}: unknown file type; use .csv, .json, .jsonl or .xlsx");
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
    Ok((bytes, format))
}

async fn run_import(catalogue: &Catalogue, command: ImportCommand) -> anyhow::Result<()> {
    let (what, file, counts) = match command {
        ImportCommand::AdminUnits { file, era } => {
            let (bytes, format) = read_file(&file)?;
            let units = egov_import::read_admin_units(&bytes, format, era.into())
                .with_context(|| file.display().to_string())?;
            (
                "administrative units",
                file,
                catalogue.import_admin_units(&units).await?,
            )
        }
        ImportCommand::UnitSuccessions { file, skip_unknown } => {
            let (bytes, format) = read_file(&file)?;
            let links = egov_import::read_successions(&bytes, format)
                .with_context(|| file.display().to_string())?;
            let counts = if skip_unknown {
                catalogue.import_known_successions(&links).await?
            } else {
                catalogue.import_successions(&links).await?
            };
            ("unit successions", file, counts)
        }
        ImportCommand::Agencies { file } => {
            let (bytes, format) = read_file(&file)?;
            let agencies = egov_import::read_agencies(&bytes, format)
                .with_context(|| file.display().to_string())?;
            (
                "agencies",
                file,
                catalogue.upsert_agencies(&agencies).await?,
            )
        }
        ImportCommand::Procedures { file } => {
            let (bytes, format) = read_file(&file)?;
            let procedures = egov_import::read_procedures(&bytes, format)
                .with_context(|| file.display().to_string())?;
            let counts = catalogue
                .import_procedures(procedures, jiff::Timestamp::now())
                .await?;
            ("procedures", file, counts)
        }
    };
    say(&format!("{}: {}", file.display(), describe(what, counts)));
    Ok(())
}

fn describe(what: &str, c: ImportCounts) -> String {
    format!(
        "{what}: {} created, {} updated, {} unchanged, {} skipped",
        c.created, c.updated, c.unchanged, c.skipped
    )
}

async fn run_admin(services: &Services, command: AdminCommand) -> anyhow::Result<()> {
    let catalogue = &services.catalogue;
    match command {
        AdminCommand::LoadDemo => report_demo(demo::load(catalogue, jiff::Timestamp::now()).await?),
        AdminCommand::Stats => {
            let store = catalogue.store();
            print_json(&serde_json::json!({
                "procedures": store.count_procedures().await?,
                "admin_units_current": store.count_admin_units(Era::Current).await?,
                "admin_units_pre_2025": store.count_admin_units(Era::Pre2025).await?,
            }))?;
        }
        AdminCommand::Procedure(p) => run_procedure(catalogue, p).await?,
        AdminCommand::Agency(a) => run_agency(catalogue, a).await?,
        AdminCommand::Official(o) => admin_identity::official(&services.accounts, o).await?,
        AdminCommand::Client(c) => admin_identity::client(&services.oidc, c).await?,
        AdminCommand::Audit {
            actor,
            subject,
            action,
            limit,
        } => admin_identity::audit(&services.accounts, actor, subject, action, limit).await?,
        AdminCommand::Service(command) => {
            crate::admin_dossiers::service(&services.dossiers, command).await?
        }
        AdminCommand::Calendar(command) => {
            crate::admin_dossiers::calendar(&services.dossiers, command).await?
        }
        AdminCommand::Unit { code, era } => {
            let era: Era = era.into();
            let unit = catalogue.admin_unit(era, &code).await?;
            let linked = match era {
                Era::Pre2025 => catalogue.successors_of(&unit).await?,
                Era::Current => catalogue.predecessors_of(&unit.code).await?,
            };
            print_json(&serde_json::json!({ "unit": unit, "linked": linked }))?;
        }
    }
    Ok(())
}

async fn run_procedure(catalogue: &Catalogue, command: ProcedureCommand) -> anyhow::Result<()> {
    match command {
        ProcedureCommand::Show { code, version } => {
            let code = ProcedureCode::parse(&code)?;
            let v = match version {
                Some(n) => catalogue.procedure_version(&code, n).await?,
                None => catalogue.procedure(&code).await?,
            };
            print_json(&v)
        }
        ProcedureCommand::History { code } => print_json(
            &catalogue
                .procedure_history(&ProcedureCode::parse(&code)?)
                .await?,
        ),
        ProcedureCommand::Edit { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let procedure: Procedure = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a procedure in JSON", file.display()))?;
            let v = catalogue
                .edit_procedure(procedure, jiff::Timestamp::now())
                .await?;
            say(&format!(
                "{} is now at version {}",
                v.procedure.code, v.version
            ));
            Ok(())
        }
    }
}

async fn run_agency(catalogue: &Catalogue, command: AgencyCommand) -> anyhow::Result<()> {
    match command {
        AgencyCommand::List { parent } => {
            let mut offset = 0;
            loop {
                let filter = AgencyFilter {
                    parent_code: parent.clone(),
                    page: PageRequest::new(offset, PageRequest::MAX_LIMIT),
                    ..Default::default()
                };
                let page = catalogue.list_agencies(&filter).await?;
                for a in &page.items {
                    say(&format!("{}\t{}\t{}", a.code, a.kind.as_str(), a.name));
                }
                offset += PageRequest::MAX_LIMIT;
                if u64::from(offset) >= page.total {
                    return Ok(());
                }
            }
        }
        AgencyCommand::Show { code } => print_json(&catalogue.agency(&code).await?),
        AgencyCommand::Upsert { file } => {
            run_import(catalogue, ImportCommand::Agencies { file }).await
        }
    }
}

/// Command output goes to standard output; logs go to standard error.
#[allow(clippy::print_stdout)]
pub fn say(line: &str) {
    println!("{line}");
}

pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    say(&serde_json::to_string_pretty(value)?);
    Ok(())
}
