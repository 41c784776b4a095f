//! A CSV table that lists pictures, as Kaggle's sets and fastai's `ImageDataLoaders.from_csv`
//! or Keras' `flow_from_dataframe` lay them out: one column names each example's picture
//! file (`photos/0a1b.jpg`), another holds its class or a number to predict (a regression:
//! an age, a count, a score).
//!
//! ```text
//! file,label                file,age
//! cats/001.jpg,cat          faces/a.png,31
//! dogs/017.jpg,dog          faces/b.png,54.5
//! ```
//!
//! - The picture column is the first whose first data cell ends in `.png`, `.jpg` or
//!   `.jpeg` (any case) ([`crate::table::picture_column`]); every one of its cells must name
//!   such a file. A relative name is taken from the table's own folder, wherever the command
//!   runs, so a table and its pictures move together.
//! - The target is `--target NAME` ([`LoadOptions::target`]), by default the last column
//!   that is not the picture column, and is read as a table's target is
//!   ([`crate::table`], [`crate::target`]): classes (sorted, or [`LoadOptions::classes`]),
//!   or numbers to predict, by the same rule and [`LoadOptions::task`]. Other columns are
//!   not read ([`Source::left_out_columns`]).
//! - The pictures are read as an image folder's are ([`crate::folder`]): decoded on every
//!   core, made RGB, turned as their EXIF orientation says, resized to
//!   [`LoadOptions::picture_size`], flattened as the cat set is and divided by 255. Listed in
//!   the folder's order with the folder's classes, they make the same data set, split alike.
//! - A picture listed twice is refused, naming both rows: it could land in both parts. A
//!   missing picture names its row and where it was looked for.
//! - The table has no test part: one is split off, stratified for classes and shuffled for
//!   numbers ([`crate::split`]). The SHA-256 ([`Source::sha256`]) covers the table and every
//!   picture it lists.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dnn_core::Float;

use crate::dataset::{
    split_or_keep, split_values, DataSpec, Dataset, Format, Input, LoadOptions, Source,
};
use crate::error::{DataError, Result};
use crate::folder::{picture_parts, PictureParts};
use crate::table::{
    class_labels, first_row, picture_column, picture_column_of, read_table, regression_values,
};

/// The columns an image CSV was read from ([`Source::image_csv`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    /// The column naming each example's picture file.
    pub pictures: String,
    /// The column of their classes, or of the numbers to predict.
    pub target: String,
}

/// Loads the image CSV at `path` (see the [module docs](self)).
///
/// # Errors
/// [`DataError::BadSource`] for a table without a picture column, table-only options (a
/// model's columns, dropped or one-hot columns, filling missing numbers) or a picture listed
/// twice; [`DataError::BadCell`] for a picture that is not there or a cell that names none;
/// every error of reading the table's target ([`crate::table`]) and of decoding a picture
/// (naming its file); [`DataError::BadSplit`].
pub fn load<X: Float>(path: &Path, options: &LoadOptions) -> Result<Dataset<X>> {
    let bad = |problem: String| DataError::BadSource {
        path: path.to_path_buf(),
        problem,
    };
    let table_options = [
        ("its columns are a model's", options.columns.is_some()),
        ("--drop", !options.drop_columns.is_empty()),
        ("--one-hot", !options.one_hot_columns.is_empty()),
        ("--fill-missing", options.fill_missing.is_some()),
    ];
    if let Some((what, _)) = table_options.iter().find(|(_, given)| *given) {
        return Err(bad(format!(
            "is read as an image CSV, whose inputs are the pictures it lists, but {what} \
             (a table's inputs); give --format csv to read it as a table"
        )));
    }
    // The header and first row, read once: the picture column and the default target.
    let (header, first) = first_row(path).unwrap_or_default();
    let Some(column) = picture_column_of(&header, &first) else {
        return Err(bad(
            "has no column of picture file names (its first row's cell ending in .png, .jpg \
             or .jpeg), so it cannot be read as an image CSV; give --format csv to read it as \
             a table"
                .into(),
        ));
    };
    let (height, width) = options.picture_size;
    crate::image::check_size(path, width, height)?;
    let target = options
        .target
        .clone()
        // The last column but the pictures' (none when the header cannot be read, which
        // reading the table then says).
        .or_else(|| header.iter().rfind(|name| **name != column).cloned());
    let table = read_table(
        path,
        crate::table::Columns {
            target: target.as_deref(),
            labels_required: true,
            features: Some(&[]),
            pictures: Some(&column),
            ..crate::table::Columns::default()
        },
    )?;
    let files = picture_files(path, &column, &table.pictures, Twice::Refused)?;
    let values = regression_values(path, &table, options.task)?;
    let target = table.target.clone().unwrap_or_default();
    crate::folder::check_pictures_fit(path, files.len(), height, width)?;
    let mut listed: Vec<PathBuf> = vec![path.to_path_buf()];
    listed.extend(files.iter().cloned());
    let root = path.parent().unwrap_or(Path::new(""));
    let sha256 = crate::fingerprint::files_sha256(root, &listed)?;
    let options = &options.resolved(&sha256);
    let (names, labels, (train_idx, test_idx, split), regression) = match &values {
        Some(values) => {
            let (indices, scale) = split_values(path, values, options, &target)?;
            (Vec::new(), Vec::new(), indices, Some(scale))
        }
        None => {
            let (names, labels) = class_labels(path, &table, options)?;
            let indices = split_or_keep(path, &labels, names.len(), options)?;
            (names, labels, indices, None)
        }
    };
    // A data set holds labels or values, as its spec says, never both.
    let pick_labels = |idx: &[usize]| match &values {
        Some(_) => Vec::new(),
        None => idx.iter().map(|&j| labels[j]).collect(),
    };
    let pick_values = |idx: &[usize]| match &values {
        Some(v) => idx.iter().map(|&j| v[j]).collect(),
        None => Vec::new(),
    };
    let images = crate::folder::decode_all(&files, height, width)?;
    let (h, w) = (height as usize, width as usize);
    let PictureParts {
        train_x,
        test_x,
        train_images,
        test_images,
    } = picture_parts(path, images, &train_idx, &test_idx)?;
    Ok(Dataset {
        train_x,
        train_labels: pick_labels(&train_idx),
        train_values: pick_values(&train_idx),
        test_x,
        test_labels: pick_labels(&test_idx),
        test_values: pick_values(&test_idx),
        spec: DataSpec {
            classes: names,
            regression,
            input: Input::Picture {
                height: h,
                width: w,
                channels: 3,
            },
            standardization: None,
        },
        source: Source {
            format: Format::ImageCsv,
            path: path.to_path_buf(),
            split,
            skipped_files: 0,
            unread: Vec::new(),
            unseen: Vec::new(),
            text_counts: Vec::new(),
            numeric_inputs: false,
            sha256: Some(sha256),
            whole: options.whole(),
            left_out_columns: table.left_out,
            image_csv: Some(Columns {
                pictures: column,
                target,
            }),
        },
        train_images: Some(train_images),
        test_images: Some(test_images),
    })
}

/// The pictures that the image CSV at `path` lists, in its order, each path the table's
/// folder joined to its name: what `dnn predict` reads for a picture model given the table.
/// Any other column (a label, an id) is not read, and a picture may be listed twice.
///
/// # Errors
/// [`DataError::BadSource`] for a table without a picture column; [`DataError::BadCell`] for
/// a cell that names no picture, or a picture that is not there; the errors of reading a
/// table ([`crate::table::read_table`]).
pub fn listed_pictures(path: &Path) -> Result<Vec<PathBuf>> {
    let Some(column) = picture_column(path) else {
        return Err(DataError::BadSource {
            path: path.to_path_buf(),
            problem: "has no column of picture file names (its first row's cell ending in \
                      .png, .jpg or .jpeg); give the pictures themselves, or a CSV that lists \
                      them"
                .into(),
        });
    };
    let table = read_table(
        path,
        crate::table::Columns {
            labels_required: false,
            features: Some(&[]),
            pictures: Some(&column),
            ..crate::table::Columns::default()
        },
    )?;
    picture_files(path, &column, &table.pictures, Twice::Allowed)
}

/// Whether a picture may be listed twice: not in data to train on (it could land in both
/// parts), but in pictures to predict.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Twice {
    Refused,
    Allowed,
}

/// The file each of `pictures` (the cells of `column`, with their lines) names, relative to
/// the table's folder; refuses a picture that is not there (naming its row, its line and the
/// path looked at) and, as `twice` says, a picture listed twice.
fn picture_files(
    path: &Path,
    column: &str,
    pictures: &[(String, u64)],
    twice: Twice,
) -> Result<Vec<PathBuf>> {
    let folder = path.parent().unwrap_or(Path::new(""));
    let mut first_row: HashMap<PathBuf, usize> = HashMap::with_capacity(pictures.len());
    let mut files = Vec::with_capacity(pictures.len());
    for (k, (name, line)) in pictures.iter().enumerate() {
        let file = folder.join(name);
        let cell = |problem: String| DataError::BadCell {
            path: path.to_path_buf(),
            row: k as u64 + 1,
            line: *line,
            column: column.to_owned(),
            problem,
        };
        if !file.is_file() {
            let shown = if folder.as_os_str().is_empty() {
                "the current folder".to_owned()
            } else {
                folder.display().to_string()
            };
            return Err(cell(format!(
                "no picture at {} (an image CSV's names are taken from its own folder, {shown})",
                file.display()
            )));
        }
        let key = match twice {
            Twice::Refused => std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone()),
            Twice::Allowed => PathBuf::new(),
        };
        if let Some(&earlier) = first_row.get(&key).filter(|_| twice == Twice::Refused) {
            return Err(cell(format!(
                "`{name}` is the picture of row {} too; a picture listed twice could land in \
                 both the training and the test part: list it once",
                earlier + 1
            )));
        }
        first_row.insert(key, k);
        files.push(file);
    }
    Ok(files)
}
