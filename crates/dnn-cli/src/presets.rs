//! The published set-ups (`--arch`) and how explicit flags override them.

use clap::ValueEnum;
use dnn_core::Init;

use crate::train::TrainArgs;

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

/// The values a training run uses once `--arch` and the explicit flags are combined.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    pub arch: Arch,
    pub layers: Vec<usize>,
    pub learning_rate: f64,
    pub iterations: usize,
    pub seed: u32,
    pub init: Init,
}

/// The exercise's values for each set-up.
pub fn preset(arch: Arch) -> Setup {
    match arch {
        Arch::Deep => Setup {
            arch,
            layers: vec![12288, 20, 7, 5, 1],
            learning_rate: 0.0075,
            iterations: 2500,
            seed: 1,
            init: Init::Scaled,
        },
        Arch::TwoLayer => Setup {
            arch,
            layers: vec![12288, 7, 1],
            learning_rate: 0.0075,
            iterations: 2500,
            seed: 1,
            init: Init::Small,
        },
        Arch::Logistic => Setup {
            arch,
            layers: vec![12288, 1],
            learning_rate: 0.005,
            iterations: 2000,
            seed: 1,
            init: Init::Zeros,
        },
    }
}

/// `--arch`'s preset with every explicit flag applied on top.
pub fn resolve(args: &TrainArgs) -> Setup {
    let base = preset(args.arch);
    Setup {
        arch: args.arch,
        layers: args.layers.clone().map(|s| s.0).unwrap_or(base.layers),
        learning_rate: args.learning_rate.unwrap_or(base.learning_rate),
        iterations: args.iterations.unwrap_or(base.iterations),
        seed: args.seed.unwrap_or(base.seed),
        init: args.init.map(Init::from).unwrap_or(base.init),
    }
}
