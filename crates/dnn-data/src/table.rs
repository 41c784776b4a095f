//! CSV tables, as scikit-learn's `fit(X, y)` sees them: a header row, one label column (the
//! target: `--target NAME`, by default the last column) and numeric feature columns.
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

use ndarray::Array2;
use rayon::prelude::*;

use crate::classes::{self, sort_names, ClassChoice};
use crate::dataset::{split_or_keep, DataSpec, Dataset, Format, Input, LoadOptions, Source};
use crate::error::{DataError, Result};

/// A CSV table as read: feature columns and, when the table has its target column, labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The feature columns' names, in order.
    pub columns: Vec<String>,
    /// One vector per feature column, one value per data row.
    pub features: Vec<Vec<f64>>,
    /// The target column's name, when the table has it.
    pub target: Option<String>,
    /// The distinct labels, in the order first met.
    pub label_names: Vec<String>,
    /// Each row's label, an index into `label_names` (empty without a target column).
    pub labels: Vec<usize>,
    /// Number of data rows.
    pub rows: usize,
}

/// Which columns to read.
#[derive(Clone, Copy, Debug)]
pub struct Columns<'a> {
    /// The label column; `None`: the last column.
    pub target: Option<&'a str>,
    /// Whether the target column must be there (training, evaluation) or may be absent
    /// (prediction; then every other named column is a feature candidate).
    pub labels_required: bool,
    /// The feature columns by name and in this order (a model's); `None`: every column but
    /// the target.
    pub features: Option<&'a [String]>,
}

fn csv_error(path: &Path, e: csv::Error) -> DataError {
    let at = e
        .position()
        .map(|p| format!("row {} (line {}): ", p.record(), p.line()))
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

/// Reads the CSV table at `path`; see [`Columns`].
///
/// # Errors
/// [`DataError::FileNotFound`], [`DataError::Io`], [`DataError::BadSource`] for an empty
/// file, a header without data rows, or a duplicated column name;
/// [`DataError::UnknownColumn`] for a target or feature column it does not have;
/// [`DataError::RaggedRow`]; [`DataError::BadCell`] for an empty or non-numeric feature
/// cell or an empty label.
pub fn read_table(path: &Path, which: Columns<'_>) -> Result<Table> {
    let file = std::fs::File::open(path).map_err(|e| crate::error::io_error(path, e))?;
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(DataError::BadSource {
            path: path.to_path_buf(),
            problem: "a directory, not a CSV file".into(),
        });
    }
    read_table_from(
        std::io::BufReader::with_capacity(1 << 16, file),
        path,
        which,
    )
}

/// Reads a CSV table from `source` (an upload, say) as [`read_table`] reads a file; `path`
/// names it in messages.
///
/// ```
/// use dnn_data::table::{read_table_from, Columns};
/// let which = Columns { target: None, labels_required: false, features: None };
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
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(source);
    let header: Vec<String> = reader
        .byte_headers()
        .map_err(|e| csv_error(path, e))?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let text = String::from_utf8_lossy(h);
            let text = if i == 0 {
                text.trim_start_matches('\u{feff}')
            } else {
                &text
            };
            text.trim().to_owned()
        })
        .collect();
    let bad = |problem: String| DataError::BadSource {
        path: path.to_path_buf(),
        problem,
    };
    if header.is_empty() || header.len() == 1 && header[0].is_empty() {
        return Err(bad(
            "the file is empty; a CSV table needs a header row and at least one data row".into(),
        ));
    }
    if let Some((first, i)) = crate::classes::first_repeat(&header) {
        return Err(bad(format!(
            "the column name `{}` appears twice (columns {} and {}); columns are matched by name",
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
    let target_index = match which.target {
        Some(t) => match header.iter().position(|h| h == t) {
            Some(i) => Some(i),
            None if which.labels_required => return Err(unknown(t, Some("the target"))),
            None => None,
        },
        None if which.labels_required => Some(header.len() - 1),
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
        None => (0..header.len())
            .filter(|&i| Some(i) != target_index)
            .collect(),
    };
    if feature_index.is_empty() {
        return Err(bad(format!(
            "no feature columns: the only column is the target `{}`",
            header[0]
        )));
    }
    let columns: Vec<String> = feature_index.iter().map(|&i| header[i].clone()).collect();
    let mut features: Vec<Vec<f64>> = vec![Vec::new(); feature_index.len()];
    let mut label_names: Vec<String> = Vec::new();
    let mut label_ids: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut labels = Vec::new();
    // Records are read in batches; each batch's cells are parsed column by column on every
    // core (parsing numbers is most of the work), labels and row checks stay in order.
    let mut batch: Vec<csv::ByteRecord> = vec![csv::ByteRecord::new(); BATCH];
    let mut rows: u64 = 0;
    loop {
        let mut n = 0;
        while n < BATCH
            && reader
                .read_byte_record(&mut batch[n])
                .map_err(|e| csv_error(path, e))?
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
                .map_or(rows + k as u64 + 2, |p| p.line())
        };
        // The first error in reading order, as a row-by-row reader would meet it: the lowest
        // row first; within a row its length, then its features left to right, then its label.
        let ragged = records.iter().position(|r| r.len() != header.len());
        let whole = &records[..ragged.unwrap_or(n)];
        let bad_cell = features
            .par_iter_mut()
            .zip(feature_index.par_iter())
            .enumerate()
            .filter_map(|(position, (values, &i))| {
                values.reserve(whole.len());
                for (k, record) in whole.iter().enumerate() {
                    match parse_cell(&record[i]) {
                        Ok(v) => values.push(v),
                        Err(problem) => return Some((k, position, i, problem)),
                    }
                }
                None
            })
            .min_by_key(|(k, position, ..)| (*k, *position));
        let empty_label = target_index.and_then(|t| {
            whole
                .iter()
                .position(|r| trim(&r[t]).is_empty())
                .map(|k| (k, t))
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
            empty_label.map(|(k, _)| (k, 2)),
        ]
        .into_iter()
        .flatten()
        .min();
        match first {
            Some((k, 0)) => {
                return Err(DataError::RaggedRow {
                    path: path.to_path_buf(),
                    row: rows + k as u64 + 1,
                    line: line_of(k),
                    fields: records[k].len(),
                    expected: header.len(),
                })
            }
            Some((_, 1)) => {
                let (k, _, i, problem) = bad_cell.unwrap_or_default();
                return Err(cell_error(k, i, problem));
            }
            Some((k, _)) => {
                let t = empty_label.map_or(0, |(_, t)| t);
                return Err(cell_error(
                    k,
                    t,
                    "the label is empty; every row needs one".into(),
                ));
            }
            None => {}
        }
        if let Some(t) = target_index {
            for record in records {
                let raw = trim(&record[t]);
                let id = match label_ids.get(raw) {
                    Some(&id) => id,
                    None => {
                        let id = label_names.len();
                        label_names.push(String::from_utf8_lossy(raw).into_owned());
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
    Ok(Table {
        columns,
        features,
        target: target_index.map(|t| header[t].clone()),
        label_names,
        labels,
        rows: rows as usize,
    })
}

/// Records read, then parsed in parallel, at a time (a few MB of text).
const BATCH: usize = 2048;

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// One feature cell as a finite number, or what is wrong with it.
fn parse_cell(bytes: &[u8]) -> std::result::Result<f64, String> {
    let cell = trim(bytes);
    if cell.is_empty() {
        return Err("the cell is empty; every feature cell needs a number".into());
    }
    let text = std::str::from_utf8(cell).map_err(|_| "the cell is not UTF-8 text".to_owned())?;
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("`{text}` is not a finite number")),
        Err(_) => Err(format!("`{text}` is not a number")),
    }
}

impl Table {
    /// The features of rows `picked`, as a `(features, picked.len())` matrix.
    pub fn matrix(&self, picked: &[usize]) -> Array2<f64> {
        let mut out = Array2::zeros((self.features.len(), picked.len()));
        for (mut row, values) in out.rows_mut().into_iter().zip(&self.features) {
            for (o, &j) in row.iter_mut().zip(picked) {
                *o = values[j];
            }
        }
        out
    }
}

/// Loads a CSV table for training or evaluation (see the [module docs](self)).
///
/// # Errors
/// Those of [`read_table`], the class errors and [`DataError::BadSplit`].
pub fn load(path: &Path, options: &LoadOptions) -> Result<Dataset> {
    let mut table = read_table(
        path,
        Columns {
            target: options.target.as_deref(),
            labels_required: true,
            features: options.columns.as_deref(),
        },
    )?;
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
    let (train_idx, test_idx, split) = split_or_keep(path, &labels, names.len(), options)?;
    // Column by column: each feature is copied into both matrices and freed at once.
    let (n, mtr, mte) = (table.features.len(), train_idx.len(), test_idx.len());
    let mut train_x = Array2::<f64>::zeros((n, mtr));
    let mut test_x = Array2::<f64>::zeros((n, mte));
    for (i, values) in table.features.iter_mut().enumerate() {
        let values = std::mem::take(values);
        for (o, &j) in train_x.row_mut(i).iter_mut().zip(&train_idx) {
            *o = values[j];
        }
        for (o, &j) in test_x.row_mut(i).iter_mut().zip(&test_idx) {
            *o = values[j];
        }
    }
    let target = table.target.clone().unwrap_or_default();
    Ok(Dataset {
        train_x,
        train_labels: train_idx.iter().map(|&j| labels[j]).collect(),
        test_x,
        test_labels: test_idx.iter().map(|&j| labels[j]).collect(),
        spec: DataSpec {
            classes: names,
            input: Input::Table {
                columns: table.columns,
                target,
            },
            standardization: None,
        },
        source: Source {
            format: Format::Csv,
            path: path.to_path_buf(),
            split: Some(split),
            skipped_files: 0,
            float_inputs: true,
        },
        train_images: None,
        test_images: None,
    })
}
