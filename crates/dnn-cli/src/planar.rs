//! `dnn planar`: the exercise's shallow chapter — a two-layer tanh network on the
//! 2-D flower data set, the hidden-size sweep, and decision-boundary pictures.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use dnn_core::{Activation, DnnError, Init, Network, NumpyRng, TrainParams};
use dnn_data::planar::flower;
use ndarray::Array2;

use dnn_report::{PlanarReport, PlanarRun};

use crate::hyper::divergence_advice;
use crate::interrupt::Interrupt;
use crate::output::{say, tell};
use crate::plot::{self, BoundaryPanel};
use crate::progress::{cost_line, interrupted_line};
use crate::report::{check_outputs, write_json};
use crate::text::count;
use crate::values::{parse_learning_rate, parse_positive, parse_sizes, Sizes};
use crate::{Exit, EXIT_INTERRUPTED};

pub fn run(args: PlanarArgs) -> anyhow::Result<()> {
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
    let (x, y) = flower(args.data_seed);
    let config = TrainParams::new()
        .learning_rate(args.learning_rate)
        .iterations(args.iterations)
        .check()?;
    let sweep = args.sweep.clone().map(|s| s.0);
    let hidden_sizes = sweep.clone().unwrap_or_else(|| vec![args.hidden]);

    let quiet = args.quiet || sweep.is_some();
    let interrupt = Interrupt::graceful();
    let mut runs = Vec::new();
    let mut panels = Vec::new();
    // Trains one network, then records its accuracy, its decision-boundary panel and its
    // report; returns the accuracy in percent.
    let mut run =
        |net: Network<f64>, model: &str, hidden: usize, title: &str| -> anyhow::Result<f64> {
            let what = match hidden {
                0 => "logistic regression".to_owned(),
                n => format!("the network of {}", count(n, "hidden unit")),
            };
            let (net, report) =
                train_one(net, &x, &y, &config, (args.print_every, quiet), interrupt).map_err(
                    |e| match e {
                        DnnError::Diverged(d) => anyhow::anyhow!(
                            "training {what} diverged at {}: {}; {}",
                            d.at,
                            d.cause,
                            divergence_advice(args.learning_rate, (0.0, 1.0), 1.0)
                        ),
                        e => anyhow::Error::new(e).context(format!("training {what}")),
                    },
                )?;
            let (agree, total) = agreement(&net, &x, &y)?;
            let percent = (agree * 100) as f64 / total as f64;
            panels.push(BoundaryPanel::of_network(
                &net,
                &x,
                &y,
                format!("{title} — {percent:.2} %"),
            )?);
            runs.push(PlanarRun {
                model: model.into(),
                hidden,
                iterations_run: report.iterations_run(),
                costs: report.costs_every(args.print_every),
                accuracy: agree as f64 / total as f64,
            });
            Ok(percent)
        };
    if args.logistic {
        let net = Network::<f64>::builder(&[2, 1])
            .init(Init::Zeros)
            .build(&mut NumpyRng::new(args.seed))?;
        let accuracy = run(net, "logistic", 0, "Logistic regression")?;
        say!("Accuracy of logistic regression: {} %", py_float(accuracy));
    }
    for &n_h in hidden_sizes.iter().take_while(|_| !interrupt.requested()) {
        let net = Network::<f64>::builder(&[2, n_h, 1])
            .hidden_activation(Activation::Tanh)
            .init(Init::Small)
            .build(&mut NumpyRng::new(args.seed))?;
        let accuracy = run(net, "tanh", n_h, &format!("Hidden layer of size {n_h}"))?;
        if sweep.is_some() {
            say!("Accuracy for {n_h} hidden units: {} %", py_float(accuracy));
        } else {
            say!("Accuracy: {} %", py_float(accuracy));
        }
    }
    // Cut short by Ctrl-C: a run stopped early, or one never started. A press after the
    // last run (during the plot or the report) cuts nothing.
    let planned = hidden_sizes.len() + usize::from(args.logistic);
    let interrupted =
        runs.len() < planned || runs.iter().any(|r| r.iterations_run < args.iterations);
    if let Some(path) = &args.plot {
        let title = format!(
            "Flower data set: decision boundaries after {}",
            crate::text::count(args.iterations, "iteration")
        );
        plot::decision_boundaries(path, &panels, &title)
            .with_context(|| format!("--plot {}", path.display()))?;
        if !args.quiet {
            say!("Saved the decision boundaries to {}", path.display());
        }
    }
    if let Some(path) = &args.report {
        let report = PlanarReport {
            data_seed: args.data_seed,
            init_seed: args.seed,
            learning_rate: args.learning_rate,
            iterations: args.iterations,
            interrupted,
            runs: runs.clone(),
        };
        write_json(path, &report).with_context(|| format!("--report {}", path.display()))?;
        if !args.quiet {
            say!("Saved the report to {}", path.display());
        }
    }
    if interrupted {
        let full = runs
            .iter()
            .filter(|r| r.iterations_run == args.iterations)
            .count();
        let last = runs.last().map(|r| {
            let what = match r.hidden {
                0 => "of logistic regression".to_owned(),
                n => format!("of the network of {}", count(n, "hidden unit")),
            };
            (r.iterations_run, what)
        });
        tell!(
            "{}",
            interrupted_line(
                last.as_ref().map(|(n, what)| (*n, what.as_str())),
                args.iterations,
                "iteration",
                (planned > 1).then_some((full, planned, "network")),
            )
        );
        return Err(Exit(EXIT_INTERRUPTED).into());
    }
    Ok(())
}

/// `dnn planar`'s flags.
#[derive(Debug, Args)]
pub struct PlanarArgs {
    /// Hidden units of the tanh layer.
    #[arg(long, default_value = "4", value_parser = parse_positive, allow_negative_numbers = true)]
    pub hidden: usize,

    /// Train one network per hidden size, e.g. 1,2,3,4,5,20,50, and print each accuracy.
    #[arg(long, value_parser = parse_sizes, conflicts_with = "hidden", allow_negative_numbers = true)]
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
    #[arg(long, default_value = "1", value_parser = crate::values::parse_seed, allow_negative_numbers = true)]
    pub data_seed: u32,

    /// Seed of the weight initialisation (randn * 0.01).
    #[arg(long, default_value = "2", value_parser = crate::values::parse_seed, allow_negative_numbers = true)]
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

/// Trains, printing the exercise's cost line every `every` iterations unless `quiet`;
/// returns the network and the engine's report of the run.
fn train_one(
    mut net: Network<f64>,
    x: &Array2<f64>,
    y: &Array2<f64>,
    config: &dnn_core::TrainConfig,
    (every, quiet): (usize, bool),
    interrupt: Interrupt,
) -> Result<(Network<f64>, dnn_core::TrainReport), DnnError> {
    let report = net.train(x, y, config, |p| {
        if !quiet && (p.iteration % every == 0) {
            say!("{}", cost_line(p.iteration, p.cost));
        }
        interrupt.control()
    })?;
    Ok((net, report))
}

/// How many of the points the network classifies right, of how many. The exercise prints
/// `agree / total * 100`, which float rounding turns into `50.24999999999999` for 201 of 400;
/// `agree * 100 / total` is the nearest float to the true percentage (`50.25`), and equal to
/// the exercise's figure wherever that one prints exactly (67.5, 90.75, ...).
fn agreement(
    net: &Network<f64>,
    x: &Array2<f64>,
    y: &Array2<f64>,
) -> anyhow::Result<(usize, usize)> {
    let predictions = net.predict(x)?;
    let agree = predictions.iter().zip(y).filter(|(p, t)| p == t).count();
    Ok((agree, y.len()))
}

/// Formats a float as Python's `str()` does (`90.0`, `67.25`), so the lines read
/// exactly as the exercise prints them.
fn py_float(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::py_float;

    #[test]
    fn floats_print_as_python_prints_them() {
        assert_eq!(py_float(90.0), "90.0");
        assert_eq!(py_float(67.25), "67.25");
        assert_eq!(py_float(91.25), "91.25");
    }
}
