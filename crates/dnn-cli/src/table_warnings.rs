//! The warnings dnn-data leaves about a table read for training
//! ([`dnn_data::Source::table_warnings`]): columns of dates, of row numbers or ids, of nearly
//! one text value per row, and a nameless first column of row numbers left out. Each is one
//! `warning:` line on standard error.

use dnn_core::Float;
use dnn_data::Dataset;

use crate::output::tell;

/// The `warning: ...` lines about `data`'s table, one per [`dnn_data::table_checks::TableWarning`].
pub fn table_warning_lines<X: Float>(data: &Dataset<X>) -> Vec<String> {
    data.source
        .table_warnings
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect()
}

/// Prints [`table_warning_lines`].
pub fn warn_table<X: Float>(data: &Dataset<X>) {
    for line in table_warning_lines(data) {
        tell!("{line}");
    }
}
