//! Identity helpers of the tests: accounts made in the store, a browser that
//! keeps cookies, CSRF tokens read from forms, OIDC clients and tokens.

use axum::body::Body;
use axum::http::{header, Method, Request};
use egov_app::identity::hash_password;
use egov_app::oidc::{
    AuthorizationParams, ClientAuth, Oidc, RegisterClient, RequestContext, TokenRequest,
};
use egov_app::ports::{ClientKind, IdentityStore, NewAccount};
use egov_domain::identity::{
    Account, AccountId, AccountKind, AccountStatus, Actor, Email, NationalId, Phone, Role,
    RoleAssignment,
};
use jiff::Timestamp;

use super::{TestApp, TestResponse};

/// The password of every account the tests create.
pub const PASSWORD: &str = "correct horse battery";
/// A citizen's national ID (born 2003, Hà Nội).
pub const CITIZEN_ID: &str = "001203012345";
/// Another citizen's national ID.
pub const OTHER_ID: &str = "079190000123";
/// Agencies of the fixture catalogue.
pub const HANOI: &str = "000.00.00.H26";
pub const JUSTICE_DEPT: &str = "000.01.00.H26";
pub const BUILDING_DEPT: &str = "000.02.00.H26";

/// The confidential client every test app has.
pub const RP: &str = "test-rp";
pub const RP_REDIRECT: &str = "https://rp.example/cb";
pub const RP_LOGGED_OUT: &str = "https://rp.example/bye";
/// The public (PKCE) client every test app has.
pub const SPA: &str = "spa";
pub const SPA_REDIRECT: &str = "http://127.0.0.1/callback";

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// Registers `test-rp` (confidential, every scope) and `spa` (public);
/// returns `test-rp`'s secret.
pub async fn register_clients(oidc: &Oidc) -> String {
    let now = Timestamp::now();
    let ctx = RequestContext::default();
    let rp = RegisterClient {
        client_id: Some(RP.into()),
        name: "Cổng dịch vụ thử nghiệm".into(),
        kind: ClientKind::Confidential,
        redirect_uris: strings(&[RP_REDIRECT]),
        post_logout_redirect_uris: strings(&[RP_LOGGED_OUT]),
        allowed_scopes: strings(&egov_domain::identity::policy::scope::ALL),
        grant_types: strings(&["authorization_code", "refresh_token"]),
    };
    let (_, secret) = oidc
        .register_client(&Actor::System, rp, &ctx, now)
        .await
        .unwrap();
    let spa = RegisterClient {
        client_id: Some(SPA.into()),
        name: "Ứng dụng Demo".into(),
        kind: ClientKind::Public,
        redirect_uris: strings(&[SPA_REDIRECT]),
        post_logout_redirect_uris: strings(&["http://127.0.0.1/logged-out"]),
        allowed_scopes: strings(&["openid", "profile", "national_id"]),
        grant_types: strings(&["authorization_code", "refresh_token"]),
    };
    oidc.register_client(&Actor::System, spa, &ctx, now)
        .await
        .unwrap();
    secret.unwrap()
}

fn account(kind: AccountKind, login: &str, name: &str) -> Account {
    let now = Timestamp::now();
    Account {
        id: AccountId(format!("acc-{login}")),
        kind,
        status: AccountStatus::Active,
        login: login.to_owned(),
        full_name: name.to_owned(),
        national_id: None,
        date_of_birth: None,
        email: None,
        email_verified_at: None,
        phone: None,
        phone_verified_at: None,
        organisation: None,
        totp_required: false,
        created_at: now,
    }
}

impl TestApp {
    async fn create(&self, account: Account) -> AccountId {
        let id = account.id.clone();
        let new = NewAccount {
            account,
            password_hash: hash_password(PASSWORD).unwrap(),
        };
        IdentityStore::create_account(&self.store, &new)
            .await
            .unwrap();
        id
    }

    /// A citizen with verified contacts; the login is the national ID.
    pub async fn citizen(&self, national_id: &str, name: &str) -> AccountId {
        let mut a = account(AccountKind::Citizen, national_id, name);
        let today = jiff::civil::date(2026, 1, 1);
        a.national_id = Some(NationalId::parse(national_id, today).unwrap());
        a.email = Some(Email::parse(&format!("{national_id}@example.vn")).unwrap());
        a.email_verified_at = Some(Timestamp::now());
        a.phone = Some(Phone::parse("0912345678").unwrap());
        self.create(a).await
    }

    /// An official holding `roles`; the login is the e-mail address.
    pub async fn official(&self, email: &str, name: &str, roles: &[(&str, Role)]) -> AccountId {
        let mut a = account(AccountKind::Official, email, name);
        a.email = Some(Email::parse(email).unwrap());
        a.email_verified_at = Some(Timestamp::now());
        let id = self.create(a).await;
        let roles: Vec<RoleAssignment> = roles
            .iter()
            .map(|(agency, role)| RoleAssignment {
                agency_code: (*agency).to_owned(),
                role: *role,
            })
            .collect();
        IdentityStore::set_roles(&self.store, &id, &roles)
            .await
            .unwrap();
        id
    }

    /// The code in the last message queued for `recipient`.
    pub async fn code_sent_to(&self, recipient: &str) -> String {
        let messages = IdentityStore::pending_messages(&self.store, 100, 1000)
            .await
            .unwrap();
        let message = messages
            .iter()
            .rfind(|m| m.recipient == recipient)
            .unwrap_or_else(|| panic!("no message to {recipient}"));
        let body = &message.body;
        let bytes = body.as_bytes();
        let start = (0..bytes.len().saturating_sub(5))
            .find(|&i| {
                bytes[i..i + 6].iter().all(u8::is_ascii_digit)
                    && (i == 0 || !bytes[i - 1].is_ascii_digit())
                    && bytes.get(i + 6).is_none_or(|b| !b.is_ascii_digit())
            })
            .unwrap_or_else(|| panic!("no code in: {body}"));
        body[start..start + 6].to_owned()
    }

    /// A browser with no cookies.
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            cookies: Vec::new(),
        }
    }

    /// A browser signed in through the sign-in page.
    pub async fn signed_in(&self, login: &str) -> Browser<'_> {
        let mut browser = self.browser();
        let response = browser.sign_in(login, PASSWORD).await;
        assert_eq!(
            response.status.as_u16(),
            303,
            "{}: {}",
            self.backend,
            response.text()
        );
        browser
    }

    /// An access token for `account` with `scopes`, issued by the provider
    /// through the code flow of `test-rp` (without HTTP).
    pub async fn access_token(&self, account: &AccountId, scopes: &str) -> String {
        let oidc = &self.services.oidc;
        let now = Timestamp::now();
        let params = AuthorizationParams {
            response_type: Some("code".into()),
            client_id: Some(RP.into()),
            redirect_uri: Some(RP_REDIRECT.into()),
            scope: Some(scopes.into()),
            ..AuthorizationParams::default()
        };
        let request = oidc.validate_authorization(params).await.unwrap();
        let code = oidc.issue_code(&request, account, now, now).await.unwrap();
        let token = TokenRequest {
            grant_type: Some("authorization_code".into()),
            code: Some(code),
            redirect_uri: Some(RP_REDIRECT.into()),
            client: ClientAuth {
                basic: Some((RP.into(), self.rp_secret.clone())),
                ..ClientAuth::default()
            },
            ..TokenRequest::default()
        };
        let ctx = RequestContext::default();
        oidc.token(token, &ctx, now).await.unwrap().access_token
    }

    /// A JSON request with optional extra headers.
    pub async fn json_request(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<serde_json::Value>,
    ) -> TestResponse {
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(&json).unwrap())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }
}

/// The first hidden `csrf` value of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no csrf field in: {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap();
    html[start..start + end].to_owned()
}

/// A form body, URL-encoded.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

/// A client that keeps the cookies the server sets.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: Vec<(String, String)>,
}

impl Browser<'_> {
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, response: &TestResponse) {
        for value in response.headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !text.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    pub async fn request(
        &mut self,
        request: axum::http::request::Builder,
        body: Body,
    ) -> TestResponse {
        let request = request.header(header::COOKIE, self.cookie_header());
        let response = self.app.send(request.body(body).unwrap()).await;
        self.keep(&response);
        response
    }

    pub async fn get(&mut self, uri: &str) -> TestResponse {
        self.request(Request::builder().uri(uri), Body::empty())
            .await
    }

    pub async fn post_form(&mut self, uri: &str, pairs: &[(&str, &str)]) -> TestResponse {
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.request(request, Body::from(form_body(pairs))).await
    }

    /// Opens `form_page`, then posts `pairs` to `action` with the page's CSRF token.
    pub async fn submit(
        &mut self,
        form_page: &str,
        action: &str,
        pairs: &[(&str, &str)],
    ) -> TestResponse {
        let page = self.get(form_page).await;
        assert_eq!(page.status.as_u16(), 200, "{form_page}: {}", page.text());
        let csrf = csrf_of(&page.text());
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(pairs);
        self.post_form(action, &all).await
    }

    /// Signs in through `/dang-nhap`.
    pub async fn sign_in(&mut self, login: &str, password: &str) -> TestResponse {
        self.submit(
            "/dang-nhap",
            "/dang-nhap",
            &[("login", login), ("password", password)],
        )
        .await
    }

    /// A JSON API call with this browser's cookies and `X-Requested-With`.
    pub async fn api(
        &mut self,
        method: Method,
        uri: &str,
        body: Option<serde_json::Value>,
    ) -> TestResponse {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header("x-requested-with", "fetch");
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(&json).unwrap())
            }
            None => Body::empty(),
        };
        self.request(request, body).await
    }
}
