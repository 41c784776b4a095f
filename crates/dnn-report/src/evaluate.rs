//! `dnn evaluate --report`.

use serde::{Deserialize, Serialize};

use crate::{PermutationImportance, ProbabilityScores, RegressionScores};

/// What `dnn evaluate` scored, as `dnn evaluate --report` writes it: the model, the data and
/// each part's scores, as the command prints them.
///
/// ```
/// use dnn_report::EvaluateReport;
///
/// let text = r#"{"model": "m.h5", "dtype": "f64", "layers": [4, 8, 3],
///     "classes": ["a", "b", "c"],
///     "data": {"format": "csv", "path": "new.csv", "features": 4, "sha256": null,
///              "whole": true, "trained_on": false},
///     "parts": [{"name": "all", "examples": 3, "accuracy": 0.6666666666666666, "correct": 2,
///                "confusion": [[1, 0, 0], [0, 1, 1], [0, 0, 0]]}]}"#;
/// let report: EvaluateReport = serde_json::from_str(text)?;
/// assert_eq!(report.parts[0].correct, Some(2));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluateReport {
    /// `--model` as given.
    pub model: String,
    /// The network's element type: `"f64"` or `"f32"`.
    pub dtype: String,
    /// Layer sizes, input first.
    pub layers: Vec<usize>,
    /// The class names, in the network's output order (none for a regression).
    pub classes: Vec<String>,
    /// `--threshold`: the probability above which a two-class model answered its second
    /// class (absent: the most probable class).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// The data scored.
    pub data: EvaluatedData,
    /// Each part scored, in the order printed: `train`, `validation` (when the model was
    /// trained beside one) and `test`; or `all`, one part of every example, for data read
    /// whole.
    pub parts: Vec<PartScores>,
    /// `--importance`: how much the last part's score drops when each column is shuffled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<PermutationImportance>,
}

/// The data `dnn evaluate` scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluatedData {
    /// `"course-h5"`, `"image-folder"`, `"image-csv"`, `"csv"` or `"npz"`.
    pub format: String,
    /// `--data` as given (or the cat set's directory).
    pub path: String,
    /// Inputs per example.
    pub features: usize,
    /// Its SHA-256 (`dnn_data::fingerprint`).
    pub sha256: Option<String>,
    /// Whether every example was scored as one part.
    pub whole: bool,
    /// Whether it is the data the model was trained on (the SHA-256 its file records);
    /// `null` when the model records none.
    pub trained_on: Option<bool>,
}

/// The scores of one part: a classifier's accuracy and confusion counts, or a regression's
/// errors in the target's units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartScores {
    /// `"train"`, `"validation"`, `"test"` or `"all"`.
    pub name: String,
    /// Examples scored.
    pub examples: usize,
    /// The fraction classified right (a classifier's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    /// How many were classified right (a classifier's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<usize>,
    /// The mean of the classes' recalls, for a model trained with class weights or data whose
    /// classes are far from even (the largest outnumbering the rarest 5 to 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balanced_accuracy: Option<f64>,
    /// `confusion[true][predicted]`: examples of each class by the class predicted (a
    /// classifier's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confusion: Option<Vec<Vec<usize>>>,
    /// How well a classifier's probabilities fit and rank the part: log loss, ROC AUC and
    /// average precision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probabilities: Option<ProbabilityScores>,
    /// A regression's R², RMSE and MAE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<RegressionScores>,
}
