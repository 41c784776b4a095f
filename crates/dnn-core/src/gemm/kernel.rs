//! The blocked product itself (the BLIS loop nest): `B` packed into `KC x NR` panels, `A` read
//! in place when its rows or columns are contiguous (packed into `MR x KC` panels otherwise),
//! and an `MR x NR` microkernel that keeps its tile of `C` in registers.
//!
//! Every element of `C` is summed in the same order whatever the instruction set, the tile
//! sizes or the number of threads: `p = 0, 1, ...` within each block of [`KC`], the blocks
//! added to `C` in order. So the AVX-512 and AVX2 kernels (both fused multiply-add) give the
//! same bits, on any machine.

use super::simd::Simd;
use super::{Element, MatPtr};
use crate::prefetch::prefetch;

/// Depth of one block: a `KC x NR` panel of `B` stays in L1.
pub(super) const KC: usize = 256;
/// Rows of `A` per block when it is packed.
pub(super) const MC: usize = 144;
/// Columns of `B` packed at a time (`KC x NC` stays in L2).
pub(super) const NC: usize = 1024;

/// Packed `B` blocks up to this size are swept whole for each panel of `A`, which then
/// stays in L1 while `B` streams from L2 (best when `B` is short: a batch's few columns, or
/// a depth of one batch); larger blocks are walked panel by panel of `B` (kept in L1) over
/// the block of `A` in L2, the usual BLIS order. On this project's machine (Sapphire Rapids,
/// 2 cores) that took the weight gradient of a 256 x 12288 layer over a batch of 64 from 40
/// to 64-71 GFLOP/s in f64 and the forward product from 44-48 to 63, the order not
/// changing any sum.
const A_OUTER_BYTES: usize = 1 << 20;

/// Elements of packing buffer one thread needs.
pub(super) const BUFFER_LEN: usize = KC * NC + MC * KC;

/// One `MR x NR` tile (`NR = NV * LANES`): `acc = A[.., 0..kc] B[0..kc, ..]` with `A(i, p)` at
/// `a + i*ars + p*acs` and row `p` of `B` at `b + p*NR` (packed), then
/// `C[..h, ..w] = (beta C | C) + alpha acc` (`beta` only for the first block).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tile<T: Element, V: Simd<T>, const MR: usize, const NV: usize>(
    kc: usize,
    a: *const T,
    ars: isize,
    acs: isize,
    b: *const T,
    c: MatPtr<T>,
    h: usize,
    w: usize,
    alpha: T,
    beta: Option<T>,
) {
    let nr = NV * V::LANES;
    // A tile whose accumulators and row of `B` leave no more than two registers (AVX2's 6 x 2:
    // 12 + 2 of 16): see `one_register_for_a`.
    let fills_registers = MR * NV + NV + 2 >= V::REGISTERS;
    let mut acc = [[V::zero(); NV]; MR];
    let (mut ap, mut bp) = (a, b);
    for _ in 0..kc {
        let mut bv = [V::zero(); NV];
        prefetch(bp.wrapping_add(B_AHEAD * nr), nr * std::mem::size_of::<T>());
        for (v, x) in bv.iter_mut().enumerate() {
            *x = V::load(bp.add(v * V::LANES));
        }
        for (i, row) in acc.iter_mut().enumerate() {
            let ai = V::splat(*ap.offset(i as isize * ars));
            for (r, &x) in row.iter_mut().zip(&bv) {
                *r = V::mul_add(ai, x, *r);
            }
            if fills_registers {
                one_register_for_a();
            }
        }
        ap = ap.offset(acs);
        bp = bp.add(nr);
    }
    let va = V::splat(alpha);
    if c.cs == 1 && w == nr && h == MR {
        for (i, row) in acc.iter().enumerate() {
            let out = c.ptr.offset(i as isize * c.rs);
            for (v, &r) in row.iter().enumerate() {
                let p = out.add(v * V::LANES);
                let x = V::mul(va, r);
                let new = match beta {
                    Some(bt) if bt == T::ZERO => x,
                    Some(bt) => V::mul_add(V::splat(bt), V::load(p), x),
                    None => V::add(V::load(p), x),
                };
                new.store(p);
            }
        }
        return;
    }
    // An edge tile, or a strided C: through a scratch copy of the registers.
    let mut tmp = [[T::ZERO; 64]; MR];
    for (row, out) in acc.iter().zip(tmp.iter_mut()) {
        for (v, r) in row.iter().enumerate() {
            r.store(out.as_mut_ptr().add(v * V::LANES));
        }
    }
    for (i, row) in tmp.iter().enumerate().take(h) {
        for (j, &x) in row.iter().enumerate().take(w) {
            let p = c.ptr.offset(i as isize * c.rs + j as isize * c.cs);
            let old = match beta {
                Some(bt) if bt == T::ZERO => T::ZERO,
                Some(bt) => bt * *p,
                None => *p,
            };
            *p = old + alpha * x;
        }
    }
}

/// Rows of a packed `B` panel ahead of the one in use that [`tile`] asks the cache for. `B`
/// streams from L2 while a panel of `A` stays in L1 (see [`A_OUTER_BYTES`]), and the hardware
/// alone fetched it too late: on an Intel Xeon with AMX (family 6 model 167), alternating
/// pairs of the minibatch bench's processes (`cargo xtask bench --suite pairs`) put training
/// at 0.936 (mnist f64), 0.958 (mnist f32), 0.942 (cat f64) and 0.981 (cat f32) of its time
/// without it, 6 pairs each, the forward and update phases both lower; capped at AVX2, 0.973,
/// 0.999, 0.964 and 0.976 (4 pairs). 4 and 16 rows ahead were slower than 8 (mnist f32 1.019
/// and 0.997, f64 1.010 and 1.017 of its time). No value changes.
const B_AHEAD: usize = 8;

/// Keeps the next row's value of `A` from being loaded before this row's multiply-adds: an
/// empty `asm!`, which the compiler must assume reads memory, so no load moves above it.
///
/// In AVX2's 6 x 2 tile the 12 accumulators and 2 vectors of `B` leave 2 of the 16 registers.
/// LLVM loaded the next row's value of `A` early into the second and, to free it, moved 4
/// accumulators through the last and back: 8 register moves in each step of depth, 36
/// instructions instead of 28. Without the moves, under `DNN_GEMM_KERNELS=avx2` on the
/// Emerald Rapids Xeon, the bench's forward phase was faster in 21 of 24 pairs of alternating
/// processes (medians -8 to -15 %), and training in 19 (mnist f32 1.945 -> 1.658 s, f64 3.295
/// -> 3.050 s; cat f32 2.752 -> 2.692 s, f64 5.300 -> 4.671 s). No sum changes. AVX-512's
/// tiles leave more room and keep their schedule: its f64 6 x 4 tile moves 6 registers a
/// step, but taking them out did not change cat f64's forward phase (1.103 -> 1.110 s, 5
/// pairs).
#[inline(always)]
fn one_register_for_a() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: an empty instruction sequence: it reads and writes nothing.
    unsafe {
        std::arch::asm!("", options(nostack, preserves_flags))
    };
}

/// Copies `nr` elements: for the tile widths, as moves of a fixed size that the compiler
/// inlines (a `memcpy` call per row of a panel was a tenth of a mini-batch run).
#[inline(always)]
unsafe fn copy_row<T: Element>(src: *const T, dst: *mut T, nr: usize) {
    unsafe fn fixed<T: Copy, const N: usize>(src: *const T, dst: *mut T) {
        (dst as *mut [T; N]).write_unaligned((src as *const [T; N]).read_unaligned());
    }
    match nr {
        8 => fixed::<T, 8>(src, dst),
        16 => fixed::<T, 16>(src, dst),
        32 => fixed::<T, 32>(src, dst),
        64 => fixed::<T, 64>(src, dst),
        _ => std::ptr::copy_nonoverlapping(src, dst, nr),
    }
}

/// Packs `B[0..kc, 0..nc]` into panels of `nr` columns, `[panel][p][j]`, zero-padded; full
/// panels of a `B` with contiguous columns through `V`'s transposing copy where it has one.
#[inline(always)]
unsafe fn pack_b<T: Element, V: Simd<T>>(
    nr: usize,
    kc: usize,
    nc: usize,
    b: MatPtr<T>,
    out: *mut T,
) {
    for jp in 0..nc.div_ceil(nr) {
        let j0 = jp * nr;
        let w = nr.min(nc - j0);
        let dst = out.add(jp * nr * kc);
        if b.cs == 1 && w == nr {
            for p in 0..kc {
                copy_row(
                    b.ptr.offset(p as isize * b.rs + j0 as isize),
                    dst.add(p * nr),
                    nr,
                );
            }
        } else if b.rs == 1
            && w == nr
            && V::pack_transposed(kc, nr, b.ptr.offset(j0 as isize * b.cs), b.cs, dst)
        {
            // Packed by `V`.
        } else if b.rs == 1 && w == nr {
            // Columns contiguous (a transposed operand), a full panel: the panel is written
            // in order, each step reading one element from each of the `nr` columns (a
            // line of each stays in L1 for the next steps).
            for p in 0..kc {
                let row = dst.add(p * nr);
                for j in 0..nr {
                    *row.add(j) = *b.ptr.offset((j0 + j) as isize * b.cs + p as isize);
                }
            }
        } else if b.rs == 1 {
            // Columns contiguous, the last partial panel: read down each column.
            for j in 0..nr {
                if j < w {
                    let col = b.ptr.offset((j0 + j) as isize * b.cs);
                    for p in 0..kc {
                        *dst.add(p * nr + j) = *col.add(p);
                    }
                } else {
                    for p in 0..kc {
                        *dst.add(p * nr + j) = T::ZERO;
                    }
                }
            }
        } else {
            for p in 0..kc {
                for j in 0..nr {
                    *dst.add(p * nr + j) = if j < w {
                        *b.ptr.offset(p as isize * b.rs + (j0 + j) as isize * b.cs)
                    } else {
                        T::ZERO
                    };
                }
            }
        }
    }
}

/// Packs `A[0..mc, 0..kc]` into panels of `MR` rows, `[panel][p][i]`, zero-padded.
#[inline(always)]
unsafe fn pack_a<T: Element, const MR: usize>(mc: usize, kc: usize, a: MatPtr<T>, out: *mut T) {
    for ip in 0..mc.div_ceil(MR) {
        let i0 = ip * MR;
        let h = MR.min(mc - i0);
        let dst = out.add(ip * MR * kc);
        for p in 0..kc {
            for i in 0..MR {
                *dst.add(p * MR + i) = if i < h {
                    *a.ptr.offset((i0 + i) as isize * a.rs + p as isize * a.cs)
                } else {
                    T::ZERO
                };
            }
        }
    }
}

/// `C = alpha A B + beta C` on one thread, `A` `(m, k)`, `B` `(k, n)`, with a packing buffer of
/// [`BUFFER_LEN`] elements. `k` may be 0 (then `C = beta C`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn gemm<T: Element, V: Simd<T>, const MR: usize, const NV: usize>(
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: MatPtr<T>,
    b: MatPtr<T>,
    beta: T,
    c: MatPtr<T>,
    buf: *mut T,
) {
    let nr = NV * V::LANES;
    debug_assert!(nr <= 64 && NC.is_multiple_of(nr) && MC.is_multiple_of(MR));
    let (bp, ap) = (buf, buf.add(KC * NC));
    for jc in (0..n).step_by(NC) {
        let nc = NC.min(n - jc);
        let mut pc = 0;
        loop {
            let kc = KC.min(k - pc);
            pack_b::<T, V>(nr, kc, nc, b.offset(pc, jc), bp);
            let first = (pc == 0).then_some(beta);
            block::<T, V, MR, NV>(
                m,
                nc,
                kc,
                alpha,
                a.offset(0, pc),
                bp,
                first,
                c.offset(0, jc),
                ap,
            );
            pc += kc;
            if pc >= k {
                break;
            }
        }
    }
}

/// Elements that [`pack_b_panels`] writes for all the panels of a `(k, n)` matrix, tiles `nr`
/// wide.
pub(super) fn packed_b_len(nr: usize, k: usize, n: usize) -> usize {
    k * n.div_ceil(nr) * nr
}

/// The panels `panels` (of `nr` columns) of the packing of all of `B` `(k, n)`, `n <= NC`,
/// as [`gemm`] packs it one depth block at a time (the block at depth `pc` starts at
/// `out + pc * n_padded`), written where that packing has them: members of a team can each
/// pack their own panels into one buffer. `V`'s transposing copy packs a `B` with contiguous
/// columns where it has one.
#[inline(always)]
pub(super) unsafe fn pack_b_panels<T: Element, V: Simd<T>>(
    nr: usize,
    k: usize,
    n: usize,
    b: MatPtr<T>,
    out: *mut T,
    panels: std::ops::Range<usize>,
) {
    debug_assert!(n <= NC);
    let padded = n.div_ceil(nr) * nr;
    let (j0, j1) = (panels.start * nr, (panels.end * nr).min(n));
    if j0 >= j1 {
        return;
    }
    for pc in (0..k).step_by(KC) {
        // Within the block at `pc`, panel `jp` starts at `jp * nr * kc`.
        let kc = KC.min(k - pc);
        pack_b::<T, V>(
            nr,
            kc,
            j1 - j0,
            b.offset(pc, j0),
            out.add(pc * padded + j0 * kc),
        );
    }
}

/// [`gemm`] with `B` `(k, n)`, `n <= NC`, already packed by [`pack_b_panels`], so that many
/// blocks of rows of `A` can be multiplied by one packing; the same sums in the same order.
/// `buf` holds at least `MC * KC` elements (for the edge panels of `A`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn gemm_packed_b<T: Element, V: Simd<T>, const MR: usize, const NV: usize>(
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: MatPtr<T>,
    packed_b: *const T,
    beta: T,
    c: MatPtr<T>,
    buf: *mut T,
) {
    let nr = NV * V::LANES;
    debug_assert!(n <= NC);
    let padded = n.div_ceil(nr) * nr;
    let mut pc = 0;
    loop {
        let kc = KC.min(k - pc);
        let first = (pc == 0).then_some(beta);
        let bp = packed_b.add(pc * padded);
        block::<T, V, MR, NV>(m, n, kc, alpha, a.offset(0, pc), bp, first, c, buf);
        pc += kc;
        if pc >= k {
            break;
        }
    }
}

/// One block of depth `kc` and width `nc <= NC`: `C (+)= alpha A B` over every row of `A`,
/// with `B` packed at `bp` and `ap` for the edge panels of `A` (`first`: `beta` for the first
/// depth block, `None` to add to `C`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn block<T: Element, V: Simd<T>, const MR: usize, const NV: usize>(
    m: usize,
    nc: usize,
    kc: usize,
    alpha: T,
    a: MatPtr<T>,
    bp: *const T,
    first: Option<T>,
    c: MatPtr<T>,
    ap: *mut T,
) {
    let nr = NV * V::LANES;
    // A is read in place, a full panel of MR rows at a time, when its rows or its columns
    // are contiguous; the last partial panel (and any other layout) is packed.
    let a_in_place = a.cs == 1 || a.rs == 1;
    // Which operand stays in L1 (see `A_OUTER_BYTES`).
    let a_outer = kc * nc * std::mem::size_of::<T>() <= A_OUTER_BYTES;
    for ic in (0..m).step_by(MC) {
        let mc = MC.min(m - ic);
        let a_block = a.offset(ic, 0);
        let direct = if a_in_place { mc / MR } else { 0 };
        if direct * MR < mc {
            pack_a::<T, MR>(mc - direct * MR, kc, a_block.offset(direct * MR, 0), ap);
        }
        let (panels_n, panels_m) = (nc.div_ceil(nr), mc.div_ceil(MR));
        for outer in 0..if a_outer { panels_m } else { panels_n } {
            for inner in 0..if a_outer { panels_n } else { panels_m } {
                let (jr, ir) = if a_outer {
                    (inner, outer)
                } else {
                    (outer, inner)
                };
                let j0 = jr * nr;
                let w = nr.min(nc - j0);
                let b_panel = bp.add(jr * nr * kc);
                let i0 = ir * MR;
                let h = MR.min(mc - i0);
                let (a_panel, ars, acs) = if ir < direct {
                    (a_block.offset(i0, 0).ptr as *const T, a.rs, a.cs)
                } else {
                    (ap.add((ir - direct) * MR * kc) as *const T, 1, MR as isize)
                };
                tile::<T, V, MR, NV>(
                    kc,
                    a_panel,
                    ars,
                    acs,
                    b_panel,
                    c.offset(ic + i0, j0),
                    h,
                    w,
                    alpha,
                    first,
                );
            }
        }
    }
}
