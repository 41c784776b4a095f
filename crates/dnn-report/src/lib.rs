//! The JSON files `dnn` writes, one definition.
//!
//! `dnn train --report`, `dnn evaluate --report`, `dnn planar --report` and `dnn toy --report`
//! write these types with `serde_json::to_string_pretty`; `cargo xtask repro` and `cargo xtask
//! bench` read them back with the same types. The crate depends on serde alone, so xtask can read reports on a machine
//! that has neither OpenBLAS nor HDF5 yet.
//!
//! | file written by         | type               |
//! |-------------------------|--------------------|
//! | `dnn train --report`    | [`TrainReport`]    |
//! | `dnn evaluate --report` | [`EvaluateReport`] |
//! | `dnn train --cross-validate K --report` | [`CrossValidationReport`] |
//! | `dnn planar --report`   | [`PlanarReport`]   |
//! | `dnn toy --report`      | [`ToyReport`]      |
//!
//! Field order is the file's key order: changing it changes every report dnn writes.
//! Costs are `[iteration, cost]` pairs at full precision (JSON arrays of two numbers);
//! accuracies are fractions (0.9075, not 90.75 %).
//!
//! ```
//! use dnn_report::PlanarReport;
//!
//! let text = r#"{"data_seed": 1, "init_seed": 2, "learning_rate": 1.2, "iterations": 2,
//!     "interrupted": false, "runs": [{"model": "tanh", "hidden": 4, "iterations_run": 2,
//!     "costs": [[0, 0.69], [1, 0.68]], "accuracy": 0.5}]}"#;
//! let report: PlanarReport = serde_json::from_str(text)?;
//! assert_eq!(report.runs[0].costs.last(), Some(&(1, 0.68)));
//! # Ok::<(), serde_json::Error>(())
//! ```

#![warn(missing_docs)]

mod cross_validation;
mod evaluate;
mod hyper;
mod importance;
mod planar;
mod probability;
mod toy;
mod train;

pub use cross_validation::{CrossValidationReport, FoldScores};
pub use evaluate::{EvaluateReport, EvaluatedData, PartScores};
pub use hyper::HyperReport;
pub use importance::{mean_std, ColumnImportance, PermutationImportance};
pub use planar::{PlanarReport, PlanarRun};
pub use probability::ProbabilityScores;
pub use toy::{ToyReport, ToyRun};
pub use train::{
    DataReport, DivergedReport, EarlyStoppingReport, RegressionReport, RegressionScores,
    TrainReport, ValidationReport,
};
