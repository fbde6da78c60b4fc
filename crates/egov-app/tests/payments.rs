//! Paying a dossier's fees online: the order, the gateway's notification as
//! the only thing that credits it (once, even when delivered fifty times at
//! once), refused and flagged notifications, expiry and late successes, the
//! electronic receipt and its public check — on SQLite, and PostgreSQL when
//! TEST_DATABASE_URL is set.

// clippy.toml allows unwrap() inside #[test] functions only; the helpers here fail the test the same way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod dossiers_support;
mod payments_support;

use std::sync::Arc;

use egov_app::payments::StartPayment;
use egov_app::ports::PaymentNotificationFilter;
use egov_app::AppError;
use egov_domain::dossier::DossierStatus;
use egov_domain::identity::{Actor, Role};
use egov_domain::payment::{PaymentOrderId, PaymentStatus};
use egov_domain::service::PayableAt;
use egov_domain::Vnd;
use egov_payments::simulator::{Decision, Tamper};
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;

use dossiers_support::{denied, friday, later};
use payments_support::{
    awaiting_payment, ipn_with, paid, payment_fixtures, rsp_code, start, submitted_with,
    vnpay_start, BASE_URL, PAY_URL,
};

async fn review_queue(px: &payments_support::Px) -> Vec<String> {
    px.payments
        .payment_notifications(
            &px.merchant_finance,
            PaymentNotificationFilter {
                awaiting_review: true,
                ..PaymentNotificationFilter::default()
            },
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|n| n.outcome)
        .collect()
}

async fn order_status(px: &payments_support::Px, id: &PaymentOrderId) -> PaymentStatus {
    px.store
        .payment_order(id)
        .await
        .unwrap()
        .unwrap()
        .order
        .status
}

#[tokio::test]
async fn a_fee_paid_at_submission_is_credited_by_the_notification_only() {
    for px in payment_fixtures().await {
        let now = friday();
        let dossier = submitted_with(&px, 3, now).await;
        let code = dossier.code.to_string();

        // What is owed: 50,000 now, 3 × 8,000 once the desk has received it.
        let owed = px.payments.dossier_payments(&px.an, &code).await.unwrap();
        assert_eq!(owed.total, Vnd(74_000), "{}", px.label);
        assert_eq!(owed.lines[1].quantity, 3);
        assert_eq!(owed.unpaid.len(), 2);
        assert_eq!(owed.payable_total, Vnd(50_000));
        assert_eq!(owed.payable_now[0].payable_at, PayableAt::Submission);
        assert!(denied(px.payments.dossier_payments(&px.binh, &code).await));
        assert!(denied(
            px.payments.start(&px.binh, &code, vnpay_start(), now).await
        ));

        let started = start(&px, &code, later(now, 5)).await;
        let order = started.order.clone();
        assert!(!started.reused);
        assert_eq!(order.status, PaymentStatus::Pending);
        assert_eq!(order.total, Vnd(50_000));
        assert_eq!(order.expires_at, later(now, 20));
        assert!(
            started.redirect_url.starts_with(PAY_URL),
            "{}",
            started.redirect_url
        );
        assert!(started.redirect_url.contains("vnp_Amount=5000000"));
        assert!(started
            .redirect_url
            .contains(&format!("vnp_TxnRef={}", order.gateway_txn_ref)));
        assert!(started.redirect_url.contains(&format!(
            "vnp_ReturnUrl={}",
            url_encode(&format!("{BASE_URL}/thanh-toan/vnpay/ket-qua"))
        )));
        // Asking again while it is payable gives the same order.
        let again = start(&px, &code, later(now, 6)).await;
        assert!(again.reused);
        assert_eq!(again.order.id, order.id);

        // The browser comes back first: shown, not credited.
        let query = paid(&px, &order, later(now, 7));
        let back = px.payments.payment_return("vnpay", &query).await.unwrap();
        assert!(back.verified && back.gateway_success, "{}", px.label);
        assert_eq!(back.status, Some(PaymentStatus::Pending));
        assert_eq!(order_status(&px, &order.id).await, PaymentStatus::Pending);
        let forged = ipn_with(
            &px,
            &order,
            Decision::Approve,
            Tamper::WrongSecret,
            "1",
            later(now, 7),
        );
        let back = px.payments.payment_return("vnpay", &forged).await.unwrap();
        assert!(!back.verified && back.order_id.is_none());

        // The notification credits it, numbers the receipt and renders it.
        let answer = px
            .payments
            .handle_notification("vnpay", &query, later(now, 8))
            .await
            .unwrap();
        assert_eq!(
            (answer.outcome.as_str(), rsp_code(&answer.body).as_str()),
            ("credited", "00"),
            "{}",
            px.label
        );
        assert_eq!(answer.content_type, "application/json");
        assert!(!answer.needs_review);
        let view = px.payments.payment(&px.an, &order.id.0).await.unwrap();
        assert_eq!(view.order.status, PaymentStatus::Paid);
        assert_eq!(view.order.paid_at, Some(later(now, 7)));
        assert_eq!(
            view.order.gateway_transaction_no.as_deref(),
            Some("14226112")
        );
        let receipt = view.receipt.clone().expect("a receipt");
        assert_eq!(receipt.number, "BL2026-0000001", "{}", px.label);
        assert!(receipt.rendered);
        assert_eq!(
            receipt.verify_url,
            format!("{BASE_URL}/bien-lai/{}", receipt.id)
        );
        // The dossier did not wait for the payment: it stays where it was.
        let stored = px.store.payment_order(&order.id).await.unwrap().unwrap();
        assert!(!stored.follow_up);

        // A replay is answered "already confirmed" and changes nothing.
        let replay = px
            .payments
            .handle_notification("vnpay", &query, later(now, 30))
            .await
            .unwrap();
        assert_eq!(
            (replay.outcome.as_str(), rsp_code(&replay.body).as_str()),
            ("already-credited", "02")
        );
        let after = px.store.payment_order(&order.id).await.unwrap().unwrap();
        assert_eq!(after.version, stored.version);
        let recorded = px
            .payments
            .payment_notifications(
                &px.merchant_finance,
                PaymentNotificationFilter {
                    order: Some(order.id.clone()),
                    ..PaymentNotificationFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(recorded.total, 2);
        assert!(review_queue(&px).await.is_empty(), "{}", px.label);

        // Nothing else is payable before intake.
        let nothing = px
            .payments
            .start(&px.an, &code, vnpay_start(), later(now, 31))
            .await;
        assert!(matches!(nothing, Err(AppError::Conflict(_))), "{nothing:?}");
        let owed = px.payments.dossier_payments(&px.an, &code).await.unwrap();
        assert_eq!(owed.unpaid.len(), 1);
        assert_eq!(owed.unpaid[0].payable_at, PayableAt::BeforeResult);
        assert!(owed.payable_now.is_empty());

        // The receipt: a PDF for the payer, checkable by anyone.
        let (_, file_name, pdf) = px.payments.receipt_pdf(&px.an, &order.id.0).await.unwrap();
        assert_eq!(file_name, "bien-lai-BL2026-0000001.pdf");
        assert!(pdf.starts_with(b"%PDF"), "{}", px.label);
        assert!(denied(px.payments.receipt_pdf(&px.binh, &order.id.0).await));
        let check = px.payments.verify_receipt(&receipt.id).await.unwrap();
        assert_eq!(check.number, "BL2026-0000001");
        assert_eq!(check.payer, "N. V. A.");
        assert_eq!(check.total, Vnd(50_000));
        assert_eq!(check.total_in_words, "Năm mươi nghìn đồng");
        assert_eq!(check.agency_name, "Sở Tư pháp Thành phố Hà Nội");
        assert_eq!(check.dossier_code, code);
        assert_eq!(check.status, PaymentStatus::Paid);
        assert_eq!(
            check.pdf_sha256.as_deref(),
            Some(hex(Sha256::digest(&pdf).as_slice()).as_str())
        );
        let json = serde_json::to_string(&check).unwrap();
        for personal in ["Nguyễn Văn An", "001203012345", "an@example.vn", "\"an\""] {
            assert!(!json.contains(personal), "{personal} in {json}");
        }
        assert!(matches!(
            px.payments.verify_receipt("no-such-receipt").await,
            Err(AppError::NotFound { .. })
        ));
    }
}

#[tokio::test]
async fn tampered_unknown_and_wrong_amount_notifications_are_refused_and_recorded() {
    for px in payment_fixtures().await {
        let now = friday();
        let dossier = submitted_with(&px, 0, now).await;
        let order = start(&px, &dossier.code.to_string(), now).await.order;
        for tamper in [
            Tamper::WrongSecret,
            Tamper::AlteredAmount,
            Tamper::AlteredResponseCode,
            Tamper::MissingHash,
            Tamper::TruncatedHash,
        ] {
            let decision = if tamper == Tamper::AlteredResponseCode {
                Decision::Decline
            } else {
                Decision::Approve
            };
            let query = ipn_with(&px, &order, decision, tamper, "777", later(now, 1));
            let answer = px
                .payments
                .handle_notification("vnpay", &query, later(now, 1))
                .await
                .unwrap();
            assert_eq!(
                (answer.outcome.as_str(), rsp_code(&answer.body).as_str()),
                ("bad-signature", "97"),
                "{}: {tamper:?}",
                px.label
            );
            assert!(answer.needs_review);
        }
        assert_eq!(order_status(&px, &order.id).await, PaymentStatus::Pending);

        // Signed by the gateway, but for an amount that is not the order's.
        let query = ipn_with(
            &px,
            &order,
            Decision::Approve,
            Tamper::SignedWrongAmount,
            "778",
            later(now, 2),
        );
        let answer = px
            .payments
            .handle_notification("vnpay", &query, later(now, 2))
            .await
            .unwrap();
        assert_eq!(
            (answer.outcome.as_str(), rsp_code(&answer.body).as_str()),
            ("amount-mismatch", "04"),
            "{}",
            px.label
        );
        assert_eq!(order_status(&px, &order.id).await, PaymentStatus::Pending);

        // Signed, for an order we never made.
        let mut ghost = order.clone();
        ghost.gateway_txn_ref = "NOSUCHORDER".into();
        let query = paid(&px, &ghost, later(now, 3));
        let answer = px
            .payments
            .handle_notification("vnpay", &query, later(now, 3))
            .await
            .unwrap();
        assert_eq!(
            (answer.outcome.as_str(), rsp_code(&answer.body).as_str()),
            ("unknown-order", "01")
        );

        // An unknown gateway is not found, and nothing is recorded for it.
        assert!(matches!(
            px.payments
                .handle_notification("momo", &query, later(now, 4))
                .await,
            Err(AppError::NotFound { .. })
        ));

        let queue = review_queue(&px).await;
        assert_eq!(queue.len(), 7, "{}: {queue:?}", px.label);
        assert_eq!(queue[0], "unknown-order");
        assert_eq!(queue[1], "amount-mismatch");
        assert!(queue[2..].iter().all(|o| o == "bad-signature"));
        let all = px
            .payments
            .payment_notifications(&px.merchant_finance, PaymentNotificationFilter::default())
            .await
            .unwrap();
        let mismatch = all
            .items
            .iter()
            .find(|n| n.outcome == "amount-mismatch")
            .unwrap();
        assert_eq!(mismatch.order.as_ref(), Some(&order.id));
        assert!(mismatch.raw_query.contains("vnp_SecureHash="));
        assert!(mismatch.detail.as_deref().unwrap().contains("51.000"));

        // The queue belongs to the merchant's finance officers.
        assert!(denied(
            px.payments
                .payment_notifications(&px.finance, PaymentNotificationFilter::default())
                .await
        ));
        assert!(denied(
            px.payments
                .payment_notifications(&px.leader, PaymentNotificationFilter::default())
                .await
        ));
        let reviewed = px
            .payments
            .mark_reviewed(
                &px.merchant_finance,
                &mismatch.id,
                "Báo VNPay",
                later(now, 9),
            )
            .await
            .unwrap();
        assert_eq!(reviewed.review_note.as_deref(), Some("Báo VNPay"));
        assert!(matches!(
            px.payments
                .mark_reviewed(&px.merchant_finance, &mismatch.id, "again", later(now, 9))
                .await,
            Err(AppError::Conflict(_))
        ));
        assert_eq!(review_queue(&px).await.len(), 6);

        // Still payable: the real notification credits it.
        let answer = px
            .payments
            .handle_notification("vnpay", &paid(&px, &order, later(now, 10)), later(now, 10))
            .await
            .unwrap();
        assert_eq!(answer.outcome, "credited", "{}", px.label);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_duplicate_notifications_credit_once() {
    for px in payment_fixtures().await {
        let now = friday();
        let dossier = awaiting_payment(&px, 2, now).await;
        assert_eq!(dossier.status, DossierStatus::PaymentRequested);
        assert_eq!(dossier.awaiting, None);
        let code = dossier.code.to_string();
        let order = start(&px, &code, later(now, 10)).await.order;
        // Both stages are payable once received: one order of 50,000 + 2 × 8,000.
        assert_eq!(order.total, Vnd(66_000), "{}", px.label);

        let query = paid(&px, &order, later(now, 12));
        let payments = Arc::clone(&px.payments);
        let mut tasks = JoinSet::new();
        for _ in 0..50 {
            let payments = Arc::clone(&payments);
            let query = query.clone();
            tasks.spawn(async move {
                payments
                    .handle_notification("vnpay", &query, later(friday(), 13))
                    .await
            });
        }
        let mut outcomes = Vec::new();
        while let Some(done) = tasks.join_next().await {
            let answer = done.unwrap().unwrap();
            outcomes.push((answer.outcome, rsp_code(&answer.body)));
        }
        let credited = outcomes.iter().filter(|(o, _)| o == "credited").count();
        let replays = outcomes
            .iter()
            .filter(|(o, code)| o == "already-credited" && code == "02")
            .count();
        assert_eq!((credited, replays), (1, 49), "{}: {outcomes:?}", px.label);

        let stored = px.store.payment_order(&order.id).await.unwrap().unwrap();
        assert_eq!(stored.order.status, PaymentStatus::Paid);
        assert_eq!(stored.version, 2, "{}: one write", px.label);
        assert!(!stored.follow_up);
        let receipt = px.store.receipt_of(&order.id).await.unwrap().unwrap();
        assert_eq!(receipt.number, 1);
        let all = px
            .payments
            .payment_notifications(&px.merchant_finance, PaymentNotificationFilter::default())
            .await
            .unwrap();
        assert_eq!(all.total, 50, "{}: every one recorded", px.label);

        // The dossier went back to the specialist, once, by the system.
        let after = px.fx.store.dossier(&dossier.code).await.unwrap().unwrap();
        assert_eq!(after.status, DossierStatus::Processing, "{}", px.label);
        assert_eq!(after.awaiting, Some(Role::Specialist));
        let events = px.fx.store.events(&dossier.code).await.unwrap();
        let confirms: Vec<_> = events
            .iter()
            .filter(|e| e.content.action == "confirm-payment")
            .collect();
        assert_eq!(confirms.len(), 1, "{}", px.label);
        assert_eq!(confirms[0].content.actor, "system");
        assert!(events
            .iter()
            .any(|e| e.content.action == "request-payment" && e.content.actor == "specialist"));
        let owed = px.payments.dossier_payments(&px.an, &code).await.unwrap();
        assert!(owed.unpaid.is_empty());
    }
}

#[tokio::test]
async fn expired_and_cancelled_orders_flag_a_late_success_and_lose_nothing() {
    for px in payment_fixtures().await {
        let now = friday();
        let dossier = submitted_with(&px, 0, now).await;
        let code = dossier.code.to_string();
        let first = start(&px, &code, now).await.order;

        // The sweep leaves it until its expiry, then expires it.
        let sweep = px.payments.expire_due(later(now, 14)).await.unwrap();
        assert_eq!(sweep.expired, 0, "{}", px.label);
        let sweep = px.payments.expire_due(later(now, 15)).await.unwrap();
        assert_eq!(sweep.expired, 1, "{}", px.label);
        assert_eq!(order_status(&px, &first.id).await, PaymentStatus::Expired);

        // The payer paid anyway: flagged for review, not credited, not lost.
        let late = px
            .payments
            .handle_notification("vnpay", &paid(&px, &first, later(now, 16)), later(now, 16))
            .await
            .unwrap();
        assert_eq!(
            (late.outcome.as_str(), rsp_code(&late.body).as_str()),
            ("late-success", "02"),
            "{}",
            px.label
        );
        assert!(late.needs_review);
        assert_eq!(order_status(&px, &first.id).await, PaymentStatus::Expired);
        assert_eq!(review_queue(&px).await, ["late-success"]);

        // A new order may be started; paid after its expiry but not yet swept,
        // it is late too.
        let second = start(&px, &code, later(now, 20)).await;
        assert!(!second.reused);
        let second = second.order;
        assert_ne!(second.id, first.id);
        let late = px
            .payments
            .handle_notification("vnpay", &paid(&px, &second, later(now, 36)), later(now, 37))
            .await
            .unwrap();
        assert_eq!(late.outcome, "late-success", "{}", px.label);
        assert_eq!(order_status(&px, &second.id).await, PaymentStatus::Pending);

        // Starting again expires it and makes a third, which the payer cancels.
        let third = start(&px, &code, later(now, 40)).await.order;
        assert_eq!(order_status(&px, &second.id).await, PaymentStatus::Expired);
        assert!(denied(
            px.payments
                .cancel(&px.binh, &third.id.0, later(now, 41))
                .await
        ));
        let cancelled = px
            .payments
            .cancel(&px.an, &third.id.0, later(now, 41))
            .await
            .unwrap();
        assert_eq!(cancelled.status, PaymentStatus::Cancelled);
        assert!(matches!(
            px.payments
                .cancel(&px.an, &third.id.0, later(now, 42))
                .await,
            Err(AppError::Conflict(_))
        ));
        let late = px
            .payments
            .handle_notification("vnpay", &paid(&px, &third, later(now, 42)), later(now, 42))
            .await
            .unwrap();
        assert_eq!(late.outcome, "late-success", "{}", px.label);
        assert_eq!(order_status(&px, &third.id).await, PaymentStatus::Cancelled);
        assert_eq!(review_queue(&px).await.len(), 3);

        // A decline of a pending order fails it.
        let fourth = start(&px, &code, later(now, 50)).await.order;
        let declined = ipn_with(
            &px,
            &fourth,
            Decision::Decline,
            Tamper::None,
            "0",
            later(now, 51),
        );
        let answer = px
            .payments
            .handle_notification("vnpay", &declined, later(now, 51))
            .await
            .unwrap();
        assert_eq!(
            (answer.outcome.as_str(), rsp_code(&answer.body).as_str()),
            ("declined", "00")
        );
        assert_eq!(order_status(&px, &fourth.id).await, PaymentStatus::Failed);
    }
}

#[tokio::test]
async fn the_sweep_finishes_a_credit_whose_follow_up_was_interrupted() {
    for px in payment_fixtures().await {
        let now = friday();
        let dossier = awaiting_payment(&px, 1, now).await;
        let order = start(&px, &dossier.code.to_string(), later(now, 10))
            .await
            .order;
        // Credit it as the notification would, then "crash" before the follow-up.
        let stored = px.store.payment_order(&order.id).await.unwrap().unwrap();
        let mut credited = stored.order.clone();
        let outcome = credited.apply_notice(
            &egov_domain::payment::PaymentNotice {
                txn_ref: order.gateway_txn_ref.clone(),
                amount: order.total,
                success: true,
                transaction_no: Some("99".into()),
                paid_at: Some(later(now, 11)),
            },
            later(now, 11),
        );
        assert!(outcome.changes_order());
        px.store
            .update_order(&egov_app::ports::PaymentOrderUpdate {
                order: credited,
                expected_version: stored.version,
                at: later(now, 11),
                start_follow_up: true,
                receipt: Some(egov_app::ports::NewPaymentReceipt {
                    id: "receipt-1".into(),
                    series: "BL2026".into(),
                    issued_at: later(now, 11),
                }),
                refund: None,
                notification: None,
            })
            .await
            .unwrap();
        let waiting = px.fx.store.dossier(&dossier.code).await.unwrap().unwrap();
        assert_eq!(waiting.status, DossierStatus::PaymentRequested);

        let sweep = px.payments.expire_due(later(now, 12)).await.unwrap();
        assert_eq!((sweep.followed_up, sweep.failed), (1, 0), "{}", px.label);
        let moved = px.fx.store.dossier(&dossier.code).await.unwrap().unwrap();
        assert_eq!(moved.status, DossierStatus::Processing, "{}", px.label);
        let receipt = px.store.receipt("receipt-1").await.unwrap().unwrap();
        assert!(receipt.content_hash.is_some());
        // Done: the next sweep has nothing to do.
        let sweep = px.payments.expire_due(later(now, 13)).await.unwrap();
        assert_eq!(sweep, Default::default());
    }
}

#[tokio::test]
async fn only_the_applicant_pays_and_only_officials_of_the_step_ask_for_payment() {
    for px in payment_fixtures().await {
        let now = friday();
        let dossier = submitted_with(&px, 1, now).await;
        let code = dossier.code.to_string();
        // Before intake nobody may ask for payment (status 1 → 6 is illegal).
        let early = px
            .payments
            .request_payment(&px.desk, &code, "", later(now, 1))
            .await;
        assert!(matches!(early, Err(AppError::Transition(_))), "{early:?}");
        let unknown = StartPayment {
            gateway: "momo".into(),
            ..vnpay_start()
        };
        assert!(matches!(
            px.payments.start(&px.an, &code, unknown, now).await,
            Err(AppError::NotFound { .. })
        ));
        assert!(denied(
            px.payments
                .start(&Actor::Anonymous, &code, vnpay_start(), now)
                .await
        ));
        // Officials may read the payments; a specialist of another step may not ask.
        assert!(px.payments.dossier_payments(&px.desk, &code).await.is_ok());
        assert!(px
            .payments
            .dossier_payments(&px.finance, &code)
            .await
            .is_ok());
        assert!(denied(
            px.payments.dossier_payments(&px.danang_desk, &code).await
        ));
        assert!(denied(
            px.payments
                .dossier_payments(&px.danang_finance, &code)
                .await
        ));
        assert!(denied(
            px.payments
                .request_payment(&px.specialist, &code, "", later(now, 1))
                .await
        ));
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
