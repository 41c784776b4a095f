//! dnn-core
extern crate blas_src;
