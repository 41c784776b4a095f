//! The one error type of dnn-core.

use std::fmt;

use thiserror::Error;

use crate::Activation;

/// Everything the engine refuses, with the numbers that explain why.
///
/// The step-by-step functions ([`crate::steps`]) panic on misuse as numpy does;
/// [`crate::Network`] and [`crate::TrainParams`] return these instead.
///
/// ```
/// use dnn_core::{DnnError, Network, NumpyRng};
/// let err = Network::<f64>::builder(&[3, 0, 1]).build(&mut NumpyRng::new(1)).unwrap_err();
/// assert!(matches!(err, DnnError::ZeroSizedLayer { index: 1, .. }));
/// assert_eq!(err.to_string(), "layer 1 has 0 units in the layer sizes [3, 0, 1]: every layer needs at least one unit");
/// ```
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum DnnError {
    /// Fewer than two layer sizes (an input and an output are needed).
    #[error("a network needs at least an input and an output size, but the layer sizes are {0:?}")]
    TooFewLayers(Vec<usize>),

    /// A layer of zero units.
    #[error("layer {index} has 0 units in the layer sizes {sizes:?}: every layer needs at least one unit")]
    ZeroSizedLayer {
        /// Position in the list of sizes (0 is the input).
        index: usize,
        /// All the sizes given.
        sizes: Vec<usize>,
    },

    /// The number of per-layer activations does not match the number of hidden layers.
    #[error("{given} hidden activations were given for {hidden} hidden layers")]
    ActivationCount {
        /// How many were given.
        given: usize,
        /// How many hidden layers the sizes describe.
        hidden: usize,
    },

    /// The output layer must be a sigmoid (binary cross-entropy), a softmax (categorical
    /// cross-entropy) or an identity (squared error); hidden layers relu, tanh or sigmoid.
    #[error("{0} cannot be used there: the output layer must use sigmoid (binary cross-entropy), softmax (categorical cross-entropy) or identity (regression, squared error), and hidden layers relu, tanh or sigmoid")]
    OutputActivation(Activation),

    /// Classes or an accuracy were asked of a regression network (identity output), which
    /// gives values.
    #[error("this network's output layer is identity (regression): it gives values, not classes, so it has no predicted class or accuracy; compare its outputs to the targets instead (e.g. by their mean squared error)")]
    NotAClassifier,

    /// A softmax output layer of one unit: its one probability is always 1, so its cost is
    /// always 0 and it never learns.
    #[error("the output layer is softmax with 1 unit, but softmax needs at least two outputs (one per class; its only probability would always be 1 and it would never learn): for two classes use one sigmoid output unit")]
    SoftmaxSingleOutput,

    /// A NaN or infinite weight or bias given to [`crate::Network::from_layers`].
    #[error("{param}{layer}[{row}, {col}] is {value}: every weight and bias must be finite (were these parameters saved from a diverged run?)")]
    NonFiniteParameter {
        /// `"W"` or `"b"`.
        param: &'static str,
        /// The layer, numbered from 1.
        layer: usize,
        /// The row of the value in `W[layer]` or `b[layer]`.
        row: usize,
        /// Its column.
        col: usize,
        /// The value found.
        value: f64,
    },

    /// A layer's weight matrix has no entries.
    #[error("W{layer} has shape {w:?}: a layer needs at least one unit and one input")]
    EmptyLayer {
        /// The layer, numbered from 1.
        layer: usize,
        /// The shape of `W[layer]`.
        w: (usize, usize),
    },

    /// A bias that is not one column of one entry per unit.
    #[error("W{layer} has shape {w:?} so b{layer} must be ({}, 1), but it is {b:?}", .w.0)]
    BiasShape {
        /// The layer, numbered from 1.
        layer: usize,
        /// The shape of `W[layer]`.
        w: (usize, usize),
        /// The shape of `b[layer]`.
        b: (usize, usize),
    },

    /// Consecutive layers whose shapes do not chain: `W[l]` needs one column per unit of
    /// layer `l - 1`.
    #[error("W{layer} has shape {w:?} but layer {} has {previous_units} units, so W{layer} needs {previous_units} columns", .layer - 1)]
    LayersDoNotChain {
        /// The layer, numbered from 1 (at least 2).
        layer: usize,
        /// The shape of `W[layer]`.
        w: (usize, usize),
        /// `n[layer - 1]`.
        previous_units: usize,
    },

    /// `X` has the wrong number of features for the first layer. When its columns are what
    /// the rows should be, the message says that `X` looks transposed.
    ///
    /// ```
    /// use dnn_core::DnnError;
    /// let err = DnnError::InputRows { rows: 400, columns: 2, expected: 2 };
    /// assert_eq!(
    ///     err.to_string(),
    ///     "X has 400 rows but the first layer expects 2 (one row per input feature); X has 2 \
    ///      columns, so it looks like (examples, features): pass its transpose, x.t() (one \
    ///      column per example)"
    /// );
    /// ```
    #[error(
        "X has {rows} rows but the first layer expects {expected} (one row per input feature){}",
        transposed_hint(*.columns, *.expected)
    )]
    InputRows {
        /// Rows of `X`.
        rows: usize,
        /// Columns of `X` (its examples, if it is the right way round).
        columns: usize,
        /// `n[0]`.
        expected: usize,
    },

    /// `Y` does not have one column per example and one row per output unit.
    #[error("Y has shape ({}, {}) but X has {examples} examples and the network {outputs} output(s), so Y must be ({outputs}, {examples})", .y_shape.0, .y_shape.1)]
    LabelShape {
        /// Shape of `Y`.
        y_shape: (usize, usize),
        /// Columns of `X`.
        examples: usize,
        /// `n[L]`.
        outputs: usize,
    },

    /// A label outside `[0, 1]` for a classifying (sigmoid or softmax) output: every label is
    /// a class indicator or the probability of one.
    #[error("Y has {value} at row {row}, column {col} (example {col}), but labels must be in [0, 1]: {}", label_rule(*.output, *.outputs))]
    LabelOutOfRange {
        /// The value found.
        value: f64,
        /// Its row (the output unit, or class).
        row: usize,
        /// Its column (the example).
        col: usize,
        /// The network's output activation.
        output: Activation,
        /// `n[L]`.
        outputs: usize,
    },

    /// A column of labels for a softmax output that does not sum to 1 (all its entries are
    /// in `[0, 1]`).
    #[error("column {col} of Y (example {col}) sums to {sum}, not 1 (to within {tolerance:.1e}): {}", label_rule(Activation::Softmax, *.outputs))]
    LabelColumnSum {
        /// The column (the example).
        col: usize,
        /// Its sum.
        sum: f64,
        /// How far from 1 a sum may be (see [`crate::Network::train`]).
        tolerance: f64,
        /// `n[L]`, the number of classes.
        outputs: usize,
    },

    /// No examples at all.
    #[error("the data set is empty: X has 0 examples (columns)")]
    EmptyDataSet,

    /// A replacement of inputs ([`crate::ReplacedInputs::predict_proba_with`]) that is not
    /// a non-empty range of `X`'s inputs, or whose values are not one row per input and one
    /// column per example.
    #[error(
        "inputs {}..{} of X were to be replaced by values of shape ({}, {}), but X has \
         {input_size} inputs and {examples} examples: replace a non-empty range of inputs \
         below {input_size} by values of shape ({}, {examples})",
        .inputs.start, .inputs.end, .shape.0, .shape.1, .inputs.len()
    )]
    Replacement {
        /// The inputs (rows of `X`) to replace.
        inputs: std::ops::Range<usize>,
        /// The shape of the values given.
        shape: (usize, usize),
        /// `X`'s inputs, `n[0]`.
        input_size: usize,
        /// `X`'s examples, `m`.
        examples: usize,
    },

    /// Class weights ([`crate::ClassWeights`]) of another number than the network's classes.
    #[error("{given} class weights were given for {classes} classes: give one weight per class (two for a sigmoid output, class 0 then class 1)")]
    ClassWeightCount {
        /// How many weights were given.
        given: usize,
        /// How many classes the network (or the weights' minimum, 2) has.
        classes: usize,
    },

    /// Class weights for a network that does not answer one class per example: a regression
    /// (identity output), or several independent sigmoid outputs.
    #[error("class weights weigh the classes of a classifier, but this network's output layer is {outputs} {activation} unit(s) (a regression, or several yes/no outputs); train it without class weights")]
    ClassWeightsOutput {
        /// The output layer's activation.
        activation: Activation,
        /// Its units.
        outputs: usize,
    },

    /// [`crate::ClassWeights::balanced`] on labels where a class has no example: its weight
    /// `m / (k m_c)` would be infinite.
    #[error("class {class} has no example in the labels, so balanced class weights cannot weigh it (m / (k · 0)); give the weights yourself, or train on data that has every class")]
    AbsentClass {
        /// The class (its output unit; for a sigmoid output, 0 or 1).
        class: usize,
    },

    /// A NaN or infinite value in the input data, placed both as the matrix's indices and
    /// as what they mean (`X` and `Y` hold one example per column).
    #[error(
        "{what} contains a non-finite value ({value}) at row {row}, column {col}, which is \
         {} {row} of example {col} (both counted from 0): replace the value or leave the \
         example out",
        unit_of(what)
    )]
    NonFinite {
        /// `"X"` or `"Y"`.
        what: &'static str,
        /// The value found.
        value: f64,
        /// Its row.
        row: usize,
        /// Its column.
        col: usize,
    },

    /// A finite input too large for an `f32` network: it would become infinite in `f32`.
    #[error(
        "X holds {value:e} at row {row}, column {col} (input {row} of example {col}), beyond \
         f32's range (±3.4e38): an f32 network cannot take it; scale the inputs (standardise \
         them), or use an f64 model"
    )]
    BeyondF32 {
        /// The value given (in `f64`).
        value: f64,
        /// Its row.
        row: usize,
        /// Its column.
        col: usize,
    },

    /// [`crate::set_threads`] called once the engine's threads run with another number.
    #[error("the engine's products already run on {running} threads, so they cannot run on {asked}: set the thread count before the first training or product")]
    ThreadsStarted {
        /// The number asked for.
        asked: usize,
        /// The number running.
        running: usize,
    },

    /// A hyper-parameter outside its valid range.
    #[error("invalid {name} {}: {reason}", number(*value))]
    InvalidParameter {
        /// The parameter's name, e.g. `"learning rate"`.
        name: &'static str,
        /// The value given.
        value: f64,
        /// What a valid value is.
        reason: &'static str,
    },

    /// A [`crate::Validation`] given to [`crate::Network::train_validated`] of another network
    /// than the one it was made for.
    #[error("the validation set is watched for a network of layer sizes {watched:?} (or other activations), not this one of {trained:?}; make the Validation with this network")]
    ValidationNetwork {
        /// The layer sizes of the network the validation was made for.
        watched: Vec<usize>,
        /// The layer sizes of the network given to train.
        trained: Vec<usize>,
    },

    /// Per-layer dropout keep probabilities whose number is not the number of hidden layers.
    #[error("{given} dropout keep probabilities were given for {hidden} hidden layers; give one per hidden layer")]
    DropoutLayers {
        /// How many keep probabilities were given.
        given: usize,
        /// How many hidden layers the network has.
        hidden: usize,
    },

    /// A network or its training buffers need more memory than the machine can give.
    #[error("{what} need {}: more memory than this machine can give; use smaller layers, fewer examples or smaller batches", human_bytes(*.bytes))]
    OutOfMemory {
        /// What needed it, e.g. `"the weights of the network"`.
        what: &'static str,
        /// How many bytes (`None`: more than 2^128).
        bytes: Option<u128>,
    },

    /// Training stopped because the cost or a parameter ran away (boxed: it carries the cost
    /// history).
    #[error("{0}")]
    Diverged(Box<Divergence>),
}

/// What a row of `what` holds: an input of `X`, an output of `Y`.
fn unit_of(what: &str) -> &'static str {
    match what {
        "Y" => "output",
        _ => "input",
    }
}

/// The end of [`DnnError::InputRows`]'s message: a hint when `X` looks transposed.
fn transposed_hint(columns: usize, expected: usize) -> String {
    if columns == expected {
        format!(
            "; X has {columns} columns, so it looks like (examples, features): pass its \
             transpose, x.t() (one column per example)"
        )
    } else {
        String::new()
    }
}

/// What labels must be for an output layer of `outputs` units with activation `output`.
fn label_rule(output: Activation, outputs: usize) -> String {
    let rule = match (output, outputs) {
        (Activation::Softmax, _) => "with a softmax output each column of Y must be one-hot (1 in the row of the example's class, 0 elsewhere) or a probability column (entries in [0, 1] summing to 1)".to_owned(),
        (_, 1) => "with one sigmoid output each label must be 0 or 1 (or the probability of class 1, between them)".to_owned(),
        (_, n) => format!("with {n} sigmoid outputs each label must be 0 or 1 (or a probability between them), one yes/no per output"),
    };
    format!("{rule}; for values to predict use an identity output (regression)")
}

/// `1234567` → `"1.2 MB"`.
fn human_bytes(bytes: Option<u128>) -> String {
    let Some(bytes) = bytes else {
        return "more than 2^128 bytes".to_owned();
    };
    let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < units.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

/// `Result` with [`DnnError`].
pub type Result<T, E = DnnError> = std::result::Result<T, E>;

/// Where in training something happened: an iteration of full-batch training, or a batch
/// of an epoch with mini-batches.
///
/// ```
/// use dnn_core::TrainingStep;
/// assert_eq!(TrainingStep { epoch: 7, batch: 0, batches: 1 }.to_string(), "iteration 7");
/// assert_eq!(TrainingStep { epoch: 2, batch: 3, batches: 4 }.to_string(), "epoch 2, batch 4 of 4");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrainingStep {
    /// The iteration (full batch) or epoch, from 0.
    pub epoch: usize,
    /// The batch within the epoch, from 0 (always 0 for full-batch training).
    pub batch: usize,
    /// Batches per epoch (1 for full-batch training).
    pub batches: usize,
}

impl fmt::Display for TrainingStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.batches <= 1 {
            write!(f, "iteration {}", self.epoch)
        } else {
            write!(
                f,
                "epoch {}, batch {} of {}",
                self.epoch,
                self.batch + 1,
                self.batches
            )
        }
    }
}

/// What made training stop as diverged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DivergenceCause {
    /// The cost became NaN or infinite.
    NonFiniteCost(f64),
    /// The cost exceeded `factor` times the first cost of the run.
    CostGrew {
        /// The cost seen.
        cost: f64,
        /// The first cost of the run (iteration 0, or epoch 0's first batch).
        start: f64,
        /// The divergence factor.
        factor: f64,
        /// With mini-batches, the examples over which `cost` is a moving mean of the batch
        /// costs (one batch holding an outlier is not taken for divergence); `None` when
        /// `cost` is one iteration's.
        window: Option<usize>,
    },
    /// An update made a weight or bias of `layer` (from 1) NaN or infinite.
    NonFiniteParameter {
        /// The layer, numbered from 1.
        layer: usize,
        /// The (finite) cost before that update.
        cost: f64,
    },
}

impl fmt::Display for DivergenceCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DivergenceCause::NonFiniteCost(cost) => write!(f, "the cost is {cost}"),
            DivergenceCause::CostGrew {
                cost,
                start,
                factor,
                window,
            } => {
                write!(f, "the cost {}", crate::cost::shown(cost))?;
                if let Some(examples) = window {
                    write!(
                        f,
                        " (the moving mean of the batches' costs over about {examples} examples)"
                    )?;
                }
                write!(
                    f,
                    " is more than {factor} times the starting cost {}",
                    crate::cost::shown(start)
                )
            }
            DivergenceCause::NonFiniteParameter { layer, cost } => write!(
                f,
                "the update made W{layer} or b{layer} non-finite (the cost before it was {})",
                crate::cost::shown(cost)
            ),
        }
    }
}

/// The parameters a diverged network holds: those whose cost at `step` was `cost`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastGood {
    /// The step whose cost these parameters gave (the cost of a batch, with mini-batches).
    pub step: TrainingStep,
    /// That cost (finite and not run away).
    pub cost: f64,
    /// Parameter updates applied to reach these parameters (for full-batch training, the
    /// number of iterations they are the result of).
    pub updates: u64,
}

/// Details of [`DnnError::Diverged`].
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// Where it was detected.
    pub at: TrainingStep,
    /// What was seen.
    pub cause: DivergenceCause,
    /// The parameters the network now holds, if any were good (none when the very first
    /// cost was already bad).
    pub last_good: Option<LastGood>,
    /// The cost of every iteration (epoch) that completed before divergence.
    pub costs: Vec<f64>,
}

impl Divergence {
    /// `(iteration, cost)` of the iterations (epochs) that completed before divergence, for
    /// every `every`-th one and the last, as [`crate::TrainReport::costs_every`] gives them.
    ///
    /// ```
    /// use dnn_core::{Divergence, DivergenceCause, TrainingStep};
    /// let d = Divergence {
    ///     at: TrainingStep { epoch: 4, batch: 0, batches: 1 },
    ///     cause: DivergenceCause::NonFiniteCost(f64::NAN),
    ///     last_good: None,
    ///     costs: vec![0.7, 0.6, 0.9, 3.0],
    /// };
    /// assert_eq!(d.costs_every(2), [(0, 0.7), (2, 0.9), (3, 3.0)]);
    /// ```
    pub fn costs_every(&self, every: usize) -> Vec<(usize, f64)> {
        crate::train::costs_every(&self.costs, every)
    }
}

/// A first cost from which [`Divergence::started_huge`] judges the inputs unscaled: far above
/// what standardised inputs give a freshly initialised network (a cross-entropy near
/// `ln(classes)`, a half squared error near half the targets' variance).
const HUGE_FIRST_COST: f64 = 100.0;

impl Divergence {
    /// The run's very first cost (iteration 0, or the first batch of epoch 0), when this
    /// divergence records it: the starting cost a [`DivergenceCause::CostGrew`] compares
    /// with, the cost that diverged if it was the first, or else the first epoch's.
    ///
    /// ```
    /// use dnn_core::{Divergence, DivergenceCause, TrainingStep};
    /// let first = TrainingStep { epoch: 0, batch: 0, batches: 1 };
    /// let d = Divergence { at: first, cause: DivergenceCause::NonFiniteCost(f64::INFINITY), last_good: None, costs: vec![] };
    /// assert_eq!(d.first_cost(), Some(f64::INFINITY));
    /// ```
    pub fn first_cost(&self) -> Option<f64> {
        let first = |s: &TrainingStep| s.epoch == 0 && s.batch == 0;
        match self.cause {
            DivergenceCause::CostGrew { start, .. } => return Some(start),
            DivergenceCause::NonFiniteCost(cost) if first(&self.at) => return Some(cost),
            DivergenceCause::NonFiniteParameter { cost, .. } if first(&self.at) => {
                return Some(cost)
            }
            _ => {}
        }
        match self.last_good {
            Some(good) if first(&good.step) => Some(good.cost),
            _ => self.costs.first().copied(),
        }
    }

    /// Whether the run's very first cost ([`Divergence::first_cost`]) was already NaN,
    /// infinite or over 100, before any update could have run away: the sign of inputs far
    /// from unit scale (raw pixel values, a column in the millions) or, for regression, of
    /// unscaled targets, which a smaller learning rate alone does not cure. The message then
    /// advises standardising them.
    pub fn started_huge(&self) -> bool {
        self.first_cost()
            .is_some_and(|c| !c.is_finite() || c > HUGE_FIRST_COST)
    }
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "training diverged at {}: {}; ", self.at, self.cause)?;
        match self.first_cost().filter(|_| self.started_huge()) {
            Some(first) => write!(
                f,
                "the very first cost was already {}, so the inputs are probably far from unit \
                 scale: standardise each feature (subtract its mean, divide by its standard \
                 deviation; for regression, scale the targets too), then try a smaller \
                 learning rate if it still diverges",
                crate::cost::shown(first)
            )?,
            None => f.write_str("try a smaller learning rate")?,
        }
        if let Some(good) = &self.last_good {
            write!(
                f,
                " (the network keeps the parameters that gave the cost {} at {})",
                crate::cost::shown(good.cost),
                good.step
            )?;
        }
        Ok(())
    }
}

impl From<Divergence> for DnnError {
    fn from(d: Divergence) -> Self {
        DnnError::Diverged(Box::new(d))
    }
}

/// `v` as a message shows it: plainly (`0.0075`, `0`), or with an exponent from 1e16 on and
/// below 1e-5 (`1e40` rather than forty digits).
fn number(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-5..1e16).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_diverged_cost_is_printed_in_scientific_notation() {
        let grew = DivergenceCause::CostGrew {
            cost: 1.234_567_89e300,
            start: 0.693_2,
            factor: 10.0,
            window: None,
        };
        assert_eq!(
            grew.to_string(),
            "the cost 1.234568e300 is more than 10 times the starting cost 0.693200"
        );
        let batches = DivergenceCause::CostGrew {
            cost: 1.234_567_89e300,
            start: 0.693_2,
            factor: 10.0,
            window: Some(209),
        };
        assert_eq!(
            batches.to_string(),
            "the cost 1.234568e300 (the moving mean of the batches' costs over about 209 \
             examples) is more than 10 times the starting cost 0.693200"
        );
        let update = DivergenceCause::NonFiniteParameter {
            layer: 2,
            cost: 56.123_456_7,
        };
        assert!(update
            .to_string()
            .ends_with("(the cost before it was 56.123457)"));
    }

    #[test]
    fn a_huge_or_tiny_invalid_value_is_shown_with_an_exponent() {
        let shown = |value: f64| {
            DnnError::InvalidParameter {
                name: "class weight",
                value,
                reason: "r",
            }
            .to_string()
        };
        assert_eq!(shown(1e40), "invalid class weight 1e40: r");
        assert_eq!(shown(1e-50), "invalid class weight 1e-50: r");
        assert_eq!(shown(0.0075), "invalid class weight 0.0075: r");
        assert_eq!(shown(0.0), "invalid class weight 0: r");
        assert_eq!(shown(-1.5), "invalid class weight -1.5: r");
        assert_eq!(shown(f64::NAN), "invalid class weight NaN: r");
    }
}
