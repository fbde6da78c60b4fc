//! Drafts and their attachments.

use egov_ports::{AttachmentOwner, DossierStore, StoreError};
use egov_store::testing::test_stores;

use super::{attachment, draft, seed, submit_new};
use crate::identity::{at_ms, conflict, id};

fn on_draft(draft_id: &str) -> AttachmentOwner {
    AttachmentOwner::Draft(draft_id.into())
}

#[tokio::test]
async fn drafts_are_stored_replaced_and_listed_per_applicant() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let d1 = draft("d1", "c1");
        let mut d2 = draft("d2", "c1");
        d2.updated_at = at_ms(50, 0);
        store.put_draft(&d1).await.expect(&label);
        store.put_draft(&d2).await.expect(&label);
        store.put_draft(&draft("d3", "c2")).await.expect(&label);
        assert_eq!(store.draft("d1").await.expect(&label), Some(d1.clone()));
        assert_eq!(store.draft("nope").await.expect(&label), None);

        // The last edited first.
        assert_eq!(
            store.drafts_of(&id("c1")).await.expect(&label),
            [d2.clone(), d1.clone()],
            "{label}"
        );

        let mut edited = d1.clone();
        edited.values = serde_json::json!({"child_name": "Trần Bình", "copies": 3});
        edited.updated_at = at_ms(60, 7);
        store.put_draft(&edited).await.expect(&label);
        assert_eq!(store.draft("d1").await.expect(&label), Some(edited.clone()));
        assert_eq!(
            store.drafts_of(&id("c1")).await.expect(&label),
            [edited, d2],
            "{label}"
        );
        assert!(store.drafts_of(&id("o1")).await.expect(&label).is_empty());

        // A draft of an unknown account is refused.
        assert!(matches!(
            store.put_draft(&draft("d4", "ghost")).await,
            Err(StoreError::MissingReference { .. })
        ));
    }
}

#[tokio::test]
async fn attachments_belong_to_a_draft_until_it_is_deleted() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        store.put_draft(&draft("d1", "c1")).await.expect(&label);
        store.put_draft(&draft("d2", "c1")).await.expect(&label);
        let a1 = attachment("a1", on_draft("d1"), 20);
        let a2 = attachment("a2", on_draft("d1"), 10);
        let a3 = attachment("a3", on_draft("d2"), 30);
        for a in [&a1, &a2, &a3] {
            store.add_attachment(a).await.expect(&label);
        }
        assert_eq!(
            store.attachment("a1").await.expect(&label),
            Some(a1.clone())
        );
        assert_eq!(store.attachment("zz").await.expect(&label), None);
        // In upload order.
        assert_eq!(
            store.attachments(&on_draft("d1")).await.expect(&label),
            [a2.clone(), a1.clone()],
            "{label}"
        );
        assert_eq!(
            conflict(store.add_attachment(&a1).await),
            "attachment",
            "{label}"
        );
        assert!(matches!(
            store
                .add_attachment(&attachment("a9", on_draft("ghost"), 1))
                .await,
            Err(StoreError::MissingReference { .. })
        ));

        assert!(store.delete_attachment("a2").await.expect(&label));
        assert!(!store.delete_attachment("a2").await.expect(&label));
        assert_eq!(
            store.attachments(&on_draft("d1")).await.expect(&label),
            [a1],
            "{label}"
        );

        assert!(store.delete_draft("d1").await.expect(&label));
        assert!(!store.delete_draft("d1").await.expect(&label));
        assert_eq!(store.draft("d1").await.expect(&label), None);
        assert_eq!(store.attachment("a1").await.expect(&label), None);
        assert!(store
            .attachments(&on_draft("d1"))
            .await
            .expect(&label)
            .is_empty());
        // Other drafts keep theirs.
        assert_eq!(
            store.attachments(&on_draft("d2")).await.expect(&label),
            [a3],
            "{label}"
        );
    }
}

#[tokio::test]
async fn attachments_can_be_added_to_a_dossier() {
    for (label, store) in test_stores().await {
        seed(&store).await;
        let code = submit_new(&store, "d1", "c1").await;
        let owner = AttachmentOwner::Dossier(code.clone());
        let supplement = attachment("s1", owner.clone(), 500);
        store.add_attachment(&supplement).await.expect(&label);
        assert_eq!(
            store.attachment("s1").await.expect(&label).as_ref(),
            Some(&supplement)
        );
        assert_eq!(
            store.attachments(&owner).await.expect(&label),
            [supplement],
            "{label}"
        );
    }
}
