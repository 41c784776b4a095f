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
mod folds;
mod groups;
mod held_out;
mod image_csv;
mod layout;
mod missing_numbers;
mod model_file;
mod npz_values;
mod onnx_export;
mod parse_numbers;
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

/// A network for `spec` (its inputs, 3 hidden units, one output), saved as an HDF5 model in
/// `dir` and exported from it as safetensors: each read back with `spec` whole. Returns the
/// network, for saving other specs with.
pub(crate) fn spec_survives_both_formats(
    dir: &std::path::Path,
    spec: &dnn_data::DataSpec,
) -> dnn_core::Network<f64> {
    use dnn_data::model::{load_model, save_model_with, TrainingSetup};
    let net = dnn_core::Network::<f64>::builder(&[spec.input.features(), 3, 1])
        .init(dnn_core::Init::He)
        .build(&mut dnn_core::NumpyRng::new(1))
        .unwrap();
    let h5 = dir.join("m.h5");
    save_model_with(&h5, &net, &TrainingSetup::default(), spec).unwrap();
    let model = load_model(&h5).unwrap();
    assert_eq!(model.spec.as_ref(), Some(spec));
    let st = dir.join("m.safetensors");
    dnn_data::export::export(&st, &model, dnn_data::export::Format::Safetensors).unwrap();
    assert_eq!(load_model(&st).unwrap().spec.as_ref(), Some(spec));
    net
}

/// The error of saving `spec` (a damaged one) with `net` as an HDF5 model in `dir`.
pub(crate) fn save_error(
    dir: &std::path::Path,
    net: &dnn_core::Network<f64>,
    spec: &dnn_data::DataSpec,
) -> String {
    use dnn_data::model::{save_model_with, TrainingSetup};
    save_model_with(dir.join("bad.h5"), net, &TrainingSetup::default(), spec)
        .unwrap_err()
        .to_string()
}
