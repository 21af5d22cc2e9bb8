//! AVX2 versions of the census EBP's two hot loops (x86-64 only, chosen at
//! run time): the block normal generator of [`NormalBlocks::fill`] and the
//! exponentiate-and-sum pass of the EBP's replicates.
//!
//! Both do exactly the scalar code's IEEE operations in the same order,
//! four units per vector (no fused multiply-add, no reassociation), so they
//! return the same bits as the portable code; the tests check it. Their gain
//! is the vectors and the hardware gathers for the ziggurat's and eˣ's table
//! look-ups, which the compiler does not emit on its own.
//!
//! This module holds the crate's only `unsafe` code: the calls into the
//! `#[target_feature]` functions (made only once the CPU is known to have the
//! features) and the unaligned loads, stores and gathers, each in bounds as
//! noted beside it.
#![allow(unsafe_code)]

use std::arch::x86_64::*;

use super::rng::{BLOCK, LANES, NormalBlocks, Stream, Ziggurat, layer, std_normal_slow, ziggurat};

/// Proof that the running CPU has AVX2 (with FMA, as every AVX2 CPU but a few
/// early VIA ones has; the code uses no FMA instruction, the feature only
/// lets the compiler pick the VEX forms), and whether it has AVX-512 (F, VL,
/// DQ: then the fused replicate is compiled for it too, which lets the
/// compiler use EVEX forms such as a one-instruction rotate; ~8 % less CPU on
/// a Zen 4, same bits); obtained from [`Avx2::detect`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Avx2((), bool);

impl Avx2 {
    /// `Some` when the CPU supports AVX2 and FMA. Setting the environment
    /// variable `REVITA_NO_SIMD` forces the portable code, `REVITA_NO_AVX512`
    /// the AVX2 build (for comparisons).
    pub(crate) fn detect() -> Option<Avx2> {
        static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let has = *HAS.get_or_init(|| {
            is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("fma")
                && std::env::var_os("REVITA_NO_SIMD").is_none()
        });
        static HAS512: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let has512 = *HAS512.get_or_init(|| {
            is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512vl")
                && is_x86_feature_detected!("avx512dq")
                && std::env::var_os("REVITA_NO_AVX512").is_none()
        });
        has.then_some(Avx2((), has512))
    }

    /// [`NormalBlocks::fill`], same draws.
    pub(crate) fn fill(self, rng: &mut NormalBlocks, out: &mut [f64]) {
        // SAFETY: an `Avx2` exists only when the CPU has AVX2 and FMA.
        unsafe { fill(rng, out) }
    }

    /// `super::ebp::sum_indicators`, same sums.
    pub(crate) fn sum_indicators(self, mu: &[f64], e: &[f64], base: f64, se: f64, line: f64) -> [f64; 3] {
        // SAFETY: as above.
        unsafe { sum_indicators(mu, e, base, se, line) }
    }

    /// `fill` then `sum_indicators` over `mu.len()` draws, block by block
    /// without a buffer: the same draws and sums.
    pub(crate) fn replicate(self, rng: &mut NormalBlocks, mu: &[f64], base: f64, se: f64, line: f64) -> [f64; 3] {
        // SAFETY: as above (and AVX-512 checked when used).
        unsafe { if self.1 { replicate512(rng, mu, base, se, line) } else { replicate(rng, mu, base, se, line) } }
    }
}

/// x rotated left by R bits, in each 64-bit lane (AVX2 has no rotate).
#[inline]
#[target_feature(enable = "avx2")]
fn rotl<const R: i32, const L: i32>(x: __m256i) -> __m256i {
    debug_assert_eq!(R + L, 64);
    _mm256_or_si256(_mm256_slli_epi64::<R>(x), _mm256_srli_epi64::<L>(x))
}

/// The four xoshiro256++ lanes of a [`NormalBlocks`], one vector per state word.
type State = [__m256i; 4];

#[inline]
#[target_feature(enable = "avx2,fma")]
fn load_state(rng: &NormalBlocks) -> State {
    // SAFETY: 4 u64 are 32 bytes, read unaligned.
    rng.state().map(|w| unsafe { _mm256_loadu_si256(w.as_ptr().cast()) })
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn store_state(rng: &mut NormalBlocks, s: State) {
    for (w, v) in rng.state_mut().iter_mut().zip(s) {
        // SAFETY: 32 bytes, written unaligned.
        unsafe { _mm256_storeu_si256(w.as_mut_ptr().cast(), v) }
    }
}

/// One block of [`NormalBlocks::fill`]: `BLOCK` words from the lanes, the
/// ziggurat's accept test on all of them, the rejected ones among the first
/// `n` redrawn in order from `spare`. The first `n` of `x` are the draws.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn block(s: &mut State, spare: &mut Stream, t: &Ziggurat, x: &mut [f64; BLOCK], n: usize) {
    const _: () = assert!(LANES == 4 && BLOCK.is_multiple_of(LANES) && BLOCK <= 64);
    let [s0, s1, s2, s3] = s;
    let low8 = _mm256_set1_epi64x(0xff);
    let two = _mm256_set1_epi64x(0x4000_0000_0000_0000);
    let three = _mm256_set1_pd(3.0);
    let abs = _mm256_castsi256_pd(_mm256_set1_epi64x(i64::MAX));
    let tx = t.x.as_ptr();
    let mut bits = [0u64; BLOCK];
    let mut reject = 0u64;
    for v in 0..BLOCK / LANES {
        // One xoshiro256++ step of the four lanes (NormalBlocks::step).
        let word = _mm256_add_epi64(rotl::<23, 41>(_mm256_add_epi64(*s0, *s3)), *s0);
        let sh = _mm256_slli_epi64::<17>(*s1);
        *s2 = _mm256_xor_si256(*s2, *s0);
        *s3 = _mm256_xor_si256(*s3, *s1);
        *s1 = _mm256_xor_si256(*s1, *s2);
        *s0 = _mm256_xor_si256(*s0, *s3);
        *s2 = _mm256_xor_si256(*s2, sh);
        *s3 = rotl::<45, 19>(*s3);
        // The ziggurat's accept test (rng::layer and ziggurat_draw).
        let i = _mm256_and_si256(word, low8);
        let u = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64::<12>(word), two)), three);
        // The pairs (x[i], x[i + 1]) by four 16-byte loads: cheaper than
        // two gathers.
        // SAFETY: i ≤ 255, and t.x has 257 entries: x[i] and x[i + 1] are in it.
        let pair = |k: i64| unsafe { _mm_loadu_pd(tx.add(k as usize)) };
        let (p0, p1) = (pair(_mm256_extract_epi64::<0>(i)), pair(_mm256_extract_epi64::<1>(i)));
        let (p2, p3) = (pair(_mm256_extract_epi64::<2>(i)), pair(_mm256_extract_epi64::<3>(i)));
        let (a, b) = (_mm256_set_m128d(p2, p0), _mm256_set_m128d(p3, p1));
        let (xi, xi1) = (_mm256_unpacklo_pd(a, b), _mm256_unpackhi_pd(a, b));
        let xv = _mm256_mul_pd(u, xi);
        // Not (|x| < x[i + 1]), as the scalar `!(x.abs() < t.x[i + 1])`.
        let bad = _mm256_cmp_pd::<_CMP_NLT_UQ>(_mm256_and_pd(xv, abs), xi1);
        reject |= (_mm256_movemask_pd(bad) as u64) << (v * LANES);
        // SAFETY: lanes v*4 .. v*4 + 4 of BLOCK-entry arrays.
        unsafe {
            _mm256_storeu_si256(bits.as_mut_ptr().add(v * LANES).cast(), word);
            _mm256_storeu_pd(x.as_mut_ptr().add(v * LANES), xv);
        }
    }
    let mut reject = if n < 64 { reject & ((1u64 << n) - 1) } else { reject };
    while reject != 0 {
        let j = reject.trailing_zeros() as usize;
        reject &= reject - 1;
        let (i, u) = layer(bits[j]);
        x[j] = std_normal_slow(spare, t, i, u, x[j]);
    }
}

#[target_feature(enable = "avx2,fma")]
fn fill(rng: &mut NormalBlocks, out: &mut [f64]) {
    let t = ziggurat();
    let mut s = load_state(rng);
    let mut x = [0.0; BLOCK];
    for chunk in out.chunks_mut(BLOCK) {
        let n = chunk.len();
        block(&mut s, rng.spare(), t, &mut x, n);
        chunk.copy_from_slice(&x[..n]);
    }
    store_state(rng, s);
}

/// The running sums of `super::ebp::sum_indicators`: lane l of each vector
/// sums the units 4c + l.
struct Sums {
    s: __m256d,
    poor: __m256d,
    gap: __m256d,
}

impl Sums {
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn new() -> Sums {
        Sums { s: _mm256_setzero_pd(), poor: _mm256_setzero_pd(), gap: _mm256_setzero_pd() }
    }

    /// Adds the units of `mu` and `e` four by four (their lengths a multiple of 4).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn add(&mut self, mu: &[f64], e: &[f64], base: f64, se: f64, line: f64) {
        use super::ebp::{EXP2_64THS, exp_consts as c};
        let n = mu.len().min(e.len()) / LANES * LANES;
        let (vbase, vse, vline) = (_mm256_set1_pd(base), _mm256_set1_pd(se), _mm256_set1_pd(line));
        let (lo, hi) = (_mm256_set1_pd(c::MIN), _mm256_set1_pd(c::MAX));
        let (inv, round) = (_mm256_set1_pd(c::INV_LN2_64), _mm256_set1_pd(c::ROUND));
        let round_bits = _mm256_set1_epi64x(c::ROUND.to_bits() as i64);
        let (ln_hi, ln_lo) = (_mm256_set1_pd(c::LN2_64_HI), _mm256_set1_pd(c::LN2_64_LO));
        let one = _mm256_set1_pd(1.0);
        let (half, sixth, p24, p120) =
            (_mm256_set1_pd(0.5), _mm256_set1_pd(1.0 / 6.0), _mm256_set1_pd(1.0 / 24.0), _mm256_set1_pd(1.0 / 120.0));
        let (m63, not63) = (_mm256_set1_epi64x(63), _mm256_set1_epi64x(!63));
        let table = EXP2_64THS.as_ptr().cast::<i64>();
        let (mut s, mut cnt, mut g) = (self.s, self.poor, self.gap);
        for j in (0..n).step_by(LANES) {
            // SAFETY: j + 4 ≤ n ≤ the length of both slices.
            let (m, ev) = unsafe { (_mm256_loadu_pd(mu.as_ptr().add(j)), _mm256_loadu_pd(e.as_ptr().add(j))) };
            // exp(m + base + se·e) exactly as ebp::exp computes it.
            let x = _mm256_add_pd(_mm256_add_pd(m, vbase), _mm256_mul_pd(vse, ev));
            let x = _mm256_min_pd(_mm256_max_pd(x, lo), hi);
            let t = _mm256_add_pd(_mm256_mul_pd(x, inv), round);
            let kf = _mm256_sub_pd(t, round);
            let k = _mm256_sub_epi64(_mm256_castpd_si256(t), round_bits);
            let r = _mm256_sub_pd(_mm256_sub_pd(x, _mm256_mul_pd(kf, ln_hi)), _mm256_mul_pd(kf, ln_lo));
            let r2 = _mm256_mul_pd(r, r);
            let inner = _mm256_add_pd(
                _mm256_add_pd(half, _mm256_mul_pd(r, sixth)),
                _mm256_mul_pd(r2, _mm256_add_pd(p24, _mm256_mul_pd(r, p120))),
            );
            let p = _mm256_add_pd(_mm256_add_pd(one, r), _mm256_mul_pd(r2, inner));
            // SAFETY: k & 63 indexes the 64-entry table.
            let entry = unsafe { _mm256_i64gather_epi64::<8>(table, _mm256_and_si256(k, m63)) };
            // (k >> 6) << 52 = (k & !63) << 46 in 64-bit wrapping arithmetic.
            let scale = _mm256_add_epi64(entry, _mm256_slli_epi64::<46>(_mm256_and_si256(k, not63)));
            let y = _mm256_mul_pd(p, _mm256_castsi256_pd(scale));
            let poor = _mm256_and_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(y, vline), one);
            s = _mm256_add_pd(s, y);
            cnt = _mm256_add_pd(cnt, poor);
            g = _mm256_add_pd(g, _mm256_mul_pd(poor, _mm256_sub_pd(vline, y)));
        }
        (self.s, self.poor, self.gap) = (s, cnt, g);
    }

    /// The totals, after adding the last units (fewer than 4) to lane 0 one
    /// by one, as the scalar code does.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn finish(self, mu: &[f64], e: &[f64], base: f64, se: f64, line: f64) -> [f64; 3] {
        let lanes = |v: __m256d| {
            let mut a = [0.0; LANES];
            // SAFETY: 4 doubles, written unaligned.
            unsafe { _mm256_storeu_pd(a.as_mut_ptr(), v) };
            a
        };
        let (mut s, mut cnt, mut g) = (lanes(self.s), lanes(self.poor), lanes(self.gap));
        for (&m, &ev) in mu.iter().zip(e) {
            let y = super::ebp::exp(m + base + se * ev);
            let poor = if y < line { 1.0 } else { 0.0 };
            s[0] += y;
            cnt[0] += poor;
            g[0] += poor * (line - y);
        }
        [s.iter().sum(), cnt.iter().sum(), g.iter().sum()]
    }
}

#[target_feature(enable = "avx2,fma")]
fn sum_indicators(mu: &[f64], e: &[f64], base: f64, se: f64, line: f64) -> [f64; 3] {
    let n = mu.len().min(e.len());
    let full = n / LANES * LANES;
    let mut sums = Sums::new();
    sums.add(&mu[..full], &e[..full], base, se, line);
    sums.finish(&mu[full..n], &e[full..n], base, se, line)
}

/// One replicate of the EBP: the draws of `fill` over `mu.len()` units
/// and their `sum_indicators`, a block at a time (no buffer).
#[target_feature(enable = "avx2,fma")]
fn replicate(rng: &mut NormalBlocks, mu: &[f64], base: f64, se: f64, line: f64) -> [f64; 3] {
    // SAFETY: this function has AVX2 and FMA.
    unsafe { replicate_body(rng, mu, base, se, line) }
}

/// [`replicate`] compiled with AVX-512 as well (the same intrinsics; the
/// compiler may pick the EVEX forms, e.g. one rotate instruction).
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
fn replicate512(rng: &mut NormalBlocks, mu: &[f64], base: f64, se: f64, line: f64) -> [f64; 3] {
    // SAFETY: this function has AVX2 and FMA.
    unsafe { replicate_body(rng, mu, base, se, line) }
}

/// The body of [`replicate`]; the caller must have AVX2 and FMA.
#[inline(always)]
unsafe fn replicate_body(rng: &mut NormalBlocks, mu: &[f64], base: f64, se: f64, line: f64) -> [f64; 3] {
    // SAFETY (every call below): the caller has AVX2 and FMA.
    let t = ziggurat();
    let mut s = unsafe { load_state(rng) };
    let mut x = [0.0; BLOCK];
    let mut sums = unsafe { Sums::new() };
    let full = mu.len() / LANES * LANES;
    // Only the last block can end in a partial group of four.
    let mut tail = [0.0; LANES];
    for m in mu.chunks(BLOCK) {
        let n = m.len();
        unsafe { block(&mut s, rng.spare(), t, &mut x, n) };
        let k = n / LANES * LANES;
        unsafe { sums.add(&m[..k], &x[..k], base, se, line) };
        tail[..n - k].copy_from_slice(&x[k..n]);
    }
    unsafe { store_state(rng, s) };
    unsafe { sums.finish(&mu[full..], &tail[..mu.len() - full], base, se, line) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sae::ebp::sum_indicators as portable_sums;
    use crate::sae::rng::Purpose;

    #[test]
    fn fill_gives_the_portable_draws() {
        let Some(avx2) = Avx2::detect() else { return };
        for n in [0, 1, 63, 64, 65, 1000, 4099] {
            let mut a = NormalBlocks::new(4, Purpose::Ebp, 1, n as u64);
            let mut b = a.clone();
            let (mut va, mut vb) = (vec![0.0; n], vec![0.0; n]);
            // Twice, so that the state written back is checked too.
            for _ in 0..2 {
                avx2.fill(&mut a, &mut va);
                b.fill(&mut vb);
                assert_eq!(
                    va.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                    vb.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
                );
            }
            assert_eq!(a.single().to_bits(), b.single().to_bits());
        }
    }

    #[test]
    fn a_fused_replicate_is_fill_then_sums() {
        let Some(avx2) = Avx2::detect() else { return };
        for n in [1, 3, 4, 63, 64, 67, 130, 2001] {
            let mut mu = vec![0.0; n];
            NormalBlocks::new(1, Purpose::Ebp, 9, 9).fill(&mut mu);
            mu.iter_mut().for_each(|m| *m += 8.9);
            let mut a = NormalBlocks::new(2, Purpose::Ebp, 0, n as u64);
            let mut b = a.clone();
            for r in 0..4 {
                // The AVX-512 build (where the CPU has it) and the AVX2 one in turn.
                let variant = Avx2((), avx2.1 && r % 2 == 0);
                let got = variant.replicate(&mut a, &mu, 0.2, 0.55, 7600.0);
                let mut e = vec![0.0; n];
                b.fill(&mut e);
                let want = portable_sums(&mu, &e, 0.2, 0.55, 7600.0);
                assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "n = {n}");
            }
        }
    }

    #[test]
    fn sums_are_the_portable_sums() {
        let Some(avx2) = Avx2::detect() else { return };
        let mut rng = NormalBlocks::new(8, Purpose::Ebp, 0, 0);
        for n in [0, 1, 3, 4, 5, 257, 2001] {
            let (mut mu, mut e) = (vec![0.0; n], vec![0.0; n]);
            rng.fill(&mut mu);
            rng.fill(&mut e);
            // Log incomes around 9 and a few extremes beyond the clamp.
            mu.iter_mut().enumerate().for_each(|(i, m)| *m = 9.0 + *m * if i % 97 == 5 { 400.0 } else { 1.0 });
            for (base, se, line) in [(0.1, 0.55, 7600.0), (-2.0, 1.3, 20.0), (0.0, 0.0, 1e300)] {
                let (a, b) = (avx2.sum_indicators(&mu, &e, base, se, line), portable_sums(&mu, &e, base, se, line));
                assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "n = {n}");
            }
        }
    }
}
