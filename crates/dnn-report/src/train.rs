//! `dnn train --report`.

use serde::{Deserialize, Serialize};

use crate::HyperReport;

/// Everything a `dnn train` run did, as `dnn train --report` writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// The `--arch` preset the run started from: `"deep"`, `"two-layer"` or `"logistic"`
    /// (`--layers` overrides its sizes, recorded in `layers`).
    pub arch: String,
    /// Layer sizes, input first.
    pub layers: Vec<usize>,
    /// Element type the network trained in: `"f64"` or `"f32"`.
    pub dtype: String,
    /// Initial learning rate.
    pub learning_rate: f64,
    /// Iterations (epochs, with mini-batches) asked for.
    pub iterations: usize,
    /// Iterations actually run (fewer when interrupted).
    pub iterations_run: usize,
    /// Whether Ctrl-C stopped training early.
    pub interrupted: bool,
    /// Seed of the weight initialisation.
    pub seed: u32,
    /// Weight initialisation: `"small"`, `"scaled"`, `"he"`, `"xavier"`, `"zeros"` or `"orthogonal"`.
    pub init: String,
    /// Optimiser, mini-batches, decay, L2 and dropout.
    #[serde(flatten)]
    pub training: HyperReport,
    /// `[iteration, cost]` at every print step and the last iteration, full precision.
    pub costs: Vec<(usize, f64)>,
    /// Fraction of the training set classified right.
    pub train_accuracy: f64,
    /// Fraction of the test set classified right.
    pub test_accuracy: f64,
    /// Seconds of the training loop alone (no data loading, no evaluation).
    pub train_seconds: f64,
    /// Useful FLOPs of the run divided by `train_seconds`, in GFLOP/s.
    pub gflops: f64,
    /// The class names, in the network's output order.
    pub classes: Vec<String>,
    /// Where the examples came from and how many went to each side.
    pub data: DataReport,
}

/// The data a `dnn train` run trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataReport {
    /// `"course-h5"`, `"image-folder"`, `"csv"` or `"npz"`.
    pub format: String,
    /// `--data` as given.
    pub path: String,
    /// Examples in the training part.
    pub train_examples: usize,
    /// Examples in the test part.
    pub test_examples: usize,
    /// Inputs per example.
    pub features: usize,
}
