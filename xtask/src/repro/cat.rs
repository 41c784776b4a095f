//! `cat` entries: `dnn train <args> --data data --quiet --report R --save M`, compared with the
//! report on the layers, learning rate, iterations, every recorded cost (to `cost_abs`) and the
//! train/test accuracies (to `accuracy_abs`, i.e. exactly).

use std::path::Path;
use std::process::Command;

use dnn_report::TrainReport;

use super::expected::{CatEntry, Tolerances};
use super::table::Row;
use super::Reproduction;

impl Reproduction for CatEntry {
    type Report = TrainReport;

    fn name(&self) -> &str {
        &self.name
    }

    fn command(&self, dnn: &Path, data: &Path, report: &Path, scratch: &Path) -> Command {
        let mut cmd = Command::new(dnn);
        cmd.arg("train")
            .args(&self.args)
            .arg("--data")
            .arg(data)
            .arg("--quiet")
            .arg("--report")
            .arg(report)
            .arg("--save")
            .arg(scratch.join("model.h5"));
        cmd
    }

    fn compare(&self, r: &TrainReport, tol: &Tolerances) -> Vec<Row> {
        let name = &self.name;
        let mut rows = vec![
            Row::text(
                name,
                "layers",
                format!("{:?}", self.layers),
                format!("{:?}", r.layers),
            ),
            Row::number(
                name,
                "learning rate",
                self.learning_rate,
                Some(r.learning_rate),
                1e-12,
            ),
            Row::text(
                name,
                "iterations",
                self.iterations.to_string(),
                r.iterations.to_string(),
            ),
            Row::text(
                name,
                "cost records",
                self.costs.len().to_string(),
                r.costs.len().to_string(),
            ),
        ];
        for &(it, cost) in &self.costs {
            let got = r
                .costs
                .iter()
                .find(|&&(i, _)| (i as f64 - it).abs() < 0.5)
                .map(|&(_, c)| c);
            rows.push(Row::number(
                name,
                &format!("cost @ {it}"),
                cost,
                got,
                tol.cost_abs,
            ));
        }
        rows.push(Row::number(
            name,
            "train accuracy",
            self.train_accuracy,
            r.train_accuracy,
            tol.accuracy_abs,
        ));
        rows.push(Row::number(
            name,
            "test accuracy",
            self.test_accuracy,
            r.test_accuracy,
            tol.accuracy_abs,
        ));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::{summarize, Verdict};
    use super::super::test_support::{committed_cat, tol, train_report};
    use super::*;

    #[test]
    fn identical_report_matches_and_perturbed_one_does_not() {
        let e = committed_cat("deep");
        let rows = e.compare(&train_report(&e), &tol());
        assert!(!rows.is_empty() && rows.iter().all(|r| r.ok), "{rows:?}");

        let mut r2 = train_report(&e);
        r2.costs[3].1 += 2e-6;
        r2.test_accuracy = Some(0.78);
        let bad: Vec<_> = e
            .compare(&r2, &tol())
            .into_iter()
            .filter(|r| !r.ok)
            .map(|r| r.quantity)
            .collect();
        assert_eq!(
            bad,
            vec!["cost @ 300".to_string(), "test accuracy".to_string()]
        );

        let mut r3 = train_report(&e);
        r3.costs.pop();
        let bad = e.compare(&r3, &tol());
        assert!(bad
            .iter()
            .any(|r| r.quantity == "cost @ 2499" && r.got == "missing"));
        assert!(summarize(&[("deep".into(), Verdict::Compared(bad))]).is_err());
    }
}
