//! The z-score: `(x - mean) / std` per feature, fitted on the training part only.

use dnn_core::Float;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Zip};

/// Whether [`crate::load_as`] standardises the inputs ([`crate::LoadOptions::zscore`]).
/// Standardised as they are read, inputs in `f32` are computed from the file's values in
/// `f64` and rounded once: as if read in `f64`, standardised, then converted.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum ZScore {
    /// The inputs as read.
    #[default]
    Off,
    /// A z-score fitted on the training part ([`Standardization::fit`]).
    On,
    /// [`ZScore::On`] for data whose inputs are numbers as stored (tables, float pictures:
    /// [`crate::Dataset::standardize_by_default`]), [`ZScore::Off`] for pictures' bytes.
    Auto,
    /// This z-score (a model's).
    Given(Standardization),
}

/// Per-feature mean and standard deviation, as scikit-learn's `StandardScaler` keeps them
/// (`mean_`, `scale_`): the population standard deviation (`ddof = 0`), and 1 in place of
/// 0 for a constant feature, so it passes through centred but not scaled.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardization {
    /// The mean of each feature over the training examples.
    pub mean: Array1<f64>,
    /// The standard deviation of each feature (1 where it was 0).
    pub std: Array1<f64>,
}

impl Standardization {
    /// Fits the mean and standard deviation of each row (feature) of `x`, `(features, m)`.
    ///
    /// ```
    /// use dnn_data::standardize::Standardization;
    /// let z = Standardization::fit(ndarray::array![[1.0, 3.0], [5.0, 5.0]].view());
    /// assert_eq!(z.mean.to_vec(), [2.0, 5.0]);
    /// assert_eq!(z.std.to_vec(), [1.0, 1.0]); // the constant feature keeps scale 1
    /// ```
    ///
    /// Features so large that their sum or squared deviations overflow (beyond about 1e154),
    /// or so small that the squares underflow to 0 (below about 1e-160), are fitted on
    /// scaled values instead, so that they too come out with mean 0 and standard deviation 1
    /// rather than reach the network as they are.
    ///
    /// ```
    /// use dnn_data::standardize::Standardization;
    /// let z = Standardization::fit(ndarray::array![[1e300, 3e300], [1e-200, 3e-200]].view());
    /// assert_eq!((z.mean[0], z.std[0]), (2e300, 1e300));
    /// assert_eq!((z.mean[1], z.std[1]), (2e-200, 1e-200));
    /// ```
    ///
    /// A feature holding NaN gets a NaN mean (and every value it standardises is NaN): the
    /// loaders refuse such data before fitting; check `x` first when it comes from elsewhere.
    ///
    /// Inputs stored in `f32` are fitted in `f64`, on their exact values. Each row's sum is
    /// ndarray's over a slice (eight partial sums), as `sum_axis(Axis(1))` takes it for a
    /// matrix in standard layout, which every [`crate::Dataset`] is.
    pub fn fit<F: Float>(x: ArrayView2<'_, F>) -> Standardization {
        let m = x.ncols().max(1) as f64;
        let (mean, std): (Vec<f64>, Vec<f64>) = x
            .rows()
            .into_iter()
            .map(|row| {
                // Exactly: `f32` widens without rounding.
                let row: Vec<f64> = row.iter().map(|v| v.to_f64_lossless()).collect();
                fit_row(&row, m)
            })
            .unzip();
        Standardization {
            mean: Array1::from(mean),
            std: Array1::from(std),
        }
    }

    /// The number of features.
    pub fn len(&self) -> usize {
        self.mean.len()
    }

    /// Whether it covers no feature.
    pub fn is_empty(&self) -> bool {
        self.mean.is_empty()
    }

    /// `x[i, j] = (x[i, j] - mean[i]) / std[i]`, in place, for `x` of `(features, m)`;
    /// computed in `f64` and rounded once to `F`.
    ///
    /// # Panics
    /// If `x` does not have [`Standardization::len`] rows.
    pub fn apply<F: Float>(&self, x: &mut Array2<F>) {
        assert!(
            x.nrows() == self.len(),
            "Standardization::apply: the z-score covers {} features, but x has {} rows (one per \
             feature; x is (features, m))",
            self.len(),
            x.nrows()
        );
        // In memory order, whichever the layout (each value's arithmetic is the same).
        let (mean, std) = (self.mean.view(), self.std.view());
        Zip::from(x)
            .and_broadcast(mean.insert_axis(Axis(1)))
            .and_broadcast(std.insert_axis(Axis(1)))
            .for_each(|v, &mu, &sd| *v = F::of(standardized(v.to_f64_lossless(), mu, sd)));
    }
}

/// `(v - mu) / sd`, in `f64`: the one place the z-score is applied, to a matrix in place
/// ([`Standardization::apply`]) or to a table's inputs as they are read.
pub(crate) fn standardized(v: f64, mu: f64, sd: f64) -> f64 {
    (v - mu) / sd
}

/// One feature's mean and standard deviation over its `m` values `row` (see
/// [`Standardization::fit`]). The sum is ndarray's over a slice, as `sum_axis` takes it for
/// the rows of a matrix in standard layout.
pub(crate) fn fit_row(row: &[f64], m: f64) -> (f64, f64) {
    let mut mu = ArrayView1::from(row).sum() / m;
    if !mu.is_finite() {
        mu = row.iter().map(|&v| v / m).sum();
    }
    let var = row.iter().map(|&v| (v - mu) * (v - mu)).sum::<f64>() / m;
    let mut sd = var.sqrt();
    // t, the largest deviation, is 0 only for a constant feature.
    let t = || row.iter().fold(0.0f64, |t, &v| t.max((v - mu).abs()));
    if !sd.is_finite() || sd == 0.0 && t() > 0.0 {
        // sd = t sqrt(Σ ((v - μ)/t)² / m): no square overflows or underflows.
        let t = t();
        sd = t * (row.iter().map(|&v| ((v - mu) / t).powi(2)).sum::<f64>() / m).sqrt();
    }
    let sd = if sd > 0.0 && sd.is_finite() { sd } else { 1.0 };
    (mu, sd)
}
