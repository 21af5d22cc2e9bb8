//! revita's PDF writer: A4 pages of text, tables and vector drawings, with
//! one TrueType font (a CJK font that also has Latin letters and digits,
//! e.g. WenQuanYi Micro Hei) embedded as a subset of the glyphs used.
//!
//! Text is written as glyph ids of an Identity-H CID font with a ToUnicode
//! map, so viewers render it with the embedded glyphs and `pdftotext` or a
//! screen reader gets the characters back (ISO 32000-1 §9.7 and §9.10).
//! The document is laid out by [`Flow`] (headings, paragraphs, tables,
//! figures, page breaks, a contents page) over [`Document`]'s pages, which
//! hold drawing operations until [`Document::finish`] subsets the font and
//! writes the file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

mod flow;

pub use flow::{Align, Column, Flow, Table};

/// A4 width in points.
pub const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points.
pub const PAGE_HEIGHT: f32 = 841.89;

/// What can go wrong making a PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The font file could not be read or parsed.
    #[error("font {path}: {reason}")]
    Font {
        /// The font file.
        path: String,
        /// Why it failed.
        reason: String,
    },
    /// No CJK font was found.
    #[error(
        "no CJK font found: install Debian's fonts-wqy-microhei (or fonts-noto-cjk), or set REVITA_CJK_FONT to a .ttf/.ttc file"
    )]
    NoFont,
    /// Subsetting the font failed.
    #[error("cannot subset the font: {0}")]
    Subset(String),
}

/// An RGB colour, components 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    /// Black.
    pub const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);
    /// A mid grey for rules and muted text.
    pub const GREY: Rgb = Rgb(0.45, 0.45, 0.45);

    /// A colour written `#rrggbb` (black if it is not).
    pub fn hex(text: &str) -> Rgb {
        let value = u32::from_str_radix(text.trim_start_matches('#'), 16).unwrap_or(0);
        let part = |shift: u32| ((value >> shift) & 0xff) as f32 / 255.0;
        Rgb(part(16), part(8), part(0))
    }
}

/// A TrueType font (a face of a collection), shared between documents.
#[derive(Clone)]
pub struct Font {
    data: Arc<Vec<u8>>,
    index: u32,
    path: String,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Font({}#{})", self.path, self.index)
    }
}

/// Where Debian puts CJK fonts that also carry Latin glyphs, best first.
const CJK_FONTS: [&str; 4] = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
];

impl Font {
    /// Face `index` of the font file at `path`.
    pub fn load(path: &Path, index: u32) -> Result<Font, PdfError> {
        let name = path.display().to_string();
        let data = std::fs::read(path).map_err(|e| PdfError::Font { path: name.clone(), reason: e.to_string() })?;
        ttf_parser::Face::parse(&data, index)
            .map_err(|e| PdfError::Font { path: name.clone(), reason: e.to_string() })?;
        Ok(Font { data: Arc::new(data), index, path: name })
    }

    /// The CJK font to use: `REVITA_CJK_FONT` (`path` or `path#index`) if
    /// set, else the first of Debian's CJK fonts that is installed.
    pub fn system_cjk() -> Result<Font, PdfError> {
        if let Ok(setting) = std::env::var("REVITA_CJK_FONT") {
            let (path, index) = match setting.rsplit_once('#') {
                Some((path, index)) => (path.to_string(), index.parse().unwrap_or(0)),
                None => (setting, 0),
            };
            return Font::load(Path::new(&path), index);
        }
        CJK_FONTS.iter().map(Path::new).find(|p| p.exists()).map_or(Err(PdfError::NoFont), |p| Font::load(p, 0))
    }

    fn face(&self) -> ttf_parser::Face<'_> {
        // Parsed once in `load`, so parsing again cannot fail.
        ttf_parser::Face::parse(&self.data, self.index).expect("font parsed at load")
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let face = self.face();
        let scale = size / f32::from(face.units_per_em());
        // A character without a glyph takes half an em, as its box will.
        text.chars()
            .map(|c| {
                face.glyph_index(c).and_then(|g| face.glyph_hor_advance(g)).map_or(size * 0.5, |a| f32::from(a) * scale)
            })
            .sum()
    }

    /// Whether the font has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        c.is_whitespace() || self.face().glyph_index(c).is_some()
    }
}

/// One drawing operation, in page coordinates with y downwards from the
/// top edge (converted to PDF's upward y when written).
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Text { x: f32, y: f32, size: f32, colour: Rgb, text: String },
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Option<Rgb>, stroke: Option<Rgb> },
    Line { from: (f32, f32), to: (f32, f32), colour: Rgb, width: f32 },
    Polygon { rings: Vec<Vec<(f32, f32)>>, fill: Option<Rgb>, stroke: Option<Rgb> },
}

/// A page: the drawing operations in order.
#[derive(Debug, Clone, Default)]
pub struct Page {
    ops: Vec<Op>,
}

impl Page {
    /// Text with its baseline at `(x, y)`.
    pub fn text(&mut self, x: f32, y: f32, size: f32, colour: Rgb, text: &str) {
        if !text.is_empty() {
            self.ops.push(Op::Text { x, y, size, colour, text: text.to_string() });
        }
    }

    /// A rectangle with its top-left corner at `(x, y)`.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Option<Rgb>, stroke: Option<Rgb>) {
        self.ops.push(Op::Rect { x, y, w, h, fill, stroke });
    }

    /// A straight line.
    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), colour: Rgb, width: f32) {
        self.ops.push(Op::Line { from, to, colour, width });
    }

    /// A polygon of one or more rings (holes by the even-odd rule).
    pub fn polygon(&mut self, rings: Vec<Vec<(f32, f32)>>, fill: Option<Rgb>, stroke: Option<Rgb>) {
        if rings.iter().any(|r| r.len() >= 3) {
            self.ops.push(Op::Polygon { rings, fill, stroke });
        }
    }
}

/// A bookmark of the document's outline (the viewer's side panel).
#[derive(Debug, Clone, PartialEq)]
pub struct Bookmark {
    /// 1 for a chapter, 2 for a section under the chapter before it.
    pub level: u8,
    /// What it says.
    pub title: String,
    /// The page it opens, by index.
    pub page: usize,
}

/// A document being drawn: its pages, its one font and its bookmarks.
#[derive(Debug, Clone)]
pub struct Document {
    font: Font,
    title: String,
    pages: Vec<Page>,
    bookmarks: Vec<Bookmark>,
}

impl Document {
    /// An empty document titled `title` (the PDF's metadata title).
    pub fn new(font: Font, title: &str) -> Document {
        Document { font, title: title.to_string(), pages: Vec::new(), bookmarks: Vec::new() }
    }

    /// Sets the outline: bookmarks in reading order.
    pub fn set_bookmarks(&mut self, bookmarks: Vec<Bookmark>) {
        self.bookmarks = bookmarks;
    }

    /// The font.
    pub fn font(&self) -> &Font {
        &self.font
    }

    /// Adds a page at the end; returns its index.
    pub fn add_page(&mut self) -> usize {
        self.pages.push(Page::default());
        self.pages.len() - 1
    }

    /// Inserts a page before `index`; returns `index`.
    pub fn insert_page(&mut self, index: usize) -> usize {
        self.pages.insert(index, Page::default());
        index
    }

    /// A page to draw on.
    pub fn page(&mut self, index: usize) -> &mut Page {
        &mut self.pages[index]
    }

    /// How many pages there are.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Characters in the document's text that the font has no glyph for
    /// (they would show as empty boxes).
    pub fn missing_glyphs(&self) -> Vec<char> {
        let face = self.font.face();
        let mut missing: Vec<char> = self
            .texts()
            .flat_map(str::chars)
            .filter(|c| !c.is_whitespace() && face.glyph_index(*c).is_none())
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    fn texts(&self) -> impl Iterator<Item = &str> {
        self.pages.iter().flat_map(|p| &p.ops).filter_map(|op| match op {
            Op::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }

    /// Writes the PDF: the font subset to the glyphs used, every stream
    /// compressed.
    pub fn to_pdf(&self) -> Result<Vec<u8>, PdfError> {
        let face = self.font.face();
        let scale = 1000.0 / f32::from(face.units_per_em());
        // Glyphs in first-use order; the subset renumbers them.
        let mut remapper = subsetter::GlyphRemapper::new();
        let mut chars: BTreeMap<u16, char> = BTreeMap::new();
        for c in self.texts().flat_map(str::chars) {
            let glyph = face.glyph_index(c).map_or(0, |g| g.0);
            remapper.remap(glyph);
            if glyph != 0 {
                chars.entry(glyph).or_insert(c);
            }
        }
        let subset = subsetter::subset(&self.font.data, self.font.index, &remapper)
            .map_err(|e| PdfError::Subset(format!("{e:?}")))?;
        let encode = |text: &str| -> Vec<u8> {
            text.chars()
                .flat_map(|c| {
                    let glyph = face.glyph_index(c).map_or(0, |g| g.0);
                    remapper.get(glyph).unwrap_or(0).to_be_bytes()
                })
                .collect()
        };

        let mut next = 1;
        let mut alloc = || {
            let r = Ref::new(next);
            next += 1;
            r
        };
        let (catalog, tree, info) = (alloc(), alloc(), alloc());
        let (type0, cid, descriptor, file, cmap) = (alloc(), alloc(), alloc(), alloc(), alloc());
        let page_refs: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (alloc(), alloc())).collect();
        let outline_root = alloc();
        let bookmark_refs: Vec<Ref> = self.bookmarks.iter().map(|_| alloc()).collect();
        let font_name = Name(b"RVTAAA+RevitaCJK");
        let font_key = Name(b"F1");

        let mut pdf = Pdf::new();
        {
            let mut catalog = pdf.catalog(catalog);
            catalog.pages(tree);
            if !self.bookmarks.is_empty() {
                catalog.outlines(outline_root);
            }
        }
        self.write_outline(&mut pdf, outline_root, &bookmark_refs, &page_refs);
        pdf.pages(tree).kids(page_refs.iter().map(|(p, _)| *p)).count(page_refs.len() as i32);
        pdf.document_info(info).title(TextStr(&self.title)).producer(TextStr("revita"));
        for (page, (page_ref, content_ref)) in self.pages.iter().zip(&page_refs) {
            let mut p = pdf.page(*page_ref);
            p.parent(tree).media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).contents(*content_ref);
            p.resources().fonts().pair(font_key, type0);
            p.finish();
            let content = draw(page, font_key, &encode);
            pdf.stream(*content_ref, &deflate(&content)).filter(Filter::FlateDecode);
        }

        pdf.type0_font(type0)
            .base_font(font_name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let system = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
        let mut cid_font = pdf.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(font_name)
            .system_info(system)
            .font_descriptor(descriptor)
            .default_width(1000.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        {
            let mut widths = cid_font.widths();
            for glyph in chars.keys() {
                let advance = face.glyph_hor_advance(ttf_parser::GlyphId(*glyph)).unwrap_or(0);
                if let Some(new) = remapper.get(*glyph) {
                    widths.consecutive(new, [f32::from(advance) * scale]);
                }
            }
        }
        cid_font.finish();
        let bbox = face.global_bounding_box();
        let units = |v: i16| f32::from(v) * scale;
        pdf.font_descriptor(descriptor)
            .name(font_name)
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(units(bbox.x_min), units(bbox.y_min), units(bbox.x_max), units(bbox.y_max)))
            .italic_angle(0.0)
            .ascent(units(face.ascender()))
            .descent(units(face.descender()))
            .cap_height(units(face.capital_height().unwrap_or(face.ascender())))
            .stem_v(80.0)
            .font_file2(file);
        pdf.stream(file, &deflate(&subset)).filter(Filter::FlateDecode).pair(Name(b"Length1"), subset.len() as i32);
        let mut unicode = UnicodeCmap::new(Name(b"Revita-UCS"), system);
        for (glyph, c) in &chars {
            if let Some(new) = remapper.get(*glyph) {
                unicode.pair(new, *c);
            }
        }
        pdf.cmap(cmap, &unicode.finish());
        Ok(pdf.finish())
    }
}

impl Document {
    /// The outline: chapters under the root, sections under their chapter,
    /// each opening its page at the top (ISO 32000-1 §12.3.3).
    fn write_outline(&self, pdf: &mut Pdf, root: Ref, refs: &[Ref], pages: &[(Ref, Ref)]) {
        if self.bookmarks.is_empty() {
            return;
        }
        // The parent of each bookmark: the chapter before a section, else the root.
        let mut parents = Vec::with_capacity(self.bookmarks.len());
        let mut chapter = None;
        for (i, b) in self.bookmarks.iter().enumerate() {
            if b.level <= 1 || chapter.is_none() {
                chapter = Some(i);
                parents.push(None);
            } else {
                parents.push(chapter);
            }
        }
        let children = |parent: Option<usize>| -> Vec<usize> {
            (0..self.bookmarks.len()).filter(|i| parents[*i] == parent).collect()
        };
        let top = children(None);
        let mut outline = pdf.outline(root);
        outline.first(refs[top[0]]).last(refs[*top.last().unwrap_or(&top[0])]).count(top.len() as i32);
        outline.finish();
        for (i, b) in self.bookmarks.iter().enumerate() {
            let siblings = children(parents[i]);
            let at = siblings.iter().position(|s| *s == i).unwrap_or(0);
            let mine = children(Some(i));
            let mut item = pdf.outline_item(refs[i]);
            item.title(TextStr(&b.title)).parent(parents[i].map_or(root, |p| refs[p]));
            if at > 0 {
                item.prev(refs[siblings[at - 1]]);
            }
            if let Some(next) = siblings.get(at + 1) {
                item.next(refs[*next]);
            }
            if let (Some(first), Some(last)) = (mine.first(), mine.last()) {
                item.first(refs[*first]).last(refs[*last]).count(-(mine.len() as i32));
            }
            let page = pages[b.page.min(pages.len() - 1)].0;
            item.dest().page(page).xyz(0.0, PAGE_HEIGHT, None);
        }
    }
}

/// A page's content stream.
fn draw(page: &Page, font: Name, encode: &dyn Fn(&str) -> Vec<u8>) -> Vec<u8> {
    let flip = |y: f32| PAGE_HEIGHT - y;
    let mut c = Content::new();
    for op in &page.ops {
        match op {
            Op::Text { x, y, size, colour, text } => {
                c.set_fill_rgb(colour.0, colour.1, colour.2);
                c.begin_text();
                c.set_font(font, *size);
                c.next_line(*x, flip(*y));
                c.show(Str(&encode(text)));
                c.end_text();
            }
            Op::Rect { x, y, w, h, fill, stroke } => {
                c.rect(*x, flip(*y + *h), *w, *h);
                paint(&mut c, *fill, *stroke, 0.5);
            }
            Op::Line { from, to, colour, width } => {
                c.set_stroke_rgb(colour.0, colour.1, colour.2);
                c.set_line_width(*width);
                c.move_to(from.0, flip(from.1));
                c.line_to(to.0, flip(to.1));
                c.stroke();
            }
            Op::Polygon { rings, fill, stroke } => {
                for ring in rings.iter().filter(|r| r.len() >= 3) {
                    c.move_to(ring[0].0, flip(ring[0].1));
                    for (x, y) in &ring[1..] {
                        c.line_to(*x, flip(*y));
                    }
                    c.close_path();
                }
                paint(&mut c, *fill, *stroke, 0.3);
            }
        }
    }
    c.finish().to_vec()
}

/// Fills and/or strokes the current path.
fn paint(c: &mut Content, fill: Option<Rgb>, stroke: Option<Rgb>, width: f32) {
    if let Some(f) = fill {
        c.set_fill_rgb(f.0, f.1, f.2);
    }
    if let Some(s) = stroke {
        c.set_stroke_rgb(s.0, s.1, s.2);
        c.set_line_width(width);
    }
    match (fill, stroke) {
        (Some(_), Some(_)) => c.fill_even_odd_and_stroke(),
        (Some(_), None) => c.fill_even_odd(),
        (None, Some(_)) => c.stroke(),
        (None, None) => c.end_path(),
    };
}

/// Zlib-compresses a stream (FlateDecode).
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    // Writing to a Vec cannot fail.
    encoder.write_all(data).expect("write to memory");
    encoder.finish().expect("write to memory")
}

#[cfg(test)]
mod tests;
