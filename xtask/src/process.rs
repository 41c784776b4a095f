//! Running programs: cargo, the release `dnn`, and any command whose failure should stop us.
//!
//! The leaf of xtask's modules: it uses nothing else of the crate.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

/// The cargo that runs us (`$CARGO`), or `cargo` from PATH.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The workspace's target directory (`$CARGO_TARGET_DIR`, else `<root>/target`).
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// Prints a command, runs it in `root`, and fails with `what` if it does not succeed.
pub fn run_checked(mut cmd: Command, root: &Path, what: &str) -> Result<()> {
    cmd.current_dir(root);
    println!("+ {}", display(&cmd));
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {what}: {}", display(&cmd)))?;
    if !status.success() {
        bail!("{what} failed ({status}): {}", display(&cmd));
    }
    Ok(())
}

/// A command as a shell-like line, for messages.
pub fn display(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `cargo build --release -p dnn-cli`; returns the path of the `dnn` binary.
pub fn build_release_dnn(root: &Path) -> Result<PathBuf> {
    let mut cmd = cargo();
    cmd.args(["build", "--release", "-p", "dnn-cli"]);
    run_checked(cmd, root, "building the release dnn binary")?;
    let dnn = target_dir(root)
        .join("release")
        .join(format!("dnn{}", std::env::consts::EXE_SUFFIX));
    if !dnn.is_file() {
        bail!(
            "the build succeeded but {} does not exist (does dnn-cli define the `dnn` binary?)",
            dnn.display()
        );
    }
    Ok(dnn)
}

/// Whether `program` can be found on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

/// Runs a program quietly; true when it starts and exits 0.
pub fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The last `n` lines of some text.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }
}
