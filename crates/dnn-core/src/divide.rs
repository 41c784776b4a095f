//! Division by a constant without a divide instruction, to the same bits: `a / b` for one
//! `b` and many `a`, as the optimiser's bias corrections `v / (1 - β1ᵗ)` and
//! `s / (1 - β2ᵗ)` are. The divider is the bottleneck of an Adam step: a division takes 4 to
//! 8 times as long as a multiply-add on x86.
//!
//! **In `f64`**, with `y = RN(1/b)` (the reciprocal, correctly rounded) and fused
//! multiply-adds:
//!
//! ```text
//! q0 = RN(a y)
//! q1 = RN(q0 + y RN(a - b q0))     q1 is within an ulp of a/b (faithful)
//! q2 = RN(q1 + y RN(a - b q1))     q2 = RN(a/b)
//! ```
//!
//! The second step is Markstein's theorem (P. Markstein, "Computation of elementary functions
//! on the IBM RISC System/6000 processor", IBM J. Res. Dev. 34(1), 1990; J.-M. Muller et al.,
//! *Handbook of Floating-Point Arithmetic*, 2nd ed., §4.9): if `y` is within half an ulp of
//! `1/b` and `q` within an ulp of `a/b`, the remainder `a - b q` is exact and
//! `RN(q + y (a - b q))` is the correctly rounded quotient. `q0` can be 1.5 ulps off, so
//! one correction first makes it faithful. It holds only where nothing under- or overflows:
//! for `a` zero, or of a magnitude within `2^±floor(0.7 E)`, `E` the largest exponent
//! (`2^±716` in `f64`), where the remainder's last bit stays above the subnormals and `a/b`
//! below the largest number.
//!
//! **In `f32`**, one multiplication in `f64` is enough: `q = RN32(RN64(a · RN64(1/b)))`.
//! The `f64` product is within `2^-52` (relative) of `a/b`. A quotient of two `f32` numbers
//! is never a midpoint between two `f32` numbers: a normal midpoint has an odd 25-bit
//! significand, and `a = b · mid` would make the odd part of `a`'s significand, the product
//! of the odd parts of `b`'s and `mid`'s, at least 25 bits wide. So `a - b · mid` is a
//! nonzero multiple of the last place of `a` or of `b · mid` (49 bits), and `a/b` is at least
//! `2^-49` (relative) from every midpoint: the `f64` product rounds to the `f32` that `a/b`
//! rounds to. An overflow rounds to infinity both ways (its threshold is a midpoint too).
//! For `|b| <= 1` (Adam's corrections) the same holds below the normal range: a subnormal
//! midpoint `M 2^-150` (`M` odd) would need `b = a / mid` to be a multiple of `2`, and the
//! gap stays above `2^-48`; so every finite `a` is covered. For `|b| > 1`, `a` is covered
//! from `2^-96` up, where `a/b` stays normal.
//!
//! Markstein's method holds in `f32` arithmetic too, over a narrower range (`2^±89`), with
//! five vector operations instead of the `f64` method's two conversions each way:
//! [`ConstDivisor::fused_quotient`], for the averages of an update's common case (no value
//! near the subnormals); [`ConstDivisor::quotient`] keeps the `f64` method, which covers the
//! averages of dead units too.
//!
//! Either way [`ConstDivisor::covers`] (and [`ConstDivisor::fused_covers`]) says which `a` are
//! safe and the caller divides the others; a divisor outside `[2^-30, 2^30]` is refused
//! outright. Because every operation scales exactly by powers of two in that range, the result
//! for every `a` follows from the results for one binade of `a` and `b`: the tests check
//! every `f32` mantissa of `a` against many `b` (with both methods, the first in `f32`
//! arithmetic), and random `f64` ones.

use crate::Float;

/// A divisor `b` with its reciprocal, for [`ConstDivisor::quotient`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConstDivisor<F> {
    b: F,
    y: F,
    /// `RN64(1/b)`, for the `f32` method.
    wide: f64,
    /// The smallest and largest magnitudes of `a` that [`ConstDivisor::quotient`] divides
    /// exactly.
    low: F,
    high: F,
    /// The same for [`ConstDivisor::fused_quotient`]: `2^±floor(0.7 E)` (`2^±89` in `f32`,
    /// whose largest number's logarithm rounds to `E = 128`).
    fused_low: F,
    fused_high: F,
}

impl<F: Float> ConstDivisor<F> {
    /// The divisor `b`, when it is a normal number within `[2^-30, 2^30]`.
    pub(crate) fn new(b: F) -> Option<Self> {
        let limit = F::of(2f64.powi(30));
        if !(b.abs() >= limit.recip() && b.abs() <= limit) {
            return None;
        }
        let max_exp = F::max_value().log2().floor();
        let margin = F::of(2.0).powf((F::of(0.7) * max_exp).floor());
        let (low, high) = if Self::WIDE {
            let low = if b.abs() <= F::one() {
                0.0
            } else {
                2f64.powi(-96)
            };
            (F::of(low), F::max_value())
        } else {
            (margin.recip(), margin)
        };
        Some(ConstDivisor {
            b,
            y: F::one() / b,
            wide: 1.0 / b.to_f64_lossless(),
            low,
            high,
            fused_low: margin.recip(),
            fused_high: margin,
        })
    }

    /// Whether `F` is `f32`, divided by one `f64` multiplication (see the module).
    const WIDE: bool = std::mem::size_of::<F>() == 4;

    /// Whether [`ConstDivisor::quotient`] is exact for `a` (false for NaN and infinities).
    #[inline(always)]
    pub(crate) fn covers(&self, a: F) -> bool {
        zero_or_within(a, self.low, self.high)
    }

    /// Whether [`ConstDivisor::fused_quotient`] is exact for `a`.
    #[inline(always)]
    pub(crate) fn fused_covers(&self, a: F) -> bool {
        zero_or_within(a, self.fused_low, self.fused_high)
    }

    /// `RN(a / b)` for an `a` that [`ConstDivisor::fused_covers`], by Markstein's method in
    /// `F`'s own arithmetic (for `f32` too).
    #[inline(always)]
    pub(crate) fn fused_quotient(&self, a: F) -> F {
        self.markstein_quotient(a)
    }

    /// `RN(a / b)` for an `a` that [`ConstDivisor::covers`], with no division.
    #[inline(always)]
    pub(crate) fn quotient(&self, a: F) -> F {
        if Self::WIDE {
            self.wide_quotient(a)
        } else {
            self.markstein_quotient(a)
        }
    }

    /// The `f32` method: `RN32(RN64(a · RN64(1/b)))`.
    #[inline(always)]
    fn wide_quotient(&self, a: F) -> F {
        F::of(a.to_f64_lossless() * self.wide)
    }

    /// The `f64` method: a product and two corrections by fused multiply-adds.
    #[inline(always)]
    fn markstein_quotient(&self, a: F) -> F {
        let (b, y) = (self.b, self.y);
        let q0 = a * y;
        let q1 = (-q0).mul_add(b, a).mul_add(y, q0);
        let q2 = (-q1).mul_add(b, a).mul_add(y, q1);
        // ±0 / b is q0 = ±0 y, with its sign (the corrections would turn -0 into +0).
        if a == F::zero() {
            q0
        } else {
            q2
        }
    }
}

/// Whether `a` is zero or of a magnitude in `[low, high]` (false for NaN).
#[inline(always)]
fn zero_or_within<F: Float>(a: F, low: F, high: F) -> bool {
    let m = a.abs();
    a == F::zero() || (m >= low && m <= high)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NumpyRng;

    /// The bias corrections of the usual β1 and β2 over the first updates, and divisors that
    /// are hard cases for a reciprocal (mantissas near 1 and near 2).
    fn divisors() -> Vec<f64> {
        let mut out = Vec::new();
        for t in 1..=40 {
            out.push(1.0 - 0.9f64.powi(t));
            out.push(1.0 - 0.999f64.powi(t));
        }
        out.extend([
            1.0,
            1.5,
            3.0,
            0.1,
            1.0 + f64::EPSILON,
            2.0 - f64::EPSILON,
            1.0 + 2.0 * f64::EPSILON,
            1.999_999_9,
            1.000_000_1,
            7.0,
        ]);
        let mut rng = NumpyRng::new(11);
        out.extend((0..40).map(|_| 1.0 + rng.next_double()));
        out
    }

    /// Mismatches against division over every mantissa of `a` in `[1, 2)`, positive and
    /// negative, of `f32`'s own method and (in `f32` arithmetic, standing for `f64`'s) of
    /// Markstein's.
    fn f32_mismatches(b: f32) -> (u64, u64) {
        fn run(b: f32) -> (u64, u64) {
            let d = ConstDivisor::new(b).expect("in range");
            let (mut wide, mut markstein) = (0, 0);
            for bits in 0x3f80_0000u32..0x4000_0000 {
                let a = f32::from_bits(bits);
                for a in [a, -a] {
                    let want = (a / b).to_bits();
                    wide += u64::from(want != d.quotient(a).to_bits());
                    markstein += u64::from(want != d.markstein_quotient(a).to_bits());
                }
            }
            (wide, markstein)
        }
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "fma")]
        unsafe fn run_fma(b: f32) -> (u64, u64) {
            run(b)
        }
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has FMA (the same results as libm's fma, only faster).
            return unsafe { run_fma(b) };
        }
        run(b)
    }

    #[test]
    fn every_f32_mantissa_is_divided_to_the_same_bits() {
        // By the exact scaling, every mantissa of a in one binade stands for every covered
        // a. DNN_DIVIDE_RANDOM_DIVISORS adds random divisors (default 2).
        let extra: usize = std::env::var("DNN_DIVIDE_RANDOM_DIVISORS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2);
        let mut rng = NumpyRng::new(12);
        // The first five corrections of each β and the hard mantissas (the test build has
        // overflow checks, and takes about a second per divisor).
        let mut all: Vec<f32> = divisors().into_iter().take(10).map(|b| b as f32).collect();
        all.extend(divisors()[80..90].iter().map(|&b| b as f32));
        all.extend((0..extra).map(|_| (1.0 + rng.next_double()) as f32));
        for &b in &all {
            assert_eq!(
                f32_mismatches(b),
                (0, 0),
                "a / {b:e}: (f32 method, Markstein's)"
            );
        }
        eprintln!("{} divisors, every f32 mantissa: the same bits", all.len());
    }

    #[test]
    fn random_f64_values_are_divided_to_the_same_bits() {
        let mut rng = NumpyRng::new(5);
        let mut checked = 0;
        for b in divisors() {
            let d = ConstDivisor::new(b).expect("in range");
            for _ in 0..20_000 {
                // Mantissas of [1, 2) at exponents across the covered range.
                let e = (rng.next_double() * 1400.0 - 700.0) as i32;
                let a = (1.0 + rng.next_double()) * 2f64.powi(e);
                for a in [a, -a] {
                    assert!(d.covers(a));
                    let (want, got) = (a / b, d.quotient(a));
                    assert!(
                        want.to_bits() == got.to_bits(),
                        "{a:e} / {b:e}: {got:e}, division gives {want:e}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, divisors().len() * 40_000);
    }

    #[test]
    fn zeros_keep_their_sign_and_extremes_are_not_covered() {
        let d = ConstDivisor::new(0.1f64).expect("in range");
        assert_eq!(d.quotient(0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(d.quotient(-0.0).to_bits(), (-0.0f64).to_bits());
        for a in [
            f64::NAN,
            f64::INFINITY,
            f64::MAX,
            1e-250,
            1e250,
            f64::MIN_POSITIVE / 4.0,
        ] {
            assert!(!d.covers(a), "{a:e}");
        }
        assert!(d.covers(1e-200) && d.covers(1e200) && d.covers(0.0));
        assert!(ConstDivisor::new(1e-12f64).is_none() && ConstDivisor::new(f64::NAN).is_none());
        let d32 = ConstDivisor::new(0.1f32).expect("in range");
        assert!(d32.covers(f32::MIN_POSITIVE / 2.0) && d32.covers(f32::MAX));
        assert!(!d32.covers(f32::INFINITY) && !d32.covers(f32::NAN));
        let above_one = ConstDivisor::new(1.5f32).expect("in range");
        assert!(!above_one.covers(1e-30) && above_one.covers(1e-28));
        // Markstein's method in f32 arithmetic covers 2^±89 (and zero), whatever `b`.
        for b in [0.1f32, 1.5] {
            let d = ConstDivisor::new(b).expect("in range");
            for x in [2f32.powi(-89), 2f32.powi(89), 0.0, -0.0, -1.0] {
                assert!(d.fused_covers(x), "{x:e} / {b}");
            }
            for x in [
                2f32.powi(-90),
                2f32.powi(90),
                f32::INFINITY,
                f32::NAN,
                1e-40,
            ] {
                assert!(!d.fused_covers(x), "{x:e} / {b}");
            }
        }
        assert!(ConstDivisor::new(0.1f64).is_some_and(|d| d.fused_covers(1e-200)));
    }

    #[test]
    fn subnormal_f32_values_are_divided_to_the_same_bits_by_a_divisor_up_to_one() {
        // Adam's first corrections, and the hard mantissas scaled into (1/2, 1].
        let all = divisors();
        let below_one = all[..10]
            .iter()
            .chain(&all[80..90])
            .map(|&b| b / 2f64.powi(b.log2().ceil() as i32));
        // Every subnormal for the first corrections; every 97th for the others (subnormal
        // arithmetic is slow on x86: all of them for all divisors took 30 s).
        for (i, b) in below_one.map(|b| b as f32).enumerate() {
            let d = ConstDivisor::new(b).expect("in range");
            for bits in (1..0x0080_0000u32).step_by(if i < 2 { 1 } else { 97 }) {
                let a = f32::from_bits(bits);
                for a in [a, -a] {
                    assert!(d.covers(a));
                    let (want, got) = (a / b, d.quotient(a));
                    assert!(
                        want.to_bits() == got.to_bits(),
                        "{a:e} / {b:e}: {got:e}, division gives {want:e}"
                    );
                }
            }
        }
    }

    #[test]
    fn random_f32_values_over_the_covered_range_are_divided_to_the_same_bits() {
        // Every binade from 2^-96 to the largest, so also quotients that overflow (f32::MAX
        // / 0.1 is infinite both ways) and the smallest normal ones (2^-96 / 2^30).
        let mut rng = NumpyRng::new(6);
        let mut checked = 0;
        for b in divisors()
            .into_iter()
            .chain([2f64.powi(30), 2f64.powi(-30)])
        {
            let b = b as f32;
            let d = ConstDivisor::new(b).expect("in range");
            for e in -96..=127 {
                for _ in 0..50 {
                    let a = ((1.0 + rng.next_double()) as f32) * 2f32.powi(e);
                    for a in [a, -a, f32::MAX, 2f32.powi(-96)] {
                        assert!(d.covers(a), "{a:e}");
                        let (want, got) = (a / b, d.quotient(a));
                        assert!(
                            want.to_bits() == got.to_bits(),
                            "{a:e} / {b:e}: {got:e}, division gives {want:e}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, (divisors().len() + 2) * 224 * 50 * 4);
    }
}
