//! Progress output: the exercise's cost lines and, on a terminal, a progress bar: by
//! iterations for full-batch training, by mini-batches within each epoch otherwise.

use std::cell::Cell;
use std::fmt::Write;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use dnn_core::{BatchProgress, TrainControl};
use indicatif::{HumanDuration, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::output::say;
use crate::text::count;

/// Prints `Cost after iteration {i}: {cost:.6}` (or `epoch`, with mini-batches) every
/// `every` iterations and at the last, and drives a bar with rate and ETA on a terminal's
/// stderr.
pub struct Progress {
    bar: ProgressBar,
    every: usize,
    quiet: bool,
    epochs: bool,
    /// The last iteration whose line was printed.
    printed: Cell<Option<usize>>,
}

impl Progress {
    pub fn new(total: usize, every: usize, quiet: bool) -> Self {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} it  {rate}  ETA {eta}  cost {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                // indicatif's own {per_sec} prints four decimals ("17,511.4478/s").
                .with_key(
                    "rate",
                    |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0} it/s", state.per_sec());
                    },
                ),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        };
        Progress {
            bar,
            every,
            quiet,
            epochs: false,
            printed: Cell::new(None),
        }
    }

    /// Counts epochs (mini-batch training): the lines read `Cost after epoch {i}`.
    pub fn per_epoch(mut self, epochs: bool) -> Self {
        self.epochs = epochs;
        self
    }

    /// With mini-batches ([`Progress::per_epoch`]), has the bar follow the batches of the
    /// epoch under way as the engine publishes them to `control`:
    /// `█████░░░ epoch 3/10  batch 1200/3125  14.2 batches/s  ETA 31m  cost 0.287435`, the
    /// rate and ETA from the mean over the run so far (so they hold still through a long
    /// epoch). Drawn at the bar's steady tick: the training loop only stores a counter.
    pub fn batches(self, control: &Arc<TrainControl>) -> Self {
        if self.epochs && !self.bar.is_hidden() {
            self.bar.set_style(batch_style(control));
        }
        self
    }

    /// After iteration `iteration` (from 0) of `total`, with the validation part's cost when
    /// one is watched: `Cost after epoch 10: 0.341234 (validation 0.362011)`.
    pub fn iteration(&self, iteration: usize, total: usize, cost: f64, validation: Option<f64>) {
        self.bar.set_position(iteration as u64 + 1);
        self.bar.set_message(match validation {
            Some(v) => format!(
                "{}, validation {}",
                dnn_core::cost::shown(cost),
                dnn_core::cost::shown(v)
            ),
            None => dnn_core::cost::shown(cost),
        });
        if iteration + 1 == total {
            self.stopped_at(iteration, cost, validation);
        } else if !self.quiet && iteration.is_multiple_of(self.every) {
            self.line(&self.cost_line(iteration, cost, validation));
        }
    }

    /// After the last iteration that ran (the planned last, or one where training stopped):
    /// its cost line, unless it was a print step and so printed already.
    pub fn stopped_at(&self, iteration: usize, cost: f64, validation: Option<f64>) {
        let printed = self.printed.replace(Some(iteration)) == Some(iteration);
        if !self.quiet && !printed {
            self.line(&self.cost_line(iteration, cost, validation));
        }
    }

    fn cost_line(&self, iteration: usize, cost: f64, validation: Option<f64>) -> String {
        self.printed.set(Some(iteration));
        let line = match self.epochs {
            true => epoch_line(iteration, cost),
            false => cost_line(iteration, cost),
        };
        match validation {
            Some(v) => format!("{line} (validation {})", dnn_core::cost::shown(v)),
            None => line,
        }
    }

    /// Prints a line above the bar (or plainly without one).
    pub fn line(&self, text: &str) {
        if self.bar.is_hidden() {
            say!("{text}");
        } else {
            self.bar.println(text);
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// [`Progress::batches`]'s bar: every key reads the engine's counter in `control`.
fn batch_style(control: &Arc<TrainControl>) -> ProgressStyle {
    let key = |f: fn(BatchProgress, &ProgressState, &mut dyn Write) -> std::fmt::Result| {
        let control = Arc::clone(control);
        move |state: &ProgressState, w: &mut dyn Write| {
            let _ = f(control.progress(), state, w);
        }
    };
    ProgressStyle::with_template(
        "{batch_bar} epoch {epoch}  batch {batch}  {mean_rate}  ETA {mean_eta}  cost {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .with_key(
        "batch_bar",
        key(|p, _, w| {
            let full = (p.fraction() * BAR_CELLS as f64) as usize;
            let bar: String = (0..BAR_CELLS)
                .map(|i| if i < full { '█' } else { '░' })
                .collect();
            w.write_str(&bar)
        }),
    )
    .with_key(
        "epoch",
        key(|p, _, w| write!(w, "{}/{}", (p.epoch() + 1).min(p.epochs), p.epochs)),
    )
    .with_key(
        "batch",
        key(|p, _, w| write!(w, "{}/{}", p.batch(), p.batches)),
    )
    .with_key(
        "mean_rate",
        key(|p, state, w| {
            let rate = p.updates as f64 / state.elapsed().as_secs_f64().max(1e-9);
            match rate < 10.0 {
                true => write!(w, "{rate:.1} batches/s"),
                false => write!(w, "{rate:.0} batches/s"),
            }
        }),
    )
    .with_key(
        "mean_eta",
        key(|p, state, w| match mean_eta(p, state.elapsed()) {
            Some(eta) => write!(w, "{:#}", HumanDuration(eta)),
            None => w.write_str("-"),
        }),
    )
}

/// Cells of the bar (as `{bar:40}`).
const BAR_CELLS: usize = 40;

/// The time left at the mean rate so far: `elapsed` for the batches done, in proportion for
/// those left; `None` before the first batch is done.
pub fn mean_eta(p: BatchProgress, elapsed: Duration) -> Option<Duration> {
    let planned = p.batches as f64 * p.epochs as f64;
    let done = p.updates as f64;
    (done > 0.0).then(|| elapsed.mul_f64((planned - done).max(0.0) / done))
}

/// The exercise's cost line.
pub fn cost_line(iteration: usize, cost: f64) -> String {
    format!(
        "Cost after iteration {iteration}: {}",
        dnn_core::cost::shown(cost)
    )
}

/// The course's cost line for mini-batch training ("Optimization methods").
pub fn epoch_line(epoch: usize, cost: f64) -> String {
    format!("Cost after epoch {epoch}: {}", dnn_core::cost::shown(cost))
}

/// What an interrupted `dnn toy` or `dnn planar` says on stderr, as `dnn train` does:
/// `interrupted after 12684 of 200000 epochs`. `last`: the steps the last run trained and what
/// it was (`with momentum`), if one started; `several`: when more than one run was planned,
/// how many trained in full, of how many, and what a run is (`optimiser`):
/// `interrupted after 120 of 5000 epochs with momentum; 1 of 3 optimisers trained in full`.
pub fn interrupted_line(
    last: Option<(usize, &str)>,
    planned: usize,
    unit: &str,
    several: Option<(usize, usize, &str)>,
) -> String {
    let steps = last.map(|(n, _)| format!(" after {n} of {}", count(planned, unit)));
    match (steps, several) {
        (Some(steps), None) => format!("interrupted{steps}"),
        (Some(steps), Some((full, runs, noun))) => format!(
            "interrupted{steps} {}; {full} of {} trained in full",
            last.map_or("", |(_, what)| what),
            count(runs, noun)
        ),
        (None, Some((full, runs, noun))) => {
            format!(
                "interrupted: {full} of {} trained in full",
                count(runs, noun)
            )
        }
        (None, None) => "interrupted before training".to_owned(),
    }
}
