//! Safetensors model files: exports that `load_model` reads back exactly, in both dtypes,
//! and every way such a file can be wrong, each refused with one line that says what.
//! (What other readers see in them is checked by dnn-cli's `e2e_export` test, with the
//! Python safetensors package.)

use std::collections::HashMap;
use std::path::Path;

use dnn_core::{Activation, Init, Network, NumpyRng};
use dnn_data::dataset::{DataSpec, Input};
use dnn_data::export::{export, to_bytes, Format};
use dnn_data::model::{load_model, AnyNetwork, Model, TrainingSetup};
use dnn_data::standardize::Standardization;
use ndarray::array;
use safetensors::tensor::TensorView;
use safetensors::Dtype;

fn network<F: dnn_core::Float>() -> Network<F> {
    Network::<F>::builder(&[6, 4, 3, 1])
        .activations(vec![Activation::Relu, Activation::Tanh])
        .init(Init::He)
        .build(&mut NumpyRng::new(1))
        .unwrap()
}

fn setup() -> TrainingSetup {
    TrainingSetup {
        arch: Some("deep".into()),
        init: Some("he".into()),
        seed: Some(1),
        learning_rate: Some(0.0075),
        iterations: Some(2500),
        iterations_run: Some(1234),
        batches_run: Some(77),
        final_cost: Some(0.1 + 0.2), // not a short decimal: the text must round-trip exactly
        optimizer: Some("adam".into()),
        batch_size: Some(64),
        l2: Some(0.7),
        keep_prob: Some(0.86),
        test_split: Some(0.2),
        split_seed: Some(4),
        validation_split: Some(0.1 + 0.05), // not a short decimal either
        patience: Some(7),
        min_delta: Some(2.5e-5),
        data: Some("iris (2).csv".into()),
        data_sha256: Some(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into(),
        ),
        started_from: Some("first.h5".into()),
        unlabeled_dropped: Some(8),
        decimal: Some("comma".into()),
        numbers: Some("as-written".into()),
        image_dir: Some("train".into()),
        image_suffix: Some(".jpg".into()),
        group_by: Some("person".into()),
        class_weights: Some(vec![0.1 + 0.2, 3.0]),
    }
}

/// A table spec for `network()`'s 6 inputs, standardised.
fn table_spec() -> DataSpec {
    DataSpec {
        ranges: None,
        regression: None,
        classes: vec!["no".into(), "yes".into()],
        input: Input::Table {
            columns: ["a", "b", "c", "d", "e", "f"].map(String::from).to_vec(),
            target: "label".into(),
            one_hot: Vec::new(),
            filled: Vec::new(),
            dates: vec![],
        },
        standardization: Some(Standardization {
            mean: array![1.5, -2.0, 0.1 + 0.2, 1e6, 0.0, 3.0],
            std: array![0.5, 2.0, 1.0 / 3.0, 1e3, 1.0, 7.0],
        }),
    }
}

#[test]
fn f64_and_f32_models_round_trip_exactly_with_their_setup() {
    let dir = tempfile::tempdir().unwrap();
    for (name, model) in [
        (
            "m64.safetensors",
            Model {
                network: AnyNetwork::F64(network()),
                setup: setup(),
                spec: None,
            },
        ),
        (
            "m32.safetensors",
            Model {
                network: AnyNetwork::F32(network()),
                setup: TrainingSetup::default(),
                spec: None,
            },
        ),
        (
            "table32.safetensors",
            Model {
                network: AnyNetwork::F32(network()),
                setup: setup(),
                spec: Some(table_spec()),
            },
        ),
        (
            "picture.safetensors",
            Model {
                network: AnyNetwork::F64(network()),
                setup: TrainingSetup::default(),
                spec: Some(DataSpec {
                    ranges: None,
                    regression: None,
                    classes: vec!["x".into(), "o".into()],
                    input: Input::Picture {
                        height: 1,
                        width: 2,
                        channels: 3,
                    },
                    standardization: None,
                }),
            },
        ),
    ] {
        let path = dir.path().join(name);
        export(&path, &model, Format::Safetensors).unwrap();
        assert_eq!(load_model(&path).unwrap(), model, "{name}");
    }
    // Only the files: the atomic writer left no temporaries.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);
}

#[test]
fn a_safetensors_file_is_recognised_by_its_content_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.bin");
    let model = Model {
        network: AnyNetwork::F64(network()),
        setup: setup(),
        spec: Some(table_spec()),
    };
    export(&path, &model, Format::Safetensors).unwrap();
    assert_eq!(load_model(&path).unwrap(), model);
    // An ONNX export under a safetensors name is told for what it is.
    let onnx = dir.path().join("model.safetensors");
    export(&onnx, &model, Format::Onnx).unwrap();
    let err = load_model(&onnx).unwrap_err().to_string();
    assert!(
        err.contains("its bytes are an ONNX model's, not safetensors: dnn writes ONNX"),
        "{err}"
    );
}

#[test]
fn a_softmax_network_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let net = Network::<f64>::builder(&[5, 4, 3])
        .output(Activation::Softmax)
        .build(&mut NumpyRng::new(2))
        .unwrap();
    let model = Model {
        network: AnyNetwork::F64(net),
        setup: TrainingSetup::default(),
        spec: Some(DataSpec {
            ranges: None,
            regression: None,
            classes: vec!["a".into(), "b".into(), "c".into()],
            input: Input::Picture {
                height: 1,
                width: 5,
                channels: 1,
            },
            standardization: None,
        }),
    };
    let path = dir.path().join("softmax.safetensors");
    export(&path, &model, Format::Safetensors).unwrap();
    assert_eq!(load_model(&path).unwrap(), model);
}

/// The metadata an export of `network::<f64>()` carries.
fn good_metadata() -> HashMap<String, String> {
    let model = Model {
        network: AnyNetwork::F64(network()),
        setup: TrainingSetup::default(),
        spec: None,
    };
    dnn_data::export::metadata(&model).into_iter().collect()
}

/// A safetensors file of `(name, dtype, shape, values)` tensors and `metadata`.
fn write(
    path: &Path,
    tensors: &[(&str, Dtype, Vec<usize>, Vec<f64>)],
    metadata: Option<HashMap<String, String>>,
) {
    let bytes: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, dtype, _, v)| match dtype {
            Dtype::F32 => v.iter().flat_map(|&x| (x as f32).to_le_bytes()).collect(),
            Dtype::F64 => v.iter().flat_map(|&x| x.to_le_bytes()).collect(),
            Dtype::I32 => v.iter().flat_map(|&x| (x as i32).to_le_bytes()).collect(),
            other => panic!("{other:?}"),
        })
        .collect();
    let views: Vec<(&str, TensorView)> = tensors
        .iter()
        .zip(&bytes)
        .map(|((name, dtype, shape, _), b)| {
            (*name, TensorView::new(*dtype, shape.clone(), b).unwrap())
        })
        .collect();
    std::fs::write(path, safetensors::serialize(views, metadata).unwrap()).unwrap();
}

/// The tensors of `network::<f64>()` (`[6, 4, 3, 1]`).
/// A tensor to write: its name, dtype, shape and values.
type RawTensor = (&'static str, Dtype, Vec<usize>, Vec<f64>);

fn good_tensors() -> Vec<RawTensor> {
    let net = network::<f64>();
    let names = [("W1", "b1"), ("W2", "b2"), ("W3", "b3")];
    let mut out = Vec::new();
    for (layer, (w, b)) in net.layers().iter().zip(names) {
        out.push((
            w,
            Dtype::F64,
            layer.weights().shape().to_vec(),
            layer.weights().iter().copied().collect(),
        ));
        out.push((
            b,
            Dtype::F64,
            layer.bias().shape().to_vec(),
            layer.bias().iter().copied().collect(),
        ));
    }
    out
}

fn error_of(
    edit_tensors: impl FnOnce(&mut Vec<RawTensor>),
    edit_metadata: impl FnOnce(&mut HashMap<String, String>),
) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.safetensors");
    let mut tensors = good_tensors();
    edit_tensors(&mut tensors);
    let mut metadata = good_metadata();
    edit_metadata(&mut metadata);
    write(&path, &tensors, Some(metadata));
    let message = load_model(&path).unwrap_err().to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    message
}

#[test]
fn the_fixture_before_its_edits_loads() {
    // So that each error below comes from its edit and nothing else.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("good.safetensors");
    write(&path, &good_tensors(), Some(good_metadata()));
    let model = load_model(&path).unwrap();
    assert_eq!(model.network, AnyNetwork::F64(network()));
}

#[test]
fn tensors_that_do_not_chain_are_refused() {
    let e = error_of(
        |t| t[2] = ("W2", Dtype::F64, vec![3, 5], vec![0.5; 15]),
        |_| {},
    );
    assert!(
        e.contains("bad model file: W2 has shape (3, 5) but layer 1 has 4 units"),
        "{e}"
    );
}

#[test]
fn a_bias_of_the_wrong_size_is_refused() {
    let e = error_of(
        |t| t[1] = ("b1", Dtype::F64, vec![5, 1], vec![0.0; 5]),
        |_| {},
    );
    assert!(e.contains("b1 must be (4, 1), but it is (5, 1)"), "{e}");
}

#[test]
fn missing_metadata_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bare.safetensors");
    write(&path, &good_tensors(), None);
    let e = load_model(&path).unwrap_err().to_string();
    assert!(e.contains("bare.safetensors: bad model file"), "{e}");
    assert!(e.contains("its metadata has no format"), "{e}");
    assert!(e.contains("write it with `dnn export`"), "{e}");

    for key in ["layer_sizes", "activations", "format"] {
        let e = error_of(
            |_| {},
            |m| {
                m.remove(key);
            },
        );
        assert!(
            e.contains(&format!("its metadata has no {key}")),
            "{key}: {e}"
        );
    }
}

#[test]
fn metadata_that_disagrees_with_the_tensors_is_refused() {
    let e = error_of(
        |_| {},
        |m| {
            m.insert("layer_sizes".into(), "[6,4,3,2]".into());
        },
    );
    assert!(
        e.contains(
            "its layer_sizes metadata says [6, 4, 3, 2] but the weights have sizes [6, 4, 3, 1]"
        ),
        "{e}"
    );
    let e = error_of(
        |_| {},
        |m| {
            m.insert("activations".into(), r#"["relu","sigmoid"]"#.into());
        },
    );
    assert!(e.contains("lists 2 activations"), "{e}");
    let e = error_of(
        |_| {},
        |m| {
            m.insert("activations".into(), r#"["relu","gelu","sigmoid"]"#.into());
        },
    );
    assert!(e.contains("unknown activation \"gelu\""), "{e}");
    let e = error_of(
        |_| {},
        |m| {
            m.insert("activations".into(), "relu,tanh,sigmoid".into());
        },
    );
    assert!(
        e.contains("its metadata activations = \"relu,tanh,sigmoid\" cannot be read"),
        "{e}"
    );
    let e = error_of(
        |_| {},
        |m| {
            m.insert("dtype".into(), "f32".into());
        },
    );
    assert!(
        e.contains("its metadata says dtype f32 but the weights are f64"),
        "{e}"
    );
    let e = error_of(
        |_| {},
        |m| {
            m.insert("format".into(), "something-else".into());
        },
    );
    assert!(
        e.contains("its metadata says format \"something-else\""),
        "{e}"
    );
    let e = error_of(
        |_| {},
        |m| {
            m.insert("seed".into(), "one".into());
        },
    );
    assert!(
        e.contains("its metadata seed = \"one\" is not a whole number"),
        "{e}"
    );
}

#[test]
fn wrong_tensors_are_refused() {
    let e = error_of(|t| t.retain(|(n, ..)| *n != "b2"), |_| {});
    assert!(e.contains("it has W2 but no b2"), "{e}");
    let e = error_of(|t| t.retain(|(n, ..)| *n != "W2" && *n != "b2"), |_| {});
    assert!(e.contains("it has W3 but its layers are W1..W1"), "{e}");
    let e = error_of(
        |t| t.push(("extra", Dtype::F64, vec![1], vec![0.0])),
        |_| {},
    );
    assert!(
        e.contains("it has a tensor extra, which is not a dnn model's"),
        "{e}"
    );
    let e = error_of(|t| t[3].1 = Dtype::F32, |_| {});
    assert!(
        e.contains("b2 is F32 but W1 is F64: all weights must have one dtype"),
        "{e}"
    );
    let e = error_of(|t| t[0].1 = Dtype::I32, |_| {});
    assert!(
        e.contains("W1 has dtype I32, but weights must be F32 or F64"),
        "{e}"
    );
    let e = error_of(|t| t[1] = ("b1", Dtype::F64, vec![4], vec![0.0; 4]), |_| {});
    assert!(
        e.contains("b1 has shape [4], but weights and biases are 2-D"),
        "{e}"
    );
    let e = error_of(|t| t[2].3[1] = f64::NAN, |_| {});
    assert!(e.contains("W2[0, 1] is NaN"), "{e}");
}

#[test]
fn files_that_are_not_dnn_models_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("torch.safetensors");
    write(
        &path,
        &[("0.weight", Dtype::F32, vec![2, 2], vec![1.0; 4])],
        None,
    );
    let e = load_model(&path).unwrap_err().to_string();
    assert!(
        e.contains("not a dnn model file: it has no W1 data set (it has: 0.weight)"),
        "{e}"
    );

    let text = dir.path().join("text.safetensors");
    std::fs::write(&text, "just some text\n".repeat(10)).unwrap();
    let e = load_model(&text).unwrap_err().to_string();
    assert!(
        e.contains("text.safetensors: bad model file: not a readable safetensors file (150 bytes)"),
        "{e}"
    );

    let good = dir.path().join("good.safetensors");
    export(
        &good,
        &Model {
            network: AnyNetwork::F64(network()),
            setup: setup(),
            spec: None,
        },
        Format::Safetensors,
    )
    .unwrap();
    let bytes = std::fs::read(&good).unwrap();
    for cut in [0, 4, 8, 20, bytes.len() / 2, bytes.len() - 1] {
        let path = dir.path().join(format!("cut{cut}.safetensors"));
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let e = load_model(&path).unwrap_err().to_string();
        assert!(
            e.contains("not a readable safetensors file"),
            "cut at {cut}: {e}"
        );
    }
    let e = load_model(dir.path().join("missing.safetensors"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.safetensors: file not found"), "{e}");
}

#[test]
fn a_spec_that_does_not_fit_the_network_is_not_exported() {
    let with = |spec: DataSpec| Model {
        network: AnyNetwork::F64(network()),
        setup: TrainingSetup::default(),
        spec: Some(spec),
    };
    let mut three = table_spec();
    three.classes.push("maybe".into());
    let e = to_bytes(&with(three), Format::Onnx)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "cannot export the model as ONNX: 3 classes do not fit a network with 1 outputs"
        ),
        "{e}"
    );
    let mut short = table_spec();
    short.standardization.as_mut().unwrap().std = array![1.0, 1.0, 1.0, 1.0, 1.0];
    let e = to_bytes(&with(short), Format::Safetensors)
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot export the model as safetensors: the standardisation has 6 means and 5 standard deviations for 6 inputs"), "{e}");
    let mut zero = table_spec();
    zero.standardization.as_mut().unwrap().std[2] = 0.0;
    let e = to_bytes(&with(zero), Format::Onnx).unwrap_err().to_string();
    assert!(e.contains("std[2] is 0"), "{e}");
}

#[test]
fn a_spec_that_the_metadata_garbles_is_refused() {
    // The metadata of an export of a table model, then edited.
    let table_metadata = || -> HashMap<String, String> {
        let model = Model {
            network: AnyNetwork::F64(network()),
            setup: TrainingSetup::default(),
            spec: Some(table_spec()),
        };
        dnn_data::export::metadata(&model).into_iter().collect()
    };
    let stats = |t: &mut Vec<RawTensor>| {
        t.push(("mean", Dtype::F64, vec![6], vec![0.0; 6]));
        t.push(("std", Dtype::F64, vec![6], vec![1.0; 6]));
    };
    let error = |edit_tensors: &dyn Fn(&mut Vec<RawTensor>),
                 edit: &dyn Fn(&mut HashMap<String, String>)| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.safetensors");
        let mut tensors = good_tensors();
        edit_tensors(&mut tensors);
        let mut metadata = table_metadata();
        edit(&mut metadata);
        write(&path, &tensors, Some(metadata));
        let e = load_model(&path).unwrap_err().to_string();
        assert!(!e.contains('\n'), "{e}");
        e
    };
    // Unedited, it loads with its spec.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ok.safetensors");
    let mut tensors = good_tensors();
    stats(&mut tensors);
    write(&path, &tensors, Some(table_metadata()));
    let spec = load_model(&path).unwrap().spec.unwrap();
    assert_eq!(spec.classes, ["no", "yes"]);
    assert_eq!(spec.standardization.unwrap().std.to_vec(), vec![1.0; 6]);

    let e = error(
        &|t| t.push(("mean", Dtype::F64, vec![6], vec![0.0; 6])),
        &|_| {},
    );
    assert!(
        e.contains("it has one of mean and std but not the other"),
        "{e}"
    );
    let e = error(&stats, &|m| {
        m.insert("input".into(), r#"{"kind":"picture","height":2}"#.into());
    });
    assert!(
        e.contains("is not a picture (height, width, channels), a table (columns) or features"),
        "{e}"
    );
    let e = error(&stats, &|m| {
        m.remove("classes");
    });
    assert!(e.contains("it has input metadata but no classes"), "{e}");
    let e = error(&stats, &|m| {
        m.insert("classes".into(), r#"["only one"]"#.into());
    });
    assert!(
        e.contains("1 classes do not fit a network with 1 outputs"),
        "{e}"
    );
    let e = error(
        &|t| {
            t.push(("mean", Dtype::F64, vec![6], vec![0.0; 6]));
            t.push((
                "std",
                Dtype::F64,
                vec![6],
                vec![1.0, 1.0, -1.0, 1.0, 1.0, 1.0],
            ));
        },
        &|_| {},
    );
    assert!(e.contains("std[2] is -1"), "{e}");
    let e = error(
        &|t| {
            t.push(("mean", Dtype::F64, vec![5], vec![0.0; 5]));
            t.push(("std", Dtype::F64, vec![5], vec![1.0; 5]));
        },
        &|_| {},
    );
    assert!(
        e.contains("the standardisation has 5 means and 5 standard deviations for 6 inputs"),
        "{e}"
    );
    let e = error(
        &|t| {
            t.push(("mean", Dtype::F32, vec![6], vec![0.0; 6]));
            t.push(("std", Dtype::F64, vec![6], vec![1.0; 6]));
        },
        &|_| {},
    );
    assert!(
        e.contains("mean is F32 of shape [6]; it must be a vector of F64"),
        "{e}"
    );
}

/// One model exports to the same bytes every time (the safetensors crate writes its metadata
/// from a HashMap, in an order that changed from run to run), with the header's keys sorted.
#[test]
fn an_export_is_the_same_bytes_every_time() {
    let model = Model {
        network: AnyNetwork::F64(network()),
        setup: setup(),
        spec: Some(table_spec()),
    };
    let first = to_bytes(&model, Format::Safetensors).unwrap();
    for _ in 0..8 {
        assert_eq!(to_bytes(&model, Format::Safetensors).unwrap(), first);
    }
    let n = u64::from_le_bytes(first[..8].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&first[8..8 + n]).unwrap();
    // Each metadata key (a sorted map's) found after the one before it.
    let keys: Vec<String> = dnn_data::export::metadata(&model).into_keys().collect();
    let mut at = header.find("\"__metadata__\":{").unwrap();
    for key in &keys {
        let found = header[at..].find(&format!("\"{key}\":\""));
        at += found.unwrap_or_else(|| panic!("{key} out of order in {header}"));
    }
    assert!(keys.len() > 5, "{header}");
}

/// A safetensors file whose `format_version` is newer than this dnn writes may mean its
/// tensors otherwise: refused, saying what to do, as an HDF5 one is. An older version, or
/// none, is read.
#[test]
fn a_safetensors_file_from_a_newer_dnn_is_refused_and_an_older_one_read() {
    let e = error_of(
        |_| {},
        |m| {
            m.insert("format_version".into(), "99".into());
        },
    );
    assert!(
        e.ends_with(
            "bad.safetensors: bad model file: written by a newer dnn (format_version 99; this one reads up to 2): update dnn"
        ),
        "{e}"
    );
    let e = error_of(
        |_| {},
        |m| {
            m.insert("format_version".into(), "2.5".into());
        },
    );
    assert!(
        e.contains("its metadata format_version = \"2.5\" is not a whole number"),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.safetensors");
    for version in [Some("1"), None] {
        let mut metadata = good_metadata();
        assert_eq!(metadata["format_version"], "2", "what an export writes");
        match version {
            Some(v) => metadata.insert("format_version".into(), v.into()),
            None => metadata.remove("format_version"),
        };
        write(&path, &good_tensors(), Some(metadata));
        let model = load_model(&path).unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert_eq!(model.network, AnyNetwork::F64(network()));
    }
}
