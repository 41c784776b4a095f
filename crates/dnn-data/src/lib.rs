//! Data sets for `dnn`: the HDF5 cat/non-cat images, the user's own data (image folders,
//! CSV tables, NumPy archives, any course-style HDF5 set), the planar "flower" set, and
//! model files.
//!
//! * [`dataset`]: one [`Dataset`] whatever the source: [`load`] detects the format and
//!   calls its reader ([`course`], [`folder`], [`table`], [`npz`]); class names and order
//!   ([`classes`]), a regression's target ([`target`]), the split of a source without a test
//!   part ([`split`]: stratified, or shuffled for a regression) and the z-score
//!   ([`standardize`]) are shared steps; [`Dataset::hold_out`] ([`validation`]) takes a
//!   validation part out of the training part; [`fingerprint`] is the SHA-256 that tells
//!   the data a model was trained on from new data.
//! * [`cat`]: loads `train_catvnoncat.h5` / `test_catvnoncat.h5`, validates every
//!   key, shape, type and label, and flattens the images as numpy's
//!   `x.reshape(m, -1).T / 255` does, into `(12288, m)` matrices (one column per example).
//! * [`planar`]: the flower data set, bit for bit as numpy generates it.
//! * [`image`]: a JPEG/PNG picture of any size as a `(12288, 1)` input column.
//! * [`model`]: trained networks as HDF5 model files; [`model::load_model`] also reads
//!   the safetensors files of [`export`].
//! * [`export`]: a model as ONNX ([`onnx`]) or safetensors ([`safetensors`]), for
//!   onnxruntime, PyTorch and the rest of the ecosystem.
//! * [`importance`]: permutation importance, how much a model's score drops when one of a
//!   table's columns is shuffled, with scikit-learn's shuffles.
//! * [`atomic`]: the one way dnn writes a file (models, pictures, reports), so that no
//!   failure or kill ever leaves part of one.
//!
//! Every failure is a [`DataError`] whose message names the file and the numbers
//! that were wrong.
//!
//! ```no_run
//! use dnn_data::{CatDataset, DataError};
//!
//! # fn main() -> Result<(), DataError> {
//! let data = CatDataset::<f64>::load("data")?;
//! assert_eq!(data.train_x.dim(), (12288, 209));
//! assert_eq!(data.train_y.dim(), (1, 209));
//! println!("{} cats among {} training images", data.train_y.sum(), data.train_len());
//!
//! let mine = dnn_data::image::load_picture::<f64>("my_cat.jpg")?; // (12288, 1)
//! # let _ = mine;
//! let (x, y) = dnn_data::planar::flower(1); // (2, 400), (1, 400)
//! # let _ = (x, y);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod atomic;
pub mod cat;
pub mod categories;
pub mod classes;
pub mod course;
pub mod dataset;
pub mod dates;
pub mod error;
pub mod export;
pub mod fingerprint;
pub mod folder;
pub mod image;
pub mod image_csv;
pub mod importance;
pub mod missing;
pub mod model;
pub mod npz;
pub mod number;
pub mod onnx;
pub mod planar;
pub mod profile;
pub mod ranges;
pub mod safetensors;
pub mod split;
pub mod standardize;
pub mod table;
pub mod table_checks;
pub mod target;
pub mod toy;
pub mod validation;

pub use cat::{
    flatten_images, labels_row, load_cat_dataset, locate_data_dir, read_split, CatDataset,
    RawSplit, Split, DATA_DIR_ENV, TEST_FILE, TRAIN_FILE,
};
pub use classes::ClassChoice;
pub use dataset::{
    example_major, load, load_as, DataSpec, Dataset, Format, Input, LoadOptions, OneHot, Parts,
    Source, SplitSpec,
};
pub use error::{DataError, Result};
/// The HDF5 element trait that [`model::save_model`] asks of a network's float type (`f32`
/// and `f64` have it), re-exported so that code generic over [`dnn_core::Float`] can name it
/// without depending on the HDF5 crate: `F: Float + dnn_data::H5Type`.
pub use hdf5::H5Type;
pub use image::{load_picture, ImageLimits};
pub use standardize::{Standardization, ZScore};
pub use target::{TargetScale, Task};
pub use validation::HeldOut;
