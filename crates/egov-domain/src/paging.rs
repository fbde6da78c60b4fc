//! Pagination shared by list queries.

use serde::Serialize;

/// Which slice of a list to return. `limit` is clamped to [`PageRequest::MAX_LIMIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: u32,
    pub limit: u32,
}

impl PageRequest {
    pub const DEFAULT_LIMIT: u32 = 20;
    pub const MAX_LIMIT: u32 = 100;

    pub fn new(offset: u32, limit: u32) -> Self {
        Self {
            offset,
            limit: limit.clamp(1, Self::MAX_LIMIT),
        }
    }

    /// Page number (1-based) and page size, as people count pages.
    pub fn from_page(page: u32, per_page: u32) -> Self {
        let per_page = per_page.clamp(1, Self::MAX_LIMIT);
        Self::new(page.saturating_sub(1).saturating_mul(per_page), per_page)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(0, Self::DEFAULT_LIMIT)
    }
}

/// One page of results plus the total count of matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub offset: u32,
    pub limit: u32,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            offset: self.offset,
            limit: self.limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_clamped() {
        assert_eq!(PageRequest::new(0, 0).limit, 1);
        assert_eq!(PageRequest::new(0, 10_000).limit, PageRequest::MAX_LIMIT);
    }

    #[test]
    fn from_page_counts_from_one() {
        assert_eq!(PageRequest::from_page(1, 20), PageRequest::new(0, 20));
        assert_eq!(PageRequest::from_page(3, 10), PageRequest::new(20, 10));
        assert_eq!(PageRequest::from_page(0, 10), PageRequest::new(0, 10));
    }
}
