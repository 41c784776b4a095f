//! Any data set laid out as the course's HDF5 files: a directory with one `train_*.h5`
//! (`train_set_x` `(m, h, w, c)` uint8, `train_set_y` `(m,)` or `(1, m)` integers) and one
//! `test_*.h5` (`test_set_x`, `test_set_y`), and optionally `list_classes` (strings, or
//! integers such as the SIGNS set's `[0, 1, 2, 3, 4, 5]`) in the training file.
//!
//! Labels index `list_classes` when the file has it; without it the classes are the sorted
//! label values. The cat set (`data/`) is the case of two classes and 64x64x3 pictures, and
//! reads bit for bit as [`crate::CatDataset`] reads it.

use dnn_core::Float;
use std::path::{Path, PathBuf};

use ndarray::{Array4, ArrayView2};

use crate::cat::{open_h5, Ctx, Split};
use crate::classes::{self, ClassChoice};
use crate::dataset::{DataSpec, Dataset, Format, Input, LoadOptions, Rows, Source};
use crate::error::{DataError, Result};

/// The `train_*.h5` and `test_*.h5` files of `dir`, when it has exactly one of each.
pub fn find_pair(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let (train, test) = candidates(dir);
    match (train.as_slice(), test.as_slice()) {
        ([a], [b]) => Some((a.clone(), b.clone())),
        _ => None,
    }
}

/// Whether `dir` is meant as a course set: it has its one pair ([`find_pair`]), or it has
/// `train_*.h5` or `test_*.h5` files and no folder (so no class folders of pictures), where
/// reading it as a course set says what is amiss (two training files, a test file missing)
/// rather than that an image folder has no class folders.
pub(crate) fn looks_like(dir: &Path) -> bool {
    if find_pair(dir).is_some() {
        return true;
    }
    let (train, test) = candidates(dir);
    let has_folder = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| e.path().is_dir());
    let has_course_files = !(train.is_empty() && test.is_empty());
    has_course_files && !has_folder
}

/// Every `train_*.h5` and `test_*.h5` in `dir`, sorted.
fn candidates(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut train = Vec::new();
    let mut test = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".h5") || !entry.path().is_file() {
            continue;
        }
        if name.starts_with("train_") {
            train.push(entry.path());
        } else if name.starts_with("test_") {
            test.push(entry.path());
        }
    }
    train.sort();
    test.sort();
    (train, test)
}

struct Part {
    images: Array4<u8>,
    labels: Vec<i64>,
    path: PathBuf,
}

fn read_part(path: &Path, split: Split) -> Result<(Part, Option<Vec<String>>)> {
    let file = open_h5(path)?;
    let ctx = Ctx { file: &file, path };
    let images = ctx.read_pictures(split.x_key(), false)?;
    let labels = ctx.read_label_values(split.y_key())?;
    if images.shape()[0] != labels.len() {
        return Err(DataError::CountMismatch {
            path: path.to_path_buf(),
            x_key: split.x_key().to_owned(),
            images: images.shape()[0],
            y_key: split.y_key().to_owned(),
            labels: labels.len(),
        });
    }
    let classes = if file.link_exists(split.classes_key()) {
        Some(ctx.read_class_names(split.classes_key())?)
    } else {
        None
    };
    Ok((
        Part {
            images,
            labels,
            path: path.to_path_buf(),
        },
        classes,
    ))
}

/// Loads the course-style set in directory `dir`.
///
/// # Errors
/// [`DataError::FileNotFound`] if `dir` does not exist; [`DataError::BadSource`] unless it
/// holds exactly one `train_*.h5` and one `test_*.h5`;
/// every error of the HDF5 readers ([`crate::read_split`]); [`DataError::ImageSizeMismatch`];
/// [`DataError::BadLabel`] for a label outside `list_classes`; the class errors.
pub fn load<X: Float>(dir: &Path, options: &LoadOptions) -> Result<Dataset<X>> {
    // Not "it has train files: none" for a folder that is not there at all.
    if !dir.exists() {
        return Err(DataError::FileNotFound {
            path: dir.to_path_buf(),
        });
    }
    let (train_files, test_files) = candidates(dir);
    let (train_path, test_path) = match (train_files.as_slice(), test_files.as_slice()) {
        ([a], [b]) => (a.clone(), b.clone()),
        _ => {
            let list = |v: &[PathBuf]| {
                if v.is_empty() {
                    "none".to_owned()
                } else {
                    v.iter()
                        .map(|p| p.file_name().unwrap_or_default().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            return Err(DataError::BadSource {
                path: dir.to_path_buf(),
                problem: format!(
                    "a course HDF5 set is a directory with exactly one train_*.h5 and one test_*.h5 file; it has train files: {}; test files: {}",
                    list(&train_files),
                    list(&test_files)
                ),
            });
        }
    };
    let sha256 = crate::fingerprint::files_sha256(dir, &[&train_path, &test_path])?;
    let (train, listed) = read_part(&train_path, Split::Train)?;
    let (test, _) = read_part(&test_path, Split::Test)?;
    let shape = |p: &Part| {
        let s = p.images.shape();
        [s[1], s[2], s[3]]
    };
    if shape(&train) != shape(&test) {
        return Err(DataError::ImageSizeMismatch {
            train_path: train_path.clone(),
            train_shape: shape(&train),
            test_path: test_path.clone(),
            test_shape: shape(&test),
        });
    }
    // Natural classes: list_classes (labels index it), else the sorted label values.
    let natural: Vec<String> = match &listed {
        Some(names) => names.clone(),
        None => {
            let mut values: Vec<i64> = train.labels.iter().chain(&test.labels).copied().collect();
            values.sort_unstable();
            values.dedup();
            values.iter().map(i64::to_string).collect()
        }
    };
    let index = |part: &Part, key: &str| -> Result<Vec<usize>> {
        let position = |v: i64| match &listed {
            Some(names) => usize::try_from(v).ok().filter(|&i| i < names.len()),
            None => natural.iter().position(|n| *n == v.to_string()),
        };
        let bad: Vec<(usize, i64)> = part
            .labels
            .iter()
            .enumerate()
            .filter(|(_, &v)| position(v).is_none())
            .map(|(i, &v)| (i, v))
            .collect();
        if let Some(&(i, v)) = bad.first() {
            return Err(DataError::BadSource {
                path: part.path.clone(),
                problem: format!(
                    "{key}[{i}] = {v}, but list_classes has {} classes (labels 0 to {}); {} bad labels in total",
                    natural.len(),
                    natural.len().saturating_sub(1),
                    bad.len()
                ),
            });
        }
        Ok(part
            .labels
            .iter()
            .map(|&v| position(v).unwrap_or_default())
            .collect())
    };
    let mut train_labels = index(&train, Split::Train.y_key())?;
    let mut test_labels = index(&test, Split::Test.y_key())?;
    let seen = classes::seen(natural.len(), &[&train_labels, &test_labels]);
    let (names, map) = classes::resolve(dir, &natural, &seen, &options.classes)?;
    classes::remap(&mut train_labels, &map);
    classes::remap(&mut test_labels, &map);
    if !matches!(options.classes, ClassChoice::Among(_)) {
        classes::require_two(&train_path, &names, &train_labels)?;
    }
    let [height, width, channels] = shape(&train);
    let flat = |images: &Array4<u8>| -> Array2Result<X> {
        let m = images.shape()[0];
        let rows: ArrayView2<'_, u8> = images
            .view()
            .into_shape_with_order((m, height * width * channels))
            .map_err(|e| e.to_string())?;
        let all: Vec<usize> = (0..m).collect();
        Rows::Bytes(rows).columns(&all)
    };
    let bad_layout = |path: &Path, message: String| DataError::BadSource {
        path: path.to_path_buf(),
        problem: message,
    };
    let train_x = flat(&train.images).map_err(|e| bad_layout(&train_path, e))?;
    let test_x = flat(&test.images).map_err(|e| bad_layout(&test_path, e))?;
    Ok(Dataset {
        train_x,
        train_labels,
        train_values: Vec::new(),
        test_x,
        test_labels,
        test_values: Vec::new(),
        spec: DataSpec {
            ranges: None,
            classes: names,
            regression: None,
            input: Input::Picture {
                height,
                width,
                channels,
            },
            standardization: None,
        },
        source: Source {
            format: Format::CourseH5,
            path: dir.to_path_buf(),
            split: None,
            skipped_files: 0,
            unread: Vec::new(),
            unseen: Vec::new(),
            text_counts: Vec::new(),
            numeric_inputs: false,
            whole: options.parts.whole_for(&sha256),
            left_out_columns: Vec::new(),
            image_csv: None,
            sha256: Some(sha256),
            table_warnings: Vec::new(),
            decimal_comma: false,
            parse_numbers: false,
            groups: None,
        },
        train_images: Some(train.images),
        test_images: Some(test.images),
    })
}

type Array2Result<X> = std::result::Result<ndarray::Array2<X>, String>;
