//! `egov admin official|client|audit`: identity administration from the
//! command line. The operator acts as the system (`Actor::System`); every
//! action is still validated and written to the audit log by the use cases.

use anyhow::{bail, Context};
use egov_app::identity::{Accounts, CreateOfficial, RequestContext};
use egov_app::oidc::{Oidc, RegisterClient};
use egov_app::ports::{AuditFilter, ClientKind};
use egov_domain::identity::{AccountId, Actor, Role, RoleAssignment};
use egov_domain::PageRequest;

use crate::cli::{ClientCommand, ClientKindArg, OfficialCommand};
use crate::commands::{print_json, say};

fn context() -> RequestContext {
    RequestContext {
        ip: None,
        user_agent: Some("egov-cli".into()),
    }
}

pub async fn official(accounts: &Accounts, command: OfficialCommand) -> anyhow::Result<()> {
    let now = jiff::Timestamp::now();
    match command {
        OfficialCommand::Create {
            email,
            name,
            agency,
            roles,
            totp_required,
        } => {
            let roles = roles
                .iter()
                .map(|r| Role::parse(r))
                .collect::<Result<Vec<_>, _>>()?;
            let input = CreateOfficial {
                email,
                full_name: name,
                agency_code: agency,
                roles,
                totp_required,
            };
            let account = accounts
                .create_official(&Actor::System, &input, &context(), now)
                .await?;
            say(&format!(
                "official {} created; a code to set the password was queued for their e-mail",
                account.id
            ));
        }
        OfficialCommand::List { agency } => {
            let page = accounts
                .officials(
                    &Actor::System,
                    &agency,
                    PageRequest::new(0, PageRequest::MAX_LIMIT),
                )
                .await?;
            for a in &page.items {
                say(&format!("{}\t{}\t{}", a.id, a.login, a.full_name));
            }
        }
        OfficialCommand::Roles { account_id, roles } => {
            let roles = roles
                .iter()
                .map(|r| parse_assignment(r))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let now_held = accounts
                .set_roles(
                    &Actor::System,
                    &AccountId(account_id),
                    &roles,
                    &context(),
                    now,
                )
                .await?;
            print_json(&now_held)?;
        }
    }
    Ok(())
}

/// `AGENCY=ROLE`, e.g. `000.00.00.H01=leader`.
fn parse_assignment(text: &str) -> anyhow::Result<RoleAssignment> {
    let Some((agency, role)) = text.split_once('=') else {
        bail!("`{text}`: write a role as AGENCY=ROLE, e.g. 000.00.00.H01=leader");
    };
    Ok(RoleAssignment {
        agency_code: agency.to_owned(),
        role: Role::parse(role)?,
    })
}

pub async fn client(oidc: &Oidc, command: ClientCommand) -> anyhow::Result<()> {
    match command {
        ClientCommand::Register {
            name,
            client_id,
            kind,
            redirect_uris,
            post_logout_redirect_uris,
            scopes,
            grants,
        } => {
            let or = |v: Vec<String>, default: &[&str]| {
                if v.is_empty() {
                    default.iter().map(|s| (*s).to_owned()).collect()
                } else {
                    v
                }
            };
            let request = RegisterClient {
                client_id,
                name,
                kind: match kind {
                    ClientKindArg::Confidential => ClientKind::Confidential,
                    ClientKindArg::Public => ClientKind::Public,
                },
                redirect_uris,
                post_logout_redirect_uris,
                allowed_scopes: or(scopes, &["openid", "profile"]),
                grant_types: or(grants, &["authorization_code", "refresh_token"]),
            };
            let (client, secret) = oidc
                .register_client(&Actor::System, request, &context(), jiff::Timestamp::now())
                .await?;
            print_json(&client)?;
            if let Some(secret) = secret {
                say(&format!(
                    "client secret (shown once, store it now): {secret}"
                ));
            }
        }
        ClientCommand::List => print_json(&oidc.clients(&Actor::System).await?)?,
    }
    Ok(())
}

pub async fn audit(
    accounts: &Accounts,
    actor: Option<String>,
    subject: Option<String>,
    action: Option<String>,
    limit: u32,
) -> anyhow::Result<()> {
    let filter = AuditFilter {
        actor: actor.map(AccountId),
        subject,
        action_prefix: action,
        page: PageRequest::new(0, limit),
    };
    let page = accounts
        .audit_log(&Actor::System, &filter)
        .await
        .context("cannot read the audit log")?;
    print_json(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_assignments_parse() {
        let r = parse_assignment("000.00.00.H01=leader").unwrap();
        assert_eq!(r.agency_code, "000.00.00.H01");
        assert_eq!(r.role, Role::Leader);
        assert!(parse_assignment("leader").is_err());
        assert!(parse_assignment("X=boss").is_err());
    }
}
