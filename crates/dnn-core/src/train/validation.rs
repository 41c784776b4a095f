//! A held-out validation set watched while a network trains, and early stopping on it:
//! [`Validation`] and what it saw, [`ValidationHistory`].
//!
//! After every iteration (every epoch, with mini-batches) the validation cost is
//!
//! ```text
//! J_val = cost(AL(X_val), Y_val)     the data cost only: no L2 term, no dropout
//! ```
//!
//! (weighted by class with [`Validation::class_weights`])
//!
//! of the parameters as that iteration left them. With early stopping, training stops once
//! `patience` iterations in a row have not lowered `J_val` below the lowest so far by more than
//! `min_delta`, and the parameters of the iteration with the lowest `J_val` are put back (even
//! one that lowered it by less than `min_delta`).
//!
//! * The count is Keras': `EarlyStopping(monitor="val_loss", patience, min_delta,
//!   restore_best_weights=True)` stops after the same iteration.
//! * The kept parameters are scikit-learn's: its `MLPClassifier(early_stopping=True)` keeps
//!   the lowest (on the validation score) whatever `tol`, where Keras keeps the last
//!   iteration that beat the best by `min_delta`. (scikit-learn also counts one more
//!   iteration: it stops after `n_iter_no_change + 1` without an improvement.)
//!
//! With `min_delta = 0` the rule is Keras' exactly.

use std::ops::ControlFlow;

use ndarray::{Array2, ArrayView2, ArrayViewMut2, AsArray, Ix2};

use super::engine::data_cost;
use super::first_layer::FirstLayer;
use super::gram::{GramSide, GramState};
use super::{Progress, TrainConfig, TrainReport};
use crate::error::{DnnError, Result};
use crate::forward::{forward, Activations, FirstLinear, Product};
use crate::network::Network;
use crate::{ClassWeights, Float, NumpyRng};

/// Early stopping's rule: how many iterations in a row without a fall of the validation cost
/// of more than `min_delta` below its lowest so far end training.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EarlyStopping {
    /// Iterations (epochs, with mini-batches) in a row without an improvement that end
    /// training; at least 1.
    pub patience: usize,
    /// How much the validation cost must fall below the best so far to count as an
    /// improvement; finite and `>= 0`.
    pub min_delta: f64,
}

/// A validation set watched while a network trains: its cost after every iteration, the
/// best parameters so far and, with [`Validation::early_stopping`], when to stop.
///
/// All its buffers (the forward pass on the validation set, a copy of the parameters, the
/// history) are allocated by [`Validation::new`], so watching allocates nothing per
/// iteration. Give it to [`Network::train_validated`], which keeps the Gram form where it
/// pays; or, when an observer also needs the network after every iteration,
/// [`Validation::observe`] to [`Network::train_watched`] (never in the Gram form). Then call
/// [`Validation::finish`]. A `Validation` watches the network it was made for: others panic
/// in [`Validation::observe`] and [`Validation::finish`], and are refused by
/// [`Network::train_validated`].
///
/// ```
/// use dnn_core::{Network, NumpyRng, EarlyStopping, TrainParams, Validation};
/// let mut rng = NumpyRng::new(1);
/// // Labels that are noise: the training cost falls, the validation cost soon rises.
/// let (x, y) = (rng.randn(5, 40), rng.rand(1, 40).mapv(|v| (v > 0.5) as u8 as f64));
/// let (x_val, y_val) = (rng.randn(5, 40), rng.rand(1, 40).mapv(|v| (v > 0.5) as u8 as f64));
/// let mut net = Network::<f64>::builder(&[5, 16, 1]).build(&mut rng)?;
/// let config = TrainParams::new().learning_rate(1.0).iterations(3000).check()?;
/// let mut val = Validation::new(&net, &x_val, &y_val, config.iterations())?
///     .early_stopping(EarlyStopping { patience: 20, min_delta: 0.0 })?;
/// let report = net.train_watched(&x, &y, &config, |p, now| val.observe(p, now))?;
/// let seen = val.finish(&mut net);
/// let (best, best_cost) = seen.best().unwrap();
/// assert!(report.stopped_early());
/// assert_eq!(seen.stopped_at(), Some(best + 20));
/// assert_eq!(seen.costs().len(), best + 21);
/// assert_eq!(net.cost(&x_val, &y_val)?, best_cost); // the best parameters are back
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
pub struct Validation<'v, F: Float> {
    x: ArrayView2<'v, F>,
    y: ArrayView2<'v, F>,
    fwd: Activations<F>,
    rule: Option<EarlyStopping>,
    costs: Vec<f64>,
    best: Option<(usize, f64)>,
    best_net: Network<F>,
    since_improvement: usize,
    stopped_at: Option<usize>,
    /// The Gram form's side, while [`Network::train_validated`] trains in it.
    gram: Option<GramSide<F>>,
    /// The class weights of the validation cost, if any.
    weights: Option<ClassWeights>,
}

/// The validation set's shapes, the early-stopping rule, the watched network's layer sizes
/// and what was seen so far (the buffers and the kept parameters are left out).
impl<F: Float> std::fmt::Debug for Validation<'_, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validation")
            .field("x", &self.x.dim())
            .field("y", &self.y.dim())
            .field("layer_sizes", &self.best_net.layer_sizes())
            .field("early_stopping", &self.rule)
            .field("costs", &self.costs)
            .field("best", &self.best)
            .field("stopped_at", &self.stopped_at)
            .finish_non_exhaustive()
    }
}

/// What a [`Validation`] saw, from [`Validation::finish`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationHistory {
    costs: Vec<f64>,
    best: Option<(usize, f64)>,
    stopped_at: Option<usize>,
    restored: bool,
    examples: usize,
    rule: Option<EarlyStopping>,
}

impl<'v, F: Float> Validation<'v, F> {
    /// Watches `net`'s cost on `x` (`(n[0], m_val)`) and `y` (`(n[L], m_val)`), views or
    /// arrays (never copied), over up to `iterations` iterations (the history's room, up to a
    /// million; more are recorded too). Without [`Validation::early_stopping`] it only
    /// records.
    ///
    /// # Errors
    /// As [`Network::cost`] for `x` and `y` (shapes, finiteness, labels), and
    /// [`DnnError::OutOfMemory`] when the validation set's forward buffers do not fit.
    pub fn new<'a: 'v, 'b: 'v>(
        net: &Network<F>,
        x: impl AsArray<'a, F, Ix2>,
        y: impl AsArray<'b, F, Ix2>,
        iterations: usize,
    ) -> Result<Self> {
        let (x, y) = (x.into(), y.into());
        net.check_input(x)?;
        net.check_labels(x, y)?;
        let units: usize = net.layer_sizes()[1..].iter().sum();
        crate::memory::ensure_allocatable(
            crate::memory::product(&[units + net.output_size(), x.ncols(), size_of::<F>()]),
            "the validation set's forward pass",
        )?;
        Ok(Validation {
            x,
            y,
            fwd: Activations::for_prediction(net, x.ncols()),
            rule: None,
            // Room for a million costs at most: more iterations grow the history as they come.
            costs: Vec::with_capacity(iterations.min(super::engine::PREALLOCATED_COSTS)),
            best: None,
            best_net: net.clone(),
            since_improvement: 0,
            stopped_at: None,
            gram: None,
            weights: None,
        })
    }

    /// Stops training once `rule.patience` iterations in a row have not lowered the
    /// validation cost below its lowest so far by more than `rule.min_delta`, and has
    /// [`Validation::finish`] put back the parameters of the iteration where it was lowest.
    ///
    /// # Errors
    /// [`DnnError::InvalidParameter`] for a patience of 0 or a `min_delta` that is
    /// negative or not finite.
    pub fn early_stopping(mut self, rule: EarlyStopping) -> Result<Self> {
        if rule.patience == 0 {
            return Err(DnnError::InvalidParameter {
                name: "patience",
                value: 0.0,
                reason: "it must be at least 1 iteration",
            });
        }
        if !(rule.min_delta >= 0.0 && rule.min_delta.is_finite()) {
            return Err(DnnError::InvalidParameter {
                name: "min_delta",
                value: rule.min_delta,
                reason: "it must be a finite number, 0 or more",
            });
        }
        self.rule = Some(rule);
        Ok(self)
    }

    /// Weighs the validation cost's examples by class
    /// ([`Network::class_weighted_cost`]): give the weights that training uses
    /// ([`crate::TrainParams::class_weights`]), so that early stopping judges the cost that
    /// training lowers. (Without them the validation cost is the plain one.)
    ///
    /// # Errors
    /// [`DnnError::ClassWeightsOutput`] or [`DnnError::ClassWeightCount`] when the weights do
    /// not fit the network's classes.
    pub fn class_weights(mut self, weights: ClassWeights) -> Result<Self> {
        weights.check_output(
            self.best_net.output_activation(),
            self.best_net.output_size(),
        )?;
        weights.check_type::<F>()?;
        self.weights = Some(weights);
        Ok(self)
    }

    /// After an iteration: the validation cost of `net` as it now is, a copy of its
    /// parameters if that is the best so far, and `Break` once early stopping's patience has
    /// run out. Made for [`Network::train_watched`]'s observer.
    ///
    /// # Panics
    /// If `net` is not the network this `Validation` was made for (other layer sizes or
    /// activations), before any work; the message names both networks' layer sizes. (A
    /// network of the same shape with other weights cannot be told apart: give the one you
    /// train.)
    pub fn observe(&mut self, progress: Progress, net: &Network<F>) -> ControlFlow<()> {
        self.assert_watches("observe", net);
        self.observe_in(progress, net, &FirstLayer::Direct)
    }

    /// Whether `net` has the layer sizes and activations of the network this validation was
    /// made for. Allocates nothing (it runs after every iteration).
    fn watches(&self, net: &Network<F>) -> bool {
        self.best_net.layers.len() == net.layers.len()
            && self
                .best_net
                .layers
                .iter()
                .zip(&net.layers)
                .all(|(a, b)| a.w.dim() == b.w.dim() && a.activation == b.activation)
    }

    /// Panics, naming `function` and both networks, unless [`Validation::watches`] `net`.
    fn assert_watches(&self, function: &str, net: &Network<F>) {
        if !self.watches(net) {
            let activations = |n: &Network<F>| {
                n.layers
                    .iter()
                    .map(|l| l.activation.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            panic!(
                "Validation::{function}: this validation set is watched for a network of layer \
                 sizes {:?} (activations {}), but was given one of layer sizes {:?} \
                 (activations {}): make the Validation with the network you train",
                self.best_net.layer_sizes(),
                activations(&self.best_net),
                net.layer_sizes(),
                activations(net)
            );
        }
    }

    /// [`Validation::observe`] inside the engine, which says how the first layer trains: in
    /// the Gram form `net`'s `W1` is still `W1(0)`, and the validation set's `W1 X_val` comes
    /// from the Gram form's `C`.
    pub(super) fn observe_in(
        &mut self,
        progress: Progress,
        net: &Network<F>,
        first: &FirstLayer<F>,
    ) -> ControlFlow<()> {
        let state = match (first, &self.gram) {
            (FirstLayer::Gram(gram), Some(_)) => Some(gram.state()),
            _ => None,
        };
        let cost = self.cost(net, state);
        self.costs.push(cost);
        let min_delta = self.rule.map_or(0.0, |p| p.min_delta);
        // Whether the cost is the lowest yet, and whether it is lower by more than min_delta.
        let (lowest, improved) = match self.best {
            None => (cost.is_finite(), cost.is_finite()),
            Some((_, best)) => (cost < best, cost < best - min_delta),
        };
        if lowest {
            self.best = Some((progress.iteration, cost));
            for (l, (kept, now)) in self.best_net.layers.iter_mut().zip(&net.layers).enumerate() {
                // In the Gram form `W1` is still `W1(0)`: its best is kept as `C` and `s`.
                if l > 0 || state.is_none() {
                    kept.w.assign(&now.w);
                }
                kept.b.assign(&now.b);
            }
            if let (Some(side), Some(state)) = (self.gram.as_mut(), state) {
                side.keep(state);
            }
        }
        match improved {
            true => self.since_improvement = 0,
            false => self.since_improvement += 1,
        }
        match self.rule {
            Some(p) if self.since_improvement >= p.patience => {
                self.stopped_at = Some(progress.iteration);
                ControlFlow::Break(())
            }
            _ => ControlFlow::Continue(()),
        }
    }

    /// The validation cost of `net`: the data cost of its forward pass on the validation set
    /// (no L2 term, no dropout; weighted by class if [`Validation::class_weights`] says so);
    /// `state` is the Gram form's `C` and `s` while training in it.
    fn cost(&mut self, net: &Network<F>, state: Option<GramState<'_, F>>) -> f64 {
        let mut rng = NumpyRng::new(0);
        match (state, &self.gram) {
            (Some(state), Some(side)) => forward(
                net,
                self.x,
                &mut self.fwd,
                &mut SideLinear { side, state },
                &mut rng,
            ),
            _ => forward(net, self.x, &mut self.fwd, &mut Product, &mut rng),
        }
        data_cost(net, &self.fwd, self.y, self.weights.as_ref())
    }

    /// The validation cost after each iteration observed so far.
    pub fn costs(&self) -> &[f64] {
        &self.costs
    }

    /// Ends the watch. With early stopping, puts the best iteration's parameters into `net`
    /// (the network trained, however training ended: patience, the observer's own stop, the
    /// planned iterations, or [`DnnError::Diverged`], where the network holds parameters from
    /// after the last iteration observed); without it, leaves `net` as training left it.
    ///
    /// # Panics
    /// If `net` is not the network this `Validation` was made for (other layer sizes or
    /// activations); the message names both networks' layer sizes.
    pub fn finish(self, net: &mut Network<F>) -> ValidationHistory {
        self.assert_watches("finish", net);
        let last = self.costs.len().checked_sub(1);
        let restored = self.rule.is_some()
            && matches!((self.best, last), (Some((best, _)), Some(last)) if best != last);
        if self.rule.is_some() && self.best.is_some() {
            for (now, kept) in net.layers.iter_mut().zip(&self.best_net.layers) {
                now.w.assign(&kept.w);
                now.b.assign(&kept.b);
            }
        }
        ValidationHistory {
            costs: self.costs,
            best: self.best,
            stopped_at: self.stopped_at,
            restored,
            examples: self.x.ncols(),
            rule: self.rule,
        }
    }
}

impl ValidationHistory {
    /// The validation cost after each iteration observed, in order.
    pub fn costs(&self) -> &[f64] {
        &self.costs
    }

    /// The iteration (from 0) with the lowest validation cost (the first, if several tie), and
    /// that cost; `None` when no cost was finite.
    pub fn best(&self) -> Option<(usize, f64)> {
        self.best
    }

    /// The iteration after which early stopping ended training, if it did.
    pub fn stopped_at(&self) -> Option<usize> {
        self.stopped_at
    }

    /// Whether [`Validation::finish`] put back parameters other than the last observed
    /// iteration's (early stopping on, and the best was not the last iteration).
    pub fn restored(&self) -> bool {
        self.restored
    }

    /// The number of validation examples.
    pub fn examples(&self) -> usize {
        self.examples
    }

    /// Early stopping's rule, when it was on.
    pub fn early_stopping(&self) -> Option<EarlyStopping> {
        self.rule
    }
}

/// The validation set's first linear step in the Gram form: `W1 X_val = s P0v - C H`.
struct SideLinear<'a, F: Float> {
    side: &'a GramSide<F>,
    state: GramState<'a, F>,
}

impl<F: Float> FirstLinear<F> for SideLinear<'_, F> {
    fn first_linear(&mut self, _w1: &Array2<F>, _x: ArrayView2<'_, F>, z: ArrayViewMut2<'_, F>) {
        self.side.linear(self.state, z);
    }
}

impl<F: Float> Network<F> {
    /// Trains as [`Network::train`] does, in the Gram form where that pays, while `validation`
    /// watches a validation set ([`Validation::observe`] after every iteration, its early
    /// stopping included); `observer` then sees each iteration's [`Progress`] and validation
    /// cost, and can stop training too. Call [`Validation::finish`] afterwards.
    ///
    /// [`Network::train_watched`] with [`Validation::observe`] gives the same validation costs
    /// and stops in the same place, but never trains in the Gram form, since it shows the
    /// parameters after every iteration. Here the Gram form watches the validation set through
    /// `Xᵀ X_val`, computed once, and forms the best iteration's `W1` once at the end: on the
    /// published cat set-up, as fast as training without a validation set.
    ///
    /// ```
    /// use dnn_core::{Network, NumpyRng, EarlyStopping, TrainParams, Validation};
    /// let mut rng = NumpyRng::new(1);
    /// // More features than examples, full-batch gradient descent: the Gram form.
    /// let (x, y) = (rng.randn(300, 40), rng.rand(1, 40).mapv(|v| (v > 0.5) as u8 as f64));
    /// let (x_val, y_val) = (rng.randn(300, 20), rng.rand(1, 20).mapv(|v| (v > 0.5) as u8 as f64));
    /// let mut net = Network::<f64>::builder(&[300, 8, 1]).build(&mut rng)?;
    /// let config = TrainParams::new().learning_rate(0.05).iterations(2000).check()?;
    /// let mut val = Validation::new(&net, &x_val, &y_val, config.iterations())?
    ///     .early_stopping(EarlyStopping { patience: 30, min_delta: 0.0 })?;
    /// let mut seen = Vec::new();
    /// let report = net.train_validated(&x, &y, &mut val, &config, |p, cost| {
    ///     seen.push((p.iteration, cost));
    ///     std::ops::ControlFlow::Continue(())
    /// })?;
    /// assert!(report.diagnostics().gram_form && report.stopped_early());
    /// let watched = val.finish(&mut net);
    /// let (best, best_cost) = watched.best().unwrap();
    /// assert_eq!(seen.len(), best + 31);
    /// // W1 of the best iteration, formed from the Gram form's record: its cost, to rounding.
    /// assert!((net.cost(&x_val, &y_val)? - best_cost).abs() < 1e-12);
    /// # Ok::<(), dnn_core::DnnError>(())
    /// ```
    ///
    /// # Errors
    /// [`DnnError::ValidationNetwork`] when `validation` was made for another network; as
    /// [`Network::train`]; and [`DnnError::OutOfMemory`] when the Gram form's validation
    /// buffers (`Xᵀ X_val` and a copy of `W1`) do not fit. On [`DnnError::Diverged`] the
    /// network holds the last good parameters, and `validation` the best ones, which
    /// [`Validation::finish`] puts back with early stopping.
    pub fn train_validated<'a, 'b>(
        &mut self,
        x: impl AsArray<'a, F, Ix2>,
        y: impl AsArray<'b, F, Ix2>,
        validation: &mut Validation<'_, F>,
        config: &TrainConfig,
        mut observer: impl FnMut(Progress, f64) -> ControlFlow<()>,
    ) -> Result<TrainReport>
    where
        F: 'a + 'b,
    {
        let (x, y) = (x.into(), y.into());
        let watched = validation.best_net.layer_sizes();
        if watched != self.layer_sizes()
            || validation
                .best_net
                .layers
                .iter()
                .zip(&self.layers)
                .any(|(a, b)| a.activation != b.activation)
        {
            return Err(DnnError::ValidationNetwork {
                watched,
                trained: self.layer_sizes(),
            });
        }
        let gram_form = self.trains_in_gram_form(x.ncols(), config);
        if gram_form {
            let sizes = self.layer_sizes();
            crate::memory::ensure_allocatable(
                GramSide::<F>::bytes(sizes[0], sizes[1], x.ncols(), validation.x.ncols()),
                "the Gram form's validation buffers",
            )?;
            self.check_input(x)?;
            validation.gram = Some(GramSide::new(&self.layers[0].w, x, validation.x));
        }
        let result = self.run(x, y, config, gram_form, |net, phases| {
            net.descend(
                x,
                gram_form,
                y,
                config,
                &mut |p, now, first| {
                    let stop = validation.observe_in(p, now, first);
                    let cost = validation.costs.last().copied().unwrap_or(f64::NAN);
                    match (stop, observer(p, cost)) {
                        (ControlFlow::Continue(()), ControlFlow::Continue(())) => {
                            ControlFlow::Continue(())
                        }
                        _ => ControlFlow::Break(()),
                    }
                },
                phases,
            )
        });
        // In the Gram form the best W1 is formed now, once, however training ended.
        if let Some(side) = validation.gram.take() {
            if validation.best.is_some() {
                side.best_w1(x, &mut validation.best_net.layers[0].w);
            }
        }
        result
    }
}
