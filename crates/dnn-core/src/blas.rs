//! The linked OpenBLAS's getters, for [`crate::diagnostics`]. The training engine's products
//! do not go through OpenBLAS (see `gemm`); the step-by-step functions' (ndarray's `dot`) and
//! ndarray-linalg's do.

use std::ffi::{c_char, c_int};

extern "C" {
    pub(crate) fn openblas_get_corename() -> *const c_char;
    pub(crate) fn openblas_get_config() -> *const c_char;
    fn openblas_get_num_threads() -> c_int;
}

/// The number of threads OpenBLAS may use for one call.
pub(crate) fn num_threads() -> usize {
    // SAFETY: a plain getter.
    usize::try_from(unsafe { openblas_get_num_threads() }).unwrap_or(1)
}
