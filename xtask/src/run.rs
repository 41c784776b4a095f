//! `cargo xtask test` and `cargo xtask demo`, and the helpers that run cargo and `dnn`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// The cargo that runs us (`$CARGO`), or `cargo` from PATH.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The workspace's target directory (`$CARGO_TARGET_DIR`, else `<root>/target`).
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// Prints a command, runs it in `root`, and fails with `what` if it does not succeed.
pub fn run_checked(mut cmd: Command, root: &Path, what: &str) -> Result<()> {
    cmd.current_dir(root);
    println!("+ {}", display(&cmd));
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {what}: {}", display(&cmd)))?;
    if !status.success() {
        bail!("{what} failed ({status}): {}", display(&cmd));
    }
    Ok(())
}

/// A command as a shell-like line, for messages.
fn display(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `cargo build --release -p dnn-cli`; returns the path of the `dnn` binary.
pub fn build_release_dnn(root: &Path) -> Result<PathBuf> {
    let mut cmd = cargo();
    cmd.args(["build", "--release", "-p", "dnn-cli"]);
    run_checked(cmd, root, "building the release dnn binary")?;
    let dnn = target_dir(root)
        .join("release")
        .join(format!("dnn{}", std::env::consts::EXE_SUFFIX));
    if !dnn.is_file() {
        bail!(
            "the build succeeded but {} does not exist (does dnn-cli define the `dnn` binary?)",
            dnn.display()
        );
    }
    Ok(dnn)
}

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

/// `cargo xtask test`: setup, fetch-data, `cargo test --workspace`, repro, then a summary of
/// each phase with its time. Setup or fetch-data failing skips the rest (nothing else can
/// work); a failing test suite does not stop the reproducibility check.
pub fn test(root: &Path, fetch: &crate::FetchArgs, repro: &crate::repro::Options) -> Result<()> {
    let started = Instant::now();
    let mut phases = vec![phase("setup", || crate::setup::run(false))];
    phases.push(phase("fetch-data", || crate::fetch_data(root, fetch)));
    if phases
        .iter()
        .all(|p| matches!(p.result, PhaseResult::Passed))
    {
        let mut python = None;
        phases.push(phase("python venv (numpy, h5py, scikit-learn)", || {
            python = Some(crate::python::ensure_venv(root)?);
            Ok(())
        }));
        phases.push(phase("cargo test --workspace", || {
            let mut cmd = cargo();
            cmd.args(["test", "--workspace", "--no-fail-fast"]);
            // The model-file test opens a saved model with h5py through this interpreter.
            if let Some(python) = &python {
                cmd.env("DNN_PYTHON", python);
            }
            run_checked(cmd, root, "the test suite")
        }));
        phases.push(phase("repro", || crate::repro::run(root, repro)));
    } else {
        for name in ["cargo test --workspace", "repro"] {
            phases.push(Phase {
                name,
                result: PhaseResult::Skipped("an earlier phase failed"),
                time: Duration::ZERO,
            });
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

/// `cargo xtask demo`: setup, fetch-data, build the release `dnn`, train the published L-layer
/// model (cost plot, report, model file), evaluate it (mislabeled-images grid), and say where
/// the files are.
pub fn demo(root: &Path, fetch: &crate::FetchArgs) -> Result<()> {
    let started = Instant::now();
    crate::setup::run(false).context("setup failed; the demo needs OpenBLAS and HDF5")?;
    crate::fetch_data(root, fetch).context("fetch-data failed; the demo needs the data")?;
    let dnn = build_release_dnn(root)?;
    let out = target_dir(root).join("demo");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let model = out.join("model.h5");
    let plot = out.join("cost.png");
    let report = out.join("report.json");
    let mislabeled = out.join("mislabeled.png");

    let mut train = Command::new(&dnn);
    train
        .args(["train", "--data", "data", "--save"])
        .arg(&model)
        .arg("--plot")
        .arg(&plot)
        .arg("--report")
        .arg(&report);
    run_checked(train, root, "training (dnn train)")?;

    let mut evaluate = Command::new(&dnn);
    evaluate
        .args(["evaluate", "--model"])
        .arg(&model)
        .args(["--data", "data", "--mislabeled"])
        .arg(&mislabeled);
    run_checked(evaluate, root, "evaluation (dnn evaluate)")?;

    println!(
        "\ndemo finished in {:.1} s. The files are in {}:",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    for (path, what) in [
        (&model, "the trained model (HDF5; opens with h5py too)"),
        (&plot, "the cost curve"),
        (&report, "the training report (costs, accuracies, timing)"),
        (&mislabeled, "the test images the model gets wrong"),
    ] {
        let mark = if path.exists() {
            ""
        } else {
            "  (not written!)"
        };
        println!("  {:<44} {what}{mark}", path.display().to_string());
    }
    Ok(())
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}
