//! Ctrl-C. Installed first thing in `main` for every command: until a command says it can
//! stop gracefully, Ctrl-C exits at once with 130. A training loop calls
//! [`Interrupt::graceful`]; from then on the first press says at once what will happen and
//! asks the loop to stop (the command then finishes its outputs and exits 130), and a second
//! press exits at once, writing nothing. A loop that trains with [`Interrupt::train_control`]
//! attached stops after the current mini-batch; one that only asks [`Interrupt::control`] in
//! its observer, after the current epoch.
//!
//! Nothing is ever half-written: every file goes through the atomic writer, and an exit
//! from here first abandons the writes in progress ([`dnn_data::atomic::abandon_writes`]:
//! their temporaries removed, no rename after), so that the files keep their old content and
//! no hidden `.model.h5.XXXXXX.tmp` is left behind.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use dnn_core::TrainControl;

use crate::output::tell;
use crate::EXIT_INTERRUPTED;

static GRACEFUL: AtomicBool = AtomicBool::new(false);
static REQUESTED: AtomicBool = AtomicBool::new(false);
/// Whether the first Ctrl-C of a graceful command goes unanswered ([`Interrupt::graceful_quiet`]).
static QUIET: AtomicBool = AtomicBool::new(false);
/// The engine's handle that the first Ctrl-C asks to stop ([`Interrupt::train_control`]).
static CONTROL: OnceLock<Arc<TrainControl>> = OnceLock::new();

/// What a training command that trains with [`Interrupt::train_control`] says at the first
/// Ctrl-C, at once (the mini-batch under way may take a moment on a large network).
pub const STOPPING: &str = "Ctrl-C: stopping after the current mini-batch (full-batch: \
                            iteration), then writing what was trained so far; press Ctrl-C \
                            again to quit at once, writing nothing";

/// What a training command without it (one that stops in its observer) says instead.
pub const STOPPING_AT_EPOCH: &str = "Ctrl-C: stopping when the current iteration (with \
                                     mini-batches: epoch) ends, then writing what was trained \
                                     so far; press Ctrl-C again to quit at once, writing nothing";

/// Installs the handler; call once, first thing in `main`.
pub fn install() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        let graceful = GRACEFUL.load(Ordering::SeqCst);
        if !graceful || REQUESTED.swap(true, Ordering::SeqCst) {
            let removed = dnn_data::atomic::abandon_writes();
            if graceful {
                tell!(
                    "\ninterrupted again: exiting now{}",
                    if removed > 0 {
                        " (the file being written was not; it is as it was)"
                    } else {
                        ""
                    }
                );
            }
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        let control = CONTROL.get();
        if let Some(control) = control {
            control.request_stop();
        }
        if !QUIET.load(Ordering::SeqCst) {
            match control {
                Some(_) => tell!("\n{STOPPING}"),
                None => tell!("\n{STOPPING_AT_EPOCH}"),
            }
        }
    })
    .context("cannot install the Ctrl-C handler")
}

/// A command that can stop gracefully on Ctrl-C.
#[derive(Clone, Copy, Debug)]
pub struct Interrupt(());

impl Interrupt {
    /// From now on, the first Ctrl-C only sets [`Interrupt::requested`], and says so with
    /// [`STOPPING`].
    pub fn graceful() -> Self {
        GRACEFUL.store(true, Ordering::SeqCst);
        Interrupt(())
    }

    /// [`Interrupt::graceful`], the first Ctrl-C saying nothing: for `dnn serve`, which
    /// stops within seconds and then says what it stopped.
    pub fn graceful_quiet() -> Self {
        QUIET.store(true, Ordering::SeqCst);
        Self::graceful()
    }

    /// The engine's [`TrainControl`] for this process, to attach to the training's config
    /// (`TrainConfig::with_control`): the first Ctrl-C then asks it to stop after the current
    /// mini-batch, and a progress bar can read the batches done from it. One per process,
    /// for one training at a time (a run resets its counters as it starts); a Ctrl-C pressed
    /// before this call is passed on to it.
    pub fn train_control(&self) -> Arc<TrainControl> {
        let control = Arc::clone(CONTROL.get_or_init(|| Arc::new(TrainControl::new())));
        if self.requested() {
            control.request_stop();
        }
        control
    }

    /// Whether Ctrl-C was pressed.
    pub fn requested(&self) -> bool {
        REQUESTED.load(Ordering::SeqCst)
    }

    /// The training observer's answer: stop if Ctrl-C was pressed.
    pub fn control(&self) -> std::ops::ControlFlow<()> {
        if self.requested() {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    }
}
