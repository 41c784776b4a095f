//! `cargo xtask`: project automation for the `dnn` workspace.
//!
//! ```text
//! cargo xtask setup        # find (or install) OpenBLAS and HDF5
//! cargo xtask fetch-data   # put the cat/non-cat .h5 files in data/, SHA-256 verified
//! cargo xtask test         # setup, fetch-data, cargo test --workspace, repro, summary
//! cargo xtask demo         # train and evaluate the published L-layer model
//! cargo xtask repro        # check dnn against the numpy reference numbers
//! cargo xtask bench        # time dnn train against the numpy reference, side by side
//! cargo xtask bench --suite minibatch   # dnn against PyTorch and numpy on mini-batch workloads
//! ```
//!
//! This crate depends on no other workspace crate and only on pure-Rust crates, so it builds on
//! a machine that has neither OpenBLAS nor HDF5 yet.

mod bench;
mod bench_minibatch;
mod fetch;
mod python;
mod repro;
mod run;
mod setup;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

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
    /// Setup, fetch-data, `cargo test --workspace`, the repro checks, then a timed summary.
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
    /// Time dnn against its references (whole processes, alternating runs): wall, peak memory, GFLOP/s.
    /// `--suite cat` (default): `dnn train` against the numpy exercise on the published run;
    /// `--suite minibatch`: dnn against PyTorch and numpy on mini-batch Adam workloads.
    Bench(BenchArgs),
}

#[derive(Args, Debug, Clone)]
struct BenchArgs {
    /// Which comparison: `cat` (the published run against the numpy exercise) or `minibatch`
    /// (mini-batch Adam workloads against PyTorch and numpy).
    #[arg(long, default_value = "cat", value_parser = ["cat", "minibatch"])]
    suite: String,
    /// With `--suite minibatch`: only this workload (repeatable): cat, mnist.
    #[arg(long = "workload", value_name = "NAME")]
    workloads: Vec<String>,
    /// Alternating runs per program and dtype (the table shows medians).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Use this dnn binary instead of building target/release/dnn.
    #[arg(long, value_name = "PATH")]
    dnn: Option<PathBuf>,
    /// A Python with numpy and h5py (default: the scratch venv, created if missing).
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// Element types to compare (repeatable): f64, f32.
    #[arg(long = "dtype", value_name = "TYPE", default_values_t = ["f64".to_string(), "f32".to_string()])]
    dtypes: Vec<String>,
}

/// Where the data files come from.
#[derive(Args, Debug, Clone, Default)]
pub struct FetchArgs {
    /// A directory holding the files, or an http(s) URL base; tried first.
    /// Defaults to the DNN_DATA_MIRROR environment variable.
    #[arg(long, value_name = "DIR|URL")]
    mirror: Option<String>,
    /// Another URL base to try (as <URL>/<file>) before the built-in public URLs.
    #[arg(long, value_name = "URL")]
    url_base: Vec<String>,
    /// Fetch again even if valid files are already there.
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug, Clone)]
struct ReproArgs {
    /// The expected-results file.
    #[arg(long, value_name = "FILE")]
    expected: Option<PathBuf>,
    /// Use this dnn binary instead of building target/release/dnn.
    #[arg(long, value_name = "PATH")]
    dnn: Option<PathBuf>,
    /// Check only this set-up (repeatable), e.g. --only deep.
    #[arg(long, value_name = "NAME")]
    only: Vec<String>,
}

impl ReproArgs {
    fn options(&self, root: &Path) -> repro::Options {
        repro::Options {
            expected: self
                .expected
                .clone()
                .unwrap_or_else(|| root.join("xtask/expected/repro.json")),
            dnn: self.dnn.clone(),
            only: self.only.clone(),
        }
    }
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .context("xtask's manifest directory has no parent; it must live in <workspace>/xtask")
}

/// The ordered sources: mirror (flag, else environment), then --url-base, then the built-ins.
fn sources(args: &FetchArgs) -> Vec<fetch::Source> {
    let mirror = args.mirror.clone().or_else(|| {
        std::env::var(fetch::MIRROR_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
    });
    let mut out: Vec<fetch::Source> = mirror.iter().map(|m| fetch::Source::parse(m)).collect();
    out.extend(
        args.url_base
            .iter()
            .map(|u| fetch::Source::UrlBase(u.clone())),
    );
    out.extend(
        fetch::BUILTIN_URL_BASES
            .iter()
            .map(|u| fetch::Source::UrlBase(u.to_string())),
    );
    out
}

/// `cargo xtask fetch-data` with these arguments, into `<root>/data`.
pub fn fetch_data(root: &Path, args: &FetchArgs) -> Result<()> {
    let data = root.join("data");
    let sums = fetch::read_sums(&data.join("SHA256SUMS"))?;
    let opts = fetch::Options {
        force: args.force,
        ..fetch::Options::default()
    };
    fetch::fetch_all(&data, &sums, &sources(args), &opts)?;
    Ok(())
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
        Cmd::FetchData(args) => fetch_data(&root, &args),
        Cmd::Test { fetch } => {
            let repro = ReproArgs {
                expected: None,
                dnn: None,
                only: Vec::new(),
            };
            run::test(&root, &fetch, &repro.options(&root))
        }
        Cmd::Demo { fetch } => run::demo(&root, &fetch),
        Cmd::Repro(args) => repro::run(&root, &args.options(&root)),
        Cmd::Bench(args) if args.suite == "minibatch" => bench_minibatch::run(
            &root,
            &bench_minibatch::Options {
                runs: args.runs,
                dtypes: args.dtypes,
                python: args.python,
                workloads: args.workloads,
            },
        ),
        Cmd::Bench(args) => bench::run(
            &root,
            &bench::Options {
                runs: args.runs,
                dnn: args.dnn,
                python: args.python,
                dtypes: args.dtypes,
            },
        ),
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

    #[test]
    fn sources_are_ordered_mirror_url_base_builtin() {
        let args = FetchArgs {
            mirror: Some("/srv/cats".into()),
            url_base: vec!["http://127.0.0.1:1/x".into()],
            force: false,
        };
        let s = sources(&args);
        assert_eq!(s[0], fetch::Source::Dir("/srv/cats".into()));
        assert_eq!(s[1], fetch::Source::UrlBase("http://127.0.0.1:1/x".into()));
        assert_eq!(
            s[2],
            fetch::Source::UrlBase(fetch::BUILTIN_URL_BASES[0].into())
        );
        assert_eq!(s.len(), 2 + fetch::BUILTIN_URL_BASES.len());
    }
}
