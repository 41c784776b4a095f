//! The exercise's functions, one for one: the readable layer.
//!
//! Each function mirrors its namesake in "Building your Deep Neural Network: Step
//! by Step" (numpy), works in `f64` on one column per example, and returns the
//! same caches and gradients. They are written for clarity, not speed — the
//! [`Network`](crate::Network) engine is the fast path — but both call the same
//! kernels ([`Activation`] and [`crate::cost`]), and a test proves they agree.
//!
//! ```
//! use dnn_core::steps::*;
//! use dnn_core::NumpyRng;
//! use ndarray::array;
//!
//! let x = array![[1.0, -2.0, 0.5], [0.3, 0.8, -1.0]];   // 2 features, 3 examples
//! let y = array![[1.0, 0.0, 1.0]];
//! let mut rng = NumpyRng::new(1);
//! let params = initialize_parameters_deep(&[2, 4, 1], &mut rng);
//! let (al, caches) = l_model_forward(&x, &params);
//! let cost = compute_cost(&al, &y);
//! assert!((cost - 2f64.ln()).abs() < 1e-3);             // tiny weights: AL ≈ 0.5
//! let grads = l_model_backward(&al, &y, &caches);
//! let params = update_parameters(params, &grads, 0.1);
//! assert_eq!(params.num_layers(), 2);
//! ```
//!
//! # Panics
//! These functions take the exercise's inputs as they are and, like numpy,
//! refuse shapes that do not fit: every such panic names both shapes. Those that take
//! labels `Y` also refuse a label outside `[0, 1]` (the exercise's output is one sigmoid:
//! labels are 0 or 1), naming the example and the value, once per call. The
//! engine ([`Network`](crate::Network)) returns errors instead.

use ndarray::{Array2, Axis, Zip};

use crate::activation::{softmax_backward_columns, softmax_columns};
use crate::cost::cross_entropy_from_probs;
use crate::network::check_label_values;
use crate::{Activation, GaussianSource, Init};

/// What the linear step keeps for the backward pass: `(A_prev, W, b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearCache {
    /// The layer's input `A[l-1]`.
    pub a_prev: Array2<f64>,
    /// The layer's weights `W[l]`.
    pub w: Array2<f64>,
    /// The layer's bias `b[l]`.
    pub b: Array2<f64>,
}

/// What one layer keeps for the backward pass: the linear cache and `Z[l]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerCache {
    /// `(A_prev, W, b)`.
    pub linear: LinearCache,
    /// The activation cache `Z[l]`.
    pub z: Array2<f64>,
}

/// The parameters `W1..WL`, `b1..bL`; layers are numbered from 1 as in the exercise.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameters {
    layers: Vec<(Array2<f64>, Array2<f64>)>,
}

impl Parameters {
    /// Builds parameters from `[(W1, b1), (W2, b2), ...]`.
    ///
    /// # Panics
    /// If a `b[l]` is not `(n[l], 1)` or consecutive `W` shapes do not chain.
    pub fn new(layers: Vec<(Array2<f64>, Array2<f64>)>) -> Self {
        for (i, (w, b)) in layers.iter().enumerate() {
            let l = i + 1;
            assert!(
                b.dim() == (w.nrows(), 1),
                "b{l} has shape {:?} but W{l} has shape {:?}: b{l} must be ({}, 1)",
                b.dim(),
                w.dim(),
                w.nrows()
            );
            if i > 0 {
                let prev = &layers[i - 1].0;
                assert!(
                    w.ncols() == prev.nrows(),
                    "W{l} has shape {:?} but W{} has shape {:?}: the layers do not chain",
                    w.dim(),
                    l - 1,
                    prev.dim()
                );
            }
        }
        Parameters { layers }
    }

    /// `W[l]`, for `l` in `1..=L`.
    ///
    /// # Panics
    /// If `l` is 0 or more than `L` (the message names the valid range).
    pub fn w(&self, l: usize) -> &Array2<f64> {
        &self.layer(l).0
    }

    /// `b[l]`, for `l` in `1..=L`.
    ///
    /// # Panics
    /// If `l` is 0 or more than `L` (the message names the valid range).
    pub fn b(&self, l: usize) -> &Array2<f64> {
        &self.layer(l).1
    }

    /// `L`, the number of layers with parameters (the input layer does not count).
    pub fn num_layers(&self) -> usize {
        self.layers.len()
    }

    /// The layer sizes `[n[0], n[1], ..., n[L]]`.
    pub fn layer_dims(&self) -> Vec<usize> {
        let mut dims = Vec::with_capacity(self.layers.len() + 1);
        if let Some((w, _)) = self.layers.first() {
            dims.push(w.ncols());
        }
        dims.extend(self.layers.iter().map(|(w, _)| w.nrows()));
        dims
    }

    /// Consumes the parameters into `[(W1, b1), ...]`.
    pub fn into_layers(self) -> Vec<(Array2<f64>, Array2<f64>)> {
        self.layers
    }

    fn layer(&self, l: usize) -> &(Array2<f64>, Array2<f64>) {
        assert!(
            (1..=self.layers.len()).contains(&l),
            "layer {l} does not exist: layers are numbered 1..={}",
            self.layers.len()
        );
        &self.layers[l - 1]
    }
}

/// The gradients `dA0..dA(L-1)`, `dW1..dWL`, `db1..dbL` from [`l_model_backward`].
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    da: Vec<Array2<f64>>,
    dw: Vec<Array2<f64>>,
    db: Vec<Array2<f64>>,
}

impl Gradients {
    /// `dA{l}`, for `l` in `0..L` (the gradient with respect to layer `l`'s output).
    ///
    /// # Panics
    /// If `l` is `L` or more (the message names the valid range).
    pub fn da(&self, l: usize) -> &Array2<f64> {
        assert!(
            l < self.da.len(),
            "dA{l} does not exist: dA runs from 0 to {}",
            self.da.len() - 1
        );
        &self.da[l]
    }

    /// `dW{l}`, for `l` in `1..=L`.
    ///
    /// # Panics
    /// If `l` is 0 or more than `L` (the message names the valid range).
    pub fn dw(&self, l: usize) -> &Array2<f64> {
        assert!(
            (1..=self.dw.len()).contains(&l),
            "dW{l} does not exist: layers are 1..={}",
            self.dw.len()
        );
        &self.dw[l - 1]
    }

    /// `db{l}`, for `l` in `1..=L`.
    ///
    /// # Panics
    /// If `l` is 0 or more than `L` (the message names the valid range).
    pub fn db(&self, l: usize) -> &Array2<f64> {
        assert!(
            (1..=self.db.len()).contains(&l),
            "db{l} does not exist: layers are 1..={}",
            self.db.len()
        );
        &self.db[l - 1]
    }
}

/// The two-layer network's parameters: `W1 = randn(n_h, n_x) * 0.01`, `b1 = 0`,
/// `W2 = randn(n_y, n_h) * 0.01`, `b2 = 0`, drawn in that order.
///
/// # Panics
/// If a size is 0 (every layer needs at least one unit).
pub fn initialize_parameters<R: GaussianSource + ?Sized>(
    n_x: usize,
    n_h: usize,
    n_y: usize,
    rng: &mut R,
) -> Parameters {
    initialize_parameters_deep(&[n_x, n_h, n_y], rng)
}

/// An L-layer network's parameters as the exercise draws them: for each layer,
/// `W[l] = randn(n[l], n[l-1]) * 0.01` and `b[l] = 0` (no draw).
///
/// (Deep networks barely learn from this; [`l_layer_model`] uses the
/// `randn / sqrt(n[l-1])` scaling of the published application instead.)
///
/// ```
/// use dnn_core::{steps::initialize_parameters_deep, NumpyRng};
/// let p = initialize_parameters_deep(&[5, 4, 3], &mut NumpyRng::new(3));
/// assert_eq!(p.w(1).dim(), (4, 5));
/// assert_eq!(p.b(2).dim(), (3, 1));
/// // np.random.seed(3); np.random.randn(4, 5)[0, 0] * 0.01
/// assert_eq!(p.w(1)[[0, 0]], 1.7886284734303186 * 0.01);
/// ```
///
/// # Panics
/// If `layer_dims` has fewer than two sizes (an input and an output), or a size is 0
/// (every layer needs at least one unit; the engine refuses such a layer too, with
/// [`DnnError::ZeroSizedLayer`](crate::DnnError::ZeroSizedLayer)).
pub fn initialize_parameters_deep<R: GaussianSource + ?Sized>(
    layer_dims: &[usize],
    rng: &mut R,
) -> Parameters {
    init_layers(layer_dims, rng, Init::Small)
}

/// The published application's initialisation: `W[l] = randn(n[l], n[l-1]) / sqrt(n[l-1])`.
fn initialize_parameters_scaled<R: GaussianSource + ?Sized>(
    layer_dims: &[usize],
    rng: &mut R,
) -> Parameters {
    init_layers(layer_dims, rng, Init::Scaled)
}

fn init_layers<R: GaussianSource + ?Sized>(
    layer_dims: &[usize],
    rng: &mut R,
    init: Init,
) -> Parameters {
    assert!(
        layer_dims.len() >= 2,
        "layer_dims {layer_dims:?} has shape ({},): it needs at least an input and an output size",
        layer_dims.len()
    );
    if let Some(index) = layer_dims.iter().position(|&n| n == 0) {
        panic!(
            "layer_dims {layer_dims:?} has 0 units at position {index}: every layer (the input \
             included) needs at least one unit"
        );
    }
    let layers = layer_dims
        .windows(2)
        .map(|pair| {
            (
                init.weights(pair[0], pair[1], rng),
                Array2::zeros((pair[1], 1)),
            )
        })
        .collect();
    Parameters::new(layers)
}

/// `Z = W A + b`, with the cache `(A, W, b)`.
///
/// # Panics
/// If `W` is not `(n, A.rows)` or `b` is not `(n, 1)`.
pub fn linear_forward(
    a: &Array2<f64>,
    w: &Array2<f64>,
    b: &Array2<f64>,
) -> (Array2<f64>, LinearCache) {
    assert!(
        w.ncols() == a.nrows(),
        "linear_forward: W has shape {:?} but A has shape {:?}: W's columns must equal A's rows",
        w.dim(),
        a.dim()
    );
    assert!(
        b.dim() == (w.nrows(), 1),
        "linear_forward: b has shape {:?} but W has shape {:?}: b must be ({}, 1)",
        b.dim(),
        w.dim(),
        w.nrows()
    );
    let z = w.dot(a) + b;
    let cache = LinearCache {
        a_prev: a.clone(),
        w: w.clone(),
        b: b.clone(),
    };
    (z, cache)
}

/// `A = g(Z)` and the cache `Z`: elementwise, except softmax, which normalises each column
/// (the engine's kernel, [`softmax_columns`]).
fn activate(z: &Array2<f64>, activation: Activation) -> (Array2<f64>, Array2<f64>) {
    let a = match activation {
        Activation::Softmax => {
            let mut a = Array2::zeros(z.raw_dim());
            softmax_columns(z.view(), a.view_mut());
            a
        }
        _ => z.mapv(|v| activation.apply(v)),
    };
    (a, z.clone())
}

/// `A = 1 / (1 + exp(-Z))`, with the cache `Z`.
pub fn sigmoid(z: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    activate(z, Activation::Sigmoid)
}

/// `A = max(0, Z)`, with the cache `Z`.
pub fn relu(z: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    activate(z, Activation::Relu)
}

/// `A = tanh(Z)`, with the cache `Z`.
pub fn tanh(z: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    activate(z, Activation::Tanh)
}

/// `A[c, j] = exp(Z[c, j] - max_k Z[k, j]) / Σ_k exp(Z[k, j] - max_k Z[k, j])`: the softmax
/// of each column (one example's scores, one row per class), with the cache `Z`. Subtracting
/// the column's maximum changes nothing mathematically and keeps `exp` from overflowing; the
/// engine's softmax output runs the same kernel.
///
/// ```
/// use dnn_core::steps::softmax;
/// use ndarray::array;
/// let z = array![[1.0, 1000.0], [2.0, 1000.0], [3.0, 998.0]];
/// let (a, _) = softmax(&z);
/// let e = [1f64.exp(), 2f64.exp(), 3f64.exp()];
/// let s = e.iter().sum::<f64>();
/// for c in 0..3 {
///     assert!((a[[c, 0]] - e[c] / s).abs() < 1e-15);
/// }
/// // No overflow: exp(1000) is infinite, the shifted column is [1, 1, e⁻²] / (2 + e⁻²).
/// assert!((a[[0, 1]] - 1.0 / (2.0 + (-2f64).exp())).abs() < 1e-15);
/// assert!((a.column(1).sum() - 1.0).abs() < 1e-15);
/// ```
pub fn softmax(z: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    activate(z, Activation::Softmax)
}

/// One layer forward: `A = g(W A_prev + b)`, with the cache `((A_prev, W, b), Z)`.
///
/// `g` is applied elementwise, except [`Activation::Softmax`], which normalises each column
/// ([`softmax`]); [`Activation::Identity`] leaves `Z` as it is.
///
/// # Panics
/// As [`linear_forward`], if `W` is not `(n, A_prev.rows)` or `b` is not `(n, 1)`.
pub fn linear_activation_forward(
    a_prev: &Array2<f64>,
    w: &Array2<f64>,
    b: &Array2<f64>,
    activation: Activation,
) -> (Array2<f64>, LayerCache) {
    let (z, linear) = linear_forward(a_prev, w, b);
    let (a, z) = activate(&z, activation);
    (a, LayerCache { linear, z })
}

/// The whole forward pass: `[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID`.
/// Returns `AL` and one cache per layer.
pub fn l_model_forward(x: &Array2<f64>, parameters: &Parameters) -> (Array2<f64>, Vec<LayerCache>) {
    let big_l = parameters.num_layers();
    let mut caches = Vec::with_capacity(big_l);
    let mut a = x.clone();
    for l in 1..=big_l {
        let (next, cache) = linear_activation_forward(
            &a,
            parameters.w(l),
            parameters.b(l),
            Activation::exercise(l, big_l),
        );
        caches.push(cache);
        a = next;
    }
    (a, caches)
}

/// The cross-entropy cost `-(1/m) Σ (Y log(AL) + (1 - Y) log(1 - AL))`.
///
/// # Panics
/// If `AL` and `Y` differ in shape, or a label is outside `[0, 1]` (the cost would be
/// meaningless, even negative).
pub fn compute_cost(al: &Array2<f64>, y: &Array2<f64>) -> f64 {
    assert_labels("compute_cost", y);
    cost_unchecked(al, y)
}

/// [`compute_cost`] on labels already checked (the shapes still are).
fn cost_unchecked(al: &Array2<f64>, y: &Array2<f64>) -> f64 {
    assert!(
        al.dim() == y.dim(),
        "compute_cost: AL has shape {:?} but Y has shape {:?}",
        al.dim(),
        y.dim()
    );
    cross_entropy_from_probs(al.view(), y.view())
}

/// Panics, naming `function`, if a label of `y` is outside `[0, 1]` (the step functions'
/// output is sigmoid).
fn assert_labels(function: &str, y: &Array2<f64>) {
    if let Err(e) = check_label_values(Activation::Sigmoid, y.view()) {
        panic!("{function}: {e}");
    }
}

/// The linear step backward: `dW = (1/m) dZ A_prevᵀ`, `db = (1/m) Σ_columns dZ`,
/// `dA_prev = Wᵀ dZ`. Returns `(dA_prev, dW, db)`.
///
/// # Panics
/// If `dZ` is not `(W.rows, A_prev.columns)` (the message names all three shapes).
pub fn linear_backward(
    dz: &Array2<f64>,
    cache: &LinearCache,
) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let LinearCache { a_prev, w, .. } = cache;
    assert!(
        dz.dim() == (w.nrows(), a_prev.ncols()),
        "linear_backward: dZ has shape {:?} but W has shape {:?} and A_prev {:?}",
        dz.dim(),
        w.dim(),
        a_prev.dim()
    );
    let inv_m = 1.0 / a_prev.ncols() as f64;
    let dw = dz.dot(&a_prev.t()) * inv_m;
    let db = dz.sum_axis(Axis(1)).insert_axis(Axis(1)) * inv_m;
    let da_prev = w.t().dot(dz);
    (da_prev, dw, db)
}

fn activation_backward(da: &Array2<f64>, z: &Array2<f64>, activation: Activation) -> Array2<f64> {
    assert!(
        da.dim() == z.dim(),
        "{activation}_backward: dA has shape {:?} but Z has shape {:?}",
        da.dim(),
        z.dim()
    );
    if activation == Activation::Softmax {
        let (a, _) = softmax(z);
        return softmax_backward_columns(da.view(), a.view());
    }
    Zip::from(da)
        .and(z)
        .map_collect(|&da, &z| activation.backward_from_output(da, activation.apply(z)))
}

/// `dZ = dA * s (1 - s)` with `s = sigmoid(Z)`.
pub fn sigmoid_backward(da: &Array2<f64>, z: &Array2<f64>) -> Array2<f64> {
    activation_backward(da, z, Activation::Sigmoid)
}

/// `dZ = dA` where `Z > 0`, else 0.
pub fn relu_backward(da: &Array2<f64>, z: &Array2<f64>) -> Array2<f64> {
    activation_backward(da, z, Activation::Relu)
}

/// `dZ = dA * (1 - tanh(Z)²)`.
pub fn tanh_backward(da: &Array2<f64>, z: &Array2<f64>) -> Array2<f64> {
    activation_backward(da, z, Activation::Tanh)
}

/// `dZ = A ⊙ (dA - Σ_c dA[c] A[c])` column by column, with `A = softmax(Z)`: the softmax's
/// Jacobian `diag(a) - a aᵀ` applied to each column of `dA`.
///
/// With the categorical cross-entropy `J = -(1/m) Σ Y log(A)`, whose `dA = -Y / A`, and
/// labels whose columns sum to 1 (one-hot), this is the course's `dZ = A - Y` (to
/// rounding), the gradient the engine computes directly. As with the sigmoid's `dA`, a
/// probability that underflowed to 0 makes `dA = -Y / A` infinite where `Y` is 1 and NaN
/// (0/0) where it is 0, the common case of a confident prediction, and `dZ` NaN, as numpy
/// would; for a softmax output the engine ([`Network`](crate::Network)) never forms `dA` and
/// stays finite.
///
/// ```
/// use dnn_core::steps::{softmax, softmax_backward};
/// use ndarray::array;
/// let z = array![[2.0, -1.0], [0.5, 0.0], [-1.0, 3.0]];
/// let y = array![[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]];
/// let (a, cache) = softmax(&z);
/// let da = -&y / &a;
/// let dz = softmax_backward(&da, &cache);
/// for (d, want) in dz.iter().zip((&a - &y).iter()) {
///     assert!((d - want).abs() < 1e-15);
/// }
/// ```
///
/// # Panics
/// If `dA` and `Z` differ in shape.
pub fn softmax_backward(da: &Array2<f64>, z: &Array2<f64>) -> Array2<f64> {
    activation_backward(da, z, Activation::Softmax)
}

/// One layer backward. Returns `(dA_prev, dW, db)`.
///
/// `dZ` is `dA * g'(Z)` elementwise; for [`Activation::Softmax`] it is [`softmax_backward`]
/// (so the categorical cross-entropy's `dA = -Y / A` gives `dZ = A - Y`), and for
/// [`Activation::Identity`] `dZ = dA`.
///
/// # Panics
/// If `dA` is not shaped like the cache's `Z`, or (as [`linear_backward`]) the cache's shapes
/// do not chain.
pub fn linear_activation_backward(
    da: &Array2<f64>,
    cache: &LayerCache,
    activation: Activation,
) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let dz = activation_backward(da, &cache.z, activation);
    linear_backward(&dz, &cache.linear)
}

/// The whole backward pass, from `dAL = -(Y/AL - (1-Y)/(1-AL))` down to `dA0`.
///
/// # Panics
/// If `AL` and `Y` differ in shape, or a label is outside `[0, 1]`.
pub fn l_model_backward(al: &Array2<f64>, y: &Array2<f64>, caches: &[LayerCache]) -> Gradients {
    assert!(
        al.dim() == y.dim(),
        "l_model_backward: AL has shape {:?} but Y has shape {:?}",
        al.dim(),
        y.dim()
    );
    assert_labels("l_model_backward", y);
    backward_unchecked(al, y, caches)
}

/// [`l_model_backward`] on labels already checked.
fn backward_unchecked(al: &Array2<f64>, y: &Array2<f64>, caches: &[LayerCache]) -> Gradients {
    let big_l = caches.len();
    let mut da = vec![Array2::zeros((0, 0)); big_l];
    let mut dw = vec![Array2::zeros((0, 0)); big_l];
    let mut db = vec![Array2::zeros((0, 0)); big_l];
    let mut d_a = Zip::from(y)
        .and(al)
        .map_collect(|&y, &a| -(y / a - (1.0 - y) / (1.0 - a)));
    for l in (1..=big_l).rev() {
        let (da_prev, dw_l, db_l) =
            linear_activation_backward(&d_a, &caches[l - 1], Activation::exercise(l, big_l));
        dw[l - 1] = dw_l;
        db[l - 1] = db_l;
        da[l - 1] = da_prev.clone();
        d_a = da_prev;
    }
    Gradients { da, dw, db }
}

/// One gradient-descent step: `W[l] -= α dW[l]`, `b[l] -= α db[l]`.
///
/// # Panics
/// If `grads` has gradients for another number of layers than `parameters`, or a `dW[l]`
/// or `db[l]` is not shaped like `W[l]` or `b[l]` (gradients of another network).
pub fn update_parameters(
    parameters: Parameters,
    grads: &Gradients,
    learning_rate: f64,
) -> Parameters {
    assert!(
        grads.dw.len() == parameters.num_layers(),
        "update_parameters: the parameters have {} layers but the gradients {}: pass the \
         gradients l_model_backward gave for these parameters",
        parameters.num_layers(),
        grads.dw.len()
    );
    let layers = parameters
        .into_layers()
        .into_iter()
        .enumerate()
        .map(|(i, (w, b))| {
            let (dw, db) = (grads.dw(i + 1), grads.db(i + 1));
            assert!(
                w.dim() == dw.dim() && b.dim() == db.dim(),
                "update_parameters: W{0} has shape {1:?} but dW{0} {2:?} (b {3:?}, db {4:?})",
                i + 1,
                w.dim(),
                dw.dim(),
                b.dim(),
                db.dim()
            );
            (w - dw * learning_rate, b - db * learning_rate)
        })
        .collect();
    Parameters::new(layers)
}

/// Predictions: 1.0 where `AL > 0.5`, else 0.0.
pub fn predict(x: &Array2<f64>, parameters: &Parameters) -> Array2<f64> {
    let (al, _) = l_model_forward(x, parameters);
    al.mapv(|p| if p > 0.5 { 1.0 } else { 0.0 })
}

/// The exercise's two-layer model `LINEAR -> RELU -> LINEAR -> SIGMOID`, trained by
/// gradient descent from [`initialize_parameters`]. Returns the parameters and the
/// cost at every 100th iteration.
///
/// # Panics
/// If the shapes do not fit, or a label is outside `[0, 1]` (checked once, before training).
pub fn two_layer_model<R: GaussianSource + ?Sized>(
    x: &Array2<f64>,
    y: &Array2<f64>,
    layer_dims: (usize, usize, usize),
    learning_rate: f64,
    num_iterations: usize,
    rng: &mut R,
) -> (Parameters, Vec<(usize, f64)>) {
    let (n_x, n_h, n_y) = layer_dims;
    let parameters = initialize_parameters(n_x, n_h, n_y, rng);
    gradient_descent(
        "two_layer_model",
        x,
        y,
        parameters,
        learning_rate,
        num_iterations,
    )
}

/// The exercise's L-layer model, initialised as the published application does
/// (`W[l] = randn(n[l], n[l-1]) / sqrt(n[l-1])`, `b = 0`) and trained by gradient
/// descent. Returns the parameters and the cost at every 100th iteration.
///
/// With `NumpyRng::new(1)`, layers `[12288, 20, 7, 5, 1]`, learning rate 0.0075 and
/// 2500 iterations on the cat data this reproduces the published table.
///
/// # Panics
/// If the shapes do not fit, or a label is outside `[0, 1]` (checked once, before training).
pub fn l_layer_model<R: GaussianSource + ?Sized>(
    x: &Array2<f64>,
    y: &Array2<f64>,
    layer_dims: &[usize],
    learning_rate: f64,
    num_iterations: usize,
    rng: &mut R,
) -> (Parameters, Vec<(usize, f64)>) {
    let parameters = initialize_parameters_scaled(layer_dims, rng);
    gradient_descent(
        "l_layer_model",
        x,
        y,
        parameters,
        learning_rate,
        num_iterations,
    )
}

/// The training loop of [`two_layer_model`] and [`l_layer_model`] (`function`, for panics).
fn gradient_descent(
    function: &str,
    x: &Array2<f64>,
    y: &Array2<f64>,
    mut parameters: Parameters,
    learning_rate: f64,
    num_iterations: usize,
) -> (Parameters, Vec<(usize, f64)>) {
    // The labels once; each iteration then runs the unchecked cost and backward pass.
    assert_labels(function, y);
    let mut costs = Vec::new();
    for i in 0..num_iterations {
        let (al, caches) = l_model_forward(x, &parameters);
        let cost = cost_unchecked(&al, y);
        let grads = backward_unchecked(&al, y, &caches);
        parameters = update_parameters(parameters, &grads, learning_rate);
        if i % 100 == 0 {
            costs.push((i, cost));
        }
    }
    (parameters, costs)
}
