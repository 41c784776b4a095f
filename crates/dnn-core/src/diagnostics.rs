//! Diagnostics: what the engine runs on. For benchmarks, bug reports and the curious; nothing
//! here is needed to train or use a network.
//!
//! dnn-core links the system OpenBLAS (through `blas-src`/`openblas-src`), which picks its
//! kernels ("core") once, when the library loads, from the CPU it finds (or from the
//! `OPENBLAS_CORETYPE` environment variable); nothing in dnn-core changes that choice.
//!
//! ```
//! let info = dnn_core::diagnostics::blas_info();
//! assert!(!info.core.is_empty() && info.threads >= 1);
//! ```

use std::ffi::CStr;

use crate::blas::{openblas_get_config, openblas_get_corename};

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
