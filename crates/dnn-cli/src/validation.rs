//! `dnn train`'s validation part: `--validation-split` holds out part of the training part and
//! prints its cost beside each cost line; `--early-stopping` stops training when that cost no
//! longer falls, and keeps the best iteration's parameters.

use clap::Args;
use dnn_core::{ClassWeights, EarlyStopping, Float, Network, TrainReport, Validation};
use dnn_data::model::TrainingSetup;
use dnn_data::{Dataset, HeldOut};
use dnn_report::{EarlyStoppingReport, ValidationReport};

use crate::metrics::significant;
use crate::text::count;
use crate::values::{parse_non_negative, parse_positive, parse_validation_split};

/// `--validation-split` when `--early-stopping` is given without it: scikit-learn's
/// `validation_fraction`.
pub const DEFAULT_VALIDATION_SPLIT: f64 = 0.1;
/// `--patience`'s default: scikit-learn's `n_iter_no_change`.
pub const DEFAULT_PATIENCE: usize = 10;

/// The validation flags of `dnn train`.
#[derive(Debug, Args)]
pub struct ValidationFlags {
    /// The fraction of the training part held out as a validation part.
    #[arg(long, value_parser = parse_validation_split, allow_negative_numbers = true,
          help = format!("Hold out this fraction of the training part (of each class; of all rows, for a regression), chosen as the test split is (--split-seed), and print its cost beside each cost line (its data cost, after the iteration's update; the training cost is the one computed before it) [default: {DEFAULT_VALIDATION_SPLIT} with --early-stopping, else none]"))]
    pub validation_split: Option<f64>,

    /// Stop when the validation cost has not fallen below its lowest by more than --min-delta
    /// for --patience iterations (epochs) in a row (as Keras' EarlyStopping counts), and keep
    /// the parameters of the iteration where it was lowest; --iterations is then the most to
    /// run. Ctrl-C also keeps them.
    #[arg(long)]
    pub early_stopping: bool,

    /// Early stopping's patience: iterations (epochs) in a row without improvement.
    #[arg(long, value_parser = parse_positive, allow_negative_numbers = true,
          help = format!("Early stopping's patience: iterations (epochs, with --batch-size) in a row without an improvement [default: {DEFAULT_PATIENCE}]"))]
    pub patience: Option<usize>,

    /// Early stopping's least improvement: the validation cost must fall below its lowest by
    /// more than this to restart the patience (a smaller fall still counts as the lowest)
    /// [default: 0].
    #[arg(long, value_parser = parse_non_negative, allow_negative_numbers = true)]
    pub min_delta: Option<f64>,
}

impl ValidationFlags {
    /// Refuses early stopping's own flags without `--early-stopping`, as `--beta` without
    /// momentum is: what the flag belongs to, and the two ways out. Neither turns early
    /// stopping on by itself, as that would also hold out a validation part (a tenth of the
    /// training examples, by default) that the user did not ask for.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.early_stopping {
            return Ok(());
        }
        let given = [
            ("--patience", self.patience.is_some()),
            ("--min-delta", self.min_delta.is_some()),
        ];
        if let Some((flag, _)) = given.iter().find(|(_, given)| *given) {
            anyhow::bail!("{flag} is early stopping's; add --early-stopping (or drop {flag})");
        }
        Ok(())
    }

    /// The fraction to hold out, if any.
    pub fn split(&self) -> Option<f64> {
        match (self.validation_split, self.early_stopping) {
            (Some(f), _) => Some(f),
            (None, true) => Some(DEFAULT_VALIDATION_SPLIT),
            (None, false) => None,
        }
    }

    /// Early stopping's rule, when it is on.
    pub fn rule(&self) -> Option<EarlyStopping> {
        self.early_stopping.then(|| EarlyStopping {
            patience: self.patience.unwrap_or(DEFAULT_PATIENCE),
            min_delta: self.min_delta.unwrap_or(0.0),
        })
    }

    /// A watch of `net` on `held_out` (its inputs `x` and targets `y` as the network takes
    /// them), with early stopping when it is on, its cost weighted as training's when there
    /// are `class_weights`.
    pub fn watch<'v, F: Float>(
        &self,
        net: &Network<F>,
        x: &'v ndarray::Array2<F>,
        y: &'v ndarray::Array2<F>,
        iterations: usize,
        class_weights: Option<ClassWeights>,
    ) -> Result<Validation<'v, F>, dnn_core::DnnError> {
        let mut watch = Validation::new(net, x, y, iterations)?;
        if let Some(weights) = class_weights {
            watch = watch.class_weights(weights)?;
        }
        match self.rule() {
            Some(p) => watch.early_stopping(p),
            None => Ok(watch),
        }
    }
}

/// `Validation: 21 of the 209 training examples held out (stratified 0.1 split, seed 0); early
/// stopping after 10 epochs in a row without a fall in its cost`.
/// The warnings about a validation part that cannot do its work: one too small for its cost
/// to mean much, and a patience that `iterations` never reaches.
pub fn warnings<X: Float>(
    held_out: &HeldOut<X>,
    flags: &ValidationFlags,
    iterations: usize,
    unit: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let n = held_out.len();
    if n < SMALL_VALIDATION_PART {
        out.push(format!(
            "the validation part holds {}: its cost moves with each of them and says little \
             of unseen data; give a larger --validation-split, or more data",
            count(n, "example")
        ));
    }
    if let Some(rule) = flags.rule().filter(|r| r.patience >= iterations) {
        out.push(format!(
            "--patience {} is not less than the {} planned: early stopping cannot stop \
             training (the best {unit}'s parameters are still kept)",
            rule.patience,
            count(iterations, unit)
        ));
    }
    out
}

/// Below this many examples, a validation part's cost says little ([`warnings`]).
pub const SMALL_VALIDATION_PART: usize = 10;

pub fn held_out_line<X: Float>(
    data: &Dataset<X>,
    held_out: &HeldOut<X>,
    flags: &ValidationFlags,
    unit: &str,
) -> String {
    let fraction = significant(held_out.split.fraction);
    let split = match &data.source.groups {
        Some(g) => format!("{fraction} split by `{}`", g.column),
        None if data.is_regression() => format!("shuffled {fraction} split"),
        None => format!("stratified {fraction} split"),
    };
    let watch = match flags.rule() {
        Some(p) => format!(
            "early stopping after {} in a row without a fall in its cost{}",
            count(p.patience, unit),
            match p.min_delta {
                0.0 => String::new(),
                d => format!(" of more than {}", significant(d)),
            }
        ),
        None => "its cost is printed beside the training cost".to_owned(),
    };
    format!(
        "Validation: {} of the {} training examples held out ({split}, seed {}); {watch}",
        held_out.len(),
        held_out.len() + data.train_len(),
        held_out.split.seed,
    )
}

/// What early stopping did, in one line: `Early stopping: stopped after epoch 89, as the
/// validation cost had not fallen below its lowest for 10 epochs; kept the parameters of epoch
/// 79, where it was lowest (0.003091)`; `None` without early stopping or a finite validation
/// cost. `interrupted`: Ctrl-C ended training.
pub fn stopping_line(
    seen: &dnn_core::ValidationHistory,
    unit: &str,
    interrupted: bool,
) -> Option<String> {
    let rule = seen.early_stopping()?;
    let (best, cost) = seen.best()?;
    let ran = seen.costs().len();
    let how = match (seen.stopped_at(), interrupted) {
        (Some(at), _) => format!(
            "stopped after {unit} {at}, as the validation cost had not fallen below its lowest{} \
             for {}",
            match rule.min_delta {
                0.0 => String::new(),
                d => format!(" by more than {}", significant(d)),
            },
            count(rule.patience, unit)
        ),
        (None, true) => format!("interrupted after {}", count(ran, unit)),
        (None, false) if ran == 1 => format!("ran its one {unit}"),
        (None, false) => format!("ran all {}", count(ran, unit)),
    };
    let kept = match (seen.restored(), seen.stopped_at().is_some()) {
        (true, _) => format!("kept the parameters of {unit} {best}, where it was lowest"),
        // The last one fell below the lowest, by no more than min_delta.
        (false, true) => format!(
            "the last {unit}, {best}, had the lowest validation cost, lower by no more than {}",
            significant(rule.min_delta)
        ),
        (false, false) => format!("the last {unit}, {best}, had the lowest validation cost"),
    };
    Some(format!(
        "Early stopping: {how}; {kept} ({})",
        dnn_core::cost::shown(cost)
    ))
}

/// The iterations and the cost the model file records (`dnn train`'s and `dnn serve`'s): with
/// the best iteration's parameters put back, that iteration's (best + 1 iterations, its
/// training cost); else the run's (`training`).
pub fn kept(
    training: &TrainReport,
    seen: Option<&dnn_core::ValidationHistory>,
) -> (usize, Option<f64>) {
    match seen.filter(|s| s.restored()).and_then(|s| s.best()) {
        Some((best, _)) => (best + 1, training.costs().get(best).copied()),
        None => (training.iterations_run(), training.final_cost()),
    }
}

/// What the model file records of the validation part (`dnn train`'s and `dnn serve`'s): the
/// fraction held out, its seed (for a source whose test part was not split off, the only split
/// the seed made), and early stopping's rule; nothing when no part was held out.
pub fn record<X: Float>(
    setup: &mut TrainingSetup,
    held_out: Option<&HeldOut<X>>,
    rule: Option<EarlyStopping>,
) {
    let Some(held_out) = held_out else {
        return;
    };
    setup.validation_split = Some(held_out.split.fraction);
    setup
        .split_seed
        .get_or_insert(u64::from(held_out.split.seed));
    setup.patience = rule.map(|p| p.patience as u64);
    setup.min_delta = rule.map(|p| p.min_delta);
}

/// Whether training ended before its planned iterations by a stop request or Ctrl-C, not by
/// early stopping (which `seen` records).
pub fn interrupted(training: &TrainReport, seen: Option<&dnn_core::ValidationHistory>) -> bool {
    training.stopped_early() && seen.is_none_or(|s| s.stopped_at().is_none())
}

/// `Validation accuracy: 0.704225`.
pub fn accuracy_line(accuracy: f64) -> String {
    format!("Validation accuracy: {accuracy:.6}")
}

/// `(iteration, validation cost)` at the iterations `at` (a cost curve's points: its print
/// steps and the last), for the report and the plot.
pub fn costs_at(
    seen: &dnn_core::ValidationHistory,
    at: impl IntoIterator<Item = usize>,
) -> Vec<(usize, f64)> {
    at.into_iter()
        .filter_map(|i| seen.costs().get(i).map(|&c| (i, c)))
        .collect()
}

/// The report's record of the validation part; `at` are the iterations whose cost the report
/// lists (its print steps and the last).
pub fn report<X: Float>(
    held_out: &HeldOut<X>,
    seen: &dnn_core::ValidationHistory,
    at: impl IntoIterator<Item = usize>,
    accuracy: Option<f64>,
    regression: Option<dnn_report::RegressionScores>,
) -> ValidationReport {
    ValidationReport {
        examples: held_out.len(),
        fraction: held_out.split.fraction,
        seed: held_out.split.seed,
        costs: costs_at(seen, at),
        best: seen.best(),
        early_stopping: seen.early_stopping().map(|p| EarlyStoppingReport {
            patience: p.patience,
            min_delta: p.min_delta,
            stopped_at: seen.stopped_at(),
            restored: seen.restored(),
        }),
        accuracy,
        regression,
    }
}
