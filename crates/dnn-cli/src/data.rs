//! The data flags (`--data`, `--format`, `--target`, `--classes`, `--test-split`,
//! `--split-seed`, `--standardize`, `--image-size`, `--image-dir`, `--image-suffix`), shared
//! by `dnn train` and, in part, `dnn evaluate` and `dnn predict`, and how they become a
//! `dnn_data::Dataset`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use dnn_core::Float;
use dnn_data::categories::MAX_DETECTED_VALUES;
use dnn_data::dataset::{
    detect_format_for, DEFAULT_IMAGE_SIZE, DEFAULT_SPLIT_SEED, DEFAULT_TEST_SPLIT,
};
use dnn_data::dates::DatePart;
use dnn_data::image_csv::PictureNames;
use dnn_data::missing::FillMissing;
use dnn_data::model::{Model, TrainingSetup};
use dnn_data::split::Fold;
use dnn_data::{
    ClassChoice, DataError, DataSpec, Dataset, Format, Input, LoadOptions, Parts, Source, Task,
    ZScore, DATA_DIR_ENV,
};

use crate::metrics::{class_counts, exact, significant, significant_to};
use crate::output::tell;
use crate::text::{first_three, plural};
use crate::values::{parse_classes, parse_image_size, parse_test_split, FormatArg};

/// `--data`'s default: the directory the cat set is fetched into.
pub const DEFAULT_DATA: &str = "data";

/// Where the cat set is read from when `--data` is not given: `$DNN_DATA_DIR`, else
/// [`DEFAULT_DATA`].
pub fn cat_dir() -> PathBuf {
    std::env::var_os(DATA_DIR_ENV).map_or_else(|| PathBuf::from(DEFAULT_DATA), PathBuf::from)
}

/// Class names as `--classes` gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassList(pub Vec<String>);

fn parse_class_list(s: &str) -> Result<ClassList, String> {
    parse_classes(s).map(ClassList)
}

/// Where the data is and how to read it: `dnn train`'s flags.
#[derive(Debug, Clone, Args)]
pub struct DataFlags {
    /// The data: a directory of course HDF5 files (one train_*.h5, one test_*.h5), a
    /// directory of pictures (one subfolder per class), a .csv or a .npz file (a .csv whose
    /// column names picture files lists pictures: an image CSV).
    #[arg(long, env = DATA_DIR_ENV, default_value = DEFAULT_DATA)]
    pub data: PathBuf,

    /// How to read it.
    #[command(flatten)]
    pub reading: ReadFlags,
}

/// `--fill-missing`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FillArg {
    /// The column's mean over the training part
    Mean,
    /// The column's median over the training part
    Median,
}

impl From<FillArg> for FillMissing {
    fn from(f: FillArg) -> Self {
        match f {
            FillArg::Mean => FillMissing::Mean,
            FillArg::Median => FillMissing::Median,
        }
    }
}

/// `--date-parts`' values: [`dnn_data::dates::DatePart`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DatePartArg {
    /// The year
    Year,
    /// The month, 1 to 12
    Month,
    /// The day of the month, 1 to 31
    Day,
    /// The day of the week, 0 (Monday) to 6 (Sunday)
    Weekday,
    /// The day of the year, 1 to 366
    #[value(name = "day_of_year")]
    DayOfYear,
    /// The hour of the day, its minutes as a fraction
    Hour,
}

impl From<DatePartArg> for DatePart {
    fn from(p: DatePartArg) -> Self {
        match p {
            DatePartArg::Year => DatePart::Year,
            DatePartArg::Month => DatePart::Month,
            DatePartArg::Day => DatePart::Day,
            DatePartArg::Weekday => DatePart::Weekday,
            DatePartArg::DayOfYear => DatePart::DayOfYear,
            DatePartArg::Hour => DatePart::Hour,
        }
    }
}

/// `--date-order`'s values: [`dnn_data::dates::DateOrder`] of a column whose cells do not
/// tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DateOrderArg {
    /// Day, month, year (31/01/2012)
    DayFirst,
    /// Month, day, year (01/31/2012)
    MonthFirst,
}

impl From<DateOrderArg> for dnn_data::dates::DateOrder {
    fn from(o: DateOrderArg) -> Self {
        match o {
            DateOrderArg::DayFirst => dnn_data::dates::DateOrder::Dmy,
            DateOrderArg::MonthFirst => dnn_data::dates::DateOrder::Mdy,
        }
    }
}

/// `--task`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TaskArg {
    /// Each distinct target value is a class
    Classify,
    /// The target is a number to predict (regression; a CSV column, or the `y` of an npz archive of tables)
    Regress,
}

impl From<TaskArg> for Task {
    fn from(t: TaskArg) -> Self {
        match t {
            TaskArg::Classify => Task::Classify,
            TaskArg::Regress => Task::Regress,
        }
    }
}

/// How to read `--data`: the flags `dnn train` and `dnn serve` share.
#[derive(Debug, Clone, Default, Args)]
pub struct ReadFlags {
    /// Read --data as this format [default: from the path].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// CSV: the label column [default: the last column; an image CSV's last column but its
    /// pictures'].
    #[arg(long)]
    pub target: Option<String>,

    /// CSV and npz: classify the target's values, or predict its number (regression: one
    /// output, the squared error, the target z-scored on the training part) [default: regression for a
    /// column of numbers with a fraction among them (scikit-learn's type_of_target calls it
    /// `continuous`) or of more than 100 different numbers; else classes].
    #[arg(long, value_enum)]
    pub task: Option<TaskArg>,

    /// CSV: columns to leave out, e.g. id,name.
    #[arg(long = "drop", value_name = "COLUMNS", value_delimiter = ',')]
    pub drop: Vec<String>,

    /// CSV: columns to read as text and one-hot encode, one input per value, even if their
    /// cells are numbers (codes such as a postcode) or their values are many.
    #[arg(long = "one-hot", value_name = "COLUMNS", value_delimiter = ',',
          help = format!("CSV: columns to read as text and one-hot encode, one input per value, even if their cells are numbers (codes such as a postcode) or their values are many [default: the columns with text and no numbers, of up to {MAX_DETECTED_VALUES} values]"))]
    pub one_hot: Vec<String>,

    /// CSV: fill a missing number (an empty cell, NA, ?) with its column's mean or median
    /// over the training part, as the model will for rows it predicts [default: a missing
    /// number is an error].
    #[arg(long, value_enum, value_name = "HOW")]
    pub fill_missing: Option<FillArg>,

    /// CSV: the inputs each column of dates makes (a column whose every value is a date,
    /// such as 2012-01-31, 31/01/2012 or Jan 31, 2012) [default: year, month, day, weekday
    /// and day_of_year, a month's dates year and month, and hour too where times are given].
    #[arg(long, value_enum, value_name = "PARTS", value_delimiter = ',')]
    pub date_parts: Vec<DatePartArg>,

    /// CSV: whether dates written 01/02/2012 are day first or month first, for the columns
    /// none of whose days is above 12 [default: month first with `/`, day first with `.` or
    /// `-`, with a warning]. Without it a column with such a day tells its own order (a cell
    /// of the other order is refused); with it, every column of such dates is read in this
    /// order, and one whose days tell the other is refused, saying to leave the flag out.
    #[arg(long, value_enum, value_name = "ORDER")]
    pub date_order: Option<DateOrderArg>,

    /// Rows without a label.
    #[command(flatten)]
    pub unlabeled: UnlabeledFlag,

    /// CSV: the column of each row's group (a person, a patient, a site: rows that are not
    /// independent), kept whole by the test split and a validation split, as scikit-learn's
    /// GroupShuffleSplit keeps them, and by --cross-validate's folds (GroupKFold); not an
    /// input [default: rows are split one by one].
    #[arg(long, value_name = "COLUMN")]
    pub group_by: Option<String>,

    /// Decimal commas, and numbers written by hand.
    #[command(flatten)]
    pub decimal: DecimalFlag,

    /// The class names in index order, e.g. non-cat,cat; they must be the data's
    /// [default: sorted, or as the file lists them].
    #[arg(long, value_parser = parse_class_list)]
    pub classes: Option<ClassList>,

    /// Sources without a test part: the fraction of each class held out for testing.
    #[arg(long, value_parser = parse_test_split, allow_negative_numbers = true,
          help = format!("Sources without a test part: the fraction of each class (of all rows, for a regression) held out for testing, in (0, 1) [default: {DEFAULT_TEST_SPLIT}]"))]
    pub test_split: Option<f64>,

    /// Seed of that stratified split.
    #[arg(long, value_parser = crate::values::parse_seed, allow_negative_numbers = true,
          help = format!("Seed of that split and of --validation-split's (numpy's RandomState; stratified for classes, scikit-learn's ShuffleSplit for a regression) [default: {DEFAULT_SPLIT_SEED}]"))]
    pub split_seed: Option<u32>,

    /// Whether a validation part will be held out of the training part (`dnn train
    /// --validation-split`), which `--split-seed` also seeds: not a flag of its own.
    #[arg(skip)]
    pub holds_out: bool,

    /// Standardise every input (z-score fitted on the training part only)
    /// [default: on for tables (CSV, npz) and float npz pictures, off for pictures of bytes].
    #[arg(long, conflicts_with = "no_standardize")]
    pub standardize: bool,

    /// Do not standardise the inputs.
    #[arg(long)]
    pub no_standardize: bool,

    /// Image folders and image CSVs: resize every picture to N x N pixels.
    #[arg(long, value_parser = parse_image_size, allow_negative_numbers = true,
          help = format!("Image folders and image CSVs: resize every picture to N x N pixels [default: {DEFAULT_IMAGE_SIZE}]"))]
    pub image_size: Option<u32>,

    /// Where an image CSV's names are taken from.
    #[command(flatten)]
    pub image_names: ImageNameFlags,
}

/// `--image-dir` and `--image-suffix`: where the names an image CSV lists are taken from, as
/// fastai's `from_csv(folder=, suffix=)` takes them; `dnn train`, `evaluate`, `predict` and
/// `serve` share them.
#[derive(Debug, Clone, Default, Args)]
pub struct ImageNameFlags {
    /// Image CSVs: the folder the listed names are taken from, e.g. train for Kaggle's
    /// labels.csv beside train/; a relative DIR is taken from the current directory [default:
    /// the CSV's own folder].
    #[arg(long, value_name = "DIR")]
    pub image_dir: Option<PathBuf>,

    /// Image CSVs: appended to every listed name, e.g. .jpg for names without their extension
    /// (fastai's suffix); it must end in .png, .jpg or .jpeg. The pictures are then the first
    /// column whose first cell, so completed, names a file in the pictures' folder (the
    /// `Pictures:` line names it) [default: the names are whole file names, and the pictures
    /// the first column whose first cell ends in .png, .jpg or .jpeg].
    #[arg(long, value_name = "SUFFIX", value_parser = parse_image_suffix)]
    pub image_suffix: Option<String>,
}

impl ImageNameFlags {
    /// The names as dnn-data takes them.
    pub fn names(&self) -> PictureNames {
        PictureNames {
            dir: self.image_dir.clone(),
            suffix: self.image_suffix.clone(),
        }
    }

    /// The names for reading `data` for a model trained as `setup` says: each flag given,
    /// else the model's suffix (its names are written so), and its folder when `data` has
    /// the name of the table it was trained on (another table's pictures are likely
    /// elsewhere, Kaggle's test/ beside train/).
    pub fn names_for(&self, setup: &TrainingSetup, data: &Path) -> PictureNames {
        let own = setup.data.is_some()
            && data.file_name().map(|n| n.to_string_lossy().into_owned()) == setup.data;
        PictureNames {
            dir: self.image_dir.clone().or_else(|| {
                own.then(|| setup.image_dir.clone().map(PathBuf::from))
                    .flatten()
            }),
            suffix: self.image_suffix.clone().or(setup.image_suffix.clone()),
        }
    }
}

/// `--image-suffix`: ends in `.png`, `.jpg` or `.jpeg`.
fn parse_image_suffix(s: &str) -> Result<String, String> {
    dnn_data::image_csv::check_suffix(s).map(|()| s.to_owned())
}

/// Refuses `--image-dir` and `--image-suffix` for `path` read as `format` unless it is an
/// image CSV: they would do nothing.
pub fn check_image_names(
    path: &Path,
    format: Format,
    names: &PictureNames,
    format_given: bool,
) -> anyhow::Result<()> {
    let Some(flag) = names.given().first().copied() else {
        return Ok(());
    };
    if format == Format::ImageCsv {
        return Ok(());
    }
    let what = match flag {
        "--image-dir" => "names the folder of the pictures an image CSV lists",
        _ => "completes the names of the pictures an image CSV lists",
    };
    bail!(
        "{flag} {what}, but --data {} is read as {}{}; leave out {flag}",
        path.display(),
        format.name(),
        if format_given {
            " (as --format says)"
        } else {
            ""
        }
    );
}

impl ReadFlags {
    /// The flags given, by name (for saying they need `--data`).
    pub fn given(&self) -> Vec<&'static str> {
        [
            ("--format", self.format.is_some()),
            ("--target", self.target.is_some()),
            ("--task", self.task.is_some()),
            ("--drop", !self.drop.is_empty()),
            ("--one-hot", !self.one_hot.is_empty()),
            ("--fill-missing", self.fill_missing.is_some()),
            ("--date-parts", !self.date_parts.is_empty()),
            ("--date-order", self.date_order.is_some()),
            ("--drop-unlabeled", self.unlabeled.drop_unlabeled),
            ("--group-by", self.group_by.is_some()),
            ("--decimal-comma", self.decimal.decimal_comma),
            ("--parse-numbers", self.decimal.parse_numbers),
            ("--classes", self.classes.is_some()),
            ("--test-split", self.test_split.is_some()),
            ("--split-seed", self.split_seed.is_some()),
            ("--standardize", self.standardize),
            ("--no-standardize", self.no_standardize),
            ("--image-size", self.image_size.is_some()),
            ("--image-dir", self.image_names.image_dir.is_some()),
            ("--image-suffix", self.image_names.image_suffix.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }
}

/// The format of `path`, from `--format` or the path itself (a CSV read with `names` being
/// an image CSV).
pub fn format_of(
    path: &Path,
    format: Option<FormatArg>,
    names: &PictureNames,
) -> anyhow::Result<Format> {
    match format {
        Some(f) => Ok(f.into()),
        None => Ok(detect_format_for(path, names).with_context(|| hint(path))?),
    }
}

/// What to say when `--data` cannot be read: how to get the cat set for the default. Other
/// paths are named by the error itself.
fn hint(path: &Path) -> String {
    if path == cat_dir() {
        // Where the path came from, when the user did not type it.
        let from = match std::env::var_os(DATA_DIR_ENV) {
            Some(_) => format!(" (from {DATA_DIR_ENV})"),
            None => String::new(),
        };
        format!(
            "cannot load --data {}{from}, the cat set (put train_catvnoncat.h5 and \
             test_catvnoncat.h5 there, e.g. with `cargo xtask fetch-data` in dnn's repository, \
             or set {DATA_DIR_ENV} to their directory)",
            path.display()
        )
    } else {
        "cannot load --data".into()
    }
}

/// Loads the training data at `path` as the flags say, standardised when asked or by
/// default, and prints the warnings about it (its [`split_line`] is the caller's to print).
pub fn load_for_training<X: Float>(path: &Path, flags: &ReadFlags) -> anyhow::Result<Dataset<X>> {
    load_split(path, flags, None)
}

/// [`load_for_training`] with the test part fold `fold` of a cross-validation
/// (`--cross-validate`) rather than `--test-split`'s. The warnings about the data are given
/// for the first fold only (they are the file's); data with a test part of its own is
/// refused, as it has no folds to make.
pub fn load_fold<X: Float>(
    path: &Path,
    flags: &ReadFlags,
    fold: Fold,
) -> anyhow::Result<Dataset<X>> {
    load_split(path, flags, Some(fold))
}

/// [`load_for_training`], by `fold` if given ([`load_fold`]).
fn load_split<X: Float>(
    path: &Path,
    flags: &ReadFlags,
    fold: Option<Fold>,
) -> anyhow::Result<Dataset<X>> {
    let names = flags.image_names.names();
    let format = format_of(path, flags.format, &names)?;
    check_image_names(path, format, &names, flags.format.is_some())?;
    if flags.target.is_some() && !matches!(format, Format::Csv | Format::ImageCsv) {
        bail!(
            "--target names a CSV column, but --data {} is read as {}",
            path.display(),
            format.name()
        );
    }
    for (flag, given, what) in [
        ("--drop", !flags.drop.is_empty(), "CSV columns"),
        ("--one-hot", !flags.one_hot.is_empty(), "CSV columns"),
        (
            "--fill-missing",
            flags.fill_missing.is_some(),
            "a CSV table's cells",
        ),
        (
            "--date-parts",
            !flags.date_parts.is_empty(),
            "a CSV table's dates",
        ),
        (
            "--date-order",
            flags.date_order.is_some(),
            "a CSV table's dates",
        ),
    ] {
        if given && format == Format::ImageCsv {
            bail!(
                "{flag} names {what}, but --data {} is read as an image CSV, whose inputs are \
                 the pictures it lists; give --format csv to read it as a table",
                path.display()
            );
        }
        if given && format != Format::Csv {
            bail!(
                "{flag} names {what}, but --data {} is read as {}",
                path.display(),
                format.name()
            );
        }
    }
    if flags.group_by.is_some() && format != Format::Csv {
        bail!(
            "--group-by names a CSV table's column of groups, but --data {} is read as {}",
            path.display(),
            format.name()
        );
    }
    if flags.decimal.decimal_comma && !matches!(format, Format::Csv | Format::ImageCsv) {
        bail!(
            "--decimal-comma reads the numbers of a CSV table, but --data {} is read as {}",
            path.display(),
            format.name()
        );
    }
    if flags.decimal.parse_numbers && !matches!(format, Format::Csv | Format::ImageCsv) {
        bail!(
            "--parse-numbers reads the numbers of a CSV table, but --data {} is read as {}",
            path.display(),
            format.name()
        );
    }
    if flags.unlabeled.drop_unlabeled && !matches!(format, Format::Csv | Format::ImageCsv) {
        bail!(
            "--drop-unlabeled leaves out a CSV table's rows without a label, but --data {} is \
             read as {}, whose every example has one",
            path.display(),
            format.name()
        );
    }
    if flags.task.is_some() && !matches!(format, Format::Csv | Format::Npz | Format::ImageCsv) {
        bail!(
            "--task says what a CSV column's or an npz archive's `y` values are, but --data {} \
             is read as {}, whose labels are classes",
            path.display(),
            format.name()
        );
    }
    if flags.image_size.is_some() && !matches!(format, Format::ImageFolder | Format::ImageCsv) {
        bail!(
            "--image-size resizes the pictures of an image folder or an image CSV, but --data \
             {} is read as {}",
            path.display(),
            format.name()
        );
    }
    let size = flags.image_size.unwrap_or(DEFAULT_IMAGE_SIZE);
    let options = LoadOptions {
        format: Some(format),
        target: flags.target.clone(),
        columns: None,
        one_hot: Vec::new(),
        filled: Vec::new(),
        dates: Vec::new(),
        date_parts: date_parts(&flags.date_parts),
        date_order: flags.date_order.map(Into::into),
        fill_missing: flags.fill_missing.map(FillMissing::from),
        drop_columns: flags.drop.clone(),
        one_hot_columns: flags.one_hot.clone(),
        classes: flags
            .classes
            .clone()
            .map_or(ClassChoice::Natural, |c| ClassChoice::Exactly(c.0)),
        task: flags.task.map_or(Task::Auto, Task::from),
        target_scale: None,
        test_split: flags.test_split.unwrap_or(DEFAULT_TEST_SPLIT),
        split_seed: flags.split_seed.unwrap_or(DEFAULT_SPLIT_SEED),
        parts: Parts::Split,
        picture_size: (size, size),
        picture_names: names,
        zscore: if flags.standardize {
            ZScore::On
        } else if flags.no_standardize {
            ZScore::Off
        } else {
            ZScore::Auto
        },
        drop_unlabeled: flags.unlabeled.drop_unlabeled,
        decimal_comma: flags.decimal.decimal_comma,
        parse_numbers: flags.decimal.parse_numbers,
        group_by: flags.group_by.clone(),
        fold,
    };
    let data = while_reading(path, || dnn_data::load_as::<X>(path, &options))
        .map_err(|e| as_image_csv(e, path, format, &options.picture_names))
        .with_context(|| hint(path))?;
    if fold.is_some() && data.source.split.is_none() {
        bail!(
            "--cross-validate splits data without a test part of its own into folds, but \
             --data {} has one; train without --cross-validate, or give the examples as one \
             source (a CSV, an npz archive of x and y, or a folder of class folders without \
             train/ and test/)",
            path.display()
        );
    }
    check_split_flags(&data, flags, path)?;
    if fold.is_some_and(|f| f.index > 0) {
        return Ok(data);
    }
    warn_skipped(&data);
    warn_also_pictures(&data);
    if fold.is_none() {
        for line in test_part_unseen_lines(&data.source.unseen) {
            tell!("warning: {line}");
        }
    }
    warn_text_values(&data);
    warn_numbers_as_classes(&data, flags);
    warn_classes(&data);
    // Of the one split; each fold has its own (and every class is tested in some fold).
    if fold.is_none() {
        for line in group_split_warnings(&data) {
            tell!("warning: {line}");
        }
    }
    crate::table_warnings::warn_table(&data);
    warn_channels(&data);
    Ok(data)
}

/// A table that failed to load as one, `e`, with the flags that would read it as an image CSV
/// when its first row's cells name pictures in a subfolder beside it or with an extension
/// added (Kaggle's `id,breed` beside `train/<id>.jpg`): a look taken on this error path only.
fn as_image_csv(e: DataError, path: &Path, format: Format, names: &PictureNames) -> anyhow::Error {
    match dnn_data::image_csv::suggest(path, names).filter(|_| format == Format::Csv) {
        Some(h) => anyhow::anyhow!("{e}; if it lists pictures, {h}"),
        None => e.into(),
    }
}

/// The warning when an image CSV has more than one column whose first cell names a picture:
/// the pictures are the first's, which the `Pictures:` line names.
fn warn_also_pictures<X: Float>(data: &Dataset<X>) {
    let Some(columns) = &data.source.image_csv else {
        return;
    };
    if columns.also_pictures.is_empty() {
        return;
    }
    let also = first_three(columns.also_pictures.iter().map(|c| format!("`{c}`")));
    tell!(
        "warning: the first row of {} names a picture in column `{}` and in {also}; the \
         pictures are the first such column's, `{}`{}",
        data.source.path.display(),
        columns.pictures,
        columns.pictures,
        if columns.also_pictures.len() == 1 {
            " (put the other first if it holds them)"
        } else {
            " (put the one that holds them first)"
        }
    );
}

/// Runs `load`, the reading of `path`, under a spinner and `Reading PATH…` on standard
/// error when it is a terminal (a folder of 20,000 pictures or a CSV of a gigabyte takes
/// seconds, in silence otherwise); the line is cleared when it is read. Elsewhere (a pipe,
/// a file, the tests) nothing is drawn.
fn while_reading<T>(path: &Path, load: impl FnOnce() -> T) -> T {
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message(format!("Reading {}…", path.display()));
    spinner.tick();
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let loaded = load();
    spinner.finish_and_clear();
    loaded
}

/// The warning about pictures of other than 1, 3 or 4 channels (an npz archive's, a course
/// set's): a picture file gives those, so `dnn predict` and `dnn serve` read none for the
/// model, which only scores arrays of the same kind.
fn warn_channels<X: Float>(data: &Dataset<X>) {
    if let Input::Picture { channels, .. } = data.spec.input {
        if !matches!(channels, 1 | 3 | 4) {
            tell!(
                "warning: the pictures have {channels} channels, and a picture file gives 1 \
                 (grey), 3 (RGB) or 4 (RGBA): the model will score data of this kind (dnn \
                 evaluate), but dnn predict and dnn serve cannot read a picture file for it"
            );
        }
    }
}

/// Refuses `--test-split` and `--split-seed` (unless it seeds a validation part) for data
/// that has its own test part: they would do nothing.
pub fn check_split_flags<X: Float>(
    data: &Dataset<X>,
    flags: &ReadFlags,
    path: &Path,
) -> anyhow::Result<()> {
    if data.source.split.is_some() {
        return Ok(());
    }
    for (flag, given) in [
        ("--test-split", flags.test_split.is_some()),
        (
            "--split-seed",
            flags.split_seed.is_some() && !flags.holds_out,
        ),
    ] {
        if given {
            bail!(
                "{flag} splits a source without a test part, but --data {} has its own test part{}; leave it out",
                path.display(),
                match flag {
                    "--split-seed" => " (it also seeds --validation-split, not given)",
                    _ => "",
                }
            );
        }
    }
    Ok(())
}

/// The warnings about the classes of data to train on: classes of one example, classes
/// named like a missing value, and classes whose names differ only in case or spaces.
pub fn warn_classes<X: Float>(data: &Dataset<X>) {
    let counts = all_class_counts(data);
    warn_single_examples(data, &counts);
    warn_missing_labels(data, &counts);
    if let Some((first, other)) = alike(&data.spec.classes) {
        tell!(
            "warning: the classes `{first}` and `{other}` differ only in case or spaces, and are \
             two classes; write them one way in the data if they are one"
        );
    }
}

/// The warnings about a split by groups (`--group-by`) that a stratified split would not
/// have made: a test part far from the fraction asked (groups of very different sizes), and
/// a class with no training or no test example.
pub fn group_split_warnings<X: Float>(data: &Dataset<X>) -> Vec<String> {
    let (Some(g), Some(split)) = (&data.source.groups, data.source.split) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    let (test, m) = (data.test_len(), data.train_len() + data.test_len());
    let share = test as f64 / m as f64;
    if share > 2.0 * split.fraction || share < 0.5 * split.fraction {
        lines.push(format!(
            "the split by `{}` put {test} of the {m} rows ({:.0} %) in the test part, far from \
             the {} asked: its groups differ much in size; try another --split-seed, or check \
             that `{}` names groups",
            g.column,
            100.0 * share,
            exact(split.fraction),
            g.column
        ));
    }
    if !data.is_regression() {
        // One pass over each part: a data set may have many classes.
        let counts = |labels: &[usize]| class_counts(labels, data.spec.classes.len());
        let (trains, tests) = (counts(&data.train_labels), counts(&data.test_labels));
        for (k, class) in data.spec.classes.iter().enumerate() {
            let (train, test) = (trains[k], tests[k]);
            let part = match (train, test) {
                (0, n) if n > 0 => "test",
                (n, 0) if n > 0 => "training",
                _ => continue,
            };
            lines.push(format!(
                "the split by `{}` put every example of the class `{class}` ({}) in the {part} \
                 part: {}; try another --split-seed",
                g.column,
                train + test,
                if part == "test" {
                    "the network never learns it"
                } else {
                    "its test score is not measured"
                }
            ));
        }
    }
    lines
}

/// The warning about a table's columns that `model` has no input for, so that reading `path`
/// for it left them out (the first three named): for new data to train a model on, where a
/// user may have added a column to learn from. A model's own data is not warned about: the
/// columns its training left out (`--drop`) are not recorded.
pub fn warn_left_out<X: Float>(data: &Dataset<X>, path: &Path, model: &Path) {
    let left_out = &data.source.left_out_columns;
    if left_out.is_empty() {
        return;
    }
    let named = first_three(left_out.iter().map(|(number, name)| match name.as_str() {
        "" => format!("the unnamed column {number}"),
        name => format!("`{name}`"),
    }));
    let (n, verb) = match left_out.len() {
        1 => ("1 column".to_string(), "is"),
        n => (format!("{n} columns"), "are"),
    };
    tell!(
        "warning: {n} of --data {} {verb} not among {}'s inputs and not read ({}): a model \
         reads only its inputs; to learn from {}, train a new model without --from",
        path.display(),
        model.display(),
        named,
        if left_out.len() == 1 { "it" } else { "them" },
    );
}

/// The warning lines about what an image folder holds but dnn did not read: files that are
/// not pictures, and folders and pictures in no class folder (the first three named).
fn warn_skipped<X: Float>(data: &Dataset<X>) {
    let n = data.source.skipped_files;
    if n > 0 {
        tell!(
            "warning: skipped {n} file{} without a .png, .jpg or .jpeg extension in {}",
            plural(n),
            data.source.path.display()
        );
    }
    let unread = &data.source.unread;
    if !unread.is_empty() {
        let named = first_three(unread.iter().map(|p| {
            let slash = if p.is_dir() { "/" } else { "" };
            format!("{}{slash}", p.display())
        }));
        let dir = data.source.path.display().to_string();
        let dir = dir.trim_end_matches('/');
        let layout = if data.source.split.is_none() {
            format!("{dir}/train/<class>/ and {dir}/test/<class>/")
        } else {
            format!("{dir}/<class>/")
        };
        // A `validation/` (or `val/`, `valid/`) beside `train/` and `test/`: say how dnn
        // makes one.
        let validation = unread.iter().any(|p| {
            p.is_dir()
                && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    ["validation", "val", "valid"].contains(&n.to_lowercase().as_str())
                })
        });
        tell!(
            "warning: not read, as in no class folder: {} (dnn reads pictures in {layout}{})",
            named,
            match validation {
                true => "; dnn train --validation-split holds a validation part out of train/",
                false => "",
            }
        );
    }
}

/// `the target `price``, or `the target` where the data names no column.
fn target_phrase<X: Float>(data: &Dataset<X>) -> String {
    target_name(data).map_or("the target".to_owned(), |t| format!("the target `{t}`"))
}

/// The target column's name: a table's, or an image CSV's (`None` where the data names
/// none).
pub fn target_name<X: Float>(data: &Dataset<X>) -> Option<&str> {
    let listed = data.source.image_csv.as_ref().map(|c| c.target.as_str());
    data.spec.target().or(listed)
}

/// `Pictures: the files named in column `file`, resized to 64x64; target: column `label`
/// (not read: `id`)`, for an image CSV; read with `--image-dir` or `--image-suffix`, the
/// files are shown as a path made of them (`the files named in column `id`, as
/// train/<id>.jpg`).
pub fn pictures_line<X: Float>(data: &Dataset<X>) -> Option<String> {
    let columns = data.source.image_csv.as_ref()?;
    let Input::Picture { height, width, .. } = data.spec.input else {
        return None;
    };
    let left_out = &data.source.left_out_columns;
    let unread = match left_out.is_empty() {
        true => String::new(),
        false => format!(
            " (not read: {})",
            first_three(left_out.iter().map(|(_, name)| format!("`{name}`")))
        ),
    };
    let names = &columns.names;
    let layout = match (&names.dir, &names.suffix) {
        (None, None) => String::new(),
        (dir, suffix) => {
            let file = format!("<{}>{}", columns.pictures, suffix.as_deref().unwrap_or(""));
            let path = dir
                .as_deref()
                .map_or(PathBuf::from(&file), |d| d.join(&file));
            format!(", as {}", path.display())
        }
    };
    Some(format!(
        "Pictures: the files named in column `{}`{layout}, resized to {width}x{height}; target: \
         column `{}`{unread}",
        columns.pictures, columns.target
    ))
}

/// A table's `Target:` line: the column dnn learns, and how it reads it. For classes,
/// `Target: species, 3 classes: `Adelie`, `Chinstrap`, `Gentoo``; for a number to predict,
/// [`regression_line`]'s. When `--target` was not given, the column is a CSV's last, and the
/// line says so (`Target: year, the last column (--target names another), ...`): a table
/// whose last column is not the label would otherwise train on the wrong one with nothing
/// said. For pictures, a regression's line only (an image CSV names its target column on
/// its `Pictures:` line, an image folder's classes are its folders).
pub fn target_line<X: Float>(data: &Dataset<X>, flags: &ReadFlags) -> Option<String> {
    let Input::Table { target, .. } = &data.spec.input else {
        return regression_line(data, flags.task);
    };
    let defaulted = flags.target.is_none() && data.source.format == Format::Csv;
    let name = match defaulted {
        true => format!("{target}, the last column (--target names another)"),
        false => target.clone(),
    };
    if data.spec.regression.is_some() {
        return regression_line_named(data, flags.task, &name);
    }
    let classes = &data.spec.classes;
    Some(format!(
        "Target: {name}, {} class{}: {}",
        classes.len(),
        if classes.len() == 1 { "" } else { "es" },
        first_three(classes.iter().map(|c| format!("`{c}`")))
    ))
}

/// `Target: price, a number to predict (its numbers have fractions; --task classify makes
/// them classes); the network learns it z-scored with the training part's mean 455828 and
/// standard deviation 115798`, for a regression. The mean has enough digits to show the
/// deviation (`1000000000.256` for a target of 1e9 ± 0.25).
pub fn regression_line<X: Float>(data: &Dataset<X>, task: Option<TaskArg>) -> Option<String> {
    regression_line_named(data, task, target_name(data).unwrap_or("y"))
}

/// [`regression_line`] with the target shown as `name`.
fn regression_line_named<X: Float>(
    data: &Dataset<X>,
    task: Option<TaskArg>,
    name: &str,
) -> Option<String> {
    let scale = data.spec.regression?;
    let all = || data.train_values.iter().chain(&data.test_values);
    let how = if task.is_some() {
        "as --task says".to_owned()
    } else if all().any(|v| v.fract() != 0.0) {
        // An npz archive's classes are whole numbers: there --task classify would fail.
        match data.source.format {
            Format::Csv | Format::ImageCsv => {
                "its numbers have fractions; --task classify makes them classes"
            }
            _ => "its numbers have fractions",
        }
        .to_owned()
    } else {
        let mut distinct: Vec<f64> = all().copied().collect();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        format!(
            "{} different whole numbers, too many to be classes; --task classify makes them \
             classes",
            distinct.len()
        )
    };
    if data.source.split.is_some_and(|s| s.fold.is_some()) {
        return Some(format!(
            "Target: {name}, a number to predict ({how}); the network learns it z-scored with \
             each fold's training mean and standard deviation"
        ));
    }
    // One more digit for each factor of 10 between the mean and the deviation.
    let spread = (scale.mean.abs() / scale.std).log10().floor().max(0.0) as usize;
    Some(format!(
        "Target: {name}, a number to predict ({how}); the network learns it z-scored with \
         the training part's mean {} and standard deviation {}",
        significant_to(scale.mean, 6 + spread.min(11)),
        significant(scale.std)
    ))
}

/// The warning when a target of whole numbers is read as many classes (more than 20):
/// counts, ages or prices in whole units read as a class each, where a regression was
/// likely meant.
fn warn_numbers_as_classes<X: Float>(data: &Dataset<X>, flags: &ReadFlags) {
    let classes = &data.spec.classes;
    if flags.task.is_some() || classes.len() <= 20 {
        return;
    }
    if classes.iter().all(|c| whole_number(c)) {
        tell!(
            "warning: {} is read as {} classes, one per whole number; if it is a quantity \
             to predict, give --task regress",
            target_phrase(data),
            classes.len()
        );
    }
}

/// Whether a class name is a whole number, written `130` or `130.0` (as pandas writes a
/// column of whole numbers with a missing value among them).
pub fn whole_number(class: &str) -> bool {
    class
        .trim()
        .parse::<f64>()
        .is_ok_and(|v| v.is_finite() && v.fract() == 0.0)
}

/// The examples of each class, training and test parts together.
pub(crate) fn all_class_counts<X: Float>(data: &Dataset<X>) -> Vec<usize> {
    let labels = data.train_labels.iter().chain(&data.test_labels);
    class_counts(labels, data.spec.classes.len())
}

/// The warning line when most classes have a single example (which a split keeps in
/// training): the mark of a label column of measurements or ids, which dnn would take for
/// as many classes as values.
fn warn_single_examples<X: Float>(data: &Dataset<X>, counts: &[usize]) {
    let classes = counts.len();
    let single = counts.iter().filter(|&&c| c == 1).count();
    let folds = data.source.split.and_then(|s| s.fold).map(|f| f.of);
    if let Some(k) = folds {
        // Cross-validation: a class of fewer examples than folds is tested in some folds
        // only (scikit-learn's StratifiedKFold warns alike).
        let rare: Vec<String> = counts
            .iter()
            .zip(&data.spec.classes)
            .filter(|(&c, _)| c > 0 && c < k)
            .map(|(&c, name)| format!("`{name}` ({c})"))
            .collect();
        if !rare.is_empty() && single * 2 <= classes.max(2) {
            let (subject, verb, them) = match rare.len() {
                1 => ("the class", "has", "it"),
                _ => ("the classes", "have", "them"),
            };
            tell!(
                "warning: {subject} {} {verb} fewer examples than the {k} folds: some folds \
                 test none of {them}, and a fold that tests all of {them} trains without; give \
                 {them} more examples, or fewer folds",
                first_three(rare.into_iter())
            );
            return;
        }
    }
    if single > 0 && single * 2 <= classes.max(2) && data.source.split.is_some() && folds.is_none()
    {
        // A few rare classes among many examples: each is kept in training by the split,
        // so the test part never scores it (scikit-learn's stratified split refuses).
        let names = counts
            .iter()
            .zip(&data.spec.classes)
            .filter(|(&c, _)| c == 1)
            .map(|(_, name)| format!("`{name}`"))
            .collect::<Vec<_>>();
        let (subject, verb, them) = match single {
            1 => ("the class", "has", "it"),
            _ => ("the classes", "have", "them"),
        };
        tell!(
            "warning: {subject} {} {verb} a single example, which the split keeps in \
             training: the test part cannot score {them}; give {them} more examples, or \
             leave {them} out",
            first_three(names.into_iter())
        );
        return;
    }
    if classes > 2 && single * 2 > classes {
        let column = match &data.spec.input {
            Input::Table { target, .. } => format!("the label column `{target}`"),
            Input::Picture { .. } => "the labels".to_owned(),
        };
        tell!(
            "warning: {single} of the {classes} classes in {} have a single example{}; is \
             {column} a class, or a measurement or an id (a number to predict is a \
             regression: --task regress)?",
            data.source.path.display(),
            if data.source.split.is_some() && folds.is_none() {
                ", kept in training by the split"
            } else {
                ""
            }
        );
    }
}

/// The warning line for each class whose name reads like a missing value (`NA`, `?`, ...):
/// among names it may be a class, so it is trained as one, but rows whose label was left
/// blank in a spreadsheet often come out so.
fn warn_missing_labels<X: Float>(data: &Dataset<X>, counts: &[usize]) {
    for (name, &n) in data.spec.classes.iter().zip(counts) {
        if dnn_data::table::looks_missing(name) {
            tell!(
                "warning: the class `{name}` of {} ({n} example{}) reads like a missing \
                 value; it is trained as a class of its own (if it is not one, fill those \
                 rows in, or leave them out with --drop-unlabeled)",
                data.source.path.display(),
                plural(n)
            );
        }
    }
}

/// How [`load_for_model`] reads data for a model: with its spec (classes, columns, picture
/// size, z-score, target scale), in `parts`, and a source without a test part split as
/// `test_split` and `split_seed` say.
#[derive(Debug, Clone)]
pub struct ModelReading<'a> {
    /// What the model's inputs and outputs mean.
    pub spec: &'a DataSpec,
    /// The name of the data it was trained on, when its file records it.
    pub trained_on: Option<&'a str>,
    /// Training's parts, or every example as one.
    pub parts: Parts,
    /// The fraction of each class split off as the test part, for a source without one.
    pub test_split: f64,
    /// The seed of that split.
    pub split_seed: u32,
    /// Rows without a label are left out with a warning, rather than refused
    /// ([`LoadOptions::drop_unlabeled`]).
    pub drop_unlabeled: bool,
    /// Numbers may be written with a decimal comma ([`LoadOptions::decimal_comma`]).
    pub decimal_comma: bool,
    /// Numbers may be written by hand ([`LoadOptions::parse_numbers`]).
    pub parse_numbers: bool,
    /// The column of groups the split keeps whole ([`LoadOptions::group_by`]).
    pub group_by: Option<String>,
}

/// `--decimal-comma` and `--parse-numbers`, how a table's numbers are written, shared by
/// `dnn train` and `dnn serve` ([`ReadFlags`]), `dnn evaluate` and `dnn predict`.
#[derive(Debug, Clone, Default, Args)]
pub struct DecimalFlag {
    /// CSV and image CSVs: numbers may be written with a decimal comma (18,0), as
    /// spreadsheets save CSV where a comma marks decimals (cells then separated by
    /// semicolons); a point still reads as one, and no thousands separator is read
    /// [default: a point only, or for `dnn evaluate`, `dnn predict` and `--from`, as the
    /// model's training read its data].
    #[arg(long)]
    pub decimal_comma: bool,

    /// CSV and image CSVs: read numbers written by hand ($1,234.50, 5 €, 1 000, 1'234, −2),
    /// in cells and labels, as R readr's parse_number does: currency signs ($ € £ ¥) and a
    /// percent sign are dropped, the number kept as written (12% reads as 12, not 0.12), and
    /// thousands separators between groups of three digits are read (commas, or points with
    /// --decimal-comma, which reads 1.234,5; spaces, apostrophes, underscores); 1,000 is a
    /// thousand (1.000 with --decimal-comma), and a number still ambiguous (1,5 without
    /// --decimal-comma) is refused [default: plain numbers only, or for `dnn evaluate`,
    /// `dnn predict` and `--from`, as the model's training read its data].
    #[arg(long)]
    pub parse_numbers: bool,
}

/// `--drop-unlabeled`, shared by `dnn train` ([`ReadFlags`]) and `dnn evaluate`.
#[derive(Debug, Clone, Default, Args)]
pub struct UnlabeledFlag {
    /// CSV and image CSVs: leave out the rows without a label (an empty cell; NA, ? or
    /// another missing-value mark), with a warning that counts them, rather than refuse them
    /// [default: a row without a label is an error, or for `dnn evaluate` and `--from`, as
    /// the model's training did].
    #[arg(long)]
    pub drop_unlabeled: bool,
}

impl<'a> ModelReading<'a> {
    /// Read as `model`'s training data was split (its recorded split, else the defaults),
    /// rows without a label left out if training left them out (`--drop-unlabeled`).
    pub fn as_trained(model: &'a Model, spec: &'a DataSpec, parts: Parts) -> Self {
        ModelReading {
            spec,
            trained_on: model.setup.data.as_deref(),
            parts,
            test_split: model.setup.test_split.unwrap_or(DEFAULT_TEST_SPLIT),
            split_seed: model
                .setup
                .split_seed
                .and_then(|s| u32::try_from(s).ok())
                .unwrap_or(DEFAULT_SPLIT_SEED),
            drop_unlabeled: model.setup.unlabeled_dropped.is_some(),
            decimal_comma: model.setup.decimal_comma(),
            parse_numbers: model.setup.parse_numbers(),
            group_by: model.setup.group_by.clone(),
        }
    }
}

/// Records in `setup` what a model file keeps of its training data: its name, its SHA-256
/// (which tells it from new data, for `dnn evaluate`), how its test part was split off (and
/// by which groups), and how it was read (rows without a label left out, decimal commas,
/// numbers written by hand, an image CSV's folder and suffix), which reading it again for the model repeats.
pub fn record_data(setup: &mut TrainingSetup, source: &Source) {
    setup.unlabeled_dropped = source.table_warnings.iter().find_map(|w| match w {
        dnn_data::table_checks::TableWarning::Unlabeled { rows, .. } => Some(rows.len() as u64),
        _ => None,
    });
    setup.decimal = source
        .decimal_comma
        .then(|| dnn_data::model::DECIMAL_COMMA.to_owned());
    setup.numbers = source
        .parse_numbers
        .then(|| dnn_data::model::NUMBERS_AS_WRITTEN.to_owned());
    let names = source.image_csv.as_ref().map(|c| &c.names);
    setup.image_dir = names
        .and_then(|n| n.dir.as_ref())
        .map(|d| d.to_string_lossy().into_owned());
    setup.image_suffix = names.and_then(|n| n.suffix.clone());
    setup.group_by = source.groups.as_ref().map(|g| g.column.clone());
    setup.test_split = source.split.map(|s| s.fraction);
    setup.split_seed = source.split.map(|s| u64::from(s.seed));
    // `--data .` or `..` has no name of its own: its folder's is the one a user knows it by.
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    setup.data = name(&source.path).or_else(|| {
        std::fs::canonicalize(&source.path)
            .ok()
            .and_then(|p| name(&p))
    });
    setup.data_sha256.clone_from(&source.sha256);
}

/// `Data: iris.csv (csv): 120 training and 30 test examples (stratified 0.2 test split,
/// seed 0), 4 features, 3 classes`, when a test part was split off (a regression's split is
/// `shuffled` and it has `a number to predict`), or `(its own test part)` for data that
/// brings one (an npz archive's `x_test`, an image folder's `test`). The course's HDF5 files
/// have none: `dnn train` on them prints what the exercise prints.
pub fn split_line<X: Float>(data: &Dataset<X>) -> Option<String> {
    match split_words(data) {
        Some(split) => Some(data_line(data, &split)),
        None if data.source.format == Format::CourseH5 => None,
        None => Some(data_line(data, OWN_TEST_PART)),
    }
}

/// The words of a `Data:` line for data that brings its own test part.
pub const OWN_TEST_PART: &str = "its own test part";

/// The `Data:` line of `data` whose test part is described by `split`.
pub fn data_line<X: Float>(data: &Dataset<X>, split: &str) -> String {
    let outputs = if data.is_regression() {
        "a number to predict".to_owned()
    } else {
        // A model's classes may be more than the data has examples of (`--from`, `--classes`).
        let classes = data.spec.classes.len();
        let present = all_class_counts(data).iter().filter(|&&n| n > 0).count();
        match present == classes {
            true => format!("{classes} classes"),
            false => format!("{present} of the {classes} classes"),
        }
    };
    format!(
        "Data: {} ({}): {} training and {} test examples ({split}), {} feature{}, {outputs}",
        data.source.path.display(),
        data.source.format.name(),
        data.train_len(),
        data.test_len(),
        data.features(),
        plural(data.features()),
    )
}

/// How `data`'s test part was split off, when dnn split it: `stratified 0.2 test split, seed
/// 0`, `shuffled ...` for a regression, or `0.2 test split by `individual`: 42 of its 210
/// groups, seed 0`; the words of `dnn train`'s `Data:` line, `dnn evaluate`'s and `dnn
/// serve`'s.
pub fn split_words<X: Float>(data: &Dataset<X>) -> Option<String> {
    let split = data.source.split?;
    Some(match &data.source.groups {
        Some(g) => format!(
            "{} test split by `{}`: {} of its {} groups, seed {}",
            exact(split.fraction),
            g.column,
            g.in_test,
            g.count,
            split.seed
        ),
        None => format!(
            "{} {} test split, seed {}",
            if data.is_regression() {
                "shuffled"
            } else {
                "stratified"
            },
            exact(split.fraction),
            split.seed
        ),
    })
}

/// The warning lines about a table's text columns, before any z-score: values that differ
/// only in case or spaces (`Red`, `red`: two inputs that are likely one value), and a column
/// with a different value in every training row (an id or a name: it describes nothing).
fn warn_text_values<X: Float>(data: &Dataset<X>) {
    for b in data.spec.input.table_blocks() {
        let Some(h) = b.one_hot else {
            continue;
        };
        let (column, n) = (b.column, h.values.len());
        if let Some((first, v)) = alike(&h.values) {
            tell!(
                "warning: column `{column}`: `{first}` and `{v}` differ only in case or \
                 spaces, and are two values (two inputs); write them one way if they are one"
            );
        }
        let counts = data.source.text_counts.iter().find(|c| c.column == column);
        // Every training row has a value, each its own.
        if counts
            .is_some_and(|c| n >= 10 && c.rows_without_value == 0 && c.rows.iter().all(|&k| k == 1))
        {
            tell!(
                "warning: column `{column}` has a different value in every training row ({n} \
                 values), as an id or a name has: it tells the network nothing about rows to \
                 come; leave it out with --drop {}",
                dnn_data::error::shell_word(column)
            );
        }
    }
}

/// The first two of `names` that differ only in case or spaces (`Red` and `red `): likely one
/// value written two ways.
fn alike(names: &[String]) -> Option<(&str, &str)> {
    let mut seen: std::collections::HashMap<String, &str> = Default::default();
    names.iter().find_map(|v| {
        let folded = v
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        seen.insert(folded, v).map(|first| (first, v.as_str()))
    })
}

/// `Text columns, one-hot encoded into 5 inputs: sex (2 values), port (3 values; 2
/// training rows without one)`, when the data has text columns.
pub fn one_hot_line<X: Float>(data: &Dataset<X>) -> Option<String> {
    let Input::Table { one_hot, .. } = &data.spec.input else {
        return None;
    };
    if one_hot.is_empty() {
        return None;
    }
    let parts: Vec<String> = data
        .source
        .text_counts
        .iter()
        .map(|c| {
            let (column, n) = (&c.column, c.rows.len());
            let values = if n == 1 { "value" } else { "values" };
            match c.rows_without_value {
                0 => format!("{column} ({n} {values})"),
                1 => format!("{column} ({n} {values}; 1 training row without one)"),
                k => format!("{column} ({n} {values}; {k} training rows without one)"),
            }
        })
        .collect();
    let inputs: usize = one_hot.iter().map(|h| h.values.len()).sum();
    Some(format!(
        "Text columns, one-hot encoded into {inputs} input{}: {}",
        plural(inputs),
        parts.join(", ")
    ))
}

/// `--date-parts`' list, each part once, in its order; `None` when not given.
pub(crate) fn date_parts(given: &[DatePartArg]) -> Option<Vec<DatePart>> {
    let mut parts: Vec<DatePart> = Vec::new();
    for p in given.iter().map(|&p| DatePart::from(p)) {
        if !parts.contains(&p) {
            parts.push(p);
        }
    }
    (!parts.is_empty()).then_some(parts)
}

/// `Dates, read into 5 inputs: date (year-month-day: year, month, day, weekday,
/// day_of_year)`, when the data has columns of dates.
pub fn dates_line<X: Float>(data: &Dataset<X>) -> Option<String> {
    let Input::Table { dates, .. } = &data.spec.input else {
        return None;
    };
    if dates.is_empty() {
        return None;
    }
    let inputs: usize = dates.iter().map(|d| d.parts.len()).sum();
    let columns: Vec<String> = dates
        .iter()
        .map(|d| {
            let parts: Vec<&str> = d.parts.iter().map(|p| p.name()).collect();
            format!(
                "{} ({}: {})",
                d.column,
                d.order.describe(),
                parts.join(", ")
            )
        })
        .collect();
    Some(format!(
        "Dates, read into {inputs} input{} (--date-parts chooses them): {}",
        plural(inputs),
        columns.join(", ")
    ))
}

/// A fill value of column `column` of `input` as the fill lines show it: a date for a column
/// of dates ([`dnn_data::dates::shown`]; its day alone when the column's inputs take no hour,
/// as they then see it), else [`fill_value`].
pub fn fill_shown(input: &Input, column: &str, value: f64) -> String {
    let Input::Table { dates, .. } = input else {
        return fill_value(value);
    };
    match dates.iter().find(|d| d.column == column) {
        Some(d) if d.parts.contains(&dnn_data::dates::DatePart::Hour) => {
            dnn_data::dates::shown(value)
        }
        Some(_) => dnn_data::dates::shown(value.floor()),
        None => fill_value(value),
    }
}

/// `Missing numbers are filled with each column's training mean: age 29.5, fare 33.4`,
/// when `--fill-missing` was given (the first eight columns, then how many more).
pub fn filled_line<X: Float>(data: &Dataset<X>, how: Option<FillArg>) -> Option<String> {
    let Input::Table { filled, .. } = &data.spec.input else {
        return None;
    };
    let how = FillMissing::from(how?).name();
    let mut shown: Vec<String> = filled
        .iter()
        .take(8)
        .map(|f| {
            let value = fill_shown(&data.spec.input, &f.column, f.value);
            format!("{} {value}", f.column)
        })
        .collect();
    if filled.len() > 8 {
        shown.push(format!("and {} more", filled.len() - 8));
    }
    (!filled.is_empty()).then(|| {
        format!(
            "Missing numbers are filled with each column's training {how}: {}",
            shown.join(", ")
        )
    })
}

/// A fill value as the fill line (and `dnn predict`'s warning of filled rows) shows it: to 4
/// decimals without trailing zeros (`243.1004`, `33`), and to 6 significant digits with an
/// exponent below 1e-4, which 4 decimals would show as 0 (`3.04e-9`).
pub fn fill_value(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-4 {
        return significant(v);
    }
    let fixed = format!("{v:.4}");
    fixed.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// One line per text column with values that the model never met: `column `port`: 3 rows
/// have a value the model was not trained on (the first: `X`, row 7); they count as none of
/// its values`.
pub fn unseen_lines(unseen: &[dnn_data::categories::Unseen]) -> Vec<String> {
    unseen_lines_as(unseen, "the model was not trained on")
}

/// The warnings about a table's rows read for a model (`dnn predict`, serve's Predict): its
/// text values the model never met ([`unseen_lines`]), and its dates without a day where the
/// model's inputs need one.
pub fn model_rows_lines(table: &dnn_data::table::Table) -> Vec<String> {
    let no_day = (table.warnings.iter())
        .filter(|w| matches!(w, dnn_data::table_checks::TableWarning::NoDay { .. }))
        .map(|w| w.to_string());
    unseen_lines(&table.unseen)
        .into_iter()
        .chain(no_day)
        .collect()
}

/// [`unseen_lines`] for the test part of a table being trained on: values met only there.
fn test_part_unseen_lines(unseen: &[dnn_data::categories::Unseen]) -> Vec<String> {
    unseen_lines_as(unseen, "not in the training part")
}

fn unseen_lines_as(unseen: &[dnn_data::categories::Unseen], never: &str) -> Vec<String> {
    unseen
        .iter()
        .map(|u| {
            let (rows, they) = if u.rows == 1 {
                ("row has", "it counts")
            } else {
                ("rows have", "they count")
            };
            format!(
                "column `{}`: {} {rows} a value {never} (the first: `{}`, row {}); {they} as \
                 none of its values",
                u.column,
                u.rows,
                dnn_data::error::shown(&u.first.0),
                u.first.1
            )
        })
        .collect()
}

/// The data a saved model is evaluated on: read with the model's classes (in its order),
/// its columns (by name) and target, its picture size, and the split it was trained with;
/// checked against its input and standardised as it was.
pub fn load_for_model<X: Float>(
    path: &Path,
    format: Option<FormatArg>,
    target: Option<&str>,
    names: &PictureNames,
    reading: ModelReading<'_>,
    model_path: &Path,
) -> anyhow::Result<Dataset<X>> {
    let ModelReading {
        spec,
        trained_on,
        parts,
        test_split,
        split_seed,
        drop_unlabeled,
        decimal_comma,
        parse_numbers,
        group_by,
    } = reading;
    let format_given = format.is_some();
    let format = format_of(path, format, names)?;
    let picture = matches!(spec.input, Input::Picture { .. });
    let table_format = format == Format::Csv;
    check_image_names(path, format, names, format_given)?;
    if picture && table_format
        || !picture
            && matches!(
                format,
                Format::CourseH5 | Format::ImageFolder | Format::ImageCsv
            )
    {
        // A table that lists pictures by names without their folder or extension: say the
        // flags that read it as an image CSV.
        let listed = match picture && table_format {
            true => dnn_data::image_csv::suggest(path, names)
                .map_or(String::new(), |h| format!("; if it lists pictures, {h}")),
            false => String::new(),
        };
        bail!(
            "{} takes {} but --data {} is read as {}: give data of that kind{}{listed}",
            model_path.display(),
            spec.input.describe(),
            path.display(),
            format.name(),
            trained_on.map_or(String::new(), |d| format!(" (it was trained on `{d}`)"))
        );
    }
    if target.is_some() && !matches!(format, Format::Csv | Format::ImageCsv) {
        bail!(
            "--target names a CSV column, but --data {} is read as {}",
            path.display(),
            format.name()
        );
    }
    if let (Some(given), Input::Table { columns, .. }) = (target, &spec.input) {
        if columns.iter().any(|c| c == given) {
            bail!(
                "--target {given} is one of {}'s inputs; --target names the column of the \
                 true {} (the model's is `{}`)",
                model_path.display(),
                if spec.regression.is_some() {
                    "values"
                } else {
                    "classes"
                },
                spec.target().unwrap_or("its last column")
            );
        }
    }
    let (columns, model_target, one_hot, filled, dates, picture_size) = match &spec.input {
        Input::Table {
            columns,
            target,
            one_hot,
            filled,
            dates,
        } => (
            (format == Format::Csv).then(|| columns.clone()),
            Some(target.clone()).filter(|t| !t.is_empty()),
            one_hot.clone(),
            filled.clone(),
            dates.clone(),
            (DEFAULT_IMAGE_SIZE, DEFAULT_IMAGE_SIZE),
        ),
        Input::Picture { height, width, .. } => {
            let size = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
            (
                None,
                None,
                Vec::new(),
                Vec::new(),
                Vec::new(),
                (size(*height), size(*width)),
            )
        }
    };
    let options = LoadOptions {
        format: Some(format),
        target: target.map(str::to_owned).or(model_target),
        columns,
        one_hot,
        filled,
        dates,
        date_parts: None,
        date_order: None,
        fill_missing: None,
        drop_columns: Vec::new(),
        one_hot_columns: Vec::new(),
        classes: ClassChoice::Among(spec.classes.clone()),
        task: if spec.regression.is_some() {
            Task::Regress
        } else {
            Task::Classify
        },
        target_scale: spec.regression,
        test_split,
        parts,
        split_seed,
        picture_size,
        picture_names: names.clone(),
        zscore: spec
            .standardization
            .clone()
            .map_or(ZScore::Off, ZScore::Given),
        drop_unlabeled,
        decimal_comma,
        parse_numbers,
        group_by,
        fold: None,
    };
    // A model's z-score of another width: the data is not the model's kind (said below, for
    // a model without one).
    let data = match while_reading(path, || dnn_data::load_as::<X>(path, &options)) {
        Err(DataError::ZScoreWidth { input, .. }) => bail!(
            "{} takes {} but --data {} has {}",
            model_path.display(),
            spec.input.describe(),
            path.display(),
            input.describe()
        ),
        loaded => loaded.with_context(|| hint(path))?,
    };
    warn_skipped(&data);
    warn_also_pictures(&data);
    for line in unseen_lines(&data.source.unseen) {
        tell!("warning: {line}");
    }
    crate::table_warnings::warn_table(&data);
    let fits = match (&spec.input, &data.spec.input) {
        (Input::Picture { .. }, Input::Picture { .. }) => spec.input == data.spec.input,
        (Input::Table { .. }, Input::Table { .. }) => data.features() == spec.input.features(),
        _ => false,
    };
    if !fits {
        bail!(
            "{} takes {} but --data {} has {}",
            model_path.display(),
            spec.input.describe(),
            path.display(),
            data.spec.input.describe()
        );
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_whole_written_either_way() {
        // pandas writes a column of whole numbers with a gap as 130.0 (vega's cars).
        for whole in ["130", "130.0", " 46 ", "-3", "1e3"] {
            assert!(whole_number(whole), "{whole}");
        }
        for not in ["130.5", "setosa", "", "inf", "NaN", "0x10"] {
            assert!(!whole_number(not), "{not}");
        }
    }

    #[test]
    fn fill_values_show_their_digits_tiny_ones_too() {
        assert_eq!(fill_value(243.10041), "243.1004");
        assert_eq!(fill_value(33.0), "33");
        assert_eq!(fill_value(-17207229672.57741), "-17207229672.5774");
        assert_eq!(fill_value(0.0), "0");
        // 4 decimals would show these as 0.
        assert_eq!(fill_value(3.0412e-9), "3.0412e-9");
        assert_eq!(fill_value(-0.0000123456789), "-1.23457e-5");
    }
}
