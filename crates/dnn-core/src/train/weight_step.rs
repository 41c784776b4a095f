//! The weight update fused with the weight gradient: `dW[l] = (1/k) dZ[l] A[l-1]ᵀ (+ (λ/k) W[l])`
//! is computed a block of `W` at a time into a small buffer that stays in cache, and the
//! optimiser's step is applied to that block at once, the blocks shared out over the GEMM's
//! team of threads. So `dW` never exists whole: on a layer of 3 million weights that saves
//! writing and reading it back once per batch, and the optimiser's pass runs on every core.
//! The numbers are those of the unfused form: each `dW` element is the same product, summed in
//! the same order (see `gemm`), and the step is the same function ([`crate::optim::step`]).

use std::sync::atomic::{AtomicBool, Ordering};

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, ShapeBuilder};

use crate::gemm;
use crate::optim::{step, Moments, Optimizer};
use crate::{regularization, Float};

/// Rows of `W` per block (a multiple of the GEMM's tile heights).
const ROWS: usize = 24;
/// Columns of `W` per block: `ROWS x COLS` gradients stay in L2.
const COLS: usize = 1024;
/// Work (multiply-adds of `dW`) below which one thread does the whole layer.
const PARALLEL_WORK: usize = 1 << 20;

/// One gradient buffer of `ROWS x COLS` per member of the team, allocated once per run.
pub(super) struct Scratch<F: Float>(Vec<Array2<F>>);

impl<F: Float> Scratch<F> {
    /// Buffers for the widest layer of `sizes` (`[n0, n1, ...]`).
    pub(super) fn new(sizes: &[usize]) -> Self {
        let cols = sizes[..sizes.len() - 1]
            .iter()
            .copied()
            .max()
            .unwrap_or(1)
            .min(COLS);
        let rows = sizes[1..].iter().copied().max().unwrap_or(1).min(ROWS);
        Scratch(
            (0..gemm::threads())
                .map(|_| Array2::zeros((rows, cols)))
                .collect(),
        )
    }
}

/// A mutable matrix shared by the team: each member writes only its own blocks.
#[derive(Clone, Copy)]
struct Shared<F> {
    ptr: *mut F,
    rows: usize,
    cols: usize,
    row_stride: isize,
    col_stride: isize,
}

// SAFETY: members write disjoint blocks, and the matrix outlives the team's job.
unsafe impl<F> Send for Shared<F> {}
unsafe impl<F> Sync for Shared<F> {}

impl<F> Shared<F> {
    fn of(a: &mut ArrayViewMut2<'_, F>) -> Self {
        Shared {
            ptr: a.as_mut_ptr(),
            rows: a.nrows(),
            cols: a.ncols(),
            row_stride: a.strides()[0],
            col_stride: a.strides()[1],
        }
    }

    /// The block `rows x cols` at `(r0, c0)`, or an empty view when the matrix is empty (an
    /// average the optimiser does not keep).
    ///
    /// # Safety
    /// No other live view may overlap the block.
    unsafe fn block<'a>(
        &self,
        r0: usize,
        c0: usize,
        rows: usize,
        cols: usize,
    ) -> ArrayViewMut2<'a, F> {
        if self.rows == 0 || self.cols == 0 {
            return ArrayViewMut2::from_shape_ptr((0, 0), self.ptr);
        }
        let origin = self
            .ptr
            .offset(r0 as isize * self.row_stride + c0 as isize * self.col_stride);
        ArrayViewMut2::from_shape_ptr(
            (rows, cols).strides((self.row_stride as usize, self.col_stride as usize)),
            origin,
        )
    }
}

/// Writes `W_new = W - update(dW)` with `dW = scale dZ A_prevᵀ (+ (λ/k) W)`, block by block
/// over the team; returns whether every new weight is finite.
///
/// `dz` is `(n_out, k)`, `a_prev` `(n_in, k)`, `w` and `w_new` `(n_out, n_in)`.
#[allow(clippy::too_many_arguments)]
pub(super) fn fused_weight_step<F: Float>(
    scratch: &mut Scratch<F>,
    optimizer: &Optimizer,
    t: u64,
    lr: f64,
    moments: &mut Moments<F>,
    w: ArrayView2<'_, F>,
    dz: ArrayView2<'_, F>,
    a_prev: ArrayView2<'_, F>,
    scale: F,
    l2: f64,
    w_new: &mut Array2<F>,
) -> bool {
    let (n_out, n_in) = w.dim();
    let k = dz.ncols();
    let (rows, cols) = scratch.0[0].dim();
    let (row_blocks, col_blocks) = (n_out.div_ceil(rows), n_in.div_ceil(cols));
    let blocks = row_blocks * col_blocks;
    let finite = AtomicBool::new(true);
    let (mut v, mut s) = moments.averages_mut();
    let (v, s) = (Shared::of(&mut v), Shared::of(&mut s));
    let new = Shared::of(&mut w_new.view_mut());
    let scratch_ptrs = ScratchPtrs::of(&mut scratch.0);
    let job = |member: usize, block: usize| {
        // SAFETY: member `m` alone uses scratch buffer `m`.
        let buffer = unsafe { scratch_ptrs.get(member) };
        let (r0, c0) = ((block / col_blocks) * rows, (block % col_blocks) * cols);
        let (h, wd) = (rows.min(n_out - r0), cols.min(n_in - c0));
        // SAFETY: the buffer is this member's; the blocks of v, s and W_new are this
        // block's, which no other chunk touches.
        let (mut grad, new_block, v_block, s_block) = unsafe {
            (
                buffer.block(0, 0, h, wd),
                new.block(r0, c0, h, wd),
                v.block(r0, c0, h, wd),
                s.block(r0, c0, h, wd),
            )
        };
        let w_block = w.slice(s![r0..r0 + h, c0..c0 + wd]);
        gemm::matmul_serial(
            scale,
            &dz.slice(s![r0..r0 + h, ..]),
            &a_prev.slice(s![c0..c0 + wd, ..]).t(),
            F::zero(),
            &mut grad,
        );
        if l2 != 0.0 {
            regularization::add_l2_gradient(grad.view_mut(), w_block, l2, k);
        }
        let ok = step(
            optimizer,
            t,
            lr,
            w_block,
            grad.view(),
            new_block,
            v_block,
            s_block,
        );
        if !ok {
            finite.store(false, Ordering::Relaxed);
        }
    };
    if n_out * n_in * k < PARALLEL_WORK {
        for block in 0..blocks {
            job(0, block);
        }
    } else {
        gemm::on_team(blocks, &job);
    }
    finite.load(Ordering::Relaxed)
}

/// The members' gradient buffers, shared with the team (each member takes its own).
struct ScratchPtrs<F> {
    first: *mut Array2<F>,
    len: usize,
}

// SAFETY: member `m` only ever touches buffer `m`.
unsafe impl<F> Send for ScratchPtrs<F> {}
unsafe impl<F> Sync for ScratchPtrs<F> {}

impl<F> ScratchPtrs<F> {
    fn of(buffers: &mut [Array2<F>]) -> Self {
        ScratchPtrs {
            first: buffers.as_mut_ptr(),
            len: buffers.len(),
        }
    }

    /// Buffer `member` as a shared matrix.
    ///
    /// # Safety
    /// Only one member may use a given buffer.
    unsafe fn get(&self, member: usize) -> Shared<F> {
        assert!(member < self.len);
        Shared::of(&mut (*self.first.add(member)).view_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemm::matmul;
    use crate::NumpyRng;

    /// The unfused update: the whole `dW` by one product, L2, then one optimiser step.
    #[allow(clippy::too_many_arguments)]
    fn unfused(
        optimizer: &Optimizer,
        moments: &mut Moments<f64>,
        w: &Array2<f64>,
        dz: &Array2<f64>,
        a_prev: &Array2<f64>,
        l2: f64,
        t: u64,
    ) -> (Array2<f64>, bool) {
        let k = dz.ncols();
        let mut dw = Array2::zeros(w.dim());
        matmul(
            1.0 / k as f64,
            &dz.view(),
            &a_prev.t(),
            0.0,
            &mut dw.view_mut(),
        );
        if l2 != 0.0 {
            regularization::add_l2_gradient(dw.view_mut(), w.view(), l2, k);
        }
        let mut new = Array2::zeros(w.dim());
        let ok = moments.step(optimizer, t, 0.01, w.view(), dw.view(), &mut new);
        (new, ok)
    }

    #[test]
    fn the_fused_update_gives_the_unfused_bits_split_over_threads_or_not() {
        let mut rng = NumpyRng::new(4);
        // 50 x 2100 with k = 70: several row and column blocks, partial ones, and enough
        // work to split over the team; 7 x 30: one partial block, one thread.
        for (n_out, n_in, k) in [(50, 2100, 70), (7, 30, 5)] {
            let w = rng.randn(n_out, n_in);
            let dz = rng.randn(n_out, k);
            let a_prev = rng.randn(n_in, k);
            for optimizer in [
                Optimizer::GradientDescent,
                Optimizer::Momentum { beta: 0.9 },
                Optimizer::ADAM,
            ] {
                for l2 in [0.0, 0.7] {
                    let mut m_fused = Moments::new(&optimizer, w.dim());
                    let mut m_plain = Moments::new(&optimizer, w.dim());
                    let mut scratch = Scratch::<f64>::new(&[n_in, n_out, 1]);
                    for t in 1..=3 {
                        let mut fused = Array2::zeros(w.dim());
                        let ok = fused_weight_step(
                            &mut scratch,
                            &optimizer,
                            t,
                            0.01,
                            &mut m_fused,
                            w.view(),
                            dz.view(),
                            a_prev.view(),
                            1.0 / k as f64,
                            l2,
                            &mut fused,
                        );
                        let (plain, plain_ok) =
                            unfused(&optimizer, &mut m_plain, &w, &dz, &a_prev, l2, t);
                        assert!(ok && plain_ok);
                        assert!(
                            fused == plain,
                            "{n_out}x{n_in} {optimizer:?} l2 {l2} t {t}: largest difference {}",
                            (&fused - &plain)
                                .mapv(f64::abs)
                                .fold(0.0_f64, |a, &b| a.max(b))
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_non_finite_new_weight_is_reported_from_any_block() {
        let mut rng = NumpyRng::new(5);
        let (n_out, n_in, k) = (50, 2100, 70);
        let mut w = rng.randn(n_out, n_in);
        // In the last block, which the team's last member computes.
        w[[n_out - 1, n_in - 1]] = f64::INFINITY;
        let (dz, a_prev) = (rng.randn(n_out, k), rng.randn(n_in, k));
        let mut moments = Moments::new(&Optimizer::GradientDescent, w.dim());
        let mut new = Array2::zeros(w.dim());
        let ok = fused_weight_step(
            &mut Scratch::new(&[n_in, n_out, 1]),
            &Optimizer::GradientDescent,
            1,
            0.01,
            &mut moments,
            w.view(),
            dz.view(),
            a_prev.view(),
            1.0 / k as f64,
            0.0,
            &mut new,
        );
        assert!(!ok);
    }
}
