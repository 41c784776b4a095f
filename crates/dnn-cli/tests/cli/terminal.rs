//! dnn on a terminal: what it draws only there. `script` (util-linux, in every Debian)
//! gives the run a pseudo-terminal, as a user's shell would.

use std::process::Command;

use crate::fixtures::write_blobs_csv;

/// Runs `dnn args` in `dir` under `script`, on a pseudo-terminal; returns what it drew.
fn on_a_terminal(dir: &std::path::Path, args: &[&str]) -> String {
    let command = std::iter::once(env!("CARGO_BIN_EXE_dnn"))
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let out = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .current_dir(dir)
        .output()
        .expect("`script` (util-linux) runs dnn on a pseudo-terminal");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn reading_the_data_is_shown_on_a_terminal_and_nowhere_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_blobs_csv(&dir.path().join("blobs.csv"), 60, 0.3);
    let args = [
        "train",
        "--data",
        "blobs.csv",
        "--hidden",
        "3",
        "--iterations",
        "5",
        "-q",
    ];
    let drawn = on_a_terminal(dir.path(), &args);
    assert!(drawn.contains("Reading blobs.csv…"), "{drawn:?}");
    // Cleared once read: the line after it starts with the spinner line erased.
    assert!(
        drawn.contains("\u{1b}[2KData: blobs.csv (csv)"),
        "{drawn:?}"
    );
    let piped = crate::common::dnn_in(dir.path(), &args);
    assert_eq!(piped.code, Some(0), "{piped:?}");
    assert!(!piped.stderr.contains("Reading"), "{piped:?}");
    assert!(!piped.stdout.contains("Reading"), "{piped:?}");
}
