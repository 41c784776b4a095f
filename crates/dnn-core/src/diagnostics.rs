//! Diagnostics: what the engine runs on. For benchmarks, bug reports and the curious; nothing
//! here is needed to train or use a network.
//!
//! The training engine's matrix products (forward, backward, the Gram form) run on dnn-core's
//! own packed GEMM ([`gemm_info`]): it picks its kernel from what the CPU can do (AVX-512, or
//! AVX2 with FMA, or portable code), checks it against a naive product the first time it is
//! used, and falls back a level if that check fails.
//!
//! dnn-core also links the system OpenBLAS (through `blas-src`/`openblas-src`), for the
//! step-by-step functions (ndarray's `dot`) and ndarray-linalg ([`blas_info`]). OpenBLAS picks
//! its kernels ("core") once, when the library loads, from the CPU it finds (or from the
//! `OPENBLAS_CORETYPE` environment variable); nothing in dnn-core changes that choice.
//!
//! ```
//! let info = dnn_core::diagnostics::blas_info();
//! assert!(!info.core.is_empty() && info.threads >= 1);
//! let gemm = dnn_core::diagnostics::gemm_info();
//! assert!(gemm.kernels.starts_with("dnn-core GEMM") && gemm.threads >= 1);
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
    /// The kernel in use, e.g. `"dnn-core GEMM, AVX-512 (FMA), tiles f32 12x32, f64 12x16"`.
    pub kernels: String,
    /// Threads a large product is split over (one per available core, at most 8).
    pub threads: usize,
    /// Kernels this CPU supports that failed the start-up check against a naive product, and
    /// so are not used (empty, normally).
    pub rejected: Vec<String>,
}

/// The kernel and thread count of the engine's matrix products (deciding them, and checking
/// the kernel, on first call).
pub fn gemm_info() -> GemmInfo {
    let chosen = gemm::chosen();
    GemmInfo {
        kernels: format!("dnn-core GEMM, {}", chosen.level.describe()),
        threads: gemm::threads(),
        rejected: chosen
            .rejected
            .iter()
            .flatten()
            .map(|l| l.describe().to_owned())
            .collect(),
    }
}
