//! `--decimal-comma`: a table saved by a spreadsheet where a comma marks decimals trains as
//! the same table written with points, the model records it, and `dnn predict` and `dnn
//! evaluate` read its files so unasked (and a point model's with the flag).

use crate::common;

use std::path::Path;

use common::{dnn_in, Run};

fn code(run: &Run, expected: i32) {
    assert_eq!(run.code, Some(expected), "{run:?}");
}

/// 40 rows of two measurements (`NA` in rows 3 and 17 of `width`) and a species, with `;`
/// and decimal commas (`eu`) or `,` and points.
fn write_table(path: &Path, eu: bool) {
    let (sep, mark) = if eu { (";", ",") } else { (",", ".") };
    let mut s = format!("length{sep}width{sep}species\n");
    for r in 1..=40 {
        let kind = r % 2;
        let length = format!("{}{mark}{}", 4 + 2 * kind, (r * 7) % 10);
        let width = match r {
            3 | 17 => "NA".to_owned(),
            _ => format!("{}{mark}{}", 1 + kind, (r * 3) % 10),
        };
        let species = ["setosa", "virginica"][kind];
        s.push_str(&format!("{length}{sep}{width}{sep}{species}\n"));
    }
    std::fs::write(path, s).expect("write");
}

#[test]
fn a_decimal_comma_table_trains_and_predicts_as_its_point_twin() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_table(&w.join("eu.csv"), true);
    write_table(&w.join("points.csv"), false);
    let train = |data: &str, save: &str, more: &[&str]| {
        let base = [
            "train",
            "--data",
            data,
            "--fill-missing",
            "median",
            "--hidden",
            "4",
            "--iterations",
            "50",
            "--save",
            save,
        ];
        dnn_in(w, &[&base[..], more].concat())
    };
    let refused = train("eu.csv", "eu.h5", &[]);
    code(&refused, 1);
    assert!(
        refused.stderr.contains(
            "`6,7` is a number written with a decimal comma, as the file's separator (not a \
             comma) suggests; read the file's numbers so with --decimal-comma, or write it \
             plainly (6.7)"
        ),
        "{}",
        refused.stderr
    );
    let eu = train("eu.csv", "eu.h5", &["--decimal-comma"]);
    code(&eu, 0);
    let points = train("points.csv", "points.h5", &[]);
    code(&points, 0);
    // The same numbers: the same run, line for line but the file's name.
    assert_eq!(eu.stdout.replace("eu", "points"), points.stdout);
    let model = dnn_data::model::load_model(w.join("eu.h5")).expect("model");
    assert_eq!(model.setup.decimal.as_deref(), Some("comma"));
    assert!(dnn_data::model::load_model(w.join("points.h5"))
        .expect("model")
        .setup
        .decimal
        .is_none());

    // predict: the comma model reads its files unasked, and points too; the point model
    // refuses decimal commas but with the flag, and says which rows it filled alike.
    let predict = |args: &[&str]| {
        let run = dnn_in(w, &[&["predict"][..], args].concat());
        code(&run, 0);
        run
    };
    let reference = predict(&["--model", "points.h5", "points.csv"]);
    assert!(
        reference
            .stderr
            .contains("warning: column `width`: 2 rows missing (rows 3, 17), filled with"),
        "{}",
        reference.stderr
    );
    for args in [
        &["--model", "eu.h5", "eu.csv"][..],
        &["--model", "eu.h5", "points.csv"],
        &["--model", "points.h5", "--decimal-comma", "eu.csv"],
    ] {
        let run = predict(args);
        assert_eq!(run.stdout, reference.stdout, "{args:?}");
        assert_eq!(run.stderr, reference.stderr, "{args:?}");
    }
    let refused = dnn_in(w, &["predict", "--model", "points.h5", "eu.csv"]);
    code(&refused, 1);
    assert!(
        refused.stderr.contains("--decimal-comma"),
        "{}",
        refused.stderr
    );

    // export: the caller is told to read decimal commas, as the metadata says.
    let export = dnn_in(
        w,
        &[
            "export", "--model", "eu.h5", "--format", "onnx", "--output", "eu.onnx",
        ],
    );
    code(&export, 0);
    assert!(
        export.stdout.contains(
            "Before the exported input, yours to do: read the numbers as dnn read them, 18,0 \
             as 18.0 (the metadata's decimal is comma); fill missing numbers"
        ),
        "{}",
        export.stdout
    );

    // evaluate: its own file, in its parts again, unasked.
    let eval = dnn_in(w, &["evaluate", "--model", "eu.h5", "--data", "eu.csv"]);
    code(&eval, 0);
    assert!(
        eval.stdout.contains("in its parts again"),
        "{}",
        eval.stdout
    );
}
