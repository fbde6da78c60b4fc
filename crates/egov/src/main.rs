//! The `egov` binary: wires configuration, storage, the catalogue and the web
//! server together, and offers the administrative actions on the command line.

mod admin_dossiers;
mod admin_identity;
mod background;
mod cli;
mod commands;
mod config;
mod demo;
mod upstream;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&e.into()),
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(error: &anyhow::Error) -> std::process::ExitCode {
    eprintln!("error: {error:#}");
    std::process::ExitCode::FAILURE
}

/// Logs to standard error; `EGOV_LOG` sets the filter (default `info`),
/// `EGOV_LOG_FORMAT=json` switches to JSON lines.
fn init_logging() {
    let filter = EnvFilter::try_from_env("EGOV_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tantivy=warn,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("EGOV_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}
