//! `dnn serve`: a local web page to watch a network learn (the cost falling, the decision
//! boundary forming) and to try a trained model on your own pictures or tables.
//!
//! The server is axum on tokio. `serve/routes.rs` lists every route; the shared state is
//! one struct behind an `Arc` (`serve/state.rs`); each group of handlers has its file:
//! `datasets`, `training` (the Train view), `predict`, `inspect` and `page` (the HTML, JS
//! and CSS of `serve/page/`, embedded in the binary). Training runs on a blocking thread
//! and reports through a channel; Ctrl-C stops it as it stops `dnn train`, then the server.
//! Every request first passes `guard` (its Host must name this server; a change must not
//! come from another web page).

mod datasets;
mod error;
mod guard;
mod inspect;
mod models;
mod page;
mod predict;
mod routes;
mod state;
mod training;

use std::future::IntoFuture;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;

use crate::data::ReadFlags;
use crate::interrupt::Interrupt;
use crate::{Exit, EXIT_INTERRUPTED};
use state::AppState;

/// After Ctrl-C, open connections get this long to finish before the server exits anyway.
const GRACE: Duration = Duration::from_secs(5);
/// How often the server looks whether Ctrl-C was pressed.
const INTERRUPT_POLL: Duration = Duration::from_millis(50);

/// `dnn serve`'s flags.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on: an IP address, or localhost. Anything but a loopback
    /// address makes the page reachable from other machines.
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_host)]
    pub host: IpAddr,

    /// The port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value = "8080")]
    pub port: u16,

    /// A model file written by `dnn train` (HDF5), or a .safetensors from `dnn export`, to
    /// try in the Predict view and look at in the Inspect view.
    #[arg(long)]
    pub model: Option<PathBuf>,

    /// Your own data set for the Train view, in any format `dnn train --data` reads (an image
    /// folder, a CSV table, a .npz archive, a course-style HDF5 directory). The cat set itself
    /// is read from ./data (or $DNN_DATA_DIR), as `dnn train` reads it.
    #[arg(long)]
    pub data: Option<PathBuf>,

    /// How to read --data, as `dnn train` reads it.
    #[command(flatten)]
    pub reading: ReadFlags,
}

/// `--host`: an IP address, or `localhost` (127.0.0.1).
fn parse_host(s: &str) -> Result<IpAddr, String> {
    if s == "localhost" {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    s.parse::<IpAddr>().map_err(|_| {
        format!(
            "`{s}` is not an IP address; give one such as 127.0.0.1, ::1 or 0.0.0.0, or localhost"
        )
    })
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let file_model = args
        .model
        .as_deref()
        .map(models::ModelEntry::load)
        .transpose()?;
    if args.data.is_none() {
        if let Some(flag) = args.reading.given().first() {
            bail!("{flag} says how to read --data, which is not given; add --data PATH");
        }
    }
    let user_data = args
        .data
        .as_deref()
        .map(|path| datasets::load_user(path, &args.reading))
        .transpose()?;
    let addr = SocketAddr::new(args.host, args.port);
    let listener = std::net::TcpListener::bind(addr).map_err(|e| bind_error(addr, &e))?;
    listener
        .set_nonblocking(true)
        .context("cannot set up the listening socket")?;
    let listening = listener
        .local_addr()
        .context("cannot read the listening socket's address")?;
    let interrupt = Interrupt::graceful_quiet();
    let state = Arc::new(AppState::new(
        datasets::all(user_data),
        file_model,
        interrupt,
        guard::Guard::new(listening),
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(serve(listener, state.clone()))?;
    // Ctrl-C is the only way out: report the training it stopped, as `dnn train` does.
    if let Some(outcome) = state.current_run().and_then(|r| r.outcome()) {
        if outcome.interrupted {
            let run = state.current_run().expect("the run just read");
            eprintln!(
                "interrupted: the training on {} stopped after {} of {} {}",
                run.dataset_name,
                outcome.iterations_run,
                run.setup.iterations,
                if run.setup.batch_size.is_some() {
                    "epochs"
                } else {
                    "iterations"
                }
            );
        }
    }
    Err(Exit(EXIT_INTERRUPTED).into())
}

/// Why the server cannot listen on `addr`, and what to do, by the system's reason.
fn bind_error(addr: SocketAddr, e: &std::io::Error) -> anyhow::Error {
    use std::io::ErrorKind;
    let advice = match e.kind() {
        ErrorKind::AddrInUse => format!(
            "another program is listening on port {}; choose another --port (0 picks a free one)",
            addr.port()
        ),
        ErrorKind::AddrNotAvailable => format!(
            "{} is not an address of this machine; give --host one of its own addresses, \
             127.0.0.1 (this machine only) or 0.0.0.0 (every network)",
            addr.ip()
        ),
        ErrorKind::PermissionDenied => format!(
            "port {} is reserved for the system's administrator; choose a --port from 1024 \
             (0 picks a free one)",
            addr.port()
        ),
        _ => "check --host and --port".into(),
    };
    anyhow::anyhow!("cannot listen on {addr}: {e}; {advice}")
}

/// Serves until Ctrl-C, then stops the training, ends the event streams, and waits (up to
/// [`GRACE`]) for open requests.
async fn serve(listener: std::net::TcpListener, state: Arc<AppState>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)
        .context("cannot hand the listening socket to the runtime")?;
    let addr = listener.local_addr().context("no local address")?;
    println!("dnn serve: http://{addr}/ (Ctrl-C stops)");
    let interrupted = {
        let state = state.clone();
        async move {
            while !state.interrupt.requested() {
                tokio::time::sleep(INTERRUPT_POLL).await;
            }
            // The run stops after its mini-batch: its outcome (interrupted) reaches the event
            // streams before they end, so the page does not offer a model that is gone.
            if let Some(run) = state.current_run() {
                run.request_stop();
                let _ = tokio::time::timeout(GRACE, run.finished()).await;
            }
            state.shutdown.send_replace(true);
        }
    };
    let server = axum::serve(listener, routes::router(state.clone()))
        .with_graceful_shutdown(interrupted)
        .into_future();
    let mut shutdown = state.shutdown.subscribe();
    let deadline = async move {
        let _ = shutdown.wait_for(|&down| down).await;
        tokio::time::sleep(GRACE).await;
    };
    tokio::select! {
        served = server => served.context("the server failed")?,
        () = deadline => {}
    }
    if let Some(run) = state.current_run() {
        run.finished().await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_ip_addresses_or_localhost() {
        assert_eq!(
            parse_host("localhost").unwrap(),
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        );
        assert_eq!(parse_host("::1").unwrap().to_string(), "::1");
        assert!(parse_host("example.org")
            .unwrap_err()
            .contains("not an IP address"));
        assert!(parse_host("").is_err());
    }
}
