//! An event's PDNA-style report (methods.md §8.1): effects (damage and
//! losses) and needs (reconstruction with its build-back-better uplift, and
//! recovery) by sector group, sector, county and ownership, the counties
//! hit with their people affected, and the methods; as a workbook and a PDF
//! in Chinese or English.

use revita_ingest::export::{Cell, Sheet};
use revita_methods::disaster::{Ownership, SectorGroup, Totals};
use revita_pdf::{Align, Column, Flow, Table};

use crate::disasters::DisasterView;
use crate::{AppError, AppResult};

fn totals_row(label: &str, t: &Totals) -> Vec<Cell> {
    vec![
        Cell::Text(label.to_string()),
        Cell::Number(t.damage),
        Cell::Number(t.losses),
        Cell::Number(t.reconstruction),
        Cell::Number(t.recovery),
        Cell::Number(t.needs()),
    ]
}

const TOTALS_HEADER: [&str; 6] =
    ["", "damage (yuan) 损毁", "losses (yuan) 损失", "reconstruction 重建需求", "recovery 恢复需求", "needs 需求合计"];

/// The report as worksheets.
pub fn report_sheets(v: &DisasterView) -> Vec<Sheet> {
    let text = |t: &str| Cell::Text(t.to_string());
    let header = |first: &str| {
        let mut h: Vec<String> = TOTALS_HEADER.iter().map(|s| s.to_string()).collect();
        h[0] = first.to_string();
        h
    };
    let a = &v.assessment;
    let mut by_group: Vec<Vec<Cell>> = a.by_group.iter().map(|(g, t)| totals_row(g.as_str(), t)).collect();
    by_group.push(totals_row("total 合计", &a.total));
    vec![
        Sheet {
            name: "event".into(),
            header: vec!["field".into(), "value".into()],
            rows: vec![
                vec![text("name 名称"), text(&v.event.name)],
                vec![text("kind 类型"), text(&v.event.kind)],
                vec![text("date 日期"), text(&v.event.occurred_on)],
                vec![text("magnitude 强度"), text(v.event.magnitude.as_deref().unwrap_or(""))],
                vec![text("kept by 管理地区"), text(v.event.region.as_str())],
                vec![text("unit costs version 单价版本"), Cell::Number(v.unit_costs.0 as f64)],
                vec![text("default uplift 默认重建提升比例"), Cell::Number(v.needs.default_uplift)],
                vec![text("recovery share 损失恢复比例"), Cell::Number(v.needs.recovery_share)],
            ],
        },
        Sheet {
            name: "counties".into(),
            header: [
                "county 县",
                "name",
                "severity 灾情等级",
                "affected 受灾人口",
                "displaced 转移安置",
                "shelters 过渡安置",
            ]
            .map(String::from)
            .to_vec(),
            rows: v
                .counties
                .iter()
                .map(|(c, name)| {
                    vec![
                        text(c.county.as_str()),
                        text(name),
                        text(&c.severity),
                        Cell::Number(c.affected),
                        Cell::Number(c.displaced),
                        Cell::Number(c.shelters),
                    ]
                })
                .collect(),
        },
        Sheet { name: "by group".into(), header: header("group 类别"), rows: by_group },
        Sheet {
            name: "by sector".into(),
            header: header("sector 行业"),
            rows: a.by_sector.iter().map(|(s, t)| totals_row(s, t)).collect(),
        },
        Sheet {
            name: "by county".into(),
            header: header("county 县"),
            rows: a
                .by_county
                .iter()
                .map(|(c, t)| totals_row(&format!("{c} {}", v.names.get(c).cloned().unwrap_or_default()), t))
                .collect(),
        },
        Sheet {
            name: "rebuilds".into(),
            header: ["county 县", "status 状态", "households 户数", "grants (yuan) 补助"].map(String::from).to_vec(),
            rows: v
                .rebuilds
                .iter()
                .map(|r| {
                    vec![
                        text(r.county.as_str()),
                        text(&r.status),
                        Cell::Number(r.households as f64),
                        Cell::Number(r.grants),
                    ]
                })
                .collect(),
        },
        Sheet {
            name: "by ownership".into(),
            header: header("ownership 所有制"),
            rows: a
                .by_ownership
                .iter()
                .map(|(o, t)| totals_row(if *o == Ownership::Public { "public 公共" } else { "private 私人" }, t))
                .collect(),
        },
    ]
}

/// The report as an XLSX workbook.
pub fn report_workbook(v: &DisasterView) -> AppResult<Vec<u8>> {
    revita_ingest::export::workbook_bytes(&report_sheets(v)).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

fn group_name(g: SectorGroup, zh: bool) -> &'static str {
    match (g, zh) {
        (SectorGroup::Social, false) => "Social",
        (SectorGroup::Social, true) => "社会",
        (SectorGroup::Productive, false) => "Productive",
        (SectorGroup::Productive, true) => "生产",
        (SectorGroup::Infrastructure, false) => "Infrastructure",
        (SectorGroup::Infrastructure, true) => "基础设施",
        (SectorGroup::CrossCutting, false) => "Cross-cutting",
        (SectorGroup::CrossCutting, true) => "跨领域",
    }
}

/// The report as a PDF in Chinese (`zh`) or English (amounts in 万元).
pub fn report_pdf(v: &DisasterView, zh: bool) -> AppResult<Vec<u8>> {
    let t = |en: &'static str, cn: &'static str| if zh { cn } else { en };
    let title = if zh {
        format!("{}灾后损失与需求评估报告", v.event.name)
    } else {
        format!("{}: damage, losses and needs assessment", v.event.name)
    };
    let wan = |yuan: f64| format!("{:.2}", yuan / 1e4);
    let mut flow = Flow::new(crate::plan_document::font()?, &title);
    flow.heading(1, &title);
    flow.paragraph(&format!(
        "{} {} · {} {} · {}",
        t("Struck on", "发生日期"),
        v.event.occurred_on,
        t("magnitude", "强度"),
        v.event.magnitude.as_deref().unwrap_or("–"),
        v.event.kind
    ));
    let a = &v.assessment;
    flow.paragraph(&format!(
        "{} {} {}; {} {}; {} {}.",
        t("Damage", "损毁"),
        wan(a.total.damage),
        t("(10,000 yuan)", "万元"),
        t("losses", "损失"),
        wan(a.total.losses),
        t("needs", "需求"),
        wan(a.total.needs())
    ));
    let column = |h: &str, share: f32, align: Align| Column { header: h.to_string(), share, align };
    let money_columns = |first: &str| {
        vec![
            column(first, 1.6, Align::Left),
            column(t("Damage", "损毁"), 1.0, Align::Right),
            column(t("Losses", "损失"), 1.0, Align::Right),
            column(t("Reconstruction", "重建需求"), 1.1, Align::Right),
            column(t("Recovery", "恢复需求"), 1.0, Align::Right),
            column(t("Needs", "需求合计"), 1.0, Align::Right),
        ]
    };
    let line = |label: String, x: &Totals| {
        vec![label, wan(x.damage), wan(x.losses), wan(x.reconstruction), wan(x.recovery), wan(x.needs())]
    };
    flow.heading(2, t("By sector group (10,000 yuan)", "按类别（万元）"));
    let mut rows: Vec<Vec<String>> = a.by_group.iter().map(|(g, x)| line(group_name(*g, zh).into(), x)).collect();
    rows.push(line(t("Total", "合计").into(), &a.total));
    flow.table(&Table { columns: money_columns(t("Group", "类别")), rows, size: 8.0, ..Default::default() });
    flow.heading(2, t("By sector (10,000 yuan)", "按行业（万元）"));
    let rows = a.by_sector.iter().map(|(s, x)| line(s.clone(), x)).collect();
    flow.table(&Table { columns: money_columns(t("Sector", "行业")), rows, size: 8.0, ..Default::default() });
    flow.heading(2, t("By county (10,000 yuan)", "按县（万元）"));
    let rows = a
        .by_county
        .iter()
        .map(|(c, x)| line(format!("{c} {}", v.names.get(c).cloned().unwrap_or_default()), x))
        .collect();
    flow.table(&Table { columns: money_columns(t("County", "县")), rows, size: 8.0, ..Default::default() });
    flow.heading(2, t("Counties hit", "受灾县"));
    let rows = v
        .counties
        .iter()
        .map(|(c, name)| {
            vec![
                format!("{} {name}", c.county),
                c.severity.clone(),
                format!("{:.0}", c.affected),
                format!("{:.0}", c.displaced),
            ]
        })
        .collect();
    flow.table(&Table {
        columns: vec![
            column(t("County", "县"), 2.0, Align::Left),
            column(t("Severity", "灾情等级"), 1.0, Align::Left),
            column(t("Affected", "受灾人口"), 1.0, Align::Right),
            column(t("Displaced", "转移安置"), 1.0, Align::Right),
        ],
        rows,
        size: 8.0,
        ..Default::default()
    });
    flow.heading(2, t("Methods", "方法"));
    flow.paragraph(t(
        "Damage and losses after ECLAC's DaLA and the PDNA guidelines (2013): damage = units destroyed × pre-disaster replacement cost + units damaged × repair cost; losses = the flows forgone over the recovery period plus additional costs; reconstruction needs = damage × (1 + the sector's build-back-better uplift); recovery needs = the share of losses recovery programmes restore. Counterpart aid after 国办发〔2008〕53号: one province helps one severely hit county with at least 1% of its previous year's local revenue for three years.",
        "损毁与损失依据ECLAC灾害损失评估方法（DaLA）及《灾后需求评估指南》（2013）：损毁 = 全毁数量 × 灾前重置单价 + 受损数量 × 修复单价；损失 = 恢复期内减少的流量加新增费用；重建需求 = 损毁 × （1 + 该行业“重建得更好”提升比例）；恢复需求 = 恢复项目拟弥补的损失份额。对口支援依据国办发〔2008〕53号：一省帮一重灾县，每年不低于上年地方财政收入的1%，期限三年。",
    ));
    flow.finish(None, &title).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}
