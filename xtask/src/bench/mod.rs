//! `cargo xtask bench`: three suites, each a comparison a user would make, whole processes,
//! alternating runs.
//!
//! * `--suite train` (this file): `dnn train` side by side with the numpy reference
//!   (`benches/reference/numpy_cat.py`) on the published run;
//! * `--suite load` ([`load`]): loading an image folder and a CSV table, with peak memory;
//! * `--suite minibatch` ([`minibatch`]): mini-batch Adam workloads against PyTorch and numpy;
//! * `--suite pairs` ([`pairs`]): two builds of the mini-batch binary against each other.
//!
//! For each dtype, the numpy script and `target/release/dnn train --quiet` run one after
//! the other `--runs` times. Wall time is the child's whole life (start-up and data loading
//! included); peak memory is its maximum resident set as `/usr/bin/time -f %M` reports it
//! (when `/usr/bin/time` exists). Training seconds, costs and accuracies come from each
//! program's JSON report. GFLOP/s counts the same useful work for both: the engine's
//! `flops_per_iteration` (the forward GEMMs, `dW[l]`, `dA[l-1]` for `l >= 2`) times the
//! iterations, over each program's training seconds.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use dnn_report::TrainReport;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::fetch::{self, FetchArgs};
use crate::process::{build_release_dnn, target_dir};
use crate::{python, setup};

mod load;
mod minibatch;
mod pairs;

/// The flags of `cargo xtask bench`.
#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// What to time: `train` (dnn train against numpy on the published run), `load` (loading
    /// an image folder and a CSV table, with peak memory; xtask/src/bench/load.rs) or
    /// `minibatch` (mini-batch Adam workloads against PyTorch and numpy;
    /// xtask/src/bench/minibatch.rs) or `pairs` (this checkout's mini-batch binary against
    /// `--base`'s, in alternating pairs; xtask/src/bench/pairs.rs).
    #[arg(long, default_value = "train", value_parser = ["train", "load", "minibatch", "pairs"])]
    pub suite: String,
    /// With `--suite pairs`: the `minibatch` binary to compare against, built from another
    /// commit.
    #[arg(long, value_name = "PATH")]
    pub base: Option<PathBuf>,
    /// With `--suite minibatch` or `pairs`: only this workload (repeatable): cat, mnist.
    #[arg(long = "workload", value_name = "NAME")]
    pub workloads: Vec<String>,
    /// Alternating runs per program and dtype (the table shows medians).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Use this dnn binary instead of building target/release/dnn (with `--suite pairs`: this
    /// minibatch binary instead of building it).
    #[arg(long, value_name = "PATH")]
    pub dnn: Option<PathBuf>,
    /// A Python with numpy and h5py (default: the project's venv, created if missing).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Element types to compare (repeatable): f64, f32.
    #[arg(long = "dtype", value_name = "TYPE", default_values_t = ["f64".to_string(), "f32".to_string()])]
    pub dtypes: Vec<String>,
}

/// What `benches/reference/numpy_cat.py --report` writes (the fields the table uses).
#[derive(Debug, Deserialize)]
struct NumpyReport {
    /// `[iteration, cost]` pairs.
    costs: Vec<(u64, f64)>,
    train_accuracy: f64,
    test_accuracy: f64,
    train_seconds: f64,
}

/// One finished run of either program.
#[derive(Debug, Clone)]
struct Run {
    wall: f64,
    max_rss_kib: Option<u64>,
    train_seconds: f64,
    gflops: Option<f64>,
    costs: Vec<(u64, f64)>,
    train_accuracy: f64,
    test_accuracy: f64,
}

/// All runs of one program in one dtype.
struct Series {
    program: &'static str,
    dtype: String,
    runs: Vec<Run>,
}

impl Series {
    fn median_wall(&self) -> f64 {
        median(self.runs.iter().map(|r| r.wall).collect())
    }
    fn median_train(&self) -> f64 {
        median(self.runs.iter().map(|r| r.train_seconds).collect())
    }
    fn max_rss(&self) -> Option<u64> {
        self.runs.iter().filter_map(|r| r.max_rss_kib).max()
    }
    fn last(&self) -> &Run {
        self.runs.last().expect("at least one run")
    }
}

/// The median of `v` (NaN when it is empty).
pub(super) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

pub(crate) fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "?".into())
}

pub(crate) fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `cmd` to completion with its output discarded; returns wall seconds and the peak
/// RSS in KiB (through `/usr/bin/time` when present).
pub(super) fn timed(cmd: &[String], scratch: &Path, what: &str) -> Result<(f64, Option<u64>)> {
    let time_bin = Path::new("/usr/bin/time");
    let rss_file = scratch.join("rss.txt");
    let _ = std::fs::remove_file(&rss_file);
    let mut command = if time_bin.is_file() {
        let mut c = Command::new(time_bin);
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).args(cmd);
        c
    } else {
        let mut c = Command::new(&cmd[0]);
        c.args(&cmd[1..]);
        c
    };
    let stderr_file = scratch.join("stderr.txt");
    command
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_file)?);
    let start = Instant::now();
    let status = command
        .status()
        .with_context(|| format!("cannot start {what}"))?;
    let wall = start.elapsed().as_secs_f64();
    if !status.success() {
        let err = std::fs::read_to_string(&stderr_file).unwrap_or_default();
        bail!("{what} failed ({status}): {}", err.trim());
    }
    let rss = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()));
    Ok((wall, rss))
}

/// Reads a JSON report.
fn read_report<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the report {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not the report expected here", path.display()))
}

impl Run {
    fn of_numpy(wall: f64, rss: Option<u64>, r: NumpyReport) -> Run {
        Run {
            wall,
            max_rss_kib: rss,
            train_seconds: r.train_seconds,
            gflops: None,
            costs: r.costs,
            train_accuracy: r.train_accuracy,
            test_accuracy: r.test_accuracy,
        }
    }

    fn of_dnn(wall: f64, rss: Option<u64>, r: TrainReport) -> Run {
        Run {
            wall,
            max_rss_kib: rss,
            train_seconds: r.train_seconds,
            gflops: r.gflops,
            costs: r.costs.iter().map(|&(i, c)| (i as u64, c)).collect(),
            // The cat runs classify: a report without accuracies shows as NaN (and DIFFER).
            train_accuracy: r.train_accuracy.unwrap_or(f64::NAN),
            test_accuracy: r.test_accuracy.unwrap_or(f64::NAN),
        }
    }
}

/// Largest difference between two cost curves at the iterations both recorded.
fn max_cost_diff(a: &[(u64, f64)], b: &[(u64, f64)]) -> f64 {
    a.iter()
        .filter_map(|(i, c)| b.iter().find(|(j, _)| j == i).map(|(_, d)| (c - d).abs()))
        .fold(0.0, f64::max)
}

/// Runs the comparison and prints the table.
pub fn run(root: &Path, opts: &BenchArgs) -> Result<()> {
    setup::libraries()?;
    match opts.suite.as_str() {
        "load" => return load::run(root, opts.runs),
        "minibatch" => {
            return minibatch::run(
                root,
                &minibatch::Options {
                    runs: opts.runs,
                    dtypes: opts.dtypes.clone(),
                    python: opts.python.clone(),
                    workloads: opts.workloads.clone(),
                },
            )
        }
        "pairs" => {
            let Some(base) = opts.base.clone() else {
                bail!(
                    "--suite pairs needs --base PATH: a minibatch binary built from another commit"
                );
            };
            return pairs::run(
                root,
                &pairs::Options {
                    runs: opts.runs,
                    dtypes: opts.dtypes.clone(),
                    workloads: opts.workloads.clone(),
                    base,
                    new: opts.dnn.clone(),
                    python: opts.python.clone(),
                },
            );
        }
        _ => {}
    }
    if opts.runs == 0 {
        bail!("--runs must be at least 1");
    }
    fetch::run(root, &FetchArgs::default())?;
    let data = root.join("data");
    let dnn = match &opts.dnn {
        Some(p) => p.clone(),
        None => build_release_dnn(root)?,
    };
    let python = match &opts.python {
        Some(p) => p.clone(),
        None => python::ensure_venv(root)?,
    };
    let script = root.join("benches/reference/numpy_cat.py");
    let scratch = target_dir(root).join("bench");
    std::fs::create_dir_all(&scratch)?;
    let s = |p: &Path| p.to_string_lossy().into_owned();

    let load_before = load_average();
    println!(
        "bench: {} alternating runs per program and dtype; load average {load_before}",
        opts.runs
    );
    let mut series: Vec<Series> = Vec::new();
    for dtype in &opts.dtypes {
        let np_dtype = match dtype.as_str() {
            "f64" => "float64",
            "f32" => "float32",
            other => bail!("unknown dtype {other:?} (f64 or f32)"),
        };
        let mut numpy = Series {
            program: "numpy",
            dtype: dtype.clone(),
            runs: Vec::new(),
        };
        let mut ours = Series {
            program: "dnn",
            dtype: dtype.clone(),
            runs: Vec::new(),
        };
        for i in 0..opts.runs {
            let np_report = scratch.join(format!("numpy_{dtype}.json"));
            let cmd = vec![
                s(&python),
                s(&script),
                "--data".into(),
                s(&data),
                "--arch".into(),
                "deep".into(),
                "--dtype".into(),
                np_dtype.into(),
                "--report".into(),
                s(&np_report),
            ];
            let (wall, rss) = timed(&cmd, &scratch, "the numpy reference")?;
            numpy
                .runs
                .push(Run::of_numpy(wall, rss, read_report(&np_report)?));

            let report = scratch.join(format!("dnn_{dtype}.json"));
            let cmd = vec![
                s(&dnn),
                "train".into(),
                "--data".into(),
                s(&data),
                "--quiet".into(),
                "--dtype".into(),
                dtype.clone(),
                "--save".into(),
                s(&scratch.join(format!("model_{dtype}.h5"))),
                "--report".into(),
                s(&report),
            ];
            let (wall, rss) = timed(&cmd, &scratch, "dnn train")?;
            ours.runs
                .push(Run::of_dnn(wall, rss, read_report(&report)?));
            println!(
                "  {dtype} run {}: numpy {:.2} s, dnn {:.2} s",
                i + 1,
                numpy.runs[i].wall,
                ours.runs[i].wall
            );
        }
        series.push(numpy);
        series.push(ours);
    }
    let load_after = load_average();

    // The engine's useful FLOPs of one run, from its report: the same work for numpy.
    let flops_of = |dtype: &str| {
        series
            .iter()
            .find(|s| s.program == "dnn" && s.dtype == dtype)
            .and_then(|s| {
                let r = s.last();
                r.gflops.map(|g| g * 1e9 * r.train_seconds)
            })
    };
    let numpy_f64 = series
        .iter()
        .find(|s| s.program == "numpy" && s.dtype == "f64")
        .map(Series::median_wall);

    println!();
    println!(
        "{} | CPU: {} ({} CPUs) | load average before {load_before}, after {load_after}",
        utc_now(),
        cpu_model(),
        cpu_count()
    );
    println!(
        "command: cargo xtask bench --runs {} (dnn: {}; numpy: {})",
        opts.runs,
        dnn.display(),
        python.display()
    );
    println!();
    println!(
        "{:<6} {:<4} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9} {:>11} {:>9} {:>9}",
        "prog",
        "type",
        "wall s",
        "x np f64",
        "x np same",
        "train s",
        "peak MiB",
        "GFLOP/s",
        "final cost",
        "train acc",
        "test acc"
    );
    for s in &series {
        let same = series
            .iter()
            .find(|o| o.program == "numpy" && o.dtype == s.dtype)
            .map(Series::median_wall);
        let flops = flops_of(&s.dtype);
        let gflops = flops.map(|f| f / s.median_train() / 1e9);
        let last = s.last();
        println!(
            "{:<6} {:<4} {:>9.3} {:>9} {:>9} {:>9.3} {:>10} {:>9} {:>11.6} {:>9.6} {:>9.6}",
            s.program,
            s.dtype,
            s.median_wall(),
            numpy_f64.map_or("-".into(), |n| format!("{:.3}", s.median_wall() / n)),
            same.map_or("-".into(), |n| format!("{:.3}", s.median_wall() / n)),
            s.median_train(),
            s.max_rss()
                .map_or("n/a".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
            gflops.map_or("-".into(), |g| format!("{g:.1}")),
            last.costs.last().map_or(f64::NAN, |c| c.1),
            last.train_accuracy,
            last.test_accuracy,
        );
    }
    println!();
    println!(
        "wall s: median over the runs of the whole process (start-up and data loading included);"
    );
    println!("x np f64 / x np same: that median over numpy's in float64 / in the same dtype;");
    println!("peak MiB: the largest max RSS of any run; GFLOP/s: the textbook form's FLOPs over the median training seconds (an equivalent rate when dnn trains in Gram form, see README).");

    // Agreement: dnn f64 with numpy f64; dnn f32 with dnn f64.
    let find = |p: &str, d: &str| series.iter().find(|s| s.program == p && s.dtype == d);
    if let (Some(ours), Some(np)) = (find("dnn", "f64"), find("numpy", "f64")) {
        let (a, b) = (ours.last(), np.last());
        println!(
            "dnn f64 vs numpy f64: largest cost difference {:.1e} over {} recorded iterations; accuracies {}",
            max_cost_diff(&a.costs, &b.costs),
            a.costs.len(),
            if (a.train_accuracy, a.test_accuracy) == (b.train_accuracy, b.test_accuracy) { "equal" } else { "DIFFER" }
        );
    }
    if let (Some(f32s), Some(f64s)) = (find("dnn", "f32"), find("dnn", "f64")) {
        let (a, b) = (f32s.last(), f64s.last());
        let final_diff = match (a.costs.last(), b.costs.last()) {
            (Some(x), Some(y)) => (x.1 - y.1).abs(),
            _ => f64::NAN,
        };
        println!(
            "dnn f32 vs dnn f64: final cost difference {final_diff:.1e}, largest {:.1e}; accuracies {}",
            max_cost_diff(&a.costs, &b.costs),
            if (a.train_accuracy, a.test_accuracy) == (b.train_accuracy, b.test_accuracy) { "equal" } else { "DIFFER" }
        );
    }
    Ok(())
}

/// The current UTC time as `YYYY-MM-DD HH:MM UTC` (no date crate needed).
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn numpy_and_dnn_reports_are_read_and_their_costs_compared() {
        let dir = tempfile::tempdir().expect("tempdir");
        let np = dir.path().join("numpy.json");
        // As benches/reference/numpy_cat.py writes it.
        std::fs::write(
            &np,
            r#"{"arch": "deep", "dtype": "float64", "iterations": 300,
                "costs": [[0, 0.7717493284237688], [100, 0.6]], "train_accuracy": 0.77,
                "test_accuracy": 0.48, "train_seconds": 2.5}"#,
        )
        .expect("write");
        let np = Run::of_numpy(3.0, None, read_report(&np).expect("numpy report"));
        // A report written by `dnn train` (dnn-report's fixture).
        let ours = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/dnn-report/tests/data/train_default.json");
        let ours = Run::of_dnn(3.0, None, read_report(&ours).expect("dnn report"));
        assert_eq!((ours.costs[0].0, ours.costs[1].0), (0, 100));
        assert!((ours.costs[0].1 - 0.7717493284237688).abs() < 1e-12);
        assert!(ours.gflops.is_some() && np.gflops.is_none());
        let largest = (np.costs[0].1 - ours.costs[0].1)
            .abs()
            .max((0.6 - ours.costs[1].1).abs());
        assert_eq!(max_cost_diff(&np.costs, &ours.costs), largest);
        let wrong: Result<TrainReport> = read_report(&dir.path().join("numpy.json"));
        assert!(wrong.is_err(), "a numpy report is not a dnn report");
    }

    #[test]
    fn the_date_is_plausible() {
        assert!(utc_now().starts_with("20"));
    }
}
