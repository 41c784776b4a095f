//! `dnn train --cross-validate K`: one set-up trained K times, each time tested on one fold
//! of the data and trained on the others, and the mean and spread of its scores. On a small
//! table one test part of 20 % gives a score that moves by several points with the split's
//! seed; K folds test every example once, and say how much the score moves.
//!
//! The folds are scikit-learn's `StratifiedKFold` for classes, `KFold` for a regression and
//! `GroupKFold` with `--group-by`, each shuffled by `--split-seed` (`dnn_data::split`). Each
//! fold is read as its own split: the z-score, fill values, text values and target scale are
//! fitted on its training folds alone, as training would fit them.

use anyhow::{bail, Context};
use dnn_core::{ClassWeights, DnnError, Float, NumpyRng};
use dnn_data::dataset::DEFAULT_SPLIT_SEED;
use dnn_data::split::Fold;
use dnn_data::{Dataset, HeldOut};
use dnn_report::{mean_std, CrossValidationReport, FoldScores};

use crate::class_weight::{
    balanced_accuracies, by_part, is_uneven, ClassWeightArg, TrainingPart, BALANCED,
};
use crate::data::{dates_line, filled_line, load_fold, one_hot_line, pictures_line, target_line};
use crate::hyper::Hyper;
use crate::interrupt::Interrupt;
use crate::metrics::significant;
use crate::model_file::refuse_overwrite;
use crate::output::{say, tell};
use crate::presets::Setup;
use crate::report::{check_outputs, write_json};
use crate::text::plural;
use crate::train::{builder, regression_scores, TrainArgs};
use crate::validation::{self, held_out_line, ValidationFlags};
use crate::{Exit, EXIT_INTERRUPTED};

/// Trains `setup` with `hyper` on each of `folds` folds of `--data` in turn and prints each
/// fold's scores, then their mean and standard deviation. Nothing is saved.
pub fn run<F: Float>(
    args: &TrainArgs,
    setup: &Setup,
    hyper: &Hyper,
    folds: usize,
) -> anyhow::Result<()> {
    if let Some(report) = &args.report {
        check_outputs(&[(Some(report), "--report")], &[], Some(&args.data.data))?;
        refuse_overwrite("--report", report, &[(&args.data.data, "the data")])?;
    }
    if args.validation.validation_split.is_some() && !args.validation.early_stopping {
        bail!(
            "with --cross-validate, --validation-split only serves --early-stopping (no fold \
             prints its costs, so the held-out part would only be taken from training); add \
             --early-stopping, or leave out --validation-split"
        );
    }
    let seed = args.data.reading.split_seed.unwrap_or(DEFAULT_SPLIT_SEED);
    // Quiet: the first Ctrl-C's usual line promises a model, and this run saves none.
    let interrupt = Interrupt::graceful_quiet();
    // Not with_capacity(folds): a K of billions is refused by the first fold's split.
    let mut scores = Vec::new();
    // The run's report, begun with fold 1 (its data's facts), its folds added at the end.
    let (mut report, mut examples): (Option<CrossValidationReport>, usize) = (None, 0);
    // Classes far from even over all the examples: every fold gives its balanced accuracies.
    let mut uneven = false;
    let unit = hyper.unit();
    for index in 0..folds {
        let fold = Fold { index, of: folds };
        // Fold 1 reads the file first: its errors are the file's. A later fold's are that
        // fold's own (a column with no number in its training folds, say).
        let mut data = match load_fold::<F>(&args.data.data, &args.data.reading, fold) {
            Err(e) if index > 0 => return Err(e.context(format!("fold {} of {folds}", index + 1))),
            loaded => loaded?,
        };
        if index == 0 {
            examples = data.train_len() + data.test_len();
            uneven = !data.is_regression() && is_uneven(&crate::data::all_class_counts(&data));
            if data.is_regression() && examples < 2 * folds {
                bail!(
                    "{folds} folds of {examples} examples leave a fold of one example, whose R² \
                     is not defined; give at most {} folds",
                    examples / 2
                );
            }
            say!("{}", data_line(&data, examples, folds, seed));
            let lines = [
                pictures_line(&data),
                target_line(&data, &args.data.reading),
                dates_line(&data),
            ];
            for line in lines.into_iter().flatten() {
                say!("{line}");
            }
            // What is fitted on the training folds: fold 1's, as an example.
            let fitted = [
                one_hot_line(&data),
                filled_line(&data, args.data.reading.fill_missing),
            ];
            for line in fitted.into_iter().flatten() {
                say!("{line} (fold 1's training folds; each fold fits its own)");
            }
        }
        if data.is_regression() && data.test_len() < 2 {
            // Plain folds this small are refused above; groups can make any fold this small.
            bail!(
                "fold {} of {folds} tests {}{}, whose R² is not defined; give fewer folds",
                index + 1,
                crate::text::count(data.test_len(), "example"),
                match &data.source.groups {
                    Some(g) => format!(" (its groups of `{}` are that small)", g.column),
                    None => String::new(),
                }
            );
        }
        // Each fold's validation part is held out of its own training folds.
        let held_out = match args.validation.split() {
            Some(fraction) => {
                let held_out = data
                    .hold_out(fraction, seed)
                    .with_context(|| format!("fold {} of {folds}", index + 1))?;
                if index == 0 {
                    say!(
                        "{} (fold 1's; each fold holds out as much of its own)",
                        held_out_line(&data, &held_out, &args.validation, unit)
                    );
                    let iterations = setup.iterations;
                    for line in validation::warnings(&held_out, &args.validation, iterations, unit)
                    {
                        tell!("warning: {line}");
                    }
                }
                Some(held_out)
            }
            None => None,
        };
        let run = Run {
            setup,
            hyper,
            flags: &args.validation,
            interrupt: &interrupt,
        };
        // Balanced weights are each fold's own, from its training folds.
        let weights = match &args.class_weight {
            Some(arg) => {
                let weights = (arg.weights::<F>(
                    TrainingPart::of(&data),
                    held_out.is_some(),
                    "--class-weight",
                ))
                .with_context(|| format!("fold {} of {folds}", index + 1))?;
                if index == 0 {
                    let own = match arg {
                        ClassWeightArg::Balanced => "; fold 1's, each fold weighs its own",
                        ClassWeightArg::Given(_) => "",
                    };
                    say!("{}", arg.line(&weights, TrainingPart::of(&data), own));
                    for warning in crate::class_weight::warnings(
                        arg,
                        &weights,
                        TrainingPart::of(&data),
                        (&hyper.optimizer, "--class-weight"),
                    ) {
                        tell!("warning: {warning} (fold 1)");
                    }
                }
                Some(weights)
            }
            None => None,
        };
        let (net_layers, s) = run
            .train_fold(&data, held_out.as_ref(), weights.clone(), uneven)
            .with_context(|| format!("fold {} of {folds}", index + 1))?;
        let s = FoldScores {
            fold: fold.index + 1,
            train_examples: data.train_len(),
            test_examples: data.test_len(),
            features: data.features(),
            class_weights: weights.map(|w| w.as_slice().to_vec()),
            ..s
        };
        if interrupt.requested() {
            tell!(
                "interrupted in fold {} of {folds}: no mean is given for fewer folds",
                index + 1
            );
            // The folds done are not lost: the report has them, and says where it stopped.
            if let (Some(path), Some(mut report)) = (&args.report, report) {
                report.interrupted_in_fold = Some(index + 1);
                let done = scores.len();
                report.folds = scores;
                write_json(path, &report)
                    .with_context(|| format!("--report {}", path.display()))?;
                say!(
                    "Saved the report to {} ({} done)",
                    path.display(),
                    crate::text::count(done, "fold")
                );
            } else if let Some(path) = &args.report {
                tell!("no fold was done: {} not written", path.display());
            }
            return Err(Exit(EXIT_INTERRUPTED).into());
        }
        say!("{}", fold_line(folds, &s, unit));
        scores.push(s);
        if index == 0 {
            report = Some(begun::<F>(
                &data,
                net_layers,
                (setup, hyper, &args.validation),
                examples,
                seed,
            ));
        }
    }
    let Some(mut report) = report else {
        bail!("no fold was trained")
    };
    let regression = report.metric == "r2";
    for line in summary(&scores, regression) {
        say!("{line}");
    }
    if scores.iter().any(|s| s.features != scores[0].features) {
        // The Data line gave fold 1's.
        let each: Vec<String> = scores.iter().map(|s| s.features.to_string()).collect();
        say!(
            "Inputs per fold: {} (a text value met only in a fold's test part is no input of \
             that fold)",
            each.join(", ")
        );
    }
    if let Some(path) = &args.report {
        let of = |f: fn(&FoldScores) -> f64| {
            let (mean, std) = mean_std(&scores.iter().map(f).collect::<Vec<_>>());
            (Some(mean), Some(std))
        };
        (report.train_mean, report.train_std) = of(|s| s.train);
        (report.test_mean, report.test_std) = of(|s| s.test);
        (report.train_balanced_mean, report.train_balanced_std) =
            balanced_mean_std(&scores, "train").unzip();
        (report.test_balanced_mean, report.test_balanced_std) =
            balanced_mean_std(&scores, "test").unzip();
        report.folds = scores;
        write_json(path, &report).with_context(|| format!("--report {}", path.display()))?;
        say!("Saved the report to {}", path.display());
    }
    Ok(())
}

/// The report of a cross-validation as fold 1 tells it (`data`, its network's `layers`): the
/// set-up, the data, `examples` split into folds shuffled by `seed`; no folds yet.
fn begun<F: Float>(
    data: &Dataset<F>,
    layers: Vec<usize>,
    (setup, hyper, validation): (&Setup, &Hyper, &ValidationFlags),
    examples: usize,
    seed: u32,
) -> CrossValidationReport {
    let stopping = validation.rule();
    CrossValidationReport {
        layers,
        dtype: F::NAME.to_owned(),
        learning_rate: setup.learning_rate,
        iterations: setup.iterations,
        seed: setup.seed,
        init: setup.init.name().to_owned(),
        training: hyper.report(),
        classes: data.spec.classes.clone(),
        format: data.source.format.name().to_owned(),
        path: data.source.path.display().to_string(),
        sha256: data.source.sha256.clone(),
        examples,
        features: data.features(),
        split_seed: seed,
        group_by: data.source.groups.as_ref().map(|g| g.column.clone()),
        validation_split: stopping.and(validation.split()),
        patience: stopping.map(|r| r.patience),
        min_delta: stopping.map(|r| r.min_delta),
        metric: if data.is_regression() {
            "r2"
        } else {
            "accuracy"
        }
        .to_owned(),
        folds: Vec::new(),
        interrupted_in_fold: None,
        train_mean: None,
        train_std: None,
        test_mean: None,
        test_std: None,
        train_balanced_mean: None,
        train_balanced_std: None,
        test_balanced_mean: None,
        test_balanced_std: None,
    }
}

/// What each fold's training is: the set-up, its optimiser, the validation flags, and the
/// Ctrl-C that stops it.
struct Run<'a> {
    setup: &'a Setup,
    hyper: &'a Hyper,
    flags: &'a ValidationFlags,
    interrupt: &'a Interrupt,
}

impl Run<'_> {
    /// Trains a network of the set-up on `data`'s training part (watching `held_out`, with
    /// early stopping if asked) and scores the training and test parts: their balanced
    /// accuracies too with class weights, or when the data's classes are `uneven`.
    fn train_fold<F: Float>(
        &self,
        data: &Dataset<F>,
        held_out: Option<&HeldOut<F>>,
        weights: Option<ClassWeights>,
        uneven: bool,
    ) -> anyhow::Result<(Vec<usize>, FoldScores)> {
        let (setup, hyper) = (self.setup, self.hyper);
        let what = format!("the examples in {}", data.source.path.display());
        let layers = setup.layers(
            data.features(),
            data.outputs(),
            data.spec.output_activation(),
            &what,
        )?;
        let mut net = builder::<F>(setup, &layers, data.spec.output_activation())
            .build(&mut NumpyRng::new(setup.seed))?;
        let balanced = weights.is_some() || uneven;
        let mean_weight = (weights.as_ref()).map_or(1.0, |w| {
            crate::class_weight::mean_weight(w, &data.train_labels)
        });
        let control = self.interrupt.train_control();
        let config = hyper
            .params(setup.learning_rate, setup.iterations, weights.clone())
            .check()?
            .with_control(std::sync::Arc::clone(&control));
        let (train_x, test_x) = (data.train_x.view(), data.test_x.view());
        let train_y = data.train_y::<F>();
        // The costs are not printed: one line per fold says what it scored.
        let (trained, seen) = match held_out {
            Some(h) => {
                let y = data.held_out_y::<F>(h);
                let mut watch = (self.flags).watch(&net, &h.x, &y, setup.iterations, weights)?;
                let trained =
                    net.train_validated(train_x, &train_y, &mut watch, &config, |_, _| {
                        self.interrupt.control()
                    });
                // With early stopping, the best parameters come back.
                let seen = match &trained {
                    Ok(_) | Err(DnnError::Diverged(_)) => Some(watch.finish(&mut net)),
                    Err(_) => None,
                };
                (trained, seen)
            }
            None => (
                net.train(train_x, &train_y, &config, |_| self.interrupt.control()),
                None,
            ),
        };
        match trained {
            Ok(_) => {}
            Err(DnnError::Diverged(d)) => bail!(
                "training diverged at {}: {}; {}",
                d.at,
                d.cause,
                hyper.divergence_advice(setup.learning_rate, mean_weight)
            ),
            Err(e) => return Err(e.into()),
        }
        // `(best, ran)`: the iteration (epoch) whose parameters early stopping kept.
        let kept = seen
            .as_ref()
            .filter(|s| s.early_stopping().is_some())
            .and_then(|s| Some((s.best()?.0, s.costs().len())));
        // The fold and its sizes are the caller's.
        let scores = |train, test, test_rmse| FoldScores {
            fold: 0,
            train_examples: 0,
            test_examples: 0,
            features: 0,
            train,
            test,
            test_rmse,
            early_stopping: kept,
            class_weights: None,
            balanced_accuracy: None,
        };
        let scores = match data.spec.regression {
            Some(scale) => {
                let train = regression_scores(&net, train_x, &data.train_values, scale)?;
                let test = regression_scores(&net, test_x, &data.test_values, scale)?;
                // Folds of at least 2 examples (refused otherwise) have an R².
                let r2 = |r2: Option<f64>| r2.unwrap_or(f64::NAN);
                scores(r2(train.r2), r2(test.r2), Some(test.rmse))
            }
            None => {
                let parts = [
                    ("train", train_x, &data.train_labels[..]),
                    ("test", test_x, &data.test_labels[..]),
                ];
                let balanced = match balanced {
                    true => {
                        let each = balanced_accuracies(&net, &parts, data.spec.classes.len())?;
                        Some(by_part(&each))
                    }
                    false => None,
                };
                FoldScores {
                    balanced_accuracy: balanced,
                    ..scores(
                        net.accuracy(train_x, &train_y)?,
                        net.accuracy(test_x, &data.test_y::<F>())?,
                        None,
                    )
                }
            }
        };
        Ok((layers, scores))
    }
}

/// `Data: penguins.csv (csv): 344 examples in 5 folds (stratified, shuffled with seed 0), 10
/// features, 3 classes`.
fn data_line<F: Float>(data: &Dataset<F>, examples: usize, folds: usize, seed: u32) -> String {
    let how = match &data.source.groups {
        Some(g) => format!(
            "by `{}`'s {} groups, shuffled with seed {seed}",
            g.column, g.count
        ),
        None if data.is_regression() => format!("shuffled with seed {seed}"),
        None => format!("stratified, shuffled with seed {seed}"),
    };
    let outputs = match data.is_regression() {
        true => "a number to predict".to_owned(),
        false => format!("{} classes", data.spec.classes.len()),
    };
    format!(
        "Data: {} ({}): {} examples in {folds} folds ({how}), {} feature{}, {outputs}",
        data.source.path.display(),
        data.source.format.name(),
        examples,
        data.features(),
        plural(data.features()),
    )
}

/// `Fold 1 of 5: trained on 275, tested on 69: train accuracy 0.996364, test accuracy
/// 0.985507`, or a regression's R² and RMSE; and which iteration (epoch) early stopping kept.
fn fold_line(folds: usize, s: &FoldScores, unit: &str) -> String {
    let scores = match s.test_rmse {
        Some(rmse) => format!(
            "train R² {:.6}, test R² {:.6} (RMSE {})",
            s.train,
            s.test,
            significant(rmse)
        ),
        None => format!("train accuracy {:.6}, test accuracy {:.6}", s.train, s.test),
    };
    let scores = match (s.balanced("train"), s.balanced("test")) {
        (Some(train), Some(test)) => {
            format!("{scores}; balanced accuracy: train {train:.6}, test {test:.6}")
        }
        _ => scores,
    };
    let stopped = match s.early_stopping {
        Some((best, ran)) => format!("; early stopping kept {unit} {best} of {ran}"),
        None => String::new(),
    };
    format!(
        "Fold {} of {folds}: trained on {}, tested on {}: {scores}{stopped}",
        s.fold, s.train_examples, s.test_examples
    )
}

/// The mean and standard deviation of the folds' balanced accuracies of `part` (`train` or
/// `test`), when every fold has one (class weights, or classes far from even).
fn balanced_mean_std(scores: &[FoldScores], part: &str) -> Option<(f64, f64)> {
    let each: Option<Vec<f64>> = scores.iter().map(|s| s.balanced(part)).collect();
    each.filter(|b| !b.is_empty()).map(|b| mean_std(&b))
}

/// The lines of the folds' means: `Train accuracy: 0.995 ± 0.002 ...` and `Test accuracy:
/// ...`, or a regression's R² (and RMSE).
fn summary(scores: &[FoldScores], regression: bool) -> Vec<String> {
    let k = scores.len();
    let what = if regression { "R²" } else { "accuracy" };
    let of = |f: fn(&FoldScores) -> f64| mean_std(&scores.iter().map(f).collect::<Vec<_>>());
    let (train, train_sd) = of(|s| s.train);
    let (test, test_sd) = of(|s| s.test);
    let mut test_line = format!(
        "Test {what}: {test:.6} ± {test_sd:.6} (mean ± standard deviation over {k} folds; \
         each example tested once)"
    );
    if regression {
        let (rmse, rmse_sd) = of(|s| s.test_rmse.unwrap_or(f64::NAN));
        test_line.push_str(&format!(
            ", RMSE {} ± {}",
            significant(rmse),
            significant(rmse_sd)
        ));
    }
    let mut lines = vec![
        format!(
            "Train {what}: {train:.6} ± {train_sd:.6} (mean ± standard deviation over {k} folds)"
        ),
        test_line,
    ];
    if let Some((mean, sd)) = balanced_mean_std(scores, "train") {
        lines.push(format!(
            "Train balanced accuracy: {mean:.6} ± {sd:.6} (mean ± standard deviation over {k} \
             folds)"
        ));
    }
    if let Some((mean, sd)) = balanced_mean_std(scores, "test") {
        lines.push(format!(
            "Test balanced accuracy: {mean:.6} ± {sd:.6} ({BALANCED})"
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folds_mean_and_spread_are_numpys() {
        // np.mean([0.9, 0.8, 1.0, 0.7]) = 0.85, np.std(...) = sqrt(0.0125) = 0.1118034
        let (mean, sd) = mean_std(&[0.9, 0.8, 1.0, 0.7]);
        assert!((mean - 0.85).abs() < 1e-15);
        assert!((sd - 0.0125f64.sqrt()).abs() < 1e-15);
        let folds: Vec<FoldScores> = [(1.0, 0.9), (1.0, 0.8)]
            .iter()
            .map(|&(train, test)| FoldScores {
                fold: 1,
                train_examples: 10,
                test_examples: 5,
                features: 2,
                train,
                test,
                test_rmse: None,
                early_stopping: None,
                class_weights: None,
                balanced_accuracy: None,
            })
            .collect();
        assert_eq!(
            summary(&folds, false),
            [
                "Train accuracy: 1.000000 ± 0.000000 (mean ± standard deviation over 2 folds)",
                "Test accuracy: 0.850000 ± 0.050000 (mean ± standard deviation over 2 folds; \
                 each example tested once)"
            ]
        );
    }
}
