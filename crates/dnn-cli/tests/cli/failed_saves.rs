//! Saves that fail half-way (a full disk, a file system that turns read-only during
//! training) leave the previous model byte for byte, no temporary file, and one error
//! line; a diverging learning rate on the real data stops with the iteration and, with
//! `--save-last-good`, keeps a loadable model.
//!
//! The full disk is a real one: a 256 KiB tmpfs mounted for the test (the tests run as
//! root here). Where mounting is not permitted (not root, or no CAP_SYS_ADMIN), the disk
//! filling up is simulated with a file-size limit (`ulimit -f`, with SIGXFSZ ignored so
//! writes fail with EFBIG as they would with ENOSPC). Which one ran is printed; neither
//! is skipped.

use crate::common;
use crate::fixtures;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use dnn_data::model::load_model;
use fixtures::*;

/// A tmpfs mounted on a fresh directory, unmounted on drop.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).expect("mkdir");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs {
            dir: dir.to_path_buf(),
        })
    }

    fn remount_read_only(&self) {
        let ok = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount read-only");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

fn dnn(dir: &Path, args: &[&str], file_size_limit_kib: Option<u64>) -> common::Run {
    let mut cmd = match file_size_limit_kib {
        // `trap '' XFSZ` is inherited across exec: writes beyond the limit fail with EFBIG.
        Some(kib) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("trap '' XFSZ; ulimit -f {kib}; exec \"$0\" \"$@\""))
                .arg(env!("CARGO_BIN_EXE_dnn"))
                .args(args);
            c
        }
        None => {
            let mut c = Command::new(env!("CARGO_BIN_EXE_dnn"));
            c.args(args);
            c
        }
    };
    cmd.current_dir(dir).output().expect("run dnn").into()
}

fn one_error_line(run: &common::Run) -> &str {
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(lines[0].starts_with("error: "), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    lines[0]
}

/// Every name in `dir` but `model.h5`: whatever a failed save left there (the atomic
/// writer's temporaries are hidden `.model.h5.Xa3k9Q.tmp`, but any name counts).
fn left_over(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "model.h5")
        .collect()
}

#[test]
fn a_save_that_fills_the_disk_leaves_the_previous_model_intact() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    tiny_data(&w.join("data"));
    // 192x300 f64 weights: a ~470 KB model, more than the disk has room for.
    let big = [
        "train",
        "--data",
        "data",
        "--layers",
        "192,300,1",
        "--iterations",
        "2",
        "-q",
    ];
    let disk = Tmpfs::mount(&w.join("disk"), "256k");
    let (out_dir, limit, method) = match &disk {
        Some(t) => (t.dir.clone(), None, "a full 256 KiB tmpfs"),
        None => {
            std::fs::create_dir_all(w.join("disk")).expect("mkdir");
            (
                w.join("disk"),
                Some(100),
                "a 100 KiB file-size limit (ulimit -f; mount not permitted)",
            )
        }
    };
    println!("simulating a full disk with {method}");
    let model = out_dir.join("model.h5");
    write_model(&model, &[FEATURES, 3, 1]);
    let before = std::fs::read(&model).expect("read");

    let save = model.to_string_lossy().into_owned();
    let mut args = big.to_vec();
    args.extend(["--save", &save]);
    let run = dnn(w, &args, limit);
    assert_eq!(run.code, Some(1), "{run:?}");
    let line = one_error_line(&run);
    assert!(line.contains(&format!("{save}: cannot write: ")), "{line}");
    assert!(
        line.ends_with("No space left on device (os error 28)")
            || line.ends_with("File too large (os error 27)"),
        "{line}"
    );
    assert_eq!(
        std::fs::read(&model).expect("read"),
        before,
        "the previous model changed"
    );
    assert!(load_model(&model).is_ok());
    assert_eq!(left_over(&out_dir), Vec::<String>::new());
    println!("full disk: {line}");
}

#[test]
fn a_file_system_that_turns_read_only_during_training_leaves_the_previous_model() {
    // Root ignores permission bits, so a read-only directory proves nothing here; a file
    // system remounted read-only stops root too.
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    tiny_data(&w.join("data"));
    let Some(disk) = Tmpfs::mount(&w.join("disk"), "4m") else {
        // Without mount, fall back to permissions, which only bind a non-root user.
        assert!(
            !is_root(),
            "running as root but cannot mount a tmpfs: no way to make a directory read-only for root"
        );
        return read_only_directory_fallback(w);
    };
    let model = disk.dir.join("model.h5");
    write_model(&model, &[FEATURES, 5, 1]);
    let before = std::fs::read(&model).expect("read");
    let save = model.to_string_lossy().into_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dnn"))
        .args([
            "train",
            "--data",
            "data",
            "--layers",
            "192,3,1",
            "--iterations",
            "100000000",
            "--print-every",
            "1000",
            "--save",
            &save,
        ])
        .current_dir(w)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // The output checks pass at start; the disk turns read-only while training runs.
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    while !line.starts_with("Cost after iteration 1000:") {
        line.clear();
        assert!(
            stdout.read_line(&mut line).expect("read") > 0,
            "dnn ended early"
        );
    }
    disk.remount_read_only();
    // SAFETY: kill on our own child.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) },
        0
    );
    std::io::Read::read_to_string(&mut stdout, &mut String::new()).expect("read");
    let out = child.wait_with_output().expect("wait");
    let run = common::Run {
        code: out.status.code(),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    // Interrupted (one "interrupted after" line), then the save fails: exit 1, one error.
    assert_eq!(run.code, Some(1), "{run:?}");
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(errors[0].contains("Read-only file system"), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    assert_eq!(std::fs::read(&model).expect("read"), before);
    assert_eq!(left_over(&disk.dir), Vec::<String>::new());
    println!("read-only file system: {}", errors[0]);
}

fn read_only_directory_fallback(w: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let dir = w.join("ro");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let model = dir.join("model.h5");
    write_model(&model, &[FEATURES, 5, 1]);
    let before = std::fs::read(&model).expect("read");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let save = model.to_string_lossy().into_owned();
    let run = dnn(
        w,
        &[
            "train",
            "--data",
            "data",
            "--layers",
            "192,3,1",
            "--iterations",
            "2",
            "--save",
            &save,
        ],
        None,
    );
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(one_error_line(&run).contains("--save"), "{run:?}");
    assert_eq!(std::fs::read(&model).expect("read"), before);
}

#[test]
fn learning_rate_1000_on_the_cat_data_stops_at_iteration_1_and_can_keep_the_last_good_model() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let data = common::data_dir();
    let data = data.to_string_lossy().into_owned();
    let base = [
        "train",
        "--data",
        &data,
        "--learning-rate",
        "1000",
        "--iterations",
        "5",
    ];

    // Without --save-last-good: one error line, nothing written.
    let run = common::dnn_in(w, &base);
    assert_eq!(run.code, Some(1), "{run:?}");
    let line = one_error_line(&run);
    println!("{line}");
    assert!(
        line.starts_with("error: training diverged at iteration 1: the cost 56"),
        "{line}"
    );
    assert!(
        line.contains("more than 10 times the starting cost 0.771749"),
        "{line}"
    );
    assert!(
        line.contains("try a smaller learning rate than 1000"),
        "{line}"
    );
    assert!(
        line.contains(
            "nothing saved (pass --save-last-good to keep the parameters of iteration 0)"
        ),
        "{line}"
    );
    assert!(
        run.stdout.contains("Cost after iteration 0: 0.771749"),
        "{run:?}"
    );
    assert!(common::snapshot(w).is_empty(), "files were written");

    // With it: the parameters that gave the cost at iteration 0 are saved and load.
    let mut args = base.to_vec();
    args.extend(["--save", "last_good.h5", "--save-last-good"]);
    let run = common::dnn_in(w, &args);
    assert_eq!(run.code, Some(1), "{run:?}");
    let line = one_error_line(&run);
    assert!(
        line.contains("saved the parameters of iteration 0 (cost 0.771749) to last_good.h5"),
        "{line}"
    );
    let model = load_model(w.join("last_good.h5")).expect("the last good model loads");
    assert_eq!(model.network.layer_sizes(), vec![12288, 20, 7, 5, 1]);
    assert_eq!(
        model.setup.final_cost.map(|c| (c * 1e6).round() / 1e6),
        Some(0.771749)
    );
    let eval = common::dnn_in(w, &["evaluate", "--data", &data, "--model", "last_good.h5"]);
    assert_eq!(eval.code, Some(0), "{eval:?}");
}

/// `dnn predict --output` that names the model or one of the inputs (as given, spelt
/// otherwise, absolute, or through a link) used to replace it with the CSV of predictions
/// and exit 0: it is refused before anything is read, every file left byte for byte.
#[test]
fn predict_never_saves_over_its_model_or_its_inputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    // 12288 inputs, one output: read as the cat classifier, so it takes pictures.
    write_model(&w.join("cats.h5"), &[12288, 2, 1]);
    write_png(&w.join("victim.png"), 10, 10, image::ColorType::Rgb8);
    write_png(&w.join("other.png"), 12, 9, image::ColorType::Rgb8);
    std::os::unix::fs::symlink("victim.png", w.join("alias.png")).expect("symlink");
    std::fs::hard_link(w.join("cats.h5"), w.join("twin.h5")).expect("hard link");
    write_table_model(&w.join("own.h5"), &["a", "b"], &["x", "y"]);
    std::fs::write(w.join("rows.csv"), "a,b\n1,2\n3,4\n").expect("csv");
    let absolute = w.join("victim.png").display().to_string();

    let pictures = |output: &str| -> Vec<String> {
        [
            "predict",
            "--model",
            "cats.h5",
            "--output",
            output,
            "other.png",
            "victim.png",
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let table = [
        "predict",
        "--model",
        "own.h5",
        "--output",
        "./rows.csv",
        "rows.csv",
    ]
    .map(str::to_owned)
    .to_vec();
    for (args, says) in [
        (
            pictures("victim.png"),
            "--output victim.png is the input victim.png; give another name",
        ),
        (pictures(&absolute), "is the input victim.png"),
        (
            pictures("alias.png"),
            "--output alias.png is the input victim.png",
        ),
        (
            pictures("cats.h5"),
            "--output cats.h5 is the model file itself; give another name",
        ),
        (
            pictures("twin.h5"),
            "--output twin.h5 is the model file itself",
        ),
        (table, "--output ./rows.csv is the input rows.csv"),
    ] {
        let before = common::snapshot(w);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = common::dnn_in(w, &args);
        assert_eq!(run.code, Some(1), "dnn {args:?}: {run:?}");
        let line = one_error_line(&run);
        assert!(line.contains(says), "dnn {args:?}: {line}");
        assert!(run.stdout.is_empty(), "dnn {args:?}: {run:?}");
        assert!(common::snapshot(w) == before, "dnn {args:?} changed a file");
    }

    // Another name is written as before.
    let run = common::dnn_in(
        w,
        &pictures("predictions.csv")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    let csv = std::fs::read_to_string(w.join("predictions.csv")).expect("predictions");
    assert!(
        csv.starts_with("file,class,probability\nother.png,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 3, "{csv}");
}

/// A diverged run still writes the `--report` and `--plot` asked for: the costs up to
/// divergence (those it printed), where and why it diverged, and no scores; a learning-rate
/// sweep's script finds a report for every run.
#[test]
fn a_diverged_run_writes_its_report_and_cost_curve() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_blobs_csv(&w.join("blobs.csv"), 60, 0.3);
    let run = common::dnn_in(
        w,
        &[
            "train",
            "--data",
            "blobs.csv",
            "--target",
            "kind",
            "--hidden",
            "8",
            "--learning-rate",
            "6",
            "--iterations",
            "300",
            "--print-every",
            "2",
            "--report",
            "r.json",
            "--plot",
            "c.svg",
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    let line = one_error_line(&run);
    assert!(
        line.ends_with("; wrote --plot c.svg and --report r.json"),
        "{line}"
    );
    let report: dnn_report::TrainReport =
        serde_json::from_str(&std::fs::read_to_string(w.join("r.json")).expect("report"))
            .expect("a TrainReport");
    let diverged = report.diverged.expect("the diverged block");
    let (at, rest) = line
        .strip_prefix("error: training diverged at ")
        .and_then(|l| l.split_once(": "))
        .expect("where");
    assert_eq!(diverged.at, at);
    assert!(
        rest.starts_with(&format!("{}; try", diverged.cause)),
        "{rest}"
    );
    assert_eq!(diverged.saved, None);
    let printed: Vec<(usize, String)> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Cost after iteration "))
        .map(|l| {
            let (i, c) = l.split_once(": ").expect("cost line");
            (i.parse().expect("iteration"), c.to_owned())
        })
        .collect();
    // Iterations 0 and 2 at least: it ran away later than its first steps.
    assert!(printed.len() >= 2, "{}", run.stdout);
    let reported: Vec<(usize, String)> = report
        .costs
        .iter()
        .map(|&(i, c)| (i, format!("{c:.6}")))
        .collect();
    // The printed costs, then the last iteration's, the one before the one that diverged.
    assert_eq!(reported[..printed.len()], printed[..]);
    let last = report.costs.last().expect("a cost").0;
    assert_eq!(format!("iteration {}", last + 1), diverged.at);
    assert_eq!(report.iterations_run, last + 1);
    assert_eq!((report.gflops, report.train_accuracy), (None, None));
    let svg = std::fs::read_to_string(w.join("c.svg")).expect("the cost curve");
    assert!(svg.contains("<svg"), "{svg}");
    assert!(
        !w.join("model.h5").exists(),
        "nothing saved without --save-last-good"
    );
}
