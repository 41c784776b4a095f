//! A validation part held out of a data set's training part, to watch training on (early
//! stopping): [`Dataset::hold_out`].
//!
//! The examples are chosen as the test part of a source without one is: a stratified split
//! for classes ([`crate::split::stratified`]), scikit-learn's `ShuffleSplit` for a
//! regression ([`crate::split::shuffled`]), its `GroupShuffleSplit` over the training part's
//! groups when the test part was split by groups ([`crate::split::grouped`]). They are taken from the training part as
//! [`crate::load`] left it, so the z-score, a regression's target scale, the one-hot values
//! and the fill values stay those fitted on the whole training part, validation examples
//! included: as scikit-learn's `MLPClassifier(early_stopping=True)` in a pipeline after its
//! scaler.

use ndarray::{Array2, Axis};

use crate::dataset::{pick_images, Dataset, SplitSpec};
use crate::error::{DataError, Result};
use crate::split::{grouped_part, shuffled_part, stratified_part};
use dnn_core::Float;

/// Examples held out of the training part ([`Dataset::hold_out`]).
#[derive(Clone, Debug, PartialEq)]
pub struct HeldOut<X: Float = f64> {
    /// Their inputs, `(features, m_validation)`, prepared as the training part's.
    pub x: Array2<X>,
    /// Their class indices (empty for a regression).
    pub labels: Vec<usize>,
    /// A regression's target values, as the file has them (empty for classes).
    pub values: Vec<f64>,
    /// The fraction and seed they were chosen with.
    pub split: SplitSpec,
}

impl<X: Float> HeldOut<X> {
    /// The number of held-out examples.
    pub fn len(&self) -> usize {
        self.x.ncols()
    }

    /// Whether none are held out (never, from [`Dataset::hold_out`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<X: Float> Dataset<X> {
    /// Moves `fraction` of the training part (of each class, for classes; of its groups, when
    /// the test part was split by them, [`crate::LoadOptions::group_by`]) into a validation
    /// part chosen with `seed`, as the test part of a source without one is chosen; the
    /// training part keeps the rest, in order.
    ///
    /// ```
    /// use dnn_data::{Dataset, LoadOptions};
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("t.csv");
    /// let rows: String = (0..50).map(|i| format!("{i},{}\n", i % 2)).collect();
    /// std::fs::write(&path, format!("x,y\n{rows}"))?;
    /// let mut data = dnn_data::load(&path, &LoadOptions::default())?;
    /// assert_eq!(data.train_len(), 40); // 20 of each class; 5 of each are the test part
    /// let val = data.hold_out(0.1, 0)?;
    /// assert_eq!((data.train_len(), val.len()), (36, 4)); // 2 of each class held out
    /// assert_eq!(val.labels.iter().filter(|&&c| c == 1).count(), 2);
    /// assert_eq!(data.held_out_y::<f64>(&val).dim(), (1, 4));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`DataError::BadSplit`] when `fraction` is not in `(0, 1)` or leaves either part
    /// without examples.
    pub fn hold_out(&mut self, fraction: f64, seed: u32) -> Result<HeldOut<X>> {
        let part = "validation";
        let groups = self.source.groups.as_ref();
        let (train, held) = match (groups, self.is_regression()) {
            (Some(g), _) => {
                // The training part's groups, numbered in their order (as np.unique of them).
                let mut present = vec![usize::MAX; g.count];
                g.train.iter().for_each(|&i| present[i] = 0);
                let mut k = 0;
                for p in present.iter_mut().filter(|p| **p == 0) {
                    (*p, k) = (k, k + 1);
                }
                let of: Vec<usize> = g.train.iter().map(|&i| present[i]).collect();
                grouped_part(&of, k, fraction, seed, part)
            }
            (None, true) => shuffled_part(self.train_values.len(), fraction, seed, part),
            (None, false) => stratified_part(
                &self.train_labels,
                self.spec.classes.len(),
                fraction,
                seed,
                part,
            ),
        }
        .map_err(|problem| DataError::BadSplit {
            path: self.source.path.clone(),
            problem: format!("the training part: {problem}"),
        })?;
        let (labels, values) = (&self.train_labels, &self.train_values);
        let held_out = HeldOut {
            x: self.train_x.select(Axis(1), &held),
            labels: pick(labels, &held),
            values: pick(values, &held),
            split: SplitSpec {
                fraction,
                seed,
                fold: None,
            },
        };
        let (labels, values) = (pick(labels, &train), pick(values, &train));
        self.train_x = self.train_x.select(Axis(1), &train);
        self.train_labels = labels;
        self.train_values = values;
        self.train_images = self.train_images.as_ref().map(|i| pick_images(i, &train));
        if let Some(g) = self.source.groups.as_mut() {
            g.train = pick(&g.train, &train);
        }
        Ok(held_out)
    }

    /// The held-out examples' targets for the network, as [`Dataset::train_y`] gives the
    /// training part's.
    pub fn held_out_y<F: Float>(&self, held_out: &HeldOut<X>) -> Array2<F> {
        self.targets(&held_out.labels, &held_out.values)
    }
}

/// The entries `at` of `v`; none when `v` is empty (labels of a regression, values of classes).
fn pick<T: Copy>(v: &[T], at: &[usize]) -> Vec<T> {
    match v.is_empty() {
        true => Vec::new(),
        false => at.iter().map(|&i| v[i]).collect(),
    }
}
