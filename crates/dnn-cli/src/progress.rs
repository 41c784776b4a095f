//! Progress output: the exercise's cost lines and, on a terminal, a progress bar: by
//! iterations for full-batch training, by mini-batches within each epoch otherwise. Off a
//! terminal, a line says how far an epoch has gone when it runs longer than a minute
//! (`DNN_PROGRESS_SECONDS`).

use std::cell::Cell;
use std::fmt::Write;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use dnn_core::{BatchProgress, TrainControl};
use indicatif::{HumanDuration, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::output::{say, tell};
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
    /// Off a terminal, the thread that prints a line during long epochs
    /// ([`Progress::batches`]).
    heartbeat: Option<Heartbeat>,
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
            heartbeat: None,
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
    ///
    /// Off a terminal (a log file, `nohup`, CI), where there is no bar, a line says how far
    /// an epoch has gone once it has run for [`heartbeat_every`] (a minute by default) and
    /// every such interval after, until it ends: `Epoch 0: batch 1200 of 3125, 14.2
    /// batches/s, about 2m left`. Epochs shorter than that print nothing more than before.
    pub fn batches(mut self, control: &Arc<TrainControl>) -> Self {
        if self.epochs && !self.bar.is_hidden() {
            self.bar.set_style(batch_style(control));
        }
        if self.epochs && self.bar.is_hidden() && !self.quiet {
            self.heartbeat = Some(Heartbeat::start(Arc::clone(control), heartbeat_every()));
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
        if let Some(heartbeat) = &self.heartbeat {
            heartbeat.stop();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(heartbeat) = self.heartbeat.take() {
            heartbeat.stop();
            let _ = heartbeat.thread.join();
        }
    }
}

/// The environment variable that sets [`heartbeat_every`], in seconds.
pub const HEARTBEAT_ENV: &str = "DNN_PROGRESS_SECONDS";

/// How long an epoch runs, off a terminal, before a line says how far it has gone, and how
/// often after: `$DNN_PROGRESS_SECONDS` (a positive number of seconds), else a minute; a
/// value that is not one is warned about and the minute kept.
pub fn heartbeat_every() -> Duration {
    const DEFAULT: Duration = Duration::from_secs(60);
    let Some(given) = std::env::var_os(HEARTBEAT_ENV) else {
        return DEFAULT;
    };
    let seconds = given
        .to_str()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9);
    match seconds {
        Some(s) => Duration::from_secs_f64(s),
        None => {
            tell!(
                "warning: {HEARTBEAT_ENV}={} is not a positive number of seconds; a line says \
                 how far a long epoch has gone every 60 s",
                given.to_string_lossy()
            );
            DEFAULT
        }
    }
}

/// The thread of [`Progress::batches`]'s lines off a terminal.
struct Heartbeat {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Heartbeat {
    fn start(control: Arc<TrainControl>, every: Duration) -> Heartbeat {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            // The epoch under way, and since when it (or the last line) has been.
            let (mut epoch, mut since) = (0, started);
            while !stopped.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100).min(every));
                let p = control.progress();
                if p.epochs == 0 {
                    continue;
                }
                if p.epoch() != epoch {
                    (epoch, since) = (p.epoch(), std::time::Instant::now());
                } else if since.elapsed() >= every && p.epoch() < p.epochs {
                    say!("{}", heartbeat_line(p, started.elapsed()));
                    since = std::time::Instant::now();
                }
            }
        });
        Heartbeat { stop, thread }
    }

    fn stop(&self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// `Epoch 0: batch 1200 of 3125, 14.2 batches/s, about 2m left`: how far the epoch under
/// way has gone, `elapsed` into the run (epochs counted from 0, as the cost lines count them).
pub fn heartbeat_line(p: BatchProgress, elapsed: Duration) -> String {
    let rate = p.updates as f64 / elapsed.as_secs_f64().max(1e-9);
    let rate = match rate < 10.0 {
        true => format!("{rate:.1}"),
        false => format!("{rate:.0}"),
    };
    let left = match mean_eta(p, elapsed) {
        Some(eta) => format!(", about {:#} left", HumanDuration(eta)),
        None => String::new(),
    };
    format!(
        "Epoch {}: batch {} of {}, {rate} batches/s{left}",
        p.epoch(),
        p.batch(),
        p.batches
    )
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
