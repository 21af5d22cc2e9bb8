//! The Albers equal-area conic projection, spherical form.
//!
//! revita draws China with standard parallels 25°N and 47°N and central
//! meridian 105°E, the parameters Chinese national atlases use for the whole
//! country: equal-area, so a choropleth's colours are not distorted by the
//! size of Xinjiang and Tibet, and little shape distortion between the two
//! parallels that bracket most of the territory.
//!
//! Source: Snyder, J. P. (1987), *Map Projections — A Working Manual*, USGS
//! Professional Paper 1395, pp. 98–103, equations 14-1 to 14-4 and 14-6,
//! 14-7 (sphere of radius 1).

use revita_methods::geometry::Point;

/// An Albers equal-area conic projection on the unit sphere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Albers {
    n: f64,
    c: f64,
    rho0: f64,
    lambda0: f64,
}

impl Albers {
    /// A projection with standard parallels `phi1`, `phi2`, origin latitude
    /// `phi0` and central meridian `lambda0`, all in degrees.
    pub fn new(phi1: f64, phi2: f64, phi0: f64, lambda0: f64) -> Albers {
        let (s1, s2) = (phi1.to_radians().sin(), phi2.to_radians().sin());
        let n = (s1 + s2) / 2.0; // 14-6
        let c = phi1.to_radians().cos().powi(2) + 2.0 * n * s1; // 14-5
        let rho0 = (c - 2.0 * n * phi0.to_radians().sin()).sqrt() / n; // 14-3a
        Albers { n, c, rho0, lambda0: lambda0.to_radians() }
    }

    /// The projection revita uses for China: 25°N / 47°N, 105°E.
    pub fn china() -> Albers {
        Albers::new(25.0, 47.0, 0.0, 105.0)
    }

    /// Projects (longitude, latitude) in degrees to (x, y) on the unit
    /// sphere, y pointing north.
    pub fn project(&self, (lon, lat): Point) -> Point {
        let rho = (self.c - 2.0 * self.n * lat.to_radians().sin()).sqrt() / self.n; // 14-3
        let theta = self.n * (lon.to_radians() - self.lambda0); // 14-4
        (rho * theta.sin(), self.rho0 - rho * theta.cos()) // 14-1, 14-2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snyders_worked_example_is_reproduced() {
        // Snyder (1987) p. 292: φ1 = 29.5°, φ2 = 45.5°, φ0 = 23°, λ0 = 96°W, R = 1;
        // the point 35°N, 75°W projects to x = 0.2952720, y = 0.2416774.
        let albers = Albers::new(29.5, 45.5, 23.0, -96.0);
        let (x, y) = albers.project((-75.0, 35.0));
        assert!((x - 0.295_272_0).abs() < 1e-6, "{x}");
        assert!((y - 0.241_677_4).abs() < 1e-6, "{y}");
    }

    #[test]
    fn the_central_meridian_is_straight_and_north_is_up() {
        let albers = Albers::china();
        let (x, _) = albers.project((105.0, 35.0));
        assert!(x.abs() < 1e-12);
        assert!(albers.project((105.0, 40.0)).1 > albers.project((105.0, 30.0)).1);
        assert!(albers.project((120.0, 30.0)).0 > 0.0 && albers.project((90.0, 30.0)).0 < 0.0);
    }
}
