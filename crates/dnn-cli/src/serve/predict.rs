//! The Predict view: a picture (for picture models) or a CSV table (for the others) in the
//! request's body, the model's verdict back. Pictures are decoded and resized by dnn-data as
//! `dnn predict` does, tables read by dnn-data's CSV reader (a header row; a model that
//! records its columns takes them by name, in any order, other columns ignored), and the
//! model's standardisation applied. Uploads are limited to [`UPLOAD_LIMIT`]; a body that is
//! not what the model takes is a 400 with one line.
//!
//! A classifier's verdict is a class and its probability; a regression model's (an identity
//! output) is a number, `value`, in the target's units (the z-score its file records undone,
//! as `dnn predict` gives it).

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use base64::Engine;
use dnn_data::image::{picture_to_column, read_picture_bytes, ImageLimits};
use dnn_data::model::class_probability;
use dnn_data::table::{read_table_from, Columns};
use dnn_data::Input;
use image::codecs::png::PngEncoder;
use image::{ColorType, ImageEncoder};
use ndarray::{Array2, Array3};
use serde::{Deserialize, Serialize};

use super::datasets::InputKind;
use super::error::ApiError;
use super::models::{ModelEntry, ModelTask};
use super::state::AppState;
use crate::text::count;

/// The largest upload accepted: 20 MiB.
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;
/// How an upload is named in messages.
const UPLOAD: &str = "the upload";

/// `?model=file|trained` (default: the trained model if any, else the file), and with
/// `run=N` only the model run N trained (410 once a later run replaced it).
#[derive(Debug, Deserialize)]
pub struct Which {
    model: Option<String>,
    run: Option<String>,
}

/// How the query of a model request reads, for messages.
pub const WHICH_USAGE: &str = "?model=file, or ?model=trained&run=N (N: the run that trained it)";

impl Which {
    /// The model this query names, from `state`.
    pub fn model(
        query: Result<Query<Which>, QueryRejection>,
        slot: Option<&str>,
        state: &AppState,
    ) -> Result<Arc<ModelEntry>, ApiError> {
        let Query(which) = query.map_err(|e| ApiError::bad_query(&e, WHICH_USAGE))?;
        let run = which
            .run
            .as_deref()
            .map(|r| {
                r.parse::<u64>().ok().filter(|&n| n > 0).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "run: `{r}` is not a run number; give the whole number (from 1) of the run that trained the model, as the model list shows it"
                    ))
                })
            })
            .transpose()?;
        state.model_pinned(slot.or(which.model.as_deref()), run)
    }
}

/// The verdict on one picture or one row: a class with its probabilities (a classifier),
/// or a value (a regression).
#[derive(Debug, Serialize)]
pub struct Verdict {
    /// The row of the table (from 1, headers not counted); absent for a picture.
    #[serde(skip_serializing_if = "Option::is_none")]
    row: Option<usize>,
    /// The predicted class's name (classifiers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<String>,
    /// Its probability (classifiers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    probability: Option<f64>,
    /// Every class's probability, in class order (classifiers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    probabilities: Option<Vec<f64>>,
    /// The predicted number, in the target's units (regressions only); beyond f64's range,
    /// the text `inf` or `-inf`, as `dnn predict` writes it (JSON has no infinity).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "number_or_text"
    )]
    value: Option<f64>,
    /// For a picture: the picture the network saw (resized), as a PNG data URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    seen: Option<String>,
}

/// The answer to `POST /api/predict`.
#[derive(Debug, Serialize)]
pub struct Prediction {
    /// The model that answered, by name (`run 3, trained here on iris.csv`, a file's name).
    model: String,
    /// The run that trained it; absent for the `--model` file.
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<u64>,
    /// `classify` (each result has a class) or `regress` (each result has a value).
    task: ModelTask,
    /// Class names, by index; empty for a regression.
    classes: Vec<String>,
    /// A regression's target column, when the model file records it: what `value` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    results: Vec<Verdict>,
    /// What `dnn predict` would warn about: a table's values that the model never met.
    warnings: Vec<String>,
}

/// `POST /api/predict?model=...`: the body is a JPEG/PNG picture for a picture model, a
/// CSV table (a header row, one example per row) for the others.
///
/// A body announced larger than [`UPLOAD_LIMIT`] is refused from its Content-Length, before
/// it is read (a client that asks `Expect: 100-continue`, as curl does, sends none of it);
/// one without a length is read up to the limit.
pub async fn predict(
    State(state): State<Arc<AppState>>,
    which: Result<Query<Which>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Prediction>, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the upload is larger than {} MiB; send a smaller file",
                UPLOAD_LIMIT >> 20
            ),
        )
    };
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > UPLOAD_LIMIT as u64) {
        return Err(too_large());
    }
    let model = Which::model(which, None, &state)?;
    let body = axum::body::to_bytes(body, UPLOAD_LIMIT)
        .await
        .map_err(|_| too_large())?;
    let model_for_job = model.clone();
    let (results, warnings) = tokio::task::spawn_blocking(move || verdicts(&model_for_job, &body))
        .await
        .map_err(|e| ApiError::internal(&anyhow::anyhow!("the prediction failed: {e}")))??;
    Ok(Json(Prediction {
        model: model.name.clone(),
        run: model.run,
        task: model.task(),
        classes: model.classes.clone(),
        target: (model.task() == ModelTask::Regress)
            .then(|| model.target().map(str::to_owned))
            .flatten(),
        results,
        warnings,
    }))
}

/// The verdicts of `model` on `body` (decoding and the forward pass: CPU work, so off the
/// async runtime), and the warnings about a table's values.
fn verdicts(model: &ModelEntry, body: &[u8]) -> Result<(Vec<Verdict>, Vec<String>), ApiError> {
    let bad = |e: dnn_data::DataError| ApiError::bad_request(e.to_string());
    match model.input {
        InputKind::Picture {
            height,
            width,
            channels,
        } => {
            if ::image::guess_format(body).is_err() {
                return Err(not_a_picture(body, width, height));
            }
            let pixels = read_picture_bytes(
                body,
                UPLOAD,
                width as u32,
                height as u32,
                channels,
                &ImageLimits::DEFAULT,
            )
            .map_err(bad)?;
            let mut x = picture_to_column::<f64>(pixels.view());
            if let Some(z) = model.standardization() {
                z.apply(&mut x);
            }
            let (mut verdicts, warnings) = verdicts_of(model, &x, false)?;
            let mut verdict = verdicts.remove(0);
            verdict.seen = Some(png_data_url(&pixels)?);
            Ok((vec![verdict], warnings))
        }
        InputKind::Points | InputKind::Table { .. } => {
            let Rows {
                mut x,
                mut warnings,
                names,
            } = read_rows(model, body)?;
            finite(&x, &names, body, "is not a finite number")?;
            if let Some(z) = model.standardization() {
                z.apply(&mut x);
                finite(&x, &names, body, "became infinite when standardised (the model's z-score: (value - mean) / standard deviation); it is far beyond the values the model was trained on, so check it")?;
            }
            let (verdicts, more) = verdicts_of(model, &x, true)?;
            warnings.extend(more);
            Ok((verdicts, warnings))
        }
    }
}

/// The 400 for an upload to a picture model that is no picture format at all: text (a CSV
/// table, most likely) said as such, anything else without a dump of its first bytes.
fn not_a_picture(body: &[u8], width: usize, height: usize) -> ApiError {
    // Text: no control bytes but line breaks and tabs, in its first 4 KiB (UTF-8's other
    // bytes are all from 0x80).
    let text = body[..body.len().min(4096)]
        .iter()
        .all(|&b| (b >= 0x20 && b != 0x7f) || b"\t\r\n".contains(&b));
    let what = if body.is_empty() {
        "is empty".to_owned()
    } else if text {
        "is text (a CSV table?), not a picture".to_owned()
    } else {
        format!(
            "is not a JPEG or PNG picture ({})",
            count(body.len(), "byte")
        )
    };
    ApiError::bad_request(format!(
        "{UPLOAD} {what}; the model takes {width}×{height} pictures: send a JPEG or PNG"
    ))
}

/// The rows of a CSV upload as `(features, rows)` columns, by dnn-data's reader: the
/// model's columns by name (text one-hot encoded, missing numbers filled) when its file
/// records them, else every column; a line per text column with values it never met; and
/// each input's column name (a text column's name for each of its inputs).
fn read_rows(model: &ModelEntry, body: &[u8]) -> Result<Rows, ApiError> {
    let features = model.input.features();
    if ::image::guess_format(body).is_ok() {
        return Err(ApiError::bad_request(format!(
            "{UPLOAD}: this is a picture, but the model takes table rows ({}): send a CSV table",
            count(features, "input")
        )));
    }
    let which = match model.spec.as_ref().map(|s| &s.input) {
        Some(input @ Input::Table { .. }) => Columns {
            decimal_comma: model.setup.decimal_comma(),
            parse_numbers: model.setup.parse_numbers(),
            ..Columns::of_model(input)
        },
        _ => Columns {
            numbers_only: true,
            ..Columns::default()
        },
    };
    let table = read_table_from(body, Path::new(UPLOAD), which)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    if table.inputs() != features {
        return Err(ApiError::bad_request(format!(
            "{UPLOAD}: the table has {} ({}), {}, but the model takes {} per row",
            count(table.columns.len(), "column"),
            table.columns.join(", "),
            count(table.inputs(), "input"),
            count(features, "input")
        )));
    }
    let rows: Vec<usize> = (0..table.rows).collect();
    let names = table
        .columns
        .iter()
        .zip(&table.features)
        .flat_map(|(name, values)| std::iter::repeat_n(name.clone(), values.inputs()))
        .collect();
    Ok(Rows {
        x: table.matrix(&rows),
        warnings: crate::data::model_rows_lines(&table),
        names,
    })
}

/// A CSV upload as the network takes it ([`read_rows`]).
#[derive(Debug)]
struct Rows {
    /// The inputs, `(inputs, rows)`.
    x: Array2<f64>,
    /// A line per text column with values the model never met.
    warnings: Vec<String>,
    /// Each input's column name.
    names: Vec<String>,
}

/// A 400 for the first value of `x` (`(inputs, rows)`) that is not finite, in the upload's
/// terms: its row (from 1), line, column name (`names`, by input) and the text of its cell,
/// and what happened to it (`what`); the network would refuse it with its matrix's indices.
fn finite(x: &Array2<f64>, names: &[String], body: &[u8], what: &str) -> Result<(), ApiError> {
    let Some(((input, row), _)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) else {
        return Ok(());
    };
    let column = names.get(input).map_or("?", String::as_str);
    let (line, cell) = match cell_of(body, row, column) {
        Some((line, cell)) => (format!(" (line {line})"), format!("`{cell}` ")),
        None => (String::new(), "its value ".to_owned()),
    };
    Err(ApiError::bad_request(format!(
        "{UPLOAD}: row {}{line}, column `{column}`: {cell}{what}",
        row + 1
    )))
}

/// The line (from 1) and text of data row `row` (from 0)'s cell in `column`, read again with
/// the csv crate and the separator the table was read with (for a message only: `None` when
/// it does not find it).
fn cell_of(upload: &[u8], row: usize, column: &str) -> Option<(u64, String)> {
    let (separator, said) = dnn_data::table::separator(Path::new(UPLOAD), upload);
    let before = upload.get(..said)?.iter().filter(|&&b| b == b'\n').count() as u64;
    let body = upload.get(said..)?;
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .from_reader(body);
    let k = reader
        .byte_headers()
        .ok()?
        .iter()
        .position(|h| h.trim_ascii() == column.as_bytes())?;
    let record = reader.byte_records().nth(row)?.ok()?;
    let cell = String::from_utf8_lossy(record.get(k)?.trim_ascii()).into_owned();
    // The line from the record's first byte (the csv crate counts no blank line, and starts the record at the blank lines before it).
    let mut start = usize::try_from(record.position()?.byte()).ok()?;
    while body.get(start).is_some_and(|b| b"\r\n".contains(b)) {
        start += 1;
    }
    let line = before + body.get(..start)?.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    Some((line, cell))
}

/// One verdict per column of `x`; `numbered`: give each its table row. And a warning when
/// a regression model's values cannot be given in its target's units.
fn verdicts_of(
    model: &ModelEntry,
    x: &Array2<f64>,
    numbered: bool,
) -> Result<(Vec<Verdict>, Vec<String>), ApiError> {
    if model.task() == ModelTask::Regress {
        return values_of(model, x, numbered);
    }
    let proba = model
        .network
        .predict_proba(x)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let classes = model
        .network
        .predict_classes(x)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let names = model.classes.len().max(2);
    let verdicts = proba
        .columns()
        .into_iter()
        .zip(classes)
        .enumerate()
        .map(|(j, (p, c))| Verdict {
            row: numbered.then_some(j + 1),
            class: Some(
                model
                    .classes
                    .get(c)
                    .cloned()
                    .unwrap_or_else(|| format!("class {c}")),
            ),
            probability: Some(class_probability(p, c)),
            probabilities: Some(
                (0..names.min(p.len().max(2)))
                    .map(|k| class_probability(p, k))
                    .collect(),
            ),
            value: None,
            seen: None,
        })
        .collect();
    Ok((verdicts, Vec::new()))
}

/// A regression model's value of each column of `x`, in the target's units (the network's
/// output with the target's z-score undone, as [`dnn_data::model::Model::predict_values`]).
/// A file that records no target scale gets the network's outputs as they are, and a
/// warning that says so; one of several outputs is refused (there is no one number).
fn values_of(
    model: &ModelEntry,
    x: &Array2<f64>,
    numbered: bool,
) -> Result<(Vec<Verdict>, Vec<String>), ApiError> {
    let outputs = model.network.output_size();
    if outputs != 1 {
        return Err(ApiError::bad_request(format!(
            "the model {} has {outputs} identity outputs, several numbers per example, \
             which the page does not show; a regression model of dnn train has one",
            model.name
        )));
    }
    let z = model
        .network
        .predict_proba(x)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let scale = model.target_scale();
    let mut warnings = match scale {
        Some(_) => Vec::new(),
        None => vec![format!(
            "the model {} records no target scale: its values are the network's outputs as \
             they are, not known to be in the target's units",
            model.name
        )],
    };
    let values = match scale {
        Some(s) => s.unscaled_all(&z),
        None => z.iter().copied().collect(),
    };
    warnings.extend(crate::predict::beyond_range_warning(&values));
    let verdicts = values
        .into_iter()
        .enumerate()
        .map(|(j, value)| Verdict {
            row: numbered.then_some(j + 1),
            class: None,
            probability: None,
            probabilities: None,
            value: Some(value),
            seen: None,
        })
        .collect();
    Ok((verdicts, warnings))
}

/// A finite number as a JSON number, an infinity or NaN as its text (`inf`, `-inf`, `NaN`).
fn number_or_text<S: serde::Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) if !v.is_finite() => s.serialize_str(&v.to_string()),
        _ => serde::Serialize::serialize(value, s),
    }
}

/// A `(h, w, channels)` picture (1, 3 or 4 channels) as a `data:image/png;base64,...` URL.
pub fn png_data_url(pixels: &Array3<u8>) -> Result<String, ApiError> {
    let (h, w, c) = pixels.dim();
    let colour = match c {
        1 => ColorType::L8,
        4 => ColorType::Rgba8,
        _ => ColorType::Rgb8,
    };
    let raw: Vec<u8> = pixels.iter().copied().collect();
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(&raw, w as u32, h as u32, colour)
        .map_err(|e| ApiError::internal(&anyhow::anyhow!("cannot encode a PNG: {e}")))?;
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dnn_core::{Init, Network, NumpyRng};
    use dnn_data::model::AnyNetwork;
    use dnn_data::{DataSpec, Standardization};

    /// A model of 2 inputs; with `columns`, its file would record them (and a z-score).
    fn model(columns: Option<[&str; 2]>) -> ModelEntry {
        let net = Network::<f64>::builder(&[2, 3, 1])
            .init(Init::He)
            .build(&mut NumpyRng::new(1))
            .unwrap();
        let spec = columns.map(|c| DataSpec {
            ranges: None,
            regression: None,
            classes: vec!["no".into(), "yes".into()],
            input: Input::Table {
                columns: c.iter().map(|s| s.to_string()).collect(),
                target: "label".into(),
                one_hot: Vec::new(),
                filled: Vec::new(),
                dates: Vec::new(),
            },
            standardization: Some(Standardization {
                mean: ndarray::array![1.0, 2.0],
                std: ndarray::array![2.0, 4.0],
            }),
        });
        ModelEntry {
            name: "m".into(),
            network: AnyNetwork::F64(net),
            setup: Default::default(),
            input: InputKind::Points,
            classes: vec!["no".into(), "yes".into()],
            spec,
            run: None,
        }
    }

    #[test]
    fn a_model_without_columns_takes_every_column_in_order() {
        let x = read_rows(&model(None), b"x1,x2\n1,2\n3.5, -4\n").unwrap().x;
        assert_eq!(x, ndarray::array![[1.0, 3.5], [2.0, -4.0]]);
    }

    #[test]
    fn a_model_with_columns_takes_them_by_name_and_standardises() {
        let m = model(Some(["b", "a"]));
        let x = read_rows(&m, b"a,label,b\n1,yes,2\n").unwrap().x;
        assert_eq!(x, ndarray::array![[2.0], [1.0]]);
        let v = verdicts(&m, b"a,b\n1,2\n").unwrap().0;
        let z = ndarray::array![[(2.0 - 1.0) / 2.0], [(1.0 - 2.0) / 4.0]];
        let p = m.network.predict_proba(&z).unwrap()[[0, 0]];
        assert_eq!(v[0].probabilities, Some(vec![1.0 - p, p]));
        let missing = read_rows(&m, b"a,c\n1,2\n").unwrap_err().message;
        assert!(missing.contains("`b`"), "{missing}");
    }

    /// A network of identity outputs whose file records nothing (no target scale).
    fn unscaled_regression(outputs: usize) -> ModelEntry {
        let net = Network::<f64>::builder(&[2, 3, outputs])
            .init(Init::He)
            .output(dnn_core::Activation::Identity)
            .build(&mut NumpyRng::new(1))
            .unwrap();
        ModelEntry {
            name: "r".into(),
            network: AnyNetwork::F64(net),
            setup: Default::default(),
            input: InputKind::Points,
            classes: Vec::new(),
            spec: None,
            run: None,
        }
    }

    #[test]
    fn a_regression_without_a_target_scale_gives_raw_outputs_and_says_so() {
        let m = unscaled_regression(1);
        assert_eq!(m.task(), ModelTask::Regress);
        let (v, warnings) = verdicts(&m, b"a,b\n1,2\n3,4\n").unwrap();
        let z = m
            .network
            .predict_proba(&ndarray::array![[1.0, 3.0], [2.0, 4.0]])
            .unwrap();
        assert_eq!(v[1].value, Some(z[[0, 1]]));
        assert_eq!((v[1].row, v[1].class.as_ref()), (Some(2), None));
        assert!(
            warnings[0].contains("records no target scale"),
            "{warnings:?}"
        );
        let several = verdicts(&unscaled_regression(2), b"a,b\n1,2\n")
            .unwrap_err()
            .message;
        assert!(several.contains("2 identity outputs"), "{several}");
    }

    #[test]
    fn a_value_that_standardises_to_infinity_is_named_by_row_line_and_column() {
        // b's z-score divides by 4: 1e308 is finite, 1e308 / 4 too, but 1e308 - 1 then / 0.25
        // is not; a's std is 2, so a z-score std of 0.25 is put in by hand.
        let mut m = model(Some(["a", "b"]));
        if let Some(spec) = m.spec.as_mut() {
            spec.standardization = Some(Standardization {
                mean: ndarray::array![0.0, 1.0],
                std: ndarray::array![1.0, 0.25],
            });
        }
        let says = verdicts(&m, b"a,b\n1,2\n\n3,1e308\n").unwrap_err().message;
        assert_eq!(
            says,
            "the upload: row 2 (line 4), column `b`: `1e308` became infinite when standardised \
             (the model's z-score: (value - mean) / standard deviation); it is far beyond the \
             values the model was trained on, so check it"
        );
    }

    #[test]
    fn bad_tables_say_what_is_wrong() {
        let err = |body: &[u8]| read_rows(&model(None), body).unwrap_err().message;
        assert!(
            err(b"x,y\n1,2\n3\n").contains("the upload"),
            "{}",
            err(b"x,y\n1,2\n3\n")
        );
        assert!(
            err(b"x,y\n1,abc\n").contains("`abc` is not a number"),
            "{}",
            err(b"x,y\n1,abc\n")
        );
        assert!(err(b"x,y,z\n1,2,3\n").contains("the table has 3 columns (x, y, z)"));
        assert!(err(b"").contains("empty"), "{}", err(b""));
        assert!(err(b"x,y\n").contains("no data rows"), "{}", err(b"x,y\n"));
        assert!(err(b"\x89PNG\r\n\x1a\n").contains("this is a picture"));
    }
}
