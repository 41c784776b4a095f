//! `dnn predict`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use dnn_core::DnnError;
use dnn_data::image::{read_picture_as, read_picture_bytes, ImageLimits};
use dnn_data::model::{Model, Prediction};
use dnn_data::table::{read_table, read_table_from, Columns, Table};
use dnn_data::{DataError, Input};
use ndarray::Array2;
use rayon::prelude::*;

use crate::extrapolation;
use crate::metrics::exact;
use crate::model_file::{load_model_arg, same_file};
use crate::output::tell;
use crate::predict_columns::{self, RowCells};
use crate::text;

/// Table rows predicted at a time.
const ROWS_PER_BLOCK: usize = 8192;

/// How standard input (the input `-`) is named in messages and in the predictions.
const STDIN_NAME: &str = "<stdin>";

/// Whether `p` is `-`: standard input as an input, standard output as `--output` (a file
/// of that name is `./-`).
fn is_dash(p: &Path) -> bool {
    p.as_os_str() == "-"
}

pub fn run(mut args: PredictArgs) -> anyhow::Result<()> {
    // `--output -`: the CSV that --output writes, on stdout (a picture model's predictions
    // are otherwise printed as lines for people).
    let csv_to_stdout = args.output.as_deref().is_some_and(is_dash);
    if csv_to_stdout {
        args.output = None;
    }
    if args.inputs.iter().filter(|p| is_dash(p)).count() > 1 {
        bail!("`-` (standard input) is given more than once; it can be read only once");
    }
    if let Some(path) = &args.output {
        dnn_data::atomic::ensure_writable(path).context("--output")?;
        check_output(path, &args.model, &args.inputs)?;
    }
    let model = load_model_arg(&args.model)?;
    let Some(spec) = &model.spec else {
        bail!(
            "{} does not record what its inputs are (layer sizes {:?}): dnn predict reads the models dnn train saves and their exports, and older cat classifiers (12288 inputs, 1 output); a model saved from code needs its DataSpec (dnn_data::model::save_model_with)",
            args.model.display(),
            model.network.layer_sizes()
        );
    };
    refuse_columns(&args, spec)?;
    let threshold = args
        .threshold
        .for_model(&model, &args.model.display().to_string())?;
    if let Some(dir) = args.inputs.iter().find(|p| !is_dash(p) && p.is_dir()) {
        // Without this, reading it fails with "cannot read the file: not a regular file".
        let shown = dir.display().to_string();
        let base = shown.trim_end_matches('/');
        match spec.input {
            Input::Picture { .. } => {
                bail!("{shown} is a folder; give the pictures in it instead, e.g. `{base}/*.png`")
            }
            Input::Table { .. } => bail!(
                "{shown} is a folder, but {} takes one CSV file of rows: give that file",
                args.model.display()
            ),
        }
    }
    // A picture model given one CSV that lists pictures (an image CSV) predicts those: by
    // their names as written, or as --image-dir and --image-suffix say (by default as the
    // model's training took them).
    if let Some(flag) = args.image_names.names().given().first() {
        let one_table = matches!(args.inputs.as_slice(), [t] if is_table(t));
        match spec.input {
            Input::Table { .. } => bail!(
                "{flag} says where the pictures an image CSV lists are, but {} takes a table \
                 of {}, not pictures; leave out {flag}",
                args.model.display(),
                spec.input.describe()
            ),
            Input::Picture { .. } if !one_table => bail!(
                "{flag} says where the pictures an image CSV lists are, but the inputs are not \
                 one CSV (.csv or .tsv) that lists them; give that CSV, or leave out {flag}"
            ),
            Input::Picture { .. } => {}
        }
    }
    if let (Input::Picture { .. }, [table]) = (&spec.input, args.inputs.as_slice()) {
        let names = args.image_names.names_for(&model.setup, table);
        if is_table(table)
            && (!names.is_default() || dnn_data::table::picture_column(table).is_some())
        {
            args.inputs = dnn_data::image_csv::listed_pictures(table, &names)?;
        }
    }
    if spec.regression.is_some() {
        return predict_values(&args, &model, spec, csv_to_stdout);
    }
    let classes = predict_columns::class_names(&spec.classes, model.network.output_size());
    // Each example's prediction, and with --probabilities every class's probability.
    let classify = |x: &Array2<f64>| -> dnn_data::Result<Vec<(Prediction, Vec<f64>)>> {
        let (lines, proba) = model.predict_with_proba(x, threshold)?;
        let all = if args.probabilities {
            predict_columns::class_probabilities(&proba, classes.len())
        } else {
            vec![Vec::new(); lines.len()]
        };
        Ok(lines.into_iter().zip(all).collect())
    };
    let probability_columns: Vec<String> = classes
        .iter()
        .filter(|_| args.probabilities)
        .map(|c| predict_columns::probability_column(c))
        .collect();
    let (names, lines, cells) = match &spec.input {
        Input::Picture {
            height,
            width,
            channels,
        } => {
            refuse_tables(&args, spec)?;
            let (names, lines) = read_pictures_then(&args, [*height, *width, *channels], classify)?;
            (names, lines, RowCells::default())
        }
        Input::Table { .. } => {
            let own: Vec<String> = ["row", "class", "probability"]
                .into_iter()
                .map(String::from)
                .chain(probability_columns.iter().cloned())
                .collect();
            let (t, cells) = read_rows(&args, &model, spec, &own)?;
            // A block of rows at a time: the inputs and the layers' activations of every row
            // at once took twice the memory of the table itself.
            let all: Vec<usize> = (0..t.rows).collect();
            let mut lines = Vec::with_capacity(t.rows);
            let mut beyond = extrapolation::Extrapolation::of(spec);
            for rows in all.chunks(ROWS_PER_BLOCK) {
                let x = t.matrix(rows);
                lines.extend(in_table_terms(classify(&x), &x, rows, spec, &args)?);
                if let Some(b) = &mut beyond {
                    b.add_raw(&x);
                }
            }
            warn_beyond(beyond, &args);
            let names = (1..=t.rows).map(|r| r.to_string()).collect();
            (names, lines, cells)
        }
    };
    match &spec.input {
        Input::Picture { .. } if args.output.is_none() && !csv_to_stdout => {
            for (name, (p, all)) in names.iter().zip(&lines) {
                let each: Vec<String> = classes
                    .iter()
                    .zip(all)
                    .map(|(class, v)| format!("{class}: {v:.4}"))
                    .collect();
                if each.is_empty() {
                    println!("{name}: {} (probability {:.4})", p.name, p.probability);
                } else {
                    println!(
                        "{name}: {} (probability {:.4}; {})",
                        p.name,
                        p.probability,
                        each.join(", ")
                    );
                }
            }
        }
        _ => {
            let header = match spec.input {
                Input::Picture { .. } => "file",
                Input::Table { .. } => "row",
            };
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(
                std::iter::once(header)
                    .chain(cells.kept.iter().map(String::as_str))
                    .chain(["class", "probability"])
                    .chain(probability_columns.iter().map(String::as_str)),
            )?;
            for (row, (name, (p, all))) in names.iter().zip(&lines).enumerate() {
                w.write_field(name)?;
                write_kept(&mut w, &cells, row)?;
                w.write_field(&p.name)?;
                w.write_field(format!("{:.6}", p.probability))?;
                for v in all {
                    w.write_field(exact(*v))?;
                }
                w.write_record(None::<&[u8]>)?;
            }
            let bytes = w.into_inner().context("cannot write the predictions")?;
            write_predictions(&args, &bytes, lines.len())?;
        }
    }
    Ok(())
}

/// The warning of rows well beyond the model's training values, if any.
fn warn_beyond(beyond: Option<extrapolation::Extrapolation<'_>>, args: &PredictArgs) {
    if let Some(line) = beyond.and_then(|b| b.warning(&args.model.display().to_string())) {
        tell!("warning: {line}");
    }
}

/// Row `row`'s kept cells (`--keep`), as written, into the record `w` is writing.
fn write_kept(w: &mut csv::Writer<Vec<u8>>, cells: &RowCells, row: usize) -> csv::Result<()> {
    for cell in cells.cells.get(row).into_iter().flatten() {
        w.write_field(cell)?;
    }
    Ok(())
}

/// Refuses `--probabilities` for a model that predicts a number, and `--keep` for one that
/// takes pictures: they have no classes, and no table's columns, to write.
fn refuse_columns(args: &PredictArgs, spec: &dnn_data::DataSpec) -> anyhow::Result<()> {
    if args.probabilities && spec.regression.is_some() {
        let what = match &spec.input {
            Input::Table { target, .. } if !target.is_empty() => format!("`{target}`"),
            _ => "a number".to_owned(),
        };
        bail!(
            "--probabilities gives each class's probability, but {} predicts {what}, a number, \
             and has no classes; leave out --probabilities",
            args.model.display()
        );
    }
    if let (Some(column), Input::Picture { .. }) = (args.keep.first(), &spec.input) {
        bail!(
            "--keep {column}: {} takes {}, named in the predictions by their files, not a \
             table whose columns could be kept; leave out --keep",
            args.model.display(),
            spec.input.describe()
        );
    }
    Ok(())
}

/// The one CSV file of rows a table model takes, read with its columns (and its decimal
/// mark, or `--decimal-comma`), and the cells that
/// the predictions need besides ([`predict_columns::read_row_cells`]: the columns `--keep`
/// names, none of `own`, the prediction's own columns; the missing numbers the model fills).
/// Warns of text values it never met and of missing numbers filled.
fn read_rows(
    args: &PredictArgs,
    model: &Model,
    spec: &dnn_data::DataSpec,
    own: &[String],
) -> anyhow::Result<(Table, RowCells)> {
    if let Some(picture) = args.inputs.iter().find(|p| !is_table(p) && !is_dash(p)) {
        bail!(
            "{} is not a .csv table, but {} takes a table of {}: give it one CSV file of rows",
            picture.display(),
            args.model.display(),
            spec.input.describe()
        );
    }
    if args.inputs.len() != 1 {
        bail!(
            "{} takes one CSV file of rows, not {}",
            args.model.display(),
            args.inputs.len()
        );
    }
    let which = Columns {
        target: None,
        decimal_comma: model.setup.decimal_comma() || args.decimal.decimal_comma,
        parse_numbers: model.setup.parse_numbers() || args.decimal.parse_numbers,
        ..Columns::of_model(&spec.input)
    };
    // Read twice when the cells the model does not take are needed.
    let again = !args.keep.is_empty();
    let cells = |source: &mut dyn std::io::Read, path: &Path, rows: usize| {
        predict_columns::read_row_cells(source, path, &args.keep, own, rows)
    };
    let (t, cells) = if is_dash(&args.inputs[0]) {
        let stdin = std::io::stdin();
        if std::io::IsTerminal::is_terminal(&stdin) {
            eprintln!("Reading the rows from the terminal, header first; end them with Ctrl-D.");
        }
        let path = Path::new(STDIN_NAME);
        if again {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut stdin.lock(), &mut bytes).map_err(|source| {
                DataError::Io {
                    path: path.into(),
                    source,
                }
            })?;
            let t = read_table_from(bytes.as_slice(), path, which)?;
            let cells = cells(&mut bytes.as_slice(), path, t.rows)?;
            (t, cells)
        } else {
            (
                read_table_from(stdin.lock(), path, which)?,
                RowCells::default(),
            )
        }
    } else {
        let path = &args.inputs[0];
        let t = read_table(path, which)?;
        let cells = if again {
            let mut file = std::fs::File::open(path).map_err(|source| DataError::Io {
                path: path.clone(),
                source,
            })?;
            cells(&mut file, path, t.rows)?
        } else {
            RowCells::default()
        };
        (t, cells)
    };
    for line in crate::data::model_rows_lines(&t) {
        eprintln!("warning: {line}");
    }
    for filled in &t.filled_rows {
        tell!(
            "warning: {}",
            predict_columns::filled_warning(filled, &spec.input)
        );
    }
    Ok((t, cells))
}

/// A regression model's predictions: a CSV `row,<target>` of each row's value (`file,value`
/// for pictures, printed as `file: value` lines without `--output`), in full precision (the
/// shortest decimal that reads back as the same `f64`, with an exponent where huge or tiny:
/// [`exact`]).
fn predict_values(
    args: &PredictArgs,
    model: &Model,
    spec: &dnn_data::DataSpec,
    csv_to_stdout: bool,
) -> anyhow::Result<()> {
    let (names, values, column, cells) = match &spec.input {
        Input::Table { target, .. } => {
            // `row,row` would name two columns alike.
            let column = match target.as_str() {
                "" | "row" => "value",
                target => target,
            };
            let own = ["row".to_owned(), column.to_owned()];
            let (t, cells) = read_rows(args, model, spec, &own)?;
            let all: Vec<usize> = (0..t.rows).collect();
            let mut values = Vec::with_capacity(t.rows);
            let mut beyond = extrapolation::Extrapolation::of(spec);
            for rows in all.chunks(ROWS_PER_BLOCK) {
                let x = t.matrix(rows);
                values.extend(in_table_terms(
                    model.predict_values(&x),
                    &x,
                    rows,
                    spec,
                    args,
                )?);
                if let Some(b) = &mut beyond {
                    b.add_raw(&x);
                }
            }
            warn_beyond(beyond, args);
            let names: Vec<String> = (1..=t.rows).map(|r| r.to_string()).collect();
            (names, values, column, cells)
        }
        Input::Picture {
            height,
            width,
            channels,
        } => {
            refuse_tables(args, spec)?;
            let (names, values) = read_pictures_then(args, [*height, *width, *channels], |x| {
                model.predict_values(x)
            })?;
            (names, values, "value", RowCells::default())
        }
    };
    if let Some(line) = beyond_range_warning(&values) {
        eprintln!("warning: {line}");
    }
    let picture = matches!(spec.input, Input::Picture { .. });
    if picture && args.output.is_none() && !csv_to_stdout {
        for (name, value) in names.iter().zip(&values) {
            println!("{name}: {}", exact(*value));
        }
        return Ok(());
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(
        std::iter::once(if picture { "file" } else { "row" })
            .chain(cells.kept.iter().map(String::as_str))
            .chain([column]),
    )?;
    for (row, (name, value)) in names.iter().zip(&values).enumerate() {
        w.write_field(name)?;
        write_kept(&mut w, &cells, row)?;
        w.write_field(exact(*value))?;
        w.write_record(None::<&[u8]>)?;
    }
    let bytes = w.into_inner().context("cannot write the predictions")?;
    write_predictions(args, &bytes, values.len())
}

/// `predicted`, the predictions of the table rows `rows` (inputs `x`), with an input the
/// network cannot take named in the table's terms: its row (from 1), its column and its
/// value, which the model's z-score made infinite (or, for an f32 model, too large for
/// f32). dnn-core names the matrix's row and column, a table's column and row.
fn in_table_terms<T>(
    predicted: dnn_data::Result<T>,
    x: &Array2<f64>,
    rows: &[usize],
    spec: &dnn_data::DataSpec,
    args: &PredictArgs,
) -> anyhow::Result<T> {
    let (value, input, example) = match predicted {
        Err(DataError::Network(
            DnnError::NonFinite {
                value, row, col, ..
            }
            | DnnError::BeyondF32 { value, row, col },
        )) => (value, row, col),
        other => return Ok(other?),
    };
    let f32_range = if value.is_finite() {
        " (beyond f32's range, which this f32 model computes in)"
    } else {
        ""
    };
    let raw = x.get((input, example)).copied().unwrap_or(f64::NAN);
    let problem = match spec.standardization {
        Some(_) => format!(
            "`{}` became {}{f32_range} when standardised (the model's z-score: (value - mean) / \
             standard deviation); it is far beyond the values the model was trained on, so \
             check it",
            exact(raw),
            exact(value)
        ),
        None if value.is_finite() => format!(
            "`{}` is beyond f32's range, which this f32 model computes in; check it, or scale \
             the column",
            exact(raw)
        ),
        None => format!("`{}` is not a finite number; check it", exact(raw)),
    };
    let names = spec.input.input_names();
    let column = names.get(input).map_or("?", String::as_str);
    let row = rows.get(example).map_or(example, |r| r + 1);
    let file = match args.inputs.first() {
        Some(p) if !is_dash(p) => p.display().to_string(),
        _ => STDIN_NAME.to_owned(),
    };
    bail!("{file}: row {row}, column `{column}`: {problem}")
}

/// Refuses a CSV table among the inputs of a model that takes pictures.
fn refuse_tables(args: &PredictArgs, spec: &dnn_data::DataSpec) -> anyhow::Result<()> {
    if let Some(csv) = args.inputs.iter().find(|p| is_table(p)) {
        // A table of names without their folder or extension: say the flags that read them.
        let listed = match args.inputs.len() {
            1 => dnn_data::image_csv::suggest(csv, &args.image_names.names())
                .map_or(String::new(), |h| format!("; if it lists pictures, {h}")),
            _ => String::new(),
        };
        bail!(
            "{} is a CSV table, but {} takes {}: give it pictures{listed}",
            csv.display(),
            args.model.display(),
            spec.input.describe()
        );
    }
    Ok(())
}

/// `2 rows are predicted as a number beyond f64's range (the first: row 1, inf): ...`, when
/// some of a regression's `values` (row 1 first) are infinite: `dnn predict`'s warning and
/// `dnn serve`'s.
pub fn beyond_range_warning(values: &[f64]) -> Option<String> {
    let infinite = values.iter().filter(|v| !v.is_finite()).count();
    let (row, value) = values.iter().enumerate().find(|(_, v)| !v.is_finite())?;
    Some(format!(
        "{infinite} row{} predicted as a number beyond f64's range (the first: row {}, \
         {value}): {} inputs lie far outside the values it was trained on",
        if infinite == 1 { " is" } else { "s are" },
        row + 1,
        if infinite == 1 { "its" } else { "their" }
    ))
}

/// The predictions' CSV to `--output` (atomically) or stdout.
fn write_predictions(args: &PredictArgs, bytes: &[u8], count: usize) -> anyhow::Result<()> {
    match &args.output {
        Some(path) => {
            dnn_data::atomic::write_atomically(path, bytes)
                .with_context(|| format!("--output {}", path.display()))?;
            println!(
                "Saved {} to {}",
                text::count(count, "prediction"),
                path.display()
            );
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .context("cannot write the predictions to standard output")?;
        }
    }
    Ok(())
}

/// Whether `p` names a table (by its extension: `.csv`, or `.tsv` as `dnn train` reads it).
fn is_table(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("tsv"))
}

/// Pictures decoded, and their columns classified, this many at a time: the inputs take
/// 25 MB of `f64` for the cat classifier's 64x64x3 pictures, however many files are given.
const PICTURES_PER_BATCH: usize = 256;

/// Each picture's name and prediction by `predict` (a class, or a number), for a model whose
/// input is pictures of `[height, width, channels]`.
///
/// Every picture is read (in parallel, a batch at a time) before anything is printed. A
/// picture that cannot be read fails the command after all were tried, naming each one,
/// unless `--skip-unreadable` says to predict the others.
fn read_pictures_then<T>(
    args: &PredictArgs,
    [height, width, channels]: [usize; 3],
    mut predict: impl FnMut(&Array2<f64>) -> dnn_data::Result<Vec<T>>,
) -> anyhow::Result<(Vec<String>, Vec<T>)> {
    let size = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    let (mut names, mut lines, mut unreadable) = (Vec::new(), Vec::new(), Vec::new());
    for batch in args.inputs.chunks(PICTURES_PER_BATCH) {
        let decoded: Vec<_> = batch
            .par_iter()
            .map(|path| {
                if is_dash(path) {
                    return read_stdin_picture().and_then(|bytes| {
                        read_picture_bytes(
                            &bytes,
                            STDIN_NAME,
                            size(width),
                            size(height),
                            channels,
                            &ImageLimits::DEFAULT,
                        )
                    });
                }
                read_picture_as(
                    path,
                    size(width),
                    size(height),
                    channels,
                    &ImageLimits::DEFAULT,
                )
            })
            .collect();
        let good = decoded.iter().filter(|r| r.is_ok()).count();
        let mut x = Array2::<f64>::zeros((height * width * channels, good));
        let mut columns = x.columns_mut().into_iter();
        for (path, picture) in batch.iter().zip(decoded) {
            match picture {
                Ok(pixels) => {
                    let column = columns.next().expect("a column for each picture read");
                    for (o, &v) in column.into_iter().zip(pixels.iter()) {
                        *o = f64::from(v) / 255.0;
                    }
                    names.push(if is_dash(path) {
                        STDIN_NAME.to_owned()
                    } else {
                        path.display().to_string()
                    });
                }
                Err(e) => unreadable.push(e),
            }
        }
        if good > 0 {
            lines.extend(predict(&x)?);
        }
    }
    let total = args.inputs.len();
    match unreadable.as_slice() {
        [] => {}
        _ if args.skip_unreadable && !lines.is_empty() => {
            for e in &unreadable {
                eprintln!("warning: skipped {e}");
            }
            eprintln!(
                "warning: skipped {} of {total} pictures that cannot be read; predicted the other {}",
                unreadable.len(),
                lines.len()
            );
        }
        [only] if total == 1 => bail!("{only}"),
        [only] => bail!(
            "{only}; fix or remove it, or give --skip-unreadable to predict the other {}",
            total - 1
        ),
        many => {
            for e in many {
                eprintln!("error: {e}");
            }
            if lines.is_empty() {
                bail!("none of the {total} pictures can be read (above)");
            }
            bail!(
                "{} of {total} pictures cannot be read (above); fix or remove them, or give --skip-unreadable to predict the other {}",
                many.len(),
                lines.len()
            );
        }
    }
    Ok((names, lines))
}

/// The bytes of the one picture piped into standard input (the input `-`).
fn read_stdin_picture() -> dnn_data::Result<Vec<u8>> {
    use std::io::{IsTerminal, Read};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(DataError::BadSource {
            path: STDIN_NAME.into(),
            problem: "standard input is a terminal; pipe a picture into it, e.g. \
                      `dnn predict --model MODEL - < cat.jpg`"
                .into(),
        });
    }
    let mut bytes = Vec::new();
    stdin
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|source| DataError::Io {
            path: STDIN_NAME.into(),
            source,
        })?;
    Ok(bytes)
}

/// Refuses an `--output` that is the model file or one of the inputs (the same file, through
/// any spelling of its path or a link): the predictions would replace it.
fn check_output(output: &Path, model: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    if same_file(model, output) {
        bail!(
            "--output {} is the model file itself; give another name (the predictions would replace the model)",
            output.display()
        );
    }
    if let Some(input) = inputs.iter().find(|p| !is_dash(p) && same_file(p, output)) {
        bail!(
            "--output {} is the input {}; give another name (the predictions would replace it)",
            output.display(),
            input.display()
        );
    }
    Ok(())
}

/// `dnn predict`'s flags.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// The model file written by `dnn train` (.h5), or a .safetensors from `dnn export`.
    #[arg(long)]
    pub model: PathBuf,

    /// Write the predictions as CSV (row or file, class, probability; a regression's row
    /// and value) to this file instead of stdout (`-` is stdout).
    #[arg(long)]
    pub output: Option<PathBuf>,

    /// Classifiers: also give every class's probability, in a column per class named
    /// probability_<class> in the model's order (scikit-learn's predict_proba), in full
    /// precision; a model of one sigmoid output gives both classes' (1 - p and p).
    #[arg(long)]
    pub probabilities: bool,

    /// Tables: columns of the input to copy, as written, into each prediction after `row`
    /// (e.g. id,name), to join the predictions back to the rows by them.
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub keep: Vec<String>,

    /// Predict the pictures that can be read and warn about the others, rather than fail
    /// the command when any picture cannot be read.
    #[arg(long)]
    pub skip_unreadable: bool,

    /// Pictures (JPEG or PNG) for a picture model, or one CSV listing them (an image CSV);
    /// one CSV file of rows for a table model (its columns matched by name). `-` reads
    /// standard input: the table's rows, or one picture.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,

    /// Where the names of an image CSV given as the input are taken from.
    #[command(flatten)]
    pub image_names: crate::data::ImageNameFlags,

    /// Decimal commas, and numbers written by hand.
    #[command(flatten)]
    pub decimal: crate::data::DecimalFlag,

    /// The probability above which a two-class model answers its second class.
    #[command(flatten)]
    pub threshold: crate::threshold::ThresholdFlag,
}
