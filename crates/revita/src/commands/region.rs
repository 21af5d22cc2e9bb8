//! `revita region`: one region, its children, descendants, and search.

use super::{acting, check_readable, open, scope};
use crate::cli::{RegionAction, RegionArgs};

pub(super) fn region_line(r: &revita_methods::Region) -> String {
    let en = r.name_en.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
    format!("{}\t{}{en}\t{}", r.code, r.name_zh, r.level)
}

pub(super) fn region_json(r: &revita_methods::Region) -> serde_json::Value {
    serde_json::json!({
        "code": r.code.to_string(), "name_zh": r.name_zh, "name_en": r.name_en, "level": r.level,
        "parent": r.parent.as_ref().map(|p| p.to_string()),
        "valid_from": r.valid_from.map(|d| d.to_string()), "valid_to": r.valid_to.map(|d| d.to_string()),
    })
}

pub(super) fn print_regions(regions: &[revita_methods::Region], json: bool) -> anyhow::Result<()> {
    if json {
        let list: Vec<_> = regions.iter().map(region_json).collect();
        outln!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        for r in regions {
            outln!("{}", region_line(r));
        }
    }
    Ok(())
}

pub(super) async fn region(args: RegionArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    let actor = acting(&app, &args.db).await?;
    let visible = scope(&app, &actor, revita_methods::access::Action::Read).await?;
    match &args.action {
        RegionAction::Show { code } => {
            let code = app.parse_region_code(code)?;
            check_readable(&visible, &code)?;
            let detail = app.region_detail(&code).await?;
            if args.json {
                let mut value = region_json(&detail.region);
                value["ancestors"] = detail.ancestors.iter().map(region_json).collect();
                value["children"] = detail.children.into();
                value["designations"] = detail
                    .designations
                    .iter()
                    .map(|d| serde_json::json!({
                        "category": d.category.as_str(), "class": d.class, "basis_title": d.basis.title,
                        "valid_from": d.valid_from.map(|x| x.to_string()), "valid_to": d.valid_to.map(|x| x.to_string()), "notes": d.notes,
                    }))
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                let crumbs: Vec<_> = detail.ancestors.iter().map(|a| a.name_zh.as_str()).collect();
                outln!("{}", region_line(&detail.region));
                outln!("in: {}", crumbs.join(" › "));
                outln!("children: {}", detail.children);
                for d in &detail.designations {
                    let to = d.valid_to.map(|x| x.to_string()).unwrap_or_else(|| "…".into());
                    let from = d.valid_from.map(|x| x.to_string()).unwrap_or_else(|| "?".into());
                    outln!(
                        "designation: {} ({from} – {to}) {}",
                        d.category.name_en(),
                        d.notes.as_deref().unwrap_or("")
                    );
                }
            }
            Ok(())
        }
        RegionAction::Children { code } => {
            let code = app.parse_region_code(code)?;
            check_readable(&visible, &code)?;
            print_regions(&app.children(&code).await?, args.json)
        }
        RegionAction::Descendants { code, level } => {
            let code = app.parse_region_code(code)?;
            check_readable(&visible, &code)?;
            print_regions(&app.descendants(&code, level.as_deref()).await?, args.json)
        }
        RegionAction::Search { query, limit } => print_regions(&app.search(query, *limit, &visible).await?, args.json),
    }
}
