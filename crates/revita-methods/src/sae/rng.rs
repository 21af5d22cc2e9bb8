//! Seeded, independent random streams.
//!
//! Each stream is a xoshiro256++ generator (Blackman & Vigna 2021; rand's
//! `Xoshiro256PlusPlus`, fast and statistically sound for simulation, not
//! for secrets) whose seed mixes the caller's seed with a purpose tag and
//! indices through SplitMix64 (Steele, Lea & Flood 2014). A domain's draws
//! therefore depend on (seed, purpose, replicate, domain) only, not on which
//! thread runs the domain or in what order. Normal draws use the ziggurat of
//! rand_distr's `StandardNormal`, written out here.
//!
//! The census EBP draws tens of millions of normals, so it takes them in
//! blocks from [`NormalBlocks`]: four xoshiro256++ generators stepped side
//! by side (the compiler turns the four lanes into vector instructions;
//! a single generator is a chain of dependent operations) feeding the
//! ziggurat.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

/// The generator of every stream.
pub(crate) type Stream = Xoshiro256PlusPlus;

/// What a stream is drawn for: distinct tags keep streams apart.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    /// The census EBP's Monte Carlo replicates of a domain.
    Ebp = 1,
    /// A bootstrap replicate's area effects.
    BootEffects = 2,
    /// A bootstrap replicate's sample errors.
    BootSample = 3,
    /// A bootstrap replicate's census (true values) of a domain.
    BootCensus = 4,
    /// A bootstrap replicate's EBP of a domain.
    BootEbp = 5,
    /// The Fay–Herriot parametric bootstrap.
    FhBoot = 6,
    /// The spatial Fay–Herriot parametric bootstrap.
    SfhBoot = 7,
}

/// SplitMix64's output function: a bijective 64-bit mixer.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The 64-bit key of (seed, purpose, replicate, domain).
fn key(seed: u64, purpose: Purpose, replicate: u64, domain: u64) -> u64 {
    let mut h = splitmix64(seed);
    for k in [purpose as u64, replicate, domain] {
        h = splitmix64(h ^ splitmix64(k));
    }
    h
}

/// The stream of (seed, purpose, replicate, domain).
pub(crate) fn stream(seed: u64, purpose: Purpose, replicate: u64, domain: u64) -> Stream {
    Stream::seed_from_u64(key(seed, purpose, replicate, domain))
}

/// Generators stepped together by [`NormalBlocks`].
pub(crate) const LANES: usize = 4;
/// Normals drawn from one batch of random words (a multiple of `LANES`).
pub(crate) const BLOCK: usize = 64;
/// SplitMix64's increment (2⁶⁴/φ).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Standard normals in blocks for the EBP's hot loop: `LANES` xoshiro256++
/// generators advanced in lock step, their words turned into normals by
/// the ziggurat, with a scalar stream for single draws and for the
/// ziggurat's rare rejection steps. Seeded like [`stream`], so the draws
/// depend on (seed, purpose, replicate, domain) only.
#[derive(Debug, Clone)]
pub(crate) struct NormalBlocks {
    /// Word w of lane l's state is `s[w][l]`: one step applies the same
    /// operations to every lane, which vectorises.
    s: [[u64; LANES]; 4],
    /// Single draws and the ziggurat's rejection steps.
    spare: Stream,
}

impl NormalBlocks {
    /// The block generator of (seed, purpose, replicate, domain).
    pub(crate) fn new(seed: u64, purpose: Purpose, replicate: u64, domain: u64) -> Self {
        // The lanes' states are consecutive SplitMix64 outputs from the key,
        // as `seed_from_u64` seeds one generator (Vigna's recommendation);
        // a state of all zeros cannot occur (the mixer is a bijection).
        let h = key(seed, purpose, replicate, domain);
        let word = |i: u64| splitmix64(h.wrapping_add(i.wrapping_mul(GOLDEN)));
        let mut s = [[0; LANES]; 4];
        for (w, words) in s.iter_mut().enumerate() {
            for (l, v) in words.iter_mut().enumerate() {
                *v = word((l * 4 + w) as u64);
            }
        }
        NormalBlocks { s, spare: Stream::seed_from_u64(word(4 * LANES as u64)) }
    }

    /// One xoshiro256++ step of every lane (Blackman & Vigna's reference code).
    #[inline(always)]
    fn step(&mut self) -> [u64; LANES] {
        let [s0, s1, s2, s3] = &mut self.s;
        let mut out = [0; LANES];
        for l in 0..LANES {
            out[l] = s0[l].wrapping_add(s3[l]).rotate_left(23).wrapping_add(s0[l]);
            let t = s1[l] << 17;
            s2[l] ^= s0[l];
            s3[l] ^= s1[l];
            s1[l] ^= s2[l];
            s0[l] ^= s3[l];
            s2[l] ^= t;
            s3[l] = s3[l].rotate_left(45);
        }
        out
    }

    /// The lanes' state words, for the AVX2 generator (`super::simd`).
    #[cfg(target_arch = "x86_64")]
    pub(crate) fn state(&self) -> &[[u64; LANES]; 4] {
        &self.s
    }

    /// As [`NormalBlocks::state`], to write it back.
    #[cfg(target_arch = "x86_64")]
    pub(crate) fn state_mut(&mut self) -> &mut [[u64; LANES]; 4] {
        &mut self.s
    }

    /// The scalar stream of the rejection steps.
    #[cfg(target_arch = "x86_64")]
    pub(crate) fn spare(&mut self) -> &mut Stream {
        &mut self.spare
    }

    /// One standard normal (from the scalar stream).
    pub(crate) fn single(&mut self) -> f64 {
        std_normal(&mut self.spare)
    }

    /// Fills `out` with standard normals. Each call starts a fresh block, so
    /// the draws depend on the lengths asked for, not only on their sum.
    ///
    /// Each block runs the ziggurat's accept test on all its words in one
    /// branch-free loop (which vectorises), then redraws the rare rejected
    /// ones (about 1.2 %) in order from the scalar stream: the same draws as
    /// taking the words one by one through [`ziggurat_draw`].
    #[inline(always)]
    pub(crate) fn fill(&mut self, out: &mut [f64]) {
        let t = ziggurat();
        for chunk in out.chunks_mut(BLOCK) {
            let mut bits = [0u64; BLOCK];
            for b in bits.chunks_exact_mut(LANES) {
                b.copy_from_slice(&self.step());
            }
            let mut x = [0.0; BLOCK];
            let mut reject = [false; BLOCK];
            for ((x, r), &b) in x.iter_mut().zip(&mut reject).zip(&bits) {
                let (i, u) = layer(b);
                *x = u * t.x[i];
                // Rejected unless below, as `ziggurat_draw` tests it.
                #[allow(clippy::neg_cmp_op_on_partial_ord)]
                let rejected = !(x.abs() < t.x[i + 1]);
                *r = rejected;
            }
            let n = chunk.len();
            for j in 0..n {
                if reject[j] {
                    let (i, u) = layer(bits[j]);
                    x[j] = std_normal_slow(&mut self.spare, t, i, u, x[j]);
                }
            }
            chunk.copy_from_slice(&x[..n]);
        }
    }
}

/// The ziggurat's layer (the low 8 bits) and abscissa u in [−1, 1) (52
/// random bits as a float in [2, 4), minus 3) of a random word.
#[inline(always)]
pub(crate) fn layer(bits: u64) -> (usize, f64) {
    ((bits & 0xff) as usize, f64::from_bits((bits >> 12) | 0x4000_0000_0000_0000) - 3.0)
}

/// Layers of the ziggurat.
const LAYERS: usize = 256;
/// The ziggurat's base-strip edge r and common layer area v for 256 layers
/// (the constants of rand_distr's tables, Doornik 2005).
const ZIG_R: f64 = 3.654_152_885_361_009;
const ZIG_V: f64 = 4.928_673_233_99e-3;

/// Layer edges x_i and densities f(x_i) = exp(−x_i²/2), i = 0..=256.
pub(crate) struct Ziggurat {
    pub(crate) x: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
}

pub(crate) fn ziggurat() -> &'static Ziggurat {
    static TABLES: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let pdf = |x: f64| (-0.5 * x * x).exp();
        let mut x = [0.0; LAYERS + 1];
        // x_0 is the width a strip of area v would have at height f(r).
        x[0] = ZIG_V / pdf(ZIG_R);
        x[1] = ZIG_R;
        for i in 1..LAYERS - 1 {
            x[i + 1] = (-2.0 * (ZIG_V / x[i] + pdf(x[i])).ln()).sqrt();
        }
        x[LAYERS] = 0.0;
        let f = x.map(pdf);
        Ziggurat { x, f }
    })
}

/// A standard normal draw: the ziggurat of Marsaglia & Tsang (2000) exactly
/// as rand_distr's `StandardNormal` runs it (256 layers, one u64 for the
/// layer and the abscissa, Marsaglia's tail method), written out here so the
/// accept path inlines into the EBP's loop; rand_distr's version is a call
/// per draw.
#[inline(always)]
pub(crate) fn std_normal(rng: &mut Stream) -> f64 {
    use rand::Rng;
    let bits = rng.next_u64();
    ziggurat_draw(ziggurat(), bits, rng)
}

/// The ziggurat from a first random word `bits`; `rng` serves the rejection
/// steps.
#[inline(always)]
fn ziggurat_draw(t: &Ziggurat, bits: u64, rng: &mut Stream) -> f64 {
    let (i, u) = layer(bits);
    let x = u * t.x[i];
    if x.abs() < t.x[i + 1] {
        return x;
    }
    std_normal_slow(rng, t, i, u, x)
}

/// The rejection steps of the ziggurat (about 1% of draws).
#[cold]
#[inline(never)]
pub(crate) fn std_normal_slow(rng: &mut Stream, t: &Ziggurat, mut i: usize, mut u: f64, mut x: f64) -> f64 {
    use rand::Rng;
    let open01 = |rng: &mut Stream| ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
    loop {
        if i == 0 {
            // The tail beyond r (Marsaglia 1964).
            loop {
                let xt = open01(rng).ln() / ZIG_R;
                let yt = open01(rng).ln();
                if -2.0 * yt >= xt * xt {
                    return if u < 0.0 { xt - ZIG_R } else { ZIG_R - xt };
                }
            }
        }
        let v = ((rng.next_u64() >> 11) as f64) * (1.0 / (1u64 << 53) as f64);
        if t.f[i + 1] + (t.f[i] - t.f[i + 1]) * v < (-0.5 * x * x).exp() {
            return x;
        }
        (i, u) = layer(rng.next_u64());
        x = u * t.x[i];
        if x.abs() < t.x[i + 1] {
            return x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_close_at_zero() {
        // The recursion must land on the peak: the last layer's edge is tiny.
        let t = ziggurat();
        assert!((t.x[0] - 3.910_757_959_537_09).abs() < 1e-9);
        assert!(t.x[LAYERS - 1] < 0.3 && t.x[LAYERS - 1] > 0.0);
    }

    #[test]
    fn lanes_are_xoshiro256plusplus() {
        // Each lane is the reference generator started from its state words.
        use rand::Rng;
        let mut blocks = NormalBlocks::new(3, Purpose::Ebp, 1, 2);
        let mut scalar: Vec<Stream> = (0..LANES)
            .map(|l| {
                let mut seed = [0u8; 32];
                for w in 0..4 {
                    seed[w * 8..(w + 1) * 8].copy_from_slice(&blocks.s[w][l].to_le_bytes());
                }
                Stream::from_seed(seed)
            })
            .collect();
        for _ in 0..100 {
            let out = blocks.step();
            for (l, rng) in scalar.iter_mut().enumerate() {
                assert_eq!(out[l], rng.next_u64());
            }
        }
        // Distinct keys, distinct lanes.
        let other = NormalBlocks::new(3, Purpose::Ebp, 1, 3);
        assert_ne!(blocks.s, other.s);
        assert_ne!(blocks.s[0][0], blocks.s[0][1]);
    }

    #[test]
    fn blocks_are_seeded_and_deterministic() {
        let draw = |n: usize| {
            let mut b = NormalBlocks::new(5, Purpose::Ebp, 0, 7);
            let mut v = vec![0.0; n];
            b.fill(&mut v);
            v
        };
        assert_eq!(draw(1000), draw(1000));
        // A shorter fill is a prefix of a longer one.
        assert_eq!(draw(1000)[..130], draw(130)[..]);
        let mut b = NormalBlocks::new(6, Purpose::Ebp, 0, 7);
        let mut v = vec![0.0; 1000];
        b.fill(&mut v);
        assert_ne!(v, draw(1000));
    }

    #[test]
    fn fill_equals_the_one_by_one_ziggurat() {
        // The block accept pass and its redraws give the draws of the plain
        // ziggurat on the same words, rejections (about 1 in 80) included.
        let mut blocks = NormalBlocks::new(11, Purpose::Ebp, 2, 3);
        let mut twin = blocks.clone();
        let mut v = vec![0.0; 10_000];
        blocks.fill(&mut v);
        let t = ziggurat();
        let mut want = Vec::new();
        for chunk in v.chunks(BLOCK) {
            let mut bits = [0u64; BLOCK];
            for b in bits.chunks_exact_mut(LANES) {
                b.copy_from_slice(&twin.step());
            }
            want.extend(bits[..chunk.len()].iter().map(|&b| ziggurat_draw(t, b, &mut twin.spare)));
        }
        assert_eq!(v, want);
    }

    fn check_moments(mut next: impl FnMut() -> f64) {
        let n = 2_000_000;
        let (mut s1, mut s2, mut s4, mut below) = (0.0, 0.0, 0.0, 0usize);
        for _ in 0..n {
            let z = next();
            s1 += z;
            s2 += z * z;
            s4 += z.powi(4);
            below += usize::from(z < -1.959_963_984_540_054);
        }
        let n = n as f64;
        // Standard errors: mean 1/√n ≈ 7e-4, variance √(2/n) ≈ 1e-3, kurtosis √(96/n) ≈ 7e-3.
        assert!((s1 / n).abs() < 4e-3);
        assert!((s2 / n - 1.0).abs() < 5e-3);
        assert!((s4 / n - 3.0).abs() < 4e-2);
        assert!((below as f64 / n - 0.025).abs() < 1e-3);
    }

    #[test]
    fn normal_moments() {
        let mut rng = stream(7, Purpose::Ebp, 0, 0);
        check_moments(|| std_normal(&mut rng));
    }

    #[test]
    fn block_normal_moments() {
        // In blocks of 1000 (not a multiple of BLOCK: partial blocks too).
        let mut blocks = NormalBlocks::new(7, Purpose::Ebp, 0, 0);
        let mut buf = vec![0.0; 1000];
        let mut at = buf.len();
        check_moments(|| {
            if at == buf.len() {
                blocks.fill(&mut buf);
                at = 0;
            }
            at += 1;
            buf[at - 1]
        });
    }
}
