//! Shared helpers for the `dnn` command's tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// Entry `name` of `xtask/expected/repro.json` (numpy's numbers, written by gen_repro.py).
pub fn expected(name: &str) -> serde_json::Value {
    let path = workspace_root().join("xtask/expected/repro.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("repro.json is JSON");
    doc["entries"]
        .as_array()
        .and_then(|entries| entries.iter().find(|e| e["name"] == name))
        .cloned()
        .unwrap_or_else(|| panic!("no entry {name} in repro.json"))
}

/// The directory with the real cat data (DNN_DATA_DIR, data/, or ../shared/data).
/// Fails the test, never skips it, when the data is missing.
pub fn data_dir() -> PathBuf {
    dnn_data::locate_data_dir(workspace_root()).unwrap_or_else(|e| panic!("{e}"))
}

/// The Python of the venv that `cargo xtask test` makes (`DNN_PYTHON`), for a test that needs
/// `what` (a package list, for the message). Fails the test, never skips it, when unset.
pub fn venv_python(what: &str) -> String {
    std::env::var("DNN_PYTHON").unwrap_or_else(|_| {
        panic!(
            "DNN_PYTHON is not set: this test needs {what} in Python. Run it through `cargo xtask \
             test`, which makes that venv and sets DNN_PYTHON, or set \
             DNN_PYTHON=target/py-venv/bin/python once the venv exists"
        )
    })
}

/// Runs a comparison script of `tests/reference/` (`name`, which needs `what` in the venv)
/// on this build's `dnn` (`--dnn`), in a scratch folder (`--out`), prints what it printed and
/// returns the numbers it wrote (`--json`). Fails the test when the script fails.
pub fn reference_results(name: &str, what: &str) -> serde_json::Value {
    let python = venv_python(what);
    let script = workspace_root()
        .join("crates/dnn-cli/tests/reference")
        .join(name);
    let tmp = tempfile::tempdir().expect("tempdir");
    let json = tmp.path().join("results.json");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg("--dnn")
        .arg(env!("CARGO_BIN_EXE_dnn"))
        .arg("--out")
        .arg(tmp.path().join("work"))
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{} failed:\n{stdout}\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{stdout}");
    serde_json::from_str(&std::fs::read_to_string(&json).expect("results")).expect("json")
}

/// The result of one `dnn` run.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// `run`, which must have succeeded (the test fails with its output otherwise).
pub fn ok(run: Run) -> Run {
    assert_eq!(run.code, Some(0), "dnn failed: {run:?}");
    run
}

/// The CSV `text` (what `dnn predict` writes) as records of fields, the header first.
pub fn records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(String::from).collect())
        .collect()
}

/// Trains a small model on `data` in `dir` (`extra` flags beside a short run of gradient
/// descent: 6 hidden units, 150 iterations at 0.1), saved as `save`; returns what it printed.
pub fn train_small(dir: &Path, data: &str, extra: &[&str], save: &str) -> String {
    let mut args = vec![
        "train",
        "--data",
        data,
        "--hidden",
        "6",
        "--iterations",
        "150",
        "--learning-rate",
        "0.1",
        "-q",
        "--save",
        save,
    ];
    args.extend_from_slice(extra);
    ok(dnn_in(dir, &args)).stdout
}

/// Runs `dnn` with `args` in `dir`.
pub fn dnn_in(dir: &Path, args: &[&str]) -> Run {
    Command::new(env!("CARGO_BIN_EXE_dnn"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run dnn")
        .into()
}

/// Runs `dnn` with `args` in `dir`, `stdin` piped into it.
pub fn dnn_fed(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dnn"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dnn");
    let mut pipe = child.stdin.take().expect("stdin");
    // dnn may refuse before reading: a closed pipe is then no failure of this test.
    let _ = pipe.write_all(stdin);
    drop(pipe);
    child.wait_with_output().expect("wait").into()
}

/// A snapshot of every file under `dir` (path and contents), to prove a run changed nothing.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}
