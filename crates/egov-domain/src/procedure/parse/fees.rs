//! Fees (phí, lệ phí) from published text, in integer VND.

use super::folded::Folded;
use crate::procedure::Fee;
use crate::text::{clean, fold};
use crate::Vnd;

/// Fees from text such as "Miễn phí", "50,000 Việt Nam Đồng", "Lệ phí: 100.000
/// đồng" or "Lệ phí 50.000 đồng; phí thẩm định 1,5 triệu đồng" (one [`Fee`]
/// per amount, labelled by the words before it). Free ("Miễn phí", "Không")
/// gives one zero fee labelled with the text. Amounts in other currencies,
/// decimals and anything unrecognisable give no fee: the caller keeps the text.
pub fn fees(text: &str) -> Vec<Fee> {
    let cleaned = clean(text);
    let key = fold(&cleaned);
    let key = key.trim_matches(|c: char| c.is_ascii_punctuation() || c == ' ');
    if key.is_empty() || key == "khong co thong tin" {
        return Vec::new();
    }
    let t = Folded::new(&cleaned);
    let amounts = scan(&t);
    if !amounts.is_empty() {
        return amounts.into_iter().flatten().collect();
    }
    if is_free(key) {
        return vec![Fee {
            label: cleaned,
            amount: Vnd::ZERO,
        }];
    }
    Vec::new()
}

fn is_free(key: &str) -> bool {
    matches!(key, "khong" | "khong co" | "khong thu")
        || [
            "mien phi",
            "mien le phi",
            "mien thu",
            "khong thu phi",
            "khong thu le phi",
            "khong mat phi",
        ]
        .iter()
        .any(|p| key.starts_with(p))
}

/// Every amount with a currency after it: `Some(fee)` for VND, `None` for
/// one that cannot be taken as VND (other currency, bad number).
fn scan(t: &Folded) -> Vec<Option<Fee>> {
    let mut out = Vec::new();
    let mut label_from = 0;
    let mut i = 0;
    while i < t.len() {
        let starts_number =
            t.orig[i].is_ascii_digit() && (i == 0 || !t.orig[i - 1].is_alphanumeric());
        if !starts_number {
            i += 1;
            continue;
        }
        let number_end = number_end(t, i);
        let Some((currency, end)) = currency_after(t, number_end) else {
            i = number_end;
            continue;
        };
        let number = t.slice(i, number_end);
        let fee = match currency {
            Currency::Vnd { million } => amount(&number, million).map(|a| Fee {
                label: label(&t.slice(label_from, i)),
                amount: Vnd(a),
            }),
            Currency::Foreign => None,
        };
        out.push(fee);
        label_from = end;
        i = end;
    }
    out
}

/// End of a number token: digits, with `.` or `,` between digits.
fn number_end(t: &Folded, start: usize) -> usize {
    let mut i = start;
    while i < t.len() {
        let c = t.orig[i];
        let separator_inside =
            matches!(c, '.' | ',') && t.orig.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() || separator_inside {
            i += 1;
        } else {
            break;
        }
    }
    i
}

enum Currency {
    Vnd { million: bool },
    Foreign,
}

fn currency_after(t: &Folded, from: usize) -> Option<(Currency, usize)> {
    let skip_spaces = |mut i: usize| {
        while t.orig.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        i
    };
    let mut i = skip_spaces(from);
    let mut million = false;
    if word_at(t, i, "trieu") {
        million = true;
        i = skip_spaces(i + "trieu".len());
    }
    for name in ["viet nam dong", "vnd", "dong", "d"] {
        if word_at(t, i, name) {
            return Some((Currency::Vnd { million }, i + name.chars().count()));
        }
    }
    if million {
        return Some((Currency::Vnd { million }, i));
    }
    for name in ["usd", "eur", "do la", "$"] {
        if t.starts_with_at(i, name) {
            return Some((Currency::Foreign, i + name.chars().count()));
        }
    }
    None
}

/// `word` at `at`, not followed by another letter.
fn word_at(t: &Folded, at: usize, word: &str) -> bool {
    let end = at + word.chars().count();
    t.starts_with_at(at, word) && !t.orig.get(end).is_some_and(|c| c.is_alphabetic())
}

/// Integer đồng from "50,000", "100.000", "120000" or, with `million`, "1,5".
fn amount(number: &str, million: bool) -> Option<i64> {
    let groups: Vec<&str> = number.split(['.', ',']).collect();
    let thousands = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3);
    let whole: i64 = if groups.len() == 1 || thousands {
        groups.concat().parse().ok()?
    } else if million && groups.len() == 2 && groups[1].len() <= 6 {
        let int: i64 = groups[0].parse().ok()?;
        let frac: i64 = groups[1].parse().ok()?;
        let scale = 10i64.pow(6 - groups[1].len() as u32);
        return int.checked_mul(1_000_000)?.checked_add(frac * scale);
    } else {
        return None;
    };
    if million {
        whole.checked_mul(1_000_000)
    } else {
        Some(whole)
    }
}

fn label(text: &str) -> String {
    let last_part = text.rsplit([';', '\n', '|']).next().unwrap_or(text);
    let trimmed = last_part.trim_matches(|c: char| c.is_whitespace() || ":;,.-–()".contains(c));
    let without_and = trimmed
        .strip_prefix("và ")
        .or_else(|| trimmed.strip_prefix("Và "))
        .unwrap_or(trimmed);
    clean(without_and)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fee(label: &str, amount: i64) -> Fee {
        Fee {
            label: label.into(),
            amount: Vnd(amount),
        }
    }

    #[test]
    fn fees_as_published_on_the_portal() {
        let cases: Vec<(&str, Vec<Fee>)> = vec![
            ("Miễn phí", vec![fee("Miễn phí", 0)]),
            ("Không", vec![fee("Không", 0)]),
            ("Không có thông tin", vec![]),
            ("", vec![]),
            ("50,000 Việt Nam Đồng", vec![fee("", 50_000)]),
            ("1,025,000 Việt Nam Đồng", vec![fee("", 1_025_000)]),
            ("100,000 VNĐ", vec![fee("", 100_000)]),
            ("120,000VNĐ", vec![fee("", 120_000)]),
            ("1 Việt Nam Đồng", vec![fee("", 1)]),
            ("Lệ phí: 100.000 đồng", vec![fee("Lệ phí", 100_000)]),
            ("(20.000 vnđ /tờ khai)", vec![fee("", 20_000)]),
            ("10 USD", vec![]),
            ("145 USD", vec![]),
            ("1.5 VNĐ", vec![]),
            ("Theo quy định tại Điều 3 Thông tư 172/2010/TT-BTC", vec![]),
        ];
        for (text, want) in cases {
            assert_eq!(fees(text), want, "{text}");
        }
    }

    #[test]
    fn several_amounts_in_one_text() {
        let got =
            fees("Lệ phí: 50.000 đồng/hồ sơ; Phí thẩm định: 1,5 triệu đồng và phí khác 200.000đ");
        assert_eq!(
            got,
            [
                fee("Lệ phí", 50_000),
                fee("Phí thẩm định", 1_500_000),
                fee("phí khác", 200_000)
            ]
        );
    }

    #[test]
    fn usd_beside_vnd_keeps_only_vnd() {
        assert_eq!(fees("10 USD hoặc 250.000 đồng"), [fee("hoặc", 250_000)]);
    }

    #[test]
    fn overflow_gives_no_fee() {
        assert_eq!(fees("99999999999999999999 đồng"), []);
        assert_eq!(fees("9,999,999,999,999 triệu đồng"), []);
    }
}
