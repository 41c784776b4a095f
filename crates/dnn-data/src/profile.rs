//! A look at a CSV table before training, as pandas' `df.info()` or AutoGluon's feature
//! types give one: each column's missing cells, distinct values, range (of its numbers, or
//! of its dates) or most common values, how dnn reads it, and **every** column that reading it for training would refuse,
//! with the flag that mends it ([`Mend`]), where [`crate::table::read_table`] stops at the
//! first.
//!
//! Nothing here is a second reading rule. The file is opened, its separator found and its
//! header decoded by [`crate::table`]'s own functions; each feature column is read by the
//! column reader training uses ([`crate::categories`]), once as the flags say and, without
//! `--fill-missing`, once with it, so that a column refused for missing numbers is told from
//! one refused for something filling does not mend. What the columns' mends leave is then
//! read by [`read_table`] itself: the header's checks (a first line of data, a nameless or
//! repeated column), the labels, a ragged row, and the warnings (row names, dates) are its
//! own, in [`Profile::refusal`] and [`Profile::warnings`].
//!
//! ```
//! use dnn_data::profile::{profile, Mend, Role};
//! use dnn_data::table::Columns;
//! # let dir = tempfile::tempdir()?;
//! let path = dir.path().join("penguins.csv");
//! std::fs::write(
//!     &path,
//!     "id,island,bill,species\nN1A1,Torgersen,39.1,Adelie\nN1A2,Biscoe,NA,Gentoo\n",
//! )?;
//! let p = profile(&path, Columns::default())?;
//! assert_eq!((p.rows, p.columns.len(), p.separator), (2, 4, b','));
//! let bill = &p.columns[2];
//! assert_eq!((bill.missing, bill.range), (1, Some((39.1, 39.1))));
//! // `NA` in a column of numbers: refused as given, mended by --fill-missing.
//! assert_eq!(bill.refusal.as_ref().map(|r| &r.mend), Some(&Mend::FillMissing));
//! assert_eq!(p.columns[3].role, Role::Target);
//! assert_eq!(p.mends().fill_missing, true);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::path::Path;

use rayon::prelude::*;

use crate::categories::{
    column_error, decimal_comma, is_missing_cell, is_missing_date, number_as_written, parse_number,
    ColumnReader, ColumnValues, Mode, Notation, DASHES, MAX_DETECTED_VALUES,
};
use crate::dates::{DateOrder, DatePart};
use crate::error::{DataError, Result};
use crate::table::{self, as_named, read_table, Columns};
use crate::table_checks::{self, TableWarning};

/// Distinct values counted per column, at most: past this a column is an id or a
/// measurement, and its count is shown as `more than` this ([`ColumnProfile::distinct`]).
pub const DISTINCT_CAP: usize = 10_000;

/// A table as [`profile`] found it.
#[derive(Debug)]
pub struct Profile {
    /// The separator the cells are read with ([`crate::table::separator`]).
    pub separator: u8,
    /// Whether an Excel `sep=` line names it, before the header.
    pub excel_separator_line: bool,
    /// The data rows (the header not counted).
    pub rows: usize,
    /// Every column of the header, in order.
    pub columns: Vec<ColumnProfile>,
    /// What [`read_table`] still refuses once every column's [`Mend`] is taken: a header
    /// that is a row of data, a nameless or repeated column, a label that is empty or
    /// missing among numbers, a ragged row, a quote never closed. `None` when it reads.
    pub refusal: Option<DataError>,
    /// The warnings [`read_table`] leaves about the table, once mended (row names, dates);
    /// those that need the split (ids, nearly unique text) come with loading.
    pub warnings: Vec<TableWarning>,
}

/// One column of a [`Profile`].
#[derive(Debug)]
pub struct ColumnProfile {
    /// Its name in the header (trimmed; empty for a nameless column).
    pub name: String,
    /// What dnn makes of it.
    pub role: Role,
    /// Its cells that mark a missing value: empty, a pandas marker such as `NA`
    /// ([`crate::categories::is_missing_cell`]), and, in a column read as numbers, a dash.
    pub missing: usize,
    /// Its cells that are finite numbers.
    pub numbers: usize,
    /// Its other cells: text.
    pub texts: usize,
    /// Those of its text cells that are numbers as written by hand (`39,1`, `$5.00`, `12%`),
    /// which training refuses with the plain number to write instead.
    pub written: usize,
    /// Its different values, missing cells aside (numbers compared as numbers when every
    /// value is one), up to [`DISTINCT_CAP`] (then `distinct_capped`).
    pub distinct: usize,
    /// Whether there were more than [`DISTINCT_CAP`] different values.
    pub distinct_capped: bool,
    /// The smallest and largest of its numbers, if it has any.
    pub range: Option<(f64, f64)>,
    /// Its three most common values as written, with their counts (most common first;
    /// ties in the order first met).
    pub common: Vec<(String, usize)>,
    /// Whether it has text values and every one reads as a date ([`table_checks::is_date`]).
    pub dates: bool,
    /// Its earliest and latest dates and the days they fall on, when it is read as dates
    /// ([`Reading::Dates`]).
    pub date_span: Option<DateSpan>,
    /// Why reading it for training, as the flags say, is refused, and what mends it.
    pub refusal: Option<Refusal>,
}

/// The dates of a column read as dates, as pandas' `min()`, `max()` and
/// `dt.normalize().nunique()` sum them up: the whole file's, its missing cells aside.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DateSpan {
    /// The earliest instant ([`crate::dates::parse`]; [`crate::dates::shown`] writes it).
    pub earliest: f64,
    /// The latest instant.
    pub latest: f64,
    /// How many different days the dates fall on; months, for a column of months.
    pub days: usize,
    /// Whether its cells give months only (`2012-01`, `01/2012`), each read as its first day.
    pub months: bool,
}

impl DateSpan {
    /// The span of `instants` (NaN: a missing date, left aside), of a column of months when
    /// `months`; `None` when every one is missing.
    ///
    /// ```
    /// use dnn_data::profile::DateSpan;
    /// // 2012-01-31 10:30, 2012-02-02 and 2012-01-31 18:00: on two different days.
    /// let span = DateSpan::of(&[15_370.4375, f64::NAN, 15_372.0, 15_370.75], false).unwrap();
    /// assert_eq!((span.earliest, span.latest, span.days), (15_370.4375, 15_372.0, 2));
    /// assert_eq!(DateSpan::of(&[f64::NAN], false), None);
    /// ```
    pub fn of(instants: &[f64], months: bool) -> Option<DateSpan> {
        let known = instants.iter().copied().filter(|t| !t.is_nan());
        let (earliest, latest) = known.clone().fold(None, |span, t| match span {
            None => Some((t, t)),
            Some((lo, hi)) => Some((t.min(lo), t.max(hi))),
        })?;
        let days: HashSet<i64> = known.map(|t| t.floor() as i64).collect();
        Some(DateSpan {
            earliest,
            latest,
            days: days.len(),
            months,
        })
    }
}

/// What dnn does with a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// An input: a number, or text one-hot encoded into `values` inputs.
    Input(Reading),
    /// The label column (`--target`, by default the last).
    Target,
    /// Left out by `--drop`.
    Dropped,
    /// Each row's group (`--group-by`), kept whole by the split: not an input.
    Groups,
    /// A nameless first column that counts the rows (R's row names, pandas' index), left out.
    RowNames,
    /// A feature column that reading refuses ([`ColumnProfile::refusal`]).
    Refused,
}

/// How a feature column is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// One input of numbers.
    Numbers,
    /// Text, one input per value (`--one-hot`, or detected).
    Text {
        /// Its different values over the whole file (training keeps those of its part).
        values: usize,
    },
    /// Dates, one input per part ([`crate::dates`]).
    Dates {
        /// The order of a date whose year is not first.
        order: crate::dates::DateOrder,
        /// The inputs it makes.
        parts: usize,
    },
}

/// A column's refusal: dnn's own error, as `dnn train` would give it, and the flag that
/// mends it.
#[derive(Debug)]
pub struct Refusal {
    /// The error, with the row and the advice of its message.
    pub error: DataError,
    /// The flag that makes the column load.
    pub mend: Mend,
}

/// The flag that makes a refused column load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mend {
    /// `--fill-missing` (mean or median): its only fault is missing numbers.
    FillMissing,
    /// `--one-hot NAME`: mostly text, with a number among its cells, and at most
    /// [`MAX_DETECTED_VALUES`] values.
    OneHot,
    /// `--drop NAME`: an id, free text, dates, a number column with text in it, a column
    /// without numbers.
    Drop,
    /// `--decimal-comma`: numbers written with a decimal comma, in a file whose separator is
    /// not a comma.
    DecimalComma,
    /// `--parse-numbers`: numbers written by hand (`$1,234.50`, `12%`, `1 000`), which it
    /// reads ([`crate::table::Columns::parse_numbers`]).
    ParseNumbers,
    /// `--decimal-comma --parse-numbers`: numbers written by hand with a decimal comma
    /// (`12.495,74 €`), in a file whose separator is not a comma: neither flag alone reads
    /// them.
    DecimalCommaParseNumbers,
    /// Without `--date-order`: a column of dates that all read in another order than the
    /// one given; the column tells its own.
    NoDateOrder,
}

/// The flags that mend every refused column of a [`Profile`] ([`Profile::mends`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mends {
    /// Columns to leave out (`--drop`).
    pub drop: Vec<String>,
    /// Columns to read as text (`--one-hot`).
    pub one_hot: Vec<String>,
    /// Whether missing numbers need filling (`--fill-missing`).
    pub fill_missing: bool,
    /// Whether numbers need reading with decimal commas (`--decimal-comma`).
    pub decimal_comma: bool,
    /// Whether numbers need reading as written by hand (`--parse-numbers`).
    pub parse_numbers: bool,
    /// Whether `--date-order` is to be left out (a column's dates contradict it).
    pub no_date_order: bool,
}

impl Mends {
    /// Whether nothing needs mending.
    pub fn is_empty(&self) -> bool {
        self.drop.is_empty()
            && self.one_hot.is_empty()
            && !self.fill_missing
            && !self.decimal_comma
            && !self.parse_numbers
            && !self.no_date_order
    }
}

impl Profile {
    /// The flags that mend every refused column, in the columns' order.
    pub fn mends(&self) -> Mends {
        mends_of(&self.columns)
    }

    /// The inputs the feature columns make as read (refused ones not counted).
    pub fn inputs(&self) -> usize {
        self.columns
            .iter()
            .map(|c| match c.role {
                Role::Input(Reading::Numbers) => 1,
                Role::Input(Reading::Text { values }) => values,
                Role::Input(Reading::Dates { parts, .. }) => parts,
                _ => 0,
            })
            .sum()
    }
}

/// What one column's cells were, counted as they are read.
#[derive(Default)]
struct Tally {
    missing: usize,
    dashes: usize,
    numbers: usize,
    texts: usize,
    written: usize,
    /// Text cells that are numbers written with a decimal comma (`39,1`).
    commas: usize,
    /// Text cells that are numbers written by hand that `--parse-numbers` reads (`$5.00`).
    parsed: usize,
    /// Text cells that `--parse-numbers` reads with a decimal comma (`12.495,74 €`).
    parsed_comma: usize,
    range: Option<(f64, f64)>,
    number_values: foldhash::HashSet<u64>,
    text_values: foldhash::HashMap<String, (usize, usize)>,
    capped: bool,
}

impl Tally {
    /// Counts cell `text`, of a table whose decimal mark is a comma when `comma_mark`.
    fn add(&mut self, text: &str, comma_mark: bool) {
        // A finite number first, the most common cell: no missing-value mark reads as one.
        let number = text.parse::<f64>().ok().filter(|v| v.is_finite());
        if number.is_none() && is_missing_cell(text) {
            self.missing += 1;
            return;
        }
        match number {
            Some(v) => {
                self.numbers += 1;
                let (lo, hi) = self.range.unwrap_or((v, v));
                self.range = Some((lo.min(v), hi.max(v)));
                if self.number_values.len() < DISTINCT_CAP {
                    // `+ 0.0`: -0 and 0 are one value.
                    self.number_values.insert((v + 0.0).to_bits());
                } else if !self.capped && !self.number_values.contains(&(v + 0.0).to_bits()) {
                    self.capped = true;
                }
            }
            None => {
                if DASHES.contains(&text) {
                    self.dashes += 1;
                } else {
                    self.texts += 1;
                    if number_as_written(text).is_some() {
                        self.written += 1;
                    }
                    if decimal_comma(text).is_some() {
                        self.commas += 1;
                    }
                    if parse_number(text, comma_mark).is_some() {
                        self.parsed += 1;
                    }
                    if parse_number(text, true).is_some() {
                        self.parsed_comma += 1;
                    }
                }
            }
        }
        // Every value as written, for the text reading and the most common values.
        let met = self.text_values.len();
        match self.text_values.get_mut(text) {
            Some((n, _)) => *n += 1,
            None if met < DISTINCT_CAP => {
                self.text_values.insert(text.to_owned(), (1, met));
            }
            None => self.capped = true,
        }
    }

    /// Whether the column is mostly numbers (those written by hand, `$5.00`, counted).
    fn mostly_numbers(&self) -> bool {
        self.numbers + self.written >= self.texts - self.written
    }
}

/// One column being read: its tally and, for a feature, dnn's column reader as the flags
/// say and (without `--fill-missing`, `may_fill`) one that fills, made at the first missing
/// cell, dash or missing date (`NaT`) ([`ColumnReader::filling`]): until then the two read
/// alike.
struct Scan<'a> {
    tally: Tally,
    as_given: Option<Reader<'a>>,
    may_fill: bool,
    filling: Option<Reader<'a>>,
}

/// A column reader and the first problem it met (then it reads no more).
struct Reader<'a> {
    reader: Option<ColumnReader<'a>>,
    problem: Option<DataError>,
    values: Option<ColumnValues>,
}

impl<'a> Reader<'a> {
    /// `hint`: a decimal comma is refused with the advice of `--decimal-comma`, as reading
    /// the table advises it; `order`: `--date-order`; `notation`: how numbers are read.
    fn new(
        name: &str,
        mode: Mode<'a>,
        (hint, order, notation): (bool, Option<DateOrder>, Notation),
    ) -> Self {
        Reader {
            reader: Some(
                ColumnReader::new(name, mode)
                    .hinting_decimal_commas(hint)
                    .reading_dates_in(order)
                    .reading_numbers_in(notation),
            ),
            problem: None,
            values: None,
        }
    }

    /// This reader with `--fill-missing` ([`ColumnReader::filling`]); `None` once it has
    /// refused the column (so would that one have, at the same cell).
    fn filling(&self) -> Option<Self> {
        Some(Reader {
            reader: Some(self.reader.as_ref()?.filling()),
            problem: None,
            values: None,
        })
    }

    fn push(&mut self, text: &str, at: (u64, u64), path: &Path, column: &str) {
        let Some(reader) = self.reader.as_mut() else {
            return;
        };
        if let Err((problem, earlier)) = reader.push(text, at.0, at.1) {
            self.problem = Some(column_error(path, column, problem, earlier.or(Some(at))));
            self.reader = None;
        }
    }

    /// Refuses the column for `problem` (a quote never closed), as reading would.
    fn refuse(&mut self, problem: DataError) {
        if self.reader.take().is_some() {
            self.problem = Some(problem);
        }
    }

    fn finish(&mut self, path: &Path, column: &str) {
        let Some(reader) = self.reader.take() else {
            return;
        };
        match reader.finish() {
            Ok((values, ..)) => self.values = Some(values),
            Err((problem, at)) => self.problem = Some(column_error(path, column, problem, at)),
        }
    }
}

/// Profiles the CSV table at `path`, read for training as `which` says (its `target`,
/// `drop`, `text` and `fill_missing`; a model's columns are not profiled): see the
/// [module docs](self).
///
/// # Errors
/// Only when the file cannot be read as a table at all: [`DataError::FileNotFound`],
/// [`DataError::Io`] (a directory too), [`DataError::BadSource`] for a compressed or empty
/// file or a header that is not UTF-8, [`DataError::BadCell`] for a cell that is not UTF-8,
/// and [`DataError::UnknownColumn`] for a `target`, `drop` or `text` column the table does
/// not have. Everything training would refuse is in the [`Profile`].
pub fn profile(path: &Path, which: Columns<'_>) -> Result<Profile> {
    let start = first_bytes(path)?;
    let (separator, said) = table::separator(path, &start);
    let table::Opened {
        mut reader,
        separator: _,
        crlf,
    } = table::open_csv(table::open(path)?, path)?;
    let raw = reader
        .byte_headers()
        .map_err(|e| table::csv_error(path, e, crlf))?;
    let header = table::header_names(raw, path)?;
    let target = match which.target.map(str::trim) {
        Some(t) => header.iter().position(|h| h == t),
        None => Some(header.len() - 1),
    };
    let (drop, text) = (as_named(which.drop, &header), as_named(which.text, &header));
    let groups = which.groups.map(str::trim);
    // As reading the table: a comma-separated file's commas in numbers are not decimals.
    let hint = separator != b',' && !which.decimal_comma;
    let notation = Notation {
        decimal_comma: which.decimal_comma,
        parse_numbers: which.parse_numbers,
    };
    let mut scans: Vec<Scan<'_>> = header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let feature =
                Some(i) != target && !drop.contains(name) && Some(name.as_str()) != groups;
            let hint = (hint, which.date_order, notation);
            let (as_given, may_fill) = match (feature, text.contains(name)) {
                (false, _) => (None, false),
                (true, true) => (Some(Reader::new(name, Mode::Text, hint)), false),
                (true, false) => (
                    Some(Reader::new(
                        name,
                        Mode::Detect {
                            fill: which.fill_missing,
                        },
                        hint,
                    )),
                    !which.fill_missing,
                ),
            };
            Scan {
                tally: Tally::default(),
                as_given,
                may_fill,
                filling: None,
            }
        })
        .collect();
    // Records are read in batches; each batch's cells are scanned column by column on
    // every core, as reading the table parses them ([`read_table`]): each column's tally
    // and readers see its cells in row order, and stay in cache for the batch.
    let mut batch: Vec<csv::ByteRecord> = vec![csv::ByteRecord::new(); table::BATCH];
    let mut rows: u64 = 0;
    loop {
        let mut n = 0;
        while n < table::BATCH
            && reader
                .read_byte_record(&mut batch[n])
                .map_err(|e| table::csv_error(path, e, crlf))?
        {
            n += 1;
        }
        if n == 0 {
            break;
        }
        // A row of another length is refused by reading the table ([`Profile::refusal`]).
        let whole: Vec<(&csv::ByteRecord, (u64, u64))> = batch[..n]
            .iter()
            .enumerate()
            .map(|(k, record)| {
                let row = rows + k as u64 + 1;
                (
                    record,
                    (row, record.position().map_or(row + 1, |p| p.line() + crlf)),
                )
            })
            .filter(|(record, _)| record.len() == header.len())
            .collect();
        rows += n as u64;
        // Text that is not UTF-8: the whole file is, and nothing reads it; the first such
        // cell in reading order (lowest row, then leftmost column) is the error.
        let not_utf8 = scans
            .par_iter_mut()
            .zip(header.par_iter())
            .enumerate()
            .filter_map(|(i, (scan, name))| {
                scan_cells(
                    scan,
                    i,
                    name,
                    &whole,
                    (path, separator, header.len()),
                    notation,
                )
                .map(|(row, error)| (row, i, error))
            })
            .min_by_key(|(row, i, _)| (*row, *i));
        if let Some((.., error)) = not_utf8 {
            return Err(error);
        }
        for r in scans
            .iter_mut()
            .flat_map(|scan| [&mut scan.as_given, &mut scan.filling])
            .flatten()
            .filter_map(|r| r.reader.as_mut())
        {
            r.forget_numbers();
        }
    }
    let mut columns: Vec<ColumnProfile> = header
        .iter()
        .zip(scans)
        .enumerate()
        .map(|(i, (name, mut scan))| {
            for r in [&mut scan.as_given, &mut scan.filling]
                .into_iter()
                .flatten()
            {
                r.finish(path, name);
            }
            column_profile(i, name, scan, target, &drop, hint, groups)
        })
        .collect();
    // `--date-parts` chooses the inputs of every column of dates.
    if let Some(chosen) = which.date_parts {
        for c in &mut columns {
            if let Role::Input(Reading::Dates { parts, .. }) = &mut c.role {
                *parts = chosen.len();
            }
        }
    }
    // What the columns' mends leave, read by the table's own reader.
    let mends = mends_of(&columns);
    let (all_drop, all_text) = (
        [which.drop, &mends.drop].concat(),
        [which.text, &mends.one_hot].concat(),
    );
    let mended = Columns {
        target: which.target,
        labels_required: true,
        drop: &all_drop,
        text: &all_text,
        fill_missing: which.fill_missing || mends.fill_missing,
        decimal_comma: which.decimal_comma || mends.decimal_comma,
        parse_numbers: which.parse_numbers || mends.parse_numbers,
        drop_unlabeled: which.drop_unlabeled,
        groups: which.groups,
        date_parts: which.date_parts,
        date_order: which.date_order,
        ..Columns::default()
    };
    let (refusal, warnings) = match read_table(path, mended) {
        Ok(table) => (None, table.warnings),
        Err(e @ DataError::UnknownColumn { .. }) => return Err(e),
        Err(e) => (Some(e), Vec::new()),
    };
    if warnings
        .iter()
        .any(|w| matches!(w, TableWarning::RowNames { .. }))
    {
        columns[0].role = Role::RowNames;
    }
    Ok(Profile {
        separator,
        excel_separator_line: said > 0,
        rows: rows as usize,
        columns,
        refusal,
        warnings,
    })
}

/// Scans column `i`, `name`, of the rows `whole` (each record with its row and line) of a
/// table of `fields` cells separated by `separator`, its numbers written as `notation` says,
/// into `scan`, in row order. The row and
/// the error of its first cell that is not UTF-8, if any (then it stops: nothing reads the
/// file).
fn scan_cells(
    scan: &mut Scan<'_>,
    i: usize,
    name: &str,
    whole: &[(&csv::ByteRecord, (u64, u64))],
    (path, separator, fields): (&Path, u8, usize),
    notation: Notation,
) -> Option<(u64, DataError)> {
    for (record, at) in whole {
        let cell = &record[i];
        let text = match table::cell_text(cell, separator, fields) {
            Ok(text) => text,
            Err(problem) => {
                let error = || DataError::BadCell {
                    path: path.to_path_buf(),
                    row: at.0,
                    line: at.1,
                    column: name.to_owned(),
                    problem: problem.clone(),
                };
                if std::str::from_utf8(table::trim(cell)).is_err() {
                    return Some((at.0, error()));
                }
                for r in [&mut scan.as_given, &mut scan.filling]
                    .into_iter()
                    .flatten()
                {
                    r.refuse(error());
                }
                continue;
            }
        };
        let plain = notation.plain(text);
        let text = plain.as_deref().unwrap_or(text);
        scan.tally.add(text, notation.decimal_comma);
        if scan.may_fill
            && scan.filling.is_none()
            && (is_missing_cell(text) || is_missing_date(text))
        {
            scan.filling = scan.as_given.as_ref().and_then(Reader::filling);
        }
        for r in [&mut scan.as_given, &mut scan.filling]
            .into_iter()
            .flatten()
        {
            r.push(text, *at, path, name);
        }
    }
    None
}

/// The flags that mend every refused one of `columns`, in their order.
fn mends_of(columns: &[ColumnProfile]) -> Mends {
    let mut mends = Mends::default();
    for c in columns {
        match c.refusal.as_ref().map(|r| &r.mend) {
            Some(Mend::FillMissing) => mends.fill_missing = true,
            Some(Mend::OneHot) => mends.one_hot.push(c.name.clone()),
            Some(Mend::Drop) => mends.drop.push(c.name.clone()),
            Some(Mend::DecimalComma) => mends.decimal_comma = true,
            Some(Mend::ParseNumbers) => mends.parse_numbers = true,
            Some(Mend::DecimalCommaParseNumbers) => {
                mends.decimal_comma = true;
                mends.parse_numbers = true;
            }
            Some(Mend::NoDateOrder) => mends.no_date_order = true,
            None => {}
        }
    }
    mends
}

/// The first 64 KiB of the file at `path`, where its separator is found.
fn first_bytes(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut start = Vec::with_capacity(1 << 16);
    table::open(path)?
        .take(1 << 16)
        .read_to_end(&mut start)
        .map_err(|e| crate::error::io_error(path, e))?;
    Ok(start)
}

/// Column `i`, `name`, as its scan found it.
fn column_profile(
    i: usize,
    name: &str,
    scan: Scan<'_>,
    target: Option<usize>,
    drop: &[String],
    hint: bool,
    groups: Option<&str>,
) -> ColumnProfile {
    let Scan {
        tally,
        mut as_given,
        filling,
        ..
    } = scan;
    let numbers_read = matches!(
        as_given.as_ref().and_then(|r| r.values.as_ref()),
        Some(ColumnValues::Numbers(_))
    );
    // A dash is a missing number where the column is read as numbers, a value elsewhere.
    let dashes_missing =
        numbers_read || (tally.dashes > 0 && tally.texts == 0 && tally.numbers > 0);
    let missing = tally.missing + if dashes_missing { tally.dashes } else { 0 };
    let distinct = if tally.texts + tally.dashes == 0 {
        tally.number_values.len()
    } else {
        tally
            .text_values
            .keys()
            .filter(|v| !(dashes_missing && DASHES.contains(&v.as_str())))
            .count()
    };
    let mut common: Vec<(&String, &(usize, usize))> = tally
        .text_values
        .iter()
        .filter(|(v, _)| !(dashes_missing && DASHES.contains(&v.as_str())))
        .collect();
    common.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
    let texts: Vec<String> = common
        .iter()
        .map(|(v, _)| (*v).clone())
        .filter(|v| v.parse::<f64>().map_or(true, |x| !x.is_finite()))
        .collect();
    let dates = !texts.is_empty() && texts.iter().all(|v| table_checks::is_date(v));
    // Dates but for a few cells (`2012-02-30`): one-hot would make each date a value that
    // tells the network nothing; the cells are to mend, or the column to drop.
    let mostly_dates = !texts.is_empty()
        && 10 * texts.iter().filter(|v| table_checks::is_date(v)).count() >= 9 * texts.len();
    let common = common
        .into_iter()
        .take(3)
        .map(|(v, (n, _))| (v.clone(), *n))
        .collect();
    let refusal = as_given.as_mut().and_then(|given| {
        let error = given.problem.take()?;
        let fills = filling
            .as_ref()
            .is_some_and(|f| f.problem.is_none() && f.values.is_some());
        let against_order = (error.to_string()).contains(crate::categories::LEAVE_OUT_DATE_ORDER);
        let mend = if against_order {
            Mend::NoDateOrder
        } else if hint && 2 * tally.commas > tally.texts {
            Mend::DecimalComma
        } else if 2 * tally.parsed > tally.texts {
            Mend::ParseNumbers
        } else if hint && 2 * tally.parsed_comma > tally.texts {
            Mend::DecimalCommaParseNumbers
        } else if fills {
            Mend::FillMissing
        } else if mostly_dates {
            Mend::Drop
        } else if !tally.mostly_numbers() && tally.text_values.len() <= MAX_DETECTED_VALUES {
            Mend::OneHot
        } else {
            Mend::Drop
        };
        Some(Refusal { error, mend })
    });
    let role = if Some(i) == target {
        Role::Target
    } else if drop.iter().any(|d| d == name) {
        Role::Dropped
    } else if groups == Some(name) {
        Role::Groups
    } else if refusal.is_some() {
        Role::Refused
    } else {
        match as_given.as_ref().and_then(|r| r.values.as_ref()) {
            Some(ColumnValues::Text { values, .. }) => Role::Input(Reading::Text {
                values: values.len(),
            }),
            Some(ColumnValues::Dates { dates, .. }) => Role::Input(Reading::Dates {
                order: dates.order,
                parts: dates.parts.len(),
            }),
            _ => Role::Input(Reading::Numbers),
        }
    };
    let date_span = match as_given.and_then(|r| r.values) {
        Some(ColumnValues::Dates { dates, instants }) if matches!(role, Role::Input(_)) => {
            DateSpan::of(&instants, !dates.parts.contains(&DatePart::Day))
        }
        _ => None,
    };
    ColumnProfile {
        name: name.to_owned(),
        role,
        missing,
        numbers: tally.numbers,
        texts: tally.texts + if dashes_missing { 0 } else { tally.dashes },
        written: tally.written,
        distinct,
        distinct_capped: tally.capped,
        range: tally.range,
        common,
        dates,
        date_span,
        refusal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table like palmerpenguins' raw export: an id of 120 values, dates, `NA` among
    /// numbers, a code column of letters with one number, a number column with one word.
    fn penguins_raw() -> String {
        let mut text =
            "Individual ID,Date Egg,Culmen Length (mm),Nest,Body Mass (g),Sex,Species\n".to_owned();
        for i in 0..120 {
            let length = if i % 40 == 3 {
                "NA".to_owned()
            } else {
                format!("{:.1}", 35.0 + (i % 23) as f64 * 0.7)
            };
            let nest = if i == 7 {
                "3".to_owned()
            } else {
                ["A", "B", "C"][i % 3].to_owned()
            };
            let mass = if i == 50 {
                "unknown".to_owned()
            } else {
                (3000 + 25 * i).to_string()
            };
            let sex = ["MALE", "FEMALE", "", "MALE"][i % 4];
            let species = ["Adelie", "Gentoo", "Chinstrap"][i % 3];
            text.push_str(&format!(
                "N{i}A1,2007-11-{:02},{length},{nest},{mass},{sex},{species}\n",
                1 + i % 20
            ));
        }
        text
    }

    fn written(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write the table");
        (dir, path)
    }

    #[test]
    fn every_refused_column_is_found_in_one_pass_with_the_flag_that_mends_it() {
        let (_dir, path) = written("penguins_raw.csv", &penguins_raw());
        let p = profile(&path, Columns::default()).expect("profiled");
        let mend = |name: &str| {
            let c = p.columns.iter().find(|c| c.name == name).expect(name);
            c.refusal.as_ref().map(|r| r.mend.clone())
        };
        assert_eq!(mend("Individual ID"), Some(Mend::Drop));
        assert_eq!(mend("Culmen Length (mm)"), Some(Mend::FillMissing));
        assert_eq!(mend("Nest"), Some(Mend::OneHot));
        assert_eq!(mend("Body Mass (g)"), Some(Mend::Drop));
        assert_eq!(mend("Date Egg"), None);
        assert_eq!(mend("Sex"), None);
        assert_eq!(
            p.mends(),
            Mends {
                drop: vec!["Individual ID".into(), "Body Mass (g)".into()],
                one_hot: vec!["Nest".into()],
                fill_missing: true,
                decimal_comma: false,
                parse_numbers: false,
                no_date_order: false,
            }
        );
        // The mends leave a table that reads, its dates read as dates.
        assert!(p.refusal.is_none(), "{:?}", p.refusal);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let eggs = p.columns.iter().find(|c| c.name == "Date Egg").unwrap();
        assert_eq!(
            eggs.role,
            Role::Input(Reading::Dates {
                order: crate::dates::DateOrder::Ymd,
                parts: 5
            })
        );
        // The refusal is training's own message for the first cell it meets.
        let length = p
            .columns
            .iter()
            .find(|c| c.name == "Culmen Length (mm)")
            .unwrap();
        let error = &length.refusal.as_ref().unwrap().error;
        assert!(
            matches!(
                error,
                DataError::BadCell {
                    row: 4,
                    line: 5,
                    ..
                }
            ),
            "{error}"
        );
        assert!(error
            .to_string()
            .contains("--fill-missing mean (or median)"));
    }

    #[test]
    fn a_column_read_as_dates_has_a_span_others_do_not() {
        // Months written month first, one missing (filled), and the same dates as a target and
        // as text: 2012-01-01 and 2013-12-01 are days 15340 and 16040 to Python's datetime.
        let text = "m,target_m,texts,y\n01/2012,01/2012,01/2012,0\n12/2013,12/2013,12/2013,1\n\
                    NA,1/2012,1/2012,0\n1/2012,01/2012,1/2012,1\n";
        let (_dir, path) = written("months.csv", text);
        let which = Columns {
            target: Some("target_m"),
            text: &["texts".to_owned()],
            drop: &["y".to_owned()],
            fill_missing: true,
            ..Columns::default()
        };
        let p = profile(&path, which).expect("profiled");
        let span = |k: usize| p.columns[k].date_span;
        assert_eq!(
            span(0),
            Some(DateSpan {
                earliest: 15_340.0,
                latest: 16_040.0,
                days: 2,
                months: true
            })
        );
        assert_eq!((span(1), span(2), span(3)), (None, None, None));
    }

    #[test]
    fn the_counts_are_pandas_counts_of_missing_and_distinct_values() {
        let (_dir, path) = written("penguins_raw.csv", &penguins_raw());
        let p = profile(&path, Columns::default()).expect("profiled");
        let column = |name: &str| p.columns.iter().find(|c| c.name == name).unwrap();
        assert_eq!(p.rows, 120);
        // As pandas counts them (an empty cell and `NA` are missing; `penguins_raw` above):
        // `NA` in rows 4, 44 and 84, every 4th `Sex` empty; lengths 35 + 0.7 k for k < 23.
        let length = column("Culmen Length (mm)");
        assert_eq!((length.missing, length.distinct), (3, 23));
        assert_eq!(length.range, Some((35.0, 35.0 + 22.0 * 0.7)));
        let sex = column("Sex");
        assert_eq!((sex.missing, sex.distinct), (30, 2));
        assert_eq!(
            sex.common,
            [("MALE".to_owned(), 60), ("FEMALE".to_owned(), 30)]
        );
        assert_eq!(sex.role, Role::Input(Reading::Text { values: 2 }));
        assert_eq!(column("Individual ID").distinct, 120);
        assert!(column("Date Egg").dates);
        // 2007-11-01 to 2007-11-20 (days 13818 and 13837 since 1970 to Python's datetime), every
        // one of the 20 met.
        assert_eq!(
            column("Date Egg").date_span,
            Some(DateSpan {
                earliest: 13_818.0,
                latest: 13_837.0,
                days: 20,
                months: false
            })
        );
        assert_eq!(length.date_span, None);
        assert_eq!(column("Species").role, Role::Target);
        // The dates' five parts, and the two values of `Sex`.
        assert_eq!(p.inputs(), 5 + 2);
    }

    #[test]
    fn row_names_a_semicolon_file_and_the_flags_given_are_read_as_training_reads_them() {
        let mut text = "\"\";\"x\";\"code\";\"y\"\n".to_owned();
        for i in 1..=30 {
            text.push_str(&format!(
                "{i};{};{};{}\n",
                i % 7,
                10 + i % 4,
                ["a", "b"][i % 2]
            ));
        }
        let (_dir, path) = written("r.csv", &text);
        let p = profile(&path, Columns::default()).expect("profiled");
        assert_eq!(p.separator, b';');
        assert_eq!(p.columns[0].role, Role::RowNames);
        assert_eq!(p.columns[1].role, Role::Input(Reading::Numbers));
        let one_hot = ["code".to_owned()];
        let drop = ["x".to_owned()];
        let which = Columns {
            drop: &drop,
            text: &one_hot,
            ..Columns::default()
        };
        let p = profile(&path, which).expect("profiled");
        assert_eq!(p.columns[1].role, Role::Dropped);
        assert_eq!(p.columns[2].role, Role::Input(Reading::Text { values: 4 }));
        let nope = ["nope".to_owned()];
        let which = Columns {
            drop: &nope,
            ..Columns::default()
        };
        assert!(matches!(
            profile(&path, which),
            Err(DataError::UnknownColumn { .. })
        ));
    }

    #[test]
    fn a_file_that_cannot_be_read_as_text_is_an_error_not_a_profile() {
        let (_dir, path) = written("latin1.csv", "island,y\nTorgersen,a\n");
        std::fs::write(&path, b"island,y\nR\xeave,a\nDream,b\n").unwrap();
        let e = profile(&path, Columns::default()).expect_err("not UTF-8");
        assert!(e.to_string().contains("iconv -f cp1252"), "{e}");
        let (_dir, gz) = written("t.csv", "");
        std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0]).unwrap();
        let e = profile(&gz, Columns::default()).expect_err("compressed");
        assert!(e.to_string().contains("gzip-compressed"), "{e}");
        assert!(matches!(
            profile(&gz.with_file_name("none.csv"), Columns::default()),
            Err(DataError::FileNotFound { .. })
        ));
    }

    #[test]
    fn numbers_written_with_a_decimal_comma_are_mended_by_the_flag_that_reads_them() {
        let (_dir, path) = written("comma.csv", "mass;y\n3750,5;a\n3800,0;b\n39,1;a\n");
        let p = profile(&path, Columns::default()).expect("profiled");
        let mass = &p.columns[0];
        assert_eq!((mass.numbers, mass.texts, mass.written), (0, 3, 3));
        let refusal = mass.refusal.as_ref().expect("refused");
        assert_eq!(refusal.mend, Mend::DecimalComma);
        assert!(refusal
            .error
            .to_string()
            .contains("with --decimal-comma, or write it plainly (3750.5)"));
        assert!(p.mends().decimal_comma && p.refusal.is_none());
        // Read with the flag: numbers.
        let which = Columns {
            decimal_comma: true,
            ..Columns::default()
        };
        let p = profile(&path, which).expect("profiled");
        let mass = &p.columns[0];
        assert_eq!((mass.numbers, mass.range), (3, Some((39.1, 3800.0))));
        assert_eq!(mass.role, Role::Input(Reading::Numbers));
        // A comma-separated file's quoted "1,5" is not taken for a decimal comma.
        let (_dir, path) = written("us.csv", "mass,y\n\"3,750\",a\n\"3,800\",b\n\"1,391\",a\n");
        let p = profile(&path, Columns::default()).expect("profiled");
        let refusal = p.columns[0].refusal.as_ref().expect("refused");
        assert_ne!(refusal.mend, Mend::DecimalComma);
    }

    #[test]
    fn a_refusal_no_flag_mends_is_read_tables_own() {
        let (_dir, path) = written("labels.csv", "x,y\n1,a\n2,\n3,b\n");
        let p = profile(&path, Columns::default()).expect("profiled");
        assert!(p.mends().is_empty());
        let refusal = p.refusal.expect("an empty label is refused");
        assert!(
            matches!(&refusal, DataError::BadCell { row: 2, column, .. } if column == "y"),
            "{refusal}"
        );
    }

    /// A table of `rows` rows whose columns take their cells from `cells(column, row)` (rows
    /// from 1), its header `a,b,...`, `label` last.
    fn long_table(columns: &[&str], rows: usize, cells: impl Fn(&str, usize) -> String) -> String {
        let mut text = format!("{},label\n", columns.join(","));
        for row in 1..=rows {
            for c in columns {
                text.push_str(&cells(c, row));
                text.push(',');
            }
            text.push_str(if row % 2 == 0 { "yes\n" } else { "no\n" });
        }
        text
    }

    #[test]
    fn a_table_longer_than_a_batch_is_profiled_as_row_by_row() {
        // Each column changes its kind of cell past the first batch of rows, or across it.
        let batch = table::BATCH;
        let columns = [
            "late_text",
            "late_na",
            "dashes_then_text",
            "na_then_numbers",
            "late_nat",
            "plain",
        ];
        let text = long_table(&columns, 3 * batch, |c, row| match c {
            "late_text" if row == 2 * batch + 7 => "oops".into(),
            "late_na" if row == batch + 300 => "NA".into(),
            "dashes_then_text" if row <= batch + 10 => "-".into(),
            "dashes_then_text" => ["x", "y"][row % 2].into(),
            "na_then_numbers" if row <= batch + 1 => "NA".into(),
            "late_nat" if row == batch + 5 => "NaT".into(),
            "late_nat" => format!("20{:02}-0{}-1{}", row % 100, 1 + row % 9, row % 10),
            _ => format!("{}.5", row % 97),
        });
        let (_dir, path) = written("long.csv", &text);
        let p = profile(&path, Columns::default()).expect("profiled");
        assert_eq!(p.rows, 3 * batch);
        let column = |name: &str| p.columns.iter().find(|c| c.name == name).expect(name);
        let refused_at = |name: &str| match column(name).refusal.as_ref() {
            Some(Refusal {
                error: DataError::BadCell { row, .. },
                mend,
            }) => (*row, mend.clone()),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(
            refused_at("late_text"),
            ((2 * batch + 7) as u64, Mend::Drop)
        );
        // The reader that fills is made at the first missing cell, past the first batch.
        assert_eq!(
            refused_at("late_na"),
            ((batch + 300) as u64, Mend::FillMissing)
        );
        assert_eq!(column("late_na").missing, 1);
        // Missing cells and then a number: refused, naming the first missing cell, and
        // mended by filling.
        assert_eq!(refused_at("na_then_numbers"), (1, Mend::FillMissing));
        assert_eq!(column("na_then_numbers").missing, batch + 1);
        // Dates with a missing one (pandas' NaT, no missing-value mark elsewhere): filling
        // mends them too.
        assert_eq!(
            refused_at("late_nat"),
            ((batch + 5) as u64, Mend::FillMissing)
        );
        // Dashes across the first batch, then words: a text column, the dash a value.
        let dashes = column("dashes_then_text");
        assert_eq!(dashes.role, Role::Input(Reading::Text { values: 3 }));
        assert!(dashes.refusal.is_none());
        let plain = column("plain");
        assert_eq!(
            (&plain.role, plain.numbers),
            (&Role::Input(Reading::Numbers), 3 * batch)
        );
        assert_eq!(plain.range, Some((0.5, 96.5)));
        assert_eq!(
            column("label").common,
            [("no".into(), 3 * batch / 2), ("yes".into(), 3 * batch / 2)]
        );
    }

    #[test]
    fn the_first_cell_not_in_utf8_is_the_lowest_row_then_the_leftmost_column() {
        // Cells of bytes that are not UTF-8 past a batch: in column a, and in b and c
        // on an earlier row.
        let batch = table::BATCH;
        let (late, early) = (batch + 40, batch + 20);
        let text = long_table(&["a", "b", "c"], 2 * batch, |c, row| match (c, row) {
            ("a", r) if r == late => "caf\u{e9}".into(),
            ("b" | "c", r) if r == early => "caf\u{e9}".into(),
            _ => "1".into(),
        });
        // As Windows' cp1252 writes é: one byte, 0xE9, which is not UTF-8.
        let bytes: Vec<u8> = text.chars().map(|ch| ch as u32 as u8).collect();
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cp1252.csv");
        std::fs::write(&path, bytes).expect("write the table");
        match profile(&path, Columns::default()) {
            Err(DataError::BadCell { row, column, .. }) => {
                assert_eq!((row, column.as_str()), (early as u64, "b"));
            }
            other => panic!("{other:?}"),
        }
    }
}
