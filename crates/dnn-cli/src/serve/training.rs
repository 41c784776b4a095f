//! The Train view: the set-up the page sends ([`Setup`]), checked once into a [`Plan`],
//! trained on a blocking thread with dnn-core's observer, and reported to every event
//! stream (server-sent events) through a watch channel. One run at a time; a stop request,
//! or Ctrl-C, ends it after the current iteration, as `dnn train` does.
//!
//! The observer does little per iteration: it keeps the cost and, every
//! [`FLUSH_EVERY`], hands the new costs (and, for 2-D classifiers, the decision boundary
//! drawn from the network as it is) to the run's log and wakes the streams.
//!
//! A regression (`--data` whose target is a number) trains as `dnn train` trains it: one
//! identity output on the z-scored target, scored at the end by R², RMSE and MAE in the
//! target's units ([`crate::train::regression_scores`]) where a classifier has accuracies.
//!
//! A set-up may hold out a validation part and stop early on it, as `dnn train
//! --validation-split --early-stopping` does ([`validation`]): the run then trains on its copy
//! of the training part less that part, watched by dnn-core's [`dnn_core::Validation`] beside
//! the stream, each point carrying the validation cost; with early stopping the model kept is
//! that of the lowest validation cost, and its file records it as `dnn train`'s does.

mod validation;
mod weighting;

use std::convert::Infallible;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use base64::Engine;
use dnn_core::{classes_of, Activation, DnnError, Init, Network, NumpyRng, Progress, TrainControl};
use dnn_data::model::{class_probability, TrainingSetup};
use dnn_report::RegressionScores;
use futures_util::Stream;
use ndarray::Array2;
use serde::{Deserialize, Serialize, Serializer};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::datasets::TrainingData;
use super::error::ApiError;
use super::models::{ModelEntry, Slot};
use super::state::AppState;
use crate::hyper::{Hyper, OptimFlags};
use crate::interrupt::Interrupt;
use crate::metrics::regression_scores_line;
use crate::plot::grid_points;
use crate::train::regression_scores;
use crate::validation::{kept, record, stopping_line};
use crate::values::OptimizerArg;
use validation::{ValidationOutcome, Watched};
use weighting::{BalancedOutcome, ClassWeightsOutcome, Weighted};

/// How often the training thread hands its progress to the streams: 10 times a second.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// Cells per side of the live decision boundary.
const GRID_CELLS: usize = 64;
/// The most iterations (or epochs) one run may have: the page keeps every cost.
pub const MAX_ITERATIONS: usize = 1_000_000;
/// The most parameters a network of the page may have (400 MB of f64).
pub const MAX_PARAMETERS: usize = 50_000_000;
/// The most layer sizes a set-up may list, input and output included (99 layers of weights):
/// far deeper than any network of the course, and a set-up stays small (a 600,000-layer one
/// was 1.8 MB, echoed in every answer, and took 25 s an epoch on iris).
pub const MAX_LAYERS: usize = 100;

/// A training set-up, as the page sends it and as each data set's defaults are listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// A data set's identifier (`GET /api/datasets`).
    pub dataset: String,
    /// Layer sizes, input first.
    pub layers: Vec<usize>,
    /// The hidden layers' activation: `relu`, `tanh` or `sigmoid`.
    pub hidden: String,
    /// The output layer: `sigmoid` (two classes), `softmax` (one unit per class) or
    /// `identity` (one unit: a regression's number).
    pub output: String,
    /// Weight initialisation: `small`, `scaled`, `he`, `xavier`, `zeros`, `orthogonal`.
    pub init: String,
    /// Seed of the numpy-compatible generator that draws the weights.
    pub seed: u32,
    /// `gd`, `momentum` or `adam`.
    pub optimizer: String,
    /// The step size.
    pub learning_rate: f64,
    /// Mini-batch size; absent or `null`: full batch.
    #[serde(default)]
    pub batch_size: Option<usize>,
    /// Iterations (full batch) or epochs (mini-batches).
    pub iterations: usize,
    /// The fraction of the training part held out as a validation part, whose cost is
    /// streamed beside the training cost (`dnn train --validation-split`); absent or `null`:
    /// none, or 0.1 with early stopping.
    #[serde(default)]
    pub validation_split: Option<f64>,
    /// Stop once the validation cost has not fallen for `patience` iterations (epochs), and
    /// keep the best one's parameters (`--early-stopping`).
    #[serde(default)]
    pub early_stopping: bool,
    /// Early stopping's patience (`--patience`); absent or `null`: 10.
    #[serde(default)]
    pub patience: Option<usize>,
    /// Early stopping's least improvement (`--min-delta`); absent or `null`: 0.
    #[serde(default)]
    pub min_delta: Option<f64>,
    /// How much an example of each class counts in the cost (`dnn train --class-weight`):
    /// `balanced` (each class weighs the same: m / (k · m_c) over the examples that train), or
    /// weights by class name, `fault=5` or `cat=2,dog=1` (a class left out counts 1); absent or
    /// `null` or empty: every example counts 1. Only for a classifier.
    #[serde(default)]
    pub class_weight: Option<String>,
}

/// A [`Setup`] checked against its data set: everything a training needs.
#[derive(Debug)]
pub struct Plan {
    data: Arc<TrainingData>,
    layers: Vec<usize>,
    hidden: Activation,
    output: Activation,
    init: Init,
    seed: u32,
    hyper: Hyper,
    config: dnn_core::TrainConfig,
    learning_rate: f64,
    iterations: usize,
    /// The validation part held out of the run's copy of the training part, if any.
    watched: Option<Watched>,
    /// The class weights, if any.
    weighted: Option<Weighted>,
}

impl Plan {
    /// Checks `setup` once, before any work; every problem is a 400 that names the value.
    pub fn check(setup: &Setup, state: &AppState) -> Result<Plan, ApiError> {
        let bad = |m: String| ApiError::bad_request(m);
        let data = state.dataset(&setup.dataset)?;
        let layers = &setup.layers;
        if layers.len() < 2 {
            return Err(bad(
                "layers: give at least an input and an output size, e.g. 2,4,1".into(),
            ));
        }
        if layers.len() > MAX_LAYERS {
            return Err(bad(format!(
                "layers: {} sizes is too many; give at most {MAX_LAYERS} (input and output included)",
                layers.len()
            )));
        }
        if let Some(i) = layers.iter().position(|&n| n == 0) {
            return Err(bad(format!(
                "layers: layer {i} has size 0; every layer needs at least one unit"
            )));
        }
        let features = data.input.features();
        if layers[0] != features {
            return Err(bad(format!(
                "layers: the first size is {} but each input of {} has {}; start the layers with {features}",
                layers[0], data.name, crate::text::count(features, "number")
            )));
        }
        let hidden = match Activation::from_name(&setup.hidden) {
            Some(a) if a.is_hidden() => a,
            _ => {
                return Err(bad(format!(
                    "hidden: `{}` is not a hidden activation; choose relu, tanh or sigmoid",
                    setup.hidden
                )))
            }
        };
        let classes = data.spec.classes.len();
        let outputs = layers[layers.len() - 1];
        let output = match setup.output.as_str() {
            "identity" if !data.is_regression() => {
                return Err(bad(format!(
                    "output: identity predicts a number, but {} has {classes} classes; choose {}",
                    data.name,
                    data.spec.output_activation().name()
                )))
            }
            "identity" if outputs != 1 => {
                return Err(bad(format!(
                    "layers: an identity output is one unit (the number to predict), not {outputs}; end the layers with 1"
                )))
            }
            "identity" => Activation::Identity,
            "sigmoid" | "softmax" if data.is_regression() => {
                return Err(bad(format!(
                    "output: {} tells classes apart, but {} has a number to predict ({}, a regression); choose identity",
                    setup.output,
                    data.name,
                    data.spec.target().unwrap_or("its target")
                )))
            }
            "sigmoid" if classes != 2 => {
                return Err(bad(format!(
                    "output: sigmoid tells two classes apart, but {} has {classes}; choose softmax",
                    data.name
                )))
            }
            "sigmoid" if outputs != 1 => {
                return Err(bad(format!(
                    "layers: a sigmoid output is one unit, not {outputs}; end the layers with 1"
                )))
            }
            "sigmoid" => Activation::Sigmoid,
            "softmax" if classes == 2 => {
                return Err(bad(format!(
                    "output: {} has two classes, which one sigmoid unit tells apart (softmax is for three or more, as model files record them); choose sigmoid",
                    data.name
                )))
            }
            "softmax" if outputs != classes => {
                return Err(bad(format!(
                    "layers: a softmax output has one unit per class: {} has {classes}, so end the layers with {classes}, not {outputs}",
                    data.name
                )))
            }
            "softmax" => Activation::Softmax,
            other => {
                return Err(bad(format!(
                    "output: `{other}` is not an output activation; choose {}",
                    if data.is_regression() {
                        "identity"
                    } else {
                        "sigmoid or softmax"
                    }
                )))
            }
        };
        let init = Init::from_name(&setup.init).ok_or_else(|| {
            bad(format!(
                "init: `{}` is not an initialisation; choose small, scaled, he, xavier, zeros or orthogonal",
                setup.init
            ))
        })?;
        let optimizer = match setup.optimizer.as_str() {
            "gd" => OptimizerArg::Gd,
            "momentum" => OptimizerArg::Momentum,
            "adam" => OptimizerArg::Adam,
            other => {
                return Err(bad(format!(
                    "optimizer: `{other}` is not an optimiser; choose gd, momentum or adam"
                )))
            }
        };
        if !(setup.learning_rate.is_finite() && setup.learning_rate > 0.0) {
            return Err(bad(format!(
                "learning_rate: {} is not usable; it must be a finite number greater than 0",
                crate::metrics::exact(setup.learning_rate)
            )));
        }
        if setup.batch_size == Some(0) {
            return Err(bad(
                "batch_size: must be at least 1 (or empty for full batch)".into(),
            ));
        }
        if !(1..=MAX_ITERATIONS).contains(&setup.iterations) {
            return Err(bad(format!(
                "iterations: {} is out of range; give 1 to {MAX_ITERATIONS}",
                setup.iterations
            )));
        }
        let parameters = layers
            .windows(2)
            .try_fold(0usize, |sum, p| {
                p[0].checked_mul(p[1])
                    .and_then(|w| w.checked_add(p[1]))
                    .and_then(|n| n.checked_add(sum))
            })
            .filter(|&n| n <= MAX_PARAMETERS)
            .ok_or_else(|| {
                bad(format!(
                    "layers: more than {MAX_PARAMETERS} parameters; choose smaller layers"
                ))
            })?;
        debug_assert!(parameters > 0);
        let flags = OptimFlags {
            optimizer: Some(optimizer),
            beta: None,
            beta1: None,
            beta2: None,
            epsilon: None,
            batch_size: setup.batch_size,
            shuffle_seed: None,
            decay: None,
            decay_rate: None,
            decay_interval: None,
            l2: None,
            keep_prob: None,
        };
        let hyper =
            Hyper::resolve(&flags, optimizer, None, true).map_err(|e| bad(crate::one_line(&e)))?;
        let watched = validation::check(setup, &data, hyper.unit())?;
        let weighted = weighting::check(setup, &data, watched.as_ref(), &hyper.optimizer)?;
        let weights = weighted.as_ref().map(|w| w.weights.clone());
        let config = hyper
            .params(setup.learning_rate, setup.iterations, weights)
            .check()
            .map_err(|e| bad(e.to_string()))?;
        Ok(Plan {
            data,
            layers: layers.clone(),
            hidden,
            output,
            init,
            seed: setup.seed,
            hyper,
            config,
            learning_rate: setup.learning_rate,
            iterations: setup.iterations,
            watched,
            weighted,
        })
    }

    /// What the model file records of this training (`training`, and `seen` of the validation
    /// part), as `dnn train` records it.
    fn model_setup(
        &self,
        training: &dnn_core::TrainReport,
        seen: Option<&dnn_core::ValidationHistory>,
    ) -> TrainingSetup {
        let (iterations_run, final_cost) = kept(training, seen);
        let mut setup = TrainingSetup {
            arch: None,
            init: Some(self.init.name().to_owned()),
            seed: Some(u64::from(self.seed)),
            learning_rate: Some(self.learning_rate),
            iterations: Some(self.iterations as u64),
            iterations_run: Some(iterations_run as u64),
            final_cost,
            optimizer: Some(self.hyper.optimizer.name().to_owned()),
            batch_size: self.hyper.batch_size.map(|b| b as u64),
            l2: Some(self.hyper.l2),
            keep_prob: Some(self.hyper.keep_prob),
            class_weights: (self.weighted.as_ref()).map(|w| w.weights.as_slice().to_vec()),
            ..TrainingSetup::default()
        };
        crate::data::record_data(&mut setup, &self.data.source);
        let watched = self.watched.as_ref();
        record(
            &mut setup,
            watched.map(|w| &w.held_out),
            watched.and_then(|w| w.flags.rule()),
        );
        setup
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Iterations (epochs) completed.
    pub iterations_run: usize,
    /// Whether a stop request or Ctrl-C ended it before the planned number (early stopping
    /// is said in `validation`).
    pub stopped: bool,
    /// Whether Ctrl-C ended it.
    pub interrupted: bool,
    /// The cost of the last iteration.
    pub final_cost: Option<f64>,
    /// A classifier's accuracy on the training set (absent if training failed, and for a
    /// regression).
    pub train_accuracy: Option<f64>,
    /// A classifier's accuracy on the test set.
    pub test_accuracy: Option<f64>,
    /// A regression's scores (absent if training failed, and for a classifier).
    pub regression: Option<RegressionOutcome>,
    /// The validation part and what early stopping did, when one was held out.
    pub validation: Option<ValidationOutcome>,
    /// The class weights, when the run weighed its classes.
    pub class_weights: Option<ClassWeightsOutcome>,
    /// Each part's balanced accuracy, with class weights or classes far from even.
    pub balanced_accuracy: Option<BalancedOutcome>,
    /// Seconds spent training (dnn-core's clock).
    pub train_seconds: f64,
    /// Whether the trained model can be downloaded.
    pub model: bool,
    /// The iterations (epochs) of the model kept: with early stopping, up to the lowest
    /// validation cost (its parameters were put back); else those run.
    pub kept_iterations: Option<usize>,
    /// The cost of the model kept: the cost of its last iteration (with early stopping, not
    /// the last iteration run's).
    pub kept_cost: Option<f64>,
    /// The run whose model the Predict and Inspect views offer now: this one's, or after a
    /// failed run, an earlier run's (kept), if any.
    pub offered_run: Option<u64>,
    /// What went wrong, if training failed (diverged, say).
    pub error: Option<String>,
}

/// A regression's scores on both parts, in the target's units, as `dnn train` prints them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionOutcome {
    /// The target column.
    pub target: String,
    /// R², RMSE and MAE on the training part.
    pub train: RegressionScores,
    /// On the test part.
    pub test: RegressionScores,
    /// `dnn train`'s line for the training part: `Train R²: 0.997142 (RMSE 6191.02, ...)`.
    pub train_line: String,
    /// Its line for the test part: `Test R²: ...`.
    pub test_line: String,
}

/// The live decision boundary of a 2-D set: the class and confidence of each grid cell.
#[derive(Debug, Serialize)]
pub struct Boundary {
    /// Increases with every new boundary of the run.
    pub version: u64,
    /// The grid's x interval.
    pub x_range: (f64, f64),
    /// The grid's y interval.
    pub y_range: (f64, f64),
    /// Cells along x.
    pub nx: usize,
    /// Cells along y.
    pub ny: usize,
    /// Base64 of one byte per cell (y outer, from the bottom; x inner): the predicted class.
    pub classes: String,
    /// Base64 of one byte per cell: the predicted class's probability × 255.
    pub confidence: String,
}

/// The grid a run's boundaries are drawn on.
#[derive(Debug)]
struct BoundaryGrid {
    points: Array2<f64>,
    x_range: (f64, f64),
    y_range: (f64, f64),
}

impl BoundaryGrid {
    /// The points' range with a margin of 1, as the course's `plot_decision_boundary`.
    fn over(x: &Array2<f64>) -> BoundaryGrid {
        let (points, x_range, y_range) = grid_points(x, GRID_CELLS, GRID_CELLS, 1.0);
        BoundaryGrid {
            points,
            x_range,
            y_range,
        }
    }

    fn boundary(&self, net: &Network<f64>, version: u64) -> Option<Boundary> {
        let proba = net.predict_proba(&self.points).ok()?;
        let classes = classes_of(proba.view());
        let confidence: Vec<u8> = proba
            .columns()
            .into_iter()
            .zip(&classes)
            .map(|(p, &c)| (class_probability(p, c).clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect();
        let classes: Vec<u8> = classes.iter().map(|&c| c.min(255) as u8).collect();
        let b64 = base64::engine::general_purpose::STANDARD;
        Some(Boundary {
            version,
            x_range: self.x_range,
            y_range: self.y_range,
            nx: GRID_CELLS,
            ny: GRID_CELLS,
            classes: b64.encode(classes),
            confidence: b64.encode(confidence),
        })
    }
}

/// One iteration's costs: sent as `[iteration, cost]`, or `[iteration, cost, validation
/// cost]` when a validation part is watched.
#[derive(Debug, Clone, Copy)]
struct Point {
    iteration: usize,
    cost: f64,
    validation: Option<f64>,
}

impl Serialize for Point {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.validation {
            Some(v) => (self.iteration, self.cost, v).serialize(s),
            None => (self.iteration, self.cost).serialize(s),
        }
    }
}

/// What a run has produced so far.
#[derive(Debug, Default)]
struct Log {
    costs: Vec<Point>,
    boundary: Option<Arc<Boundary>>,
    outcome: Option<Outcome>,
}

/// One training run.
#[derive(Debug)]
pub struct Run {
    /// Counts runs from 1.
    pub id: u64,
    /// The set-up as sent.
    pub setup: Setup,
    /// Whether costs are per epoch (mini-batches).
    pub per_epoch: bool,
    /// The data set's name for people (`iris.csv` where the set-up says `data`).
    pub dataset_name: String,
    log: Mutex<Log>,
    /// Bumped on every change of the log; each stream waits on it.
    changes: watch::Sender<u64>,
    /// The engine's handle on the run: Stop ends it after the mini-batch under way, not at
    /// the end of a long epoch; it counts the epochs done, ahead of the log (filled every
    /// [`FLUSH_EVERY`]).
    control: Arc<TrainControl>,
    job: Mutex<Option<JoinHandle<()>>>,
}

/// A run as `GET /api/train` and `POST /api/train` describe it.
#[derive(Debug, Serialize)]
pub struct RunInfo {
    id: u64,
    setup: Setup,
    per_epoch: bool,
    running: bool,
    iterations_done: usize,
    outcome: Option<Outcome>,
}

impl Run {
    fn new(id: u64, setup: Setup, per_epoch: bool, dataset_name: String) -> Run {
        Run {
            id,
            setup,
            per_epoch,
            dataset_name,
            log: Mutex::new(Log::default()),
            changes: watch::Sender::new(0),
            control: Arc::new(TrainControl::new()),
            job: Mutex::new(None),
        }
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether it is still training.
    pub fn running(&self) -> bool {
        self.log().outcome.is_none()
    }

    /// How it ended, once it has.
    pub fn outcome(&self) -> Option<Outcome> {
        self.log().outcome.clone()
    }

    /// Asks the training to stop after the current mini-batch (full-batch: iteration).
    pub fn request_stop(&self) {
        self.control.request_stop();
    }

    /// Waits for the training thread to end.
    pub async fn finished(&self) {
        let job = self.job.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(job) = job {
            let _ = job.await;
        }
    }

    fn info(&self) -> RunInfo {
        let log = self.log();
        RunInfo {
            id: self.id,
            setup: self.setup.clone(),
            per_epoch: self.per_epoch,
            running: log.outcome.is_none(),
            iterations_done: log.costs.len(),
            outcome: log.outcome.clone(),
        }
    }

    /// Adds costs (and a newer boundary) to the log and wakes the streams.
    fn append(&self, costs: &mut Vec<Point>, boundary: Option<Boundary>) {
        {
            let mut log = self.log();
            log.costs.append(costs);
            if let Some(b) = boundary {
                log.boundary = Some(Arc::new(b));
            }
        }
        self.changes.send_modify(|v| *v += 1);
    }

    fn finish(&self, outcome: Outcome) {
        self.log().outcome = Some(outcome);
        self.changes.send_modify(|v| *v += 1);
    }
}

/// The observer's side: collects costs and hands them over every [`FLUSH_EVERY`].
struct Streamer<'a> {
    run: &'a Run,
    grid: Option<BoundaryGrid>,
    pending: Vec<Point>,
    last_flush: Instant,
    boundaries: u64,
}

impl<'a> Streamer<'a> {
    fn new(run: &'a Run, grid: Option<BoundaryGrid>) -> Streamer<'a> {
        Streamer {
            run,
            grid,
            pending: Vec::with_capacity(4096),
            last_flush: Instant::now(),
            boundaries: 0,
        }
    }

    /// After iteration `p`, with the validation cost when one is watched.
    fn observe(&mut self, p: Progress, validation: Option<f64>, net: Option<&Network<f64>>) {
        self.pending.push(Point {
            iteration: p.iteration,
            cost: p.cost,
            validation,
        });
        if self.last_flush.elapsed() >= FLUSH_EVERY {
            self.flush(net);
        }
    }

    fn flush(&mut self, net: Option<&Network<f64>>) {
        let boundary = match (&self.grid, net) {
            (Some(grid), Some(net)) => {
                self.boundaries += 1;
                grid.boundary(net, self.boundaries)
            }
            _ => None,
        };
        self.run.append(&mut self.pending, boundary);
        self.last_flush = Instant::now();
    }
}

/// The training thread: trains, streams, scores, and keeps the model.
fn job(run: Arc<Run>, plan: Plan, state: Arc<AppState>, interrupt: Interrupt) {
    let started = Instant::now();
    // A panic would leave the run unfinished for ever; it ends the run with its message.
    let trained = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        train(&run, &plan, &state, interrupt)
    }))
    .unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(format!("internal error, please report it: {what}"))
    });
    // A failed run keeps no model, and takes none away: the last good run's stays in Predict,
    // Inspect and the download, named as that run's (the page says which run it is).
    let outcome = trained.unwrap_or_else(|error| Outcome {
        iterations_run: run.log().costs.len(),
        stopped: false,
        interrupted: false,
        final_cost: None,
        train_accuracy: None,
        test_accuracy: None,
        regression: None,
        validation: None,
        // The weights were taken before training: their line and warnings stand.
        class_weights: plan.weighted.as_ref().map(Weighted::outcome),
        balanced_accuracy: None,
        train_seconds: started.elapsed().as_secs_f64(),
        model: false,
        kept_iterations: None,
        kept_cost: None,
        offered_run: state.model(Slot::Trained).ok().and_then(|m| m.run),
        error: Some(error),
    });
    run.finish(outcome);
}

fn train(
    run: &Run,
    plan: &Plan,
    state: &AppState,
    interrupt: Interrupt,
) -> Result<Outcome, String> {
    let data = &plan.data;
    let mut net = Network::<f64>::builder(&plan.layers)
        .hidden_activation(plan.hidden)
        .output(plan.output)
        .init(plan.init)
        .build(&mut NumpyRng::new(plan.seed))
        .map_err(|e| e.to_string())?;
    let control = || {
        if run.control.stop_requested() || interrupt.requested() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    // With a validation part, the run trains on its copy of the training part less it.
    let (train_x, train_y, train_values, train_labels) = match &plan.watched {
        Some(w) => (
            &w.data.train_x,
            &w.train_y,
            &w.data.train_values,
            &w.data.train_labels,
        ),
        None => (
            &data.train_x,
            &data.train_y,
            &data.train_values,
            &data.train_labels,
        ),
    };
    let weights = plan.weighted.as_ref().map(|w| w.weights.clone());
    let mut watch = match &plan.watched {
        Some(w) => Some(
            w.flags
                .watch(&net, &w.held_out.x, &w.y, plan.iterations, weights)
                .map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    // Stop (and Ctrl-C) end the run after the mini-batch under way, through the engine.
    let config = plan.config.clone().with_control(Arc::clone(&run.control));
    let points = data.draws_boundary();
    let mut streamer = Streamer::new(run, points.then(|| BoundaryGrid::over(&data.train_x)));
    // The boundary needs the parameters after every iteration; a validation part alone is
    // watched inside the engine, which keeps the Gram form where it pays (the cat set).
    let result = if points {
        net.train_watched(train_x, train_y, &config, |p, now| {
            let stop = watch
                .as_mut()
                .map_or(ControlFlow::Continue(()), |w| w.observe(p, now));
            let validation = watch.as_ref().and_then(|w| w.costs().last().copied());
            streamer.observe(p, validation, Some(now));
            match (stop, control()) {
                (ControlFlow::Continue(()), ControlFlow::Continue(())) => ControlFlow::Continue(()),
                _ => ControlFlow::Break(()),
            }
        })
    } else if let Some(w) = watch.as_mut() {
        net.train_validated(train_x, train_y, w, &config, |p, validation| {
            streamer.observe(p, Some(validation), None);
            control()
        })
    } else {
        net.train(train_x, train_y, &config, |p| {
            streamer.observe(p, None, None);
            control()
        })
    };
    let report = match result {
        Ok(report) => report,
        Err(DnnError::Diverged(d)) => {
            streamer.flush(None);
            return Err(format!(
                "training diverged at {}: {}; {}",
                d.at,
                d.cause,
                (plan.hyper).divergence_advice(
                    plan.learning_rate,
                    plan.weighted.as_ref().map_or(1.0, |w| w.mean)
                )
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    // With early stopping, the parameters of the lowest validation cost are put back (after
    // patience, the planned iterations or a stop; a diverged run ended above, with no model):
    // the model scored, drawn and offered.
    let seen = watch.map(|w| w.finish(&mut net));
    streamer.flush(Some(&net));
    let (mut val_accuracy, mut val_scores, mut val_line) = (None, None, None);
    let mut balanced = None;
    let (train_accuracy, test_accuracy, regression) = match data.spec.regression {
        Some(scale) => {
            let scores = |x: &Array2<f64>, truth: &[f64]| {
                regression_scores(&net, x.view(), truth, scale).map_err(|e| e.to_string())
            };
            let train = scores(train_x, train_values)?;
            if let Some(w) = &plan.watched {
                let validation = scores(&w.held_out.x, &w.held_out.values)?;
                val_line = Some(regression_scores_line("Validation", &validation));
                val_scores = Some(validation);
            }
            let test = scores(&data.test_x, &data.test_values)?;
            let regression = RegressionOutcome {
                target: data.spec.target().unwrap_or("y").to_owned(),
                train_line: regression_scores_line("Train", &train),
                test_line: regression_scores_line("Test", &test),
                train,
                test,
            };
            (None, None, Some(regression))
        }
        None => {
            let accuracy =
                |x: &Array2<f64>, y: &Array2<f64>| net.accuracy(x, y).map_err(|e| e.to_string());
            if let Some(w) = &plan.watched {
                let validation = accuracy(&w.held_out.x, &w.y)?;
                val_line = Some(crate::validation::accuracy_line(validation));
                val_accuracy = Some(validation);
            }
            // With class weights or uneven classes: each part's balanced accuracy, as `dnn
            // train` prints it.
            let mut parts = vec![("train", train_x, &train_labels[..])];
            if let Some(w) = &plan.watched {
                parts.push(("validation", &w.held_out.x, &w.held_out.labels[..]));
            }
            parts.push(("test", &data.test_x, &data.test_labels[..]));
            let counts = data.class_counts();
            let classes = (data.spec.classes.len(), &counts[..]);
            balanced = weighting::balanced(&net, &parts, classes, plan.weighted.is_some())?;
            (
                Some(accuracy(train_x, train_y)?),
                Some(accuracy(&data.test_x, &data.test_y)?),
                None,
            )
        }
    };
    let stopped = crate::validation::interrupted(&report, seen.as_ref());
    let validation = match (&plan.watched, &seen, val_line) {
        (Some(w), Some(seen), Some(line)) => Some(ValidationOutcome {
            report: crate::validation::report(
                &w.held_out,
                seen,
                seen.costs().len().checked_sub(1),
                val_accuracy,
                val_scores,
            ),
            held_out_line: w.line.clone(),
            line,
            stopping_line: stopping_line(seen, plan.hyper.unit(), stopped),
        }),
        _ => None,
    };
    let setup = plan.model_setup(&report, seen.as_ref());
    let (kept_iterations, kept_cost) = kept(&report, seen.as_ref());
    let entry = ModelEntry::trained(run.id, net, setup, &data.name, data.spec.clone());
    *state
        .trained_model
        .write()
        .unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(entry));
    Ok(Outcome {
        iterations_run: report.iterations_run(),
        stopped,
        interrupted: stopped && interrupt.requested(),
        final_cost: report.final_cost(),
        train_accuracy,
        test_accuracy,
        regression,
        validation,
        class_weights: plan.weighted.as_ref().map(Weighted::outcome),
        balanced_accuracy: balanced,
        train_seconds: report.elapsed().as_secs_f64(),
        model: true,
        kept_iterations: Some(kept_iterations),
        kept_cost,
        offered_run: Some(run.id),
        error: None,
    })
}

/// What each field of a [`Setup`] takes, for messages.
fn allowed(field: &str) -> Option<String> {
    Some(match field {
        "dataset" => "give a data set's id, as GET /api/datasets lists them".into(),
        "layers" => format!(
            "give a list of 2 to {MAX_LAYERS} whole numbers of at least 1, input first, e.g. [2, 4, 1]"
        ),
        "hidden" => "give relu, tanh or sigmoid".into(),
        "output" => "give sigmoid, softmax or identity".into(),
        "init" => "give small, scaled, he, xavier, zeros or orthogonal".into(),
        "seed" => format!("give a whole number from 0 to {}", u32::MAX),
        "optimizer" => "give gd, momentum or adam".into(),
        "learning_rate" => "give a finite number greater than 0, e.g. 0.01".into(),
        "batch_size" => "give a whole number of at least 1, or null for full batch".into(),
        "iterations" => format!("give a whole number from 1 to {MAX_ITERATIONS}"),
        "validation_split" => {
            "give a fraction between 0 and 1, e.g. 0.1, or null for none".into()
        }
        "early_stopping" => "give true or false".into(),
        "patience" => "give a whole number of at least 1, or null for 10".into(),
        "class_weight" => {
            "give \"balanced\", weights by class such as \"fault=5\", or null for none".into()
        }
        "min_delta" => "give a finite number of 0 or more, or null for 0".into(),
        _ => return None,
    })
}

/// The one line for a set-up that is not the JSON the page sends: the field named, the value
/// given when serde says it, and what the field takes ([`allowed`]); none of serde's or axum's
/// own words (`invalid type: floating point`, `expected usize at line 1 column 163`). For
/// `null` (what `JSON.stringify` makes of NaN), what to send instead.
fn setup_rejected(e: &JsonRejection) -> String {
    if matches!(e, JsonRejection::MissingJsonContentType(_)) {
        return "the training set-up: send it as JSON, with Content-Type: application/json".into();
    }
    let text = e.body_text();
    let text = [
        "Failed to deserialize the JSON body into the target type: ",
        "Failed to parse the request body as JSON: ",
    ]
    .iter()
    .find_map(|p| text.strip_prefix(p))
    .unwrap_or(&text);
    // serde_json ends with where: ` at line 1 column 163`.
    let text = match text.rfind(" at line ") {
        Some(k) if text[k..].contains(" column ") => &text[..k],
        _ => text,
    };
    let fields = "dataset, layers, hidden, output, init, seed, optimizer, learning_rate, \
                  batch_size, iterations, validation_split, early_stopping, patience, min_delta, \
                  class_weight";
    if let Some(rest) = text.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        return format!(
            "the training set-up: `{name}` is not a field of a set-up; the fields are {fields}"
        );
    }
    if let Some(rest) = text.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        let takes = allowed(name).unwrap_or_default();
        return format!("the training set-up: missing field `{name}`; {takes}");
    }
    let Some((path, problem)) = text.split_once(": ") else {
        return format!("the training set-up is not the JSON object the page sends ({text})");
    };
    // `layers[3]`: the field is `layers`.
    let field = path.split('[').next().unwrap_or(path);
    let Some(takes) = allowed(field) else {
        return format!("the training set-up is not the JSON object the page sends ({text})");
    };
    if let Some(rest) = problem.strip_prefix("invalid type: null") {
        // serde says what it expected: `a boolean`, or `f64` / `usize` for a number.
        return if rest.contains("expected a boolean") {
            format!("the training set-up: {field} is null; send true or false")
        } else {
            format!("the training set-up: {field} is null (not a number?); send a finite number")
        };
    }
    // `invalid type: floating point `1e+20`, expected usize`, `invalid value: integer `-1`,
    // ...`, `invalid type: string "abc", ...`, `number out of range`.
    let given = problem
        .split_once('`')
        .and_then(|(_, v)| v.split_once('`'))
        .map(|(v, _)| format!("`{v}`"))
        .or_else(|| {
            problem
                .split_once("string \"")
                .and_then(|(_, v)| v.split_once('"'))
                .map(|(v, _)| format!("the text \"{v}\""))
        });
    match given {
        Some(given) => format!("the training set-up: {field}: {given} is not usable; {takes}"),
        None if problem.contains("out of range") => {
            format!("the training set-up: {field}: the number is out of range; {takes}")
        }
        None => format!("the training set-up: {field}: not the right kind of value; {takes}"),
    }
}

/// `POST /api/train`: starts a training (202), or 409 if one is running, or 400 for a bad
/// set-up.
pub async fn start(
    State(state): State<Arc<AppState>>,
    body: Result<Json<Setup>, JsonRejection>,
) -> Result<(StatusCode, Json<RunInfo>), ApiError> {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let Json(setup) = body.map_err(|e| ApiError::bad_request(setup_rejected(&e)))?;
    // One start at a time, and "a run is going on" before any work: a start waits here (no
    // work, no memory) while another is checked, then is refused at once if that one started.
    // Checking the set-up copies the training part (a validation part is held out of it), so
    // checking first made every refused start cost a copy: 24 at once took 15 GB.
    let _starting = state.starting.lock().await;
    if let Some(run) = state.current_run().filter(|r| r.running()) {
        return Err(busy(&run));
    }
    if state.shutting_down() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is shutting down",
        ));
    }
    // Off the runtime: a validation part is held out of a copy of the training part.
    let plan = {
        let (setup, state) = (setup.clone(), state.clone());
        tokio::task::spawn_blocking(move || Plan::check(&setup, &state))
            .await
            .map_err(|e| ApiError::internal(&anyhow::anyhow!("checking the set-up: {e}")))??
    };
    let mut current = state.run.lock().unwrap_or_else(|e| e.into_inner());
    let run = Arc::new(Run::new(
        RUNS.fetch_add(1, Ordering::Relaxed) + 1,
        setup,
        plan.hyper.per_epoch(),
        plan.data.name.clone(),
    ));
    let job = tokio::task::spawn_blocking({
        let (run, state) = (run.clone(), state.clone());
        let interrupt = state.interrupt;
        move || job(run, plan, state, interrupt)
    });
    *run.job.lock().unwrap_or_else(|e| e.into_inner()) = Some(job);
    *current = Some(run.clone());
    Ok((StatusCode::ACCEPTED, Json(run.info())))
}

/// The 409 for a start while `run` trains: which run, and how far it is, in its own unit.
fn busy(run: &Run) -> ApiError {
    let unit = if run.per_epoch {
        "epochs"
    } else {
        "iterations"
    };
    ApiError::conflict(format!(
        "a training is already running (run {} on {}, {} of {} {unit} done); stop it first",
        run.id,
        run.dataset_name,
        // The engine's own count, ahead of the log (filled every FLUSH_EVERY).
        run.control.progress().epoch(),
        run.setup.iterations
    ))
}

/// `POST /api/train/stop`: asks the running training to stop (202), or 409 if none runs.
pub async fn stop(
    State(state): State<Arc<AppState>>,
) -> Result<(StatusCode, Json<RunInfo>), ApiError> {
    match state.current_run().filter(|r| r.running()) {
        Some(run) => {
            run.request_stop();
            Ok((StatusCode::ACCEPTED, Json(run.info())))
        }
        None => Err(ApiError::conflict("no training is running")),
    }
}

/// `GET /api/train`: the running or last run, if any.
pub async fn status(State(state): State<Arc<AppState>>) -> Json<Option<RunInfo>> {
    Json(state.current_run().map(|r| r.info()))
}

/// One message of the event stream: what is new since the last one.
#[derive(Debug, Serialize)]
struct Update {
    run: u64,
    total: usize,
    per_epoch: bool,
    /// New `[iteration, cost]` pairs (`[iteration, cost, validation cost]` when a
    /// validation part is watched).
    points: Vec<Point>,
    #[serde(serialize_with = "shared")]
    boundary: Option<Arc<Boundary>>,
    /// Set in the last message.
    done: Option<Outcome>,
}

/// Serialises the boundary shared by every stream of a run.
fn shared<S: serde::Serializer>(b: &Option<Arc<Boundary>>, s: S) -> Result<S::Ok, S::Error> {
    b.as_deref().serialize(s)
}

/// One client's place in a run's log.
struct Cursor {
    run: Arc<Run>,
    sent: usize,
    boundary: u64,
    finished: bool,
    changes: watch::Receiver<u64>,
    shutdown: watch::Receiver<bool>,
}

impl Cursor {
    /// What is new, if anything.
    fn next(&mut self) -> Option<Update> {
        let (points, boundary, done) = {
            let log = self.run.log();
            let boundary = log.boundary.clone().filter(|b| b.version != self.boundary);
            (
                log.costs[self.sent.min(log.costs.len())..].to_vec(),
                boundary,
                log.outcome.clone(),
            )
        };
        if points.is_empty() && boundary.is_none() && done.is_none() {
            return None;
        }
        self.sent += points.len();
        if let Some(b) = &boundary {
            self.boundary = b.version;
        }
        self.finished = done.is_some();
        Some(Update {
            run: self.run.id,
            total: self.run.setup.iterations,
            per_epoch: self.run.per_epoch,
            points,
            boundary,
            done,
        })
    }
}

/// `GET /api/train/events`: the current run's costs, boundaries and outcome as
/// server-sent events (`update`), from its first iteration; ends after the outcome, or
/// when the server shuts down. 404 if no training was started.
pub async fn events(
    State(state): State<Arc<AppState>>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let run = state
        .current_run()
        .ok_or_else(|| ApiError::not_found("no training has been started"))?;
    let cursor = Cursor {
        changes: run.changes.subscribe(),
        shutdown: state.shutdown.subscribe(),
        run,
        sent: 0,
        boundary: 0,
        finished: false,
    };
    let stream = futures_util::stream::unfold(cursor, |mut c| async move {
        if c.finished {
            return None;
        }
        loop {
            c.changes.borrow_and_update();
            if let Some(update) = c.next() {
                let event = Event::default()
                    .event("update")
                    .json_data(&update)
                    .unwrap_or_else(|_| Event::default().event("update").data("{}"));
                return Some((Ok(event), c));
            }
            if *c.shutdown.borrow_and_update() {
                return None;
            }
            tokio::select! {
                _ = c.changes.changed() => {}
                _ = c.shutdown.changed() => {}
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
