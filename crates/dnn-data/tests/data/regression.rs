//! Regression targets: which target columns (and npz `y` arrays) are numbers to predict
//! (`Task::Auto`, and `--task` forcing it), scikit-learn's shuffled split, the target's z-score fitted on the
//! training part, and model files (HDF5, safetensors) that record it and refuse a record
//! that does not fit their network.

use dnn_core::{Activation, Init, Network, NumpyRng};
use dnn_data::dataset::{load, LoadOptions};
use dnn_data::export::{export, Format};
use dnn_data::model::{load_model, save_model_with, TrainingSetup};
use dnn_data::{DataError, DataSpec, Input, TargetScale, Task};

use crate::tables::{table, write};

fn task(task: Task) -> LoadOptions {
    LoadOptions {
        task,
        ..LoadOptions::default()
    }
}

#[test]
fn numbers_with_fractions_or_more_than_100_values_are_predicted_and_other_labels_classified() {
    let dir = tempfile::tempdir().unwrap();
    let fractions = write(dir.path(), "f.csv", &table(50, |r| format!("{}.5", r % 7)));
    let prices = write(
        dir.path(),
        "p.csv",
        &table(300, |r| (1000 + 3 * r).to_string()),
    );
    let codes = write(dir.path(), "c.csv", &table(300, |r| (r % 100).to_string()));
    let words = write(
        dir.path(),
        "w.csv",
        &table(50, |r| ["lo", "hi"][r % 2].to_owned()),
    );
    for (path, regression, outputs) in [
        (&fractions, true, 1),
        (&prices, true, 1),
        (&codes, false, 100),
        (&words, false, 1),
    ] {
        let data = load(path, &LoadOptions::default()).unwrap();
        assert_eq!(data.is_regression(), regression, "{}", path.display());
        assert_eq!(data.outputs(), outputs, "{}", path.display());
        if regression {
            assert!(data.spec.classes.is_empty() && data.train_labels.is_empty());
            assert_eq!(data.train_values.len(), data.train_len());
            assert_eq!(data.spec.output_activation(), Activation::Identity);
        } else {
            assert!(data.train_values.is_empty());
        }
    }
    // A target named with spaces around it, as the header's names are trimmed.
    let spaced = LoadOptions {
        target: Some(" y ".into()),
        ..LoadOptions::default()
    };
    assert!(load(&fractions, &spaced).unwrap().is_regression());
    // --task classify: the 50 values of 0.5 .. 6.5 become 7 classes.
    let data = load(&fractions, &task(Task::Classify)).unwrap();
    assert_eq!(data.spec.classes.len(), 7);
    // --task regress: codes become numbers.
    let data = load(&codes, &task(Task::Regress)).unwrap();
    assert!(data.is_regression());
    // --task regress with a word among the targets names its row.
    let err = load(&words, &task(Task::Regress)).unwrap_err().to_string();
    assert!(
        err.contains("row 1") && err.contains("`lo` is not a number, but a number to predict"),
        "{err}"
    );
    // Auto: numbers to predict with a few cells that are not numbers are refused at the
    // first, with how to mend it; a column of words stays classes.
    for (bad, says) in [
        ("unknown", "`unknown` is not a number, but a number to predict (a regression) is needed in every row; mend the cell, or drop the row (or read every value as a class with --task classify)"),
        ("$5.00", "write it plainly (5.00)"),
        ("1e400", "`1e400` is not a finite number"),
        ("NA", "the label `NA` marks a missing value among numeric labels; every row needs a label (a class, or a number to predict): fill them in, or leave the rows without one out with --drop-unlabeled"),
    ] {
        let text = table(50, |r| if r == 7 { bad.to_owned() } else { format!("{r}.5") });
        let path = write(dir.path(), "bad.csv", &text);
        let err = load(&path, &LoadOptions::default()).unwrap_err().to_string();
        assert!(err.contains("row 8") && err.contains(says), "{bad}: {err}");
    }
    // ... and for data whose labels are classes (an image folder, say) it is refused.
    std::fs::create_dir_all(dir.path().join("pics/a")).unwrap();
    let err = load(dir.path().join("pics"), &task(Task::Regress))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "a number to predict (a regression) is a CSV table's number column (an image CSV's \
             too) or an npz archive's `y`, but this is read as image-folder"
        ),
        "{err}"
    );
    // A target of one value in the training part has nothing to predict.
    let flat = write(dir.path(), "flat.csv", &table(40, |_| "2.5".to_owned()));
    let err = load(&flat, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("has one value, 2.5, in every training example"),
        "{err}"
    );
}

#[test]
fn a_regression_is_split_as_scikit_learns_shuffle_split() {
    let cases = crate::split_reference::cases("shuffled");
    assert_eq!(cases.len(), 6);
    let ints = crate::split_reference::ints;
    for case in &cases {
        let (train, test) = dnn_data::split::shuffled(
            case["examples"].as_u64().unwrap() as usize,
            case["fraction"].as_f64().unwrap(),
            case["seed"].as_u64().unwrap() as u32,
        )
        .unwrap();
        assert_eq!(train, ints(&case["train"]), "{}: train", case["name"]);
        assert_eq!(test, ints(&case["test"]), "{}: test", case["name"]);
    }
    // The loader uses it: the test rows are scikit-learn's, found by x = row number.
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "t.csv",
        &table(1000, |r| format!("{}.25", r * r)),
    );
    let options = LoadOptions {
        split_seed: 42,
        ..LoadOptions::default()
    };
    let data = load(&path, &options).unwrap();
    let test_rows: Vec<usize> = data.test_x.row(0).iter().map(|&x| x as usize).collect();
    let many = cases.iter().find(|c| c["name"] == "many_rows").unwrap();
    assert_eq!(test_rows, ints(&many["test"]));
    assert_eq!(
        data.test_values,
        test_rows
            .iter()
            .map(|&r| (r * r) as f64 + 0.25)
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_target_is_z_scored_with_the_training_parts_mean_and_deviation_only() {
    let dir = tempfile::tempdir().unwrap();
    // The rows the split sends to the test part (scikit-learn's, `a_regression_is_split_as_
    // scikit_learns_shuffle_split`) get values near 1000: a scale fitted on every row would
    // have a mean above 100, the training part's is below 13.
    let (_, test) = dnn_data::split::shuffled(200, 0.2, 0).unwrap();
    let path = write(
        dir.path(),
        "t.csv",
        &table(200, |r| {
            let far = if test.contains(&r) { 1000 } else { 0 };
            format!("{}.5", far + r % 13)
        }),
    );
    let data = load(&path, &LoadOptions::default()).unwrap();
    assert!(data.test_values.iter().all(|&v| v > 1000.0));
    let train = &data.train_values;
    let n = train.len() as f64;
    let mean = train.iter().sum::<f64>() / n;
    let std = (train.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
    let scale = data.spec.regression.unwrap();
    assert!(mean < 13.0);
    assert!((scale.mean - mean).abs() < 1e-12 && (scale.std - std).abs() < 1e-12);
    let y = data.train_y::<f64>();
    assert_eq!(y.dim(), (1, data.train_len()));
    for (z, v) in y.iter().zip(train) {
        assert!((z - (v - mean) / std).abs() < 1e-12);
    }
}

fn regression_spec() -> DataSpec {
    DataSpec {
        ranges: None,
        classes: vec![],
        regression: Some(TargetScale {
            mean: 123_456.75,
            std: 0.1 + 0.2,
        }),
        input: Input::Table {
            columns: vec!["a".into(), "b".into()],
            target: "price".into(),
            one_hot: vec![],
            filled: vec![],
            dates: vec![],
        },
        standardization: None,
    }
}

fn network(output: Activation) -> Network<f64> {
    Network::<f64>::builder(&[2, 3, 1])
        .init(Init::He)
        .output(output)
        .build(&mut NumpyRng::new(1))
        .unwrap()
}

#[test]
fn model_files_record_the_target_scale_and_refuse_one_that_does_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let spec = regression_spec();
    let net = network(Activation::Identity);
    let h5 = dir.path().join("m.h5");
    save_model_with(&h5, &net, &TrainingSetup::default(), &spec).unwrap();
    let model = load_model(&h5).unwrap();
    assert_eq!(model.spec.as_ref(), Some(&spec));
    let x = ndarray::array![[0.5, -1.0], [2.0, 0.25]];
    let z = net.predict_proba(&x).unwrap();
    let values = model.predict_values(&x).unwrap();
    for (v, z) in values.iter().zip(&z) {
        assert_eq!(*v, z * (0.1 + 0.2) + 123_456.75);
    }
    assert!(matches!(model.predict(&x), Err(DataError::Network(_))));
    let st = dir.path().join("m.safetensors");
    export(&st, &model, Format::Safetensors).unwrap();
    let back = load_model(&st).unwrap();
    assert_eq!(back.spec.as_ref(), Some(&spec));
    assert_eq!(back.predict_values(&x).unwrap(), values);

    // A regression's record on a classifier's network, a classifier's on an identity output,
    // and a scale that is not one: refused before anything is written.
    let classes = DataSpec {
        ranges: None,
        classes: vec!["lo".into(), "hi".into()],
        regression: None,
        ..regression_spec()
    };
    let zero = DataSpec {
        ranges: None,
        regression: Some(TargetScale {
            mean: 1.0,
            std: 0.0,
        }),
        ..regression_spec()
    };
    for (what, net, spec, says) in [
        (
            "sigmoid for a number",
            network(Activation::Sigmoid),
            &spec,
            "its network's output layer is 1 sigmoid unit(s), but a number to predict takes 1 identity",
        ),
        (
            "identity for classes",
            network(Activation::Identity),
            &classes,
            "its network's output layer is identity (a regression), but it records classes",
        ),
        (
            "std 0",
            network(Activation::Identity),
            &zero,
            "the target's standard deviation is 0, not a positive number",
        ),
    ] {
        let path = dir.path().join("bad.h5");
        let err = save_model_with(&path, &net, &TrainingSetup::default(), spec)
            .unwrap_err()
            .to_string();
        assert!(!path.exists(), "{what}: nothing written");
        assert!(err.contains(says), "{what}: {err}");
    }
}

#[test]
fn a_damaged_target_scale_is_refused_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.h5");
    let net = network(Activation::Identity);
    for (damage, says) in [
        (
            "drop target_std",
            "one of target_mean and target_std but not the other",
        ),
        ("negative target_std", "standard deviation is -2"),
        (
            "drop both",
            "output layer is identity (a regression), but it records classes",
        ),
    ] {
        save_model_with(&path, &net, &TrainingSetup::default(), &regression_spec()).unwrap();
        let file = hdf5::File::open_rw(&path).unwrap();
        file.delete_attr("target_std").unwrap();
        match damage {
            "negative target_std" => file
                .new_attr::<f64>()
                .create("target_std")
                .unwrap()
                .write_scalar(&-2.0)
                .unwrap(),
            "drop both" => file.delete_attr("target_mean").unwrap(),
            _ => {}
        }
        drop(file);
        let err = load_model(&path).unwrap_err().to_string();
        assert!(err.contains(says), "{damage}: {err}");
    }
}

/// An npz archive of float targets (Keras' `boston_housing.npz` saves `x` and `y` so): a
/// regression, in both layouts; integer targets stay classes, and pictures are classified
/// only.
#[test]
fn an_npz_archive_of_float_targets_is_a_regression_in_both_layouts() {
    use ndarray::{Array1, Array2, Array3};
    use ndarray_npy::NpzWriter;
    let dir = tempfile::tempdir().unwrap();
    let x = Array2::from_shape_fn((120, 3), |(j, k)| (j * (k + 1)) as f64 / 10.0);
    let y = Array1::from_shape_fn(120, |j| 20.0 + (j % 17) as f64 * 1.25);
    let save = |name: &str, arrays: Vec<(&str, ndarray::ArrayD<f64>)>| {
        let path = dir.path().join(name);
        let mut w = NpzWriter::new(std::fs::File::create(&path).unwrap());
        for (key, a) in arrays {
            w.add_array(key, &a).unwrap();
        }
        w.finish().unwrap();
        path
    };
    let xy = save(
        "xy.npz",
        vec![("x", x.clone().into_dyn()), ("y", y.clone().into_dyn())],
    );
    let data = load(&xy, &LoadOptions::default()).unwrap();
    assert!(data.is_regression());
    let (train, test) = dnn_data::split::shuffled(120, 0.2, 0).unwrap();
    assert_eq!(
        data.test_values,
        test.iter().map(|&j| y[j]).collect::<Vec<_>>()
    );
    let scale = data.spec.regression.unwrap();
    assert_eq!(
        Some(scale),
        TargetScale::fit(&y.to_vec(), &train),
        "fitted on the training part"
    );
    // The split layout keeps its parts; the scale is the training part's.
    let (xa, xb) = x.view().split_at(ndarray::Axis(0), 90);
    let (ya, yb) = y.view().split_at(ndarray::Axis(0), 90);
    let split = save(
        "split.npz",
        vec![
            ("x_train", xa.to_owned().into_dyn()),
            ("y_train", ya.to_owned().into_dyn()),
            ("x_test", xb.to_owned().into_dyn()),
            ("y_test", yb.to_owned().into_dyn()),
        ],
    );
    let data = load(&split, &LoadOptions::default()).unwrap();
    assert_eq!((data.train_len(), data.test_len()), (90, 30));
    assert_eq!(data.test_values, yb.to_vec());
    assert_eq!(
        data.spec.regression,
        TargetScale::fit(&ya.to_vec(), &(0..90).collect::<Vec<_>>())
    );
    // Whole floats (class numbers saved as float) stay classes; --task regress makes them
    // numbers.
    let codes = save(
        "codes.npz",
        vec![
            ("x", x.clone().into_dyn()),
            ("y", y.mapv(|v| (v % 3.0).floor()).into_dyn()),
        ],
    );
    assert_eq!(
        load(&codes, &LoadOptions::default())
            .unwrap()
            .spec
            .classes
            .len(),
        3
    );
    assert!(load(&codes, &task(Task::Regress)).unwrap().is_regression());
    // Pictures with numbers to predict: refused, naming what dnn does.
    let pictures = save(
        "pictures.npz",
        vec![
            ("x", Array3::from_elem((120, 2, 2), 0.5).into_dyn()),
            ("y", y.clone().into_dyn()),
        ],
    );
    let err = load(&pictures, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("dnn predicts numbers from tables only"),
        "{err}"
    );
}
