//! `dnn evaluate --importance`: which columns of a table the model leans on, by permutation
//! importance ([`dnn_data::importance`]), as scikit-learn's `permutation_importance`
//! measures it.

use anyhow::bail;
use clap::Args;
use dnn_data::importance::{permutation_importance, ShuffledPredictions};
use dnn_data::model::Model;
use dnn_data::Dataset;
use dnn_report::{ColumnImportance, PermutationImportance, RegressionScores};
use ndarray::{Array2, ArrayView2};

use crate::metrics::Scores;
use crate::text::count;
use crate::values::{parse_seed, parse_shuffles};
use unicode_width::UnicodeWidthStr;

/// scikit-learn's `n_repeats` default.
const DEFAULT_REPEATS: usize = 5;

/// `--importance`, `--importance-repeats` and `--importance-seed`.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct ImportanceFlags {
    /// Tables: measure how much each column matters to the model, by permutation
    /// importance: the drop in the scored part's accuracy (a regression's R²) when the
    /// column's values are shuffled among its rows, as scikit-learn's
    /// `permutation_importance` measures it. The part is the test part, or every example of
    /// data scored whole.
    #[arg(long)]
    pub importance: bool,

    /// Shuffles of each column for --importance; their mean and standard deviation are
    /// printed [default: 5].
    #[arg(long, value_name = "N", value_parser = parse_shuffles, requires = "importance")]
    pub importance_repeats: Option<usize>,

    /// The seed of --importance's shuffles, as scikit-learn's `random_state` [default: 0].
    #[arg(long, value_name = "S", value_parser = parse_seed, requires = "importance")]
    pub importance_seed: Option<u32>,
}

impl ImportanceFlags {
    /// With `--importance`, for `data` as read: refused before any scoring when the part it
    /// would score has no R² to drop (fewer than two examples), or one that says nothing
    /// (every target one value: R² is 0 whatever the inputs).
    pub fn check_data(&self, data: &Dataset) -> anyhow::Result<()> {
        if !self.importance || data.spec.regression.is_none() {
            return Ok(());
        }
        let truth = &data.test_values;
        if truth.len() < 2 {
            return Err(no_r2(truth.len()));
        }
        if truth.iter().all(|&v| v == truth[0]) {
            bail!(
                "--importance measures drops in the part's R², but every one of its {} targets is \
                 {}, so R² is 0 whatever the columns hold; give --data rows of other values",
                truth.len(),
                truth[0]
            );
        }
        Ok(())
    }

    /// With `--importance`: refused before any work when `model` takes pictures (its pixels
    /// are not columns to shuffle one by one).
    pub fn check(&self, model: &Model, shown: &str) -> anyhow::Result<()> {
        if let (true, Some(spec)) = (self.importance, &model.spec) {
            if let dnn_data::Input::Picture { .. } = spec.input {
                bail!(
                    "--importance shuffles a table's columns, but {shown} takes {}; leave out \
                     --importance",
                    spec.input.describe()
                );
            }
        }
        Ok(())
    }
}

/// The refusal of a part of `examples` (fewer than two), whose R² is not defined.
fn no_r2(examples: usize) -> anyhow::Error {
    anyhow::anyhow!(
        "--importance needs the part's R², which is undefined for {}; give --data more rows",
        count(examples, "example")
    )
}

/// What the importance scores: a classifier's accuracy, its classes decided as the rest of
/// `dnn evaluate` decides them, or a regression's R².
pub enum Scoring<'a> {
    /// The labels, the number of classes, and `--threshold` if given.
    Accuracy(&'a [usize], usize, Option<f64>),
    /// The target's values, and how the network's outputs are turned into them.
    R2(&'a [f64], dnn_data::TargetScale),
}

impl Scoring<'_> {
    fn metric(&self) -> &'static str {
        match self {
            Scoring::Accuracy(..) => "accuracy",
            Scoring::R2(..) => "r2",
        }
    }

    /// The score of the network's outputs `out`.
    fn score(&self, out: ArrayView2<'_, f64>) -> anyhow::Result<f64> {
        Ok(match *self {
            Scoring::Accuracy(labels, classes, threshold) => {
                let predicted = dnn_core::classes_at(out, threshold);
                Scores::new(predicted, labels.to_vec(), classes).accuracy()
            }
            Scoring::R2(truth, scale) => {
                let values = scale.unscaled_all(out);
                RegressionScores::new(&values, truth)
                    .r2
                    .ok_or_else(|| no_r2(truth.len()))?
            }
        })
    }
}

/// Each column's permutation importance on the examples `x` of `part` (`test` or `all`).
pub fn measure(
    flags: &ImportanceFlags,
    model: &Model,
    data: &Dataset,
    (part, x): (&str, &Array2<f64>),
    scoring: Scoring<'_>,
) -> anyhow::Result<PermutationImportance> {
    let table = data.spec.input.table_blocks();
    if table.is_empty() {
        bail!(
            "--importance shuffles a table's columns, but {} holds {}; leave out --importance",
            data.source.path.display(),
            data.spec.input.describe()
        );
    }
    let blocks: Vec<_> = table.iter().map(|b| b.inputs.clone()).collect();
    let repeats = flags.importance_repeats.unwrap_or(DEFAULT_REPEATS);
    let seed = flags.importance_seed.unwrap_or(0);
    // The network's first layer multiplies all of x once; each shuffle then changes only
    // its block's share of that product.
    let mut predictions = ShuffledPredictions::new(&model.network, x.view())?;
    let scores = permutation_importance(x.view(), &blocks, repeats, seed, |block, x| {
        scoring.score(predictions.predict_proba(block, x)?)
    })?;
    Ok(PermutationImportance {
        part: part.to_owned(),
        metric: scoring.metric().to_owned(),
        baseline: scores.baseline,
        repeats,
        seed,
        columns: table
            .iter()
            .zip(scores.drops)
            .map(|(b, drops)| ColumnImportance::new(b.column, b.inputs.len(), drops))
            .collect(),
    })
}

/// The printed table: a heading that says what was measured, then the columns, most
/// important first, with their mean drop ± standard deviation (6 decimals, as the
/// accuracies).
///
/// ```text
/// Permutation importance on the test part (drop in accuracy when a column's values are
/// shuffled among its 30 rows; mean ± standard deviation of 5 shuffles, seed 0):
///   petal_length  0.433333 ± 0.059628
///   sepal_width   0.006667 ± 0.013333
/// ```
pub fn table(importance: &PermutationImportance, rows: usize) -> String {
    let metric = match importance.metric.as_str() {
        "r2" => "R²",
        other => other,
    };
    let part = match importance.part.as_str() {
        "all" => "every example".to_owned(),
        name => format!("the {name} part"),
    };
    let mut out = format!(
        "Permutation importance on {part} (drop in {metric} when a column's values are shuffled \
         among its {}; mean ± standard deviation of {}, seed {}):\n",
        count(rows, "row"),
        count(importance.repeats, "shuffle"),
        importance.seed
    );
    let ranked = importance.ranked();
    // Padded by display width (a CJK name takes two columns a character), the means right-
    // aligned however many digits they have.
    let names = ranked.iter().map(|c| c.column.width()).max().unwrap_or(0);
    let means: Vec<String> = ranked.iter().map(|c| format!("{:.6}", c.mean)).collect();
    let digits = means.iter().map(String::len).max().unwrap_or(0);
    for (c, mean) in ranked.iter().zip(&means) {
        out.push_str(&format!(
            "  {}{}  {mean:>digits$} ± {:.6}\n",
            c.column,
            " ".repeat(names - c.column.width()),
            c.std
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_ranks_the_columns_and_says_what_was_measured() {
        let importance = PermutationImportance {
            part: "test".into(),
            metric: "r2".into(),
            baseline: 0.8,
            repeats: 2,
            seed: 3,
            columns: vec![
                ColumnImportance::new("rooms", 1, vec![0.1, 0.3]),
                ColumnImportance::new("année", 4, vec![-0.01, -0.03]),
                ColumnImportance::new("area", 1, vec![0.5, 0.7]),
            ],
        };
        assert_eq!(
            table(&importance, 30),
            "Permutation importance on the test part (drop in R² when a column's values are \
             shuffled among its 30 rows; mean ± standard deviation of 2 shuffles, seed 3):\n  \
             area    0.600000 ± 0.100000\n  \
             rooms   0.200000 ± 0.100000\n  \
             année  -0.020000 ± 0.010000\n"
        );
        let wide = PermutationImportance {
            columns: vec![
                ColumnImportance::new("花瓣", 1, vec![120.5]),
                ColumnImportance::new("x", 1, vec![0.25]),
            ],
            ..importance
        };
        let lines: Vec<String> = table(&wide, 30).lines().skip(1).map(String::from).collect();
        assert_eq!(
            lines,
            [
                "  花瓣  120.500000 ± 0.000000",
                "  x       0.250000 ± 0.000000"
            ]
        );
    }
}
