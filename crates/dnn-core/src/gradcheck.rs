//! Gradient checking: backpropagation against centred finite differences.

use ndarray::Array2;

use crate::error::Result;
use crate::network::Network;

/// The relative difference `‖g − g̃‖ / (‖g‖ + ‖g̃‖)` between the backprop gradient `g` of
/// every weight and bias and its centred finite-difference estimate
/// `g̃ᵢ = (J(θ + ε eᵢ) − J(θ − ε eᵢ)) / 2ε`.
///
/// Below about 1e-7 (with `epsilon = 1e-7`) the backward pass is right; above 1e-3 it
/// almost certainly is not. Costs `2 × (number of parameters)` forward passes, so run it
/// on a few examples.
///
/// ```
/// use dnn_core::{gradcheck::gradient_check, Activation, Network, NumpyRng};
/// use ndarray::Array2;
/// let mut rng = NumpyRng::new(1);
/// let x = rng.randn(3, 5);
/// let y = rng.rand(1, 5).mapv(|v| (v > 0.5) as u8 as f64);
/// let net = Network::<f64>::builder(&[3, 4, 1]).hidden_activation(Activation::Tanh).build(&mut rng)?;
/// assert!(gradient_check(&net, &x, &y, 1e-7)? < 1e-7);
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
pub fn gradient_check(
    network: &Network<f64>,
    x: &Array2<f64>,
    y: &Array2<f64>,
    epsilon: f64,
) -> Result<f64> {
    gradient_check_sampled(network, x, y, epsilon, usize::MAX)
}

/// [`gradient_check`] on at most `per_matrix` entries of each `W[l]` and `b[l]`, evenly spaced
/// through it (all of them when it is smaller). The published cat network has 245,973
/// parameters, so a full check takes twice as many forward passes (minutes); 100 per matrix
/// probes every layer's backward pass in about 1,600 (about a second).
pub fn gradient_check_sampled(
    network: &Network<f64>,
    x: &Array2<f64>,
    y: &Array2<f64>,
    epsilon: f64,
    per_matrix: usize,
) -> Result<f64> {
    let grads = network.gradients(x, y)?;
    let mut probe = network.clone();
    let (mut diff2, mut norm_g2, mut norm_a2) = (0.0, 0.0, 0.0);
    for (l, (dw, db)) in grads.iter().enumerate() {
        for (which, grad) in [(0, dw), (1, db)] {
            let stride = grad.len().div_ceil(per_matrix.max(1)).max(1);
            for (idx, &g) in grad.indexed_iter().step_by(stride) {
                let theta = param(&probe, l, which, idx);
                *param_mut(&mut probe, l, which, idx) = theta + epsilon;
                let plus = probe.cost(x, y)?;
                *param_mut(&mut probe, l, which, idx) = theta - epsilon;
                let minus = probe.cost(x, y)?;
                *param_mut(&mut probe, l, which, idx) = theta;
                let approx = (plus - minus) / (2.0 * epsilon);
                diff2 += (g - approx) * (g - approx);
                norm_g2 += g * g;
                norm_a2 += approx * approx;
            }
        }
    }
    let denominator = norm_g2.sqrt() + norm_a2.sqrt();
    Ok(if denominator == 0.0 {
        0.0
    } else {
        diff2.sqrt() / denominator
    })
}

fn param(net: &Network<f64>, l: usize, which: usize, idx: (usize, usize)) -> f64 {
    let layer = &net.layers[l];
    if which == 0 {
        layer.w[idx]
    } else {
        layer.b[idx]
    }
}

fn param_mut(net: &mut Network<f64>, l: usize, which: usize, idx: (usize, usize)) -> &mut f64 {
    let layer = &mut net.layers[l];
    if which == 0 {
        &mut layer.w[idx]
    } else {
        &mut layer.b[idx]
    }
}
