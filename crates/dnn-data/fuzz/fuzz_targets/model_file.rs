//! `cargo +nightly fuzz run model_file`: any bytes as a model file.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    dnn_data_fuzz::check_model(bytes);
});
