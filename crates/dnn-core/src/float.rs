//! The one numeric bound the engine is generic over.

use std::fmt::{Debug, Display};
use std::iter::Sum;

use ndarray::{LinalgScalar, ScalarOperand};
use num_traits::{Float as NumFloat, FromPrimitive, ToPrimitive};

/// A floating-point element type the training engine can run in: `f32` or `f64`.
///
/// The engine's matrix products run on dnn-core's own GEMM for both (AVX-512, AVX2 or
/// portable kernels, chosen at run time: [`crate::diagnostics::gemm_info`]), not on BLAS;
/// OpenBLAS serves only the `f64` step-by-step functions of [`crate::steps`]. Initial
/// weights are always drawn in `f64` and then rounded, so an `f32` network
/// starts from the same point as the same network in `f64`.
///
/// The trait is sealed: `f32` and `f64` are its only implementations, since the engine's
/// GEMM has kernels for those two alone (and so that methods can be added to it later
/// without breaking anyone).
///
/// ```
/// use dnn_core::Float;
/// fn half<F: Float>(x: F) -> F { x * F::from_f64(0.5).unwrap() }
/// assert_eq!(half(3.0_f32), 1.5);
/// ```
pub trait Float:
    sealed::Sealed
    + NumFloat
    + LinalgScalar
    + ScalarOperand
    + FromPrimitive
    + ToPrimitive
    + Sum
    + Debug
    + Display
    + Send
    + Sync
    + Default
    + 'static
{
    /// The type's name as it appears in model files and reports (`"f32"` or `"f64"`).
    const NAME: &'static str;

    /// Converts from `f64`, rounding to nearest for `f32`.
    fn of(x: f64) -> Self;

    /// Widens to `f64` (exact for both types).
    fn to_f64_lossless(self) -> f64;
}

/// The private supertrait that seals [`Float`]: no other crate can name it, so no other
/// crate can implement [`Float`].
mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

impl Float for f32 {
    const NAME: &'static str = "f32";
    #[inline]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn to_f64_lossless(self) -> f64 {
        f64::from(self)
    }
}

impl Float for f64 {
    const NAME: &'static str = "f64";
    #[inline]
    fn of(x: f64) -> Self {
        x
    }
    #[inline]
    fn to_f64_lossless(self) -> f64 {
        self
    }
}

/// No other type can implement [`Float`], even one that has every trait it names: `Mine`
/// below does, and compiles once `sealed::Sealed` is taken off `Float`'s bounds.
///
/// ```compile_fail,E0277
/// use num_traits::{Num, ToPrimitive};
///
/// #[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
/// struct Mine(f64);
///
/// impl std::fmt::Display for Mine {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         self.0.fmt(f)
///     }
/// }
/// macro_rules! ops {
///     ($($tr:ident $m:ident),*) => {$(
///         impl std::ops::$tr for Mine {
///             type Output = Mine;
///             fn $m(self, o: Mine) -> Mine { Mine(std::ops::$tr::$m(self.0, o.0)) }
///         }
///     )*};
/// }
/// ops!(Add add, Sub sub, Mul mul, Div div, Rem rem);
/// impl std::ops::Neg for Mine {
///     type Output = Mine;
///     fn neg(self) -> Mine { Mine(-self.0) }
/// }
/// impl std::iter::Sum for Mine {
///     fn sum<I: Iterator<Item = Mine>>(it: I) -> Mine { Mine(it.map(|m| m.0).sum()) }
/// }
/// impl num_traits::Zero for Mine {
///     fn zero() -> Self { Mine(0.0) }
///     fn is_zero(&self) -> bool { self.0 == 0.0 }
/// }
/// impl num_traits::One for Mine {
///     fn one() -> Self { Mine(1.0) }
/// }
/// impl Num for Mine {
///     type FromStrRadixErr = <f64 as Num>::FromStrRadixErr;
///     fn from_str_radix(s: &str, r: u32) -> Result<Self, Self::FromStrRadixErr> {
///         f64::from_str_radix(s, r).map(Mine)
///     }
/// }
/// impl ToPrimitive for Mine {
///     fn to_i64(&self) -> Option<i64> { self.0.to_i64() }
///     fn to_u64(&self) -> Option<u64> { self.0.to_u64() }
///     fn to_f64(&self) -> Option<f64> { Some(self.0) }
/// }
/// impl num_traits::FromPrimitive for Mine {
///     fn from_i64(n: i64) -> Option<Self> { Some(Mine(n as f64)) }
///     fn from_u64(n: u64) -> Option<Self> { Some(Mine(n as f64)) }
///     fn from_f64(n: f64) -> Option<Self> { Some(Mine(n)) }
/// }
/// impl num_traits::NumCast for Mine {
///     fn from<T: ToPrimitive>(n: T) -> Option<Self> { n.to_f64().map(Mine) }
/// }
/// impl ndarray::ScalarOperand for Mine {}
/// macro_rules! constants {
///     ($($m:ident)*) => {$( fn $m() -> Self { Mine(<f64 as num_traits::Float>::$m()) } )*};
/// }
/// macro_rules! tests {
///     ($($m:ident)*) => {$( fn $m(self) -> bool { self.0.$m() } )*};
/// }
/// macro_rules! unary {
///     ($($m:ident)*) => {$( fn $m(self) -> Self { Mine(num_traits::Float::$m(self.0)) } )*};
/// }
/// macro_rules! binary {
///     ($($m:ident)*) => {$( fn $m(self, o: Self) -> Self { Mine(num_traits::Float::$m(self.0, o.0)) } )*};
/// }
/// impl num_traits::Float for Mine {
///     constants!(nan infinity neg_infinity neg_zero min_value min_positive_value max_value);
///     tests!(is_nan is_infinite is_finite is_normal is_sign_positive is_sign_negative);
///     unary!(floor ceil round trunc fract abs signum recip sqrt exp exp2 ln log2 log10 cbrt
///            sin cos tan asin acos atan exp_m1 ln_1p sinh cosh tanh asinh acosh atanh);
///     binary!(powf log max min abs_sub hypot atan2);
///     fn classify(self) -> std::num::FpCategory { self.0.classify() }
///     fn mul_add(self, a: Self, b: Self) -> Self { Mine(self.0.mul_add(a.0, b.0)) }
///     fn powi(self, n: i32) -> Self { Mine(self.0.powi(n)) }
///     fn sin_cos(self) -> (Self, Self) { let (s, c) = self.0.sin_cos(); (Mine(s), Mine(c)) }
///     fn integer_decode(self) -> (u64, i16, i8) { num_traits::Float::integer_decode(self.0) }
/// }
///
/// impl dnn_core::Float for Mine {
///     const NAME: &'static str = "mine";
///     fn of(x: f64) -> Self { Mine(x) }
///     fn to_f64_lossless(self) -> f64 { self.0 }
/// }
/// ```
#[cfg(doctest)]
struct SealedDoctest;
