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
use dnn_core::{DnnError, Float, NumpyRng};
use dnn_data::dataset::DEFAULT_SPLIT_SEED;
use dnn_data::split::Fold;
use dnn_data::Dataset;

use crate::data::{dates_line, load_fold, pictures_line, target_line};
use crate::hyper::Hyper;
use crate::interrupt::Interrupt;
use crate::metrics::significant;
use crate::output::{say, tell};
use crate::presets::Setup;
use crate::text::plural;
use crate::train::{builder, regression_scores, TrainArgs};
use crate::{Exit, EXIT_INTERRUPTED};

/// One fold's scores: accuracies, or a regression's R² and RMSE.
#[derive(Debug, Clone, Copy)]
struct FoldScores {
    train: f64,
    test: f64,
    /// A regression's test RMSE, in the target's units.
    rmse: Option<f64>,
}

/// Trains `setup` with `hyper` on each of `folds` folds of `--data` in turn and prints each
/// fold's scores, then their mean and standard deviation. Nothing is saved.
pub fn run<F: Float>(
    args: &TrainArgs,
    setup: &Setup,
    hyper: &Hyper,
    folds: usize,
) -> anyhow::Result<()> {
    let seed = args.data.reading.split_seed.unwrap_or(DEFAULT_SPLIT_SEED);
    let interrupt = Interrupt::graceful();
    let mut scores = Vec::with_capacity(folds);
    let mut regression = false;
    for index in 0..folds {
        let fold = Fold { index, of: folds };
        let data = load_fold::<F>(&args.data.data, &args.data.reading, fold)?;
        regression = data.is_regression();
        if index == 0 {
            say!("{}", data_line(&data, folds, seed));
            let lines = [
                pictures_line(&data),
                target_line(&data, &args.data.reading),
                dates_line(&data),
            ];
            for line in lines.into_iter().flatten() {
                say!("{line}");
            }
        }
        let s = train_fold(&data, setup, hyper, &interrupt)
            .with_context(|| format!("fold {} of {folds}", index + 1))?;
        if interrupt.requested() {
            tell!(
                "interrupted in fold {} of {folds}: no mean is given for fewer folds",
                index + 1
            );
            return Err(Exit(EXIT_INTERRUPTED).into());
        }
        say!("{}", fold_line(fold, &data, &s));
        scores.push(s);
    }
    for line in summary(&scores, regression) {
        say!("{line}");
    }
    Ok(())
}

/// Trains a network of `setup` on `data`'s training part and scores both parts.
fn train_fold<F: Float>(
    data: &Dataset<F>,
    setup: &Setup,
    hyper: &Hyper,
    interrupt: &Interrupt,
) -> anyhow::Result<FoldScores> {
    let what = format!("the examples in {}", data.source.path.display());
    let layers = setup.layers(
        data.features(),
        data.outputs(),
        data.spec.output_activation(),
        &what,
    )?;
    let mut net = builder::<F>(setup, &layers, data.spec.output_activation())
        .build(&mut NumpyRng::new(setup.seed))?;
    let control = interrupt.train_control();
    let config = hyper
        .params(setup.learning_rate, setup.iterations)
        .check()?
        .with_control(std::sync::Arc::clone(&control));
    let (train_x, test_x) = (data.train_x.view(), data.test_x.view());
    let train_y = data.train_y::<F>();
    // The costs are not printed: one line per fold says what it scored.
    let trained = net.train(train_x, &train_y, &config, |_| interrupt.control());
    match trained {
        Ok(_) => {}
        Err(DnnError::Diverged(d)) => bail!(
            "training diverged at {}: {}; {}",
            d.at,
            d.cause,
            hyper.divergence_advice(setup.learning_rate)
        ),
        Err(e) => return Err(e.into()),
    }
    Ok(match data.spec.regression {
        Some(scale) => {
            let train = regression_scores(&net, train_x, &data.train_values, scale)?;
            let test = regression_scores(&net, test_x, &data.test_values, scale)?;
            FoldScores {
                // A fold of one example has no R²; the folds are at least two examples here.
                train: train.r2.unwrap_or(f64::NAN),
                test: test.r2.unwrap_or(f64::NAN),
                rmse: Some(test.rmse),
            }
        }
        None => FoldScores {
            train: net.accuracy(train_x, &train_y)?,
            test: net.accuracy(test_x, &data.test_y::<F>())?,
            rmse: None,
        },
    })
}

/// `Data: penguins.csv (csv): 344 examples in 5 folds (stratified, shuffled with seed 0), 10
/// features, 3 classes`.
fn data_line<F: Float>(data: &Dataset<F>, folds: usize, seed: u32) -> String {
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
        data.train_len() + data.test_len(),
        data.features(),
        plural(data.features()),
    )
}

/// `Fold 1 of 5: trained on 275, tested on 69: train accuracy 0.996364, test accuracy
/// 0.985507`, or a regression's R² and RMSE.
fn fold_line<F: Float>(fold: Fold, data: &Dataset<F>, s: &FoldScores) -> String {
    let scores = match s.rmse {
        Some(rmse) => format!(
            "train R² {:.6}, test R² {:.6} (RMSE {})",
            s.train,
            s.test,
            significant(rmse)
        ),
        None => format!("train accuracy {:.6}, test accuracy {:.6}", s.train, s.test),
    };
    format!(
        "Fold {} of {}: trained on {}, tested on {}: {scores}",
        fold.index + 1,
        fold.of,
        data.train_len(),
        data.test_len()
    )
}

/// The mean and (population) standard deviation of `values`, as numpy's `mean` and `std`.
fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, variance.sqrt())
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
        let (rmse, rmse_sd) = of(|s| s.rmse.unwrap_or(f64::NAN));
        test_line.push_str(&format!(
            ", RMSE {} ± {}",
            significant(rmse),
            significant(rmse_sd)
        ));
    }
    vec![
        format!(
            "Train {what}: {train:.6} ± {train_sd:.6} (mean ± standard deviation over {k} folds)"
        ),
        test_line,
    ]
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
                train,
                test,
                rmse: None,
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
