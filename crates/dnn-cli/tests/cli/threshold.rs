//! `--threshold`: a two-class model answers its second class where that class's probability
//! is above the threshold. `dnn predict --threshold` is checked row by row against the
//! probabilities `dnn predict --probabilities` prints, and `dnn evaluate --threshold`'s
//! confusion counts against those of `dnn predict --threshold` on the same rows; the
//! probabilities' own scores do not move. Models that no one threshold decides (more classes,
//! a number) and thresholds that are no probability are refused.

use std::path::Path;

use serde_json::Value;

use crate::common::dnn_in;
use crate::common::{ok, records, train_small};
use crate::fixtures;

/// `dnn predict`'s class of each row of `data`, with `extra` flags.
fn classes(dir: &Path, data: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["predict", "--model", "m.h5", data];
    args.extend_from_slice(extra);
    records(&ok(dnn_in(dir, &args)).stdout)[1..]
        .iter()
        .map(|r| r[1].clone())
        .collect()
}

#[test]
fn a_threshold_moves_a_two_class_models_answers_and_evaluate_scores_them() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    // Two overlapping classes, so that many rows have probabilities between 0.2 and 0.8.
    fixtures::write_gaussian_blobs(&dir.join("blobs.csv"), 300, 2, 3, 1.0);
    train_small(dir, "blobs.csv", &[], "m.h5");
    let probabilities = records(
        &ok(dnn_in(
            dir,
            &["predict", "--model", "m.h5", "blobs.csv", "--probabilities"],
        ))
        .stdout,
    );
    assert_eq!(probabilities[0][3..], ["probability_c0", "probability_c1"]);
    let p1: Vec<f64> = probabilities[1..]
        .iter()
        .map(|r| r[4].parse().expect("a probability"))
        .collect();
    let default = classes(dir, "blobs.csv", &[]);
    for t in [0.2, 0.8] {
        let at = classes(dir, "blobs.csv", &["--threshold", &t.to_string()]);
        for (row, (class, &p)) in at.iter().zip(&p1).enumerate() {
            let want = if p > t { "c1" } else { "c0" };
            assert_eq!(class, want, "row {}: p(c1) = {p} at threshold {t}", row + 1);
        }
        let moved = at.iter().zip(&default).filter(|(a, b)| a != b).count();
        assert!(
            moved >= 10,
            "threshold {t} moved only {moved} of 300 answers"
        );
    }
    // evaluate on other rows (the first 120: other bytes, so scored whole, as one part).
    let text = std::fs::read_to_string(dir.join("blobs.csv")).expect("read");
    let head: Vec<&str> = text.lines().take(121).collect();
    std::fs::write(dir.join("some.csv"), head.join("\n") + "\n").expect("write");
    let truth: Vec<&str> = head[1..]
        .iter()
        .map(|l| l.rsplit(',').next().expect("label"))
        .collect();
    let at = classes(dir, "some.csv", &["--threshold", "0.2"]);
    let mut counts = vec![vec![0u64; 2]; 2];
    for (t, p) in truth.iter().zip(&at) {
        let index = |c: &str| usize::from(c == "c1");
        counts[index(t)][index(p)] += 1;
    }
    let report = |extra: &[&str], name: &str| -> (String, Value) {
        let mut args = vec!["evaluate", "--model", "m.h5", "--data", "some.csv"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--report", name]);
        let printed = ok(dnn_in(dir, &args)).stdout;
        let json = std::fs::read_to_string(dir.join(name)).expect("the report");
        (printed, serde_json::from_str(&json).expect("json"))
    };
    let (printed, at) = report(&["--threshold", "0.2"], "at.json");
    let (plain, default) = report(&[], "default.json");
    assert!(
        printed.contains(
            "Threshold: `c1` when its probability is above 0.2 (--threshold; 0.5 answers the \
             more probable class)"
        ),
        "{printed}"
    );
    assert!(!plain.contains("Threshold:"), "{plain}");
    assert_eq!(at["threshold"], 0.2);
    assert!(default.get("threshold").is_none(), "{default}");
    let part = &at["parts"][0];
    assert_eq!(part["name"], "all");
    assert_eq!(part["confusion"], serde_json::json!(counts), "{printed}");
    assert_ne!(part["confusion"], default["parts"][0]["confusion"]);
    // The probabilities are the same, whatever the threshold.
    assert_eq!(part["probabilities"], default["parts"][0]["probabilities"]);
}

#[test]
fn a_threshold_is_refused_where_it_decides_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    fixtures::write_gaussian_blobs(&dir.join("three.csv"), 90, 3, 3, 3.0);
    train_small(dir, "three.csv", &[], "m.h5");
    for command in ["predict", "evaluate"] {
        let data = if command == "predict" {
            vec!["three.csv"]
        } else {
            vec!["--data", "three.csv"]
        };
        let mut args = vec![command, "--model", "m.h5", "--threshold", "0.3"];
        args.extend(data);
        let run = dnn_in(dir, &args);
        assert_eq!(run.code, Some(1), "{run:?}");
        assert_eq!(
            run.stderr,
            "error: --threshold decides between two classes, but m.h5 has 3 (c0, c1, c2) and \
             answers the most probable; leave out --threshold\n"
        );
    }
    // A regression: 200 different numbers as the target.
    let rows: String = (0..200)
        .map(|i| format!("{},{}\n", i, 2.5 * i as f64 + 0.1))
        .collect();
    std::fs::write(dir.join("line.csv"), format!("x,y\n{rows}")).expect("write");
    train_small(dir, "line.csv", &[], "line.h5");
    let run = dnn_in(
        dir,
        &[
            "evaluate",
            "--model",
            "line.h5",
            "--data",
            "line.csv",
            "--threshold",
            "0.3",
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stderr,
        "error: --threshold decides between two classes, but line.h5 predicts a number; leave \
         out --threshold\n"
    );
    for bad in ["0", "1", "-0.5", "nan"] {
        let flag = format!("--threshold={bad}");
        let run = dnn_in(dir, &["predict", "--model", "m.h5", "three.csv", &flag]);
        assert_eq!(run.code, Some(2), "{bad}: {run:?}");
        assert!(
            run.stderr
                .contains("not a probability strictly between 0 and 1"),
            "{bad}: {}",
            run.stderr
        );
    }
}
