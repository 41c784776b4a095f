//! dnn on a terminal and off one: what it draws only on a terminal (`script`, util-linux
//! in every Debian, gives the run a pseudo-terminal, as a user's shell would), and the line
//! that stands in for the bar elsewhere during a long epoch.

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

/// Off a terminal there is no bar: an epoch that runs longer than `DNN_PROGRESS_SECONDS`
/// (a minute by default) gets a line saying how far it has gone, and short epochs print
/// what they always did.
#[test]
fn off_a_terminal_a_long_epoch_says_how_far_it_has_gone() {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::fixtures::write_gaussian_blobs(&dir.path().join("big.csv"), 20_000, 2, 10, 3.0);
    #[rustfmt::skip]
    let args = [
        "train", "--data", "big.csv", "--hidden", "256,256", "--optimizer", "adam",
        "--batch-size", "2", "--epochs", "1", "--save", "m.h5",
    ];
    let run = |seconds: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dnn"));
        command.args(args).current_dir(dir.path());
        match seconds {
            Some(s) => command.env("DNN_PROGRESS_SECONDS", s),
            None => command.env_remove("DNN_PROGRESS_SECONDS"),
        };
        let out = command.output().expect("dnn");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // 8,000 batches of 2 through [10, 256, 256, 1]: a second or more, many times 0.05 s.
    let told = run(Some("0.05"));
    // The last such line: on a loaded machine the first can come before the first batch ends.
    let line = told
        .lines()
        .rev()
        .find(|l| l.starts_with("Epoch 0: batch "))
        .unwrap_or_else(|| panic!("no progress line in {told}"));
    let (done, rest) = line["Epoch 0: batch ".len()..]
        .split_once(" of 8000, ")
        .unwrap_or_else(|| panic!("{line}"));
    let done: usize = done.parse().unwrap_or_else(|_| panic!("{line}"));
    assert!((1..8000).contains(&done), "{line}");
    assert!(rest.contains(" batches/s"), "{line}");
    let quiet = run(None);
    assert!(!quiet.contains("Epoch 0: batch"), "{quiet}");
    assert!(quiet.contains("Cost after epoch 0: "), "{quiet}");
}
