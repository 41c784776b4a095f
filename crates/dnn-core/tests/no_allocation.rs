//! The training loop allocates nothing after its first iteration: a counting global
//! allocator records the number of allocations the observer sees at each iteration.
//!
//! Only the training thread's allocations count: the test harness's own threads allocate at
//! moments of their choosing (seen once under CI load, mid-run), which says nothing about the
//! loop.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ops::ControlFlow;

use dnn_core::{Network, NumpyRng, TrainParams};

struct Counting;

thread_local! {
    /// Allocations made by this thread (a const-initialised `Cell`: touching it never allocates).
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    ALLOCATIONS.with(|n| n.set(n.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_per_iteration<F: dnn_core::Float>() -> Vec<usize> {
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(30, 64).mapv(F::of);
    let y = rng
        .rand(1, 64)
        .mapv(|v| F::of(if v > 0.5 { 1.0 } else { 0.0 }));
    let mut net = Network::<F>::builder(&[30, 16, 8, 1])
        .build(&mut rng)
        .unwrap();
    let config = TrainParams::new()
        .learning_rate(0.01)
        .iterations(50)
        .check()
        .unwrap();
    let mut counts = Vec::with_capacity(50);
    net.train(&x, &y, &config, |_| {
        counts.push(ALLOCATIONS.with(Cell::get));
        ControlFlow::Continue(())
    })
    .unwrap();
    counts
}

/// One test for both types, f64 then f32.
#[test]
fn no_allocation_in_the_training_loop_after_the_first_iteration() {
    let f64_counts = allocations_per_iteration::<f64>();
    assert_eq!(f64_counts.len(), 50);
    assert!(
        f64_counts.windows(2).all(|w| w[0] == w[1]),
        "f64 allocations per iteration: {f64_counts:?}"
    );
    let f32_counts = allocations_per_iteration::<f32>();
    assert!(
        f32_counts.windows(2).all(|w| w[0] == w[1]),
        "f32 allocations per iteration: {f32_counts:?}"
    );
}
