//! `revita relocate assign`: the site-assignment optimiser over files (no
//! database): the exact minimum-cost transportation problem, its total cost,
//! and who could not be placed and why.

use std::time::Instant;

use revita_methods::assignment::{Options, UnplacedReason};

use crate::cli::{RelocateAction, RelocateArgs};

pub(super) fn run(args: RelocateArgs) -> anyhow::Result<()> {
    match args.action {
        RelocateAction::Assign { origins, sites, arcs, out, max_cost, keep_together } => {
            let started = Instant::now();
            let options = Options { max_cost, keep_together };
            let result = revita_app::batch::assign_files(&origins, &sites, &arcs, &out, &options)?;
            outln!("total_cost={}", result.total_cost);
            let used: i64 = result.site_use.iter().map(|s| s.used).sum();
            let capacity: i64 = result.site_use.iter().map(|s| s.capacity).sum();
            errln!(
                "{} households placed in {} moves; sites {} of {} places used ({:.1}%)",
                result.placed(),
                result.flows.len(),
                used,
                capacity,
                if capacity > 0 { 100.0 * used as f64 / capacity as f64 } else { 0.0 }
            );
            if result.links_beyond_max_cost > 0 {
                errln!("{} moves beyond the maximum cost were left out", result.links_beyond_max_cost);
            }
            for u in &result.unplaced {
                let why = match &u.reason {
                    UnplacedReason::NoLink { beyond_max_cost } => {
                        format!("no site within reach ({beyond_max_cost} beyond the maximum cost)")
                    }
                    UnplacedReason::CapacityExhausted => "every site within reach is full".to_string(),
                };
                errln!("origin {}: {} households not placed: {why}", u.origin, u.households);
            }
            if let Some(k) = &result.keep_together {
                errln!(
                    "kept together: cost {} against the exact lower bound {} (gap {}, {:.2}%); {} origins moved, {} left split",
                    k.cost,
                    k.lower_bound,
                    k.gap(),
                    100.0 * k.relative_gap(),
                    k.moved,
                    k.left_split.len()
                );
            }
            errln!("{:.3} s", started.elapsed().as_secs_f64());
        }
    }
    Ok(())
}
