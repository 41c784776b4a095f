//! The first layer in Gram form: the fast path for plain full-batch gradient descent with
//! more features than examples (see [`Gram`]).

use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};

use crate::Float;

/// The first layer in "Gram form": gradient descent on `W1` with a fixed input `X` keeps
/// `W1(t) = W1(0) - C(t) Xᵀ` with `C(t) = (α/m) Σ_{s<t} dZ1(s)` (`(n[1], m)`), so
/// `W1(t) X = W1(0) X - C(t) (XᵀX)`. With the Gram matrix `G = XᵀX` (`(m, m)`) and
/// `P0 = W1(0) X` computed once, an iteration costs one `(n[1], m) · (m, m)` product
/// instead of the two `(n[1], n[0]) · (n[0], m)` products against `X`; `W1` itself
/// is formed once, when training ends. Same math, different rounding.
///
/// The Gram state is small and kept in `f64` whatever `F` is: in `f32`, `G`'s sums over
/// `n[0]` products and `C`'s sum over iterations would otherwise lose enough digits to
/// change where training ends up.
pub(super) struct Gram {
    /// `G = XᵀX`, `(m, m)`.
    pub(super) g: Array2<f64>,
    /// `P0 = W1(0) X`, `(n[1], m)`.
    p0: Array2<f64>,
    /// `C(t)`, `(n[1], m)`.
    pub(super) c: Array2<f64>,
    /// The other half of `C`'s double buffer: the update writes `C(t+1)` here, then swaps.
    pub(super) c_spare: Array2<f64>,
    /// `W1 X` for the current iteration, `(n[1], m)`.
    z: Array2<f64>,
}

/// Rows of `X` converted to `f64` at a time while forming `G`, `P0` and the final `W1`.
const GRAM_BLOCK: usize = 256;

impl Gram {
    /// `G` and `P0` from `x` and `w = W1(0)`, a block of rows of `x` at a time.
    pub(super) fn new<F: Float, X: Float>(w: &Array2<F>, x: ArrayView2<'_, X>) -> Self {
        let (n0, m) = x.dim();
        let n1 = w.nrows();
        let mut g = Array2::zeros((m, m));
        let mut p0 = Array2::zeros((n1, m));
        let mut xb = Array2::zeros((GRAM_BLOCK.min(n0), m));
        let mut wb = Array2::zeros((n1, GRAM_BLOCK.min(n0)));
        for start in (0..n0).step_by(GRAM_BLOCK) {
            let end = (start + GRAM_BLOCK).min(n0);
            let mut xv = xb.slice_mut(s![..end - start, ..]);
            xv.zip_mut_with(&x.slice(s![start..end, ..]), |d, &v| {
                *d = v.to_f64_lossless()
            });
            let mut wv = wb.slice_mut(s![.., ..end - start]);
            wv.zip_mut_with(&w.slice(s![.., start..end]), |d, &v| {
                *d = v.to_f64_lossless()
            });
            general_mat_mul(1.0, &xv.t(), &xv, 1.0, &mut g);
            general_mat_mul(1.0, &wv, &xv, 1.0, &mut p0);
        }
        Gram {
            g,
            c: Array2::zeros(p0.dim()),
            c_spare: Array2::zeros(p0.dim()),
            z: Array2::zeros(p0.dim()),
            p0,
        }
    }

    /// `z = W1 X = P0 - C G`, rounded to `F`.
    pub(super) fn linear<F: Float>(&mut self, mut out: ArrayViewMut2<'_, F>) {
        self.z.assign(&self.p0);
        general_mat_mul(-1.0, &self.c, &self.g, 1.0, &mut self.z);
        out.zip_mut_with(&self.z, |o, &v| *o = F::of(v));
    }

    /// `w = W1(0) - C Xᵀ` in place (`w` holds `W1(0)`), a block of rows of `x` at a time.
    pub(super) fn finish<F: Float, X: Float>(&self, w: &mut Array2<F>, x: ArrayView2<'_, X>) {
        let (n0, m) = x.dim();
        let mut xb = Array2::zeros((GRAM_BLOCK.min(n0), m));
        let mut wb = Array2::zeros((w.nrows(), GRAM_BLOCK.min(n0)));
        for start in (0..n0).step_by(GRAM_BLOCK) {
            let end = (start + GRAM_BLOCK).min(n0);
            let mut xv = xb.slice_mut(s![..end - start, ..]);
            xv.zip_mut_with(&x.slice(s![start..end, ..]), |d, &v| {
                *d = v.to_f64_lossless()
            });
            let mut wv = wb.slice_mut(s![.., ..end - start]);
            let mut w_block = w.slice_mut(s![.., start..end]);
            wv.zip_mut_with(&w_block, |d, &v| *d = v.to_f64_lossless());
            general_mat_mul(-1.0, &self.c, &xv.t(), 1.0, &mut wv);
            w_block.zip_mut_with(&wv, |d, &v| *d = F::of(v));
        }
    }
}

/// FLOPs of the largest matrix product of one iteration (layer 1's is `C G` in Gram form).
pub(super) fn largest_gemm(sizes: &[usize], m: usize, gram: bool) -> f64 {
    sizes
        .windows(2)
        .enumerate()
        .map(|(i, p)| {
            let inner = if i == 0 && gram { m } else { p[0] };
            2.0 * (p[1] * inner * m) as f64
        })
        .fold(0.0, f64::max)
}

/// Whether training `sizes` on `m` examples for `iterations` is at least twice cheaper
/// with the first layer in Gram form (counting its one-off products), and `G` is no
/// larger than `X`.
pub(super) fn gram_pays(sizes: &[usize], m: usize, iterations: usize) -> bool {
    let (n0, n1, m_f, t) = (
        sizes[0] as f64,
        sizes[1] as f64,
        m as f64,
        iterations as f64,
    );
    let direct = t * 4.0 * n1 * n0 * m_f;
    let gram = t * 2.0 * n1 * m_f * m_f + 2.0 * n0 * m_f * m_f + 4.0 * n1 * n0 * m_f;
    m <= sizes[0] && 2.0 * gram < direct
}
