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
    /// Registers of this width that the instruction set has (no limit for plain arithmetic).
    const REGISTERS: usize = usize::MAX;
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
    /// Packs the rows `0..kc` of a full panel of `nr` columns of a `B` whose columns are
    /// contiguous (column `j` at `b + j * cs`) into `dst` row by row (`dst[p * nr + j]`);
    /// returns `false`, having written nothing, where this type has no faster way than the
    /// caller's element-by-element copy.
    #[inline(always)]
    unsafe fn pack_transposed(
        _kc: usize,
        _nr: usize,
        _b: *const T,
        _cs: isize,
        _dst: *mut T,
    ) -> bool {
        false
    }
}

#[cfg(target_arch = "x86_64")]
macro_rules! x86_simd {
    ($name:ident, $reg:ty, $t:ty, $lanes:expr, $set1:ident, $setzero:ident, $load:ident,
     $store:ident, $fmadd:ident, $add:ident, $mul:ident
     $(, transposed in blocks of $n:literal by $block:ty)?) => {
        #[derive(Clone, Copy)]
        pub(super) struct $name($reg);

        impl Simd<$t> for $name {
            const LANES: usize = $lanes;
            // 16 `ymm` registers with AVX2, 32 `zmm` with AVX-512.
            const REGISTERS: usize = if $lanes * std::mem::size_of::<$t>() == 64 { 32 } else { 16 };
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
            $(
                /// Full panels through the in-register transposes of the block type given
                /// to `x86_simd!` ([`pack_in_blocks`]).
                #[inline(always)]
                unsafe fn pack_transposed(
                    kc: usize,
                    nr: usize,
                    b: *const $t,
                    cs: isize,
                    dst: *mut $t,
                ) -> bool {
                    pack_in_blocks::<$t, $n, $block>(kc, nr, b, cs, dst)
                }
            )?
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
    _mm512_mul_ps,
    transposed in blocks of 8 by Transpose8x8
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
    _mm512_mul_pd,
    transposed in blocks of 4 by Transpose4x4
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
    _mm256_mul_ps,
    transposed in blocks of 8 by Transpose8x8
);

/// One block of a transposing copy: `N` elements from each of `N` columns (starting at
/// `cols`) stored as `N` rows of the panel, the first at `out`, rows `nr` apart. (A type
/// with an inlined function, not a closure: a closure was compiled on its own, without the
/// caller's instruction set, and called once per block.)
#[cfg(target_arch = "x86_64")]
trait TransposeBlock<T, const N: usize> {
    unsafe fn block(cols: [*const T; N], out: *mut T, nr: usize);
}

/// 8 x 8 `f32` through [`transpose_8x8`], for [`F32x8`] and [`F32x16`]. The compiler's own
/// copy of a full panel was a scalar load and store per element on AVX2 (with the 16 column
/// addresses spilled to the stack), a quarter of the AVX2 product's time on the cat-shaped
/// bench's batch; on AVX-512 it loaded 8 elements of a column and scattered them over 8 rows
/// of the panel (`vscatterqps`).
#[cfg(target_arch = "x86_64")]
struct Transpose8x8;

#[cfg(target_arch = "x86_64")]
impl TransposeBlock<f32, 8> for Transpose8x8 {
    #[inline(always)]
    unsafe fn block(cols: [*const f32; 8], out: *mut f32, nr: usize) {
        let r: [__m256; 8] = std::array::from_fn(|j| _mm256_loadu_ps(cols[j]));
        for (q, row) in transpose_8x8(r).into_iter().enumerate() {
            _mm256_storeu_ps(out.add(q * nr), row);
        }
    }
}

/// 4 x 4 `f64`: pairs of rows interleaved, then the 128-bit halves gathered. For [`F64x8`],
/// where the compiler's own copy scattered each column's elements over the panel's rows
/// (`vscatterqpd`); not for [`F64x4`]: on AVX2 it made the cat-shaped bench's forward phase
/// 4-5 % slower in two A/B runs.
#[cfg(target_arch = "x86_64")]
struct Transpose4x4;

#[cfg(target_arch = "x86_64")]
impl TransposeBlock<f64, 4> for Transpose4x4 {
    #[inline(always)]
    unsafe fn block(cols: [*const f64; 4], out: *mut f64, nr: usize) {
        let r: [__m256d; 4] = std::array::from_fn(|j| _mm256_loadu_pd(cols[j]));
        let t = [
            _mm256_unpacklo_pd(r[0], r[1]),
            _mm256_unpackhi_pd(r[0], r[1]),
            _mm256_unpacklo_pd(r[2], r[3]),
            _mm256_unpackhi_pd(r[2], r[3]),
        ];
        let rows = [
            _mm256_permute2f128_pd::<0x20>(t[0], t[2]),
            _mm256_permute2f128_pd::<0x20>(t[1], t[3]),
            _mm256_permute2f128_pd::<0x31>(t[0], t[2]),
            _mm256_permute2f128_pd::<0x31>(t[1], t[3]),
        ];
        for (q, row) in rows.into_iter().enumerate() {
            _mm256_storeu_pd(out.add(q * nr), row);
        }
    }
}

/// The walk of the transposing copies: a full panel of `nr` columns (a multiple of `N`;
/// otherwise `false`, and nothing written) of a `B` whose columns are contiguous (`cs`
/// apart), in blocks of `N` rows by `N` columns moved by `X`, the last `kc % N` rows one
/// element at a time.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn pack_in_blocks<T: Copy, const N: usize, X: TransposeBlock<T, N>>(
    kc: usize,
    nr: usize,
    b: *const T,
    cs: isize,
    dst: *mut T,
) -> bool {
    if !nr.is_multiple_of(N) {
        return false;
    }
    let full = kc / N * N;
    for j0 in (0..nr).step_by(N) {
        let col = |j: usize| b.offset((j0 + j) as isize * cs);
        for p0 in (0..full).step_by(N) {
            X::block(
                std::array::from_fn(|j| col(j).add(p0)),
                dst.add(p0 * nr + j0),
                nr,
            );
        }
        for p in full..kc {
            for j in 0..N {
                *dst.add(p * nr + j0 + j) = *col(j).add(p);
            }
        }
    }
    true
}

/// The transpose of the 8 x 8 block whose rows are `r`: row `q` of the result holds element
/// `q` of every row of `r`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn transpose_8x8(r: [__m256; 8]) -> [__m256; 8] {
    // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves swapped.
    let t: [__m256; 8] = std::array::from_fn(|i| {
        let (a, b) = (r[i / 2 * 2], r[i / 2 * 2 + 1]);
        if i % 2 == 0 {
            _mm256_unpacklo_ps(a, b)
        } else {
            _mm256_unpackhi_ps(a, b)
        }
    });
    // s[4g + h]: from t[4g + (h / 2)] and t[4g + 2 + (h / 2)], low (h even) or high pairs.
    let s: [__m256; 8] = std::array::from_fn(|i| {
        let (g, h) = (i / 4, i % 4);
        let (a, b) = (t[4 * g + h / 2], t[4 * g + 2 + h / 2]);
        if h % 2 == 0 {
            _mm256_shuffle_ps::<0x44>(a, b)
        } else {
            _mm256_shuffle_ps::<0xEE>(a, b)
        }
    });
    std::array::from_fn(|q| {
        let (a, b) = (s[q % 4], s[4 + q % 4]);
        if q < 4 {
            _mm256_permute2f128_ps::<0x20>(a, b)
        } else {
            _mm256_permute2f128_ps::<0x31>(a, b)
        }
    })
}

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
