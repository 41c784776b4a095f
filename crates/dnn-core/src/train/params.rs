//! Training hyper-parameters: the unchecked builder [`TrainParams`] and the checked
//! [`TrainConfig`] the loop runs on (validated once, so the loop never re-validates).

use std::sync::Arc;

use super::control::{Attached, TrainControl};
use crate::error::{DnnError, Result};
use crate::optim::{LrDecay, Optimizer};
use crate::ClassWeights;

/// The default [`TrainParams::divergence_factor`]: training stops when the cost exceeds
/// ten times its value at iteration 0.
pub const DEFAULT_DIVERGENCE_FACTOR: f64 = 10.0;

/// Hyper-parameters for [`crate::Network::train`], unchecked; [`TrainParams::check`] validates
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
    gram_form: GramForm,
    class_weights: Option<ClassWeights>,
}

/// Whether full-batch gradient descent may train the first layer in Gram form (see
/// [`crate::Network::train`]): the fast path for more features than examples. Same math,
/// different rounding; [`GramForm::Never`] forces the textbook products (for benchmarks,
/// and tests that compare the two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GramForm {
    /// Use it when the set-up allows it and it is at least twice cheaper (default).
    #[default]
    Auto,
    /// Never: always run the textbook products against `X`.
    Never,
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
            gram_form: GramForm::Auto,
            class_weights: None,
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
    /// [`crate::NumpyRng`] seeded with `seed`. Training only: prediction never drops units.
    pub fn dropout(mut self, keep_prob: f64, seed: u32) -> Self {
        self.keep_prob = KeepProb::All(keep_prob);
        self.dropout_seed = seed;
        self
    }

    /// [`TrainParams::dropout`] with one keep probability per hidden layer, in order (the
    /// number of them is checked against the network when training starts:
    /// [`DnnError::DropoutLayers`]).
    pub fn dropout_per_layer(mut self, keep_probs: Vec<f64>, seed: u32) -> Self {
        self.keep_prob = KeepProb::PerLayer(keep_probs);
        self.dropout_seed = seed;
        self
    }

    /// Stop with [`DnnError::Diverged`] when the cost exceeds `factor` times its value at
    /// iteration 0 (`factor` > 1; default [`DEFAULT_DIVERGENCE_FACTOR`]); `None` checks
    /// only for NaN and infinity. With mini-batches, the cost judged is a moving mean of
    /// the batch costs over about 1024 examples (or all of them, when fewer), each batch
    /// weighted by its size, against the first batch's cost: one batch holding an outlier
    /// is not taken for divergence, and a cost that runs away is caught within a few
    /// batches.
    pub fn divergence_factor(mut self, factor: Option<f64>) -> Self {
        self.divergence_factor = factor;
        self
    }

    /// Whether the first layer may train in Gram form (default [`GramForm::Auto`]).
    pub fn gram_form(mut self, gram_form: GramForm) -> Self {
        self.gram_form = gram_form;
        self
    }

    /// Weighs each example's cost by its class ([`ClassWeights`]; default: all count the
    /// same). Their number is checked against the network when training starts.
    pub fn class_weights(mut self, weights: ClassWeights) -> Self {
        self.class_weights = Some(weights);
        self
    }

    /// Validates every value, naming the first that is out of range.
    ///
    /// # Errors
    /// [`DnnError::InvalidParameter`] for the first value out of range: a learning rate that
    /// is not a finite number above 0, 0 iterations, a divergence factor that is not a
    /// finite number above 1, an optimiser's or decay's constant out of its range, a
    /// mini-batch size of 0, an L2 λ that is negative or not finite, or a dropout keep
    /// probability outside `(0, 1]`. (The number of per-layer keep probabilities is checked
    /// against the network when training starts.)
    pub fn check(self) -> Result<TrainConfig> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(DnnError::InvalidParameter {
                name: "learning rate",
                value: self.learning_rate,
                reason: "it must be a finite number greater than 0",
            });
        }
        if self.iterations == 0 {
            return Err(DnnError::InvalidParameter {
                name: "number of iterations",
                value: 0.0,
                reason: "train for at least 1 iteration",
            });
        }
        if let Some(f) = self.divergence_factor {
            if !(f.is_finite() && f > 1.0) {
                return Err(DnnError::InvalidParameter {
                    name: "divergence factor",
                    value: f,
                    reason: "it must be a finite number greater than 1",
                });
            }
        }
        let invalid = |name: &'static str, value: f64, reason: &'static str| {
            Err(DnnError::InvalidParameter {
                name,
                value,
                reason,
            })
        };
        if let Some((name, value, reason)) =
            self.optimizer.invalid().or_else(|| self.decay.invalid())
        {
            return invalid(name, value, reason);
        }
        if self.batch_size == Some(0) {
            return invalid("mini-batch size", 0.0, "a batch needs at least 1 example");
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return invalid("L2 lambda", self.l2, "it must be a finite number ≥ 0");
        }
        let probs = match &self.keep_prob {
            KeepProb::All(p) => std::slice::from_ref(p),
            KeepProb::PerLayer(v) => v.as_slice(),
        };
        if let Some(p) = probs.iter().find(|p| !(**p > 0.0 && **p <= 1.0)) {
            return invalid("dropout keep probability", *p, "it must be in (0, 1]");
        }
        Ok(TrainConfig(self, None))
    }
}

/// Hyper-parameters that passed [`TrainParams::check`], and the [`TrainControl`] a run
/// publishes its progress to and takes stop requests from, if one is attached
/// ([`TrainConfig::with_control`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig(TrainParams, Option<Attached>);

impl TrainConfig {
    /// This configuration with `control` attached: training publishes its progress within an
    /// epoch to it and stops between mini-batches when it asks (see [`TrainControl`]). The
    /// numbers trained are the same to the bit with or without it.
    pub fn with_control(self, control: Arc<TrainControl>) -> Self {
        TrainConfig(self.0, Some(Attached(control)))
    }
    /// The attached [`TrainControl`], if any.
    pub fn control(&self) -> Option<&Arc<TrainControl>> {
        self.1.as_ref().map(|a| &a.0)
    }
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
    /// Whether the first layer may train in Gram form.
    pub fn gram_form(&self) -> GramForm {
        self.0.gram_form
    }
    /// The class weights, if any.
    pub fn class_weights(&self) -> Option<&ClassWeights> {
        self.0.class_weights.as_ref()
    }
    /// The number of per-layer keep probabilities, if they were given per layer.
    pub(crate) fn keep_prob_layers(&self) -> Option<usize> {
        match &self.0.keep_prob {
            KeepProb::All(_) => None,
            KeepProb::PerLayer(v) => Some(v.len()),
        }
    }
    /// Whether the first layer may train in Gram form: full-batch gradient descent, whose
    /// update of `W1` is `-(α/m) dZ1 Xᵀ` and L2's decay of `W1` (a learning-rate schedule
    /// changes `α` per epoch, and dropout, on hidden layers only, changes `dZ1`, not `X`).
    pub(crate) fn gram_applies(&self) -> bool {
        self.0.batch_size.is_none() && self.0.optimizer == Optimizer::GradientDescent
    }
}
