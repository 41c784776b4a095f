//! Model files: a trained [`Network`] as HDF5 that h5py opens as it is.
//!
//! Layout (format version 1):
//! * datasets `W1..WL` (shape `(n[l], n[l-1])`) and `b1..bL` (shape `(n[l], 1)`), in the
//!   dtype the network was trained in (`f32` or `f64`);
//! * root attributes `format = "dnn-model"`, `format_version = 1`, `dtype`,
//!   `layer_sizes` (integers), `activations` (comma-separated, e.g. `"relu,relu,sigmoid"`),
//!   and the training set-up where known: `arch`, `init`, `seed`, `learning_rate`,
//!   `iterations`, `iterations_run`, `final_cost`, `optimizer`, `batch_size`, `l2`, `keep_prob`.
//!
//! ```python
//! import h5py
//! f = h5py.File("model.h5")
//! W1 = f["W1"][:]          # (20, 12288)
//! print(dict(f.attrs))     # layer_sizes, activations, dtype, learning_rate, ...
//! ```
//!
//! Files that only hold `W1..WL` and `b1..bL` (saved from numpy, say) load too: they are
//! read as the exercise's relu/sigmoid network.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use dnn_core::{Activation, Float, Layer, Network};
use hdf5::types::{FixedAscii, FloatSize, TypeDescriptor};
use hdf5::H5Type;
use ndarray::{Array1, Array2};

use crate::atomic::write_atomically;
use crate::error::{DataError, Result};

/// The value of the `format` attribute.
pub const FORMAT: &str = "dnn-model";
/// The value of the `format_version` attribute this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// How a model was trained, stored as attributes next to its weights. Every field is
/// optional: a file written by someone else may not say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrainingSetup {
    /// The named set-up (`deep`, `two-layer`, `logistic`, ...).
    pub arch: Option<String>,
    /// The initialisation scheme's name.
    pub init: Option<String>,
    /// The seed of the random generator.
    pub seed: Option<u64>,
    /// The learning rate α.
    pub learning_rate: Option<f64>,
    /// The planned number of iterations.
    pub iterations: Option<u64>,
    /// The number of iterations that ran (fewer when interrupted).
    pub iterations_run: Option<u64>,
    /// The cost at the last iteration that ran.
    pub final_cost: Option<f64>,
    /// The optimiser's name (`gd`, `momentum`, `adam`).
    pub optimizer: Option<String>,
    /// The mini-batch size (absent: full batch).
    pub batch_size: Option<u64>,
    /// L2 regularisation's λ.
    pub l2: Option<f64>,
    /// Dropout's keep probability on the hidden layers.
    pub keep_prob: Option<f64>,
}

/// A network of either element type, as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyNetwork {
    /// Trained and stored in `f32`.
    F32(Network<f32>),
    /// Trained and stored in `f64`.
    F64(Network<f64>),
}

impl AnyNetwork {
    /// `"f32"` or `"f64"`.
    pub fn dtype(&self) -> &'static str {
        match self {
            AnyNetwork::F32(_) => f32::NAME,
            AnyNetwork::F64(_) => f64::NAME,
        }
    }

    /// `[n[0], ..., n[L]]`.
    pub fn layer_sizes(&self) -> Vec<usize> {
        match self {
            AnyNetwork::F32(n) => n.layer_sizes(),
            AnyNetwork::F64(n) => n.layer_sizes(),
        }
    }

    /// The output probabilities for `x` given in `f64` (converted to `f32` first for an
    /// `f32` network), as `f64`.
    pub fn predict_proba(&self, x: &Array2<f64>) -> dnn_core::Result<Array2<f64>> {
        match self {
            AnyNetwork::F32(n) => Ok(n.predict_proba(&x.mapv(|v| v as f32))?.mapv(f64::from)),
            AnyNetwork::F64(n) => n.predict_proba(x),
        }
    }
}

/// A model file's contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The network.
    pub network: AnyNetwork,
    /// How it was trained, as far as the file says.
    pub setup: TrainingSetup,
}

/// Saves `network` and `setup` to `path` atomically: the whole HDF5 file is built in
/// memory, then handed to [`write_atomically`], so a failed or interrupted save never
/// damages an existing file and never leaves part of one under `path`.
pub fn save_model<F: Float + H5Type>(
    path: impl AsRef<Path>,
    network: &Network<F>,
    setup: &TrainingSetup,
) -> Result<()> {
    let path = path.as_ref();
    let bytes = model_bytes(network, setup).map_err(|e| DataError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    write_atomically(path, &bytes)
}

/// The bytes [`save_model`] would write for `network` and `setup`: the same model file,
/// built in memory, to send somewhere else than a file (a download, say).
///
/// # Errors
/// [`DataError::Write`] (named `in memory`) if the HDF5 library cannot build the file.
pub fn encode_model<F: Float + H5Type>(
    network: &Network<F>,
    setup: &TrainingSetup,
) -> Result<Vec<u8>> {
    model_bytes(network, setup).map_err(|e| DataError::Write {
        path: "in memory".into(),
        message: e.to_string(),
    })
}

/// The bytes of the model file of `network` and `setup`: an HDF5 file created with the
/// core (in-memory) driver and no backing store, so nothing touches the disk, and copied
/// out whole with `H5Fget_file_image`; the bytes are those the same file would have on disk.
fn model_bytes<F: Float + H5Type>(
    network: &Network<F>,
    setup: &TrainingSetup,
) -> hdf5::Result<Vec<u8>> {
    /// In-memory files are known to the library by name while open; a unique one per save
    /// keeps saves on several threads apart.
    static SAVES: AtomicU64 = AtomicU64::new(0);
    hdf5::silence_errors(true);
    let name = format!(
        "dnn-model-in-memory-{}",
        SAVES.fetch_add(1, Ordering::Relaxed)
    );
    let file = hdf5::File::with_options()
        .with_fapl(|p| p.core_filebacked(false))
        .create(&name)?;
    write_model(&file, network, setup)?;
    let bytes = file_image(&file)?;
    file.close()?;
    Ok(bytes)
}

fn write_model<F: Float + H5Type>(
    file: &hdf5::File,
    network: &Network<F>,
    setup: &TrainingSetup,
) -> hdf5::Result<()> {
    for (i, layer) in network.layers().iter().enumerate() {
        let l = i + 1;
        file.new_dataset_builder()
            .with_data(&layer.weights().as_standard_layout())
            .create(format!("W{l}").as_str())?;
        file.new_dataset_builder()
            .with_data(&layer.bias().as_standard_layout())
            .create(format!("b{l}").as_str())?;
    }
    write_str(file, "format", FORMAT)?;
    file.new_attr::<u32>()
        .create("format_version")?
        .write_scalar(&FORMAT_VERSION)?;
    write_str(file, "dtype", F::NAME)?;
    let sizes: Array1<u64> = network.layer_sizes().iter().map(|&n| n as u64).collect();
    file.new_attr_builder()
        .with_data(&sizes)
        .create("layer_sizes")?;
    let activations: Vec<&str> = network
        .layers()
        .iter()
        .map(|l| l.activation().name())
        .collect();
    write_str(file, "activations", &activations.join(","))?;
    if let Some(v) = &setup.arch {
        write_str(file, "arch", v)?;
    }
    if let Some(v) = &setup.init {
        write_str(file, "init", v)?;
    }
    if let Some(v) = &setup.optimizer {
        write_str(file, "optimizer", v)?;
    }
    for (name, value) in [
        ("seed", setup.seed),
        ("iterations", setup.iterations),
        ("iterations_run", setup.iterations_run),
        ("batch_size", setup.batch_size),
    ] {
        if let Some(v) = value {
            file.new_attr::<u64>().create(name)?.write_scalar(&v)?;
        }
    }
    for (name, value) in [
        ("learning_rate", setup.learning_rate),
        ("final_cost", setup.final_cost),
        ("l2", setup.l2),
        ("keep_prob", setup.keep_prob),
    ] {
        if let Some(v) = value {
            file.new_attr::<f64>().create(name)?.write_scalar(&v)?;
        }
    }
    Ok(())
}

/// The whole image of an open file, flushed first. hdf5-metno does not wrap
/// `H5Fget_file_image`, so it is called through hdf5-sys, under the lock that serialises
/// every call into the (not thread-safe) library.
fn file_image(file: &hdf5::File) -> hdf5::Result<Vec<u8>> {
    file.flush()?;
    let _lock = hdf5_sys::LOCK.lock();
    let failed = |len: isize| {
        hdf5::Error::from(format!("the HDF5 library could not copy the model out of memory (H5Fget_file_image returned {len})"))
    };
    // SAFETY: `file.id()` is a valid open file id (the `File` is borrowed); a null buffer
    // of length 0 asks only for the image's size and writes nothing.
    let len = unsafe { hdf5_sys::h5f::H5Fget_file_image(file.id(), std::ptr::null_mut(), 0) };
    let size = usize::try_from(len).map_err(|_| failed(len))?;
    let mut image = vec![0u8; size];
    // SAFETY: as above, and `image` is a writable buffer of exactly `size` bytes, the
    // length passed, which the call does not write beyond.
    let copied = unsafe {
        hdf5_sys::h5f::H5Fget_file_image(file.id(), image.as_mut_ptr().cast(), image.len())
    };
    if copied != len {
        return Err(failed(copied));
    }
    Ok(image)
}

/// Text attributes are fixed-length ASCII strings of this capacity. Variable-length strings
/// live in HDF5's global heap, and libhdf5 can crash or hang reading a damaged one; fixed-length
/// strings are stored inline, so a damaged file cannot send the reader there.
const TEXT_CAPACITY: usize = 1024;
type Text = FixedAscii<TEXT_CAPACITY>;

fn write_str(file: &hdf5::File, name: &str, value: &str) -> hdf5::Result<()> {
    let v = Text::from_ascii(value).map_err(|e| {
        hdf5::Error::from(format!(
            "attribute {name} = {value:?} is not ASCII text of at most {TEXT_CAPACITY} bytes: {e}"
        ))
    })?;
    file.new_attr::<Text>().create(name)?.write_scalar(&v)
}

/// Loads a model file, checking everything: that it is HDF5, that it holds `W1..WL` and
/// `b1..bL` with no gaps or extras, that the shapes chain, that all are `f32` or all
/// `f64`, that the attributes agree with the weights, and that every number is finite.
pub fn load_model(path: impl AsRef<Path>) -> Result<Model> {
    let path = path.as_ref();
    let file = crate::cat::open_h5(path)?;
    let bad = |problem: String| DataError::BadModel {
        path: path.to_path_buf(),
        problem,
    };
    let names = file.member_names().map_err(|e| bad(e.to_string()))?;
    if !names.iter().any(|n| n == "W1") {
        return Err(DataError::NotAModel {
            path: path.to_path_buf(),
            keys: names,
        });
    }
    let big_l = (1..)
        .take_while(|l| names.contains(&format!("W{l}")))
        .count();
    for l in 1..=big_l {
        if !names.contains(&format!("b{l}")) {
            return Err(bad(format!("it has W{l} but no b{l}")));
        }
    }
    for n in &names {
        let layer = n
            .strip_prefix('W')
            .or_else(|| n.strip_prefix('b'))
            .and_then(|s| s.parse::<usize>().ok());
        if let Some(l) = layer.filter(|&l| l == 0 || l > big_l) {
            return Err(bad(format!(
                "it has {n} but its layers are W1..W{big_l}: layer {l} is missing or extra"
            )));
        }
    }
    let dtype = dataset_float_size(&file, "W1", &bad)?;
    let activations = read_activations(&file, big_l, &bad)?;
    let network = match dtype {
        FloatSize::U4 => AnyNetwork::F32(read_network::<f32>(
            &file,
            big_l,
            activations,
            FloatSize::U4,
            &bad,
        )?),
        FloatSize::U8 => AnyNetwork::F64(read_network::<f64>(
            &file,
            big_l,
            activations,
            FloatSize::U8,
            &bad,
        )?),
        #[allow(unreachable_patterns)]
        other => return Err(bad(format!("W1 has an unsupported float size {other:?}"))),
    };
    if let Some(sizes) = read_attr_opt::<Array1<u64>>(&file, "layer_sizes", |a| a.read_1d::<u64>())?
    {
        let sizes: Vec<usize> = sizes.iter().map(|&n| n as usize).collect();
        if sizes != network.layer_sizes() {
            return Err(bad(format!(
                "its layer_sizes attribute says {sizes:?} but the weights have sizes {:?}",
                network.layer_sizes()
            )));
        }
    }
    let setup = TrainingSetup {
        arch: read_string_opt(&file, "arch")?,
        init: read_string_opt(&file, "init")?,
        seed: read_attr_opt(&file, "seed", |a| a.read_scalar::<u64>())?,
        learning_rate: read_attr_opt(&file, "learning_rate", |a| a.read_scalar::<f64>())?,
        iterations: read_attr_opt(&file, "iterations", |a| a.read_scalar::<u64>())?,
        iterations_run: read_attr_opt(&file, "iterations_run", |a| a.read_scalar::<u64>())?,
        final_cost: read_attr_opt(&file, "final_cost", |a| a.read_scalar::<f64>())?,
        optimizer: read_string_opt(&file, "optimizer")?,
        batch_size: read_attr_opt(&file, "batch_size", |a| a.read_scalar::<u64>())?,
        l2: read_attr_opt(&file, "l2", |a| a.read_scalar::<f64>())?,
        keep_prob: read_attr_opt(&file, "keep_prob", |a| a.read_scalar::<f64>())?,
    };
    Ok(Model { network, setup })
}

fn dataset_float_size(
    file: &hdf5::File,
    key: &str,
    bad: &impl Fn(String) -> DataError,
) -> Result<FloatSize> {
    let ds = file
        .dataset(key)
        .map_err(|e| bad(format!("cannot open {key}: {e}")))?;
    let desc = ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| bad(format!("{key} has an unreadable element type: {e}")))?;
    match desc {
        TypeDescriptor::Float(size) => Ok(size),
        other => Err(bad(format!(
            "{key} has element type {other}, but weights must be float32 or float64"
        ))),
    }
}

fn read_activations(
    file: &hdf5::File,
    big_l: usize,
    bad: &impl Fn(String) -> DataError,
) -> Result<Vec<Activation>> {
    let Some(text) = read_string_opt(file, "activations")? else {
        // Only weights: the exercise's relu hidden layers and sigmoid output.
        return Ok((1..=big_l)
            .map(|l| Activation::exercise(l, big_l))
            .collect());
    };
    let names: Vec<&str> = text.split(',').map(str::trim).collect();
    if names.len() != big_l {
        return Err(bad(format!(
            "its activations attribute lists {} activations (\"{text}\") for {big_l} layers",
            names.len()
        )));
    }
    names
        .iter()
        .map(|n| {
            Activation::from_name(n).ok_or_else(|| {
                bad(format!(
                    "unknown activation \"{n}\" (expected relu, tanh, sigmoid or softmax)"
                ))
            })
        })
        .collect()
}

fn read_network<F: Float + H5Type>(
    file: &hdf5::File,
    big_l: usize,
    activations: Vec<Activation>,
    size: FloatSize,
    bad: &impl Fn(String) -> DataError,
) -> Result<Network<F>> {
    let mut layers = Vec::with_capacity(big_l);
    for (i, activation) in activations.into_iter().enumerate() {
        let l = i + 1;
        let w = read_matrix::<F>(file, &format!("W{l}"), size, bad)?;
        let b = read_matrix::<F>(file, &format!("b{l}"), size, bad)?;
        layers.push(Layer::new(w, b, activation));
    }
    Network::from_layers(layers).map_err(|e| bad(e.to_string()))
}

fn read_matrix<F: Float + H5Type>(
    file: &hdf5::File,
    key: &str,
    size: FloatSize,
    bad: &impl Fn(String) -> DataError,
) -> Result<Array2<F>> {
    let found = dataset_float_size(file, key, bad)?;
    if found != size {
        return Err(bad(format!(
            "{key} is float{} but W1 is float{}: all weights must have one dtype",
            8 * found as usize,
            8 * size as usize
        )));
    }
    let ds = file
        .dataset(key)
        .map_err(|e| bad(format!("cannot open {key}: {e}")))?;
    let shape = ds.shape();
    if shape.len() != 2 {
        return Err(bad(format!(
            "{key} has shape {shape:?}, but weights and biases are 2-D"
        )));
    }
    let file_len = std::fs::metadata(file.filename()).map_or(0, |m| m.len());
    crate::cat::check_declared_size(file_len, &shape, std::mem::size_of::<F>())
        .map_err(|problem| bad(format!("{key} has shape {shape:?}: {problem}")))?;
    let m = ds
        .read_2d::<F>()
        .map_err(|e| bad(format!("cannot read {key}: {e}")))?;
    if let Some(((r, c), v)) = m.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(bad(format!(
            "{key}[{r}, {c}] is {v}: the model is damaged (was it saved from a diverged run?)"
        )));
    }
    Ok(m)
}

fn read_attr_opt<T>(
    file: &hdf5::File,
    name: &str,
    read: impl Fn(&hdf5::Attribute) -> hdf5::Result<T>,
) -> Result<Option<T>> {
    let names = file.attr_names().unwrap_or_default();
    if !names.iter().any(|n| n == name) {
        return Ok(None);
    }
    let path = file.filename();
    let attr = file
        .attr(name)
        .and_then(|a| read(&a))
        .map_err(|e| DataError::BadModel {
            path: path.into(),
            problem: format!("its attribute {name} cannot be read as expected: {e}"),
        })?;
    Ok(Some(attr))
}

/// Reads a fixed-length string attribute; refuses variable-length ones without reading them
/// (see [`TEXT_CAPACITY`]).
fn read_string_opt(file: &hdf5::File, name: &str) -> Result<Option<String>> {
    read_attr_opt(file, name, |a| match a.dtype()?.to_descriptor()? {
        TypeDescriptor::FixedAscii(_) | TypeDescriptor::FixedUnicode(_) => {
            a.read_scalar::<Text>().map(|s| s.as_str().to_owned())
        }
        other => Err(hdf5::Error::from(format!(
            "it is stored as {other}; dnn reads text attributes only as fixed-length strings"
        ))),
    })
}
