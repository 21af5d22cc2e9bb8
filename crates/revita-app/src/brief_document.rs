//! The evidence brief as a PDF through `revita-pdf` (issue 18): summary,
//! each indicator's gap with a chart of the region against the nation,
//! convergence across the subdivisions, the assistance received, and the
//! methods with their sources. Chinese or English.

use revita_pdf::{Align, Column, Flow, Page, Rgb, Table};

use crate::brief::{Brief, BriefIndicator, recommendation_text};
use crate::{AppError, AppResult};

fn t(zh: bool, en: &'static str, cn: &'static str) -> &'static str {
    if zh { cn } else { en }
}

fn column(header: &str, share: f32, align: Align) -> Column {
    Column { header: header.to_string(), share, align }
}

/// A value with as many decimals as its size needs.
fn number(v: f64) -> String {
    match v.abs() {
        a if a >= 100.0 => format!("{v:.0}"),
        a if a >= 1.0 => format!("{v:.2}"),
        _ => format!("{v:.4}"),
    }
}

/// The indicator's name in the brief's language.
fn name(i: &BriefIndicator, zh: bool) -> String {
    if zh {
        i.indicator.name_zh.clone()
    } else {
        i.indicator.name_en.clone().unwrap_or_else(|| i.indicator.name_zh.clone())
    }
}

/// The region's name in the brief's language.
fn region_name(b: &Brief, zh: bool) -> String {
    if zh { b.region.name_zh.clone() } else { b.region.name_en.clone().unwrap_or_else(|| b.region.name_zh.clone()) }
}

/// Two lines (the region solid, the nation grey) over the years of both.
fn line_chart(page: &mut Page, (x0, y0): (f32, f32), width: f32, i: &BriefIndicator, zh: bool) {
    let all: Vec<(i32, f64)> = i.series.iter().chain(&i.national_series).copied().collect();
    if all.len() < 2 {
        return;
    }
    let (min_x, max_x) = (all.iter().map(|p| p.0).min().unwrap_or(0), all.iter().map(|p| p.0).max().unwrap_or(1));
    let (min_y, max_y) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    let (h, w) = (90.0_f32, width * 0.6);
    let span_x = f64::from((max_x - min_x).max(1));
    let span_y = (max_y - min_y).max(max_y.abs() * 0.01).max(1e-9);
    let at = |(x, y): (i32, f64)| {
        (x0 + (f64::from(x - min_x) / span_x) as f32 * w, y0 + 14.0 + h - ((y - min_y) / span_y) as f32 * h)
    };
    page.text(x0, y0 + 10.0, 9.0, Rgb::BLACK, &name(i, zh));
    page.line((x0, y0 + 14.0 + h), (x0 + w, y0 + 14.0 + h), Rgb(0.6, 0.6, 0.6), 0.5);
    for (series, colour) in [(&i.national_series, Rgb(0.6, 0.6, 0.6)), (&i.series, Rgb::hex("#0072B2"))] {
        for pair in series.windows(2) {
            page.line(at(pair[0]), at(pair[1]), colour, 1.5);
        }
    }
    page.text(x0, y0 + 28.0 + h, 8.0, Rgb::BLACK, &format!("{min_x}"));
    page.text(x0 + w - 20.0, y0 + 28.0 + h, 8.0, Rgb::BLACK, &format!("{max_x}"));
    let legend =
        format!("{}  — {}", t(zh, "blue: the region; grey: national", "蓝线：本地区；灰线：全国"), number(max_y));
    page.text(x0 + w + 10.0, y0 + 30.0, 8.0, Rgb::BLACK, &legend);
}

/// The subdivisions coloured in five quantile classes of the indicator.
fn subdivision_map(flow: &mut Flow, map: &crate::brief::BriefMap, zh: bool) {
    const RAMP: [&str; 5] = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
    let mut sorted: Vec<f64> = map.areas.iter().map(|(_, _, v)| *v).collect();
    sorted.sort_by(f64::total_cmp);
    let bound = |k: usize| sorted[((sorted.len() - 1) * k) / 5];
    let breaks: Vec<f64> = (1..=5).map(bound).collect();
    let class = |v: f64| breaks.iter().position(|b| v <= *b).unwrap_or(4);
    let painted: Vec<(&revita_methods::geometry::MultiPolygon, String)> =
        map.areas.iter().map(|(_, shape, v)| (shape, RAMP[class(*v)].to_string())).collect();
    let mut lower = sorted[0];
    let legend: Vec<(String, String)> = breaks
        .iter()
        .zip(RAMP)
        .map(|(upper, colour)| {
            let label = format!("{} – {}", number(lower), number(*upper));
            lower = *upper;
            (colour.to_string(), label)
        })
        .collect();
    let indicator = if zh {
        map.indicator.name_zh.clone()
    } else {
        map.indicator.name_en.clone().unwrap_or_else(|| map.indicator.name_zh.clone())
    };
    let note = format!("{indicator} ({}), {}", map.indicator.unit, map.year);
    crate::plan_document::area_map(flow, &painted, &legend, &note);
}

/// The brief as a PDF in Chinese (`zh`) or English.
pub fn brief_pdf(b: &Brief, zh: bool) -> AppResult<Vec<u8>> {
    let region = region_name(b, zh);
    let title = if zh {
        format!("{region}{}年发展差距证据简报", b.year)
    } else {
        format!("{region}: evidence brief, {}", b.year)
    };
    let mut flow = Flow::new(crate::plan_document::font()?, &title);
    flow.heading(1, &title);
    flow.paragraph(t(
        zh,
        "Each indicator's latest value beside the national value and the mean of the regions at the same level; the standing is the region's value over the national one (inverted where lower is better), so that below 100% is behind.",
        "各指标最新值与全国水平及同级地区均值比较；相对水平为本地区值与全国值之比（越低越好的指标取倒数），低于100%即落后。",
    ));
    let pct = |v: Option<f64>| v.map(|s| format!("{:.0}%", s * 100.0)).unwrap_or_else(|| "–".into());
    let rows = b
        .indicators
        .iter()
        .map(|i| {
            vec![
                name(i, zh),
                i.latest.map(|(y, v)| format!("{} ({y})", number(v))).unwrap_or_else(|| "–".into()),
                i.national.map(number).unwrap_or_else(|| "–".into()),
                i.peers.map(number).unwrap_or_else(|| "–".into()),
                pct(i.standing),
                pct(i.peer_standing),
                match i.catching_up.as_ref().and_then(|c| c.years) {
                    Some(y) => format!("{y:.0}"),
                    None => "–".into(),
                },
            ]
        })
        .collect();
    flow.table(&Table {
        columns: vec![
            column(t(zh, "Indicator", "指标"), 2.2, Align::Left),
            column(t(zh, "Value", "数值"), 1.3, Align::Right),
            column(t(zh, "National", "全国"), 1.0, Align::Right),
            column(t(zh, "Peers' mean", "同级均值"), 1.0, Align::Right),
            column(t(zh, "vs national", "相对全国"), 0.9, Align::Right),
            column(t(zh, "vs peers", "相对同级"), 0.9, Align::Right),
            column(t(zh, "Years to close", "缩小差距年数"), 1.0, Align::Right),
        ],
        rows,
        size: 8.0,
        ..Default::default()
    });
    flow.heading(2, t(zh, "Recommendations", "政策建议"));
    for i in &b.indicators {
        if let Some(r) = &i.recommendation {
            flow.paragraph(&format!("{}: {}", name(i, zh), recommendation_text(r, zh)));
        }
    }
    flow.heading(2, t(zh, "Trends", "变化趋势"));
    for i in b.indicators.iter().filter(|i| i.series.len() + i.national_series.len() >= 2) {
        flow.figure(130.0, |page, origin, width, _| line_chart(page, origin, width, i, zh));
    }
    if let Some(map) = &b.map {
        flow.heading(2, t(zh, "The subdivisions", "下辖地区分布"));
        subdivision_map(&mut flow, map, zh);
    }
    flow.heading(2, t(zh, "Convergence across the subdivisions", "下辖地区收敛分析"));
    let rows: Vec<Vec<String>> = b
        .indicators
        .iter()
        .map(|i| {
            let sigma = match (i.sigma.first(), i.sigma.last()) {
                (Some(a), Some(z)) if a.0 != z.0 => format!("{:.3} ({}) → {:.3} ({})", a.1, a.0, z.1, z.0),
                (Some(a), _) => format!("{:.3} ({})", a.1, a.0),
                _ => "–".into(),
            };
            let beta = match &i.beta {
                Some((from, to, b)) => format!(
                    "b = {:.4} (SE {:.4}), {from}–{to}; {}",
                    b.line.slope,
                    b.line.slope_se,
                    match (b.speed, b.half_life) {
                        (Some(s), Some(h)) => format!("β = {:.2}%/yr, half-life {h:.0} yr", s * 100.0),
                        (Some(s), None) => format!("β = {:.2}%/yr", s * 100.0),
                        _ => "–".into(),
                    }
                ),
                None => "–".into(),
            };
            vec![name(i, zh), sigma, beta]
        })
        .collect();
    flow.table(&Table {
        columns: vec![
            column(t(zh, "Indicator", "指标"), 1.6, Align::Left),
            column(t(zh, "σ (sd of logs)", "σ（对数标准差）"), 1.6, Align::Left),
            column(t(zh, "β-convergence", "β收敛"), 2.8, Align::Left),
        ],
        rows,
        size: 8.0,
        ..Default::default()
    });
    flow.heading(2, t(zh, "Pairing assistance received", "对口支援情况"));
    if b.assistance.rows.is_empty() {
        flow.paragraph(t(zh, "No pairing in force in the year.", "当年无对口支援关系。"));
    } else {
        let rows = b
            .assistance
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.pairing.program.clone(),
                    r.donor_name.clone(),
                    r.recipient_name.clone(),
                    r.obligation.map(|o| format!("{:.2}", o / 1e4)).unwrap_or_else(|| "–".into()),
                    format!("{:.2}", r.delivered.funds / 1e4),
                    pct(r.fulfilment),
                ]
            })
            .collect();
        flow.table(&Table {
            columns: vec![
                column(t(zh, "Programme", "项目"), 1.6, Align::Left),
                column(t(zh, "Donor", "支援方"), 1.0, Align::Left),
                column(t(zh, "Recipient", "受援方"), 1.2, Align::Left),
                column(t(zh, "Due (10k yuan)", "应援（万元）"), 1.0, Align::Right),
                column(t(zh, "Delivered (10k yuan)", "实援（万元）"), 1.0, Align::Right),
                column(t(zh, "Fulfilment", "完成率"), 0.8, Align::Right),
            ],
            rows,
            size: 8.0,
            ..Default::default()
        });
    }
    flow.heading(2, t(zh, "Methods and sources", "方法与来源"));
    flow.paragraph(t(
        zh,
        "σ-convergence is the standard deviation of log values across the subdivisions; β-convergence regresses their average annual log growth on the initial log level (Barro and Sala-i-Martin 1992), the speed β = −ln(1 + bT)/T and the half-life ln 2/β. Years to close a gap fit the log of the standing against the year and divide the remaining log gap by the slope, with an interval at ±1.96 standard errors. Recommendations follow stated thresholds: below 60% of the national level and widening is a priority; a gap closing only after more than 20 years is slow. Obligations of pairing assistance follow methods.md §4: a share of the donor's fiscal revenue of an earlier year, or an amount growing each year, split among its recipients; fulfilment is funds delivered over the obligation. Values are the stored observations with their sources (see each indicator's page).",
        "σ收敛为下辖地区对数值的标准差；β收敛以年均对数增长率对初始对数水平回归（Barro与Sala-i-Martin，1992），收敛速度β = −ln(1 + bT)/T，半衰期为ln 2/β。缩小差距年数以相对水平的对数对年份拟合，以剩余对数差距除以斜率，区间取±1.96倍标准误。建议依据明示阈值：低于全国水平60%且差距扩大为重点支持；按趋势需20年以上方能缩小差距为追赶偏慢。对口支援应援额依据methods.md第4节：支援方往年财政收入的一定比例，或逐年递增的数额，在其受援方之间分摊；完成率为实援资金与应援额之比。数据为平台所存观测值，来源见各指标页面。",
    ));
    flow.finish(None, &title).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}
