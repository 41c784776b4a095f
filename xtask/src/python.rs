//! The project's Python environment: a venv in `target/py-venv` (build output, never committed)
//! with exactly the packages pinned in `xtask/requirements.txt`. The numpy fixture scripts
//! (`cargo xtask regen`), the test that opens a model file with h5py, the test that reads
//! `dnn export`'s files with onnx, onnxruntime and safetensors, and the numpy side of
//! `cargo xtask bench` run in it. It is created on first use and brought up to date whenever the
//! requirements file changes.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::process::{on_path, succeeds, target_dir};
use crate::setup::install_with_apt;

/// The pinned requirements, relative to the workspace root.
pub const REQUIREMENTS: &str = "xtask/requirements.txt";

/// A copy of the requirements last installed, kept inside the venv.
const INSTALLED: &str = "xtask-requirements.txt";

/// Returns the venv's python, creating the venv and installing the pinned packages when they
/// are not installed yet. On Debian/Ubuntu without `python3 -m venv`, installs `python3-venv`
/// with apt first.
pub fn ensure_venv(root: &Path) -> Result<PathBuf> {
    let requirements = root.join(REQUIREMENTS);
    let wanted = std::fs::read_to_string(&requirements)
        .with_context(|| format!("cannot read {}", requirements.display()))?;
    let venv = target_dir(root).join("py-venv");
    let python = venv.join("bin").join("python");
    let installed = venv.join(INSTALLED);
    if std::fs::read_to_string(&installed).ok().as_deref() == Some(wanted.as_str())
        && succeeds(
            &python.to_string_lossy(),
            &[
                "-c",
                "import numpy, h5py, sklearn, onnx, onnxruntime, safetensors",
            ],
        )
    {
        println!(
            "python: {} has the packages of {REQUIREMENTS}; nothing to do.",
            venv.display()
        );
        return Ok(python);
    }
    if !python.is_file() {
        create_venv(&venv)?;
    }
    println!(
        "python: installing {REQUIREMENTS} ({}) into {}",
        pins(&wanted).join(" "),
        venv.display()
    );
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements)
        .status()
        .with_context(|| format!("cannot run {} -m pip", python.display()))?;
    if !status.success() {
        bail!(
            "pip could not install {} into {} ({status}); is the Python package index reachable?",
            requirements.display(),
            venv.display()
        );
    }
    std::fs::write(&installed, &wanted)
        .with_context(|| format!("cannot write {}", installed.display()))?;
    Ok(python)
}

/// `python3 -m venv <venv>`, installing python3-venv with apt first where it is missing.
fn create_venv(venv: &Path) -> Result<()> {
    let base = if on_path("python3") {
        "python3"
    } else {
        "python"
    };
    if !succeeds(base, &["-c", "import venv, ensurepip"]) {
        if Path::new("/etc/debian_version").exists() && on_path("apt-get") {
            println!("python: {base} cannot make a venv; installing python3 and python3-venv");
            install_with_apt(&["python3", "python3-venv"])?;
        } else {
            bail!("no Python 3 with the venv module was found; install Python 3 (with venv) and run again");
        }
    }
    println!("python: creating {}", venv.display());
    let status = Command::new(if on_path("python3") { "python3" } else { base })
        .args(["-m", "venv"])
        .arg(venv)
        .status()
        .context("cannot run python3 -m venv")?;
    if !status.success() {
        bail!("`python3 -m venv {}` failed ({status})", venv.display());
    }
    Ok(())
}

/// The `name==version` lines of a requirements file (comments and blank lines left out).
fn pins(requirements: &str) -> Vec<&str> {
    requirements
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version range would let pip install a numpy that regenerates different fixtures.
    #[test]
    fn every_requirement_is_pinned_to_one_version() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("root");
        let text = std::fs::read_to_string(root.join(REQUIREMENTS)).expect("requirements");
        let pins = pins(&text);
        for name in ["numpy", "h5py", "scikit-learn", "threadpoolctl"] {
            assert!(
                pins.iter().any(|p| p.starts_with(&format!("{name}=="))),
                "{name} is not pinned: {pins:?}"
            );
        }
        for pin in &pins {
            let (name, version) = pin.split_once("==").unwrap_or(("", ""));
            assert!(
                !name.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.'),
                "`{pin}` is not of the form name==1.2.3"
            );
        }
    }
}
