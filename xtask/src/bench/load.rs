//! `cargo xtask bench --suite load`: how fast dnn-data loads people's data, and how much
//! memory it takes, against the budgets:
//!
//! * an image folder of 10,000 JPEG pictures of 64x64 pixels: at most 3 s;
//! * a CSV table of 100,000 rows and 100 numeric columns: at most 2 s;
//! * peak resident memory while loading: at most 1.5 times the final `f64` matrices.
//!
//! The fixtures are written once under `target/bench-load/` by dnn-bench's `load_data`
//! binary (built in release), which also does the measuring: each run is a fresh process
//! that calls `dnn_data::load` and prints its time, the matrices' size and its own peak
//! resident memory (`VmHWM`), so the peak covers everything the process held. The table
//! shows the median wall time, the median CPU time (all threads; on a busy machine the wall
//! time is the CPU share the loader got) and the largest peak of `--runs` runs. Nothing
//! fails on a slow run (the machine is shared); the verdict column says how each compares.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::bench::median;
use crate::process::{cargo, run_checked, target_dir};

/// One data set of the suite: what it is, how `load_data` writes it, its time budget.
struct Case {
    name: &'static str,
    file: &'static str,
    generate: &'static [&'static str],
    budget_seconds: f64,
}

const CASES: [Case; 2] = [
    Case {
        name: "image folder: 10,000 JPEGs of 64x64, 10 classes",
        file: "jpegs",
        generate: &[
            "images",
            "--count",
            "10000",
            "--size",
            "64",
            "--classes",
            "10",
        ],
        budget_seconds: 3.0,
    },
    Case {
        name: "CSV: 100,000 rows x 100 columns, 5 classes",
        file: "table.csv",
        generate: &["csv", "--rows", "100000", "--cols", "100", "--classes", "5"],
        budget_seconds: 2.0,
    },
];

/// The largest peak memory allowed, as a multiple of the final f64 matrices.
const MEMORY_BUDGET: f64 = 1.5;

fn build_load_data(root: &Path) -> Result<PathBuf> {
    let mut cmd = cargo();
    cmd.args([
        "build",
        "--release",
        "-p",
        "dnn-bench",
        "--bin",
        "load_data",
    ]);
    run_checked(cmd, root, "building dnn-bench's load_data")?;
    Ok(target_dir(root).join("release").join("load_data"))
}

/// Runs the load suite `runs` times per data set and prints the table.
pub fn run(root: &Path, runs: usize) -> Result<()> {
    if runs == 0 {
        bail!("--runs must be at least 1");
    }
    let tool = build_load_data(root)?;
    let dir = target_dir(root).join("bench-load");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut rows = Vec::new();
    for case in &CASES {
        let path = dir.join(case.file);
        let done = dir.join(format!("{}.done", case.file));
        if !done.exists() {
            println!("bench load: writing {}", path.display());
            let _ = std::fs::remove_dir_all(&path);
            let mut cmd = Command::new(&tool);
            cmd.arg(case.generate[0])
                .arg(&path)
                .args(&case.generate[1..]);
            run_checked(cmd, root, "writing the load benchmark's data")?;
            std::fs::write(&done, b"")?;
        }
        let mut seconds = Vec::new();
        let mut cpu = Vec::new();
        let mut peak: u64 = 0;
        let mut last = Value::Null;
        for _ in 0..runs {
            let out = Command::new(&tool)
                .arg("load")
                .arg(&path)
                .output()
                .with_context(|| format!("cannot run {}", tool.display()))?;
            if !out.status.success() {
                bail!(
                    "load_data load {} failed: {}",
                    path.display(),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            let v: Value = serde_json::from_slice(&out.stdout).context("load_data's JSON")?;
            seconds.push(v["seconds"].as_f64().unwrap_or(f64::NAN));
            cpu.push(v["cpu_seconds"].as_f64().unwrap_or(f64::NAN));
            peak = peak.max(v["peak_rss_bytes"].as_u64().unwrap_or(0));
            last = v;
        }
        let matrix = last["matrix_bytes"].as_u64().unwrap_or(0) as f64;
        rows.push((
            case,
            median(seconds),
            median(cpu),
            peak as f64,
            matrix,
            last,
        ));
    }
    println!(
        "\nload benchmark: {runs} runs each, {cpus} CPUs, load average {}",
        load_average()
    );
    println!(
        "| data | examples x features | load s (median) | CPU s (median) | budget s | f64 matrices MiB | peak RSS MiB | peak / matrices | verdict |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mib = |b: f64| b / (1024.0 * 1024.0);
    for (case, secs, cpu, peak, matrix, v) in &rows {
        let ratio = peak / matrix;
        let verdict = if *secs <= case.budget_seconds && ratio <= MEMORY_BUDGET {
            "within budget"
        } else {
            "OVER budget"
        };
        println!(
            "| {} | {} x {} | {secs:.3} | {cpu:.2} | {:.1} | {:.1} | {:.1} | {ratio:.3} (budget {MEMORY_BUDGET}) | {verdict} |",
            case.name,
            v["examples"],
            v["features"],
            case.budget_seconds,
            mib(*matrix),
            mib(*peak)
        );
    }
    Ok(())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}
