//! The C allocator's mmap threshold, kept at its default for the commands that read a table
//! more than once.
//!
//! glibc's malloc serves a block of 128 KiB or more by its own mapping, returned to the
//! system when freed, until such a block is freed: then it raises its threshold to that
//! block's size, and later blocks of up to that size come from its heap, which it does not
//! give back. A command that reads a table, frees the columns and reads it again (or parts
//! of it) then keeps the first reading's memory under the next. Measured on a 60,000 × 785
//! table (peak RSS, the threshold fixed against glibc's moving one; the times did not
//! change beyond the machine's noise):
//! - `dnn describe`: 877 → 492 MB (the profile, the mended reading, then the load);
//! - `dnn evaluate`: 793 → 462 MB, and 804 → 511 MB with `--importance`;
//! - `dnn train --cross-validate 3` on 100,000 × 50: 157 → 97 MB.
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
