//! A dossier's whole journey on every test backend: submitted online,
//! accepted, assigned, supplemented, proposed, approved with a signed
//! result that verifies, returned and rated — and the audit chain intact.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod dossiers_support;

use dossiers_support::*;
use egov_app::dossiers::{Command, UploadTarget};
use egov_app::ports::{AttachmentOwner, Channel, DocumentKind};
use egov_domain::dossier::{DeadlineStatus, DossierStatus, Outcome, Transition};
use egov_domain::identity::Role;
use egov_domain::PageRequest;

#[tokio::test]
async fn a_dossier_goes_from_submission_to_a_rated_signed_result() {
    for fx in fixtures().await {
        let label = fx.label.as_str();
        let d = &fx.dossiers;

        // The draft is pre-filled from the account.
        let draft = start(&fx, &fx.an, friday()).await;
        assert_eq!(draft.agency_code, JUSTICE);
        assert_eq!(draft.values["applicant_name"], "Nguyễn Văn An", "{label}");
        assert_eq!(draft.values["mother_id"], NID_AN);
        assert_eq!(draft.values["email"], EMAIL_AN);
        d.discard_draft(&fx.an, &draft.id).await.unwrap();
        let draft = ready_draft(&fx, &fx.an, friday()).await;

        // Submitted online: status 1, the department's code, awaiting the desk.
        let (dossier, created) = d.submit(&fx.an, &draft.id, None, friday()).await.unwrap();
        assert!(created);
        assert_eq!(
            dossier.code.to_string(),
            format!("{JUSTICE}-261204-0001"),
            "{label}"
        );
        assert_eq!(dossier.status, DossierStatus::Submitted);
        assert_eq!(dossier.status.code(), 1);
        assert_eq!(dossier.awaiting, Some(Role::ReceivingOfficer));
        assert_eq!(dossier.form["child_name"], "Nguyễn Văn Bé");
        assert!(
            d.drafts(&fx.an).await.unwrap().is_empty(),
            "{label}: the draft is gone"
        );
        let code = dossier.code.to_string();

        // Accepted on Friday: due on Monday at 17:00, with a receipt.
        let dossier = act(
            &fx,
            &fx.desk,
            &dossier,
            Command::Accept,
            later(friday(), 60),
        )
        .await;
        assert_eq!(dossier.status, DossierStatus::Received);
        assert_eq!(dossier.due_at, Some(t("2026-12-07T10:00:00Z")), "{label}");
        assert_eq!(dossier.deadline_at, dossier.due_at);

        // Assigned to the specialist.
        let dossier = act(
            &fx,
            &fx.desk,
            &dossier,
            Command::Assign {
                specialist: fx.specialist_id.clone(),
            },
            later(friday(), 70),
        )
        .await;
        assert_eq!(dossier.status, DossierStatus::Processing);
        assert_eq!(
            (dossier.step, dossier.awaiting),
            (1, Some(Role::Specialist))
        );
        assert_eq!(dossier.assignee.as_ref(), Some(&fx.specialist_id));

        // The specialist asks for a supplement on Monday morning: the clock stops.
        let asked = t("2026-12-07T01:00:00Z");
        let dossier = act(
            &fx,
            &fx.specialist,
            &dossier,
            Command::RequestSupplement {
                reason: "Thiếu bản sao giấy đăng ký kết hôn".into(),
            },
            asked,
        )
        .await;
        assert_eq!(dossier.status, DossierStatus::SupplementRequested);
        assert_eq!(dossier.paused_since, Some(asked));
        assert_eq!(dossier.supplement_requests, 1);
        assert_eq!((dossier.deadline_at, dossier.awaiting), (None, None));

        // An uploads the paper and supplements a day later.
        d.upload(
            &fx.an,
            UploadTarget::Dossier(dossier.code.clone()),
            upload("extra", "dang-ky-ket-hon.pdf", pdf("ket hon")),
            later(asked, 60 * 24),
        )
        .await
        .unwrap();
        let dossier = act(
            &fx,
            &fx.an,
            &dossier,
            Command::Supplement {
                note: "Đã bổ sung".into(),
            },
            later(asked, 60 * 24),
        )
        .await;
        assert_eq!(dossier.status, DossierStatus::Processing);
        assert_eq!(dossier.paused_seconds, 24 * 3600, "{label}");
        assert_eq!(dossier.paused_since, None);
        assert_eq!(
            dossier.deadline_at,
            Some(t("2026-12-08T10:00:00Z")),
            "{label}"
        );
        assert_eq!(dossier.awaiting, Some(Role::Specialist));

        // Proposed to the leader, who approves.
        let dossier = act(
            &fx,
            &fx.specialist,
            &dossier,
            Command::Propose {
                note: "Đủ điều kiện".into(),
            },
            t("2026-12-08T02:00:00Z"),
        )
        .await;
        assert_eq!((dossier.step, dossier.awaiting), (2, Some(Role::Leader)));
        let approved_at = t("2026-12-08T03:00:00Z");
        let dossier = act(
            &fx,
            &fx.leader,
            &dossier,
            Command::Approve {
                note: "Đồng ý cấp".into(),
            },
            approved_at,
        )
        .await;
        assert_eq!(dossier.status, DossierStatus::ResultReady);
        assert_eq!(dossier.outcome, Some(Outcome::Granted));
        assert_eq!(dossier.finished_at, Some(approved_at));
        assert_eq!(dossier.awaiting, Some(Role::ReceivingOfficer));

        // The applicant downloads the result and its signature; they verify.
        let view = d.dossier(&fx.an, &code, approved_at).await.unwrap();
        assert_eq!(view.deadline, DeadlineStatus::FinishedOnTime, "{label}");
        let result = view
            .documents
            .iter()
            .find(|doc| doc.kind == DocumentKind::Result)
            .expect("result");
        let signature = view
            .documents
            .iter()
            .find(|doc| doc.kind == DocumentKind::ResultSignature)
            .expect("signature");
        let (_, pdf_bytes) = d.document_file(&fx.an, &result.id).await.unwrap();
        let (_, p7s) = d.document_file(&fx.an, &signature.id).await.unwrap();
        assert!(pdf_bytes.starts_with(b"%PDF"));
        let check = d.verify_signature(&pdf_bytes, &p7s).await.unwrap();
        assert!(check.valid, "{label}: {:?}", check.problem);
        assert_eq!(check.agency_code.as_deref(), Some(JUSTICE));
        assert_eq!(check.signer.as_deref(), Some("Sở Tư pháp Thành phố Hà Nội"));
        let mut altered = pdf_bytes.clone();
        altered.extend_from_slice(b"\n% altered");
        let check = d.verify_signature(&altered, &p7s).await.unwrap();
        assert!(!check.valid);
        assert!(check.problem.is_some());
        assert!(d
            .root_certificate_pem()
            .await
            .unwrap()
            .contains("BEGIN CERTIFICATE"));

        // Returned at the desk, then rated.
        let dossier = act(
            &fx,
            &fx.desk,
            &dossier,
            Command::ReturnResult,
            t("2026-12-08T04:00:00Z"),
        )
        .await;
        assert_eq!(dossier.status, DossierStatus::ResultReturned);
        assert_eq!(dossier.status.code(), 10);
        assert_eq!(dossier.returned_at, Some(t("2026-12-08T04:00:00Z")));
        assert_eq!(dossier.awaiting, None);
        let dossier = act(
            &fx,
            &fx.an,
            &dossier,
            Command::Rate {
                rating: 5,
                comment: "Nhanh".into(),
            },
            t("2026-12-08T05:00:00Z"),
        )
        .await;
        assert_eq!(dossier.rating, Some(5));
        assert_eq!(dossier.version, 9, "{label}: one version per change");

        // The timeline shows each step; officials by role, never by name.
        let view = d
            .dossier(&fx.an, &code, t("2026-12-08T06:00:00Z"))
            .await
            .unwrap();
        let actions: Vec<&str> = view.timeline.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "submit",
                "accept",
                "assign",
                "request-supplement",
                "supplement",
                "propose",
                "approve",
                "return-result",
                "rate"
            ],
            "{label}"
        );
        let roles: Vec<Option<&str>> = view
            .timeline
            .iter()
            .map(|e| e.actor_role.as_deref())
            .collect();
        assert_eq!(roles[0], Some("applicant"));
        assert_eq!(roles[1], Some("receiving-officer"));
        assert_eq!(roles[3], Some("specialist"));
        assert_eq!(roles[6], Some("leader"));
        assert_eq!(view.timeline[1].due_at, Some(t("2026-12-07T10:00:00Z")));
        assert_eq!(
            view.timeline[3].note.as_deref(),
            Some("Thiếu bản sao giấy đăng ký kết hôn")
        );
        assert_eq!(view.attachments.len(), 2);
        assert!(view.allowed.contains(&Transition::Message));
        assert!(!view.allowed.contains(&Transition::Rate), "rated once");
        let kinds: Vec<DocumentKind> = view.documents.iter().map(|doc| doc.kind).collect();
        for kind in [
            DocumentKind::Receipt,
            DocumentKind::SupplementRequest,
            DocumentKind::Result,
            DocumentKind::ResultSignature,
        ] {
            assert!(kinds.contains(&kind), "{label}: {kind:?} in {kinds:?}");
        }

        // The slips are PDFs; the control slip is made on demand.
        for kind in [DocumentKind::Receipt, DocumentKind::ControlSlip] {
            let bytes = d
                .slip(&fx.an, &code, kind, t("2026-12-08T06:00:00Z"))
                .await
                .unwrap();
            assert!(bytes.starts_with(b"%PDF"), "{label}: {kind:?}");
        }

        // An was told of every change of status, in the app, by e-mail and SMS.
        let notifications = d
            .notifications(&fx.an, PageRequest::new(0, 100))
            .await
            .unwrap();
        let statuses: Vec<DossierStatus> = notifications.items.iter().map(|n| n.status).collect();
        for status in [
            DossierStatus::Submitted,
            DossierStatus::Received,
            DossierStatus::SupplementRequested,
            DossierStatus::ResultReady,
            DossierStatus::ResultReturned,
        ] {
            assert!(
                statuses.contains(&status),
                "{label}: {status:?} in {statuses:?}"
            );
        }
        assert!(notifications
            .items
            .iter()
            .all(|n| n.dossier == dossier.code));
        assert_eq!(
            d.mark_notifications_read(&fx.an, t("2026-12-08T07:00:00Z"))
                .await
                .unwrap(),
            notifications.total
        );
        let outbox = fx.identity.pending_messages(100, 1000).await.unwrap();
        let emails: Vec<_> = outbox
            .iter()
            .filter(|m| m.channel == Channel::Email && m.recipient == EMAIL_AN)
            .collect();
        let sms: Vec<_> = outbox
            .iter()
            .filter(|m| m.channel == Channel::Sms && m.recipient == PHONE_AN)
            .collect();
        assert!(emails.len() >= 6, "{label}: {} e-mails", emails.len());
        assert_eq!(emails.len(), sms.len());
        assert!(emails.iter().all(|m| m.body.contains(&code)));
        assert!(emails.iter().any(|m| m
            .body
            .contains(&format!("https://dichvucong.example.vn/tra-cuu/{code}"))));

        // The public lookup shows status and dates, nothing personal.
        let public = d
            .public_status(&code, t("2026-12-08T06:00:00Z"))
            .await
            .unwrap();
        assert_eq!(public.status_code, 10);
        assert_eq!(public.receiving_agency, JUSTICE);
        let json = serde_json::to_string(&public).unwrap();
        for personal in ["Nguyễn", NID_AN, "Bé", EMAIL_AN] {
            assert!(!json.contains(personal), "{label}: {personal} in {json}");
        }

        // The audit chain verifies and counts every event.
        let report = d.verify_audit().await.unwrap();
        assert_eq!(report.entries, 9, "{label}");
        assert!(report.head_hash.is_some());

        // The attachments are on the dossier now.
        let files = fx
            .store
            .attachments(&AttachmentOwner::Dossier(dossier.code.clone()))
            .await
            .unwrap();
        assert_eq!(files.len(), 2);
    }
}

#[tokio::test]
async fn a_refused_or_stopped_dossier_ends_with_its_slip_and_can_be_rated() {
    for fx in fixtures().await {
        let label = fx.label.as_str();
        let d = &fx.dossiers;
        let first = submitted(&fx, friday()).await;
        let refused = act(
            &fx,
            &fx.desk,
            &first,
            Command::RefuseIntake {
                reason: "Không thuộc thẩm quyền".into(),
            },
            later(friday(), 30),
        )
        .await;
        assert_eq!(refused.status, DossierStatus::RefusedAtIntake);
        assert_eq!(refused.finished_at, Some(later(friday(), 30)));
        let slip = d
            .slip(
                &fx.an,
                &first.code.to_string(),
                DocumentKind::Refusal,
                later(friday(), 40),
            )
            .await
            .unwrap();
        assert!(slip.starts_with(b"%PDF"), "{label}");
        act(
            &fx,
            &fx.an,
            &refused,
            Command::Rate {
                rating: 2,
                comment: String::new(),
            },
            later(friday(), 50),
        )
        .await;

        // A reason is required.
        let second = submitted(&fx, friday()).await;
        let empty = d
            .act(
                &fx.desk,
                &second.code.to_string(),
                Command::RefuseIntake {
                    reason: "  ".into(),
                },
                later(friday(), 30),
            )
            .await;
        assert!(
            matches!(empty, Err(egov_app::AppError::Invalid(ref e)) if e.field == "reason"),
            "{label}: {empty:?}"
        );

        // Stopped by the leader during processing.
        let third = in_review(&fx, friday()).await;
        let stopped = act(
            &fx,
            &fx.leader,
            &third,
            Command::Stop {
                reason: "Hồ sơ giả mạo".into(),
            },
            later(friday(), 120),
        )
        .await;
        assert_eq!(stopped.status, DossierStatus::Stopped);
        assert_eq!(stopped.outcome, Some(Outcome::Refused));
        assert_eq!(stopped.finished_at, Some(later(friday(), 120)));

        // Withdrawn by the applicant.
        let fourth = submitted(&fx, friday()).await;
        let withdrawn = act(
            &fx,
            &fx.an,
            &fourth,
            Command::Withdraw {
                reason: String::new(),
            },
            later(friday(), 10),
        )
        .await;
        assert_eq!(withdrawn.status, DossierStatus::Withdrawn);
        assert_eq!(withdrawn.status.code(), 7);
        assert!(d.verify_audit().await.is_ok());
    }
}
