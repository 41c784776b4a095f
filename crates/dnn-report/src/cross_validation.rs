//! `dnn train --cross-validate K --report`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::HyperReport;

/// What `dnn train --cross-validate K --report FILE` writes: the set-up, the data, each
/// fold's scores and their mean and standard deviation, as the command prints them.
///
/// ```
/// use dnn_report::CrossValidationReport;
///
/// let text = r#"{"layers": [4, 16, 3], "dtype": "f64", "learning_rate": 0.1,
///     "iterations": 1000, "seed": 1, "init": "scaled", "optimizer": "gd",
///     "batch_size": null, "shuffle_seed": null, "decay": "none", "l2": 0.0, "keep_prob": 1.0,
///     "classes": ["a", "b", "c"], "format": "csv", "path": "iris.csv", "sha256": null,
///     "examples": 150, "features": 4, "split_seed": 0, "group_by": null, "metric": "accuracy",
///     "folds": [{"fold": 1, "train_examples": 120, "test_examples": 30, "train": 0.975,
///                "test": 1.0},
///               {"fold": 2, "train_examples": 120, "test_examples": 30, "train": 0.975,
///                "test": 0.9}],
///     "train_mean": 0.975, "train_std": 0.0, "test_mean": 0.95, "test_std": 0.05}"#;
/// let report: CrossValidationReport = serde_json::from_str(text)?;
/// assert_eq!(report.folds[1].test, 0.9);
/// assert_eq!(report.test_mean, Some(0.95));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidationReport {
    /// Layer sizes, input first (fold 1's: a text column's values can differ by fold).
    pub layers: Vec<usize>,
    /// `"f64"` or `"f32"`.
    pub dtype: String,
    /// The learning rate α.
    pub learning_rate: f64,
    /// Iterations (epochs, with mini-batches) planned for each fold.
    pub iterations: usize,
    /// The initialisation's seed.
    pub seed: u32,
    /// The initialisation (`scaled`, `he`, ...).
    pub init: String,
    /// The optimiser and its set-up.
    #[serde(flatten)]
    pub training: HyperReport,
    /// The class names (none for a regression).
    pub classes: Vec<String>,
    /// `"csv"`, `"npz"`, `"image-folder"` or `"image-csv"`.
    pub format: String,
    /// `--data` as given.
    pub path: String,
    /// The data's SHA-256 (`dnn_data::fingerprint`).
    pub sha256: Option<String>,
    /// Examples split into folds.
    pub examples: usize,
    /// Inputs per example (fold 1's).
    pub features: usize,
    /// The seed that shuffled the folds (`--split-seed`).
    pub split_seed: u32,
    /// The column whose groups each fold kept whole (`--group-by`).
    pub group_by: Option<String>,
    /// With `--early-stopping`: the fraction of each fold's training folds held out to
    /// watch (`--validation-split`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_split: Option<f64>,
    /// With `--early-stopping`: its patience, in iterations (epochs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patience: Option<usize>,
    /// With `--early-stopping`: the least fall of the validation cost that counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_delta: Option<f64>,
    /// What `train` and `test` are: `"accuracy"`, or a regression's `"r2"`.
    pub metric: String,
    /// Each fold's scores, in order: every fold's, or when Ctrl-C stopped the run, those of
    /// the folds done before it.
    pub folds: Vec<FoldScores>,
    /// The fold Ctrl-C stopped, when it did: its scores are not given, and no mean is (a mean
    /// of fewer folds is no K-fold estimate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted_in_fold: Option<usize>,
    /// The mean of the folds' training scores (`null` when interrupted).
    pub train_mean: Option<f64>,
    /// Their standard deviation (numpy's `std`: over K).
    pub train_std: Option<f64>,
    /// The mean of the folds' test scores (`null` when interrupted).
    pub test_mean: Option<f64>,
    /// Their standard deviation (numpy's `std`: over K).
    pub test_std: Option<f64>,
    /// With `--class-weight`, or classes far from even (the largest outnumbering the rarest 5
    /// to 1): the mean and standard deviation of the folds' training balanced accuracies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_balanced_mean: Option<f64>,
    /// See `train_balanced_mean`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_balanced_std: Option<f64>,
    /// With `--class-weight`, or classes far from even: the mean and standard deviation of the
    /// folds' test balanced accuracies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_balanced_mean: Option<f64>,
    /// See `test_balanced_mean`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_balanced_std: Option<f64>,
}

/// One fold's scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldScores {
    /// Which fold was the test part, from 1.
    pub fold: usize,
    /// Examples trained on (without a validation part held out).
    pub train_examples: usize,
    /// Examples tested on: the fold's.
    pub test_examples: usize,
    /// Inputs per example in this fold (a text column has the values its training folds
    /// hold); 0 in reports written before it was recorded.
    #[serde(default)]
    pub features: usize,
    /// The training part's accuracy or R².
    pub train: f64,
    /// The test part's accuracy or R².
    pub test: f64,
    /// A regression's test RMSE, in the target's units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_rmse: Option<f64>,
    /// With early stopping: the iteration (epoch) whose parameters it kept, and how many ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_stopping: Option<(usize, usize)>,
    /// With `--class-weight`: each class's weight in this fold's cost, in the report's
    /// `classes` order (`balanced` weighs each fold's training folds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_weights: Option<Vec<f64>>,
    /// With `--class-weight`, or classes far from even: the balanced accuracies (the mean of
    /// the classes' recalls) of the `train` and `test` parts, as
    /// [`crate::TrainReport::balanced_accuracy`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balanced_accuracy: Option<BTreeMap<String, f64>>,
}

impl FoldScores {
    /// The balanced accuracy of the fold's `part` (`train` or `test`), if it has one.
    pub fn balanced(&self, part: &str) -> Option<f64> {
        self.balanced_accuracy.as_ref()?.get(part).copied()
    }
}
