//! `dnn train --class-weight balanced|CLASS=W,...`.
//!
//! The numbers are checked against scikit-learn on dnn's own models
//! (`tests/reference/compare_class_weights.py`, in the venv that `cargo xtask test` makes, named
//! by DNN_PYTHON): the balanced weights are `compute_class_weight("balanced")` of the training
//! labels, the weighted cost is `log_loss(sample_weight=w)` of `dnn predict`'s probabilities,
//! and the balanced accuracy is `balanced_accuracy_score` of its classes. Then the command's own
//! cases: what the weights are computed over, what is recorded, and what is refused.

use std::path::Path;

use serde_json::Value;

use crate::common::{dnn_in, ok, reference_results};
use crate::fixtures::write_uneven_csv;

#[test]
fn weights_cost_and_balanced_accuracy_are_scikit_learns() {
    let doc = reference_results(
        "compare_class_weights.py",
        "numpy and scikit-learn (tests/reference/compare_class_weights.py)",
    );
    let results = doc["results"].as_array().expect("results");
    let names: Vec<&str> = results
        .iter()
        .map(|r| r["table"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["two", "three"]);
    for r in results {
        let name = &r["table"];
        // m / (k m_c): the same two operations on both sides (measured: 0).
        let weights = r["class_weights_max_abs_difference"].as_f64().unwrap();
        assert!(weights <= 1e-15, "{name}: weights differ by {weights}: {r}");
        // Counts over the same rows (measured: 0).
        let balanced = r["balanced_accuracy_max_abs_difference"].as_f64().unwrap();
        assert!(
            balanced <= 1e-15,
            "{name}: balanced accuracy differs by {balanced}"
        );
        // dnn's cost from the logits, scikit-learn's from predict's probabilities, written in
        // full (measured: 3.3e-16).
        let cost = r["weighted_cost_difference"].as_f64().unwrap();
        assert!(
            cost <= 1e-12,
            "{name}: weighted cost differs by {cost}: {r}"
        );
        // The rare class weighs more.
        let w: Vec<f64> = r["dnn_class_weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert!(w.last().unwrap() > &(4.0 * w[0]), "{name}: {w:?}");
        // What the weights are for: the test part's balanced accuracy rises (measured: 0.641
        // to 0.768 on `two`, 0.737 to 0.813 on `three`).
        let weighted = r["dnn_balanced_accuracy"]["test"].as_f64().unwrap();
        let plain = r["plain_test_balanced_accuracy"].as_f64().unwrap();
        assert!(
            weighted > plain + 0.04,
            "{name}: {weighted} vs plain {plain}"
        );
        let printed = r["printed"].as_str().unwrap();
        assert!(printed.contains("Class weights: `0` "), "{printed}");
        assert!(printed.contains("Balanced accuracy ("), "{printed}");
    }
}

fn train(dir: &Path, extra: &[&str]) -> crate::common::Run {
    let mut args = vec![
        "train",
        "--data",
        "uneven.csv",
        "--hidden",
        "4",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.05",
        "--iterations",
        "60",
        "-q",
    ];
    args.extend_from_slice(extra);
    dnn_in(dir, &args)
}

/// `dnn` with `line`'s words as arguments (none with a space), in `dir`.
fn words(dir: &Path, line: &str) -> crate::common::Run {
    dnn_in(dir, &line.split_whitespace().collect::<Vec<_>>())
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Balanced weights are the training part's, after a validation part is held out; the run
/// prints them and its balanced accuracies, the report and the model record them, and going
/// on `--from` that model without the flag warns that every example now counts the same.
#[test]
fn balanced_weights_are_the_training_parts_and_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    write_uneven_csv(&dir.path().join("uneven.csv"));
    let run = ok(train(
        dir.path(),
        &[
            "--class-weight",
            "balanced",
            "--validation-split",
            "0.25",
            "--report",
            "r.json",
            "--save",
            "m.h5",
        ],
    ));
    // 320 training rows (a stratified 0.2 test split), of which 80 held out: 240, 24 rare.
    assert!(
        run.stdout.contains(
            "Class weights: `common` 0.5556, `rare` 5 (balanced: m / (k · m_c) over the 240 \
             training examples)"
        ),
        "{}",
        run.stdout
    );
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Balanced accuracy ("))
        .expect("a balanced accuracy line");
    assert!(
        line.contains("train ") && line.contains(", validation ") && line.contains(", test "),
        "{line}"
    );
    let r = json(&dir.path().join("r.json"));
    assert_eq!(r["class_weights"], serde_json::json!([240.0 / 432.0, 5.0]));
    let test = r["balanced_accuracy"]["test"].as_f64().unwrap();
    assert!(
        line.ends_with(&format!("test {test:.6}")),
        "{line} vs {test}"
    );
    // dnn evaluate gives the same balanced accuracies of the model, part for part.
    let evaluated = ok(words(dir.path(), "evaluate --model m.h5 --data uneven.csv"));
    let scores = |text: &str| {
        let line = text
            .lines()
            .find(|l| l.starts_with("Balanced accuracy ("))
            .unwrap();
        line.split_once("): ").unwrap().1.to_owned()
    };
    assert_eq!(
        scores(&evaluated.stdout),
        scores(&run.stdout),
        "{}",
        evaluated.stdout
    );
    ok(words(
        dir.path(),
        "evaluate --model m.h5 --data uneven.csv --report e.json",
    ));
    let parts = json(&dir.path().join("e.json"))["parts"].clone();
    let recorded: Vec<String> = (parts.as_array().unwrap().iter())
        .map(|p| {
            format!(
                "{} {:.6}",
                p["name"].as_str().unwrap(),
                p["balanced_accuracy"].as_f64().unwrap()
            )
        })
        .collect();
    assert_eq!(recorded.join(", "), scores(&run.stdout));
    // The model file records them; --from it without --class-weight is told.
    let from = ok(words(
        dir.path(),
        "train --from m.h5 --data uneven.csv --iterations 2 -q --save n.h5",
    ));
    assert!(
        from.stderr.contains(
            "warning: m.h5 was trained with class weights (`common` 0.5556, `rare` 5); this \
             training weighs every example the same: give --class-weight to weigh the classes \
             again"
        ),
        "{}",
        from.stderr
    );
    // The classes are 9 to 1: the balanced accuracy is given, weights or not.
    assert!(from.stdout.contains("Balanced accuracy"), "{}", from.stdout);
    let again = ok(words(
        dir.path(),
        "train --from m.h5 --data uneven.csv --iterations 2 -q --save n.h5 --class-weight rare=5",
    ));
    assert!(
        !again.stderr.contains("was trained with class weights"),
        "{}",
        again.stderr
    );
    assert!(
        again
            .stdout
            .contains("Class weights: `common` 1, `rare` 5 (as given; a class left out counts 1)"),
        "{}",
        again.stdout
    );
}

/// Weights of 1 are the plain cost to the bit: the same parameters as no flag.
#[test]
fn weights_of_one_train_as_none_and_the_validation_cost_is_weighted() {
    let dir = tempfile::tempdir().unwrap();
    write_uneven_csv(&dir.path().join("uneven.csv"));
    ok(train(
        dir.path(),
        &["--save", "plain.h5", "--batch-size", "32"],
    ));
    ok(train(
        dir.path(),
        &[
            "--save",
            "ones.h5",
            "--batch-size",
            "32",
            "--class-weight",
            "common=1, rare=1", // a space after the comma is no part of a name
        ],
    ));
    ok(train(
        dir.path(),
        &[
            "--save",
            "rare.h5",
            "--batch-size",
            "32",
            "--class-weight",
            "rare=3",
        ],
    ));
    let load = |name: &str| dnn_data::model::load_model(dir.path().join(name)).unwrap();
    let (plain, ones, rare) = (load("plain.h5"), load("ones.h5"), load("rare.h5"));
    assert_eq!(plain.network, ones.network);
    assert_ne!(plain.network, rare.network);
    assert_eq!(plain.setup.class_weights, None);
    assert_eq!(ones.setup.class_weights, Some(vec![1.0, 1.0]));
    // The validation cost is weighted as training's: after one step too small to move the
    // network (so the weights matter only in how the cost is taken), equal with weights of 1,
    // other with `rare` counting 3.
    let validation_cost = |flags: &str| {
        let line = format!(
            "train --data uneven.csv --hidden 4 --iterations 1 --learning-rate 1e-12 \
             --validation-split 0.25 -q --report v.json --save v.h5 {flags}"
        );
        ok(words(dir.path(), &line));
        json(&dir.path().join("v.json"))["validation"]["costs"][0][1]
            .as_f64()
            .unwrap()
    };
    let plain = validation_cost("");
    assert_eq!(validation_cost("--class-weight rare=1"), plain);
    let weighted = validation_cost("--class-weight rare=3");
    assert!((weighted - plain).abs() > 1e-3, "{weighted} vs {plain}");
}

/// Cross-validation weighs each fold by its own training folds, and scores each by its
/// balanced accuracy too; --grad-check checks the weighted cost.
#[test]
fn cross_validation_and_the_gradient_check_weigh_the_classes() {
    let dir = tempfile::tempdir().unwrap();
    write_uneven_csv(&dir.path().join("uneven.csv"));
    let run = ok(train(
        dir.path(),
        &[
            "--cross-validate",
            "4",
            "--class-weight",
            "balanced",
            "--report",
            "cv.json",
        ],
    ));
    assert!(
        run.stdout
            .contains("over the 300 training examples; fold 1's, each fold weighs its own)"),
        "{}",
        run.stdout
    );
    let r = json(&dir.path().join("cv.json"));
    let folds = r["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 4);
    for (k, fold) in folds.iter().enumerate() {
        // 300 training rows, 30 rare, in every fold of this table: 300/(2·270), 300/(2·30).
        assert_eq!(
            fold["class_weights"],
            serde_json::json!([300.0 / 540.0, 5.0]),
            "fold {k}"
        );
        let (train, test) = (
            &fold["balanced_accuracy"]["train"],
            &fold["balanced_accuracy"]["test"],
        );
        let line = format!("Fold {} of 4:", k + 1);
        let printed = run.stdout.lines().find(|l| l.starts_with(&line)).unwrap();
        assert!(
            printed.ends_with(&format!(
                "balanced accuracy: train {:.6}, test {:.6}",
                train.as_f64().unwrap(),
                test.as_f64().unwrap()
            )),
            "{printed}"
        );
    }
    let (mean, sd) = (
        r["test_balanced_mean"].as_f64().unwrap(),
        r["test_balanced_std"].as_f64().unwrap(),
    );
    assert!(
        run.stdout
            .contains(&format!("Test balanced accuracy: {mean:.6} ± {sd:.6}")),
        "{}",
        run.stdout
    );
    let checked = ok(train(
        dir.path(),
        &[
            "--grad-check",
            "--class-weight",
            "balanced",
            "--save",
            "g.h5",
        ],
    ));
    assert!(
        checked
            .stdout
            .contains("Gradient check: relative difference"),
        "{}",
        checked.stdout
    );
    let told = ok(words(dir.path(), "train --data uneven.csv --hidden 4 --iterations 2 --grad-check --class-weight balanced --save g.h5"));
    assert!(
        told.stdout
            .contains("Gradient check of the class-weighted cost on the first 5 training examples"),
        "{}",
        told.stdout
    );
}

/// A network that answers one class whatever it is shown scores a balanced accuracy of 1/k:
/// with class weights, that is what the warning is about (not the accuracy, which the weights
/// trade away by design).
#[test]
fn a_balanced_accuracy_of_one_class_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    write_uneven_csv(&dir.path().join("uneven.csv"));
    // Zero weights: every hidden unit is 0, every row gets the same probability.
    let run = ok(words(dir.path(), "train --data uneven.csv --hidden 4 --init zeros --iterations 1 --class-weight balanced -q --save z.h5"));
    assert!(
        run.stderr.contains(
            "warning: the test balanced accuracy 0.500000 is no better than always answering \
             one class would score (0.500000 for its 2 classes)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("no better than always answering `"),
        "{}",
        run.stderr
    );
}

#[test]
fn weights_that_cannot_apply_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_uneven_csv(&dir.path().join("uneven.csv"));
    let refused = |extra: &[&str], code: i32, message: &str| {
        let run = train(dir.path(), extra);
        assert_eq!(run.code, Some(code), "{extra:?}: {run:?}");
        assert!(run.stderr.contains(message), "{extra:?}: {}", run.stderr);
        assert!(
            !dir.path().join("model.h5").exists(),
            "{extra:?} saved a model"
        );
    };
    refused(
        &["--class-weight", "rarest=3"],
        1,
        "error: --class-weight names `rarest`, which is not one of the data's classes; they are \
         `common`, `rare`",
    );
    refused(
        &["--class-weight", "balanced", "--target", "x"],
        1,
        "error: --class-weight weighs the classes of a classifier, but the target is a number to \
         predict (a regression); leave out --class-weight",
    );
    for (flag, why) in [
        (
            "rare=0",
            "the weight of `rare` is 0: a class weight must be a finite number > 0",
        ),
        ("rare=-2", "the weight of `rare` is -2"),
        ("rare=inf", "the weight of `rare` is inf"),
        ("rare=NaN", "the weight of `rare` is NaN"),
        ("rare=lots", "the weight of `rare`, `lots`, is not a number"),
        ("rare", "`rare` is not CLASS=WEIGHT: give `balanced`"),
        (
            "a, b=2",
            "`a` is not CLASS=WEIGHT: give `balanced`, or weights such as `yes=5` or \
             `cat=2,dog=1` (a class left out counts 1); a comma separates weights, so a class \
             whose name holds one cannot be named: weigh the other classes instead",
        ),
        ("rare=2,rare=3", "`rare` is given two weights"),
        (
            "rare=2,",
            "`rare=2,` has an empty weight between its commas",
        ),
        (
            "--save",
            "`--save` is a flag: give --class-weight its value first, `balanced` or weights",
        ),
        ("Balanced", "`Balanced` is not CLASS=WEIGHT"),
        (
            "",
            "no weights given: give `balanced`, or weights such as `yes=5`",
        ),
        ("=2", "`=2` names no class: give CLASS=WEIGHT pairs"),
        (
            "rare=1e-400",
            "the weight of `rare`, 1e-400, is too small for f64, which rounds it to 0",
        ),
        (
            "rare=2e308",
            "the weight of `rare`, 2e308, is too large for f64",
        ),
    ] {
        refused(&["--class-weight", flag], 2, why);
    }
    // A class named with a leading hyphen (a negative label) is a value, not a flag.
    refused(
        &["--class-weight", "-1=5"],
        1,
        "error: --class-weight names `-1`, which is not one of the data's classes",
    );
    // f32 holds neither 1e40 nor 1e-50: refused before any work, naming the class.
    refused(
        &["--dtype", "f32", "--class-weight", "rare=1e40"],
        1,
        "error: --class-weight: the weight of `rare`, 1e40, is too large for f32 (which holds \
         numbers from about 1.4e-45 to 3.4e38); give weights nearer 1, or train in f64",
    );
    refused(
        &["--dtype", "f32", "--class-weight", "common=1e-50"],
        1,
        "error: --class-weight: the weight of `common`, 1e-50, is too small for f32",
    );
    // A class without a training example cannot be balanced: new data lacking one.
    let rows: String = std::fs::read_to_string(dir.path().join("uneven.csv"))
        .unwrap()
        .lines()
        .filter(|l| !l.ends_with(",rare"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("common_only.csv"), rows).unwrap();
    ok(train(dir.path(), &["--save", "m.h5"]));
    let run = words(
        dir.path(),
        "train --from m.h5 --data common_only.csv --class-weight balanced --save n.h5",
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(
            "error: --class-weight balanced: the class `rare` has no example in the training \
             part, so balanced weights cannot weigh it (m / (k · 0)); name weights for the \
             classes it has (--class-weight common=W), or train on data that has `rare`"
        ),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("n.h5").exists());
    // Named, it trains (the other classes weighed), with a warning that `rare`'s changes nothing.
    let run = ok(words(dir.path(), "train --from m.h5 --data common_only.csv --class-weight rare=3 --iterations 2 -q --save n.h5"));
    assert!(
        run.stderr.contains(
            "warning: --class-weight weighs `rare`, which has no example in the training part: \
             its weight changes nothing"
        ),
        "{}",
        run.stderr
    );
}

/// Weights far from 1 on average scale every step as a learning rate would: warned before
/// training, named in the divergence's advice, and a gradient check they make NaN says so.
#[test]
fn weights_far_from_one_are_told_apart_from_the_learning_rate() {
    let dir = tempfile::tempdir().unwrap();
    write_uneven_csv(&dir.path().join("uneven.csv"));
    // With gradient descent; Adam's steps do not scale with the gradient, so it is not told.
    let small = "train --data uneven.csv --hidden 4 --iterations 5 --save s.h5 --class-weight \
                 common=0.01,rare=0.01";
    let run = ok(words(dir.path(), small));
    assert!(
        run.stderr.contains(
            "warning: with these class weights a training example counts 0.01 on average, which \
             scales every step as a learning rate 0.01 times as large would; weights of 1 on \
             average (as balanced's are) keep its meaning"
        ),
        "{}",
        run.stderr
    );
    let adam = ok(words(dir.path(), &format!("{small} --optimizer adam")));
    assert!(!adam.stderr.contains("on average"), "{}", adam.stderr);
    // But weights that bring the gradients near Adam's epsilon stop it.
    let tiny = small.replace("0.01", "1e-5");
    let adam = ok(words(dir.path(), &format!("{tiny} --optimizer adam")));
    assert!(
        adam.stderr.contains(
            "warning: with these class weights a training example counts 1e-5 on average, \
             which scales the gradients down towards Adam's epsilon (1e-8), where its steps \
             shrink and the network learns little"
        ),
        "{}",
        adam.stderr
    );
    let balanced = ok(train(
        dir.path(),
        &["--class-weight", "balanced", "--save", "b.h5"],
    ));
    assert!(
        !balanced.stderr.contains("on average"),
        "{}",
        balanced.stderr
    );
    // Gradient descent (Adam's steps do not scale with the gradient's size).
    let gd = |flags: &str| {
        let line = format!(
            "train --data uneven.csv --hidden 4 --iterations 5 --save d.h5 --class-weight {flags}"
        );
        words(dir.path(), &line)
    };
    let run = gd("rare=1e300");
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr
            .contains("or class weights nearer 1 (a training example counts 1e299 on average)"),
        "{}",
        run.stderr
    );
    // Adam too, once the weights bring the cost and its gradients towards overflow: its
    // squared gradients overflow and its steps stop (f64), or the run diverges (f32).
    let run = ok(gd("rare=1e300 --optimizer adam"));
    assert!(
        run.stderr.contains(
            "warning: with these class weights a training example counts 1e299 on average, \
             which brings the cost and its gradients towards overflow, where Adam's steps stop \
             or the run diverges"
        ),
        "{}",
        run.stderr
    );
    std::fs::remove_file(dir.path().join("d.h5")).unwrap();
    let run = gd("common=1e37 --optimizer adam --dtype f32");
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr
            .contains("or class weights nearer 1 (a training example counts 9e36 on average)"),
        "{}",
        run.stderr
    );
    // The first 5 training rows, which the check takes, are all `common`.
    let run = gd("common=1e300 --grad-check");
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(
            "the class-weighted cost is not a number at these weights (the largest is 1e300); \
             give class weights nearer 1"
        ),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("d.h5").exists());
}

/// `dnn describe` points to the flag when the largest class outnumbers the rarest 5 to 1, for
/// an npz archive as for a table.
#[test]
fn describe_points_uneven_classes_to_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let x = ndarray::Array2::from_shape_fn((120, 3), |(i, j)| (i * 3 + j) as f64 / 360.0);
    let y = ndarray::Array1::from_shape_fn(120, |i| i64::from(i >= 100));
    crate::fixtures::write_xy_npz(&dir.path().join("xy.npz"), &x, &y);
    let run = ok(words(dir.path(), "describe --data xy.npz"));
    assert!(
        run.stdout
            .contains("Uneven classes: `1` is 20 of 120 rows (16.7 %), `0` 100 (83.3 %)"),
        "{}",
        run.stdout
    );
    write_uneven_csv(&dir.path().join("uneven.csv"));
    let run = ok(words(dir.path(), "describe --data uneven.csv"));
    assert!(
        run.stdout.contains(
            "Uneven classes: `rare` is 40 of 400 rows (10.0 %), `common` 360 (90.0 %): a network \
             can score 0.900000 by answering `common` alone; --class-weight balanced makes each \
             class weigh the same in the cost"
        ),
        "{}",
        run.stdout
    );
    // An archive whose own training part lacks a class: `balanced` cannot weigh it, so the
    // advice is weights by name (which `dnn train` takes).
    let mut npz =
        ndarray_npy::NpzWriter::new(std::fs::File::create(dir.path().join("own.npz")).unwrap());
    let x = |n: usize| ndarray::Array2::from_shape_fn((n, 2), |(i, j)| (i * 2 + j) as f64 / 50.0);
    let y_train = ndarray::Array1::from_shape_fn(110, |i| if i < 100 { 0i64 } else { 2 });
    let y_test = ndarray::Array1::from_shape_fn(30, |i| [0i64, 1, 2][i % 3]);
    npz.add_array("x_train", &x(110)).unwrap();
    npz.add_array("y_train", &y_train).unwrap();
    npz.add_array("x_test", &x(30)).unwrap();
    npz.add_array("y_test", &y_test).unwrap();
    npz.finish().unwrap();
    let run = ok(words(dir.path(), "describe --data own.npz"));
    let advice = "--class-weight 2=5 weighs a class up by name (balanced cannot: `1` has no \
                  example in the training part)";
    assert!(
        run.stdout.contains(&format!(
            "Uneven classes: `1` is 10 of 140 rows (7.1 %), `0` 110 (78.6 %): a network can score \
             0.785714 by answering `0` alone; {advice}"
        )),
        "{}",
        run.stdout
    );
    let trained = ok(words(
        dir.path(),
        "train --data own.npz --hidden 2 --iterations 2 --class-weight 2=5 --save o.h5",
    ));
    assert!(
        trained
            .stdout
            .contains("Class weights: `0` 1, `1` 1, `2` 5"),
        "{}",
        trained.stdout
    );
}

/// A test part of one class says nothing of telling classes apart: no balanced-accuracy
/// warning about it (it scored 1 against "1 / 1").
#[test]
fn a_test_part_of_one_class_is_not_warned_about_as_chance() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tiny.csv"),
        "x,y\n1,a\n2,a\n3,a\n4,a\n5,b\n6,b\n",
    )
    .unwrap();
    let run = ok(words(
        dir.path(),
        "train --data tiny.csv --hidden 2 --iterations 5 --class-weight balanced --save t.h5",
    ));
    let test = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Balanced accuracy ("))
        .unwrap();
    // A mean of the one recall it has, and the line says so.
    assert!(
        test.ends_with("test 1.000000 (of its 1 class of 2)"),
        "{test}"
    );
    assert!(!run.stderr.contains("balanced accuracy"), "{}", run.stderr);
    // `dnn evaluate`'s line says so too.
    let evaluated = ok(words(dir.path(), "evaluate --model t.h5 --data tiny.csv"));
    let line = (evaluated.stdout.lines())
        .find(|l| l.starts_with("Balanced accuracy ("))
        .unwrap();
    assert!(
        line.ends_with("test 1.000000 (of its 1 class of 2)"),
        "{line}"
    );
}

/// Without class weights, classes far from even (9 to 1 here) get each part's balanced
/// accuracy too, in the run's lines, its report and cross-validation's, so that a plain run
/// and a weighted one can be compared; classes near even (4 to 1) do not.
#[test]
fn uneven_classes_get_their_balanced_accuracy_without_weights() {
    let dir = tempfile::tempdir().unwrap();
    write_uneven_csv(&dir.path().join("uneven.csv"));
    let plain = ok(train(dir.path(), &["--save", "p.h5", "--report", "p.json"]));
    let r = json(&dir.path().join("p.json"));
    assert_eq!(r["class_weights"], Value::Null);
    let (train_b, test_b) = (
        r["balanced_accuracy"]["train"].as_f64().unwrap(),
        r["balanced_accuracy"]["test"].as_f64().unwrap(),
    );
    let line = format!(
        "Balanced accuracy (the mean of the classes' recalls, what class weights aim to raise): \
         train {train_b:.6}, test {test_b:.6}"
    );
    assert!(plain.stdout.lines().any(|l| l == line), "{}", plain.stdout);
    // `dnn evaluate` gives the saved model's too: the mean of the recalls of its confusion
    // counts (rows: the true class).
    let evaluated = ok(words(
        dir.path(),
        "evaluate --model p.h5 --data uneven.csv --report e.json",
    ));
    let e = json(&dir.path().join("e.json"));
    for part in e["parts"].as_array().unwrap() {
        let confusion = part["confusion"].as_array().unwrap();
        let recall = |c: usize| {
            let row: Vec<f64> = (confusion[c].as_array().unwrap().iter())
                .map(|n| n.as_f64().unwrap())
                .collect();
            row[c] / row.iter().sum::<f64>()
        };
        let mean = (recall(0) + recall(1)) / 2.0;
        let name = part["name"].as_str().unwrap();
        assert_eq!(part["balanced_accuracy"].as_f64(), Some(mean), "{name}");
        assert_eq!(
            r["balanced_accuracy"][name].as_f64(),
            Some(mean),
            "{name}: {}",
            evaluated.stdout
        );
        assert!(evaluated.stdout.contains(&format!("{name} {mean:.6}")));
    }
    let cv = ok(train(
        dir.path(),
        &["--cross-validate", "4", "--report", "cv.json"],
    ));
    let r = json(&dir.path().join("cv.json"));
    for fold in r["folds"].as_array().unwrap() {
        assert!(fold["balanced_accuracy"]["test"].is_f64(), "{fold}");
        assert_eq!(fold["class_weights"], Value::Null);
    }
    for part in ["train", "test"] {
        let mean = r[format!("{part}_balanced_mean")].as_f64().unwrap();
        let sd = r[format!("{part}_balanced_std")].as_f64().unwrap();
        let each: Vec<f64> = (r["folds"].as_array().unwrap().iter())
            .map(|f| f["balanced_accuracy"][part].as_f64().unwrap())
            .collect();
        let numpy_mean = each.iter().sum::<f64>() / each.len() as f64;
        assert!(
            (mean - numpy_mean).abs() < 1e-15,
            "{part}: {mean} vs {each:?}"
        );
        let title = format!("{}{}", part[..1].to_uppercase(), &part[1..]);
        assert!(
            cv.stdout
                .contains(&format!("{title} balanced accuracy: {mean:.6} ± {sd:.6}")),
            "{}",
            cv.stdout
        );
    }

    // 4 to 1: no balanced accuracy.
    let mut text = String::from("x,label\n");
    for i in 0..100 {
        let label = if i % 5 == 0 { "rare" } else { "common" };
        text.push_str(&format!("{i},{label}\n"));
    }
    std::fs::write(dir.path().join("four.csv"), text).unwrap();
    let even = ok(words(
        dir.path(),
        "train --data four.csv --hidden 2 --iterations 5 --save f.h5 --report f.json",
    ));
    assert!(
        !even.stdout.contains("Balanced accuracy"),
        "{}",
        even.stdout
    );
    assert_eq!(
        json(&dir.path().join("f.json"))["balanced_accuracy"],
        Value::Null
    );
}
