//! Stable-Rust stand-in for libFuzzer: `replay <model|data> [--seconds N] [--seed S] [FILES...]`.
//!
//! Runs the target's check on every FILE (a corpus or crash artifacts), then, for N
//! seconds (default 60), on mutations of those files and of a built-in valid seed:
//! truncations, byte changes, insertions and deletions. Before each input it writes the
//! input to `artifacts/<target>/last-input`, so if libhdf5 crashes the process the input
//! that did it is on disk. Exits 0 after N seconds without a panic or crash.

use std::path::PathBuf;
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(8) {
        match rng.below(5) {
            0 => {
                let cut = rng.below(v.len() + 1);
                v.truncate(cut);
            }
            1 | 2 => {
                if !v.is_empty() {
                    let i = rng.below(v.len());
                    v[i] = rng.next() as u8;
                }
            }
            3 => {
                let i = rng.below(v.len() + 1);
                v.insert(i, rng.next() as u8);
            }
            _ => {
                if !v.is_empty() {
                    let i = rng.below(v.len());
                    v.remove(i);
                }
            }
        }
    }
    v
}

fn main() {
    let mut args = std::env::args().skip(1);
    let target = args.next().unwrap_or_default();
    let (check, seed): (fn(&[u8]), Vec<u8>) = match target.as_str() {
        "model" => (dnn_data_fuzz::check_model, dnn_data_fuzz::seed_model()),
        "data" => (dnn_data_fuzz::check_data, dnn_data_fuzz::seed_data()),
        _ => {
            eprintln!("usage: replay <model|data> [--seconds N] [--seed S] [FILES...]");
            std::process::exit(2);
        }
    };
    let mut seconds = 60u64;
    let mut rng_seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut corpus = vec![seed];
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => seconds = args.next().and_then(|s| s.parse().ok()).unwrap_or(60),
            "--seed" => rng_seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(rng_seed),
            path => {
                let p = PathBuf::from(path);
                let files: Vec<PathBuf> = if p.is_dir() {
                    std::fs::read_dir(&p)
                        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
                        .unwrap_or_default()
                } else {
                    vec![p]
                };
                corpus.extend(files.iter().filter_map(|f| std::fs::read(f).ok()));
            }
        }
    }
    let artifacts = PathBuf::from("artifacts").join(&target);
    let _ = std::fs::create_dir_all(&artifacts);
    let last = artifacts.join("last-input");
    let run = |input: &[u8]| {
        let _ = std::fs::write(&last, input);
        check(input);
    };
    for input in &corpus {
        run(input);
    }
    let mut rng = Rng(rng_seed | 1);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut execs = 0u64;
    while Instant::now() < deadline {
        let base = &corpus[rng.below(corpus.len())];
        let input = mutate(&mut rng, base);
        run(&input);
        execs += 1;
    }
    let _ = std::fs::remove_file(&last);
    println!(
        "replay {target}: {} corpus inputs and {execs} mutations in {seconds} s (seed {rng_seed}), no panic, no crash",
        corpus.len()
    );
}
