//! One training run of a mini-batch benchmark workload with the dnn-core engine, as a whole
//! process (data loading included), for `cargo xtask bench --suite minibatch`.
//!
//! ```text
//! cargo run --release -p dnn-bench --bin minibatch -- --data DIR/cat.npz --dtype f32 --report r.json
//! cargo run --release -p dnn-bench --bin minibatch -- --data DIR/cat.npz --dtype f32 --products --report r.json
//! ```
//!
//! With `--products` it trains nothing: it reports the engine's rate on the plain products of
//! one training step of the workload ([`dnn_core::diagnostics::product_rate`]), the list that
//! `benches/reference/gemm_rate.py` times in numpy and PyTorch, so that the bench can say how
//! much of the training rate's distance from theirs is the kernel's and how much the rest of
//! the step's.
//!
//! The data and the set-up (`DIR/NAME.npz`, `DIR/NAME.json`) come from
//! `benches/reference/minibatch_data.py`; numpy and PyTorch train the same network from the
//! same weights on the same batches (`minibatch_numpy.py`, `minibatch_torch.py`). The
//! inputs are kept example-major, `(m, n0)` with each example contiguous, and handed to the
//! engine as the `(n0, m)` view of their transpose, as numpy's `x.reshape(m, -1).T` would.

use std::ops::ControlFlow;
use std::time::Instant;

use dnn_core::{one_hot, Activation, Float, Init, Network, NumpyRng, Optimizer, TrainParams};
use ndarray::{Array1, Array2, ArrayD, Ix2};
use ndarray_npy::NpzReader;
use serde_json::{json, Value};

struct Args {
    data: String,
    dtype: String,
    report: Option<String>,
    products: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        data: String::new(),
        dtype: "f32".into(),
        report: None,
        products: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--data" => args.data = value()?,
            "--dtype" => args.dtype = value()?,
            "--report" => args.report = Some(value()?),
            "--products" => args.products = true,
            "-h" | "--help" => {
                println!(
                    "usage: minibatch --data DIR/NAME.npz [--dtype f32|f64] [--products] [--report FILE.json]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    if args.data.is_empty() {
        return Err("--data DIR/NAME.npz is required".into());
    }
    Ok(args)
}

/// The workload's set-up, from the `.json` beside the `.npz`.
fn spec_of(data: &str) -> Result<Value, String> {
    let path = format!("{}.json", data.trim_end_matches(".npz"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
}

/// `(x, labels)`: the training inputs `(m, n0)` divided by 255, and the labels.
fn load<F: Float>(data: &str) -> Result<(Array2<F>, Vec<usize>), String> {
    let file = std::fs::File::open(data).map_err(|e| format!("{data}: {e}"))?;
    let mut npz =
        NpzReader::new(std::io::BufReader::new(file)).map_err(|e| format!("{data}: {e}"))?;
    let x8: ArrayD<u8> = npz
        .by_name("x_train")
        .map_err(|e| format!("{data}: x_train: {e}"))?;
    let y8: Array1<u8> = npz
        .by_name("y_train")
        .map_err(|e| format!("{data}: y_train: {e}"))?;
    let (m, len) = (x8.shape()[0], x8.len());
    let x8 = x8
        .into_shape_with_order((m, len / m.max(1)))
        .map_err(|e| format!("{data}: {e}"))?
        .into_dimensionality::<Ix2>()
        .map_err(|e| format!("{data}: {e}"))?;
    let scale = F::of(255.0);
    let x = x8.mapv(|v| F::of(f64::from(v)) / scale);
    Ok((x, y8.iter().map(|&v| usize::from(v)).collect()))
}

/// `(rows, inner, cols)` of every product of one training step on a batch of `k`: forward
/// `W[l] A[l-1]`, `dW[l] = dZ[l] A[l-1]ᵀ`, and `dA[l-1] = W[l]ᵀ dZ[l]` for `l >= 2` (as
/// `gemm_rate.py`'s `step_products`).
fn step_products(layers: &[usize], k: usize) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for l in 1..layers.len() {
        out.push((layers[l], layers[l - 1], k));
        out.push((layers[l], k, layers[l - 1]));
        if l >= 2 {
            out.push((layers[l - 1], layers[l], k));
        }
    }
    out
}

/// `--products`: the engine's rate on the plain products of one step, as a report.
fn products<F: Float>(args: &Args, spec: &Value, layers: &[usize]) -> Result<(), String> {
    let batch = spec["batch_size"]
        .as_u64()
        .ok_or("the set-up has no batch_size")? as usize;
    let rate = dnn_core::diagnostics::product_rate::<F>(&step_products(layers, batch));
    println!(
        "dnn {} plain products of one step: {rate:.1} GFLOP/s",
        F::NAME
    );
    let out = json!({
        "program": "dnn",
        "dtype": F::NAME,
        "workload": spec["name"],
        "products_gflops": rate,
        "kernels": dnn_core::diagnostics::gemm_info().summary(),
    });
    write_report(args, &out)
}

fn write_report(args: &Args, out: &Value) -> Result<(), String> {
    if let Some(path) = &args.report {
        std::fs::write(path, serde_json::to_string_pretty(out).expect("json"))
            .map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

fn run<F: Float>(args: &Args) -> Result<(), String> {
    let start = Instant::now();
    let spec = spec_of(&args.data)?;
    let num = |k: &str| {
        spec[k]
            .as_f64()
            .ok_or(format!("the set-up has no number {k:?}"))
    };
    let layers: Vec<usize> = spec["layers"]
        .as_array()
        .ok_or("the set-up has no layers")?
        .iter()
        .filter_map(|v| v.as_u64().map(|n| n as usize))
        .collect();
    if args.products {
        return products::<F>(args, &spec, &layers);
    }
    let softmax = spec["output"] == "softmax";
    let (x, labels) = load::<F>(&args.data)?;
    let y: Array2<F> = if softmax {
        one_hot(&labels, layers[layers.len() - 1])
    } else {
        Array2::from_shape_fn((1, labels.len()), |(_, j)| F::of(labels[j] as f64))
    };
    let mut net = Network::<F>::builder(&layers)
        .init(Init::He)
        .output(if softmax {
            Activation::Softmax
        } else {
            Activation::Sigmoid
        })
        .build(&mut NumpyRng::new(num("init_seed")? as u32))
        .map_err(|e| e.to_string())?;
    let config = TrainParams::new()
        .learning_rate(num("learning_rate")?)
        .epochs(num("epochs")? as usize)
        .mini_batches(num("batch_size")? as usize, num("shuffle_seed")? as u32)
        .optimizer(Optimizer::Adam {
            beta1: num("beta1")?,
            beta2: num("beta2")?,
            epsilon: num("epsilon")?,
        })
        .divergence_factor(None)
        .check()
        .map_err(|e| e.to_string())?;
    let load_seconds = start.elapsed().as_secs_f64();
    // The engine reads X as (n0, m): the transpose's view, each example contiguous.
    let report = net
        .train(x.t(), &y, &config, |_| ControlFlow::Continue(()))
        .map_err(|e| e.to_string())?;
    let costs: Vec<Value> = report
        .costs()
        .iter()
        .enumerate()
        .map(|(i, c)| json!([i, c]))
        .collect();
    for (i, c) in report.costs().iter().enumerate() {
        println!("Cost after epoch {i}: {c:.6}");
    }
    let d = report.diagnostics();
    let p = d.phases;
    let phases = json!({
        "gather": p.gather.as_secs_f64(),
        "forward": p.forward.as_secs_f64(),
        "cost": p.cost.as_secs_f64(),
        "backward": p.backward.as_secs_f64(),
        "update": p.update.as_secs_f64(),
    });
    eprintln!("phases (s): {phases}");
    let out = json!({
        "program": "dnn",
        "engine": "dnn-core",
        "dtype": F::NAME,
        "workload": spec["name"],
        "costs": costs,
        "train_seconds": report.elapsed().as_secs_f64(),
        "load_seconds": load_seconds,
        "gflops": d.gflops,
        "phases": phases,
        "step_order": match d.step_order {
            Some(dnn_core::StepOrder::PackedAhead) => "packed ahead",
            Some(dnn_core::StepOrder::StripByStrip) => "strip by strip",
            None => "none",
        },
        "kernels": dnn_core::diagnostics::gemm_info().summary(),
    });
    write_report(args, &out)
}

fn main() -> Result<(), String> {
    let args = parse_args()?;
    match args.dtype.as_str() {
        "f32" => run::<f32>(&args),
        "f64" => run::<f64>(&args),
        other => Err(format!("unknown dtype {other:?} (f32 or f64)")),
    }
}
