//! How a table's feature column is read: as numbers, or as text one-hot encoded
//! ([`OneHot`]), as pandas' `get_dummies` or scikit-learn's
//! `OneHotEncoder(handle_unknown="ignore")` encode it.
//!
//! For training, a column is text when it has a cell that is not a number and no cell that
//! is one (`red`, `green`; `S`, `M`, `XL`); its values are then sorted as class names are. A
//! column of numbers with one text cell is a typing error to fix, not a text column, and a
//! text column with a number among its cells is named too: `--one-hot NAME` reads every cell
//! of a column as text (codes such as postcodes), `--drop NAME` leaves a column out.
//!
//! Empty cells and the markers of a missing value that pandas' `read_csv` knows, `?`, and
//! Excel's error values ([`MISSING_CELLS`]) are no value of a text column: its inputs are all
//! 0 there. A number column has no such default: a missing number is an error that says how
//! to mend it, unless `--fill-missing` asks for the training part's mean or median
//! ([`crate::missing`]).
//!
//! Excel's error values (`#DIV/0!`, `#VALUE!`, `#REF!`, `#NUM!`, `#NAME?`, `#NULL!`, and
//! `#N/A`, which pandas counts as missing too) are missing values, not text: a formula that
//! failed in one row leaves that row without its number, and must not turn a column of
//! measurements into text. In a column of numbers, a lone dash (`-`, `--`, `–`, `—`, what
//! people type for "none") is a missing number too ([`DASHES`]); in a text column it stays a
//! value, as it is to pandas.
//!
//! A model's text columns keep the values they were trained with: a value that training
//! never met is encoded as none of them, and counted ([`Unseen`]).
//!
//! A text column read for training whose every value is a date (`2012-01-31`, `31/01/2012`,
//! `Jan 31, 2012`) is no text column: it is read as dates, one input per part
//! ([`crate::dates`]), and a model reads its column of dates in the order it was trained
//! with (a missing date takes its fill value, or is refused without one).

use std::collections::HashMap;

use crate::classes::sort_names;
use crate::dataset::OneHot;
use crate::dates::DateColumn;
use crate::error::shown;
use crate::table_checks::TableWarning;

/// A detected text column with more values than this is refused (an id, a name, free
/// text), unless `--one-hot` names it: one input per value would make a wide, sparse layer
/// that learns nothing general.
pub const MAX_DETECTED_VALUES: usize = 100;

/// The cells that mark a missing value, besides an empty one: pandas' `read_csv` defaults
/// (compared exactly, after trimming spaces), `?` (as in UCI's tables), and Excel's error
/// values (`#DIV/0!`, `#VALUE!`, `#REF!`, `#NUM!`, `#NAME?`, `#NULL!`; `#N/A` is pandas'
/// too). Any other text is a value: `none`, `-` and `missing` are not markers, as they are
/// not to pandas (but a dash is a missing number in a column of numbers: [`DASHES`]).
pub const MISSING_CELLS: [&str; 25] = [
    "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
    "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", "?", "#DIV/0!", "#VALUE!", "#REF!",
    "#NUM!", "#NAME?", "#NULL!",
];

/// Cells that, in a column of numbers, mark a missing number: a dash, as people type for
/// "none" (`-`, `--`, an en or em dash). In a text column they are values.
pub const DASHES: [&str; 4] = ["-", "--", "\u{2013}", "\u{2014}"];

/// Whether a trimmed feature cell marks a missing value: empty, or one of [`MISSING_CELLS`].
///
/// ```
/// use dnn_data::categories::is_missing_cell;
/// assert!(is_missing_cell("") && is_missing_cell("NA") && is_missing_cell("?"));
/// assert!(!is_missing_cell("na") && !is_missing_cell("-") && !is_missing_cell("Nadia"));
/// ```
pub fn is_missing_cell(text: &str) -> bool {
    text.is_empty() || MISSING_CELLS.contains(&text)
}

/// Whether a trimmed cell of a column of dates marks a missing date besides
/// [`is_missing_cell`]'s: pandas' `NaT` (in any case), or a dash ([`DASHES`]).
///
/// ```
/// use dnn_data::categories::is_missing_date;
/// assert!(is_missing_date("NaT") && is_missing_date("nat") && is_missing_date("\u{2014}"));
/// assert!(!is_missing_date("") && !is_missing_date("2012-01-31"));
/// ```
pub fn is_missing_date(text: &str) -> bool {
    text.eq_ignore_ascii_case("NaT") || DASHES.contains(&text)
}

/// The code of "no value": a missing cell, or a value a model never met.
pub(crate) const NONE: u32 = u32::MAX;

/// The values of one feature column of a table, as read.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnValues {
    /// One number per row.
    Numbers(Vec<f64>),
    /// A text column: its values, and each row's index into them (`u32::MAX`: no value, for
    /// an empty cell or one the model never met).
    Text {
        /// The values, in the order of their inputs.
        values: Vec<String>,
        /// One code per row.
        codes: Vec<u32>,
    },
    /// A column of dates ([`crate::dates`]): one input per part of each row's instant.
    Dates {
        /// Its order and parts.
        dates: DateColumn,
        /// Each row's instant ([`crate::dates::parse`]); NaN for a missing date, to be
        /// filled ([`crate::missing`]).
        instants: Vec<f64>,
    },
}

impl ColumnValues {
    /// The network inputs this column makes: 1 for numbers, one per value for text, one per
    /// part for dates.
    pub fn inputs(&self) -> usize {
        match self {
            ColumnValues::Numbers(_) => 1,
            ColumnValues::Text { values, .. } => values.len(),
            ColumnValues::Dates { dates, .. } => dates.parts.len(),
        }
    }

    /// Input `input` (0 for a number column, a value's index for a text column, a part's for
    /// dates) of rows `picked`, into `out`: the number, 1.0 where the row has that value and
    /// 0.0 where not, or the part of the row's date (NaN where it has none).
    pub(crate) fn input_row(&self, input: usize, picked: &[usize], out: &mut Vec<f64>) {
        out.clear();
        match self {
            ColumnValues::Numbers(values) => out.extend(picked.iter().map(|&j| values[j])),
            ColumnValues::Text { codes, .. } => out.extend(
                picked
                    .iter()
                    .map(|&j| f64::from(u8::from(codes[j] as usize == input && codes[j] != NONE))),
            ),
            ColumnValues::Dates { dates, instants } => {
                let part = dates.parts[input];
                out.extend(picked.iter().map(|&j| match instants[j] {
                    t if t.is_nan() => f64::NAN,
                    t => part.of(t),
                }))
            }
        }
    }
}

impl ColumnValues {
    /// Keeps the rows whose entry in `keep` is true (a table's rows with a label,
    /// [`crate::table::Columns::drop_unlabeled`]); a text column keeps all its values.
    pub(crate) fn retain_rows(&mut self, keep: &[bool]) {
        let mut kept = keep.iter();
        match self {
            ColumnValues::Numbers(values) => values.retain(|_| *kept.next().unwrap_or(&true)),
            ColumnValues::Text { codes, .. } => codes.retain(|_| *kept.next().unwrap_or(&true)),
            ColumnValues::Dates { instants, .. } => {
                instants.retain(|_| *kept.next().unwrap_or(&true))
            }
        }
    }
}

/// How often a text column's values occur in the training part ([`crate::Source`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextCounts {
    /// The column.
    pub column: String,
    /// The training rows with each value, in the order of the values.
    pub rows: Vec<usize>,
    /// The training rows without a value.
    pub rows_without_value: usize,
}

impl ColumnValues {
    /// Counts a text column's values over rows `picked` (`None` for numbers).
    ///
    /// ```
    /// use dnn_data::categories::{ColumnValues, TextCounts};
    /// let c = ColumnValues::Text { values: vec!["a".into(), "b".into()], codes: vec![1, u32::MAX, 1, 0] };
    /// let counts = c.text_counts("c", &[0, 1, 2]).unwrap();
    /// assert_eq!((counts.rows, counts.rows_without_value), (vec![0, 2], 1));
    /// ```
    pub fn text_counts(&self, column: &str, picked: &[usize]) -> Option<TextCounts> {
        let ColumnValues::Text { values, codes } = self else {
            return None;
        };
        let mut rows = vec![0; values.len()];
        let mut rows_without_value = 0;
        for &j in picked {
            match rows.get_mut(codes[j] as usize) {
                Some(n) => *n += 1,
                None => rows_without_value += 1,
            }
        }
        Some(TextCounts {
            column: column.to_owned(),
            rows,
            rows_without_value,
        })
    }
}

/// Values of a model's text column that it never met, in a table read for prediction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unseen {
    /// The column.
    pub column: String,
    /// How many rows have such a value.
    pub rows: usize,
    /// The first such value, and its data row (from 1).
    pub first: (String, u64),
}

/// How many of the rows a model filled [`FilledRows`] names.
pub const FILLED_ROWS_SHOWN: usize = 3;

/// A model's number column that missed numbers in some rows read for it, which its fill
/// value ([`crate::missing::Filled`]) filled.
#[derive(Clone, Debug, PartialEq)]
pub struct FilledRows {
    /// The column.
    pub column: String,
    /// The value filled in.
    pub value: f64,
    /// How many rows missed a number there.
    pub rows: usize,
    /// The first few of those rows ([`FILLED_ROWS_SHOWN`]), data rows from 1.
    pub first: Vec<u64>,
}

/// How to read a column.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mode<'a> {
    /// Training: numbers, or text if no cell is a number; `fill`: a missing number is NaN,
    /// to be filled after the split ([`crate::missing`]), not an error.
    Detect { fill: bool },
    /// Numbers only (a model's number column, or any column of a model that does not record
    /// its columns); `fill`: the model's value for a missing number.
    Numbers { fill: Option<f64> },
    /// Training, `--one-hot`: every cell is text.
    Text,
    /// A model's text column: its values.
    Model(&'a OneHot),
    /// A model's column of dates, and its fill value for a missing one.
    Date(&'a DateColumn, Option<f64>),
}

/// Where a problem is, when not the cell being read: an earlier row's `(row, line)`.
pub(crate) type Earlier = Option<(u64, u64)>;

/// A [`ColumnReader`]'s `problem` with column `column` of the table at `path`, as a
/// [`DataError`]: a cell's at `at` (its data row and line), or the whole column's without one.
pub(crate) fn column_error(
    path: &std::path::Path,
    column: &str,
    problem: String,
    at: Option<(u64, u64)>,
) -> crate::error::DataError {
    match at {
        Some((row, line)) => crate::error::DataError::BadCell {
            path: path.to_path_buf(),
            row,
            line,
            column: column.to_owned(),
            problem,
        },
        None => crate::error::DataError::BadSource {
            path: path.to_path_buf(),
            problem,
        },
    }
}

/// A cell of a table's feature column, classified.
enum Cell<'c> {
    /// Empty, or a missing-value marker.
    Missing,
    Number(f64),
    Text(&'c str),
}

/// Reads one feature column, cell by cell.
#[derive(Clone)]
pub(crate) struct ColumnReader<'a> {
    name: String,
    state: State<'a>,
    /// A number written with a decimal comma (`18,0`) is refused with the advice of
    /// `--decimal-comma`: the file's cells are separated by semicolons or tabs, as
    /// spreadsheets save them where a comma marks decimals.
    decimal_hint: bool,
    /// Training: the order of a column of dates none of whose cells tells day from month
    /// (`--date-order`); `None`: told by the cells, or guessed ([`crate::dates::detect`]).
    date_order: Option<crate::dates::DateOrder>,
    /// How the table's numbers are read ([`Notation`]): a number written by hand that
    /// `--parse-numbers` would read is refused with its advice when the flag is not given.
    notation: Notation,
}

#[derive(Clone)]
enum State<'a> {
    Numbers {
        values: Vec<f64>,
        /// Numbers only: no text column, and a missing cell is an error at once.
        strict: bool,
        /// A missing number becomes NaN (training, to be filled), or this value (a model's).
        fill: Option<f64>,
        seen_number: bool,
        /// The first missing cell while no number was met: `(row, line, text)`.
        first_missing: Option<(u64, u64, String)>,
        /// The dashes ([`DASHES`]) taken as missing numbers before any number was met: their
        /// rows (indices into `values`) and text, which are values if the column is text.
        dashes: Vec<(usize, String, u64)>,
        /// A model's column (`strict`, `fill` given): how many cells missed a number, and
        /// the first few of their rows.
        filled: usize,
        filled_first: Vec<u64>,
    },
    Text {
        forced: bool,
        values: Vec<String>,
        ids: HashMap<String, u32>,
        codes: Vec<u32>,
        /// The first value met: `(row, text)`.
        first: Option<(u64, String)>,
        /// Where each value is first met: its `(row, line)`.
        lines: Vec<(u64, u64)>,
        /// Training with `--fill-missing`: a missing date may be filled.
        fill: bool,
        /// The first missing cell: `(row, line, text)`, which a column of dates refuses
        /// without `fill`.
        first_missing: Option<(u64, u64, String)>,
    },
    Date {
        dates: &'a DateColumn,
        instants: Vec<f64>,
        fill: Option<f64>,
        filled: usize,
        filled_first: Vec<u64>,
        /// Dates without a day, where the model's inputs need one: how many, and the first
        /// `(text, row)`.
        no_day: usize,
        first_no_day: Option<(String, u64)>,
    },
    Model {
        model: &'a OneHot,
        lookup: HashMap<&'a str, u32>,
        codes: Vec<u32>,
        unseen: usize,
        first_unseen: Option<(String, u64)>,
    },
}

impl<'a> ColumnReader<'a> {
    pub(crate) fn new(name: &str, mode: Mode<'a>) -> Self {
        let state = match mode {
            Mode::Detect { .. } | Mode::Numbers { .. } => State::Numbers {
                values: Vec::new(),
                strict: matches!(mode, Mode::Numbers { .. }),
                fill: match mode {
                    Mode::Detect { fill: true } => Some(f64::NAN),
                    Mode::Numbers { fill } => fill,
                    _ => None,
                },
                seen_number: false,
                first_missing: None,
                dashes: Vec::new(),
                filled: 0,
                filled_first: Vec::new(),
            },
            Mode::Text => State::Text {
                forced: true,
                values: Vec::new(),
                ids: HashMap::new(),
                codes: Vec::new(),
                first: None,
                lines: Vec::new(),
                fill: false,
                first_missing: None,
            },
            Mode::Date(dates, fill) => State::Date {
                dates,
                instants: Vec::new(),
                fill,
                filled: 0,
                filled_first: Vec::new(),
                no_day: 0,
                first_no_day: None,
            },
            Mode::Model(h) => State::Model {
                model: h,
                lookup: h
                    .values
                    .iter()
                    .enumerate()
                    .map(|(k, v)| (v.as_str(), k as u32))
                    .collect(),
                codes: Vec::new(),
                unseen: 0,
                first_unseen: None,
            },
        };
        ColumnReader {
            name: name.to_owned(),
            state,
            decimal_hint: false,
            date_order: None,
            notation: Notation::default(),
        }
    }

    /// This reader, reading a column of dates none of whose cells tells day from month in
    /// `order` (`--date-order`) rather than guessing it.
    pub(crate) fn reading_dates_in(self, order: Option<crate::dates::DateOrder>) -> Self {
        ColumnReader {
            date_order: order,
            ..self
        }
    }

    /// This reader, advising `--decimal-comma` for a number written with a decimal comma
    /// when `hint` is set.
    pub(crate) fn hinting_decimal_commas(self, hint: bool) -> Self {
        ColumnReader {
            decimal_hint: hint,
            ..self
        }
    }

    /// This reader, in a table whose numbers are read as `notation` says: its cells come
    /// here as [`Notation::plain`] wrote them, and a number written by hand that
    /// `--parse-numbers` would read is refused with its advice when the flag is not given.
    pub(crate) fn reading_numbers_in(self, notation: Notation) -> Self {
        ColumnReader { notation, ..self }
    }

    /// A training reader ([`Mode::Detect`]) as it would be, had it read its cells so far
    /// with `--fill-missing` (`Mode::Detect { fill: true }`): the two read alike until the
    /// first missing cell ([`is_missing_cell`]), dash or missing date (`NaT`:
    /// [`is_missing_date`]), so this is that reader when no cell read so far is one.
    pub(crate) fn filling(&self) -> Self {
        let mut reader = self.clone();
        match &mut reader.state {
            State::Numbers {
                strict: false,
                fill,
                ..
            } => *fill = Some(f64::NAN),
            State::Text {
                forced: false,
                fill,
                ..
            } => *fill = true,
            _ => {}
        }
        reader
    }

    /// Drops the numbers read so far once a number was met (the column then stays one of
    /// numbers, or is refused), keeping what [`ColumnReader::finish`] tells of the column:
    /// for a reader asked only whether and how the column reads ([`crate::profile`]), whose
    /// memory would otherwise grow by a number per cell.
    pub(crate) fn forget_numbers(&mut self) {
        if let State::Numbers {
            values,
            seen_number: true,
            ..
        } = &mut self.state
        {
            values.clear();
        }
    }

    /// Makes room for `n` more rows.
    pub(crate) fn reserve(&mut self, n: usize) {
        match &mut self.state {
            State::Numbers { values, .. } => values.reserve(n),
            State::Text { codes, .. } | State::Model { codes, .. } => codes.reserve(n),
            State::Date { instants, .. } => instants.reserve(n),
        }
    }

    /// Reads the cell `text` (trimmed, UTF-8, on one line) of data row `row` at `line`.
    ///
    /// # Errors
    /// What is wrong, and where when it is an earlier cell of the column.
    pub(crate) fn push(
        &mut self,
        text: &str,
        row: u64,
        line: u64,
    ) -> Result<(), (String, Earlier)> {
        // Most cells of most tables: a finite number in a column of numbers.
        if let State::Numbers {
            values,
            seen_number,
            first_missing: None,
            ..
        } = &mut self.state
        {
            if let Ok(v) = text.parse::<f64>() {
                if v.is_finite() {
                    values.push(v);
                    *seen_number = true;
                    return Ok(());
                }
            }
        }
        if let State::Date {
            dates,
            instants,
            fill,
            filled,
            filled_first,
            no_day,
            first_no_day,
        } = &mut self.state
        {
            // As training read the column: `NaT` and dashes are missing dates too.
            let instant = if is_missing_cell(text) || is_missing_date(text) {
                let value = fill.ok_or_else(|| (missing_for_model(text, "a date"), None))?;
                *filled += 1;
                if filled_first.len() < FILLED_ROWS_SHOWN {
                    filled_first.push(row);
                }
                value
            } else {
                let (instant, gives_day) = crate::dates::parse_with_day(text, dates.order)
                    .ok_or_else(|| {
                        use crate::dates::DateOrder;
                        let forms = match dates.order {
                            DateOrder::Ymd => {
                                "year first, as 2012-01-31, or with the month's name, \
                                           as Jan 31, 2012"
                            }
                            DateOrder::Dmy => {
                                "day/month/year, as 31/01/2012, or year first, as \
                                           2012-01-31"
                            }
                            DateOrder::Mdy => {
                                "month/day/year, as 01/31/2012, or year first, as \
                                           2012-01-31"
                            }
                        };
                        (
                            format!(
                            "`{}` is not a date as the model reads this column, whose training \
                             dates were written {forms}",
                            shown(text)
                        ),
                            None,
                        )
                    })?;
                // A month alone is read as its 1st: the model's day inputs take that as given.
                if !gives_day && dates.needs_day() {
                    *no_day += 1;
                    first_no_day.get_or_insert_with(|| (text.to_owned(), row));
                }
                instant
            };
            instants.push(instant);
            return Ok(());
        }
        let cell = match text.parse::<f64>() {
            Ok(v) if !v.is_nan() => Cell::Number(v),
            _ if is_missing_cell(text) => Cell::Missing,
            _ if DASHES.contains(&text) && matches!(self.state, State::Numbers { .. }) => {
                Cell::Missing
            }
            _ => Cell::Text(text),
        };
        let name = &self.name;
        match &mut self.state {
            State::Numbers {
                values,
                strict,
                fill,
                seen_number,
                first_missing,
                dashes,
                filled,
                filled_first,
            } => match cell {
                Cell::Missing if fill.is_some() => {
                    if !*seen_number && DASHES.contains(&text) {
                        dashes.push((values.len(), text.to_owned(), line));
                    }
                    if *strict {
                        *filled += 1;
                        if filled_first.len() < FILLED_ROWS_SHOWN {
                            filled_first.push(row);
                        }
                    }
                    values.push(fill.unwrap_or_default())
                }
                Cell::Missing => {
                    if *strict {
                        return Err((missing_for_model(text, "a number"), None));
                    }
                    if *seen_number {
                        return Err((missing_number(text, name), None));
                    }
                    first_missing.get_or_insert((row, line, text.to_owned()));
                    if DASHES.contains(&text) {
                        dashes.push((values.len(), text.to_owned(), line));
                    }
                    values.push(f64::NAN);
                }
                Cell::Number(v) => {
                    if let Some((row, line, missing)) = first_missing {
                        return Err((missing_number(missing, name), Some((*row, *line))));
                    }
                    if !v.is_finite() {
                        return Err((format!("`{}` is not a finite number", shown(text)), None));
                    }
                    values.push(v);
                    *seen_number = true;
                }
                Cell::Text(t) => {
                    if let Some(plain) = decimal_comma(t).filter(|_| self.decimal_hint) {
                        return Err((
                            format!(
                                "`{}` is a number written with a decimal comma, as the file's \
                                 separator (not a comma) suggests; read the file's numbers so \
                                 with --decimal-comma, or write it plainly ({plain})",
                                shown(t)
                            ),
                            None,
                        ));
                    }
                    if let Some(plain) = number_as_written(t) {
                        let parse = parse_advice(t, self.notation, self.decimal_hint);
                        let or_text = if *strict {
                            String::new()
                        } else {
                            format!(
                                ", or read the column as text with --one-hot {arg}",
                                arg = crate::error::shell_word(name)
                            )
                        };
                        return Err((
                            format!(
                                "`{}` is not a number as dnn reads them; write it plainly \
                                 ({plain}){parse}{or_text}",
                                shown(t)
                            ),
                            None,
                        ));
                    }
                    if *strict {
                        return Err((format!("`{}` is not a number", shown(t)), None));
                    }
                    if *seen_number {
                        return Err((
                            format!(
                                "`{}` is not a number, in a column of numbers; mend the cell \
                                 (if it marks a missing value, empty it or write NA, and \
                                 --fill-missing mean or median fills it), or leave the column \
                                 out with --drop {arg}",
                                shown(t),
                                arg = crate::error::shell_word(name)
                            ),
                            None,
                        ));
                    }
                    // Only missing cells so far: a text column, whose dashes are values.
                    let mut codes = vec![NONE; values.len()];
                    let (mut texts, mut ids) = (Vec::new(), HashMap::new());
                    for (j, dash, _) in dashes.iter() {
                        let code = *ids.entry(dash.clone()).or_insert_with(|| {
                            texts.push(dash.clone());
                            texts.len() as u32 - 1
                        });
                        codes[*j] = code;
                    }
                    let first = dashes.first().map(|(j, d, _)| (*j as u64 + 1, d.clone()));
                    // Where each dash is first met (its row and line).
                    let lines = texts
                        .iter()
                        .map(|t| {
                            dashes
                                .iter()
                                .find(|(_, d, _)| d == t)
                                .map_or((0, 0), |(j, _, line)| (*j as u64 + 1, *line))
                        })
                        .collect();
                    let first_missing = first_missing.take();
                    let fill = fill.is_some();
                    self.state = State::Text {
                        forced: false,
                        values: texts,
                        ids,
                        codes,
                        first,
                        lines,
                        fill,
                        first_missing,
                    };
                    return self.push(text, row, line);
                }
            },
            State::Text {
                forced,
                values,
                ids,
                codes,
                first,
                lines,
                first_missing,
                ..
            } => {
                let value =
                    match cell {
                        Cell::Missing => {
                            first_missing.get_or_insert((row, line, text.to_owned()));
                            codes.push(NONE);
                            return Ok(());
                        }
                        Cell::Text(t) if !*forced && number_as_written(t).is_some() => {
                            let (first_row, first_text) = first.clone().unwrap_or_default();
                            return Err((
                                format!(
                                "`{}` is a number as written by hand, in a column of text (`{}` \
                                 in row {first_row}); read every cell as text with --one-hot \
                                 {arg}, or mend the cell, or leave the column out with --drop \
                                 {arg}",
                                shown(t),
                                shown(&first_text), arg = crate::error::shell_word(name)),
                                None,
                            ));
                        }
                        Cell::Number(_) if !*forced => {
                            let (first_row, first_text) = first.clone().unwrap_or_default();
                            return Err((
                                format!(
                                    "`{}` is a number, in a column of text (`{}` in row \
                                 {first_row}); read every cell as text with --one-hot \
                                 {arg}, or mend the cell, or leave the column out with \
                                 --drop {arg}",
                                    shown(text),
                                    shown(&first_text),
                                    arg = crate::error::shell_word(name)
                                ),
                                None,
                            ));
                        }
                        Cell::Number(_) | Cell::Text(_) => text,
                    };
                let code = match ids.get(value) {
                    Some(&code) => code,
                    None => {
                        let code = values.len() as u32;
                        values.push(value.to_owned());
                        ids.insert(value.to_owned(), code);
                        lines.push((row, line));
                        first.get_or_insert((row, value.to_owned()));
                        code
                    }
                };
                codes.push(code);
            }
            // Read before the cell was classified.
            State::Date { .. } => {}
            State::Model {
                lookup,
                codes,
                unseen,
                first_unseen,
                ..
            } => {
                let code = match cell {
                    Cell::Missing => NONE,
                    Cell::Number(_) | Cell::Text(_) => match lookup.get(text) {
                        Some(&code) => code,
                        None => {
                            *unseen += 1;
                            first_unseen.get_or_insert((text.to_owned(), row));
                            NONE
                        }
                    },
                };
                codes.push(code);
            }
        }
        Ok(())
    }

    /// A model's number or date column ([`Mode::Numbers`], [`Mode::Date`], with its fill
    /// value): the rows so far that missed a value, which its fill value filled; `None` if
    /// none did.
    pub(crate) fn filled_rows(&self) -> Option<FilledRows> {
        match &self.state {
            State::Numbers {
                strict: true,
                fill: Some(value),
                filled,
                filled_first,
                ..
            }
            | State::Date {
                fill: Some(value),
                filled,
                filled_first,
                ..
            } if *filled > 0 => Some(FilledRows {
                column: self.name.clone(),
                value: *value,
                rows: *filled,
                first: filled_first.clone(),
            }),
            _ => None,
        }
    }

    /// The column as read; text columns read for training get their values sorted, and a
    /// detected text column whose every value is a date is read as dates
    /// ([`crate::dates::detect`]), with a warning when its order is a guess.
    ///
    /// # Errors
    /// A column of missing cells only, a detected text column with more than
    /// [`MAX_DETECTED_VALUES`] values (`None`: the whole column, not one cell), or a column
    /// of dates with a missing one, read without `--fill-missing` (its row).
    pub(crate) fn finish(self) -> Result<Finished, (String, Earlier)> {
        if let Some(dates) = self.as_dates()? {
            return Ok(dates);
        }
        let no_day = match &self.state {
            State::Date {
                no_day,
                first_no_day: Some(first),
                ..
            } if *no_day > 0 => Some(TableWarning::NoDay {
                column: self.name.clone(),
                rows: *no_day,
                first: first.clone(),
            }),
            _ => None,
        };
        self.finish_column()
            .map(|(values, unseen)| (values, unseen, no_day.into_iter().collect()))
    }

    /// A detected text column read as dates, when every value is one (`NaT` and dashes, as
    /// pandas and people write a missing date, are missing); its first value that is none,
    /// refused, when nearly every other is ([`crate::dates::misfits`]); `None` otherwise.
    fn as_dates(&self) -> Result<Option<Finished>, (String, Earlier)> {
        let State::Text {
            forced: false,
            values,
            codes,
            lines,
            fill,
            first_missing,
            ..
        } = &self.state
        else {
            return Ok(None);
        };
        let name = &self.name;
        let kept: Vec<usize> = (0..values.len())
            .filter(|&k| !is_missing_date(&values[k]))
            .collect();
        let candidates: Vec<String> = kept.iter().map(|&k| values[k].clone()).collect();
        if candidates.is_empty() {
            return Ok(None);
        }
        let Some((dates, guessed)) = crate::dates::detect(name, &candidates, self.date_order)
        else {
            if let Some((own, first)) = crate::dates::against_given(&candidates, self.date_order) {
                let k = kept[first];
                return Err((
                    against_order(&values[k], self.date_order, own),
                    Some(lines[k]),
                ));
            }
            let Some((order, bad, ordered)) = crate::dates::misfits(&candidates, self.date_order)
            else {
                return Ok(None);
            };
            let k = bad
                .iter()
                .map(|&b| kept[b])
                .min_by_key(|&k| lines[k])
                .unwrap_or_default();
            return Err((
                misfit(name, &values[k], order, ordered, bad.len() - 1),
                Some(lines[k]),
            ));
        };
        if !fill {
            let marked = (0..values.len())
                .filter(|&k| is_missing_date(&values[k]))
                .map(|k| (lines[k].0, lines[k].1, values[k].clone()));
            if let Some((row, line, text)) = first_missing.iter().cloned().chain(marked).min() {
                return Err((missing_date(&text, name), Some((row, line))));
            }
        }
        // Each value's instant, and whether it is a month alone (read as its 1st).
        let (of_value, monthly): (Vec<f64>, Vec<bool>) = (values.iter())
            .map(|v| match crate::dates::parse_with_day(v, dates.order) {
                Some((t, day)) => (t, !day),
                None => (f64::NAN, false),
            })
            .unzip();
        let instants = codes
            .iter()
            .map(|&c| of_value.get(c as usize).copied().unwrap_or(f64::NAN))
            .collect();
        // The example shows the guess: a cell whose reading it changes.
        let telling = |v: &&String| {
            use crate::dates::{parse, DateOrder};
            parse(v, DateOrder::Dmy) != parse(v, DateOrder::Mdy)
        };
        let mut warnings: Vec<TableWarning> = (guessed.then(|| TableWarning::DateOrder {
            column: name.clone(),
            order: dates.order,
            example: candidates
                .iter()
                .find(telling)
                .unwrap_or(&candidates[0])
                .clone(),
        }))
        .into_iter()
        .collect();
        // Months alone among days: each is read as its 1st (the caller drops the warning when
        // `--date-parts` keeps no day input).
        if dates.needs_day() && monthly.contains(&true) {
            let rows = codes.iter().filter(|&&c| monthly[c as usize]).count();
            let first = (0..values.len())
                .filter(|&k| monthly[k])
                .min_by_key(|&k| lines[k])
                .unwrap_or_default();
            warnings.push(TableWarning::NoDay {
                column: name.clone(),
                rows,
                first: (values[first].clone(), lines[first].0),
            });
        }
        Ok(Some((
            ColumnValues::Dates { dates, instants },
            None,
            warnings,
        )))
    }

    fn finish_column(self) -> Result<(ColumnValues, Option<Unseen>), (String, Earlier)> {
        let name = self.name;
        match self.state {
            // Dashes and missing cells only: a text column whose value is the dash, as
            // before dashes were missing numbers.
            State::Numbers {
                values,
                strict: false,
                seen_number: false,
                dashes,
                ..
            } if !dashes.is_empty() => {
                let mut codes = vec![NONE; values.len()];
                let mut texts: Vec<String> = Vec::new();
                for (j, dash, _) in dashes {
                    let code = match texts.iter().position(|t| *t == dash) {
                        Some(k) => k,
                        None => {
                            texts.push(dash);
                            texts.len() - 1
                        }
                    };
                    codes[j] = code as u32;
                }
                let mut sorted = texts.clone();
                sort_names(&mut sorted);
                for c in codes.iter_mut().filter(|c| **c != NONE) {
                    let text = &texts[*c as usize];
                    *c = sorted.iter().position(|t| t == text).unwrap_or_default() as u32;
                }
                Ok((
                    ColumnValues::Text {
                        values: sorted,
                        codes,
                    },
                    None,
                ))
            }
            State::Numbers {
                values,
                first_missing,
                strict,
                fill,
                seen_number,
                ..
            } => match first_missing {
                // Missing cells and no number: `--fill-missing` would have nothing to fill from.
                Some(_) => Err((
                    format!(
                        "column `{name}` has no number, only missing cells; leave it out with \
                         --drop {arg}",
                        arg = crate::error::shell_word(&name)
                    ),
                    None,
                )),
                None if !strict && fill.is_some() && !seen_number => Err((
                    format!(
                        "column `{name}` has no number, only missing cells; leave it out with \
                         --drop {arg}",
                        arg = crate::error::shell_word(&name)
                    ),
                    None,
                )),
                None => Ok((ColumnValues::Numbers(values), None)),
            },
            State::Text {
                forced,
                values,
                mut codes,
                ..
            } => {
                if !forced && values.len() > MAX_DETECTED_VALUES {
                    let some: Vec<String> = values
                        .iter()
                        .take(3)
                        .map(|v| format!("`{}`", shown(v)))
                        .collect();
                    return Err((
                        format!(
                            "column `{name}` is text with {} different values ({}, ...), more \
                             than the {MAX_DETECTED_VALUES} dnn one-hot encodes by itself: \
                             an id, a name or free text teaches a network nothing general; \
                             leave it out with --drop {arg}, or encode it anyway with \
                             --one-hot {arg}",
                            values.len(),
                            some.join(", "),
                            arg = crate::error::shell_word(&name)
                        ),
                        None,
                    ));
                }
                let mut sorted = values.clone();
                sort_names(&mut sorted);
                let rank: HashMap<&str, u32> = sorted
                    .iter()
                    .enumerate()
                    .map(|(k, v)| (v.as_str(), k as u32))
                    .collect();
                let new_code: Vec<u32> = values.iter().map(|v| rank[v.as_str()]).collect();
                for c in codes.iter_mut().filter(|c| **c != NONE) {
                    *c = new_code[*c as usize];
                }
                Ok((
                    ColumnValues::Text {
                        values: sorted,
                        codes,
                    },
                    None,
                ))
            }
            State::Model {
                model,
                codes,
                unseen,
                first_unseen,
                ..
            } => {
                let values = model.values.clone();
                let unseen = first_unseen.map(|first| Unseen {
                    column: name,
                    rows: unseen,
                    first,
                });
                Ok((ColumnValues::Text { values, codes }, unseen))
            }
            State::Date {
                dates, instants, ..
            } => Ok((
                ColumnValues::Dates {
                    dates: dates.clone(),
                    instants,
                },
                None,
            )),
        }
    }
}

/// A column as read ([`ColumnReader::finish`]): its values, the values a model's text
/// column never met, and what reading it warns of.
pub(crate) type Finished = (ColumnValues, Option<Unseen>, Vec<TableWarning>);

/// A number written with a decimal comma, a currency sign, a percent sign or thousands
/// separators (`1,5`, `$5.00`, `12%`, `1 000`), as a plain number (`1.5`, `5.00`, `0.12`,
/// `1000`): such a column is numbers to mend, not text to one-hot encode.
///
/// ```text
/// "1,5" -> Some("1.5")    "$5.00" -> Some("5.00")    "1,000.5" -> Some("1000.5")    "XL" -> None
/// "1,000" -> Some("1000, or 1.000 if the comma marks decimals")    "−2" -> Some("-2")
/// "4.299,9" -> Some("4299.9")    "1.234.567,5" -> Some("1234567.5")
/// "0.1%" -> Some("0.001 as a fraction, or 0.1 in percent")    "5 €" -> Some("5")
/// ```
pub(crate) fn number_as_written(text: &str) -> Option<String> {
    let plain = plain_number(text)?;
    if !text.trim_end().ends_with('%') {
        return Some(plain);
    }
    // `1,000%`: two readings, each a hundredth; `1e-3%`: the value over 100.
    let fraction = match plain.split_once(", or ") {
        Some((thousands, decimal)) => {
            let decimal = decimal.trim_end_matches(" if the comma marks decimals");
            return Some(format!(
                "{} as a fraction, or {} if the comma marks decimals",
                hundredth(thousands),
                hundredth(decimal)
            ));
        }
        None if plain.contains(['e', 'E']) => {
            crate::number::exact(plain.parse::<f64>().ok()? / 100.0)
        }
        None => hundredth(&plain),
    };
    Some(format!("{fraction} as a fraction, or {plain} in percent"))
}

/// `plain` (a plain decimal number) divided by 100, written exactly: the point moved two
/// places left, as a person would (`12` -> `0.12`, `0.1` -> `0.001`, `150` -> `1.5`).
fn hundredth(plain: &str) -> String {
    let (sign, digits) = match plain.strip_prefix(['-', '+']) {
        Some(rest) => (&plain[..1], rest),
        None => ("", plain),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let whole = format!("{whole:0>3}");
    let (whole, moved) = whole.split_at(whole.len() - 2);
    let whole = match whole.trim_start_matches('0') {
        "" => "0",
        w => w,
    };
    let fraction = format!("{moved}{fraction}");
    match fraction.trim_end_matches('0') {
        "" => format!("{sign}{whole}"),
        f => format!("{sign}{whole}.{f}"),
    }
}

/// A number written with a decimal comma (`18,0`, `-0,25`, `1,5e3`, `,5`), as Rust parses
/// it (`18.0`); `None` for any other text, a point or a second comma in it included (`1.234,5`,
/// `1,2,3`): `--decimal-comma` reads no thousands separators.
///
/// ```text
/// "18,0" -> Some("18.0")   "-0,25" -> Some("-0.25")   "1,5e3" -> Some("1.5e3")   "7" -> None
/// "1.234,5" -> None   "a,b" -> None   "," -> None
/// ```
pub(crate) fn decimal_comma(text: &str) -> Option<String> {
    let (whole, fraction) = text.split_once(',')?;
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let (mantissa, exponent) = fraction
        .split_once(['e', 'E'])
        .map_or((fraction, None), |(m, e)| (m, Some(e)));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    let whole_digits = whole.strip_prefix(['-', '+']).unwrap_or(whole);
    (digits(whole_digits)
        && digits(mantissa)
        && exponent_ok
        && !(whole_digits.is_empty() && mantissa.is_empty()))
    .then(|| format!("{whole}.{fraction}"))
}

/// The currency signs a number written by hand may carry, before or after it (`$5`, `5 €`).
const CURRENCIES: [char; 4] = ['$', '€', '£', '¥'];

/// What people write between a number's groups of three digits besides a comma or a point:
/// a space, a thin space, a no-break space (plain and narrow), an apostrophe (straight or
/// typeset, as the Swiss write `1'234`), an underscore.
const SEPARATORS: [char; 7] = [' ', '\u{2009}', '\u{a0}', '\u{202f}', '\'', '\u{2019}', '_'];

/// `text` without a currency sign or a percent sign before or after it (and the spaces
/// around them), its Unicode minus (`−`) a hyphen: the digits, separators and marks of a
/// number written by hand, as [`plain_number`] and [`parse_number`] read them.
///
/// ```text
/// "-$1,234.50" -> "-1,234.50"   "5 €" -> "5"   "12 %" -> "12"   "−2" -> "-2"   "XL" -> "XL"
/// ```
fn bare(text: &str) -> String {
    let text = text.trim();
    let (sign, rest) = match text.strip_prefix(['-', '+', '\u{2212}']) {
        Some(rest) => (&text[..text.len() - rest.len()], rest),
        None => ("", text),
    };
    let rest = rest
        .trim_start_matches(CURRENCIES)
        .trim_end_matches('%')
        .trim_end()
        .trim_end_matches(CURRENCIES)
        .trim();
    format!("{sign}{rest}").replace('\u{2212}', "-")
}

/// Whether `plain` is a plain finite number as Rust parses it, of digits, a point, signs
/// and an exponent only (not `inf`, `NaN` or `0x10`).
fn is_plain(plain: &str) -> bool {
    plain.chars().any(|c| c.is_ascii_digit())
        && plain
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && plain.parse::<f64>().is_ok_and(f64::is_finite)
}

/// [`number_as_written`]'s plain number, before a percentage is turned into a fraction.
fn plain_number(text: &str) -> Option<String> {
    let digits: String = bare(text)
        .chars()
        .filter(|c| !SEPARATORS.contains(c))
        .collect();
    let plain = match (digits.matches(',').count(), digits.contains('.')) {
        (0, _) => digits,
        // `1,000`: a thousand, or one with a decimal comma.
        (1, false) if digits.split(',').nth(1).is_some_and(|f| f.len() == 3) => {
            let (thousands, decimal) = (digits.replace(',', ""), digits.replace(',', "."));
            return (is_plain(&thousands) && is_plain(&decimal))
                .then(|| format!("{thousands}, or {decimal} if the comma marks decimals"));
        }
        (1, false) => digits.replace(',', "."),
        // `4.299,9`: points between thousands before a decimal comma (German, Dutch, ...).
        (1, true) if digits.rfind('.') < digits.find(',') => {
            digits.replace('.', "").replace(',', ".")
        }
        (_, _) => digits.replace(',', ""),
    };
    is_plain(&plain).then_some(plain)
}

/// A number written by hand as `--parse-numbers` reads it, as R readr's `parse_number` does,
/// written plainly; `None` for a plain number (Rust reads it as it is), and for text and
/// numbers whose reading is ambiguous, which stay refused as [`number_as_written`] advises.
///
/// A currency sign before or after (`$`, `€`, `£`, `¥`) and a percent sign are dropped, the
/// number kept as written (`12%` is 12, as readr reads it). Thousands are separated by
/// commas, or with `decimal_comma` by points, or by spaces, thin and no-break spaces,
/// apostrophes or underscores: one kind in a number, between groups of three digits
/// (`1,23,456` and `1 2 3` are refused). With `decimal_comma` the decimal mark is a comma,
/// and a point before a group of three digits separates thousands (`1.000` is a thousand,
/// as readr reads it with a grouping point); any other single point in a number without a
/// comma is a decimal point, as `--decimal-comma` reads `1.5` (and `0.250`: a thousand
/// does not start with 0).
///
/// ```text
/// "$1,234.50" -> Some("1234.50")   "12%" -> Some("12")   "1 000" -> Some("1000")
/// "1'234" -> Some("1234")   "5 €" -> Some("5")   "−2" -> Some("-2")   "1,000" -> Some("1000")
/// "1,5" -> None   "4.299,9" -> None   "1,23,456" -> None   "XL" -> None   "7" -> None
/// decimal_comma: "1.234,5" -> Some("1234.5")   "1,000" -> Some("1.000")   "$1.5" -> Some("1.5")
///                "1.000" -> Some("1000")   "0.250" -> None
/// ```
pub(crate) fn parse_number(text: &str, decimal_comma: bool) -> Option<String> {
    if decimal_comma {
        // `1.000`, `-12.500`: Rust would read a decimal point; a grouping point is meant.
        let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
        if let Some((thousands, three)) = digits.split_once('.') {
            let number = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
            if number(thousands)
                && thousands.len() <= 3
                && !thousands.starts_with('0')
                && three.len() == 3
                && number(three)
            {
                return Some(format!(
                    "{}{thousands}{three}",
                    &text[..text.len() - digits.len()]
                ));
            }
        }
    }
    if text.parse::<f64>().is_ok() {
        return None;
    }
    let bare = bare(text);
    let points = bare.matches('.').count();
    let (group, mark) = match decimal_comma && (bare.contains(',') || points > 1) {
        true => ('.', ','),
        false => (',', '.'),
    };
    let (whole, fraction) = bare.split_once(mark).unwrap_or((&bare, ""));
    let (sign, whole) = match whole.strip_prefix(['-', '+']) {
        Some(rest) => (&whole[..1], rest),
        None => ("", whole),
    };
    let separator = |c: char| c == group || SEPARATORS.contains(&c);
    let groups: Vec<&str> = whole.split(separator).collect();
    let mut kinds: Vec<char> = whole.chars().filter(|&c| separator(c)).collect();
    kinds.dedup();
    let three = |g: &&str| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit());
    let grouped = groups.len() == 1
        || kinds.len() == 1
            && (1..=3).contains(&groups[0].len())
            && groups[0].chars().all(|c| c.is_ascii_digit())
            && groups[1..].iter().all(three);
    let point = if bare.contains(mark) { "." } else { "" };
    let plain = format!("{sign}{}{point}{fraction}", groups.concat());
    (grouped && is_plain(&plain)).then_some(plain)
}

/// The advice of the flags that would read `text`, a number written by hand refused as
/// `notation` reads the table: `, or read such cells as numbers with --parse-numbers` (and
/// `--decimal-comma` too, where `decimal_hint`: the file's separator is not a comma, and its
/// decimal mark is a comma), or nothing when no flag reads it.
pub(crate) fn parse_advice(text: &str, notation: Notation, decimal_hint: bool) -> &'static str {
    let reads = |decimal_comma| parse_number(text, decimal_comma).is_some();
    let comma = decimal_hint && !notation.decimal_comma && reads(true);
    match (notation.parse_numbers, comma) {
        (false, _) if reads(notation.decimal_comma) => {
            ", or read such cells as numbers with --parse-numbers"
        }
        (false, true) => ", or read such cells as numbers with --decimal-comma --parse-numbers",
        (true, true) => ", or read such cells as numbers with --decimal-comma",
        _ => "",
    }
}

/// How a table's numbers are written, as its reading flags say: with a decimal comma
/// (`--decimal-comma`), by hand (`--parse-numbers`), or both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Notation {
    /// `--decimal-comma`: [`decimal_comma`].
    pub(crate) decimal_comma: bool,
    /// `--parse-numbers`: [`parse_number`].
    pub(crate) parse_numbers: bool,
}

impl Notation {
    /// A cell (feature or label) as these flags read it, written plainly (`18,0` -> `18.0`,
    /// `$1,234.50` -> `1234.50`); `None`: read as written. The one place a cell's notation is
    /// read, for training, for a model and for `dnn describe`.
    pub(crate) fn plain(self, text: &str) -> Option<String> {
        self.decimal_comma
            .then(|| decimal_comma(text))
            .flatten()
            .or_else(|| {
                self.parse_numbers
                    .then(|| parse_number(text, self.decimal_comma))
                    .flatten()
            })
    }
}

/// `the cell is empty`, or `` `NA` marks a missing value ``: the start of both messages below.
fn missing_cell(text: &str) -> String {
    if text.is_empty() {
        "the cell is empty".to_owned()
    } else {
        format!("`{}` marks a missing value", shown(text))
    }
}

/// What a missing cell in a number column of a model without fill values says: no flag
/// of `predict` or `evaluate` mends it.
fn missing_for_model(text: &str, kind: &str) -> String {
    let what = missing_cell(text);
    format!(
        "{what}, and the model takes {kind} here (it was trained without --fill-missing); \
         fill it in, or drop the row"
    )
}

/// What a column of dates (`name`, read in `order`) says of its value `text` that is none,
/// with `more` such values besides; `ordered`: whether the order matters to its dates.
fn misfit(
    name: &str,
    text: &str,
    order: crate::dates::DateOrder,
    ordered: bool,
    more: usize,
) -> String {
    let arg = crate::error::shell_word(name);
    let none = if ordered {
        format!(
            "no date read {}, as the column's other dates are",
            order.describe()
        )
    } else {
        "no date, in a column of dates".to_owned()
    };
    let more = match more {
        0 => String::new(),
        1 => " (and 1 more value)".to_owned(),
        n => format!(" (and {n} more values)"),
    };
    format!(
        "`{}` is {none}{more}; mend the cell, or empty it (a missing date, which \
         --fill-missing fills), or read the column as text with --one-hot {arg}, or leave it \
         out with --drop {arg}",
        shown(text)
    )
}

/// A cell `--date-order` (`given`) cannot read, in a column whose every date reads in the
/// `own` order.
fn against_order(
    text: &str,
    given: Option<crate::dates::DateOrder>,
    own: crate::dates::DateOrder,
) -> String {
    let given = given.map_or("", |o| o.describe());
    format!(
        "`{}` is no date read {given} (--date-order), and the column's dates read {}: \
         {LEAVE_OUT_DATE_ORDER}",
        shown(text),
        own.describe()
    )
}

/// How a refusal of a column of dates read against `--date-order` ends: the mend is to leave
/// the flag out ([`crate::profile::Mend::NoDateOrder`] finds it by this).
pub(crate) const LEAVE_OUT_DATE_ORDER: &str =
    "leave out --date-order, as the column tells its own order";

/// What a missing cell in a column of dates says, read for training without
/// `--fill-missing`.
fn missing_date(text: &str, name: &str) -> String {
    let what = missing_cell(text);
    format!(
        "{what}, in a column of dates; fill it in, or drop the row, or leave the column out \
         with --drop {arg}, or fill every missing value with --fill-missing mean (or median), \
         which fills a date with the training part's mean (or median) date",
        arg = crate::error::shell_word(name)
    )
}

/// What a missing cell in a number column says.
fn missing_number(text: &str, name: &str) -> String {
    let what = missing_cell(text);
    format!(
        "{what}, in a column of numbers; fill it in, or drop the row, or leave the column out \
         with --drop {arg}, or fill every missing number with --fill-missing mean (or median)",
        arg = crate::error::shell_word(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_between_thousands_before_a_decimal_comma_are_advised_as_one_number() {
        assert_eq!(number_as_written("4.299,9").as_deref(), Some("4299.9"));
        assert_eq!(
            number_as_written("1.234.567,5").as_deref(),
            Some("1234567.5")
        );
        assert_eq!(number_as_written("1,000.5").as_deref(), Some("1000.5"));
    }

    #[test]
    fn a_decimal_comma_number_is_read_as_its_point_form_and_nothing_else_is() {
        for (text, plain) in [
            ("18,0", "18.0"),
            ("-0,25", "-0.25"),
            ("+3,5", "+3.5"),
            ("1,5e3", "1.5e3"),
            ("1,5E-3", "1.5E-3"),
            (",5", ".5"),
            ("7,", "7."),
        ] {
            assert_eq!(decimal_comma(text).as_deref(), Some(plain), "{text}");
            assert!(plain.parse::<f64>().is_ok(), "{plain}");
        }
        for not in [
            "7", "1.234,5", "1,2,3", "a,b", ",", "-,", "1,5e", "1,5e+", "12 %", "1,0x",
        ] {
            assert_eq!(decimal_comma(not), None, "{not}");
        }
    }

    #[test]
    fn parse_numbers_reads_numbers_written_by_hand_and_refuses_what_stays_ambiguous() {
        let points = [
            ("$1,234.50", "1234.50"),
            ("-$1,234.50", "-1234.50"),
            ("$-5", "-5"),
            ("12%", "12"),
            ("0.5 %", "0.5"),
            ("1 000", "1000"),
            ("1\u{2009}000\u{2009}000", "1000000"),
            ("1\u{a0}000", "1000"),
            ("1\u{202f}000", "1000"),
            ("1'234", "1234"),
            ("1\u{2019}234.5", "1234.5"),
            ("1_000_000", "1000000"),
            ("€5", "5"),
            ("5 €", "5"),
            ("£3.20", "3.20"),
            ("¥1,000", "1000"),
            ("5$", "5"),
            ("\u{2212}2", "-2"),
            ("\u{2212}2.5e3", "-2.5e3"),
            ("1,234,567.5", "1234567.5"),
            ("1,000", "1000"),
            ("$.5", ".5"),
        ];
        for (text, plain) in points {
            assert_eq!(parse_number(text, false).as_deref(), Some(plain), "{text}");
        }
        let commas = [
            ("1.234,5", "1234.5"),
            ("1.234.567,5", "1234567.5"),
            ("1.234.567", "1234567"),
            ("1,000", "1.000"),
            ("1 234,5 €", "1234.5"),
            ("12,5 %", "12.5"),
            ("\u{2212}0,25", "-0.25"),
            ("$1.5", "1.5"),
            ("1.000", "1000"),
            ("-12.500", "-12500"),
            ("+999.999", "+999999"),
        ];
        for (text, plain) in commas {
            assert_eq!(parse_number(text, true).as_deref(), Some(plain), "{text}");
        }
        // Plain numbers are read as they are; ambiguous ones and text are refused.
        for not in [
            "7",
            "-1.5",
            "1e3",
            "1,5",
            "4.299,9",
            "1,23,456",
            "1 2 3",
            "12,34.5",
            ",500",
            "1,234 567",
            "1,000,00",
            "XL",
            "12 apples",
            "$",
            "%",
            "1.2.3",
            "inf",
            "0x10",
        ] {
            assert_eq!(parse_number(not, false), None, "{not}");
        }
        for not in [
            "1,234.5",
            "1,234,567",
            "1.23,5",
            "a,b",
            "0.250",
            "1.5",
            "1234.500",
        ] {
            assert_eq!(parse_number(not, true), None, "{not}");
        }
    }

    #[test]
    fn a_cell_is_read_by_the_flags_given_decimal_commas_first() {
        let both = Notation {
            decimal_comma: true,
            parse_numbers: true,
        };
        let hand = Notation {
            parse_numbers: true,
            ..Notation::default()
        };
        assert_eq!(both.plain("1,000").as_deref(), Some("1.000"));
        assert_eq!(hand.plain("1,000").as_deref(), Some("1000"));
        assert_eq!(Notation::default().plain("$5"), None);
        assert_eq!(hand.plain("18.5"), None);
    }

    #[test]
    fn a_percentage_is_advised_as_its_fraction_written_exactly() {
        let cases = [
            ("12%", "0.12 as a fraction, or 12 in percent"),
            ("0.1%", "0.001 as a fraction, or 0.1 in percent"),
            ("150 %", "1.5 as a fraction, or 150 in percent"),
            ("100%", "1 as a fraction, or 100 in percent"),
            ("−2.5%", "-0.025 as a fraction, or -2.5 in percent"),
            ("0.07%", "0.0007 as a fraction, or 0.07 in percent"),
            ("1e-3%", "1e-5 as a fraction, or 1e-3 in percent"),
            (
                "1,000%",
                "10 as a fraction, or 0.01 if the comma marks decimals",
            ),
        ];
        for (text, advice) in cases {
            assert_eq!(number_as_written(text).as_deref(), Some(advice), "{text}");
        }
        // Not percentages: as before.
        assert_eq!(number_as_written("$5.00").as_deref(), Some("5.00"));
        assert_eq!(number_as_written("XL"), None);
    }
}
