//! `cargo xtask`: project automation for the `dnn` workspace.
//!
//! ```text
//! cargo xtask setup          # find (or install) OpenBLAS and HDF5
//! cargo xtask fetch-data     # put the cat/non-cat .h5 files in data/, SHA-256 verified
//! cargo xtask test           # setup, fetch-data, venv, regen --check, cargo test, repro, summary
//! cargo xtask demo           # train and evaluate the published L-layer model
//! cargo xtask repro          # check dnn against the numpy reference numbers
//! cargo xtask regen [--check]  # regenerate the numpy fixtures (--check: fail on any difference)
//! cargo xtask bench          # time dnn train against the numpy reference, side by side
//! cargo xtask bench --suite load  # time loading an image folder and a CSV table, peak memory
//! cargo xtask bench --suite minibatch  # dnn against PyTorch and numpy on mini-batch workloads
//! cargo xtask bench --suite pairs --base PATH  # this engine against another build, in pairs
//! ```
//!
//! This crate depends on no crate that links a system library (of the workspace, only on the
//! serde-only `dnn-report`), so it builds on a machine that has neither OpenBLAS nor HDF5 yet.
//!
//! # Layers
//!
//! Each module uses only modules of the layers below it (and never `main`):
//!
//! ```text
//! main                      the command line; dispatch only
//! test, demo                orchestration: run the commands below in order
//! repro, bench, regen       commands that run dnn or the Python scripts
//! python                    the venv of xtask/requirements.txt
//! setup, fetch              system libraries; the data files
//! process                   running programs: cargo, dnn, checked commands
//! ```
//!
//! (`repro` and `bench` also read dnn's report files through the `dnn-report` crate.) So:
//!
//! ```text
//! test    -> setup, fetch, python, regen, repro, process
//! demo    -> setup, fetch, process
//! repro   -> process                    (repro/: expected, cat, planar, toy, table)
//! bench   -> fetch, python, process     (bench/: load, minibatch)
//! regen   -> fetch, python, process     (regen/: diff, side_by_side)
//! python  -> setup, process
//! setup   -> process
//! fetch, process -> nothing
//! ```

mod bench;
mod demo;
mod fetch;
mod process;
mod python;
mod regen;
mod repro;
mod setup;
mod test;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::bench::BenchArgs;
use crate::fetch::FetchArgs;
use crate::repro::ReproArgs;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Automation for the dnn workspace",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Check for OpenBLAS and HDF5 (pkg-config); install them on Debian/Ubuntu when missing.
    Setup {
        /// Only report what is missing; never install.
        #[arg(long)]
        check: bool,
    },
    /// Put train_catvnoncat.h5 and test_catvnoncat.h5 in data/, verified against data/SHA256SUMS.
    FetchData(FetchArgs),
    /// Setup, fetch-data, the Python venv, regen --check, `cargo test --workspace`, the repro checks, then a timed summary.
    Test {
        #[command(flatten)]
        fetch: FetchArgs,
    },
    /// Train the published L-layer model and evaluate it; files go to target/demo/.
    Demo {
        #[command(flatten)]
        fetch: FetchArgs,
    },
    /// Check that `dnn train` reproduces the numpy reference numbers (xtask/expected/repro.json).
    Repro(ReproArgs),
    /// Regenerate the numpy fixtures with their gen_*.py scripts, in the venv of xtask/requirements.txt.
    Regen {
        /// Regenerate into target/regen-check/ and fail, naming each file, if any byte differs from the committed fixtures.
        #[arg(long)]
        check: bool,
    },
    /// Time `dnn train` against the numpy reference (whole processes, alternating runs): wall, peak memory, GFLOP/s.
    Bench(BenchArgs),
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .context("xtask's manifest directory has no parent; it must live in <workspace>/xtask")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    let root = workspace_root()?;
    match cli.command {
        Cmd::Setup { check } => setup::run(check),
        Cmd::FetchData(args) => fetch::run(&root, &args),
        Cmd::Test { fetch } => test::run(&root, &fetch),
        Cmd::Demo { fetch } => demo::run(&root, &fetch),
        Cmd::Repro(args) => repro::run(&root, &args),
        Cmd::Regen { check } => regen::exec(&root, &regen::Options { check }),
        Cmd::Bench(args) => bench::run(&root, &args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// The layers of the module doc, top first (`main` above them all).
    const LAYERS: &[&[&str]] = &[
        &["test", "demo"],
        &["repro", "bench", "regen"],
        &["python"],
        &["setup", "fetch"],
        &["process"],
    ];

    /// The modules of the crate a source text names as `crate::x` or `crate::{x, y}`.
    fn crate_modules_used(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (at, _) in text.match_indices("crate::") {
            let rest = &text[at + "crate::".len()..];
            let names: Vec<&str> = match rest.strip_prefix('{') {
                Some(list) => list.split('}').next().unwrap_or("").split(',').collect(),
                None => vec![rest],
            };
            for name in names {
                let name: String = name
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        }
        out
    }

    #[test]
    fn each_module_uses_only_the_layers_below_it() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let layer_of = |m: &str| LAYERS.iter().position(|layer| layer.contains(&m));
        let mut checked = 0;
        for (layer, modules) in LAYERS.iter().enumerate() {
            for module in *modules {
                let mut files = vec![src.join(format!("{module}.rs"))];
                if let Ok(dir) = std::fs::read_dir(src.join(module)) {
                    files.extend(dir.map(|e| e.expect("entry").path()));
                }
                for file in files.iter().filter(|f| f.is_file()) {
                    let text = std::fs::read_to_string(file).expect("read");
                    for used in crate_modules_used(&text) {
                        if used == *module {
                            continue;
                        }
                        let below = layer_of(&used).is_some_and(|l| l > layer);
                        assert!(
                            below,
                            "{} uses crate::{used}, which is not in a layer below `{module}`",
                            file.display()
                        );
                    }
                    checked += 1;
                }
            }
        }
        // Every source file but main.rs belongs to a layer (a new module must be placed).
        let all = std::fs::read_dir(&src)
            .expect("src")
            .map(|e| e.expect("entry").path())
            .map(|p| match std::fs::read_dir(&p) {
                Ok(dir) => dir.count(),
                Err(_) => usize::from(p.extension().is_some_and(|x| x == "rs")),
            })
            .sum::<usize>();
        assert_eq!(
            checked,
            all - 1,
            "a module of src/ is in no layer of LAYERS"
        );
        assert_eq!(
            crate_modules_used("use crate::{python, regen::x};\ncrate::fetch::run()"),
            ["python", "regen", "fetch"]
        );
    }
}
