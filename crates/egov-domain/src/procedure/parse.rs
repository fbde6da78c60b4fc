//! Parsers for the text agencies publish about a procedure.
//!
//! The national portal publishes most of a procedure as free text: levels
//! ("Cấp bộ, Cấp tỉnh"), times ("5 Ngày làm việc"), fees ("50,000 Việt Nam
//! Đồng"), and flattened tables of documents and legal instruments. These pure
//! functions pull structure out of that text where it is recognisable; callers
//! always keep the text itself beside the result.

mod documents;
mod fees;
mod folded;
mod legal;

pub use documents::required_documents;
pub use fees::fees;
pub use legal::legal_basis;

use unicode_normalization::UnicodeNormalization;

use super::{Channel, ProcessingTime, Tier, TimeUnit};
use crate::text::{clean, fold};
use crate::InvalidField;
use folded::Folded;

/// Whether a published value means "nothing published" ("", "Không có thông tin").
pub fn is_no_information(text: &str) -> bool {
    let text = text.trim();
    if text.len() > 64 {
        return false;
    }
    let key = fold(&clean(text));
    key.is_empty() || key == "khong co thong tin"
}

/// Text as published, composed to NFC and trimmed; line breaks are kept.
pub fn verbatim(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    nfc.trim().to_owned()
}

/// Tiers from the level text (cấp thực hiện), e.g. "Cấp bộ, Cấp tỉnh, Cấp xã".
/// Sorted, without duplicates; an unknown part is an error naming it.
pub fn tiers(text: &str) -> Result<Vec<Tier>, InvalidField> {
    let mut out = Vec::new();
    for part in text.split([',', ';', '\n']) {
        let key = fold(&clean(part));
        let tier = match key.as_str() {
            "" => continue,
            "cap bo" | "cap trung uong" | "trung uong" => Tier::Central,
            "cap tinh" => Tier::Province,
            "cap huyen" => Tier::District,
            "cap xa" => Tier::Commune,
            "co quan khac" => Tier::Other,
            _ => return Err(unknown_tier(part)),
        };
        out.push(tier);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn unknown_tier(part: &str) -> InvalidField {
    const KNOWN: &str = "Cấp bộ, Cấp tỉnh, Cấp huyện, Cấp xã, Cơ quan khác";
    InvalidField::new(
        "tiers",
        format!("`{}` is not a level ({KNOWN})", part.trim()),
    )
}

/// The channel a published name stands for (Trực tiếp, Trực tuyến, Dịch vụ bưu chính).
pub fn channel(text: &str) -> Option<Channel> {
    let key = fold(&clean(text));
    if key.contains("truc tiep") {
        Some(Channel::InPerson)
    } else if key.contains("truc tuyen") {
        Some(Channel::Online)
    } else if key.contains("buu chinh") {
        Some(Channel::Post)
    } else {
        None
    }
}

/// A processing time from text such as "5 Ngày làm việc", "15 Ngày", "24 Giờ",
/// "3 Tháng". A bare number, a decimal ("1.5 Ngày làm việc") or anything else
/// gives `None`: the caller keeps the text.
pub fn processing_time(text: &str) -> Option<ProcessingTime> {
    let key = fold(&clean(text));
    let digits = key.bytes().take_while(u8::is_ascii_digit).count();
    let amount: u32 = key.get(..digits)?.parse().ok()?;
    let rest = key.get(digits..)?;
    if !rest.starts_with(' ') {
        return None;
    }
    let rest = rest.trim_start();
    let unit = if rest.starts_with("ngay lam viec") {
        TimeUnit::WorkingDays
    } else if rest.starts_with("ngay") {
        TimeUnit::CalendarDays
    } else if rest.starts_with("gio") {
        TimeUnit::Hours
    } else if rest.starts_with("thang") {
        TimeUnit::Months
    } else {
        return None;
    };
    Some(ProcessingTime { amount, unit })
}

/// The time a procedure advertises: the shortest in working days, or else
/// the first one given.
pub fn shortest_time(times: impl IntoIterator<Item = ProcessingTime>) -> Option<ProcessingTime> {
    let mut first = None;
    let mut shortest: Option<ProcessingTime> = None;
    for t in times {
        first.get_or_insert(t);
        if t.unit == TimeUnit::WorkingDays && shortest.is_none_or(|s| t.amount < s.amount) {
            shortest = Some(t);
        }
    }
    shortest.or(first)
}

/// Agency names from a published list (cơ quan thực hiện). Lines and
/// semicolons always separate; a comma separates only when the next part
/// starts with a capital ("Cục Thuế, Thuế cơ sở"), so a name such as
/// "Cục cảnh sát quản lý hành chính về trật tự, xã hội" stays whole.
pub fn agencies(text: &str) -> Vec<String> {
    if is_no_information(text) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for line in text.split(['\n', ';']) {
        let mut current = String::new();
        for part in line.split(',') {
            let starts_upper = part
                .trim_start()
                .chars()
                .next()
                .is_some_and(char::is_uppercase);
            if starts_upper && !current.trim().is_empty() {
                push_unique(&mut out, clean(&current));
                current.clear();
            }
            if !current.is_empty() {
                current.push(',');
            }
            current.push_str(part);
        }
        push_unique(&mut out, clean(&current));
    }
    out
}

fn push_unique(out: &mut Vec<String>, item: String) {
    let item = item.trim_matches([',', ' ']).to_owned();
    if !item.is_empty() && !out.contains(&item) {
        out.push(item);
    }
}

/// Steps (trình tự thực hiện) split on their "Bước N:" / "Bước N." markers.
/// Markers must count up (by one, or two where the source skipped a step; a
/// new run may restart at 1), so a passing mention such as "như Bước 4:" does
/// not split. Without markers: empty.
pub fn steps(text: &str) -> Vec<String> {
    let t = Folded::new(text);
    let mut marks: Vec<(usize, usize)> = Vec::new();
    let mut last = 0u32;
    let mut i = 0;
    while let Some(at) = t.find("buoc", i) {
        i = at + 4;
        if let Some((number, end)) = step_marker(&t, at) {
            if number == 1 || (number > last && number <= last + 2) {
                marks.push((at, end));
                last = number;
                i = end;
            }
        }
    }
    marks
        .iter()
        .enumerate()
        .map(|(k, &(_, body))| {
            let end = marks.get(k + 1).map_or(t.len(), |m| m.0);
            verbatim(&t.slice(body, end))
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// "Bước 12:" at `at` → (12, index after the colon).
fn step_marker(t: &Folded, at: usize) -> Option<(u32, usize)> {
    let word_start = at == 0 || !t.orig[at - 1].is_alphanumeric();
    if !word_start || t.orig[at] != 'B' {
        return None;
    }
    let mut i = at + 4;
    while t.orig.get(i) == Some(&' ') {
        i += 1;
    }
    let n = t.digits_at(i);
    if n == 0 || n > 3 {
        return None;
    }
    let number: u32 = t.slice(i, i + n).parse().ok()?;
    i += n;
    while t.orig.get(i) == Some(&' ') {
        i += 1;
    }
    matches!(t.orig.get(i), Some(':' | '.')).then_some((number, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_from_published_levels() {
        let cases: [(&str, &[Tier]); 5] = [
            ("Cấp bộ", &[Tier::Central]),
            ("Cấp tỉnh, Cấp xã", &[Tier::Province, Tier::Commune]),
            (
                "Cấp bộ, Cấp tỉnh, Cấp xã, Cơ quan khác",
                &[Tier::Central, Tier::Province, Tier::Commune, Tier::Other],
            ),
            (
                "Cấp xã, Cấp huyện, Cấp xã",
                &[Tier::District, Tier::Commune],
            ),
            ("", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(tiers(text).as_deref(), Ok(want), "{text}");
        }
        let err = tiers("Cấp bộ, Cấp thôn").map_err(|e| e.reason);
        assert!(err.is_err_and(|r| r.contains("Cấp thôn")));
    }

    #[test]
    fn channels_by_name() {
        assert_eq!(channel("Trực tiếp"), Some(Channel::InPerson));
        assert_eq!(channel("Trực tuyến"), Some(Channel::Online));
        assert_eq!(channel("Dịch vụ bưu chính"), Some(Channel::Post));
        assert_eq!(channel("Fax"), None);
    }

    #[test]
    fn processing_times_as_published() {
        let t = |amount, unit| Some(ProcessingTime { amount, unit });
        let cases = [
            ("5 Ngày làm việc", t(5, TimeUnit::WorkingDays)),
            ("60 Ngày làm việc", t(60, TimeUnit::WorkingDays)),
            ("15 Ngày", t(15, TimeUnit::CalendarDays)),
            ("24 Giờ", t(24, TimeUnit::Hours)),
            ("3 Tháng", t(3, TimeUnit::Months)),
            ("1", None),
            ("1.5 Ngày làm việc", None),
            ("Không có thông tin", None),
            ("Không phải trả kết quả cho người nộp thuế", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(processing_time(text), want, "{text}");
        }
    }

    #[test]
    fn shortest_prefers_working_days() {
        let t = |amount, unit| ProcessingTime { amount, unit };
        let got = shortest_time([
            t(2, TimeUnit::Hours),
            t(7, TimeUnit::WorkingDays),
            t(5, TimeUnit::WorkingDays),
        ]);
        assert_eq!(got, Some(t(5, TimeUnit::WorkingDays)));
        assert_eq!(
            shortest_time([t(30, TimeUnit::CalendarDays), t(1, TimeUnit::Hours)]),
            Some(t(30, TimeUnit::CalendarDays))
        );
        assert_eq!(shortest_time([]), None);
    }

    #[test]
    fn agencies_split_sensibly() {
        let cases: [(&str, &[&str]); 5] = [
            (
                "Cục cảnh sát quản lý hành chính về trật tự, xã hội",
                &["Cục cảnh sát quản lý hành chính về trật tự, xã hội"],
            ),
            (
                "Cục Thuế - Bộ tài chính, Thuế tỉnh, thành phố, Thuế cơ sở",
                &[
                    "Cục Thuế - Bộ tài chính",
                    "Thuế tỉnh, thành phố",
                    "Thuế cơ sở",
                ],
            ),
            (
                "Bộ Tư pháp\nỦy ban nhân dân cấp tỉnh",
                &["Bộ Tư pháp", "Ủy ban nhân dân cấp tỉnh"],
            ),
            ("Sở Tư pháp; Sở Tư pháp", &["Sở Tư pháp"]),
            ("Không có thông tin", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(agencies(text), want, "{text}");
        }
    }

    #[test]
    fn steps_split_on_markers() {
        let text = "Bước 1: Thu\u{0323} ly\u{0301} hồ sơ\n\nNộp đơn.\nBước 2. Kiểm tra theo bước 3, rồi\nBước 3: Trả kết quả";
        assert_eq!(
            steps(text),
            [
                "Thụ lý hồ sơ\n\nNộp đơn.",
                "Kiểm tra theo bước 3, rồi",
                "Trả kết quả"
            ]
        );
        assert!(steps("a) Nộp hồ sơ TTHC: Tổ chức nộp hồ sơ").is_empty());
        // Out-of-order numbers are references, not markers.
        assert_eq!(
            steps("Bước 1: làm A như Bước 4: nói\nBước 2: làm B"),
            ["làm A như Bước 4: nói", "làm B"]
        );
        // A step missing in the source does not hide the next one.
        assert_eq!(steps("Bước 1: A\nBước 3: C"), ["A", "C"]);
    }

    #[test]
    fn no_information_is_recognised() {
        assert!(is_no_information(" Không có thông tin "));
        assert!(is_no_information(""));
        assert!(!is_no_information("Sở Tư pháp"));
    }
}
