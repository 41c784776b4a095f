//! `dnn evaluate`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use dnn_data::model::Model;
use dnn_data::{DataSpec, Dataset, HeldOut, Input, LoadOptions, Parts};
use ndarray::{Array3, Axis};

use crate::class_weight::{balanced_parts, is_uneven, BALANCED};
use crate::data::{cat_dir, check_image_names, load_for_model, ImageNameFlags, ModelReading};
use crate::extrapolation;
use crate::importance::{self, ImportanceFlags, Scoring};
use crate::metrics::{probability_table, regression_scores_line, Scores};
use crate::model_file::{describe, load_model_arg, refuse_overwrite, require_scale, trained_on};
use crate::plot::{self, Tile};
use crate::predict_columns;
use crate::report::{check_outputs, write_json};
use crate::text::count;
use crate::threshold::threshold_line;
use crate::values::FormatArg;
use dnn_core::Activation;
use dnn_report::{EvaluateReport, EvaluatedData, PartScores, ProbabilityScores, RegressionScores};

pub fn run(args: EvaluateArgs) -> anyhow::Result<()> {
    // The table is read whole, then copied into its parts (see allocator.rs).
    crate::allocator::fixed_mmap_threshold();
    // Without --data a cat classifier reads the cat set (any other model then asks for it).
    let data = args.data.clone().unwrap_or_else(cat_dir);
    check_outputs(
        &[
            (args.mislabeled.as_deref(), "--mislabeled"),
            (args.report.as_deref(), "--report"),
        ],
        &["--mislabeled"],
        Some(&data),
    )?;
    for (flag, output) in [
        ("--report", &args.report),
        ("--mislabeled", &args.mislabeled),
    ] {
        if let Some(output) = output {
            refuse_overwrite(
                flag,
                output,
                &[(&args.model, "the model file"), (&data, "the data")],
            )?;
        }
    }
    let model = load_model_arg(&args.model)?;
    let threshold = args
        .threshold
        .for_model(&model, &args.model.display().to_string())?;
    // The model decides what is scored, whatever the data looks like: a classifier's
    // accuracy, or a regression's errors in its target's units.
    require_scale(&model, &args.model.display().to_string())?;
    args.importance
        .check(&model, &args.model.display().to_string())?;
    if args.mislabeled.is_some() && !model.network.output_activation().classifies() {
        bail!(
            "--mislabeled draws the mislabelled test pictures of a classifier, but {} predicts a \
             number; leave out --mislabeled (its R², RMSE and MAE are printed without it)",
            args.model.display()
        );
    }
    // A grid of pictures needs pictures: refused before any work, from the model where it
    // records a table, else from the data once read.
    if let (Some(_), Some(spec)) = (&args.mislabeled, &model.spec) {
        if let Input::Table { .. } = spec.input {
            bail!(
                "--mislabeled draws mislabelled pictures, but {} takes a table of {}, not \
                 pictures; leave out --mislabeled",
                args.model.display(),
                spec.input.describe()
            );
        }
    }
    let data_path = data_path(&model, &args)?;
    let mut data = data_for(&model, &args, &data_path)?;
    check_fits(&model, &data, &args, &data_path)?;
    args.importance.check_data(&data)?;
    if args.mislabeled.is_some() && data.test_images.is_none() {
        return Err(no_pictures(&data_path));
    }
    // Read whole, every example is in the test part, and it is the one part scored.
    let held_out = if data.source.whole {
        None
    } else {
        validation_part(&model, &mut data)?
    };
    let outputs = match data.spec.regression {
        Some(_) => format!("predicts {}", data.spec.target().unwrap_or("a number")),
        None => format!("classes {}", data.spec.classes.join(", ")),
    };
    println!("{}", model_line(&model, &args, &outputs));
    println!("{}", data_line(&model, &args, &data));
    // The rows scored last (the test part, or every row of new data) against the ranges the
    // model was trained on; the data is z-scored as the model's inputs were.
    if let Some(mut beyond) = model
        .spec
        .as_ref()
        .and_then(extrapolation::Extrapolation::of)
    {
        beyond.add(data.test_x.view());
        if let Some(line) = beyond.warning(&args.model.display().to_string()) {
            crate::output::tell!("warning: {line}");
        }
    }
    if let Some(t) = threshold {
        println!("{}", threshold_line(t, &data.spec.classes));
    }
    let parts = match data.spec.regression {
        Some(scale) => evaluate_values(&model, &data, held_out.as_ref(), scale)?,
        None => evaluate_classes(
            &model,
            &data,
            held_out.as_ref(),
            &args,
            &data_path,
            threshold,
        )?,
    };
    let importance = match args.importance.importance {
        true => Some(importance_of(&model, &data, &args.importance, threshold)?),
        false => None,
    };
    if let Some(path) = &args.report {
        let report = EvaluateReport {
            model: args.model.display().to_string(),
            dtype: model.network.dtype().to_string(),
            layers: model.network.layer_sizes(),
            classes: data.spec.classes.clone(),
            threshold,
            data: EvaluatedData {
                format: data.source.format.name().to_owned(),
                path: data.source.path.display().to_string(),
                features: data.features(),
                sha256: data.source.sha256.clone(),
                whole: data.source.whole,
                trained_on: trained_on(&model, &data),
            },
            parts,
            importance,
        };
        write_json(path, &report).with_context(|| format!("--report {}", path.display()))?;
        println!();
        println!("Saved the report to {}", path.display());
    }
    Ok(())
}

/// A classifier's scores on each part: accuracies, and the test part's (or the one part's)
/// confusion matrix, per-class report and mislabelled pictures.
fn evaluate_classes(
    model: &Model,
    data: &Dataset,
    held_out: Option<&HeldOut>,
    args: &EvaluateArgs,
    data_path: &Path,
    threshold: Option<f64>,
) -> anyhow::Result<Vec<PartScores>> {
    let classes = &data.spec.classes;
    // One distribution over the classes (softmax, or one sigmoid's p and 1 - p) has
    // probabilities to score; several sigmoid outputs are not one.
    let distribution = model.network.output_activation() == Activation::Softmax
        || model.network.layer_sizes().last() == Some(&1);
    let scores = |x, labels: &[usize]| -> anyhow::Result<(Scores, Option<ProbabilityScores>)> {
        let proba = model.network.predict_proba(x)?;
        let predicted = dnn_core::classes_at(proba.view(), threshold);
        let probabilities = distribution.then(|| {
            ProbabilityScores::new(
                &predict_columns::class_probabilities(&proba, classes.len()),
                labels,
            )
        });
        Ok((
            Scores::new(predicted, labels.to_vec(), classes.len()),
            probabilities,
        ))
    };
    let mut parts = Vec::new();
    if !data.source.whole {
        parts.push(("Train", scores(&data.train_x, &data.train_labels)?));
        if let Some(h) = held_out {
            parts.push(("Validation", scores(&h.x, &h.labels)?));
        }
    }
    parts.push((test_name(data), scores(&data.test_x, &data.test_labels)?));
    for (name, (s, _)) in &parts {
        println!(
            "{} {:.6} ({} of {} correct)",
            labelled(name, "accuracy:"),
            s.accuracy(),
            s.correct(),
            s.total()
        );
    }
    // What training with class weights aims at, as dnn train printed it; and, for classes far
    // from even, what the accuracy flatters.
    let weighted = model.setup.class_weights.is_some();
    let balanced = weighted || is_uneven(&crate::data::all_class_counts(data));
    if balanced {
        let names: Vec<String> = parts.iter().map(|(name, _)| report_name(name)).collect();
        let named: Vec<(&str, f64, usize)> = (parts.iter().zip(&names))
            .map(|((_, (s, _)), name)| {
                (
                    name.as_str(),
                    s.balanced_accuracy(),
                    s.classes_with_examples(),
                )
            })
            .collect();
        let what = match weighted {
            true => {
                "the mean of the classes' recalls; the model was trained with class \
                     weights, so its probabilities lean to the classes weighed up"
            }
            false => BALANCED,
        };
        println!(
            "Balanced accuracy ({what}): {}",
            balanced_parts(&named, classes.len())
        );
    }
    let scored: Vec<(&str, ProbabilityScores)> = parts
        .iter()
        .filter_map(|(name, (_, p))| p.map(|p| (*name, p)))
        .collect();
    if !scored.is_empty() {
        println!();
        print!("{}", probability_table(&scored, classes));
    }
    let test = &parts[parts.len() - 1].1 .0;
    let test_set = if data.source.whole { "" } else { "Test set" };
    println!();
    println!(
        "{} (rows: true class, columns: predicted):",
        labelled(test_set, "confusion matrix")
    );
    print!("{}", test.confusion_table(classes));
    println!();
    print!("{}", test.report(classes));
    if let Some(path) = &args.mislabeled {
        let Some(images) = &data.test_images else {
            return Err(no_pictures(data_path));
        };
        let tiles = test
            .mistakes()
            .map(|(j, predicted, truth)| {
                Ok(Tile {
                    pixels: rgb(images.index_axis(Axis(0), j).to_owned())?,
                    caption: format!(
                        "Prediction: {}\nClass: {}",
                        classes[predicted], classes[truth]
                    ),
                })
            })
            .collect::<anyhow::Result<Vec<Tile>>>()?;
        plot::image_grid(
            path,
            &tiles,
            &format!(
                "Mislabelled {}images ({} of {})",
                if data.source.whole { "" } else { "test " },
                tiles.len(),
                test.total()
            ),
        )
        .with_context(|| format!("--mislabeled {}", path.display()))?;
        println!();
        println!(
            "Saved {} to {}",
            count(tiles.len(), "mislabelled image"),
            path.display()
        );
    }
    Ok(parts
        .into_iter()
        .map(|(name, (s, probabilities))| PartScores {
            name: report_name(name),
            examples: s.total(),
            accuracy: Some(s.accuracy()),
            correct: Some(s.correct()),
            balanced_accuracy: balanced.then(|| s.balanced_accuracy()),
            confusion: Some(s.counts),
            probabilities,
            regression: None,
        })
        .collect())
}

/// `--importance`: each column's permutation importance on the part scored last, printed.
fn importance_of(
    model: &Model,
    data: &Dataset,
    flags: &ImportanceFlags,
    threshold: Option<f64>,
) -> anyhow::Result<dnn_report::PermutationImportance> {
    let scoring = match data.spec.regression {
        Some(scale) => Scoring::R2(&data.test_values, scale),
        None => Scoring::Accuracy(&data.test_labels, data.spec.classes.len(), threshold),
    };
    let part = report_name(test_name(data));
    let measured = importance::measure(flags, model, data, (&part, &data.test_x), scoring)?;
    println!();
    print!("{}", importance::table(&measured, data.test_len()));
    Ok(measured)
}

/// `--mislabeled` with data of no pictures (a table).
fn no_pictures(data_path: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "--mislabeled draws mislabelled pictures, but --data {} holds no pictures; leave out \
         --mislabeled",
        data_path.display()
    )
}

/// `Model: m.h5 (f64, layers 6-32-16-1, predicts price)`, `what` the last part.
fn model_line(model: &Model, args: &EvaluateArgs, what: &str) -> String {
    format!(
        "Model: {} ({}, {what})",
        args.model.display(),
        describe(model)
    )
}

/// The validation part a model was trained beside (`dnn train --validation-split`), held out
/// of `data`'s training part again as training held it out: the model's fraction and split
/// seed, the same rows when the data is the file it was trained on.
fn validation_part(model: &Model, data: &mut Dataset) -> anyhow::Result<Option<HeldOut>> {
    let Some(fraction) = model.setup.validation_split else {
        return Ok(None);
    };
    let seed = model
        .setup
        .split_seed
        .unwrap_or(u64::from(dnn_data::dataset::DEFAULT_SPLIT_SEED));
    let seed = u32::try_from(seed)
        .with_context(|| format!("the model's split_seed {seed} is not a 32-bit seed"))?;
    let held_out = data
        .hold_out(fraction, seed)
        .context("cannot hold out the model's validation part")?;
    Ok(Some(held_out))
}

/// A regression model's scores on each part: R², RMSE and MAE in the target's units.
fn evaluate_values(
    model: &Model,
    data: &Dataset,
    held_out: Option<&HeldOut>,
    scale: dnn_data::TargetScale,
) -> anyhow::Result<Vec<PartScores>> {
    // The data is z-scored as the model's inputs were; the model's own z-score is applied
    // by `predict_values` only to raw inputs, so the network is asked directly here.
    let validation = held_out.map(|h| ("Validation", &h.x, &h.values));
    let train = (!data.source.whole).then_some(("Train", &data.train_x, &data.train_values));
    let parts = train.into_iter().chain(validation).chain([(
        test_name(data),
        &data.test_x,
        &data.test_values,
    )]);
    let mut scored = Vec::new();
    for (name, x, truth) in parts {
        let values = scale.unscaled_all(&model.network.predict_proba(x)?);
        let scores = RegressionScores::new(&values, truth);
        println!("{}", regression_scores_line(name, &scores));
        scored.push(PartScores {
            name: report_name(name),
            examples: scores.examples,
            accuracy: None,
            correct: None,
            balanced_accuracy: None,
            confusion: None,
            probabilities: None,
            regression: Some(scores),
        });
    }
    Ok(scored)
}

/// A part's name in the report: `train`, `validation`, `test`, or `all` for the one part of
/// data read whole.
fn report_name(printed: &str) -> String {
    if printed.is_empty() {
        "all".to_owned()
    } else {
        printed.to_lowercase()
    }
}

/// The name of the scores of the test part: `Test`, or none when it is every example.
fn test_name(data: &Dataset) -> &'static str {
    if data.source.whole {
        ""
    } else {
        "Test"
    }
}

/// `Train accuracy:`, or `Accuracy:` for the one part of data read whole (`part` empty).
fn labelled(part: &str, what: &str) -> String {
    if part.is_empty() {
        crate::text::capitalised(what)
    } else {
        format!("{part} {what}")
    }
}

/// What is scored, and why: the data the model was trained on, in its parts again, or
/// other data, every example of it (`Data: new.csv (csv): not byte for byte the data m.h5 was
/// trained on (`houses.csv`; its SHA-256 differs), so all 120 examples are scored as one part
/// (any examples it was trained on included)`).
fn data_line(model: &Model, args: &EvaluateArgs, data: &Dataset) -> String {
    let source = &data.source;
    let head = format!("Data: {} ({})", source.path.display(), source.format.name());
    let m = args.model.display();
    // `(`houses.csv`; its SHA-256 differs)`: the training data's recorded name, if any.
    let differs = match model.setup.data.as_deref() {
        Some(name) => format!("(`{name}`; its SHA-256 differs)"),
        None => "(its SHA-256 differs)".to_owned(),
    };
    let n = data.test_len();
    let examples = if n == 1 {
        "its one example is".to_owned()
    } else {
        format!("all {n} examples are")
    };
    // The split the parts come from: the source's own, or one dnn made.
    let how = match crate::data::split_words(data) {
        None => "its own training and test parts".to_owned(),
        Some(split) => format!(
            "a {split}{}",
            match (&model.setup.group_by, &source.groups) {
                (Some(g), None) => format!(
                    ", as recorded in the model but for its groups: the data has no column `{g}`"
                ),
                _ if model.setup.test_split.is_some() => ", as recorded in the model".to_owned(),
                _ => ", dnn's default (the model records no split)".to_owned(),
            }
        ),
    };
    match (source.whole, trained_on(model, data)) {
        (true, Some(true)) => format!(
            "{head}: {examples} scored as one part (--parts whole), those {m} was trained on \
             included"
        ),
        (true, _) if args.parts == PartsArg::Whole => {
            format!("{head}: {examples} scored as one part (--parts whole)")
        }
        (true, _) => format!(
            "{head}: not byte for byte the data {m} was trained on {differs}, so {examples} \
             scored as one part (any examples it was trained on included)"
        ),
        (false, Some(true)) => {
            format!("{head}: the data {m} was trained on (the same SHA-256), in its parts again")
        }
        (false, Some(false)) => format!(
            "{head}: in parts (--parts split: {how}), but not byte for byte the data {m} was \
             trained on {differs}, so dnn cannot tell whether they are that data's parts"
        ),
        (false, None) => format!(
            "{head}: in parts ({how}); {m} does not record the SHA-256 of its training data, so \
             dnn cannot tell whether they are that data's parts (--parts whole scores every \
             example as one part)"
        ),
    }
}

/// `dnn evaluate`'s flags.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The model file written by `dnn train` (.h5), or a .safetensors from `dnn export`.
    #[arg(long)]
    pub model: PathBuf,

    /// The data to evaluate on, as `dnn train --data` takes it. It is read with the
    /// model's classes, columns and picture size, and in parts as --parts says
    /// [default: $DNN_DATA_DIR or data, the cat set, for a cat classifier; other models
    /// need it].
    #[arg(long)]
    pub data: Option<PathBuf>,

    /// Read --data as this format [default: from the path].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// CSV: the label column [default: the model's].
    #[arg(long)]
    pub target: Option<String>,

    /// Where an image CSV's names are taken from, as `dnn train` took them.
    #[command(flatten)]
    pub image_names: ImageNameFlags,

    /// Rows without a label.
    #[command(flatten)]
    pub unlabeled: crate::data::UnlabeledFlag,

    /// Decimal commas, and numbers written by hand.
    #[command(flatten)]
    pub decimal: crate::data::DecimalFlag,

    /// The probability above which a two-class model answers its second class: accuracy,
    /// the confusion matrix and the report at it (the probabilities' scores do not change).
    #[command(flatten)]
    pub threshold: crate::threshold::ThresholdFlag,

    /// Save a grid of the mislabelled test pictures, or of every mislabelled picture of data
    /// scored whole (.png or .svg).
    #[arg(long)]
    pub mislabeled: Option<PathBuf>,

    /// Write the scores as JSON: the model, the data (its SHA-256, whether it was scored
    /// whole) and each part's accuracy, confusion counts and probability scores (log loss,
    /// ROC AUC, average precision, and the classes they rank), or R², RMSE and MAE.
    #[arg(long)]
    pub report: Option<PathBuf>,

    /// Which columns the model leans on.
    #[command(flatten)]
    pub importance: ImportanceFlags,

    /// Which examples of --data are scored. `auto`: the data the model was trained on (the
    /// SHA-256 its file records) in its parts again, Train, Validation and Test; any other
    /// data (other bytes: a re-saved copy counts as other) whole, every example as one part.
    /// `split`: in parts whatever the data: its own test part, or a test part split off as
    /// the model records (else 0.2, seed 0). `whole`: every example as one part.
    #[arg(long, value_enum, default_value_t = PartsArg::Auto)]
    pub parts: PartsArg,
}

/// `dnn evaluate --parts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PartsArg {
    /// The training data in its parts, other data whole.
    Auto,
    /// In parts, as training split its data.
    Split,
    /// Every example as one part.
    Whole,
}

impl PartsArg {
    /// The parts to read `model`'s data in: [`Parts::SplitIfSha256`] of the SHA-256 it
    /// records, for `auto` (split, for a model that records none).
    fn for_model(self, model: &Model) -> Parts {
        match (self, &model.setup.data_sha256) {
            (PartsArg::Auto, Some(sha256)) => Parts::SplitIfSha256(sha256.clone()),
            (PartsArg::Auto | PartsArg::Split, _) => Parts::Split,
            (PartsArg::Whole, _) => Parts::Whole,
        }
    }
}

/// `--data`, or its default, the cat set's directory, for a model of the cat set. Any other
/// model was trained on data of its own: the cat set would only fail to fit it (or, missing,
/// send the user to fetch a data set the model has nothing to do with), so `--data` is asked
/// for, with what the model says it was trained on.
fn data_path(model: &Model, args: &EvaluateArgs) -> anyhow::Result<PathBuf> {
    if let Some(path) = &args.data {
        return Ok(path.clone());
    }
    let cat = DataSpec::cat();
    match &model.spec {
        // Standardised or not, still the cat set.
        Some(spec) if spec.input == cat.input && spec.classes == cat.classes => {
            Ok(cat_dir())
        }
        Some(spec) => bail!(
            "{} was trained on {} {}, not on the cat set: give --data the data it was trained on",
            args.model.display(),
            spec.input.describe(),
            match spec.target() {
                Some(target) if spec.regression.is_some() => format!("to predict `{target}`"),
                _ if spec.regression.is_some() => "to predict a number".to_owned(),
                _ => format!("of classes {}", spec.classes.join(", ")),
            }
        ),
        // A file that records nothing: saved by save_model, or an older file not of the cat
        // classifier's shape (or it would have been read as the cat classifier).
        None => bail!(
            "{} does not record the data it was trained on and is not the cat classifier (layer sizes {:?}): give --data the data it was trained on",
            args.model.display(),
            model.network.layer_sizes()
        ),
    }
}

/// The data, read as the model's file says; a file that records nothing (older or
/// numpy-saved, not of the cat classifier's shape) is evaluated as trained on the data
/// given, classes in the data's own order.
fn data_for(model: &Model, args: &EvaluateArgs, data: &Path) -> anyhow::Result<Dataset> {
    match &model.spec {
        Some(spec) => load_for_model(
            data,
            args.format,
            args.target.as_deref(),
            &args.image_names.names_for(&model.setup, data),
            {
                let trained = ModelReading::as_trained(model, spec, args.parts.for_model(model));
                ModelReading {
                    drop_unlabeled: trained.drop_unlabeled || args.unlabeled.drop_unlabeled,
                    decimal_comma: trained.decimal_comma || args.decimal.decimal_comma,
                    parse_numbers: trained.parse_numbers || args.decimal.parse_numbers,
                    ..trained
                }
            },
            &args.model,
        ),
        None => {
            // A file that records nothing is a classifier (a regression records its scale).
            let names = args.image_names.names_for(&model.setup, data);
            let format = match args.format {
                Some(f) => f.into(),
                None => dnn_data::dataset::detect_format_for(data, &names)
                    .context("cannot load --data")?,
            };
            check_image_names(data, format, &names, args.format.is_some())?;
            let options = LoadOptions {
                format: Some(format),
                target: args.target.clone(),
                task: dnn_data::Task::Classify,
                parts: args.parts.for_model(model),
                picture_names: names,
                drop_unlabeled: args.unlabeled.drop_unlabeled,
                decimal_comma: args.decimal.decimal_comma,
                parse_numbers: args.decimal.parse_numbers,
                ..LoadOptions::default()
            };
            dnn_data::load(data, &options).context("cannot load --data")
        }
    }
}

fn check_fits(
    model: &Model,
    data: &Dataset,
    args: &EvaluateArgs,
    data_path: &Path,
) -> anyhow::Result<()> {
    let sizes = model.network.layer_sizes();
    if sizes[0] != data.features() {
        bail!(
            "{} expects {} per example, but the {} in {} have {}: this model was not trained on this data",
            args.model.display(),
            count(sizes[0], "input"),
            what(&data.spec),
            data_path.display(),
            data.features()
        );
    }
    let outputs = model.network.output_size();
    if outputs != data.outputs() {
        bail!(
            "{} has {}, but the {} classes of {} take {}",
            args.model.display(),
            count(outputs, "output"),
            data.spec.classes.len(),
            data_path.display(),
            data.outputs()
        );
    }
    Ok(())
}

fn what(spec: &DataSpec) -> &'static str {
    match spec.input {
        dnn_data::Input::Picture { .. } => "images",
        dnn_data::Input::Table { .. } => "rows",
    }
}

/// A picture of any number of channels as RGB for display: grey is repeated, a fourth
/// (alpha) channel dropped.
fn rgb(pixels: Array3<u8>) -> anyhow::Result<Array3<u8>> {
    let (h, w, c) = pixels.dim();
    match c {
        3 => Ok(pixels),
        1 | 2 => Ok(Array3::from_shape_fn((h, w, 3), |(r, col, _)| {
            pixels[[r, col, 0]]
        })),
        4 => Ok(pixels.slice(ndarray::s![.., .., ..3]).to_owned()),
        _ => bail!("--mislabeled draws grey, RGB or RGBA pictures, not pictures of {c} channels"),
    }
}
