//! Amounts in Vietnamese words (số tiền bằng chữ), as printed on receipts:
//! `150000` → "Một trăm năm mươi nghìn đồng".
//!
//! Rules (the Northern, official style):
//! - groups of three digits: nghìn (10³), triệu (10⁶), tỷ (10⁹); above a
//!   tỷ the count of tỷ is itself read (`10¹²` = "một nghìn tỷ");
//! - a group that follows a higher one is read in full: "không trăm" for a
//!   zero hundreds digit and "linh" for a zero tens digit
//!   (`1005` = "một nghìn không trăm linh năm"); groups that are all zeros
//!   are skipped (`1000500` = "một triệu năm trăm");
//! - 10–19 are "mười …"; 20 and up "… mươi …";
//! - after "mươi" (tens ≥ 2) 1 is "mốt" and 4 is "tư"; after "mười" or
//!   "mươi" (tens ≥ 1) 5 is "lăm"; after "linh" they keep their names.

use crate::Vnd;

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

const BILLION: u64 = 1_000_000_000;

/// The amount in Vietnamese words, first letter capitalised, ending in
/// "đồng": `Vnd(1_250_000)` → "Một triệu hai trăm năm mươi nghìn đồng".
/// Zero is "Không đồng"; a negative amount starts with "Âm".
pub fn vnd_in_words(amount: Vnd) -> String {
    let n = amount.0.unsigned_abs();
    let mut words = Vec::new();
    if amount.0 < 0 {
        words.push("âm");
    }
    if n == 0 {
        words.push("không");
    } else {
        number(n, true, &mut words);
    }
    words.push("đồng");
    capitalise(&words.join(" "))
}

/// Pushes the words of `n` (> 0). `leading`: nothing is read before it, so
/// its first group is read short ("năm" rather than "không trăm linh năm").
fn number(n: u64, leading: bool, out: &mut Vec<&'static str>) {
    let (high, low) = (n / BILLION, n % BILLION);
    let mut leading = leading;
    if high > 0 {
        number(high, leading, out);
        out.push("tỷ");
        leading = false;
    }
    let groups = [
        (low / 1_000_000, Some("triệu")),
        (low / 1_000 % 1_000, Some("nghìn")),
        (low % 1_000, None),
    ];
    for (group, name) in groups {
        if group == 0 {
            continue;
        }
        // `group < 1000`, so the casts below are exact.
        three_digits(group as usize, !leading, out);
        out.extend(name);
        leading = false;
    }
}

/// Pushes the words of `0 < n < 1000`; `full` reads a zero hundreds digit.
fn three_digits(n: usize, full: bool, out: &mut Vec<&'static str>) {
    let (hundreds, tens, units) = (n / 100, n / 10 % 10, n % 10);
    if hundreds > 0 || full {
        out.push(DIGITS[hundreds]);
        out.push("trăm");
    }
    let after_hundreds = hundreds > 0 || full;
    match tens {
        0 if units == 0 => {}
        0 => {
            if after_hundreds {
                out.push("linh");
            }
            out.push(DIGITS[units]);
        }
        1 => {
            out.push("mười");
            match units {
                0 => {}
                5 => out.push("lăm"),
                u => out.push(DIGITS[u]),
            }
        }
        t => {
            out.push(DIGITS[t]);
            out.push("mươi");
            match units {
                0 => {}
                1 => out.push("mốt"),
                4 => out.push("tư"),
                5 => out.push("lăm"),
                u => out.push(DIGITS[u]),
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors() {
        for (n, expected) in [
            (0, "Không đồng"),
            (1, "Một đồng"),
            (4, "Bốn đồng"),
            (5, "Năm đồng"),
            (10, "Mười đồng"),
            (11, "Mười một đồng"),
            (14, "Mười bốn đồng"),
            (15, "Mười lăm đồng"),
            (20, "Hai mươi đồng"),
            (21, "Hai mươi mốt đồng"),
            (24, "Hai mươi tư đồng"),
            (25, "Hai mươi lăm đồng"),
            (55, "Năm mươi lăm đồng"),
            (91, "Chín mươi mốt đồng"),
            (100, "Một trăm đồng"),
            (101, "Một trăm linh một đồng"),
            (104, "Một trăm linh bốn đồng"),
            (105, "Một trăm linh năm đồng"),
            (110, "Một trăm mười đồng"),
            (115, "Một trăm mười lăm đồng"),
            (121, "Một trăm hai mươi mốt đồng"),
            (999, "Chín trăm chín mươi chín đồng"),
            (1_000, "Một nghìn đồng"),
            (1_005, "Một nghìn không trăm linh năm đồng"),
            (1_015, "Một nghìn không trăm mười lăm đồng"),
            (1_100, "Một nghìn một trăm đồng"),
            (10_000, "Mười nghìn đồng"),
            (15_000, "Mười lăm nghìn đồng"),
            (21_000, "Hai mươi mốt nghìn đồng"),
            (150_000, "Một trăm năm mươi nghìn đồng"),
            (1_000_000, "Một triệu đồng"),
            (1_000_500, "Một triệu năm trăm đồng"),
            (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
            (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
            (
                25_345_678,
                "Hai mươi lăm triệu ba trăm bốn mươi lăm nghìn sáu trăm bảy mươi tám đồng",
            ),
            (2_000_000_000, "Hai tỷ đồng"),
            (1_000_000_001, "Một tỷ không trăm linh một đồng"),
            (1_000_050_000, "Một tỷ không trăm năm mươi nghìn đồng"),
            (1_000_000_000_000, "Một nghìn tỷ đồng"),
            (1_001_000_000_000, "Một nghìn không trăm linh một tỷ đồng"),
            (5_000_000_000_000_000, "Năm triệu tỷ đồng"),
            (-1_000, "Âm một nghìn đồng"),
        ] {
            assert_eq!(vnd_in_words(Vnd(n)), expected, "{n}");
        }
    }

    #[test]
    fn the_extremes_do_not_panic() {
        assert_eq!(
            vnd_in_words(Vnd(i64::MAX)),
            "Chín tỷ hai trăm hai mươi ba triệu ba trăm bảy mươi hai nghìn không trăm ba mươi sáu tỷ \
             tám trăm năm mươi tư triệu bảy trăm bảy mươi lăm nghìn tám trăm linh bảy đồng"
        );
        assert!(vnd_in_words(Vnd(i64::MIN)).starts_with("Âm chín tỷ"));
    }
}
