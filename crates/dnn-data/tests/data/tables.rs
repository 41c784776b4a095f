//! Small CSV tables the tests write: `x,y` rows where `x` is the row's number, so an
//! example's input column tells which row it came from.

use std::path::{Path, PathBuf};

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `x,y` with `rows` rows: x = row number, y = `target(row)`.
pub fn table(rows: usize, target: impl Fn(usize) -> String) -> String {
    let mut s = String::from("x,y\n");
    for r in 0..rows {
        s.push_str(&format!("{r},{}\n", target(r)));
    }
    s
}
