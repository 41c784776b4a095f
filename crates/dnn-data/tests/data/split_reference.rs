//! The split references that `tests/reference/gen_split.py` records (numpy's and
//! scikit-learn's indices), read once for the tests that check each split against them.

use std::path::Path;

/// The cases of `split_expected.json` under `kind`: `cases` (stratified), `shuffled`,
/// `grouped`.
pub fn cases(kind: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/split_expected.json"),
    )
    .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc[kind].as_array().unwrap().clone()
}

/// A JSON array of indices.
pub fn ints(v: &serde_json::Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}
