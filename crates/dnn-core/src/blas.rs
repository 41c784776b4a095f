//! What the linked OpenBLAS runs on, and its thread count.
//!
//! dnn-core links the system OpenBLAS (through `blas-src`/`openblas-src`); these are
//! thin wrappers over the three functions libopenblas exports for this. OpenBLAS picks
//! its kernels ("core") once, when the library loads, from the CPU it finds (or from
//! the `OPENBLAS_CORETYPE` environment variable); nothing here changes that choice.
//!
//! ```
//! let info = dnn_core::blas::info();
//! assert!(!info.core.is_empty() && info.threads >= 1);
//! ```

use std::ffi::{c_char, c_int, CStr};

extern "C" {
    fn openblas_get_corename() -> *const c_char;
    fn openblas_get_config() -> *const c_char;
    fn openblas_get_num_threads() -> c_int;
    fn openblas_set_num_threads(n: c_int);
}

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
pub fn info() -> BlasInfo {
    // SAFETY: both string getters return pointers to static NUL-terminated strings owned
    // by OpenBLAS; the thread count is a plain getter.
    unsafe {
        BlasInfo {
            core: CStr::from_ptr(openblas_get_corename())
                .to_string_lossy()
                .into_owned(),
            threads: usize::try_from(openblas_get_num_threads()).unwrap_or(1),
            config: CStr::from_ptr(openblas_get_config())
                .to_string_lossy()
                .trim()
                .to_owned(),
        }
    }
}

/// The number of threads OpenBLAS may use for one call.
pub fn num_threads() -> usize {
    // SAFETY: a plain getter.
    usize::try_from(unsafe { openblas_get_num_threads() }).unwrap_or(1)
}

/// Sets the number of threads OpenBLAS may use (process-wide; at least 1).
pub fn set_num_threads(n: usize) {
    let n = c_int::try_from(n.max(1)).unwrap_or(c_int::MAX);
    // SAFETY: OpenBLAS clamps the value to its compiled maximum.
    unsafe { openblas_set_num_threads(n) }
}

/// Work per OpenBLAS call below which threads cost more than they save: waking the
/// second thread and joining it takes tens of microseconds on a quiet machine and whole
/// scheduler time slices on a busy one, while a product of this size takes about a
/// tenth of a millisecond on one core.
pub const SINGLE_THREAD_FLOPS: f64 = 8.0e6;

/// While alive, OpenBLAS runs single-threaded; the previous thread count comes back
/// when the last guard (of any thread) drops. Nested and concurrent guards are counted.
#[derive(Debug)]
pub struct SingleThreaded(());

static GUARDS: std::sync::Mutex<(usize, usize)> = std::sync::Mutex::new((0, 0));

impl SingleThreaded {
    /// Switches OpenBLAS to one thread (if no other guard already did).
    pub fn new() -> Self {
        let mut g = GUARDS.lock().unwrap_or_else(|e| e.into_inner());
        if g.0 == 0 {
            g.1 = num_threads();
            if g.1 != 1 {
                set_num_threads(1);
            }
        }
        g.0 += 1;
        SingleThreaded(())
    }
}

impl Default for SingleThreaded {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for SingleThreaded {
    fn drop(&mut self) {
        let mut g = GUARDS.lock().unwrap_or_else(|e| e.into_inner());
        g.0 -= 1;
        if g.0 == 0 && g.1 != 1 {
            set_num_threads(g.1);
        }
    }
}
