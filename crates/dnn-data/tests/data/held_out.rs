//! A validation part held out of the training part (`Dataset::hold_out`): chosen as the test
//! part of a source without one is (stratified for classes, scikit-learn's `ShuffleSplit` for
//! a regression), every training example in exactly one of the two parts, pictures kept in
//! step, and a split that cannot be made named as a validation split.

use std::path::Path;

use dnn_data::dataset::{load, LoadOptions};
use dnn_data::{split, DataError};
use image::{Rgb, RgbImage};

use crate::tables::{table, write};

/// The row numbers of a part's examples (its `x` row).
fn rows(x: &ndarray::Array2<f64>) -> Vec<usize> {
    x.row(0).iter().map(|&v| v as usize).collect()
}

#[test]
fn classes_are_held_out_stratified_as_the_test_split_and_each_example_lands_once() {
    let dir = tempfile::tempdir().unwrap();
    // Three classes of 60, 30 and 10 rows.
    let path = write(
        dir.path(),
        "c.csv",
        &table(100, |r| {
            ["a", "a", "b", "a", "a", "b", "a", "b", "c", "a"][r % 10].into()
        }),
    );
    let mut data = load(&path, &LoadOptions::default()).unwrap();
    let (train_rows, train_labels) = (rows(&data.train_x), data.train_labels.clone());
    let expected = split::stratified(&train_labels, 3, 0.25, 9).unwrap();

    let val = data.hold_out(0.25, 9).unwrap();

    let at = |idx: &[usize]| idx.iter().map(|&i| train_rows[i]).collect::<Vec<_>>();
    assert_eq!(
        rows(&val.x),
        at(&expected.1),
        "the stratified split's picks"
    );
    assert_eq!(rows(&data.train_x), at(&expected.0), "the rest, in order");
    let labels_at = |idx: &[usize]| idx.iter().map(|&i| train_labels[i]).collect::<Vec<_>>();
    assert_eq!(val.labels, labels_at(&expected.1));
    assert_eq!(data.train_labels, labels_at(&expected.0));
    // 48, 24 and 8 training rows: a quarter of each class.
    let per_class: Vec<usize> = (0..3)
        .map(|c| val.labels.iter().filter(|&&l| l == c).count())
        .collect();
    assert_eq!(per_class, [12, 6, 2]);
    assert!(val.values.is_empty() && data.train_values.is_empty());
    assert_eq!((val.split.fraction, val.split.seed), (0.25, 9));
    // The targets as the network takes them: one-hot for three classes.
    let y = data.held_out_y::<f64>(&val);
    assert_eq!(y.dim(), (3, 20));
    assert_eq!(y[[val.labels[0], 0]], 1.0);
}

#[test]
fn a_regression_is_held_out_as_shuffle_split_and_keeps_the_training_parts_scale() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "r.csv",
        &table(200, |r| format!("{}", 2.0 * r as f64 + 0.5)),
    );
    let mut data = load(&path, &LoadOptions::default()).unwrap();
    let scale = data.spec.regression.expect("fractions: a regression");
    let train_rows = rows(&data.train_x);
    let expected = split::shuffled(train_rows.len(), 0.1, 3).unwrap();

    let val = data.hold_out(0.1, 3).unwrap();

    let at = |idx: &[usize]| idx.iter().map(|&i| train_rows[i]).collect::<Vec<_>>();
    assert_eq!(rows(&val.x), at(&expected.1));
    assert_eq!(rows(&data.train_x), at(&expected.0));
    assert_eq!(
        (val.len(), data.train_len()),
        (16, 144),
        "ceil(0.1 x 160) held out"
    );
    // Each example keeps its own value, and the scale is still the whole training part's.
    for (x, v) in [(&val.x, &val.values), (&data.train_x, &data.train_values)] {
        for (r, value) in rows(x).into_iter().zip(v.iter()) {
            assert_eq!(*value, 2.0 * r as f64 + 0.5);
        }
    }
    assert_eq!(data.spec.regression, Some(scale));
    let y = data.held_out_y::<f64>(&val);
    assert_eq!(y[[0, 0]], (val.values[0] - scale.mean) / scale.std);
    assert!(val.labels.is_empty());
}

#[test]
fn pictures_stay_with_their_examples() {
    let dir = tempfile::tempdir().unwrap();
    for (class, shade) in [("cat", 200u8), ("dog", 40)] {
        let folder = dir.path().join(class);
        std::fs::create_dir_all(&folder).unwrap();
        for j in 0..10u8 {
            RgbImage::from_pixel(2, 2, Rgb([shade, j, 7]))
                .save(folder.join(format!("{j:02}.png")))
                .unwrap();
        }
    }
    let options = LoadOptions {
        picture_size: (2, 2),
        ..LoadOptions::default()
    };
    let mut data = load(dir.path(), &options).unwrap();
    let val = data.hold_out(0.5, 1).unwrap();
    let images = data.train_images.as_ref().unwrap();
    assert_eq!((data.train_len(), val.len()), (8, 8));
    assert_eq!(images.shape()[0], data.train_len());
    for (j, picture) in images.outer_iter().enumerate() {
        // The input's first feature is the first pixel's red byte over 255.
        assert_eq!(f64::from(picture[[0, 0, 0]]) / 255.0, data.train_x[[0, j]]);
        assert_eq!(f64::from(picture[[0, 0, 1]]) / 255.0, data.train_x[[1, j]]);
    }
}

#[test]
fn a_split_that_cannot_be_made_is_named_a_validation_split() {
    let dir = tempfile::tempdir().unwrap();
    let classes = write(dir.path(), "c.csv", &table(50, |r| (r % 2).to_string()));
    let values = write(dir.path(), "v.csv", &table(3, |r| format!("{r}.5")));
    let problem = |path: &Path, fraction: f64| {
        let mut data = load(path, &LoadOptions::default()).unwrap();
        let before = data.clone();
        let err = data.hold_out(fraction, 0).unwrap_err();
        assert_eq!(data, before, "a failed hold-out leaves the data as it was");
        match err {
            DataError::BadSplit { problem, .. } => problem,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        problem(&classes, 1.0),
        "the training part: a validation split of 1 is not usable; it must be a fraction in (0, 1)"
    );
    assert_eq!(
        problem(&classes, 0.01),
        "the training part: a stratified validation split of 0.01 of 40 examples leaves 40 \
         training and 0 validation examples; give more examples or another split"
    );
    assert_eq!(
        problem(&values, 0.9),
        "the training part: a validation split of 0.9 of 2 examples leaves 0 training and 2 \
         validation examples; give more examples or another split"
    );
    // A table of one row cannot be split at all.
    let one = write(dir.path(), "one.csv", &table(1, |r| format!("{r}.5")));
    let err = load(&one, &LoadOptions::default()).unwrap_err().to_string();
    assert!(
        err.ends_with(
            "a test split of 0.2 of 1 example leaves 0 training and 1 test examples; give more \
             examples or another split"
        ),
        "{err}"
    );
}
