//! The calendar's declared days and the signing keys.

use egov_domain::calendar::{CalendarOverride, OverrideKind};
use egov_ports::{DossierStore, StoredCertificate};
use egov_store::testing::test_stores;
use jiff::civil::date;
use tokio::task::JoinSet;

use crate::identity::at;

fn certificate(name: &str, created: i64) -> StoredCertificate {
    StoredCertificate {
        private_key_pem: format!(
            "-----BEGIN PRIVATE KEY-----\n{name}\n-----END PRIVATE KEY-----\n"
        ),
        certificate_pem: format!(
            "-----BEGIN CERTIFICATE-----\n{name}\n-----END CERTIFICATE-----\n"
        ),
        created_at: at(created),
    }
}

#[tokio::test]
async fn declared_days_are_kept_one_per_date() {
    for (label, store) in test_stores().await {
        assert!(store.calendar_overrides().await.expect(&label).is_empty());
        let bridge = CalendarOverride {
            date: date(2026, 1, 2),
            kind: OverrideKind::DayOff,
            reason: "Nghỉ bù cho thứ Bảy 10/01/2026".into(),
        };
        let make_up = CalendarOverride {
            date: date(2026, 1, 10),
            kind: OverrideKind::WorkingDay,
            reason: "Làm bù cho thứ Sáu 02/01/2026".into(),
        };
        store.put_calendar_override(&make_up).await.expect(&label);
        store.put_calendar_override(&bridge).await.expect(&label);
        assert_eq!(
            store.calendar_overrides().await.expect(&label),
            [bridge.clone(), make_up.clone()],
            "{label}"
        );

        // A new declaration for a date replaces the old one.
        let changed = CalendarOverride {
            kind: OverrideKind::DayOff,
            reason: "Nghỉ thêm".into(),
            ..make_up.clone()
        };
        store.put_calendar_override(&changed).await.expect(&label);
        assert_eq!(
            store.calendar_overrides().await.expect(&label),
            [bridge.clone(), changed],
            "{label}"
        );

        assert!(store
            .delete_calendar_override(date(2026, 1, 10))
            .await
            .expect(&label));
        assert!(!store
            .delete_calendar_override(date(2026, 1, 10))
            .await
            .expect(&label));
        assert_eq!(
            store.calendar_overrides().await.expect(&label),
            [bridge],
            "{label}"
        );
    }
}

#[tokio::test]
async fn the_first_certificate_authority_stays() {
    for (label, store) in test_stores().await {
        assert_eq!(store.certificate_authority().await.expect(&label), None);
        let first = certificate("ca-1", 0);
        assert_eq!(
            store
                .init_certificate_authority(&first)
                .await
                .expect(&label),
            first,
            "{label}"
        );
        assert_eq!(
            store
                .init_certificate_authority(&certificate("ca-2", 1))
                .await
                .expect(&label),
            first,
            "{label}"
        );
        assert_eq!(
            store.certificate_authority().await.expect(&label),
            Some(first)
        );
    }
}

#[tokio::test]
async fn each_agency_keeps_its_first_signer() {
    for (label, store) in test_stores().await {
        let hanoi = "000.00.00.H26";
        assert_eq!(store.agency_certificate(hanoi).await.expect(&label), None);
        let first = certificate("hanoi-1", 0);
        assert_eq!(
            store
                .init_agency_certificate(hanoi, &first)
                .await
                .expect(&label),
            first
        );
        assert_eq!(
            store
                .init_agency_certificate(hanoi, &certificate("hanoi-2", 1))
                .await
                .expect(&label),
            first,
            "{label}"
        );
        let other = certificate("ministry", 2);
        assert_eq!(
            store
                .init_agency_certificate("000.00.00.G06", &other)
                .await
                .expect(&label),
            other
        );
        assert_eq!(
            store.agency_certificate(hanoi).await.expect(&label),
            Some(first),
            "{label}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_initialisations_agree_on_one_authority() {
    for (label, store) in test_stores().await {
        let mut racers = JoinSet::new();
        for n in 0..10 {
            let store = store.clone();
            racers.spawn(async move {
                store
                    .init_certificate_authority(&certificate(&format!("ca-{n}"), n))
                    .await
            });
        }
        let mut seen = Vec::new();
        while let Some(outcome) = racers.join_next().await {
            seen.push(outcome.expect("task").expect(&label));
        }
        let stored = store
            .certificate_authority()
            .await
            .expect(&label)
            .expect("stored");
        assert_eq!(seen.len(), 10);
        assert!(seen.iter().all(|ca| *ca == stored), "{label}");
    }
}
