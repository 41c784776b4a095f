//! Missing numbers in CSV tables with `fill_missing` (`--fill-missing mean|median`): filled
//! with the training part's statistic only, recorded for every number column, applied by a
//! model to the rows it reads; and refused where nothing can fill them.

use std::path::{Path, PathBuf};

use dnn_core::{Init, Network, NumpyRng};
use dnn_data::dataset::{load, LoadOptions};
use dnn_data::missing::{FillMissing, Filled};
use dnn_data::model::{load_model, save_model_with, TrainingSetup};
use dnn_data::table::{read_table, Columns};
use dnn_data::{DataSpec, Input};
use ndarray::array;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `id` (1..=40, a number feature that names the row), `x` (missing where id % 5 == 0,
/// written four ways), `label`.
fn table() -> String {
    let mut s = String::from("id,x,label\n");
    for id in 1..=40 {
        let x = match id % 20 {
            0 => "".to_owned(),
            5 => "NA".to_owned(),
            10 => "?".to_owned(),
            15 => "NaN".to_owned(),
            _ => format!("{}", (id * id) % 17),
        };
        s.push_str(&format!("{id},{x},{}\n", ["a", "b"][id % 2]));
    }
    s
}

#[test]
fn missing_numbers_take_the_training_parts_mean_or_median_and_the_model_records_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.csv", &table());
    for how in [FillMissing::Mean, FillMissing::Median] {
        let options = LoadOptions {
            fill_missing: Some(how),
            ..LoadOptions::default()
        };
        let data = load(&path, &options).unwrap();
        // The training part's known values of x, found by the id beside them.
        let known: Vec<f64> = data
            .train_x
            .columns()
            .into_iter()
            .filter(|c| !(c[0] as usize).is_multiple_of(5))
            .map(|c| c[1])
            .collect();
        let mut sorted = known.clone();
        sorted.sort_by(f64::total_cmp);
        let expected = match how {
            FillMissing::Mean => known.iter().sum::<f64>() / known.len() as f64,
            FillMissing::Median if sorted.len() % 2 == 1 => sorted[sorted.len() / 2],
            FillMissing::Median => (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0,
        };
        // The ids have no gap: their mean, and their median, by hand.
        let mut ids: Vec<f64> = data.train_x.row(0).to_vec();
        ids.sort_by(f64::total_cmp);
        let id_fill = match how {
            FillMissing::Mean => ids.iter().sum::<f64>() / ids.len() as f64,
            FillMissing::Median if ids.len() % 2 == 1 => ids[ids.len() / 2],
            FillMissing::Median => (ids[ids.len() / 2 - 1] + ids[ids.len() / 2]) / 2.0,
        };
        let Input::Table { filled, .. } = &data.spec.input else {
            panic!("a table")
        };
        assert_eq!(
            filled,
            &[
                Filled {
                    column: "id".into(),
                    value: id_fill
                },
                Filled {
                    column: "x".into(),
                    value: expected
                },
            ],
            "{how:?}"
        );
        // Every missing cell, in either part, holds the training part's value.
        for x in [&data.train_x, &data.test_x] {
            for c in x.columns() {
                if (c[0] as usize).is_multiple_of(5) {
                    assert_eq!(c[1], expected, "{how:?}: id {}", c[0]);
                } else {
                    assert_eq!(c[1], ((c[0] * c[0]) as usize % 17) as f64);
                }
            }
        }
        assert!(data
            .test_x
            .columns()
            .into_iter()
            .any(|c| (c[0] as usize).is_multiple_of(5)));
    }
    // Without fill_missing the first missing cell is named, with the flag that fills it.
    let err = load(&path, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("row 5 (line 6), column `x`: `NA` marks a missing value")
            && err.contains("--fill-missing mean"),
        "{err}"
    );
}

#[test]
fn a_model_fills_the_numbers_missing_from_the_rows_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "new.csv", "x,id\n,7\n3,\nNA,NA\n");
    let input = Input::Table {
        columns: vec!["id".into(), "x".into()],
        target: "label".into(),
        one_hot: vec![],
        filled: vec![
            Filled {
                column: "id".into(),
                value: 20.5,
            },
            Filled {
                column: "x".into(),
                value: 0.25,
            },
        ],
        dates: vec![],
    };
    let t = read_table(&path, Columns::of_model(&input)).unwrap();
    assert_eq!(
        t.matrix(&[0, 1, 2]),
        array![[7.0, 20.5, 20.5], [0.25, 3.0, 0.25]]
    );
    // A model without fill values refuses a missing number; text is not a number either.
    let mut strict = input.clone();
    if let Input::Table { filled, .. } = &mut strict {
        filled.clear();
    }
    let err = read_table(&path, Columns::of_model(&strict))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "row 1 (line 2), column `x`: the cell is empty, and the model takes a number here \
             (it was trained without --fill-missing); fill it in, or drop the row"
        ),
        "{err}"
    );
    assert!(!err.contains("--drop"), "predict has no --drop: {err}");
    let text = write(dir.path(), "text.csv", "x,id\nabc,7\n");
    let err = read_table(&text, Columns::of_model(&input))
        .unwrap_err()
        .to_string();
    assert!(err.contains("column `x`: `abc` is not a number"), "{err}");

    // The values survive the model file, both formats.
    let spec = DataSpec {
        ranges: None,
        regression: None,
        classes: vec!["a".into(), "b".into()],
        input,
        standardization: None,
    };
    let net = crate::spec_survives_both_formats(dir.path(), &spec);
    let mut wrong = spec.clone();
    if let Input::Table { filled, .. } = &mut wrong.input {
        filled[1].value = f64::NAN;
    }
    let err = crate::save_error(dir.path(), &net, &wrong);
    assert!(err.contains("its fill value for `x` is NaN"), "{err}");
}

#[test]
fn a_column_with_nothing_to_fill_from_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "t.csv",
        "x,y,label\n,1,a\nNA,2,b\n,3,a\n?,4,b\n",
    );
    let options = LoadOptions {
        fill_missing: Some(FillMissing::Mean),
        ..LoadOptions::default()
    };
    let err = load(&path, &options).unwrap_err().to_string();
    assert!(
        err.contains(
            "t.csv: column `x` has no number, only missing cells; leave it out with --drop x"
        ),
        "{err}"
    );
}

/// A model file whose text-column or fill records do not add up is refused when read, with
/// the dataset named, never a panic.
#[test]
fn damaged_text_and_fill_records_are_refused_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.h5");
    let spec = DataSpec {
        ranges: None,
        regression: None,
        classes: vec!["a".into(), "b".into()],
        input: Input::Table {
            columns: vec!["size".into(), "colour".into()],
            target: "label".into(),
            one_hot: vec![dnn_data::OneHot {
                column: "colour".into(),
                values: vec!["blue".into(), "green".into(), "red".into()],
            }],
            filled: vec![Filled {
                column: "size".into(),
                value: 2.5,
            }],
            dates: vec![],
        },
        standardization: None,
    };
    let net = Network::<f64>::builder(&[4, 3, 1])
        .init(Init::He)
        .build(&mut NumpyRng::new(1))
        .unwrap();
    let damage = |name: &str, data: ndarray::Array1<f64>| {
        save_model_with(&path, &net, &TrainingSetup::default(), &spec).unwrap();
        let file = hdf5::File::open_rw(&path).unwrap();
        file.unlink(name).unwrap();
        if name == "one_hot_counts" {
            let counts: ndarray::Array1<u64> = data.mapv(|v| v as u64);
            file.new_dataset_builder()
                .with_data(&counts)
                .create(name)
                .unwrap();
        } else {
            file.new_dataset_builder()
                .with_data(&data)
                .create(name)
                .unwrap();
        }
    };
    for (name, data, says) in [
        (
            "one_hot_counts",
            array![5.0],
            "one_hot_counts [5] do not split its 3 one_hot_values among its 1 one_hot_columns",
        ),
        (
            "one_hot_counts",
            array![u64::MAX as f64],
            "do not split its 3 one_hot_values",
        ),
        (
            "fill_values",
            array![1.0, 2.0],
            "it has 1 fill_columns but 2 fill_values",
        ),
        (
            "fill_values",
            array![f64::NAN],
            "its fill value for `size` is NaN",
        ),
    ] {
        damage(name, data);
        let err = load_model(&path).unwrap_err().to_string();
        assert!(err.contains(says), "{name}: {err}");
        assert!(err.contains("m.h5"), "{err}");
    }
}
