//! dnn-data's integration tests, in one test binary: each file under `tests/data/` used to be
//! its own binary, and each re-compiled and optimised the generic code of dnn-core and
//! dnn-data and linked separately; one binary compiles it once.
//!
//! Run one file's tests with a filter: `cargo test -p dnn-data --test data model_file::`.

mod cat_files;
mod cat_real;
mod dataset;
mod dates;
mod decimal_comma;
mod f32_inputs;
mod folder_layouts;
mod groups;
mod held_out;
mod image_csv;
mod missing_numbers;
mod model_file;
mod npz_values;
mod onnx_export;
mod picture;
mod planar;
mod properties;
mod regression;
mod safetensors_file;
mod split_reference;
mod table_hygiene;
mod tables;
mod text_columns;
mod toy;
mod unlabeled;
mod whole;
