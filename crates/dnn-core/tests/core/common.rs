//! Shared helpers for the tests that compare dnn-core with numpy: loading the JSON fixtures
//! written by `tests/reference/gen_fixtures.py` and comparing arrays.

use ndarray::{Array1, Array2};
use serde_json::Value;
use std::path::PathBuf;

/// Loads `tests/data/<name>`; the message says how to regenerate it if it is missing.
pub fn load(name: &str) -> Value {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data", name]
        .iter()
        .collect();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read fixture {}: {e}; regenerate with \
             `python crates/dnn-core/tests/reference/gen_fixtures.py` (needs numpy)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON in {}: {e}", path.display()))
}

pub fn get<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key)
        .unwrap_or_else(|| panic!("fixture has no key {key:?}"))
}

pub fn list(v: &Value) -> &Vec<Value> {
    v.as_array().expect("fixture value is not a list")
}

pub fn f(v: &Value) -> f64 {
    v.as_f64().expect("fixture value is not a number")
}

pub fn u(v: &Value) -> usize {
    v.as_u64()
        .expect("fixture value is not an unsigned integer") as usize
}

pub fn s(v: &Value) -> &str {
    v.as_str().expect("fixture value is not a string")
}

pub fn usizes(v: &Value) -> Vec<usize> {
    list(v).iter().map(u).collect()
}

fn shape_and_data(v: &Value) -> (Vec<usize>, Vec<f64>) {
    let shape = usizes(get(v, "shape"));
    let data: Vec<f64> = list(get(v, "data")).iter().map(f).collect();
    assert_eq!(
        shape.iter().product::<usize>(),
        data.len(),
        "fixture array size"
    );
    (shape, data)
}

/// `{"shape": [r, c], "data": [...row-major...]}` -> `Array2<f64>`.
pub fn arr2(v: &Value) -> Array2<f64> {
    let (shape, data) = shape_and_data(v);
    assert_eq!(shape.len(), 2, "fixture array is not 2-D");
    Array2::from_shape_vec((shape[0], shape[1]), data).unwrap()
}

/// `{"shape": [n], "data": [...]}` -> `Array1<f64>`.
pub fn arr1(v: &Value) -> Array1<f64> {
    let (shape, data) = shape_and_data(v);
    assert_eq!(shape.len(), 1, "fixture array is not 1-D");
    Array1::from_vec(data)
}

/// A list of rows, `[[...], [...]]` (numpy's `tolist()`), -> `Array2<f64>`.
pub fn nested(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = list(v)
        .iter()
        .map(|r| list(r).iter().map(f).collect())
        .collect();
    let cols = rows.first().map_or(0, Vec::len);
    assert!(
        rows.iter().all(|r| r.len() == cols),
        "fixture rows of unequal lengths"
    );
    Array2::from_shape_fn((rows.len(), cols), |(i, j)| rows[i][j])
}

/// Compares with |got - want| <= tol * max(1, |want|), counting the values compared.
pub struct Close {
    pub tol: f64,
    pub count: usize,
}

impl Close {
    pub fn new(tol: f64) -> Self {
        Close { tol, count: 0 }
    }

    pub fn scalar(&mut self, what: &str, got: f64, want: f64) {
        let ok = (got - want).abs() <= self.tol * want.abs().max(1.0);
        assert!(
            ok,
            "{what}: got {got:.17e}, numpy {want:.17e} (diff {:.3e}, tol {:.0e})",
            (got - want).abs(),
            self.tol
        );
        self.count += 1;
    }

    pub fn arr(&mut self, what: &str, got: &Array2<f64>, want: &Array2<f64>) {
        assert_eq!(got.dim(), want.dim(), "{what}: shape differs from numpy");
        for ((idx, g), w) in got.indexed_iter().zip(want.iter()) {
            self.scalar(&format!("{what}[{}, {}]", idx.0, idx.1), *g, *w);
        }
    }
}

/// The panic message of `f`, which must panic.
pub fn panic_message(f: impl FnOnce()) -> String {
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("should panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap()
}

/// Every parameter's bits, layer by layer (weights, then biases).
pub fn bits(net: &dnn_core::Network<f64>) -> Vec<u64> {
    net.layers()
        .iter()
        .flat_map(|l| l.weights().iter().chain(l.bias().iter()))
        .map(|v| v.to_bits())
        .collect()
}
