//! Predictions for the same examples with one block of inputs replaced, again and again: the
//! work of permutation importance, which shuffles each column of a table many times
//! ([`ReplacedInputs`]).

use std::ops::Range;

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, CowArray, Ix2, Zip};

use crate::error::{DnnError, Result};
use crate::forward::{forward, Activations, FirstLinear, Product};
use crate::gemm::matmul;
use crate::network::{check_finite, Network, PREDICT_CHUNK};
use crate::{memory, Float, NumpyRng};

/// The output probabilities of a network for examples `X` and for `X` with a block of its
/// inputs (rows) replaced, computed from `W1 X` kept once.
///
/// Replacing inputs `r` of `X` by `V` changes only the first layer's product, and by a
/// product of those inputs alone:
///
/// ```text
/// W1 X'  =  W1 X  +  W1[:, r] (V - X[r, :])
/// ```
///
/// So `W1 X` is computed once, and each replacement costs `n[1] |r| m` multiplications for
/// the first layer instead of `n[1] n[0] m`; the layers after it run as in
/// [`Network::predict_proba`] (the same kernels). On a 785-input table the first layer is
/// nearly all of a forward pass. The sum is the full product's up to rounding, not to the
/// bit: the product's terms are added in another order.
///
/// Its buffers are made once; predictions reuse them and allocate nothing.
///
/// ```
/// use dnn_core::{Activation, Layer, Network, ReplacedInputs};
/// use ndarray::array;
///
/// // z = x0 + 2 x1 - 1, identity output.
/// let net = Network::<f64>::from_layers(vec![Layer::new(
///     array![[1.0, 2.0]],
///     array![[-1.0]],
///     Activation::Identity,
/// )])?;
/// let x = array![[1.0, 2.0, 3.0], [0.0, 1.0, 2.0]];
/// let mut replaced = ReplacedInputs::new(&net, &x)?;
/// assert_eq!(replaced.predict_proba(), array![[0.0, 3.0, 6.0]]);
/// // Input 1 shuffled among the examples: (2, 0, 1).
/// assert_eq!(replaced.predict_proba_with(1..2, array![[2.0, 0.0, 1.0]].view())?, array![[4.0, 1.0, 4.0]]);
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
pub struct ReplacedInputs<'a, F: Float> {
    net: &'a Network<F>,
    /// `X`, `(n[0], m)`.
    x: CowArray<'a, F, Ix2>,
    /// `W1 X`, `(n[1], m)`, without the bias.
    product: Array2<F>,
    /// `V - X[r, :]` for a chunk of examples, `(|r|, chunk)`; grown to the widest block.
    difference: Array2<F>,
    bufs: Activations<F>,
    /// The last prediction, `(n[L], m)`.
    out: Array2<F>,
}

impl<'a, F: Float> ReplacedInputs<'a, F> {
    /// Checks `x` (`(n[0], m)`, an array or a view) and computes `W1 X`.
    ///
    /// # Errors
    /// As [`Network::predict_proba`]: [`DnnError::InputRows`], [`DnnError::EmptyDataSet`],
    /// [`DnnError::NonFinite`], and [`DnnError::OutOfMemory`] when `W1 X`, the predictions
    /// and their buffers do not fit.
    pub fn new(net: &'a Network<F>, x: impl Into<CowArray<'a, F, Ix2>>) -> Result<Self> {
        let x = x.into();
        net.check_input(x.view())?;
        let m = x.ncols();
        let sizes = net.layer_sizes();
        let f = std::mem::size_of::<F>();
        let chunk = m.min(PREDICT_CHUNK);
        memory::ensure_allocatable(
            memory::sum([
                memory::product(&[sizes[1] + net.output_size(), m, f]),
                memory::product(&[sizes[1..].iter().sum::<usize>(), chunk, 2 * f]),
            ]),
            "the first layer's product, the predictions and their buffers",
        )?;
        let w1 = net.layers()[0].weights();
        let mut product = Array2::zeros((sizes[1], m));
        // Chunk by chunk as `predict_proba` multiplies, so that the prediction of `X` as it is
        // is `predict_proba`'s to the bit.
        for start in (0..m).step_by(PREDICT_CHUNK) {
            let k = PREDICT_CHUNK.min(m - start);
            let mut z = product.slice_mut(s![.., start..start + k]);
            Product.first_linear(w1, x.slice(s![.., start..start + k]), z.view_mut());
        }
        Ok(ReplacedInputs {
            net,
            x,
            product,
            difference: Array2::zeros((0, chunk)),
            bufs: Activations::for_prediction(net, chunk),
            out: Array2::zeros((net.output_size(), m)),
        })
    }

    /// The output probabilities (a regression's outputs) for `X` as it is, `(n[L], m)`: those
    /// of [`Network::predict_proba`], to the bit.
    pub fn predict_proba(&mut self) -> ArrayView2<'_, F> {
        self.run(None);
        self.out.view()
    }

    /// The output probabilities for `X` with its inputs `inputs` (rows) replaced by
    /// `values`, `(inputs.len(), m)`. `X` itself is unchanged.
    ///
    /// # Errors
    /// [`DnnError::Replacement`] when `inputs` is not a range of `X`'s rows or `values` is not
    /// `(inputs.len(), m)`; [`DnnError::NonFinite`] for a NaN or infinite value.
    pub fn predict_proba_with(
        &mut self,
        inputs: Range<usize>,
        values: ArrayView2<'_, F>,
    ) -> Result<ArrayView2<'_, F>> {
        let (n0, m) = self.x.dim();
        if inputs.start >= inputs.end
            || inputs.end > n0
            || values.dim() != (inputs.end - inputs.start, m)
        {
            return Err(DnnError::Replacement {
                inputs,
                shape: values.dim(),
                input_size: n0,
                examples: m,
            });
        }
        check_finite("X", values)?;
        if self.difference.nrows() < inputs.len() {
            self.difference = Array2::zeros((inputs.len(), self.difference.ncols()));
        }
        self.run(Some((inputs, values)));
        Ok(self.out.view())
    }

    /// The forward pass chunk by chunk, the first layer's product from `W1 X`, updated by the
    /// replacement if there is one.
    fn run(&mut self, replacement: Option<(Range<usize>, ArrayView2<'_, F>)>) {
        let m = self.x.ncols();
        let w1 = self.net.layers()[0].weights();
        // Prediction draws nothing; the generator is only the pass's dropout argument.
        let mut unused = NumpyRng::new(0);
        for start in (0..m).step_by(PREDICT_CHUNK) {
            let columns = start..(start + PREDICT_CHUNK).min(m);
            let x = self.x.slice(s![.., columns.clone()]);
            let mut first = Updated {
                product: self.product.slice(s![.., columns.clone()]),
                update: None,
            };
            if let Some((inputs, values)) = &replacement {
                Zip::from(
                    self.difference
                        .slice_mut(s![..inputs.len(), ..columns.len()]),
                )
                .and(values.slice(s![.., columns.clone()]))
                .and(x.slice(s![inputs.clone(), ..]))
                .for_each(|d, &v, &x| *d = v - x);
                first.update = Some((
                    w1.slice(s![.., inputs.clone()]),
                    self.difference.slice(s![..inputs.len(), ..columns.len()]),
                ));
            }
            forward(self.net, x, &mut self.bufs, &mut first, &mut unused);
            self.out
                .slice_mut(s![.., columns.clone()])
                .assign(&self.bufs.probabilities(columns.len()));
        }
    }
}

/// `W1 X'` from `W1 X` (a chunk of it) and, when inputs are replaced, `W1[:, r]` and
/// `V - X[r, :]`.
struct Updated<'b, F: Float> {
    product: ArrayView2<'b, F>,
    update: Option<(ArrayView2<'b, F>, ArrayView2<'b, F>)>,
}

impl<F: Float> FirstLinear<F> for Updated<'_, F> {
    fn first_linear(&mut self, _: &Array2<F>, _: ArrayView2<'_, F>, mut z: ArrayViewMut2<'_, F>) {
        z.assign(&self.product);
        if let Some((w, difference)) = &self.update {
            matmul(F::one(), w, difference, F::one(), &mut z);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Init, NumpyRng};

    fn network(sizes: &[usize], output: Activation) -> Network<f64> {
        Network::builder(sizes)
            .output(output)
            .init(Init::He)
            .build(&mut NumpyRng::new(3))
            .unwrap()
    }

    fn inputs(n: usize, m: usize, seed: u32) -> Array2<f64> {
        let mut rng = NumpyRng::new(seed);
        Array2::from_shape_fn((n, m), |_| rng.next_double() * 4.0 - 2.0)
    }

    /// As it is, the prediction is `predict_proba`'s to the bit, over several chunks.
    #[test]
    fn the_inputs_as_they_are_are_predicted_as_predict_proba_does() {
        let net = network(&[7, 5, 4, 3], Activation::Softmax);
        let x = inputs(7, 2 * PREDICT_CHUNK + 17, 1);
        let mut replaced = ReplacedInputs::new(&net, &x).unwrap();
        assert_eq!(replaced.predict_proba(), net.predict_proba(&x).unwrap());
    }

    /// With a block replaced, the prediction is `predict_proba`'s of the changed matrix, to
    /// rounding; and `X` is left as it was for the next block.
    #[test]
    fn a_replaced_block_is_predicted_as_the_whole_changed_matrix() {
        for (sizes, output) in [
            (&[9, 6, 2][..], Activation::Softmax),
            (&[9, 6, 4, 1][..], Activation::Sigmoid),
            (&[9, 1][..], Activation::Identity),
        ] {
            let net = network(sizes, output);
            let x = inputs(9, PREDICT_CHUNK + 300, 2);
            let mut replaced = ReplacedInputs::new(&net, &x).unwrap();
            for (block, seed) in [(0..1, 5), (3..6, 6), (8..9, 7), (0..9, 8), (3..6, 9)] {
                let values = inputs(block.len(), x.ncols(), seed);
                let mut changed = x.clone();
                changed.slice_mut(s![block.clone(), ..]).assign(&values);
                let expected = net.predict_proba(&changed).unwrap();
                let got = replaced
                    .predict_proba_with(block.clone(), values.view())
                    .unwrap();
                let worst = (&got - &expected)
                    .mapv(f64::abs)
                    .fold(0.0, |a: f64, &b| a.max(b));
                assert!(worst < 1e-13, "{sizes:?}, block {block:?}: {worst}");
                assert_ne!(got, net.predict_proba(&x).unwrap(), "{sizes:?}: changed");
            }
            assert_eq!(replaced.predict_proba(), net.predict_proba(&x).unwrap());
        }
    }

    #[test]
    fn a_replacement_of_the_wrong_shape_or_not_finite_is_refused() {
        let net = network(&[3, 2, 1], Activation::Sigmoid);
        let x = inputs(3, 4, 1);
        let mut replaced = ReplacedInputs::new(&net, &x).unwrap();
        let err = replaced
            .predict_proba_with(1..3, inputs(2, 5, 1).view())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "inputs 1..3 of X were to be replaced by values of shape (2, 5), but X has 3 \
             inputs and 4 examples: replace a non-empty range of inputs below 3 by values of \
             shape (2, 4)"
        );
        assert!(replaced
            .predict_proba_with(2..4, inputs(2, 4, 1).view())
            .is_err());
        assert!(replaced
            .predict_proba_with(1..1, inputs(0, 4, 1).view())
            .is_err());
        let mut bad = inputs(1, 4, 1);
        bad[[0, 2]] = f64::NAN;
        assert!(matches!(
            replaced.predict_proba_with(0..1, bad.view()),
            Err(DnnError::NonFinite { .. })
        ));
        let mut wrong = inputs(2, 4, 1);
        wrong[[0, 0]] = f64::INFINITY;
        assert!(ReplacedInputs::new(&net, &wrong).is_err());
    }
}
