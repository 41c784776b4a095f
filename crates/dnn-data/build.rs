//! Generates the ONNX message types (`$OUT_DIR/onnx.rs`, included by `src/onnx.rs`) from the
//! official schema in `proto/onnx.proto`, with prost-build and the `protoc` that the
//! protoc-bin-vendored crate ships: no system protoc and nothing downloaded at build time.

fn main() {
    println!("cargo:rerun-if-changed=proto/onnx.proto");
    let protoc = match protoc_bin_vendored::protoc_bin_path() {
        Ok(path) => path,
        Err(e) => {
            println!("cargo:warning=protoc-bin-vendored has no protoc for this platform: {e}");
            std::process::exit(1);
        }
    };
    let mut config = prost_build::Config::new();
    config.protoc_executable(protoc);
    // The schema's comments would become doc comments, and rustdoc would try their indented
    // examples as doctests; the schema itself is the documentation.
    config.disable_comments(["."]);
    if let Err(e) = config.compile_protos(&["proto/onnx.proto"], &["proto"]) {
        println!("cargo:warning=cannot generate the ONNX types from proto/onnx.proto: {e}");
        std::process::exit(1);
    }
}
