//! The Inspect view: a model's layer sizes, activations and training set-up as its file
//! records them, and for picture models each first-layer unit's weights drawn as a
//! picture. Also the trained model's download.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use ndarray::{Array3, ArrayView1};
use serde::Serialize;

use super::datasets::InputKind;
use super::error::ApiError;
use super::models::{ModelSummary, Slot};
use super::predict::{png_data_url, Which};
use super::state::AppState;

/// The most first-layer units drawn.
pub const MAX_UNITS: usize = 64;

/// `GET /api/models`: which models there are.
#[derive(Debug, Serialize)]
pub struct Models {
    file: Option<ModelSummary>,
    trained: Option<ModelSummary>,
}

/// `GET /api/models`.
pub async fn list(State(state): State<Arc<AppState>>) -> Json<Models> {
    Json(Models {
        file: state.model(Slot::File).ok().map(|m| m.summary()),
        trained: state.model(Slot::Trained).ok().map(|m| m.summary()),
    })
}

/// A model with its first layer drawn.
#[derive(Debug, Serialize)]
pub struct Inspection {
    #[serde(flatten)]
    summary: ModelSummary,
    /// For picture models: each first-layer unit's weights as a PNG data URL (up to
    /// [`MAX_UNITS`]), each stretched from its smallest weight (black) to its largest (white).
    units: Vec<String>,
    /// How many units the first layer has.
    first_layer_units: usize,
}

/// `GET /api/models/{file|trained}` (`?run=N`: only the model run N trained).
pub async fn detail(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    which: Result<Query<Which>, QueryRejection>,
) -> Result<Json<Inspection>, ApiError> {
    let model = Which::model(which, Some(&name), &state)?;
    let w = model.first_weights();
    let units = match model.input {
        InputKind::Picture {
            height,
            width,
            channels,
        } => w
            .rows()
            .into_iter()
            .take(MAX_UNITS)
            .map(|row| png_data_url(&unit_picture(row, height, width, channels)))
            .collect::<Result<Vec<_>, _>>()?,
        _ => Vec::new(),
    };
    Ok(Json(Inspection {
        summary: model.summary(),
        units,
        first_layer_units: w.nrows(),
    }))
}

/// One unit's weights `(height * width * channels)` as a picture, in the inputs' pixel
/// order, stretched so its smallest weight is 0 and its largest 255. The weights of an
/// alpha channel are left out (RGBA inputs give an RGB picture): drawn as transparency,
/// they washed the colours out.
pub fn unit_picture(
    weights: ArrayView1<'_, f64>,
    height: usize,
    width: usize,
    channels: usize,
) -> Array3<u8> {
    let drawn = if channels == 4 { 3 } else { channels };
    let (lo, hi) = weights
        .iter()
        .enumerate()
        .filter(|(i, _)| i % channels < drawn)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, &v)| {
            (lo.min(v), hi.max(v))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    Array3::from_shape_fn((height, width, drawn), |(r, c, ch)| {
        let v = weights[(r * width + c) * channels + ch];
        ((v - lo) / span * 255.0).round().clamp(0.0, 255.0) as u8
    })
}

/// `GET /api/models/trained/model.h5`: the trained model's file, as `dnn train --save`
/// writes it (`?run=N`: only the model run N trained, 410 once another replaced it).
pub async fn download(
    State(state): State<Arc<AppState>>,
    which: Result<Query<Which>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let model = Which::model(which, Some("trained"), &state)?;
    let bytes = tokio::task::spawn_blocking(move || model.file_bytes())
        .await
        .map_err(|e| ApiError::internal(&anyhow::anyhow!("{e}")))?
        .map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-hdf5"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"model.h5\"",
            ),
        ],
        bytes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_is_drawn_in_pixel_order_from_black_to_white() {
        // 2x2 picture: pixel (r, c) channel ch holds weight (r * 2 + c) * 3 + ch.
        let w = ndarray::Array1::from_shape_fn(12, |i| i as f64 * 0.5 - 1.0);
        let p = unit_picture(w.view(), 2, 2, 3);
        assert_eq!(p[[0, 0, 0]], 0);
        assert_eq!(p[[1, 1, 2]], 255);
        assert_eq!(p[[0, 1, 0]], (3.0f64 / 11.0 * 255.0).round() as u8);
    }

    #[test]
    fn an_rgba_unit_is_drawn_as_rgb_stretched_over_its_colour_weights() {
        // One pixel: red, green and blue weights 0, 1, 2; the alpha weight 100 is left out.
        let w = ndarray::array![0.0, 1.0, 2.0, 100.0];
        let p = unit_picture(w.view(), 1, 1, 4);
        assert_eq!(p.dim(), (1, 1, 3));
        assert_eq!(p.into_raw_vec_and_offset().0, [0, 128, 255]);
    }
}
