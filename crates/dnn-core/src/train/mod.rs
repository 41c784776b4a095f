//! Training: [`Network::train`] and the one-off passes [`Network::cost`] and
//! [`Network::gradients`].
//!
//! Full-batch gradient descent is the default and the exercise's set-up; mini-batches,
//! momentum and Adam ([`crate::Optimizer`]), learning-rate decay ([`crate::LrDecay`]), L2
//! regularisation, inverted dropout and class weights ([`crate::ClassWeights`]) are options of
//! [`TrainParams`] (`params`). The loop lives in `engine`, how the first layer trains in
//! `first_layer` (the Gram form, the fast path for the published cat set-up, in `gram`), what a
//! run reports in `report`.

use std::ops::ControlFlow;
use std::time::Instant;

use ndarray::{Array2, ArrayView2, AsArray, Axis, Ix2};

use crate::error::{DnnError, Result};
use crate::forward::{forward, Activations, Product};
use crate::network::Network;
use crate::{memory, ClassWeights, Float, NumpyRng};

mod control;
mod engine;
mod first_layer;
mod gram;
mod params;
mod phases;
mod report;
mod validation;
mod weight_step;

pub use control::{BatchProgress, PartialEpoch, TrainControl};
pub(crate) use engine::data_cost;
pub use params::{GramForm, TrainConfig, TrainParams, DEFAULT_DIVERGENCE_FACTOR};
pub use phases::PhaseTimes;
pub(crate) use report::costs_every;
pub use report::{Progress, TrainDiagnostics, TrainReport};
pub use validation::{EarlyStopping, Validation, ValidationHistory};
pub(crate) use weight_step::packed_ahead_cap;
pub use weight_step::StepOrder;

use engine::Gradients;
use first_layer::FirstLayer;

/// Bytes the training buffers of `sizes` on `m` examples need (see `engine::Workspace`), a
/// little more than they take.
fn workspace_bytes<F: Float>(
    sizes: &[usize],
    m: usize,
    config: &TrainConfig,
    gram_form: bool,
) -> Option<u128> {
    let f = std::mem::size_of::<F>();
    let batch = config.batch_size().map_or(m, |b| b.min(m));
    let params: usize = sizes.windows(2).map(|p| p[0] * p[1] + p[1]).sum();
    let moments = match config.optimizer() {
        crate::Optimizer::GradientDescent => 0,
        crate::Optimizer::Momentum { .. } => 1,
        crate::Optimizer::Adam { .. } => 2,
    };
    let units: usize = sizes[1..].iter().sum();
    memory::sum([
        // dW, the optimiser's moments, and the spare copy or the checkpoint (a copy of the
        // parameters and of the moments: `engine::Rollback`).
        memory::product(&[params, 2 + 2 * moments, f]),
        // A, dZ, the logits and (with dropout) masks and dropped copies, per example.
        memory::product(&[units, batch, 5, f]),
        // A gathered mini-batch.
        memory::product(&[sizes[0] + sizes[sizes.len() - 1], batch, f]),
        // The Gram form's G (m x m) and its (n[1] x m) matrices (one more with L2).
        match gram_form {
            true => memory::sum([
                memory::product(&[m, m, f]),
                memory::product(&[sizes[1], m, (3 + usize::from(config.l2() != 0.0)) * f]),
            ]),
            false => Some(0),
        },
        // The cost history.
        memory::product(&[config.iterations().min(engine::PREALLOCATED_COSTS), 8]),
    ])
}

/// The gradients of the cost with respect to one layer's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerGradients<F: Float> {
    /// `dW[l]`, shaped like `W[l]`.
    pub dw: Array2<F>,
    /// `db[l]`, shaped like `b[l]` (`(n[l], 1)`).
    pub db: Array2<F>,
}

impl<F: Float> Network<F> {
    /// Trains without an observer; see [`Network::train`].
    ///
    /// # Errors
    /// As [`Network::train`]: the checks of `x`, `y` and `config` against the network
    /// ([`DnnError::InputRows`], [`DnnError::EmptyDataSet`], [`DnnError::LabelShape`],
    /// [`DnnError::NonFinite`], [`DnnError::LabelOutOfRange`], [`DnnError::LabelColumnSum`],
    /// [`DnnError::DropoutLayers`], [`DnnError::ClassWeightsOutput`],
    /// [`DnnError::ClassWeightCount`], [`DnnError::OutOfMemory`]) before any work, then
    /// [`DnnError::Diverged`], with the network holding the last good parameters.
    pub fn fit<'a, 'b>(
        &mut self,
        x: impl AsArray<'a, F, Ix2>,
        y: impl AsArray<'b, F, Ix2>,
        config: &TrainConfig,
    ) -> Result<TrainReport>
    where
        F: 'a + 'b,
    {
        self.train(x, y, config, |_| ControlFlow::Continue(()))
    }

    /// Trains on `x` (`(n[0], m)`) and `y` (`(n[L], m)`), arrays or views (never copied),
    /// as `config` says: full-batch gradient descent by default, or mini-batches, momentum,
    /// Adam, decay, L2, dropout.
    ///
    /// Each iteration (each epoch, with mini-batches) runs the forward pass, the cost, the
    /// backward pass and the update (for each batch), then calls `observer` with the
    /// iteration and its cost; returning `ControlFlow::Break(())` stops training there
    /// (the update is kept). To follow an epoch batch by batch, or to stop between two of its
    /// mini-batches (from another thread: a Ctrl-C handler, a Stop button), attach a
    /// [`crate::TrainControl`] to `config` ([`TrainConfig::with_control`]).
    ///
    /// Where it departs from the textbook form (same math, fewer passes):
    /// * `dZ[L] = AL - Y` directly (each column times its class weight, with
    ///   [`TrainParams::class_weights`]), and the cost from the logits `Z[L]`
    ///   ([`crate::cost::from_logits`], [`crate::cost::weighted_from_logits`]), so saturated
    ///   outputs stay finite;
    /// * bias and activation are fused into one pass after each GEMM, and the
    ///   derivatives are taken from `A[l]`, so `Z[l]` is never stored;
    /// * `dA0`, the gradient with respect to the input, is never computed;
    /// * every buffer is allocated before the first iteration and reused;
    /// * for full-batch gradient descent (with or without L2, a schedule or dropout), when
    ///   there are fewer examples than features
    ///   and enough iterations to pay for it
    ///   (the cat set: 209 examples, 12288 features), the first layer trains in "Gram form":
    ///   `W1 X` comes from `XᵀX` and the running sum of `dZ1`, so no iteration touches `X`
    ///   and `W1` is formed once at the end (about 100x less work per iteration there;
    ///   [`GramForm::Never`] turns it off);
    /// * each layer's weight gradient is fused with its update, a cache-sized block at a
    ///   time, so `dW` never exists whole, and the blocks are shared over the cores;
    /// * every matrix product runs on dnn-core's own GEMM (see [`crate::diagnostics`]), split
    ///   over the cores when it is large enough to pay for it.
    ///
    /// With mini-batches, give `x` with each example contiguous (the `(n[0], m)` view of an
    /// `(m, n[0])` array, `a.t()`, as numpy's `x.reshape(m, -1).T`): a batch is then gathered
    /// as whole rows. A standard `(n[0], m)` array works too, but each batch then reads one
    /// scattered element per feature and example.
    ///
    /// `y` holds class labels, one column per example: for a sigmoid output, 0 or 1 per
    /// output unit (or a probability between them); for a softmax output, a one-hot column
    /// or a probability column (entries in `[0, 1]` summing to 1 within `4 · n[L] · ε`, ε
    /// the element type's epsilon: rounding room for soft labels and label smoothing); for an
    /// identity output (regression), the target values, any finite numbers (scaled to a few
    /// units, e.g. z-scored, for the usual learning rates).
    ///
    /// # Errors
    /// Before any work, checking `x` and `y` once (never per iteration or batch):
    /// [`DnnError::InputRows`], [`DnnError::EmptyDataSet`], [`DnnError::LabelShape`],
    /// [`DnnError::NonFinite`]; [`DnnError::LabelOutOfRange`] for a class label outside `[0, 1]`
    /// and [`DnnError::LabelColumnSum`] for a softmax label column that does not sum to 1,
    /// both naming the example (column) and the value; [`DnnError::DropoutLayers`];
    /// [`DnnError::ClassWeightsOutput`] and [`DnnError::ClassWeightCount`] when the config's
    /// class weights do not fit the network's classes; and [`DnnError::OutOfMemory`]. Then [`DnnError::Diverged`] if the cost or a parameter
    /// becomes NaN or infinite, or the cost exceeds the divergence factor times its starting
    /// value. The network then holds the last parameters whose cost was good, and the error
    /// says which.
    pub fn train<'a, 'b>(
        &mut self,
        x: impl AsArray<'a, F, Ix2>,
        y: impl AsArray<'b, F, Ix2>,
        config: &TrainConfig,
        mut observer: impl FnMut(Progress) -> ControlFlow<()>,
    ) -> Result<TrainReport>
    where
        F: 'a + 'b,
    {
        let (x, y) = (x.into(), y.into());
        let gram_form = self.trains_in_gram_form(x.ncols(), config);
        self.run(x, y, config, gram_form, |net, phases| {
            net.descend(x, gram_form, y, config, &mut |p, _, _| observer(p), phases)
        })
    }

    /// [`Network::train`] with an observer that also sees the network as it is after each
    /// iteration (each epoch, with mini-batches): to draw what it has learnt so far, say a
    /// decision boundary, while it learns. The Gram form is not used, since in it `W1` is
    /// only formed at the end; otherwise training is [`Network::train`]'s, to the bit.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use dnn_core::{Network, NumpyRng, TrainParams};
    /// let mut rng = NumpyRng::new(1);
    /// let (x, y) = (rng.randn(2, 40), rng.rand(1, 40).mapv(|v| (v > 0.5) as u8 as f64));
    /// let mut net = Network::<f64>::builder(&[2, 3, 1]).build(&mut rng)?;
    /// let mut first_weights = Vec::new();
    /// net.train_watched(&x, &y, &TrainParams::new().learning_rate(0.5).iterations(3).check()?, |_, now| {
    ///     first_weights.push(now.layers()[0].weights()[[0, 0]]);
    ///     ControlFlow::Continue(())
    /// })?;
    /// assert_eq!(first_weights.len(), 3);
    /// assert_eq!(first_weights[2], net.layers()[0].weights()[[0, 0]]);
    /// assert_ne!(first_weights[0], first_weights[1]);
    /// # Ok::<(), dnn_core::DnnError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Network::train`].
    pub fn train_watched<'a, 'b>(
        &mut self,
        x: impl AsArray<'a, F, Ix2>,
        y: impl AsArray<'b, F, Ix2>,
        config: &TrainConfig,
        mut observer: impl FnMut(Progress, &Network<F>) -> ControlFlow<()>,
    ) -> Result<TrainReport>
    where
        F: 'a + 'b,
    {
        let (x, y) = (x.into(), y.into());
        self.run(x, y, config, false, |net, phases| {
            net.descend(
                x,
                false,
                y,
                config,
                &mut |p, now, _| observer(p, now),
                phases,
            )
        })
    }

    /// Whether training on `m` examples as `config` says takes the Gram form: full-batch
    /// gradient descent where it pays ([`gram::gram_pays`]), unless `config` forbids it.
    fn trains_in_gram_form(&self, m: usize, config: &TrainConfig) -> bool {
        config.gram_form() == GramForm::Auto
            && config.gram_applies()
            && gram::gram_pays(&self.layer_sizes(), m, config.iterations())
    }

    /// What [`Network::train`] and [`Network::train_watched`] share: the checks before any
    /// work, the memory check, the clock and the report around `descend`.
    fn run(
        &mut self,
        x: ArrayView2<'_, F>,
        y: ArrayView2<'_, F>,
        config: &TrainConfig,
        gram_form: bool,
        descend: impl FnOnce(&mut Self, &mut PhaseTimes) -> Result<engine::Descended>,
    ) -> Result<TrainReport> {
        self.check_data(x, y, config.class_weights())?;
        let hidden = self.layers.len() - 1;
        if let Some(given) = config.keep_prob_layers().filter(|&n| n != hidden) {
            return Err(DnnError::DropoutLayers { given, hidden });
        }
        let m = x.ncols();
        let sizes = self.layer_sizes();
        let start = Instant::now();
        memory::ensure_allocatable(
            workspace_bytes::<F>(&sizes, m, config, gram_form),
            "the training buffers",
        )?;
        let mut phases = PhaseTimes::default();
        let engine::Descended {
            costs,
            partial,
            step_order,
        } = descend(self, &mut phases)?;
        let elapsed = start.elapsed();
        let flops = report::flops_per_iteration(&sizes, m);
        // A partial epoch's work counts for the batches that ran.
        let iterations =
            costs.len() as f64 + partial.map_or(0.0, |p| p.batches_run as f64 / p.batches as f64);
        Ok(TrainReport {
            planned: config.iterations(),
            elapsed,
            diagnostics: TrainDiagnostics {
                gram_form,
                flops_per_iteration: flops,
                gflops: flops * iterations / elapsed.as_secs_f64().max(1e-12) / 1e9,
                phases,
                step_order,
            },
            costs,
            partial,
        })
    }

    /// The cost `J` on `(x, y)`, computed stably from the logits as training does.
    ///
    /// ```
    /// use dnn_core::{Activation, Layer, Network};
    /// use ndarray::array;
    /// let net = Network::<f64>::from_layers(vec![Layer::new(array![[0.0]], array![[0.0]], Activation::Sigmoid)])?;
    /// // AL = 0.5 everywhere: J = ln 2.
    /// assert!((net.cost(&array![[1.0, 2.0]], &array![[1.0, 0.0]])? - 2f64.ln()).abs() < 1e-15);
    /// # Ok::<(), dnn_core::DnnError>(())
    /// ```
    ///
    /// # Errors
    /// The errors of [`Network::train`] for `x` and `y` (shapes, finiteness, labels).
    pub fn cost<'a, 'b>(
        &self,
        x: impl AsArray<'a, F, Ix2>,
        y: impl AsArray<'b, F, Ix2>,
    ) -> Result<f64>
    where
        F: 'a + 'b,
    {
        self.cost_with(x.into(), y.into(), None)
    }

    /// The cost `J` on `(x, y)` with each example weighted by its class, as training with
    /// [`TrainParams::class_weights`] computes it ([`crate::cost::weighted_from_logits`]).
    ///
    /// ```
    /// use dnn_core::{Activation, ClassWeights, Layer, Network};
    /// use ndarray::array;
    /// let net = Network::<f64>::from_layers(vec![Layer::new(array![[0.0]], array![[0.0]], Activation::Sigmoid)])?;
    /// // Every example's cost is ln 2; class 1's counts 3 times: J = (3 + 1) ln 2 / 2.
    /// let w = ClassWeights::new(vec![1.0, 3.0])?;
    /// let j = net.class_weighted_cost(&array![[1.0, 2.0]], &array![[1.0, 0.0]], &w)?;
    /// assert!((j - 2.0 * 2f64.ln()).abs() < 1e-15);
    /// # Ok::<(), dnn_core::DnnError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Network::cost`], and [`DnnError::ClassWeightsOutput`] or
    /// [`DnnError::ClassWeightCount`] when the weights do not fit the network's classes.
    pub fn class_weighted_cost<'a, 'b>(
        &self,
        x: impl AsArray<'a, F, Ix2>,
        y: impl AsArray<'b, F, Ix2>,
        weights: &ClassWeights,
    ) -> Result<f64>
    where
        F: 'a + 'b,
    {
        self.cost_with(x.into(), y.into(), Some(weights))
    }

    /// [`Network::cost`] or [`Network::class_weighted_cost`].
    fn cost_with(
        &self,
        x: ArrayView2<'_, F>,
        y: ArrayView2<'_, F>,
        weights: Option<&ClassWeights>,
    ) -> Result<f64> {
        self.check_data(x, y, weights)?;
        let mut fwd = Activations::for_prediction(self, x.ncols());
        forward(self, x, &mut fwd, &mut Product, &mut NumpyRng::new(0));
        Ok(data_cost(self, &fwd, y, weights))
    }

    /// The checks of `x`, `y` and class weights before any work.
    fn check_data(
        &self,
        x: ArrayView2<'_, F>,
        y: ArrayView2<'_, F>,
        weights: Option<&ClassWeights>,
    ) -> Result<()> {
        self.check_input(x)?;
        self.check_labels(x, y)?;
        match weights {
            Some(w) => {
                w.check_output(self.output_activation(), self.output_size())?;
                w.check_type::<F>()
            }
            None => Ok(()),
        }
    }

    /// The gradients `dW[l]`, `db[l]` for `l = 1..=L` (index `l - 1`) that one full-batch
    /// iteration on `(x, y)` would apply, from the engine's own backward pass.
    ///
    /// # Errors
    /// The errors of [`Network::train`] for `x` and `y` (shapes, finiteness, labels).
    pub fn gradients<'a, 'b>(
        &self,
        x: impl AsArray<'a, F, Ix2>,
        y: impl AsArray<'b, F, Ix2>,
    ) -> Result<Vec<LayerGradients<F>>>
    where
        F: 'a + 'b,
    {
        self.gradients_with(x.into(), y.into(), None)
    }

    /// The gradients of [`Network::class_weighted_cost`]: those that one full-batch iteration
    /// with [`TrainParams::class_weights`] would apply.
    ///
    /// # Errors
    /// As [`Network::class_weighted_cost`].
    pub fn class_weighted_gradients<'a, 'b>(
        &self,
        x: impl AsArray<'a, F, Ix2>,
        y: impl AsArray<'b, F, Ix2>,
        weights: &ClassWeights,
    ) -> Result<Vec<LayerGradients<F>>>
    where
        F: 'a + 'b,
    {
        self.gradients_with(x.into(), y.into(), Some(weights))
    }

    /// [`Network::gradients`] or [`Network::class_weighted_gradients`].
    fn gradients_with(
        &self,
        x: ArrayView2<'_, F>,
        y: ArrayView2<'_, F>,
        weights: Option<&ClassWeights>,
    ) -> Result<Vec<LayerGradients<F>>> {
        self.check_data(x, y, weights)?;
        let first = FirstLayer::Direct;
        let mut fwd = Activations::for_prediction(self, x.ncols());
        let mut grads = Gradients::new(self, x.ncols(), &first, true);
        forward(self, x, &mut fwd, &mut Product, &mut NumpyRng::new(0));
        self.backward(
            x,
            y,
            &fwd,
            &mut grads,
            &first,
            (0.0, weights),
            &mut phases::PhaseClock::new(false),
            &mut PhaseTimes::default(),
        );
        Ok(grads
            .dw
            .into_iter()
            .zip(grads.db)
            .map(|(dw, db)| LayerGradients {
                dw,
                db: db.insert_axis(Axis(1)),
            })
            .collect())
    }
}
