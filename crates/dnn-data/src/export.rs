//! Takes a trained model elsewhere: [`export`] writes it as ONNX (for onnxruntime, from
//! Python, C#, JavaScript, C++ or a phone) or as safetensors (for PyTorch, candle, burn).
//!
//! Both formats carry the same [`metadata`]: the layer sizes, the activations, the class
//! names and what the inputs are, from the model's [`DataSpec`](crate::dataset::DataSpec). The ONNX graph takes the raw
//! inputs (pixel values 0–255, a table's columns as they are) and does the model's
//! [`Preprocessing`] itself; a safetensors file holds the parameters (and a standardisation's
//! `mean` and `std`), and its metadata says which preprocessing to apply.
//!
//! ```no_run
//! use dnn_data::export::{export, Format};
//! use dnn_data::model::load_model;
//!
//! # fn main() -> dnn_data::Result<()> {
//! let model = load_model("model.h5")?;
//! export("model.onnx", &model, Format::Onnx)?;
//! export("model.safetensors", &model, Format::Safetensors)?;
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use dnn_core::{Float, Network};

use crate::atomic::write_atomically;
use crate::dataset::Input;
use crate::error::{DataError, Result};
use crate::model::{AnyNetwork, Model, TrainingSetup, FORMAT, FORMAT_VERSION};
use crate::standardize::Standardization;

/// A format a model can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// An ONNX graph (opset 7): input `x` `[N, n0]`, output `probabilities` `[N, n[L]]`.
    Onnx,
    /// A safetensors file: `W1..WL`, `b1..bL` (and `mean`, `std`) and the [`metadata`].
    Safetensors,
}

impl Format {
    /// `"ONNX"` or `"safetensors"`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Onnx => "ONNX",
            Format::Safetensors => "safetensors",
        }
    }
}

/// Writes `model` to `path` in `format`, atomically (through [`write_atomically`]): the
/// whole file is built in memory first, so a failure never leaves part of one.
pub fn export(path: impl AsRef<Path>, model: &Model, format: Format) -> Result<()> {
    let bytes = to_bytes(model, format)?;
    write_atomically(path.as_ref(), &bytes)
}

/// The bytes of `model` exported in `format`.
///
/// # Errors
/// [`DataError::Export`] when the model's [`DataSpec`](crate::dataset::DataSpec) does not fit its network (a model
/// read from a file always fits: the loader checks it).
pub fn to_bytes(model: &Model, format: Format) -> Result<Vec<u8>> {
    if let Some(spec) = &model.spec {
        let sizes = model.network.layer_sizes();
        crate::model::check_spec(
            spec,
            sizes[0],
            sizes[sizes.len() - 1],
            model.network.output_activation(),
        )
        .map_err(|problem| DataError::Export {
            format: format.name(),
            problem,
        })?;
    }
    match format {
        Format::Onnx => Ok(crate::onnx::to_onnx(model)),
        Format::Safetensors => crate::safetensors::to_safetensors(model),
    }
}

/// What happens to the raw inputs before the first layer, as the model's [`DataSpec`](crate::dataset::DataSpec) says:
/// pictures are divided by 255, then a recorded standardisation maps `x` to
/// `(x - mean) / std`. A model without a spec takes its inputs as they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preprocessing<'a> {
    /// Pixel values 0–255 are divided by 255 (picture inputs).
    pub divide_by_255: bool,
    /// Then `(x - mean) / std`, when the model was trained on standardised inputs.
    pub standardization: Option<&'a Standardization>,
}

impl<'a> Preprocessing<'a> {
    /// The preprocessing of `model`.
    pub fn of(model: &'a Model) -> Self {
        match &model.spec {
            Some(spec) => Preprocessing {
                divide_by_255: matches!(spec.input, Input::Picture { .. }),
                standardization: spec.standardization.as_ref(),
            },
            None => Preprocessing {
                divide_by_255: false,
                standardization: None,
            },
        }
    }

    /// `x / 255`, `(x - mean) / std`, `x / 255, then (x - mean) / std` or `none`.
    pub fn formula(&self) -> &'static str {
        match (self.divide_by_255, self.standardization.is_some()) {
            (true, false) => "x / 255",
            (false, true) => "(x - mean) / std",
            (true, true) => "x / 255, then (x - mean) / std",
            (false, false) => "none",
        }
    }
}

/// The name of each class, by label: the model's [`DataSpec::classes`](crate::DataSpec::classes), or the labels'
/// numbers (`"0"`, `"1"`, ...) when the file does not name them. For one sigmoid output,
/// label 0 is `p <= 0.5` and label 1 is `p > 0.5`. None for a regression (an identity
/// output).
pub fn class_names(model: &Model) -> Vec<String> {
    match &model.spec {
        Some(spec) => spec.classes.clone(),
        None if !model.network.output_activation().classifies() => Vec::new(),
        None => {
            let outputs = model.network.output_size();
            (0..outputs.max(2)).map(|k| k.to_string()).collect()
        }
    }
}

/// The metadata both formats carry, as text (safetensors' metadata and ONNX's
/// `metadata_props` are string maps): `format`, `format_version`, `dtype`, and as JSON
/// `layer_sizes`, `activations`, `classes` and `input` (what the inputs are and their
/// preprocessing: with a z-score its `preprocessing_dtype`, float64; for pictures
/// [`PICTURE_RESIZE`] and, grey, [`PICTURE_GREY`]), for a regression `regression` (`mean`,
/// `std`, [`REGRESSION_VALUE`]), then the training set-up's attributes where known (`arch`,
/// `seed`, `learning_rate`, ...), each as its text.
///
/// ```
/// use dnn_core::{Network, NumpyRng};
/// use dnn_data::dataset::DataSpec;
/// use dnn_data::model::{AnyNetwork, Model, TrainingSetup};
///
/// let net = Network::<f64>::builder(&[12288, 3, 1]).build(&mut NumpyRng::new(1))?;
/// let model = Model { network: AnyNetwork::F64(net), setup: TrainingSetup::default(), spec: Some(DataSpec::cat()) };
/// let meta = dnn_data::export::metadata(&model);
/// assert_eq!(meta["layer_sizes"], "[12288,3,1]");
/// assert_eq!(meta["activations"], r#"["relu","sigmoid"]"#);
/// assert_eq!(meta["classes"], r#"["non-cat","cat"]"#);
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
pub fn metadata(model: &Model) -> BTreeMap<String, String> {
    let network = &model.network;
    let json = |v: serde_json::Value| v.to_string();
    let mut out = BTreeMap::new();
    let mut put = |key: &str, value: String| {
        out.insert(key.to_owned(), value);
    };
    put("format", FORMAT.to_owned());
    put("format_version", FORMAT_VERSION.to_string());
    put("dtype", network.dtype().to_owned());
    put("layer_sizes", json(network.layer_sizes().into()));
    put("activations", json(activation_names(network).into()));
    put("classes", json(class_names(model).into()));
    put("input", json(input_json(model)));
    if let Some(scale) = model.spec.as_ref().and_then(|s| s.regression) {
        put(
            "regression",
            json(serde_json::json!({
                "mean": scale.mean,
                "std": scale.std,
                "value": REGRESSION_VALUE,
            })),
        );
    }
    for (key, value) in setup_fields(&model.setup) {
        put(key, value);
    }
    out
}

/// The `regression` metadata's `value`: how the network's output becomes the predicted
/// value. In float64 whatever the model's dtype: a target whose mean is large against its
/// spread (1e9 ± 0.5) keeps none of its spread in float32 (PyTorch's `output * std + mean`,
/// with Python floats, stays float32).
pub const REGRESSION_VALUE: &str =
    "float64(output) * std + mean, in float64 even for an f32 model (float32 would lose a large mean's digits)";

/// The `input` metadata's `resize` of a picture model: how `dnn predict` and `dnn train`
/// bring a picture file to the model's size ([`crate::image`]: the image crate's
/// `resize_exact` with `FilterType::Triangle`, after the EXIF orientation).
pub const PICTURE_RESIZE: &str = "exactly to width x height, no crop, the aspect ratio not \
     kept; triangle (bilinear) filter; after turning the picture by its EXIF orientation; \
     an alpha channel dropped, not blended";

/// The `input` metadata's `grey` of a one-channel picture model: how an RGB picture becomes
/// grey (the image crate's `into_luma8`, after the resize: BT.709's weights, in integers,
/// rounded down). A grey picture's value is taken as it is.
pub const PICTURE_GREY: &str = "(2126 R + 7152 G + 722 B) / 10000 on the 8-bit values, \
     rounded down (BT.709 weights), after the resize";

/// The `input` metadata's `preprocessing_dtype` of a model that standardises: dnn computes
/// the z-score in float64 (`mean` and `std` are float64) and rounds the result once to the
/// model's dtype.
fn preprocessing_dtype(network: &AnyNetwork) -> &'static str {
    match network {
        AnyNetwork::F32(_) => "float64, then rounded once to float32 (the model's dtype)",
        AnyNetwork::F64(_) => "float64",
    }
}

/// The `input` metadata: the input's kind and shape or columns, and its preprocessing.
fn input_json(model: &Model) -> serde_json::Value {
    use serde_json::json;
    let features = model.network.layer_sizes()[0];
    let preprocessing = Preprocessing::of(model);
    let mut out = input_kind_json(model, features, preprocessing.formula());
    if preprocessing.standardization.is_some() {
        out["preprocessing_dtype"] = json!(preprocessing_dtype(&model.network));
    }
    out
}

/// The `input` metadata but for the standardisation's dtype.
fn input_kind_json(model: &Model, features: usize, preprocessing: &str) -> serde_json::Value {
    use serde_json::json;
    match model.spec.as_ref().map(|s| &s.input) {
        Some(Input::Picture {
            height,
            width,
            channels,
        }) => {
            let mut picture = json!({
                "kind": "picture",
                "height": height,
                "width": width,
                "channels": channels,
                "features": features,
                "order": "(row * width + column) * channels + channel",
                "values": "0-255",
                "preprocessing": preprocessing,
                "resize": PICTURE_RESIZE,
            });
            if *channels == 1 {
                picture["grey"] = json!(PICTURE_GREY);
            }
            picture
        }
        Some(
            input @ Input::Table {
                columns,
                target,
                one_hot,
                filled,
                dates,
            },
        ) => {
            let mut table = json!({
                "kind": "table",
                "columns": columns,
                "target": target,
                "features": features,
                "preprocessing": preprocessing,
            });
            // Only when there is something to do before the network, so that the metadata of
            // a table of numbers stays as it was.
            if !one_hot.is_empty() {
                table["one_hot"] = json!(one_hot);
            }
            if !dates.is_empty() {
                table["dates"] = json!(dates);
                table["date_cells"] = json!(DATE_CELLS);
            }
            // Every table's, so that a reader need not tell an all-number table's (its
            // columns) from one with text or dates.
            table["inputs"] = json!(input.input_names());
            if !filled.is_empty() {
                table["filled"] = json!(filled);
            }
            if !one_hot.is_empty() || !filled.is_empty() || !dates.is_empty() {
                table["cells"] = json!(
                    "trimmed of spaces; empty or one of missing_cells: no value (a text \
                     column's inputs all 0, a number column's fill value); in a number column \
                     or a column of dates, one of missing_dashes too, and in a column of \
                     dates NaT in any case; other text compared exactly"
                );
                table["missing_cells"] = json!(crate::categories::MISSING_CELLS);
                table["missing_dashes"] = json!(crate::categories::DASHES);
            }
            table
        }
        None => json!({
            "kind": "features",
            "features": features,
            "preprocessing": preprocessing,
        }),
    }
}

/// How a column of dates' cell becomes its inputs, in the metadata's `date_cells`.
const DATE_CELLS: &str = "a date, year first (2012-01-31, 2012/1/31, 2012-01) or in the \
     column's order (dmy: 31/01/2012, mdy: 01/31/2012), or with a month's name (Jan 31, 2012), \
     with a time after T or a space (its zone not applied); each part of it is an input: year, \
     month (1-12), day (1-31), weekday (0 Monday to 6 Sunday), day_of_year (1-366), hour \
     (minutes and seconds as its fraction); a missing date takes the fill value, an instant \
     in days since 1970-01-01 with the time of day as their fraction";

/// The training set-up as `(attribute, text)` pairs, named as in the HDF5 model file.
pub(crate) fn setup_fields(setup: &TrainingSetup) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (key, value) in setup.texts() {
        if let Some(v) = value {
            out.push((key, v.clone()));
        }
    }
    for (key, value) in setup.counts() {
        if let Some(v) = value {
            out.push((key, v.to_string()));
        }
    }
    for (key, value) in setup.reals() {
        if let Some(v) = value {
            // Rust prints the shortest text that parses back to the same f64.
            out.push((key, v.to_string()));
        }
    }
    if let Some(weights) = &setup.class_weights {
        // A JSON array, as `classes` beside it: each weight's shortest text that reads back.
        let each: Vec<String> = weights.iter().map(f64::to_string).collect();
        out.push(("class_weights", format!("[{}]", each.join(","))));
    }
    out
}

/// `["relu", "relu", "sigmoid"]`: each layer's activation.
pub(crate) fn activation_names(network: &AnyNetwork) -> Vec<&'static str> {
    fn of<F: Float>(n: &Network<F>) -> Vec<&'static str> {
        n.layers().iter().map(|l| l.activation().name()).collect()
    }
    match network {
        AnyNetwork::F32(n) => of(n),
        AnyNetwork::F64(n) => of(n),
    }
}

/// An element type both formats store: how it is named in each, and its little-endian bytes
/// (both formats are little-endian whatever the machine).
pub(crate) trait Element: Float {
    /// ONNX's `TensorProto.DataType`.
    const ONNX: i32;
    /// safetensors' dtype.
    const SAFETENSORS: ::safetensors::Dtype;
    /// The values' bytes, little-endian, in order.
    fn to_le_vec(values: impl IntoIterator<Item = Self>) -> Vec<u8>;
    /// The values of little-endian bytes (whose length is a multiple of the size).
    fn from_le_vec(bytes: &[u8]) -> Vec<Self>;
}

impl Element for f32 {
    const ONNX: i32 = 1;
    const SAFETENSORS: ::safetensors::Dtype = ::safetensors::Dtype::F32;
    fn to_le_vec(values: impl IntoIterator<Item = Self>) -> Vec<u8> {
        values.into_iter().flat_map(f32::to_le_bytes).collect()
    }
    fn from_le_vec(bytes: &[u8]) -> Vec<Self> {
        bytes
            .chunks_exact(4)
            .map(|c| {
                let mut b = [0; 4];
                b.copy_from_slice(c);
                f32::from_le_bytes(b)
            })
            .collect()
    }
}

impl Element for f64 {
    const ONNX: i32 = 11;
    const SAFETENSORS: ::safetensors::Dtype = ::safetensors::Dtype::F64;
    fn to_le_vec(values: impl IntoIterator<Item = Self>) -> Vec<u8> {
        values.into_iter().flat_map(f64::to_le_bytes).collect()
    }
    fn from_le_vec(bytes: &[u8]) -> Vec<Self> {
        bytes
            .chunks_exact(8)
            .map(|c| {
                let mut b = [0; 8];
                b.copy_from_slice(c);
                f64::from_le_bytes(b)
            })
            .collect()
    }
}
