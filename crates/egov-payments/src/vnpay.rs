//! VNPay, version 2.1.0: the payment URL the payer is sent to, and the
//! verification of what comes back (the browser's return and the
//! server-to-server notification, IPN).
//!
//! Signing, as `shared/DOMAIN.md` describes it: keep the `vnp_*` parameters
//! with a non-empty value, sort them by key (byte order), join
//! `key=value` with `&`, keys and values form-URL-encoded
//! (`application/x-www-form-urlencoded`, UTF-8: space → `+`, everything but
//! `A–Z a–z 0–9 * - . _` percent-encoded with upper-case hex), then
//! `vnp_SecureHash` = lower-case hex HMAC-SHA512 of that string under the
//! shared secret. This is the encoding of VNPay's Java sample
//! (`URLEncoder`); PHP's `urlencode` differs only on `*` (`%2A`), which
//! order descriptions here never contain.
//!
//! Verifying removes `vnp_SecureHash` and `vnp_SecureHashType`, recomputes
//! over the other `vnp_*` parameters (others, such as our own query
//! parameters on the return URL, are not signed and are ignored) and
//! compares in constant time. Duplicate `vnp_*` keys are refused, so what is
//! verified is exactly what is read.

use std::fmt;
use std::net::IpAddr;

use egov_domain::calendar::TIME_ZONE;
use egov_domain::payment::PaymentNotice;
use egov_domain::Vnd;
use hmac::{Hmac, Mac};
use jiff::civil::DateTime;
use jiff::Timestamp;
use serde::Serialize;
use sha2::Sha512;
use subtle::ConstantTimeEq;
use url::form_urlencoded;
use url::Url;

/// The protocol version this module speaks.
pub const VERSION: &str = "2.1.0";

const SECURE_HASH: &str = "vnp_SecureHash";
const SECURE_HASH_TYPE: &str = "vnp_SecureHashType";

/// The merchant's settings at VNPay.
#[derive(Clone)]
pub struct VnpConfig {
    tmn_code: String,
    hash_secret: String,
    pay_url: Url,
}

impl fmt::Debug for VnpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VnpConfig")
            .field("tmn_code", &self.tmn_code)
            .field("hash_secret", &"[redacted]")
            .field("pay_url", &self.pay_url.as_str())
            .finish()
    }
}

/// A setting or a request the gateway would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct RequestError {
    pub field: &'static str,
    pub reason: &'static str,
}

fn refuse(field: &'static str, reason: &'static str) -> RequestError {
    RequestError { field, reason }
}

impl VnpConfig {
    /// `tmn_code`: the terminal (merchant) code; `hash_secret`: the shared
    /// secret; `pay_url`: the gateway's payment page, e.g.
    /// `https://sandbox.vnpayment.vn/paymentv2/vpcpay.html`.
    pub fn new(tmn_code: &str, hash_secret: &str, pay_url: &str) -> Result<Self, RequestError> {
        if tmn_code.is_empty()
            || tmn_code.len() > 8
            || !tmn_code.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(refuse("tmn_code", "1–8 letters or digits"));
        }
        if hash_secret.len() < 16 {
            return Err(refuse("hash_secret", "at least 16 characters"));
        }
        let pay_url = Url::parse(pay_url).map_err(|_| refuse("pay_url", "not a URL"))?;
        if !matches!(pay_url.scheme(), "https" | "http")
            || pay_url.query().is_some()
            || pay_url.fragment().is_some()
        {
            return Err(refuse(
                "pay_url",
                "an http(s) URL without query or fragment",
            ));
        }
        Ok(Self {
            tmn_code: tmn_code.to_owned(),
            hash_secret: hash_secret.to_owned(),
            pay_url,
        })
    }

    pub fn tmn_code(&self) -> &str {
        &self.tmn_code
    }

    pub fn pay_url(&self) -> &Url {
        &self.pay_url
    }

    pub(crate) fn secret(&self) -> &[u8] {
        self.hash_secret.as_bytes()
    }
}

/// The language of VNPay's pages (`vnp_Locale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    Vn,
    En,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Vn => "vn",
            Locale::En => "en",
        }
    }
}

/// One payment to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    /// Our reference (`vnp_TxnRef`), unique per merchant: 1–100 ASCII
    /// letters, digits, `-`, `_` or `.`.
    pub txn_ref: String,
    pub amount: Vnd,
    /// `vnp_OrderInfo`: Vietnamese without diacritics, no special
    /// characters (see [`is_plain_text`]), 1–255 characters.
    pub order_info: String,
    /// `vnp_OrderType`, a VNPay category code, e.g. `other` or `billpayment`.
    pub order_type: String,
    pub locale: Locale,
    /// Where VNPay sends the payer back (`vnp_ReturnUrl`).
    pub return_url: String,
    /// The payer's IP address (`vnp_IpAddr`).
    pub ip_addr: IpAddr,
    pub created_at: Timestamp,
    /// After this VNPay refuses the payment (`vnp_ExpireDate`).
    pub expires_at: Timestamp,
    /// Pre-selects a payment method (`VNPAYQR`, `VNBANK`, `INTCARD`);
    /// `None` lets the payer choose.
    pub bank_code: Option<String>,
}

/// Letters, digits, space and `. , : - _ / # ( )` only: what VNPay accepts
/// in an order description.
pub fn is_plain_text(s: &str) -> bool {
    s.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'.' | b',' | b':' | b'-' | b'_' | b'/' | b'#' | b'(' | b')'
            )
    })
}

pub(crate) fn is_reference(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh, as VNPay writes dates.
pub fn format_date(t: Timestamp) -> String {
    t.to_zoned(TIME_ZONE.clone())
        .strftime("%Y%m%d%H%M%S")
        .to_string()
}

/// Reads a `yyyyMMddHHmmss` date in Asia/Ho_Chi_Minh.
pub fn parse_date(s: &str) -> Option<Timestamp> {
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let civil = DateTime::strptime("%Y%m%d%H%M%S", s).ok()?;
    Some(civil.to_zoned(TIME_ZONE.clone()).ok()?.timestamp())
}

/// `vnp_Amount`: the amount × 100, refused if not positive or overflowing.
pub fn encode_amount(amount: Vnd) -> Result<String, RequestError> {
    if amount.0 <= 0 {
        return Err(refuse("amount", "a positive amount"));
    }
    amount
        .0
        .checked_mul(100)
        .map(|a| a.to_string())
        .ok_or_else(|| refuse("amount", "too large"))
}

/// Reads `vnp_Amount` back into đồng: ASCII digits only, a multiple of 100,
/// no overflow.
pub fn decode_amount(s: &str) -> Result<Vnd, NotificationError> {
    let bad = |reason: &'static str| NotificationError::BadAmount {
        value: s.chars().take(32).collect(),
        reason,
    };
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("not a non-negative whole number"));
    }
    let hundredths: i64 = s.parse().map_err(|_| bad("too large"))?;
    if hundredths % 100 != 0 {
        return Err(bad("not a whole number of đồng (× 100)"));
    }
    Ok(Vnd(hundredths / 100))
}

/// The string that is signed: non-empty values, sorted by key,
/// form-URL-encoded, joined with `&`.
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut kept: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in kept {
        out.append_pair(k, v);
    }
    out.finish()
}

fn mac(secret: &[u8], data: &str) -> Vec<u8> {
    // HMAC takes a key of any length, so `new_from_slice` cannot fail.
    match Hmac::<Sha512>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(data.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// `vnp_SecureHash` of the parameters: lower-case hex HMAC-SHA512 of
/// [`canonical_query`].
pub fn sign<K: AsRef<str>, V: AsRef<str>>(secret: &[u8], params: &[(K, V)]) -> String {
    hex::encode(mac(secret, &canonical_query(params)))
}

/// The canonical query with its `vnp_SecureHash` appended.
pub fn signed_query<K: AsRef<str>, V: AsRef<str>>(secret: &[u8], params: &[(K, V)]) -> String {
    let query = canonical_query(params);
    let hash = hex::encode(mac(secret, &query));
    if query.is_empty() {
        format!("{SECURE_HASH}={hash}")
    } else {
        format!("{query}&{SECURE_HASH}={hash}")
    }
}

/// The parameters of a payment request, unsigned, in no particular order.
pub fn payment_params(
    config: &VnpConfig,
    request: &PaymentRequest,
) -> Result<Vec<(&'static str, String)>, RequestError> {
    if !is_reference(&request.txn_ref, 100) {
        return Err(refuse("txn_ref", "1–100 letters, digits, `-`, `_` or `.`"));
    }
    let amount = encode_amount(request.amount)?;
    let info_len = request.order_info.chars().count();
    if !(1..=255).contains(&info_len) || !is_plain_text(&request.order_info) {
        return Err(refuse(
            "order_info",
            "1–255 characters without diacritics or special characters",
        ));
    }
    if !is_reference(&request.order_type, 100) {
        return Err(refuse("order_type", "a category code"));
    }
    match Url::parse(&request.return_url) {
        Ok(url) if matches!(url.scheme(), "https" | "http") => {}
        _ => return Err(refuse("return_url", "an absolute http(s) URL")),
    }
    if request.expires_at <= request.created_at {
        return Err(refuse("expires_at", "after the creation"));
    }
    if let Some(code) = &request.bank_code {
        if !code.is_empty() && !is_reference(code, 20) {
            return Err(refuse("bank_code", "letters and digits"));
        }
    }
    Ok(vec![
        ("vnp_Version", VERSION.to_owned()),
        ("vnp_Command", "pay".to_owned()),
        ("vnp_TmnCode", config.tmn_code.clone()),
        ("vnp_Amount", amount),
        ("vnp_CurrCode", "VND".to_owned()),
        ("vnp_TxnRef", request.txn_ref.clone()),
        ("vnp_OrderInfo", request.order_info.clone()),
        ("vnp_OrderType", request.order_type.clone()),
        ("vnp_Locale", request.locale.as_str().to_owned()),
        ("vnp_ReturnUrl", request.return_url.clone()),
        ("vnp_IpAddr", request.ip_addr.to_string()),
        ("vnp_CreateDate", format_date(request.created_at)),
        ("vnp_ExpireDate", format_date(request.expires_at)),
        (
            "vnp_BankCode",
            request.bank_code.clone().unwrap_or_default(),
        ),
    ])
}

/// The URL to send the payer to: the payment page with the signed query.
pub fn payment_url(config: &VnpConfig, request: &PaymentRequest) -> Result<String, RequestError> {
    let params = payment_params(config, request)?;
    Ok(format!(
        "{}?{}",
        config.pay_url,
        signed_query(config.secret(), &params)
    ))
}

/// Why a return or notification was refused. The app records it for
/// review and changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    #[error("missing {0}")]
    MissingField(&'static str),
    #[error("{0} appears more than once")]
    DuplicateField(String),
    #[error("bad signature")]
    BadSignature,
    #[error("bad amount `{value}`: {reason}")]
    BadAmount { value: String, reason: &'static str },
    #[error("bad {field}: {reason}")]
    BadField {
        field: &'static str,
        reason: &'static str,
    },
    #[error("the notification is for another merchant")]
    WrongMerchant,
}

/// The `vnp_*` parameters of a query whose signature is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedParams(Vec<(String, String)>);

impl VerifiedParams {
    /// The value of `key`, `None` if absent or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Checks the signature of a return or IPN query string (with or without
/// its leading `?`). The hash may be upper- or lower-case hex.
pub fn verify_query(secret: &[u8], query: &str) -> Result<VerifiedParams, NotificationError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    verify_pairs(
        secret,
        form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())),
    )
}

/// [`verify_query`] over decoded pairs (e.g. from a web framework's query
/// extractor).
pub fn verify_pairs(
    secret: &[u8],
    pairs: impl IntoIterator<Item = (String, String)>,
) -> Result<VerifiedParams, NotificationError> {
    let mut params: Vec<(String, String)> = Vec::new();
    let mut hash: Option<String> = None;
    let mut hash_type_seen = false;
    for (key, value) in pairs {
        if !key.starts_with("vnp_") {
            continue;
        }
        if key == SECURE_HASH {
            if hash.replace(value).is_some() {
                return Err(NotificationError::DuplicateField(key));
            }
        } else if key == SECURE_HASH_TYPE {
            if std::mem::replace(&mut hash_type_seen, true) {
                return Err(NotificationError::DuplicateField(key));
            }
        } else if params.iter().any(|(k, _)| *k == key) {
            return Err(NotificationError::DuplicateField(key));
        } else {
            params.push((key, value));
        }
    }
    let hash = hash
        .filter(|h| !h.is_empty())
        .ok_or(NotificationError::MissingField(SECURE_HASH))?;
    let given = hex::decode(hash.trim()).map_err(|_| NotificationError::BadSignature)?;
    let expected = mac(secret, &canonical_query(&params));
    if given.len() != expected.len() || !bool::from(given.ct_eq(&expected)) {
        return Err(NotificationError::BadSignature);
    }
    Ok(VerifiedParams(params))
}

/// A verified return or IPN from VNPay, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VnpNotification {
    pub tmn_code: String,
    /// Our reference (`vnp_TxnRef`).
    pub txn_ref: String,
    /// In đồng (`vnp_Amount` ÷ 100).
    pub amount: Vnd,
    /// `vnp_ResponseCode`: `00` success, `24` cancelled by the payer, …
    pub response_code: String,
    /// `vnp_TransactionStatus`: `00` success, `01` unfinished, `02` error, …
    pub transaction_status: String,
    /// VNPay's transaction number (`0` when there was none).
    pub transaction_no: String,
    pub bank_code: Option<String>,
    pub bank_tran_no: Option<String>,
    pub card_type: Option<String>,
    pub order_info: Option<String>,
    /// `vnp_PayDate`, read in Asia/Ho_Chi_Minh.
    pub pay_date: Option<Timestamp>,
}

impl VnpNotification {
    /// Both the response code and the transaction status say success.
    pub fn is_success(&self) -> bool {
        self.response_code == "00" && self.transaction_status == "00"
    }

    /// The gateway-neutral notice the domain applies to an order.
    pub fn to_notice(&self) -> PaymentNotice {
        PaymentNotice {
            txn_ref: self.txn_ref.clone(),
            amount: self.amount,
            success: self.is_success(),
            transaction_no: Some(self.transaction_no.clone())
                .filter(|n| !n.is_empty() && n.bytes().any(|b| b != b'0')),
            paid_at: self.pay_date,
        }
    }
}

fn code_field(
    params: &VerifiedParams,
    field: &'static str,
    max: usize,
) -> Result<String, NotificationError> {
    let value = params
        .get(field)
        .ok_or(NotificationError::MissingField(field))?;
    if !is_reference(value, max) {
        return Err(NotificationError::BadField {
            field,
            reason: "unexpected characters or length",
        });
    }
    Ok(value.to_owned())
}

/// Verifies a return or IPN query and reads it. Refuses a bad signature, a
/// missing field, a bad amount, or another merchant's notification.
pub fn verify_notification(
    config: &VnpConfig,
    query: &str,
) -> Result<VnpNotification, NotificationError> {
    let params = verify_query(config.secret(), query)?;
    parse_notification(config, &params)
}

/// Reads verified parameters into a [`VnpNotification`].
pub fn parse_notification(
    config: &VnpConfig,
    params: &VerifiedParams,
) -> Result<VnpNotification, NotificationError> {
    let tmn_code = code_field(params, "vnp_TmnCode", 8)?;
    if tmn_code != config.tmn_code {
        return Err(NotificationError::WrongMerchant);
    }
    let amount = decode_amount(
        params
            .get("vnp_Amount")
            .ok_or(NotificationError::MissingField("vnp_Amount"))?,
    )?;
    let pay_date = match params.get("vnp_PayDate") {
        None => None,
        Some(s) => Some(parse_date(s).ok_or(NotificationError::BadField {
            field: "vnp_PayDate",
            reason: "not a yyyyMMddHHmmss date",
        })?),
    };
    let optional = |field: &'static str| {
        params
            .get(field)
            .map(|v| v.chars().take(255).collect::<String>())
    };
    Ok(VnpNotification {
        tmn_code,
        txn_ref: code_field(params, "vnp_TxnRef", 100)?,
        amount,
        response_code: code_field(params, "vnp_ResponseCode", 2)?,
        transaction_status: code_field(params, "vnp_TransactionStatus", 2)?,
        transaction_no: code_field(params, "vnp_TransactionNo", 20)?,
        bank_code: optional("vnp_BankCode"),
        bank_tran_no: optional("vnp_BankTranNo"),
        card_type: optional("vnp_CardType"),
        order_info: optional("vnp_OrderInfo"),
        pay_date,
    })
}

/// The answer VNPay expects to an IPN, as JSON
/// `{"RspCode":"00","Message":"Confirm Success"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpnResponse {
    /// `00`: the notification was processed (credited, or a failure recorded).
    ConfirmSuccess,
    /// `01`: no order has this reference.
    OrderNotFound,
    /// `02`: the order was already confirmed (a replay, or no longer pending).
    OrderAlreadyConfirmed,
    /// `04`: the amount differs from the order's.
    InvalidAmount,
    /// `97`: the signature is wrong.
    InvalidSignature,
    /// `99`: anything else.
    UnknownError,
}

#[derive(Serialize)]
struct IpnBody {
    #[serde(rename = "RspCode")]
    rsp_code: &'static str,
    #[serde(rename = "Message")]
    message: &'static str,
}

impl IpnResponse {
    pub fn rsp_code(self) -> &'static str {
        match self {
            IpnResponse::ConfirmSuccess => "00",
            IpnResponse::OrderNotFound => "01",
            IpnResponse::OrderAlreadyConfirmed => "02",
            IpnResponse::InvalidAmount => "04",
            IpnResponse::InvalidSignature => "97",
            IpnResponse::UnknownError => "99",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            IpnResponse::ConfirmSuccess => "Confirm Success",
            IpnResponse::OrderNotFound => "Order not found",
            IpnResponse::OrderAlreadyConfirmed => "Order already confirmed",
            IpnResponse::InvalidAmount => "Invalid amount",
            IpnResponse::InvalidSignature => "Invalid signature",
            IpnResponse::UnknownError => "Unknown error",
        }
    }

    /// The JSON body (`application/json`), keys in VNPay's order.
    pub fn body(self) -> String {
        let body = IpnBody {
            rsp_code: self.rsp_code(),
            message: self.message(),
        };
        serde_json::to_string(&body).unwrap_or_default()
    }

    /// The answer to a notification that could not be verified or read.
    pub fn for_error(error: &NotificationError) -> Self {
        match error {
            NotificationError::BadSignature | NotificationError::MissingField(SECURE_HASH) => {
                IpnResponse::InvalidSignature
            }
            NotificationError::BadAmount { .. } => IpnResponse::InvalidAmount,
            NotificationError::WrongMerchant => IpnResponse::OrderNotFound,
            NotificationError::MissingField(_)
            | NotificationError::DuplicateField(_)
            | NotificationError::BadField { .. } => IpnResponse::UnknownError,
        }
    }

    /// The answer once the domain applied a verified notice. Flagged
    /// outcomes (late success, duplicate payment) are answered "already
    /// confirmed" so the gateway stops retrying: they are recorded for
    /// review, not lost.
    pub fn for_outcome(outcome: &egov_domain::payment::NoticeOutcome) -> Self {
        use egov_domain::payment::NoticeOutcome as O;
        match outcome {
            O::Credited | O::Declined => IpnResponse::ConfirmSuccess,
            O::AlreadyCredited
            | O::IgnoredFailure { .. }
            | O::LateSuccess { .. }
            | O::DuplicatePayment { .. } => IpnResponse::OrderAlreadyConfirmed,
            O::AmountMismatch { .. } => IpnResponse::InvalidAmount,
            O::WrongOrder => IpnResponse::OrderNotFound,
        }
    }
}

#[cfg(test)]
mod tests;
