//! Generated invocations of every `dnn` subcommand: no combination of flags and values may
//! make `dnn` panic, hang, or leave files nobody asked for.
//!
//! The subcommands and their flags are read from `dnn --help` and `dnn <command> -h`, so a
//! new subcommand or flag is covered the day it exists. Each flag's values are drawn at and
//! beyond its edges (0, 1, m, m + 1, huge numbers, negatives, NaN, `inf`, empty strings,
//! every enum value, missing, broken and wrong-kind files); an unknown kind of flag gets all
//! of them. Two parts:
//! * every pair of flags of each subcommand, with ordinary values (this covers every pair of
//!   conflicting flags), and every value of every flag alone;
//! * random subsets of flags with random edge values, from a seeded generator.
//!
//! Every run is on tiny data (8x8 pictures, 20 examples; a 20-row CSV table, an image
//! folder, an npz archive, and a broken one of each), in its own directory, under a
//! 4 GiB address-space limit (so an absurd size fails fast instead of swapping), and gets
//! Ctrl-C (SIGINT) after a time limit (`dnn serve` as soon as it says it is serving). Asserted
//! for each:
//! * the exit code is 0, 1, 2 or 130 (never 101, a panic, nor a signal);
//! * no `panicked at` on stderr;
//! * a `dnn serve` that runs is serving within the time limit;
//! * a failure is exactly one `error: ` line that says what is wrong (our own errors, exit 1,
//!   and usage errors, exit 2, alike);
//! * no file is left behind or changed except the outputs the invocation asked for (and
//!   `dnn train`'s default `model.h5`).
//!
//! `DNN_INVOCATIONS=N` sets the number of random invocations (default 500),
//! `DNN_INVOCATIONS_SEED=S` the seed (default: from the clock; always printed). The long run:
//! `DNN_INVOCATIONS=20000 cargo test --release -p dnn-cli --test invocations -- --nocapture`.

#[path = "cli/common.rs"]
mod common;
#[path = "cli/fixtures.rs"]
mod fixtures;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fixtures::*;

/// Ctrl-C goes to runs still going after this long.
const TIME_LIMIT: Duration = Duration::from_secs(3);
/// ... except `dnn serve`, which runs until Ctrl-C: it gets Ctrl-C as soon as it prints
/// [`SERVING`]. One still going after this long without serving is a failure.
const SERVE_TIME_LIMIT: Duration = Duration::from_secs(3);
/// How `dnn serve` says that it is serving (the start of its first line on stdout).
const SERVING: &str = "dnn serve: http://";
/// After Ctrl-C, a run must end within this.
const STOP_LIMIT: Duration = Duration::from_secs(10);
/// Address-space limit of every run.
const MEMORY_LIMIT: u64 = 4 << 30;
/// Training examples in the tiny data set (`m` for the edges).
const M: usize = 20;

/// One flag of a subcommand, as its help describes it.
#[derive(Debug, Clone)]
struct Flag {
    /// `--name`, or `<NAME>` for a positional argument.
    name: String,
    /// The value's name (`LEARNING_RATE`), `None` for a switch.
    value: Option<String>,
    /// `[possible values: ...]`.
    possible: Vec<String>,
    positional: bool,
}

/// A subcommand and its flags.
#[derive(Debug, Clone)]
struct Subcommand {
    name: String,
    flags: Vec<Flag>,
}

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dnn"))
        .args(args)
        .output()
        .expect("run dnn --help");
    assert_eq!(out.status.code(), Some(0), "dnn {args:?}");
    String::from_utf8(out.stdout).expect("utf-8 help")
}

/// The subcommands listed by `dnn --help` (all but `help`).
fn subcommands() -> Vec<Subcommand> {
    let top = help(&["--help"]);
    let names: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|n| n != "help")
        .collect();
    assert!(names.len() >= 5, "subcommands: {names:?}");
    names
        .into_iter()
        .map(|name| Subcommand {
            flags: flags_of(&help(&[&name, "-h"])),
            name,
        })
        .collect()
}

/// Parses clap's short help: `  -q, --quiet  text`, `      --data <DATA>  text [possible
/// values: a, b]` (descriptions may continue on the next lines) and positional `<IMAGES>...`.
fn flags_of(help: &str) -> Vec<Flag> {
    let mut flags: Vec<(Flag, String)> = Vec::new();
    let mut section = "";
    for line in help.lines() {
        if !line.starts_with(' ') {
            section = if line.starts_with("Arguments:") {
                "args"
            } else if line.starts_with("Options:") {
                "options"
            } else {
                ""
            };
            continue;
        }
        let trimmed = line.trim_start();
        let (head, rest) = match trimmed.find("  ") {
            Some(i) => (&trimmed[..i], trimmed[i..].trim()),
            None => (trimmed, ""),
        };
        let starts_flag = head.starts_with("--") || head.starts_with("-") && head.contains(", --");
        let starts_arg = section == "args" && head.starts_with('<');
        if starts_flag || starts_arg {
            let long = head
                .split([',', ' '])
                .find(|p| p.starts_with("--") || p.starts_with('<'))
                .unwrap_or(head)
                .trim_end_matches("...")
                .to_owned();
            let value = if starts_arg {
                Some(long.trim_matches(['<', '>']).to_owned())
            } else {
                head.split_once('<')
                    .map(|(_, v)| v.trim_end_matches("...").trim_end_matches('>').to_owned())
            };
            flags.push((
                Flag {
                    name: long,
                    value,
                    possible: Vec::new(),
                    positional: starts_arg,
                },
                rest.to_owned(),
            ));
        } else if let Some((_, text)) = flags.last_mut() {
            text.push(' ');
            text.push_str(trimmed);
        }
    }
    flags
        .into_iter()
        .filter(|(f, _)| f.name != "--help" && f.name != "--version")
        .map(|(mut f, text)| {
            if let Some(i) = text.find("[possible values: ") {
                let list = &text[i + "[possible values: ".len()..];
                let list = &list[..list.find(']').unwrap_or(list.len())];
                f.possible = list.split(',').map(|v| v.trim().to_owned()).collect();
            }
            f
        })
        .collect()
}

/// What a flag's values mean, from its name.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Enum,
    Switch,
    Output,
    Data,
    Model,
    Inputs,
    Layers,
    SizeList,
    ClassList,
    Column,
    Count,
    Seed,
    Real,
    Unit,
    Host,
    Unknown,
}

fn kind(flag: &Flag) -> Kind {
    let name = flag.name.trim_start_matches('-').to_lowercase();
    if flag.value.is_none() {
        return Kind::Switch;
    }
    if !flag.possible.is_empty() {
        return Kind::Enum;
    }
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    match () {
        _ if has(&[
            "save",
            "plot",
            "report",
            "mislabeled",
            "output",
            "export-to",
        ]) =>
        {
            Kind::Output
        }
        _ if name == "data" => Kind::Data,
        _ if name == "host" => Kind::Host,
        _ if name == "model" => Kind::Model,
        _ if flag.positional => Kind::Inputs,
        _ if name == "layers" => Kind::Layers,
        _ if name == "classes" => Kind::ClassList,
        _ if name == "target" => Kind::Column,
        _ if has(&["sweep", "hidden"]) => Kind::SizeList,
        _ if has(&["seed"]) => Kind::Seed,
        _ if has(&["beta", "keep-prob", "factor", "split"]) => Kind::Unit,
        _ if has(&[
            "iterations",
            "epochs",
            "every",
            "batch",
            "samples",
            "interval",
            "size",
            "port",
        ]) =>
        {
            Kind::Count
        }
        _ if has(&["rate", "epsilon", "l2", "noise"]) => Kind::Real,
        _ => Kind::Unknown,
    }
}

/// Values at and beyond the edges of each kind.
fn edges(kind: Kind, flag: &Flag) -> Vec<String> {
    let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let m = M.to_string();
    let m1 = (M + 1).to_string();
    match kind {
        Kind::Switch => vec![],
        Kind::Enum => {
            let mut out = flag.possible.clone();
            out.extend(v(&["bogus", ""]));
            out
        }
        Kind::Output => v(&[
            "out.png",
            "out.svg",
            "out.json",
            "out.h5",
            "out.txt",
            "out",
            "",
            "missing/out.png",
            ".",
            "data",
            "model.h5",
            "sub/../out2.h5",
        ]),
        Kind::Data => v(&[
            "data",
            "",
            "missing",
            "model.h5",
            "broken",
            ".",
            "pic.png",
            "table.csv",
            "broken.csv",
            "pics",
            "arrays.npz",
            "broken.npz",
        ]),
        Kind::Model => v(&[
            "model.h5",
            "model2.h5",
            "model.safetensors",
            "broken.safetensors",
            "",
            "missing.h5",
            "data",
            "pic.png",
            "junk.h5",
            "data/train_catvnoncat.h5",
            "table.h5",
        ]),
        Kind::Inputs => v(&[
            "pic.png",
            "",
            "missing.png",
            "model.h5",
            "data",
            "junk.h5",
            "table.csv",
            "broken.csv",
        ]),
        Kind::Layers => v(&[
            "192,3,1",
            "192,1",
            "192,4,3,2,1",
            "192,3,2",
            "2,5,2,1",
            "2,3,1",
            "12288,20,7,5,1",
            "192,0,1",
            "192",
            "",
            "a,b",
            "192,99999999999999999999,1",
            "192,100000000000,1",
            "192, 3 ,1",
            "1,1",
        ]),
        Kind::SizeList => v(&[
            "1",
            "1,2",
            "0",
            "",
            "1,0",
            "a",
            "100000000000",
            "4294967296",
            "3,3,3",
        ]),
        Kind::ClassList => v(&[
            "non-cat,cat",
            "cat,non-cat",
            "x,y",
            "y,x",
            "x,y,z",
            "x",
            "",
            "x,,y",
            "x,x",
            "a,b",
        ]),
        Kind::Column => v(&["label", "a", "c", "", "missing", "label,a"]),
        Kind::Count => {
            let mut out = v(&[
                "0",
                "1",
                "2",
                "3",
                "4294967296",
                "18446744073709551615",
                "18446744073709551616",
                "-1",
                "NaN",
                "inf",
                "",
                "x",
                "1.5",
                "8",
            ]);
            out.extend([m, m1]);
            out
        }
        Kind::Seed => v(&["0", "1", "4294967295", "4294967296", "-1", "", "NaN", "x"]),
        Kind::Real => v(&[
            "0", "1e-300", "0.001", "0.5", "1", "20", "1e308", "1e309", "-1", "NaN", "inf", "-inf",
            "", "abc",
        ]),
        Kind::Unit => v(&[
            "0",
            "1",
            "0.5",
            "0.999",
            "1.0000001",
            "-0.1",
            "NaN",
            "inf",
            "",
        ]),
        // Never a wildcard address: a run listens on this machine's loopback only.
        Kind::Host => v(&[
            "127.0.0.1",
            "::1",
            "localhost",
            "",
            "example.org",
            "256.0.0.1",
            "127.0.0.1:80",
            "192.0.2.1",
            "-1",
        ]),
        Kind::Unknown => {
            let mut out = Vec::new();
            for k in [
                Kind::Count,
                Kind::Real,
                Kind::Output,
                Kind::Data,
                Kind::SizeList,
            ] {
                out.extend(edges(k, flag));
            }
            out
        }
    }
}

/// An ordinary value of a flag (the pairs part).
fn ordinary(kind: Kind, flag: &Flag, sub: &str) -> Option<String> {
    Some(
        match kind {
            Kind::Switch => return None,
            Kind::Enum => return flag.possible.last().cloned(),
            Kind::Output => {
                let stem = flag.name.trim_start_matches('-');
                match stem {
                    "plot" | "mislabeled" => format!("{stem}.png"),
                    "report" => "report.json".into(),
                    "output" => "out.onnx".into(),
                    _ => format!("{stem}.h5"),
                }
            }
            Kind::Data => "data".into(),
            Kind::Model => "model.h5".into(),
            Kind::Inputs => "pic.png".into(),
            Kind::Layers if sub == "toy" => "2,3,1".into(),
            Kind::Layers => "192,3,1".into(),
            Kind::SizeList => "1,2".into(),
            Kind::ClassList => "non-cat,cat".into(),
            Kind::Column => "label".into(),
            Kind::Count => "3".into(),
            Kind::Seed => "5".into(),
            Kind::Real => "0.01".into(),
            Kind::Unit => "0.5".into(),
            Kind::Host => "127.0.0.1".into(),
            Kind::Unknown => "1".into(),
        }
        .to_string(),
    )
}

/// Arguments that keep a run short and on the tiny data, unless the invocation sets them.
fn base(sub: &str) -> Vec<(&'static str, &'static str)> {
    match sub {
        "train" => vec![("--hidden", "3"), ("--iterations", "3")],
        "planar" => vec![("--iterations", "3")],
        "toy" => vec![("--epochs", "3"), ("--samples", "40")],
        "evaluate" => vec![("--model", "model.h5")],
        "export" => vec![
            ("--model", "model.h5"),
            ("--format", "onnx"),
            ("--output", "out.onnx"),
        ],
        // A free port, so that parallel runs do not compete for the default.
        "serve" => vec![("--port", "0")],
        _ => vec![],
    }
}

/// An invocation: the subcommand and its arguments, and the files it asks for.
#[derive(Debug, Clone)]
struct Invocation {
    args: Vec<String>,
    outputs: Vec<String>,
}

fn invocation(sub: &Subcommand, chosen: &[(&Flag, Option<String>)], with_base: bool) -> Invocation {
    let mut args = vec![sub.name.clone()];
    let mut outputs = Vec::new();
    let mut positional = Vec::new();
    let named: BTreeSet<&str> = chosen.iter().map(|(f, _)| f.name.as_str()).collect();
    for (flag, value) in chosen {
        if flag.positional {
            positional.extend(value.clone());
            continue;
        }
        args.push(flag.name.clone());
        if let Some(v) = value {
            if kind(flag) == Kind::Output {
                outputs.push(v.clone());
            }
            args.push(v.clone());
        }
    }
    if with_base {
        for (flag, value) in base(&sub.name) {
            let aliased = flag == "--iterations" && named.contains("--epochs")
                || flag == "--epochs" && named.contains("--iterations")
                || flag == "--hidden" && named.contains("--layers");
            if !named.contains(flag) && !aliased {
                args.extend([flag.to_owned(), value.to_owned()]);
                if flag == "--output" {
                    outputs.push(value.to_owned());
                }
            }
        }
    }
    if sub.flags.iter().any(|f| f.positional) && positional.is_empty() {
        positional.push("pic.png".into());
    }
    args.extend(positional);
    if sub.name == "train" && !named.contains("--save") {
        outputs.push("model.h5".into());
    }
    Invocation { args, outputs }
}

/// Every pair of flags with ordinary values, and every edge value of every flag alone.
fn systematic(subs: &[Subcommand]) -> Vec<Invocation> {
    let mut out = Vec::new();
    for sub in subs {
        let with_values: Vec<(&Flag, Option<String>)> = sub
            .flags
            .iter()
            .map(|f| (f, ordinary(kind(f), f, &sub.name)))
            .collect();
        for (i, a) in with_values.iter().enumerate() {
            for b in &with_values[i + 1..] {
                out.push(invocation(sub, &[a.clone(), b.clone()], true));
            }
        }
        for flag in &sub.flags {
            let k = kind(flag);
            if k == Kind::Switch {
                out.push(invocation(sub, &[(flag, None)], true));
            }
            for v in edges(k, flag) {
                out.push(invocation(sub, &[(flag, Some(v))], true));
            }
        }
    }
    out
}

/// A small deterministic generator (SplitMix64), so a failing run is replayed by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

fn random(subs: &[Subcommand], rng: &mut Rng) -> Invocation {
    let sub = &subs[rng.below(subs.len())];
    let count = rng.below(sub.flags.len().min(6) + 1);
    let mut chosen: Vec<(&Flag, Option<String>)> = Vec::new();
    for _ in 0..count {
        let flag = &sub.flags[rng.below(sub.flags.len())];
        let k = kind(flag);
        let value = match k {
            Kind::Switch => None,
            _ if rng.chance(0.5) => ordinary(k, flag, &sub.name),
            _ => {
                let pool = edges(k, flag);
                Some(pool[rng.below(pool.len())].clone())
            }
        };
        chosen.push((flag, value));
    }
    invocation(sub, &chosen, rng.chance(0.85))
}

/// The fixtures every run may read: tiny data of every format, models, a picture, broken files.
const FIXTURES: [&str; 15] = [
    "model.safetensors",
    "broken.safetensors",
    "data",
    "model.h5",
    "model2.h5",
    "pic.png",
    "junk.h5",
    "broken",
    "table.csv",
    "broken.csv",
    "pics",
    "arrays.npz",
    "broken.npz",
    "table.h5",
    "sub",
];

fn fixtures(dir: &Path) {
    tiny_data(&dir.join("data"));
    write_model(&dir.join("model.h5"), &[FEATURES, 3, 1]);
    write_model(&dir.join("model2.h5"), &[FEATURES, 4, 2, 1]);
    write_png(&dir.join("pic.png"), 8, 8, image::ColorType::Rgb8);
    std::fs::write(dir.join("junk.h5"), b"not an HDF5 file at all".repeat(10)).expect("junk");
    write_safetensors_model(&dir.join("model.safetensors"), &[FEATURES, 3, 1]);
    let mut layers = raw_layers(&[FEATURES, 3, 1]);
    layers.swap(0, 2); // W1 and W2 swapped: the shapes do not chain
    write_raw_safetensors(&dir.join("broken.safetensors"), &layers, None);
    data_with_train_bytes(&dir.join("broken"), b"\x89HDF\r\n\x1a\n truncated");
    // A 20-row table with columns a, b, c and a string label x/y; a ragged one.
    let mut table = String::from("a,b,c,label\n");
    for j in 0..M {
        table.push_str(&format!(
            "{j},{},{}.5,{}\n",
            j % 3,
            j % 5,
            ["x", "y"][j % 2]
        ));
    }
    std::fs::write(dir.join("table.csv"), table).expect("table");
    std::fs::write(dir.join("broken.csv"), "a,b,label\n1,2,x\n3\n").expect("broken csv");
    write_picture_folder(&dir.join("pics"), &["cat", "dog"], 5, 8);
    write_npz_table(&dir.join("arrays.npz"), M);
    std::fs::write(dir.join("broken.npz"), b"PK\x03\x04 not really a zip").expect("npz");
    write_table_model(&dir.join("table.h5"), &["a", "b", "c"], &["x", "y"]);
    std::fs::create_dir(dir.join("sub")).expect("sub");
}

/// Files under `dir` (not following links), with their size and modification time.
fn listing(dir: &Path) -> BTreeSet<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path.clone());
            }
            let rel = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
            out.insert((
                rel,
                meta.len(),
                meta.modified().unwrap_or(std::time::UNIX_EPOCH),
            ));
        }
    }
    out
}

/// What went wrong with one run, if anything.
fn check(inv: &Invocation, fixtures: &Path, scratch: &Path) -> Option<String> {
    let dir = tempfile::tempdir_in(scratch).expect("run dir");
    let w = dir.path();
    // Files are copied (dnn writes through a symbolic link, so an output named like a
    // fixture would change the shared one); directories, which no run may write into, are
    // linked.
    for name in FIXTURES {
        let (from, to) = (fixtures.join(name), w.join(name));
        if name == "sub" {
            std::fs::create_dir(to).expect("sub");
        } else if from.is_dir() {
            std::os::unix::fs::symlink(from, to).expect("symlink");
        } else {
            std::fs::copy(from, to).expect("copy a fixture");
        }
    }
    let before = listing(w);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dnn"));
    cmd.args(&inv.args[..])
        .current_dir(w)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe and touches only the child's limits.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: MEMORY_LIMIT,
                rlim_max: MEMORY_LIMIT,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("spawn dnn");
    let (out, mut err) = (
        child.stdout.take().expect("out"),
        child.stderr.take().expect("err"),
    );
    let serving = Arc::new(AtomicBool::new(false));
    let readers = (
        std::thread::spawn({
            let serving = Arc::clone(&serving);
            move || {
                let (mut s, mut line) = (Vec::new(), Vec::new());
                let mut out = BufReader::new(out);
                while matches!(out.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                    if line.starts_with(SERVING.as_bytes()) {
                        serving.store(true, Ordering::Release);
                    }
                    s.append(&mut line);
                }
                String::from_utf8_lossy(&s).into_owned()
            }
        }),
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = err.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        }),
    );
    let started = Instant::now();
    // When Ctrl-C was sent, if it was.
    let mut interrupted: Option<Duration> = None;
    let limit = match inv.args[0].as_str() {
        "serve" => SERVE_TIME_LIMIT,
        _ => TIME_LIMIT,
    };
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        let elapsed = started.elapsed();
        if interrupted.is_none() && (elapsed > limit || serving.load(Ordering::Acquire)) {
            // SAFETY: kill has no memory-safety preconditions; the pid is our child's.
            unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
            interrupted = Some(elapsed);
        }
        if let Some(sent) = interrupted.filter(|&sent| elapsed > sent + STOP_LIMIT) {
            let _ = child.kill();
            let _ = child.wait();
            return Some(format!(
                "did not end within {STOP_LIMIT:?} of Ctrl-C (sent after {sent:?})"
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = readers.0.join().unwrap_or_default();
    let stderr = readers.1.join().unwrap_or_default();
    let mut problems = Vec::new();
    if inv.args[0] == "serve" && interrupted.is_some() && !serving.load(Ordering::Acquire) {
        problems.push(format!("not serving after {limit:?}"));
    }
    match status.code() {
        Some(0 | 1 | 2 | 130) => {}
        Some(code) => problems.push(format!("exit code {code}")),
        None => problems.push(format!("killed by a signal ({status})")),
    }
    if stderr.contains("panicked at") {
        problems.push("panicked".into());
    }
    let code = status.code().unwrap_or(-1);
    if code == 1 || code == 2 {
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .collect();
        match errors.first() {
            None => problems.push("failed without an `error: ` line".into()),
            Some(first) if first.len() < "error: ".len() + 12 => {
                problems.push(format!("the error says too little: {first:?}"))
            }
            Some(_) => {}
        }
        let other = stderr
            .lines()
            .filter(|l| !l.starts_with("error: ") && !l.starts_with("warning: "))
            .count();
        if errors.len() != 1 || other != 0 {
            problems.push("the error is not exactly one line".into());
        }
    }
    let asked: BTreeSet<PathBuf> = inv
        .outputs
        .iter()
        .map(|o| normalise(Path::new(o)))
        .collect();
    let after = listing(w);
    for (path, size, time) in after.difference(&before) {
        let ours = asked.contains(&normalise(path));
        if !ours {
            let what = if before.iter().any(|(p, ..)| p == path) {
                "changed"
            } else {
                "left behind"
            };
            problems.push(format!(
                "{} {what} ({size} bytes, {time:?})",
                path.display()
            ));
        }
    }
    if problems.is_empty() {
        return None;
    }
    Some(format!(
        "{}\n    exit {:?} after {:?}{}\n    stderr: {}\n    stdout (end): {}",
        problems.join("; "),
        status.code(),
        started.elapsed(),
        interrupted.map_or("", |_| " (Ctrl-C sent)"),
        stderr.trim(),
        stdout.lines().rev().take(3).collect::<Vec<_>>().join(" | ")
    ))
}

/// `a/../b` → `b`, `./a` → `a` (outputs are named relative to the run's directory).
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Runs `invocations` on two threads; returns the failures.
fn run_all(invocations: &[Invocation], fixtures: &Path, scratch: &Path) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(inv) = invocations.get(i) else {
                    break;
                };
                if let Some(problem) = check(inv, fixtures, scratch) {
                    failures
                        .lock()
                        .expect("lock")
                        .push(format!("dnn {}\n    {problem}", shell(&inv.args)));
                }
            });
        }
    });
    failures.into_inner().expect("lock")
}

fn shell(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if a.is_empty() || a.contains([' ', ',', '*']) {
                format!("'{a}'")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn no_invocation_panics_hangs_or_leaves_files_behind() {
    let subs = subcommands();
    let count: usize = std::env::var("DNN_INVOCATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let seed: u64 = std::env::var("DNN_INVOCATIONS_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    println!("generator seed {seed} (replay: DNN_INVOCATIONS_SEED={seed} DNN_INVOCATIONS={count})");
    let tmp = tempfile::tempdir().expect("tempdir");
    let fixtures_dir = tmp.path().join("fixtures");
    std::fs::create_dir(&fixtures_dir).expect("mkdir");
    fixtures(&fixtures_dir);
    let fixtures_before = listing(&fixtures_dir);
    let scratch = tmp.path().join("runs");
    std::fs::create_dir(&scratch).expect("mkdir");

    let mut all = systematic(&subs);
    let systematic_count = all.len();
    let mut rng = Rng(seed);
    all.extend((0..count).map(|_| random(&subs, &mut rng)));
    let started = Instant::now();
    let failures = run_all(&all, &fixtures_dir, &scratch);
    println!(
        "{} invocations ({systematic_count} systematic: every pair of flags and every edge value \
         of each flag of {}; {count} random) in {:.1} s: {} failed",
        all.len(),
        subs.iter()
            .map(|s| format!("{} ({} flags)", s.name, s.flags.len()))
            .collect::<Vec<_>>()
            .join(", "),
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    assert_eq!(
        listing(&fixtures_dir),
        fixtures_before,
        "a run changed the fixtures"
    );
    assert!(
        failures.is_empty(),
        "{} of {} invocations failed (seed {seed}); the first ones:\n{}",
        failures.len(),
        all.len(),
        failures
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
