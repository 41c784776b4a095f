//! What `dnn predict` writes beside each prediction, and what it says about a table's cells:
//! each class's probability (`--probabilities`, scikit-learn's `predict_proba`), the input
//! table's own columns copied as written (`--keep`), and a warning for each column whose
//! missing numbers the model filled.
//!
//! The table the model reads ([`dnn_data::table::read_table`]) holds only its inputs, with
//! missing numbers already filled (and says which rows missed them,
//! [`dnn_data::table::Table::filled_rows`]); the kept cells come from a second, light pass
//! over the same bytes ([`read_row_cells`]), read as that reader reads them (its separator,
//! its header's names trimmed).

use std::io::Read;
use std::path::Path;

use anyhow::bail;
use dnn_data::categories::FilledRows;
use dnn_data::DataError;
use ndarray::Array2;

/// The name of the column of class `class`'s probability: `probability_<class>`, beside the
/// winning class's `probability`. The CSV writer quotes it where the class name needs it (a
/// comma, a quote, a line break).
pub fn probability_column(class: &str) -> String {
    format!("probability_{class}")
}

/// Each example's probability of every one of `classes` classes, from the network's output
/// `proba` (one column per example, [`dnn_data::model::Model::predict_proba`]): `1 - p` and
/// `p` for one sigmoid output, the softmax's values otherwise, as
/// [`dnn_data::model::class_probability`] gives the winning class's.
pub fn class_probabilities(proba: &Array2<f64>, classes: usize) -> Vec<Vec<f64>> {
    proba
        .columns()
        .into_iter()
        .map(|p| {
            (0..classes)
                .map(|k| dnn_data::model::class_probability(p, k))
                .collect()
        })
        .collect()
}

/// The names of a classifier's classes, in its output's order: those its file records, or
/// the class numbers (as [`dnn_data::model::Prediction::name`] names them) for a file that
/// records none; two for one sigmoid output.
pub fn class_names(classes: &[String], outputs: usize) -> Vec<String> {
    (0..outputs.max(2))
        .map(|k| classes.get(k).cloned().unwrap_or_else(|| k.to_string()))
        .collect()
}

/// What the second pass over a table's rows found: the kept columns' cells.
#[derive(Debug, Default)]
pub struct RowCells {
    /// The kept columns' names, in `--keep`'s order, as the header names them.
    pub kept: Vec<String>,
    /// Each row's kept cells, as written (unquoted, not trimmed, in the file's bytes).
    pub cells: Vec<csv::ByteRecord>,
}

/// `` column `body_mass_g`: 2 rows missing (rows 2, 7), filled with 4000 as in training ``:
/// the warning `dnn predict` gives (after `warning: `) for a column whose missing numbers the
/// model filled, naming the first rows, then how many more; `input`: the model's, which tells
/// a column of dates, whose fill value is shown as a date.
pub fn filled_warning(filled: &FilledRows, input: &dnn_data::Input) -> String {
    let rows: Vec<String> = filled.first.iter().map(u64::to_string).collect();
    let listed = match filled.rows.saturating_sub(filled.first.len()) {
        0 => rows.join(", "),
        more => format!("{} and {more} more", rows.join(", ")),
    };
    let n = if filled.rows == 1 { "row" } else { "rows" };
    format!(
        "column `{}`: {} {n} missing ({n} {listed}), filled with {} as in training",
        filled.column,
        filled.rows,
        crate::data::fill_shown(input, &filled.column, filled.value)
    )
}

/// The column names `--keep` gives, as the header `header` names them: each trimmed, and
/// pieces that a comma split out of one column's name (`--keep "weight, kg"`) joined again,
/// as `--drop` takes them; each once.
fn kept_names(keep: &[String], header: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(keep.len());
    for name in dnn_data::table::as_named(keep, header) {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Reads the table in `source` (named `path` in messages) once more, for the cells the model
/// does not take: the columns `keep` names, as written.
///
/// Meant for a table [`dnn_data::table::read_table`] has read with the model's columns without
/// error: its rows are whole, and `rows` of them.
///
/// # Errors
/// A column of `keep` that the table does not have (listing the table's columns), or one that
/// the predictions name themselves (`own`: `row`, `class`, ...); a table that cannot be read,
/// or that is not `rows` rows long this time.
pub fn read_row_cells(
    source: impl Read,
    path: &Path,
    keep: &[String],
    own: &[String],
    rows: usize,
) -> anyhow::Result<RowCells> {
    let (header, mut reader) = dnn_data::table::open_table(source, path)?;
    let kept = kept_names(keep, &header);
    let mut kept_at = Vec::with_capacity(kept.len());
    for name in &kept {
        let Some(i) = header.iter().position(|h| h == name) else {
            return Err(DataError::UnknownColumn {
                path: path.to_path_buf(),
                column: name.clone(),
                why: Some("given to --keep".into()),
                columns: header,
            }
            .into());
        };
        if own.contains(name) {
            bail!(
                "{}: --keep {name}: the predictions have a column `{name}` of their own; rename \
                 that column in the table to keep it",
                path.display()
            );
        }
        kept_at.push(i);
    }
    let mut cells = Vec::with_capacity(if kept.is_empty() { 0 } else { rows });
    let mut record = csv::ByteRecord::new();
    let mut read = 0;
    while reader.read_byte_record(&mut record)? {
        read += 1;
        if !kept.is_empty() {
            cells.push(
                kept_at
                    .iter()
                    .map(|&i| record.get(i).unwrap_or_default())
                    .collect(),
            );
        }
    }
    if read != rows {
        bail!(
            "{}: the table changed while it was read ({rows} rows, then {read}); predict it again",
            path.display()
        );
    }
    Ok(RowCells { kept, cells })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(dates: Vec<dnn_data::dates::DateColumn>) -> dnn_data::Input {
        dnn_data::Input::Table {
            columns: vec!["a".into(), "body_mass_g".into(), "date".into()],
            target: "y".into(),
            one_hot: vec![],
            filled: vec![],
            dates,
        }
    }

    fn missing(rows: usize, first: &[u64]) -> String {
        filled_warning(
            &FilledRows {
                column: "body_mass_g".into(),
                value: 4000.0,
                rows,
                first: first.to_vec(),
            },
            &table(vec![]),
        )
    }

    #[test]
    fn the_warning_names_up_to_three_rows_then_how_many_more() {
        assert_eq!(
            missing(1, &[2]),
            "column `body_mass_g`: 1 row missing (row 2), filled with 4000 as in training"
        );
        assert_eq!(
            missing(3, &[2, 5, 9]),
            "column `body_mass_g`: 3 rows missing (rows 2, 5, 9), filled with 4000 as in training"
        );
        assert_eq!(
            missing(7, &[2, 5, 9]),
            "column `body_mass_g`: 7 rows missing (rows 2, 5, 9 and 4 more), filled with 4000 \
             as in training"
        );
        // The fill value as `dnn train`'s fill line shows it, not every digit of the median
        // of 0.529 and 0.530.
        let median = FilledRows {
            column: "a".into(),
            value: 0.529_500_000_000_000_1,
            rows: 1,
            first: vec![2],
        };
        assert_eq!(
            filled_warning(&median, &table(vec![])),
            "column `a`: 1 row missing (row 2), filled with 0.5295 as in training"
        );
        // A date's fill value, the mean instant 2012-01-31 12:00, as a date: its day alone
        // when the inputs take no hour (as they see it), and its time when they do.
        let date = FilledRows {
            column: "date".into(),
            value: 15_370.5,
            rows: 1,
            first: vec![4],
        };
        let mut dates = vec![dnn_data::dates::DateColumn {
            column: "date".into(),
            order: dnn_data::dates::DateOrder::Ymd,
            parts: dnn_data::dates::DatePart::DAY.to_vec(),
        }];
        assert_eq!(
            filled_warning(&date, &table(dates.clone())),
            "column `date`: 1 row missing (row 4), filled with 2012-01-31 as in training"
        );
        dates[0].parts.push(dnn_data::dates::DatePart::Hour);
        assert_eq!(
            filled_warning(&date, &table(dates)),
            "column `date`: 1 row missing (row 4), filled with 2012-01-31 12:00 as in training"
        );
    }

    #[test]
    fn kept_names_are_trimmed_rejoined_and_given_once() {
        let header: Vec<String> = ["id", "weight, kg", "x"].map(String::from).to_vec();
        let keep: Vec<String> = [" id", "weight", " kg", "id", "nope"]
            .map(String::from)
            .to_vec();
        assert_eq!(kept_names(&keep, &header), ["id", "weight, kg", "nope"]);
    }

    #[test]
    fn a_sigmoid_output_gives_both_classes() {
        let p = ndarray::array![[0.25, 0.75]];
        assert_eq!(
            class_probabilities(&p, 2),
            [vec![0.75, 0.25], vec![0.25, 0.75]]
        );
        assert_eq!(class_names(&[], 1), ["0", "1"]);
    }
}
