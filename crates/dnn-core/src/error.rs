//! The one error type of dnn-core.

use thiserror::Error;

use crate::Activation;

/// Everything the engine refuses, with the numbers that explain why.
///
/// The step-by-step functions ([`crate::steps`]) panic on misuse as numpy does;
/// [`crate::Network`] and [`crate::TrainParams`] return these instead.
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

    /// The output layer must be a sigmoid (binary cross-entropy) or a softmax (categorical
    /// cross-entropy); hidden layers must not be softmax.
    #[error("{0} cannot be used there: the output layer must use sigmoid (binary cross-entropy) or softmax (categorical cross-entropy), and hidden layers relu, tanh or sigmoid")]
    OutputActivation(Activation),

    /// Parameters whose shapes do not form a network.
    #[error("layer {layer}: {detail}")]
    ParameterShape {
        /// The layer, numbered from 1.
        layer: usize,
        /// What does not fit, with the shapes.
        detail: String,
    },

    /// `X` has the wrong number of features for the first layer.
    #[error(
        "X has {rows} rows but the first layer expects {expected} (one row per input feature)"
    )]
    InputRows {
        /// Rows of `X`.
        rows: usize,
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

    /// No examples at all.
    #[error("the data set is empty: X has 0 examples (columns)")]
    EmptyDataSet,

    /// A NaN or infinite value in the input data.
    #[error("{what} contains a non-finite value ({value}) at row {row}, column {col}")]
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

    /// A hyper-parameter outside its valid range.
    #[error("invalid {name} {value}: {reason}")]
    InvalidParameter {
        /// The parameter's name, e.g. `"learning rate"`.
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// What a valid value is.
        reason: &'static str,
    },

    /// Training stopped because the cost or a parameter ran away.
    #[error("training diverged at iteration {iteration}: {reason}; try a smaller learning rate{}", match .last_good { Some(i) => format!(" (the network keeps the parameters that gave the cost at iteration {i})"), None => String::new() })]
    Diverged {
        /// The iteration at which divergence was detected.
        iteration: usize,
        /// The cost at that iteration (may be NaN or infinite).
        cost: f64,
        /// What was seen, with the numbers.
        reason: String,
        /// The iteration whose parameters the network now holds, if any was good.
        last_good: Option<usize>,
        /// Costs of the iterations that completed before divergence.
        costs: Vec<f64>,
    },
}

/// `Result` with [`DnnError`].
pub type Result<T, E = DnnError> = std::result::Result<T, E>;
