//! Benchmarks for dnn (see benches/).
