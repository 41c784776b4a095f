//! The real cat data set against numbers numpy computed (tests/reference/gen_expected.py).
//!
//! The data is found in `$DNN_DATA_DIR`, `<workspace>/data` or `<workspace>/../shared/data`.
//! If none has it, these tests FAIL (never skip) and say to run `cargo xtask fetch-data`.

use std::path::{Path, PathBuf};

use dnn_data::CatDataset;
use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

fn real_data() -> CatDataset<f64> {
    let dir = match dnn_data::locate_data_dir(workspace_root()) {
        Ok(dir) => dir,
        Err(e) => panic!("{e}"),
    };
    match CatDataset::<f64>::load(&dir) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    }
}

fn expected() -> Value {
    let text = include_str!("../reference/cat_expected.json");
    serde_json::from_str(text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn real_data_has_the_published_counts_and_shapes() {
    let data = real_data();
    assert_eq!(data.train_x.dim(), (12288, 209));
    assert_eq!(data.test_x.dim(), (12288, 50));
    assert_eq!(data.train_y.dim(), (1, 209));
    assert_eq!(data.test_y.dim(), (1, 50));
    assert_eq!(data.train_images.dim(), (209, 64, 64, 3));
    assert_eq!(data.test_images.dim(), (50, 64, 64, 3));
    assert_eq!(data.train_y.sum(), 72.0);
    assert_eq!(data.test_y.sum(), 33.0);
    assert_eq!(data.classes, vec!["non-cat", "cat"]);
    assert!(data.train_x.iter().all(|&v| (0.0..=1.0).contains(&v)));
}

/// Pixels gen_expected.py probes (example, row, column, channel) in the training set.
const PROBES: usize = 4;

#[test]
fn real_data_matches_numpy_bit_for_bit() {
    let data = real_data();
    let e = expected();
    assert_eq!(e["train_cats"], 72);
    assert_eq!(e["test_cats"], 33);
    let col0: Vec<f64> = data.train_x.column(0).iter().take(5).copied().collect();
    assert_eq!(col0, floats(&e["train_x_col0_first5"]));
    let col1: Vec<f64> = data.train_x.column(1).iter().take(5).copied().collect();
    assert_eq!(col1, floats(&e["train_x_col1_first5"]));
    let t0: Vec<f64> = data.test_x.column(0).iter().take(5).copied().collect();
    assert_eq!(t0, floats(&e["test_x_col0_first5"]));
    let last: Vec<f64> = data.train_x.row(12287).iter().take(5).copied().collect();
    assert_eq!(last, floats(&e["train_x_last_row_first5"]));
    let ty: Vec<f64> = data.train_y.iter().take(20).copied().collect();
    assert_eq!(ty, floats(&e["train_y_first20"]));
    let sy: Vec<f64> = data.test_y.iter().take(20).copied().collect();
    assert_eq!(sy, floats(&e["test_y_first20"]));
    let probes = e["train_probes"].as_array().unwrap();
    assert_eq!(probes.len(), PROBES, "probes in the fixture");
    for p in probes {
        let (j, f) = (
            p["example"].as_u64().unwrap() as usize,
            p["feature"].as_u64().unwrap() as usize,
        );
        let (r, c, ch) = (
            p["row"].as_u64().unwrap() as usize,
            p["col"].as_u64().unwrap() as usize,
            p["channel"].as_u64().unwrap() as usize,
        );
        assert_eq!(f, (r * 64 + c) * 3 + ch);
        assert_eq!(
            data.train_x[[f, j]],
            p["value"].as_f64().unwrap(),
            "probe {p}"
        );
        assert_eq!(
            f64::from(data.train_images[[j, r, c, ch]]) / 255.0,
            data.train_x[[f, j]]
        );
    }
}
