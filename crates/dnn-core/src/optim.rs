//! Optimisers and learning-rate schedules: how a gradient becomes a parameter update.
//!
//! Plain gradient descent stays the default; momentum and Adam keep one or two running
//! averages per parameter. Every formula is written in the order the course's numpy code
//! evaluates it, so updates agree with numpy to the last bits.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

use crate::divide::ConstDivisor;
use crate::prefetch::prefetch;
use crate::wide::{self, Wide};
use crate::Float;

/// How gradients turn into updates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Optimizer {
    /// `θ -= α d`.
    GradientDescent,
    /// `v = β v + (1 - β) d`, `θ -= α v` (`v` starts at 0).
    Momentum {
        /// β, in `[0, 1)`; 0.9 is usual.
        beta: f64,
    },
    /// `v = β1 v + (1 - β1) d`, `s = β2 s + (1 - β2) d²`,
    /// `θ -= α (v / (1 - β1ᵗ)) / (sqrt(s / (1 - β2ᵗ)) + ε)`, with `t` the number of updates
    /// so far, from 1 (Kingma & Ba 2015, with bias correction).
    Adam {
        /// β1, in `[0, 1)`; 0.9 is usual.
        beta1: f64,
        /// β2, in `[0, 1)`; 0.999 is usual.
        beta2: f64,
        /// ε > 0; 1e-8 is usual.
        epsilon: f64,
    },
}

impl Optimizer {
    /// Adam with the usual β1 = 0.9, β2 = 0.999, ε = 1e-8.
    pub const ADAM: Optimizer = Optimizer::Adam {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
    };

    /// The lower-case name used on the command line and in reports.
    pub fn name(&self) -> &'static str {
        match self {
            Optimizer::GradientDescent => "gd",
            Optimizer::Momentum { .. } => "momentum",
            Optimizer::Adam { .. } => "adam",
        }
    }

    /// Checks the hyper-parameters' ranges; returns `(name, value, reason)` of the first bad one.
    pub(crate) fn invalid(&self) -> Option<(&'static str, f64, &'static str)> {
        let unit =
            |name, v: f64| (!(0.0..1.0).contains(&v)).then_some((name, v, "it must be in [0, 1)"));
        match *self {
            Optimizer::GradientDescent => None,
            Optimizer::Momentum { beta } => unit("momentum beta", beta),
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => unit("Adam beta1", beta1)
                .or_else(|| unit("Adam beta2", beta2))
                .or_else(|| {
                    (!(epsilon.is_finite() && epsilon > 0.0)).then_some((
                        "Adam epsilon",
                        epsilon,
                        "it must be a finite number greater than 0",
                    ))
                }),
        }
    }
}

/// How the learning rate changes from epoch to epoch (`α0` is the configured rate, `e` the
/// epoch from 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LrDecay {
    /// `α = α0`.
    Constant,
    /// `α = α0 / (1 + rate e)`.
    InverseTime {
        /// The decay rate (≥ 0).
        rate: f64,
    },
    /// `α = α0 / (1 + rate floor(e / interval))`: steps down every `interval` epochs.
    Step {
        /// The decay rate (≥ 0).
        rate: f64,
        /// Epochs per step (≥ 1).
        interval: usize,
    },
}

impl LrDecay {
    /// The learning rate for epoch `epoch` (from 0).
    ///
    /// ```
    /// use dnn_core::LrDecay;
    /// assert_eq!(LrDecay::InverseTime { rate: 1.0 }.rate_at(0.1, 1), 0.05);
    /// assert_eq!(LrDecay::Step { rate: 1.0, interval: 10 }.rate_at(0.1, 9), 0.1);
    /// ```
    pub fn rate_at(&self, lr0: f64, epoch: usize) -> f64 {
        match *self {
            LrDecay::Constant => lr0,
            LrDecay::InverseTime { rate } => lr0 / (1.0 + rate * epoch as f64),
            LrDecay::Step { rate, interval } => {
                lr0 / (1.0 + rate * (epoch / interval.max(1)) as f64)
            }
        }
    }

    pub(crate) fn invalid(&self) -> Option<(&'static str, f64, &'static str)> {
        match *self {
            LrDecay::Constant => None,
            LrDecay::InverseTime { rate } | LrDecay::Step { rate, .. }
                if !(rate.is_finite() && rate >= 0.0) =>
            {
                Some(("decay rate", rate, "it must be a finite number ≥ 0"))
            }
            LrDecay::Step { interval: 0, .. } => {
                Some(("decay interval", 0.0, "it must be at least 1 epoch"))
            }
            _ => None,
        }
    }
}

/// The running averages of one parameter array (`v` for momentum and Adam, `s` for Adam),
/// shaped like it. The engine's fused weight step keeps a layer's averages in an order of its
/// own within these arrays (strip by strip, see `train::weight_step`), so only it reads them.
#[derive(Debug, Clone)]
pub(crate) struct Moments<F: Float> {
    v: Array2<F>,
    s: Array2<F>,
}

impl<F: Float> Moments<F> {
    /// Zeros shaped like a parameter of shape `dim`, only as many as `optimizer` needs.
    pub(crate) fn new(optimizer: &Optimizer, dim: (usize, usize)) -> Self {
        let (nv, ns) = match optimizer {
            Optimizer::GradientDescent => (0, 0),
            Optimizer::Momentum { .. } => (1, 0),
            Optimizer::Adam { .. } => (1, 1),
        };
        let shape = |n: usize| if n == 1 { dim } else { (0, 0) };
        Moments {
            v: crate::huge_pages::zeros(shape(nv)),
            s: crate::huge_pages::zeros(shape(ns)),
        }
    }

    /// Writes `new = old - update(grad)` for update number `t` (from 1) and returns whether
    /// every new value is finite. With `old` `None`, `new` holds the old values and is
    /// updated in place.
    pub(crate) fn step(
        &mut self,
        optimizer: &Optimizer,
        t: u64,
        lr: f64,
        old: Option<ArrayView2<'_, F>>,
        grad: ArrayView2<'_, F>,
        new: ArrayViewMut2<'_, F>,
    ) -> bool {
        step(
            optimizer,
            t,
            lr,
            old,
            grad,
            new,
            self.v.view_mut(),
            self.s.view_mut(),
        )
    }

    /// Copies `other`'s averages into these, of the same shapes (a checkpoint, without
    /// allocating).
    pub(crate) fn assign(&mut self, other: &Moments<F>) {
        self.v.assign(&other.v);
        self.s.assign(&other.s);
    }

    /// The running averages as `(v, s)` (empty where the optimiser keeps none).
    pub(crate) fn averages_mut(&mut self) -> (ArrayViewMut2<'_, F>, ArrayViewMut2<'_, F>) {
        (self.v.view_mut(), self.s.view_mut())
    }
}

/// [`Moments::step`] on views: `new = old - update(grad)` with the running averages `v`
/// (momentum, Adam) and `s` (Adam) of the same shape (ignored, and may be empty, where the
/// optimiser keeps none), or in place in `new` if `old` is `None` (the same bits). Returns
/// whether every new value is finite. The fused weight update calls it on blocks of a layer.
#[allow(clippy::too_many_arguments)]
pub(crate) fn step<F: Float>(
    optimizer: &Optimizer,
    t: u64,
    lr: f64,
    old: Option<ArrayView2<'_, F>>,
    grad: ArrayView2<'_, F>,
    mut new: ArrayViewMut2<'_, F>,
    mut v: ArrayViewMut2<'_, F>,
    mut s: ArrayViewMut2<'_, F>,
) -> bool {
    let rule = Rule::new(optimizer, t, lr);
    let (keeps_v, keeps_s) = (!v.is_empty(), !s.is_empty());
    // Every array contiguous in the same order (a column of biases, a block of whole rows):
    // one slice. Row by row, a column of 256 biases was 256 passes of one element: the
    // update phase's work on the calling thread alone took about 80 µs per mini-batch of
    // the mnist-shaped bench, 45 µs this way (temporary timers).
    let whole = apply_slices(
        &rule,
        new.as_slice_mut(),
        old.as_ref().map(|o| o.as_slice()),
        grad.as_slice(),
        keeps_v.then(|| v.as_slice_mut()),
        keeps_s.then(|| s.as_slice_mut()),
    );
    if let Some(finite) = whole {
        return finite;
    }
    let mut finite = true;
    // Row by row over plain slices (the rows of a block are contiguous, the block is not),
    // so that each row's loop vectorises; finiteness is checked after, on the row in cache.
    for r in 0..new.nrows() {
        let mut n_row = new.row_mut(r);
        let mut v_row = keeps_v.then(|| v.row_mut(r));
        let mut s_row = keeps_s.then(|| s.row_mut(r));
        let (o_row, d_row) = (old.as_ref().map(|o| o.row(r)), grad.row(r));
        let row = apply_slices(
            &rule,
            n_row.as_slice_mut(),
            o_row.as_ref().map(|o| o.to_slice()),
            d_row.to_slice(),
            v_row.as_mut().map(|x| x.as_slice_mut()),
            s_row.as_mut().map(|x| x.as_slice_mut()),
        );
        match row {
            Some(ok) => finite &= ok,
            None => {
                // Any other layout: element by element.
                for j in 0..d_row.len() {
                    let mut vj = v_row.as_ref().map(|x| x[j]);
                    let mut sj = s_row.as_ref().map(|x| x[j]);
                    let o = o_row.as_ref().map_or(new[[r, j]], |o| o[j]);
                    let x = rule.one(o, d_row[j], vj.as_mut(), sj.as_mut());
                    new[[r, j]] = x;
                    finite &= x.is_finite();
                    if let (Some(row), Some(value)) = (v_row.as_mut(), vj) {
                        row[j] = value;
                    }
                    if let (Some(row), Some(value)) = (s_row.as_mut(), sj) {
                        row[j] = value;
                    }
                }
            }
        }
    }
    finite
}

/// `rule` over plain slices, then whether every new value is finite; `None` if some array
/// is not one slice. `o` is `None` for an update in place, `Some(None)` where the old values
/// are not one slice; `v` and `s` are `None` where the rule keeps no such average,
/// `Some(None)` where the average is not one slice.
fn apply_slices<F: Float>(
    rule: &Rule<F>,
    n: Option<&mut [F]>,
    o: Option<Option<&[F]>>,
    d: Option<&[F]>,
    v: Option<Option<&mut [F]>>,
    s: Option<Option<&mut [F]>>,
) -> Option<bool> {
    let (n, d) = (n?, d?);
    let o = match o {
        Some(o) => Some(o?),
        None => None,
    };
    let v = match v {
        Some(v) => Some(v?),
        None => None,
    };
    let s = match s {
        Some(s) => Some(s?),
        None => None,
    };
    Some(rule.apply(n, o, d, v, s))
}

/// Whether every value is finite: a pass without an early exit, so that it vectorises (the
/// values are in cache, just written, and almost always all finite).
#[inline(always)]
fn all_finite<F: Float>(values: &[F]) -> bool {
    !values.iter().fold(false, |bad, x| bad | !x.is_finite())
}

/// Values that [`Rule::adam_routed`] and [`Rule::momentum_routed`] take at a time (see
/// [`by_chunks`]): each chunk is checked for [`large`] gradients, else for [`tiny`] values,
/// and updated while it is still in L1. In the cat-shaped bench's `f32` run, 68 % of the
/// pieces of 256 are rows of dead units (every gradient 0, so never `large`); with pieces of
/// 256 (a check of the whole piece, then its update) Adam's update phase took 1.021 s, with
/// chunks of 64 0.858 s (medians of 6 pairs of alternating processes, Emerald Rapids).
/// Chunks of 16 were slower than 64 (0.833 -> 1.071 s), and 128 no faster.
const CHUNK: usize = 64;

/// How far ahead of the chunk in hand [`by_chunks`] asks the cache for the parameters and
/// averages, in bytes of each array. On a layer too large for the caches the pass streams
/// them from memory, and one core alone kept too few lines in flight: on an Intel Xeon with
/// AMX (family 6 model 167) a plain Adam loop in C over 3 million `f64` parameters ran at 13-15
/// GB/s on one core and 17 with this prefetch (29-31 and 34 on two). In pairs of alternating
/// minibatch bench processes (`cargo xtask bench --suite pairs`, 6 each) the cat-shaped
/// bench's training took 0.939 of its time in `f64` (its update phase 0.894) and 0.980 in
/// `f32`, the mnist-shaped one's (whose parameters stay in cache) 0.998 and 1.003. 4 and
/// 8 KiB ahead did as well as 2 KiB. No value changes.
const AHEAD_BYTES: usize = 2048;

/// An update of one chunk for [`by_chunks`]: new values `n` from the old `o`, the gradients
/// `d` and the averages `v` and `s` (empty where the rule keeps none).
///
/// A trait rather than a closure: a closure's body is a function of its own, compiled for the
/// baseline's instructions unless the compiler inlines it into the caller that has AVX-512
/// (the bench's f32 update phase took 6 times as long on mnist, 11 times on cat, when it
/// did not).
trait ChunkUpdate<F: Float> {
    fn chunk(&self, n: &mut [F], o: &[F], d: &[F], v: &mut [F], s: &mut [F]);
}

/// Adam's [`ChunkUpdate`], with its bias corrections' divisors: routed for `f32`
/// ([`Rule::adam_routed`]), fused for `f64`, and the chunk again, dividing, where an average
/// was too small or too large for the division without a divide (or not finite).
struct AdamChunk<'a, F: Float>(&'a Rule<F>, (ConstDivisor<F>, ConstDivisor<F>));

impl<F: Float> ChunkUpdate<F> for AdamChunk<'_, F> {
    #[inline(always)]
    fn chunk(&self, n: &mut [F], o: &[F], d: &[F], v: &mut [F], s: &mut [F]) {
        let covered = if wide::is_f32::<F>() {
            self.0.adam_routed(self.1, n, o, d, v, s)
        } else {
            self.0.adam_fused(self.1, n, o, d, v, s)
        };
        if !covered {
            self.0.adam_divided(n, o, v, s);
        }
    }
}

/// Momentum's [`ChunkUpdate`].
struct MomentumChunk<'a, F: Float>(&'a Rule<F>);

impl<F: Float> ChunkUpdate<F> for MomentumChunk<'_, F> {
    #[inline(always)]
    fn chunk(&self, n: &mut [F], o: &[F], d: &[F], v: &mut [F], _s: &mut [F]) {
        self.0.momentum_routed(n, o, d, v);
    }
}

/// Applies `update` to successive chunks of [`CHUNK`] values of slices of equal length (`s`
/// empty for an optimiser without it), then to the rest if there is one. Each chunk is cut
/// at a constant length, so that the compiler knows it in the update's loops (chunks from
/// `chunks_mut` were slower).
///
/// With `o` `None` the update is in place: each chunk's new values go to a buffer on the
/// stack, then over the old ones, still in L1 (two slices that alias would be undefined
/// behaviour), so that a training run need not keep a second copy of its parameters.
#[inline(always)]
fn by_chunks<F: Float>(
    n: &mut [F],
    o: Option<&[F]>,
    d: &[F],
    v: &mut [F],
    s: &mut [F],
    update: &impl ChunkUpdate<F>,
) {
    let s_chunk = if s.is_empty() { 0 } else { CHUNK };
    let mut buffer = [F::zero(); CHUNK];
    let mut rest = (n, o, d, v, s);
    while rest.2.len() >= CHUNK {
        let (n, n_rest) = std::mem::take(&mut rest.0).split_at_mut(CHUNK);
        let (o, o_rest) = match rest.1 {
            Some(o) => {
                let (o, o_rest) = o.split_at(CHUNK);
                (Some(o), Some(o_rest))
            }
            None => (None, None),
        };
        let (d, d_rest) = rest.2.split_at(CHUNK);
        let (v, v_rest) = std::mem::take(&mut rest.3).split_at_mut(CHUNK);
        let (s, s_rest) = std::mem::take(&mut rest.4).split_at_mut(s_chunk);
        // The gradients are in cache (just computed); the rest streams from memory.
        let (bytes, ahead) = (size_of_val(d), AHEAD_BYTES / std::mem::size_of::<F>());
        prefetch(o.unwrap_or(n).as_ptr().wrapping_add(ahead), bytes);
        prefetch(v.as_ptr().wrapping_add(ahead), bytes);
        if !s.is_empty() {
            prefetch(s.as_ptr().wrapping_add(ahead), bytes);
        }
        one_chunk(update, &mut buffer, n, o, d, v, s);
        rest = (n_rest, o_rest, d_rest, v_rest, s_rest);
    }
    let (n, o, d, v, s) = rest;
    if !d.is_empty() {
        one_chunk(update, &mut buffer, n, o, d, v, s);
    }
}

/// One chunk of [`by_chunks`]: into `n` from `o`, or in place in `n` through `buffer`.
#[inline(always)]
fn one_chunk<F: Float>(
    update: &impl ChunkUpdate<F>,
    buffer: &mut [F; CHUNK],
    n: &mut [F],
    o: Option<&[F]>,
    d: &[F],
    v: &mut [F],
    s: &mut [F],
) {
    match o {
        Some(o) => update.chunk(n, o, d, v, s),
        None => {
            let new = &mut buffer[..n.len()];
            update.chunk(new, n, d, v, s);
            n.copy_from_slice(new);
        }
    }
}

/// Whether some value is tiny: not zero, below `2^-90` in magnitude. Above that bound, with
/// the usual β and ε and learning rates down to 1e-10, every product and quotient of an
/// update stays in `f32`'s normal range; a tiny value routes its chunk's update through `f64`
/// (see [`Rule::adam_routed`]). The bound only chooses between two exact ways: a value that
/// meets a subnormal all the same makes its update slower, not different.
#[inline(always)]
fn tiny<F: Float>(values: &[F]) -> bool {
    let bound = F::of(2f64.powi(-90));
    values.iter().fold(false, |any, &x| {
        any | ((x != F::zero()) & (x.abs() < bound))
    })
}

/// Whether every value is at least `2^-40` in magnitude (so none is zero, tiny or NaN). The
/// new averages of a chunk whose gradients are all this large are in `f32`'s normal range:
/// `(1 - β2) d²` is at least `2^-80 (1 - β2)`, and `(1 - β) d` at least `2^-40 (1 - β)`,
/// normal for any β below `1 - 2^-46`. So [`Rule::adam_routed`] and [`Rule::momentum_routed`]
/// send such a chunk the direct way without checking its averages for tiny values first,
/// a check that read them from memory a pass ahead of their update: the cat-shaped bench's
/// f32 update phase took 1.37 -> 1.19 s without it. An average that is subnormal all
/// the same (a unit that comes back after a long dead spell) makes that one update slower,
/// not different.
#[inline(always)]
fn large<F: Float>(values: &[F]) -> bool {
    let bound = F::of(2f64.powi(-40));
    values.iter().fold(true, |all, &x| all & (x.abs() >= bound))
}

/// One optimiser's update rule with its constants for update number `t`, applied to slices
/// or to single elements.
#[derive(Clone, Copy)]
enum Rule<F: Float> {
    GradientDescent {
        lr: F,
    },
    Momentum {
        lr: F,
        beta: F,
        one_minus: F,
    },
    Adam {
        lr: F,
        b1: F,
        c1: F,
        b2: F,
        c2: F,
        corr1: F,
        corr2: F,
        eps: F,
        /// The bias corrections as divisors without a divide instruction (f64, where they
        /// are in its range): the same bits, faster (see `divide.rs`).
        fast: Option<(ConstDivisor<F>, ConstDivisor<F>)>,
        /// Where a zero gradient's step is too small to move a weight ([`negligible_bounds`],
        /// [`Rule::adam_negligible`]).
        negligible: Option<Negligible<F>>,
    },
}

/// The bounds under which Adam's step with a zero gradient leaves a weight `θ` as it is
/// ([`negligible_bounds`]).
#[derive(Clone, Copy)]
struct Negligible<F> {
    /// The least `|θ|` taken.
    least_theta: F,
    /// The largest `|v| / |θ|` taken.
    per_theta: F,
    /// The least nonzero `|v|` or `s` whose product with β1 or β2 (at least 1/2) the plain
    /// operations compute without meeting a subnormal (twice the least normal).
    least_plain: F,
}

/// For Adam at an update with bias corrections `corr1`, `corr2` (the values as the type
/// holds them): the bounds under which a zero gradient's step cannot move a weight `θ`.
///
/// With a zero gradient, `|β1 v| <= |v|`; each later rounding multiplies by at most `1 + u`
/// (`u = 2^-24` for `f32`) and adds at most `2^-150` (should it land among the subnormals),
/// and `sqrt(s_hat) + ε >= ε` (`s_hat >= 0`). So the step `q = α (v / corr1) / (sqrt(s_hat) +
/// ε)` is at most `|v| r + (|α| + 1) 2^-149 / ε + 2^-150`, with `r = |α| / (corr1 ε)`. Taken
/// where `|v| <= |θ| 2^-27 / r` (`per_theta`, rounded down with room for the rounding of its
/// product with `|θ|`) and `|θ|` is at least `least_theta`, `|q|` is under `|θ| 2^-25`, no
/// more than half of `θ`'s unit in the last place: `θ - q` rounds to `θ`. `least_theta` also
/// keeps `|θ| 2^-27` and that product normal. The same holds for `f64` with its own `u` and
/// least subnormal (the bounds are looser than it needs).
fn negligible_bounds<F: Float>(
    b1: F,
    b2: F,
    lr: F,
    corr1: F,
    corr2: F,
    eps: F,
) -> Option<Negligible<F>> {
    let least_normal = F::min_positive_value().to_f64_lossless();
    let [b1, b2, lr, corr1, corr2, eps] =
        [b1, b2, lr, corr1, corr2, eps].map(|x| x.to_f64_lossless());
    // `s` stays at least 0 (so `s_hat` too, with `corr2 > 0`): the step's denominator is at
    // least ε.
    let averages = (0.5..1.0).contains(&b2) && corr2 > 0.0;
    let valid = averages && (0.5..1.0).contains(&b1) && corr1 > 0.0 && corr1 <= 1.0;
    if !(valid && eps > 0.0 && lr.is_finite()) {
        return None;
    }
    let room = 1.0 + 2f64.powi(-20);
    let ratio = lr.abs() / (corr1 * eps) * room;
    let per_theta = 2f64.powi(-27) / ratio / room;
    let rounding = ((lr.abs() + 1.0) / eps + 1.0) * 2f64.powi(-122);
    let least_theta = 2f64
        .powi(-100)
        .max(rounding)
        .max(2.0 * least_normal / per_theta);
    let bounds = Negligible {
        least_theta: F::of(least_theta * room),
        per_theta: F::of(per_theta),
        least_plain: F::of(2.0 * least_normal),
    };
    let finite = bounds.least_theta.is_finite() && bounds.per_theta > F::zero();
    finite.then_some(bounds)
}

impl<F: Float> Rule<F> {
    fn new(optimizer: &Optimizer, t: u64, lr: f64) -> Self {
        let lr = F::of(lr);
        match *optimizer {
            Optimizer::GradientDescent => Rule::GradientDescent { lr },
            Optimizer::Momentum { beta } => Rule::Momentum {
                lr,
                beta: F::of(beta),
                one_minus: F::of(1.0 - beta),
            },
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => {
                let corr1 = F::of(1.0 - beta1.powf(t as f64));
                let corr2 = F::of(1.0 - beta2.powf(t as f64));
                let (b1, b2, eps) = (F::of(beta1), F::of(beta2), F::of(epsilon));
                Rule::Adam {
                    lr,
                    b1,
                    c1: F::of(1.0 - beta1),
                    b2,
                    c2: F::of(1.0 - beta2),
                    corr1,
                    corr2,
                    eps,
                    negligible: negligible_bounds(b1, b2, lr, corr1, corr2, eps),
                    // f64 by multiply-adds (see `divide.rs`); f32 by multiply-adds in f32
                    // on the common chunks (`Rule::adam_fused`) and by one f64
                    // multiplication on chunks with tiny values. The f64 product alone
                    // took the mnist-shaped bench's f32 update phase 0.96 -> 0.89 s
                    // (medians of 14 alternating runs); f32's multiply-adds everywhere made
                    // it slower (1.07 -> 1.46 s), dead units' averages leaving their range
                    // (2^±89). On the common chunks only they took an f32 Adam step on
                    // blocks in L2 from 0.86 to 0.73 ns per parameter (Emerald Rapids).
                    fast: ConstDivisor::new(corr1).zip(ConstDivisor::new(corr2)),
                }
            }
        }
    }

    /// The new value of one parameter `o` with gradient `d`, updating its averages.
    #[inline(always)]
    fn one(&self, o: F, d: F, v: Option<&mut F>, s: Option<&mut F>) -> F {
        match (self, v, s) {
            (Rule::GradientDescent { lr }, _, _) => o - *lr * d,
            (r @ Rule::Momentum { .. }, Some(v), _) => r.momentum(o, d, v),
            (r @ Rule::Adam { .. }, Some(v), Some(s)) => r.adam(o, d, v, s),
            _ => unreachable!("momentum and Adam keep their averages"),
        }
    }

    /// Momentum's `v = β v + (1 - β) d`, `θ - α v`.
    #[inline(always)]
    fn momentum(&self, o: F, d: F, v: &mut F) -> F {
        self.momentum_average(None, d, v);
        self.momentum_step(None, o, *v)
    }

    /// Momentum's `v = β v + (1 - β) d`, the products through `f64` with `wide` (see
    /// [`wide`]; the same bits).
    #[inline(always)]
    fn momentum_average(&self, wide: Option<Wide>, d: F, v: &mut F) {
        let Rule::Momentum {
            beta, one_minus, ..
        } = *self
        else {
            unreachable!()
        };
        *v = wide::mul(wide, beta, *v) + wide::mul(wide, one_minus, d);
    }

    /// Momentum's `θ - α v`, the product through `f64` with `wide`.
    #[inline(always)]
    fn momentum_step(&self, wide: Option<Wide>, o: F, v: F) -> F {
        let Rule::Momentum { lr, .. } = *self else {
            unreachable!()
        };
        o - wide::mul(wide, lr, v)
    }

    /// Adam's `v`, `s` and `θ - α (v / (1 - β1ᵗ)) / (sqrt(s / (1 - β2ᵗ)) + ε)`.
    #[inline(always)]
    fn adam(&self, o: F, d: F, v: &mut F, s: &mut F) -> F {
        let Rule::Adam { corr1, corr2, .. } = *self else {
            unreachable!()
        };
        self.adam_moments(None, None, d, v, s);
        self.adam_step(o, *v / corr1, *s / corr2)
    }

    /// Adam's new values from the old `o` and the new averages `v`, `s`, dividing by the
    /// bias corrections: [`AdamChunk`]'s second try.
    #[inline(always)]
    fn adam_divided(&self, n: &mut [F], o: &[F], v: &[F], s: &[F]) {
        let Rule::Adam { corr1, corr2, .. } = *self else {
            unreachable!()
        };
        for (((n, &o), &v), &s) in n.iter_mut().zip(o).zip(v).zip(s) {
            *n = self.adam_step(o, v / corr1, s / corr2);
        }
    }

    /// Adam's running averages: `v = β1 v + (1 - β1) d`, `s = β2 s + (1 - β2) d²`, the
    /// products of `v`'s through `f64` with `on_v` and those of `s`'s with `on_s` (see
    /// [`wide`]; the same bits).
    #[inline(always)]
    fn adam_moments(&self, on_v: Option<Wide>, on_s: Option<Wide>, d: F, v: &mut F, s: &mut F) {
        let Rule::Adam { b1, c1, b2, c2, .. } = *self else {
            unreachable!()
        };
        *v = wide::mul(on_v, b1, *v) + wide::mul(on_v, c1, d);
        *s = wide::mul(on_s, b2, *s) + wide::mul(on_s, c2, wide::mul(on_s, d, d));
    }

    /// Adam's numerator `α v_hat`, the product through `f64` with `wide`.
    #[inline(always)]
    fn adam_numerator(&self, wide: Option<Wide>, v_hat: F) -> F {
        let Rule::Adam { lr, .. } = *self else {
            unreachable!()
        };
        wide::mul(wide, lr, v_hat)
    }

    /// Adam's new value from its numerator and the corrected `s_hat`:
    /// `θ - numerator / (sqrt(s_hat) + ε)`, the root through `f64` with `root` and the
    /// quotient with `quotient`.
    #[inline(always)]
    fn adam_quotient(
        &self,
        root: Option<Wide>,
        quotient: Option<Wide>,
        o: F,
        numerator: F,
        s_hat: F,
    ) -> F {
        let Rule::Adam { eps, .. } = *self else {
            unreachable!()
        };
        o - wide::div(quotient, numerator, wide::sqrt(root, s_hat) + eps)
    }

    /// Adam's new value from the corrected averages `v_hat`, `s_hat`:
    /// `θ - α v_hat / (sqrt(s_hat) + ε)`.
    #[inline(always)]
    fn adam_step(&self, o: F, v_hat: F, s_hat: F) -> F {
        self.adam_quotient(None, None, o, self.adam_numerator(None, v_hat), s_hat)
    }

    /// Adam over slices of equal length, the bias corrections divided by `d1` and `d2`
    /// ([`ConstDivisor::fused_quotient`]), in one pass. Returns whether the divisors covered
    /// every average (if not, the caller computes the new values again, dividing).
    #[inline(always)]
    fn adam_fused(
        &self,
        (d1, d2): (ConstDivisor<F>, ConstDivisor<F>),
        n: &mut [F],
        o: &[F],
        d: &[F],
        v: &mut [F],
        s: &mut [F],
    ) -> bool {
        let mut covered = true;
        for ((((n, &o), &d), v), s) in n.iter_mut().zip(o).zip(d).zip(v).zip(s) {
            self.adam_moments(None, None, d, v, s);
            covered &= d1.fused_covers(*v) & d2.fused_covers(*s);
            *n = self.adam_step(o, d1.fused_quotient(*v), d2.fused_quotient(*s));
        }
        covered
    }

    /// [`Rule::adam_fused`] for `f32` on one chunk ([`by_chunks`]): if its gradients are
    /// not all [`large`] and it has a tiny value ([`tiny`]), in two passes,
    /// each operation through `f64` if its operands are tiny on the chunk (see [`wide`]):
    /// the same bits, without the microcode assists that subnormals take on x86. A dead
    /// unit (a row of gradients of exactly 0) keeps subnormal averages `v` for good (`RN(0.9
    /// k 2^-149) = k 2^-149` for `k <= 4`). In the mnist-shaped bench's `f32` run, where 29 %
    /// of the updates fall on such rows, the update phase took 0.95 s before, 0.78 s with
    /// this, and 0.67 s with subnormals flushed to zero, which changes the numbers (medians
    /// of 5 alternating runs).
    #[inline(always)]
    fn adam_routed(
        &self,
        divisors: (ConstDivisor<F>, ConstDivisor<F>),
        n: &mut [F],
        o: &[F],
        d: &[F],
        v: &mut [F],
        s: &mut [F],
    ) -> bool {
        // A dead unit's chunk (its first gradient zero: one value checked before the rest).
        if d.first() == Some(&F::zero()) && self.adam_negligible(n, o, d, v, s) {
            return true;
        }
        if large(d) {
            return self.adam_fused(divisors, n, o, d, v, s);
        }
        let (tiny_v, tiny_s, tiny_d) = (tiny(v), tiny(s), tiny(d));
        if !(tiny_v || tiny_s || tiny_d) {
            return self.adam_fused(divisors, n, o, d, v, s);
        }
        let w = Wide::new();
        let (on_v, on_s) = (
            (tiny_v || tiny_d).then_some(w),
            (tiny_s || tiny_d).then_some(w),
        );
        match (on_v, on_s) {
            (None, None) => self.adam_averages(None, None, divisors.0, n, d, v, s),
            (None, Some(_)) => self.adam_averages(None, on_s, divisors.0, n, d, v, s),
            (Some(_), None) => self.adam_averages(on_v, None, divisors.0, n, d, v, s),
            (Some(_), Some(_)) => self.adam_averages(on_v, on_s, divisors.0, n, d, v, s),
        }
        // A dead unit's numerators are 0 (`α v_hat` underflows) and its `s` still normal:
        // its root and quotient are the direct ones.
        let (root, quotient) = (tiny(s).then_some(w), tiny(n).then_some(w));
        match (root, quotient) {
            (None, None) => self.adam_finish(None, None, divisors, n, o, v, s),
            (None, Some(_)) => self.adam_finish(None, quotient, divisors, n, o, v, s),
            (Some(_), None) => self.adam_finish(root, None, divisors, n, o, v, s),
            (Some(_), Some(_)) => self.adam_finish(root, quotient, divisors, n, o, v, s),
        }
    }

    /// A dead unit's chunk for [`Rule::adam_routed`] whose step cannot move its weights
    /// ([`negligible_bounds`]): every gradient `±0`, every `s` at least 0, every `|θ|` at least
    /// the bounds' least and every `|v|` at most `|θ|` times their `per_theta`. Its averages
    /// take the plain operations, through `f64` where a value is subnormal or near it (the
    /// same bits, see [`wide`]), and its weights stay as they are: the bits of the plain
    /// operations, in one pass and a check. Returns whether it was one (and so is updated).
    ///
    /// In the mnist-shaped bench's `f32` run, 29 % of the updates fall on dead units' rows,
    /// whose averages decay towards the subnormals: there this took training to 0.956 of its
    /// time and the update phase to 0.914 (6 of 6 alternating pairs, Intel Xeon with AMX),
    /// the cat-shaped one's to 0.986 (3 of 6), with the same bits. Its first version, a check
    /// of the whole chunk before the first value's, made cat's `f32` training 1.035.
    /// Skipping dead units' chunks altogether (wrong numbers, a bound) gave mnist 0.938.
    #[inline(always)]
    fn adam_negligible(&self, n: &mut [F], o: &[F], d: &[F], v: &mut [F], s: &mut [F]) -> bool {
        let Rule::Adam {
            negligible: Some(bounds),
            ..
        } = *self
        else {
            return false;
        };
        let zero = F::zero();
        // The first value first: on a unit dead for a few steps only, `v` is still too large.
        match (o.first(), v.first()) {
            (Some(&o), Some(&v)) if v.abs() <= o.abs() * bounds.per_theta => {}
            _ => return false,
        }
        let (mut taken, mut plain_v, mut plain_s) = (true, true, true);
        for (((&o, &d), &v), &s) in o.iter().zip(d).zip(v.iter()).zip(s.iter()) {
            let (o, v) = (o.abs(), v.abs());
            taken &= (d == zero) & (s >= zero) & (o >= bounds.least_theta);
            taken &= v <= o * bounds.per_theta;
            plain_v &= (v >= bounds.least_plain) | (v == zero);
            plain_s &= (s >= bounds.least_plain) | (s == zero);
        }
        if !taken {
            return false;
        }
        let w = Wide::new();
        let (on_v, on_s) = ((!plain_v).then_some(w), (!plain_s).then_some(w));
        match (on_v, on_s) {
            (None, None) => self.adam_kept(None, None, n, o, d, v, s),
            (None, Some(_)) => self.adam_kept(None, on_s, n, o, d, v, s),
            (Some(_), None) => self.adam_kept(on_v, None, n, o, d, v, s),
            (Some(_), Some(_)) => self.adam_kept(on_v, on_s, n, o, d, v, s),
        }
        true
    }

    /// The update of [`Rule::adam_negligible`]: the averages, and the weights as they were.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn adam_kept(
        &self,
        on_v: Option<Wide>,
        on_s: Option<Wide>,
        n: &mut [F],
        o: &[F],
        d: &[F],
        v: &mut [F],
        s: &mut [F],
    ) {
        for (((n, &o), &d), (v, s)) in n.iter_mut().zip(o).zip(d).zip(v.iter_mut().zip(s)) {
            self.adam_moments(on_v, on_s, d, v, s);
            *n = o;
        }
    }

    /// The first pass of [`Rule::adam_routed`]: the averages, with the products of `v`'s
    /// through `f64` under `on_v` and those of `s`'s under `on_s`, and the numerators
    /// `α v_hat` into `n` (through `f64` under `on_v`).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn adam_averages(
        &self,
        on_v: Option<Wide>,
        on_s: Option<Wide>,
        d1: ConstDivisor<F>,
        n: &mut [F],
        d: &[F],
        v: &mut [F],
        s: &mut [F],
    ) {
        for (((n, &d), v), s) in n.iter_mut().zip(d).zip(v).zip(s) {
            self.adam_moments(on_v, on_s, d, v, s);
            *n = self.adam_numerator(on_v, d1.quotient(*v));
        }
    }

    /// The second pass of [`Rule::adam_routed`]: `θ - n / (sqrt(s_hat) + ε)` with the root
    /// through `f64` under `root` and the quotient under `quotient`. Returns whether the
    /// divisors covered every average.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn adam_finish(
        &self,
        root: Option<Wide>,
        quotient: Option<Wide>,
        (d1, d2): (ConstDivisor<F>, ConstDivisor<F>),
        n: &mut [F],
        o: &[F],
        v: &[F],
        s: &[F],
    ) -> bool {
        let mut covered = true;
        for (((n, &o), &v), &s) in n.iter_mut().zip(o).zip(v).zip(s) {
            covered &= d1.covers(v) & d2.covers(s);
            *n = self.adam_quotient(root, quotient, o, *n, d2.quotient(s));
        }
        covered
    }

    /// [`Rule::momentum`] on one chunk ([`by_chunks`]), for `f32` with a tiny value as
    /// [`Rule::adam_routed`] does (a dead unit's `v` is subnormal for good here too).
    #[inline(always)]
    fn momentum_routed(&self, n: &mut [F], o: &[F], d: &[F], v: &mut [F]) {
        if !wide::is_f32::<F>() || large(d) || !(tiny(v) || tiny(d)) {
            for (((n, &o), &d), v) in n.iter_mut().zip(o).zip(d).zip(v) {
                *n = self.momentum(o, d, v);
            }
            return;
        }
        let w = Wide::new();
        for (v, &d) in v.iter_mut().zip(d) {
            self.momentum_average(Some(w), d, v);
        }
        if tiny(v) {
            for ((n, &o), &v) in n.iter_mut().zip(o).zip(v.iter()) {
                *n = self.momentum_step(Some(w), o, v);
            }
        } else {
            for ((n, &o), &v) in n.iter_mut().zip(o).zip(v.iter()) {
                *n = self.momentum_step(None, o, v);
            }
        }
    }

    /// [`Rule::one`] over slices of equal length (`v`, `s` where the rule keeps them): the
    /// rule is chosen once, and its loop compiled for the CPU's vector instructions (the
    /// same operations in the same order, so the same bits whatever the instructions).
    /// Returns whether every new value is finite, checked here too: compiled for the
    /// baseline's SSE2 outside, the check was a tenth of an Adam step on blocks in L2 (Emerald
    /// Rapids, `f32`: 1.26-1.35 -> 1.15-1.24 ns per parameter in L2, 1.74-1.98 -> 1.65-1.77
    /// ns from memory, 4 alternating runs of a temporary timing test).
    #[inline(always)]
    fn apply(
        &self,
        n: &mut [F],
        o: Option<&[F]>,
        d: &[F],
        v: Option<&mut [F]>,
        s: Option<&mut [F]>,
    ) -> bool {
        match crate::gemm::chosen().level {
            #[cfg(target_arch = "x86_64")]
            crate::gemm::Level::Avx512 => {
                // SAFETY: the level is supported (checked when it was chosen).
                unsafe { self.apply_avx512(n, o, d, v, s) }
            }
            #[cfg(target_arch = "x86_64")]
            crate::gemm::Level::Avx2 => {
                // SAFETY: as above.
                unsafe { self.apply_avx2(n, o, d, v, s) }
            }
            _ => self.apply_plain(n, o, d, v, s, false),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn apply_avx512(
        &self,
        n: &mut [F],
        o: Option<&[F]>,
        d: &[F],
        v: Option<&mut [F]>,
        s: Option<&mut [F]>,
    ) -> bool {
        self.apply_plain(n, o, d, v, s, true)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn apply_avx2(
        &self,
        n: &mut [F],
        o: Option<&[F]>,
        d: &[F],
        v: Option<&mut [F]>,
        s: Option<&mut [F]>,
    ) -> bool {
        self.apply_plain(n, o, d, v, s, true)
    }

    /// The loops of [`Rule::apply`]; `fma`: the caller is compiled with fused multiply-add,
    /// so Adam divides by its bias corrections with [`ConstDivisor`].
    #[inline(always)]
    fn apply_plain(
        &self,
        n: &mut [F],
        o: Option<&[F]>,
        d: &[F],
        v: Option<&mut [F]>,
        s: Option<&mut [F]>,
        fma: bool,
    ) -> bool {
        match (self, v, s) {
            (Rule::GradientDescent { lr }, _, _) => match o {
                Some(o) => {
                    for ((n, &o), &d) in n.iter_mut().zip(o).zip(d) {
                        *n = o - *lr * d;
                    }
                }
                None => {
                    for (n, &d) in n.iter_mut().zip(d) {
                        *n = *n - *lr * d;
                    }
                }
            },
            (r @ Rule::Momentum { .. }, Some(v), _) => {
                by_chunks(n, o, d, v, &mut [], &MomentumChunk(r));
            }
            (
                r @ Rule::Adam {
                    fast: Some(divisors),
                    ..
                },
                Some(v),
                Some(s),
            ) if fma => {
                // Checked and updated a chunk at a time: a check of a whole row first, then
                // its update, read the averages from memory twice over (the cat-shaped
                // bench's f32 update phase took 1.46 -> 1.86 s that way).
                by_chunks(n, o, d, v, s, &AdamChunk(r, *divisors));
            }
            (r @ Rule::Adam { .. }, Some(v), Some(s)) => match o {
                Some(o) => {
                    for ((((n, &o), &d), v), s) in n.iter_mut().zip(o).zip(d).zip(v).zip(s) {
                        *n = r.adam(o, d, v, s);
                    }
                }
                None => {
                    for (((n, &d), v), s) in n.iter_mut().zip(d).zip(v).zip(s) {
                        *n = r.adam(*n, d, v, s);
                    }
                }
            },
            _ => unreachable!("momentum and Adam keep their averages"),
        }
        all_finite(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NumpyRng;

    /// A row of `cols` values of one kind: 0 normal, 1 a dead unit's (no gradient, `v`
    /// subnormal), 2 the same with `s` subnormal too, 3 tiny and subnormal gradients on
    /// fresh averages, 4 `v` and `s` tiny but normal or subnormal, 5 a mix of 0 to 4 lane by
    /// lane, 6 the least large gradients on averages about `2^-89`, the edge of the range that
    /// [`ConstDivisor::fused_quotient`] divides, 7 a dead unit's settled averages (gradients
    /// of `+0` and `-0`, `v` at most 4 subnormal units; half the weights `+0` or `-0`), 8 a
    /// dead unit's averages still normal (`v` from `2^-118` to `2^-14`, `s` 0 or normal:
    /// steps on both sides of moving a weight, see [`Rule::adam_negligible`]).
    fn row(rng: &mut NumpyRng, kind: u32, cols: usize) -> [Vec<f32>; 4] {
        let mut out: [Vec<f32>; 4] = Default::default();
        for _ in 0..cols {
            let kind = if kind == 5 {
                (rng.next_double() * 5.0) as u32
            } else {
                kind
            };
            let sign = if rng.next_double() < 0.5 { -1.0 } else { 1.0 };
            let scaled = |rng: &mut NumpyRng, low: f64, high: f64| {
                ((1.0 + rng.next_double()) * 2f64.powf(low + (high - low) * rng.next_double()))
                    as f32
            };
            let subnormal = |rng: &mut NumpyRng, most: f64| {
                f32::from_bits((rng.next_double() * most) as u32 + 1)
            };
            let o = sign * scaled(rng, -3.0, 1.0);
            let (d, v, s) = match kind {
                0 => (
                    sign * scaled(rng, -20.0, -5.0),
                    -sign * scaled(rng, -25.0, -8.0),
                    scaled(rng, -40.0, -10.0),
                ),
                1 => (0.0, sign * subnormal(rng, 5.0), scaled(rng, -60.0, -20.0)),
                7 => (
                    if rng.next_double() < 0.5 { 0.0 } else { -0.0 },
                    sign * subnormal(rng, 4.0),
                    scaled(rng, -60.0, -20.0),
                ),
                8 => (
                    if rng.next_double() < 0.5 { 0.0 } else { -0.0 },
                    -sign * scaled(rng, -118.0, -15.0),
                    if rng.next_double() < 0.5 {
                        0.0
                    } else {
                        scaled(rng, -60.0, -20.0)
                    },
                ),
                2 => (0.0, sign * subnormal(rng, 5.0), subnormal(rng, 600.0)),
                3 => (
                    sign * if rng.next_double() < 0.5 {
                        subnormal(rng, 1e6)
                    } else {
                        scaled(rng, -126.0, -55.0)
                    },
                    0.0,
                    0.0,
                ),
                6 => (
                    sign * scaled(rng, -40.0, -39.5),
                    sign * scaled(rng, -91.0, -86.0),
                    scaled(rng, -91.0, -86.0),
                ),
                _ => (
                    sign * scaled(rng, -30.0, -10.0),
                    sign * scaled(rng, -126.0, -100.0),
                    scaled(rng, -140.0, -100.0),
                ),
            };
            // A dead unit's weight of either zero takes its step's sign.
            let o = match kind {
                7 if rng.next_double() < 0.5 => sign * 0.0,
                _ => o,
            };
            for (column, x) in out.iter_mut().zip([o, d, v, s]) {
                column.push(x);
            }
        }
        out
    }

    #[test]
    fn large_gradients_are_those_of_2_to_the_minus_40_or_more_and_keep_averages_normal() {
        let bound = 2f32.powi(-40);
        assert!(large(&[bound, -bound, 1.0, f32::MAX, f32::INFINITY]));
        for x in [0.0, -0.0, bound * 0.99, f32::from_bits(1), f32::NAN] {
            assert!(!large(&[1.0, x, 1.0]), "{x:e} is not large");
            assert!(!large(&[1.0, -x, 1.0]), "{:e} is not large", -x);
        }
        // The least large gradients on averages that start at 0: every new average is
        // normal, with β up to 1 - 2^-40 (the bound that `large`'s comment gives is 2^-46).
        let beta = 1.0 - 2f64.powi(-40);
        for optimizer in [
            Optimizer::ADAM,
            Optimizer::Adam {
                beta1: beta,
                beta2: beta,
                epsilon: 1e-8,
            },
            Optimizer::Momentum { beta },
        ] {
            let grad = Array2::from_shape_vec((1, 2), vec![bound, -bound]).unwrap();
            let old = Array2::<f32>::ones((1, 2));
            let mut moments = Moments::new(&optimizer, old.dim());
            let mut new = Array2::zeros(old.dim());
            let new = new.view_mut();
            assert!(moments.step(&optimizer, 1, 1e-4, Some(old.view()), grad.view(), new));
            for x in moments.v.iter().chain(&moments.s) {
                assert!(x.is_normal(), "{optimizer:?}: an average of {x:e}");
            }
        }
    }

    #[test]
    fn updates_of_rows_with_tiny_and_subnormal_values_are_the_direct_f32_ones() {
        let mut rng = NumpyRng::new(31);
        let optimizers = [
            Optimizer::ADAM,
            Optimizer::Adam {
                beta1: 0.5,
                beta2: 0.9,
                epsilon: 1e-3,
            },
            Optimizer::Momentum { beta: 0.9 },
        ];
        // 37 columns: a row that is not a whole number of vectors; 784: mnist's layer.
        for cols in [37, 784] {
            let rows: Vec<_> = (0..9)
                .flat_map(|kind| [row(&mut rng, kind, cols), row(&mut rng, kind, cols)])
                .collect();
            let matrix =
                |i: usize| Array2::from_shape_fn((rows.len(), cols), |(r, c)| rows[r][i][c]);
            for optimizer in optimizers {
                for lr in [1e-4, 0.5, 1e-9] {
                    let (old, grad) = (matrix(0), matrix(1));
                    let mut moments = Moments::new(&optimizer, old.dim());
                    let mut want = moments.clone();
                    if let Optimizer::Momentum { .. } | Optimizer::Adam { .. } = optimizer {
                        moments.v.assign(&matrix(2));
                        want.v.assign(&matrix(2));
                    }
                    if let Optimizer::Adam { .. } = optimizer {
                        moments.s.assign(&matrix(3));
                        want.s.assign(&matrix(3));
                    }
                    let mut in_place_moments = moments.clone();
                    for t in [1, 2, 10, 1000] {
                        let mut new = Array2::zeros(old.dim());
                        let (old_view, grad_view) = (Some(old.view()), grad.view());
                        moments.step(&optimizer, t, lr, old_view, grad_view, new.view_mut());
                        // In place, the same bits.
                        let mut in_place = old.clone();
                        in_place_moments.step(
                            &optimizer,
                            t,
                            lr,
                            None,
                            grad_view,
                            in_place.view_mut(),
                        );
                        let in_place_bits = |r: usize, c: usize| in_place[[r, c]].to_bits();
                        // Element by element, with the plain f32 operations.
                        let rule = Rule::<f32>::new(&optimizer, t, lr);
                        let keeps_s = matches!(optimizer, Optimizer::Adam { .. });
                        for ((r, c), &got) in new.indexed_iter() {
                            let (mut v, mut s) = (want.v[[r, c]], want.s.get((r, c)).copied());
                            let x = rule.one(old[[r, c]], grad[[r, c]], Some(&mut v), s.as_mut());
                            want.v[[r, c]] = v;
                            if keeps_s {
                                want.s[[r, c]] = s.unwrap();
                            }
                            let kind = r / 2;
                            assert!(
                                in_place_bits(r, c) == x.to_bits(),
                                "{optimizer:?} lr {lr} t {t} row kind {kind} column {c}: \
                                 {:e} in place, the plain operations give {x:e}",
                                in_place[[r, c]]
                            );
                            assert!(
                                got.to_bits() == x.to_bits(),
                                "{optimizer:?} lr {lr} t {t} row kind {kind} column {c}: \
                                 {got:e}, the plain operations give {x:e}"
                            );
                        }
                        let same = |a: &Array2<f32>, b: &Array2<f32>| {
                            a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
                        };
                        assert!(same(&moments.v, &want.v) && same(&moments.s, &want.s));
                        let (v, s) = (&in_place_moments.v, &in_place_moments.s);
                        assert!(same(v, &want.v) && same(s, &want.s));
                    }
                }
            }
        }
    }
}
