//! `dnn serve`'s class weights: the Train view's `class_weight` field weighs a run as `dnn
//! train --class-weight` does, on the same table with the same set-up, to the last bit; the
//! page is told when a data set's classes are uneven; bad values are refused with one line
//! naming the field.

use std::time::Duration;

use dnn_data::model::load_model;
use serde_json::{json, Value};

use crate::common;
use crate::fixtures::write_uneven_csv;
use crate::server::{downloaded, events, get, outcome, post_json, Server};

/// The set-up of the weighted run, as the page sends it.
fn set_up(class_weight: &str) -> Value {
    json!({"dataset": "data", "layers": [2, 4, 1], "hidden": "relu", "output": "sigmoid",
           "init": "he", "seed": 1, "optimizer": "gd", "learning_rate": 0.5, "iterations": 300,
           "validation_split": 0.25, "class_weight": class_weight})
}

/// `dnn serve --data uneven.csv` (9 to 1, `fixtures::write_uneven_csv`), in a folder of its
/// own.
fn uneven_server() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().expect("tempdir");
    write_uneven_csv(&dir.path().join("uneven.csv"));
    let server = Server::start(
        dir.path(),
        dir.path(),
        &["--data", "uneven.csv", "--target", "label"],
    );
    (dir, server)
}

/// The same set-up as `dnn train`'s flags.
const FLAGS: &str = "train --data uneven.csv --target label --hidden 4 --init he --seed 1 \
                     --optimizer gd --learning-rate 0.5 --iterations 300 --validation-split 0.25 \
                     --save M.h5 --report R.json -q --class-weight";

/// Balanced weights over the run's training part (less its validation part): the weights,
/// every part's balanced accuracy, the cost and the printed lines are `dnn train`'s, to the
/// last bit, and the download is `dnn train --save`'s model, class weights recorded. Given
/// weights far from 1 under gradient descent warn as `dnn train` warns.
#[test]
fn a_weighted_run_in_the_page_is_dnn_trains_weighted_run() {
    let (dir, server) = uneven_server();
    // The data set's classes are 9 to 1: the page is told, with what class weights do.
    let sets = get(&server.url("/api/datasets")).json();
    let data = (sets.as_array().expect("a list").iter())
        .find(|d| d["id"] == "data")
        .expect("the --data set");
    assert_eq!(
        data["uneven"],
        "Uneven classes: `rare` is 40 of 400 rows (10.0 %), `common` 360 (90.0 %): a network can \
         score 0.900000 by answering `common` alone; the Class weights field's `balanced` makes \
         each class weigh the same in the cost"
    );
    assert_eq!(data["preset"]["class_weight"], Value::Null, "{data}");

    assert_eq!(
        post_json(&server.url("/api/train"), &set_up("balanced")).status,
        202
    );
    let done = outcome(&events(&server, Duration::from_secs(120), |_| {}));
    let served = &done["class_weights"];
    let train = common::dnn_in(
        dir.path(),
        &FLAGS
            .split_whitespace()
            .chain(["balanced"])
            .collect::<Vec<_>>(),
    );
    assert_eq!(train.code, Some(0), "{}", train.stderr);
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("R.json")).expect("the report"),
    )
    .expect("JSON");
    println!("dnn train: {report}\nthe page: {done}");
    // m / (k m_c) over the 240 examples that train: 216 common, 24 rare.
    assert_eq!(
        served["weights"],
        json!([240.0 / (2.0 * 216.0), 240.0 / (2.0 * 24.0)])
    );
    assert_eq!(served["weights"], report["class_weights"]);
    let balanced = &done["balanced_accuracy"];
    assert_eq!(balanced["by_part"], report["balanced_accuracy"]);
    let parts: Vec<&String> = balanced["by_part"]
        .as_object()
        .expect("by part")
        .keys()
        .collect();
    assert_eq!(parts, ["test", "train", "validation"]);
    assert_eq!(
        (
            &done["kept_cost"],
            &done["train_accuracy"],
            &done["test_accuracy"]
        ),
        (
            &report["costs"]
                .as_array()
                .expect("costs")
                .last()
                .expect("one")[1],
            &report["train_accuracy"],
            &report["test_accuracy"]
        )
    );
    // The validation cost is weighted as training's: the last one streamed is dnn train's.
    assert_eq!(
        done["validation"]["costs"],
        json!([report["validation"]["costs"]
            .as_array()
            .expect("costs")
            .last()
            .expect("one")])
    );
    // The lines are those `dnn train` prints (-q keeps its results).
    let weights_line = served["line"].as_str().expect("the weights line");
    assert!(
        weights_line.starts_with("Class weights: `common` 0.5556, `rare` 5 (balanced: "),
        "{weights_line}"
    );
    let printed = common::dnn_in(
        dir.path(),
        &FLAGS
            .replace(" -q", "")
            .split_whitespace()
            .chain(["balanced"])
            .collect::<Vec<_>>(),
    );
    for line in [weights_line, balanced["line"].as_str().expect("line")] {
        assert!(
            printed.stdout.lines().any(|l| l == line),
            "{line:?} not in {}",
            printed.stdout
        );
    }
    assert_eq!(served["warnings"], json!([]));
    assert_eq!(balanced["warning"], Value::Null);

    // The download is `dnn train --save`'s model, its class weights recorded.
    let served_model = downloaded(&server, &dir.path().join("served.h5"));
    let mut saved = load_model(dir.path().join("M.h5")).expect("dnn train's model");
    assert_eq!(
        saved.setup.class_weights.as_deref(),
        Some(&[240.0 / 432.0, 5.0][..])
    );
    saved.setup.arch = None;
    assert_eq!(served_model, saved);
    // And Inspect lists them.
    let inspected = get(&server.url("/api/models/trained")).json();
    assert_eq!(inspected["setup"]["class_weights"], report["class_weights"]);

    // Weights that average 0.01 scale gradient descent's steps: the outcome warns, as
    // `dnn train` does.
    let mut small = set_up("common=0.01,rare=0.01");
    small["iterations"] = json!(5);
    assert_eq!(post_json(&server.url("/api/train"), &small).status, 202);
    let done = outcome(&events(&server, Duration::from_secs(60), |_| {}));
    assert!(done["balanced_accuracy"]["line"].is_string(), "{done}");
    assert_eq!(
        done["class_weights"]["warnings"],
        json!([
            "with these class weights a training example counts 0.01 on average, which \
                scales every step as a learning rate 0.01 times as large would; weights of 1 \
                on average (as balanced's are) keep its meaning"
        ])
    );

    // No weights: the classes are 9 to 1, so the outcome still gives each part's balanced
    // accuracy, `dnn train`'s, and no class weights.
    let mut plain = set_up("balanced");
    plain["class_weight"] = Value::Null;
    assert_eq!(post_json(&server.url("/api/train"), &plain).status, 202);
    let done = outcome(&events(&server, Duration::from_secs(120), |_| {}));
    let flags = FLAGS.replace(" --class-weight", "");
    let train = common::dnn_in(dir.path(), &flags.split_whitespace().collect::<Vec<_>>());
    assert_eq!(train.code, Some(0), "{}", train.stderr);
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("R.json")).expect("the report"),
    )
    .expect("JSON");
    assert_eq!(done["class_weights"], Value::Null);
    assert_eq!(
        done["balanced_accuracy"]["by_part"],
        report["balanced_accuracy"]
    );
    assert_eq!(done["balanced_accuracy"]["warning"], Value::Null);
}

/// Bad class weights are refused before any work, with one line that names the field and
/// says what it takes; a regression has no classes to weigh.
#[test]
fn bad_class_weights_are_refused_naming_the_field() {
    let (dir, server) = uneven_server();
    for (given, says) in [
        (
            json!("nope=2"),
            "class_weight names `nope`, which is not one of the data's classes; they are \
             `common`, `rare`",
        ),
        (
            json!("rare=-1"),
            "class_weight: the weight of `rare` is -1: a class weight must be a finite number > 0 \
             (to leave a class out, leave its rows out)",
        ),
        (
            json!("lots"),
            "class_weight: `lots` is not CLASS=WEIGHT: give `balanced`, or weights such as \
             `yes=5` or `cat=2,dog=1` (a class left out counts 1)",
        ),
        (
            json!(5),
            "the training set-up: class_weight: `5` is not usable; give \"balanced\", weights by \
             class such as \"fault=5\", or null for none",
        ),
    ] {
        let mut wrong = set_up("balanced");
        wrong["class_weight"] = given.clone();
        let refused = post_json(&server.url("/api/train"), &wrong).one_line_error(400);
        assert_eq!(refused, says, "{given}");
    }
    assert_eq!(
        get(&server.url("/api/train")).json(),
        Value::Null,
        "nothing ran"
    );

    // Weights that make training diverge: the outcome is the error, with the weights' line
    // and warning, as `dnn train` prints them before it fails.
    let mut huge = set_up("rare=1e300");
    huge["iterations"] = json!(5);
    assert_eq!(post_json(&server.url("/api/train"), &huge).status, 202);
    let done = outcome(&events(&server, Duration::from_secs(60), |_| {}));
    let error = done["error"].as_str().expect("an error");
    assert!(
        error.starts_with("training diverged at ")
            && error
                .contains("class weights nearer 1 (a training example counts 1e299 on average)"),
        "{done}"
    );
    let weights = &done["class_weights"];
    assert_eq!(weights["weights"], json!([1.0, 1e300]), "{done}");
    assert!(
        weights["warnings"][0].as_str().is_some_and(
            |w| w.starts_with("with these class weights a training example counts 1e299")
        ),
        "{done}"
    );
    // An empty value is none, as the page's empty field sends it.
    assert_eq!(
        post_json(&server.url("/api/train"), &set_up(" ")).status,
        202
    );
    let done = outcome(&events(&server, Duration::from_secs(60), |_| {}));
    assert_eq!(done["class_weights"], Value::Null, "{done}");
    assert_eq!(done["error"], Value::Null, "{done}");

    std::fs::write(
        dir.path().join("numbers.csv"),
        (0..40)
            .map(|i| format!("{i},{}.5\n", 2 * i))
            .fold("x,y\n".to_owned(), |s, row| s + &row),
    )
    .expect("write");
    let regression = Server::start(dir.path(), dir.path(), &["--data", "numbers.csv"]);
    let sets = get(&regression.url("/api/datasets")).json();
    assert!(sets.to_string().contains("\"task\":\"regress\""), "{sets}");
    let weighted = json!({"dataset": "data", "layers": [1, 1], "hidden": "relu",
                          "output": "identity", "init": "he", "seed": 1, "optimizer": "gd",
                          "learning_rate": 0.01, "iterations": 5, "class_weight": "balanced"});
    let refused = post_json(&regression.url("/api/train"), &weighted).one_line_error(400);
    assert_eq!(
        refused,
        "class_weight weighs the classes of a classifier, but the target is a number to predict \
         (a regression); leave out class_weight"
    );
}
