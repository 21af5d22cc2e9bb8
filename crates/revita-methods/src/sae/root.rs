//! Brent's root finder (Brent 1973), transcribed from SciPy's `brentq`
//! (scipy/optimize/Zeros/brentq.c) so that a root found here agrees with the
//! Python reference to the last few bits.

use super::SaeError;

/// The root of `f` in [a, b], where f(a) and f(b) differ in sign (or one is
/// zero), to within `xtol + rtol·|x|`.
pub(crate) fn brentq<F>(mut f: F, a: f64, b: f64, xtol: f64, rtol: f64, max_iter: usize) -> Result<f64, SaeError>
where
    F: FnMut(f64) -> Result<f64, SaeError>,
{
    let (mut xpre, mut xcur) = (a, b);
    let (mut fpre, mut fcur) = (f(xpre)?, f(xcur)?);
    if fpre == 0.0 {
        return Ok(xpre);
    }
    if fcur == 0.0 {
        return Ok(xcur);
    }
    if fpre.is_sign_negative() == fcur.is_sign_negative() {
        return Err(SaeError::NoConvergence);
    }
    let (mut xblk, mut fblk, mut spre, mut scur) = (0.0, 0.0, 0.0, 0.0);
    for _ in 0..max_iter {
        if fpre != 0.0 && fcur != 0.0 && fpre.is_sign_negative() != fcur.is_sign_negative() {
            xblk = xpre;
            fblk = fpre;
            spre = xcur - xpre;
            scur = spre;
        }
        if fblk.abs() < fcur.abs() {
            // Keep the best estimate in xcur.
            (xpre, xcur, xblk) = (xcur, xblk, xcur);
            (fpre, fcur, fblk) = (fcur, fblk, fcur);
        }
        let delta = (xtol + rtol * xcur.abs()) / 2.0;
        let sbis = (xblk - xcur) / 2.0;
        if fcur == 0.0 || sbis.abs() < delta {
            return Ok(xcur);
        }
        if spre.abs() > delta && fcur.abs() < fpre.abs() {
            let stry = if xpre == xblk {
                // Secant (linear interpolation).
                -fcur * (xcur - xpre) / (fcur - fpre)
            } else {
                // Inverse quadratic interpolation.
                let dpre = (fpre - fcur) / (xpre - xcur);
                let dblk = (fblk - fcur) / (xblk - xcur);
                -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            };
            if 2.0 * stry.abs() < spre.abs().min(3.0 * sbis.abs() - delta) {
                spre = scur;
                scur = stry;
            } else {
                spre = sbis;
                scur = sbis;
            }
        } else {
            spre = sbis;
            scur = sbis;
        }
        xpre = xcur;
        fpre = fcur;
        xcur += if scur.abs() > delta {
            scur
        } else if sbis > 0.0 {
            delta
        } else {
            -delta
        };
        fcur = f(xcur)?;
    }
    Err(SaeError::NoConvergence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_square_root_of_two() {
        let r = brentq(|x| Ok(x * x - 2.0), 0.0, 2.0, 1e-300, 1e-15, 100).unwrap();
        assert!((r - 2f64.sqrt()).abs() < 1e-14);
    }

    #[test]
    fn no_sign_change_is_an_error() {
        assert_eq!(brentq(|x| Ok(x * x + 1.0), 0.0, 2.0, 1e-12, 1e-12, 100), Err(SaeError::NoConvergence));
    }
}
