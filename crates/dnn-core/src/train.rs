//! Full-batch gradient descent: checked hyper-parameters, the training loop and its report.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};

use crate::blas;
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
    gram_form: bool,
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

    /// Wall time of training: the loop, and in the Gram form its set-up (`XᵀX`, `W1(0) X`)
    /// and the final `W1`.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Useful floating-point operations per iteration: the GEMMs of the forward pass,
    /// of `dW[l]`, and of `dA[l-1]` for `l >= 2` (the input gradient `dA0` is never computed).
    pub fn flops_per_iteration(&self) -> f64 {
        self.flops_per_iteration
    }

    /// Whether the first layer trained in Gram form (see [`Network::train`]).
    pub fn used_gram_form(&self) -> bool {
        self.gram_form
    }

    /// Achieved speed: useful FLOPs of the run divided by [`TrainReport::elapsed`], in GFLOP/s.
    /// In the Gram form the engine does far fewer FLOPs than these, so this is the rate the
    /// textbook's products would need to finish in the same time (it can exceed the machine's peak).
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
    /// `dW[l]`; empty for layer 1 in the Gram form, which never forms `dW1`.
    dw: Vec<Array2<F>>,
    db: Vec<Array1<F>>,
    /// The other half of a double buffer: the update writes here, then swaps, so the
    /// previous parameters survive one iteration (for rollback on divergence).
    /// Layer 1's `W` half is empty in the Gram form (its state is [`Gram::c`]).
    spare: Vec<(Array2<F>, Array2<F>)>,
    /// The first layer in Gram form, when that is cheaper (see [`Network::train`]).
    gram: Option<Gram>,
}

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
struct Gram {
    /// `G = XᵀX`, `(m, m)`.
    g: Array2<f64>,
    /// `P0 = W1(0) X`, `(n[1], m)`.
    p0: Array2<f64>,
    /// `C(t)`, `(n[1], m)`.
    c: Array2<f64>,
    /// The other half of `C`'s double buffer: the update writes `C(t+1)` here, then swaps.
    c_spare: Array2<f64>,
    /// `W1 X` for the current iteration, `(n[1], m)`.
    z: Array2<f64>,
}

/// Rows of `X` converted to `f64` at a time while forming `G`, `P0` and the final `W1`.
const GRAM_BLOCK: usize = 256;

impl Gram {
    /// `G` and `P0` from `x` and `w = W1(0)`, a block of rows of `x` at a time.
    fn new<F: Float, X: Float>(w: &Array2<F>, x: ArrayView2<'_, X>) -> Self {
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
    fn linear<F: Float>(&mut self, out: &mut Array2<F>) {
        self.z.assign(&self.p0);
        general_mat_mul(-1.0, &self.c, &self.g, 1.0, &mut self.z);
        out.zip_mut_with(&self.z, |o, &v| *o = F::of(v));
    }

    /// `w = W1(0) - C Xᵀ` in place (`w` holds `W1(0)`), a block of rows of `x` at a time.
    fn finish<F: Float, X: Float>(&self, w: &mut Array2<F>, x: ArrayView2<'_, X>) {
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
            gram: None,
        }
    }

    /// A workspace that trains the first layer in Gram form on `x`.
    fn with_gram<X: Float>(net: &Network<F>, x: ArrayView2<'_, X>) -> Self {
        let mut ws = Workspace::new(net, x.ncols());
        ws.dw[0] = Array2::zeros((0, 0));
        ws.spare[0].0 = Array2::zeros((0, 0));
        ws.gram = Some(Gram::new(&net.layers[0].w, x));
        ws
    }
}

/// FLOPs of the largest matrix product of one iteration (layer 1's is `C G` in Gram form).
fn largest_gemm(sizes: &[usize], m: usize, gram: bool) -> f64 {
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
fn gram_pays(sizes: &[usize], m: usize, iterations: usize) -> bool {
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
    /// * every buffer is allocated before the first iteration and reused;
    /// * when there are fewer examples than features and enough iterations to pay for it
    ///   (the cat set: 209 examples, 12288 features), the first layer trains in "Gram form":
    ///   `W1 X` comes from `XᵀX` and the running sum of `dZ1`, so no iteration touches `X`
    ///   and `W1` is formed once at the end (about 100x less work per iteration there);
    /// * when every product of an iteration is small, OpenBLAS runs on one thread for the
    ///   loop ([`crate::blas::SingleThreaded`]): waking a second thread costs more than it saves.
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
        let sizes = self.layer_sizes();
        let flops = flops_per_iteration(&sizes, m);
        let start = Instant::now();
        let gram_form = gram_pays(&sizes, m, config.iterations());
        let costs = if gram_form && F::NAME != f64::NAME {
            // In Gram form no iteration touches X, and what an iteration does touch is
            // small: an f32 network trains an f64 twin, then takes its parameters rounded
            // to f32. f32 arithmetic in the loop changed the published curve by up to 6e-2
            // mid-way (its swings amplify rounding); the twin follows f64 to ~1e-8.
            let mut twin = Network::<f64> {
                layers: self
                    .layers
                    .iter()
                    .map(|l| crate::network::Layer {
                        w: l.w.mapv(F::to_f64_lossless),
                        b: l.b.mapv(F::to_f64_lossless),
                        activation: l.activation,
                    })
                    .collect(),
            };
            let y64 = y.mapv(F::to_f64_lossless);
            let unused = Array2::<f64>::zeros((0, m));
            let result = twin.descend(
                x.view(),
                unused.view(),
                true,
                y64.view(),
                config,
                &mut observer,
            );
            for (layer, t) in self.layers.iter_mut().zip(&twin.layers) {
                layer.w.zip_mut_with(&t.w, |a, &v| *a = F::of(v));
                layer.b.zip_mut_with(&t.b, |a, &v| *a = F::of(v));
            }
            result?
        } else {
            self.descend(
                x.view(),
                x.view(),
                gram_form,
                y.view(),
                config,
                &mut observer,
            )?
        };
        Ok(TrainReport {
            planned: config.iterations(),
            elapsed: start.elapsed(),
            flops_per_iteration: flops,
            gram_form,
            costs,
        })
    }

    /// The training loop; returns the costs. `x` is the data in any type (for the Gram
    /// form's set-up and final `W1`); `x_direct` is the same data as `F`, read only
    /// outside the Gram form (so it may be empty in it).
    fn descend<X: Float>(
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
        let lr = F::of(config.learning_rate());
        let inv_m = F::of(1.0 / m as f64);
        let sizes = self.layer_sizes();
        let mut ws = if gram {
            Workspace::with_gram(self, x)
        } else {
            Workspace::new(self, m)
        };
        let mut costs = Vec::with_capacity(total);
        // Small per-iteration products run faster on one OpenBLAS thread (see `blas`).
        let _threads = (largest_gemm(&sizes, m, gram) < blas::SINGLE_THREAD_FLOPS)
            .then(blas::SingleThreaded::new);

        for iteration in 0..total {
            self.forward(x_direct, &mut ws);
            let cost = cross_entropy_from_logits(ws.logits.view(), y);
            if let Some(reason) =
                divergence(cost, costs.first().copied(), config.divergence_factor())
            {
                // The parameters in place produced this cost; the spare buffer holds the previous ones.
                let last_good = iteration.checked_sub(1);
                if last_good.is_some() {
                    self.swap_spare(&mut ws);
                }
                self.finish_first_layer(x, &ws);
                return Err(DnnError::Diverged {
                    iteration,
                    cost,
                    reason,
                    last_good,
                    costs,
                });
            }
            costs.push(cost);
            self.backward(x_direct, y, inv_m, &mut ws);
            if let Some(layer) = self.update(lr, config.learning_rate() / m as f64, &mut ws) {
                self.finish_first_layer(x, &ws);
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
        self.finish_first_layer(x, &ws);
        Ok(costs)
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
            let gram = if l == 0 { ws.gram.as_mut() } else { None };
            if l < last {
                linear(&layer.w, a_prev, gram, &mut rest[0]);
                // Bias and activation fused in one pass.
                kernels::bias_activation_in_place(rest[0].view_mut(), &layer.b, layer.activation);
            } else {
                // Keep the logits for the stable cost; AL = sigmoid(Z[L]).
                linear(&layer.w, a_prev, gram, &mut ws.logits);
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
            // The Gram form never forms dW1: the update accumulates dZ1 instead.
            if !(l == 0 && ws.gram.is_some()) {
                general_mat_mul(inv_m, &ws.dz[l], &a_prev.t(), F::zero(), &mut ws.dw[l]);
            }
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
    /// the current ones in place in that case. `step` is `lr / m`, the Gram form's
    /// factor in `C += (lr / m) dZ1`.
    fn update(&mut self, lr: F, step: f64, ws: &mut Workspace<F>) -> Option<usize> {
        let mut bad = None;
        for (l, (layer, (w_new, b_new))) in self.layers.iter().zip(ws.spare.iter_mut()).enumerate()
        {
            let w_ok = match (&mut ws.gram, l) {
                (Some(gram), 0) => {
                    kernels::accumulate(gram.c.view(), ws.dz[0].view(), step, &mut gram.c_spare)
                }
                _ => kernels::descend(&layer.w, ws.dw[l].view(), lr, w_new),
            };
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
}

/// `z = W A_prev`, or for the first layer in Gram form `z = W1 X = P0 - C G`.
fn linear<F: Float>(
    w: &Array2<F>,
    a_prev: ArrayView2<'_, F>,
    gram: Option<&mut Gram>,
    z: &mut Array2<F>,
) {
    match gram {
        Some(gram) => gram.linear(z),
        None => general_mat_mul(F::one(), w, &a_prev, F::zero(), z),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::{self, Parameters};
    use crate::{Init, NumpyRng};

    /// More features than examples, so training takes the Gram form.
    fn wide_data(n_x: usize, m: usize) -> (Array2<f64>, Array2<f64>) {
        let mut rng = NumpyRng::new(5);
        let x = rng.rand(n_x, m);
        let y = rng.rand(1, m).mapv(|v| if v > 0.6 { 1.0 } else { 0.0 });
        (x, y)
    }

    fn net<F: Float>(dims: &[usize]) -> Network<F> {
        Network::<F>::builder(dims)
            .init(Init::Scaled)
            .build(&mut NumpyRng::new(2))
            .unwrap()
    }

    #[test]
    fn the_gram_form_pays_only_with_more_features_than_examples_and_many_iterations() {
        assert!(gram_pays(&[12288, 20, 7, 5, 1], 209, 2500));
        assert!(gram_pays(&[12288, 20, 7, 5, 1], 2090, 2500));
        assert!(!gram_pays(&[12288, 20, 7, 5, 1], 209, 1));
        assert!(!gram_pays(&[12, 8, 5, 1], 40, 200));
        assert!(!gram_pays(&[100, 8, 1], 400, 10_000));
    }

    #[test]
    fn the_gram_form_follows_the_step_functions() {
        let (x, y) = wide_data(300, 25);
        let dims = [300, 6, 4, 1];
        let iterations = 300;
        assert!(gram_pays(&dims, 25, iterations));
        let mut params = Parameters::new(net::<f64>(&dims).to_parameters().into_layers());
        let mut step_costs = Vec::new();
        for _ in 0..iterations {
            let (al, caches) = steps::l_model_forward(&x, &params);
            step_costs.push(steps::compute_cost(&al, &y));
            let grads = steps::l_model_backward(&al, &y, &caches);
            params = steps::update_parameters(params, &grads, 0.05);
        }
        let mut engine = net::<f64>(&dims);
        let config = TrainParams::new()
            .learning_rate(0.05)
            .iterations(iterations)
            .check()
            .unwrap();
        let report = engine.fit(&x, &y, &config).unwrap();
        for (i, (e, s)) in report.costs().iter().zip(&step_costs).enumerate() {
            assert!((e - s).abs() <= 1e-12, "iteration {i}: {e} vs {s}");
        }
        assert!(
            step_costs[iterations - 1] < step_costs[0] - 0.1,
            "it must train"
        );
        let trained = engine.to_parameters();
        for l in 1..=3 {
            let diff = (trained.w(l) - params.w(l))
                .mapv(f64::abs)
                .fold(0.0_f64, |a, &b| a.max(b));
            let bdiff = (trained.b(l) - params.b(l))
                .mapv(f64::abs)
                .fold(0.0_f64, |a, &b| a.max(b));
            assert!(
                diff < 1e-12 && bdiff < 1e-12,
                "layer {l}: W {diff}, b {bdiff}"
            );
        }
    }

    #[test]
    fn the_gram_form_in_f32_follows_f64() {
        let (x, y) = wide_data(300, 25);
        let dims = [300, 6, 1];
        let config = TrainParams::new()
            .learning_rate(0.05)
            .iterations(200)
            .check()
            .unwrap();
        let mut n64 = net::<f64>(&dims);
        let mut n32 = net::<f32>(&dims);
        let r64 = n64.fit(&x, &y, &config).unwrap();
        let (x32, y32) = (x.mapv(|v| v as f32), y.mapv(|v| v as f32));
        let r32 = n32.fit(&x32, &y32, &config).unwrap();
        for (a, b) in r64.costs().iter().zip(r32.costs()) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
        let w64 = n64.layers[0].w.mapv(|v| v as f32);
        let diff = (&n32.layers[0].w - &w64)
            .mapv(f32::abs)
            .fold(0.0_f32, |a, &b| a.max(b));
        assert!(diff < 1e-6, "W1 differs by {diff}");
    }

    #[test]
    fn the_gram_form_keeps_the_last_good_parameters_on_divergence() {
        let (x, y) = wide_data(200, 20);
        let mut engine = net::<f64>(&[200, 5, 1]);
        let config = TrainParams::new()
            .learning_rate(1e4)
            .iterations(100)
            .check()
            .unwrap();
        assert!(gram_pays(&[200, 5, 1], 20, 100));
        let before = engine.clone();
        match engine.fit(&x, &y, &config) {
            Err(DnnError::Diverged {
                iteration,
                last_good,
                ..
            }) => {
                assert_eq!((iteration, last_good), (1, Some(0)));
                assert_eq!(engine, before);
            }
            other => panic!("expected divergence, got {other:?}"),
        }
    }

    #[test]
    fn an_observer_stop_leaves_the_trained_first_layer_in_place() {
        let (x, y) = wide_data(200, 20);
        let dims = [200, 5, 1];
        let config = TrainParams::new()
            .learning_rate(0.05)
            .iterations(100)
            .check()
            .unwrap();
        let mut stopped = net::<f64>(&dims);
        stopped
            .train(&x, &y, &config, |p| {
                if p.iteration == 9 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
        // Ten single iterations: never in Gram form (one iteration cannot pay for it).
        let mut direct = net::<f64>(&dims);
        assert!(!gram_pays(&dims, 20, 1));
        let one = TrainParams::new()
            .learning_rate(0.05)
            .iterations(1)
            .check()
            .unwrap();
        for _ in 0..10 {
            direct.fit(&x, &y, &one).unwrap();
        }
        let diff = (&stopped.layers[0].w - &direct.layers[0].w)
            .mapv(f64::abs)
            .fold(0.0_f64, |a, &b| a.max(b));
        assert!(diff < 1e-13, "{diff}");
        assert!(stopped.cost(&x, &y).unwrap() < net::<f64>(&dims).cost(&x, &y).unwrap());
    }
}
