//! The engine's forward pass, shared by training and prediction: one GEMM per layer into a
//! preallocated buffer, then bias and activation fused in one pass over it.
//!
//! [`crate::steps::l_model_forward`] is the same computation written as the exercise writes
//! it (with caches of copies); a test proves the two agree.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, Zip};

use crate::activation::{softmax_columns, Activation};
use crate::gemm::matmul;
use crate::network::Network;
use crate::{kernels, regularization, Float, NumpyRng};

/// How the first layer's linear step `Z1 = W1 X` is computed: by a plain product, or (in
/// training's Gram form) from a cached factorisation that never touches `X`.
pub(crate) trait FirstLinear<F: Float> {
    /// Writes `W1 X` (without the bias) into `z`.
    fn first_linear(&mut self, w1: &Array2<F>, x: ArrayView2<'_, F>, z: ArrayViewMut2<'_, F>);
}

/// `Z1 = W1 X` by one GEMM.
pub(crate) struct Product;

impl<F: Float> FirstLinear<F> for Product {
    fn first_linear(&mut self, w1: &Array2<F>, x: ArrayView2<'_, F>, mut z: ArrayViewMut2<'_, F>) {
        matmul(F::one(), &w1.view(), &x, F::zero(), &mut z);
    }
}

/// The forward pass's buffers, allocated once for batches of up to `cap` examples; a smaller
/// batch uses the first `k` columns of each.
pub(crate) struct Activations<F: Float> {
    /// `A[l]` for `l = 1..=L` (index `l - 1`), each `(n[l], cap)`: the activation's output,
    /// before dropout.
    pub(crate) acts: Vec<Array2<F>>,
    /// `Z[L]`, the output logits, kept for the stable cost.
    pub(crate) logits: Array2<F>,
    /// For a hidden layer with dropout: its keep probability, its mask `D` (0 or 1) and
    /// `A D / keep_prob` (the next layer's input). `None` where there is no dropout.
    pub(crate) dropout: Vec<Option<Dropout<F>>>,
}

/// One hidden layer's dropout state.
pub(crate) struct Dropout<F: Float> {
    pub(crate) keep_prob: f64,
    pub(crate) mask: Array2<F>,
    pub(crate) dropped: Array2<F>,
}

impl<F: Float> Activations<F> {
    /// Buffers for `net` and batches of up to `cap` examples; `keep_prob(l)` is hidden layer
    /// `l`'s (from 0) keep probability (1: no dropout there).
    pub(crate) fn new(net: &Network<F>, cap: usize, keep_prob: impl Fn(usize) -> f64) -> Self {
        let hidden = net.layers.len() - 1;
        Activations {
            acts: net
                .layers
                .iter()
                .map(|l| Array2::zeros((l.w.nrows(), cap)))
                .collect(),
            logits: Array2::zeros((net.output_size(), cap)),
            dropout: (0..hidden)
                .map(|l| {
                    let p = keep_prob(l);
                    (p < 1.0).then(|| Dropout {
                        keep_prob: p,
                        mask: Array2::zeros((net.layers[l].w.nrows(), cap)),
                        dropped: Array2::zeros((net.layers[l].w.nrows(), cap)),
                    })
                })
                .collect(),
        }
    }

    /// Buffers for prediction (no dropout).
    pub(crate) fn for_prediction(net: &Network<F>, cap: usize) -> Self {
        Self::new(net, cap, |_| 1.0)
    }

    /// The input of layer `l + 2` (index `l + 1`) for the first `k` examples: `A[l+1]`, or
    /// its dropped-out copy.
    pub(crate) fn output(&self, l: usize, k: usize) -> ArrayView2<'_, F> {
        match self.dropout.get(l).and_then(Option::as_ref) {
            Some(d) => cols(&d.dropped, k),
            None => cols(&self.acts[l], k),
        }
    }

    /// `AL` for the first `k` examples.
    pub(crate) fn probabilities(&self, k: usize) -> ArrayView2<'_, F> {
        cols(&self.acts[self.acts.len() - 1], k)
    }

    /// `Z[L]` for the first `k` examples.
    pub(crate) fn logits(&self, k: usize) -> ArrayView2<'_, F> {
        cols(&self.logits, k)
    }
}

/// The forward pass on the `k = x.ncols()` examples of `x` (at most the buffers' capacity):
/// `A[l] = g(W[l] A[l-1] + b[l])`, with `A[L]` the sigmoid, softmax or identity of the logits
/// `Z[L]`.
/// With dropout buffers, each hidden layer's mask is drawn from `rng` as numpy's
/// `rand(n[l], k) < keep_prob`.
pub(crate) fn forward<F: Float>(
    net: &Network<F>,
    x: ArrayView2<'_, F>,
    bufs: &mut Activations<F>,
    first: &mut impl FirstLinear<F>,
    rng: &mut NumpyRng,
) {
    let k = x.ncols();
    let last = net.layers.len() - 1;
    for (l, layer) in net.layers.iter().enumerate() {
        let (before, rest) = bufs.acts.split_at_mut(l);
        let a_prev = match l {
            0 => x,
            _ => match bufs.dropout[l - 1].as_ref() {
                Some(d) => cols(&d.dropped, k),
                None => cols(&before[l - 1], k),
            },
        };
        let out = if l < last {
            &mut rest[0]
        } else {
            &mut bufs.logits
        };
        let mut z = cols_mut(out, k);
        if l == 0 {
            first.first_linear(&layer.w, a_prev, z.view_mut());
        } else {
            matmul(F::one(), &layer.w.view(), &a_prev, F::zero(), &mut z);
        }
        if l < last {
            // Bias and activation fused in one pass.
            kernels::bias_activation_in_place(z, &layer.b, layer.activation);
            if let Some(d) = bufs.dropout[l].as_mut() {
                regularization::dropout_mask(cols_mut(&mut d.mask, k), d.keep_prob, rng);
                regularization::dropout_forward(
                    cols_mut(&mut d.dropped, k),
                    cols(&rest[0], k),
                    cols(&d.mask, k),
                    d.keep_prob,
                );
            }
        } else {
            kernels::add_bias_in_place(z, &layer.b);
            // AL = sigmoid(Z[L]), softmax(Z[L]) or Z[L]; the logits stay for the stable cost.
            let (logits, al) = (cols(&bufs.logits, k), cols_mut(&mut rest[0], k));
            if layer.activation == Activation::Softmax {
                softmax_columns(logits, al);
            } else {
                let activation = layer.activation;
                Zip::from(al)
                    .and(logits)
                    .for_each(|a, &z| *a = activation.apply(z));
            }
        }
    }
}

/// The first `k` columns of `a`. (Not `slice`: ndarray gives a one-row slice a zero row
/// stride, which BLAS refuses, and the product then falls back to a path that allocates.)
pub(crate) fn cols<F: Float>(a: &Array2<F>, k: usize) -> ArrayView2<'_, F> {
    a.view().split_at(Axis(1), k).0
}

/// The first `k` columns of `a`, mutable (see [`cols`]).
pub(crate) fn cols_mut<F: Float>(a: &mut Array2<F>, k: usize) -> ArrayViewMut2<'_, F> {
    a.view_mut().split_at(Axis(1), k).0
}
