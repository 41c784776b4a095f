//! CSV tables, as scikit-learn's `fit(X, y)` sees them after a `OneHotEncoder`: a header
//! row, one label column (the target: `--target NAME`, by default the last column) and
//! feature columns of numbers or of text ([`crate::categories`]: a text column is one-hot
//! encoded, one input per value).
//!
//! Labels may be integers or strings; the class names are the sorted labels (numerically
//! when they are all integers). A table has no test part: [`load`] splits one off
//! ([`crate::split`]).
//!
//! Reading streams the file once with the `csv` crate and keeps each feature as one growing
//! column, which is already the `(features, m)` layout the network takes: the matrices are
//! filled column by column, each freed as soon as it is copied, so loading needs little more
//! memory than the final matrices.

use std::collections::HashMap;
use std::path::Path;

use dnn_core::Float;
use ndarray::Array2;
use rayon::prelude::*;

use crate::categories::{
    column_error, decimal_comma, parse_number, ColumnReader, ColumnValues, FilledRows, Mode,
    Notation, Unseen, NONE,
};
use crate::classes::{self, sort_names, ClassChoice};
use crate::dataset::{
    fitted_on, split_or_keep, split_values, DataSpec, Dataset, Format, Input, LoadOptions, OneHot,
    Source,
};
use crate::dates::DateColumn;
use crate::error::{shown, DataError, Result};
use crate::missing::{FillMissing, Filled};
use crate::standardize::{fit_row, standardized, Standardization, ZScore};
use crate::table_checks::{self, TableWarning};
use crate::target::Task;

/// A CSV table as read: feature columns and, when the table has its target column, labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The feature columns' names, in order.
    pub columns: Vec<String>,
    /// One entry per feature column: its numbers, or its text values and each row's. With
    /// [`Columns::fill_missing`], a missing number is NaN until [`load`] fills it.
    pub features: Vec<ColumnValues>,
    /// The target column's name, when the table has it.
    pub target: Option<String>,
    /// The distinct labels, in the order first met.
    pub label_names: Vec<String>,
    /// Each row's label, an index into `label_names` (empty without a target column).
    pub labels: Vec<usize>,
    /// Where each of `label_names` is first met: its data row and line, from 1.
    pub label_first: Vec<(u64, u64)>,
    /// Number of data rows.
    pub rows: usize,
    /// Read with a model's text columns: the values it never met, per column.
    pub unseen: Vec<Unseen>,
    /// Read with a model's columns ([`Columns::features`]): the header's other columns,
    /// neither an input nor the target (nor [`Columns::pictures`]), which were not read, as
    /// their column number (from 1) and name (empty for an unnamed one). Empty otherwise.
    pub left_out: Vec<(usize, String)>,
    /// With [`Columns::pictures`]: each row's cell of that column as written (trimmed), and
    /// the line of the file it is on. Empty otherwise.
    pub pictures: Vec<(String, u64)>,
    /// What read for training is likely a mistake but not surely one
    /// ([`crate::table_checks`]): a nameless first column of row numbers left out, text
    /// columns of dates. Empty when read with a model's columns.
    pub warnings: Vec<TableWarning>,
    /// With [`Columns::drop_unlabeled`]: the data rows (from 1) left out for having no
    /// label ([`unlabeled`]). Empty otherwise.
    pub unlabeled: Vec<u64>,
    /// The separator the cells were read with ([`separator`]).
    pub separator: u8,
    /// Read with a model's fill values ([`Columns::filled`]): each number column that
    /// missed numbers, and in which rows.
    pub filled_rows: Vec<FilledRows>,
    /// With [`Columns::groups`]: each row's group as written (trimmed). Empty otherwise, or
    /// when a model's table has no such column.
    pub groups: Vec<String>,
}

/// Which columns to read, and how ([`Columns::default`]: every column but the last, which
/// is not required to be there).
#[derive(Clone, Copy, Debug, Default)]
pub struct Columns<'a> {
    /// The label column; `None`: the last column.
    pub target: Option<&'a str>,
    /// Whether the target column must be there (training, evaluation) or may be absent
    /// (prediction; then every other named column is a feature candidate).
    pub labels_required: bool,
    /// The feature columns by name and in this order (a model's); `None`: every column but
    /// the target.
    pub features: Option<&'a [String]>,
    /// With `features`: the model's text columns and their values.
    pub one_hot: &'a [OneHot],
    /// With `features`: the model's fill values of its number columns (a missing number
    /// without one is an error).
    pub filled: &'a [Filled],
    /// With `features`: the model's columns of dates ([`crate::dates`]).
    pub dates: &'a [DateColumn],
    /// Without `features`: the inputs each column of dates makes (of the parts its cells
    /// give); `None`: the parts its cells give ([`crate::dates::detect`]).
    pub date_parts: Option<&'a [crate::dates::DatePart]>,
    /// Without `features`: the order of a column of dates none of whose cells tells day
    /// from month; `None`: guessed, with a warning ([`crate::dates`]).
    pub date_order: Option<crate::dates::DateOrder>,
    /// Without `features`: a missing number is NaN, to be filled ([`crate::missing`]),
    /// rather than an error.
    pub fill_missing: bool,
    /// Without `features`: columns to leave out.
    pub drop: &'a [String],
    /// Without `features`: columns to read as text whatever their cells.
    pub text: &'a [String],
    /// Every feature column holds numbers: no text column is detected (a model that does
    /// not record its columns takes numbers only).
    pub numbers_only: bool,
    /// An image CSV's column of picture file names ([`crate::image_csv`]): kept as written
    /// ([`Table::pictures`]), neither a feature nor left out. Every cell must name a picture
    /// (`.png`, `.jpg`, `.jpeg`), unless `picture_suffix` is given. With it, `features` may
    /// be empty.
    pub pictures: Option<&'a str>,
    /// With `pictures`: the suffix appended to every one of its cells
    /// ([`crate::image_csv::PictureNames::suffix`], `--image-suffix .jpg`), which completes
    /// a picture's file name: its cells need not end in a picture's extension, but must
    /// still name something.
    pub picture_suffix: Option<&'a str>,
    /// With the target column: rows without a label ([`unlabeled`]) are left out of the
    /// table and listed in [`Table::unlabeled`], rather than refused.
    pub drop_unlabeled: bool,
    /// Numbers may be written with a decimal comma (`18,0`, as spreadsheets save them where
    /// a comma marks decimals), in feature cells and labels; a point still reads as one. No
    /// thousands separator is read (`1.234,5` is refused), but with `parse_numbers`.
    pub decimal_comma: bool,
    /// Numbers may be written by hand (`$1,234.50`, `12%`, `1 000`, `−2`), in feature cells
    /// and labels, as R readr's `parse_number` reads them: currency and percent signs are
    /// dropped (`12%` is 12) and thousands separators read, between groups of three digits
    /// (`categories::parse_number`); with `decimal_comma`, points separate thousands
    /// (`1.234,5`). An ambiguous number (`1,5` without `decimal_comma`) is still refused.
    pub parse_numbers: bool,
    /// The column of each row's group (`--group-by`: a person, a patient, a site), which
    /// the split keeps whole ([`crate::split::grouped`]): neither a feature nor left out,
    /// and every row needs one. With `features` (a model's), a table without it is read
    /// without groups.
    pub groups: Option<&'a str>,
}

impl<'a> Columns<'a> {
    /// The columns of a model's table input, as it was trained on them.
    pub fn of_model(input: &'a Input) -> Columns<'a> {
        match input {
            Input::Table {
                columns,
                target,
                one_hot,
                filled,
                dates,
            } => Columns {
                target: Some(target.as_str()).filter(|t| !t.is_empty()),
                labels_required: false,
                features: Some(columns),
                one_hot,
                filled,
                dates,
                date_parts: None,
                date_order: None,
                fill_missing: false,
                drop: &[],
                text: &[],
                numbers_only: false,
                pictures: None,
                picture_suffix: None,
                drop_unlabeled: false,
                decimal_comma: false,
                parse_numbers: false,
                groups: None,
            },
            Input::Picture { .. } => Columns::default(),
        }
    }
}

/// A csv crate error as a [`DataError`]; `crlf`: 1 when the file's lines end in CRLF, which
/// the crate's line numbers are short of.
pub(crate) fn csv_error(path: &Path, e: csv::Error, crlf: u64) -> DataError {
    let at = e
        .position()
        .map(|p| format!("row {} (line {}): ", p.record(), p.line() + crlf))
        .unwrap_or_default();
    let text = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => DataError::Io {
            path: path.to_path_buf(),
            source: io,
        },
        _ => DataError::BadSource {
            path: path.to_path_buf(),
            problem: format!("{at}not a readable CSV table: {text}"),
        },
    }
}

/// A CSV reader over a source, with the separator it found and the lines its positions are
/// short of ([`open_csv`]).
pub(crate) struct Opened<R> {
    pub(crate) reader: csv::Reader<std::io::BufReader<R>>,
    pub(crate) separator: u8,
    pub(crate) crlf: u64,
}

/// A CSV reader over `source`: its separator found as [`separator_of`] says, or named by
/// Excel's `sep=` line (which is skipped), and the lines that the reader's positions are
/// short of.
pub(crate) fn open_csv<R: std::io::Read>(source: R, path: &Path) -> Result<Opened<R>> {
    use std::io::BufRead;
    let mut source = std::io::BufReader::with_capacity(1 << 16, source);
    let io = |e| crate::error::io_error(path, e);
    if let Some(how) = table_checks::compressed(source.fill_buf().map_err(io)?) {
        return Err(DataError::BadSource {
            path: path.to_path_buf(),
            problem: table_checks::compressed_problem(path, how),
        });
    }
    let (separator, said) = separator(path, source.fill_buf().map_err(io)?);
    source.consume(said);
    let start = source.fill_buf().map_err(io)?;
    // The csv crate counts a line at each `\n`, but ends a CRLF line's record at its `\r`:
    // each record's position is then a line early (Windows' files, Python's csv module's);
    // and a `sep=` line is not counted.
    let crlf = u64::from(
        start
            .split(|&b| b == b'\n')
            .next()
            .is_some_and(|l| l.ends_with(b"\r") && l.len() < start.len()),
    ) + u64::from(said > 0);
    let reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(separator)
        .from_reader(source);
    Ok(Opened {
        reader,
        separator,
        crlf,
    })
}

/// The separator that reading a table whose text begins with `start` uses, and the length of
/// the Excel `sep=` line that names it before the header (0 without one): the one named
/// there, a tab for a `.tsv` `path`, else a comma, unless the header has none outside quotes
/// but has semicolons or tabs: then the more frequent of those.
///
/// ```
/// use std::path::Path;
/// use dnn_data::table::separator;
/// assert_eq!(separator(Path::new("t.csv"), b"a;b\n1;2\n"), (b';', 0));
/// assert_eq!(separator(Path::new("t.csv"), b"sep=,\r\na;b,c\n"), (b',', 7));
/// ```
pub fn separator(path: &Path, start: &[u8]) -> (u8, usize) {
    // Excel's `sep=;` line, before the header, names the separator.
    match excel_separator(start) {
        Some((said, line)) => (said, line),
        None => (separator_of(path, start), 0),
    }
}

/// The column of the CSV file at `path` that names pictures, if it has one: the first whose
/// first data cell is a file name ending in `.png`, `.jpg` or `.jpeg` (in any case), which
/// makes the file an image CSV ([`crate::image_csv`]). `None` for a file that cannot be
/// read as a table or has no such column: reading it as a table says what is amiss. Names
/// completed by a suffix (`--image-suffix .jpg`) are found by
/// [`crate::image_csv::picture_column`], which looks for the files.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("t.csv");
/// std::fs::write(&path, "id,file,label\n7,photos/a.JPG,cat\n")?;
/// assert_eq!(dnn_data::table::picture_column(&path).as_deref(), Some("file"));
/// std::fs::write(&path, "x,label\n1.5,cat\n")?;
/// assert_eq!(dnn_data::table::picture_column(&path), None);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn picture_column(path: &Path) -> Option<String> {
    let (header, first) = first_row(path)?;
    picture_column_of(&header, &first)
}

/// [`picture_column`] of a table whose header and first row ([`first_row`]) are read.
pub(crate) fn picture_column_of(header: &[String], first: &[String]) -> Option<String> {
    let i = first.iter().position(|cell| names_picture(cell))?;
    header.get(i).cloned()
}

/// The header's names and the first data row's cells of the CSV file at `path`, trimmed;
/// `None` when they cannot be read.
pub(crate) fn first_row(path: &Path) -> Option<(Vec<String>, Vec<String>)> {
    let file = std::fs::File::open(path).ok()?;
    let Opened { mut reader, .. } = open_csv(file, path).ok()?;
    let header: Vec<String> = reader
        .headers()
        .ok()?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                h
            };
            h.trim().to_owned()
        })
        .collect();
    let mut first = csv::StringRecord::new();
    if !reader.read_record(&mut first).ok()? {
        return None;
    }
    Some((header, first.iter().map(|c| c.trim().to_owned()).collect()))
}

/// Whether a cell names a picture file: it ends in `.png`, `.jpg` or `.jpeg`, in any case.
pub(crate) fn names_picture(cell: &str) -> bool {
    !cell.is_empty() && crate::folder::has_image_extension(Path::new(cell))
}

/// Reads the CSV table at `path`; see [`Columns`].
///
/// # Errors
/// [`DataError::FileNotFound`], [`DataError::Io`], [`DataError::BadSource`] for an empty
/// file, a header without data rows, a duplicated column name, `drop` or `text` naming the
/// target (or one column both), no feature column left, a text column of more values than
/// [`crate::categories::MAX_DETECTED_VALUES`] or a column of missing cells only;
/// [`DataError::UnknownColumn`] for a target, feature, `drop` or `text` column it does not
/// have; [`DataError::RaggedRow`]; [`DataError::BadCell`] for a feature cell that does not
/// fit its column (text among numbers, a number among text, a missing number without a fill,
/// a number written by hand) or an empty label.
pub fn read_table(path: &Path, which: Columns<'_>) -> Result<Table> {
    // Buffered by `read_table_from` (which looks at the first line for the separator).
    read_table_from(open(path)?, path, which)
}

/// The CSV file at `path`, opened for [`read_table_from`].
pub(crate) fn open(path: &Path) -> Result<std::fs::File> {
    let file = std::fs::File::open(path).map_err(|e| crate::error::io_error(path, e))?;
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(DataError::BadSource {
            path: path.to_path_buf(),
            problem: "a directory, not a CSV file".into(),
        });
    }
    Ok(file)
}

/// Reads a CSV table from `source` (an upload, say) as [`read_table`] reads a file; `path`
/// names it in messages.
///
/// ```
/// use dnn_data::table::{read_table_from, Columns};
/// let which = Columns::default();
/// let t = read_table_from(&b"x1,x2\n1,2\n3,4\n"[..], "upload".as_ref(), which)?;
/// assert_eq!((t.columns.len(), t.rows), (2, 2));
/// assert_eq!(t.matrix(&[0, 1]), ndarray::array![[1.0, 3.0], [2.0, 4.0]]);
/// # Ok::<(), dnn_data::DataError>(())
/// ```
///
/// # Errors
/// As [`read_table`], but never [`DataError::FileNotFound`].
pub fn read_table_from(
    source: impl std::io::Read,
    path: &Path,
    which: Columns<'_>,
) -> Result<Table> {
    let Opened {
        mut reader,
        separator,
        crlf,
    } = open_csv(source, path)?;
    let bad = |problem: String| DataError::BadSource {
        path: path.to_path_buf(),
        problem,
    };
    let raw_header = reader
        .byte_headers()
        .map_err(|e| csv_error(path, e, crlf))?;
    let header = header_names(raw_header, path)?;
    // The first rows, read before the header is judged: whether it is a row of data is
    // told by comparing it with them.
    let mut batch: Vec<csv::ByteRecord> = vec![csv::ByteRecord::new(); BATCH];
    let mut pending = 0;
    while pending < BATCH
        && reader
            .read_byte_record(&mut batch[pending])
            .map_err(|e| csv_error(path, e, crlf))?
    {
        pending += 1;
    }
    let names_unknown = which
        .features
        .is_some_and(|names| names.iter().any(|n| !header.contains(n)));
    if which.features.is_none() || names_unknown {
        let sample: Vec<Vec<String>> = batch[..pending.min(SAMPLE)]
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| String::from_utf8_lossy(trim(c)).into_owned())
                    .collect()
            })
            .collect();
        if let Some(why) = table_checks::first_line_is_data(&header, &sample) {
            let line = header.join(&char::from(separator).to_string());
            return Err(bad(format!(
                "the first line (`{}`) looks like a row of data, not the columns' names: {why}; \
                 dnn reads the first line as the names, so this row would be lost and the \
                 columns misnamed: add a line naming the columns at the top of the file (pandas' \
                 to_csv writes one unless header=False)",
                shown(&line)
            )));
        }
    }
    let nameless_problem = |i: usize| {
        let hint = if i + 1 == header.len() {
            " (a comma at the end of every line makes an unnamed last column)"
        } else if i == 0 {
            " (R's write.csv writes its row names as an unnamed first column: save with \
             write.csv(df, row.names = FALSE); pandas writes its index so: save with \
             to_csv(..., index=False), or, when the index holds data such as dates, name it \
             with to_csv(..., index_label=\"date\"))"
        } else {
            ""
        };
        format!(
            "column {} of {} has no name; every column needs one, as models match columns by \
             name{hint}",
            i + 1,
            header.len()
        )
    };
    // A nameless first column that counts the rows (R's row names, pandas' index) is left
    // out, as its rows are read; one that does not is refused then.
    let row_names = which.features.is_none() && header.len() >= 3 && header[0].is_empty();
    if which.features.is_none() {
        if let Some(i) = header
            .iter()
            .enumerate()
            .position(|(i, h)| h.is_empty() && !(i == 0 && row_names))
        {
            return Err(bad(nameless_problem(i)));
        }
    }
    if let Some((first, i)) = crate::classes::first_repeat(&header) {
        let no_header = if header[i].parse::<f64>().is_ok() {
            "; names that are numbers are likely a row of data: does the file have no header \
             line? add a line naming the columns at the top of the file"
        } else {
            ""
        };
        return Err(bad(format!(
            "the column name `{}` appears twice (columns {} and {}); columns are matched by \
             name{no_header}",
            header[i],
            first + 1,
            i + 1
        )));
    }
    let unknown = |column: &str, why: Option<&str>| DataError::UnknownColumn {
        path: path.to_path_buf(),
        column: column.to_owned(),
        why: why.map(str::to_owned),
        columns: header.clone(),
    };
    // The header's names are trimmed of spaces; so is the target's (`--target ' y '`).
    let target_index = match which.target.map(str::trim) {
        Some(t) => match header.iter().position(|h| h == t) {
            Some(i) => Some(i),
            None if which.labels_required => return Err(unknown(t, Some("the target"))),
            None => None,
        },
        None if which.labels_required => Some(header.len() - 1),
        None => None,
    };
    let picture_index = match which.pictures.map(str::trim) {
        Some(p) => match header.iter().position(|h| h == p) {
            Some(i) if Some(i) == target_index => {
                return Err(bad(format!(
                    "`{p}` names the pictures and cannot be the label column too; --target \
                     names the column of their classes or numbers"
                )))
            }
            Some(i) => Some(i),
            None => return Err(unknown(p, Some("the pictures"))),
        },
        None => None,
    };
    let (drop, text) = (as_named(which.drop, &header), as_named(which.text, &header));
    let group_index = match which.groups.map(str::trim) {
        Some(g) => match header.iter().position(|h| h == g) {
            Some(i) if Some(i) == target_index => {
                return Err(bad(format!(
                    "`{g}` is given to --group-by but is the label column; --group-by names \
                     the column of each row's group (a person, a site)"
                )))
            }
            Some(_) if drop.iter().chain(&text).any(|n| n == g) => {
                return Err(bad(format!(
                    "`{g}` is given to --group-by and to --drop or --one-hot; a group column \
                     is not an input: give it to --group-by alone"
                )))
            }
            Some(i) => Some(i),
            None if which.features.is_some() => None,
            None => return Err(unknown(g, Some("given to --group-by"))),
        },
        None => None,
    };
    let feature_index: Vec<usize> = match which.features {
        Some(names) => names
            .iter()
            .map(|n| {
                header
                    .iter()
                    .position(|h| h == n)
                    .ok_or_else(|| unknown(n, Some("the model was trained on it")))
            })
            .collect::<Result<_>>()?,
        None => {
            for (name, flag) in drop
                .iter()
                .map(|n| (n, "--drop"))
                .chain(text.iter().map(|n| (n, "--one-hot")))
            {
                match header.iter().position(|h| h == name) {
                    None => return Err(unknown(name, Some(&format!("given to {flag}")))),
                    Some(i) if Some(i) == target_index => {
                        return Err(bad(format!(
                            "`{name}` is given to {flag} but is the label column; --target names another"
                        )))
                    }
                    Some(_) => {}
                }
            }
            if let Some(both) = drop.iter().find(|n| text.contains(n)) {
                return Err(bad(format!(
                    "`{both}` is given to both --drop and --one-hot; give it to one"
                )));
            }
            (0..header.len())
                .filter(|&i| {
                    Some(i) != target_index
                        && Some(i) != group_index
                        && !drop.contains(&header[i])
                        && !(i == 0 && row_names)
                })
                .collect()
        }
    };
    if feature_index.is_empty() && !drop.is_empty() {
        return Err(bad(format!(
            "no feature columns are left: --drop leaves out every column but the label `{}`",
            target_index.map_or("", |t| header[t].as_str())
        )));
    }
    if let (true, None, Some(g)) = (feature_index.is_empty(), picture_index, group_index) {
        return Err(bad(format!(
            "no feature columns: besides the target `{}` there is only `{}`, the group column \
             (--group-by), which is no input",
            target_index.map_or("", |t| header[t].as_str()),
            header[g]
        )));
    }
    if feature_index.is_empty() && picture_index.is_none() {
        return Err(bad(format!(
            "no feature columns: the only column is the target `{}` (dnn reads columns \
             separated by commas, or by semicolons or tabs where the header has no comma)",
            shown(&header[0])
        )));
    }
    let left_out: Vec<(usize, String)> = match which.features {
        Some(_) => (0..header.len())
            .filter(|&i| {
                !feature_index.contains(&i)
                    && Some(i) != target_index
                    && Some(i) != picture_index
                    && Some(i) != group_index
            })
            .map(|i| (i + 1, header[i].clone()))
            .collect(),
        None => Vec::new(),
    };
    let columns: Vec<String> = feature_index.iter().map(|&i| header[i].clone()).collect();
    let notation = Notation {
        decimal_comma: which.decimal_comma,
        parse_numbers: which.parse_numbers,
    };
    let model_one_hot: Vec<Option<&OneHot>> = columns
        .iter()
        .map(|c| which.one_hot.iter().find(|h| &h.column == c))
        .collect();
    let mut readers: Vec<ColumnReader<'_>> = columns
        .iter()
        .zip(&model_one_hot)
        .map(|(c, model)| {
            let fill = which
                .filled
                .iter()
                .find(|f| &f.column == c)
                .map(|f| f.value);
            let mode = match model {
                Some(h) => Mode::Model(h),
                None if which.features.is_some() => {
                    match which.dates.iter().find(|d| &d.column == c) {
                        Some(dates) => Mode::Date(dates, fill),
                        None => Mode::Numbers { fill },
                    }
                }
                None if which.numbers_only => Mode::Numbers { fill },
                None if text.contains(c) => Mode::Text,
                None => Mode::Detect {
                    fill: which.fill_missing,
                },
            };
            // A comma-separated file cannot hold decimal commas but in quotes, where they
            // are likelier thousands (`"1,500"`).
            ColumnReader::new(c, mode)
                .reading_dates_in(which.date_order)
                .hinting_decimal_commas(separator != b',' && !which.decimal_comma)
                .reading_numbers_in(notation)
        })
        .collect();
    let mut label_names: Vec<String> = Vec::new();
    let mut label_first: Vec<(u64, u64)> = Vec::new();
    let mut label_ids: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut labels = Vec::new();
    let mut pictures = Vec::new();
    let mut groups = Vec::new();
    // Records are read in batches; each batch's cells are parsed column by column on every
    // core (parsing numbers is most of the work), labels and row checks stay in order.
    let mut rows: u64 = 0;
    let mut row_from: Option<u64> = None;
    loop {
        let mut n = std::mem::take(&mut pending);
        while n < BATCH
            && reader
                .read_byte_record(&mut batch[n])
                .map_err(|e| csv_error(path, e, crlf))?
        {
            n += 1;
        }
        if n == 0 {
            break;
        }
        let records = &batch[..n];
        let line_of = |k: usize| {
            records[k]
                .position()
                .map_or(rows + k as u64 + 2, |p| p.line() + crlf)
        };
        // The first error in reading order, as a row-by-row reader would meet it: the lowest
        // row first; within a row its length, then its features left to right, then its label.
        let ragged = records.iter().position(|r| r.len() != header.len());
        let whole = &records[..ragged.unwrap_or(n)];
        if row_names {
            let number = |r: &csv::ByteRecord| {
                std::str::from_utf8(trim(&r[0]))
                    .ok()
                    .and_then(|t| t.parse::<u64>().ok())
            };
            if row_from.is_none() {
                row_from = whole.first().and_then(number).filter(|&f| f <= 1);
            }
            let counts = |k: usize, r: &csv::ByteRecord| {
                row_from.is_some_and(|from| number(r) == Some(from + rows + k as u64))
            };
            if let Some(k) = whole.iter().enumerate().position(|(k, r)| !counts(k, r)) {
                return Err(bad(format!(
                    "{}; its cells are not the rows' numbers (row {} has `{}`), which dnn \
                     would leave out",
                    nameless_problem(0),
                    rows + k as u64 + 1,
                    shown(&String::from_utf8_lossy(trim(&whole[k][0])))
                )));
            }
        }
        let bad_cell = readers
            .par_iter_mut()
            .zip(feature_index.par_iter())
            .enumerate()
            .filter_map(|(position, (reader, &i))| {
                reader.reserve(whole.len());
                for (k, record) in whole.iter().enumerate() {
                    let pushed = cell_text(&record[i], separator, header.len())
                        .map_err(|p| (p, None))
                        .and_then(|text| {
                            let (row, line) = (rows + k as u64 + 1, line_of(k));
                            match notation.plain(text) {
                                Some(plain) => reader.push(&plain, row, line),
                                None => reader.push(text, row, line),
                            }
                        });
                    if let Err((problem, earlier)) = pushed {
                        return Some((k, position, i, problem, earlier));
                    }
                }
                None
            })
            .min_by_key(|(k, position, ..)| (*k, *position));
        let bad_label = target_index.and_then(|t| {
            whole
                .iter()
                .enumerate()
                .find_map(|(k, r)| label_problem(&r[t]).map(|problem| (k, t, problem)))
        });
        let bad_group = group_index.and_then(|g| {
            whole
                .iter()
                .enumerate()
                .find_map(|(k, r)| group_problem(&r[g]).map(|problem| (k, g, problem)))
        });
        let bad_picture = picture_index.and_then(|p| {
            whole.iter().enumerate().find_map(|(k, r)| {
                picture_problem(&r[p], which.picture_suffix.is_some())
                    .map(|problem| (k, p, problem))
            })
        });
        let cell_error = |k: usize, column: usize, problem: String| DataError::BadCell {
            path: path.to_path_buf(),
            row: rows + k as u64 + 1,
            line: line_of(k),
            column: header[column].clone(),
            problem,
        };
        let first = [
            ragged.map(|k| (k, 0)),
            bad_cell.as_ref().map(|b| (b.0, 1)),
            bad_picture.as_ref().map(|(k, ..)| (*k, 2)),
            bad_group.as_ref().map(|(k, ..)| (*k, 3)),
            bad_label.as_ref().map(|(k, ..)| (*k, 4)),
        ]
        .into_iter()
        .flatten()
        .min();
        match first {
            Some((k, 0)) => {
                // A quote left open swallows the lines after it into one field, which leaves
                // its row short: name the quote, not the count.
                if let Some((i, problem)) = records[k]
                    .iter()
                    .enumerate()
                    .find_map(|(i, cell)| open_quote(cell).map(|p| (i, p)))
                    .filter(|&(i, _)| i < header.len())
                {
                    return Err(cell_error(k, i, problem));
                }
                return Err(DataError::RaggedRow {
                    path: path.to_path_buf(),
                    row: rows + k as u64 + 1,
                    line: line_of(k),
                    fields: records[k].len(),
                    expected: header.len(),
                });
            }
            Some((_, 1)) => {
                let (k, _, i, problem, earlier) = bad_cell.unwrap_or_default();
                let at = earlier.unwrap_or((rows + k as u64 + 1, line_of(k)));
                return Err(column_error(path, &header[i], problem, Some(at)));
            }
            Some((_, 2)) => {
                let (k, p, problem) = bad_picture.unwrap_or_default();
                return Err(cell_error(k, p, problem));
            }
            Some((_, 3)) => {
                let (k, g, problem) = bad_group.unwrap_or_default();
                return Err(cell_error(k, g, problem));
            }
            Some(_) => {
                let (k, t, problem) = bad_label.unwrap_or_default();
                return Err(cell_error(k, t, problem));
            }
            None => {}
        }
        if let Some(g) = group_index {
            // UTF-8, checked with the row (`group_problem`).
            groups.extend(
                records
                    .iter()
                    .map(|r| String::from_utf8_lossy(trim(&r[g])).into_owned()),
            );
        }
        if let Some(p) = picture_index {
            pictures.extend(records.iter().enumerate().map(|(k, record)| {
                // UTF-8, checked with the row (`picture_problem`).
                let name = String::from_utf8_lossy(trim(&record[p])).into_owned();
                (name, line_of(k))
            }));
        }
        if let Some(t) = target_index {
            for (k, record) in records.iter().enumerate() {
                let raw = trim(&record[t]);
                // UTF-8, checked with the row (`label_problem`).
                let plain = (which.decimal_comma && raw.contains(&b',') || which.parse_numbers)
                    .then(|| notation.plain(&String::from_utf8_lossy(raw)))
                    .flatten();
                let raw = plain.as_ref().map_or(raw, |p| p.as_bytes());
                let id = match label_ids.get(raw) {
                    Some(&id) => id,
                    None => {
                        let id = label_names.len();
                        // UTF-8, checked with the row (`label_problem`).
                        label_names.push(String::from_utf8_lossy(raw).into_owned());
                        label_first.push((rows + k as u64 + 1, line_of(k)));
                        label_ids.insert(raw.to_vec(), id);
                        id
                    }
                };
                labels.push(id);
            }
        }
        rows += n as u64;
        if n < BATCH {
            break;
        }
    }
    if rows == 0 {
        return Err(bad(format!(
            "the file has a header ({} columns) but no data rows",
            header.len()
        )));
    }
    let mut features = Vec::with_capacity(readers.len());
    let mut unseen = Vec::new();
    let mut warnings = Vec::new();
    if let (true, Some(from)) = (row_names, row_from) {
        warnings.push(TableWarning::RowNames { from, rows });
    }
    let mut filled_rows = Vec::new();
    for (reader, column) in readers.into_iter().zip(&columns) {
        filled_rows.extend(reader.filled_rows());
        match reader.finish() {
            Ok((mut values, seen, warning)) => {
                if let (ColumnValues::Dates { dates, .. }, Some(parts), None) =
                    (&mut values, which.date_parts, which.features)
                {
                    // Only parts the cells give: an hour of days, or a day of months, would
                    // be the same input in every row.
                    if let Some(p) = parts.iter().find(|p| !dates.parts.contains(p)) {
                        let gives: Vec<&str> = dates.parts.iter().map(|p| p.name()).collect();
                        let problem = format!(
                            "--date-parts asks for its {}, but its cells give no {} (its parts \
                             are {}); leave {} out of --date-parts",
                            p.name(),
                            match p {
                                crate::dates::DatePart::Hour => "time of day",
                                _ => "day, only months",
                            },
                            gives.join(", "),
                            p.name()
                        );
                        return Err(column_error(path, column, problem, None));
                    }
                    dates.parts = parts.to_vec();
                }
                // Months alone matter only to the inputs of a day.
                let needs_day = match &values {
                    ColumnValues::Dates { dates, .. } => dates.needs_day(),
                    _ => true,
                };
                features.push(values);
                unseen.extend(seen);
                warnings.extend(
                    (warning.into_iter())
                        .filter(|w| needs_day || !matches!(w, TableWarning::NoDay { .. })),
                );
            }
            Err((problem, at)) => return Err(column_error(path, column, problem, at)),
        }
    }
    let mut table = Table {
        columns,
        features,
        unseen,
        left_out,
        target: target_index.map(|t| header[t].clone()),
        label_names,
        labels,
        label_first,
        rows: rows as usize,
        pictures,
        warnings,
        unlabeled: Vec::new(),
        separator,
        filled_rows,
        groups,
    };
    if which.labels_required {
        leave_out_unlabeled(path, &mut table, which.drop_unlabeled)?;
    }
    Ok(table)
}

/// The labels that mark a row as having none, as indices into `names`: the empty label;
/// the missing-value markers ([`looks_missing`]: `NA`, `?`, `None`, ...) among labels of
/// which some are numbers, where a marker cannot be a class; and, when `markers` is set
/// (`--drop-unlabeled`), the markers among names too, which are otherwise classes (`None`
/// may be an answer) that reading warns about.
///
/// ```
/// use dnn_data::table::unlabeled;
/// let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
/// assert_eq!(unlabeled(&names(&["3.5", "", "NA", "4"]), false), [1, 2]);
/// assert_eq!(unlabeled(&names(&["male", "", "NA"]), false), [1]);
/// assert_eq!(unlabeled(&names(&["male", "", "NA"]), true), [1, 2]);
/// ```
pub fn unlabeled(names: &[String], markers: bool) -> Vec<usize> {
    let markers = markers
        || names
            .iter()
            .any(|n| n.trim().parse::<f64>().is_ok_and(f64::is_finite));
    // Among numbers, the input columns' marks too: Excel's errors (`#DIV/0!`), dashes.
    let mark = |n: &str| {
        looks_missing(n)
            || crate::categories::is_missing_cell(n)
            || crate::categories::DASHES.contains(&n)
    };
    (0..names.len())
        .filter(|&k| names[k].trim().is_empty() || markers && mark(names[k].trim()))
        .collect()
}

/// Up to five row numbers, then `...` if there are more: `18, 25, 31, 40, 41, ...`.
pub(crate) fn row_list(rows: &[u64]) -> String {
    let mut list: Vec<String> = rows.iter().take(5).map(u64::to_string).collect();
    if rows.len() > 5 {
        list.push("...".into());
    }
    list.join(", ")
}

/// Leaves out the rows of `table` without a label ([`unlabeled`]) when `drop` is set, listing
/// them in [`Table::unlabeled`]; refuses them otherwise, counting them all.
///
/// # Errors
/// [`DataError::BadCell`] at the first row without a label, unless `drop`.
fn leave_out_unlabeled(path: &Path, table: &mut Table, drop: bool) -> Result<()> {
    let missing = unlabeled(&table.label_names, drop);
    let Some(&first) = missing.iter().min_by_key(|&&k| table.label_first[k]) else {
        return Ok(());
    };
    let is_missing = |l: &usize| missing.contains(l);
    let rows: Vec<u64> = (1..)
        .zip(&table.labels)
        .filter(|(_, l)| is_missing(l))
        .map(|(row, _)| row)
        .collect();
    if !drop {
        let (row, line) = table.label_first[first];
        let label = table.label_names[first].trim();
        let what = if label.is_empty() {
            "the label is empty".to_owned()
        } else {
            format!(
                "the label `{}` marks a missing value among numeric labels",
                shown(label)
            )
        };
        let more = match rows.len() - 1 {
            0 => String::new(),
            1 => format!(", and 1 more row has none ({})", rows[1]),
            n => format!(", and {n} more rows have none ({})", row_list(&rows[1..])),
        };
        return Err(DataError::BadCell {
            path: path.to_path_buf(),
            row,
            line,
            column: table.target.clone().unwrap_or_default(),
            problem: format!(
                "{what}{more}; every row needs a label (a class, or a number to predict): fill \
                 them in, or leave the rows without one out with --drop-unlabeled (missing \
                 inputs can be filled, a missing label cannot)"
            ),
        });
    }
    let keep: Vec<bool> = table.labels.iter().map(|l| !is_missing(l)).collect();
    for values in &mut table.features {
        values.retain_rows(&keep);
    }
    if !table.pictures.is_empty() {
        let mut kept = keep.iter();
        table.pictures.retain(|_| *kept.next().unwrap_or(&true));
    }
    if !table.groups.is_empty() {
        let mut kept = keep.iter();
        table.groups.retain(|_| *kept.next().unwrap_or(&true));
    }
    // The labels left, renumbered in the order first met.
    let mut new_id = vec![usize::MAX; table.label_names.len()];
    let mut names = Vec::new();
    let mut first = Vec::new();
    for k in (0..table.label_names.len()).filter(|k| !is_missing(k)) {
        new_id[k] = names.len();
        names.push(std::mem::take(&mut table.label_names[k]));
        first.push(table.label_first[k]);
    }
    table.labels.retain(|l| !is_missing(l));
    table.labels.iter_mut().for_each(|l| *l = new_id[*l]);
    (table.label_names, table.label_first) = (names, first);
    table.rows = table.labels.len();
    if table.rows == 0 {
        return Err(DataError::BadSource {
            path: path.to_path_buf(),
            problem: format!(
                "none of its {} rows has a label in column `{}`: is it the target? --target \
                 names another",
                rows.len(),
                table.target.as_deref().unwrap_or_default()
            ),
        });
    }
    table.warnings.push(TableWarning::Unlabeled {
        column: table.target.clone().unwrap_or_default(),
        rows: rows.clone(),
        left: table.rows,
    });
    table.unlabeled = rows;
    Ok(())
}

/// The CSV table in `source` (named `path` in messages), opened and its header decoded as
/// [`read_table_from`] does: the header's names, and a reader at its first data row (the
/// separator found, Excel's `sep=` line skipped), for a caller that reads cells of its own
/// (`dnn predict --keep`'s columns).
///
/// # Errors
/// [`DataError::BadSource`] for a compressed or empty file or a header that is not UTF-8,
/// [`DataError::Io`] for one that cannot be read.
pub fn open_table<R: std::io::Read>(
    source: R,
    path: &Path,
) -> Result<(Vec<String>, csv::Reader<std::io::BufReader<R>>)> {
    let Opened {
        mut reader, crlf, ..
    } = open_csv(source, path)?;
    let raw = reader
        .byte_headers()
        .map_err(|e| csv_error(path, e, crlf))?;
    let header = header_names(raw, path)?;
    Ok((header, reader))
}

/// The column names of a table whose header record is `raw_header`, trimmed of spaces (and the
/// first of a byte-order mark), as [`read_table`] reads them; `path` names the file.
///
/// # Errors
/// [`DataError::BadSource`] for a header that is not UTF-8 (with the `iconv` line that
/// converts it) or an empty file.
pub(crate) fn header_names(raw_header: &csv::ByteRecord, path: &Path) -> Result<Vec<String>> {
    let bad = |problem: String| DataError::BadSource {
        path: path.to_path_buf(),
        problem,
    };
    if raw_header.as_slice().contains(&0)
        || raw_header.as_slice().starts_with(&[0xff, 0xfe])
        || raw_header.as_slice().starts_with(&[0xfe, 0xff])
    {
        return Err(bad(not_utf8(
            "the header",
            " (it has NUL bytes, as UTF-16 text does)",
            "utf-16",
        )));
    }
    let header: Vec<String> = raw_header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let text = std::str::from_utf8(h).map_err(|_| {
                bad(not_utf8(
                    &format!("column {} of the header", i + 1),
                    "",
                    "cp1252",
                ))
            })?;
            let text = if i == 0 {
                text.trim_start_matches('\u{feff}')
            } else {
                text
            };
            Ok(text.trim().to_owned())
        })
        .collect::<Result<_>>()?;
    if header.is_empty() || header.len() == 1 && header[0].is_empty() {
        return Err(bad(
            "the file is empty; a CSV table needs a header row and at least one data row".into(),
        ));
    }
    Ok(header)
}

/// Labels that tables write for a missing value (compared in lower case), which would
/// otherwise become a class of their own.
const MISSING: [&str; 9] = [
    "na", "n/a", "nan", "null", "none", "?", "-", "#n/a", "missing",
];

/// Whether a label reads like a missing value (`NA`, `N/A`, `NaN`, `null`, `None`, `?`, `-`,
/// `#N/A`, `missing`, in any case): refused among numeric labels, where it cannot be a class,
/// and worth a warning among names, where it may be one.
///
/// ```
/// assert!(dnn_data::table::looks_missing(" NA "));
/// assert!(!dnn_data::table::looks_missing("Nadia"));
/// ```
pub fn looks_missing(label: &str) -> bool {
    MISSING.contains(&label.trim().to_lowercase().as_str())
}

/// Refuses labels that would make classes the user does not mean: one number written two
/// ways (`1` and `1.0`: two classes to a string comparison, one to pandas). (A
/// missing-value marker such as `NA` among numeric labels is a row without a label, which
/// reading refuses or leaves out: [`unlabeled`].)
fn check_labels(path: &Path, table: &Table) -> Result<()> {
    let names = &table.label_names;
    let numbers = label_numbers(table);
    if !numbers.iter().any(Option::is_some) {
        return Ok(());
    }
    let target = table.target.clone().unwrap_or_default();
    let mut seen: HashMap<u64, usize> = HashMap::new();
    for (k, v) in numbers.iter().enumerate() {
        // `+ 0.0` makes -0 and 0 one key.
        let Some(v) = v.map(|v| (v + 0.0).to_bits()) else {
            continue;
        };
        if let Some(&first) = seen.get(&v) {
            return Err(DataError::BadSource {
                path: path.to_path_buf(),
                problem: format!(
                    "the labels `{}` (row {}) and `{}` (row {}) of column `{target}` are one \
                     number written two ways, which would make two classes; write each class \
                     one way",
                    shown(&names[first]),
                    table.label_first[first].0,
                    shown(&names[k]),
                    table.label_first[k].0,
                ),
            });
        }
        seen.insert(v, k);
    }
    Ok(())
}

/// What an unreadable file's message says: `what` is the part that is not UTF-8, `seen` what
/// shows it (or nothing), `from` the encoding `iconv` is told to convert from (`cp1252`, what
/// Excel on Windows writes, is a superset of Latin-1's printable characters; `utf-16`).
fn not_utf8(what: &str, seen: &str, from: &str) -> String {
    format!(
        "{what} is not UTF-8 text{seen}; save the table as CSV in UTF-8 (Excel: Save As, \
         \"CSV UTF-8\"), or convert it: iconv -f {from} -t utf-8 in.csv > out.csv (text in \
         UTF-16, Latin-1 or Windows-1252 is not read)"
    )
}

/// The names of a `--drop`, `--one-hot` (or `dnn predict --keep`) list as the header has them: each trimmed of
/// spaces, as the header's names are, and the pieces of a name with a comma in it joined
/// again (the command line splits `--drop 'weight, kg'` at its comma into `weight` and
/// ` kg`) where joined they name a column and the first alone does not.
///
/// ```
/// use dnn_data::table::as_named;
/// let header = ["id", "weight, kg", "label"].map(String::from);
/// let given = ["id", "weight", " kg"].map(String::from);
/// assert_eq!(as_named(&given, &header), ["id", "weight, kg"]);
/// ```
pub fn as_named(names: &[String], header: &[String]) -> Vec<String> {
    let known = |n: &str| header.iter().any(|h| h == n);
    let mut out = Vec::with_capacity(names.len());
    let mut i = 0;
    while i < names.len() {
        let piece = names[i].trim();
        // The longest run of pieces from this one that joins into a column's name.
        let joined = (!known(piece))
            .then(|| {
                (i + 1..names.len()).rev().find_map(|j| {
                    let name = names[i..=j].join(",");
                    known(name.trim()).then(|| (j, name.trim().to_owned()))
                })
            })
            .flatten();
        match joined {
            Some((j, name)) => {
                out.push(name);
                i = j + 1;
            }
            None => {
                out.push(piece.to_owned());
                i += 1;
            }
        }
    }
    out
}

/// The separator of a table named `path` whose first bytes are `start`: a tab for a `.tsv`
/// file; else a comma, unless its first line has none but has semicolons or tabs (as
/// spreadsheets save CSV where the decimal mark is a comma, or as tab-separated files are),
/// then the more frequent of those. Only separators outside quotes count: a header may name
/// a column `"weight, kg"`.
///
/// ```text
/// "a,b;c\n" -> ','    "a;b;c\n" -> ';'    "a\tb\n" -> '\t'    "a\n" -> ','    "\"a, b\";c\n" -> ';'
/// "Diameter (\");Width;Label\n" -> ';'
/// ```
fn separator_of(path: &Path, start: &[u8]) -> u8 {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"))
    {
        return b'\t';
    }
    let line = start.split(|&b| b == b'\n').next().unwrap_or_default();
    // As the csv crate reads: a quote opens a quoted cell only at the cell's start (spaces
    // before it aside); inside, `""` is a quote, and a lone `"` closes it. A quote within
    // an unquoted cell (`Diameter (")`) is a character.
    let (mut quoted, mut at_start) = (false, true);
    let (mut commas, mut semicolons, mut tabs) = (0, 0, 0);
    let mut bytes = line.iter().peekable();
    while let Some(&b) = bytes.next() {
        if quoted {
            if b == b'"' && bytes.next_if_eq(&&b'"').is_none() {
                quoted = false;
            }
            continue;
        }
        match b {
            b',' | b';' | b'\t' => {
                *match b {
                    b',' => &mut commas,
                    b';' => &mut semicolons,
                    _ => &mut tabs,
                } += 1;
                at_start = true;
            }
            b'"' if at_start => (quoted, at_start) = (true, false),
            b' ' if at_start => {}
            _ => at_start = false,
        }
    }
    match (commas, semicolons, tabs) {
        (0, semicolons, tabs) if semicolons + tabs > 0 => {
            if semicolons >= tabs {
                b';'
            } else {
                b'\t'
            }
        }
        _ => b',',
    }
}

/// The separator that a first line `sep=X` (what Excel writes to say it) names, and that
/// line's length with its line break (and a byte-order mark before it); `None` without such
/// a line.
///
/// ```text
/// "sep=;\r\na;b\n" -> Some((b';', 7))    "a;b\n" -> None
/// ```
fn excel_separator(start: &[u8]) -> Option<(u8, usize)> {
    let end = start.iter().position(|&b| b == b'\n')?;
    let line = start[..end].strip_suffix(b"\r").unwrap_or(&start[..end]);
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    match line.strip_prefix(b"sep=")? {
        [separator] => Some((*separator, end + 1)),
        _ => None,
    }
}

/// A quoted cell that runs over line breaks: in a label or a number, almost always a quote
/// (`"`) that is never closed, after which the reader takes every line up to the next quote
/// as one cell.
fn open_quote(cell: &[u8]) -> Option<String> {
    let breaks = cell.iter().filter(|&&b| b == b'\n').count();
    (breaks > 0 || cell.contains(&b'\r')).then(|| {
        format!(
            "the cell runs over {} lines (`{}`); is a quote (\") opened in it never closed?",
            breaks + 1,
            shown(&String::from_utf8_lossy(cell))
        )
    })
}

/// What is wrong with a label cell, if anything: not UTF-8, or running over lines. (An
/// empty label is a row without one, which [`leave_out_unlabeled`] deals with once the
/// table is read, counting them all.)
fn label_problem(cell: &[u8]) -> Option<String> {
    let label = trim(cell);
    if let Some(problem) = open_quote(label) {
        return Some(problem);
    }
    std::str::from_utf8(label).err().map(|_| {
        not_utf8(
            &format!("the label `{}`", shown(&String::from_utf8_lossy(label))),
            "",
            "cp1252",
        )
    })
}

/// What is wrong with a cell of the group column (`--group-by`), if anything: missing (empty,
/// `NA`, ...: a row must belong to a group for the split to keep it whole, and rows of
/// unknown groups are not one group), not UTF-8, or running over lines.
fn group_problem(cell: &[u8]) -> Option<String> {
    let group = trim(cell);
    let text = std::str::from_utf8(group).unwrap_or_default();
    if group.is_empty() || looks_missing(text) || crate::categories::is_missing_cell(text) {
        return Some(format!(
            "the group is {}; every row needs one for --group-by to keep it with its group \
             (rows of unknown groups are not one group): fill it in, or drop the row",
            if group.is_empty() {
                "empty".to_owned()
            } else {
                format!("`{}`, a missing value", shown(text))
            }
        ));
    }
    if let Some(problem) = open_quote(group) {
        return Some(problem);
    }
    std::str::from_utf8(group).err().map(|_| {
        not_utf8(
            &format!("the group `{}`", shown(&String::from_utf8_lossy(group))),
            "",
            "cp1252",
        )
    })
}

/// What is wrong with a cell of an image CSV's picture column, if anything: it is empty, not
/// UTF-8, or does not name a `.png`, `.jpg` or `.jpeg` file (unless `suffixed`: a suffix
/// that ends so is appended to it).
fn picture_problem(cell: &[u8], suffixed: bool) -> Option<String> {
    let Ok(name) = std::str::from_utf8(trim(cell)) else {
        return Some(not_utf8("the picture's name", "", "cp1252"));
    };
    if name.is_empty() {
        return Some(
            "no picture is named; every row of an image CSV names its picture file: fill it \
             in, or drop the row"
                .into(),
        );
    }
    (!suffixed && !names_picture(name)).then(|| {
        format!(
            "`{}` is not a picture's file name; an image CSV names a .png, .jpg or .jpeg file \
             in every row of this column",
            shown(name)
        )
    })
}

/// Records read, then parsed in parallel, at a time (a few MB of text).
pub(crate) const BATCH: usize = 2048;

/// The first rows a header is compared with, to tell a row of data from names
/// ([`table_checks::first_line_is_data`]).
const SAMPLE: usize = 500;

pub(crate) fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// One feature cell as trimmed text, or what is wrong with it: bytes that are not UTF-8, or
/// a quote left open. A quoted cell may run over lines (an address, a note: what Python's
/// `csv` module and pandas write and read), but not over lines that look like rows of the
/// table, with as many `separator`s as a row of `fields` cells has: those were swallowed by
/// a quote never closed ([`open_quote`]), which does not always leave its row short.
pub(crate) fn cell_text(
    bytes: &[u8],
    separator: u8,
    fields: usize,
) -> std::result::Result<&str, String> {
    let cell = trim(bytes);
    let rows_inside = cell
        .split(|&b| b == b'\n')
        .skip(1)
        .any(|line| fields > 1 && line.iter().filter(|&&b| b == separator).count() >= fields - 1);
    if rows_inside {
        if let Some(problem) = open_quote(cell) {
            return Err(problem);
        }
    }
    std::str::from_utf8(cell).map_err(|_| {
        not_utf8(
            &format!("the cell `{}`", shown(&String::from_utf8_lossy(cell))),
            "",
            "cp1252",
        )
    })
}

impl Table {
    /// The number of network inputs: one per number column, one per value of a text column.
    pub fn inputs(&self) -> usize {
        self.features.iter().map(ColumnValues::inputs).sum()
    }

    /// The text columns and their values, as a model records them.
    pub fn one_hot(&self) -> Vec<OneHot> {
        self.columns
            .iter()
            .zip(&self.features)
            .filter_map(|(column, values)| match values {
                ColumnValues::Text { values, .. } => Some(OneHot {
                    column: column.clone(),
                    values: values.clone(),
                }),
                ColumnValues::Numbers(_) | ColumnValues::Dates { .. } => None,
            })
            .collect()
    }

    /// The columns of dates, as a model records them.
    pub fn dates(&self) -> Vec<DateColumn> {
        self.features
            .iter()
            .filter_map(|values| match values {
                ColumnValues::Dates { dates, .. } => Some(dates.clone()),
                _ => None,
            })
            .collect()
    }

    /// The inputs of rows `picked`, as an `(inputs, picked.len())` matrix: a number column's
    /// values, a text column's one-hot rows.
    pub fn matrix(&self, picked: &[usize]) -> Array2<f64> {
        let mut out = Array2::zeros((self.inputs(), picked.len()));
        let mut row = Vec::new();
        let mut rows = out.rows_mut().into_iter();
        for values in &self.features {
            for input in 0..values.inputs() {
                values.input_row(input, picked, &mut row);
                if let Some(mut out) = rows.next() {
                    out.iter_mut().zip(&row).for_each(|(o, &v)| *o = v);
                }
            }
        }
        out
    }
}

/// Keeps, of each text column's values, those met in the `train` rows (in their order), as
/// a `OneHotEncoder` fitted on the training part does: a value met only in the test part is
/// no value there, as one the model never met is for `dnn predict`, and is returned.
///
/// # Errors
/// [`DataError::BadSource`] for a text column with no value in the training part.
fn keep_training_values(path: &Path, table: &mut Table, train: &[usize]) -> Result<Vec<Unseen>> {
    let mut unseen = Vec::new();
    for (column, values) in table.columns.iter().zip(&mut table.features) {
        let ColumnValues::Text { values, codes } = values else {
            continue;
        };
        let mut met = vec![false; values.len()];
        for &j in train {
            if let Some(m) = met.get_mut(codes[j] as usize) {
                *m = true;
            }
        }
        if !met.contains(&true) {
            return Err(DataError::BadSource {
                path: path.to_path_buf(),
                problem: format!(
                    "column `{column}` has no value in the training part, only empty or \
                     missing cells; leave it out with --drop {}",
                    crate::error::shell_word(column)
                ),
            });
        }
        if !met.contains(&false) {
            continue;
        }
        let mut new_code = vec![NONE; values.len()];
        let mut kept = 0;
        for (k, &m) in met.iter().enumerate() {
            if m {
                new_code[k] = kept;
                kept += 1;
            }
        }
        let mut rows = 0;
        let mut first = None;
        for (j, code) in codes.iter_mut().enumerate() {
            if *code != NONE && new_code[*code as usize] == NONE {
                rows += 1;
                first.get_or_insert((values[*code as usize].clone(), j as u64 + 1));
            }
            if *code != NONE {
                *code = new_code[*code as usize];
            }
        }
        let mut k = 0;
        values.retain(|_| {
            k += 1;
            met[k - 1]
        });
        if let Some(first) = first {
            unseen.push(Unseen {
                column: column.clone(),
                rows,
                first,
            });
        }
    }
    Ok(unseen)
}

/// Fills every number column's missing cells (NaN) with `how` over the training rows, and
/// returns each number column's value; a column of dates is filled alike, with the mean or
/// median instant ([`crate::dates`]).
fn fill_missing(
    path: &Path,
    table: &mut Table,
    how: FillMissing,
    train: &[usize],
) -> Result<Vec<Filled>> {
    let mut filled = Vec::new();
    for (column, values) in table.columns.iter().zip(&mut table.features) {
        let values = match values {
            ColumnValues::Numbers(values) => values,
            ColumnValues::Dates { instants, .. } => instants,
            ColumnValues::Text { .. } => continue,
        };
        let value = how.fit(values, train).ok_or_else(|| DataError::BadSource {
            path: path.to_path_buf(),
            problem: format!(
                "column `{column}` has no number in the training part to take the {} of; \
                 leave it out with --drop {}",
                how.name(),
                crate::error::shell_word(column)
            ),
        })?;
        for v in values.iter_mut().filter(|v| v.is_nan()) {
            *v = value;
        }
        filled.push(Filled {
            column: column.clone(),
            value,
        });
    }
    Ok(filled)
}

/// Loads a CSV table for training or evaluation (see the [module docs](self)).
///
/// # Errors
/// Those of [`read_table`], the class errors and [`DataError::BadSplit`].
pub fn load<X: Float>(path: &Path, options: &LoadOptions) -> Result<Dataset<X>> {
    let mut hashing = crate::fingerprint::HashingReader::new(open(path)?);
    let mut table = read_table_from(
        &mut hashing,
        path,
        Columns {
            target: options.target.as_deref(),
            labels_required: true,
            features: options.columns.as_deref(),
            one_hot: &options.one_hot,
            filled: &options.filled,
            dates: &options.dates,
            date_parts: options.date_parts.as_deref(),
            date_order: options.date_order,
            fill_missing: options.fill_missing.is_some(),
            drop: &options.drop_columns,
            text: &options.one_hot_columns,
            numbers_only: false,
            pictures: None,
            picture_suffix: None,
            drop_unlabeled: options.drop_unlabeled,
            decimal_comma: options.decimal_comma,
            parse_numbers: options.parse_numbers,
            groups: options.group_by.as_deref(),
        },
    )?;
    let sha256 = hashing.finish();
    let options = &options.resolved(&sha256);
    let target = table.target.clone().unwrap_or_default();
    refuse_labels_in_other_notations(path, &table, options)?;
    let values = regression_values(path, &table, options)?;
    let (group_of, group_count) = crate::split::group_indices(&table.groups);
    let groups = (!table.groups.is_empty()).then_some((group_of.as_slice(), group_count));
    let (names, labels, train_idx, test_idx, split, regression) = match &values {
        Some(values) => {
            let ((train, test, split), scale) =
                split_values(path, values, options, &target, groups)?;
            (Vec::new(), Vec::new(), train, test, split, Some(scale))
        }
        None => {
            let (names, labels) = class_labels(path, &table, options)?;
            let (train, test, split) = split_or_keep(path, &labels, names.len(), options, groups)?;
            (names, labels, train, test, split, None)
        }
    };
    // The groups kept whole, when the split was by them.
    let groups = match (&options.group_by, split, groups) {
        (Some(column), Some(_), Some(_)) => {
            let mut in_test: Vec<usize> = test_idx.iter().map(|&j| group_of[j]).collect();
            in_test.sort_unstable();
            in_test.dedup();
            Some(crate::dataset::Groups {
                column: column.trim().to_owned(),
                count: group_count,
                in_test: in_test.len(),
                train: train_idx.iter().map(|&j| group_of[j]).collect(),
            })
        }
        _ => None,
    };
    let pick = |idx: &[usize]| -> (Vec<usize>, Vec<f64>) {
        match &values {
            Some(v) => (Vec::new(), idx.iter().map(|&j| v[j]).collect()),
            None => (idx.iter().map(|&j| labels[j]).collect(), Vec::new()),
        }
    };
    let ((train_labels, train_values), (test_labels, test_values)) =
        (pick(&train_idx), pick(&test_idx));
    let mut unseen = std::mem::take(&mut table.unseen);
    let fit = fitted_on(options, &train_idx, &test_idx);
    if options.columns.is_none() {
        unseen.extend(keep_training_values(path, &mut table, fit)?);
    }
    let text_counts: Vec<crate::categories::TextCounts> = table
        .columns
        .iter()
        .zip(&table.features)
        .filter_map(|(column, values)| values.text_counts(column, fit))
        .collect();
    let mut table_warnings = std::mem::take(&mut table.warnings);
    if options.columns.is_none() {
        for (column, values) in table.columns.iter().zip(&table.features) {
            if let ColumnValues::Numbers(values) = values {
                table_warnings.extend(table_checks::row_numbers(column, values));
            }
        }
        for c in &text_counts {
            table_warnings.extend(table_checks::nearly_unique(
                &c.column,
                &c.rows,
                c.rows_without_value,
            ));
        }
    }
    let filled = match options.fill_missing {
        Some(how) if options.columns.is_none() => fill_missing(path, &mut table, how, fit)?,
        _ => options.filled.clone(),
    };
    let one_hot = table.one_hot();
    let dates = table.dates();
    if options.date_parts.is_some() && options.columns.is_none() && dates.is_empty() {
        return Err(DataError::BadSource {
            path: path.to_path_buf(),
            problem: "--date-parts names the inputs of a column of dates, but no column is \
                      read as dates (every value a date, such as 2012-01-31, and not given to \
                      --one-hot); leave --date-parts out"
                .into(),
        });
    }
    // A column of dates' inputs (`date.year`) must not take another column's name, which
    // the model's inputs and an export's `inputs` would then list twice.
    for d in &dates {
        if let Some(name) = d
            .input_names()
            .into_iter()
            .find(|n| table.columns.contains(n))
        {
            return Err(DataError::BadSource {
                path: path.to_path_buf(),
                problem: format!(
                    "column `{}` holds dates, whose input `{name}` has the name of another \
                     column; rename that column, or leave one out with --drop",
                    d.column
                ),
            });
        }
    }
    let (n, mtr, mte) = (table.inputs(), train_idx.len(), test_idx.len());
    // One input per value: a text column of many values (`--one-hot id`) can ask for more
    // than the machine has, which would end the process rather than fail.
    let bytes = (n as u128) * (table.rows as u128) * std::mem::size_of::<X>() as u128;
    crate::dataset::ensure_fits(path, Some(bytes), || {
        let widest = one_hot.iter().max_by_key(|h| h.values.len());
        let hint = widest.map_or(String::new(), |h| {
            format!(
                "; the text column `{}` alone makes {} of them: leave it out with --drop {}",
                h.column,
                h.values.len(),
                crate::error::shell_word(&h.column)
            )
        });
        format!(
            "its {n} inputs over {} rows make input matrices of {:.1} GB, more than this \
             machine can hold{hint}",
            table.rows,
            bytes as f64 / 1e9
        )
    })?;
    let input = Input::Table {
        columns: table.columns.clone(),
        target,
        one_hot,
        filled,
        dates,
    };
    // The z-score, input by input, in f64 from the file's numbers, before any rounding to X:
    // fitted on the training part (a table's inputs are numbers, so Auto is on), or given.
    let given = match &options.zscore {
        ZScore::Off => None,
        ZScore::On | ZScore::Auto => Some(None),
        ZScore::Given(z) if z.len() != n => {
            return Err(DataError::ZScoreWidth {
                path: path.to_path_buf(),
                input: Box::new(input),
                covers: z.len(),
            })
        }
        ZScore::Given(z) => Some(Some(z)),
    };
    let m = mtr.max(1) as f64;
    let (mut means, mut stds) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut train_x = Array2::<X>::zeros((n, mtr));
    let mut test_x = Array2::<X>::zeros((n, mte));
    let (mut train_row, mut test_row) = (Vec::new(), Vec::new());
    let mut at = 0;
    // Column by column: each feature is written into both matrices and freed at once.
    for values in &mut table.features {
        let values = std::mem::replace(values, ColumnValues::Numbers(Vec::new()));
        for input in 0..values.inputs() {
            values.input_row(input, &train_idx, &mut train_row);
            values.input_row(input, &test_idx, &mut test_row);
            let (mu, sd) = match given {
                None => (0.0, 1.0),
                Some(None) => fit_row(&train_row, m),
                Some(Some(z)) => (z.mean[at], z.std[at]),
            };
            means.push(mu);
            stds.push(sd);
            for (x, row) in [(&mut train_x, &train_row), (&mut test_x, &test_row)] {
                let out = x.row_mut(at);
                if given.is_some() {
                    out.into_iter()
                        .zip(row)
                        .for_each(|(o, &v)| *o = X::of(standardized(v, mu, sd)));
                } else {
                    out.into_iter().zip(row).for_each(|(o, &v)| *o = X::of(v));
                }
            }
            at += 1;
        }
    }
    let standardization = given.map(|_| Standardization {
        mean: means.into(),
        std: stds.into(),
    });
    Ok(Dataset {
        train_x,
        train_labels,
        train_values,
        test_x,
        test_labels,
        test_values,
        spec: DataSpec {
            ranges: None,
            classes: names,
            regression,
            input,
            standardization,
        },
        source: Source {
            format: Format::Csv,
            path: path.to_path_buf(),
            split,
            skipped_files: 0,
            unread: Vec::new(),
            numeric_inputs: true,
            unseen,
            text_counts,
            sha256: Some(sha256),
            whole: options.whole(),
            left_out_columns: table.left_out,
            image_csv: None,
            table_warnings,
            decimal_comma: options.decimal_comma,
            parse_numbers: options.parse_numbers,
            groups,
        },
        train_images: None,
        test_images: None,
    })
}

/// Refuses labels that are numbers in a notation the flags do not read, and not read as
/// classes by request ([`Task::Classify`]): they would become a class per price, as such
/// cells are refused. Half the labels or more must be such numbers:
/// - written with a decimal comma (`10,00`) in a file whose separator is not a comma, read
///   without [`LoadOptions::decimal_comma`];
/// - written by hand (`$1,234.50`, `12%`), read without [`LoadOptions::parse_numbers`].
fn refuse_labels_in_other_notations(
    path: &Path,
    table: &Table,
    options: &LoadOptions,
) -> Result<()> {
    if options.task == Task::Classify {
        return Ok(());
    }
    let names = &table.label_names;
    let refuse = |plain: &dyn Fn(&str) -> Option<String>, written: &str, flag: &str| {
        let found: Vec<usize> = (0..names.len())
            .filter(|&k| plain(names[k].trim()).is_some())
            .collect();
        let Some(&first) = found.first().filter(|_| 2 * found.len() >= names.len()) else {
            return Ok(());
        };
        let (row, line) = table.label_first[first];
        let name = names[first].trim();
        Err(DataError::BadCell {
            path: path.to_path_buf(),
            row,
            line,
            column: table.target.clone().unwrap_or_default(),
            problem: format!(
                "the label `{}` is a number {written}, and so are {} of its {} labels; read \
                 {flag}, or write them plainly ({}), or read every value as a class with \
                 --task classify",
                shown(name),
                found.len(),
                names.len(),
                plain(name).unwrap_or_default()
            ),
        })
    };
    if !options.decimal_comma && table.separator != b',' {
        refuse(
            &decimal_comma,
            "written with a decimal comma, as the file's separator (not a comma) suggests",
            "the file's numbers so with --decimal-comma",
        )?;
    }
    if !options.parse_numbers {
        refuse(
            &|name| parse_number(name, options.decimal_comma),
            "written by hand",
            "such cells as numbers with --parse-numbers",
        )?;
    }
    Ok(())
}

/// Each label name as a finite number, where it is one (`None` for text, `NA`, `inf`).
fn label_numbers(table: &Table) -> Vec<Option<f64>> {
    table
        .label_names
        .iter()
        .map(|n| n.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect()
}

/// Each row's target value when `task` makes the table a regression ([`crate::target`]),
/// else `None`.
///
/// For [`Task::Auto`], a column whose numbers would make a regression but which has a few
/// cells that are not numbers (`unknown`, `NA`, `$5.00`) is refused at the first of them,
/// rather than read as a class per value; one that `--parse-numbers` would read, when
/// `options` do not, is refused with its advice.
pub(crate) fn regression_values(
    path: &Path,
    table: &Table,
    options: &LoadOptions,
) -> Result<Option<Vec<f64>>> {
    let task = options.task;
    if task == Task::Classify {
        return Ok(None);
    }
    let numbers = label_numbers(table);
    let known: Vec<f64> = numbers.iter().flatten().copied().collect();
    let continuous = crate::target::is_continuous(&known);
    if let Some(k) = numbers.iter().position(Option::is_none) {
        let others = numbers.iter().filter(|n| n.is_none()).count();
        if task == Task::Auto && !(continuous && others < known.len()) {
            return Ok(None);
        }
        let (row, line) = table.label_first[k];
        let name = table.label_names[k].trim();
        let infinite = name.parse::<f64>().is_ok();
        let problem = if looks_missing(name) {
            format!(
                "the target `{}` marks a missing value, but a number to predict (a \
                 regression) is needed in every row; fill it in, or drop the row",
                shown(name)
            )
        } else {
            let mend = match crate::categories::number_as_written(name) {
                Some(plain) if table.separator != b',' && decimal_comma(name).is_some() => {
                    format!(
                        "read the file's numbers with decimal commas, as its separator (not a \
                         comma) suggests, with --decimal-comma, or write it plainly ({plain})"
                    )
                }
                Some(plain) => {
                    let notation = Notation {
                        decimal_comma: options.decimal_comma,
                        parse_numbers: options.parse_numbers,
                    };
                    let hint = table.separator != b',';
                    let parse = crate::categories::parse_advice(name, notation, hint);
                    format!("write it plainly ({plain}){parse}")
                }
                None if infinite => "write a finite number".to_owned(),
                None => "mend the cell, or drop the row".to_owned(),
            };
            let classes = if task == Task::Auto {
                " (or read every value as a class with --task classify)"
            } else {
                ""
            };
            format!(
                "the target `{}` is not a {}number, but a number to predict (a regression) is \
                 needed in every row; {mend}{classes}",
                shown(name),
                if infinite { "finite " } else { "" }
            )
        };
        return Err(DataError::BadCell {
            path: path.to_path_buf(),
            row,
            line,
            column: table.target.clone().unwrap_or_default(),
            problem,
        });
    }
    if task == Task::Auto && !continuous {
        return Ok(None);
    }
    Ok(Some(table.labels.iter().map(|&l| known[l]).collect()))
}

/// The class names and each row's class, in the order [`LoadOptions::classes`] asks for.
pub(crate) fn class_labels(
    path: &Path,
    table: &Table,
    options: &LoadOptions,
) -> Result<(Vec<String>, Vec<usize>)> {
    check_labels(path, table)?;
    let mut natural = table.label_names.clone();
    sort_names(&mut natural);
    // Through a map: a search of `natural` for each name took 16 s for 100,000 classes.
    let sorted: HashMap<&str, usize> = natural
        .iter()
        .enumerate()
        .map(|(k, n)| (n.as_str(), k))
        .collect();
    let to_natural: Vec<usize> = table
        .label_names
        .iter()
        .map(|n| sorted.get(n.as_str()).copied().unwrap_or_default())
        .collect();
    let mut labels: Vec<usize> = table.labels.iter().map(|&l| to_natural[l]).collect();
    let seen = classes::seen(natural.len(), &[&labels]);
    let (names, map) = classes::resolve(path, &natural, &seen, &options.classes)?;
    classes::remap(&mut labels, &map);
    if !matches!(options.classes, ClassChoice::Among(_)) {
        classes::require_two(path, &names, &labels)?;
    }
    Ok((names, labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_is_the_csv_crates_outside_quoted_cells() {
        let csv = Path::new("t.csv");
        for (line, separator) in [
            ("a,b;c\n", b','),
            ("a;b;c\n", b';'),
            ("a\tb\n", b'\t'),
            ("a\n", b','),
            ("\"weight, kg\";height;label\n", b';'),
            ("\"say \"\"a, b\"\"\";c;d\n", b';'),
            ("Diameter (\");Width;Label\n", b';'),
            (" \"a,b\" ;c\n", b';'),
        ] {
            assert_eq!(separator_of(csv, line.as_bytes()), separator, "{line:?}");
        }
        assert_eq!(separator_of(Path::new("t.TSV"), b"a, b\tc\n"), b'\t');
    }
}
