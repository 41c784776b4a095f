//! `toy` entries: `dnn toy <args> --quiet --report R` (the "Optimization methods" moons runs,
//! one optimiser each, written by `xtask/expected/gen_toy.py` with numpy and scikit-learn),
//! compared on the cost every 1000 epochs and at the last one to `cost_abs`, or to 10 times
//! numpy's own one-ulp spread where that is larger, and on the accuracy exactly (or to one numpy
//! reaches under a one-ulp perturbation).

use std::path::Path;
use std::process::Command;

use dnn_report::ToyReport;

use super::expected::{Tolerances, ToyEntry};
use super::table::Row;
use super::Reproduction;

impl Reproduction for ToyEntry {
    type Report = ToyReport;

    fn name(&self) -> &str {
        &self.name
    }

    fn command(&self, dnn: &Path, _data: &Path, report: &Path, _scratch: &Path) -> Command {
        let mut cmd = Command::new(dnn);
        cmd.arg("toy")
            .args(&self.args)
            .arg("--quiet")
            .arg("--report")
            .arg(report);
        cmd
    }

    fn compare(&self, report: &ToyReport, tol: &Tolerances) -> Vec<Row> {
        let run = report
            .runs
            .iter()
            .find(|r| r.training.optimizer == self.optimizer);
        let got_costs = run.map(|r| r.costs.as_slice()).unwrap_or(&[]);
        let mut rows = vec![Row::text(
            &self.name,
            "cost records",
            self.costs.len().to_string(),
            got_costs.len().to_string(),
        )];
        for (k, &(epoch, expected)) in self.costs.iter().enumerate() {
            let spread = self
                .cost_spread_under_one_ulp
                .get(k)
                .copied()
                .unwrap_or(0.0);
            let (cost_tol, quantity) = if 10.0 * spread > tol.cost_abs {
                (
                    10.0 * spread,
                    format!("cost at {epoch} [numpy one-ulp spread {spread:.1e}]"),
                )
            } else {
                (tol.cost_abs, format!("cost at {epoch}"))
            };
            let got = got_costs
                .iter()
                .find(|&&(j, _)| j as u64 == epoch)
                .map(|&(_, c)| c);
            rows.push(Row::number(&self.name, &quantity, expected, got, cost_tol));
        }
        let got = run.map(|r| r.accuracy);
        let mut row = Row::number(&self.name, "accuracy", self.accuracy, got, tol.accuracy_abs);
        if self.reached_under_one_ulp.len() > 1 {
            row.quantity.push_str(&format!(
                " [numpy one-ulp: {:?}]",
                self.reached_under_one_ulp
            ));
            row.ok |= got.is_some_and(|g| {
                self.reached_under_one_ulp
                    .iter()
                    .any(|r| (g - r).abs() <= tol.accuracy_abs)
            });
        }
        rows.push(row);
        rows
    }
}

#[cfg(test)]
mod tests {
    use dnn_report::ToyRun;

    use super::super::test_support::{committed_toy, hyper_report, tol};
    use super::*;

    fn toy_report(e: &ToyEntry, accuracy: f64, shift: f64) -> ToyReport {
        ToyReport {
            dataset: "moons".into(),
            samples: 300,
            noise: 0.2,
            factor: None,
            data_seed: 3,
            layers: vec![2, 5, 2, 1],
            init: "he".into(),
            seed: 3,
            learning_rate: 0.0007,
            epochs: 5000,
            interrupted: false,
            runs: vec![ToyRun {
                training: hyper_report(&e.optimizer),
                epochs_run: 5000,
                costs: e
                    .costs
                    .iter()
                    .map(|&(i, c)| (i as usize, c + shift))
                    .collect(),
                final_cost: e.costs.last().map(|c| c.1 + shift),
                accuracy,
                train_seconds: 1.0,
            }],
        }
    }

    #[test]
    fn toy_costs_and_accuracy_are_compared() {
        let e = committed_toy("moons-adam");
        let rows = e.compare(&toy_report(&e, e.accuracy, 5e-7), &tol());
        assert!(rows.iter().all(|r| r.ok), "{rows:?}");
        let rows = e.compare(&toy_report(&e, 0.94, 2e-6), &tol());
        assert!(rows.iter().skip(1).all(|r| !r.ok), "{rows:?}");
        let mut other = toy_report(&e, e.accuracy, 0.0);
        other.runs.clear();
        let rows = e.compare(&other, &tol());
        assert!(rows.iter().all(|r| !r.ok), "{rows:?}");
    }
}
