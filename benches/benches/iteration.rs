//! One full training iteration (forward, cost, backward, update) of the engine, in f32 and
//! f64, at the cat shape ([12288, 20, 7, 5, 1], m = 209) and two larger shapes that show
//! how it scales: m = 2090 examples, and a first hidden layer of 200.
//!
//! * `iteration/<shape>_<type>`: time per iteration of the direct form (every iteration
//!   does the textbook GEMMs against `X`): each sample trains a clone for criterion's
//!   iteration count in runs of 3 iterations, too short for the Gram form to pay.
//! * `fit_once/cat_<type>`: `fit` with `.iterations(1)` on a clone, set-up included — what
//!   a single call costs.
//! * `published/cat_<type>`: the published training, 2500 iterations, as `dnn train` runs
//!   it: the engine takes the Gram form (`XᵀX` once, then no iteration touches `X`).
//!   Throughput is the textbook's useful FLOPs of the whole run.
//!
//! Throughput is the engine's useful FLOPs per iteration, so "Gelem/s" reads as GFLOP/s.
//! For a plain table run `cargo run --release -p dnn-bench --bin gflops`.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BatchSize, BenchmarkGroup, Criterion, Throughput,
};
use dnn_bench::{setup, time_training, time_training_form, Shape};
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
        bencher.iter_custom(|iters| {
            let iters = iters.max(1) as usize;
            let mut total: Duration = (0..iters / 3).map(|_| time_training(&net, &x, &y, 3)).sum();
            if !iters.is_multiple_of(3) {
                total += time_training(&net, &x, &y, iters % 3);
            }
            total
        })
    });
}

fn published<F: Float>(group: &mut BenchmarkGroup<'_, WallTime>) {
    let shape = Shape::CAT;
    let (net, x, y) = setup::<F>(&shape);
    group.throughput(Throughput::Elements((shape.engine_flops() * 2500.0) as u64));
    group.bench_function(format!("{}_{}", shape.name, F::NAME), |bencher| {
        bencher.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let (elapsed, gram) = time_training_form(&net, &x, &y, 2500);
                    assert!(gram, "the published training takes the Gram form");
                    elapsed
                })
                .sum()
        })
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

    let mut group = c.benchmark_group("published");
    configure(&mut group);
    published::<f32>(&mut group);
    published::<f64>(&mut group);
    group.finish();
}

criterion_group!(iteration, benches);
criterion_main!(iteration);
