//! `dnn evaluate --importance`: each column's permutation importance.
//!
//! The numbers are checked against scikit-learn's `permutation_importance` shuffling the raw
//! cells itself and scoring dnn's model through `dnn predict`
//! (`tests/reference/compare_importance.py`, in the venv that `cargo xtask test` makes, named
//! by DNN_PYTHON): on a classification with numbers, empty cells, text and dates, the same
//! model in f32 at `--threshold 0.3`, and a regression. Then the command's own cases: the
//! part it scores, and what it refuses.

use std::path::Path;

use serde_json::Value;

use crate::common::ok;
use crate::common::{dnn_in, reference_results};
use crate::fixtures;

#[test]
fn each_columns_importance_is_scikit_learns_on_the_same_model() {
    let doc = reference_results(
        "compare_importance.py",
        "numpy and scikit-learn (tests/reference/compare_importance.py)",
    );
    let runs = doc["results"].as_array().expect("results");
    let names: Vec<&str> = runs.iter().map(|r| r["run"].as_str().unwrap()).collect();
    assert_eq!(names, ["cls", "cls-f32-threshold", "reg"]);
    for r in runs {
        let name = &r["run"];
        // Accuracies are counts over 150 rows on both sides, their means and deviations
        // numpy's sums: measured equal (0). R² is two formulas of the same sums (dnn's
        // scaled against overflow): measured within 2.3e-15 (drops), 1.6e-15 (means).
        let baseline = r["baseline_difference"].as_f64().expect("baseline");
        assert!(baseline <= 1e-12, "{name}: baseline differs by {baseline}");
        for what in ["drops", "mean", "std"] {
            let d = r["max_abs_difference"][what].as_f64().expect(what);
            assert!(
                d <= 1e-12,
                "{name}: dnn's {what} differ from scikit-learn's by {d}: {r}"
            );
        }
        assert_eq!(r["dnn_order"], r["sklearn_order"], "{name}");
        // The model leans on what made the label, not on the column that did not.
        let means = &r["sklearn_mean"];
        assert_eq!(r["sklearn_order"][0], "strong", "{name}: {means}");
        assert!(means["strong"].as_f64().unwrap() > 0.1, "{name}: {means}");
        assert!(
            means["noise"].as_f64().unwrap().abs() < 0.05,
            "{name}: {means}"
        );
        // The printed table is the report's, most important first, 6 decimals.
        let printed = r["printed"].as_str().expect("printed");
        let table: Vec<(&str, f64)> = printed
            .lines()
            .skip_while(|l| !l.starts_with("Permutation importance"))
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .map(|l| {
                let mut fields = l.split_whitespace();
                let column = fields.next().unwrap();
                (column, fields.next().unwrap().parse().unwrap())
            })
            .collect();
        let order: Vec<&str> = table.iter().map(|(c, _)| *c).collect();
        assert_eq!(serde_json::json!(order), r["dnn_order"], "{printed}");
        for (column, mean) in table {
            let full = means[column].as_f64().unwrap();
            assert!((mean - full).abs() <= 0.5e-6 + 1e-12, "{column}: {printed}");
        }
    }
    // The date and text columns moved as one each: the regression leans on both.
    let reg = &runs[2]["sklearn_mean"];
    assert!(reg["colour"].as_f64().unwrap() > 0.05, "{reg}");
    assert!(reg["day"].as_f64().unwrap() > 0.05, "{reg}");
}

/// Rows of a small two-class table: `x` decides, `z` is noise.
fn two_classes(dir: &Path) {
    let mut text = String::from("x,z,colour,label\n");
    for i in 0..60 {
        let x = (i as f64 * 0.37).sin() * 3.0;
        let z = (i as f64 * 1.91).cos();
        let colour = ["red", "blue"][i % 2];
        let label = if x > 0.0 { "yes" } else { "no" };
        text.push_str(&format!("{x},{z},{colour},{label}\n"));
    }
    std::fs::write(dir.join("t.csv"), text).unwrap();
    ok(dnn_in(
        dir,
        &[
            "train",
            "--data",
            "t.csv",
            "--hidden",
            "8",
            "--iterations",
            "300",
            "-q",
            "--save",
            "m.h5",
        ],
    ));
}

#[test]
fn on_the_training_data_the_test_part_is_shuffled() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    two_classes(dir);
    let run = ok(dnn_in(
        dir,
        &[
            "evaluate",
            "--model",
            "m.h5",
            "--data",
            "t.csv",
            "--importance",
            "--importance-repeats",
            "3",
            "--report",
            "r.json",
        ],
    ));
    assert!(
        run.stdout.contains(
            "Permutation importance on the test part (drop in accuracy when a column's values \
             are shuffled among its 12 rows; mean ± standard deviation of 3 shuffles, seed 0):"
        ),
        "{}",
        run.stdout
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).unwrap()).unwrap();
    let importance = &report["importance"];
    let test = report["parts"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(test["name"], "test");
    assert_eq!(importance["part"], "test");
    assert_eq!(importance["baseline"], test["accuracy"]);
    assert_eq!(importance["repeats"], 3);
    let columns: Vec<&str> = importance["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["column"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["x", "z", "colour"]);
    assert_eq!(importance["columns"][2]["inputs"], 2, "colour's two values");
    for c in importance["columns"].as_array().unwrap() {
        assert_eq!(c["drops"].as_array().unwrap().len(), 3);
    }
}

#[test]
fn what_cannot_be_measured_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    two_classes(dir);
    let refused = |args: &[&str], says: &str| {
        let run = dnn_in(dir, args);
        assert_ne!(run.code, Some(0), "{run:?}");
        assert!(run.stderr.contains(says), "{says}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert_eq!(run.stdout, "", "refused before any scoring: {args:?}");
    };
    let evaluate = ["evaluate", "--model", "m.h5", "--data", "t.csv"];
    let with = |extra: &[&'static str]| [&evaluate[..], extra].concat();
    refused(
        &with(&["--importance-repeats", "3"]),
        "the following required arguments were not provided: --importance",
    );
    refused(
        &with(&["--importance", "--importance-repeats", "0"]),
        "must be at least 1",
    );
    refused(
        &with(&["--importance", "--importance-seed", "seven"]),
        "is not a seed",
    );
    // Shuffles beyond any use are refused by the flag, not by the allocator.
    refused(
        &with(&[
            "--importance",
            "--importance-repeats",
            "18446744073709551615",
        ]),
        "shuffles of every column is more than dnn runs; give at most 100000",
    );
    // A picture model's pixels are not columns.
    fixtures::write_model(&dir.join("cat.h5"), &[12288, 1]);
    refused(
        &["evaluate", "--model", "cat.h5", "--importance"],
        "--importance shuffles a table's columns, but cat.h5 takes 64x64x3 pictures; leave out --importance",
    );
    // A regression's R² needs two rows.
    std::fs::write(
        dir.join("v.csv"),
        "a,b,y\n1,2,3.5\n2,1,4.25\n3,3,1.5\n4,0,2.0\n5,5,0.5\n",
    )
    .unwrap();
    ok(dnn_in(
        dir,
        &[
            "train",
            "--data",
            "v.csv",
            "--target",
            "y",
            "--iterations",
            "5",
            "-q",
            "--save",
            "v.h5",
        ],
    ));
    std::fs::write(dir.join("one.csv"), "a,b,y\n1,2,3.5\n").unwrap();
    refused(
        &[
            "evaluate",
            "--model",
            "v.h5",
            "--data",
            "one.csv",
            "--importance",
        ],
        "--importance needs the part's R², which is undefined for 1 example",
    );
    // ... and an R² that cannot drop: every target one value. Both before any scoring.
    std::fs::write(dir.join("same.csv"), "a,b,y\n1,2,3.5\n2,1,3.5\n3,3,3.5\n").unwrap();
    let run = dnn_in(
        dir,
        &[
            "evaluate",
            "--model",
            "v.h5",
            "--data",
            "same.csv",
            "--importance",
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr
            .contains("every one of its 3 targets is 3.5, so R² is 0 whatever the columns hold"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "", "refused before scoring");
}
