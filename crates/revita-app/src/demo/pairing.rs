//! Pairing-assistance examples for the demo, clearly synthetic: a fiscal
//! revenue indicator whose values for the donors are made up (status
//! `synthetic`, source saying so), the rules of methods.md §4 (0.5% of the
//! previous year's revenue for Xinjiang, within the 0.3–0.6% range; 0.1%
//! for Tibet), and deliveries for 2021 and 2022 — most funds to county
//! level and livelihoods, one donor short of the norms.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use revita_ingest::records::ObservationOptions;
use revita_methods::ObservationStatus;

use super::synthetic::Sequence;
use crate::auth::{ChangeBy, Origin};
use crate::import::{FileImport, ObservationImport};
use crate::ledger::{PairingFlow, PairingRule, REVENUE_INDICATOR};
use crate::{App, AppResult, Jurisdiction};

/// What the made-up revenue says of itself.
const SOURCE: &str = "合成示例数据 synthetic — not official fiscal figures";

/// (programme, share of revenue, first year) of the demo's programmes.
const PROGRAMS: [(&str, f64, i32); 2] = [("对口援疆 (2010 round)", 0.005, 2011), ("对口援藏", 0.001, 2012)];

/// Stores the examples as the national administrator; how many deliveries.
pub(super) async fn load(app: &App, dir: &Path, origin: &Origin) -> AppResult<usize> {
    let admin = app.actor_named("admin").await?;
    let write = |name: &str, text: &str| -> AppResult<std::path::PathBuf> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("cannot write {name}: {e}"))?;
        Ok(path)
    };
    let indicator = format!(
        "code,name_zh,name_en,unit,direction,aggregation,description,source\n\
         {REVENUE_INDICATOR},一般公共预算收入（示例）,General public budget revenue (synthetic example),yuan,higher_is_better,sum,\
         \"Local general public budget revenue; in the demo made up for the donors of pairing assistance\",{SOURCE}\n"
    );
    let by = ChangeBy::new(&admin, origin);
    let plain = FileImport { by: by.clone(), within: Jurisdiction::everywhere(), ..Default::default() };
    app.import_indicators(&write("fiscal_indicator.csv", &indicator)?, &plain).await?;
    let pairings = app.store().pairings_within(None, None).await?;
    let donors: BTreeSet<_> = pairings.iter().map(|p| p.donor.clone()).collect();
    let mut seq = Sequence(18);
    let mut revenue = String::from("region_code,indicator,period,value\n");
    for donor in &donors {
        // 100 to 1,300 亿元 in 2015, growing 4–8% a year; from 2007, so
        // that counterpart aid after the example earthquake (2008) has the
        // revenue its rule needs.
        let base = (100.0 + 1_200.0 * seq.unit()) * 1e8;
        let growth = 0.04 + 0.04 * seq.unit();
        for year in 2007..=2023 {
            let value = base * (1.0_f64 + growth).powi(year - 2015);
            let _ = writeln!(revenue, "{donor},{REVENUE_INDICATOR},{year},{value:.0}");
        }
    }
    let import = ObservationImport {
        options: ObservationOptions {
            source: Some(SOURCE.into()),
            status: ObservationStatus::Synthetic,
            ..Default::default()
        },
        by,
        within: Jurisdiction::everywhere(),
        ..Default::default()
    };
    app.import_observations(&write("fiscal_revenue.csv", &revenue)?, &import, &|_| {}).await?;
    for (program, share, start_year) in PROGRAMS {
        for donor in pairings.iter().filter(|p| p.program == program).map(|p| p.donor.clone()).collect::<BTreeSet<_>>()
        {
            let rule = PairingRule {
                program: program.into(),
                donor,
                kind: "revenue_share".into(),
                share: Some(share),
                lag: Some(1),
                base: None,
                growth: None,
                start_year,
                revenue_indicator: REVENUE_INDICATOR.into(),
                note: Some("methods.md §4 (demo)".into()),
            };
            app.set_pairing_rule(&admin, &rule, origin).await?;
        }
    }
    // Deliveries: each pairing's share of its obligation, 80–110% of it,
    // 85% to a county-level livelihood project; cadres and
    // workers placed. One donor (the first) keeps its funds in the
    // prefecture city, short of the county-level norm.
    let mut flows = Vec::new();
    for year in [2021, 2022] {
        let ledger = app.pairing_ledger(&admin, year, None).await?;
        for (k, row) in ledger.rows.iter().enumerate() {
            let Some(due) = row.obligation else { continue };
            let funds = (due * (0.8 + 0.3 * seq.unit()) / 1e4).round() * 1e4;
            let short = row.pairing.donor == ledger.rows[0].pairing.donor;
            let flow = |kind, project: String, amount: f64, county_level: bool, livelihood: bool| PairingFlow {
                id: 0,
                program: row.pairing.program.clone(),
                donor: row.pairing.donor.clone(),
                recipient: row.pairing.recipient.clone(),
                year,
                kind,
                project,
                amount,
                sector: Some(if livelihood { "education" } else { "infrastructure" }.into()),
                county_level,
                livelihood,
                recorded_by: String::new(),
                recorded_at: String::new(),
            };
            use revita_methods::pairing::FlowKind;
            let name = &row.recipient_name;
            flows.push(flow(FlowKind::Funds, format!("{name}学校与卫生院（示例）"), funds * 0.85, !short, true));
            flows.push(flow(FlowKind::Funds, format!("{name}产业园道路（示例）"), funds * 0.15, false, false));
            flows.push(flow(
                FlowKind::Cadres,
                format!("第{}批援派干部（示例）", year - 2010),
                12.0 * (3 + k % 4) as f64,
                false,
                false,
            ));
            flows.push(flow(FlowKind::Labour, "转移就业（示例）".into(), (50 + 10 * (k % 7)) as f64, false, false));
        }
    }
    app.record_pairing_flows(&admin, &flows, origin).await?;
    Ok(flows.len())
}
