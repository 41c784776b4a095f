//! dnn-core's integration tests, in one test binary: each file under `tests/core/` used to be
//! its own binary, and each re-compiled and optimised the library's generic training code and
//! linked separately; one binary compiles it once. `tests/no_allocation.rs` stays a binary of
//! its own because it installs a counting global allocator.
//!
//! Run one file's tests with a filter: `cargo test -p dnn-core --test core steps_vs_numpy::`.

mod common;

mod class_weights;
mod control;
mod early_stopping;
mod engine;
mod improving;
mod properties;
mod regression;
mod rng_vs_numpy;
mod shapes;
mod softmax;
mod steps_vs_numpy;
mod validation;
mod watched;
