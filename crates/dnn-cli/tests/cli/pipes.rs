//! `dnn ... | head -1`: when the reader closes the pipe, dnn ends quietly (by SIGPIPE, as
//! other Unix tools do) instead of panicking on a failed `println!`.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

#[cfg(unix)]
#[test]
fn a_closed_stdout_pipe_ends_dnn_without_a_panic() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dnn"))
        .args([
            "planar",
            "--hidden",
            "4",
            "--iterations",
            "20000",
            "--print-every",
            "1",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dnn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("one line");
    assert_eq!(first, "Cost after iteration 0: 0.693048\n");
    // The reader is gone: the next writes hit a closed pipe.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("wait");
    assert_eq!(
        status.signal(),
        Some(libc::SIGPIPE),
        "{status:?}; stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
