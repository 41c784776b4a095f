//! The planar "flower" data set of the shallow-network exercise, reproduced bit for bit.
//!
//! [`flower`] is the exercise's `load_planar_dataset()` with `np.random.seed(seed)`
//! first (the exercise uses seed 1): two petal classes of 200 points each, drawn
//! from [`dnn_core::NumpyRng`] in the same order as numpy, with numpy's own
//! `linspace` arithmetic ([`linspace`]), so `X` and `Y` equal numpy's to the last bit.

use dnn_core::NumpyRng;
use ndarray::{Array1, Array2};

/// Points per class in [`flower`].
pub const FLOWER_POINTS_PER_CLASS: usize = 200;
/// Number of classes (petal colours) in [`flower`].
pub const FLOWER_CLASSES: usize = 2;
/// Maximum ray of the flower.
pub const FLOWER_RAY: f64 = 4.0;

/// `np.linspace(start, stop, num)` (with `endpoint=True`), bit for bit.
///
/// numpy (2.x, `numpy/_core/function_base.py`) computes `step = (stop - start) / (num - 1)`,
/// then `arange(num) * step + start`, then sets the last element to `stop` exactly.
/// (If `step` is 0 it computes `arange(num) / div * delta + start` instead.)
/// `num == 1` gives `[start]`; `num == 0` gives an empty array.
pub fn linspace(start: f64, stop: f64, num: usize) -> Array1<f64> {
    linspace_with(start, stop, num, true)
}

/// `np.linspace(start, stop, num, endpoint=endpoint)`, bit for bit (see [`linspace`]);
/// with `endpoint = false` the step is `(stop - start) / num` and `stop` is left out.
pub fn linspace_with(start: f64, stop: f64, num: usize, endpoint: bool) -> Array1<f64> {
    let delta = stop - start;
    let div = if endpoint { num.saturating_sub(1) } else { num };
    let mut y: Array1<f64> = if div == 0 {
        // numpy: an undefined step; multiplies arange by delta, then adds start.
        Array1::from_shape_fn(num, |i| (i as f64) * delta + start)
    } else {
        let div = div as f64;
        let step = delta / div;
        if step == 0.0 {
            Array1::from_shape_fn(num, |i| (i as f64) / div * delta + start)
        } else {
            Array1::from_shape_fn(num, |i| (i as f64) * step + start)
        }
    };
    if endpoint && num > 1 {
        y[num - 1] = stop;
    }
    y
}

/// The flower data set: `X` of shape `(2, 400)` (coordinates, one column per point) and
/// `Y` of shape `(1, 400)` (0.0 for the first petal class, 1.0 for the second).
///
/// Exactly numpy's
/// ```python
/// np.random.seed(seed)
/// m, N, D, a = 400, 200, 2, 4
/// X = np.zeros((m, D)); Y = np.zeros((m, 1), dtype='uint8')
/// for j in range(2):
///     ix = range(N*j, N*(j+1))
///     t = np.linspace(j*3.12, (j+1)*3.12, N) + np.random.randn(N)*0.2  # theta
///     r = a*np.sin(4*t) + np.random.randn(N)*0.2                         # radius
///     X[ix] = np.c_[r*np.sin(t), r*np.cos(t)]
///     Y[ix] = j
/// X = X.T; Y = Y.T
/// ```
///
/// ```
/// let (x, y) = dnn_data::planar::flower(1);
/// assert_eq!(x.dim(), (2, 400));
/// assert_eq!(y.dim(), (1, 400));
/// assert_eq!(y.sum(), 200.0);
/// ```
pub fn flower(seed: u32) -> (Array2<f64>, Array2<f64>) {
    let n = FLOWER_POINTS_PER_CLASS;
    let m = n * FLOWER_CLASSES;
    let mut rng = NumpyRng::new(seed);
    let mut x = Array2::<f64>::zeros((2, m));
    let mut y = Array2::<f64>::zeros((1, m));
    for j in 0..FLOWER_CLASSES {
        let jf = j as f64;
        let lin = linspace(jf * 3.12, (jf + 1.0) * 3.12, n);
        let t_noise = rng.randn_vec(n);
        let t: Array1<f64> = &lin + &(t_noise * 0.2);
        let r_noise = rng.randn_vec(n);
        let r: Array1<f64> = t.mapv(|ti| FLOWER_RAY * (4.0 * ti).sin()) + &(r_noise * 0.2);
        for i in 0..n {
            let col = n * j + i;
            x[[0, col]] = r[i] * t[i].sin();
            x[[1, col]] = r[i] * t[i].cos();
            y[[0, col]] = jf;
        }
    }
    (x, y)
}
