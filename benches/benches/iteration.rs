//! One full training iteration (forward, cost, backward, update) of the engine, in f32 and
//! f64, at the cat shape ([12288, 20, 7, 5, 1], m = 209) and two larger shapes that show
//! how it scales: m = 2090 examples, and a first hidden layer of 200.
//!
//! * `iteration/<shape>_<type>`: steady-state time per iteration. Each sample trains a
//!   clone of a pre-built network for criterion's iteration count and reports the
//!   training loop's own wall time (`TrainReport::elapsed`), so buffer set-up is excluded.
//! * `fit_once/cat_<type>`: `fit` with `.iterations(1)` on a clone, set-up included — what
//!   a single call costs.
//!
//! Throughput is the engine's useful FLOPs per iteration, so "Gelem/s" reads as GFLOP/s.
//! For a plain table run `cargo run --release -p dnn-bench --bin gflops`.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BatchSize, BenchmarkGroup, Criterion, Throughput,
};
use dnn_bench::{setup, time_training, Shape};
use dnn_core::{Float, TrainParams};

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

fn steady_state<F: Float>(group: &mut BenchmarkGroup<'_, WallTime>, shape: &Shape) {
    let (net, x, y) = setup::<F>(shape);
    group.throughput(Throughput::Elements(shape.engine_flops() as u64));
    group.bench_function(format!("{}_{}", shape.name, F::NAME), |bencher| {
        bencher.iter_custom(|iters| time_training(&net, &x, &y, iters.max(1) as usize))
    });
}

fn fit_once<F: Float>(group: &mut BenchmarkGroup<'_, WallTime>, shape: &Shape) {
    let (net, x, y) = setup::<F>(shape);
    let config = TrainParams::new().iterations(1).check().expect("valid");
    group.throughput(Throughput::Elements(shape.engine_flops() as u64));
    group.bench_function(format!("{}_{}", shape.name, F::NAME), |bencher| {
        bencher.iter_batched(
            || net.clone(),
            |mut net| black_box(net.fit(&x, &y, &config).expect("trains")),
            BatchSize::LargeInput,
        )
    });
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("iteration");
    configure(&mut group);
    for shape in Shape::ALL {
        steady_state::<f32>(&mut group, &shape);
        steady_state::<f64>(&mut group, &shape);
    }
    group.finish();

    let mut group = c.benchmark_group("fit_once");
    configure(&mut group);
    fit_once::<f32>(&mut group, &Shape::CAT);
    fit_once::<f64>(&mut group, &Shape::CAT);
    group.finish();
}

criterion_group!(iteration, benches);
criterion_main!(iteration);
