//! Seconds per training iteration and achieved GFLOP/s of the engine, f32 and f64, for
//! each benchmark shape — a plain table, quicker to read than criterion's output.
//!
//! ```text
//! cargo run --release -p dnn-bench --bin gflops -- [--seconds S] [--numpy-report FILE.json]...
//! ```
//!
//! Each shape and type gets two rows: `direct`, short runs in which every iteration does
//! the textbook GEMMs against `X`, and a long run in which the engine picks its form
//! (`gram` when the first layer trains from `XᵀX`; its GFLOP/s is then the rate the
//! textbook GEMMs would need, see `TrainReport::gflops`).
//!
//! `--seconds` is the training time aimed at per cell (default 1.5). Each
//! `--numpy-report` is a JSON file written by `benches/reference/numpy_cat.py --report`
//! for the deep architecture; the table then ends with numpy's time per iteration and
//! the speed-up at the cat shape in that report's dtype.

use std::time::Duration;

use dnn_bench::{openblas_info, setup, time_training, time_training_form, Shape};
use dnn_core::Float;

struct Row {
    shape: Shape,
    dtype: &'static str,
    /// `direct` (short runs: every iteration does the textbook GEMMs) or `auto` (one long
    /// run, where the engine takes the Gram form when it pays: then `gram`).
    form: &'static str,
    iterations: usize,
    seconds_per_iteration: f64,
}

/// Runs of this many iterations never pay for the Gram form, so they time the direct GEMMs.
const SHORT: usize = 3;

fn measure<F: Float>(shape: Shape, target: f64) -> [Row; 2] {
    let (net, x, y) = setup::<F>(&shape);
    // Warm-up (page faults, thread start-up) and a first estimate.
    let probe = time_training(&net, &x, &y, SHORT).as_secs_f64() / SHORT as f64;
    let runs = ((target / 2.0 / (probe * SHORT as f64).max(1e-6)) as usize).clamp(1, 1000);
    let direct: Duration = (0..runs).map(|_| time_training(&net, &x, &y, SHORT)).sum();
    let iterations = ((target / probe.max(1e-6)) as usize).clamp(SHORT, 20_000);
    let (elapsed, gram) = time_training_form(&net, &x, &y, iterations);
    [
        Row {
            shape,
            dtype: F::NAME,
            form: "direct",
            iterations: runs * SHORT,
            seconds_per_iteration: direct.as_secs_f64() / (runs * SHORT) as f64,
        },
        Row {
            shape,
            dtype: F::NAME,
            form: if gram { "gram" } else { "direct" },
            iterations,
            seconds_per_iteration: elapsed.as_secs_f64() / iterations as f64,
        },
    ]
}

struct NumpyRun {
    path: String,
    dtype: String,
    seconds_per_iteration: f64,
}

fn read_numpy_report(path: &str) -> Result<NumpyRun, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let field = |name: &str| json.get(name).ok_or(format!("{path}: no \"{name}\""));
    if let Some(arch) = json.get("arch").and_then(|a| a.as_str()) {
        if arch != "deep" {
            return Err(format!("{path}: arch {arch:?}, expected \"deep\""));
        }
    }
    let seconds = field("train_seconds")?.as_f64().ok_or("train_seconds")?;
    let iterations = match json.get("iterations").and_then(|v| v.as_u64()) {
        Some(n) => n as f64,
        // Older reports: the last recorded cost's iteration + 1.
        None => field("costs")?
            .as_array()
            .and_then(|c| c.last())
            .and_then(|p| p[0].as_f64())
            .map(|i| i + 1.0)
            .ok_or(format!("{path}: no iteration count"))?,
    };
    let dtype = match json.get("dtype").and_then(|d| d.as_str()) {
        Some("float32") => "f32",
        _ => "f64",
    };
    Ok(NumpyRun {
        path: path.to_owned(),
        dtype: dtype.to_owned(),
        seconds_per_iteration: seconds / iterations,
    })
}

fn main() -> Result<(), String> {
    let mut target = 1.5;
    let mut numpy = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                target = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--seconds needs a number")?
            }
            "--numpy-report" => numpy.push(read_numpy_report(
                &args.next().ok_or("--numpy-report needs a file")?,
            )?),
            "-h" | "--help" => {
                println!("usage: gflops [--seconds S] [--numpy-report FILE.json]...");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }

    let (core, threads, config) = openblas_info();
    let gemm = dnn_core::diagnostics::gemm_info();
    println!(
        "engine products: {}, {} threads",
        gemm.kernels, gemm.threads
    );
    println!("OpenBLAS (step-by-step functions only): core {core}, {threads} threads ({config})");
    println!(
        "OPENBLAS_CORETYPE={}",
        std::env::var("OPENBLAS_CORETYPE").unwrap_or_else(|_| "(unset)".into())
    );
    println!();
    println!(
        "{:<10} {:<22} {:>5} {:>4} {:>6} {:>7} {:>12} {:>8}",
        "shape", "layers", "m", "type", "form", "iters", "ms/iter", "GFLOP/s"
    );
    let mut rows = Vec::new();
    for shape in Shape::ALL {
        for row in measure::<f32>(shape, target)
            .into_iter()
            .chain(measure::<f64>(shape, target))
        {
            println!(
                "{:<10} {:<22} {:>5} {:>4} {:>6} {:>7} {:>12.4} {:>8.2}",
                row.shape.name,
                format!("{:?}", row.shape.sizes),
                row.shape.m,
                row.dtype,
                row.form,
                row.iterations,
                row.seconds_per_iteration * 1e3,
                row.shape.engine_flops() / row.seconds_per_iteration / 1e9,
            );
            rows.push(row);
        }
    }
    for run in &numpy {
        let ours = rows
            .iter()
            .filter(|r| r.shape == Shape::CAT && r.dtype == run.dtype)
            .min_by(|a, b| a.seconds_per_iteration.total_cmp(&b.seconds_per_iteration))
            .expect("the cat shape is measured in both types");
        println!(
            "\nnumpy ({}, {}): {:.4} ms/iter -> dnn is {:.2}x faster at the cat shape",
            run.path,
            run.dtype,
            run.seconds_per_iteration * 1e3,
            run.seconds_per_iteration / ours.seconds_per_iteration
        );
    }
    Ok(())
}
