//! Lines to standard output and standard error that a reader going away cannot turn into a
//! lost run: `dnn train --save m.h5 | head -1` must still save `m.h5`.
//!
//! `dnn` ends quietly on `SIGPIPE`, as Unix tools do ([`crate::main`]'s default), which
//! suits a command whose only product is what it prints (`dnn predict | head`). A command
//! that writes files after printing (a model, a plot, a report) calls
//! [`keep_running_when_readers_leave`] first, and prints with [`say!`] and [`tell!`]: a
//! write to a closed pipe then fails, the stream is given up (nothing more is printed on
//! it) and the work goes on to its files. `println!` would panic there.

use std::fmt::Arguments;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether standard output, or standard error, failed a write and is given up.
static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDERR_GONE: AtomicBool = AtomicBool::new(false);

/// Makes a write to a pipe whose reader went away fail (`EPIPE`), rather than end the
/// process on `SIGPIPE`: for commands whose files come after their printed lines.
pub fn keep_running_when_readers_leave() {
    #[cfg(unix)]
    // SAFETY: SIG_IGN is a valid disposition; `signal` may be called with other threads
    // running, and none of ours handles SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// Writes `args` and a line break to standard output, unless it is given up; a failed write
/// gives it up.
pub fn out_line(args: Arguments<'_>) {
    write_line(&mut std::io::stdout().lock(), &STDOUT_GONE, args);
}

/// As [`out_line`], to standard error; while [`capture_err`] runs, into its lines instead.
pub fn err_line(args: Arguments<'_>) {
    let captured = CAPTURED.with(|c| match c.borrow_mut().as_mut() {
        Some(lines) => {
            lines.push(args.to_string());
            true
        }
        None => false,
    });
    if !captured {
        write_line(&mut std::io::stderr().lock(), &STDERR_GONE, args);
    }
}

thread_local! {
    /// The lines [`err_line`] keeps rather than prints, while [`capture_err`] runs.
    static CAPTURED: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f`, keeping the lines it prints with [`tell!`] on this thread (a loading's
/// warnings) rather than printing them, and returns them: `dnn describe` shows the warnings
/// `dnn train` prints, from the same code.
pub fn capture_err<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    let outer = CAPTURED.with(|c| c.borrow_mut().replace(Vec::new()));
    let value = f();
    let lines = CAPTURED.with(|c| std::mem::replace(&mut *c.borrow_mut(), outer));
    (value, lines.unwrap_or_default())
}

fn write_line(w: &mut impl Write, gone: &AtomicBool, args: Arguments<'_>) {
    if gone.load(Ordering::Relaxed) {
        return;
    }
    let written = w
        .write_fmt(args)
        .and_then(|()| w.write_all(b"\n"))
        .and_then(|()| w.flush());
    // A reader that went away (`| head`) or a full disk: the lines are lost either way,
    // and the run's files are worth more than the lines after them.
    if written.is_err() {
        gone.store(true, Ordering::Relaxed);
    }
}

/// `println!` that gives standard output up, rather than panicking, when a write fails
/// (see the [module docs](crate::output)).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::out_line(format_args!($($arg)*))
    };
}

/// `eprintln!` that gives standard error up, rather than panicking, when a write fails.
macro_rules! tell {
    ($($arg:tt)*) => {
        $crate::output::err_line(format_args!($($arg)*))
    };
}

pub(crate) use {say, tell};

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that fails every write, as a pipe without a reader does.
    struct Closed(usize);

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            self.0 += 1;
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_write_gives_the_stream_up_without_panicking() {
        let gone = AtomicBool::new(false);
        let mut closed = Closed(0);
        write_line(
            &mut closed,
            &gone,
            format_args!("Cost after iteration {}", 0),
        );
        assert!(gone.load(Ordering::Relaxed));
        write_line(&mut closed, &gone, format_args!("Train accuracy"));
        assert_eq!(closed.0, 1, "written to again after it failed");
        let mut open = Vec::new();
        write_line(&mut open, &AtomicBool::new(false), format_args!("a {}", 1));
        assert_eq!(open, b"a 1\n");
    }

    #[test]
    fn captured_lines_are_kept_not_printed_and_capture_ends_with_its_call() {
        let ((), lines) = capture_err(|| {
            tell!("warning: one");
            let ((), inner) = capture_err(|| tell!("inner"));
            assert_eq!(inner, ["inner"]);
            tell!("warning: {}", 2);
        });
        assert_eq!(lines, ["warning: one", "warning: 2"]);
        assert!(CAPTURED.with(|c| c.borrow().is_none()));
    }
}
