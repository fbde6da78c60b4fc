//! The rules around dossiers, on every test backend: validation of the
//! form, idempotent and concurrent submission, illegal transitions, who may
//! read and act, deadlines, uploads, the inbox and the calendar.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod dossiers_support;

use std::collections::BTreeSet;
use std::sync::Arc;

use dossiers_support::*;
use egov_app::dossiers::{Command, DossierConfig, InboxQuery, UploadTarget};
use egov_app::ports::AttachmentOwner;
use egov_app::AppError;
use egov_domain::attachment::AttachmentRejected;
use egov_domain::calendar::{CalendarOverride, OverrideKind};
use egov_domain::dossier::{DeadlineStatus, DossierStatus};
use egov_domain::identity::Actor;
use egov_domain::service::FieldErrorCode;
use egov_domain::PageRequest;
use jiff::civil::date;
use serde_json::json;

#[tokio::test]
async fn every_invalid_field_is_reported_and_nothing_but_the_draft_is_saved() {
    for fx in fixtures().await {
        let label = fx.label.as_str();
        let d = &fx.dossiers;
        let draft = start(&fx, &fx.an, friday()).await;
        let values = json!({
            "applicant_name": "Nguyễn Văn An",
            "child_name": "",
            "child_birth_date": "2027-01-01",
            "sex": "khac",
            "birth_place": "99",
            "mother_id": "123",
            "unknown": "x",
        });
        d.save_draft(&fx.an, &draft.id, values.clone(), friday())
            .await
            .unwrap();
        let result = d.submit(&fx.an, &draft.id, Some("key-1"), friday()).await;
        let Err(AppError::Form(errors)) = result else {
            panic!("{label}: expected form errors, got {result:?}");
        };
        let mut fields: Vec<(&str, FieldErrorCode)> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        fields.sort_by_key(|(f, _)| *f);
        assert_eq!(
            fields,
            [
                ("birth_certificate", FieldErrorCode::Required),
                ("birth_place", FieldErrorCode::UnknownUnit),
                ("child_birth_date", FieldErrorCode::DateInFuture),
                ("child_name", FieldErrorCode::Required),
                ("mother_id", FieldErrorCode::InvalidNationalId),
                ("sex", FieldErrorCode::NotAnOption),
                ("unknown", FieldErrorCode::UnknownField),
            ],
            "{label}"
        );
        // Only the draft, as it was typed.
        let kept = d.draft(&fx.an, &draft.id).await.unwrap();
        assert_eq!(kept.draft.values, values);
        let mine = d.my_dossiers(&fx.an, PageRequest::default()).await.unwrap();
        assert_eq!(mine.total, 0, "{label}");
        assert_eq!(fx.store.chain_head().await.unwrap(), None, "{label}");
        // Nor did the key get used: the fixed draft goes through with it.
        d.save_draft(&fx.an, &draft.id, valid_values(), friday())
            .await
            .unwrap();
        d.upload(
            &fx.an,
            UploadTarget::Draft(draft.id.clone()),
            upload("birth_certificate", "cs.png", png()),
            friday(),
        )
        .await
        .unwrap();
        let (dossier, created) = d
            .submit(&fx.an, &draft.id, Some("key-1"), friday())
            .await
            .unwrap();
        assert!(created, "{label}");
        assert_eq!(dossier.status, DossierStatus::Submitted);
    }
}

#[tokio::test]
async fn drafts_are_autosaved_and_private() {
    for fx in fixtures_with(
        DossierConfig {
            max_draft_bytes: 200,
            ..DossierConfig::default()
        },
        false,
    )
    .await
    {
        let label = fx.label.as_str();
        let d = &fx.dossiers;
        let draft = start(&fx, &fx.an, friday()).await;
        // Anything typed is kept, valid or not.
        let typed = json!({"child_name": "Bé", "copies": "nhiều"});
        let saved = d
            .save_draft(&fx.an, &draft.id, typed.clone(), later(friday(), 1))
            .await
            .unwrap();
        assert_eq!(saved.values, typed);
        assert_eq!(saved.updated_at, later(friday(), 1));
        assert_eq!(d.drafts(&fx.an).await.unwrap().len(), 1, "{label}");
        // But not too much, and only an object.
        let big = json!({"child_name": "x".repeat(300)});
        assert!(matches!(
            d.save_draft(&fx.an, &draft.id, big, friday()).await,
            Err(AppError::Invalid(e)) if e.field == "values"
        ));
        assert!(d
            .save_draft(&fx.an, &draft.id, json!([1, 2]), friday())
            .await
            .is_err());
        // Nobody else reads or writes it.
        assert!(denied(d.draft(&fx.binh, &draft.id).await));
        assert!(denied(
            d.save_draft(&fx.binh, &draft.id, json!({}), friday()).await
        ));
        assert!(denied(d.discard_draft(&fx.binh, &draft.id).await));
        assert!(denied(
            d.upload(
                &fx.binh,
                UploadTarget::Draft(draft.id.clone()),
                upload("birth_certificate", "a.pdf", pdf("x")),
                friday()
            )
            .await
        ));
        assert!(d.drafts(&fx.binh).await.unwrap().is_empty());
        // Officials do not apply.
        assert!(denied(
            d.start_application(&fx.desk, PROCEDURE, None, friday())
                .await
        ));
        // Only a receiving agency of the service.
        assert!(matches!(
            d.start_application(&fx.an, PROCEDURE, Some(DANANG), friday()).await,
            Err(AppError::Invalid(e)) if e.field == "agency"
        ));
        d.discard_draft(&fx.an, &draft.id).await.unwrap();
        assert!(matches!(
            d.draft(&fx.an, &draft.id).await,
            Err(AppError::NotFound { .. })
        ));
    }
}

#[tokio::test]
async fn a_reused_idempotency_key_with_other_content_is_a_conflict() {
    for fx in fixtures().await {
        let label = fx.label.as_str();
        let d = &fx.dossiers;
        let draft = ready_draft(&fx, &fx.an, friday()).await;
        let (first, created) = d
            .submit(&fx.an, &draft.id, Some("key-a"), friday())
            .await
            .unwrap();
        assert!(created);
        // The same key with another application is refused.
        let other = ready_draft(&fx, &fx.an, friday()).await;
        let reused = d.submit(&fx.an, &other.id, Some("key-a"), friday()).await;
        assert!(
            matches!(reused, Err(AppError::Conflict(_))),
            "{label}: {reused:?}"
        );
        assert!(
            d.draft(&fx.an, &other.id).await.is_ok(),
            "{label}: the draft stays"
        );
        // Another applicant's keys are theirs: the same key is fresh for Bình.
        let binh = ready_draft(&fx, &fx.binh, friday()).await;
        let (theirs, created) = d
            .submit(&fx.binh, &binh.id, Some("key-a"), friday())
            .await
            .unwrap();
        assert!(created, "{label}");
        assert_ne!(theirs.code, first.code);
        // Without a key the same draft goes through; a retry without a key
        // is not recognised, the draft being gone.
        let (second, created) = d.submit(&fx.an, &other.id, None, friday()).await.unwrap();
        assert!(created);
        assert_ne!(second.code, first.code);
        assert!(matches!(
            d.submit(&fx.an, &other.id, None, friday()).await,
            Err(AppError::NotFound { .. })
        ));
        let mine = d.my_dossiers(&fx.an, PageRequest::default()).await.unwrap();
        assert_eq!(mine.total, 2, "{label}");
    }
}

#[tokio::test]
async fn concurrent_submissions_get_distinct_codes() {
    for fx in fixtures().await {
        let label = fx.label.clone();
        let mut drafts = Vec::new();
        for _ in 0..20 {
            drafts.push(ready_draft(&fx, &fx.an, friday()).await);
        }
        let mut tasks = tokio::task::JoinSet::new();
        for draft in drafts {
            let dossiers = Arc::clone(&fx.dossiers);
            let an = fx.an.clone();
            tasks.spawn(async move { dossiers.submit(&an, &draft.id, None, friday()).await });
        }
        let mut codes = BTreeSet::new();
        while let Some(done) = tasks.join_next().await {
            let (dossier, created) = done
                .unwrap()
                .unwrap_or_else(|e| panic!("{label}: a submission failed: {e}"));
            assert!(created);
            codes.insert(dossier.code.sequence());
        }
        assert_eq!(codes, (1..=20).collect::<BTreeSet<u32>>(), "{label}");
        assert_eq!(fx.dossiers.verify_audit().await.unwrap().entries, 20);
    }
}

#[tokio::test]
async fn an_illegal_transition_is_refused_and_changes_nothing() {
    for fx in fixtures().await {
        let label = fx.label.as_str();
        let d = &fx.dossiers;
        let dossier = submitted(&fx, friday()).await;
        let code = dossier.code.to_string();
        let head = fx.store.chain_head().await.unwrap();

        // A leader cannot approve a dossier nobody has received.
        let result = d
            .act(
                &fx.leader,
                &code,
                Command::Approve {
                    note: String::new(),
                },
                later(friday(), 5),
            )
            .await;
        assert!(
            matches!(result, Err(AppError::Transition(_))),
            "{label}: {result:?}"
        );
        // Nor return a result, nor can the applicant rate it yet.
        assert!(matches!(
            d.act(&fx.desk, &code, Command::ReturnResult, later(friday(), 5))
                .await,
            Err(AppError::Transition(_))
        ));
        assert!(matches!(
            d.act(
                &fx.an,
                &code,
                Command::Rate {
                    rating: 5,
                    comment: String::new()
                },
                later(friday(), 5)
            )
            .await,
            Err(AppError::Transition(_))
        ));
        let unchanged = fx.store.dossier(&dossier.code).await.unwrap().unwrap();
        assert_eq!(unchanged, dossier, "{label}");
        assert_eq!(fx.store.chain_head().await.unwrap(), head);

        // Accepting twice: the second is refused.
        act(
            &fx,
            &fx.desk,
            &dossier,
            Command::Accept,
            later(friday(), 10),
        )
        .await;
        let head = fx.store.chain_head().await.unwrap();
        assert!(matches!(
            d.act(&fx.desk, &code, Command::Accept, later(friday(), 11))
                .await,
            Err(AppError::Transition(_))
        ));
        let after = fx.store.dossier(&dossier.code).await.unwrap().unwrap();
        assert_eq!(after.version, 2, "{label}");
        assert_eq!(fx.store.chain_head().await.unwrap(), head);

        // Out of range ratings and over-long messages are refused too.
        assert!(matches!(
            d.act(
                &fx.an,
                &code,
                Command::Message {
                    text: "ư".repeat(2001)
                },
                later(friday(), 12)
            )
            .await,
            Err(AppError::Invalid(e)) if e.field == "text"
        ));
        // Malformed and unknown codes.
        assert!(matches!(
            d.act(&fx.desk, "not-a-code", Command::Accept, friday())
                .await,
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            d.act(
                &fx.desk,
                &format!("{JUSTICE}-261204-0099"),
                Command::Accept,
                friday()
            )
            .await,
            Err(AppError::NotFound { .. })
        ));
    }
}

#[tokio::test]
async fn only_the_applicant_and_the_agencies_concerned_read_or_act() {
    for fx in fixtures().await {
        let label = fx.label.as_str();
        let d = &fx.dossiers;
        let dossier = submitted(&fx, friday()).await;
        let code = dossier.code.to_string();
        let attachment = fx
            .store
            .attachments(&AttachmentOwner::Dossier(dossier.code.clone()))
            .await
            .unwrap()
            .remove(0);

        // Another citizen: nothing.
        assert!(
            denied(d.dossier(&fx.binh, &code, friday()).await),
            "{label}"
        );
        assert!(denied(
            d.act(
                &fx.binh,
                &code,
                Command::Withdraw {
                    reason: String::new()
                },
                friday()
            )
            .await
        ));
        assert!(denied(d.attachment_file(&fx.binh, &attachment.id).await));
        assert!(denied(
            d.slip(
                &fx.binh,
                &code,
                egov_app::ports::DocumentKind::ControlSlip,
                friday()
            )
            .await
        ));
        // Another province's officials: nothing.
        assert!(denied(d.dossier(&fx.danang_desk, &code, friday()).await));
        assert!(denied(
            d.act(&fx.danang_desk, &code, Command::Accept, friday())
                .await
        ));
        assert!(denied(
            d.attachment_file(&fx.danang_leader, &attachment.id).await
        ));
        // The applicant, the department and the province above it may read.
        for reader in [&fx.an, &fx.desk, &fx.specialist, &fx.province_leader] {
            d.dossier(reader, &code, friday())
                .await
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            let (_, bytes) = d.attachment_file(reader, &attachment.id).await.unwrap();
            assert!(bytes.starts_with(b"%PDF"));
        }
        // The officials' buttons follow their roles; the applicant's theirs.
        let view = d.dossier(&fx.specialist, &code, friday()).await.unwrap();
        assert_eq!(
            view.allowed,
            [egov_domain::dossier::Transition::Message],
            "{label}"
        );
        let view = d.dossier(&fx.desk, &code, friday()).await.unwrap();
        assert!(view
            .allowed
            .contains(&egov_domain::dossier::Transition::Accept));
        let view = d.dossier(&fx.an, &code, friday()).await.unwrap();
        assert!(!view
            .allowed
            .contains(&egov_domain::dossier::Transition::Accept));
        assert!(view
            .allowed
            .contains(&egov_domain::dossier::Transition::Withdraw));

        // The result document likewise.
        let d2 = act(&fx, &fx.desk, &dossier, Command::Accept, later(friday(), 5)).await;
        let receipt = fx.store.documents(&d2.code).await.unwrap().remove(0);
        assert!(d.document_file(&fx.an, &receipt.id).await.is_ok());
        assert!(denied(d.document_file(&fx.binh, &receipt.id).await));
        assert!(denied(d.document_file(&fx.danang_desk, &receipt.id).await));
        // Nobody without a role in the agency assigns.
        assert!(denied(d.specialists(&fx.an, &code).await));
        let specialists = d.specialists(&fx.desk, &code).await.unwrap();
        assert_eq!(specialists.len(), 1, "{label}");
        assert_eq!(specialists[0].0, fx.specialist_id);
        // A specialist of another agency cannot be assigned.
        let result = d
            .act(
                &fx.desk,
                &code,
                Command::Assign {
                    specialist: id_of(&fx.danang_desk),
                },
                later(friday(), 6),
            )
            .await;
        assert!(
            matches!(result, Err(AppError::Invalid(ref e)) if e.field == "specialist"),
            "{label}: {result:?}"
        );
        // Anonymous callers only see the public status, without personal data.
        assert!(d.dossier(&Actor::Anonymous, &code, friday()).await.is_err());
        let public = d.public_status(&code, friday()).await.unwrap();
        assert_eq!(public.status, DossierStatus::Received);
        assert!(matches!(
            d.public_status("000.01.00.H01-261204-0999", friday()).await,
            Err(AppError::NotFound { .. })
        ));
        assert!(matches!(
            d.public_status("<script>", friday()).await,
            Err(AppError::Invalid(_))
        ));
    }
}

#[tokio::test]
async fn the_deadline_counts_working_days_and_supplement_time() {
    for fx in fixtures().await {
        let label = fx.label.as_str();
        let d = &fx.dossiers;
        // Accepted on a Friday with a 1-working-day deadline: Monday 17:00.
        let dossier = in_review(&fx, friday()).await;
        assert_eq!(dossier.due_at, Some(t("2026-12-07T10:00:00Z")), "{label}");
        let view = d
            .dossier(&fx.desk, &dossier.code.to_string(), friday())
            .await
            .unwrap();
        assert_eq!(view.deadline, DeadlineStatus::OnTrack);
        let view = d
            .dossier(
                &fx.desk,
                &dossier.code.to_string(),
                t("2026-12-07T05:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(view.deadline, DeadlineStatus::DueSoon);

        // Two supplement requests of three hours each: the deadline moves
        // by six hours; the dossier finishes within it but counts as late.
        let mut dossier = dossier;
        for (ask, give) in [
            ("2026-12-07T01:00:00Z", "2026-12-07T04:00:00Z"),
            ("2026-12-07T05:00:00Z", "2026-12-07T08:00:00Z"),
        ] {
            dossier = act(
                &fx,
                &fx.specialist,
                &dossier,
                Command::RequestSupplement {
                    reason: "Bổ sung giấy tờ".into(),
                },
                t(ask),
            )
            .await;
            assert_eq!(dossier.deadline_at, None);
            dossier = act(
                &fx,
                &fx.an,
                &dossier,
                Command::Supplement {
                    note: String::new(),
                },
                t(give),
            )
            .await;
        }
        assert_eq!(dossier.paused_seconds, 6 * 3600, "{label}");
        assert_eq!(dossier.deadline_at, Some(t("2026-12-07T16:00:00Z")));
        assert_eq!(dossier.supplement_requests, 2);
        dossier = act(
            &fx,
            &fx.specialist,
            &dossier,
            Command::Propose {
                note: String::new(),
            },
            t("2026-12-07T09:00:00Z"),
        )
        .await;
        dossier = act(
            &fx,
            &fx.leader,
            &dossier,
            Command::Approve {
                note: String::new(),
            },
            t("2026-12-07T09:30:00Z"),
        )
        .await;
        let view = d
            .dossier(&fx.an, &dossier.code.to_string(), t("2026-12-08T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(view.deadline, DeadlineStatus::FinishedLate, "{label}");

        // An apology moves the appointment to a later working day only.
        let other = in_review(&fx, friday()).await;
        let code = other.code.to_string();
        let early = d
            .act(
                &fx.specialist,
                &code,
                Command::Apologise {
                    reason: "Cần xác minh thêm".into(),
                    new_due: date(2026, 12, 7),
                },
                later(friday(), 120),
            )
            .await;
        assert!(
            matches!(early, Err(AppError::Invalid(ref e)) if e.field == "new_due"),
            "{label}: {early:?}"
        );
        let sorry = act(
            &fx,
            &fx.specialist,
            &other,
            Command::Apologise {
                reason: "Cần xác minh thêm".into(),
                new_due: date(2026, 12, 9),
            },
            later(friday(), 120),
        )
        .await;
        assert_eq!(sorry.status, DossierStatus::Processing);
        assert_eq!(sorry.rescheduled_due_at, Some(t("2026-12-09T10:00:00Z")));
        let public = d.public_status(&code, later(friday(), 130)).await.unwrap();
        assert_eq!(public.due_at, Some(t("2026-12-09T10:00:00Z")));
        let kinds: Vec<_> = fx
            .store
            .documents(&other.code)
            .await
            .unwrap()
            .into_iter()
            .map(|doc| doc.kind)
            .collect();
        assert!(
            kinds.contains(&egov_app::ports::DocumentKind::Apology),
            "{label}"
        );
    }
}

#[tokio::test]
async fn declared_days_off_move_the_appointment() {
    for fx in fixtures().await {
        let label = fx.label.as_str();
        let d = &fx.dossiers;
        let monday_off =
            CalendarOverride::new(date(2026, 12, 7), OverrideKind::DayOff, "Nghỉ bù").unwrap();
        assert!(denied(d.declare_day(&fx.leader, monday_off.clone()).await));
        d.declare_day(&Actor::System, monday_off).await.unwrap();
        let year = d.calendar_year(2026).await.unwrap();
        assert_eq!(year.declared.len(), 1, "{label}");
        assert!(year.holidays.iter().any(|h| h.date == date(2026, 12, 7)));
        let dossier = in_review(&fx, friday()).await;
        assert_eq!(dossier.due_at, Some(t("2026-12-08T10:00:00Z")), "{label}");
        // Removed again: the next dossier is due on Monday.
        assert!(d
            .remove_declared_day(&Actor::System, date(2026, 12, 7))
            .await
            .unwrap());
        let dossier = in_review(&fx, friday()).await;
        assert_eq!(dossier.due_at, Some(t("2026-12-07T10:00:00Z")), "{label}");
    }
}

#[tokio::test]
async fn uploads_are_checked_by_size_type_form_and_scanner() {
    let config = DossierConfig {
        max_upload_bytes: 1024,
        ..DossierConfig::default()
    };
    for fx in fixtures_with(config, true).await {
        let label = fx.label.as_str();
        let d = &fx.dossiers;
        let draft = start(&fx, &fx.an, friday()).await;
        let (an, draft_id) = (&fx.an, &draft.id);
        // An upload of An's to the draft.
        let send = move |u| d.upload(an, UploadTarget::Draft(draft_id.clone()), u, friday());
        let too_big = send(upload("birth_certificate", "a.pdf", pdf(&"x".repeat(2000)))).await;
        assert!(
            matches!(
                too_big,
                Err(AppError::Attachment(AttachmentRejected::TooLarge { .. }))
            ),
            "{label}: {too_big:?}"
        );
        // A PNG named .pdf lies about its type; so does a program.
        let lying = send(upload("birth_certificate", "scan.pdf", png())).await;
        assert!(
            matches!(
                lying,
                Err(AppError::Attachment(
                    AttachmentRejected::TypeMismatch { .. }
                ))
            ),
            "{label}: {lying:?}"
        );
        let program = send(upload(
            "birth_certificate",
            "setup.pdf",
            b"MZ\x90\0".to_vec(),
        ))
        .await;
        assert!(matches!(program, Err(AppError::Attachment(_))));
        // Only the form's documents, in the types each accepts.
        let unknown = send(upload("child_name", "a.pdf", pdf("x"))).await;
        assert!(matches!(unknown, Err(AppError::Invalid(ref e)) if e.field == "document_key"));
        let png_extra = send(upload("extra", "a.png", png())).await;
        assert!(matches!(png_extra, Err(AppError::Invalid(ref e)) if e.field == "file"));
        // The scanner has the last word.
        let infected = send(upload("birth_certificate", "a.pdf", pdf("EICAR"))).await;
        assert!(matches!(infected, Err(AppError::Invalid(ref e)) if e.field == "file"));
        // One certificate at most; removing it makes room.
        let first = send(upload("birth_certificate", "../../cs.pdf", pdf("1")))
            .await
            .unwrap();
        assert_eq!(first.file_name, "cs.pdf");
        assert_eq!(first.media_type, egov_domain::attachment::MediaType::Pdf);
        assert!(send(upload("birth_certificate", "b.pdf", pdf("2")))
            .await
            .is_err());
        assert!(denied(d.remove_attachment(&fx.binh, &first.id).await));
        d.remove_attachment(&fx.an, &first.id).await.unwrap();
        send(upload("birth_certificate", "b.pdf", pdf("2")))
            .await
            .unwrap();
        let view = d.draft(&fx.an, &draft.id).await.unwrap();
        assert_eq!(view.attachments.len(), 1, "{label}");

        // A dossier takes files only while a supplement is asked for.
        d.save_draft(&fx.an, &draft.id, valid_values(), friday())
            .await
            .unwrap();
        let (dossier, _) = d.submit(&fx.an, &draft.id, None, friday()).await.unwrap();
        let early = d
            .upload(
                &fx.an,
                UploadTarget::Dossier(dossier.code.clone()),
                upload("extra", "c.pdf", pdf("3")),
                friday(),
            )
            .await;
        assert!(
            matches!(early, Err(AppError::Transition(_))),
            "{label}: {early:?}"
        );
        let files = fx
            .store
            .attachments(&AttachmentOwner::Dossier(dossier.code.clone()))
            .await
            .unwrap();
        assert!(denied(d.remove_attachment(&fx.an, &files[0].id).await));
    }
}

#[tokio::test]
async fn the_inbox_shows_what_awaits_the_officials_roles_in_their_agencies() {
    for fx in fixtures().await {
        let label = fx.label.as_str();
        let d = &fx.dossiers;
        let waiting = submitted(&fx, friday()).await;
        let reviewing = in_review(&fx, friday()).await;
        let codes = |page: egov_domain::Page<egov_app::dossiers::InboxItem>| {
            page.items
                .into_iter()
                .map(|i| i.dossier.code)
                .collect::<Vec<_>>()
        };
        let now = later(friday(), 120);
        // The desk: what awaits intake (and the reviewed one awaits the specialist).
        let desk = codes(d.inbox(&fx.desk, InboxQuery::default(), now).await.unwrap());
        assert_eq!(desk, vec![waiting.code.clone()], "{label}");
        let specialist = codes(
            d.inbox(&fx.specialist, InboxQuery::default(), now)
                .await
                .unwrap(),
        );
        assert_eq!(specialist, vec![reviewing.code.clone()]);
        let mine = InboxQuery {
            assigned_to_me: true,
            ..InboxQuery::default()
        };
        assert_eq!(
            codes(d.inbox(&fx.specialist, mine, now).await.unwrap()),
            vec![reviewing.code.clone()]
        );
        // All roles: both; another province: neither; the province above: the leader's view.
        let all = InboxQuery {
            all_roles: true,
            ..InboxQuery::default()
        };
        assert_eq!(d.inbox(&fx.desk, all.clone(), now).await.unwrap().total, 2);
        assert_eq!(
            d.inbox(&fx.danang_desk, all.clone(), now)
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            d.inbox(&fx.province_leader, all.clone(), now)
                .await
                .unwrap()
                .total,
            2
        );
        assert_eq!(
            d.inbox(&fx.province_leader, InboxQuery::default(), now)
                .await
                .unwrap()
                .total,
            0
        );
        // Overdue: the reviewed one after Monday 17:00.
        let overdue = InboxQuery {
            all_roles: true,
            overdue_only: true,
            ..InboxQuery::default()
        };
        assert_eq!(
            d.inbox(&fx.desk, overdue.clone(), now).await.unwrap().total,
            0
        );
        let late = d
            .inbox(&fx.desk, overdue, t("2026-12-08T02:00:00Z"))
            .await
            .unwrap();
        assert_eq!(codes(late.clone()), vec![reviewing.code.clone()], "{label}");
        assert_eq!(late.items[0].deadline, DeadlineStatus::Overdue);
        // Citizens have no inbox.
        assert_eq!(
            d.inbox(&fx.an, InboxQuery::default(), now)
                .await
                .unwrap()
                .total,
            0
        );
        // After a transfer the other agency sees it.
        let moved = act(
            &fx,
            &fx.specialist,
            &reviewing,
            Command::Transfer {
                agency: DANANG.into(),
                note: "Liên thông".into(),
            },
            now,
        )
        .await;
        assert_eq!(moved.handling_agency, DANANG);
        assert_eq!(moved.assignee, None);
        assert_eq!(
            d.inbox(&fx.danang_desk, all.clone(), now)
                .await
                .unwrap()
                .total,
            1,
            "{label}"
        );
        assert!(d
            .dossier(&fx.danang_leader, &moved.code.to_string(), now)
            .await
            .is_ok());
    }
}

#[tokio::test]
async fn of_two_officials_acting_at_once_one_wins() {
    for fx in fixtures().await {
        let label = fx.label.clone();
        let dossier = submitted(&fx, friday()).await;
        let code = dossier.code.to_string();
        let (a, b) = (Arc::clone(&fx.dossiers), Arc::clone(&fx.dossiers));
        let (desk_a, desk_b) = (fx.desk.clone(), fx.desk.clone());
        let (code_a, code_b) = (code.clone(), code.clone());
        let accept =
            tokio::spawn(async move { a.act(&desk_a, &code_a, Command::Accept, friday()).await });
        let refuse = tokio::spawn(async move {
            b.act(
                &desk_b,
                &code_b,
                Command::RefuseIntake {
                    reason: "Không đủ điều kiện".into(),
                },
                friday(),
            )
            .await
        });
        let results = [accept.await.unwrap(), refuse.await.unwrap()];
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "{label}: {results:?}");
        assert!(results.iter().all(|r| matches!(
            r,
            Ok(_) | Err(AppError::Conflict(_)) | Err(AppError::Transition(_))
        )));
        let stored = fx.store.dossier(&dossier.code).await.unwrap().unwrap();
        assert_eq!(stored.version, 2, "{label}");
        assert_eq!(fx.dossiers.verify_audit().await.unwrap().entries, 2);
    }
}

#[tokio::test]
async fn a_tampered_audit_chain_is_reported() {
    for fx in fixtures().await {
        let label = fx.label.as_str();
        let dossier = in_review(&fx, friday()).await;
        assert_eq!(fx.dossiers.verify_audit().await.unwrap().entries, 3);
        // Someone with database access rewrites what the desk did.
        egov_store::testing::execute(
            &fx.sql,
            "UPDATE dossier_events SET detail = '{}' WHERE seq = 2",
        )
        .await
        .unwrap();
        let broken = fx.dossiers.verify_audit().await;
        assert!(
            matches!(&broken, Err(AppError::Storage(m)) if m.contains("audit chain") && m.contains("entry 2")),
            "{label}: {broken:?}"
        );
        assert_eq!(dossier.version, 3);
    }
}
