//! Rows without a label: `dnn train` refuses them, naming how many and `--drop-unlabeled`;
//! with it, leaves them out with a warning and records it, so that `dnn evaluate` and `dnn
//! train --from` read the same file into the same parts without being told again.

use crate::common;
use crate::fixtures;

use std::path::Path;

use common::{dnn_in, Run};

fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{text}"))
}

fn code(run: &Run, expected: i32) {
    assert_eq!(run.code, Some(expected), "{run:?}");
}

/// The blobs table with the `kind` of data rows 5, 17 and 40 blanked, and of row 23 `NA`.
fn write_gappy_blobs(dir: &Path) {
    fixtures::write_blobs_csv(&dir.join("blobs.csv"), 60, 0.3);
    let text = std::fs::read_to_string(dir.join("blobs.csv")).expect("csv");
    let gappy: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut cells: Vec<&str> = l.split(',').collect();
            match i {
                5 | 17 | 40 => cells[1] = "",
                23 => cells[1] = "NA",
                _ => {}
            }
            format!("{}\n", cells.join(","))
        })
        .collect();
    std::fs::write(dir.join("gappy.csv"), gappy).expect("write");
}

const TRAIN: [&str; 12] = [
    "train",
    "--data",
    "gappy.csv",
    "--target",
    "kind",
    "--hidden",
    "8",
    "--iterations",
    "200",
    "--learning-rate",
    "0.1",
    "--save",
];

#[test]
fn rows_without_a_label_are_refused_or_left_out_and_evaluate_leaves_them_out_again() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_gappy_blobs(w);

    // Refused: every such row counted, the flag named, nothing saved.
    let refused = dnn_in(w, &[&TRAIN[..], &["m.h5"]].concat());
    code(&refused, 1);
    assert_eq!(
        refused.stderr.trim(),
        "error: cannot load --data: gappy.csv: row 5 (line 6), column `kind`: the label is \
         empty, and 2 more rows have none (17, 40); every row needs a label (a class, or a \
         number to predict): fill them in, or leave the rows without one out with \
         --drop-unlabeled (missing inputs can be filled, a missing label cannot)"
    );
    assert!(!w.join("m.h5").exists());

    // Left out (`NA` among names is a class, unless unlabeled rows are left out).
    let trained = dnn_in(w, &[&TRAIN[..], &["m.h5", "--drop-unlabeled"]].concat());
    code(&trained, 0);
    assert!(
        trained.stderr.contains(
            "warning: 4 rows without a label in column `kind` (rows 5, 17, 23, 40) are left \
             out; 56 rows are left"
        ),
        "{}",
        trained.stderr
    );
    assert_eq!(
        line(&trained.stdout, "Target: "),
        "kind, 3 classes: `alpha`, `beta`, `gamma`"
    );
    let model = dnn_data::model::load_model(w.join("m.h5")).expect("model");
    assert_eq!(model.setup.unlabeled_dropped, Some(4));

    // Evaluate: the same parts again, unasked.
    let eval = dnn_in(w, &["evaluate", "--model", "m.h5", "--data", "gappy.csv"]);
    code(&eval, 0);
    assert!(
        line(&eval.stdout, "Data: ").ends_with("in its parts again"),
        "{}",
        eval.stdout
    );
    assert!(eval.stderr.contains("(rows 5, 17, 23, 40) are left out"));
    for part in ["Train accuracy: ", "Test accuracy: "] {
        let score = |text: &str| line(text, part).split(' ').next().map(str::to_owned);
        assert_eq!(score(&eval.stdout), score(&trained.stdout), "{part}");
    }
    // Of the 56 rows with a label.
    let examples = |part: &str| -> usize {
        let l = line(&eval.stdout, part);
        let n = l
            .rsplit(" of ")
            .next()
            .and_then(|t| t.strip_suffix(" correct)"));
        n.and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{l}"))
    };
    assert_eq!(
        examples("Train accuracy: ") + examples("Test accuracy: "),
        56
    );

    // --from on the same file: its parts again, unasked.
    let further = dnn_in(
        w,
        &[
            "train",
            "--from",
            "m.h5",
            "--data",
            "gappy.csv",
            "--iterations",
            "1",
            "--save",
            "m2.h5",
        ],
    );
    code(&further, 0);
    assert!(
        further.stderr.contains("are left out"),
        "{}",
        further.stderr
    );
}

#[test]
fn evaluate_refuses_rows_without_a_label_for_a_model_that_never_left_them_out() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_gappy_blobs(w);
    let mut train = TRAIN.to_vec();
    train[2] = "blobs.csv";
    code(&dnn_in(w, &[&train[..], &["m.h5", "-q"]].concat()), 0);
    let refused = dnn_in(w, &["evaluate", "--model", "m.h5", "--data", "gappy.csv"]);
    code(&refused, 1);
    assert!(
        refused
            .stderr
            .contains("the label is empty, and 2 more rows have none (17, 40)"),
        "{}",
        refused.stderr
    );
    let eval = dnn_in(
        w,
        &[
            "evaluate",
            "--model",
            "m.h5",
            "--data",
            "gappy.csv",
            "--drop-unlabeled",
        ],
    );
    code(&eval, 0);
    // Other data, read whole: the 56 labelled rows.
    assert!(
        line(&eval.stdout, "Accuracy: ").ends_with("of 56 correct)"),
        "{}",
        eval.stdout
    );
}
