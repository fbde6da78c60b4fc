//! Text search: diacritics, typos, prefixes, codes, ranking, odd input.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::{catalogue, codes, first, index_of, procedure, text};
use egov_domain::{OnlineMode, Tier};
use egov_search::SearchIndex;
use unicode_normalization::UnicodeNormalization;

#[test]
fn the_index_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<SearchIndex>();
}

#[test]
fn unaccented_words_find_accented_names() {
    let index = index_of(&catalogue());
    assert_eq!(
        first(&index, "giay phep xay dung").as_deref(),
        Some("1.009994")
    );
    assert_eq!(first(&index, "khai sinh").as_deref(), Some("1.001612"));
    assert_eq!(first(&index, "KHAI SINH").as_deref(), Some("1.001612"));
    assert_eq!(
        first(&index, "Đăng ký kết hôn").as_deref(),
        Some("2.000986")
    );
}

#[test]
fn hits_carry_the_list_fields() {
    let index = index_of(&catalogue());
    let found = index.search(&text("khai sinh")).unwrap();
    let hit = &found.hits[0];
    assert_eq!(hit.code, "1.001612");
    assert_eq!(hit.name, "Đăng ký khai sinh");
    assert_eq!(hit.field, "Hộ tịch");
    assert_eq!(hit.tiers, [Tier::Commune]);
    assert_eq!(hit.online_mode, OnlineMode::Full);
    assert_eq!(hit.implementing_agencies, ["Ủy ban nhân dân cấp xã"]);
    assert!(hit.score > 0.0);
}

#[test]
fn nfd_queries_and_nfd_names_are_found() {
    let mut procedures = catalogue();
    let nfd_name: String = "Cấp giấy chứng nhận quyền sử dụng đất".nfd().collect();
    procedures.push(procedure("6.000001", &nfd_name, "Đất đai"));
    let index = index_of(&procedures);
    let nfd_query: String = "Giấy phép xây dựng".nfd().collect();
    assert_eq!(first(&index, &nfd_query).as_deref(), Some("1.009994"));
    assert_eq!(
        first(&index, "quyen su dung dat").as_deref(),
        Some("6.000001")
    );
    let nfc_query: String = "quyền sử dụng đất".nfc().collect();
    assert_eq!(first(&index, &nfc_query).as_deref(), Some("6.000001"));
}

#[test]
fn a_typo_still_finds_the_procedure() {
    let index = index_of(&catalogue());
    // swapped letters, a wrong letter, a missing letter
    assert_eq!(
        first(&index, "giay phep xay dugn").as_deref(),
        Some("1.009994")
    );
    assert_eq!(
        first(&index, "giay phwp xay dung").as_deref(),
        Some("1.009994")
    );
    assert_eq!(
        first(&index, "dang ky khai sinnh").as_deref(),
        Some("1.001612")
    );
    assert_eq!(first(&index, "khei").as_deref(), Some("1.001612"));
}

#[test]
fn short_words_need_to_be_exact() {
    let index = index_of(&catalogue());
    // "ket" has 3 letters: "kot" is not taken as a typo of it.
    assert_eq!(index.search(&text("kot")).unwrap().total, 0);
}

#[test]
fn exact_words_rank_above_typos() {
    let index = index_of(&[
        procedure("7.000001", "Cấp phép khai thach", "Khoáng sản"),
        procedure("7.000002", "Cấp phép khai thác", "Khoáng sản"),
    ]);
    let found = index.search(&text("khai thac")).unwrap();
    assert_eq!(codes(&found), ["7.000002", "7.000001"]);
}

#[test]
fn the_last_word_matches_as_a_prefix() {
    let index = index_of(&catalogue());
    assert_eq!(first(&index, "khai s").as_deref(), Some("1.001612"));
    assert_eq!(first(&index, "xay dun").as_deref(), Some("1.009994"));
    assert_eq!(first(&index, "can cu").as_deref(), Some("1.000889"));
    let found = index.search(&text("kha")).unwrap();
    assert!(codes(&found).contains(&"1.001612"), "{found:?}");
}

#[test]
fn a_prefix_right_after_the_previous_word_ranks_first() {
    let index = index_of(&[
        procedure("8.000011", "Khai bổ sung hồ sơ khai thuế", "Thuế"),
        procedure("8.000012", "Đăng ký khai sinh", "Hộ tịch"),
    ]);
    let found = index.search(&text("khai s")).unwrap();
    assert_eq!(codes(&found), ["8.000012", "8.000011"]);
}

#[test]
fn a_code_finds_its_procedure_first() {
    let mut procedures = catalogue();
    procedures.push(procedure(
        "1.001613",
        "Đăng ký khai sinh lưu động",
        "Hộ tịch",
    ));
    // Its name quotes the code: a strong word and phrase match, but not the code.
    procedures.push(procedure("1.001700", "Sửa đổi thủ tục 1.001612", "Hộ tịch"));
    let index = index_of(&procedures);
    let found = index.search(&text("1.001612")).unwrap();
    assert_eq!(codes(&found), ["1.001612", "1.001700"]);
    assert_eq!(first(&index, " 1.H79.001 ").as_deref(), Some("1.H79.001"));
    assert_eq!(first(&index, "1.h79.001").as_deref(), Some("1.H79.001"));
    assert_eq!(first(&index, "ma so 2.000986").as_deref(), Some("2.000986"));
}

#[test]
fn a_name_match_ranks_above_a_field_only_match() {
    let index = index_of(&catalogue());
    let found = index.search(&text("nuoi con nuoi")).unwrap();
    // 3.000001 has the words in its name; 3.000002 only in its field.
    assert_eq!(codes(&found), ["3.000001", "3.000002"]);
    // One word: "nuoi" also matches "nguoi" (one typo away), ranked last.
    let found = index.search(&text("nuoi")).unwrap();
    assert_eq!(codes(&found), ["3.000001", "3.000002", "1.H79.001"]);
}

#[test]
fn every_word_is_required_when_some_procedure_has_them_all() {
    let index = index_of(&catalogue());
    let found = index.search(&text("dang ky khai sinh")).unwrap();
    assert_eq!(codes(&found), ["1.001612"]);
}

#[test]
fn without_a_full_match_more_words_rank_higher() {
    let index = index_of(&catalogue());
    let found = index.search(&text("dang ky khai sinh zzzzqq")).unwrap();
    let found = codes(&found);
    assert_eq!(found.first(), Some(&"1.001612"), "{found:?}");
    // Procedures with only "dang ky" come after, and are there.
    assert!(found.contains(&"2.000986"), "{found:?}");
    assert!(found.contains(&"3.000001"), "{found:?}");
}

#[test]
fn without_a_full_match_two_weak_words_beat_one_strong_word() {
    let index = index_of(&[
        procedure("8.000021", "Miễn thuế thuế", "Thuế"),
        procedure(
            "8.000022",
            "Hướng dẫn chung về việc khai hồ sơ và báo cáo cho các đơn vị trong tỉnh",
            "Khác",
        ),
    ]);
    let found = index.search(&text("thue khai bao zzzzqq")).unwrap();
    assert_eq!(codes(&found), ["8.000022", "8.000021"]);
}

#[test]
fn adjacent_words_rank_above_scattered_ones() {
    let index = index_of(&[
        procedure("8.000001", "Giấy xác nhận phép thử", "Khác"),
        procedure("8.000002", "Giấy phép xác nhận thử", "Khác"),
    ]);
    let found = index.search(&text("giay phep")).unwrap();
    assert_eq!(codes(&found), ["8.000002", "8.000001"]);
}

#[test]
fn nothing_matches_nothing() {
    let index = index_of(&catalogue());
    let found = index.search(&text("qwertyuiop")).unwrap();
    assert_eq!(found.total, 0);
    assert!(found.hits.is_empty());
}

#[test]
fn odd_input_never_fails() {
    let index = index_of(&catalogue());
    let long = "giay phep ".repeat(50_000);
    let huge_word = "x".repeat(100_000);
    let queries = [
        "",
        "   \t\n",
        "name:\"foo\" AND (bar OR",
        "*",
        "khai~2 sinh^10",
        "+-!(){}[]^\"~*?:\\/",
        "\u{0}\u{1}\u{202e}",
        "🙂 khai sinh 🙂",
        "漢字 テスト",
        "a b c d e f g h i j k l m n o p q r s t u v w x y z",
        long.as_str(),
        huge_word.as_str(),
    ];
    for q in queries {
        let found = index.search(&text(q));
        assert!(found.is_ok(), "{q:.40}: {found:?}");
    }
    // Blank text lists everything.
    assert_eq!(index.search(&text("  ")).unwrap().total, catalogue().len());
    // Extra words beyond the cap are ignored, the first ones still count.
    assert_eq!(first(&index, &long).as_deref(), Some("1.009994"));
}
