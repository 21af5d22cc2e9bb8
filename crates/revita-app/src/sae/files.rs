//! The census EBP from files (benchmark B2's contract, bench/SPEC.md): a
//! survey sample (`domain`, `y` > 0, `x1`..`x5`) and a census (`domain`,
//! `x1`..`x5`) in, `ebp.csv` and `ebp_params.csv` beside it out. Needs no
//! store: the numbers in the files are all it reads.

use std::path::{Path, PathBuf};
use std::time::Instant;

use revita_methods::sae::boxcox::{self, Transformation};
use revita_methods::sae::ebp::{Census, DomainEbp, EbpOptions, bootstrap_mse, ebp};
use revita_methods::sae::nested::{NestedFit, NestedSample};
use revita_methods::sae::table::{NumericTable, parse_numeric_csv};

use crate::{AppError, AppResult};

/// The covariates of the contract.
const X: [&str; 5] = ["x1", "x2", "x3", "x4", "x5"];

/// A run's files and parameters.
#[derive(Debug, Clone)]
pub struct EbpFiles {
    /// The survey sample.
    pub sample: PathBuf,
    /// The census.
    pub population: PathBuf,
    /// Where to write `ebp.csv` (`ebp_params.csv` goes beside it).
    pub out: PathBuf,
    /// The poverty line z.
    pub line: f64,
    /// Monte Carlo replicates L.
    pub replicates: usize,
    /// Bootstrap replicates B (0: no MSE).
    pub bootstrap: usize,
    /// The seed.
    pub seed: u64,
    /// Threads.
    pub threads: usize,
    /// Also estimate each domain's Gini coefficient (and its MSE when B > 0):
    /// adds the columns `gini` (and `mse_gini`) to `ebp.csv`; off, the file
    /// is exactly the contract's.
    pub gini: bool,
}

/// What a run found, for printing.
#[derive(Debug, Clone)]
pub struct EbpSummary {
    /// β̂ (intercept first), σ̂u², σ̂e².
    pub fit: NestedFit,
    /// Domains estimated.
    pub domains: usize,
    /// Domains without a sampled unit.
    pub out_of_sample: usize,
    /// Seconds reading, computing, writing.
    pub seconds: (f64, f64, f64),
    /// Whether `ebp.csv` has the Gini columns.
    pub gini: bool,
    /// Seconds per bootstrap replicate (when B > 0).
    pub bootstrap_seconds: Option<f64>,
}

/// The largest sample or census file read (bytes).
const MAX_FILE_BYTES: u64 = 8 << 30;

/// A numeric file's `domain` key and named columns, parsed on `threads`
/// threads by the core's exact fast parser; problems name the file and line.
pub(super) fn read_numeric_csv(path: &Path, names: &[&str], threads: usize) -> Result<NumericTable, String> {
    let file = path.display();
    let size = std::fs::metadata(path).map_err(|e| format!("{file}: cannot open: {e}"))?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!("{file}: larger than {} GiB", MAX_FILE_BYTES >> 30));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{file}: cannot read: {e}"))?;
    parse_numeric_csv(&bytes, "domain", names, threads).map_err(|e| format!("{file}: {e}"))
}

/// A census EBP's inputs: two files and the model's settings.
#[derive(Debug, Clone)]
pub struct EbpInput<'a> {
    /// The survey sample: `domain`, `y` > 0 and the covariates.
    pub sample: &'a Path,
    /// The census: `domain` and the covariates.
    pub population: &'a Path,
    /// The covariates' column names; empty: every census column but
    /// `domain`, in the census's order.
    pub covariates: &'a [String],
    /// The poverty line z.
    pub line: f64,
    /// Monte Carlo replicates L.
    pub replicates: usize,
    /// Bootstrap replicates B (0: no MSE).
    pub bootstrap: usize,
    /// The seed.
    pub seed: u64,
    /// Threads.
    pub threads: usize,
    /// Also the Gini coefficient of every domain (a sort per domain and
    /// replicate).
    pub gini: bool,
    /// The scale of the model.
    pub scale: Scale,
}

/// The scale the nested-error model is fitted on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// log y (B2's contract).
    Log,
    /// Box–Cox, with the power given or (`None`) chosen by the restricted
    /// profile likelihood (`revita_methods::sae::boxcox::choose_lambda`).
    BoxCox(Option<f64>),
}

/// A census EBP's results, domains sorted by code.
#[derive(Debug, Clone)]
pub struct EbpEstimates {
    /// The covariates fitted, in order.
    pub covariates: Vec<String>,
    /// β̂ (intercept first), σ̂u², σ̂e².
    pub fit: NestedFit,
    /// The census's domain codes, sorted.
    pub codes: Vec<i64>,
    /// The EBP of each domain.
    pub domains: Vec<DomainEbp>,
    /// The bootstrap MSE of each domain (B > 0).
    pub mse: Option<Vec<revita_methods::sae::ebp::Indicators>>,
    /// Seconds reading and computing.
    pub seconds: (f64, f64),
    /// Seconds a bootstrap replicate took (B > 0).
    pub bootstrap_seconds: Option<f64>,
    /// The transformation fitted (with the Box–Cox λ used).
    pub transformation: Transformation,
}

/// The first line of a CSV file, split into trimmed names.
pub(super) fn header_of(path: &Path) -> AppResult<Vec<String>> {
    use std::io::{BufRead, Read};
    let file =
        std::fs::File::open(path).map_err(|e| AppError::Invalid(format!("{}: cannot open: {e}", path.display())))?;
    let mut line = String::new();
    std::io::BufReader::new(file)
        .take(1 << 20)
        .read_line(&mut line)
        .map_err(|e| AppError::Invalid(format!("{}: the header is not UTF-8 text: {e}", path.display())))?;
    Ok(line.trim_start_matches('\u{feff}').trim_end().split(',').map(|h| h.trim().to_string()).collect())
}

/// Fits the nested-error model of log y on the covariates with a domain
/// effect by REML and computes the EBP of every census domain (sorted by
/// code), with the bootstrap MSE if B > 0. Sample rows of domains the
/// census lacks are dropped (bench/SPEC.md B2 says so).
pub fn ebp_estimates(input: &EbpInput<'_>) -> AppResult<EbpEstimates> {
    let t0 = Instant::now();
    let invalid = AppError::Invalid;
    let threads = input.threads.max(1);
    let covariates: Vec<String> = if input.covariates.is_empty() {
        header_of(input.population)?.into_iter().filter(|h| h != "domain" && !h.is_empty()).collect()
    } else {
        input.covariates.to_vec()
    };
    if covariates.is_empty() {
        return Err(invalid(format!("{}: no covariate column beside 'domain'", input.population.display())));
    }
    if covariates.iter().any(|c| c == "y" || c == "domain") {
        return Err(invalid("covariates: 'y' and 'domain' cannot be covariates".into()));
    }
    let x: Vec<&str> = covariates.iter().map(String::as_str).collect();
    let mut names = vec!["y"];
    names.extend(&x);
    // The sample is small (a twentieth of the census in B2): one thread reads
    // it while all of them parse the census.
    let (sample, pop) = std::thread::scope(|s| {
        let sample = s.spawn(|| read_numeric_csv(input.sample, &names, 1));
        let pop = read_numeric_csv(input.population, &x, threads);
        (sample.join().unwrap_or_else(|_| Err("the sample reader panicked".into())), pop)
    });
    let (sample, pop) = (sample.map_err(invalid)?, pop.map_err(invalid)?);
    let t_read = t0.elapsed().as_secs_f64();

    // Domains are the census's, sorted by code; sample rows elsewhere are
    // dropped (the contract says so).
    // A census lists its units domain by domain, usually: the first key of
    // each run of one code is enough to find the codes.
    let mut codes: Vec<i64> =
        pop.keys.iter().enumerate().filter(|&(i, c)| i == 0 || pop.keys[i - 1] != *c).map(|(_, &c)| c).collect();
    codes.sort_unstable();
    codes.dedup();
    // And a run of one code costs one search.
    let mut last = (i64::MIN, 0);
    let pdom: Vec<usize> = pop
        .keys
        .iter()
        .map(|&c| {
            if c != last.0 {
                last = (c, codes.binary_search(&c).unwrap_or(0));
            }
            last.1
        })
        .collect();
    let k = x.len();
    let (mut t, mut ys, mut xs, mut sdom) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, c) in sample.keys.iter().enumerate() {
        if let Ok(d) = codes.binary_search(c) {
            let row = &sample.values[i * (k + 1)..(i + 1) * (k + 1)];
            if row[0] <= 0.0 {
                return Err(invalid(format!(
                    "{}: line {}: y must be positive for the log",
                    input.sample.display(),
                    i + 2
                )));
            }
            t.push(row[0].ln());
            ys.push(row[0]);
            xs.extend_from_slice(&row[1..]);
            sdom.push(d);
        }
    }
    let sae = |e: revita_methods::sae::SaeError| AppError::Invalid(e.to_string());
    let mut ns = NestedSample::new(&t, &xs, k, &sdom, codes.len()).map_err(sae)?;
    let transformation = match input.scale {
        Scale::Log => Transformation::Log,
        Scale::BoxCox(lambda) => {
            let lambda = match lambda {
                Some(lambda) => {
                    let fixed = Transformation::BoxCox { lambda, shift: 0.0 };
                    boxcox::profile_log_likelihood(&mut ns, &ys, fixed).map_err(sae)?;
                    lambda
                }
                None => boxcox::choose_lambda(&mut ns, &ys, 0.0).map_err(sae)?,
            };
            Transformation::BoxCox { lambda, shift: 0.0 }
        }
    };
    let census = Census::from_vec(pop.values, k, &pdom, codes.len()).map_err(sae)?;
    let fit = ns.fit_reml().map_err(sae)?;
    let opts = EbpOptions {
        line: input.line,
        replicates: input.replicates,
        seed: input.seed,
        threads,
        gini: input.gini,
        transformation,
    };
    let domains = ebp(&ns, &census, &fit, &opts).map_err(sae)?;
    let t_boot = Instant::now();
    let mse = (input.bootstrap > 0).then(|| bootstrap_mse(&ns, &census, &fit, &opts, input.bootstrap)).transpose();
    let mse = mse.map_err(sae)?;
    let bootstrap_seconds = mse.is_some().then(|| t_boot.elapsed().as_secs_f64() / input.bootstrap as f64);
    Ok(EbpEstimates {
        covariates,
        fit,
        codes,
        domains,
        mse,
        seconds: (t_read, t0.elapsed().as_secs_f64() - t_read),
        bootstrap_seconds,
        transformation,
    })
}

/// Runs the contract: REML fit of log y on x1..x5 with a domain effect, the
/// EBP of every census domain (sorted by code), the bootstrap MSE if B > 0.
pub fn ebp_files(run: &EbpFiles) -> AppResult<EbpSummary> {
    let t0 = Instant::now();
    let covariates: Vec<String> = X.iter().map(|x| x.to_string()).collect();
    let e = ebp_estimates(&EbpInput {
        sample: &run.sample,
        population: &run.population,
        covariates: &covariates,
        line: run.line,
        replicates: run.replicates,
        bootstrap: run.bootstrap,
        seed: run.seed,
        threads: run.threads,
        gini: run.gini,
        scale: Scale::Log,
    })?;
    write(&run.out, &ebp_csv(&e.codes, &e.domains, e.mse.as_deref(), run.gini))?;
    write(&run.out.with_file_name("ebp_params.csv"), &params_csv(&e.fit))?;
    let (t_read, t_compute) = e.seconds;
    let total = t0.elapsed().as_secs_f64();
    Ok(EbpSummary {
        out_of_sample: e.domains.iter().filter(|d| d.n_sample == 0).count(),
        domains: e.codes.len(),
        fit: e.fit,
        seconds: (t_read, t_compute, total - t_read - t_compute),
        gini: run.gini,
        bootstrap_seconds: e.bootstrap_seconds,
    })
}

fn write(path: &Path, text: &str) -> AppResult<()> {
    std::fs::write(path, text).map_err(|e| AppError::Invalid(format!("{}: {e}", path.display())))
}

/// `ebp.csv`: one row per census domain (the MSE columns only with B > 0,
/// the Gini columns only when asked).
fn ebp_csv(
    codes: &[i64],
    est: &[DomainEbp],
    mse: Option<&[revita_methods::sae::ebp::Indicators]>,
    gini: bool,
) -> String {
    let mut out = String::with_capacity(64 * codes.len());
    out.push_str("domain,n_sample,N_pop,mean,fgt0");
    if gini {
        out.push_str(",gini");
    }
    if mse.is_some() {
        out.push_str(",mse_mean,mse_fgt0");
        if gini {
            out.push_str(",mse_gini");
        }
    }
    out.push('\n');
    // A Gini that was not computed (it always is when asked) prints as NaN.
    let g = |v: Option<f64>| v.unwrap_or(f64::NAN);
    for (d, r) in est.iter().enumerate() {
        out.push_str(&format!("{},{},{},{:.6},{:.6}", codes[d], r.n_sample, r.n_pop, r.estimate.mean, r.estimate.fgt0));
        if gini {
            out.push_str(&format!(",{:.6}", g(r.estimate.gini)));
        }
        if let Some(m) = mse {
            out.push_str(&format!(",{:.6},{:.6}", m[d].mean, m[d].fgt0));
            if gini {
                out.push_str(&format!(",{:.6}", g(m[d].gini)));
            }
        }
        out.push('\n');
    }
    out
}

/// `ebp_params.csv`: b0..b5, su2, se2 with 16 significant digits.
fn params_csv(fit: &NestedFit) -> String {
    let mut text = String::from("param,value\n");
    for (i, v) in fit.beta.iter().enumerate() {
        text.push_str(&format!("b{i},{v:.15e}\n"));
    }
    text.push_str(&format!("su2,{:.15e}\nse2,{:.15e}\n", fit.sigma_u2, fit.sigma_e2));
    text
}
