//! Training: checked hyper-parameters, the training loop and its report.
//!
//! Full-batch gradient descent is the default and the exercise's set-up; mini-batches,
//! momentum and Adam ([`Optimizer`]), learning-rate decay ([`LrDecay`]), L2 regularisation
//! and inverted dropout are options of [`TrainParams`]. The loop lives in `engine`, the
//! first layer's Gram form (the fast path for the published cat set-up) in `gram`.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use ndarray::{Array2, Axis};

use crate::error::{DnnError, Result};
use crate::network::Network;
pub use crate::optim::{LrDecay, Optimizer};
use crate::{Float, NumpyRng};

mod engine;
mod gram;

use engine::Workspace;
use gram::gram_pays;

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
    optimizer: Optimizer,
    decay: LrDecay,
    batch_size: Option<usize>,
    shuffle_seed: u32,
    l2: f64,
    keep_prob: KeepProb,
    dropout_seed: u32,
}

/// Dropout's keep probability: one for every hidden layer, or one per hidden layer.
#[derive(Debug, Clone, PartialEq)]
enum KeepProb {
    All(f64),
    PerLayer(Vec<f64>),
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            learning_rate: 0.0075,
            iterations: 2500,
            divergence_factor: Some(DEFAULT_DIVERGENCE_FACTOR),
            optimizer: Optimizer::GradientDescent,
            decay: LrDecay::Constant,
            batch_size: None,
            shuffle_seed: 11,
            l2: 0.0,
            keep_prob: KeepProb::All(1.0),
            dropout_seed: 1,
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

    /// The number of full-batch iterations, or of epochs with mini-batches (> 0).
    pub fn iterations(mut self, iterations: usize) -> Self {
        self.iterations = iterations;
        self
    }

    /// Same as [`TrainParams::iterations`], named for mini-batch training.
    pub fn epochs(self, epochs: usize) -> Self {
        self.iterations(epochs)
    }

    /// The optimiser (default: plain gradient descent).
    pub fn optimizer(mut self, optimizer: Optimizer) -> Self {
        self.optimizer = optimizer;
        self
    }

    /// The learning-rate schedule over epochs (default: constant).
    pub fn decay(mut self, decay: LrDecay) -> Self {
        self.decay = decay;
        self
    }

    /// Mini-batches of `size` examples (≥ 1), the last one smaller when `size` does not
    /// divide `m`; the order is shuffled every epoch as the course's `random_mini_batches`
    /// does: epoch `e` (from 0) draws `np.random.permutation(m)` after
    /// `np.random.seed(shuffle_seed + e)`. A size of `m` or more is full-batch training.
    pub fn mini_batches(mut self, size: usize, shuffle_seed: u32) -> Self {
        self.batch_size = Some(size);
        self.shuffle_seed = shuffle_seed;
        self
    }

    /// L2 regularisation `λ` (≥ 0; default 0): the cost gains `(1/m)(λ/2) Σ ‖W[l]‖²` and
    /// each `dW[l]` gains `(λ/m) W[l]`, with `m` the batch's size.
    pub fn l2(mut self, lambda: f64) -> Self {
        self.l2 = lambda;
        self
    }

    /// Inverted dropout on every hidden layer, keeping each unit with probability
    /// `keep_prob` (in (0, 1]; 1 turns it off): `A = A D / keep_prob` with
    /// `D = rand(n[l], m) < keep_prob`, drawn layer by layer each forward pass from one
    /// [`NumpyRng`] seeded with `seed`. Training only: prediction never drops units.
    pub fn dropout(mut self, keep_prob: f64, seed: u32) -> Self {
        self.keep_prob = KeepProb::All(keep_prob);
        self.dropout_seed = seed;
        self
    }

    /// [`TrainParams::dropout`] with one keep probability per hidden layer, in order.
    pub fn dropout_per_layer(mut self, keep_probs: Vec<f64>, seed: u32) -> Self {
        self.keep_prob = KeepProb::PerLayer(keep_probs);
        self.dropout_seed = seed;
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
        let invalid = |name: &'static str, value: String, reason: &'static str| {
            Err(DnnError::InvalidParameter {
                name,
                value,
                reason,
            })
        };
        if let Some((name, value, reason)) =
            self.optimizer.invalid().or_else(|| self.decay.invalid())
        {
            return invalid(name, value.to_string(), reason);
        }
        if self.batch_size == Some(0) {
            return invalid(
                "mini-batch size",
                "0".into(),
                "a batch needs at least 1 example",
            );
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return invalid(
                "L2 lambda",
                self.l2.to_string(),
                "it must be a finite number ≥ 0",
            );
        }
        let probs = match &self.keep_prob {
            KeepProb::All(p) => std::slice::from_ref(p),
            KeepProb::PerLayer(v) => v.as_slice(),
        };
        if let Some(p) = probs.iter().find(|p| !(**p > 0.0 && **p <= 1.0)) {
            return invalid(
                "dropout keep probability",
                p.to_string(),
                "it must be in (0, 1]",
            );
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
    /// The optimiser.
    pub fn optimizer(&self) -> &Optimizer {
        &self.0.optimizer
    }
    /// The learning-rate schedule.
    pub fn decay(&self) -> &LrDecay {
        &self.0.decay
    }
    /// The mini-batch size, if training in mini-batches.
    pub fn batch_size(&self) -> Option<usize> {
        self.0.batch_size
    }
    /// The first epoch's shuffle seed.
    pub fn shuffle_seed(&self) -> u32 {
        self.0.shuffle_seed
    }
    /// L2's λ (0: off).
    pub fn l2(&self) -> f64 {
        self.0.l2
    }
    /// The keep probability of hidden layer `l` (from 0; 1 where there is no dropout, or
    /// for layers beyond a per-layer list).
    pub fn keep_prob(&self, l: usize) -> f64 {
        match &self.0.keep_prob {
            KeepProb::All(p) => *p,
            KeepProb::PerLayer(v) => v.get(l).copied().unwrap_or(1.0),
        }
    }
    /// The dropout masks' seed.
    pub fn dropout_seed(&self) -> u32 {
        self.0.dropout_seed
    }
    /// Whether this is the exercise's plain set-up: full batch, gradient descent, constant
    /// rate, no L2, no dropout (the only set-up the Gram form applies to).
    fn is_plain(&self) -> bool {
        self.0.batch_size.is_none()
            && self.0.optimizer == Optimizer::GradientDescent
            && self.0.decay == LrDecay::Constant
            && self.0.l2 == 0.0
            && match &self.0.keep_prob {
                KeepProb::All(p) => *p == 1.0,
                KeepProb::PerLayer(v) => v.iter().all(|p| *p == 1.0),
            }
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

    /// Trains on `x` (`(n[0], m)`) and `y` (`(n[L], m)`) as `config` says: full-batch
    /// gradient descent by default, or mini-batches, momentum, Adam, decay, L2, dropout.
    ///
    /// Each iteration (each epoch, with mini-batches) runs the forward pass, the cost, the
    /// backward pass and the update (for each batch), then calls `observer` with the
    /// iteration and its cost; returning `ControlFlow::Break(())` stops training there
    /// (the update is kept).
    ///
    /// Where it departs from the textbook form (same math, fewer passes):
    /// * `dZ[L] = AL - Y` directly, and the cost from the logits `Z[L]`
    ///   ([`crate::cost::from_logits`]), so saturated outputs stay finite;
    /// * bias and activation are fused into one pass after each GEMM, and the
    ///   derivatives are taken from `A[l]`, so `Z[l]` is never stored;
    /// * `dA0`, the gradient with respect to the input, is never computed;
    /// * every buffer is allocated before the first iteration and reused;
    /// * for plain full-batch gradient descent, when there are fewer examples than features
    ///   and enough iterations to pay for it
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
        let gram_form = config.is_plain() && gram_pays(&sizes, m, config.iterations());
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

    /// The cost `J` on `(x, y)`, computed stably from the logits as training does.
    pub fn cost(&self, x: &Array2<F>, y: &Array2<F>) -> Result<f64> {
        self.check_input(x.view())?;
        self.check_labels(x.view(), y.view())?;
        let config = TrainParams::new().check()?;
        let mut ws = Workspace::new(self, x.ncols(), &config);
        self.forward(x.view(), &mut ws, &config, &mut NumpyRng::new(0));
        Ok(crate::cost::from_logits(
            self.output_activation(),
            ws.logits().view(),
            y.view(),
        ))
    }

    /// The gradients `(dW[l], db[l])` for `l = 1..=L` (index `l - 1`) that one training
    /// iteration on `(x, y)` would apply, from the engine's own backward pass.
    pub fn gradients(&self, x: &Array2<F>, y: &Array2<F>) -> Result<Vec<(Array2<F>, Array2<F>)>> {
        self.check_input(x.view())?;
        self.check_labels(x.view(), y.view())?;
        let config = TrainParams::new().check()?;
        let mut ws = Workspace::new(self, x.ncols(), &config);
        self.forward(x.view(), &mut ws, &config, &mut NumpyRng::new(0));
        self.backward(x.view(), y.view(), &mut ws, &config);
        Ok(ws
            .into_gradients()
            .map(|(dw, db)| (dw, db.insert_axis(Axis(1))))
            .collect())
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
    use ndarray::Array2;

    use super::gram::gram_pays;
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
