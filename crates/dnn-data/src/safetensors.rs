//! Models as safetensors files, written with Hugging Face's `safetensors` crate and read back
//! by [`crate::model::load_model`] (so `dnn evaluate` and `dnn predict` take them too).
//!
//! Layout:
//! * tensors `W1..WL` (`[n[l], n[l-1]]`) and `b1..bL` (`[n[l], 1]`), in the model's dtype
//!   (`F32` or `F64`), byte for byte the values of the HDF5 model file; a model trained on
//!   standardised inputs adds `mean` and `std` (`[n0]`, `F64` as in the HDF5 file: the
//!   network sees `(x - mean) / std`, after the division by 255 of pictures);
//! * metadata (text), [`crate::export::metadata`]: `format = "dnn-model"`,
//!   `format_version`, `dtype`, and as JSON `layer_sizes`, `activations`, `classes` and
//!   `input` (`{"kind": "picture", "height": 64, ...}`, `{"kind": "table", "columns": [...],
//!   "target": ...}`, with `"one_hot": [{"column": ..., "values": [...]}, ...]` and the
//!   `inputs`' names when it has text columns, `"dates": [{"column": ..., "order": "ymd",
//!   "parts": ["year", ...]}]`, `date_cells` and the `inputs`' names when it has columns of
//!   dates ([`crate::dates`]), `"filled": [{"column": ..., "value": ...}]`
//!   when it fills missing numbers, and then `cells` and `missing_cells` (how a raw cell is
//!   read); a picture's also says how a picture file becomes `x`: `resize`, and `grey` for
//!   one channel; or `{"kind": "features"}`), for a regression `regression` (`{"mean": ...,
//!   "std": ...}`: the predicted value is the output times `std` plus `mean`, computed in
//!   float64 even for an f32 model; `classes` is then `[]`), then the training set-up
//!   (`arch`, `seed`, `learning_rate`, ...) where known.
//!
//! `mean` and `std` are `F64` whatever the model's dtype, as dnn z-scores: in float64, the
//! result then rounded once to the model's dtype. A file whose `format_version` is newer than
//! [`crate::model::FORMAT_VERSION`] is refused (its tensors may mean something else); one
//! without it is read as this version.
//!
//! ```python
//! from safetensors.numpy import load_file
//! params = load_file("model.safetensors")   # {"W1": (20, 12288) array, "b1": (20, 1), ...}
//! ```

use std::collections::HashMap;
use std::path::Path;

use ::safetensors::tensor::TensorView;
use ::safetensors::{Dtype, SafeTensors};
use dnn_core::{Activation, Layer, Network};
use ndarray::Array2;

use crate::dataset::{DataSpec, Input, OneHot};
use crate::error::{DataError, Result};
use crate::export::{Element, Preprocessing};
use crate::missing::Filled;
use crate::model::{AnyNetwork, Model, TrainingSetup, FORMAT};
use crate::standardize::Standardization;
use crate::target::TargetScale;

/// The file extension `load_model` reads as safetensors whatever the content.
pub const EXTENSION: &str = "safetensors";

/// The bytes of the safetensors file of `model`.
pub fn to_safetensors(model: &Model) -> Result<Vec<u8>> {
    let metadata: HashMap<String, String> = crate::export::metadata(model).into_iter().collect();
    let mut tensors = match &model.network {
        AnyNetwork::F32(n) => layer_tensors(n),
        AnyNetwork::F64(n) => layer_tensors(n),
    };
    if let Some(z) = Preprocessing::of(model).standardization {
        for (name, v) in [("mean", &z.mean), ("std", &z.std)] {
            tensors.push((
                name.into(),
                Dtype::F64,
                vec![v.len()],
                f64::to_le_vec(v.iter().copied()),
            ));
        }
    }
    let fail = |e: ::safetensors::SafeTensorError| DataError::Export {
        format: "safetensors",
        problem: e.to_string(),
    };
    let views = tensors
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            Ok((
                name.clone(),
                TensorView::new(*dtype, shape.clone(), bytes).map_err(fail)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let bytes = ::safetensors::serialize(views, Some(metadata)).map_err(fail)?;
    Ok(sorted_header(bytes))
}

/// `bytes` of a safetensors file with its JSON header's keys in sorted order, so that one
/// model exports to the same bytes every time: the safetensors crate writes the metadata
/// from a `HashMap`, in an order that changes from run to run. The header keeps its length
/// (the same JSON, compact, reordered) and its padding; should it not, the bytes are
/// returned as they were.
fn sorted_header(bytes: Vec<u8>) -> Vec<u8> {
    let Some(len) = bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .and_then(|n| usize::try_from(n).ok())
    else {
        return bytes;
    };
    let Some(header) = bytes.get(8..8 + len) else {
        return bytes;
    };
    // serde_json's maps are sorted (no `preserve_order` in this build).
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(header) else {
        return bytes;
    };
    let Ok(mut sorted) = serde_json::to_vec(&value) else {
        return bytes;
    };
    if sorted.len() > len {
        return bytes;
    }
    sorted.resize(len, b' ');
    let mut out = bytes;
    out[8..8 + len].copy_from_slice(&sorted);
    out
}

/// `(name, dtype, shape, little-endian bytes)` of every `W[l]` and `b[l]`.
fn layer_tensors<F: Element>(network: &Network<F>) -> Vec<(String, Dtype, Vec<usize>, Vec<u8>)> {
    let mut out = Vec::new();
    for (i, layer) in network.layers().iter().enumerate() {
        let l = i + 1;
        for (name, m) in [
            (format!("W{l}"), layer.weights()),
            (format!("b{l}"), layer.bias()),
        ] {
            out.push((
                name,
                F::SAFETENSORS,
                m.shape().to_vec(),
                F::to_le_vec(m.as_standard_layout().iter().copied()),
            ));
        }
    }
    out
}

/// The first 8 bytes of an HDF5 file (with no user block, as dnn writes them).
const HDF5_SIGNATURE: [u8; 8] = *b"\x89HDF\r\n\x1a\n";

/// Whether `path` is to be read as safetensors: its content starts as a safetensors file
/// does (an 8-byte little-endian header length, then `{`), which an HDF5 file never does, or
/// its name ends in `.safetensors` and its content is not HDF5's (`save_model` writes HDF5
/// under any name).
pub(crate) fn is_safetensors(path: &Path) -> bool {
    let mut head = [0u8; 9];
    let read = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok();
    if read && head[..8] == HDF5_SIGNATURE {
        return false;
    }
    let named = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(EXTENSION));
    named || read && head[8] == b'{'
}

/// Loads a safetensors model file, checking everything `load_model` checks of an HDF5 one:
/// `format = "dnn-model"` and a `format_version` (when there is one) no newer than this
/// dnn's, `W1..WL` and `b1..bL` with no gaps or extras, all `F32` or all `F64`, shapes that
/// chain, finite values, and metadata (`layer_sizes`, `activations`) that agrees with them.
pub(crate) fn load(path: &Path) -> Result<Model> {
    let bytes = read(path)?;
    let bad = |problem: String| DataError::BadModel {
        path: path.to_path_buf(),
        problem,
    };
    let st = SafeTensors::deserialize(&bytes).map_err(|e| {
        if crate::onnx::looks_like_onnx(&bytes) {
            return bad(
                "its bytes are an ONNX model's, not safetensors: dnn writes ONNX (`dnn export`) \
                 but does not read it; give the model as .h5 (from `dnn train`) or .safetensors \
                 (from `dnn export`)"
                    .into(),
            );
        }
        bad(format!(
            "not a readable safetensors file ({} bytes): {e}",
            bytes.len()
        ))
    })?;
    let (_, header) = SafeTensors::read_metadata(&bytes)
        .map_err(|e| bad(format!("not a readable safetensors file: {e}")))?;
    let mut names: Vec<String> = st.names().into_iter().map(str::to_owned).collect();
    names.sort();
    let big_l = crate::model::layer_count(path, &names)?;
    // Beyond the layers' W and b, only a standardisation's mean and std.
    if let Some(n) = names
        .iter()
        .find(|n| crate::model::layer_of(n).is_none() && *n != "mean" && *n != "std")
    {
        return Err(bad(format!(
            "it has a tensor {n}, which is not a dnn model's (W1..W{big_l}, b1..b{big_l}, mean, std)"
        )));
    }
    let missing = |key: &str| {
        bad(format!(
            "its metadata has no {key}: a dnn model's safetensors file records format, layer_sizes and activations (write it with `dnn export`)"
        ))
    };
    let metadata = header.metadata().clone().unwrap_or_default();
    let get = |key: &str| metadata.get(key).map(String::as_str);
    match get("format") {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(bad(format!(
                "its metadata says format {other:?}, not {FORMAT:?}"
            )))
        }
        None => return Err(missing("format")),
    }
    if let Some(text) = get("format_version") {
        let version = text.parse::<u32>().map_err(|_| {
            bad(format!(
                "its metadata format_version = {text:?} is not a whole number"
            ))
        })?;
        crate::model::check_format_version(version).map_err(&bad)?;
    }
    let sizes: Vec<usize> = parse_json(
        get("layer_sizes").ok_or_else(|| missing("layer_sizes"))?,
        "layer_sizes",
        &bad,
    )?;
    let activation_names: Vec<String> = parse_json(
        get("activations").ok_or_else(|| missing("activations"))?,
        "activations",
        &bad,
    )?;
    if activation_names.len() != big_l {
        return Err(bad(format!(
            "its activations metadata lists {} activations ({activation_names:?}) for {big_l} layers",
            activation_names.len()
        )));
    }
    let activations = activation_names
        .iter()
        .map(|n| {
            Activation::from_name(n).ok_or_else(|| {
                bad(format!(
                    "unknown activation {n:?} (expected {})",
                    Activation::name_list()
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let dtype = st.tensor("W1").map_err(|e| bad(e.to_string()))?.dtype();
    let network = match dtype {
        Dtype::F32 => AnyNetwork::F32(read_network::<f32>(&st, activations, &bad)?),
        Dtype::F64 => AnyNetwork::F64(read_network::<f64>(&st, activations, &bad)?),
        other => {
            return Err(bad(format!(
                "W1 has dtype {other:?}, but weights must be F32 or F64"
            )))
        }
    };
    if let Some(d) = get("dtype") {
        if d != network.dtype() {
            return Err(bad(format!(
                "its metadata says dtype {d} but the weights are {}",
                network.dtype()
            )));
        }
    }
    if sizes != network.layer_sizes() {
        return Err(bad(format!(
            "its layer_sizes metadata says {sizes:?} but the weights have sizes {:?}",
            network.layer_sizes()
        )));
    }
    let setup = read_setup(&metadata, &bad)?;
    setup.check().map_err(&bad)?;
    let output = (network.output_activation(), network.output_size());
    crate::model::check_class_weights(&setup, output).map_err(&bad)?;
    let spec = read_spec(&st, &metadata, &network, &bad)?;
    Ok(Model {
        network,
        setup,
        spec,
    })
}

/// The [`DataSpec`] the metadata (`classes`, `input`) and the `mean` and `std` tensors
/// record, checked against the network; `None` for inputs of kind `features` or a file
/// without `input`.
fn read_spec(
    st: &SafeTensors<'_>,
    metadata: &HashMap<String, String>,
    network: &AnyNetwork,
    bad: &impl Fn(String) -> DataError,
) -> Result<Option<DataSpec>> {
    let standardization = match (st.tensor("mean").ok(), st.tensor("std").ok()) {
        (None, None) => None,
        (Some(mean), Some(std)) => Some(Standardization {
            mean: read_vector(&mean, "mean", bad)?,
            std: read_vector(&std, "std", bad)?,
        }),
        _ => return Err(bad("it has one of mean and std but not the other".into())),
    };
    let Some(text) = metadata.get("input") else {
        return match standardization {
            None => Ok(None),
            Some(_) => Err(bad("it has mean and std but no input metadata".into())),
        };
    };
    #[derive(serde::Deserialize)]
    struct InputMeta {
        kind: String,
        height: Option<usize>,
        width: Option<usize>,
        channels: Option<usize>,
        columns: Option<Vec<String>>,
        target: Option<String>,
        #[serde(default)]
        one_hot: Vec<OneHot>,
        #[serde(default)]
        filled: Vec<Filled>,
        #[serde(default)]
        dates: Vec<crate::dates::DateColumn>,
    }
    let meta: InputMeta = parse_json(text, "input", bad)?;
    let input = match (meta.kind.as_str(), meta.height, meta.width, meta.channels, meta.columns) {
        ("picture", Some(height), Some(width), Some(channels), _) => Input::Picture {
            height,
            width,
            channels,
        },
        ("table", _, _, _, Some(columns)) => Input::Table {
            columns,
            target: meta.target.unwrap_or_default(),
            one_hot: meta.one_hot,
            filled: meta.filled,
            dates: meta.dates,
        },
        ("features", ..) if standardization.is_none() => return Ok(None),
        _ => {
            return Err(bad(format!(
                "its input metadata {text:?} is not a picture (height, width, channels), a table (columns) or features"
            )))
        }
    };
    let classes: Vec<String> = parse_json(
        metadata
            .get("classes")
            .ok_or_else(|| bad("it has input metadata but no classes".into()))?,
        "classes",
        bad,
    )?;
    let regression: Option<TargetScale> = metadata
        .get("regression")
        .map(|text| parse_json(text, "regression", bad))
        .transpose()?;
    let spec = DataSpec {
        ranges: None,
        classes,
        regression,
        input,
        standardization,
    };
    let sizes = network.layer_sizes();
    crate::model::check_spec(
        &spec,
        sizes[0],
        sizes[sizes.len() - 1],
        network.output_activation(),
    )
    .map_err(bad)?;
    Ok(Some(spec))
}

/// A 1-D `F64` tensor (`mean`, `std`).
fn read_vector(
    t: &TensorView<'_>,
    key: &str,
    bad: &impl Fn(String) -> DataError,
) -> Result<ndarray::Array1<f64>> {
    if t.dtype() != Dtype::F64 || t.shape().len() != 1 {
        return Err(bad(format!(
            "{key} is {:?} of shape {:?}; it must be a vector of F64",
            t.dtype(),
            t.shape()
        )));
    }
    Ok(ndarray::Array1::from(f64::from_le_vec(t.data())))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    crate::error::regular_file(path)?;
    std::fs::read(path).map_err(|e| DataError::Io {
        path: path.to_path_buf(),
        source: e,
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(
    text: &str,
    key: &str,
    bad: &impl Fn(String) -> DataError,
) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| bad(format!("its metadata {key} = {text:?} cannot be read: {e}")))
}

fn read_network<F: Element>(
    st: &SafeTensors<'_>,
    activations: Vec<Activation>,
    bad: &impl Fn(String) -> DataError,
) -> Result<Network<F>> {
    let mut layers = Vec::with_capacity(activations.len());
    for (i, activation) in activations.into_iter().enumerate() {
        let l = i + 1;
        let w = read_matrix::<F>(st, &format!("W{l}"), bad)?;
        let b = read_matrix::<F>(st, &format!("b{l}"), bad)?;
        layers.push(Layer::new(w, b, activation));
    }
    Network::from_layers(layers).map_err(|e| bad(e.to_string()))
}

fn read_matrix<F: Element>(
    st: &SafeTensors<'_>,
    key: &str,
    bad: &impl Fn(String) -> DataError,
) -> Result<Array2<F>> {
    let t = st
        .tensor(key)
        .map_err(|e| bad(format!("cannot read {key}: {e}")))?;
    if t.dtype() != F::SAFETENSORS {
        return Err(bad(format!(
            "{key} is {:?} but W1 is {:?}: all weights must have one dtype",
            t.dtype(),
            F::SAFETENSORS
        )));
    }
    let shape = t.shape();
    if shape.len() != 2 {
        return Err(bad(format!(
            "{key} has shape {shape:?}, but weights and biases are 2-D"
        )));
    }
    let m = Array2::from_shape_vec((shape[0], shape[1]), F::from_le_vec(t.data()))
        .map_err(|e| bad(format!("{key} has shape {shape:?}: {e}")))?;
    if let Some(((r, c), v)) = m.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(bad(format!(
            "{key}[{r}, {c}] is {v}: the model is damaged (was it saved from a diverged run?)"
        )));
    }
    Ok(m)
}

fn read_setup(
    metadata: &HashMap<String, String>,
    bad: &impl Fn(String) -> DataError,
) -> Result<TrainingSetup> {
    let text = |key: &str| metadata.get(key).cloned();
    let number = |key: &str| -> Result<Option<u64>> {
        metadata
            .get(key)
            .map(|v| {
                v.parse()
                    .map_err(|_| bad(format!("its metadata {key} = {v:?} is not a whole number")))
            })
            .transpose()
    };
    let real = |key: &str| -> Result<Option<f64>> {
        metadata
            .get(key)
            .map(|v| {
                v.parse()
                    .map_err(|_| bad(format!("its metadata {key} = {v:?} is not a number")))
            })
            .transpose()
    };
    Ok(TrainingSetup {
        arch: text("arch"),
        init: text("init"),
        seed: number("seed")?,
        learning_rate: real("learning_rate")?,
        iterations: number("iterations")?,
        iterations_run: number("iterations_run")?,
        batches_run: number("batches_run")?,
        final_cost: real("final_cost")?,
        optimizer: text("optimizer"),
        batch_size: number("batch_size")?,
        l2: real("l2")?,
        keep_prob: real("keep_prob")?,
        test_split: real("test_split")?,
        split_seed: number("split_seed")?,
        validation_split: real("validation_split")?,
        patience: number("patience")?,
        min_delta: real("min_delta")?,
        data: text("data"),
        data_sha256: text("data_sha256").map(|h| h.to_ascii_lowercase()),
        started_from: text("started_from"),
        decimal: text("decimal"),
        numbers: text("numbers"),
        image_dir: text("image_dir"),
        image_suffix: text("image_suffix"),
        group_by: text("group_by"),
        unlabeled_dropped: number("unlabeled_dropped")?,
        class_weights: metadata
            .get("class_weights")
            .map(|v| {
                serde_json::from_str::<Vec<f64>>(v).map_err(|_| {
                    bad(format!(
                        "its metadata class_weights = {v:?} is not a JSON array of numbers"
                    ))
                })
            })
            .transpose()?,
    })
}
