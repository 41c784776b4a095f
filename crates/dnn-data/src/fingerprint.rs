//! What identifies a data source: the SHA-256 of the bytes its reader read.
//!
//! A model file records its training data's ([`crate::model::TrainingSetup::data_sha256`]),
//! so that `dnn evaluate` can tell the data a model was trained on (whose test part it may
//! score again) from new data (every example of which is new to the model).
//!
//! * A file (a CSV table, an npz archive): the SHA-256 of its bytes, in lowercase hex, as
//!   `sha256sum` prints it.
//! * A directory (an image folder, a course HDF5 set): the SHA-256 of, for each file read in
//!   the order read, its path relative to the directory (UTF-8, `/` between names), a NUL
//!   byte and the file's own SHA-256 (32 bytes). Renaming, adding, removing or editing a
//!   picture changes it; where the directory lies does not. The order read: an image
//!   folder's `train/` before its `test/` (when it has them), in each the class folders
//!   sorted by name and their pictures sorted by path; a course set's `train_*.h5`, then its
//!   `test_*.h5`.

use std::path::{Component, Path};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{DataError, Result};

/// The SHA-256 of the bytes of the file at `path`, in lowercase hex.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("t.csv");
/// std::fs::write(&path, "abc").unwrap();
/// assert_eq!(
///     dnn_data::fingerprint::file_sha256(&path).unwrap(),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
///
/// # Errors
/// [`DataError::Io`] if the file cannot be read.
pub fn file_sha256(path: &Path) -> Result<String> {
    Ok(hex(&digest(path)?))
}

/// A reader that computes the SHA-256 of the bytes read through it: read to the end, it is
/// [`file_sha256`]'s, in the one pass that reads the data (a 174 MB table trained 15 %
/// slower when it was hashed first, and a pipe, `--data /dev/stdin`, cannot be read twice).
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: std::io::Read> HashingReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// The digest of the bytes read so far, in lowercase hex.
    pub(crate) fn finish(self) -> String {
        hex(&self.hasher.finalize().into())
    }
}

impl<R: std::io::Read> std::io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// [`file_sha256`] of a file computed on a thread of its own, while the caller reads the
/// file, for readers that seek (an npz archive is a zip) and so cannot hash as they read.
pub(crate) struct Hashing(std::thread::JoinHandle<Result<String>>);

impl Hashing {
    /// Starts hashing the file at `path`.
    pub(crate) fn start(path: &Path) -> Hashing {
        let path = path.to_path_buf();
        Hashing(std::thread::spawn(move || file_sha256(&path)))
    }

    /// The digest, once the thread is done.
    pub(crate) fn wait(self) -> Result<String> {
        self.0
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

/// The SHA-256 of the `files` under `root`, in that order (see the [module docs](self)).
/// The files are hashed on every core.
///
/// ```
/// use dnn_data::fingerprint::{file_sha256, files_sha256};
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir(dir.path().join("cat")).unwrap();
/// let a = dir.path().join("cat/a.png");
/// std::fs::write(&a, "abc").unwrap();
/// let one = files_sha256(dir.path(), &[a.clone()]).unwrap();
/// assert_ne!(one, file_sha256(&a).unwrap()); // the name counts too
/// std::fs::rename(&a, dir.path().join("cat/b.png")).unwrap();
/// let renamed = files_sha256(dir.path(), &[dir.path().join("cat/b.png")]).unwrap();
/// assert_ne!(one, renamed);
/// ```
///
/// # Errors
/// [`DataError::Io`] if a file cannot be read.
pub fn files_sha256(root: &Path, files: &[impl AsRef<Path> + Sync]) -> Result<String> {
    let named: Vec<(String, &Path)> = files
        .iter()
        .map(|f| (relative_name(root, f.as_ref()), f.as_ref()))
        .collect();
    named_files_sha256(&named)
}

/// [`files_sha256`] of files each under its own name: the SHA-256 over each name, a zero
/// byte and its file's SHA-256, in order (an image CSV names its table from the table's
/// folder and its pictures from `--image-dir`).
///
/// # Errors
/// [`DataError::Io`] if a file cannot be read.
pub(crate) fn named_files_sha256(named: &[(String, &Path)]) -> Result<String> {
    let digests: Vec<[u8; 32]> = named
        .par_iter()
        .map(|(_, file)| digest(file))
        .collect::<Result<_>>()?;
    let mut all = Sha256::new();
    for ((name, _), d) in named.iter().zip(&digests) {
        all.update(name.as_bytes());
        all.update([0]);
        all.update(d);
    }
    Ok(hex(&all.finalize().into()))
}

/// `file`'s path under `root` with `/` between names, wherever `root` is and whatever the
/// system's separator (the whole path, for a file not under `root`).
pub(crate) fn relative_name(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file);
    relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_string_lossy()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn digest(path: &Path) -> Result<[u8; 32]> {
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(io)?;
    Ok(hasher.finalize().into())
}

fn hex(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `text` is a SHA-256 as [`file_sha256`] writes it: 64 lowercase hex digits.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
