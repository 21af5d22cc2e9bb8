//! The nested-error regression model (Battese, Harter & Fuller 1988)
//! t_ij = x_ij'β + u_d + e_ij, u_d ~ N(0, σu²), e_ij ~ N(0, σe²), fitted by
//! REML from per-domain sufficient statistics.
//!
//! With λ = σu²/σe² a domain's covariance is σe²·H_d, H_d = I + λJ, and
//! H_d⁻¹ = I − c_d J with c_d = λ/(1 + λn_d). So X'H⁻¹X, X'H⁻¹t and t'H⁻¹t
//! need only n_d, Σx, Σt per domain and the global X'X, X't, t't: every
//! matrix is p×p. Profiling σe² out, the restricted log-likelihood is
//! −2 l_R(λ) = (n−p) log σ̂e²(λ) + Σ_d log(1 + λn_d) + log|X'H⁻¹X| + const,
//! and λ̂ is the root of its analytic score (Brent's method), or 0 when the
//! score is already non-negative at 0 (the boundary). This is the exact REML
//! of the numpy reference of benchmark B2 (shared/bench/peers/_ebp.py).

use nalgebra::{DMatrix, DVector};

use super::linalg::{Spd, quad};
use super::root::brentq;
use super::{SaeError, check_finite, check_len};

/// A unit-level sample with its per-domain sufficient statistics.
#[derive(Debug, Clone)]
pub struct NestedSample {
    /// Covariates per unit, excluding the intercept.
    k: usize,
    domains: usize,
    domain: Vec<usize>,
    /// Covariates, row-major n×k.
    x: Vec<f64>,
    /// n_d per domain.
    nd: Vec<f64>,
    /// Σ x over the domain's units (intercept first), D×p row-major.
    sx: Vec<f64>,
    xtx: DMatrix<f64>,
    /// The mean response, subtracted before the sums so that t't does not
    /// cancel catastrophically (the intercept absorbs it).
    shift: f64,
    /// Σ (t − shift) per domain.
    sy: Vec<f64>,
    xty: DVector<f64>,
    tt: f64,
}

/// The REML fit of the nested-error model.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedFit {
    /// β, intercept first.
    pub beta: Vec<f64>,
    /// σu², the variance of the domain effect.
    pub sigma_u2: f64,
    /// σe², the variance of the unit error.
    pub sigma_e2: f64,
}

/// A domain's predicted random effect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DomainEffect {
    /// Shrinkage γ_d = σu² / (σu² + σe²/n_d) (0 out of sample).
    pub gamma: f64,
    /// Posterior mean of u_d: γ_d (t̄_d − x̄_d'β) (0 out of sample).
    pub mean: f64,
    /// Posterior standard deviation of u_d: √(σu²(1 − γ_d)).
    pub sd: f64,
}

impl NestedSample {
    /// A sample of `response` (already transformed, e.g. log income) with `k`
    /// covariates per unit in `covariates` (row-major, no intercept column)
    /// and each unit's domain in 0..`domains`.
    pub fn new(
        response: &[f64],
        covariates: &[f64],
        k: usize,
        domain: &[usize],
        domains: usize,
    ) -> Result<Self, SaeError> {
        let n = response.len();
        let p = k + 1;
        if n == 0 {
            return Err(SaeError::Empty);
        }
        if n <= p {
            return Err(SaeError::TooFew { n, p });
        }
        check_len("covariates", n * k, covariates.len())?;
        check_len("domain", n, domain.len())?;
        check_finite("response", response)?;
        check_finite("covariates", covariates)?;
        if let Some(&index) = domain.iter().find(|&&d| d >= domains) {
            return Err(SaeError::Domain { index, domains });
        }
        let mut nd = vec![0.0; domains];
        let mut sx = vec![0.0; domains * p];
        let mut xtx = DMatrix::zeros(p, p);
        let mut row = vec![1.0; p];
        for (i, &d) in domain.iter().enumerate() {
            row[1..].copy_from_slice(&covariates[i * k..(i + 1) * k]);
            nd[d] += 1.0;
            for (a, &v) in sx[d * p..(d + 1) * p].iter_mut().zip(&row) {
                *a += v;
            }
            add_outer(&mut xtx, &row);
        }
        let mut s = NestedSample {
            k,
            domains,
            domain: domain.to_vec(),
            x: covariates.to_vec(),
            nd,
            sx,
            xtx,
            shift: 0.0,
            sy: vec![0.0; domains],
            xty: DVector::zeros(p),
            tt: 0.0,
        };
        s.set_response(response);
        Ok(s)
    }

    /// Replaces the response (same units, same covariates): the bootstrap
    /// refits on new responses without rebuilding X'X.
    pub(crate) fn set_response(&mut self, t: &[f64]) {
        let (k, p) = (self.k, self.k + 1);
        self.shift = t.iter().sum::<f64>() / t.len() as f64;
        self.sy.iter_mut().for_each(|v| *v = 0.0);
        self.xty.fill(0.0);
        self.tt = 0.0;
        for (i, (&ti, &d)) in t.iter().zip(&self.domain).enumerate() {
            let tc = ti - self.shift;
            self.sy[d] += tc;
            self.tt += tc * tc;
            self.xty[0] += tc;
            for j in 0..k {
                self.xty[j + 1] += self.x[i * k + j] * tc;
            }
        }
        debug_assert_eq!(self.xty.len(), p);
    }

    /// Units in the sample.
    pub fn len(&self) -> usize {
        self.domain.len()
    }

    /// Whether the sample has no units (never true: `new` refuses that).
    pub fn is_empty(&self) -> bool {
        self.domain.is_empty()
    }

    /// The number of domains (sampled or not).
    pub fn domains(&self) -> usize {
        self.domains
    }

    /// Covariates per unit, excluding the intercept.
    pub fn covariates(&self) -> usize {
        self.k
    }

    /// Sampled units per domain.
    pub fn domain_sizes(&self) -> Vec<usize> {
        self.nd.iter().map(|&n| n as usize).collect()
    }

    /// Each unit's domain.
    pub(crate) fn unit_domains(&self) -> &[usize] {
        &self.domain
    }

    /// Covariate row of unit i.
    pub(crate) fn unit_x(&self, i: usize) -> &[f64] {
        &self.x[i * self.k..(i + 1) * self.k]
    }

    /// The REML fit.
    pub fn fit_reml(&self) -> Result<NestedFit, SaeError> {
        // Positive score at λ = 0: the likelihood falls from the boundary on.
        let lambda = if self.score(0.0)? >= 0.0 {
            0.0
        } else {
            let mut hi = 1.0;
            while self.score(hi)? < 0.0 {
                hi *= 4.0;
                if hi > 1e12 {
                    return Err(SaeError::NoConvergence);
                }
            }
            let lo = if hi == 1.0 { 0.0 } else { hi / 4.0 };
            // SciPy's brentq with the reference's tolerances.
            brentq(|l| self.score(l), lo, hi, 1e-300, 1e-15, 500)?
        };
        let g = self.gls(lambda)?;
        let se2 = g.rhr / self.df();
        let mut beta: Vec<f64> = g.beta.iter().copied().collect();
        beta[0] += self.shift;
        Ok(NestedFit { beta, sigma_u2: lambda * se2, sigma_e2: se2 })
    }

    /// γ_d, the posterior mean and sd of u_d for every domain.
    pub fn domain_effects(&self, fit: &NestedFit) -> Result<Vec<DomainEffect>, SaeError> {
        check_len("beta", self.k + 1, fit.beta.len())?;
        let p = self.k + 1;
        let (su2, se2) = (fit.sigma_u2, fit.sigma_e2);
        // Residual sums are taken on the centred response: shift the intercept.
        let mut b = fit.beta.clone();
        b[0] -= self.shift;
        Ok((0..self.domains)
            .map(|d| {
                let n = self.nd[d];
                if n == 0.0 {
                    return DomainEffect { gamma: 0.0, mean: 0.0, sd: su2.sqrt() };
                }
                let gamma = if su2 > 0.0 { su2 / (su2 + se2 / n) } else { 0.0 };
                let xb: f64 = self.sx[d * p..(d + 1) * p].iter().zip(&b).map(|(x, b)| x * b).sum();
                let resid = (self.sy[d] - xb) / n;
                DomainEffect { gamma, mean: gamma * resid, sd: (su2 * (1.0 - gamma)).max(0.0).sqrt() }
            })
            .collect())
    }

    /// The restricted log-likelihood at a fit, σe² profiled out and
    /// constants dropped: −½[(n−p) log σ̂e² + Σ_d log(1 + λn_d) +
    /// log|X'H⁻¹X|] with λ = σ̂u²/σ̂e² (the function `fit_reml` maximises).
    /// Comparable across responses of one sample only with the Jacobian of
    /// their transformation (see [`super::boxcox`]).
    pub fn reml_log_likelihood(&self, fit: &NestedFit) -> Result<f64, SaeError> {
        if fit.sigma_e2.is_nan() || fit.sigma_e2 <= 0.0 {
            return Err(SaeError::Parameter("σe² must be positive"));
        }
        let lambda = fit.sigma_u2 / fit.sigma_e2;
        let g = self.gls(lambda)?;
        let se2 = g.rhr / self.df();
        let domains: f64 = self.sampled().map(|d| (1.0 + lambda * self.nd[d]).ln()).sum();
        Ok(-0.5 * (self.df() * se2.ln() + domains + g.chol.log_det()))
    }

    fn df(&self) -> f64 {
        (self.len() - self.k - 1) as f64
    }

    /// GLS of β at a variance ratio λ.
    fn gls(&self, lambda: f64) -> Result<Gls, SaeError> {
        let p = self.k + 1;
        let mut m = self.xtx.clone();
        let mut g = self.xty.clone();
        let mut tht = self.tt;
        for d in self.sampled() {
            let c = lambda / (1.0 + lambda * self.nd[d]);
            let sx = &self.sx[d * p..(d + 1) * p];
            for i in 0..p {
                g[i] -= c * sx[i] * self.sy[d];
                for j in 0..p {
                    m[(i, j)] -= c * sx[i] * sx[j];
                }
            }
            tht -= c * self.sy[d] * self.sy[d];
        }
        let chol = Spd::new(m)?;
        let beta = chol.solve(&g);
        let rhr = tht - g.dot(&beta);
        if rhr.is_nan() || rhr <= 0.0 {
            // A perfect fit leaves no residual variance to estimate.
            return Err(SaeError::Singular);
        }
        Ok(Gls { beta, chol, rhr })
    }

    /// The REML score in λ, d(−l_R)/dλ up to a positive factor.
    fn score(&self, lambda: f64) -> Result<f64, SaeError> {
        let p = self.k + 1;
        let g = self.gls(lambda)?;
        let s2 = g.rhr / self.df();
        let minv = g.chol.inverse();
        let mut score = 0.0;
        for d in self.sampled() {
            let n = self.nd[d];
            let q = 1.0 / (1.0 + lambda * n);
            let sx = &self.sx[d * p..(d + 1) * p];
            let r: f64 = self.sy[d] - sx.iter().zip(g.beta.iter()).map(|(x, b)| x * b).sum::<f64>();
            // −Σ(q R)²/σ̂² + Σ n q − Σ q² Sx' M⁻¹ Sx
            score += -(r * q).powi(2) / s2 + n * q - q * q * quad(&minv, sx);
        }
        Ok(score)
    }

    fn sampled(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.domains).filter(|&d| self.nd[d] > 0.0)
    }
}

/// A GLS solution: β, the factored X'H⁻¹X and r'H⁻¹r.
struct Gls {
    beta: DVector<f64>,
    chol: Spd,
    rhr: f64,
}

/// m += row·row'.
fn add_outer(m: &mut DMatrix<f64>, row: &[f64]) {
    for (i, &a) in row.iter().enumerate() {
        for (j, &b) in row.iter().enumerate() {
            m[(i, j)] += a * b;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    // 40 units in 6 domains (domain 5 unsampled; sizes 7, 4, 11, 10, 8, 0),
    // covariates (x1, x2); y generated by numpy (default_rng(42)) from
    // log y = 2 + 0.3x1 − 0.2x2 + u_d + e and rounded to 3 decimals.
    pub(crate) const DOMAIN: [usize; 40] = [
        0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4,
        4, 4, 4,
    ];
    pub(crate) const Y: [f64; 40] = [
        2.248, 2.026, 6.548, 1.682, 3.659, 4.466, 5.485, 5.72, 13.3, 8.658, 12.577, 4.37, 9.493, 3.322, 3.683, 4.808,
        3.738, 3.78, 3.471, 5.775, 6.148, 3.828, 6.621, 7.226, 4.598, 4.145, 15.225, 6.335, 6.245, 3.62, 8.454, 12.333,
        4.919, 7.189, 3.307, 2.359, 1.616, 3.086, 1.04, 2.606,
    ];
    pub(crate) const X: [f64; 80] = [
        -0.185, 2.826, -0.681, 3.825, 1.223, 3.174, -0.155, 2.768, -0.428, 2.796, -0.352, 1.52, 0.532, 0.154, 0.365,
        2.184, 0.413, 1.073, 0.431, 2.043, 2.142, 4.267, -0.406, 1.17, -0.512, 0.292, -0.814, 1.407, 0.616, 1.468,
        1.129, 3.31, -0.114, 2.785, -0.84, 3.919, -0.824, 3.322, 0.651, 2.032, 0.743, 4.07, 0.543, 0.835, -0.666,
        0.114, 0.232, 0.45, 0.117, 3.612, 0.219, 2.309, 0.871, 0.806, 0.224, 2.505, 0.679, 0.762, 0.068, 3.482, 0.289,
        2.231, 0.631, 1.905, -1.457, 1.508, -0.32, 3.151, -0.47, 1.809, -0.639, 0.438, -0.275, 0.59, 1.495, 4.809,
        -0.866, 4.543, 0.968, 3.499,
    ];

    pub(crate) fn sample() -> NestedSample {
        let t: Vec<f64> = Y.iter().map(|y| y.ln()).collect();
        NestedSample::new(&t, &X, 2, &DOMAIN, 6).unwrap()
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    #[test]
    fn reml_equals_the_b2_numpy_reference() {
        // shared/bench/peers/_ebp.py Suff(log y, X, dom, 6).fit() on the same data.
        let fit = sample().fit_reml().unwrap();
        let beta = [1.8215804879550854, 0.28880441521258565, -0.13344415004622404];
        for (b, r) in fit.beta.iter().zip(beta) {
            assert!(close(*b, r, 1e-9), "{b} vs {r}");
        }
        assert!(close(fit.sigma_u2, 0.10609153290844693, 1e-9), "{}", fit.sigma_u2);
        assert!(close(fit.sigma_e2, 0.18469931378293225, 1e-9), "{}", fit.sigma_e2);
    }

    #[test]
    fn reml_at_the_boundary_equals_the_reference() {
        // Same units without domain effects: the reference returns σu² = 0.
        let y2 = [
            3.109, 2.65, 8.658, 4.318, 3.487, 3.242, 4.301, 4.385, 6.605, 11.335, 6.305, 7.67, 4.895, 2.719, 4.505,
            4.001, 9.585, 1.888, 4.153, 4.169, 5.939, 8.584, 5.555, 7.123, 2.86, 5.944, 6.808, 2.933, 4.665, 4.027,
            9.7, 6.503, 3.366, 4.007, 7.535, 6.101, 5.13, 6.884, 2.727, 9.069,
        ];
        let t: Vec<f64> = y2.iter().map(|y: &f64| y.ln()).collect();
        let fit = NestedSample::new(&t, &X, 2, &DOMAIN, 6).unwrap().fit_reml().unwrap();
        assert_eq!(fit.sigma_u2, 0.0);
        assert!(close(fit.sigma_e2, 0.12729777681655416, 1e-9));
        assert!(close(fit.beta[0], 1.82122263, 1e-8) && close(fit.beta[2], -0.11198645, 1e-7));
    }

    #[test]
    fn domain_effects_by_hand() {
        let s = sample();
        let fit = s.fit_reml().unwrap();
        let e = s.domain_effects(&fit).unwrap();
        // Domain 1 has n = 4: γ = σu²/(σu² + σe²/4).
        let g = fit.sigma_u2 / (fit.sigma_u2 + fit.sigma_e2 / 4.0);
        assert!(close(e[1].gamma, g, 1e-12));
        assert!(close(e[1].sd, (fit.sigma_u2 * (1.0 - g)).sqrt(), 1e-12));
        // Unsampled domain 5: no shrinkage, prior sd.
        assert_eq!((e[5].gamma, e[5].mean), (0.0, 0.0));
        assert!(close(e[5].sd, fit.sigma_u2.sqrt(), 1e-12));
    }

    #[test]
    fn reml_matches_sae_on_cornsoybean() {
        // sae 1.3's eblupBHF(CornHec ~ CornPix + SoyBeansPix, dom = County,
        // method = "REML") on cornsoybean (Battese, Harter & Fuller 1988;
        // tests/data/sae/README.md), which fits by lme4::lmer. lmer stops at
        // its own optimiser tolerance, so 1e-5 relative (observed below).
        use crate::sae::reference::{CORNSOYBEAN, CORNSOYBEAN_BHF, assert_rel, column, max_rel, values};
        let y = column(CORNSOYBEAN, "CornHec");
        let (corn, soy) = (column(CORNSOYBEAN, "CornPix"), column(CORNSOYBEAN, "SoyBeansPix"));
        let x: Vec<f64> = corn.iter().zip(&soy).flat_map(|(c, s)| [*c, *s]).collect();
        let domain: Vec<usize> = column(CORNSOYBEAN, "County").iter().map(|c| *c as usize - 1).collect();
        let fit = NestedSample::new(&y, &x, 2, &domain, 12).unwrap().fit_reml().unwrap();
        let (beta, su2, se2) = (
            values(CORNSOYBEAN_BHF, "REML", "beta"),
            values(CORNSOYBEAN_BHF, "REML", "refvar"),
            values(CORNSOYBEAN_BHF, "REML", "errorvar"),
        );
        eprintln!(
            "cornsoybean: max relative error beta {:e}, σu² {:e}, σe² {:e}",
            max_rel(&fit.beta, &beta),
            max_rel(&[fit.sigma_u2], &su2),
            max_rel(&[fit.sigma_e2], &se2)
        );
        assert_rel("beta", &fit.beta, &beta, 1e-5);
        assert_rel("refvar", &[fit.sigma_u2], &su2, 1e-5);
        assert_rel("errorvar", &[fit.sigma_e2], &se2, 1e-5);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert_eq!(NestedSample::new(&[], &[], 0, &[], 1).unwrap_err(), SaeError::Empty);
        assert!(matches!(NestedSample::new(&[1.0, 2.0], &[1.0, 2.0], 1, &[0, 0], 1), Err(SaeError::TooFew { .. })));
        assert!(matches!(NestedSample::new(&[1.0, 2.0, 3.0], &[], 0, &[0, 0, 3], 2), Err(SaeError::Domain { .. })));
        // A covariate that repeats the intercept.
        let s = NestedSample::new(&[1.0, 2.0, 3.0, 5.0], &[1.0; 4], 1, &[0, 0, 1, 1], 2).unwrap();
        assert_eq!(s.fit_reml().unwrap_err(), SaeError::Singular);
    }
}
