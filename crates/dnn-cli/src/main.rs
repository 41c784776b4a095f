//! `dnn`: train, evaluate and use classifiers (and regressions) from the command line, on
//! the cat set or your own data.
//!
//! This file defines the top-level command line and dispatches. A command is a file:
//! `train.rs`, `evaluate.rs`, `predict.rs`, `describe.rs`, `export.rs`, `planar.rs`, `toy.rs` and `serve.rs`
//! (with its server in `serve/`) each hold their
//! subcommand's flags (with their help text and defaults) and its `run`; the values
//! flags take and their parsers, shared by several commands, are in `values.rs`; the data
//! flags `train` and `evaluate` share, in `data.rs`.

mod allocator;
mod class_weight;
mod cross_validate;
mod data;
mod describe;
mod environment;
mod evaluate;
mod export;
mod extrapolation;
mod hyper;
mod importance;
mod interrupt;
mod metrics;
mod model_file;
mod output;
mod planar;
mod plot;
mod predict;
mod predict_columns;
mod presets;
mod progress;
mod report;
mod serve;
mod table_warnings;
mod text;
mod threshold;
mod toy;
mod train;
mod validation;
mod values;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Deep fully-connected networks, step by step: train, evaluate and use the
/// 64x64 cat classifier of the classic numpy exercise, or a classifier of your own
/// pictures, CSV tables or NumPy arrays.
#[derive(Debug, Parser)]
#[command(name = "dnn", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Threads for the matrix products, this one included [default: one per core the
    /// process may run on, at most 8]; results do not depend on it.
    #[arg(long, global = true, env = "DNN_THREADS", value_parser = values::parse_threads,
          allow_negative_numbers = true)]
    pub threads: Option<std::num::NonZeroUsize>,
}

/// The subcommands; each one's flags and `run` are in the file of its name.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a network on the cat data set (defaults reproduce the published L-layer model)
    /// or on your own data (--data: an image folder, a CSV table, a .npz archive).
    Train(Box<train::TrainArgs>),
    /// Accuracy, log loss, ROC AUC, average precision, confusion matrix and per-class
    /// precision, recall and F1 of a saved model (R², RMSE and MAE of a regression model).
    Evaluate(evaluate::EvaluateArgs),
    /// Classify pictures (JPEG or PNG, any size) or the rows of a CSV table with a saved
    /// model (a regression model predicts each row's number).
    Predict(predict::PredictArgs),
    /// A look at a data file before training: its format, each column (how dnn reads it,
    /// missing cells, distinct values, range), every refusal and warning `dnn train` would
    /// give, and the flags that make it load.
    Describe(describe::DescribeArgs),
    /// Write a saved model as ONNX (for onnxruntime) or safetensors (for PyTorch).
    Export(export::ExportArgs),
    /// The shallow chapter: a two-layer tanh network on the 2-D flower data set.
    Planar(planar::PlanarArgs),
    /// Optimisers on scikit-learn's 2-D toy sets (moons, circles): the course's
    /// "Optimization methods" set-up, with decision-boundary pictures.
    Toy(toy::ToyArgs),
    /// A local web page to watch a network learn and to try a trained model
    /// (Train, Predict and Inspect views).
    Serve(serve::ServeArgs),
}

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
    environment::forget_empty();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    if let Err(e) = interrupt::install() {
        eprintln!("error: {}", one_line(&e));
        return ExitCode::FAILURE;
    }
    // Before any product: the engine's threads start once.
    if let Some(threads) = cli.threads {
        if let Err(e) = dnn_core::set_threads(threads) {
            eprintln!("error: --threads: {e}");
            return ExitCode::FAILURE;
        }
    }
    let result = match cli.command {
        Command::Train(args) => train::run(*args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Predict(args) => predict::run(args),
        Command::Describe(args) => describe::run(args),
        Command::Export(args) => export::run(args),
        Command::Planar(args) => planar::run(args),
        Command::Toy(args) => toy::run(args),
        Command::Serve(args) => serve::run(args),
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

/// Help and version go out as clap prints them; a usage error (a bad flag or value) is one
/// line on stderr, as every other error, and exit code 2, which tells a usage error from a
/// run that failed (1).
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        _ => {
            let args: Vec<String> = std::env::args().collect();
            let mut line = usage_line(&e.render().to_string(), &args);
            if let Some(name) = environment::refused_from(&e, &args) {
                // Before `; see ...`: the value came from the environment, not the line typed.
                let at = line.rfind("; see `").unwrap_or(line.len());
                line.insert_str(at, &format!(" (from {name}; fix or unset it)"));
            }
            eprintln!("{line}");
            ExitCode::from(2)
        }
    }
}

/// clap's message on one line: its `error:` line and the possible values or tip it gives,
/// without the usage block, and where to read more (`dnn export --help` when `args` name a
/// subcommand, else `dnn --help`).
fn usage_line(message: &str, args: &[String]) -> String {
    let command = match subcommand(args) {
        Some(sub) => format!("dnn {sub}"),
        None => "dnn".to_owned(),
    };
    let parts: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .collect();
    as_typed(format!("{}; see `{command} --help`", parts.join(" ")), args)
}

/// The subcommand `args` name: the first word that is one (a global flag, `--threads 2`,
/// may come before it).
fn subcommand(args: &[String]) -> Option<&str> {
    use clap::CommandFactory;
    let cli = Cli::command();
    args.iter()
        .skip(1)
        .map(String::as_str)
        .find(|s| cli.find_subcommand(s).is_some())
}

/// clap names a flag by its own name even where the user typed one of its aliases (`dnn train
/// --epochs 0`: `'--iterations <ITERATIONS>'`); `line` with the flag as `args` type it.
fn as_typed(mut line: String, args: &[String]) -> String {
    use clap::CommandFactory;
    let cli = Cli::command();
    let Some(sub) = subcommand(args).and_then(|s| cli.find_subcommand(s)) else {
        return line;
    };
    let typed = |name: &str| {
        let flag = format!("--{name}");
        args.iter()
            .any(|a| *a == flag || a.starts_with(&format!("{flag}=")))
    };
    let placeholder =
        |name: &str| format!("'--{name} <{}>'", name.to_uppercase().replace('-', "_"));
    for arg in sub.get_arguments() {
        let Some(long) = arg.get_long().filter(|l| !typed(l)) else {
            continue;
        };
        let aliases = arg.get_all_aliases().unwrap_or_default();
        if let Some(alias) = aliases.into_iter().find(|a| typed(a)) {
            line = line
                .replace(&placeholder(long), &placeholder(alias))
                .replace(&format!("'--{long}'"), &format!("'--{alias}'"));
        }
    }
    line
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn usage_errors_are_one_line_naming_the_command_to_ask() {
        let message = |args: &[&str]| match Cli::try_parse_from(args) {
            Ok(_) => panic!("{args:?} parsed"),
            Err(e) => usage_line(
                &e.render().to_string(),
                &args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            ),
        };
        assert_eq!(
            message(&["dnn", "export", "--model", "m.h5", "--format", "pickle", "--output", "o"]),
            "error: invalid value 'pickle' for '--format <FORMAT>' [possible values: onnx, safetensors]; see `dnn export --help`"
        );
        let unknown = message(&["dnn", "train", "--nope"]);
        assert!(
            unknown.starts_with("error: unexpected argument '--nope' found")
                && unknown.ends_with("; see `dnn train --help`")
                && !unknown.contains('\n'),
            "{unknown}"
        );
        assert_eq!(
            message(&["dnn", "train", "--epochs", "0"]),
            "error: invalid value '0' for '--epochs <EPOCHS>': must be at least 1; see `dnn train --help`"
        );
        assert_eq!(
            message(&["dnn", "toy", "--iterations=0"]),
            "error: invalid value '0' for '--iterations <ITERATIONS>': must be at least 1; see `dnn toy --help`"
        );
        assert!(message(&["dnn", "toy", "--epochs", "x"]).contains("'--epochs <EPOCHS>'"));
        let missing = message(&["dnn", "frobnicate"]);
        assert!(
            missing.starts_with("error: unrecognized subcommand 'frobnicate'")
                && missing.ends_with("; see `dnn --help`"),
            "{missing}"
        );
    }
}
