//! The gateway simulator (cổng thanh toán giả lập), for the demo and tests
//! only: it plays VNPay's part, producing the query string VNPay would send
//! to the return URL and the IPN for an order — correctly signed with the
//! merchant's secret, or deliberately wrong ([`Tamper`]) to prove that such
//! messages are refused.

use egov_domain::Vnd;
use jiff::Timestamp;

use crate::vnpay::{self, RequestError, VnpConfig};

/// What the simulated payer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Pays: response code `00`, transaction status `00`.
    Approve,
    /// Cancels at the gateway: response code `24`, transaction status `02`.
    Decline,
}

/// A deliberate fault, for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    /// A correct message.
    None,
    /// Signed with another secret.
    WrongSecret,
    /// Signed, then the amount changed (as a forger would).
    AlteredAmount,
    /// Signed as a failure, then the response code changed to `00`.
    AlteredResponseCode,
    /// Without `vnp_SecureHash`.
    MissingHash,
    /// The hash cut short.
    TruncatedHash,
    /// Correctly signed, but the amount is not the order's (a gateway-side
    /// mismatch: the signature verifies, the amount check must refuse it).
    SignedWrongAmount,
}

/// The payment to simulate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedPayment {
    pub txn_ref: String,
    pub amount: Vnd,
    pub decision: Decision,
    /// The gateway's transaction number, e.g. `14226112`.
    pub transaction_no: String,
    pub bank_code: String,
    pub pay_date: Timestamp,
    pub order_info: String,
}

/// The notification query string (return and IPN carry the same
/// parameters), signed as `tamper` says.
pub fn notification_query(
    config: &VnpConfig,
    payment: &SimulatedPayment,
    tamper: Tamper,
) -> Result<String, RequestError> {
    let amount = match tamper {
        Tamper::SignedWrongAmount => Vnd(payment.amount.0.saturating_add(1_000)),
        _ => payment.amount,
    };
    let (response_code, status, transaction_no) = match payment.decision {
        Decision::Approve => ("00", "00", payment.transaction_no.as_str()),
        Decision::Decline => ("24", "02", "0"),
    };
    let mut params: Vec<(&str, String)> = vec![
        ("vnp_TmnCode", config.tmn_code().to_owned()),
        ("vnp_TxnRef", payment.txn_ref.clone()),
        ("vnp_Amount", vnpay::encode_amount(amount)?),
        ("vnp_OrderInfo", payment.order_info.clone()),
        ("vnp_ResponseCode", response_code.to_owned()),
        ("vnp_TransactionStatus", status.to_owned()),
        ("vnp_TransactionNo", transaction_no.to_owned()),
        ("vnp_BankCode", payment.bank_code.clone()),
        ("vnp_BankTranNo", format!("VNP{transaction_no}")),
        ("vnp_CardType", "ATM".to_owned()),
        ("vnp_PayDate", vnpay::format_date(payment.pay_date)),
    ];
    if tamper == Tamper::AlteredResponseCode {
        params[4].1 = "24".to_owned();
        params[5].1 = "02".to_owned();
    }
    let secret: &[u8] = if tamper == Tamper::WrongSecret {
        b"not-the-merchant-secret"
    } else {
        config.secret()
    };
    let hash = vnpay::sign(secret, &params);
    match tamper {
        Tamper::AlteredAmount => params[2].1 = vnpay::encode_amount(Vnd(amount.0 / 10))?,
        Tamper::AlteredResponseCode => {
            params[4].1 = "00".to_owned();
            params[5].1 = "00".to_owned();
        }
        _ => {}
    }
    let query = vnpay::canonical_query(&params);
    Ok(match tamper {
        Tamper::MissingHash => query,
        Tamper::TruncatedHash => format!("{query}&vnp_SecureHash={}", &hash[..64]),
        _ => format!("{query}&vnp_SecureHashType=HmacSHA512&vnp_SecureHash={hash}"),
    })
}

/// Where the simulator sends the browser back: `return_url` with the
/// notification's query appended.
pub fn return_redirect(return_url: &str, query: &str) -> String {
    let separator = if return_url.contains('?') { '&' } else { '?' };
    format!("{return_url}{separator}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vnpay::{verify_notification, NotificationError};

    fn config() -> VnpConfig {
        VnpConfig::new(
            "EGOVTEST",
            "SECRETKEYFORTESTSONLY0123456789AB",
            "https://pay.example/vpcpay.html",
        )
        .unwrap()
    }

    fn payment(decision: Decision) -> SimulatedPayment {
        SimulatedPayment {
            txn_ref: "PO20261123ABC".into(),
            amount: Vnd(74_000),
            decision,
            transaction_no: "14226112".into(),
            bank_code: "NCB".into(),
            pay_date: "2026-11-23T03:05:00Z".parse().unwrap(),
            order_info: "Thanh toan le phi".into(),
        }
    }

    #[test]
    fn correct_messages_verify() {
        let q = notification_query(&config(), &payment(Decision::Approve), Tamper::None).unwrap();
        let n = verify_notification(&config(), &q).unwrap();
        assert!(n.is_success());
        assert_eq!(n.amount, Vnd(74_000));
        assert_eq!(n.transaction_no, "14226112");
        assert_eq!(n.pay_date, Some("2026-11-23T03:05:00Z".parse().unwrap()));
        let q = notification_query(&config(), &payment(Decision::Decline), Tamper::None).unwrap();
        let n = verify_notification(&config(), &q).unwrap();
        assert!(!n.is_success());
        assert_eq!(n.response_code, "24");
        assert_eq!(n.to_notice().transaction_no, None);
    }

    #[test]
    fn tampered_messages_are_refused() {
        for (tamper, expected) in [
            (Tamper::WrongSecret, NotificationError::BadSignature),
            (Tamper::AlteredAmount, NotificationError::BadSignature),
            (Tamper::AlteredResponseCode, NotificationError::BadSignature),
            (
                Tamper::MissingHash,
                NotificationError::MissingField("vnp_SecureHash"),
            ),
            (Tamper::TruncatedHash, NotificationError::BadSignature),
        ] {
            let q = notification_query(&config(), &payment(Decision::Approve), tamper).unwrap();
            assert_eq!(
                verify_notification(&config(), &q),
                Err(expected),
                "{tamper:?}"
            );
        }
    }

    #[test]
    fn a_signed_wrong_amount_verifies_but_differs() {
        let q = notification_query(
            &config(),
            &payment(Decision::Approve),
            Tamper::SignedWrongAmount,
        )
        .unwrap();
        assert_eq!(
            verify_notification(&config(), &q).unwrap().amount,
            Vnd(75_000)
        );
    }

    #[test]
    fn the_redirect_keeps_the_return_urls_own_query() {
        assert_eq!(
            return_redirect("https://egov.example/tt/ket-qua", "a=1"),
            "https://egov.example/tt/ket-qua?a=1"
        );
        assert_eq!(
            return_redirect("https://egov.example/tt/ket-qua?lang=en", "a=1"),
            "https://egov.example/tt/ket-qua?lang=en&a=1"
        );
    }
}
