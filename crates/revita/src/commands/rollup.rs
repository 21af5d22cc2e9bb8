//! `revita rollup`: an indicator rolled up from children to their parent.

use super::{acting, open, scope};
use crate::cli::RollupArgs;

pub(super) async fn rollup(args: RollupArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    let region = app.parse_region_code(&args.region)?;
    let actor = acting(&app, &args.db).await?;
    let visible = scope(&app, &actor, revita_methods::access::Action::Read).await?;
    let r = app.rollup(&region, &args.indicator, &args.period, args.level.as_deref(), &visible).await?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    let value = r.value.map(|v| v.to_string()).unwrap_or_else(|| "no value".into());
    let completeness = if r.complete { "complete" } else { "PARTIAL" };
    outln!(
        "{} {} {} ({}): {value} from {} of {} children — {completeness}",
        r.region,
        r.indicator,
        r.period,
        r.method,
        r.reported,
        r.expected
    );
    if r.outside_jurisdiction > 0 {
        outln!(
            "{} of the children lie outside your jurisdiction: this value covers only your part",
            r.outside_jurisdiction
        );
    }
    if let Some(stored) = r.stored_value {
        outln!("stored value for {}: {stored}", r.region);
    }
    Ok(())
}
