//! `dnn train --cross-validate K`: each fold's scores are those of a plain `dnn train` on that
//! fold's rows (with early stopping too) (written as an npz archive of x_train, y_train, x_test and y_test, the fold
//! made by `dnn_data::split::stratified_fold`, which `tests/data/folds.rs` checks against
//! scikit-learn's `StratifiedKFold`), the means are the folds' means, and what cannot be
//! cross-validated is refused.

use dnn_data::split::{stratified_fold, Fold};
use ndarray::{Array1, Array2};

use crate::common::dnn_in;
use crate::common::ok;
use crate::fixtures;

/// A short run of gradient descent.
const SETUP: [&str; 7] = [
    "--hidden",
    "6",
    "--iterations",
    "150",
    "--learning-rate",
    "0.1",
    "--standardize",
];

/// Adam on mini-batches with early stopping, which stops every fold of the blobs early.
const STOPPING: [&str; 14] = [
    "--hidden",
    "6",
    "--optimizer",
    "adam",
    "--learning-rate",
    "0.05",
    "--batch-size",
    "16",
    "--epochs",
    "200",
    "--standardize",
    "--early-stopping",
    "--patience",
    "3",
];

/// The number after `key` in `line` (up to a comma, semicolon, space or parenthesis).
fn number_after(line: &str, key: &str) -> f64 {
    let rest = &line[line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len()..];
    let end = rest.find([',', ';', ' ', '(']).unwrap_or(rest.len());
    rest[..end]
        .parse()
        .unwrap_or_else(|_| panic!("a number after {key} in {line}"))
}

/// The table's rows `rows` as x (one row each) and y (class indices).
fn part(x: &[Vec<f64>], y: &[i64], rows: &[usize]) -> (Array2<f64>, Array1<i64>) {
    let d = x[0].len();
    (
        Array2::from_shape_fn((rows.len(), d), |(j, i)| x[rows[j]][i]),
        Array1::from_iter(rows.iter().map(|&j| y[j])),
    )
}

#[test]
fn each_fold_scores_as_a_plain_training_on_its_rows_and_the_mean_is_theirs() {
    folds_are_plain_trainings(&SETUP);
}

/// With early stopping, each fold holds out its validation part from its own training folds,
/// as a plain training on the fold's rows does.
#[test]
fn with_early_stopping_each_fold_holds_out_and_stops_as_a_plain_training() {
    let out = folds_are_plain_trainings(&STOPPING);
    let stopped = out
        .lines()
        .filter(|l| l.starts_with("Fold ") && l.contains("; early stopping kept epoch "))
        .filter(|l| !l.ends_with(" of 200"))
        .count();
    assert_eq!(stopped, 4, "every fold stops early: {out}");
}

/// Cross-validates the blobs with the set-up `flags`, checks every fold against a plain
/// training on its rows with the same flags, and returns what it printed.
fn folds_are_plain_trainings(flags: &[&str]) -> String {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    fixtures::write_gaussian_blobs(&dir.join("blobs.csv"), 90, 3, 3, 1.5);
    let mut args = vec!["train", "--data", "blobs.csv", "--cross-validate", "4"];
    args.extend_from_slice(&["--report", "cv.json"]);
    args.extend_from_slice(flags);
    let run = ok(dnn_in(dir, &args));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cv.json")).expect("report"))
            .expect("json");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "Data: blobs.csv (csv): 90 examples in 4 folds (stratified, shuffled with seed 0), 3 \
         features, 3 classes"
    );
    let folds: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("Fold "))
        .collect();
    assert_eq!(folds.len(), 4, "{}", run.stdout);
    assert!(
        !dir.join("model.h5").exists(),
        "cross-validation saves no model"
    );

    // The table as numbers, its classes as dnn numbers them (sorted names: c0, c1, c2).
    let text = std::fs::read_to_string(dir.join("blobs.csv")).expect("read");
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        x.push(
            cells[..3]
                .iter()
                .map(|c| c.parse::<f64>().unwrap())
                .collect::<Vec<_>>(),
        );
        y.push(cells[3][1..].parse::<i64>().unwrap());
    }
    let labels: Vec<usize> = y.iter().map(|&c| c as usize).collect();
    let mut tests = Vec::new();
    for (index, line) in folds.iter().enumerate() {
        let (train, test) = stratified_fold(&labels, 3, Fold { index, of: 4 }, 0).unwrap();
        let npz = dir.join(format!("fold{index}.npz"));
        let ((xtr, ytr), (xte, yte)) = (part(&x, &y, &train), part(&x, &y, &test));
        let mut w = ndarray_npy::NpzWriter::new(std::fs::File::create(&npz).expect("npz"));
        w.add_array("x_train", &xtr).unwrap();
        w.add_array("y_train", &ytr).unwrap();
        w.add_array("x_test", &xte).unwrap();
        w.add_array("y_test", &yte).unwrap();
        w.finish().unwrap();
        let name = npz.file_name().unwrap().to_str().unwrap().to_owned();
        let mut plain = vec!["train", "--data", &name, "-q", "--save", "m.h5"];
        plain.extend_from_slice(flags);
        let out = ok(dnn_in(dir, &plain)).stdout;
        // `Validation: 7 of the 67 training examples held out ...`: not trained on.
        let held = out
            .lines()
            .find(|l| l.starts_with("Validation: "))
            .map_or(0, |l| number_after(l, "Validation: ") as usize);
        assert!(
            line.starts_with(&format!(
                "Fold {} of 4: trained on {}, tested on {}: ",
                index + 1,
                train.len() - held,
                test.len()
            )),
            "{line}"
        );
        let accuracy = |what: &str| {
            let l = out.lines().find(|l| l.starts_with(what)).expect(what);
            number_after(l, ": ")
        };
        assert_eq!(
            number_after(line, "train accuracy "),
            accuracy("Train accuracy"),
            "{line}"
        );
        assert_eq!(
            number_after(line, "test accuracy "),
            accuracy("Test accuracy"),
            "{line}"
        );
        tests.push(number_after(line, "test accuracy "));
        // The report holds what the line prints, in full.
        let recorded = &report["folds"][index];
        assert_eq!(recorded["fold"], index + 1);
        assert_eq!(recorded["test_examples"], test.len());
        let full = recorded["test"].as_f64().expect("test");
        assert!(
            (full - tests[index]).abs() <= 5e-7,
            "{recorded} against {line}"
        );
    }
    assert_eq!(report["metric"], "accuracy");
    assert_eq!(report["examples"], 90);
    for k in 0..4 {
        assert_eq!(report["folds"][k]["features"], 3, "{report}");
    }
    // Early stopping's rule is recorded when it ran, as --patience gave it.
    let stopping = flags.contains(&"--early-stopping");
    assert_eq!(
        report["patience"].as_u64(),
        stopping.then_some(3),
        "{report}"
    );
    assert_eq!(
        report["validation_split"].as_f64(),
        stopping.then_some(0.1),
        "{report}"
    );
    assert_eq!(report["folds"].as_array().map(Vec::len), Some(4));
    let full: Vec<f64> = (0..4)
        .map(|k| report["folds"][k]["test"].as_f64().unwrap())
        .collect();
    let full_mean = full.iter().sum::<f64>() / 4.0;
    assert!((report["test_mean"].as_f64().unwrap() - full_mean).abs() < 1e-15);
    // The mean and numpy's std of the printed folds (6 decimals each).
    let mean = tests.iter().sum::<f64>() / 4.0;
    let sd = (tests.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / 4.0).sqrt();
    let summary = lines
        .iter()
        .find(|l| l.starts_with("Test accuracy: "))
        .expect("mean");
    assert!(
        (number_after(summary, "Test accuracy: ") - mean).abs() < 2e-6,
        "{summary}"
    );
    assert!((number_after(summary, "± ") - sd).abs() < 2e-6, "{summary}");
    assert!(
        tests.iter().any(|&t| t < 1.0),
        "some fold misses: the blobs overlap"
    );
    run.stdout
}

#[test]
fn a_regression_is_cross_validated_by_its_r2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let rows: String = (0..60)
        .map(|i| format!("{i},{}\n", 2.5 * i as f64 + ((i * 7) % 5) as f64))
        .collect();
    std::fs::write(dir.join("line.csv"), format!("x,y\n{rows}")).expect("write");
    let run = ok(dnn_in(
        dir,
        &[
            "train",
            "--data",
            "line.csv",
            "--cross-validate",
            "3",
            "--iterations",
            "300",
        ],
    ));
    assert!(
        run.stdout
            .contains("60 examples in 3 folds (shuffled with seed 0)"),
        "{}",
        run.stdout
    );
    let r2: Vec<f64> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("Fold "))
        .map(|l| number_after(l, "test R² "))
        .collect();
    assert_eq!(r2.len(), 3, "{}", run.stdout);
    let summary = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Test R²: "))
        .expect("mean");
    let mean = r2.iter().sum::<f64>() / 3.0;
    assert!(
        (number_after(summary, "Test R²: ") - mean).abs() < 2e-6,
        "{summary}"
    );
    assert!(summary.contains(", RMSE "), "{summary}");
}

#[test]
fn what_cannot_be_cross_validated_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    fixtures::write_gaussian_blobs(&dir.join("blobs.csv"), 12, 2, 2, 3.0);
    // A source with its own test part has no folds to make.
    let x = Array2::<f64>::zeros((6, 2));
    let y = Array1::from_iter((0..6).map(|j| (j % 2) as i64));
    let mut w = ndarray_npy::NpzWriter::new(std::fs::File::create(dir.join("own.npz")).unwrap());
    for (k, v) in [("x_train", &x), ("x_test", &x)] {
        w.add_array(k, v).unwrap();
    }
    for k in ["y_train", "y_test"] {
        w.add_array(k, &y).unwrap();
    }
    w.finish().unwrap();
    let refused = |args: &[&str], code: i32, says: &str| {
        let run = dnn_in(dir, args);
        assert_eq!(run.code, Some(code), "{args:?}: {run:?}");
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert!(!dir.join("model.h5").exists());
    };
    refused(
        &["train", "--data", "own.npz", "--cross-validate", "3"],
        1,
        "--cross-validate splits data without a test part of its own into folds, but --data \
         own.npz has one",
    );
    refused(
        &["train", "--data", "blobs.csv", "--cross-validate", "13"],
        1,
        "13 folds need at least as many examples, and there are 12; give fewer folds",
    );
    // A regression's fold of one example has no R².
    let rows: String = (0..5).map(|i| format!("{i},{}.5\n", 3 * i)).collect();
    std::fs::write(dir.join("five.csv"), format!("x,y\n{rows}")).expect("write");
    refused(
        &[
            "train",
            "--data",
            "five.csv",
            "--task",
            "regress",
            "--cross-validate",
            "3",
        ],
        1,
        "3 folds of 5 examples leave a fold of one example, whose R² is not defined; give at \
         most 2 folds",
    );
    // Billions of folds: refused by the split, not by running out of memory first.
    refused(
        &[
            "train",
            "--data",
            "blobs.csv",
            "--cross-validate",
            "99999999999",
        ],
        1,
        "99999999999 folds need at least as many examples, and there are 12",
    );
    refused(
        &["train", "--data", "blobs.csv", "--cross-validate", "1"],
        2,
        "cross-validation needs at least 2",
    );
    for flag in [
        ["--save", "m.h5"],
        ["--test-split", "0.3"],
        ["--plot", "costs.png"],
    ] {
        let mut args = vec!["train", "--data", "blobs.csv", "--cross-validate", "3"];
        args.extend_from_slice(&flag);
        refused(&args, 2, "cannot be used with");
    }
    // A held-out part that no fold would print or stop on.
    refused(
        &[
            "train",
            "--data",
            "blobs.csv",
            "--cross-validate",
            "3",
            "--validation-split",
            "0.2",
        ],
        1,
        "with --cross-validate, --validation-split only serves --early-stopping",
    );
    // Groups can leave a regression's later fold one example: named, before its training.
    std::fs::write(
        dir.join("groups.csv"),
        "g,x,y\nA,1,1.5\nB,2,2.5\nB,3,3.0\nC,4,1.0\nC,5,4.0\nC,6,2.0\n",
    )
    .expect("write");
    refused(
        &[
            "train",
            "--data",
            "groups.csv",
            "--group-by",
            "g",
            "--cross-validate",
            "3",
            "--iterations",
            "10",
        ],
        1,
        "fold 3 of 3 tests 1 example (its groups of `g` are that small), whose R² is not \
         defined; give fewer folds",
    );
    // A later fold that cannot be read says which fold: `b` has numbers only in fold 2's
    // test rows, so fold 2's training folds have none to fill with.
    std::fs::write(
        dir.join("gaps.csv"),
        "a,b,y\n1,,x\n2,,y\n3,,x\n4,5,y\n5,6,x\n6,2,y\n",
    )
    .expect("write");
    refused(
        &[
            "train",
            "--data",
            "gaps.csv",
            "--cross-validate",
            "2",
            "--fill-missing",
            "mean",
            "--iterations",
            "5",
            "--split-seed",
            "3",
        ],
        1,
        "error: fold 2 of 2: cannot load --data: gaps.csv: column `b` has no number in the \
         training part",
    );
}

/// A class of fewer examples than folds is warned about once, as scikit-learn's
/// StratifiedKFold warns, and not as the one split's "kept in training".
#[test]
fn a_class_rarer_than_the_folds_is_warned_about_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let mut rows = String::from("x,y\n");
    for j in 0..30 {
        rows.push_str(&format!(
            "{j},{}\n",
            if j % 2 == 0 { "even" } else { "odd" }
        ));
    }
    rows.push_str("3.5,rare\n");
    std::fs::write(dir.join("rare.csv"), rows).expect("write");
    let run = ok(dnn_in(
        dir,
        &[
            "train",
            "--data",
            "rare.csv",
            "--cross-validate",
            "3",
            "--iterations",
            "5",
        ],
    ));
    assert_eq!(
        run.stderr,
        "warning: the class `rare` (1) has fewer examples than the 3 folds: some folds test \
         none of it, and a fold that tests all of it trains without; give it more examples, or \
         fewer folds\n"
    );
}

/// A text value met in one row only is an input of the folds that train on that row: the
/// folds' inputs differ, and the run says so (the Data line gives fold 1's).
#[test]
fn folds_of_different_inputs_are_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let mut rows = String::from("x,colour,y\n");
    for j in 0..24 {
        let colour = match j {
            7 => "green",
            _ if j % 3 == 0 => "red",
            _ => "blue",
        };
        rows.push_str(&format!(
            "{j},{colour},{}\n",
            if j % 2 == 0 { "a" } else { "b" }
        ));
    }
    std::fs::write(dir.join("colours.csv"), rows).expect("write");
    let run = ok(dnn_in(
        dir,
        &[
            "train",
            "--data",
            "colours.csv",
            "--cross-validate",
            "3",
            "--iterations",
            "5",
            "--report",
            "cv.json",
        ],
    ));
    // `green` (row 7) is in one fold's test part: that fold has 3 inputs, the others 4.
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Inputs per fold: "))
        .unwrap_or_else(|| panic!("no Inputs line: {}", run.stdout));
    let mut widths: Vec<&str> = line["Inputs per fold: ".len()..]
        .split(" (")
        .next()
        .unwrap()
        .split(", ")
        .collect();
    widths.sort_unstable();
    assert_eq!(widths, ["3", "4", "4"], "{line}");
    // The report has each fold's own width.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cv.json")).expect("report"))
            .expect("json");
    let recorded: Vec<String> = (0..3)
        .map(|k| report["folds"][k]["features"].to_string())
        .collect();
    assert_eq!(
        recorded.join(", "),
        line["Inputs per fold: ".len()..]
            .split(" (")
            .next()
            .unwrap(),
        "{report}"
    );
    // The text column's values are said, as fold 1 found them: one input each, beside `x`.
    let first: usize = line["Inputs per fold: ".len()..]
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let values = first - 1;
    assert!(
        run.stdout.contains(&format!(
            "Text columns, one-hot encoded into {values} inputs: colour ({values} values) (fold \
             1's training folds; each fold fits its own)"
        )),
        "{}",
        run.stdout
    );
}
