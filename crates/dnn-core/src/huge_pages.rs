//! Asking Linux for 2 MiB pages (transparent huge pages) on the engine's large buffers.
//!
//! Debian ships THP in `madvise` mode (`/sys/kernel/mm/transparent_hugepage/enabled`): a
//! process gets 2 MiB pages only where it asks for them with `madvise(MADV_HUGEPAGE)`. Training walks Adam's two averages
//! once per mini-batch, and the GEMM's packed copy of a batch once per product; on the
//! cat-shaped bench (averages of 12.6 MB each in `f32`) these ran through thousands of
//! 4 KiB pages a step. Advising them, the bench's update phase took about a tenth less (see
//! the commit that added this file for the runs).
//!
//! The weights and their spare copy stay on small pages: on huge pages the forward product,
//! which reads `W` in place a few rows at a time, got slower (cat f64's forward phase 1.13 ->
//! 1.20 s). Rows 96 KB apart then fall into the same few sets of the L2 cache, where small
//! pages scatter them.
//!
//! Only whole 2 MiB pages inside a buffer are advised, so no byte outside it becomes
//! resident; the advice is given before the buffer is first written, while its pages are
//! usually still unmapped (a zeroed allocation this large mostly comes straight from `mmap`;
//! pages the allocator recycles stay as they are). Elsewhere than on Linux, or where THP is
//! off, the advice is a no-op and nothing else changes.

use ndarray::Array2;

use crate::Float;

/// The size of a huge page on x86-64 and most other Linux targets.
pub(crate) const HUGE_PAGE: usize = 2 << 20;
/// The smallest page size of x86-64 and most other Linux targets.
const SMALL_PAGE: usize = 4 << 10;

/// A zeroed `(rows, cols)` array whose whole 2 MiB pages are advised as huge pages, each of
/// its pages already written (see [`fault_in`]).
pub(crate) fn zeros<F: Float>(dim: (usize, usize)) -> Array2<F> {
    let mut a = Array2::zeros(dim);
    if let Some(slice) = a.as_slice_mut() {
        advise(slice.as_mut_ptr(), std::mem::size_of_val(slice));
        fault_in(slice);
    }
    a
}

/// Writes a zero into every small page of `zeroed` (all of whose bytes are zero already), so
/// that each page is allocated by a write.
///
/// Left to their first use, Adam's averages were read before they were written: each page
/// was first mapped to the kernel's zero page and then copied on the write, a second fault
/// that flushes the TLB of the other cores running the process (`do_wp_page`,
/// `flush_tlb_mm_range` and IPIs in `perf` of the cat-shaped bench). On the Emerald Rapids
/// Xeon, allocating a 256 x 12288 layer's averages and its first weight step took 44-45 ms
/// that way and 17 ms this way (medians of 28 alternating rounds, `f32`); the steps after
/// were the same.
fn fault_in<F>(zeroed: &mut [F]) {
    let (ptr, bytes) = (
        zeroed.as_mut_ptr().cast::<u8>(),
        std::mem::size_of_val(zeroed),
    );
    // A byte every page's length from the start, and the last (in the page the slice ends
    // in, where it does not start at a page's start).
    let last = bytes.checked_sub(1);
    for offset in (0..bytes).step_by(SMALL_PAGE).chain(last) {
        // SAFETY: the byte lies inside the slice, and zero is the value it holds already.
        unsafe { ptr.add(offset).write_volatile(0) };
    }
}

/// Grows `v` to at least `len` elements, the new ones zero, a larger allocation advised as
/// huge pages before its first write (for the GEMM's packing buffers, reused call after call).
pub(crate) fn grow<F: Float>(v: &mut Vec<F>, len: usize) {
    if v.len() >= len {
        return;
    }
    if v.capacity() < len {
        let mut fresh = Vec::with_capacity(len);
        advise(fresh.as_mut_ptr(), len * std::mem::size_of::<F>());
        fresh.extend_from_slice(v);
        *v = fresh;
    }
    v.resize(len, F::zero());
}

/// Advises the whole 2 MiB pages inside the `bytes` at `ptr` as huge pages (where the OS has
/// them).
fn advise<T>(ptr: *mut T, bytes: usize) {
    let Some((start, len)) = huge_range(ptr as usize, bytes) else {
        return;
    };
    #[cfg(target_os = "linux")]
    // SAFETY: the range lies inside an allocation this process owns; `madvise` with
    // MADV_HUGEPAGE changes how its pages are backed, never their contents. A failure (THP
    // not built into the kernel) leaves the pages as they were, which is fine.
    unsafe {
        libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (start, len);
}

/// The whole 2 MiB pages inside `[addr, addr + bytes)`: `(start, length)`, or `None` if
/// there is none.
fn huge_range(addr: usize, bytes: usize) -> Option<(usize, usize)> {
    let start = addr.checked_next_multiple_of(HUGE_PAGE)?;
    let end = (addr + bytes) / HUGE_PAGE * HUGE_PAGE;
    (end > start).then(|| (start, end - start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_huge_pages_inside_the_buffer_are_advised() {
        const P: usize = HUGE_PAGE;
        assert_eq!(huge_range(P, 3 * P), Some((P, 3 * P)));
        assert_eq!(huge_range(P + 16, 3 * P), Some((2 * P, 2 * P)));
        assert_eq!(huge_range(P + 16, 2 * P), Some((2 * P, P)));
        assert_eq!(huge_range(16, P), None);
        assert_eq!(huge_range(P + 16, P), None);
    }

    /// The THP mode in brackets, e.g. `madvise` in `always [madvise] never`.
    #[cfg(target_os = "linux")]
    fn thp_mode() -> String {
        let text = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
            .expect("this Linux kernel has no transparent huge pages (no /sys/kernel/mm/transparent_hugepage/enabled)");
        let open = text.find('[').expect("a bracketed mode");
        let close = text.find(']').expect("a bracketed mode");
        text[open + 1..close].to_string()
    }

    /// kB of anonymous huge pages in the mapping of this process that contains `addr`.
    #[cfg(target_os = "linux")]
    fn huge_kb_at(addr: usize) -> usize {
        let smaps = std::fs::read_to_string("/proc/self/smaps").expect("/proc/self/smaps");
        let mut inside = false;
        for line in smaps.lines() {
            let range = line.split_whitespace().next().unwrap_or("");
            if let Some((a, b)) = range.split_once('-') {
                if let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
                {
                    inside = (a..b).contains(&addr);
                    continue;
                }
            }
            if let Some(kb) = line.strip_prefix("AnonHugePages:").filter(|_| inside) {
                return kb.trim().trim_end_matches("kB").trim().parse().expect("kB");
            }
        }
        panic!("no mapping of this process contains {addr:#x}");
    }

    /// Every page of a buffer from [`zeros`] is resident when it returns, written rather than
    /// mapped to the zero page (so huge pages already back its middle), and still all zero.
    #[cfg(target_os = "linux")]
    #[test]
    fn every_page_of_a_zeroed_buffer_is_allocated_before_its_first_use() {
        let a = zeros::<f32>((1024, 4096));
        let (start, bytes) = (a.as_ptr() as usize, a.len() * 4);
        let first = start / SMALL_PAGE * SMALL_PAGE;
        let pages = (start + bytes - first).div_ceil(SMALL_PAGE);
        let mut resident = vec![0u8; pages];
        // SAFETY: the range covers the buffer's pages, all mapped; `resident` has one byte
        // per page.
        let status = unsafe {
            libc::mincore(
                first as *mut libc::c_void,
                pages * SMALL_PAGE,
                resident.as_mut_ptr(),
            )
        };
        assert_eq!(status, 0, "mincore: {}", std::io::Error::last_os_error());
        let missing = resident.iter().filter(|&&r| r & 1 == 0).count();
        assert_eq!(missing, 0, "pages of {pages} not resident after zeros");
        // (Where THP is `never` the next test says so.)
        let kb = huge_kb_at(start + 4 * HUGE_PAGE);
        assert!(
            kb >= 2048,
            "{kb} kB of huge pages in a fresh buffer from zeros"
        );
        assert!(a.iter().all(|&x| x == 0.0));
    }

    /// Where the kernel gives huge pages on request (`madvise` or `always`, as on the
    /// machines this project runs on), a 16 MiB buffer from [`zeros`] is backed by them once
    /// written. A kernel with THP `never` fails this test rather than skipping it: there the
    /// buffers simply get small pages, and the test says so.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_large_zeroed_buffer_is_backed_by_huge_pages_once_written() {
        let mode = thp_mode();
        assert!(
            mode == "madvise" || mode == "always",
            "transparent huge pages are {mode:?} on this machine: the engine's buffers get 4 KiB \
             pages here (expected madvise or always)"
        );
        let mut a = zeros::<f32>((1024, 4096));
        a.fill(1.0);
        let kb = huge_kb_at(a.as_ptr() as usize + 4 * HUGE_PAGE);
        assert!(
            kb >= 2048,
            "{kb} kB of huge pages in a 16 MiB buffer from huge_pages::zeros"
        );
        assert_eq!(a.sum(), (1024 * 4096) as f32);
    }
}
