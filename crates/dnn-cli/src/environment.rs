//! The environment variables behind flags (`DNN_THREADS` for `--threads`, `DNN_DATA_DIR` for
//! `--data`): one set but empty counts as unset, and a value refused from one is named.

use clap::CommandFactory;

use crate::Cli;

/// The environment variable a refused value came from: the flag clap names was not typed
/// (`--threads` nor `--threads=...`) but has an environment variable that is set.
pub fn refused_from(e: &clap::Error, args: &[String]) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    let flag = arg.split_whitespace().next()?;
    let typed = |a: &String| a == flag || a.starts_with(&format!("{flag}="));
    if args.iter().skip(1).any(typed) {
        return None;
    }
    let name = env_of(&Cli::command(), flag)?;
    std::env::var_os(&name).map(|_| name.to_string_lossy().into_owned())
}

/// The environment variable of the flag `long` (`--threads`) of `cmd` or a subcommand.
fn env_of(cmd: &clap::Command, long: &str) -> Option<std::ffi::OsString> {
    cmd.get_arguments()
        .find(|a| a.get_long().is_some_and(|l| format!("--{l}") == long))
        .and_then(|a| a.get_env().map(ToOwned::to_owned))
        .or_else(|| cmd.get_subcommands().find_map(|sub| env_of(sub, long)))
}

/// The environment variables that flags read (`DNN_THREADS` for `--threads`, `DNN_DATA_DIR`
/// for `--data`, ...), from the command-line definition, so a new one is covered the day it
/// is declared.
fn env_backed(cmd: &clap::Command) -> Vec<std::ffi::OsString> {
    let mut names: Vec<std::ffi::OsString> = cmd
        .get_arguments()
        .filter_map(|a| a.get_env().map(ToOwned::to_owned))
        .collect();
    for sub in cmd.get_subcommands() {
        names.extend(env_backed(sub));
    }
    names.sort();
    names.dedup();
    names
}

/// A flag's environment variable set but empty (`DNN_THREADS=`, an `export` left blank)
/// counts as unset, as it does for most tools; clap would take it as the flag given with an
/// empty value, and refuse `--threads ''` that the user never typed. Removed from the
/// environment itself, so the code that reads one directly (where the cat set is) agrees.
pub fn forget_empty() {
    for name in env_backed(&Cli::command()) {
        if std::env::var_os(&name).is_some_and(|v| v.is_empty()) {
            // Before any thread exists: nothing else reads the environment meanwhile.
            std::env::remove_var(&name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_environment_variables_are_found_in_subcommands_too() {
        let names = env_backed(&Cli::command());
        for name in ["DNN_THREADS", "DNN_DATA_DIR"] {
            assert!(names.iter().any(|n| n == name), "{name}: {names:?}");
        }
    }
}
