//! Payment storage: orders compared and set on their version (one winner
//! among concurrent updates), refunds, gap-free receipt numbers, the
//! gateways' notifications and their review, settlement files — on every
//! backend.

use std::sync::Arc;

use egov_domain::attachment::ContentHash;
use egov_domain::dossier::DossierCode;
use egov_domain::payment::{
    FeeLine, NewPaymentOrder, PaymentNotice, PaymentOrder, PaymentOrderId, PaymentStatus,
    RefundRequest,
};
use egov_domain::service::{LocalText, PayableAt};
use egov_domain::{PageRequest, Vnd};
use egov_ports::{
    NewPaymentReceipt, PaymentNotification, PaymentNotificationFilter, PaymentOrderUpdate,
    PaymentOrderUpdated, PaymentStore, SettlementRecord, SettlementSummary, StoreError,
    StoredPaymentOrder,
};
use egov_store::testing::test_stores;
use egov_store::SqlStore;
use jiff::civil::date;
use jiff::Timestamp;
use tokio::task::JoinSet;

use crate::dossiers::{seed, submit_new};
use crate::identity::{at, at_ms, id};

fn line(label: &str, amount: i64, quantity: u32) -> FeeLine {
    FeeLine::new(
        LocalText {
            vi: label.into(),
            en: label.into(),
        },
        Vnd(amount),
        quantity,
        PayableAt::Submission,
    )
    .expect("valid line")
}

/// A pending order of 74,000 đồng for `dossier`, created at `at(1000)`.
fn pending(order_id: &str, dossier: &DossierCode) -> StoredPaymentOrder {
    let order = PaymentOrder::new(NewPaymentOrder {
        id: PaymentOrderId(order_id.into()),
        dossier: dossier.clone(),
        payer: id("c1"),
        lines: vec![line("Lệ phí", 50_000, 1), line("Phí bản sao", 8_000, 3)],
        created_at: at_ms(1000, 123),
        expires_at: at(1900),
        gateway: "vnpay".into(),
        gateway_txn_ref: format!("REF{order_id}"),
    })
    .expect("valid order");
    StoredPaymentOrder {
        order,
        version: 1,
        agency: "000.00.04.H26".into(),
        follow_up: false,
        updated_at: at_ms(1000, 123),
    }
}

fn notification(notification_id: &str, order: Option<&str>, outcome: &str) -> PaymentNotification {
    PaymentNotification {
        id: notification_id.into(),
        gateway: "vnpay".into(),
        received_at: at_ms(1200, 7),
        raw_query: "vnp_TxnRef=REF1&vnp_Amount=7400000&vnp_SecureHash=ab".into(),
        txn_ref: order.map(|o| format!("REF{o}")),
        order: order.map(|o| PaymentOrderId(o.into())),
        outcome: outcome.into(),
        detail: Some("expected 74.000 ₫, received 7.400 ₫".into()),
        needs_review: outcome != "credited",
        reviewed_at: None,
        reviewed_by: None,
        review_note: None,
    }
}

fn notice(stored: &StoredPaymentOrder) -> PaymentNotice {
    PaymentNotice {
        txn_ref: stored.order.gateway_txn_ref.clone(),
        amount: stored.order.total,
        success: true,
        transaction_no: Some("14226112".into()),
        paid_at: Some(at(1100)),
    }
}

/// The credit of `stored` by a verified success, numbering a receipt.
fn credit(stored: &StoredPaymentOrder, notification_id: &str) -> PaymentOrderUpdate {
    let mut order = stored.order.clone();
    order.apply_notice(&notice(stored), at(1200));
    PaymentOrderUpdate {
        order,
        expected_version: stored.version,
        at: at(1200),
        start_follow_up: true,
        receipt: Some(NewPaymentReceipt {
            id: format!("receipt-{notification_id}"),
            series: "BL2026".into(),
            issued_at: at(1200),
        }),
        refund: None,
        notification: Some(notification(
            notification_id,
            Some(&stored.order.id.0),
            "credited",
        )),
    }
}

async fn order(store: &SqlStore, order_id: &str) -> StoredPaymentOrder {
    store
        .payment_order(&PaymentOrderId(order_id.into()))
        .await
        .expect("read")
        .expect("order exists")
}

async fn notifications(store: &SqlStore, filter: PaymentNotificationFilter) -> Vec<String> {
    store
        .payment_notifications(&filter)
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|n| n.id)
        .collect()
}

#[tokio::test]
async fn an_order_round_trips_and_one_dossier_has_one_pending_order() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let code = submit_new(&store, "d1", "c1").await;
        let new = pending("o1", &code);
        store.create_order(&new).await.expect("created");
        assert_eq!(order(&store, "o1").await, new, "{label}");
        assert_eq!(
            store
                .order_by_txn_ref("vnpay", "REFo1")
                .await
                .expect("read"),
            Some(new.clone()),
            "{label}"
        );
        assert_eq!(
            store
                .order_by_txn_ref("other", "REFo1")
                .await
                .expect("read"),
            None,
            "{label}: the reference is the gateway's"
        );
        // A second pending order of the same dossier is refused…
        let second = store.create_order(&pending("o2", &code)).await;
        assert!(
            matches!(second, Err(StoreError::Conflict(_))),
            "{label}: {second:?}"
        );
        // …and so is a reference the gateway already has.
        let other = submit_new(&store, "d2", "c1").await;
        let mut same_ref = pending("o3", &other);
        same_ref.order.gateway_txn_ref = "REFo1".into();
        let refused = store.create_order(&same_ref).await;
        assert!(
            matches!(refused, Err(StoreError::Conflict(_))),
            "{label}: {refused:?}"
        );
        // Once the first is no longer pending, another may be created.
        let mut cancelled = new.order.clone();
        cancelled.cancel().expect("cancel");
        let update = PaymentOrderUpdate {
            order: cancelled,
            expected_version: 1,
            at: at(1300),
            start_follow_up: false,
            receipt: None,
            refund: None,
            notification: None,
        };
        assert_eq!(
            store.update_order(&update).await.expect("update"),
            PaymentOrderUpdated::Applied { receipt: None }
        );
        store
            .create_order(&pending("o2", &code))
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        let of = store.orders_of(&code).await.expect("list");
        let ids: Vec<&str> = of.iter().map(|o| o.order.id.0.as_str()).collect();
        assert_eq!(ids, ["o1", "o2"], "{label}");
        assert_eq!(of[0].order.status, PaymentStatus::Cancelled);
        assert_eq!(of[0].version, 2);
        assert_eq!(of[0].updated_at, at(1300));
        // An unknown dossier is a missing reference.
        let ghost = DossierCode::parse("000.00.04.H26-260101-0999").expect("code");
        let missing = store.create_order(&pending("o9", &ghost)).await;
        assert!(
            matches!(missing, Err(StoreError::MissingReference { .. })),
            "{label}: {missing:?}"
        );
    }
}

#[tokio::test]
async fn a_credit_writes_the_order_its_receipt_and_its_notification_at_once() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let code = submit_new(&store, "d1", "c1").await;
        let new = pending("o1", &code);
        store.create_order(&new).await.expect("created");
        let update = credit(&new, "n1");
        let done = store.update_order(&update).await.expect("credit");
        let PaymentOrderUpdated::Applied {
            receipt: Some(receipt),
        } = done
        else {
            panic!("{label}: expected a numbered receipt, got {done:?}");
        };
        assert_eq!((receipt.series.as_str(), receipt.number), ("BL2026", 1));
        let stored = order(&store, "o1").await;
        assert_eq!(stored.order, update.order, "{label}");
        assert_eq!(stored.order.status, PaymentStatus::Paid);
        assert_eq!(stored.order.paid_at, Some(at(1100)));
        assert_eq!(
            stored.order.gateway_transaction_no.as_deref(),
            Some("14226112")
        );
        assert_eq!((stored.version, stored.follow_up), (2, true), "{label}");
        assert_eq!(
            store.receipt_of(&new.order.id).await.expect("read"),
            Some(receipt.clone())
        );
        assert_eq!(
            store.receipt(&receipt.id).await.expect("read"),
            Some(receipt.clone())
        );
        assert_eq!(
            notifications(&store, PaymentNotificationFilter::default()).await,
            ["n1"]
        );
        let recorded = store
            .payment_notification("n1")
            .await
            .expect("read")
            .expect("recorded");
        assert_eq!(
            recorded,
            update.notification.clone().expect("given"),
            "{label}"
        );

        // The same update again finds the version moved: nothing is written.
        let mut replay = update.clone();
        replay.notification = Some(notification("n2", Some("o1"), "credited"));
        replay.receipt = Some(NewPaymentReceipt {
            id: "receipt-n2".into(),
            series: "BL2026".into(),
            issued_at: at(1200),
        });
        assert_eq!(
            store.update_order(&replay).await.expect("update"),
            PaymentOrderUpdated::Stale,
            "{label}"
        );
        assert_eq!(order(&store, "o1").await.version, 2);
        assert_eq!(store.receipt("receipt-n2").await.expect("read"), None);
        assert_eq!(
            notifications(&store, PaymentNotificationFilter::default()).await,
            ["n1"]
        );

        // The next credit takes the next number; the PDF is recorded once.
        let other = submit_new(&store, "d2", "c1").await;
        let second = pending("o2", &other);
        store.create_order(&second).await.expect("created");
        let PaymentOrderUpdated::Applied {
            receipt: Some(next),
        } = store
            .update_order(&credit(&second, "n3"))
            .await
            .expect("credit")
        else {
            panic!("{label}: no receipt");
        };
        assert_eq!(next.number, 2, "{label}");
        let pdf = ContentHash::of(b"%PDF receipt");
        assert!(store
            .set_receipt_content(&next.id, &pdf)
            .await
            .expect("set"));
        assert!(!store
            .set_receipt_content(&next.id, &ContentHash::of(b"other"))
            .await
            .expect("set"));
        assert_eq!(
            store
                .receipt(&next.id)
                .await
                .expect("read")
                .and_then(|r| r.content_hash),
            Some(pdf)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_credits_of_one_order_write_once() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let code = submit_new(&store, "d1", "c1").await;
        let new = pending("o1", &code);
        store.create_order(&new).await.expect("created");
        let store = Arc::new(store);
        let mut tasks = JoinSet::new();
        for n in 0..50 {
            let store = Arc::clone(&store);
            let update = credit(&new, &format!("n{n}"));
            tasks.spawn(async move { store.update_order(&update).await });
        }
        let mut applied = 0;
        let mut stale = 0;
        while let Some(done) = tasks.join_next().await {
            match done.expect("task").expect("update") {
                PaymentOrderUpdated::Applied { receipt } => {
                    assert_eq!(receipt.map(|r| r.number), Some(1));
                    applied += 1;
                }
                PaymentOrderUpdated::Stale => stale += 1,
            }
        }
        assert_eq!((applied, stale), (1, 49), "{label}");
        assert_eq!(order(&store, "o1").await.version, 2, "{label}");
        assert_eq!(
            notifications(&store, PaymentNotificationFilter::default())
                .await
                .len(),
            1,
            "{label}"
        );
        // No receipt number was spent by the losers.
        let other = submit_new(&store, "d2", "c1").await;
        let second = pending("o2", &other);
        store.create_order(&second).await.expect("created");
        let PaymentOrderUpdated::Applied { receipt } = store
            .update_order(&credit(&second, "x"))
            .await
            .expect("credit")
        else {
            panic!("{label}: stale");
        };
        assert_eq!(receipt.map(|r| r.number), Some(2), "{label}");
    }
}

#[tokio::test]
async fn refunds_are_recorded_with_the_order() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let code = submit_new(&store, "d1", "c1").await;
        let new = pending("o1", &code);
        store.create_order(&new).await.expect("created");
        let update = credit(&new, "n1");
        store.update_order(&update).await.expect("credit");
        let mut paid = update.order.clone();
        let refund = paid
            .refund(RefundRequest {
                id: "r1".into(),
                amount: Vnd(24_000),
                reason: "Không cấp bản sao".into(),
                by: id("o1"),
                at: at_ms(2000, 5),
            })
            .expect("refund");
        let update = PaymentOrderUpdate {
            order: paid,
            expected_version: 2,
            at: at(2000),
            start_follow_up: false,
            receipt: None,
            refund: Some(refund.clone()),
            notification: None,
        };
        store.update_order(&update).await.expect("refund");
        let stored = order(&store, "o1").await;
        assert_eq!(stored.order.status, PaymentStatus::PartiallyRefunded);
        assert_eq!(stored.order.refunded, Vnd(24_000));
        // A refund does not clear a follow-up that is still to do.
        assert!(stored.follow_up, "{label}");
        assert_eq!(
            store.refunds(&new.order.id).await.expect("read"),
            [refund],
            "{label}"
        );
        // The database refuses more refunded than paid, whatever the caller says.
        let mut over = stored.order.clone();
        over.refunded = Vnd(74_001);
        let refused = store
            .update_order(&PaymentOrderUpdate {
                order: over,
                expected_version: 3,
                at: at(2100),
                start_follow_up: false,
                receipt: None,
                refund: None,
                notification: None,
            })
            .await;
        assert!(refused.is_err(), "{label}: {refused:?}");
        assert_eq!(order(&store, "o1").await.order.refunded, Vnd(24_000));
    }
}

#[tokio::test]
async fn the_sweeps_find_expired_orders_follow_ups_and_credited_payments() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let first = submit_new(&store, "d1", "c1").await;
        let second = submit_new(&store, "d2", "c1").await;
        let a = pending("a", &first);
        let mut b = pending("b", &second);
        b.order.expires_at = at(1500);
        store.create_order(&a).await.expect("created");
        store.create_order(&b).await.expect("created");
        let due = |now: Timestamp| {
            let store = store.clone();
            async move {
                store
                    .expired_pending(now, 10)
                    .await
                    .expect("read")
                    .into_iter()
                    .map(|o| o.order.id.0)
                    .collect::<Vec<_>>()
            }
        };
        assert!(due(at(1499)).await.is_empty(), "{label}");
        assert_eq!(due(at(1500)).await, ["b"], "{label}");
        assert_eq!(due(at(5000)).await, ["b", "a"], "{label}");
        assert_eq!(
            store
                .expired_pending(at(5000), 1)
                .await
                .expect("read")
                .len(),
            1
        );

        assert!(store.pending_follow_ups(10).await.expect("read").is_empty());
        store.update_order(&credit(&a, "n1")).await.expect("credit");
        let follow: Vec<String> = store
            .pending_follow_ups(10)
            .await
            .expect("read")
            .into_iter()
            .map(|o| o.order.id.0)
            .collect();
        assert_eq!(follow, ["a"], "{label}");
        assert!(store.finish_follow_up(&a.order.id).await.expect("finish"));
        assert!(!store.finish_follow_up(&a.order.id).await.expect("finish"));
        assert!(store.pending_follow_ups(10).await.expect("read").is_empty());
        // Finishing the follow-up is not a change of the order.
        assert_eq!(order(&store, "a").await.version, 2);

        // Paid at at(1100): inside [1100, 1101), not in [1101, …) nor for another gateway.
        let credited = |from: i64, until: i64, gateway: &'static str| {
            let store = store.clone();
            async move {
                store
                    .credited_between(gateway, at(from), at(until))
                    .await
                    .expect("read")
                    .len()
            }
        };
        assert_eq!(credited(1100, 1101, "vnpay").await, 1, "{label}");
        assert_eq!(credited(1101, 9000, "vnpay").await, 0, "{label}");
        assert_eq!(credited(0, 9000, "other").await, 0, "{label}");
        // A pending order is not credited.
        assert_eq!(credited(0, 90_000, "vnpay").await, 1, "{label}");
    }
}

#[tokio::test]
async fn notifications_wait_for_review_once() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let code = submit_new(&store, "d1", "c1").await;
        store
            .create_order(&pending("o1", &code))
            .await
            .expect("created");
        let mut bad = notification("bad", None, "bad-signature");
        bad.received_at = at(1300);
        bad.detail = None;
        store.record_notification(&bad).await.expect("recorded");
        let mut late = notification("late", Some("o1"), "late-success");
        late.received_at = at(1400);
        store.record_notification(&late).await.expect("recorded");
        let mut replay = notification("replay", Some("o1"), "already-credited");
        replay.needs_review = false;
        replay.received_at = at(1500);
        store.record_notification(&replay).await.expect("recorded");
        assert!(matches!(
            store.record_notification(&replay).await,
            Err(StoreError::Conflict(_))
        ));

        let all = PaymentNotificationFilter::default();
        assert_eq!(
            notifications(&store, all.clone()).await,
            ["replay", "late", "bad"]
        );
        let review = PaymentNotificationFilter {
            awaiting_review: true,
            ..all.clone()
        };
        assert_eq!(
            notifications(&store, review.clone()).await,
            ["late", "bad"],
            "{label}"
        );
        let of_order = PaymentNotificationFilter {
            order: Some(PaymentOrderId("o1".into())),
            ..all.clone()
        };
        assert_eq!(notifications(&store, of_order).await, ["replay", "late"]);
        let page = store
            .payment_notifications(&PaymentNotificationFilter {
                page: PageRequest::new(1, 1),
                ..review.clone()
            })
            .await
            .expect("list");
        assert_eq!((page.total, page.items.len()), (2, 1));
        assert_eq!(page.items[0].id, "bad");

        assert!(store
            .review_notification("late", Some(&id("o1")), at(1600), "Đã hoàn tiền")
            .await
            .expect("review"));
        assert!(!store
            .review_notification("late", None, at(1700), "again")
            .await
            .expect("review"));
        let reviewed = store
            .payment_notification("late")
            .await
            .expect("read")
            .expect("exists");
        assert_eq!(reviewed.reviewed_at, Some(at(1600)));
        assert_eq!(reviewed.reviewed_by, Some(id("o1")));
        assert_eq!(reviewed.review_note.as_deref(), Some("Đã hoàn tiền"));
        assert_eq!(notifications(&store, review).await, ["bad"], "{label}");
    }
}

#[tokio::test]
async fn settlement_files_are_kept_with_their_counts() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let record = |n: &str, imported: i64| SettlementRecord {
            id: n.into(),
            gateway: "vnpay".into(),
            first_day: date(2026, 1, 1),
            last_day: date(2026, 1, 2),
            file_hash: ContentHash::of(n.as_bytes()),
            rows: 42,
            imported_by: Some(id("o1")),
            imported_at: at(imported),
            summary: SettlementSummary {
                matched: 40,
                amount_mismatch: 1,
                missing_on_our_side: 1,
                missing_on_theirs: 2,
                duplicates: 0,
                not_settled: 3,
            },
        };
        store
            .save_settlement(&record("s1", 100))
            .await
            .expect("saved");
        store
            .save_settlement(&record("s2", 200))
            .await
            .expect("saved");
        assert_eq!(
            store.settlement("s1").await.expect("read"),
            Some(record("s1", 100)),
            "{label}"
        );
        assert_eq!(store.settlement("nope").await.expect("read"), None);
        let page = store
            .settlements(PageRequest::default())
            .await
            .expect("list");
        assert_eq!(page.total, 2);
        let ids: Vec<&str> = page.items.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["s2", "s1"], "{label}");
    }
}
