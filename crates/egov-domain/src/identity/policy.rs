//! Who may do what: the one place permissions are decided. Deny by default.
//!
//! Callers resolve the acting person once per request into an [`Actor`] and
//! ask [`authorize`] before every use case. Agency-scoped actions carry the
//! target agency's path (the agency and every agency above it), so a role held
//! in a ministry or provincial committee covers its departments, and nothing
//! outside them.

use serde::{Deserialize, Serialize};

use super::{AccountId, AccountKind, Role, RoleAssignment};

/// OAuth scopes a bearer token can carry; a web session holds all of them.
pub mod scope {
    pub const OPENID: &str = "openid";
    pub const PROFILE: &str = "profile";
    pub const EMAIL: &str = "email";
    pub const PHONE: &str = "phone";
    /// The national ID number claim.
    pub const NATIONAL_ID: &str = "national_id";
    /// The organisation claims (tax code, name).
    pub const ORGANISATION: &str = "organisation";
    /// Change the account's own details through the API.
    pub const ACCOUNT_WRITE: &str = "account:write";
    /// Act as an official through the API (manage officials, catalogue…).
    pub const ADMIN: &str = "admin";
    /// File, read and follow one's own dossiers through the API.
    pub const DOSSIERS: &str = "dossiers";

    pub const ALL: [&str; 9] = [
        OPENID,
        PROFILE,
        EMAIL,
        PHONE,
        NATIONAL_ID,
        ORGANISATION,
        ACCOUNT_WRITE,
        ADMIN,
        DOSSIERS,
    ];
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    /// A signed-in person, through a web session (`scopes: None`, everything
    /// the person may do) or a bearer token (only what its scopes allow).
    Person {
        id: AccountId,
        kind: AccountKind,
        roles: Vec<RoleAssignment>,
        scopes: Option<Vec<String>>,
    },
    /// The operator on the command line or with the deployment's admin token.
    System,
}

/// What is being attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Read an account's details.
    ReadAccount(&'a AccountId),
    /// Change an account's details, password or sessions.
    UpdateAccount(&'a AccountId),
    /// Create officials and change their accounts in an agency.
    ManageOfficials { agency_path: &'a [String] },
    /// Give or take away `role` in an agency.
    AssignRole {
        agency_path: &'a [String],
        role: Role,
    },
    /// Read the audit log of an agency's officials.
    ReadAudit { agency_path: &'a [String] },
    /// Register or change OpenID Connect clients.
    ManageClients,
    /// Import and edit the catalogue.
    ManageCatalogue,
    /// Publish online service definitions and declare the working-day calendar.
    ManageServices,
    /// File a dossier (hồ sơ) as a citizen or an organisation.
    ApplyForService,
    /// Read a dossier: its applicant, or an official of an agency on `agency_path`.
    ReadDossier {
        applicant: &'a AccountId,
        agency_path: &'a [String],
    },
    /// The applicant acts on their own dossier: supplement, withdraw, rate.
    ActAsApplicant { applicant: &'a AccountId },
    /// An official acts on a dossier at a step that needs `role`.
    ProcessDossier {
        agency_path: &'a [String],
        role: Role,
    },
    /// Handle the money paid to an agency (thanh toán): refund fees paid to
    /// it, review the payment notifications and, for the agency holding the
    /// merchant account, reconcile the gateway's settlement files. A finance
    /// officer of the agency or an agency above it; money is kept apart from
    /// processing (leaders, specialists) and from administration (agency
    /// administrators).
    ManagePayments { agency_path: &'a [String] },
}

impl Action<'_> {
    /// The scope a bearer token needs for this action.
    fn required_scope(&self, actor: &AccountId) -> &'static str {
        match self {
            Action::ReadAccount(_) => scope::PROFILE,
            Action::UpdateAccount(_) => scope::ACCOUNT_WRITE,
            Action::ApplyForService | Action::ActAsApplicant { .. } => scope::DOSSIERS,
            Action::ReadDossier { applicant, .. } if *applicant == actor => scope::DOSSIERS,
            _ => scope::ADMIN,
        }
    }
}

/// The refusal: why, for the audit log and the error message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("not allowed: {reason}")]
pub struct Denied {
    pub reason: String,
}

fn deny(reason: &str) -> Result<(), Denied> {
    Err(Denied {
        reason: reason.to_owned(),
    })
}

/// The roles that handle dossiers (and so may read them in their agencies).
const PROCESSING_ROLES: [Role; 3] = [Role::ReceivingOfficer, Role::Specialist, Role::Leader];

/// Decides whether `actor` may do `action`.
pub fn authorize(actor: &Actor, action: &Action<'_>) -> Result<(), Denied> {
    let (id, roles, scopes) = match actor {
        Actor::System => return Ok(()),
        Actor::Anonymous => return deny("sign in first"),
        Actor::Person {
            id, roles, scopes, ..
        } => (id, roles, scopes),
    };
    if let Some(scopes) = scopes {
        let needed = action.required_scope(id);
        if !scopes.iter().any(|s| s == needed) {
            return deny(&format!("the token lacks the `{needed}` scope"));
        }
    }
    let holds = |role: Role| roles.iter().any(|r| r.role == role);
    let holds_in = |path: &[String], accepted: &[Role]| {
        roles
            .iter()
            .any(|r| accepted.contains(&r.role) && path.contains(&r.agency_code))
    };
    let allowed = match action {
        Action::ReadAccount(target) | Action::UpdateAccount(target) => *target == id,
        Action::ManageOfficials { agency_path } | Action::ReadAudit { agency_path } => {
            holds(Role::SystemAdmin) || holds_in(agency_path, &[Role::AgencyAdmin])
        }
        Action::AssignRole { agency_path, role } => {
            holds(Role::SystemAdmin)
                || (*role != Role::SystemAdmin && holds_in(agency_path, &[Role::AgencyAdmin]))
        }
        Action::ManageClients | Action::ManageCatalogue | Action::ManageServices => {
            holds(Role::SystemAdmin)
        }
        Action::ApplyForService => matches!(
            actor,
            Actor::Person {
                kind: AccountKind::Citizen | AccountKind::Organisation,
                ..
            }
        ),
        Action::ActAsApplicant { applicant } => *applicant == id,
        Action::ReadDossier {
            applicant,
            agency_path,
        } => *applicant == id || holds_in(agency_path, &PROCESSING_ROLES),
        Action::ProcessDossier { agency_path, role } => holds_in(agency_path, &[*role]),
        Action::ManagePayments { agency_path } => {
            holds(Role::SystemAdmin) || holds_in(agency_path, &[Role::FinanceOfficer])
        }
    };
    if allowed {
        Ok(())
    } else {
        deny("this account may not do that")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, roles: &[(&str, Role)]) -> Actor {
        Actor::Person {
            id: AccountId(id.into()),
            kind: if roles.is_empty() {
                AccountKind::Citizen
            } else {
                AccountKind::Official
            },
            roles: roles
                .iter()
                .map(|(a, r)| RoleAssignment {
                    agency_code: (*a).into(),
                    role: *r,
                })
                .collect(),
            scopes: None,
        }
    }

    fn path(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn a_citizen_reaches_only_their_own_account() {
        let a = person("a", &[]);
        let (ida, idb) = (AccountId("a".into()), AccountId("b".into()));
        assert!(authorize(&a, &Action::ReadAccount(&ida)).is_ok());
        assert!(authorize(&a, &Action::UpdateAccount(&ida)).is_ok());
        assert!(authorize(&a, &Action::ReadAccount(&idb)).is_err());
        assert!(authorize(&a, &Action::UpdateAccount(&idb)).is_err());
    }

    #[test]
    fn dossiers_are_read_by_their_applicant_and_officials_of_the_agency() {
        let (a, b) = (person("a", &[]), person("b", &[]));
        let ida = AccountId("a".into());
        let dept = path(&["HN.SoTuPhap", "HN"]);
        let read = Action::ReadDossier {
            applicant: &ida,
            agency_path: &dept,
        };
        assert!(authorize(&a, &read).is_ok());
        assert!(authorize(&b, &read).is_err());
        assert!(authorize(&b, &Action::ActAsApplicant { applicant: &ida }).is_err());
        assert!(authorize(&a, &Action::ActAsApplicant { applicant: &ida }).is_ok());
        let clerk = person("c", &[("HN", Role::ReceivingOfficer)]);
        let elsewhere = person("d", &[("DN", Role::Leader)]);
        let admin = person("e", &[("HN", Role::AgencyAdmin)]);
        assert!(authorize(&clerk, &read).is_ok());
        assert!(authorize(&elsewhere, &read).is_err());
        assert!(
            authorize(&admin, &read).is_err(),
            "administrators do not read dossiers"
        );
    }

    #[test]
    fn only_the_steps_role_in_the_agency_processes() {
        let dept = path(&["HN.SoTuPhap", "HN"]);
        let clerk = person("c", &[("HN", Role::ReceivingOfficer)]);
        let leader = person("l", &[("HN.SoTuPhap", Role::Leader)]);
        let intake = Action::ProcessDossier {
            agency_path: &dept,
            role: Role::ReceivingOfficer,
        };
        let approve = Action::ProcessDossier {
            agency_path: &dept,
            role: Role::Leader,
        };
        assert!(authorize(&clerk, &intake).is_ok());
        assert!(authorize(&clerk, &approve).is_err());
        assert!(authorize(&leader, &approve).is_ok());
        assert!(authorize(&person("a", &[]), &intake).is_err());
    }

    #[test]
    fn only_citizens_and_organisations_apply_and_tokens_need_the_scope() {
        assert!(authorize(&person("a", &[]), &Action::ApplyForService).is_ok());
        assert!(authorize(
            &person("c", &[("HN", Role::Specialist)]),
            &Action::ApplyForService
        )
        .is_err());
        let ida = AccountId("a".into());
        let mut token = person("a", &[]);
        if let Actor::Person { scopes, .. } = &mut token {
            *scopes = Some(vec![scope::OPENID.into()]);
        }
        assert!(authorize(&token, &Action::ApplyForService).is_err());
        let read = Action::ReadDossier {
            applicant: &ida,
            agency_path: &[],
        };
        assert!(authorize(&token, &read).is_err());
        if let Actor::Person { scopes, .. } = &mut token {
            *scopes = Some(vec![scope::DOSSIERS.into()]);
        }
        assert!(authorize(&token, &Action::ApplyForService).is_ok());
        assert!(authorize(&token, &read).is_ok());
    }

    #[test]
    fn anonymous_is_denied_everything() {
        let id = AccountId("a".into());
        for action in [
            Action::ReadAccount(&id),
            Action::ManageClients,
            Action::ManageCatalogue,
        ] {
            assert!(authorize(&Actor::Anonymous, &action).is_err());
        }
    }

    #[test]
    fn agency_admins_act_in_their_agency_and_below_only() {
        let admin = person("x", &[("HN", Role::AgencyAdmin)]);
        let dept = path(&["HN.SoTuPhap", "HN"]);
        let other = path(&["DN.SoTuPhap", "DN"]);
        assert!(authorize(&admin, &Action::ManageOfficials { agency_path: &dept }).is_ok());
        assert!(authorize(
            &admin,
            &Action::ManageOfficials {
                agency_path: &other
            }
        )
        .is_err());
        let grant = |role| Action::AssignRole {
            agency_path: &dept,
            role,
        };
        assert!(authorize(&admin, &grant(Role::Leader)).is_ok());
        assert!(authorize(&admin, &grant(Role::SystemAdmin)).is_err());
        assert!(authorize(&admin, &Action::ManageClients).is_err());
    }

    #[test]
    fn other_roles_cannot_administer() {
        let leader = person("l", &[("HN", Role::Leader), ("HN", Role::Specialist)]);
        let p = path(&["HN"]);
        assert!(authorize(&leader, &Action::ManageOfficials { agency_path: &p }).is_err());
        assert!(authorize(&leader, &Action::ReadAudit { agency_path: &p }).is_err());
    }

    #[test]
    fn system_admins_manage_everything() {
        let root = person("r", &[("GOV", Role::SystemAdmin)]);
        let p = path(&["DN"]);
        assert!(authorize(&root, &Action::ManageClients).is_ok());
        assert!(authorize(&root, &Action::ManageOfficials { agency_path: &p }).is_ok());
        assert!(authorize(
            &root,
            &Action::AssignRole {
                agency_path: &p,
                role: Role::SystemAdmin
            }
        )
        .is_ok());
    }

    #[test]
    fn payments_are_managed_by_finance_officers_of_the_agency_and_above() {
        let dept = path(&["HN.SoTuPhap", "HN"]);
        let other = path(&["DN.SoTuPhap", "DN"]);
        fn manage(agency_path: &[String]) -> Action<'_> {
            Action::ManagePayments { agency_path }
        }
        let finance = person("f", &[("HN", Role::FinanceOfficer)]);
        assert!(authorize(&finance, &manage(&dept)).is_ok());
        assert!(authorize(&finance, &manage(&other)).is_err());
        let below = person("g", &[("HN.SoTuPhap.PhongA", Role::FinanceOfficer)]);
        assert!(authorize(&below, &manage(&dept)).is_err());
        for role in [
            Role::ReceivingOfficer,
            Role::Specialist,
            Role::Leader,
            Role::AgencyAdmin,
        ] {
            let official = person("o", &[("HN", role)]);
            assert!(authorize(&official, &manage(&dept)).is_err(), "{role:?}");
        }
        assert!(authorize(&person("r", &[("GOV", Role::SystemAdmin)]), &manage(&other)).is_ok());
        assert!(authorize(&person("a", &[]), &manage(&dept)).is_err());
        assert!(authorize(&Actor::System, &manage(&dept)).is_ok());
        // A finance officer processes no dossier and reads none.
        let ida = AccountId("a".into());
        let read = Action::ReadDossier {
            applicant: &ida,
            agency_path: &dept,
        };
        assert!(authorize(&finance, &read).is_err());
        // Through a token, it takes the admin scope.
        let token = Actor::Person {
            id: AccountId("f".into()),
            kind: AccountKind::Official,
            roles: vec![RoleAssignment {
                agency_code: "HN".into(),
                role: Role::FinanceOfficer,
            }],
            scopes: Some(vec![scope::DOSSIERS.into()]),
        };
        assert!(authorize(&token, &manage(&dept)).is_err());
    }

    #[test]
    fn token_scopes_limit_what_a_person_may_do() {
        let id = AccountId("a".into());
        let token = |scopes: &[&str]| Actor::Person {
            id: id.clone(),
            kind: AccountKind::Citizen,
            roles: vec![],
            scopes: Some(scopes.iter().map(|s| (*s).to_owned()).collect()),
        };
        assert!(authorize(&token(&["openid", "profile"]), &Action::ReadAccount(&id)).is_ok());
        assert!(authorize(&token(&["openid"]), &Action::ReadAccount(&id)).is_err());
        assert!(authorize(&token(&["openid", "profile"]), &Action::UpdateAccount(&id)).is_err());
        assert!(authorize(&token(&["account:write"]), &Action::UpdateAccount(&id)).is_ok());
    }
}
