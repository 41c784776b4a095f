//! Rows without a label (`--drop-unlabeled`, [`LoadOptions::drop_unlabeled`]): refused, all
//! of them counted, or left out as if the file did not have them.

use std::path::{Path, PathBuf};

use dnn_data::dataset::{load, LoadOptions};
use dnn_data::table::unlabeled;
use dnn_data::table_checks::TableWarning;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// 40 rows of `id` (the row's number), `colour` (text) and `y` (a class `1` or `2`; `label`
/// gives rows of other labels theirs).
fn table(label: impl Fn(usize) -> Option<&'static str>) -> String {
    let mut s = String::from("id,colour,y\n");
    for id in 1..=40 {
        let y = label(id).map_or_else(|| (1 + id % 2).to_string(), str::to_owned);
        s.push_str(&format!("{id},{},{y}\n", ["red", "green", "blue"][id % 3]));
    }
    s
}

fn dropping() -> LoadOptions {
    LoadOptions {
        drop_unlabeled: true,
        ..LoadOptions::default()
    }
}

/// Rows 3, 7 (`NA` among numbers), 8 (spaces) and 30 have no label.
fn gaps(id: usize) -> Option<&'static str> {
    match id {
        3 | 30 => Some(""),
        7 => Some("NA"),
        8 => Some("  "),
        _ => None,
    }
}

#[test]
fn rows_without_a_label_are_refused_with_every_one_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.csv", &table(gaps));
    let err = load(&path, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "row 3 (line 4), column `y`: the label is empty, and 3 more rows have none (7, 8, \
             30); every row needs a label (a class, or a number to predict): fill them in, or \
             leave the rows without one out with --drop-unlabeled"
        ),
        "{err}"
    );
    // A marker first: it is named.
    let path = write(dir.path(), "na.csv", &table(|id| (id == 2).then_some("NA")));
    let err = load(&path, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "row 2 (line 3), column `y`: the label `NA` marks a missing value among numeric \
             labels; every row needs a label"
        ),
        "{err}"
    );
}

#[test]
fn left_out_rows_make_the_data_set_of_the_file_without_them() {
    let dir = tempfile::tempdir().unwrap();
    let with = write(dir.path(), "with.csv", &table(gaps));
    let data = load(&with, &dropping()).unwrap();
    // The same rows deleted from the file: the same examples, in the same parts.
    let text: String = table(gaps)
        .lines()
        .enumerate()
        .filter(|(i, _)| ![3, 7, 8, 30].contains(i))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let without = write(dir.path(), "without.csv", &text);
    let plain = load(&without, &LoadOptions::default()).unwrap();
    assert_eq!(data.train_x, plain.train_x);
    assert_eq!(data.test_x, plain.test_x);
    assert_eq!(data.train_labels, plain.train_labels);
    assert_eq!(data.test_labels, plain.test_labels);
    assert_eq!(data.spec.classes, ["1", "2"]);
    assert_eq!(data.train_labels.len() + data.test_labels.len(), 36);
    let ids: Vec<f64> = data
        .train_x
        .row(0)
        .iter()
        .chain(data.test_x.row(0))
        .copied()
        .collect();
    assert!(
        ids.iter().all(|id| ![3.0, 7.0, 8.0, 30.0].contains(id)),
        "{ids:?}"
    );
    // And it says which rows it left out.
    let left: Vec<&TableWarning> = data
        .source
        .table_warnings
        .iter()
        .filter(|w| matches!(w, TableWarning::Unlabeled { .. }))
        .collect();
    assert_eq!(
        left,
        [&TableWarning::Unlabeled {
            column: "y".into(),
            rows: vec![3, 7, 8, 30],
            left: 36
        }]
    );
    assert_eq!(
        left[0].to_string(),
        "4 rows without a label in column `y` (rows 3, 7, 8, 30) are left out; 36 rows are left"
    );
    assert!(!plain
        .source
        .table_warnings
        .iter()
        .any(|w| matches!(w, TableWarning::Unlabeled { .. })));
}

#[test]
fn among_names_a_missing_mark_is_a_class_unless_unlabeled_rows_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    // Every 7th row `NA`, the others `male` or `female`.
    let names = |id: usize| {
        Some(if id.is_multiple_of(7) {
            "NA"
        } else {
            ["male", "female"][id % 2]
        })
    };
    let path = write(dir.path(), "sex.csv", &table(names));
    let kept = load(&path, &LoadOptions::default()).unwrap();
    assert_eq!(kept.spec.classes, ["NA", "female", "male"]);
    let data = load(&path, &dropping()).unwrap();
    assert_eq!(data.spec.classes, ["female", "male"]);
    assert_eq!(data.train_labels.len() + data.test_labels.len(), 40 - 5);
    assert_eq!(
        unlabeled(&["male".into(), "NA".into(), "".into()], false),
        [2]
    );
}

#[test]
fn a_table_of_no_labels_is_refused_even_when_they_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.csv", &table(|_| Some("")));
    let err = load(&path, &dropping()).unwrap_err().to_string();
    assert!(
        err.contains(
            "none of its 40 rows has a label in column `y`: is it the target? --target names \
             another"
        ),
        "{err}"
    );
}

#[test]
fn excel_errors_and_dashes_among_numeric_labels_are_no_label_as_in_number_columns() {
    let dir = tempfile::tempdir().unwrap();
    for mark in ["#DIV/0!", "#VALUE!", "\u{2013}"] {
        let path = write(dir.path(), "t.csv", &table(|id| (id == 6).then_some(mark)));
        let err = load(&path, &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "row 6 (line 7), column `y`: the label `{mark}` marks a missing value"
            )),
            "{mark}: {err}"
        );
        let data = load(&path, &dropping()).unwrap();
        assert_eq!(
            data.train_labels.len() + data.test_labels.len(),
            39,
            "{mark}"
        );
    }
}
