//! The crate's single error type, [`DataError`].
//!
//! Every variant that comes from a file names that file, the key inside it
//! (for HDF5 files) and the numbers that were wrong, so that a message such as
//! `data/train_catvnoncat.h5: train_set_x has 208 images but train_set_y has 209 labels`
//! is enough to fix the problem without a debugger.

use std::path::{Path, PathBuf};

/// Everything that can go wrong while loading data in `dnn-data`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file does not exist (or is not a regular file).
    #[error("{}: file not found", path.display())]
    FileNotFound {
        /// The path that was looked up.
        path: PathBuf,
    },

    /// The file exists but could not be read (permissions, I/O error, ...).
    #[error("{}: cannot read the file: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The file exists but the HDF5 library cannot open it: not HDF5, or truncated.
    #[error("{}: not a readable HDF5 file ({len} bytes): {message}", path.display())]
    NotHdf5 {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        len: u64,
        /// What the HDF5 library said.
        message: String,
    },

    /// A required data set is absent from an HDF5 file.
    #[error("{}: missing key `{key}` (the file has: {})", path.display(), list_or_none(available))]
    MissingKey {
        /// The file.
        path: PathBuf,
        /// The key that was required.
        key: String,
        /// The keys present at the root of the file.
        available: Vec<String>,
    },

    /// A data set has the wrong number of dimensions.
    #[error("{}: {key} has {found} dimensions {shape:?}, expected {expected} ({what})", path.display())]
    WrongRank {
        /// The file.
        path: PathBuf,
        /// The data set.
        key: String,
        /// The expected number of dimensions.
        expected: usize,
        /// The number of dimensions found.
        found: usize,
        /// The shape found.
        shape: Vec<usize>,
        /// A description of the expected layout, e.g. `(images, height, width, 3)`.
        what: &'static str,
    },

    /// A data set has the right rank but an unusable shape.
    #[error("{}: {key} has shape {shape:?}: {problem}", path.display())]
    WrongShape {
        /// The file.
        path: PathBuf,
        /// The data set.
        key: String,
        /// The shape found.
        shape: Vec<usize>,
        /// What is wrong with it.
        problem: String,
    },

    /// A data set has an element type that cannot be used.
    #[error("{}: {key} has element type {found}, expected {expected}", path.display())]
    WrongDtype {
        /// The file.
        path: PathBuf,
        /// The data set.
        key: String,
        /// The expected type.
        expected: &'static str,
        /// The type found, as HDF5 describes it.
        found: String,
    },

    /// A label is neither 0 nor 1.
    #[error(
        "{}: {key}[{index}] = {value}, but labels must be 0 or 1 ({count} bad labels in total)",
        path.display()
    )]
    BadLabel {
        /// The file.
        path: PathBuf,
        /// The label data set.
        key: String,
        /// Index of the first bad label.
        index: usize,
        /// Its value.
        value: i64,
        /// How many labels are bad.
        count: usize,
    },

    /// The number of images and the number of labels differ.
    #[error("{}: {x_key} has {images} images but {y_key} has {labels} labels", path.display())]
    CountMismatch {
        /// The file.
        path: PathBuf,
        /// The image data set.
        x_key: String,
        /// The number of images.
        images: usize,
        /// The label data set.
        y_key: String,
        /// The number of labels.
        labels: usize,
    },

    /// Training and test images do not have the same size.
    #[error(
        "train images are {}x{}x{} ({}) but test images are {}x{}x{} ({})",
        train_shape[0], train_shape[1], train_shape[2], train_path.display(),
        test_shape[0], test_shape[1], test_shape[2], test_path.display()
    )]
    ImageSizeMismatch {
        /// The training file.
        train_path: PathBuf,
        /// Height, width, channels of the training images.
        train_shape: [usize; 3],
        /// The test file.
        test_path: PathBuf,
        /// Height, width, channels of the test images.
        test_shape: [usize; 3],
    },

    /// Any other failure of the HDF5 library while reading a data set.
    #[error("{}: cannot read {key}: {message}", path.display())]
    Hdf5 {
        /// The file.
        path: PathBuf,
        /// The data set being read.
        key: String,
        /// What the HDF5 library said.
        message: String,
    },

    /// No directory holds the cat data files.
    #[error(
        "the cat data set ({}) was not found in any of: {}; run `cargo xtask fetch-data` (or set DNN_DATA_DIR)",
        files.join(", "),
        searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    DataNotFound {
        /// The file names that were looked for.
        files: Vec<String>,
        /// The directories that were searched, in order.
        searched: Vec<PathBuf>,
    },

    /// A picture file is empty.
    #[error("{}: the file is empty (0 bytes), not an image", path.display())]
    EmptyImage {
        /// The file.
        path: PathBuf,
    },

    /// A picture file is not in a supported image format (JPEG or PNG).
    #[error("{}: not a JPEG or PNG image ({len} bytes; first bytes {magic:02x?})", path.display())]
    NotAnImage {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        len: u64,
        /// Its first (at most 8) bytes.
        magic: Vec<u8>,
    },

    /// A picture is larger than the limits allow.
    #[error(
        "{}: image too large: {width}x{height} pixels{}; the limits are {max_width}x{max_height} pixels and {max_alloc} bytes of decoded data",
        path.display(),
        decoded_bytes.map(|b| format!(" ({b} bytes once decoded)")).unwrap_or_default()
    )]
    ImageTooLarge {
        /// The file.
        path: PathBuf,
        /// Its width in pixels (0 if the decoder did not say).
        width: u32,
        /// Its height in pixels (0 if the decoder did not say).
        height: u32,
        /// The size of the decoded pixels, when known.
        decoded_bytes: Option<u64>,
        /// The width limit.
        max_width: u32,
        /// The height limit.
        max_height: u32,
        /// The decoded-size budget in bytes.
        max_alloc: u64,
    },

    /// A picture has zero width or height.
    #[error("{}: image has no pixels ({width}x{height})", path.display())]
    ZeroSizedImage {
        /// The file.
        path: PathBuf,
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
    },

    /// A picture is in a known format but could not be decoded (corrupt, truncated, unsupported variant).
    #[error("{}: cannot decode the {format} image: {message}", path.display())]
    ImageDecode {
        /// The file.
        path: PathBuf,
        /// The detected format.
        format: String,
        /// What the decoder said.
        message: String,
    },

    /// A file could not be written (the previous file at that path, if any, is intact).
    #[error("{}: cannot write: {message}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },

    /// An HDF5 file that holds no network (no `W1` data set).
    #[error("{}: not a dnn model file: it has no W1 data set (it has: {})", path.display(), list_or_none(keys))]
    NotAModel {
        /// The file.
        path: PathBuf,
        /// The keys at its root.
        keys: Vec<String>,
    },

    /// A model that cannot be exported as asked (its description does not fit it).
    #[error("cannot export the model as {format}: {problem}")]
    Export {
        /// The format (`ONNX`, `safetensors`).
        format: &'static str,
        /// What is wrong.
        problem: String,
    },

    /// A model file whose contents do not form a usable network.
    #[error("{}: bad model file: {problem}", path.display())]
    BadModel {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the shapes or values.
        problem: String,
    },

    /// A data source whose format cannot be told, or that is not laid out as its format requires.
    #[error("{}: {problem}", path.display())]
    BadSource {
        /// The file or directory given as the data.
        path: PathBuf,
        /// What is wrong, and what was expected.
        problem: String,
    },

    /// A CSV row with another number of fields than the header.
    #[error("{}: row {row} (line {line}) has {} but the header has {expected}", path.display(), fields_of(*fields))]
    RaggedRow {
        /// The file.
        path: PathBuf,
        /// The data row, from 1 (the header is not counted).
        row: u64,
        /// The line in the file, from 1.
        line: u64,
        /// Fields in that row.
        fields: usize,
        /// Fields in the header.
        expected: usize,
    },

    /// A CSV feature cell that is not a finite number.
    #[error("{}: row {row} (line {line}), column `{column}`: {problem}", path.display())]
    BadCell {
        /// The file.
        path: PathBuf,
        /// The data row, from 1.
        row: u64,
        /// The line in the file, from 1.
        line: u64,
        /// The column's name.
        column: String,
        /// What is wrong with the cell, quoting it.
        problem: String,
    },

    /// Data of another width than a z-score given to read it with ([`crate::ZScore::Given`]:
    /// a model's, which takes another input).
    #[error("{}: it has {}, but the z-score to apply covers {covers} input{}: give data of the inputs it was fitted on", path.display(), input.describe(), if *covers == 1 { "" } else { "s" })]
    ZScoreWidth {
        /// The data.
        path: PathBuf,
        /// Its input, as read.
        input: Box<crate::dataset::Input>,
        /// The inputs the z-score covers.
        covers: usize,
    },

    /// A named column (the target, or one a model needs) that the table does not have.
    #[error("{}: no column `{column}`{}; the columns are: {}{}", path.display(), why.as_deref().map(|w| format!(" ({w})")).unwrap_or_default(), list_or_none(columns), did_you_mean(column, columns))]
    UnknownColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        column: String,
        /// Why it is needed, e.g. `the model was trained on it`.
        why: Option<String>,
        /// The columns the file has.
        columns: Vec<String>,
    },

    /// Fewer than two classes among the training examples.
    #[error("{}: every training example is of class `{class}`; a classifier needs at least two classes", path.display())]
    SingleClass {
        /// The data.
        path: PathBuf,
        /// The one class found.
        class: String,
    },

    /// Class names given (`--classes`, or a model's) that do not match the data's.
    #[error("{}: {problem}", path.display())]
    ClassMismatch {
        /// The data.
        path: PathBuf,
        /// Which names are missing or extra, with both lists.
        problem: String,
    },

    /// Inputs and labels of different lengths.
    #[error("{}: {x_key} has {examples} examples but {y_key} has {labels} labels", path.display())]
    LengthMismatch {
        /// The file.
        path: PathBuf,
        /// The inputs' key.
        x_key: String,
        /// Number of examples in the inputs.
        examples: usize,
        /// The labels' key.
        y_key: String,
        /// Number of labels.
        labels: usize,
    },

    /// A train/test split that cannot be made.
    #[error("{}: {problem}", path.display())]
    BadSplit {
        /// The data.
        path: PathBuf,
        /// What is wrong, with the numbers.
        problem: String,
    },

    /// The network refused its inputs (their shape, say), when a [`Model`](crate::model::Model)
    /// predicts; also lets one `?` carry dnn-core's errors where dnn-data's are returned.
    #[error(transparent)]
    Network(#[from] dnn_core::DnnError),

    /// Values were asked of a model that is not a regression with a recorded target scale:
    /// a classifier, or an identity output whose file does not say how to undo its z-score.
    #[error("this model gives no values in a target's units: it classifies, or its file records no target scale (target_mean, target_std) to undo")]
    NotARegression,
}

/// `1 field`, `3 fields`.
fn fields_of(n: usize) -> String {
    format!("{n} field{}", if n == 1 { "" } else { "s" })
}

/// `; did you mean `Body_Mass_g`?` for a column asked for that is not in `columns` but one
/// of them is close: the same but for case, spaces, `_`, `-` and quotes around it (what
/// statsmodels' `'vote'` headers have), a typing slip away (Jaro-Winkler similarity of at
/// least 0.9, as `strsim` measures it), or the only name it begins (3 characters or more);
/// empty otherwise.
///
/// ```text
/// "miles_per_gallon" among Name, Miles_per_Gallon -> "; did you mean `Miles_per_Gallon` (names match exactly, case included)?"
/// "vote" among 'vote', 'age'                      -> "; did you mean `'vote'` (names match exactly, case included)?"
/// "speices" among species, island                 -> "; did you mean `species`?"
/// "price" among species, island                   -> ""
/// ```
pub(crate) fn did_you_mean(column: &str, columns: &[String]) -> String {
    let plain = |s: &str| -> String {
        s.trim_matches(|c: char| c == '\'' || c == '"' || c.is_whitespace())
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let asked = plain(column);
    if let Some(same) = columns
        .iter()
        .find(|c| plain(c) == asked && !asked.is_empty())
    {
        return format!("; did you mean `{same}` (names match exactly, case included)?");
    }
    let close = columns
        .iter()
        .map(|c| (strsim::jaro_winkler(&asked, &plain(c)), c))
        .filter(|(score, _)| *score >= 0.9)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c);
    // The start of one name only (`flipper` for `flipper_length_mm`).
    let starts: Vec<&String> = columns
        .iter()
        .filter(|c| asked.chars().count() >= 3 && plain(c).starts_with(&asked))
        .collect();
    let start = match starts[..] {
        [one] => Some(one),
        _ => None,
    };
    close
        .or(start)
        .map_or(String::new(), |c| format!("; did you mean `{c}`?"))
}

fn list_or_none(keys: &[String]) -> String {
    if keys.is_empty() {
        "no keys".to_owned()
    } else {
        keys.join(", ")
    }
}

/// `Result` with [`DataError`].
pub type Result<T, E = DataError> = std::result::Result<T, E>;

/// `e`, met reading `path`, as a [`DataError`]: [`DataError::FileNotFound`] when it does not
/// exist, else [`DataError::Io`].
pub(crate) fn io_error(path: &Path, e: std::io::Error) -> DataError {
    match e.kind() {
        std::io::ErrorKind::NotFound => DataError::FileNotFound {
            path: path.to_path_buf(),
        },
        _ => DataError::Io {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

/// The metadata of `path`, which must be a regular file (not a directory or a device): the
/// one check every reader of a data, model or picture file makes first.
pub(crate) fn regular_file(path: &Path) -> Result<std::fs::Metadata> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    if !meta.is_file() {
        return Err(DataError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other("not a regular file"),
        });
    }
    Ok(meta)
}

/// `name` as a shell word for a flag's value in advice (`--drop 'weight, kg'`): as it is
/// when it holds only letters, digits and `_.,:/@%+=-`, else in single quotes (a quote in it
/// written `'\''`), so that the advice can be pasted as it reads.
///
/// ```
/// assert_eq!(dnn_data::error::shell_word("sepal_length"), "sepal_length");
/// assert_eq!(dnn_data::error::shell_word("Größe (cm)"), "'Größe (cm)'");
/// assert_eq!(dnn_data::error::shell_word("it's"), "'it'\\''s'");
/// ```
pub fn shell_word(name: &str) -> std::borrow::Cow<'_, str> {
    let plain = |c: char| c.is_alphanumeric() || "_.,:/@%+=-".contains(c);
    if !name.is_empty() && name.chars().all(plain) {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(format!("'{}'", name.replace('\'', "'\\''")))
    }
}

/// `text` for a message: its first 40 characters (then `…`), each line break as `⏎`, so
/// that a cell that swallowed the rest of a file stays one short line.
///
/// ```
/// use dnn_data::error::shown;
/// assert_eq!(shown("male"), "male");
/// assert_eq!(shown(&"m".repeat(50)), format!("{}…", "m".repeat(40)));
/// assert_eq!(shown("a\nb"), "a⏎b");
/// ```
pub fn shown(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(40)
        .map(|c| if c == '\n' || c == '\r' { '⏎' } else { c })
        .collect();
    if text.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn a_column_asked_for_is_matched_to_one_that_differs_by_case_quotes_or_a_slip() {
        let columns = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let exactly = "(names match exactly, case included)?";
        let cars = columns(&["Name", "Miles_per_Gallon", "Weight_in_lbs"]);
        assert_eq!(
            did_you_mean("miles_per_gallon", &cars),
            format!("; did you mean `Miles_per_Gallon` {exactly}")
        );
        assert_eq!(
            did_you_mean("miles per gallon", &cars),
            format!("; did you mean `Miles_per_Gallon` {exactly}")
        );
        let anes = columns(&["'popul'", "'vote'", "'age'"]);
        assert_eq!(
            did_you_mean("vote", &anes),
            format!("; did you mean `'vote'` {exactly}")
        );
        let penguins = columns(&["species", "island", "bill_length_mm", "bill_depth_mm"]);
        assert_eq!(
            did_you_mean("speices", &penguins),
            "; did you mean `species`?"
        );
        assert_eq!(
            did_you_mean("bill_lenght_mm", &penguins),
            "; did you mean `bill_length_mm`?"
        );
        // The start of one name; `bill` starts two.
        assert_eq!(
            did_you_mean(
                "flipper",
                &columns(&["species", "flipper_length_mm", "year"])
            ),
            "; did you mean `flipper_length_mm`?"
        );
        for far in ["price", "sex", "", "bill", "fl"] {
            assert_eq!(did_you_mean(far, &penguins), "", "{far}");
        }
    }
}
