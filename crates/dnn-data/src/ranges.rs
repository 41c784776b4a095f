//! The values a table model's inputs took in training, and the rows of new data that go well
//! beyond them: where the network's answers are extrapolations, not what it learned.
//!
//! A network answers any input, but only near the examples it was trained on do its answers
//! mean what its test score says. A model trained on the years 2012 to 2015 answers for 2030
//! as confidently as for 2014. [`InputRanges`] keeps each input's smallest and largest
//! training value, as the network saw them (z-scored, when the model z-scores), and
//! [`InputRanges::beyond`] finds the inputs of new examples that lie beyond that range by
//! more than a tenth of its width ([`MARGIN`]): far enough that a test part drawn like the
//! training part rarely does (the largest of 1,000 normal values is about 3.2 standard
//! deviations, their range about 6.5; a new value 0.65 beyond it has odds of about 1 in
//! 17,000), near enough to catch a year past the last one trained on.

use dnn_core::Float;
use ndarray::{Array1, ArrayView2};

/// How far beyond the training range, as a fraction of its width, an input must lie to count.
pub const MARGIN: f64 = 0.1;

/// [`MARGIN`] in words, for messages: how far beyond counts.
pub const MARGIN_IN_WORDS: &str = "a tenth";

/// Each input's smallest and largest value over the training examples, as the network saw
/// them (after the model's z-score, if any).
///
/// ```
/// use dnn_data::ranges::InputRanges;
/// let x = ndarray::array![[2012.0, 2013.0, 2015.0], [1.0, 1.0, 1.0]];
/// let ranges = InputRanges::fit(x.view()).unwrap();
/// assert_eq!((ranges.min[0], ranges.max[0]), (2012.0, 2015.0));
/// // 2015.2 is within a tenth of the 3 years beyond; 2030 is not; the constant input has
/// // no width, so any other value is beyond it.
/// let new = ndarray::array![[2015.2, 2030.0, 2014.0], [1.0, 1.0, 2.0]];
/// let beyond = ranges.beyond(new.view(), &[0, 1]);
/// assert_eq!(beyond.len(), 2);
/// assert_eq!((beyond[0].input, &beyond[0].examples, beyond[0].largest), (0, &vec![1], Some(2030.0)));
/// assert_eq!((beyond[1].input, &beyond[1].examples, beyond[1].largest), (1, &vec![2], Some(2.0)));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct InputRanges {
    /// The smallest value of each input.
    pub min: Array1<f64>,
    /// The largest value of each input.
    pub max: Array1<f64>,
}

/// One input's values beyond its training range, in the data checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Beyond {
    /// The input (row of the input matrix).
    pub input: usize,
    /// The smallest such value below the range, if any.
    pub smallest: Option<f64>,
    /// The largest such value above the range, if any.
    pub largest: Option<f64>,
    /// The examples (columns) whose value lies beyond the range by more than [`MARGIN`] of
    /// its width, in order.
    pub examples: Vec<usize>,
}

impl InputRanges {
    /// The ranges of `x` (`(inputs, m)`, one example per column); `None` for no examples.
    pub fn fit<F: Float>(x: ArrayView2<'_, F>) -> Option<InputRanges> {
        if x.ncols() == 0 {
            return None;
        }
        let (min, max): (Vec<f64>, Vec<f64>) = x
            .rows()
            .into_iter()
            .map(|row| {
                row.iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                        let v = v.to_f64_lossless();
                        (lo.min(v), hi.max(v))
                    })
            })
            .unzip();
        Some(InputRanges {
            min: Array1::from(min),
            max: Array1::from(max),
        })
    }

    /// The ranges that span both `self`'s and `other`'s (of the same inputs, in the same
    /// units): what a model trained on one, then the other, has met.
    ///
    /// ```
    /// use dnn_data::ranges::InputRanges;
    /// let a = InputRanges { min: ndarray::array![0.0, 5.0], max: ndarray::array![1.0, 6.0] };
    /// let b = InputRanges { min: ndarray::array![-1.0, 5.5], max: ndarray::array![0.5, 9.0] };
    /// let both = a.union(&b);
    /// assert_eq!((both.min.to_vec(), both.max.to_vec()), (vec![-1.0, 5.0], vec![1.0, 9.0]));
    /// ```
    pub fn union(&self, other: &InputRanges) -> InputRanges {
        InputRanges {
            min: ndarray::Zip::from(&self.min)
                .and(&other.min)
                .map_collect(|a, b| a.min(*b)),
            max: ndarray::Zip::from(&self.max)
                .and(&other.max)
                .map_collect(|a, b| a.max(*b)),
        }
    }

    /// The number of inputs.
    pub fn len(&self) -> usize {
        self.min.len()
    }

    /// Whether there are no inputs.
    pub fn is_empty(&self) -> bool {
        self.min.is_empty()
    }

    /// Of `inputs` (the ones that can go beyond: numbers and parts of dates, not a text
    /// column's 0/1 inputs), those that some examples of `x` (`(inputs, m)`, in the units
    /// the ranges were fitted in) hold beyond their range by more than [`MARGIN`] of its
    /// width, in input order.
    pub fn beyond<F: Float>(&self, x: ArrayView2<'_, F>, inputs: &[usize]) -> Vec<Beyond> {
        inputs
            .iter()
            .filter_map(|&input| {
                let (lo, hi) = (self.min[input], self.max[input]);
                let margin = MARGIN * (hi - lo);
                let mut found = Beyond {
                    input,
                    smallest: None,
                    largest: None,
                    examples: Vec::new(),
                };
                for (j, v) in x.row(input).iter().enumerate() {
                    let v = v.to_f64_lossless();
                    if v < lo - margin {
                        found.smallest = Some(found.smallest.map_or(v, |s: f64| s.min(v)));
                    } else if v > hi + margin {
                        found.largest = Some(found.largest.map_or(v, |l: f64| l.max(v)));
                    } else {
                        continue;
                    }
                    found.examples.push(j);
                }
                (!found.examples.is_empty()).then_some(found)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_within_a_tenth_of_the_width_are_not_beyond() {
        let ranges = InputRanges::fit(ndarray::array![[0.0, 10.0]].view()).unwrap();
        let x = ndarray::array![[-1.0, 11.0, -1.5, 11.5, 5.0]];
        let beyond = ranges.beyond(x.view(), &[0]);
        assert_eq!(beyond.len(), 1);
        assert_eq!(beyond[0].examples, [2, 3]);
        assert_eq!(
            (beyond[0].smallest, beyond[0].largest),
            (Some(-1.5), Some(11.5))
        );
    }

    #[test]
    fn only_the_inputs_asked_about_are_checked() {
        let ranges = InputRanges::fit(ndarray::array![[0.0, 1.0], [0.0, 1.0]].view()).unwrap();
        let x = ndarray::array![[5.0], [5.0]];
        let beyond = ranges.beyond(x.view(), &[1]);
        assert_eq!(beyond.iter().map(|b| b.input).collect::<Vec<_>>(), [1]);
        assert!(InputRanges::fit(ndarray::Array2::<f64>::zeros((2, 0)).view()).is_none());
    }
}
