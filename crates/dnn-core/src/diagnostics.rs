//! Diagnostics: what the engine runs on. For benchmarks, bug reports and the curious; nothing
//! here is needed to train or use a network.
//!
//! The training engine's matrix products (forward, backward, the Gram form) run on dnn-core's
//! own packed GEMM ([`gemm_info`]): it picks its kernel from what the CPU can do (AVX-512, or
//! AVX2 with FMA, or portable code), checks it against a naive product the first time it is
//! used, and falls back a level if that check fails. The environment variable
//! `DNN_GEMM_KERNELS` (`avx512`, `avx2` or `portable`) caps that choice, to measure a lower
//! level on a CPU that has a better one; [`GemmInfo::kernels`] then says so.
//!
//! dnn-core also links the system OpenBLAS (through `blas-src`/`openblas-src`), for the
//! step-by-step functions (ndarray's `dot`) and ndarray-linalg ([`blas_info`]). OpenBLAS picks
//! its kernels ("core") once, when the library loads, from the CPU it finds (or from the
//! `OPENBLAS_CORETYPE` environment variable); nothing in dnn-core changes that choice.
//!
//! [`product_rate`] times the engine's products alone on given shapes, for comparing its
//! kernel with another library's on the same products.
//!
//! ```
//! let info = dnn_core::diagnostics::blas_info();
//! assert!(!info.core.is_empty() && info.threads >= 1);
//! let gemm = dnn_core::diagnostics::gemm_info();
//! assert!(gemm.kernels.starts_with("dnn-core GEMM") && gemm.threads >= 1);
//! assert!(gemm.packed_ahead <= 8 << 20);
//! ```

use std::ffi::CStr;

use crate::blas::{openblas_get_config, openblas_get_corename};
use crate::gemm;

/// The running OpenBLAS: kernels, threads and build configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlasInfo {
    /// The kernel set in use, e.g. `"Cooperlake"`, `"SkylakeX"`, `"Haswell"`, `"Zen"`.
    pub core: String,
    /// Threads OpenBLAS may use for one call.
    pub threads: usize,
    /// The build configuration string, e.g. `"OpenBLAS 0.3.21 DYNAMIC_ARCH ..."`.
    pub config: String,
}

/// The kernel set, thread count and build of the linked OpenBLAS.
pub fn blas_info() -> BlasInfo {
    // SAFETY: both string getters return pointers to static NUL-terminated strings owned
    // by OpenBLAS; the thread count is a plain getter.
    unsafe {
        BlasInfo {
            core: CStr::from_ptr(openblas_get_corename())
                .to_string_lossy()
                .into_owned(),
            threads: crate::blas::num_threads(),
            config: CStr::from_ptr(openblas_get_config())
                .to_string_lossy()
                .trim()
                .to_owned(),
        }
    }
}

/// The engine's matrix products: which kernel runs them, on how many threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GemmInfo {
    /// The kernel in use, e.g. `"dnn-core GEMM, AVX-512 (FMA), tiles f32 6x64, f64 6x32
    /// (12x32, 12x16 on packed batches)"`, followed by what `DNN_GEMM_KERNELS` asked for when
    /// it is set, e.g. `" (capped by DNN_GEMM_KERNELS=avx2)"`, or that its value was not
    /// understood and so ignored.
    pub kernels: String,
    /// Threads a large product is split over (one per available core, at most 8).
    pub threads: usize,
    /// Kernels this CPU supports that failed the start-up check against a naive product, and
    /// so are not used (empty, normally).
    pub rejected: Vec<String>,
    /// The CPU's last-level cache in bytes, as the system reports it (`None` where it does
    /// not say).
    pub last_level_cache: Option<usize>,
    /// The most of a batch, in bytes, that the fused weight step packs once for all the
    /// blocks of a layer wider than one strip (1024 inputs): a quarter of the last-level cache,
    /// at most 8 MiB. Deeper batches of such layers are packed a strip at a time by each
    /// thread; so are those within the cap where that was timed faster
    /// ([`crate::StepOrder`], [`crate::TrainDiagnostics::step_order`]).
    pub packed_ahead: usize,
}

impl GemmInfo {
    /// The kernel, then the cache and what the weight step packs ahead, in one line, e.g.
    /// `"dnn-core GEMM, AVX-512 (FMA), tiles f32 6x64, f64 6x32 (12x32, 12x16 on packed
    /// batches); last-level cache 32 MiB, weight steps pack batches ahead up to 8 MiB"` (where
    /// that is timed faster than strip by strip, [`crate::StepOrder`]).
    pub fn summary(&self) -> String {
        let cache = match self.last_level_cache {
            Some(bytes) => format!("last-level cache {}", mib(bytes)),
            None => "last-level cache unknown".to_owned(),
        };
        format!(
            "{}; {cache}, weight steps pack batches ahead up to {}",
            self.kernels,
            mib(self.packed_ahead)
        )
    }
}

/// Bytes in MiB, with a fraction where it has one (`"8 MiB"`, `"1.5 MiB"`).
fn mib(bytes: usize) -> String {
    format!("{} MiB", bytes as f64 / (1 << 20) as f64)
}

/// The kernel and thread count of the engine's matrix products (deciding them, and checking
/// the kernel, on first call).
pub fn gemm_info() -> GemmInfo {
    let chosen = gemm::chosen();
    let variable = gemm::KERNELS_VARIABLE;
    let value = std::env::var(variable).unwrap_or_default();
    let cap = match chosen.cap {
        None => String::new(),
        Some(Ok(_)) => format!(" (capped by {variable}={value})"),
        Some(Err(())) => {
            format!(" ({variable}={value:?} names no level: avx512, avx2 or portable; ignored)")
        }
    };
    GemmInfo {
        kernels: format!("dnn-core GEMM, {}{cap}", chosen.level.describe()),
        threads: gemm::threads(),
        rejected: chosen
            .rejected
            .iter()
            .flatten()
            .map(|l| l.describe().to_owned())
            .collect(),
        last_level_cache: crate::cache::last_level_bytes(),
        packed_ahead: crate::train::packed_ahead_cap(),
    }
}

/// The engine's rate, in GFLOP/s, on plain products `C = A B` of the given `(rows, inner,
/// cols)` shapes in `F`: each product of contiguous row-major operands (normal random
/// values) into a preallocated `C`, on the engine's kernel and threads, timed alone as the
/// best of 5 repeats of about 30 ms, and the rates combined as all the FLOPs over the sum of
/// the best times. This is how `benches/reference/gemm_rate.py` times numpy's and
/// PyTorch's products, so the three rates compare the libraries' kernels on the same shapes,
/// apart from everything else a training step does. About 0.15 s per product shape; 0 for
/// no FLOPs.
///
/// ```
/// // One layer of 32 inputs and 16 units on a batch of 8: forward and dW.
/// let rate = dnn_core::diagnostics::product_rate::<f32>(&[(16, 32, 8), (16, 8, 32)]);
/// assert!(rate > 0.0 && rate.is_finite());
/// assert_eq!(dnn_core::diagnostics::product_rate::<f64>(&[(4, 0, 4)]), 0.0);
/// ```
pub fn product_rate<F: crate::Float>(products: &[(usize, usize, usize)]) -> f64 {
    let mut rng = crate::NumpyRng::new(0);
    let (mut flops, mut seconds) = (0.0, 0.0);
    for &(rows, inner, cols) in products {
        if rows * inner * cols == 0 {
            continue;
        }
        let a = rng.randn(rows, inner).mapv(F::of);
        let b = rng.randn(inner, cols).mapv(F::of);
        let mut c = ndarray::Array2::<F>::zeros((rows, cols));
        let mut product =
            || gemm::matmul(F::one(), &a.view(), &b.view(), F::zero(), &mut c.view_mut());
        seconds += best_time(&mut product, std::time::Duration::from_millis(150), 5);
        flops += 2.0 * (rows * inner * cols) as f64;
    }
    if seconds > 0.0 {
        flops / seconds / 1e9
    } else {
        0.0
    }
}

/// The best time of one call of `run` over `repeats` timings that share `budget`, each of as
/// many calls as fit (after one call to warm up and one to estimate).
fn best_time(run: &mut impl FnMut(), budget: std::time::Duration, repeats: u32) -> f64 {
    use std::time::Instant;
    run();
    let start = Instant::now();
    run();
    let once = start.elapsed().as_secs_f64().max(1e-7);
    let calls = ((budget.as_secs_f64() / once / f64::from(repeats)) as usize).max(1);
    (0..repeats)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                run();
            }
            start.elapsed().as_secs_f64() / calls as f64
        })
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_the_cache_and_what_the_weight_step_packs_ahead() {
        let info = GemmInfo {
            kernels: "dnn-core GEMM, AVX2 (FMA)".to_owned(),
            threads: 2,
            rejected: Vec::new(),
            last_level_cache: Some(6 << 20),
            packed_ahead: 3 << 19,
        };
        assert_eq!(
            info.summary(),
            "dnn-core GEMM, AVX2 (FMA); last-level cache 6 MiB, weight steps pack batches \
             ahead up to 1.5 MiB"
        );
        let unknown = GemmInfo {
            last_level_cache: None,
            packed_ahead: 8 << 20,
            ..info
        };
        assert!(unknown
            .summary()
            .ends_with("; last-level cache unknown, weight steps pack batches ahead up to 8 MiB"));
    }

    /// Set in the child processes of [`the_kernel_cap_in_the_environment_is_obeyed`].
    const CHILD: &str = "DNN_CORE_TEST_EXPECT_KERNELS";

    /// `DNN_GEMM_KERNELS` is read once per process, so each case runs this test again in a
    /// child process with the variable set; the child checks what [`gemm_info`] reports and
    /// that the products are right on the capped level.
    #[test]
    fn the_kernel_cap_in_the_environment_is_obeyed() {
        if let Ok(expected) = std::env::var(CHILD) {
            let info = gemm_info();
            assert!(
                info.kernels.contains(&expected),
                "{:?} does not contain {expected:?}",
                info.kernels
            );
            let a = ndarray::Array2::from_shape_fn((37, 19), |(i, j)| (i * 19 + j) as f32 / 64.0);
            let b = ndarray::Array2::from_shape_fn((19, 23), |(i, j)| (i + 2 * j) as f32 / 32.0);
            let mut c = ndarray::Array2::zeros((37, 23));
            gemm::matmul(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
            let naive = ndarray::Array2::from_shape_fn((37, 23), |(i, j)| {
                (0..19)
                    .map(|p| a[[i, p]] as f64 * b[[p, j]] as f64)
                    .sum::<f64>() as f32
            });
            assert_eq!(c, naive);
            return;
        }
        let best = gemm::Level::ALL
            .into_iter()
            .find(|l| l.supported())
            .expect("portable is always supported");
        let mut cases = vec![
            (
                "portable",
                "portable (no FMA), tiles 4x8 (capped by DNN_GEMM_KERNELS=portable)",
            ),
            ("", best.describe()),
            ("avx9", "DNN_GEMM_KERNELS=\"avx9\" names no level"),
        ];
        if gemm::Level::Avx2.supported() {
            cases.push((
                "AVX2",
                "AVX2 (FMA), tiles f32 6x16, f64 6x8 (capped by DNN_GEMM_KERNELS=AVX2)",
            ));
        }
        for (value, expected) in cases {
            let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
                .args([
                    "--exact",
                    "diagnostics::tests::the_kernel_cap_in_the_environment_is_obeyed",
                ])
                .args(["--nocapture", "--test-threads=1"])
                .env(gemm::KERNELS_VARIABLE, value)
                .env(CHILD, expected)
                .output()
                .expect("run the test binary");
            let text = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && text.contains("1 passed"),
                "DNN_GEMM_KERNELS={value:?}: {text}"
            );
        }
    }
}
