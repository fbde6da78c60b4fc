//! Fixtures shared by the search tests.

#![allow(dead_code, clippy::unwrap_used)]

use egov_domain::{OnlineMode, Procedure, ProcedureCode, Tier};
use egov_search::{SearchIndex, SearchQuery, SearchResults};

pub fn procedure(code: &str, name: &str, field: &str) -> Procedure {
    Procedure::minimal(
        ProcedureCode::parse(code).unwrap(),
        name.into(),
        field.into(),
    )
}

pub fn with(
    mut p: Procedure,
    tiers: &[Tier],
    mode: OnlineMode,
    agencies: &[&str],
    agency_codes: &[&str],
) -> Procedure {
    p.tiers = tiers.to_vec();
    p.online_mode = mode;
    p.implementing_agencies = agencies.iter().map(|a| a.to_string()).collect();
    p.agency_codes = agency_codes.iter().map(|a| a.to_string()).collect();
    p
}

/// A small catalogue covering every filter.
pub fn catalogue() -> Vec<Procedure> {
    let commune = "Ủy ban nhân dân cấp xã";
    let mut building = with(
        procedure(
            "1.009994",
            "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt",
            "Hoạt động xây dựng",
        ),
        &[Tier::Province],
        OnlineMode::Partial,
        &["Sở Xây dựng"],
        &["SXD"],
    );
    building.competent_agency = Some("Ủy ban nhân dân cấp tỉnh".into());
    let mut hanoi_only = with(
        procedure(
            "1.H01.001",
            "Hỗ trợ học nghề cho lao động nông thôn",
            "Việc làm",
        ),
        &[Tier::Commune],
        OnlineMode::NotOnline,
        &[commune],
        &[],
    );
    hanoi_only.admin_unit_codes = vec!["01".into()];
    let mut hcm_only = with(
        procedure(
            "1.H79.001",
            "Hỗ trợ học nghề cho người khuyết tật",
            "Việc làm",
        ),
        &[Tier::Commune],
        OnlineMode::NotOnline,
        &[commune],
        &[],
    );
    hcm_only.admin_unit_codes = vec!["79".into()];
    vec![
        with(
            procedure("1.001612", "Đăng ký khai sinh", "Hộ tịch"),
            &[Tier::Commune],
            OnlineMode::Full,
            &[commune],
            &["UBND-XA"],
        ),
        with(
            procedure("2.000986", "Đăng ký kết hôn", "Hộ tịch"),
            &[Tier::Commune],
            OnlineMode::Full,
            &[commune],
            &["UBND-XA"],
        ),
        building,
        with(
            procedure("1.000889", "Cấp đổi thẻ căn cước", "Cấp, quản lý căn cước"),
            &[Tier::Central, Tier::Province],
            OnlineMode::Partial,
            &["Cục Cảnh sát quản lý hành chính về trật tự xã hội"],
            &["C06"],
        ),
        with(
            procedure("3.000001", "Đăng ký nuôi con nuôi trong nước", "Hộ tịch"),
            &[Tier::Commune],
            OnlineMode::Partial,
            &[commune],
            &[],
        ),
        with(
            procedure("3.000002", "Cấp giấy xác nhận", "Nuôi con nuôi"),
            &[Tier::Province],
            OnlineMode::NotOnline,
            &["Sở Tư pháp"],
            &["STP"],
        ),
        with(
            procedure("4.000001", "Chi trả trợ cấp bảo hiểm", "Bảo hiểm xã hội"),
            &[Tier::Other],
            OnlineMode::Full,
            &["Bảo hiểm xã hội tỉnh"],
            &[],
        ),
        procedure("5.000001", "Thủ tục chưa rõ cấp thực hiện", "Khác"),
        hanoi_only,
        hcm_only,
    ]
}

pub fn index_of(procedures: &[Procedure]) -> SearchIndex {
    let index = SearchIndex::new().unwrap();
    index.replace_all(procedures).unwrap();
    index
}

pub fn text(text: &str) -> SearchQuery {
    SearchQuery {
        text: Some(text.into()),
        limit: 20,
        ..SearchQuery::default()
    }
}

pub fn codes(results: &SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.code.as_str()).collect()
}

pub fn first(index: &SearchIndex, query: &str) -> Option<String> {
    index
        .search(&text(query))
        .unwrap()
        .hits
        .first()
        .map(|h| h.code.clone())
}
