//! dnn in a pipeline. `dnn ... | head -1`: when the reader closes the pipe, dnn ends quietly
//! (by SIGPIPE, as other Unix tools do) instead of panicking on a failed `println!`, unless it
//! has files to write after its lines: `dnn train --save m.h5 | head -1` still saves `m.h5`.
//! `... | dnn predict --model m.h5 -`: the input `-` is standard input, a table's rows or one
//! picture, predicted as the same file would be.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{self, dnn_fed};
use crate::fixtures::{write_model, write_png, write_table_model};

#[test]
fn table_rows_piped_to_dash_are_predicted_as_the_file_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = dir.path();
    write_table_model(&w.join("m.h5"), &["a", "b"], &["no", "yes"]);
    let rows = "b,a\n1.5,-2\n0,0\n3,4\n";
    std::fs::write(w.join("rows.csv"), rows).expect("csv");
    let from_file = common::dnn_in(w, &["predict", "--model", "m.h5", "rows.csv"]);
    assert_eq!(from_file.code, Some(0), "{from_file:?}");
    assert_eq!(from_file.stdout.lines().count(), 4, "{from_file:?}");
    let piped = dnn_fed(w, &["predict", "--model", "m.h5", "-"], rows.as_bytes());
    assert_eq!(piped.code, Some(0), "{piped:?}");
    assert_eq!(piped.stdout, from_file.stdout);
    // `--output -` is stdout, not a file named `-`.
    let dashed = dnn_fed(
        w,
        &["predict", "--model", "m.h5", "-", "--output", "-"],
        rows.as_bytes(),
    );
    assert_eq!(dashed.stdout, from_file.stdout, "{dashed:?}");
    assert!(!w.join("-").exists());
    // Its errors name it.
    let empty = dnn_fed(w, &["predict", "--model", "m.h5", "-"], b"");
    assert_eq!(empty.code, Some(1), "{empty:?}");
    assert!(
        empty
            .stderr
            .starts_with("error: <stdin>: the file is empty"),
        "{empty:?}"
    );
}

#[test]
fn a_picture_piped_to_dash_is_predicted_as_the_file_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = dir.path();
    write_model(&w.join("cat.h5"), &[12288, 2, 1]);
    write_png(&w.join("p.png"), 70, 50, image::ColorType::Rgb8);
    let png = std::fs::read(w.join("p.png")).expect("png");
    let from_file = common::dnn_in(w, &["predict", "--model", "cat.h5", "p.png"]);
    assert_eq!(from_file.code, Some(0), "{from_file:?}");
    let verdict = from_file.stdout.strip_prefix("p.png: ").expect("named");
    let piped = dnn_fed(w, &["predict", "--model", "cat.h5", "-"], &png);
    assert_eq!(piped.code, Some(0), "{piped:?}");
    assert_eq!(piped.stdout, format!("<stdin>: {verdict}"));
    // Beside files, in its place among them.
    let mixed = dnn_fed(w, &["predict", "--model", "cat.h5", "p.png", "-"], &png);
    assert_eq!(
        mixed.stdout,
        format!("{}<stdin>: {verdict}", from_file.stdout)
    );
    // `--output -` is the CSV --output writes, on stdout.
    let csv = dnn_fed(
        w,
        &["predict", "--model", "cat.h5", "-", "--output", "-"],
        &png,
    );
    let (class, probability) = verdict
        .trim_end()
        .strip_suffix(')')
        .and_then(|v| v.split_once(" (probability "))
        .expect("class (probability p)");
    let p: f64 = probability.parse().expect("probability");
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(lines[0], "file,class,probability", "{csv:?}");
    let (name, rest) = lines[1].split_once(',').expect("row");
    let (row_class, row_p) = rest.split_once(',').expect("row");
    assert_eq!((name, row_class, lines.len()), ("<stdin>", class, 2));
    assert!(
        (row_p.parse::<f64>().expect("p") - p).abs() < 1e-4,
        "{csv:?}"
    );
    // A folder named `-` does not hide standard input.
    std::fs::create_dir(w.join("-")).expect("mkdir -");
    let dashed = dnn_fed(w, &["predict", "--model", "cat.h5", "-"], &png);
    assert_eq!(dashed.stdout, piped.stdout, "{dashed:?}");
    // Standard input is read once.
    let twice = dnn_fed(w, &["predict", "--model", "cat.h5", "-", "-"], &png);
    assert_eq!(twice.code, Some(1), "{twice:?}");
    assert!(twice.stderr.contains("given more than once"), "{twice:?}");
    let text = dnn_fed(w, &["predict", "--model", "cat.h5", "-"], b"a,b\n1,2\n");
    assert_eq!(text.code, Some(1), "{text:?}");
    assert!(
        text.stderr
            .starts_with("error: <stdin>: not a JPEG or PNG image"),
        "{text:?}"
    );
}

/// Runs `dnn args` in `dir`, reads the first line it prints and closes the pipe (the reader
/// is gone: its next writes hit a closed pipe); that line, its exit status and its stderr.
#[cfg(unix)]
fn with_the_reader_gone_after_one_line(
    dir: &Path,
    args: &[&str],
) -> (String, std::process::ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dnn"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dnn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("one line");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("wait");
    (first, status, stderr)
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_pipe_ends_dnn_without_a_panic() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let args = [
        "planar",
        "--hidden",
        "4",
        "--iterations",
        "20000",
        "--print-every",
        "1",
    ];
    let (first, status, stderr) = with_the_reader_gone_after_one_line(dir.path(), &args);
    assert_eq!(first, "Cost after iteration 0: 0.693048\n");
    assert_eq!(
        status.signal(),
        Some(libc::SIGPIPE),
        "{status:?}; stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_pipe_does_not_lose_the_model_that_dnn_train_saves_after_its_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::fixtures::write_blobs_csv(&dir.path().join("blobs.csv"), 60, 0.3);
    // About 100 KB of cost lines, more than a pipe holds: dnn writes while the pipe is
    // closed, whatever the timing.
    #[rustfmt::skip]
    let args = [
        "train", "--data", "blobs.csv", "--hidden", "3", "--iterations", "3000",
        "--print-every", "1", "--save", "m.h5", "--report", "r.json",
    ];
    let (first, status, stderr) = with_the_reader_gone_after_one_line(dir.path(), &args);
    assert!(first.starts_with("Data: blobs.csv (csv): "), "{first}");
    assert!(status.success(), "{status:?}; stderr: {stderr}");
    assert_eq!(stderr, "");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).expect("the report"))
            .expect("JSON");
    assert_eq!(report["iterations_run"], 3000, "{report}");
    let evaluated = common::dnn_in(
        dir.path(),
        &["evaluate", "--model", "m.h5", "--data", "blobs.csv"],
    );
    assert_eq!(evaluated.code, Some(0), "{evaluated:?}");
}

/// A full standard output (`> /dev/full`) is one error line that says what could not be
/// written, not the system's bare message.
#[test]
fn a_full_stdout_is_named_in_the_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = dir.path();
    write_table_model(&w.join("m.h5"), &["a", "b"], &["no", "yes"]);
    std::fs::write(w.join("rows.csv"), "a,b\n1,2\n").expect("csv");
    let full = std::fs::File::create("/dev/full").expect("/dev/full");
    let out = Command::new(env!("CARGO_BIN_EXE_dnn"))
        .args(["predict", "--model", "m.h5", "rows.csv"])
        .current_dir(w)
        .stdout(full)
        .output()
        .expect("run dnn");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        ["error: cannot write the predictions to standard output: No space left on device (os error 28)"]
    );
}
