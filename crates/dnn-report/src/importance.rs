//! `dnn evaluate --importance`: permutation importance, and the mean and standard deviation
//! numpy takes of it.

use serde::{Deserialize, Serialize};

/// How much a score drops when one column's values are shuffled among the rows, as
/// scikit-learn's `permutation_importance` measures it: the score of the rows as they are
/// (`baseline`), minus its score with the column shuffled, once per shuffle.
///
/// ```
/// use dnn_report::{ColumnImportance, PermutationImportance};
///
/// let importance = PermutationImportance {
///     part: "test".into(),
///     metric: "accuracy".into(),
///     baseline: 0.9,
///     repeats: 2,
///     seed: 0,
///     columns: vec![
///         ColumnImportance::new("petal_length", 1, vec![0.5, 0.4]),
///         ColumnImportance::new("sepal_width", 1, vec![0.0, 0.1]),
///     ],
/// };
/// assert_eq!(importance.ranked()[0].column, "petal_length");
/// assert_eq!(importance.columns[1].mean, 0.05);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermutationImportance {
    /// The part scored: `"test"`, or `"all"` for data scored whole.
    pub part: String,
    /// The score: `"accuracy"`, or a regression's `"r2"`.
    pub metric: String,
    /// The score of the part as it is.
    pub baseline: f64,
    /// Shuffles per column (`--importance-repeats`).
    pub repeats: usize,
    /// The seed of the shuffles (`--importance-seed`), as scikit-learn's `random_state`.
    pub seed: u32,
    /// Each column of the table, in the table's order.
    pub columns: Vec<ColumnImportance>,
}

impl PermutationImportance {
    /// The columns, most important first (by mean drop; equal means in the table's order).
    pub fn ranked(&self) -> Vec<&ColumnImportance> {
        let mut ranked: Vec<&ColumnImportance> = self.columns.iter().collect();
        ranked.sort_by(|a, b| b.mean.total_cmp(&a.mean));
        ranked
    }
}

/// One column's drops in score, and their mean and (population) standard deviation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnImportance {
    /// The column's name.
    pub column: String,
    /// The network inputs it makes (one per value of a text column, one per part of a
    /// date), shuffled together.
    pub inputs: usize,
    /// `importances_mean`: the mean of `drops`.
    pub mean: f64,
    /// `importances_std`: their standard deviation (`ddof = 0`).
    pub std: f64,
    /// `importances`: the baseline minus the score of each shuffle, in order.
    pub drops: Vec<f64>,
}

impl ColumnImportance {
    /// A column's importance from its `drops`, with numpy's mean and standard deviation
    /// ([`mean_std`]).
    pub fn new(column: &str, inputs: usize, drops: Vec<f64>) -> ColumnImportance {
        let (mean, std) = mean_std(&drops);
        ColumnImportance {
            column: column.to_owned(),
            inputs,
            mean,
            std,
            drops,
        }
    }
}

/// `(np.mean(values), np.std(values))`: the mean, and the population standard deviation
/// `sqrt(mean((v - mean)²))`, each sum taken as numpy takes it (pairwise: eight running sums
/// from eight values on, halves above 128), so that the digits are numpy's.
///
/// ```
/// use dnn_report::mean_std;
///
/// assert_eq!(mean_std(&[1.0, 2.0, 3.0, 4.0]), (2.5, 1.25f64.sqrt()));
/// // numpy's eight running sums keep the ones that a plain loop adds to 1e16 one by one,
/// // each rounded away (the spacing of floats there is 2).
/// let values = [1e16, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
/// assert_eq!(mean_std(&values).0, (1e16 + 8.0) / 9.0); // np.mean(values)
/// assert_eq!(values.iter().sum::<f64>(), 1e16);
/// ```
///
/// An empty slice gives NaN for both, as numpy does (without its warning).
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = pairwise_sum(values) / n;
    let squares: Vec<f64> = values.iter().map(|v| (v - mean) * (v - mean)).collect();
    (mean, (pairwise_sum(&squares) / n).sqrt())
}

/// numpy's `pairwise_sum` (`loops_utils.h.src`): a loop below 8 values; eight running sums,
/// combined as a tree, then the rest, up to 128; above, the two halves (the first a multiple
/// of 8) summed alike.
fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        a.iter().fold(-0.0, |sum, v| sum + v)
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let whole = n - n % 8;
        for block in a[8..whole].chunks_exact(8) {
            for (r, v) in r.iter_mut().zip(block) {
                *r += v;
            }
        }
        let tree = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        a[whole..].iter().fold(tree, |sum, v| sum + v)
    } else {
        let half = n / 2;
        let half = half - half % 8;
        pairwise_sum(&a[..half]) + pairwise_sum(&a[half..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three regimes on sums whose order shows (1e16, then ones): the values are
    /// numpy 2.4.6's `np.sum` of the same arrays.
    #[test]
    fn the_sums_are_taken_in_numpys_order() {
        // 1e16 then ones: a plain loop absorbs every 1 (ulp 2 there); a running sum of
        // ones alone keeps them.
        let with = |n: usize| {
            let mut a = vec![1.0; n];
            a[0] = 1e16;
            a
        };
        assert_eq!(pairwise_sum(&with(7)), 1e16); // np.sum: 1e+16 (the loop)
        assert_eq!(pairwise_sum(&with(16)), 1.0000000000000014e16); // np.sum's
        assert_eq!(pairwise_sum(&with(300)), 1.000000000000029e16); // np.sum's (halves)
        let looped = |a: &[f64]| a.iter().sum::<f64>();
        assert_eq!(looped(&with(16)), 1e16);
    }

    #[test]
    fn the_ranking_is_by_mean_then_table_order() {
        let p = PermutationImportance {
            part: "all".into(),
            metric: "r2".into(),
            baseline: 0.5,
            repeats: 1,
            seed: 0,
            columns: vec![
                ColumnImportance::new("a", 1, vec![0.1]),
                ColumnImportance::new("b", 3, vec![0.2]),
                ColumnImportance::new("c", 1, vec![0.1]),
            ],
        };
        let names: Vec<&str> = p.ranked().iter().map(|c| c.column.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"]);
    }
}
