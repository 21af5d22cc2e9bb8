//! Flowing content down A4 pages: headings, wrapped paragraphs, tables
//! whose header repeats on each page, figures drawn in a reserved box, a
//! contents page and page numbers.

use crate::{Document, Font, PAGE_HEIGHT, PAGE_WIDTH, Page, PdfError, Rgb};

/// The page margin on every side, points (2 cm).
const MARGIN: f32 = 56.7;
/// Body text size.
const BODY: f32 = 10.0;
/// Line height as a multiple of the text size.
const LEADING: f32 = 1.45;
/// Table header fill.
const HEADER_FILL: Rgb = Rgb(0.90, 0.92, 0.95);

/// A column's alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left-aligned text.
    Left,
    /// Right-aligned (numbers).
    Right,
}

/// A table column: header, share of the text width, alignment.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header text.
    pub header: String,
    /// Share of the text width (shares are normalised to sum to 1).
    pub share: f32,
    /// Alignment of its cells.
    pub align: Align,
}

/// A table: columns, rows of cell texts, and an optional fill per cell.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The columns.
    pub columns: Vec<Column>,
    /// Rows of cells (as many as columns).
    pub rows: Vec<Vec<String>>,
    /// Fills of cells: `(row, column, colour)`.
    pub fills: Vec<(usize, usize, Rgb)>,
    /// Text size (default body size when 0).
    pub size: f32,
}

/// Content flowing down the pages of a document.
#[derive(Debug)]
pub struct Flow {
    doc: Document,
    page: usize,
    y: f32,
    outline: Vec<(u8, String, usize)>,
}

impl Flow {
    /// A flow over a new document, on its first page.
    pub fn new(font: Font, title: &str) -> Flow {
        let mut doc = Document::new(font, title);
        let page = doc.add_page();
        Flow { doc, page, y: MARGIN, outline: Vec::new() }
    }

    /// The width text may take.
    pub fn text_width() -> f32 {
        PAGE_WIDTH - 2.0 * MARGIN
    }

    fn font(&self) -> &Font {
        self.doc.font()
    }

    fn current(&mut self) -> &mut Page {
        self.doc.page(self.page)
    }

    /// Starts a new page.
    pub fn page_break(&mut self) {
        self.page = self.doc.add_page();
        self.y = MARGIN;
    }

    /// Breaks the page unless `height` more fits.
    fn make_room(&mut self, height: f32) {
        if self.y + height > PAGE_HEIGHT - MARGIN && self.y > MARGIN {
            self.page_break();
        }
    }

    /// Vertical space.
    pub fn space(&mut self, height: f32) {
        self.y += height;
    }

    /// A title page: the title, a subtitle and lines below it, centred in
    /// the upper third; the flow continues on a new page.
    pub fn title_page(&mut self, title: &str, subtitle: &str, lines: &[String]) {
        let mut y = PAGE_HEIGHT * 0.3;
        for line in wrap(self.font(), title, 24.0, Flow::text_width()) {
            let x = (PAGE_WIDTH - self.font().width(&line, 24.0)) / 2.0;
            self.current().text(x, y, 24.0, Rgb::BLACK, &line);
            y += 24.0 * LEADING;
        }
        y += 12.0;
        let x = (PAGE_WIDTH - self.font().width(subtitle, 14.0)) / 2.0;
        self.current().text(x, y, 14.0, Rgb::GREY, subtitle);
        y += 40.0;
        for line in lines {
            let x = (PAGE_WIDTH - self.font().width(line, 11.0)) / 2.0;
            self.current().text(x, y, 11.0, Rgb::BLACK, line);
            y += 11.0 * LEADING * 1.2;
        }
        self.page_break();
    }

    /// A heading of `level` 1 (chapter, on a new page unless at its top) or
    /// 2; recorded for the contents.
    pub fn heading(&mut self, level: u8, text: &str) {
        let size = if level <= 1 { 16.0 } else { 12.5 };
        if level <= 1 && self.y > MARGIN {
            self.page_break();
        }
        self.make_room(size * LEADING * 3.0);
        self.y += size * 0.6;
        for line in wrap(self.font(), text, size, Flow::text_width()) {
            self.y += size;
            let y = self.y;
            self.current().text(MARGIN, y, size, Rgb::BLACK, &line);
            self.y += size * (LEADING - 1.0);
        }
        self.y += size * 0.4;
        self.outline.push((level, text.to_string(), self.page));
    }

    /// A paragraph of body text, wrapped to the text width.
    pub fn paragraph(&mut self, text: &str) {
        self.paragraph_sized(text, BODY, Rgb::BLACK);
    }

    /// A paragraph at a size and colour.
    pub fn paragraph_sized(&mut self, text: &str, size: f32, colour: Rgb) {
        for line in wrap(self.font(), text, size, Flow::text_width()) {
            self.make_room(size * LEADING);
            self.y += size;
            let y = self.y;
            self.current().text(MARGIN, y, size, colour, &line);
            self.y += size * (LEADING - 1.0);
        }
        self.y += size * 0.5;
    }

    /// A figure of `height` points: `draw` gets the page and the box's
    /// top-left corner and width.
    pub fn figure(&mut self, height: f32, draw: impl FnOnce(&mut Page, (f32, f32), f32, &Font)) {
        self.make_room(height);
        let (top, font) = (self.y, self.doc.font().clone());
        draw(self.current(), (MARGIN, top), Flow::text_width(), &font);
        self.y += height + 8.0;
    }

    /// A table; rows break across pages, the header repeating.
    pub fn table(&mut self, table: &Table) {
        let size = if table.size > 0.0 { table.size } else { BODY - 1.0 };
        let total: f32 = table.columns.iter().map(|c| c.share).sum::<f32>().max(f32::EPSILON);
        let widths: Vec<f32> = table.columns.iter().map(|c| c.share / total * Flow::text_width()).collect();
        let header: Vec<String> = table.columns.iter().map(|c| c.header.clone()).collect();
        self.make_room(size * LEADING * 3.0);
        self.table_row(&header, &widths, &table.columns, size, Some(HEADER_FILL), &[]);
        for (r, row) in table.rows.iter().enumerate() {
            let height = self.row_height(row, &widths, size);
            if self.y + height > PAGE_HEIGHT - MARGIN {
                self.page_break();
                self.table_row(&header, &widths, &table.columns, size, Some(HEADER_FILL), &[]);
            }
            let fills: Vec<(usize, Rgb)> =
                table.fills.iter().filter(|(fr, _, _)| *fr == r).map(|(_, c, colour)| (*c, *colour)).collect();
            self.table_row(row, &widths, &table.columns, size, None, &fills);
        }
        self.y += size;
    }

    fn row_height(&self, row: &[String], widths: &[f32], size: f32) -> f32 {
        let lines = row.iter().zip(widths).map(|(cell, w)| wrap(self.font(), cell, size, w - 6.0).len()).max();
        lines.unwrap_or(1).max(1) as f32 * size * LEADING + 4.0
    }

    fn table_row(
        &mut self,
        cells: &[String],
        widths: &[f32],
        columns: &[Column],
        size: f32,
        fill: Option<Rgb>,
        cell_fills: &[(usize, Rgb)],
    ) {
        let height = self.row_height(cells, widths, size);
        let top = self.y;
        let mut x = MARGIN;
        for (c, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let own = cell_fills.iter().find(|(col, _)| *col == c).map(|(_, f)| *f).or(fill);
            self.current().rect(x, top, *width, height, own, Some(Rgb(0.75, 0.75, 0.75)));
            let lines = wrap(self.font(), cell, size, width - 6.0);
            let mut y = top + 2.0;
            for line in lines {
                y += size;
                let tx = match columns.get(c).map_or(Align::Left, |col| col.align) {
                    Align::Left => x + 3.0,
                    Align::Right => x + width - 3.0 - self.font().width(&line, size),
                };
                self.current().text(tx, y, size, Rgb::BLACK, &line);
                y += size * (LEADING - 1.0);
            }
            x += width;
        }
        self.y += height;
    }

    /// Pages so far.
    pub fn page_count(&self) -> usize {
        self.doc.page_count()
    }

    /// The headings so far: `(level, text, page index)`.
    pub fn outline(&self) -> &[(u8, String, usize)] {
        &self.outline
    }

    /// Ends the flow: inserts a contents page after the title page (when
    /// `contents` is given as its heading), numbers the pages from there
    /// and writes the PDF.
    pub fn finish(mut self, contents: Option<&str>, footer: &str) -> Result<Vec<u8>, PdfError> {
        if self.doc.pages.last().is_some_and(|p| p.ops.is_empty()) && self.doc.page_count() > 1 {
            self.doc.pages.pop();
        }
        if let Some(heading) = contents {
            let at = self.doc.insert_page(1.min(self.doc.page_count()));
            let font = self.doc.font().clone();
            let page = self.doc.page(at);
            page.text(MARGIN, MARGIN + 16.0, 16.0, Rgb::BLACK, heading);
            let mut y = MARGIN + 50.0;
            for (level, text, index) in &self.outline {
                let number = (index + 2).to_string();
                let size = if *level <= 1 { 11.0 } else { 10.0 };
                let indent = if *level <= 1 { 0.0 } else { 18.0 };
                let width = Flow::text_width() - indent - 40.0;
                let line = wrap(&font, text, size, width).into_iter().next().unwrap_or_default();
                page.text(MARGIN + indent, y, size, Rgb::BLACK, &line);
                page.text(PAGE_WIDTH - MARGIN - font.width(&number, size), y, size, Rgb::BLACK, &number);
                y += size * LEADING * 1.1;
                if y > PAGE_HEIGHT - MARGIN {
                    break;
                }
            }
        }
        // Headings were recorded before the contents page went in after the
        // title page: every one of them is a page further on now.
        let shift = usize::from(contents.is_some());
        let bookmarks = self
            .outline
            .iter()
            .map(|(level, title, page)| crate::Bookmark { level: *level, title: title.clone(), page: page + shift })
            .collect();
        self.doc.set_bookmarks(bookmarks);
        let count = self.doc.page_count();
        let font = self.doc.font().clone();
        for index in 1..count {
            let text = format!("{footer} · {} / {count}", index + 1);
            let x = (PAGE_WIDTH - font.width(&text, 8.0)) / 2.0;
            self.doc.page(index).text(x, PAGE_HEIGHT - MARGIN / 2.0, 8.0, Rgb::GREY, &text);
        }
        self.doc.to_pdf()
    }
}

/// Whether a line may break before or after `c`: CJK ideographs, kana,
/// hangul and full-width punctuation break anywhere (GB/T 15834 allows it).
fn breaks_anywhere(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF)
}

/// Wraps `text` into lines no wider than `width` at `size`: at spaces and
/// around CJK characters, and inside a word only when it alone is too wide.
/// Newlines in the text start new lines.
pub(crate) fn wrap(font: &Font, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for token in tokens(paragraph) {
            let candidate = format!("{line}{token}");
            if font.width(&candidate, size) <= width || line.is_empty() && font.width(token, size) <= width {
                line = candidate;
                continue;
            }
            if !line.trim().is_empty() {
                lines.push(line.trim_end().to_string());
            }
            line = String::new();
            let token = token.trim_start();
            if font.width(token, size) <= width {
                line.push_str(token);
            } else {
                // A word wider than the line: break it where it must.
                for c in token.chars() {
                    if font.width(&format!("{line}{c}"), size) > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                    }
                    line.push(c);
                }
            }
        }
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Words (with the spaces before them) and single CJK characters.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        if breaks_anywhere(c) {
            if i > start {
                out.push(&text[start..i]);
            }
            out.push(&text[i..i + c.len_utf8()]);
            start = i + c.len_utf8();
            in_word = false;
        } else if c == ' ' && in_word {
            out.push(&text[start..i]);
            start = i;
            in_word = false;
        } else if c != ' ' {
            in_word = true;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_splits_into_words_and_single_cjk_characters() {
        assert_eq!(tokens("Rural income 农民收入"), vec!["Rural", " income", " ", "农", "民", "收", "入"]);
        assert_eq!(tokens("P001 县城"), vec!["P001", " ", "县", "城"]);
        assert_eq!(tokens(""), Vec::<&str>::new());
    }
}
