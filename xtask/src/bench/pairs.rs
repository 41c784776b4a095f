//! `cargo xtask bench --suite pairs --base PATH`: two builds of dnn-bench's `minibatch`
//! binary against each other, on the workloads of `--suite minibatch`.
//!
//! On a shared machine the speed drifts by a fifth within minutes, so a change of a few per
//! cent shows only in pairs: the two binaries run one after the other, `--runs` times per
//! workload and dtype, and each pair gives a ratio, new over base. Each goes first in turn:
//! run always in one order, two copies of one binary gave the second 1.035 times the first's
//! training time (cat f64, 10 pairs, 8 to the first; Emerald Rapids under KVM). The table has
//! both medians, the median of the ratios and how many pairs the new binary won, for the
//! whole process, the training and its phases, and says whether the two trained to the same
//! bits (their epoch costs compared exactly).
//!
//! The base is a `minibatch` binary built from another commit, for instance:
//!
//! ```text
//! git worktree add ../base <commit>
//! cargo build --release -p dnn-bench --bin minibatch --manifest-path ../base/Cargo.toml
//! cargo xtask bench --suite pairs --base ../base/target/release/minibatch --workload cat --dtype f32 --runs 12
//! ```

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::bench::minibatch::{build_binary, checked_choice, ensure_data};
use crate::bench::{median, timed};

/// What `cargo xtask bench --suite pairs` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// Pairs per workload and dtype.
    pub runs: usize,
    /// `f64`, `f32` or both.
    pub dtypes: Vec<String>,
    /// Workloads to run (`cat`, `mnist`); both when empty.
    pub workloads: Vec<String>,
    /// The binary to compare against.
    pub base: PathBuf,
    /// The new binary; this checkout's, built, when `None`.
    pub new: Option<PathBuf>,
    /// A Python with numpy, for the workloads' data if it is missing (default: the project's venv).
    pub python: Option<PathBuf>,
}

/// What each run measured: the whole process, then the report's training seconds and phases.
const MEASURES: [&str; 6] = [
    "process", "training", "forward", "update", "backward", "gather",
];

/// One run of one binary.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    /// Seconds, in the order of [`MEASURES`].
    seconds: [f64; 6],
    /// The epoch costs' bits.
    costs: Vec<u64>,
}

impl Run {
    fn of(wall: f64, report: &Value) -> Result<Run> {
        let phase = |name: &str| {
            report["phases"][name]
                .as_f64()
                .with_context(|| format!("the report has no phase {name:?}"))
        };
        let costs = report["costs"]
            .as_array()
            .context("the report has no costs")?
            .iter()
            .map(|pair| pair[1].as_f64().map(f64::to_bits))
            .collect::<Option<Vec<_>>>()
            .context("a cost that is not a number")?;
        Ok(Run {
            seconds: [
                wall,
                report["train_seconds"]
                    .as_f64()
                    .context("the report has no train_seconds")?,
                phase("forward")?,
                phase("update")?,
                phase("backward")?,
                phase("gather")?,
            ],
            costs,
        })
    }
}

/// One measure over the pairs: both medians, the median of the ratios new / base, and how
/// many pairs the new binary took less time in.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Comparison {
    base: f64,
    new: f64,
    ratio: f64,
    faster: usize,
    pairs: usize,
}

/// [`Comparison`] of `base[i]` with `new[i]`, pair by pair (the shorter length).
fn compare(base: &[f64], new: &[f64]) -> Comparison {
    let ratios: Vec<f64> = base.iter().zip(new).map(|(b, n)| n / b).collect();
    Comparison {
        base: median(base.to_vec()),
        new: median(new.to_vec()),
        ratio: median(ratios.clone()),
        faster: ratios.iter().filter(|&&r| r < 1.0).count(),
        pairs: ratios.len(),
    }
}

/// Runs the suite and prints the comparison.
pub fn run(root: &Path, opts: &Options) -> Result<()> {
    let workloads = checked_choice(opts.runs, &opts.workloads, &opts.dtypes)?;
    if !opts.base.is_file() {
        bail!(
            "--base {}: no such file (a minibatch binary built from another commit; see xtask/src/bench/pairs.rs)",
            opts.base.display()
        );
    }
    let new = match &opts.new {
        Some(p) => p.clone(),
        None => build_binary(root)?,
    };
    let python = || match &opts.python {
        Some(p) => Ok(p.clone()),
        None => crate::python::ensure_venv(root),
    };
    let data = ensure_data(root, python, &workloads)?;
    let scratch = crate::process::target_dir(root)
        .join("bench")
        .join("pairs-runs");
    std::fs::create_dir_all(&scratch)?;
    let binaries = [("base", opts.base.as_path()), ("new", new.as_path())];
    println!(
        "bench --suite pairs: {} pairs per workload and dtype, in turn first; load average {}\n  base {}\n  new  {}",
        opts.runs,
        crate::bench::load_average(),
        opts.base.display(),
        new.display()
    );
    for w in &workloads {
        for dtype in &opts.dtypes {
            let mut runs: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
            let mut kernels = [String::new(), String::new()];
            for i in 0..opts.runs {
                for j in 0..2 {
                    let which = (i + j) % 2;
                    let (name, binary) = binaries[which];
                    let report = scratch.join(format!("{name}.json"));
                    let _ = std::fs::remove_file(&report);
                    let cmd: Vec<String> = vec![
                        binary.to_string_lossy().into_owned(),
                        "--data".into(),
                        data.join(format!("{w}.npz")).to_string_lossy().into_owned(),
                        "--dtype".into(),
                        dtype.clone(),
                        "--report".into(),
                        report.to_string_lossy().into_owned(),
                    ];
                    let (wall, _) = timed(&cmd, &scratch, name)?;
                    let text = std::fs::read_to_string(&report)
                        .with_context(|| format!("{}", report.display()))?;
                    let value: Value = serde_json::from_str(&text)
                        .with_context(|| format!("{}", report.display()))?;
                    kernels[which] = value["kernels"].as_str().unwrap_or("?").to_owned();
                    runs[which].push(Run::of(wall, &value)?);
                }
            }
            print_comparison(w, dtype, &runs, &kernels);
        }
    }
    Ok(())
}

fn print_comparison(workload: &str, dtype: &str, runs: &[Vec<Run>; 2], kernels: &[String; 2]) {
    let pairs = runs[0].len();
    println!("\n{workload} {dtype}, {pairs} pairs");
    for (name, k) in ["base", "new"].iter().zip(kernels) {
        println!("  {name} kernels: {k}");
    }
    println!(
        "  {:<10} {:>12} {:>12} {:>12} {:>12}",
        "seconds", "base median", "new median", "pair ratio", "new faster"
    );
    for (m, measure) in MEASURES.iter().enumerate() {
        let of = |r: &Vec<Run>| r.iter().map(|run| run.seconds[m]).collect::<Vec<_>>();
        let c = compare(&of(&runs[0]), &of(&runs[1]));
        println!(
            "  {:<10} {:>12.3} {:>12.3} {:>12.3} {:>9} of {}",
            measure, c.base, c.new, c.ratio, c.faster, c.pairs
        );
    }
    match cost_difference(runs.iter().flatten()) {
        None => println!("  epoch costs: the same bits in every run of both"),
        Some(largest) => {
            println!("  epoch costs: they differ (largest difference {largest:.1e})")
        }
    }
}

/// `None` if every run's epoch costs have the first run's bits (and number); otherwise the
/// largest difference from the first run's (infinite where the numbers of epochs differ).
fn cost_difference<'a>(mut runs: impl Iterator<Item = &'a Run>) -> Option<f64> {
    let first = &runs.next()?.costs;
    let mut largest = None;
    for run in runs.filter(|r| &r.costs != first) {
        let d = if run.costs.len() != first.len() {
            f64::INFINITY
        } else {
            run.costs
                .iter()
                .zip(first)
                .map(|(&a, &b)| (f64::from_bits(a) - f64::from_bits(b)).abs())
                .fold(0.0, f64::max)
        };
        largest = Some(largest.map_or(d, |l: f64| l.max(d)));
    }
    largest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_give_medians_the_median_ratio_and_the_pairs_won() {
        let base = [1.0, 2.0, 1.5, 1.2];
        let new = [0.9, 2.2, 1.2, 1.2];
        let c = compare(&base, &new);
        assert_eq!((c.base, c.new), (1.35, 1.2));
        // Ratios 0.9, 1.1, 0.8, 1.0: median (0.9 + 1.0) / 2, two of four below 1.
        assert!((c.ratio - 0.95).abs() < 1e-12, "{}", c.ratio);
        assert_eq!((c.faster, c.pairs), (2, 4));
    }

    #[test]
    fn costs_agree_only_to_the_bit() {
        let run = |costs: &[f64]| Run {
            seconds: [1.0; 6],
            costs: costs.iter().map(|c| c.to_bits()).collect(),
        };
        let a = run(&[0.7, 0.69]);
        assert_eq!(cost_difference([&a, &a.clone()].into_iter()), None);
        // -0.0 and 0.0 compare equal as numbers, not as bits.
        let (zero, minus_zero) = (run(&[0.0]), run(&[-0.0]));
        assert_eq!(cost_difference([&zero, &minus_zero].into_iter()), Some(0.0));
        let b = run(&[0.7, 0.69 + 1e-9]);
        let d = cost_difference([&a, &b, &a].into_iter()).unwrap();
        assert!((d - 1e-9).abs() < 1e-15, "{d}");
        let short = run(&[0.7]);
        assert_eq!(
            cost_difference([&a, &short].into_iter()),
            Some(f64::INFINITY)
        );
    }

    #[test]
    fn a_run_reads_the_minibatch_report() {
        let report: Value = serde_json::from_str(
            r#"{"train_seconds": 1.5, "costs": [[0, 0.7258280854098609], [1, 0.6933139131279289]],
                "phases": {"forward": 0.5, "update": 0.8, "backward": 0.01, "gather": 0.05, "cost": 0.001}}"#,
        )
        .unwrap();
        let run = Run::of(1.9, &report).unwrap();
        assert_eq!(run.seconds, [1.9, 1.5, 0.5, 0.8, 0.01, 0.05]);
        assert_eq!(f64::from_bits(run.costs[1]), 0.6933139131279289);
        let missing: Value =
            serde_json::from_str(r#"{"train_seconds": 1.5, "costs": []}"#).unwrap();
        let err = Run::of(1.0, &missing).unwrap_err().to_string();
        assert!(err.contains("phase"), "{err}");
    }
}
