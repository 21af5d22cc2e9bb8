//! Benchmark B4 (resettlement assignment; /work/shared/bench/SPEC.md): reads
//! origins.csv, sites.csv and arcs.csv, solves the exact minimum-cost
//! transportation problem with `revita_methods::assignment`, writes
//! assignment.csv (origin_id, site_id, households; sorted by origin then
//! site) and prints `total_cost=N`.
//!
//! ```sh
//! cargo build --release -p revita-methods --example b4
//! target/release/examples/b4 --origins origins.csv --sites sites.csv --arcs arcs.csv --out assignment.csv
//! ```
//!
//! Outside the benchmark's contract, `--max-cost N` drops links costlier than
//! N and `--keep-together` moves each origin wholly to one site (a heuristic:
//! the report line gives the exact lower bound and the gap); households left
//! unplaced are then reported, not an error.

use std::error::Error;
use std::io::Write;
use std::time::Instant;

use revita_methods::assignment::{Link, Options, Origin, Site, assign};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| -> Result<String> {
        let flag = format!("--{name}");
        let at = args.iter().position(|a| *a == flag).ok_or(format!("missing {flag}"))?;
        Ok(args.get(at + 1).ok_or(format!("{flag} needs a value"))?.clone())
    };
    let clock = Instant::now();
    let origins: Vec<Origin<u64>> = read_table(&arg("origins")?, &["origin_id", "households"])?
        .chunks_exact(2)
        .map(|r| Origin { id: r[0] as u64, households: r[1] })
        .collect();
    let sites: Vec<Site<u64>> = read_table(&arg("sites")?, &["site_id", "capacity"])?
        .chunks_exact(2)
        .map(|r| Site { id: r[0] as u64, capacity: r[1] })
        .collect();
    let links: Vec<Link<u64>> = read_table(&arg("arcs")?, &["origin_id", "site_id", "cost"])?
        .chunks_exact(3)
        .map(|r| Link { origin: r[0] as u64, site: r[1] as u64, cost: r[2] })
        .collect();
    let read = clock.elapsed().as_secs_f64();

    let options = Options {
        max_cost: arg("max-cost").ok().map(|m| m.parse()).transpose()?,
        keep_together: args.iter().any(|a| a == "--keep-together"),
    };
    let result = assign(&origins, &sites, &links, &options)?;
    if result.unplaced_households() > 0 && options == Options::default() {
        return Err(format!("infeasible: {} households unplaced", result.unplaced_households()).into());
    }
    let mut flows: Vec<(u64, u64, i64)> = result.flows.iter().map(|f| (f.origin, f.site, f.households)).collect();
    flows.sort_unstable();
    let compute = clock.elapsed().as_secs_f64();

    let mut out = std::io::BufWriter::new(std::fs::File::create(arg("out")?)?);
    writeln!(out, "origin_id,site_id,households")?;
    for (o, s, h) in flows {
        writeln!(out, "{o},{s},{h}")?;
    }
    out.flush()?;
    let total = clock.elapsed().as_secs_f64();
    println!("total_cost={}", result.total_cost);
    if options != Options::default() {
        println!(
            "unplaced={} in {} origins; links beyond max cost={}",
            result.unplaced_households(),
            result.unplaced.len(),
            result.links_beyond_max_cost
        );
    }
    if let Some(k) = &result.keep_together {
        println!(
            "keep_together: lower_bound={} cost={} gap={} ({:.4}%) moved={} left_split={}",
            k.lower_bound,
            k.cost,
            k.gap(),
            100.0 * k.relative_gap(),
            k.moved,
            k.left_split.len()
        );
    }
    println!("TIME read={read:.3} compute={:.3} write={:.3} total={total:.3}", compute - read, total - compute);
    Ok(())
}

/// The named integer columns of a CSV file with a header row, row after row
/// in one flat vector (no quoting: the benchmark's files are plain numbers).
fn read_table(path: &str, columns: &[&str]) -> Result<Vec<i64>> {
    let text = std::fs::read_to_string(path)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().ok_or(format!("{path} is empty"))?.split(',').collect();
    let at: Vec<usize> = columns
        .iter()
        .map(|c| header.iter().position(|h| h.trim() == *c).ok_or(format!("{path} has no column {c}")))
        .collect::<std::result::Result<_, _>>()?;
    let mut values = Vec::with_capacity(text.len() / 8);
    let mut fields: Vec<&str> = Vec::with_capacity(header.len());
    for (n, line) in lines.enumerate().filter(|(_, l)| !l.is_empty()) {
        fields.clear();
        fields.extend(line.split(','));
        for &i in &at {
            let field = fields.get(i).ok_or_else(|| format!("{path} line {}: too few fields", n + 2))?;
            values.push(field.trim().parse::<i64>().map_err(|e| format!("{path} line {}: {field}: {e}", n + 2))?);
        }
    }
    Ok(values)
}
