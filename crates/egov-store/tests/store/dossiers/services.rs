//! Service definitions: a new version only when the content changes.

use egov_ports::DossierStore;
use egov_store::testing::test_stores;

use super::service;
use crate::fixtures::code;
use crate::identity::at;

#[tokio::test]
async fn a_service_gets_a_version_per_change_of_content() {
    for (label, store) in test_stores().await {
        let first = service("1.001193", "Giấy khai sinh");
        let second = service("1.001193", "Giấy khai sinh (bản chính)");
        let c = code("1.001193");
        assert_eq!(store.service(&c).await.expect(&label), None, "{label}");

        assert_eq!(
            store.put_service(&first, at(0)).await.expect(&label),
            (1, true)
        );
        // The same content again is no new version.
        assert_eq!(
            store.put_service(&first, at(1)).await.expect(&label),
            (1, false)
        );
        assert_eq!(
            store.put_service(&second, at(2)).await.expect(&label),
            (2, true)
        );
        // Back to the first content is a change too.
        assert_eq!(
            store.put_service(&first, at(3)).await.expect(&label),
            (3, true)
        );
        assert_eq!(
            store.put_service(&first, at(4)).await.expect(&label),
            (3, false)
        );

        assert_eq!(
            store.service(&c).await.expect(&label),
            Some((3, first.clone())),
            "{label}"
        );
        assert_eq!(
            store.service_version(&c, 2).await.expect(&label),
            Some(second),
            "{label}"
        );
        assert_eq!(
            store.service_version(&c, 1).await.expect(&label),
            Some(first.clone())
        );
        assert_eq!(store.service_version(&c, 4).await.expect(&label), None);
        assert_eq!(store.service(&code("9.999999")).await.expect(&label), None);
    }
}

#[tokio::test]
async fn services_lists_the_latest_version_of_each() {
    for (label, store) in test_stores().await {
        let b1 = service("2.000001", "Bản một");
        let b2 = service("2.000001", "Bản hai");
        let a1 = service("1.001193", "Giấy khai sinh");
        assert!(store.services().await.expect(&label).is_empty());
        store.put_service(&b1, at(0)).await.expect(&label);
        store.put_service(&a1, at(1)).await.expect(&label);
        store.put_service(&b2, at(2)).await.expect(&label);
        assert_eq!(
            store.services().await.expect(&label),
            [(1, a1), (2, b2)],
            "{label}"
        );
    }
}
