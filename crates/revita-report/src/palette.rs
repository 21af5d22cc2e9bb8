//! Colour-blind-safe palettes.
//!
//! Sequential classes use viridis (van der Walt & Smith, matplotlib 2015),
//! perceptually uniform and readable with the common colour-vision
//! deficiencies and in greyscale; categories use the Okabe–Ito palette
//! (Okabe & Ito 2008, "Color Universal Design").

/// Viridis sampled at 9 evenly spaced stops, dark to light.
const VIRIDIS: [&str; 9] =
    ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"];

/// Okabe–Ito colours, black left out (it is the outline colour).
pub const CATEGORICAL: [&str; 7] = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"];

/// The fill of regions with no value: a light grey with hatching left to
/// the map's legend text, distinct from every palette colour.
pub const NO_DATA: &str = "#d9d9d9";

/// `k` sequential colours (1 ≤ k ≤ 9), light to dark so that more reads as
/// darker; `reversed` gives dark to light.
pub fn sequential(k: usize, reversed: bool) -> Vec<&'static str> {
    let k = k.clamp(1, VIRIDIS.len());
    let mut colours: Vec<&str> =
        if k == 1 { vec![VIRIDIS[4]] } else { (0..k).map(|i| VIRIDIS[i * (VIRIDIS.len() - 1) / (k - 1)]).collect() };
    if !reversed {
        colours.reverse();
    }
    colours
}

/// The text colour readable on `fill` (`#rrggbb`): black on light fills,
/// white on dark, by the WCAG relative luminance threshold.
pub fn text_on(fill: &str) -> &'static str {
    let channel = |i: usize| u8::from_str_radix(fill.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128) as f64 / 255.0;
    let linear = |c: f64| if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
    let luminance = 0.2126 * linear(channel(1)) + 0.7152 * linear(channel(3)) + 0.0722 * linear(channel(5));
    if luminance > 0.179 { "#000000" } else { "#ffffff" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_palettes_span_viridis_light_to_dark() {
        assert_eq!(sequential(3, false), ["#fde725", "#21918c", "#440154"]);
        assert_eq!(sequential(3, true), ["#440154", "#21918c", "#fde725"]);
        assert_eq!(sequential(1, false).len(), 1);
        assert_eq!(sequential(20, false).len(), 9);
    }

    #[test]
    fn text_stays_readable_on_every_fill() {
        assert_eq!(text_on("#fde725"), "#000000");
        assert_eq!(text_on("#440154"), "#ffffff");
    }
}
