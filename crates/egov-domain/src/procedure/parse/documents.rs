//! Required documents (thành phần hồ sơ) from the portal's flattened table.
//!
//! The portal publishes the table as text with the cells run together:
//! `--Tên giấy tờMẫu đơn, tờ khaiSố lượng` (the header), then per row the
//! document name, an optional form file name and the count glued on
//! ("…theo Mẫu số 08;Mus08.docx1 bản chính", "…0 bản chính,1 bản sao").

use super::folded::Folded;
use crate::procedure::RequiredDocument;
use crate::text::clean;

const HEADER: &str = "ten giay tomau don, to khaiso luong";
const FORM_EXTENSIONS: [&str; 7] = [".docx", ".doc", ".pdf", ".xlsx", ".xls", ".rar", ".zip"];

/// Documents with their counts of originals (bản chính) and copies (bản sao),
/// where the text has the portal's count cells. Counts written inside a
/// sentence ("nộp 01 bản chính và …") are part of the name, not a row end.
pub fn required_documents(text: &str) -> Vec<RequiredDocument> {
    let t = Folded::new(text);
    let mut out = Vec::new();
    let mut group_start = 0;
    loop {
        let header = t.find(HEADER, group_start);
        let group_end = header.unwrap_or(t.len());
        read_group(&t, group_start, group_end, &mut out);
        match header {
            Some(h) => group_start = h + HEADER.chars().count(),
            None => return out,
        }
    }
}

fn read_group(t: &Folded, start: usize, end: usize, out: &mut Vec<RequiredDocument>) {
    let mut name_from = start;
    let mut i = start;
    while i < end {
        let Some(count) = count_at(t, i, end) else {
            i += 1;
            continue;
        };
        let name = document_name(&t.slice(name_from, count.digits_start));
        if name.is_empty() {
            i = count.end;
            continue;
        }
        out.push(RequiredDocument {
            name,
            originals: count.originals,
            copies: count.copies,
        });
        name_from = count.end;
        i = count.end;
    }
}

struct Count {
    digits_start: usize,
    originals: u32,
    copies: u32,
    end: usize,
}

/// A count cell ("1 bản chính", "0 bản chính,1 bản sao", "1 bản sao") in
/// the run of digits starting at `at`. A run of one or two digits must be
/// glued to the text before it; in a longer run only the last digit is the
/// count ("…ngày 01/01/20261 bản chính", "Mẫu số 181 bản chính").
fn count_at(t: &Folded, at: usize, end: usize) -> Option<Count> {
    let run_start = at == 0 || !t.orig[at - 1].is_ascii_digit();
    let run = t.digits_at(at);
    if !run_start || run == 0 {
        return None;
    }
    let digits_start = if run <= 2 {
        let glued = at > 0 && {
            let before = t.orig[at - 1];
            !before.is_whitespace() && before != '(' && before != ':'
        };
        if !glued {
            return None;
        }
        at
    } else {
        at + run - 1
    };
    let (n, after) = number_then(t, digits_start, at + run - digits_start)?;
    if word_at(t, after, " ban chinh", end) {
        let mut count = Count {
            digits_start,
            originals: n,
            copies: 0,
            end: after + 10,
        };
        if t.orig.get(count.end) == Some(&',') {
            let copies_at = count.end + 1;
            let run = t.digits_at(copies_at);
            if run > 0 && run <= 2 {
                if let Some((copies, after)) = number_then(t, copies_at, run) {
                    if word_at(t, after, " ban sao", end) {
                        count.copies = copies;
                        count.end = after + 8;
                    }
                }
            }
        }
        return Some(count);
    }
    word_at(t, after, " ban sao", end).then_some(Count {
        digits_start,
        originals: 0,
        copies: n,
        end: after + 8,
    })
}

fn number_then(t: &Folded, at: usize, run: usize) -> Option<(u32, usize)> {
    let n = t.slice(at, at + run).parse().ok()?;
    Some((n, at + run))
}

fn word_at(t: &Folded, at: usize, word: &str, end: usize) -> bool {
    at + word.len() <= end && t.starts_with_at(at, word)
}

fn document_name(raw: &str) -> String {
    let mut name = clean(raw);
    let lower = name.to_lowercase();
    if let Some(ext) = FORM_EXTENSIONS.iter().find(|e| lower.ends_with(*e)) {
        let stem_end = name.len() - ext.len();
        if let Some(cut) = name[..stem_end].rfind([';', '.']) {
            if stem_end - cut <= 80 {
                name.truncate(cut);
            }
        }
    }
    let bullets = |c: char| c.is_whitespace() || "-+*•–\u{f0fc}\u{f0d8}\u{f0b7}".contains(c);
    name.trim_start_matches(bullets)
        .trim_end_matches(|c: char| c.is_whitespace() || c == ';')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, originals: u32, copies: u32) -> RequiredDocument {
        RequiredDocument {
            name: name.into(),
            originals,
            copies,
        }
    }

    #[test]
    fn portal_table_rows() {
        let text = "--Tên giấy tờMẫu đơn, tờ khaiSố lượngTài liệu, chứng cứ do các bên cung cấp1 bản chínhQuyết định giải quyết khiếu nại1 bản chínhBiên bản tổ chức đối thoại (nếu có)1 bản chính";
        assert_eq!(
            required_documents(text),
            [
                doc("Tài liệu, chứng cứ do các bên cung cấp", 1, 0),
                doc("Quyết định giải quyết khiếu nại", 1, 0),
                doc("Biên bản tổ chức đối thoại (nếu có)", 1, 0),
            ]
        );
    }

    #[test]
    fn copies_form_files_and_groups() {
        let text = "Ngoài hồ sơ nêu trên phải nộp thêmTên giấy tờMẫu đơn, tờ khaiSố lượngGiấy phép lao động0 bản chính,1 bản saoĐơn đề nghị theo Mẫu số 08;Mus08.docx1 bản chính--Tên giấy tờMẫu đơn, tờ khaiSố lượng- Danh sách người tham gia.PL III NĐ 66.doc2 bản chính";
        assert_eq!(
            required_documents(text),
            [
                doc("Giấy phép lao động", 0, 1),
                doc("Đơn đề nghị theo Mẫu số 08", 1, 0),
                doc("Danh sách người tham gia", 2, 0),
            ]
        );
    }

    #[test]
    fn counts_inside_sentences_stay_in_the_name() {
        let text = "Tên giấy tờMẫu đơn, tờ khaiSố lượngHoá đơn thương mại: 01 bản chính, và 01 bản sao (nếu có)1 bản chínhBản kê chi tiết hoặc 01 bản sao giấy khai sinh0 bản chính,1 bản sao";
        assert_eq!(
            required_documents(text),
            [
                doc(
                    "Hoá đơn thương mại: 01 bản chính, và 01 bản sao (nếu có)",
                    1,
                    0
                ),
                doc("Bản kê chi tiết hoặc 01 bản sao giấy khai sinh", 0, 1),
            ]
        );
    }

    #[test]
    fn count_glued_to_a_date_takes_the_last_digit() {
        let text = "Tên giấy tờMẫu đơn, tờ khaiSố lượngThông tư ngày 01/01/20261 bản chính,1 bản saoẢnh theo Mẫu số 181 bản chính";
        assert_eq!(
            required_documents(text),
            [
                doc("Thông tư ngày 01/01/2026", 1, 1),
                doc("Ảnh theo Mẫu số 18", 1, 0)
            ]
        );
    }

    #[test]
    fn text_without_counts_gives_nothing() {
        assert!(required_documents("Không có thông tin").is_empty());
        assert!(required_documents("").is_empty());
        assert!(required_documents("1 bản chính").is_empty());
    }
}
