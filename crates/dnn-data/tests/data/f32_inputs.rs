//! Inputs read in `f32` ([`load_as`]) are the `f64` inputs rounded once, in every format,
//! with and without the z-score: pictures' bytes and `float32` arrays are read into `f32`
//! directly, a table's numbers and `float64` arrays are standardised in `f64` first. A
//! column of large numbers that vary a little (a Unix time) keeps its variation: rounded to
//! `f32` before the z-score, 1.7e9 + k would lose every k below 128.

use std::path::Path;

use dnn_data::{load_as, Dataset, LoadOptions, Standardization, ZScore};
use ndarray::{Array1, Array2, Array4};

use crate::dataset::{write_course_file, write_npz, NpzArray};

/// Loads `path` in both types with each z-score choice, and checks that the `f32` data is
/// the `f64` data rounded once, with the same labels, values and spec (the z-score's `f64`
/// mean and std included).
fn f32_is_f64_rounded(path: &Path, options: &LoadOptions) -> (Dataset<f64>, Dataset<f32>) {
    let mut last = None;
    for zscore in [ZScore::Off, ZScore::On, ZScore::Auto] {
        let options = LoadOptions {
            zscore,
            ..options.clone()
        };
        let wide = load_as::<f64>(path, &options).unwrap();
        let narrow = load_as::<f32>(path, &options).unwrap();
        let what = format!("{} with {:?}", path.display(), options.zscore);
        assert_eq!(narrow.train_x, wide.train_x.mapv(|v| v as f32), "{what}");
        assert_eq!(narrow.test_x, wide.test_x.mapv(|v| v as f32), "{what}");
        assert_eq!(
            (&narrow.train_labels, &narrow.test_labels),
            (&wide.train_labels, &wide.test_labels),
            "{what}"
        );
        assert_eq!(
            (&narrow.train_values, &narrow.test_values),
            (&wide.train_values, &wide.test_values),
            "{what}"
        );
        // The ranges are of the inputs the network sees: in f32, f64's rounded.
        let no_ranges = |spec: &dnn_data::DataSpec| dnn_data::DataSpec {
            ranges: None,
            ..spec.clone()
        };
        assert_eq!(no_ranges(&narrow.spec), no_ranges(&wide.spec), "{what}");
        let rounded = wide
            .spec
            .ranges
            .as_ref()
            .map(|r| dnn_data::ranges::InputRanges {
                min: r.min.mapv(|v| f64::from(v as f32)),
                max: r.max.mapv(|v| f64::from(v as f32)),
            });
        assert_eq!(narrow.spec.ranges, rounded, "{what}");
        last = Some((wide, narrow));
    }
    last.unwrap()
}

#[test]
fn a_table_in_f32_is_standardised_in_f64_then_rounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    let mut text = String::from("time,size,colour,label\n");
    for j in 0..40u64 {
        let time = 1_700_000_000 + j * 7 % 100;
        let colour = ["red", "blue"][(j % 2) as usize];
        text.push_str(&format!(
            "{time},{}.25,{colour},{}\n",
            j % 9,
            ["a", "b"][(j % 3 == 0) as usize]
        ));
    }
    std::fs::write(&path, text).unwrap();
    let (wide, narrow) = f32_is_f64_rounded(&path, &LoadOptions::default());
    // A table is standardised as it is read, input by input: to the bit as the z-score of
    // the whole matrix read as it is (Dataset::standardize).
    let mut whole = load_as::<f64>(&path, &LoadOptions::default()).unwrap();
    whole.standardize();
    assert_eq!(wide.train_x, whole.train_x);
    assert_eq!(wide.test_x, whole.test_x);
    assert_eq!(wide.spec, whole.spec);
    // Auto is on for a table: the times keep their variation in f32.
    assert!(wide.spec.standardization.is_some());
    let mut times: Vec<f32> = narrow.train_x.row(0).to_vec();
    times.sort_by(f32::total_cmp);
    times.dedup();
    assert!(times.len() > 20, "{times:?}");
}

#[test]
fn npz_arrays_in_f32_are_read_directly_or_through_f64() {
    let dir = tempfile::tempdir().unwrap();
    let m = 30;
    let y = Array1::from_shape_fn(m, |j| (j % 3) as i64).into_dyn();
    let table = Array2::from_shape_fn((m, 4), |(j, i)| 1e9 + (j * 13 + i * 7) as f64 / 3.0);
    let cases = [
        ("f64.npz", NpzArray::F64(table.clone().into_dyn())),
        (
            "f32.npz",
            NpzArray::F32(table.mapv(|v| (v - 1e9) as f32).into_dyn()),
        ),
        (
            "u8.npz",
            NpzArray::U8(table.mapv(|v| (v as u64 % 256) as u8).into_dyn()),
        ),
        (
            "pictures.npz",
            NpzArray::U8(
                Array4::from_shape_fn((m, 3, 2, 1), |(j, r, c, _)| (j * 9 + r * 2 + c) as u8)
                    .into_dyn(),
            ),
        ),
        (
            "float_pictures.npz",
            NpzArray::F32(
                Array4::from_shape_fn((m, 3, 2, 1), |(j, r, c, _)| ((j + r + c) % 5) as f32 / 4.0)
                    .into_dyn(),
            ),
        ),
    ];
    for (name, x) in cases {
        let path = dir.path().join(name);
        write_npz(&path, vec![("x", x), ("y", NpzArray::I64(y.clone()))]);
        f32_is_f64_rounded(&path, &LoadOptions::default());
    }
    // Keras' layout, its parts in two arrays: a float64 x_test makes the whole read inexact.
    let path = dir.path().join("keras.npz");
    let half = |a: &Array2<f64>| a.slice(ndarray::s![..m / 2, ..]).to_owned();
    let part_y = y.slice(ndarray::s![..m / 2]).to_owned().into_dyn();
    write_npz(
        &path,
        vec![
            (
                "x_train",
                NpzArray::F32(half(&table).mapv(|v| (v - 1e9) as f32).into_dyn()),
            ),
            ("y_train", NpzArray::I64(part_y.clone())),
            ("x_test", NpzArray::F64(half(&table).into_dyn())),
            ("y_test", NpzArray::I64(part_y)),
        ],
    );
    f32_is_f64_rounded(&path, &LoadOptions::default());
}

#[test]
fn pictures_in_f32_are_their_bytes_over_255_rounded_once() {
    let dir = tempfile::tempdir().unwrap();
    let m = 12;
    let x = Array4::from_shape_fn((m, 3, 3, 3), |(j, r, c, k)| {
        (j * 20 + r * 7 + c * 3 + k) as u8
    });
    let y = Array1::from_shape_fn(m, |j| (j % 2) as i64);
    write_course_file(&dir.path().join("train_s.h5"), "train", &x, &y, &[0, 1]);
    write_course_file(&dir.path().join("test_s.h5"), "test", &x, &y, &[0, 1]);
    f32_is_f64_rounded(dir.path(), &LoadOptions::default());
    let folder = dir.path().join("folder");
    for class in ["a", "b"] {
        std::fs::create_dir_all(folder.join(class)).unwrap();
        for j in 0..5u8 {
            let picture = image::RgbImage::from_fn(4, 4, |r, c| {
                image::Rgb([j * 40, r as u8 * 60, c as u8 * 50])
            });
            picture
                .save(folder.join(class).join(format!("{j}.png")))
                .unwrap();
        }
    }
    let options = LoadOptions {
        picture_size: (4, 4),
        ..LoadOptions::default()
    };
    f32_is_f64_rounded(&folder, &options);
}

/// A model's z-score applies to data read in f32 as in f64; one of another width is an error.
#[test]
fn a_given_z_score_applies_alike_and_must_fit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    let rows: String = (0..20)
        .map(|j| format!("{},{},{}\n", 1e12 + j as f64, j % 4, j % 2))
        .collect();
    std::fs::write(&path, format!("a,b,label\n{rows}")).unwrap();
    let z = Standardization {
        mean: ndarray::array![1e12, 1.0],
        std: ndarray::array![3.0, 2.0],
    };
    let options = LoadOptions {
        zscore: ZScore::Given(z.clone()),
        ..LoadOptions::default()
    };
    let wide = load_as::<f64>(&path, &options).unwrap();
    let narrow = load_as::<f32>(&path, &options).unwrap();
    assert_eq!(narrow.train_x, wide.train_x.mapv(|v| v as f32));
    assert_eq!(wide.spec.standardization, Some(z));
    let narrower = Standardization {
        mean: ndarray::array![0.0],
        std: ndarray::array![1.0],
    };
    let err = load_as::<f32>(
        &path,
        &LoadOptions {
            zscore: ZScore::Given(narrower),
            ..LoadOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("it has 2 columns (a, b), but the z-score to apply covers 1 input"),
        "{err}"
    );
}
