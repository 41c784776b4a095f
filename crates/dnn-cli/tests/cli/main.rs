//! The `dnn` command's tests, in one test binary: each file under `tests/cli/` used to be its
//! own binary, and each one compiled and linked on its own (about 15 s each on 2 cores in a
//! cold CI build). Three stay binaries of their own, because they time what they run and
//! would then run beside a training test of this binary: `invocations.rs` (every invocation
//! within 3 s), `interrupt.rs` (a kill during a save) and `serve_browser.rs` (a real
//! Chromium). They include `common.rs`, `fixtures.rs` and `server.rs` from here by path.
//!
//! Run one file's tests with a filter: `cargo test -p dnn-cli --test cli e2e_toy::`.

mod common;
mod fixtures;
mod server;

mod bad_invocations;
mod class_weights;
mod cross_validate;
mod dates;
mod decimal_comma;
mod describe;
mod e2e_cat;
mod e2e_export;
mod e2e_own_data;
mod e2e_planar;
mod e2e_toy;
mod early_stopping;
mod environment;
mod extrapolation;
mod failed_saves;
mod from_model;
mod group_split;
mod image_csv;
mod importance;
mod new_data;
mod output_paths;
mod parse_numbers;
mod pictures;
mod pipes;
mod predict_columns;
mod readme;
mod serve_class_weights;
mod serve_clients;
mod serve_http;
mod sklearn;
mod terminal;
mod threshold;
mod unlabeled_rows;
