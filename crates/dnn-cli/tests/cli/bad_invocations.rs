//! A table of bad invocations of `dnn`: wrong files, broken files, models of another
//! architecture, impossible flags, unwritable outputs, a diverging learning rate, and the
//! bad inputs of your own data (CSV, image folders, npz, splits, class lists).
//!
//! For every row the test asserts:
//! * the exit code;
//! * the message says what is wrong (it contains the row's expected fragments);
//! * no `panicked at` and no backtrace on stderr;
//! * no file in the working directory was created, changed or removed (snapshot before
//!   and after).
//!
//! Two kinds of message, both exactly one non-empty line on stderr, starting `error: `:
//! * our own errors (exit 1: the run failed);
//! * usage errors (exit 2: a bad flag or value), clap's message put on one line by `main`,
//!   with the possible values or tip it gives and the `dnn <command> --help` to read.
//!
//! `cargo test -p dnn-cli --test bad_invocations -- --nocapture` prints the table of
//! cases with the message each produces.

use crate::common;
use crate::fixtures;

use std::path::Path;

use dnn_data::Split;
use fixtures::*;
use ndarray::{Array1, Array2, Array4, ArrayD};

/// One row: arguments, the expected exit code and fragments the message must contain.
struct Case {
    name: &'static str,
    args: Vec<String>,
    code: i32,
    says: Vec<&'static str>,
}

fn case(name: &'static str, args: &str, code: i32, says: &[&'static str]) -> Case {
    Case {
        name,
        args: args.split_whitespace().map(str::to_owned).collect(),
        code,
        says: says.to_vec(),
    }
}

/// Every broken input the table refers to, in one working directory.
fn build_fixtures(w: &Path) {
    tiny_data(&w.join("data"));
    let d = |name: &str| w.join(name);

    // Data files.
    data_with_train_bytes(&d("d_empty"), b"");
    data_with_train_bytes(
        &d("d_text"),
        "just some text, renamed .h5\n".repeat(40).as_bytes(),
    );
    let good_train = std::fs::read(w.join("data").join(dnn_data::TRAIN_FILE)).expect("read");
    for (name, cut) in [
        ("d_cut8", 8),
        ("d_cut512", 512),
        ("d_cut_half", good_train.len() / 2),
        ("d_cut_last_byte", good_train.len() - 1),
    ] {
        data_with_train_bytes(&d(name), &good_train[..cut]);
    }
    let split = Split::Train;
    data_with_train(&d("d_no_x"), |f| {
        write_dataset(f, split.y_key(), &labels(20).into_dyn());
        write_classes(f);
    });
    data_with_train(&d("d_float_x"), |f| {
        let x: ArrayD<f64> = images(20, SIDE, SIDE)
            .mapv(|v| f64::from(v) / 255.0)
            .into_dyn();
        write_dataset(f, split.x_key(), &x);
        write_dataset(f, split.y_key(), &labels(20).into_dyn());
        write_classes(f);
    });
    data_with_train(&d("d_string_y"), |f| {
        write_dataset(f, split.x_key(), &images(20, SIDE, SIDE).into_dyn());
        let y: Array1<hdf5::types::VarLenUnicode> = (0..20).map(|_| vlu("cat")).collect();
        write_dataset(f, split.y_key(), &y.into_dyn());
        write_classes(f);
    });
    data_with_train(&d("d_rank3"), |f| {
        let x = images(20, SIDE, SIDE)
            .into_shape_with_order((20, SIDE, SIDE * 3))
            .expect("reshape");
        write_dataset(f, split.x_key(), &x.into_dyn());
        write_dataset(f, split.y_key(), &labels(20).into_dyn());
        write_classes(f);
    });
    data_with_train(&d("d_rgba"), |f| {
        let x = Array4::<u8>::from_elem((20, SIDE, SIDE, 4), 7);
        write_dataset(f, split.x_key(), &x.into_dyn());
        write_dataset(f, split.y_key(), &labels(20).into_dyn());
        write_classes(f);
    });
    data_with_train(&d("d_label_2"), |f| {
        write_dataset(f, split.x_key(), &images(20, SIDE, SIDE).into_dyn());
        let mut y = labels(20);
        y[5] = 2;
        y[9] = -1;
        write_dataset(f, split.y_key(), &y.into_dyn());
        write_classes(f);
    });
    data_with_train(&d("d_more_labels"), |f| {
        write_dataset(f, split.x_key(), &images(20, SIDE, SIDE).into_dyn());
        write_dataset(f, split.y_key(), &labels(21).into_dyn());
        write_classes(f);
    });
    std::fs::create_dir_all(d("d_sizes")).expect("mkdir");
    write_split(
        &d("d_sizes").join(dnn_data::TRAIN_FILE),
        Split::Train,
        20,
        16,
        16,
    );
    write_split(
        &d("d_sizes").join(dnn_data::TEST_FILE),
        Split::Test,
        6,
        SIDE,
        SIDE,
    );

    // Model files.
    let m = |name: &str| w.join("models").join(name);
    std::fs::create_dir_all(w.join("models")).expect("mkdir");
    write_model(&m("good.h5"), &[FEATURES, 3, 1]);
    write_model(&m("pictures.h5"), &[12288, 2, 1]);
    write_model(&m("other_arch.h5"), &[100, 3, 1]);
    write_model(&m("two_outputs.h5"), &[FEATURES, 3, 2]);
    let good_model = std::fs::read(m("good.h5")).expect("read");
    std::fs::write(m("truncated.h5"), &good_model[..good_model.len() * 2 / 3]).expect("write");
    std::fs::write(m("empty.h5"), b"").expect("write");
    write_edited_model(&m("missing_layer.h5"), &[FEATURES, 3, 2, 1], |sets| {
        sets.retain(|(n, _)| n != "W2" && n != "b2");
    });
    write_edited_model(&m("extra_layer.h5"), &[FEATURES, 3, 1], |sets| {
        sets.push(("W4".into(), Array2::zeros((1, 1))));
        sets.push(("b4".into(), Array2::zeros((1, 1))));
    });
    write_edited_model(&m("missing_bias.h5"), &[FEATURES, 3, 1], |sets| {
        sets.retain(|(n, _)| n != "b2");
    });
    write_edited_model(&m("w_shape.h5"), &[FEATURES, 3, 1], |sets| {
        sets[2].1 = Array2::zeros((1, 4)); // W2 does not chain onto W1's 3 units
    });
    write_edited_model(&m("b_shape.h5"), &[FEATURES, 3, 1], |sets| {
        sets[1].1 = Array2::zeros((4, 1)); // b1 for 4 units, W1 has 3
    });
    write_edited_model(&m("nan.h5"), &[FEATURES, 3, 1], |sets| {
        sets[2].1[[0, 1]] = f64::NAN;
    });
    write_h5(&m("int_weights.h5"), |f| {
        for (name, a) in raw_layers(&[FEATURES, 3, 1]) {
            let ints = a.mapv(|v| (v * 100.0) as i32);
            f.new_dataset_builder()
                .with_data(&ints)
                .create(name.as_str())
                .expect("ds");
        }
    });
    std::fs::copy(w.join("data").join(dnn_data::TRAIN_FILE), m("data_file.h5")).expect("copy");
    write_safetensors_model(&m("good.safetensors"), &[FEATURES, 3, 1]);
    let meta = |sizes: &str| serde_json::json!({"format": "dnn-model", "layer_sizes": sizes, "activations": "[\"relu\",\"sigmoid\"]"});
    let mut sets = raw_layers(&[FEATURES, 3, 1]);
    write_raw_safetensors(&m("no_metadata.safetensors"), &sets, None);
    sets[2].1 = Array2::zeros((1, 4)); // W2 does not chain onto W1's 3 units
    write_raw_safetensors(&m("w_shape.safetensors"), &sets, Some(meta("[192,3,1]")));
    // Damaged files that declare terabytes: the loaders used to abort trying to allocate them.
    write_h5(&m("huge_shape.h5"), |f| {
        f.new_dataset::<f64>()
            .chunk((1, 1))
            .shape((1 << 20, 1 << 20))
            .create("W1")
            .expect("W1");
        f.new_dataset_builder()
            .with_data(&Array2::<f64>::zeros((4, 1)))
            .create("b1")
            .expect("b1");
    });
    data_with_train(&d("d_huge_labels"), |f| {
        write_dataset(f, split.x_key(), &images(20, SIDE, SIDE).into_dyn());
        f.new_dataset::<i64>()
            .chunk(1)
            .shape(1usize << 40)
            .create(split.y_key())
            .expect("y");
        write_classes(f);
    });

    // Pictures.
    let p = |name: &str| w.join("pics").join(name);
    std::fs::create_dir_all(w.join("pics")).expect("mkdir");
    write_png(&p("ok.png"), 10, 10, image::ColorType::Rgb8);
    std::fs::write(p("text.png"), b"this is not a picture at all\n").expect("write");
    std::fs::write(p("empty.jpg"), b"").expect("write");
    std::fs::write(p("huge.png"), png_header_only(100_000, 100_000)).expect("write");
    std::fs::write(p("too_big_to_decode.png"), png_header_only(16_000, 16_000)).expect("write");
    let ok = std::fs::read(p("ok.png")).expect("read");
    std::fs::write(p("cut.png"), &ok[..ok.len() / 2]).expect("write");

    // Outputs.
    std::fs::write(w.join("notes.txt"), b"a regular file, not a directory\n").expect("write");

    // Your own data: CSV tables, image folders, npz archives.
    for (name, text) in [
        ("c_ragged.csv", "a,b,label\n1,2,x\n3,4\n5,6,y\n"),
        ("c_word.csv", "a,b,label\n1,2,x\n3,four,y\n"),
        ("c_blank.csv", "a,b,label\n1,2,x\n3,,y\n"),
        ("c_single.csv", "a,b,label\n1,2,x\n3,4,x\n5,6,x\n"),
        ("c_empty.csv", ""),
        (
            "c_good.csv",
            "a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,10,x\n11,12,y\n",
        ),
    ] {
        std::fs::write(w.join(name), text).expect("write csv");
    }
    std::fs::create_dir_all(d("f_flat")).expect("mkdir");
    write_png(&d("f_flat").join("a.png"), 4, 4, image::ColorType::Rgb8);
    write_picture_folder(&d("f_one"), &["cat"], 3, 4);
    write_picture_folder(&d("f_damaged"), &["a", "b"], 3, 4);
    let damaged = d("f_damaged").join("b").join("001.png");
    let bytes = std::fs::read(&damaged).expect("read");
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).expect("write");
    write_picture_folder(&d("f_good"), &["a", "b"], 5, 4);
    let mut npz = ndarray_npy::NpzWriter::new(std::fs::File::create(d("n_keys.npz")).expect("npz"));
    npz.add_array("x_train", &Array2::<u8>::zeros((4, 2)))
        .expect("npz");
    npz.add_array("y_train", &Array1::<u8>::zeros(4))
        .expect("npz");
    npz.add_array("x_test", &Array2::<u8>::zeros((4, 2)))
        .expect("npz");
    npz.finish().expect("npz");
    let mut npz =
        ndarray_npy::NpzWriter::new(std::fs::File::create(d("n_lengths.npz")).expect("npz"));
    npz.add_array("x", &Array2::<f64>::zeros((5, 2)))
        .expect("npz");
    npz.add_array("y", &Array1::from(vec![0i64, 1, 0, 1]))
        .expect("npz");
    npz.finish().expect("npz");
    // npz archives whose values, shapes or names read wrong.
    let write_npz = |name: &str, x_key: &str, x: ArrayD<f64>, y_key: &str| {
        let mut npz = ndarray_npy::NpzWriter::new(std::fs::File::create(d(name)).expect("npz"));
        npz.add_array(x_key, &x).expect("npz");
        npz.add_array(y_key, &labels(20)).expect("npz");
        npz.finish().expect("npz");
    };
    // np.savez(f, x=X.astype(float), y=Y): pictures of 0-255 as float64.
    write_npz(
        "n_float255.npz",
        "x",
        images(20, SIDE, SIDE).mapv(f64::from).into_dyn(),
        "y",
    );
    let mut nan = Array2::from_shape_fn((20, 3), |(j, i)| (j + i) as f64);
    nan[[10, 2]] = f64::NAN;
    write_npz("n_nan.npz", "x", nan.into_dyn(), "y");
    let chw = Array4::from_shape_fn((20, 3, SIDE, SIDE), |(j, c, r, k)| {
        ((j + c + r + k) % 2) as f64
    });
    write_npz("n_chw.npz", "x", chw.into_dyn(), "y");
    write_npz(
        "n_upper.npz",
        "X",
        Array2::<f64>::zeros((20, 2)).into_dyn(),
        "Y",
    );

    // Models of other data than the cat set, and an ONNX export (which dnn writes, not reads).
    write_table_model(&m("own.h5"), &["a", "b"], &["x", "y"]);
    let cat = dnn_data::model::load_model(m("pictures.h5")).expect("model");
    dnn_data::export::export(m("cats.onnx"), &cat, dnn_data::export::Format::Onnx).expect("onnx");

    // Other names of a picture, for `predict --output`: a symbolic and a hard link.
    std::os::unix::fs::symlink("ok.png", p("link.png")).expect("symlink");
    std::fs::hard_link(p("ok.png"), p("hard.png")).expect("hard link");
}

fn cases() -> Vec<Case> {
    let tr = "train --data data --layers 192,3,1 -q";
    let t = |extra: &str| format!("{tr} {extra}");
    let on = |dir: &str| format!("train --data {dir} --layers 192,3,1 --iterations 5 -q");
    let ev = |model: &str| format!("evaluate --data data --model models/{model}");
    let pr = |pic: &str| format!("predict --model models/pictures.h5 pics/{pic}");
    let mut v = vec![
        // --- flags (clap: exit 2) ---
        // The one exception to "first line starts with `error: `": bare `dnn` prints the
        // help (clap's convention for a missing subcommand), still with exit code 2.
        case("no subcommand (prints the help)", "", 2, &["Usage: dnn [OPTIONS] <COMMAND>"]),
        case("unknown subcommand", "fit", 2, &["unrecognized subcommand 'fit'"]),
        case("unknown flag", &t("--momentum 0.9"), 2, &["unexpected argument '--momentum'"]),
        // optimisation flags (train and toy share them)
        case("batch size 0", &t("--batch-size 0"), 2, &["--batch-size", "must be at least 1"]),
        case("keep-prob 0", &t("--keep-prob 0"), 2, &["--keep-prob", "0 is not a keep probability; it must be in (0, 1]"]),
        case("keep-prob 1.5", &t("--keep-prob 1.5"), 2, &["1.5 is not a keep probability"]),
        case("beta 1", &t("--optimizer momentum --beta 1"), 2, &["--beta", "1 is not a usable beta; it must be in [0, 1)"]),
        case("beta2 -0.1", &t("--optimizer adam --beta2 -0.1"), 2, &["--beta2", "-0.1 is not a usable beta"]),
        case("epsilon 0", &t("--optimizer adam --epsilon 0"), 2, &["--epsilon", "0 is not a usable epsilon"]),
        case("unknown optimizer", &t("--optimizer sgd"), 2, &["invalid value 'sgd' for '--optimizer"]),
        case("l2 -1", &t("--l2 -1"), 2, &["invalid value '-1' for '--l2", "it must be a finite number ≥ 0"]),
        case("unknown decay", &t("--decay exponential"), 2, &["invalid value 'exponential' for '--decay"]),
        case("decay interval 0", &t("--decay step --decay-interval 0"), 2, &["--decay-interval", "must be at least 1"]),
        case("toy unknown data set", "toy --dataset spirals", 2, &["invalid value 'spirals' for '--dataset"]),
        case("toy --compare with --optimizer", "toy --compare --optimizer gd", 2, &["'--compare' cannot be used with '--optimizer"]),
        case("toy circle factor 1", "toy --dataset circles --factor 1", 2, &["1 is not a usable circle factor"]),
        case("learning rate 0", &t("--learning-rate 0"), 2, &["0 is not a usable learning rate"]),
        case("learning rate -1", &t("--learning-rate -1"), 2, &["-1 is not a usable learning rate"]),
        case("learning rate =-0.5", &t("--learning-rate=-0.5"), 2, &["-0.5 is not a usable learning rate"]),
        case("learning rate NaN", &t("--learning-rate NaN"), 2, &["NaN is not a usable learning rate"]),
        case("learning rate inf", &t("--learning-rate inf"), 2, &["inf is not a usable learning rate"]),
        case("learning rate text", &t("--learning-rate fast"), 2, &["`fast` is not a number"]),
        case("iterations 0", &t("--iterations 0"), 2, &["--iterations", "must be at least 1"]),
        case("iterations -3", &t("--iterations -3"), 2, &["`-3` is not a whole number greater than 0"]),
        case("print-every 0", &t("--print-every 0"), 2, &["--print-every", "must be at least 1"]),
        case("layers empty", "train --layers=", 2, &["`` is not a layer size"]),
        case("layers single", "train --layers 192", 2, &["at least an input and an output size"]),
        case("layers zero-sized", "train --layers 192,0,1", 2, &["layer 1 has size 0"]),
        case("layers blank entry", "train --layers 192,,1", 2, &["`` is not a layer size"]),
        case("layers not numbers", "train --layers 192,abc,1", 2, &["`abc` is not a layer size"]),
        case("unknown init", "train --init glorot", 2, &["invalid value 'glorot' for '--init"]),
        case("unknown arch", "train --arch resnet", 2, &["invalid value 'resnet' for '--arch"]),
        case("unknown dtype", "train --dtype f16", 2, &["invalid value 'f16' for '--dtype"]),
        case("seed negative", "train --seed -1", 2, &["invalid value '-1' for '--seed <SEED>'"]),
        case("seed past u64", "train --seed 18446744073709551616", 2,
            &["18446744073709551616 is too large for a seed; give a whole number from 0 to 4294967295"]),
        case("iterations past usize", &t("--iterations 99999999999999999999"), 2,
            &["'--iterations <ITERATIONS>': 99999999999999999999 is too large; give at most 18446744073709551615"]),
        case("epochs 0, named as typed", &t("--epochs 0"), 2, &["invalid value '0' for '--epochs <EPOCHS>': must be at least 1"]),
        case("epochs 0 after a global flag", "--threads 2 train --epochs 0", 2,
            &["invalid value '0' for '--epochs <EPOCHS>': must be at least 1; see `dnn train --help`"]),
        case("hidden negative", "train --hidden -3", 2, &["invalid value '-3' for '--hidden <HIDDEN>': `-3` is not a number of hidden units"]),
        case("threads negative", "train --threads -1", 2, &["invalid value '-1' for '--threads <THREADS>': `-1` is not a whole number greater than 0"]),
        case("toy last layer not 1", "toy --layers 2,5,2 --epochs 1", 1, &["error: the last layer size must be 1 (one sigmoid output: class 0 or 1), not 2"]),
        case("--patience without --early-stopping", &t("--patience 5"), 1, &["error: --patience is early stopping's; add --early-stopping (or drop --patience)"]),
        case("--min-delta without --early-stopping", &t("--min-delta 0.01"), 1, &["error: --min-delta is early stopping's; add --early-stopping (or drop --min-delta)"]),
        case("planar diverges", "planar --learning-rate 1e10 --iterations 5 -q", 1,
            &["error: training the network of 4 hidden units diverged at iteration 1: the cost 3.918244e7 is more than 10 times the starting cost 0.693048; try a smaller learning rate than 10000000000"]),
        case("planar hidden 0", "planar --hidden 0", 2, &["--hidden", "must be at least 1"]),
        case("planar sweep with 0", "planar --sweep 1,0,4", 2, &["at least 1 unit"]),
        case("planar learning rate -2", "planar --learning-rate -2", 2, &["-2 is not a usable learning rate"]),
        case("predict without pictures", "predict --model models/pictures.h5", 2, &["required arguments were not provided", "<INPUTS>"]),
        case("evaluate without model", "evaluate", 2, &["required arguments were not provided", "--model <MODEL>"]),
        // --- flags that clap accepts but do not fit the data (exit 1) ---
        case("first layer does not fit", &on("data").replace("192,3,1", "100,3,1"), 1,
            &["--layers starts with 100", "8x8x3 pictures in data have 192 features", "start --layers with 192"]),
        case("last layer not 1", &on("data").replace("192,3,1", "192,3,2"), 1,
            &["--layers ends with 2 but two classes take one sigmoid output; end --layers with 1"]),
        case("--beta without momentum", &t("--beta 0.8"), 1, &["--beta is momentum's; add --optimizer momentum"]),
        case("--epsilon with momentum", &t("--optimizer momentum --epsilon 1e-7"), 1, &["--epsilon is Adam's; add --optimizer adam"]),
        case("--decay-rate without --decay", &t("--decay-rate 2"), 1, &["--decay-rate needs --decay inverse-time or --decay step"]),
        case("--decay-interval without step", &t("--decay inverse-time --decay-interval 5"), 1, &["--decay-interval needs --decay step"]),
        case("--shuffle-seed full batch", &t("--shuffle-seed 4"), 1, &["--shuffle-seed needs --batch-size"]),
        case("toy first layer not 2", "toy --layers 3,5,1 --epochs 1", 1, &["first layer size must be 2 (the toy points are 2-D), not 3"]),
        case("toy --beta with adam", "toy --beta 0.5 --epochs 1", 1, &["--beta is momentum's"]),
        case("toy --plot bad extension", "toy --epochs 1 --plot b.gif", 1, &["--plot: cannot write b.gif: unsupported picture format"]),
        case("toy --factor with moons", "toy --dataset moons --factor 0.5 --epochs 1", 1,
            &["error: --factor sets the inner circle's radius of --dataset circles, but the data set is moons; leave out --factor (or add --dataset circles)"]),
        case("toy --factor with the default data set", "toy --factor 0.5 --epochs 1", 1, &["--factor sets the inner circle's radius of --dataset circles, but the data set is moons"]),
        // --- data files ---
        case("data dir missing", &on("no_such_dir"), 1, &["cannot load --data: no_such_dir: file not found"]),
        case("data: empty file", &on("d_empty"), 1, &["train_catvnoncat.h5: not a readable HDF5 file (0 bytes)"]),
        case("data: text renamed .h5", &on("d_text"), 1, &["not a readable HDF5 file", "file signature not found"]),
        case("data: cut at 8 bytes", &on("d_cut8"), 1, &["not a readable HDF5 file (8 bytes)"]),
        case("data: cut at 512 bytes", &on("d_cut512"), 1, &["not a readable HDF5 file (512 bytes)", "truncated"]),
        case("data: cut in half", &on("d_cut_half"), 1, &["not a readable HDF5 file", "truncated"]),
        case("data: last byte missing", &on("d_cut_last_byte"), 1, &["not a readable HDF5 file", "truncated"]),
        case("data: missing key", &on("d_no_x"), 1, &["missing key `train_set_x`", "the file has: list_classes, train_set_y"]),
        case("data: float images", &on("d_float_x"), 1, &["train_set_x has element type float64, expected uint8"]),
        case("data: string labels", &on("d_string_y"), 1, &["train_set_y has element type", "expected an integer type"]),
        case("data: rank 3 images", &on("d_rank3"), 1, &["train_set_x has 3 dimensions [20, 8, 24], expected 4"]),
        // A course set may have any number of channels, but one number for both files.
        case("data: 4 channels", &on("d_rgba"), 1, &["train images are 8x8x4", "test images are 8x8x3"]),
        case("data: labels outside list_classes", &on("d_label_2"), 1, &["train_set_y[5] = 2, but list_classes has 2 classes (labels 0 to 1); 2 bad labels"]),
        case("data: more labels than images", &on("d_more_labels"), 1, &["train_set_x has 20 images but train_set_y has 21 labels"]),
        case("data: train 16x16, test 8x8", &on("d_sizes"), 1, &["train images are 16x16x3", "test images are 8x8x3"]),
        case("data: labels declare 8 TB", &on("d_huge_labels"), 1, &["train_set_y has shape [1099511627776]: it declares 8796093022208 bytes of data but the file has only", "the file is damaged"]),
        case("evaluate on broken data", "evaluate --data d_label_2 --model models/good.h5", 1, &["train_set_y[5] = 2, but list_classes has 2 classes"]),
        // --- outputs, refused before training ---
        case("--save dir missing", &t("--save no_dir/m.h5"), 1, &["--save: no_dir/m.h5: cannot write: the directory no_dir does not exist"]),
        case("--save under a regular file", &t("--save notes.txt/m.h5"), 1, &["--save: notes.txt/m.h5: cannot write: notes.txt is not a directory"]),
        case("--save is a directory", &t("--save models"), 1, &["--save: models: cannot write: it is a directory"]),
        case("--plot dir missing", &t("--plot no_dir/cost.png"), 1, &["--plot: no_dir/cost.png: cannot write: the directory no_dir does not exist"]),
        case("--plot bad extension", &t("--plot cost.gif"), 1, &["--plot: cannot write cost.gif: unsupported picture format"]),
        case("--report under a regular file", &t("--report notes.txt/r.json"), 1, &["--report: notes.txt/r.json: cannot write: notes.txt is not a directory"]),
        case("planar --plot dir missing", "planar --iterations 1 --plot no_dir/b.png", 1, &["--plot: no_dir/b.png: cannot write: the directory no_dir does not exist"]),
        case("planar --report is a directory", "planar --iterations 1 --report models", 1, &["--report: models: cannot write: it is a directory"]),
        case("evaluate --mislabeled on a table model", "evaluate --model models/own.h5 --data c_good.csv --mislabeled m.png", 1,
            &["error: --mislabeled draws mislabelled pictures, but models/own.h5 takes a table of 2 columns (a, b), not pictures; leave out --mislabeled"]),
        case("evaluate --mislabeled dir missing", "evaluate --data data --model models/good.h5 --mislabeled no_dir/x.png", 1,
            &["--mislabeled: no_dir/x.png: cannot write: the directory no_dir does not exist"]),
        // --- training that diverges (nothing saved without --save-last-good) ---
        case("learning rate 1000 diverges", &t("--learning-rate 1000 --iterations 50"), 1,
            &["training diverged at iteration ", "more than 10 times the starting cost", "try a smaller learning rate than 1000;", "nothing saved (pass --save-last-good"]),
        // L2 and dropout run away too: the advice names the flag that was given.
        case("l2 1e308 diverges", &t("--l2 1e308 --iterations 5"), 1,
            &["training diverged at iteration ", "; try a smaller learning rate than 0.0075 or a smaller --l2 than 1e308; nothing saved"]),
        case("toy l2 1e308 diverges", "toy --l2 1e308 --epochs 5", 1,
            &["error: training with adam diverged at epoch 0, batch 1 of 5: ", "; try a smaller learning rate than 0.0007 or a smaller --l2 than 1e308"]),
        case("toy keep-prob 0.01 diverges", "toy --optimizer gd --layers 2,50,50,1 --learning-rate 0.05 --keep-prob 0.01 --epochs 300 -q", 1,
            &["error: training with gd diverged at epoch ", "; try a smaller learning rate than 0.05 or a larger --keep-prob than 0.01"]),
        // --- model files ---
        case("model missing", &ev("nope.h5"), 1, &["models/nope.h5: file not found"]),
        case("model is a directory", "evaluate --data data --model models", 1, &["models: cannot read the file: not a regular file"]),
        case("model empty", &ev("empty.h5"), 1, &["models/empty.h5: not a readable HDF5 file (0 bytes)"]),
        case("model truncated", &ev("truncated.h5"), 1, &["models/truncated.h5: not a readable HDF5 file", "truncated"]),
        case("model of another architecture", &ev("other_arch.h5"), 1, &["expects 100 inputs per example, but the images in data have 192"]),
        case("model with 2 outputs", &ev("two_outputs.h5"), 1, &["has 2 outputs, but the 2 classes of data take 1"]),
        case("model missing a layer", &ev("missing_layer.h5"), 1, &["bad model file: it has W3 but its layers are W1..W1"]),
        case("model with an extra layer", &ev("extra_layer.h5"), 1, &["bad model file: it has W4 but its layers are W1..W2"]),
        case("model missing a bias", &ev("missing_bias.h5"), 1, &["bad model file: it has W2 but no b2"]),
        case("model W shapes do not chain", &ev("w_shape.h5"), 1, &["W2 has shape (1, 4) but layer 1 has 3 units"]),
        case("model b shape wrong", &ev("b_shape.h5"), 1, &["b1 must be (3, 1), but it is (4, 1)"]),
        case("model integer weights", &ev("int_weights.h5"), 1, &["W1 has element type int32, but weights must be float32 or float64"]),
        case("model with NaN", &ev("nan.h5"), 1, &["W2[0, 1] is NaN"]),
        case("model declares 8 TB of weights", &ev("huge_shape.h5"), 1, &["bad model file: W1 has shape [1048576, 1048576]: it declares 8796093022208 bytes", "the file is damaged"]),
        case("model is a data file", &ev("data_file.h5"), 1, &["not a dnn model file: it has no W1 data set (it has: list_classes, train_set_x, train_set_y)"]),
        case("predict: model that records no input", "predict --model models/good.h5 pics/ok.png", 1, &["does not record what its inputs are (layer sizes [192, 3, 1])", "12288 inputs"]),
        case("evaluate: safetensors whose tensors do not chain", &ev("w_shape.safetensors"), 1, &["models/w_shape.safetensors: bad model file: W2 has shape (1, 4) but layer 1 has 3 units"]),
        case("predict: safetensors model for 8x8 data", "predict --model models/good.safetensors pics/ok.png", 1, &["layer sizes [192, 3, 1]", "12288 inputs"]),
        // --- dnn export ---
        case("export: unknown format", "export --model models/good.h5 --format pickle --output out.pkl", 2, &["invalid value 'pickle' for '--format <FORMAT>'", "[possible values: onnx, safetensors]"]),
        case("export: no format, output named for none", "export --model models/good.h5 --output out.pkl", 1, &["--output out.pkl is named .pkl, which is no export format; name it .onnx or .safetensors, or give --format"]),
        case("export: no format, output without extension", "export --model models/good.h5 --output out", 1, &["--output out has no extension to tell the format"]),
        case("export: no format, standard output", "export --model models/good.h5 --output -", 1, &["--output - does not say the format; give --format onnx or --format safetensors"]),
        case("export: model is a data file", "export --model models/data_file.h5 --format onnx --output out.onnx", 1, &["models/data_file.h5: not a dnn model file: it has no W1 data set"]),
        case("export: model is text", "export --model notes.txt --format safetensors --output out.safetensors", 1, &["notes.txt: not a readable HDF5 file"]),
        case("export: model missing", "export --model models/nope.h5 --format onnx --output out.onnx", 1, &["models/nope.h5: file not found"]),
        case("export: output dir missing", "export --model models/good.h5 --format onnx --output no_dir/m.onnx", 1, &["--output: no_dir/m.onnx: cannot write: the directory no_dir does not exist"]),
        case("export: output is the model", "export --model models/good.h5 --format onnx --output models/../models/good.h5", 1, &["--output models/../models/good.h5 is the model file itself"]),
        case("export: safetensors whose tensors do not chain", "export --model models/w_shape.safetensors --format onnx --output out.onnx", 1, &["models/w_shape.safetensors: bad model file: W2 has shape (1, 4) but layer 1 has 3 units"]),
        case("export: safetensors without metadata", "export --model models/no_metadata.safetensors --format onnx --output out.onnx", 1, &["models/no_metadata.safetensors: bad model file: its metadata has no format", "write it with `dnn export`"]),
        case("predict: model missing", "predict --model models/nope.h5 pics/ok.png", 1, &["file not found"]),
        // --- pictures ---
        case("picture missing", &pr("nope.png"), 1, &["pics/nope.png: file not found"]),
        case("picture is text", &pr("text.png"), 1, &["pics/text.png: not a JPEG or PNG image (29 bytes"]),
        case("picture empty", &pr("empty.jpg"), 1, &["pics/empty.jpg: the file is empty (0 bytes), not an image"]),
        case("picture 100000x100000", &pr("huge.png"), 1, &["image too large: 100000x100000 pixels"]),
        case("picture 16000x16000 (768 MB decoded)", &pr("too_big_to_decode.png"), 1, &["image too large: 16000x16000 pixels (768000000 bytes once decoded)"]),
        case("picture truncated", &pr("cut.png"), 1, &["pics/cut.png: cannot decode the PNG image"]),
        case("one bad picture among good ones", "predict --model models/pictures.h5 pics/ok.png pics/text.png", 1, &["pics/text.png: not a JPEG or PNG image"]),
        // --- your own data: each bad input named in one line, nothing written ---
        case("csv: ragged row", "train --data c_ragged.csv", 1, &["c_ragged.csv: row 2 (line 3) has 2 fields but the header has 3"]),
        case("csv: non-numeric cell", "train --data c_word.csv", 1, &["c_word.csv: row 2 (line 3), column `b`: `four` is not a number"]),
        case("csv: empty cell", "train --data c_blank.csv", 1, &["c_blank.csv: row 2 (line 3), column `b`: the cell is empty"]),
        case("csv: unknown target", "train --data c_good.csv --target klass", 1, &["c_good.csv: no column `klass` (the target); the columns are: a, b, label"]),
        case("csv: single class", "train --data c_single.csv", 1, &["c_single.csv: every training example is of class `x`"]),
        case("csv: empty file", "train --data c_empty.csv", 1, &["c_empty.csv: the file is empty"]),
        case("csv: --classes do not match", "train --data c_good.csv --classes x,z", 1, &["c_good.csv: the data has the class `y`, which --classes does not list"]),
        case("csv: --classes lists one too many", "train --data c_good.csv --classes x,y,z", 1, &["--classes lists `z`, which is not a class of the data (its classes: x, y)"]),
        case("folder: no class subfolders", "train --data f_flat", 1, &["f_flat: no class subfolders"]),
        case("folder: one class", "train --data f_one", 1, &["f_one: every training example is of class `cat`"]),
        case("folder: damaged picture", "train --data f_damaged", 1, &["f_damaged/b/001.png: cannot decode the PNG image"]),
        case("folder: --target", "train --data f_good --target label", 1, &["--target names a CSV column, but --data f_good is read as image-folder"]),
        case("csv: unknown --drop", "train --data c_good.csv --drop klass", 1, &["c_good.csv: no column `klass` (given to --drop); the columns are: a, b, label"]),
        case("csv: --one-hot the target", "train --data c_good.csv --one-hot label", 1, &["`label` is given to --one-hot but is the label column"]),
        case("folder: --one-hot", "train --data f_good --one-hot a", 1, &["--one-hot names CSV columns, but --data f_good is read as image-folder"]),
        case("folder: --task", "train --data f_good --task regress", 1, &["--task says what a CSV column's or an npz archive's `y` values are, but --data f_good is read as image-folder"]),
        case("csv: --task regress on words", "train --data c_good.csv --task regress", 1, &["c_good.csv", "is not a number, but a number to predict (a regression) is needed in every row; mend the cell, or drop the row"]),
        case("npz: missing keys", "train --data n_keys.npz", 1, &["n_keys.npz: missing key `y_test` (the file has: x_train, y_train, x_test)"]),
        case("npz: x and y of different lengths", "train --data n_lengths.npz", 1, &["n_lengths.npz: x has 5 examples but y has 4 labels"]),
        case("npz: float pictures of 0-255", "train --data n_float255.npz", 1, &["cannot load --data: n_float255.npz: x[0, 0, 0, 1] is 101, but float pictures must hold values in [0, 1]", "divide them by 255 (x / 255) or save them as uint8 (x.astype(np.uint8))"]),
        case("npz: NaN named by its index", "train --data n_nan.npz", 1, &["cannot load --data: n_nan.npz: x[10, 2] is NaN (every value must be finite)"]),
        case("npz: channels-first pictures", "train --data n_chw.npz", 1, &["n_chw.npz: `x` has shape [20, 3, 8, 8], which looks channels-first", "np.moveaxis(x, 1, -1)"]),
        case("npz: arrays named X, Y", "train --data n_upper.npz", 1, &["n_upper.npz: missing key `x` (the file has: X, Y)", "np.savez(f, x=..., y=...)"]),
        // --- predict --output: never the model nor an input (however it is named) ---
        case("predict: --output is the model", "predict --model models/pictures.h5 --output models/pictures.h5 pics/ok.png", 1, &["--output models/pictures.h5 is the model file itself; give another name"]),
        case("predict: --output is the input", "predict --model models/pictures.h5 --output pics/ok.png pics/ok.png", 1, &["--output pics/ok.png is the input pics/ok.png; give another name (the predictions would replace it)"]),
        case("predict: --output is an input, spelt otherwise", "predict --model models/pictures.h5 --output pics/../pics/ok.png pics/empty.jpg pics/ok.png", 1, &["--output pics/../pics/ok.png is the input pics/ok.png"]),
        case("predict: --output is a symlink to an input", "predict --model models/pictures.h5 --output pics/link.png pics/ok.png", 1, &["--output pics/link.png is the input pics/ok.png"]),
        case("predict: --output is a hard link to an input", "predict --model models/pictures.h5 --output pics/hard.png pics/ok.png", 1, &["--output pics/hard.png is the input pics/ok.png"]),
        case("predict: --output is the model, spelt otherwise", "predict --model models/pictures.h5 --output ./models/../models/pictures.h5 pics/ok.png", 1, &["is the model file itself"]),
        // --- predict: a folder, an ONNX model ---
        case("predict: a folder of pictures", "predict --model models/pictures.h5 pics", 1, &["pics is a folder; give the pictures in it instead, e.g. `pics/*.png`"]),
        case("predict: a folder with a slash", "predict --model models/pictures.h5 pics/", 1, &["pics/ is a folder", "e.g. `pics/*.png`"]),
        case("predict: a folder for a table model", "predict --model models/own.h5 pics", 1, &["pics is a folder, but models/own.h5 takes one CSV file of rows"]),
        case("predict: an ONNX model", "predict --model models/cats.onnx pics/ok.png", 1, &["models/cats.onnx is an ONNX file, which dnn writes (`dnn export`) but does not read", ".h5 (from `dnn train`) or .safetensors (from `dnn export`)"]),
        case("evaluate: an ONNX model", "evaluate --data data --model models/cats.onnx", 1, &["models/cats.onnx is an ONNX file"]),
        case("export: an ONNX model", "export --model models/cats.onnx --format safetensors --output out.safetensors", 1, &["models/cats.onnx is an ONNX file"]),
        case("export: ONNX named .h5", "export --model models/good.h5 --format onnx --output out.h5", 1, &["--output out.h5 is named .h5, but --format onnx writes ONNX; name it .onnx"]),
        case("export: safetensors named .onnx", "export --model models/good.h5 --format safetensors --output out.onnx", 1, &["--output out.onnx is named .onnx, but --format safetensors writes safetensors; name it .safetensors"]),
        case("predict: a text file as the model", "predict --model notes.txt pics/ok.png", 1, &["notes.txt: not a readable HDF5 file", "dnn reads model files as .h5 (from `dnn train`) or .safetensors (from `dnn export`), not .txt"]),
        // --- evaluate without --data: the cat set is the default for cat models only ---
        case("evaluate: own model without --data", "evaluate --model models/own.h5", 1, &["models/own.h5 was trained on 2 columns (a, b) of classes x, y, not on the cat set: give --data the data it was trained on"]),
        case("evaluate: model recording nothing, without --data", "evaluate --model models/good.h5", 1, &["models/good.h5 does not record the data it was trained on and is not the cat classifier (layer sizes [192, 3, 1]): give --data"]),
        case("evaluate: cat model without --data reads data", "evaluate --model models/pictures.h5", 1, &["models/pictures.h5 takes 64x64x3 pictures but --data data has 8x8x3 pictures"]),
        case("--test-split with a test part", &t("--test-split 0.3"), 1, &["--test-split splits a source without a test part, but --data data has its own test part"]),
        case("--image-size on a course set", &t("--image-size 8"), 1, &["--image-size resizes the pictures of an image folder or an image CSV, but --data data is read as course-h5"]),
        case("predict: csv for a picture model", "predict --model models/pictures.h5 c_good.csv", 1, &["c_good.csv is a CSV table, but models/pictures.h5 takes 64x64x3 pictures"]),
        case("--test-split 1", "train --data c_good.csv --test-split 1", 2, &["1 is not a usable test split; it must be a fraction in (0, 1)"]),
        case("--test-split 0", "train --data c_good.csv --test-split 0", 2, &["0 is not a usable test split"]),
        case("--test-split 1e300", "train --data c_good.csv --test-split 1e300", 2, &["invalid value '1e300' for '--test-split <TEST_SPLIT>': 1e300 is not a usable test split"]),
        case("--test-split -0.2", "train --data c_good.csv --test-split -0.2", 2, &["-0.2 is not a usable test split"]),
        case("--classes with an empty name", "train --data c_good.csv --classes x,,y", 2, &["has an empty class name"]),
        case("--standardize and --no-standardize", "train --data c_good.csv --standardize --no-standardize", 2, &["cannot be used with"]),
        case("--hidden and --layers", "train --hidden 3 --layers 192,3,1", 2, &["cannot be used with"]),
    ];
    v.sort_by_key(|c| c.code == 2); // ours first, clap's after, in the printed table
    v
}

#[test]
fn every_bad_invocation_ends_in_one_clear_message_and_changes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    build_fixtures(w);
    let table = cases();
    assert!(table.len() >= 30, "the table must hold at least 30 cases");

    let mut failures = Vec::new();
    let mut rows = Vec::new();
    for c in &table {
        let before = common::snapshot(w);
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let run = common::dnn_in(w, &args);
        let after = common::snapshot(w);
        let mut problems = Vec::new();
        if run.code != Some(c.code) {
            problems.push(format!("exit code {:?}, expected {}", run.code, c.code));
        }
        if run.stderr.contains("panicked at") || run.stderr.contains("RUST_BACKTRACE") {
            problems.push("panicked".to_owned());
        }
        let lines: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        let first = lines.first().copied().unwrap_or("");
        let prints_help = c.args.is_empty();
        if !first.starts_with("error: ") && !prints_help {
            problems.push("the first line of stderr does not start with `error: `".to_owned());
        }
        if !prints_help && lines.len() != 1 {
            problems.push(format!(
                "{} non-empty lines on stderr, expected 1",
                lines.len()
            ));
        }
        // The fragment is looked for in the one line (the whole message for the help text).
        let text = if prints_help {
            run.stderr.clone()
        } else {
            first.to_owned()
        };
        for s in &c.says {
            if !text.contains(s) {
                problems.push(format!("message lacks {s:?}"));
            }
        }
        if before != after {
            let changed: Vec<String> = after
                .iter()
                .filter(|f| !before.contains(f))
                .chain(before.iter().filter(|f| !after.contains(f)))
                .map(|(p, _)| p.strip_prefix(w).unwrap_or(p).display().to_string())
                .collect();
            problems.push(format!("files created, changed or removed: {changed:?}"));
        }
        rows.push(format!(
            "| {} | `dnn {}` | {} | `{}` |",
            c.name,
            c.args.join(" "),
            run.code.map_or("signal".into(), |c| c.to_string()),
            first.replace('|', "\\|")
        ));
        if !problems.is_empty() {
            failures.push(format!(
                "{}: `dnn {}`\n  {}\n  stderr: {}",
                c.name,
                c.args.join(" "),
                problems.join("; "),
                run.stderr.trim_end()
            ));
        }
    }
    println!("| case | command | exit | stderr (first line) |\n|---|---|---|---|");
    for r in &rows {
        println!("{r}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

/// A compressed npz holds far more than its size: here 1.5 MB unpack to a 1.5 GB `x`. Under a
/// 1 GiB address-space limit, reading it used to end the process with an allocation failure
/// (SIGABRT and a backtrace, whatever the machine); its header is now checked against the
/// memory there is before any of it is read.
#[test]
fn an_npz_larger_unpacked_than_memory_is_refused_before_reading() {
    use std::io::Write;
    use std::os::unix::process::CommandExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("zeros.npz");
    let (m, n) = (1_875_000, 100);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("npz"));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("x.npy", deflated).expect("x");
    let mut dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({m}, {n}), }}");
    while (10 + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    zip.write_all(b"\x93NUMPY\x01\x00").expect("x");
    zip.write_all(&(dict.len() as u16).to_le_bytes())
        .expect("x");
    zip.write_all(dict.as_bytes()).expect("x");
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..(m * n * 8) >> 20 {
        zip.write_all(&zeros).expect("x");
    }
    zip.write_all(&zeros[..(m * n * 8) % (1 << 20)]).expect("x");
    zip.start_file("y.npy", deflated).expect("y");
    ndarray_npy::WriteNpyExt::write_npy(&Array1::<u8>::zeros(m), &mut zip).expect("y");
    zip.finish().expect("npz");
    let before = common::snapshot(tmp.path());
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dnn"));
    cmd.args(["train", "--data", "zeros.npz", "--iterations", "1", "-q"])
        .current_dir(tmp.path());
    // SAFETY: setrlimit is async-signal-safe and touches only the child's limits.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    let run: common::Run = cmd.output().expect("run dnn").into();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stderr.trim_end(),
        format!(
            "error: cannot load --data: zeros.npz: cannot read `x`: its header declares shape \
             [{m}, {n}], 1.5 GB as f64 numbers, more than this machine can hold"
        )
    );
    assert_eq!(common::snapshot(tmp.path()), before);
}

/// `evaluate --mislabeled` on a model that predicts a number: refused, saying what to do.
#[test]
fn mislabeled_on_a_regression_says_to_leave_it_out() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let rows: String = (0..20)
        .map(|i| format!("{i},{},{}\n", i % 3, 2 * i + 1))
        .collect();
    std::fs::write(w.join("r.csv"), format!("a,b,y\n{rows}")).expect("csv");
    let trained = common::dnn_in(
        w,
        &[
            "train",
            "--data",
            "r.csv",
            "--target",
            "y",
            "--task",
            "regress",
            "--hidden",
            "2",
            "--iterations",
            "2",
            "-q",
            "--save",
            "r.h5",
        ],
    );
    assert_eq!(trained.code, Some(0), "{trained:?}");
    let before = common::snapshot(w);
    let run = common::dnn_in(
        w,
        &[
            "evaluate",
            "--model",
            "r.h5",
            "--data",
            "r.csv",
            "--mislabeled",
            "m.png",
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stderr,
        "error: --mislabeled draws the mislabelled test pictures of a classifier, but r.h5 \
         predicts a number; leave out --mislabeled (its R², RMSE and MAE are printed without it)\n"
    );
    assert_eq!(common::snapshot(w), before);
}

/// `evaluate --mislabeled` draws pictures: on a table it is refused before any work, so
/// nothing is printed on stdout (the report used to be printed whole, then the command
/// failed). From the model when it records a table; from the data once read, for a model
/// that records nothing.
#[test]
fn mislabeled_on_a_table_is_refused_before_anything_is_printed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    std::fs::create_dir_all(w.join("models")).expect("mkdir");
    write_table_model(&w.join("models/own.h5"), &["a", "b"], &["x", "y"]);
    std::fs::write(
        w.join("c_good.csv"),
        "a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,10,x\n11,12,y\n",
    )
    .expect("csv");
    // A model of 192 inputs that records nothing, and a table of 192 columns that fits it.
    write_model(&w.join("models/good.h5"), &[FEATURES, 3, 1]);
    let header: Vec<String> = (0..FEATURES).map(|i| format!("f{i}")).collect();
    let mut wide = format!("{},label\n", header.join(","));
    for j in 0..6 {
        let row: Vec<String> = (0..FEATURES).map(|i| ((i + j) % 7).to_string()).collect();
        wide.push_str(&format!("{},{}\n", row.join(","), ["x", "y"][j % 2]));
    }
    std::fs::write(w.join("wide.csv"), wide).expect("csv");
    for (args, says) in [
        (
            "evaluate --model models/own.h5 --data c_good.csv --mislabeled m.png",
            "error: --mislabeled draws mislabelled pictures, but models/own.h5 takes a table of \
             2 columns (a, b), not pictures; leave out --mislabeled",
        ),
        (
            "evaluate --model models/good.h5 --data wide.csv --mislabeled m.png",
            "error: --mislabeled draws mislabelled pictures, but --data wide.csv holds no \
             pictures; leave out --mislabeled",
        ),
    ] {
        let before = common::snapshot(w);
        let args: Vec<&str> = args.split_whitespace().collect();
        let run = common::dnn_in(w, &args);
        assert_eq!(run.code, Some(1), "{args:?}: {run:?}");
        assert_eq!(run.stdout, "", "{args:?}: nothing before the refusal");
        assert_eq!(run.stderr.trim_end(), says, "{args:?}");
        assert_eq!(common::snapshot(w), before, "{args:?}");
        // Without --mislabeled the same data is scored.
        let scored = common::dnn_in(w, &args[..args.len() - 2]);
        assert_eq!(scored.code, Some(0), "{scored:?}");
        assert!(scored.stdout.contains("ccuracy: "), "{scored:?}");
    }
}
