//! A settled year as a statement: a workbook whose P is a live formula over
//! the means, limits and weights it lists (so that an auditor can follow and
//! recompute it in the spreadsheet), and a PDF in Chinese or English.

use revita_ingest::export::{Cell, Sheet};
use revita_pdf::{Align, Column, Flow, Table};

use super::agreement::Settlement;
use super::stored::AgreementView;
use crate::auth::Actor;
use crate::{App, AppError, AppResult};

impl App {
    /// A settled year of an agreement the actor may read, and the agreement.
    pub async fn eco_settlement(&self, actor: &Actor, id: i64, year: i32) -> AppResult<(AgreementView, Settlement)> {
        let view = self.eco_agreement(actor, id).await?;
        let settlement = view
            .settlements
            .iter()
            .find(|(s, _)| s.year == year)
            .map(|(_, r)| r.clone())
            .ok_or_else(|| AppError::NotFound(format!("settlement of agreement {id} for {year}")))?;
        Ok((view, settlement))
    }
}

/// The statement as worksheets: one per section (indicators with their
/// means, limits, ratios and weights, P as a formula), and the payments.
pub fn statement_sheets(view: &AgreementView, s: &Settlement) -> Vec<Sheet> {
    let text = |t: &str| Cell::Text(t.to_string());
    let mut sheets = vec![Sheet {
        name: "settlement".into(),
        header: vec!["field 项目".into(), "value 值".into()],
        rows: vec![
            vec![text("agreement 协议"), text(&s.agreement)],
            vec![text("agreement number 编号"), Cell::Number(view.stored.id as f64)],
            vec![text("year 年度"), Cell::Number(f64::from(s.year))],
            vec![text("round 轮次"), text(&s.round)],
            vec![text("joint-sampling tolerance 联合监测允许偏差"), Cell::Number(s.tolerance)],
            vec![text("samples counted by reserve 以备样计"), Cell::Number(s.reserves as f64)],
            vec![text("samples void 无效样品"), Cell::Number(s.void as f64)],
            vec![text("samples disputed, left out 争议未计"), Cell::Number(s.disputed.len() as f64)],
        ],
    }];
    for (n, section) in s.sections.iter().enumerate() {
        let header = [
            "indicator 指标",
            "weight k_i 权重",
            "limit C_i0 (mg/L) 基本限值",
            "samples 样品数",
            "mean C_i (mg/L) 年均值",
            "C_i/C_i0",
            "k_i·C_i/C_i0",
        ];
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for i in 0..section.indicators.len() {
            let r = i + 2; // spreadsheet row: the header is row 1
            rows.push(vec![
                text(&section.indicators[i]),
                Cell::Number(section.weights[i]),
                Cell::Number(section.limits[i]),
                Cell::Number(section.samples[i] as f64),
                Cell::Number(section.means[i]),
                Cell::Formula(format!("=E{r}/C{r}"), section.ratios[i]),
                Cell::Formula(format!("=B{r}*F{r}"), section.weighted[i]),
            ]);
        }
        let last = section.indicators.len() + 1;
        rows.push(vec![text("k0 稳定系数"), Cell::Number(section.k0)]);
        rows.push(vec![
            text("P = k0 × Σ k_i·C_i/C_i0"),
            Cell::Formula(format!("=B{}*SUM(G2:G{last})", last + 1), section.p),
        ]);
        rows.push(vec![text("met (P ≤ 1) 达标"), text(if section.met { "yes 是" } else { "no 否" })]);
        sheets.push(Sheet {
            name: format!("section {} {}", n + 1, section.section).chars().take(31).collect(),
            header: header.map(String::from).to_vec(),
            rows,
        });
    }
    sheets.push(Sheet {
        name: "payments".into(),
        header: ["payer 付款方", "payee 收款方", "amount (yuan) 金额（元）", "section 断面"].map(String::from).to_vec(),
        rows: s
            .transfers
            .iter()
            .map(|t| vec![text(&t.payer), text(&t.payee), Cell::Number(t.amount), text(&t.section)])
            .collect(),
    });
    sheets
}

/// The statement as an XLSX workbook.
pub fn statement_workbook(view: &AgreementView, s: &Settlement) -> AppResult<Vec<u8>> {
    revita_ingest::export::workbook_bytes(&statement_sheets(view, s))
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

/// The statement as a PDF in Chinese (`zh`) or English.
pub fn statement_pdf(view: &AgreementView, s: &Settlement, zh: bool) -> AppResult<Vec<u8>> {
    let t = |en: &'static str, cn: &'static str| if zh { cn } else { en };
    let title = format!("{} · {} {}", s.agreement, s.year, t("settlement statement", "年度结算单"));
    let mut flow = Flow::new(crate::plan_document::font()?, &title);
    flow.heading(1, &title);
    flow.paragraph(&format!(
        "{}: {} · {}: {} · {}: {}",
        t("Round", "轮次"),
        s.round,
        t("Kept by", "管理单位"),
        view.stored.region,
        t("Joint-sampling tolerance", "联合监测允许偏差"),
        percent(s.tolerance)
    ));
    flow.paragraph(&format!(
        "{} {}; {} {}; {} {}.",
        t("Samples counted by their reserve:", "以备样计的样品："),
        s.reserves,
        t("void:", "无效样品："),
        s.void,
        t("disputed without a reserve, left out:", "争议且无备样、未计："),
        s.disputed.len()
    ));
    let column = |h: &str, share: f32, align: Align| Column { header: h.to_string(), share, align };
    for section in &s.sections {
        flow.heading(2, &format!("{} {}", t("Section", "断面"), section.section));
        let rows = (0..section.indicators.len())
            .map(|i| {
                vec![
                    section.indicators[i].clone(),
                    format!("{}", section.weights[i]),
                    format!("{}", section.limits[i]),
                    section.samples[i].to_string(),
                    format!("{:.4}", section.means[i]),
                    format!("{:.4}", section.ratios[i]),
                    format!("{:.4}", section.weighted[i]),
                ]
            })
            .collect();
        flow.table(&Table {
            columns: vec![
                column(t("Indicator", "指标"), 1.2, Align::Left),
                column(t("Weight k_i", "权重 k_i"), 1.0, Align::Right),
                column(t("Limit C_i0 (mg/L)", "基本限值 C_i0（mg/L）"), 1.4, Align::Right),
                column(t("Samples", "样品数"), 0.8, Align::Right),
                column(t("Mean C_i (mg/L)", "年均值 C_i（mg/L）"), 1.4, Align::Right),
                column("C_i/C_i0", 1.0, Align::Right),
                column("k_i·C_i/C_i0", 1.1, Align::Right),
            ],
            rows,
            ..Default::default()
        });
        let sum: f64 = section.weighted.iter().sum();
        let verdict = match (section.met, zh) {
            (true, true) => "P ≤ 1，达到基本标准",
            (true, false) => "P ≤ 1: the basic standard is met",
            (false, true) => "P > 1，未达到基本标准",
            (false, false) => "P > 1: the basic standard is not met",
        };
        flow.paragraph(&format!("P = k0 × Σ = {} × {sum:.4} = {:.4}; {verdict}", section.k0, section.p));
    }
    flow.heading(2, t("Payments", "资金划转"));
    flow.table(&Table {
        columns: vec![
            column(t("Payer", "付款方"), 1.5, Align::Left),
            column(t("Payee", "收款方"), 1.5, Align::Left),
            column(t("Amount (10,000 yuan)", "金额（万元）"), 1.2, Align::Right),
            column(t("Section", "断面"), 1.0, Align::Left),
        ],
        rows: s
            .transfers
            .iter()
            .map(|p| vec![p.payer.clone(), p.payee.clone(), format!("{:.2}", p.amount / 1e4), p.section.clone()])
            .collect(),
        ..Default::default()
    });
    if !s.disputed.is_empty() {
        flow.heading(2, t("Samples left out", "未计样品"));
        for d in &s.disputed {
            flow.paragraph(d);
        }
    }
    flow.finish(None, &title).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

fn percent(share: f64) -> String {
    format!("{}%", (share * 1000.0).round() / 10.0)
}
