//! Activation functions and their derivatives: the elementwise kernels that the
//! step-by-step functions and the training engine share.
//!
//! Every derivative is written in terms of the activation's *output* `a = g(z)`
//! (relu: `a > 0`, sigmoid: `a (1 - a)`, tanh: `1 - a²`), which is what lets the
//! engine keep only `A[l]` per layer and never store `Z[l]`.

use crate::Float;

/// The non-linearity applied after a layer's linear step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `max(0, z)`; derivative 1 where `z > 0`, else 0.
    Relu,
    /// `1 / (1 + exp(-z))`; derivative `s (1 - s)`.
    Sigmoid,
    /// `tanh(z)`; derivative `1 - tanh(z)²`.
    Tanh,
}

impl Activation {
    /// The lower-case name used in model files, reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
        }
    }

    /// Parses [`Activation::name`] back (`"relu"`, `"sigmoid"`, `"tanh"`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "relu" => Some(Activation::Relu),
            "sigmoid" => Some(Activation::Sigmoid),
            "tanh" => Some(Activation::Tanh),
            _ => None,
        }
    }

    /// `g(z)` for one element.
    ///
    /// ```
    /// use dnn_core::Activation;
    /// assert_eq!(Activation::Relu.apply(-2.0_f64), 0.0);
    /// assert_eq!(Activation::Sigmoid.apply(0.0_f64), 0.5);
    /// ```
    #[inline]
    pub fn apply<F: Float>(self, z: F) -> F {
        match self {
            // Written as numpy's `np.maximum(0, z)`: a NaN stays NaN.
            Activation::Relu => {
                if z < F::zero() {
                    F::zero()
                } else {
                    z
                }
            }
            Activation::Sigmoid => sigmoid(z),
            Activation::Tanh => z.tanh(),
        }
    }

    /// `dA * g'(z)` for one element, given the activation's output `a = g(z)`.
    ///
    /// The order of operations is the exercise's (`dA * s * (1 - s)`,
    /// `dA * (1 - A²)`), so results agree with numpy to the last bit where the
    /// inputs do.
    #[inline]
    pub fn backward_from_output<F: Float>(self, da: F, a: F) -> F {
        match self {
            Activation::Relu => {
                if a > F::zero() {
                    da
                } else {
                    F::zero()
                }
            }
            Activation::Sigmoid => da * a * (F::one() - a),
            Activation::Tanh => da * (F::one() - a * a),
        }
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The logistic function `1 / (1 + exp(-z))`, as the exercise computes it.
#[inline]
pub fn sigmoid<F: Float>(z: F) -> F {
    F::one() / (F::one() + (-z).exp())
}
