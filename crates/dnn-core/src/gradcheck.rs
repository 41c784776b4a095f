//! Gradient checking: backpropagation against centred finite differences.

use ndarray::{ArrayView2, AsArray, Ix2};

use crate::error::{DnnError, Result};
use crate::forward::{forward, Activations, Product};
use crate::network::Network;
use crate::train::LayerGradients;
use crate::{ClassWeights, NumpyRng};

/// The relative difference `‖g − g̃‖ / (‖g‖ + ‖g̃‖)` between the backprop gradient `g` of
/// every weight and bias and its centred finite-difference estimate
/// `g̃ᵢ = (J(θ + ε eᵢ) − J(θ − ε eᵢ)) / 2ε`.
///
/// Below about 1e-7 (with `epsilon = 1e-7`) the backward pass is right; above 1e-3 it
/// almost certainly is not. Costs `2 × (number of parameters)` forward passes, so run it
/// on a few examples.
///
/// ```
/// use dnn_core::{gradient_check, Activation, Network, NumpyRng};
/// use ndarray::Array2;
/// let mut rng = NumpyRng::new(1);
/// let x = rng.randn(3, 5);
/// let y = rng.rand(1, 5).mapv(|v| (v > 0.5) as u8 as f64);
/// let net = Network::<f64>::builder(&[3, 4, 1]).hidden_activation(Activation::Tanh).build(&mut rng)?;
/// assert!(gradient_check(&net, &x, &y, 1e-7)? < 1e-7);
/// assert!(gradient_check(&net, &x, &y, 0.0).is_err());
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
///
/// # Errors
/// [`DnnError::InvalidParameter`] if `epsilon` is not finite and > 0 (1e-7 is typical);
/// then the errors of [`Network::train`] for `x` and `y` (shapes, finiteness, labels).
pub fn gradient_check<'a, 'b>(
    network: &Network<f64>,
    x: impl AsArray<'a, f64, Ix2>,
    y: impl AsArray<'b, f64, Ix2>,
    epsilon: f64,
) -> Result<f64> {
    gradient_check_sampled(network, x, y, epsilon, usize::MAX)
}

/// [`gradient_check`] on at most `per_matrix` entries of each `W[l]` and `b[l]`, evenly spaced
/// through it (all of them when it is smaller). The published cat network has 245,973
/// parameters, so a full check takes twice as many forward passes (minutes); 100 per matrix
/// probes every layer's backward pass in about 1,600 (about a second).
///
/// Each probe nudges one parameter of a single working copy of the network in place and runs
/// the engine's forward pass into one set of buffers allocated once.
///
/// # Errors
/// As [`gradient_check`].
pub fn gradient_check_sampled<'a, 'b>(
    network: &Network<f64>,
    x: impl AsArray<'a, f64, Ix2>,
    y: impl AsArray<'b, f64, Ix2>,
    epsilon: f64,
    per_matrix: usize,
) -> Result<f64> {
    check_epsilon(epsilon)?;
    let (x, y) = (x.into(), y.into());
    // Checks the shapes and values once; the probes below trust them.
    let grads = network.gradients(x, y)?;
    Ok(difference(network, x, y, None, &grads, epsilon, per_matrix))
}

/// [`gradient_check_sampled`] of the class-weighted cost and its gradients
/// ([`Network::class_weighted_cost`], [`Network::class_weighted_gradients`]): what training
/// with [`crate::TrainParams::class_weights`] descends.
///
/// ```
/// use dnn_core::{gradient_check_weighted, ClassWeights, Network, NumpyRng};
/// let mut rng = NumpyRng::new(1);
/// let x = rng.randn(3, 8);
/// let y = rng.rand(1, 8).mapv(|v| (v > 0.7) as u8 as f64);
/// let net = Network::<f64>::builder(&[3, 4, 1]).build(&mut rng)?;
/// let w = ClassWeights::balanced(y.view())?;
/// assert!(gradient_check_weighted(&net, &x, &y, &w, 1e-7, usize::MAX)? < 1e-7);
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
///
/// # Errors
/// As [`gradient_check`], and as [`Network::class_weighted_cost`] for weights that do not
/// fit the network.
pub fn gradient_check_weighted<'a, 'b>(
    network: &Network<f64>,
    x: impl AsArray<'a, f64, Ix2>,
    y: impl AsArray<'b, f64, Ix2>,
    weights: &ClassWeights,
    epsilon: f64,
    per_matrix: usize,
) -> Result<f64> {
    check_epsilon(epsilon)?;
    let (x, y) = (x.into(), y.into());
    let grads = network.class_weighted_gradients(x, y, weights)?;
    let weights = Some(weights);
    Ok(difference(
        network, x, y, weights, &grads, epsilon, per_matrix,
    ))
}

/// `‖g − g̃‖ / (‖g‖ + ‖g̃‖)` for the given gradients `g` of `network` on the checked `(x, y)`:
/// the comparison itself, apart from the backward pass it judges (so that the tests can hand
/// it wrong gradients).
fn difference(
    network: &Network<f64>,
    x: ArrayView2<'_, f64>,
    y: ArrayView2<'_, f64>,
    weights: Option<&ClassWeights>,
    grads: &[LayerGradients<f64>],
    epsilon: f64,
    per_matrix: usize,
) -> f64 {
    let mut probe = network.clone();
    let mut fwd = Activations::for_prediction(network, x.ncols());
    let mut unused = NumpyRng::new(0);
    let mut cost = |net: &Network<f64>| {
        forward(net, x, &mut fwd, &mut Product, &mut unused);
        crate::train::data_cost(net, &fwd, y, weights)
    };
    let (mut diff2, mut norm_g2, mut norm_a2) = (0.0, 0.0, 0.0);
    for (l, g) in grads.iter().enumerate() {
        for (which, grad) in [(Param::W, &g.dw), (Param::B, &g.db)] {
            let stride = grad.len().div_ceil(per_matrix.max(1)).max(1);
            for (idx, &g) in grad.indexed_iter().step_by(stride) {
                let theta = *which.at(&mut probe, l, idx);
                *which.at(&mut probe, l, idx) = theta + epsilon;
                let plus = cost(&probe);
                *which.at(&mut probe, l, idx) = theta - epsilon;
                let minus = cost(&probe);
                *which.at(&mut probe, l, idx) = theta;
                let approx = (plus - minus) / (2.0 * epsilon);
                diff2 += (g - approx) * (g - approx);
                norm_g2 += g * g;
                norm_a2 += approx * approx;
            }
        }
    }
    let denominator = norm_g2.sqrt() + norm_a2.sqrt();
    if denominator == 0.0 {
        0.0
    } else {
        diff2.sqrt() / denominator
    }
}

/// The step `ε` of the finite differences must be finite and > 0: 0 divides by zero, NaN
/// or an infinity makes every estimate NaN, and a negative step is a caller's mistake (the
/// centred quotient only hides it, as the step of `|ε|`).
fn check_epsilon(epsilon: f64) -> Result<()> {
    if epsilon.is_finite() && epsilon > 0.0 {
        return Ok(());
    }
    Err(DnnError::InvalidParameter {
        name: "gradient-check epsilon",
        value: epsilon,
        reason: "the finite-difference step must be finite and > 0 (1e-7 is typical)",
    })
}

/// Which of a layer's parameters a probe nudges.
#[derive(Clone, Copy)]
enum Param {
    W,
    B,
}

impl Param {
    fn at(self, net: &mut Network<f64>, l: usize, idx: (usize, usize)) -> &mut f64 {
        let layer = &mut net.layers[l];
        match self {
            Param::W => &mut layer.w[idx],
            Param::B => &mut layer.b[idx],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Activation;
    use ndarray::Array2;

    /// A tanh network, 6 examples, and the engine's gradients of it.
    fn case() -> (
        Network<f64>,
        Array2<f64>,
        Array2<f64>,
        Vec<LayerGradients<f64>>,
    ) {
        let mut rng = NumpyRng::new(3);
        let x = rng.randn(4, 6);
        let y = rng.rand(1, 6).mapv(|v| f64::from(u8::from(v > 0.5)));
        let net = Network::<f64>::builder(&[4, 5, 3, 1])
            .hidden_activation(Activation::Tanh)
            .build(&mut rng)
            .expect("network");
        let grads = net.gradients(&x, &y).expect("gradients");
        (net, x, y, grads)
    }

    /// A logistic regression's gradient has a closed form, `dW = (σ(WX + b) − Y) Xᵀ / m`,
    /// `db = Σ(σ(WX + b) − Y) / m`: the finite differences must agree with it, and the
    /// engine's backward pass with both.
    #[test]
    fn agrees_with_the_closed_form_gradient_of_a_logistic_regression() {
        let mut rng = NumpyRng::new(5);
        let x = rng.randn(3, 8);
        let y = rng.rand(1, 8).mapv(|v| f64::from(u8::from(v > 0.5)));
        let net = Network::<f64>::builder(&[3, 1])
            .build(&mut rng)
            .expect("network");
        let layer = &net.layers[0];
        let a = (layer.w.dot(&x) + &layer.b).mapv(|z| 1.0 / (1.0 + (-z).exp()));
        let dz = &a - &y;
        let closed = vec![LayerGradients {
            dw: dz.dot(&x.t()) / 8.0,
            db: dz.sum_axis(ndarray::Axis(1)).insert_axis(ndarray::Axis(1)) / 8.0,
        }];
        let d = difference(&net, x.view(), y.view(), None, &closed, 1e-7, usize::MAX);
        assert!(d < 1e-8, "closed form against finite differences: {d}");
        let engine = net.gradients(&x, &y).expect("gradients");
        for (e, c) in engine.iter().zip(&closed) {
            assert!((&e.dw - &c.dw).iter().all(|v| v.abs() < 1e-15));
            assert!((&e.db - &c.db).iter().all(|v| v.abs() < 1e-15));
        }
    }

    /// Doubled gradients are `‖2g − g‖ / (‖2g‖ + ‖g‖) = 1/3` from the right ones.
    #[test]
    fn doubled_gradients_are_a_third_off() {
        let (net, x, y, mut grads) = case();
        for g in &mut grads {
            g.dw *= 2.0;
            g.db *= 2.0;
        }
        let d = difference(&net, x.view(), y.view(), None, &grads, 1e-7, usize::MAX);
        assert!((d - 1.0 / 3.0).abs() < 1e-7, "{d}");
    }

    /// One wrong entry, in any layer's `dW` or `db`, is seen, with every entry probed and
    /// with two per matrix (the wrong one, (0, 0), among the probed).
    #[test]
    fn one_wrong_entry_is_caught() {
        let (net, x, y, grads) = case();
        assert!(difference(&net, x.view(), y.view(), None, &grads, 1e-7, usize::MAX) < 1e-7);
        for l in 0..grads.len() {
            for bias in [false, true] {
                let mut wrong = grads.clone();
                let m = if bias {
                    &mut wrong[l].db
                } else {
                    &mut wrong[l].dw
                };
                m[(0, 0)] += 0.05;
                for per_matrix in [usize::MAX, 2] {
                    let d = difference(&net, x.view(), y.view(), None, &wrong, 1e-7, per_matrix);
                    assert!(
                        d > 1e-3,
                        "layer {l}, bias {bias}, {per_matrix} per matrix: {d}"
                    );
                }
            }
        }
    }
}
