//! The C allocator's mmap threshold, kept at its default for the commands that read a table
//! more than once.
//!
//! glibc's malloc serves a block of 128 KiB or more by its own mapping, returned to the
//! system when freed, until such a block is freed: then it raises its threshold to that
//! block's size, and later blocks of up to that size come from its heap, which it does not
//! give back. A command that reads a table, frees the columns and reads it again (or copies
//! parts of it) then keeps the first reading's memory under the next. Kept at 128 KiB,
//! `dnn describe` of a 60,000 × 785 table peaks at 492 MB instead of 877 MB, `dnn evaluate`
//! at 456 MB instead of 735 MB, in the same time (docs/performance.md has the runs).
//!
//! `dnn train` and `dnn predict` read their data once and are left alone: fixed, the load's
//! blocks are each mapped afresh (`dnn train` on 100,000 × 50 took about 5 % longer, for a
//! peak 3 MB lower).

/// Keeps glibc's mmap threshold at its default of 128 KiB for the rest of the process,
/// unless the user set `MALLOC_MMAP_THRESHOLD_` (then theirs holds). Elsewhere, nothing.
pub fn fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: mallopt sets a parameter of glibc's allocator, under its own locks.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        }
    }
}
