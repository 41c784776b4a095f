//! The published set-ups (`--arch`) and how explicit flags override them. Each default is
//! written once: the learning rate and iterations of the L-layer and two-layer models are
//! dnn-core's own defaults (`TrainParams::new()`), the seed is [`SEED`].

use anyhow::bail;
use clap::ValueEnum;
use dnn_core::{Activation, Init, TrainConfig, TrainParams};

use crate::train::TrainArgs;
use crate::values::OptimizerArg;

/// The seed of every published set-up: the exercise's `np.random.seed(1)`.
pub const SEED: u32 = 1;

/// dnn-core's defaults: the published L-layer set-up (learning rate 0.0075, 2500
/// iterations, and the optimiser, mini-batch and dropout defaults).
pub fn engine_defaults() -> TrainConfig {
    TrainParams::new()
        .check()
        .expect("dnn-core's default parameters are valid")
}

/// The published set-ups of the exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Arch {
    /// Hidden layers 20,7,5 ([12288,20,7,5,1] on the cat set), init scaled, learning rate
    /// 0.0075, 2500 iterations, seed 1.
    Deep,
    /// One hidden layer of 7 ([12288,7,1]), init small, learning rate 0.0075, 2500 iterations, seed 1.
    TwoLayer,
    /// No hidden layer ([12288,1], logistic regression), init zeros, learning rate 0.005, 2000 iterations.
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
/// The input and output sizes come from the data ([`Setup::layers`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    pub arch: Arch,
    /// Hidden layer sizes.
    pub hidden: Vec<usize>,
    /// `--layers` as given, checked against the data by [`Setup::layers`].
    pub explicit_layers: Option<Vec<usize>>,
    pub learning_rate: f64,
    pub iterations: usize,
    pub seed: u32,
    pub init: Init,
}

impl Setup {
    /// `[inputs, hidden..., outputs]`; `--layers`, when given, must start with `inputs` and
    /// end with `outputs`, the number of units of an `output` layer (`what` describes the
    /// data for the message).
    pub fn layers(
        &self,
        inputs: usize,
        outputs: usize,
        output: Activation,
        what: &str,
    ) -> anyhow::Result<Vec<usize>> {
        let Some(layers) = &self.explicit_layers else {
            let mut sizes = vec![inputs];
            sizes.extend(&self.hidden);
            sizes.push(outputs);
            return Ok(sizes);
        };
        if layers[0] != inputs {
            bail!(
                "--layers starts with {} but {what} have {} each; start --layers with {inputs} (or give only the hidden sizes with --hidden)",
                layers[0],
                crate::text::count(inputs, "feature")
            );
        }
        let last = layers[layers.len() - 1];
        if last != outputs {
            let why = match output {
                Activation::Identity => "a number to predict takes one identity output".to_owned(),
                _ if outputs == 1 => "two classes take one sigmoid output".to_owned(),
                _ => format!("{outputs} classes take {outputs} softmax outputs"),
            };
            bail!("--layers ends with {last} but {why}; end --layers with {outputs} (or give only the hidden sizes with --hidden)");
        }
        Ok(layers.clone())
    }
}

/// The exercise's values for each set-up.
pub fn preset(arch: Arch) -> Setup {
    let engine = engine_defaults();
    let (hidden, learning_rate, iterations, init) = match arch {
        Arch::Deep => (
            vec![20, 7, 5],
            engine.learning_rate(),
            engine.iterations(),
            Init::Scaled,
        ),
        Arch::TwoLayer => (
            vec![7],
            engine.learning_rate(),
            engine.iterations(),
            Init::Small,
        ),
        Arch::Logistic => (vec![], 0.005, 2000, Init::Zeros),
    };
    Setup {
        arch,
        hidden,
        explicit_layers: None,
        learning_rate,
        iterations,
        seed: SEED,
        init,
    }
}

/// Adam's learning rate when `--learning-rate` is not given: the Adam paper's, and Keras'
/// and PyTorch's default. The exercise's 0.0075, tuned for gradient descent, is 7.5 times
/// it, and diverges on wide layers at the first batches.
pub const ADAM_LEARNING_RATE: f64 = 0.001;

/// `--arch`'s preset with every explicit flag applied on top (Adam's own default learning
/// rate, [`ADAM_LEARNING_RATE`], when `--optimizer adam` is given without one).
pub fn resolve(args: &TrainArgs) -> Setup {
    let base = preset(args.arch);
    let explicit_layers = args.layers.clone().map(|s| s.0);
    let hidden = match (&args.hidden, &explicit_layers) {
        (Some(h), _) => h.0.clone(),
        (None, Some(l)) => l[1..l.len() - 1].to_vec(),
        (None, None) => base.hidden,
    };
    Setup {
        arch: args.arch,
        hidden,
        explicit_layers,
        learning_rate: args.learning_rate.unwrap_or(match args.optim.optimizer {
            Some(OptimizerArg::Adam) => ADAM_LEARNING_RATE,
            _ => base.learning_rate,
        }),
        iterations: args.iterations.unwrap_or(base.iterations),
        seed: args.seed.unwrap_or(base.seed),
        init: args.init.map(Init::from).unwrap_or(base.init),
    }
}
