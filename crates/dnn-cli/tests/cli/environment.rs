//! The environment variables flags read (`DNN_THREADS` for `--threads`, `DNN_DATA_DIR` for
//! `--data`): set but empty they count as unset, as they do for most tools, and a value
//! refused from one names the variable, since the user typed no flag.

use crate::common;
use crate::fixtures;

use std::path::Path;
use std::process::Command;

use common::Run;

/// `dnn args` in `dir` with the environment variables `env` (an empty value: set but empty).
fn dnn_with(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dnn"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("DNN_THREADS")
        .env_remove("DNN_DATA_DIR");
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.output().expect("run dnn").into()
}

#[test]
fn an_empty_environment_variable_counts_as_unset() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let run = dnn_with(w, &[("DNN_THREADS", "")], &["toy", "--epochs", "2", "-q"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stderr, "");
    // DNN_DATA_DIR empty: --data is its default, ./data.
    fixtures::tiny_data(&w.join("data"));
    let train = ["train", "--layers", "192,3,1", "--iterations", "2", "-q"];
    let run = dnn_with(w, &[("DNN_DATA_DIR", ""), ("DNN_THREADS", "")], &train);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.starts_with("Train accuracy: "), "{run:?}");
}

#[test]
fn a_value_refused_from_the_environment_names_its_variable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let run = dnn_with(w, &[("DNN_THREADS", "x")], &["toy", "--epochs", "2", "-q"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert_eq!(
        run.stderr.trim_end(),
        "error: invalid value 'x' for '--threads <THREADS>': `x` is not a whole number greater \
         than 0 (from DNN_THREADS; fix or unset it); see `dnn toy --help`"
    );
    // Typed, the flag is the one to fix (it overrides the variable).
    let run = dnn_with(
        w,
        &[("DNN_THREADS", "x")],
        &["toy", "--epochs", "2", "--threads=0"],
    );
    assert_eq!(run.code, Some(2), "{run:?}");
    assert_eq!(
        run.stderr.trim_end(),
        "error: invalid value '0' for '--threads <THREADS>': must be at least 1; see `dnn toy \
         --help`"
    );
    let run = dnn_with(
        w,
        &[("DNN_DATA_DIR", "no_such_dir")],
        &["train", "--iterations", "1", "-q"],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr
            .starts_with("error: cannot load --data no_such_dir (from DNN_DATA_DIR), the cat set"),
        "{run:?}"
    );
    assert_eq!(common::snapshot(w), Vec::new(), "nothing written");
}
