//! A scratch Python environment with numpy and h5py, for the tests that open a model
//! file with h5py and for the numpy side of the benchmarks, and with onnx, onnxruntime and
//! safetensors, for the test that reads `dnn export`'s files with them. It lives in `target/py-venv`
//! (build output, never committed) and is created on first use.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::setup::{install_with_apt, on_path, succeeds};

/// The packages the venv must provide.
const PACKAGES: [&str; 5] = ["numpy", "h5py", "onnx", "onnxruntime", "safetensors"];
/// The modules that show the packages are there.
const IMPORTS: &str = "import numpy, h5py, onnx, onnxruntime, safetensors";

/// Returns the venv's python, creating the venv and installing [`PACKAGES`] when needed.
/// On Debian/Ubuntu without `python3 -m venv`, installs `python3-venv` with apt first.
pub fn ensure_venv(root: &Path) -> Result<PathBuf> {
    let venv = crate::run::target_dir(root).join("py-venv");
    let python = venv.join("bin").join("python");
    if succeeds(&python.to_string_lossy(), &["-c", IMPORTS]) {
        println!(
            "python: {} has {}; nothing to do.",
            venv.display(),
            PACKAGES.join(", ")
        );
        return Ok(python);
    }
    if !python.is_file() {
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
            .arg(&venv)
            .status()
            .context("cannot run python3 -m venv")?;
        if !status.success() {
            bail!("`python3 -m venv {}` failed ({status})", venv.display());
        }
    }
    println!(
        "python: installing {} into {}",
        PACKAGES.join(" "),
        venv.display()
    );
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(PACKAGES)
        .status()
        .with_context(|| format!("cannot run {} -m pip", python.display()))?;
    if !status.success() {
        bail!(
            "pip could not install {} into {} ({status}); is the Python package index reachable?",
            PACKAGES.join(" "),
            venv.display()
        );
    }
    Ok(python)
}
