//! `planar` entries: `dnn planar <args> --report R` (the flower chapter), compared on each
//! hidden size's accuracy and, where given, the cost curve.
//!
//! Gradient descent at learning rate 1.2 is ill-conditioned on this set in places, so the entry
//! also records numpy's own spread under one-ulp perturbations of one initial weight: an
//! accuracy must equal numpy's or one that numpy itself reaches under such a perturbation, and
//! a cost must be within 1e-7 of numpy's where numpy's spread is negligible (< 1e-9), else
//! within 10 times that spread.

use std::path::Path;
use std::process::Command;

use dnn_report::{PlanarReport, PlanarRun};

use super::expected::{PlanarEntry, Tolerances};
use super::table::Row;
use super::Reproduction;

impl Reproduction for PlanarEntry {
    type Report = PlanarReport;

    fn name(&self) -> &str {
        &self.name
    }

    fn command(&self, dnn: &Path, _data: &Path, report: &Path, _scratch: &Path) -> Command {
        let mut cmd = Command::new(dnn);
        cmd.arg("planar")
            .args(&self.args)
            .arg("--report")
            .arg(report);
        cmd
    }

    fn compare(&self, report: &PlanarReport, tol: &Tolerances) -> Vec<Row> {
        let tanh = |size: u64| -> Option<&PlanarRun> {
            report
                .runs
                .iter()
                .find(|r| r.model == "tanh" && r.hidden as u64 == size)
        };
        let mut rows: Vec<Row> = self
            .accuracies
            .iter()
            .map(|&(size, acc)| {
                // The report's fraction, as the percentage numpy's exercise prints.
                let got = tanh(size).map(|r| r.accuracy * 100.0);
                let mut row = Row::number(
                    &self.name,
                    &format!("accuracy % (n_h = {size})"),
                    acc,
                    got,
                    tol.accuracy_abs,
                );
                let reached = self
                    .reached_under_one_ulp
                    .iter()
                    .find(|(n, _)| *n == size)
                    .map(|(_, v)| v.as_slice())
                    .unwrap_or(&[]);
                if reached.len() > 1 {
                    row.quantity
                        .push_str(&format!(" [numpy one-ulp: {reached:?}]"));
                    row.ok |= got
                        .is_some_and(|g| reached.iter().any(|r| (g - r).abs() <= tol.accuracy_abs));
                }
                row
            })
            .collect();
        if let (Some(&(size, _)), false) = (self.accuracies.first(), self.costs.is_empty()) {
            let got_costs = tanh(size).map(|r| r.costs.as_slice()).unwrap_or(&[]);
            for (k, &(i, expected)) in self.costs.iter().enumerate() {
                let spread = self
                    .cost_spread_under_one_ulp
                    .get(k)
                    .copied()
                    .unwrap_or(0.0);
                let cost_tol = if spread < 1e-9 {
                    1e-7_f64.min(tol.cost_abs)
                } else {
                    10.0 * spread
                };
                let got = got_costs
                    .iter()
                    .find(|&&(j, _)| j as u64 == i)
                    .map(|&(_, c)| c);
                let quantity = if spread < 1e-9 {
                    format!("cost at {i}")
                } else {
                    format!("cost at {i} [numpy one-ulp spread {spread:.1e}]")
                };
                rows.push(Row::number(&self.name, &quantity, expected, got, cost_tol));
            }
        }
        rows
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::test_support::tol;
    use super::*;

    pub(in super::super) fn planar_entry() -> PlanarEntry {
        PlanarEntry {
            name: "flower".into(),
            args: vec!["--sweep".into(), "1,20".into()],
            accuracies: vec![(1, 67.5), (20, 90.5)],
            reached_under_one_ulp: vec![(1, vec![67.5]), (20, vec![90.0, 90.5])],
            costs: vec![],
            cost_spread_under_one_ulp: vec![],
        }
    }

    /// `(hidden units, accuracy in percent, costs)` of one run.
    type RunSpec<'a> = (usize, f64, &'a [(usize, f64)]);

    fn planar_report(runs: &[RunSpec<'_>]) -> PlanarReport {
        PlanarReport {
            data_seed: 1,
            init_seed: 2,
            learning_rate: 1.2,
            iterations: 5000,
            interrupted: false,
            runs: runs
                .iter()
                .map(|&(hidden, percent, costs)| PlanarRun {
                    model: "tanh".into(),
                    hidden,
                    iterations_run: 5000,
                    costs: costs.to_vec(),
                    accuracy: percent / 100.0,
                })
                .collect(),
        }
    }

    #[test]
    fn planar_accuracies_must_be_numpys_or_within_its_one_ulp_spread() {
        let e = planar_entry();
        let same = planar_report(&[(1, 67.5, &[]), (20, 90.5, &[])]);
        let rows = e.compare(&same, &tol());
        assert!(!rows.is_empty() && rows.iter().all(|r| r.ok), "{rows:?}");
        let other_in_spread = planar_report(&[(1, 67.5, &[]), (20, 90.0, &[])]);
        assert!(e.compare(&other_in_spread, &tol()).iter().all(|r| r.ok));
        let outside = planar_report(&[(1, 67.25, &[]), (20, 90.25, &[])]);
        let rows = e.compare(&outside, &tol());
        assert!(rows.iter().all(|r| !r.ok), "{rows:?}");
        let missing = planar_report(&[(1, 67.5, &[])]);
        assert_eq!(e.compare(&missing, &tol())[1].got, "missing");
    }

    #[test]
    fn planar_costs_are_compared_to_1e_7_where_numpy_is_stable_and_to_its_spread_elsewhere() {
        let mut e = planar_entry();
        e.accuracies = vec![(4, 90.5)];
        e.reached_under_one_ulp = vec![(4, vec![90.5])];
        e.costs = vec![(0, 0.69), (8000, 0.2194)];
        e.cost_spread_under_one_ulp = vec![0.0, 1e-4];
        let good = planar_report(&[(4, 90.5, &[(0, 0.69 + 5e-8), (8000, 0.2194 + 6e-4)])]);
        assert!(e.compare(&good, &tol()).iter().all(|r| r.ok));
        let bad = planar_report(&[(4, 90.5, &[(0, 0.69 + 2e-7), (8000, 0.2194 + 2e-3)])]);
        let rows = e.compare(&bad, &tol());
        assert!(!rows[1].ok && !rows[2].ok, "{rows:?}");
    }
}
