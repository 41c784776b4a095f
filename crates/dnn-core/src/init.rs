//! Weight initialisation schemes.

use ndarray::Array2;
use ndarray_linalg::QR;

use crate::rng::GaussianSource;

/// How the weights `W[l]` (shape `(n[l], n[l-1])`) are drawn; biases always start at 0.
///
/// All random schemes draw `randn(n[l], n[l-1])` layer by layer in `f64` from a
/// [`GaussianSource`] (exactly `np.random.randn` when it is a [`NumpyRng`](crate::NumpyRng))
/// and then scale it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Init {
    /// `randn * 0.01`: the exercise's `initialize_parameters(_deep)`. Fine for shallow
    /// networks; a deep relu network barely learns from it.
    Small,
    /// `randn / sqrt(n[l-1])`: the published L-layer application's set-up.
    Scaled,
    /// `randn * sqrt(2 / n[l-1])` (He et al. 2015): the usual choice for relu layers.
    He,
    /// `randn * sqrt(2 / (n[l-1] + n[l]))` (Glorot & Bengio 2010, normal form): for tanh and sigmoid layers.
    Xavier,
    /// All zeros, no draw: right for logistic regression, useless for hidden layers
    /// (every unit of a layer stays identical).
    Zeros,
    /// A random orthogonal matrix (Saxe et al. 2014): the `Q` of the QR decomposition of
    /// `randn(max(n[l], n[l-1]), min(n[l], n[l-1]))` (columns' signs fixed so `diag(R) > 0`),
    /// transposed when the layer is wider than its input, so that `W Wᵀ = I` or `Wᵀ W = I`.
    /// Keeps the scale of signals and gradients exactly through linear and tanh layers of
    /// equal width: a good choice for deep tanh networks; for relu, [`Init::He`] is usual.
    Orthogonal,
}

impl Init {
    /// Every scheme, in the order the command line lists them.
    pub const ALL: [Init; 6] = [
        Init::Small,
        Init::Scaled,
        Init::He,
        Init::Xavier,
        Init::Zeros,
        Init::Orthogonal,
    ];

    /// The lower-case name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Init::Small => "small",
            Init::Scaled => "scaled",
            Init::He => "he",
            Init::Xavier => "xavier",
            Init::Zeros => "zeros",
            Init::Orthogonal => "orthogonal",
        }
    }

    /// Parses [`Init::name`] back.
    ///
    /// ```
    /// use dnn_core::Init;
    /// assert_eq!(Init::from_name("orthogonal"), Some(Init::Orthogonal));
    /// assert_eq!(Init::from_name("glorot"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Init::ALL.into_iter().find(|i| i.name() == name)
    }

    /// Draws `W` for a layer of `n_out` units fed by `n_in` inputs.
    ///
    /// # Panics
    /// Only if LAPACK's QR fails for [`Init::Orthogonal`], which it does not for a finite
    /// Gaussian matrix.
    ///
    /// ```
    /// use dnn_core::{Init, NumpyRng};
    /// let w = Init::Scaled.weights(4, 3, &mut NumpyRng::new(1));
    /// assert_eq!(w.dim(), (3, 4));
    /// // np.random.seed(1); np.random.randn(3, 4)[0, 0] / np.sqrt(4)
    /// assert_eq!(w[[0, 0]], 1.6243453636632417 / 2.0);
    /// ```
    pub fn weights<G: GaussianSource + ?Sized>(
        self,
        n_in: usize,
        n_out: usize,
        rng: &mut G,
    ) -> Array2<f64> {
        let fan_in = n_in as f64;
        let mut draw = || rng.randn(n_out, n_in);
        match self {
            Init::Zeros => Array2::zeros((n_out, n_in)),
            Init::Small => draw() * 0.01,
            // Divided, not multiplied by 1/sqrt: the same rounding as the numpy original.
            Init::Scaled => draw() / fan_in.sqrt(),
            Init::He => draw() * (2.0 / fan_in).sqrt(),
            Init::Xavier => draw() * (2.0 / (fan_in + n_out as f64)).sqrt(),
            Init::Orthogonal => orthogonal(n_in, n_out, rng),
        }
    }
}

impl std::fmt::Display for Init {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// See [`Init::Orthogonal`].
fn orthogonal<G: GaussianSource + ?Sized>(n_in: usize, n_out: usize, rng: &mut G) -> Array2<f64> {
    let (rows, cols) = (n_out.max(n_in), n_out.min(n_in));
    let a = rng.randn(rows, cols);
    let (mut q, r) = a
        .qr()
        .unwrap_or_else(|e| panic!("QR of a {rows}x{cols} Gaussian matrix failed in LAPACK: {e}"));
    for (mut column, &d) in q.columns_mut().into_iter().zip(r.diag()) {
        if d < 0.0 {
            column.mapv_inplace(|v| -v);
        }
    }
    // LAPACK's Q is column-major; the engine's buffers and the model files are row-major.
    let w = if n_out >= n_in { q } else { q.reversed_axes() };
    w.as_standard_layout().into_owned()
}
