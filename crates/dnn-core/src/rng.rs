//! `NumpyRng`: numpy's legacy `RandomState` (MT19937), bit for bit.
//!
//! The exercise draws every random number from `np.random.seed(s)` followed by
//! `np.random.randn(rows, cols)`. Reproducing that stream exactly is what lets
//! every published number be checked to the last digit.

use ndarray::{Array1, Array2};
use rand::RngCore;

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// numpy's legacy random generator (`np.random.RandomState`), reproduced bit for bit.
///
/// * [`NumpyRng::new`] is `np.random.seed(seed)` (MT19937 `init_genrand`).
/// * [`NumpyRng::rand`] is `np.random.rand(rows, cols)`: each double is
///   `((a >> 5) * 67108864.0 + (b >> 6)) / 9007199254740992.0` from two 32-bit outputs.
/// * [`NumpyRng::randn`] is `np.random.randn(rows, cols)`: the polar Box-Muller method,
///   which returns `f * x2` and keeps `f * x1` for the next call — also across calls,
///   and also when `rand` is called in between, exactly as numpy does.
///
/// It is a [`GaussianSource`] (what weight initialisation draws from) and a [`rand::RngCore`].
///
/// ```
/// use dnn_core::NumpyRng;
/// let mut rng = NumpyRng::new(1);
/// let w = rng.randn(2, 2);
/// // np.random.seed(1); np.random.randn(2, 2)
/// assert_eq!(w[[0, 0]], 1.6243453636632417);
/// assert_eq!(w[[0, 1]], -0.6117564136500754);
/// ```
#[derive(Clone)]
pub struct NumpyRng {
    state: [u32; N],
    pos: usize,
    cached_gauss: Option<f64>,
}

impl std::fmt::Debug for NumpyRng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NumpyRng")
            .field("pos", &self.pos)
            .field("cached_gauss", &self.cached_gauss)
            .finish_non_exhaustive()
    }
}

impl NumpyRng {
    /// Seeds the generator as `np.random.seed(seed)` does.
    pub fn new(seed: u32) -> Self {
        let mut state = [0u32; N];
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        NumpyRng {
            state,
            pos: N,
            cached_gauss: None,
        }
    }

    fn twist(&mut self) {
        for i in 0..N {
            let y = (self.state[i] & UPPER_MASK) | (self.state[(i + 1) % N] & LOWER_MASK);
            let mut next = self.state[(i + M) % N] ^ (y >> 1);
            if y & 1 != 0 {
                next ^= MATRIX_A;
            }
            self.state[i] = next;
        }
        self.pos = 0;
    }

    /// The next raw 32-bit MT19937 output (tempered).
    #[inline]
    pub fn next_mt(&mut self) -> u32 {
        if self.pos >= N {
            self.twist();
        }
        let mut y = self.state[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// One uniform double in `[0, 1)` with 53 random bits, as numpy builds it.
    #[inline]
    pub fn next_double(&mut self) -> f64 {
        numpy_double(self)
    }

    /// One standard normal draw (`np.random.randn()` with no arguments).
    pub fn next_gauss(&mut self) -> f64 {
        if let Some(g) = self.cached_gauss.take() {
            return g;
        }
        let (kept, returned) = polar_pair(self);
        self.cached_gauss = Some(kept);
        returned
    }

    /// `np.random.randn(rows, cols)`: standard normal draws filled row-major.
    pub fn randn(&mut self, rows: usize, cols: usize) -> Array2<f64> {
        Array2::from_shape_simple_fn((rows, cols), || self.next_gauss())
    }

    /// `np.random.randn(n)`.
    pub fn randn_vec(&mut self, n: usize) -> Array1<f64> {
        Array1::from_shape_simple_fn(n, || self.next_gauss())
    }

    /// `np.random.rand(rows, cols)`: uniform draws in `[0, 1)` filled row-major.
    pub fn rand(&mut self, rows: usize, cols: usize) -> Array2<f64> {
        Array2::from_shape_simple_fn((rows, cols), || self.next_double())
    }

    /// `np.random.rand(n)`.
    pub fn rand_vec(&mut self, n: usize) -> Array1<f64> {
        Array1::from_shape_simple_fn(n, || self.next_double())
    }

    /// A uniform integer in `0..=max`, drawn as numpy's legacy `random_interval`
    /// does (masked rejection sampling on 32-bit outputs, 64-bit above `u32::MAX`).
    pub fn interval(&mut self, max: u64) -> u64 {
        interval_from(self, max)
    }

    /// `np.random.permutation(n)`: a shuffled `0..n` (Fisher-Yates from the end,
    /// as numpy's legacy `shuffle`).
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut out = Vec::with_capacity(n);
        permutation_into(self, n, &mut out);
        out
    }

    /// `np.random.shuffle(x)` of a 1-d array, in place: Fisher-Yates from the end, each
    /// swap's partner drawn by [`NumpyRng::interval`]. Shuffling the same slice again
    /// shuffles its new order, as numpy does.
    ///
    /// ```
    /// use dnn_core::NumpyRng;
    /// let mut rng = NumpyRng::new(0);
    /// let mut x = [0, 1, 2, 3, 4];
    /// rng.shuffle(&mut x);
    /// assert_eq!(x, [2, 0, 1, 3, 4]); // np.random.seed(0); np.random.shuffle(x)
    /// ```
    pub fn shuffle<T>(&mut self, x: &mut [T]) {
        shuffle_from(self, x);
    }
}

/// numpy's legacy `shuffle` of a 1-d array on any generator.
fn shuffle_from<R: RngCore + ?Sized, T>(rng: &mut R, x: &mut [T]) {
    for i in (1..x.len()).rev() {
        let j = interval_from(rng, i as u64) as usize;
        x.swap(i, j);
    }
}

/// numpy's legacy `random_interval(max)` on any generator: a uniform integer in `0..=max`.
pub(crate) fn interval_from<R: RngCore + ?Sized>(rng: &mut R, max: u64) -> u64 {
    if max == 0 {
        return 0;
    }
    let mut mask = max;
    for shift in [1, 2, 4, 8, 16, 32] {
        mask |= mask >> shift;
    }
    loop {
        let v = if max <= u64::from(u32::MAX) {
            u64::from(rng.next_u32()) & mask
        } else {
            rng.next_u64() & mask
        };
        if v <= max {
            return v;
        }
    }
}

/// `np.random.permutation(n)` into `out` (cleared first; no allocation when it has room for `n`).
pub(crate) fn permutation_into<R: RngCore + ?Sized>(rng: &mut R, n: usize, out: &mut Vec<usize>) {
    out.clear();
    out.extend(0..n);
    shuffle_from(rng, out);
}

impl RngCore for NumpyRng {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        self.next_mt()
    }

    /// Two outputs, high word first (numpy's `mt19937_next64`).
    #[inline]
    fn next_u64(&mut self) -> u64 {
        let hi = u64::from(self.next_mt());
        let lo = u64::from(self.next_mt());
        (hi << 32) | lo
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(4) {
            let bytes = self.next_mt().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// A double in `[0, 1)` from two 32-bit outputs of any generator, built as numpy does.
#[inline]
fn numpy_double<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    let a = rng.next_u32() >> 5;
    let b = rng.next_u32() >> 6;
    (f64::from(a) * 67_108_864.0 + f64::from(b)) / 9_007_199_254_740_992.0
}

/// One run of the polar method: returns `(f * x1, f * x2)`; numpy hands out
/// the second and keeps the first.
fn polar_pair<R: RngCore + ?Sized>(rng: &mut R) -> (f64, f64) {
    loop {
        let x1 = 2.0 * numpy_double(rng) - 1.0;
        let x2 = 2.0 * numpy_double(rng) - 1.0;
        let r2 = x1 * x1 + x2 * x2;
        if r2 < 1.0 && r2 != 0.0 {
            let f = (-2.0 * r2.ln() / r2).sqrt();
            return (f * x1, f * x2);
        }
    }
}

/// Where initial weights come from: standard normal draws, one at a time.
///
/// Everything in dnn-core that draws weights ([`crate::NetworkBuilder::build`],
/// [`crate::Init::weights`], [`crate::steps::initialize_parameters_deep`], ...) takes a
/// `GaussianSource`. A [`NumpyRng`] is one, so those draws are `np.random.randn`'s bit for bit;
/// any `rand` generator becomes one through [`Polar`]. `&mut` references and `Box`es of a
/// source are sources too, so `Box<NumpyRng>` keeps numpy's stream.
///
/// ```
/// use dnn_core::{GaussianSource, NumpyRng};
/// let mut boxed: Box<NumpyRng> = Box::new(NumpyRng::new(1));
/// // np.random.seed(1); np.random.randn(1, 2)
/// assert_eq!(boxed.randn(1, 2), ndarray::array![[1.6243453636632417, -0.6117564136500754]]);
/// ```
pub trait GaussianSource {
    /// One draw from the standard normal distribution.
    fn next_gauss(&mut self) -> f64;

    /// A `(rows, cols)` matrix of draws, filled row by row (numpy's `randn(rows, cols)` order).
    fn randn(&mut self, rows: usize, cols: usize) -> Array2<f64> {
        Array2::from_shape_simple_fn((rows, cols), || self.next_gauss())
    }
}

impl GaussianSource for NumpyRng {
    fn next_gauss(&mut self) -> f64 {
        NumpyRng::next_gauss(self)
    }
}

impl<G: GaussianSource + ?Sized> GaussianSource for &mut G {
    fn next_gauss(&mut self) -> f64 {
        (**self).next_gauss()
    }
}

impl<G: GaussianSource + ?Sized> GaussianSource for Box<G> {
    fn next_gauss(&mut self) -> f64 {
        (**self).next_gauss()
    }
}

/// Any [`rand::RngCore`] generator as a [`GaussianSource`]: numpy's polar method on its
/// output, keeping the second draw of each pair for the next call as numpy does.
///
/// ```
/// use dnn_core::{GaussianSource, Network, Polar};
/// use rand::SeedableRng;
/// let mut rng = Polar::new(rand::rngs::StdRng::seed_from_u64(7));
/// let net = Network::<f64>::builder(&[4, 3, 1]).build(&mut rng)?;
/// assert_eq!(net.layer_sizes(), vec![4, 3, 1]);
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Polar<R> {
    rng: R,
    cached: Option<f64>,
}

impl<R: RngCore> Polar<R> {
    /// Wraps `rng`.
    pub fn new(rng: R) -> Self {
        Polar { rng, cached: None }
    }

    /// The wrapped generator back.
    pub fn into_inner(self) -> R {
        self.rng
    }
}

impl<R: RngCore> GaussianSource for Polar<R> {
    fn next_gauss(&mut self) -> f64 {
        if let Some(g) = self.cached.take() {
            return g;
        }
        let (kept, returned) = polar_pair(&mut self.rng);
        self.cached = Some(kept);
        returned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_raw_outputs_match_reference_mt19937_for_seed_5489() {
        // The reference MT19937 (Matsumoto & Nishimura) seeded with 5489 starts
        // 3499211612, 581869302, 3890346734 (C++ std::mt19937 default stream).
        let mut rng = NumpyRng::new(5489);
        assert_eq!(rng.next_mt(), 3_499_211_612);
        assert_eq!(rng.next_mt(), 581_869_302);
        assert_eq!(rng.next_mt(), 3_890_346_734);
    }

    #[test]
    fn a_boxed_or_borrowed_numpy_rng_keeps_numpys_stream_and_cache() {
        let mut plain = NumpyRng::new(3);
        let mut boxed: Box<dyn GaussianSource> = Box::new(NumpyRng::new(3));
        let want = (plain.randn(3, 5), plain.randn(1, 1));
        // 15 draws leave a cached Gaussian: the 16th must come from the cache, as numpy's does.
        assert_eq!(GaussianSource::randn(&mut boxed, 3, 5), want.0);
        assert_eq!(GaussianSource::randn(&mut &mut boxed, 1, 1), want.1);
    }

    #[test]
    fn polar_on_another_rng_is_roughly_standard_normal() {
        use rand::SeedableRng;
        let mut rng = Polar::new(rand::rngs::StdRng::seed_from_u64(7));
        let x = rng.randn(200, 100);
        let mean = x.mean().unwrap_or(f64::NAN);
        let var = x
            .mapv(|v| (v - mean) * (v - mean))
            .mean()
            .unwrap_or(f64::NAN);
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }

    #[test]
    fn polar_on_a_numpy_generator_is_numpys_randn() {
        let mut wrapped = Polar::new(NumpyRng::new(11));
        assert_eq!(wrapped.randn(4, 3), NumpyRng::new(11).randn(4, 3));
    }
}
