//! The optimisation set-up of a run, shared by the train and toy reports.

use serde::{Deserialize, Serialize};

/// What a report records of a run's optimiser, mini-batches, learning-rate decay, L2 and
/// dropout. It is flattened into the enclosing object ([`crate::TrainReport`] and
/// [`crate::ToyRun`]), so its keys sit at that object's top level. An optimiser's own
/// hyper-parameters (and the decay's) appear only when they apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HyperReport {
    /// `"gd"`, `"momentum"` or `"adam"`.
    pub optimizer: String,
    /// Momentum's β (momentum only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta: Option<f64>,
    /// Adam's β1 (Adam only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta1: Option<f64>,
    /// Adam's β2 (Adam only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta2: Option<f64>,
    /// Adam's ε (Adam only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epsilon: Option<f64>,
    /// Mini-batch size; `null`: full batch.
    pub batch_size: Option<usize>,
    /// Seed of the first epoch's shuffle; `null` for full-batch training (nothing is shuffled).
    pub shuffle_seed: Option<u32>,
    /// Learning-rate decay: `"none"`, `"inverse-time"` or `"step"`.
    pub decay: String,
    /// The decay's rate (with a decay only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay_rate: Option<f64>,
    /// Epochs between two steps of a step decay (step decay only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay_interval: Option<usize>,
    /// L2 regularisation λ (0: none).
    pub l2: f64,
    /// Dropout's keep probability (1: no dropout).
    pub keep_prob: f64,
}
