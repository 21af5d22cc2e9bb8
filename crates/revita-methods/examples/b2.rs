//! Benchmark B2 (shared/bench/SPEC.md): poverty mapping by the census EBP
//! under the nested-error model on log income, REML fit, optional bootstrap
//! MSE. Reads sample.csv and population.csv, writes ebp.csv and
//! ebp_params.csv beside it, prints the parameters and a TIME line.
//!
//! cargo run --release -p revita-methods --example b2 -- --sample S --population P --out ebp.csv
//!     [--z 7600] [--L 100] [--B 0] [--seed 1] [--threads N]

use std::io::Write;
use std::time::Instant;

use revita_methods::sae::ebp::{Census, EbpOptions, bootstrap_mse, ebp};
use revita_methods::sae::nested::NestedSample;

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
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
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

/// A CSV of numbers: the `domain` column and the named float columns, row-major.
struct Table {
    domain: Vec<i64>,
    values: Vec<f64>,
}

/// Exact powers of ten: m / 10^k is then correctly rounded, as `str::parse`.
const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/// A plain decimal (-ddd.ddd, at most 15 digits) fast; anything else via std.
fn parse_f64(s: &[u8]) -> Result<f64, String> {
    let (neg, body) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let (mut m, mut digits, mut frac, mut dot) = (0u64, 0usize, 0usize, false);
    let mut plain = !body.is_empty();
    for &c in body {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                digits += 1;
                frac += usize::from(dot);
            }
            b'.' if !dot => dot = true,
            _ => {
                plain = false;
                break;
            }
        }
    }
    if plain && digits > 0 && digits <= 15 {
        let v = m as f64 / POW10[frac];
        return Ok(if neg { -v } else { v });
    }
    std::str::from_utf8(s)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| format!("not a number: {:?}", String::from_utf8_lossy(s)))
}

fn parse_i64(s: &[u8]) -> Result<i64, String> {
    std::str::from_utf8(s)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| format!("not an integer: {:?}", String::from_utf8_lossy(s)))
}

/// Where a CSV field goes.
#[derive(Clone, Copy)]
enum Col {
    Domain,
    Value(usize),
    Skip,
}

/// Parses the data lines of `body` (no header): `cols[i]` is where field i goes.
fn parse_lines(body: &[u8], cols: &[Col], width: usize) -> Result<Table, String> {
    let mut t = Table { domain: Vec::new(), values: Vec::new() };
    let mut row = vec![0.0; width];
    for line in body.split(|&c| c == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let mut n = 0;
        for (i, field) in line.split(|&c| c == b',').enumerate() {
            match cols.get(i) {
                Some(Col::Domain) => t.domain.push(parse_i64(field)?),
                Some(Col::Value(j)) => row[*j] = parse_f64(field)?,
                _ => {}
            }
            n = i + 1;
        }
        if n != cols.len() {
            return Err(format!("a line has {n} fields, the header {}", cols.len()));
        }
        t.values.extend_from_slice(&row);
    }
    Ok(t)
}

/// Reads `path`, keeping `domain` and `names` (in that order), on `threads`
/// threads over newline-aligned chunks.
fn read_table(path: &str, names: &[&str], threads: usize) -> Result<Table, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let nl = bytes.iter().position(|&c| c == b'\n').unwrap_or(bytes.len());
    let header: Vec<&str> =
        std::str::from_utf8(&bytes[..nl]).map_err(|e| e.to_string())?.trim_end().split(',').collect();
    let cols: Vec<Col> = header
        .iter()
        .map(|h| match names.iter().position(|n| n == h) {
            _ if *h == "domain" => Col::Domain,
            Some(j) => Col::Value(j),
            None => Col::Skip,
        })
        .collect();
    for n in std::iter::once(&"domain").chain(names) {
        if !header.contains(n) {
            return Err(format!("{path}: no column {n}"));
        }
    }
    let body = &bytes[(nl + 1).min(bytes.len())..];
    let mut cuts = vec![0];
    for i in 1..threads.max(1) {
        let at = (body.len() * i / threads).max(*cuts.last().unwrap_or(&0));
        let at = body[at..].iter().position(|&c| c == b'\n').map_or(body.len(), |p| at + p + 1);
        cuts.push(at);
    }
    cuts.push(body.len());
    let parts: Vec<Result<Table, String>> = std::thread::scope(|s| {
        let hs: Vec<_> = cuts
            .windows(2)
            .map(|w| {
                let c = &cols;
                s.spawn(move || parse_lines(&body[w[0]..w[1]], c, names.len()))
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("parser thread panicked".into()))).collect()
    });
    let mut t = Table { domain: Vec::new(), values: Vec::new() };
    for p in parts {
        let p = p?;
        t.domain.extend(p.domain);
        t.values.extend(p.values);
    }
    Ok(t)
}

fn run(a: &Args) -> Result<(), String> {
    let t0 = Instant::now();
    let (sample, pop) = std::thread::scope(|s| {
        let hs = s.spawn(|| {
            let mut names = vec!["y"];
            names.extend(X);
            read_table(&a.sample, &names, 1)
        });
        let pop = read_table(&a.population, &X, a.threads.saturating_sub(1).max(1));
        (hs.join().unwrap_or_else(|_| Err("reader panicked".into())), pop)
    });
    let (sample, pop) = (sample?, pop?);
    let t_read = t0.elapsed().as_secs_f64();

    // Domains are the census's, sorted by code; sample rows elsewhere are dropped.
    let mut codes = pop.domain.clone();
    codes.sort_unstable();
    codes.dedup();
    let pdom: Vec<usize> = pop.domain.iter().map(|c| codes.binary_search(c).unwrap_or(0)).collect();
    let k = X.len();
    let (mut t, mut xs, mut sdom) = (Vec::new(), Vec::new(), Vec::new());
    for (i, c) in sample.domain.iter().enumerate() {
        if let Ok(d) = codes.binary_search(c) {
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
    let census = Census::new(&pop.values, k, &pdom, codes.len()).map_err(e)?;
    let fit = ns.fit_reml().map_err(e)?;
    let b: Vec<String> = fit.beta.iter().enumerate().map(|(i, v)| format!("b{i}={v:.10}")).collect();
    println!("params {} su2={:.10} se2={:.10}", b.join(" "), fit.sigma_u2, fit.sigma_e2);
    let opts = EbpOptions { line: a.z, replicates: a.l, seed: a.seed, threads: a.threads.max(1) };
    let est = ebp(&ns, &census, &fit, &opts).map_err(e)?;
    let mse = if a.b > 0 {
        let tb = Instant::now();
        let m = bootstrap_mse(&ns, &census, &fit, &opts, a.b).map_err(e)?;
        println!("bootstrap: {} replicates, {:.3} s per replicate", a.b, tb.elapsed().as_secs_f64() / a.b as f64);
        Some(m)
    } else {
        None
    };
    let t_compute = t0.elapsed().as_secs_f64() - t_read;

    let mut out = String::with_capacity(64 * codes.len());
    out.push_str(if mse.is_some() {
        "domain,n_sample,N_pop,mean,fgt0,mse_mean,mse_fgt0\n"
    } else {
        "domain,n_sample,N_pop,mean,fgt0\n"
    });
    for (d, r) in est.iter().enumerate() {
        out.push_str(&format!("{},{},{},{:.6},{:.6}", codes[d], r.n_sample, r.n_pop, r.estimate.mean, r.estimate.fgt0));
        if let Some(m) = &mse {
            out.push_str(&format!(",{:.6},{:.6}", m[d].mean, m[d].fgt0));
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
    let total = t0.elapsed().as_secs_f64();
    println!("TIME read={t_read:.3} compute={t_compute:.3} write={:.3} total={total:.3}", total - t_read - t_compute);
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
