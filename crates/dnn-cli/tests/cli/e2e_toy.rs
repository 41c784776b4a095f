//! The improving-networks toolkit end to end: `dnn toy` on the moons against numpy and
//! scikit-learn (`xtask/expected/repro.json`, written by `xtask/expected/gen_toy.py`),
//! `dnn train --grad-check`, and the optimisation flags of `dnn train` reaching the report.

use crate::common;
use crate::fixtures;

use common::{dnn_in, expected};
use serde_json::Value;

fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("report")).expect("json")
}

fn f(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

#[test]
fn moons_adam_beats_gradient_descent_exactly_as_numpy_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = dnn_in(
        dir.path(),
        &[
            "toy",
            "--dataset",
            "moons",
            "--compare",
            "--report",
            "r.json",
            "--plot",
            "moons.png",
        ],
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    let table: Vec<&str> = run.stdout.lines().take(4).collect();
    assert!(table[0].starts_with("optimizer"), "{}", run.stdout);
    assert!(
        table[1].starts_with("gd ") && table[1].ends_with(" 0.7167"),
        "{table:?}"
    );
    assert!(
        table[3].starts_with("adam ") && table[3].ends_with(" 0.9433"),
        "{table:?}"
    );
    assert!(
        std::fs::metadata(dir.path().join("moons.png"))
            .expect("plot")
            .len()
            > 10_000
    );

    let report = read_json(&dir.path().join("r.json"));
    let runs = report["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 3);
    for run in runs {
        let name = format!("moons-{}", run["optimizer"].as_str().expect("name"));
        let e = expected(&name);
        let want_acc = f(&e["accuracy"]);
        assert_eq!(f(&run["accuracy"]), want_acc, "{name}: accuracy");
        let got = run["costs"].as_array().expect("costs");
        let want = e["costs"].as_array().expect("costs");
        assert_eq!(got.len(), want.len(), "{name}: cost records");
        for (k, (g, w)) in got.iter().zip(want).enumerate() {
            assert_eq!(g[0], w[0], "{name}: epoch");
            let spread = f(&e["cost_spread_under_one_ulp"][k]);
            let tol = 1e-6_f64.max(10.0 * spread);
            let (g, w) = (f(&g[1]), f(&w[1]));
            assert!((g - w).abs() <= tol, "{name} cost {k}: {g} vs numpy {w}");
        }
    }
    let acc = |i: usize| f(&runs[i]["accuracy"]);
    assert_eq!(acc(0), 0.7166666666666667, "gd, as numpy");
    assert!(acc(2) >= 0.94, "adam reaches {}", acc(2));
    assert!(acc(2) > acc(0) + 0.2, "adam clearly ahead of gd");
}

#[test]
fn one_optimiser_prints_the_courses_epoch_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = dnn_in(dir.path(), &["toy", "--optimizer", "adam"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "Cost after epoch 0: 0.702166",
            "Cost after epoch 1000: 0.167845",
            "Cost after epoch 2000: 0.141316",
            "Cost after epoch 3000: 0.138788",
            "Cost after epoch 4000: 0.136066",
            "Accuracy: 0.9433",
        ]
    );
}

/// `dnn train` counts in `--iterations` (`--epochs` its alias); `dnn toy` takes both names
/// too, for the same flag.
#[test]
fn toy_takes_iterations_as_train_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |flag: &str, report: &str| {
        let args = ["toy", flag, "3", "--print-every", "1", "--report", report];
        let run = dnn_in(dir.path(), &args);
        assert_eq!(run.code, Some(0), "{run:?}");
        (run.stdout, read_json(&dir.path().join(report)))
    };
    let (epochs, by_epochs) = run("--epochs", "e.json");
    let (iterations, by_iterations) = run("--iterations", "i.json");
    assert_eq!(iterations.replace("i.json", "e.json"), epochs);
    assert_eq!(by_iterations["epochs"], 3);
    for key in ["costs", "accuracy"] {
        assert_eq!(
            by_iterations["runs"][0][key], by_epochs["runs"][0][key],
            "{key}"
        );
    }
    let help = dnn_in(dir.path(), &["toy", "--help"]).stdout;
    assert!(help.contains("[alias: --iterations]"), "{help}");
}

/// The relative difference `--grad-check` printed.
fn grad_check_difference(stdout: &str) -> f64 {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Gradient check "))
        .unwrap_or_else(|| panic!("no gradient-check line in {stdout}"));
    let tail = &line[line.find("relative difference ").expect("difference") + 20..];
    tail.split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number in {line}"))
}

#[test]
fn grad_check_reports_a_tiny_difference_then_trains() {
    let dir = tempfile::tempdir().expect("tempdir");
    fixtures::tiny_data(&dir.path().join("data"));
    for layers in ["192,20,7,5,1", "192,3,1"] {
        let run = dnn_in(
            dir.path(),
            &[
                "train",
                "--layers",
                layers,
                "--grad-check",
                "--iterations",
                "10",
            ],
        );
        assert_eq!(run.code, Some(0), "{run:?}");
        let diff = grad_check_difference(&run.stdout);
        // Finite differences never meet backprop to the last bit: an exact 0 would be a
        // check that compared nothing.
        assert!(
            diff > 0.0 && diff < 1e-7,
            "{layers}: relative difference {diff}"
        );
        assert!(
            run.stdout.contains("first 5 training examples"),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout.contains("Train accuracy: "),
            "trained after the check: {}",
            run.stdout
        );
    }
}

#[test]
fn train_flags_reach_the_engine_and_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    fixtures::tiny_data(&dir.path().join("data"));
    let run = dnn_in(
        dir.path(),
        &[
            "train",
            "--layers",
            "192,3,1",
            "--optimizer",
            "adam",
            "--batch-size",
            "8",
            "--l2",
            "0.7",
            "--keep-prob",
            "0.86",
            "--decay",
            "inverse-time",
            "--epochs",
            "3",
            "--print-every",
            "1",
            "--report",
            "r.json",
        ],
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.starts_with("Cost after epoch 0: "),
        "{}",
        run.stdout
    );
    let r = read_json(&dir.path().join("r.json"));
    assert_eq!(r["optimizer"], "adam");
    assert_eq!(r["beta1"], 0.9);
    assert_eq!(r["batch_size"], 8);
    assert_eq!(r["shuffle_seed"], 11);
    assert_eq!(r["l2"], 0.7);
    assert_eq!(r["keep_prob"], 0.86);
    assert_eq!(r["decay"], "inverse-time");
    assert_eq!(r["decay_rate"], 1.0);
    assert_eq!(r["iterations_run"], 3);

    // The defaults stay the exercise's: full-batch gradient descent, no regularisation.
    let run = dnn_in(
        dir.path(),
        &[
            "train",
            "--layers",
            "192,3,1",
            "--iterations",
            "2",
            "-q",
            "--report",
            "d.json",
        ],
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    let d = read_json(&dir.path().join("d.json"));
    assert_eq!(d["optimizer"], "gd");
    assert_eq!(d["batch_size"], Value::Null);
    assert_eq!((f(&d["l2"]), f(&d["keep_prob"])), (0.0, 1.0));
}
