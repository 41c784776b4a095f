//! The command line: every subcommand, flag and its help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use dnn_core::Init;

/// Deep fully-connected networks, step by step: train, evaluate and use the
/// 64x64 cat classifier of the classic numpy exercise.
#[derive(Debug, Parser)]
#[command(name = "dnn", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a network on the cat data set (defaults reproduce the published L-layer model).
    Train(TrainArgs),
    /// Accuracy and confusion counts of a saved model on the cat data set.
    Evaluate(EvaluateArgs),
    /// Classify your own pictures (JPEG or PNG, any size) as cat or non-cat.
    Predict(PredictArgs),
    /// The shallow chapter: a two-layer tanh network on the 2-D flower data set.
    Planar(PlanarArgs),
    /// Optimisers on scikit-learn's 2-D toy sets (moons, circles): the course's
    /// "Optimization methods" set-up, with decision-boundary pictures.
    Toy(ToyArgs),
}

/// The published set-ups of the exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Arch {
    /// [12288,20,7,5,1], init scaled, learning rate 0.0075, 2500 iterations, seed 1.
    Deep,
    /// [12288,7,1], init small, learning rate 0.0075, 2500 iterations, seed 1.
    TwoLayer,
    /// [12288,1] (logistic regression), init zeros, learning rate 0.005, 2000 iterations.
    Logistic,
}

impl Arch {
    /// The name as typed on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Arch::Deep => "deep",
            Arch::TwoLayer => "two-layer",
            Arch::Logistic => "logistic",
        }
    }
}

/// Weight initialisation, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitArg {
    /// randn * 0.01 (the exercise's initialize_parameters).
    Small,
    /// randn / sqrt(n[l-1]) (the published L-layer model).
    Scaled,
    /// randn * sqrt(2 / n[l-1]).
    He,
    /// randn * sqrt(2 / (n[l-1] + n[l])).
    Xavier,
    /// All zeros (logistic regression).
    Zeros,
    /// A random orthogonal matrix (QR of a Gaussian one).
    Orthogonal,
}

impl From<InitArg> for Init {
    fn from(value: InitArg) -> Self {
        match value {
            InitArg::Small => Init::Small,
            InitArg::Scaled => Init::Scaled,
            InitArg::He => Init::He,
            InitArg::Xavier => Init::Xavier,
            InitArg::Zeros => Init::Zeros,
            InitArg::Orthogonal => Init::Orthogonal,
        }
    }
}

/// The element type to train in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Dtype {
    /// 64-bit floats: reproduces numpy's numbers.
    F64,
    /// 32-bit floats: about twice as fast, same accuracies.
    F32,
}

/// A comma-separated list of sizes, e.g. `12288,20,7,5,1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sizes(pub Vec<usize>);

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// A published set-up; explicit flags below override its values.
    #[arg(long, value_enum, default_value = "deep")]
    pub arch: Arch,

    /// Layer sizes, input first, e.g. 12288,20,7,5,1 [default: from --arch].
    #[arg(long, value_parser = parse_layers)]
    pub layers: Option<Sizes>,

    /// Gradient-descent step size [default: from --arch].
    #[arg(long, value_parser = parse_learning_rate, allow_negative_numbers = true)]
    pub learning_rate: Option<f64>,

    /// Number of full-batch iterations, or of epochs with --batch-size [default: from --arch].
    #[arg(long, visible_alias = "epochs", value_parser = parse_positive, allow_negative_numbers = true)]
    pub iterations: Option<usize>,

    /// Seed of the numpy-compatible random generator [default: 1].
    #[arg(long, allow_negative_numbers = true)]
    pub seed: Option<u32>,

    /// Weight initialisation [default: from --arch].
    #[arg(long, value_enum)]
    pub init: Option<InitArg>,

    /// Element type.
    #[arg(long, value_enum, default_value = "f64")]
    pub dtype: Dtype,

    /// Directory with train_catvnoncat.h5 and test_catvnoncat.h5.
    #[arg(long, default_value = "data")]
    pub data: PathBuf,

    /// Print the cost every N iterations (and at the last one).
    #[arg(long, default_value = "100", value_parser = parse_positive, allow_negative_numbers = true)]
    pub print_every: usize,

    /// No cost lines and no progress bar; only the accuracies and errors.
    #[arg(long, short)]
    pub quiet: bool,

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
    /// DEFAULT_DIVERGENCE_FACTOR); the error names the iteration. Without this flag
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
}

/// Optimiser, mini-batch, learning-rate decay and regularisation flags, shared by
/// `dnn train` and `dnn toy`.
#[derive(Debug, Clone, Args)]
pub struct OptimFlags {
    /// Optimiser [default: gd for train, adam for toy].
    #[arg(long, value_enum)]
    pub optimizer: Option<OptimizerArg>,

    /// Momentum's beta, in [0, 1) [default: 0.9].
    #[arg(long, value_parser = parse_beta, allow_negative_numbers = true)]
    pub beta: Option<f64>,

    /// Adam's beta1, in [0, 1) [default: 0.9].
    #[arg(long, value_parser = parse_beta, allow_negative_numbers = true)]
    pub beta1: Option<f64>,

    /// Adam's beta2, in [0, 1) [default: 0.999].
    #[arg(long, value_parser = parse_beta, allow_negative_numbers = true)]
    pub beta2: Option<f64>,

    /// Adam's epsilon, > 0 [default: 1e-8].
    #[arg(long, value_parser = parse_epsilon, allow_negative_numbers = true)]
    pub epsilon: Option<f64>,

    /// Train in mini-batches of this many examples, reshuffled every epoch
    /// [default: full batch for train, 64 for toy].
    #[arg(long, value_parser = parse_positive, allow_negative_numbers = true)]
    pub batch_size: Option<usize>,

    /// Seed of the first epoch's shuffle; epoch e uses seed + e, as the course's
    /// random_mini_batches (its seed = 10, then + 1 before each epoch) [default: 11].
    #[arg(long, allow_negative_numbers = true)]
    pub shuffle_seed: Option<u32>,

    /// Learning-rate decay over epochs: none, inverse-time (α0 / (1 + rate·e)) or step
    /// (α0 / (1 + rate·floor(e / interval))) [default: none].
    #[arg(long, value_enum)]
    pub decay: Option<DecayArg>,

    /// The decay rate, ≥ 0 [default: 1].
    #[arg(long, value_parser = parse_non_negative, allow_negative_numbers = true)]
    pub decay_rate: Option<f64>,

    /// Epochs per step of --decay step [default: 1000].
    #[arg(long, value_parser = parse_positive, allow_negative_numbers = true)]
    pub decay_interval: Option<usize>,

    /// L2 regularisation lambda, ≥ 0 (0: off) [default: 0].
    #[arg(long, value_parser = parse_non_negative, allow_negative_numbers = true)]
    pub l2: Option<f64>,

    /// Inverted dropout on every hidden layer: the probability of keeping a unit, in
    /// (0, 1] (1: off). Masks come from the numpy-compatible generator seeded with 1, as
    /// the course's np.random.seed(1) [default: 1].
    #[arg(long, value_parser = parse_keep_prob, allow_negative_numbers = true)]
    pub keep_prob: Option<f64>,
}

/// An optimiser, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptimizerArg {
    /// Plain gradient descent: θ -= α d.
    Gd,
    /// Gradient descent with momentum (--beta).
    Momentum,
    /// Adam (--beta1, --beta2, --epsilon), with bias correction.
    Adam,
}

/// A learning-rate schedule, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecayArg {
    /// A constant learning rate.
    None,
    /// α0 / (1 + rate · epoch).
    InverseTime,
    /// α0 / (1 + rate · floor(epoch / interval)).
    Step,
}

/// A 2-D toy data set of scikit-learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ToyDataset {
    /// make_moons(300, noise 0.2) after np.random.seed(3), as the "Optimization methods" assignment.
    Moons,
    /// make_circles(300, noise 0.05, factor 0.8) after np.random.seed(1), as the "Initialization" assignment.
    Circles,
}

impl ToyDataset {
    /// The name as typed on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ToyDataset::Moons => "moons",
            ToyDataset::Circles => "circles",
        }
    }
}

#[derive(Debug, Args)]
pub struct ToyArgs {
    /// The data set.
    #[arg(long, value_enum, default_value = "moons")]
    pub dataset: ToyDataset,

    /// Train gd, momentum and adam with the same seeds and epochs and print a table.
    #[arg(long, conflicts_with = "optimizer")]
    pub compare: bool,

    /// Layer sizes, input first (2) and output last (1).
    #[arg(long, default_value = "2,5,2,1", value_parser = parse_layers)]
    pub layers: Sizes,

    /// Weight initialisation.
    #[arg(long, value_enum, default_value = "he")]
    pub init: InitArg,

    /// Seed of the weight initialisation.
    #[arg(long, default_value = "3", allow_negative_numbers = true)]
    pub seed: u32,

    /// Step size α (the start of the schedule with --decay).
    #[arg(long, default_value = "0.0007", value_parser = parse_learning_rate, allow_negative_numbers = true)]
    pub learning_rate: f64,

    /// Number of epochs.
    #[arg(long, default_value = "5000", value_parser = parse_positive, allow_negative_numbers = true)]
    pub epochs: usize,

    /// Points in the data set.
    #[arg(long, default_value = "300", value_parser = parse_positive, allow_negative_numbers = true)]
    pub samples: usize,

    /// Standard deviation of the Gaussian noise [default: 0.2 moons, 0.05 circles].
    #[arg(long, value_parser = parse_non_negative, allow_negative_numbers = true)]
    pub noise: Option<f64>,

    /// Circles only: radius of the inner circle relative to the outer one, in (0, 1).
    #[arg(long, default_value = "0.8", value_parser = parse_factor, allow_negative_numbers = true)]
    pub factor: f64,

    /// np.random.seed before generating the data [default: 3 moons, 1 circles].
    #[arg(long, allow_negative_numbers = true)]
    pub data_seed: Option<u32>,

    /// Print the cost every N epochs (single optimiser only).
    #[arg(long, default_value = "1000", value_parser = parse_positive, allow_negative_numbers = true)]
    pub print_every: usize,

    /// No cost lines; only the accuracies and errors.
    #[arg(long, short)]
    pub quiet: bool,

    /// Save the decision boundaries as a picture (.png or .svg), one panel per optimiser.
    #[arg(long)]
    pub plot: Option<PathBuf>,

    /// Write the set-up, the costs every --print-every epochs and the accuracies as JSON.
    #[arg(long)]
    pub report: Option<PathBuf>,

    #[command(flatten)]
    pub optim: OptimFlags,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The model file written by `dnn train`.
    #[arg(long)]
    pub model: PathBuf,

    /// Directory with train_catvnoncat.h5 and test_catvnoncat.h5.
    #[arg(long, default_value = "data")]
    pub data: PathBuf,

    /// Save a grid of the mislabelled test images (.png).
    #[arg(long)]
    pub mislabeled: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// The model file written by `dnn train`.
    #[arg(long)]
    pub model: PathBuf,

    /// One or more pictures (JPEG or PNG).
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PlanarArgs {
    /// Hidden units of the tanh layer.
    #[arg(long, default_value = "4", value_parser = parse_positive, allow_negative_numbers = true)]
    pub hidden: usize,

    /// Train one network per hidden size, e.g. 1,2,3,4,5,20,50, and print each accuracy.
    #[arg(long, value_parser = parse_sizes, conflicts_with = "hidden")]
    pub sweep: Option<Sizes>,

    /// Gradient-descent iterations per network.
    #[arg(long, default_value = "10000", value_parser = parse_positive, allow_negative_numbers = true)]
    pub iterations: usize,

    /// Gradient-descent step size.
    #[arg(long, default_value = "1.2", value_parser = parse_learning_rate, allow_negative_numbers = true)]
    pub learning_rate: f64,

    /// Also train logistic regression (no hidden layer) on the same data, for contrast.
    #[arg(long)]
    pub logistic: bool,

    /// Print the cost every N iterations (single network only).
    #[arg(long, default_value = "1000", value_parser = parse_positive, allow_negative_numbers = true)]
    pub print_every: usize,

    /// Seed that generates the flower data set.
    #[arg(long, default_value = "1", allow_negative_numbers = true)]
    pub data_seed: u32,

    /// Seed of the weight initialisation (randn * 0.01).
    #[arg(long, default_value = "2", allow_negative_numbers = true)]
    pub seed: u32,

    /// No cost lines; only the accuracies and errors.
    #[arg(long, short)]
    pub quiet: bool,

    /// Save the decision boundaries as a picture (.png or .svg), one panel per network.
    #[arg(long)]
    pub plot: Option<PathBuf>,

    /// Write the costs and accuracies as JSON.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

fn parse_sizes(s: &str) -> Result<Sizes, String> {
    s.split(',')
        .map(|part| match part.trim().parse::<usize>() {
            Ok(0) => Err("a hidden layer needs at least 1 unit".to_owned()),
            Ok(n) => Ok(n),
            Err(_) => Err(format!("`{}` is not a number of hidden units", part.trim())),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Sizes)
}

fn parse_layers(s: &str) -> Result<Sizes, String> {
    let sizes = s
        .split(',')
        .map(|part| {
            let part = part.trim();
            part.parse::<usize>()
                .map_err(|_| format!("`{part}` is not a layer size (a whole number)"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if sizes.len() < 2 {
        return Err(format!(
            "{} size given; a network needs at least an input and an output size, e.g. 12288,20,7,5,1",
            sizes.len()
        ));
    }
    if let Some(i) = sizes.iter().position(|&n| n == 0) {
        return Err(format!(
            "layer {i} has size 0; every layer needs at least one unit"
        ));
    }
    Ok(Sizes(sizes))
}

fn parse_learning_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(v) => Err(format!(
            "{v} is not a usable learning rate; it must be a finite number greater than 0"
        )),
        Err(_) => Err(format!("`{s}` is not a number")),
    }
}

fn parse_number(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .map_err(|_| format!("`{s}` is not a number"))
}

fn parse_beta(s: &str) -> Result<f64, String> {
    match parse_number(s)? {
        v if (0.0..1.0).contains(&v) => Ok(v),
        v => Err(format!("{v} is not a usable beta; it must be in [0, 1)")),
    }
}

fn parse_epsilon(s: &str) -> Result<f64, String> {
    match parse_number(s)? {
        v if v.is_finite() && v > 0.0 => Ok(v),
        v => Err(format!(
            "{v} is not a usable epsilon; it must be a finite number greater than 0"
        )),
    }
}

fn parse_non_negative(s: &str) -> Result<f64, String> {
    match parse_number(s)? {
        v if v.is_finite() && v >= 0.0 => Ok(v),
        v => Err(format!(
            "{v} is not usable here; it must be a finite number ≥ 0"
        )),
    }
}

fn parse_keep_prob(s: &str) -> Result<f64, String> {
    match parse_number(s)? {
        v if v > 0.0 && v <= 1.0 => Ok(v),
        v => Err(format!(
            "{v} is not a keep probability; it must be in (0, 1] (1 turns dropout off)"
        )),
    }
}

fn parse_factor(s: &str) -> Result<f64, String> {
    match parse_number(s)? {
        v if v > 0.0 && v < 1.0 => Ok(v),
        v => Err(format!(
            "{v} is not a usable circle factor; it must be in (0, 1)"
        )),
    }
}

fn parse_positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(v) => Ok(v),
        Err(_) => Err(format!("`{s}` is not a whole number greater than 0")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn layer_lists_are_checked() {
        assert_eq!(
            parse_layers("12288,20,7,5,1").unwrap(),
            Sizes(vec![12288, 20, 7, 5, 1])
        );
        assert!(parse_layers("12288")
            .unwrap_err()
            .contains("at least an input and an output"));
        assert!(parse_layers("12288,0,1")
            .unwrap_err()
            .contains("layer 1 has size 0"));
        assert!(parse_layers("12288,x,1")
            .unwrap_err()
            .contains("`x` is not a layer size"));
        assert!(parse_layers("").is_err());
    }

    #[test]
    fn list_flags_parse_into_sizes() {
        let cli = Cli::try_parse_from(["dnn", "train", "--layers", "12288,7,1"]).unwrap();
        let Command::Train(args) = cli.command else {
            panic!("train")
        };
        assert_eq!(args.layers, Some(Sizes(vec![12288, 7, 1])));
        let cli = Cli::try_parse_from(["dnn", "planar", "--sweep", "1,2,50"]).unwrap();
        let Command::Planar(args) = cli.command else {
            panic!("planar")
        };
        assert_eq!(args.sweep, Some(Sizes(vec![1, 2, 50])));
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

    #[test]
    fn negative_numbers_reach_the_value_parsers() {
        for (flag, says) in [
            ("--learning-rate", "not a usable learning rate"),
            ("--iterations", "not a whole number greater than 0"),
            ("--print-every", "not a whole number greater than 0"),
        ] {
            let err = Cli::try_parse_from(["dnn", "train", flag, "-1"]).unwrap_err();
            assert!(err.to_string().contains(says), "{flag}: {err}");
        }
    }

    #[test]
    fn learning_rates_must_be_positive_and_finite() {
        assert_eq!(parse_learning_rate("0.0075").unwrap(), 0.0075);
        for bad in ["0", "-1", "inf", "NaN", "abc"] {
            assert!(parse_learning_rate(bad).is_err(), "{bad}");
        }
    }
}
