//! `cargo xtask repro`: checks that the `dnn` binary reproduces the published results.
//!
//! The expected numbers live in `xtask/expected/repro.json`, written by
//! `xtask/expected/gen_repro.py` from numpy (never from our own binary). The file holds a list
//! of entries, each of a `kind`:
//!
//! - `cat`: `dnn train <args> --data data --quiet --report R --save M`; compares the layers,
//!   learning rate, iterations, every recorded cost (to `cost_abs`) and the train/test
//!   accuracies (to `accuracy_abs`, i.e. exactly) with the report JSON.
//! - `planar`: `dnn planar <args> --report R` (the flower chapter); compares each hidden size's
//!   accuracy and, where given, the cost curve. Gradient descent at learning rate 1.2 is
//!   ill-conditioned on this set in places, so the entry also records numpy's own spread under
//!   one-ulp perturbations of one initial weight: an accuracy must equal numpy's or one that
//!   numpy itself reaches under such a perturbation, and a cost must be within 1e-7 of numpy's
//!   where numpy's spread is negligible (< 1e-9), else within 10 times that spread.
//! - `toy`: `dnn toy <args> --quiet --report R` (the "Optimization methods" moons runs, one
//!   optimiser each, written by `xtask/expected/gen_toy.py` with numpy and scikit-learn);
//!   compares the cost every 1000 epochs and at the last one to `cost_abs`, or to 10 times
//!   numpy's own one-ulp spread where that is larger, and the accuracy exactly (or to one
//!   numpy reaches under a one-ulp perturbation).
//!
//! Prints a side-by-side table (set-up, quantity, expected, got, difference, ok) and fails on
//! any mismatch.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// The expected-results file.
#[derive(Debug, Deserialize)]
pub struct ExpectedFile {
    /// Comparison tolerances.
    pub tolerances: Tolerances,
    /// The set-ups to check, in order.
    pub entries: Vec<Entry>,
}

/// Absolute tolerances.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Tolerances {
    /// For costs.
    pub cost_abs: f64,
    /// For accuracies (tiny: accuracies must match exactly).
    pub accuracy_abs: f64,
}

/// One set-up to reproduce.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind")]
pub enum Entry {
    /// A cat/non-cat training run (`dnn train`).
    #[serde(rename = "cat")]
    Cat(CatEntry),
    /// The flower hidden-size sweep (`dnn planar`).
    #[serde(rename = "planar")]
    Planar(PlanarEntry),
    /// One optimiser on a toy data set (`dnn toy`).
    #[serde(rename = "toy")]
    Toy(ToyEntry),
}

impl Entry {
    /// The set-up's name.
    pub fn name(&self) -> &str {
        match self {
            Entry::Cat(e) => &e.name,
            Entry::Planar(e) => &e.name,
            Entry::Toy(e) => &e.name,
        }
    }
}

/// Expected results of one `dnn train` set-up.
#[derive(Debug, Deserialize)]
pub struct CatEntry {
    /// Set-up name (`deep`, `two-layer`, `logistic`).
    pub name: String,
    /// Arguments that select the set-up, e.g. `["--arch", "deep"]`.
    pub args: Vec<String>,
    /// Layer sizes.
    pub layers: Vec<u64>,
    /// Learning rate.
    pub learning_rate: f64,
    /// Number of iterations.
    pub iterations: u64,
    /// `[iteration, cost]` pairs: every 100 iterations plus the last one.
    pub costs: Vec<(f64, f64)>,
    /// Training-set accuracy, a fraction.
    pub train_accuracy: f64,
    /// Test-set accuracy, a fraction.
    pub test_accuracy: f64,
}

/// Expected results of the flower sweep.
#[derive(Debug, Deserialize)]
pub struct PlanarEntry {
    /// Set-up name.
    pub name: String,
    /// Arguments after `dnn planar`, e.g. `["--sweep", "1,2,3,4,5,20,50", "--iterations", "5000"]`.
    pub args: Vec<String>,
    /// `[hidden size, accuracy in %]` pairs.
    pub accuracies: Vec<(u64, f64)>,
    /// `[hidden size, [accuracies numpy reaches under one-ulp perturbations]]`.
    #[serde(default)]
    pub reached_under_one_ulp: Vec<(u64, Vec<f64>)>,
    /// `[iteration, cost]` of the (single) network, if the entry checks a cost curve.
    #[serde(default)]
    pub costs: Vec<(u64, f64)>,
    /// numpy's largest cost difference under one-ulp perturbations, per entry of `costs`.
    #[serde(default)]
    pub cost_spread_under_one_ulp: Vec<f64>,
}

/// Expected results of one `dnn toy` optimiser run.
#[derive(Debug, Deserialize)]
pub struct ToyEntry {
    /// Set-up name, e.g. `moons-adam`.
    pub name: String,
    /// Arguments after `dnn toy`, e.g. `["--dataset", "moons", "--optimizer", "adam"]`.
    pub args: Vec<String>,
    /// `gd`, `momentum` or `adam`.
    pub optimizer: String,
    /// `[epoch, cost]` every 1000 epochs and at the last.
    pub costs: Vec<(u64, f64)>,
    /// numpy's largest cost difference under one-ulp perturbations, per entry of `costs`.
    #[serde(default)]
    pub cost_spread_under_one_ulp: Vec<f64>,
    /// Training accuracy, a fraction.
    pub accuracy: f64,
    /// The accuracies numpy reaches under one-ulp perturbations.
    #[serde(default)]
    pub reached_under_one_ulp: Vec<f64>,
}

/// What `dnn toy --report` writes (fields xtask does not check are ignored).
#[derive(Debug, Deserialize)]
pub struct ToyReport {
    /// One entry per optimiser.
    pub runs: Vec<ToyRun>,
}

/// One optimiser of a `dnn toy` report.
#[derive(Debug, Deserialize)]
pub struct ToyRun {
    /// `gd`, `momentum` or `adam`.
    pub optimizer: String,
    /// `[epoch, cost]` pairs.
    pub costs: Vec<(u64, f64)>,
    /// Training accuracy, a fraction.
    pub accuracy: f64,
}

/// What `dnn planar --report` writes (fields xtask does not check are ignored).
#[derive(Debug, Deserialize)]
pub struct PlanarReport {
    /// One entry per trained network.
    pub runs: Vec<PlanarRun>,
}

/// One network of a `dnn planar` report.
#[derive(Debug, Deserialize)]
pub struct PlanarRun {
    /// `"tanh"` or `"logistic"`.
    pub model: String,
    /// Hidden units.
    pub hidden: u64,
    /// `[iteration, cost]` pairs.
    pub costs: Vec<(u64, f64)>,
    /// Accuracy in %.
    pub accuracy: f64,
}

/// What `dnn train --report` writes (fields xtask does not check are ignored).
#[derive(Debug, Deserialize)]
pub struct TrainReport {
    /// Layer sizes.
    pub layers: Vec<u64>,
    /// Learning rate.
    pub learning_rate: f64,
    /// Number of iterations.
    pub iterations: u64,
    /// `[iteration, cost]` pairs.
    pub costs: Vec<(f64, f64)>,
    /// Training-set accuracy.
    pub train_accuracy: f64,
    /// Test-set accuracy.
    pub test_accuracy: f64,
}

/// One line of the side-by-side table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Set-up name.
    pub setup: String,
    /// What is compared.
    pub quantity: String,
    /// Expected value, formatted.
    pub expected: String,
    /// Obtained value, formatted.
    pub got: String,
    /// got - expected, for numbers.
    pub diff: Option<f64>,
    /// Whether it is within tolerance.
    pub ok: bool,
}

/// The result of checking one entry.
#[derive(Debug)]
pub enum Verdict {
    /// Ran and compared; the rows say what matched.
    Compared(Vec<Row>),
    /// The run itself failed.
    Failed(String),
}

/// Options of `cargo xtask repro`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The expected-results file.
    pub expected: PathBuf,
    /// Use this `dnn` binary instead of building `target/release/dnn`.
    pub dnn: Option<PathBuf>,
    /// Only these set-ups (empty: all).
    pub only: Vec<String>,
}

/// Runs the reproducibility checks; fails on any mismatch or failed run.
pub fn run(root: &Path, opts: &Options) -> Result<()> {
    let expected = load_expected(&opts.expected)?;
    let dnn = match &opts.dnn {
        Some(path) => path.clone(),
        None => crate::run::build_release_dnn(root)?,
    };
    let entries: Vec<&Entry> = expected
        .entries
        .iter()
        .filter(|e| opts.only.is_empty() || opts.only.iter().any(|o| o == e.name()))
        .collect();
    if entries.is_empty() {
        bail!(
            "no set-up matches --only {:?}; the set-ups are: {}",
            opts.only,
            expected
                .entries
                .iter()
                .map(Entry::name)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let data = root.join("data");
    let mut verdicts = Vec::new();
    for entry in entries {
        println!("repro: running set-up `{}`...", entry.name());
        let started = std::time::Instant::now();
        let verdict = check_entry(&dnn, &data, entry, &expected.tolerances);
        println!(
            "repro: `{}` done in {:.1} s",
            entry.name(),
            started.elapsed().as_secs_f64()
        );
        verdicts.push((entry.name().to_string(), verdict));
    }
    print_table(&verdicts);
    summarize(&verdicts)
}

/// Reads the expected-results file.
pub fn load_expected(path: &Path) -> Result<ExpectedFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the expected results {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a valid expected-results file (regenerate it with xtask/expected/gen_repro.py)",
            path.display()
        )
    })
}

/// Runs one entry with `dnn` and compares.
pub fn check_entry(dnn: &Path, data: &Path, entry: &Entry, tol: &Tolerances) -> Verdict {
    let tmp = match tempfile::Builder::new().prefix("dnn-repro-").tempdir() {
        Ok(t) => t,
        Err(e) => return Verdict::Failed(format!("cannot create a temporary directory: {e}")),
    };
    let report = tmp.path().join("report.json");
    let mut cmd = Command::new(dnn);
    match entry {
        Entry::Cat(e) => {
            cmd.arg("train")
                .args(&e.args)
                .arg("--data")
                .arg(data)
                .arg("--quiet")
                .arg("--report")
                .arg(&report)
                .arg("--save")
                .arg(tmp.path().join("model.h5"));
        }
        Entry::Planar(e) => {
            cmd.arg("planar").args(&e.args).arg("--report").arg(&report);
        }
        Entry::Toy(e) => {
            cmd.arg("toy")
                .args(&e.args)
                .arg("--quiet")
                .arg("--report")
                .arg(&report);
        }
    }
    let output = match cmd.output() {
        Ok(o) => o,
        Err(e) => return Verdict::Failed(format!("cannot run {}: {e}", dnn.display())),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Verdict::Failed(format!(
            "{:?} exited with {}:\n{}",
            cmd,
            output.status,
            tail(&stderr, 20)
        ));
    }
    let text = match std::fs::read_to_string(&report) {
        Ok(t) => t,
        Err(e) => {
            return Verdict::Failed(format!(
                "dnn succeeded but wrote no report at {}: {e}",
                report.display()
            ))
        }
    };
    match entry {
        Entry::Cat(e) => match serde_json::from_str::<TrainReport>(&text) {
            Ok(r) => Verdict::Compared(compare_cat(e, &r, tol)),
            Err(err) => Verdict::Failed(format!("the report JSON has an unexpected form: {err}")),
        },
        Entry::Planar(e) => match serde_json::from_str::<PlanarReport>(&text) {
            Ok(r) => Verdict::Compared(compare_planar(e, &r, tol)),
            Err(err) => Verdict::Failed(format!("the report JSON has an unexpected form: {err}")),
        },
        Entry::Toy(e) => match serde_json::from_str::<ToyReport>(&text) {
            Ok(r) => Verdict::Compared(compare_toy(e, &r, tol)),
            Err(err) => Verdict::Failed(format!("the report JSON has an unexpected form: {err}")),
        },
    }
}

/// Compares a cat training report with its expected entry.
pub fn compare_cat(e: &CatEntry, r: &TrainReport, tol: &Tolerances) -> Vec<Row> {
    let mut rows = Vec::new();
    let text_row = |quantity: &str, expected: String, got: String| Row {
        setup: e.name.clone(),
        quantity: quantity.to_string(),
        ok: expected == got,
        expected,
        got,
        diff: None,
    };
    rows.push(text_row(
        "layers",
        format!("{:?}", e.layers),
        format!("{:?}", r.layers),
    ));
    rows.push(num_row(
        &e.name,
        "learning rate",
        e.learning_rate,
        Some(r.learning_rate),
        1e-12,
    ));
    rows.push(text_row(
        "iterations",
        e.iterations.to_string(),
        r.iterations.to_string(),
    ));
    rows.push(text_row(
        "cost records",
        e.costs.len().to_string(),
        r.costs.len().to_string(),
    ));
    for &(it, cost) in &e.costs {
        let got = r
            .costs
            .iter()
            .find(|(i, _)| (i - it).abs() < 0.5)
            .map(|&(_, c)| c);
        rows.push(num_row(
            &e.name,
            &format!("cost @ {it}"),
            cost,
            got,
            tol.cost_abs,
        ));
    }
    rows.push(num_row(
        &e.name,
        "train accuracy",
        e.train_accuracy,
        Some(r.train_accuracy),
        tol.accuracy_abs,
    ));
    rows.push(num_row(
        &e.name,
        "test accuracy",
        e.test_accuracy,
        Some(r.test_accuracy),
        tol.accuracy_abs,
    ));
    rows
}

/// Compares a `dnn planar` report with its expected entry (see the module doc for the rules).
pub fn compare_planar(e: &PlanarEntry, report: &PlanarReport, tol: &Tolerances) -> Vec<Row> {
    let tanh = |size: u64| {
        report
            .runs
            .iter()
            .find(|r| r.model == "tanh" && r.hidden == size)
    };
    let mut rows: Vec<Row> = e
        .accuracies
        .iter()
        .map(|&(size, acc)| {
            let got = tanh(size).map(|r| r.accuracy);
            let mut row = num_row(
                &e.name,
                &format!("accuracy % (n_h = {size})"),
                acc,
                got,
                tol.accuracy_abs,
            );
            let reached = e
                .reached_under_one_ulp
                .iter()
                .find(|(n, _)| *n == size)
                .map(|(_, v)| v.as_slice())
                .unwrap_or(&[]);
            if reached.len() > 1 {
                row.quantity
                    .push_str(&format!(" [numpy one-ulp: {reached:?}]"));
                row.ok |=
                    got.is_some_and(|g| reached.iter().any(|r| (g - r).abs() <= tol.accuracy_abs));
            }
            row
        })
        .collect();
    if let (Some(&(size, _)), false) = (e.accuracies.first(), e.costs.is_empty()) {
        let got_costs = tanh(size).map(|r| r.costs.as_slice()).unwrap_or(&[]);
        for (k, &(i, expected)) in e.costs.iter().enumerate() {
            let spread = e.cost_spread_under_one_ulp.get(k).copied().unwrap_or(0.0);
            let cost_tol = if spread < 1e-9 {
                1e-7_f64.min(tol.cost_abs)
            } else {
                10.0 * spread
            };
            let got = got_costs.iter().find(|(j, _)| *j == i).map(|&(_, c)| c);
            let quantity = if spread < 1e-9 {
                format!("cost at {i}")
            } else {
                format!("cost at {i} [numpy one-ulp spread {spread:.1e}]")
            };
            rows.push(num_row(&e.name, &quantity, expected, got, cost_tol));
        }
    }
    rows
}

/// Compares a `dnn toy` report with its expected entry (see the module doc for the rules).
pub fn compare_toy(e: &ToyEntry, report: &ToyReport, tol: &Tolerances) -> Vec<Row> {
    let run = report.runs.iter().find(|r| r.optimizer == e.optimizer);
    let got_costs = run.map(|r| r.costs.as_slice()).unwrap_or(&[]);
    let mut rows = vec![Row {
        setup: e.name.clone(),
        quantity: "cost records".into(),
        expected: e.costs.len().to_string(),
        got: got_costs.len().to_string(),
        diff: None,
        ok: e.costs.len() == got_costs.len(),
    }];
    for (k, &(epoch, expected)) in e.costs.iter().enumerate() {
        let spread = e.cost_spread_under_one_ulp.get(k).copied().unwrap_or(0.0);
        let (cost_tol, quantity) = if 10.0 * spread > tol.cost_abs {
            (
                10.0 * spread,
                format!("cost at {epoch} [numpy one-ulp spread {spread:.1e}]"),
            )
        } else {
            (tol.cost_abs, format!("cost at {epoch}"))
        };
        let got = got_costs.iter().find(|(j, _)| *j == epoch).map(|&(_, c)| c);
        rows.push(num_row(&e.name, &quantity, expected, got, cost_tol));
    }
    let got = run.map(|r| r.accuracy);
    let mut row = num_row(&e.name, "accuracy", e.accuracy, got, tol.accuracy_abs);
    if e.reached_under_one_ulp.len() > 1 {
        row.quantity
            .push_str(&format!(" [numpy one-ulp: {:?}]", e.reached_under_one_ulp));
        row.ok |= got.is_some_and(|g| {
            e.reached_under_one_ulp
                .iter()
                .any(|r| (g - r).abs() <= tol.accuracy_abs)
        });
    }
    rows.push(row);
    rows
}

/// A numeric comparison row; a missing value is a mismatch.
fn num_row(setup: &str, quantity: &str, expected: f64, got: Option<f64>, tol: f64) -> Row {
    let diff = got.map(|g| g - expected);
    Row {
        setup: setup.to_string(),
        quantity: quantity.to_string(),
        expected: format!("{expected:.9}"),
        got: got.map_or_else(|| "missing".to_string(), |g| format!("{g:.9}")),
        diff,
        ok: diff.is_some_and(|d| d.abs() <= tol),
    }
}

/// Prints the side-by-side table of all verdicts.
pub fn print_table(verdicts: &[(String, Verdict)]) {
    println!();
    println!(
        "{:<14} {:<16} {:>20} {:>20} {:>10}  ok",
        "set-up", "quantity", "expected", "got", "difference"
    );
    println!("{}", "-".repeat(88));
    for (name, verdict) in verdicts {
        match verdict {
            Verdict::Compared(rows) => {
                for r in rows {
                    println!(
                        "{:<14} {:<16} {:>20} {:>20} {:>10}  {}",
                        r.setup,
                        r.quantity,
                        r.expected,
                        r.got,
                        r.diff.map_or_else(String::new, |d| format!("{d:.2e}")),
                        if r.ok { "ok" } else { "MISMATCH" }
                    );
                }
            }
            Verdict::Failed(why) => {
                println!("{name:<12} FAILED TO RUN: {why}");
            }
        }
    }
    println!();
}

/// Turns the verdicts into the command's result, with a one-line-per-set-up summary.
pub fn summarize(verdicts: &[(String, Verdict)]) -> Result<()> {
    let mut bad = Vec::new();
    for (name, verdict) in verdicts {
        let line = match verdict {
            Verdict::Compared(rows) => {
                let mismatches = rows.iter().filter(|r| !r.ok).count();
                if mismatches > 0 {
                    bad.push(name.clone());
                    format!("MISMATCH ({mismatches} of {} values)", rows.len())
                } else {
                    format!("ok ({} values)", rows.len())
                }
            }
            Verdict::Failed(_) => {
                bad.push(name.clone());
                "FAILED TO RUN".to_string()
            }
        };
        println!("repro: {name:<12} {line}");
    }
    if bad.is_empty() {
        Ok(())
    } else {
        bail!(
            "the reproducibility check failed for: {} (see the table above)",
            bad.join(", ")
        )
    }
}

/// The last `n` lines of some text.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected_path() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("expected/repro.json")
    }

    fn tol() -> Tolerances {
        Tolerances {
            cost_abs: 1e-6,
            accuracy_abs: 1e-9,
        }
    }

    fn cat(name: &str) -> CatEntry {
        let file = load_expected(&expected_path()).expect("expected file");
        file.entries
            .into_iter()
            .find_map(|e| match e {
                Entry::Cat(c) if c.name == name => Some(c),
                _ => None,
            })
            .expect("entry")
    }

    fn report_json(e: &CatEntry) -> String {
        serde_json::json!({
            "layers": e.layers, "dtype": "f64", "learning_rate": e.learning_rate,
            "iterations": e.iterations, "seed": 1, "init": "x",
            "costs": e.costs.iter().map(|&(i, c)| serde_json::json!([i as u64, c])).collect::<Vec<_>>(),
            "train_accuracy": e.train_accuracy, "test_accuracy": e.test_accuracy,
            "train_seconds": 1.5,
        })
        .to_string()
    }

    /// The committed numpy numbers agree with the exercise's published headline numbers.
    #[test]
    // 0.693147 is the published logistic cost at iteration 0 (it is ln 2 because w = 0).
    #[allow(clippy::approx_constant)]
    fn committed_expectations_match_the_published_numbers() {
        let file = load_expected(&expected_path()).expect("expected file");
        assert_eq!(file.tolerances.cost_abs, 1e-6);
        let published = [
            ("deep", 2400.0, 0.771749, 0.092878, 0.985646, 0.80),
            ("two-layer", 2400.0, 0.693050, 0.048555, 1.0, 0.72),
            ("logistic", 1900.0, 0.693147, 0.140872, 0.990431, 0.70),
        ];
        for (name, late, c0, c_late, train, test) in published {
            let e = cat(name);
            let cost_at = |it: f64| {
                e.costs
                    .iter()
                    .find(|(i, _)| *i == it)
                    .map(|&(_, c)| c)
                    .expect("cost")
            };
            assert!((cost_at(0.0) - c0).abs() < 5e-7, "{name} cost 0");
            assert!((cost_at(late) - c_late).abs() < 5e-7, "{name} cost {late}");
            assert!((e.train_accuracy - train).abs() < 5e-7, "{name} train");
            assert!((e.test_accuracy - test).abs() < 1e-12, "{name} test");
            let last = e.iterations as f64 - 1.0;
            assert_eq!(
                e.costs.last().map(|c| c.0),
                Some(last),
                "{name} last record"
            );
        }
    }

    #[test]
    fn identical_report_matches_and_perturbed_one_does_not() {
        let e = cat("deep");
        let r: TrainReport = serde_json::from_str(&report_json(&e)).expect("report");
        let rows = compare_cat(&e, &r, &tol());
        assert!(rows.iter().all(|r| r.ok), "{rows:?}");

        let mut r2: TrainReport = serde_json::from_str(&report_json(&e)).expect("report");
        r2.costs[3].1 += 2e-6;
        r2.test_accuracy = 0.78;
        let bad: Vec<_> = compare_cat(&e, &r2, &tol())
            .into_iter()
            .filter(|r| !r.ok)
            .map(|r| r.quantity)
            .collect();
        assert_eq!(
            bad,
            vec!["cost @ 300".to_string(), "test accuracy".to_string()]
        );

        let mut r3: TrainReport = serde_json::from_str(&report_json(&e)).expect("report");
        r3.costs.pop();
        let bad = compare_cat(&e, &r3, &tol());
        assert!(bad
            .iter()
            .any(|r| r.quantity == "cost @ 2499" && r.got == "missing"));
        assert!(summarize(&[("deep".into(), Verdict::Compared(bad))]).is_err());
    }

    /// Writes an executable shell script standing in for `dnn`.
    #[cfg(unix)]
    fn fake_dnn(dir: &Path, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("dnn");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    #[cfg(unix)]
    #[test]
    fn runs_the_binary_and_reads_its_report() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = cat("logistic");
        let fixture = dir.path().join("fixture.json");
        std::fs::write(&fixture, report_json(&e)).expect("write");
        let dnn = fake_dnn(
            dir.path(),
            &format!(
                "[ \"$1\" = train ] || exit 3\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --report ]; then cp '{}' \"$2\"; fi\n  shift\ndone",
                fixture.display()
            ),
        );
        match check_entry(&dnn, dir.path(), &Entry::Cat(e), &tol()) {
            Verdict::Compared(rows) => assert!(rows.iter().all(|r| r.ok), "{rows:?}"),
            other => panic!("unexpected verdict {other:?}"),
        }
    }

    fn planar_entry() -> PlanarEntry {
        PlanarEntry {
            name: "flower".into(),
            args: vec!["--sweep".into(), "1,20".into()],
            accuracies: vec![(1, 67.5), (20, 90.5)],
            reached_under_one_ulp: vec![(1, vec![67.5]), (20, vec![90.0, 90.5])],
            costs: vec![],
            cost_spread_under_one_ulp: vec![],
        }
    }

    /// `(hidden units, accuracy, costs)` of one run.
    type RunSpec<'a> = (u64, f64, &'a [(u64, f64)]);

    fn planar_report(runs: &[RunSpec<'_>]) -> PlanarReport {
        PlanarReport {
            runs: runs
                .iter()
                .map(|&(hidden, accuracy, costs)| PlanarRun {
                    model: "tanh".into(),
                    hidden,
                    costs: costs.to_vec(),
                    accuracy,
                })
                .collect(),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_failing_planar_run_is_a_failure() {
        let dir = tempfile::tempdir().expect("tempdir");
        let failing = fake_dnn(dir.path(), "echo boom >&2\nexit 1");
        let v = check_entry(&failing, dir.path(), &Entry::Planar(planar_entry()), &tol());
        assert!(
            matches!(v, Verdict::Failed(ref m) if m.contains("boom")),
            "{v:?}"
        );
        assert!(summarize(&[("flower".into(), v)]).is_err());
    }

    #[test]
    fn planar_accuracies_must_be_numpys_or_within_its_one_ulp_spread() {
        let e = planar_entry();
        let same = planar_report(&[(1, 67.5, &[]), (20, 90.5, &[])]);
        assert!(compare_planar(&e, &same, &tol()).iter().all(|r| r.ok));
        let other_in_spread = planar_report(&[(1, 67.5, &[]), (20, 90.0, &[])]);
        assert!(compare_planar(&e, &other_in_spread, &tol())
            .iter()
            .all(|r| r.ok));
        let outside = planar_report(&[(1, 67.25, &[]), (20, 90.25, &[])]);
        let rows = compare_planar(&e, &outside, &tol());
        assert!(rows.iter().all(|r| !r.ok), "{rows:?}");
        let missing = planar_report(&[(1, 67.5, &[])]);
        assert_eq!(compare_planar(&e, &missing, &tol())[1].got, "missing");
    }

    fn toy(name: &str) -> ToyEntry {
        let file = load_expected(&expected_path()).expect("expected file");
        file.entries
            .into_iter()
            .find_map(|e| match e {
                Entry::Toy(t) if t.name == name => Some(t),
                _ => None,
            })
            .expect("entry")
    }

    fn toy_report(e: &ToyEntry, accuracy: f64, shift: f64) -> ToyReport {
        ToyReport {
            runs: vec![ToyRun {
                optimizer: e.optimizer.clone(),
                costs: e.costs.iter().map(|&(i, c)| (i, c + shift)).collect(),
                accuracy,
            }],
        }
    }

    /// The committed numpy numbers: Adam beats plain mini-batch gradient descent on the moons.
    #[test]
    fn committed_toy_expectations_show_adam_ahead_on_the_moons() {
        let (gd, momentum, adam) = (toy("moons-gd"), toy("moons-momentum"), toy("moons-adam"));
        assert!((gd.accuracy - 0.7166666666666667).abs() < 1e-12);
        assert!((momentum.accuracy - 0.7166666666666667).abs() < 1e-12);
        assert!((adam.accuracy - 0.9433333333333334).abs() < 1e-12);
        for e in [&gd, &momentum, &adam] {
            let epochs: Vec<u64> = e.costs.iter().map(|c| c.0).collect();
            assert_eq!(epochs, [0, 1000, 2000, 3000, 4000, 4999], "{}", e.name);
        }
        assert!((adam.costs[4].1 - 0.13606616153974382).abs() < 1e-15);
    }

    #[test]
    fn toy_costs_and_accuracy_are_compared() {
        let e = toy("moons-adam");
        let rows = compare_toy(&e, &toy_report(&e, e.accuracy, 5e-7), &tol());
        assert!(rows.iter().all(|r| r.ok), "{rows:?}");
        let rows = compare_toy(&e, &toy_report(&e, 0.94, 2e-6), &tol());
        assert!(rows.iter().skip(1).all(|r| !r.ok), "{rows:?}");
        let other = ToyReport { runs: vec![] };
        let rows = compare_toy(&e, &other, &tol());
        assert!(rows.iter().all(|r| !r.ok), "{rows:?}");
    }

    #[test]
    fn planar_costs_are_compared_to_1e_7_where_numpy_is_stable_and_to_its_spread_elsewhere() {
        let mut e = planar_entry();
        e.accuracies = vec![(4, 90.5)];
        e.reached_under_one_ulp = vec![(4, vec![90.5])];
        e.costs = vec![(0, 0.69), (8000, 0.2194)];
        e.cost_spread_under_one_ulp = vec![0.0, 1e-4];
        let good = planar_report(&[(4, 90.5, &[(0, 0.69 + 5e-8), (8000, 0.2194 + 6e-4)])]);
        assert!(compare_planar(&e, &good, &tol()).iter().all(|r| r.ok));
        let bad = planar_report(&[(4, 90.5, &[(0, 0.69 + 2e-7), (8000, 0.2194 + 2e-3)])]);
        let rows = compare_planar(&e, &bad, &tol());
        assert!(!rows[1].ok && !rows[2].ok, "{rows:?}");
    }
}
