//! The payment gateway (cổng thanh toán) interface: what the use cases need
//! from any gateway — VNPay today; the national payment platform or bank QR
//! later — with no I/O. The app sends the payer to [`PaymentGateway::payment_url`],
//! turns every return or notification into a verified [`PaymentNotice`]
//! with [`PaymentGateway::verify`], applies it to the order
//! (`PaymentOrder::apply_notice`), and answers with
//! [`PaymentGateway::acknowledge`].

use std::net::IpAddr;

use egov_domain::payment::{NoticeOutcome, PaymentNotice};
use egov_domain::Vnd;
use jiff::Timestamp;

use crate::vnpay::{self, IpnResponse, Locale, NotificationError, PaymentRequest, VnpConfig};

/// A payment to ask for, in gateway-neutral terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The order's reference at the gateway.
    pub txn_ref: String,
    pub amount: Vnd,
    /// A short description without diacritics, e.g. "Thanh toan le phi ho so …".
    pub description: String,
    /// `"en"` for English pages, anything else for Vietnamese.
    pub lang: String,
    pub return_url: String,
    pub ip_addr: IpAddr,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Why a gateway refused to build a request or to accept a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    #[error("invalid payment request: {0}")]
    InvalidRequest(String),
    #[error("bad signature")]
    BadSignature,
    #[error("bad amount: {0}")]
    BadAmount(String),
    #[error("malformed message: {0}")]
    Malformed(String),
}

impl From<NotificationError> for GatewayError {
    fn from(e: NotificationError) -> Self {
        match e {
            NotificationError::BadSignature | NotificationError::MissingField("vnp_SecureHash") => {
                GatewayError::BadSignature
            }
            NotificationError::BadAmount { .. } => GatewayError::BadAmount(e.to_string()),
            other => GatewayError::Malformed(other.to_string()),
        }
    }
}

/// The HTTP answer to a server-to-server notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    pub content_type: &'static str,
    pub body: String,
}

/// A payment gateway's protocol. Implementations hold their secrets and do
/// no I/O.
pub trait PaymentGateway: Send + Sync {
    /// Stable code stored on orders, e.g. `vnpay`.
    fn code(&self) -> &'static str;

    /// Where to send the payer.
    fn payment_url(&self, checkout: &Checkout) -> Result<String, GatewayError>;

    /// Verifies a return or notification (its raw query string) and reads it.
    fn verify(&self, query: &str) -> Result<PaymentNotice, GatewayError>;

    /// The answer to a notification: after `verify` failed (`Err`) or after
    /// the order applied it (`Ok`).
    fn acknowledge(&self, result: Result<&NoticeOutcome, &GatewayError>) -> Acknowledgement;
}

/// VNPay 2.1.0 behind [`PaymentGateway`].
#[derive(Debug, Clone)]
pub struct VnpayGateway {
    config: VnpConfig,
    order_type: String,
}

impl VnpayGateway {
    /// `order_type` is VNPay's category code for every order, e.g. `billpayment`.
    pub fn new(config: VnpConfig, order_type: &str) -> Self {
        Self {
            config,
            order_type: order_type.to_owned(),
        }
    }

    pub fn config(&self) -> &VnpConfig {
        &self.config
    }
}

impl PaymentGateway for VnpayGateway {
    fn code(&self) -> &'static str {
        "vnpay"
    }

    fn payment_url(&self, checkout: &Checkout) -> Result<String, GatewayError> {
        let request = PaymentRequest {
            txn_ref: checkout.txn_ref.clone(),
            amount: checkout.amount,
            order_info: checkout.description.clone(),
            order_type: self.order_type.clone(),
            locale: if checkout.lang == "en" {
                Locale::En
            } else {
                Locale::Vn
            },
            return_url: checkout.return_url.clone(),
            ip_addr: checkout.ip_addr,
            created_at: checkout.created_at,
            expires_at: checkout.expires_at,
            bank_code: None,
        };
        vnpay::payment_url(&self.config, &request)
            .map_err(|e| GatewayError::InvalidRequest(e.to_string()))
    }

    fn verify(&self, query: &str) -> Result<PaymentNotice, GatewayError> {
        Ok(vnpay::verify_notification(&self.config, query)?.to_notice())
    }

    fn acknowledge(&self, result: Result<&NoticeOutcome, &GatewayError>) -> Acknowledgement {
        let response = match result {
            Ok(outcome) => IpnResponse::for_outcome(outcome),
            Err(GatewayError::BadSignature) => IpnResponse::InvalidSignature,
            Err(GatewayError::BadAmount(_)) => IpnResponse::InvalidAmount,
            Err(_) => IpnResponse::UnknownError,
        };
        Acknowledgement {
            content_type: "application/json",
            body: response.body(),
        }
    }
}
