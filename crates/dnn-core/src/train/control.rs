//! Watching and stopping a run from outside it: [`TrainControl`], shared (in an `Arc`) between
//! the training loop and, say, a progress bar's thread or a Ctrl-C handler, and what a run
//! stopped inside an epoch did ([`PartialEpoch`]).
//!
//! The loop publishes one counter per mini-batch (the updates applied so far, a relaxed
//! atomic store) and reads the stop request between mini-batches (two relaxed loads): no
//! lock, no allocation, and no change to any number training computes.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// A handle on a training run, shared with other threads: they read how far it is within an
/// epoch ([`TrainControl::progress`]) and can ask it to stop after the mini-batch under way
/// ([`TrainControl::request_stop`]), where the observer of [`crate::Network::train`] only runs,
/// and so can only stop training, at the end of an epoch.
///
/// Attach it to a run with [`TrainConfig::with_control`](crate::TrainConfig::with_control); every
/// entry point ([`crate::Network::train`], `fit`, `train_watched`, `train_validated`) then
/// publishes to it and obeys it. A stop inside an epoch keeps the updates of the mini-batches
/// that ran, as PyTorch's and Keras's loops do: the network holds the completed epochs and
/// those batches, and the report says how many ([`crate::TrainReport::partial_epoch`]).
///
/// ```
/// use std::sync::Arc;
/// use dnn_core::{Network, NumpyRng, TrainControl, TrainParams};
/// let mut rng = NumpyRng::new(1);
/// let (x, y) = (rng.randn(3, 100), rng.rand(1, 100).mapv(|v| (v > 0.5) as u8 as f64));
/// let mut net = Network::<f64>::builder(&[3, 4, 1]).build(&mut rng)?;
/// let control = Arc::new(TrainControl::new());
/// // 10 batches an epoch; stop after 23 updates: 2 epochs and 3 batches of the third.
/// control.stop_after_updates(23);
/// let config = TrainParams::new().learning_rate(0.1).iterations(5).mini_batches(10, 11)
///     .check()?.with_control(Arc::clone(&control));
/// let report = net.fit(&x, &y, &config)?;
/// assert_eq!(report.iterations_run(), 2);
/// let partial = report.partial_epoch().unwrap();
/// assert_eq!((partial.epoch, partial.batches_run, partial.batches), (2, 3, 10));
/// let seen = control.progress();
/// assert_eq!((seen.updates, seen.epoch(), seen.batch()), (23, 2, 3));
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
#[derive(Default)]
pub struct TrainControl {
    stop: AtomicBool,
    /// Updates after which the run stops by itself (`u64::MAX`: never).
    stop_after: AtomicU64,
    /// Updates (mini-batches, or full-batch iterations) applied since the run started.
    updates: AtomicU64,
    /// Batches per epoch and epochs planned, set as the run starts (0 before).
    batches: AtomicUsize,
    epochs: AtomicUsize,
}

impl TrainControl {
    /// A control with no stop requested, for a run that has not started.
    pub fn new() -> Self {
        TrainControl {
            stop_after: AtomicU64::new(u64::MAX),
            ..TrainControl::default()
        }
    }

    /// Asks the run to stop after the mini-batch under way (full-batch: after the iteration
    /// under way), keeping that batch's update. Callable from any thread, any number of
    /// times; the request stays (a run started later with this control stops after its first
    /// batch).
    pub fn request_stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Whether a stop was requested ([`TrainControl::request_stop`]).
    pub fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Has the run stop by itself once `updates` updates (mini-batches, counted from its start
    /// over all epochs) are applied, as if [`TrainControl::request_stop`] came then: a budget
    /// in steps (PyTorch Lightning's `max_steps`), and a way to stop at an exact batch.
    pub fn stop_after_updates(&self, updates: u64) {
        self.stop_after.store(updates, Ordering::Relaxed);
    }

    /// How far the run is: a consistent snapshot (one counter), cheap enough to read at a
    /// progress bar's tick.
    pub fn progress(&self) -> BatchProgress {
        BatchProgress {
            updates: self.updates.load(Ordering::Relaxed),
            batches: self.batches.load(Ordering::Relaxed),
            epochs: self.epochs.load(Ordering::Relaxed),
        }
    }

    /// The run starts: `epochs` planned of `batches` each.
    pub(super) fn start(&self, epochs: usize, batches: usize) {
        self.batches.store(batches, Ordering::Relaxed);
        self.epochs.store(epochs, Ordering::Relaxed);
        self.updates.store(0, Ordering::Relaxed);
    }

    /// `updates` updates are applied: publishes them, and says whether to stop now.
    pub(super) fn applied(&self, updates: u64) -> bool {
        self.updates.store(updates, Ordering::Relaxed);
        self.stop_requested() || updates >= self.stop_after.load(Ordering::Relaxed)
    }

    /// Whether to stop at the end of an epoch after `updates` updates.
    pub(super) fn stop_due(&self, updates: u64) -> bool {
        self.stop_requested() || updates >= self.stop_after.load(Ordering::Relaxed)
    }
}

impl fmt::Debug for TrainControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrainControl")
            .field("stop_requested", &self.stop_requested())
            .field("stop_after", &self.stop_after.load(Ordering::Relaxed))
            .field("progress", &self.progress())
            .finish()
    }
}

/// A [`TrainControl`] attached to a [`crate::TrainConfig`]: configs compare equal when they
/// share the same control (the control is a handle, not a hyper-parameter).
#[derive(Debug, Clone)]
pub(super) struct Attached(pub(super) Arc<TrainControl>);

impl PartialEq for Attached {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// How far a run is, as [`TrainControl::progress`] read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchProgress {
    /// Updates applied since the run started: mini-batches over all epochs (full-batch: the
    /// iterations).
    pub updates: u64,
    /// Mini-batches per epoch (1 for full-batch training; 0 before the run starts).
    pub batches: usize,
    /// Epochs (iterations) planned (0 before the run starts).
    pub epochs: usize,
}

impl BatchProgress {
    /// The epoch under way, from 0 (`epochs` once the last one is done).
    pub fn epoch(&self) -> usize {
        usize::try_from(self.updates / self.batches.max(1) as u64).unwrap_or(usize::MAX)
    }

    /// The batches of the epoch under way that are done.
    pub fn batch(&self) -> usize {
        (self.updates % self.batches.max(1) as u64) as usize
    }

    /// The fraction of the planned batches done, from 0 to 1.
    pub fn fraction(&self) -> f64 {
        let planned = self.batches as f64 * self.epochs as f64;
        match planned > 0.0 {
            true => (self.updates as f64 / planned).min(1.0),
            false => 0.0,
        }
    }
}

/// Where a run that stopped inside an epoch ([`TrainControl::request_stop`]) was: the network
/// holds the updates of the completed epochs and of `batches_run` mini-batches of `epoch`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PartialEpoch {
    /// The epoch that was under way, from 0 (the epochs before it completed).
    pub epoch: usize,
    /// Its mini-batches whose updates were applied and kept: at least 1, fewer than `batches`.
    pub batches_run: usize,
    /// Mini-batches in an epoch.
    pub batches: usize,
    /// The mean of those batches' costs (each before its update), weighted by batch size:
    /// an epoch's cost, over the part that ran.
    pub cost: f64,
}
