//! Asking the cache for memory ahead of its use, where the hardware's own prefetchers fetch
//! it too late: a packed panel of `B` in the GEMM's tiles, the parameters and averages in
//! the optimiser's pass.

/// Asks for the `bytes` at `p` to be brought into L1, a cache line at a time. `p` may point
/// anywhere, past the end of its buffer included: a prefetch reads nothing into the
/// program and never faults. A no-op off x86-64.
#[inline(always)]
pub(crate) fn prefetch<T>(p: *const T, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    for line in 0..bytes.div_ceil(64) {
        // SAFETY: a prefetch reads nothing and cannot fault, whatever the address.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                (p as *const i8).wrapping_add(line * 64),
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, bytes);
}
