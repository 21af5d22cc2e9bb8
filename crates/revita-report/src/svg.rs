//! Small SVG and text helpers shared by maps and charts.

use std::fmt::Write as _;

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number with thousands separators and at most `decimals` decimals,
/// trailing zeros dropped: `1234567.5` → `1,234,567.5`.
pub fn format_number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), ""), |(i, f)| (i, f));
    let mut grouped = String::new();
    for (i, digit) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let frac = frac.trim_end_matches('0');
    let sign = if value < 0.0 && (int != "0" || !frac.is_empty()) { "-" } else { "" };
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{frac}") }
}

/// Decimals that show a value of this magnitude sensibly.
pub fn decimals_for(value: f64) -> usize {
    match value.abs() {
        v if v >= 1000.0 => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    }
}

/// "Nice" axis ticks covering [min, max]: steps of 1, 2 or 5 × 10^k, about
/// `target` of them (Heckbert, "Nice numbers for graph labels", Graphics
/// Gems, 1990).
pub fn nice_ticks(min: f64, max: f64, target: usize) -> Vec<f64> {
    let (min, max) = if (max - min).abs() < f64::EPSILON { (min - 1.0, max + 1.0) } else { (min, max) };
    let raw = (max - min) / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(10.0 * magnitude);
    let first = (min / step).floor() * step;
    let mut ticks = Vec::new();
    let mut t = first;
    while t <= max + step * 0.5 {
        ticks.push((t / step).round() * step);
        t += step;
    }
    ticks
}

/// Appends a coordinate with one decimal, the precision of a screen pixel
/// tenth: enough for maps drawn at up to 10× zoom.
pub fn push_coord(out: &mut String, v: f64) {
    let _ = write!(out, "{:.1}", v);
    if out.ends_with(".0") {
        out.truncate(out.len() - 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_attributes_and_content() {
        assert_eq!(escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn numbers_get_separators_and_lose_trailing_zeros() {
        assert_eq!(format_number(38_562_148.0, 0), "38,562,148");
        assert_eq!(format_number(1234.5, 2), "1,234.5");
        assert_eq!(format_number(-0.25, 2), "-0.25");
        assert_eq!(format_number(999.0, 1), "999");
        assert_eq!(format_number(f64::NAN, 1), "–");
    }

    #[test]
    fn ticks_are_nice_numbers() {
        assert_eq!(nice_ticks(0.0, 97.0, 5), [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(2010.0, 2020.0, 5), [2010.0, 2012.0, 2014.0, 2016.0, 2018.0, 2020.0]);
        assert_eq!(nice_ticks(5.0, 5.0, 4), [4.0, 4.5, 5.0, 5.5, 6.0]);
    }

    #[test]
    fn coordinates_drop_a_zero_decimal() {
        let mut s = String::new();
        push_coord(&mut s, 12.04);
        s.push(' ');
        push_coord(&mut s, 3.25);
        assert_eq!(s, "12 3.2");
    }
}
