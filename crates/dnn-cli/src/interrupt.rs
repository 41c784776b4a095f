//! Ctrl-C. Installed first thing in `main` for every command: until a command says it can
//! stop gracefully, Ctrl-C exits at once with 130 (nothing is half-written: every file goes
//! through the atomic writer). A training loop calls [`Interrupt::graceful`]; from then on
//! the first press asks it to stop after the current iteration (the command then finishes
//! its outputs and exits 130), and a second press exits at once.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;

use crate::EXIT_INTERRUPTED;

static GRACEFUL: AtomicBool = AtomicBool::new(false);
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler; call once, first thing in `main`.
pub fn install() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        let graceful = GRACEFUL.load(Ordering::SeqCst);
        if !graceful || REQUESTED.swap(true, Ordering::SeqCst) {
            if graceful {
                eprintln!("\ninterrupted again: exiting now");
            }
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    })
    .context("cannot install the Ctrl-C handler")
}

/// A command that can stop gracefully on Ctrl-C.
#[derive(Clone, Copy, Debug)]
pub struct Interrupt(());

impl Interrupt {
    /// From now on, the first Ctrl-C only sets [`Interrupt::requested`].
    pub fn graceful() -> Self {
        GRACEFUL.store(true, Ordering::SeqCst);
        Interrupt(())
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
