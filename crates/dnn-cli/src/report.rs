//! The `--report` JSON file, and the check of a run's output paths before any work.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Serialize;

use crate::model_file::same_file;
use crate::plot;

pub use dnn_report::DataReport;
/// What `dnn train --report` writes: defined once, in dnn-report, which xtask reads it with.
pub use dnn_report::TrainReport;

/// What `--report` records of the data a run trained on.
pub fn data_report<X: dnn_core::Float>(data: &dnn_data::Dataset<X>) -> DataReport {
    DataReport {
        format: data.source.format.name().to_owned(),
        path: data.source.path.display().to_string(),
        train_examples: data.train_len(),
        test_examples: data.test_len(),
        features: data.features(),
        sha256: data.source.sha256.clone(),
    }
}

/// Writes any serialisable value as pretty JSON, atomically.
pub fn write_json(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value).context("cannot encode the report")?;
    dnn_data::atomic::write_atomically(path, text.as_bytes())?;
    Ok(())
}

/// Refuses, before any work, output paths that could not be written at the end or whose
/// writing would lose something: each `(path, flag)` must be writable; the flags in
/// `pictures` must name a picture format we write; no two outputs may be one file (through
/// any spelling of the path, a symbolic or a hard link: the later write would replace the
/// earlier); and when `data` is a folder, no output may land where it is read from
/// ([`read_from`]: it would change the data a run reads, and its SHA-256).
pub fn check_outputs(
    outputs: &[(Option<&Path>, &'static str)],
    pictures: &[&'static str],
    data: Option<&Path>,
) -> anyhow::Result<()> {
    let given: Vec<(&Path, &str)> = outputs
        .iter()
        .filter_map(|(path, flag)| path.map(|p| (p, *flag)))
        .collect();
    // Every output that cannot be written, all named at once: fixing one and meeting the
    // next on the following run would waste the user's time.
    let unwritable: Vec<anyhow::Error> = given
        .iter()
        .filter_map(|(path, flag)| check_output(path, flag, pictures).err())
        .collect();
    match unwritable.as_slice() {
        [] => {}
        [_] => return Err(unwritable.into_iter().next().expect("one")),
        many => bail!(
            "{} outputs cannot be written: {}",
            many.len(),
            many.iter()
                .map(|e| format!("{e:#}"))
                .collect::<Vec<_>>()
                .join("; and ")
        ),
    }
    for (i, (path, flag)) in given.iter().enumerate() {
        if let Some((earlier, other)) = given[..i].iter().find(|(e, _)| one_output(e, path)) {
            if earlier == path {
                bail!(
                    "{flag} {} is also {other}'s path: give each output its own file",
                    path.display()
                );
            }
            bail!(
                "{flag} {} is the same file as {other} {}: give each output its own file",
                path.display(),
                earlier.display()
            );
        }
    }
    let Some(folder) = data.filter(|d| d.is_dir()) else {
        return Ok(());
    };
    let Ok(inside) = folder.canonicalize() else {
        return Ok(());
    };
    for (path, flag) in &given {
        if landing(path).is_some_and(|p| read_from(&inside, &p)) {
            bail!(
                "{flag} {} is where dnn reads the data folder {} from (its subfolders, its \
                 train_*.h5 and test_*.h5): writing it would change the data (and its \
                 SHA-256); give another path",
                path.display(),
                folder.display()
            );
        }
    }
    Ok(())
}

/// Whether the output `path` of `flag` can be written at the end: its folder takes a new
/// file ([`dnn_data::atomic::ensure_writable`]), a picture flag (`pictures`) names a format we
/// draw, and `--save` names no export format ([`check_model_name`]).
fn check_output(path: &Path, flag: &'static str, pictures: &[&'static str]) -> anyhow::Result<()> {
    dnn_data::atomic::ensure_writable(path).context(flag)?;
    if pictures.contains(&flag) {
        plot::check_extension(path).context(flag)?;
    }
    if flag == "--save" {
        check_model_name(path)?;
    }
    Ok(())
}

/// Refuses a `--save` path named for a format that `dnn train` does not write: its model is
/// HDF5, and an `.onnx` or `.safetensors` file of HDF5 would be read (by onnxruntime, by
/// PyTorch, by dnn itself) as that format, and fail there, or replace a real export.
fn check_model_name(path: &Path) -> anyhow::Result<()> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if let Some(format @ ("onnx" | "safetensors")) = ext.as_deref() {
        let stem = path.with_extension("h5");
        bail!(
            "--save {} is named .{format}, but dnn train saves its model as HDF5: save it as \
             {} and write the {} file with `dnn export --model {} --format {format} --output {}`",
            path.display(),
            stem.display(),
            if format == "onnx" {
                "ONNX"
            } else {
                "safetensors"
            },
            stem.display(),
            path.display()
        );
    }
    Ok(())
}

/// Whether a file at `path` is among what a data folder `folder` (both absolute) is read
/// from: anything in its subfolders (an image folder's class folders, its `train/` and
/// `test/`), and a course set's `train_*.h5` and `test_*.h5`. A file beside those, such as
/// `--data . --save model.h5`, is not read: an image folder skips it, a course set ignores it.
fn read_from(folder: &Path, path: &Path) -> bool {
    let Ok(rest) = path.strip_prefix(folder) else {
        return false;
    };
    let mut parts = rest.components();
    match (parts.next(), parts.next()) {
        (Some(name), None) => {
            let name = name.as_os_str().to_string_lossy();
            (name.starts_with("train_") || name.starts_with("test_")) && name.ends_with(".h5")
        }
        (Some(_), Some(_)) => true,
        (None, _) => false,
    }
}

/// Whether writing `a` and then `b` would write one file twice: the same existing file
/// ([`same_file`]), or the same place for a new one ([`landing`]). A device or pipe
/// (`/dev/null`) is written to in place, not replaced, so it may be given twice.
fn one_output(a: &Path, b: &Path) -> bool {
    let device = |p: &Path| std::fs::metadata(p).is_ok_and(|m| !m.is_file());
    if device(a) || device(b) {
        return false;
    }
    same_file(a, b) || matches!((landing(a), landing(b)), (Some(a), Some(b)) if a == b)
}

/// The absolute path a write to `path` lands on: symbolic links followed as
/// `dnn_data::atomic::write_atomically` follows them ([`dnn_data::atomic::resolve_link`]: a
/// dangling link's target is created), then the directory canonicalised, so `./m.h5`, `dir/../m.h5` and a linked folder all
/// give one path. `None` when the directory does not exist or `path` names no file.
fn landing(path: &Path) -> Option<PathBuf> {
    let path = dnn_data::atomic::resolve_link(path).ok()?;
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(dir.canonicalize().ok()?.join(name))
}
