//! The SIMD registers the microkernel is written over: AVX-512 and AVX2 (with FMA) through
//! `std::arch`, and a portable four-lane stand-in for any other CPU. Each is used only inside a
//! function compiled for its instruction set (see `kernel.rs`).

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::Element;

/// A SIMD register of `T` with the operations the microkernel needs.
pub(super) trait Simd<T: Element>: Copy {
    /// Elements per register.
    const LANES: usize;
    /// All zeros.
    unsafe fn zero() -> Self;
    /// `x` in every lane.
    unsafe fn splat(x: T) -> Self;
    /// `LANES` elements from `p` (unaligned).
    unsafe fn load(p: *const T) -> Self;
    /// `LANES` elements to `p` (unaligned).
    unsafe fn store(self, p: *mut T);
    /// `a * b + c` (fused, one rounding, where the instruction set has it).
    unsafe fn mul_add(a: Self, b: Self, c: Self) -> Self;
    /// `a + b`.
    unsafe fn add(a: Self, b: Self) -> Self;
    /// `a * b`.
    unsafe fn mul(a: Self, b: Self) -> Self;
}

#[cfg(target_arch = "x86_64")]
macro_rules! x86_simd {
    ($name:ident, $reg:ty, $t:ty, $lanes:expr, $set1:ident, $setzero:ident, $load:ident,
     $store:ident, $fmadd:ident, $add:ident, $mul:ident) => {
        #[derive(Clone, Copy)]
        pub(super) struct $name($reg);

        impl Simd<$t> for $name {
            const LANES: usize = $lanes;
            #[inline(always)]
            unsafe fn zero() -> Self {
                $name($setzero())
            }
            #[inline(always)]
            unsafe fn splat(x: $t) -> Self {
                $name($set1(x))
            }
            #[inline(always)]
            unsafe fn load(p: *const $t) -> Self {
                $name($load(p))
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $t) {
                $store(p, self.0)
            }
            #[inline(always)]
            unsafe fn mul_add(a: Self, b: Self, c: Self) -> Self {
                $name($fmadd(a.0, b.0, c.0))
            }
            #[inline(always)]
            unsafe fn add(a: Self, b: Self) -> Self {
                $name($add(a.0, b.0))
            }
            #[inline(always)]
            unsafe fn mul(a: Self, b: Self) -> Self {
                $name($mul(a.0, b.0))
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
x86_simd!(
    F32x16,
    __m512,
    f32,
    16,
    _mm512_set1_ps,
    _mm512_setzero_ps,
    _mm512_loadu_ps,
    _mm512_storeu_ps,
    _mm512_fmadd_ps,
    _mm512_add_ps,
    _mm512_mul_ps
);
#[cfg(target_arch = "x86_64")]
x86_simd!(
    F64x8,
    __m512d,
    f64,
    8,
    _mm512_set1_pd,
    _mm512_setzero_pd,
    _mm512_loadu_pd,
    _mm512_storeu_pd,
    _mm512_fmadd_pd,
    _mm512_add_pd,
    _mm512_mul_pd
);
#[cfg(target_arch = "x86_64")]
x86_simd!(
    F32x8,
    __m256,
    f32,
    8,
    _mm256_set1_ps,
    _mm256_setzero_ps,
    _mm256_loadu_ps,
    _mm256_storeu_ps,
    _mm256_fmadd_ps,
    _mm256_add_ps,
    _mm256_mul_ps
);
#[cfg(target_arch = "x86_64")]
x86_simd!(
    F64x4,
    __m256d,
    f64,
    4,
    _mm256_set1_pd,
    _mm256_setzero_pd,
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_fmadd_pd,
    _mm256_add_pd,
    _mm256_mul_pd
);

/// Four lanes in plain arithmetic (`a * b + c`, two roundings): for CPUs without AVX2 and FMA.
#[derive(Clone, Copy)]
pub(super) struct Portable<T>([T; 4]);

impl<T: Element> Simd<T> for Portable<T> {
    const LANES: usize = 4;
    #[inline(always)]
    unsafe fn zero() -> Self {
        Portable([T::ZERO; 4])
    }
    #[inline(always)]
    unsafe fn splat(x: T) -> Self {
        Portable([x; 4])
    }
    #[inline(always)]
    unsafe fn load(p: *const T) -> Self {
        Portable(std::ptr::read_unaligned(p as *const [T; 4]))
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut T) {
        std::ptr::write_unaligned(p as *mut [T; 4], self.0)
    }
    #[inline(always)]
    unsafe fn mul_add(a: Self, b: Self, c: Self) -> Self {
        Portable(std::array::from_fn(|i| a.0[i] * b.0[i] + c.0[i]))
    }
    #[inline(always)]
    unsafe fn add(a: Self, b: Self) -> Self {
        Portable(std::array::from_fn(|i| a.0[i] + b.0[i]))
    }
    #[inline(always)]
    unsafe fn mul(a: Self, b: Self) -> Self {
        Portable(std::array::from_fn(|i| a.0[i] * b.0[i]))
    }
}
