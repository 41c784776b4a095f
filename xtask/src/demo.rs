//! `cargo xtask demo`: the main job, end to end.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::fetch::{self, FetchArgs};
use crate::process::{build_release_dnn, run_checked, target_dir};
use crate::setup;

/// `cargo xtask demo`: setup, fetch-data, build the release `dnn`, train the published L-layer
/// model (cost plot, report, model file), evaluate it (mislabeled-images grid), and say where
/// the files are.
pub fn run(root: &Path, fetch: &FetchArgs) -> Result<()> {
    let started = Instant::now();
    // Only what building and running dnn needs: the browser is for the browser test.
    setup::libraries().context("setup failed; the demo needs OpenBLAS and HDF5")?;
    fetch::run(root, fetch).context("fetch-data failed; the demo needs the data")?;
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
