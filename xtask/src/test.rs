//! `cargo xtask test`: every check in order, as timed phases, then a summary.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

use crate::fetch::{self, FetchArgs};
use crate::process::{cargo, run_checked, target_dir};
use crate::repro::{self, ReproArgs};
use crate::{python, regen, setup};

/// One phase of `cargo xtask test`.
struct Phase {
    name: &'static str,
    result: PhaseResult,
    time: Duration,
}

enum PhaseResult {
    Passed,
    Failed(String),
    Skipped(&'static str),
}

/// Runs `f` as a timed phase and prints its outcome at once.
fn phase(name: &'static str, f: impl FnOnce() -> Result<()>) -> Phase {
    println!("\n=== {name} ===");
    let started = Instant::now();
    let result = match f() {
        Ok(()) => PhaseResult::Passed,
        Err(e) => {
            eprintln!("error in {name}: {e:#}");
            PhaseResult::Failed(format!("{e:#}"))
        }
    };
    let time = started.elapsed();
    println!(
        "=== {name}: {} in {:.1} s ===",
        match result {
            PhaseResult::Passed => "passed",
            _ => "FAILED",
        },
        time.as_secs_f64()
    );
    Phase { name, result, time }
}

fn skipped(name: &'static str, why: &'static str) -> Phase {
    Phase {
        name,
        result: PhaseResult::Skipped(why),
        time: Duration::ZERO,
    }
}

/// `cargo xtask test`: setup, fetch-data, the Python venv, `regen --check` (the numpy fixtures
/// regenerate byte for byte), `cargo test --workspace`, repro, then a summary of each phase with
/// its time. Setup or fetch-data failing skips the rest (nothing else can work); a failing phase
/// after them does not stop the others.
pub fn run(root: &Path, fetch: &FetchArgs) -> Result<()> {
    let started = Instant::now();
    let mut phases = vec![phase("setup", || setup::run(false))];
    phases.push(phase("fetch-data", || fetch::run(root, fetch)));
    if phases
        .iter()
        .all(|p| matches!(p.result, PhaseResult::Passed))
    {
        let mut venv = None;
        phases.push(phase("python venv", || {
            venv = Some(python::ensure_venv(root)?);
            Ok(())
        }));
        phases.push(match &venv {
            Some(python) => phase("regen --check", || {
                regen::run(root, python, &regen::Options { check: true })
            }),
            None => skipped("regen --check", "no Python venv"),
        });
        phases.push(phase("cargo test --workspace", || {
            let mut cmd = cargo();
            cmd.args(["test", "--workspace", "--no-fail-fast"]);
            // The tests that need Python run it through this interpreter: the model-file test
            // (h5py), the exports (onnx, onnxruntime, safetensors), scikit-learn's comparisons
            // and the README's transcripts (their data, written by docs/examples' scripts).
            if let Some(python) = &venv {
                cmd.env("DNN_PYTHON", python);
            }
            run_checked(cmd, root, "the test suite")
        }));
        // The dnn binary the test phase built (the test profile: opt-level 2, the same
        // arithmetic as release, bit for bit) rather than a second, release build of the whole
        // workspace: minutes and gigabytes saved on a cold machine.
        let tested = target_dir(root).join("debug").join("dnn");
        phases.push(phase("repro", || {
            repro::run(
                root,
                &ReproArgs {
                    dnn: tested.is_file().then(|| tested.clone()),
                    ..ReproArgs::default()
                },
            )
        }));
    } else {
        for name in [
            "python venv",
            "regen --check",
            "cargo test --workspace",
            "repro",
        ] {
            phases.push(skipped(name, "an earlier phase failed"));
        }
    }

    println!("\n=== summary ===");
    println!("{:<24} {:<8} {:>9}", "phase", "result", "time");
    for p in &phases {
        let (word, note) = match &p.result {
            PhaseResult::Passed => ("passed", String::new()),
            PhaseResult::Failed(e) => ("FAILED", first_line(e)),
            PhaseResult::Skipped(why) => ("skipped", why.to_string()),
        };
        println!(
            "{:<24} {:<8} {:>7.1} s  {note}",
            p.name,
            word,
            p.time.as_secs_f64()
        );
    }
    println!(
        "{:<24} {:<8} {:>7.1} s",
        "total",
        "",
        started.elapsed().as_secs_f64()
    );
    let failed: Vec<&str> = phases
        .iter()
        .filter(|p| !matches!(p.result, PhaseResult::Passed))
        .map(|p| p.name)
        .collect();
    if failed.is_empty() {
        println!("all phases passed");
        Ok(())
    } else {
        bail!(
            "{} phase(s) did not pass: {}",
            failed.len(),
            failed.join(", ")
        )
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}
