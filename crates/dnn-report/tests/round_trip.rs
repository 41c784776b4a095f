//! The report types read and re-write the files dnn wrote before this crate existed, byte for
//! byte, and every value survives a write and a read.
//!
//! `tests/data/*.json` were written by the `dnn` binary of commit baef0a8, whose report structs
//! were private to dnn-cli; the three `train_*` files again when train reports gained `classes`
//! and `data` (own data sets, issue 13), their costs unchanged; the planar and toy files gained
//! `interrupted` and each run's `iterations_run` or `epochs_run`, and planar's accuracies became
//! fractions (they were percentages), by hand, their numbers unchanged. From the workspace root, with
//! `D=target/release/dnn` (and `--report crates/dnn-report/tests/data/…`):
//!
//! ```text
//! $D train --quiet --iterations 300 --save m.h5 --report train_default.json
//! $D train --quiet --arch two-layer --iterations 120 --dtype f32 --optimizer momentum --beta 0.8 \
//!     --batch-size 64 --decay step --decay-rate 0.5 --decay-interval 10 --l2 0.1 --keep-prob 0.9 \
//!     --save m.h5 --report train_momentum.json
//! $D train --quiet --layers 12288,5,1 --iterations 40 --optimizer adam --batch-size 32 \
//!     --shuffle-seed 4 --decay inverse-time --decay-rate 0.3 --init he --save m.h5 --report train_adam.json
//! $D planar --sweep 1,3 --iterations 300 --logistic --report planar_sweep.json
//! $D planar --hidden 4 --iterations 2500 --quiet --report planar_h4.json
//! $D toy --compare --epochs 300 --report toy_compare.json
//! $D toy --dataset circles --optimizer momentum --epochs 200 --decay step --decay-interval 50 \
//!     --quiet --report toy_circles.json
//! $D toy --optimizer gd --batch-size 300 --epochs 100 --l2 0.2 --keep-prob 0.8 --quiet \
//!     --report toy_gd.json
//! ```
//!
//! Between them they hold every optional key present and absent: each optimiser's own
//! hyper-parameters, both decays, full-batch and mini-batch training, circles' `factor`.

use std::path::Path;

use dnn_report::{
    ColumnImportance, CrossValidationReport, DataReport, DivergedReport, EarlyStoppingReport,
    EvaluateReport, EvaluatedData, HyperReport, PartScores, PermutationImportance, PlanarReport,
    PlanarRun, ProbabilityScores, RegressionReport, RegressionScores, ToyReport, ToyRun,
    TrainReport, ValidationReport,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Reads `tests/data/<name>` as `T`, writes it back as dnn does (`to_string_pretty`) and
/// checks the bytes are the file's.
fn rewrites_identically<T: Serialize + DeserializeOwned>(name: &str) -> T {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("read the fixture");
    let value: T = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{name} does not read as a report: {e}"));
    let again = serde_json::to_string_pretty(&value).expect("write");
    assert_eq!(again, text, "{name} is not re-written byte for byte");
    value
}

/// Writes `value` and reads it back; the result must be equal.
fn survives_a_round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let text = serde_json::to_string_pretty(value).expect("write");
    let back: T = serde_json::from_str(&text).expect("read");
    assert_eq!(&back, value, "{text}");
}

#[test]
fn train_reports_written_by_dnn_are_rewritten_byte_for_byte() {
    let plain: TrainReport = rewrites_identically("train_default.json");
    assert_eq!(plain.training.optimizer, "gd");
    assert_eq!(plain.training.batch_size, None);
    assert_eq!(plain.costs.last().map(|c| c.0), Some(299));
    let momentum: TrainReport = rewrites_identically("train_momentum.json");
    assert_eq!(momentum.training.beta, Some(0.8));
    assert_eq!(momentum.training.decay_interval, Some(10));
    let adam: TrainReport = rewrites_identically("train_adam.json");
    assert_eq!(adam.training.beta2, Some(0.999));
    assert_eq!(adam.training.shuffle_seed, Some(4));
    for r in [&plain, &momentum, &adam] {
        survives_a_round_trip(r);
    }
}

#[test]
fn planar_reports_written_by_dnn_are_rewritten_byte_for_byte() {
    let sweep: PlanarReport = rewrites_identically("planar_sweep.json");
    let models: Vec<(&str, usize)> = sweep
        .runs
        .iter()
        .map(|r| (r.model.as_str(), r.hidden))
        .collect();
    assert_eq!(models, [("logistic", 0), ("tanh", 1), ("tanh", 3)]);
    let h4: PlanarReport = rewrites_identically("planar_h4.json");
    assert_eq!(
        h4.runs[0].costs.len(),
        4,
        "0, 1000, 2000 and the last, 2499"
    );
    survives_a_round_trip(&sweep);
    survives_a_round_trip(&h4);
}

#[test]
fn toy_reports_written_by_dnn_are_rewritten_byte_for_byte() {
    let compare: ToyReport = rewrites_identically("toy_compare.json");
    let optimizers: Vec<&str> = compare
        .runs
        .iter()
        .map(|r| r.training.optimizer.as_str())
        .collect();
    assert_eq!(optimizers, ["gd", "momentum", "adam"]);
    assert_eq!(compare.factor, None);
    let circles: ToyReport = rewrites_identically("toy_circles.json");
    assert_eq!(circles.factor, Some(0.8));
    let gd: ToyReport = rewrites_identically("toy_gd.json");
    assert_eq!(gd.runs[0].training.keep_prob, 0.8);
    for r in [&compare, &circles, &gd] {
        survives_a_round_trip(r);
    }
}

/// Files written before interruptions were recorded (and while planar's accuracy was a
/// percentage) still read: not interrupted, each run as long as its last cost says, planar's
/// accuracy as a fraction.
#[test]
fn reports_of_older_versions_still_read() {
    let planar: PlanarReport = serde_json::from_str(
        r#"{"data_seed": 1, "init_seed": 2, "learning_rate": 1.2, "iterations": 300,
            "runs": [{"model": "tanh", "hidden": 3, "costs": [[0, 0.69], [299, 0.3]],
                      "accuracy": 66.75}]}"#,
    )
    .expect("an old planar report");
    assert!(!planar.interrupted);
    assert_eq!(
        (planar.runs[0].iterations_run, planar.runs[0].accuracy),
        (300, 0.6675)
    );
    let toy: ToyReport = serde_json::from_str(
        r#"{"dataset": "moons", "samples": 300, "noise": 0.2, "data_seed": 3,
            "layers": [2, 5, 2, 1], "init": "he", "seed": 3, "learning_rate": 0.0007,
            "epochs": 100, "runs": [{"optimizer": "gd", "batch_size": 300, "shuffle_seed": 11,
            "decay": "none", "l2": 0.2, "keep_prob": 0.8, "costs": [[0, 0.75], [99, 0.72]],
            "final_cost": 0.72, "accuracy": 0.53, "train_seconds": 0.008}]}"#,
    )
    .expect("an old toy report");
    assert!(!toy.interrupted);
    assert_eq!((toy.runs[0].epochs_run, toy.runs[0].accuracy), (100, 0.53));
    assert_eq!(toy.runs[0].training.l2, 0.2);
}

fn hyper() -> HyperReport {
    HyperReport {
        optimizer: "adam".into(),
        beta: None,
        beta1: Some(0.9),
        beta2: Some(0.999),
        epsilon: Some(1e-8),
        batch_size: Some(64),
        shuffle_seed: Some(11),
        decay: "step".into(),
        decay_rate: Some(0.5),
        decay_interval: Some(1000),
        l2: 0.7,
        keep_prob: 0.86,
    }
}

#[test]
fn values_that_no_fixture_holds_survive_a_round_trip() {
    // Floats that need all 17 digits, an interrupted run, an empty cost list.
    let train = TrainReport {
        arch: "deep".into(),
        layers: vec![12288, 20, 7, 5, 1],
        dtype: "f64".into(),
        learning_rate: 0.1 + 0.2,
        iterations: 2500,
        iterations_run: 0,
        interrupted: true,
        batches_run: Some(1200),
        seed: u32::MAX,
        init: "scaled".into(),
        from: Some("first model.h5".into()),
        training: hyper(),
        costs: vec![],
        train_accuracy: Some(1.0 / 3.0),
        test_accuracy: Some(f64::MIN_POSITIVE),
        balanced_accuracy: Some([("train".into(), 1.0 / 3.0), ("test".into(), 0.1 + 0.2)].into()),
        regression: None,
        train_seconds: 1e-300,
        gflops: Some(12.345678901234567),
        classes: vec!["zéro".into(), "one, two".into(), "\"quoted\"".into()],
        class_weights: Some(vec![0.1 + 0.2, 1.0 / 3.0, 3.0]),
        data: DataReport {
            format: "csv".into(),
            path: "/tmp/a table.csv".into(),
            train_examples: 0,
            test_examples: usize::MAX,
            features: 1,
            sha256: Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into()),
        },
        validation: None,
        diverged: Some(DivergedReport {
            at: "epoch 3, batch 5 of 8".into(),
            cause: "the cost is NaN".into(),
            saved: None,
        }),
    };
    survives_a_round_trip(&train);
    // Watched on a validation part, stopped early.
    let watched = TrainReport {
        validation: Some(ValidationReport {
            examples: 21,
            fraction: 0.1 + 0.2,
            seed: 3,
            costs: vec![(0, 0.7), (100, 0.1 + 0.2), (157, f64::MIN_POSITIVE)],
            best: Some((147, 1.0 / 3.0)),
            early_stopping: Some(EarlyStoppingReport {
                patience: 10,
                min_delta: 1e-300,
                stopped_at: Some(157),
                restored: true,
            }),
            accuracy: Some(2.0 / 3.0),
            regression: None,
        }),
        ..train.clone()
    };
    survives_a_round_trip(&watched);
    // A regression's: no accuracies, its scores instead.
    let regression = TrainReport {
        train_accuracy: None,
        test_accuracy: None,
        regression: Some(RegressionReport {
            target: "prix, en €".into(),
            train: RegressionScores {
                examples: 400,
                r2: Some(0.1 + 0.7),
                rmse: 4922.369723886201,
                mae: f64::MIN_POSITIVE,
            },
            test: RegressionScores::new(&[2.5, 0.0, 2.0, 8.0], &[3.0, -0.5, 2.0, 7.0]),
            target_mean: -1e300,
            target_std: 1.0 / 3.0,
        }),
        classes: vec![],
        ..train.clone()
    };
    survives_a_round_trip(&regression);
    // A part of one example has no R².
    let one = TrainReport {
        regression: regression.regression.clone().map(|mut r| {
            r.test = RegressionScores::new(&[1.0], &[2.0]);
            r
        }),
        ..regression
    };
    assert_eq!(one.regression.as_ref().unwrap().test.r2, None);
    survives_a_round_trip(&one);
    let toy = ToyReport {
        dataset: "circles".into(),
        samples: 9,
        noise: 0.05,
        factor: Some(0.5),
        data_seed: 2,
        layers: vec![2, 3, 1],
        init: "orthogonal".into(),
        seed: 0,
        learning_rate: 7e-4,
        epochs: 1,
        interrupted: true,
        runs: vec![ToyRun {
            training: hyper(),
            epochs_run: 0,
            costs: vec![(0, std::f64::consts::LN_2)],
            final_cost: None,
            accuracy: 0.5,
            train_seconds: 0.0,
        }],
    };
    survives_a_round_trip(&toy);
    let planar = PlanarReport {
        data_seed: 3,
        init_seed: 2,
        learning_rate: 1.2,
        iterations: 1,
        interrupted: true,
        runs: vec![PlanarRun {
            model: "tanh".into(),
            hidden: 50,
            iterations_run: 0,
            costs: vec![(0, 0.1 + 0.7)],
            accuracy: 0.9025,
        }],
    };
    survives_a_round_trip(&planar);
}

#[test]
fn evaluate_reports_survive_a_round_trip_with_only_their_kinds_keys() {
    let classes = EvaluateReport {
        model: "m.h5".into(),
        dtype: "f32".into(),
        layers: vec![4, 8, 3],
        classes: vec!["a".into(), "b".into(), "c".into()],
        threshold: None,
        data: EvaluatedData {
            format: "csv".into(),
            path: "new, 2026.csv".into(),
            features: 4,
            sha256: None,
            whole: true,
            trained_on: Some(false),
        },
        parts: vec![PartScores {
            name: "all".into(),
            examples: 3,
            accuracy: Some(2.0 / 3.0),
            correct: Some(2),
            balanced_accuracy: Some(0.1 + 0.2),
            confusion: Some(vec![vec![1, 0, 0], vec![0, 1, 1], vec![0, 0, 0]]),
            probabilities: Some(ProbabilityScores::new(
                &[
                    vec![0.7, 0.2, 0.1],
                    vec![0.1, 0.6, 0.3],
                    vec![0.2, 0.5, 0.3],
                ],
                &[0, 1, 2],
            )),
            regression: None,
        }],
        importance: None,
    };
    survives_a_round_trip(&classes);
    let text = serde_json::to_string(&classes).expect("write");
    assert!(
        !text.contains("regression") && !text.contains("threshold") && !text.contains("importance"),
        "{text}"
    );
    let ranked = EvaluateReport {
        importance: Some(PermutationImportance {
            part: "all".into(),
            metric: "accuracy".into(),
            baseline: 2.0 / 3.0,
            repeats: 3,
            seed: 7,
            columns: vec![
                ColumnImportance::new("size", 1, vec![1.0 / 3.0, 0.0, 2.0 / 3.0]),
                ColumnImportance::new("colour", 3, vec![0.0, -1.0 / 3.0, 0.0]),
            ],
        }),
        ..classes.clone()
    };
    survives_a_round_trip(&ranked);
    let two = EvaluateReport {
        classes: vec!["no".into(), "yes".into()],
        threshold: Some(0.3),
        ..classes.clone()
    };
    survives_a_round_trip(&two);
    let values = EvaluateReport {
        classes: Vec::new(),
        parts: vec![PartScores {
            name: "test".into(),
            examples: 2,
            accuracy: None,
            correct: None,
            balanced_accuracy: None,
            confusion: None,
            probabilities: None,
            regression: Some(RegressionScores::new(&[1.0, 2.5], &[1.5, 2.0])),
        }],
        ..classes
    };
    survives_a_round_trip(&values);
    let text = serde_json::to_string(&values).expect("write");
    assert!(
        !text.contains("accuracy")
            && !text.contains("confusion")
            && !text.contains("probabilities"),
        "{text}"
    );
}

#[test]
fn cross_validation_reports_survive_a_round_trip() {
    let text = r#"{"layers": [4, 16, 3], "dtype": "f32", "learning_rate": 0.01,
        "iterations": 300, "seed": 1, "init": "he", "optimizer": "adam", "beta1": 0.9,
        "beta2": 0.999, "epsilon": 1e-8, "batch_size": 32, "shuffle_seed": 11,
        "decay": "none", "l2": 0.0, "keep_prob": 1.0, "classes": [], "format": "csv",
        "path": "houses.csv", "sha256": "ab", "examples": 40, "features": 4,
        "split_seed": 3, "group_by": "street", "validation_split": 0.1, "patience": 5,
        "min_delta": 0.001, "metric": "r2",
        "folds": [{"fold": 1, "train_examples": 18, "test_examples": 20, "features": 4, "train": 0.9,
                   "test": 0.5, "test_rmse": 1200.5, "early_stopping": [40, 51],
                   "class_weights": [0.6, 3.0]},
                  {"fold": 2, "train_examples": 18, "test_examples": 20, "train": 0.8,
                   "test": 0.7, "test_rmse": 1000.0}],
        "train_mean": 0.85, "train_std": 0.05, "test_mean": 0.6, "test_std": 0.1}"#;
    let report: CrossValidationReport = serde_json::from_str(text).expect("read");
    assert_eq!(report.folds[0].early_stopping, Some((40, 51)));
    assert_eq!((report.patience, report.folds[0].features), (Some(5), 4));
    // Written before the widths were recorded: 0.
    assert_eq!(report.folds[1].features, 0);
    assert_eq!(report.training.batch_size, Some(32));
    survives_a_round_trip(&report);
    let written = serde_json::to_string(&report).expect("write");
    assert_eq!(written.matches("early_stopping").count(), 1, "{written}");
    assert_eq!(report.folds[0].class_weights, Some(vec![0.6, 3.0]));
    assert_eq!(written.matches("class_weights").count(), 1, "{written}");
}
