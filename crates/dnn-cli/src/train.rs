//! `dnn train`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};

use dnn_core::{
    gradient_check_sampled, gradient_check_weighted, Activation, ClassWeights, DnnError,
    EarlyStopping, Float, Network, NumpyRng,
};
use dnn_data::dataset::DEFAULT_SPLIT_SEED;
use dnn_data::model::{save_model_with, Model, TrainingSetup};
use dnn_data::{DataSpec, Dataset, HeldOut, Input, Parts, TargetScale};
use ndarray::{s, ArrayView2};

use crate::class_weight::{
    balanced_accuracies, balanced_line, balanced_warning, by_part, is_uneven, parse_class_weight,
    ClassWeightArg, TrainingPart,
};
use crate::data::{
    check_split_flags, dates_line, filled_line, load_for_model, load_for_training, one_hot_line,
    pictures_line, split_line, target_line, target_name, warn_classes, warn_left_out, DataFlags,
    ModelReading, ReadFlags,
};
use crate::hyper::{Hyper, OptimFlags};
use crate::interrupt::Interrupt;
use crate::metrics::{class_counts, majority_warning, regression_scores_line, regression_warning};
use crate::model_file::{describe, load_model_arg, refuse_overwrite, require_scale, trained_on};
use crate::output::{say, tell};
use crate::presets::{resolve, Arch, Setup, SEED};
use crate::progress::Progress;
use crate::report::{check_outputs, data_report, write_json, TrainReport};
use crate::text::count;
use crate::validation::{held_out_line, stopping_line, ValidationFlags};
use crate::values::{
    parse_folds, parse_layers, parse_learning_rate, parse_positive, parse_sizes, InitArg,
    OptimizerArg, Sizes,
};
use crate::{plot, Exit, EXIT_INTERRUPTED};
use dnn_report::{DivergedReport, RegressionReport, RegressionScores};

/// Examples `--grad-check` uses (the first ones of the training set).
pub const GRAD_CHECK_EXAMPLES: usize = 5;
/// Entries of each `W[l]` and `b[l]` probed by `--grad-check` (evenly spaced): enough to
/// exercise every layer's backward pass, few enough to take a second on the cat network.
const GRAD_CHECK_PER_MATRIX: usize = 100;
/// `--grad-check`'s finite-difference step.
pub const GRAD_CHECK_EPSILON: f64 = 1e-7;
/// Above this relative difference `--grad-check` refuses to train.
pub const GRAD_CHECK_FAIL: f64 = 1e-5;
/// Above this (and up to [`GRAD_CHECK_FAIL`]) `--grad-check` warns.
pub const GRAD_CHECK_WARN: f64 = 1e-7;

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    // Its model (and plot, report) come after its printed lines: a reader going away
    // (`| head`) must not lose them.
    crate::output::keep_running_when_readers_leave();
    let setup = resolve(&args);
    let hyper = Hyper::resolve(
        &args.optim,
        args.optim.optimizer.unwrap_or(OptimizerArg::Gd),
        None,
        true,
    )?;
    args.validation.check()?;
    if let Some(folds) = args.cross_validate {
        // Each fold copies its parts from the data, and frees them (see allocator.rs).
        crate::allocator::fixed_mmap_threshold();
        return match args.dtype.unwrap_or(Dtype::F64) {
            Dtype::F64 => crate::cross_validate::run::<f64>(&args, &setup, &hyper, folds),
            Dtype::F32 => crate::cross_validate::run::<f32>(&args, &setup, &hyper, folds),
        };
    }
    check_outputs(
        &[
            (Some(&args.save), "--save"),
            (args.plot.as_deref(), "--plot"),
            (args.report.as_deref(), "--report"),
        ],
        &["--plot"],
        Some(&args.data.data),
    )?;
    // What the run reads must survive what it writes (--save may replace --from's model:
    // it is read before and written atomically after).
    let read = [(args.data.data.as_path(), "the data")];
    for (flag, output) in [
        ("--save", Some(&args.save)),
        ("--plot", args.plot.as_ref()),
        ("--report", args.report.as_ref()),
    ] {
        let from = args.from.as_deref().filter(|_| flag != "--save");
        let model = from.map(|p| (p, "--from's model file"));
        if let Some(output) = output {
            refuse_overwrite(flag, output, &[&read[..], model.as_slice()].concat())?;
        }
    }
    let from = match &args.from {
        Some(path) => {
            refuse_with_from(&args)?;
            Some(StartFrom::load(path)?)
        }
        None => None,
    };
    // An f32 model goes on in f32 unless --dtype says otherwise.
    let dtype = args.dtype.unwrap_or(match &from {
        Some(f) if f.model.network.dtype() == f32::NAME => Dtype::F32,
        _ => Dtype::F64,
    });
    match dtype {
        Dtype::F64 => train_as::<f64>(&args, &setup, &hyper, from.as_ref()),
        Dtype::F32 => train_as::<f32>(&args, &setup, &hyper, from.as_ref()),
    }
}

/// Refuses, with `--from`, the flags that would make another network or read the data
/// otherwise than the model does.
fn refuse_with_from(args: &TrainArgs) -> anyhow::Result<()> {
    let r = &args.data.reading;
    #[rustfmt::skip]
    let given = [
        ("--hidden", args.hidden.is_some(), "keeps the model's layers"),
        ("--layers", args.layers.is_some(), "keeps the model's layers"),
        ("--init", args.init.is_some(), "starts from the model's parameters"),
        ("--seed", args.seed.is_some(), "starts from the model's parameters (--seed seeds an initialisation)"),
        ("--classes", r.classes.is_some(), "reads the data with the model's classes"),
        ("--drop", !r.drop.is_empty(), "reads the data with the model's columns"),
        ("--one-hot", !r.one_hot.is_empty(), "reads the data with the model's columns"),
        ("--fill-missing", r.fill_missing.is_some(), "fills missing numbers with the model's values"),
        ("--date-parts", !r.date_parts.is_empty(), "reads the data with the model's columns"),
        ("--date-order", r.date_order.is_some(), "reads the data with the model's columns"),
        ("--group-by", r.group_by.is_some(), "splits the data as the model's training did (by its own --group-by column, if it had one)"),
        ("--task", r.task.is_some(), "keeps the model's task"),
        ("--standardize", r.standardize, "applies the model's z-score, if it has one"),
        ("--no-standardize", r.no_standardize, "applies the model's z-score, if it has one"),
        ("--image-size", r.image_size.is_some(), "resizes pictures to the model's size"),
    ];
    if let Some((flag, _, why)) = given.iter().find(|(_, given, _)| *given) {
        bail!("--from {why}; leave out {flag} (a new network: leave out --from)");
    }
    Ok(())
}

/// `--from`: the model whose parameters training starts from, and the data spec it reads
/// its data with.
struct StartFrom {
    path: PathBuf,
    model: Model,
    spec: DataSpec,
}

impl StartFrom {
    fn load(path: &Path) -> anyhow::Result<StartFrom> {
        let model = load_model_arg(path).context("--from")?;
        let Some(spec) = model.spec.clone() else {
            bail!(
                "--from {} does not record the data it was trained on (its classes, inputs and \
                 z-score), so dnn cannot read data for it; continue from a model saved by dnn train",
                path.display()
            );
        };
        require_scale(&model, &format!("--from {}", path.display()))?;
        Ok(StartFrom {
            path: path.to_path_buf(),
            model,
            spec,
        })
    }

    /// `From: m.h5 (f64, layers 3-8-3, trained on `blobs.csv` for 300 iterations): training
    /// goes on from its parameters, with its classes, inputs and z-score; ...`.
    fn line(&self) -> String {
        let s = &self.model.setup;
        let unit = if s.batch_size.is_some() {
            "epoch"
        } else {
            "iteration"
        };
        // A model that went on from another one records its last run only (the file keeps
        // no running total): say so, and from what.
        let (trained, from) = match &s.started_from {
            Some(earlier) => ("its last run trained", format!(", from {earlier}")),
            None => ("trained", String::new()),
        };
        // `2 epochs`, or `2 epochs and 1200 mini-batches` for a run stopped inside an epoch.
        let span = |n: u64| match s.batches_run {
            Some(b) => format!(
                "{} and {} mini-batch{}",
                count(n as usize, unit),
                b,
                if b == 1 { "" } else { "es" }
            ),
            None => count(n as usize, unit),
        };
        let trained = match (&s.data, s.iterations_run) {
            (Some(data), Some(n)) => format!(", {trained} on `{data}` for {}{from}", span(n)),
            (Some(data), None) => format!(", {trained} on `{data}`{from}"),
            (None, Some(n)) => format!(", {trained} for {}{from}", span(n)),
            (None, None) => from,
        };
        let mut kept = vec![if self.spec.regression.is_some() {
            "target scale"
        } else {
            "classes"
        }];
        kept.push("inputs");
        if self.spec.standardization.is_some() {
            kept.push("z-score");
        }
        let kept = match kept.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        format!(
            "From: {} ({}{trained}): training goes on from its parameters, with its {kept}; \
             the optimiser starts afresh",
            self.path.display(),
            describe(&self.model),
        )
    }
}

/// `dnn train`'s flags.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// A published set-up; explicit flags below override its values.
    #[arg(long, value_enum, default_value = "deep")]
    pub arch: Arch,

    /// Hidden layer sizes, e.g. 32,16; the input and output sizes come from the data
    /// [default: from --arch: 20,7,5].
    #[arg(long, value_parser = parse_sizes, conflicts_with = "layers", allow_negative_numbers = true)]
    pub hidden: Option<Sizes>,

    /// All layer sizes, input first, e.g. 12288,20,7,5,1; checked against the data
    /// [default: the data's input size, --hidden, the data's output size].
    #[arg(long, value_parser = parse_layers, allow_negative_numbers = true)]
    pub layers: Option<Sizes>,

    /// Gradient-descent step size [default: from --arch; 0.001 with --optimizer adam].
    #[arg(long, value_parser = parse_learning_rate, allow_negative_numbers = true)]
    pub learning_rate: Option<f64>,

    /// Number of full-batch iterations, or of epochs with --batch-size [default: from --arch].
    #[arg(long, visible_alias = "epochs", value_parser = parse_positive, allow_negative_numbers = true)]
    pub iterations: Option<usize>,

    /// Seed of the numpy-compatible random generator.
    #[arg(long, value_parser = crate::values::parse_seed, allow_negative_numbers = true,
          help = format!("Seed of the numpy-compatible random generator [default: {SEED}]"))]
    pub seed: Option<u32>,

    /// Weight initialisation [default: from --arch].
    #[arg(long, value_enum)]
    pub init: Option<InitArg>,

    /// Element type [default: f64, or --from's model's].
    #[arg(long, value_enum)]
    pub dtype: Option<Dtype>,

    /// Start from this model's parameters (a file dnn train saved) instead of initialising
    /// them: to train a model further, or to fine-tune it on new data.
    ///
    /// The layers are the model's, and --data is read as the model reads data: with its
    /// classes, columns (text values, fill values), picture size, z-score and target scale.
    /// A source without a test part is split as --test-split and --split-seed say, by
    /// default as the model's was: its own data (the same SHA-256) keeps its test part, and
    /// its validation part if it had one, out of training. The optimiser starts afresh:
    /// momentum's and Adam's averages and the learning-rate decay begin at zero, and every
    /// other flag has its usual default. --hidden, --layers, --init, --seed and the flags
    /// that read data otherwise (--classes, --drop, --one-hot, --fill-missing, --task,
    /// --standardize, --image-size) are refused. --save may name MODEL.
    #[arg(long, value_name = "MODEL", conflicts_with = "arch")]
    pub from: Option<PathBuf>,

    #[command(flatten)]
    pub data: DataFlags,

    /// Print the cost every N iterations (and at the last one).
    #[arg(long, default_value = "100", value_parser = parse_positive, allow_negative_numbers = true)]
    pub print_every: usize,

    /// No cost lines and no progress bar: the lines about the data (Data, Validation, ...),
    /// the accuracies and the errors.
    #[arg(long, short)]
    pub quiet: bool,

    /// Score the set-up by K-fold cross-validation instead of training one model: K
    /// trainings, each tested on one fold of the data and trained on the others (each fold
    /// read as its own split: z-score, fill and text values fitted on its training folds),
    /// then each fold's scores and their mean ± standard deviation. The folds are
    /// scikit-learn's StratifiedKFold for classes, KFold for a regression, GroupKFold with
    /// --group-by, shuffled with --split-seed. --early-stopping holds out part of each fold's
    /// training folds (--validation-split says how much); --report writes every fold's scores
    /// as JSON.
    /// For data without a test part of its own; no model is saved.
    #[arg(long, value_name = "K", value_parser = parse_folds,
          conflicts_with_all = ["from", "save", "plot", "save_last_good", "grad_check",
                                "test_split", "print_every"])]
    pub cross_validate: Option<usize>,

    /// Where to save the trained model (HDF5; written atomically).
    #[arg(long, default_value = "model.h5")]
    pub save: PathBuf,

    /// Save the cost curve as a picture (.png or .svg).
    #[arg(long)]
    pub plot: Option<PathBuf>,

    /// Write the run's set-up, costs and accuracies as JSON.
    #[arg(long)]
    pub report: Option<PathBuf>,

    /// If training diverges, still save the last parameters whose cost was good.
    ///
    /// Training stops as diverged when the cost or a parameter becomes NaN or infinite,
    /// or the cost exceeds 10 times its value at iteration 0 (dnn-core's
    /// DEFAULT_DIVERGENCE_FACTOR; with mini-batches, a moving mean of the batch costs over
    /// about 1024 examples against the first batch's, so that one batch holding an outlier
    /// is not taken for divergence); the error names the iteration. Without this flag
    /// nothing is saved.
    #[arg(long)]
    pub save_last_good: bool,

    /// Before training, check backpropagation against finite differences.
    ///
    /// Runs dnn-core's gradient check (epsilon 1e-7) in f64 on the freshly initialised
    /// network and the first 5 training examples, without L2 or dropout, on up to 100 evenly
    /// spaced entries of each W and b, and prints the
    /// relative difference. Above 1e-5 the backward pass is wrong: dnn exits 1 without
    /// training. Between 1e-7 and 1e-5 it warns (a ReLU kink near a probed weight can do
    /// that) and trains.
    #[arg(long)]
    pub grad_check: bool,

    #[command(flatten)]
    pub optim: OptimFlags,

    /// How much an example of each class counts in the cost, for classes far from even (a
    /// few faults among many normal rows): `balanced` (scikit-learn's, m / (k · m_c) over the
    /// training part, so every class weighs the same in total), or weights by class name as
    /// dnn names the classes (a table's Target line, a picture folder's class folders), e.g.
    /// `yes=5` or `cat=2,dog=1` (a class left out counts 1; a comma separates weights, so a
    /// class whose name holds one cannot be named). An example counts its class's weight: the
    /// cost is Σ w_j L_j / m, as Keras's class_weight (not divided by Σ w_j). The costs
    /// printed, the validation cost and --grad-check are then weighted; the accuracies are
    /// not, and each part's balanced accuracy is printed beside them.
    #[arg(long, value_name = "balanced|CLASS=W,...", value_parser = parse_class_weight,
          allow_hyphen_values = true)]
    pub class_weight: Option<ClassWeightArg>,

    #[command(flatten)]
    pub validation: ValidationFlags,
}

/// The element type to train in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Dtype {
    /// 64-bit floats: reproduces numpy's numbers.
    F64,
    /// 32-bit floats: about twice as fast, same accuracies, half the memory for the data.
    F32,
}

/// `--grad-check`: backpropagation against centred finite differences, in f64, on the
/// network as initialised and the first few training examples; fails above
/// [`GRAD_CHECK_FAIL`].
fn grad_check(
    net: &Network<f64>,
    x: ArrayView2<'_, f64>,
    y: ArrayView2<'_, f64>,
    weights: Option<&ClassWeights>,
    quiet: bool,
) -> anyhow::Result<()> {
    let k = GRAD_CHECK_EXAMPLES.min(x.ncols());
    let x = x.slice(s![.., ..k]).to_owned();
    let y = y.slice(s![.., ..k]).to_owned();
    let (epsilon, per_matrix) = (GRAD_CHECK_EPSILON, GRAD_CHECK_PER_MATRIX);
    let diff = match weights {
        Some(w) => gradient_check_weighted(net, &x, &y, w, epsilon, per_matrix)?,
        None => gradient_check_sampled(net, &x, &y, epsilon, per_matrix)?,
    };
    let cost = match weights {
        Some(_) => "of the class-weighted cost ",
        None => "",
    };
    let what = format!(
        "{cost}on the first {k} training examples (up to {GRAD_CHECK_PER_MATRIX} of the entries of each W and b, of {} parameters; epsilon {GRAD_CHECK_EPSILON:e}): relative difference {diff:.3e}",
        net.num_parameters()
    );
    if let (false, Some(w)) = (diff.is_finite(), weights) {
        let largest = w.as_slice().iter().fold(0.0_f64, |a, &b| a.max(b));
        bail!(
            "gradient check {what}: the class-weighted cost is not a number at these weights (the \
             largest is {largest:e}); give class weights nearer 1"
        );
    }
    if !diff.is_finite() || diff > GRAD_CHECK_FAIL {
        bail!("gradient check {what}, above {GRAD_CHECK_FAIL:e}: backpropagation disagrees with the finite differences; not training");
    }
    if diff > GRAD_CHECK_WARN {
        tell!("warning: gradient check {what}, above {GRAD_CHECK_WARN:e} (a ReLU kink near a probed weight can cause this); training anyway");
    } else if !quiet {
        say!("Gradient check {what} (below {GRAD_CHECK_WARN:e}: backpropagation is right)");
    } else {
        say!("Gradient check: relative difference {diff:.3e}");
    }
    Ok(())
}

/// The network's builder: relu hidden layers and the data's output layer (identity for a
/// regression, sigmoid for two classes, softmax for more).
pub(crate) fn builder<F: Float>(
    setup: &Setup,
    layers: &[usize],
    output: Activation,
) -> dnn_core::NetworkBuilder<F> {
    Network::<F>::builder(layers)
        .init(setup.init)
        .output(output)
}

fn train_as<F: Float + hdf5::H5Type>(
    args: &TrainArgs,
    setup: &Setup,
    hyper: &Hyper,
    from: Option<&StartFrom>,
) -> anyhow::Result<()> {
    let reading = ReadFlags {
        holds_out: args.validation.split().is_some(),
        ..args.data.reading.clone()
    };
    let mut data = match from {
        Some(from) => load_to_continue::<F>(args, &reading, from)?,
        None => load_for_training::<F>(&args.data.data, &reading)?,
    };
    // What the data says of itself; from a model, what was fitted is the model's.
    let lines = match from {
        Some(from) => vec![split_line(&data), Some(from.line())],
        None => vec![
            split_line(&data),
            pictures_line(&data),
            target_line(&data, &args.data.reading),
            one_hot_line(&data),
            dates_line(&data),
            filled_line(&data, args.data.reading.fill_missing),
        ],
    };
    for line in lines.into_iter().flatten() {
        say!("{line}");
    }
    let unit = hyper.unit();
    // Going on with a model's own data, its validation part (and seed) stays held out, or
    // training would now learn the rows that chose its best iteration.
    let own_data = from.filter(|f| trained_on(&f.model, &data) == Some(true));
    let validation_split = args
        .validation
        .validation_split
        .or_else(|| own_data.and_then(|f| f.model.setup.validation_split))
        .or_else(|| args.validation.split());
    let split_seed = args
        .data
        .reading
        .split_seed
        .or_else(|| {
            let recorded = from.and_then(|f| f.model.setup.split_seed);
            recorded.and_then(|s| u32::try_from(s).ok())
        })
        .unwrap_or(DEFAULT_SPLIT_SEED);
    let held_out = match validation_split {
        Some(fraction) => {
            let seed = split_seed;
            let held_out = data.hold_out(fraction, seed)?;
            say!(
                "{}",
                held_out_line(&data, &held_out, &args.validation, unit)
            );
            let seen = seen_validation_warning(own_data, &data, &held_out, &args.validation);
            if let Some(line) = seen {
                tell!("warning: {line}");
            }
            for line in
                crate::validation::warnings(&held_out, &args.validation, setup.iterations, unit)
            {
                tell!("warning: {line}");
            }
            Some(held_out)
        }
        None => None,
    };
    let what = match &data.spec.input {
        Input::Picture {
            height,
            width,
            channels,
        } => format!(
            "the {height}x{width}x{channels} pictures in {}",
            args.data.data.display()
        ),
        Input::Table { .. } => format!("the examples in {}", args.data.data.display()),
    };
    let layers = match from {
        Some(from) => from.model.network.layer_sizes(),
        None => setup.layers(
            data.features(),
            data.outputs(),
            data.spec.output_activation(),
            &what,
        )?,
    };
    let train_x = data.train_x.view();
    let train_y = data.train_y::<F>();
    let class_weights = match &args.class_weight {
        Some(arg) => {
            let weights = arg.weights::<F>(
                TrainingPart::of(&data),
                held_out.is_some(),
                "--class-weight",
            )?;
            say!("{}", arg.line(&weights, TrainingPart::of(&data), ""));
            for warning in crate::class_weight::warnings(
                arg,
                &weights,
                TrainingPart::of(&data),
                (&hyper.optimizer, "--class-weight"),
            ) {
                tell!("warning: {warning}");
            }
            Some(weights)
        }
        None => {
            let unweighted =
                from.and_then(|f| crate::class_weight::unweighted_from(&f.model, &f.path));
            if let Some(line) = unweighted {
                tell!("warning: {line}");
            }
            None
        }
    };
    if args.grad_check {
        let net = match from {
            Some(from) => from.model.network.to_network::<f64>()?,
            None => builder::<f64>(setup, &layers, data.spec.output_activation())
                .build(&mut NumpyRng::new(setup.seed))?,
        };
        // The check's few examples, in f64 (exactly, from f32 inputs).
        let k = GRAD_CHECK_EXAMPLES.min(data.train_len());
        let x = data
            .train_x
            .slice(s![.., ..k])
            .mapv(|v| v.to_f64_lossless());
        let y = data.train_y::<f64>();
        grad_check(&net, x.view(), y.view(), class_weights.as_ref(), args.quiet)?;
    }
    // The network to train: initialised, or the model's parameters (in F).
    let mut net = match from {
        Some(from) => from.model.network.to_network::<F>()?,
        None => builder::<F>(setup, &layers, data.spec.output_activation())
            .build(&mut NumpyRng::new(setup.seed))?,
    };
    let config = hyper
        .params(setup.learning_rate, setup.iterations, class_weights.clone())
        .check()?;
    let interrupt = Interrupt::graceful();
    // Ctrl-C stops training after the current mini-batch, and the bar follows the batches.
    let control = interrupt.train_control();
    let config = config.with_control(std::sync::Arc::clone(&control));
    let progress = Progress::new(setup.iterations, args.print_every, args.quiet)
        .per_epoch(hyper.per_epoch())
        .batches(&control);

    // The validation part's inputs (already in F) and targets, as the network takes them.
    let validation_set = held_out.as_ref().map(|h| (&h.x, data.held_out_y::<F>(h)));
    let started = std::time::Instant::now();
    let (result, seen) = match &validation_set {
        Some((x, y)) => {
            let weights = class_weights.clone();
            let mut watch = args
                .validation
                .watch(&net, x, y, setup.iterations, weights)?;
            let mut last = None;
            let result =
                net.train_validated(train_x, &train_y, &mut watch, &config, |p, validation| {
                    last = Some((p, validation));
                    progress.iteration(p.iteration, p.total, p.cost, Some(validation));
                    interrupt.control()
                });
            if let Some((p, validation)) = last {
                // The line of the iteration where early stopping (or Ctrl-C) ended training.
                progress.stopped_at(p.iteration, p.cost, Some(validation));
            }
            // With early stopping the best parameters come back, also into a diverged run
            // (whose last good ones are then not kept: the error says which are).
            let seen = match &result {
                Ok(_) | Err(DnnError::Diverged(_)) => Some(watch.finish(&mut net)),
                Err(_) => None,
            };
            (result, seen)
        }
        _ => {
            let mut last = None;
            let result = net.train(train_x, &train_y, &config, |p| {
                last = Some((p.iteration, p.cost));
                progress.iteration(p.iteration, p.total, p.cost, None);
                interrupt.control()
            });
            if let Some((iteration, cost)) = last {
                // The line of the iteration where Ctrl-C ended training.
                progress.stopped_at(iteration, cost, None);
            }
            (result, None)
        }
    };
    progress.finish();
    // The validation part and early stopping's rule, as the model file records them.
    let watched = (held_out.as_ref(), args.validation.rule());
    let weighed = (hyper, class_weights.as_ref());
    let mean_weight = (class_weights.as_ref()).map_or(1.0, |w| {
        crate::class_weight::mean_weight(w, &data.train_labels)
    });
    let report = match result {
        Ok(report) => report,
        Err(DnnError::Diverged(d)) => {
            // One message: what happened, what to try, and what was (not) saved. With early
            // stopping, the parameters of the lowest validation cost are the ones to keep.
            let best = seen
                .as_ref()
                .filter(|s| s.early_stopping().is_some())
                .and_then(|s| s.best());
            let (saved, saved_step) = match (d.last_good, best) {
                (_, Some((best, cost))) if args.save_last_good => {
                    let model_setup =
                        model_setup((setup, from), weighed, &data, watched, best + 1, None);
                    save_model_with(&args.save, &net, &model_setup, &data.spec)
                        .context("training diverged and the best model could not be saved")?;
                    let step = format!("{unit} {best}, the lowest validation cost");
                    let message = format!(
                        "saved the parameters of {step} ({}), to {}",
                        dnn_core::cost::shown(cost),
                        args.save.display()
                    );
                    (message, Some(step))
                }
                (_, Some((best, cost))) => (
                    format!(
                        "nothing saved (pass --save-last-good to keep the parameters of {unit} \
                         {best}, the lowest validation cost ({}))",
                        dnn_core::cost::shown(cost)
                    ),
                    None,
                ),
                // Not one update from --from's parameters: its file is left as it is.
                (Some(good), None) if from.is_some() && good.updates == 0 => (
                    format!(
                        "nothing saved (no iteration improved on {}'s parameters)",
                        from.map(|f| f.path.display().to_string())
                            .unwrap_or_default()
                    ),
                    None,
                ),
                (Some(good), None) if args.save_last_good => {
                    let model_setup = model_setup(
                        (setup, from),
                        weighed,
                        &data,
                        watched,
                        good.step.epoch,
                        Some(good.cost),
                    );
                    save_model_with(&args.save, &net, &model_setup, &data.spec)
                        .context("training diverged and the last good model could not be saved")?;
                    let message = format!(
                        "saved the parameters of {} (cost {}) to {}",
                        good.step,
                        dnn_core::cost::shown(good.cost),
                        args.save.display()
                    );
                    (message, Some(good.step.to_string()))
                }
                (Some(good), None) => (
                    format!(
                        "nothing saved (pass --save-last-good to keep the parameters of {})",
                        good.step
                    ),
                    None,
                ),
                (None, None) => (
                    "nothing saved (no iteration had a usable cost)".to_owned(),
                    None,
                ),
            };
            // The costs up to divergence, where asked for: a picture of the run away, and a
            // report for the scripts that sweep learning rates.
            let costs = d.costs_every(args.print_every);
            let mut written = Vec::new();
            if let Some(path) = &args.plot {
                plot::cost_curve(path, &costs, setup.learning_rate, unit, None)
                    .with_context(|| format!("--plot {}", path.display()))?;
                written.push(format!("--plot {}", path.display()));
            }
            if let Some(path) = &args.report {
                let file = TrainReport {
                    diverged: Some(DivergedReport {
                        at: d.at.to_string(),
                        cause: d.cause.to_string(),
                        saved: saved_step,
                    }),
                    ..run_report::<F>(
                        (setup, hyper, from),
                        (&layers, &data, class_weights.as_ref()),
                        costs,
                        (d.costs.len(), false),
                        started.elapsed().as_secs_f64(),
                    )
                };
                write_json(path, &file).with_context(|| format!("--report {}", path.display()))?;
                written.push(format!("--report {}", path.display()));
            }
            let written = match written.is_empty() {
                true => String::new(),
                false => format!("; wrote {}", written.join(" and ")),
            };
            bail!(
                "training diverged at {}: {}; {}; {saved}{written}",
                d.at,
                d.cause,
                hyper.divergence_advice(setup.learning_rate, mean_weight)
            );
        }
        Err(err) => return Err(err.into()),
    };
    let interrupted = crate::validation::interrupted(&report, seen.as_ref());
    // Stopped between two mini-batches: the model holds that epoch's batches so far, unless
    // early stopping puts back its best epoch's parameters.
    let partial = report.partial_epoch().filter(|_| interrupted).map(|p| {
        (
            p,
            seen.as_ref().is_none_or(|s| s.early_stopping().is_none()),
        )
    });
    if interrupted {
        tell!(
            "{}",
            interrupted_line(report.iterations_run(), setup.iterations, unit, partial)
        );
    }
    if let Some(line) = seen
        .as_ref()
        .and_then(|s| stopping_line(s, unit, interrupted))
    {
        say!("{line}");
    }

    let test_x = data.test_x.view();
    let (mut val_accuracy, mut val_scores) = (None, None);
    // With class weights: each part's balanced accuracy.
    let mut balanced = Vec::new();
    let (train_accuracy, test_accuracy, regression) = match data.spec.regression {
        Some(scale) => {
            let train = regression_scores(&net, train_x.view(), &data.train_values, scale)?;
            say!("{}", regression_scores_line("Train", &train));
            if let (Some(h), Some((x, _))) = (&held_out, &validation_set) {
                let scores = regression_scores(&net, x.view(), &h.values, scale)?;
                say!("{}", regression_scores_line("Validation", &scores));
                val_scores = Some(scores);
            }
            let test = regression_scores(&net, test_x.view(), &data.test_values, scale)?;
            say!("{}", regression_scores_line("Test", &test));
            if let Some(warning) = regression_warning(&train, &test) {
                tell!("warning: {warning}");
            }
            let report = RegressionReport {
                target: target_name(&data).unwrap_or("y").to_owned(),
                train,
                test,
                target_mean: scale.mean,
                target_std: scale.std,
            };
            (None, None, Some(report))
        }
        None => {
            let train_accuracy = net.accuracy(train_x, &train_y)?;
            say!("Train accuracy: {train_accuracy:.6}");
            if let Some((x, y)) = &validation_set {
                let accuracy = net.accuracy(*x, y)?;
                say!("{}", crate::validation::accuracy_line(accuracy));
                val_accuracy = Some(accuracy);
            }
            let test_accuracy = net.accuracy(test_x, &data.test_y::<F>())?;
            say!("Test accuracy: {test_accuracy:.6}");
            // With class weights, or classes far from even (where the accuracy flatters a
            // network that answers the common class): each part's balanced accuracy.
            let uneven = is_uneven(&crate::data::all_class_counts(&data));
            if class_weights.is_some() || uneven {
                let mut parts = vec![("train", train_x, &data.train_labels[..])];
                if let (Some(h), Some((x, _))) = (&held_out, &validation_set) {
                    parts.push(("validation", x.view(), &h.labels[..]));
                }
                parts.push(("test", test_x, &data.test_labels[..]));
                balanced = balanced_accuracies(&net, &parts, data.spec.classes.len())?;
                say!("{}", balanced_line(&balanced, data.spec.classes.len()));
            }
            let warning = match class_weights {
                // Weighted, the accuracy gives way to the rarer classes' recall by design.
                Some(_) => balanced_warning(&balanced),
                None => majority_warning(&data.spec.classes, &data.test_labels, test_accuracy),
            };
            if let Some(warning) = warning {
                tell!("warning: {warning}");
            }
            (Some(train_accuracy), Some(test_accuracy), None)
        }
    };

    // With the best iteration's parameters restored, the model is what that many made.
    let (iterations_run, final_cost) = crate::validation::kept(&report, seen.as_ref());
    let mut model_setup = model_setup(
        (setup, from),
        weighed,
        &data,
        watched,
        iterations_run,
        final_cost,
    );
    // The batches of a stopped epoch that the parameters hold (early stopping put back a
    // whole epoch's instead).
    model_setup.batches_run = partial
        .filter(|&(_, kept)| kept)
        .map(|(p, _)| p.batches_run as u64);
    save_model_with(&args.save, &net, &model_setup, &data.spec)?;
    if !args.quiet {
        say!("Saved the model to {}", args.save.display());
    }
    let costs = report.costs_every(args.print_every);
    if let Some(path) = &args.plot {
        let best = seen.as_ref().and_then(|s| s.early_stopping().and(s.best()));
        let points = plotted(&report, args.print_every, best.map(|b| b.0));
        let validation = seen.as_ref().map(|s| plot::ValidationCurve::of(s, &points));
        plot::cost_curve(
            path,
            &points,
            setup.learning_rate,
            unit,
            validation.as_ref(),
        )
        .with_context(|| format!("--plot {}", path.display()))?;
        if !args.quiet {
            say!("Saved the cost curve to {}", path.display());
        }
    }
    if let Some(path) = &args.report {
        let file = TrainReport {
            train_accuracy,
            test_accuracy,
            balanced_accuracy: (!balanced.is_empty()).then(|| by_part(&balanced)),
            regression,
            gflops: Some(report.diagnostics().gflops),
            validation: match (&held_out, &seen) {
                (Some(h), Some(s)) => Some(crate::validation::report(
                    h,
                    s,
                    costs.iter().map(|&(i, _)| i),
                    val_accuracy,
                    val_scores,
                )),
                _ => None,
            },
            ..run_report::<F>(
                (setup, hyper, from),
                (&layers, &data, class_weights.as_ref()),
                costs.clone(),
                (report.iterations_run(), interrupted),
                report.elapsed().as_secs_f64(),
            )
        };
        let file = TrainReport {
            batches_run: partial.map(|(p, _)| p.batches_run),
            ..file
        };
        write_json(path, &file).with_context(|| format!("--report {}", path.display()))?;
        if !args.quiet {
            say!("Saved the report to {}", path.display());
        }
    }
    if interrupted {
        return Err(Exit(EXIT_INTERRUPTED).into());
    }
    Ok(())
}

/// What `dnn train` says on stderr when Ctrl-C stopped it after `ran` of `planned` iterations
/// (epochs): `interrupted after 3 of 10 epochs`; inside an epoch, with `partial` (where, and
/// whether the model keeps those batches' updates), `interrupted after 3 of 10 epochs and 1200
/// of the 3125 mini-batches of epoch 3; the model holds their updates`.
fn interrupted_line(
    ran: usize,
    planned: usize,
    unit: &str,
    partial: Option<(dnn_core::PartialEpoch, bool)>,
) -> String {
    let line = format!("interrupted after {ran} of {}", count(planned, unit));
    match partial {
        None => line,
        Some((p, kept)) => format!(
            "{line} and {} of the {} mini-batches of epoch {}; {}",
            p.batches_run,
            p.batches,
            p.epoch,
            match kept {
                true => "the model holds their updates",
                false => "early stopping keeps its best epoch's parameters, not theirs",
            }
        ),
    }
}

/// Runs of at most this many iterations are plotted at every one of them ([`plotted`]).
const EVERY_POINT_UP_TO: usize = 100;

/// The `(iteration, cost)` points `--plot` draws of a run's training costs: every one of a
/// run of at most [`EVERY_POINT_UP_TO`] iterations; else every `every`-th and the last, as
/// printed, and early stopping's `best` iteration, so that its marker sits on the curves as
/// drawn (not beside a straight line between two print steps).
fn plotted(report: &dnn_core::TrainReport, every: usize, best: Option<usize>) -> Vec<(usize, f64)> {
    let all = report.costs();
    let step = if all.len() <= EVERY_POINT_UP_TO {
        1
    } else {
        every
    };
    with_step(report.costs_every(step), all, best)
}

/// `points` (in order of iteration) with iteration `step` of the costs `all` among them.
fn with_step(mut points: Vec<(usize, f64)>, all: &[f64], step: Option<usize>) -> Vec<(usize, f64)> {
    if let Some(s) = step.filter(|&s| s < all.len()) {
        if let Err(at) = points.binary_search_by_key(&s, |p| p.0) {
            points.insert(at, (s, all[s]));
        }
    }
    points
}

/// A regression's scores on one part (`dnn train`'s and `dnn serve`'s): the network's
/// outputs for `x`, in the target's units by `scale`, against the true values `truth`.
pub fn regression_scores<F: Float>(
    net: &Network<F>,
    x: ArrayView2<'_, F>,
    truth: &[f64],
    scale: TargetScale,
) -> Result<RegressionScores, DnnError> {
    let values = scale.unscaled_all(&net.predict(x)?);
    Ok(RegressionScores::new(&values, truth))
}

/// What `--report` records of any run, its class weights, `(iterations run, interrupted)` and
/// the seconds it trained included; the scores, the rate and the validation part are the caller's.
fn run_report<F: Float>(
    (setup, hyper, from): (&Setup, &Hyper, Option<&StartFrom>),
    (layers, data, class_weights): (&[usize], &Dataset<F>, Option<&ClassWeights>),
    costs: Vec<(usize, f64)>,
    (iterations_run, interrupted): (usize, bool),
    train_seconds: f64,
) -> TrainReport {
    TrainReport {
        arch: match from {
            Some(_) => "model".to_owned(),
            None => setup.arch.name().to_owned(),
        },
        layers: layers.to_vec(),
        dtype: F::NAME.to_owned(),
        learning_rate: setup.learning_rate,
        iterations: setup.iterations,
        iterations_run,
        interrupted,
        batches_run: None,
        seed: setup.seed,
        init: match from {
            Some(_) => "model".to_owned(),
            None => setup.init.name().to_owned(),
        },
        from: from.map(|f| f.path.display().to_string()),
        training: hyper.report(),
        costs,
        train_accuracy: None,
        test_accuracy: None,
        balanced_accuracy: None,
        regression: None,
        train_seconds,
        gflops: None,
        classes: data.spec.classes.clone(),
        class_weights: class_weights.map(|w| w.as_slice().to_vec()),
        data: data_report(data),
        validation: None,
        diverged: None,
    }
}

/// `--data` read for `--from`'s model: with its spec, and a source without a test part split
/// as `--test-split` and `--split-seed` say, by default as the model's data was.
fn load_to_continue<F: Float>(
    args: &TrainArgs,
    flags: &ReadFlags,
    from: &StartFrom,
) -> anyhow::Result<Dataset<F>> {
    // Not the cat set's advice (the default --data) for a model of other data.
    if !args.data.data.exists() {
        bail!(
            "--data {}: no such file or folder; --from {} takes {}{}: give --data, data of that \
             kind",
            args.data.data.display(),
            from.path.display(),
            from.spec.input.describe(),
            from.model
                .setup
                .data
                .as_deref()
                .map_or(String::new(), |d| format!(" (it was trained on `{d}`)")),
        );
    }
    let trained = ModelReading::as_trained(&from.model, &from.spec, Parts::Split);
    let reading = ModelReading {
        test_split: flags.test_split.unwrap_or(trained.test_split),
        split_seed: flags.split_seed.unwrap_or(trained.split_seed),
        drop_unlabeled: flags.unlabeled.drop_unlabeled || trained.drop_unlabeled,
        decimal_comma: flags.decimal.decimal_comma || trained.decimal_comma,
        parse_numbers: flags.decimal.parse_numbers || trained.parse_numbers,

        ..trained
    };
    let mut data = load_for_model(
        &args.data.data,
        flags.format,
        flags.target.as_deref(),
        &flags
            .image_names
            .names_for(&from.model.setup, &args.data.data),
        reading,
        &from.path,
    )?;
    // The model goes on knowing the values it was trained on before: the ranges it will
    // record span both trainings' (the same inputs, z-scored alike).
    if let (Some(new), Some(before)) = (&mut data.spec.ranges, &from.spec.ranges) {
        *new = new.union(before);
    }
    check_split_flags(&data, flags, &args.data.data)?;
    warn_classes(&data);
    let setup = &from.model.setup;
    let own = trained_on(&from.model, &data) == Some(true);
    if !own {
        warn_left_out(&data, &args.data.data, &from.path);
    }
    if own && resplit(&data, setup) {
        tell!(
            "warning: --data is {}'s own data, split otherwise than its training split it: \
             the new test part holds examples it was trained on, so its test scores are not of \
             unseen data (leave out --test-split and --split-seed to keep its test part)",
            from.path.display()
        );
    }
    let counts = class_counts(&data.train_labels, data.spec.classes.len());
    let missing: Vec<&str> = (data.spec.classes.iter().zip(&counts))
        .filter(|(_, &n)| n == 0)
        .map(|(c, _)| c.as_str())
        .collect();
    if !missing.is_empty() {
        tell!(
            "warning: {} of {}'s classes ({}) {} no training example in --data: training can \
             only teach the model to predict {} less",
            missing.len(),
            from.path.display(),
            missing.join(", "),
            if missing.len() == 1 { "has" } else { "have" },
            if missing.len() == 1 { "it" } else { "them" },
        );
    }
    Ok(data)
}

/// Whether `data`'s test part was split off otherwise (fraction or seed) than `setup`, a
/// model's, records of its own data's split.
fn resplit<F: Float>(data: &Dataset<F>, setup: &TrainingSetup) -> bool {
    data.source.split.is_some_and(|s| {
        Some(s.fraction) != setup.test_split || Some(u64::from(s.seed)) != setup.split_seed
    })
}

/// The warning when `--from`'s model goes on with its own data (`from`) and the validation
/// part `held_out` is not the one it was trained beside, if it had one: the part then holds
/// examples the model was trained on, so its cost (and early stopping's choice) is not of
/// unseen data. `None` when the part is the model's own, or `from` is `None` (a new network,
/// or other data).
fn seen_validation_warning<F: Float>(
    from: Option<&StartFrom>,
    data: &Dataset<F>,
    held_out: &HeldOut<F>,
    flags: &ValidationFlags,
) -> Option<String> {
    let from = from?;
    let setup = &from.model.setup;
    let same_part = setup.validation_split == Some(held_out.split.fraction)
        && setup.split_seed == Some(u64::from(held_out.split.seed))
        && !resplit(data, setup);
    if same_part {
        return None;
    }
    let model = from.path.display();
    let (how, advice) = match setup.validation_split {
        Some(_) => (
            "with a validation part other than the one it was trained beside",
            "leave out --validation-split and --split-seed to keep its validation part".to_owned(),
        ),
        None => {
            let given: Vec<&str> = [
                ("--validation-split", flags.validation_split.is_some()),
                ("--early-stopping", flags.early_stopping),
            ]
            .into_iter()
            .filter_map(|(flag, given)| given.then_some(flag))
            .collect();
            (
                "and it held out no validation part",
                format!("leave out {} to train on without one", given.join(" and ")),
            )
        }
    };
    Some(format!(
        "--data is {model}'s own data, {how}: the new validation part holds examples it was \
         trained on, so its validation cost (and early stopping) is not of unseen data ({advice})"
    ))
}

/// What the model file records of the run, its class weights, its validation part `held_out`
/// and early stopping's `rule` included ([`crate::validation::record`]).
fn model_setup<X: Float>(
    (setup, from): (&Setup, Option<&StartFrom>),
    (hyper, class_weights): (&Hyper, Option<&ClassWeights>),
    data: &Dataset<X>,
    (held_out, rule): (Option<&HeldOut<X>>, Option<EarlyStopping>),
    iterations_run: usize,
    final_cost: Option<f64>,
) -> TrainingSetup {
    // From a model, neither the preset nor an initialisation made the parameters.
    let mut recorded = TrainingSetup {
        arch: from.is_none().then(|| setup.arch.name().to_owned()),
        init: from.is_none().then(|| setup.init.name().to_owned()),
        started_from: from
            .and_then(|f| f.path.file_name())
            .map(|n| n.to_string_lossy().into_owned()),
        seed: Some(u64::from(setup.seed)),
        learning_rate: Some(setup.learning_rate),
        iterations: Some(setup.iterations as u64),
        iterations_run: Some(iterations_run as u64),
        final_cost,
        optimizer: Some(hyper.optimizer.name().to_owned()),
        batch_size: hyper.batch_size.map(|b| b as u64),
        l2: Some(hyper.l2),
        keep_prob: Some(hyper.keep_prob),
        class_weights: class_weights.map(|w| w.as_slice().to_vec()),
        ..TrainingSetup::default()
    };
    crate::data::record_data(&mut recorded, &data.source);
    crate::validation::record(&mut recorded, held_out, rule);
    recorded
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::CommandFactory;

    #[test]
    fn the_plot_has_a_point_at_the_best_iteration() {
        let all = [0.9, 0.8, 0.7, 0.75, 0.8];
        let printed = vec![(0, 0.9), (4, 0.8)];
        assert_eq!(
            super::with_step(printed.clone(), &all, Some(2)),
            [(0, 0.9), (2, 0.7), (4, 0.8)]
        );
        // Already a point, none, or past the run: as they were.
        assert_eq!(super::with_step(printed.clone(), &all, Some(4)), printed);
        assert_eq!(super::with_step(printed.clone(), &all, None), printed);
        assert_eq!(super::with_step(printed.clone(), &all, Some(9)), printed);
    }

    #[test]
    fn the_help_states_the_divergence_factor() {
        assert_eq!(
            dnn_core::DEFAULT_DIVERGENCE_FACTOR,
            10.0,
            "update --save-last-good's help"
        );
        let mut cmd = Cli::command();
        let train = cmd.find_subcommand_mut("train").expect("train");
        let help = train.render_long_help().to_string();
        assert!(
            help.contains("exceeds 10 times its value at iteration 0"),
            "{help}"
        );
    }
}
