//! `dnn train --from MODEL`: training goes on from a saved model's parameters, reading the
//! data with the model's classes, inputs and z-score. Gradient descent from a model saved
//! after k iterations lands, bit for bit, where one run of k + n iterations lands.

use crate::common;
use crate::common::ok;
use crate::fixtures;

use std::path::Path;

use common::{dnn_in, Run};
use dnn_data::model::{load_model, AnyNetwork, Model};
use dnn_report::TrainReport;

fn train(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["train", "--data", "blobs.csv", "--target", "kind"];
    all.extend(args);
    ok(dnn_in(dir, &all))
}

/// A folder holding `blobs.csv`: 60 rows of three well-separated classes.
fn with_blobs() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    fixtures::write_blobs_csv(&tmp.path().join("blobs.csv"), 60, 0.3);
    tmp
}

fn model(dir: &Path, name: &str) -> Model {
    load_model(dir.join(name)).expect("model")
}

fn report(dir: &Path, name: &str) -> TrainReport {
    serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect("report"))
        .expect("a TrainReport")
}

#[test]
fn gradient_descent_from_a_model_lands_where_one_longer_run_lands_bit_for_bit() {
    let tmp = with_blobs();
    let w = tmp.path();
    let common = ["--learning-rate", "0.1", "-q", "--print-every", "100"];
    // With a validation part: going on from b, it must stay out of training.
    let long = [
        &common[..],
        &[
            "--hidden",
            "8",
            "--iterations",
            "300",
            "--validation-split",
            "0.25",
        ],
    ]
    .concat();
    train(
        w,
        &[&long[..], &["--save", "a.h5", "--report", "a.json"]].concat(),
    );
    let first = [
        &common[..],
        &[
            "--hidden",
            "8",
            "--iterations",
            "100",
            "--validation-split",
            "0.25",
        ],
    ]
    .concat();
    train(w, &[&first[..], &["--save", "b.h5"]].concat());
    let run = train(
        w,
        &[
            &common[..],
            &["--from", "b.h5", "--iterations", "200"],
            &["--save", "c.h5", "--report", "c.json"],
        ]
        .concat(),
    );
    assert!(
        run.stdout.contains(
            "From: b.h5 (f64, layers 3-8-3, trained on `blobs.csv` for 100 iterations): training goes on from its parameters, with its classes, inputs and z-score; the optimiser starts afresh"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Validation: 12 of the 48 training examples held out"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stderr, "",
        "the model's own data: nothing to warn about"
    );
    let (a, c) = (model(w, "a.h5"), model(w, "c.h5"));
    assert_eq!(
        a.network, c.network,
        "300 iterations = 100, then 200 from them"
    );
    assert_eq!(a.spec, c.spec);
    // c's first cost is a's 101st: the cost of b's parameters.
    let (ra, rc) = (report(w, "a.json"), report(w, "c.json"));
    assert_eq!(rc.costs[0].1, ra.costs[1].1);
    assert_eq!(ra.costs[1].0, 100);
    assert_eq!(
        (rc.init.as_str(), rc.from.as_deref()),
        ("model", Some("b.h5"))
    );
    // The file says where its parameters came from, and no preset or initialisation.
    assert_eq!(c.setup.started_from.as_deref(), Some("b.h5"));
    // Going on from c, the line says c's count is its last run's, from b.
    let run = train(
        w,
        &[
            &common[..],
            &["--from", "c.h5", "--iterations", "1", "--save", "d.h5"],
        ]
        .concat(),
    );
    assert!(
        run.stdout.contains(
            "From: c.h5 (f64, layers 3-8-3, its last run trained on `blobs.csv` for 200 iterations, from b.h5): "
        ),
        "{}",
        run.stdout
    );
    assert_eq!((c.setup.arch.as_ref(), c.setup.init.as_ref()), (None, None));
    assert_eq!(c.setup.data_sha256, a.setup.data_sha256);
    assert_eq!(c.setup.validation_split, Some(0.25));
}

#[test]
fn fine_tuning_on_new_data_keeps_the_models_classes_inputs_and_z_score() {
    let tmp = with_blobs();
    let w = tmp.path();
    train(
        w,
        &[
            "--hidden",
            "8",
            "--iterations",
            "200",
            "--learning-rate",
            "0.1",
            "-q",
            "--dtype",
            "f32",
            "--save",
            "m.h5",
        ],
    );
    // More, noisier rows, with the columns in another order and one the model has no input
    // for.
    fixtures::write_blobs_csv(&w.join("raw.csv"), 45, 0.9);
    let text = std::fs::read_to_string(w.join("raw.csv")).expect("raw");
    let reordered: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let c: Vec<&str> = l.split(',').collect();
            let spare = if i == 0 { "spare" } else { "1" };
            format!("{},{},{spare},{},{}\n", c[3], c[1], c[0], c[2])
        })
        .collect();
    std::fs::write(w.join("more.csv"), reordered).expect("write");
    let run = ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "more.csv",
            "--from",
            "m.h5",
            "--optimizer",
            "adam",
            "--learning-rate",
            "0.01",
            "--epochs",
            "20",
            "--batch-size",
            "8",
            "--test-split",
            "0.4",
            "-q",
            "--save",
            "tuned.h5",
        ],
    ));
    assert!(
        run.stdout.starts_with(
            "Data: more.csv (csv): 27 training and 18 test examples (stratified 0.4 test split, seed 0)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(
            "warning: 1 column of --data more.csv is not among m.h5's inputs and not read \
             (`spare`): a model reads only its inputs; to learn from it, train a new model \
             without --from"
        ),
        "{}",
        run.stderr
    );
    // A model's own data is not warned about: the columns its training dropped are not
    // recorded, and are no news.
    let more = ["train", "--data", "more.csv", "--iterations", "5", "-q"];
    ok(dnn_in(
        w,
        &[
            &more[..],
            &["--target", "kind", "--drop", "spare", "--save", "d.h5"],
        ]
        .concat(),
    ));
    let own = ok(dnn_in(
        w,
        &[&more[..], &["--from", "d.h5", "--save", "d2.h5"]].concat(),
    ));
    assert!(!own.stderr.contains("not read"), "{}", own.stderr);
    let (m, tuned) = (model(w, "m.h5"), model(w, "tuned.h5"));
    // The model's classes, columns and z-score; the ranges are the new training part's.
    let (tuned_spec, m_spec) = (tuned.spec.clone().unwrap(), m.spec.clone().unwrap());
    assert_eq!(
        dnn_data::DataSpec {
            ranges: None,
            ..tuned_spec.clone()
        },
        dnn_data::DataSpec {
            ranges: None,
            ..m_spec.clone()
        },
        "the model's classes, columns and z-score"
    );
    // ... spanning both trainings' values: the model's before, and the new data's.
    let (tuned_ranges, m_ranges) = (tuned_spec.ranges.unwrap(), m_spec.ranges.unwrap());
    for i in 0..m_ranges.len() {
        assert!(
            tuned_ranges.min[i] <= m_ranges.min[i] && tuned_ranges.max[i] >= m_ranges.max[i],
            "input {i}: {tuned_ranges:?} does not span {m_ranges:?}"
        );
    }
    assert!(
        matches!(tuned.network, AnyNetwork::F32(_)),
        "an f32 model goes on in f32"
    );
    assert_ne!(tuned.network, m.network);
    assert_eq!(tuned.setup.data.as_deref(), Some("more.csv"));
    assert_eq!(tuned.setup.test_split, Some(0.4));
    assert_eq!(tuned.setup.optimizer.as_deref(), Some("adam"));
    // Its columns were matched by name: the rows in either order score the same.
    let scores = |table: &str| {
        let run = ok(dnn_in(
            w,
            &[
                "evaluate", "--model", "tuned.h5", "--data", table, "--parts", "whole",
            ],
        ));
        run.stdout
            .lines()
            .find(|l| l.starts_with("Accuracy: "))
            .expect("accuracy")
            .to_owned()
    };
    assert_eq!(scores("raw.csv"), scores("more.csv"));
}

#[test]
fn what_cannot_go_on_from_a_model_is_refused_in_one_line() {
    let tmp = with_blobs();
    let w = tmp.path();
    train(
        w,
        &["--hidden", "4", "--iterations", "5", "-q", "--save", "m.h5"],
    );
    fixtures::write_model(&w.join("bare.h5"), &[3, 2, 1]);
    std::fs::write(w.join("other.csv"), "a,b,kind\n1,2,x\n3,4,y\n").expect("write");
    for (args, says) in [
        (
            vec!["--from", "m.h5", "--hidden", "8"],
            "error: --from keeps the model's layers; leave out --hidden (a new network: leave out --from)",
        ),
        (
            vec!["--from", "m.h5", "--classes", "a,b,c"],
            "error: --from reads the data with the model's classes; leave out --classes (a new network: leave out --from)",
        ),
        (
            vec!["--from", "m.h5", "--seed", "5"],
            "error: --from starts from the model's parameters (--seed seeds an initialisation); leave out --seed",
        ),
        (
            vec!["--from", "m.h5", "--arch", "two-layer"],
            "error: the argument '--from <MODEL>' cannot be used with '--arch <ARCH>'",
        ),
        (
            vec!["--from", "bare.h5"],
            "error: --from bare.h5 does not record the data it was trained on (its classes, inputs and z-score), so dnn cannot read data for it; continue from a model saved by dnn train",
        ),
        (
            vec!["--from", "gone.h5"],
            "error: --from: ",
        ),
        (
            vec!["--from", "m.h5", "--report", "m.h5"],
            "error: --report m.h5 is --from's model file; give another name (it would be replaced)",
        ),
        (
            vec!["--report", "blobs.csv"],
            "error: --report blobs.csv is the data; give another name (it would be replaced)",
        ),
    ] {
        let mut all = vec!["train", "--data", "blobs.csv", "--target", "kind", "--save", "n.h5"];
        all.extend(&args);
        let run = dnn_in(w, &all);
        assert_ne!(run.code, Some(0), "{args:?}: {run:?}");
        assert!(run.stderr.starts_with(says), "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
        assert!(!w.join("n.h5").exists());
    }
    // A run from m.h5 that diverges at once leaves m.h5 as it was, even as its --save.
    let before = std::fs::read(w.join("m.h5")).expect("m.h5");
    let run = dnn_in(
        w,
        &[
            "train",
            "--data",
            "blobs.csv",
            "--target",
            "kind",
            "--from",
            "m.h5",
            "--learning-rate",
            "1000",
            "--save",
            "m.h5",
            "--save-last-good",
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr
            .contains("nothing saved (no iteration improved on m.h5's parameters)"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(w.join("m.h5")).expect("m.h5"), before);
    // --save may replace the model it starts from: read before, written atomically after.
    train(
        w,
        &[
            "--from",
            "m.h5",
            "--iterations",
            "5",
            "-q",
            "--save",
            "m.h5",
        ],
    );
    assert_eq!(model(w, "m.h5").setup.started_from.as_deref(), Some("m.h5"));
    let run = dnn_in(
        w,
        &[
            "train",
            "--data",
            "other.csv",
            "--from",
            "m.h5",
            "--save",
            "n.h5",
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("no column `x`"), "{}", run.stderr);
    // A class the model does not know: the line says what to do instead.
    let blobs = std::fs::read_to_string(w.join("blobs.csv")).expect("blobs");
    let kind = blobs
        .lines()
        .next()
        .and_then(|h| h.split(',').position(|c| c == "kind"))
        .expect("the label column");
    let mut rows: Vec<String> = blobs.lines().map(str::to_owned).collect();
    // The last two rows of two classes the model does not know.
    let n = rows.len();
    for (row, class) in rows[n - 2..].iter_mut().zip(["c9", "c8"]) {
        let mut cells: Vec<&str> = row.split(',').collect();
        cells[kind] = class;
        *row = cells.join(",");
    }
    std::fs::write(w.join("new_class.csv"), rows.join("\n") + "\n").expect("write");
    let run = dnn_in(
        w,
        &[
            "train",
            "--data",
            "new_class.csv",
            "--target",
            "kind",
            "--from",
            "m.h5",
            "--save",
            "n.h5",
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(
            "the classes `c8`, `c9`, which the model does not know (its classes: alpha, beta, \
             gamma): a model predicts only the classes it was trained with, so leave out those \
             classes' examples, or train a new model on data with them"
        ),
        "{}",
        run.stderr
    );
    assert!(!w.join("n.h5").exists());
}

/// A validation part held out of the model's own data is of unseen examples only when it is
/// the part the model was trained beside; any other holds examples it was trained on, and
/// says so, as a new test part does.
#[test]
fn a_validation_part_of_examples_the_model_was_trained_on_is_warned_about() {
    let tmp = with_blobs();
    let w = tmp.path();
    let run = |args: &[&str]| {
        let save = if args.contains(&"--save") {
            &[][..]
        } else {
            &["--save", "n.h5"]
        };
        let all = [&["--iterations", "3", "-q"][..], save, args].concat();
        train(w, &all).stderr
    };
    run(&["--hidden", "4", "--save", "plain.h5"]);
    run(&[
        "--hidden",
        "4",
        "--validation-split",
        "0.25",
        "--save",
        "v.h5",
    ]);
    let seen = "the new validation part holds examples it was trained on, so its validation \
                cost (and early stopping) is not of unseen data";
    for (args, why, advice) in [
        (
            &["--from", "plain.h5", "--validation-split", "0.5"][..],
            "--data is plain.h5's own data, and it held out no validation part",
            "(leave out --validation-split to train on without one)",
        ),
        (
            &["--from", "plain.h5", "--early-stopping"][..],
            "--data is plain.h5's own data, and it held out no validation part",
            "(leave out --early-stopping to train on without one)",
        ),
        (
            &["--from", "v.h5", "--validation-split", "0.5"][..],
            "--data is v.h5's own data, with a validation part other than the one it was \
             trained beside",
            "(leave out --validation-split and --split-seed to keep its validation part)",
        ),
    ] {
        let stderr = run(args);
        let want = format!("warning: {why}: {seen} {advice}\n");
        assert!(stderr.contains(&want), "{args:?}: {stderr}");
    }
    // Its own part (again, or by default), or other data: no warning.
    for args in [
        &["--from", "v.h5"][..],
        &["--from", "v.h5", "--validation-split", "0.25"],
        &["--from", "v.h5", "--early-stopping"],
    ] {
        let stderr = run(args);
        assert!(
            !stderr.contains("validation part holds"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn going_on_with_its_own_data_keeps_the_models_parts_or_warns() {
    let tmp = with_blobs();
    let w = tmp.path();
    train(
        w,
        &[
            "--hidden",
            "4",
            "--iterations",
            "5",
            "-q",
            "--validation-split",
            "0.25",
            "--save",
            "v.h5",
        ],
    );
    // --early-stopping alone keeps the model's validation part, not its own default of 0.1.
    let run = train(
        w,
        &[
            "--from",
            "v.h5",
            "--iterations",
            "5",
            "-q",
            "--early-stopping",
            "--save",
            "e.h5",
        ],
    );
    assert!(
        run.stdout
            .contains("Validation: 12 of the 48 training examples held out"),
        "{}",
        run.stdout
    );
    // Another split of the model's own data: said to mix its test part into training.
    let run = train(
        w,
        &[
            "--from",
            "v.h5",
            "--iterations",
            "5",
            "-q",
            "--split-seed",
            "3",
            "--save",
            "s.h5",
        ],
    );
    assert!(
        run.stderr.contains(
            "warning: --data is v.h5's own data, split otherwise than its training split it"
        ),
        "{}",
        run.stderr
    );
    // Data without one of the model's classes: said so.
    let text = std::fs::read_to_string(w.join("blobs.csv")).expect("blobs");
    let two: String = text
        .lines()
        .filter(|l| !l.contains("gamma"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(w.join("two.csv"), two).expect("write");
    let run = ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "two.csv",
            "--from",
            "v.h5",
            "--iterations",
            "5",
            "-q",
            "--save",
            "t.h5",
        ],
    ));
    assert!(
        run.stderr
            .contains("warning: 1 of v.h5's classes (gamma) has no training example in --data"),
        "{}",
        run.stderr
    );
    // The data line counts the classes the data has, of the model's.
    assert!(
        run.stdout.starts_with("Data: two.csv (csv): ")
            && run
                .stdout
                .lines()
                .next()
                .is_some_and(|l| l.ends_with(", 3 features, 2 of the 3 classes")),
        "{}",
        run.stdout
    );
    // And no data at all: said what the model takes, not the cat set's advice.
    let run = dnn_in(
        w,
        &[
            "train", "--data", "gone.csv", "--from", "v.h5", "--save", "g.h5",
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.starts_with(
            "error: --data gone.csv: no such file or folder; --from v.h5 takes 3 columns"
        ),
        "{}",
        run.stderr
    );
}
