//! scikit-learn's `make_moons` and `make_circles`, bit for bit when numpy's global seed is set.
//!
//! `np.random.seed(s); X, y = sklearn.datasets.make_moons(n, noise=0.2)` draws from numpy's
//! global `RandomState`; passing a [`NumpyRng`] seeded with `s` gives the same points to the
//! last bit (scikit-learn 1.x: points on the two half circles, then a shuffle with
//! `RandomState.shuffle`, then Gaussian noise drawn row by row). The result is in this
//! project's layout: `X` is `(2, n)` (one column per point) and `Y` is `(1, n)` with 0.0/1.0.
//!
//! ```
//! use dnn_core::NumpyRng;
//! let (x, y) = dnn_data::toy::make_moons(300, true, Some(0.2), &mut NumpyRng::new(3));
//! assert_eq!(x.dim(), (2, 300));
//! assert_eq!(y.sum(), 150.0);
//! ```

use std::f64::consts::PI;

use dnn_core::NumpyRng;
use ndarray::{Array1, Array2};

use crate::planar::{linspace, linspace_with};

/// Two interleaving half circles: `n / 2` points of class 0 on the upper one, the rest of
/// class 1 on the lower one; shuffled when `shuffle`, with Gaussian noise of standard
/// deviation `noise` when given.
pub fn make_moons(
    n: usize,
    shuffle: bool,
    noise: Option<f64>,
    rng: &mut NumpyRng,
) -> (Array2<f64>, Array2<f64>) {
    let (n_out, n_in) = (n / 2, n - n / 2);
    let outer = linspace(0.0, PI, n_out);
    let inner = linspace(0.0, PI, n_in);
    let xs: Vec<f64> = outer
        .iter()
        .map(|t| t.cos())
        .chain(inner.iter().map(|t| 1.0 - t.cos()))
        .collect();
    let ys: Vec<f64> = outer
        .iter()
        .map(|t| t.sin())
        .chain(inner.iter().map(|t| 1.0 - t.sin() - 0.5))
        .collect();
    finish(xs, ys, n_out, shuffle, noise, rng)
}

/// A large circle of `n / 2` points (class 0) around a small one of radius `factor` (class 1);
/// shuffled when `shuffle`, with Gaussian noise of standard deviation `noise` when given.
pub fn make_circles(
    n: usize,
    shuffle: bool,
    noise: Option<f64>,
    factor: f64,
    rng: &mut NumpyRng,
) -> (Array2<f64>, Array2<f64>) {
    let (n_out, n_in) = (n / 2, n - n / 2);
    let outer = linspace_with(0.0, 2.0 * PI, n_out, false);
    let inner = linspace_with(0.0, 2.0 * PI, n_in, false);
    let xs: Vec<f64> = outer
        .iter()
        .map(|t| t.cos())
        .chain(inner.iter().map(|t| t.cos() * factor))
        .collect();
    let ys: Vec<f64> = outer
        .iter()
        .map(|t| t.sin())
        .chain(inner.iter().map(|t| t.sin() * factor))
        .collect();
    finish(xs, ys, n_out, shuffle, noise, rng)
}

/// Labels, shuffle and noise, in scikit-learn's order; returns the project's layout.
fn finish(
    xs: Vec<f64>,
    ys: Vec<f64>,
    n_out: usize,
    shuffle: bool,
    noise: Option<f64>,
    rng: &mut NumpyRng,
) -> (Array2<f64>, Array2<f64>) {
    let n = xs.len();
    // sklearn.utils.shuffle: indices = arange(n); random_state.shuffle(indices).
    let order: Vec<usize> = if shuffle {
        rng.permutation(n)
    } else {
        (0..n).collect()
    };
    let mut x = Array2::from_shape_fn(
        (2, n),
        |(r, j)| if r == 0 { xs[order[j]] } else { ys[order[j]] },
    );
    let y = Array1::from_shape_fn(n, |j| if order[j] < n_out { 0.0 } else { 1.0 })
        .insert_axis(ndarray::Axis(0));
    if let Some(scale) = noise {
        // generator.normal(scale=noise, size=(n, 2)): row-major over sklearn's (n, 2) X.
        for j in 0..n {
            for r in 0..2 {
                x[[r, j]] += 0.0 + scale * rng.next_gauss();
            }
        }
    }
    (x, y)
}
