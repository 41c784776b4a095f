//! The engine's fused, allocation-free kernels (BLAS GEMM plus one pass over memory).

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis, Zip};

use crate::activation::Activation;
use crate::Float;

/// `out = g(W A_prev + b)`: one GEMM into `out`, then bias and activation fused in
/// one pass (the textbook form makes three passes and two temporaries).
pub(crate) fn linear_activation<F: Float>(
    w: &Array2<F>,
    b: &Array2<F>,
    a_prev: ArrayView2<'_, F>,
    activation: Activation,
    mut out: ArrayViewMut2<'_, F>,
) {
    general_mat_mul(F::one(), w, &a_prev, F::zero(), &mut out);
    bias_activation_in_place(out, b, activation);
}

/// `z[i, j] = g(z[i, j] + b[i])` in place, row by row (rows are contiguous).
pub(crate) fn bias_activation_in_place<F: Float>(
    mut z: ArrayViewMut2<'_, F>,
    b: &Array2<F>,
    activation: Activation,
) {
    for (mut row, &bias) in z.axis_iter_mut(Axis(0)).zip(b.column(0)) {
        row.mapv_inplace(|v| activation.apply(v + bias));
    }
}

/// `z[i, j] += b[i]` in place.
pub(crate) fn add_bias_in_place<F: Float>(mut z: ArrayViewMut2<'_, F>, b: &Array2<F>) {
    for (mut row, &bias) in z.axis_iter_mut(Axis(0)).zip(b.column(0)) {
        row.mapv_inplace(|v| v + bias);
    }
}

/// `dz = dA * g'(z)` in place, from the activation's output `a = g(z)`.
pub(crate) fn activation_backward_in_place<F: Float>(
    dz: ArrayViewMut2<'_, F>,
    a: ArrayView2<'_, F>,
    activation: Activation,
) {
    Zip::from(dz)
        .and(a)
        .for_each(|d, &a| *d = activation.backward_from_output(*d, a));
}

/// `db[i] = scale * Σ_j dz[i, j]`.
pub(crate) fn scaled_row_sums<F: Float>(
    dz: ArrayView2<'_, F>,
    scale: F,
    mut db: ArrayViewMut1<'_, F>,
) {
    for (row, out) in dz.axis_iter(Axis(0)).zip(db.iter_mut()) {
        *out = scale * row.sum();
    }
}

/// `new = old + step * d` in `f64`, out of place; returns whether every new value is finite.
pub(crate) fn accumulate<F: Float>(
    old: ArrayView2<'_, f64>,
    d: ArrayView2<'_, F>,
    step: f64,
    new: &mut Array2<f64>,
) -> bool {
    let mut finite = true;
    Zip::from(new).and(old).and(d).for_each(|n, &o, &d| {
        *n = o + step * d.to_f64_lossless();
        finite &= n.is_finite();
    });
    finite
}
