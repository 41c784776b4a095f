//! `dnn train`.

use std::ops::ControlFlow;

use anyhow::{bail, Context};
use dnn_core::gradcheck::gradient_check_sampled;
use dnn_core::{DnnError, Float, Network, NumpyRng};
use dnn_data::model::{save_model, TrainingSetup};
use dnn_data::CatDataset;
use ndarray::{s, Array2};

use crate::cli::{Dtype, OptimizerArg, TrainArgs};
use crate::hyper::Hyper;
use crate::interrupt::Interrupt;
use crate::presets::{resolve, Setup};
use crate::progress::Progress;
use crate::report::{check_outputs, write_json, TrainReport};
use crate::{plot, Exit, EXIT_INTERRUPTED};

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
    let setup = resolve(&args);
    let hyper = Hyper::resolve(
        &args.optim,
        args.optim.optimizer.unwrap_or(OptimizerArg::Gd),
        None,
        true,
    )?;
    check_outputs(
        &[
            (Some(&args.save), "--save"),
            (args.plot.as_deref(), "--plot"),
            (args.report.as_deref(), "--report"),
        ],
        args.plot.as_deref(),
    )?;
    match args.dtype {
        Dtype::F64 => train_as::<f64>(&args, &setup, &hyper),
        Dtype::F32 => train_as::<f32>(&args, &setup, &hyper),
    }
}

/// `--grad-check`: backpropagation against centred finite differences, in f64, on the
/// network as initialised and the first few training examples; fails above
/// [`GRAD_CHECK_FAIL`].
fn grad_check<F: Float>(
    setup: &Setup,
    x: &Array2<F>,
    y: &Array2<F>,
    quiet: bool,
) -> anyhow::Result<()> {
    let k = GRAD_CHECK_EXAMPLES.min(x.ncols());
    let x = x.slice(s![.., ..k]).mapv(|v| v.to_f64_lossless());
    let y = y.slice(s![.., ..k]).mapv(|v| v.to_f64_lossless());
    let net = Network::<f64>::builder(&setup.layers)
        .init(setup.init)
        .build(&mut NumpyRng::new(setup.seed))?;
    let diff = gradient_check_sampled(&net, &x, &y, GRAD_CHECK_EPSILON, GRAD_CHECK_PER_MATRIX)?;
    let what = format!(
        "on the first {k} training examples (up to {GRAD_CHECK_PER_MATRIX} of the entries of each W and b, of {} parameters; epsilon {GRAD_CHECK_EPSILON:e}): relative difference {diff:.3e}",
        net.num_parameters()
    );
    if !diff.is_finite() || diff > GRAD_CHECK_FAIL {
        bail!("gradient check {what}, above {GRAD_CHECK_FAIL:e}: backpropagation disagrees with the finite differences; not training");
    }
    if diff > GRAD_CHECK_WARN {
        eprintln!("warning: gradient check {what}, above {GRAD_CHECK_WARN:e} (a ReLU kink near a probed weight can cause this); training anyway");
    } else if !quiet {
        println!("Gradient check {what} (below {GRAD_CHECK_WARN:e}: backpropagation is right)");
    } else {
        println!("Gradient check: relative difference {diff:.3e}");
    }
    Ok(())
}

fn train_as<F: Float + hdf5::H5Type>(
    args: &TrainArgs,
    setup: &Setup,
    hyper: &Hyper,
) -> anyhow::Result<()> {
    let data = CatDataset::<F>::load(&args.data)
        .context("cannot load the cat data set (run `cargo xtask fetch-data` to get it)")?;
    let features = data.train_x.nrows();
    if setup.layers[0] != features {
        bail!(
            "the first layer size is {} but the images in {} have {features} features each ({}x{}x{}); start --layers with {features}",
            setup.layers[0],
            args.data.display(),
            data.image_shape()[0],
            data.image_shape()[1],
            data.image_shape()[2]
        );
    }
    if *setup.layers.last().unwrap_or(&0) != 1 {
        bail!(
            "the last layer size must be 1 (one sigmoid output: cat or non-cat), not {:?}",
            setup.layers.last()
        );
    }
    if args.grad_check {
        grad_check(setup, &data.train_x, &data.train_y, args.quiet)?;
    }
    let mut net = Network::<F>::builder(&setup.layers)
        .init(setup.init)
        .build(&mut NumpyRng::new(setup.seed))?;
    let config = hyper
        .params(setup.learning_rate, setup.iterations)
        .check()?;
    let interrupt = Interrupt::install()?;
    let progress =
        Progress::new(setup.iterations, args.print_every, args.quiet).per_epoch(hyper.per_epoch());

    let result = net.train(&data.train_x, &data.train_y, &config, |p| {
        progress.iteration(p.iteration, p.total, p.cost);
        if interrupt.requested() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    progress.finish();
    let report = match result {
        Ok(report) => report,
        Err(DnnError::Diverged {
            iteration,
            reason,
            last_good,
            costs,
            ..
        }) => {
            // One message: what happened, what to try, and what was (not) saved.
            let saved = match last_good {
                Some(i) if args.save_last_good => {
                    let model_setup = model_setup(setup, hyper, i + 1, costs.last().copied());
                    save_model(&args.save, &net, &model_setup)
                        .context("training diverged and the last good model could not be saved")?;
                    format!(
                        "saved the parameters of iteration {i} (cost {:.6}) to {}",
                        costs[i],
                        args.save.display()
                    )
                }
                Some(i) => format!(
                    "nothing saved (pass --save-last-good to keep the parameters of iteration {i})"
                ),
                None => "nothing saved (no iteration had a usable cost)".to_owned(),
            };
            bail!(
                "training diverged at iteration {iteration}: {reason}; try a smaller learning rate than {}; {saved}",
                setup.learning_rate
            );
        }
        Err(err) => return Err(err.into()),
    };
    if report.stopped_early() {
        eprintln!(
            "interrupted after {} of {} iterations",
            report.iterations_run(),
            setup.iterations
        );
    }

    let train_accuracy = net.accuracy(&data.train_x, &data.train_y)?;
    let test_accuracy = net.accuracy(&data.test_x, &data.test_y)?;
    println!("Train accuracy: {train_accuracy:.6}");
    println!("Test accuracy: {test_accuracy:.6}");

    let model_setup = model_setup(setup, hyper, report.iterations_run(), report.final_cost());
    save_model(&args.save, &net, &model_setup)?;
    if !args.quiet {
        println!("Saved the model to {}", args.save.display());
    }
    let costs = report.costs_every(args.print_every);
    if let Some(path) = &args.plot {
        plot::cost_curve(path, &costs, setup.learning_rate)
            .with_context(|| format!("--plot {}", path.display()))?;
        if !args.quiet {
            println!("Saved the cost curve to {}", path.display());
        }
    }
    if let Some(path) = &args.report {
        let file = TrainReport {
            arch: setup.arch.name().to_owned(),
            layers: setup.layers.clone(),
            dtype: F::NAME.to_owned(),
            learning_rate: setup.learning_rate,
            iterations: setup.iterations,
            iterations_run: report.iterations_run(),
            interrupted: report.stopped_early(),
            seed: setup.seed,
            init: setup.init.name().to_owned(),
            training: hyper.report(),
            costs,
            train_accuracy,
            test_accuracy,
            train_seconds: report.elapsed().as_secs_f64(),
            gflops: report.gflops(),
        };
        write_json(path, &file).with_context(|| format!("--report {}", path.display()))?;
        if !args.quiet {
            println!("Saved the report to {}", path.display());
        }
    }
    if report.stopped_early() {
        return Err(Exit(EXIT_INTERRUPTED).into());
    }
    Ok(())
}

fn model_setup(
    setup: &Setup,
    hyper: &Hyper,
    iterations_run: usize,
    final_cost: Option<f64>,
) -> TrainingSetup {
    TrainingSetup {
        arch: Some(setup.arch.name().to_owned()),
        init: Some(setup.init.name().to_owned()),
        seed: Some(u64::from(setup.seed)),
        learning_rate: Some(setup.learning_rate),
        iterations: Some(setup.iterations as u64),
        iterations_run: Some(iterations_run as u64),
        final_cost,
        optimizer: Some(hyper.optimizer.name().to_owned()),
        batch_size: hyper.batch_size.map(|b| b as u64),
        l2: Some(hyper.l2),
        keep_prob: Some(hyper.keep_prob),
    }
}
