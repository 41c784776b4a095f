//! # dnn-core
//!
//! Deep fully-connected neural networks, step by step — the classic numpy exercise
//! in Rust, to the last digit, and a fast engine for real use.
//!
//! * [`steps`]: the exercise's functions one for one (`initialize_parameters_deep`,
//!   `l_model_forward`, `compute_cost`, `l_model_backward`, `update_parameters`, ...),
//!   in `f64`, with the exercise's caches and gradients.
//! * [`Network`]: the training engine, generic over `f32`/`f64` ([`Float`]), with a
//!   builder, five initialisation schemes ([`Init`]), checked hyper-parameters
//!   ([`TrainParams`] → [`TrainConfig`]), an observer that can stop training, and
//!   divergence detection.
//! * [`NumpyRng`]: numpy's legacy `RandomState`, bit for bit, so `NumpyRng::new(1)`
//!   gives the same weights as `np.random.seed(1)`.
//!
//! BLAS comes from the system's OpenBLAS through ndarray's `blas` feature.
//! dnn-core does no I/O: data loading lives in `dnn-data`, the command line in `dnn-cli`.
//!
//! ```
//! use dnn_core::{Init, Network, NumpyRng, TrainParams};
//! use ndarray::Array2;
//!
//! let x = Array2::from_shape_fn((3, 50), |(i, j)| ((i * 50 + j) % 7) as f64 / 7.0 - 0.4);
//! let y = x.row(0).mapv(|v| (v > 0.0) as u8 as f64).insert_axis(ndarray::Axis(0));
//! let mut net = Network::<f64>::builder(&[3, 4, 1]).init(Init::He).build(&mut NumpyRng::new(1))?;
//! let report = net.fit(&x, &y, &TrainParams::new().learning_rate(0.5).iterations(500).check()?)?;
//! println!("cost {:.4} -> {:.4}", report.costs()[0], report.final_cost().unwrap());
//! assert!(net.accuracy(&x, &y)? > 0.9);
//! # Ok::<(), dnn_core::DnnError>(())
//! ```

#![warn(missing_docs)]

// Links OpenBLAS (the `blas` feature of ndarray needs a provider crate linked in).
extern crate blas_src;

pub mod activation;
pub mod blas;
pub mod cost;
pub mod error;
pub mod float;
pub mod gradcheck;
pub mod init;
mod kernels;
pub mod network;
pub mod optim;
pub mod rng;
pub mod steps;
pub mod train;

/// The README's example compiles and runs (as a doctest).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

pub use activation::Activation;
pub use error::{DnnError, Result};
pub use float::Float;
pub use init::Init;
pub use network::{Layer, Network, NetworkBuilder};
pub use rng::NumpyRng;
pub use train::{Progress, TrainConfig, TrainParams, TrainReport, DEFAULT_DIVERGENCE_FACTOR};
