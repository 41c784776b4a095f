//! The linked OpenBLAS's thread count, which the engine lowers for loops of small products
//! (crate-internal: it is process-wide state). What OpenBLAS runs on is in
//! [`crate::diagnostics`].

use std::ffi::{c_char, c_int};

extern "C" {
    pub(crate) fn openblas_get_corename() -> *const c_char;
    pub(crate) fn openblas_get_config() -> *const c_char;
    fn openblas_get_num_threads() -> c_int;
    fn openblas_set_num_threads(n: c_int);
}

/// The number of threads OpenBLAS may use for one call.
pub(crate) fn num_threads() -> usize {
    // SAFETY: a plain getter.
    usize::try_from(unsafe { openblas_get_num_threads() }).unwrap_or(1)
}

/// Sets the number of threads OpenBLAS may use (process-wide; at least 1).
fn set_num_threads(n: usize) {
    let n = c_int::try_from(n.max(1)).unwrap_or(c_int::MAX);
    // SAFETY: OpenBLAS clamps the value to its compiled maximum.
    unsafe { openblas_set_num_threads(n) }
}

/// Work per OpenBLAS call below which threads cost more than they save: waking the
/// second thread and joining it takes tens of microseconds on a quiet machine and whole
/// scheduler time slices on a busy one, while a product of this size takes about a
/// tenth of a millisecond on one core.
pub(crate) const SINGLE_THREAD_FLOPS: f64 = 8.0e6;

/// While alive, OpenBLAS runs single-threaded; the previous thread count comes back
/// when the last guard (of any thread) drops. Nested and concurrent guards are counted.
#[derive(Debug)]
pub(crate) struct SingleThreaded(());

static GUARDS: std::sync::Mutex<(usize, usize)> = std::sync::Mutex::new((0, 0));

impl SingleThreaded {
    /// Switches OpenBLAS to one thread (if no other guard already did).
    pub(crate) fn new() -> Self {
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

impl Drop for SingleThreaded {
    fn drop(&mut self) {
        let mut g = GUARDS.lock().unwrap_or_else(|e| e.into_inner());
        g.0 -= 1;
        if g.0 == 0 && g.1 != 1 {
            set_num_threads(g.1);
        }
    }
}
