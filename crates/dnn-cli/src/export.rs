//! `dnn export`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use dnn_data::export::{class_names, to_bytes, Format, Preprocessing};
use dnn_data::model::Model;

use crate::metrics::exact;
use crate::model_file::{describe, load_model_arg, same_file};
use crate::text::{count, first_three};

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let format = format_of(&args)?;
    // `--output -`: the model's bytes on standard output (as `dnn predict --output -` writes
    // its CSV there), and what would be printed on standard error, so that `> m.onnx` or a
    // pipe gets the model alone.
    let to_stdout = args.output.as_os_str() == "-";
    if to_stdout {
        if std::io::stdout().is_terminal() {
            bail!(
                "--output - writes the {} file to standard output, which is a terminal here; \
                 redirect it (> model.{}) or give a file name",
                format.name(),
                extension(format)
            );
        }
    } else {
        dnn_data::atomic::ensure_writable(&args.output).context("--output")?;
        if same_file(&args.model, &args.output) {
            bail!(
                "--output {} is the model file itself; give another name (the export would replace the model)",
                args.output.display()
            );
        }
        check_extension(&args.output, format)?;
    }
    let model = load_model_arg(&args.model)?;
    let bytes = to_bytes(&model, format).with_context(|| format!("{}", args.model.display()))?;
    let summary = summary(&args, &model, format, bytes.len());
    if to_stdout {
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)
            .and_then(|()| out.flush())
            .context("--output -: cannot write the export to standard output")?;
        eprintln!("{summary}");
    } else {
        dnn_data::atomic::write_atomically(&args.output, &bytes)?;
        println!("{summary}");
    }
    Ok(())
}

/// The format `--format` names, or else the one `--output`'s extension names (`m.onnx`).
fn format_of(args: &ExportArgs) -> anyhow::Result<Format> {
    if let Some(f) = args.format {
        return Ok(f.into());
    }
    let found = args
        .output
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match found.as_deref() {
        Some("onnx") => Ok(Format::Onnx),
        Some("safetensors") => Ok(Format::Safetensors),
        _ if args.output.as_os_str() == "-" => {
            bail!("--output - does not say the format; give --format onnx or --format safetensors")
        }
        Some(e) => bail!(
            "--output {} is named .{e}, which is no export format; name it .onnx or \
             .safetensors, or give --format",
            args.output.display()
        ),
        None => bail!(
            "--output {} has no extension to tell the format; name it .onnx or .safetensors, \
             or give --format",
            args.output.display()
        ),
    }
}

/// The file extension of `format`'s files, which is also its `--format` name.
fn extension(format: Format) -> &'static str {
    match format {
        Format::Onnx => "onnx",
        Format::Safetensors => "safetensors",
    }
}

/// Refuses an `--output` whose name is not `format`'s (`.onnx`, `.safetensors`): a model
/// file's kind is told by its name, by dnn (a `.h5` is read as HDF5, and an ONNX file under
/// it is then "not a readable HDF5 file") and by the tools it goes to, so a file named
/// otherwise is read as something else, or not found, later.
fn check_extension(output: &Path, format: Format) -> anyhow::Result<()> {
    let wanted = extension(format);
    let found = output
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let named = match found.as_deref() {
        Some(e) if e == wanted => return Ok(()),
        Some(e) => format!("is named .{e}"),
        None => "has no extension".to_owned(),
    };
    bail!(
        "--output {} {named}, but --format {wanted} writes {}; name it .{wanted} ({})",
        output.display(),
        format.name(),
        output.with_extension(wanted).display()
    );
}

/// What `dnn export` prints: what was written where, what the input is (for ONNX, `x`'s
/// element type) and its preprocessing, what the output is, and what a table's user does
/// before the input.
fn summary(args: &ExportArgs, model: &Model, format: Format, len: usize) -> String {
    let sizes = model.network.layer_sizes();
    let output_name = if args.output.as_os_str() == "-" {
        "standard output".to_owned()
    } else {
        args.output.display().to_string()
    };
    let mut lines = vec![format!(
        "Exported {} ({}) to {output_name} ({}, {len} bytes)",
        args.model.display(),
        describe(model),
        match format {
            Format::Onnx => format!("ONNX opset {}", dnn_data::onnx::OPSET),
            Format::Safetensors => "safetensors".to_owned(),
        },
    )];
    let input = match &model.spec {
        Some(spec) => spec.input.describe(),
        None => format!(
            "{} (the model file does not say what they are)",
            count(sizes[0], "feature")
        ),
    };
    // The first thing a C#, Java or JavaScript user of the graph needs: a tensor of another
    // element type is refused by onnxruntime.
    let input = match format {
        Format::Onnx => format!(
            "{input} as x [N, {}] {}",
            sizes[0],
            dnn_data::onnx::input_type(model)
        ),
        Format::Safetensors => input,
    };
    let preprocessing = Preprocessing::of(model);
    let f32_z_score = preprocessing.standardization.is_some()
        && matches!(model.network, dnn_data::model::AnyNetwork::F32(_));
    let where_ = match format {
        _ if preprocessing.formula() == "none" => "",
        Format::Onnx if f32_z_score => ", inside the graph, in double, then float",
        Format::Onnx => ", inside the graph",
        Format::Safetensors if f32_z_score => {
            ", yours to apply before W1, in float64 (mean and std are F64), then float32"
        }
        Format::Safetensors => ", yours to apply before W1",
    };
    let output = match model.spec.as_ref().and_then(|s| s.regression) {
        Some(scale) => {
            let undo = match format {
                Format::Onnx => "inside the graph",
                Format::Safetensors => "yours to apply to the output, in float64",
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
        None => format!("classes: {}", first_three(class_names(model).into_iter())),
    };
    lines.push(format!(
        "Input: {input} (preprocessing: {}{where_}); {output}",
        preprocessing.formula(),
    ));
    if let Some(line) = model
        .spec
        .as_ref()
        .and_then(|s| table_steps(&s.input, &model.setup))
    {
        lines.push(line);
    }
    lines.join("\n")
}

/// What a table model's user does to raw rows before the exported network's input: read
/// numbers written with decimal commas or by hand as its training read them (`setup`:
/// trained with `--decimal-comma`, `--parse-numbers`), one-hot encode its text columns,
/// split its dates into their parts, fill its missing numbers (the metadata says how);
/// `None` when there is nothing to do.
fn table_steps(input: &dnn_data::Input, setup: &dnn_data::model::TrainingSetup) -> Option<String> {
    let dnn_data::Input::Table {
        one_hot,
        filled,
        dates,
        ..
    } = input
    else {
        return None;
    };
    let mut steps = Vec::new();
    if setup.decimal_comma() {
        steps.push(
            "read the numbers as dnn read them, 18,0 as 18.0 (the metadata's decimal is comma)",
        );
    }
    if setup.parse_numbers() {
        steps.push(
            "read the numbers as written, as dnn read them: $1,234.50 as 1234.50, 12% as 12, \
             1 000 as 1000 (the metadata's numbers is as-written)",
        );
    }
    if !one_hot.is_empty() {
        steps.push(
            "one-hot encode the text columns (the metadata's input.one_hot lists each one's \
             values, input.inputs names every input in order)",
        );
    }
    if !dates.is_empty() {
        steps.push(
            "split each date into its parts (input.dates lists each column's order and parts, \
             input.date_cells says how a cell is read)",
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

    /// The format to write [default: as --output is named, .onnx or .safetensors].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// Where to write the export (written atomically), named .onnx or .safetensors as the
    /// format; `-` writes it to standard output (and the summary to standard error).
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
