//! Writing files so that a failure never damages what was there: temporary file,
//! flush to disk, then rename over the final name.

use std::path::{Path, PathBuf};

use crate::error::{DataError, Result};

/// The temporary name a file is written under before it is renamed to `path`:
/// a hidden sibling in the same directory (so the rename is atomic), unique per process.
pub fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}{ext}", std::process::id()))
}

/// Calls `write` with a temporary path beside `path`, flushes the result to disk and
/// renames it onto `path`. If `write`, the flush or the rename fails, the temporary file
/// is removed and whatever was at `path` before is left exactly as it was.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("out.txt");
/// dnn_data::atomic::write_atomically(&path, |tmp| {
///     std::fs::write(tmp, "hello").map_err(|e| dnn_data::DataError::Write { path: tmp.to_path_buf(), message: e.to_string() })
/// })?;
/// assert_eq!(std::fs::read_to_string(&path)?, "hello");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_atomically(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    remove_stale_temporaries(path);
    let tmp = temporary_path(path);
    let result = write(&tmp).and_then(|()| {
        let io = |e: std::io::Error| DataError::Write {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)?;
        // Make the rename itself durable; failure here does not undo a completed rename.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Removes temporaries of `path` left by writers that were killed mid-write (SIGKILL, power
/// loss): siblings named as [`temporary_path`] names them whose process no longer runs. Only
/// on Linux, where `/proc` says which processes run; elsewhere they are left alone.
fn remove_stale_temporaries(path: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let pid: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let alive = !pid.is_empty() && Path::new("/proc").join(&pid).exists();
        if !pid.is_empty() && !alive {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Checks, before any long work, that a file can later be written at `path`: its
/// directory exists, is a directory, and accepts a new file (one is created and removed),
/// and `path` itself is not a directory.
pub fn ensure_writable(path: &Path) -> Result<()> {
    let fail = |message: String| DataError::Write {
        path: path.to_path_buf(),
        message,
    };
    if path.as_os_str().is_empty() {
        return Err(fail("the path is empty".into()));
    }
    if path.is_dir() {
        return Err(fail("it is a directory; give a file name".into()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(fail(if dir.exists() {
            format!("{} is not a directory", dir.display())
        } else {
            format!(
                "the directory {} does not exist; create it first",
                dir.display()
            )
        }));
    }
    let probe = temporary_path(path);
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(fail(format!(
            "cannot create a file in {}: {e}",
            dir.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.h5");
        std::fs::write(&path, b"old contents").unwrap();
        let err = write_atomically(&path, |tmp| {
            std::fs::write(tmp, b"half").unwrap();
            Err(DataError::Write {
                path: tmp.to_path_buf(),
                message: "disk full".into(),
            })
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk full"));
        assert_eq!(std::fs::read(&path).unwrap(), b"old contents");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "temporary file left behind"
        );
    }

    #[test]
    fn temporaries_of_dead_writers_are_removed_on_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.h5");
        // A pid far above any live one (Linux's pid_max is at most 2^22).
        let stale = dir.path().join(".model.h5.tmp-99999999.h5");
        let other = dir.path().join(".other.h5.tmp-99999999.h5");
        std::fs::write(&stale, b"half a model").unwrap();
        std::fs::write(&other, b"not ours").unwrap();
        write_atomically(&path, |tmp| {
            std::fs::write(tmp, b"new").map_err(|e| DataError::Write {
                path: tmp.to_path_buf(),
                message: e.to_string(),
            })
        })
        .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(stale.exists(), !Path::new("/proc/self").exists());
        assert!(
            other.exists(),
            "another file's temporaries are not ours to remove"
        );
    }

    #[test]
    fn ensure_writable_refuses_missing_directories_and_directories() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope").join("model.h5");
        let msg = ensure_writable(&missing).unwrap_err().to_string();
        assert!(msg.contains("does not exist"), "{msg}");
        let msg = ensure_writable(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("is a directory"), "{msg}");
        ensure_writable(&dir.path().join("ok.h5")).unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the probe file is removed"
        );
    }
}
