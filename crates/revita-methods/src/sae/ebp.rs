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

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::boxcox::Transformation;
use super::nested::{DomainEffect, NestedFit, NestedSample};
use super::rng::{NormalBlocks, Purpose, Stream, std_normal, stream};
use super::{SaeError, check_finite, check_len};

/// The census: every population unit's covariates, grouped by domain.
#[derive(Debug, Clone)]
pub struct Census {
    k: usize,
    /// The units of domain d are rows `rows[d]` of `x`.
    rows: Vec<Range<usize>>,
    /// Covariates, row-major, each domain's units contiguous.
    x: Vec<f64>,
}

impl Census {
    /// A census of `k` covariates per unit (row-major, no intercept) with each
    /// unit's domain in 0..`domains`.
    pub fn new(covariates: &[f64], k: usize, domain: &[usize], domains: usize) -> Result<Self, SaeError> {
        check_len("census covariates", domain.len() * k, covariates.len())?;
        Census::from_vec(covariates.to_vec(), k, domain, domains)
    }

    /// As [`Census::new`], taking the covariates by value: when each domain's
    /// units are already contiguous (a census file listed by area) they are
    /// kept in place, otherwise grouped by a counting sort.
    pub fn from_vec(covariates: Vec<f64>, k: usize, domain: &[usize], domains: usize) -> Result<Self, SaeError> {
        let n = domain.len();
        check_len("census covariates", n * k, covariates.len())?;
        check_finite("census covariates", &covariates)?;
        let mut count = vec![0usize; domains];
        let mut runs = 0;
        for (i, &d) in domain.iter().enumerate() {
            if d >= domains {
                return Err(SaeError::Domain { index: d, domains });
            }
            count[d] += 1;
            runs += usize::from(i == 0 || domain[i - 1] != d);
        }
        let nonempty = count.iter().filter(|&&c| c > 0).count();
        if runs == nonempty {
            // One run per domain: record where each starts.
            let mut rows = vec![0..0; domains];
            let mut start = 0;
            for (i, &d) in domain.iter().enumerate() {
                if i + 1 == n || domain[i + 1] != d {
                    rows[d] = start..i + 1;
                    start = i + 1;
                }
            }
            return Ok(Census { k, rows, x: covariates });
        }
        let mut rows = Vec::with_capacity(domains);
        let mut start = 0;
        for &c in &count {
            rows.push(start..start + c);
            start += c;
        }
        let mut next: Vec<usize> = rows.iter().map(|r| r.start).collect();
        let mut x = vec![0.0; n * k];
        for (i, &d) in domain.iter().enumerate() {
            let at = next[d];
            next[d] += 1;
            x[at * k..(at + 1) * k].copy_from_slice(&covariates[i * k..(i + 1) * k]);
        }
        Ok(Census { k, rows, x })
    }

    /// The number of domains.
    pub fn domains(&self) -> usize {
        self.rows.len()
    }

    /// Census units of domain d.
    pub fn domain_size(&self, d: usize) -> usize {
        self.rows[d].len()
    }

    fn domain_x(&self, d: usize) -> &[f64] {
        let r = &self.rows[d];
        &self.x[r.start * self.k..r.end * self.k]
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
    /// Also estimate each domain's Gini coefficient (see [`gini`]). Off, no
    /// replicate census is materialised or sorted; on, each replicate costs
    /// a sort of the domain's N_d values more. The other indicators are the
    /// same either way.
    pub gini: bool,
    /// The scale the model was fitted on: log (Molina & Rao; B2) or Box–Cox
    /// ([`super::boxcox`]); each draw is back-transformed by its inverse.
    pub transformation: Transformation,
}

/// Poverty indicators of one domain: the mean income, the headcount ratio
/// FGT0 = share below the line, the poverty gap FGT1 = mean of (z − y)/z over
/// the poor (0 for the others), and when asked ([`EbpOptions::gini`]) the
/// Gini coefficient of income.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Indicators {
    /// Mean of y.
    pub mean: f64,
    /// Headcount ratio.
    pub fgt0: f64,
    /// Poverty gap index.
    pub fgt1: f64,
    /// Gini coefficient ([`gini`]); `None` unless asked for.
    pub gini: Option<f64>,
}

/// The Gini coefficient of `values` in its population form, the mean
/// difference over twice the mean (Gini 1912):
/// G = Σᵢ Σⱼ |yᵢ − yⱼ| / (2 N² ȳ), computed from the sorted values as
/// G = 2 Σᵢ i·y₍ᵢ₎ / (N Σ y) − (N + 1)/N (i = 1..N), which is laeken's
/// `gini` with unit weights (Alfons & Templ 2013), the one emdi's `ebp`
/// reports, as a fraction rather than a percentage. So 1, 2, 3, 4 give 0.25;
/// equal values give 0. Sorts `values` in place. NaN when there are none or
/// their total is not positive and finite.
pub fn gini(values: &mut [f64]) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len() as f64;
    let (mut total, mut ranked) = (0.0, 0.0);
    for (i, &y) in values.iter().enumerate() {
        total += y;
        ranked += (i + 1) as f64 * y;
    }
    if !(total > 0.0 && total.is_finite()) {
        return f64::NAN;
    }
    2.0 * ranked / (n * total) - (n + 1.0) / n
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
        let mut rng = NormalBlocks::new(opts.seed, Purpose::Ebp, 0, d as u64);
        simulate(mu, effects[d], se, opts, opts.replicates, &mut rng, buf)
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
    let zero = Indicators { mean: 0.0, fgt0: 0.0, fgt1: 0.0, gini: opts.gini.then_some(0.0) };
    let mut acc = vec![zero; domains];
    // x_j'β of every census unit under the fitted model, the same in every replicate.
    let mut mu_fit = Vec::new();
    let units = census.rows.iter().map(|r| r.end).max().unwrap_or(0);
    linear_predictor(&fit.beta, &census.x, units, &mut mu_fit);
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
            let rows = &census.rows[d];
            let fixed = DomainEffect { gamma: 1.0, mean: u[d], sd: 0.0 };
            let mut rng = NormalBlocks::new(opts.seed, Purpose::BootCensus, b, d as u64);
            let truth = simulate(&mu_fit[rows.clone()], fixed, se, opts, 1, &mut rng, buf);
            linear_predictor(&fit_b.beta, census.domain_x(d), census.domain_size(d), mu);
            let mut rng = NormalBlocks::new(opts.seed, Purpose::BootEbp, b, d as u64);
            let est = simulate(mu, effects_b[d], se_b, opts, opts.replicates, &mut rng, buf);
            Indicators {
                mean: (est.mean - truth.mean).powi(2),
                fgt0: (est.fgt0 - truth.fgt0).powi(2),
                fgt1: (est.fgt1 - truth.fgt1).powi(2),
                gini: est.gini.zip(truth.gini).map(|(e, t)| (e - t).powi(2)),
            }
        });
        for (a, e) in acc.iter_mut().zip(errors) {
            a.mean += e.mean;
            a.fgt0 += e.fgt0;
            a.fgt1 += e.fgt1;
            a.gini = a.gini.zip(e.gini).map(|(a, e)| a + e);
        }
    }
    let b = replicates as f64;
    Ok(acc
        .into_iter()
        .map(|a| Indicators { mean: a.mean / b, fgt0: a.fgt0 / b, fgt1: a.fgt1 / b, gini: a.gini.map(|g| g / b) })
        .collect())
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
/// over replicates (the Gini too when `opts.gini`). The hot loop of the
/// whole module: a replicate's errors are drawn in blocks (the ziggurat
/// branches), then exponentiated and summed in lanes.
///
/// On x86-64 CPUs with AVX2 (checked at run time) both loops run as the
/// vector code of `super::simd`: the same operations in the same order, so
/// the same bits. With the Gini, the replicate census is also written out
/// (the same exp) and sorted; the other indicators do not change.
fn simulate(
    mu: &[f64],
    effect: DomainEffect,
    se: f64,
    opts: &EbpOptions,
    replicates: usize,
    rng: &mut NormalBlocks,
    buf: &mut Vec<f64>,
) -> Indicators {
    let line = opts.line;
    if opts.transformation != Transformation::Log {
        return simulate_transformed(mu, effect, se, opts, replicates, rng, buf);
    }
    #[cfg(target_arch = "x86_64")]
    let avx2 = super::simd::Avx2::detect();
    #[cfg(target_arch = "x86_64")]
    if let (Some(avx2), false) = (avx2, opts.gini) {
        return simulate_with(mu, effect, line, replicates, rng, |rng, base| {
            let [s, c, g] = avx2.replicate(rng, mu, base, se, line);
            [s, c, g, 0.0]
        })
        .without_gini();
    }
    buf.resize(mu.len(), 0.0);
    let est = simulate_with(mu, effect, line, replicates, rng, |rng, base| {
        #[cfg(target_arch = "x86_64")]
        let [s, c, g] = if let Some(avx2) = avx2 {
            avx2.fill(rng, buf);
            avx2.sum_indicators(mu, buf, base, se, line)
        } else {
            rng.fill(buf);
            sum_indicators(mu, buf, base, se, line)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let [s, c, g] = {
            rng.fill(buf);
            sum_indicators(mu, buf, base, se, line)
        };
        if !opts.gini {
            return [s, c, g, 0.0];
        }
        for (e, &m) in buf.iter_mut().zip(mu) {
            *e = exp(m + base + se * *e);
        }
        [s, c, g, gini(buf)]
    });
    if opts.gini { est } else { est.without_gini() }
}

/// [`simulate`] on another scale than the log: y_j = g⁻¹(mu_j + base + se·e_j)
/// with g the transformation (portable code: the log's vector loops do not
/// apply).
fn simulate_transformed(
    mu: &[f64],
    effect: DomainEffect,
    se: f64,
    opts: &EbpOptions,
    replicates: usize,
    rng: &mut NormalBlocks,
    buf: &mut Vec<f64>,
) -> Indicators {
    let (line, t) = (opts.line, opts.transformation);
    buf.resize(mu.len(), 0.0);
    let est = simulate_with(mu, effect, line, replicates, rng, |rng, base| {
        rng.fill(buf);
        let [mut s, mut c, mut g] = [0.0; 3];
        for (e, &m) in buf.iter_mut().zip(mu) {
            let y = t.inverse(m + base + se * *e);
            let poor = if y < line { 1.0 } else { 0.0 };
            s += y;
            c += poor;
            g += poor * (line - y);
            *e = y;
        }
        [s, c, g, if opts.gini { gini(buf) } else { 0.0 }]
    });
    if opts.gini { est } else { est.without_gini() }
}

impl Indicators {
    fn without_gini(self) -> Indicators {
        Indicators { gini: None, ..self }
    }
}

/// The replicates' loop of [`simulate`] around `replicate(rng, base)`, which
/// returns a replicate's sums of y, [y < z] and [y < z](z − y), and its Gini.
#[inline(always)]
fn simulate_with(
    mu: &[f64],
    effect: DomainEffect,
    line: f64,
    replicates: usize,
    rng: &mut NormalBlocks,
    mut replicate: impl FnMut(&mut NormalBlocks, f64) -> [f64; 4],
) -> Indicators {
    let n = mu.len();
    if n == 0 {
        return Indicators::default();
    }
    let mut acc = [0.0; 4];
    for _ in 0..replicates {
        let base = effect.mean + effect.sd * rng.single();
        let r = replicate(rng, base);
        acc.iter_mut().zip(r).for_each(|(a, r)| *a += r);
    }
    let denom = (n * replicates) as f64;
    Indicators {
        mean: acc[0] / denom,
        fgt0: acc[1] / denom,
        fgt1: acc[2] / (denom * line),
        gini: Some(acc[3] / replicates as f64),
    }
}

/// Σ y, Σ [y < z] and Σ [y < z](z − y) over y_j = exp(mu_j + base + se·e_j),
/// in four lanes.
#[inline(always)]
pub(crate) fn sum_indicators(mu: &[f64], e: &[f64], base: f64, se: f64, line: f64) -> [f64; 3] {
    const LANES: usize = 4;
    let (mut s, mut c, mut g) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
    let mut add = |i: usize, m: f64, e: f64| {
        let y = exp(m + base + se * e);
        // Branch-free: which units are poor is unpredictable.
        let poor = if y < line { 1.0 } else { 0.0 };
        s[i] += y;
        c[i] += poor;
        g[i] += poor * (line - y);
    };
    let (mc, ec) = (mu.chunks_exact(LANES), e.chunks_exact(LANES));
    let (mt, et) = (mc.remainder(), ec.remainder());
    for (m, e) in mc.zip(ec) {
        for i in 0..LANES {
            add(i, m[i], e[i]);
        }
    }
    for (&m, &e) in mt.iter().zip(et) {
        add(0, m, e);
    }
    [s.iter().sum(), c.iter().sum(), g.iter().sum()]
}

/// 2^(j/64) for j = 0..64, correctly rounded (the bits of the table of
/// Tang 1989 as glibc and musl use it; regenerated with Python's decimal at
/// 60 digits).
pub(crate) const EXP2_64THS: [u64; 64] = [
    0x3FF0000000000000,
    0x3FF02C9A3E778061,
    0x3FF059B0D3158574,
    0x3FF0874518759BC8,
    0x3FF0B5586CF9890F,
    0x3FF0E3EC32D3D1A2,
    0x3FF11301D0125B51,
    0x3FF1429AAEA92DE0,
    0x3FF172B83C7D517B,
    0x3FF1A35BEB6FCB75,
    0x3FF1D4873168B9AA,
    0x3FF2063B88628CD6,
    0x3FF2387A6E756238,
    0x3FF26B4565E27CDD,
    0x3FF29E9DF51FDEE1,
    0x3FF2D285A6E4030B,
    0x3FF306FE0A31B715,
    0x3FF33C08B26416FF,
    0x3FF371A7373AA9CB,
    0x3FF3A7DB34E59FF7,
    0x3FF3DEA64C123422,
    0x3FF4160A21F72E2A,
    0x3FF44E086061892D,
    0x3FF486A2B5C13CD0,
    0x3FF4BFDAD5362A27,
    0x3FF4F9B2769D2CA7,
    0x3FF5342B569D4F82,
    0x3FF56F4736B527DA,
    0x3FF5AB07DD485429,
    0x3FF5E76F15AD2148,
    0x3FF6247EB03A5585,
    0x3FF6623882552225,
    0x3FF6A09E667F3BCD,
    0x3FF6DFB23C651A2F,
    0x3FF71F75E8EC5F74,
    0x3FF75FEB564267C9,
    0x3FF7A11473EB0187,
    0x3FF7E2F336CF4E62,
    0x3FF82589994CCE13,
    0x3FF868D99B4492ED,
    0x3FF8ACE5422AA0DB,
    0x3FF8F1AE99157736,
    0x3FF93737B0CDC5E5,
    0x3FF97D829FDE4E50,
    0x3FF9C49182A3F090,
    0x3FFA0C667B5DE565,
    0x3FFA5503B23E255D,
    0x3FFA9E6B5579FDBF,
    0x3FFAE89F995AD3AD,
    0x3FFB33A2B84F15FB,
    0x3FFB7F76F2FB5E47,
    0x3FFBCC1E904BC1D2,
    0x3FFC199BDD85529C,
    0x3FFC67F12E57D14B,
    0x3FFCB720DCEF9069,
    0x3FFD072D4A07897C,
    0x3FFD5818DCFBA487,
    0x3FFDA9E603DB3285,
    0x3FFDFC97337B9B5F,
    0x3FFE502EE78B3FF6,
    0x3FFEA4AFA2A490DA,
    0x3FFEFA1BEE615A27,
    0x3FFF50765B6E4540,
    0x3FFFA7C1819E90D8,
];

/// eˣ without a libm call, inlined into the loop above (Tang 1989):
/// x = (64m + j)·ln2/64 + r with |r| ≤ ln2/128, so eˣ = 2ᵐ · 2^(j/64) · eʳ,
/// the middle factor from a table and eʳ from its degree-5 Taylor polynomial
/// (truncation below 4·10⁻¹⁷ relative). Within a few ulps of `f64::exp`.
/// The previous version reduced only by ln2 and needed degree 12: twice the
/// arithmetic on the hottest line of the module. Arguments are clamped to
/// [−708, 709] (the results stay normal), far outside any log income.
#[inline(always)]
pub(crate) fn exp(x: f64) -> f64 {
    use exp_consts::*;
    let x = x.clamp(MIN, MAX);
    let t = x * INV_LN2_64 + ROUND;
    let kf = t - ROUND;
    let k = t.to_bits().wrapping_sub(ROUND.to_bits()) as i64;
    let r = (x - kf * LN2_64_HI) - kf * LN2_64_LO;
    let r2 = r * r;
    let p = (1.0 + r) + r2 * ((0.5 + r * (1.0 / 6.0)) + r2 * (1.0 / 24.0 + r * (1.0 / 120.0)));
    // 2^(j/64) with m added to its exponent (k = 64m + j; m ≥ −1107 keeps
    // the sum a normal exponent for the clamped range).
    let scale = EXP2_64THS[(k & 63) as usize].wrapping_add(((k >> 6) as u64) << 52);
    p * f64::from_bits(scale)
}

/// The constants of [`exp`] (shared with its vector form in `super::simd`).
pub(crate) mod exp_consts {
    /// 64/ln 2.
    pub(crate) const INV_LN2_64: f64 = 64.0 * std::f64::consts::LOG2_E;
    /// ln2/64 split in a high part of 36 significant bits, so that k·HI is
    /// exact for |k| < 2¹⁷, and the rest.
    pub(crate) const LN2_64_HI: f64 = 0.010_830_424_696_223_417;
    /// See [`LN2_64_HI`].
    pub(crate) const LN2_64_LO: f64 = 2.572_804_622_327_669e-14;
    /// Adding 1.5·2⁵² rounds to an integer held in the low mantissa bits.
    pub(crate) const ROUND: f64 = 6_755_399_441_055_744.0;
    /// The clamp of the argument: the results stay normal.
    pub(crate) const MIN: f64 = -708.0;
    /// See [`MIN`].
    pub(crate) const MAX: f64 = 709.0;
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
    /// NaN throughout: the indicators of a domain without census units.
    fn default() -> Self {
        Indicators { mean: f64::NAN, fgt0: f64::NAN, fgt1: f64::NAN, gini: Some(f64::NAN) }
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

    /// Options on the log scale: line, L, seed, threads, Gini.
    fn options(line: f64, replicates: usize, seed: u64, threads: usize, gini: bool) -> EbpOptions {
        EbpOptions { line, replicates, seed, threads, gini, transformation: Transformation::Log }
    }

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
        let o = options(4.0, 200, 9, 1, false);
        let one = ebp(&s, &c, &fit, &o).unwrap();
        let two = ebp(&s, &c, &fit, &EbpOptions { threads: 3, ..o }).unwrap();
        assert_eq!(one, two);
        assert_ne!(one, ebp(&s, &c, &fit, &EbpOptions { seed: 10, ..o }).unwrap());
        assert_eq!((one[5].n_sample, one[5].n_pop), (0, 30));
    }

    #[test]
    fn box_cox_at_zero_is_the_log_and_at_one_is_linear() {
        let (s, c) = (sample(), census());
        let fit = s.fit_reml().unwrap();
        let log = options(4.0, 300, 9, 2, true);
        let zero = EbpOptions { transformation: Transformation::BoxCox { lambda: 0.0, shift: 0.0 }, ..log };
        // The same draws through exp: equal up to the last bits of exp.
        for (a, b) in ebp(&s, &c, &fit, &log).unwrap().iter().zip(ebp(&s, &c, &fit, &zero).unwrap()) {
            assert!((a.estimate.mean - b.estimate.mean).abs() <= 1e-12 * a.estimate.mean, "{a:?} {b:?}");
            assert_eq!(a.estimate.fgt0, b.estimate.fgt0);
            assert!((a.estimate.fgt1 - b.estimate.fgt1).abs() < 1e-12);
            assert!((a.estimate.gini.unwrap() - b.estimate.gini.unwrap()).abs() < 1e-12);
        }
        // λ = 1: y = t + 1, so the EBP of the mean is mean(mu) + ū + 1 up to
        // Monte Carlo error (sd of the replicate means ≈ sd_d/√L).
        let one = EbpOptions {
            replicates: 4000,
            gini: false,
            transformation: Transformation::BoxCox { lambda: 1.0, shift: 0.0 },
            ..log
        };
        let est = ebp(&s, &c, &fit, &one).unwrap();
        let effects = s.domain_effects(&fit).unwrap();
        for d in [0, 3, 5] {
            let mut mu = Vec::new();
            linear_predictor(&fit.beta, c.domain_x(d), c.domain_size(d), &mut mu);
            let exact = mu.iter().sum::<f64>() / mu.len() as f64 + effects[d].mean + 1.0;
            let tolerance = 5.0 * (effects[d].sd.powi(2) + fit.sigma_e2 / 30.0).sqrt() / 4000f64.sqrt();
            assert!((est[d].estimate.mean - exact).abs() < tolerance, "{d}: {} vs {exact}", est[d].estimate.mean);
        }
    }

    #[test]
    fn converges_to_the_closed_form_mean() {
        // E[y_j] = exp(mu_j + ū_d + (sd_d² + σe²)/2) (log-normal mean); at L = 4000 the
        // Monte Carlo error of a 30-unit domain mean is well under 1 %.
        let (s, c) = (sample(), census());
        let fit = s.fit_reml().unwrap();
        let eff = s.domain_effects(&fit).unwrap();
        let o = options(4.0, 4000, 3, 2, false);
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
        let o = options(4.0, 20, 5, 2, false);
        let m = bootstrap_mse(&s, &c, &fit, &o, 8).unwrap();
        assert!(m.iter().all(|m| m.mean > 0.0 && m.fgt0 >= 0.0));
        assert_eq!(m, bootstrap_mse(&s, &c, &fit, &EbpOptions { threads: 1, ..o }, 8).unwrap());
        // The unsampled domain is the least certain in mean.
        assert!(m[5].mean > m[2].mean);
    }

    #[test]
    fn census_order_does_not_matter() {
        // The grouped census is kept in place, a shuffled one sorted: same EBP.
        let (s, c) = (sample(), census());
        let mut x = Vec::new();
        let mut dom = Vec::new();
        for j in 0..30 {
            for d in [3, 0, 5, 1, 4, 2] {
                dom.push(d);
                x.extend([(j as f64 - 15.0) / 10.0, (j % 5) as f64]);
            }
        }
        let shuffled = Census::from_vec(x, 2, &dom, 6).unwrap();
        let fit = s.fit_reml().unwrap();
        let o = options(4.0, 30, 2, 2, false);
        assert_eq!(ebp(&s, &c, &fit, &o).unwrap(), ebp(&s, &shuffled, &fit, &o).unwrap());
        // A domain without census units.
        let sparse = Census::new(&[1.0, 2.0, 3.0, 4.0], 2, &[2, 0], 4).unwrap();
        assert_eq!((0..4).map(|d| sparse.domain_size(d)).collect::<Vec<_>>(), [1, 0, 1, 0]);
        assert_eq!(sparse.domain_x(2), [1.0, 2.0]);
    }

    #[test]
    fn gini_by_hand() {
        // Mean-difference form: for 1, 2, 3, 4 the ordered pairs' |yi − yj| sum
        // to 20, N² = 16, ȳ = 2.5, so G = 20 / (2 · 16 · 2.5) = 0.25.
        assert!((gini(&mut [4.0, 1.0, 3.0, 2.0]) - 0.25).abs() < 1e-15);
        // 0, 0, 1: pairs sum to 4, N² = 9, ȳ = 1/3: G = 4 / 6.
        assert!((gini(&mut [0.0, 1.0, 0.0]) - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(gini(&mut [5.0, 5.0, 5.0]), 0.0);
        assert_eq!(gini(&mut [7.0]), 0.0);
        assert!(gini(&mut []).is_nan() && gini(&mut [0.0, 0.0]).is_nan() && gini(&mut [1.0, f64::NAN]).is_nan());
        // Against the O(N²) definition on uneven values.
        let mut v: Vec<f64> = (0..300).map(|i| ((i * 7919) % 301) as f64 * 1.5 + 0.01 * i as f64).collect();
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let pairs: f64 = v.iter().map(|a| v.iter().map(|b| (a - b).abs()).sum::<f64>()).sum();
        let want = pairs / (2.0 * n * n * mean);
        assert!((gini(&mut v) - want).abs() < 1e-12, "{want}");
    }

    #[test]
    fn gini_is_opt_in_and_leaves_the_other_indicators_alone() {
        let (s, c) = (sample(), census());
        let fit = s.fit_reml().unwrap();
        let o = options(4.0, 50, 4, 2, false);
        let plain = ebp(&s, &c, &fit, &o).unwrap();
        let with = ebp(&s, &c, &fit, &EbpOptions { gini: true, ..o }).unwrap();
        assert!(plain.iter().all(|d| d.estimate.gini.is_none()));
        for (p, w) in plain.iter().zip(&with) {
            assert_eq!(Indicators { gini: None, ..w.estimate }, p.estimate);
            let g = w.estimate.gini.unwrap();
            assert!(g > 0.05 && g < 0.9, "{g}");
        }
        // Seeded, thread-independent, and in the bootstrap MSE when asked.
        assert_eq!(with, ebp(&s, &c, &fit, &EbpOptions { gini: true, threads: 1, ..o }).unwrap());
        let m = bootstrap_mse(&s, &c, &fit, &EbpOptions { gini: true, ..o }, 4).unwrap();
        let m0 = bootstrap_mse(&s, &c, &fit, &o, 4).unwrap();
        for (a, b) in m.iter().zip(&m0) {
            assert!(a.gini.unwrap() > 0.0 && b.gini.is_none());
            assert_eq!(Indicators { gini: None, ..*a }, *b);
        }
    }

    #[test]
    fn gini_converges_to_the_lognormal_gini() {
        // One domain, no covariate effect (β = (0, 0)), ū = 0, v with sd 0:
        // each unit is exp(N(0, σe²)), whose Gini is 2Φ(σe/√2) − 1
        // (Aitchison & Brown 1957); σe = 0.5 gives 0.276326.
        let s = sample();
        let x = vec![0.0; 2 * 4000];
        let dom = vec![0; 4000];
        let c = Census::new(&x, 2, &dom, 6).unwrap();
        let fit = NestedFit { beta: vec![0.0, 0.0, 0.0], sigma_u2: 0.0, sigma_e2: 0.25 };
        let o = options(1.0, 20, 8, 1, true);
        let est = ebp(&s, &c, &fit, &o).unwrap();
        let g = est[0].estimate.gini.unwrap();
        assert!((g - 0.276_326).abs() < 0.005, "{g}");
        assert!((est[0].estimate.fgt0 - 0.5).abs() < 0.01);
    }

    #[test]
    fn bad_options_are_errors() {
        let (s, c) = (sample(), census());
        let fit = s.fit_reml().unwrap();
        let o = options(4.0, 10, 1, 1, false);
        assert!(ebp(&s, &c, &fit, &EbpOptions { replicates: 0, ..o }).is_err());
        assert!(ebp(&s, &c, &fit, &EbpOptions { line: -1.0, ..o }).is_err());
        assert!(bootstrap_mse(&s, &c, &fit, &o, 0).is_err());
        let wrong = Census::new(&[0.0, 0.0], 2, &[0], 1).unwrap();
        assert!(matches!(ebp(&s, &wrong, &fit, &o), Err(SaeError::Length { .. })));
        assert!(matches!(Census::new(&[0.0, 0.0], 2, &[4], 2), Err(SaeError::Domain { .. })));
    }
}
