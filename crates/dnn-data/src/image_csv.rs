//! A CSV table that lists pictures, as Kaggle's sets and fastai's `ImageDataLoaders.from_csv`
//! or Keras' `flow_from_dataframe` lay them out: one column names each example's picture
//! file (`photos/0a1b.jpg`), another holds its class or a number to predict (a regression:
//! an age, a count, a score).
//!
//! ```text
//! file,label                file,age                 id,breed
//! cats/001.jpg,cat          faces/a.png,31           000bec18,boston_bull
//! dogs/017.jpg,dog          faces/b.png,54.5         001513df,dingo
//! ```
//!
//! - A relative name is taken from the table's own folder, wherever the command runs, so a
//!   table and its pictures move together; or from the folder [`PictureNames::dir`]
//!   (`--image-dir train`, fastai's `folder`, Keras' `directory`), as given (a relative one
//!   from the current directory). [`PictureNames::suffix`] (`--image-suffix .jpg`, fastai's
//!   `suffix`) is appended to every name: Kaggle's dog-breed `labels.csv` above lists
//!   `train/<id>.jpg` as bare ids, read with both.
//! - The picture column is the first whose first data cell names a picture
//!   ([`picture_column`]). Without a suffix: a cell ending in `.png`, `.jpg` or `.jpeg` (any
//!   case), as [`crate::table::picture_column`] finds it without looking at the disk. With a
//!   suffix (which must itself end so, [`check_suffix`]) every cell would end so: the
//!   picture column is then the first whose first cell, suffixed, names a file that is in
//!   the folder (`id` of `id,breed`, when `train/<id>.jpg` is there). Every cell of the
//!   column must name such a file, so a wrong guess stops at the first row whose picture is
//!   not there; and the column taken is named in [`Columns::pictures`], any other that would
//!   have done in [`Columns::also_pictures`], for the caller to show (`dnn train`'s
//!   `Pictures:` line, and a warning).
//! - The target is `--target NAME` ([`LoadOptions::target`]), by default the last column
//!   that is not the picture column, and is read as a table's target is
//!   ([`crate::table`], [`crate::target`]): classes (sorted, or [`LoadOptions::classes`]),
//!   or numbers to predict, by the same rule and [`LoadOptions::task`]. Other columns are
//!   not read ([`Source::left_out_columns`]).
//! - The pictures are read as an image folder's are ([`crate::folder`]): decoded on every
//!   core, made RGB, turned as their EXIF orientation says, resized to
//!   [`LoadOptions::picture_size`], flattened as the cat set is and divided by 255. Listed in
//!   the folder's order with the folder's classes, they make the same data set, split alike;
//!   listed as bare names with a folder and a suffix, they make the data set of the same
//!   table listing them by their paths, bit for bit.
//! - A picture listed twice is refused, naming both rows: it could land in both parts. A
//!   missing picture names its row and the path it was looked for at; when a file of that
//!   name is in a subfolder beside the table, or with a picture's extension added, the error
//!   says which `--image-dir` or `--image-suffix` would read it (a look taken only then, as
//!   when no column names a picture: [`suggest`]).
//! - The table has no test part: one is split off, stratified for classes and shuffled for
//!   numbers ([`crate::split`]). The SHA-256 ([`Source::sha256`]) covers the table and every
//!   picture it lists: as [`crate::fingerprint`]'s of a directory, over the table's file
//!   name and each picture's name relative to the folder its names are taken from (the name
//!   as listed, suffix included), each with its file's SHA-256. Without `--image-dir` it is
//!   [`crate::fingerprint::files_sha256`] of the table's folder over the table, then its
//!   pictures in its order; other pictures (another `--image-dir`, other bytes) give
//!   another, and the same pictures read from another place give the same.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dnn_core::Float;

use crate::dataset::{
    split_or_keep, split_values, DataSpec, Dataset, Format, Input, LoadOptions, Source,
};
use crate::error::{shell_word, shown, DataError, Result};
use crate::fingerprint::{named_files_sha256, relative_name};
use crate::folder::{picture_parts, PictureParts};
use crate::table::{class_labels, first_row, names_picture, read_table, regression_values};

/// The columns an image CSV was read from ([`Source::image_csv`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    /// The column naming each example's picture file.
    pub pictures: String,
    /// The column of their classes, or of the numbers to predict.
    pub target: String,
    /// Where the names were taken from, as given ([`LoadOptions::picture_names`]).
    pub names: PictureNames,
    /// The other columns whose first cell would have named a picture too (see
    /// [`picture_column`]): the pictures are the first such column's, a choice to show.
    pub also_pictures: Vec<String>,
}

/// Where the names an image CSV lists are taken from: `dir/<name><suffix>`, as fastai's
/// `ImageDataLoaders.from_csv(folder=, suffix=)` and Keras' `flow_from_dataframe(directory=)`
/// take them ([`LoadOptions::picture_names`]). The default: each name as written, from the
/// table's own folder.
///
/// ```
/// use std::path::Path;
/// use dnn_data::image_csv::PictureNames;
/// let kaggle = PictureNames { dir: Some("dogs/train".into()), suffix: Some(".jpg".into()) };
/// assert_eq!(kaggle.file(Path::new("dogs/labels.csv"), "000bec"), Path::new("dogs/train/000bec.jpg"));
/// let beside = PictureNames::default();
/// assert_eq!(beside.file(Path::new("dogs/labels.csv"), "a.png"), Path::new("dogs/a.png"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PictureNames {
    /// The folder the names are taken from (`--image-dir`), as given: a relative one from the
    /// current directory. `None`: the table's own folder.
    pub dir: Option<PathBuf>,
    /// Appended to every name (`--image-suffix`, e.g. `.jpg`); it must end in `.png`, `.jpg`
    /// or `.jpeg` (any case). `None`: the names are whole file names.
    pub suffix: Option<String>,
}

impl PictureNames {
    /// Whether neither a folder nor a suffix is given.
    pub fn is_default(&self) -> bool {
        self.dir.is_none() && self.suffix.is_none()
    }

    /// The flags given, by name: `--image-dir`, `--image-suffix`.
    pub fn given(&self) -> Vec<&'static str> {
        [
            ("--image-dir", self.dir.is_some()),
            ("--image-suffix", self.suffix.is_some()),
        ]
        .into_iter()
        .filter_map(|(flag, given)| given.then_some(flag))
        .collect()
    }

    /// The folder names are taken from for the table at `table`: [`PictureNames::dir`], else
    /// the table's own.
    pub fn folder<'a>(&'a self, table: &'a Path) -> &'a Path {
        match &self.dir {
            Some(dir) => dir,
            None => table.parent().unwrap_or(Path::new("")),
        }
    }

    /// The file that the name `name` of the table at `table` names: the folder joined to the
    /// name and its suffix.
    pub fn file(&self, table: &Path, name: &str) -> PathBuf {
        let suffix = self.suffix.as_deref().unwrap_or("");
        self.folder(table).join(format!("{name}{suffix}"))
    }

    /// Refuses a suffix that does not end in a picture's extension, and a folder that is not
    /// one; `table` is named in the message.
    ///
    /// # Errors
    /// [`DataError::BadSource`].
    pub fn check(&self, table: &Path) -> Result<()> {
        if let Some(suffix) = &self.suffix {
            if let Err(problem) = check_suffix(suffix) {
                return Err(DataError::BadSource {
                    path: table.to_path_buf(),
                    problem: format!("--image-suffix `{}` {problem}", shown(suffix)),
                });
            }
        }
        if let Some(dir) = &self.dir {
            if !dir.is_dir() {
                return Err(DataError::BadSource {
                    path: dir.clone(),
                    problem: format!(
                        "{}: --image-dir names the folder that {}'s pictures are taken from",
                        if dir.exists() {
                            "not a folder"
                        } else {
                            "no such folder"
                        },
                        table.display()
                    ),
                });
            }
        }
        Ok(())
    }

    /// `folder` (as the user sees it: `the current folder` for the empty path).
    fn shown_folder(&self, table: &Path) -> String {
        let folder = self.folder(table);
        if folder.as_os_str().is_empty() {
            "the current folder".to_owned()
        } else {
            folder.display().to_string()
        }
    }
}

/// Checks an `--image-suffix`: it ends in `.png`, `.jpg` or `.jpeg` (any case), as a
/// picture's file name does once it is appended; the message says what is wrong.
///
/// ```
/// use dnn_data::image_csv::check_suffix;
/// assert!(check_suffix(".jpg").is_ok() && check_suffix("_mask.PNG").is_ok());
/// assert!(check_suffix("jpg").unwrap_err().starts_with("does not end in .png, .jpg or .jpeg (`.jpg`?)"));
/// assert!(check_suffix(".gif").is_err() && check_suffix("").is_err());
/// ```
///
/// # Errors
/// What is wrong with it, for a message that names it.
pub fn check_suffix(suffix: &str) -> std::result::Result<(), String> {
    let lower = suffix.to_ascii_lowercase();
    if [".png", ".jpg", ".jpeg"].iter().any(|e| lower.ends_with(e)) {
        return Ok(());
    }
    let meant = ["png", "jpg", "jpeg"]
        .into_iter()
        .find(|e| lower == *e)
        .map_or(String::new(), |e| format!(" (`.{e}`?)"));
    Err(format!(
        "does not end in .png, .jpg or .jpeg{meant}; it is appended to every name an image CSV \
         lists to make its picture's file name (`.jpg` makes `0a1b` `0a1b.jpg`)"
    ))
}

/// Loads the image CSV at `path` (see the [module docs](self)).
///
/// # Errors
/// [`DataError::BadSource`] for a table without a picture column, table-only options (a
/// model's columns, dropped or one-hot columns, filling missing numbers), a picture listed
/// twice, a suffix that does not end in a picture's extension or an image folder that is not
/// one; [`DataError::BadCell`] for a picture that is not there or a cell that names none;
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
    let names = &options.picture_names;
    names.check(path)?;
    // The header and first row, read once: the picture column and the default target.
    let (header, first) = first_row(path).unwrap_or_default();
    let (column, also) = find_column(path, &header, &first, names, Read::Examples)?;
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
            picture_suffix: names.suffix.as_deref(),
            drop_unlabeled: options.drop_unlabeled,
            decimal_comma: options.decimal_comma,
            parse_numbers: options.parse_numbers,
            ..crate::table::Columns::default()
        },
    )?;
    let files = picture_files(path, &column, &table.pictures, Twice::Refused, names)?;
    let values = regression_values(path, &table, options)?;
    let target = table.target.clone().unwrap_or_default();
    crate::folder::check_pictures_fit(path, files.len(), height, width)?;
    let sha256 = fingerprint(path, names, &files)?;
    let options = &options.resolved(&sha256);
    let (class_names, labels, (train_idx, test_idx, split), regression) = match &values {
        Some(values) => {
            let (indices, scale) = split_values(path, values, options, &target, None)?;
            (Vec::new(), Vec::new(), indices, Some(scale))
        }
        None => {
            let (class_names, labels) = class_labels(path, &table, options)?;
            let indices = split_or_keep(path, &labels, class_names.len(), options, None)?;
            (class_names, labels, indices, None)
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
            ranges: None,
            classes: class_names,
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
                names: names.clone(),
                also_pictures: also,
            }),
            table_warnings: table.warnings,
            decimal_comma: options.decimal_comma,
            parse_numbers: options.parse_numbers,
            groups: None,
        },
        train_images: Some(train_images),
        test_images: Some(test_images),
    })
}

/// The pictures that the image CSV at `path` lists, in its order, each the file its name
/// names as `names` take it ([`PictureNames::file`]): what `dnn predict` reads for a
/// picture model given the table. Any other column (a label, an id) is not read, and a
/// picture may be listed twice.
///
/// # Errors
/// [`DataError::BadSource`] for a table without a picture column, a suffix that does not end
/// in a picture's extension or an image folder that is not one; [`DataError::BadCell`] for a
/// cell that names no picture, or a picture that is not there; the errors of reading a table
/// ([`crate::table::read_table`]).
pub fn listed_pictures(path: &Path, names: &PictureNames) -> Result<Vec<PathBuf>> {
    names.check(path)?;
    let (header, first) = first_row(path).unwrap_or_default();
    let (column, _) = find_column(path, &header, &first, names, Read::Pictures)?;
    let table = read_table(
        path,
        crate::table::Columns {
            labels_required: false,
            features: Some(&[]),
            pictures: Some(&column),
            picture_suffix: names.suffix.as_deref(),
            ..crate::table::Columns::default()
        },
    )?;
    picture_files(path, &column, &table.pictures, Twice::Allowed, names)
}

/// What an image CSV is read for, which says what to do with a table that is not one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    /// Examples (which a table has too: `--format csv`).
    Examples,
    /// Pictures to predict.
    Pictures,
}

/// The picture column of the CSV file at `path` read with `names`, if it has one: the first
/// whose first data cell names a picture. Without a suffix that is a cell ending in `.png`,
/// `.jpg` or `.jpeg` ([`crate::table::picture_column`], which needs no folder); with one,
/// a cell that names a file in the folder once the suffix is appended (every column would
/// end in a picture's extension then): Kaggle's `id,breed` with `.jpg` gives `id` when
/// `train/<id>.jpg` is there.
///
/// ```
/// use dnn_data::image_csv::{picture_column, PictureNames};
/// # let dir = tempfile::tempdir()?;
/// let table = dir.path().join("labels.csv");
/// std::fs::write(&table, "breed,id\nboston_bull,000bec\n")?;
/// std::fs::create_dir(dir.path().join("train"))?;
/// std::fs::write(dir.path().join("train/000bec.jpg"), "")?;
/// let kaggle = PictureNames { dir: Some(dir.path().join("train")), suffix: Some(".jpg".into()) };
/// assert_eq!(picture_column(&table, &kaggle).as_deref(), Some("id"));
/// assert_eq!(picture_column(&table, &PictureNames::default()), None);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn picture_column(path: &Path, names: &PictureNames) -> Option<String> {
    let (header, first) = first_row(path)?;
    candidates(path, &header, &first, names).into_iter().next()
}

/// For the table at `path`, read otherwise than as an image CSV with `names`: the flags that
/// would read it as one, when a cell of its first row names a picture in a subfolder beside
/// it or with a picture's extension added (`train/0a1b.jpg is there: give --image-dir train
/// --image-suffix .jpg`). A cheap look at the disk, for an error message; `None` when
/// nothing is found.
///
/// ```
/// use dnn_data::image_csv::{suggest, PictureNames};
/// # let dir = tempfile::tempdir()?;
/// let table = dir.path().join("labels.csv");
/// std::fs::write(&table, "id,breed\n000bec,boston_bull\n")?;
/// std::fs::create_dir(dir.path().join("train"))?;
/// std::fs::write(dir.path().join("train/000bec.jpg"), "")?;
/// let said = suggest(&table, &PictureNames::default()).unwrap();
/// assert!(said.contains("train/000bec.jpg is there: give --image-dir "), "{said}");
/// assert!(said.ends_with("train --image-suffix .jpg"), "{said}");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn suggest(path: &Path, names: &PictureNames) -> Option<String> {
    let (_, first) = first_row(path)?;
    let cells: Vec<&str> = first.iter().map(String::as_str).collect();
    hint(path, names, &cells)
}

/// The columns whose first data cell names a picture, as [`picture_column`] says, in order.
fn candidates(
    path: &Path,
    header: &[String],
    first: &[String],
    names: &PictureNames,
) -> Vec<String> {
    first
        .iter()
        .zip(header)
        .filter(|(cell, _)| match names.suffix {
            None => names_picture(cell),
            Some(_) => !cell.is_empty() && names.file(path, cell).is_file(),
        })
        .map(|(_, name)| name.clone())
        .collect()
}

/// [`picture_column`] of the table at `path` whose header and first row are read, and the
/// other columns that would do; an error that says what was looked for when there is none.
fn find_column(
    path: &Path,
    header: &[String],
    first: &[String],
    names: &PictureNames,
    read: Read,
) -> Result<(String, Vec<String>)> {
    let mut found = candidates(path, header, first, names).into_iter();
    if let Some(column) = found.next() {
        return Ok((column, found.collect()));
    }
    let cells: Vec<&str> = first.iter().map(String::as_str).collect();
    let hint = hint(path, names, &cells).map_or(String::new(), |h| format!("; {h}"));
    let otherwise = match read {
        Read::Examples => "; give --format csv to read it as a table",
        Read::Pictures => "; give the pictures themselves, or a CSV that lists them",
    };
    let problem = match (&names.suffix, &names.dir) {
        // Nothing says it lists pictures: reading it as a table comes first.
        (None, None) => format!(
            "has no column of picture file names (its first row's cell ending in .png, .jpg \
             or .jpeg), so it cannot be read as an image CSV{otherwise}{}",
            hint.replacen("; ", "; if it lists pictures, ", 1)
        ),
        (None, Some(_)) => {
            let otherwise = match read {
                Read::Examples => {
                    "; give --image-suffix if its names lack their extension, or leave out \
                     --image-dir to read it as a table"
                }
                Read::Pictures => "; give --image-suffix if its names lack their extension",
            };
            format!(
                "has no column of picture file names (its first row's cell ending in .png, \
                 .jpg or .jpeg), so --image-dir, the folder of an image CSV's pictures, does \
                 not apply to it{}",
                if hint.is_empty() { otherwise } else { &hint }
            )
        }
        (Some(suffix), _) => {
            let looked: Vec<String> = first
                .iter()
                .filter(|cell| !cell.is_empty())
                .take(3)
                .map(|cell| names.file(path, cell).display().to_string())
                .collect();
            let more = if first.iter().filter(|c| !c.is_empty()).count() > 3 {
                ", …"
            } else {
                ""
            };
            format!(
                "no cell of its first row names a picture in {} with --image-suffix {} \
                 appended (looked for {}{more}), so it cannot be read as an image CSV{}",
                names.shown_folder(path),
                shell_word(suffix),
                if looked.is_empty() {
                    "nothing: the row is empty".to_owned()
                } else {
                    looked.join(", ")
                },
                hint
            )
        }
    };
    Err(DataError::BadSource {
        path: path.to_path_buf(),
        problem,
    })
}

/// At most this many subfolders beside a table are looked in for a [`hint`].
const HINT_FOLDERS: usize = 64;

/// Where one of `cells` names a picture with other flags, when it does: the first file found
/// and the flags that read it (`train/0a1b.jpg is there: give --image-dir train
/// --image-suffix .jpg`). A cheap look, taken on the error path only: the folder given and the
/// table's own, its subfolders (when no folder is given) and the picture extensions (when no
/// suffix is).
fn hint(path: &Path, names: &PictureNames, cells: &[&str]) -> Option<String> {
    let table_folder = path.parent().unwrap_or(Path::new(""));
    let mut dirs: Vec<Option<PathBuf>> = vec![names.dir.clone()];
    if names.dir.is_some() {
        dirs.push(None);
    }
    let listed = std::fs::read_dir(if table_folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        table_folder
    });
    let mut subfolders: Vec<String> = listed
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    subfolders.sort();
    dirs.extend(
        subfolders
            .iter()
            .take(HINT_FOLDERS)
            .map(|n| Some(table_folder.join(n)))
            .filter(|d| *d != names.dir),
    );
    let mut suffixes: Vec<Option<String>> = vec![names.suffix.clone()];
    if names.suffix.is_some() {
        suffixes.push(None);
    }
    suffixes.extend(
        [".jpg", ".png", ".jpeg", ".JPG", ".PNG", ".JPEG"]
            .into_iter()
            .map(|s| Some(s.to_owned()))
            .filter(|s| *s != names.suffix),
    );
    for cell in cells.iter().filter(|c| !c.is_empty()) {
        for dir in &dirs {
            for suffix in &suffixes {
                if *dir == names.dir && *suffix == names.suffix {
                    continue;
                }
                let other = PictureNames {
                    dir: dir.clone(),
                    suffix: suffix.clone(),
                };
                let file = other.file(path, cell);
                if !names_picture(&file.to_string_lossy()) || !file.is_file() {
                    continue;
                }
                let mut give = Vec::new();
                let mut leave = Vec::new();
                match (dir, *dir == names.dir) {
                    (_, true) => {}
                    (Some(d), false) => give.push(format!(
                        "--image-dir {}",
                        shell_word(&d.display().to_string())
                    )),
                    (None, false) => leave.push("--image-dir"),
                }
                match (suffix, *suffix == names.suffix) {
                    (_, true) => {}
                    (Some(s), false) => give.push(format!("--image-suffix {}", shell_word(s))),
                    (None, false) => leave.push("--image-suffix"),
                }
                let mut todo = Vec::new();
                if !give.is_empty() {
                    todo.push(format!("give {}", give.join(" ")));
                }
                if !leave.is_empty() {
                    todo.push(format!("leave out {}", leave.join(" and ")));
                }
                return Some(format!(
                    "{} is there: {}",
                    file.display(),
                    todo.join(" and ")
                ));
            }
        }
    }
    None
}

/// Whether a picture may be listed twice: not in data to train on (it could land in both
/// parts), but in pictures to predict.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Twice {
    Refused,
    Allowed,
}

/// The file each of `pictures` (the cells of `column`, with their lines) names as `names`
/// take it; refuses a picture that is not there (naming its row, its line and the path looked
/// at, and the flags that would find it) and, as `twice` says, a picture listed twice.
fn picture_files(
    path: &Path,
    column: &str,
    pictures: &[(String, u64)],
    twice: Twice,
    names: &PictureNames,
) -> Result<Vec<PathBuf>> {
    let mut first_row: HashMap<PathBuf, usize> = HashMap::with_capacity(pictures.len());
    let mut files = Vec::with_capacity(pictures.len());
    for (k, (name, line)) in pictures.iter().enumerate() {
        let file = names.file(path, name);
        let cell = |problem: String| DataError::BadCell {
            path: path.to_path_buf(),
            row: k as u64 + 1,
            line: *line,
            column: column.to_owned(),
            problem,
        };
        if !file.is_file() {
            let from = match (&names.dir, &names.suffix) {
                (None, None) => format!(
                    "an image CSV's names are taken from its own folder, {}",
                    names.shown_folder(path)
                ),
                (None, Some(s)) => format!(
                    "an image CSV's names are taken from its own folder, {}, with --image-suffix \
                     {} appended",
                    names.shown_folder(path),
                    shell_word(s)
                ),
                (Some(d), None) => format!("names are taken from --image-dir {}", d.display()),
                (Some(d), Some(s)) => format!(
                    "names are taken from --image-dir {}, with --image-suffix {} appended",
                    d.display(),
                    shell_word(s)
                ),
            };
            let hint = hint(path, names, &[name]).map_or(String::new(), |h| format!("; {h}"));
            return Err(cell(format!(
                "no picture at {} ({from}){hint}",
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

/// The SHA-256 of the image CSV at `path` and its pictures `files` (see the
/// [module docs](self)): [`crate::fingerprint::files_sha256`]'s sum over the table's file
/// name and each picture's name relative to the folder `names` take them from, each with
/// its file's own SHA-256. Without `--image-dir` it is that function's, of the table's
/// folder.
fn fingerprint(path: &Path, names: &PictureNames, files: &[PathBuf]) -> Result<String> {
    let folder = names.folder(path);
    let table_folder = path.parent().unwrap_or(Path::new(""));
    let mut named: Vec<(String, &Path)> = Vec::with_capacity(files.len() + 1);
    named.push((relative_name(table_folder, path), path));
    named.extend(
        files
            .iter()
            .map(|f| (relative_name(folder, f), f.as_path())),
    );
    named_files_sha256(&named)
}
