//! How the first layer trains: directly, like every other layer, or in Gram form. The one
//! place the engine asks which; everything else treats layer 1 like the rest.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

use super::gram::Gram;
use crate::forward::FirstLinear;
use crate::gemm::matmul;
use crate::Float;

/// The first layer's form for one training run.
pub(super) enum FirstLayer<F: Float> {
    /// `Z1 = W1 X`, `dW1 = (1/k) dZ1 Xᵀ`, and `W1` updated by the optimiser: the textbook
    /// products, every iteration.
    Direct,
    /// `W1 X` from the Gram matrix `XᵀX`, no `dW1`, and `W1` formed once at the end
    /// (full-batch gradient descent only; see [`Gram`]).
    Gram(Box<Gram<F>>),
}

impl<F: Float> FirstLinear<F> for FirstLayer<F> {
    fn first_linear(&mut self, w1: &Array2<F>, x: ArrayView2<'_, F>, mut z: ArrayViewMut2<'_, F>) {
        match self {
            FirstLayer::Direct => matmul(F::one(), &w1.view(), &x, F::zero(), &mut z),
            FirstLayer::Gram(gram) => gram.linear(z),
        }
    }
}

impl<F: Float> FirstLayer<F> {
    /// Whether this is the Gram form.
    pub(super) fn is_gram(&self) -> bool {
        matches!(self, FirstLayer::Gram(_))
    }

    /// `dW1 = scale dZ1 Xᵀ` into `dw` (nothing in the Gram form, which never forms `dW1`).
    pub(super) fn weight_gradient(
        &self,
        dz: ArrayView2<'_, F>,
        x: ArrayView2<'_, F>,
        scale: F,
        dw: &mut Array2<F>,
    ) {
        if let FirstLayer::Direct = self {
            matmul(scale, &dz, &x.t(), F::zero(), &mut dw.view_mut());
        }
    }

    /// The Gram form's update, `C = decay C + step dZ1` (`step = α/m`, `decay = 1 - αλ/m`);
    /// returns whether every new value is finite. (The direct form's `W1` is updated like
    /// any other layer's, by `weight_step`.)
    pub(super) fn accumulate(&mut self, dz: ArrayView2<'_, F>, step: f64, decay: f64) -> bool {
        match self {
            FirstLayer::Direct => unreachable!("the direct form has no Gram state"),
            FirstLayer::Gram(gram) => gram.accumulate(dz, step, decay),
        }
    }

    /// `‖W1‖²` in the Gram form with L2, where `W1` is not formed (after the forward pass);
    /// `None` otherwise, when `W1` itself is there to sum.
    pub(super) fn squares(&self) -> Option<f64> {
        match self {
            FirstLayer::Direct => None,
            FirstLayer::Gram(gram) => gram.squares(),
        }
    }

    /// Swaps the updated `W1` (or `C`) in, or back out to roll an update back.
    pub(super) fn swap(&mut self, w: &mut Array2<F>, spare: &mut Array2<F>) {
        match self {
            FirstLayer::Direct => std::mem::swap(w, spare),
            FirstLayer::Gram(gram) => gram.swap(),
        }
    }

    /// When training ends, however it ends: in the Gram form `W1` still holds `W1(0)`, so
    /// `W1 = W1(0) - C Xᵀ` is formed now, once.
    pub(super) fn finish(&self, w: &mut Array2<F>, x: ArrayView2<'_, F>) {
        if let FirstLayer::Gram(gram) = self {
            gram.finish(w, x);
        }
    }
}
