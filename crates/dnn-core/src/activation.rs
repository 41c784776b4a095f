//! Activation functions and their derivatives: the elementwise kernels that the
//! step-by-step functions and the training engine share.
//!
//! Every derivative is written in terms of the activation's *output* `a = g(z)`
//! (relu: `a > 0`, sigmoid: `a (1 - a)`, tanh: `1 - a²`), which is what lets the
//! engine keep only `A[l]` per layer and never store `Z[l]`.
//!
//! Softmax, `a_c = exp(z_c) / Σ_k exp(z_k)` over a column, is the multi-class output layer.
//! The engine never differentiates it on its own: paired with the categorical cross-entropy,
//! the output layer's gradient is simply `dZ[L] = AL - Y` (as for sigmoid with the binary
//! cross-entropy), so neither output activation needs a backward kernel there. Softmax is
//! not elementwise, so its forward pass (for the engine and the step functions alike) is
//! the column kernel [`softmax_columns`], and the step functions, which are handed `dA` as
//! the exercise's are, apply its Jacobian column by column ([`softmax_backward_columns`]):
//! `dZ = A ⊙ (dA - Σ_c dA_c A_c)`, which for the cross-entropy's `dA = -Y / A` is `A - Y`.
//!
//! Identity, `a = z`, is the regression output layer. Paired with half the mean squared
//! error `J = (1/2m) Σ (AL - Y)²` its gradient is `dZ[L] = AL - Y` too, so the engine's
//! backward pass is the same for all three outputs.

use crate::Float;

/// The non-linearity applied after a layer's linear step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `max(0, z)`; derivative 1 where `z > 0`, else 0.
    Relu,
    /// `1 / (1 + exp(-z))`; derivative `s (1 - s)`.
    Sigmoid,
    /// `tanh(z)`; derivative `1 - tanh(z)²`.
    Tanh,
    /// `exp(z_c) / Σ_k exp(z_k)` over each column: the multi-class output layer, paired with
    /// the categorical cross-entropy (so `dZ[L] = AL - Y`). Output layer only: it normalises
    /// a whole column, so the elementwise [`Activation::apply`] and
    /// [`Activation::backward_from_output`] do not describe it: the engine and the step
    /// functions ([`crate::steps::softmax`], [`crate::steps::softmax_backward`]) work on whole
    /// columns.
    Softmax,
    /// `z` unchanged; derivative 1: the regression output layer, paired with half the mean
    /// squared error (so `dZ[L] = AL - Y`, as for the two classifying outputs).
    Identity,
}

impl Activation {
    /// Every activation, in the order [`Activation::name_list`] names them.
    pub const ALL: [Activation; 5] = [
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Softmax,
        Activation::Identity,
    ];

    /// The names [`Activation::from_name`] reads, for messages: `relu, tanh, sigmoid,
    /// softmax or identity`.
    ///
    /// ```
    /// assert_eq!(dnn_core::Activation::name_list(), "relu, tanh, sigmoid, softmax or identity");
    /// ```
    pub fn name_list() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|a| a.name()).collect();
        let (last, rest) = names.split_last().expect("activations");
        format!("{} or {last}", rest.join(", "))
    }

    /// The lower-case name used in model files, reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Softmax => "softmax",
            Activation::Identity => "identity",
        }
    }

    /// Parses [`Activation::name`] back (`"relu"`, `"sigmoid"`, `"tanh"`, `"softmax"`,
    /// `"identity"`); names
    /// are lower case, as model files and the command line write them.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "relu" => Some(Activation::Relu),
            "sigmoid" => Some(Activation::Sigmoid),
            "tanh" => Some(Activation::Tanh),
            "softmax" => Some(Activation::Softmax),
            "identity" => Some(Activation::Identity),
            _ => None,
        }
    }

    /// Whether this activation may be an output layer's (sigmoid, softmax or identity).
    pub fn is_output(self) -> bool {
        matches!(
            self,
            Activation::Sigmoid | Activation::Softmax | Activation::Identity
        )
    }

    /// Whether this activation may be a hidden layer's (relu, tanh or sigmoid): softmax
    /// normalises a whole column and identity would make two layers one linear map.
    pub fn is_hidden(self) -> bool {
        matches!(
            self,
            Activation::Relu | Activation::Tanh | Activation::Sigmoid
        )
    }

    /// Whether an output layer with this activation gives class probabilities (sigmoid,
    /// softmax) rather than values (identity, regression).
    ///
    /// ```
    /// use dnn_core::Activation;
    /// assert!(Activation::Softmax.classifies());
    /// assert!(!Activation::Identity.classifies());
    /// ```
    pub fn classifies(self) -> bool {
        matches!(self, Activation::Sigmoid | Activation::Softmax)
    }

    /// The exercise's network, `[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID`: the activation
    /// of layer `l` (from 1) of `num_layers`. The one place that rule is written.
    ///
    /// ```
    /// use dnn_core::Activation;
    /// let stack: Vec<_> = (1..=3).map(|l| Activation::exercise(l, 3)).collect();
    /// assert_eq!(stack, [Activation::Relu, Activation::Relu, Activation::Sigmoid]);
    /// ```
    pub fn exercise(l: usize, num_layers: usize) -> Activation {
        if l == num_layers {
            Activation::Sigmoid
        } else {
            Activation::Relu
        }
    }

    /// `g(z)` for one element. (For [`Activation::Softmax`], which needs the whole column,
    /// this is the numerator `exp(z)`; the engine normalises whole columns.)
    ///
    /// ```
    /// use dnn_core::Activation;
    /// assert_eq!(Activation::Relu.apply(-2.0_f64), 0.0);
    /// assert_eq!(Activation::Sigmoid.apply(0.0_f64), 0.5);
    /// assert_eq!(Activation::Identity.apply(-2.5_f64), -2.5);
    /// ```
    #[inline]
    pub fn apply<F: Float>(self, z: F) -> F {
        match self {
            // Written as numpy's `np.maximum(0, z)`: a NaN stays NaN.
            Activation::Relu => {
                if z < F::zero() {
                    F::zero()
                } else {
                    z
                }
            }
            Activation::Sigmoid => sigmoid(z),
            Activation::Tanh => z.tanh(),
            Activation::Softmax => z.exp(),
            Activation::Identity => z,
        }
    }

    /// `dA * g'(z)` for one element, given the activation's output `a = g(z)`.
    ///
    /// The order of operations is the exercise's (`dA * s * (1 - s)`,
    /// `dA * (1 - A²)`), so results agree with numpy to the last bit where the
    /// inputs do. (For [`Activation::Softmax`], whose derivative couples a whole column, this
    /// is `dA` unchanged and not its derivative: [`crate::steps::softmax_backward`] is.)
    #[inline]
    pub fn backward_from_output<F: Float>(self, da: F, a: F) -> F {
        match self {
            Activation::Relu => {
                if a > F::zero() {
                    da
                } else {
                    F::zero()
                }
            }
            Activation::Sigmoid => da * a * (F::one() - a),
            Activation::Tanh => da * (F::one() - a * a),
            // Only ever an output layer, whose dZ is AL - Y: the engine never calls it for
            // softmax, and the step functions use `softmax_backward_columns`.
            Activation::Softmax => da,
            Activation::Identity => da,
        }
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The logistic function `1 / (1 + exp(-z))`, as the exercise computes it.
#[inline]
fn sigmoid<F: Float>(z: F) -> F {
    F::one() / (F::one() + (-z).exp())
}

/// Softmax of every column of `z`, written to `a`: `exp(z - max) / Σ exp(z - max)` (shifting
/// by the column's maximum changes nothing mathematically and keeps `exp` from overflowing).
///
/// A row-major `z` (a network's outputs, one row per class) is walked a strip of
/// [`SOFTMAX_STRIP`] columns at a time, row by row, so each pass reads memory in order: one
/// column at a time would step a whole row's length per value (a 256-class model's outputs
/// over 12,000 examples: 96 KB). Each column's arithmetic is the same either way, to the
/// bit: its maximum is the same whatever the order, and its sum adds the rows in order.
pub(crate) fn softmax_columns<F: Float>(
    z: ndarray::ArrayView2<'_, F>,
    mut a: ndarray::ArrayViewMut2<'_, F>,
) {
    let rows_contiguous = z.ncols() > 1 && z.strides()[1] == 1 && a.strides()[1] == 1;
    if !rows_contiguous {
        for (zc, mut ac) in z.columns().into_iter().zip(a.columns_mut()) {
            let max = zc.iter().fold(F::neg_infinity(), |m, &v| m.max(v));
            let mut sum = F::zero();
            for (o, &v) in ac.iter_mut().zip(zc) {
                *o = (v - max).exp();
                sum = sum + *o;
            }
            ac.mapv_inplace(|v| v / sum);
        }
        return;
    }
    let mut start = 0;
    while start < z.ncols() {
        let end = (start + SOFTMAX_STRIP).min(z.ncols());
        let (z, mut a) = (
            z.slice(ndarray::s![.., start..end]),
            a.slice_mut(ndarray::s![.., start..end]),
        );
        let mut max = [F::neg_infinity(); SOFTMAX_STRIP];
        let mut sum = [F::zero(); SOFTMAX_STRIP];
        let width = end - start;
        for zr in z.rows() {
            for (m, &v) in max[..width].iter_mut().zip(zr) {
                *m = m.max(v);
            }
        }
        for (zr, mut ar) in z.rows().into_iter().zip(a.rows_mut()) {
            for (((o, &v), &m), s) in ar.iter_mut().zip(zr).zip(&max[..width]).zip(&mut sum) {
                *o = (v - m).exp();
                *s = *s + *o;
            }
        }
        for mut ar in a.rows_mut() {
            for (o, &s) in ar.iter_mut().zip(&sum[..width]) {
                *o = *o / s;
            }
        }
        start = end;
    }
}

/// Columns that [`softmax_columns`] takes at a time in a row-major matrix: a strip of 256
/// classes by 64 columns is 128 KB of `f64`, in a core's L2 cache for its three passes.
const SOFTMAX_STRIP: usize = 64;

/// The softmax's backward step for every column of `a = softmax(z)`: given `dA = ∂J/∂A`,
/// `dZ = A ⊙ (dA - Σ_c dA_c A_c)` (the softmax's Jacobian `diag(A) - A Aᵀ` applied to each
/// column of `dA`). With the categorical cross-entropy's `dA = -Y / A` and one-hot (or
/// probability) columns of `Y`, this is `A - Y`, the engine's `dZ[L]`.
pub(crate) fn softmax_backward_columns<F: Float>(
    da: ndarray::ArrayView2<'_, F>,
    a: ndarray::ArrayView2<'_, F>,
) -> ndarray::Array2<F> {
    let mut dz = ndarray::Array2::zeros(a.raw_dim());
    for ((dac, ac), mut dzc) in da
        .columns()
        .into_iter()
        .zip(a.columns())
        .zip(dz.columns_mut())
    {
        let dot = dac
            .iter()
            .zip(ac)
            .fold(F::zero(), |sum, (&d, &a)| sum + d * a);
        for ((o, &d), &a) in dzc.iter_mut().zip(dac).zip(ac) {
            *o = a * (d - dot);
        }
    }
    dz
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, ShapeBuilder};

    /// One column at a time, as [`softmax_columns`] computes a column: the reference for
    /// its strips.
    fn column_by_column(z: &Array2<f64>) -> Array2<f64> {
        let mut a = Array2::zeros(z.raw_dim());
        for (zc, mut ac) in z.columns().into_iter().zip(a.columns_mut()) {
            let max = zc.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            let mut sum = 0.0;
            for (o, &v) in ac.iter_mut().zip(zc) {
                *o = (v - max).exp();
                sum += *o;
            }
            ac.mapv_inplace(|v| v / sum);
        }
        a
    }

    #[test]
    fn softmax_by_strips_is_softmax_column_by_column_to_the_bit() {
        // 300 classes (rows) by 150 examples: two whole strips and a ragged one; values
        // spread over ±40 so that the maximum's shift matters.
        let z = crate::NumpyRng::new(3)
            .rand(300, 150)
            .mapv(|u| 40.0 * (2.0 * u - 1.0));
        let expected = column_by_column(&z);
        let mut a = Array2::zeros(z.raw_dim());
        softmax_columns(z.view(), a.view_mut());
        assert!(a
            .iter()
            .zip(&expected)
            .all(|(x, y)| x.to_bits() == y.to_bits()));
        // Column-major (each column contiguous): column by column, the same bits.
        let mut zf = Array2::zeros((300, 150).f());
        zf.assign(&z);
        let mut af = Array2::zeros((300, 150).f());
        softmax_columns(zf.view(), af.view_mut());
        assert!(af
            .iter()
            .zip(&expected)
            .all(|(x, y)| x.to_bits() == y.to_bits()));
        // Each column sums to 1.
        for c in a.columns() {
            assert!((c.sum() - 1.0).abs() < 1e-12);
        }
    }
}
