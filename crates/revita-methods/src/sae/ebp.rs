//! The empirical best predictor (EBP) of domain means and FGT poverty
//! indicators under the nested-error model on log income (Molina & Rao 2010),
//! in census form as emdi's `ebp` computes it, and its parametric bootstrap
//! MSE (González-Manteiga et al. 2008).
//!
//! For domain d with n_d sampled units, γ_d = σu²/(σu² + σe²/n_d) and
//! ū_d = γ_d (t̄_d − x̄_d'β) (both 0 out of sample). Each of L Monte Carlo
//! replicates draws v_d ~ N(0, σu²(1 − γ_d)) and, for every census unit j of
//! the domain, e_j ~ N(0, σe²), y_j = exp(x_j'β + ū_d + v_d + e_j); the
//! replicate's indicators are taken over the N_d census units and the EBP is
//! their average over replicates. An out-of-sample domain thus gets ū_d = 0
//! and v_d ~ N(0, σu²).
//!
//! The bootstrap draws u*_d ~ N(0, σu²) for every domain, a census of true
//! values y*_j = exp(x_j'β + u*_d + e*_j) and a sample on the sample's
//! covariates with the same u*_d and fresh errors; it refits REML on that
//! sample, computes the EBP from the refitted parameters and averages the
//! squared errors over B replicates.
//!
//! Each (purpose, replicate, domain) has its own seeded stream (see the
//! private `rng` module), so domains run on any number of threads and the
//! result depends on the seed only.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::nested::{DomainEffect, NestedFit, NestedSample};
use super::rng::{Purpose, Stream, std_normal, stream};
use super::{SaeError, check_finite, check_len};

/// The census: every population unit's covariates, grouped by domain.
#[derive(Debug, Clone)]
pub struct Census {
    k: usize,
    /// Units of domain d are rows offsets[d]..offsets[d + 1] of `x`.
    offsets: Vec<usize>,
    /// Covariates, row-major, sorted by domain (a counting sort of the input).
    x: Vec<f64>,
}

impl Census {
    /// A census of `k` covariates per unit (row-major, no intercept) with each
    /// unit's domain in 0..`domains`.
    pub fn new(covariates: &[f64], k: usize, domain: &[usize], domains: usize) -> Result<Self, SaeError> {
        let n = domain.len();
        check_len("census covariates", n * k, covariates.len())?;
        check_finite("census covariates", covariates)?;
        let mut offsets = vec![0usize; domains + 1];
        for &d in domain {
            if d >= domains {
                return Err(SaeError::Domain { index: d, domains });
            }
            offsets[d + 1] += 1;
        }
        for d in 0..domains {
            offsets[d + 1] += offsets[d];
        }
        let mut next = offsets[..domains].to_vec();
        let mut x = vec![0.0; n * k];
        for (i, &d) in domain.iter().enumerate() {
            let at = next[d];
            next[d] += 1;
            x[at * k..(at + 1) * k].copy_from_slice(&covariates[i * k..(i + 1) * k]);
        }
        Ok(Census { k, offsets, x })
    }

    /// The number of domains.
    pub fn domains(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Census units of domain d.
    pub fn domain_size(&self, d: usize) -> usize {
        self.offsets[d + 1] - self.offsets[d]
    }

    fn domain_x(&self, d: usize) -> &[f64] {
        &self.x[self.offsets[d] * self.k..self.offsets[d + 1] * self.k]
    }
}

/// Parameters of the Monte Carlo EBP.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EbpOptions {
    /// The poverty line z, on the income scale (not logged).
    pub line: f64,
    /// Monte Carlo replicates L (≥ 1).
    pub replicates: usize,
    /// Seed of every random stream.
    pub seed: u64,
    /// Worker threads (≥ 1); the result does not depend on it.
    pub threads: usize,
}

/// Poverty indicators of one domain: the mean income, the headcount ratio
/// FGT0 = share below the line, the poverty gap FGT1 = mean of (z − y)/z over
/// the poor (0 for the others).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Indicators {
    /// Mean of y.
    pub mean: f64,
    /// Headcount ratio.
    pub fgt0: f64,
    /// Poverty gap index.
    pub fgt1: f64,
}

/// A domain's EBP.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DomainEbp {
    /// Sampled units.
    pub n_sample: usize,
    /// Census units.
    pub n_pop: usize,
    /// The EBP of the indicators (NaN when the census has no unit there).
    pub estimate: Indicators,
}

/// The census EBP of every domain (Molina & Rao 2010) from a fitted model.
pub fn ebp(
    sample: &NestedSample,
    census: &Census,
    fit: &NestedFit,
    opts: &EbpOptions,
) -> Result<Vec<DomainEbp>, SaeError> {
    check_inputs(sample, census, fit, opts)?;
    let effects = sample.domain_effects(fit)?;
    let se = fit.sigma_e2.sqrt();
    let est = par_domains(census, opts.threads, |d, mu, buf| {
        linear_predictor(&fit.beta, census.domain_x(d), census.domain_size(d), mu);
        let mut rng = stream(opts.seed, Purpose::Ebp, 0, d as u64);
        simulate(mu, effects[d], se, opts.line, opts.replicates, &mut rng, buf)
    });
    let sizes = sample.domain_sizes();
    Ok(est
        .into_iter()
        .enumerate()
        .map(|(d, estimate)| DomainEbp { n_sample: sizes[d], n_pop: census.domain_size(d), estimate })
        .collect())
}

/// The parametric bootstrap MSE of the EBP (González-Manteiga et al. 2008)
/// with `replicates` (B ≥ 1) bootstrap populations, each refitted by REML.
pub fn bootstrap_mse(
    sample: &NestedSample,
    census: &Census,
    fit: &NestedFit,
    opts: &EbpOptions,
    replicates: usize,
) -> Result<Vec<Indicators>, SaeError> {
    check_inputs(sample, census, fit, opts)?;
    if replicates == 0 {
        return Err(SaeError::Parameter("bootstrap replicates must be at least 1"));
    }
    let domains = census.domains();
    let (su, se) = (fit.sigma_u2.sqrt(), fit.sigma_e2.sqrt());
    let mut boot = sample.clone();
    let mut t = vec![0.0; sample.len()];
    let mut acc = vec![Indicators { mean: 0.0, fgt0: 0.0, fgt1: 0.0 }; domains];
    for b in 0..replicates as u64 {
        let mut rng = stream(opts.seed, Purpose::BootEffects, b, 0);
        let u: Vec<f64> = (0..domains).map(|_| su * normal(&mut rng)).collect();
        bootstrap_sample(sample, fit, &u, se, &mut stream(opts.seed, Purpose::BootSample, b, 0), &mut t);
        boot.set_response(&t);
        let fit_b = boot.fit_reml()?;
        let effects_b = boot.domain_effects(&fit_b)?;
        let se_b = fit_b.sigma_e2.sqrt();
        let errors = par_domains(census, opts.threads, |d, mu, buf| {
            // True values: one census draw around the bootstrap effect u*_d.
            linear_predictor(&fit.beta, census.domain_x(d), census.domain_size(d), mu);
            let fixed = DomainEffect { gamma: 1.0, mean: u[d], sd: 0.0 };
            let mut rng = stream(opts.seed, Purpose::BootCensus, b, d as u64);
            let truth = simulate(mu, fixed, se, opts.line, 1, &mut rng, buf);
            linear_predictor(&fit_b.beta, census.domain_x(d), census.domain_size(d), mu);
            let mut rng = stream(opts.seed, Purpose::BootEbp, b, d as u64);
            let est = simulate(mu, effects_b[d], se_b, opts.line, opts.replicates, &mut rng, buf);
            Indicators {
                mean: (est.mean - truth.mean).powi(2),
                fgt0: (est.fgt0 - truth.fgt0).powi(2),
                fgt1: (est.fgt1 - truth.fgt1).powi(2),
            }
        });
        for (a, e) in acc.iter_mut().zip(errors) {
            a.mean += e.mean;
            a.fgt0 += e.fgt0;
            a.fgt1 += e.fgt1;
        }
    }
    let b = replicates as f64;
    Ok(acc.into_iter().map(|a| Indicators { mean: a.mean / b, fgt0: a.fgt0 / b, fgt1: a.fgt1 / b }).collect())
}

fn check_inputs(sample: &NestedSample, census: &Census, fit: &NestedFit, opts: &EbpOptions) -> Result<(), SaeError> {
    check_len("census domains", sample.domains(), census.domains())?;
    check_len("census covariates per unit", sample.covariates(), census.k)?;
    check_len("beta", sample.covariates() + 1, fit.beta.len())?;
    check_finite("beta", &fit.beta)?;
    if !(fit.sigma_u2 >= 0.0 && fit.sigma_e2 > 0.0 && fit.sigma_u2.is_finite() && fit.sigma_e2.is_finite()) {
        return Err(SaeError::Parameter("variances must be finite, sigma_e2 > 0 and sigma_u2 >= 0"));
    }
    if !(opts.line.is_finite() && opts.line > 0.0) {
        return Err(SaeError::Parameter("the poverty line must be positive"));
    }
    if opts.replicates == 0 {
        return Err(SaeError::Parameter("Monte Carlo replicates must be at least 1"));
    }
    if opts.threads == 0 {
        return Err(SaeError::Parameter("threads must be at least 1"));
    }
    Ok(())
}

/// A bootstrap sample's log responses t*_i = x_i'β + u*_d + e*_i.
fn bootstrap_sample(sample: &NestedSample, fit: &NestedFit, u: &[f64], se: f64, rng: &mut Stream, t: &mut [f64]) {
    for (i, (ti, &d)) in t.iter_mut().zip(sample.unit_domains()).enumerate() {
        let xb: f64 = fit.beta[0] + sample.unit_x(i).iter().zip(&fit.beta[1..]).map(|(x, b)| x * b).sum::<f64>();
        *ti = xb + u[d] + se * normal(rng);
    }
}

#[inline(always)]
fn normal(rng: &mut Stream) -> f64 {
    std_normal(rng)
}

/// mu_j = x_j'β for the rows of `x` (β intercept first), into a reused buffer.
fn linear_predictor(beta: &[f64], x: &[f64], n: usize, mu: &mut Vec<f64>) {
    let k = beta.len() - 1;
    mu.clear();
    if k == 0 {
        // No covariates: x is empty and every unit has the intercept.
        mu.resize(n, beta[0]);
        return;
    }
    mu.extend(x.chunks_exact(k).map(|row| beta[0] + row.iter().zip(&beta[1..]).map(|(x, b)| x * b).sum::<f64>()));
}

/// `replicates` census draws of a domain, y_j = exp(mu_j + ū + v + e_j) with
/// v ~ N(0, sd²) per replicate and e_j ~ N(0, se²): the indicators averaged
/// over replicates. The hot loop of the whole module: the log incomes of a
/// replicate are drawn into a buffer first (the ziggurat branches), then
/// exponentiated and summed in lanes the compiler can vectorise.
fn simulate(
    mu: &[f64],
    effect: DomainEffect,
    se: f64,
    line: f64,
    replicates: usize,
    rng: &mut Stream,
    buf: &mut Vec<f64>,
) -> Indicators {
    let n = mu.len();
    if n == 0 {
        return Indicators { mean: f64::NAN, fgt0: f64::NAN, fgt1: f64::NAN };
    }
    buf.resize(n, 0.0);
    let mut acc = [0.0; 3];
    for _ in 0..replicates {
        let base = effect.mean + effect.sd * normal(rng);
        for (z, &m) in buf.iter_mut().zip(mu) {
            *z = m + base + se * normal(rng);
        }
        let r = sum_indicators(buf, line);
        acc.iter_mut().zip(r).for_each(|(a, r)| *a += r);
    }
    let denom = (n * replicates) as f64;
    Indicators { mean: acc[0] / denom, fgt0: acc[1] / denom, fgt1: acc[2] / (denom * line) }
}

/// Σ y, Σ [y < z] and Σ [y < z](z − y) over y = exp(log_y), in four lanes.
fn sum_indicators(log_y: &[f64], line: f64) -> [f64; 3] {
    const LANES: usize = 4;
    let (mut s, mut c, mut g) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
    let chunks = log_y.chunks_exact(LANES);
    let tail = chunks.remainder();
    for ch in chunks {
        for i in 0..LANES {
            let y = exp(ch[i]);
            // Branch-free: which units are poor is unpredictable.
            let poor = f64::from(u8::from(y < line));
            s[i] += y;
            c[i] += poor;
            g[i] += poor * (line - y);
        }
    }
    for &z in tail {
        let y = exp(z);
        let poor = f64::from(u8::from(y < line));
        s[0] += y;
        c[0] += poor;
        g[0] += poor * (line - y);
    }
    [s.iter().sum(), c.iter().sum(), g.iter().sum()]
}

/// eˣ without a libm call, inlined so the loop above vectorises: Cody–Waite
/// reduction x = k·ln2 + r, |r| ≤ ln2/2 (ln2 split in a high part exact in
/// k·ln2 and a low part), the degree-12 Taylor polynomial of eʳ (truncation
/// below 2·10⁻¹⁶ relative) and 2ᵏ built in the exponent bits. Within a few
/// ulps of `f64::exp`; arguments are clamped to [−708, 709] (the results
/// stay normal), far outside any log income.
#[inline(always)]
fn exp(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // Adding 1.5·2⁵² rounds to an integer held in the low mantissa bits.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let x = x.clamp(-708.0, 709.0);
    let t = x * LOG2E + ROUND;
    let kf = t - ROUND;
    let k = t.to_bits().wrapping_sub(ROUND.to_bits()) as i64;
    let r = (x - kf * LN2_HI) - kf * LN2_LO;
    // 1/j! for j = 12 down to 2.
    const C: [f64; 11] = [
        2.087_675_698_786_81e-9,
        2.505_210_838_544_171_8e-8,
        2.755_731_922_398_589_2e-7,
        2.755_731_922_398_589_3e-6,
        2.480_158_730_158_73e-5,
        1.984_126_984_126_984e-4,
        1.388_888_888_888_889e-3,
        8.333_333_333_333_333e-3,
        4.166_666_666_666_666_4e-2,
        1.666_666_666_666_666_6e-1,
        0.5,
    ];
    let mut p = C[0];
    for c in &C[1..] {
        p = p * r + c;
    }
    let p = (p * r + 1.0) * r + 1.0;
    p * f64::from_bits(((k + 1023) as u64) << 52)
}

/// f(d, scratch, scratch) for every domain on `threads` threads; domains are taken
/// largest first from a shared counter so that the threads finish together.
fn par_domains<T, F>(census: &Census, threads: usize, f: F) -> Vec<T>
where
    T: Send + Copy + Default,
    F: Fn(usize, &mut Vec<f64>, &mut Vec<f64>) -> T + Sync,
{
    let domains = census.domains();
    let mut order: Vec<usize> = (0..domains).collect();
    order.sort_by_key(|&d| std::cmp::Reverse(census.domain_size(d)));
    let mut out = vec![T::default(); domains];
    if threads <= 1 {
        let (mut mu, mut buf) = (Vec::new(), Vec::new());
        for &d in &order {
            out[d] = f(d, &mut mu, &mut buf);
        }
        return out;
    }
    let next = AtomicUsize::new(0);
    let parts: Vec<Vec<(usize, T)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let (mut mu, mut buf) = (Vec::new(), Vec::new());
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&d) = order.get(i) else { break };
                        done.push((d, f(d, &mut mu, &mut buf)));
                    }
                    done
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("an EBP worker thread panicked")).collect()
    });
    for (d, v) in parts.into_iter().flatten() {
        out[d] = v;
    }
    out
}

impl Default for Indicators {
    fn default() -> Self {
        Indicators { mean: f64::NAN, fgt0: f64::NAN, fgt1: f64::NAN }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_matches_std() {
        let mut worst: f64 = 0.0;
        for i in 0..200_001 {
            let x = -40.0 + 80.0 * i as f64 / 200_000.0;
            worst = worst.max((exp(x) / x.exp() - 1.0).abs());
        }
        assert!(worst < 1e-15, "worst relative error {worst}");
        assert!((exp(0.0) - 1.0).abs() == 0.0);
        assert!(exp(-1000.0) > 0.0 && exp(1000.0).is_finite());
    }
}

#[cfg(test)]
mod ebp_tests {
    use super::*;
    use crate::sae::nested::tests::sample;

    /// A census of 6 domains: 30 units each (domain 5 unsampled), covariates on a grid.
    fn census() -> Census {
        let mut x = Vec::new();
        let mut dom = Vec::new();
        for d in 0..6 {
            for j in 0..30 {
                dom.push(d);
                x.extend([(j as f64 - 15.0) / 10.0, (j % 5) as f64]);
            }
        }
        Census::new(&x, 2, &dom, 6).unwrap()
    }

    #[test]
    fn deterministic_and_thread_independent() {
        let (s, c) = (sample(), census());
        let fit = s.fit_reml().unwrap();
        let o = EbpOptions { line: 4.0, replicates: 200, seed: 9, threads: 1 };
        let one = ebp(&s, &c, &fit, &o).unwrap();
        let two = ebp(&s, &c, &fit, &EbpOptions { threads: 3, ..o }).unwrap();
        assert_eq!(one, two);
        assert_ne!(one, ebp(&s, &c, &fit, &EbpOptions { seed: 10, ..o }).unwrap());
        assert_eq!((one[5].n_sample, one[5].n_pop), (0, 30));
    }

    #[test]
    fn converges_to_the_closed_form_mean() {
        // E[y_j] = exp(mu_j + ū_d + (sd_d² + σe²)/2) (log-normal mean); at L = 4000 the
        // Monte Carlo error of a 30-unit domain mean is well under 1 %.
        let (s, c) = (sample(), census());
        let fit = s.fit_reml().unwrap();
        let eff = s.domain_effects(&fit).unwrap();
        let o = EbpOptions { line: 4.0, replicates: 4000, seed: 3, threads: 2 };
        let est = ebp(&s, &c, &fit, &o).unwrap();
        for d in [0, 2, 5] {
            let mut mu = Vec::new();
            linear_predictor(&fit.beta, c.domain_x(d), c.domain_size(d), &mut mu);
            let exact =
                mu.iter().map(|m| (m + eff[d].mean + (eff[d].sd.powi(2) + fit.sigma_e2) / 2.0).exp()).sum::<f64>()
                    / mu.len() as f64;
            let rel = est[d].estimate.mean / exact - 1.0;
            assert!(rel.abs() < 0.02, "domain {d}: {} vs {exact}", est[d].estimate.mean);
            assert!(est[d].estimate.fgt1 <= est[d].estimate.fgt0);
        }
    }

    #[test]
    fn bootstrap_mse_is_positive_and_seeded() {
        let (s, c) = (sample(), census());
        let fit = s.fit_reml().unwrap();
        let o = EbpOptions { line: 4.0, replicates: 20, seed: 5, threads: 2 };
        let m = bootstrap_mse(&s, &c, &fit, &o, 8).unwrap();
        assert!(m.iter().all(|m| m.mean > 0.0 && m.fgt0 >= 0.0));
        assert_eq!(m, bootstrap_mse(&s, &c, &fit, &EbpOptions { threads: 1, ..o }, 8).unwrap());
        // The unsampled domain is the least certain in mean.
        assert!(m[5].mean > m[2].mean);
    }

    #[test]
    fn bad_options_are_errors() {
        let (s, c) = (sample(), census());
        let fit = s.fit_reml().unwrap();
        let o = EbpOptions { line: 4.0, replicates: 10, seed: 1, threads: 1 };
        assert!(ebp(&s, &c, &fit, &EbpOptions { replicates: 0, ..o }).is_err());
        assert!(ebp(&s, &c, &fit, &EbpOptions { line: -1.0, ..o }).is_err());
        assert!(bootstrap_mse(&s, &c, &fit, &o, 0).is_err());
        let wrong = Census::new(&[0.0, 0.0], 2, &[0], 1).unwrap();
        assert!(matches!(ebp(&s, &wrong, &fit, &o), Err(SaeError::Length { .. })));
        assert!(matches!(Census::new(&[0.0, 0.0], 2, &[4], 2), Err(SaeError::Domain { .. })));
    }
}
