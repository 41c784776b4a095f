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
    /// Iterations per network, as asked for.
    pub iterations: usize,
    /// Whether Ctrl-C stopped training early: the last run then ran fewer iterations (its
    /// `iterations_run`), and the networks after it were not trained (they are not in `runs`).
    /// `false` in files written before it was recorded.
    #[serde(default)]
    pub interrupted: bool,
    /// The trained networks: logistic regression first when asked for, then one per hidden size.
    pub runs: Vec<PlanarRun>,
}

/// One trained network of a [`PlanarReport`].
///
/// Files written before `iterations_run` was recorded held the accuracy in percent; they are
/// read with it as a fraction, and with the iterations their last cost was recorded after.
///
/// ```
/// use dnn_report::PlanarRun;
///
/// let old = r#"{"model": "tanh", "hidden": 4, "costs": [[0, 0.69], [99, 0.3]], "accuracy": 90.75}"#;
/// let run: PlanarRun = serde_json::from_str(old)?;
/// assert_eq!((run.accuracy, run.iterations_run), (0.9075, 100));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "PlanarRunFile")]
pub struct PlanarRun {
    /// `"tanh"` for the two-layer networks, `"logistic"` for logistic regression.
    pub model: String,
    /// Hidden units (0 for logistic regression).
    pub hidden: usize,
    /// Iterations run: the report's `iterations`, or fewer when Ctrl-C stopped this one.
    pub iterations_run: usize,
    /// `[iteration, cost]` every `--print-every` iterations and the last, full precision.
    pub costs: Vec<(usize, f64)>,
    /// The fraction of the flower data set classified right (`dnn planar` prints it in
    /// percent, as the exercise does).
    pub accuracy: f64,
}

/// A [`PlanarRun`] as a file holds it, of any version.
#[derive(Deserialize)]
struct PlanarRunFile {
    model: String,
    hidden: usize,
    #[serde(default)]
    iterations_run: Option<usize>,
    costs: Vec<(usize, f64)>,
    accuracy: f64,
}

impl From<PlanarRunFile> for PlanarRun {
    fn from(f: PlanarRunFile) -> Self {
        let (iterations_run, accuracy) = match f.iterations_run {
            Some(n) => (n, f.accuracy),
            // Written before the field: the accuracy in percent.
            None => (f.costs.last().map_or(0, |c| c.0 + 1), f.accuracy / 100.0),
        };
        PlanarRun {
            model: f.model,
            hidden: f.hidden,
            iterations_run,
            costs: f.costs,
            accuracy,
        }
    }
}
