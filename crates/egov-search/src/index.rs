//! The in-memory index and its operations.

use std::cmp::Reverse;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use egov_domain::Procedure;
use tantivy::collector::{Count, CustomScorer, CustomSegmentScorer, TopDocs};
use tantivy::columnar::ColumnValues;
use tantivy::query::{AllQuery, Query};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, SegmentReader,
    TantivyDocument, Term,
};

use crate::analyzer::{analyzer, ANALYZER};
use crate::query::{filter_query, text_query, with_filter, Combine, QueryText};
use crate::schema::{Fields, SORT_KEY_FIELDS, SORT_KEY_PARTS};
use crate::{SearchError, SearchHit, SearchQuery, SearchResults, MAX_LIMIT};

/// Memory the writer may use before it flushes a segment.
const WRITER_MEMORY_BYTES: usize = 50_000_000;

/// The procedure catalogue's search index, held in memory.
///
/// Safe to share between threads (`Arc<SearchIndex>`): searches run in
/// parallel on a snapshot; changes are serialised by an internal lock and
/// become visible to searches when they return.
///
/// ```
/// use egov_domain::{Procedure, ProcedureCode};
/// use egov_search::{SearchIndex, SearchQuery};
///
/// let index = SearchIndex::new()?;
/// let code = ProcedureCode::parse("1.001612").map_err(|e| e.to_string())?;
/// let birth = Procedure::minimal(code, "Đăng ký khai sinh".into(), "Hộ tịch".into());
/// index.replace_all(&[birth])?;
///
/// let found = index.search(&SearchQuery {
///     text: Some("dang ky khai s".into()), // no diacritics, last word still being typed
///     limit: 20,
///     ..SearchQuery::default()
/// })?;
/// assert_eq!(found.total, 1);
/// assert_eq!(found.hits[0].code, "1.001612");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SearchIndex {
    fields: Fields,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    analyzer: TextAnalyzer,
}

impl SearchIndex {
    /// An empty index.
    pub fn new() -> Result<Self, SearchError> {
        let (schema, fields) = Fields::schema();
        let index = Index::create_in_ram(schema);
        index.tokenizers().register(ANALYZER, analyzer());
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            fields,
            reader,
            writer: Mutex::new(writer),
            analyzer: analyzer(),
        })
    }

    /// Replaces the whole content with `procedures` (the last one wins when
    /// a code appears twice).
    pub fn replace_all(&self, procedures: &[Procedure]) -> Result<(), SearchError> {
        self.write(|writer| {
            writer.delete_all_documents()?;
            self.add(writer, procedures)
        })
    }

    /// Adds `procedures`, replacing any already indexed under the same code.
    pub fn upsert(&self, procedures: &[Procedure]) -> Result<(), SearchError> {
        if procedures.is_empty() {
            return Ok(());
        }
        self.write(|writer| self.add(writer, procedures))
    }

    /// Number of procedures indexed.
    pub fn len(&self) -> usize {
        usize::try_from(self.reader.searcher().num_docs()).unwrap_or(usize::MAX)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs a query: with text, by relevance; without, every procedure
    /// matching the filters by code. `limit` is clamped to `1..=100`.
    ///
    /// With text, every word must match; when no procedure has them all, the
    /// procedures matching any word are returned instead, those matching more
    /// words first.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let page = Page::of(query, &searcher);
        let filter = filter_query(&self.fields, query);
        let text = query
            .text
            .as_deref()
            .and_then(|t| QueryText::parse(&mut self.analyzer.clone(), t));
        let Some(text) = text else {
            let all = filter.unwrap_or_else(|| Box::new(AllQuery));
            return self.by_code(&searcher, all.as_ref(), page);
        };
        let all_words = with_filter(
            text_query(&self.fields, &text, Combine::AllWords),
            filter.as_ref().map(|f| f.box_clone()),
        );
        let found = self.by_score(&searcher, all_words.as_ref(), page)?;
        if found.total > 0 || text.words.len() < 2 {
            return Ok(found);
        }
        let any_word = with_filter(text_query(&self.fields, &text, Combine::AnyWord), filter);
        self.by_score(&searcher, any_word.as_ref(), page)
    }

    fn by_score(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        page: Page,
    ) -> Result<SearchResults, SearchError> {
        let top = TopDocs::with_limit(page.limit).and_offset(page.offset);
        let (docs, total) = searcher.search(query, &(top, Count))?;
        let hits = docs
            .into_iter()
            .map(|(score, address)| self.hit(searcher, address, score))
            .collect::<Result<_, _>>()?;
        Ok(SearchResults { total, hits })
    }

    fn by_code(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        page: Page,
    ) -> Result<SearchResults, SearchError> {
        let top = TopDocs::with_limit(page.limit)
            .and_offset(page.offset)
            .custom_score(CodeOrder);
        let (docs, total) = searcher.search(query, &(top, Count))?;
        let hits = docs
            .into_iter()
            .map(|(_, address)| self.hit(searcher, address, 0.0))
            .collect::<Result<_, _>>()?;
        Ok(SearchResults { total, hits })
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
    ) -> Result<SearchHit, SearchError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        Ok(self.fields.hit(&doc, score))
    }

    /// Queues the documents; each replaces any earlier one with its code
    /// (a delete only affects documents added before it).
    fn add(&self, writer: &IndexWriter, procedures: &[Procedure]) -> Result<(), SearchError> {
        for p in procedures {
            writer.delete_term(Term::from_field_text(self.fields.code, p.code.as_str()));
            writer.add_document(self.fields.document(p))?;
        }
        Ok(())
    }

    /// Runs `change` under the writer lock, commits and makes it visible;
    /// on failure nothing of it is kept.
    fn write(
        &self,
        change: impl FnOnce(&IndexWriter) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        let mut writer = self.lock_writer();
        let done = change(&writer).and_then(|()| Ok(writer.commit().map(|_| ())?));
        if let Err(e) = done {
            // Best effort: the error that matters is the one returned.
            let _ = writer.rollback();
            return Err(e);
        }
        Ok(self.reader.reload()?)
    }

    /// The writer; a panic in an earlier holder leaves nothing half-done that
    /// a rollback would not undo, so a poisoned lock is taken over.
    fn lock_writer(&self) -> MutexGuard<'_, IndexWriter> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("len", &self.len())
            .finish()
    }
}

/// Offset and limit, made safe for the collectors.
#[derive(Debug, Clone, Copy)]
struct Page {
    offset: usize,
    limit: usize,
}

impl Page {
    /// Limit clamped to `1..=MAX_LIMIT`; an offset past the end is cut to
    /// the end (the collector would otherwise allocate for it).
    fn of(query: &SearchQuery, searcher: &Searcher) -> Page {
        let docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        Page {
            offset: query.offset.min(docs),
            limit: query.limit.clamp(1, MAX_LIMIT),
        }
    }
}

/// Orders documents by code, ascending, from the sort-key fast fields.
struct CodeOrder;

type CodeKey = Reverse<[u64; SORT_KEY_PARTS]>;

struct SegmentCodeOrder {
    columns: Vec<Arc<dyn ColumnValues<u64>>>,
}

impl CustomScorer<CodeKey> for CodeOrder {
    type Child = SegmentCodeOrder;

    fn segment_scorer(&self, segment: &SegmentReader) -> tantivy::Result<SegmentCodeOrder> {
        let columns = SORT_KEY_FIELDS
            .iter()
            .map(|name| Ok(segment.fast_fields().u64(name)?.first_or_default_col(0)))
            .collect::<tantivy::Result<_>>()?;
        Ok(SegmentCodeOrder { columns })
    }
}

impl CustomSegmentScorer<CodeKey> for SegmentCodeOrder {
    fn score(&mut self, doc: DocId) -> CodeKey {
        let mut key = [0u64; SORT_KEY_PARTS];
        for (part, column) in key.iter_mut().zip(&self.columns) {
            *part = column.get_val(doc);
        }
        // The collector keeps the highest scores; reversed, the lowest codes.
        Reverse(key)
    }
}
