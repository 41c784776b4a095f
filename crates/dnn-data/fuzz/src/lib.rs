//! The checks the fuzz targets and the stable `replay` binary share: write the input to
//! a file (the loaders take paths, as the HDF5 library does), load it, and hold the
//! loaders to their contract. A panic or a crash is a finding; an `Err` is the expected
//! answer to garbage.

use std::path::PathBuf;

use dnn_core::{Init, Network, NumpyRng};
use dnn_data::model::{load_model, save_model, TrainingSetup};
use dnn_data::{read_split, Split};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dnn-data-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir.join(name)
}

/// `bytes` as a model file: loads or fails with a one-line message naming the file;
/// whatever loads is a usable network.
pub fn check_model(bytes: &[u8]) {
    let path = scratch("model.h5");
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    match load_model(&path) {
        Ok(model) => {
            let sizes = model.network.layer_sizes();
            assert!(
                sizes.len() >= 2 && sizes.iter().all(|&n| n > 0),
                "{sizes:?}"
            );
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "multi-line message: {msg}");
            assert!(
                msg.contains("model.h5"),
                "message does not name the file: {msg}"
            );
        }
    }
}

/// `bytes` as a training data file: loads (with as many labels as images, all 0 or 1) or
/// fails with a message naming the file.
pub fn check_data(bytes: &[u8]) {
    let path = scratch("train.h5");
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    match read_split(&path, Split::Train) {
        Ok(split) => {
            assert_eq!(split.images.shape()[0], split.labels.len());
            assert!(split.labels.iter().all(|&l| l <= 1));
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains("train.h5"),
                "message does not name the file: {msg}"
            );
        }
    }
}

/// A small valid model file ([12, 3, 2, 1], every attribute), as a seed.
pub fn seed_model() -> Vec<u8> {
    let path = scratch("seed-model.h5");
    let net = Network::<f64>::builder(&[12, 3, 2, 1])
        .init(Init::He)
        .build(&mut NumpyRng::new(3))
        .expect("network");
    let setup = TrainingSetup {
        arch: Some("deep".into()),
        init: Some("he".into()),
        seed: Some(3),
        learning_rate: Some(0.01),
        iterations: Some(10),
        iterations_run: Some(10),
        final_cost: Some(0.5),
        optimizer: Some("adam".into()),
        batch_size: Some(64),
        l2: Some(0.7),
        keep_prob: Some(0.86),
    };
    save_model(&path, &net, &setup).expect("save seed model");
    std::fs::read(&path).expect("read seed model")
}

/// A small valid training file (4 images of 2x2), as a seed.
pub fn seed_data() -> Vec<u8> {
    let path = scratch("seed-train.h5");
    let f = hdf5::File::create(&path).expect("create");
    let x = ndarray::Array4::from_shape_fn((4, 2, 2, 3), |(j, r, c, ch)| (j + r + c + ch) as u8);
    f.new_dataset_builder()
        .with_data(&x)
        .create("train_set_x")
        .expect("x");
    f.new_dataset_builder()
        .with_data(&ndarray::Array1::from(vec![0i64, 1, 1, 0]))
        .create("train_set_y")
        .expect("y");
    let c: ndarray::Array1<hdf5::types::FixedAscii<7>> = ndarray::Array1::from(vec![
        hdf5::types::FixedAscii::from_ascii(b"non-cat").expect("ascii"),
        hdf5::types::FixedAscii::from_ascii(b"cat").expect("ascii"),
    ]);
    f.new_dataset_builder()
        .with_data(&c)
        .create("list_classes")
        .expect("classes");
    f.close().expect("close");
    std::fs::read(&path).expect("read seed data")
}
