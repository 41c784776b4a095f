//! Loading speed and memory of dnn-data's readers, for `cargo xtask bench --suite load`.
//!
//! ```text
//! load_data images DIR --count N --size S [--classes K]   # N JPEG pictures of SxS in K class folders
//! load_data csv FILE --rows R --cols C [--classes K]      # R rows of C numeric columns and a label
//! load_data load PATH                                     # dnn_data::load, then one JSON line
//! ```
//!
//! `load` prints `{"seconds", "cpu_seconds", "examples", "features", "matrix_bytes",
//! "peak_rss_bytes"}`: the time of `dnn_data::load` alone (wall, and CPU over all threads),
//! the examples and features read, the size of the
//! final `f64` matrices (train and test), and the process's peak resident memory
//! (`VmHWM`), everything the process ever held included.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use dnn_core::NumpyRng;
use rayon::prelude::*;

fn usage() -> ! {
    eprintln!("usage: load_data images DIR --count N --size S [--classes K] | csv FILE --rows R --cols C [--classes K] | load PATH");
    std::process::exit(2)
}

fn flag(args: &[String], name: &str, default: Option<usize>) -> usize {
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| usage()),
        None => default.unwrap_or_else(|| usage()),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(cmd), Some(path)) = (args.first(), args.get(1)) else {
        usage()
    };
    let path = PathBuf::from(path);
    let result = match cmd.as_str() {
        "images" => images(
            &path,
            flag(&args, "--count", None),
            flag(&args, "--size", None) as u32,
            flag(&args, "--classes", Some(10)),
        ),
        "csv" => csv(
            &path,
            flag(&args, "--rows", None),
            flag(&args, "--cols", None),
            flag(&args, "--classes", Some(5)),
        ),
        "load" => load(&path),
        _ => usage(),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// `count` JPEG pictures of `size`x`size` (quality 90): smooth gradients with noise, so the
/// decoder has real work, spread over `classes` folders.
fn images(dir: &Path, count: usize, size: u32, classes: usize) -> Result<()> {
    for k in 0..classes {
        std::fs::create_dir_all(dir.join(format!("class{k:02}")))?;
    }
    (0..count).into_par_iter().try_for_each(|j| -> Result<()> {
        let mut rng = NumpyRng::new(j as u32);
        let noise = rng.rand(size as usize, size as usize * 3);
        let img = image::RgbImage::from_fn(size, size, |x, y| {
            let n = |c: u32| (noise[[y as usize, (x * 3 + c) as usize]] * 40.0) as u32;
            image::Rgb([
                ((x * 255 / size + n(0)) % 256) as u8,
                ((y * 255 / size + n(1)) % 256) as u8,
                (((x + y) * 2 + j as u32 + n(2)) % 256) as u8,
            ])
        });
        let path = dir
            .join(format!("class{:02}", j % classes))
            .join(format!("{j:05}.jpg"));
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img)?;
        out.flush()?;
        Ok(())
    })
}

/// `rows` rows of `cols` Gaussian columns (printed as Python's repr would, 17 digits) and
/// an integer label among `classes`.
fn csv(path: &Path, rows: usize, cols: usize, classes: usize) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let header: Vec<String> = (0..cols).map(|i| format!("f{i}")).collect();
    writeln!(out, "{},label", header.join(","))?;
    let mut rng = NumpyRng::new(0);
    for j in 0..rows {
        let values = rng.randn_vec(cols);
        for v in &values {
            write!(out, "{v},")?;
        }
        writeln!(out, "{}", j % classes)?;
    }
    out.flush()?;
    Ok(())
}

/// The CPU seconds (user + system) the process has used, from /proc/self/stat (clock ticks
/// of 1/100 s, Linux's `USER_HZ`).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// The process's peak resident memory in bytes (`VmHWM` of /proc/self/status).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn load(path: &Path) -> Result<()> {
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let data = dnn_data::load(path, &dnn_data::LoadOptions::default())?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let examples = data.train_len() + data.test_len();
    let matrix_bytes = (data.train_x.len() + data.test_x.len()) * std::mem::size_of::<f64>();
    println!(
        "{}",
        serde_json::json!({
            "seconds": seconds,
            "cpu_seconds": cpu,
            "examples": examples,
            "features": data.features(),
            "matrix_bytes": matrix_bytes,
            "peak_rss_bytes": peak_rss(),
            "threads": rayon::current_num_threads(),
        })
    );
    Ok(())
}
