//! The model file a command takes and the files it must not write over: `--model` loaded
//! with a message for the files dnn writes but does not read, and whether an `--output` is
//! the model or an input under another name.

use std::path::Path;

use anyhow::bail;
use dnn_data::model::{load_model, Model};
use dnn_data::DataError;

/// Loads `--model` ([`load_model`]); a file that is not HDF5 and is an ONNX model (by its
/// bytes, whatever its name, or by its name) gets a message that says so and which files dnn
/// reads, rather than HDF5's "file signature not found": an ONNX export is what `dnn export`
/// writes, so it is what people try. Another file whose name says it is some other kind of
/// file gets the same list; a file named `.h5`, or not named at all, keeps HDF5's words.
pub(crate) fn load_model_arg(path: &Path) -> anyhow::Result<Model> {
    let e = match load_model(path) {
        Ok(model) => return Ok(model),
        Err(e @ DataError::NotHdf5 { .. }) => e,
        Err(e) => return Err(e.into()),
    };
    let ext = path
        .extension()
        .map(|x| x.to_string_lossy().to_ascii_lowercase());
    if dnn_data::onnx::is_onnx_file(path) || ext.as_deref() == Some("onnx") {
        let named = match ext.as_deref() {
            Some("onnx") => String::new(),
            _ => " (its bytes are an ONNX model's, whatever its name)".to_owned(),
        };
        bail!(
            "{} is an ONNX file{named}, which dnn writes (`dnn export`) but does not read: give the model as .h5 (from `dnn train`) or .safetensors (from `dnn export`)",
            path.display()
        );
    }
    match ext.as_deref() {
        None | Some("h5" | "hdf5" | "hdf" | "he5") => Err(e.into()),
        Some(other) => bail!(
            "{e}; dnn reads model files as .h5 (from `dnn train`) or .safetensors (from `dnn export`), not .{other}"
        ),
    }
}

/// `f64, layers 12288-20-7-5-1`: a model's element type and layer sizes, as the commands
/// name a model.
pub(crate) fn describe(model: &Model) -> String {
    let sizes: Vec<String> = model
        .network
        .layer_sizes()
        .iter()
        .map(ToString::to_string)
        .collect();
    format!("{}, layers {}", model.network.dtype(), sizes.join("-"))
}

/// Whether `data` is the data `model` was trained on (the same SHA-256); `None` when either
/// digest is unknown (a model saved before dnn recorded it, data made in memory).
pub(crate) fn trained_on<X: dnn_core::Float>(
    model: &Model,
    data: &dnn_data::Dataset<X>,
) -> Option<bool> {
    match (&model.setup.data_sha256, &data.source.sha256) {
        (Some(a), Some(b)) => Some(a == b),
        _ => None,
    }
}

/// Refuses a regression model (an identity output) that does not record its target's scale:
/// the units of its outputs are unknown. `what` names the model in the message.
pub(crate) fn require_scale(model: &Model, what: &str) -> anyhow::Result<()> {
    if !model.network.output_activation().classifies() && !model.is_regression() {
        bail!(
            "{what} has an identity output (a regression) but does not record its target's \
             scale (target_mean, target_std), so the units of its outputs are unknown; use a \
             model saved by dnn train"
        );
    }
    Ok(())
}

/// Refuses writing `flag`'s `output` over one of `inputs`, `(path, what it is)` pairs: the
/// same file through any spelling of its path or a link, which the output would replace.
pub(crate) fn refuse_overwrite(
    flag: &str,
    output: &Path,
    inputs: &[(&Path, &str)],
) -> anyhow::Result<()> {
    if let Some((_, what)) = inputs.iter().find(|(p, _)| same_file(p, output)) {
        bail!(
            "{flag} {} is {what}; give another name (it would be replaced)",
            output.display()
        );
    }
    Ok(())
}

/// Whether `a` and `b` name one existing file: through another spelling of the path (`..`,
/// a relative path), a symbolic link or a hard link.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    // A hard link has a path of its own, so paths cannot tell; the device and inode can.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
