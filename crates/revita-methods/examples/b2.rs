//! Benchmark B2 (shared/bench/SPEC.md): poverty mapping by the census EBP
//! under the nested-error model on log income, REML fit, optional bootstrap
//! MSE. Reads sample.csv and population.csv, writes ebp.csv and
//! ebp_params.csv beside it, prints the parameters and a TIME line.
//!
//! cargo run --release -p revita-methods --example b2 -- --sample S --population P --out ebp.csv
//!     [--z 7600] [--L 100] [--B 0] [--seed 1] [--threads N] [--timings] [--gini]
//!
//! `--timings` (or the environment variable REVITA_B2_TIMINGS) prints the
//! wall time of each phase to stderr.

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use revita_methods::sae::ebp::{Census, EbpOptions, bootstrap_mse, ebp};
use revita_methods::sae::nested::NestedSample;
use revita_methods::sae::table::parse_numeric_csv;

const X: [&str; 5] = ["x1", "x2", "x3", "x4", "x5"];

struct Args {
    sample: String,
    population: String,
    out: String,
    z: f64,
    l: usize,
    b: usize,
    seed: u64,
    threads: usize,
    /// Print phase times to stderr.
    timings: bool,
    /// Also the Gini (columns gini, mse_gini).
    gini: bool,
}

fn parse_args() -> Result<Args, String> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut a = Args {
        sample: String::new(),
        population: String::new(),
        out: String::new(),
        z: 7600.0,
        l: 100,
        b: 0,
        seed: 1,
        threads,
        timings: std::env::var_os("REVITA_B2_TIMINGS").is_some(),
        gini: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--timings" {
            a.timings = true;
            continue;
        }
        if flag == "--gini" {
            a.gini = true;
            continue;
        }
        let v = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = format!("bad value for {flag}: {v}");
        match flag.as_str() {
            "--sample" => a.sample = v.clone(),
            "--population" => a.population = v.clone(),
            "--out" => a.out = v.clone(),
            "--z" => a.z = v.parse().map_err(|_| bad.clone())?,
            "--L" => a.l = v.parse().map_err(|_| bad.clone())?,
            "--B" => a.b = v.parse().map_err(|_| bad.clone())?,
            "--seed" => a.seed = v.parse().map_err(|_| bad.clone())?,
            "--threads" => a.threads = v.parse().map_err(|_| bad.clone())?,
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    if a.sample.is_empty() || a.population.is_empty() || a.out.is_empty() {
        return Err("--sample, --population and --out are required".into());
    }
    Ok(a)
}

/// The sorted distinct codes of `raw` and each row's index among them. Rows
/// may come in any order; a run of rows of one domain (the usual layout)
/// costs one hash lookup.
fn index_codes(raw: &[i64]) -> (Vec<i64>, Vec<usize>) {
    let mut seen: HashMap<i64, usize> = HashMap::new();
    let mut last: Option<(i64, usize)> = None;
    let mut index: Vec<usize> = raw
        .iter()
        .map(|&c| match last {
            Some((code, i)) if code == c => i,
            _ => {
                let next = seen.len();
                let i = *seen.entry(c).or_insert(next);
                last = Some((c, i));
                i
            }
        })
        .collect();
    let mut codes: Vec<(i64, usize)> = seen.into_iter().collect();
    codes.sort_unstable();
    let mut rank = vec![0; codes.len()];
    for (r, &(_, first)) in codes.iter().enumerate() {
        rank[first] = r;
    }
    index.iter_mut().for_each(|i| *i = rank[*i]);
    (codes.into_iter().map(|(c, _)| c).collect(), index)
}

/// Wall-clock phase times, printed to stderr with `--timings` (or when
/// REVITA_B2_TIMINGS is set) to see where a run goes.
struct Phases {
    start: Instant,
    last: Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Phases {
    fn new() -> Self {
        let now = Instant::now();
        Phases { start: now, last: now, laps: Vec::new() }
    }

    /// Ends the phase `name` now and returns its seconds.
    fn lap(&mut self, name: &'static str) -> f64 {
        let now = Instant::now();
        let secs = (now - self.last).as_secs_f64();
        self.last = now;
        self.laps.push((name, secs));
        secs
    }

    fn print(&self) {
        let parts: Vec<String> = self.laps.iter().map(|(n, s)| format!("{n}={s:.4}")).collect();
        eprintln!("phases {} total={:.4}", parts.join(" "), self.start.elapsed().as_secs_f64());
    }
}

fn run(a: &Args) -> Result<(), String> {
    let mut ph = Phases::new();
    let read = |path: &str| std::fs::read(path).map_err(|e| format!("{path}: {e}"));
    let (sample_bytes, pop_bytes) = (read(&a.sample)?, read(&a.population)?);
    let t_files = ph.lap("files");
    // The sample is a twentieth of the census: parse each on every thread in turn.
    let mut names = vec!["y"];
    names.extend(X);
    let table = |path: &str, bytes: &[u8], names: &[&str]| {
        parse_numeric_csv(bytes, "domain", names, a.threads).map_err(|e| format!("{path}: {e}"))
    };
    let sample = table(&a.sample, &sample_bytes, &names)?;
    let pop = table(&a.population, &pop_bytes, &X)?;
    drop((sample_bytes, pop_bytes));
    let t_read = t_files + ph.lap("parse");

    // Domains are the census's, sorted by code; sample rows elsewhere are dropped.
    let (codes, pdom) = index_codes(&pop.keys);
    let by_code: HashMap<i64, usize> = codes.iter().enumerate().map(|(d, &c)| (c, d)).collect();
    let k = X.len();
    let (mut t, mut xs, mut sdom) = (Vec::new(), Vec::new(), Vec::new());
    for (i, c) in sample.keys.iter().enumerate() {
        if let Some(&d) = by_code.get(c) {
            let row = &sample.values[i * (k + 1)..(i + 1) * (k + 1)];
            if row[0] <= 0.0 {
                return Err(format!("sample row {}: y must be positive for the log", i + 1));
            }
            t.push(row[0].ln());
            xs.extend_from_slice(&row[1..]);
            sdom.push(d);
        }
    }
    let e = |e: revita_methods::sae::SaeError| e.to_string();
    let ns = NestedSample::new(&t, &xs, k, &sdom, codes.len()).map_err(e)?;
    let census = Census::from_vec(pop.values, k, &pdom, codes.len()).map_err(e)?;
    ph.lap("prepare");
    let fit = ns.fit_reml().map_err(e)?;
    ph.lap("reml");
    let b: Vec<String> = fit.beta.iter().enumerate().map(|(i, v)| format!("b{i}={v:.10}")).collect();
    println!("params {} su2={:.10} se2={:.10}", b.join(" "), fit.sigma_u2, fit.sigma_e2);
    let opts = EbpOptions {
        line: a.z,
        replicates: a.l,
        seed: a.seed,
        threads: a.threads.max(1),
        gini: a.gini,
        transformation: revita_methods::sae::boxcox::Transformation::Log,
    };
    let est = ebp(&ns, &census, &fit, &opts).map_err(e)?;
    let mut t_compute = ph.lap("ebp");
    let mse = if a.b > 0 {
        let tb = Instant::now();
        let m = bootstrap_mse(&ns, &census, &fit, &opts, a.b).map_err(e)?;
        println!("bootstrap: {} replicates, {:.3} s per replicate", a.b, tb.elapsed().as_secs_f64() / a.b as f64);
        Some(m)
    } else {
        None
    };
    if a.b > 0 {
        t_compute += ph.lap("bootstrap");
    }
    t_compute += ph.laps.iter().filter(|(n, _)| matches!(*n, "prepare" | "reml")).map(|(_, s)| s).sum::<f64>();

    let mut out = String::with_capacity(64 * codes.len());
    let g = |v: Option<f64>| v.unwrap_or(f64::NAN);
    out.push_str("domain,n_sample,N_pop,mean,fgt0");
    out.push_str(if a.gini { ",gini" } else { "" });
    if mse.is_some() {
        out.push_str(if a.gini { ",mse_mean,mse_fgt0,mse_gini" } else { ",mse_mean,mse_fgt0" });
    }
    out.push('\n');
    for (d, r) in est.iter().enumerate() {
        out.push_str(&format!("{},{},{},{:.6},{:.6}", codes[d], r.n_sample, r.n_pop, r.estimate.mean, r.estimate.fgt0));
        if a.gini {
            out.push_str(&format!(",{:.6}", g(r.estimate.gini)));
        }
        if let Some(m) = &mse {
            out.push_str(&format!(",{:.6},{:.6}", m[d].mean, m[d].fgt0));
            if a.gini {
                out.push_str(&format!(",{:.6}", g(m[d].gini)));
            }
        }
        out.push('\n');
    }
    std::fs::write(&a.out, out).map_err(|e| format!("{}: {e}", a.out))?;
    let params_path = std::path::Path::new(&a.out).with_file_name("ebp_params.csv");
    let mut p = std::fs::File::create(&params_path).map_err(|e| format!("{}: {e}", params_path.display()))?;
    let mut text = String::from("param,value\n");
    for (i, v) in fit.beta.iter().enumerate() {
        text.push_str(&format!("b{i},{v:.15e}\n"));
    }
    text.push_str(&format!("su2,{:.15e}\nse2,{:.15e}\n", fit.sigma_u2, fit.sigma_e2));
    p.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    let t_write = ph.lap("write");
    let total = ph.start.elapsed().as_secs_f64();
    println!("TIME read={t_read:.3} compute={t_compute:.3} write={t_write:.3} total={total:.3}");
    if a.timings {
        ph.print();
    }
    Ok(())
}

fn main() {
    match parse_args().and_then(|a| run(&a)) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("b2: {e}");
            std::process::exit(1);
        }
    }
}
