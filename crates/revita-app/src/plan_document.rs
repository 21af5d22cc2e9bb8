//! A plan as a printable document (PDF): title page, contents, overview
//! with a status chart, a map of the scope by target status, goals and
//! targets with their status, projects with execution, a timeline chart
//! (Gantt) and funding by source. Chinese or English.

use std::collections::HashMap;
use std::sync::OnceLock;

use revita_methods::RegionCode;
use revita_methods::geometry::MultiPolygon;
use revita_methods::plan::{FundingSource, Status};
use revita_pdf::{Align, Column, Flow, Font, Page, Rgb, Table};

use crate::plans::PlanReport;
use crate::{App, AppError, AppResult};

/// The colour of a target status (Okabe–Ito, safe for colour-blind readers).
pub fn status_colour(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Achieved) => "#009E73",
        Some(Status::OnTrack) => "#56B4E9",
        Some(Status::AtRisk) => "#E69F00",
        Some(Status::OffTrack) => "#D55E00",
        None => "#DDDDDD",
    }
}

/// The document's words in one language.
struct Words {
    zh: bool,
}

impl Words {
    fn t(&self, en: &'static str, zh: &'static str) -> &'static str {
        if self.zh { zh } else { en }
    }

    fn status(&self, status: Option<Status>) -> &'static str {
        match status {
            Some(Status::Achieved) => self.t("achieved", "已实现"),
            Some(Status::OnTrack) => self.t("on track", "进度正常"),
            Some(Status::AtRisk) => self.t("at risk", "存在风险"),
            Some(Status::OffTrack) => self.t("off track", "明显滞后"),
            None => self.t("no data", "无数据"),
        }
    }
}

/// The font documents are set in, loaded once.
pub(crate) fn font() -> AppResult<Font> {
    static FONT: OnceLock<Result<Font, String>> = OnceLock::new();
    FONT.get_or_init(|| Font::system_cjk().map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

/// A region on the plan's map: its name, shape and status.
#[derive(Debug, Clone)]
pub struct MapArea {
    /// The region.
    pub code: RegionCode,
    /// Its name in the document's language.
    pub name: String,
    /// Its boundary (lon/lat).
    pub shape: MultiPolygon,
    /// The worst status of its targets.
    pub status: Option<Status>,
}

impl App {
    /// The plan as a PDF in Chinese (`zh`) or English, for `actor` (a
    /// reader inside the scope gets their part, as on the page).
    pub async fn plan_pdf(
        &self,
        actor: &crate::auth::Actor,
        id: i64,
        today: revita_methods::Date,
        zh: bool,
    ) -> AppResult<Vec<u8>> {
        let report = self.plan_report(actor, id, today).await?;
        let areas = self.plan_map_areas(&report, zh).await?;
        let mut names = HashMap::new();
        for v in &report.projects {
            if names.contains_key(&v.project.region) {
                continue;
            }
            if let Some(region) = self.store().region(&v.project.region).await? {
                names.insert(
                    region.code.clone(),
                    if zh { region.name_zh } else { region.name_en.unwrap_or(region.name_zh) },
                );
            }
        }
        let font = font()?;
        tokio::task::spawn_blocking(move || plan_pdf_bytes(&report, &areas, &names, font, zh))
            .await
            .map_err(|e| anyhow::anyhow!("document thread failed: {e}"))?
    }

    /// The regions to map for a plan: the counties under a subtree's root
    /// (or the root itself), else the scope's regions, with their boundaries.
    pub async fn plan_map_areas(&self, report: &PlanReport, zh: bool) -> AppResult<Vec<MapArea>> {
        let regions: Vec<RegionCode> = match &report.plan.scope {
            revita_methods::plan::PlanScope::Subtree(root) => {
                let counties: Vec<RegionCode> =
                    self.store().descendants(root, Some("county")).await?.into_iter().map(|r| r.code).collect();
                if counties.is_empty() { vec![root.clone()] } else { counties }
            }
            _ => report.scope_regions.clone(),
        };
        let mut areas = Vec::new();
        for code in regions {
            let Some(region) = self.store().region(&code).await? else { continue };
            let shape = match self.store().boundary(&code).await? {
                Some(b) => revita_ingest::boundaries::parse_geometry(&b.geojson)
                    .map_err(|e| anyhow::anyhow!("stored boundary of {code} is invalid: {e}"))?,
                None => MultiPolygon::new(),
            };
            let name = if zh { region.name_zh } else { region.name_en.unwrap_or(region.name_zh) };
            areas.push(MapArea { status: report.region_status.get(&code).copied(), code, name, shape });
        }
        Ok(areas)
    }
}

/// Lays the plan out and writes the PDF.
pub fn plan_pdf_bytes(
    report: &PlanReport,
    areas: &[MapArea],
    names: &HashMap<RegionCode, String>,
    font: Font,
    zh: bool,
) -> AppResult<Vec<u8>> {
    let w = Words { zh };
    let p = &report.plan;
    let mut flow = Flow::new(font, &p.title);
    let kind = if zh { p.kind.zh() } else { kind_en(p.kind) };
    let status = if zh { p.status.zh() } else { p.status.as_str() };
    flow.title_page(
        &p.title,
        &format!("{kind} · {}—{}", p.start_year, p.end_year),
        &[
            format!("{}：{}", w.t("Responsible office", "编制单位"), p.office),
            format!("{}：{status}", w.t("Status", "状态")),
            format!("{}：{}", w.t("Report date", "报告日期"), report.today),
            if report.partial {
                w.t("Part within your jurisdiction", "本辖区部分").to_string()
            } else {
                String::new()
            },
        ],
    );
    overview(&mut flow, report, &w);
    scope_map(&mut flow, areas, &w);
    goals(&mut flow, report, &w);
    projects(&mut flow, report, names, &w);
    funding(&mut flow, report, &w);
    flow.finish(Some(w.t("Contents", "目录")), &p.title).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

fn kind_en(kind: revita_methods::plan::PlanKind) -> &'static str {
    use revita_methods::plan::PlanKind;
    match kind {
        PlanKind::FiveYear => "Five-year plan",
        PlanKind::Relocation => "Relocation plan",
        PlanKind::Reconstruction => "Reconstruction plan",
        PlanKind::Transformation => "Transformation plan",
        PlanKind::Special => "Special plan",
    }
}

fn money(value: f64) -> String {
    let whole = value.round() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if whole < 0 { format!("-{out}") } else { out }
}

fn percent(value: Option<f64>) -> String {
    // `+ 0.0` turns an empty sum's −0 into 0.
    value.map_or("—".into(), |v| format!("{:.1}%", 100.0 * v + 0.0))
}

fn overview(flow: &mut Flow, report: &PlanReport, w: &Words) {
    let r = &report.rollup;
    flow.heading(1, w.t("1 Overview", "一、总体情况"));
    let summary = if w.zh {
        format!(
            "规划共设 {} 项指标目标：已实现 {} 项，进度正常 {} 项，存在风险 {} 项，明显滞后 {} 项，无数据 {} 项；约束性指标总体状态：{}。项目 {} 个，总投资 {} 元，已拨付 {} 元，执行率 {}。",
            r.achieved + r.on_track + r.at_risk + r.off_track + r.no_data,
            r.achieved,
            r.on_track,
            r.at_risk,
            r.off_track,
            r.no_data,
            w.status(r.status),
            report.projects.len(),
            money(report.execution.budget),
            money(report.execution.disbursed),
            percent(report.execution.rate()),
        )
    } else {
        format!(
            "{} targets: {} achieved, {} on track, {} at risk, {} off track, {} without data; binding targets overall: {}. {} projects with a budget of {} yuan, {} disbursed, an execution rate of {}.",
            r.achieved + r.on_track + r.at_risk + r.off_track + r.no_data,
            r.achieved,
            r.on_track,
            r.at_risk,
            r.off_track,
            r.no_data,
            w.status(r.status),
            report.projects.len(),
            money(report.execution.budget),
            money(report.execution.disbursed),
            percent(report.execution.rate()),
        )
    };
    flow.paragraph(&summary);
    flow.paragraph_sized(
        w.t(
            "Status rule: a target is achieved once its latest value reaches the target; otherwise it is on track when the change since the baseline is at least 95% of the change the straight path (or a set intermediate target) expects by that year, at risk from 75%, off track below. A goal or plan takes the worst status of its binding targets.",
            "判定规则：最新值达到目标值为“已实现”；否则按基期至目标值的直线路径（或设定的年度目标）计算应完成的变化量，实际完成不低于95%为“进度正常”，75%—95%为“存在风险”，低于75%为“明显滞后”。目标和规划取其约束性指标中最差的状态。",
        ),
        8.5,
        Rgb::GREY,
    );
    let bars = [
        (Some(Status::Achieved), r.achieved),
        (Some(Status::OnTrack), r.on_track),
        (Some(Status::AtRisk), r.at_risk),
        (Some(Status::OffTrack), r.off_track),
        (None, r.no_data),
    ];
    let labels: Vec<(String, f64, &str)> =
        bars.iter().map(|(s, n)| (w.status(*s).to_string(), *n as f64, status_colour(*s))).collect();
    flow.figure(20.0 * labels.len() as f32 + 24.0, |page, origin, width, font| {
        bar_chart(page, origin, width, font, w.t("Targets by status", "指标目标状态"), &labels, "");
    });
    if !report.transitions.is_empty() {
        flow.heading(2, w.t("Approval history", "审批记录"));
        flow.table(&Table {
            columns: vec![
                column(w.t("From", "原状态"), 1.0, Align::Left),
                column(w.t("To", "新状态"), 1.0, Align::Left),
                column(w.t("By", "操作人"), 1.0, Align::Left),
                column(w.t("Comment", "说明"), 2.0, Align::Left),
            ],
            rows: report
                .transitions
                .iter()
                .map(|t| {
                    let name = |s: revita_methods::plan::PlanStatus| if w.zh { s.zh() } else { s.as_str() }.to_string();
                    vec![name(t.from), name(t.to), t.actor.clone(), t.comment.clone().unwrap_or_default()]
                })
                .collect(),
            ..Default::default()
        });
    }
}

fn column(header: &str, share: f32, align: Align) -> Column {
    Column { header: header.to_string(), share, align }
}

/// Horizontal bars with labels and values inside a box.
fn bar_chart(
    page: &mut Page,
    (x, y): (f32, f32),
    width: f32,
    font: &Font,
    title: &str,
    bars: &[(String, f64, &str)],
    unit: &str,
) {
    page.text(x, y + 12.0, 11.0, Rgb::BLACK, title);
    let top = bars.iter().map(|(_, v, _)| *v).fold(0.0, f64::max);
    let (label_width, value_width) = (130.0, 90.0);
    let span = width - label_width - value_width;
    for (i, (label, value, colour)) in bars.iter().enumerate() {
        let row = y + 22.0 + 20.0 * i as f32;
        page.text(x + label_width - 6.0 - font.width(label, 9.0), row + 11.0, 9.0, Rgb::BLACK, label);
        let length = if top > 0.0 { (*value / top) as f32 * span } else { 0.0 };
        page.rect(x + label_width, row + 2.0, length.max(0.5), 12.0, Some(Rgb::hex(colour)), None);
        let text = if unit.is_empty() { format!("{value}") } else { format!("{} {unit}", money(*value)) };
        page.text(x + label_width + length + 4.0, row + 11.0, 9.0, Rgb::BLACK, &text);
    }
}

fn scope_map(flow: &mut Flow, areas: &[MapArea], w: &Words) {
    flow.heading(1, w.t("2 Scope", "二、规划范围"));
    let names: Vec<String> = areas.iter().map(|a| format!("{} {}", a.name, a.code)).collect();
    flow.paragraph(&format!("{}：{}", w.t("Regions", "范围"), names.join("、")));
    let shaped: Vec<&MapArea> = areas.iter().filter(|a| !a.shape.is_empty()).collect();
    if shaped.is_empty() {
        flow.paragraph_sized(
            w.t("No boundaries are loaded for these regions.", "这些地区尚未导入边界。"),
            9.0,
            Rgb::GREY,
        );
        return;
    }
    let legend: Vec<(String, String)> =
        [Some(Status::Achieved), Some(Status::OnTrack), Some(Status::AtRisk), Some(Status::OffTrack), None]
            .into_iter()
            .map(|s| (status_colour(s).to_string(), w.status(s).to_string()))
            .collect();
    let painted: Vec<(&MultiPolygon, String)> =
        shaped.iter().map(|a| (&a.shape, status_colour(a.status).to_string())).collect();
    let note = w.t("Colour: worst status of the region's own targets", "颜色：地区分解指标中最差的状态");
    area_map(flow, &painted, &legend, note);
}

/// Regions drawn in their colours (hex) with a legend beside them and a
/// note beneath: a figure the width of the text, lon/lat squeezed by the
/// cosine of the mean latitude so that shapes keep their proportions.
pub(crate) fn area_map(flow: &mut Flow, areas: &[(&MultiPolygon, String)], legend: &[(String, String)], note: &str) {
    let points = || areas.iter().flat_map(|(shape, _)| shape.iter().flatten().flatten());
    if points().next().is_none() {
        return;
    }
    let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    let mean_lat = points().map(|p| p.1).sum::<f64>() / points().count().max(1) as f64;
    let squeeze = mean_lat.to_radians().cos();
    for (lon, lat) in points() {
        min_x = min_x.min(lon * squeeze);
        max_x = max_x.max(lon * squeeze);
        min_y = min_y.min(*lat);
        max_y = max_y.max(*lat);
    }
    let height = 320.0_f32;
    flow.figure(height + 30.0, |page, (x0, y0), width, _| {
        let map_width = width - 120.0;
        let scale = (map_width as f64 / (max_x - min_x).max(1e-9)).min(height as f64 / (max_y - min_y).max(1e-9));
        let project = |(lon, lat): &(f64, f64)| {
            (x0 + ((lon * squeeze - min_x) * scale) as f32, y0 + ((max_y - lat) * scale) as f32)
        };
        for (shape, colour) in areas {
            for polygon in shape.iter() {
                let rings = polygon.iter().map(|ring| ring.iter().map(project).collect()).collect();
                page.polygon(rings, Some(Rgb::hex(colour)), Some(Rgb(1.0, 1.0, 1.0)));
            }
        }
        let lx = x0 + map_width + 16.0;
        for (i, (colour, label)) in legend.iter().enumerate() {
            let ly = y0 + 20.0 * i as f32;
            page.rect(lx, ly, 12.0, 12.0, Some(Rgb::hex(colour)), None);
            page.text(lx + 18.0, ly + 10.0, 9.0, Rgb::BLACK, label);
        }
        page.text(x0, y0 + height + 18.0, 8.0, Rgb::GREY, note);
    });
}

fn goals(flow: &mut Flow, report: &PlanReport, w: &Words) {
    flow.heading(1, w.t("3 Goals and targets", "三、目标与指标"));
    if report.goals.is_empty() {
        flow.paragraph(w.t("No goals yet.", "尚未设定目标。"));
    }
    for g in &report.goals {
        let title = format!("G{} {} · {}", g.goal.id, g.goal.title, w.status(g.rollup.status));
        if g.goal.parent.is_none() {
            flow.heading(2, &title);
        } else {
            flow.paragraph_sized(&title, 10.5, Rgb::BLACK);
        }
        if g.targets.is_empty() {
            continue;
        }
        let mut table = Table {
            columns: vec![
                column(w.t("Indicator", "指标"), 2.2, Align::Left),
                column(w.t("Region", "地区"), 1.1, Align::Left),
                column(w.t("Kind", "属性"), 0.9, Align::Left),
                column(w.t("Baseline", "基期值"), 1.2, Align::Right),
                column(w.t("Target", "目标值"), 1.2, Align::Right),
                column(w.t("Latest", "最新值"), 1.2, Align::Right),
                column(w.t("Path", "路径值"), 1.0, Align::Right),
                column(w.t("Progress", "完成度"), 1.0, Align::Right),
                column(w.t("Status", "状态"), 1.2, Align::Left),
            ],
            size: 8.0,
            ..Default::default()
        };
        for (r, t) in g.targets.iter().enumerate() {
            let target = &t.target.target;
            table.rows.push(vec![
                t.target.indicator.to_string(),
                t.target.region.as_ref().map_or(w.t("whole scope", "全域").to_string(), |c| c.to_string()),
                w.t(
                    if target.binding { "binding" } else { "expected" },
                    if target.binding { "约束性" } else { "预期性" },
                )
                .to_string(),
                format!("{} ({})", target.baseline, target.baseline_year),
                format!("{} ({})", target.target, target.target_year),
                t.latest.map_or("—".into(), |(y, v)| format!("{v} ({y})")),
                t.path.map_or("—".into(), |v| format!("{v:.2}")),
                percent(t.progress),
                w.status(t.status).to_string(),
            ]);
            table.fills.push((r, 8, Rgb::hex(status_colour(t.status))));
        }
        flow.table(&table);
    }
}

fn projects(flow: &mut Flow, report: &PlanReport, names: &HashMap<RegionCode, String>, w: &Words) {
    flow.heading(1, w.t("4 Projects", "四、重点项目"));
    if report.projects.is_empty() {
        flow.paragraph(w.t("No projects yet.", "尚无项目。"));
        return;
    }
    let mut table = Table {
        columns: vec![
            column(w.t("Code", "编号"), 0.8, Align::Left),
            column(w.t("Project", "项目"), 2.4, Align::Left),
            column(w.t("Category", "类别"), 1.0, Align::Left),
            column(w.t("Region", "地区"), 1.0, Align::Left),
            column(w.t("Budget", "总投资"), 1.3, Align::Right),
            column(w.t("Disbursed", "已拨付"), 1.3, Align::Right),
            column(w.t("Execution", "执行率"), 0.9, Align::Right),
            column(w.t("Done", "进度"), 0.7, Align::Right),
            column(w.t("Late", "逾期"), 0.6, Align::Right),
        ],
        size: 8.0,
        ..Default::default()
    };
    for (r, v) in report.projects.iter().enumerate() {
        let p = &v.project;
        table.rows.push(vec![
            p.code.clone(),
            p.name.clone(),
            if w.zh { p.category.zh() } else { p.category.as_str() }.to_string(),
            names.get(&p.region).cloned().unwrap_or_else(|| p.region.to_string()),
            money(v.execution.budget),
            money(v.execution.disbursed),
            percent(v.execution.rate()),
            format!("{:.0}%", p.percent),
            v.late().to_string(),
        ]);
        if v.late() > 0 {
            table.fills.push((r, 8, Rgb::hex("#D55E00")));
        }
    }
    flow.table(&table);
    flow.heading(2, w.t("Timeline", "项目进度计划"));
    timeline(flow, report, w);
}

/// A Gantt chart: one bar per project from start to end, the done share
/// darker, late milestones marked, today as a line; 30 projects a figure.
fn timeline(flow: &mut Flow, report: &PlanReport, w: &Words) {
    let first = report.projects.iter().map(|v| v.project.start.days_since_epoch()).min().unwrap_or(0);
    let last =
        report.projects.iter().map(|v| v.project.end.days_since_epoch()).max().unwrap_or(first + 1).max(first + 1);
    let today = report.today.days_since_epoch();
    for chunk in report.projects.chunks(30) {
        let height = 14.0 * chunk.len() as f32 + 30.0;
        flow.figure(height, |page, (x0, y0), width, _| {
            let label_width = 110.0;
            let span = width - label_width;
            let at = |day: i64| x0 + label_width + (day - first) as f32 / (last - first) as f32 * span;
            for year in (revita_methods::Date::from_days_since_epoch(first).year() + 1)
                ..=revita_methods::Date::from_days_since_epoch(last).year()
            {
                let x = at(revita_methods::Date::first_of_year(year).days_since_epoch());
                page.line((x, y0), (x, y0 + height - 16.0), Rgb(0.85, 0.85, 0.85), 0.5);
                page.text(x + 2.0, y0 + height - 6.0, 7.0, Rgb::GREY, &year.to_string());
            }
            for (i, v) in chunk.iter().enumerate() {
                let p = &v.project;
                let y = y0 + 14.0 * i as f32;
                let label: String = format!("{} {}", p.code, p.name).chars().take(16).collect();
                page.text(x0, y + 10.0, 7.5, Rgb::BLACK, &label);
                let (start, end) = (at(p.start.days_since_epoch()), at(p.end.days_since_epoch()));
                page.rect(start, y + 3.0, (end - start).max(1.0), 9.0, Some(Rgb::hex("#C6DBEF")), None);
                let done = (end - start) * (p.percent / 100.0) as f32;
                page.rect(start, y + 3.0, done.max(0.0), 9.0, Some(Rgb::hex("#0072B2")), None);
                for (m, late) in &v.milestones {
                    let x = at(m.due.days_since_epoch());
                    let colour = if late.is_some() { "#D55E00" } else { "#222222" };
                    page.polygon(
                        vec![vec![(x, y + 2.0), (x + 4.0, y + 7.5), (x, y + 13.0), (x - 4.0, y + 7.5)]],
                        Some(Rgb::hex(colour)),
                        None,
                    );
                }
            }
            if (first..=last).contains(&today) {
                let x = at(today);
                page.line((x, y0), (x, y0 + height - 16.0), Rgb::hex("#D55E00"), 1.0);
            }
        });
    }
    flow.paragraph_sized(
        w.t(
            "Bars run from planned start to end; the dark part is the share complete; diamonds are milestones (red: late); the red line is the report date.",
            "条形为计划起止时间，深色部分为完成比例；菱形为里程碑（红色为逾期）；红线为报告日期。",
        ),
        8.0,
        Rgb::GREY,
    );
}

fn funding(flow: &mut Flow, report: &PlanReport, w: &Words) {
    flow.heading(1, w.t("5 Funding", "五、资金安排"));
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    for source in FundingSource::ALL {
        let budget: f64 = report
            .projects
            .iter()
            .flat_map(|v| v.project.budget.iter())
            .filter(|(s, _)| s == source)
            .map(|(_, a)| a)
            .sum();
        let disbursed: f64 = report.disbursements.iter().filter(|d| d.source == *source).map(|d| d.amount).sum();
        let name = if w.zh { source.zh() } else { source.as_str() };
        rows.push(vec![
            name.to_string(),
            money(budget),
            money(disbursed),
            percent(revita_methods::plan::execution_rate(disbursed, budget)),
        ]);
        bars.push((name.to_string(), budget, "#0072B2"));
    }
    rows.push(vec![
        w.t("Total", "合计").to_string(),
        money(report.execution.budget),
        money(report.execution.disbursed),
        percent(report.execution.rate()),
    ]);
    flow.table(&Table {
        columns: vec![
            column(w.t("Source", "资金来源"), 2.0, Align::Left),
            column(w.t("Budget (yuan)", "预算（元）"), 1.5, Align::Right),
            column(w.t("Disbursed (yuan)", "已拨付（元）"), 1.5, Align::Right),
            column(w.t("Execution", "执行率"), 1.0, Align::Right),
        ],
        rows,
        ..Default::default()
    });
    let height = 20.0 * bars.len() as f32 + 24.0;
    flow.figure(height, |page, origin, width, font| {
        bar_chart(page, origin, width, font, w.t("Budget by source", "分来源预算"), &bars, w.t("yuan", "元"));
    });
}
