//! Refusing work that cannot fit in memory, before any of it is allocated.
//!
//! An absurd size (a layer of 10^11 units, say) would otherwise end the process with an
//! allocation failure in the middle of building buffers. Instead, the total a step needs is
//! reserved from the allocator once and given back at once (nothing is touched), and a
//! refusal becomes [`DnnError::OutOfMemory`] naming what needed the memory.

use crate::error::{DnnError, Result};

/// Whether `bytes` can be reserved from the allocator now: they are reserved and given back
/// at once, nothing touched. `None` (a size that overflowed) never fits. For callers that
/// build large buffers from what a user gives (data sets, in `dnn-data`), so that a size
/// that cannot exist is an error rather than the process ending in an allocation failure.
///
/// ```
/// assert!(dnn_core::fits_in_memory(Some(1 << 20)));
/// assert!(!dnn_core::fits_in_memory(Some(1 << 100)));
/// assert!(!dnn_core::fits_in_memory(None));
/// ```
pub fn fits_in_memory(bytes: Option<u128>) -> bool {
    bytes
        .and_then(|b| usize::try_from(b).ok())
        .filter(|&b| b <= isize::MAX as usize)
        .is_some_and(|b| Vec::<u8>::new().try_reserve_exact(b).is_ok())
}

/// Fails unless `bytes` can be reserved now ([`fits_in_memory`]).
pub(crate) fn ensure_allocatable(bytes: Option<u128>, what: &'static str) -> Result<()> {
    if fits_in_memory(bytes) {
        Ok(())
    } else {
        Err(DnnError::OutOfMemory { what, bytes })
    }
}

/// `a * b * c` in `u128`, `None` on overflow.
pub(crate) fn product(factors: &[usize]) -> Option<u128> {
    factors
        .iter()
        .try_fold(1u128, |acc, &f| acc.checked_mul(f as u128))
}

/// `Σ` of optional sizes, `None` if any is `None` or the sum overflows.
pub(crate) fn sum(terms: impl IntoIterator<Item = Option<u128>>) -> Option<u128> {
    terms
        .into_iter()
        .try_fold(0u128, |acc, t| acc.checked_add(t?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sizes_fit_and_absurd_ones_are_errors_naming_their_use() {
        assert!(ensure_allocatable(Some(1 << 20), "a test buffer").is_ok());
        let err =
            ensure_allocatable(product(&[192, 100_000_000_000, 8]), "the weights").unwrap_err();
        assert_eq!(
            err,
            DnnError::OutOfMemory {
                what: "the weights",
                bytes: Some(192 * 100_000_000_000 * 8)
            }
        );
        assert!(
            err.to_string().contains("the weights need 153.6 TB"),
            "{err}"
        );
        assert!(ensure_allocatable(product(&[usize::MAX, usize::MAX, 2]), "x").is_err());
    }
}
