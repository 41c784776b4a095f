//! `dnn predict` on awkward pictures that are nevertheless valid: grayscale, RGBA, tiny,
//! and huge (8000x8000), with the peak memory of the huge one measured; and a thousand at
//! once, some unreadable.

use crate::common;
use crate::fixtures;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use fixtures::*;

/// Runs `dnn` in `dir` and returns (exit code, stdout, stderr, peak RSS in MiB).
///
/// The peak is the child's own high-water mark, `VmHWM` in `/proc/PID/status`, read every
/// millisecond until it exits (so a peak in its last millisecond could be missed). wait4's
/// `ru_maxrss` would not do: a child spawned with vfork keeps, from its exec, the high-water
/// mark of this test process, which other tests of this binary grow (94 MiB against the 49 of
/// `dnn` itself, seen here).
fn dnn_with_peak_memory(dir: &Path, args: &[&str]) -> (Option<i32>, String, String, u64) {
    let out_path = dir.join(".stdout");
    let err_path = dir.join(".stderr");
    let program = Path::new(env!("CARGO_BIN_EXE_dnn"));
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("spawn dnn");
    let proc = PathBuf::from(format!("/proc/{}", child.id()));
    let program = program.canonicalize().expect("the dnn binary");
    let mut peak_kib = 0;
    let status = loop {
        // The executable first: once it is dnn, the status read after it is dnn's, not that
        // of the moment between spawning and exec.
        if std::fs::read_link(proc.join("exe")).is_ok_and(|exe| exe == program) {
            let status = std::fs::read_to_string(proc.join("status")).unwrap_or_default();
            let hwm = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
            peak_kib = peak_kib.max(hwm.unwrap_or(0));
        }
        if let Some(status) = child.try_wait().expect("wait for dnn") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    std::fs::remove_file(out_path).ok();
    std::fs::remove_file(err_path).ok();
    assert!(peak_kib > 0, "no memory reading of dnn {args:?}");
    (status.code(), stdout, stderr, peak_kib / 1024)
}

#[test]
fn grayscale_rgba_and_tiny_pictures_are_classified() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_model(&w.join("cat.h5"), &[12288, 2, 1]);
    write_png(&w.join("gray.png"), 50, 40, image::ColorType::L8);
    write_png(&w.join("gray_alpha.png"), 50, 40, image::ColorType::La8);
    write_png(&w.join("rgba.png"), 70, 64, image::ColorType::Rgba8);
    write_png(&w.join("rgb16.png"), 30, 30, image::ColorType::Rgb16);
    write_png(&w.join("one_pixel.png"), 1, 1, image::ColorType::Rgb8);
    let names = [
        "gray.png",
        "gray_alpha.png",
        "rgba.png",
        "rgb16.png",
        "one_pixel.png",
    ];
    let mut args = vec!["predict", "--model", "cat.h5"];
    args.extend(names);
    let run = common::dnn_in(w, &args);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.is_empty(), "{run:?}");
    for name in names {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(&format!("{name}: ")) && l.contains("cat (probability 0.")),
            "{name}: {run:?}"
        );
    }
}

#[test]
fn an_8000x8000_picture_is_classified_without_needless_memory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_model(&w.join("cat.h5"), &[12288, 2, 1]);
    // 8000x8000 RGB: 192 MB once decoded (a few hundred KB as a PNG).
    write_png(&w.join("huge.png"), 8000, 8000, image::ColorType::Rgb8);
    let (code, stdout, stderr, peak_mib) =
        dnn_with_peak_memory(w, &["predict", "--model", "cat.h5", "huge.png"]);
    println!("8000x8000 RGB picture: peak resident memory {peak_mib} MiB");
    assert_eq!(code, Some(0), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("huge.png: "), "{stdout}");
    // The decoded picture must be held once (183 MiB), not copied or converted to
    // floats at full size (a float copy alone would be 732 MiB).
    assert!(
        peak_mib < 400,
        "peak memory {peak_mib} MiB for a 183 MiB picture"
    );
}

#[test]
fn a_thousand_pictures_are_read_in_batches_and_every_unreadable_one_is_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_model(&w.join("cat.h5"), &[12288, 2, 1]);
    // One-pixel pictures of different colours, so that their predictions differ; three
    // unreadable files, two at the border of the first two batches of 256.
    let bad = [255, 256, 700];
    let names: Vec<String> = (0..1000).map(|i| format!("p{i:04}.png")).collect();
    for (i, name) in names.iter().enumerate() {
        if bad.contains(&i) {
            std::fs::write(w.join(name), b"not a picture").expect("write");
        } else {
            let rgb = [(i % 256) as u8, (i * 37 % 256) as u8, (i * 7 % 251) as u8];
            image::save_buffer(w.join(name), &rgb, 1, 1, image::ColorType::Rgb8).expect("png");
        }
    }
    let mut args = vec!["predict", "--model", "cat.h5"];
    args.extend(names.iter().map(String::as_str));

    let failed = common::dnn_in(w, &args);
    assert_eq!(failed.code, Some(1), "{failed:?}");
    assert!(failed.stdout.is_empty(), "{failed:?}");
    for i in bad {
        assert!(
            failed.stderr.contains(&format!("error: {}: ", names[i])),
            "{failed:?}"
        );
    }
    assert!(
        failed
            .stderr
            .contains("3 of 1000 pictures cannot be read (above); fix or remove them, or give --skip-unreadable to predict the other 997"),
        "{failed:?}"
    );

    args.push("--skip-unreadable");
    let (code, stdout, stderr, peak_mib) = dnn_with_peak_memory(w, &args);
    println!("1000 pictures: peak resident memory {peak_mib} MiB");
    assert_eq!(code, Some(0), "{stderr}");
    for i in bad {
        assert!(
            stderr.contains(&format!("warning: skipped {}: ", names[i])),
            "{stderr}"
        );
    }
    assert!(
        stderr.contains("skipped 3 of 1000 pictures that cannot be read; predicted the other 997")
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let good: Vec<&String> = (0..1000)
        .filter(|i| !bad.contains(i))
        .map(|i| &names[i])
        .collect();
    assert_eq!(lines.len(), good.len(), "{stdout}");
    // Each line is the prediction of its own picture, as when it is given alone, across the
    // batches and the skipped files.
    for k in [0, 254, 255, 256, 698, 699, 996] {
        assert!(
            lines[k].starts_with(&format!("{}: ", good[k])),
            "{}",
            lines[k]
        );
        let alone = common::dnn_in(w, &["predict", "--model", "cat.h5", good[k]]);
        assert_eq!(alone.stdout.trim_end(), lines[k]);
    }
    let predictions: std::collections::HashSet<&str> = lines
        .iter()
        .map(|l| l.split_once(": ").expect("name: class").1)
        .collect();
    assert!(
        predictions.len() > 100,
        "the pictures should get different predictions"
    );
    // The 12288 x 997 inputs alone would take 98 MB as f64; a batch of 256 takes 25 MB.
    assert!(
        peak_mib < 90,
        "peak memory {peak_mib} MiB for 1000 pictures"
    );
}
