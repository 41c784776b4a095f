//! The one numeric bound the engine is generic over.

use std::fmt::{Debug, Display};
use std::iter::Sum;

use ndarray::{LinalgScalar, ScalarOperand};
use num_traits::{Float as NumFloat, FromPrimitive, ToPrimitive};

/// A floating-point element type the training engine can run in: `f32` or `f64`.
///
/// Matrix products go through BLAS (`sgemm` / `dgemm`) for both. Initial
/// weights are always drawn in `f64` and then rounded, so an `f32` network
/// starts from the same point as the same network in `f64`.
///
/// ```
/// use dnn_core::Float;
/// fn half<F: Float>(x: F) -> F { x * F::from_f64(0.5).unwrap() }
/// assert_eq!(half(3.0_f32), 1.5);
/// ```
pub trait Float:
    NumFloat
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
