//! `dnn toy`: the course's "Optimization methods" set-up on scikit-learn's 2-D toy sets —
//! mini-batch gradient descent, momentum and Adam on the moons (or circles), their costs,
//! accuracies and decision boundaries.

use std::ops::ControlFlow;

use anyhow::{bail, Context};
use dnn_core::{Init, Network, NumpyRng};
use dnn_data::toy::{make_circles, make_moons};

use dnn_report::{ToyReport, ToyRun};

use crate::boundary::panel;
use crate::cli::{OptimizerArg, ToyArgs, ToyDataset};
use crate::hyper::Hyper;
use crate::plot;
use crate::progress::epoch_line;
use crate::report::{check_outputs, write_json};

/// The course's mini-batch size.
const BATCH_SIZE: usize = 64;

pub fn run(args: ToyArgs) -> anyhow::Result<()> {
    check_outputs(
        &[
            (args.plot.as_deref(), "--plot"),
            (args.report.as_deref(), "--report"),
        ],
        args.plot.as_deref(),
    )?;
    let layers = &args.layers.0;
    if layers[0] != 2 {
        bail!(
            "the first layer size must be 2 (the toy points are 2-D), not {}",
            layers[0]
        );
    }
    if layers.last() != Some(&1) {
        bail!(
            "the last layer size must be 1 (one sigmoid output: class 0 or 1), not {:?}",
            layers.last()
        );
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
            let config = hyper.params(args.learning_rate, args.epochs).check()?;
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
        ToyDataset::Circles => make_circles(args.samples, true, Some(noise), args.factor, &mut rng),
    };
    let init = Init::from(args.init);

    let mut runs = Vec::new();
    let mut panels = Vec::new();
    for (hyper, config) in &hypers {
        let quiet = args.quiet || args.compare;
        let mut net = Network::<f64>::builder(layers)
            .init(init)
            .build(&mut NumpyRng::new(args.seed))?;
        let report = net
            .train(&x, &y, config, |p| {
                if !quiet && p.iteration % args.print_every == 0 {
                    println!("{}", epoch_line(p.iteration, p.cost));
                }
                ControlFlow::Continue(())
            })
            .with_context(|| format!("training with {}", hyper.optimizer.name()))?;
        let accuracy = net.accuracy(&x, &y)?;
        if !args.compare {
            println!("Accuracy: {accuracy:.4}");
        }
        panels.push(panel(
            &net,
            &x,
            &y,
            format!("{} — accuracy {accuracy:.4}", title(hyper)),
        )?);
        runs.push(ToyRun {
            training: hyper.report(),
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
            "{}: decision boundaries after {} epochs (mini-batch {}, learning rate {})",
            capitalised(args.dataset.name()),
            args.epochs,
            hypers[0]
                .0
                .batch_size
                .map_or_else(|| "full".to_owned(), |b| b.to_string()),
            args.learning_rate
        );
        plot::decision_boundaries(path, &panels, &title)
            .with_context(|| format!("--plot {}", path.display()))?;
        if !args.quiet {
            println!("Saved the decision boundaries to {}", path.display());
        }
    }
    if let Some(path) = &args.report {
        let report = ToyReport {
            dataset: args.dataset.name().to_owned(),
            samples: args.samples,
            noise,
            factor: (args.dataset == ToyDataset::Circles).then_some(args.factor),
            data_seed,
            layers: layers.clone(),
            init: init.name().to_owned(),
            seed: args.seed,
            learning_rate: args.learning_rate,
            epochs: args.epochs,
            runs,
        };
        write_json(path, &report).with_context(|| format!("--report {}", path.display()))?;
        if !args.quiet {
            println!("Saved the report to {}", path.display());
        }
    }
    Ok(())
}

/// The `--compare` table: final cost and accuracy per optimiser.
fn print_table(runs: &[ToyRun], epochs: usize) {
    println!(
        "{:<10} {:>22} {:>9}",
        "optimizer",
        format!("cost (epoch {})", epochs - 1),
        "accuracy"
    );
    for r in runs {
        println!(
            "{:<10} {:>22.6} {:>9.4}",
            r.training.optimizer,
            r.final_cost.unwrap_or(f64::NAN),
            r.accuracy
        );
    }
}

fn title(hyper: &Hyper) -> &'static str {
    match hyper.optimizer {
        dnn_core::optim::Optimizer::GradientDescent => "Gradient descent",
        dnn_core::optim::Optimizer::Momentum { .. } => "Momentum",
        dnn_core::optim::Optimizer::Adam { .. } => "Adam",
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_capitalised() {
        assert_eq!(super::capitalised("moons"), "Moons");
    }
}
