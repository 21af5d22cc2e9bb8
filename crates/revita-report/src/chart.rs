//! Charts as SVG: a time-series line chart with reference lines (the
//! national or provincial value beside a region's), and a histogram of an
//! indicator's distribution with a region marked. Every chart carries a
//! `<title>` and `<desc>`; pages put the numbers in a table beside it.

use std::fmt::Write as _;

use crate::svg::{decimals_for, escape, format_number, nice_ticks};

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// (x, y) points, x ascending (years).
    pub points: Vec<(f64, f64)>,
    /// The region's own line (solid) or a reference (dashed).
    pub reference: bool,
}

/// A line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Title.
    pub title: String,
    /// Unit of the y axis.
    pub unit: String,
    /// Lines, the region's first.
    pub series: Vec<Series>,
}

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 56.0;
const LINE_COLOURS: [&str; 3] = ["#0072B2", "#D55E00", "#009E73"];

fn open(svg: &mut String, title: &str, desc: &str, class: &str) {
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" class="{class}"><title>{}</title><desc>{}</desc><style>text{{font-family:sans-serif;fill:#222;font-size:11px}}</style>"#,
        escape(title),
        escape(desc)
    );
    let _ = write!(svg, r#"<text x="{LEFT}" y="20" style="font-size:13px;font-weight:bold">{}</text>"#, escape(title));
}

/// The plot area's data ranges: maps data to screen coordinates.
#[derive(Debug, Clone, Copy)]
struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn sx(&self, x: f64) -> f64 {
        let plot_w = WIDTH - LEFT - RIGHT;
        LEFT + if self.x1 > self.x0 { (x - self.x0) / (self.x1 - self.x0) * plot_w } else { plot_w / 2.0 }
    }

    fn sy(&self, y: f64) -> f64 {
        let plot_h = HEIGHT - TOP - BOTTOM;
        TOP + plot_h - if self.y1 > self.y0 { (y - self.y0) / (self.y1 - self.y0) * plot_h } else { plot_h / 2.0 }
    }
}

/// Draws gridlines, tick labels and the unit; returns the frame.
fn axes(svg: &mut String, x_ticks: &[f64], y_ticks: &[f64], x_labels: impl Fn(f64) -> String, unit: &str) -> Frame {
    let last = |v: &[f64]| *v.last().unwrap_or(&v[0]);
    let frame = Frame { x0: x_ticks[0], x1: last(x_ticks), y0: y_ticks[0], y1: last(y_ticks) };
    let decimals =
        y_ticks.iter().map(|t| decimals_for(frame.y1 - frame.y0).max(usize::from(t.fract() != 0.0))).max().unwrap_or(0);
    for &t in y_ticks {
        let y = frame.sy(t);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            format_number(t, decimals)
        );
    }
    for &t in x_ticks {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            frame.sx(t),
            HEIGHT - BOTTOM + 16.0,
            escape(&x_labels(t))
        );
    }
    let middle = TOP + (HEIGHT - TOP - BOTTOM) / 2.0;
    let _ = write!(
        svg,
        r#"<text x="12" y="{middle}" transform="rotate(-90 12 {middle})" text-anchor="middle">{}</text>"#,
        escape(unit)
    );
    frame
}

/// Renders a line chart; an empty chart says there is no data.
pub fn line_chart(chart: &LineChart) -> String {
    let points = chart.series.iter().flat_map(|s| s.points.iter());
    let (xs, ys): (Vec<f64>, Vec<f64>) = points.copied().unzip();
    let mut svg = String::new();
    let desc = chart.series.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(", ");
    open(&mut svg, &chart.title, &desc, "line-chart");
    if xs.is_empty() {
        let _ = write!(svg, r#"<text x="{}" y="{}" text-anchor="middle">–</text></svg>"#, WIDTH / 2.0, HEIGHT / 2.0);
        return svg;
    }
    let fold = |v: &[f64], f: fn(f64, f64) -> f64, init: f64| v.iter().copied().fold(init, f);
    let (x_min, x_max) = (fold(&xs, f64::min, f64::INFINITY), fold(&xs, f64::max, f64::NEG_INFINITY));
    let (y_min, y_max) = (fold(&ys, f64::min, f64::INFINITY), fold(&ys, f64::max, f64::NEG_INFINITY));
    let x_ticks: Vec<f64> = nice_ticks(x_min, x_max, 6).into_iter().filter(|t| t.fract() == 0.0).collect();
    let x_ticks = if x_ticks.len() < 2 { vec![x_min - 1.0, x_min, x_min + 1.0] } else { x_ticks };
    let y_ticks = nice_ticks(y_min.min(0.0_f64.max(y_min)), y_max, 5);
    let frame = axes(&mut svg, &x_ticks, &y_ticks, |t| format!("{t:.0}"), &chart.unit);
    for (i, series) in chart.series.iter().enumerate() {
        let colour = LINE_COLOURS[i % LINE_COLOURS.len()];
        let dash = if series.reference { r#" stroke-dasharray="5 4""# } else { "" };
        let mut d = String::new();
        for (j, (x, y)) in series.points.iter().enumerate() {
            let _ = write!(d, "{}{:.1} {:.1}", if j == 0 { 'M' } else { 'L' }, frame.sx(*x), frame.sy(*y));
        }
        let _ = write!(svg, r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>"#);
        for (x, y) in &series.points {
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"><title>{}: {x:.0} {}</title></circle>"#,
                frame.sx(*x),
                frame.sy(*y),
                escape(&series.label),
                format_number(*y, decimals_for(*y))
            );
        }
        let ly = HEIGHT - 18.0;
        let lx = LEFT + 170.0 * i as f64;
        let _ = write!(
            svg,
            r#"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/><text x="{}" y="{}">{}</text>"#,
            lx + 22.0,
            lx + 28.0,
            ly + 4.0,
            escape(&series.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A histogram of values with one value marked.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Title.
    pub title: String,
    /// Unit of the x axis.
    pub unit: String,
    /// The values.
    pub values: Vec<f64>,
    /// Number of equal-width bins.
    pub bins: usize,
    /// A value to mark (the region's), if any.
    pub marker: Option<(f64, String)>,
}

/// Counts per equal-width bin between min and max (the max in the last bin).
pub fn bin_counts(values: &[f64], bins: usize) -> (f64, f64, Vec<usize>) {
    let bins = bins.max(1);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut counts = vec![0; bins];
    if values.is_empty() {
        return (0.0, 0.0, counts);
    }
    let width = (max - min) / bins as f64;
    for v in values {
        let i = if width > 0.0 { (((v - min) / width) as usize).min(bins - 1) } else { 0 };
        counts[i] += 1;
    }
    (min, max, counts)
}

/// Renders a histogram.
pub fn histogram(h: &Histogram) -> String {
    let mut svg = String::new();
    open(&mut svg, &h.title, &format!("{} values", h.values.len()), "histogram");
    let (min, max, counts) = bin_counts(&h.values, h.bins);
    if h.values.is_empty() {
        svg.push_str("</svg>");
        return svg;
    }
    let top = counts.iter().copied().max().unwrap_or(1) as f64;
    let y_ticks = nice_ticks(0.0, top, 4);
    let x_ticks = nice_ticks(min, max, 6);
    let (lo, hi) = (x_ticks[0], *x_ticks.last().unwrap_or(&max));
    let decimals = decimals_for(hi - lo);
    let frame = axes(&mut svg, &[lo, hi], &y_ticks, |_| String::new(), "n");
    for &t in &x_ticks {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            frame.sx(t),
            HEIGHT - BOTTOM + 16.0,
            format_number(t, decimals)
        );
    }
    let width = (max - min) / counts.len() as f64;
    for (i, &count) in counts.iter().enumerate() {
        let (x0, x1) = (min + width * i as f64, min + width * (i as f64 + 1.0));
        let (left, right) = (frame.sx(x0), frame.sx(x1).max(frame.sx(x0) + 1.0));
        let _ = write!(
            svg,
            r##"<rect x="{left:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#56B4E9" stroke="#fff" stroke-width=".5"><title>{} – {}: {count}</title></rect>"##,
            frame.sy(count as f64),
            right - left,
            frame.sy(0.0) - frame.sy(count as f64),
            format_number(x0, decimals),
            format_number(x1, decimals)
        );
    }
    if let Some((value, label)) = &h.marker {
        let x = frame.sx(*value);
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{}" stroke="#D55E00" stroke-width="2"/><text x="{:.1}" y="{}" style="fill:#D55E00">{}</text>"##,
            frame.sy(0.0),
            x + 4.0,
            TOP + 10.0,
            escape(label)
        );
    }
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
        HEIGHT - 16.0,
        escape(&h.unit)
    );
    svg.push_str("</svg>");
    svg
}

/// A horizontal bar chart: one labelled bar per category, longest scale
/// first read from zero (for shares, counts and other non-negative values).
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Title.
    pub title: String,
    /// Unit of the values (shown after each value).
    pub unit: String,
    /// Categories and their values, drawn top to bottom in this order.
    pub bars: Vec<(String, f64)>,
}

/// Height of one bar row.
const BAR_ROW: f64 = 20.0;
/// Width kept for the category labels.
const BAR_LABELS: f64 = 150.0;

/// Renders a bar chart; its height grows with the number of bars.
pub fn bar_chart(chart: &BarChart) -> String {
    let height = TOP + BAR_ROW * chart.bars.len().max(1) as f64 + 12.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" class="bar-chart"><title>{}</title><desc>{} bars</desc><style>text{{font-family:sans-serif;fill:#222;font-size:11px}}</style>"#,
        escape(&chart.title),
        chart.bars.len()
    );
    let _ =
        write!(svg, r#"<text x="8" y="20" style="font-size:13px;font-weight:bold">{}</text>"#, escape(&chart.title));
    let top = chart.bars.iter().map(|(_, v)| *v).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let span = WIDTH - BAR_LABELS - RIGHT - 70.0;
    let decimals = decimals_for(top);
    for (i, (label, value)) in chart.bars.iter().enumerate() {
        let y = TOP + BAR_ROW * i as f64;
        let length = if top > 0.0 && value.is_finite() { (value.max(0.0) / top) * span } else { 0.0 };
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{BAR_LABELS}" y="{:.1}" width="{length:.1}" height="{:.1}" fill="#0072B2"><title>{}: {} {}</title></rect><text x="{:.1}" y="{:.1}">{} {}</text>"##,
            BAR_LABELS - 6.0,
            y + BAR_ROW * 0.65,
            escape(label),
            y + 3.0,
            BAR_ROW - 6.0,
            escape(label),
            format_number(*value, decimals),
            escape(&chart.unit),
            BAR_LABELS + length + 4.0,
            y + BAR_ROW * 0.65,
            format_number(*value, decimals),
            escape(&chart.unit)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One bar of a timeline: a project from start to end.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    /// The label on the left (code and name).
    pub label: String,
    /// Start, days since 1970-01-01.
    pub start: i64,
    /// End, days since 1970-01-01.
    pub end: i64,
    /// Share complete, 0–1: the darker part of the bar.
    pub done: f64,
    /// Milestones: day and whether late.
    pub milestones: Vec<(i64, bool)>,
}

/// A timeline (Gantt) chart of projects.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Title.
    pub title: String,
    /// The bars, top to bottom.
    pub rows: Vec<TimelineRow>,
    /// Today, marked by a line when within the span.
    pub today: i64,
    /// Year boundaries to mark: (day, label).
    pub years: Vec<(i64, String)>,
}

/// Renders a timeline; its height grows with the rows.
pub fn timeline(chart: &Timeline) -> String {
    let (label_width, row) = (170.0, 18.0);
    let height = TOP + row * chart.rows.len().max(1) as f64 + 24.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" class="timeline"><title>{}</title><desc>{} bars</desc><style>text{{font-family:sans-serif;fill:#222;font-size:10px}}</style>"#,
        escape(&chart.title),
        chart.rows.len()
    );
    let _ =
        write!(svg, r#"<text x="8" y="20" style="font-size:13px;font-weight:bold">{}</text>"#, escape(&chart.title));
    let first = chart.rows.iter().map(|r| r.start).min().unwrap_or(0);
    let last = chart.rows.iter().map(|r| r.end).max().unwrap_or(first + 1).max(first + 1);
    let span = WIDTH - label_width - RIGHT;
    let at = |day: i64| label_width + (day - first) as f64 / (last - first) as f64 * span;
    let bottom = TOP + row * chart.rows.len() as f64;
    for (day, label) in chart.years.iter().filter(|(d, _)| (first..=last).contains(d)) {
        let x = at(*day);
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{bottom}" stroke="#ddd"/><text x="{:.1}" y="{:.1}">{}</text>"##,
            x + 2.0,
            bottom + 14.0,
            escape(label)
        );
    }
    for (i, r) in chart.rows.iter().enumerate() {
        let y = TOP + row * i as f64;
        let (start, end) = (at(r.start), at(r.end).max(at(r.start) + 1.0));
        let done = (end - start) * r.done.clamp(0.0, 1.0);
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{start:.1}" y="{:.1}" width="{:.1}" height="11" fill="#C6DBEF"><title>{}</title></rect><rect x="{start:.1}" y="{:.1}" width="{done:.1}" height="11" fill="#0072B2"/>"##,
            label_width - 6.0,
            y + 12.0,
            escape(&r.label),
            y + 3.0,
            end - start,
            escape(&r.label),
            y + 3.0,
        );
        for (day, late) in &r.milestones {
            let x = at(*day);
            let fill = if *late { "#D55E00" } else { "#222" };
            let _ = write!(
                svg,
                r#"<path d="M{x:.1} {:.1}l4 6l-4 6l-4-6z" fill="{fill}" class="{}"/>"#,
                y + 2.5,
                if *late { "milestone late" } else { "milestone" }
            );
        }
    }
    if (first..=last).contains(&chart.today) {
        let x = at(chart.today);
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{bottom}" stroke="#D55E00" stroke-width="1.5" class="today"/>"##
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_draws_each_series_with_point_titles() {
        let chart = LineChart {
            title: "常住人口".into(),
            unit: "persons".into(),
            series: vec![
                Series { label: "南明区".into(), points: vec![(2010.0, 800.0), (2020.0, 1000.0)], reference: false },
                Series {
                    label: "贵州省 mean".into(), points: vec![(2010.0, 900.0), (2020.0, 950.0)], reference: true
                },
            ],
        };
        let svg = line_chart(&chart);
        assert_eq!(svg.matches("<path ").count(), 2);
        assert_eq!(svg.matches("stroke-dasharray").count(), 2, "the reference line and its legend swatch");
        assert!(
            svg.contains("<title>南明区: 2020 1,000 </title>") || svg.contains("<title>南明区: 2020 1,000"),
            "{svg}"
        );
        assert!(svg.contains(">2010</text>") && svg.contains(">2020</text>"));
    }

    #[test]
    fn an_empty_chart_says_so() {
        let svg = line_chart(&LineChart { title: "x".into(), unit: "u".into(), series: vec![] });
        assert!(svg.ends_with("–</text></svg>"));
    }

    #[test]
    fn bins_split_the_range_evenly() {
        // 0..10 in 5 bins of width 2: [0,2) has 0,1; …; the max 10 joins the last bin.
        let values: Vec<f64> = (0..=10).map(f64::from).collect();
        assert_eq!(bin_counts(&values, 5), (0.0, 10.0, vec![2, 2, 2, 2, 3]));
        assert_eq!(bin_counts(&[4.0, 4.0], 3).2, vec![2, 0, 0]);
    }

    #[test]
    fn a_histogram_marks_the_region() {
        let h = Histogram {
            title: "t".into(),
            unit: "%".into(),
            values: vec![1.0, 2.0, 3.0],
            bins: 3,
            marker: Some((2.0, "南明区".into())),
        };
        let svg = histogram(&h);
        assert_eq!(svg.matches("<rect ").count(), 3);
        assert!(svg.contains(">南明区</text>"));
    }

    #[test]
    fn bars_scale_to_the_largest_value() {
        let chart = BarChart {
            title: "M0 <share>".into(),
            unit: "%".into(),
            bars: vec![("营养".into(), 40.0), ("cooking".into(), 10.0), ("none".into(), 0.0)],
        };
        let svg = bar_chart(&chart);
        assert_eq!(svg.matches("<rect ").count(), 3);
        let span = WIDTH - BAR_LABELS - RIGHT - 70.0;
        assert!(svg.contains(&format!(r#"width="{span:.1}""#)), "the largest bar spans the plot");
        assert!(
            svg.contains(&format!(r#"width="{:.1}""#, span / 4.0)),
            "a quarter of the largest is a quarter as long"
        );
        assert!(svg.contains(">营养</text>") && svg.contains("M0 &lt;share&gt;"));
    }

    #[test]
    fn a_timeline_places_bars_by_day_and_marks_late_milestones() {
        let chart = Timeline {
            title: "项目".into(),
            rows: vec![
                TimelineRow { label: "P1".into(), start: 0, end: 100, done: 0.5, milestones: vec![(50, true)] },
                TimelineRow { label: "P2".into(), start: 50, end: 200, done: 0.0, milestones: vec![(60, false)] },
            ],
            today: 100,
            years: vec![(100, "1970-04".into())],
        };
        let svg = timeline(&chart);
        // 200 days over 560 − 170 − 16 = 374 units: P1 ends at 170 + 187.
        assert!(svg.contains(r#"<rect x="170.0" y="39.0" width="187.0""#), "{svg}");
        assert!(svg.contains(r##"width="93.5" height="11" fill="#0072B2""##), "half done");
        assert_eq!(svg.matches("milestone late").count(), 1);
        assert!(svg.contains(r#"class="today""#));
    }
}
