//! `dnn planar --report`.

use serde::{Deserialize, Serialize};

/// A `dnn planar` run on the flower data set: one entry per trained network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanarReport {
    /// Seed that generated the flower data set.
    pub data_seed: u32,
    /// Seed of the weight initialisation.
    pub init_seed: u32,
    /// Gradient-descent step size.
    pub learning_rate: f64,
    /// Iterations per network.
    pub iterations: usize,
    /// The trained networks: logistic regression first when asked for, then one per hidden size.
    pub runs: Vec<PlanarRun>,
}

/// One trained network of a [`PlanarReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanarRun {
    /// `"tanh"` for the two-layer networks, `"logistic"` for logistic regression.
    pub model: String,
    /// Hidden units (0 for logistic regression).
    pub hidden: usize,
    /// `[iteration, cost]` every `--print-every` iterations and the last, full precision.
    pub costs: Vec<(usize, f64)>,
    /// Accuracy on the flower data set, in percent.
    pub accuracy: f64,
}
