use super::*;

/// The system CJK font; tests that need it fail under CI when it is
/// missing (CI installs fonts-wqy-microhei) and are skipped elsewhere.
fn font() -> Option<Font> {
    match Font::system_cjk() {
        Ok(font) => Some(font),
        Err(e) if std::env::var_os("CI").is_some() => panic!("CI needs a CJK font: {e}"),
        Err(_) => None,
    }
}

#[test]
fn colours_read_from_hex() {
    assert_eq!(Rgb::hex("#ff0000"), Rgb(1.0, 0.0, 0.0));
    assert_eq!(Rgb::hex("0072B2"), Rgb(0.0, 114.0 / 255.0, 178.0 / 255.0));
    assert_eq!(Rgb::hex("nonsense"), Rgb::BLACK);
}

#[test]
fn a_document_embeds_only_the_glyphs_it_uses() {
    let Some(font) = font() else { return };
    let mut doc = Document::new(font.clone(), "测试 test");
    let page = doc.add_page();
    doc.page(page).text(60.0, 100.0, 14.0, Rgb::BLACK, "发展规划 Plan 2025");
    doc.page(page).rect(60.0, 120.0, 100.0, 40.0, Some(Rgb::hex("#009E73")), Some(Rgb::BLACK));
    doc.page(page).polygon(vec![vec![(200.0, 200.0), (260.0, 210.0), (230.0, 260.0)]], Some(Rgb::GREY), None);
    doc.page(page).line((60.0, 300.0), (300.0, 300.0), Rgb::BLACK, 1.0);
    assert!(doc.missing_glyphs().is_empty());
    let bytes = doc.to_pdf().unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("/FontFile2") && text.contains("/Identity-H") && text.contains("/ToUnicode"));
    assert!(bytes.len() < 60_000, "a subset of a few glyphs, not the 5 MB font: {} bytes", bytes.len());
}

#[test]
fn characters_without_glyphs_are_reported() {
    let Some(font) = font() else { return };
    let mut doc = Document::new(font, "x");
    let page = doc.add_page();
    // U+E000 is a private-use character no CJK font draws.
    doc.page(page).text(10.0, 10.0, 10.0, Rgb::BLACK, "好\u{E000}");
    assert_eq!(doc.missing_glyphs(), vec!['\u{E000}']);
}

/// CJK characters are one em wide in WenQuanYi Micro Hei: ten of them at
/// 10 pt fill 100 pt, so a 55 pt line holds five.
#[test]
fn chinese_wraps_between_any_two_characters_and_latin_at_spaces() {
    let Some(font) = font() else { return };
    if !font.path.contains("wqy-microhei") {
        return;
    }
    assert!((font.width("发展规划发展规划发展", 10.0) - 100.0).abs() < 0.01);
    assert_eq!(flow::wrap(&font, "发展规划发展规划发展", 10.0, 55.0), vec!["发展规划发", "展规划发展"]);
    let latin = flow::wrap(&font, "rural income per person", 10.0, 60.0);
    assert!(latin.len() > 1 && latin.iter().all(|l| !l.starts_with(' ')), "{latin:?}");
    assert_eq!(flow::wrap(&font, "a\nb", 10.0, 100.0), vec!["a", "b"]);
}

#[test]
fn a_flow_breaks_pages_repeats_table_headers_and_lists_contents() {
    let Some(font) = font() else { return };
    let mut flow = Flow::new(font, "规划");
    flow.title_page("左右江革命老区振兴规划", "2021—2025", &["省发展改革委".to_string()]);
    flow.heading(1, "第一章 规划目标");
    flow.paragraph(&"到2025年，农村居民人均可支配收入增长。".repeat(20));
    let table = Table {
        columns: vec![
            Column { header: "项目".into(), share: 3.0, align: Align::Left },
            Column { header: "预算（元）".into(), share: 1.0, align: Align::Right },
        ],
        rows: (0..120).map(|i| vec![format!("项目 {i}"), format!("{}", i * 1000)]).collect(),
        fills: vec![(0, 1, Rgb::hex("#009E73"))],
        size: 0.0,
    };
    flow.heading(2, "项目表");
    flow.table(&table);
    flow.figure(100.0, |page, (x, y), width, _| page.rect(x, y, width, 100.0, None, Some(Rgb::BLACK)));
    assert_eq!(flow.outline().len(), 2);
    let pages_before = flow.page_count();
    assert!(pages_before >= 4, "120 rows do not fit on one page: {pages_before}");
    let bytes = flow.finish(Some("目录"), "revita").unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    // Two bookmarks: the chapter, and the section under it.
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("/Outlines"), "an outline");
    assert_eq!(text.matches("/Dest").count(), 2);
    assert!(text.contains("/Count -1"), "the chapter holds one section, closed");
}
