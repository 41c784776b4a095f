//! Running several commands at once, their output kept readable.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::process::display;

/// Runs the commands, at most `slots` at once, each line of their output prefixed with the
/// script's name; returns each one's outcome (its wall time, or why it failed) in order.
pub fn side_by_side(
    jobs: Vec<(&'static str, Command)>,
    slots: usize,
) -> Vec<(&'static str, Result<Duration>)> {
    let names: Vec<&'static str> = jobs.iter().map(|(n, _)| *n).collect();
    let queue = Mutex::new(jobs.into_iter().enumerate().collect::<VecDeque<_>>());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..slots.max(1) {
            s.spawn(|| loop {
                let next = queue.lock().expect("queue").pop_front();
                let Some((i, (name, cmd))) = next else { break };
                let outcome = run_prefixed(name, cmd);
                results.lock().expect("results").push((i, outcome));
            });
        }
    });
    let mut results = results.into_inner().expect("results");
    results.sort_by_key(|(i, _)| *i);
    results
        .into_iter()
        .map(|(i, outcome)| (names[i], outcome))
        .collect()
}

/// Runs one command to completion, echoing its stdout and stderr line by line as
/// `[<name of the script>] line`.
fn run_prefixed(name: &str, mut cmd: Command) -> Result<Duration> {
    let short = Path::new(name)
        .file_name()
        .map_or(name.into(), |f| f.to_string_lossy());
    println!("+ {}", display(&cmd));
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", display(&cmd)))?;
    let echo = |stream: Box<dyn Read + Send>| {
        let short = short.clone();
        move || {
            for line in BufReader::new(stream).lines().map_while(|l| l.ok()) {
                println!("  [{short}] {line}");
            }
        }
    };
    let stdout = child
        .stdout
        .take()
        .map(|s| Box::new(s) as Box<dyn Read + Send>);
    let stderr = child
        .stderr
        .take()
        .map(|s| Box::new(s) as Box<dyn Read + Send>);
    let status = std::thread::scope(|s| {
        for stream in [stdout, stderr].into_iter().flatten() {
            s.spawn(echo(stream));
        }
        child.wait()
    })
    .with_context(|| format!("waiting for {name}"))?;
    if !status.success() {
        bail!("{name} exited with {status}");
    }
    Ok(started.elapsed())
}
