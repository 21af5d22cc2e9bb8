//! Hand-checked values for convergence, catching up and obligations.

use super::*;

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn least_squares_by_hand() {
    // x = 0, 1, 2, 3; y = 0.05, 0.04, 0.02, 0.01: x̄ = 1.5, ȳ = 0.03,
    // Sxx = 5, Sxy = −0.07 → b = −0.014, a = 0.051; residuals −0.001,
    // 0.003, −0.003, 0.001 → SSR = 2e-5, s² = 1e-5, se(b) = √(1e-5/5) = 0.0014142.
    let line = least_squares(&[0.0, 1.0, 2.0, 3.0], &[0.05, 0.04, 0.02, 0.01]).unwrap();
    assert!(close(line.slope, -0.014, 1e-12) && close(line.intercept, 0.051, 1e-12), "{line:?}");
    assert!(close(line.slope_se, 0.001_414_213_6, 1e-9), "{line:?}");
    assert!(least_squares(&[1.0, 1.0], &[0.0, 1.0]).is_none(), "no slope through one x");
    assert!(least_squares(&[1.0], &[1.0]).is_none());
}

#[test]
fn beta_convergence_speed_and_half_life() {
    // ln y0 = 0, 1, 2 and growth 5%, 3%, 1% a year over T = 10: the line is
    // exact, b = −0.02; β = −ln(1 − 0.2)/10 = 0.0223144; half-life
    // ln 2 / β = 31.0628 years.
    let e = std::f64::consts::E;
    let pairs: Vec<(f64, f64)> =
        [(0.0, 0.05), (1.0, 0.03), (2.0, 0.01)].iter().map(|(l0, g)| (e.powf(*l0), e.powf(l0 + g * 10.0))).collect();
    let beta = beta_convergence(&pairs, 10.0).unwrap();
    assert!(close(beta.line.slope, -0.02, 1e-12), "{beta:?}");
    assert!(close(beta.line.slope_se, 0.0, 1e-12));
    assert!(close(beta.speed.unwrap(), 0.022_314_355, 1e-9), "{beta:?}");
    assert!(close(beta.half_life.unwrap(), 31.062_8, 1e-4), "{beta:?}");
    // Divergence: the richer grow faster, no half-life.
    let diverging: Vec<(f64, f64)> =
        [(0.0, 0.01), (1.0, 0.03)].iter().map(|(l0, g)| (e.powf(*l0), e.powf(l0 + g * 10.0))).collect();
    assert_eq!(beta_convergence(&diverging, 10.0).unwrap().half_life, None);
}

#[test]
fn sigma_is_the_spread_of_logs() {
    // Values e and e³: logs 1 and 3, mean 2, population sd 1.
    let e = std::f64::consts::E;
    assert!(close(sigma(&[e, e.powi(3)]).unwrap(), 1.0, 1e-12));
    assert_eq!(sigma(&[1.0, 0.0]), None);
    // Equal values have no spread.
    assert!(close(sigma(&[5.0, 5.0, 5.0]).unwrap(), 0.0, 1e-12));
}

#[test]
fn years_to_close_a_gap() {
    // Half the reference, growing 8% against 5%: ln 2 / ln(1.08/1.05)
    // = 0.693147 / 0.0281709 = 24.605 years.
    assert!(close(years_to_close(0.5, 0.08, 0.05).unwrap(), 24.605, 1e-3));
    assert_eq!(years_to_close(0.5, 0.05, 0.05), None, "equal growth never closes it");
    assert_eq!(years_to_close(1.2, 0.0, 0.05), Some(0.0), "no gap");
}

#[test]
fn catching_up_at_the_trend_with_an_interval() {
    // ln ratio rising 0.01 a year exactly, ending at ln 0.8 = −0.22314:
    // 22.314 years; no scatter, so the interval is the point.
    let points: Vec<(i32, f64)> = (0..5).map(|i| (2016 + i, (-0.26314 + 0.01 * f64::from(i)).exp())).collect();
    let c = catching_up(&points).unwrap();
    assert!(close(c.trend.slope, 0.01, 1e-9));
    assert!(close(c.years.unwrap(), 22.314, 1e-3), "{c:?}");
    assert!(close(c.soonest.unwrap(), c.latest.unwrap(), 1e-6));
    // A widening gap does not close.
    let widening: Vec<(i32, f64)> = (0..4).map(|i| (2016 + i, 0.9 - 0.05 * f64::from(i))).collect();
    assert_eq!(catching_up(&widening).unwrap().years, None);
}

#[test]
fn obligations_as_the_rules_write_them() {
    // methods.md §4.4: Guangdong's 2007 revenue 278.5 bn at 1% → 2.785 bn a
    // year for 2008–2010; Jiangxi's 38.96 bn → 0.3896 bn.
    let guangdong = |year: i32| (year == 2007).then_some(278.5e9);
    let wenchuan = ObligationRule::RevenueShare { share: 0.01, lag: 1 };
    assert!(close(obligation(wenchuan, 2008, 2008, guangdong).unwrap(), 2.785e9, 1e-3));
    assert_eq!(obligation(wenchuan, 2008, 2009, guangdong), None, "2008's revenue is not known here");
    let jiangxi = |_: i32| Some(38.96e9);
    assert!(close(obligation(wenchuan, 2008, 2008, jiangxi).unwrap(), 0.3896e9, 1e-3));
    // 8% a year: 100 → 108 → 116.64.
    let xinjiang = ObligationRule::Growing { base: 100.0, growth: 0.08 };
    let due: Vec<f64> = (2011..2014).map(|y| obligation(xinjiang, 2011, y, |_| None).unwrap()).collect();
    assert!(close(due[1], 108.0, 1e-9) && close(due[2], 116.64, 1e-9), "{due:?}");
    assert_eq!(obligation(xinjiang, 2011, 2010, |_| None), None);
    assert_eq!(fulfilment(2.5e9, 2.785e9).map(|f| (f * 1000.0).round() / 1000.0), Some(0.898));
    assert_eq!(fulfilment(1.0, 0.0), None);
}

#[test]
fn recommendations_follow_the_stated_thresholds() {
    // A ratio 0.5 → 0.45 over ten years: far behind and widening.
    let widening = catching_up(&[(2010, 0.5), (2020, 0.45)]).unwrap();
    assert_eq!(recommend(0.45, Some(&widening)), Recommendation::Priority { standing: 0.45 });
    assert_eq!(recommend(0.8, Some(&widening)), Recommendation::Widening { standing: 0.8 });
    // 0.8 → 0.9 over ten years: ln(0.9/0.8)/10 = 0.01178 a year closes
    // ln(1/0.9) = 0.10536 in 8.9 years — closing.
    let closing = catching_up(&[(2010, 0.8), (2020, 0.9)]).unwrap();
    match recommend(0.9, Some(&closing)) {
        Recommendation::Closing { years } => assert!((years - 8.944).abs() < 0.01, "{years}"),
        other => panic!("{other:?}"),
    }
    // 0.50 → 0.51: ln(1.02)/10 = 0.00198 a year, ln(1/0.51)/0.00198 = 340 years.
    let slow = catching_up(&[(2010, 0.50), (2020, 0.51)]).unwrap();
    assert!(matches!(recommend(0.51, Some(&slow)), Recommendation::Slow { years } if years > 300.0));
    assert_eq!(recommend(1.1, None), Recommendation::AtPar);
    assert_eq!(recommend(0.5, None), Recommendation::Priority { standing: 0.5 });
}
