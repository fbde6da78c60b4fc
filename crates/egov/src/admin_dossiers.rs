//! `egov admin service …` and `egov admin calendar …`: online service
//! definitions and the working-day calendar from the command line.

use std::path::Path;

use anyhow::Context;
use egov_app::Dossiers;
use egov_domain::calendar::{CalendarOverride, OverrideKind};
use egov_domain::identity::Actor;
use egov_domain::service::ServiceDefinition;

use crate::cli::{CalendarCommand, DayKindArg, ServiceCommand};
use crate::commands::{print_json, say};

pub async fn service(dossiers: &Dossiers, command: ServiceCommand) -> anyhow::Result<()> {
    match command {
        ServiceCommand::List => print_json(&dossiers.services().await?)?,
        ServiceCommand::Show { procedure_code } => {
            let (version, definition) = dossiers.service(&procedure_code).await?;
            say(&format!("version {version}"));
            print_json(&definition)?;
        }
        ServiceCommand::Publish { file } => {
            let definition = read_definition(&file)?;
            let (version, new) = dossiers
                .publish_service(&Actor::System, definition, jiff::Timestamp::now())
                .await?;
            say(&if new {
                format!("published version {version}")
            } else {
                format!("unchanged: version {version} is the same")
            });
        }
    }
    Ok(())
}

fn read_definition(file: &Path) -> anyhow::Result<ServiceDefinition> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a service definition", file.display()))
}

pub async fn calendar(dossiers: &Dossiers, command: CalendarCommand) -> anyhow::Result<()> {
    match command {
        CalendarCommand::Show { year } => print_json(&dossiers.calendar_year(year).await?)?,
        CalendarCommand::Declare { date, kind, reason } => {
            let kind = match kind {
                DayKindArg::DayOff => OverrideKind::DayOff,
                DayKindArg::WorkingDay => OverrideKind::WorkingDay,
            };
            let day = CalendarOverride::new(date, kind, reason)?;
            dossiers.declare_day(&Actor::System, day).await?;
            say(&format!("declared {date}"));
        }
        CalendarCommand::Remove { date } => {
            let removed = dossiers.remove_declared_day(&Actor::System, date).await?;
            say(&if removed {
                format!("removed the declaration of {date}")
            } else {
                format!("nothing was declared for {date}")
            });
        }
    }
    Ok(())
}
