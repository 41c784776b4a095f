//! The 64x64 "cat vs non-cat" HDF5 data set of the exercise.
//!
//! Two files, [`TRAIN_FILE`] and [`TEST_FILE`], each with three data sets:
//! `{train,test}_set_x` (uint8, shape `(m, 64, 64, 3)`), `{train,test}_set_y`
//! (integers, shape `(m,)`) and `list_classes` (byte strings, `[b"non-cat", b"cat"]`).
//!
//! [`CatDataset::load`] reads both, checks everything (see [`DataError`]), and
//! flattens the images exactly as numpy's `x.reshape(m, -1).T / 255` does: `X` has
//! shape `(64*64*3, m)`, one column per example, and the feature index of pixel
//! `(row, col)`, channel `ch` is `(row * 64 + col) * 3 + ch`.

use std::path::{Path, PathBuf};

use dnn_core::Float;
use hdf5::types::{FixedAscii, FixedUnicode, IntSize, TypeDescriptor, VarLenAscii, VarLenUnicode};
use ndarray::{Array1, Array2, Array4, ArrayView1, ArrayView4, Ix4, ShapeBuilder};

use crate::error::{DataError, Result};
use crate::model::NAME_CAPACITY;

/// File name of the training set.
pub const TRAIN_FILE: &str = "train_catvnoncat.h5";
/// File name of the test set.
pub const TEST_FILE: &str = "test_catvnoncat.h5";
/// Environment variable naming a directory that holds [`TRAIN_FILE`] and [`TEST_FILE`].
pub const DATA_DIR_ENV: &str = "DNN_DATA_DIR";

/// Largest image tensor (in bytes) a file may declare; anything larger is refused
/// before any memory is allocated for it (the real training set is 2.5 MB).
pub const MAX_IMAGE_BYTES: u64 = 1 << 32;

/// No HDF5 filter compresses better than about 1000:1 (deflate's limit is 1032:1), so a
/// data set that declares more than this many times its file's size in bytes cannot be
/// stored in that file: the file is damaged (or crafted), and reading it would only
/// try to allocate the declared size.
pub(crate) const MAX_EXPANSION: u64 = 1100;

/// Checks that a data set of `shape` with elements of `elem_size` bytes can fit in a file
/// of `file_len` bytes; the error says what was declared.
pub(crate) fn check_declared_size(
    file_len: u64,
    shape: &[usize],
    elem_size: usize,
) -> std::result::Result<(), String> {
    let declared = shape
        .iter()
        .try_fold(elem_size as u64, |acc, &d| acc.checked_mul(d as u64));
    match declared {
        Some(bytes) if bytes <= file_len.saturating_mul(MAX_EXPANSION) => Ok(()),
        Some(bytes) => Err(format!(
            "it declares {bytes} bytes of data but the file has only {file_len}: the file is damaged"
        )),
        None => Err("its declared size overflows: the file is damaged".to_owned()),
    }
}

/// Bytes per element once read: the stored size, or that of the wider type this module reads
/// it into (labels as `i64`, class names as 256-byte strings), whichever is larger. A file
/// can declare a data set it does not store (HDF5 reads fill values), so the budget of
/// [`check_declared_size`] has to hold for what reading it allocates: a 230 KB file with
/// 250 million one-byte class names declared passed on its stored size, and reading them as
/// `FixedAscii<256>` asked for 64 GB.
fn read_size(desc: &TypeDescriptor, stored: usize) -> usize {
    let read = match desc {
        TypeDescriptor::FixedAscii(_) | TypeDescriptor::FixedUnicode(_) => NAME_CAPACITY,
        TypeDescriptor::VarLenAscii | TypeDescriptor::VarLenUnicode => 16,
        _ => std::mem::size_of::<i64>(),
    };
    stored.max(read)
}

/// Which half of the data set a file holds; it decides the key names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    /// `train_catvnoncat.h5`: `train_set_x`, `train_set_y`.
    Train,
    /// `test_catvnoncat.h5`: `test_set_x`, `test_set_y`.
    Test,
}

impl Split {
    /// The conventional file name of this split ([`TRAIN_FILE`] or [`TEST_FILE`]).
    pub fn file_name(self) -> &'static str {
        match self {
            Split::Train => TRAIN_FILE,
            Split::Test => TEST_FILE,
        }
    }

    /// The key of the images: `train_set_x` or `test_set_x`.
    pub fn x_key(self) -> &'static str {
        match self {
            Split::Train => "train_set_x",
            Split::Test => "test_set_x",
        }
    }

    /// The key of the labels: `train_set_y` or `test_set_y`.
    pub fn y_key(self) -> &'static str {
        match self {
            Split::Train => "train_set_y",
            Split::Test => "test_set_y",
        }
    }

    /// The key of the class names, `list_classes` (the same in both files).
    pub fn classes_key(self) -> &'static str {
        "list_classes"
    }
}

/// One file of the data set as stored: raw images, labels and class names, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct RawSplit {
    /// The images, shape `(m, height, width, 3)`, row-major, RGB.
    pub images: Array4<u8>,
    /// The labels, each 0 (non-cat) or 1 (cat), length `m`.
    pub labels: Array1<u8>,
    /// The class names, e.g. `["non-cat", "cat"]`.
    pub classes: Vec<String>,
}

/// The whole cat data set, flattened and scaled to `[0, 1]`, ready for training.
///
/// `A` is the float type of the matrices ([`dnn_core::Float`]: `f64`, the default, equals
/// numpy's `x / 255` bit for bit; `f32` holds the same quotient rounded to `f32`).
#[derive(Clone, Debug, PartialEq)]
pub struct CatDataset<A = f64> {
    /// Training inputs, shape `(height*width*3, m_train)` = `(12288, 209)`, values in `[0, 1]`.
    pub train_x: Array2<A>,
    /// Training labels, shape `(1, m_train)`, values 0.0 or 1.0.
    pub train_y: Array2<A>,
    /// Test inputs, shape `(height*width*3, m_test)` = `(12288, 50)`.
    pub test_x: Array2<A>,
    /// Test labels, shape `(1, m_test)`.
    pub test_y: Array2<A>,
    /// Class names from the training file's `list_classes`: index 0 is `non-cat`, 1 is `cat`.
    pub classes: Vec<String>,
    /// The raw training images `(m_train, height, width, 3)`, kept for display.
    pub train_images: Array4<u8>,
    /// The raw test images `(m_test, height, width, 3)`, kept for display.
    pub test_images: Array4<u8>,
}

impl<A: Float> CatDataset<A> {
    /// Loads [`TRAIN_FILE`] and [`TEST_FILE`] from directory `dir`.
    ///
    /// # Errors
    /// Any [`DataError`] about either file (missing, not HDF5, missing key, wrong
    /// rank, shape or type, bad label, count mismatch), or
    /// [`DataError::ImageSizeMismatch`] if the two files' images differ in size.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        Self::from_files(dir.join(TRAIN_FILE), dir.join(TEST_FILE))
    }

    /// Loads the training and test sets from two explicitly named files.
    ///
    /// # Errors
    /// As [`CatDataset::load`].
    pub fn from_files(train: impl AsRef<Path>, test: impl AsRef<Path>) -> Result<Self> {
        let (train, test) = (train.as_ref(), test.as_ref());
        let tr = read_split(train, Split::Train)?;
        let te = read_split(test, Split::Test)?;
        let (ts, es) = (image_shape(&tr.images), image_shape(&te.images));
        if ts != es {
            return Err(DataError::ImageSizeMismatch {
                train_path: train.to_path_buf(),
                train_shape: ts,
                test_path: test.to_path_buf(),
                test_shape: es,
            });
        }
        Ok(CatDataset {
            train_x: flatten_images(tr.images.view()),
            train_y: labels_row(tr.labels.view()),
            test_x: flatten_images(te.images.view()),
            test_y: labels_row(te.labels.view()),
            classes: tr.classes,
            train_images: tr.images,
            test_images: te.images,
        })
    }
}

impl<A> CatDataset<A> {
    /// Number of training examples (209 for the real data).
    pub fn train_len(&self) -> usize {
        self.train_images.shape()[0]
    }

    /// Number of test examples (50 for the real data).
    pub fn test_len(&self) -> usize {
        self.test_images.shape()[0]
    }

    /// `[height, width, channels]` of every image (`[64, 64, 3]` for the real data).
    pub fn image_shape(&self) -> [usize; 3] {
        image_shape(&self.train_images)
    }

    /// The class name of label `label` (0 or 1), if the file listed it.
    pub fn class_name(&self, label: usize) -> Option<&str> {
        self.classes.get(label).map(String::as_str)
    }
}

/// Same as [`CatDataset::load`], with the float type as a turbofish:
/// `load_cat_dataset::<f64>("data")`.
///
/// # Errors
/// As [`CatDataset::load`].
pub fn load_cat_dataset<A: Float>(dir: impl AsRef<Path>) -> Result<CatDataset<A>> {
    CatDataset::load(dir)
}

fn image_shape(images: &Array4<u8>) -> [usize; 3] {
    let s = images.shape();
    [s[1], s[2], s[3]]
}

/// Flattens images `(m, h, w, c)` into `(h*w*c, m)` and divides by 255, like numpy's
/// `images.reshape(m, -1).T / 255`.
///
/// Column `j` is example `j`; row `(row * w + col) * c + channel`. The result is
/// example-major, as numpy's transposed view is: each column contiguous
/// ([`crate::example_major`]).
///
/// ```
/// let images = ndarray::Array4::from_shape_fn((2, 1, 2, 3), |(j, _, col, ch)| {
///     (100 * j + 10 * col + ch) as u8
/// });
/// let x = dnn_data::flatten_images::<f64>(images.view());
/// assert_eq!(x.dim(), (6, 2));
/// assert_eq!(x[[3 + 2, 1]], 112.0 / 255.0);
/// assert!(x.t().is_standard_layout());
/// ```
pub fn flatten_images<A: Float>(images: ArrayView4<'_, u8>) -> Array2<A> {
    let m = images.shape()[0];
    let n: usize = images.shape()[1..].iter().product();
    // In standard layout, the bytes run example by example: each column's in turn.
    let values = images
        .as_standard_layout()
        .iter()
        .map(|&v| A::of(f64::from(v) / 255.0))
        .collect();
    Array2::from_shape_vec((n, m).f(), values)
        .unwrap_or_else(|_| unreachable!("{m} pictures of {n} values"))
}

/// Turns labels into the row vector `(1, m)` of 0.0 / 1.0 the models expect.
pub fn labels_row<A: Float>(labels: ArrayView1<'_, u8>) -> Array2<A> {
    let m = labels.len();
    Array2::from_shape_fn((1, m), |(_, j)| A::of(f64::from(labels[j])))
}

/// Finds the directory that holds both cat data files.
///
/// Searched in order: `$DNN_DATA_DIR` (if set), `<workspace_root>/data`, then
/// `<workspace_root>/../shared/data`.
///
/// # Errors
/// [`DataError::DataNotFound`], listing the directories searched and telling to run
/// `cargo xtask fetch-data`.
pub fn locate_data_dir(workspace_root: impl AsRef<Path>) -> Result<PathBuf> {
    let root = workspace_root.as_ref();
    let mut searched = Vec::new();
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV) {
        searched.push(PathBuf::from(dir));
    }
    searched.push(root.join("data"));
    searched.push(root.join("..").join("shared").join("data"));
    if let Some(dir) = searched
        .iter()
        .find(|d| d.join(TRAIN_FILE).is_file() && d.join(TEST_FILE).is_file())
    {
        return Ok(dir.clone());
    }
    Err(DataError::DataNotFound {
        files: vec![TRAIN_FILE.to_owned(), TEST_FILE.to_owned()],
        searched,
    })
}

/// Reads and validates one file of the data set.
///
/// # Errors
/// [`DataError::FileNotFound`], [`DataError::Io`], [`DataError::NotHdf5`],
/// [`DataError::MissingKey`], [`DataError::WrongRank`], [`DataError::WrongShape`],
/// [`DataError::WrongDtype`], [`DataError::BadLabel`], [`DataError::CountMismatch`],
/// [`DataError::Hdf5`].
pub fn read_split(path: impl AsRef<Path>, split: Split) -> Result<RawSplit> {
    let path = path.as_ref();
    let file = open_h5(path)?;
    let ctx = Ctx { file: &file, path };

    let images = ctx.read_images(split.x_key())?;
    let labels = ctx.read_labels(split.y_key())?;
    let classes = ctx.read_classes(split.classes_key())?;

    let (n_images, n_labels) = (images.shape()[0], labels.len());
    if n_images != n_labels {
        return Err(DataError::CountMismatch {
            path: path.to_path_buf(),
            x_key: split.x_key().to_owned(),
            images: n_images,
            y_key: split.y_key().to_owned(),
            labels: n_labels,
        });
    }
    Ok(RawSplit {
        images,
        labels,
        classes,
    })
}

pub(crate) fn open_h5(path: &Path) -> Result<hdf5::File> {
    // hdf5-metno silences the C library's error stack on first use already; say so
    // explicitly so that a bad file never prints HDF5-DIAG noise to stderr.
    hdf5::silence_errors(true);
    let meta = crate::error::regular_file(path)?;
    // Surface permission problems as I/O errors rather than as "not HDF5".
    std::fs::File::open(path).map_err(|e| DataError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    // Read-only, without HDF5's advisory file lock: nothing here ever writes these files, and a
    // lock held by someone else made reads fail ("unable to lock file, errno = 11"). Seen in CI:
    // a test wrote a fixture while another thread spawned a long-running dnn, which inherited
    // the writer's descriptor (HDF5 does not open with O_CLOEXEC) and with it the lock.
    hdf5::File::with_options()
        .with_fapl(|p| p.file_locking(false))
        .open(path)
        .map_err(|e| DataError::NotHdf5 {
            path: path.to_path_buf(),
            len: meta.len(),
            message: e.to_string(),
        })
}

/// An open HDF5 data file and its path, for messages that name both.
pub(crate) struct Ctx<'a> {
    pub(crate) file: &'a hdf5::File,
    pub(crate) path: &'a Path,
}

impl Ctx<'_> {
    fn hdf5_err(&self, key: &str, e: impl std::fmt::Display) -> DataError {
        DataError::Hdf5 {
            path: self.path.to_path_buf(),
            key: key.to_owned(),
            message: e.to_string(),
        }
    }

    fn dataset(&self, key: &str) -> Result<(hdf5::Dataset, TypeDescriptor, Vec<usize>)> {
        if !self.file.link_exists(key) {
            return Err(DataError::MissingKey {
                path: self.path.to_path_buf(),
                key: key.to_owned(),
                available: self.file.member_names().unwrap_or_default(),
            });
        }
        let ds = self.file.dataset(key).map_err(|e| self.hdf5_err(key, e))?;
        let dtype = ds.dtype().map_err(|e| self.hdf5_err(key, e))?;
        let desc = dtype.to_descriptor().map_err(|e| DataError::WrongDtype {
            path: self.path.to_path_buf(),
            key: key.to_owned(),
            expected: "a numeric or string type",
            found: format!("an unsupported HDF5 type ({e})"),
        })?;
        let shape = ds.get_shape().map_err(|e| self.hdf5_err(key, e))?;
        let file_len = std::fs::metadata(self.path).map_or(0, |m| m.len());
        check_declared_size(file_len, &shape, read_size(&desc, dtype.size()))
            .map_err(|problem| self.wrong_shape(key, &shape, problem))?;
        Ok((ds, desc, shape))
    }

    fn wrong_dtype(&self, key: &str, expected: &'static str, found: &TypeDescriptor) -> DataError {
        DataError::WrongDtype {
            path: self.path.to_path_buf(),
            key: key.to_owned(),
            expected,
            found: found.to_string(),
        }
    }

    fn wrong_shape(&self, key: &str, shape: &[usize], problem: String) -> DataError {
        DataError::WrongShape {
            path: self.path.to_path_buf(),
            key: key.to_owned(),
            shape: shape.to_vec(),
            problem,
        }
    }

    fn read_images(&self, key: &str) -> Result<Array4<u8>> {
        self.read_pictures(key, true)
    }

    /// `(m, height, width, channels)` uint8 pictures; `rgb`: exactly 3 channels (else any).
    pub(crate) fn read_pictures(&self, key: &str, rgb: bool) -> Result<Array4<u8>> {
        let (ds, desc, shape) = self.dataset(key)?;
        if shape.len() != 4 {
            return Err(DataError::WrongRank {
                path: self.path.to_path_buf(),
                key: key.to_owned(),
                expected: 4,
                found: shape.len(),
                shape,
                what: "(images, height, width, 3)",
            });
        }
        if desc != TypeDescriptor::Unsigned(IntSize::U1) {
            return Err(self.wrong_dtype(key, "uint8", &desc));
        }
        let (m, h, w, c) = (shape[0], shape[1], shape[2], shape[3]);
        if rgb && c != 3 || c == 0 {
            return Err(self.wrong_shape(
                key,
                &shape,
                format!("expected 3 colour channels (RGB) in the last axis, found {c}"),
            ));
        }
        if m == 0 {
            return Err(self.wrong_shape(key, &shape, "the file holds no images".to_owned()));
        }
        if h == 0 || w == 0 {
            return Err(self.wrong_shape(
                key,
                &shape,
                format!("images of {h}x{w} pixels have no pixels"),
            ));
        }
        let bytes = shape
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64));
        match bytes {
            Some(b) if b <= MAX_IMAGE_BYTES => {}
            _ => {
                return Err(self.wrong_shape(
                    key,
                    &shape,
                    format!("more than the {MAX_IMAGE_BYTES} bytes this loader accepts"),
                ))
            }
        }
        ds.read::<u8, Ix4>().map_err(|e| self.hdf5_err(key, e))
    }

    fn read_labels(&self, key: &str) -> Result<Array1<u8>> {
        let raw = self.read_label_values(key)?;
        let bad: Vec<(usize, i64)> = raw
            .iter()
            .copied()
            .enumerate()
            .filter(|&(_, v)| v != 0 && v != 1)
            .collect();
        if let Some(&(index, value)) = bad.first() {
            return Err(DataError::BadLabel {
                path: self.path.to_path_buf(),
                key: key.to_owned(),
                index,
                value,
                count: bad.len(),
            });
        }
        Ok(raw.into_iter().map(|v| u8::from(v == 1)).collect())
    }

    /// The integer labels of `key`, shape `(m,)`, `(1, m)` or `(m, 1)`, as they are.
    pub(crate) fn read_label_values(&self, key: &str) -> Result<Vec<i64>> {
        let (ds, desc, shape) = self.dataset(key)?;
        let ok_shape = matches!(shape.as_slice(), [_] | [1, _] | [_, 1]);
        if !ok_shape {
            return Err(if shape.len() > 2 || shape.is_empty() {
                DataError::WrongRank {
                    path: self.path.to_path_buf(),
                    key: key.to_owned(),
                    expected: 1,
                    found: shape.len(),
                    shape,
                    what: "(labels,) or (1, labels)",
                }
            } else {
                self.wrong_shape(
                    key,
                    &shape,
                    "labels must be a vector: (m,), (1, m) or (m, 1)".to_owned(),
                )
            });
        }
        if !matches!(
            desc,
            TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_)
        ) {
            return Err(self.wrong_dtype(key, "an integer type", &desc));
        }
        ds.read_raw::<i64>().map_err(|e| self.hdf5_err(key, e))
    }

    /// Class names stored as strings, or as integers (the SIGNS set's `list_classes` is
    /// `[0, 1, 2, 3, 4, 5]`), which become their decimal text.
    pub(crate) fn read_class_names(&self, key: &str) -> Result<Vec<String>> {
        let (ds, desc, shape) = self.dataset(key)?;
        if matches!(
            desc,
            TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_)
        ) && shape.len() == 1
        {
            let raw: Vec<i64> = ds.read_raw::<i64>().map_err(|e| self.hdf5_err(key, e))?;
            return Ok(raw.iter().map(i64::to_string).collect());
        }
        self.read_classes(key)
    }

    fn read_classes(&self, key: &str) -> Result<Vec<String>> {
        let (ds, desc, shape) = self.dataset(key)?;
        if shape.len() != 1 {
            return Err(DataError::WrongRank {
                path: self.path.to_path_buf(),
                key: key.to_owned(),
                expected: 1,
                found: shape.len(),
                shape,
                what: "(classes,)",
            });
        }
        let strings: Vec<String> = match desc {
            TypeDescriptor::FixedUnicode(n) if n <= NAME_CAPACITY => ds
                .read_raw::<FixedUnicode<NAME_CAPACITY>>()
                .map_err(|e| self.hdf5_err(key, e))?
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            TypeDescriptor::FixedAscii(n) if n <= NAME_CAPACITY => ds
                .read_raw::<FixedAscii<NAME_CAPACITY>>()
                .map_err(|e| self.hdf5_err(key, e))?
                .iter()
                .map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned())
                .collect(),
            TypeDescriptor::VarLenAscii => ds
                .read_raw::<VarLenAscii>()
                .map_err(|e| self.hdf5_err(key, e))?
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            TypeDescriptor::VarLenUnicode => ds
                .read_raw::<VarLenUnicode>()
                .map_err(|e| self.hdf5_err(key, e))?
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            other => return Err(self.wrong_dtype(key, "strings (of at most 256 bytes)", &other)),
        };
        Ok(strings
            .into_iter()
            .map(|s| s.trim_end_matches(['\0', ' ']).to_owned())
            .collect())
    }
}
