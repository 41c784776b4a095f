//! `Network<F>`: the fast, generic model, its builder, and prediction.

use std::marker::PhantomData;

use ndarray::{s, Array2, ArrayView2, AsArray, Ix2, Zip};

use crate::activation::Activation;
use crate::error::{DnnError, Result};
use crate::forward::{forward, Activations, Product};
use crate::init::Init;
use crate::steps::Parameters;
use crate::{memory, Float, GaussianSource, NumpyRng};

/// One dense layer: `A = g(W A_prev + b)`.
///
/// A layer on its own is just its parameters; [`Network::from_layers`] checks that the
/// layers fit together.
///
/// ```
/// use dnn_core::{Activation, Layer, Network};
/// use ndarray::array;
/// let layer = Layer::new(array![[0.5, -1.0]], array![[0.1]], Activation::Sigmoid);
/// let net = Network::<f64>::from_layers(vec![layer])?;
/// assert_eq!(net.layer_sizes(), vec![2, 1]);
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Layer<F: Float> {
    pub(crate) w: Array2<F>,
    pub(crate) b: Array2<F>,
    pub(crate) activation: Activation,
}

impl<F: Float> Layer<F> {
    /// A layer with weights `w` (`(n[l], n[l-1])`), bias `b` (`(n[l], 1)`) and activation `g`.
    pub fn new(w: Array2<F>, b: Array2<F>, activation: Activation) -> Self {
        Layer { w, b, activation }
    }
    /// `W`, shape `(n[l], n[l-1])`.
    pub fn weights(&self) -> &Array2<F> {
        &self.w
    }
    /// `b`, shape `(n[l], 1)`.
    pub fn bias(&self) -> &Array2<F> {
        &self.b
    }
    /// `g`.
    pub fn activation(&self) -> Activation {
        self.activation
    }
    /// The layer's parts, `(W, b, g)`.
    pub fn into_parts(self) -> (Array2<F>, Array2<F>, Activation) {
        (self.w, self.b, self.activation)
    }
}

/// A fully-connected network `[LINEAR -> g] x (L-1) -> LINEAR -> (SIGMOID | SOFTMAX |
/// IDENTITY)` in `f32` or `f64`: a classifier, or a regression (identity).
///
/// Built with [`Network::builder`] (fresh weights) or [`Network::from_layers`]
/// (weights you have, e.g. from a model file), trained with [`Network::train`].
///
/// ```
/// use dnn_core::{Activation, Init, Network, NumpyRng, TrainParams};
/// use ndarray::Array2;
///
/// // XOR-like data: label 1 when the two features have different signs.
/// let x = Array2::from_shape_fn((2, 200), |(i, j)| ((j * 7 + i * 13) % 17) as f64 / 8.0 - 1.0);
/// let y = Array2::from_shape_fn((1, 200), |(_, j)| ((x[[0, j]] > 0.0) != (x[[1, j]] > 0.0)) as u8 as f64);
/// let mut net = Network::<f64>::builder(&[2, 8, 1])
///     .hidden_activation(Activation::Tanh)
///     .init(Init::Xavier)
///     .build(&mut NumpyRng::new(2))?;
/// let config = TrainParams::new().learning_rate(1.0).iterations(2000).check()?;
/// let report = net.fit(&x, &y, &config)?;
/// assert!(report.final_cost().unwrap() < report.costs()[0]);
/// assert!(net.accuracy(&x, &y)? > 0.9);
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Network<F: Float> {
    pub(crate) layers: Vec<Layer<F>>,
}

/// Builds a [`Network`] with fresh weights; see [`Network::builder`].
#[derive(Debug, Clone)]
pub struct NetworkBuilder<F: Float> {
    sizes: Vec<usize>,
    hidden: HiddenActivations,
    output: Activation,
    init: Init,
    element: PhantomData<F>,
}

#[derive(Debug, Clone)]
enum HiddenActivations {
    All(Activation),
    PerLayer(Vec<Activation>),
}

impl<F: Float> NetworkBuilder<F> {
    /// All hidden layers use `activation` (default: relu).
    pub fn hidden_activation(mut self, activation: Activation) -> Self {
        self.hidden = HiddenActivations::All(activation);
        self
    }

    /// One activation per hidden layer, in order (`L - 1` of them).
    pub fn activations(mut self, per_layer: Vec<Activation>) -> Self {
        self.hidden = HiddenActivations::PerLayer(per_layer);
        self
    }

    /// The output layer: [`Activation::Sigmoid`] (default; one or more independent yes/no
    /// outputs), [`Activation::Softmax`] (one of `n[L]` classes, one-hot labels) or
    /// [`Activation::Identity`] (regression: `n[L]` values, trained on half the mean squared
    /// error).
    pub fn output(mut self, activation: Activation) -> Self {
        self.output = activation;
        self
    }

    /// The initialisation scheme (default: [`Init::Scaled`], the published set-up).
    pub fn init(mut self, init: Init) -> Self {
        self.init = init;
        self
    }

    /// Validates the sizes and activations and draws the weights from `rng`
    /// (in numpy's order: `W1`, `W2`, ...; biases are zeros and draw nothing).
    ///
    /// # Errors
    /// [`DnnError::TooFewLayers`] or [`DnnError::ZeroSizedLayer`] for the sizes;
    /// [`DnnError::ActivationCount`] if per-layer activations do not match the hidden
    /// layers; [`DnnError::OutputActivation`] for a softmax or identity hidden layer or an
    /// output that is not sigmoid, softmax or identity; [`DnnError::SoftmaxSingleOutput`] for a softmax output of
    /// one unit; [`DnnError::OutOfMemory`] if the weights cannot be allocated.
    pub fn build<G: GaussianSource + ?Sized>(self, rng: &mut G) -> Result<Network<F>> {
        check_sizes(&self.sizes)?;
        let hidden = self.sizes.len() - 2;
        let activations = match self.hidden {
            HiddenActivations::All(a) => vec![a; hidden],
            HiddenActivations::PerLayer(v) if v.len() == hidden => v,
            HiddenActivations::PerLayer(v) => {
                return Err(DnnError::ActivationCount {
                    given: v.len(),
                    hidden,
                })
            }
        };
        check_activations(&activations, self.output, self.sizes[self.sizes.len() - 1])?;
        // Weights are drawn in f64 a layer at a time, then converted to F: at the peak, every
        // layer's weights in F and the largest layer's draw in f64.
        let kept = memory::sum(
            self.sizes
                .windows(2)
                .map(|p| memory::product(&[p[0], p[1], std::mem::size_of::<F>()])),
        );
        let draw = self
            .sizes
            .windows(2)
            .map(|p| memory::product(&[p[0], p[1], 8]))
            .try_fold(0u128, |most, b| Some(most.max(b?)));
        memory::ensure_allocatable(
            memory::sum([kept, draw]),
            if std::mem::size_of::<F>() == 4 {
                "the weights of the network (in f32, and its largest layer drawn in f64 first)"
            } else {
                "the weights of the network (in f64, and its largest layer drawn first)"
            },
        )?;
        let layers = self
            .sizes
            .windows(2)
            .zip(activations.into_iter().chain([self.output]))
            .map(|(pair, activation)| Layer {
                w: self.init.weights(pair[0], pair[1], rng).mapv(F::of),
                b: Array2::zeros((pair[1], 1)),
                activation,
            })
            .collect();
        Ok(Network { layers })
    }
}

/// Hidden layers must be relu, tanh or sigmoid; the output layer must be sigmoid, identity,
/// or softmax over at least two units (`outputs`): the softmax of one logit is always 1.
fn check_activations(hidden: &[Activation], output: Activation, outputs: usize) -> Result<()> {
    if let Some(&a) = hidden.iter().find(|&&a| !a.is_hidden()) {
        return Err(DnnError::OutputActivation(a));
    }
    if !output.is_output() {
        return Err(DnnError::OutputActivation(output));
    }
    if output == Activation::Softmax && outputs < 2 {
        return Err(DnnError::SoftmaxSingleOutput);
    }
    Ok(())
}

fn check_sizes(sizes: &[usize]) -> Result<()> {
    if sizes.len() < 2 {
        return Err(DnnError::TooFewLayers(sizes.to_vec()));
    }
    if let Some(index) = sizes.iter().position(|&n| n == 0) {
        return Err(DnnError::ZeroSizedLayer {
            index,
            sizes: sizes.to_vec(),
        });
    }
    Ok(())
}

/// Examples predicted at a time: bounds prediction's buffers whatever the number of examples.
pub(crate) const PREDICT_CHUNK: usize = 4096;

impl<F: Float> Network<F> {
    /// Starts a builder for layer sizes `[n[0], n[1], ..., n[L]]` (input size first).
    pub fn builder(sizes: &[usize]) -> NetworkBuilder<F> {
        NetworkBuilder {
            sizes: sizes.to_vec(),
            hidden: HiddenActivations::All(Activation::Relu),
            output: Activation::Sigmoid,
            init: Init::Scaled,
            element: PhantomData,
        }
    }

    /// A network from existing layers, first to last.
    ///
    /// Checks that no layer is empty, that every `b[l]` is `(n[l], 1)`, that the layers
    /// chain (`W[l]` has `n[l-1]` columns), that every weight and bias is finite, that every
    /// hidden layer is relu, tanh or sigmoid and that the output layer is sigmoid, identity,
    /// or softmax over at least two units.
    ///
    /// ```
    /// use dnn_core::{Activation, DnnError, Layer, Network};
    /// use ndarray::array;
    /// let layer = Layer::new(array![[0.5, f64::NAN]], array![[0.1]], Activation::Sigmoid);
    /// let err = Network::<f64>::from_layers(vec![layer]).unwrap_err();
    /// assert!(matches!(err, DnnError::NonFiniteParameter { param: "W", layer: 1, row: 0, col: 1, .. }));
    /// ```
    ///
    /// # Errors
    /// [`DnnError::TooFewLayers`] for no layers; [`DnnError::EmptyLayer`],
    /// [`DnnError::BiasShape`] and [`DnnError::LayersDoNotChain`] for shapes;
    /// [`DnnError::NonFiniteParameter`] for the first NaN or infinity (in `W1`, `b1`, `W2`,
    /// ...), naming the layer and position; [`DnnError::OutputActivation`] and
    /// [`DnnError::SoftmaxSingleOutput`] for activations.
    pub fn from_layers(layers: Vec<Layer<F>>) -> Result<Self> {
        if layers.is_empty() {
            return Err(DnnError::TooFewLayers(Vec::new()));
        }
        for (i, layer) in layers.iter().enumerate() {
            let (l, w) = (i + 1, layer.w.dim());
            if layer.w.is_empty() {
                return Err(DnnError::EmptyLayer { layer: l, w });
            }
            if layer.b.dim() != (w.0, 1) {
                return Err(DnnError::BiasShape {
                    layer: l,
                    w,
                    b: layer.b.dim(),
                });
            }
            if let Some(prev) = i.checked_sub(1).map(|p| &layers[p]) {
                if w.1 != prev.w.nrows() {
                    return Err(DnnError::LayersDoNotChain {
                        layer: l,
                        w,
                        previous_units: prev.w.nrows(),
                    });
                }
            }
        }
        for (i, layer) in layers.iter().enumerate() {
            for (param, a) in [("W", &layer.w), ("b", &layer.b)] {
                if let Err(DnnError::NonFinite {
                    value, row, col, ..
                }) = check_finite(param, a.view())
                {
                    return Err(DnnError::NonFiniteParameter {
                        param,
                        layer: i + 1,
                        row,
                        col,
                        value,
                    });
                }
            }
        }
        let (hidden, last) = layers.split_at(layers.len() - 1);
        let hidden: Vec<Activation> = hidden.iter().map(|l| l.activation).collect();
        check_activations(&hidden, last[0].activation, last[0].w.nrows())?;
        Ok(Network { layers })
    }

    /// The same network as the step-by-step [`Parameters`] (converted to `f64`).
    pub fn to_parameters(&self) -> Parameters {
        Parameters::new(
            self.layers
                .iter()
                .map(|l| (l.w.mapv(F::to_f64_lossless), l.b.mapv(F::to_f64_lossless)))
                .collect(),
        )
    }

    /// The exercise's relu/sigmoid network ([`Activation::exercise`]) from step-by-step
    /// [`Parameters`].
    ///
    /// # Errors
    /// As [`Network::from_layers`] (in practice [`DnnError::NonFiniteParameter`]:
    /// [`Parameters`] already have chaining shapes).
    pub fn from_parameters(parameters: &Parameters) -> Result<Self> {
        let big_l = parameters.num_layers();
        Self::from_layers(
            (1..=big_l)
                .map(|l| {
                    Layer::new(
                        parameters.w(l).mapv(F::of),
                        parameters.b(l).mapv(F::of),
                        Activation::exercise(l, big_l),
                    )
                })
                .collect(),
        )
    }

    /// The layers, first to last.
    pub fn layers(&self) -> &[Layer<F>] {
        &self.layers
    }

    /// `[n[0], n[1], ..., n[L]]`.
    pub fn layer_sizes(&self) -> Vec<usize> {
        std::iter::once(self.input_size())
            .chain(self.layers.iter().map(|l| l.w.nrows()))
            .collect()
    }

    /// The number of inputs `n[0]`.
    pub fn input_size(&self) -> usize {
        self.layers[0].w.ncols()
    }

    /// The number of outputs `n[L]`.
    pub fn output_size(&self) -> usize {
        self.layers[self.layers.len() - 1].w.nrows()
    }

    /// The number of trainable numbers (all weights and biases).
    pub fn num_parameters(&self) -> usize {
        self.layers.iter().map(|l| l.w.len() + l.b.len()).sum()
    }

    /// The output layer's activation (sigmoid or softmax for a classifier, identity for
    /// regression).
    pub fn output_activation(&self) -> Activation {
        self.layers[self.layers.len() - 1].activation
    }

    /// Refuses a regression network where classes are asked for.
    fn check_classifies(&self) -> Result<()> {
        if self.output_activation().classifies() {
            Ok(())
        } else {
            Err(DnnError::NotAClassifier)
        }
    }

    /// Checks that `x` is `(n[0], m)` with `m > 0`, all finite.
    pub(crate) fn check_input(&self, x: ArrayView2<'_, F>) -> Result<()> {
        if x.nrows() != self.input_size() {
            return Err(DnnError::InputRows {
                rows: x.nrows(),
                columns: x.ncols(),
                expected: self.input_size(),
            });
        }
        if x.ncols() == 0 {
            return Err(DnnError::EmptyDataSet);
        }
        check_finite("X", x)
    }

    /// Checks `y` against `x` (already checked): `(n[L], m)`, all finite, and labels of
    /// this network's output ([`check_label_values`]).
    ///
    /// One pass over `y` per call (two for softmax), before any work: training calls it
    /// once, never per iteration or batch.
    pub(crate) fn check_labels(&self, x: ArrayView2<'_, F>, y: ArrayView2<'_, F>) -> Result<()> {
        if y.dim() != (self.output_size(), x.ncols()) {
            return Err(DnnError::LabelShape {
                y_shape: y.dim(),
                examples: x.ncols(),
                outputs: self.output_size(),
            });
        }
        check_finite("Y", y)?;
        check_label_values(self.output_activation(), y)
    }

    /// The output probabilities `AL`, shape `(n[L], m)`, for `x` of shape `(n[0], m)` (an
    /// array or a view; it is never copied).
    ///
    /// The forward pass is the training engine's own (same kernels), run on up to 4096
    /// examples at a time.
    ///
    /// ```
    /// use dnn_core::{Activation, Layer, Network};
    /// use ndarray::array;
    /// let net = Network::<f64>::from_layers(vec![Layer::new(array![[2.0]], array![[0.0]], Activation::Sigmoid)])?;
    /// let p = net.predict_proba(&array![[0.0, 1.0]])?;
    /// assert_eq!(p[[0, 0]], 0.5);
    /// assert!((p[[0, 1]] - 1.0 / (1.0 + (-2.0f64).exp())).abs() < 1e-16);
    /// # Ok::<(), dnn_core::DnnError>(())
    /// ```
    ///
    /// # Errors
    /// [`DnnError::InputRows`] when `x` does not have `n[0]` rows, [`DnnError::EmptyDataSet`]
    /// when it has no columns, [`DnnError::NonFinite`] for a NaN or infinite entry, and
    /// [`DnnError::OutOfMemory`] when the predictions and their buffers do not fit.
    pub fn predict_proba<'a>(&self, x: impl AsArray<'a, F, Ix2>) -> Result<Array2<F>>
    where
        F: 'a,
    {
        let x = x.into();
        self.check_input(x)?;
        let m = x.ncols();
        let f = std::mem::size_of::<F>();
        memory::ensure_allocatable(
            memory::sum([
                memory::product(&[self.output_size(), m, f]),
                memory::product(&[
                    self.layer_sizes()[1..].iter().sum::<usize>(),
                    m.min(PREDICT_CHUNK),
                    2 * f,
                ]),
            ]),
            "the predictions and their buffers",
        )?;
        let mut out = Array2::zeros((self.output_size(), m));
        let mut bufs = Activations::for_prediction(self, m.min(PREDICT_CHUNK));
        // Prediction draws nothing; the generator is only the pass's dropout argument.
        let mut unused = NumpyRng::new(0);
        for start in (0..m).step_by(PREDICT_CHUNK) {
            let k = PREDICT_CHUNK.min(m - start);
            let chunk = x.slice(s![.., start..start + k]);
            forward(self, chunk, &mut bufs, &mut Product, &mut unused);
            out.slice_mut(s![.., start..start + k])
                .assign(&bufs.probabilities(k));
        }
        Ok(out)
    }

    /// Predictions, shape `(n[L], m)`: for a sigmoid output, 1 where `AL > 0.5`, else 0; for
    /// a softmax output, the one-hot column of the most probable class; for an identity
    /// output (regression), the outputs themselves.
    ///
    /// # Errors
    /// As [`Network::predict_proba`]: [`DnnError::InputRows`], [`DnnError::EmptyDataSet`],
    /// [`DnnError::NonFinite`] or [`DnnError::OutOfMemory`].
    pub fn predict<'a>(&self, x: impl AsArray<'a, F, Ix2>) -> Result<Array2<F>>
    where
        F: 'a,
    {
        let proba = self.predict_proba(x)?;
        if self.output_activation() == Activation::Identity {
            return Ok(proba);
        }
        if self.output_activation() == Activation::Softmax {
            let classes = argmax_columns(proba.view());
            return Ok(one_hot(&classes, proba.nrows()));
        }
        let half = F::of(0.5);
        Ok(proba.mapv(|p| if p > half { F::one() } else { F::zero() }))
    }

    /// The predicted class of each example: the most probable class for a softmax output,
    /// `AL > 0.5` (0 or 1) for a single sigmoid output (and, for several sigmoid outputs,
    /// the most probable one).
    ///
    /// ```
    /// use dnn_core::{Activation, Layer, Network};
    /// use ndarray::array;
    /// let net = Network::<f64>::from_layers(vec![Layer::new(array![[1.0]], array![[0.0]], Activation::Sigmoid)])?;
    /// assert_eq!(net.predict_classes(&array![[-3.0, 0.0, 0.1]])?, vec![0, 0, 1]);
    /// # Ok::<(), dnn_core::DnnError>(())
    /// ```
    ///
    /// # Errors
    /// [`DnnError::NotAClassifier`] for an identity (regression) output; as
    /// [`Network::predict_proba`] for `x`.
    pub fn predict_classes<'a>(&self, x: impl AsArray<'a, F, Ix2>) -> Result<Vec<usize>>
    where
        F: 'a,
    {
        self.check_classifies()?;
        let proba = self.predict_proba(x)?;
        Ok(classes_of(proba.view()))
    }

    /// The fraction of correct predictions: for a softmax output, of examples whose most
    /// probable class is the label's most probable one; for sigmoid outputs, of all outputs of
    /// all examples whose prediction (`AL > 0.5`) is their label's side of 0.5, so that a
    /// smoothed label such as 0.9 counts as 1, as 1 does.
    ///
    /// ```
    /// use dnn_core::{Activation, Layer, Network};
    /// use ndarray::array;
    /// let net = Network::<f64>::from_layers(vec![Layer::new(array![[1.0]], array![[0.0]], Activation::Sigmoid)])?;
    /// let x = array![[-3.0, 2.0, 4.0, -1.0]];
    /// assert_eq!(net.accuracy(&x, &array![[0.0, 1.0, 1.0, 1.0]])?, 0.75);
    /// assert_eq!(net.accuracy(&x, &array![[0.05, 0.95, 0.9, 0.9]])?, 0.75);
    /// # Ok::<(), dnn_core::DnnError>(())
    /// ```
    ///
    /// # Errors
    /// [`DnnError::NotAClassifier`] for an identity (regression) output;
    /// [`DnnError::InputRows`], [`DnnError::EmptyDataSet`] or [`DnnError::NonFinite`] for
    /// `x`; [`DnnError::LabelShape`], [`DnnError::NonFinite`], [`DnnError::LabelOutOfRange`]
    /// or [`DnnError::LabelColumnSum`] for `y` (labels as [`Network::train`] takes them).
    pub fn accuracy<'a, 'b>(
        &self,
        x: impl AsArray<'a, F, Ix2>,
        y: impl AsArray<'b, F, Ix2>,
    ) -> Result<f64>
    where
        F: 'a + 'b,
    {
        self.check_classifies()?;
        let (x, y) = (x.into(), y.into());
        let predictions = self.predict(x)?;
        self.check_labels(x, y)?;
        if self.output_activation() == Activation::Softmax {
            let (got, want) = (argmax_columns(predictions.view()), argmax_columns(y));
            let correct = got.iter().zip(&want).filter(|(a, b)| a == b).count();
            return Ok(correct as f64 / want.len() as f64);
        }
        let half = F::of(0.5);
        let correct = Zip::from(&predictions).and(y).fold(0usize, |n, &p, &t| {
            n + usize::from((p > half) == (t > half))
        });
        Ok(correct as f64 / y.len() as f64)
    }
}

/// The class of each column of output probabilities: `p > 0.5` for one sigmoid output,
/// else the most probable row (the first one on ties).
///
/// ```
/// use ndarray::array;
/// assert_eq!(dnn_core::classes_of(array![[0.2, 0.7]].view()), vec![0, 1]);
/// assert_eq!(dnn_core::classes_of(array![[0.2, 0.5], [0.3, 0.1], [0.5, 0.4]].view()), vec![2, 0]);
/// ```
pub fn classes_of<F: Float>(proba: ArrayView2<'_, F>) -> Vec<usize> {
    if proba.nrows() == 1 {
        let half = F::of(0.5);
        return proba
            .row(0)
            .iter()
            .map(|&p| usize::from(p > half))
            .collect();
    }
    argmax_columns(proba)
}

/// The class of each column of a two-class output at a decision threshold: 1 where the
/// second class's probability (the one sigmoid output's `p`, or a two-class softmax's second
/// row) is above `threshold`, else 0. Lower thresholds answer class 1 more often (more of it
/// found, more false alarms); [`classes_of`] is this at 0.5 for one sigmoid output.
///
/// ```
/// use ndarray::array;
/// let sigmoid = array![[0.2, 0.4, 0.7]];
/// assert_eq!(dnn_core::classes_above(sigmoid.view(), 0.5), vec![0, 0, 1]);
/// assert_eq!(dnn_core::classes_above(sigmoid.view(), 0.3), vec![0, 1, 1]);
/// let softmax = array![[0.8, 0.6, 0.3], [0.2, 0.4, 0.7]];
/// assert_eq!(dnn_core::classes_above(softmax.view(), 0.3), vec![0, 1, 1]);
/// ```
///
/// # Panics
/// If `proba` has neither one row nor two: more classes than two have no single threshold.
pub fn classes_above<F: Float>(proba: ArrayView2<'_, F>, threshold: F) -> Vec<usize> {
    assert!(
        matches!(proba.nrows(), 1 | 2),
        "a threshold decides between two classes, not {}",
        proba.nrows()
    );
    proba
        .row(proba.nrows() - 1)
        .iter()
        .map(|&p| usize::from(p > threshold))
        .collect()
}

/// The class of each column at `threshold` if given ([`classes_above`]), else the most
/// probable ([`classes_of`]): how `dnn predict` and `dnn evaluate` decide with or without
/// `--threshold`.
///
/// ```
/// use ndarray::array;
/// let sigmoid = array![[0.2, 0.4, 0.7]];
/// assert_eq!(dnn_core::classes_at(sigmoid.view(), Some(0.3)), vec![0, 1, 1]);
/// assert_eq!(dnn_core::classes_at(sigmoid.view(), None), vec![0, 0, 1]);
/// ```
///
/// # Panics
/// As [`classes_above`], for a threshold on more than two classes.
pub fn classes_at<F: Float>(proba: ArrayView2<'_, F>, threshold: Option<F>) -> Vec<usize> {
    match threshold {
        Some(t) => classes_above(proba, t),
        None => classes_of(proba),
    }
}

/// The row of the largest value of each column (the first one on ties).
///
/// A row-major matrix (a network's outputs, `(classes, m)`) is walked row by row, in memory
/// order, keeping each column's best so far; column by column, each value would be a class
/// count of rows away from the last. Either way each column compares its rows in order.
fn argmax_columns<F: Float>(a: ArrayView2<'_, F>) -> Vec<usize> {
    if a.strides()[1] == 1 && a.nrows() > 1 {
        let mut best = vec![F::neg_infinity(); a.ncols()];
        let mut class = vec![0; a.ncols()];
        for (i, row) in a.rows().into_iter().enumerate() {
            for ((b, c), &v) in best.iter_mut().zip(&mut class).zip(row) {
                if v > *b {
                    (*b, *c) = (v, i);
                }
            }
        }
        return class;
    }
    a.columns()
        .into_iter()
        .map(|c| {
            c.iter()
                .enumerate()
                .fold((0, F::neg_infinity()), |best, (i, &v)| {
                    if v > best.1 {
                        (i, v)
                    } else {
                        best
                    }
                })
                .0
        })
        .collect()
}

/// One-hot labels: column `j` is 1 in row `labels[j]`, shape `(classes, labels.len())`.
///
/// ```
/// let y = dnn_core::one_hot::<f64>(&[2, 0], 3);
/// assert_eq!(y, ndarray::array![[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]]);
/// ```
///
/// # Panics
/// If a label is not below `classes`.
pub fn one_hot<F: Float>(labels: &[usize], classes: usize) -> Array2<F> {
    let mut y = Array2::zeros((classes, labels.len()));
    for (j, &c) in labels.iter().enumerate() {
        assert!(
            c < classes,
            "label {c} at column {j} is not below the {classes} classes"
        );
        y[[c, j]] = F::one();
    }
    y
}

/// How far from 1 the sum of a softmax label column of `classes` entries of type `F` may be:
/// `4 · classes · ε` (ε = `F::epsilon()`, the spacing of `F` at 1: 2.2e-16 for `f64`, 1.2e-7
/// for `f32`).
///
/// A one-hot column sums to exactly 1. A probability column (soft labels, label smoothing's
/// `1 − α + α/K` and `α/K`, a teacher network's softmax) was normalised in `F` by whoever
/// made it: summing `K` terms in `F` is off by at most `(K − 1) ε` of the total, and each
/// entry carries a few more roundings of at most `ε` of itself (the entries add up to 1, so
/// those add up to a few `ε`). `4 K ε` covers both with room; the `f64` sum taken here adds
/// at most `K · 2⁻⁵³`. Printed probabilities rounded to a few digits (`0.33, 0.33, 0.33`)
/// are refused: they are not a distribution.
pub(crate) fn label_sum_tolerance<F: Float>(classes: usize) -> f64 {
    4.0 * classes as f64 * F::epsilon().to_f64_lossless()
}

/// Refuses labels that are not labels of an `output` layer (the shape is already checked):
///
/// * every entry in `[0, 1]` (sigmoid: 0/1 or the probability of 1; softmax: class
///   probabilities), else [`DnnError::LabelOutOfRange`];
/// * for softmax, every column summing to 1 within [`label_sum_tolerance`] (one-hot, or a
///   probability column), else [`DnnError::LabelColumnSum`].
///
/// An identity (regression) output takes any target value; finiteness is checked apart.
/// NaN is refused as out of range (the engine reports it earlier as non-finite).
pub(crate) fn check_label_values<F: Float>(output: Activation, y: ArrayView2<'_, F>) -> Result<()> {
    if !output.classifies() {
        return Ok(());
    }
    let (zero, one) = (F::zero(), F::one());
    let outside = |v: F| !(v >= zero && v <= one);
    // As in `check_finite`: a vectorisable pass in memory order first, the position only
    // when something is wrong.
    if y.fold(false, |bad, &v| bad | outside(v)) {
        if let Some(((row, col), &v)) = y.indexed_iter().find(|(_, &v)| outside(v)) {
            return Err(DnnError::LabelOutOfRange {
                value: v.to_f64_lossless(),
                row,
                col,
                output,
                outputs: y.nrows(),
            });
        }
    }
    if output == Activation::Softmax {
        let tolerance = label_sum_tolerance::<F>(y.nrows());
        for (col, column) in y.columns().into_iter().enumerate() {
            let sum: f64 = column.iter().map(|v| v.to_f64_lossless()).sum();
            if (sum - 1.0).abs() > tolerance {
                return Err(DnnError::LabelColumnSum {
                    col,
                    sum,
                    tolerance,
                    outputs: y.nrows(),
                });
            }
        }
    }
    Ok(())
}

/// Fails on the first NaN or infinity, naming where it is.
pub(crate) fn check_finite<F: Float>(what: &'static str, a: ArrayView2<'_, F>) -> Result<()> {
    if !has_non_finite(a) {
        return Ok(());
    }
    match a.indexed_iter().find(|(_, v)| !v.is_finite()) {
        None => Ok(()),
        Some(((row, col), v)) => Err(DnnError::NonFinite {
            what,
            value: v.to_f64_lossless(),
            row,
            col,
        }),
    }
}

/// Values per chunk of [`has_non_finite`]'s pass over the GEMM's team (256 KiB of `f32`).
const FINITE_CHUNK: usize = 1 << 16;

/// Whether any value of `a` is NaN or infinite: a pass in memory order with no early exit,
/// which vectorises (X is often the transposed view of an example-major array, where the
/// logical order jumps through memory), shared out over the GEMM's team where `a` has more
/// than one chunk of [`FINITE_CHUNK`] values. The pass is bound by memory: on the mini-batch
/// bench's data (60,000 x 784 `f32`, 188 MB) one thread took 15-17 ms of the process before
/// training began.
fn has_non_finite<F: Float>(a: ArrayView2<'_, F>) -> bool {
    let bad = |bad: bool, v: &F| bad | !v.is_finite();
    let any = |values: &[F]| values.iter().fold(false, bad);
    let Some(values) = a.as_slice_memory_order() else {
        return a.fold(false, bad);
    };
    let chunks = values.len().div_ceil(FINITE_CHUNK);
    if chunks <= 1 {
        return any(values);
    }
    // A team without workers runs the chunks on this thread.
    let found = std::sync::atomic::AtomicBool::new(false);
    crate::gemm::on_team(chunks, &|_, chunk| {
        let start = chunk * FINITE_CHUNK;
        if any(&values[start..values.len().min(start + FINITE_CHUNK)]) {
            found.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    });
    found.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A NaN or an infinity anywhere in an array of several chunks (so checked on the team
    /// where it has workers) is found, and named at its place, in either layout; an array
    /// of finite values passes.
    #[test]
    fn a_non_finite_value_in_any_chunk_of_a_large_array_is_found() {
        let (rows, cols) = (300, 700);
        assert!(rows * cols > 3 * FINITE_CHUNK);
        let fine = Array2::from_shape_fn((rows, cols), |(i, j)| (i * cols + j) as f32 * 1e-3);
        assert!(check_finite("X", fine.view()).is_ok());
        assert!(check_finite("X", fine.t()).is_ok());
        // The first and last value, and one in the middle of every chunk.
        let mut places = vec![0, rows * cols - 1];
        places.extend(
            (0..rows * cols)
                .step_by(FINITE_CHUNK)
                .map(|p| p + FINITE_CHUNK / 2),
        );
        for (n, &place) in places.iter().enumerate() {
            let place = place.min(rows * cols - 1);
            let (row, col) = (place / cols, place % cols);
            let mut bad = fine.clone();
            bad[[row, col]] = if n % 2 == 0 {
                f32::NAN
            } else {
                f32::NEG_INFINITY
            };
            match check_finite("X", bad.view()) {
                Err(DnnError::NonFinite { row: r, col: c, .. }) => assert_eq!((r, c), (row, col)),
                other => panic!("{place}: {other:?}"),
            }
            match check_finite("X", bad.t()) {
                Err(DnnError::NonFinite { row: r, col: c, .. }) => assert_eq!((r, c), (col, row)),
                other => panic!("{place}, transposed: {other:?}"),
            }
        }
    }

    /// Walked row by row (row-major outputs) or column by column (any other layout), each
    /// column's class is the same: ties, NaNs and infinities included.
    #[test]
    fn the_classes_of_row_major_outputs_are_those_column_by_column() {
        let mut rng = NumpyRng::new(4);
        let values = [f64::NAN, f64::NEG_INFINITY, f64::INFINITY, 0.25, 0.5];
        let a = Array2::from_shape_fn((7, 500), |_| {
            let u = rng.next_double();
            // Mostly a few repeated values (ties), some NaN and infinite.
            values[(u * 5.0) as usize % 5]
        });
        assert!(a.is_standard_layout());
        let by_columns = a.t().as_standard_layout().into_owned().reversed_axes();
        assert_eq!(by_columns.strides()[0], 1);
        let expected: Vec<usize> = a
            .columns()
            .into_iter()
            .map(|c| {
                let mut best = (0, f64::NEG_INFINITY);
                for (i, &v) in c.iter().enumerate() {
                    if v > best.1 {
                        best = (i, v);
                    }
                }
                best.0
            })
            .collect();
        assert_eq!(argmax_columns(a.view()), expected);
        assert_eq!(argmax_columns(by_columns.view()), expected);
        assert!(expected.iter().any(|&c| c > 0) && expected.contains(&0));
    }
}
