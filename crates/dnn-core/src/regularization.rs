//! Regularisation: the L2 penalty and inverted dropout, as the course's "Regularization"
//! assignment writes them.
//!
//! **L2.** With `λ ≥ 0` and `m` examples (the batch's, with mini-batches):
//!
//! ```text
//! J_L2 = J + (1/m) (λ/2) Σ_l ‖W[l]‖²        dW[l] += (λ/m) W[l]
//! ```
//!
//! **Inverted dropout** on hidden layer `l`, keeping each unit with probability `p`:
//!
//! ```text
//! D[l] = rand(n[l], m) < p        A[l] = A[l] D[l] / p        dA[l] = dA[l] D[l] / p
//! ```
//!
//! Dividing by `p` keeps the expected activation unchanged, so prediction uses the network
//! as it is, without masks. The masks are drawn from a [`NumpyRng`] in numpy's order (row by
//! row, layer by layer), so a seeded run draws exactly the course's masks.
//!
//! The training engine calls these kernels on its preallocated buffers; every formula is
//! written in the order the course's numpy code evaluates it, so results agree to the last bit.
//!
//! # Panics
//! The L2 functions panic for `m = 0` (the penalty is scaled by `1/m`, undefined with no
//! examples), and every function that takes two or three matrices panics, naming their
//! shapes, when they differ in shape.

use ndarray::{ArrayView2, ArrayViewMut2, Zip};

use crate::{Float, NumpyRng};

/// The L2 term of the cost, `(1/m) (λ/2) Σ_l ‖W[l]‖²`, summed in `f64`.
///
/// ```
/// use dnn_core::regularization::l2_cost_term;
/// use ndarray::array;
/// let (w1, w2) = (array![[1.0_f64, -2.0]], array![[3.0_f64]]);
/// // (1/2) (0.7/2) (1 + 4 + 9)
/// assert!((l2_cost_term([w1.view(), w2.view()], 0.7, 2) - 2.45).abs() < 1e-15);
/// ```
///
/// # Panics
/// If `m` is 0.
pub fn l2_cost_term<'a, F: Float>(
    weights: impl IntoIterator<Item = ArrayView2<'a, F>>,
    lambda: f64,
    m: usize,
) -> f64 {
    assert_examples("l2_cost_term", m);
    l2_cost_of_squares(weights.into_iter().map(sum_of_squares), lambda, m)
}

/// `‖w‖²`, summed in `f64` (the squares of [`l2_cost_term`]).
pub(crate) fn sum_of_squares<F: Float>(w: ArrayView2<'_, F>) -> f64 {
    w.iter()
        .map(|&v| v.to_f64_lossless() * v.to_f64_lossless())
        .sum::<f64>()
}

/// `(1/m) (λ/2) Σ_l squares[l]`, from each layer's `‖W[l]‖²` ([`l2_cost_term`]'s sum, for
/// the Gram form, which has `‖W[1]‖²` without `W[1]`).
pub(crate) fn l2_cost_of_squares(squares: impl Iterator<Item = f64>, lambda: f64, m: usize) -> f64 {
    let squares: f64 = squares.sum();
    (1.0 / m as f64) * (lambda / 2.0) * squares
}

/// `dW += (λ W) / m` in place (the course's `+ (lambd * W) / m`, in that order).
///
/// ```
/// use dnn_core::regularization::add_l2_gradient;
/// use ndarray::array;
/// let mut dw = array![[0.5_f64, 0.0]];
/// add_l2_gradient(dw.view_mut(), array![[1.0, -2.0]].view(), 0.1, 4);
/// assert_eq!(dw, array![[0.5 + 0.1 / 4.0, -0.2 / 4.0]]);
/// ```
///
/// # Panics
/// If `dW` and `W` differ in shape, or `m` is 0.
pub fn add_l2_gradient<F: Float>(
    dw: ArrayViewMut2<'_, F>,
    w: ArrayView2<'_, F>,
    lambda: f64,
    m: usize,
) {
    assert_same_shape("add_l2_gradient", ("dW", dw.dim()), ("W", w.dim()));
    assert_examples("add_l2_gradient", m);
    let (lambda, m) = (F::of(lambda), F::of(m as f64));
    Zip::from(dw)
        .and(w)
        .for_each(|d, &w| *d = *d + (lambda * w) / m);
}

/// Draws a dropout mask `D = rand(rows, cols) < keep_prob` (1 or 0) into `mask`, row by row
/// as numpy's `np.random.rand(rows, cols)` fills it.
///
/// ```
/// use dnn_core::{regularization::dropout_mask, NumpyRng};
/// let mut mask = ndarray::Array2::<f64>::zeros((1, 3));
/// dropout_mask(mask.view_mut(), 0.5, &mut NumpyRng::new(1));
/// // np.random.seed(1); np.random.rand(1, 3) = [[0.417, 0.720, 0.000114]]
/// assert_eq!(mask, ndarray::array![[1.0, 0.0, 1.0]]);
/// ```
pub fn dropout_mask<F: Float>(mut mask: ArrayViewMut2<'_, F>, keep_prob: f64, rng: &mut NumpyRng) {
    for mut row in mask.rows_mut() {
        for d in row.iter_mut() {
            *d = if rng.next_double() < keep_prob {
                F::one()
            } else {
                F::zero()
            };
        }
    }
}

/// `out = A D / keep_prob`: the dropped-out activations the next layer reads.
///
/// ```
/// use dnn_core::regularization::dropout_forward;
/// use ndarray::{array, Array2};
/// let mut out = Array2::zeros((1, 3));
/// dropout_forward(out.view_mut(), array![[0.2_f64, 0.4, 0.6]].view(), array![[1.0, 0.0, 1.0]].view(), 0.5);
/// assert_eq!(out, array![[0.4, 0.0, 1.2]]);
/// ```
///
/// # Panics
/// If `out`, `A` and `D` are not all of one shape.
pub fn dropout_forward<F: Float>(
    out: ArrayViewMut2<'_, F>,
    a: ArrayView2<'_, F>,
    mask: ArrayView2<'_, F>,
    keep_prob: f64,
) {
    assert_same_shape("dropout_forward", ("A", a.dim()), ("D", mask.dim()));
    assert_same_shape("dropout_forward", ("out", out.dim()), ("A", a.dim()));
    let keep = F::of(keep_prob);
    Zip::from(out)
        .and(a)
        .and(mask)
        .for_each(|o, &a, &d| *o = a * d / keep);
}

/// `dA = dA D / keep_prob` in place: only the units that were kept pass gradient back.
///
/// ```
/// use dnn_core::regularization::dropout_backward;
/// use ndarray::array;
/// let mut da = array![[1.0_f64, 1.0, -2.0]];
/// dropout_backward(da.view_mut(), array![[1.0, 0.0, 1.0]].view(), 0.5);
/// assert_eq!(da, array![[2.0, 0.0, -4.0]]);
/// ```
///
/// # Panics
/// If `dA` and `D` differ in shape.
pub fn dropout_backward<F: Float>(
    da: ArrayViewMut2<'_, F>,
    mask: ArrayView2<'_, F>,
    keep_prob: f64,
) {
    assert_same_shape("dropout_backward", ("dA", da.dim()), ("D", mask.dim()));
    let keep = F::of(keep_prob);
    Zip::from(da)
        .and(mask)
        .for_each(|d, &mask| *d = *d * mask / keep);
}

/// Panics, naming `function` and both shapes, if `a` and `b` differ in shape.
fn assert_same_shape(
    function: &str,
    (a_name, a): (&str, (usize, usize)),
    (b_name, b): (&str, (usize, usize)),
) {
    assert!(
        a == b,
        "regularization::{function}: {a_name} has shape {a:?} but {b_name} has shape {b:?}: \
         they must have the same shape"
    );
}

/// Panics, naming `function`, if `m` is 0.
fn assert_examples(function: &str, m: usize) {
    assert!(
        m > 0,
        "regularization::{function}: m is 0: the L2 term is scaled by 1/m, the number of \
         examples (of the batch), so it needs at least one"
    );
}
