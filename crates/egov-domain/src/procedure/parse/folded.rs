//! Text held as NFC characters beside their folded form, one to one, so a
//! parser can match on folded text and cut the original at the same place.

use unicode_normalization::UnicodeNormalization;

pub(crate) struct Folded {
    /// The text in NFC, one entry per character.
    pub orig: Vec<char>,
    /// `orig` folded character by character (lower case, no marks, `đ` → `d`).
    pub folded: Vec<char>,
}

impl Folded {
    pub fn new(text: &str) -> Self {
        let orig: Vec<char> = text.nfc().collect();
        let folded = orig.iter().map(|c| fold_char(*c)).collect();
        Self { orig, folded }
    }

    pub fn len(&self) -> usize {
        self.orig.len()
    }

    /// Whether the folded text at `at` starts with `pattern` (already folded).
    pub fn starts_with_at(&self, at: usize, pattern: &str) -> bool {
        let mut i = at;
        for p in pattern.chars() {
            match self.folded.get(i) {
                Some(c) if *c == p => i += 1,
                _ => return false,
            }
        }
        true
    }

    /// First position at or after `from` where the folded text has `pattern`.
    pub fn find(&self, pattern: &str, from: usize) -> Option<usize> {
        (from..self.len()).find(|&i| self.starts_with_at(i, pattern))
    }

    /// The original text of `start..end`, as a string.
    pub fn slice(&self, start: usize, end: usize) -> String {
        let end = end.min(self.len());
        let start = start.min(end);
        self.orig[start..end].iter().collect()
    }

    /// Length of the run of ASCII digits starting at `at`.
    pub fn digits_at(&self, at: usize) -> usize {
        self.orig[at.min(self.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    }
}

/// One character as [`crate::text::fold`] folds it, without allocating.
fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut base = None;
    unicode_normalization::char::decompose_canonical(c, |d| {
        if base.is_none() && !unicode_normalization::char::is_combining_mark(d) {
            base = Some(d);
        }
    });
    let base = base.unwrap_or(c);
    match base.to_lowercase().next().unwrap_or(base) {
        'đ' | 'ð' => 'd',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_text_lines_up_with_the_original() {
        let t = Folded::new("Lệ phí: 100.000 Đồng");
        assert_eq!(t.orig.len(), t.folded.len());
        let at = t.find("dong", 0);
        assert_eq!(at, Some(16));
        assert_eq!(t.slice(16, 20), "Đồng");
        assert_eq!(t.digits_at(8), 3);
    }

    #[test]
    fn characters_fold_like_whole_text() {
        let text = "ĐĂNG KÝ Thừa Thiên Huế ưởng ợ ỹ ABC";
        let t = Folded::new(text);
        assert_eq!(t.folded.iter().collect::<String>(), crate::text::fold(text));
    }

    #[test]
    fn decomposed_input_is_composed_first() {
        let t = Folded::new("Thu\u{0323} ly\u{0301}");
        assert_eq!(t.slice(0, t.len()), "Thụ lý");
        assert!(t.starts_with_at(0, "thu ly"));
    }
}
