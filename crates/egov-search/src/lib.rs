//! Search over the procedure catalogue.
//!
//! An in-memory tantivy index built from the stored procedures at start and
//! kept in step by the use cases that change them. Text is folded (lower case,
//! no diacritics) on both sides so `giay phep xay dung` finds
//! "Cấp giấy phép xây dựng"; each query word also matches with one typo, and
//! the last word as a prefix (search as you type).
//!
//! See [`SearchIndex`] for the operations and an example, and the `query`
//! module for how words are matched and ranked.

mod analyzer;
mod index;
mod query;
mod schema;

use egov_domain::{OnlineMode, Procedure, Tier, UnitLevel};

pub use index::SearchIndex;

/// Largest page a search returns; larger limits are cut to it.
pub const MAX_LIMIT: usize = 100;

/// Errors of the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Index(String),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(e.to_string())
    }
}

/// Where a citizen is: restricts results to procedures carried out there.
///
/// A procedure is available in a scope when it is specific to one of
/// `codes`, or when it is specific to no locality and carried out at a tier
/// the citizen can use: at commune level the commune, province and central
/// tiers; at province level the province and central tiers (plus "other"
/// agencies, and procedures whose tiers are unknown, at both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitScope {
    /// The current unit's level (province or commune).
    pub level: UnitLevel,
    /// The unit's code and the codes of the units above it.
    pub codes: Vec<String>,
}

/// A search request. Every filter is optional and all given ones must hold;
/// no (or blank) text lists every procedure matching the filters by code.
/// `limit` is clamped to `1..=`[`MAX_LIMIT`] (so 0 gives one hit); blank
/// agency or field values count as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub text: Option<String>,
    /// An agency code (`agency_codes`), or the full name of an implementing
    /// or the competent agency in any case, with or without marks.
    pub agency: Option<String>,
    /// Field (lĩnh vực), the whole name, matched on its folded form.
    pub field: Option<String>,
    pub tier: Option<Tier>,
    pub online_mode: Option<OnlineMode>,
    pub unit: Option<UnitScope>,
    pub offset: usize,
    pub limit: usize,
}

/// One hit: what a result list shows of a procedure, and its relevance score
/// (0 when listing without text).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub code: String,
    pub name: String,
    pub field: String,
    pub tiers: Vec<Tier>,
    pub online_mode: OnlineMode,
    pub implementing_agencies: Vec<String>,
    pub score: f32,
}

/// A page of hits plus how many matched in all.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<SearchHit>,
}

/// The stored fields the index needs of a procedure (see [`Procedure`]).
pub type Indexable = Procedure;
