//! From the optimisation flags (`OptimFlags`, shared by `dnn train` and `dnn toy`) to the
//! engine's `TrainParams`, and back to what the `--report` files record.
//!
//! Every default is written once: the engine's own (`TrainParams::new()`: the shuffle seed
//! 11, the dropout seed 1, no L2, no dropout) and Adam's (`Optimizer::ADAM`) are read from
//! dnn-core, the others are the constants below; the help texts print them.

use anyhow::bail;
use clap::Args;
use dnn_core::{ClassWeights, LrDecay, Optimizer, TrainParams};

use crate::metrics::exact;
use crate::presets::engine_defaults;
use crate::values::{
    parse_beta, parse_epsilon, parse_keep_prob, parse_non_negative, parse_positive, DecayArg,
    OptimizerArg,
};

/// Momentum's β when `--beta` is not given.
pub const MOMENTUM_BETA: f64 = 0.9;
/// The decay rate when `--decay-rate` is not given.
pub const DECAY_RATE: f64 = 1.0;
/// Epochs per step of `--decay step` when `--decay-interval` is not given.
pub const DECAY_INTERVAL: usize = 1000;

/// Adam's `(β1, β2, ε)` defaults, dnn-core's `Optimizer::ADAM`.
fn adam_defaults() -> (f64, f64, f64) {
    match Optimizer::ADAM {
        Optimizer::Adam {
            beta1,
            beta2,
            epsilon,
        } => (beta1, beta2, epsilon),
        _ => unreachable!("Optimizer::ADAM is Adam"),
    }
}

/// Optimiser, mini-batch, learning-rate decay and regularisation flags, shared by
/// `dnn train` and `dnn toy`.
#[derive(Debug, Clone, Args)]
pub struct OptimFlags {
    /// Optimiser [default: gd for train, adam for toy].
    #[arg(long, value_enum)]
    pub optimizer: Option<OptimizerArg>,

    /// Momentum's beta, in [0, 1).
    #[arg(long, value_parser = parse_beta, allow_negative_numbers = true,
          help = format!("Momentum's beta, in [0, 1) [default: {MOMENTUM_BETA}]"))]
    pub beta: Option<f64>,

    /// Adam's beta1, in [0, 1).
    #[arg(long, value_parser = parse_beta, allow_negative_numbers = true,
          help = format!("Adam's beta1, in [0, 1) [default: {}]", adam_defaults().0))]
    pub beta1: Option<f64>,

    /// Adam's beta2, in [0, 1).
    #[arg(long, value_parser = parse_beta, allow_negative_numbers = true,
          help = format!("Adam's beta2, in [0, 1) [default: {}]", adam_defaults().1))]
    pub beta2: Option<f64>,

    /// Adam's epsilon, > 0.
    #[arg(long, value_parser = parse_epsilon, allow_negative_numbers = true,
          help = format!("Adam's epsilon, > 0 [default: {:e}]", adam_defaults().2))]
    pub epsilon: Option<f64>,

    /// Train in mini-batches of this many examples, reshuffled every epoch
    /// [default: full batch for train, 64 for toy].
    #[arg(long, value_parser = parse_positive, allow_negative_numbers = true)]
    pub batch_size: Option<usize>,

    /// Seed of the first epoch's shuffle; epoch e uses seed + e, as the course's
    /// random_mini_batches (its seed = 10, then + 1 before each epoch).
    #[arg(long, value_parser = crate::values::parse_seed, allow_negative_numbers = true,
          help = format!("Seed of the first epoch's shuffle; epoch e uses seed + e, as the course's random_mini_batches (its seed = 10, then + 1 before each epoch) [default: {}]", engine_defaults().shuffle_seed()))]
    pub shuffle_seed: Option<u32>,

    /// Learning-rate decay over epochs: none, inverse-time (α0 / (1 + rate·e)) or step
    /// (α0 / (1 + rate·floor(e / interval))) [default: none].
    #[arg(long, value_enum)]
    pub decay: Option<DecayArg>,

    /// The decay rate, ≥ 0.
    #[arg(long, value_parser = parse_non_negative, allow_negative_numbers = true,
          help = format!("The decay rate, ≥ 0 [default: {DECAY_RATE}]"))]
    pub decay_rate: Option<f64>,

    /// Epochs per step of --decay step.
    #[arg(long, value_parser = parse_positive, allow_negative_numbers = true,
          help = format!("Epochs per step of --decay step [default: {DECAY_INTERVAL}]"))]
    pub decay_interval: Option<usize>,

    /// L2 regularisation lambda, ≥ 0 (0: off).
    #[arg(long, value_parser = parse_non_negative, allow_negative_numbers = true,
          help = format!("L2 regularisation lambda, ≥ 0 (0: off) [default: {}]", engine_defaults().l2()))]
    pub l2: Option<f64>,

    /// Inverted dropout on every hidden layer: the probability of keeping a unit, in
    /// (0, 1] (1: off).
    #[arg(long, value_parser = parse_keep_prob, allow_negative_numbers = true,
          help = format!("Inverted dropout on every hidden layer: the probability of keeping a unit, in (0, 1] (1: off). Masks come from the numpy-compatible generator seeded with {seed}, as the course's np.random.seed({seed}) [default: {keep}]", seed = engine_defaults().dropout_seed(), keep = engine_defaults().keep_prob(0)))]
    pub keep_prob: Option<f64>,
}

/// The optimisation set-up of one training run, in the engine's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Hyper {
    pub optimizer: Optimizer,
    pub decay: LrDecay,
    pub batch_size: Option<usize>,
    pub shuffle_seed: u32,
    pub l2: f64,
    pub keep_prob: f64,
}

/// What a report records of a [`Hyper`] (flattened into the report's top level); defined in
/// dnn-report.
pub use dnn_report::HyperReport;

impl Hyper {
    /// The flags with `optimizer` (the command's default, or the flag) and `default_batch`
    /// filled in. `strict`: refuse a flag that belongs to another optimiser than the one
    /// chosen (off for `dnn toy --compare`, which trains all three).
    pub fn resolve(
        flags: &OptimFlags,
        optimizer: OptimizerArg,
        default_batch: Option<usize>,
        strict: bool,
    ) -> anyhow::Result<Hyper> {
        if strict {
            if flags.beta.is_some() && optimizer != OptimizerArg::Momentum {
                bail!("--beta is momentum's; add --optimizer momentum (or drop --beta)");
            }
            let adam_flag = [
                ("--beta1", flags.beta1),
                ("--beta2", flags.beta2),
                ("--epsilon", flags.epsilon),
            ]
            .into_iter()
            .find(|(_, v)| v.is_some());
            if let (Some((flag, _)), false) = (adam_flag, optimizer == OptimizerArg::Adam) {
                bail!("{flag} is Adam's; add --optimizer adam (or drop {flag})");
            }
        }
        let decay = flags.decay.unwrap_or(DecayArg::None);
        if flags.decay_rate.is_some() && decay == DecayArg::None {
            bail!("--decay-rate needs --decay inverse-time or --decay step");
        }
        if flags.decay_interval.is_some() && decay != DecayArg::Step {
            bail!("--decay-interval needs --decay step");
        }
        let batch_size = flags.batch_size.or(default_batch);
        if flags.shuffle_seed.is_some() && batch_size.is_none() {
            bail!("--shuffle-seed needs --batch-size (full-batch training shuffles nothing)");
        }
        let rate = flags.decay_rate.unwrap_or(DECAY_RATE);
        let engine = engine_defaults();
        let (beta1, beta2, epsilon) = adam_defaults();
        Ok(Hyper {
            optimizer: match optimizer {
                OptimizerArg::Gd => Optimizer::GradientDescent,
                OptimizerArg::Momentum => Optimizer::Momentum {
                    beta: flags.beta.unwrap_or(MOMENTUM_BETA),
                },
                OptimizerArg::Adam => Optimizer::Adam {
                    beta1: flags.beta1.unwrap_or(beta1),
                    beta2: flags.beta2.unwrap_or(beta2),
                    epsilon: flags.epsilon.unwrap_or(epsilon),
                },
            },
            decay: match decay {
                DecayArg::None => LrDecay::Constant,
                DecayArg::InverseTime => LrDecay::InverseTime { rate },
                DecayArg::Step => LrDecay::Step {
                    rate,
                    interval: flags.decay_interval.unwrap_or(DECAY_INTERVAL),
                },
            },
            batch_size,
            shuffle_seed: flags.shuffle_seed.unwrap_or(engine.shuffle_seed()),
            l2: flags.l2.unwrap_or(engine.l2()),
            keep_prob: flags.keep_prob.unwrap_or(engine.keep_prob(0)),
        })
    }

    /// The engine's parameters for `iterations` iterations (epochs) at `learning_rate`, with
    /// `class_weights` if any. Options left at their defaults are not set, so the default run
    /// is the exercise's.
    pub fn params(
        &self,
        learning_rate: f64,
        iterations: usize,
        class_weights: Option<ClassWeights>,
    ) -> TrainParams {
        let mut p = TrainParams::new()
            .learning_rate(learning_rate)
            .iterations(iterations)
            .optimizer(self.optimizer)
            .decay(self.decay)
            .l2(self.l2);
        if let Some(size) = self.batch_size {
            p = p.mini_batches(size, self.shuffle_seed);
        }
        if self.keep_prob != 1.0 {
            p = p.dropout(self.keep_prob, engine_defaults().dropout_seed());
        }
        if let Some(weights) = class_weights {
            p = p.class_weights(weights);
        }
        p
    }

    /// What to try after training at `learning_rate` diverged: a smaller learning rate, and
    /// the regularisation that can run away as well, where the run has it. L2 takes
    /// `α·λ/m·W` off the weights at every update, which swings them ever wider once it
    /// exceeds `2·W` (and `λ` adds `λ/(2m)·ΣW²` to the cost, infinite for a huge `λ`);
    /// dropout multiplies the units it keeps by `1/keep_prob`, so a small keep probability
    /// makes huge activations. `try a smaller learning rate than 0.0075 or a smaller --l2 than
    /// 1e308`.
    pub fn divergence_advice(&self, learning_rate: f64, mean_weight: f64) -> String {
        // Adam's steps do not scale with the gradient: class weights are not the cause, but
        // for weights so large that the cost and its gradients overflow.
        let mean_weight = match self.optimizer {
            Optimizer::Adam { .. }
                if mean_weight < crate::class_weight::ADAM_OVERFLOWING_WEIGHT =>
            {
                1.0
            }
            _ => mean_weight,
        };
        divergence_advice(learning_rate, (self.l2, self.keep_prob), mean_weight)
    }

    /// Whether training runs in mini-batches (costs are then per epoch).
    pub fn per_epoch(&self) -> bool {
        self.batch_size.is_some()
    }

    /// What each cost is after: `epoch` with mini-batches, else `iteration`.
    pub fn unit(&self) -> &'static str {
        match self.per_epoch() {
            true => "epoch",
            false => "iteration",
        }
    }

    pub fn report(&self) -> HyperReport {
        let (beta, beta1, beta2, epsilon) = match self.optimizer {
            Optimizer::GradientDescent => (None, None, None, None),
            Optimizer::Momentum { beta } => (Some(beta), None, None, None),
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => (None, Some(beta1), Some(beta2), Some(epsilon)),
        };
        let (decay, decay_rate, decay_interval) = match self.decay {
            LrDecay::Constant => ("none", None, None),
            LrDecay::InverseTime { rate } => ("inverse-time", Some(rate), None),
            LrDecay::Step { rate, interval } => ("step", Some(rate), Some(interval)),
        };
        HyperReport {
            optimizer: self.optimizer.name().to_owned(),
            beta,
            beta1,
            beta2,
            epsilon,
            batch_size: self.batch_size,
            shuffle_seed: self.batch_size.map(|_| self.shuffle_seed),
            decay: decay.to_owned(),
            decay_rate,
            decay_interval,
            l2: self.l2,
            keep_prob: self.keep_prob,
        }
    }
}

/// [`Hyper::divergence_advice`] of a run at `learning_rate` with L2's `l2` (0: none) and
/// dropout's `keep_prob` (1: none), a training example counting `mean_weight` on average
/// (class weights; 1: none); also `dnn planar`'s, which has none of them.
pub fn divergence_advice(
    learning_rate: f64,
    (l2, keep_prob): (f64, f64),
    mean_weight: f64,
) -> String {
    let mut tries = vec![format!(
        "a smaller learning rate than {}",
        exact(learning_rate)
    )];
    if mean_weight > 2.0 {
        tries.push(format!(
            "class weights nearer 1 (a training example counts {} on average)",
            crate::metrics::significant_to(mean_weight, 4)
        ));
    }
    if l2 > 0.0 {
        tries.push(format!("a smaller --l2 than {}", exact(l2)));
    }
    if keep_prob < 1.0 {
        tries.push(format!("a larger --keep-prob than {}", exact(keep_prob)));
    }
    let tries = match tries.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => unreachable!("a learning rate to try at least"),
    };
    format!("try {tries}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cli, Command};
    use clap::Parser;

    fn flags(args: &[&str]) -> OptimFlags {
        let mut all = vec!["dnn", "train"];
        all.extend_from_slice(args);
        match Cli::try_parse_from(all).expect("parse").command {
            Command::Train(a) => a.optim,
            _ => unreachable!(),
        }
    }

    #[test]
    fn no_flags_is_the_exercises_plain_gradient_descent() {
        let h = Hyper::resolve(&flags(&[]), OptimizerArg::Gd, None, true).unwrap();
        assert_eq!(
            h.params(0.0075, 2500, None).check().unwrap(),
            TrainParams::new().check().unwrap()
        );
    }

    #[test]
    fn the_course_set_up_maps_onto_the_engine() {
        let f = flags(&[
            "--optimizer",
            "adam",
            "--batch-size",
            "64",
            "--decay",
            "step",
            "--decay-interval",
            "10",
            "--l2",
            "0.7",
            "--keep-prob",
            "0.86",
        ]);
        let h = Hyper::resolve(&f, OptimizerArg::Adam, None, true).unwrap();
        let want = TrainParams::new()
            .learning_rate(0.1)
            .epochs(7)
            .optimizer(Optimizer::ADAM)
            .decay(LrDecay::Step {
                rate: 1.0,
                interval: 10,
            })
            .mini_batches(64, 11)
            .l2(0.7)
            .dropout(0.86, 1);
        assert_eq!(
            h.params(0.1, 7, None).check().unwrap(),
            want.check().unwrap()
        );
        let r = h.report();
        assert_eq!(
            (r.optimizer.as_str(), r.batch_size, r.decay.as_str()),
            ("adam", Some(64), "step")
        );
    }

    #[test]
    fn divergence_advice_names_the_regularisation_that_can_run_away() {
        let advice = |args: &[&str]| {
            let h = Hyper::resolve(&flags(args), OptimizerArg::Gd, None, true).unwrap();
            h.divergence_advice(0.0075, 1.0)
        };
        assert_eq!(advice(&[]), "try a smaller learning rate than 0.0075");
        assert_eq!(
            divergence_advice(0.0075, (0.0, 1.0), 41.0),
            "try a smaller learning rate than 0.0075 or class weights nearer 1 (a training \
             example counts 41 on average)"
        );
        // Balanced weights (1 on average), or weights that lower it, are not the cause.
        assert_eq!(
            divergence_advice(0.0075, (0.0, 1.0), 1.0),
            divergence_advice(0.0075, (0.0, 1.0), 0.5)
        );
        assert_eq!(
            advice(&["--l2", "1e308"]),
            "try a smaller learning rate than 0.0075 or a smaller --l2 than 1e308"
        );
        assert_eq!(
            advice(&["--keep-prob", "0.01"]),
            "try a smaller learning rate than 0.0075 or a larger --keep-prob than 0.01"
        );
        assert_eq!(
            advice(&["--l2", "0.7", "--keep-prob", "0.86"]),
            "try a smaller learning rate than 0.0075, a smaller --l2 than 0.7 or a larger \
             --keep-prob than 0.86"
        );
        // Given at their "off" values, they are not the cause.
        assert_eq!(
            advice(&["--l2", "0", "--keep-prob", "1"]),
            "try a smaller learning rate than 0.0075"
        );
    }

    #[test]
    fn flags_of_another_optimiser_are_refused_unless_comparing() {
        let f = flags(&["--beta", "0.8"]);
        let err = Hyper::resolve(&f, OptimizerArg::Adam, None, true).unwrap_err();
        assert!(err.to_string().contains("--beta is momentum's"), "{err}");
        assert!(Hyper::resolve(&f, OptimizerArg::Adam, None, false).is_ok());
        let err = Hyper::resolve(&flags(&["--decay-rate", "2"]), OptimizerArg::Gd, None, true)
            .unwrap_err();
        assert!(
            err.to_string().contains("--decay-rate needs --decay"),
            "{err}"
        );
    }
}
