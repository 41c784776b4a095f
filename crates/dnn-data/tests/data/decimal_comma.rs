//! Numbers written with a decimal comma (`--decimal-comma`, [`LoadOptions::decimal_comma`]),
//! as spreadsheets save CSV where a comma marks decimals: read as the same table written
//! with points, labels and a regression's target included; refused without the flag, with
//! the flag named where the file's separator says so.

use std::path::{Path, PathBuf};

use dnn_data::dataset::{load, LoadOptions};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// 30 rows of `x` (a fraction), `n` (a whole number), `colour` and `y`, the target: a
/// number with a fraction (`regress`) or a class; with `;` and decimal commas (`eu`) or `,`
/// and points.
fn table(eu: bool, regress: bool) -> String {
    let (sep, mark) = if eu { (";", ",") } else { (",", ".") };
    let mut s = format!("x{sep}n{sep}colour{sep}y\n");
    for r in 0..30 {
        let x = format!("{}{mark}{}", r / 4, (r * 37) % 100);
        let y = if regress {
            format!("-{}{mark}25", r % 7)
        } else {
            format!("{}{mark}5", r % 2)
        };
        let colour = ["red", "blue"][r % 2];
        s.push_str(&[x, (r * 3).to_string(), colour.into(), y].join(sep));
        s.push('\n');
    }
    s
}

fn commas() -> LoadOptions {
    LoadOptions {
        decimal_comma: true,
        ..LoadOptions::default()
    }
}

#[test]
fn a_decimal_comma_table_reads_as_the_same_table_written_with_points() {
    let dir = tempfile::tempdir().unwrap();
    for regress in [false, true] {
        let eu = write(dir.path(), "eu.csv", &table(true, regress));
        let points = write(dir.path(), "points.csv", &table(false, regress));
        // Classes `0,5` and `1,5` (`0.5`, `1.5`), or a number to predict.
        let task = if regress {
            dnn_data::Task::Regress
        } else {
            dnn_data::Task::Classify
        };
        let a = load(&eu, &LoadOptions { task, ..commas() }).unwrap();
        let b = load(
            &points,
            &LoadOptions {
                task,
                ..LoadOptions::default()
            },
        )
        .unwrap();
        assert_eq!(a.train_x, b.train_x, "regress {regress}");
        assert_eq!(a.test_x, b.test_x);
        assert_eq!(a.train_labels, b.train_labels);
        assert_eq!(a.train_values, b.train_values);
        assert_eq!(a.test_values, b.test_values);
        assert_eq!(a.spec, b.spec);
        assert_eq!(a.is_regression(), regress);
        if !regress {
            assert_eq!(a.spec.classes, ["0.5", "1.5"]);
        }
        assert!(a.source.decimal_comma && !b.source.decimal_comma);
        // The flag still reads points.
        let c = load(&points, &LoadOptions { task, ..commas() }).unwrap();
        assert_eq!(c.train_x, b.train_x);
    }
}

#[test]
fn without_the_flag_a_decimal_comma_is_refused_naming_it_where_the_separator_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let eu = write(dir.path(), "eu.csv", &table(true, false));
    let err = load(&eu, &LoadOptions::default()).unwrap_err().to_string();
    assert!(
        err.contains(
            "row 1 (line 2), column `x`: `0,0` is a number written with a decimal comma, as \
             the file's separator (not a comma) suggests; read the file's numbers so with \
             --decimal-comma, or write it plainly (0.0)"
        ),
        "{err}"
    );
    // A regression's target too.
    let eu = write(dir.path(), "eu_y.csv", &table(true, true));
    let err = load(
        &eu,
        &LoadOptions {
            drop_columns: vec!["x".into()],
            task: dnn_data::Task::Regress,
            ..LoadOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("the label `-0,25` is a number written with a decimal comma")
            && err.contains("with --decimal-comma, or write them plainly (-0.25)"),
        "{err}"
    );
    // In a comma-separated file a comma in a quoted number is likelier a thousands
    // separator: the flag is not offered.
    let us = write(dir.path(), "us.csv", "x,y\n\"1,500\",a\n2,b\n3,a\n4,b\n");
    let err = load(&us, &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("`1,500` is not a number"), "{err}");
    assert!(!err.contains("--decimal-comma"), "{err}");
}

#[test]
fn thousands_separators_are_not_read_as_decimals() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.csv", "x;y\n1.234,5;a\n2,5;b\n3,5;a\n4,5;b\n");
    let err = load(&path, &commas()).unwrap_err().to_string();
    assert!(
        err.contains("row 1 (line 2), column `x`: `1.234,5` is not a number"),
        "{err}"
    );
}

#[test]
fn labels_written_with_a_decimal_comma_are_refused_not_made_classes() {
    let dir = tempfile::tempdir().unwrap();
    // Prices as the only decimal commas: without the flag they would be a class each.
    let mut text = String::from("n;colour;price\n");
    for r in 0..40 {
        text.push_str(&format!(
            "{r};{};{},50\n",
            ["red", "blue"][r % 2],
            10 + r % 5
        ));
    }
    let path = write(dir.path(), "prices.csv", &text);
    let err = load(&path, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "row 1 (line 2), column `price`: the label `10,50` is a number written with a \
             decimal comma, as the file's separator (not a comma) suggests"
        ) && err.contains("--decimal-comma")
            && err.contains("--task classify"),
        "{err}"
    );
    assert!(load(&path, &commas()).unwrap().is_regression());
    let classes = LoadOptions {
        task: dnn_data::Task::Classify,
        ..LoadOptions::default()
    };
    assert_eq!(load(&path, &classes).unwrap().spec.classes.len(), 5);
}
