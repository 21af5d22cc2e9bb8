//! `revita brief REGION --year Y --out brief.pdf`: the evidence brief on a
//! region, as the brief page makes it, within the acting user's jurisdiction.

use anyhow::Context;
use revita_methods::{IndicatorCode, RegionCode};

use super::open;
use crate::cli::BriefArgs;

pub(super) async fn run(args: BriefArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    let actor = super::plan::actor(&app, &args.db).await?;
    let region = app.parse_region_code(&args.region)?;
    let region: RegionCode = region;
    let indicators = args
        .indicators
        .iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| IndicatorCode::parse(c.trim()).with_context(|| format!("--indicators: {c}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let brief = app.brief(&actor, &region, args.year, &indicators).await?;
    if args.json {
        let rows: Vec<serde_json::Value> = brief
            .indicators
            .iter()
            .map(|i| {
                serde_json::json!({
                    "indicator": i.indicator.code.as_str(), "latest": i.latest, "national": i.national, "peers": i.peers,
                    "standing": i.standing, "years_to_close": i.catching_up.as_ref().and_then(|c| c.years),
                    "recommendation": i.recommendation.as_ref().map(|r| revita_app::brief::recommendation_text(r, false)),
                })
            })
            .collect();
        let out = serde_json::json!({"region": brief.region.code.as_str(), "year": brief.year, "indicators": rows,
            "assistance": {"due": brief.assistance.due, "funds": brief.assistance.delivered.funds}});
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let zh = match args.lang.as_str() {
        "zh" => true,
        "en" => false,
        other => anyhow::bail!("--lang: '{other}' is not zh or en"),
    };
    let bytes = revita_app::brief_document::brief_pdf(&brief, zh)?;
    let out = args.out.context("--out: where to write the PDF")?;
    std::fs::write(&out, bytes).with_context(|| format!("writing {}", out.display()))?;
    outln!("wrote {} ({} indicators)", out.display(), brief.indicators.len());
    Ok(())
}
