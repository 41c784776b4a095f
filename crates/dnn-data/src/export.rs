//! Takes a trained model elsewhere: [`export`] writes it as ONNX (for onnxruntime, from
//! Python, C#, JavaScript, C++ or a phone) or as safetensors (for PyTorch, candle, burn).
//!
//! Both formats carry the same [`Description`] as metadata: the layer sizes, the
//! activations, the class names and what the inputs are ([`Input`]). The ONNX graph takes the
//! raw inputs (pixel values 0–255) and does the model's preprocessing itself; a safetensors
//! file holds only the parameters, and its metadata says which preprocessing to apply.
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

use dnn_core::{Activation, Float, Network};

use crate::atomic::write_atomically;
use crate::error::{DataError, Result};
use crate::model::{AnyNetwork, Model, TrainingSetup, FORMAT, FORMAT_VERSION};

/// A format a model can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// An ONNX graph (opset 7): input `x` `[N, n0]`, output `probabilities` `[N, n[L]]`.
    Onnx,
    /// A safetensors file: `W1..WL`, `b1..bL` and the [`Description`] as metadata.
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
    let bytes = to_bytes(model, &Description::of(model), format)?;
    write_atomically(path.as_ref(), &bytes)
}

/// The bytes of `model` exported in `format` with `description`.
pub fn to_bytes(model: &Model, description: &Description, format: Format) -> Result<Vec<u8>> {
    description.check(&model.network, format)?;
    match format {
        Format::Onnx => Ok(crate::onnx::to_onnx(model, description)),
        Format::Safetensors => crate::safetensors::to_safetensors(model, description),
    }
}

/// The class names of the cat data set (its `list_classes`), by label.
pub const CAT_CLASSES: [&str; 2] = ["non-cat", "cat"];

/// What a user of an exported model needs besides its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    /// The name of each class, by label: for one sigmoid output, label 0 (`p <= 0.5`) and
    /// label 1 (`p > 0.5`); for a softmax output, one per output row.
    pub classes: Vec<String>,
    /// What the network's inputs are and how they are prepared.
    pub input: Input,
}

/// What a network's `n0` inputs are, and the preprocessing between them and the first layer.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Pictures: 8-bit values (0–255), flattened in numpy's order (the feature index is
    /// `(row * width + column) * channels + channel`), divided by 255 before the first layer.
    /// `shape` is `[height, width, channels]` where known.
    Pixels {
        /// `[height, width, channels]`, when the model records it.
        shape: Option<[usize; 3]>,
    },
    /// Table columns, standardised before the first layer: `(x - mean) / std`.
    Table {
        /// The column names, in input order.
        columns: Vec<String>,
        /// Each column's training mean.
        mean: Vec<f64>,
        /// Each column's training standard deviation.
        std: Vec<f64>,
    },
    /// Features given to the first layer as they are.
    Features,
}

impl Description {
    /// The description of a model read from a file.
    ///
    /// Today's model files (format version 1) record neither classes nor inputs, and every
    /// model `dnn train` writes was trained on the cat HDF5 files: 8-bit pictures divided by
    /// 255 (the 64x64x3 cat set gives 12288 inputs), classes `non-cat` and `cat`. So a model
    /// is described as such: pictures, 64x64x3 when it has 12288 inputs, with the cat classes
    /// for one sigmoid output and the labels' numbers (`"0"`, `"1"`, ...) otherwise.
    pub fn of(model: &Model) -> Description {
        let sizes = model.network.layer_sizes();
        let (n0, outputs) = (sizes[0], sizes[sizes.len() - 1]);
        let softmax = output_activation(&model.network) == Activation::Softmax;
        let classes = if !softmax && outputs == 1 {
            CAT_CLASSES.iter().map(|c| c.to_string()).collect()
        } else {
            (0..outputs).map(|k| k.to_string()).collect()
        };
        let picture = crate::image::PICTURE_SIZE as usize;
        let shape = (n0 == picture * picture * 3).then_some([picture, picture, 3]);
        Description {
            classes,
            input: Input::Pixels { shape },
        }
    }

    /// Checks that the description fits `network`: one class name per label, and for a
    /// table one column name, mean and (positive, finite) standard deviation per input.
    fn check(&self, network: &AnyNetwork, format: Format) -> Result<()> {
        let sizes = network.layer_sizes();
        let (n0, outputs) = (sizes[0], sizes[sizes.len() - 1]);
        let fail = |problem: String| {
            Err(DataError::Export {
                format: format.name(),
                problem,
            })
        };
        let labels = if outputs == 1 { 2 } else { outputs };
        if self.classes.len() != labels {
            return fail(format!(
                "{} class names ({:?}) for a network with {outputs} outputs ({labels} classes)",
                self.classes.len(),
                self.classes
            ));
        }
        if let Input::Table { columns, mean, std } = &self.input {
            if columns.len() != n0 || mean.len() != n0 || std.len() != n0 {
                return fail(format!(
                    "the table has {} column names, {} means and {} standard deviations for {n0} inputs",
                    columns.len(),
                    mean.len(),
                    std.len()
                ));
            }
            if let Some((j, s)) = std
                .iter()
                .enumerate()
                .find(|(_, s)| !(s.is_finite() && **s > 0.0))
            {
                return fail(format!("the standard deviation of column {} ({}) is {s}: it must be finite and above 0", j, columns[j]));
            }
            if let Some((j, m)) = mean.iter().enumerate().find(|(_, m)| !m.is_finite()) {
                return fail(format!("the mean of column {} ({}) is {m}", j, columns[j]));
            }
        }
        Ok(())
    }

    /// The metadata both formats carry, as text (safetensors' metadata and ONNX's
    /// `metadata_props` are string maps): `format`, `format_version`, `dtype`, and as JSON
    /// `layer_sizes`, `activations`, `classes`, `input`, then the training set-up's
    /// attributes where known (`arch`, `seed`, `learning_rate`, ...), each as its text.
    pub fn metadata(
        &self,
        network: &AnyNetwork,
        setup: &TrainingSetup,
    ) -> BTreeMap<String, String> {
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
        put("classes", json(self.classes.clone().into()));
        put("input", json(self.input.to_json(network.layer_sizes()[0])));
        for (key, value) in setup_fields(setup) {
            put(key, value);
        }
        out
    }
}

impl Input {
    fn to_json(&self, features: usize) -> serde_json::Value {
        use serde_json::json;
        match self {
            Input::Pixels { shape } => {
                let mut v = json!({
                    "kind": "pixels",
                    "features": features,
                    "order": "(row * width + column) * channels + channel",
                    "values": "0-255",
                    "preprocessing": "x / 255",
                });
                if let Some([h, w, c]) = shape {
                    v["height"] = json!(h);
                    v["width"] = json!(w);
                    v["channels"] = json!(c);
                }
                v
            }
            Input::Table { columns, .. } => json!({
                "kind": "table",
                "features": features,
                "columns": columns,
                "preprocessing": "(x - mean) / std",
            }),
            Input::Features => json!({
                "kind": "features",
                "features": features,
                "preprocessing": "none",
            }),
        }
    }
}

/// The training set-up as `(attribute, text)` pairs, named as in the HDF5 model file.
pub(crate) fn setup_fields(setup: &TrainingSetup) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (key, value) in [
        ("arch", &setup.arch),
        ("init", &setup.init),
        ("optimizer", &setup.optimizer),
    ] {
        if let Some(v) = value {
            out.push((key, v.clone()));
        }
    }
    for (key, value) in [
        ("seed", setup.seed),
        ("iterations", setup.iterations),
        ("iterations_run", setup.iterations_run),
        ("batch_size", setup.batch_size),
    ] {
        if let Some(v) = value {
            out.push((key, v.to_string()));
        }
    }
    for (key, value) in [
        ("learning_rate", setup.learning_rate),
        ("final_cost", setup.final_cost),
        ("l2", setup.l2),
        ("keep_prob", setup.keep_prob),
    ] {
        if let Some(v) = value {
            // Rust prints the shortest text that parses back to the same f64.
            out.push((key, v.to_string()));
        }
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

fn output_activation(network: &AnyNetwork) -> Activation {
    match network {
        AnyNetwork::F32(n) => n.output_activation(),
        AnyNetwork::F64(n) => n.output_activation(),
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
    fn le_bytes(values: impl IntoIterator<Item = Self>) -> Vec<u8>;
    /// The values of little-endian bytes (whose length is a multiple of the size).
    fn from_le_bytes(bytes: &[u8]) -> Vec<Self>;
}

impl Element for f32 {
    const ONNX: i32 = 1;
    const SAFETENSORS: ::safetensors::Dtype = ::safetensors::Dtype::F32;
    fn le_bytes(values: impl IntoIterator<Item = Self>) -> Vec<u8> {
        values.into_iter().flat_map(f32::to_le_bytes).collect()
    }
    fn from_le_bytes(bytes: &[u8]) -> Vec<Self> {
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
    fn le_bytes(values: impl IntoIterator<Item = Self>) -> Vec<u8> {
        values.into_iter().flat_map(f64::to_le_bytes).collect()
    }
    fn from_le_bytes(bytes: &[u8]) -> Vec<Self> {
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
