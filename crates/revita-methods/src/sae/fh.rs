//! The Fay–Herriot area-level model (Fay & Herriot 1979):
//! θ̂_d = θ_d + e_d, θ_d = x_d'β + u_d, e_d ~ N(0, ψ_d) with ψ_d known (the
//! direct estimate's sampling variance), u_d ~ N(0, σu²).
//!
//! - σu² by REML or ML with Fisher scoring (the algorithm of R's
//!   `sae::eblupFH`), started at the median ψ_d, each iterate truncated at 0;
//!   β by GLS at σ̂u².
//! - EBLUP θ̃_d = γ_d θ̂_d + (1 − γ_d) x_d'β̂ with shrinkage
//!   γ_d = σu²/(σu² + ψ_d).
//! - MSE by Prasad & Rao (1990): g1 + g2 + 2·g3 with the asymptotic variance
//!   of σ̂u² from the Fisher information, 2/Σ(σu² + ψ_d)⁻², correct to o(1/m)
//!   for REML (Datta & Lahiri 2000); for ML, Datta & Lahiri's (2000) bias term
//!   −b_ML(σ̂u²)·(1 − γ_d)² is added, b_ML = −tr(Q·Σ x x'/(σu²+ψ)²)/Σ(σu²+ψ)⁻²,
//!   as `sae::mseFH` has it (for m equal variances b_ML = −(σu²+ψ)/m, the
//!   exact bias of the ML estimate).
//! - A parametric bootstrap MSE (Butar & Lahiri 2003; González-Manteiga et
//!   al. 2008's scheme at area level): θ*_d = x_d'β̂ + u*_d, θ̂*_d = θ*_d + e*_d,
//!   refit, average (θ̃*_d − θ*_d)².
//! - Out-of-sample areas: the synthetic x'β̂ with MSE σ̂u² + x'Qx (Q the
//!   covariance of β̂), the estimation error of σ̂u² ignored.
//! - Transformations: log (the model on log θ̂ with ψ/θ̂² by the delta method,
//!   back-transformed as exp(η̃ + M/2) with M the MSE on the log scale, the
//!   log-normal mean, and MSE e^{2η̃+M}(e^M − 1), the log-normal variance; a
//!   crude correction in the sense of emdi's `bc_crude`), and arcsine square
//!   root for proportions (η = asin√p with ψ = 1/(4n_d), back-transformed
//!   naively as sin²η̃ with the delta-method MSE sin²(2η̃)·M).

use nalgebra::{DMatrix, DVector};

use super::linalg::{Spd, quad};
use super::rng::{Purpose, stream};
use super::{SaeError, check_finite, check_len};
use rand::RngExt;
use rand_distr::StandardNormal;

/// How σu² is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FhMethod {
    /// Restricted maximum likelihood.
    Reml,
    /// Maximum likelihood.
    Ml,
}

/// Area-level data: direct estimates, their sampling variances and
/// covariates (row-major, `k` per area, no intercept column: one is added).
#[derive(Debug, Clone, Copy)]
pub struct FhData<'a> {
    /// Direct estimates θ̂_d.
    pub direct: &'a [f64],
    /// Known sampling variances ψ_d (> 0).
    pub variance: &'a [f64],
    /// Covariates, m×k row-major.
    pub covariates: &'a [f64],
    /// Covariates per area.
    pub k: usize,
}

/// The fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct FhFit {
    /// How σu² was estimated.
    pub method: FhMethod,
    /// β̂, intercept first.
    pub beta: Vec<f64>,
    /// Covariance of β̂, Q = (X'V⁻¹X)⁻¹, p×p row-major.
    pub beta_cov: Vec<f64>,
    /// σ̂u² (≥ 0).
    pub sigma_u2: f64,
    /// Fisher-scoring iterations used.
    pub iterations: usize,
}

/// An area's small-area estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FhArea {
    /// The EBLUP θ̃_d.
    pub eblup: f64,
    /// The synthetic part x_d'β̂.
    pub synthetic: f64,
    /// Shrinkage γ_d.
    pub gamma: f64,
    /// MSE (Prasad–Rao, or Datta–Lahiri for ML).
    pub mse: f64,
}

/// A fitted model and its area estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct FhResult {
    /// The fit.
    pub fit: FhFit,
    /// One per area, in input order.
    pub areas: Vec<FhArea>,
}

/// A point estimate with its MSE.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// Its MSE.
    pub mse: f64,
}

const MAX_ITER: usize = 100;
const TOL: f64 = 1e-10;

/// Fits the model and computes every area's EBLUP and analytic MSE.
pub fn fay_herriot(data: &FhData<'_>, method: FhMethod) -> Result<FhResult, SaeError> {
    let x = design(data)?;
    let fit = fit(&x, data.direct, data.variance, method)?;
    let areas = eblup(&x, data, &fit)?;
    Ok(FhResult { fit, areas })
}

/// The intercept-augmented m×p design, after checking the data.
pub(super) fn design(data: &FhData<'_>) -> Result<DMatrix<f64>, SaeError> {
    let m = data.direct.len();
    let p = data.k + 1;
    if m == 0 {
        return Err(SaeError::Empty);
    }
    check_len("variance", m, data.variance.len())?;
    check_len("covariates", m * data.k, data.covariates.len())?;
    check_finite("direct", data.direct)?;
    check_finite("variance", data.variance)?;
    check_finite("covariates", data.covariates)?;
    if let Some(index) = data.variance.iter().position(|&v| v <= 0.0) {
        return Err(SaeError::NonPositive { what: "variance", index });
    }
    if m <= p {
        return Err(SaeError::TooFew { n: m, p });
    }
    Ok(DMatrix::from_fn(m, p, |i, j| if j == 0 { 1.0 } else { data.covariates[i * data.k + j - 1] }))
}

/// GLS at σu² = a: β̂, the factored X'V⁻¹X and the residuals y − Xβ̂.
struct Gls {
    beta: DVector<f64>,
    m: Spd,
    resid: Vec<f64>,
}

fn gls(x: &DMatrix<f64>, y: &[f64], psi: &[f64], a: f64) -> Result<Gls, SaeError> {
    let w = DVector::from_iterator(psi.len(), psi.iter().map(|p| 1.0 / (a + p)));
    let xw = DMatrix::from_fn(x.nrows(), x.ncols(), |i, j| x[(i, j)] * w[i]);
    let xtwx = xw.transpose() * x;
    let xtwy = xw.transpose() * DVector::from_column_slice(y);
    let m = Spd::new(xtwx)?;
    let beta = m.solve(&xtwy);
    let fitted = x * &beta;
    let resid = y.iter().zip(fitted.iter()).map(|(y, f)| y - f).collect();
    Ok(Gls { beta, m, resid })
}

/// Σ_d c_d x_d x_d'.
fn weighted_gram(x: &DMatrix<f64>, c: impl Fn(usize) -> f64) -> DMatrix<f64> {
    let xc = DMatrix::from_fn(x.nrows(), x.ncols(), |i, j| x[(i, j)] * c(i));
    xc.transpose() * x
}

/// The score in σu² and the Fisher information at a.
fn score_info(x: &DMatrix<f64>, y: &[f64], psi: &[f64], a: f64, method: FhMethod) -> Result<(f64, f64), SaeError> {
    let g = gls(x, y, psi, a)?;
    let w: Vec<f64> = psi.iter().map(|p| 1.0 / (a + p)).collect();
    // y'PPy = Σ (r_d / v_d)² since P y = V⁻¹(y − Xβ̂).
    let ypy: f64 = g.resid.iter().zip(&w).map(|(r, w)| (r * w).powi(2)).sum();
    let sw: f64 = w.iter().sum();
    let sw2: f64 = w.iter().map(|w| w * w).sum();
    Ok(match method {
        FhMethod::Ml => (-0.5 * sw + 0.5 * ypy, 0.5 * sw2),
        FhMethod::Reml => {
            // P = V⁻¹ − V⁻¹X Q X'V⁻¹: tr P = Σw − tr(Q·X'V⁻²X),
            // tr P² = Σw² − 2 tr(Q·X'V⁻³X) + tr((Q·X'V⁻²X)²).
            let q = g.m.inverse();
            let a2 = &q * weighted_gram(x, |i| w[i] * w[i]);
            let a3 = &q * weighted_gram(x, |i| w[i].powi(3));
            let tr_p = sw - a2.trace();
            let tr_pp = sw2 - 2.0 * a3.trace() + (&a2 * &a2).trace();
            (-0.5 * tr_p + 0.5 * ypy, 0.5 * tr_pp)
        }
    })
}

/// The median of non-empty values, where `sae::eblupFH` starts σu².
pub(super) fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 { sorted[mid] } else { 0.5 * (sorted[mid - 1] + sorted[mid]) }
}

/// σ̂u² by Fisher scoring, then β̂ by GLS.
fn fit(x: &DMatrix<f64>, y: &[f64], psi: &[f64], method: FhMethod) -> Result<FhFit, SaeError> {
    let mut a = median(psi);
    let mut iterations = 0;
    loop {
        if iterations == MAX_ITER {
            return Err(SaeError::NoConvergence);
        }
        iterations += 1;
        let (s, f) = score_info(x, y, psi, a, method)?;
        // Truncation at 0: a negative step past the boundary stops there.
        let next = (a + s / f).max(0.0);
        let done = (next - a).abs() <= TOL * (1.0 + a);
        a = next;
        if done {
            break;
        }
    }
    let g = gls(x, y, psi, a)?;
    let q = g.m.inverse();
    let p = x.ncols();
    Ok(FhFit {
        method,
        beta: g.beta.iter().copied().collect(),
        beta_cov: (0..p * p).map(|i| q[(i / p, i % p)]).collect(),
        sigma_u2: a,
        iterations,
    })
}

fn q_matrix(fit: &FhFit) -> DMatrix<f64> {
    let p = fit.beta.len();
    DMatrix::from_row_slice(p, p, &fit.beta_cov)
}

/// EBLUPs and their analytic MSEs.
fn eblup(x: &DMatrix<f64>, data: &FhData<'_>, fit: &FhFit) -> Result<Vec<FhArea>, SaeError> {
    let a = fit.sigma_u2;
    let q = q_matrix(fit);
    let psi = data.variance;
    let sum_w2: f64 = psi.iter().map(|p| (a + p).powi(-2)).sum();
    // Asymptotic variance of σ̂u² (inverse Fisher information, REML and ML alike).
    let var_a = 2.0 / sum_w2;
    // Datta–Lahiri's ML bias of σ̂u², −tr(Q·X'V⁻²X)/(2·I(σu²)) with the
    // information I = ½Σv⁻², as sae::mseFH writes it (negative).
    let bias_ml = match fit.method {
        FhMethod::Reml => 0.0,
        FhMethod::Ml => -(&q * weighted_gram(x, |i| (a + psi[i]).powi(-2))).trace() / sum_w2,
    };
    Ok((0..x.nrows())
        .map(|d| {
            let xd: Vec<f64> = x.row(d).iter().copied().collect();
            let synthetic: f64 = xd.iter().zip(&fit.beta).map(|(x, b)| x * b).sum();
            let v = a + psi[d];
            let gamma = a / v;
            let g1 = gamma * psi[d];
            let g2 = (1.0 - gamma).powi(2) * quad(&q, &xd);
            let g3 = psi[d].powi(2) / v.powi(3) * var_a;
            let mse = g1 + g2 + 2.0 * g3 - bias_ml * (1.0 - gamma).powi(2);
            FhArea { eblup: synthetic + gamma * (data.direct[d] - synthetic), synthetic, gamma, mse }
        })
        .collect())
}

/// Synthetic predictions x'β̂ for areas without a direct estimate
/// (`covariates`: row-major, `fit`'s k per area), MSE σ̂u² + x'Qx.
pub fn out_of_sample(fit: &FhFit, covariates: &[f64]) -> Result<Vec<Estimate>, SaeError> {
    let k = fit.beta.len() - 1;
    check_finite("covariates", covariates)?;
    if k > 0 && !covariates.len().is_multiple_of(k) {
        return Err(SaeError::Length {
            what: "covariates",
            expected: covariates.len() / k * k,
            found: covariates.len(),
        });
    }
    if k == 0 {
        return Err(SaeError::Parameter(
            "out_of_sample needs covariates: for an intercept-only model the prediction is beta[0] with MSE sigma_u2 + beta_cov[0]",
        ));
    }
    let q = q_matrix(fit);
    Ok(covariates
        .chunks_exact(k)
        .map(|row| {
            let xd: Vec<f64> = std::iter::once(1.0).chain(row.iter().copied()).collect();
            let value = xd.iter().zip(&fit.beta).map(|(x, b)| x * b).sum();
            Estimate { value, mse: fit.sigma_u2 + quad(&q, &xd) }
        })
        .collect())
}

/// The parametric bootstrap MSE of every area's EBLUP with `replicates`
/// bootstrap samples from the fitted model, refitted by the same method.
pub fn bootstrap_mse(data: &FhData<'_>, fit: &FhFit, replicates: usize, seed: u64) -> Result<Vec<f64>, SaeError> {
    if replicates == 0 {
        return Err(SaeError::Parameter("bootstrap replicates must be at least 1"));
    }
    let x = design(data)?;
    check_len("beta", x.ncols(), fit.beta.len())?;
    let m = x.nrows();
    let synthetic: Vec<f64> = (0..m).map(|d| x.row(d).iter().zip(&fit.beta).map(|(x, b)| x * b).sum()).collect();
    let su = fit.sigma_u2.sqrt();
    let mut acc = vec![0.0; m];
    let mut y = vec![0.0; m];
    let mut theta = vec![0.0; m];
    for b in 0..replicates as u64 {
        let mut rng = stream(seed, Purpose::FhBoot, b, 0);
        for d in 0..m {
            theta[d] = synthetic[d] + su * rng.sample::<f64, _>(StandardNormal);
            y[d] = theta[d] + data.variance[d].sqrt() * rng.sample::<f64, _>(StandardNormal);
        }
        let fit_b = self::fit(&x, &y, data.variance, fit.method)?;
        let boot = FhData { direct: &y, ..*data };
        let areas = eblup(&x, &boot, &fit_b)?;
        for d in 0..m {
            acc[d] += (areas[d].eblup - theta[d]).powi(2);
        }
    }
    Ok(acc.into_iter().map(|s| s / replicates as f64).collect())
}

/// The model on log θ̂ (θ̂ > 0), with ψ/θ̂² as the log-scale variance (delta
/// method); back-transformed estimates exp(η̃ + M/2) with MSE
/// e^{2η̃+M}(e^M − 1), M the log-scale Prasad–Rao MSE.
pub fn fay_herriot_log(data: &FhData<'_>, method: FhMethod) -> Result<(FhFit, Vec<Estimate>), SaeError> {
    if let Some(index) = data.direct.iter().position(|&v| v.is_nan() || v <= 0.0) {
        return Err(SaeError::NonPositive { what: "direct", index });
    }
    let eta: Vec<f64> = data.direct.iter().map(|v| v.ln()).collect();
    let psi: Vec<f64> = data.direct.iter().zip(data.variance).map(|(t, v)| v / (t * t)).collect();
    let r = fay_herriot(&FhData { direct: &eta, variance: &psi, ..*data }, method)?;
    let est = r
        .areas
        .iter()
        .map(|a| Estimate { value: (a.eblup + a.mse / 2.0).exp(), mse: (2.0 * a.eblup + a.mse).exp() * a.mse.exp_m1() })
        .collect();
    Ok((r.fit, est))
}

/// The model on η = asin√p for proportions p ∈ [0, 1] with sample sizes n_d
/// (ψ_d = 1/(4n_d), the variance-stabilised scale; `data.variance` is not
/// used), back-transformed as sin²η̃ (η̃ clamped to [0, π/2]) with the
/// delta-method MSE sin²(2η̃)·M.
pub fn fay_herriot_arcsin(
    data: &FhData<'_>,
    sample_sizes: &[f64],
    method: FhMethod,
) -> Result<(FhFit, Vec<Estimate>), SaeError> {
    check_len("sample sizes", data.direct.len(), sample_sizes.len())?;
    if let Some(index) = data.direct.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(SaeError::OutOfRange { what: "direct", index });
    }
    if let Some(index) = sample_sizes.iter().position(|&n| n.is_nan() || n <= 0.0) {
        return Err(SaeError::NonPositive { what: "sample sizes", index });
    }
    let eta: Vec<f64> = data.direct.iter().map(|p| p.sqrt().asin()).collect();
    let psi: Vec<f64> = sample_sizes.iter().map(|n| 1.0 / (4.0 * n)).collect();
    let r = fay_herriot(&FhData { direct: &eta, variance: &psi, ..*data }, method)?;
    let est = r
        .areas
        .iter()
        .map(|a| {
            let e = a.eblup.clamp(0.0, std::f64::consts::FRAC_PI_2);
            Estimate { value: e.sin().powi(2), mse: (2.0 * e).sin().powi(2) * a.mse }
        })
        .collect();
    Ok((r.fit, est))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-12)
    }

    #[test]
    fn balanced_intercept_only_by_hand() {
        // y = 1..5, ψ = 0.5 everywhere, intercept only: V = (σ² + ψ)I, so
        // REML gives σ² + ψ = RSS/(m − p) = 10/4 → σ² = 2.0; ML gives RSS/m − ψ = 1.5.
        let y = [1.0, 2.0, 3.0, 4.0, 5.0];
        let psi = [0.5; 5];
        let data = FhData { direct: &y, variance: &psi, covariates: &[], k: 0 };
        let r = fay_herriot(&data, FhMethod::Reml).unwrap();
        assert!(close(r.fit.sigma_u2, 2.0, 1e-9));
        assert!(close(r.fit.beta[0], 3.0, 1e-12));
        // γ = 2/2.5 = 0.8: EBLUP = 3 + 0.8 (y − 3); area 1: 1.4.
        // g1 = γψ = 0.4; g2 = (1 − γ)² · 2.5/5 = 0.02;
        // var σ̂² = 2/Σ(1/2.5²) = 2·6.25/5 = 2.5, g3 = ψ²/2.5³ · 2.5 = 0.04;
        // MSE = 0.4 + 0.02 + 2·0.04 = 0.5.
        assert!(close(r.areas[0].eblup, 1.4, 1e-9));
        assert!(close(r.areas[0].gamma, 0.8, 1e-9));
        assert!(close(r.areas[0].mse, 0.5, 1e-9));
        let ml = fay_herriot(&data, FhMethod::Ml).unwrap();
        assert!(close(ml.fit.sigma_u2, 1.5, 1e-9));
        // ML: γ = 0.75, g1 = 0.375, g2 = 0.0625 · 2/5 = 0.025, var = 2·4/5 = 1.6,
        // g3 = 0.25/8 · 1.6 = 0.05; b_ML = −(Q·Σ1/v²)/Σ1/v² = −2/5 = −0.4 (the
        // exact bias: E σ̂² = (m − 1)v/m − ψ = σ² − v/m), so the bias term adds
        // 0.4 · 0.0625 = 0.025: MSE = 0.375 + 0.025 + 0.1 + 0.025 = 0.525.
        assert!(close(ml.areas[0].mse, 0.525, 1e-9));
    }

    // Eight areas, one covariate. Reference values from an independent numpy/scipy
    // computation (direct minimisation of the restricted and full negative
    // log-likelihoods with scipy.optimize.minimize_scalar, xatol 1e-12, then GLS,
    // EBLUP and the Prasad–Rao / Datta–Lahiri formulas as in R sae::mseFH).
    const Y: [f64; 8] = [10.2, 15.5, 7.1, 14.8, 13.0, 11.3, 8.7, 16.0];
    const PSI: [f64; 8] = [1.5, 0.8, 2.0, 1.2, 0.6, 1.8, 1.0, 0.9];
    const X: [f64; 8] = [1.0, 2.0, 0.5, 3.0, 1.5, 2.5, 0.2, 2.2];

    #[test]
    fn reml_matches_scipy() {
        let data = FhData { direct: &Y, variance: &PSI, covariates: &X, k: 1 };
        let r = fay_herriot(&data, FhMethod::Reml).unwrap();
        assert!(close(r.fit.sigma_u2, 3.165793993809364, 1e-6), "{}", r.fit.sigma_u2);
        assert!(close(r.fit.beta[0], 7.947335558931982, 1e-6));
        assert!(close(r.fit.beta[1], 2.6627992773661293, 1e-6));
        let eblup = [10.331853711343326, 15.05074501805949, 7.94352384172734, 15.112172326767821];
        let mse = [1.3070813872997002, 0.7602167763378834, 1.7022977794196354, 1.166358133143216];
        for d in 0..4 {
            assert!(close(r.areas[d].eblup, eblup[d], 1e-6));
            assert!(close(r.areas[d].mse, mse[d], 1e-6));
        }
    }

    #[test]
    fn ml_matches_scipy() {
        let data = FhData { direct: &Y, variance: &PSI, covariates: &X, k: 1 };
        let r = fay_herriot(&data, FhMethod::Ml).unwrap();
        assert!(close(r.fit.sigma_u2, 2.02042019583533, 1e-6), "{}", r.fit.sigma_u2);
        assert!(close(r.fit.beta[1], 2.6696606019316236, 1e-6));
        assert!(close(r.areas[7].eblup, 15.342301399720125, 1e-6));
        // The ML MSE from R: sae 1.3's mseFH(y ~ x, v, method = "ML",
        // PRECISION = 1e-14) on these data. (The numpy reference, 0.87379, had
        // half of Datta & Lahiri's bias term.)
        assert!(close(r.areas[7].mse, 0.9106223833238969, 1e-6));
    }

    // sae 1.3's mseFH(yi ~ as.factor(MajorArea), SD², method, PRECISION =
    // 1e-12) on milk (Arora & Lahiri 1997; tests/data/sae/README.md): the same
    // likelihood, Fisher scoring and MSE formulas, so 1e-6 relative on β̂ and
    // its standard errors, σ̂u², the 43 EBLUPs and MSEs (observed: below 1e-9).
    // sae's third method, the Fay–Herriot moment estimator "FH", is not ours.
    fn check_milk(method: FhMethod, label: &str) {
        use crate::sae::reference::{MILK, MILK_FH, assert_rel, max_rel, values};
        let y = column(MILK, "yi");
        let var: Vec<f64> = column(MILK, "SD").iter().map(|sd| sd * sd).collect();
        // as.factor(MajorArea): dummies for areas 2, 3 and 4 against area 1.
        let major = column(MILK, "MajorArea");
        let x: Vec<f64> = major.iter().flat_map(|a| [2.0, 3.0, 4.0].map(|l| f64::from(u8::from(*a == l)))).collect();
        let r = fay_herriot(&FhData { direct: &y, variance: &var, covariates: &x, k: 3 }, method).unwrap();
        let tol = 1e-6;
        assert_rel("beta", &r.fit.beta, &values(MILK_FH, label, "beta"), tol);
        let se: Vec<f64> = (0..4).map(|j| r.fit.beta_cov[j * 4 + j].sqrt()).collect();
        assert_rel("beta se", &se, &values(MILK_FH, label, "beta_se"), tol);
        assert_rel("refvar", &[r.fit.sigma_u2], &values(MILK_FH, label, "refvar"), tol);
        let eblup: Vec<f64> = r.areas.iter().map(|a| a.eblup).collect();
        let mse: Vec<f64> = r.areas.iter().map(|a| a.mse).collect();
        assert_rel("eblup", &eblup, &values(MILK_FH, label, "eblup"), tol);
        assert_rel("mse", &mse, &values(MILK_FH, label, "mse"), tol);
        eprintln!(
            "milk {label}: max relative error σu² {:e}, eblup {:e}, mse {:e}",
            max_rel(&[r.fit.sigma_u2], &values(MILK_FH, label, "refvar")),
            max_rel(&eblup, &values(MILK_FH, label, "eblup")),
            max_rel(&mse, &values(MILK_FH, label, "mse")),
        );
    }

    use crate::sae::reference::column;

    #[test]
    fn reml_matches_sae_on_milk() {
        check_milk(FhMethod::Reml, "REML");
    }

    #[test]
    fn ml_matches_sae_on_milk() {
        check_milk(FhMethod::Ml, "ML");
    }

    #[test]
    fn no_area_variance_truncates_at_zero() {
        // y exactly on a line: the score at 0 is negative, σ̂² = 0, EBLUP = synthetic.
        let y = [1.0, 2.0, 3.0, 4.0];
        let x = [0.0, 1.0, 2.0, 3.0];
        let data = FhData { direct: &y, variance: &[1.0; 4], covariates: &x, k: 1 };
        let r = fay_herriot(&data, FhMethod::Reml).unwrap();
        assert_eq!(r.fit.sigma_u2, 0.0);
        assert!(r.areas.iter().all(|a| a.gamma == 0.0 && (a.eblup - a.synthetic).abs() < 1e-12));
    }

    #[test]
    fn out_of_sample_is_synthetic() {
        let data = FhData { direct: &Y, variance: &PSI, covariates: &X, k: 1 };
        let r = fay_herriot(&data, FhMethod::Reml).unwrap();
        let p = out_of_sample(&r.fit, &[1.0]).unwrap();
        assert!(close(p[0].value, r.fit.beta[0] + r.fit.beta[1], 1e-12));
        // x'Qx with x = (1, 1): Q00 + 2Q01 + Q11, plus σ̂².
        let q = &r.fit.beta_cov;
        assert!(close(p[0].mse, r.fit.sigma_u2 + q[0] + 2.0 * q[1] + q[3], 1e-12));
    }

    #[test]
    fn bootstrap_mse_is_near_prasad_rao() {
        let data = FhData { direct: &Y, variance: &PSI, covariates: &X, k: 1 };
        let r = fay_herriot(&data, FhMethod::Reml).unwrap();
        let boot = bootstrap_mse(&data, &r.fit, 2000, 11).unwrap();
        // Same seed, same answer.
        assert_eq!(boot, bootstrap_mse(&data, &r.fit, 2000, 11).unwrap());
        // With m = 8 the two agree only roughly: within 35 % on average.
        let ratio: f64 = boot.iter().zip(&r.areas).map(|(b, a)| (b / a.mse).ln()).sum::<f64>() / 8.0;
        assert!(ratio.abs() < 0.3, "mean log ratio {ratio}");
    }

    #[test]
    fn transformations_back_transform() {
        let data = FhData { direct: &Y, variance: &PSI, covariates: &X, k: 1 };
        let (_, est) = fay_herriot_log(&data, FhMethod::Reml).unwrap();
        // The log model's estimates stay positive and near the direct ones.
        assert!(est.iter().zip(&Y).all(|(e, y)| e.value > 0.0 && (e.value / y - 1.0).abs() < 0.3));
        let p = [0.1, 0.25, 0.05, 0.4, 0.3, 0.2, 0.02, 0.35];
        let n = [50.0, 80.0, 40.0, 60.0, 120.0, 45.0, 70.0, 90.0];
        let prop = FhData { direct: &p, variance: &PSI, covariates: &X, k: 1 };
        let (_, est) = fay_herriot_arcsin(&prop, &n, FhMethod::Reml).unwrap();
        assert!(est.iter().all(|e| (0.0..=1.0).contains(&e.value) && e.mse >= 0.0));
        assert!(
            fay_herriot_log(
                &FhData { direct: &[1.0, -1.0, 2.0, 3.0], variance: &[1.0; 4], covariates: &[], k: 0 },
                FhMethod::Reml
            )
            .is_err()
        );
    }

    #[test]
    fn bad_input_is_an_error() {
        let e = |d: &FhData<'_>| fay_herriot(d, FhMethod::Reml).unwrap_err();
        assert_eq!(e(&FhData { direct: &[], variance: &[], covariates: &[], k: 0 }), SaeError::Empty);
        assert!(matches!(
            e(&FhData { direct: &[1.0, 2.0], variance: &[1.0, 0.0], covariates: &[], k: 0 }),
            SaeError::NonPositive { .. }
        ));
        // Collinear covariates: x2 = 2·x1.
        let x = [1.0, 2.0, 2.0, 4.0, 3.0, 6.0, 4.0, 8.0, 5.0, 10.0];
        let d = FhData { direct: &[1.0, 3.0, 2.0, 5.0, 4.0], variance: &[1.0; 5], covariates: &x, k: 2 };
        assert_eq!(e(&d), SaeError::Singular);
        assert!(matches!(
            e(&FhData { direct: &[1.0, 2.0], variance: &[1.0; 2], covariates: &[1.0, 2.0], k: 1 }),
            SaeError::TooFew { .. }
        ));
    }
}
