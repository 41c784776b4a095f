//! `dnn toy`: the course's "Optimization methods" set-up on scikit-learn's 2-D toy sets —
//! mini-batch gradient descent, momentum and Adam on the moons (or circles), their costs,
//! accuracies and decision boundaries.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use dnn_core::{DnnError, Init, Network, NumpyRng};
use dnn_data::toy::{make_circles, make_moons};

use dnn_report::{ToyReport, ToyRun};

use crate::hyper::{Hyper, OptimFlags};
use crate::interrupt::Interrupt;
use crate::output::{say, tell};
use crate::plot::{self, BoundaryPanel};
use crate::progress::{epoch_line, interrupted_line};
use crate::report::{check_outputs, write_json};
use crate::text::capitalised;
use crate::values::{
    parse_factor, parse_layers, parse_learning_rate, parse_non_negative, parse_points,
    parse_positive, InitArg, OptimizerArg, Sizes,
};
use crate::{Exit, EXIT_INTERRUPTED};

/// The course's mini-batch size.
const BATCH_SIZE: usize = 64;
/// The circles' inner radius relative to the outer one when `--factor` is not given
/// (scikit-learn's `make_circles` default).
const FACTOR: f64 = 0.8;

pub fn run(args: ToyArgs) -> anyhow::Result<()> {
    // Its plot and report come after its printed lines: a reader going away (`| head`)
    // must not lose them. Without them, it ends quietly then.
    if args.plot.is_some() || args.report.is_some() {
        crate::output::keep_running_when_readers_leave();
    }
    check_outputs(
        &[
            (args.plot.as_deref(), "--plot"),
            (args.report.as_deref(), "--report"),
        ],
        &["--plot"],
        None,
    )?;
    if let (Some(_), ToyDataset::Moons) = (args.factor, args.dataset) {
        bail!(
            "--factor sets the inner circle's radius of --dataset circles, but the data set is \
             moons; leave out --factor (or add --dataset circles)"
        );
    }
    let factor = args.factor.unwrap_or(FACTOR);
    let layers = &args.layers.0;
    if layers[0] != 2 {
        bail!(
            "the first layer size must be 2 (the toy points are 2-D), not {}",
            layers[0]
        );
    }
    // parse_layers gives at least two sizes.
    let last = layers[layers.len() - 1];
    if last != 1 {
        bail!("the last layer size must be 1 (one sigmoid output: class 0 or 1), not {last}");
    }
    let optimizers = if args.compare {
        vec![OptimizerArg::Gd, OptimizerArg::Momentum, OptimizerArg::Adam]
    } else {
        vec![args.optim.optimizer.unwrap_or(OptimizerArg::Adam)]
    };
    // Every flag checked before any training.
    let hypers = optimizers
        .iter()
        .map(|&opt| {
            let hyper = Hyper::resolve(&args.optim, opt, Some(BATCH_SIZE), !args.compare)?;
            let config = hyper
                .params(args.learning_rate, args.epochs, None)
                .check()?;
            Ok((hyper, config))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;

    let (noise, data_seed) = match args.dataset {
        ToyDataset::Moons => (args.noise.unwrap_or(0.2), args.data_seed.unwrap_or(3)),
        ToyDataset::Circles => (args.noise.unwrap_or(0.05), args.data_seed.unwrap_or(1)),
    };
    let mut rng = NumpyRng::new(data_seed);
    let (x, y) = match args.dataset {
        ToyDataset::Moons => make_moons(args.samples, true, Some(noise), &mut rng),
        ToyDataset::Circles => make_circles(args.samples, true, Some(noise), factor, &mut rng),
    };
    let init = Init::from(args.init);

    let interrupt = Interrupt::graceful();
    let mut runs = Vec::new();
    let mut panels = Vec::new();
    for (hyper, config) in hypers.iter().take_while(|_| !interrupt.requested()) {
        let quiet = args.quiet || args.compare;
        let mut net = Network::<f64>::builder(layers)
            .init(init)
            .build(&mut NumpyRng::new(args.seed))?;
        let result = net.train(&x, &y, config, |p| {
            if !quiet && p.iteration % args.print_every == 0 {
                say!("{}", epoch_line(p.iteration, p.cost));
            }
            interrupt.control()
        });
        let report = match result {
            Ok(report) => report,
            // Nothing is saved: what happened, and what to try (dnn-core's own message
            // speaks of the parameters the network keeps, which the toy drops).
            Err(DnnError::Diverged(d)) => bail!(
                "training with {} diverged at {}: {}; {}",
                hyper.optimizer.name(),
                d.at,
                d.cause,
                hyper.divergence_advice(args.learning_rate, 1.0)
            ),
            Err(e) => {
                return Err(e).with_context(|| format!("training with {}", hyper.optimizer.name()))
            }
        };
        let accuracy = net.accuracy(&x, &y)?;
        if !args.compare {
            say!("Accuracy: {accuracy:.4}");
        }
        panels.push(BoundaryPanel::of_network(
            &net,
            &x,
            &y,
            format!("{} — accuracy {accuracy:.4}", title(hyper)),
        )?);
        runs.push(ToyRun {
            training: hyper.report(),
            epochs_run: report.iterations_run(),
            costs: report.costs_every(args.print_every),
            final_cost: report.final_cost(),
            accuracy,
            train_seconds: report.elapsed().as_secs_f64(),
        });
    }
    if args.compare {
        print_table(&runs, args.epochs);
    }
    if let Some(path) = &args.plot {
        let title = format!(
            "{}: decision boundaries after {} (mini-batch {}, learning rate {})",
            capitalised(args.dataset.name()),
            crate::text::count(args.epochs, "epoch"),
            hypers[0]
                .0
                .batch_size
                .map_or_else(|| "full".to_owned(), |b| b.to_string()),
            crate::metrics::exact(args.learning_rate)
        );
        plot::decision_boundaries(path, &panels, &title)
            .with_context(|| format!("--plot {}", path.display()))?;
        if !args.quiet {
            say!("Saved the decision boundaries to {}", path.display());
        }
    }
    // Cut short by Ctrl-C: a run stopped early, or one never started. A press after the
    // last run (during the plot or the report) cuts nothing.
    let interrupted = runs.len() < hypers.len() || runs.iter().any(|r| r.epochs_run < args.epochs);
    if let Some(path) = &args.report {
        let report = ToyReport {
            dataset: args.dataset.name().to_owned(),
            samples: args.samples,
            noise,
            factor: (args.dataset == ToyDataset::Circles).then_some(factor),
            data_seed,
            layers: layers.clone(),
            init: init.name().to_owned(),
            seed: args.seed,
            learning_rate: args.learning_rate,
            epochs: args.epochs,
            interrupted,
            runs: runs.clone(),
        };
        write_json(path, &report).with_context(|| format!("--report {}", path.display()))?;
        if !args.quiet {
            say!("Saved the report to {}", path.display());
        }
    }
    if interrupted {
        let last = runs
            .last()
            .map(|r| (r.epochs_run, format!("with {}", r.training.optimizer)));
        let full = runs.iter().filter(|r| r.epochs_run == args.epochs).count();
        let whole = (hypers.len() > 1).then_some((full, hypers.len(), "optimiser"));
        let last = last.as_ref().map(|(n, what)| (*n, what.as_str()));
        tell!("{}", interrupted_line(last, args.epochs, "epoch", whole));
        return Err(Exit(EXIT_INTERRUPTED).into());
    }
    Ok(())
}

/// `dnn toy`'s flags.
#[derive(Debug, Args)]
pub struct ToyArgs {
    /// The data set.
    #[arg(long, value_enum, default_value = "moons")]
    pub dataset: ToyDataset,

    /// Train gd, momentum and adam with the same seeds and epochs and print a table.
    #[arg(long, conflicts_with = "optimizer")]
    pub compare: bool,

    /// Layer sizes, input first (2) and output last (1).
    #[arg(long, default_value = "2,5,2,1", value_parser = parse_layers, allow_negative_numbers = true)]
    pub layers: Sizes,

    /// Weight initialisation.
    #[arg(long, value_enum, default_value = "he")]
    pub init: InitArg,

    /// Seed of the weight initialisation.
    #[arg(long, default_value = "3", value_parser = crate::values::parse_seed, allow_negative_numbers = true)]
    pub seed: u32,

    /// Step size α (the start of the schedule with --decay).
    #[arg(long, default_value = "0.0007", value_parser = parse_learning_rate, allow_negative_numbers = true)]
    pub learning_rate: f64,

    /// Number of epochs (passes over the points in mini-batches).
    #[arg(long, visible_alias = "iterations", default_value = "5000", value_parser = parse_positive, allow_negative_numbers = true)]
    pub epochs: usize,

    /// Points in the data set.
    #[arg(long, default_value = "300", value_parser = parse_points, allow_negative_numbers = true)]
    pub samples: usize,

    /// Standard deviation of the Gaussian noise [default: 0.2 moons, 0.05 circles].
    #[arg(long, value_parser = parse_non_negative, allow_negative_numbers = true)]
    pub noise: Option<f64>,

    /// Circles only: radius of the inner circle relative to the outer one, in (0, 1).
    #[arg(long, value_parser = parse_factor, allow_negative_numbers = true,
          help = format!("Circles only: radius of the inner circle relative to the outer one, in (0, 1) [default: {FACTOR}]"))]
    pub factor: Option<f64>,

    /// np.random.seed before generating the data [default: 3 moons, 1 circles].
    #[arg(long, value_parser = crate::values::parse_seed, allow_negative_numbers = true)]
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

/// The `--compare` table: final cost and accuracy per optimiser.
fn print_table(runs: &[ToyRun], epochs: usize) {
    say!(
        "{:<10} {:>22} {:>9}",
        "optimizer",
        format!("cost (epoch {})", epochs - 1),
        "accuracy"
    );
    for r in runs {
        say!(
            "{:<10} {:>22.6} {:>9.4}",
            r.training.optimizer,
            r.final_cost.unwrap_or(f64::NAN),
            r.accuracy
        );
    }
}

fn title(hyper: &Hyper) -> &'static str {
    match hyper.optimizer {
        dnn_core::Optimizer::GradientDescent => "Gradient descent",
        dnn_core::Optimizer::Momentum { .. } => "Momentum",
        dnn_core::Optimizer::Adam { .. } => "Adam",
    }
}
