//! The `--report` JSON file.

use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::plot;

pub use dnn_report::DataReport;
/// What `dnn train --report` writes: defined once, in dnn-report, which xtask reads it with.
pub use dnn_report::TrainReport;

/// What `--report` records of the data a run trained on.
pub fn data_report(data: &dnn_data::Dataset) -> DataReport {
    DataReport {
        format: data.source.format.name().to_owned(),
        path: data.source.path.display().to_string(),
        train_examples: data.train_len(),
        test_examples: data.test_len(),
        features: data.features(),
        sha256: data.source.sha256.clone(),
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
