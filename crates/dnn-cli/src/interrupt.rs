//! Ctrl-C: the first press asks training to stop after the current iteration; a
//! second press exits at once (files are written atomically, so nothing is damaged).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;

/// A flag set by Ctrl-C.
#[derive(Clone, Debug)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// Installs the handler. Call once per process.
    pub fn install() -> anyhow::Result<Self> {
        let flag = Arc::new(AtomicBool::new(false));
        let handler_flag = Arc::clone(&flag);
        ctrlc::set_handler(move || {
            if handler_flag.swap(true, Ordering::SeqCst) {
                eprintln!("\ninterrupted again: exiting now");
                std::process::exit(i32::from(crate::EXIT_INTERRUPTED));
            }
        })
        .context("cannot install the Ctrl-C handler")?;
        Ok(Interrupt(flag))
    }

    /// Whether Ctrl-C was pressed.
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
