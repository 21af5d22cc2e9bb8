use super::*;
use crate::sae::fh::fay_herriot;
use crate::sae::reference::{GRAPES, GRAPES_PROX, GRAPES_SFH, GRAPES80_SFH, assert_rel, column, max_rel, values};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-12)
}

// The eight areas of fh.rs's tests, on a line: area d borders d − 1 and d + 1.
const Y: [f64; 8] = [10.2, 15.5, 7.1, 14.8, 13.0, 11.3, 8.7, 16.0];
const PSI: [f64; 8] = [1.5, 0.8, 2.0, 1.2, 0.6, 1.8, 1.0, 0.9];
const X: [f64; 8] = [1.0, 2.0, 0.5, 3.0, 1.5, 2.5, 0.2, 2.2];

fn chain(m: usize) -> Proximity {
    let pairs: Vec<(usize, usize)> = (1..m).map(|d| (d - 1, d)).collect();
    Proximity::from_neighbours(m, &pairs).unwrap()
}

#[test]
fn contiguity_is_row_standardised() {
    // A path 0 – 1 – 2 and an island 3; the pair (1, 0) repeats (0, 1).
    let w = Proximity::from_neighbours(4, &[(0, 1), (1, 2), (1, 0)]).unwrap();
    let rows: Vec<Vec<f64>> = (0..4).map(|i| (0..4).map(|j| w.weight(i, j)).collect()).collect();
    assert_eq!(rows[0], [0.0, 1.0, 0.0, 0.0]);
    assert_eq!(rows[1], [0.5, 0.0, 0.5, 0.0]);
    assert_eq!(rows[2], [0.0, 1.0, 0.0, 0.0]);
    assert_eq!(rows[3], [0.0; 4]);
    assert_eq!(w, Proximity::new(4, &rows.concat()).unwrap());
}

#[test]
fn bad_proximity_is_an_error() {
    assert!(matches!(Proximity::new(2, &[0.0, 1.0, 1.0]), Err(SaeError::Length { .. })));
    assert_eq!(Proximity::new(2, &[0.0, 1.0, f64::NAN, 0.0]), Err(SaeError::NonFinite { what: "proximity", index: 2 }));
    assert_eq!(
        Proximity::new(3, &[0.0, 1.5, -0.5, 0.5, 0.0, 0.5, 0.5, 0.5, 0.0]),
        Err(SaeError::Negative { what: "proximity", index: 2 })
    );
    assert_eq!(
        Proximity::new(2, &[1.0, 0.0, 1.0, 0.0]),
        Err(SaeError::OutOfRange { what: "proximity diagonal", index: 0 })
    );
    assert_eq!(Proximity::new(2, &[0.0, 1.0, 0.7, 0.0]), Err(SaeError::NotRowStandardised { row: 1 }));
    assert_eq!(Proximity::from_neighbours(3, &[(0, 3)]), Err(SaeError::Domain { index: 3, domains: 3 }));
    assert!(matches!(Proximity::from_neighbours(3, &[(1, 1)]), Err(SaeError::OutOfRange { .. })));
    // W's size must match the data's.
    let data = FhData { direct: &Y, variance: &PSI, covariates: &X, k: 1 };
    assert_eq!(
        spatial_fay_herriot(&data, &chain(7), FhMethod::Reml).unwrap_err(),
        SaeError::Length { what: "proximity", expected: 8, found: 7 }
    );
}

#[test]
fn balanced_without_neighbours_by_hand() {
    // fh.rs's hand case, y = 1..5, ψ = 0.5, intercept only, W = 0: the model
    // is the ordinary Fay–Herriot model, σ̂u² = 2, γ = 0.8, EBLUP_1 = 1.4,
    // g1 = 0.4, g2 = 0.02, and g4 = 0 (V does not depend on ρ).
    // g3 uses the REML information ½tr(P²), P = (I − J/5)/2.5: tr P² = 4/6.25,
    // so var σ̂u² = 1/0.32 = 3.125 and g3 = ψ²/v³ · 3.125 = 0.25/15.625 · 3.125
    // = 0.05 (sae::mseFH's ½Σv⁻² gives 0.04): MSE = 0.4 + 0.02 + 0.1 = 0.52.
    let y = [1.0, 2.0, 3.0, 4.0, 5.0];
    let data = FhData { direct: &y, variance: &[0.5; 5], covariates: &[], k: 0 };
    let r = spatial_fay_herriot(&data, &Proximity::from_neighbours(5, &[]).unwrap(), FhMethod::Reml).unwrap();
    assert!(close(r.fit.sigma_u2, 2.0, 1e-9) && r.fit.rho == 0.0);
    let a = r.areas[0];
    assert!(close(a.eblup, 1.4, 1e-9) && close(a.g1, 0.4, 1e-9) && close(a.g2, 0.02, 1e-9));
    assert!(close(a.g3, 0.05, 1e-9) && a.g4 == 0.0 && close(a.mse, 0.52, 1e-9));
}

#[test]
fn no_neighbours_fit_the_ordinary_fay_herriot() {
    let data = FhData { direct: &Y, variance: &PSI, covariates: &X, k: 1 };
    let w = Proximity::from_neighbours(8, &[]).unwrap();
    for method in [FhMethod::Reml, FhMethod::Ml] {
        let fh = fay_herriot(&data, method).unwrap();
        let s = spatial_fay_herriot(&data, &w, method).unwrap();
        assert!(close(s.fit.sigma_u2, fh.fit.sigma_u2, 1e-9) && s.fit.rho == 0.0);
        for (b, c) in s.fit.beta.iter().zip(&fh.fit.beta) {
            assert!(close(*b, *c, 1e-9));
        }
        for ((a, f), psi) in s.areas.iter().zip(&fh.areas).zip(PSI) {
            assert!(close(a.eblup, f.eblup, 1e-9) && close(a.synthetic, f.synthetic, 1e-9));
            // g1 = γψ, the same in both; no curvature in ρ.
            assert!(close(a.g1, f.gamma * psi, 1e-9) && a.g4 == 0.0);
        }
    }
}

#[test]
fn rho_zero_is_the_ordinary_fay_herriot() {
    // With neighbours but ρ = 0, V = σu²I + Ψ: at FH's σ̂u² the spatial
    // EBLUP is FH's and the REML score in σu² vanishes (FH's estimating
    // equation).
    let data = FhData { direct: &Y, variance: &PSI, covariates: &X, k: 1 };
    let fh = fay_herriot(&data, FhMethod::Reml).unwrap();
    let x = design(&data).unwrap();
    let at = At::new(&x, &Y, &PSI, &chain(8).w, fh.fit.sigma_u2, 0.0).unwrap();
    let eblup = eblups(&x, &at, fh.fit.sigma_u2);
    for (e, f) in eblup.iter().zip(&fh.areas) {
        assert!(close(*e, f.eblup, 1e-12), "{e} vs {}", f.eblup);
    }
    let (score, _) = at.score_info(FhMethod::Reml);
    assert!(score[0].abs() < 1e-9, "{}", score[0]);
}

#[test]
fn chain_fit_is_a_stationary_point() {
    // The REML score vanishes at the estimate, ρ̂ is inside (−1, 1), and the
    // MSE parts are positive except g4, which may have either sign.
    let data = FhData { direct: &Y, variance: &PSI, covariates: &X, k: 1 };
    let r = spatial_fay_herriot(&data, &chain(8), FhMethod::Reml).unwrap();
    assert!(r.fit.rho.abs() < 1.0 && r.fit.sigma_u2 > 0.0, "{:?}", r.fit);
    let x = design(&data).unwrap();
    let (score, _) = At::new(&x, &Y, &PSI, &chain(8).w, r.fit.sigma_u2, r.fit.rho).unwrap().score_info(FhMethod::Reml);
    assert!(score.norm() < 1e-8, "{score}");
    assert!(r.areas.iter().all(|a| a.g1 > 0.0 && a.g2 > 0.0 && a.g3 > 0.0 && a.mse > 0.0));
}

/// The first `m` areas of grapes (sae's synthetic Tuscany municipalities)
/// and W restricted to them, its rows standardised again as generate.R does.
fn grapes(m: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Proximity) {
    let y = column(GRAPES, "grapehect")[..m].to_vec();
    let var = column(GRAPES, "var")[..m].to_vec();
    let (area, workdays) = (column(GRAPES, "area"), column(GRAPES, "workdays"));
    let x: Vec<f64> = area.iter().zip(&workdays).take(m).flat_map(|(a, w)| [*a, *w]).collect();
    let mut w = vec![0.0; m * m];
    let (rows, cols, weights) = (column(GRAPES_PROX, "row"), column(GRAPES_PROX, "col"), column(GRAPES_PROX, "weight"));
    for ((r, c), v) in rows.iter().zip(&cols).zip(&weights) {
        let (r, c) = (*r as usize - 1, *c as usize - 1);
        if r < m && c < m {
            w[r * m + c] = *v;
        }
    }
    for row in w.chunks_mut(m) {
        let sum: f64 = row.iter().sum();
        if sum > 0.0 && m < 274 {
            row.iter_mut().for_each(|v| *v /= sum);
        }
    }
    (y, var, x, Proximity::new(m, &w).unwrap())
}

// sae 1.3's mseSFH(grapehect ~ area + workdays, var, W, method,
// PRECISION = 1e-12) on grapes (tests/data/sae/README.md). Both fit the
// same likelihood by the same Fisher scoring, so the agreement is to
// rounding: 1e-6 relative on β̂ and its standard errors, σ̂u², ρ̂, the
// EBLUPs and the MSEs (observed: below 1e-10).
fn check_grapes(reference: &str, m: usize, method: FhMethod, label: &str) {
    let (y, var, x, w) = grapes(m);
    let data = FhData { direct: &y, variance: &var, covariates: &x, k: 2 };
    let r = spatial_fay_herriot(&data, &w, method).unwrap();
    let tol = 1e-6;
    assert_rel("beta", &r.fit.beta, &values(reference, label, "beta"), tol);
    let se: Vec<f64> = (0..3).map(|j| r.fit.beta_cov[j * 3 + j].sqrt()).collect();
    assert_rel("beta se", &se, &values(reference, label, "beta_se"), tol);
    assert_rel("refvar", &[r.fit.sigma_u2], &values(reference, label, "refvar"), tol);
    assert_rel("spatialcorr", &[r.fit.rho], &values(reference, label, "spatialcorr"), tol);
    let eblup: Vec<f64> = r.areas.iter().map(|a| a.eblup).collect();
    let mse: Vec<f64> = r.areas.iter().map(|a| a.mse).collect();
    assert_rel("eblup", &eblup, &values(reference, label, "eblup"), tol);
    assert_rel("mse", &mse, &values(reference, label, "mse"), tol);
    eprintln!(
        "grapes[..{m}] {label}: max relative error eblup {:e}, mse {:e}, σu² {:e}, ρ {:e}",
        max_rel(&eblup, &values(reference, label, "eblup")),
        max_rel(&mse, &values(reference, label, "mse")),
        max_rel(&[r.fit.sigma_u2], &values(reference, label, "refvar")),
        max_rel(&[r.fit.rho], &values(reference, label, "spatialcorr")),
    );
}

#[test]
fn reml_matches_sae_on_grapes() {
    check_grapes(GRAPES80_SFH, 80, FhMethod::Reml, "REML");
    // All 274 areas take half a minute unoptimised: CI's slow run.
    if std::env::var_os("REVITA_SLOW_TESTS").is_some() {
        check_grapes(GRAPES_SFH, 274, FhMethod::Reml, "REML");
    }
}

#[test]
fn ml_matches_sae_on_grapes() {
    check_grapes(GRAPES80_SFH, 80, FhMethod::Ml, "ML");
    if std::env::var_os("REVITA_SLOW_TESTS").is_some() {
        check_grapes(GRAPES_SFH, 274, FhMethod::Ml, "ML");
    }
}

#[test]
fn bootstrap_mse_is_near_the_analytic_one() {
    let data = FhData { direct: &Y, variance: &PSI, covariates: &X, k: 1 };
    let w = chain(8);
    let r = spatial_fay_herriot(&data, &w, FhMethod::Reml).unwrap();
    let boot = spatial_bootstrap_mse(&data, &w, &r.fit, 100, 5).unwrap();
    assert_eq!(boot, spatial_bootstrap_mse(&data, &w, &r.fit, 100, 5).unwrap());
    let ratio: f64 = boot.iter().zip(&r.areas).map(|(b, a)| (b / a.mse).ln()).sum::<f64>() / 8.0;
    assert!(ratio.abs() < 0.4, "mean log ratio {ratio}");
    assert!(spatial_bootstrap_mse(&data, &w, &r.fit, 0, 5).is_err());
}

#[test]
fn a_likelihood_rising_to_the_bound_is_maximised_there() {
    // Seven areas on a line whose REML likelihood climbs towards ρ = −1
    // with σu² → 0: scoring crawls along the ridge without converging; the
    // profile search takes ρ to its bound, where the likelihood is highest.
    let y = [11.0, 7.0, 15.5, 11.0, 13.5, 4.0, 20.5];
    let psi = [1.0, 2.0, 1.5, 4.0, 1.0, 0.8, 3.0];
    let x = [2.0, 3.0, 5.0, 6.0, 4.0, 1.0, 8.0];
    let data = FhData { direct: &y, variance: &psi, covariates: &x, k: 1 };
    let w = chain(7);
    let r = spatial_fay_herriot(&data, &w, FhMethod::Reml).unwrap();
    assert_eq!(r.fit.rho, -RHO_MAX);
    let ll = |s2: f64, rho: f64| {
        At::new(&design(&data).unwrap(), &y, &psi, &w.w, s2, rho).unwrap().log_likelihood(FhMethod::Reml)
    };
    let best = ll(r.fit.sigma_u2, r.fit.rho);
    for (s2, rho) in [(r.fit.sigma_u2, -0.99), (r.fit.sigma_u2, 0.0), (1.0, -RHO_MAX), (7.355, 0.0)] {
        assert!(best >= ll(s2, rho), "({s2}, {rho})");
    }
    assert!(r.areas.iter().all(|a| a.mse.is_finite() && a.mse > 0.0));
}
