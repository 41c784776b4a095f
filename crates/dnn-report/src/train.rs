//! `dnn train --report`.

use std::collections::BTreeMap;

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
    /// Iterations actually run (fewer when interrupted or stopped early).
    pub iterations_run: usize,
    /// Whether Ctrl-C stopped training early (early stopping is in `validation`).
    pub interrupted: bool,
    /// When Ctrl-C stopped training between two mini-batches of an epoch: how many of that
    /// epoch's mini-batches ran, after the `iterations_run` complete epochs. The saved model
    /// holds their updates, unless early stopping put back the parameters of the epoch with
    /// the lowest validation cost (`validation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batches_run: Option<usize>,
    /// Seed of the weight initialisation.
    pub seed: u32,
    /// Weight initialisation: `"small"`, `"scaled"`, `"he"`, `"xavier"`, `"zeros"` or
    /// `"orthogonal"`; `"model"` when the parameters came from `from`.
    pub init: String,
    /// The model file training started from (`dnn train --from`), when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Optimiser, mini-batches, decay, L2 and dropout.
    #[serde(flatten)]
    pub training: HyperReport,
    /// `[iteration, cost]` at every print step and the last iteration, full precision.
    pub costs: Vec<(usize, f64)>,
    /// Fraction of the training set classified right (a classifier's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_accuracy: Option<f64>,
    /// Fraction of the test set classified right (a classifier's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_accuracy: Option<f64>,
    /// With `class_weights`, or classes far from even (the largest outnumbering the rarest 5
    /// to 1): each part's balanced accuracy (the mean of its classes' recalls, scikit-learn's
    /// `balanced_accuracy_score`), by part: `train`, `validation` (with one held out) and
    /// `test`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balanced_accuracy: Option<BTreeMap<String, f64>>,
    /// A regression's scores on the training and test parts, in the target's units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<RegressionReport>,
    /// Seconds of the training loop alone (no data loading, no evaluation).
    pub train_seconds: f64,
    /// Useful FLOPs of the run divided by `train_seconds`, in GFLOP/s (absent for a run that
    /// diverged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gflops: Option<f64>,
    /// The class names, in the network's output order (none for a regression).
    pub classes: Vec<String>,
    /// With `--class-weight`: each class's weight in the cost, in `classes`' order (the
    /// costs are then weighted; the accuracies are not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_weights: Option<Vec<f64>>,
    /// Where the examples came from and how many went to each side.
    pub data: DataReport,
    /// What the run watched on a validation part held out of the training part
    /// (`--validation-split`, `--early-stopping`), when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<ValidationReport>,
    /// How training diverged, when it did (`dnn train` then exits 1, and the report has no
    /// accuracies or scores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diverged: Option<DivergedReport>,
}

/// A run that diverged: where, why, and what `--save-last-good` saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DivergedReport {
    /// Where it was seen, as the error says it: `iteration 37`, or `epoch 3, batch 5 of 8`
    /// (the fifth of 8 mini-batches of epoch 3).
    pub at: String,
    /// What was seen: a cost that was not a number, grew past its bound, or a parameter that
    /// became infinite.
    pub cause: String,
    /// The parameters saved, when any were (`--save-last-good`): `iteration 36`, or the
    /// lowest validation cost's iteration.
    pub saved: Option<String>,
}

/// A validation part held out of the training part, and what training did with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationReport {
    /// Examples held out (not in `data.train_examples`).
    pub examples: usize,
    /// The fraction of the training part held out (of each class, for classes).
    pub fraction: f64,
    /// The seed of that split.
    pub seed: u32,
    /// `[iteration, cost]` of the validation part (its data cost, without L2 or dropout) with
    /// the parameters after that iteration, at every print step and the last iteration.
    pub costs: Vec<(usize, f64)>,
    /// The iteration with the lowest validation cost (the first, if several tie) and that
    /// cost; absent when no cost was finite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best: Option<(usize, f64)>,
    /// Early stopping's rule and what it did, when it was on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_stopping: Option<EarlyStoppingReport>,
    /// Fraction of the validation part classified right (a classifier's), by the saved model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    /// A regression's scores on the validation part, in the target's units, by the saved model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<RegressionScores>,
}

/// Early stopping in a `dnn train` (or `dnn serve`) run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EarlyStoppingReport {
    /// Iterations (epochs) in a row without an improvement that end training.
    pub patience: usize,
    /// The least fall of the validation cost that counts as an improvement.
    pub min_delta: f64,
    /// The iteration after which it ended training, if it did.
    pub stopped_at: Option<usize>,
    /// Whether the saved parameters are the best iteration's rather than the last one's.
    pub restored: bool,
}

/// How well a regression's predictions match the targets of one part of the data, as
/// scikit-learn's `r2_score`, `mean_squared_error` (its square root) and
/// `mean_absolute_error` compute them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionScores {
    /// Examples scored.
    pub examples: usize,
    /// `1 - Σ (y - p)² / Σ (y - ȳ)²`: 1 is perfect, 0 no better than predicting the mean.
    /// When every `y` is one value: 1 if every prediction is right, else 0. `None` for fewer
    /// than two examples, where it is not defined.
    pub r2: Option<f64>,
    /// `sqrt(mean((y - p)²))`, in the target's units.
    pub rmse: f64,
    /// `mean(|y - p|)`, in the target's units.
    pub mae: f64,
}

impl RegressionScores {
    /// The scores of `predicted` against `truth`.
    ///
    /// The sums are taken over differences divided by the largest of them, so that targets
    /// near 1e200 do not overflow and targets near 1e-200 do not underflow to a score of 0.
    ///
    /// ```
    /// use dnn_report::RegressionScores;
    /// let s = RegressionScores::new(&[2.5, 0.0, 2.0, 8.0], &[3.0, -0.5, 2.0, 7.0]);
    /// let r2 = s.r2.unwrap();
    /// assert!((r2 - 0.9486081370449679).abs() < 1e-15); // scikit-learn's r2_score example
    /// assert_eq!(s.mae, 0.5);
    /// assert!((s.rmse - 0.375f64.sqrt()).abs() < 1e-15);
    /// // The same, 1e200 times larger and smaller: the same R².
    /// for k in [1e200, 1e-200] {
    ///     let s = RegressionScores::new(&[2.5 * k, 0.0, 2.0 * k, 8.0 * k], &[3.0 * k, -0.5 * k, 2.0 * k, 7.0 * k]);
    ///     assert!((s.r2.unwrap() - r2).abs() < 1e-12);
    /// }
    /// // One value in the truth: 0 unless every prediction is right; one example: no R².
    /// assert_eq!(RegressionScores::new(&[0.1, 0.2], &[0.1, 0.1]).r2, Some(0.0));
    /// assert_eq!(RegressionScores::new(&[4.0], &[3.0]).r2, None);
    /// ```
    ///
    /// # Panics
    /// If `predicted` and `truth` differ in length.
    pub fn new(predicted: &[f64], truth: &[f64]) -> RegressionScores {
        assert_eq!(predicted.len(), truth.len(), "one prediction per target");
        let n = truth.len().max(1) as f64;
        let mean = truth.iter().map(|&y| y / n).sum::<f64>();
        let largest = |f: &dyn Fn(f64, f64) -> f64| {
            predicted
                .iter()
                .zip(truth)
                .fold(0.0f64, |t, (&p, &y)| t.max(f(p, y).abs()))
        };
        let (t_res, t_tot) = (largest(&|p, y| y - p), largest(&|_, y| y - mean));
        let sum_sq = |t: f64, f: &dyn Fn(f64, f64) -> f64| {
            if t == 0.0 {
                return 0.0;
            }
            predicted
                .iter()
                .zip(truth)
                .map(|(&p, &y)| (f(p, y) / t).powi(2))
                .sum::<f64>()
        };
        let residual = sum_sq(t_res, &|p, y| y - p);
        let constant = truth.iter().all(|&y| y == truth[0]);
        let r2 = match truth.len() {
            0 | 1 => None,
            _ if constant => Some(if t_res == 0.0 { 1.0 } else { 0.0 }),
            // Σ(y-p)² / Σ(y-ȳ)² = (t_res / t_tot)² · residual / total, each sum scaled.
            _ => Some(1.0 - (t_res / t_tot).powi(2) * residual / sum_sq(t_tot, &|_, y| y - mean)),
        };
        RegressionScores {
            examples: truth.len(),
            r2,
            rmse: t_res * (residual / n).sqrt(),
            mae: predicted
                .iter()
                .zip(truth)
                .map(|(&p, &y)| (y - p).abs() / n)
                .sum(),
        }
    }
}

/// A regression run's scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionReport {
    /// The target column's name (`y` for an npz archive's).
    pub target: String,
    /// On the training part.
    pub train: RegressionScores,
    /// On the test part.
    pub test: RegressionScores,
    /// The training part's target mean, which the network's output is shifted by.
    pub target_mean: f64,
    /// The training part's target standard deviation, which the output is scaled by.
    pub target_std: f64,
}

/// The data a `dnn train` run trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataReport {
    /// `"course-h5"`, `"image-folder"`, `"image-csv"`, `"csv"` or `"npz"`.
    pub format: String,
    /// `--data` as given.
    pub path: String,
    /// Examples in the training part.
    pub train_examples: usize,
    /// Examples in the test part.
    pub test_examples: usize,
    /// Inputs per example.
    pub features: usize,
    /// The data's SHA-256 (`dnn_data::fingerprint`), which its model file records too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}
