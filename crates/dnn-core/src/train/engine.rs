//! The training loop itself: buffers allocated once, forward and backward passes on a batch,
//! the update, and the epoch loop with mini-batches, dropout and divergence checks.

use std::ops::ControlFlow;

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis, Zip};

use super::gram::{largest_gemm, Gram};
use super::{divergence, Progress, TrainConfig};
use crate::activation::{softmax_columns, Activation};
use crate::error::{DnnError, Result};
use crate::network::Network;
use crate::optim::{Moments, Optimizer};
use crate::rng::{permutation_into, NumpyRng};
use crate::{blas, kernels, Float};

/// Buffers for one training run, allocated once before the first iteration. Every
/// per-example buffer has `cap` columns (the batch size); a smaller last batch uses the
/// first `k` of them.
pub(super) struct Workspace<F: Float> {
    /// `A[l]` for `l = 1..=L` (index `l - 1`), each `(n[l], cap)`: the activation's output,
    /// before dropout.
    acts: Vec<Array2<F>>,
    /// For a hidden layer with dropout: its mask `D` (0 or 1) and `A D / keep_prob`, the
    /// next layer's input. Empty where there is no dropout.
    masks: Vec<Array2<F>>,
    dropped: Vec<Array2<F>>,
    /// `Z[L]`, the output logits, kept for the stable cost.
    logits: Array2<F>,
    /// `dZ[l]`, each `(n[l], cap)`; `dZ[l-1]` is first written as `dA[l-1]`, then scaled in place.
    dz: Vec<Array2<F>>,
    /// `dW[l]`; empty for layer 1 in the Gram form, which never forms `dW1`.
    dw: Vec<Array2<F>>,
    db: Vec<Array1<F>>,
    /// The other half of a double buffer: the update writes here, then swaps, so the
    /// previous parameters survive one update (for rollback on divergence).
    /// Layer 1's `W` half is empty in the Gram form (its state is [`Gram::c`]).
    spare: Vec<(Array2<F>, Array2<F>)>,
    /// The optimiser's running averages for `(W[l], b[l])`.
    moments: Vec<(Moments<F>, Moments<F>)>,
    /// The first layer in Gram form, when that is cheaper (see [`Network::train`]).
    gram: Option<Gram>,
    /// The epoch's shuffled example order (mini-batches only).
    order: Vec<usize>,
}

impl<F: Float> Workspace<F> {
    pub(super) fn new(net: &Network<F>, cap: usize, config: &TrainConfig) -> Self {
        let shapes = |n: usize| Array2::zeros((n, cap));
        let hidden = net.layers.len() - 1;
        // A (n[l], cap) buffer for each hidden layer with dropout, empty elsewhere.
        let dropout_buffers = || -> Vec<Array2<F>> {
            (0..net.layers.len())
                .map(|l| match l < hidden && config.keep_prob(l) < 1.0 {
                    true => shapes(net.layers[l].w.nrows()),
                    false => Array2::zeros((0, 0)),
                })
                .collect()
        };
        Workspace {
            acts: net.layers.iter().map(|l| shapes(l.w.nrows())).collect(),
            masks: dropout_buffers(),
            dropped: dropout_buffers(),
            logits: shapes(net.output_size()),
            dz: net.layers.iter().map(|l| shapes(l.w.nrows())).collect(),
            dw: net
                .layers
                .iter()
                .map(|l| Array2::zeros(l.w.dim()))
                .collect(),
            db: net
                .layers
                .iter()
                .map(|l| Array1::zeros(l.w.nrows()))
                .collect(),
            spare: net
                .layers
                .iter()
                .map(|l| (l.w.clone(), l.b.clone()))
                .collect(),
            moments: net
                .layers
                .iter()
                .map(|l| {
                    (
                        Moments::new(config.optimizer(), l.w.dim()),
                        Moments::new(config.optimizer(), l.b.dim()),
                    )
                })
                .collect(),
            gram: None,
            order: Vec::new(),
        }
    }

    /// A workspace that trains the first layer in Gram form on `x` (full batch only).
    pub(super) fn with_gram<X: Float>(
        net: &Network<F>,
        x: ArrayView2<'_, X>,
        config: &TrainConfig,
    ) -> Self {
        let mut ws = Workspace::new(net, x.ncols(), config);
        ws.dw[0] = Array2::zeros((0, 0));
        ws.spare[0].0 = Array2::zeros((0, 0));
        ws.gram = Some(Gram::new(&net.layers[0].w, x));
        ws
    }

    /// The output layer's logits `Z[L]`.
    pub(super) fn logits(&self) -> &Array2<F> {
        &self.logits
    }

    /// `(dW[l], db[l])` of the last backward pass, layer by layer.
    pub(super) fn into_gradients(self) -> impl Iterator<Item = (Array2<F>, Array1<F>)> {
        self.dw.into_iter().zip(self.db)
    }
}

/// The input of layer `l + 1` for the first `k` examples: `A[l]`, or its dropped-out copy.
fn output<'a, F: Float>(
    acts: &'a [Array2<F>],
    dropped: &'a [Array2<F>],
    l: usize,
    k: usize,
) -> ArrayView2<'a, F> {
    if dropped[l].is_empty() {
        cols(&acts[l], k)
    } else {
        cols(&dropped[l], k)
    }
}

/// The per-batch cost: the cross-entropy of the batch plus, with L2, `(1/k)(λ/2) Σ ‖W[l]‖²`.
fn batch_cost<F: Float>(
    net: &Network<F>,
    ws: &Workspace<F>,
    y: ArrayView2<'_, F>,
    k: usize,
    l2: f64,
) -> f64 {
    let ce = crate::cost::from_logits(net.output_activation(), cols(&ws.logits, k), y);
    if l2 == 0.0 {
        return ce;
    }
    let squares: f64 = net
        .layers
        .iter()
        .map(|layer| {
            layer
                .w
                .iter()
                .map(|&w| w.to_f64_lossless() * w.to_f64_lossless())
                .sum::<f64>()
        })
        .sum();
    ce + (1.0 / k as f64) * (l2 / 2.0) * squares
}

impl<F: Float> Network<F> {
    /// The forward pass on the first `x.ncols()` columns of the workspace. With dropout,
    /// each hidden layer's mask is drawn from `rng` as numpy's `rand(n[l], k) < keep_prob`.
    pub(super) fn forward(
        &self,
        x: ArrayView2<'_, F>,
        ws: &mut Workspace<F>,
        config: &TrainConfig,
        rng: &mut NumpyRng,
    ) {
        let k = x.ncols();
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            let (before, rest) = ws.acts.split_at_mut(l);
            let a_prev = if l == 0 {
                x
            } else {
                output(before, &ws.dropped, l - 1, k)
            };
            let out = if l < last {
                &mut rest[0]
            } else {
                &mut ws.logits
            };
            let mut z = cols_mut(out, k);
            match (l, ws.gram.as_mut()) {
                (0, Some(gram)) => gram.linear(z.view_mut()),
                _ => general_mat_mul(F::one(), &layer.w, &a_prev, F::zero(), &mut z),
            }
            if l < last {
                // Bias and activation fused in one pass.
                kernels::bias_activation_in_place(z, &layer.b, layer.activation);
                if !ws.masks[l].is_empty() {
                    drop_out(ws, l, k, config.keep_prob(l), rng);
                }
            } else {
                kernels::add_bias_in_place(z, &layer.b);
                // AL = sigmoid(Z[L]) or softmax(Z[L]); the logits stay for the stable cost.
                let activation = layer.activation;
                if activation == Activation::Softmax {
                    softmax_columns(cols(&ws.logits, k), cols_mut(&mut rest[0], k));
                } else {
                    Zip::from(cols_mut(&mut rest[0], k))
                        .and(cols(&ws.logits, k))
                        .for_each(|a, &z| *a = activation.apply(z));
                }
            }
        }
    }

    /// The backward pass for a batch of `k = x.ncols()` examples: `dZ[L] = AL - Y`,
    /// `dW = (1/k) dZ A_prevᵀ + (λ/k) W`, `db = (1/k) Σ dZ`, `dA_prev = Wᵀ dZ` (times the
    /// dropout mask over `keep_prob`), never `dA0`.
    pub(super) fn backward(
        &self,
        x: ArrayView2<'_, F>,
        y: ArrayView2<'_, F>,
        ws: &mut Workspace<F>,
        config: &TrainConfig,
    ) {
        let k = x.ncols();
        let inv_m = F::of(1.0 / k as f64);
        let l2 = config.l2();
        let big_l = self.layers.len();
        Zip::from(cols_mut(&mut ws.dz[big_l - 1], k))
            .and(cols(&ws.acts[big_l - 1], k))
            .and(y)
            .for_each(|d, &a, &y| *d = a - y);
        for l in (0..big_l).rev() {
            let dz = cols(&ws.dz[l], k);
            // The Gram form never forms dW1: the update accumulates dZ1 instead.
            if !(l == 0 && ws.gram.is_some()) {
                let a_prev = if l == 0 {
                    x
                } else {
                    output(&ws.acts, &ws.dropped, l - 1, k)
                };
                general_mat_mul(inv_m, &dz, &a_prev.t(), F::zero(), &mut ws.dw[l]);
                if l2 != 0.0 {
                    // The course's `+ (λ W) / m`, in that order.
                    let (lambda, m) = (F::of(l2), F::of(k as f64));
                    ws.dw[l].zip_mut_with(&self.layers[l].w, |d, &w| *d = *d + (lambda * w) / m);
                }
            }
            kernels::scaled_row_sums(dz, inv_m, ws.db[l].view_mut());
            if l > 0 {
                let (lower, upper) = ws.dz.split_at_mut(l);
                let mut da = cols_mut(&mut lower[l - 1], k);
                general_mat_mul(
                    F::one(),
                    &self.layers[l].w.t(),
                    &cols(&upper[0], k),
                    F::zero(),
                    &mut da,
                );
                if !ws.masks[l - 1].is_empty() {
                    let keep = F::of(config.keep_prob(l - 1));
                    Zip::from(da.view_mut())
                        .and(cols(&ws.masks[l - 1], k))
                        .for_each(|d, &mask| *d = *d * mask / keep);
                }
                kernels::activation_backward_in_place(
                    da,
                    cols(&ws.acts[l - 1], k),
                    self.layers[l - 1].activation,
                );
            }
        }
    }

    /// Writes the updated parameters (update number `t`, from 1, at learning rate `lr`)
    /// into the spare buffers and swaps them in. Returns the first layer (from 1) whose new
    /// parameters are not finite, leaving the current ones in place in that case. `step` is
    /// `lr / m`, the Gram form's factor in `C += (lr / m) dZ1`.
    pub(super) fn update(
        &mut self,
        optimizer: &Optimizer,
        t: u64,
        lr: f64,
        step: f64,
        ws: &mut Workspace<F>,
    ) -> Option<usize> {
        let mut bad = None;
        for (l, (layer, (w_new, b_new))) in self.layers.iter().zip(ws.spare.iter_mut()).enumerate()
        {
            let (mw, mb) = &mut ws.moments[l];
            let w_ok = match (&mut ws.gram, l) {
                (Some(gram), 0) => {
                    kernels::accumulate(gram.c.view(), ws.dz[0].view(), step, &mut gram.c_spare)
                }
                _ => mw.step(optimizer, t, lr, layer.w.view(), ws.dw[l].view(), w_new),
            };
            let b_ok = mb.step(
                optimizer,
                t,
                lr,
                layer.b.view(),
                ws.db[l].view().insert_axis(Axis(1)),
                b_new,
            );
            if !(w_ok && b_ok) && bad.is_none() {
                bad = Some(l + 1);
            }
        }
        if bad.is_none() {
            self.swap_spare(ws);
        }
        bad
    }

    pub(super) fn swap_spare(&mut self, ws: &mut Workspace<F>) {
        for (l, (layer, (w, b))) in self.layers.iter_mut().zip(ws.spare.iter_mut()).enumerate() {
            match (&mut ws.gram, l) {
                (Some(gram), 0) => std::mem::swap(&mut gram.c, &mut gram.c_spare),
                _ => std::mem::swap(&mut layer.w, w),
            }
            std::mem::swap(&mut layer.b, b);
        }
    }

    /// In the Gram form `W1` still holds `W1(0)` during training: forms
    /// `W1 = W1(0) - C Xᵀ` from the current `C`, once, when training ends (however it ends).
    fn finish_first_layer<X: Float>(&mut self, x: ArrayView2<'_, X>, ws: &Workspace<F>) {
        if let Some(gram) = &ws.gram {
            gram.finish(&mut self.layers[0].w, x);
        }
    }

    /// The epoch loop; returns the cost of every epoch. `x` is the data in any type (for the
    /// Gram form's set-up and final `W1`); `x_direct` is the same data as `F`, read only
    /// outside the Gram form (so it may be empty in it).
    ///
    /// An epoch's cost is the mean over its batches of each batch's cost (taken before that
    /// batch's update), weighted by batch size; for full-batch training it is the cost of
    /// the iteration, as the exercise reports it.
    pub(super) fn descend<X: Float>(
        &mut self,
        x: ArrayView2<'_, X>,
        x_direct: ArrayView2<'_, F>,
        gram: bool,
        y: ArrayView2<'_, F>,
        config: &TrainConfig,
        observer: &mut impl FnMut(Progress) -> ControlFlow<()>,
    ) -> Result<Vec<f64>> {
        let m = x.ncols();
        let total = config.iterations();
        let batch = config.batch_size().map_or(m, |b| b.min(m));
        let minibatch = batch < m;
        let sizes = self.layer_sizes();
        let mut ws = if gram {
            Workspace::with_gram(self, x, config)
        } else {
            Workspace::new(self, batch, config)
        };
        ws.order.reserve(if minibatch { m } else { 0 });
        // A mini-batch gathered from X and Y (unused for full-batch training).
        let (mut xb, mut yb) = if minibatch {
            (
                Array2::zeros((x_direct.nrows(), batch)),
                Array2::zeros((y.nrows(), batch)),
            )
        } else {
            (Array2::zeros((0, 0)), Array2::zeros((0, 0)))
        };
        let mut dropout_rng = NumpyRng::new(config.dropout_seed());
        let mut costs = Vec::with_capacity(total);
        let mut first_cost = None;
        let mut t = 0u64;
        // Small per-iteration products run faster on one OpenBLAS thread (see `blas`).
        let _threads = (largest_gemm(&sizes, batch, gram) < blas::SINGLE_THREAD_FLOPS)
            .then(blas::SingleThreaded::new);

        for epoch in 0..total {
            let lr = config.decay().rate_at(config.learning_rate(), epoch);
            if minibatch {
                // np.random.seed(seed + epoch); np.random.permutation(m): the course's
                // random_mini_batches, reseeded every epoch.
                let mut shuffle = NumpyRng::new(config.shuffle_seed().wrapping_add(epoch as u32));
                permutation_into(&mut shuffle, m, &mut ws.order);
            }
            let (mut epoch_sum, mut last_cost) = (0.0, f64::NAN);
            let mut failure = None;
            for (index, start) in (0..m).step_by(batch).enumerate() {
                let k = batch.min(m - start);
                if minibatch {
                    gather(x_direct, &ws.order[start..start + k], &mut xb);
                    gather(y, &ws.order[start..start + k], &mut yb);
                }
                let (xv, yv) = if minibatch {
                    (cols(&xb, k), cols(&yb, k))
                } else {
                    (x_direct, y)
                };
                self.forward(xv, &mut ws, config, &mut dropout_rng);
                let cost = batch_cost(self, &ws, yv, k, config.l2());
                if let Some(reason) = divergence(cost, first_cost, config.divergence_factor()) {
                    // The parameters in place produced this cost; the spare buffer holds the
                    // ones before the last update.
                    let last_good = (t > 0).then(|| {
                        self.swap_spare(&mut ws);
                        if index > 0 {
                            epoch
                        } else {
                            epoch - 1
                        }
                    });
                    failure = Some((cost, reason, last_good));
                    break;
                }
                first_cost.get_or_insert(cost);
                (epoch_sum, last_cost) = (epoch_sum + cost * k as f64, cost);
                self.backward(xv, yv, &mut ws, config);
                t += 1;
                if let Some(layer) = self.update(config.optimizer(), t, lr, lr / k as f64, &mut ws)
                {
                    let reason = format!(
                        "the update made W{layer} or b{layer} non-finite (cost was {cost})"
                    );
                    failure = Some((cost, reason, Some(epoch)));
                    break;
                }
            }
            if let Some((cost, reason, last_good)) = failure {
                self.finish_first_layer(x, &ws);
                return Err(DnnError::Diverged {
                    iteration: epoch,
                    cost,
                    reason,
                    last_good,
                    costs,
                });
            }
            let cost = if minibatch {
                epoch_sum / m as f64
            } else {
                last_cost
            };
            costs.push(cost);
            if observer(Progress {
                iteration: epoch,
                cost,
                total,
            })
            .is_break()
            {
                break;
            }
        }
        self.finish_first_layer(x, &ws);
        Ok(costs)
    }
}

/// Draws layer `l`'s dropout mask `D = rand(n[l], k) < keep_prob` (numpy's order) and writes
/// `A D / keep_prob` as the next layer's input.
fn drop_out<F: Float>(
    ws: &mut Workspace<F>,
    l: usize,
    k: usize,
    keep_prob: f64,
    rng: &mut NumpyRng,
) {
    let keep = F::of(keep_prob);
    for mut row in cols_mut(&mut ws.masks[l], k).rows_mut() {
        for d in row.iter_mut() {
            *d = if rng.next_double() < keep_prob {
                F::one()
            } else {
                F::zero()
            };
        }
    }
    Zip::from(cols_mut(&mut ws.dropped[l], k))
        .and(cols(&ws.acts[l], k))
        .and(cols(&ws.masks[l], k))
        .for_each(|o, &a, &d| *o = a * d / keep);
}

/// Copies the columns `order` of `src` into the first `order.len()` columns of `dst`.
fn gather<F: Float>(src: ArrayView2<'_, F>, order: &[usize], dst: &mut Array2<F>) {
    for (src_row, mut dst_row) in src.rows().into_iter().zip(dst.rows_mut()) {
        for (d, &j) in dst_row.iter_mut().zip(order) {
            *d = src_row[j];
        }
    }
}

/// The first `k` columns of `a`. (Not `slice`: ndarray gives a one-row slice a zero row
/// stride, which BLAS refuses, and the product then falls back to a path that allocates.)
fn cols<F: Float>(a: &Array2<F>, k: usize) -> ArrayView2<'_, F> {
    a.view().split_at(Axis(1), k).0
}

/// The first `k` columns of `a`, mutable (see [`cols`]).
fn cols_mut<F: Float>(a: &mut Array2<F>, k: usize) -> ArrayViewMut2<'_, F> {
    a.view_mut().split_at(Axis(1), k).0
}
