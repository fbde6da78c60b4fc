//! Text normalisation shared by search, import and lookups.
//!
//! Vietnamese users often type without diacritics ("giay phep xay dung"), and
//! text arrives in either Unicode normal form. [`fold`] maps both spellings to
//! one key: lower case, no tone or vowel marks, `đ` → `d`.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower-cases `input` and strips Vietnamese (and other Latin) diacritics.
///
/// ```
/// assert_eq!(egov_domain::text::fold("Cấp Giấy phép Xây dựng"), "cap giay phep xay dung");
/// assert_eq!(egov_domain::text::fold("Đăng ký"), "dang ky");
/// ```
pub fn fold(input: &str) -> String {
    input
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'đ' | 'ð' => 'd',
            other => other,
        })
        .collect()
}

/// Normalises to NFC and collapses runs of white space; trims the ends.
pub fn clean(input: &str) -> String {
    let nfc: String = input.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A URL-friendly slug of `input` (`"Thành phố Hà Nội"` → `"thanh-pho-ha-noi"`).
pub fn slug(input: &str) -> String {
    let folded = fold(input);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_removes_every_vietnamese_mark() {
        let cases = [
            ("Cấp giấy phép xây dựng", "cap giay phep xay dung"),
            ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
            ("Thừa Thiên Huế", "thua thien hue"),
            ("ưởng ợ ỹ", "uong o y"),
            ("plain ascii 123", "plain ascii 123"),
        ];
        for (input, want) in cases {
            assert_eq!(fold(input), want, "fold({input})");
        }
    }

    #[test]
    fn fold_is_the_same_for_nfc_and_nfd_input() {
        let nfc: String = "Hộ kinh doanh".nfc().collect();
        let nfd: String = "Hộ kinh doanh".nfd().collect();
        assert_ne!(nfc, nfd);
        assert_eq!(fold(&nfc), fold(&nfd));
    }

    #[test]
    fn clean_collapses_space_and_composes() {
        let nfd: String = "  Sở   Tư\tpháp ".nfd().collect();
        assert_eq!(clean(&nfd), "Sở Tư pháp");
    }

    #[test]
    fn slug_joins_words_with_dashes() {
        assert_eq!(slug("Thành phố Hà Nội"), "thanh-pho-ha-noi");
        assert_eq!(slug("  Xã Phú—Đông! "), "xa-phu-dong");
    }
}
