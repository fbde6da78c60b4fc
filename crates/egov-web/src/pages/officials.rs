//! Officials administration (`/quan-tri/can-bo`): the officials of an agency,
//! their roles there, and new officials. The page offers only what the
//! permission policy allows the signed-in administrator; the use cases decide.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use egov_app::identity::CreateOfficial;
use egov_app::AppError;
use egov_domain::identity::{authorize, AccountStatus, Action, Actor, Role, RoleAssignment};
use egov_domain::Page;
use jiff::Timestamp;

use super::forms::{field, form_errors, FormErrors, INVALID};
use super::{encode, href, see_other, Chrome, PageCtx, PagePath, Pager, Section};
use crate::auth::form::session_csrf_ok;
use crate::auth::{ClientInfo, FormData, SignedSession};
use crate::extract::{Paging, QueryReader};
use crate::state::AppState;

const PER_PAGE: u32 = 20;

/// A role checkbox.
pub struct RoleBox {
    id: String,
    value: &'static str,
    label: String,
    checked: bool,
    /// The administrator may give or take this role here.
    allowed: bool,
}

/// An official as the list shows them.
pub struct OfficialView {
    id: String,
    name: String,
    login: String,
    locked: bool,
    roles: Vec<RoleBox>,
}

#[derive(Template)]
#[template(path = "officials.html")]
struct OfficialsPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<String>,
    agency: String,
    own_agencies: Vec<String>,
    listed_heading: String,
    officials: Vec<OfficialView>,
    pager: Pager,
    can_create: bool,
    new_name: String,
    new_email: String,
    new_roles: Vec<RoleBox>,
    errors: FormErrors,
}

/// The agencies where the actor administers officials, in order, once each.
fn administered(actor: &Actor) -> Vec<String> {
    let Actor::Person { roles, .. } = actor else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for r in roles {
        if matches!(r.role, Role::AgencyAdmin | Role::SystemAdmin) && !out.contains(&r.agency_code)
        {
            out.push(r.agency_code.clone());
        }
    }
    out
}

/// What the page was asked to show, and the new-official form as typed.
struct View {
    agency: String,
    page: u32,
    notice: Option<String>,
    form: FormData,
    errors: FormErrors,
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    session: &SignedSession,
    status: StatusCode,
    view: View,
) -> Response {
    let t = ctx.t();
    let actor = &ctx.caller.actor;
    let path = match state.accounts.agency_path(&view.agency).await {
        Ok(path) => path,
        Err(e) => return ctx.app_error(e),
    };
    let paging = Paging {
        page: view.page,
        per_page: PER_PAGE,
    };
    let listed: Result<Page<_>, AppError> = state
        .accounts
        .officials(actor, &view.agency, paging.request())
        .await;
    let listed = match listed {
        Ok(listed) => listed,
        Err(e) => return ctx.app_error(e),
    };
    let may_assign = |role: Role| {
        authorize(
            actor,
            &Action::AssignRole {
                agency_path: &path,
                role,
            },
        )
        .is_ok()
    };
    let mut officials = Vec::new();
    for (i, account) in listed.items.iter().enumerate() {
        let held = match state.accounts.roles_of(actor, &account.id).await {
            Ok(held) => held,
            Err(e) => return ctx.app_error(e),
        };
        let roles = Role::ALL
            .iter()
            .map(|&role| RoleBox {
                id: format!("role-{i}-{}", role.as_str()),
                value: role.as_str(),
                label: t.label("role", role.as_str()),
                checked: held
                    .iter()
                    .any(|r| r.role == role && r.agency_code == view.agency),
                allowed: may_assign(role),
            })
            .collect();
        officials.push(OfficialView {
            id: account.id.0.clone(),
            name: account.full_name.clone(),
            login: account.login.clone(),
            locked: account.status == AccountStatus::Locked,
            roles,
        });
    }
    let chosen = view.form.all("role");
    let agency = view.agency.clone();
    let pager = Pager::new(view.page, PER_PAGE, listed.total, |n| {
        href(
            "/quan-tri/can-bo",
            &[
                ("co-quan".into(), agency.clone()),
                ("page".into(), n.to_string()),
            ],
        )
    });
    let page = OfficialsPage {
        chrome: ctx.chrome(t.get("officials.title"), Section::Admin),
        csrf: session.csrf.clone(),
        notice: view.notice,
        listed_heading: t.fill(
            "officials.listed",
            &[
                ("agency", &view.agency),
                ("total", &listed.total.to_string()),
            ],
        ),
        agency: view.agency,
        own_agencies: administered(actor),
        officials,
        pager,
        can_create: Role::ALL.iter().any(|r| may_assign(*r)),
        new_name: view.form.text("full_name"),
        new_email: view.form.text("email"),
        new_roles: Role::ALL
            .iter()
            .filter(|r| may_assign(**r))
            .map(|role| RoleBox {
                id: format!("new-role-{}", role.as_str()),
                value: role.as_str(),
                label: t.label("role", role.as_str()),
                checked: chosen.contains(&role.as_str()),
                allowed: true,
            })
            .collect(),
        errors: view.errors,
    };
    ctx.render(status, &page)
}

/// `GET /quan-tri/can-bo?co-quan=&page=&done=`
pub async fn officials(State(state): State<AppState>, ctx: PageCtx, uri: Uri) -> Response {
    let Some(session) = ctx.session() else {
        return ctx.sign_in_redirect();
    };
    let query = match QueryReader::from_uri(&uri) {
        Ok(q) => q,
        Err(problem) => return ctx.problem_page(&problem),
    };
    let agency = query.text("co-quan", 64).ok().flatten();
    let Some(agency) = agency.or_else(|| administered(&ctx.caller.actor).into_iter().next()) else {
        return ctx.app_error(AppError::Denied(egov_domain::identity::Denied {
            reason: "this account administers no agency".into(),
        }));
    };
    let page = match query.number("page", 1, Paging::MAX_PAGE) {
        Ok(page) => page.unwrap_or(1),
        Err(problem) => return ctx.problem_page(&problem),
    };
    let t = ctx.t();
    let notice = match query.text("done", 20).ok().flatten().as_deref() {
        Some("created") => Some(t.get("officials.notice.created").to_owned()),
        Some("roles") => Some(t.get("officials.notice.roles").to_owned()),
        _ => None,
    };
    let view = View {
        agency,
        page,
        notice,
        form: FormData::default(),
        errors: FormErrors::none(),
    };
    render(&state, &ctx, session, StatusCode::OK, view).await
}

fn roles_of_form(form: &FormData) -> Result<Vec<Role>, AppError> {
    form.all("role")
        .into_iter()
        .map(|r| Role::parse(r).map_err(AppError::from))
        .collect()
}

fn back_to(agency: &str, done: &str) -> String {
    format!("/quan-tri/can-bo?co-quan={}&done={done}", encode(agency))
}

/// `POST /quan-tri/can-bo` (`agency`, `full_name`, `email`, `role`…,
/// `totp_required`): creates an official, who gets an e-mail to set a password.
pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    form: FormData,
) -> Response {
    let Some(session) = ctx.session() else {
        return ctx.sign_in_redirect();
    };
    if !session_csrf_ok(session, &form) {
        return ctx.csrf_refused();
    }
    let agency = form.text("agency");
    let created = match roles_of_form(&form) {
        Ok(roles) => {
            let input = CreateOfficial {
                email: form.text("email"),
                full_name: form.text("full_name"),
                agency_code: agency.clone(),
                roles,
                totp_required: form.text("totp_required") == "yes",
            };
            let now = Timestamp::now();
            state
                .accounts
                .create_official(&ctx.caller.actor, &input, &client.identity(), now)
                .await
        }
        Err(e) => Err(e),
    };
    let fields = [
        field("full_name", "full_name", "register.full_name"),
        field("email", "email", "register.email"),
        field("roles", "roles", "officials.roles"),
        field("role", "roles", "officials.roles"),
    ];
    match created {
        Ok(_) => ctx.finish(see_other(&back_to(&agency, "created"))),
        Err(e) => match form_errors(ctx.t(), e, &fields) {
            Ok(errors) => {
                let view = View {
                    agency,
                    page: 1,
                    notice: None,
                    form,
                    errors,
                };
                render(&state, &ctx, session, INVALID, view).await
            }
            Err(e) => ctx.app_error(e),
        },
    }
}

/// `POST /quan-tri/can-bo/{id}/vai-tro` (`agency`, `role`…): the official's
/// roles in that agency become the ones checked; roles elsewhere stay.
pub async fn set_roles(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    PagePath(id): PagePath<String>,
    form: FormData,
) -> Response {
    let Some(session) = ctx.session() else {
        return ctx.sign_in_redirect();
    };
    if !session_csrf_ok(session, &form) {
        return ctx.csrf_refused();
    }
    let agency = form.text("agency");
    let id = egov_domain::identity::AccountId(id);
    let actor = &ctx.caller.actor;
    let result = async {
        let checked = roles_of_form(&form)?;
        let mut roles: Vec<RoleAssignment> = state
            .accounts
            .roles_of(actor, &id)
            .await?
            .into_iter()
            .filter(|r| r.agency_code != agency)
            .collect();
        roles.extend(checked.into_iter().map(|role| RoleAssignment {
            agency_code: agency.clone(),
            role,
        }));
        let now = Timestamp::now();
        state
            .accounts
            .set_roles(actor, &id, &roles, &client.identity(), now)
            .await
    }
    .await;
    match result {
        Ok(_) => ctx.finish(see_other(&back_to(&agency, "roles"))),
        Err(e) => ctx.app_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egov_domain::identity::{AccountId, AccountKind};

    #[test]
    fn administered_agencies_come_from_admin_roles_only() {
        let assign = |agency: &str, role| RoleAssignment {
            agency_code: agency.into(),
            role,
        };
        let actor = Actor::Person {
            id: AccountId("x".into()),
            kind: AccountKind::Official,
            roles: vec![
                assign("A", Role::Leader),
                assign("B", Role::AgencyAdmin),
                assign("B", Role::Specialist),
                assign("C", Role::SystemAdmin),
            ],
            scopes: None,
        };
        assert_eq!(administered(&actor), vec!["B".to_owned(), "C".to_owned()]);
        assert!(administered(&Actor::Anonymous).is_empty());
    }
}
