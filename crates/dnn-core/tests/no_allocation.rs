//! The training loop allocates nothing after its first iteration: a counting global
//! allocator records the number of allocations the observer sees at each iteration. Each
//! set-up also runs with a `TrainControl` attached, to which the loop publishes every
//! mini-batch and whose stop request it reads between them.
//!
//! Allocations count on every thread of the process: the training thread and the GEMM team's
//! workers, which pack and compute blocks of the products and weight steps in their own
//! buffers. So this test runs without libtest's harness (`harness = false` in `Cargo.toml`):
//! its own threads allocate at moments of their choosing (seen once under CI load, mid-run),
//! and with them in the process only the training thread's allocations could be counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use dnn_core::diagnostics::gemm_info;
use dnn_core::{
    Activation, ClassWeights, EarlyStopping, LrDecay, Network, NumpyRng, Optimizer, ReplacedInputs,
    TrainControl, TrainDiagnostics, TrainParams, Validation,
};
use ndarray::s;

struct Counting;

/// Allocations made by any thread of the process.
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

fn count() {
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
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

const ITERATIONS: usize = 50;

/// The allocation count the observer sees after each iteration of training a network of
/// `sizes` on 64 examples with `params`; with `validated`, through `train_validated` with a
/// validation set of 48 examples watched and early stopping armed (a patience longer than the
/// run, so every iteration computes the validation cost and some copy the best parameters);
/// with `controlled`, with a `TrainControl` attached (checked to have counted every batch);
/// with `example_major`, the inputs stored example by example (`X` the transpose of a
/// contiguous `(64, n0)` array, as pictures and CSV rows are).
fn allocations_per_iteration<F: dnn_core::Float>(
    sizes: &[usize],
    params: TrainParams,
    output: Activation,
    (validated, controlled, example_major): (bool, bool, bool),
) -> (Vec<usize>, TrainDiagnostics) {
    let mut rng = NumpyRng::new(1);
    let x = match example_major {
        false => rng.randn(sizes[0], 64).mapv(F::of),
        true => rng.randn(64, sizes[0]).mapv(F::of).reversed_axes(),
    };
    assert_eq!(x.strides()[0] == 1, example_major);
    let y = rng
        .rand(1, 64)
        .mapv(|v| F::of(if v > 0.5 { 1.0 } else { 0.0 }));
    let (x_val, y_val) = (rng.randn(sizes[0], 48).mapv(F::of), y.slice(s![.., ..48]));
    let mut net = Network::<F>::builder(sizes)
        .output(output)
        .build(&mut rng)
        .unwrap();
    let batches = params
        .clone()
        .check()
        .unwrap()
        .batch_size()
        .map_or(1, |b| 64usize.div_ceil(b));
    let mut config = params.iterations(ITERATIONS).check().unwrap();
    let control = Arc::new(TrainControl::new());
    if controlled {
        config = config.with_control(Arc::clone(&control));
    }
    let mut counts = Vec::with_capacity(ITERATIONS);
    // The team's workers have finished their part of the iteration when the observer runs:
    // `Team::run` returns only when every chunk is done.
    let mut record = || counts.push(ALLOCATIONS.load(Ordering::SeqCst));
    let diagnostics;
    if validated {
        let mut val = Validation::new(&net, &x_val, y_val, ITERATIONS).unwrap();
        if let Some(weights) = config.class_weights() {
            val = val.class_weights(weights.clone()).unwrap();
        }
        let mut val = val
            .early_stopping(EarlyStopping {
                patience: ITERATIONS + 1,
                min_delta: 0.0,
            })
            .unwrap();
        let report = net
            .train_validated(&x, &y, &mut val, &config, |_, _| {
                record();
                ControlFlow::Continue(())
            })
            .unwrap();
        diagnostics = *report.diagnostics();
        let seen = val.finish(&mut net);
        assert!(seen.best().is_some());
    } else {
        let report = net
            .train(&x, &y, &config, |_| {
                record();
                ControlFlow::Continue(())
            })
            .unwrap();
        diagnostics = *report.diagnostics();
    }
    if controlled {
        let published = control.progress().updates;
        assert_eq!(
            published,
            (ITERATIONS * batches) as u64,
            "batches published"
        );
    }
    (counts, diagnostics)
}

/// The set-ups the loop must run without allocating, on a `[30, 16, 8, 1]` network: the
/// exercise's full-batch gradient descent, and mini-batches (a smaller last batch) with Adam,
/// L2, dropout and decay; and on a `[2100, 24, 1]` one, whose first layer's weight step is
/// split over the team in blocks of three strips, in both orders in turn (the team packing
/// the strips ahead, or each member its own) until the faster is kept; all with a
/// sigmoid output (once with class weights), and a regression's identity output once; and a
/// `[200, 8, 1]` one on its 64 examples, which trains in the Gram form (plain, and with L2,
/// dropout and decay); a `[4, 3, 1]` one, whose data is large enough beside it for its
/// mini-batch updates to be made in place; and the wide one on inputs stored example by
/// example, each epoch's second batch gathered during the first's step (beside it, on the
/// team).
fn setups() -> Vec<(&'static str, &'static [usize], TrainParams, Activation)> {
    let small: &[usize] = &[30, 16, 8, 1];
    let sigmoid = |(name, sizes, params)| (name, sizes, params, Activation::Sigmoid);
    let mut all: Vec<_> = vec![
        (
            "full-batch gd",
            small,
            TrainParams::new().learning_rate(0.01),
        ),
        (
            "mini-batch adam + l2 + dropout + decay",
            small,
            TrainParams::new()
                .learning_rate(0.001)
                .mini_batches(20, 11)
                .optimizer(Optimizer::ADAM)
                .l2(0.1)
                .dropout(0.8, 1)
                .decay(LrDecay::InverseTime { rate: 0.5 }),
        ),
        (
            "mini-batch momentum",
            small,
            TrainParams::new()
                .learning_rate(0.01)
                .mini_batches(16, 3)
                .optimizer(Optimizer::Momentum { beta: 0.9 }),
        ),
        (
            "wide layer, mini-batch adam",
            &[2100, 24, 1],
            TrainParams::new()
                .learning_rate(0.001)
                .mini_batches(40, 5)
                .optimizer(Optimizer::ADAM),
        ),
    ]
    .into_iter()
    .map(sigmoid)
    .collect();
    all.push((
        "full-batch gd in the Gram form (more features than examples)",
        &[200, 8, 1],
        TrainParams::new().learning_rate(0.01),
        Activation::Sigmoid,
    ));
    all.push((
        "full-batch gd with l2, dropout and decay in the Gram form",
        &[200, 8, 1],
        TrainParams::new()
            .learning_rate(0.01)
            .l2(0.1)
            .dropout(0.8, 1)
            .decay(LrDecay::InverseTime { rate: 0.5 }),
        Activation::Sigmoid,
    ));
    all.push((
        "class-weighted mini-batch adam, a weighted validation cost",
        small,
        TrainParams::new()
            .learning_rate(0.001)
            .mini_batches(20, 11)
            .optimizer(Optimizer::ADAM)
            .class_weights(ClassWeights::new(vec![0.7, 2.5]).unwrap()),
        Activation::Sigmoid,
    ));
    all.push((
        "mini-batch adam + dropout updated in place (a checkpoint an epoch): data 13 times \
         the 19 parameters",
        &[4, 3, 1],
        TrainParams::new()
            .learning_rate(0.001)
            .mini_batches(20, 11)
            .optimizer(Optimizer::ADAM)
            .dropout(0.8, 1),
        Activation::Sigmoid,
    ));
    all.push((
        "wide layer, mini-batch adam on example-major inputs",
        &[2100, 24, 1],
        TrainParams::new()
            .learning_rate(0.001)
            .mini_batches(40, 5)
            .optimizer(Optimizer::ADAM),
        Activation::Sigmoid,
    ));
    all.push((
        "regression, mini-batch adam",
        small,
        TrainParams::new()
            .learning_rate(0.001)
            .mini_batches(20, 11)
            .optimizer(Optimizer::ADAM),
        Activation::Identity,
    ));
    all
}

fn assert_flat(what: &str, counts: &[usize]) {
    assert_eq!(counts.len(), ITERATIONS, "{what}: iterations observed");
    assert!(
        counts.windows(2).all(|w| w[0] == w[1]),
        "{what}: allocations per iteration: {counts:?}"
    );
}

/// Predictions with a block of inputs replaced (permutation importance's) allocate nothing
/// once the widest block has been replaced once: over two chunks of examples, in blocks of
/// one to three inputs, and as the inputs are.
fn replaced_inputs_allocate_nothing<F: dnn_core::Float>() {
    let mut rng = NumpyRng::new(2);
    let x = rng.randn(12, 5000).mapv(F::of);
    let values = rng.randn(3, 5000).mapv(F::of);
    let net = Network::<F>::builder(&[12, 16, 8, 5])
        .output(Activation::Softmax)
        .build(&mut rng)
        .unwrap();
    let mut replaced = ReplacedInputs::new(&net, &x).unwrap();
    replaced.predict_proba_with(0..3, values.view()).unwrap();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for block in [0..1, 4..7, 9..11, 0..3] {
        let width = block.len();
        replaced
            .predict_proba_with(block, values.slice(s![..width, ..]))
            .unwrap();
    }
    replaced.predict_proba();
    let made = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert_eq!(made, 0, "allocations in 5 predictions with replaced inputs");
}

/// Every set-up in both types, f64 then f32; a failure panics, which fails `cargo test`.
fn main() {
    replaced_inputs_allocate_nothing::<f64>();
    replaced_inputs_allocate_nothing::<f32>();
    println!("no allocation in predictions with replaced inputs, f64 and f32");
    for (name, sizes, params, output) in setups() {
        for (validated, controlled) in [(false, false), (true, false), (false, true), (true, true)]
        {
            let how = (validated, controlled, name.contains("example-major"));
            let name = match validated {
                false => name.to_owned(),
                true => format!("{name}, watched on a validation set"),
            };
            let name = match controlled {
                false => name,
                true => format!("{name}, with a TrainControl"),
            };
            let gram = name.contains("Gram form");
            // The wide layer tries both orders of its weight steps (on more than one thread).
            let chooses = name.starts_with("wide layer") && gemm_info().threads > 1;
            let (counts, diagnostics) =
                allocations_per_iteration::<f64>(sizes, params.clone(), output, how);
            assert_flat(&format!("f64 {name}"), &counts);
            assert_eq!(diagnostics.gram_form, gram, "f64 {name}: the Gram form");
            assert_eq!(diagnostics.step_order.is_some(), chooses, "f64 {name}");
            let (counts, diagnostics) =
                allocations_per_iteration::<f32>(sizes, params.clone(), output, how);
            assert_flat(&format!("f32 {name}"), &counts);
            assert_eq!(diagnostics.gram_form, gram, "f32 {name}: the Gram form");
            assert_eq!(diagnostics.step_order.is_some(), chooses, "f32 {name}");
            println!(
                "no allocation in the training loop after the first iteration: {name}, f64 and f32"
            );
        }
    }
    println!("test no_allocation_in_the_training_loop_after_the_first_iteration ... ok");
}
