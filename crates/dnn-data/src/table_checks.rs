//! Checks of a table's shape that catch what a person means but the file does not say:
//! a first line that is data rather than column names, a compressed file, columns of dates,
//! row numbers and ids. A check that is sure refuses the file (in [`crate::table`]); one that
//! is not leaves a [`TableWarning`] in [`crate::Source::table_warnings`] for the caller to
//! print.
//!
//! The rules, and why:
//!
//! - **A first line of data** (`Adelie,Torgersen,39.1,18.7,181,3750,male,2007`, what
//!   `to_csv(header=False)` and UCI's `.data` files give) is refused when every one of its
//!   cells is a number, or when its cells have the types of the rows below in at least three
//!   columns of four and either it holds a number with a fraction or a sign (`39.1`, `0.0`,
//!   `-5`, which a name seldom is) that lies, with its other numbers, within its column's
//!   values, or at least half of its text cells are also values of their columns (`Adelie`).
//!   A wide table whose columns are years (`country,1990,1991`) still loads: its names are
//!   whole numbers, and its text name (`country`) is no value of its column; so does a
//!   header that counts the columns (`0,1,2,...`, pandas' names for the columns of a frame
//!   made from an array).
//! - **Dates** (`2012-01-01`, `01/02/2012`, `1.2.2012`, `Jan 5, 2012`, with or without a
//!   time) are read as dates ([`crate::dates`]) when every value of a column is one; a
//!   column none of whose days is above 12 is read in the order its separator suggests, with
//!   a warning.
//! - **Row numbers**: a nameless first column (R's `write.csv` row names, pandas' index)
//!   whose cells count the rows, from 1 or from 0, in order, is left out with a warning;
//!   any other nameless column is refused. A number column of a different whole number in
//!   every row (of 20 or more) that is in order or is named as an id (`id`, `*_id`,
//!   `PassengerId`, `index`, `Unnamed: 0`) is warned about: it tells the network the file's
//!   order, not something about rows to come.
//! - **Near-unique text**: a text column with more than 90 % different values over 20 or
//!   more training rows is warned about, as an id or a name is.

use std::fmt;

use crate::categories::is_missing_cell;
use crate::error::{shell_word, shown};

/// Something about a table read for training that is likely a mistake, but not surely one:
/// the caller prints it (`dnn train` as `warning: ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableWarning {
    /// A column of dates ([`crate::dates`]) none of whose cells tells day from month (no
    /// day above 12): read in the order its separator suggests.
    DateOrder {
        /// The column.
        column: String,
        /// The order it is read in.
        order: crate::dates::DateOrder,
        /// Its first value (in the file).
        example: String,
    },
    /// A nameless first column that counts the rows (R's row names, pandas' index), left out.
    RowNames {
        /// The number of the first row: 1 (R) or 0 (pandas).
        from: u64,
        /// The number of rows.
        rows: u64,
    },
    /// A number column holding a different whole number in every row.
    RowNumbers {
        /// The column.
        column: String,
        /// Whether the numbers are in order (rising or falling) down the file.
        in_order: bool,
        /// Whether the column's name is an id's (`id`, `*_id`, `index`, ...).
        named_as_id: bool,
        /// Its first three values.
        first: Vec<String>,
    },
    /// A text column with a different value in more than 90 % of its training rows.
    NearlyUnique {
        /// The column.
        column: String,
        /// Its different values in the training part.
        values: usize,
        /// The training rows with a value.
        rows: usize,
    },
    /// Dates without a day (`2012-03`) in a column whose inputs need one (its day, weekday,
    /// day of the year, hour): each is read as the 1st of its month.
    NoDay {
        /// The column.
        column: String,
        /// The rows with such a date.
        rows: usize,
        /// The first of them (its value as written, and its data row, from 1).
        first: (String, u64),
    },
    /// Rows without a label, left out (`--drop-unlabeled`, [`crate::table::unlabeled`]).
    Unlabeled {
        /// The target column.
        column: String,
        /// The data rows left out (from 1).
        rows: Vec<u64>,
        /// The rows left.
        left: usize,
    },
}

impl fmt::Display for TableWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableWarning::DateOrder {
                column,
                order,
                example,
            } => write!(
                f,
                "column `{column}` holds dates (`{}`, ...) whose day is never above 12, so \
                 none tells day from month: they are read as {}; if that is wrong, give \
                 --date-order {}",
                shown(example),
                order.describe(),
                match order {
                    crate::dates::DateOrder::Mdy => "day-first",
                    _ => "month-first",
                }
            ),
            TableWarning::NoDay {
                column,
                rows,
                first: (text, row),
            } => write!(
                f,
                "column `{column}` has {rows} date{} without a day (`{}` in row {row}{}): each \
                 is read as the 1st of its month, which its day inputs (day, weekday, day of the \
                 year) then take as its day; write the day where it is known",
                if *rows == 1 { "" } else { "s" },
                shown(text),
                if *rows > 1 { ", ..." } else { "" }
            ),
            TableWarning::RowNames { from, rows } => write!(
                f,
                "the first column has no name and counts the rows from {from} to {}, as {} \
                 writes them: it is left out as the rows' numbers, not data",
                from + rows - 1,
                if *from == 1 {
                    "R's write.csv (row names)"
                } else {
                    "pandas' to_csv (the index)"
                }
            ),
            TableWarning::RowNumbers {
                column,
                in_order,
                named_as_id,
                first,
            } => {
                let why = match (in_order, named_as_id) {
                    (true, _) => "in order down the file",
                    (false, _) => "and is named as an id",
                };
                write!(
                    f,
                    "column `{column}` holds a different whole number in every row ({}, ...), \
                     {why}, as a row number or an id does: it tells the network the rows' \
                     order in this file, not anything about rows to come; leave it out with \
                     --drop {}",
                    first.join(", "),
                    shell_word(column)
                )
            }
            TableWarning::NearlyUnique {
                column,
                values,
                rows,
            } => write!(
                f,
                "column `{column}` has {values} different values in {rows} training rows, \
                 nearly one per row, as an id, a name or free text has: one-hot encoded, it \
                 tells the network little about rows to come; leave it out with --drop {}",
                shell_word(column)
            ),
            TableWarning::Unlabeled { column, rows, left } => write!(
                f,
                "{} without a label in column `{column}` (row{} {}) {} left out; {left} \
                 row{} left",
                count_rows(rows.len()),
                if rows.len() == 1 { "" } else { "s" },
                crate::table::row_list(rows),
                if rows.len() == 1 { "is" } else { "are" },
                if *left == 1 { " is" } else { "s are" },
            ),
        }
    }
}

/// `1 row`, `8 rows`.
fn count_rows(n: usize) -> String {
    format!("{n} row{}", if n == 1 { "" } else { "s" })
}

/// What a cell reads as, for comparing a first line with the rows below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Missing,
    Number,
    Text,
}

fn kind(cell: &str) -> Kind {
    if is_missing_cell(cell) {
        Kind::Missing
    } else if cell.parse::<f64>().is_ok_and(f64::is_finite) {
        Kind::Number
    } else {
        Kind::Text
    }
}

/// Whether a number as written has a fraction, an exponent or a sign (`39.1`, `0.0`, `1e3`,
/// `-5`): unlike `2007`, seldom a column's name.
fn decimal_like(cell: &str) -> bool {
    kind(cell) == Kind::Number && !cell.bytes().all(|b| b.is_ascii_digit())
}

/// Why `header` (trimmed) looks like a row of data rather than the columns' names, judged
/// with the first `rows` below it (trimmed cells; rows of another length are ignored);
/// `None` when it looks like names.
///
/// ```text
/// Adelie,Torgersen,39.1,181,male / Adelie,Torgersen,39.5,186,female -> Some(..)
/// country,1990,1991 / France,3.2,3.3                                 -> None
/// ```
pub(crate) fn first_line_is_data(header: &[String], rows: &[Vec<String>]) -> Option<String> {
    let n = header.len();
    // The names pandas gives the columns of a frame made from an array
    // (`pd.DataFrame(np.c_[x, y]).to_csv(index=False)`): 0, 1, 2, ... (or from 1).
    let counted = |from: usize| {
        header
            .iter()
            .enumerate()
            .all(|(i, h)| *h == (i + from).to_string())
    };
    if n >= 2 && (counted(0) || counted(1)) {
        return None;
    }
    let kinds: Vec<Kind> = header.iter().map(|h| kind(h)).collect();
    let numbers = kinds.iter().filter(|&&k| k == Kind::Number).count();
    if n >= 2 && numbers == n {
        return Some("every one of its cells is a number".into());
    }
    let rows: Vec<&Vec<String>> = rows.iter().filter(|r| r.len() == n).collect();
    if rows.is_empty() {
        return None;
    }
    let (mut compared, mut matched) = (0, 0);
    let (mut texts, mut recurring) = (0, Vec::new());
    let (mut in_range, mut out_of_range, mut decimal) = (0, 0, Vec::new());
    for i in 0..n {
        let cells: Vec<&str> = rows
            .iter()
            .map(|r| r[i].as_str())
            .filter(|c| !is_missing_cell(c))
            .collect();
        let column = if cells.is_empty() {
            None
        } else if cells.iter().all(|c| kind(c) == Kind::Number) {
            Some(Kind::Number)
        } else if cells.iter().all(|c| kind(c) == Kind::Text) {
            Some(Kind::Text)
        } else {
            None
        };
        let (Some(column), true) = (column, kinds[i] != Kind::Missing) else {
            continue;
        };
        compared += 1;
        if column == kinds[i] {
            matched += 1;
        }
        match kinds[i] {
            Kind::Text => {
                texts += 1;
                if cells.contains(&header[i].as_str()) {
                    recurring.push(header[i].as_str());
                }
            }
            Kind::Number if column == Kind::Number => {
                let v: f64 = header[i].parse().unwrap_or(f64::NAN);
                let (lo, hi) = cells
                    .iter()
                    .filter_map(|c| c.parse::<f64>().ok())
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                        (lo.min(x), hi.max(x))
                    });
                if (lo..=hi).contains(&v) {
                    in_range += 1;
                } else {
                    out_of_range += 1;
                }
                if decimal_like(&header[i]) {
                    decimal.push(header[i].as_str());
                }
            }
            _ => {}
        }
    }
    if compared == 0 || matched * 4 < compared * 3 {
        return None;
    }
    if !decimal.is_empty() && in_range > 0 && out_of_range * 3 <= in_range {
        return Some(format!(
            "`{}` is a number such as the rows below hold, and its numbers lie within their \
             columns' values",
            shown(decimal[0])
        ));
    }
    if !recurring.is_empty() && recurring.len() * 2 >= texts {
        return Some(format!(
            "`{}` is also a value of its column in the rows below",
            shown(recurring[0])
        ));
    }
    None
}

/// Whether `name` reads as an id's or a row number's: `id`, `ID`, `*_id`, `* id`, `*.id`,
/// `PassengerId`, `index`, `idx`, `row`, `rownames`, `Unnamed: 0` (pandas' name for a
/// nameless column).
pub(crate) fn named_as_id(name: &str) -> bool {
    let lower = name.trim().to_lowercase();
    let camel = name.strip_suffix("Id").is_some_and(|s| {
        s.chars()
            .last()
            .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
    }) || (name.ends_with("ID") && name.len() > 2);
    camel
        || matches!(
            lower.as_str(),
            "id" | "index" | "idx" | "row" | "rownames" | "row_names" | "rowid" | "row_id"
        )
        || ["_id", " id", ".id", "-id"]
            .iter()
            .any(|s| lower.ends_with(s))
        || lower.starts_with("unnamed:")
}

/// [`TableWarning::RowNumbers`] for a number column `values` (NaN: missing) named `column`,
/// when each of its 20 or more rows holds a different whole number and the numbers are in
/// order or the name is an id's.
pub(crate) fn row_numbers(column: &str, values: &[f64]) -> Option<TableWarning> {
    if values.len() < 20 || values.iter().any(|v| !v.is_finite() || v.fract() != 0.0) {
        return None;
    }
    let rising = values.windows(2).all(|w| w[0] < w[1]);
    let falling = values.windows(2).all(|w| w[0] > w[1]);
    let named = named_as_id(column);
    if !(rising || falling || named) {
        return None;
    }
    // Numbers in strict order are different; only an id's name needs the sorted look.
    if !(rising || falling) {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return None;
        }
    }
    Some(TableWarning::RowNumbers {
        column: column.to_owned(),
        in_order: rising || falling,
        named_as_id: named,
        first: values
            .iter()
            .take(3)
            .map(|&v| crate::number::exact(v))
            .collect(),
    })
}

/// [`TableWarning::NearlyUnique`] for a text column whose training rows have `counts` of its
/// values and `without` rows with none: 20 or more rows with a value, more than 90 % of them
/// different. A column with a different value in every training row and none missing is not
/// this warning: the caller already says so of it.
pub(crate) fn nearly_unique(
    column: &str,
    counts: &[usize],
    without: usize,
) -> Option<TableWarning> {
    let rows: usize = counts.iter().sum();
    let values = counts.iter().filter(|&&k| k > 0).count();
    let every_row = without == 0 && counts.iter().all(|&k| k == 1) && values >= 10;
    (rows >= 20 && values * 10 > rows * 9 && !every_row).then(|| TableWarning::NearlyUnique {
        column: column.to_owned(),
        values,
        rows,
    })
}

pub use crate::dates::is_date;

/// What compresses a file that starts with `start`, named for a message: `gzip`, `zip`
/// (an Excel workbook is one), `bzip2`, `xz`, `zstd`; `None` for anything else.
///
/// ```
/// use dnn_data::table_checks::compressed;
/// assert_eq!(compressed(&[0x1f, 0x8b, 8, 0]), Some("gzip"));
/// assert_eq!(compressed(b"a,b\n1,2\n"), None);
/// ```
pub fn compressed(start: &[u8]) -> Option<&'static str> {
    if start.starts_with(&[0x1f, 0x8b]) {
        Some("gzip")
    } else if start.starts_with(b"PK\x03\x04") {
        Some("zip")
    } else if start.starts_with(b"BZh") && start.get(3).is_some_and(u8::is_ascii_digit) {
        Some("bzip2")
    } else if start.starts_with(b"\xfd7zXZ\x00") {
        Some("xz")
    } else if start.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some("zstd")
    } else {
        None
    }
}

/// The message for a file at `path` compressed as `how` ([`compressed`]): decompress it
/// first (or, for a zip that is an Excel workbook, save the sheet as CSV).
pub(crate) fn compressed_problem(path: &std::path::Path, how: &str) -> String {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let word = shell_word(&name);
    let (tool, xlsx) = match how {
        "gzip" => ("gunzip -k", ""),
        "bzip2" => ("bunzip2 -k", ""),
        "xz" => ("unxz -k", ""),
        "zstd" => ("unzstd", ""),
        _ => (
            "unzip",
            "; an Excel workbook (.xlsx) is a zip archive too: save the sheet as CSV UTF-8 from \
             Excel",
        ),
    };
    format!(
        "the file is {how}-compressed, and dnn reads CSV text as it is: decompress it first \
         ({tool} {word}) and give the .csv file it holds{xlsx}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &str) -> Vec<String> {
        cells.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn a_first_line_of_data_is_told_from_names() {
        let data = |h: &str, rows: &[&str]| {
            first_line_is_data(
                &strings(h),
                &rows.iter().map(|r| strings(r)).collect::<Vec<_>>(),
            )
        };
        let pen = [
            "Adelie,Torgersen,39.5,17.4,186,3800,female,2007",
            "Adelie,Torgersen,40.3,18,195,3250,female,2007",
            "Adelie,Biscoe,37.8,18.3,174,3400,female,2008",
        ];
        assert!(data("Adelie,Torgersen,39.1,18.7,181,3750,male,2007", &pen).is_some());
        assert!(data("species,island,bill,depth,flipper,mass,sex,year", &pen).is_none());
        assert!(data("0,0,5,13,9", &["0,0,13,15,10"]).is_some());
        // Wide tables with years as names, or decimal names out of the values' range.
        assert!(data(
            "country,1990,1991,1992",
            &["France,3.2,3.3,3.1", "Peru,1.5,1.6,1.7"]
        )
        .is_none());
        assert!(data(
            "sample,400.5,401.0,label",
            &["s1,0.2,0.3,a", "s2,0.25,0.31,b"]
        )
        .is_none());
        assert!(data("id,2019,2020", &["a,1500,2500", "b,1900,2100"]).is_none());
        // A numbers-only first line is data; one name number among names is not.
        assert!(data("x,y,1", &["1,2,3"]).is_none());
    }
}
