//! The warning `dnn predict` and `dnn evaluate` give for rows whose numbers (or dates) lie
//! well beyond what the model was trained on ([`dnn_data::ranges`]).

use dnn_data::ranges::{Beyond, InputRanges, MARGIN_IN_WORDS};
use dnn_data::DataSpec;
use ndarray::{Array2, ArrayView2};

use crate::metrics::significant;
use crate::text::count;

/// Inputs named in the warning; the rest are counted.
const NAMED: usize = 4;

/// The rows checked so far against a model's training ranges, block by block.
pub struct Extrapolation<'a> {
    spec: &'a DataSpec,
    ranges: &'a InputRanges,
    /// The inputs that can go beyond: numbers and parts of dates.
    inputs: Vec<usize>,
    /// Per input: rows beyond, and the smallest and largest value beyond (network units).
    seen: Vec<(usize, Option<f64>, Option<f64>)>,
    /// Whether each row checked is beyond on some input.
    rows: Vec<bool>,
}

impl<'a> Extrapolation<'a> {
    /// A check against `spec`'s ranges; `None` for a model that records none (pictures,
    /// which have none, or a table model saved before dnn recorded them).
    pub fn of(spec: &'a DataSpec) -> Option<Extrapolation<'a>> {
        let ranges = spec.ranges.as_ref()?;
        let inputs: Vec<usize> = spec
            .input
            .table_blocks()
            .into_iter()
            .filter(|b| b.one_hot.is_none())
            .flat_map(|b| b.inputs)
            .collect();
        Some(Extrapolation {
            spec,
            ranges,
            seen: vec![(0, None, None); inputs.len()],
            inputs,
            rows: Vec::new(),
        })
    }

    /// Checks the next rows, `x` as read from the file (`(inputs, rows)`, before the model's
    /// z-score).
    pub fn add_raw(&mut self, x: &Array2<f64>) {
        match &self.spec.standardization {
            Some(z) => {
                let mut z_scored = x.clone();
                z.apply(&mut z_scored);
                self.add(z_scored.view());
            }
            None => self.add(x.view()),
        }
    }

    /// Checks the next rows, `x` as the network sees them (z-scored as the model does).
    pub fn add(&mut self, x: ArrayView2<'_, f64>) {
        let first = self.rows.len();
        self.rows.resize(first + x.ncols(), false);
        for (k, b) in self.ranges.beyond(x, &self.inputs).into_iter().enumerate() {
            let Beyond {
                input,
                smallest,
                largest,
                examples,
            } = b;
            let at = self.inputs.iter().position(|&i| i == input).unwrap_or(k);
            let (n, lo, hi) = &mut self.seen[at];
            *n += examples.len();
            *lo = either(*lo, smallest, f64::min);
            *hi = either(*hi, largest, f64::max);
            for j in examples {
                self.rows[first + j] = true;
            }
        }
    }

    /// `rows well beyond what m.h5 was trained on: 3 of 200 (more than a tenth of the training
    /// range past it); its answers there are extrapolations: `year` up to 2030 in 3 rows
    /// (trained on 2012 to 2015)`; `None` when no row is. `model` names the model.
    pub fn warning(&self, model: &str) -> Option<String> {
        let beyond = self.rows.iter().filter(|&&b| b).count();
        if beyond == 0 {
            return None;
        }
        let names = self.spec.input.input_names();
        let raw = |input: usize, v: f64| match &self.spec.standardization {
            Some(z) => v * z.std[input] + z.mean[input],
            None => v,
        };
        let mut parts: Vec<String> = self
            .inputs
            .iter()
            .zip(&self.seen)
            .filter(|(_, (n, ..))| *n > 0)
            .map(|(&input, &(n, lo, hi))| {
                let reach = match (lo, hi) {
                    (Some(lo), Some(hi)) => format!(
                        "down to {} and up to {}",
                        significant(raw(input, lo)),
                        significant(raw(input, hi))
                    ),
                    (Some(lo), None) => format!("down to {}", significant(raw(input, lo))),
                    (None, Some(hi)) => format!("up to {}", significant(raw(input, hi))),
                    (None, None) => unreachable!("a row beyond is below or above"),
                };
                let (min, max) = (self.ranges.min[input], self.ranges.max[input]);
                let trained = if min == max {
                    format!("trained on {} only", significant(raw(input, min)))
                } else {
                    format!(
                        "trained on {} to {}",
                        significant(raw(input, min)),
                        significant(raw(input, max))
                    )
                };
                format!(
                    "`{}` {reach} in {} ({trained})",
                    names[input],
                    count(n, "row")
                )
            })
            .collect();
        if parts.len() > NAMED {
            let more = parts.len() - NAMED;
            parts.truncate(NAMED);
            parts.push(format!("and {} more", count(more, "input")));
        }
        Some(format!(
            "rows well beyond what {model} was trained on: {beyond} of {} (more than {} of the \
             training range past it); its answers there are extrapolations: {}",
            self.rows.len(),
            MARGIN_IN_WORDS,
            parts.join("; ")
        ))
    }
}

/// `pick` of `a` and `b` where both are given, else whichever is.
fn either(a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}
