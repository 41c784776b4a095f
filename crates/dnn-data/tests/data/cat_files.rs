//! Loading small HDF5 files built here: the happy path and every validation error.

use std::path::{Path, PathBuf};

use dnn_data::{cat, CatDataset, DataError, Split};
use std::str::FromStr;

use hdf5::types::{FixedAscii, FixedUnicode, VarLenUnicode};
use ndarray::{Array, Array1, Array2, Array4, ArrayD, IxDyn};

/// What to put in one file; `None` leaves a key out.
struct Spec {
    x: Option<ArrayD<u8>>,
    x_f64: Option<ArrayD<f64>>,
    y: Option<ArrayD<i64>>,
    y_f32: Option<Array1<f32>>,
    classes: bool,
    varlen_classes: bool,
}

fn images(m: usize, h: usize, w: usize) -> Array4<u8> {
    Array4::from_shape_fn((m, h, w, 3), |(j, r, c, ch)| {
        ((j * 31 + r * 7 + c * 3 + ch * 101) % 256) as u8
    })
}

fn good(m: usize, h: usize, w: usize) -> Spec {
    Spec {
        x: Some(images(m, h, w).into_dyn()),
        x_f64: None,
        y: Some(Array1::from_shape_fn(m, |j| (j % 3 == 1) as i64).into_dyn()),
        y_f32: None,
        classes: true,
        varlen_classes: false,
    }
}

fn write(path: &Path, split: Split, spec: &Spec) {
    let f = hdf5::File::create(path).unwrap();
    if let Some(x) = &spec.x {
        f.new_dataset_builder()
            .with_data(x)
            .create(split.x_key())
            .unwrap();
    }
    if let Some(x) = &spec.x_f64 {
        f.new_dataset_builder()
            .with_data(x)
            .create(split.x_key())
            .unwrap();
    }
    if let Some(y) = &spec.y {
        f.new_dataset_builder()
            .with_data(y)
            .create(split.y_key())
            .unwrap();
    }
    if let Some(y) = &spec.y_f32 {
        f.new_dataset_builder()
            .with_data(y)
            .create(split.y_key())
            .unwrap();
    }
    if spec.classes {
        if spec.varlen_classes {
            let c: Array1<VarLenUnicode> =
                Array1::from(vec!["non-cat".parse().unwrap(), "cat".parse().unwrap()]);
            f.new_dataset_builder()
                .with_data(&c)
                .create("list_classes")
                .unwrap();
        } else {
            let c: Array1<FixedAscii<7>> = Array1::from(vec![
                FixedAscii::from_ascii(b"non-cat").unwrap(),
                FixedAscii::from_ascii(b"cat").unwrap(),
            ]);
            f.new_dataset_builder()
                .with_data(&c)
                .create("list_classes")
                .unwrap();
        }
    }
}

struct Dir {
    _tmp: tempfile::TempDir,
    path: PathBuf,
}

impl Dir {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().to_path_buf();
        Dir { _tmp: tmp, path }
    }
    fn train(&self) -> PathBuf {
        self.path.join(dnn_data::TRAIN_FILE)
    }
    fn test(&self) -> PathBuf {
        self.path.join(dnn_data::TEST_FILE)
    }
    /// Writes a good test file and the given train file.
    fn with_train(spec: &Spec) -> Self {
        let d = Dir::new();
        write(&d.train(), Split::Train, spec);
        write(&d.test(), Split::Test, &good(2, 8, 8));
        d
    }
}

fn load_err(d: &Dir) -> (DataError, String) {
    let e = CatDataset::<f64>::load(&d.path).unwrap_err();
    let msg = e.to_string();
    (e, msg)
}

#[test]
fn loads_a_small_valid_data_set_and_flattens_like_numpy() {
    let d = Dir::new();
    write(&d.train(), Split::Train, &good(5, 8, 6));
    write(&d.test(), Split::Test, &good(3, 8, 6));
    let data = CatDataset::<f64>::load(&d.path).unwrap();
    assert_eq!(data.train_x.dim(), (8 * 6 * 3, 5));
    assert_eq!(data.test_x.dim(), (8 * 6 * 3, 3));
    assert_eq!(data.train_y.dim(), (1, 5));
    assert_eq!(data.test_y.dim(), (1, 3));
    assert_eq!(data.train_len(), 5);
    assert_eq!(data.test_len(), 3);
    assert_eq!(data.image_shape(), [8, 6, 3]);
    assert_eq!(data.classes, vec!["non-cat".to_owned(), "cat".to_owned()]);
    assert_eq!(data.class_name(1), Some("cat"));
    assert_eq!(data.train_y.row(0).to_vec(), vec![0.0, 1.0, 0.0, 0.0, 1.0]);
    let raw = images(5, 8, 6);
    assert_eq!(data.train_images, raw);
    for j in 0..5 {
        for r in 0..8 {
            for c in 0..6 {
                for ch in 0..3 {
                    let f = (r * 6 + c) * 3 + ch;
                    assert_eq!(data.train_x[[f, j]], f64::from(raw[[j, r, c, ch]]) / 255.0);
                }
            }
        }
    }
    // f32 works too and agrees.
    let data32 = dnn_data::load_cat_dataset::<f32>(&d.path).unwrap();
    assert_eq!(
        data32.train_x[[7, 2]],
        (f64::from(raw[[2, 0, 2, 1]]) / 255.0) as f32
    );
}

#[test]
fn accepts_row_labels_unsigned_labels_and_varlen_classes() {
    let mut spec = good(4, 8, 8);
    spec.y = Some(
        Array2::from_shape_vec((1, 4), vec![1i64, 0, 1, 1])
            .unwrap()
            .into_dyn(),
    );
    spec.varlen_classes = true;
    let d = Dir::with_train(&spec);
    let data = CatDataset::<f64>::load(&d.path).unwrap();
    assert_eq!(data.train_y.row(0).to_vec(), vec![1.0, 0.0, 1.0, 1.0]);
    assert_eq!(data.classes, vec!["non-cat", "cat"]);

    // uint8 labels in an (m, 1) column.
    let d = Dir::new();
    write(
        &d.train(),
        Split::Train,
        &Spec {
            y: None,
            ..good(3, 8, 8)
        },
    );
    {
        let f = hdf5::File::append(d.train()).unwrap();
        let y = Array2::from_shape_vec((3, 1), vec![0u8, 1, 1]).unwrap();
        f.new_dataset_builder()
            .with_data(&y)
            .create("train_set_y")
            .unwrap();
    }
    write(&d.test(), Split::Test, &good(2, 8, 8));
    let data = CatDataset::<f64>::load(&d.path).unwrap();
    assert_eq!(data.train_y.row(0).to_vec(), vec![0.0, 1.0, 1.0]);

    // Fixed-length UTF-8 class names.
    let d = Dir::new();
    write(
        &d.train(),
        Split::Train,
        &Spec {
            classes: false,
            ..good(3, 8, 8)
        },
    );
    {
        let f = hdf5::File::append(d.train()).unwrap();
        let c: Array1<FixedUnicode<8>> = Array1::from(vec![
            FixedUnicode::from_str("non-cat").unwrap(),
            FixedUnicode::from_str("cat").unwrap(),
        ]);
        f.new_dataset_builder()
            .with_data(&c)
            .create("list_classes")
            .unwrap();
    }
    write(&d.test(), Split::Test, &good(2, 8, 8));
    let data = CatDataset::<f64>::load(&d.path).unwrap();
    assert_eq!(data.classes, vec!["non-cat", "cat"]);
}

#[test]
fn class_names_of_a_non_string_type() {
    let d = Dir::with_train(&good(3, 8, 8));
    {
        let f = hdf5::File::open_rw(d.train()).unwrap();
        f.unlink("list_classes").unwrap();
        let c = Array1::from(vec![0i32, 1]);
        f.new_dataset_builder()
            .with_data(&c)
            .create("list_classes")
            .unwrap();
    }
    let (e, msg) = load_err(&d);
    assert!(matches!(e, DataError::WrongDtype { .. }), "{e:?}");
    assert_eq!(
        msg,
        format!(
            "{}: list_classes has element type int32, expected strings (of at most 256 bytes)",
            d.train().display()
        )
    );
}

/// A data set that a file declares but does not store reads as fill values, so a small file
/// can declare a million class names: one byte each as stored, within the budget of what the
/// file could hold, but 256 MB once read as 256-byte strings. The budget counts what reading
/// allocates.
#[test]
fn class_names_declared_but_not_stored_are_refused_before_reading() {
    let d = Dir::with_train(&good(3, 8, 8));
    {
        let f = hdf5::File::open_rw(d.train()).unwrap();
        f.unlink("list_classes").unwrap();
        f.new_dataset::<FixedAscii<1>>()
            .shape(1_000_000)
            .create("list_classes")
            .unwrap();
    }
    let file_len = std::fs::metadata(d.train()).unwrap().len();
    assert!(
        1_000_000 <= file_len * 1100,
        "the stored size alone passes ({file_len} bytes)"
    );
    let (e, msg) = load_err(&d);
    assert!(matches!(e, DataError::WrongShape { .. }), "{e:?}");
    assert!(
        msg.contains(&format!(
            "it declares 256000000 bytes of data but the file has only {file_len}"
        )),
        "{msg}"
    );
}

#[test]
fn missing_file() {
    let d = Dir::new();
    write(&d.test(), Split::Test, &good(2, 8, 8));
    let (e, msg) = load_err(&d);
    assert!(matches!(e, DataError::FileNotFound { .. }), "{e:?}");
    assert_eq!(msg, format!("{}: file not found", d.train().display()));
}

#[test]
fn not_hdf5_empty_and_truncated_files_are_errors_not_panics() {
    let d = Dir::new();
    write(&d.test(), Split::Test, &good(2, 8, 8));

    std::fs::write(d.train(), b"this is a text file, not HDF5\n").unwrap();
    let (e, msg) = load_err(&d);
    assert!(matches!(e, DataError::NotHdf5 { len: 30, .. }), "{e:?}");
    assert!(
        msg.starts_with(&format!(
            "{}: not a readable HDF5 file (30 bytes)",
            d.train().display()
        )),
        "{msg}"
    );

    std::fs::write(d.train(), b"").unwrap();
    let (e, msg) = load_err(&d);
    assert!(matches!(e, DataError::NotHdf5 { len: 0, .. }), "{e:?}");
    assert!(msg.contains("(0 bytes)"), "{msg}");

    // Truncate a valid file at several points: always an error, never a panic.
    let full_path = d.path.join("full.h5");
    write(&full_path, Split::Train, &good(20, 16, 16));
    let full = std::fs::read(&full_path).unwrap();
    for cut in [8, 100, 512, 2048, full.len() / 2, full.len() - 100] {
        std::fs::write(d.train(), &full[..cut]).unwrap();
        let e = CatDataset::<f64>::load(&d.path).unwrap_err();
        assert!(
            matches!(
                e,
                DataError::NotHdf5 { .. } | DataError::Hdf5 { .. } | DataError::MissingKey { .. }
            ),
            "cut at {cut}: {e:?}"
        );
        assert!(
            e.to_string().contains(&d.train().display().to_string()),
            "{e}"
        );
    }
}

#[test]
fn a_directory_instead_of_a_file() {
    let d = Dir::new();
    std::fs::create_dir(d.train()).unwrap();
    let (e, msg) = load_err(&d);
    assert!(matches!(e, DataError::Io { .. }), "{e:?}");
    assert!(msg.contains("not a regular file"), "{msg}");
}

#[test]
fn missing_keys() {
    let d = Dir::with_train(&Spec {
        y: None,
        ..good(4, 8, 8)
    });
    let (e, msg) = load_err(&d);
    assert!(matches!(e, DataError::MissingKey { .. }), "{e:?}");
    assert_eq!(
        msg,
        format!(
            "{}: missing key `train_set_y` (the file has: list_classes, train_set_x)",
            d.train().display()
        )
    );

    let d = Dir::with_train(&Spec {
        x: None,
        ..good(4, 8, 8)
    });
    let (_, msg) = load_err(&d);
    assert!(msg.contains("missing key `train_set_x`"), "{msg}");

    let d = Dir::with_train(&Spec {
        classes: false,
        ..good(4, 8, 8)
    });
    let (_, msg) = load_err(&d);
    assert!(msg.contains("missing key `list_classes`"), "{msg}");

    // A test file with train keys.
    let d = Dir::new();
    write(&d.train(), Split::Train, &good(4, 8, 8));
    write(&d.test(), Split::Train, &good(4, 8, 8));
    let (_, msg) = load_err(&d);
    assert_eq!(
        msg,
        format!(
            "{}: missing key `test_set_x` (the file has: list_classes, train_set_x, train_set_y)",
            d.test().display()
        )
    );
}

#[test]
fn wrong_rank_of_images() {
    let x = Array::from_shape_fn(IxDyn(&[4, 8, 24]), |_| 1u8);
    let d = Dir::with_train(&Spec {
        x: Some(x),
        ..good(4, 8, 8)
    });
    let (e, msg) = load_err(&d);
    assert!(
        matches!(
            e,
            DataError::WrongRank {
                found: 3,
                expected: 4,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        msg,
        format!(
            "{}: train_set_x has 3 dimensions [4, 8, 24], expected 4 ((images, height, width, 3))",
            d.train().display()
        )
    );
}

#[test]
fn wrong_shape_of_images() {
    let x = Array::from_shape_fn(IxDyn(&[4, 8, 8, 4]), |_| 1u8);
    let d = Dir::with_train(&Spec {
        x: Some(x),
        ..good(4, 8, 8)
    });
    let (e, msg) = load_err(&d);
    assert!(matches!(e, DataError::WrongShape { .. }), "{e:?}");
    assert_eq!(
        msg,
        format!(
            "{}: train_set_x has shape [4, 8, 8, 4]: expected 3 colour channels (RGB) in the last axis, found 4",
            d.train().display()
        )
    );

    let x = Array::from_shape_fn(IxDyn(&[0, 8, 8, 3]), |_| 1u8);
    let d = Dir::with_train(&Spec {
        x: Some(x),
        y: Some(ArrayD::zeros(IxDyn(&[0]))),
        ..good(4, 8, 8)
    });
    let (_, msg) = load_err(&d);
    assert!(
        msg.ends_with("train_set_x has shape [0, 8, 8, 3]: the file holds no images"),
        "{msg}"
    );
}

#[test]
fn wrong_dtype_of_images_and_labels() {
    let x = Array::from_shape_fn(IxDyn(&[4, 8, 8, 3]), |_| 0.5f64);
    let d = Dir::with_train(&Spec {
        x: None,
        x_f64: Some(x),
        ..good(4, 8, 8)
    });
    let (e, msg) = load_err(&d);
    assert!(matches!(e, DataError::WrongDtype { .. }), "{e:?}");
    assert_eq!(
        msg,
        format!(
            "{}: train_set_x has element type float64, expected uint8",
            d.train().display()
        )
    );

    let d = Dir::with_train(&Spec {
        y: None,
        y_f32: Some(Array1::zeros(4)),
        ..good(4, 8, 8)
    });
    let (_, msg) = load_err(&d);
    assert_eq!(
        msg,
        format!(
            "{}: train_set_y has element type float32, expected an integer type",
            d.train().display()
        )
    );
}

#[test]
fn labels_outside_zero_one() {
    let y = Array1::from(vec![0i64, 1, 2, 1, -1]).into_dyn();
    let d = Dir::with_train(&Spec {
        y: Some(y),
        ..good(5, 8, 8)
    });
    let (e, msg) = load_err(&d);
    assert!(
        matches!(
            e,
            DataError::BadLabel {
                index: 2,
                value: 2,
                count: 2,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        msg,
        format!(
            "{}: train_set_y[2] = 2, but labels must be 0 or 1 (2 bad labels in total)",
            d.train().display()
        )
    );
}

#[test]
fn labels_of_wrong_shape() {
    let y = Array2::<i64>::zeros((2, 2)).into_dyn();
    let d = Dir::with_train(&Spec {
        y: Some(y),
        ..good(4, 8, 8)
    });
    let (e, msg) = load_err(&d);
    assert!(matches!(e, DataError::WrongShape { .. }), "{e:?}");
    assert!(msg.contains("train_set_y has shape [2, 2]"), "{msg}");

    let y = ArrayD::<i64>::zeros(IxDyn(&[4, 1, 1]));
    let d = Dir::with_train(&Spec {
        y: Some(y),
        ..good(4, 8, 8)
    });
    let (e, _) = load_err(&d);
    assert!(
        matches!(
            e,
            DataError::WrongRank {
                found: 3,
                expected: 1,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn image_and_label_counts_differ() {
    let y = Array1::<i64>::zeros(209).into_dyn();
    let d = Dir::with_train(&Spec {
        y: Some(y),
        ..good(208, 4, 4)
    });
    // The test file is 8x8 but the count check comes first, per file.
    let (e, msg) = load_err(&d);
    assert!(
        matches!(
            e,
            DataError::CountMismatch {
                images: 208,
                labels: 209,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        msg,
        format!(
            "{}: train_set_x has 208 images but train_set_y has 209 labels",
            d.train().display()
        )
    );
}

#[test]
fn train_and_test_image_sizes_differ() {
    let d = Dir::new();
    write(&d.train(), Split::Train, &good(4, 8, 8));
    write(&d.test(), Split::Test, &good(2, 6, 7));
    let (e, msg) = load_err(&d);
    assert!(matches!(e, DataError::ImageSizeMismatch { .. }), "{e:?}");
    assert_eq!(
        msg,
        format!(
            "train images are 8x8x3 ({}) but test images are 6x7x3 ({})",
            d.train().display(),
            d.test().display()
        )
    );
}

#[test]
fn read_split_reads_one_file() {
    let d = Dir::with_train(&good(4, 8, 8));
    let raw = cat::read_split(d.train(), Split::Train).unwrap();
    assert_eq!(raw.images.dim(), (4, 8, 8, 3));
    assert_eq!(raw.labels.to_vec(), vec![0, 1, 0, 0]);
    // Reading the train file as the test split names the missing test key.
    let e = cat::read_split(d.train(), Split::Test).unwrap_err();
    assert!(e.to_string().contains("missing key `test_set_x`"), "{e}");
}

#[test]
fn locate_data_dir_finds_workspace_data_or_says_how_to_fetch() {
    let d = Dir::new();
    let data = d.path.join("data");
    std::fs::create_dir(&data).unwrap();
    write(
        &data.join(dnn_data::TRAIN_FILE),
        Split::Train,
        &good(2, 4, 4),
    );
    write(&data.join(dnn_data::TEST_FILE), Split::Test, &good(2, 4, 4));
    if std::env::var_os(dnn_data::DATA_DIR_ENV).is_none() {
        assert_eq!(dnn_data::locate_data_dir(&d.path).unwrap(), data);
        let empty = Dir::new();
        let msg = dnn_data::locate_data_dir(&empty.path)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("run `cargo xtask fetch-data`"), "{msg}");
        assert!(
            msg.contains(&empty.path.join("data").display().to_string()),
            "{msg}"
        );
    } else {
        // $DNN_DATA_DIR is searched first; it must be the one found if it holds the files.
        assert!(dnn_data::locate_data_dir(&d.path).is_ok());
    }
}
