//! The one way dnn writes a file (model, picture, report, export): the whole content is
//! built in memory first, then [`write_atomically`] puts it in place so that a failure or a
//! kill at any moment never leaves a partial file under the final name.
//!
//! The bytes go to a temporary sibling of the final file, made by the `tempfile` crate
//! with a hidden, random name (`.model.h5.Xa3k9Q.tmp`): in the same directory, so the final
//! rename is atomic, and never a name a later run has to recognise or clean up. The
//! temporary is flushed to disk (`fsync`), renamed over the final name, and the directory is
//! flushed so that the rename itself survives a power loss.
//!
//! Two kinds of path are not files to replace. A symbolic link stays a link: the file it
//! points to is the one replaced. A device, pipe or socket (`/dev/null`, `/dev/stdout`, a
//! FIFO) is written to as it is: a rename would put a regular file in its place, and there
//! is nothing to keep whole there anyway.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{DataError, Result};

/// Temporaries end in this, after the final name and a random part: `.model.h5.Xa3k9Q.tmp`.
pub const TEMPORARY_SUFFIX: &str = ".tmp";
/// Random characters in a temporary's name (62 possible characters each).
const RANDOM_CHARS: usize = 6;

/// Writes `bytes` to `path` so that `path` holds either its previous content or all of
/// `bytes`, never a mixture, whatever happens: the bytes go to a new temporary file beside
/// `path`, which is flushed to disk and then renamed onto `path`; the directory is flushed
/// last. If anything fails the temporary is removed and `path` is left byte for byte as it
/// was; the error names `path` and says what the operating system said.
///
/// A new file gets the permissions a plain [`File::create`] would give it (`0o666` less the
/// umask on Unix), not the owner-only ones of a `tempfile` temporary; a replaced file keeps
/// its mode. A read-only file (`chmod a-w`), or one this user may not write, is refused:
/// the rename would otherwise replace it regardless.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("report.json");
/// dnn_data::atomic::write_atomically(&path, b"{\"accuracy\": 0.8}")?;
/// assert_eq!(std::fs::read(&path)?, b"{\"accuracy\": 0.8}");
/// // Only the final file is there: the temporary was renamed onto it.
/// assert_eq!(std::fs::read_dir(dir.path())?.count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: io::Error| DataError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    // A link is followed (the file it names is replaced, the link stays); a device, pipe or
    // socket is written to in place (renaming onto `/dev/null` would replace the device).
    let resolved;
    let path = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            resolved = resolve_link(path).map_err(fail)?;
            resolved.as_path()
        }
        _ => path,
    };
    let replaced = std::fs::metadata(path).ok();
    if let Some(meta) = &replaced {
        if is_special(&meta.file_type()) {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(fail)?;
            return file.write_all(bytes).map_err(fail);
        }
        refuse_protected(path, meta).map_err(|message| DataError::Write {
            path: path.to_path_buf(),
            message,
        })?;
    }
    let (dir, name) = split(path)?;
    let mut tmp = Listed::create(&dir, &name).map_err(fail)?;
    // From here on, dropping `tmp` (an early return) removes the temporary.
    if let Some(meta) = &replaced {
        // The new file keeps the mode of the one it replaces (0640 stays 0640).
        tmp.file()
            .set_permissions(meta.permissions())
            .map_err(fail)?;
    }
    tmp.file().write_all(bytes).map_err(fail)?;
    tmp.file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(fail)?;
    sync_directory(&dir);
    Ok(())
}

/// The file a symbolic link finally points to (a dangling link's target, which the write
/// then creates), relative targets taken from the link's own directory: where
/// [`write_atomically`] writes. A path that is not a link is its own answer.
///
/// # Errors
/// A link that cannot be read, or more than 40 links in a row (a loop), as the kernel says.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let link = dir.path().join("latest.h5");
/// std::os::unix::fs::symlink("runs/7.h5", &link).unwrap();
/// let target = dnn_data::atomic::resolve_link(&link).unwrap();
/// assert_eq!(target, dir.path().join("runs/7.h5"));
/// ```
pub fn resolve_link(link: &Path) -> io::Result<PathBuf> {
    let mut path = link.to_path_buf();
    // As the kernel does, give up after 40 links (a loop).
    for _ in 0..40 {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// A device, pipe or socket: something to write to, not a file to replace.
fn is_special(kind: &std::fs::FileType) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        kind.is_char_device() || kind.is_block_device() || kind.is_fifo() || kind.is_socket()
    }
    #[cfg(not(unix))]
    {
        !kind.is_file() && !kind.is_dir() && !kind.is_symlink()
    }
}

/// Checks, before any long work, that a file can later be written at `path`: its
/// directory exists, is a directory, and accepts a new file (a temporary named as
/// [`write_atomically`] names them is created and removed at once), and `path` itself is
/// not a directory, nor a file [`write_atomically`] refuses to replace (read-only).
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// dnn_data::atomic::ensure_writable(&dir.path().join("model.h5"))?;
/// assert!(dnn_data::atomic::ensure_writable(&dir.path().join("missing/model.h5")).is_err());
/// assert_eq!(std::fs::read_dir(dir.path())?.count(), 0, "nothing is left behind");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ensure_writable(path: &Path) -> Result<()> {
    let fail = |message: String| DataError::Write {
        path: path.to_path_buf(),
        message,
    };
    if path.is_dir() {
        return Err(fail("it is a directory; give a file name".into()));
    }
    if let Ok(meta) = std::fs::metadata(path) {
        if is_special(&meta.file_type()) {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map(drop)
                .map_err(|e| fail(e.to_string()));
        }
        refuse_protected(path, &meta).map_err(fail)?;
    }
    let (dir, name) = split(path)?;
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
    // The probe is removed when it is dropped, right here.
    Listed::create(&dir, &name)
        .map(drop)
        .map_err(|e| fail(format!("cannot create a file in {}: {e}", dir.display())))
}

/// The temporaries of the writes in progress, for [`abandon_writes`]. A temporary is
/// created and listed, renamed or removed and unlisted, under this lock: whoever holds it
/// sees every temporary that exists, and no rename can happen while it is held.
static IN_PROGRESS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// A temporary beside a final file, listed in [`IN_PROGRESS`] from its creation to its
/// rename ([`Listed::persist`]) or its removal (when dropped).
struct Listed(Option<NamedTempFile>);

impl Listed {
    fn create(dir: &Path, name: &OsStr) -> io::Result<Listed> {
        let mut list = in_progress();
        let tmp = temporary_beside(dir, name)?;
        list.push(tmp.path().to_path_buf());
        Ok(Listed(Some(tmp)))
    }

    fn file(&mut self) -> &mut File {
        self.0
            .as_mut()
            .expect("until persisted or dropped")
            .as_file_mut()
    }

    /// Renames it onto `path`; on failure it is removed.
    fn persist(mut self, path: &Path) -> io::Result<()> {
        let tmp = self.0.take().expect("until persisted or dropped");
        let mut list = in_progress();
        let listed = tmp.path().to_path_buf();
        // The error gives the temporary back; dropping it removes it.
        let renamed = tmp.persist(path).map(drop).map_err(|e| e.error);
        list.retain(|p| p != &listed);
        renamed
    }
}

impl Drop for Listed {
    fn drop(&mut self) {
        if let Some(tmp) = self.0.take() {
            let mut list = in_progress();
            let listed = tmp.path().to_path_buf();
            drop(tmp);
            list.retain(|p| p != &listed);
        }
    }
}

/// The list, even if a thread panicked while holding it (a list of paths stays valid).
fn in_progress() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    IN_PROGRESS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Removes the temporaries of the writes in progress in this process whose path `abandon`
/// picks, and returns how many it removed.
fn remove_listed(list: &mut Vec<PathBuf>, abandon: impl Fn(&Path) -> bool) -> usize {
    let mut removed = 0;
    list.retain(|p| {
        if !abandon(p) {
            return true;
        }
        removed += usize::from(std::fs::remove_file(p).is_ok());
        false
    });
    removed
}

/// For a program about to exit at once (a second Ctrl-C): removes the temporaries of the
/// writes in progress, which an exit would leave behind (it runs no destructors), and
/// returns how many it removed; and from then on blocks every write of this process before
/// its rename, so that none completes after this. Each final file keeps its previous content
/// (or stays absent); a write whose rename came first is complete.
///
/// ```no_run
/// // In a Ctrl-C handler: no file is left half-done or replaced after this.
/// let abandoned = dnn_data::atomic::abandon_writes();
/// std::process::exit(130);
/// ```
pub fn abandon_writes() -> usize {
    let mut list = in_progress();
    let removed = remove_listed(&mut list, |_| true);
    // Held until the process exits: no temporary is created or renamed any more.
    std::mem::forget(list);
    removed
}

/// Refuses to replace the existing file `path` (of metadata `meta`) when it is protected:
/// read-only (no write permission for anyone: `chmod a-w`, which a rename would otherwise
/// ignore, even for root), or not writable by this process. The message says what to do.
fn refuse_protected(path: &Path, meta: &std::fs::Metadata) -> std::result::Result<(), String> {
    if !meta.is_file() {
        return Ok(());
    }
    let mode = {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            format!(" (mode {:o})", meta.permissions().mode() & 0o7777)
        }
        #[cfg(not(unix))]
        String::new()
    };
    let advice = "give another name, or make it writable (chmod u+w) to replace it";
    if meta.permissions().readonly() {
        return Err(format!("the file is read-only{mode}; {advice}"));
    }
    if !writable_by_us(path) {
        return Err(format!(
            "the file is not writable by this user{mode}; {advice}"
        ));
    }
    Ok(())
}

/// Whether this process may write `path`, as the kernel judges it (effective ids, ACLs),
/// without opening it (an open for writing is an event to editors and file watchers).
#[cfg(unix)]
fn writable_by_us(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return true;
    };
    // SAFETY: a NUL-terminated path that lives across the call; faccessat only reads it.
    let r = unsafe {
        libc::faccessat(
            libc::AT_FDCWD,
            c_path.as_ptr(),
            libc::W_OK,
            libc::AT_EACCESS,
        )
    };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EACCES)
}

#[cfg(not(unix))]
fn writable_by_us(_path: &Path) -> bool {
    true
}

/// The directory `path` is in (`.` for a bare name) and its file name; an empty path or
/// one without a file name (`/`, `..`) is refused.
fn split(path: &Path) -> Result<(PathBuf, OsString)> {
    let fail = |message: &str| DataError::Write {
        path: path.to_path_buf(),
        message: message.to_owned(),
    };
    if path.as_os_str().is_empty() {
        return Err(fail("the path is empty"));
    }
    let name = path
        .file_name()
        .ok_or_else(|| fail("it does not name a file"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name.to_owned()))
}

/// A new, empty temporary file in `dir` for the final name `name`:
/// `.{name}.{random}.tmp`, created exclusively (never an existing file), removed when
/// dropped. The I/O error is the operating system's own, without the temporary's name.
fn temporary_beside(dir: &Path, name: &OsStr) -> io::Result<NamedTempFile> {
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(TEMPORARY_SUFFIX)
        .rand_bytes(RANDOM_CHARS)
        // `make_in` rather than `tempfile_in`: our own open keeps `File::create`'s
        // permissions and returns the bare OS error (tempfile's would add the random name).
        .make_in(dir, create_new)
}

/// Creates `path`, failing if it exists, as `File::create` would otherwise.
fn create_new(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o666);
    options.open(path)
}

/// Flushes `dir` to disk so that a rename in it is durable. Best effort: the rename has
/// already happened and cannot be undone, and some file systems refuse to flush a
/// directory (EINVAL), which does not make the file any less written.
fn sync_directory(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_write_puts_the_bytes_under_the_final_name_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.h5");
        write_atomically(&path, b"first").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        write_atomically(&path, b"second, longer").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second, longer");
        write_atomically(&path, b"").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"");
        assert_eq!(names(dir.path()), ["model.h5"]);
    }

    #[test]
    fn a_bare_name_is_in_the_current_directory() {
        let (dir, name) = split(Path::new("r.json")).unwrap();
        assert_eq!(
            (dir.as_path(), name.as_os_str()),
            (Path::new("."), OsStr::new("r.json"))
        );
        let (dir, name) = split(Path::new("out/r.json")).unwrap();
        assert_eq!(
            (dir.as_path(), name.as_os_str()),
            (Path::new("out"), OsStr::new("r.json"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_file_gets_the_permissions_file_create_gives() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        File::create(&plain).unwrap();
        let path = dir.path().join("atomic");
        write_atomically(&path, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), mode(&plain));
    }

    #[test]
    fn temporaries_are_hidden_random_siblings_of_the_final_name() {
        let dir = tempfile::tempdir().unwrap();
        let a = temporary_beside(dir.path(), OsStr::new("model.h5")).unwrap();
        let b = temporary_beside(dir.path(), OsStr::new("model.h5")).unwrap();
        for t in [&a, &b] {
            assert_eq!(t.path().parent(), Some(dir.path()));
            let name = t.path().file_name().unwrap().to_str().unwrap();
            let random = name
                .strip_prefix(".model.h5.")
                .and_then(|r| r.strip_suffix(".tmp"))
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(random.len(), RANDOM_CHARS, "{name}");
            assert!(random.chars().all(|c| c.is_ascii_alphanumeric()), "{name}");
        }
        // Two temporaries of one name in one process differ (a name by PID would not).
        assert_ne!(a.path(), b.path());
        drop((a, b));
        assert!(
            names(dir.path()).is_empty(),
            "dropped temporaries are removed"
        );
    }

    #[test]
    fn a_leftover_temporary_of_a_killed_run_is_neither_reused_nor_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.h5");
        let leftover = dir.path().join(".model.h5.AbC123.tmp");
        std::fs::write(&leftover, b"half a model").unwrap();
        write_atomically(&path, b"whole").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"whole");
        assert_eq!(std::fs::read(&leftover).unwrap(), b"half a model");
        assert_eq!(names(dir.path()), [".model.h5.AbC123.tmp", "model.h5"]);
    }

    #[test]
    fn a_failed_rename_removes_the_temporary_and_leaves_what_was_there() {
        let dir = tempfile::tempdir().unwrap();
        // The final name is a directory with a file in it: the temporary is written and
        // flushed, then the rename fails.
        let path = dir.path().join("taken.png");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside"), b"keep").unwrap();
        let err = write_atomically(&path, b"picture").unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}: cannot write: ", path.display())),
            "{err}"
        );
        assert!(err.contains("os error"), "{err}");
        assert_eq!(names(dir.path()), ["taken.png"]);
        assert_eq!(std::fs::read(path.join("inside")).unwrap(), b"keep");
    }

    #[test]
    fn a_missing_directory_or_a_path_without_a_name_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomically(&dir.path().join("nope/m.h5"), b"x").unwrap_err();
        assert!(
            err.to_string().contains("No such file or directory"),
            "{err}"
        );
        let err = write_atomically(Path::new(""), b"x").unwrap_err();
        assert!(err.to_string().contains("the path is empty"), "{err}");
        let err = write_atomically(Path::new("/"), b"x").unwrap_err();
        assert!(err.to_string().contains("does not name a file"), "{err}");
        assert!(names(dir.path()).is_empty());
    }

    /// A real write failure half-way through (EFBIG from a file-size limit, as a full disk
    /// gives ENOSPC): the test runs itself again in a child process limited to 64 KiB
    /// files, which writes 1 MiB; the parent checks what the child left.
    #[cfg(unix)]
    #[test]
    fn a_write_that_fails_half_way_leaves_the_old_file_and_no_temporary() {
        const CHILD: &str = "DNN_ATOMIC_TEST_CHILD_PATH";
        if let Some(path) = std::env::var_os(CHILD) {
            let err = write_atomically(Path::new(&path), &vec![7u8; 1 << 20]).unwrap_err();
            println!("child error: {err}");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.h5");
        std::fs::write(&path, b"old contents").unwrap();
        let exe = std::env::current_exe().unwrap();
        // `trap '' XFSZ` makes a write past the limit fail with EFBIG instead of killing.
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 64; exec \"$0\" \"$@\"")
            .arg(exe)
            .args([
                "--exact",
                "atomic::tests::a_write_that_fails_half_way_leaves_the_old_file_and_no_temporary",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, &path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        let want = format!(
            "child error: {}: cannot write: File too large (os error 27)",
            path.display()
        );
        assert!(stdout.contains(&want), "{stdout}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old contents");
        assert_eq!(names(dir.path()), ["model.h5"], "temporary left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_or_a_pipe_is_written_to_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        // (Not tried on /dev/null itself: were this broken, the test would replace the
        // machine's /dev/null with a file. A FIFO takes the same path through the code.)
        ensure_writable(Path::new("/dev/null")).unwrap();
        // A FIFO gets the bytes through it and stays a FIFO.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path and a plain mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomically(&fifo, b"through the pipe").unwrap();
        // Before joining: a replaced FIFO would leave the reader waiting forever.
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert_eq!(names(dir.path()), ["pipe"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_stays_a_link_and_its_target_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        let target = dir.path().join("real/model.h5");
        std::fs::write(&target, b"old").unwrap();
        let link = dir.path().join("model.h5");
        std::os::unix::fs::symlink("real/model.h5", &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(names(&dir.path().join("real")), ["model.h5"]);
        // A dangling link: its target is created.
        let dangling = dir.path().join("new.h5");
        std::os::unix::fs::symlink("real/created.h5", &dangling).unwrap();
        write_atomically(&dangling, b"made").unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("real/created.h5")).unwrap(),
            b"made"
        );
        // A loop is an error, not a hang.
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        let e = write_atomically(&a, b"x").unwrap_err().to_string();
        assert!(e.contains("too many levels of symbolic links"), "{e}");
    }

    #[test]
    fn ensure_writable_refuses_missing_directories_and_directories() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope").join("model.h5");
        let msg = ensure_writable(&missing).unwrap_err().to_string();
        assert!(msg.contains("does not exist"), "{msg}");
        let msg = ensure_writable(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("is a directory"), "{msg}");
        let file = dir.path().join("file");
        std::fs::write(&file, b"").unwrap();
        let msg = ensure_writable(&file.join("model.h5"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("is not a directory"), "{msg}");
        ensure_writable(&dir.path().join("ok.h5")).unwrap();
        assert_eq!(names(dir.path()), ["file"], "the probe file is removed");
    }

    /// `chmod 444 keep.h5` protects it: a write or a check refuses it, whoever runs it
    /// (root included: a rename ignores the file's mode), and it is left as it was.
    #[cfg(unix)]
    #[test]
    fn a_read_only_file_is_refused_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keep.h5");
        std::fs::write(&path, b"precious").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let msg = write_atomically(&path, b"new").unwrap_err().to_string();
        assert!(
            msg.ends_with("keep.h5: cannot write: the file is read-only (mode 444); give another name, or make it writable (chmod u+w) to replace it"),
            "{msg}"
        );
        assert_eq!(ensure_writable(&path).unwrap_err().to_string(), msg);
        assert_eq!(std::fs::read(&path).unwrap(), b"precious");
        assert_eq!(names(dir.path()), ["keep.h5"]);
        // Through a link too.
        let link = dir.path().join("latest.h5");
        std::os::unix::fs::symlink("keep.h5", &link).unwrap();
        assert!(write_atomically(&link, b"new").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"precious");
    }

    /// A replaced file keeps its mode; a new one gets `File::create`'s.
    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.h5");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            (std::fs::read(&path).unwrap(), mode),
            (b"new".to_vec(), 0o640)
        );
    }

    /// A temporary is listed from its creation to its rename, so that an exit in between
    /// can remove it ([`abandon_writes`]), leaving the final file as it was.
    #[test]
    fn an_exit_mid_write_removes_the_temporary_and_keeps_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.h5");
        std::fs::write(&path, b"old").unwrap();
        let (d, name) = split(&path).unwrap();
        let tmp = Listed::create(&d, &name).unwrap();
        assert_eq!(names(dir.path()).len(), 2);
        // Only this test's: other tests of this binary may be writing too.
        let removed = remove_listed(&mut in_progress(), |p| p.starts_with(dir.path()));
        assert_eq!(removed, 1);
        assert_eq!(names(dir.path()), ["model.h5"]);
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert!(!in_progress().iter().any(|p| p.starts_with(dir.path())));
        // Dropping it then finds nothing to remove, and nothing listed.
        drop(tmp);
        // A finished write is listed no more.
        write_atomically(&path, b"new").unwrap();
        assert!(!in_progress().iter().any(|p| p.starts_with(dir.path())));
    }
}
