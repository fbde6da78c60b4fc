//! The command line: `egov serve`, `egov migrate`, `egov import …`, `egov admin …`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{DatabaseArgs, ServeArgs};

/// egov — an e-government platform: the catalogue of administrative procedures,
/// administrative units and agencies, served as a web portal and a JSON API.
///
/// Start with `egov serve --demo` and open http://127.0.0.1:8080.
/// The database is SQLite in ./data unless --database-url names another
/// (sqlite://PATH or postgres://…). Every option can also be set in the
/// environment (EGOV_LISTEN, EGOV_DATABASE_URL, …) or a TOML file (--config).
#[derive(Debug, Parser)]
#[command(name = "egov", version)]
pub struct Cli {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (applies database migrations first)
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit
    Migrate,
    /// Import a file into the catalogue (all records or none)
    #[command(subcommand)]
    Import(ImportCommand),
    /// Administrative actions, for scripts and automated deployments
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Check the dossiers' hash-chained audit log
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the whole chain; exit 1 naming the first edited, removed or reordered entry
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// List the online services
    List,
    /// Print a service definition as JSON
    Show { procedure_code: String },
    /// Publish a service definition (a JSON file); a new version when it changed
    Publish { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Holidays and declared days of a year
    Show { year: i16 },
    /// Declare a day off or a make-up working day
    Declare {
        /// The date, YYYY-MM-DD
        date: jiff::civil::Date,
        #[arg(long, value_enum)]
        kind: DayKindArg,
        /// Why (e.g. the Prime Minister's decision)
        #[arg(long)]
        reason: String,
    },
    /// Remove a declared day
    Remove { date: jiff::civil::Date },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DayKindArg {
    /// A day off (nghỉ)
    DayOff,
    /// A make-up working day (làm bù)
    WorkingDay,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EraArg {
    /// Units since 1 July 2025 (34 provinces, communes)
    Current,
    /// Units before 1 July 2025 (63 provinces, districts, communes)
    #[value(name = "pre-2025")]
    Pre2025,
}

impl From<EraArg> for egov_domain::Era {
    fn from(e: EraArg) -> Self {
        match e {
            EraArg::Current => egov_domain::Era::Current,
            EraArg::Pre2025 => egov_domain::Era::Pre2025,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Administrative units from a CSV or JSON list with official codes (mã ĐVHC)
    AdminUnits {
        file: PathBuf,
        /// Which generation of units the file lists
        #[arg(long, value_enum, default_value = "current")]
        era: EraArg,
    },
    /// Links from pre-2025 units to today's units (CSV or JSON)
    UnitSuccessions {
        file: PathBuf,
        /// Skip (and count) links whose old or new unit is not stored, instead of refusing the file
        #[arg(long)]
        skip_unknown: bool,
    },
    /// Agencies (CSV: code,name,kind,parent_code,admin_unit_code; or JSON)
    Agencies { file: PathBuf },
    /// Procedures: the national portal's .xlsx export, .csv, .jsonl or .json
    Procedures { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Load the built-in demo data set into an empty database
    LoadDemo,
    /// Counts of what the database holds
    Stats,
    /// Show, list versions of, or edit a procedure
    #[command(subcommand)]
    Procedure(ProcedureCommand),
    /// List, show or create/update agencies
    #[command(subcommand)]
    Agency(AgencyCommand),
    /// Create officials, list them, change their roles
    #[command(subcommand)]
    Official(OfficialCommand),
    /// Register and list OpenID Connect clients (relying parties)
    #[command(subcommand)]
    Client(ClientCommand),
    /// Read the audit log (newest first)
    Audit {
        /// Only entries by this account id
        #[arg(long)]
        actor: Option<String>,
        /// Only entries about this account or client id
        #[arg(long)]
        subject: Option<String>,
        /// Only actions starting with this (e.g. `sign-in`)
        #[arg(long)]
        action: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// List, show or publish online service definitions
    #[command(subcommand)]
    Service(ServiceCommand),
    /// The working-day calendar: holidays, declared days off and make-up days
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Show an administrative unit (with its successors or predecessors)
    Unit {
        code: String,
        #[arg(long, value_enum, default_value = "current")]
        era: EraArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProcedureCommand {
    /// Print a procedure as JSON (the current version unless --version)
    Show {
        code: String,
        #[arg(long)]
        version: Option<u32>,
    },
    /// List a procedure's versions
    History { code: String },
    /// Store an edited procedure (a JSON file) as a new version
    Edit { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum OfficialCommand {
    /// Create an official; a code to set the password is e-mailed to them
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Code of the agency the roles are held in
        #[arg(long)]
        agency: String,
        /// receiving-officer, specialist, leader, agency-admin or system-admin (repeatable)
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Require a TOTP second factor at sign-in
        #[arg(long)]
        totp_required: bool,
    },
    /// List the officials of an agency
    List {
        #[arg(long)]
        agency: String,
    },
    /// Replace an official's roles: --role AGENCY=ROLE, repeatable (none: take all away)
    Roles {
        account_id: String,
        #[arg(long = "role")]
        roles: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ClientKindArg {
    /// A server-side application that keeps a secret
    Confidential,
    /// A mobile or browser application (PKCE S256 required)
    Public,
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a client; a confidential client's secret is printed once
    Register {
        #[arg(long)]
        name: String,
        /// Chosen client id (random when absent)
        #[arg(long)]
        client_id: Option<String>,
        #[arg(long, value_enum)]
        kind: ClientKindArg,
        /// Exact redirect URI (repeatable)
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// Where RP-initiated logout may return to (repeatable)
        #[arg(long = "post-logout-redirect-uri")]
        post_logout_redirect_uris: Vec<String>,
        /// Scopes the client may ask for (repeatable) [default: openid profile]
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// authorization_code, refresh_token, client_credentials (repeatable) [default: authorization_code refresh_token]
        #[arg(long = "grant")]
        grants: Vec<String>,
    },
    /// List the registered clients
    List,
}

#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// List agencies (children of --parent, or all)
    List {
        #[arg(long)]
        parent: Option<String>,
    },
    /// Print one agency as JSON
    Show { code: String },
    /// Create or update agencies from a CSV or JSON file
    Upsert { file: PathBuf },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn import_admin_units_takes_an_era() {
        let cli = Cli::try_parse_from([
            "egov",
            "import",
            "admin-units",
            "x.csv",
            "--era",
            "pre-2025",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Command::Import(ImportCommand::AdminUnits {
                era: EraArg::Pre2025,
                ..
            })
        ));
        assert!(
            Cli::try_parse_from(["egov", "import", "admin-units", "x.csv", "--era", "1990"])
                .is_err()
        );
    }

    #[test]
    fn database_options_work_after_the_subcommand() {
        let cli =
            Cli::try_parse_from(["egov", "migrate", "--database-url", "sqlite://x.db"]).unwrap();
        assert_eq!(cli.db.database_url.as_deref(), Some("sqlite://x.db"));
    }
}
