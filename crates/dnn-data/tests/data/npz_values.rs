//! `.npz` archives whose values are wrong for what they hold: float pictures outside [0, 1],
//! non-finite values named by their array index.
//!
//! Also the shapes and names that read wrong: channels-first pictures, and arrays saved under
//! other names than `x` and `y` (the message says how to re-save them).

use std::path::{Path, PathBuf};

use dnn_data::dataset::{load, LoadOptions};
use dnn_data::{DataError, Input};
use ndarray::{Array1, Array2, Array3, Array4, ArrayD};
use ndarray_npy::{NpzWriter, WritableElement};

/// Labels 0, 1, 0, 1, ... for `m` examples.
fn labels(m: usize) -> Array1<i64> {
    Array1::from_shape_fn(m, |j| (j % 2) as i64)
}

/// Writes `x` (any element type) and `y` under the names given.
fn write_xy<T: WritableElement>(
    path: &Path,
    (x_key, x): (&str, &ArrayD<T>),
    (y_key, y): (&str, &Array1<i64>),
) -> PathBuf {
    let mut w = NpzWriter::new(std::fs::File::create(path).expect("create npz"));
    w.add_array(x_key, x).expect("x");
    w.add_array(y_key, y).expect("y");
    w.finish().expect("npz");
    path.to_path_buf()
}

/// `m` RGB pictures of 4x5 pixels holding 0-255 as float64, as `X.astype(float)` gives.
fn pictures_0_255(m: usize) -> Array4<f64> {
    Array4::from_shape_fn((m, 4, 5, 3), |(j, r, c, ch)| {
        ((j * 37 + r * 11 + c * 5 + ch * 101) % 256) as f64
    })
}

fn load_err(path: &Path) -> DataError {
    match load(path, &LoadOptions::default()) {
        Ok(d) => panic!("{} loaded: {:?}", path.display(), d.spec.input),
        Err(e) => e,
    }
}

#[test]
fn float_pictures_outside_0_1_are_refused_with_how_to_resave_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let x = pictures_0_255(20);
    // x[0, 0, 0, 0] is 0; the first value above 1 is x[0, 0, 0, 1] = 101.
    let path = write_xy(
        &d.join("float255.npz"),
        ("x", &x.clone().into_dyn()),
        ("y", &labels(20)),
    );
    let err = load_err(&path);
    assert!(matches!(err, DataError::BadSource { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "{}: x[0, 0, 0, 1] is 101, but float pictures must hold values in [0, 1]",
            path.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("divide them by 255 (x / 255) or save them as uint8 (x.astype(np.uint8))"),
        "{text}"
    );
    assert!(!text.contains('\n'), "{text}");

    // float32, grey (3-D), in Keras' layout: the key named is x_test's.
    let grey = |scale: f32| {
        Array3::from_shape_fn((6, 4, 5), |(j, r, c)| ((j + r + c) % 2) as f32 * scale).into_dyn()
    };
    let path = d.join("split.npz");
    let mut w = NpzWriter::new(std::fs::File::create(&path).unwrap());
    w.add_array("x_train", &grey(1.0)).unwrap();
    w.add_array("y_train", &labels(6)).unwrap();
    w.add_array("x_test", &grey(255.0)).unwrap();
    w.add_array("y_test", &labels(6)).unwrap();
    w.finish().unwrap();
    let text = load_err(&path).to_string();
    assert!(
        text.contains("x_test[0, 0, 1] is 255, but float pictures"),
        "{text}"
    );
    assert!(text.contains("(x_test / 255)"), "{text}");

    // The same pictures divided by 255 load, as pictures, values as they are.
    let path = write_xy(
        &d.join("float01.npz"),
        ("x", &(x / 255.0).into_dyn()),
        ("y", &labels(20)),
    );
    let data = load(&path, &LoadOptions::default()).expect("pictures in [0, 1]");
    assert_eq!(
        data.spec.input,
        Input::Picture {
            height: 4,
            width: 5,
            channels: 3
        }
    );
    assert!(data.train_x.iter().all(|v| (0.0..=1.0).contains(v)));
}

#[test]
fn float_tables_keep_any_finite_values() {
    let dir = tempfile::tempdir().unwrap();
    let x = Array2::from_shape_fn((20, 3), |(j, i)| (j as f64 - 10.0) * 1e6 + i as f64);
    let path = write_xy(
        &dir.path().join("table.npz"),
        ("x", &x.into_dyn()),
        ("y", &labels(20)),
    );
    let data = load(&path, &LoadOptions::default()).expect("a float table");
    assert!(matches!(data.spec.input, Input::Table { .. }));
    assert!(data.train_x.iter().any(|&v| v > 1e6));
}

#[test]
fn non_finite_values_are_named_by_their_index_in_the_array() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A table: x[10, 2] is NaN (not "row 2, column 2" of the shuffled training part).
    let mut x = Array2::from_shape_fn((20, 3), |(j, i)| j as f64 + i as f64);
    x[[10, 2]] = f64::NAN;
    x[[15, 0]] = f64::NAN;
    let path = write_xy(
        &d.join("nan_i.npz"),
        ("x", &x.into_dyn()),
        ("y", &labels(20)),
    );
    let text = load_err(&path).to_string();
    assert_eq!(
        text,
        format!(
            "{}: x[10, 2] is NaN (every value must be finite)",
            path.display()
        )
    );

    // float32 infinities.
    let mut x = Array2::<f32>::zeros((20, 3));
    x[[3, 1]] = f32::NEG_INFINITY;
    let path = write_xy(&d.join("inf.npz"), ("x", &x.into_dyn()), ("y", &labels(20)));
    let text = load_err(&path).to_string();
    assert!(
        text.ends_with("x[3, 1] is -inf (every value must be finite)"),
        "{text}"
    );

    // Pictures: the full index.
    let mut x = pictures_0_255(20) / 255.0;
    x[[7, 2, 4, 1]] = f64::INFINITY;
    let path = write_xy(
        &d.join("inf_pic.npz"),
        ("x", &x.into_dyn()),
        ("y", &labels(20)),
    );
    let text = load_err(&path).to_string();
    assert!(
        text.ends_with("x[7, 2, 4, 1] is inf (every value must be finite)"),
        "{text}"
    );

    // Stored in Fortran order: the index is still the logical one.
    let mut x = Array2::from_shape_fn((20, 3), |(j, i)| j as f64 - i as f64);
    x[[4, 1]] = f64::NAN;
    let fortran = x.t().as_standard_layout().to_owned().reversed_axes();
    assert!(!fortran.is_standard_layout());
    let path = write_xy(
        &d.join("fortran.npz"),
        ("x", &fortran.into_dyn()),
        ("y", &labels(20)),
    );
    let text = load_err(&path).to_string();
    assert!(
        text.ends_with("x[4, 1] is NaN (every value must be finite)"),
        "{text}"
    );
}

#[test]
fn channels_first_pictures_are_refused_with_moveaxis() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let x = Array4::<u8>::from_elem((10, 3, 8, 8), 7);
    let path = write_xy(&d.join("chw.npz"), ("x", &x.into_dyn()), ("y", &labels(10)));
    let text = load_err(&path).to_string();
    assert_eq!(
        text,
        format!(
            "{}: `x` has shape [10, 3, 8, 8], which looks channels-first (m, channels, height, width); dnn reads pictures channels-last, (m, height, width, channels): re-save it with np.moveaxis(x, 1, -1), shape [10, 8, 8, 3]",
            path.display()
        )
    );
    // Channels-last loads, also when a side happens to be 1, 3 or 4.
    for shape in [(10, 8, 8, 3), (10, 3, 8, 4), (10, 1, 8, 1), (10, 8, 8, 64)] {
        let x = ArrayD::<u8>::from_elem(vec![shape.0, shape.1, shape.2, shape.3], 7);
        let path = write_xy(&d.join("hwc.npz"), ("x", &x), ("y", &labels(10)));
        let data = load(&path, &LoadOptions::default()).expect("channels-last");
        assert_eq!(
            data.spec.input,
            Input::Picture {
                height: shape.1,
                width: shape.2,
                channels: shape.3
            }
        );
    }
}

#[test]
fn arrays_under_other_names_say_how_to_resave_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let x = Array2::<f64>::zeros((10, 2)).into_dyn();
    for (xk, yk) in [("X", "Y"), ("arr_0", "arr_1"), ("images", "labels")] {
        let path = write_xy(&d.join(format!("{xk}.npz")), (xk, &x), (yk, &labels(10)));
        let text = load_err(&path).to_string();
        assert_eq!(
            text,
            format!(
                "{}: missing key `x` (the file has: {xk}, {yk}); dnn reads the arrays named x, y: re-save them under those names, np.savez(f, x=..., y=...)",
                path.display()
            )
        );
    }
}

/// An `.npy` file of numpy strings as `np.save` writes `np.array(names, dtype=descr)`
/// (format 1.0: the magic, the header dict padded with spaces to a multiple of 64 bytes,
/// then each name padded with zeros): UTF-32 little-endian for `<U{n}`, bytes for `|S{n}`.
fn npy_strings(names: &[&str], descr: &str) -> Vec<u8> {
    // `|O` (objects) has no width: only its header is written.
    let width: usize = descr[2..].parse().unwrap_or(0);
    let mut header = format!(
        "{{'descr': '{descr}', 'fortran_order': False, 'shape': ({},), }}",
        names.len()
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for name in names {
        if descr.starts_with("<U") {
            let chars: Vec<char> = name.chars().collect();
            for k in 0..width {
                let c = chars.get(k).map_or(0, |&c| c as u32);
                out.extend_from_slice(&c.to_le_bytes());
            }
        } else {
            let mut bytes = name.as_bytes().to_vec();
            bytes.resize(width, 0);
            out.extend_from_slice(&bytes);
        }
    }
    out
}

/// An `.npz` of `(name, .npy bytes)` members, stored as `np.savez` stores them.
fn write_npz_members(path: &Path, members: &[(&str, Vec<u8>)]) -> PathBuf {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("create npz"));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in members {
        zip.start_file(format!("{name}.npy"), stored)
            .expect("member");
        std::io::Write::write_all(&mut zip, bytes).expect("write");
    }
    zip.finish().expect("npz");
    path.to_path_buf()
}

/// `.npy` bytes of a numeric array, as ndarray-npy writes them.
fn npy<T: WritableElement, D: ndarray::Dimension>(a: &ndarray::Array<T, D>) -> Vec<u8> {
    use ndarray_npy::WriteNpyExt;
    let mut out = Vec::new();
    a.write_npy(&mut out).expect("npy");
    out
}

/// Three kinds of 30 rows each; feature 0 is the kind's index times 3 (plus a little).
fn kinds_table() -> (Array2<f64>, Vec<usize>) {
    let kind: Vec<usize> = (0..90).map(|j| j % 3).collect();
    let x = Array2::from_shape_fn((90, 2), |(j, f)| {
        if f == 0 {
            kind[j] as f64 * 3.0 + (j % 7) as f64 * 0.01
        } else {
            (j % 5) as f64
        }
    });
    (x, kind)
}

/// Each example's class name, by the data's own features: feature 0 over 3 is the kind.
fn names_by_feature(x: &Array2<f64>, labels: &[usize], classes: &[String]) -> Vec<(usize, String)> {
    labels
        .iter()
        .enumerate()
        .map(|(j, &k)| ((x[[0, j]] / 3.0).round() as usize, classes[k].clone()))
        .collect()
}

#[test]
fn class_names_saved_as_numpy_strings_are_read_as_a_csvs_are() {
    let dir = tempfile::tempdir().unwrap();
    let (x, kind) = kinds_table();
    for (descr, names) in [
        ("<U10", ["setosa", "versicolor", "virginica"]),
        ("|S10", ["setosa", "versicolor", "virginica"]),
        // UTF-8 bytes of non-ASCII names, and characters beyond the BMP in UTF-32.
        ("|S10", ["chat", "chien", "éléphant"]),
        ("<U8", ["chat", "chien", "🐘"]),
    ] {
        let y: Vec<&str> = kind.iter().map(|&k| names[k]).collect();
        let path = write_npz_members(
            &dir.path().join("kinds.npz"),
            &[("x", npy(&x)), ("y", npy_strings(&y, descr))],
        );
        let data = load(&path, &LoadOptions::default()).unwrap();
        let mut sorted = names.map(String::from).to_vec();
        sorted.sort();
        assert_eq!(data.spec.classes, sorted, "{descr}");
        assert_eq!((data.train_len(), data.test_len()), (72, 18), "{descr}");
        // Every example keeps its own name, through the sort and the split.
        for (x, labels) in [
            (&data.train_x, &data.train_labels),
            (&data.test_x, &data.test_labels),
        ] {
            for (k, name) in names_by_feature(x, labels, &data.spec.classes) {
                assert_eq!(name, names[k], "{descr}");
            }
        }
    }
}

#[test]
fn objects_mixed_kinds_and_bad_text_in_string_labels_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (x, kind) = kinds_table();
    let d = dir.path();
    // pandas' `.values` of text: pickled objects, refused by the header alone.
    let objects = npy_strings(&["a"; 90], "|O");
    let path = write_npz_members(&d.join("o.npz"), &[("x", npy(&x)), ("y", objects)]);
    let err = load_err(&path).to_string();
    assert!(
        err.contains("`y` holds Python objects") && err.contains("np.asarray(y, dtype=str)"),
        "{err}"
    );
    // Names in one part, numbers in the other.
    let y: Vec<&str> = kind[..60].iter().map(|&k| ["a", "b", "c"][k]).collect();
    let numbers: Array1<i64> = kind[60..].iter().map(|&k| k as i64).collect();
    let path = write_npz_members(
        &d.join("mixed.npz"),
        &[
            ("x_train", npy(&x.slice(ndarray::s![..60, ..]).to_owned())),
            ("y_train", npy_strings(&y, "<U1")),
            ("x_test", npy(&x.slice(ndarray::s![60.., ..]).to_owned())),
            ("y_test", npy(&numbers)),
        ],
    );
    let err = load_err(&path).to_string();
    assert!(
        err.ends_with(
            "`y_train` holds class names but `y_test` class numbers; save both the same way"
        ),
        "{err}"
    );
    // A UTF-32 value that is no character (a lone surrogate), named by its index.
    let y: Vec<&str> = kind.iter().map(|&k| ["a", "b", "c"][k]).collect();
    let mut bad = npy_strings(&y, "<U1");
    let n = bad.len();
    bad[n - 4..].copy_from_slice(&0xD800u32.to_le_bytes());
    let path = write_npz_members(&d.join("bad.npz"), &[("x", npy(&x)), ("y", bad)]);
    let err = load_err(&path).to_string();
    assert!(err.contains("y[89] is not valid text (<U1)"), "{err}");
    // A header declaring far more strings than the file holds.
    let mut huge = npy_strings(&["a"], "<U100");
    let at = huge.windows(4).position(|w| w == b"(1,)").expect("shape");
    huge.splice(at..at + 4, b"(99999999999,)".iter().copied());
    let path = write_npz_members(&d.join("huge.npz"), &[("x", npy(&x)), ("y", huge)]);
    let err = load_err(&path).to_string();
    assert!(
        err.contains("cannot read `y`: its header declares shape [99999999999]"),
        "{err}"
    );
}
