//! The Predict view: a picture (for picture models) or a CSV table (for the others) in the
//! request's body, the model's verdict back. Uploads are limited to [`UPLOAD_LIMIT`]; a
//! body that is not what the model takes is a 400 with one line.

use std::io::Cursor;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use base64::Engine;
use dnn_core::classes_of;
use dnn_data::image::{picture_to_column, read_picture_bytes, ImageLimits};
use image::codecs::png::PngEncoder;
use image::{ColorType, ImageEncoder};
use ndarray::{Array2, Array3};
use serde::{Deserialize, Serialize};

use super::datasets::InputKind;
use super::error::ApiError;
use super::models::ModelEntry;
use super::state::AppState;

/// The largest upload accepted: 20 MiB.
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;
/// The most rows of a CSV table predicted at once.
pub const MAX_ROWS: usize = 100_000;
/// How an upload is named in messages.
const UPLOAD: &str = "the upload";

/// `?model=file|trained` (default: the trained model if any, else the file).
#[derive(Debug, Deserialize)]
pub struct Which {
    model: Option<String>,
}

/// The verdict on one picture or one row.
#[derive(Debug, Serialize)]
pub struct Verdict {
    /// The row of the table (from 1, headers not counted); absent for a picture.
    #[serde(skip_serializing_if = "Option::is_none")]
    row: Option<usize>,
    /// The predicted class's name.
    class: String,
    /// Its probability.
    probability: f64,
    /// Every class's probability, in class order.
    probabilities: Vec<f64>,
    /// For a picture: the picture the network saw (resized), as a PNG data URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    seen: Option<String>,
}

/// The answer to `POST /api/predict`.
#[derive(Debug, Serialize)]
pub struct Prediction {
    model: String,
    classes: Vec<String>,
    results: Vec<Verdict>,
}

/// `POST /api/predict?model=...`: the body is a JPEG/PNG picture for a picture model, a
/// CSV table (one example per row, an optional header) for the others.
pub async fn predict(
    State(state): State<Arc<AppState>>,
    Query(which): Query<Which>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Prediction>, ApiError> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the upload is larger than {} MiB; send a smaller file",
                UPLOAD_LIMIT >> 20
            ),
        ),
        status => ApiError::new(status, e.body_text()),
    })?;
    let model = state.model_named(which.model.as_deref())?;
    let model_for_job = model.clone();
    let results = tokio::task::spawn_blocking(move || verdicts(&model_for_job, &body))
        .await
        .map_err(|e| ApiError::internal(&anyhow::anyhow!("the prediction failed: {e}")))??;
    Ok(Json(Prediction {
        model: model.name.clone(),
        classes: model.classes.clone(),
        results,
    }))
}

/// The verdicts of `model` on `body` (decoding and the forward pass: CPU work, so off the
/// async runtime).
fn verdicts(model: &ModelEntry, body: &[u8]) -> Result<Vec<Verdict>, ApiError> {
    match model.input {
        InputKind::Picture { height, width } => {
            if height != width {
                return Err(ApiError::bad_request(format!(
                    "{} takes {width}×{height} pictures; only square pictures can be predicted here",
                    model.name
                )));
            }
            let pixels = read_picture_bytes(body, UPLOAD, height as u32, &ImageLimits::DEFAULT)
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
            let x = picture_to_column::<f64>(pixels.view());
            let mut verdict = verdicts_of(model, &x, false)?.remove(0);
            verdict.seen = Some(png_data_url(&pixels)?);
            Ok(vec![verdict])
        }
        InputKind::Points | InputKind::Table { .. } => {
            let x = read_table(body, model.input.features())?;
            verdicts_of(model, &x, true)
        }
    }
}

/// One verdict per column of `x`; `numbered`: give each its table row.
fn verdicts_of(
    model: &ModelEntry,
    x: &Array2<f64>,
    numbered: bool,
) -> Result<Vec<Verdict>, ApiError> {
    let proba = model
        .network
        .predict_proba(x)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let classes = classes_of(proba.view());
    Ok(proba
        .columns()
        .into_iter()
        .zip(classes)
        .enumerate()
        .map(|(j, (p, c))| {
            let probabilities: Vec<f64> = if p.len() == 1 {
                vec![1.0 - p[0], p[0]]
            } else {
                p.to_vec()
            };
            Verdict {
                row: numbered.then_some(j + 1),
                class: model
                    .classes
                    .get(c)
                    .cloned()
                    .unwrap_or_else(|| format!("class {c}")),
                probability: probabilities[c],
                probabilities,
                seen: None,
            }
        })
        .collect())
}

/// A CSV table of `features` numbers per row as `(features, rows)` columns. The first row
/// is a header when it is not all numbers.
pub fn read_table(body: &[u8], features: usize) -> Result<Array2<f64>, ApiError> {
    let bad = |m: String| ApiError::bad_request(format!("{UPLOAD}: {m}"));
    if ::image::guess_format(body).is_ok() {
        return Err(bad(format!(
            "this is a picture, but the model takes rows of {features} numbers: send a CSV table"
        )));
    }
    if std::str::from_utf8(body).is_err() {
        return Err(bad(format!(
            "not a CSV table: it is not UTF-8 text (first bytes {:02x?})",
            &body[..body.len().min(8)]
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(Cursor::new(body));
    let mut values = Vec::new();
    let mut rows = 0;
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(format!("not a CSV table: {e}")))?;
        let numbers: Vec<Result<f64, _>> = record.iter().map(str::parse::<f64>).collect();
        if i == 0 && numbers.iter().any(Result::is_err) {
            continue; // a header
        }
        let line = i + 1;
        if numbers.len() != features {
            return Err(bad(format!(
                "line {line} has {} values but the model takes {features} per row",
                numbers.len()
            )));
        }
        for (k, (n, text)) in numbers.into_iter().zip(record.iter()).enumerate() {
            match n {
                Ok(v) if v.is_finite() => values.push(v),
                _ => {
                    return Err(bad(format!(
                        "line {line}, column {}: `{text}` is not a finite number",
                        k + 1
                    )))
                }
            }
        }
        rows += 1;
        if rows > MAX_ROWS {
            return Err(bad(format!(
                "more than {MAX_ROWS} rows; send at most {MAX_ROWS} at once"
            )));
        }
    }
    if rows == 0 {
        return Err(bad("no rows of numbers".to_owned()));
    }
    Ok(Array2::from_shape_vec((rows, features), values)
        .expect("rows × features values")
        .reversed_axes()
        .as_standard_layout()
        .into_owned())
}

/// A `(h, w, 3)` picture as a `data:image/png;base64,...` URL.
pub fn png_data_url(pixels: &Array3<u8>) -> Result<String, ApiError> {
    let (h, w, _) = pixels.dim();
    let raw: Vec<u8> = pixels.iter().copied().collect();
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(&raw, w as u32, h as u32, ColorType::Rgb8)
        .map_err(|e| ApiError::internal(&anyhow::anyhow!("cannot encode a PNG: {e}")))?;
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse_with_or_without_a_header() {
        let x = read_table(b"x1,x2\n1,2\n3.5, -4\n", 2).unwrap();
        assert_eq!(x, ndarray::array![[1.0, 3.5], [2.0, -4.0]]);
        let x = read_table(b"1,2\n", 2).unwrap();
        assert_eq!(x.dim(), (2, 1));
    }

    #[test]
    fn bad_tables_say_where() {
        let err = |body: &[u8]| read_table(body, 2).unwrap_err().message;
        assert!(
            err(b"1,2\n3\n").contains("line 2 has 1 values"),
            "{}",
            err(b"1,2\n3\n")
        );
        assert!(err(b"1,2\n3,x\n").contains("line 2, column 2: `x`"));
        assert!(err(b"1,2\nnan,1\n").contains("not a finite number"));
        assert!(err(b"").contains("no rows"));
        assert!(err(b"a,b\n").contains("no rows"));
        assert!(err(b"\x89PNG\r\n\x1a\n").contains("this is a picture"));
        assert!(err(b"1,2\n\xff\xfe,1\n").contains("not a CSV table: it is not UTF-8 text"));
    }
}
