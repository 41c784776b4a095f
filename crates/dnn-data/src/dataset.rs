//! One [`Dataset`] for every source of data: the course's HDF5 sets, a folder of pictures, a
//! CSV table, a NumPy `.npz` archive. Each reader ([`crate::course`], [`crate::folder`],
//! [`crate::table`], [`crate::npz`]) returns the same value, so training never asks where the
//! data came from.
//!
//! [`load`] detects the format from the path (or takes [`LoadOptions::format`]), reads the
//! examples, names the classes ([`crate::classes`]), splits off a test part when the source has
//! none ([`crate::split`]) and flattens the inputs into `(features, m)` matrices, one column
//! per example, as the cat set always was, in `f64` ([`load`]) or `f32` ([`load_as`]).
//! Standardisation, fitted on the training part only, is asked for in the options
//! ([`LoadOptions::zscore`]), or is a separate step ([`Dataset::standardize`]).
//!
//! ```no_run
//! use dnn_data::dataset::{load, LoadOptions};
//!
//! # fn main() -> Result<(), dnn_data::DataError> {
//! let mut data = load("iris.csv", &LoadOptions::default())?; // the label is the last column
//! data.standardize();
//! println!("{} classes, {} training and {} test examples, {} features",
//!     data.spec.classes.len(), data.train_len(), data.test_len(), data.features());
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};

use dnn_core::Float;
use ndarray::{Array2, Array4, ArrayView2, Axis, ShapeBuilder};
use rayon::prelude::*;

use crate::classes::ClassChoice;
use crate::dates::DateColumn;
use crate::error::{DataError, Result};
use crate::missing::{FillMissing, Filled};
use crate::ranges::InputRanges;
use crate::split::Fold;
use crate::standardize::{Standardization, ZScore};
use crate::target::{TargetScale, Task};

/// The test fraction of a source without a test part (`--test-split`).
pub const DEFAULT_TEST_SPLIT: f64 = 0.2;
/// The seed of the stratified split (`--split-seed`).
pub const DEFAULT_SPLIT_SEED: u32 = 0;
/// The side pictures of an image folder are resized to (`--image-size`), as the cat set's.
pub const DEFAULT_IMAGE_SIZE: u32 = 64;

/// Where the examples came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// A directory with one `train_*.h5` and one `test_*.h5` laid out as the course's sets.
    CourseH5,
    /// `DIR/<class>/*.png|jpg|jpeg`, or `DIR/train/<class>/…` and `DIR/test/<class>/…`.
    ImageFolder,
    /// A CSV table with a header row: feature columns of numbers or of text (one-hot
    /// encoded) and one label column.
    Csv,
    /// A NumPy archive with `x_train, y_train, x_test, y_test`, or `x, y`.
    Npz,
    /// A CSV table listing pictures: a column of picture file names (relative to the
    /// table's folder, or to [`LoadOptions::picture_names`]' folder, with its suffix) and a
    /// column of their classes or numbers ([`crate::image_csv`]).
    ImageCsv,
}

impl Format {
    /// Every format, in the order [`detect_format`] tries them.
    pub const ALL: [Format; 5] = [
        Format::CourseH5,
        Format::ImageFolder,
        Format::ImageCsv,
        Format::Csv,
        Format::Npz,
    ];

    /// The name used on the command line and in reports: `course-h5`, `image-folder`,
    /// `image-csv`, `csv`, `npz`.
    pub fn name(self) -> &'static str {
        match self {
            Format::CourseH5 => "course-h5",
            Format::ImageFolder => "image-folder",
            Format::Csv => "csv",
            Format::Npz => "npz",
            Format::ImageCsv => "image-csv",
        }
    }
}

/// What one input column means: the pixels of a picture, or the named columns of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A picture of `height` x `width` pixels with `channels` channels, flattened as numpy's
    /// `x.reshape(m, -1).T`: feature `(row * width + col) * channels + channel`, divided by 255.
    Picture {
        /// Rows of pixels.
        height: usize,
        /// Columns of pixels.
        width: usize,
        /// 1 (grey), 3 (RGB) or 4 (RGBA); a course HDF5 set may hold any number.
        channels: usize,
    },
    /// A table's feature columns, in order, and the column that held the label. A number
    /// column is one input; a text column is one input per value ([`OneHot`]); a column of
    /// dates is one input per part ([`DateColumn`]).
    Table {
        /// The feature columns' names, in the order of their inputs.
        columns: Vec<String>,
        /// The label column's name (`y` for an npz table).
        target: String,
        /// The text columns among `columns`, with their values; every other column holds
        /// numbers.
        one_hot: Vec<OneHot>,
        /// With `--fill-missing`: every number column's fill value ([`crate::missing`]);
        /// without, a missing number is an error.
        filled: Vec<Filled>,
        /// The columns of dates among `columns`, with their order and parts.
        dates: Vec<DateColumn>,
    },
}

/// One column of a table's input ([`Input::table_blocks`]).
#[derive(Clone, Debug, PartialEq)]
pub struct InputBlock<'a> {
    /// The column's name.
    pub column: &'a str,
    /// Its rows of the `(inputs, m)` input matrix: one for numbers, one per value for text.
    pub inputs: std::ops::Range<usize>,
    /// Its values, when it is a text column.
    pub one_hot: Option<&'a OneHot>,
    /// Its order and parts, when it is a column of dates.
    pub dates: Option<&'a DateColumn>,
}

/// A text column of a table, one-hot encoded: one input per value, 1 where the row has that
/// value and 0 elsewhere. A row whose cell is empty (or `NA`, `?`, ...) or holds a value
/// that training never met has 0 in every one of them.
///
/// ```
/// use dnn_data::dataset::{Input, OneHot};
/// let colour = OneHot { column: "colour".into(), values: vec!["blue".into(), "red".into()] };
/// let input = Input::Table {
///     columns: vec!["size".into(), "colour".into()],
///     target: "label".into(),
///     one_hot: vec![colour],
///     filled: vec![],
///     dates: vec![],
/// };
/// assert_eq!(input.features(), 3);
/// assert_eq!(input.input_names(), ["size", "colour=blue", "colour=red"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OneHot {
    /// The column's name, one of [`Input::Table`]'s `columns`.
    pub column: String,
    /// Its values, in the order of their inputs (sorted as class names are, when read for
    /// training).
    pub values: Vec<String>,
}

impl Input {
    /// The number of input features (`usize::MAX` for a picture shape, or a table's text
    /// columns, whose count does not fit in a `usize`; a model file's shape is checked against its network when it is read,
    /// see [`Input::checked_features`]).
    pub fn features(&self) -> usize {
        self.checked_features().unwrap_or(usize::MAX)
    }

    /// The number of input features, `None` for a picture shape whose product overflows, or
    /// a table whose text columns' values do not add up (a damaged or crafted model file's).
    ///
    /// ```
    /// use dnn_data::dataset::Input;
    /// let cat = Input::Picture { height: 64, width: 64, channels: 3 };
    /// assert_eq!(cat.checked_features(), Some(12288));
    /// let huge = Input::Picture { height: 1 << 62, width: 8, channels: 3 };
    /// assert_eq!(huge.checked_features(), None);
    /// ```
    pub fn checked_features(&self) -> Option<usize> {
        match self {
            Input::Picture {
                height,
                width,
                channels,
            } => height.checked_mul(*width)?.checked_mul(*channels),
            Input::Table {
                columns,
                one_hot,
                dates,
                ..
            } => one_hot
                .iter()
                .map(|h| h.values.len())
                .chain(dates.iter().map(|d| d.parts.len()))
                .try_fold(columns.len(), |n, k| n.checked_sub(1)?.checked_add(k)),
        }
    }

    /// The names of the inputs, in order: a table's columns, with a text column's inputs
    /// named `column=value` ([`OneHot`]) and a date column's `column.part` ([`DateColumn`]);
    /// a picture's `pixel[row,col,channel]`.
    pub fn input_names(&self) -> Vec<String> {
        match self {
            Input::Picture {
                height,
                width,
                channels,
            } => (0..*height)
                .flat_map(|r| {
                    (0..*width).flat_map(move |c| {
                        (0..*channels).map(move |k| format!("pixel[{r},{c},{k}]"))
                    })
                })
                .collect(),
            Input::Table { .. } => self
                .table_blocks()
                .into_iter()
                .flat_map(|b| match (b.one_hot, b.dates) {
                    (Some(h), _) => h
                        .values
                        .iter()
                        .map(|v| format!("{}={v}", b.column))
                        .collect(),
                    (None, Some(d)) => d.input_names(),
                    (None, None) => vec![b.column.to_owned()],
                })
                .collect(),
        }
    }

    /// A table's inputs column by column, in order: each column's name, its rows of the
    /// input matrix, and its values when it is text. Empty for a picture.
    ///
    /// ```
    /// use dnn_data::dataset::{Input, OneHot};
    /// let input = Input::Table {
    ///     columns: vec!["colour".into(), "size".into()],
    ///     target: "label".into(),
    ///     one_hot: vec![OneHot { column: "colour".into(), values: vec!["blue".into(), "red".into()] }],
    ///     filled: vec![],
    ///     dates: vec![],
    /// };
    /// let blocks = input.table_blocks();
    /// assert_eq!((blocks[0].column, blocks[0].inputs.clone()), ("colour", 0..2));
    /// assert_eq!((blocks[1].column, blocks[1].inputs.clone()), ("size", 2..3));
    /// ```
    pub fn table_blocks(&self) -> Vec<InputBlock<'_>> {
        let Input::Table {
            columns,
            one_hot,
            dates,
            ..
        } = self
        else {
            return Vec::new();
        };
        let mut at = 0;
        columns
            .iter()
            .map(|c| {
                let one_hot = one_hot.iter().find(|h| &h.column == c);
                let dates = dates.iter().find(|d| &d.column == c);
                let n = match (one_hot, dates) {
                    (Some(h), _) => h.values.len(),
                    (None, Some(d)) => d.parts.len(),
                    (None, None) => 1,
                };
                at += n;
                InputBlock {
                    column: c,
                    inputs: at - n..at,
                    one_hot,
                    dates,
                }
            })
            .collect()
    }

    /// `"picture"` or `"table"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Input::Picture { .. } => "picture",
            Input::Table { .. } => "table",
        }
    }

    /// `64x64x3 pictures` or `4 columns (a, b, c, d)`, for messages.
    pub fn describe(&self) -> String {
        match self {
            Input::Picture {
                height,
                width,
                channels,
            } => format!("{height}x{width}x{channels} pictures"),
            Input::Table {
                columns,
                one_hot,
                dates,
                ..
            } => {
                let shown: Vec<&str> = columns.iter().take(8).map(String::as_str).collect();
                let more = if columns.len() > 8 { ", ..." } else { "" };
                let s = |n: usize| if n == 1 { "" } else { "s" };
                let kinds: Vec<String> = [
                    (one_hot.len(), "text, one-hot encoded"),
                    (dates.len(), "dates"),
                ]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, what)| format!("{n} of them {what}"))
                .collect();
                let text = match kinds.len() {
                    0 => String::new(),
                    _ => format!(
                        ", {}: {} input{}",
                        kinds.join(", "),
                        self.features(),
                        s(self.features())
                    ),
                };
                format!(
                    "{} column{} ({}{more}){text}",
                    columns.len(),
                    s(columns.len()),
                    shown.join(", ")
                )
            }
        }
    }
}

/// What a network's inputs and outputs mean: its class names (or, for a regression, the
/// target's scale), its input and the standardisation its inputs go through. A [`Dataset`]
/// has one; a model file records it.
#[derive(Clone, Debug, PartialEq)]
pub struct DataSpec {
    /// The class names in index order (label `k` is `classes[k]`); at least two for a
    /// classifier, none for a regression.
    pub classes: Vec<String>,
    /// A regression's target scale: `Some` when the network predicts a number (one identity
    /// output, undone by this z-score), `None` for a classifier.
    pub regression: Option<TargetScale>,
    /// The kind of input.
    pub input: Input,
    /// The z-score applied to every input before the network, if any.
    pub standardization: Option<Standardization>,
    /// A table's inputs' smallest and largest training values, as the network saw them
    /// (after `standardization`): what new data is checked against
    /// ([`crate::ranges`]). `None` for pictures, and for models saved before dnn recorded it.
    pub ranges: Option<InputRanges>,
}

impl DataSpec {
    /// The network's output units: 1 identity unit for a regression, 1 sigmoid unit for two
    /// classes, else one softmax unit per class.
    pub fn outputs(&self) -> usize {
        if self.regression.is_some() {
            1
        } else {
            outputs_for(self.classes.len())
        }
    }

    /// The target column's name: a table's (`y` for an npz archive's); `None` for pictures
    /// or a file that does not record it.
    pub fn target(&self) -> Option<&str> {
        match &self.input {
            Input::Table { target, .. } if !target.is_empty() => Some(target),
            _ => None,
        }
    }

    /// The output layer's activation: identity for a regression, sigmoid for two classes,
    /// softmax for more.
    pub fn output_activation(&self) -> dnn_core::Activation {
        match (self.regression, self.classes.len()) {
            (Some(_), _) => dnn_core::Activation::Identity,
            (None, 2) => dnn_core::Activation::Sigmoid,
            _ => dnn_core::Activation::Softmax,
        }
    }

    /// The cat set's: `non-cat`/`cat` on 64x64 RGB pictures, not standardised. Model files
    /// written before they recorded their data are read as this when they have its shape.
    pub fn cat() -> DataSpec {
        DataSpec {
            ranges: None,
            classes: vec!["non-cat".into(), "cat".into()],
            input: Input::Picture {
                height: 64,
                width: 64,
                channels: 3,
            },
            standardization: None,
            regression: None,
        }
    }
}

/// Output units for `classes` classes: 1 (sigmoid) for two, `classes` (softmax) for more.
pub fn outputs_for(classes: usize) -> usize {
    if classes == 2 {
        1
    } else {
        classes
    }
}

/// How a source without a test part was split.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SplitSpec {
    /// The fraction of each class that went to the test part.
    pub fraction: f64,
    /// The seed of the numpy-compatible generator that chose them.
    pub seed: u32,
    /// Cross-validation's fold that is the test part ([`LoadOptions::fold`]); `fraction` is
    /// then the share of the examples it holds.
    pub fold: Option<Fold>,
}

/// The groups of rows a split kept whole ([`LoadOptions::group_by`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Groups {
    /// The column naming each row's group.
    pub column: String,
    /// How many groups the data has.
    pub count: usize,
    /// How many of them make the test part.
    pub in_test: usize,
    /// Each training example's group (an index below `count`), in the training part's
    /// order: a validation part is held out by them ([`Dataset::hold_out`]).
    pub train: Vec<usize>,
}

/// Where a [`Dataset`] came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// The format it was read as.
    pub format: Format,
    /// The path given.
    pub path: PathBuf,
    /// `Some` when the source had no test part and one was split off.
    pub split: Option<SplitSpec>,
    /// Files skipped for want of an image extension (image folders; hidden files such as
    /// `.DS_Store` are not counted).
    pub skipped_files: usize,
    /// Folders and pictures of an image folder that are in no class folder, and so were not
    /// read: a `validation/` beside `train/` and `test/`, a picture beside the class folders.
    pub unread: Vec<PathBuf>,
    /// Whether the inputs are numbers used as they are (tables, whatever their type, and
    /// float pictures), rather than pictures' bytes divided by 255.
    pub numeric_inputs: bool,
    /// A table's text values that training never met, per column: met only in the test part,
    /// or, read with a model's columns, not among its values. They are no value (all 0).
    pub unseen: Vec<crate::categories::Unseen>,
    /// A table's text columns, counted over the training part: how many rows have each
    /// value, and how many have none (empty or missing cells).
    pub text_counts: Vec<crate::categories::TextCounts>,
    /// The SHA-256 of the bytes read ([`crate::fingerprint`]): a file's own, or a
    /// directory's over its files' names and digests; `None` for data made in memory.
    pub sha256: Option<String>,
    /// Whether it was read whole: every example in the test part ([`Parts::Whole`]).
    pub whole: bool,
    /// A table read with a model's columns: its other columns, neither an input of the model
    /// nor its target, which were not read: their numbers (from 1) and names
    /// ([`crate::table::Table::left_out`]).
    pub left_out_columns: Vec<(usize, String)>,
    /// An image CSV's picture and target columns ([`crate::image_csv`]); `None` for other
    /// formats.
    pub image_csv: Option<crate::image_csv::Columns>,
    /// A table read for training: what is likely a mistake but not surely one, for the
    /// caller to warn about ([`crate::table_checks`]: columns of dates, row numbers and ids,
    /// nearly one text value per row, a nameless first column of row numbers left out).
    /// Empty for other formats and for a table read with a model's columns.
    pub table_warnings: Vec<crate::table_checks::TableWarning>,
    /// A table's numbers were read with decimal commas allowed
    /// ([`LoadOptions::decimal_comma`]), which a model trained on it records.
    pub decimal_comma: bool,
    /// A table's numbers were read as written by hand ([`LoadOptions::parse_numbers`]),
    /// which a model trained on it records.
    pub parse_numbers: bool,
    /// The groups a split kept whole (`--group-by`), when it did.
    pub groups: Option<Groups>,
}

/// Examples ready for training: inputs as `(features, m)` matrices of `X` (`f64`, or `f32`
/// for a network in `f32`: [`load_as`]), one column per example, labels as class indices,
/// and what they mean.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<X: Float = f64> {
    /// Training inputs, `(features, m_train)`, in example-major layout (each column
    /// contiguous: [`example_major`]) as [`load`] gives them.
    pub train_x: Array2<X>,
    /// The class index of each training example (empty for a regression: a data set holds
    /// labels or values, as [`DataSpec::regression`] says, never both).
    pub train_labels: Vec<usize>,
    /// A regression's target value of each training example, as the file has it (empty for
    /// classes).
    pub train_values: Vec<f64>,
    /// Test inputs, `(features, m_test)`, in example-major layout as [`load`] gives them.
    pub test_x: Array2<X>,
    /// The class index of each test example (empty for a regression).
    pub test_labels: Vec<usize>,
    /// A regression's target value of each test example (empty for classes).
    pub test_values: Vec<f64>,
    /// Class names, input kind, standardisation.
    pub spec: DataSpec,
    /// Format, path, split.
    pub source: Source,
    /// The training pictures as bytes, `(m_train, height, width, channels)`, for display.
    pub train_images: Option<Array4<u8>>,
    /// The test pictures as bytes, `(m_test, height, width, channels)`, for display.
    pub test_images: Option<Array4<u8>>,
}

impl<X: Float> Dataset<X> {
    /// Number of training examples.
    pub fn train_len(&self) -> usize {
        self.train_x.ncols()
    }

    /// Number of test examples.
    pub fn test_len(&self) -> usize {
        self.test_x.ncols()
    }

    /// Moves every training example into the test part, before the test examples, leaving
    /// the training part empty ([`Parts::Whole`]).
    pub(crate) fn join_parts(&mut self) {
        if self.train_len() == 0 {
            return;
        }
        let features = self.features();
        let train_x = std::mem::replace(&mut self.train_x, Array2::zeros((features, 0)));
        self.test_x = ndarray::concatenate(Axis(1), &[train_x.view(), self.test_x.view()])
            .unwrap_or_else(|_| unreachable!("both parts have {features} features"));
        let mut labels = std::mem::take(&mut self.train_labels);
        labels.append(&mut self.test_labels);
        self.test_labels = labels;
        let mut values = std::mem::take(&mut self.train_values);
        values.append(&mut self.test_values);
        self.test_values = values;
        match (self.train_images.take(), &self.test_images) {
            (Some(train), Some(test)) => {
                let empty = Array4::zeros((0, train.dim().1, train.dim().2, train.dim().3));
                self.test_images = Some(
                    ndarray::concatenate(Axis(0), &[train.view(), test.view()])
                        .unwrap_or_else(|_| unreachable!("both parts' pictures are of one size")),
                );
                self.train_images = Some(empty);
            }
            (None, None) => {}
            _ => unreachable!("a reader gives both parts' pictures or neither's"),
        }
    }

    /// Whether the network predicts a number ([`DataSpec::regression`]).
    pub fn is_regression(&self) -> bool {
        self.spec.regression.is_some()
    }

    /// Number of input features.
    pub fn features(&self) -> usize {
        self.train_x.nrows()
    }

    /// The network's output units ([`DataSpec::outputs`]).
    pub fn outputs(&self) -> usize {
        self.spec.outputs()
    }

    /// The training labels as the network's targets ([`labels_matrix`]), or a regression's
    /// target values z-scored ([`values_matrix`]).
    pub fn train_y<F: Float>(&self) -> Array2<F> {
        self.targets(&self.train_labels, &self.train_values)
    }

    /// The test labels as the network's targets ([`labels_matrix`], [`values_matrix`]).
    pub fn test_y<F: Float>(&self) -> Array2<F> {
        self.targets(&self.test_labels, &self.test_values)
    }

    pub(crate) fn targets<F: Float>(&self, labels: &[usize], values: &[f64]) -> Array2<F> {
        match &self.spec.regression {
            Some(scale) => values_matrix(values, scale),
            None => labels_matrix(labels, self.spec.classes.len()),
        }
    }

    /// Whether the z-score is on by default for this data: for tables (CSV, and npz of any
    /// type) and float npz pictures, not for pictures' bytes (divided by 255, they are
    /// already in `[0, 1]`).
    pub fn standardize_by_default(&self) -> bool {
        self.source.numeric_inputs
    }

    /// Fits a z-score on the training part and applies it to both parts (and records it in
    /// [`DataSpec::standardization`]); see [`Standardization::fit`].
    pub fn standardize(&mut self) {
        let z = Standardization::fit(self.train_x.view());
        self.apply_standardization(z);
    }

    /// Records a table's input ranges over the training part as read (any validation part
    /// later held out of it included), in the units the network sees ([`DataSpec::ranges`]).
    fn fit_ranges(&mut self) {
        if let Input::Table { .. } = self.spec.input {
            self.spec.ranges = InputRanges::fit(self.train_x.view());
        }
    }

    /// Applies a z-score fitted elsewhere (a model's) to both parts, and records it.
    ///
    /// # Panics
    /// If its length is not the number of features (a model is checked against the data
    /// before).
    pub fn apply_standardization(&mut self, z: Standardization) {
        z.apply(&mut self.train_x);
        z.apply(&mut self.test_x);
        self.spec.standardization = Some(z);
        // The ranges are of the inputs the network sees: z-scored now.
        self.fit_ranges();
    }

    /// The z-score that `zscore` asks for: fitted on the training part, or given; `None` to
    /// leave the inputs as they are.
    ///
    /// # Errors
    /// [`DataError::ZScoreWidth`] for a given z-score of another width than the data.
    fn standardize_as(&mut self, zscore: &ZScore) -> Result<()> {
        if self.source.format == Format::Csv {
            // Standardised as read, input by input in f64 ([`crate::table::load`]).
            return Ok(());
        }
        match zscore {
            ZScore::Off => {}
            ZScore::Auto if !self.standardize_by_default() => {}
            ZScore::On | ZScore::Auto => self.standardize(),
            ZScore::Given(z) if z.len() != self.features() => {
                return Err(DataError::ZScoreWidth {
                    path: self.source.path.clone(),
                    input: Box::new(self.spec.input.clone()),
                    covers: z.len(),
                })
            }
            ZScore::Given(z) => self.apply_standardization(z.clone()),
        }
        Ok(())
    }
}

impl Dataset<f64> {
    /// These examples with their inputs in `X`, each part converted (and its `f64` matrix
    /// freed) in turn; the same data, moved, for `f64`.
    pub fn into_inputs<X: Float>(self) -> Dataset<X> {
        Dataset {
            train_x: matrix_into(self.train_x),
            train_labels: self.train_labels,
            train_values: self.train_values,
            test_x: matrix_into(self.test_x),
            test_labels: self.test_labels,
            test_values: self.test_values,
            spec: self.spec,
            source: self.source,
            train_images: self.train_images,
            test_images: self.test_images,
        }
    }
}

/// `x` in `X`: moved for `f64`, converted (`as f32`) otherwise.
fn matrix_into<X: Float>(x: Array2<f64>) -> Array2<X> {
    let any: Box<dyn std::any::Any> = Box::new(x);
    match any.downcast::<Array2<X>>() {
        Ok(same) => *same,
        Err(any) => match any.downcast::<Array2<f64>>() {
            Ok(x) => x.mapv(X::of),
            Err(_) => unreachable!("an Array2<f64> was boxed"),
        },
    }
}

/// Labels as a network's targets: for two classes a `(1, m)` row of 0.0/1.0 (one sigmoid
/// output), for more the one-hot `(K, m)` matrix (softmax).
///
/// ```
/// let y = dnn_data::dataset::labels_matrix::<f64>(&[1, 0], 2);
/// assert_eq!(y, ndarray::array![[1.0, 0.0]]);
/// let y = dnn_data::dataset::labels_matrix::<f64>(&[2, 0], 3);
/// assert_eq!(y, ndarray::array![[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]]);
/// ```
///
/// # Panics
/// If a label is not below `classes` (the class indices of a [`Dataset`] always are).
///
/// ```should_panic
/// // "labels_matrix: label 3 (example 1) is not a class index below 2"
/// dnn_data::dataset::labels_matrix::<f64>(&[0, 3], 2);
/// ```
pub fn labels_matrix<F: Float>(labels: &[usize], classes: usize) -> Array2<F> {
    if let Some((j, &label)) = labels.iter().enumerate().find(|(_, &l)| l >= classes) {
        panic!("labels_matrix: label {label} (example {j}) is not a class index below {classes}");
    }
    if classes == 2 {
        Array2::from_shape_fn((1, labels.len()), |(_, j)| F::of(labels[j] as f64))
    } else {
        dnn_core::one_hot(labels, classes)
    }
}

/// A regression's target values as the network's targets: the `(1, m)` row of
/// `scale.scaled(y)`.
///
/// ```
/// use dnn_data::TargetScale;
/// let scale = TargetScale { mean: 10.0, std: 2.0 };
/// let y = dnn_data::dataset::values_matrix::<f64>(&[12.0, 9.0], &scale);
/// assert_eq!(y, ndarray::array![[1.0, -0.5]]);
/// ```
pub fn values_matrix<F: Float>(values: &[f64], scale: &TargetScale) -> Array2<F> {
    Array2::from_shape_fn((1, values.len()), |(_, j)| F::of(scale.scaled(values[j])))
}

/// What to read and how; every field has a default ([`LoadOptions::default`]).
#[derive(Clone, Debug, PartialEq)]
pub struct LoadOptions {
    /// The format; detected from the path when `None` ([`detect_format`]).
    pub format: Option<Format>,
    /// CSV: the label column (default: the last one).
    pub target: Option<String>,
    /// CSV: the feature columns, by name and in this order (a model's); default: every
    /// column but the target.
    pub columns: Option<Vec<String>>,
    /// CSV, with `columns` (a model's): its text columns and their values.
    pub one_hot: Vec<OneHot>,
    /// CSV, with `columns` (a model's): its number columns' fill values.
    pub filled: Vec<Filled>,
    /// CSV, with `columns` (a model's): its columns of dates ([`crate::dates`]).
    pub dates: Vec<DateColumn>,
    /// CSV, without `columns`: the inputs each column of dates makes (`--date-parts`);
    /// `None`: the parts its cells give ([`crate::dates::detect`]).
    pub date_parts: Option<Vec<crate::dates::DatePart>>,
    /// CSV, without `columns`: the order of a column of dates none of whose cells tells day
    /// from month (`--date-order`); `None`: guessed, with a warning ([`crate::dates`]).
    pub date_order: Option<crate::dates::DateOrder>,
    /// CSV, without `columns`: fill missing numbers with this statistic of the training
    /// part ([`crate::missing`]); `None`: a missing number is an error.
    pub fill_missing: Option<FillMissing>,
    /// CSV, without `columns`: columns to leave out.
    pub drop_columns: Vec<String>,
    /// CSV, without `columns`: columns to read as text and one-hot encode, even where their
    /// cells are numbers (codes such as a postcode) or their values are many.
    pub one_hot_columns: Vec<String>,
    /// The class names and their order ([`ClassChoice::Exactly`] for a regression is an
    /// error).
    pub classes: ClassChoice,
    /// CSV and npz: classes, or a number to predict ([`crate::target`]).
    pub task: Task,
    /// A regression model's target scale, used instead of one fitted on the training part.
    pub target_scale: Option<TargetScale>,
    /// A source without a test part sends this fraction of each class to the test part.
    pub test_split: f64,
    /// A training and a test part, or every example in the test part ([`Parts`]).
    pub parts: Parts,
    /// The seed of that split.
    pub split_seed: u32,
    /// Image folders and image CSVs: pictures are resized to `(height, width)`.
    pub picture_size: (u32, u32),
    /// Image CSVs: the folder the names they list are taken from and the suffix appended to
    /// them (`--image-dir`, `--image-suffix`; default: the names as written, from the
    /// table's folder). Given for another format, an error; given without a format, a
    /// `.csv` file is read as an image CSV ([`detect_format_for`]).
    pub picture_names: crate::image_csv::PictureNames,
    /// Whether the inputs are standardised as they are read ([`ZScore`]; default: not).
    pub zscore: ZScore,
    /// CSV and image CSVs: rows without a label (empty, or `NA` among numbers:
    /// [`crate::table::unlabeled`]) are left out, with a
    /// [`crate::table_checks::TableWarning::Unlabeled`], rather than refused (default).
    pub drop_unlabeled: bool,
    /// CSV and image CSVs: numbers may be written with a decimal comma (`18,0`;
    /// [`crate::table::Columns::decimal_comma`]).
    pub decimal_comma: bool,
    /// CSV and image CSVs: numbers may be written by hand (`$1,234.50`, `12%`, `1 000`;
    /// [`crate::table::Columns::parse_numbers`]).
    pub parse_numbers: bool,
    /// CSV: the column of each row's group (`--group-by`), which the split keeps whole
    /// ([`crate::split::grouped`]), and a validation part too ([`Dataset::hold_out`]).
    /// Reading for a model, a table without that column is read without groups.
    pub group_by: Option<String>,
    /// Cross-validation: a source without a test part is split into folds
    /// ([`crate::split::stratified_fold`], [`crate::split::shuffled_fold`], or
    /// [`crate::split::grouped_fold`] with `group_by`), seeded by `split_seed`, and this fold
    /// is the test part, in place of `test_split`'s split; `None`: that split.
    pub fold: Option<Fold>,
}

/// Which part each example goes to ([`LoadOptions::parts`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Parts {
    /// A training and a test part: the source's own, or a test part split off
    /// ([`LoadOptions::test_split`]).
    #[default]
    Split,
    /// Every example in the test part, the training part empty: for scoring a model on data
    /// it was not trained on. No test part is split off, a source's own training part joins
    /// its test part (before its test examples), and what a reader fits on the training
    /// part (a table's text values and fill values, a regression's target scale) it fits on
    /// every example, unless given (a model's).
    Whole,
    /// [`Parts::Split`] when the data's SHA-256 ([`Source::sha256`]) is this one, the data a
    /// model was trained on ([`crate::model::TrainingSetup::data_sha256`]); [`Parts::Whole`]
    /// for any other data.
    SplitIfSha256(String),
}

impl Parts {
    /// Whether data whose SHA-256 is `sha256` is read whole.
    pub(crate) fn whole_for(&self, sha256: &str) -> bool {
        match self {
            Parts::Split => false,
            Parts::Whole => true,
            Parts::SplitIfSha256(h) => h != sha256,
        }
    }
}

impl LoadOptions {
    /// These options for data whose SHA-256 is `sha256`: [`Parts::SplitIfSha256`] decided.
    pub(crate) fn resolved(&self, sha256: &str) -> LoadOptions {
        let parts = if self.parts.whole_for(sha256) {
            Parts::Whole
        } else {
            Parts::Split
        };
        LoadOptions {
            parts,
            ..self.clone()
        }
    }

    /// Whether every example goes to the test part ([`Parts::Whole`]; a reader decides
    /// [`Parts::SplitIfSha256`] first, with [`LoadOptions::resolved`]).
    pub(crate) fn whole(&self) -> bool {
        self.parts == Parts::Whole
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            format: None,
            target: None,
            columns: None,
            one_hot: Vec::new(),
            dates: Vec::new(),
            date_parts: None,
            date_order: None,
            filled: Vec::new(),
            fill_missing: None,
            drop_columns: Vec::new(),
            one_hot_columns: Vec::new(),
            classes: ClassChoice::Natural,
            task: Task::Auto,
            target_scale: None,
            test_split: DEFAULT_TEST_SPLIT,
            parts: Parts::Split,
            split_seed: DEFAULT_SPLIT_SEED,
            picture_size: (DEFAULT_IMAGE_SIZE, DEFAULT_IMAGE_SIZE),
            picture_names: crate::image_csv::PictureNames::default(),
            zscore: ZScore::Off,
            drop_unlabeled: false,
            decimal_comma: false,
            parse_numbers: false,
            group_by: None,
            fold: None,
        }
    }
}

/// Tells the format of `path`: a `.csv` (or `.tsv`) file is an image CSV when a column of
/// its first row names a picture file ([`crate::table::picture_column`]), else CSV; a
/// `.npz` file is NumPy; a
/// directory with one `train_*.h5` and one `test_*.h5` file is a course HDF5 set, and so is
/// one with such files and no folder in it (loading it then says which file is amiss); any
/// other directory an image folder.
///
/// # Errors
/// [`DataError::FileNotFound`] if nothing is at `path`, [`DataError::BadSource`] for a file
/// of another kind.
pub fn detect_format(path: &Path) -> Result<Format> {
    let meta = std::fs::metadata(path).map_err(|e| crate::error::io_error(path, e))?;
    if meta.is_dir() {
        return Ok(if crate::course::looks_like(path) {
            Format::CourseH5
        } else {
            Format::ImageFolder
        });
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("csv" | "tsv") => Ok(match crate::table::picture_column(path) {
            Some(_) => Format::ImageCsv,
            None => Format::Csv,
        }),
        Some("npz") => Ok(Format::Npz),
        _ if compressed_as(path).is_some() => Err(DataError::BadSource {
            path: path.to_path_buf(),
            problem: crate::table_checks::compressed_problem(
                path,
                compressed_as(path).unwrap_or_default(),
            ),
        }),
        _ => Err(DataError::BadSource {
            path: path.to_path_buf(),
            problem: "cannot tell its format: dnn reads a directory (course HDF5 files or an image folder), a .csv or a .npz file; --format csv|image-csv|npz|image-folder|course-h5 reads it as one".into(),
        }),
    }
}

/// What compresses the file at `path` ([`crate::table_checks::compressed`]), if it can be
/// read and is compressed.
fn compressed_as(path: &Path) -> Option<&'static str> {
    use std::io::Read;
    let mut start = [0u8; 8];
    let mut file = std::fs::File::open(path).ok()?;
    let n = file.read(&mut start).ok()?;
    crate::table_checks::compressed(&start[..n])
}

/// [`detect_format`] of data whose image CSV names are taken as `names` say
/// ([`LoadOptions::picture_names`]): given a folder or a suffix, a `.csv` or `.tsv` file is
/// an image CSV, whatever its first row (its names may lack their extension: reading it says
/// when it lists no pictures, naming the flag); anything else as [`detect_format`] tells it
/// (and reading it then refuses the names).
///
/// ```
/// use dnn_data::dataset::{detect_format, detect_format_for};
/// use dnn_data::{image_csv::PictureNames, Format};
/// # let dir = tempfile::tempdir()?;
/// let labels = dir.path().join("labels.csv");
/// std::fs::write(&labels, "id,breed\n000bec,boston_bull\n")?;
/// assert_eq!(detect_format(&labels)?, Format::Csv);
/// let kaggle = PictureNames { suffix: Some(".jpg".into()), ..PictureNames::default() };
/// assert_eq!(detect_format_for(&labels, &kaggle)?, Format::ImageCsv);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`detect_format`].
pub fn detect_format_for(path: &Path, names: &crate::image_csv::PictureNames) -> Result<Format> {
    let format = detect_format(path)?;
    Ok(match format {
        Format::Csv if !names.is_default() => Format::ImageCsv,
        format => format,
    })
}

/// Loads the data at `path` as `options` say, inputs in `f64`; see the [module docs](self)
/// and [`load_as`].
///
/// # Errors
/// Every [`DataError`] of the format's reader, and [`DataError::BadSplit`] when a split
/// leaves either part empty or `test_split` is not in `(0, 1)`.
pub fn load(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Dataset> {
    load_as::<f64>(path, options)
}

/// Loads the data at `path` as `options` say, inputs in `X`: for a network in `f32`, the
/// data takes half the memory of `f64` inputs, and no `f64` copy is kept.
///
/// The inputs are the values [`load`] gives (standardised as [`LoadOptions::zscore`] says)
/// rounded once to `X`. `float32` arrays and uint8 tables are read into `X` directly, and so
/// are pictures' bytes over 255 unless standardised; a CSV table is z-scored input by input
/// in `f64` as its columns become the matrix; `float64` arrays and standardised pictures,
/// whose values `f32` does not hold exactly before the z-score, are read and standardised
/// in `f64` first, then converted, one part at a time.
///
/// ```
/// use dnn_data::{load, load_as, LoadOptions, ZScore};
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("t.csv");
/// let rows: String = (0..50).map(|i| format!("{},{}\n", 1.7e9 + i as f64, i % 2)).collect();
/// std::fs::write(&path, format!("time,y\n{rows}"))?;
/// let options = LoadOptions { zscore: ZScore::Auto, ..LoadOptions::default() };
/// let narrow = load_as::<f32>(&path, &options)?;
/// let wide = load(&path, &options)?;
/// // Standardised in f64, then rounded: the times keep their differences of a second.
/// assert_eq!(narrow.train_x, wide.train_x.mapv(|v| v as f32));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`load`], and [`DataError::ZScoreWidth`] for a [`ZScore::Given`] of another width
/// than the data.
pub fn load_as<X: Float>(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Dataset<X>> {
    let path = path.as_ref();
    let format = match options.format {
        Some(f) => f,
        None => detect_format_for(path, &options.picture_names)?,
    };
    // Whether the values `load` gives are `X`'s: before a z-score, pictures' bytes over 255
    // are rounded once either way; under one, only exact inputs may be standardised in `X`.
    let standardized = matches!(options.zscore, ZScore::On | ZScore::Given(_));
    let exact = X::NAME == f64::NAME
        || match format {
            // A table is standardised as it is read, input by input, in f64.
            Format::Csv => true,
            Format::Npz => crate::npz::exact_in_f32(path, standardized),
            Format::CourseH5 | Format::ImageFolder | Format::ImageCsv => !standardized,
        };
    if exact {
        let mut data = read::<X>(path, format, options)?;
        data.standardize_as(&options.zscore)?;
        data.fit_ranges();
        Ok(data)
    } else {
        let mut data = read::<f64>(path, format, options)?;
        data.standardize_as(&options.zscore)?;
        // Of the inputs the network sees: in `X`.
        let mut data = data.into_inputs();
        data.fit_ranges();
        Ok(data)
    }
}

/// The data at `path` read as `format`, inputs in `X`, not standardised.
fn read<X: Float>(path: &Path, format: Format, options: &LoadOptions) -> Result<Dataset<X>> {
    if options.task == Task::Regress
        && !matches!(format, Format::Csv | Format::Npz | Format::ImageCsv)
    {
        return Err(DataError::BadSource {
            path: path.to_path_buf(),
            problem: format!(
                "a number to predict (a regression) is a CSV table's number column (an image \
                 CSV's too) or an npz archive's `y`, but this is read as {}, whose labels are \
                 classes",
                format.name()
            ),
        });
    }
    let given = options.picture_names.given();
    if !given.is_empty() && format != Format::ImageCsv {
        return Err(DataError::BadSource {
            path: path.to_path_buf(),
            problem: format!(
                "{} {} the pictures an image CSV lists, but this is read as {}",
                given.join(" and "),
                if given.len() == 1 { "names" } else { "name" },
                format.name()
            ),
        });
    }
    let mut data = match format {
        Format::CourseH5 => crate::course::load::<X>(path, options),
        Format::ImageFolder => crate::folder::load::<X>(path, options),
        Format::Csv => crate::table::load::<X>(path, options),
        Format::Npz => crate::npz::load::<X>(path, options),
        Format::ImageCsv => crate::image_csv::load::<X>(path, options),
    }?;
    if data.source.whole {
        data.join_parts();
    }
    data.train_x = example_major(data.train_x);
    data.test_x = example_major(data.test_x);
    // Every reader fills one kind of target, as the spec says; the tests of every reader
    // run through here.
    debug_assert!(
        if data.is_regression() {
            data.spec.classes.is_empty()
                && data.train_labels.is_empty()
                && data.test_labels.is_empty()
                && data.train_values.len() == data.train_len()
                && data.test_values.len() == data.test_len()
        } else {
            data.train_values.is_empty()
                && data.test_values.is_empty()
                && data.train_labels.len() == data.train_len()
                && data.test_labels.len() == data.test_len()
        },
        "a data set of labels and values mixed"
    );
    check_labels_fit(
        path,
        data.spec.classes.len(),
        data.train_len() + data.test_len(),
    )?;
    check_names_fit(path, &data.spec)?;
    Ok(data)
}

/// `x` in example-major layout: each column (example) contiguous, as `x.t()` of a matrix in
/// standard layout (`x.reshape(m, -1).T` in numpy), the layout a mini-batch gathers fastest
/// from (a contiguous copy per example, where a feature-major `x` makes a scattered read per
/// value). Moved as it is when already so; otherwise transposed in place, so that a table's
/// matrix is never held twice.
///
/// ```
/// use dnn_data::example_major;
/// use ndarray::array;
/// let x = example_major(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// assert_eq!(x, array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// assert_eq!(x.as_slice_memory_order(), Some(&[1.0, 4.0, 2.0, 5.0, 3.0, 6.0][..]));
/// ```
pub fn example_major<X: Float>(x: Array2<X>) -> Array2<X> {
    if x.t().is_standard_layout() {
        return x;
    }
    let (n, m) = x.dim();
    let x = match x.is_standard_layout() {
        true => x,
        false => x.as_standard_layout().into_owned(),
    };
    let (mut values, offset) = x.into_raw_vec_and_offset();
    debug_assert_eq!(
        offset.unwrap_or(0),
        0,
        "an owned standard-layout array starts its buffer"
    );
    // The `(n, m)` rows become the `(m, n)` rows: the columns of `(n, m)` in Fortran order.
    let mut scratch = vec![X::zero(); n.max(m)];
    transpose::transpose_inplace(&mut values, &mut scratch, m, n);
    Array2::from_shape_vec((n, m).f(), values).unwrap_or_else(|_| unreachable!("{n} x {m} values"))
}

/// Refuses class and column names longer than a model file keeps
/// ([`crate::model::NAME_CAPACITY`] bytes of UTF-8) before any training, which would
/// otherwise be lost when the model cannot be saved.
fn check_names_fit(path: &Path, spec: &DataSpec) -> Result<()> {
    let (columns, values): (Vec<&String>, Vec<(String, &String)>) = match &spec.input {
        Input::Table {
            columns,
            target,
            one_hot,
            ..
        } => (
            columns.iter().chain([target]).collect(),
            (one_hot.iter())
                .flat_map(|h| {
                    let what = format!("text column `{}`'s value", crate::error::shown(&h.column));
                    h.values.iter().map(move |v| (what.clone(), v))
                })
                .collect(),
        ),
        Input::Picture { .. } => (Vec::new(), Vec::new()),
    };
    let names = spec
        .classes
        .iter()
        .map(|n| ("class".to_owned(), n))
        .chain(columns.into_iter().map(|n| ("column".to_owned(), n)))
        .chain(values);
    for (what, name) in names {
        if name.len() > crate::model::NAME_CAPACITY {
            return Err(DataError::BadSource {
                path: path.to_path_buf(),
                problem: format!(
                    "the {what} name `{}` is {} bytes long, and a model file keeps names of at \
                     most {} bytes of UTF-8; shorten it in the data",
                    crate::error::shown(name),
                    name.len(),
                    crate::model::NAME_CAPACITY
                ),
            });
        }
    }
    Ok(())
}

/// Refuses a data set whose label matrices ([`labels_matrix`]: one row per class beyond two,
/// a column per example) cannot fit in memory, rather than let training end the process
/// when it builds them: a label column of numbers that are not classes (a price, an id) makes
/// as many classes as values.
pub(crate) fn check_labels_fit(path: &Path, classes: usize, examples: usize) -> Result<()> {
    let rows = outputs_for(classes) as u128;
    let bytes = rows
        .checked_mul(examples as u128)
        .and_then(|n| n.checked_mul(std::mem::size_of::<f64>() as u128));
    ensure_fits(path, bytes, || {
        format!(
            "its {classes} classes over {examples} examples make label matrices of {rows} x \
             {examples} numbers, more than this machine can hold; is the label column right \
             (a CSV table's is its last unless --target names another)?"
        )
    })
}

/// Fails with `problem` (naming `path`) unless `bytes` can be allocated now
/// ([`dnn_core::fits_in_memory`]): for buffers whose size the data decides.
pub(crate) fn ensure_fits(
    path: &Path,
    bytes: Option<u128>,
    problem: impl FnOnce() -> String,
) -> Result<()> {
    if dnn_core::fits_in_memory(bytes) {
        return Ok(());
    }
    Err(DataError::BadSource {
        path: path.to_path_buf(),
        problem: problem(),
    })
}

/// The examples of a source, one per row, before they become columns of `f64` or `f32`.
pub(crate) enum Rows<'a> {
    /// Pictures' bytes, divided by 255.
    Bytes(ArrayView2<'a, u8>),
    /// A table's bytes (a 2-D uint8 npz array), used as the numbers they are.
    U8(ArrayView2<'a, u8>),
    /// Single-precision values, used as they are.
    F32(ArrayView2<'a, f32>),
    /// Double-precision values, used as they are.
    F64(ArrayView2<'a, f64>),
}

/// [`Rows::columns`] copies about `BLOCK * BLOCK` values per parallel task.
const BLOCK: usize = 128;

impl Rows<'_> {
    /// The examples `picked` (row indices), as the columns of a `(features, picked.len())`
    /// matrix in example-major layout (each column contiguous): a copy per example, run on
    /// every core. Bytes become `v / 255` exactly as [`crate::flatten_images`] computes it.
    ///
    /// # Errors
    /// The problem, for the caller to name its file, when that matrix cannot fit in memory
    /// ([`dnn_core::fits_in_memory`]): bytes grow eightfold as `f64` features, fourfold as
    /// `f32`.
    pub(crate) fn columns<X: Float>(
        &self,
        picked: &[usize],
    ) -> std::result::Result<Array2<X>, String> {
        let features = match self {
            Rows::Bytes(a) | Rows::U8(a) => a.ncols(),
            Rows::F32(a) => a.ncols(),
            Rows::F64(a) => a.ncols(),
        };
        let bytes = (features as u128)
            .checked_mul(picked.len() as u128)
            .and_then(|n| n.checked_mul(std::mem::size_of::<X>() as u128));
        if !dnn_core::fits_in_memory(bytes) {
            return Err(format!(
                "its {} examples of {features} features need more memory as {} numbers than this machine can hold",
                picked.len(),
                X::NAME
            ));
        }
        Ok(match self {
            Rows::Bytes(a) => gather(a, picked, |v| f64::from(v) / 255.0),
            Rows::U8(a) => gather(a, picked, f64::from),
            Rows::F32(a) => gather(a, picked, f64::from),
            Rows::F64(a) => gather(a, picked, |v| v),
        })
    }
}

/// Rows `picked` of `rows` as the columns of a `(features, k)` matrix of `X` in
/// example-major layout (each column contiguous, see [`Dataset::train_x`]), each value
/// `convert`ed in `f64` and then rounded once to `X`: one contiguous copy per example.
fn gather<T: Copy + Sync, X: Float>(
    rows: &ArrayView2<'_, T>,
    picked: &[usize],
    convert: impl Fn(T) -> f64 + Sync,
) -> Array2<X> {
    let n = rows.ncols();
    let k = picked.len();
    let mut out = Array2::<X>::zeros((n, k).f());
    if n == 0 || k == 0 {
        return out;
    }
    let Some(dst) = out.as_slice_memory_order_mut() else {
        unreachable!("a new array is contiguous")
    };
    // Whole examples per task, about `BLOCK * BLOCK` values each.
    let per_task = (BLOCK * BLOCK).div_ceil(n);
    dst.par_chunks_mut(per_task * n)
        .zip(picked.par_chunks(per_task))
        .for_each(|(block, examples)| {
            for (column, &r) in block.chunks_mut(n).zip(examples) {
                for (o, &v) in column.iter_mut().zip(rows.row(r)) {
                    *o = X::of(convert(v));
                }
            }
        });
    out
}

/// The training and test indices of a source without a test part, and how it was split.
pub(crate) type Indices = (Vec<usize>, Vec<usize>, Option<SplitSpec>);

/// Each example's group and how many groups there are ([`crate::split::group_indices`]),
/// for a split that keeps groups whole (`--group-by`); `None` for none.
pub(crate) type GroupRows<'a> = Option<(&'a [usize], usize)>;

/// The training and test indices of a source of `labels` without a test part: a stratified
/// split, one by whole `groups` if given, or none ([`Parts::Whole`]: every example a test
/// example, in order).
pub(crate) fn split_or_keep(
    path: &Path,
    labels: &[usize],
    classes: usize,
    options: &LoadOptions,
    groups: GroupRows<'_>,
) -> Result<Indices> {
    if options.whole() {
        return Ok(all_in_test(labels.len()));
    }
    let seed = options.split_seed;
    let (train, test) = match (groups, options.fold) {
        (Some((groups, n)), None) => crate::split::grouped(groups, n, options.test_split, seed),
        (None, None) => crate::split::stratified(labels, classes, options.test_split, seed),
        (Some((groups, n)), Some(fold)) => crate::split::grouped_fold(groups, n, fold, seed),
        (None, Some(fold)) => crate::split::stratified_fold(labels, classes, fold, seed),
    }
    .map_err(|problem| DataError::BadSplit {
        path: path.to_path_buf(),
        problem,
    })?;
    let spec = split_spec(options, test.len(), labels.len());
    Ok((train, test, Some(spec)))
}

/// How a split of `m` examples was made, its test part of `tested`: `--test-split`'s
/// fraction, or a fold's share.
fn split_spec(options: &LoadOptions, tested: usize, m: usize) -> SplitSpec {
    SplitSpec {
        fraction: match options.fold {
            Some(_) => tested as f64 / m.max(1) as f64,
            None => options.test_split,
        },
        seed: options.split_seed,
        fold: options.fold,
    }
}

/// No training part and every one of `m` examples in the test part, in order
/// ([`Parts::Whole`]).
fn all_in_test(m: usize) -> Indices {
    (Vec::new(), (0..m).collect(), None)
}

/// The examples that a reader fits on ([`Parts::Whole`]): the training part's, or
/// every example's when the training part is empty by request.
pub(crate) fn fitted_on<'a>(
    options: &LoadOptions,
    train: &'a [usize],
    test: &'a [usize],
) -> &'a [usize] {
    if options.whole() {
        test
    } else {
        train
    }
}

/// Refuses class names given ([`ClassChoice::Exactly`]) for a regression's `target`.
pub(crate) fn refuse_classes(path: &Path, options: &LoadOptions, target: &str) -> Result<()> {
    if matches!(options.classes, ClassChoice::Exactly(_)) {
        return Err(DataError::BadSource {
            path: path.to_path_buf(),
            problem: format!(
                "class names were given (--classes), but the target `{target}` is a number \
                 to predict (a regression); give --task classify to make its values classes"
            ),
        });
    }
    Ok(())
}

/// A regression's split of `m` examples ([`crate::split::shuffled`], or none with
/// [`Parts::Whole`]) and the target scale: the options' (a model's), or one fitted
/// on the training part's `values` ([`fitted_on`]). Class names
/// given ([`ClassChoice::Exactly`]) are refused: a number to predict has none.
pub(crate) fn split_values(
    path: &Path,
    values: &[f64],
    options: &LoadOptions,
    target: &str,
    groups: GroupRows<'_>,
) -> Result<(Indices, TargetScale)> {
    refuse_classes(path, options, target)?;
    let (train, test, spec) = if options.whole() {
        all_in_test(values.len())
    } else {
        let seed = options.split_seed;
        let m = values.len();
        let (train, test) = match (groups, options.fold) {
            (Some((groups, n)), None) => crate::split::grouped(groups, n, options.test_split, seed),
            (None, None) => crate::split::shuffled(m, options.test_split, seed),
            (Some((groups, n)), Some(fold)) => crate::split::grouped_fold(groups, n, fold, seed),
            (None, Some(fold)) => crate::split::shuffled_fold(m, fold, seed),
        }
        .map_err(|problem| DataError::BadSplit {
            path: path.to_path_buf(),
            problem,
        })?;
        let spec = split_spec(options, test.len(), m);
        (train, test, Some(spec))
    };
    let scale = match options.target_scale {
        Some(scale) => scale,
        None => {
            let fit = fitted_on(options, &train, &test);
            TargetScale::fit(values, fit).ok_or_else(|| DataError::BadSource {
                path: path.to_path_buf(),
                problem: format!(
                    "the target `{target}` has one value, {}, in every training example: \
                     there is nothing to predict",
                    values[fit[0]]
                ),
            })?
        }
    };
    Ok(((train, test, spec), scale))
}

/// The pictures `picked` of `images`, as a new array.
pub(crate) fn pick_images(images: &Array4<u8>, picked: &[usize]) -> Array4<u8> {
    images.select(ndarray::Axis(0), picked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::ShapeBuilder;

    #[test]
    fn columns_that_cannot_fit_in_memory_are_a_problem_not_an_abort() {
        // A million examples of a million features, all one byte (a broadcast view): 8 TB as
        // f64 features.
        let byte = [7u8];
        let huge = ArrayView2::from_shape((1 << 20, 1 << 20).strides((0, 0)), &byte).unwrap();
        let all: Vec<usize> = (0..1 << 20).collect();
        assert_eq!(
            Rows::Bytes(huge).columns::<f64>(&all).unwrap_err(),
            "its 1048576 examples of 1048576 features need more memory as f64 numbers than this machine can hold"
        );
        // Rows that fit become columns.
        let bytes = ndarray::array![[0u8, 51], [102, 153], [204, 255]];
        let picked = Rows::Bytes(bytes.view()).columns::<f64>(&[2, 0]).unwrap();
        assert_eq!(picked, ndarray::array![[0.8, 0.0], [1.0, 0.2]]);
    }
}
