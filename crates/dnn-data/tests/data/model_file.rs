//! Model files: round trips in both dtypes and every way a file can be wrong.

use dnn_core::{Activation, Init, Layer, Network, NumpyRng};
use dnn_data::dataset::{DataSpec, Input};
use dnn_data::model::{encode_model, load_model, save_model, AnyNetwork, TrainingSetup};
use ndarray::{array, Array2, ShapeBuilder};

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
        final_cost: Some(0.25),
        optimizer: Some("adam".into()),
        batch_size: Some(64),
        l2: Some(0.7),
        keep_prob: Some(0.86),
        test_split: Some(0.25),
        split_seed: Some(7),
        validation_split: Some(0.1),
        patience: Some(12),
        min_delta: Some(1e-4),
        data: Some("données d'été.csv".into()),
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

/// Writes an HDF5 file with the given 2-D f64 datasets (and nothing else).
fn write_raw(path: &std::path::Path, sets: &[(&str, Array2<f64>)]) {
    let file = hdf5::File::create(path).unwrap();
    for (name, data) in sets {
        file.new_dataset_builder()
            .with_data(data)
            .create(*name)
            .unwrap();
    }
}

#[test]
fn f64_and_f32_models_round_trip_exactly_with_their_setup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m64.h5");
    let net = network::<f64>();
    save_model(&path, &net, &setup()).unwrap();
    let model = load_model(&path).unwrap();
    assert_eq!(model.network, AnyNetwork::F64(net));
    assert_eq!(model.setup, setup());

    let path = dir.path().join("m32.h5");
    let net = network::<f32>();
    save_model(&path, &net, &TrainingSetup::default()).unwrap();
    let model = load_model(&path).unwrap();
    assert_eq!(model.network.dtype(), "f32");
    assert_eq!(model.network, AnyNetwork::F32(net));
    assert_eq!(model.setup, TrainingSetup::default());
    // Only the final file is left: no temporaries.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

/// Generic code can save a network of either float type (`H5Type` re-exported), and
/// dnn-core's errors pass through `?` as dnn-data's.
fn train_and_save<F: dnn_core::Float + dnn_data::H5Type>(
    path: &std::path::Path,
    sizes: &[usize],
) -> dnn_data::Result<()> {
    let net = Network::<F>::builder(sizes).build(&mut NumpyRng::new(3))?;
    save_model(path, &net, &TrainingSetup::default())
}

#[test]
fn generic_code_saves_either_type_and_a_network_error_is_a_data_error() {
    let dir = tempfile::tempdir().unwrap();
    train_and_save::<f32>(&dir.path().join("a.h5"), &[3, 2, 1]).unwrap();
    train_and_save::<f64>(&dir.path().join("b.h5"), &[3, 2, 1]).unwrap();
    assert_eq!(
        load_model(dir.path().join("a.h5")).unwrap().network.dtype(),
        "f32"
    );
    let err = train_and_save::<f64>(&dir.path().join("c.h5"), &[3, 0, 1]).unwrap_err();
    assert!(matches!(err, dnn_data::DataError::Network(_)), "{err:?}");
    assert!(err.to_string().contains("0 units"), "{err}");
}

/// `save_model` writes HDF5 whatever the name; a file named `.safetensors` that holds HDF5
/// is read as HDF5, not refused as a broken safetensors file.
#[test]
fn an_hdf5_model_named_safetensors_loads_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.safetensors");
    let net = network::<f64>();
    save_model(&path, &net, &setup()).unwrap();
    assert_eq!(load_model(&path).unwrap().network, AnyNetwork::F64(net));
}

/// A table of six number columns `c0..c5`, labelled by `y`: `network()`'s inputs.
fn six_numbers() -> Input {
    Input::Table {
        columns: (0..6).map(|i| format!("c{i}")).collect(),
        target: "y".into(),
        one_hot: Vec::new(),
        filled: Vec::new(),
        dates: vec![],
    }
}

/// `Model::predict` applies the model's z-score, which `model.network` alone does not.
#[test]
fn a_model_predicts_raw_inputs_through_its_standardisation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.h5");
    let net = network::<f64>();
    let spec = DataSpec {
        ranges: None,
        regression: None,
        classes: vec!["no".into(), "yes".into()],
        input: six_numbers(),
        standardization: Some(dnn_data::Standardization {
            mean: array![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            std: array![0.5, 1.0, 2.0, 4.0, 8.0, 16.0],
        }),
    };
    dnn_data::model::save_model_with(&path, &net, &setup(), &spec).unwrap();
    let model = load_model(&path).unwrap();
    let raw = Array2::from_shape_fn((6, 5), |(i, j)| (i as f64 + 1.0) * (j as f64 - 1.5));
    let mut z = raw.clone();
    spec.standardization.as_ref().unwrap().apply(&mut z);
    let expected = net.predict_proba(&z).unwrap();
    assert_eq!(model.predict_proba(&raw).unwrap(), expected);
    assert_ne!(
        net.predict_proba(&raw).unwrap(),
        expected,
        "a z-score that changes nothing"
    );
    let predictions = model.predict(&raw).unwrap();
    for (j, p) in predictions.iter().enumerate() {
        let yes = expected[[0, j]];
        assert_eq!(p.class, usize::from(yes > 0.5));
        assert_eq!(p.name, ["no", "yes"][p.class]);
        assert_eq!(p.probability, if p.class == 1 { yes } else { 1.0 - yes });
    }
    // Another width is the network's error, not a panic of the z-score.
    let err = model.predict(&Array2::zeros((5, 2))).unwrap_err();
    assert!(matches!(err, dnn_data::DataError::Network(_)), "{err:?}");
}

#[test]
fn a_file_with_only_weights_loads_as_the_exercise_network() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("numpy.h5");
    write_raw(
        &path,
        &[
            ("W1", array![[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]]),
            ("b1", array![[0.0], [0.1], [0.2]]),
            ("W2", array![[1.0, -1.0, 0.5]]),
            ("b2", array![[0.3]]),
        ],
    );
    let model = load_model(&path).unwrap();
    let AnyNetwork::F64(net) = model.network else {
        panic!("expected f64")
    };
    assert_eq!(net.layer_sizes(), vec![2, 3, 1]);
    let acts: Vec<_> = net.layers().iter().map(|l| l.activation()).collect();
    assert_eq!(acts, vec![Activation::Relu, Activation::Sigmoid]);
}

fn load_err(path: &std::path::Path) -> String {
    load_model(path).unwrap_err().to_string()
}

#[test]
fn missing_empty_and_non_hdf5_files_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.h5");
    assert_eq!(
        load_err(&missing),
        format!("{}: file not found", missing.display())
    );
    let empty = dir.path().join("empty.h5");
    std::fs::write(&empty, b"").unwrap();
    assert!(load_err(&empty).contains("not a readable HDF5 file (0 bytes)"));
    let text = dir.path().join("text.h5");
    std::fs::write(&text, b"W1,b1\n1,2\n").unwrap();
    assert!(load_err(&text).contains("not a readable HDF5 file"));
}

#[test]
fn truncated_model_files_are_errors_at_every_cut() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.h5");
    save_model(&path, &network::<f64>(), &setup()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let cut = dir.path().join("cut.h5");
    for len in [
        0,
        8,
        100,
        512,
        1000,
        bytes.len() / 2,
        bytes.len() - 100,
        bytes.len() - 1,
    ] {
        std::fs::write(&cut, &bytes[..len]).unwrap();
        assert!(
            load_model(&cut).is_err(),
            "a file cut at {len} of {} bytes loaded",
            bytes.len()
        );
    }
}

#[test]
fn an_hdf5_file_without_weights_is_not_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.h5");
    write_raw(&path, &[("train_set_x", Array2::zeros((2, 2)))]);
    assert_eq!(
        load_err(&path),
        format!(
            "{}: not a dnn model file: it has no W1 data set (it has: train_set_x)",
            path.display()
        )
    );
}

#[test]
fn missing_extra_and_misshapen_layers_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.h5");
    let w1 = || Array2::<f64>::zeros((3, 2));
    let b1 = || Array2::<f64>::zeros((3, 1));
    type Case = (Vec<(&'static str, Array2<f64>)>, &'static str);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("W1", w1()),
                ("W2", Array2::zeros((1, 3))),
                ("b2", Array2::zeros((1, 1))),
            ],
            "it has W1 but no b1",
        ),
        (
            vec![("W1", w1()), ("b1", b1()), ("b2", Array2::zeros((1, 1)))],
            "it has b2 but its layers are W1..W1: layer 2 is missing or extra",
        ),
        (
            vec![
                ("W1", w1()),
                ("b1", b1()),
                ("W3", Array2::zeros((1, 3))),
                ("b3", Array2::zeros((1, 1))),
            ],
            "it has W3 but its layers are W1..W1",
        ),
        (
            vec![
                ("W1", w1()),
                ("b1", Array2::zeros((2, 1))),
                ("W2", Array2::zeros((1, 3))),
                ("b2", Array2::zeros((1, 1))),
            ],
            "W1 has shape (3, 2) so b1 must be (3, 1), but it is (2, 1)",
        ),
        (
            vec![
                ("W1", w1()),
                ("b1", b1()),
                ("W2", Array2::zeros((1, 4))),
                ("b2", Array2::zeros((1, 1))),
            ],
            "W2 has shape (1, 4) but layer 1 has 3 units, so W2 needs 3 columns",
        ),
        (
            vec![
                ("W1", array![[f64::NAN, 0.0]]),
                ("b1", Array2::zeros((1, 1))),
            ],
            "W1[0, 0] is NaN: the model is damaged",
        ),
    ];
    for (sets, expected) in cases {
        let _ = std::fs::remove_file(&path);
        write_raw(&path, &sets);
        let msg = load_err(&path);
        assert!(msg.contains(expected), "expected «{expected}» in «{msg}»");
        assert!(
            msg.starts_with(&format!("{}: bad model file: ", path.display())),
            "{msg}"
        );
    }
}

#[test]
fn integer_weights_and_mixed_dtypes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("int.h5");
    {
        let file = hdf5::File::create(&path).unwrap();
        file.new_dataset_builder()
            .with_data(&Array2::<i32>::zeros((1, 2)))
            .create("W1")
            .unwrap();
        file.new_dataset_builder()
            .with_data(&Array2::<i32>::zeros((1, 1)))
            .create("b1")
            .unwrap();
    }
    assert!(
        load_err(&path).contains("W1 has element type"),
        "{}",
        load_err(&path)
    );
    let path = dir.path().join("mixed.h5");
    {
        let file = hdf5::File::create(&path).unwrap();
        file.new_dataset_builder()
            .with_data(&Array2::<f64>::zeros((1, 2)))
            .create("W1")
            .unwrap();
        file.new_dataset_builder()
            .with_data(&Array2::<f32>::zeros((1, 1)))
            .create("b1")
            .unwrap();
    }
    assert!(
        load_err(&path).contains("b1 is float32 but W1 is float64"),
        "{}",
        load_err(&path)
    );
}

#[test]
fn attributes_that_contradict_the_weights_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.h5");
    save_model(&path, &network::<f64>(), &setup()).unwrap();
    {
        let file = hdf5::File::open_rw(&path).unwrap();
        file.delete_attr("layer_sizes").unwrap();
        file.new_attr_builder()
            .with_data(&ndarray::arr1(&[6u64, 5, 3, 1]))
            .create("layer_sizes")
            .unwrap();
    }
    assert!(load_err(&path).contains(
        "its layer_sizes attribute says [6, 5, 3, 1] but the weights have sizes [6, 4, 3, 1]"
    ));
    save_model(&path, &network::<f64>(), &setup()).unwrap();
    {
        let file = hdf5::File::open_rw(&path).unwrap();
        file.delete_attr("activations").unwrap();
        let v = hdf5::types::FixedAscii::<32>::from_ascii("relu,softplus,sigmoid").unwrap();
        file.new_attr::<hdf5::types::FixedAscii<32>>()
            .create("activations")
            .unwrap()
            .write_scalar(&v)
            .unwrap();
    }
    assert!(load_err(&path).contains("unknown activation \"softplus\""));
}

/// A picture shape whose product wraps round to the network's inputs (`(2^63 + 3) * 2 * 1`
/// is 6 modulo 2^64) is refused, not used to size a picture of 2^63 rows.
#[test]
fn a_picture_shape_that_overflows_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.h5");
    let spec = DataSpec {
        ranges: None,
        regression: None,
        classes: vec!["no".into(), "yes".into()],
        input: Input::Picture {
            height: 3,
            width: 2,
            channels: 1,
        },
        standardization: None,
    };
    dnn_data::model::save_model_with(&path, &network::<f64>(), &setup(), &spec).unwrap();
    assert!(load_model(&path).is_ok());
    {
        let file = hdf5::File::open_rw(&path).unwrap();
        file.delete_attr("picture_shape").unwrap();
        file.new_attr_builder()
            .with_data(&ndarray::arr1(&[(1u64 << 63) + 3, 2, 1]))
            .create("picture_shape")
            .unwrap();
    }
    let msg = load_err(&path);
    assert!(
        msg.contains("the input (9223372036854775811x2x1 pictures) has more features but the network takes 6"),
        "{msg}"
    );
}

/// Variable-length strings live in HDF5's global heap, where a damaged file can crash or hang
/// libhdf5 (found by fuzzing); the loader refuses them without reading them.
#[test]
fn variable_length_text_attributes_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.h5");
    save_model(&path, &network::<f64>(), &setup()).unwrap();
    {
        let file = hdf5::File::open_rw(&path).unwrap();
        file.delete_attr("activations").unwrap();
        let v: hdf5::types::VarLenUnicode = "relu,relu,sigmoid".parse().unwrap();
        file.new_attr::<hdf5::types::VarLenUnicode>()
            .create("activations")
            .unwrap()
            .write_scalar(&v)
            .unwrap();
    }
    let msg = load_err(&path);
    assert!(
        msg.contains("its attribute activations cannot be read as expected: it is stored as")
            && msg.contains("only as fixed-length strings"),
        "{msg}"
    );
}

#[test]
fn a_failed_save_leaves_the_existing_model_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.h5");
    save_model(&path, &network::<f64>(), &setup()).unwrap();
    let before = std::fs::read(&path).unwrap();
    // A save that fails while the file is being built: text attributes hold at most 1024
    // bytes. (Failures
    // of the file system itself are the atomic writer's tests and dnn-cli's
    // tests/cli/failed_saves.rs.)
    let bad = TrainingSetup {
        arch: Some("déjà vu ".repeat(200)),
        ..TrainingSetup::default()
    };
    let err = save_model(&path, &network::<f64>(), &bad).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}: cannot write: attribute arch", path.display())),
        "{err}"
    );
    // And one that fails when the file is put in place: the directory is gone.
    let gone = dir.path().join("gone").join("m.h5");
    let err = save_model(&gone, &network::<f64>(), &setup()).unwrap_err();
    assert!(
        err.to_string().contains("No such file or directory"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["m.h5"], "a temporary was left behind");
}

#[test]
fn a_save_writes_nothing_but_the_model_file() {
    // The file is built in memory: no HDF5 file appears in the current directory either.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.h5");
    let cwd_before = std::fs::read_dir(".").unwrap().count();
    save_model(&path, &network::<f32>(), &setup()).unwrap();
    assert_eq!(std::fs::read_dir(".").unwrap().count(), cwd_before);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_softmax_network_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("softmax.h5");
    let net = Network::<f64>::builder(&[6, 4, 3])
        .output(Activation::Softmax)
        .build(&mut NumpyRng::new(2))
        .unwrap();
    save_model(&path, &net, &TrainingSetup::default()).unwrap();
    assert_eq!(load_model(&path).unwrap().network, AnyNetwork::F64(net));
}

#[test]
fn column_major_weights_are_saved_as_the_same_matrices() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.h5");
    let w = Array2::from_shape_vec((3, 2).f(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let net = Network::<f64>::from_layers(vec![
        Layer::new(w.clone(), Array2::zeros((3, 1)), Activation::Relu),
        Layer::new(array![[1.0, 2.0, 3.0]], array![[0.5]], Activation::Sigmoid),
    ])
    .unwrap();
    save_model(&path, &net, &TrainingSetup::default()).unwrap();
    let AnyNetwork::F64(back) = load_model(&path).unwrap().network else {
        panic!("f64")
    };
    assert_eq!(back.layers()[0].weights(), &w);
}

/// The input that hung libhdf5 under fuzzing (a damaged variable-length string attribute) ends
/// in an error now, quickly: the loader never reads variable-length attributes.
#[test]
fn the_fuzzer_found_hang_is_an_error_in_time() {
    let path = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/known-crashes/model-hang-H5HG_read.bin"
    ));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(load_model(&path).map(|_| ()).map_err(|e| e.to_string()));
    });
    let result = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the loader hung on the known input");
    let msg = result.expect_err("a damaged model must not load");
    assert!(msg.contains("only as fixed-length strings"), "{msg}");
}

#[test]
fn an_encoded_model_is_a_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("downloaded.h5");
    let net = network::<f32>();
    std::fs::write(&path, encode_model(&net, &setup(), None).unwrap()).unwrap();
    let model = load_model(&path).unwrap();
    assert_eq!(model.network, AnyNetwork::F32(net.clone()));
    assert_eq!(model.setup, setup());
    assert_eq!(model.spec, None);
    // With what the inputs and outputs mean, checked against the network as save_model_with does.
    let spec = DataSpec {
        ranges: None,
        regression: None,
        classes: vec!["no".into(), "yes".into()],
        input: Input::Table {
            columns: (1..=6).map(|k| format!("x{k}")).collect(),
            target: "y".into(),
            one_hot: Vec::new(),
            filled: Vec::new(),
            dates: vec![],
        },
        standardization: None,
    };
    std::fs::write(&path, encode_model(&net, &setup(), Some(&spec)).unwrap()).unwrap();
    assert_eq!(load_model(&path).unwrap().spec, Some(spec.clone()));
    let three = DataSpec {
        ranges: None,
        regression: None,
        classes: vec!["a".into(), "b".into(), "c".into()],
        ..spec
    };
    assert!(encode_model(&net, &setup(), Some(&three)).is_err());
}

/// Set-up values that a reader acts on (`dnn evaluate` holds out a model's validation part by
/// its `validation_split` and `split_seed`) are refused when a file holds unusable ones, naming
/// the attribute, and are never written.
#[test]
fn unusable_split_and_early_stopping_attributes_are_refused_on_load_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.h5");
    let edited = |name: &str, value: f64| {
        save_model(&path, &network::<f64>(), &setup()).unwrap();
        let file = hdf5::File::open_rw(&path).unwrap();
        file.delete_attr(name).unwrap();
        match name {
            "patience" | "split_seed" => file
                .new_attr::<u64>()
                .create(name)
                .unwrap()
                .write_scalar(&(value as u64))
                .unwrap(),
            _ => file
                .new_attr::<f64>()
                .create(name)
                .unwrap()
                .write_scalar(&value)
                .unwrap(),
        }
        drop(file);
        load_err(&path)
    };
    assert!(edited("validation_split", 1.5)
        .ends_with("bad model file: its validation_split is 1.5: it must be a fraction in (0, 1)"));
    assert!(edited("validation_split", f64::NAN).contains("its validation_split is NaN"));
    assert!(edited("test_split", 0.0).contains("its test_split is 0: it must be a fraction"));
    assert!(edited("patience", 0.0).contains("its patience is 0: it must be at least 1"));
    assert!(edited("min_delta", -1e-3).contains("its min_delta is -0.001: it must be a finite"));
    assert!(edited("split_seed", 2f64.powi(40))
        .contains("its split_seed is 1099511627776: it must be a seed of 32 bits"));
    // Nor are they written.
    let bad = TrainingSetup {
        patience: Some(0),
        ..setup()
    };
    let err = save_model(dir.path().join("n.h5"), &network::<f64>(), &bad).unwrap_err();
    assert!(err.to_string().contains("its patience is 0"), "{err}");
    assert!(!dir.path().join("n.h5").exists());
}

/// Class weights are one per class, each finite and > 0: a file that says otherwise was
/// edited, and is refused naming the attribute; none such is written.
#[test]
fn class_weights_that_do_not_fit_the_classes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.h5");
    save_model(&path, &network::<f64>(), &setup()).unwrap();
    assert_eq!(
        load_model(&path).unwrap().setup.class_weights,
        Some(vec![0.1 + 0.2, 3.0])
    );
    let edited = |weights: Vec<f64>| {
        let file = hdf5::File::open_rw(&path).unwrap();
        file.delete_attr("class_weights").unwrap();
        file.new_attr_builder()
            .with_data(&ndarray::Array1::from(weights))
            .create("class_weights")
            .unwrap();
        drop(file);
        load_err(&path)
    };
    let err = edited(vec![1.0, 2.0, 3.0]);
    assert!(
        err.ends_with(
            "bad model file: its class_weights do not fit its network: 3 class weights were \
             given for 2 classes: give one weight per class (two for a sigmoid output, class 0 \
             then class 1)"
        ),
        "{err}"
    );
    assert!(edited(vec![1.0, 0.0])
        .ends_with("its class_weights hold 0: each must be a finite number > 0"));
    assert!(edited(vec![f64::NAN, 1.0]).contains("its class_weights hold NaN"));
    let bad = TrainingSetup {
        class_weights: Some(vec![1.0]),
        ..setup()
    };
    let err = save_model(dir.path().join("n.h5"), &network::<f64>(), &bad).unwrap_err();
    assert!(
        err.to_string()
            .contains("1 class weights were given for 2 classes"),
        "{err}"
    );
    assert!(!dir.path().join("n.h5").exists());
}

#[test]
fn a_data_sha256_in_capitals_is_read_and_one_that_is_not_a_digest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.h5");
    save_model(&path, &network::<f64>(), &setup()).unwrap();
    let upper = setup().data_sha256.unwrap().to_uppercase();
    let write = |text: &str| {
        let file = hdf5::File::open_rw(&path).unwrap();
        let _ = file.delete_attr("data_sha256");
        file.new_attr::<hdf5::types::FixedAscii<80>>()
            .create("data_sha256")
            .unwrap()
            .write_scalar(&hdf5::types::FixedAscii::<80>::from_ascii(text).unwrap())
            .unwrap();
    };
    // Upper-case hex digits are the same digest.
    write(&upper);
    let model = dnn_data::model::load_model(&path).unwrap();
    assert_eq!(model.setup.data_sha256, setup().data_sha256);
    let bad = format!("{upper}!");
    write(&bad);
    let err = load_err(&path);
    assert!(
        err.ends_with(&format!(
            "bad model file: its data_sha256 is \"{}…\": it must be a SHA-256 in 64 lowercase hex digits",
            &bad.to_lowercase()[..40]
        )),
        "{err}"
    );
    let bad = TrainingSetup {
        data_sha256: Some("e3b0c442".into()),
        ..setup()
    };
    let err = save_model(dir.path().join("n.h5"), &network::<f64>(), &bad).unwrap_err();
    assert!(
        err.to_string().contains("its data_sha256 is \"e3b0c442\""),
        "{err}"
    );
    assert!(!dir.path().join("n.h5").exists());
}

/// A model file saved by dnn, then one root attribute replaced (`value` written as the
/// type `T`) or, for `None`, removed.
fn with_attribute<T: dnn_data::H5Type>(path: &std::path::Path, name: &str, value: Option<T>) {
    save_model(path, &network::<f64>(), &setup()).unwrap();
    let file = hdf5::File::open_rw(path).unwrap();
    file.delete_attr(name).unwrap();
    if let Some(v) = value {
        file.new_attr::<T>()
            .create(name)
            .unwrap()
            .write_scalar(&v)
            .unwrap();
    }
}

/// A file whose `format_version` is newer than this dnn writes may lay out or mean its
/// tensors otherwise (the audit's `future_nostd.h5` predicted other classes, silently):
/// refused, saying what to do. Older versions, and files without one (numpy's, version 1),
/// are read.
#[test]
fn a_model_file_from_a_newer_dnn_is_refused_and_an_older_one_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.h5");
    with_attribute(&path, "format_version", Some(99u32));
    let e = load_err(&path);
    assert_eq!(
        e,
        format!(
            "{}: bad model file: written by a newer dnn (format_version 99; this one reads up to 2): update dnn",
            path.display()
        )
    );
    // As numpy or h5py write an integer: a 64-bit one.
    with_attribute(&path, "format_version", Some(3i64));
    assert!(load_err(&path).contains("(format_version 3; this one reads up to 2)"));
    for version in [Some(1u32), Some(dnn_data::model::FORMAT_VERSION), None] {
        with_attribute(&path, "format_version", version);
        let model = load_model(&path).unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert_eq!(model.network, AnyNetwork::F64(network()), "{version:?}");
    }
}

/// A `format` attribute that is not dnn's says the file is another tool's, whose `W1` may
/// mean something else: refused. A file without one (numpy's) is read.
#[test]
fn a_model_file_of_another_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keras.h5");
    let keras = hdf5::types::FixedAscii::<16>::from_ascii("keras-model").unwrap();
    with_attribute(&path, "format", Some(keras));
    assert_eq!(
        load_err(&path),
        format!(
            "{}: bad model file: its format attribute is \"keras-model\", not \"dnn-model\": it was not written by dnn",
            path.display()
        )
    );
    with_attribute::<u8>(&path, "format", None);
    assert_eq!(
        load_model(&path).unwrap().network,
        AnyNetwork::F64(network())
    );
}

/// A table's training ranges (`input_min`, `input_max`) are saved and read back; a file
/// with one of them, or of another length, or out of order, is refused by name.
#[test]
fn training_ranges_round_trip_and_bad_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.h5");
    let net = network::<f64>();
    let ranges = dnn_data::ranges::InputRanges {
        min: array![-1.5, 0.0, 2012.0, -3.0, 0.0, 0.0],
        max: array![1.5, 0.0, 2015.0, 3.0, 1.0, 1e300],
    };
    let spec = DataSpec {
        ranges: Some(ranges.clone()),
        regression: None,
        classes: vec!["no".into(), "yes".into()],
        input: six_numbers(),
        standardization: None,
    };
    dnn_data::model::save_model_with(&path, &net, &setup(), &spec).unwrap();
    let back = load_model(&path).unwrap().spec.unwrap();
    assert_eq!(back.ranges, Some(ranges.clone()));
    // Without them (a file saved before dnn recorded them): none, and no check.
    let older = DataSpec {
        ranges: None,
        ..spec.clone()
    };
    dnn_data::model::save_model_with(&path, &net, &setup(), &older).unwrap();
    assert_eq!(load_model(&path).unwrap().spec.unwrap().ranges, None);
    for (bad, says) in [
        (
            dnn_data::ranges::InputRanges {
                min: array![0.0],
                max: array![1.0],
            },
            "input_min has 1 values and input_max 1 for 6 inputs",
        ),
        (
            dnn_data::ranges::InputRanges {
                min: array![0.0, 0.0, 5.0, 0.0, 0.0, 0.0],
                max: array![1.0, 1.0, 4.0, 1.0, 1.0, 1.0],
            },
            "input 2's training range is 5 to 4, not two finite numbers in order",
        ),
    ] {
        let spec = DataSpec {
            ranges: Some(bad),
            ..spec.clone()
        };
        let err = dnn_data::model::save_model_with(&path, &net, &setup(), &spec).unwrap_err();
        assert!(err.to_string().contains(says), "{err}");
    }
    // A file that holds one of the two.
    let file = hdf5::File::open_rw(&path).unwrap();
    file.new_dataset_builder()
        .with_data(&array![0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
        .create("input_min")
        .unwrap();
    drop(file);
    assert!(
        load_err(&path).contains("it has one of input_min and input_max but not the other"),
        "{}",
        load_err(&path)
    );
}
