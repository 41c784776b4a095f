//! Permutation importance: how much a model's score drops when one column's values are
//! shuffled among the rows, the column's link to the label broken and its values kept.
//!
//! The shuffles are scikit-learn's (`sklearn.inspection.permutation_importance` with an
//! integer `random_state`), draw for draw: one seed drawn from `random_state` as
//! `RandomState(random_state).randint(2**31)`, then for every column a fresh
//! `RandomState(that seed)` shuffling one index array in place `repeats` times, each
//! shuffle applied to the column as the previous one left it. So every column sees the same
//! sequence of shuffles, and the numbers are scikit-learn's for the same model and rows.

use std::ops::Range;

use dnn_core::{Float, NumpyRng, ReplacedInputs};
use ndarray::{s, Array2, ArrayView2, Zip};

use crate::model::{as_f32, AnyNetwork};

/// A score's drops for every block of inputs: `baseline - score` of each shuffle.
#[derive(Clone, Debug, PartialEq)]
pub struct ShuffledScores {
    /// The score of the inputs as they are.
    pub baseline: f64,
    /// For each block, in order, `baseline` minus the score with that block shuffled, once
    /// per shuffle (scikit-learn's `importances`).
    pub drops: Vec<Vec<f64>>,
}

/// Scores `x` (`(inputs, m)`, one example per column) as it is, then with each block of
/// inputs (a table's column: one input for a number, one per value for text, one per part
/// of a date) shuffled among the examples `repeats` times, the block's inputs together.
///
/// `score(block, matrix)` sees the whole matrix each time: first `x` itself with no block,
/// then `x` with only the rows of `block` shuffled (as [`ShuffledPredictions`] needs). Its
/// error stops the work and is returned.
///
/// ```
/// use dnn_data::importance::permutation_importance;
///
/// // Two inputs of six examples; the score is the first example's first input.
/// let x = ndarray::array![[0.0, 10.0, 20.0, 30.0, 40.0, 50.0], [1.0; 6]];
/// let first = |_, x: ndarray::ArrayView2<'_, f64>| Ok::<f64, ()>(x[[0, 0]]);
/// let scores = permutation_importance(x.view(), &[0..1, 1..2], 3, 0, first)?;
/// assert_eq!(scores.baseline, 0.0);
/// // numpy: rs = RandomState(RandomState(0).randint(2**31)); idx = arange(6)
/// // and three times rs.shuffle(idx); col = col[idx], which puts 10, 50, 30 first.
/// assert_eq!(scores.drops[0], [-10.0, -50.0, -30.0]);
/// assert_eq!(scores.drops[1], [0.0, 0.0, 0.0]); // a constant input cannot matter
/// # Ok::<(), ()>(())
/// ```
pub fn permutation_importance<F: Float, E>(
    x: ArrayView2<'_, F>,
    blocks: &[Range<usize>],
    repeats: usize,
    seed: u32,
    mut score: impl FnMut(Option<Range<usize>>, ArrayView2<'_, F>) -> Result<f64, E>,
) -> Result<ShuffledScores, E> {
    let baseline = score(None, x)?;
    // `RandomState(seed).randint(np.iinfo(np.int32).max + 1)`: a masked 31-bit draw, never
    // rejected.
    let column_seed = NumpyRng::new(seed).next_mt() & 0x7fff_ffff;
    let m = x.ncols();
    let mut shuffled: Array2<F> = x.to_owned();
    let mut index: Vec<usize> = Vec::with_capacity(m);
    let mut row: Vec<F> = Vec::with_capacity(m);
    let mut drops = Vec::with_capacity(blocks.len());
    for block in blocks {
        let mut rng = NumpyRng::new(column_seed);
        index.clear();
        index.extend(0..m);
        // Not with_capacity(repeats): the caller bounds `repeats`, the allocator need not.
        let mut block_drops = Vec::new();
        for _ in 0..repeats {
            rng.shuffle(&mut index);
            for input in block.clone() {
                // `X[:, col] = X[idx, col]`: this shuffle of the block as it stands.
                row.clear();
                row.extend(shuffled.row(input).iter().copied());
                for (value, &from) in shuffled.row_mut(input).iter_mut().zip(&index) {
                    *value = row[from];
                }
            }
            block_drops.push(baseline - score(Some(block.clone()), shuffled.view())?);
        }
        for input in block.clone() {
            shuffled.row_mut(input).assign(&x.row(input));
        }
        drops.push(block_drops);
    }
    Ok(ShuffledScores { baseline, drops })
}

/// A network's outputs for the examples `x` and for `x` with one block shuffled, in `f64`
/// whatever the network's float: [`ReplacedInputs`] for an `f64` or `f32` network, its
/// first layer's product `W1 x` made once (an `f32` network's `x` converted once).
///
/// ```
/// use dnn_core::{Activation, Layer, Network};
/// use dnn_data::importance::{permutation_importance, ShuffledPredictions};
/// use dnn_data::model::AnyNetwork;
/// use ndarray::array;
///
/// // An f32 regression network, y = x0 + 2 x1.
/// let net = Network::<f32>::from_layers(vec![Layer::new(array![[1.0, 2.0]], array![[0.0]], Activation::Identity)])?;
/// let network = AnyNetwork::F32(net);
/// let x = array![[1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 1.0]];
/// let mut predictions = ShuffledPredictions::new(&network, x.view())?;
/// let mut outputs = Vec::new();
/// permutation_importance(x.view(), &[0..1, 1..2], 1, 0, |block, shuffled| {
///     let out = predictions.predict_proba(block, shuffled)?;
///     assert_eq!(out, network.predict_proba(shuffled)?);
///     outputs.push(out.to_owned());
///     Ok::<f64, dnn_core::DnnError>(0.0)
/// })?;
/// assert_eq!(outputs[0], array![[1.0, 4.0, 3.0, 6.0]]);
/// assert_eq!(outputs.len(), 3);
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
pub struct ShuffledPredictions<'a>(Predictions<'a>);

/// [`ShuffledPredictions`] by the network's float.
enum Predictions<'a> {
    F64(ReplacedInputs<'a, f64>),
    /// With a buffer for the outputs in `f64`.
    F32 {
        replaced: ReplacedInputs<'a, f32>,
        out: Array2<f64>,
    },
}

impl<'a> ShuffledPredictions<'a> {
    /// Checks `x` (`(n[0], m)`) and computes the network's `W1 x`.
    ///
    /// # Errors
    /// As [`ReplacedInputs::new`], and [`dnn_core::DnnError::BeyondF32`] for a finite value of
    /// `x` too large for an `f32` network.
    pub fn new(network: &'a AnyNetwork, x: ArrayView2<'a, f64>) -> dnn_core::Result<Self> {
        Ok(ShuffledPredictions(match network {
            AnyNetwork::F64(net) => Predictions::F64(ReplacedInputs::new(net, x)?),
            AnyNetwork::F32(net) => Predictions::F32 {
                replaced: ReplacedInputs::new(net, as_f32(x)?)?,
                out: Array2::zeros((net.output_size(), x.ncols())),
            },
        }))
    }

    /// The outputs, `(n[L], m)`, for `matrix`, which is `x` with only the rows of `block`
    /// changed (all of `x` as it is when `block` is `None`).
    ///
    /// # Errors
    /// As [`ReplacedInputs::predict_proba_with`], and [`dnn_core::DnnError::BeyondF32`].
    pub fn predict_proba(
        &mut self,
        block: Option<Range<usize>>,
        matrix: ArrayView2<'_, f64>,
    ) -> dnn_core::Result<ArrayView2<'_, f64>> {
        match &mut self.0 {
            Predictions::F64(replaced) => match block {
                None => Ok(replaced.predict_proba()),
                Some(b) => replaced.predict_proba_with(b.clone(), matrix.slice(s![b, ..])),
            },
            Predictions::F32 { replaced, out } => {
                let proba = match block {
                    None => replaced.predict_proba(),
                    Some(b) => {
                        let values = as_f32(matrix.slice(s![b.clone(), ..]))?;
                        replaced.predict_proba_with(b, values.view())?
                    }
                };
                Zip::from(&mut *out)
                    .and(&proba)
                    .for_each(|o, &p| *o = f64::from(p));
                Ok(out.view())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block's inputs move together: every example keeps its own pair of values.
    #[test]
    fn a_blocks_inputs_are_shuffled_as_one() {
        let x = ndarray::array![[0.0, 1.0, 2.0, 3.0, 4.0], [0.0, 10.0, 20.0, 30.0, 40.0]];
        let mut seen = Vec::new();
        let block = [std::ops::Range { start: 0, end: 2 }];
        permutation_importance(x.view(), &block, 4, 5, |_, s| {
            seen.push(s.to_owned());
            Ok::<f64, ()>(0.0)
        })
        .unwrap();
        assert_eq!(seen.len(), 5, "the baseline and four shuffles");
        for s in &seen[1..] {
            assert_eq!(s.row(1), s.row(0).mapv(|v| v * 10.0), "{s}");
        }
        assert_ne!(seen[1], x, "shuffled");
    }

    /// Every block starts from the inputs as they are, and sees the same shuffles; the score
    /// is told which block each matrix has shuffled, the only rows that differ from `x`.
    #[test]
    fn each_block_starts_again_from_the_inputs() {
        let x = ndarray::array![[0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0]];
        let mut seen = Vec::new();
        let mut blocks = Vec::new();
        permutation_importance(x.view(), &[0..1, 1..2], 2, 0, |b, s| {
            seen.push(s.to_owned());
            blocks.push(b);
            Ok::<f64, ()>(0.0)
        })
        .unwrap();
        // Baseline, then block 0 twice (block 1 untouched), then block 1 twice.
        assert_eq!(
            blocks,
            [None, Some(0..1), Some(0..1), Some(1..2), Some(1..2)]
        );
        assert_eq!(seen[0], x);
        assert_eq!(seen[1].row(1), x.row(1));
        assert_eq!(seen[3].row(0), x.row(0));
        assert_eq!(seen[3].row(1), seen[1].row(0));
        assert_eq!(seen[4].row(1), seen[2].row(0));
    }

    /// `ShuffledPredictions` gives the network's outputs for each shuffled matrix, `f64` or
    /// `f32`: those of `AnyNetwork::predict_proba` to the bit as they are, to rounding
    /// shuffled.
    #[test]
    fn shuffled_predictions_are_the_networks_on_each_shuffled_matrix() {
        let net = dnn_core::Network::<f64>::builder(&[4, 6, 3])
            .output(dnn_core::Activation::Softmax)
            .build(&mut NumpyRng::new(2))
            .unwrap();
        let mut rng = NumpyRng::new(9);
        let x = rng.randn(4, 300);
        for (network, tolerance) in [
            (AnyNetwork::F64(net.clone()), 1e-14),
            (
                AnyNetwork::F32(AnyNetwork::F64(net.clone()).to_network().unwrap()),
                1e-6,
            ),
        ] {
            let mut predictions = ShuffledPredictions::new(&network, x.view()).unwrap();
            let mut calls = 0;
            permutation_importance(x.view(), &[0..1, 1..3, 3..4], 2, 0, |b, s| {
                calls += 1;
                let expected = network.predict_proba(s).unwrap();
                let got = predictions.predict_proba(b.clone(), s).unwrap();
                if b.is_none() {
                    assert_eq!(got, expected);
                }
                let worst = (&got - &expected).fold(0.0, |w: f64, d| w.max(d.abs()));
                assert!(worst <= tolerance, "{b:?}: {worst}");
                assert!(b.is_none() || s != x, "shuffled");
                Ok::<f64, ()>(0.0)
            })
            .unwrap();
            assert_eq!(calls, 7);
        }
    }

    #[test]
    fn the_scores_error_is_returned() {
        let x = ndarray::array![[0.0, 1.0]];
        let mut calls = 0;
        let result = permutation_importance(
            x.view(),
            &[std::ops::Range { start: 0, end: 1 }],
            3,
            0,
            |_, _| {
                calls += 1;
                if calls == 2 {
                    Err("no")
                } else {
                    Ok(0.0)
                }
            },
        );
        assert_eq!(result, Err("no"));
        assert_eq!(calls, 2);
    }
}
