//! Shared set-up of the payment tests: the dossier fixtures (see
//! `dossiers_support`) with the birth registration republished with fees —
//! 50,000 đồng at submission, 8,000 đồng per copy before the result — a
//! `Payments` service over VNPay (test merchant, signed by the simulator),
//! and finance officers of the justice department, of Hà Nội (which holds
//! the merchant account) and of Đà Nẵng.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] functions

use std::sync::Arc;

use egov_app::payments::{PaymentStart, Payments, PaymentsConfig, StartPayment};
use egov_app::ports::{IdentityStore, NewAccount, PaymentStore};
use egov_blobs::LocalBlobStore;
use egov_domain::dossier::Dossier;
use egov_domain::identity::{
    Account, AccountId, AccountKind, AccountStatus, Actor, Email, Role, RoleAssignment,
};
use egov_domain::payment::PaymentOrder;
use egov_domain::service::ServiceDefinition;
use egov_payments::simulator::{notification_query, Decision, SimulatedPayment, Tamper};
use egov_payments::vnpay::VnpConfig;
use egov_payments::{PaymentGateway, VnpayGateway};
use jiff::Timestamp;
use serde_json::json;

use crate::dossiers_support::{
    act, birth_registration, fixtures, friday, later, ready_draft, valid_values, Fx, DANANG, HANOI,
    JUSTICE,
};
use egov_app::dossiers::Command;

pub const TMN_CODE: &str = "EGOVTEST";
pub const SECRET: &str = "SECRETKEYFORTESTSONLY0123456789AB";
pub const PAY_URL: &str = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html";
pub const BASE_URL: &str = "https://dichvucong.example.vn";

pub struct Px {
    pub fx: Fx,
    pub payments: Arc<Payments>,
    /// The payment tables, to look behind the use cases.
    pub store: Arc<dyn PaymentStore>,
    pub vnpay: VnpConfig,
    /// Finance officer of the justice department (the receiving agency).
    pub finance: Actor,
    /// Finance officer of Hà Nội, which holds the merchant account.
    pub merchant_finance: Actor,
    /// Finance officer of Đà Nẵng.
    pub danang_finance: Actor,
    _files: tempfile::TempDir,
}

impl std::ops::Deref for Px {
    type Target = Fx;
    fn deref(&self) -> &Fx {
        &self.fx
    }
}

/// The birth registration with fees: a copy count field and two fees.
pub fn service_with_fees() -> ServiceDefinition {
    let mut value = serde_json::to_value(birth_registration()).unwrap();
    value["form"]["fields"].as_array_mut().unwrap().push(json!({
        "key": "copies",
        "label": {"vi": "Số bản sao trích lục", "en": "Copies"},
        "type": "number", "min": 0, "max": 10
    }));
    value["fees"] = json!([
        {"label": {"vi": "Lệ phí đăng ký khai sinh", "en": "Registration charge"},
         "amount": 50000, "payable_at": "submission"},
        {"label": {"vi": "Phí cấp bản sao trích lục", "en": "Copy fee"},
         "amount": 8000, "per_field": "copies", "payable_at": "before-result"}
    ]);
    serde_json::from_value(value).unwrap()
}

pub async fn payment_fixtures() -> Vec<Px> {
    let mut out = Vec::new();
    for fx in fixtures().await {
        fx.dossiers
            .publish_service(&Actor::System, service_with_fees(), friday())
            .await
            .unwrap_or_else(|e| panic!("{}: publishing the fees failed: {e}", fx.label));
        let files = tempfile::tempdir().unwrap();
        let blobs = LocalBlobStore::open(files.path().join("files"))
            .await
            .unwrap();
        let vnpay = VnpConfig::new(TMN_CODE, SECRET, PAY_URL).unwrap();
        let gateway: Arc<dyn PaymentGateway> =
            Arc::new(VnpayGateway::new(vnpay.clone(), "billpayment"));
        let store: Arc<dyn PaymentStore> = Arc::new(fx.sql.clone());
        let payments = Arc::new(Payments::new(
            Arc::clone(&store),
            Arc::clone(&fx.store),
            Arc::clone(&fx.catalogue),
            Arc::new(blobs),
            vec![gateway],
            PaymentsConfig {
                public_base_url: format!("{BASE_URL}/"),
                merchant_agency: HANOI.into(),
                ..PaymentsConfig::default()
            },
        ));
        let finance = finance_officer(fx.identity.as_ref(), "ketoan", JUSTICE).await;
        let merchant_finance = finance_officer(fx.identity.as_ref(), "ketoanhn", HANOI).await;
        let danang_finance = finance_officer(fx.identity.as_ref(), "ketoandn", DANANG).await;
        out.push(Px {
            fx,
            payments,
            store,
            vnpay,
            finance,
            merchant_finance,
            danang_finance,
            _files: files,
        });
    }
    out
}

async fn finance_officer(identity: &dyn IdentityStore, id: &str, agency: &str) -> Actor {
    let email = format!("{id}@coquan.example.vn");
    let account = Account {
        id: AccountId(id.into()),
        kind: AccountKind::Official,
        status: AccountStatus::Active,
        login: email.clone(),
        full_name: format!("Kế toán {id}"),
        national_id: None,
        date_of_birth: None,
        email: Some(Email::parse(&email).unwrap()),
        email_verified_at: None,
        phone: None,
        phone_verified_at: None,
        organisation: None,
        totp_required: false,
        created_at: friday(),
    };
    identity
        .create_account(&NewAccount {
            account: account.clone(),
            password_hash: "unusable".into(),
        })
        .await
        .unwrap();
    let roles = vec![RoleAssignment {
        agency_code: agency.into(),
        role: Role::FinanceOfficer,
    }];
    identity.set_roles(&account.id, &roles).await.unwrap();
    Actor::Person {
        id: account.id,
        kind: account.kind,
        roles,
        scopes: None,
    }
}

/// A dossier of An's asking for `copies` copies, submitted at `now`.
pub async fn submitted_with(px: &Px, copies: u32, now: Timestamp) -> Dossier {
    let draft = ready_draft(&px.fx, &px.an, now).await;
    let mut values = valid_values();
    values["copies"] = json!(copies);
    px.dossiers
        .save_draft(&px.an, &draft.id, values, now)
        .await
        .unwrap();
    let (dossier, created) = px
        .dossiers
        .submit(&px.an, &draft.id, None, now)
        .await
        .unwrap_or_else(|e| panic!("{}: submit failed: {e}", px.label));
    assert!(created);
    dossier
}

/// A dossier accepted, assigned to the specialist, and waiting for payment
/// at the specialist's request.
pub async fn awaiting_payment(px: &Px, copies: u32, now: Timestamp) -> Dossier {
    let d = submitted_with(px, copies, now).await;
    let d = act(&px.fx, &px.desk, &d, Command::Accept, later(now, 1)).await;
    let d = act(
        &px.fx,
        &px.desk,
        &d,
        Command::Assign {
            specialist: px.specialist_id.clone(),
        },
        later(now, 2),
    )
    .await;
    px.payments
        .request_payment(
            &px.specialist,
            &d.code.to_string(),
            "Nộp lệ phí và phí bản sao",
            later(now, 3),
        )
        .await
        .unwrap_or_else(|e| panic!("{}: request_payment failed: {e}", px.label))
}

pub fn vnpay_start() -> StartPayment {
    StartPayment {
        gateway: "vnpay".into(),
        ip_addr: "203.0.113.7".parse().unwrap(),
        lang: "vi".into(),
    }
}

/// An starts paying dossier `code` at `now`.
pub async fn start(px: &Px, code: &str, now: Timestamp) -> PaymentStart {
    px.payments
        .start(&px.an, code, vnpay_start(), now)
        .await
        .unwrap_or_else(|e| panic!("{}: start failed: {e}", px.label))
}

/// The notification VNPay would send for `order`, paid at `pay_date` under
/// transaction `transaction_no`, signed as `tamper` says.
pub fn ipn_with(
    px: &Px,
    order: &PaymentOrder,
    decision: Decision,
    tamper: Tamper,
    transaction_no: &str,
    pay_date: Timestamp,
) -> String {
    notification_query(
        &px.vnpay,
        &SimulatedPayment {
            txn_ref: order.gateway_txn_ref.clone(),
            amount: order.total,
            decision,
            transaction_no: transaction_no.into(),
            bank_code: "NCB".into(),
            pay_date,
            order_info: format!("Thanh toan phi le phi ho so {}", order.dossier),
        },
        tamper,
    )
    .unwrap()
}

/// A correct success notification for `order`, paid at `pay_date`.
pub fn paid(px: &Px, order: &PaymentOrder, pay_date: Timestamp) -> String {
    ipn_with(
        px,
        order,
        Decision::Approve,
        Tamper::None,
        "14226112",
        pay_date,
    )
}

/// The `RspCode` of an IPN answer.
pub fn rsp_code(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["RspCode"].as_str().unwrap().to_owned()
}
