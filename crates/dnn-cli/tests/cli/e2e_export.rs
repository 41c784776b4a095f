//! `dnn export` end to end, checked by the ecosystem's own readers: models trained by the
//! `dnn` binary on the real cat data (the published L-layer network, the two-layer network,
//! logistic regression, the L-layer network in f32) and a softmax network trained on a small
//! generated set, and a table network whose model file records its columns and
//! standardisation, are exported both ways by `dnn export`; then `tests/export/check_export.py`
//! runs onnx's
//! checker, onnxruntime and the safetensors reader on them, in the Python that
//! `cargo xtask test` provides (`DNN_PYTHON`). Asserted:
//! * onnxruntime's probabilities equal dnn's (to 1e-12 in f64, 1e-5 in f32), on the raw
//!   pixels as h5py and numpy read and flatten them, and its train and test accuracies equal
//!   the ones `dnn evaluate` prints;
//! * the checker passes, onnxruntime prints no warning, the input is `x [N, n0]` and the output
//!   `probabilities [N, n[L]]` in the model's dtype, the metadata names the layer sizes,
//!   activations, classes and input;
//! * the safetensors reader's arrays are byte for byte the HDF5 model's, and
//! * `dnn evaluate` and `dnn predict` print the same from the `.safetensors` as from the `.h5`;
//! * `model_version` is the format version, and the doc strings say what `x` and the output are.
//!
//! Then f32 models of a Unix-time column (a regression and a classifier), trained by `dnn
//! train`: onnxruntime gives `dnn predict`'s numbers (the graph z-scores `x` in double, as
//! dnn does). And, without Python: `--output -` writes the export to standard output, an
//! `--output` not named for its format is refused, and an ONNX file given as `--model` under
//! another name is named by its bytes.

use crate::common;
use crate::fixtures;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{data_dir, dnn_in, venv_python, Run};
use dnn_core::{one_hot, Activation, Init, Network, NumpyRng, TrainParams};
use dnn_data::dataset::{DataSpec, Input};
use dnn_data::model::{load_model, save_model_with, AnyNetwork, TrainingSetup};
use dnn_data::standardize::Standardization;
use dnn_data::CatDataset;
use ndarray::{Array2, Axis};
use serde_json::{json, Value};

/// The Python with onnx, onnxruntime, safetensors and h5py (set by `cargo xtask test`).
fn python() -> String {
    venv_python("onnx, onnxruntime, safetensors and h5py")
}

/// One exported model.
struct Case {
    name: &'static str,
    dtype: &'static str,
    /// `None` for a cat classifier (checked on the cat set).
    generated: Option<Generated>,
}

/// A model trained on generated data.
struct Generated {
    /// The raw inputs, one row per example, as onnxruntime takes them.
    raw: Array2<f64>,
    /// dnn's inputs for the same examples, one column per example (preprocessed).
    x: Array2<f64>,
    /// What its model file records of its data; `None`: nothing (saved with `save_model`).
    description: Option<DataSpec>,
}

impl Case {
    fn file(&self, dir: &Path, ext: &str) -> PathBuf {
        dir.join(format!("{}.{ext}", self.name))
    }

    /// What the metadata must say: the class names and the input's kind.
    fn expected_classes(&self) -> Value {
        match &self.generated {
            None => json!(["non-cat", "cat"]),
            Some(Generated {
                description: Some(d),
                ..
            }) => json!(d.classes),
            Some(_) => json!(["0", "1", "2"]),
        }
    }

    fn table(&self) -> Option<(&[String], &[f64], &[f64])> {
        match &self.generated {
            Some(Generated {
                description:
                    Some(DataSpec {
                        ranges: None,
                        regression: None,
                        input: Input::Table { columns, .. },
                        standardization: Some(z),
                        ..
                    }),
                ..
            }) => Some((
                columns,
                z.mean.as_slice().expect("contiguous mean"),
                z.std.as_slice().expect("contiguous std"),
            )),
            _ => None,
        }
    }
}

fn ok(run: Run, what: &str) -> Run {
    assert_eq!(run.code, Some(0), "{what} failed: {run:?}");
    run
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `(correct, total)` from a line `Train accuracy: 0.985646 (206 of 209 correct)`.
fn counts(stdout: &str, prefix: &str) -> (usize, usize) {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{stdout}"));
    let inner = line
        .split_once('(')
        .and_then(|(_, r)| r.strip_suffix(" correct)"))
        .unwrap_or_else(|| panic!("cannot read {line:?}"));
    let (c, t) = inner.split_once(" of ").expect("N of M");
    (c.parse().expect("correct"), t.parse().expect("total"))
}

/// A softmax network `[4, 6, 3]` trained on 120 generated 2x2 grey pictures (pixel values
/// 0–255; dnn models are trained on them divided by 255), labelled by the largest of three
/// fixed mixtures of the pixels; its model file says so.
fn softmax_model(path: &Path) -> Generated {
    let (n0, m, k) = (4, 120, 3);
    let mut rng = NumpyRng::new(7);
    let raw = (rng.randn(m, n0) * 60.0 + 128.0).mapv(|v| v.round().clamp(0.0, 255.0));
    let mix = [
        [1.0, -0.5, 0.2, 0.0],
        [-0.3, 1.0, 0.0, 0.4],
        [0.0, 0.1, -1.0, 1.0],
    ];
    let labels: Vec<usize> = raw
        .rows()
        .into_iter()
        .map(|r| {
            let score = |c: usize| (0..n0).map(|i| mix[c][i] * r[i]).sum::<f64>();
            (0..k)
                .max_by(|&a, &b| score(a).total_cmp(&score(b)))
                .expect("classes")
        })
        .collect();
    let x = raw.t().mapv(|v| v / 255.0);
    let y: Array2<f64> = one_hot(&labels, k);
    let mut net = Network::<f64>::builder(&[n0, 6, k])
        .output(Activation::Softmax)
        .init(Init::He)
        .build(&mut NumpyRng::new(1))
        .expect("softmax network");
    let config = TrainParams::new()
        .learning_rate(0.5)
        .iterations(3000)
        .check()
        .expect("params");
    let report = net.fit(&x, &y, &config).expect("train softmax");
    let accuracy = net.accuracy(&x, &y).expect("accuracy");
    assert!(
        accuracy > 0.8,
        "the softmax model should learn its set (accuracy {accuracy}, final cost {:?})",
        report.final_cost()
    );
    let description = DataSpec {
        ranges: None,
        regression: None,
        classes: vec!["0".into(), "1".into(), "2".into()],
        input: Input::Picture {
            height: 2,
            width: 2,
            channels: 1,
        },
        standardization: None,
    };
    save_model_with(path, &net, &TrainingSetup::default(), &description)
        .expect("save softmax model");
    Generated {
        raw,
        x,
        description: Some(description),
    }
}

/// A `[5, 4, 1]` network trained on 150 generated table rows whose 5 columns have very
/// different scales, standardised with their means and standard deviations; its model file
/// records the columns and the standardisation, as `dnn train` on a CSV writes it.
fn table_model(dir: &Path, name: &str) -> Generated {
    let (n0, m) = (5, 150);
    let scale = [10.0, 0.1, 1000.0, 1.0, 50.0];
    let offset = [100.0, -3.0, 5000.0, 0.0, 20.0];
    let z = NumpyRng::new(11).randn(m, n0);
    let raw = Array2::from_shape_fn((m, n0), |(j, i)| z[[j, i]] * scale[i] + offset[i]);
    let mean: Vec<f64> = raw.mean_axis(Axis(0)).expect("mean").to_vec();
    let std: Vec<f64> = raw.std_axis(Axis(0), 0.0).to_vec();
    let x = Array2::from_shape_fn((n0, m), |(i, j)| (raw[[j, i]] - mean[i]) / std[i]);
    let y = Array2::from_shape_fn((1, m), |(_, j)| {
        f64::from(u8::from(x[[0, j]] + x[[1, j]] - x[[2, j]] > 0.0))
    });
    let mut net = Network::<f64>::builder(&[n0, 4, 1])
        .init(Init::He)
        .build(&mut NumpyRng::new(3))
        .expect("table network");
    let config = TrainParams::new()
        .learning_rate(0.3)
        .iterations(2000)
        .check()
        .expect("params");
    net.fit(&x, &y, &config).expect("train table model");
    let accuracy = net.accuracy(&x, &y).expect("accuracy");
    assert!(
        accuracy > 0.9,
        "the table model should learn its set ({accuracy})"
    );
    let description = DataSpec {
        ranges: None,
        regression: None,
        classes: vec!["no".into(), "yes".into()],
        input: Input::Table {
            columns: ["age", "dose", "income", "score", "weight"]
                .map(String::from)
                .to_vec(),
            target: "label".into(),
            one_hot: Vec::new(),
            filled: Vec::new(),
            dates: vec![],
        },
        standardization: Some(Standardization {
            mean: mean.into(),
            std: std.into(),
        }),
    };
    save_model_with(
        dir.join(format!("{name}.h5")),
        &net,
        &TrainingSetup::default(),
        &description,
    )
    .expect("save table model");
    Generated {
        raw,
        x,
        description: Some(description),
    }
}

/// The largest `|a - b|` over two equally shaped matrices.
fn max_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// A JSON `[[...], ...]` as a matrix.
fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|x| x.as_f64().expect("number"))
                .collect()
        })
        .collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

fn json_text(v: &Value) -> Value {
    serde_json::from_str(v.as_str().expect("metadata text")).expect("metadata JSON")
}

/// Runs `tests/export/check_export.py` on `manifest` (written in `dir`) and returns its
/// report; fails on a failed run and on any warning from onnxruntime or the checker.
fn check_exports(python: &str, dir: &Path, manifest: &Value) -> Value {
    let manifest_path = dir.join("manifest.json");
    std::fs::write(&manifest_path, manifest.to_string()).expect("write manifest");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/export/check_export.py");
    let out = Command::new(python)
        .arg(&script)
        .arg(&manifest_path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python} (DNN_PYTHON): {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} failed ({}):\n{stderr}\n(the venv `cargo xtask test` makes has onnx, onnxruntime and safetensors)",
        script.display(),
        out.status
    );
    assert!(
        !stderr.contains("onnxruntime") && stderr.trim().is_empty(),
        "onnxruntime or the checker printed warnings:\n{stderr}"
    );
    serde_json::from_slice(&out.stdout).expect("report JSON")
}

#[test]
fn exports_agree_with_onnxruntime_and_the_safetensors_reader() {
    let python = python();
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let data = data_dir();
    let data_s = path_str(&data);

    let mut cases = Vec::new();
    for (name, args, dtype) in [
        ("deep", vec!["--arch", "deep"], "f64"),
        ("two_layer", vec!["--arch", "two-layer"], "f64"),
        ("logistic", vec!["--arch", "logistic"], "f64"),
        ("deep_f32", vec!["--arch", "deep", "--dtype", "f32"], "f32"),
    ] {
        let save = format!("{name}.h5");
        let mut all = vec!["train", "--data", data_s, "-q", "--save", &save];
        all.extend(args);
        ok(dnn_in(w, &all), &format!("dnn train ({name})"));
        cases.push(Case {
            name,
            dtype,
            generated: None,
        });
    }
    cases.push(Case {
        name: "softmax",
        dtype: "f64",
        generated: Some(softmax_model(&w.join("softmax.h5"))),
    });

    cases.push(Case {
        name: "table",
        dtype: "f64",
        generated: Some(table_model(w, "table")),
    });

    // Export each model both ways.
    let mut printed = String::new();
    for c in &cases {
        for (format, ext) in [("onnx", "onnx"), ("safetensors", "safetensors")] {
            let run = ok(
                dnn_in(
                    w,
                    &[
                        "export",
                        "--model",
                        path_str(&c.file(w, "h5")),
                        "--format",
                        format,
                        "--output",
                        path_str(&c.file(w, ext)),
                    ],
                ),
                &format!("dnn export {} {format}", c.name),
            );
            if c.name == "deep" {
                printed.push_str(&run.stdout);
            }
        }
    }
    println!("dnn export, the published model:\n{printed}");

    // `dnn evaluate` from the .h5 and from the .safetensors: the same output.
    let mut evaluated = Vec::new();
    for c in cases.iter().filter(|c| c.generated.is_none()) {
        let eval = |ext: &str| {
            let model = c.file(w, ext);
            let run = ok(
                dnn_in(
                    w,
                    &["evaluate", "--data", data_s, "--model", path_str(&model)],
                ),
                &format!("dnn evaluate {}", model.display()),
            );
            run.stdout.replace(path_str(&model), "MODEL")
        };
        let (h5, st) = (eval("h5"), eval("safetensors"));
        assert_eq!(
            h5, st,
            "{}: dnn evaluate prints something else from the .safetensors",
            c.name
        );
        evaluated.push(h5);
    }

    // `dnn predict` on a picture from both files: the same line.
    fixtures::write_png(&w.join("pic.png"), 80, 60, image::ColorType::Rgb8);
    let predict = |ext: &str| {
        let model = w.join(format!("deep.{ext}"));
        ok(
            dnn_in(w, &["predict", "--model", path_str(&model), "pic.png"]),
            "dnn predict",
        )
        .stdout
    };
    assert_eq!(predict("h5"), predict("safetensors"));

    // Python: onnx's checker, onnxruntime, the safetensors reader.
    let manifest = json!({
        "cases": cases.iter().map(|c| json!({
            "name": c.name,
            "h5": c.file(w, "h5"),
            "onnx": c.file(w, "onnx"),
            "safetensors": c.file(w, "safetensors"),
            "inputs": match &c.generated {
                None => json!({"cat_dir": data}),
                Some(g) => json!({"x": g.raw.rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>()}),
            },
        })).collect::<Vec<_>>(),
    });
    let report = check_exports(&python, w, &manifest);
    println!("Python: {}", report["versions"]);

    let cat = CatDataset::<f64>::load(&data).expect("cat data");
    let mut table = vec![
        "| model | dtype | split | max abs(onnxruntime - dnn) | onnxruntime accuracy | dnn evaluate accuracy |".to_owned(),
        "|---|---|---|---|---|---|".to_owned(),
    ];
    let mut cat_runs = evaluated.iter();
    let checked = report["cases"].as_array().expect("cases");
    assert_eq!(checked.len(), cases.len(), "cases the checker reports");
    for (c, r) in cases.iter().zip(checked) {
        assert_eq!(r["name"], c.name);
        let model = load_model(c.file(w, "h5")).expect("load model");
        let sizes = model.network.layer_sizes();
        let (n0, outputs) = (sizes[0], sizes[sizes.len() - 1]);
        let tolerance = if c.dtype == "f64" { 1e-12 } else { 1e-5 };
        let onnx = &r["onnx"];

        // The graph's interface and metadata.
        let elem = if c.dtype == "f64" {
            "float64"
        } else {
            "float32"
        };
        assert_eq!(onnx["opsets"], json!({"ai.onnx": 7}), "{}", c.name);
        assert_eq!(onnx["ir_version"], 4);
        // The dnn format version its metadata follows, where onnxruntime reads a version
        // (unset, it reports 2^63 - 1).
        assert_eq!(onnx["model_version"], 2, "{}", c.name);
        assert_eq!(onnx["ort_model_version"], 2, "{}", c.name);
        let docs = &onnx["doc_strings"];
        let input_doc = docs["input"].as_str().expect("x's doc_string");
        assert!(
            input_doc.starts_with(&format!(
                "x [N, {n0}] {}: one row per example, ",
                if elem == "float64" { "double" } else { "float" }
            )),
            "{}: {input_doc}",
            c.name
        );
        let output_doc = docs["output"].as_str().expect("the output's doc_string");
        assert!(
            output_doc.starts_with(&format!("probabilities [N, {outputs}] ")),
            "{}: {output_doc}",
            c.name
        );
        assert_eq!(
            docs["graph"],
            format!("Input {input_doc}. Output {output_doc}."),
            "{}",
            c.name
        );
        assert_eq!(
            onnx["inputs"],
            json!([{"name": "x", "elem_type": elem, "shape": ["N", n0]}])
        );
        assert_eq!(
            onnx["outputs"],
            json!([{"name": "probabilities", "elem_type": elem, "shape": ["N", outputs]}])
        );
        // The preprocessing comes first: /255 for pixels, (x - mean) / std for a table.
        let first_ops = if c.table().is_some() {
            json!(["Sub", "Div", "Gemm"])
        } else {
            json!(["Div", "Gemm"])
        };
        assert_eq!(
            json!(onnx["ops"].as_array().expect("ops")[..first_ops.as_array().expect("ops").len()]),
            first_ops,
            "{}: the graph's first operations",
            c.name
        );
        let activations: Vec<&str> = match &model.network {
            AnyNetwork::F32(n) => n.layers().iter().map(|l| l.activation().name()).collect(),
            AnyNetwork::F64(n) => n.layers().iter().map(|l| l.activation().name()).collect(),
        };
        let classes = c.expected_classes();
        for (format, metadata) in [
            ("ONNX", &onnx["metadata"]),
            ("safetensors", &r["safetensors"]["metadata"]),
        ] {
            assert_eq!(metadata["format"], "dnn-model", "{format}");
            assert_eq!(metadata["dtype"], c.dtype, "{format}");
            assert_eq!(
                json_text(&metadata["layer_sizes"]),
                json!(sizes),
                "{format}"
            );
            assert_eq!(
                json_text(&metadata["activations"]),
                json!(activations),
                "{format}"
            );
            assert_eq!(json_text(&metadata["classes"]), classes, "{format}");
            let input = json_text(&metadata["input"]);
            assert_eq!(input["features"], n0, "{format}");
            match c.table() {
                Some((columns, ..)) => {
                    assert_eq!(input["kind"], "table", "{format}");
                    assert_eq!(input["columns"], json!(columns), "{format}");
                    assert_eq!(input["preprocessing"], "(x - mean) / std", "{format}");
                }
                // The cat models (64x64 RGB) and the softmax model (2x2 grey) take pictures.
                None => {
                    assert_eq!(input["kind"], "picture", "{format}");
                    assert_eq!(input["preprocessing"], "x / 255", "{format}");
                }
            }
            if n0 == 12288 {
                assert_eq!(
                    [&input["height"], &input["width"], &input["channels"]],
                    [64, 64, 3]
                );
            }
        }
        assert_eq!(
            onnx["metadata"], r["safetensors"]["metadata"],
            "{}: one description for both formats",
            c.name
        );

        // safetensors: the HDF5 model's arrays, byte for byte (and a table's mean and std).
        let st = &r["safetensors"];
        let tensors = st["tensors"].as_object().expect("tensors");
        let mut names: Vec<&str> = tensors.keys().map(String::as_str).collect();
        names.sort();
        // The HDF5 model's parameters W1..WL, b1..bL (and a table model's mean and std); its
        // other data sets (class names, column names) are metadata in safetensors.
        let is_parameter = |k: &str| {
            matches!(k, "mean" | "std")
                || (k.len() > 1
                    && (k.starts_with('W') || k.starts_with('b'))
                    && k[1..].bytes().all(|d| d.is_ascii_digit()))
        };
        let mut expected: Vec<&str> = st["h5_keys"]
            .as_array()
            .expect("h5 keys")
            .iter()
            .map(|k| k.as_str().expect("key"))
            .filter(|k| is_parameter(k))
            .collect();
        expected.sort();
        assert_eq!(
            expected.contains(&"mean"),
            c.table().is_some(),
            "{}: only the table model records a standardisation",
            c.name
        );
        assert_eq!(names, expected, "{}: the HDF5 model's tensors", c.name);
        for (name, t) in tensors {
            assert_eq!(t["dtype"], elem);
            assert_eq!(
                t["bytes_equal_h5"], true,
                "{}: {name} differs from the HDF5 model's: {t}",
                c.name
            );
            match (name.as_str(), c.table()) {
                ("mean", Some((_, mean, _))) => assert_eq!(t["values"], json!(mean)),
                ("std", Some((_, _, std))) => assert_eq!(t["values"], json!(std)),
                _ => {}
            }
        }

        // onnxruntime's probabilities against dnn's.
        match &c.generated {
            None => {
                let eval = cat_runs.next().expect("an evaluate run per cat model");
                for (split, x, prefix) in [
                    ("train", &cat.train_x, "Train accuracy: "),
                    ("test", &cat.test_x, "Test accuracy: "),
                ] {
                    let ours = model.network.predict_proba(x).expect("dnn probabilities");
                    let theirs = matrix(&onnx["probabilities"][split]);
                    let diff = max_diff(&ours.t().to_owned(), &theirs);
                    assert!(
                        diff <= tolerance,
                        "{} ({split}): onnxruntime's probabilities differ from dnn's by {diff:e} (tolerance {tolerance:e})",
                        c.name
                    );
                    let labels: Vec<i64> = onnx["labels"][split]
                        .as_array()
                        .expect("labels")
                        .iter()
                        .map(|v| v.as_i64().expect("label"))
                        .collect();
                    let correct = theirs
                        .column(0)
                        .iter()
                        .zip(&labels)
                        .filter(|(p, y)| i64::from(**p > 0.5) == **y)
                        .count();
                    let (dnn_correct, total) = counts(eval, prefix);
                    assert_eq!(total, labels.len());
                    assert_eq!(
                        correct, dnn_correct,
                        "{} ({split}): onnxruntime gets {correct} of {total} right, dnn evaluate {dnn_correct}",
                        c.name
                    );
                    table.push(format!(
                        "| {} | {} | {split} | {diff:.3e} | {:.6} ({correct} of {total}) | {:.6} ({dnn_correct} of {total}) |",
                        c.name,
                        c.dtype,
                        correct as f64 / total as f64,
                        dnn_correct as f64 / total as f64
                    ));
                }
            }
            Some(g) => {
                let ours = model
                    .network
                    .predict_proba(&g.x)
                    .expect("dnn probabilities");
                let theirs = matrix(&onnx["probabilities"]["x"]);
                let diff = max_diff(&ours.t().to_owned(), &theirs);
                assert!(
                    diff <= tolerance,
                    "{}: onnxruntime's probabilities differ from dnn's by {diff:e}",
                    c.name
                );
                let agree = theirs
                    .axis_iter(Axis(0))
                    .zip(ours.axis_iter(Axis(1)))
                    .all(|(a, b)| {
                        dnn_core::classes_of(a.insert_axis(Axis(1)))
                            == dnn_core::classes_of(b.insert_axis(Axis(1)))
                    });
                assert!(
                    agree,
                    "{}: onnxruntime and dnn predict different classes",
                    c.name
                );
                table.push(format!(
                    "| {} | {} | generated ({} examples) | {diff:.3e} | same classes as dnn | (evaluate takes cat classifiers only) |",
                    c.name,
                    c.dtype,
                    g.raw.nrows()
                ));
            }
        }
    }
    println!("{}", table.join("\n"));
}

/// A model of many classes (944, as a plant or bird classifier has): the printed line names
/// the first three and counts the rest, where it used to list all 944 on one line; the
/// export itself keeps them all.
#[test]
fn an_export_of_many_classes_names_three_and_counts_the_rest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let names: Vec<String> = (0..944).map(|k| format!("species{k:03}")).collect();
    let classes: Vec<&str> = names.iter().map(String::as_str).collect();
    fixtures::write_table_model(&dir.join("m.h5"), &["a", "b"], &classes);
    let run = ok(
        dnn_in(
            dir,
            &[
                "export", "--model", "m.h5", "--format", "onnx", "--output", "m.onnx",
            ],
        ),
        "export",
    );
    let input = run.stdout.lines().nth(1).expect("the Input line");
    assert!(
        input.ends_with("; classes: species000, species001, species002, and 941 more"),
        "{input}"
    );
    let exported = std::fs::read(dir.join("m.onnx")).expect("onnx");
    let text = String::from_utf8_lossy(&exported);
    assert!(text.contains("species943"), "every class is in the export");
}

/// `(row, value)` CSV text as `dnn predict --output` writes it, the values column `column`.
fn predicted_column(csv: &str, column: usize) -> Vec<String> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').nth(column).expect("column").to_owned())
        .collect()
}

/// The audit's Unix-time case (its finding 1): a table whose one input is a Unix time,
/// 1.7e9 + U(0, 600) s, which f32 holds only in steps of 128 s. dnn z-scores it in f64 and
/// rounds the result to f32, and so must the exported graph: an f32 regression
/// (`minutes` = (time - 1.7e9) / 60) and an f32 classifier (`late` when time - 1.7e9 > 300)
/// are trained by `dnn train`, exported, and onnxruntime, fed the raw times as the element
/// type the graph declares, must give `dnn predict`'s numbers: the values to 1e-5 of the
/// target's standard deviation, the probabilities to the 6 decimals predict prints, the
/// same classes. (With `x` as float the audit measured 1.67 minutes off and 22 of 400
/// classes flipped.)
#[test]
fn f32_exports_of_a_unix_time_column_give_dnn_predicts_numbers() {
    let python = python();
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let seconds = NumpyRng::new(5).rand_vec(400).mapv(|u| u * 600.0);
    let times: Vec<f64> = seconds.iter().map(|s| 1.7e9 + s).collect();
    let mut clock = String::from("time,minutes\n");
    let mut late = String::from("time,late\n");
    let mut rows = String::from("time\n");
    for &t in &times {
        let after = t - 1.7e9;
        clock.push_str(&format!("{t},{}\n", after / 60.0));
        late.push_str(&format!(
            "{t},{}\n",
            if after > 300.0 { "yes" } else { "no" }
        ));
        rows.push_str(&format!("{t}\n"));
    }
    std::fs::write(w.join("clock.csv"), clock).expect("clock.csv");
    std::fs::write(w.join("late.csv"), late).expect("late.csv");
    std::fs::write(w.join("times.csv"), rows).expect("times.csv");
    let raw: Vec<Vec<f64>> = times.iter().map(|&t| vec![t]).collect();

    let mut cases = Vec::new();
    for name in ["clock", "late"] {
        let data = format!("{name}.csv");
        let h5 = format!("{name}.h5");
        ok(
            dnn_in(
                w,
                &[
                    "train",
                    "--data",
                    &data,
                    "--hidden",
                    "8",
                    "--optimizer",
                    "adam",
                    "--learning-rate",
                    "0.01",
                    "--iterations",
                    "500",
                    "--dtype",
                    "f32",
                    "-q",
                    "--save",
                    &h5,
                ],
            ),
            &format!("dnn train {name}"),
        );
        for format in ["onnx", "safetensors"] {
            let output = format!("{name}.{format}");
            let run = ok(
                dnn_in(
                    w,
                    &[
                        "export", "--model", &h5, "--format", format, "--output", &output,
                    ],
                ),
                "dnn export",
            );
            if format == "onnx" {
                assert!(
                    run.stdout.contains(
                        "as x [N, 1] double (preprocessing: (x - mean) / std, inside the graph, in double, then float)"
                    ),
                    "the summary names x's element type:\n{}",
                    run.stdout
                );
            }
        }
        let predictions = format!("{name}_predictions.csv");
        ok(
            dnn_in(
                w,
                &[
                    "predict",
                    "--model",
                    &h5,
                    "times.csv",
                    "--output",
                    &predictions,
                ],
            ),
            "dnn predict",
        );
        cases.push(json!({
            "name": name,
            "h5": w.join(&h5),
            "onnx": w.join(format!("{name}.onnx")),
            "safetensors": w.join(format!("{name}.safetensors")),
            "inputs": {"x": raw},
        }));
    }
    let report = check_exports(&python, w, &json!({ "cases": cases }));
    let checked = report["cases"].as_array().expect("cases");
    for r in checked {
        let onnx = &r["onnx"];
        assert_eq!(
            onnx["inputs"],
            json!([{"name": "x", "elem_type": "float64", "shape": ["N", 1]}]),
            "{}: an f32 model that z-scores takes x as double",
            r["name"]
        );
        assert_eq!(
            json!(onnx["ops"].as_array().expect("ops")[..4]),
            json!(["Sub", "Div", "Cast", "Gemm"]),
            "{}: the z-score in double, then the f32 network",
            r["name"]
        );
    }

    // The regression: onnxruntime's values against dnn predict's (printed in full).
    let model = load_model(w.join("clock.h5")).expect("clock model");
    let std = model
        .spec
        .as_ref()
        .and_then(|s| s.regression)
        .expect("scale")
        .std;
    let csv = std::fs::read_to_string(w.join("clock_predictions.csv")).expect("predictions");
    let predicted: Vec<f64> = predicted_column(&csv, 1)
        .iter()
        .map(|v| v.parse().expect("a value"))
        .collect();
    let values = matrix(&checked[0]["onnx"]["probabilities"]["x"]);
    assert_eq!(values.dim(), (times.len(), 1));
    let worst = values
        .column(0)
        .iter()
        .zip(&predicted)
        .map(|(o, p)| (o - p).abs() / std)
        .fold(0.0, f64::max);
    println!("Unix-time regression (f32): max |onnxruntime - dnn predict| = {worst:.2e} target std ({std:.4} minutes)");
    assert!(
        worst <= 1e-5,
        "onnxruntime's values differ from dnn predict's by {worst:e} of the target's std"
    );

    // The classifier: the same classes, the same probabilities to predict's 6 decimals.
    let csv = std::fs::read_to_string(w.join("late_predictions.csv")).expect("predictions");
    let (classes, printed) = (predicted_column(&csv, 1), predicted_column(&csv, 2));
    let p_yes = matrix(&checked[1]["onnx"]["probabilities"]["x"]);
    let mut flips = 0;
    let mut worst = 0.0f64;
    for ((p, class), shown) in p_yes.column(0).iter().zip(&classes).zip(&printed) {
        let (ours, probability) = if *p > 0.5 {
            ("yes", *p)
        } else {
            ("no", 1.0 - p)
        };
        flips += usize::from(ours != class);
        let shown: f64 = shown.parse().expect("a probability");
        worst = worst.max((probability - shown).abs());
    }
    println!(
        "Unix-time classifier (f32): {flips} of {} classes differ; max |p - printed| {worst:.1e}",
        times.len()
    );
    assert_eq!(
        flips, 0,
        "onnxruntime and dnn predict disagree on {flips} classes"
    );
    assert!(
        worst <= 5e-7 + 1e-6,
        "onnxruntime's probabilities differ from dnn predict's by {worst:e}"
    );
}

/// `dnn export --output -` does what `dnn predict --output -` does: the file's bytes on
/// standard output (the same as written to a file), what it would print on standard error,
/// and no file named `-`.
#[test]
fn an_export_to_standard_output_is_the_files_bytes_with_the_summary_on_stderr() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    fixtures::write_table_model(&dir.join("m.h5"), &["a", "b"], &["no", "yes"]);
    for format in ["onnx", "safetensors"] {
        let file = format!("m.{format}");
        ok(
            dnn_in(
                dir,
                &[
                    "export", "--model", "m.h5", "--format", format, "--output", &file,
                ],
            ),
            "export to a file",
        );
        let out = Command::new(env!("CARGO_BIN_EXE_dnn"))
            .args([
                "export", "--model", "m.h5", "--format", format, "--output", "-",
            ])
            .current_dir(dir)
            .output()
            .expect("run dnn");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{format}: {stderr}");
        assert_eq!(
            out.stdout,
            std::fs::read(dir.join(&file)).expect("the file export"),
            "{format}: standard output holds the export, and nothing else"
        );
        assert!(
            stderr.starts_with("Exported m.h5 (f64, layers 2-3-1) to standard output ("),
            "{format}: {stderr}"
        );
        assert!(stderr.contains("\nInput: 2 columns (a, b)"), "{stderr}");
        assert!(!dir.join("-").exists(), "no file named -");
    }
}

/// An `--output` not named for its format is refused with the name to give, and nothing is
/// written: dnn (and the tools the file goes to) tell a model file by its name.
#[test]
fn an_export_not_named_for_its_format_is_refused_with_the_name_to_give() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    fixtures::write_table_model(&dir.join("m.h5"), &["a", "b"], &["no", "yes"]);
    for (format, output, says) in [
        ("onnx", "m.npz", "--output m.npz is named .npz, but --format onnx writes ONNX; name it .onnx (m.onnx)"),
        ("onnx", "m.pt", "--output m.pt is named .pt, but --format onnx writes ONNX; name it .onnx (m.onnx)"),
        ("onnx", "model", "--output model has no extension, but --format onnx writes ONNX; name it .onnx (model.onnx)"),
        ("safetensors", "m.bin", "--output m.bin is named .bin, but --format safetensors writes safetensors; name it .safetensors (m.safetensors)"),
        ("safetensors", "other.h5", "--output other.h5 is named .h5, but --format safetensors writes safetensors; name it .safetensors (other.safetensors)"),
    ] {
        let before = common::snapshot(dir);
        let run = dnn_in(
            dir,
            &["export", "--model", "m.h5", "--format", format, "--output", output],
        );
        assert_eq!(run.code, Some(1), "{output}: {run:?}");
        assert_eq!(run.stderr, format!("error: {says}\n"), "{output}");
        assert_eq!(common::snapshot(dir), before, "{output}: nothing written");
    }
    for output in ["m.onnx", "m.ONNX"] {
        ok(
            dnn_in(
                dir,
                &[
                    "export", "--model", "m.h5", "--format", "onnx", "--output", output,
                ],
            ),
            output,
        );
    }
}

/// An ONNX export given as `--model` under another name (none, or `.h5`) is recognised by
/// its bytes and named, where HDF5 would say "file signature not found".
#[test]
fn an_onnx_model_under_another_name_is_named_by_its_bytes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    fixtures::write_table_model(&dir.join("m.h5"), &["a", "b"], &["no", "yes"]);
    std::fs::write(dir.join("rows.csv"), "a,b\n1,2\n").expect("rows");
    ok(
        dnn_in(
            dir,
            &[
                "export", "--model", "m.h5", "--format", "onnx", "--output", "m.onnx",
            ],
        ),
        "export",
    );
    for name in ["ionnx", "ionnx.h5", "ionnx.model"] {
        std::fs::copy(dir.join("m.onnx"), dir.join(name)).expect("copy");
        for args in [
            vec!["predict", "--model", name, "rows.csv"],
            vec!["evaluate", "--model", name, "--data", "rows.csv"],
        ] {
            let run = dnn_in(dir, &args);
            assert_eq!(run.code, Some(1), "{args:?}: {run:?}");
            assert_eq!(
                run.stderr,
                format!(
                    "error: {name} is an ONNX file (its bytes are an ONNX model's, whatever its name), which dnn writes (`dnn export`) but does not read: give the model as .h5 (from `dnn train`) or .safetensors (from `dnn export`)\n"
                ),
                "{args:?}"
            );
        }
    }
}
