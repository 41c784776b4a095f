//! The Train view's class weights, as `dnn train --class-weight` takes them: the set-up's
//! `class_weight` checked once ([`check`]) into a [`Weighted`] (the weights of the examples
//! that train, after any validation part is held out), and what the run's outcome says of
//! them ([`ClassWeightsOutcome`]) and of each part's balanced accuracy ([`BalancedOutcome`],
//! also for a plain run on classes far from even). The parsing, the weights, the lines and the warnings are
//! `dnn train`'s own ([`crate::class_weight`]).

use std::collections::BTreeMap;

use dnn_core::{ClassWeights, Network, Optimizer};
use ndarray::Array2;
use serde::Serialize;

use super::validation::Watched;
use super::Setup;
use crate::class_weight::{
    balanced_accuracies, balanced_line, balanced_warning, by_part, is_uneven, mean_weight,
    parse_class_weight, warnings, TrainingPart,
};
use crate::serve::datasets::TrainingData;
use crate::serve::error::ApiError;

/// How the set-up's field is named in messages.
const FIELD: &str = "class_weight";

/// A run's class weights, checked before it starts.
#[derive(Debug)]
pub struct Weighted {
    /// The weight of each class, by class index.
    pub weights: ClassWeights,
    /// What a training example counts on average (1 for balanced weights).
    pub mean: f64,
    /// `dnn train`'s `Class weights: ...` line.
    line: String,
    /// `dnn train`'s warnings about them (a class named that has no training example,
    /// weights far from 1 on average but for Adam).
    warnings: Vec<String>,
}

/// Checks the set-up's `class_weight` as `dnn train` checks `--class-weight`, against the
/// examples that train: `watched`'s training part when a validation part is held out, else
/// `data`'s. Every problem is a 400 naming the field.
pub fn check(
    setup: &Setup,
    data: &TrainingData,
    watched: Option<&Watched>,
    optimizer: &Optimizer,
) -> Result<Option<Weighted>, ApiError> {
    // Empty is none, as the page's empty field is.
    let Some(text) = setup.class_weight.as_ref().filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    let bad = |problem: String| ApiError::bad_request(format!("{FIELD}: {problem}"));
    let arg = parse_class_weight(text.trim()).map_err(bad)?;
    // The examples that train: less the validation part when one was held out.
    let part = TrainingPart {
        classes: &data.spec.classes,
        regression: data.is_regression(),
        labels: watched.map_or(&data.train_labels, |w| &w.data.train_labels),
    };
    let weights = (arg.weights::<f64>(part, watched.is_some(), FIELD))
        .map_err(|e| ApiError::bad_request(crate::one_line(&e)))?;
    Ok(Some(Weighted {
        mean: mean_weight(&weights, part.labels),
        line: arg.line(&weights, part, ""),
        warnings: warnings(&arg, &weights, part, (optimizer, FIELD)),
        weights,
    }))
}

/// What a weighted run's outcome says of its class weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassWeightsOutcome {
    /// The weight of each class, by class index, as the model file records them.
    pub weights: Vec<f64>,
    /// `dnn train`'s line: `` Class weights: `fault` 12.5, `ok` 0.5208 (balanced: ...) ``.
    pub line: String,
    /// `dnn train`'s warnings about the weights, before training.
    pub warnings: Vec<String>,
}

/// Each part's balanced accuracy, as `dnn train` gives it with class weights or classes far
/// from even.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalancedOutcome {
    /// The mean of the classes' recalls, by part: `train`, `validation` when one was held
    /// out, `test`.
    pub by_part: BTreeMap<String, f64>,
    /// `dnn train`'s `Balanced accuracy (...): train 0.97, test 0.93` line.
    pub line: String,
    /// `dnn train`'s warning, with class weights, when the test part's balanced accuracy is no
    /// better than always answering one class.
    pub warning: Option<String>,
}

impl Weighted {
    /// What the outcome says of these weights.
    pub fn outcome(&self) -> ClassWeightsOutcome {
        ClassWeightsOutcome {
            weights: self.weights.as_slice().to_vec(),
            line: self.line.clone(),
            warnings: self.warnings.clone(),
        }
    }
}

/// Each part's balanced accuracy by `net`, for the `(name, inputs, labels)` of `parts` and
/// `classes` classes, when the run is `weighted` or the data set's classes are uneven
/// ([`is_uneven`] over `counts`, every example's class counted); else none.
pub fn balanced(
    net: &Network<f64>,
    parts: &[(&'static str, &Array2<f64>, &[usize])],
    (classes, counts): (usize, &[usize]),
    weighted: bool,
) -> Result<Option<BalancedOutcome>, String> {
    if !(weighted || is_uneven(counts)) {
        return Ok(None);
    }
    let parts: Vec<_> = (parts.iter())
        .map(|&(name, x, labels)| (name, x.view(), labels))
        .collect();
    let each = balanced_accuracies(net, &parts, classes).map_err(|e| e.to_string())?;
    Ok(Some(BalancedOutcome {
        by_part: by_part(&each),
        line: balanced_line(&each, classes),
        warning: weighted.then(|| balanced_warning(&each)).flatten(),
    }))
}
