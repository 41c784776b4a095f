//! Every reader gives its inputs example-major (each example's column contiguous), the layout
//! that the engine gathers mini-batches from with one copy per example; a held-out validation
//! part and a fold keep it, and so does a network in `f32`. The values are the same as a
//! feature-major matrix's.

use std::path::Path;

use dnn_core::Float;
use dnn_data::dataset::{load, load_as, LoadOptions};
use dnn_data::split::Fold;
use dnn_data::{example_major, Dataset, ZScore};
use image::{Rgb, RgbImage};
use ndarray::{Array1, Array2, Array4};
use ndarray_npy::NpzWriter;

/// Whether every column of `x` is contiguous (and `x` holds more than a row and a column,
/// where the two layouts would be the same).
fn is_example_major<X: Float>(x: &Array2<X>) -> bool {
    x.nrows() > 1 && x.ncols() > 1 && x.t().is_standard_layout()
}

fn assert_example_major<X: Float>(data: &Dataset<X>, what: &str) {
    assert!(
        is_example_major(&data.train_x),
        "{what}: training inputs strides {:?}",
        data.train_x.strides()
    );
    assert!(
        is_example_major(&data.test_x),
        "{what}: test inputs strides {:?}",
        data.test_x.strides()
    );
}

/// A table of 60 rows: three number columns (row, its square, a tenth of it) and a class.
fn table(dir: &Path) -> std::path::PathBuf {
    let mut text = String::from("a,b,c,label\n");
    for r in 0..60 {
        let label = ["x", "y", "z"][r % 3];
        text.push_str(&format!("{r},{},{},{label}\n", r * r, r as f64 / 10.0));
    }
    let path = dir.join("t.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn tables_arrays_and_pictures_are_read_example_major() {
    let dir = tempfile::tempdir().unwrap();
    let csv = table(dir.path());
    for zscore in [ZScore::Off, ZScore::Auto] {
        let options = LoadOptions {
            zscore,
            ..LoadOptions::default()
        };
        let data = load(&csv, &options).unwrap();
        assert_example_major(&data, "a CSV table");
        assert_example_major(&load_as::<f32>(&csv, &options).unwrap(), "a table in f32");
    }
    // Unstandardised, the first input of each example is its row number, and the others
    // follow from it.
    let data = load(
        &csv,
        &LoadOptions {
            zscore: ZScore::Off,
            ..LoadOptions::default()
        },
    )
    .unwrap();
    for x in [&data.train_x, &data.test_x] {
        for column in x.columns() {
            let r = column[0];
            assert_eq!(column.to_vec(), [r, r * r, r / 10.0]);
        }
    }

    // An npz float table (standardised by default), and its pictures' kind.
    let npz = dir.path().join("a.npz");
    let mut w = NpzWriter::new(std::fs::File::create(&npz).unwrap());
    let x = Array2::from_shape_fn((40, 5), |(j, i)| (j * 5 + i) as f64);
    w.add_array("x", &x).unwrap();
    w.add_array("y", &Array1::from_shape_fn(40, |j| (j % 2) as i64))
        .unwrap();
    w.finish().unwrap();
    assert_example_major(
        &load(&npz, &LoadOptions::default()).unwrap(),
        "an npz table",
    );
    // Standardised in f64, then converted to f32.
    let narrow = load_as::<f32>(&npz, &LoadOptions::default()).unwrap();
    assert_example_major(&narrow, "an npz table of float64 in f32");
    let pictures = dir.path().join("p.npz");
    let mut w = NpzWriter::new(std::fs::File::create(&pictures).unwrap());
    let x = Array4::from_shape_fn((30, 4, 5, 3), |(j, r, c, ch)| {
        ((j * 37 + r * 11 + c * 5 + ch * 101) % 256) as u8
    });
    w.add_array("x", &x).unwrap();
    w.add_array("y", &Array1::from_shape_fn(30, |j| (j % 2) as i64))
        .unwrap();
    w.finish().unwrap();
    let data = load(&pictures, &LoadOptions::default()).unwrap();
    assert_example_major(&data, "npz pictures");
    // Each example's column is its picture's bytes / 255 in (row, column, channel) order.
    let images = data.train_images.as_ref().unwrap();
    for (column, image) in data.train_x.columns().into_iter().zip(images.outer_iter()) {
        let expected: Vec<f64> = image.iter().map(|&b| f64::from(b) / 255.0).collect();
        assert_eq!(column.to_vec(), expected);
    }

    // An image folder.
    for (class, shade) in [("cat", 200), ("dog", 20)] {
        let folder = dir.path().join("pics").join(class);
        std::fs::create_dir_all(&folder).unwrap();
        for j in 0..12u8 {
            RgbImage::from_pixel(8, 8, Rgb([shade, j, 7]))
                .save(folder.join(format!("{j:03}.png")))
                .unwrap();
        }
    }
    let options = LoadOptions {
        picture_size: (8, 8),
        ..LoadOptions::default()
    };
    let folder = dir.path().join("pics");
    assert_example_major(&load(&folder, &options).unwrap(), "an image folder");
}

#[test]
fn a_validation_part_and_a_fold_keep_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let csv = table(dir.path());
    let mut data = load(&csv, &LoadOptions::default()).unwrap();
    let held = data.hold_out(0.25, 3).unwrap();
    assert_example_major(&data, "the training part left");
    assert!(
        is_example_major(&held.x),
        "held out: {:?}",
        held.x.strides()
    );
    let options = LoadOptions {
        fold: Some(Fold { index: 1, of: 3 }),
        ..LoadOptions::default()
    };
    assert_example_major(&load(&csv, &options).unwrap(), "a fold");
}

#[test]
fn a_feature_major_matrix_is_copied_example_major_and_keeps_its_values() {
    // 70 examples: a tile of 64 and a ragged one.
    let x = Array2::from_shape_fn((5, 70), |(i, j)| (i * 1000 + j) as f64);
    assert!(!is_example_major(&x));
    let copied = example_major(x.clone());
    assert!(is_example_major(&copied));
    assert_eq!(copied, x);
    // Already so: moved as it is.
    let pointer = copied.as_ptr();
    let moved = example_major(copied);
    assert_eq!(moved.as_ptr(), pointer);
    // No features or no examples.
    assert_eq!(example_major(Array2::<f32>::zeros((0, 4))).dim(), (0, 4));
    assert_eq!(example_major(Array2::<f32>::zeros((4, 0))).dim(), (4, 0));
}
