//! Online payment of fees (thanh toán trực tuyến phí, lệ phí): payment
//! orders of dossiers, the gateways' notifications, electronic receipts,
//! refunds, and reconciliation with the gateways' settlement files.
//!
//! `Payments` is the one entry point. The flow:
//!
//! 1. the applicant starts a payment ([`Payments::start`]): the unpaid fee
//!    lines payable in the dossier's status become one pending order (15
//!    minutes by default), and the gateway gives the address to send the
//!    payer to;
//! 2. the gateway calls the notification endpoint (IPN):
//!    [`Payments::handle_notification`] verifies the message, finds the order
//!    by its reference, lets the domain decide (`PaymentOrder::apply_notice`)
//!    and writes the order compared-and-set on its version, so that the same
//!    notice delivered many times at once credits once. Every message is
//!    recorded; those that may mean money taken and not credited (a wrong
//!    amount, a late success, a second payment, an unknown order, a bad
//!    signature) wait for a finance officer's review;
//! 3. a credit numbers the electronic receipt in the same transaction; then
//!    the receipt's PDF is rendered and the dossier, if it waited for the
//!    payment, moves on (`ConfirmPayment`). That follow-up is flagged on the
//!    order until done, and [`Payments::expire_due`] — the periodic sweep,
//!    which also expires unpaid orders — finishes any that a crash
//!    interrupted;
//! 4. the browser's return ([`Payments::payment_return`]) only shows what we
//!    know: it never changes anything.
//!
//! Money goes back only by a finance officer's refund ([`Payments::refund`]),
//! with a reason. Reconciliation ([`Payments::import_settlement`]) matches
//! the gateway's daily file against our credited payments.
//!
//! Permissions: the applicant pays and reads their payments; the officials
//! who may read the dossier read its payments; `ManagePayments` in the
//! paid agency's path (its finance officers) refunds; `ManagePayments` in
//! the path of the agency holding the merchant account
//! ([`PaymentsConfig::merchant_agency`]) reconciles and reviews
//! notifications.

mod flow;
mod ipn;
mod receipt;
mod reconcile;
mod refunds;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use egov_domain::dossier::{Dossier, DossierCode};
use egov_domain::identity::{authorize, AccountId, Action, Actor};
use egov_domain::payment::{
    FeeLine, PaymentError, PaymentOrder, PaymentOrderId, PaymentStatus, Refund, RefundError,
};
use egov_domain::service::ServiceDefinition;
use egov_domain::{InvalidField, Vnd};
use egov_payments::PaymentGateway;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::ports::blobs::BlobStore;
use crate::ports::{CatalogueStore, DossierStore, PaymentStore, StoredPaymentOrder};
use crate::AppError;

pub use egov_payments::reconcile::Report;
pub use ipn::IpnResponse;
pub use receipt::ReceiptCheck;
pub use reconcile::{ExportFile, ExportFormat, SettlementImport};
pub use refunds::RefundInput;

/// Agencies are nested a few levels deep; a longer chain is a cycle.
const MAX_AGENCY_DEPTH: usize = 16;

/// Settings of the payment use cases.
#[derive(Debug, Clone)]
pub struct PaymentsConfig {
    /// Public address of the portal: the gateway sends the payer back to
    /// `{public_base_url}/thanh-toan/{gateway}/ket-qua`, and receipts carry
    /// a QR code of `{public_base_url}/bien-lai/{receipt_id}`.
    pub public_base_url: String,
    /// How long an order may be paid after it is created.
    pub order_ttl: SignedDuration,
    /// The agency holding the merchant account at the gateways: finance
    /// officers there (or above) reconcile and review notifications. Empty:
    /// system administrators only.
    pub merchant_agency: String,
    /// Largest settlement file accepted, in bytes.
    pub max_settlement_bytes: usize,
}

impl Default for PaymentsConfig {
    fn default() -> Self {
        Self {
            public_base_url: "http://127.0.0.1:8080".into(),
            order_ttl: SignedDuration::from_mins(15),
            merchant_agency: String::new(),
            max_settlement_bytes: 20 * 1024 * 1024,
        }
    }
}

/// What the applicant asks for when starting a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartPayment {
    /// The gateway's code, e.g. `vnpay`.
    pub gateway: String,
    /// The payer's address, which the gateway wants.
    pub ip_addr: IpAddr,
    /// `en` for the gateway's English pages, anything else for Vietnamese.
    pub lang: String,
}

/// A started payment: the order and where to send the payer.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentStart {
    pub order: PaymentOrder,
    pub redirect_url: String,
    /// The dossier's pending order was still payable and is reused.
    pub reused: bool,
}

/// A receipt as listed with its payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptRef {
    pub id: String,
    /// Series and number as printed, e.g. `BL2026-0000012`.
    pub number: String,
    pub issued_at: Timestamp,
    /// The public verification page (its QR code is on the PDF).
    pub verify_url: String,
    /// The PDF is ready.
    pub rendered: bool,
}

/// A payment order with its refunds and receipt.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    pub order: PaymentOrder,
    /// The agency the fees are paid to.
    pub agency: String,
    /// What is left to refund.
    pub refundable: Vnd,
    pub refunds: Vec<Refund>,
    pub receipt: Option<ReceiptRef>,
}

/// What a dossier owes, what is paid and what may be paid now.
#[derive(Debug, Clone, Serialize)]
pub struct DossierPayments {
    pub dossier: String,
    /// Every fee line due (after exemptions).
    pub lines: Vec<FeeLine>,
    pub total: Vnd,
    /// The lines no credited order covers yet.
    pub unpaid: Vec<FeeLine>,
    /// The unpaid lines the applicant may pay in the dossier's status.
    pub payable_now: Vec<FeeLine>,
    pub payable_total: Vnd,
    /// The dossier's orders, oldest first.
    pub orders: Vec<PaymentView>,
}

/// What the browser's return from the gateway may show: our status, never
/// changed by the return itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentReturn {
    /// The return's signature is valid.
    pub verified: bool,
    /// A verified return says the payment went through. The order is paid
    /// only once the gateway's notification says so too.
    pub gateway_success: bool,
    pub order_id: Option<PaymentOrderId>,
    pub dossier: Option<String>,
    /// Our status of the order.
    pub status: Option<PaymentStatus>,
    pub total: Option<Vnd>,
}

/// What the periodic sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sweep {
    /// Pending orders past their expiry, now expired.
    pub expired: u32,
    /// Credits whose follow-up (receipt PDF, dossier) was finished.
    pub followed_up: u32,
    /// Follow-ups that failed again (logged; retried at the next sweep).
    pub failed: u32,
}

/// The payment use cases.
pub struct Payments {
    store: Arc<dyn PaymentStore>,
    dossiers: Arc<dyn DossierStore>,
    catalogue: Arc<dyn CatalogueStore>,
    blobs: Arc<dyn BlobStore>,
    gateways: BTreeMap<String, Arc<dyn PaymentGateway>>,
    config: PaymentsConfig,
}

impl Payments {
    /// The gateways are known by their codes (`PaymentGateway::code`).
    pub fn new(
        store: Arc<dyn PaymentStore>,
        dossiers: Arc<dyn DossierStore>,
        catalogue: Arc<dyn CatalogueStore>,
        blobs: Arc<dyn BlobStore>,
        gateways: Vec<Arc<dyn PaymentGateway>>,
        config: PaymentsConfig,
    ) -> Self {
        Self {
            store,
            dossiers,
            catalogue,
            blobs,
            gateways: gateways
                .into_iter()
                .map(|g| (g.code().to_owned(), g))
                .collect(),
            config,
        }
    }

    pub fn config(&self) -> &PaymentsConfig {
        &self.config
    }

    /// The codes of the configured gateways.
    pub fn gateways(&self) -> Vec<String> {
        self.gateways.keys().cloned().collect()
    }

    fn gateway(&self, code: &str) -> Result<&Arc<dyn PaymentGateway>, AppError> {
        self.gateways
            .get(code)
            .ok_or_else(|| AppError::not_found("payment gateway", code))
    }

    fn base_url(&self) -> &str {
        self.config.public_base_url.trim_end_matches('/')
    }

    /// Where the gateway sends the payer back.
    pub fn return_url(&self, gateway: &str) -> String {
        format!("{}/thanh-toan/{gateway}/ket-qua", self.base_url())
    }

    /// The public verification page of a receipt.
    pub fn receipt_url(&self, receipt_id: &str) -> String {
        format!("{}/bien-lai/{receipt_id}", self.base_url())
    }

    async fn load_dossier(&self, code: &DossierCode) -> Result<Dossier, AppError> {
        self.dossiers
            .dossier(code)
            .await?
            .ok_or_else(|| AppError::not_found("dossier", code.to_string()))
    }

    async fn service_of(&self, dossier: &Dossier) -> Result<ServiceDefinition, AppError> {
        self.dossiers
            .service_version(&dossier.procedure_code, dossier.service_version)
            .await?
            .ok_or_else(|| {
                AppError::not_found(
                    "service",
                    format!(
                        "{} v{}",
                        dossier.procedure_code.as_str(),
                        dossier.service_version
                    ),
                )
            })
    }

    async fn load_order(&self, id: &str) -> Result<StoredPaymentOrder, AppError> {
        self.store
            .payment_order(&PaymentOrderId(id.to_owned()))
            .await?
            .ok_or_else(|| AppError::not_found("payment order", id))
    }

    /// The agency's code and those of every agency above it, nearest first.
    async fn agency_path(&self, code: &str) -> Result<Vec<String>, AppError> {
        let mut path: Vec<String> = Vec::new();
        let mut next = Some(code.to_owned());
        while let Some(code) = next.take() {
            if code.is_empty() || path.len() >= MAX_AGENCY_DEPTH || path.contains(&code) {
                break;
            }
            next = self
                .catalogue
                .agency(&code)
                .await?
                .and_then(|a| a.parent_code);
            path.push(code);
        }
        Ok(path)
    }

    async fn agency_name(&self, code: &str) -> Result<String, AppError> {
        Ok(self
            .catalogue
            .agency(code)
            .await?
            .map_or_else(|| code.to_owned(), |a| a.name))
    }

    /// Refunds and notification reviews of the agency's payments.
    async fn authorize_manage(&self, actor: &Actor, agency: &str) -> Result<(), AppError> {
        let path = self.agency_path(agency).await?;
        Ok(authorize(
            actor,
            &Action::ManagePayments { agency_path: &path },
        )?)
    }

    /// Reconciliation and the review of notifications: the merchant's finance.
    async fn authorize_merchant(&self, actor: &Actor) -> Result<(), AppError> {
        let merchant = self.config.merchant_agency.clone();
        self.authorize_manage(actor, &merchant).await
    }

    /// Reading a dossier's payments: its applicant, the officials who may
    /// read the dossier, and the finance officers of the paid agency.
    async fn authorize_read(
        &self,
        actor: &Actor,
        dossier: &Dossier,
        agencies: &[&str],
    ) -> Result<(), AppError> {
        let path = self.agency_path(&dossier.handling_agency).await?;
        let read = authorize(
            actor,
            &Action::ReadDossier {
                applicant: &dossier.applicant,
                agency_path: &path,
            },
        );
        if read.is_ok() {
            return Ok(());
        }
        let mut checked = vec![dossier.receiving_agency.as_str()];
        checked.extend(agencies.iter().copied());
        for agency in checked {
            if self.authorize_manage(actor, agency).await.is_ok() {
                return Ok(());
            }
        }
        read.map_err(AppError::Denied)
    }

    async fn view(&self, stored: StoredPaymentOrder) -> Result<PaymentView, AppError> {
        let refunds = self.store.refunds(&stored.order.id).await?;
        let receipt = self
            .store
            .receipt_of(&stored.order.id)
            .await?
            .map(|r| ReceiptRef {
                number: receipt::number(&r),
                verify_url: self.receipt_url(&r.id),
                rendered: r.content_hash.is_some(),
                issued_at: r.issued_at,
                id: r.id,
            });
        Ok(PaymentView {
            refundable: stored.order.refundable(),
            agency: stored.agency,
            order: stored.order,
            refunds,
            receipt,
        })
    }

    /// One order with its refunds and receipt, for those who may read the
    /// dossier's payments.
    pub async fn payment(&self, actor: &Actor, order_id: &str) -> Result<PaymentView, AppError> {
        let stored = self.load_order(order_id).await?;
        let dossier = self.load_dossier(&stored.order.dossier).await?;
        self.authorize_read(actor, &dossier, &[stored.agency.as_str()])
            .await?;
        self.view(stored).await
    }
}

/// The account id recorded for an actor: the person's, or `system` for the
/// operator.
fn actor_account(actor: &Actor) -> AccountId {
    match actor {
        Actor::Person { id, .. } => id.clone(),
        Actor::Anonymous | Actor::System => AccountId("system".into()),
    }
}

fn person(actor: &Actor) -> Option<AccountId> {
    match actor {
        Actor::Person { id, .. } => Some(id.clone()),
        Actor::Anonymous | Actor::System => None,
    }
}

fn parse_code(code: &str) -> Result<DossierCode, AppError> {
    Ok(DossierCode::parse(code)?)
}

fn payment_error(e: PaymentError) -> AppError {
    match e {
        PaymentError::NothingToPay => AppError::Conflict("there is nothing to pay".into()),
        other => AppError::Conflict(other.to_string()),
    }
}

fn refund_error(e: RefundError) -> AppError {
    match e {
        RefundError::NotPaid(_) => AppError::Conflict(e.to_string()),
        RefundError::NotPositive | RefundError::TooMuch { .. } => {
            InvalidField::new("amount", e.to_string()).into()
        }
        RefundError::ReasonRequired | RefundError::ReasonTooLong => {
            InvalidField::new("reason", e.to_string()).into()
        }
    }
}

/// How many times a compare-and-set is tried again after losing a race.
const RETRIES: usize = 5;

fn lost_races(what: &str) -> AppError {
    AppError::Conflict(format!("{what} changed meanwhile too often; try again"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refund_errors_name_the_field() {
        let invalid = |e: AppError| match e {
            AppError::Invalid(f) => f.field,
            other => panic!("{other:?}"),
        };
        assert_eq!(invalid(refund_error(RefundError::NotPositive)), "amount");
        assert_eq!(
            invalid(refund_error(RefundError::TooMuch {
                requested: Vnd(2),
                refundable: Vnd(1)
            })),
            "amount"
        );
        assert_eq!(invalid(refund_error(RefundError::ReasonRequired)), "reason");
        assert!(matches!(
            refund_error(RefundError::NotPaid(PaymentStatus::Pending)),
            AppError::Conflict(_)
        ));
    }

    #[test]
    fn the_system_is_recorded_as_system() {
        assert_eq!(actor_account(&Actor::System).0, "system");
        assert_eq!(person(&Actor::System), None);
    }
}
