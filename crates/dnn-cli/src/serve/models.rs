//! The models the Predict and Inspect views use: the `--model` file, and the last one
//! trained in the Train view.

use std::path::Path;

use anyhow::Context;
use dnn_core::Network;
use dnn_data::model::{encode_model, AnyNetwork, TrainingSetup};
use dnn_data::{DataSpec, Input, Standardization, TargetScale};
use serde::Serialize;

use super::datasets::InputKind;

/// Which model a request means: `file` (from `--model`) or `trained` (in this page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The `--model` file.
    File,
    /// The last model trained in the Train view.
    Trained,
}

impl Slot {
    /// `file` or `trained`; anything else is no slot.
    pub fn parse(name: &str) -> Option<Slot> {
        match name {
            "file" => Some(Slot::File),
            "trained" => Some(Slot::Trained),
            _ => None,
        }
    }
}

/// A model and what the page needs to know about it.
#[derive(Debug, Clone)]
pub struct ModelEntry {
    /// The file name, or what it was trained on.
    pub name: String,
    /// The network.
    pub network: AnyNetwork,
    /// How it was trained, as far as known.
    pub setup: TrainingSetup,
    /// What its inputs and outputs mean, when known (recorded in its file, or its data's).
    pub spec: Option<DataSpec>,
    /// What one input is.
    pub input: InputKind,
    /// Class names, by index; none for a model that predicts a number.
    pub classes: Vec<String>,
    /// The run that trained it (its version: each run's model replaces the last one's);
    /// none for the `--model` file, which never changes.
    pub run: Option<u64>,
}

/// What a model predicts, as the page lists it: `classify` or `regress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelTask {
    /// A class of [`ModelSummary`]'s `classes` (a sigmoid or softmax output).
    Classify,
    /// A number (an identity output: a regression).
    Regress,
}

/// What a regression model predicts, as far as its file says.
#[derive(Debug, Clone, Serialize)]
pub struct RegressionSummary {
    /// The target column it predicts (absent when the file does not say).
    pub target: Option<String>,
    /// The training part's mean of the target (absent when the file records no target scale).
    pub mean: Option<f64>,
    /// Its standard deviation.
    pub std: Option<f64>,
}

impl ModelEntry {
    /// Loads `--model`. Its classes, input and standardisation are the file's
    /// ([`DataSpec`]); a file that does not record them (numpy's, say) has its input guessed
    /// from its sizes ([`InputKind::guess`]) and classes `class 0`, `class 1`, ...
    pub fn load(path: &Path) -> anyhow::Result<ModelEntry> {
        // As every command loads --model: an ONNX file is named as one, and the message
        // (which names the file) is not prefixed with its path again.
        let model = crate::model_file::load_model_arg(path).context("--model")?;
        let sizes = model.network.layer_sizes();
        let (input, classes) = match &model.spec {
            Some(spec) => (InputKind::of(&spec.input), spec.classes.clone()),
            // An identity output predicts numbers: it has no classes, even unnamed ones.
            None if !model.network.output_activation().classifies() => {
                (InputKind::guess(sizes[0]), Vec::new())
            }
            None => (
                InputKind::guess(sizes[0]),
                generic_classes(sizes[sizes.len() - 1]),
            ),
        };
        Ok(ModelEntry {
            name: path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into(),
            ),
            network: model.network,
            setup: model.setup,
            spec: model.spec,
            input,
            classes,
            run: None,
        })
    }

    /// A network just trained by run `run` on the data set `dataset`, whose inputs and
    /// outputs `spec` describes.
    pub fn trained(
        run: u64,
        network: Network<f64>,
        setup: TrainingSetup,
        dataset: &str,
        spec: DataSpec,
    ) -> ModelEntry {
        ModelEntry {
            name: format!("run {run}, trained here on {dataset}"),
            run: Some(run),
            network: AnyNetwork::F64(network),
            setup,
            input: InputKind::of(&spec.input),
            classes: spec.classes.clone(),
            spec: Some(spec),
        }
    }

    /// Whether it classifies or predicts a number (its output layer says: an identity output
    /// is a regression, with or without the target scale its file may record).
    pub fn task(&self) -> ModelTask {
        if self.network.output_activation().classifies() {
            ModelTask::Classify
        } else {
            ModelTask::Regress
        }
    }

    /// A regression's target scale, when its file records one: the network's output `z`
    /// means `z * std + mean` in the target's units.
    pub fn target_scale(&self) -> Option<TargetScale> {
        self.spec.as_ref().and_then(|s| s.regression)
    }

    /// The target column's name, when the file records it.
    pub fn target(&self) -> Option<&str> {
        self.spec.as_ref().and_then(DataSpec::target)
    }

    /// The z-score its inputs go through, if any.
    pub fn standardization(&self) -> Option<&Standardization> {
        self.spec.as_ref().and_then(|s| s.standardization.as_ref())
    }

    /// The model file's bytes, as `dnn train --save` writes them (with what the inputs and
    /// outputs mean, when known).
    pub fn file_bytes(&self) -> anyhow::Result<Vec<u8>> {
        let spec = self.spec.as_ref();
        Ok(match &self.network {
            AnyNetwork::F32(n) => encode_model(n, &self.setup, spec)?,
            AnyNetwork::F64(n) => encode_model(n, &self.setup, spec)?,
        })
    }

    /// The activations' names, layer by layer.
    pub fn activations(&self) -> Vec<&'static str> {
        match &self.network {
            AnyNetwork::F32(n) => n.layers().iter().map(|l| l.activation().name()).collect(),
            AnyNetwork::F64(n) => n.layers().iter().map(|l| l.activation().name()).collect(),
        }
    }

    /// The first layer's weights, one row per unit, as `f64`.
    pub fn first_weights(&self) -> ndarray::Array2<f64> {
        match &self.network {
            AnyNetwork::F32(n) => n.layers()[0].weights().mapv(f64::from),
            AnyNetwork::F64(n) => n.layers()[0].weights().clone(),
        }
    }

    /// What the page lists: name, sizes, activations, set-up.
    pub fn summary(&self) -> ModelSummary {
        let sizes = self.network.layer_sizes();
        let s = &self.setup;
        let (columns, one_hot, filled, dates) = match self.spec.as_ref().map(|s| &s.input) {
            Some(
                input @ Input::Table {
                    columns,
                    one_hot,
                    filled,
                    dates,
                    ..
                },
            ) => (
                columns.clone(),
                one_hot.clone(),
                filled
                    .iter()
                    .map(|f| FillSummary {
                        column: f.column.clone(),
                        value: f.value,
                        shown: crate::data::fill_shown(input, &f.column, f.value),
                    })
                    .collect(),
                dates.clone(),
            ),
            _ => (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
        };
        ModelSummary {
            name: self.name.clone(),
            run: self.run,
            dtype: self.network.dtype(),
            parameters: sizes.windows(2).map(|p| p[0] * p[1] + p[1]).sum(),
            layer_sizes: sizes,
            activations: self.activations(),
            input: self.input,
            task: self.task(),
            classes: self.classes.clone(),
            regression: (self.task() == ModelTask::Regress).then(|| {
                let scale = self.target_scale();
                RegressionSummary {
                    target: self.target().map(str::to_owned),
                    mean: scale.map(|s| s.mean),
                    std: scale.map(|s| s.std),
                }
            }),
            standardized: self.standardization().is_some(),
            columns,
            one_hot,
            filled,
            dates,
            setup: SetupSummary {
                arch: s.arch.clone(),
                init: s.init.clone(),
                seed: s.seed,
                learning_rate: s.learning_rate,
                iterations: s.iterations,
                iterations_run: s.iterations_run,
                final_cost: s.final_cost,
                optimizer: s.optimizer.clone(),
                batch_size: s.batch_size,
                l2: s.l2,
                keep_prob: s.keep_prob,
                validation_split: s.validation_split,
                patience: s.patience,
                min_delta: s.min_delta,
                class_weights: s.class_weights.clone(),
                data: s.data.clone(),
                data_sha256: s.data_sha256.clone(),
                started_from: s.started_from.clone(),
            },
        }
    }
}

/// `class 0`, `class 1`, ...: two for one sigmoid output.
fn generic_classes(outputs: usize) -> Vec<String> {
    (0..outputs.max(2)).map(|k| format!("class {k}")).collect()
}

/// A model as the page lists it.
#[derive(Debug, Serialize)]
pub struct ModelSummary {
    name: String,
    /// The run that trained it, which requests may name (`?run=`) to be sure they get this
    /// model and not a later one; absent for the `--model` file.
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<u64>,
    dtype: &'static str,
    layer_sizes: Vec<usize>,
    activations: Vec<&'static str>,
    parameters: usize,
    input: InputKind,
    /// `classify` (a class of `classes`) or `regress` (a number, as `regression` says).
    task: ModelTask,
    /// Class names, by index; empty for a regression.
    classes: Vec<String>,
    /// For a regression: its target column and the target's scale (`null` for a classifier).
    regression: Option<RegressionSummary>,
    /// Whether inputs are standardised (the z-score recorded in the file) before the network.
    standardized: bool,
    /// A table model's feature columns, by name, in input order.
    columns: Vec<String>,
    /// Its text columns, each with its values (one input each).
    one_hot: Vec<dnn_data::OneHot>,
    /// Its number columns' fill values, when it was trained with `--fill-missing`.
    filled: Vec<FillSummary>,
    /// Its columns of dates, each with its order and parts (one input each).
    dates: Vec<dnn_data::dates::DateColumn>,
    setup: SetupSummary,
}

/// A column's fill value ([`dnn_data::missing::Filled`]), and as the page shows it (a date
/// for a column of dates).
#[derive(Debug, Serialize)]
pub struct FillSummary {
    column: String,
    value: f64,
    shown: String,
}

/// The training set-up read from a model file (absent fields: the file does not say).
#[derive(Debug, Serialize)]
pub struct SetupSummary {
    arch: Option<String>,
    init: Option<String>,
    seed: Option<u64>,
    learning_rate: Option<f64>,
    iterations: Option<u64>,
    iterations_run: Option<u64>,
    final_cost: Option<f64>,
    optimizer: Option<String>,
    batch_size: Option<u64>,
    l2: Option<f64>,
    keep_prob: Option<f64>,
    /// The fraction held out as a validation part, when one was.
    validation_split: Option<f64>,
    /// Early stopping's patience and least improvement, when it was on.
    patience: Option<u64>,
    min_delta: Option<f64>,
    /// How much an example of each class counted in the cost, by class, when it was trained
    /// with class weights.
    class_weights: Option<Vec<f64>>,
    /// The name of the data it was trained on, and that data's SHA-256.
    data: Option<String>,
    data_sha256: Option<String>,
    /// The model file training started from (`dnn train --from`), when it did.
    started_from: Option<String>,
}
