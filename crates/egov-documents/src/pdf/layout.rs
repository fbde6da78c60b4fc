//! Page layout: turns a [`Slip`] into pages of drawing operations.
//!
//! Coordinates are PDF points with the origin at the top left of an A4 page
//! and y growing downwards (krilla's convention); a text's y is its baseline.

use super::text::{Fonts, Weight};
use crate::slip::{Slip, SlipTable};

pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
const MARGIN_LEFT: f32 = 56.7; // 20 mm, the binding side
const MARGIN_RIGHT: f32 = 42.5; // 15 mm
const MARGIN_TOP: f32 = 42.5;
const MARGIN_BOTTOM: f32 = 56.7; // room for the page number
const CONTENT_WIDTH: f32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
const TOP: f32 = MARGIN_TOP;
const BOTTOM: f32 = PAGE_HEIGHT - MARGIN_BOTTOM;

const BODY: f32 = 11.0;
const TITLE: f32 = 14.0;
const TABLE: f32 = 10.0;
const SMALL: f32 = 7.5;
const PAGE_NUMBER: f32 = 8.5;
const LEADING: f32 = 1.35;
const CELL_PADDING: f32 = 3.0;
/// Width of rules and table lines.
pub(crate) const RULE: f32 = 0.5;
/// Side of the QR code, quiet zone included (about 33 mm).
const QR_SIZE: f32 = 94.0;
/// Grey of the table header's background (0 black, 255 white).
const HEADER_GREY: u8 = 230;

/// One drawing operation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// A line of text; `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        text: String,
    },
    /// A straight line.
    Line { x1: f32, y1: f32, x2: f32, y2: f32 },
    /// A grey rectangle (behind a table header).
    Shade { x: f32, y: f32, w: f32, h: f32 },
    /// Black squares (the dark modules of a QR code).
    Squares(Vec<Square>),
}

/// A black rectangle, top left corner and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Square {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) w: f32,
    pub(crate) h: f32,
}

/// The grey of [`Op::Shade`].
pub(crate) const SHADE: u8 = HEADER_GREY;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
}

/// Lays out a cleaned slip; `qr` holds the dark modules of its QR code
/// (row by row, `width` modules a side), if it has one.
pub(crate) fn layout(slip: &Slip, fonts: &Fonts, qr: Option<&QrModules>) -> Vec<Vec<Op>> {
    let mut l = Layout {
        fonts,
        pages: vec![Vec::new()],
        y: TOP,
    };
    let reference_in_header = l.header(slip);
    l.title(slip, reference_in_header);
    l.fields(&slip.fields);
    if let Some(table) = &slip.table {
        l.table(table);
    }
    for paragraph in &slip.paragraphs {
        l.block(
            MARGIN_LEFT,
            CONTENT_WIDTH,
            paragraph,
            Weight::Regular,
            BODY,
            Align::Left,
        );
        l.y += 4.0;
    }
    l.closing(slip, qr);
    l.page_numbers(&slip.reference);
    l.pages
}

/// The modules of a QR code: `dark[row * width + column]`.
pub(crate) struct QrModules {
    pub(crate) width: usize,
    pub(crate) dark: Vec<bool>,
}

struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    /// The top of the free space on the current page.
    y: f32,
}

fn line_height(size: f32) -> f32 {
    size * LEADING
}

impl Layout<'_> {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` fits below `y` (or the page is still empty).
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, baseline: f32, size: f32, weight: Weight, text: &str) {
        if text.is_empty() {
            return;
        }
        self.ops().push(Op::Text {
            x,
            y: baseline,
            size,
            weight,
            text: text.to_owned(),
        });
    }

    /// Draws `lines` from `y` down in the column `x..x + width`, without page
    /// breaks; returns the y under them.
    fn lines_at(
        &mut self,
        x: f32,
        width: f32,
        mut y: f32,
        lines: &[String],
        (weight, size): (Weight, f32),
        align: Align,
    ) -> f32 {
        for line in lines {
            let dx = match align {
                Align::Left => 0.0,
                Align::Center => {
                    ((width - self.fonts.face(weight).width(line, size)) / 2.0).max(0.0)
                }
            };
            self.text(x + dx, y + size, size, weight, line);
            y += line_height(size);
        }
        y
    }

    /// Wraps `text` into the column and draws it at `y`, breaking pages between lines.
    fn block(&mut self, x: f32, width: f32, text: &str, weight: Weight, size: f32, align: Align) {
        let lines = self.fonts.wrap(text, weight, size, width);
        for line in &lines {
            self.ensure(line_height(size));
            let y = self.y;
            self.y = self.lines_at(
                x,
                width,
                y,
                std::slice::from_ref(line),
                (weight, size),
                align,
            );
        }
    }

    /// A short centred rule under a header block.
    fn short_rule(&mut self, x: f32, width: f32, y: f32, rule_width: f32) {
        let x1 = x + (width - rule_width) / 2.0;
        self.ops().push(Op::Line {
            x1,
            y1: y,
            x2: x1 + rule_width,
            y2: y,
        });
    }

    /// The two header columns; returns whether the reference was printed there.
    fn header(&mut self, slip: &Slip) -> bool {
        if slip.subtitle.is_none() && slip.header_lines.is_empty() {
            return false;
        }
        let left_width = CONTENT_WIDTH * 0.42;
        let gap = 12.0;
        let right_x = MARGIN_LEFT + left_width + gap;
        let right_width = CONTENT_WIDTH - left_width - gap;
        let wrap = |text: &str, weight, width| self.fonts.wrap(text, weight, BODY, width);

        let subtitle: Vec<String> = slip
            .subtitle
            .iter()
            .flat_map(|s| wrap(s, Weight::Bold, left_width))
            .collect();
        let reference = wrap(&slip.reference, Weight::Regular, left_width);
        let motto: Vec<Vec<String>> = slip
            .header_lines
            .iter()
            .map(|s| wrap(s, Weight::Bold, right_width))
            .collect();
        let issued_at = wrap(&slip.issued_at, Weight::Regular, right_width);

        let lh = line_height(BODY);
        let left_lines = subtitle.len() + reference.len();
        let right_lines = motto.iter().map(Vec::len).sum::<usize>() + issued_at.len();
        if (left_lines.max(right_lines) as f32 + 2.0) * lh > (BOTTOM - TOP) * 0.4 {
            // Too long for two columns side by side: one after the other.
            for text in slip.subtitle.iter().chain(&slip.header_lines) {
                self.block(
                    MARGIN_LEFT,
                    CONTENT_WIDTH,
                    text,
                    Weight::Bold,
                    BODY,
                    Align::Center,
                );
            }
            for text in [&slip.reference, &slip.issued_at] {
                self.block(
                    MARGIN_LEFT,
                    CONTENT_WIDTH,
                    text,
                    Weight::Regular,
                    BODY,
                    Align::Center,
                );
            }
            return true;
        }

        let top = self.y;
        let mut left_y = self.lines_at(
            MARGIN_LEFT,
            left_width,
            top,
            &subtitle,
            (Weight::Bold, BODY),
            Align::Center,
        );
        if !subtitle.is_empty() {
            self.short_rule(MARGIN_LEFT, left_width, left_y + 3.0, left_width * 0.3);
            left_y += 7.0;
        }
        left_y = self.lines_at(
            MARGIN_LEFT,
            left_width,
            left_y,
            &reference,
            (Weight::Regular, BODY),
            Align::Center,
        );

        let mut right_y = top;
        for lines in &motto {
            right_y = self.lines_at(
                right_x,
                right_width,
                right_y,
                lines,
                (Weight::Bold, BODY),
                Align::Center,
            );
        }
        if let Some(last) = motto.last().and_then(|lines| lines.last()) {
            let rule_width = self.fonts.face(Weight::Bold).width(last, BODY);
            self.short_rule(right_x, right_width, right_y + 2.0, rule_width);
            right_y += 8.0;
        }
        right_y = self.lines_at(
            right_x,
            right_width,
            right_y,
            &issued_at,
            (Weight::Regular, BODY),
            Align::Center,
        );
        self.y = left_y.max(right_y) + 12.0;
        true
    }

    fn title(&mut self, slip: &Slip, reference_in_header: bool) {
        self.y += 6.0;
        self.block(
            MARGIN_LEFT,
            CONTENT_WIDTH,
            &slip.title,
            Weight::Bold,
            TITLE,
            Align::Center,
        );
        if !reference_in_header && !slip.reference.is_empty() {
            self.block(
                MARGIN_LEFT,
                CONTENT_WIDTH,
                &slip.reference,
                Weight::Regular,
                BODY,
                Align::Center,
            );
        }
        self.y += 10.0;
    }

    /// Label/value rows: labels in bold in a left column as wide as the
    /// widest label (at most 38 % of the line), values wrapped beside them.
    fn fields(&mut self, fields: &[(String, String)]) {
        if fields.is_empty() {
            return;
        }
        let gap = 8.0;
        let bold = self.fonts.face(Weight::Bold);
        let widest = fields
            .iter()
            .map(|(label, _)| bold.width(label, BODY))
            .fold(0.0_f32, f32::max);
        let label_width = widest.min(CONTENT_WIDTH * 0.38);
        let value_x = MARGIN_LEFT + label_width + gap;
        let value_width = CONTENT_WIDTH - label_width - gap;
        let lh = line_height(BODY);
        for (label, value) in fields {
            let labels = self.fonts.wrap(label, Weight::Bold, BODY, label_width);
            let values = self.fonts.wrap(value, Weight::Regular, BODY, value_width);
            for i in 0..labels.len().max(values.len()) {
                self.ensure(lh);
                let y = self.y;
                if let Some(line) = labels.get(i) {
                    self.text(MARGIN_LEFT, y + BODY, BODY, Weight::Bold, line);
                }
                if let Some(line) = values.get(i) {
                    self.text(value_x, y + BODY, BODY, Weight::Regular, line);
                }
                self.y += lh;
            }
            self.y += 2.0;
        }
        self.y += 6.0;
    }

    fn table(&mut self, table: &SlipTable) {
        let columns = table
            .rows
            .iter()
            .map(Vec::len)
            .chain([table.headers.len()])
            .max()
            .unwrap_or(0);
        if columns == 0 {
            return;
        }
        let widths = self.column_widths(table, columns);
        let wrap_row = |row: &[String], weight: Weight| -> Vec<Vec<String>> {
            (0..columns)
                .map(|c| {
                    let width = widths[c] - 2.0 * CELL_PADDING;
                    let text = row.get(c).map_or("", String::as_str);
                    self.fonts.wrap(text, weight, TABLE, width)
                })
                .collect()
        };
        let header = if table.headers.is_empty() {
            None
        } else {
            Some(wrap_row(&table.headers, Weight::Bold))
        };
        let header_height = header.as_ref().map_or(0.0, |h| row_height(h));
        let rows: Vec<Vec<Vec<String>>> = table
            .rows
            .iter()
            .map(|row| wrap_row(row, Weight::Regular))
            .collect();

        // The header and the first row stay together.
        let first = rows.first().map_or(0.0, |r| row_height(r));
        self.ensure(header_height + first.min(BOTTOM - TOP - header_height));
        if let Some(header) = &header {
            self.row(header, &widths, 0, usize::MAX, Weight::Bold);
        }
        for cells in &rows {
            let height = row_height(cells);
            // A row that fits on a fresh page is not split.
            if self.y + height > BOTTOM && height <= BOTTOM - TOP - header_height {
                self.continue_table(header.as_ref(), &widths);
            }
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let mut start = 0;
            let mut fresh_page = false;
            while start < lines {
                let room = ((BOTTOM - self.y - 2.0 * CELL_PADDING) / line_height(TABLE)).floor();
                let room = if room >= 1.0 { room as usize } else { 0 };
                if room == 0 && !fresh_page {
                    self.continue_table(header.as_ref(), &widths);
                    fresh_page = true;
                    continue;
                }
                // At least one line per page, even under an absurdly tall header.
                let take = room.max(1).min(lines - start);
                self.row(cells, &widths, start, take, Weight::Regular);
                start += take;
                fresh_page = false;
                if start < lines {
                    self.continue_table(header.as_ref(), &widths);
                    fresh_page = true;
                }
            }
        }
        self.y += 10.0;
    }

    fn continue_table(&mut self, header: Option<&Vec<Vec<String>>>, widths: &[f32]) {
        self.new_page();
        if let Some(header) = header {
            self.row(header, widths, 0, usize::MAX, Weight::Bold);
        }
    }

    /// Draws lines `start..start + count` of each cell as one band of the
    /// table, with its grid, and moves `y` under it.
    fn row(
        &mut self,
        cells: &[Vec<String>],
        widths: &[f32],
        start: usize,
        count: usize,
        weight: Weight,
    ) {
        let lh = line_height(TABLE);
        let lines = cells
            .iter()
            .map(|c| c.len().saturating_sub(start).min(count))
            .max()
            .unwrap_or(0)
            .max(1);
        let height = lines as f32 * lh + 2.0 * CELL_PADDING;
        let top = self.y;
        let total: f32 = widths.iter().sum();
        if weight == Weight::Bold {
            self.ops().push(Op::Shade {
                x: MARGIN_LEFT,
                y: top,
                w: total,
                h: height,
            });
        }
        let mut x = MARGIN_LEFT;
        for (c, width) in widths.iter().enumerate() {
            let end = cells[c].len().min(start.saturating_add(count));
            let slice = cells[c].get(start..end).unwrap_or(&[]);
            let align = if weight == Weight::Bold {
                Align::Center
            } else {
                Align::Left
            };
            self.lines_at(
                x + CELL_PADDING,
                width - 2.0 * CELL_PADDING,
                top + CELL_PADDING,
                slice,
                (weight, TABLE),
                align,
            );
            x += width;
        }
        // The grid: top, bottom and the vertical rules.
        let bottom = top + height;
        let ops = self.ops();
        for y in [top, bottom] {
            ops.push(Op::Line {
                x1: MARGIN_LEFT,
                y1: y,
                x2: MARGIN_LEFT + total,
                y2: y,
            });
        }
        let mut x = MARGIN_LEFT;
        for width in std::iter::once(&0.0).chain(widths) {
            x += width;
            ops.push(Op::Line {
                x1: x,
                y1: top,
                x2: x,
                y2: bottom,
            });
        }
        self.y = bottom;
    }

    /// Column widths as browsers size auto tables: each column gets at least
    /// its longest word, and the rest of the line in proportion to how much
    /// wider its full texts are.
    fn column_widths(&self, table: &SlipTable, columns: usize) -> Vec<f32> {
        let pad = 2.0 * CELL_PADDING;
        let mut min = vec![pad + 12.0; columns];
        let mut max = vec![pad + 12.0; columns];
        let rows = std::iter::once((&table.headers, Weight::Bold))
            .chain(table.rows.iter().map(|r| (r, Weight::Regular)));
        for (row, weight) in rows {
            let face = self.fonts.face(weight);
            for (c, text) in row.iter().enumerate().take(columns) {
                for line in text.split('\n') {
                    let longest_word = line
                        .split_whitespace()
                        .map(|w| face.width(w, TABLE))
                        .fold(0.0_f32, f32::max);
                    // A single very long word (a URL) may still be cut.
                    min[c] = min[c].max((longest_word + pad).min(CONTENT_WIDTH / 3.0));
                    max[c] = max[c].max(face.width(line, TABLE) + pad);
                }
            }
        }
        let (sum_min, sum_max) = (min.iter().sum::<f32>(), max.iter().sum::<f32>());
        if sum_max <= CONTENT_WIDTH {
            return max.iter().map(|w| w * CONTENT_WIDTH / sum_max).collect();
        }
        if sum_min >= CONTENT_WIDTH {
            return min.iter().map(|w| w * CONTENT_WIDTH / sum_min).collect();
        }
        let spare = CONTENT_WIDTH - sum_min;
        let stretch = sum_max - sum_min;
        min.iter()
            .zip(&max)
            .map(|(lo, hi)| lo + (hi - lo) * spare / stretch)
            .collect()
    }

    /// The QR code (with its text under it) on the left and the footer on
    /// the right, side by side and kept on one page.
    fn closing(&mut self, slip: &Slip, qr: Option<&QrModules>) {
        if slip.footer.is_empty() && qr.is_none() {
            return;
        }
        let left_width = CONTENT_WIDTH * 0.42;
        let right_x = MARGIN_LEFT + left_width;
        let right_width = CONTENT_WIDTH - left_width;
        let footer: Vec<(Weight, String)> = slip
            .footer
            .iter()
            .enumerate()
            .flat_map(|(i, text)| {
                let weight = if i == 0 {
                    Weight::Bold
                } else {
                    Weight::Regular
                };
                self.fonts
                    .wrap(text, weight, BODY, right_width)
                    .into_iter()
                    .map(move |line| (weight, line))
            })
            .collect();
        let caption = match (qr, &slip.qr) {
            (Some(_), Some(text)) => self.fonts.wrap(text, Weight::Regular, SMALL, left_width),
            _ => Vec::new(),
        };
        let footer_height = footer.len() as f32 * line_height(BODY);
        let qr_height = if qr.is_some() {
            QR_SIZE + caption.len() as f32 * line_height(SMALL)
        } else {
            0.0
        };
        let height = footer_height.max(qr_height);
        self.y += 8.0;
        if height > (BOTTOM - TOP) * 0.6 {
            // Too long to keep together: the QR code, then the footer, flowing.
            if let Some(qr) = qr {
                self.ensure(qr_height);
                let y = self.y;
                self.qr(qr, MARGIN_LEFT, y);
                self.y = self.lines_at(
                    MARGIN_LEFT,
                    left_width,
                    y + QR_SIZE,
                    &caption,
                    (Weight::Regular, SMALL),
                    Align::Left,
                ) + 8.0;
            }
            for (weight, line) in &footer {
                self.ensure(line_height(BODY));
                let y = self.y;
                self.y = self.lines_at(
                    right_x,
                    right_width,
                    y,
                    std::slice::from_ref(line),
                    (*weight, BODY),
                    Align::Center,
                );
            }
            return;
        }
        self.ensure(height);
        let top = self.y;
        if let Some(qr) = qr {
            self.qr(qr, MARGIN_LEFT, top);
            self.lines_at(
                MARGIN_LEFT,
                left_width,
                top + QR_SIZE,
                &caption,
                (Weight::Regular, SMALL),
                Align::Left,
            );
        }
        let mut y = top;
        for (weight, line) in &footer {
            y = self.lines_at(
                right_x,
                right_width,
                y,
                std::slice::from_ref(line),
                (*weight, BODY),
                Align::Center,
            );
        }
        self.y = top + height;
    }

    /// The QR code at (x, y), a four-module quiet zone included; dark modules
    /// are merged into horizontal runs (fewer rectangles, a smaller file).
    fn qr(&mut self, qr: &QrModules, x: f32, y: f32) {
        let quiet = 4;
        let side = qr.width + 2 * quiet;
        let module = QR_SIZE / side as f32;
        let mut squares = Vec::new();
        for row in 0..qr.width {
            let mut column = 0;
            while column < qr.width {
                if !qr.dark[row * qr.width + column] {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < qr.width && qr.dark[row * qr.width + column] {
                    column += 1;
                }
                squares.push(Square {
                    x: x + (start + quiet) as f32 * module,
                    y: y + (row + quiet) as f32 * module,
                    w: (column - start) as f32 * module,
                    h: module,
                });
            }
        }
        self.ops().push(Op::Squares(squares));
    }

    /// "reference — n/N" at the foot of every page, when there is more than one.
    fn page_numbers(&mut self, reference: &str) {
        let total = self.pages.len();
        if total < 2 {
            return;
        }
        let face = self.fonts.face(Weight::Regular);
        for (i, page) in self.pages.iter_mut().enumerate() {
            let text = if reference.is_empty() {
                format!("{}/{}", i + 1, total)
            } else {
                format!("{reference} — {}/{}", i + 1, total)
            };
            let width = face.width(&text, PAGE_NUMBER);
            page.push(Op::Text {
                x: MARGIN_LEFT + (CONTENT_WIDTH - width) / 2.0,
                y: PAGE_HEIGHT - MARGIN_BOTTOM / 2.0,
                size: PAGE_NUMBER,
                weight: Weight::Regular,
                text,
            });
        }
    }
}

fn row_height(cells: &[Vec<String>]) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * line_height(TABLE) + 2.0 * CELL_PADDING
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().unwrap()
    }

    fn texts(page: &[Op]) -> Vec<&str> {
        page.iter()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn table_slip(rows: usize) -> Slip {
        Slip {
            title: "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ".to_owned(),
            reference: "H26-0001".to_owned(),
            table: Some(SlipTable {
                headers: vec![
                    "Bước".to_owned(),
                    "Người thực hiện".to_owned(),
                    "Kết quả".to_owned(),
                ],
                rows: (1..=rows)
                    .map(|i| {
                        vec![
                            i.to_string(),
                            format!("Cán bộ {i}"),
                            "Đã chuyển bước sau".to_owned(),
                        ]
                    })
                    .collect(),
            }),
            ..Slip::default()
        }
    }

    /// Every text's baseline and every line lies inside the page's text area.
    fn assert_inside_margins(pages: &[Vec<Op>]) {
        for page in pages {
            for op in page {
                match op {
                    Op::Text { y, size, text, .. } if *size > PAGE_NUMBER => {
                        assert!(*y > TOP && *y <= BOTTOM, "{text} at {y}");
                    }
                    Op::Line { y1, y2, .. } => assert!(*y1 >= TOP && *y2 <= BOTTOM + 0.01),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn a_short_slip_is_one_page_without_page_number() {
        let pages = layout(&table_slip(3), &fonts(), None);
        assert_eq!(pages.len(), 1);
        assert!(!texts(&pages[0]).iter().any(|t| t.contains("1/1")));
    }

    #[test]
    fn a_long_table_continues_with_its_header_on_every_page() {
        let pages = layout(&table_slip(120), &fonts(), None);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let total = pages.len();
        for (i, page) in pages.iter().enumerate() {
            let texts = texts(page);
            assert!(texts.contains(&"Người thực hiện"), "page {}", i + 1);
            assert!(texts.contains(&format!("H26-0001 — {}/{total}", i + 1).as_str()));
        }
        // Every row once, in order.
        let rows: Vec<&str> = pages
            .iter()
            .flat_map(|p| texts(p))
            .filter(|t| t.starts_with("Cán bộ "))
            .collect();
        let expected: Vec<String> = (1..=120).map(|i| format!("Cán bộ {i}")).collect();
        assert_eq!(rows, expected);
        assert_inside_margins(&pages);
    }

    #[test]
    fn a_cell_taller_than_a_page_is_split_across_pages() {
        let mut slip = table_slip(1);
        if let Some(table) = &mut slip.table {
            table.rows[0][2] = (1..=150)
                .map(|i| format!("dòng {i}"))
                .collect::<Vec<_>>()
                .join("\n");
        }
        let pages = layout(&slip, &fonts(), None);
        assert!(pages.len() >= 2);
        let lines: Vec<&str> = pages
            .iter()
            .flat_map(|p| texts(p))
            .filter(|t| t.starts_with("dòng "))
            .collect();
        assert_eq!(lines.len(), 150);
        assert_eq!(lines.last(), Some(&"dòng 150"));
        assert_inside_margins(&pages);
    }

    #[test]
    fn long_paragraphs_wrap_and_flow_onto_the_next_page() {
        let sentence =
            "Cơ quan giải quyết hồ sơ xin lỗi ông/bà vì đã trả kết quả chậm so với ngày hẹn. ";
        let slip = Slip {
            title: "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ".to_owned(),
            paragraphs: vec![sentence.repeat(80)],
            ..Slip::default()
        };
        let pages = layout(&slip, &fonts(), None);
        assert_eq!(pages.len(), 2);
        let fonts = fonts();
        for op in pages.iter().flatten() {
            if let Op::Text {
                x,
                size,
                weight,
                text,
                ..
            } = op
            {
                let right = x + fonts.face(*weight).width(text, *size);
                assert!(right <= MARGIN_LEFT + CONTENT_WIDTH + 0.5, "{text}");
            }
        }
        assert_inside_margins(&pages);
    }

    #[test]
    fn the_qr_code_and_footer_close_the_last_page() {
        let mut slip = table_slip(2);
        slip.footer = vec![
            "NGƯỜI TIẾP NHẬN".to_owned(),
            "(Ký và ghi rõ họ tên)".to_owned(),
        ];
        slip.qr = Some("https://example.vn/tra-cuu?ma=H26-0001".to_owned());
        let qr = QrModules {
            width: 21,
            dark: (0..21 * 21).map(|i| i % 3 == 0).collect(),
        };
        let pages = layout(&slip, &fonts(), Some(&qr));
        let squares: Vec<&Square> = pages
            .iter()
            .flatten()
            .filter_map(|op| match op {
                Op::Squares(s) => Some(s),
                _ => None,
            })
            .flatten()
            .collect();
        // One run per dark module here (every third module, none adjacent).
        assert_eq!(squares.len(), 21 * 21 / 3);
        for s in &squares {
            assert!(s.x >= MARGIN_LEFT && s.x + s.w <= MARGIN_LEFT + QR_SIZE);
            assert!(s.y + s.h <= BOTTOM);
        }
        assert!(texts(&pages[0]).contains(&"NGƯỜI TIẾP NHẬN"));
        assert!(texts(&pages[0]).contains(&"https://example.vn/tra-cuu?ma=H26-0001"));
    }

    #[test]
    fn adjacent_dark_modules_merge_into_one_rectangle() {
        let qr = QrModules {
            width: 3,
            dark: vec![true, true, true, false, false, false, true, false, true],
        };
        let slip = Slip {
            qr: Some("x".to_owned()),
            ..Slip::default()
        };
        let pages = layout(&slip, &fonts(), Some(&qr));
        let squares: Vec<Square> = pages[0]
            .iter()
            .filter_map(|op| match op {
                Op::Squares(s) => Some(s.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(squares.len(), 3);
        let module = QR_SIZE / 11.0;
        assert!((squares[0].w - 3.0 * module).abs() < 1e-3);
    }

    #[test]
    fn columns_fill_the_line_and_a_short_column_is_not_squeezed() {
        let fonts = fonts();
        let l = Layout {
            fonts: &fonts,
            pages: vec![Vec::new()],
            y: TOP,
        };
        let table = SlipTable {
            headers: vec!["STT".to_owned(), "Tên giấy tờ".to_owned()],
            rows: vec![vec!["1".to_owned(), "Giấy đề nghị ".repeat(30)]],
        };
        let widths = l.column_widths(&table, 2);
        assert!((widths.iter().sum::<f32>() - CONTENT_WIDTH).abs() < 0.01);
        assert!(widths[0] >= fonts.face(Weight::Bold).width("STT", TABLE) + 2.0 * CELL_PADDING);
    }
}
