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
    /// Epochs per optimiser, as asked for.
    pub epochs: usize,
    /// Whether Ctrl-C stopped training early: the last run then ran fewer epochs (its
    /// `epochs_run`), and the optimisers after it were not trained (they are not in `runs`).
    /// `false` in files written before it was recorded.
    #[serde(default)]
    pub interrupted: bool,
    /// One entry per optimiser, in the order trained.
    pub runs: Vec<ToyRun>,
}

/// One optimiser's run of a [`ToyReport`]. Files written before `epochs_run` was recorded
/// are read with the epochs their last cost was recorded after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "ToyRunFile")]
pub struct ToyRun {
    /// Optimiser, mini-batches, decay, L2 and dropout.
    #[serde(flatten)]
    pub training: HyperReport,
    /// Epochs run: the report's `epochs`, or fewer when Ctrl-C stopped this one.
    pub epochs_run: usize,
    /// `[epoch, cost]` every `--print-every` epochs and the last, full precision.
    pub costs: Vec<(usize, f64)>,
    /// Cost of the last epoch (`null` when no epoch ran).
    pub final_cost: Option<f64>,
    /// Fraction of the training points classified right.
    pub accuracy: f64,
    /// Seconds of training.
    pub train_seconds: f64,
}

/// A [`ToyRun`] as a file holds it, of any version.
#[derive(Deserialize)]
struct ToyRunFile {
    #[serde(flatten)]
    training: HyperReport,
    #[serde(default)]
    epochs_run: Option<usize>,
    costs: Vec<(usize, f64)>,
    final_cost: Option<f64>,
    accuracy: f64,
    train_seconds: f64,
}

impl From<ToyRunFile> for ToyRun {
    fn from(f: ToyRunFile) -> Self {
        ToyRun {
            training: f.training,
            epochs_run: f
                .epochs_run
                .unwrap_or_else(|| f.costs.last().map_or(0, |c| c.0 + 1)),
            costs: f.costs,
            final_cost: f.final_cost,
            accuracy: f.accuracy,
            train_seconds: f.train_seconds,
        }
    }
}
