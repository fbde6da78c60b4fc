//! Registration (`/dang-ky`: citizens, and organisations with `?loai=to-chuc`).
//! Verification of the e-mail address and phone number is in [`super::verify`].

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use egov_app::identity::{RegisterCitizen, RegisterOrganisation};
use egov_domain::identity::{Account, Sex};
use jiff::Timestamp;

use super::forms::{field, form_errors, Field, FormErrors, INVALID};
use super::sign_in::with_session_cookie;
use super::{see_other, Choice, Chrome, PageCtx, Section};
use crate::auth::form::pre_session_csrf_ok;
use crate::auth::{ClientInfo, FormData, PreSessionToken};
use crate::extract::QueryReader;
use crate::state::AppState;

/// One input of the registration form.
pub struct InputView {
    id: &'static str,
    label: String,
    hint: String,
    /// `text`, `email`, `tel`, `date`, `password`, or `select`.
    kind: &'static str,
    autocomplete: &'static str,
    inputmode: &'static str,
    max: u32,
    required: bool,
    value: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    chrome: Chrome,
    csrf: String,
    organisation: bool,
    fields: Vec<InputView>,
    sexes: Vec<Choice>,
    errors: FormErrors,
}

/// (id, label key, hint key, kind, autocomplete, inputmode, max length)
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u32,
);

/// The contact and password fields both forms end with.
const EMAIL: Spec = (
    "email",
    "register.email",
    "",
    "email",
    "email",
    "email",
    254,
);
const PHONE: Spec = (
    "phone",
    "register.phone",
    "register.phone.hint",
    "tel",
    "tel",
    "tel",
    20,
);
const PASSWORD: Spec = (
    "password",
    "register.password",
    "password.hint",
    "password",
    "new-password",
    "",
    256,
);

const CITIZEN: [Spec; 7] = [
    (
        "national_id",
        "register.national_id",
        "register.national_id.hint",
        "text",
        "off",
        "numeric",
        12,
    ),
    (
        "full_name",
        "register.full_name",
        "",
        "text",
        "name",
        "",
        200,
    ),
    (
        "date_of_birth",
        "register.date_of_birth",
        "register.date_of_birth.hint",
        "date",
        "bday",
        "",
        10,
    ),
    (
        "sex",
        "register.sex",
        "register.sex.hint",
        "select",
        "sex",
        "",
        10,
    ),
    EMAIL,
    PHONE,
    PASSWORD,
];

const ORGANISATION: [Spec; 7] = [
    (
        "tax_code",
        "register.tax_code",
        "register.tax_code.hint",
        "text",
        "off",
        "numeric",
        14,
    ),
    (
        "name",
        "register.org_name",
        "",
        "text",
        "organization",
        "",
        200,
    ),
    (
        "representative_name",
        "register.representative_name",
        "",
        "text",
        "name",
        "",
        200,
    ),
    (
        "representative_national_id",
        "register.representative_national_id",
        "register.national_id.hint",
        "text",
        "off",
        "numeric",
        12,
    ),
    EMAIL,
    PHONE,
    PASSWORD,
];

fn specs(organisation: bool) -> &'static [Spec; 7] {
    if organisation {
        &ORGANISATION
    } else {
        &CITIZEN
    }
}

/// The form's fields for error mapping (the use cases name them alike).
fn error_fields(organisation: bool) -> Vec<Field> {
    specs(organisation)
        .iter()
        .map(|(id, label, ..)| field(id, id, label))
        .collect()
}

fn render(
    ctx: &PageCtx,
    token: &PreSessionToken,
    status: StatusCode,
    organisation: bool,
    form: &FormData,
    errors: FormErrors,
) -> Response {
    let t = ctx.t();
    let fields = specs(organisation)
        .iter()
        .map(
            |&(id, label, hint, kind, autocomplete, inputmode, max)| InputView {
                id,
                label: t.get(label).to_owned(),
                hint: if hint.is_empty() {
                    String::new()
                } else {
                    t.get(hint).to_owned()
                },
                kind,
                autocomplete,
                inputmode,
                max,
                required: id != "sex",
                // Passwords are never sent back.
                value: if kind == "password" {
                    String::new()
                } else {
                    form.text(id)
                },
            },
        )
        .collect();
    let sex = form.text("sex");
    let sexes = [
        ("", "register.sex.unsaid"),
        ("male", "register.sex.male"),
        ("female", "register.sex.female"),
    ]
    .iter()
    .map(|(value, key)| Choice {
        value: (*value).to_owned(),
        label: t.get(key).to_owned(),
        selected: sex == *value,
    })
    .collect();
    let page = RegisterPage {
        chrome: ctx.chrome(t.get("register.title"), Section::Account),
        csrf: token.token.clone(),
        organisation,
        fields,
        sexes,
        errors,
    };
    token.apply(ctx.render(status, &page))
}

/// `GET /dang-ky?loai=to-chuc`
pub async fn register_form(ctx: PageCtx, headers: HeaderMap, uri: Uri) -> Response {
    let query = QueryReader::from_uri(&uri).unwrap_or_default();
    let organisation = query.text("loai", 20).ok().flatten().as_deref() == Some("to-chuc");
    let token = PreSessionToken::for_request(&headers, ctx.secure);
    render(
        &ctx,
        &token,
        StatusCode::OK,
        organisation,
        &FormData::default(),
        FormErrors::none(),
    )
}

/// `POST /dang-ky`: registers, signs the new account in, and goes on to
/// verify the e-mail address and phone number.
pub async fn register(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: ClientInfo,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    if !pre_session_csrf_ok(&headers, &form, ctx.secure) {
        return ctx.csrf_refused();
    }
    let organisation = form.text("kind") == "organisation";
    let now = Timestamp::now();
    let request = client.identity();
    let password = form.raw("password").unwrap_or("").to_owned();
    let registered = if organisation {
        let input = RegisterOrganisation {
            tax_code: form.text("tax_code"),
            name: form.text("name"),
            representative_name: form.text("representative_name"),
            representative_national_id: form.text("representative_national_id"),
            email: form.text("email"),
            phone: form.text("phone"),
            password: password.clone(),
        };
        state
            .accounts
            .register_organisation(&input, &request, now)
            .await
    } else {
        let input = RegisterCitizen {
            national_id: form.text("national_id"),
            full_name: form.text("full_name"),
            date_of_birth: form.text("date_of_birth"),
            sex: match form.text("sex").as_str() {
                "male" => Some(Sex::Male),
                "female" => Some(Sex::Female),
                _ => None,
            },
            phone: form.text("phone"),
            email: form.text("email"),
            password: password.clone(),
        };
        state.accounts.register_citizen(&input, &request, now).await
    };
    match registered {
        Ok(account) => sign_in_new(&state, &ctx, &client, &account, &password).await,
        Err(e) => match form_errors(ctx.t(), e, &error_fields(organisation)) {
            Ok(errors) => {
                let token = PreSessionToken::for_request(&headers, ctx.secure);
                render(&ctx, &token, INVALID, organisation, &form, errors)
            }
            Err(e) => ctx.app_error(e),
        },
    }
}

/// Signs a just-registered account in (the password was just set) and goes
/// to verification; if that fails (throttled), to the sign-in page.
async fn sign_in_new(
    state: &AppState,
    ctx: &PageCtx,
    client: &ClientInfo,
    account: &Account,
    password: &str,
) -> Response {
    let signed_in = state
        .accounts
        .sign_in(
            &account.login,
            password,
            None,
            &client.identity(),
            Timestamp::now(),
        )
        .await;
    match signed_in {
        Ok(s) => with_session_cookie(
            see_other("/xac-minh?done=registered"),
            &s.session_token,
            ctx.secure,
        ),
        Err(e) => {
            tracing::warn!(error = %e, "cannot sign a new account in");
            ctx.finish(see_other("/dang-nhap?done=registered"))
        }
    }
}
