//! The expected-results file, `xtask/expected/repro.json`: what each set-up must reproduce.
//!
//! Written by `xtask/expected/gen_repro.py` from numpy (never from our own binary); see that
//! script for how each number is computed. A list of entries, each of a `kind`: `cat`
//! ([`CatEntry`]), `planar` ([`PlanarEntry`]) or `toy` ([`ToyEntry`]).

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

/// The expected-results file.
#[derive(Debug, Deserialize)]
pub struct ExpectedFile {
    /// Comparison tolerances.
    pub tolerances: Tolerances,
    /// The set-ups to check, in order.
    pub entries: Vec<Entry>,
}

/// Absolute tolerances.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Tolerances {
    /// For costs.
    pub cost_abs: f64,
    /// For accuracies (tiny: accuracies must match exactly).
    pub accuracy_abs: f64,
}

/// One set-up to reproduce.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind")]
pub enum Entry {
    /// A cat/non-cat training run (`dnn train`).
    #[serde(rename = "cat")]
    Cat(CatEntry),
    /// The flower hidden-size sweep (`dnn planar`).
    #[serde(rename = "planar")]
    Planar(PlanarEntry),
    /// One optimiser on a toy data set (`dnn toy`).
    #[serde(rename = "toy")]
    Toy(ToyEntry),
}

impl Entry {
    /// The set-up's name.
    pub fn name(&self) -> &str {
        match self {
            Entry::Cat(e) => &e.name,
            Entry::Planar(e) => &e.name,
            Entry::Toy(e) => &e.name,
        }
    }
}

/// Expected results of one `dnn train` set-up.
#[derive(Debug, Deserialize)]
pub struct CatEntry {
    /// Set-up name (`deep`, `two-layer`, `logistic`).
    pub name: String,
    /// Arguments that select the set-up, e.g. `["--arch", "deep"]`.
    pub args: Vec<String>,
    /// Layer sizes.
    pub layers: Vec<u64>,
    /// Learning rate.
    pub learning_rate: f64,
    /// Number of iterations.
    pub iterations: u64,
    /// `[iteration, cost]` pairs: every 100 iterations plus the last one.
    pub costs: Vec<(f64, f64)>,
    /// Training-set accuracy, a fraction.
    pub train_accuracy: f64,
    /// Test-set accuracy, a fraction.
    pub test_accuracy: f64,
}

/// Expected results of the flower sweep.
#[derive(Debug, Deserialize)]
pub struct PlanarEntry {
    /// Set-up name.
    pub name: String,
    /// Arguments after `dnn planar`, e.g. `["--sweep", "1,2,3,4,5,20,50", "--iterations", "5000"]`.
    pub args: Vec<String>,
    /// `[hidden size, accuracy in %]` pairs.
    pub accuracies: Vec<(u64, f64)>,
    /// `[hidden size, [accuracies numpy reaches under one-ulp perturbations]]`.
    #[serde(default)]
    pub reached_under_one_ulp: Vec<(u64, Vec<f64>)>,
    /// `[iteration, cost]` of the (single) network, if the entry checks a cost curve.
    #[serde(default)]
    pub costs: Vec<(u64, f64)>,
    /// numpy's largest cost difference under one-ulp perturbations, per entry of `costs`.
    #[serde(default)]
    pub cost_spread_under_one_ulp: Vec<f64>,
}

/// Expected results of one `dnn toy` optimiser run.
#[derive(Debug, Deserialize)]
pub struct ToyEntry {
    /// Set-up name, e.g. `moons-adam`.
    pub name: String,
    /// Arguments after `dnn toy`, e.g. `["--dataset", "moons", "--optimizer", "adam"]`.
    pub args: Vec<String>,
    /// `gd`, `momentum` or `adam`.
    pub optimizer: String,
    /// `[epoch, cost]` every 1000 epochs and at the last.
    pub costs: Vec<(u64, f64)>,
    /// numpy's largest cost difference under one-ulp perturbations, per entry of `costs`.
    #[serde(default)]
    pub cost_spread_under_one_ulp: Vec<f64>,
    /// Training accuracy, a fraction.
    pub accuracy: f64,
    /// The accuracies numpy reaches under one-ulp perturbations.
    #[serde(default)]
    pub reached_under_one_ulp: Vec<f64>,
}

/// Reads the expected-results file.
pub fn load_expected(path: &Path) -> Result<ExpectedFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the expected results {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a valid expected-results file (regenerate it with `cargo xtask regen`)",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{committed, committed_cat, committed_toy};

    /// The committed numpy numbers agree with the exercise's published headline numbers.
    #[test]
    // 0.693147 is the published logistic cost at iteration 0 (it is ln 2 because w = 0).
    #[allow(clippy::approx_constant)]
    fn committed_expectations_match_the_published_numbers() {
        assert_eq!(committed().tolerances.cost_abs, 1e-6);
        let published = [
            ("deep", 2400.0, 0.771749, 0.092878, 0.985646, 0.80),
            ("two-layer", 2400.0, 0.693050, 0.048555, 1.0, 0.72),
            ("logistic", 1900.0, 0.693147, 0.140872, 0.990431, 0.70),
        ];
        for (name, late, c0, c_late, train, test) in published {
            let e = committed_cat(name);
            let cost_at = |it: f64| {
                e.costs
                    .iter()
                    .find(|(i, _)| *i == it)
                    .map(|&(_, c)| c)
                    .expect("cost")
            };
            assert!((cost_at(0.0) - c0).abs() < 5e-7, "{name} cost 0");
            assert!((cost_at(late) - c_late).abs() < 5e-7, "{name} cost {late}");
            assert!((e.train_accuracy - train).abs() < 5e-7, "{name} train");
            assert!((e.test_accuracy - test).abs() < 1e-12, "{name} test");
            let last = e.iterations as f64 - 1.0;
            assert_eq!(
                e.costs.last().map(|c| c.0),
                Some(last),
                "{name} last record"
            );
        }
    }

    /// The committed numpy numbers: Adam beats plain mini-batch gradient descent on the moons.
    #[test]
    fn committed_toy_expectations_show_adam_ahead_on_the_moons() {
        let (gd, momentum, adam) = (
            committed_toy("moons-gd"),
            committed_toy("moons-momentum"),
            committed_toy("moons-adam"),
        );
        assert!((gd.accuracy - 0.7166666666666667).abs() < 1e-12);
        assert!((momentum.accuracy - 0.7166666666666667).abs() < 1e-12);
        assert!((adam.accuracy - 0.9433333333333334).abs() < 1e-12);
        for e in [&gd, &momentum, &adam] {
            let epochs: Vec<u64> = e.costs.iter().map(|c| c.0).collect();
            assert_eq!(epochs, [0, 1000, 2000, 3000, 4000, 4999], "{}", e.name);
        }
        assert!((adam.costs[4].1 - 0.13606616153974382).abs() < 1e-15);
    }
}
