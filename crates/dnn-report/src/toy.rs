//! `dnn toy --report`.

use serde::{Deserialize, Serialize};

use crate::HyperReport;

/// A `dnn toy` run on one of scikit-learn's 2-D sets: the data, the network, and one entry per
/// optimiser trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToyReport {
    /// `"moons"` or `"circles"`.
    pub dataset: String,
    /// Number of points.
    pub samples: usize,
    /// Standard deviation of the Gaussian noise added to the points.
    pub noise: f64,
    /// Ratio of the inner circle to the outer one (circles only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    /// Seed that generated the points.
    pub data_seed: u32,
    /// Layer sizes, input first.
    pub layers: Vec<usize>,
    /// Weight initialisation: `"small"`, `"scaled"`, `"he"`, `"xavier"`, `"zeros"` or `"orthogonal"`.
    pub init: String,
    /// Seed of the weight initialisation.
    pub seed: u32,
    /// Initial learning rate.
    pub learning_rate: f64,
    /// Epochs per optimiser.
    pub epochs: usize,
    /// One entry per optimiser, in the order trained.
    pub runs: Vec<ToyRun>,
}

/// One optimiser's run of a [`ToyReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToyRun {
    /// Optimiser, mini-batches, decay, L2 and dropout.
    #[serde(flatten)]
    pub training: HyperReport,
    /// `[epoch, cost]` every `--print-every` epochs and the last, full precision.
    pub costs: Vec<(usize, f64)>,
    /// Cost of the last epoch (`null` when no epoch ran).
    pub final_cost: Option<f64>,
    /// Fraction of the training points classified right.
    pub accuracy: f64,
    /// Seconds of training.
    pub train_seconds: f64,
}
