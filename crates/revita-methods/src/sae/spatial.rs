//! The spatial Fay–Herriot model (Singh, Shukla & Kundu 2005; Petrucci &
//! Salvati 2006), as R's `sae::eblupSFH` and `sae::mseSFH` (Molina &
//! Marhuenda 2015) fit it:
//! θ̂_d = θ_d + e_d, θ = Xβ + u, u = ρWu + ε, ε ~ N(0, σu² I), e_d ~ N(0, ψ_d)
//! with ψ_d known and W a row-standardised proximity matrix, so that
//! Var(u) = σu² C with C = [(I − ρW)'(I − ρW)]⁻¹ and V = σu² C + Ψ.
//!
//! - (σu², ρ) by REML or ML with Fisher scoring from (median ψ_d, 0.5), as
//!   `eblupSFH` does; each iterate keeps σu² ≥ 0 and ρ in [−0.999, 0.999]
//!   (`eblupSFH` bounds ρ the same way). β by GLS.
//! - The spatial EBLUP θ̃ = Xβ̂ + σ̂u² C V⁻¹(θ̂ − Xβ̂).
//! - The analytic MSE of Singh, Shukla & Kundu (2005), g1 + g2 + 2·g3 − g4,
//!   with the REML Fisher information of (σu², ρ) in g3 and g4 for both
//!   methods, as `mseSFH` does; for ML also the bias term −b_ML'∇g1.
//! - A parametric bootstrap MSE (the scheme of `sae::pbmseSFH`, after
//!   González-Manteiga et al. 2008): u* = (I − ρ̂W)⁻¹ε*, θ* = Xβ̂ + u*,
//!   θ̂* = θ* + e*, refit, average (θ̃* − θ*)².
//!
//! When W has no neighbours at all, or σ̂u² = 0, ρ is not identified (V does
//! not depend on it): it is held at 0 and only σu² is estimated, so a W
//! without neighbours gives the ordinary Fay–Herriot fit and EBLUP.

use nalgebra::{DMatrix, DVector, Matrix2, Vector2};
use rand::RngExt;
use rand_distr::StandardNormal;

use super::fh::{FhData, FhMethod, design, median};
use super::linalg::{Spd, quad, spd_inverse};
use super::rng::{Purpose, stream};
use super::{SaeError, check_finite, check_len};

/// The bound on |ρ| while iterating (that of `sae::eblupSFH`).
const RHO_MAX: f64 = 0.999;
const MAX_ITER: usize = 200;
const TOL: f64 = 1e-10;
/// How far a row of W may sum from 1 and still count as row-standardised.
const ROW_SUM_TOL: f64 = 1e-6;

/// A row-standardised proximity matrix W (m×m): w_ij ≥ 0 is area j's weight
/// as a neighbour of area i, w_ii = 0, and every row sums to 1, or to 0 for
/// an area without neighbours (its effect is then its own ε_i). Row
/// standardisation keeps I − ρW invertible for |ρ| < 1 (Anselin 1988).
#[derive(Debug, Clone, PartialEq)]
pub struct Proximity {
    w: DMatrix<f64>,
}

impl Proximity {
    /// W from its `areas`² weights, row-major (Anselin 1988, §3.1): NaN or
    /// infinite weights, negative weights, a non-zero diagonal and rows that
    /// sum to neither 1 nor 0 are refused.
    pub fn new(areas: usize, weights: &[f64]) -> Result<Proximity, SaeError> {
        let cells = areas.checked_mul(areas).ok_or(SaeError::Parameter("too many areas"))?;
        check_len("proximity", cells, weights.len())?;
        check_finite("proximity", weights)?;
        if let Some(index) = weights.iter().position(|&w| w < 0.0) {
            return Err(SaeError::Negative { what: "proximity", index });
        }
        for row in 0..areas {
            if weights[row * areas + row] != 0.0 {
                return Err(SaeError::OutOfRange { what: "proximity diagonal", index: row });
            }
            let sum: f64 = weights[row * areas..(row + 1) * areas].iter().sum();
            if sum != 0.0 && (sum - 1.0).abs() > ROW_SUM_TOL {
                return Err(SaeError::NotRowStandardised { row });
            }
        }
        Ok(Proximity { w: DMatrix::from_row_slice(areas, areas, weights) })
    }

    /// The row-standardised contiguity matrix of `areas` areas from the
    /// pairs that are neighbours (each pair in either order, once or twice):
    /// w_ij = 1/n_i for the n_i neighbours j of area i (Anselin 1988, §3.1).
    /// A pair of an area with itself, or naming an area ≥ `areas`, is refused.
    pub fn from_neighbours(areas: usize, pairs: &[(usize, usize)]) -> Result<Proximity, SaeError> {
        let mut w = DMatrix::zeros(areas, areas);
        for &(i, j) in pairs {
            for index in [i, j] {
                if index >= areas {
                    return Err(SaeError::Domain { index, domains: areas });
                }
            }
            if i == j {
                return Err(SaeError::OutOfRange { what: "neighbour pair", index: i });
            }
            w[(i, j)] = 1.0;
            w[(j, i)] = 1.0;
        }
        for mut row in w.row_iter_mut() {
            let n: f64 = row.sum();
            if n > 0.0 {
                row /= n;
            }
        }
        Ok(Proximity { w })
    }

    /// The number of areas m.
    pub fn areas(&self) -> usize {
        self.w.nrows()
    }

    /// w_ij, the weight of area j as a neighbour of area i (0 out of range).
    pub fn weight(&self, i: usize, j: usize) -> f64 {
        self.w.get((i, j)).copied().unwrap_or(0.0)
    }

    /// Whether any area has a neighbour (otherwise ρ is not identified).
    fn has_neighbours(&self) -> bool {
        self.w.iter().any(|&w| w != 0.0)
    }
}

/// The fitted spatial model.
#[derive(Debug, Clone, PartialEq)]
pub struct SfhFit {
    /// How (σu², ρ) were estimated.
    pub method: FhMethod,
    /// β̂, intercept first.
    pub beta: Vec<f64>,
    /// Covariance of β̂, Q = (X'V⁻¹X)⁻¹, p×p row-major.
    pub beta_cov: Vec<f64>,
    /// σ̂u² (≥ 0), the variance of the SAR innovations ε.
    pub sigma_u2: f64,
    /// ρ̂, the spatial autoregression coefficient (in [−0.999, 0.999]; 0
    /// when not identified: W without neighbours or σ̂u² = 0).
    pub rho: f64,
    /// Fisher-scoring iterations used.
    pub iterations: usize,
}

/// An area's spatial EBLUP and the parts of its analytic MSE.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SfhArea {
    /// The spatial EBLUP θ̃_d.
    pub eblup: f64,
    /// The synthetic part x_d'β̂.
    pub synthetic: f64,
    /// g1, the MSE of the BLUP with known parameters and β.
    pub g1: f64,
    /// g2, the part due to estimating β.
    pub g2: f64,
    /// g3, the part due to estimating (σu², ρ).
    pub g3: f64,
    /// g4, Singh et al.'s correction for the curvature of V in ρ.
    pub g4: f64,
    /// The MSE estimate g1 + g2 + 2·g3 − g4 (minus b_ML'∇g1 for ML).
    pub mse: f64,
}

/// A fitted spatial model and its area estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct SfhResult {
    /// The fit.
    pub fit: SfhFit,
    /// One per area, in input order.
    pub areas: Vec<SfhArea>,
}

/// Fits the spatial Fay–Herriot model (Singh, Shukla & Kundu 2005; Petrucci
/// & Salvati 2006) by REML or ML and computes every area's spatial EBLUP with
/// its analytic MSE, as R's `sae::mseSFH` does. `proximity` must have one row
/// per area of `data`.
pub fn spatial_fay_herriot(data: &FhData<'_>, proximity: &Proximity, method: FhMethod) -> Result<SfhResult, SaeError> {
    let x = design(data)?;
    check_len("proximity", data.direct.len(), proximity.areas())?;
    let (fit, at) = fit(&x, data.direct, data.variance, proximity, method)?;
    let areas = predict(&x, data.variance, proximity, &fit, &at)?;
    Ok(SfhResult { fit, areas })
}

/// The model's covariance structure and GLS fit at (σu², ρ).
struct At {
    /// C = [(I − ρW)'(I − ρW)]⁻¹, the correlation structure of u.
    c: DMatrix<f64>,
    /// Ḃ = d[(I − ρW)'(I − ρW)]/dρ = 2ρW'W − W − W'.
    b_dot: DMatrix<f64>,
    /// ∂V/∂σu² = C and ∂V/∂ρ = −σu² CḂC.
    dv: [DMatrix<f64>; 2],
    vi: DMatrix<f64>,
    /// V⁻¹X.
    vix: DMatrix<f64>,
    /// P = V⁻¹ − V⁻¹XQX'V⁻¹.
    p: DMatrix<f64>,
    q: DMatrix<f64>,
    beta: DVector<f64>,
    /// P θ̂ = V⁻¹(θ̂ − Xβ̂).
    py: DVector<f64>,
    /// log|V|, log|X'V⁻¹X| and θ̂'Pθ̂ = r'V⁻¹r, r = θ̂ − Xβ̂.
    log_det_v: f64,
    log_det_xvix: f64,
    ypy: f64,
}

impl At {
    fn new(x: &DMatrix<f64>, y: &[f64], psi: &[f64], w: &DMatrix<f64>, s2: f64, rho: f64) -> Result<At, SaeError> {
        let m = psi.len();
        let b = DMatrix::identity(m, m) - w * rho;
        let (c, _) = spd_inverse(b.transpose() * &b)?;
        let wtw = w.transpose() * w;
        let b_dot = wtw * (2.0 * rho) - w - w.transpose();
        let dv_rho = &c * &b_dot * &c * (-s2);
        let mut v = &c * s2;
        for (d, psi) in psi.iter().enumerate() {
            v[(d, d)] += psi;
        }
        let (vi, log_det_v) = spd_inverse(v)?;
        let vix = &vi * x;
        let xvix = Spd::new(x.transpose() * &vix)?;
        let q = xvix.inverse();
        let y = DVector::from_column_slice(y);
        let beta = xvix.solve(&(vix.transpose() * &y));
        let resid = y - x * &beta;
        let py = &vi * &resid;
        let ypy = resid.dot(&py);
        let p = &vi - &vix * &q * vix.transpose();
        let log_det_xvix = xvix.log_det();
        Ok(At { dv: [c.clone(), dv_rho], c, b_dot, vi, vix, p, q, beta, py, log_det_v, log_det_xvix, ypy })
    }

    /// The log-likelihood up to a constant: −½(log|V| + log|X'V⁻¹X| + θ̂'Pθ̂)
    /// restricted (Patterson & Thompson 1971), −½(log|V| + r'V⁻¹r) full.
    fn log_likelihood(&self, method: FhMethod) -> f64 {
        match method {
            FhMethod::Reml => -0.5 * (self.log_det_v + self.log_det_xvix + self.ypy),
            FhMethod::Ml => -0.5 * (self.log_det_v + self.ypy),
        }
    }

    /// The score of the REML or ML log-likelihood in (σu², ρ) and the
    /// Fisher information (Harville 1977): for REML
    /// s_k = −½ tr(P V_k) + ½ θ̂'P V_k P θ̂ and I_kl = ½ tr(P V_k P V_l); for ML
    /// V⁻¹ replaces P in the traces.
    fn score_info(&self, method: FhMethod) -> (Vector2<f64>, Matrix2<f64>) {
        let base = match method {
            FhMethod::Reml => &self.p,
            FhMethod::Ml => &self.vi,
        };
        let bv = [base * &self.dv[0], base * &self.dv[1]];
        let score = Vector2::from_fn(|k, _| -0.5 * bv[k].trace() + 0.5 * self.py.dot(&(&self.dv[k] * &self.py)));
        let info = Matrix2::from_fn(|k, l| 0.5 * trace_of_product(&bv[k], &bv[l]));
        (score, info)
    }
}

/// tr(AB) without forming AB.
fn trace_of_product(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    a.row_iter().enumerate().map(|(i, row)| row.transpose().dot(&b.column(i))).sum()
}

/// (A B)_ii for every i, without forming AB.
fn diag_of_product(a: &DMatrix<f64>, b: &DMatrix<f64>) -> Vec<f64> {
    a.row_iter().enumerate().map(|(i, row)| row.transpose().dot(&b.column(i))).collect()
}

/// (σ̂u², ρ̂) by Fisher scoring, then the structure at the estimate; done
/// when the scoring step is below 1e-10 (relative in σu², absolute in ρ).
/// At σu² = 0, or with ρ at ±0.999 and the step pointing beyond, only σu²
/// moves.
/// On small data plain scoring can cycle between two points, far from the
/// estimate or around it (`eblupSFH` then stops without converging), so a
/// step that reverses the last one is shortened, and a step that lowers the
/// log-likelihood is halved until it does not (at most 20 times).
fn scoring(
    x: &DMatrix<f64>,
    y: &[f64],
    psi: &[f64],
    proximity: &Proximity,
    method: FhMethod,
    (mut s2, mut rho): (f64, f64),
) -> Result<(f64, f64, At, usize), SaeError> {
    let rho_free = proximity.has_neighbours();
    let mut at = At::new(x, y, psi, &proximity.w, s2, rho)?;
    let mut previous: Option<Vector2<f64>> = None;
    let mut iterations = 0;
    loop {
        if iterations == MAX_ITER {
            return Err(SaeError::NoConvergence);
        }
        iterations += 1;
        let (score, info) = at.score_info(method);
        // At σu² = 0 the information in ρ vanishes, and at a bound of ρ a
        // step beyond it is cut: step in σu² alone (projected scoring).
        let (mut ds2, mut drho) = match info.cholesky().filter(|_| rho_free && s2 > 0.0) {
            Some(chol) => {
                let step = chol.solve(&score);
                (step[0], step[1])
            }
            None => (score[0] / info[(0, 0)], 0.0),
        };
        if rho.abs() == RHO_MAX && drho * rho > 0.0 {
            (ds2, drho) = (score[0] / info[(0, 0)], 0.0);
        }
        if !ds2.is_finite() || !drho.is_finite() {
            return Err(SaeError::NoConvergence);
        }
        let done = ((s2 + ds2).max(0.0) - s2).abs() <= TOL * (1.0 + s2) && drho.abs() <= TOL;
        let current = at.log_likelihood(method);
        // Scoring that overshoots by a factor c each time (x_{k+1} − x̂ ≈
        // −c(x_k − x̂)) reverses its step, which shrinks by c: the step times
        // 1/(1 + c) lands on x̂.
        let step = Vector2::new(ds2, drho);
        let mut length = match previous {
            Some(p) if p.dot(&step) < 0.0 => 1.0 / (1.0 + (step.norm() / p.norm()).min(1.0)),
            _ => 1.0,
        };
        previous = Some(step);
        (s2, rho, at) = loop {
            let next_s2 = (s2 + length * ds2).max(0.0);
            let next_rho = (rho + length * drho).clamp(-RHO_MAX, RHO_MAX);
            let next = At::new(x, y, psi, &proximity.w, next_s2, next_rho);
            // Rounding: near the estimate the change is below what the
            // log-likelihood resolves.
            let floor = current - 1e-12 * current.abs();
            let climbs = next.as_ref().is_ok_and(|n| n.log_likelihood(method) >= floor);
            if done || climbs || length < 1e-6 {
                break (next_s2, next_rho, next?);
            }
            length /= 2.0;
        };
        if done {
            break;
        }
    }
    Ok((s2, rho, at, iterations))
}

/// (σ̂u², ρ̂): Fisher scoring from where R's `sae::eblupSFH` starts (σu² the
/// median ψ, ρ = 0.5). Where scoring does not converge — on small or
/// degenerate data the likelihood may rise towards ρ = ±1 with σu² → 0,
/// where scoring crawls — the profile likelihood in ρ (σu² maximised at
/// each ρ) is searched instead, and scoring restarted from its maximum if it
/// is interior; a maximum at ±0.999 is the estimate.
fn fit(
    x: &DMatrix<f64>,
    y: &[f64],
    psi: &[f64],
    proximity: &Proximity,
    method: FhMethod,
) -> Result<(SfhFit, At), SaeError> {
    let rho_free = proximity.has_neighbours();
    let start = (median(psi), if rho_free { 0.5 } else { 0.0 });
    let (s2, mut rho, mut at, iterations) = match scoring(x, y, psi, proximity, method, start) {
        Err(SaeError::NoConvergence) if rho_free => {
            let (s2, rho, at, evaluations) = profile(x, y, psi, proximity, method)?;
            match scoring(x, y, psi, proximity, method, (s2, rho)) {
                Ok((s2, rho, at, n)) if rho.abs() < RHO_MAX => (s2, rho, at, evaluations + n),
                _ => (s2, rho, at, evaluations),
            }
        }
        other => other?,
    };
    if s2 == 0.0 && rho != 0.0 {
        rho = 0.0;
        at = At::new(x, y, psi, &proximity.w, s2, rho)?;
    }
    let p = x.ncols();
    let fit = SfhFit {
        method,
        beta: at.beta.iter().copied().collect(),
        beta_cov: (0..p * p).map(|i| at.q[(i / p, i % p)]).collect(),
        sigma_u2: s2,
        rho,
        iterations,
    };
    Ok((fit, at))
}

/// σ̂u² at a fixed ρ: scoring in σu² alone, a step that lowers the
/// log-likelihood halved; with the structure there and the steps taken.
fn sigma_at(
    x: &DMatrix<f64>,
    y: &[f64],
    psi: &[f64],
    proximity: &Proximity,
    method: FhMethod,
    rho: f64,
    start: f64,
) -> Result<(f64, At, usize), SaeError> {
    let mut s2 = start.max(0.0);
    let mut at = At::new(x, y, psi, &proximity.w, s2, rho)?;
    for steps in 1..=MAX_ITER {
        let (score, info) = at.score_info(method);
        let step = score[0] / info[(0, 0)];
        if !step.is_finite() {
            return Err(SaeError::NoConvergence);
        }
        let current = at.log_likelihood(method);
        let mut length = 1.0;
        let (next_s2, next) = loop {
            let next_s2 = (s2 + length * step).max(0.0);
            let next = At::new(x, y, psi, &proximity.w, next_s2, rho)?;
            if next.log_likelihood(method) >= current - 1e-12 * current.abs() || length < 1e-6 {
                break (next_s2, next);
            }
            length /= 2.0;
        };
        let done = (next_s2 - s2).abs() <= TOL * (1.0 + s2);
        (s2, at) = (next_s2, next);
        if done {
            return Ok((s2, at, steps));
        }
    }
    Err(SaeError::NoConvergence)
}

/// The maximum of the profile log-likelihood in ρ over [−0.999, 0.999]: a
/// grid of 41 points, then golden-section search around the best one.
fn profile(
    x: &DMatrix<f64>,
    y: &[f64],
    psi: &[f64],
    proximity: &Proximity,
    method: FhMethod,
) -> Result<(f64, f64, At, usize), SaeError> {
    let mut evaluations = 0;
    let mut at_rho = |rho: f64| -> Result<(f64, f64, At), SaeError> {
        let (s2, at, n) = sigma_at(x, y, psi, proximity, method, rho, median(psi))?;
        evaluations += n;
        Ok((at.log_likelihood(method), s2, at))
    };
    const GRID: usize = 41;
    let grid: Vec<f64> = (0..GRID).map(|i| -RHO_MAX + 2.0 * RHO_MAX * i as f64 / (GRID - 1) as f64).collect();
    let mut best = (f64::NEG_INFINITY, 0);
    for (i, &rho) in grid.iter().enumerate() {
        if let Ok((ll, _, _)) = at_rho(rho)
            && ll > best.0
        {
            best = (ll, i);
        }
    }
    if !best.0.is_finite() {
        return Err(SaeError::NoConvergence);
    }
    let (mut lo, mut hi) = (grid[best.1.saturating_sub(1)], grid[(best.1 + 1).min(GRID - 1)]);
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (hi - phi * (hi - lo), lo + phi * (hi - lo));
    let (mut fa, mut fb) = (at_rho(a)?.0, at_rho(b)?.0);
    while hi - lo > 1e-9 {
        if fa < fb {
            (lo, a, fa) = (a, b, fb);
            b = lo + phi * (hi - lo);
            fb = at_rho(b)?.0;
        } else {
            (hi, b, fb) = (b, a, fa);
            a = hi - phi * (hi - lo);
            fa = at_rho(a)?.0;
        }
    }
    // The bracket's ends are candidates too: the maximum may be a bound.
    let mut candidates = vec![(lo + hi) / 2.0, grid[best.1]];
    candidates.retain(|r| r.is_finite());
    let mut chosen: Option<(f64, f64, f64, At)> = None;
    for rho in candidates {
        let (ll, s2, at) = at_rho(rho)?;
        if chosen.as_ref().is_none_or(|c| ll > c.0) {
            chosen = Some((ll, s2, rho, at));
        }
    }
    let (_, s2, rho, at) = chosen.ok_or(SaeError::NoConvergence)?;
    Ok((s2, rho, at, evaluations))
}

/// θ̃ = Xβ̂ + GV⁻¹(θ̂ − Xβ̂) with G = σu²C.
fn eblups(x: &DMatrix<f64>, at: &At, s2: f64) -> DVector<f64> {
    x * &at.beta + &at.c * &at.py * s2
}

/// The spatial EBLUPs and the MSE of Singh, Shukla & Kundu (2005), term by
/// term as `sae::mseSFH` computes it. With N_k = V⁻¹V_kV⁻¹ and I the REML
/// information of (σu², ρ):
/// g1_d = ψ_d − ψ_d²(V⁻¹)_dd; g2_d = a_d'Qa_d with a_d = x_d − (GV⁻¹X)_d'
/// (G = σu²C); g3_d = ψ_d² Σ_kl (I⁻¹)_kl (V⁻¹V_kV⁻¹V_lV⁻¹)_dd;
/// g4_d = ½ψ_d² [2(I⁻¹)_12 (V⁻¹V_{σρ}V⁻¹)_dd + (I⁻¹)_22 (V⁻¹V_{ρρ}V⁻¹)_dd],
/// the second derivatives V_{σρ} = −CḂC and V_{ρρ} = σu²C(2ḂCḂ − 2W'W)C.
/// For ML, −b'∇g1 with b = I⁻¹h/2, h_k = −tr(Q X'N_kX), ∂g1_d/∂θ_k = ψ_d²(N_k)_dd.
fn predict(
    x: &DMatrix<f64>,
    psi: &[f64],
    proximity: &Proximity,
    fit: &SfhFit,
    at: &At,
) -> Result<Vec<SfhArea>, SaeError> {
    let s2 = fit.sigma_u2;
    let identified = proximity.has_neighbours() && s2 > 0.0;
    let synthetic = x * &at.beta;
    let eblup = eblups(x, at, s2);
    let (_, info) = at.score_info(FhMethod::Reml);
    let info_inv = if identified {
        info.try_inverse().ok_or(SaeError::NoConvergence)?
    } else {
        Matrix2::new(1.0 / info[(0, 0)], 0.0, 0.0, 0.0)
    };
    if info_inv.iter().any(|v| !v.is_finite()) {
        return Err(SaeError::NoConvergence);
    }
    let gvix = &at.c * &at.vix * s2;
    let m_k = [&at.vi * &at.dv[0], &at.vi * &at.dv[1]];
    let n_k = [&m_k[0] * &at.vi, &m_k[1] * &at.vi];
    let d11 = diag_of_product(&m_k[0], &n_k[0]);
    let d12 = diag_of_product(&m_k[0], &n_k[1]);
    let d22 = diag_of_product(&m_k[1], &n_k[1]);
    let (h12, h22) = if identified {
        let w = &proximity.w;
        let bc = &at.b_dot * &at.c;
        let v_sr = &at.c * &bc * -1.0;
        let v_rr = &at.c * ((&bc * &at.b_dot) * 2.0 - w.transpose() * w * 2.0) * &at.c * s2;
        (diag_of_product(&(&at.vi * v_sr), &at.vi), diag_of_product(&(&at.vi * v_rr), &at.vi))
    } else {
        (vec![0.0; psi.len()], vec![0.0; psi.len()])
    };
    // Datta & Lahiri's (2000) ML bias of (σ̂u², ρ̂), as mseSFH writes it.
    let bias = match fit.method {
        FhMethod::Reml => Vector2::zeros(),
        FhMethod::Ml => {
            let h = Vector2::from_fn(|k, _| -(&at.q * x.transpose() * (&n_k[k] * x)).trace());
            info_inv * h / 2.0
        }
    };
    Ok((0..psi.len())
        .map(|d| {
            let psi2 = psi[d] * psi[d];
            let g1 = psi[d] - psi2 * at.vi[(d, d)];
            let a: Vec<f64> = (0..x.ncols()).map(|j| x[(d, j)] - gvix[(d, j)]).collect();
            let g2 = quad(&at.q, &a);
            let g3 = psi2 * (info_inv[(0, 0)] * d11[d] + 2.0 * info_inv[(0, 1)] * d12[d] + info_inv[(1, 1)] * d22[d]);
            let g4 = 0.5 * psi2 * (2.0 * info_inv[(0, 1)] * h12[d] + info_inv[(1, 1)] * h22[d]);
            let grad_g1 = Vector2::new(psi2 * n_k[0][(d, d)], psi2 * n_k[1][(d, d)]);
            let mse = g1 + g2 + 2.0 * g3 - g4 - bias.dot(&grad_g1);
            SfhArea { eblup: eblup[d], synthetic: synthetic[d], g1, g2, g3, g4, mse }
        })
        .collect())
}

/// The parametric bootstrap MSE of every area's spatial EBLUP with
/// `replicates` samples from the fitted model, refitted by the same method
/// (the scheme of `sae::pbmseSFH`; Molina, Salvati & Pratesi 2009):
/// ε* ~ N(0, σ̂u²I), u* = (I − ρ̂W)⁻¹ε*, θ* = Xβ̂ + u*, θ̂*_d = θ*_d + e*_d
/// with e*_d ~ N(0, ψ_d); the estimate averages (θ̃*_d − θ*_d)². A sample
/// whose fit does not converge is replaced, as in `pbmseSFH`, at most
/// `replicates` times. Draws come from `seed` alone.
pub fn spatial_bootstrap_mse(
    data: &FhData<'_>,
    proximity: &Proximity,
    fit: &SfhFit,
    replicates: usize,
    seed: u64,
) -> Result<Vec<f64>, SaeError> {
    if replicates == 0 {
        return Err(SaeError::Parameter("bootstrap replicates must be at least 1"));
    }
    let x = design(data)?;
    let m = x.nrows();
    check_len("proximity", m, proximity.areas())?;
    check_len("beta", x.ncols(), fit.beta.len())?;
    let b = DMatrix::identity(m, m) - &proximity.w * fit.rho;
    let lu = b.lu();
    let synthetic = &x * DVector::from_column_slice(&fit.beta);
    let su = fit.sigma_u2.sqrt();
    let mut acc = vec![0.0; m];
    let (mut accepted, mut draw) = (0, 0u64);
    while accepted < replicates {
        // A sample whose fit does not converge is replaced by a new one, as
        // pbmseSFH does, up to as many replacements as replicates.
        if draw >= 2 * replicates as u64 {
            return Err(SaeError::NoConvergence);
        }
        let mut rng = stream(seed, Purpose::SfhBoot, draw, 0);
        draw += 1;
        let eps = DVector::from_fn(m, |_, _| su * rng.sample::<f64, _>(StandardNormal));
        let u = lu.solve(&eps).ok_or(SaeError::Singular)?;
        let theta = &synthetic + u;
        let y: Vec<f64> =
            (0..m).map(|d| theta[d] + data.variance[d].sqrt() * rng.sample::<f64, _>(StandardNormal)).collect();
        let (fit_b, at) = match self::fit(&x, &y, data.variance, proximity, fit.method) {
            Err(SaeError::NoConvergence) => continue,
            other => other?,
        };
        for (d, eblup) in eblups(&x, &at, fit_b.sigma_u2).iter().enumerate() {
            acc[d] += (eblup - theta[d]).powi(2);
        }
        accepted += 1;
    }
    Ok(acc.into_iter().map(|s| s / replicates as f64).collect())
}

#[cfg(test)]
mod tests;
