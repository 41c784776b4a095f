//! Property tests of the file-validation layer: random bytes, random truncations and
//! random byte changes of valid model and data files never panic the loaders; they load
//! or return a `DataError`. Case counts are small so the file runs in a few seconds; the
//! fuzz target in `crates/dnn-data/fuzz/` runs the same checks for longer.
//!
//! Random byte *changes* inside a valid file are deliberately not here: they reach
//! libhdf5 1.10's own parsers, which can crash the process (SIGSEGV in `H5HG_read` on a
//! damaged global heap, found by this file's first version). No Rust code can catch
//! that; the fuzz target exercises it and its README records what it found.

use std::path::Path;
use std::sync::OnceLock;

use dnn_core::{Init, Network, NumpyRng};
use dnn_data::model::{load_model, TrainingSetup};
use dnn_data::{read_split, Split};
use hdf5::types::FixedAscii;
use ndarray::{Array1, Array4};
use proptest::prelude::*;

/// A valid model file of layers [12, 3, 2, 1], with every attribute, as bytes.
fn model_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.h5");
        let net = Network::<f64>::builder(&[12, 3, 2, 1])
            .init(Init::He)
            .build(&mut NumpyRng::new(3))
            .expect("net");
        let setup = TrainingSetup {
            arch: Some("deep".into()),
            init: Some("he".into()),
            seed: Some(3),
            learning_rate: Some(0.01),
            iterations: Some(10),
            iterations_run: Some(10),
            batches_run: Some(3),
            final_cost: Some(0.5),
            optimizer: Some("adam".into()),
            batch_size: Some(64),
            l2: Some(0.7),
            keep_prob: Some(0.86),
            test_split: Some(0.2),
            split_seed: Some(0),
            validation_split: Some(0.15),
            patience: Some(10),
            min_delta: Some(0.0),
            data: Some("houses.csv".into()),
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
        };
        // With everything a model file records, so damage anywhere reaches every reader.
        let spec = dnn_data::DataSpec {
            ranges: None,
            regression: None,
            classes: vec!["no".into(), "yes".into()],
            input: dnn_data::Input::Table {
                columns: (0..12).map(|i| format!("c{i}")).collect(),
                target: "label".into(),
                one_hot: Vec::new(),
                filled: Vec::new(),
                dates: vec![],
            },
            standardization: Some(dnn_data::Standardization {
                mean: ndarray::Array1::from_elem(12, 0.5),
                std: ndarray::Array1::from_elem(12, 2.0),
            }),
        };
        dnn_data::model::save_model_with(&path, &net, &setup, &spec).expect("save");
        std::fs::read(&path).expect("read")
    })
}

/// A valid training file with 4 images of 2x2 pixels, as bytes.
fn data_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("train.h5");
        let f = hdf5::File::create(&path).expect("create");
        let x = Array4::from_shape_fn((4, 2, 2, 3), |(j, r, c, ch)| (j + r + c + ch) as u8);
        f.new_dataset_builder()
            .with_data(&x)
            .create("train_set_x")
            .expect("x");
        f.new_dataset_builder()
            .with_data(&Array1::from(vec![0i64, 1, 1, 0]))
            .create("train_set_y")
            .expect("y");
        let c: Array1<FixedAscii<7>> = Array1::from(vec![
            FixedAscii::from_ascii(b"non-cat").expect("ascii"),
            FixedAscii::from_ascii(b"cat").expect("ascii"),
        ]);
        f.new_dataset_builder()
            .with_data(&c)
            .create("list_classes")
            .expect("classes");
        f.close().expect("close");
        std::fs::read(&path).expect("read")
    })
}

/// Writes `bytes` to a fresh file and runs both loaders on it; returns whether the model
/// loader accepted it. A panic fails the property.
fn load_both(dir: &Path, bytes: &[u8]) -> bool {
    let path = dir.join("input.h5");
    std::fs::write(&path, bytes).expect("write");
    let model = load_model(&path);
    if let Ok(m) = &model {
        // Whatever loads must be a usable network: finite weights, chained shapes.
        let sizes = m.network.layer_sizes();
        assert!(
            sizes.len() >= 2 && sizes.iter().all(|&n| n > 0),
            "{sizes:?}"
        );
    }
    if let Err(e) = &model {
        let msg = e.to_string();
        assert!(
            msg.contains("input.h5"),
            "the message names the file: {msg}"
        );
        assert!(!msg.contains('\n'), "one line: {msg}");
    }
    let _ = read_split(&path, Split::Train);
    model.is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let dir = tempfile::tempdir().expect("tempdir");
        prop_assert!(!load_both(dir.path(), &bytes));
    }

    #[test]
    fn random_bytes_after_an_hdf5_signature_never_panic(tail in prop::collection::vec(any::<u8>(), 0..2048)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut bytes = b"\x89HDF\r\n\x1a\n".to_vec();
        bytes.extend(tail);
        load_both(dir.path(), &bytes);
    }

    #[test]
    fn truncated_model_files_are_refused(cut in any::<prop::sample::Index>()) {
        let full = model_bytes();
        let cut = cut.index(full.len()); // always shorter than the whole file
        let dir = tempfile::tempdir().expect("tempdir");
        prop_assert!(!load_both(dir.path(), &full[..cut]), "a model cut at {} of {} bytes loaded", cut, full.len());
    }

    #[test]
    fn truncated_data_files_are_refused(cut in any::<prop::sample::Index>()) {
        let full = data_bytes();
        let cut = cut.index(full.len());
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("train.h5");
        std::fs::write(&path, &full[..cut]).expect("write");
        prop_assert!(read_split(&path, Split::Train).is_err());
    }
}

#[test]
fn the_untouched_files_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(load_both(dir.path(), model_bytes()));
    let path = dir.path().join("train.h5");
    std::fs::write(&path, data_bytes()).expect("write");
    let split = read_split(&path, Split::Train).expect("valid data file");
    assert_eq!(split.labels.to_vec(), vec![0, 1, 1, 0]);
}
