use super::*;
use egov_domain::payment::NoticeOutcome;

const SECRET: &str = "SECRETKEYFORTESTSONLY0123456789AB";

fn config() -> VnpConfig {
    VnpConfig::new(
        "EGOVTEST",
        SECRET,
        "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
    )
    .unwrap()
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn request() -> PaymentRequest {
    PaymentRequest {
        txn_ref: "PO20261123ABC".into(),
        amount: Vnd(150_000),
        order_info: "Thanh toan le phi ho so 000.00.12.H29-261123-0042".into(),
        order_type: "other".into(),
        locale: Locale::Vn,
        return_url: "https://egov.example/thanh-toan/ket-qua?x=1&y=Lệ phí".into(),
        ip_addr: "127.0.0.1".parse().unwrap(),
        // 10:30 and 10:45 in Hà Nội.
        created_at: at("2026-11-23T03:30:00Z"),
        expires_at: at("2026-11-23T03:45:00Z"),
        bank_code: None,
    }
}

/// Known answer, computed independently with Python 3's standard library
/// (`urllib.parse.urlencode` encodes like `application/x-www-form-urlencoded`
/// for these values — no `*` or `~` in them):
///
/// ```text
/// python3 -c '
/// import hmac,hashlib,urllib.parse as u
/// p={"vnp_Version":"2.1.0","vnp_Command":"pay","vnp_TmnCode":"EGOVTEST",
///    "vnp_Amount":"15000000","vnp_CurrCode":"VND","vnp_TxnRef":"PO20261123ABC",
///    "vnp_OrderInfo":"Thanh toan le phi ho so 000.00.12.H29-261123-0042",
///    "vnp_OrderType":"other","vnp_Locale":"vn",
///    "vnp_ReturnUrl":"https://egov.example/thanh-toan/ket-qua?x=1&y=Lệ phí",
///    "vnp_IpAddr":"127.0.0.1","vnp_CreateDate":"20261123103000",
///    "vnp_ExpireDate":"20261123104500","vnp_BankCode":""}
/// d=u.urlencode(sorted((k,v) for k,v in p.items() if v))
/// print(d)
/// print(hmac.new(b"SECRETKEYFORTESTSONLY0123456789AB",d.encode(),hashlib.sha512).hexdigest())'
/// ```
const KAT_QUERY: &str = "vnp_Amount=15000000&vnp_Command=pay&vnp_CreateDate=20261123103000&vnp_CurrCode=VND&vnp_ExpireDate=20261123104500&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+le+phi+ho+so+000.00.12.H29-261123-0042&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fegov.example%2Fthanh-toan%2Fket-qua%3Fx%3D1%26y%3DL%E1%BB%87+ph%C3%AD&vnp_TmnCode=EGOVTEST&vnp_TxnRef=PO20261123ABC&vnp_Version=2.1.0";
const KAT_HASH: &str = "8b81b879528124d4717da42d3d708e90d9a80e1f5579f932503963b51d3a6589745713d99fcda3ad75fdba57b2c8fdc6b74605b6a7fa9bcc39939ef2d59faf60";

/// A success IPN signed the same way in Python (parameters sorted by key,
/// `urlencode`, HMAC-SHA512), the hash then written in upper case and
/// `vnp_SecureHashType` added, as VNPay sends them.
const KAT_IPN: &str = "vnp_Amount=15000000&vnp_BankCode=NCB&vnp_BankTranNo=VNP14226112&vnp_CardType=ATM&vnp_OrderInfo=Thanh+toan+le+phi&vnp_PayDate=20261123103512&vnp_ResponseCode=00&vnp_TmnCode=EGOVTEST&vnp_TransactionNo=14226112&vnp_TransactionStatus=00&vnp_TxnRef=PO20261123ABC&vnp_SecureHashType=HmacSHA512&vnp_SecureHash=677A0E22451A16E4E56DBF4C8F266ECEE5FD6D29259317F42EA986DA15149F338B9462C5EAB7D36C2EA5E207516290FCD5D5BF28228DEBC121D89A831A59C3ED";

#[test]
fn the_payment_url_matches_the_known_answer() {
    let url = payment_url(&config(), &request()).unwrap();
    assert_eq!(
        url,
        format!(
            "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?{KAT_QUERY}&vnp_SecureHash={KAT_HASH}"
        )
    );
    let params = payment_params(&config(), &request()).unwrap();
    assert_eq!(sign(SECRET.as_bytes(), &params), KAT_HASH);
}

#[test]
fn the_payment_url_verifies_as_a_return_would() {
    let url = payment_url(&config(), &request()).unwrap();
    let query = url.split_once('?').unwrap().1;
    let params = verify_query(SECRET.as_bytes(), query).unwrap();
    assert_eq!(params.get("vnp_Amount"), Some("15000000"));
    assert_eq!(
        params.get("vnp_ReturnUrl"),
        Some("https://egov.example/thanh-toan/ket-qua?x=1&y=Lệ phí")
    );
}

#[test]
fn a_known_ipn_verifies_and_reads() {
    let n = verify_notification(&config(), KAT_IPN).unwrap();
    assert_eq!(
        n,
        VnpNotification {
            tmn_code: "EGOVTEST".into(),
            txn_ref: "PO20261123ABC".into(),
            amount: Vnd(150_000),
            response_code: "00".into(),
            transaction_status: "00".into(),
            transaction_no: "14226112".into(),
            bank_code: Some("NCB".into()),
            bank_tran_no: Some("VNP14226112".into()),
            card_type: Some("ATM".into()),
            order_info: Some("Thanh toan le phi".into()),
            pay_date: Some(at("2026-11-23T03:35:12Z")),
        }
    );
    assert!(n.is_success());
    let notice = n.to_notice();
    assert!(notice.success);
    assert_eq!(notice.transaction_no.as_deref(), Some("14226112"));
    assert_eq!(notice.amount, Vnd(150_000));
    // Lower-case hex, a leading `?` and our own extra parameters are fine.
    let (_, upper) = KAT_IPN.rsplit_once('=').unwrap();
    let lower = KAT_IPN.replace(upper, &upper.to_ascii_lowercase());
    assert_ne!(lower, KAT_IPN);
    assert!(verify_notification(&config(), &format!("?lang=en&{lower}")).is_ok());
}

#[test]
fn any_tampered_parameter_breaks_the_signature() {
    for (from, to) in [
        ("vnp_Amount=15000000", "vnp_Amount=1500000"),
        ("vnp_ResponseCode=00", "vnp_ResponseCode=24"),
        ("vnp_TxnRef=PO20261123ABC", "vnp_TxnRef=PO20261123ABD"),
        ("vnp_BankCode=NCB", "vnp_BankCode=VCB"),
        (
            "vnp_OrderInfo=Thanh+toan+le+phi",
            "vnp_OrderInfo=Thanh+toan+le+phi+",
        ),
        ("vnp_SecureHash=677A", "vnp_SecureHash=677B"),
        ("&vnp_CardType=ATM", ""),
        ("vnp_TmnCode=EGOVTEST", "vnp_TmnCode=EGOVTEST&vnp_Extra=1"),
    ] {
        let tampered = KAT_IPN.replace(from, to);
        assert_ne!(tampered, KAT_IPN);
        assert_eq!(
            verify_notification(&config(), &tampered),
            Err(NotificationError::BadSignature),
            "{from} → {to}"
        );
    }
    let other =
        VnpConfig::new("EGOVTEST", "ANOTHERSECRET0123456789", "https://x.example/p").unwrap();
    assert_eq!(
        verify_notification(&other, KAT_IPN),
        Err(NotificationError::BadSignature)
    );
}

#[test]
fn reordered_parameters_still_verify() {
    let mut parts: Vec<&str> = KAT_IPN.split('&').collect();
    parts.reverse();
    assert!(verify_notification(&config(), &parts.join("&")).is_ok());
    parts.swap(0, 5);
    assert!(verify_notification(&config(), &parts.join("&")).is_ok());
}

#[test]
fn empty_values_are_dropped_from_the_signature() {
    let with_empty = [("vnp_A", "1"), ("vnp_B", ""), ("vnp_C", "x y")];
    let without = [("vnp_C", "x y"), ("vnp_A", "1")];
    assert_eq!(canonical_query(&with_empty), "vnp_A=1&vnp_C=x+y");
    assert_eq!(
        sign(SECRET.as_bytes(), &with_empty),
        sign(SECRET.as_bytes(), &without)
    );
    // An empty parameter added to a signed message changes nothing.
    let query = format!("vnp_Extra=&{KAT_IPN}");
    assert!(verify_notification(&config(), &query).is_ok());
}

#[test]
fn encoding_is_form_urlencoding() {
    assert_eq!(
        canonical_query(&[("vnp_X", "a b+c&d=e/f?g~h*i.j-k_l%")]),
        "vnp_X=a+b%2Bc%26d%3De%2Ff%3Fg%7Eh*i.j-k_l%25"
    );
    assert_eq!(canonical_query(&[("vnp_X", "Đ")]), "vnp_X=%C4%90");
}

#[test]
fn duplicates_and_missing_hash_are_refused() {
    assert_eq!(
        verify_notification(&config(), &format!("{KAT_IPN}&vnp_Amount=100")),
        Err(NotificationError::DuplicateField("vnp_Amount".into()))
    );
    assert_eq!(
        verify_notification(&config(), &format!("{KAT_IPN}&vnp_SecureHash=00")),
        Err(NotificationError::DuplicateField("vnp_SecureHash".into()))
    );
    let (without, _) = KAT_IPN.split_once("&vnp_SecureHashType").unwrap();
    assert_eq!(
        verify_notification(&config(), without),
        Err(NotificationError::MissingField("vnp_SecureHash"))
    );
    assert_eq!(
        verify_notification(&config(), &format!("{without}&vnp_SecureHash=zz")),
        Err(NotificationError::BadSignature)
    );
}

fn signed(params: &[(&str, &str)]) -> String {
    signed_query(SECRET.as_bytes(), params)
}

fn ipn_params() -> Vec<(&'static str, &'static str)> {
    vec![
        ("vnp_TmnCode", "EGOVTEST"),
        ("vnp_TxnRef", "PO1"),
        ("vnp_Amount", "7400000"),
        ("vnp_ResponseCode", "00"),
        ("vnp_TransactionStatus", "00"),
        ("vnp_TransactionNo", "42"),
        ("vnp_PayDate", "20261123103512"),
    ]
}

fn with(key: &'static str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut params: Vec<_> = ipn_params()
        .into_iter()
        .filter(|(k, _)| *k != key)
        .collect();
    params.push((key, value));
    params
}

#[test]
fn signed_but_malformed_notifications_are_refused_clearly() {
    assert_eq!(
        verify_notification(&config(), &signed(&ipn_params()))
            .unwrap()
            .amount,
        Vnd(74_000)
    );
    for (params, expected) in [
        (
            with("vnp_Amount", "7400050"),
            "bad amount `7400050`: not a whole number of đồng (× 100)",
        ),
        (
            with("vnp_Amount", "-7400000"),
            "bad amount `-7400000`: not a non-negative whole number",
        ),
        (
            with("vnp_Amount", "99999999999999999999"),
            "bad amount `99999999999999999999`: too large",
        ),
        (
            with("vnp_Amount", "74000.00"),
            "bad amount `74000.00`: not a non-negative whole number",
        ),
        (with("vnp_Amount", ""), "missing vnp_Amount"),
        (with("vnp_TxnRef", ""), "missing vnp_TxnRef"),
        (with("vnp_ResponseCode", ""), "missing vnp_ResponseCode"),
        (
            with("vnp_PayDate", "2026-11-23"),
            "bad vnp_PayDate: not a yyyyMMddHHmmss date",
        ),
        (
            with("vnp_TxnRef", "PO 1"),
            "bad vnp_TxnRef: unexpected characters or length",
        ),
        (
            with("vnp_TmnCode", "OTHER"),
            "the notification is for another merchant",
        ),
    ] {
        let error = verify_notification(&config(), &signed(&params)).unwrap_err();
        assert_eq!(error.to_string(), expected);
    }
}

#[test]
fn amounts_round_trip_times_one_hundred() {
    for vnd in [1, 5_000, 74_000, 150_000, 1_250_000, i64::MAX / 100] {
        let encoded = encode_amount(Vnd(vnd)).unwrap();
        assert_eq!(encoded, format!("{vnd}00"));
        assert_eq!(decode_amount(&encoded), Ok(Vnd(vnd)));
    }
    assert!(encode_amount(Vnd(i64::MAX / 100 + 1)).is_err());
    assert!(encode_amount(Vnd(0)).is_err());
    assert!(encode_amount(Vnd(-100)).is_err());
    assert_eq!(decode_amount("0"), Ok(Vnd(0)));
    assert!(decode_amount("150").is_err());
    assert!(decode_amount("+15000").is_err());
    assert!(decode_amount(" 15000").is_err());
}

#[test]
fn dates_are_hanoi_time() {
    assert_eq!(format_date(at("2026-11-23T17:05:09Z")), "20261124000509");
    assert_eq!(
        parse_date("20261124000509"),
        Some(at("2026-11-23T17:05:09Z"))
    );
    for bad in [
        "2026112400050",
        "20261324000509",
        "2026112400050x",
        "+2026112400050",
    ] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
}

#[test]
fn bad_requests_are_refused() {
    type Change = fn(&mut PaymentRequest);
    let cases: Vec<(Change, &str)> = vec![
        (|r| r.txn_ref = String::new(), "txn_ref"),
        (|r| r.txn_ref = "PO 1".into(), "txn_ref"),
        (|r| r.amount = Vnd(0), "amount"),
        (|r| r.order_info = "Lệ phí".into(), "order_info"),
        (|r| r.order_info = "a&b".into(), "order_info"),
        (|r| r.order_info = String::new(), "order_info"),
        (|r| r.return_url = "/relative".into(), "return_url"),
        (
            |r| r.return_url = "javascript:alert(1)".into(),
            "return_url",
        ),
        (|r| r.expires_at = r.created_at, "expires_at"),
        (|r| r.bank_code = Some("NC B".into()), "bank_code"),
    ];
    for (change, field) in cases {
        let mut request = request();
        change(&mut request);
        assert_eq!(payment_url(&config(), &request).unwrap_err().field, field);
    }
    let mut request = request();
    request.bank_code = Some("VNBANK".into());
    request.locale = Locale::En;
    let url = payment_url(&config(), &request).unwrap();
    assert!(url.contains("&vnp_BankCode=VNBANK&") && url.contains("vnp_Locale=en"));
}

#[test]
fn configs_are_checked_and_the_secret_never_printed() {
    assert_eq!(
        VnpConfig::new("", SECRET, "https://x.example/p")
            .unwrap_err()
            .field,
        "tmn_code"
    );
    assert_eq!(
        VnpConfig::new("EGOV", "short", "https://x.example/p")
            .unwrap_err()
            .field,
        "hash_secret"
    );
    assert_eq!(
        VnpConfig::new("EGOV", SECRET, "https://x.example/p?a=1")
            .unwrap_err()
            .field,
        "pay_url"
    );
    let printed = format!("{:?}", config());
    assert!(!printed.contains(SECRET) && printed.contains("[redacted]"));
}

#[test]
fn ipn_response_bodies() {
    for (response, body) in [
        (
            IpnResponse::ConfirmSuccess,
            r#"{"RspCode":"00","Message":"Confirm Success"}"#,
        ),
        (
            IpnResponse::OrderNotFound,
            r#"{"RspCode":"01","Message":"Order not found"}"#,
        ),
        (
            IpnResponse::OrderAlreadyConfirmed,
            r#"{"RspCode":"02","Message":"Order already confirmed"}"#,
        ),
        (
            IpnResponse::InvalidAmount,
            r#"{"RspCode":"04","Message":"Invalid amount"}"#,
        ),
        (
            IpnResponse::InvalidSignature,
            r#"{"RspCode":"97","Message":"Invalid signature"}"#,
        ),
        (
            IpnResponse::UnknownError,
            r#"{"RspCode":"99","Message":"Unknown error"}"#,
        ),
    ] {
        assert_eq!(response.body(), body);
    }
}

#[test]
fn ipn_responses_for_errors_and_outcomes() {
    use IpnResponse as R;
    assert_eq!(
        R::for_error(&NotificationError::BadSignature),
        R::InvalidSignature
    );
    assert_eq!(
        R::for_error(&NotificationError::MissingField("vnp_SecureHash")),
        R::InvalidSignature
    );
    assert_eq!(
        R::for_error(&NotificationError::BadAmount {
            value: "1".into(),
            reason: "x"
        }),
        R::InvalidAmount
    );
    assert_eq!(
        R::for_error(&NotificationError::MissingField("vnp_TxnRef")),
        R::UnknownError
    );
    assert_eq!(R::for_outcome(&NoticeOutcome::Credited), R::ConfirmSuccess);
    assert_eq!(R::for_outcome(&NoticeOutcome::Declined), R::ConfirmSuccess);
    assert_eq!(
        R::for_outcome(&NoticeOutcome::AlreadyCredited),
        R::OrderAlreadyConfirmed
    );
    assert_eq!(
        R::for_outcome(&NoticeOutcome::LateSuccess {
            status: egov_domain::payment::PaymentStatus::Expired
        }),
        R::OrderAlreadyConfirmed
    );
    assert_eq!(
        R::for_outcome(&NoticeOutcome::AmountMismatch {
            expected: Vnd(1),
            received: Vnd(2)
        }),
        R::InvalidAmount
    );
    assert_eq!(R::for_outcome(&NoticeOutcome::WrongOrder), R::OrderNotFound);
}
