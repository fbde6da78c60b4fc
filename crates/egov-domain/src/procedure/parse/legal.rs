//! Legal basis (căn cứ pháp lý) from the portal's flattened table.
//!
//! The table "Tên văn bản pháp lý | Mã văn bản" arrives with its cells run
//! together: "Luật Khiếu nại năm 201102/2011/QH13Quy định quy trình…11/2015/TT-BCA".
//! A row ends where an instrument number (`02/2011/QH13`, `601/QĐ-BTC`) is
//! glued to the next row's text or ends the text.

use super::folded::Folded;
use crate::text::{clean, fold};

const HEADER: &str = "ten van ban phap lyma van ban";

/// One entry per instrument, "name (number)", where the rows can be told
/// apart; otherwise the whole text as one entry. Empty for "Không có thông tin".
pub fn legal_basis(text: &str) -> Vec<String> {
    if super::is_no_information(text) {
        return Vec::new();
    }
    let t = Folded::new(text);
    let body_start = t.find(HEADER, 0).map_or(0, |h| h + HEADER.chars().count());
    let mut entries: Vec<(String, Option<String>)> = Vec::new();
    let mut row_start = body_start;
    let mut i = body_start;
    let mut last_end = None;
    while i < t.len() {
        let Some((number_start, end)) = instrument_at(&t, i, last_end == Some(i)) else {
            i += 1;
            continue;
        };
        let row_ends = t
            .orig
            .get(end)
            .is_none_or(|c| !c.is_whitespace() && !",;:)".contains(*c));
        if row_ends {
            let code = t.slice(number_start, end);
            let spaced = number_start > 0 && t.orig[number_start - 1].is_whitespace();
            push_row(
                &mut entries,
                &t.slice(row_start, number_start),
                code,
                spaced,
            );
            row_start = end;
        }
        i = end;
        last_end = Some(end);
    }
    let rest = clean(&t.slice(row_start, t.len()));
    if rest.chars().any(char::is_alphabetic) && !super::is_no_information(&rest) {
        entries.push((rest, None));
    }
    entries.into_iter().map(|(entry, _)| entry).collect()
}

/// Adds the row `before` + `code`; `spaced`: a space separates them in the
/// text, so the number is part of the name ("Luật 54/2014/QH13").
fn push_row(entries: &mut Vec<(String, Option<String>)>, before: &str, code: String, spaced: bool) {
    let before = clean(before);
    // A number column repeating the row's own number ("Nghị định 05/2012/NĐ-CP" +
    // "05/2012/NĐ-CP", "73/2025/TT-NHNN" + "Số 73/2025/TT-NHNN") is the same row.
    let repeats = entries
        .last()
        .is_some_and(|(_, last)| last.as_deref() == Some(code.as_str()));
    if repeats && before.split_whitespace().count() <= 3 {
        return;
    }
    let entry = match split_number_column(&before) {
        Some((name, prefix)) => join(name, format!("{prefix} {code}"), &code),
        None if spaced => format!("{before} {code}"),
        None => join(before, code.clone(), &code),
    };
    entries.push((entry, Some(code)));
}

fn join(name: String, number_column: String, code: &str) -> String {
    if name.is_empty() {
        number_column
    } else if fold(&name).contains(&fold(code)) {
        name
    } else {
        format!("{name} ({number_column})")
    }
}

/// "Luật Các tổ chức tín dụngLuật số" → ("Luật Các tổ chức tín dụng", "Luật số"):
/// a short start of the number column glued to the name (a lower-case letter,
/// then a capital) belongs with the number.
fn split_number_column(before: &str) -> Option<(String, String)> {
    let chars: Vec<char> = before.chars().collect();
    let k = (1..chars.len()).rev().find(|&k| {
        chars[k].is_uppercase() && (chars[k - 1].is_lowercase() || chars[k - 1] == ')')
    })?;
    let prefix: String = chars[k..].iter().collect();
    if prefix.split_whitespace().count() > 3 {
        return None;
    }
    let name: String = chars[..k].iter().collect();
    Some((name.trim().to_owned(), prefix.trim().to_owned()))
}

/// An instrument number whose digits start at `at`: NUMBER[/YEAR]/SUFFIX.
/// Returns where the number really starts (a year glued in front,
/// "năm 201102/2011/QH13", is left out) and where the suffix ends.
/// `after_number`: `at` is where the previous number ended ("QH1354/…").
fn instrument_at(t: &Folded, at: usize, after_number: bool) -> Option<(usize, usize)> {
    let run_start = at == 0 || after_number || !t.orig[at - 1].is_ascii_digit();
    let run = t.digits_at(at);
    if !run_start || run == 0 || t.orig.get(at + run) != Some(&'/') {
        return None;
    }
    let mut number_start = at;
    // "66.7/2025/NQ-CP": digits and a dot before the run belong to the number.
    while number_start >= 2
        && t.orig[number_start - 1] == '.'
        && t.orig[number_start - 2].is_ascii_digit()
    {
        number_start -= 1;
        while number_start > 0 && t.orig[number_start - 1].is_ascii_digit() {
            number_start -= 1;
        }
    }
    if run >= 5 {
        let year_first = matches!(t.slice(at, at + 2).as_str(), "19" | "20");
        if !(year_first && run - 4 <= 3) {
            return None;
        }
        number_start = at + 4;
    }
    let mut i = at + run + 1;
    if t.digits_at(i) == 4 && t.orig.get(i + 4) == Some(&'/') {
        i += 5;
    }
    let end = suffix_end(t, i)?;
    Some((number_start, end))
}

/// Issuer and type abbreviations of instrument numbers, to cut a suffix glued
/// to the next row's first word ("NĐ-CPLUẬT", "TT-BTCThông").
const ABBREVIATIONS: [&str; 44] = [
    "CP", "TTg", "QH", "BTC", "BCA", "BTP", "BXD", "NHNN", "BNNMT", "BGTVT", "BTNMT", "BNNPTNT",
    "BKHĐT", "BKH", "BLĐTBXH", "BYT", "BCT", "BQP", "BNV", "BNG", "BGDĐT", "BVHTTDL", "BTTTT",
    "BKHCN", "UBTVQH", "VPCP", "TANDTC", "VKSNDTC", "KTNN", "TT", "NĐ", "QĐ", "NQ", "TTLT", "CT",
    "HĐTP", "UBCKNN", "TCT", "TCHQ", "BHXH", "HQ", "UBND", "HĐND", "BTTTT",
];

/// End of a suffix such as `QĐ-TTg`, `NĐ-CP`, `TTLT-BCA-BYT-BTC`, `QH13`, `BCA-C06`.
fn suffix_end(t: &Folded, start: usize) -> Option<usize> {
    let capital = |i: usize| {
        t.orig
            .get(i)
            .is_some_and(|c| c.is_ascii_uppercase() || *c == 'Đ')
    };
    let letter = |i: usize| t.orig.get(i).is_some_and(|c| c.is_alphabetic());
    let mut i = start;
    let mut end = None;
    loop {
        let segment = i;
        while capital(i) {
            i += 1;
        }
        if t.slice(segment, i + 1) == "TTg" {
            i += 1;
        } else if i > segment && letter(i) {
            i = segment + glued_cut(t, segment, i);
        }
        if i == segment {
            return end;
        }
        let letters = t.slice(segment, i);
        let digits = t.digits_at(i);
        if digits > 0 && t.orig.get(i + digits) == Some(&'/') {
            // Digits followed by a slash start the next number; only the
            // legislature number of `QH` stays ("QH1354/2014/QH13").
            if letters == "QH" && digits > 2 {
                i += 2;
            }
        } else {
            i += digits;
        }
        end = Some(i);
        let mut next = i + 1;
        if t.orig.get(next) == Some(&' ') {
            next += 1;
        }
        if !matches!(t.orig.get(i), Some('-' | '_')) || !capital(next) {
            return end;
        }
        i = next;
    }
}

/// How many capitals of the run `start..end` (glued to a letter at `end`)
/// belong to the number: the longest known abbreviation it starts with, else
/// all but the last capital when that one starts a word ("BCALuật").
fn glued_cut(t: &Folded, start: usize, end: usize) -> usize {
    let run = t.slice(start, end);
    let known = ABBREVIATIONS
        .iter()
        .filter(|a| run.starts_with(*a))
        .map(|a| a.chars().count())
        .max();
    if let Some(n) = known {
        return n;
    }
    let next = t.folded.get(end).copied().unwrap_or(' ');
    let last = t.folded.get(end - 1).copied().unwrap_or(' ');
    let word_start = "aeiouy".contains(next)
        || matches!(
            (last, next),
            ('t' | 'n' | 'c' | 'p' | 'k', 'h') | ('n', 'g') | ('t', 'r') | ('g', 'i')
        );
    if word_start {
        end - start - 1
    } else {
        end - start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_rows_are_split() {
        let text = "Tên văn bản pháp lýMã văn bảnHướng dẫn xử lý khiếu nại trong công an nhân dân68/2013/TT-BCALuật Khiếu nại  năm 201102/2011/QH13Nghị định 05/2012/NĐ-CP05/2012/NĐ-CP";
        assert_eq!(
            legal_basis(text),
            [
                "Hướng dẫn xử lý khiếu nại trong công an nhân dân (68/2013/TT-BCA)",
                "Luật Khiếu nại năm 2011 (02/2011/QH13)",
                "Nghị định 05/2012/NĐ-CP",
            ]
        );
    }

    #[test]
    fn number_columns_with_words_and_numbers_without_year() {
        let text = "Tên văn bản pháp lýMã văn bản73/2025/TT-NHNNSố 73/2025/TT-NHNNLuật Các tổ chức tín dụngLuật số 32/2024/QH15Quyết định 601/QĐ-BTC601/QĐ-BTCLuật 54/2014/QH1354/2014/QH13về cấp và quản lý bảo lãnh Chính phủNghị định số 92/2018/NĐ-CP";
        assert_eq!(
            legal_basis(text),
            [
                "73/2025/TT-NHNN",
                "Luật Các tổ chức tín dụng (Luật số 32/2024/QH15)",
                "Quyết định 601/QĐ-BTC",
                "Luật 54/2014/QH13",
                "về cấp và quản lý bảo lãnh Chính phủ (Nghị định số 92/2018/NĐ-CP)",
            ]
        );
    }

    #[test]
    fn numbers_inside_a_name_do_not_split_it() {
        let text = "Tên văn bản pháp lýMã văn bảnNghị định số 64/2020/NĐ-CP ngày 10/6/2020 của Chính phủ về cơ chế tạm quản.64/2020/NĐ-CPQuy định về thủ tục hải quan theo Quyết định 15/2023/QĐ-TTg15/2023/QĐ-TTg";
        assert_eq!(
            legal_basis(text),
            [
                "Nghị định số 64/2020/NĐ-CP ngày 10/6/2020 của Chính phủ về cơ chế tạm quản.",
                "Quy định về thủ tục hải quan theo Quyết định 15/2023/QĐ-TTg",
            ]
        );
    }

    #[test]
    fn suffixes_glued_to_capitals_and_odd_spellings() {
        let text = "Tên văn bản pháp lýMã văn bảnNghị định 64/2022/NĐ-CP64/2022/NĐ-CPLUẬT  HÀNG KHÔNG DÂN DỤNG VIỆT NAM66/2006/QH11Thông tư số 31/2025/TT-BCA ngày 21/4/202531/2025/TT_BCAQuyết định 01/2012/QĐ- TTg01/2012/QĐ- TTgNghị quyết: dựa trên dữ liệu66.7/2025/NQ-CPphân cấp trong lĩnh vực xây dựng144/2025/NĐ-CPquy định mức thu25/2022/TT-BTCNghị định số 46/2020/NĐ-CP46/2020";
        assert_eq!(
            legal_basis(text),
            [
                "Nghị định 64/2022/NĐ-CP",
                "LUẬT HÀNG KHÔNG DÂN DỤNG VIỆT NAM (66/2006/QH11)",
                "Thông tư số 31/2025/TT-BCA ngày 21/4/2025 (31/2025/TT_BCA)",
                "Quyết định 01/2012/QĐ- TTg",
                "Nghị quyết: dựa trên dữ liệu (66.7/2025/NQ-CP)",
                "phân cấp trong lĩnh vực xây dựng (144/2025/NĐ-CP)",
                "quy định mức thu (25/2022/TT-BTC)",
                "Nghị định số 46/2020/NĐ-CP",
            ]
        );
    }

    #[test]
    fn joint_circulars_and_free_text() {
        let text = "Tên văn bản pháp lýMã văn bảnHướng dẫn bảo hiểm y tế09/2015/TTLT-BCA-BYT-BTC";
        assert_eq!(
            legal_basis(text),
            ["Hướng dẫn bảo hiểm y tế (09/2015/TTLT-BCA-BYT-BTC)"]
        );
        assert_eq!(legal_basis("Luật Đất đai"), ["Luật Đất đai"]);
        assert!(legal_basis("Không có thông tin").is_empty());
    }
}
