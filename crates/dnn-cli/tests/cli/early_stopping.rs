//! `dnn train --validation-split` and `--early-stopping` on a table that a wide network
//! overfits: the validation part held out of the training part, its cost beside each cost
//! line, training stopped `--patience` epochs after its lowest cost, and the model saved with
//! that epoch's parameters, bit for bit those of a run stopped there by `--epochs`.

use crate::common;
use crate::common::ok;
use crate::fixtures;

use std::path::Path;

use common::{dnn_in, Run};
use dnn_data::model::{load_model, AnyNetwork};
use serde_json::Value;

fn report(dir: &Path, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect("report")).expect("json")
}

/// Three overlapping classes, 300 rows: a [3, 64, 64, 3] network trained with Adam learns
/// them, then learns the noise.
fn overlapping_blobs(dir: &Path) {
    fixtures::write_blobs_csv(&dir.join("blobs.csv"), 300, 1.5);
}

/// `dnn train` on the blobs with `extra` flags, saving `save` and reporting `report`.
fn train(dir: &Path, save: &str, report: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "train",
        "--data",
        "blobs.csv",
        "--target",
        "kind",
        "--hidden",
        "64,64",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.01",
        "--batch-size",
        "16",
        "--print-every",
        "5",
        "--save",
        save,
        "--report",
        report,
    ];
    args.extend_from_slice(extra);
    dnn_in(dir, &args)
}

fn line<'a>(stdout: &'a str, prefix: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{stdout}"))
}

fn layers(path: &Path) -> Vec<(Vec<f64>, Vec<f64>)> {
    match load_model(path).expect("model").network {
        AnyNetwork::F64(net) => net
            .layers()
            .iter()
            .map(|l| {
                (
                    l.weights().iter().copied().collect(),
                    l.bias().iter().copied().collect(),
                )
            })
            .collect(),
        AnyNetwork::F32(_) => panic!("trained in f64"),
    }
}

#[test]
fn early_stopping_keeps_the_best_epochs_parameters_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    overlapping_blobs(dir.path());
    let run = ok(train(
        dir.path(),
        "es.h5",
        "es.json",
        &["--epochs", "300", "--early-stopping", "--patience", "8"],
    ));
    let r = report(dir.path(), "es.json");
    let v = &r["validation"];
    // 240 training rows (the 0.2 test split), a tenth of each class held out: 8 of each.
    assert_eq!(v["examples"], 24, "{v}");
    assert_eq!(r["data"]["train_examples"], 216);
    assert_eq!(
        (v["fraction"].as_f64(), v["seed"].as_u64()),
        (Some(0.1), Some(0))
    );
    let best = v["best"][0].as_u64().expect("a best epoch") as usize;
    let best_cost = v["best"][1].as_f64().expect("its cost");
    let stopped = v["early_stopping"]["stopped_at"].as_u64().expect("stopped") as usize;
    assert_eq!(stopped, best + 8, "patience 8: {v}");
    assert!(stopped < 299, "it overfits long before 300 epochs: {v}");
    assert_eq!(v["early_stopping"]["restored"], true);
    assert_eq!(r["iterations_run"], stopped + 1);
    assert_eq!(r["interrupted"], false);
    // Every cost line carries the validation cost, the report lists the same ones, and the
    // stopping epoch has its line.
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("Cost after epoch"))
        .collect();
    let costs = v["costs"].as_array().expect("costs");
    assert_eq!(lines.len(), costs.len(), "{}", run.stdout);
    for (line, c) in lines.iter().zip(costs) {
        let (epoch, cost) = (c[0].as_u64().expect("epoch"), c[1].as_f64().expect("cost"));
        assert!(
            line.starts_with(&format!("Cost after epoch {epoch}: ")),
            "{line}"
        );
        assert!(
            line.ends_with(&format!(" (validation {cost:.6})")),
            "{line} vs {cost}"
        );
    }
    assert_eq!(costs.last().expect("one")[0], stopped);
    assert!(
        run.stdout.contains(&format!(
            "Early stopping: stopped after epoch {stopped}, as the validation cost had not fallen \
             below its lowest for 8 epochs; kept the parameters of epoch {best}, where it was \
             lowest ({best_cost:.6})"
        )),
        "{}",
        run.stdout
    );
    // `dnn evaluate` holds out the same validation part again, from the model's record, and
    // scores the three parts as training did.
    let evaluated = ok(dnn_in(
        dir.path(),
        &["evaluate", "--model", "es.h5", "--data", "blobs.csv"],
    ));
    for part in ["Train", "Validation", "Test"] {
        let trained = line(&run.stdout, &format!("{part} accuracy: "));
        let again = line(&evaluated.stdout, &format!("{part} accuracy: "));
        assert!(
            again.starts_with(&format!("{trained} (")),
            "{part}: {trained} vs {again}"
        );
    }
    assert!(
        evaluated.stdout.contains(" of 24 correct)"),
        "{}",
        evaluated.stdout
    );
    let accuracy = v["accuracy"].as_f64().expect("validation accuracy");
    assert!(
        run.stdout
            .contains(&format!("\nValidation accuracy: {accuracy:.6}\n")),
        "{}",
        run.stdout
    );

    // The model is epoch `best`'s: the same run stopped there by --epochs (the validation part
    // watched, not used) saves the same parameters, bit for bit; and the model file says so.
    let epochs = (best + 1).to_string();
    let plain = ok(train(
        dir.path(),
        "plain.h5",
        "plain.json",
        &["--epochs", &epochs, "--validation-split", "0.1"],
    ));
    assert_eq!(
        layers(&dir.path().join("es.h5")),
        layers(&dir.path().join("plain.h5"))
    );
    let p = report(dir.path(), "plain.json");
    assert_eq!(
        p["validation"]["costs"]
            .as_array()
            .expect("costs")
            .last()
            .expect("last")[1],
        best_cost
    );
    assert!(p["validation"].get("early_stopping").is_none(), "{p}");
    assert!(
        plain
            .stdout
            .contains("its cost is printed beside the training cost"),
        "{}",
        plain.stdout
    );
    assert!(!plain.stdout.contains("Early stopping"), "{}", plain.stdout);
    let setup = load_model(dir.path().join("es.h5")).expect("model").setup;
    assert_eq!(setup.iterations_run, Some(best as u64 + 1));
    assert_eq!(
        (setup.validation_split, setup.patience, setup.min_delta),
        (Some(0.1), Some(8), Some(0.0))
    );
    assert_eq!(setup.iterations, Some(300));
}

#[test]
fn a_regression_watched_on_a_validation_part_runs_every_epoch_and_scores_three_parts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("a,b,y\n");
    for r in 0..200 {
        let (a, b) = (r as f64 / 20.0, (r * 7 % 13) as f64);
        text.push_str(&format!("{a},{b},{}\n", 3.0 * a - b + 0.25));
    }
    std::fs::write(dir.path().join("lin.csv"), text).expect("csv");
    let run = ok(dnn_in(
        dir.path(),
        &[
            "train",
            "--data",
            "lin.csv",
            "--hidden",
            "8",
            "--optimizer",
            "adam",
            "--learning-rate",
            "0.01",
            "--batch-size",
            "32",
            "--epochs",
            "20",
            "--validation-split",
            "0.25",
            "--split-seed",
            "4",
            "--report",
            "r.json",
            "--save",
            "lin.h5",
            "--quiet",
        ],
    ));
    let r = report(dir.path(), "r.json");
    let v = &r["validation"];
    // 160 training rows; scikit-learn's ShuffleSplit holds out ceil(0.25 x 160) = 40.
    assert_eq!(
        (v["examples"].as_u64(), r["data"]["train_examples"].as_u64()),
        (Some(40), Some(120))
    );
    assert_eq!(v["seed"], 4);
    assert_eq!(r["iterations_run"], 20);
    assert!(
        v.get("early_stopping").is_none() && v.get("accuracy").is_none(),
        "{v}"
    );
    let r2 = v["regression"]["r2"].as_f64().expect("validation R²");
    let lines: Vec<&str> = run.stdout.lines().filter(|l| l.contains(" R²: ")).collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(
        lines[1].starts_with(&format!("Validation R²: {r2:.6} (")),
        "{lines:?}"
    );
    assert!(lines[1].ends_with(", 40 examples)"), "{lines:?}");
    // `dnn evaluate` scores the same three parts (the model records the fraction and seed).
    let evaluated = ok(dnn_in(
        dir.path(),
        &["evaluate", "--model", "lin.h5", "--data", "lin.csv"],
    ));
    let again: Vec<&str> = evaluated
        .stdout
        .lines()
        .filter(|l| l.contains(" R²: "))
        .collect();
    assert_eq!(again, lines, "{}", evaluated.stdout);
}

#[test]
fn validation_flags_that_cannot_work_are_refused_in_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    overlapping_blobs(dir.path());
    let refused = |extra: &[&str]| {
        let run = train(dir.path(), "x.h5", "x.json", extra);
        assert_ne!(run.code, Some(0), "{run:?}");
        assert!(!dir.path().join("x.h5").exists(), "nothing saved");
        run.stderr
    };
    let e = refused(&["--patience", "5"]);
    assert!(e.contains("--early-stopping"), "{e}");
    let e = refused(&["--validation-split", "1.5"]);
    assert!(
        e.contains("1.5 is not a usable validation split; it must be a fraction in (0, 1)"),
        "{e}"
    );
    let e = refused(&["--early-stopping", "--patience", "0"]);
    assert!(e.contains("--patience"), "{e}");
    let e = refused(&["--early-stopping", "--min-delta", "-1"]);
    assert!(e.contains("--min-delta"), "{e}");
    let e = refused(&["--early-stopping", "--validation-split", "0.001"]);
    assert!(
        e.contains(
            "blobs.csv: the training part: a stratified validation split of 0.001 of 240 examples \
             leaves 240 training and 0 validation examples; give more examples or another split"
        ),
        "{e}"
    );
    assert_eq!(e.trim_end().lines().count(), 1, "{e}");
}

/// An image folder with a `validation/` beside `train/` and `test/`: dnn does not read it,
/// says so and how it makes a validation part, and makes one out of `train/`; `--split-seed`
/// seeds it although the folder has its own test part, and the model file records that seed.
#[test]
fn a_validation_folder_is_not_read_and_the_warning_says_how_to_make_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("shapes");
    fixtures::write_picture_folder(&folder.join("train"), &["red", "blue"], 10, 6);
    fixtures::write_picture_folder(&folder.join("test"), &["red", "blue"], 3, 6);
    fixtures::write_picture_folder(&folder.join("validation"), &["red", "blue"], 2, 6);
    let run = ok(dnn_in(
        dir.path(),
        &[
            "train",
            "--data",
            "shapes",
            "--image-size",
            "6",
            "--hidden",
            "4",
            "--iterations",
            "30",
            "--learning-rate",
            "0.05",
            "--early-stopping",
            "--validation-split",
            "0.2",
            "--split-seed",
            "5",
            "--save",
            "m.h5",
            "-q",
        ],
    ));
    assert!(
        run.stderr.contains(
            "warning: not read, as in no class folder: shapes/validation/ (dnn reads pictures in \
             shapes/train/<class>/ and shapes/test/<class>/; dnn train --validation-split holds a \
             validation part out of train/)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains(
            "Validation: 4 of the 20 training examples held out (stratified 0.2 split, seed 5)"
        ),
        "{}",
        run.stdout
    );
    let setup = load_model(dir.path().join("m.h5")).expect("model").setup;
    assert_eq!((setup.test_split, setup.split_seed), (None, Some(5)));
    // Without a validation part, --split-seed has nothing to seed in a folder with a test part.
    let run = dnn_in(
        dir.path(),
        &[
            "train",
            "--data",
            "shapes",
            "--split-seed",
            "5",
            "--save",
            "n.h5",
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(
            "--split-seed splits a source without a test part, but --data shapes has its own \
             test part (it also seeds --validation-split, not given)"
        ),
        "{}",
        run.stderr
    );
}

/// A run that diverges with early stopping on keeps, with `--save-last-good`, the parameters
/// of the lowest validation cost (not the last ones before the divergence), and says so; bit
/// for bit those of the same run stopped there by `--iterations`.
#[test]
fn a_diverged_run_with_early_stopping_saves_the_lowest_validation_cost() {
    let dir = tempfile::tempdir().expect("tempdir");
    overlapping_blobs(dir.path());
    let diverging = [
        "train",
        "--data",
        "blobs.csv",
        "--target",
        "kind",
        "--hidden",
        "8",
        "--learning-rate",
        "0.1",
        "--l2",
        "8900",
        "--validation-split",
        "0.1",
    ];
    let run = dnn_in(
        dir.path(),
        &[
            &diverging[..],
            &[
                "--iterations",
                "500",
                "--early-stopping",
                "--patience",
                "1000",
            ],
            &["--save-last-good", "--save", "div.h5"],
        ]
        .concat(),
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    // The patience (1000, past the 500 iterations: so that only divergence ends the run) is
    // warned about; then the one error line.
    assert!(
        run.stderr
            .contains("warning: --patience 1000 is not less than the 500 iterations planned"),
        "{}",
        run.stderr
    );
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("warning: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    let e = errors[0];
    let kept = e
        .split("saved the parameters of iteration ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_else(|| panic!("{e}"));
    assert!(
        e.starts_with("error: training diverged at iteration ")
            && e.contains(", the lowest validation cost (")
            && e.ends_with("), to div.h5"),
        "{e}"
    );
    let best: usize = kept.parse().expect("an iteration");
    let setup = load_model(dir.path().join("div.h5")).expect("model").setup;
    assert_eq!(setup.iterations_run, Some(best as u64 + 1));
    assert_eq!(setup.patience, Some(1000));
    let iterations = (best + 1).to_string();
    ok(dnn_in(
        dir.path(),
        &[
            &diverging[..],
            &["--iterations", &iterations, "--save", "plain.h5", "-q"],
        ]
        .concat(),
    ));
    assert_eq!(
        layers(&dir.path().join("div.h5")),
        layers(&dir.path().join("plain.h5"))
    );
    // Without --save-last-good nothing is saved, and the message says what the flag keeps.
    let run = dnn_in(
        dir.path(),
        &[
            &diverging[..],
            &[
                "--iterations",
                "500",
                "--early-stopping",
                "--patience",
                "1000",
                "--save",
                "no.h5",
            ],
        ]
        .concat(),
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "nothing saved (pass --save-last-good to keep the parameters of iteration {best}, \
             the lowest validation cost ("
        )),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("no.h5").exists());
}

#[test]
fn a_tiny_validation_part_and_a_patience_past_the_run_are_warned_about() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    // 60 rows: 48 to train, 16 of each class; a tenth of each, rounded up, held out: 6.
    fixtures::write_blobs_csv(&w.join("blobs.csv"), 60, 0.3);
    let run = ok(train(
        w,
        "m.h5",
        "r.json",
        &["--epochs", "4", "--early-stopping", "--patience", "4"],
    ));
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: the validation part holds 6 examples: its cost moves with each of them and says little of unseen data; give a larger --validation-split, or more data",
            "warning: --patience 4 is not less than the 4 epochs planned: early stopping cannot stop training (the best epoch's parameters are still kept)",
        ],
        "{}",
        run.stderr
    );
    // Neither, with a part of 12 and a patience the run can reach.
    let run = ok(train(
        w,
        "m.h5",
        "r.json",
        &[
            "--epochs",
            "4",
            "--early-stopping",
            "--patience",
            "3",
            "--validation-split",
            "0.25",
        ],
    ));
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

/// A short early-stopped run is plotted at every epoch, not only at the print steps (every 100
/// by default: here the first and the last), so the best epoch's marker sits on the validation
/// curve as drawn, not beside a straight line between two far points.
#[test]
fn the_best_epochs_marker_sits_on_the_validation_curve_drawn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = dir.path();
    overlapping_blobs(w);
    #[rustfmt::skip]
    ok(dnn_in(w, &[
        "train", "--data", "blobs.csv", "--target", "kind", "--hidden", "64,64", "--optimizer",
        "adam", "--learning-rate", "0.01", "--batch-size", "16", "--early-stopping",
        "--patience", "3", "--epochs", "300", "-q", "--save", "m.h5", "--report", "r.json",
        "--plot", "p.svg",
    ]));
    let best = report(w, "r.json")["validation"]["best"][0]
        .as_u64()
        .expect("a best epoch");
    assert!(best > 0, "the best epoch is not a print step");
    let svg = std::fs::read_to_string(w.join("p.svg")).expect("svg");
    let attr = |el: &str, name: &str| -> String {
        let from = el.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        el[from..from + el[from..].find('"').expect("end")].to_owned()
    };
    let elements = |tag: &str| -> Vec<String> {
        svg.split(&format!("<{tag} "))
            .skip(1)
            .map(|el| format!(" {}", &el[..el.find("/>").expect("closed")]))
            .collect()
    };
    let marker = elements("circle")
        .into_iter()
        .find(|c| attr(c, "r") == "6")
        .expect("the best epoch's marker");
    let centre = format!("{},{}", attr(&marker, "cx"), attr(&marker, "cy"));
    let validation = elements("polyline")
        .into_iter()
        .filter(|p| attr(p, "stroke") == "#FF7F0E")
        .map(|p| attr(&p, "points"))
        .max_by_key(|points| points.len())
        .expect("the validation curve");
    let vertices: Vec<&str> = validation.split_whitespace().collect();
    assert!(
        vertices.contains(&centre.as_str()),
        "marker at {centre}, best epoch {best}; the curve's points: {vertices:?}"
    );
}
