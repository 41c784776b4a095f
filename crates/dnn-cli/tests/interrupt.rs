//! Interruptions: Ctrl-C (SIGINT) during training saves the model so far atomically and
//! exits 130; SIGKILL at random moments of a train-and-save never leaves a truncated
//! model under the final name.

mod common;
#[path = "fixtures/mod.rs"]
mod fixtures;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use dnn_data::model::load_model;
use fixtures::*;

fn spawn_dnn(dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_dnn"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dnn")
}

fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: kill has no memory-safety preconditions; the pid is our own child.
    let r = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    assert_eq!(r, 0, "kill({}, {sig})", child.id());
}

/// Hidden temporary files (`.model.h5.tmp-<pid>.h5`) left in `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

#[test]
fn ctrl_c_during_training_saves_the_model_so_far_and_exits_130() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    tiny_data(&w.join("data"));
    // An older model under the final name: it must be replaced whole, never damaged.
    write_model(&w.join("model.h5"), &[FEATURES, 5, 1]);
    let planned = "100000000";
    let mut child = spawn_dnn(
        w,
        &[
            "train",
            "--data",
            "data",
            "--layers",
            "192,3,1",
            "--iterations",
            planned,
            "--print-every",
            "1000",
            "--save",
            "model.h5",
            "--report",
            "report.json",
        ],
    );
    // Wait until training is under way (the cost line of iteration 1000), then press Ctrl-C.
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).expect("read stdout") > 0,
            "dnn ended before training started: {seen}"
        );
        seen.push_str(&line);
        if line.starts_with("Cost after iteration 1000:") {
            break;
        }
    }
    signal(&child, libc::SIGINT);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("read stdout");
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(130),
        "stdout: {seen}{rest}\nstderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("interrupted after")
            && stderr.contains(&format!("of {planned} iterations")),
        "{stderr}"
    );
    assert!(rest.contains("Saved the model to model.h5"), "{rest}");

    let model = load_model(w.join("model.h5")).expect("the saved model loads");
    assert_eq!(model.network.layer_sizes(), vec![FEATURES, 3, 1]);
    let run = model.setup.iterations_run.expect("iterations_run");
    assert!(run > 1000 && run < 100_000_000, "iterations_run {run}");
    assert_eq!(model.setup.iterations, Some(100_000_000));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.join("report.json")).expect("report"))
            .expect("json");
    assert_eq!(report["interrupted"], serde_json::Value::Bool(true));
    assert_eq!(report["iterations_run"].as_u64(), Some(run));
    assert!(temporaries(w).is_empty(), "{:?}", temporaries(w));
}

/// A small deterministic generator for the kill delays (no extra dependency).
struct Lcg(u64);

impl Lcg {
    fn next_fraction(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn sigkill_at_random_moments_never_leaves_a_truncated_model() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    tiny_data(&w.join("data"));
    // A wide hidden layer makes the model file ~1.6 MB, so the save (write, fsync,
    // rename) is a real part of each run and random kills land inside it.
    let args = [
        "train",
        "--data",
        "data",
        "--layers",
        "192,1024,1",
        "--iterations",
        "3",
        "-q",
        "--save",
        "model.h5",
    ];
    // Time one complete run to spread the kills over its whole length.
    let start = Instant::now();
    let full = common::dnn_in(w, &args);
    assert_eq!(full.code, Some(0), "{full:?}");
    let duration = start.elapsed();
    let final_path = w.join("model.h5");

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let mut rng = Lcg(seed);
    let rounds = 30;
    let (mut absent, mut old, mut new_complete, mut finished, mut mid_save) = (0, 0, 0, 0, 0);
    for round in 0..rounds {
        // Every few rounds start from no file at all, otherwise from the last state.
        if round % 5 == 0 {
            std::fs::remove_file(&final_path).ok();
        }
        let before = std::fs::read(&final_path).ok();
        let mut child = spawn_dnn(w, &args);
        // Half the kills anywhere in the run, half in its last part, where the save is.
        let f = rng.next_fraction();
        let delay = duration.mul_f64(if round % 2 == 0 {
            1.2 * f
        } else {
            0.6 + 0.5 * f
        });
        std::thread::sleep(delay);
        // SIGKILL cannot be caught: whatever the process was doing stops here.
        let _ = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGKILL) };
        let status = child.wait().expect("wait");
        if status.success() {
            finished += 1;
        }
        match std::fs::read(&final_path) {
            Err(_) => {
                assert!(
                    before.is_none(),
                    "round {round}: the model file disappeared"
                );
                absent += 1;
            }
            Ok(bytes) if Some(&bytes) == before.as_ref() => old += 1,
            Ok(_) => {
                let model = load_model(&final_path).unwrap_or_else(|e| {
                    panic!("round {round} (killed after {delay:?}): the final name holds a damaged model: {e}")
                });
                assert_eq!(model.network.layer_sizes(), vec![FEATURES, 1024, 1]);
                new_complete += 1;
            }
        }
        // Leftover temporaries of killed saves are hidden siblings, never the final name.
        let left = temporaries(w);
        if !left.is_empty() {
            mid_save += 1; // killed between creating the temporary and the rename
        }
        for t in left {
            std::fs::remove_file(w.join(t)).ok();
        }
    }
    println!(
        "{rounds} SIGKILLs over a {duration:?} run (seed {seed}): final name absent {absent}, \
         previous file {old}, new complete model {new_complete}; {finished} runs had finished, \
         {mid_save} were killed in the middle of a save"
    );
    assert_eq!(absent + old + new_complete, rounds);
}
