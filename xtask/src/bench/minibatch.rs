//! `cargo xtask bench --suite minibatch`: dnn against PyTorch (CPU) and numpy by hand on two
//! mini-batch workloads, whole processes, alternating runs, medians.
//!
//! The workloads and their data come from `benches/reference/minibatch_data.py` (generated
//! once into `target/bench/minibatch/`): `cat`, `[12288, 256, 64, 1]` on 4096 random pictures,
//! Adam at 1e-4, batches of 64, 3 epochs; `mnist`, `[784, 256, 128, 10]` softmax on 60,000
//! random rows, Adam at 1e-3, batches of 128, 2 epochs. Every program trains the same network
//! from the same He weights on the same shuffled batches (the costs agree), as a whole process
//! that loads the `.npz` itself:
//! * dnn: the `minibatch` binary of dnn-bench, which trains with the dnn-core engine;
//! * PyTorch: `benches/reference/minibatch_torch.py` (`nn.Sequential`, `torch.optim.Adam`);
//! * numpy: `benches/reference/minibatch_numpy.py` (the course's formulas by hand).
//!
//! The Python side runs in its own venv, `target/bench-venv` (numpy, threadpoolctl and
//! PyTorch from PyPI, several GB), made on first use. `benches/reference/gemm_rate.py`
//! measures the rate numpy and PyTorch reach on one step's products alone, once per round of
//! runs; the table compares dnn's training rate with the better of the two medians. In each
//! round the `minibatch` binary also times dnn's own GEMM on the same products
//! (`--products`), and a line per workload says what share of the libraries' rate dnn's
//! kernel reaches and what share of its own rate the training keeps: the kernel's part of a
//! missed rate and the rest of the step's.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::bench::{median, timed, utc_now};

/// What `cargo xtask bench --suite minibatch` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// Alternating runs per program, workload and dtype.
    pub runs: usize,
    /// `f64`, `f32` or both.
    pub dtypes: Vec<String>,
    /// A Python with numpy, threadpoolctl and torch; the bench venv when `None`.
    pub python: Option<PathBuf>,
    /// Workloads to run (`cat`, `mnist`); both when empty.
    pub workloads: Vec<String>,
}

const PROGRAMS: [&str; 3] = ["pytorch", "numpy", "dnn"];
const WORKLOADS: [&str; 2] = ["cat", "mnist"];

/// The targets for dnn: its wall time over PyTorch's at most, its training rate in per
/// cent of the plain products' at least, its peak RSS over the model's bytes at most.
const WALL_TARGET: f64 = 0.33;
const RATE_TARGET: f64 = 50.0;
const RSS_TARGET: f64 = 1.3;

/// Workload, dtype and program.
type Key = (String, String, &'static str);

/// One finished run.
#[derive(Debug, Clone)]
struct Run {
    wall: f64,
    rss_kib: Option<u64>,
    train: f64,
    costs: Vec<f64>,
    report: Value,
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}", path.display()))
}

/// The bench venv's python, made (numpy, threadpoolctl, torch from PyPI) when missing.
fn ensure_bench_venv(root: &Path) -> Result<PathBuf> {
    let venv = crate::process::target_dir(root).join("bench-venv");
    let python = venv.join("bin").join("python");
    let ready = |p: &Path| {
        Command::new(p)
            .args(["-c", "import numpy, threadpoolctl, torch"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if ready(&python) {
        return Ok(python);
    }
    if !python.is_file() {
        println!("bench: creating {}", venv.display());
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .context("cannot run python3 -m venv")?;
        if !status.success() {
            bail!("`python3 -m venv {}` failed ({status})", venv.display());
        }
    }
    println!(
        "bench: installing numpy, threadpoolctl and torch into {} (PyTorch from PyPI is several GB; minutes)",
        venv.display()
    );
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["numpy", "threadpoolctl", "torch"])
        .status()
        .with_context(|| format!("cannot run {} -m pip", python.display()))?;
    if !status.success() || !ready(&python) {
        bail!(
            "pip could not install numpy, threadpoolctl and torch into {} ({status}); is PyPI reachable?",
            venv.display()
        );
    }
    Ok(python)
}

/// The rounds' `gemm_rate.py` reports (with dnn's rate added) as one: the first round's
/// kernel names, and per workload and dtype each library's median rate (`numpy`, `pytorch`,
/// `dnn`) with every round's rate beside it (`numpy_runs`, `pytorch_runs`, `dnn_runs`).
fn median_rates(rounds: &[Value]) -> Value {
    let Some(first) = rounds.first() else {
        return Value::Null;
    };
    let entries = first["rates"].as_array().cloned().unwrap_or_default();
    let merged: Vec<Value> = entries
        .iter()
        .map(|entry| {
            let mut out = entry.clone();
            for lib in ["numpy", "pytorch", "dnn"] {
                let runs: Vec<f64> = rounds
                    .iter()
                    .filter_map(|r| {
                        r["rates"].as_array()?.iter().find(|e| {
                            e["workload"] == entry["workload"] && e["dtype"] == entry["dtype"]
                        })?[lib]
                            .as_f64()
                    })
                    .collect();
                if !runs.is_empty() {
                    out[lib] = median(runs.clone()).into();
                    out[format!("{lib}_runs")] = runs.into();
                }
            }
            out
        })
        .collect();
    let mut out = first.clone();
    out["rates"] = merged.into();
    out
}

/// FLOPs of a whole run as the engine counts them: per layer and example, the forward and
/// `dW` products, and `dA[l-1]` for `l >= 2`.
fn run_flops(spec: &Value) -> f64 {
    let layers: Vec<f64> = spec["layers"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    let m = spec["train"].as_f64().unwrap_or(0.0);
    let epochs = spec["epochs"].as_f64().unwrap_or(0.0);
    let per_example: f64 = layers
        .windows(2)
        .enumerate()
        .map(|(i, p)| 2.0 * p[0] * p[1] * if i == 0 { 2.0 } else { 3.0 })
        .sum();
    per_example * m * epochs
}

/// Bytes of the data matrix, the parameters and Adam's two averages in `dtype`.
fn model_bytes(spec: &Value, dtype: &str) -> f64 {
    let size = if dtype == "f32" { 4.0 } else { 8.0 };
    let layers: Vec<f64> = spec["layers"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    let m = spec["train"].as_f64().unwrap_or(0.0);
    let params: f64 = layers.windows(2).map(|p| p[0] * p[1] + p[1]).sum();
    let (n0, nl) = (layers[0], layers[layers.len() - 1]);
    size * ((n0 + nl) * m + 3.0 * params)
}

/// The workloads asked for (every one when `workloads` is empty), once `runs`, `workloads`
/// and `dtypes` are checked.
pub(super) fn checked_choice<'a>(
    runs: usize,
    workloads: &'a [String],
    dtypes: &[String],
) -> Result<Vec<&'a str>> {
    if runs == 0 {
        bail!("--runs must be at least 1");
    }
    let chosen: Vec<&str> = if workloads.is_empty() {
        WORKLOADS.to_vec()
    } else {
        workloads.iter().map(String::as_str).collect()
    };
    if let Some(w) = chosen.iter().find(|w| !WORKLOADS.contains(w)) {
        bail!("unknown workload {w:?} (cat or mnist)");
    }
    if let Some(d) = dtypes.iter().find(|d| *d != "f32" && *d != "f64") {
        bail!("unknown dtype {d:?} (f64 or f32)");
    }
    Ok(chosen)
}

/// Builds dnn-bench's `minibatch` binary (release) and returns its path.
pub(super) fn build_binary(root: &Path) -> Result<PathBuf> {
    let mut build = crate::process::cargo();
    build.args([
        "build",
        "--release",
        "-p",
        "dnn-bench",
        "--bin",
        "minibatch",
    ]);
    crate::process::run_checked(build, root, "building the minibatch benchmark binary")?;
    Ok(crate::process::target_dir(root)
        .join("release")
        .join("minibatch"))
}

/// The directory of the workloads' data (`<workload>.npz` and `.json`), generated by
/// `minibatch_data.py` with the Python that `python` gives (numpy) where a workload's files
/// are missing.
pub(super) fn ensure_data(
    root: &Path,
    python: impl FnOnce() -> Result<PathBuf>,
    workloads: &[&str],
) -> Result<PathBuf> {
    let data = crate::process::target_dir(root)
        .join("bench")
        .join("minibatch");
    if workloads.iter().any(|w| {
        !data.join(format!("{w}.npz")).is_file() || !data.join(format!("{w}.json")).is_file()
    }) {
        println!(
            "bench: generating the workloads' data in {}",
            data.display()
        );
        let status = Command::new(python()?)
            .arg(root.join("benches/reference/minibatch_data.py"))
            .arg("--out")
            .arg(&data)
            .stdout(Stdio::null())
            .status()
            .context("cannot run minibatch_data.py")?;
        if !status.success() {
            bail!("minibatch_data.py failed ({status})");
        }
    }
    Ok(data)
}

/// Runs the suite and prints the table.
pub fn run(root: &Path, opts: &Options) -> Result<()> {
    let workloads = checked_choice(opts.runs, &opts.workloads, &opts.dtypes)?;
    let python = match &opts.python {
        Some(p) => p.clone(),
        None => ensure_bench_venv(root)?,
    };
    let dnn = build_binary(root)?;
    let target = crate::process::target_dir(root);
    let reference = root.join("benches/reference");
    let data = ensure_data(root, || Ok(python.clone()), &workloads)?;
    let scratch = target.join("bench").join("minibatch-runs");
    std::fs::create_dir_all(&scratch)?;
    let s = |p: &Path| p.to_string_lossy().into_owned();

    let load_before = crate::bench::load_average();
    println!(
        "bench --suite minibatch: {} alternating runs of pytorch, numpy and dnn per workload and dtype; load average {load_before}",
        opts.runs
    );
    // results[(workload, dtype, program)] = runs
    let mut results: Vec<(Key, Vec<Run>)> = Vec::new();
    // One measurement of the plain-product rates per round, beside that round's runs: this
    // machine's speed drifts by a third over minutes, and a rate measured once, before or
    // after all the runs, compared training with a product timed at another speed.
    let mut round_rates: Vec<Value> = Vec::new();
    for i in 0..opts.runs {
        println!(
            "  run {}: numpy's and PyTorch's rate on the plain products (gemm_rate.py), and dnn's (minibatch --products)",
            i + 1
        );
        let rates_file = scratch.join(format!("gemm_rates_{}.json", i + 1));
        let _ = std::fs::remove_file(&rates_file);
        let rate_cmd = vec![
            s(&python),
            s(&reference.join("gemm_rate.py")),
            "--data".into(),
            s(&data),
            "--report".into(),
            s(&rates_file),
        ];
        timed(&rate_cmd, &scratch, "gemm_rate.py")?;
        let mut round = read_json(&rates_file)?;
        // dnn's own rate on the same products, beside numpy's and PyTorch's.
        for w in &workloads {
            for dtype in &opts.dtypes {
                let report = scratch.join(format!("dnn_products_{w}_{dtype}.json"));
                let _ = std::fs::remove_file(&report);
                let cmd = vec![
                    s(&dnn),
                    "--data".into(),
                    s(&data.join(format!("{w}.npz"))),
                    "--dtype".into(),
                    dtype.clone(),
                    "--products".into(),
                    "--report".into(),
                    s(&report),
                ];
                timed(&cmd, &scratch, "dnn --products")?;
                let rate = read_json(&report)?["products_gflops"].clone();
                if let Some(entry) = round["rates"].as_array_mut().and_then(|a| {
                    a.iter_mut()
                        .find(|e| e["workload"] == *w && e["dtype"] == *dtype)
                }) {
                    entry["dnn"] = rate;
                }
            }
        }
        round_rates.push(round);
        for w in &workloads {
            for dtype in &opts.dtypes {
                // Rotate the order from run to run so that no program always goes first.
                for j in 0..PROGRAMS.len() {
                    let program = PROGRAMS[(i + j) % PROGRAMS.len()];
                    let report = scratch.join(format!("{program}_{w}_{dtype}.json"));
                    let _ = std::fs::remove_file(&report);
                    let npz = s(&data.join(format!("{w}.npz")));
                    let np_dtype = if dtype == "f32" { "float32" } else { "float64" };
                    let cmd: Vec<String> = match program {
                        "dnn" => vec![
                            s(&dnn),
                            "--data".into(),
                            npz,
                            "--dtype".into(),
                            dtype.clone(),
                        ],
                        "pytorch" => vec![
                            s(&python),
                            s(&reference.join("minibatch_torch.py")),
                            "--data".into(),
                            npz,
                            "--dtype".into(),
                            np_dtype.into(),
                        ],
                        _ => vec![
                            s(&python),
                            s(&reference.join("minibatch_numpy.py")),
                            "--data".into(),
                            npz,
                            "--dtype".into(),
                            np_dtype.into(),
                        ],
                    };
                    let mut cmd = cmd;
                    cmd.extend(["--report".into(), s(&report)]);
                    let (wall, rss_kib) = timed(&cmd, &scratch, program)?;
                    let report = read_json(&report)?;
                    let run = Run {
                        wall,
                        rss_kib,
                        train: report["train_seconds"].as_f64().unwrap_or(f64::NAN),
                        costs: report["costs"]
                            .as_array()
                            .map(|a| a.iter().filter_map(|p| p[1].as_f64()).collect())
                            .unwrap_or_default(),
                        report,
                    };
                    println!(
                        "  run {} {w} {dtype} {program}: {:.2} s (training {:.2} s)",
                        i + 1,
                        run.wall,
                        run.train
                    );
                    let key = (w.to_string(), dtype.clone(), program);
                    match results.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, runs)) => runs.push(run),
                        None => results.push((key, vec![run])),
                    }
                }
            }
        }
    }
    let load_after_runs = crate::bench::load_average();
    let rates = median_rates(&round_rates);

    let find = |w: &str, d: &str, p: &str| {
        results
            .iter()
            .find(|(k, _)| k.0 == w && k.1 == d && k.2 == p)
            .map(|(_, r)| r.as_slice())
            .unwrap_or(&[])
    };
    println!();
    println!(
        "{} | CPU: {} ({} CPUs) | load average before {load_before}, after the runs {load_after_runs}",
        utc_now(),
        crate::bench::cpu_model(),
        crate::bench::cpu_count()
    );
    println!(
        "command: {}cargo xtask bench --suite minibatch --runs {} | OPENBLAS_CORETYPE={}",
        kernel_caps(),
        opts.runs,
        std::env::var("OPENBLAS_CORETYPE").unwrap_or_else(|_| "(unset)".into())
    );
    let dnn_kernels = results
        .iter()
        .find(|(k, _)| k.2 == "dnn")
        .and_then(|(_, r)| r[0].report["kernels"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let torch_version = results
        .iter()
        .find(|(k, _)| k.2 == "pytorch")
        .and_then(|(_, r)| r[0].report["version"].as_str().map(str::to_owned))
        .unwrap_or_default();
    println!("kernels: dnn (dnn-core engine, minibatch binary of dnn-bench): {dnn_kernels}");
    println!(
        "         PyTorch {torch_version}: {} | numpy: {}",
        rates["torch_kernels"].as_str().unwrap_or("?"),
        rates["numpy_kernels"].as_str().unwrap_or("?")
    );
    println!();
    println!(
        "{:<6} {:<4} {:<8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>12}",
        "work",
        "type",
        "program",
        "wall s",
        "x torch",
        "train s",
        "GFLOP/s",
        "peak MiB",
        "x model",
        "final cost"
    );
    let mut checks = Vec::new();
    for w in &workloads {
        let spec = read_json(&data.join(format!("{w}.json")))?;
        let flops = run_flops(&spec);
        for dtype in &opts.dtypes {
            let torch_wall = median(find(w, dtype, "pytorch").iter().map(|r| r.wall).collect());
            let model = model_bytes(&spec, dtype);
            for program in PROGRAMS {
                let runs = find(w, dtype, program);
                if runs.is_empty() {
                    continue;
                }
                let wall = median(runs.iter().map(|r| r.wall).collect());
                let train = median(runs.iter().map(|r| r.train).collect());
                let rss = runs.iter().filter_map(|r| r.rss_kib).max();
                let final_cost = runs[runs.len() - 1]
                    .costs
                    .last()
                    .copied()
                    .unwrap_or(f64::NAN);
                println!(
                    "{:<6} {:<4} {:<8} {:>8.2} {:>8.2} {:>8.2} {:>8.1} {:>9} {:>8} {:>12.7}",
                    w,
                    dtype,
                    program,
                    wall,
                    wall / torch_wall,
                    train,
                    flops / train / 1e9,
                    rss.map_or("n/a".into(), |k| format!("{:.0}", k as f64 / 1024.0)),
                    rss.map_or("n/a".into(), |k| format!(
                        "{:.2}",
                        k as f64 * 1024.0 / model
                    )),
                    final_cost,
                );
            }
            // Targets for dnn.
            let dnn = find(w, dtype, "dnn");
            if dnn.is_empty() {
                continue;
            }
            let wall = median(dnn.iter().map(|r| r.wall).collect());
            let train = median(dnn.iter().map(|r| r.train).collect());
            let rate = flops / train / 1e9;
            let plain = rate_entry(&rates, w, dtype).map(|e| {
                let np = e["numpy"].as_f64().unwrap_or(0.0);
                let pt = e["pytorch"].as_f64().unwrap_or(0.0);
                let (rate, who, key) = if pt >= np {
                    (pt, "PyTorch", "pytorch_runs")
                } else {
                    (np, "numpy", "numpy_runs")
                };
                let (_, lo, hi) = round_range(e, key);
                // The fastest single round of either library: the strictest reading of
                // "the best rate the bench measures".
                let fastest = ["numpy_runs", "pytorch_runs"]
                    .iter()
                    .filter_map(|k| e[*k].as_array())
                    .flatten()
                    .filter_map(Value::as_f64)
                    .fold(0.0f64, f64::max);
                (rate, who, lo, hi, fastest)
            });
            let rss = dnn.iter().filter_map(|r| r.rss_kib).max();
            let phases = &dnn[dnn.len() - 1].report["phases"];
            // Each figure beside its target, said met or missed on the unrounded value (a
            // wall of 0.3328 printed as 0.33 had missed).
            let verdict = |met: bool| if met { "met" } else { "MISSED" };
            let wall_ratio = wall / torch_wall;
            let share = plain.map(|(p, ..)| 100.0 * rate / p);
            let rss_ratio = rss.map(|k| k as f64 * 1024.0 / model);
            checks.push(format!(
                "{w} {dtype}: dnn wall {wall_ratio:.3} x PyTorch's (target <= {WALL_TARGET}: {}){}; training rate {rate:.1} GFLOP/s = {} of the plain-product rate{} (target >= {RATE_TARGET} %: {}){}; peak RSS {} x (data + parameters + Adam state = {:.0} MiB) (target <= {RSS_TARGET}: {}); dnn phases (last run, s): gather {:.3}, forward {:.3}, cost {:.3}, backward {:.3}, update {:.3}; weight steps of wide layers: {}",
                verdict(wall_ratio <= WALL_TARGET),
                if find(w, dtype, "pytorch").is_empty() { " (no PyTorch run)" } else { "" },
                share.map_or("?".into(), |s| format!("{s:.1} %")),
                plain.map_or(String::new(), |(p, who, lo, hi, _)| format!(
                    " ({p:.1} GFLOP/s, {who}, median of {} rounds: {lo:.1} to {hi:.1})",
                    round_rates.len()
                )),
                verdict(share.is_some_and(|s| s >= RATE_TARGET)),
                plain.map_or(String::new(), |(.., fastest)| format!(
                    ", {:.0} % of the fastest round ({fastest:.1} GFLOP/s)",
                    100.0 * rate / fastest
                )),
                rss_ratio.map_or("n/a".into(), |r| format!("{r:.2}")),
                model / 1048576.0,
                verdict(rss_ratio.is_some_and(|r| r <= RSS_TARGET)),
                phases["gather"].as_f64().unwrap_or(f64::NAN),
                phases["forward"].as_f64().unwrap_or(f64::NAN),
                phases["cost"].as_f64().unwrap_or(f64::NAN),
                phases["backward"].as_f64().unwrap_or(f64::NAN),
                phases["update"].as_f64().unwrap_or(f64::NAN),
                dnn.iter()
                    .map(|r| r.report["step_order"].as_str().unwrap_or("?"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
            // How far the training rate is from the plain products' because of the kernel, and
            // how far because of the rest of the step.
            if let Some(line) =
                own_products_line(&rates, w, dtype, rate, plain.map(|(p, who, ..)| (p, who)))
            {
                checks.push(line);
            }
            // The same work: dnn's costs against numpy's in the same dtype.
            if let Some(np) = find(w, dtype, "numpy").last() {
                let worst = dnn[dnn.len() - 1]
                    .costs
                    .iter()
                    .zip(&np.costs)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                checks.push(format!(
                    "{w} {dtype}: dnn's epoch costs vs numpy's: largest difference {worst:.1e}"
                ));
            }
        }
    }
    println!();
    println!("wall s: median over the runs of the whole process (start-up and data loading included); x torch: over PyTorch's median in the same dtype;");
    println!("train s: median training seconds as each program reports them; GFLOP/s: the engine's FLOPs of the run (forward, dW, dA for l >= 2) over train s;");
    println!("peak MiB: the largest max RSS of any run; x model: that over the bytes of the data matrix, parameters and Adam's two averages.");
    for c in checks {
        println!("{c}");
    }
    Ok(())
}

/// The merged rates' entry ([`median_rates`]) of workload `w` in `dtype`, if it was measured.
fn rate_entry<'a>(rates: &'a Value, w: &str, dtype: &str) -> Option<&'a Value> {
    rates["rates"]
        .as_array()?
        .iter()
        .find(|e| e["workload"] == w && e["dtype"] == dtype)
}

/// The rounds' rates under `key` of a merged entry ([`median_rates`], e.g. `pytorch_runs`):
/// how many, the lowest and the highest.
fn round_range(entry: &Value, key: &str) -> (usize, f64, f64) {
    let runs: Vec<f64> = entry[key]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    let (lo, hi) = runs
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(l, h), &r| (l.min(r), h.max(r)));
    (runs.len(), lo, hi)
}

/// `"{w} {dtype}: dnn's GEMM on the same plain products: R GFLOP/s (median of N rounds: lo to
/// hi) = X % of PyTorch's; training ran at Y % of it"`, from the merged rates
/// ([`median_rates`]) and the training rate; `None` where dnn's rate was not measured.
fn own_products_line(
    rates: &Value,
    w: &str,
    dtype: &str,
    training: f64,
    plain: Option<(f64, &str)>,
) -> Option<String> {
    let entry = rate_entry(rates, w, dtype)?;
    let own = entry["dnn"].as_f64().filter(|r| *r > 0.0)?;
    let (rounds, lo, hi) = round_range(entry, "dnn_runs");
    Some(format!(
        "{w} {dtype}: dnn's GEMM on the same plain products: {own:.1} GFLOP/s (median of {} rounds: {lo:.1} to {hi:.1}){}; training ran at {:.0} % of it",
        rounds,
        plain.map_or(String::new(), |(p, who)| format!(" = {:.0} % of {who}'s", 100.0 * own / p)),
        100.0 * training / own
    ))
}

/// The variables that cap the kernels of dnn, MKL (PyTorch's BLAS) and PyTorch's own
/// operators, as `NAME=value ` for each that is set: with all three (and `OPENBLAS_CORETYPE`,
/// printed after the command) a run on an AVX-512 machine stands for one without it, every
/// program on 256-bit kernels (see docs/performance.md).
fn kernel_caps() -> String {
    [
        "DNN_GEMM_KERNELS",
        "MKL_ENABLE_INSTRUCTIONS",
        "ATEN_CPU_CAPABILITY",
    ]
    .iter()
    .filter_map(|name| std::env::var(name).ok().map(|v| format!("{name}={v} ")))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cat_workload_counts_the_engines_flops() {
        let spec: Value =
            serde_json::json!({"layers": [12288, 256, 64, 1], "train": 4096, "epochs": 3});
        // (2·12288·256·2 + 2·(256·64 + 64·1)·3) per example, 4096 examples, 3 epochs.
        let per_example = 2.0 * 12288.0 * 256.0 * 2.0 + 2.0 * (256.0 * 64.0 + 64.0) * 3.0;
        assert_eq!(run_flops(&spec), per_example * 4096.0 * 3.0);
        assert!((run_flops(&spec) / 1e9 - 155.5).abs() < 0.5);
    }

    #[test]
    fn the_model_bytes_are_data_parameters_and_two_averages() {
        let spec: Value = serde_json::json!({"layers": [3, 2, 1], "train": 10});
        let params = (3.0 * 2.0 + 2.0) + (2.0 * 1.0 + 1.0);
        assert_eq!(
            model_bytes(&spec, "f64"),
            8.0 * ((3.0 + 1.0) * 10.0 + 3.0 * params)
        );
        assert_eq!(model_bytes(&spec, "f32"), model_bytes(&spec, "f64") / 2.0);
    }

    #[test]
    fn dnns_own_product_rate_is_merged_over_rounds_and_set_beside_the_plain_rate() {
        let round = |numpy: f64, torch: f64, dnn: f64| {
            serde_json::json!({"rates": [
                {"workload": "mnist", "dtype": "f32", "numpy": numpy, "pytorch": torch, "dnn": dnn},
                {"workload": "mnist", "dtype": "f64", "numpy": 1.0, "pytorch": 2.0},
            ]})
        };
        let rates = median_rates(&[
            round(150.0, 400.0, 210.0),
            round(160.0, 380.0, 190.0),
            round(170.0, 420.0, 200.0),
        ]);
        let line = own_products_line(&rates, "mnist", "f32", 100.0, Some((400.0, "PyTorch")));
        assert_eq!(
            line.as_deref(),
            Some(
                "mnist f32: dnn's GEMM on the same plain products: 200.0 GFLOP/s (median of 3 \
                 rounds: 190.0 to 210.0) = 50 % of PyTorch's; training ran at 50 % of it"
            )
        );
        // Not measured for f64, nor for a workload the rounds did not run.
        assert_eq!(own_products_line(&rates, "mnist", "f64", 1.0, None), None);
        assert_eq!(own_products_line(&rates, "cat", "f32", 1.0, None), None);
    }
}
