//! `f32` products, quotients and square roots computed in `f64`, to the same bits, so that a
//! subnormal operand or result costs nothing extra.
//!
//! On x86 a multiplication, division or square root with a subnormal operand or result takes a
//! microcode assist: on the Xeon (Sapphire Rapids class) this was written on, a 16-lane `f32`
//! multiply took about 60 ns that way, against 3 ns in the same loop with normal operands
//! (additions, and conversions between `f32` and `f64`, take none). Adam's first average for
//! a dead unit (a gradient of exactly 0) decays by `β1` every update until it is subnormal,
//! and then stays there: `RN(0.9 k 2^-149) = k 2^-149` for `k <= 4`. In an `f32` run of the
//! mnist-shaped bench that made the update phase 40 % slower; treating subnormals as zero
//! (the CPU's flush modes) would change the numbers. Every `f32` subnormal is a normal
//! `f64`, so:
//!
//! - **a product** `RN32(RN64(a b))` is `RN32(a b)`: the product of two 24-bit significands
//!   has at most 48 bits, so the `f64` product is exact and rounded once, to the subnormals
//!   too (the conversion rounds to the `f32` grid there).
//! - **a quotient** `RN32(RN64(a / b))` is `RN32(a / b)`. With `a = A 2^ea`, `b = B 2^eb`
//!   (`A`, `B` integers below `2^24`) and a midpoint `m = M 2^(e-1)` of the `f32` grid around
//!   `a/b` (`M` odd, `2^e` the grid's spacing, `2^-149` for subnormals): if `a/b = m`, it has a
//!   25-bit odd significand, exact in `f64`. Otherwise `a - b m` is a nonzero multiple of
//!   `2^min(ea, eb + e - 1)`, and `|a/b - m| = |a - b m| / b` is more than `2^-49 |a/b|`
//!   whichever term is the smaller, normal or subnormal; the `f64` quotient is within
//!   `2^-53 |a/b|`, so no midpoint lies between the two and both round to the same `f32`.
//!   Overflow agrees too: its threshold `(2^25 - 1) 2^103` is such a midpoint.
//! - **a square root** `RN32(RN64(sqrt(a)))` is `RN32(sqrt(a))`: double rounding is innocuous
//!   for the square root when the wider format has at least `2p + 2` bits (`53 >= 50`;
//!   S. A. Figueroa, "When is double rounding innocuous?", SIGNUM Newsl. 30(3), 1995), and
//!   the root of a subnormal `f32` is a normal one.
//!
//! NaNs and infinities follow the same IEEE rules in both types. For `f64` these functions
//! are the plain operations. The tests compare with the `f32` operation: every subnormal
//! times Adam's and momentum's β (a sample times other factors and over divisors), every
//! third mantissa of a binade over hard divisors, every `f32` in `[1, 4)` and every other
//! subnormal through the root, and random operands at every scale.

use crate::Float;

/// The operations, with a `1.0` the compiler cannot see through. LLVM knows that
/// `(a as f64 * b as f64) as f32` is `a * b` (and the same of quotients and roots), and
/// would turn the `f64` operations back into `f32` ones, assists and all; multiplying one
/// operand by an opaque `1.0` (exact) keeps them in `f64`.
#[derive(Clone, Copy)]
pub(crate) struct Wide {
    one: f64,
}

impl Wide {
    /// The operations, for a loop (make one per call, outside the loop: the opaque `1.0`
    /// is a load).
    #[inline(always)]
    pub(crate) fn new() -> Self {
        Wide {
            one: std::hint::black_box(1.0),
        }
    }

    /// `a` in `f64`, behind the opaque `1.0`.
    #[inline(always)]
    fn widen<F: Float>(self, a: F) -> f64 {
        a.to_f64_lossless() * self.one
    }

    /// `RN(a b)`, through `f64` for `f32`.
    #[inline(always)]
    pub(crate) fn mul<F: Float>(self, a: F, b: F) -> F {
        if is_f32::<F>() {
            F::of(self.widen(a) * b.to_f64_lossless())
        } else {
            a * b
        }
    }

    /// `RN(a / b)`, through `f64` for `f32`.
    #[inline(always)]
    pub(crate) fn div<F: Float>(self, a: F, b: F) -> F {
        if is_f32::<F>() {
            F::of(self.widen(a) / b.to_f64_lossless())
        } else {
            a / b
        }
    }

    /// `RN(sqrt(a))`, through `f64` for `f32`.
    #[inline(always)]
    pub(crate) fn sqrt<F: Float>(self, a: F) -> F {
        if is_f32::<F>() {
            F::of(self.widen(a).sqrt())
        } else {
            a.sqrt()
        }
    }
}

/// `RN(a b)`: through `f64` with `wide`, directly without (the one formula for both routes).
#[inline(always)]
pub(crate) fn mul<F: Float>(wide: Option<Wide>, a: F, b: F) -> F {
    match wide {
        Some(w) => w.mul(a, b),
        None => a * b,
    }
}

/// `RN(a / b)`, as [`mul`].
#[inline(always)]
pub(crate) fn div<F: Float>(wide: Option<Wide>, a: F, b: F) -> F {
    match wide {
        Some(w) => w.div(a, b),
        None => a / b,
    }
}

/// `RN(sqrt(a))`, as [`mul`].
#[inline(always)]
pub(crate) fn sqrt<F: Float>(wide: Option<Wide>, a: F) -> F {
    match wide {
        Some(w) => w.sqrt(a),
        None => a.sqrt(),
    }
}

/// Whether `F` is `f32` (the only 4-byte [`Float`]).
#[inline(always)]
pub(crate) fn is_f32<F: Float>() -> bool {
    std::mem::size_of::<F>() == 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NumpyRng;

    fn mul<F: Float>(a: F, b: F) -> F {
        Wide::new().mul(a, b)
    }

    fn div<F: Float>(a: F, b: F) -> F {
        Wide::new().div(a, b)
    }

    fn sqrt<F: Float>(a: F) -> F {
        Wide::new().sqrt(a)
    }

    /// Asserts that `got` and `want` are the same `f32` (any NaN matching any NaN).
    fn same(got: f32, want: f32, what: impl Fn() -> String) {
        assert!(
            got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
            "{}: {got:e} ({:#x}), the f32 operation gives {want:e} ({:#x})",
            what(),
            got.to_bits(),
            want.to_bits()
        );
    }

    /// Every subnormal, positive and negative, and the smallest normals.
    fn subnormals() -> impl Iterator<Item = f32> {
        (1..0x0080_0000u32 + 16)
            .map(f32::from_bits)
            .flat_map(|a| [a, -a])
    }

    /// Adam's and momentum's factors in f32, and factors that put products and quotients of
    /// subnormals at every scale.
    const FACTORS: [f32; 9] = [0.9, 0.1, 0.999, 1e-3, 1e-4, 1.5, 3.0, 0.7, 1e-8];

    #[test]
    fn products_with_subnormals_and_into_them_are_the_f32_products() {
        // Every subnormal for Adam's and momentum's β, every 7th for the others (an f32
        // multiplication of a subnormal is slow on x86: all of them took 10 s).
        for (i, b) in FACTORS.into_iter().enumerate() {
            for a in subnormals().step_by(if i < 2 { 1 } else { 7 }) {
                same(mul(a, b), a * b, || format!("{a:e} x {b:e}"));
            }
        }
        // Normal factors whose products are subnormal, underflow to zero or overflow.
        let mut rng = NumpyRng::new(21);
        for _ in 0..200_000 {
            let a =
                ((1.0 + rng.next_double()) * 2f64.powf(-75.0 + 20.0 * rng.next_double())) as f32;
            let b =
                ((1.0 + rng.next_double()) * 2f64.powf(-75.0 + 20.0 * rng.next_double())) as f32;
            let big = f32::MAX * (rng.next_double() as f32);
            for (a, b) in [
                (a, b),
                (-a, b),
                (big, 1.0 + b * 1e30),
                (0.0, b),
                (f32::NAN, b),
            ] {
                same(mul(a, b), a * b, || format!("{a:e} x {b:e}"));
            }
        }
    }

    #[test]
    fn quotients_are_the_f32_quotients_normal_subnormal_or_overflowing() {
        // Every mantissa of one binade of `a` over divisors that are hard cases for rounding
        // (a normal quotient scales exactly with `a` and `b`).
        let mut divisors = vec![3.0f32, 7.0, 1.1, 1.999_999_9, 1.000_000_1, 1.5];
        let mut rng = NumpyRng::new(22);
        divisors.extend((0..4).map(|_| (1.0 + rng.next_double()) as f32));
        for &b in &divisors {
            for bits in (0x3f80_0000u32..0x4000_0000).step_by(3) {
                let a = f32::from_bits(bits);
                same(div(a, b), a / b, || format!("{a:e} / {b:e}"));
            }
        }
        // Quotients below the normal range: every subnormal over divisors above and below
        // one, and normal numbers over large divisors.
        for b in divisors.iter().chain(&FACTORS) {
            for a in subnormals().step_by(11) {
                same(div(a, *b), a / b, || format!("{a:e} / {b:e}"));
            }
        }
        for _ in 0..300_000 {
            let a =
                ((1.0 + rng.next_double()) * 2f64.powf(-126.0 + 60.0 * rng.next_double())) as f32;
            let b = ((1.0 + rng.next_double()) * 2f64.powf(0.0 + 60.0 * rng.next_double())) as f32;
            for (a, b) in [(a, b), (-a, b), (1.0 / a, 1.0 / b), (0.0, b), (a, 0.0)] {
                same(div(a, b), a / b, || format!("{a:e} / {b:e}"));
            }
        }
    }

    #[test]
    fn square_roots_are_the_f32_roots_for_every_mantissa_and_subnormal() {
        // [1, 4): every mantissa at an even and an odd exponent (the root scales exactly by
        // powers of 4).
        for bits in 0x3f80_0000u32..0x4080_0000 {
            let a = f32::from_bits(bits);
            same(sqrt(a), a.sqrt(), || format!("sqrt {a:e}"));
        }
        for a in subnormals().step_by(2) {
            same(sqrt(a), a.sqrt(), || format!("sqrt {a:e}"));
        }
        for a in [0.0f32, -0.0, f32::INFINITY, f32::MAX, -1.0, f32::NAN] {
            same(sqrt(a), a.sqrt(), || format!("sqrt {a:e}"));
        }
    }

    #[test]
    fn f64_operations_are_the_plain_ones() {
        let (a, b) = (0.1f64, 3.0f64);
        assert_eq!(mul(a, b).to_bits(), (a * b).to_bits());
        assert_eq!(div(a, b).to_bits(), (a / b).to_bits());
        assert_eq!(sqrt(a).to_bits(), a.sqrt().to_bits());
    }
}
