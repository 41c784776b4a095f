//! Class weights: how much an example of each class counts in the cost, for data whose classes
//! are far from even (a rare fault among normal readings, a few frauds among many payments).
//!
//! With weights `w_c`, an example `j` counts `w_j = Σ_c Y[c, j] w_c` times (its class's weight,
//! for a one-hot or 0/1 label; for a sigmoid output's label `y`, `(1 - y) w_0 + y w_1`), and the
//! cost is the weighted mean over the `m` examples:
//!
//! `J = (1/m) Σ_j w_j L_j`, so `dJ/dZ[L] = w_j (AL - Y) / m` column by column,
//!
//! `L_j` being the example's cross-entropy. All weights 1 is the plain cost. This is Keras's
//! `class_weight` and, for one-hot labels, PyTorch's `CrossEntropyLoss(weight=w)` summed and
//! divided by `m` (not by `Σ w_j`, which PyTorch's mean does): a batch's step keeps the learning
//! rate's scale whatever its mix of classes.
//!
//! [`ClassWeights::balanced`] is scikit-learn's `class_weight="balanced"`: `w_c = m / (k m_c)`
//! for `k` classes of `m_c` examples each, so every class weighs the same in total and the
//! weighted examples still number `m`.

use ndarray::{ArrayView1, ArrayView2};

use crate::error::{DnnError, Result};
use crate::{Activation, Float};

/// One weight per class, each finite and > 0: two for a sigmoid output (class 0, then class
/// 1), one per output unit for a softmax output. Give them to training with
/// [`crate::TrainParams::class_weights`].
///
/// ```
/// use dnn_core::ClassWeights;
/// use ndarray::array;
/// // Nine examples of class 0, three of class 1: scikit-learn's "balanced" weights.
/// let y = array![[0.0_f64, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]];
/// let w = ClassWeights::balanced(y.view())?;
/// assert_eq!(w.as_slice(), &[12.0 / (2.0 * 9.0), 12.0 / (2.0 * 3.0)]);
/// // An example of class 1 counts 2, one of class 0 counts 2/3.
/// assert_eq!(w.of_example(y.column(2)), 2.0);
/// assert!(ClassWeights::new(vec![1.0, 0.0]).is_err());
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ClassWeights(Vec<f64>);

impl ClassWeights {
    /// The given weights, class by class.
    ///
    /// # Errors
    /// [`DnnError::InvalidParameter`] for a weight that is not finite and > 0, and
    /// [`DnnError::ClassWeightCount`] for fewer than two.
    pub fn new(weights: Vec<f64>) -> Result<Self> {
        if let Some(&bad) = weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
            return Err(DnnError::InvalidParameter {
                name: "class weight",
                value: bad,
                reason: "a class weight must be a finite number > 0 (1 is the plain cost; to \
                         leave a class out, leave its examples out)",
            });
        }
        if weights.len() < 2 {
            return Err(DnnError::ClassWeightCount {
                given: weights.len(),
                classes: 2,
            });
        }
        Ok(Self(weights))
    }

    /// scikit-learn's `class_weight="balanced"` for labels `y` (`(n[L], m)`, as training takes
    /// them: one row of 0/1 labels for a sigmoid output, one-hot columns for a softmax one):
    /// `w_c = m / (k m_c)`, `m_c` being the examples of class `c` (the sum of its label row,
    /// so soft labels count by their share).
    ///
    /// # Errors
    /// [`DnnError::AbsentClass`] when a class has no example (its weight would be infinite),
    /// and [`DnnError::EmptyDataSet`] when `y` has no columns.
    pub fn balanced<F: Float>(y: ArrayView2<'_, F>) -> Result<Self> {
        let m = y.ncols();
        if m == 0 {
            return Err(DnnError::EmptyDataSet);
        }
        let counts: Vec<f64> = if y.nrows() == 1 {
            let ones: f64 = y.iter().map(|v| v.to_f64_lossless()).sum();
            vec![m as f64 - ones, ones]
        } else {
            y.rows()
                .into_iter()
                .map(|row| row.iter().map(|v| v.to_f64_lossless()).sum())
                .collect()
        };
        let k = counts.len() as f64;
        if let Some(class) = counts.iter().position(|&c| c <= 0.0) {
            return Err(DnnError::AbsentClass { class });
        }
        Self::new(counts.iter().map(|&c| m as f64 / (k * c)).collect())
    }

    /// The weights, class by class.
    pub fn as_slice(&self) -> &[f64] {
        &self.0
    }

    /// The weight of the example whose label column is `y`: `Σ_c y[c] w_c`, or for a sigmoid
    /// output's one label `(1 - y) w_0 + y w_1` (exactly `w_0` or `w_1` for a 0/1 label).
    pub fn of_example<F: Float>(&self, y: ArrayView1<'_, F>) -> f64 {
        if y.len() == 1 {
            let y = y[0].to_f64_lossless();
            (1.0 - y) * self.0[0] + y * self.0[1]
        } else {
            y.iter()
                .zip(&self.0)
                .map(|(&y, &w)| y.to_f64_lossless() * w)
                .sum()
        }
    }

    /// Checks that the element type `F` holds every weight as a finite number > 0 (`1e40` is
    /// infinite in `f32`, `1e-50` is 0), as the backward pass multiplies by them in `F`.
    pub(crate) fn check_type<F: Float>(&self) -> Result<()> {
        match self
            .0
            .iter()
            .find(|&&w| !(F::of(w).is_finite() && F::of(w) > F::zero()))
        {
            Some(&value) => Err(DnnError::InvalidParameter {
                name: "class weight",
                value,
                reason: "the network's element type cannot hold it (f32 holds numbers from about \
                         1.4e-45 to 3.4e38); give weights nearer 1",
            }),
            None => Ok(()),
        }
    }

    /// Checks that these weights fit a network whose output layer is `outputs` units of
    /// `activation`: two weights for one sigmoid unit, one per unit for softmax.
    ///
    /// ```
    /// use dnn_core::{Activation, ClassWeights};
    /// let w = ClassWeights::new(vec![1.0, 2.0, 3.0])?;
    /// assert!(w.check_output(Activation::Softmax, 3).is_ok());
    /// assert!(w.check_output(Activation::Sigmoid, 1).is_err());
    /// assert!(w.check_output(Activation::Identity, 3).is_err());
    /// # Ok::<(), dnn_core::DnnError>(())
    /// ```
    ///
    /// # Errors
    /// [`DnnError::ClassWeightsOutput`] for an output that does not answer one class per
    /// example; [`DnnError::ClassWeightCount`] for another number of weights than classes.
    pub fn check_output(&self, activation: Activation, outputs: usize) -> Result<()> {
        let classes = match activation {
            Activation::Sigmoid if outputs == 1 => 2,
            Activation::Softmax => outputs,
            _ => {
                return Err(DnnError::ClassWeightsOutput {
                    activation,
                    outputs,
                })
            }
        };
        if self.0.len() != classes {
            return Err(DnnError::ClassWeightCount {
                given: self.0.len(),
                classes,
            });
        }
        Ok(())
    }
}
