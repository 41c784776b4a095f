//! Interruptions: Ctrl-C (SIGINT) during training saves the model so far atomically and
//! exits 130; SIGKILL at random moments of a save never leaves a truncated model under the
//! final name. The kill delays are random: the seed is printed, and `DNN_KILL_SEED=<seed>`
//! replays a run.

#[path = "cli/fixtures.rs"]
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

/// Hidden temporary files of the atomic writer (`.model.h5.Xa3k9Q.tmp`) left in `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
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
    // The press was answered at once, saying what would happen.
    assert!(
        stderr.starts_with("\nCtrl-C: stopping after the current mini-batch (full-batch: iteration), then writing what was trained so far; press Ctrl-C again to quit at once, writing nothing\n"),
        "{stderr}"
    );

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

/// A second Ctrl-C while the model is being written exits at once and writes nothing: the
/// temporary of the write in progress is removed and the final name keeps its old model.
/// The first press comes during training (which then stops and saves), the second once the
/// save's temporary is seen; the model is large (307 MB) so that its write lasts. A round
/// counts when the old model was still there after the exit (the second press came before
/// the rename). Without the removal, the temporary was left behind.
#[test]
fn a_second_ctrl_c_during_the_save_writes_nothing_and_leaves_no_temporary() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    tiny_data(&w.join("data"));
    write_model(&w.join("model.h5"), &[FEATURES, 5, 1]);
    let old = std::fs::read(w.join("model.h5")).expect("old model");
    let mut before_rename = 0;
    for round in 0..5 {
        let mut child = spawn_dnn(
            w,
            &[
                "train",
                "--data",
                "data",
                "--layers",
                "192,200000,1",
                "--init",
                "he",
                "--learning-rate",
                "0.00001",
                "--iterations",
                "1000000",
                "--print-every",
                "1",
                "--save",
                "model.h5",
            ],
        );
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (seen, found) = read_until_line(&mut stdout, "Cost after iteration 1:");
        assert!(found, "round {round}: training did not start: {seen}");
        signal(&child, libc::SIGINT);
        let started = Instant::now();
        while temporaries(w).is_empty() && started.elapsed().as_secs() < 60 {
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        assert!(
            !temporaries(w).is_empty(),
            "round {round}: the save's temporary did not appear within 60 s"
        );
        signal(&child, libc::SIGINT);
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).expect("read stdout");
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let context = format!("round {round}: {:?}, stderr: {stderr}", out.status);
        assert!(!stderr.contains("panicked"), "{context}");
        assert_eq!(out.status.code(), Some(130), "{context}");
        assert_eq!(temporaries(w), Vec::<String>::new(), "{context}");
        let now = std::fs::read(w.join("model.h5")).expect("model");
        if now == old {
            assert!(
                stderr.ends_with("interrupted again: exiting now (the file being written was not; it is as it was)\n"),
                "{context}"
            );
            assert!(!rest.contains("Saved the model"), "{context}");
            before_rename += 1;
            break;
        }
        // The rename came first: the new model is whole; start again from the old one.
        load_model(w.join("model.h5")).expect("a whole model");
        std::fs::write(w.join("model.h5"), &old).expect("restore");
    }
    assert_eq!(
        before_rename, 1,
        "no second Ctrl-C landed before the rename"
    );
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

/// Reads `child`'s stdout up to and including the first line starting with `prefix`;
/// returns everything read, and whether the line came (false: stdout ended first).
fn read_until_line(stdout: &mut impl BufRead, prefix: &str) -> (String, bool) {
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap_or(0) == 0 {
            return (seen, false);
        }
        seen.push_str(&line);
        if line.starts_with(prefix) {
            return (seen, true);
        }
    }
}

/// Seed of the kill delays: `DNN_KILL_SEED` to replay a run, otherwise the clock.
fn kill_seed() -> u64 {
    match std::env::var("DNN_KILL_SEED") {
        Ok(s) => s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("DNN_KILL_SEED={s:?} is not a whole number")),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1),
    }
}

/// Kills that must land between the creation of the temporary and the rename.
const KILLS_INSIDE_A_WRITE: usize = 3;
/// Rounds at least (so every starting state, no file and an old file, is tried often).
const MIN_ROUNDS: usize = 20;
/// Rounds at most: enough for the kills above many times over (a run needs ~20–60).
const MAX_ROUNDS: usize = 200;

#[test]
fn sigkill_at_random_moments_never_leaves_a_truncated_model() {
    let seed = kill_seed();
    println!("kill delays from seed {seed} (replay with DNN_KILL_SEED={seed})");
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    tiny_data(&w.join("data"));
    // A wide hidden layer makes the model file ~6.3 MB, so writing and flushing it is a
    // real part of each run's end and random kills land inside the write.
    let args = [
        "train",
        "--data",
        "data",
        "--layers",
        "192,4096,1",
        "--iterations",
        "3",
        "--save",
        "model.h5",
    ];
    let final_path = w.join("model.h5");
    // The save starts right after the "Test accuracy:" line and ends before "Saved the
    // model". Its length varies (the flush to disk), so time three whole saves and spread
    // the kills over twice the longest: about half land inside a save, half after it.
    let save = (0..3)
        .map(|_| {
            let mut child = spawn_dnn(w, &args);
            let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
            let (seen, found) = read_until_line(&mut stdout, "Test accuracy:");
            assert!(found, "no Test accuracy line: {seen}");
            let start = Instant::now();
            let (seen, found) = read_until_line(&mut stdout, "Saved the model");
            let save = start.elapsed();
            assert!(found, "no Saved the model line: {seen}");
            let status = child.wait().expect("wait");
            assert!(status.success(), "{status:?}");
            load_model(&final_path).expect("an uninterrupted run saves a loadable model");
            save
        })
        .max()
        .expect("three runs");

    let mut rng = Lcg(seed);
    let (mut absent, mut old, mut new_complete) = (0, 0, 0);
    let (mut in_save, mut inside_write, mut finished) = (0, 0, 0);
    let mut rounds = 0;
    while rounds < MIN_ROUNDS || (inside_write < KILLS_INSIDE_A_WRITE && rounds < MAX_ROUNDS) {
        let round = rounds;
        rounds += 1;
        // Every few rounds start from no file at all, otherwise from the last state.
        if round % 5 == 0 {
            std::fs::remove_file(&final_path).ok();
        }
        let before = std::fs::read(&final_path).ok();
        // A different initialisation seed each round, so a new model never equals the old.
        let init_seed = (round + 1).to_string();
        let mut round_args = args.to_vec();
        round_args.extend(["--seed", &init_seed]);
        let mut child = spawn_dnn(w, &round_args);
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (seen, found) = read_until_line(&mut stdout, "Test accuracy:");
        assert!(
            found,
            "seed {seed}, round {round}: dnn ended before the save: {seen}"
        );
        let delay = save.mul_f64(2.0 * rng.next_fraction());
        std::thread::sleep(delay);
        // SIGKILL cannot be caught: whatever the process was doing stops here.
        // SAFETY: kill has no memory-safety preconditions; the pid is our own child,
        // not yet waited for.
        let _ = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGKILL) };
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).ok();
        let status = child.wait().expect("wait");
        let context = format!("seed {seed}, round {round}, killed {delay:?} after the save began");
        // Where the kill landed, from what dnn printed: inside `save_model` (after which
        // dnn prints "Saved the model"), or after it.
        let saved = status.success() || rest.contains("Saved the model");
        if saved {
            finished += 1;
        } else {
            in_save += 1;
        }
        // The final name holds nothing (only if it held nothing), the previous file, or a
        // complete model: never part of one.
        let replaced = match std::fs::read(&final_path) {
            Err(_) => {
                assert!(before.is_none(), "{context}: the model file disappeared");
                absent += 1;
                false
            }
            Ok(bytes) if Some(&bytes) == before.as_ref() => {
                old += 1;
                false
            }
            Ok(_) => {
                let model = load_model(&final_path).unwrap_or_else(|e| {
                    panic!("{context}: the final name holds a damaged model: {e}")
                });
                assert_eq!(
                    model.network.layer_sizes(),
                    vec![FEATURES, 4096, 1],
                    "{context}"
                );
                new_complete += 1;
                true
            }
        };
        assert!(
            replaced || !saved,
            "{context}: dnn said it saved the model but the final name does not hold it"
        );
        // A temporary left behind: the kill landed between its creation and the rename, so
        // the final name must still hold what it held. The temporary is a hidden sibling
        // with a random name that no later run reuses; only this test removes it.
        let left = temporaries(w);
        assert!(left.len() <= 1, "{context}: {left:?}");
        if !left.is_empty() {
            assert!(
                !replaced,
                "{context}: renamed, yet the temporary {left:?} remains"
            );
            inside_write += 1;
        }
        for t in left {
            std::fs::remove_file(w.join(t)).ok();
        }
    }
    println!(
        "{rounds} SIGKILLs over a {save:?} save (seed {seed}): {in_save} inside save_model \
         ({inside_write} between the temporary's creation and the rename), {finished} after it; final name absent {absent}, previous file {old}, new \
         complete model {new_complete}"
    );
    assert!(
        inside_write >= KILLS_INSIDE_A_WRITE,
        "only {inside_write} of {rounds} kills (seed {seed}) landed between the creation of the \
         temporary and the rename (want {KILLS_INSIDE_A_WRITE}); the test proves nothing then"
    );
}

/// `dnn <args>` in `dir`, sent Ctrl-C 100 ms after its stdout has a line starting with
/// `prefix`; its exit code, stdout and stderr.
fn interrupted_at(dir: &Path, args: &[&str], prefix: &str) -> (Option<i32>, String, String) {
    let mut child = spawn_dnn(dir, args);
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (mut seen, came) = read_until_line(&mut stdout, prefix);
    assert!(came, "dnn ended before {prefix:?}: {seen}");
    // Past that line's step: a press right after the line can still stop there.
    std::thread::sleep(std::time::Duration::from_millis(100));
    signal(&child, libc::SIGINT);
    std::io::Read::read_to_string(&mut stdout, &mut seen).expect("read stdout");
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code(), seen, stderr)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("report")).expect("json")
}

/// The last `(step, cost)` pair of a report's `costs`.
fn last_cost(costs: &serde_json::Value) -> (u64, f64) {
    let last = costs.as_array().expect("costs").last().expect("a cost");
    (
        last[0].as_u64().expect("step"),
        last[1].as_f64().expect("cost"),
    )
}

/// Interrupted between print steps, training without a validation part still prints the cost
/// line of the last epoch that finished, as it does with one and at the end of a full run: the
/// report's last cost is on stdout.
#[test]
fn ctrl_c_prints_the_last_finished_epochs_cost_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    tiny_data(&w.join("data"));
    // The press must land past the printed epoch; on a busy machine the run may not have
    // moved on in 100 ms, so up to three tries.
    let mut tries = 0;
    let (stdout, epoch, cost) = loop {
        tries += 1;
        #[rustfmt::skip]
        let (code, stdout, stderr) = interrupted_at(w, &[
            "train", "--data", "data", "--layers", "192,3,1", "--batch-size", "4", "--epochs",
            "100000000", "--print-every", "1000", "--save", "m.h5", "--report", "r.json",
        ], "Cost after epoch 1000:");
        assert_eq!(code, Some(130), "{stdout}\n{stderr}");
        let (epoch, cost) = last_cost(&json(&w.join("r.json"))["costs"]);
        if epoch > 1000 || tries == 3 {
            break (stdout, epoch, cost);
        }
    };
    assert!(epoch > 1000, "stopped at once, {tries} times: {stdout}");
    let last_line = stdout
        .lines()
        .rfind(|l| l.starts_with("Cost after epoch "))
        .expect("cost lines");
    assert_eq!(
        last_line,
        format!("Cost after epoch {epoch}: {cost:.6}"),
        "{stdout}"
    );
}

/// `dnn toy` and `dnn planar` record an interruption in their reports as `dnn train` does:
/// `interrupted`, and the steps each run ran; and say how far training went.
#[test]
fn ctrl_c_is_recorded_in_toy_and_planar_reports() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    for (command, unit, run_key) in [
        ("toy", "epoch", "epochs_run"),
        ("planar", "iteration", "iterations_run"),
    ] {
        let planned = "100000000";
        #[rustfmt::skip]
        let (code, stdout, stderr) = interrupted_at(w, &[
            command, "--iterations", planned, "--print-every", "1000", "--report", "r.json",
        ], &format!("Cost after {unit} 1000:"));
        assert_eq!(code, Some(130), "{command}: {stdout}\n{stderr}");
        let report = json(&w.join("r.json"));
        assert_eq!(
            report["interrupted"],
            serde_json::Value::Bool(true),
            "{command}"
        );
        let runs = report["runs"].as_array().expect("runs");
        assert_eq!(runs.len(), 1, "{command}");
        let ran = runs[0][run_key].as_u64().expect(run_key);
        assert_eq!(ran, last_cost(&runs[0]["costs"]).0 + 1, "{command}");
        assert!(ran > 1000 && ran < 100_000_000, "{command}: {ran}");
        let accuracy = runs[0]["accuracy"].as_f64().expect("accuracy");
        assert!(
            (0.0..=1.0).contains(&accuracy),
            "{command}: a fraction, not {accuracy}"
        );
        assert!(
            stderr.ends_with(&format!("\ninterrupted after {ran} of {planned} {unit}s\n")),
            "{command}: {stderr}"
        );
    }
}

/// Ctrl-C inside a long epoch (24,000 mini-batches of 2 examples, many seconds of work) ends
/// the run after the mini-batch under way, long before the epoch would have ended: the model
/// is saved with the updates of the batches that ran, and the line on stderr, the report and
/// the model file say what it holds. (Before, the press waited for the end of the epoch.)
#[test]
fn ctrl_c_inside_a_long_epoch_stops_after_the_current_mini_batch() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    // 60,000 rows: 48,000 to train on, so 24,000 batches an epoch.
    write_gaussian_blobs(&w.join("big.csv"), 60_000, 3, 10, 3.0);
    #[rustfmt::skip]
    let args = [
        "train", "--data", "big.csv", "--hidden", "256,256", "--optimizer", "adam",
        "--learning-rate", "0.001", "--batch-size", "2", "--epochs", "2", "--print-every", "1",
        "--save", "m.h5", "--report", "r.json",
    ];
    // The press must come once training has started (before, Ctrl-C exits at once and
    // writes nothing): a second after the data's line, which comes just before it; up to
    // three tries with a longer wait on a busy machine.
    let mut tries = 0;
    let (stdout, stderr, pressed_to_exit) = loop {
        tries += 1;
        let mut child = spawn_dnn(w, &args);
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (mut seen, came) = read_until_line(&mut stdout, "Data: big.csv");
        assert!(came, "dnn ended before loading the data: {seen}");
        std::thread::sleep(std::time::Duration::from_secs(tries));
        signal(&child, libc::SIGINT);
        let pressed = Instant::now();
        std::io::Read::read_to_string(&mut stdout, &mut seen).expect("read stdout");
        let out = child.wait_with_output().expect("wait");
        let pressed_to_exit = pressed.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(out.status.code(), Some(130), "{seen}\n{stderr}");
        if seen.contains("Saved the model") || tries == 3 {
            break (seen, stderr, pressed_to_exit);
        }
    };
    assert!(
        stdout.contains("Saved the model to m.h5"),
        "{stdout}\n{stderr}"
    );
    assert!(
        stderr.starts_with(
            "\nCtrl-C: stopping after the current mini-batch (full-batch: iteration), then \
             writing what was trained so far; press Ctrl-C again to quit at once, writing \
             nothing\n"
        ),
        "{stderr}"
    );
    // Stopped inside epoch 0: no epoch completed, some of its batches ran.
    assert!(!stdout.contains("Cost after epoch 0"), "{stdout}");
    let report = json(&w.join("r.json"));
    assert_eq!(report["interrupted"], serde_json::Value::Bool(true));
    assert_eq!(report["iterations_run"].as_u64(), Some(0));
    let batches_run = report["batches_run"].as_u64().expect("batches_run");
    assert!(
        (1..24_000).contains(&batches_run),
        "batches_run {batches_run}"
    );
    assert!(
        stderr.ends_with(&format!(
            "\ninterrupted after 0 of 2 epochs and {batches_run} of the 24000 mini-batches of \
             epoch 0; the model holds their updates\n"
        )),
        "{stderr}"
    );
    // The model file records the complete epochs and the batches of the stopped one, and
    // a run going on from it says so.
    let model = load_model(w.join("m.h5")).expect("the saved model loads");
    assert_eq!(model.setup.iterations_run, Some(0));
    assert_eq!(model.setup.batches_run, Some(batches_run));
    let from = Command::new(env!("CARGO_BIN_EXE_dnn"))
        .args([
            "train", "--from", "m.h5", "--data", "big.csv", "--epochs", "1",
        ])
        .args(["--batch-size", "30000", "-q", "--save", "m2.h5"])
        .current_dir(w)
        .output()
        .expect("dnn train --from");
    let said = String::from_utf8_lossy(&from.stdout);
    assert!(
        said.contains(&format!("for 0 epochs and {batches_run} mini-batches")),
        "{said}{}",
        String::from_utf8_lossy(&from.stderr)
    );
    // Well before the epoch would have ended: the epoch's time at the run's own rate.
    let train_seconds = report["train_seconds"].as_f64().expect("train_seconds");
    let epoch_seconds = train_seconds * 24_000.0 / batches_run as f64;
    println!(
        "Ctrl-C to exit: {pressed_to_exit:?}; {batches_run} of 24000 batches in \
         {train_seconds:.2} s (an epoch: {epoch_seconds:.1} s)"
    );
    assert!(
        pressed_to_exit.as_secs_f64() < epoch_seconds / 2.0,
        "Ctrl-C to exit {pressed_to_exit:?}, an epoch {epoch_seconds:.1} s"
    );
}

/// Ctrl-C during a cross-validation loses no fold that was done: the report has them, says
/// which fold the press stopped, and gives no mean (a mean of fewer folds is no K-fold
/// estimate); the run exits 130.
#[test]
fn ctrl_c_during_cross_validation_keeps_the_folds_done_in_the_report() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_blobs_csv(&w.join("blobs.csv"), 300, 1.0);
    #[rustfmt::skip]
    let (code, stdout, stderr) = interrupted_at(w, &[
        "train", "--data", "blobs.csv", "--target", "kind", "--hidden", "8", "--iterations",
        "20000", "--cross-validate", "50", "--report", "cv.json",
    ], "Fold 2 of 50:");
    assert_eq!(code, Some(130), "{stdout}\n{stderr}");
    let report = json(&w.join("cv.json"));
    let folds = report["folds"].as_array().expect("folds");
    let done = folds.len();
    assert!((2..50).contains(&done), "{done} folds: {stdout}");
    assert_eq!(report["interrupted_in_fold"], done + 1, "{report}");
    for key in ["train_mean", "train_std", "test_mean", "test_std"] {
        assert_eq!(report[key], serde_json::Value::Null, "{key}");
    }
    // Each fold recorded is one printed.
    for fold in folds {
        let k = fold["fold"].as_u64().expect("fold");
        let test = fold["test"].as_f64().expect("test");
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("Fold {k} of 50:")))
            .unwrap_or_else(|| panic!("fold {k} not printed: {stdout}"));
        assert!(line.contains(&format!("test accuracy {test:.6}")), "{line}");
    }
    assert!(
        stdout.ends_with(&format!(
            "Saved the report to cv.json ({done} folds done)\n"
        )),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!(
            "interrupted in fold {} of 50: no mean is given for fewer folds",
            done + 1
        )),
        "{stderr}"
    );
    assert!(temporaries(w).is_empty(), "{:?}", temporaries(w));
}
