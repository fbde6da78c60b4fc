//! The text analyzer: folds (lower case, no diacritics, `đ` → `d`) and then
//! splits into words, for indexing and for queries alike.
//!
//! Folding happens before splitting on purpose: in NFD text the tone marks are
//! separate combining characters, which a word splitter would treat as
//! punctuation and cut "xây" into "xa" + "y". Folding the whole text first
//! makes NFC and NFD input give the same words.

use egov_domain::text::fold;
use tantivy::tokenizer::{
    RemoveLongFilter, SimpleTokenStream, SimpleTokenizer, TextAnalyzer, TokenStream, Tokenizer,
};

/// Name under which the analyzer is registered in the index.
pub(crate) const ANALYZER: &str = "vi_folded";

/// Words longer than this (in bytes, after folding) are neither indexed nor searched.
pub(crate) const MAX_WORD_BYTES: usize = 64;

/// At most this many words of a query are used; the rest is ignored.
pub(crate) const MAX_QUERY_WORDS: usize = 12;

/// At most this many characters of query text are looked at.
pub(crate) const MAX_QUERY_CHARS: usize = 1_000;

/// Splits folded text on anything that is not a letter or digit.
///
/// Token offsets refer to the folded text, not the input (the index does not
/// highlight, so nothing reads them).
#[derive(Clone, Default)]
pub(crate) struct FoldingTokenizer {
    folded: String,
    inner: SimpleTokenizer,
}

impl Tokenizer for FoldingTokenizer {
    type TokenStream<'a> = SimpleTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SimpleTokenStream<'a> {
        self.folded = fold(text);
        self.inner.token_stream(&self.folded)
    }
}

/// The analyzer used for every searchable text field.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(FoldingTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES + 1))
        .build()
}

/// The words of a query as the index knows them: folded, at most
/// [`MAX_QUERY_WORDS`] of them, each at most [`MAX_WORD_BYTES`] long.
pub(crate) fn query_words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let text = truncate_chars(text, MAX_QUERY_CHARS);
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while words.len() < MAX_QUERY_WORDS && stream.advance() {
        words.push(stream.token().text.clone());
    }
    words
}

/// The first `max` characters of `text`.
pub(crate) fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        query_words(&mut analyzer(), text)
    }

    #[test]
    fn folds_and_splits() {
        assert_eq!(
            words("Cấp Giấy phép Xây dựng!"),
            ["cap", "giay", "phep", "xay", "dung"]
        );
        assert_eq!(words("ĐĂNG KÝ khai-sinh"), ["dang", "ky", "khai", "sinh"]);
        assert_eq!(words("1.001612"), ["1", "001612"]);
    }

    #[test]
    fn nfd_text_gives_the_same_words_as_nfc() {
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = "Giấy phép xây dựng".nfd().collect();
        let nfc: String = "Giấy phép xây dựng".nfc().collect();
        assert_ne!(nfd, nfc);
        assert_eq!(words(&nfd), words(&nfc));
        assert_eq!(words(&nfd), ["giay", "phep", "xay", "dung"]);
    }

    #[test]
    fn caps_words_and_drops_overlong_ones() {
        let many = "a ".repeat(100);
        assert_eq!(words(&many).len(), MAX_QUERY_WORDS);
        let long = format!("{} ok", "x".repeat(MAX_WORD_BYTES + 1));
        assert_eq!(words(&long), ["ok"]);
        assert_eq!(words(&"y".repeat(MAX_WORD_BYTES)).len(), 1);
        assert!(words(" \t\n ").is_empty());
        assert!(words("!!! ... ---").is_empty());
    }

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate_chars("ấấấ", 2), "ấấ");
        assert_eq!(truncate_chars("ab", 5), "ab");
    }
}
