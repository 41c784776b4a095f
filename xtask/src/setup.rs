//! `cargo xtask setup`: makes sure the system libraries the workspace links against are there,
//! and the browser its `dnn serve` browser test drives.
//!
//! OpenBLAS and HDF5 are found through pkg-config (`openblas`; `hdf5` or Debian's
//! `hdf5-serial`). A missing pkg-config counts as OpenBLAS and HDF5 missing. Chromium and
//! ChromeDriver are found on PATH or in /usr/bin (Debian's `chromium`, `chromium-driver`).
//! On Debian/Ubuntu the missing packages are installed with apt-get (through sudo when not
//! root); elsewhere the exact packages to install are printed and the command fails.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::process::{on_path, succeeds};

/// The Debian/Ubuntu packages that provide everything.
pub const DEBIAN_PACKAGES: [&str; 3] = ["libopenblas-dev", "libhdf5-dev", "pkg-config"];
/// Debian's headless browser and its WebDriver, for the browser test of `dnn serve`.
pub const BROWSER_PACKAGES: [&str; 2] = ["chromium", "chromium-driver"];

/// What pkg-config reports on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// `pkg-config` runs.
    pub pkg_config: bool,
    /// `pkg-config --exists openblas` succeeds.
    pub openblas: bool,
    /// The pkg-config name under which HDF5 was found (`hdf5` or `hdf5-serial`), if any.
    pub hdf5: Option<String>,
    /// `chromium` and `chromedriver` are on PATH or in /usr/bin.
    pub browser: bool,
}

impl Status {
    /// Looks at the machine.
    pub fn detect() -> Status {
        let pkg_config = succeeds("pkg-config", &["--version"]);
        let browser = ["chromium", "chromedriver"]
            .iter()
            .all(|p| on_path(p) || Path::new("/usr/bin").join(p).is_file());
        if !pkg_config {
            return Status {
                pkg_config,
                openblas: false,
                hdf5: None,
                browser,
            };
        }
        let openblas = succeeds("pkg-config", &["--exists", "openblas"]);
        let hdf5 = ["hdf5", "hdf5-serial"]
            .into_iter()
            .find(|name| succeeds("pkg-config", &["--exists", name]))
            .map(str::to_string);
        Status {
            pkg_config,
            openblas,
            hdf5,
            browser,
        }
    }

    /// Debian packages to install for what is missing (all three when pkg-config itself is
    /// missing, since nothing else can then be checked).
    pub fn missing_packages(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if !self.pkg_config {
            out.extend(DEBIAN_PACKAGES);
        } else {
            if !self.openblas {
                out.push("libopenblas-dev");
            }
            if self.hdf5.is_none() {
                out.push("libhdf5-dev");
            }
        }
        if !self.browser {
            out.extend(BROWSER_PACKAGES);
        }
        out
    }

    /// One human line per missing piece.
    fn describe_missing(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.browser {
            out.push(
                "Chromium or ChromeDriver not found (the browser test of `dnn serve` drives them)"
                    .into(),
            );
        }
        if !self.pkg_config {
            out.push("pkg-config is not installed (so OpenBLAS and HDF5 cannot be found)".into());
            return out;
        }
        if !self.openblas {
            out.push("OpenBLAS not found (`pkg-config --exists openblas` fails)".into());
        }
        if self.hdf5.is_none() {
            out.push(
                "HDF5 not found (neither `hdf5` nor `hdf5-serial` is known to pkg-config)".into(),
            );
        }
        out
    }
}

/// Runs the setup. With `check_only`, reports what is missing and fails instead of installing.
pub fn run(check_only: bool) -> Result<()> {
    let status = Status::detect();
    let packages = status.missing_packages();
    if packages.is_empty() {
        println!(
            "setup: OpenBLAS and HDF5 ({}) found through pkg-config, Chromium and ChromeDriver \
             found; nothing to do.",
            status.hdf5.as_deref().unwrap_or("hdf5")
        );
        return Ok(());
    }
    for line in status.describe_missing() {
        println!("setup: {line}");
    }
    install(&packages, check_only, "`cargo xtask setup`")?;
    let after = Status::detect();
    if !after.missing_packages().is_empty() {
        bail!(
            "installed {} but pkg-config still does not find everything: {}. \
             Check `pkg-config --list-all | grep -i -E 'hdf5|blas'`.",
            packages.join(" "),
            after.describe_missing().join("; ")
        );
    }
    println!(
        "setup: installed {}; OpenBLAS, HDF5, Chromium and ChromeDriver are now found.",
        packages.join(" ")
    );
    Ok(())
}

/// Makes sure OpenBLAS and HDF5 are there, installing only them (not the browser) when they
/// are not: what building the workspace needs, for commands such as `cargo xtask bench`
/// that build it without running the tests. Without them the build fails deep in
/// `hdf5-sys`'s build script with "Unable to locate HDF5 root directory".
pub fn libraries() -> Result<()> {
    let status = Status::detect();
    let packages: Vec<&str> = status
        .missing_packages()
        .into_iter()
        .filter(|p| !BROWSER_PACKAGES.contains(p))
        .collect();
    if packages.is_empty() {
        return Ok(());
    }
    println!("setup: building needs {}", packages.join(" "));
    install(&packages, false, "the command")
}

/// Installs `packages` with apt-get on Debian and its derivatives; elsewhere, or with
/// `check_only`, fails with the install commands, telling the user to run `again` after.
fn install(packages: &[&str], check_only: bool, again: &str) -> Result<()> {
    let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let debian_like = is_debian_like(&os_release) || Path::new("/etc/debian_version").exists();
    if check_only || !debian_like || !on_path("apt-get") {
        bail!(
            "missing system packages. Install them, then run {again} again:\n{}",
            install_hints(packages)
        );
    }
    install_with_apt(packages)
}

/// The exact install commands for the usual systems.
fn install_hints(debian_packages: &[&str]) -> String {
    format!(
        "  Debian/Ubuntu:  sudo apt-get install -y {}\n  \
         Fedora/RHEL:    sudo dnf install openblas-devel hdf5-devel pkgconf-pkg-config\n  \
         Arch:           sudo pacman -S openblas hdf5 pkgconf\n  \
         macOS:          brew install openblas hdf5 pkg-config\n  \
         (on macOS also export PKG_CONFIG_PATH=\"$(brew --prefix openblas)/lib/pkgconfig\")",
        debian_packages.join(" ")
    )
}

/// Installs `packages` with apt-get, non-interactively; runs `apt-get update` first only when
/// the install fails without it.
pub(crate) fn install_with_apt(packages: &[&str]) -> Result<()> {
    let root = is_root();
    if !root && !on_path("sudo") {
        bail!(
            "not root and sudo is not available: run as root\n  \
             DEBIAN_FRONTEND=noninteractive apt-get install -y {}",
            packages.join(" ")
        );
    }
    let mut install = vec!["install", "-y"];
    install.extend_from_slice(packages);
    if apt(root, &install)? {
        return Ok(());
    }
    println!("setup: apt-get install failed; running apt-get update and trying again");
    if !apt(root, &["update"])? {
        bail!("`apt-get update` failed (see its output above); is the network or the apt proxy reachable?");
    }
    if !apt(root, &install)? {
        bail!(
            "`apt-get install -y {}` failed (see its output above)",
            packages.join(" ")
        );
    }
    Ok(())
}

/// Runs apt-get with DEBIAN_FRONTEND=noninteractive, through sudo when not root; returns
/// whether it succeeded.
fn apt(root: bool, args: &[&str]) -> Result<bool> {
    let mut cmd = if root {
        let mut c = Command::new("apt-get");
        c.env("DEBIAN_FRONTEND", "noninteractive");
        c
    } else {
        // sudo resets the environment; pass the variable as an assignment it keeps.
        let mut c = Command::new("sudo");
        c.args(["DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        c
    };
    cmd.args(args);
    println!(
        "setup: running {}apt-get {}",
        if root { "" } else { "sudo " },
        args.join(" ")
    );
    let status = cmd
        .status()
        .with_context(|| format!("cannot run apt-get {}", args.join(" ")))?;
    Ok(status.success())
}

/// Whether /etc/os-release describes Debian, Ubuntu or a derivative.
pub fn is_debian_like(os_release: &str) -> bool {
    os_release.lines().any(|line| {
        let Some((key, value)) = line.split_once('=') else {
            return false;
        };
        (key == "ID" || key == "ID_LIKE")
            && value
                .trim_matches('"')
                .split_whitespace()
                .any(|id| id == "debian" || id == "ubuntu")
    })
}

/// Whether the current user is root (`id -u` prints 0).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_pkg_config_means_all_three_packages() {
        let s = Status {
            pkg_config: false,
            openblas: false,
            hdf5: None,
            browser: true,
        };
        assert_eq!(s.missing_packages(), DEBIAN_PACKAGES.to_vec());
    }

    #[test]
    fn only_missing_libraries_are_installed() {
        let s = Status {
            pkg_config: true,
            openblas: true,
            hdf5: None,
            browser: true,
        };
        assert_eq!(s.missing_packages(), vec!["libhdf5-dev"]);
        let s = Status {
            pkg_config: true,
            openblas: false,
            hdf5: Some("hdf5-serial".into()),
            browser: true,
        };
        assert_eq!(s.missing_packages(), vec!["libopenblas-dev"]);
        let s = Status {
            pkg_config: true,
            openblas: true,
            hdf5: Some("hdf5".into()),
            browser: true,
        };
        assert!(s.missing_packages().is_empty());
        let s = Status {
            pkg_config: true,
            openblas: true,
            hdf5: Some("hdf5".into()),
            browser: false,
        };
        assert_eq!(s.missing_packages(), vec!["chromium", "chromium-driver"]);
    }

    #[test]
    fn debian_family_is_recognised() {
        assert!(is_debian_like("NAME=\"Debian GNU/Linux\"\nID=debian\n"));
        assert!(is_debian_like("ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n"));
        assert!(is_debian_like("ID=ubuntu\n"));
        assert!(!is_debian_like("ID=fedora\nID_LIKE=\"rhel centos\"\n"));
        assert!(!is_debian_like(""));
    }

    #[test]
    fn hints_name_the_exact_packages() {
        let h = install_hints(&DEBIAN_PACKAGES);
        assert!(h.contains("apt-get install -y libopenblas-dev libhdf5-dev pkg-config"));
        assert!(h.contains("brew install openblas hdf5 pkg-config"));
    }
}
