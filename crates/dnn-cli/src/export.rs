//! `dnn export`.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use dnn_data::export::{class_names, to_bytes, Format, Preprocessing};

use crate::metrics::exact;
use crate::model_file::{describe, load_model_arg, same_file};
use crate::text::{count, first_three};

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    dnn_data::atomic::ensure_writable(&args.output).context("--output")?;
    if same_file(&args.model, &args.output) {
        bail!(
            "--output {} is the model file itself; give another name (the export would replace the model)",
            args.output.display()
        );
    }
    let format: Format = args.format.into();
    // A model's name for another format would be read as one (an ONNX file named .h5 is
    // then "not a readable HDF5 file").
    let ext = args
        .output
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let other = match (format, ext.as_deref()) {
        (_, Some(e @ ("h5" | "hdf5"))) => Some(e),
        (Format::Onnx, Some(e @ "safetensors")) | (Format::Safetensors, Some(e @ "onnx")) => {
            Some(e)
        }
        _ => None,
    };
    if let Some(ext) = other {
        let flag = match format {
            Format::Onnx => "onnx",
            Format::Safetensors => "safetensors",
        };
        bail!(
            "--output {} is named .{ext}, but --format {flag} writes {}; name it .{flag}",
            args.output.display(),
            format.name(),
        );
    }
    let model = load_model_arg(&args.model)?;
    let bytes = to_bytes(&model, format).with_context(|| format!("{}", args.model.display()))?;
    dnn_data::atomic::write_atomically(&args.output, &bytes)?;
    let sizes = model.network.layer_sizes();
    println!(
        "Exported {} ({}) to {} ({}, {} bytes)",
        args.model.display(),
        describe(&model),
        args.output.display(),
        match format {
            Format::Onnx => format!("ONNX opset {}", dnn_data::onnx::OPSET),
            Format::Safetensors => "safetensors".to_owned(),
        },
        bytes.len()
    );
    let input = match &model.spec {
        Some(spec) => spec.input.describe(),
        None => format!(
            "{} (the model file does not say what they are)",
            count(sizes[0], "feature")
        ),
    };
    let preprocessing = Preprocessing::of(&model);
    let where_ = match format {
        _ if preprocessing.formula() == "none" => "",
        Format::Onnx => ", inside the graph",
        Format::Safetensors => ", yours to apply before W1",
    };
    let output = match model.spec.as_ref().and_then(|s| s.regression) {
        Some(scale) => {
            let undo = match format {
                Format::Onnx => "inside the graph",
                Format::Safetensors => "yours to apply to the output",
            };
            format!(
                "predicts a number: output * {} {} {} ({undo})",
                exact(scale.std),
                if scale.mean < 0.0 { "-" } else { "+" },
                exact(scale.mean.abs())
            )
        }
        // The first three of many (an ImageNet-sized model's would fill the terminal); the
        // export's metadata has them all.
        None => format!("classes: {}", first_three(class_names(&model).into_iter())),
    };
    println!(
        "Input: {input} (preprocessing: {}{where_}); {output}",
        preprocessing.formula(),
    );
    if let Some(line) = model.spec.as_ref().and_then(|s| table_steps(&s.input)) {
        println!("{line}");
    }
    Ok(())
}

/// What a table model's user does to raw rows before the exported network's input: one-hot
/// encode its text columns, fill its missing numbers (the metadata says how); `None` when
/// there is nothing to do.
fn table_steps(input: &dnn_data::Input) -> Option<String> {
    let dnn_data::Input::Table {
        one_hot, filled, ..
    } = input
    else {
        return None;
    };
    let mut steps = Vec::new();
    if !one_hot.is_empty() {
        steps.push(
            "one-hot encode the text columns (the metadata's input.one_hot lists each one's \
             values, input.inputs names every input in order)",
        );
    }
    if !filled.is_empty() {
        steps.push("fill missing numbers (input.filled has each column's value)");
    }
    (!steps.is_empty()).then(|| {
        format!(
            "Before the exported input, yours to do: {}",
            steps.join("; ")
        )
    })
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
    /// An ONNX graph for onnxruntime: input x [N, n0] of raw values, output probabilities (a regression's values).
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
