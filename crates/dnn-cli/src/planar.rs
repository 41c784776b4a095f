//! `dnn planar`: the exercise's shallow chapter — a two-layer tanh network on the
//! 2-D flower data set, the hidden-size sweep, and decision-boundary pictures.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use dnn_core::{Activation, Init, Network, NumpyRng, TrainParams};
use dnn_data::planar::flower;
use ndarray::Array2;

use dnn_report::{PlanarReport, PlanarRun};

use crate::interrupt::Interrupt;
use crate::plot::{self, BoundaryPanel};
use crate::progress::cost_line;
use crate::report::{check_outputs, write_json};
use crate::values::{parse_learning_rate, parse_positive, parse_sizes, Sizes};
use crate::{Exit, EXIT_INTERRUPTED};

pub fn run(args: PlanarArgs) -> anyhow::Result<()> {
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
    // Trains one network, then records its accuracy, its decision-boundary panel and its report.
    let mut run =
        |net: Network<f64>, model: &str, hidden: usize, title: &str| -> anyhow::Result<f64> {
            let (net, costs) = train_one(net, &x, &y, &config, args.print_every, quiet, interrupt)?;
            let accuracy = percent(&net, &x, &y)?;
            panels.push(BoundaryPanel::of_network(
                &net,
                &x,
                &y,
                format!("{title} — {accuracy:.2} %"),
            )?);
            runs.push(PlanarRun {
                model: model.into(),
                hidden,
                costs,
                accuracy,
            });
            Ok(accuracy)
        };
    if args.logistic {
        let net = Network::<f64>::builder(&[2, 1])
            .init(Init::Zeros)
            .build(&mut NumpyRng::new(args.seed))?;
        let accuracy = run(net, "logistic", 0, "Logistic regression")?;
        println!("Accuracy of logistic regression: {} %", py_float(accuracy));
    }
    for &n_h in hidden_sizes.iter().take_while(|_| !interrupt.requested()) {
        let net = Network::<f64>::builder(&[2, n_h, 1])
            .hidden_activation(Activation::Tanh)
            .init(Init::Small)
            .build(&mut NumpyRng::new(args.seed))?;
        let accuracy = run(net, "tanh", n_h, &format!("Hidden layer of size {n_h}"))?;
        if sweep.is_some() {
            println!("Accuracy for {n_h} hidden units: {} %", py_float(accuracy));
        } else {
            println!("Accuracy: {} %", py_float(accuracy));
        }
    }
    let runs_done = panels.len();
    if let Some(path) = &args.plot {
        let title = format!(
            "Flower data set: decision boundaries after {}",
            crate::text::count(args.iterations, "iteration")
        );
        plot::decision_boundaries(path, &panels, &title)
            .with_context(|| format!("--plot {}", path.display()))?;
        if !args.quiet {
            println!("Saved the decision boundaries to {}", path.display());
        }
    }
    if let Some(path) = &args.report {
        let report = PlanarReport {
            data_seed: args.data_seed,
            init_seed: args.seed,
            learning_rate: args.learning_rate,
            iterations: args.iterations,
            runs,
        };
        write_json(path, &report).with_context(|| format!("--report {}", path.display()))?;
        if !args.quiet {
            println!("Saved the report to {}", path.display());
        }
    }
    if interrupt.requested() {
        eprintln!(
            "interrupted: {} of {} networks trained (the last one partly)",
            runs_done,
            hidden_sizes.len() + usize::from(args.logistic)
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

/// A trained network and its `(iteration, cost)` pairs.
type Trained = (Network<f64>, Vec<(usize, f64)>);

/// Trains, printing the exercise's cost lines unless `quiet`; returns the costs at
/// every `every`-th iteration and the last.
fn train_one(
    mut net: Network<f64>,
    x: &Array2<f64>,
    y: &Array2<f64>,
    config: &dnn_core::TrainConfig,
    every: usize,
    quiet: bool,
    interrupt: Interrupt,
) -> anyhow::Result<Trained> {
    let report = net.train(x, y, config, |p| {
        if !quiet && (p.iteration % every == 0) {
            println!("{}", cost_line(p.iteration, p.cost));
        }
        interrupt.control()
    })?;
    Ok((net, report.costs_every(every)))
}

/// Accuracy in percent, computed as the exercise does.
fn percent(net: &Network<f64>, x: &Array2<f64>, y: &Array2<f64>) -> anyhow::Result<f64> {
    let predictions = net.predict(x)?;
    let agree = predictions.iter().zip(y).filter(|(p, t)| p == t).count();
    Ok(agree as f64 / y.len() as f64 * 100.0)
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
