//! Online payment, the protocol side, with no I/O: the caller does the HTTP
//! and the storage.
//!
//! - [`gateway`]: the [`gateway::PaymentGateway`] interface the use cases
//!   see, and VNPay behind it;
//! - [`vnpay`]: VNPay 2.1.0 — the signed payment URL, verification of the
//!   return and the IPN, the IPN answers;
//! - [`simulator`]: a stand-in for the gateway (demo and tests) that signs
//!   notifications, correctly or deliberately wrong;
//! - [`settlement`]: the gateway's daily settlement CSV;
//! - [`reconcile`]: our credited payments against the settlement, with
//!   totals per agency and day, exported to CSV and XLSX.
//!
//! The order itself, its status machine and the rule that decides what a
//! verified notification does live in `egov_domain::payment`.

#![forbid(unsafe_code)]

pub mod gateway;
pub mod reconcile;
pub mod settlement;
pub mod simulator;
pub mod vnpay;

pub use gateway::{Acknowledgement, Checkout, GatewayError, PaymentGateway, VnpayGateway};
