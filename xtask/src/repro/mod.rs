//! `cargo xtask repro`: checks that the `dnn` binary reproduces the published results.
//!
//! The expected numbers live in `xtask/expected/repro.json` ([`expected`]), written by
//! `xtask/expected/gen_repro.py` from numpy, never from our own binary. Each kind of entry is
//! a [`Reproduction`]: the `dnn` command that reproduces it and the comparison of the report
//! that command writes with the expected numbers. [`cat`] (`dnn train`), [`planar`]
//! (`dnn planar`) and [`toy`] (`dnn toy`) say what each compares and why; [`check`] runs any of
//! them the same way, and [`table`] prints a side-by-side table (set-up, quantity, expected,
//! got, difference, ok). The command fails on any mismatch or failed run.

mod cat;
mod expected;
mod planar;
mod table;
mod toy;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Result};
use clap::Args;
use serde::de::DeserializeOwned;

use crate::process::{build_release_dnn, tail};
pub use expected::{load_expected, Entry, Tolerances};
use table::{print_table, summarize, Row, Verdict};

/// The flags of `cargo xtask repro`.
#[derive(Args, Debug, Clone, Default)]
pub struct ReproArgs {
    /// The expected-results file [default: xtask/expected/repro.json].
    #[arg(long, value_name = "FILE")]
    pub expected: Option<PathBuf>,
    /// Use this dnn binary instead of building target/release/dnn.
    #[arg(long, value_name = "PATH")]
    pub dnn: Option<PathBuf>,
    /// Check only this set-up (repeatable), e.g. --only deep.
    #[arg(long, value_name = "NAME")]
    pub only: Vec<String>,
}

/// One kind of set-up that `dnn` must reproduce.
pub trait Reproduction {
    /// What the command's `--report` writes.
    type Report: DeserializeOwned;
    /// The set-up's name, as in the expected file.
    fn name(&self) -> &str;
    /// The `dnn` command that reproduces the set-up, reading the cat data from `data` and
    /// writing its report to `report` (and anything else it must write into `scratch`).
    fn command(&self, dnn: &Path, data: &Path, report: &Path, scratch: &Path) -> Command;
    /// The table rows comparing the report with the expected numbers.
    fn compare(&self, report: &Self::Report, tol: &Tolerances) -> Vec<Row>;
}

/// Runs the reproducibility checks; fails on any mismatch or failed run.
pub fn run(root: &Path, args: &ReproArgs) -> Result<()> {
    let path = args
        .expected
        .clone()
        .unwrap_or_else(|| root.join("xtask/expected/repro.json"));
    let expected = load_expected(&path)?;
    let dnn = match &args.dnn {
        Some(path) => path.clone(),
        None => build_release_dnn(root)?,
    };
    let entries: Vec<&Entry> = expected
        .entries
        .iter()
        .filter(|e| args.only.is_empty() || args.only.iter().any(|o| o == e.name()))
        .collect();
    if entries.is_empty() {
        bail!(
            "no set-up matches --only {:?}; the set-ups are: {}",
            args.only,
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

/// Runs one entry of any kind with `dnn` and compares.
pub fn check_entry(dnn: &Path, data: &Path, entry: &Entry, tol: &Tolerances) -> Verdict {
    match entry {
        Entry::Cat(e) => check(e, dnn, data, tol),
        Entry::Planar(e) => check(e, dnn, data, tol),
        Entry::Toy(e) => check(e, dnn, data, tol),
    }
}

/// Runs a set-up's command in a temporary directory, reads its report and compares.
pub fn check<R: Reproduction>(setup: &R, dnn: &Path, data: &Path, tol: &Tolerances) -> Verdict {
    let tmp = match tempfile::Builder::new().prefix("dnn-repro-").tempdir() {
        Ok(t) => t,
        Err(e) => return Verdict::Failed(format!("cannot create a temporary directory: {e}")),
    };
    let report = tmp.path().join("report.json");
    let mut cmd = setup.command(dnn, data, &report, tmp.path());
    let output = match cmd.output() {
        Ok(o) => o,
        Err(e) => return Verdict::Failed(format!("cannot run {}: {e}", dnn.display())),
    };
    if !output.status.success() {
        return Verdict::Failed(format!(
            "{:?} exited with {}:\n{}",
            cmd,
            output.status,
            tail(&String::from_utf8_lossy(&output.stderr), 20)
        ));
    }
    let text = match std::fs::read_to_string(&report) {
        Ok(t) => t,
        Err(e) => {
            return Verdict::Failed(format!(
                "dnn succeeded but wrote no report for `{}` at {}: {e}",
                setup.name(),
                report.display()
            ))
        }
    };
    match serde_json::from_str::<R::Report>(&text) {
        Ok(r) => Verdict::Compared(setup.compare(&r, tol)),
        Err(err) => Verdict::Failed(format!(
            "the report of `{}` has an unexpected form: {err}",
            setup.name()
        )),
    }
}

/// What the tests of the entry kinds share: the committed expected file and reports made to
/// match it.
#[cfg(test)]
mod test_support {
    use std::path::{Path, PathBuf};

    use dnn_report::{DataReport, HyperReport, TrainReport};

    use super::expected::{load_expected, CatEntry, Entry, ExpectedFile, Tolerances, ToyEntry};

    pub fn committed() -> ExpectedFile {
        load_expected(&Path::new(env!("CARGO_MANIFEST_DIR")).join("expected/repro.json"))
            .expect("the committed expected file")
    }

    pub fn tol() -> Tolerances {
        Tolerances {
            cost_abs: 1e-6,
            accuracy_abs: 1e-9,
        }
    }

    pub fn committed_cat(name: &str) -> CatEntry {
        committed()
            .entries
            .into_iter()
            .find_map(|e| match e {
                Entry::Cat(c) if c.name == name => Some(c),
                _ => None,
            })
            .expect("entry")
    }

    pub fn committed_toy(name: &str) -> ToyEntry {
        committed()
            .entries
            .into_iter()
            .find_map(|e| match e {
                Entry::Toy(t) if t.name == name => Some(t),
                _ => None,
            })
            .expect("entry")
    }

    /// The report of a plain gradient-descent run with `optimizer`'s name.
    pub fn hyper_report(optimizer: &str) -> HyperReport {
        HyperReport {
            optimizer: optimizer.into(),
            beta: None,
            beta1: None,
            beta2: None,
            epsilon: None,
            batch_size: None,
            shuffle_seed: None,
            decay: "none".into(),
            decay_rate: None,
            decay_interval: None,
            l2: 0.0,
            keep_prob: 1.0,
        }
    }

    /// The report of a `dnn train` run that reproduces `e` exactly.
    pub fn train_report(e: &CatEntry) -> TrainReport {
        TrainReport {
            arch: "deep".into(),
            layers: e.layers.iter().map(|&n| n as usize).collect(),
            dtype: "f64".into(),
            learning_rate: e.learning_rate,
            iterations: e.iterations as usize,
            iterations_run: e.iterations as usize,
            interrupted: false,
            batches_run: None,
            seed: 1,
            init: "scaled".into(),
            from: None,
            training: hyper_report("gd"),
            costs: e.costs.iter().map(|&(i, c)| (i as usize, c)).collect(),
            train_accuracy: Some(e.train_accuracy),
            test_accuracy: Some(e.test_accuracy),
            balanced_accuracy: None,
            regression: None,
            train_seconds: 1.5,
            gflops: Some(10.0),
            classes: vec!["non-cat".into(), "cat".into()],
            class_weights: None,
            data: DataReport {
                format: "course-h5".into(),
                path: "data".into(),
                train_examples: 209,
                test_examples: 50,
                features: 12288,
                sha256: None,
            },
            validation: None,
            diverged: None,
        }
    }

    /// Writes an executable shell script standing in for `dnn`.
    #[cfg(unix)]
    pub fn fake_dnn(dir: &Path, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("dnn");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::test_support::{committed_cat, fake_dnn, tol, train_report};
    use super::*;

    #[test]
    fn runs_the_binary_and_reads_its_report() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = committed_cat("logistic");
        let fixture = dir.path().join("fixture.json");
        let text = serde_json::to_string_pretty(&train_report(&e)).expect("json");
        std::fs::write(&fixture, text).expect("write");
        let dnn = fake_dnn(
            dir.path(),
            &format!(
                "[ \"$1\" = train ] || exit 3\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --report ]; then cp '{}' \"$2\"; fi\n  shift\ndone",
                fixture.display()
            ),
        );
        match check_entry(&dnn, dir.path(), &Entry::Cat(e), &tol()) {
            Verdict::Compared(rows) => {
                assert!(!rows.is_empty() && rows.iter().all(|r| r.ok), "{rows:?}")
            }
            other => panic!("unexpected verdict {other:?}"),
        }
    }

    #[test]
    fn a_failing_planar_run_is_a_failure() {
        let dir = tempfile::tempdir().expect("tempdir");
        let failing = fake_dnn(dir.path(), "echo boom >&2\nexit 1");
        let entry = Entry::Planar(planar::tests::planar_entry());
        let v = check_entry(&failing, dir.path(), &entry, &tol());
        assert!(
            matches!(v, Verdict::Failed(ref m) if m.contains("boom")),
            "{v:?}"
        );
        assert!(summarize(&[("flower".into(), v)]).is_err());
    }

    #[test]
    fn a_report_of_the_wrong_form_is_a_failure() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dnn = fake_dnn(
            dir.path(),
            "while [ $# -gt 0 ]; do\n  if [ \"$1\" = --report ]; then echo '{\"runs\": 3}' > \"$2\"; fi\n  shift\ndone",
        );
        let entry = Entry::Planar(planar::tests::planar_entry());
        let v = check_entry(&dnn, dir.path(), &entry, &tol());
        assert!(
            matches!(v, Verdict::Failed(ref m) if m.contains("unexpected form")),
            "{v:?}"
        );
    }
}
