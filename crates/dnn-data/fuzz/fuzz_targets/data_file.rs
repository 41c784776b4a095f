//! `cargo +nightly fuzz run data_file`: any bytes as a cat data file.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    dnn_data_fuzz::check_data(bytes);
});
