//! The `--report` JSON file.

use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::hyper::HyperReport;
use crate::plot;

/// Everything a run did, as written by `dnn train --report`.
#[derive(Debug, Serialize)]
pub struct TrainReportFile {
    pub arch: String,
    pub layers: Vec<usize>,
    pub dtype: String,
    pub learning_rate: f64,
    pub iterations: usize,
    pub iterations_run: usize,
    pub interrupted: bool,
    pub seed: u32,
    pub init: String,
    /// Optimiser, mini-batches, decay, L2 and dropout.
    #[serde(flatten)]
    pub training: HyperReport,
    /// `[iteration, cost]` at every print step and the last iteration, full precision.
    pub costs: Vec<(usize, f64)>,
    pub train_accuracy: f64,
    pub test_accuracy: f64,
    /// The training loop alone (no data loading, no evaluation).
    pub train_seconds: f64,
    /// Useful FLOPs of the run divided by `train_seconds`, in GFLOP/s.
    pub gflops: f64,
    /// The class names, in the network's output order.
    pub classes: Vec<String>,
    /// Where the examples came from and how many went to each side.
    pub data: DataReport,
}

/// The data a run trained on, as `--report` records it.
#[derive(Debug, Serialize)]
pub struct DataReport {
    /// `course-h5`, `image-folder`, `csv` or `npz`.
    pub format: String,
    /// `--data` as given.
    pub path: String,
    pub train_examples: usize,
    pub test_examples: usize,
    /// Inputs per example.
    pub features: usize,
}

impl DataReport {
    pub fn of(data: &dnn_data::Dataset) -> DataReport {
        DataReport {
            format: data.source.format.name().to_owned(),
            path: data.source.path.display().to_string(),
            train_examples: data.train_len(),
            test_examples: data.test_len(),
            features: data.features(),
        }
    }
}

/// Writes any serialisable value as pretty JSON, atomically.
pub fn write_json(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value).context("cannot encode the report")?;
    dnn_data::atomic::write_atomically(path, text.as_bytes())?;
    Ok(())
}

/// Refuses, before any work, output paths that could not be written at the end: each
/// `(path, flag)` must be writable, and `plot` must name a picture format we write.
pub fn check_outputs(
    outputs: &[(Option<&Path>, &'static str)],
    plot: Option<&Path>,
) -> anyhow::Result<()> {
    for (path, flag) in outputs {
        if let Some(path) = path {
            dnn_data::atomic::ensure_writable(path).context(*flag)?;
        }
    }
    if let Some(path) = plot {
        plot::check_extension(path).context("--plot")?;
    }
    Ok(())
}
