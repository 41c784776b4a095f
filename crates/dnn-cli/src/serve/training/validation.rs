//! The Train view's validation part, as `dnn train --validation-split` and `--early-stopping`
//! make it: the set-up's fields checked once ([`check`]) into a [`Watched`] (the run's copy of
//! the training part, the validation part held out of it with `--split-seed`), and what the
//! run's outcome says of it ([`ValidationOutcome`]). The defaults, the held-out line, the
//! stopping sentence and the report block are `dnn train`'s own ([`crate::validation`]).

use dnn_data::{Dataset, HeldOut};
use ndarray::Array2;
use serde::Serialize;

use super::Setup;
use crate::serve::datasets::TrainingData;
use crate::serve::error::ApiError;
use crate::validation::{held_out_line, ValidationFlags};
use crate::values::{parse_non_negative, parse_positive, parse_validation_split};

/// A run's validation part and what it trains on instead of the whole training part.
#[derive(Debug)]
pub struct Watched {
    /// The set-up's fields as `dnn train`'s flags: the split, early stopping's rule.
    pub flags: ValidationFlags,
    /// The run's copy of the training part, the validation part taken out.
    pub data: Dataset,
    /// Its targets, as the network takes them.
    pub train_y: Array2<f64>,
    /// The validation part.
    pub held_out: HeldOut,
    /// Its targets, as the network takes them.
    pub y: Array2<f64>,
    /// `dnn train`'s `Validation: 24 of the 240 training examples held out (...)` line.
    pub line: String,
}

/// Checks the set-up's validation fields as `dnn train` checks its flags and, when a part is
/// to be held out, holds it out of a copy of `data`'s training part; `unit` is `epoch` or
/// `iteration`. Every problem is a 400 naming the field.
pub fn check(setup: &Setup, data: &TrainingData, unit: &str) -> Result<Option<Watched>, ApiError> {
    let bad = |field: &str, problem: String| ApiError::bad_request(format!("{field}: {problem}"));
    if let Some(fraction) = setup.validation_split {
        parse_validation_split(&fraction.to_string()).map_err(|e| bad("validation_split", e))?;
    }
    for (field, given) in [
        ("patience", setup.patience.map(|p| p.to_string())),
        ("min_delta", setup.min_delta.map(|d| d.to_string())),
    ] {
        if let Some(value) = given.filter(|_| !setup.early_stopping) {
            return Err(bad(
                field,
                format!(
                    "{value} is early stopping's, which is off; set early_stopping to true, or leave {field} out"
                ),
            ));
        }
    }
    if let Some(patience) = setup.patience {
        parse_positive(&patience.to_string()).map_err(|e| bad("patience", e))?;
    }
    if let Some(delta) = setup.min_delta {
        parse_non_negative(&delta.to_string()).map_err(|e| bad("min_delta", e))?;
    }
    let flags = ValidationFlags {
        validation_split: setup.validation_split,
        early_stopping: setup.early_stopping,
        patience: setup.patience,
        min_delta: setup.min_delta,
    };
    let Some(fraction) = flags.split() else {
        return Ok(None);
    };
    let mut part = data.training_part();
    let held_out = part
        .hold_out(fraction, data.validation_seed)
        .map_err(|e| bad("validation_split", e.to_string()))?;
    Ok(Some(Watched {
        line: held_out_line(&part, &held_out, &flags, unit),
        train_y: part.train_y(),
        y: part.held_out_y(&held_out),
        flags,
        data: part,
        held_out,
    }))
}

/// What a run's outcome says of its validation part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationOutcome {
    /// `dnn train --report`'s block: the examples, fraction and seed, the best iteration and
    /// its cost, what early stopping did, and the accuracy (or a regression's scores) of the
    /// model kept. Its `costs` are the last iteration's only: the stream sent every one.
    #[serde(flatten)]
    pub report: dnn_report::ValidationReport,
    /// `dnn train`'s line: `Validation: 24 of the 240 training examples held out (...)`.
    pub held_out_line: String,
    /// `Validation accuracy: 0.958333`, or a regression's `Validation R²: ... (RMSE ...)`.
    pub line: String,
    /// `dnn train`'s `Early stopping: ...` sentence, with early stopping.
    pub stopping_line: Option<String>,
}
