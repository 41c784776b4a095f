//! `cargo xtask fetch-data`: puts the cat/non-cat HDF5 files in `data/`, verified by SHA-256.
//!
//! The logic is independent of the real `data/` directory and of the internet: [`fetch_all`]
//! takes a destination directory, the expected checksums and an ordered list of [`Source`]s, so
//! tests can point it at a temporary directory and a server on 127.0.0.1.
//!
//! Every file is written to a temporary file beside its final name, hashed while it is written,
//! and renamed into place only once its SHA-256 matches. A failed, truncated or corrupted
//! download therefore leaves nothing behind, and the next source is tried.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

/// The environment variable that names a mirror (a directory, or an http(s) URL base).
pub const MIRROR_ENV: &str = "DNN_DATA_MIRROR";

/// Public URL bases that hold the two files, tried in this order after any mirror or
/// `--url-base`. A file's URL is `<base>/<file name>`.
pub const BUILTIN_URL_BASES: &[&str] =
    &["https://raw.githubusercontent.com/Hiren2002/Logistic-Regression/main/datasets"];

/// Where the data files come from (the flags of `cargo xtask fetch-data`, also taken by
/// `test` and `demo`).
#[derive(Args, Debug, Clone, Default)]
pub struct FetchArgs {
    /// A directory holding the files, or an http(s) URL base; tried first.
    /// Defaults to the DNN_DATA_MIRROR environment variable.
    #[arg(long, value_name = "DIR|URL")]
    pub mirror: Option<String>,
    /// Another URL base to try (as <URL>/<file>) before the built-in public URLs.
    #[arg(long, value_name = "URL")]
    pub url_base: Vec<String>,
    /// Fetch again even if valid files are already there.
    #[arg(long)]
    pub force: bool,
}

/// `cargo xtask fetch-data` with these arguments, into `<root>/data`.
pub fn run(root: &Path, args: &FetchArgs) -> Result<()> {
    let data = root.join("data");
    let sums = read_sums(&data.join("SHA256SUMS"))?;
    let opts = Options {
        force: args.force,
        ..Options::default()
    };
    fetch_all(&data, &sums, &sources(args), &opts)?;
    Ok(())
}

/// The ordered sources: mirror (flag, else environment), then --url-base, then the built-ins.
pub fn sources(args: &FetchArgs) -> Vec<Source> {
    let mirror = args.mirror.clone().or_else(|| {
        std::env::var(MIRROR_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
    });
    let mut out: Vec<Source> = mirror.iter().map(|m| Source::parse(m)).collect();
    out.extend(args.url_base.iter().map(|u| Source::UrlBase(u.clone())));
    out.extend(
        BUILTIN_URL_BASES
            .iter()
            .map(|u| Source::UrlBase(u.to_string())),
    );
    out
}

/// Where a data file can come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A local directory that holds the files under their own names.
    Dir(PathBuf),
    /// An http(s) URL base; the file is fetched from `<base>/<file name>`.
    UrlBase(String),
}

impl Source {
    /// Interprets a `--mirror` / `DNN_DATA_MIRROR` value: `http://` and `https://` values are URL
    /// bases, `file://` values and everything else are directories.
    pub fn parse(value: &str) -> Source {
        let lower = value.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Source::UrlBase(value.to_string())
        } else if let Some(path) = value.strip_prefix("file://") {
            Source::Dir(PathBuf::from(path))
        } else {
            Source::Dir(PathBuf::from(value))
        }
    }

    /// The full location of `file` in this source (a path or a URL), for messages.
    pub fn location(&self, file: &str) -> String {
        match self {
            Source::Dir(dir) => dir.join(file).display().to_string(),
            Source::UrlBase(base) => format!("{}/{}", base.trim_end_matches('/'), file),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Dir(dir) => write!(f, "directory {}", dir.display()),
            Source::UrlBase(base) => write!(f, "{base}"),
        }
    }
}

/// One expected file: its name and its SHA-256 (lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// File name inside the destination directory.
    pub name: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// Parses a `sha256sum`-style file: `<64 hex digits>  <name>` per line (a `*` before the name,
/// for binary mode, is accepted). Blank lines and `#` comments are ignored.
pub fn parse_sums(text: &str) -> Result<Vec<Expected>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (hash, name) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| anyhow!("line {}: expected `<sha256>  <file name>`", i + 1))?;
        let name = name.trim_start().trim_start_matches('*');
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            bail!("line {}: `{hash}` is not a SHA-256 (64 hex digits)", i + 1);
        }
        if name.is_empty() || name.contains('/') || name.contains('\\') {
            bail!("line {}: `{name}` is not a plain file name", i + 1);
        }
        out.push(Expected {
            name: name.to_string(),
            sha256: hash.to_ascii_lowercase(),
        });
    }
    if out.is_empty() {
        bail!("no checksums found");
    }
    Ok(out)
}

/// Reads and parses a `SHA256SUMS` file.
pub fn read_sums(path: &Path) -> Result<Vec<Expected>> {
    let text = fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the checksum file {} (it is committed with the repository)",
            path.display()
        )
    })?;
    parse_sums(&text).with_context(|| format!("in {}", path.display()))
}

/// How to fetch.
#[derive(Debug, Clone)]
pub struct Options {
    /// Fetch again even when a valid file is already there.
    pub force: bool,
    /// Show a progress bar (only ever drawn when standard error is a terminal).
    pub progress: bool,
    /// Time allowed to open a TCP connection.
    pub connect_timeout: Duration,
    /// Time allowed for one whole request, body included.
    pub overall_timeout: Duration,
    /// Honour `http_proxy`/`https_proxy`/`NO_PROXY` from the environment.
    pub use_env_proxy: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            force: false,
            progress: true,
            connect_timeout: Duration::from_secs(10),
            overall_timeout: Duration::from_secs(180),
            use_env_proxy: true,
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The file was already there with the right checksum; nothing was fetched.
    AlreadyValid,
    /// The file was fetched from this location (path or URL).
    Fetched(String),
}

/// Makes sure every file of `sums` is in `dest` with the right SHA-256, trying `sources` in
/// order for each missing (or, with `force`, every) file. Prints one line per file.
///
/// Stops at the first file that no source could deliver, with an error that lists each source
/// tried and why it failed, and says how to use a mirror.
pub fn fetch_all(
    dest: &Path,
    sums: &[Expected],
    sources: &[Source],
    opts: &Options,
) -> Result<Vec<(String, Outcome)>> {
    fs::create_dir_all(dest)
        .with_context(|| format!("cannot create the data directory {}", dest.display()))?;
    let agent = make_agent(opts);
    let mut results = Vec::new();
    for exp in sums {
        let target = dest.join(&exp.name);
        if target.exists() {
            let actual = sha256_of_file(&target)?;
            if actual == exp.sha256 && !opts.force {
                println!(
                    "{}: already present and valid, not fetched again (use --force to refetch)",
                    exp.name
                );
                results.push((exp.name.clone(), Outcome::AlreadyValid));
                continue;
            }
            if actual != exp.sha256 {
                println!(
                    "{}: present but its SHA-256 does not match SHA256SUMS; fetching it again",
                    exp.name
                );
            }
        }
        let from = fetch_one(&agent, dest, exp, sources, opts)?;
        println!("{}: fetched from {from} (SHA-256 verified)", exp.name);
        results.push((exp.name.clone(), Outcome::Fetched(from)));
    }
    Ok(results)
}

/// Builds the HTTP agent: bounded connect and overall timeouts so an offline machine fails fast.
fn make_agent(opts: &Options) -> ureq::Agent {
    let mut builder = ureq::Agent::config_builder()
        .timeout_connect(Some(opts.connect_timeout))
        .timeout_global(Some(opts.overall_timeout))
        .user_agent(concat!("dnn-xtask/", env!("CARGO_PKG_VERSION")));
    if !opts.use_env_proxy {
        builder = builder.proxy(None);
    }
    builder.build().new_agent()
}

/// Tries each source in turn for one file; returns the location it came from.
fn fetch_one(
    agent: &ureq::Agent,
    dest: &Path,
    exp: &Expected,
    sources: &[Source],
    opts: &Options,
) -> Result<String> {
    let mut failures = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let location = source.location(&exp.name);
        match fetch_from(agent, dest, exp, source, opts) {
            Ok(()) => return Ok(location),
            Err(err) => {
                // The last failure is reported once, in the error below.
                if i + 1 < sources.len() {
                    println!(
                        "{}: {location} failed: {err:#}; trying the next source",
                        exp.name
                    );
                }
                failures.push(format!("  - {location}: {err:#}"));
            }
        }
    }
    if failures.is_empty() {
        failures.push("  (no source was given)".to_string());
    }
    bail!(
        "could not get {name} from any source:\n{list}\n\
         No partial file was left in {dest}. If this machine is offline or these sources are \
         unreachable, point xtask at a copy of the files:\n  \
         cargo xtask fetch-data --mirror DIR_OR_URL   (or set {MIRROR_ENV}=DIR_OR_URL)\n\
         where DIR_OR_URL is a directory holding {name}, or an http(s) URL base under which it is.",
        name = exp.name,
        list = failures.join("\n"),
        dest = dest.display(),
    )
}

/// Copies or downloads one file from one source into a temporary file in `dest`, checks its
/// SHA-256, then renames it into place. On any error the temporary file is removed.
fn fetch_from(
    agent: &ureq::Agent,
    dest: &Path,
    exp: &Expected,
    source: &Source,
    opts: &Options,
) -> Result<()> {
    // `<name>.tmp-XXXXXX` matches the `*.h5.tmp*` rule of .gitignore; the file is deleted when
    // `tmp` is dropped unless it is persisted below.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{}.tmp-", exp.name))
        .tempfile_in(dest)
        .with_context(|| format!("cannot create a temporary file in {}", dest.display()))?;
    let (written, hash) = match source {
        Source::Dir(dir) => {
            let path = dir.join(&exp.name);
            let file =
                File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
            let len = file.metadata().ok().map(|m| m.len());
            copy_hashing(file, tmp.as_file_mut(), len, &exp.name, opts.progress)
                .with_context(|| format!("copying {}", path.display()))?
        }
        Source::UrlBase(_) => {
            let url = source.location(&exp.name);
            let response = agent.get(&url).call().map_err(describe_http_error)?;
            let len = response.body().content_length();
            let reader = response.into_body().into_reader();
            let (written, hash) =
                copy_hashing(reader, tmp.as_file_mut(), len, &exp.name, opts.progress)
                    .context("download interrupted")?;
            if let Some(len) = len {
                if written != len {
                    bail!("truncated download: got {written} of {len} bytes");
                }
            }
            (written, hash)
        }
    };
    if hash != exp.sha256 {
        bail!(
            "checksum mismatch ({written} bytes): SHA-256 is {hash}, SHA256SUMS expects {} — \
             the file is corrupted or not the expected data set; it was discarded",
            exp.sha256
        );
    }
    tmp.as_file()
        .sync_all()
        .context("cannot flush the downloaded file to disk")?;
    let target = dest.join(&exp.name);
    tmp.persist(&target)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot move the verified file to {}", target.display()))?;
    Ok(())
}

/// Turns a ureq error into a short human explanation.
fn describe_http_error(err: ureq::Error) -> anyhow::Error {
    match err {
        ureq::Error::StatusCode(code) => anyhow!("HTTP status {code}"),
        ureq::Error::Timeout(what) => anyhow!("timed out ({what})"),
        ureq::Error::HostNotFound => anyhow!("host not found (no DNS: offline?)"),
        ureq::Error::Io(e) => anyhow!("connection failed: {e}"),
        other => anyhow!("{other}"),
    }
}

/// Copies `reader` into `out`, hashing on the way; returns the byte count and the hex SHA-256.
fn copy_hashing(
    mut reader: impl Read,
    out: &mut File,
    len: Option<u64>,
    label: &str,
    progress: bool,
) -> Result<(u64, String)> {
    let bar = progress_bar(len, label, progress);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                if let Some(bar) = &bar {
                    bar.abandon();
                }
                return Err(match len {
                    Some(len) => anyhow!(
                        "truncated: the transfer stopped after {written} of {len} bytes ({e})"
                    ),
                    None => anyhow!("the transfer stopped after {written} bytes ({e})"),
                });
            }
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])
            .context("cannot write the temporary file")?;
        written += n as u64;
        if let Some(bar) = &bar {
            bar.set_position(written);
        }
    }
    out.flush().context("cannot write the temporary file")?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok((written, hex(&hasher.finalize())))
}

/// A progress bar on standard error, only when asked for and standard error is a terminal.
fn progress_bar(len: Option<u64>, label: &str, wanted: bool) -> Option<ProgressBar> {
    use std::io::IsTerminal;
    if !wanted || !io::stderr().is_terminal() {
        return None;
    }
    let bar = match len {
        Some(len) => ProgressBar::new(len),
        None => ProgressBar::new_spinner(),
    };
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(label.to_string());
    Some(bar)
}

/// SHA-256 of a file on disk, as lower-case hex.
pub fn sha256_of_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex of some bytes.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
