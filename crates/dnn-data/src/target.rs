//! What a network predicts: a class, or a number (regression).
//!
//! A target column of numbers is a regression target when any of its values has a fraction,
//! the rule of scikit-learn's `type_of_target` (`continuous`), or when it has more than
//! [`MAX_AUTO_CLASSES`] different values (prices in whole units, counts: as many classes
//! would be mostly single examples); other integers are class labels (`binary`,
//! `multiclass`), as are strings. [`Task::Classify`] and [`Task::Regress`] (the CLI's
//! `--task`) decide it instead.
//!
//! The network learns the target z-scored with the training part's mean and standard
//! deviation ([`TargetScale`]), as scikit-learn's `TransformedTargetRegressor` with a
//! `StandardScaler` does: the usual learning rates and initialisations then work for
//! targets in the hundreds of thousands as for targets near 1, and the model undoes the
//! z-score on the way out.

/// Whether to classify or to predict a number; [`Task::Auto`] decides from the target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Task {
    /// Regression for a column of numbers with a fraction among them or of more than
    /// [`MAX_AUTO_CLASSES`] different numbers, else classes.
    #[default]
    Auto,
    /// Each distinct target value is a class.
    Classify,
    /// The target is a number to predict (a CSV table's column, an npz archive's `y` with
    /// inputs of shape `(m, features)`).
    Regress,
}

/// The most different integers [`Task::Auto`] reads as classes; one more makes a regression.
pub const MAX_AUTO_CLASSES: usize = 100;

/// Whether [`Task::Auto`] makes a target column of numbers a regression target, given its
/// distinct `values` (all finite): some value is not an integer, or there are more than
/// [`MAX_AUTO_CLASSES`] of them.
///
/// ```
/// use dnn_data::target::is_continuous;
/// assert!(is_continuous(&[1.0, 2.5, 3.0]));
/// assert!(!is_continuous(&[0.0, 1.0, 7.0]));
/// let prices: Vec<f64> = (0..101).map(|k| 1000.0 + k as f64).collect();
/// assert!(is_continuous(&prices));
/// assert!(!is_continuous(&prices[..100]));
/// ```
pub fn is_continuous(values: &[f64]) -> bool {
    values.len() > MAX_AUTO_CLASSES || values.iter().any(|v| v.fract() != 0.0)
}

/// The z-score of a regression target, fitted on the training part: the network learns
/// `(y - mean) / std` and its output `z` means `z · std + mean`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TargetScale {
    /// The training part's mean of the target.
    pub mean: f64,
    /// The training part's standard deviation (population, as `StandardScaler`); positive.
    pub std: f64,
}

impl TargetScale {
    /// Fits the scale on the target values `values[j]` of the training examples `train`, as
    /// the inputs' z-score is fitted ([`crate::Standardization::fit`]: numpy's `mean` and
    /// `std`, safe from overflow); `None` when they are all one value (there is nothing to
    /// learn) or there are none.
    ///
    /// ```
    /// use dnn_data::target::TargetScale;
    /// let scale = TargetScale::fit(&[1.0, 2.0, 3.0, 100.0], &[0, 1, 2]).unwrap();
    /// assert_eq!(scale.mean, 2.0);
    /// assert!((scale.std - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
    /// assert_eq!(scale.scaled(3.0), 1.0 / scale.std);
    /// assert_eq!(scale.unscaled(scale.scaled(3.0)), 3.0);
    /// assert_eq!(TargetScale::fit(&[5.0, 5.0], &[0, 1]), None);
    /// ```
    ///
    /// # Panics
    /// If an index in `train` is not below `values.len()`.
    pub fn fit(values: &[f64], train: &[usize]) -> Option<TargetScale> {
        if let Some(&j) = train.iter().find(|&&j| j >= values.len()) {
            panic!(
                "TargetScale::fit: training index {j} is beyond the {} target values",
                values.len()
            );
        }
        let first = values[*train.first()?];
        if train.iter().all(|&j| values[j] == first) {
            return None;
        }
        let row = ndarray::Array2::from_shape_fn((1, train.len()), |(_, k)| values[train[k]]);
        let z = crate::Standardization::fit(row.view());
        Some(TargetScale {
            mean: z.mean[0],
            std: z.std[0],
        })
    }

    /// `(y - mean) / std`: a target value as the network learns it.
    pub fn scaled(&self, y: f64) -> f64 {
        (y - self.mean) / self.std
    }

    /// `z · std + mean`: a network output as a target value.
    pub fn unscaled(&self, z: f64) -> f64 {
        z * self.std + self.mean
    }

    /// A network's outputs (one row, one column per example, in `f32` or `f64`; an array or
    /// a view) as target values, undone in `f64`.
    ///
    /// ```
    /// use dnn_data::TargetScale;
    /// let scale = TargetScale { mean: 1e9, std: 0.25 };
    /// let z = ndarray::array![[1.0f32, -2.0]];
    /// assert_eq!(scale.unscaled_all(&z), [1e9 + 0.25, 1e9 - 0.5]);
    /// ```
    pub fn unscaled_all<'a, F: dnn_core::Float + 'a>(
        &self,
        outputs: impl ndarray::AsArray<'a, F, ndarray::Ix2>,
    ) -> Vec<f64> {
        outputs
            .into()
            .iter()
            .map(|&z| self.unscaled(z.to_f64_lossless()))
            .collect()
    }

    /// Refuses a scale that is not one ([`TargetScale::fit`] never makes such): a mean that
    /// is not finite or a deviation that is not finite and positive.
    ///
    /// # Errors
    /// A message naming the bad value.
    pub fn check(&self) -> Result<(), String> {
        if !self.mean.is_finite() {
            return Err(format!("the target's mean is {}", self.mean));
        }
        if !(self.std.is_finite() && self.std > 0.0) {
            return Err(format!(
                "the target's standard deviation is {}, not a positive number",
                self.std
            ));
        }
        Ok(())
    }
}
