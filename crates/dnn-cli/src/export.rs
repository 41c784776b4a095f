//! `dnn export`.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use dnn_data::export::{class_names, to_bytes, Format, Preprocessing};

use crate::model_file::{load_model_arg, same_file};

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    dnn_data::atomic::ensure_writable(&args.output).context("--output")?;
    if same_file(&args.model, &args.output) {
        bail!(
            "--output {} is the model file itself; give another name (the export would replace the model)",
            args.output.display()
        );
    }
    let model = load_model_arg(&args.model)?;
    let format = args.format.into();
    let bytes = to_bytes(&model, format).with_context(|| format!("{}", args.model.display()))?;
    dnn_data::atomic::write_atomically(&args.output, &bytes)?;
    let sizes = model.network.layer_sizes();
    println!(
        "Exported {} ({}, layers {}) to {} ({}, {} bytes)",
        args.model.display(),
        model.network.dtype(),
        sizes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("-"),
        args.output.display(),
        match format {
            Format::Onnx => format!("ONNX opset {}", dnn_data::onnx::OPSET),
            Format::Safetensors => "safetensors".to_owned(),
        },
        bytes.len()
    );
    let input = match &model.spec {
        Some(spec) => match &spec.input {
            dnn_data::Input::Table { one_hot, .. } if !one_hot.is_empty() => format!(
                "{} (the one-hot encoding is yours to do; the metadata's input.inputs names \
                 each input, input.one_hot lists each text column's values)",
                spec.input.describe()
            ),
            input => input.describe(),
        },
        None => format!(
            "{} features (the model file does not say what they are)",
            sizes[0]
        ),
    };
    let preprocessing = Preprocessing::of(&model);
    let where_ = match format {
        _ if preprocessing.formula() == "none" => "",
        Format::Onnx => ", inside the graph",
        Format::Safetensors => ", yours to apply before W1",
    };
    println!(
        "Input: {input} (preprocessing: {}{where_}); classes: {}",
        preprocessing.formula(),
        class_names(&model).join(", ")
    );
    Ok(())
}

/// `dnn export`'s flags.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The model file (written by `dnn train`, or a .safetensors from `dnn export`).
    #[arg(long)]
    pub model: PathBuf,

    /// The format to write.
    #[arg(long, value_enum)]
    pub format: FormatArg,

    /// Where to write the export (written atomically).
    #[arg(long)]
    pub output: PathBuf,
}

/// An export format, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// An ONNX graph for onnxruntime: input x [N, n0] of raw values, output probabilities.
    Onnx,
    /// The weights and biases with their description, for PyTorch, candle or burn.
    Safetensors,
}

impl From<FormatArg> for Format {
    fn from(value: FormatArg) -> Self {
        match value {
            FormatArg::Onnx => Format::Onnx,
            FormatArg::Safetensors => Format::Safetensors,
        }
    }
}
