//! `Network<F>`: the fast, generic model, and its builder.

use std::marker::PhantomData;

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, Zip};
use rand::RngCore;

use crate::activation::{softmax_columns, Activation};
use crate::error::{DnnError, Result};
use crate::init::Init;
use crate::kernels;
use crate::steps::Parameters;
use crate::Float;

/// One dense layer: `A = g(W A_prev + b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer<F: Float> {
    pub(crate) w: Array2<F>,
    pub(crate) b: Array2<F>,
    pub(crate) activation: Activation,
}

impl<F: Float> Layer<F> {
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
}

/// A fully-connected network `[LINEAR -> g] x (L-1) -> LINEAR -> SIGMOID` in `f32` or `f64`.
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
    /// outputs) or [`Activation::Softmax`] (one of `n[L]` classes, one-hot labels).
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
    pub fn build<R: RngCore + 'static>(self, rng: &mut R) -> Result<Network<F>> {
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
        check_activations(&activations, self.output)?;
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

/// Hidden layers must not be softmax; the output layer must be sigmoid or softmax.
fn check_activations(hidden: &[Activation], output: Activation) -> Result<()> {
    if let Some(&a) = hidden.iter().find(|&&a| a == Activation::Softmax) {
        return Err(DnnError::OutputActivation(a));
    }
    if !output.is_output() {
        return Err(DnnError::OutputActivation(output));
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

    /// A network from existing weights: `[(W1, b1, g1), (W2, b2, g2), ...]`.
    ///
    /// Checks that every `b[l]` is `(n[l], 1)`, that the layers chain, that no
    /// layer is empty and that the last activation is sigmoid.
    pub fn from_layers(layers: Vec<(Array2<F>, Array2<F>, Activation)>) -> Result<Self> {
        if layers.is_empty() {
            return Err(DnnError::TooFewLayers(Vec::new()));
        }
        for (i, (w, b, _)) in layers.iter().enumerate() {
            let layer = i + 1;
            if w.is_empty() {
                return Err(DnnError::ParameterShape {
                    layer,
                    detail: format!(
                        "W{layer} has shape {:?}: a layer needs at least one unit and one input",
                        w.dim()
                    ),
                });
            }
            if b.dim() != (w.nrows(), 1) {
                return Err(DnnError::ParameterShape {
                    layer,
                    detail: format!(
                        "W{layer} has shape {:?} so b{layer} must be ({}, 1), but it is {:?}",
                        w.dim(),
                        w.nrows(),
                        b.dim()
                    ),
                });
            }
            if i > 0 {
                let prev = &layers[i - 1].0;
                if w.ncols() != prev.nrows() {
                    return Err(DnnError::ParameterShape {
                        layer,
                        detail: format!(
                            "W{layer} has shape {:?} but layer {} has {} units, so W{layer} needs {} columns",
                            w.dim(),
                            i,
                            prev.nrows(),
                            prev.nrows()
                        ),
                    });
                }
            }
        }
        let (hidden, last) = layers.split_at(layers.len() - 1);
        let hidden: Vec<Activation> = hidden.iter().map(|l| l.2).collect();
        check_activations(&hidden, last[0].2)?;
        Ok(Network {
            layers: layers
                .into_iter()
                .map(|(w, b, activation)| Layer { w, b, activation })
                .collect(),
        })
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

    /// Builds a relu/sigmoid network (the exercise's architecture) from step-by-step [`Parameters`].
    pub fn from_parameters(parameters: &Parameters) -> Result<Self> {
        let big_l = parameters.num_layers();
        Self::from_layers(
            (1..=big_l)
                .map(|l| {
                    let activation = if l == big_l {
                        Activation::Sigmoid
                    } else {
                        Activation::Relu
                    };
                    (
                        parameters.w(l).mapv(F::of),
                        parameters.b(l).mapv(F::of),
                        activation,
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
        std::iter::once(self.layers[0].w.ncols())
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

    /// Checks that `x` is `(n[0], m)` with `m > 0`, all finite.
    pub(crate) fn check_input(&self, x: ArrayView2<'_, F>) -> Result<()> {
        if x.nrows() != self.input_size() {
            return Err(DnnError::InputRows {
                rows: x.nrows(),
                expected: self.input_size(),
            });
        }
        if x.ncols() == 0 {
            return Err(DnnError::EmptyDataSet);
        }
        check_finite("X", x)
    }

    /// Checks `y` against `x` (already checked): `(n[L], m)`, all finite.
    pub(crate) fn check_labels(&self, x: ArrayView2<'_, F>, y: ArrayView2<'_, F>) -> Result<()> {
        if y.dim() != (self.output_size(), x.ncols()) {
            return Err(DnnError::LabelShape {
                y_shape: y.dim(),
                examples: x.ncols(),
                outputs: self.output_size(),
            });
        }
        check_finite("Y", y)
    }

    /// The output layer's activation (sigmoid or softmax).
    pub fn output_activation(&self) -> Activation {
        self.layers[self.layers.len() - 1].activation
    }

    /// The output probabilities `AL`, shape `(n[L], m)`.
    pub fn predict_proba(&self, x: &Array2<F>) -> Result<Array2<F>> {
        self.check_input(x.view())?;
        // No copy of X: the first layer reads it in place (it is the largest array by far).
        let mut a: Option<Array2<F>> = None;
        for layer in &self.layers {
            let input = a.as_ref().map_or_else(|| x.view(), |a| a.view());
            let mut z = Array2::zeros((layer.w.nrows(), input.ncols()));
            if layer.activation == Activation::Softmax {
                general_mat_mul(F::one(), &layer.w, &input, F::zero(), &mut z);
                kernels::add_bias_in_place(z.view_mut(), &layer.b);
                let mut out = Array2::zeros(z.dim());
                softmax_columns(z.view(), out.view_mut());
                z = out;
            } else {
                kernels::linear_activation(
                    &layer.w,
                    &layer.b,
                    input,
                    layer.activation,
                    z.view_mut(),
                );
            }
            a = Some(z);
        }
        Ok(a.unwrap_or_else(|| x.clone()))
    }

    /// Predictions, shape `(n[L], m)`: for a sigmoid output, 1 where `AL > 0.5`, else 0; for
    /// a softmax output, the one-hot column of the most probable class.
    pub fn predict(&self, x: &Array2<F>) -> Result<Array2<F>> {
        let proba = self.predict_proba(x)?;
        if self.output_activation() == Activation::Softmax {
            let mut out = Array2::zeros(proba.dim());
            for (j, class) in argmax_columns(&proba).into_iter().enumerate() {
                out[[class, j]] = F::one();
            }
            return Ok(out);
        }
        let half = F::of(0.5);
        Ok(proba.mapv(|p| if p > half { F::one() } else { F::zero() }))
    }

    /// The predicted class of each example: the most probable class for a softmax output,
    /// `AL > 0.5` (0 or 1) for a single sigmoid output (and, for several sigmoid outputs,
    /// the most probable one).
    pub fn predict_classes(&self, x: &Array2<F>) -> Result<Vec<usize>> {
        let proba = self.predict_proba(x)?;
        if proba.nrows() == 1 {
            let half = F::of(0.5);
            return Ok(proba
                .row(0)
                .iter()
                .map(|&p| usize::from(p > half))
                .collect());
        }
        Ok(argmax_columns(&proba))
    }

    /// The fraction of correct predictions: for a softmax output, of examples whose most
    /// probable class is the one-hot label's; for sigmoid outputs, of all outputs of all
    /// examples equal to their 0/1 label.
    pub fn accuracy(&self, x: &Array2<F>, y: &Array2<F>) -> Result<f64> {
        let predictions = self.predict(x)?;
        self.check_labels(x.view(), y.view())?;
        if self.output_activation() == Activation::Softmax {
            let (got, want) = (argmax_columns(&predictions), argmax_columns(y));
            let correct = got.iter().zip(&want).filter(|(a, b)| a == b).count();
            return Ok(correct as f64 / want.len() as f64);
        }
        let correct = Zip::from(&predictions)
            .and(y)
            .fold(0usize, |n, &p, &t| n + usize::from(p == t));
        Ok(correct as f64 / y.len() as f64)
    }
}

/// The row of the largest value of each column (the first one on ties).
fn argmax_columns<F: Float>(a: &Array2<F>) -> Vec<usize> {
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
/// let y = dnn_core::network::one_hot::<f64>(&[2, 0], 3);
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

/// Fails on the first NaN or infinity, naming where it is.
pub(crate) fn check_finite<F: Float>(what: &'static str, a: ArrayView2<'_, F>) -> Result<()> {
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
