//! Shared helpers for the `dnn` benchmarks: the published layer sizes, cat-shaped random
//! data drawn from [`NumpyRng`], the GEMMs of one training iteration and their FLOP counts,
//! and a timer for whole training runs.
//!
//! The benches themselves live in `benches/benches/` (`cargo bench -p dnn-bench`); the
//! `gflops` binary (`cargo run --release -p dnn-bench --bin gflops`) prints a table of
//! seconds per iteration and GFLOP/s; the numpy reference they are compared with is
//! `benches/reference/numpy_cat.py`.
//!
//! ```
//! use dnn_bench::{cat_like_data, Shape};
//! let shape = Shape::CAT;
//! let (x, y) = cat_like_data::<f32>(shape.sizes[0], 5, 1);
//! assert_eq!(x.dim(), (12288, 5));
//! assert_eq!(y.dim(), (1, 5));
//! assert_eq!(shape.engine_flops(), 2.0 * 209.0 * (2.0 * 12288.0 * 20.0 + 3.0 * (20.0 * 7.0 + 7.0 * 5.0 + 5.0)));
//! ```

#![warn(missing_docs)]

use std::time::Duration;

use dnn_core::{Float, Init, Network, NumpyRng, TrainParams};
use ndarray::Array2;

/// The published L-layer network: `[12288, 20, 7, 5, 1]` (64·64·3 pixels in, one sigmoid out).
pub const CAT_LAYERS: [usize; 5] = [12288, 20, 7, 5, 1];
/// The two-layer network of the exercise: `[12288, 7, 1]`.
pub const TWO_LAYER: [usize; 3] = [12288, 7, 1];
/// Training examples in `train_catvnoncat.h5`.
pub const CAT_TRAIN_M: usize = 209;
/// Test examples in `test_catvnoncat.h5`.
pub const CAT_TEST_M: usize = 50;

/// A network shape and a number of examples: what one training iteration costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// A short name for tables and benchmark ids (`cat`, `cat_m2090`, ...).
    pub name: &'static str,
    /// Layer sizes, input first.
    pub sizes: &'static [usize],
    /// Examples (columns of `X`).
    pub m: usize,
}

impl Shape {
    /// The exercise's shape: `[12288, 20, 7, 5, 1]` on the 209 training images.
    pub const CAT: Shape = Shape {
        name: "cat",
        sizes: &CAT_LAYERS,
        m: CAT_TRAIN_M,
    };
    /// Ten times the examples (`m = 2090`): the GEMMs grow in their long dimension.
    pub const CAT_M2090: Shape = Shape {
        name: "cat_m2090",
        sizes: &CAT_LAYERS,
        m: 10 * CAT_TRAIN_M,
    };
    /// Ten times the first hidden layer (`[12288, 200, 7, 5, 1]`, `m = 209`).
    pub const WIDE200: Shape = Shape {
        name: "wide200",
        sizes: &[12288, 200, 7, 5, 1],
        m: CAT_TRAIN_M,
    };
    /// The shapes the `iteration` bench and the `gflops` table cover, smallest first.
    pub const ALL: [Shape; 3] = [Shape::CAT, Shape::CAT_M2090, Shape::WIDE200];

    /// FLOPs the engine does per iteration (see [`engine_flops_per_iteration`]).
    pub fn engine_flops(&self) -> f64 {
        engine_flops_per_iteration(self.sizes, self.m)
    }

    /// FLOPs the exercise's numpy code does per iteration (see [`exercise_flops_per_iteration`]).
    pub fn exercise_flops(&self) -> f64 {
        exercise_flops_per_iteration(self.sizes, self.m)
    }
}

/// FLOPs of a GEMM `(rows × inner) · (inner × cols)`: `2 · rows · inner · cols`.
pub fn gemm_flops(rows: usize, inner: usize, cols: usize) -> f64 {
    2.0 * rows as f64 * inner as f64 * cols as f64
}

/// Useful FLOPs of one engine iteration, as `TrainDiagnostics::flops_per_iteration` counts them:
/// per layer the forward GEMM and the `dW` GEMM, plus `dA[l-1]` for every layer but the
/// first (the engine never computes `dA0`). Elementwise work is not counted.
pub fn engine_flops_per_iteration(sizes: &[usize], m: usize) -> f64 {
    iteration_gemms(sizes, m)
        .iter()
        .filter(|g| !g.numpy_only)
        .map(Gemm::flops)
        .sum()
}

/// FLOPs of one iteration of the exercise's numpy code: [`engine_flops_per_iteration`] plus
/// `dA0 = W1ᵀ dZ1`, which `L_model_backward` computes and never uses.
pub fn exercise_flops_per_iteration(sizes: &[usize], m: usize) -> f64 {
    iteration_gemms(sizes, m).iter().map(Gemm::flops).sum()
}

/// Which operand of a [`Gemm`] is a transposed view (as the engine passes it to BLAS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transpose {
    /// `A · B`.
    None,
    /// `Aᵀ · B` (`dA[l-1] = W[l]ᵀ dZ[l]`).
    Left,
    /// `A · Bᵀ` (`dW[l] = dZ[l] A[l-1]ᵀ`).
    Right,
}

/// One matrix product of a training iteration: `out (rows × cols) = op(A) · op(B)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gemm {
    /// A readable id, e.g. `fwd1_W1.A0` or `dW1_dZ1.A0t`.
    pub name: String,
    /// Rows of the product.
    pub rows: usize,
    /// The contracted dimension.
    pub inner: usize,
    /// Columns of the product.
    pub cols: usize,
    /// Which operand is a transposed view.
    pub transpose: Transpose,
    /// True for `dA0`, which numpy computes and the engine skips.
    pub numpy_only: bool,
}

impl Gemm {
    /// `2 · rows · inner · cols`.
    pub fn flops(&self) -> f64 {
        gemm_flops(self.rows, self.inner, self.cols)
    }

    /// Random operands in the memory layout the engine uses (row-major arrays, transposes
    /// as views of them), seeded from [`NumpyRng`]: `(a, b, out)` where the product is
    /// `op(a) · op(b)` with `op` from [`Gemm::transpose`].
    pub fn operands<F: Float>(&self, seed: u32) -> (Array2<F>, Array2<F>, Array2<F>) {
        let mut rng = NumpyRng::new(seed);
        let (a_dim, b_dim) = match self.transpose {
            Transpose::None => ((self.rows, self.inner), (self.inner, self.cols)),
            Transpose::Left => ((self.inner, self.rows), (self.inner, self.cols)),
            Transpose::Right => ((self.rows, self.inner), (self.cols, self.inner)),
        };
        let a = rng.randn(a_dim.0, a_dim.1).mapv(F::of);
        let b = rng.rand(b_dim.0, b_dim.1).mapv(F::of);
        (a, b, Array2::zeros((self.rows, self.cols)))
    }
}

/// The GEMMs of one training iteration on `sizes` with `m` examples, in the order the
/// exercise runs them: the forward products `W[l] A[l-1]`, then per layer from the last,
/// `dW[l] = dZ[l] A[l-1]ᵀ` and `dA[l-1] = W[l]ᵀ dZ[l]` (the last with `l = 1` marked
/// [`Gemm::numpy_only`]).
///
/// ```
/// let gemms = dnn_bench::iteration_gemms(&dnn_bench::CAT_LAYERS, 209);
/// assert_eq!(gemms.len(), 12);
/// assert_eq!((gemms[0].rows, gemms[0].inner, gemms[0].cols), (20, 12288, 209));
/// ```
pub fn iteration_gemms(sizes: &[usize], m: usize) -> Vec<Gemm> {
    let layers = sizes.len() - 1;
    let mut out = Vec::with_capacity(3 * layers);
    for l in 1..=layers {
        out.push(Gemm {
            name: format!("fwd{l}_W{l}.A{}", l - 1),
            rows: sizes[l],
            inner: sizes[l - 1],
            cols: m,
            transpose: Transpose::None,
            numpy_only: false,
        });
    }
    for l in (1..=layers).rev() {
        out.push(Gemm {
            name: format!("dW{l}_dZ{l}.A{}t", l - 1),
            rows: sizes[l],
            inner: m,
            cols: sizes[l - 1],
            transpose: Transpose::Right,
            numpy_only: false,
        });
        out.push(Gemm {
            name: format!("dA{}_W{l}t.dZ{l}", l - 1),
            rows: sizes[l - 1],
            inner: sizes[l],
            cols: m,
            transpose: Transpose::Left,
            numpy_only: l == 1,
        });
    }
    out
}

/// Random data shaped like the cat set: `X` is `(n_x, m)` with pixel-like values `k / 255`
/// (`k` in `0..=255`), `Y` is `(1, m)` with about a third of the labels 1 (72 of the 209
/// training images are cats). Deterministic in `seed`.
pub fn cat_like_data<F: Float>(n_x: usize, m: usize, seed: u32) -> (Array2<F>, Array2<F>) {
    let mut rng = NumpyRng::new(seed);
    let x = rng
        .rand(n_x, m)
        .mapv(|u| F::of((u * 256.0).floor().min(255.0) / 255.0));
    let y = rng
        .rand(1, m)
        .mapv(|u| F::of(if u < 72.0 / 209.0 { 1.0 } else { 0.0 }));
    (x, y)
}

/// The network the benchmarks train: `sizes`, relu hidden layers, the published
/// `randn / sqrt(n[l-1])` weights from `NumpyRng::new(1)`.
pub fn build_network<F: Float>(sizes: &[usize]) -> Network<F> {
    Network::<F>::builder(sizes)
        .init(Init::Scaled)
        .build(&mut NumpyRng::new(1))
        .expect("benchmark layer sizes are valid")
}

/// A network and data for `shape`, ready to train.
pub fn setup<F: Float>(shape: &Shape) -> (Network<F>, Array2<F>, Array2<F>) {
    let (x, y) = cat_like_data::<F>(shape.sizes[0], shape.m, 3);
    (build_network::<F>(shape.sizes), x, y)
}

/// Trains a clone of `net` on `(x, y)` for `iterations` (learning rate 0.0075, divergence
/// checked only for NaN/infinity) and returns the wall time of training
/// (`TrainReport::elapsed`: the loop, plus the Gram form's set-up when the engine takes it).
pub fn time_training<F: Float>(
    net: &Network<F>,
    x: &Array2<F>,
    y: &Array2<F>,
    iterations: usize,
) -> Duration {
    let config = TrainParams::new()
        .learning_rate(0.0075)
        .iterations(iterations)
        .divergence_factor(None)
        .check()
        .expect("valid parameters");
    let mut net = net.clone();
    net.fit(x, y, &config)
        .expect("training on benchmark data succeeds")
        .elapsed()
}

/// What the linked OpenBLAS runs on: `(core name, threads, build configuration)`, e.g.
/// `("Cooperlake", 2, "OpenBLAS 0.3.21 DYNAMIC_ARCH ...")` (see [`dnn_core::diagnostics::blas_info`]).
/// The core follows `OPENBLAS_CORETYPE` when it is set.
pub fn openblas_info() -> (String, i32, String) {
    let info = dnn_core::diagnostics::blas_info();
    (
        info.core,
        i32::try_from(info.threads).unwrap_or(i32::MAX),
        info.config,
    )
}

/// Trains a clone of `net` like [`time_training`] and also says whether the engine took
/// the Gram form for the first layer (it does when that pays, e.g. for many iterations
/// at the cat shape).
pub fn time_training_form<F: Float>(
    net: &Network<F>,
    x: &Array2<F>,
    y: &Array2<F>,
    iterations: usize,
) -> (Duration, bool) {
    let config = TrainParams::new()
        .learning_rate(0.0075)
        .iterations(iterations)
        .divergence_factor(None)
        .check()
        .expect("valid parameters");
    let mut net = net.clone();
    let report = net
        .fit(x, y, &config)
        .expect("training on benchmark data succeeds");
    (report.elapsed(), report.diagnostics().gram_form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flop_counts_match_the_engine_report() {
        for shape in Shape::ALL {
            let (net, x, y) = setup::<f32>(&Shape { m: 7, ..shape });
            let config = TrainParams::new().iterations(1).check().unwrap();
            let report = net.clone().fit(&x, &y, &config).unwrap();
            assert_eq!(
                report.diagnostics().flops_per_iteration,
                engine_flops_per_iteration(shape.sizes, 7)
            );
        }
    }

    #[test]
    fn exercise_adds_exactly_the_da0_gemm() {
        let extra = Shape::CAT.exercise_flops() - Shape::CAT.engine_flops();
        assert_eq!(extra, gemm_flops(12288, 20, 209));
    }

    #[test]
    fn gemm_operands_have_the_product_shapes() {
        for g in iteration_gemms(&[6, 4, 3, 1], 5) {
            let (a, b, out) = g.operands::<f64>(1);
            let (a, b) = match g.transpose {
                Transpose::None => (a.view(), b.view()),
                Transpose::Left => (a.t(), b.view()),
                Transpose::Right => (a.view(), b.t()),
            };
            assert_eq!(a.dot(&b).dim(), out.dim(), "{}", g.name);
            assert_eq!(a.ncols(), g.inner);
        }
    }

    #[test]
    fn cat_like_data_looks_like_pixels_and_labels() {
        let (x, y) = cat_like_data::<f64>(300, 209, 1);
        assert!(
            x.iter()
                .all(|&v| (0.0..=1.0).contains(&v)
                    && ((v * 255.0) - (v * 255.0).round()).abs() < 1e-9)
        );
        let cats = y.sum();
        assert!(y.iter().all(|&v| v == 0.0 || v == 1.0));
        assert!((40.0..110.0).contains(&cats), "{cats} cats");
    }

    #[test]
    fn openblas_reports_a_core() {
        let (core, threads, config) = openblas_info();
        assert!(
            !core.is_empty() && threads >= 1,
            "{core} {threads} {config}"
        );
    }
}
