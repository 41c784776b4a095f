//! # dnn-core
//!
//! Deep fully-connected neural networks, step by step — the classic numpy exercise
//! in Rust, to the last digit, and a fast engine for real use.
//!
//! * [`steps`]: the exercise's functions one for one (`initialize_parameters_deep`,
//!   `l_model_forward`, `compute_cost`, `l_model_backward`, `update_parameters`, ...),
//!   in `f64`, with the exercise's caches and gradients.
//! * [`Network`]: the training engine, generic over `f32`/`f64` ([`Float`]), with a
//!   builder, six initialisation schemes ([`Init`]), checked hyper-parameters
//!   ([`TrainParams`] → [`TrainConfig`]: mini-batches, [`Optimizer`]s, [`LrDecay`], L2,
//!   dropout), an observer that can stop training, a held-out validation set with early
//!   stopping ([`Validation`]), and divergence detection.
//! * [`NumpyRng`]: numpy's legacy `RandomState`, bit for bit, so `NumpyRng::new(1)`
//!   gives the same weights as `np.random.seed(1)`; any other generator draws weights
//!   through [`Polar`] (both are [`GaussianSource`]s).
//! * The math on its own, formula first: [`cost`] and [`regularization`]; gradient checking
//!   with [`gradient_check`]; what the engine runs on in [`diagnostics`].
//!
//! The training engine's matrix products run on dnn-core's own GEMM, which picks AVX-512, AVX2
//! or portable kernels at run time and checks them at first use ([`diagnostics::gemm_info`]);
//! the step-by-step functions use the system's OpenBLAS through ndarray's `blas` feature.
//! dnn-core does no I/O: data loading lives in `dnn-data`, the command line in `dnn-cli`.
//! So do model files: to save a trained [`Network`] and load it back (HDF5, with its
//! training set-up), use `dnn_data::model::save_model` and `dnn_data::model::load_model`;
//! to export it for other runtimes (ONNX, safetensors), `dnn_data::export::export`.
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

mod activation;
mod blas;
mod cache;
mod class_weight;
pub mod cost;
pub mod diagnostics;
mod divide;
mod error;
mod float;
mod forward;
mod gemm;
mod gradcheck;
mod huge_pages;
mod init;
mod kernels;
mod memory;
mod network;
mod optim;
mod prefetch;
pub mod regularization;
mod replaced;
mod rng;
pub mod steps;
mod train;
mod wide;

/// The README's example compiles and runs (as a doctest).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

pub use activation::Activation;
pub use class_weight::ClassWeights;
pub use error::{Divergence, DivergenceCause, DnnError, LastGood, Result, TrainingStep};
pub use float::Float;
pub use gemm::{set_threads, MAX_THREADS};
pub use gradcheck::{gradient_check, gradient_check_sampled, gradient_check_weighted};
pub use init::Init;
pub use memory::fits_in_memory;
pub use network::{classes_above, classes_at, classes_of, one_hot, Layer, Network, NetworkBuilder};
pub use optim::{LrDecay, Optimizer};
pub use replaced::ReplacedInputs;
pub use rng::{GaussianSource, NumpyRng, Polar};
pub use train::{
    BatchProgress, GramForm, LayerGradients, PartialEpoch, PhaseTimes, Progress, StepOrder,
    TrainConfig, TrainControl, TrainDiagnostics, TrainParams, TrainReport,
    DEFAULT_DIVERGENCE_FACTOR,
};
pub use train::{EarlyStopping, Validation, ValidationHistory};
