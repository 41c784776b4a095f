//! The engine's matrix products, in one place: `C = alpha A B + beta C` for `f32` and `f64`
//! views in any layout (transposed or strided), on the fastest kernel this CPU runs correctly.
//!
//! Why not OpenBLAS here: the system's OpenBLAS picks its kernels from a table of CPU models
//! when the library loads; a build that does not know the CPU (Debian's 0.3.21 on recent
//! Xeons) falls back to generic kernels at a fraction of the speed, and nothing after start-up
//! can change that. This module asks the CPU what it can do (AVX-512, or AVX2 with FMA), runs
//! a packed, blocked product with a microkernel written for it, and proves that kernel right
//! against a naive product the first time it is used, falling back a level if it is not. It
//! allocates nothing per call (each thread packs into its own buffer, kept), so training stays
//! allocation-free. OpenBLAS remains the backend of the step-by-step functions (ndarray's
//! `dot`) and of ndarray-linalg.
//!
//! Results do not depend on the kernel, the tile sizes or the number of threads (see
//! `kernel.rs`): every element is summed in the same order.

mod kernel;
mod simd;
mod team;
#[cfg(test)]
mod tests;

use std::any::TypeId;
use std::cell::RefCell;
use std::sync::OnceLock;

use ndarray::{ArrayView2, ArrayViewMut2};

use crate::Float;
use team::Team;

/// The element types the kernels are written for.
pub(crate) trait Element:
    Copy
    + PartialEq
    + Send
    + Sync
    + std::ops::Add<Output = Self>
    + std::ops::Mul<Output = Self>
    + 'static
{
    const ZERO: Self;
}

impl Element for f32 {
    const ZERO: f32 = 0.0;
}

impl Element for f64 {
    const ZERO: f64 = 0.0;
}

/// A matrix as a pointer and strides (in elements).
#[derive(Debug, Clone, Copy)]
pub(crate) struct MatPtr<T> {
    ptr: *mut T,
    rs: isize,
    cs: isize,
}

// SAFETY: a `MatPtr` is shared between the members of the team only for disjoint or
// read-only parts of a matrix that outlives the product.
unsafe impl<T> Send for MatPtr<T> {}
unsafe impl<T> Sync for MatPtr<T> {}

impl<T> MatPtr<T> {
    /// The element `(i, j)` as the new origin.
    #[inline(always)]
    unsafe fn offset(self, i: usize, j: usize) -> Self {
        MatPtr {
            ptr: self.ptr.offset(i as isize * self.rs + j as isize * self.cs),
            ..self
        }
    }
}

/// The instruction sets a kernel is written for, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// AVX-512F with FMA: 512-bit registers.
    Avx512,
    /// AVX2 with FMA: 256-bit registers.
    Avx2,
    /// Plain arithmetic that the compiler vectorises for the baseline (SSE2 on x86-64).
    Portable,
}

impl Level {
    /// Every level, best first.
    pub(crate) const ALL: [Level; 3] = [Level::Avx512, Level::Avx2, Level::Portable];

    /// Whether this CPU (and its operating system) runs this level's instructions.
    pub(crate) fn supported(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => {
                is_x86_feature_detected!("avx512f")
                    && is_x86_feature_detected!("avx2")
                    && is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            #[cfg(not(target_arch = "x86_64"))]
            Level::Avx512 | Level::Avx2 => false,
            Level::Portable => true,
        }
    }

    /// The level named `name` in [`KERNELS_VARIABLE`] (`avx512`, `avx2` or `portable`, any case).
    pub(crate) fn named(name: &str) -> Option<Level> {
        match name.trim().to_ascii_lowercase().as_str() {
            "avx512" | "avx-512" => Some(Level::Avx512),
            "avx2" => Some(Level::Avx2),
            "portable" => Some(Level::Portable),
            _ => None,
        }
    }

    /// A short description: instruction set and tile sizes.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Level::Avx512 => {
                "AVX-512 (FMA), tiles f32 6x64, f64 6x32 (12x32, 12x16 on packed batches)"
            }
            Level::Avx2 => "AVX2 (FMA), tiles f32 6x16, f64 6x8",
            Level::Portable => "portable (no FMA), tiles 4x8",
        }
    }
}

/// One level's kernels for one element type, compiled for its instruction set: the product
/// (tiles `$mr x $nv` vectors), the product with `B` already packed (tiles `$pmr x $pnv`
/// vectors), and the tile width `nr` of those packed panels.
macro_rules! level_fns {
    ($gemm:ident, $packed:ident, $nr:ident, $feature:literal, $t:ty, $v:ty, $mr:expr, $nv:expr, packed $pmr:expr, $pnv:expr) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feature)]
        #[allow(clippy::too_many_arguments)]
        unsafe fn $gemm(
            m: usize,
            n: usize,
            k: usize,
            alpha: $t,
            a: MatPtr<$t>,
            b: MatPtr<$t>,
            beta: $t,
            c: MatPtr<$t>,
            buf: *mut $t,
        ) {
            kernel::gemm::<$t, $v, $mr, $nv>(m, n, k, alpha, a, b, beta, c, buf)
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feature)]
        #[allow(clippy::too_many_arguments)]
        unsafe fn $packed(
            m: usize,
            n: usize,
            k: usize,
            alpha: $t,
            a: MatPtr<$t>,
            packed_b: *const $t,
            beta: $t,
            c: MatPtr<$t>,
            buf: *mut $t,
        ) {
            kernel::gemm_packed_b::<$t, $v, $pmr, $pnv>(m, n, k, alpha, a, packed_b, beta, c, buf)
        }

        #[cfg(target_arch = "x86_64")]
        const $nr: usize = $pnv * <$v as simd::Simd<$t>>::LANES;
    };
}

// AVX-512's products take tiles of 6 rows by 4 vectors (64 `f32` or 32 `f64` columns), and its
// products with `B` packed ahead (the weight steps) tiles of 12 rows by 2 vectors. With the
// cat-shaped bench's forward product (`W1` of 256 x 12288 read in place, rows a multiple of 4 KiB
// apart, times a batch of 64) a tile reads 6 rows of `A` per step of depth instead of 12, which
// share an L1 set, and loads 4 vectors of `B` and 6 values of `A` for its 24 multiply-adds instead
// of 2 and 12. On the Emerald Rapids Xeon, 16 pairs of alternating processes of the bench's
// `minibatch` program on cat in f64 and 14 in f32: the forward phase was faster with 6 x 4 in 14
// and 13 pairs (medians 1.17 -> 1.02 s in f64, 0.56 -> 0.52 s in f32), training in 12 and 10 (3.31
// -> 3.11 s, 1.67 -> 1.61 s); mnist, whose products mostly take packed `B`, unchanged. 6 x 4 for
// the packed products too was mixed (mnist's update phase 4 % faster and its forward 2 % slower,
// cat's both ways; 4 pairs each); 3 x 8 in f64 made cat's forward phase twice as slow (6 pairs).
// Timings of one product in one process ranked 4 x 4 and 8 x 2 differently from run to run. The
// tile shapes change no sum (see `kernel.rs`).
level_fns!(
    sgemm_avx512,
    sgemm_packed_avx512,
    S_NR_AVX512,
    "avx512f,avx2,fma",
    f32,
    simd::F32x16,
    6,
    4,
    packed 12,
    2
);
level_fns!(
    dgemm_avx512,
    dgemm_packed_avx512,
    D_NR_AVX512,
    "avx512f,avx2,fma",
    f64,
    simd::F64x8,
    6,
    4,
    packed 12,
    2
);
level_fns!(
    sgemm_avx2,
    sgemm_packed_avx2,
    S_NR_AVX2,
    "avx2,fma",
    f32,
    simd::F32x8,
    6,
    2,
    packed 6,
    2
);
level_fns!(
    dgemm_avx2,
    dgemm_packed_avx2,
    D_NR_AVX2,
    "avx2,fma",
    f64,
    simd::F64x4,
    6,
    2,
    packed 6,
    2
);

/// [`kernel::pack_b_panels`] compiled for a level's instruction set, through its vector
/// type's transposing copy (what the weight steps pack their `B` with). For AVX-512, with the
/// copy's transposes, the mnist-shaped bench's f32 training took 0.943 -> 0.881, 1.246 ->
/// 1.083 and 0.975 -> 0.940 s (medians of 9, 11 and 9 alternating processes); compiled for
/// AVX-512 before the level had transposes of its own, it was 2 % slower than the plain copy.
macro_rules! pack_fns {
    ($pack:ident, $t:ty, $v:ty, $nr:ident, $feature:literal) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feature)]
        unsafe fn $pack(
            k: usize,
            n: usize,
            b: MatPtr<$t>,
            out: *mut $t,
            panels: std::ops::Range<usize>,
        ) {
            kernel::pack_b_panels::<$t, $v>($nr, k, n, b, out, panels)
        }
    };
}

pack_fns!(spack_avx2, f32, simd::F32x8, S_NR_AVX2, "avx2,fma");
pack_fns!(dpack_avx2, f64, simd::F64x4, D_NR_AVX2, "avx2,fma");
pack_fns!(
    spack_avx512,
    f32,
    simd::F32x16,
    S_NR_AVX512,
    "avx512f,avx2,fma"
);
pack_fns!(
    dpack_avx512,
    f64,
    simd::F64x8,
    D_NR_AVX512,
    "avx512f,avx2,fma"
);

/// The portable kernel's tile: rows, and vectors of [`simd::Portable`] per row.
const PORTABLE_MR: usize = 4;
const PORTABLE_NV: usize = 2;

/// The serial product for one element type at one level.
trait Kernels: Element {
    /// # Safety
    /// `level` must be supported; the matrices must be valid for the shapes; `buf` must hold
    /// [`kernel::BUFFER_LEN`] elements.
    #[allow(clippy::too_many_arguments)]
    unsafe fn serial(
        level: Level,
        m: usize,
        n: usize,
        k: usize,
        alpha: Self,
        a: MatPtr<Self>,
        b: MatPtr<Self>,
        beta: Self,
        c: MatPtr<Self>,
        buf: *mut Self,
    );

    /// [`Kernels::serial`] with `B` `(k, n)` packed by [`Kernels::pack_panels`] for `level`.
    ///
    /// # Safety
    /// As [`Kernels::serial`]; `packed_b` holds `kernel::packed_b_len(nr(level), k, n)`
    /// elements packed at this level, `n <= kernel::NC`.
    #[allow(clippy::too_many_arguments)]
    unsafe fn serial_packed_b(
        level: Level,
        m: usize,
        n: usize,
        k: usize,
        alpha: Self,
        a: MatPtr<Self>,
        packed_b: *const Self,
        beta: Self,
        c: MatPtr<Self>,
        buf: *mut Self,
    );

    /// The width of `level`'s tile (the `nr` of its packed panels of `B`).
    fn nr(level: Level) -> usize;

    /// [`kernel::pack_b_panels`] for `level` (through its vector type's transposing copy
    /// where it has one; the same values either way).
    unsafe fn pack_panels(
        level: Level,
        k: usize,
        n: usize,
        b: MatPtr<Self>,
        out: *mut Self,
        panels: std::ops::Range<usize>,
    );

    /// All the panels of [`Kernels::pack_panels`]: the whole packing of `B` `(k, n)`.
    unsafe fn pack_whole(level: Level, k: usize, n: usize, b: MatPtr<Self>, out: *mut Self) {
        Self::pack_panels(level, k, n, b, out, 0..n.div_ceil(Self::nr(level)))
    }

    /// Runs `f` with this thread's packing buffer.
    fn with_buffer<R>(f: impl FnOnce(*mut Self) -> R) -> R;
}

/// Gives this thread its packing buffers for both element types now, rather than in the first
/// product that it happens to run (for a team worker: at any iteration of a training loop
/// that allocates nothing after its first).
pub(super) fn reserve_buffers() {
    f32::with_buffer(|_| ());
    f64::with_buffer(|_| ());
}

thread_local! {
    static BUFFER_F32: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    static BUFFER_F64: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

macro_rules! kernels_for {
    ($t:ty, $avx512:ident, $avx2:ident, $packed512:ident, $packed2:ident, $pack512:ident, $pack2:ident, $nr512:ident, $nr2:ident, $buffer:ident) => {
        impl Kernels for $t {
            #[allow(clippy::too_many_arguments)]
            unsafe fn serial(
                level: Level,
                m: usize,
                n: usize,
                k: usize,
                alpha: Self,
                a: MatPtr<Self>,
                b: MatPtr<Self>,
                beta: Self,
                c: MatPtr<Self>,
                buf: *mut Self,
            ) {
                match level {
                    #[cfg(target_arch = "x86_64")]
                    Level::Avx512 => $avx512(m, n, k, alpha, a, b, beta, c, buf),
                    #[cfg(target_arch = "x86_64")]
                    Level::Avx2 => $avx2(m, n, k, alpha, a, b, beta, c, buf),
                    _ => kernel::gemm::<$t, simd::Portable<$t>, PORTABLE_MR, PORTABLE_NV>(
                        m, n, k, alpha, a, b, beta, c, buf,
                    ),
                }
            }

            #[allow(clippy::too_many_arguments)]
            unsafe fn serial_packed_b(
                level: Level,
                m: usize,
                n: usize,
                k: usize,
                alpha: Self,
                a: MatPtr<Self>,
                packed_b: *const Self,
                beta: Self,
                c: MatPtr<Self>,
                buf: *mut Self,
            ) {
                match level {
                    #[cfg(target_arch = "x86_64")]
                    Level::Avx512 => $packed512(m, n, k, alpha, a, packed_b, beta, c, buf),
                    #[cfg(target_arch = "x86_64")]
                    Level::Avx2 => $packed2(m, n, k, alpha, a, packed_b, beta, c, buf),
                    _ => kernel::gemm_packed_b::<$t, simd::Portable<$t>, PORTABLE_MR, PORTABLE_NV>(
                        m, n, k, alpha, a, packed_b, beta, c, buf,
                    ),
                }
            }

            unsafe fn pack_panels(
                level: Level,
                k: usize,
                n: usize,
                b: MatPtr<Self>,
                out: *mut Self,
                panels: std::ops::Range<usize>,
            ) {
                match level {
                    #[cfg(target_arch = "x86_64")]
                    Level::Avx512 => $pack512(k, n, b, out, panels),
                    #[cfg(target_arch = "x86_64")]
                    Level::Avx2 => $pack2(k, n, b, out, panels),
                    _ => kernel::pack_b_panels::<$t, simd::Portable<$t>>(
                        Self::nr(level),
                        k,
                        n,
                        b,
                        out,
                        panels,
                    ),
                }
            }

            fn nr(level: Level) -> usize {
                match level {
                    #[cfg(target_arch = "x86_64")]
                    Level::Avx512 => $nr512,
                    #[cfg(target_arch = "x86_64")]
                    Level::Avx2 => $nr2,
                    _ => PORTABLE_NV * <simd::Portable<$t> as simd::Simd<$t>>::LANES,
                }
            }

            fn with_buffer<R>(f: impl FnOnce(*mut Self) -> R) -> R {
                $buffer.with(|cell| {
                    // A re-entrant call (none in dnn-core) would find the buffer borrowed.
                    let mut buffer = cell.borrow_mut();
                    if buffer.len() < kernel::BUFFER_LEN {
                        // Zeroed by the allocator: its pages are committed as they are
                        // written, so a type the thread never uses costs no memory.
                        *buffer = vec![0.0; kernel::BUFFER_LEN];
                    }
                    f(buffer.as_mut_ptr())
                })
            }
        }
    };
}

kernels_for!(
    f32,
    sgemm_avx512,
    sgemm_avx2,
    sgemm_packed_avx512,
    sgemm_packed_avx2,
    spack_avx512,
    spack_avx2,
    S_NR_AVX512,
    S_NR_AVX2,
    BUFFER_F32
);
kernels_for!(
    f64,
    dgemm_avx512,
    dgemm_avx2,
    dgemm_packed_avx512,
    dgemm_packed_avx2,
    dpack_avx512,
    dpack_avx2,
    D_NR_AVX512,
    D_NR_AVX2,
    BUFFER_F64
);

/// Work below which a product runs on the calling thread alone: waking the team costs a few
/// microseconds, a product this size takes about that long.
const PARALLEL_FLOPS: f64 = 2.0e6;

/// Splits of `n` are multiples of this, so that no chunk has a partial tile.
const SPLIT_ALIGN: usize = 64;

/// Chunks of columns per member: enough that a member that is not scheduled (a busy machine)
/// does not hold the others up, few enough that each chunk is still a large product (each
/// packs its own columns of `B`).
const CHUNKS_PER_THREAD: usize = 3;

/// Splits of `m` are multiples of this, a multiple of every kernel's tile height (12, 6 and
/// 4), so that no chunk but the last has a partial panel of `A` (see [`split_chunk`]).
const ROW_ALIGN: usize = 12;

/// `C = alpha A B + beta C` at `level`, on the team when it pays.
///
/// # Safety
/// The pointers and strides must describe valid `(m, k)`, `(k, n)` and `(m, n)` matrices, `C`
/// not overlapping `A` or `B`, and `level` must be supported.
#[allow(clippy::too_many_arguments)]
unsafe fn product<T: Kernels>(
    level: Level,
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: MatPtr<T>,
    b: MatPtr<T>,
    beta: T,
    c: MatPtr<T>,
    threads: usize,
) {
    let flops = 2.0 * m as f64 * n as f64 * k as f64;
    if threads <= 1 || flops < PARALLEL_FLOPS {
        T::with_buffer(|buf| T::serial(level, m, n, k, alpha, a, b, beta, c, buf));
        return;
    }
    let team = Team::get();
    let parts = team.threads().min(threads);
    // Split the longer side of C into a few chunks per member: each chunk is a block of
    // rows or columns of C, taken by whichever member is free. A member given rows packs all
    // of `B` for itself. Packed once by the team instead (a job of its own before the rows),
    // `B` cost a second wait on the team per product: without it, on the Xeon with AMX, the
    // backward phase (`dA[1]`, 256 x 128 x 128 in mnist) took 0.79-0.96 of its time in
    // every pair of alternating processes (8 pairs of each workload and type, on AVX-512 and
    // on AVX2), mnist's forward (256 x 784 x 128) 0.95-1.00 (see docs/performance.md,
    // 2026-12-04 03:35-).
    let by_columns = n >= m;
    let len = if by_columns { n } else { m };
    let chunk = split_chunk(len, parts, by_columns);
    let job = move |_member: usize, index: usize| {
        let start = (index * chunk).min(len);
        let end = ((index + 1) * chunk).min(len);
        if start == end {
            return;
        }
        T::with_buffer(|buf| {
            if by_columns {
                T::serial(
                    level,
                    m,
                    end - start,
                    k,
                    alpha,
                    a,
                    b.offset(0, start),
                    beta,
                    c.offset(0, start),
                    buf,
                )
            } else {
                T::serial(
                    level,
                    end - start,
                    n,
                    k,
                    alpha,
                    a.offset(start, 0),
                    b,
                    beta,
                    c.offset(start, 0),
                    buf,
                )
            }
        });
    };
    team.run(len.div_ceil(chunk), &job);
}

/// The length of each chunk (the last may be shorter) when [`product`] splits `len` rows or
/// columns of `C` over `parts` members. Every chunk of rows packs all of `B` again, so rows
/// are split once per member, by whole tiles ([`ROW_ALIGN`]): split at 128 of 256, each
/// member's last 8 rows took an edge panel of `A`, packed and computed as 12 (the cat-shaped
/// forward product ran 5 % faster in `f32` at 132 + 124 rows, 40 alternating timings in one
/// process). A chunk of columns packs only its own columns, so there are a few per member.
fn split_chunk(len: usize, parts: usize, by_columns: bool) -> usize {
    let (per_member, align) = match by_columns {
        true => (CHUNKS_PER_THREAD, SPLIT_ALIGN),
        false => (1, ROW_ALIGN),
    };
    len.div_ceil(per_member * parts.max(1))
        .div_ceil(align)
        .max(1)
        * align
}

/// All of `B` packed by [`Kernels::pack_panels`] into `out`, the panels shared out over
/// `parts` members of the team (one chunk of panels each).
///
/// # Safety
/// As [`kernel::pack_b_panels`].
unsafe fn pack_on_team<T: Kernels>(
    level: Level,
    k: usize,
    n: usize,
    b: MatPtr<T>,
    out: *mut T,
    team: &Team,
    parts: usize,
) {
    let out = SendPtr(out);
    let panels = n.div_ceil(T::nr(level));
    let per_chunk = panels.div_ceil(parts.max(1)).max(1);
    let pack = move |_member: usize, index: usize| {
        let first = index * per_chunk;
        // SAFETY: each chunk writes only its own panels of the buffer, which holds the whole
        // packing; `b` is valid for `(k, n)` (the caller's contract).
        unsafe {
            T::pack_panels(
                level,
                k,
                n,
                b,
                out.get(),
                first..panels.min(first + per_chunk),
            )
        };
    };
    team.run(panels.div_ceil(per_chunk), &pack);
}

/// A buffer's address, shared by the members of a team job that write disjoint parts of it
/// (a packing of `B`, the rows of a gathered batch).
#[derive(Clone, Copy)]
pub(crate) struct SendPtr<T>(pub(crate) *mut T);

// SAFETY: see the uses: members write disjoint parts, and the buffer outlives the job.
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}

impl<T> SendPtr<T> {
    /// The address (a method, so that closures capture the whole `SendPtr`).
    pub(crate) fn get(self) -> *mut T {
        self.0
    }
}

/// The environment variable that caps the engine's kernels at a level (`avx512`, `avx2` or
/// `portable`): to measure or rule out a kernel on a CPU that has better ones, as
/// `OPENBLAS_CORETYPE` does for OpenBLAS. Unset, the best level the CPU passes is used.
pub(crate) const KERNELS_VARIABLE: &str = "DNN_GEMM_KERNELS";

/// What the engine's products run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Chosen {
    /// The level in use.
    pub(crate) level: Level,
    /// Levels the CPU supports that failed the start-up check (none, normally).
    pub(crate) rejected: [Option<Level>; 3],
    /// What [`KERNELS_VARIABLE`] asked for: `Some(Ok(level))` a cap that was applied,
    /// `Some(Err(()))` a value that names no level (and was ignored), `None` unset.
    pub(crate) cap: Option<Result<Level, ()>>,
}

/// The level the engine uses: the best one this CPU supports, at or below the cap that
/// [`KERNELS_VARIABLE`] sets, that computes a product of awkward shape and layout, in f32 and
/// f64, as a naive triple loop does. Decided once.
pub(crate) fn chosen() -> Chosen {
    static CHOSEN: OnceLock<Chosen> = OnceLock::new();
    *CHOSEN.get_or_init(|| {
        let cap = std::env::var(KERNELS_VARIABLE)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| Level::named(&v).ok_or(()));
        let first = match cap {
            Some(Ok(level)) => Level::ALL.iter().position(|&l| l == level).unwrap_or(0),
            _ => 0,
        };
        let mut rejected = [None; 3];
        for (i, level) in Level::ALL.into_iter().enumerate().skip(first) {
            if !level.supported() {
                continue;
            }
            if self_check(level) {
                return Chosen {
                    level,
                    rejected,
                    cap,
                };
            }
            rejected[i] = Some(level);
        }
        // Unreachable in practice: the portable level is plain arithmetic.
        Chosen {
            level: Level::Portable,
            rejected,
            cap,
        }
    })
}

/// The number of threads a product may use.
pub(crate) fn threads() -> usize {
    Team::get().threads()
}

/// The most threads [`set_threads`] starts.
pub const MAX_THREADS: usize = 256;

/// Runs the engine's matrix products and weight steps on `threads` threads, the calling one
/// included, instead of one per core the process may run on (at most 8). The threads start
/// once per process, so call this before the first training or product; calling it again
/// with the same number is harmless. Results do not depend on the number of threads.
///
/// ```
/// use std::num::NonZeroUsize;
/// let three = NonZeroUsize::new(3).unwrap();
/// dnn_core::set_threads(three)?;
/// assert_eq!(dnn_core::diagnostics::gemm_info().threads, 3);
/// dnn_core::set_threads(three)?; // the same number: fine
/// let err = dnn_core::set_threads(NonZeroUsize::new(2).unwrap()).unwrap_err();
/// assert!(err.to_string().contains("already run on 3 threads"));
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
///
/// # Errors
/// [`DnnError::ThreadsStarted`](crate::DnnError::ThreadsStarted) once the threads run with another number;
/// [`DnnError::InvalidParameter`](crate::DnnError::InvalidParameter) for more than [`MAX_THREADS`].
pub fn set_threads(threads: std::num::NonZeroUsize) -> crate::Result<()> {
    let threads = threads.get();
    if threads > MAX_THREADS {
        return Err(crate::DnnError::InvalidParameter {
            name: "thread count",
            value: threads as f64,
            reason: "dnn starts at most 256 threads",
        });
    }
    Team::get_with(threads)
        .map(|_| ())
        .map_err(|running| crate::DnnError::ThreadsStarted {
            asked: threads,
            running,
        })
}

/// Runs `job(member, chunk)` for every chunk in `0..chunks`, shared out over the team
/// (`member` in `0..threads()`, 0 being this thread), and returns when all are done; allocates
/// nothing. For work that is split like a product (the fused weight update).
pub(crate) fn on_team(chunks: usize, job: &(dyn Fn(usize, usize) + Sync + '_)) {
    Team::get().run(chunks, job)
}

/// Posts `job(member, chunk)` for every chunk in `0..chunks` beside this thread's own work:
/// the team's workers run its chunks in the moments they would wait for a product (while this
/// thread runs an iteration's serial passes), and dropping the returned value runs the chunks
/// still left here and waits for those under way. Without workers (or while another thread has
/// side work posted) every chunk runs here, now. Allocates nothing. For work whose result is
/// needed later: the next mini-batch's gathering.
///
/// # Safety
/// The returned value must be dropped, not leaked (`mem::forget`): the workers may call `job`
/// until it is.
pub(crate) unsafe fn beside<'a>(
    chunks: usize,
    job: &'a (dyn Fn(usize, usize) + Sync + 'a),
) -> team::Beside<'a> {
    // SAFETY: the caller's contract.
    unsafe { Team::get().beside(chunks, job) }
}

/// [`matmul`] on the calling thread alone (for work already split over the team).
pub(crate) fn matmul_serial<F: Float>(
    alpha: F,
    a: &ArrayView2<'_, F>,
    b: &ArrayView2<'_, F>,
    beta: F,
    c: &mut ArrayViewMut2<'_, F>,
) {
    matmul_at(chosen().level, 1, alpha, a, b, beta, c);
}

/// The widest `B` that [`pack_b`] takes: the kernel's column block.
pub(crate) const MAX_PACKED_WIDTH: usize = kernel::NC;

/// Elements that [`pack_b`] writes for a `(k, n)` matrix.
pub(crate) fn packed_b_len<F: Float>(k: usize, n: usize) -> usize {
    packed_b_len_at::<F>(chosen().level, k, n)
}

fn packed_b_len_at<F: Float>(level: Level, k: usize, n: usize) -> usize {
    with_type::<F, _>(
        || kernel::packed_b_len(f32::nr(level), k, n),
        || kernel::packed_b_len(f64::nr(level), k, n),
    )
}

/// Packs `b` `(k, n)`, `n <= MAX_PACKED_WIDTH`, for [`matmul_packed_b_serial`] into the
/// first [`packed_b_len`] elements of `out` (grown to that length if shorter, so without
/// allocating when its capacity is enough).
///
/// # Panics
/// If `b` is wider than [`MAX_PACKED_WIDTH`].
pub(crate) fn pack_b<F: Float>(b: &ArrayView2<'_, F>, out: &mut Vec<F>) {
    pack_b_at(chosen().level, b, out)
}

/// [`pack_b`] for the kernel of `level`.
pub(crate) fn pack_b_at<F: Float>(level: Level, b: &ArrayView2<'_, F>, out: &mut Vec<F>) {
    let (k, n) = b.dim();
    assert!(n <= MAX_PACKED_WIDTH, "pack_b: {n} columns");
    let len = packed_b_len_at::<F>(level, k, n);
    // Every element is written by the packing: grow only (zeros the first time).
    crate::huge_pages::grow(out, len);
    let (src, dst) = (ptr_of(b), out.as_mut_ptr());
    // SAFETY: `out` holds `packed_b_len(k, n)` elements; `b` is valid for its shape.
    unsafe {
        with_type::<F, _>(
            || f32::pack_whole(level, k, n, cast::<F, f32>(src), dst as *mut f32),
            || f64::pack_whole(level, k, n, cast::<F, f64>(src), dst as *mut f64),
        )
    }
}

/// [`pack_b`] with the work shared out over the team: for a packing that every member then
/// reads (the fused weight step's strip when a layer has a single one). The same bits.
///
/// # Panics
/// If `b` is wider than [`MAX_PACKED_WIDTH`].
pub(crate) fn pack_b_on_team<F: Float>(b: &ArrayView2<'_, F>, out: &mut Vec<F>) {
    let level = chosen().level;
    let (k, n) = b.dim();
    assert!(n <= MAX_PACKED_WIDTH, "pack_b_on_team: {n} columns");
    let len = packed_b_len_at::<F>(level, k, n);
    crate::huge_pages::grow(out, len);
    let (src, dst) = (ptr_of(b), out.as_mut_ptr());
    let team = Team::get();
    // SAFETY: `out` holds `packed_b_len(k, n)` elements; `b` is valid for its shape.
    unsafe {
        with_type::<F, _>(
            || {
                pack_on_team::<f32>(
                    level,
                    k,
                    n,
                    cast::<F, f32>(src),
                    dst as *mut f32,
                    team,
                    team.threads(),
                )
            },
            || {
                pack_on_team::<f64>(
                    level,
                    k,
                    n,
                    cast::<F, f64>(src),
                    dst as *mut f64,
                    team,
                    team.threads(),
                )
            },
        )
    }
}

/// [`matmul_serial`] with `B` `(k, n)` given packed by [`pack_b`]: many blocks of rows of
/// `A` multiplied by one packing, with the same bits as [`matmul`].
///
/// # Panics
/// If the shapes do not chain or `packed` is too short (a bug in the caller).
pub(crate) fn matmul_packed_b_serial<F: Float>(
    alpha: F,
    a: &ArrayView2<'_, F>,
    packed: &[F],
    n: usize,
    beta: F,
    c: &mut ArrayViewMut2<'_, F>,
) {
    matmul_packed_b_at(chosen().level, alpha, a, packed, n, beta, c)
}

/// [`matmul_packed_b_serial`] on the kernel of `level` (`packed` by [`pack_b_at`] with the
/// same level).
pub(crate) fn matmul_packed_b_at<F: Float>(
    level: Level,
    alpha: F,
    a: &ArrayView2<'_, F>,
    packed: &[F],
    n: usize,
    beta: F,
    c: &mut ArrayViewMut2<'_, F>,
) {
    let (m, k) = a.dim();
    assert!(
        c.dim() == (m, n)
            && n <= MAX_PACKED_WIDTH
            && packed.len() >= packed_b_len_at::<F>(level, k, n),
        "matmul_packed_b: ({m}, {k}) x ({k}, {n}) into {:?}",
        c.dim()
    );
    assert!(level.supported(), "{level:?} is not supported on this CPU");
    if m == 0 || n == 0 {
        return;
    }
    let (ap, bp, cp) = (ptr_of(a), packed.as_ptr(), ptr_of_mut(c));
    // SAFETY: the views are valid for their shapes, `c` is a unique borrow, `packed` holds a
    // packing of `(k, n)` at this level (asserted length), and the level is supported.
    unsafe {
        with_type::<F, _>(
            || {
                f32::with_buffer(|buf| {
                    f32::serial_packed_b(
                        level,
                        m,
                        n,
                        k,
                        *(&alpha as *const F as *const f32),
                        cast(ap),
                        bp as *const f32,
                        *(&beta as *const F as *const f32),
                        cast(cp),
                        buf.add(kernel::KC * kernel::NC),
                    )
                })
            },
            || {
                f64::with_buffer(|buf| {
                    f64::serial_packed_b(
                        level,
                        m,
                        n,
                        k,
                        *(&alpha as *const F as *const f64),
                        cast(ap),
                        bp as *const f64,
                        *(&beta as *const F as *const f64),
                        cast(cp),
                        buf.add(kernel::KC * kernel::NC),
                    )
                })
            },
        )
    }
}

/// Runs `for_f32` when `F` is `f32`, `for_f64` when it is `f64`.
fn with_type<F: 'static, R>(for_f32: impl FnOnce() -> R, for_f64: impl FnOnce() -> R) -> R {
    if TypeId::of::<F>() == TypeId::of::<f32>() {
        for_f32()
    } else if TypeId::of::<F>() == TypeId::of::<f64>() {
        for_f64()
    } else {
        unreachable!("Float is implemented for f32 and f64 only")
    }
}

/// Whether `level`'s products agree with a naive product on shapes that cover full and edge
/// tiles, several blocks of depth, transposed and strided operands, `alpha` and `beta`.
pub(crate) fn self_check(level: Level) -> bool {
    check_one::<f32>(level, 1e-4) && check_one::<f64>(level, 1e-12)
}

fn check_one<T: Float + Kernels>(level: Level, tolerance: f64) -> bool {
    use ndarray::{s, Array2};
    let (m, n, k) = (29, 70, 300);
    let value = |i: usize, j: usize, salt: usize| {
        T::of((((i * 31 + j * 17 + salt * 7) % 23) as f64 - 11.0) / 8.0)
    };
    // A transposed; B strided (every other column of a wider array), then transposed (each
    // column contiguous, as a gathered batch is: packed by the levels' transposing copies);
    // C with a stride too.
    let a_store = Array2::from_shape_fn((k, m), |(p, i)| value(i, p, 1));
    let a = a_store.t();
    let strided = Array2::from_shape_fn((k, 2 * n), |(p, j)| value(p, j, 2));
    let transposed = Array2::from_shape_fn((n, k), |(j, p)| value(p, j, 4));
    let (alpha, beta) = (T::of(0.75), T::of(-0.5));
    let mut worst = 0.0_f64;
    for b in [strided.slice(s![.., ..;2]), transposed.t()] {
        let mut c_store = Array2::from_shape_fn((m, 2 * n), |(i, j)| value(i, j, 3));
        let c0 = c_store.slice(s![.., ..;2]).to_owned();
        // SAFETY: the views describe valid matrices of the stated shapes.
        unsafe {
            let mut c = c_store.slice_mut(s![.., ..;2]);
            product::<T>(
                level,
                m,
                n,
                k,
                alpha,
                ptr_of(&a),
                ptr_of(&b),
                beta,
                ptr_of_mut(&mut c),
                1,
            );
        }
        let c = c_store.slice(s![.., ..;2]);
        for i in 0..m {
            for j in 0..n {
                let exact: f64 = (0..k)
                    .map(|p| a[[i, p]].to_f64_lossless() * b[[p, j]].to_f64_lossless())
                    .sum::<f64>()
                    * 0.75
                    - 0.5 * c0[[i, j]].to_f64_lossless();
                let got = c[[i, j]].to_f64_lossless();
                if !got.is_finite() {
                    return false;
                }
                worst = worst.max((got - exact).abs() / exact.abs().max(1.0));
            }
        }
    }
    worst <= tolerance
}

fn ptr_of<T>(a: &ArrayView2<'_, T>) -> MatPtr<T> {
    MatPtr {
        ptr: a.as_ptr() as *mut T,
        rs: a.strides()[0],
        cs: a.strides()[1],
    }
}

fn ptr_of_mut<T>(a: &mut ArrayViewMut2<'_, T>) -> MatPtr<T> {
    MatPtr {
        ptr: a.as_mut_ptr(),
        rs: a.strides()[0],
        cs: a.strides()[1],
    }
}

/// `c = alpha a b + beta c` for views of any layout (`beta = 0`: `c` is not read). The
/// engine's one matrix product.
///
/// # Panics
/// If the shapes do not chain (a bug in the caller).
pub(crate) fn matmul<F: Float>(
    alpha: F,
    a: &ArrayView2<'_, F>,
    b: &ArrayView2<'_, F>,
    beta: F,
    c: &mut ArrayViewMut2<'_, F>,
) {
    matmul_at(chosen().level, threads(), alpha, a, b, beta, c);
}

/// [`matmul`] at a given level and thread count (for tests and benchmarks).
pub(crate) fn matmul_at<F: Float>(
    level: Level,
    threads: usize,
    alpha: F,
    a: &ArrayView2<'_, F>,
    b: &ArrayView2<'_, F>,
    beta: F,
    c: &mut ArrayViewMut2<'_, F>,
) {
    let ((m, k), (k2, n)) = (a.dim(), b.dim());
    assert!(
        k == k2 && c.dim() == (m, n),
        "matmul: ({m}, {k}) x ({k2}, {n}) into {:?}",
        c.dim()
    );
    assert!(level.supported(), "{level:?} is not supported on this CPU");
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the views are valid for their shapes; `c` is a unique borrow, so it overlaps
    // neither `a` nor `b`; `level` is supported (asserted).
    unsafe {
        if TypeId::of::<F>() == TypeId::of::<f32>() {
            product::<f32>(
                level,
                m,
                n,
                k,
                *(&alpha as *const F as *const f32),
                cast(ptr_of(a)),
                cast(ptr_of(b)),
                *(&beta as *const F as *const f32),
                cast(ptr_of_mut(c)),
                threads,
            )
        } else if TypeId::of::<F>() == TypeId::of::<f64>() {
            product::<f64>(
                level,
                m,
                n,
                k,
                *(&alpha as *const F as *const f64),
                cast(ptr_of(a)),
                cast(ptr_of(b)),
                *(&beta as *const F as *const f64),
                cast(ptr_of_mut(c)),
                threads,
            )
        } else {
            unreachable!("Float is implemented for f32 and f64 only")
        }
    }
}

/// The same matrix seen as another element type (only ever `F` as itself).
fn cast<F, T>(p: MatPtr<F>) -> MatPtr<T> {
    MatPtr {
        ptr: p.ptr as *mut T,
        rs: p.rs,
        cs: p.cs,
    }
}
