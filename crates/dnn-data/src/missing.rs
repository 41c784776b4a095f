//! Missing numbers in a table, filled as scikit-learn's `SimpleImputer` fills them: each
//! number column's mean or median over the training part's cells that have a number
//! (`--fill-missing mean|median`), fitted on the training part only, as the z-score is.
//!
//! The model records every number column's fill value ([`Filled`]), not only those of the
//! columns that missed a number in training: a row to predict may miss any of them.
//!
//! ```
//! use dnn_data::missing::FillMissing;
//! let column = [1.0, f64::NAN, 4.0, 10.0, f64::NAN];
//! assert_eq!(FillMissing::Mean.fit(&column, &[0, 1, 2, 3]), Some(5.0));
//! assert_eq!(FillMissing::Median.fit(&column, &[0, 1, 2, 3]), Some(4.0));
//! assert_eq!(FillMissing::Median.fit(&column, &[0, 2]), Some(2.5));
//! assert_eq!(FillMissing::Mean.fit(&column, &[1, 4]), None);
//! // A sum past f64's range still has a mean.
//! assert_eq!(FillMissing::Mean.fit(&[1e308, 1e308], &[0, 1]), Some(1e308));
//! ```

/// How to fill a missing number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FillMissing {
    /// The column's mean over the training part (`SimpleImputer(strategy="mean")`).
    Mean,
    /// The column's median over the training part: the middle value, or the mean of the two
    /// middle ones (`SimpleImputer(strategy="median")`).
    Median,
}

impl FillMissing {
    /// The name on the command line and in model files: `mean` or `median`.
    pub fn name(self) -> &'static str {
        match self {
            FillMissing::Mean => "mean",
            FillMissing::Median => "median",
        }
    }

    /// The fill value of `column` (NaN where a cell missed its number) over rows `rows`;
    /// `None` when none of them has a number.
    pub fn fit(self, column: &[f64], rows: &[usize]) -> Option<f64> {
        let mut known: Vec<f64> = rows
            .iter()
            .map(|&j| column[j])
            .filter(|v| !v.is_nan())
            .collect();
        if known.is_empty() {
            return None;
        }
        Some(match self {
            FillMissing::Mean => {
                let n = known.len() as f64;
                let sum: f64 = known.iter().sum();
                // A sum past f64's range (values near 1e308): each value's share instead.
                if sum.is_finite() {
                    sum / n
                } else {
                    known.iter().map(|v| v / n).sum()
                }
            }
            FillMissing::Median => {
                known.sort_by(f64::total_cmp);
                let half = known.len() / 2;
                if known.len() % 2 == 1 {
                    known[half]
                } else {
                    (known[half - 1] + known[half]) / 2.0
                }
            }
        })
    }
}

/// A number column's fill value, which a model applies to a row missing that number.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Filled {
    /// The column, one of [`crate::Input::Table`]'s `columns`.
    pub column: String,
    /// The value a missing cell takes.
    pub value: f64,
}
