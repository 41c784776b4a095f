//! dnn against scikit-learn's `MLPClassifier` on four tables (scikit-learn's bundled
//! breast-cancer and digits sets, a generated `make_classification` set, and a generated
//! table with two text columns that scikit-learn's `OneHotEncoder` encodes), with the same
//! split, standardisation, hidden sizes and Adam set-up: dnn's test accuracy must be within
//! 2 points of scikit-learn's. The same run checks `dnn evaluate`'s per-class precision,
//! recall and F1 against scikit-learn's `classification_report` of `dnn predict`'s output,
//! and, on the table with text, `dnn predict`'s probabilities on raw rows against
//! onnxruntime's on the exported model fed scikit-learn's encoding of them.
//!
//! The comparison is `tests/reference/compare_sklearn.py` (rerun it by hand with
//! `--dnn target/release/dnn`); it needs the Python venv `cargo xtask test` makes, named by
//! DNN_PYTHON.

use crate::common;

use serde_json::Value;

#[test]
fn dnn_is_within_two_points_of_scikit_learns_mlp_on_four_tables() {
    let python = std::env::var("DNN_PYTHON").unwrap_or_else(|_| {
        panic!(
            "DNN_PYTHON is not set: this test runs scikit-learn in the Python venv that \
             `cargo xtask test` makes and names in DNN_PYTHON. Run `cargo xtask test`, or \
             `DNN_PYTHON=target/py-venv/bin/python cargo test -p dnn-cli --test cli sklearn::` once \
             the venv has numpy, h5py and scikit-learn"
        )
    });
    let script = common::workspace_root().join("crates/dnn-cli/tests/reference/compare_sklearn.py");
    let tmp = tempfile::tempdir().expect("tempdir");
    let json = tmp.path().join("results.json");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg("--dnn")
        .arg(env!("CARGO_BIN_EXE_dnn"))
        .arg("--out")
        .arg(tmp.path())
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{} failed:\n{stdout}\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{stdout}");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("results")).expect("json");
    let results = doc["results"].as_array().expect("results");
    assert_eq!(results.len(), 4, "four tables");
    let mut with_text = 0;
    for r in results {
        let name = &r["table"];
        let dnn = r["dnn_test_accuracy"].as_f64().expect("dnn");
        let sklearn = r["sklearn_test_accuracy"].as_f64().expect("sklearn");
        assert!(
            (dnn - sklearn).abs() <= 0.02,
            "{name}: dnn {dnn} vs scikit-learn {sklearn}: more than 2 points apart"
        );
        // What train reported is what predict's classes give on the test rows.
        assert_eq!(
            r["dnn_test_accuracy_from_predict"].as_f64(),
            Some(dnn),
            "{name}"
        );
        // evaluate prints 4 digits: half a unit in the last digit, and the float's own error.
        let worst = r["report_max_abs_difference"].as_f64().expect("report");
        assert!(
            worst <= 0.5e-4 + 1e-12,
            "{name}: dnn evaluate's report differs from scikit-learn's by {worst}"
        );
        // predict prints 6 digits: half a unit in the last, and the float's own error.
        if let Some(onnx) = r["onnx_max_abs_difference"].as_f64() {
            with_text += 1;
            // dnn's network takes as many inputs as scikit-learn's encoding makes.
            assert_eq!(r["dnn_inputs"], r["inputs"], "{name}: {r}");
            assert!(
                r["inputs"].as_u64() > r["features"].as_u64(),
                "{name}: its text columns make more inputs than columns: {r}"
            );
            assert!(
                onnx <= 0.5e-6 + 1e-12,
                "{name}: dnn predict and onnxruntime on scikit-learn's one-hot encoding differ by {onnx}"
            );
        }
    }
    assert_eq!(with_text, 1, "one table has text columns");
}
