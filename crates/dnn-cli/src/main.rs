//! `dnn`: train, evaluate and use the cat classifier from the command line.

mod cli;
mod evaluate;
mod hyper;
mod interrupt;
mod planar;
mod plot;
mod predict;
mod presets;
mod progress;
mod report;
mod toy;
mod train;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

/// Exit code after Ctrl-C (128 + SIGINT), as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// An error that carries its own exit code (e.g. 130 after an interrupted run).
#[derive(Debug)]
pub struct Exit(pub u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Exit {}

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Predict(args) => predict::run(args),
        Command::Planar(args) => planar::run(args),
        Command::Toy(args) => toy::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(Exit(code)) = e.downcast_ref::<Exit>() {
                return ExitCode::from(*code);
            }
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The context chain, outermost first, on one line: a cause whose text its parent's
/// message already ends with (an error that prints its source) is not repeated, and
/// line breaks inside a message (from the HDF5 library, say) become spaces.
fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() || parts.last().is_some_and(|p| p.ends_with(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// `dnn train | head` should end quietly when `head` closes the pipe, as other Unix tools do.
/// Rust ignores SIGPIPE, so a write to a closed pipe fails and `println!` panics; restoring the
/// default disposition makes the process end on that signal instead.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
