//! Pagination links of result lists.

/// Pagination links of a result list.
#[derive(Debug, Clone, Default)]
pub struct Pager {
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PageLink>,
}

#[derive(Debug, Clone)]
pub struct PageLink {
    pub number: u32,
    pub href: String,
    pub current: bool,
}

impl Pager {
    /// Links around `page` of `total` items, `per_page` a page; `link(n)` makes
    /// the address of page n.
    pub fn new(page: u32, per_page: u32, total: u64, link: impl Fn(u32) -> String) -> Self {
        let last = u32::try_from(total.div_ceil(u64::from(per_page.max(1))))
            .unwrap_or(u32::MAX)
            .clamp(1, crate::extract::Paging::MAX_PAGE);
        if last == 1 {
            return Pager::default();
        }
        let from = page.saturating_sub(2).max(1);
        let to = (page + 2).min(last);
        let mut numbers: Vec<u32> = (from..=to).collect();
        if from > 1 {
            numbers.insert(0, 1);
        }
        if to < last {
            numbers.push(last);
        }
        Pager {
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < last).then(|| link(page + 1)),
            pages: numbers
                .into_iter()
                .map(|n| PageLink {
                    number: n,
                    href: link(n),
                    current: n == page,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_shows_neighbours_first_and_last() {
        let p = Pager::new(5, 10, 200, |n| format!("/p{n}"));
        let numbers: Vec<u32> = p.pages.iter().map(|l| l.number).collect();
        assert_eq!(numbers, vec![1, 3, 4, 5, 6, 7, 20]);
        assert_eq!(p.prev.as_deref(), Some("/p4"));
        assert_eq!(p.next.as_deref(), Some("/p6"));
        assert!(p.pages.iter().any(|l| l.current && l.number == 5));
        assert!(Pager::new(1, 20, 5, |n| n.to_string()).pages.is_empty());
    }
}
