//! The weight update fused with the weight gradient: `dW[l] = (1/k) dZ[l] A[l-1]ᵀ (+ (λ/k) W[l])`
//! is computed a block of `W` at a time into a small buffer that stays in cache, and the
//! optimiser's step is applied to that block at once, the blocks shared out over the GEMM's
//! team of threads. So `dW` never exists whole: on a layer of 3 million weights that saves
//! writing and reading it back once per batch, and the optimiser's pass runs on every core.
//! The numbers are those of the unfused form: each `dW` element is the same product, summed in
//! the same order (see `gemm`), and the step is the same function ([`crate::optim::step`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, ShapeBuilder};

use crate::optim::{step, Moments, Optimizer};
use crate::{cache, gemm, regularization, Float};

/// Rows of `W` per block (a multiple of the GEMM's tile heights).
const ROWS: usize = 12;
/// Columns of `A[l-1]ᵀ` per strip: one packing of the GEMM's column block, whose `ROWS x
/// COLS` product stays in L2.
const COLS: usize = gemm::MAX_PACKED_WIDTH;
/// The longest run of a row of `W` (and of `v`, `s` and `W_new`) that a block takes, in
/// bytes: a block is this wide where the strips are packed once for the whole team. Rows of
/// `ROWS x COLS` blocks were runs of 4 KiB apart, which the optimiser's pass walked at about
/// half the speed of longer runs: on the cat-shaped bench (a first layer of 12288 columns)
/// whole rows of 48 KiB took its `f32` update phase 1.27 -> 0.93 s (see the commit). Since
/// the averages are kept strip by strip ([`Strips`]), such a block is stepped a strip at a
/// time: its rows of `W` in runs of one strip, its averages in runs of a whole strip's block.
const RUN_BYTES: usize = 48 << 10;
/// Batches up to this size have `A[l-1]ᵀ` packed once for all the blocks that need it.
const MAX_PACKED_DEPTH: usize = 2048;
/// The most that the team packs ahead for a layer of several strips, in bytes, on any CPU;
/// beyond what [`shared_cap`] allows (wide layers of deep batches), each member packs one
/// strip at a time for itself and blocks are one strip wide.
const MAX_SHARED_BYTES: usize = 8 << 20;
/// Work (multiply-adds of `dW`) below which one thread does the whole layer.
const PARALLEL_WORK: usize = 1 << 20;

/// What one member of the team works in: a block of gradients and a packed strip of
/// `A[l-1]ᵀ`, allocated once per run.
struct Member<F: Float> {
    grad: Array2<F>,
    packed: Vec<F>,
    /// The call of [`fused_weight_step`] and the strip that `packed` holds.
    holds: Option<(u64, usize)>,
}

/// One [`Member`] buffer set per member of the team.
pub(super) struct Scratch<F: Float> {
    members: Vec<Member<F>>,
    /// The most that the team packs ahead for a layer, in bytes ([`shared_cap`]).
    shared_cap: usize,
    /// Every strip of a layer's `A[l-1]ᵀ`, packed by the whole team for every member (where
    /// [`shares_packing`]).
    shared: Vec<Vec<F>>,
    /// Calls of [`fused_weight_step`] so far (what [`Member::holds`] refers to).
    calls: u64,
    /// The batch size of the run (only full batches time the orders).
    batch: usize,
    /// Per layer, the order its steps take where the team could pack ahead ([`OrderChoice`]).
    orders: Vec<OrderChoice>,
}

impl<F: Float> Scratch<F> {
    /// Buffers for the widest layer of `sizes` (`[n0, n1, ...]`) and batches of `batch`, packing
    /// ahead as much as this CPU's last-level cache allows ([`shared_cap`]).
    pub(super) fn new(sizes: &[usize], batch: usize) -> Self {
        Self::with_shared_cap(sizes, batch, packed_ahead_cap())
    }

    /// [`Scratch::new`], packing ahead up to `shared_cap` bytes for a layer.
    fn with_shared_cap(sizes: &[usize], batch: usize, shared_cap: usize) -> Self {
        let n_in = sizes[..sizes.len() - 1].iter().copied().max().unwrap_or(1);
        let rows = sizes[1..].iter().copied().max().unwrap_or(1).min(ROWS);
        let depth = batch.min(MAX_PACKED_DEPTH);
        let strip = gemm::packed_b_len::<F>(depth, n_in.min(COLS));
        // The strips of the widest layer whose batches the team packs ahead.
        let strips = sizes[..sizes.len() - 1]
            .iter()
            .filter(|&&n| shares_packing::<F>(depth, n, shared_cap))
            .max()
            .map_or(0, |n| n.div_ceil(COLS));
        Scratch {
            members: (0..gemm::threads())
                .map(|_| Member {
                    grad: Array2::zeros((rows, n_in.min(widest_run::<F>()))),
                    packed: Vec::with_capacity(strip),
                    holds: None,
                })
                .collect(),
            shared_cap,
            shared: (0..strips).map(|_| Vec::with_capacity(strip)).collect(),
            calls: 0,
            batch,
            orders: vec![OrderChoice::default(); sizes.len().saturating_sub(1)],
        }
    }

    /// The order that the first layer to choose one settled on, if any ([`OrderChoice`]).
    pub(super) fn step_order(&self) -> Option<StepOrder> {
        self.orders.iter().find_map(|choice| choice.decided)
    }
}

/// The order in which a layer of several strips, whose batch the team can pack ahead,
/// computes and steps its blocks of `W`. Both give the same bits (each `dW` element is the
/// same sum, each step the same function); which is faster depends on the CPU's caches, so
/// the engine times both on the layer's first full batches and keeps the faster
/// ([`TrainDiagnostics::step_order`](crate::TrainDiagnostics::step_order) says which).
///
/// On the AMD EPYC (Zen 4, 1 MiB of L2 and 32 MiB of L3 per core complex) packing ahead took
/// the cat-shaped bench's `f32` update phase from 1.27 to 0.93 s; on an Intel Xeon (Emerald
/// Rapids, 2 MiB of L2 per core, a mesh-connected L3) going strip by strip took it from
/// 0.94-1.52 to 0.79-1.12 s, and update over forward from 2.16-2.68 to 1.78-2.08 (4
/// alternating runs; see docs/performance.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOrder {
    /// The team packs every strip of `A[l-1]ᵀ` ahead, once; a member takes a row block by
    /// as many strips as a long run of each row of `W` holds (up to 48 KiB), computes its
    /// gradients, then steps it a strip at a time (as the averages are kept); every row
    /// block reads the whole packed batch from the shared cache.
    PackedAhead,
    /// A member packs one strip of `A[l-1]ᵀ` and computes and steps every row block over it:
    /// the strip stays in the core's L2, and the optimiser walks rows of `W` one strip long
    /// and each block's averages as one run.
    StripByStrip,
}

/// Calls of a layer that run before its orders are timed (first touches of its buffers).
const WARM_UP: usize = 2;
/// Timed calls of each [`StepOrder`] before the faster is kept (their median).
const TRIALS: usize = 5;

/// A layer's choice of [`StepOrder`]: after [`WARM_UP`] calls, the two orders in turn for
/// [`TRIALS`] full batches each, then the one of the lower median time for good.
#[derive(Debug, Clone, Copy, Default)]
struct OrderChoice {
    /// Full-batch calls recorded so far.
    calls: usize,
    /// Seconds of each timed call, `[PackedAhead, StripByStrip]`.
    times: [[f64; TRIALS]; 2],
    decided: Option<StepOrder>,
}

impl OrderChoice {
    /// The order that the layer's next call takes.
    fn next(&self) -> StepOrder {
        match self.decided {
            Some(order) => order,
            None if self.calls < WARM_UP || (self.calls - WARM_UP).is_multiple_of(2) => {
                StepOrder::PackedAhead
            }
            None => StepOrder::StripByStrip,
        }
    }

    /// Records a full-batch call that took `order` ([`OrderChoice::next`]'s) and `seconds`.
    fn record(&mut self, order: StepOrder, seconds: f64) {
        if self.decided.is_some() {
            return;
        }
        if let Some(i) = self.calls.checked_sub(WARM_UP) {
            self.times[order as usize][i / 2] = seconds;
        }
        self.calls += 1;
        if self.calls == WARM_UP + 2 * TRIALS {
            let [ahead, strips] = self.times.map(median);
            self.decided = Some(if ahead <= strips {
                StepOrder::PackedAhead
            } else {
                StepOrder::StripByStrip
            });
        }
    }
}

/// The median of an odd number of times.
fn median(mut times: [f64; TRIALS]) -> f64 {
    times.sort_by(f64::total_cmp);
    times[TRIALS / 2]
}

/// The columns of [`RUN_BYTES`] (a whole number of strips).
fn widest_run<F: Float>() -> usize {
    (RUN_BYTES / std::mem::size_of::<F>()).max(COLS) / COLS * COLS
}

/// The most that the team packs ahead for a layer of several strips, for a last-level cache
/// of `last_level` bytes: a quarter of it, at most [`MAX_SHARED_BYTES`] (all of that where the
/// size is unknown).
///
/// Every row block reads all the strips, so they must stay in cache between blocks while
/// `W`, `v`, `s` and `W_new` stream past. On the AMD machine (32 MiB of L3), the cat-shaped
/// bench's update phase with every strip packed ahead against each member packing its own
/// (medians of 5 alternating runs, batches made deeper to grow the strips) took, in f32,
/// 0.542 against 0.564 s for 12 MiB of strips, 0.557 against 0.531 for 18 MiB, 0.587 against
/// 0.494 for 24 MiB and 0.873 against 0.516 for 48 MiB; in f64, 1.353 against 1.439 s for
/// 9 MiB, 1.370 against 1.210 for 12 MiB and 1.501 against 1.029 for 24 MiB. Packing ahead
/// stops paying between about a third (f64) and a half (f32) of that L3; a quarter keeps to
/// the side that was measured to gain (3 and 6 MiB, the bench's own batches). Larger caches
/// are shared with more cores, so the 8 MiB measured here stays the most on any CPU.
///
/// ```text
/// shared_cap(Some(32 MiB)) = 8 MiB    shared_cap(Some(8 MiB)) = 2 MiB    shared_cap(None) = 8 MiB
/// ```
fn shared_cap(last_level: Option<usize>) -> usize {
    last_level.map_or(MAX_SHARED_BYTES, |bytes| (bytes / 4).min(MAX_SHARED_BYTES))
}

/// The most that the team packs ahead for a layer of several strips on this CPU, in bytes
/// ([`shared_cap`] of its last-level cache).
pub(crate) fn packed_ahead_cap() -> usize {
    shared_cap(cache::last_level_bytes())
}

/// Whether the team packs every strip of a layer with `n_in` inputs ahead, for batches of
/// `k`: where there are several, up to `cap` bytes.
///
/// A layer of a single strip is packed by each member for itself. Packed by the team (as it
/// was when packing a transposed batch took a tenth of the mnist-shaped bench's `f64` run),
/// it took a job of its own before the step's, and a second wait on the team per layer. With
/// each member packing mnist's 784 x 128 batch for itself, the update phase took 0.94-0.97
/// of its time in pairs of alternating processes on the Xeon with AMX (8 of 8 pairs faster
/// in `f32` and `f64`, AVX-512 and AVX2; see docs/performance.md, 2026-12-04 03:35-).
fn shares_packing<F: Float>(k: usize, n_in: usize, cap: usize) -> bool {
    k <= MAX_PACKED_DEPTH && n_in > COLS && n_in * k * std::mem::size_of::<F>() <= cap
}

/// A layer's running averages (`v` or `s`) as the weight step keeps them: strip by strip,
/// each strip of [`COLS`] columns of the `(n_out, n_in)` array stored whole, its rows one
/// after the other. A block of a strip is then one contiguous run (48 KiB for 12 rows of
/// `f32`), where in the parameters' row-major layout it is 12 runs of 4 KiB, one per row.
/// A layer of one strip keeps the row-major layout itself. Adam's step is per element, so the
/// layout changes no bit; the averages are only ever read and written here (and copied whole
/// by a checkpoint), so it holds from the first step to the last, whatever order each step
/// takes.
///
/// On the cat-shaped bench (a first layer of 12288 inputs, 12 strips) on the Emerald Rapids
/// Xeon, stepped strip by strip, in pairs of processes each first in turn: the `f32` update
/// phase 0.961-0.998 times the row-major layout's (medians of 10, 10 and 12 pairs; 21 of 32
/// faster), `f64`'s 0.98-1.00 (13 of 22). A small gain, at the host's noise; see
/// docs/performance.md.
#[derive(Clone, Copy)]
struct Strips<F> {
    ptr: *mut F,
    n_out: usize,
    n_in: usize,
}

// SAFETY: members write disjoint blocks, and the averages outlive the team's job.
unsafe impl<F> Send for Strips<F> {}
unsafe impl<F> Sync for Strips<F> {}

impl<F> Strips<F> {
    /// The averages `a`, shaped like the layer's `W` (empty where the optimiser keeps none).
    fn of(a: &mut ArrayViewMut2<'_, F>) -> Self {
        let (n_out, n_in) = a.dim();
        let ptr = a
            .as_slice_memory_order_mut()
            .expect("the averages are one contiguous array")
            .as_mut_ptr();
        Strips { ptr, n_out, n_in }
    }

    /// Rows `r0..r0 + rows` of the strip that starts at column `c0` (a multiple of
    /// [`COLS`]), or an empty view where the optimiser keeps no averages.
    ///
    /// # Safety
    /// No other live view may overlap the block.
    unsafe fn block<'a>(&self, r0: usize, c0: usize, rows: usize) -> ArrayViewMut2<'a, F> {
        if self.n_out == 0 || self.n_in == 0 {
            return ArrayViewMut2::from_shape_ptr((0, 0), self.ptr);
        }
        debug_assert!(c0.is_multiple_of(COLS) && c0 < self.n_in && r0 + rows <= self.n_out);
        // Strips before this one are all `COLS` wide.
        let width = COLS.min(self.n_in - c0);
        let origin = self.ptr.add(c0 * self.n_out + r0 * width);
        ArrayViewMut2::from_shape_ptr((rows, width), origin)
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

    /// The block `rows x cols` at `(r0, c0)`.
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
        debug_assert!(r0 + rows <= self.rows && c0 + cols <= self.cols);
        let origin = self
            .ptr
            .offset(r0 as isize * self.row_stride + c0 as isize * self.col_stride);
        ArrayViewMut2::from_shape_ptr(
            (rows, cols).strides((self.row_stride as usize, self.col_stride as usize)),
            origin,
        )
    }
}

/// The weights that a step reads and writes.
pub(super) enum Weights<'a, F: Float> {
    /// `W`, and the array that the new weights go to.
    Apart(ArrayView2<'a, F>, &'a mut Array2<F>),
    /// `W`, updated in place.
    InPlace(&'a mut Array2<F>),
}

/// Writes `W_new = W - update(dW)` with `dW = scale dZ A_prevᵀ (+ (λ/k) W)`, block by block
/// over the team, into an array of its own or over `W` ([`Weights`]: the same bits);
/// returns whether every new weight is finite.
///
/// `dz` is `(n_out, k)`, `a_prev` `(n_in, k)`, `W` `(n_out, n_in)`.
#[allow(clippy::too_many_arguments)]
pub(super) fn fused_weight_step<F: Float>(
    scratch: &mut Scratch<F>,
    layer: usize,
    optimizer: &Optimizer,
    t: u64,
    lr: f64,
    moments: &mut Moments<F>,
    weights: Weights<'_, F>,
    dz: ArrayView2<'_, F>,
    a_prev: ArrayView2<'_, F>,
    scale: F,
    l2: f64,
) -> bool {
    let (w, mut w_new) = match weights {
        Weights::Apart(w, new) => (Some(w), new.view_mut()),
        Weights::InPlace(w) => (None, w.view_mut()),
    };
    let (n_out, n_in) = w_new.dim();
    let k = dz.ncols();
    let (rows, widest) = scratch.members[0].grad.dim();
    let pack = k <= MAX_PACKED_DEPTH;
    let parallel = n_out * n_in * k >= PARALLEL_WORK;
    let wanted = if parallel { gemm::threads() } else { 1 };
    let (row_blocks, strips) = (n_out.div_ceil(rows), n_in.div_ceil(COLS));
    // A chunk is a group of row blocks by a span of columns, each block's gradients
    // computed strip by strip and then stepped:
    // - with every strip packed ahead by the team (several, up to a few MiB): one
    //   row block by as many whole strips as `RUN_BYTES` holds (its gradients computed
    //   together, then stepped strip by strip); single strips if that leaves fewer chunks
    //   than members;
    // - otherwise one strip by every row block, its member packing the strip once for them
    //   all, or single row blocks where there are fewer strips than members (a static split
    //   of a layer of 11 blocks gave one member 6 and the other 5, and left it waiting).
    // A layer of several strips that the team could pack ahead takes the faster order on
    // this CPU.
    let chooses = wanted > 1
        && shares_packing::<F>(k, n_in, scratch.shared_cap)
        && strips <= scratch.shared.len();
    let order = if chooses {
        scratch.orders[layer].next()
    } else {
        StepOrder::PackedAhead
    };
    let shared = chooses && order == StepOrder::PackedAhead;
    let started = (chooses && k == scratch.batch).then(Instant::now);
    let (span, per_group) = if shared {
        let whole = widest.min(n_in);
        let enough = row_blocks * n_in.div_ceil(whole) >= wanted;
        (if enough { whole } else { COLS }, 1)
    } else if strips >= wanted {
        (COLS, row_blocks)
    } else {
        (COLS, 1)
    };
    let (groups, spans) = (row_blocks.div_ceil(per_group), n_in.div_ceil(span));
    if shared {
        for (strip, packed) in scratch.shared.iter_mut().take(strips).enumerate() {
            let c0 = strip * COLS;
            let b = a_prev.slice(s![c0..n_in.min(c0 + COLS), ..]);
            gemm::pack_b_on_team(&b.t(), packed);
        }
    }
    let team_packed = &scratch.shared;
    scratch.calls += 1;
    let call = scratch.calls;
    let finite = AtomicBool::new(true);
    let (mut v, mut s) = moments.averages_mut();
    let (v, s) = (Strips::of(&mut v), Strips::of(&mut s));
    let new = Shared::of(&mut w_new);
    let members = ScratchPtrs::of(&mut scratch.members);
    let job = |member: usize, chunk: usize| {
        // SAFETY: member `m` alone uses buffer set `m`.
        let Member {
            grad: grad_buffer,
            packed,
            holds,
        } = unsafe { members.get(member) };
        // Row-block major: the caller, taking chunks from the front, and a worker, from the
        // back, each keep the rows they had in the forward product's 12-row chunks.
        let (group, part) = (chunk / spans, chunk % spans);
        let c0 = part * span;
        let wd = span.min(n_in - c0);
        let first_block = group * per_group;
        for r0 in (first_block * rows..n_out.min((first_block + per_group) * rows)).step_by(rows) {
            let h = rows.min(n_out - r0);
            let dz_rows = dz.slice(s![r0..r0 + h, ..]);
            for s0 in (c0..c0 + wd).step_by(COLS) {
                let sw = COLS.min(c0 + wd - s0);
                let mut grad = grad_buffer.slice_mut(s![..h, s0 - c0..s0 - c0 + sw]);
                let a_strip = a_prev.slice(s![s0..s0 + sw, ..]);
                let strip = s0 / COLS;
                if shared {
                    let packed = &team_packed[strip];
                    gemm::matmul_packed_b_serial(scale, &dz_rows, packed, sw, F::zero(), &mut grad);
                } else if pack {
                    if *holds != Some((call, strip)) {
                        gemm::pack_b(&a_strip.t(), packed);
                        *holds = Some((call, strip));
                    }
                    gemm::matmul_packed_b_serial(scale, &dz_rows, packed, sw, F::zero(), &mut grad);
                } else {
                    gemm::matmul_serial(scale, &dz_rows, &a_strip.t(), F::zero(), &mut grad);
                }
            }
            // Stepped a strip at a time, as the averages are kept ([`Strips`]).
            for s0 in (c0..c0 + wd).step_by(COLS) {
                let sw = COLS.min(c0 + wd - s0);
                let mut grad = grad_buffer.slice_mut(s![..h, s0 - c0..s0 - c0 + sw]);
                // SAFETY: the blocks of v, s and W_new are this block's, which no other
                // chunk touches.
                let (new_block, v_block, s_block) = unsafe {
                    (
                        new.block(r0, s0, h, sw),
                        v.block(r0, s0, h),
                        s.block(r0, s0, h),
                    )
                };
                let w_block = w.map(|w| w.slice_move(s![r0..r0 + h, s0..s0 + sw]));
                if l2 != 0.0 {
                    let w = w_block.unwrap_or(new_block.view());
                    regularization::add_l2_gradient(grad.view_mut(), w, l2, k);
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
            }
        }
    };
    let chunks = groups * spans;
    if parallel {
        gemm::on_team(chunks, &job);
    } else {
        for chunk in 0..chunks {
            job(0, chunk);
        }
    }
    if let Some(started) = started {
        scratch.orders[layer].record(order, started.elapsed().as_secs_f64());
    }
    finite.load(Ordering::Relaxed)
}

/// The members' buffer sets, shared with the team (each member takes its own).
struct ScratchPtrs<F: Float> {
    first: *mut Member<F>,
    len: usize,
}

// SAFETY: member `m` only ever touches buffer set `m`.
unsafe impl<F: Float> Send for ScratchPtrs<F> {}
unsafe impl<F: Float> Sync for ScratchPtrs<F> {}

impl<F: Float> ScratchPtrs<F> {
    fn of(members: &mut [Member<F>]) -> Self {
        ScratchPtrs {
            first: members.as_mut_ptr(),
            len: members.len(),
        }
    }

    /// Buffer set `member`.
    ///
    /// # Safety
    /// Only one member may use a given buffer set at a time.
    #[allow(clippy::mut_from_ref)]
    unsafe fn get(&self, member: usize) -> &mut Member<F> {
        assert!(member < self.len);
        &mut *self.first.add(member)
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
        let ok = moments.step(
            optimizer,
            t,
            0.01,
            Some(w.view()),
            dw.view(),
            new.view_mut(),
        );
        (new, ok)
    }

    #[test]
    fn the_fused_update_gives_the_unfused_bits_split_over_threads_or_not() {
        let mut rng = NumpyRng::new(4);
        // Packed ahead by the team: 50 x 2100 with k = 70, row blocks (a partial one) of
        // three strips (a partial one); 13 x 7000 with k = 12, blocks of two spans of strips
        // (a partial one); 4 x 2100 with k = 150, one row block, so one strip per block. Each
        // member packing its own strip: 60 x 900 with k = 300, a layer of one strip, packed
        // over two depth blocks; 30 x 2100 with k = 600 (a batch too large to pack ahead), a
        // strip of all the row blocks per member; 30 x 1000 with k = 1100, one strip over
        // five depth blocks. One thread: 20 x 2100 with k = 5, strips of all the row blocks;
        // 7 x 30 with k = 2100, one partial block of a batch too deep to pack.
        // The cap is the largest any CPU gets, so that each shape takes its way everywhere.
        for (n_out, n_in, k, team_packed) in [
            (50, 2100, 70, true),
            (13, 7000, 12, true),
            (4, 2100, 150, true),
            (60, 900, 300, false),
            (30, 2100, 600, false),
            (30, 1000, 1100, false),
            (20, 2100, 5, true),
            (7, 30, 2100, false),
        ] {
            assert_eq!(
                shares_packing::<f64>(k, n_in, MAX_SHARED_BYTES),
                team_packed,
                "{n_out}x{n_in}, k = {k}"
            );
            let w = rng.randn(n_out, n_in);
            let dz = rng.randn(n_out, k);
            let a_prev = rng.randn(n_in, k);
            for optimizer in [
                Optimizer::GradientDescent,
                Optimizer::Momentum { beta: 0.9 },
                Optimizer::ADAM,
            ] {
                // Each order for all three steps, and the two in turn: the averages must be
                // where each order looks for them ([`Strips`]).
                let (a, s) = (StepOrder::PackedAhead, StepOrder::StripByStrip);
                for (l2, orders) in [0.0, 0.7]
                    .into_iter()
                    .flat_map(|l2| [[a, a, a], [s, s, s], [a, s, a]].map(|orders| (l2, orders)))
                {
                    let mut m_fused = Moments::new(&optimizer, w.dim());
                    let mut m_in_place = Moments::new(&optimizer, w.dim());
                    let mut m_plain = Moments::new(&optimizer, w.dim());
                    let mut scratch =
                        Scratch::<f64>::with_shared_cap(&[n_in, n_out, 1], k, MAX_SHARED_BYTES);
                    for (t, order) in (1..=3).zip(orders) {
                        scratch.orders[0].decided = Some(order);
                        let mut fused = Array2::zeros(w.dim());
                        let ok = fused_weight_step(
                            &mut scratch,
                            0,
                            &optimizer,
                            t,
                            0.01,
                            &mut m_fused,
                            Weights::Apart(w.view(), &mut fused),
                            dz.view(),
                            a_prev.view(),
                            1.0 / k as f64,
                            l2,
                        );
                        // The same step over a copy of W, in place.
                        let mut in_place = w.clone();
                        let in_place_ok = fused_weight_step(
                            &mut scratch,
                            0,
                            &optimizer,
                            t,
                            0.01,
                            &mut m_in_place,
                            Weights::InPlace(&mut in_place),
                            dz.view(),
                            a_prev.view(),
                            1.0 / k as f64,
                            l2,
                        );
                        let (plain, plain_ok) =
                            unfused(&optimizer, &mut m_plain, &w, &dz, &a_prev, l2, t);
                        assert!(ok && in_place_ok && plain_ok);
                        let bits =
                            |a: &Array2<f64>| a.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                        assert!(
                            bits(&in_place) == bits(&plain),
                            "{n_out}x{n_in} {optimizer:?} l2 {l2} {orders:?} t {t}: in place"
                        );
                        assert!(
                            fused == plain,
                            "{n_out}x{n_in} {optimizer:?} l2 {l2} {orders:?} t {t}: largest difference {}",
                            (&fused - &plain)
                                .mapv(f64::abs)
                                .fold(0.0_f64, |a, &b| a.max(b))
                        );
                    }
                    // The team packs ahead where it can (a layer of several strips), but not
                    // for a step strip by strip; otherwise the members pack their own strips
                    // (unless the batch is too deep to pack).
                    let on_team = n_out * n_in * k >= PARALLEL_WORK && gemm::threads() > 1;
                    let team = on_team && team_packed && !orders.contains(&s);
                    let own = scratch.members.iter().any(|m| m.holds.is_some());
                    assert_eq!(
                        own,
                        !team && k <= MAX_PACKED_DEPTH,
                        "{n_out}x{n_in}, k = {k}, {orders:?}: members packed their own strips"
                    );
                }
            }
        }
    }

    #[test]
    fn a_quarter_of_the_last_level_cache_is_packed_ahead_at_most_8_mib() {
        assert_eq!(shared_cap(Some(32 << 20)), 8 << 20);
        assert_eq!(shared_cap(Some(105 << 20)), 8 << 20);
        assert_eq!(shared_cap(Some(8 << 20)), 2 << 20);
        assert_eq!(shared_cap(Some(6 << 20)), 3 << 19);
        assert_eq!(shared_cap(None), 8 << 20);
        // The cat-shaped bench's first layer (12288 inputs, batches of 64): 3 MiB of strips
        // in f32, 6 MiB in f64.
        let (k, n_in) = (64, 12288);
        assert!(shares_packing::<f32>(k, n_in, shared_cap(Some(12 << 20))));
        assert!(!shares_packing::<f32>(k, n_in, shared_cap(Some(8 << 20))));
        assert!(shares_packing::<f64>(k, n_in, shared_cap(Some(24 << 20))));
        assert!(!shares_packing::<f64>(k, n_in, shared_cap(Some(16 << 20))));
        // A layer of one strip is packed by each member for itself, whatever the cache.
        assert!(!shares_packing::<f64>(64, 1000, MAX_SHARED_BYTES));
        assert!(!shares_packing::<f64>(
            1100,
            1000,
            shared_cap(Some(1 << 20))
        ));
        assert!(!shares_packing::<f64>(
            MAX_PACKED_DEPTH + 1,
            1000,
            MAX_SHARED_BYTES
        ));
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
            &mut Scratch::new(&[n_in, n_out, 1], k),
            0,
            &Optimizer::GradientDescent,
            1,
            0.01,
            &mut moments,
            Weights::Apart(w.view(), &mut new),
            dz.view(),
            a_prev.view(),
            1.0 / k as f64,
            0.0,
        );
        assert!(!ok);
    }

    /// Drives a choice with the time each order takes on each call (`times(order, call)`),
    /// returning the orders taken, in turn, over `calls` calls.
    fn run_choice(
        choice: &mut OrderChoice,
        calls: usize,
        times: impl Fn(StepOrder, usize) -> f64,
    ) -> Vec<StepOrder> {
        (0..calls)
            .map(|call| {
                let order = choice.next();
                choice.record(order, times(order, call));
                order
            })
            .collect()
    }

    #[test]
    fn each_order_is_timed_in_turn_and_the_lower_median_kept() {
        use StepOrder::{PackedAhead as A, StripByStrip as S};
        // Strip by strip faster, but for one slow call: its median still wins.
        let mut choice = OrderChoice::default();
        let taken = run_choice(&mut choice, 16, |order, call| match (order, call) {
            (S, 5) => 9.0,
            (S, _) => 1.0,
            (A, _) => 1.5,
        });
        assert_eq!(
            taken,
            [A, A, A, S, A, S, A, S, A, S, A, S, S, S, S, S],
            "two calls to warm up, then five of each in turn"
        );
        assert_eq!(choice.decided, Some(S));
        // Packed ahead faster but for two slow calls (its first two); a tie keeps packing
        // ahead.
        for ahead in [0.8, 1.0] {
            let mut choice = OrderChoice::default();
            let taken = run_choice(&mut choice, 14, |order, call| match (order, call) {
                (A, 2 | 4) => 5.0,
                (A, _) => ahead,
                (S, _) => 1.0,
            });
            assert_eq!(choice.decided, Some(A), "packed ahead at {ahead}");
            assert_eq!(taken[12..], [A, A]);
        }
        // The warm-up's times are not counted, however slow.
        let mut choice = OrderChoice::default();
        run_choice(&mut choice, 12, |order, call| match (order, call) {
            (_, 0 | 1) => 100.0,
            (A, _) => 1.0,
            (S, _) => 2.0,
        });
        assert_eq!(choice.decided, Some(A));
        // Once decided, more calls change nothing.
        run_choice(&mut choice, 20, |order, _| match order {
            A => 9.0,
            S => 0.1,
        });
        assert_eq!(choice.decided, Some(A));
    }

    #[test]
    fn only_full_batches_of_layers_of_several_strips_time_the_orders() {
        let mut rng = NumpyRng::new(6);
        // Three strips packed ahead; one strip.
        for (n_in, chooses) in [(2100, true), (900, false)] {
            let (n_out, k) = (50, 70);
            let w = rng.randn(n_out, n_in);
            let mut moments = Moments::new(&Optimizer::ADAM, w.dim());
            let mut scratch =
                Scratch::<f64>::with_shared_cap(&[n_in, n_out, 1], k, MAX_SHARED_BYTES);
            let mut new = Array2::zeros(w.dim());
            // A short batch (the last of an epoch), then two full ones.
            for (t, batch) in [(1, k - 30), (2, k), (3, k)] {
                let (dz, a_prev) = (rng.randn(n_out, batch), rng.randn(n_in, batch));
                let ok = fused_weight_step(
                    &mut scratch,
                    0,
                    &Optimizer::ADAM,
                    t,
                    0.01,
                    &mut moments,
                    Weights::Apart(w.view(), &mut new),
                    dz.view(),
                    a_prev.view(),
                    1.0 / batch as f64,
                    0.0,
                );
                assert!(ok);
            }
            let timed = if chooses && gemm::threads() > 1 { 2 } else { 0 };
            assert_eq!(scratch.orders[0].calls, timed, "{n_in} inputs");
            assert_eq!(scratch.orders[1].calls, 0, "the layer not stepped");
        }
    }
}
