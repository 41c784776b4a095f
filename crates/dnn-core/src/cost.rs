//! The costs: the cross-entropy, in the exercise's form and in the engine's stable form, and
//! the squared error of regression.
//!
//! Each cost takes the output layer's values and the labels `Y` as `(n[L], m)` matrices, one
//! column per example, and averages over the `m` examples.
//!
//! # Panics
//! Every cost panics, naming both shapes, if its two matrices differ in shape, and if they
//! have no columns (`m = 0`: a mean over no examples is undefined).
//! [`crate::Network`] checks its inputs first and never calls them so.

use ndarray::{ArrayView1, ArrayView2, Zip};

use crate::{ClassWeights, Float};

/// `J = -(1/m) Σ (Y log(AL) + (1 - Y) log(1 - AL))` from probabilities, as the exercise writes it.
///
/// Saturated outputs (`AL` exactly 0 or 1 where the label disagrees) give an
/// infinite or NaN cost, exactly as numpy does; the engine uses
/// [`cross_entropy_from_logits`] instead.
///
/// ```
/// use ndarray::array;
/// use dnn_core::cost::cross_entropy_from_probs;
/// let al = array![[0.8_f64, 0.4]];
/// let y = array![[1.0_f64, 0.0]];
/// // -(ln 0.8 + ln 0.6) / 2
/// let j = cross_entropy_from_probs(al.view(), y.view());
/// assert!((j - 0.366_984_587_540_100_2).abs() < 1e-15);
/// ```
///
/// # Panics
/// If `AL` and `Y` differ in shape, or have no columns.
pub fn cross_entropy_from_probs<F: Float>(al: ArrayView2<'_, F>, y: ArrayView2<'_, F>) -> f64 {
    let m = examples("cross_entropy_from_probs", ("AL", al), ("Y", y));
    let mut sum = 0.0_f64;
    Zip::from(al).and(y).for_each(|&a, &y| {
        let (a, y) = (a.to_f64_lossless(), y.to_f64_lossless());
        sum += y * a.ln() + (1.0 - y) * (1.0 - a).ln();
    });
    -sum / m
}

/// The same cost computed from the output layer's logits `Z[L]` (before the sigmoid):
/// per element `max(z, 0) - z y + ln(1 + exp(-|z|))`.
///
/// Mathematically equal to [`cross_entropy_from_probs`] of `sigmoid(Z)`, and equal
/// to it numerically to about 1e-15 wherever that is finite; where the sigmoid
/// saturates it stays large and finite instead of becoming infinite or NaN.
///
/// ```
/// use ndarray::array;
/// use dnn_core::cost::{cross_entropy_from_logits, cross_entropy_from_probs};
/// let z = array![[0.3_f64, -1.2, 2.0]];
/// let y = array![[1.0_f64, 0.0, 0.0]];
/// let a = z.mapv(|v| 1.0 / (1.0 + (-v).exp()));
/// let (stable, textbook) = (cross_entropy_from_logits(z.view(), y.view()),
///                           cross_entropy_from_probs(a.view(), y.view()));
/// assert!((stable - textbook).abs() < 1e-15);
/// // Saturated: the textbook form overflows to infinity, the stable one does not.
/// let z = array![[800.0_f64]];
/// let y = array![[0.0_f64]];
/// assert_eq!(cross_entropy_from_logits(z.view(), y.view()), 800.0);
/// ```
///
/// # Panics
/// If `Z` and `Y` differ in shape, or have no columns.
pub fn cross_entropy_from_logits<F: Float>(z: ArrayView2<'_, F>, y: ArrayView2<'_, F>) -> f64 {
    let m = examples("cross_entropy_from_logits", ("Z", z), ("Y", y));
    let mut sum = 0.0_f64;
    Zip::from(z)
        .and(y)
        .for_each(|&z, &y| sum += logistic_term(z, y));
    sum / m
}

/// One output's cross-entropy from its logit `z` and label `y`, stably:
/// `max(z, 0) - z y + ln(1 + exp(-|z|))`.
fn logistic_term<F: Float>(z: F, y: F) -> f64 {
    let (z, y) = (z.to_f64_lossless(), y.to_f64_lossless());
    z.max(0.0) - z * y + (-z.abs()).exp().ln_1p()
}

/// The categorical cross-entropy `J = -(1/m) Σ_j Σ_c Y[c, j] log softmax(Z)[c, j]` from the
/// output logits (one row per class, one column per example, `Y` one-hot), computed as
/// `Σ_c Y (logsumexp(z) - z)` per column so that no probability is ever rounded to 0.
///
/// ```
/// use ndarray::array;
/// use dnn_core::cost::categorical_cross_entropy_from_logits;
/// let z = array![[2.0_f64], [0.0], [-1.0]];
/// let y = array![[1.0_f64], [0.0], [0.0]];
/// let p0 = 2f64.exp() / (2f64.exp() + 1.0 + (-1f64).exp());
/// assert!((categorical_cross_entropy_from_logits(z.view(), y.view()) + p0.ln()).abs() < 1e-15);
/// ```
///
/// # Panics
/// If `Z` and `Y` differ in shape (a `Y` of other classes or examples is never truncated),
/// or have no columns.
pub fn categorical_cross_entropy_from_logits<F: Float>(
    z: ArrayView2<'_, F>,
    y: ArrayView2<'_, F>,
) -> f64 {
    let m = examples("categorical_cross_entropy_from_logits", ("Z", z), ("Y", y));
    let mut sum = 0.0_f64;
    for (zc, yc) in z.columns().into_iter().zip(y.columns()) {
        sum += softmax_term(zc, yc);
    }
    sum / m
}

/// One example's categorical cross-entropy from its logits `z` and label column `y`:
/// `Σ_c y_c (logsumexp(z) - z_c)`.
fn softmax_term<F: Float>(z: ArrayView1<'_, F>, y: ArrayView1<'_, F>) -> f64 {
    let max = z
        .iter()
        .fold(f64::NEG_INFINITY, |a, &v| a.max(v.to_f64_lossless()));
    let lse = max
        + z.iter()
            .map(|&v| (v.to_f64_lossless() - max).exp())
            .sum::<f64>()
            .ln();
    z.iter()
        .zip(y)
        .map(|(&z, &y)| y.to_f64_lossless() * (lse - z.to_f64_lossless()))
        .sum::<f64>()
}

/// Half the mean squared error, `J = (1/2m) Σ_j Σ_k (AL[k, j] - Y[k, j])²`, for an identity
/// (regression) output, whose `AL` is its logits `Z[L]`: summed over the outputs of each
/// example and averaged over the `m` examples, so that `dJ/dZ[L] = (AL - Y) / m` exactly as
/// for the two cross-entropies. (For one output it is scikit-learn's `squared_error` loss of
/// `MLPRegressor`, `mean((y - p)²) / 2`.)
///
/// ```
/// use ndarray::array;
/// use dnn_core::cost::half_squared_error;
/// let al = array![[1.5_f64, -2.0, 0.0]];
/// let y = array![[1.0_f64, -1.0, 0.0]];
/// // ((0.5)² + (-1)² + 0²) / (2 · 3) = 1.25 / 6
/// assert!((half_squared_error(al.view(), y.view()) - 1.25 / 6.0).abs() < 1e-16);
/// ```
///
/// # Panics
/// If `AL` and `Y` differ in shape, or have no columns.
pub fn half_squared_error<F: Float>(al: ArrayView2<'_, F>, y: ArrayView2<'_, F>) -> f64 {
    let m = examples("half_squared_error", ("AL", al), ("Y", y));
    let mut sum = 0.0_f64;
    Zip::from(al).and(y).for_each(|&a, &y| {
        let d = a.to_f64_lossless() - y.to_f64_lossless();
        sum += d * d;
    });
    sum / (2.0 * m)
}

/// The cost of an output layer with activation `output` from its logits: binary
/// cross-entropy for sigmoid, categorical cross-entropy for softmax, half the mean squared
/// error for identity (regression).
///
/// # Panics
/// As those three: if `Z` and `Y` differ in shape, or have no columns.
pub fn from_logits<F: Float>(
    output: crate::Activation,
    z: ArrayView2<'_, F>,
    y: ArrayView2<'_, F>,
) -> f64 {
    match output {
        crate::Activation::Softmax => categorical_cross_entropy_from_logits(z, y),
        crate::Activation::Identity => half_squared_error(z, y),
        _ => cross_entropy_from_logits(z, y),
    }
}

/// [`from_logits`]'s cross-entropy with each example weighted by its class
/// ([`ClassWeights`]): `J = (1/m) Σ_j w_j L_j`, `L_j` the example's binary (sigmoid) or
/// categorical (softmax) cross-entropy and `w_j = Σ_c Y[c, j] w_c` its weight. With every
/// weight 1 it is the plain cost (summed column by column).
///
/// ```
/// use ndarray::array;
/// use dnn_core::{cost, Activation, ClassWeights};
/// let z = array![[0.3_f64, -1.2, 2.0]];
/// let y = array![[1.0_f64, 0.0, 0.0]];
/// // Class 1 counts 3 times, class 0 once: (3 L_0 + L_1 + L_2) / 3.
/// let w = ClassWeights::new(vec![1.0, 3.0])?;
/// let l = |z: f64, y: f64| -(y * (1.0 / (1.0 + (-z).exp())).ln()
///                            + (1.0 - y) * (1.0 - 1.0 / (1.0 + (-z).exp())).ln());
/// let expected = (3.0 * l(0.3, 1.0) + l(-1.2, 0.0) + l(2.0, 0.0)) / 3.0;
/// let weighted = cost::weighted_from_logits(Activation::Sigmoid, z.view(), y.view(), &w);
/// assert!((weighted - expected).abs() < 1e-15);
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
///
/// # Panics
/// As [`from_logits`]; and for weights that do not fit the output
/// ([`ClassWeights::check_output`]: a regression's identity output has no classes, several
/// sigmoid outputs are not one class each, and there is one weight per class).
pub fn weighted_from_logits<F: Float>(
    output: crate::Activation,
    z: ArrayView2<'_, F>,
    y: ArrayView2<'_, F>,
    weights: &ClassWeights,
) -> f64 {
    let m = examples("weighted_from_logits", ("Z", z), ("Y", y));
    if let Err(e) = weights.check_output(output, z.nrows()) {
        panic!("cost::weighted_from_logits: {e}");
    }
    let mut sum = 0.0_f64;
    for (zc, yc) in z.columns().into_iter().zip(y.columns()) {
        let loss = match output {
            crate::Activation::Softmax => softmax_term(zc, yc),
            _ => zc.iter().zip(yc).map(|(&z, &y)| logistic_term(z, y)).sum(),
        };
        sum += weights.of_example(yc) * loss;
    }
    sum / m
}

/// `m`, the number of examples (columns) of a cost's two matrices, as an `f64`, after
/// checking that they have the same shape and at least one column.
///
/// # Panics
/// Naming `function` and both shapes, if they differ or have no columns.
fn examples<F: Float>(
    function: &str,
    (a_name, a): (&str, ArrayView2<'_, F>),
    (b_name, b): (&str, ArrayView2<'_, F>),
) -> f64 {
    assert!(
        a.dim() == b.dim(),
        "cost::{function}: {a_name} has shape {:?} but {b_name} has shape {:?}: they must have \
         the same shape (one row per output, one column per example)",
        a.dim(),
        b.dim()
    );
    assert!(
        a.ncols() > 0,
        "cost::{function}: {a_name} and {b_name} have shape {:?}, no examples (columns): the \
         cost is a mean over the examples and there are none",
        a.dim()
    );
    a.ncols() as f64
}

/// A cost as the training log prints it: six decimals, or scientific notation from a million
/// on, so that a diverged run's cost of 1e300 is not 300 digits.
///
/// ```
/// use dnn_core::cost::shown;
/// assert_eq!(shown(2f64.ln()), "0.693147");
/// assert_eq!(shown(56.1234567), "56.123457");
/// assert_eq!(shown(1.2345678e300), "1.234568e300");
/// assert_eq!(shown(f64::INFINITY), "inf");
/// ```
pub fn shown(cost: f64) -> String {
    if cost.abs() >= 1e6 && cost.is_finite() {
        format!("{cost:.6e}")
    } else {
        format!("{cost:.6}")
    }
}
