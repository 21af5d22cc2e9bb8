//! The p×p linear algebra of the models, through nalgebra: a symmetric
//! positive-definite system is factored once (Cholesky) and reused.

use nalgebra::{Cholesky, DMatrix, DVector, Dyn};

use super::SaeError;

/// A factored symmetric positive-definite matrix (X'V⁻¹X in every model).
pub(crate) struct Spd(Cholesky<f64, Dyn>);

impl Spd {
    /// Factors `m`; a matrix that is not positive definite (collinear
    /// covariates) is [`SaeError::Singular`].
    pub(crate) fn new(m: DMatrix<f64>) -> Result<Self, SaeError> {
        // Cholesky succeeds on numerically semi-definite matrices with a tiny
        // pivot. L_ii² / m_ii is the share of column i not explained by the
        // columns before it (invariant to the covariates' units), so a tiny
        // share is collinearity.
        let diag = m.diagonal();
        let chol = Cholesky::new(m).ok_or(SaeError::Singular)?;
        let l = chol.l_dirty().diagonal();
        if diag.iter().zip(l.iter()).any(|(d, l)| l.is_nan() || l * l <= 1e-12 * d) {
            return Err(SaeError::Singular);
        }
        Ok(Spd(chol))
    }

    /// The solution of m·x = b.
    pub(crate) fn solve(&self, b: &DVector<f64>) -> DVector<f64> {
        self.0.solve(b)
    }

    /// m⁻¹.
    pub(crate) fn inverse(&self) -> DMatrix<f64> {
        self.0.inverse()
    }

    /// log|m|.
    pub(crate) fn log_det(&self) -> f64 {
        log_det(&self.0)
    }
}

/// The inverse and the log-determinant of a symmetric positive-definite
/// m×m matrix (V and the spatial model's (I − ρW)'(I − ρW));
/// [`SaeError::Singular`] when Cholesky fails.
pub(crate) fn spd_inverse(m: DMatrix<f64>) -> Result<(DMatrix<f64>, f64), SaeError> {
    let chol = Cholesky::new(m).ok_or(SaeError::Singular)?;
    Ok((chol.inverse(), log_det(&chol)))
}

/// log|m| = 2 Σ log L_ii from m's Cholesky factor L.
fn log_det(chol: &Cholesky<f64, Dyn>) -> f64 {
    2.0 * chol.l_dirty().diagonal().iter().map(|l| l.ln()).sum::<f64>()
}

/// a'·m·a for a symmetric m.
pub(crate) fn quad(m: &DMatrix<f64>, a: &[f64]) -> f64 {
    let p = a.len();
    let mut s = 0.0;
    for i in 0..p {
        let mut row = 0.0;
        for j in 0..p {
            row += m[(i, j)] * a[j];
        }
        s += a[i] * row;
    }
    s
}
