//! Output paths that would lose something, refused before any work with one line and exit 1:
//! two outputs of one run naming one file (the later write would replace the earlier: the
//! model gone under a JSON report), and an output inside a data folder (it would replace a
//! training file or add a picture, changing the data and its SHA-256). Each refusal leaves
//! every file of the run's folder byte for byte as it was, and writes nothing.

use crate::common;
use crate::fixtures;

use std::path::Path;

use common::{dnn_in, snapshot};

/// What a file held before the runs; the tests assert it is still there, byte for byte.
const OLD: &[u8] = b"an earlier run's file, which must survive";

/// Runs `dnn` with `args` in `dir` and asserts that it is refused with `says` as its one
/// line and exit 1, and that nothing under `dir` changed.
fn refused(dir: &Path, args: &[&str], says: &str) {
    let before = snapshot(dir);
    let run = dnn_in(dir, args);
    assert_eq!(run.code, Some(1), "{args:?}: {run:?}");
    assert_eq!(run.stderr, format!("error: {says}\n"), "{args:?}");
    assert_eq!(run.stdout, "", "{args:?}: nothing is done");
    assert_eq!(
        snapshot(dir),
        before,
        "{args:?}: a file was written or changed"
    );
}

fn ok(dir: &Path, args: &[&str]) {
    let run = dnn_in(dir, args);
    assert_eq!(run.code, Some(0), "{args:?}: {run:?}");
}

/// A folder holding `blobs.csv` (three classes), and `old` files `m.h5`, `x.png`, `sub/`.
fn with_blobs() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    fixtures::write_blobs_csv(&w.join("blobs.csv"), 60, 0.3);
    std::fs::create_dir(w.join("sub")).expect("mkdir");
    for name in ["m.h5", "x.png"] {
        std::fs::write(w.join(name), OLD).expect("write");
    }
    tmp
}

#[test]
fn train_outputs_naming_one_file_under_any_spelling_are_refused() {
    let tmp = with_blobs();
    let w = tmp.path();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("m.h5", w.join("link.h5")).expect("symlink");
        std::os::unix::fs::symlink("sub", w.join("lnk")).expect("symlink");
        std::fs::hard_link(w.join("m.h5"), w.join("hard.h5")).expect("hard link");
    }
    let train = ["train", "--data", "blobs.csv", "--target", "kind", "-q"];
    let mut cases = vec![
        (
            vec!["--save", "m.h5", "--report", "m.h5"],
            "--report m.h5 is also --save's path: give each output its own file",
        ),
        (
            vec!["--save", "m.h5", "--report", "./m.h5"],
            "--report ./m.h5 is the same file as --save m.h5: give each output its own file",
        ),
        (
            vec!["--save", "n.h5", "--plot", "x.png", "--report", "x.png"],
            "--report x.png is also --plot's path: give each output its own file",
        ),
        (
            vec!["--save", "n.h5", "--plot", "x.png", "--report", "sub/../x.png"],
            "--report sub/../x.png is the same file as --plot x.png: give each output its own file",
        ),
        // Neither exists yet: the paths, their folders resolved, are compared.
        (
            vec!["--save", "sub/new.h5", "--report", "sub/../sub/new.h5"],
            "--report sub/../sub/new.h5 is the same file as --save sub/new.h5: give each output its own file",
        ),
    ];
    #[cfg(unix)]
    cases.extend([
        (
            vec!["--save", "m.h5", "--report", "link.h5"],
            "--report link.h5 is the same file as --save m.h5: give each output its own file",
        ),
        (
            vec!["--save", "m.h5", "--report", "hard.h5"],
            "--report hard.h5 is the same file as --save m.h5: give each output its own file",
        ),
        (
            vec!["--save", "sub/new.h5", "--report", "lnk/new.h5"],
            "--report lnk/new.h5 is the same file as --save sub/new.h5: give each output its own file",
        ),
    ]);
    for (args, says) in cases {
        refused(w, &[&train[..], &args].concat(), says);
        assert_eq!(std::fs::read(w.join("m.h5")).expect("m.h5"), OLD);
        assert_eq!(std::fs::read(w.join("x.png")).expect("x.png"), OLD);
        assert!(!w.join("sub/new.h5").exists());
    }
}

#[test]
fn evaluate_toy_and_planar_outputs_naming_one_file_are_refused() {
    let tmp = with_blobs();
    let w = tmp.path();
    fixtures::write_picture_folder(&w.join("pics"), &["dark", "light"], 4, 8);
    let m = ["--image-size", "8", "--iterations", "2", "-q", "--save"];
    ok(
        w,
        &[&["train", "--data", "pics"][..], &m, &["pic.h5"]].concat(),
    );
    let evaluate = ["evaluate", "--model", "pic.h5", "--data", "pics"];
    refused(
        w,
        &[
            &evaluate[..],
            &["--mislabeled", "x.png", "--report", "x.png"],
        ]
        .concat(),
        "--report x.png is also --mislabeled's path: give each output its own file",
    );
    refused(
        w,
        &[
            &evaluate[..],
            &["--mislabeled", "x.png", "--report", "./x.png"],
        ]
        .concat(),
        "--report ./x.png is the same file as --mislabeled x.png: give each output its own file",
    );
    for command in ["toy", "planar"] {
        refused(
            w,
            &[command, "--plot", "x.png", "--report", "sub/../x.png"],
            "--report sub/../x.png is the same file as --plot x.png: give each output its own file",
        );
    }
    assert_eq!(std::fs::read(w.join("x.png")).expect("x.png"), OLD);
}

#[test]
fn outputs_inside_a_data_folder_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let course = fixtures::tiny_data(&w.join("ok2"));
    fixtures::write_picture_folder(&w.join("b4"), &["dark", "light"], 4, 8);
    #[cfg(unix)]
    std::os::unix::fs::symlink("b4/dark", w.join("dark")).expect("symlink");
    let training_file = std::fs::read(course.join(dnn_data::TRAIN_FILE)).expect("train file");
    let picture = std::fs::read(w.join("b4/dark/001.png")).expect("picture");
    let why = "(its subfolders, its train_*.h5 and test_*.h5): writing it would change the data \
               (and its SHA-256); give another path";
    let save_ok2 = format!("ok2/{}", dnn_data::TRAIN_FILE);
    refused(
        w,
        &["train", "--data", "ok2", "-q", "--save", &save_ok2],
        &format!("--save {save_ok2} is where dnn reads the data folder ok2 from {why}"),
    );
    let pics = ["train", "--data", "b4", "--image-size", "8", "-q"];
    let mut cases = vec![
        (
            vec!["--save", "b4/dark/001.png"],
            format!("--save b4/dark/001.png is where dnn reads the data folder b4 from {why}"),
        ),
        (
            vec!["--save", "m.h5", "--plot", "b4/dark/001.png"],
            format!("--plot b4/dark/001.png is where dnn reads the data folder b4 from {why}"),
        ),
        (
            vec!["--save", "m.h5", "--report", "b4/dark/new.png"],
            format!("--report b4/dark/new.png is where dnn reads the data folder b4 from {why}"),
        ),
        (
            vec!["--save", "m.h5", "--report", "b4/../b4/dark/r.json"],
            format!(
                "--report b4/../b4/dark/r.json is where dnn reads the data folder b4 from {why}"
            ),
        ),
    ];
    #[cfg(unix)]
    cases.push((
        vec!["--save", "m.h5", "--report", "dark/001.png"],
        format!("--report dark/001.png is where dnn reads the data folder b4 from {why}"),
    ));
    for (args, says) in &cases {
        refused(w, &[&pics[..], args].concat(), says);
    }
    // A model trained outside the folder, then evaluate asked to write into it.
    ok(
        w,
        &[&pics[..], &["--iterations", "2", "--save", "m.h5"]].concat(),
    );
    refused(
        w,
        &[
            "evaluate",
            "--model",
            "m.h5",
            "--data",
            "b4",
            "--report",
            "b4/dark/001.png",
        ],
        &format!("--report b4/dark/001.png is where dnn reads the data folder b4 from {why}"),
    );
    refused(
        w,
        &[
            "evaluate",
            "--model",
            "m.h5",
            "--data",
            "b4/",
            "--mislabeled",
            "b4/light/x.png",
        ],
        &format!("--mislabeled b4/light/x.png is where dnn reads the data folder b4/ from {why}"),
    );
    assert_eq!(
        std::fs::read(course.join(dnn_data::TRAIN_FILE)).expect("train file"),
        training_file
    );
    assert_eq!(
        std::fs::read(w.join("b4/dark/001.png")).expect("picture"),
        picture
    );
    assert!(!w.join("b4/dark/new.png").exists() && !w.join("b4/r.json").exists());
    // A neighbour whose name starts as the folder's is outside it.
    ok(
        w,
        &[
            "evaluate", "--model", "m.h5", "--data", "b4", "--report", "b4.json",
        ],
    );
    // Beside what is read, a file is no part of the data (`--data .` with its default
    // `--save model.h5`): an image folder skips it, a course set ignores it; a second
    // train_*.h5 would be read, and is refused.
    ok(
        w,
        &[
            "evaluate",
            "--model",
            "m.h5",
            "--data",
            "b4",
            "--report",
            "b4/r.json",
        ],
    );
    ok(
        w,
        &[
            "train",
            "--data",
            "ok2",
            "--iterations",
            "2",
            "-q",
            "--save",
            "ok2/model.h5",
        ],
    );
    refused(
        w,
        &[
            "train",
            "--data",
            "ok2",
            "-q",
            "--save",
            "ok2/train_more.h5",
        ],
        &format!("--save ok2/train_more.h5 is where dnn reads the data folder ok2 from {why}"),
    );
}

/// A read-only model (`chmod 444`) is not replaced by `--save` (a rename would ignore its
/// mode, even as root), nor is an export by a model saved under its name.
#[cfg(unix)]
#[test]
fn train_refuses_a_read_only_file_and_a_model_named_as_an_export() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = with_blobs();
    let w = tmp.path();
    let keep = w.join("m.h5");
    std::fs::set_permissions(&keep, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let train = ["train", "--data", "blobs.csv", "--target", "kind", "-q"];
    refused(
        w,
        &[&train[..], &["--save", "m.h5"]].concat(),
        "--save: m.h5: cannot write: the file is read-only (mode 444); give another name, or make it writable (chmod u+w) to replace it",
    );
    std::fs::write(w.join("x.onnx"), OLD).expect("export");
    refused(
        w,
        &[&train[..], &["--save", "x.onnx"]].concat(),
        "--save x.onnx is named .onnx, but dnn train saves its model as HDF5: save it as x.h5 and write the ONNX file with `dnn export --model x.h5 --format onnx --output x.onnx`",
    );
    refused(
        w,
        &[&train[..], &["--save", "sub/m.SafeTensors"]].concat(),
        "--save sub/m.SafeTensors is named .safetensors, but dnn train saves its model as HDF5: save it as sub/m.h5 and write the safetensors file with `dnn export --model sub/m.h5 --format safetensors --output sub/m.SafeTensors`",
    );
}

/// Several outputs that cannot be written are named in one line, not one per run.
#[test]
fn every_unwritable_output_is_named_at_once() {
    let tmp = with_blobs();
    let w = tmp.path();
    refused(
        w,
        &[
            "train", "--data", "blobs.csv", "--target", "kind", "-q", "--save", "nope/m.h5",
            "--plot", "x.txt", "--report", "gone/r.json",
        ],
        "3 outputs cannot be written: --save: nope/m.h5: cannot write: the directory nope does not exist; create it first; and --plot: cannot write x.txt: unsupported picture format (supported extensions: .png, .svg); and --report: gone/r.json: cannot write: the directory gone does not exist; create it first",
    );
}
