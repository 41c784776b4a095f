//! Full-batch gradient descent: checked hyper-parameters, the training loop and its report.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::cost::cross_entropy_from_logits;
use crate::error::{DnnError, Result};
use crate::kernels;
use crate::network::Network;
use crate::Float;

/// The default [`TrainParams::divergence_factor`]: training stops when the cost exceeds
/// ten times its value at iteration 0.
pub const DEFAULT_DIVERGENCE_FACTOR: f64 = 10.0;

/// Hyper-parameters for [`Network::train`], unchecked; [`TrainParams::check`] validates
/// them once into a [`TrainConfig`] so the training loop never re-validates.
///
/// ```
/// use dnn_core::TrainParams;
/// let config = TrainParams::new().learning_rate(0.0075).iterations(2500).check()?;
/// assert_eq!(config.iterations(), 2500);
/// assert!(TrainParams::new().learning_rate(-1.0).check().is_err());
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams {
    learning_rate: f64,
    iterations: usize,
    divergence_factor: Option<f64>,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            learning_rate: 0.0075,
            iterations: 2500,
            divergence_factor: Some(DEFAULT_DIVERGENCE_FACTOR),
        }
    }
}

impl TrainParams {
    /// The published L-layer set-up: learning rate 0.0075, 2500 iterations.
    pub fn new() -> Self {
        Self::default()
    }

    /// The gradient-descent step size α (finite, > 0).
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// The number of full-batch iterations (> 0).
    pub fn iterations(mut self, iterations: usize) -> Self {
        self.iterations = iterations;
        self
    }

    /// Stop with [`DnnError::Diverged`] when the cost exceeds `factor` times its value at
    /// iteration 0 (`factor` > 1; default [`DEFAULT_DIVERGENCE_FACTOR`]); `None` checks
    /// only for NaN and infinity.
    pub fn divergence_factor(mut self, factor: Option<f64>) -> Self {
        self.divergence_factor = factor;
        self
    }

    /// Validates every value, naming the first that is out of range.
    pub fn check(self) -> Result<TrainConfig> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(DnnError::InvalidParameter {
                name: "learning rate",
                value: self.learning_rate.to_string(),
                reason: "it must be a finite number greater than 0",
            });
        }
        if self.iterations == 0 {
            return Err(DnnError::InvalidParameter {
                name: "number of iterations",
                value: "0".into(),
                reason: "train for at least 1 iteration",
            });
        }
        if let Some(f) = self.divergence_factor {
            if !(f.is_finite() && f > 1.0) {
                return Err(DnnError::InvalidParameter {
                    name: "divergence factor",
                    value: f.to_string(),
                    reason: "it must be a finite number greater than 1",
                });
            }
        }
        Ok(TrainConfig(self))
    }
}

/// Hyper-parameters that passed [`TrainParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig(TrainParams);

impl TrainConfig {
    /// α.
    pub fn learning_rate(&self) -> f64 {
        self.0.learning_rate
    }
    /// The number of iterations.
    pub fn iterations(&self) -> usize {
        self.0.iterations
    }
    /// The divergence factor, if any.
    pub fn divergence_factor(&self) -> Option<f64> {
        self.0.divergence_factor
    }
}

/// What the observer of [`Network::train`] sees after each iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// The iteration just completed, from 0.
    pub iteration: usize,
    /// The cost computed in that iteration's forward pass (before its update),
    /// as the exercise reports it.
    pub cost: f64,
    /// The total number of iterations planned.
    pub total: usize,
}

/// What a training run did.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    costs: Vec<f64>,
    planned: usize,
    elapsed: Duration,
    flops_per_iteration: f64,
}

impl TrainReport {
    /// The cost of every completed iteration, in order.
    pub fn costs(&self) -> &[f64] {
        &self.costs
    }

    /// `(iteration, cost)` for every `every`-th iteration and the last one completed,
    /// as the exercise prints them.
    pub fn costs_every(&self, every: usize) -> Vec<(usize, f64)> {
        let every = every.max(1);
        let last = self.costs.len().saturating_sub(1);
        self.costs
            .iter()
            .enumerate()
            .filter(|&(i, _)| i % every == 0 || i == last)
            .map(|(i, &c)| (i, c))
            .collect()
    }

    /// The cost of the last completed iteration.
    pub fn final_cost(&self) -> Option<f64> {
        self.costs.last().copied()
    }

    /// How many iterations ran.
    pub fn iterations_run(&self) -> usize {
        self.costs.len()
    }

    /// Whether the observer stopped training before the planned number of iterations.
    pub fn stopped_early(&self) -> bool {
        self.costs.len() < self.planned
    }

    /// Wall time of the training loop alone.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Useful floating-point operations per iteration: the GEMMs of the forward pass,
    /// of `dW[l]`, and of `dA[l-1]` for `l >= 2` (the input gradient `dA0` is never computed).
    pub fn flops_per_iteration(&self) -> f64 {
        self.flops_per_iteration
    }

    /// Achieved speed: useful FLOPs of the run divided by [`TrainReport::elapsed`], in GFLOP/s.
    pub fn gflops(&self) -> f64 {
        self.flops_per_iteration * self.costs.len() as f64
            / self.elapsed.as_secs_f64().max(1e-12)
            / 1e9
    }
}

/// Buffers for one training run, allocated once before the first iteration.
struct Workspace<F: Float> {
    /// `A[l]` for `l = 1..=L` (index `l - 1`), each `(n[l], m)`.
    acts: Vec<Array2<F>>,
    /// `Z[L]`, the output logits, kept for the stable cost.
    logits: Array2<F>,
    /// `dZ[l]`, each `(n[l], m)`; `dZ[l-1]` is first written as `dA[l-1]`, then scaled in place.
    dz: Vec<Array2<F>>,
    dw: Vec<Array2<F>>,
    db: Vec<Array1<F>>,
    /// The other half of a double buffer: the update writes here, then swaps, so the
    /// previous parameters survive one iteration (for rollback on divergence).
    spare: Vec<(Array2<F>, Array2<F>)>,
}

impl<F: Float> Workspace<F> {
    fn new(net: &Network<F>, m: usize) -> Self {
        let shapes = |n: usize| Array2::zeros((n, m));
        Workspace {
            acts: net.layers.iter().map(|l| shapes(l.w.nrows())).collect(),
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
        }
    }
}

fn flops_per_iteration(sizes: &[usize], m: usize) -> f64 {
    sizes
        .windows(2)
        .enumerate()
        .map(|(i, p)| {
            let gemm = 2.0 * (p[0] * p[1] * m) as f64;
            // forward + dW, and dA_prev except for the first layer
            gemm * if i == 0 { 2.0 } else { 3.0 }
        })
        .sum()
}

impl<F: Float> Network<F> {
    /// Trains without an observer; see [`Network::train`].
    pub fn fit(
        &mut self,
        x: &Array2<F>,
        y: &Array2<F>,
        config: &TrainConfig,
    ) -> Result<TrainReport> {
        self.train(x, y, config, |_| ControlFlow::Continue(()))
    }

    /// Full-batch gradient descent on `x` (`(n[0], m)`) and `y` (`(n[L], m)`).
    ///
    /// Each iteration runs the forward pass, the cost, the backward pass and the
    /// update, then calls `observer` with the iteration and its cost; returning
    /// `ControlFlow::Break(())` stops training there (the update is kept).
    ///
    /// Where it departs from the textbook form (same math, fewer passes):
    /// * `dZ[L] = AL - Y` directly, and the cost from the logits `Z[L]`
    ///   ([`cross_entropy_from_logits`]), so saturated outputs stay finite;
    /// * bias and activation are fused into one pass after each GEMM, and the
    ///   derivatives are taken from `A[l]`, so `Z[l]` is never stored;
    /// * `dA0`, the gradient with respect to the input, is never computed;
    /// * every buffer is allocated before the first iteration and reused.
    ///
    /// # Errors
    /// Shape and finiteness errors for `x` and `y` before any work;
    /// [`DnnError::Diverged`] if the cost or a parameter becomes NaN or infinite,
    /// or the cost exceeds the divergence factor times its starting value. The
    /// network then holds the last parameters whose cost was good.
    pub fn train(
        &mut self,
        x: &Array2<F>,
        y: &Array2<F>,
        config: &TrainConfig,
        mut observer: impl FnMut(Progress) -> ControlFlow<()>,
    ) -> Result<TrainReport> {
        self.check_input(x.view())?;
        self.check_labels(x.view(), y.view())?;
        let m = x.ncols();
        let total = config.iterations();
        let lr = F::of(config.learning_rate());
        let inv_m = F::of(1.0 / m as f64);
        let mut ws = Workspace::new(self, m);
        let mut costs = Vec::with_capacity(total);
        let flops = flops_per_iteration(&self.layer_sizes(), m);
        let start = Instant::now();

        for iteration in 0..total {
            self.forward(x.view(), &mut ws);
            let cost = cross_entropy_from_logits(ws.logits.view(), y.view());
            if let Some(reason) =
                divergence(cost, costs.first().copied(), config.divergence_factor())
            {
                // The parameters in place produced this cost; the spare buffer holds the previous ones.
                let last_good = iteration.checked_sub(1);
                if last_good.is_some() {
                    self.swap_spare(&mut ws);
                }
                return Err(DnnError::Diverged {
                    iteration,
                    cost,
                    reason,
                    last_good,
                    costs,
                });
            }
            costs.push(cost);
            self.backward(x.view(), y.view(), inv_m, &mut ws);
            if let Some(layer) = self.update(lr, &mut ws) {
                return Err(DnnError::Diverged {
                    iteration,
                    cost,
                    reason: format!(
                        "the update made W{layer} or b{layer} non-finite (cost was {cost})"
                    ),
                    last_good: Some(iteration),
                    costs,
                });
            }
            if observer(Progress {
                iteration,
                cost,
                total,
            })
            .is_break()
            {
                break;
            }
        }
        Ok(TrainReport {
            costs,
            planned: total,
            elapsed: start.elapsed(),
            flops_per_iteration: flops,
        })
    }

    /// The cost `J` on `(x, y)`, computed stably from the logits as training does.
    pub fn cost(&self, x: &Array2<F>, y: &Array2<F>) -> Result<f64> {
        self.check_input(x.view())?;
        self.check_labels(x.view(), y.view())?;
        let mut ws = Workspace::new(self, x.ncols());
        self.forward(x.view(), &mut ws);
        Ok(cross_entropy_from_logits(ws.logits.view(), y.view()))
    }

    /// The gradients `(dW[l], db[l])` for `l = 1..=L` (index `l - 1`) that one training
    /// iteration on `(x, y)` would apply, from the engine's own backward pass.
    pub fn gradients(&self, x: &Array2<F>, y: &Array2<F>) -> Result<Vec<(Array2<F>, Array2<F>)>> {
        self.check_input(x.view())?;
        self.check_labels(x.view(), y.view())?;
        let mut ws = Workspace::new(self, x.ncols());
        self.forward(x.view(), &mut ws);
        self.backward(x.view(), y.view(), F::of(1.0 / x.ncols() as f64), &mut ws);
        Ok(ws
            .dw
            .into_iter()
            .zip(ws.db)
            .map(|(dw, db)| (dw, db.insert_axis(Axis(1))))
            .collect())
    }

    fn forward(&self, x: ArrayView2<'_, F>, ws: &mut Workspace<F>) {
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            let (before, rest) = ws.acts.split_at_mut(l);
            let a_prev = if l == 0 { x } else { before[l - 1].view() };
            if l < last {
                kernels::linear_activation(
                    &layer.w,
                    &layer.b,
                    a_prev,
                    layer.activation,
                    rest[0].view_mut(),
                );
            } else {
                // Keep the logits for the stable cost; AL = sigmoid(Z[L]).
                general_mat_mul(F::one(), &layer.w, &a_prev, F::zero(), &mut ws.logits);
                kernels::add_bias_in_place(ws.logits.view_mut(), &layer.b);
                rest[0].zip_mut_with(&ws.logits, |a, &z| *a = layer.activation.apply(z));
            }
        }
    }

    fn backward(
        &self,
        x: ArrayView2<'_, F>,
        y: ArrayView2<'_, F>,
        inv_m: F,
        ws: &mut Workspace<F>,
    ) {
        let big_l = self.layers.len();
        // dZ[L] = AL - Y
        ws.dz[big_l - 1].zip_mut_with(&ws.acts[big_l - 1], |d, &a| *d = a);
        ws.dz[big_l - 1].zip_mut_with(&y, |d, &y| *d = *d - y);
        for l in (0..big_l).rev() {
            let a_prev = if l == 0 { x } else { ws.acts[l - 1].view() };
            general_mat_mul(inv_m, &ws.dz[l], &a_prev.t(), F::zero(), &mut ws.dw[l]);
            kernels::scaled_row_sums(ws.dz[l].view(), inv_m, ws.db[l].view_mut());
            if l > 0 {
                let (lower, upper) = ws.dz.split_at_mut(l);
                general_mat_mul(
                    F::one(),
                    &self.layers[l].w.t(),
                    &upper[0],
                    F::zero(),
                    &mut lower[l - 1],
                );
                kernels::activation_backward_in_place(
                    lower[l - 1].view_mut(),
                    ws.acts[l - 1].view(),
                    self.layers[l - 1].activation,
                );
            }
        }
    }

    /// Writes the updated parameters into the spare buffers and swaps them in.
    /// Returns the first layer (from 1) whose new parameters are not finite, leaving
    /// the current ones in place in that case.
    fn update(&mut self, lr: F, ws: &mut Workspace<F>) -> Option<usize> {
        let mut bad = None;
        for (l, (layer, (w_new, b_new))) in self.layers.iter().zip(ws.spare.iter_mut()).enumerate()
        {
            let w_ok = kernels::descend(&layer.w, ws.dw[l].view(), lr, w_new);
            let b_ok = kernels::descend(&layer.b, ws.db[l].view().insert_axis(Axis(1)), lr, b_new);
            if !(w_ok && b_ok) && bad.is_none() {
                bad = Some(l + 1);
            }
        }
        if bad.is_none() {
            self.swap_spare(ws);
        }
        bad
    }

    fn swap_spare(&mut self, ws: &mut Workspace<F>) {
        for (layer, (w, b)) in self.layers.iter_mut().zip(ws.spare.iter_mut()) {
            std::mem::swap(&mut layer.w, w);
            std::mem::swap(&mut layer.b, b);
        }
    }
}

/// Why `cost` means divergence, if it does.
fn divergence(cost: f64, first: Option<f64>, factor: Option<f64>) -> Option<String> {
    if !cost.is_finite() {
        return Some(format!("the cost is {cost}"));
    }
    match (first, factor) {
        (Some(first), Some(factor)) if cost > factor * first => Some(format!(
            "the cost {cost:.6} is more than {factor} times the starting cost {first:.6}"
        )),
        _ => None,
    }
}
