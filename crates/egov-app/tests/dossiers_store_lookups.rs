//! What needs the store's look-ups by idempotency key and by content hash
//! (`DossierStore::submission_by_key`, `DossierStore::document_by_hash`):
//! a retried submission whose draft is already gone, and naming the dossier
//! of a verified result.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod dossiers_support;

use dossiers_support::*;
use egov_app::dossiers::Command;
use egov_app::ports::DocumentKind;
use egov_app::AppError;
use egov_domain::PageRequest;

#[tokio::test]
async fn a_retried_submission_whose_draft_is_gone_returns_the_same_dossier() {
    for fx in fixtures().await {
        let label = fx.label.as_str();
        let d = &fx.dossiers;
        let draft = ready_draft(&fx, &fx.an, friday()).await;
        let (first, created) = d
            .submit(&fx.an, &draft.id, Some("retry-1"), friday())
            .await
            .unwrap();
        assert!(created);
        // The response was lost; the client sends the same request again.
        let (again, created) = d
            .submit(&fx.an, &draft.id, Some("retry-1"), later(friday(), 1))
            .await
            .unwrap_or_else(|e| panic!("{label}: the retry failed: {e}"));
        assert!(!created, "{label}");
        assert_eq!(again.code, first.code);
        let mine = d.my_dossiers(&fx.an, PageRequest::default()).await.unwrap();
        assert_eq!(mine.total, 1, "{label}: one dossier");

        // The key names that draft: with another draft id it is a conflict.
        let reused = d
            .submit(&fx.an, "another-draft", Some("retry-1"), friday())
            .await;
        assert!(
            matches!(reused, Err(AppError::Conflict(_))),
            "{label}: {reused:?}"
        );
        // A retry without the key is not recognised: the draft is gone.
        assert!(matches!(
            d.submit(&fx.an, &draft.id, None, friday()).await,
            Err(AppError::NotFound { .. })
        ));
    }
}

#[tokio::test]
async fn a_verified_result_names_its_dossier() {
    for fx in fixtures().await {
        let label = fx.label.as_str();
        let d = &fx.dossiers;
        let dossier = in_review(&fx, friday()).await;
        let dossier = act(
            &fx,
            &fx.specialist,
            &dossier,
            Command::Propose {
                note: String::new(),
            },
            later(friday(), 90),
        )
        .await;
        let dossier = act(
            &fx,
            &fx.leader,
            &dossier,
            Command::Approve {
                note: String::new(),
            },
            later(friday(), 100),
        )
        .await;
        let documents = fx.store.documents(&dossier.code).await.unwrap();
        let file = |kind| {
            documents
                .iter()
                .find(|doc| doc.kind == kind)
                .unwrap()
                .id
                .clone()
        };
        let (_, pdf) = d
            .document_file(&fx.an, &file(DocumentKind::Result))
            .await
            .unwrap();
        let (_, p7s) = d
            .document_file(&fx.an, &file(DocumentKind::ResultSignature))
            .await
            .unwrap();
        let check = d.verify_signature(&pdf, &p7s).await.unwrap();
        assert!(check.valid, "{label}: {:?}", check.problem);
        assert_eq!(
            check.dossier_code,
            Some(dossier.code.to_string()),
            "{label}"
        );
    }
}
