//! One-time codes and the outbox.

use egov_ports::{Channel, CodePurpose, IdentityStore, OneTimeCode, OutboxMessage, StoreError};
use egov_store::testing::test_stores;

use super::{at, at_ms, citizen, conflict, create, id};

fn code(hash: &str, expires: i64) -> OneTimeCode {
    OneTimeCode {
        account_id: id("c1"),
        purpose: CodePurpose::VerifyEmail,
        target: "an@example.vn".into(),
        code_hash: hash.into(),
        expires_at: at(expires),
        attempts: 0,
    }
}

fn message(message_id: &str, created: i64) -> OutboxMessage {
    OutboxMessage {
        id: message_id.into(),
        channel: Channel::Email,
        recipient: "an@example.vn".into(),
        subject: "Mã xác thực".into(),
        body: "Mã của bạn (your code)".into(),
        created_at: at_ms(created, 5),
        attempts: 0,
        sent_at: None,
        last_error: None,
    }
}

fn ids(messages: &[OutboxMessage]) -> Vec<&str> {
    messages.iter().map(|m| m.id.as_str()).collect()
}

#[tokio::test]
async fn a_code_and_its_message_are_stored_together() {
    for (label, store) in test_stores().await {
        create(&store, citizen("c1", "001203012345", "an@example.vn")).await;
        let c1 = id("c1");
        let purpose = CodePurpose::VerifyEmail;
        store
            .put_code(&code("h1", 600), &message("m1", 0))
            .await
            .expect(&label);
        assert_eq!(
            store.code(&c1, purpose).await.expect(&label),
            Some(code("h1", 600))
        );
        assert_eq!(
            store.pending_messages(5, 10).await.expect(&label),
            [message("m1", 0)],
            "{label}"
        );

        assert_eq!(
            store.count_code_attempt(&c1, purpose).await.expect(&label),
            1
        );
        assert_eq!(
            store.count_code_attempt(&c1, purpose).await.expect(&label),
            2
        );
        assert_eq!(
            store
                .code(&c1, purpose)
                .await
                .expect(&label)
                .map(|c| c.attempts),
            Some(2)
        );

        // A new code replaces the old one (and its count); another purpose is separate.
        store
            .put_code(&code("h2", 900), &message("m2", 1))
            .await
            .expect(&label);
        assert_eq!(
            store.code(&c1, purpose).await.expect(&label),
            Some(code("h2", 900))
        );
        let mut reset = code("h3", 900);
        reset.purpose = CodePurpose::ResetPassword;
        store
            .put_code(&reset, &message("m3", 2))
            .await
            .expect(&label);
        assert_eq!(
            store
                .code(&c1, CodePurpose::ResetPassword)
                .await
                .expect(&label),
            Some(reset)
        );
        assert_eq!(
            ids(&store.pending_messages(5, 10).await.expect(&label)),
            ["m1", "m2", "m3"],
            "{label}"
        );

        store.delete_code(&c1, purpose).await.expect(&label);
        assert_eq!(
            store.code(&c1, purpose).await.expect(&label),
            None,
            "{label}"
        );
        assert_eq!(
            store.count_code_attempt(&c1, purpose).await.expect(&label),
            0
        );
        assert!(store
            .code(&c1, CodePurpose::ResetPassword)
            .await
            .expect(&label)
            .is_some());
    }
}

#[tokio::test]
async fn a_failed_message_leaves_the_old_code_in_place() {
    for (label, store) in test_stores().await {
        create(&store, citizen("c1", "001203012345", "an@example.vn")).await;
        store
            .put_code(&code("h1", 600), &message("m1", 0))
            .await
            .expect(&label);

        // The message id is taken: the code must not be replaced either.
        let result = store.put_code(&code("h2", 900), &message("m1", 1)).await;
        assert_eq!(conflict(result), "outbox message", "{label}");
        assert_eq!(
            store
                .code(&id("c1"), CodePurpose::VerifyEmail)
                .await
                .expect(&label),
            Some(code("h1", 600)),
            "{label}"
        );

        // A code for an unknown account queues no message.
        let mut stray = code("h9", 600);
        stray.account_id = id("ghost");
        let err = store
            .put_code(&stray, &message("m9", 3))
            .await
            .expect_err(&label);
        assert!(
            matches!(
                err,
                StoreError::MissingReference {
                    reference: "account",
                    ..
                }
            ),
            "{label}: {err:?}"
        );
        assert_eq!(
            ids(&store.pending_messages(5, 10).await.expect(&label)),
            ["m1"]
        );
    }
}

#[tokio::test]
async fn the_outbox_hands_out_unsent_messages_oldest_first() {
    for (label, store) in test_stores().await {
        for (message_id, created) in [("m3", 30), ("m1", 10), ("m2", 20), ("m4", 40)] {
            store
                .enqueue(&message(message_id, created))
                .await
                .expect(&label);
        }
        assert_eq!(
            conflict(store.enqueue(&message("m1", 50)).await),
            "outbox message"
        );
        let pending = |max_attempts, limit| {
            let store = &store;
            async move {
                store
                    .pending_messages(max_attempts, limit)
                    .await
                    .expect("pending")
            }
        };
        assert_eq!(
            ids(&pending(3, 10).await),
            ["m1", "m2", "m3", "m4"],
            "{label}"
        );
        assert_eq!(ids(&pending(3, 2).await), ["m1", "m2"], "{label}");

        store.mark_sent("m1", at(60)).await.expect(&label);
        for attempt in 1..=3 {
            store
                .mark_failed("m2", &format!("timeout {attempt}"))
                .await
                .expect(&label);
        }
        store.mark_failed("m3", "refused").await.expect(&label);

        assert_eq!(ids(&pending(3, 10).await), ["m3", "m4"], "{label}");
        let with_more_tries = pending(4, 10).await;
        assert_eq!(ids(&with_more_tries), ["m2", "m3", "m4"], "{label}");
        assert_eq!(with_more_tries[0].attempts, 3, "{label}");
        assert_eq!(with_more_tries[0].last_error.as_deref(), Some("timeout 3"));
        assert_eq!(with_more_tries[1].attempts, 1, "{label}");
        assert_eq!(with_more_tries[1].last_error.as_deref(), Some("refused"));
        assert_eq!(with_more_tries[2], message("m4", 40), "{label}");
    }
}
