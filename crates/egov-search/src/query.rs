//! Turning a [`SearchQuery`] into tantivy queries.
//!
//! User text never reaches tantivy's query language: it is cut into folded
//! words by the same analyzer as the index, and the query is built from those
//! words programmatically.
//!
//! Each word matches, in any of the searched fields, exactly, or with one typo
//! (words of 4+ letters; a swap of two letters counts as one typo), and the
//! last word also as a prefix (search as you type). Scores, per word, are the
//! best of:
//!
//! | match                          | score                      |
//! |--------------------------------|----------------------------|
//! | exact word in the name         | BM25 × [`NAME_WEIGHT`]     |
//! | exact word in the field        | [`FIELD_SCORE`]            |
//! | exact word in the code         | [`CODE_WORD_SCORE`]        |
//! | exact word in an agency        | [`AGENCY_SCORE`]           |
//! | prefix (last word)             | [`PREFIX_SCORE`]           |
//! | one typo                       | [`FUZZY_SCORE`]            |
//!
//! plus a bonus for adjacent word pairs found as a phrase in the name (the
//! last word as a prefix there too), and a large one when a query word is a
//! procedure's exact code.

use egov_domain::{Tier, UnitLevel};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur,
    PhrasePrefixQuery, PhraseQuery, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

use crate::analyzer::{query_words, truncate_chars, MAX_QUERY_CHARS, MAX_QUERY_WORDS};
use crate::schema::{key, Fields, SCOPE_ANY, SCOPE_TIER, SCOPE_UNIT};
use crate::{SearchQuery, UnitScope};

pub(crate) const NAME_WEIGHT: f32 = 3.0;
pub(crate) const FIELD_SCORE: f32 = 1.0;
pub(crate) const CODE_WORD_SCORE: f32 = 1.0;
pub(crate) const AGENCY_SCORE: f32 = 0.7;
pub(crate) const PREFIX_SCORE: f32 = 0.6;
pub(crate) const FUZZY_SCORE: f32 = 0.5;
/// Bonus for two adjacent query words found side by side in the name. A
/// constant (tantivy scores a phrase prefix of one word + prefix as 1), set
/// to outweigh a repeated word in a short name (BM25 term frequency).
const PHRASE_SCORE: f32 = 5.0;
/// Score of an exact code match: above anything words can reach.
const CODE_SCORE: f32 = 1_000.0;
/// In the any-word fallback, what each matched word adds, so that more words
/// found always ranks above fewer.
const WORD_FOUND_SCORE: f32 = 100.0;
/// Share of the other fields' scores added to a word's best one.
const TIE_BREAKER: f32 = 0.1;
/// How many words a last-word prefix may stand for in the phrase bonus.
const PREFIX_EXPANSIONS: u32 = 100;
/// Words at least this long (in characters) also match with one typo.
const FUZZY_MIN_CHARS: usize = 4;

/// How the words of a query combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Combine {
    /// Every word must match (the first try).
    AllWords,
    /// Any word may match; more words rank higher (the fallback).
    AnyWord,
}

/// The searchable part of a query's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryText {
    pub words: Vec<String>,
    /// Folded chunks of the text that could be procedure codes (with a digit).
    pub codes: Vec<String>,
}

impl QueryText {
    /// `None` when the text has nothing to search for.
    pub(crate) fn parse(analyzer: &mut TextAnalyzer, text: &str) -> Option<QueryText> {
        let words = query_words(analyzer, text);
        let codes: Vec<String> = truncate_chars(text, MAX_QUERY_CHARS)
            .split_whitespace()
            .take(MAX_QUERY_WORDS)
            .map(|chunk| chunk.trim_matches(|c: char| !c.is_alphanumeric()))
            .filter(|chunk| chunk.bytes().any(|b| b.is_ascii_digit()))
            .filter(|chunk| egov_domain::ProcedureCode::parse(chunk).is_ok())
            .map(key)
            .collect();
        (!words.is_empty() || !codes.is_empty()).then_some(QueryText { words, codes })
    }
}

/// The text part of a search: words combined as asked, or an exact code.
pub(crate) fn text_query(f: &Fields, text: &QueryText, combine: Combine) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !text.words.is_empty() {
        clauses.push((Occur::Should, words_query(f, &text.words, combine)));
    }
    if !text.codes.is_empty() {
        let terms = text
            .codes
            .iter()
            .map(|c| Term::from_field_text(f.code_key, c));
        let exact = Box::new(TermSetQuery::new(terms));
        clauses.push((
            Occur::Should,
            Box::new(ConstScoreQuery::new(exact, CODE_SCORE)),
        ));
    }
    match clauses.len() {
        1 => clauses.remove(0).1,
        _ => Box::new(BooleanQuery::new(clauses)),
    }
}

fn words_query(f: &Fields, words: &[String], combine: Combine) -> Box<dyn Query> {
    let last = words.len().saturating_sub(1);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let q = word_query(f, word, i == last);
        let clause = match combine {
            Combine::AllWords => (Occur::Must, q),
            Combine::AnyWord => {
                let found = Box::new(ConstScoreQuery::new(q.box_clone(), WORD_FOUND_SCORE));
                let scored = BooleanQuery::new(vec![(Occur::Must, found), (Occur::Should, q)]);
                (Occur::Should, Box::new(scored) as Box<dyn Query>)
            }
        };
        clauses.push(clause);
    }
    let pairs = words.windows(2).count();
    for (i, pair) in words.windows(2).enumerate() {
        let phrase = phrase_query(f, pair, i + 1 == pairs);
        clauses.push((
            Occur::Should,
            Box::new(ConstScoreQuery::new(phrase, PHRASE_SCORE)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Two adjacent words as a phrase in the name; the last pair's second word
/// as a prefix ("khai s" favours "khai sinh" over "khai ... sung").
fn phrase_query(f: &Fields, pair: &[String], last: bool) -> Box<dyn Query> {
    let terms: Vec<Term> = pair
        .iter()
        .map(|w| Term::from_field_text(f.name, w))
        .collect();
    if last {
        let mut phrase = PhrasePrefixQuery::new(terms);
        phrase.set_max_expansions(PREFIX_EXPANSIONS);
        Box::new(phrase)
    } else {
        Box::new(PhraseQuery::new(terms))
    }
}

/// One word: the best of its matches over the fields (see the module docs).
fn word_query(f: &Fields, word: &str, last: bool) -> Box<dyn Query> {
    let term = |field: Field| Term::from_field_text(field, word);
    let exact = |field: Field| -> Box<dyn Query> {
        Box::new(TermQuery::new(term(field), IndexRecordOption::Basic))
    };
    let constant = |q: Box<dyn Query>, score: f32| -> Box<dyn Query> {
        Box::new(ConstScoreQuery::new(q, score))
    };
    let name = TermQuery::new(term(f.name), IndexRecordOption::WithFreqs);
    let mut matches: Vec<Box<dyn Query>> = vec![
        Box::new(BoostQuery::new(Box::new(name), NAME_WEIGHT)),
        constant(exact(f.field), FIELD_SCORE),
        constant(exact(f.code_text), CODE_WORD_SCORE),
        constant(exact(f.agencies), AGENCY_SCORE),
    ];
    let numeric = word.chars().all(|c| c.is_ascii_digit());
    if !numeric && word.chars().count() >= FUZZY_MIN_CHARS {
        let fuzzy = FuzzyTermQuery::new(term(f.all), 1, true);
        matches.push(constant(Box::new(fuzzy), FUZZY_SCORE));
    }
    if last {
        let prefix = FuzzyTermQuery::new_prefix(term(f.all), 0, false);
        matches.push(constant(Box::new(prefix), PREFIX_SCORE));
    }
    Box::new(DisjunctionMaxQuery::with_tie_breaker(matches, TIE_BREAKER))
}

/// The filters of a query, all required; `None` when there are none.
/// Blank agency or field values count as absent.
pub(crate) fn filter_query(f: &Fields, q: &SearchQuery) -> Option<Box<dyn Query>> {
    let mut filters: Vec<Box<dyn Query>> = Vec::new();
    if let Some(agency) = q.agency.as_deref().filter(|a| !a.trim().is_empty()) {
        let terms = [agency.trim().to_owned(), key(agency)]
            .map(|value| Term::from_field_text(f.agency_key, &value));
        filters.push(Box::new(TermSetQuery::new(terms)));
    }
    if let Some(field) = q.field.as_deref().filter(|v| !v.trim().is_empty()) {
        filters.push(term_filter(f.field_key, &key(field)));
    }
    if let Some(tier) = q.tier {
        filters.push(term_filter(f.tier, tier.as_str()));
    }
    if let Some(mode) = q.online_mode {
        filters.push(term_filter(f.online_mode, mode.as_str()));
    }
    if let Some(scope) = &q.unit {
        let terms = scope_terms(scope)
            .into_iter()
            .map(|t| Term::from_field_text(f.scope, &t));
        filters.push(Box::new(TermSetQuery::new(terms)));
    }
    match filters.len() {
        0 => None,
        1 => filters.pop(),
        _ => Some(Box::new(BooleanQuery::intersection(filters))),
    }
}

fn term_filter(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Text and filters together; filters do not change the score.
pub(crate) fn with_filter(text: Box<dyn Query>, filter: Option<Box<dyn Query>>) -> Box<dyn Query> {
    match filter {
        None => text,
        Some(filter) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, text),
            (Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))),
        ])),
    }
}

/// The tiers whose procedures a citizen at `level` can use when the
/// procedure is not specific to a locality.
///
/// The rule: a citizen can use the procedures of their own tier and of every
/// tier above it — a commune's residents file commune procedures at the
/// commune, province procedures at the provincial public-service centre
/// (which accepts dossiers from anywhere in the province), and central ones
/// online or at the ministry. "Other" agencies (tier [`Tier::Other`], e.g.
/// social insurance or bank branches) are not tied to a tier and are kept.
/// A province-level scope therefore sees province, central and other; a
/// commune-level scope also sees commune (and a district-level scope, only
/// possible for pre-2025 units, also sees district).
pub(crate) fn tiers_for(level: UnitLevel) -> &'static [Tier] {
    match level {
        UnitLevel::Province => &[Tier::Province, Tier::Central, Tier::Other],
        UnitLevel::District => &[Tier::District, Tier::Province, Tier::Central, Tier::Other],
        UnitLevel::Commune => &[Tier::Commune, Tier::Province, Tier::Central, Tier::Other],
    }
}

/// Scope terms a procedure must carry (any of them) to be available in `scope`:
///
/// - it is specific to one of the scope's units (the unit or one above it), or
/// - it is not specific to any locality and one of its tiers is in
///   [`tiers_for`] the scope's level, or
/// - it is not specific to any locality and its tiers are unknown (kept, so
///   that incomplete catalogue data does not hide procedures).
///
/// A procedure specific to other units never matches, whatever its tiers.
pub(crate) fn scope_terms(scope: &UnitScope) -> Vec<String> {
    let units = scope
        .codes
        .iter()
        .map(|c| format!("{SCOPE_UNIT}{}", c.trim()));
    let tiers = tiers_for(scope.level)
        .iter()
        .map(|t| format!("{SCOPE_TIER}{}", t.as_str()));
    units.chain(tiers).chain([SCOPE_ANY.to_owned()]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::analyzer;

    #[test]
    fn text_is_split_into_words_and_codes() {
        let mut a = analyzer();
        let t = QueryText::parse(&mut a, "Mã 1.001612, khai sinh").unwrap();
        assert_eq!(t.words, ["ma", "1", "001612", "khai", "sinh"]);
        assert_eq!(t.codes, ["1.001612"]);
        assert_eq!(QueryText::parse(&mut a, "  \t "), None);
        assert_eq!(QueryText::parse(&mut a, "?!"), None);
    }

    #[test]
    fn commune_scope_covers_commune_province_central() {
        let scope = UnitScope {
            level: UnitLevel::Commune,
            codes: vec!["00004".into(), "01".into()],
        };
        let terms = scope_terms(&scope);
        for want in [
            "unit:00004",
            "unit:01",
            "tier:commune",
            "tier:province",
            "tier:central",
            "tier:any",
        ] {
            assert!(terms.iter().any(|t| t == want), "missing {want}");
        }
        assert!(!terms.iter().any(|t| t == "tier:district"));
    }

    #[test]
    fn province_scope_excludes_commune_tier() {
        assert!(!tiers_for(UnitLevel::Province).contains(&Tier::Commune));
        assert!(tiers_for(UnitLevel::Province).contains(&Tier::Central));
    }

    #[test]
    fn no_filters_gives_none() {
        let (_, f) = Fields::schema();
        let q = SearchQuery {
            agency: Some("  ".into()),
            field: Some(String::new()),
            ..SearchQuery::default()
        };
        assert!(filter_query(&f, &q).is_none());
        let q = SearchQuery {
            tier: Some(Tier::Commune),
            ..q
        };
        assert!(filter_query(&f, &q).is_some());
    }
}
