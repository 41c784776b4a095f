//! The training loop itself: buffers allocated once, the backward pass on a batch, the
//! update, and the epoch loop with mini-batches and divergence checks. (The forward pass is
//! [`crate::forward`], shared with prediction.)

use std::ops::ControlFlow;
use std::sync::Mutex;

use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};

use super::first_layer::FirstLayer;
use super::gram::Gram;
use super::phases::PhaseClock;
use super::weight_step::{fused_weight_step, Scratch, StepOrder, Weights};
use super::{report, PartialEpoch, PhaseTimes, Progress, TrainConfig};
use crate::error::{Divergence, DivergenceCause, LastGood, Result, TrainingStep};
use crate::forward::{cols, cols_mut, forward, Activations};
use crate::gemm::{self, matmul};
use crate::network::Network;
use crate::optim::{Moments, Optimizer};
use crate::regularization::{l2_cost_of_squares, sum_of_squares};
use crate::rng::{permutation_into, NumpyRng};
use crate::{cost, huge_pages, kernels, regularization, ClassWeights, Float};

/// Iterations whose costs have room before the first iteration: the loop allocates nothing
/// for runs up to this long, and the history grows by doubling beyond it (a run of 2^64
/// iterations must not reserve 2^67 bytes up front).
pub(super) const PREALLOCATED_COSTS: usize = 1 << 20;

/// The backward pass's buffers for batches of up to `cap` examples.
pub(super) struct Gradients<F: Float> {
    /// `dZ[l]`, each `(n[l], cap)`; `dZ[l-1]` is first written as `dA[l-1]`, then scaled in place.
    dz: Vec<Array2<F>>,
    /// `dW[l]`, only for [`Network::gradients`]: training fuses each layer's `dW` with its
    /// update (see `weight_step`) and leaves these empty, as is layer 1's in the Gram form.
    pub(super) dw: Vec<Array2<F>>,
    pub(super) db: Vec<Array1<F>>,
}

impl<F: Float> Gradients<F> {
    /// Buffers for batches of `cap`; `with_dw`: also the weight gradients.
    pub(super) fn new(net: &Network<F>, cap: usize, first: &FirstLayer<F>, with_dw: bool) -> Self {
        Gradients {
            dz: net
                .layers
                .iter()
                .map(|l| Array2::zeros((l.w.nrows(), cap)))
                .collect(),
            dw: net
                .layers
                .iter()
                .enumerate()
                .map(|(l, layer)| match (l, first.is_gram(), with_dw) {
                    (_, _, false) | (0, true, _) => Array2::zeros((0, 0)),
                    _ => Array2::zeros(layer.w.dim()),
                })
                .collect(),
            db: net
                .layers
                .iter()
                .map(|l| Array1::zeros(l.w.nrows()))
                .collect(),
        }
    }
}

/// Everything one training run needs, allocated before the first iteration. Every
/// per-example buffer has `cap` columns (the batch size); a smaller last batch uses the
/// first `k` of them.
struct Workspace<F: Float> {
    fwd: Activations<F>,
    grads: Gradients<F>,
    /// How the parameters before the last update are found again after a bad cost.
    rollback: Rollback<F>,
    /// The optimiser's running averages for `(W[l], b[l])`.
    moments: Vec<(Moments<F>, Moments<F>)>,
    /// The fused weight update's gradient blocks, one per thread.
    scratch: Scratch<F>,
    first: FirstLayer<F>,
}

/// How a run finds the parameters before its last update again (a rollback on divergence).
enum Rollback<F: Float> {
    /// The other half of a double buffer: each update writes here, then swaps, so the
    /// previous parameters survive one update. Layer 1's `W` half is empty in the Gram form
    /// (its state is in [`Gram`]).
    Spare(Vec<(Array2<F>, Array2<F>)>),
    /// Updates in place, and a rollback replays from a [`Checkpoint`] (mini-batches).
    Replay(Box<Checkpoint<F>>),
}

/// Mini-batch runs with a data matrix at least this many times the parameters' size update
/// in place and roll back by replay ([`Checkpoint`]): the checkpoint's copies of the
/// parameters and averages (up to three times the parameters) then stay small beside the
/// data (the cat-shaped bench's peak went from 1.10 to 1.21 times its data, parameters and
/// averages in `f64`). Updating in place took that bench's `f64` training 4-5 % lower and its
/// `f32` training not at all (`cargo xtask bench --suite pairs`, 2 x 12 pairs each, medians of
/// the pair ratios 0.958 and 0.951 in `f64`, 1.040 and 0.974 in `f32`; Emerald Rapids).
const REPLAY_DATA_PER_PARAMETER: usize = 8;

/// The parameters, averages and dropout generator as one epoch of a mini-batch run stood
/// before its first update (taken once that batch's cost has passed, so they are good).
/// A rollback puts them back and replays that epoch's batches up to the update wanted: the
/// same examples (the order is reseeded each epoch), dropout draws and learning rate, and
/// products that give the same bits whatever the threads, so the same parameters.
struct Checkpoint<F: Float> {
    params: Vec<(Array2<F>, Array2<F>)>,
    moments: Vec<(Moments<F>, Moments<F>)>,
    /// The dropout generator as the checkpoint's epoch began.
    rng: NumpyRng,
    /// The dropout generator as the current epoch began (the next checkpoint's).
    epoch_rng: NumpyRng,
    epoch: usize,
    /// Updates applied before the checkpoint.
    updates: u64,
}

impl<F: Float> Checkpoint<F> {
    /// Copies the parameters and averages in place now, at the start of `epoch`, after
    /// `updates` updates (without allocating).
    fn take(
        &mut self,
        net: &Network<F>,
        moments: &[(Moments<F>, Moments<F>)],
        epoch: usize,
        updates: u64,
    ) {
        for ((w, b), layer) in self.params.iter_mut().zip(&net.layers) {
            w.assign(&layer.w);
            b.assign(&layer.b);
        }
        for ((mw, mb), (w, b)) in self.moments.iter_mut().zip(moments) {
            mw.assign(w);
            mb.assign(b);
        }
        self.rng.clone_from(&self.epoch_rng);
        self.epoch = epoch;
        self.updates = updates;
    }

    /// Copies the parameters and averages back into `net` and `moments` ([`Checkpoint::take`]
    /// the other way).
    fn put_back(&self, net: &mut Network<F>, moments: &mut [(Moments<F>, Moments<F>)]) {
        for (layer, (w, b)) in net.layers.iter_mut().zip(&self.params) {
            layer.w.assign(w);
            layer.b.assign(b);
        }
        for ((mw, mb), (w, b)) in moments.iter_mut().zip(&self.moments) {
            mw.assign(w);
            mb.assign(b);
        }
    }
}

/// The epoch's shuffled example order, and a mini-batch gathered from X and Y (all empty
/// for full-batch training).
///
/// Where X keeps each example contiguous and the GEMM has a team, a second set of buffers
/// takes the epoch's next batch while a step trains on this one: its gathering is posted
/// beside the step ([`Batches::step`], [`gemm::beside`]), so that the team's workers copy it
/// in the moments they would wait for the step's next product (its serial passes). The
/// batch's examples are the same, gathered ahead or not.
struct Batches<F: Float> {
    order: Vec<usize>,
    /// The buffers of the batch in use (`bufs[current]`) and of the next, each `(xb, yb)`.
    /// `xb` is `(batch, n0)`, one example per row, when X keeps each example contiguous (then
    /// gathering copies whole rows); `(n0, batch)` otherwise. The second set is empty where
    /// no batch is gathered ahead.
    bufs: [(Array2<F>, Array2<F>); 2],
    current: usize,
    /// The examples (`start`, `k`) of the epoch's order that the other buffers hold.
    ahead: Option<(usize, usize)>,
    example_major: bool,
    /// Whether the next batch is gathered during a step.
    fetches_ahead: bool,
}

/// Bytes of examples that one chunk of a batch gathered ahead copies: small enough that a
/// worker taking one between two products joins the next product soon after it is posted.
const AHEAD_CHUNK_BYTES: usize = 16 << 10;

impl<F: Float> Batches<F> {
    fn new(net: &Network<F>, m: usize, batch: usize, example_major: bool) -> Self {
        let minibatch = batch < m;
        let fetches_ahead = minibatch && example_major && gemm::threads() > 1;
        let buffers = |used: bool| {
            let used = used && minibatch;
            let xb = huge_pages::zeros(match (used, example_major) {
                (false, _) => (0, 0),
                (true, true) => (batch, net.input_size()),
                (true, false) => (net.input_size(), batch),
            });
            let yb = Array2::zeros(if used {
                (net.output_size(), batch)
            } else {
                (0, 0)
            });
            (xb, yb)
        };
        Batches {
            order: Vec::with_capacity(if minibatch { m } else { 0 }),
            bufs: [buffers(true), buffers(fetches_ahead)],
            current: 0,
            ahead: None,
            example_major,
            fetches_ahead,
        }
    }

    /// Copies the examples `order[start..start + k]` of `x` and `y` into the batch buffers in
    /// use.
    fn gather(&mut self, x: ArrayView2<'_, F>, y: ArrayView2<'_, F>, start: usize, k: usize) {
        let picked = &self.order[start..start + k];
        let (xb, yb) = &mut self.bufs[self.current];
        if self.example_major {
            gather_examples(x, y, picked, xb, yb);
        } else {
            gather(x, picked, xb);
            gather(y, picked, yb);
        }
    }

    /// The batch of the examples `order[start..start + k]` as `(X, Y)`, `(n0, k)` and
    /// `(n[L], k)`: the buffers gathered ahead if they hold it, else gathered now. With
    /// `next` (`(start, k)` of the epoch's next batch) where this run gathers ahead, also the
    /// copy of that batch into the other buffers, to be posted beside the step
    /// ([`gemm::beside`]); the next call finds it there if every chunk of it ran.
    #[allow(clippy::type_complexity)]
    fn step<'a>(
        &'a mut self,
        x: ArrayView2<'a, F>,
        y: ArrayView2<'a, F>,
        (start, k): (usize, usize),
        next: Option<(usize, usize)>,
    ) -> (
        ArrayView2<'a, F>,
        ArrayView2<'a, F>,
        Option<ExampleCopy<'a, F>>,
    ) {
        if self.ahead.take() == Some((start, k)) {
            self.current = 1 - self.current;
        } else {
            self.gather(x, y, start, k);
        }
        let next = next.filter(|_| self.fetches_ahead);
        self.ahead = next;
        let [first, second] = &mut self.bufs;
        let (now, spare) = match self.current {
            0 => (first, second),
            _ => (second, first),
        };
        let copy = next.and_then(|(start, k)| {
            let picked = &self.order[start..start + k];
            let bytes = spare.0.ncols() * std::mem::size_of::<F>();
            let per = (AHEAD_CHUNK_BYTES / bytes.max(1)).max(1);
            let pieces = bytes.div_ceil(AHEAD_CHUNK_BYTES).max(1);
            ExampleCopy::new(x, y, picked, &mut spare.0, &mut spare.1, (per, pieces))
        });
        if copy.is_none() {
            // Not contiguous after all: the next call gathers it itself.
            self.ahead = None;
        }
        let xv = match self.example_major {
            true => now.0.view().split_at(Axis(0), k).0.reversed_axes(),
            false => cols(&now.0, k),
        };
        (xv, cols(&now.1, k), copy)
    }

    /// The order of `epoch`'s `m` examples: `np.random.seed(seed + epoch);
    /// np.random.permutation(m)`, the course's `random_mini_batches`, reseeded every epoch
    /// (so that a rollback's replay finds the same batches again).
    fn shuffle(&mut self, config: &TrainConfig, epoch: usize, m: usize) {
        self.ahead = None;
        let mut rng = NumpyRng::new(config.shuffle_seed().wrapping_add(epoch as u32));
        permutation_into(&mut rng, m, &mut self.order);
    }

    /// The most examples that a batch holds.
    fn capacity(&self) -> usize {
        self.bufs[0].1.ncols()
    }
}

impl<F: Float> Workspace<F> {
    /// `replay`: update in place and roll back by replay ([`Rollback::Replay`]; not in the
    /// Gram form).
    fn new(
        net: &Network<F>,
        batch: usize,
        config: &TrainConfig,
        first: FirstLayer<F>,
        replay: bool,
    ) -> Self {
        let gram = first.is_gram();
        let moments: Vec<_> = net
            .layers
            .iter()
            .map(|l| {
                (
                    Moments::new(config.optimizer(), l.w.dim()),
                    Moments::new(config.optimizer(), l.b.dim()),
                )
            })
            .collect();
        let params = net
            .layers
            .iter()
            .enumerate()
            .map(|(l, layer)| match (l, gram) {
                (0, true) => (Array2::zeros((0, 0)), layer.b.clone()),
                _ => (layer.w.clone(), layer.b.clone()),
            })
            .collect();
        let rollback = if replay && !gram {
            let rng = NumpyRng::new(config.dropout_seed());
            Rollback::Replay(Box::new(Checkpoint {
                params,
                moments: moments.clone(),
                epoch_rng: rng.clone(),
                rng,
                epoch: 0,
                updates: 0,
            }))
        } else {
            Rollback::Spare(params)
        };
        Workspace {
            fwd: Activations::new(net, batch, |l| config.keep_prob(l)),
            grads: Gradients::new(net, batch, &first, false),
            scratch: Scratch::new(&net.layer_sizes(), batch),
            rollback,
            moments,
            first,
        }
    }
}

/// The data cost of a batch: the cross-entropy, each example weighted by its class when
/// there are `weights` ([`cost::weighted_from_logits`]), or for an identity output half the
/// mean squared error. (With L2, the loop adds `(1/k)(λ/2) Σ ‖W[l]‖²` to it.)
pub(crate) fn data_cost<F: Float>(
    net: &Network<F>,
    fwd: &Activations<F>,
    y: ArrayView2<'_, F>,
    weights: Option<&ClassWeights>,
) -> f64 {
    let (output, z) = (net.output_activation(), fwd.logits(y.ncols()));
    match weights {
        Some(w) => cost::weighted_from_logits(output, z, y, w),
        None => cost::from_logits(output, z, y),
    }
}

impl<F: Float> Network<F> {
    /// The backward pass for a batch of `k = x.ncols()` examples after [`forward`] on it:
    /// `dZ[L] = AL - Y` (column `j` times its class weight `w_j`, with `weights`),
    /// `dW = (1/k) dZ A_prevᵀ + (λ/k) W`, `db = (1/k) Σ dZ`, `dA_prev = Wᵀ dZ` (times the
    /// dropout mask over `keep_prob`), never `dA0`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn backward(
        &self,
        x: ArrayView2<'_, F>,
        y: ArrayView2<'_, F>,
        fwd: &Activations<F>,
        grads: &mut Gradients<F>,
        first: &FirstLayer<F>,
        (l2, weights): (f64, Option<&ClassWeights>),
        clock: &mut PhaseClock,
        phases: &mut PhaseTimes,
    ) {
        let k = x.ncols();
        let inv_m = F::of(1.0 / k as f64);
        let big_l = self.layers.len();
        let mut dz_out = cols_mut(&mut grads.dz[big_l - 1], k);
        Zip::from(&mut dz_out)
            .and(fwd.probabilities(k))
            .and(y)
            .for_each(|d, &a, &y| *d = a - y);
        if let Some(weights) = weights {
            for (mut d, y) in dz_out.columns_mut().into_iter().zip(y.columns()) {
                let w = F::of(weights.of_example(y));
                d.mapv_inplace(|v| v * w);
            }
        }
        for l in (0..big_l).rev() {
            let dz = cols(&grads.dz[l], k);
            clock.lap(&mut phases.backward);
            if grads.dw[l].is_empty() {
                // Training: dW is formed block by block in the update (or never, Gram form).
            } else if l == 0 {
                first.weight_gradient(dz, x, inv_m, &mut grads.dw[0]);
            } else {
                let a_prev = fwd.output(l - 1, k);
                matmul(
                    inv_m,
                    &dz,
                    &a_prev.t(),
                    F::zero(),
                    &mut grads.dw[l].view_mut(),
                );
            }
            if l2 != 0.0 && !grads.dw[l].is_empty() {
                regularization::add_l2_gradient(
                    grads.dw[l].view_mut(),
                    self.layers[l].w.view(),
                    l2,
                    k,
                );
            }
            clock.lap(&mut phases.update);
            kernels::scaled_row_sums(dz, inv_m, grads.db[l].view_mut());
            if l > 0 {
                let (lower, upper) = grads.dz.split_at_mut(l);
                let mut da = cols_mut(&mut lower[l - 1], k);
                matmul(
                    F::one(),
                    &self.layers[l].w.t(),
                    &cols(&upper[0], k),
                    F::zero(),
                    &mut da,
                );
                if let Some(d) = fwd.dropout[l - 1].as_ref() {
                    regularization::dropout_backward(da.view_mut(), cols(&d.mask, k), d.keep_prob);
                }
                kernels::activation_backward_in_place(
                    da,
                    cols(&fwd.acts[l - 1], k),
                    self.layers[l - 1].activation,
                );
            }
        }
        clock.lap(&mut phases.backward);
    }

    /// Updates the parameters (update number `t`, from 1, at learning rate `lr`, after a
    /// batch of `k` examples): in place ([`Rollback::Replay`]), or into the spare buffers,
    /// then swapped in. Returns the first layer (from 1) whose new parameters are not
    /// finite; the spare buffers' run then keeps the current ones in place, the replay's has
    /// some of them overwritten ([`Network::restore`] puts them back).
    fn update(
        &mut self,
        ws: &mut Workspace<F>,
        x: ArrayView2<'_, F>,
        optimizer: &Optimizer,
        t: u64,
        lr: f64,
        l2: f64,
    ) -> Option<usize> {
        let k = x.ncols();
        let inv_k = F::of(1.0 / k as f64);
        let mut bad = None;
        for (l, layer) in self.layers.iter_mut().enumerate() {
            let (mw, mb) = &mut ws.moments[l];
            let (weights, b_old, b_new) = match &mut ws.rollback {
                Rollback::Spare(spare) => {
                    let (w_new, b_new) = &mut spare[l];
                    let weights = Weights::Apart(layer.w.view(), w_new);
                    (weights, Some(layer.b.view()), b_new.view_mut())
                }
                Rollback::Replay(_) => (Weights::InPlace(&mut layer.w), None, layer.b.view_mut()),
            };
            let dz = cols(&ws.grads.dz[l], k);
            let w_ok = match (l, &mut ws.first) {
                // C = (1 - αλ/m) C + (α/m) dZ1: the Gram form's update of W1.
                (0, first @ FirstLayer::Gram(_)) => {
                    first.accumulate(dz, lr / k as f64, 1.0 - lr * l2 / k as f64)
                }
                _ => {
                    let a_prev = if l == 0 { x } else { ws.fwd.output(l - 1, k) };
                    fused_weight_step(
                        &mut ws.scratch,
                        l,
                        optimizer,
                        t,
                        lr,
                        mw,
                        weights,
                        dz,
                        a_prev,
                        inv_k,
                        l2,
                    )
                }
            };
            let b_grad = ws.grads.db[l].view().insert_axis(Axis(1));
            let b_ok = mb.step(optimizer, t, lr, b_old, b_grad, b_new);
            if !(w_ok && b_ok) && bad.is_none() {
                bad = Some(l + 1);
            }
        }
        if bad.is_none() {
            self.swap_spare(ws);
        }
        bad
    }

    /// Swaps every layer's parameters with the spare buffers, if the run keeps them: the
    /// update's result in, or (after a bad cost) the previous parameters back.
    fn swap_spare(&mut self, ws: &mut Workspace<F>) {
        let Rollback::Spare(spare) = &mut ws.rollback else {
            return;
        };
        for (l, (layer, (w, b))) in self.layers.iter_mut().zip(spare.iter_mut()).enumerate() {
            if l == 0 {
                ws.first.swap(&mut layer.w, w);
            } else {
                std::mem::swap(&mut layer.w, w);
            }
            std::mem::swap(&mut layer.b, b);
        }
    }

    /// A replayed training step's first half: the batch of `k` examples from `start`
    /// gathered and its forward pass. Returns the batch's `X` and `Y`.
    #[allow(clippy::too_many_arguments)]
    fn forward_batch<'v>(
        &self,
        ws: &mut Workspace<F>,
        batches: &'v mut Batches<F>,
        (x, y): (ArrayView2<'v, F>, ArrayView2<'v, F>),
        (start, k): (usize, usize),
        dropout_rng: &mut NumpyRng,
        clock: &mut PhaseClock,
        phases: &mut PhaseTimes,
    ) -> (ArrayView2<'v, F>, ArrayView2<'v, F>) {
        let (xv, yv, _) = batches.step(x, y, (start, k), None);
        clock.lap(&mut phases.gather);
        forward(self, xv, &mut ws.fwd, &mut ws.first, dropout_rng);
        clock.lap(&mut phases.forward);
        (xv, yv)
    }

    /// A training step's second half, the same in training and in a replay: the backward
    /// pass and update number `t` at rate `lr`. Returns the layer (from 1) whose update was
    /// not finite, if one was.
    fn learn_batch(
        &mut self,
        ws: &mut Workspace<F>,
        (xv, yv): (ArrayView2<'_, F>, ArrayView2<'_, F>),
        config: &TrainConfig,
        (t, lr): (u64, f64),
        clock: &mut PhaseClock,
        phases: &mut PhaseTimes,
    ) -> Option<usize> {
        let costs = (config.l2(), config.class_weights());
        self.backward(
            xv,
            yv,
            &ws.fwd,
            &mut ws.grads,
            &ws.first,
            costs,
            clock,
            phases,
        );
        let bad = self.update(ws, xv, config.optimizer(), t, lr, config.l2());
        clock.lap(&mut phases.update);
        bad
    }

    /// Puts back the parameters after `target` updates, those of the last good cost, when
    /// the ones in place came from a later update (`updated`), or were left half written by
    /// an update that failed (`!updated`): the spare buffers swapped back in, or the
    /// checkpoint restored and its epoch's batches replayed up to `target`.
    #[allow(clippy::too_many_arguments)]
    fn restore(
        &mut self,
        ws: &mut Workspace<F>,
        batches: &mut Batches<F>,
        x: ArrayView2<'_, F>,
        y: ArrayView2<'_, F>,
        config: &TrainConfig,
        target: u64,
        updated: bool,
    ) {
        let Rollback::Replay(checkpoint) = &mut ws.rollback else {
            if updated {
                self.swap_spare(ws);
            }
            return;
        };
        checkpoint.put_back(self, &mut ws.moments);
        let (epoch, from, mut dropout_rng) =
            (checkpoint.epoch, checkpoint.updates, checkpoint.rng.clone());
        let (m, batch) = (x.ncols(), batches.capacity());
        batches.shuffle(config, epoch, m);
        let lr = config.decay().rate_at(config.learning_rate(), epoch);
        let (mut clock, mut phases) = (PhaseClock::new(false), PhaseTimes::default());
        for (t, start) in (from + 1..=target).zip((0..m).step_by(batch)) {
            let k = batch.min(m - start);
            let (xv, yv) = self.forward_batch(
                ws,
                batches,
                (x, y),
                (start, k),
                &mut dropout_rng,
                &mut clock,
                &mut phases,
            );
            let bad = self.learn_batch(ws, (xv, yv), config, (t, lr), &mut clock, &mut phases);
            debug_assert!(bad.is_none(), "a replayed update that passed before failed");
        }
    }
}

/// What a run that did not diverge did: the cost of every completed epoch (iteration), and
/// where it stopped inside an epoch, if a [`TrainControl`](super::TrainControl) stopped it there.
pub(super) struct Descended {
    pub(super) costs: Vec<f64>,
    pub(super) partial: Option<PartialEpoch>,
    /// The order that the weight steps settled on ([`TrainDiagnostics::step_order`]).
    pub(super) step_order: Option<StepOrder>,
}

/// The examples over which a mini-batch run's moving mean cost is taken (all of them when
/// there are fewer): a batch's weight in it is its share of them, so one example's part is
/// the same whatever the batch size, and a real divergence (a cost growing by orders of
/// magnitude) still shows at the batch where it starts.
const DIVERGENCE_WINDOW: usize = 1024;

/// Why `cost` means divergence, if it does; with mini-batches, `window` is the number of
/// examples that `cost` is a moving mean over.
fn divergence(
    cost: f64,
    first: Option<f64>,
    factor: Option<f64>,
    window: Option<usize>,
) -> Option<DivergenceCause> {
    if !cost.is_finite() {
        return Some(DivergenceCause::NonFiniteCost(cost));
    }
    match (first, factor) {
        (Some(start), Some(factor)) if cost > factor * start => Some(DivergenceCause::CostGrew {
            cost,
            start,
            factor,
            window,
        }),
        _ => None,
    }
}

impl<F: Float> Network<F> {
    /// The epoch loop; returns the cost of every completed epoch, and where it stopped
    /// inside one, if it did.
    ///
    /// An epoch's cost is the mean over its batches of each batch's cost (taken before that
    /// batch's update), weighted by batch size; for full-batch training it is the cost of
    /// the iteration, as the exercise reports it.
    ///
    /// On divergence the network is left holding the last parameters whose cost was good
    /// (those before the last update: kept in the spare buffers, or replayed from the
    /// epoch's checkpoint, see [`Rollback`]) and the error says which.
    ///
    /// With a [`TrainControl`](super::TrainControl) attached to `config`, each batch's update
    /// is published to it, and a stop it asks for ends the run after the batch under way:
    /// inside an epoch, with that epoch's updates so far kept ([`Descended::partial`]).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn descend(
        &mut self,
        x: ArrayView2<'_, F>,
        gram: bool,
        y: ArrayView2<'_, F>,
        config: &TrainConfig,
        observer: &mut impl FnMut(Progress, &Network<F>, &FirstLayer<F>) -> ControlFlow<()>,
        phases: &mut PhaseTimes,
    ) -> Result<Descended> {
        let m = x.ncols();
        let total = config.iterations();
        let batch = config.batch_size().map_or(m, |b| b.min(m));
        let minibatch = batch < m;
        let batches = m.div_ceil(batch);
        let sizes = self.layer_sizes();
        let first = match gram {
            true => FirstLayer::Gram(Box::new(Gram::new(
                &self.layers[0].w,
                x,
                config.l2() != 0.0,
            ))),
            false => FirstLayer::Direct,
        };
        // Examples contiguous in X (X is the transpose of an example-major array, as
        // numpy's `x.reshape(m, -1).T`): a batch is gathered as whole rows.
        let example_major = x.nrows() > 1 && x.strides()[0] == 1;
        let params: usize = self.layers.iter().map(|l| l.w.len() + l.b.len()).sum();
        let replay = minibatch && x.len() >= REPLAY_DATA_PER_PARAMETER * params;
        let mut ws = Workspace::new(self, batch, config, first, replay);
        let mut batch_data = Batches::new(self, m, batch, example_major);
        let mut dropout_rng = NumpyRng::new(config.dropout_seed());
        let mut costs = Vec::with_capacity(total.min(PREALLOCATED_COSTS));
        let mut first_cost = None;
        // The moving mean of the batch costs that divergence is judged on, over about
        // `window` examples (the first batch's cost to begin with).
        let mut recent: Option<f64> = None;
        let window = m.min(DIVERGENCE_WINDOW);
        // The step and cost of the parameters before the last update: what a rollback
        // restores.
        let mut before_last_update: Option<LastGood> = None;
        let mut t = 0u64;
        let mut clock =
            PhaseClock::new(report::flops_per_iteration(&sizes, batch) >= PhaseTimes::MIN_FLOPS);
        let control = config.control();
        if let Some(control) = control {
            control.start(total, batches);
        }
        let mut partial = None;

        'epochs: for epoch in 0..total {
            let lr = config.decay().rate_at(config.learning_rate(), epoch);
            if minibatch {
                batch_data.shuffle(config, epoch, m);
            }
            if let Rollback::Replay(checkpoint) = &mut ws.rollback {
                checkpoint.epoch_rng.clone_from(&dropout_rng);
            }
            let mut epoch_sum = 0.0;
            let mut last_cost = f64::NAN;
            for (index, start) in (0..m).step_by(batch).enumerate() {
                let k = batch.min(m - start);
                let step = TrainingStep {
                    epoch,
                    batch: index,
                    batches,
                };
                clock.skip();
                let (xv, yv, next) = match minibatch {
                    true => {
                        let next = (start + k < m).then(|| (start + k, batch.min(m - start - k)));
                        batch_data.step(x, y, (start, k), next)
                    }
                    false => (x, y, None),
                };
                let copy_next = |_member: usize, chunk: usize| {
                    if let Some(copy) = &next {
                        copy.run(chunk);
                    }
                };
                // SAFETY: dropped at the end of the iteration, or before a rollback (which
                // takes `batch_data`) or the end of the run.
                let fetching =
                    unsafe { gemm::beside(next.as_ref().map_or(0, |c| c.chunks()), &copy_next) };
                clock.lap(&mut phases.gather);
                forward(self, xv, &mut ws.fwd, &mut ws.first, &mut dropout_rng);
                clock.lap(&mut phases.forward);
                let data_cost = data_cost(self, &ws.fwd, yv, config.class_weights());
                let l2_term = (config.l2() != 0.0).then(|| {
                    // The Gram form's `W1` is `W1(0)` until training ends: its `‖W1‖²`
                    // comes from the Gram form.
                    let first = (ws.first.squares())
                        .unwrap_or_else(|| sum_of_squares(self.layers[0].w.view()));
                    let rest = self.layers[1..].iter().map(|l| sum_of_squares(l.w.view()));
                    l2_cost_of_squares([first].into_iter().chain(rest), config.l2(), k)
                });
                let cost = l2_term.map_or(data_cost, |term| data_cost + term);
                // Mini-batches are judged on a moving mean of their costs, each weighted by
                // its share of a window of examples, with a smaller last batch's L2 term as
                // a full batch's: alone, one batch holding an outlying example (a target 25
                // standard deviations out, or the L2 term (1/k)(λ/2)Σ‖W‖² over k = 1) would
                // pass for a cost grown many times, at any learning rate.
                let judged = match (minibatch, recent) {
                    (true, Some(mean)) => {
                        let full = l2_term
                            .map_or(data_cost, |term| data_cost + term * k as f64 / batch as f64);
                        mean + (k as f64 / window as f64).min(1.0) * (full - mean)
                    }
                    _ => cost,
                };
                let diverged = divergence(
                    judged,
                    first_cost,
                    config.divergence_factor(),
                    minibatch.then_some(window),
                );
                clock.lap(&mut phases.cost);
                if let Some(cause) = diverged {
                    drop(fetching);
                    // The parameters in place produced this cost; those before the last
                    // update had a good one.
                    if let Some(good) = before_last_update {
                        let (b, u) = (&mut batch_data, good.updates);
                        self.restore(&mut ws, b, x, y, config, u, true);
                    }
                    return self.diverged(x, &ws, step, cause, before_last_update, costs);
                }
                if let (0, Rollback::Replay(checkpoint)) = (index, &mut ws.rollback) {
                    checkpoint.take(self, &ws.moments, epoch, t);
                    clock.lap(&mut phases.update);
                }
                first_cost.get_or_insert(judged);
                recent = Some(judged);
                epoch_sum += cost * k as f64;
                last_cost = cost;
                let good = LastGood {
                    step,
                    cost,
                    updates: t,
                };
                t += 1;
                let bad = self.learn_batch(&mut ws, (xv, yv), config, (t, lr), &mut clock, phases);
                if let Some(layer) = bad {
                    drop(fetching);
                    // Back to the parameters that gave `cost` (still in place if the update
                    // went to the spare buffers).
                    self.restore(&mut ws, &mut batch_data, x, y, config, good.updates, false);
                    let cause = DivergenceCause::NonFiniteParameter { layer, cost };
                    return self.diverged(x, &ws, step, cause, Some(good), costs);
                }
                before_last_update = Some(good);
                // The next batch's chunks that no worker took, copied here.
                drop(fetching);
                clock.lap(&mut phases.gather);
                // Between two batches of an epoch, a stop asked for by the control ends the
                // run here, keeping this epoch's updates so far (after an epoch's last batch
                // the epoch completes first).
                if control.is_some_and(|c| c.applied(t)) && index + 1 < batches {
                    partial = Some(PartialEpoch {
                        epoch,
                        batches_run: index + 1,
                        batches,
                        cost: epoch_sum / (start + k) as f64,
                    });
                    break 'epochs;
                }
            }
            let cost = if minibatch {
                epoch_sum / m as f64
            } else {
                last_cost
            };
            costs.push(cost);
            let progress = Progress {
                iteration: epoch,
                cost,
                total,
            };
            if observer(progress, self, &ws.first).is_break()
                || control.is_some_and(|c| c.stop_due(t))
            {
                break;
            }
        }
        ws.first.finish(&mut self.layers[0].w, x);
        Ok(Descended {
            costs,
            partial,
            step_order: ws.scratch.step_order(),
        })
    }

    /// Ends a diverged run: forms `W1` (Gram form) from the parameters now in place and
    /// builds the error.
    fn diverged(
        &mut self,
        x: ArrayView2<'_, F>,
        ws: &Workspace<F>,
        at: TrainingStep,
        cause: DivergenceCause,
        last_good: Option<LastGood>,
        costs: Vec<f64>,
    ) -> Result<Descended> {
        ws.first.finish(&mut self.layers[0].w, x);
        Err(Divergence {
            at,
            cause,
            last_good,
            costs,
        }
        .into())
    }
}

/// Batches of at least this many elements are gathered by the whole team: copying whole
/// examples from a data matrix far larger than the caches waits on memory, and two cores
/// wait on twice as many lines at once (below this, waking the team costs more than it saves).
const TEAM_GATHER_ELEMENTS: usize = 1 << 15;

/// Copies the examples `order` of `x` (`(n0, m)`, each column contiguous) into the first
/// `order.len()` rows of `xb` (`(batch, n0)`), one contiguous copy per example, and their
/// columns of `y` into `yb`: shared out over the team when the batch is large.
fn gather_examples<F: Float>(
    x: ArrayView2<'_, F>,
    y: ArrayView2<'_, F>,
    order: &[usize],
    xb: &mut Array2<F>,
    yb: &mut Array2<F>,
) {
    let team = order.len() * xb.ncols() >= TEAM_GATHER_ELEMENTS;
    let parts = if team { 2 * gemm::threads() } else { 1 };
    let per = order.len().div_ceil(parts).max(1);
    if !ExampleCopy::<F>::applies(x) {
        for (&j, mut row) in order.iter().zip(xb.rows_mut()) {
            row.assign(&x.column(j));
        }
        gather(y, order, yb);
        return;
    }
    let Some(copy) = ExampleCopy::new(x, y, order, xb, yb, (per, 1)) else {
        unreachable!("checked above");
    };
    if team {
        gemm::on_team(copy.chunks(), &|_member, chunk| copy.run(chunk));
    } else {
        (0..copy.chunks()).for_each(|chunk| copy.run(chunk));
    }
}

/// The copy of a batch's examples into its buffers, a chunk at a time: chunk 0 the labels
/// (their reads are scattered over `y`'s rows, a cache miss each), chunk `c` > 0 part
/// `c - 1`: `per` whole examples, one contiguous copy each, or, where examples are cut into
/// `pieces`, one piece of one example.
struct ExampleCopy<'a, F: Float> {
    x: ArrayView2<'a, F>,
    y: ArrayView2<'a, F>,
    order: &'a [usize],
    /// `xb`'s elements, rows of `n0`.
    to: gemm::SendPtr<F>,
    n0: usize,
    /// `yb`, locked once, by chunk 0 alone.
    labels: Mutex<&'a mut Array2<F>>,
    per: usize,
    pieces: usize,
}

impl<'a, F: Float> ExampleCopy<'a, F> {
    /// Whether `x` keeps each example (column) contiguous.
    fn applies(x: ArrayView2<'_, F>) -> bool {
        x.stride_of(Axis(0)) == 1 || x.nrows() <= 1
    }

    /// The copy of the examples `order` of `x` into the first `order.len()` rows of `xb`
    /// (`(batch, n0)`, contiguous) and their labels into `yb`, in chunks of `per` examples
    /// (`pieces` 1) or of one `pieces`-th of an example (`per` 1); `None` where `x` does not
    /// keep each example contiguous or `xb` is not one contiguous array.
    fn new(
        x: ArrayView2<'a, F>,
        y: ArrayView2<'a, F>,
        order: &'a [usize],
        xb: &'a mut Array2<F>,
        yb: &'a mut Array2<F>,
        (per, pieces): (usize, usize),
    ) -> Option<Self> {
        debug_assert!(order.len() <= xb.nrows() && per > 0 && pieces > 0);
        debug_assert!(per == 1 || pieces == 1);
        let n0 = xb.ncols();
        let to = xb.as_slice_mut().filter(|_| Self::applies(x))?;
        Some(ExampleCopy {
            x,
            y,
            order,
            to: gemm::SendPtr(to.as_mut_ptr()),
            n0,
            labels: Mutex::new(yb),
            per,
            pieces,
        })
    }

    /// The number of chunks.
    fn chunks(&self) -> usize {
        1 + self.order.len().div_ceil(self.per) * self.pieces
    }

    /// Copies chunk `chunk`; each chunk is to be run once.
    fn run(&self, chunk: usize) {
        let Some(part) = chunk.checked_sub(1) else {
            let mut yb = self.labels.lock().unwrap_or_else(|e| e.into_inner());
            gather(self.y, self.order, &mut yb);
            return;
        };
        let n0 = self.n0;
        let (group, piece) = (part / self.pieces, part % self.pieces);
        let length = n0.div_ceil(self.pieces);
        let (from, to) = (piece * length, n0.min((piece + 1) * length));
        if from >= to {
            return;
        }
        for (i, &j) in self
            .order
            .iter()
            .enumerate()
            .skip(group * self.per)
            .take(self.per)
        {
            let column = self.x.column(j);
            // SAFETY: column `j` is `n0` contiguous elements (`applies`); row `i` of `xb` is
            // `n0` elements at `i * n0` (`xb` is contiguous and has at least `order.len()`
            // rows), `from..to` lies in both, and each piece of a row is written by one chunk
            // only.
            unsafe {
                let (source, target) =
                    (column.as_ptr().add(from), self.to.get().add(i * n0 + from));
                std::ptr::copy_nonoverlapping(source, target, to - from);
            }
        }
    }
}

/// Copies the columns `order` of `src` into the first `order.len()` columns of `dst`.
fn gather<F: Float>(src: ArrayView2<'_, F>, order: &[usize], dst: &mut Array2<F>) {
    for (src_row, mut dst_row) in src.rows().into_iter().zip(dst.rows_mut()) {
        for (d, &j) in dst_row.iter_mut().zip(order) {
            *d = src_row[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::ExampleCopy;
    use crate::NumpyRng;

    #[test]
    fn a_batch_copied_in_chunks_of_whole_examples_or_of_pieces_is_the_picked_columns() {
        // X stored example by example (its transpose contiguous), as pictures and CSV rows
        // are; 17 of its 40 examples picked, into buffers of 20. Chunks run in reverse, as a
        // worker takes them from the back.
        let mut rng = NumpyRng::new(3);
        let rows = rng.randn(40, 50);
        let x = rows.t();
        let y = rng.randn(3, 40);
        let order = [39, 0, 7, 7, 12, 33, 5, 21, 2, 38, 16, 9, 30, 1, 25, 18, 11];
        for (per, pieces) in [
            (1, 1),
            (4, 1),
            (17, 1),
            (100, 1),
            (1, 2),
            (1, 3),
            (1, 7),
            (1, 50),
        ] {
            let (mut xb, mut yb) = (Array2::<f64>::zeros((20, 50)), Array2::zeros((3, 20)));
            let copy = ExampleCopy::new(x, y.view(), &order, &mut xb, &mut yb, (per, pieces))
                .expect("examples contiguous");
            (0..copy.chunks()).rev().for_each(|chunk| copy.run(chunk));
            for (i, &j) in order.iter().enumerate() {
                assert_eq!(xb.row(i), x.column(j), "{per} x {pieces}: example {i}");
                assert_eq!(yb.column(i), y.column(j), "{per} x {pieces}: labels {i}");
            }
            assert!(xb
                .rows()
                .into_iter()
                .skip(order.len())
                .all(|r| r.iter().all(|&v| v == 0.0)));
        }
        // Examples that are not contiguous are not copied this way.
        let by_features = rows.t().as_standard_layout().into_owned();
        let (mut xb, mut yb) = (Array2::<f64>::zeros((20, 50)), Array2::zeros((3, 20)));
        assert!(ExampleCopy::new(
            by_features.view(),
            y.view(),
            &order,
            &mut xb,
            &mut yb,
            (1, 1)
        )
        .is_none());
    }
}
