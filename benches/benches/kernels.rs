//! The kernels of one training iteration at the cat shape ([12288, 20, 7, 5, 1], m = 209):
//! every GEMM through ndarray's `general_mat_mul` (OpenBLAS sgemm/dgemm), in the memory
//! layout the engine uses, and the elementwise activation kernels through the public
//! `Activation` API.
//!
//! Throughput is `Elements(flops)`, so criterion's "Gelem/s" reads as GFLOP/s for the GEMMs;
//! for the activations it is elements (one per matrix entry) per second.
//!
//! `cargo bench -p dnn-bench --bench kernels` (add `-- --quick` for a fast pass).

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use dnn_bench::{iteration_gemms, Shape, Transpose};
use dnn_core::{Activation, Float, NumpyRng};
use ndarray::linalg::general_mat_mul;
use ndarray::Array2;

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(800));
}

fn gemms_in<F: Float>(c: &mut Criterion) {
    let shape = Shape::CAT;
    let mut group = c.benchmark_group(format!("gemm_{}_{}", shape.name, F::NAME));
    configure(&mut group);
    for gemm in iteration_gemms(shape.sizes, shape.m) {
        let (a, b, mut out) = gemm.operands::<F>(7);
        let id = format!(
            "{}_{}x{}x{}{}",
            gemm.name,
            gemm.rows,
            gemm.inner,
            gemm.cols,
            if gemm.numpy_only { "_numpy_only" } else { "" }
        );
        group.throughput(Throughput::Elements(gemm.flops() as u64));
        group.bench_function(id, |bencher| match gemm.transpose {
            Transpose::None => bencher.iter(|| {
                general_mat_mul(F::one(), &a, &b, F::zero(), &mut out);
                black_box(&mut out);
            }),
            Transpose::Left => bencher.iter(|| {
                general_mat_mul(F::one(), &a.t(), &b, F::zero(), &mut out);
                black_box(&mut out);
            }),
            Transpose::Right => bencher.iter(|| {
                general_mat_mul(F::one(), &a, &b.t(), F::zero(), &mut out);
                black_box(&mut out);
            }),
        });
    }
    group.finish();
}

/// The Gram form's products at the cat shape, in f64 as the engine runs them for both
/// types: per iteration `W1 X = P0 - C G` (`(20 x 209) (209 x 209)`), once per training
/// `G = XᵀX` (`(209 x 12288) (12288 x 209)`).
fn gram_form(c: &mut Criterion) {
    let (n0, n1, m) = (Shape::CAT.sizes[0], Shape::CAT.sizes[1], Shape::CAT.m);
    let mut rng = NumpyRng::new(9);
    let cm = rng.randn(n1, m);
    let x = rng.rand(n0, m);
    let mut g = Array2::<f64>::zeros((m, m));
    general_mat_mul(1.0, &x.t(), &x, 0.0, &mut g);
    let mut z = Array2::<f64>::zeros((n1, m));
    let mut group = c.benchmark_group("gram_form_cat_f64");
    configure(&mut group);
    group.throughput(Throughput::Elements((2 * n1 * m * m) as u64));
    group.bench_function(format!("per_iteration_C.G_{n1}x{m}x{m}"), |bencher| {
        bencher.iter(|| {
            general_mat_mul(-1.0, &cm, &g, 1.0, &mut z);
            black_box(&mut z);
        })
    });
    group.throughput(Throughput::Elements((2 * m * n0 * m) as u64));
    group.bench_function(format!("once_Xt.X_{m}x{n0}x{m}"), |bencher| {
        bencher.iter(|| {
            general_mat_mul(1.0, &x.t(), &x, 0.0, &mut g);
            black_box(&mut g);
        })
    });
    group.finish();
}

/// `A = g(Z)` and `dZ = dA · g'(Z)` (from `A`) over a `20 × 209` buffer, the first hidden
/// layer's activations at the cat shape.
fn activations_in<F: Float>(c: &mut Criterion) {
    let (rows, cols) = (Shape::CAT.sizes[1], Shape::CAT.m);
    let mut rng = NumpyRng::new(5);
    let z: Array2<F> = rng.randn(rows, cols).mapv(F::of);
    let da: Array2<F> = rng.randn(rows, cols).mapv(F::of);
    let mut out = Array2::<F>::zeros((rows, cols));
    let mut group = c.benchmark_group(format!("activation_{rows}x{cols}_{}", F::NAME));
    configure(&mut group);
    group.throughput(Throughput::Elements((rows * cols) as u64));
    for act in [Activation::Relu, Activation::Sigmoid, Activation::Tanh] {
        group.bench_function(format!("{act}_forward"), |bencher| {
            bencher.iter(|| {
                out.zip_mut_with(&z, |o, &z| *o = act.apply(z));
                black_box(&mut out);
            })
        });
        let a = z.mapv(|z| act.apply(z));
        group.bench_function(format!("{act}_backward"), |bencher| {
            bencher.iter(|| {
                out.assign(&da);
                out.zip_mut_with(&a, |d, &a| *d = act.backward_from_output(*d, a));
                black_box(&mut out);
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    gemms_in::<f32>(c);
    gemms_in::<f64>(c);
    activations_in::<f32>(c);
    activations_in::<f64>(c);
    gram_form(c);
}

criterion_group!(kernels, benches);
criterion_main!(kernels);
