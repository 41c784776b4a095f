//! End to end on data people bring: one run per format (course HDF5 of another size and six
//! classes, image folder, CSV table, npz archive) on fixtures the tests generate, each
//! trained, evaluated and used for prediction by the `dnn` binary; the cat set exported as
//! a PNG image folder reproducing the published run; and a multi-class table learnt above a
//! stated accuracy.

use crate::common;
use crate::common::ok;
use crate::fixtures;

use std::path::Path;

use common::{data_dir, dnn_in, expected};
use serde_json::Value;

fn report(dir: &Path, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect("report")).expect("json")
}

fn line<'a>(stdout: &'a str, prefix: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{stdout}"))
}

/// The published L-layer run, from the cat set saved as PNG files in an image folder
/// (`train/` and `test/`, `--classes non-cat,cat`): same costs to 1e-6, same accuracies.
/// The folder holds the examples grouped by class, not in the files' order, so the sums
/// run in another order; the costs still agree to far below 1e-6.
#[test]
fn the_cat_set_as_an_image_folder_reproduces_the_published_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = tmp.path().join("cats");
    fixtures::export_cat_folder(&data_dir(), &folder);
    let e = expected("deep");
    let run = ok(dnn_in(
        tmp.path(),
        &[
            "train",
            "--data",
            "cats",
            "--classes",
            "non-cat,cat",
            "--report",
            "r.json",
            "--save",
            "cats.h5",
        ],
    ));
    let r = report(tmp.path(), "r.json");
    assert_eq!(r["data"]["format"], "image-folder");
    assert_eq!(r["data"]["train_examples"], 209);
    assert_eq!(r["data"]["test_examples"], 50);
    assert_eq!(r["classes"], serde_json::json!(["non-cat", "cat"]));
    assert_eq!(r["layers"], e["layers"]);
    let want = e["costs"].as_array().expect("costs");
    let got = r["costs"].as_array().expect("costs");
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g[0], w[0]);
        let (g, w) = (g[1].as_f64().expect("cost"), w[1].as_f64().expect("cost"));
        assert!((g - w).abs() <= 1e-6, "cost {g} vs numpy {w}");
    }
    assert_eq!(r["train_accuracy"], e["train_accuracy"]);
    assert_eq!(r["test_accuracy"], e["test_accuracy"]);
    assert!(
        run.stdout.contains("Cost after iteration 0: 0.771749"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Cost after iteration 2499: 0.088440"),
        "{}",
        run.stdout
    );
    // The model knows its pictures: evaluate on the folder, predict a file of it.
    let eval = ok(dnn_in(
        tmp.path(),
        &["evaluate", "--model", "cats.h5", "--data", "cats"],
    ));
    assert!(line(&eval.stdout, "Test accuracy: ").starts_with("0.800000 (40 of 50"));
    let pic = folder.join("test").join("cat").join("000.png");
    let pred = ok(dnn_in(
        tmp.path(),
        &[
            "predict",
            "--model",
            "cats.h5",
            pic.to_str().expect("utf-8"),
        ],
    ));
    assert!(pred.stdout.contains("000.png: "), "{}", pred.stdout);
}

/// A CSV table end to end: three string classes, a split line, standardisation recorded in
/// the model, evaluate's report, predict's CSV with columns matched by name.
#[test]
fn a_csv_table_trains_evaluates_and_predicts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    fixtures::write_blobs_csv(&w.join("blobs.csv"), 60, 0.3);
    let run = ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "blobs.csv",
            "--target",
            "kind",
            "--hidden",
            "8",
            "--iterations",
            "300",
            "--learning-rate",
            "0.1",
            "--print-every",
            "100",
            "--report",
            "r.json",
            "--save",
            "blobs.h5",
        ],
    ));
    let first = run.stdout.lines().next().expect("output");
    assert_eq!(
        first,
        "Data: blobs.csv (csv): 48 training and 12 test examples (stratified 0.2 test split, seed 0), 3 features, 3 classes"
    );
    let r = report(w, "r.json");
    assert_eq!(r["layers"], serde_json::json!([3, 8, 3]));
    assert_eq!(r["classes"], serde_json::json!(["alpha", "beta", "gamma"]));
    assert_eq!(r["data"]["format"], "csv");
    assert_eq!(r["data"]["features"], 3);
    assert!(r["test_accuracy"].as_f64().expect("acc") >= 0.9, "{r}");
    let eval = ok(dnn_in(
        w,
        &["evaluate", "--model", "blobs.h5", "--data", "blobs.csv"],
    ));
    assert_eq!(
        line(&eval.stdout, "Test accuracy: ").split(' ').next(),
        Some(format!("{:.6}", r["test_accuracy"].as_f64().expect("acc")).as_str()),
        "evaluate re-splits as train did:\n{}",
        eval.stdout
    );
    for needle in [
        "precision",
        "recall",
        "f1-score",
        "macro avg",
        "weighted avg",
        "alpha",
    ] {
        assert!(eval.stdout.contains(needle), "{needle}: {}", eval.stdout);
    }
    // Prediction on a table with the columns in another order and without the label.
    std::fs::write(w.join("new.csv"), "z,y,x\n0.1,0.2,0.3\n5,5,5\n").expect("write");
    let pred = ok(dnn_in(w, &["predict", "--model", "blobs.h5", "new.csv"]));
    let lines: Vec<&str> = pred.stdout.lines().collect();
    assert_eq!(lines[0], "row,class,probability");
    assert_eq!(lines.len(), 3, "{}", pred.stdout);
    assert!(lines[1].starts_with("1,") && lines[2].starts_with("2,"));
    // --output writes the same CSV through the atomic writer.
    ok(dnn_in(
        w,
        &[
            "predict", "--model", "blobs.h5", "new.csv", "--output", "p.csv",
        ],
    ));
    assert_eq!(
        std::fs::read_to_string(w.join("p.csv")).expect("p.csv"),
        pred.stdout
    );
    // A missing column is named.
    std::fs::write(w.join("short.csv"), "x,y\n1,2\n").expect("write");
    let err = dnn_in(w, &["predict", "--model", "blobs.h5", "short.csv"]);
    assert_eq!(err.code, Some(1), "{err:?}");
    assert!(err.stderr.contains("no column `z`"), "{}", err.stderr);
    // A picture for a table model is refused.
    fixtures::write_png(&w.join("pic.png"), 4, 4, image::ColorType::Rgb8);
    let err = dnn_in(w, &["predict", "--model", "blobs.h5", "pic.png"]);
    assert!(
        err.stderr.contains("pic.png is not a .csv table"),
        "{}",
        err.stderr
    );
}

/// An image folder with three classes, split, resized, evaluated with its mislabelled grid.
#[test]
fn an_image_folder_trains_evaluates_and_predicts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    fixtures::write_picture_folder(&w.join("shapes"), &["red", "green", "blue"], 10, 12);
    std::fs::write(w.join("shapes").join("red").join("README"), "notes").expect("write");
    std::fs::write(w.join("shapes").join("red").join(".DS_Store"), "Bud1").expect("write");
    let stray = w.join("shapes").join("green").join("000.png");
    std::fs::copy(&stray, w.join("shapes").join("stray.png")).expect("copy");
    let run = ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "shapes",
            "--image-size",
            "6",
            "--hidden",
            "5",
            "--iterations",
            "200",
            "--learning-rate",
            "0.05",
            "-q",
            "--save",
            "shapes.h5",
            "--report",
            "r.json",
        ],
    ));
    assert!(
        run.stderr
            .contains("warning: skipped 1 file without a .png, .jpg or .jpeg extension in shapes"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "warning: not read, as in no class folder: shapes/stray.png (dnn reads pictures in shapes/<class>/)"
        ),
        "{}",
        run.stderr
    );
    assert!(run
        .stdout
        .starts_with("Data: shapes (image-folder): 24 training and 6 test examples"));
    let r = report(w, "r.json");
    assert_eq!(r["layers"], serde_json::json!([108, 5, 3]));
    assert_eq!(r["classes"], serde_json::json!(["blue", "green", "red"]));
    assert_eq!(r["test_accuracy"], 1.0, "colours are easy: {r}");
    let eval = ok(dnn_in(
        w,
        &[
            "evaluate",
            "--model",
            "shapes.h5",
            "--data",
            "shapes",
            "--mislabeled",
            "m.png",
        ],
    ));
    assert!(eval.stdout.contains("Saved 0 mislabelled images to m.png"));
    let pic = w.join("shapes").join("green").join("003.png");
    let pred = ok(dnn_in(
        w,
        &[
            "predict",
            "--model",
            "shapes.h5",
            pic.to_str().expect("utf-8"),
        ],
    ));
    assert!(
        pred.stdout.contains("003.png: green (probability "),
        "{}",
        pred.stdout
    );
    // A table for a picture model is refused.
    std::fs::write(w.join("t.csv"), "a,b\n1,2\n").expect("write");
    let err = dnn_in(w, &["predict", "--model", "shapes.h5", "t.csv"]);
    assert!(
        err.stderr.contains("t.csv is a CSV table"),
        "{}",
        err.stderr
    );
}

/// A course-style HDF5 set of another size with six integer classes (as SIGNS).
#[test]
fn a_course_set_with_six_classes_trains_with_softmax() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    fixtures::write_signs_like(&w.join("signs"), 60, 18, 10, 12);
    let run = ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "signs",
            "--hidden",
            "12",
            "--iterations",
            "300",
            "--learning-rate",
            "0.05",
            "--init",
            "he",
            "-q",
            "--report",
            "r.json",
            "--save",
            "signs.h5",
        ],
    ));
    let r = report(w, "r.json");
    assert_eq!(r["layers"], serde_json::json!([10 * 12 * 3, 12, 6]));
    assert_eq!(
        r["classes"],
        serde_json::json!(["0", "1", "2", "3", "4", "5"])
    );
    assert_eq!(r["data"]["format"], "course-h5");
    assert_eq!(r["data"]["train_examples"], 60);
    assert!(run.stdout.contains("Test accuracy: "));
    assert!(r["train_accuracy"].as_f64().expect("acc") > 0.9, "{r}");
    let eval = ok(dnn_in(
        w,
        &["evaluate", "--model", "signs.h5", "--data", "signs"],
    ));
    assert!(eval.stdout.contains("confusion matrix"), "{}", eval.stdout);
}

/// An npz archive both ways: Keras' layout (no split) and x, y (split).
#[test]
fn npz_archives_train_in_both_layouts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    fixtures::write_mnist_like(&w.join("digits.npz"), 40, 10);
    let run = ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "digits.npz",
            "--hidden",
            "10",
            "--iterations",
            "200",
            "--learning-rate",
            "0.1",
            "-q",
            "--report",
            "r.json",
            "--save",
            "digits.h5",
        ],
    ));
    // Not split: the archive's own test part is named as such.
    assert!(
        run.stdout.starts_with(
            "Data: digits.npz (npz): 40 training and 10 test examples (its own test part), 64 \
             features, 4 classes\n"
        ),
        "{}",
        run.stdout
    );
    let r = report(w, "r.json");
    assert_eq!(r["data"]["format"], "npz");
    assert_eq!(r["layers"], serde_json::json!([8 * 8, 10, 4]));
    assert_eq!(
        (
            r["data"]["train_examples"].clone(),
            r["data"]["test_examples"].clone()
        ),
        (40.into(), 10.into())
    );
    fixtures::write_npz_table(&w.join("table.npz"), 50);
    let run = ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "table.npz",
            "--hidden",
            "4",
            "--iterations",
            "100",
            "-q",
            "--save",
            "t.h5",
        ],
    ));
    assert!(
        run.stdout
            .starts_with("Data: table.npz (npz): 40 training and 10 test examples"),
        "{}",
        run.stdout
    );
    ok(dnn_in(
        w,
        &["evaluate", "--model", "t.h5", "--data", "table.npz"],
    ));
}

/// A multi-class set that must be learnt: four Gaussian blobs in 5-D, 400 rows, the
/// defaults but for `--hidden 16` and 1000 iterations at 0.05; test accuracy at least 0.95
/// (the blobs' centres are 4 standard deviations apart).
#[test]
fn a_four_class_table_is_learnt_above_95_percent() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    fixtures::write_gaussian_blobs(&w.join("four.csv"), 400, 4, 5, 4.0);
    ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "four.csv",
            "--hidden",
            "16",
            "--iterations",
            "1000",
            "--learning-rate",
            "0.05",
            "-q",
            "--report",
            "r.json",
        ],
    ));
    let r = report(w, "r.json");
    assert_eq!(r["layers"], serde_json::json!([5, 16, 4]));
    let acc = r["test_accuracy"].as_f64().expect("acc");
    assert!(acc >= 0.95, "test accuracy {acc}");
}

/// A label column of measurements read as classes (`--task classify`; by itself dnn would
/// predict these radii as numbers) makes a class per value, most of a single example: dnn
/// trains on it as asked, and says on stderr that the column looks like a measurement. A
/// column of values near 1e300, standardised, trains as any other.
#[test]
fn a_measurement_as_the_label_is_warned_about_and_huge_features_train() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let mut text = String::from("width,huge,radius\n");
    for i in 0..40 {
        // Five radii of five examples, fifteen of one.
        let radius = if i < 25 { i / 5 } else { 100 + i };
        text.push_str(&format!("{},{}e300,{radius}.5\n", i % 7, 1 + i % 5));
    }
    std::fs::write(w.join("radius.csv"), &text).expect("write");
    let run = ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "radius.csv",
            "--task",
            "classify",
            "--iterations",
            "5",
            "-q",
        ],
    ));
    assert!(
        run.stderr.contains(
            "warning: 15 of the 20 classes in radius.csv have a single example, kept in \
             training by the split; is the label column `radius` a class, or a measurement \
             or an id (a number to predict is a regression: --task regress)?"
        ),
        "{}",
        run.stderr
    );
    // One rare class among many examples: named, as the test part never scores it.
    let mut text = String::from("width,label\n");
    for i in 0..40 {
        let label = if i == 17 {
            "emperor"
        } else {
            ["adelie", "gentoo"][i % 2]
        };
        text.push_str(&format!("{},{label}\n", i % 7));
    }
    std::fs::write(w.join("rare.csv"), &text).expect("write");
    let run = ok(dnn_in(
        w,
        &["train", "--data", "rare.csv", "--iterations", "5", "-q"],
    ));
    assert!(
        run.stderr.contains(
            "warning: the class `emperor` has a single example, which the split keeps in \
             training: the test part cannot score it; give it more examples, or leave it out"
        ),
        "{}",
        run.stderr
    );
    let mut text = String::from("width,huge,label\n");
    for i in 0..40 {
        let label = ["a", "b"][usize::from(i % 5 >= 2)];
        text.push_str(&format!("{},{}e300,{label}\n", i % 7, 1 + i % 5));
    }
    std::fs::write(w.join("huge.csv"), &text).expect("write");
    let run = ok(dnn_in(
        w,
        &["train", "--data", "huge.csv", "--iterations", "300", "-q"],
    ));
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(
        line(&run.stdout, "Test accuracy: "),
        "1.000000",
        "{}",
        run.stdout
    );
    // A label left as `NA` among names is a class, with a warning.
    std::fs::write(w.join("na.csv"), text.replacen(",a\n", ",NA\n", 1)).expect("write");
    let run = ok(dnn_in(
        w,
        &["train", "--data", "na.csv", "--iterations", "5", "-q"],
    ));
    assert!(
        run.stderr.contains(
            "warning: the class `NA` of na.csv (1 example) reads like a missing value; it is \
             trained as a class of its own"
        ),
        "{}",
        run.stderr
    );
}

/// A table as people keep one: an id, a free-text name, text columns with empty cells, ages
/// with empty cells. The missing ages are refused until filled (`--fill-missing`) and the
/// name until left out; the text columns are one-hot encoded, and they and the fill value
/// are recorded in the model and applied by `evaluate` and `predict`, where a value
/// training never met is warned about and counts as no value, as an empty cell does.
/// dnn-data's doubts about a table reach `dnn train`'s stderr: R's `write.csv` row names
/// (a nameless first column counting from 1) are left out with a warning, and an id column
/// of whole numbers in file order is warned about; the run trains on the other columns.
#[test]
fn row_names_and_an_id_column_are_warned_about_in_train() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let mut text = String::from("\"\",\"id\",\"width\",\"label\"\n");
    for i in 0..40 {
        text.push_str(&format!(
            "\"{}\",{},{},{}\n",
            i + 1,
            1000 + i,
            i % 7,
            ["a", "b"][i % 2]
        ));
    }
    std::fs::write(w.join("r.csv"), &text).expect("write");
    let run = ok(dnn_in(
        w,
        &["train", "--data", "r.csv", "--iterations", "5", "-q"],
    ));
    assert!(
        run.stderr.contains(
            "warning: the first column has no name and counts the rows from 1 to 40, as R's \
             write.csv (row names) writes them: it is left out as the rows' numbers, not data"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("warning: column `id` holds a different whole number in every row"),
        "{}",
        run.stderr
    );
    // The row names are no input: width and id are.
    assert!(
        run.stdout.contains(", 2 features, 2 classes"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_table_with_text_columns_trains_on_them_and_predicts_new_values() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let mut text = String::from("id,name,sex,port,age,survived\n");
    for i in 0..120 {
        let sex = ["female", "male"][i % 2];
        let port = ["S", "C", "Q", "S", ""][i % 5];
        let survived = usize::from(sex == "female") ^ usize::from(i % 7 == 0);
        let age = if i % 9 == 4 {
            String::new()
        } else {
            (20 + i % 40).to_string()
        };
        text.push_str(&format!("{i},Person {i},{sex},{port},{age},{survived}\n"));
    }
    std::fs::write(w.join("people.csv"), text).expect("write");
    // The first missing number is named first (the name column's error needs every row).
    let refused = dnn_in(w, &["train", "--data", "people.csv", "-q"]);
    assert_eq!(refused.code, Some(1), "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("row 5 (line 6), column `age`: the cell is empty")
            && refused.stderr.contains("--fill-missing mean"),
        "{}",
        refused.stderr
    );
    let refused = dnn_in(
        w,
        &[
            "train",
            "--data",
            "people.csv",
            "--fill-missing",
            "median",
            "-q",
        ],
    );
    assert_eq!(refused.code, Some(1), "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("column `name` is text with 120 different values")
            && refused.stderr.contains("--drop name"),
        "{}",
        refused.stderr
    );
    let run = ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "people.csv",
            "--drop",
            "id,name",
            "--fill-missing",
            "median",
            "--hidden",
            "8",
            "--iterations",
            "200",
            "--learning-rate",
            "0.1",
            "--report",
            "r.json",
            "--save",
            "people.h5",
            "-q",
        ],
    ));
    let text_line = line(&run.stdout, "Text columns, one-hot encoded into 5 inputs: ");
    assert!(
        text_line.starts_with("sex (2 values), port (3 values; ")
            && text_line.ends_with(" training rows without one)"),
        "{text_line}"
    );
    let filled = line(
        &run.stdout,
        "Missing numbers are filled with each column's training median: ",
    );
    assert!(
        filled.starts_with("age ") && !filled.contains(','),
        "{filled}"
    );
    let r = report(w, "r.json");
    assert_eq!(r["layers"], serde_json::json!([6, 8, 1]));
    let eval = ok(dnn_in(
        w,
        &["evaluate", "--model", "people.h5", "--data", "people.csv"],
    ));
    assert_eq!(
        line(&eval.stdout, "Test accuracy: ").split(' ').next(),
        Some(format!("{:.6}", r["test_accuracy"].as_f64().expect("acc")).as_str()),
        "{}",
        eval.stdout
    );
    std::fs::write(
        w.join("new.csv"),
        "age,port,sex\n30,X,female\n30,,female\n30,C,female\n,C,female\n",
    )
    .expect("write");
    let pred = ok(dnn_in(w, &["predict", "--model", "people.h5", "new.csv"]));
    // Row 4 misses its age, which the model fills with its training median (41).
    assert_eq!(
        pred.stderr.trim(),
        "warning: column `port`: 1 row has a value the model was not trained on (the first: \
         `X`, row 1); it counts as none of its values\nwarning: column `age`: 1 row missing \
         (row 4), filled with 41 as in training"
    );
    let rows: Vec<&str> = pred.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{}", pred.stdout);
    assert_eq!(
        rows[0][2..],
        rows[1][2..],
        "unseen and empty are both no value"
    );
    assert_ne!(rows[1][2..], rows[2][2..], "a port the model knows counts");
    // A value of any length is shown by its first 40 characters, as in errors.
    let long = "Z".repeat(100_000);
    std::fs::write(
        w.join("long.csv"),
        format!("age,port,sex\n30,{long},female\n"),
    )
    .expect("write");
    let pred = ok(dnn_in(w, &["predict", "--model", "people.h5", "long.csv"]));
    assert!(
        pred.stderr
            .contains(&format!("(the first: `{}…`, row 1)", &long[..40])),
        "{}",
        &pred.stderr[..pred.stderr.len().min(400)]
    );
    assert!(
        pred.stderr.len() < 400,
        "{} bytes of warning",
        pred.stderr.len()
    );
    // evaluate warns about values the model never met, as predict does.
    let people = std::fs::read_to_string(w.join("people.csv")).expect("read");
    std::fs::write(w.join("people2.csv"), people.replace(",Q,", ",X,")).expect("write");
    let eval = ok(dnn_in(
        w,
        &["evaluate", "--model", "people.h5", "--data", "people2.csv"],
    ));
    assert!(
        eval.stderr.contains(
            "warning: column `port`: 24 rows have a value the model was not trained on (the \
             first: `X`, row 3)"
        ),
        "{}",
        eval.stderr
    );
    // Values that differ only in case, and a column of one value per row, are warned about.
    let mut odd = String::from("colour,code,x,y\n");
    for i in 0..40 {
        let colour = ["Red", "red", "blue"][i % 3];
        odd.push_str(&format!("{colour},c{i},{},{}\n", i % 5, ["p", "q"][i % 2]));
    }
    std::fs::write(w.join("odd.csv"), odd).expect("write");
    let run = ok(dnn_in(
        w,
        &["train", "--data", "odd.csv", "--iterations", "5", "-q"],
    ));
    for warning in [
        "warning: column `colour`: `Red` and `red` differ only in case or spaces",
        "warning: column `code` has a different value in every training row (32 values)",
        "--drop code",
    ] {
        assert!(run.stderr.contains(warning), "{warning}: {}", run.stderr);
    }
    // The reading flags are for CSV tables.
    fixtures::write_png(&w.join("pic.png"), 4, 4, image::ColorType::Rgb8);
    let err = dnn_in(
        w,
        &[
            "train", "--data", "pic.png", "--format", "npz", "--drop", "x",
        ],
    );
    assert!(
        err.stderr
            .contains("--drop names CSV columns, but --data pic.png is read as npz"),
        "{}",
        err.stderr
    );
}

/// A table of more rows than `dnn predict` classifies at a time: each row's line is the one
/// it gets alone, across the blocks' borders.
#[test]
fn a_long_table_is_predicted_block_by_block_with_each_rows_own_result() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    fixtures::write_blobs_csv(&w.join("blobs.csv"), 60, 0.3);
    ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "blobs.csv",
            "--target",
            "kind",
            "--hidden",
            "8",
            "--iterations",
            "50",
            "--save",
            "blobs.h5",
            "-q",
        ],
    ));
    fixtures::write_blobs_csv(&w.join("long.csv"), 20_000, 1.0);
    let all = ok(dnn_in(w, &["predict", "--model", "blobs.h5", "long.csv"]));
    let lines: Vec<&str> = all.stdout.lines().collect();
    assert_eq!(lines.len(), 20_001);
    let text = std::fs::read_to_string(w.join("long.csv")).expect("read");
    let rows: Vec<&str> = text.lines().collect();
    for first in [8190, 16382] {
        let part: String = std::iter::once(rows[0])
            .chain(rows[first..first + 5].iter().copied())
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(w.join("part.csv"), part).expect("write");
        let alone = ok(dnn_in(w, &["predict", "--model", "blobs.h5", "part.csv"]));
        for (k, line) in alone.stdout.lines().skip(1).enumerate() {
            let (_, verdict) = line.split_once(',').expect("row,");
            let (_, in_long) = lines[first + k].split_once(',').expect("row,");
            assert_eq!(verdict, in_long, "data row {}", first + k);
        }
    }
}

/// A table whose target is a number (a price with pence): `train` picks regression by
/// itself, learns a smooth function well, and `evaluate`, `predict` and the report agree
/// with its numbers; `--task classify` and `--classes` say what they do with it.
#[test]
fn a_table_with_a_number_to_predict_is_a_regression_trained_evaluated_and_predicted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    // price = 2000 area + 15000 rooms - 800 age + 30000 sin(area / 20) + 150000, to the penny.
    let mut rng = dnn_core::NumpyRng::new(5);
    let u = rng.rand(3, 600);
    let mut text = String::from("area,rooms,age,price\n");
    let mut rows = String::from("area,rooms,age\n");
    let mut truth = Vec::new();
    for j in 0..600 {
        let (area, rooms, age) = (
            40.0 + 160.0 * u[[0, j]],
            1.0 + (5.0 * u[[1, j]]).floor(),
            80.0 * u[[2, j]],
        );
        let price = 2000.0 * area + 15000.0 * rooms - 800.0 * age
            + 30000.0 * (area / 20.0).sin()
            + 150_000.0;
        text.push_str(&format!("{area:.2},{rooms},{age:.1},{price:.2}\n"));
        if j < 5 {
            rows.push_str(&format!("{area:.2},{rooms},{age:.1}\n"));
            truth.push(format!("{price:.2}").parse::<f64>().unwrap());
        }
    }
    std::fs::write(dir.join("houses.csv"), &text).unwrap();
    std::fs::write(dir.join("rows.csv"), &rows).unwrap();
    std::fs::write(dir.join("rows.tsv"), rows.replace(',', "\t")).unwrap();
    let train = ok(dnn_in(
        dir,
        &[
            "train",
            "--data",
            "houses.csv",
            "--hidden",
            "32,16",
            "--optimizer",
            "adam",
            "--learning-rate",
            "0.003",
            "--batch-size",
            "32",
            "--epochs",
            "150",
            "-q",
            "--save",
            "m.h5",
            "--report",
            "r.json",
        ],
    ));
    assert!(
        train.stdout.contains(
            "480 training and 120 test examples (shuffled 0.2 test split, seed 0), 3 features, a number to predict"
        ),
        "{}",
        train.stdout
    );
    // `--target` not given: the line says the last column was taken.
    assert!(line(&train.stdout, "Target: ").starts_with("price, the last column (--target names another), a number to predict (its numbers have fractions; --task classify makes them classes)"));
    let r = report(dir, "r.json");
    assert!(r.get("test_accuracy").is_none() && r["classes"] == serde_json::json!([]));
    assert_eq!(r["layers"], serde_json::json!([3, 32, 16, 1]));
    let test_r2 = r["regression"]["test"]["r2"].as_f64().expect("r2");
    assert!(test_r2 > 0.97, "a smooth function is learnt: {r}");
    let test_line = line(&train.stdout, "Test R²: ").to_owned();
    assert!(
        test_line.starts_with(&format!("{test_r2:.6} (RMSE ")),
        "{test_line}"
    );
    // evaluate reads the same split with the model's scales: the same lines.
    let eval = ok(dnn_in(
        dir,
        &["evaluate", "--model", "m.h5", "--data", "houses.csv"],
    ));
    assert!(
        eval.stdout
            .contains("(f64, layers 3-32-16-1, predicts price)"),
        "{}",
        eval.stdout
    );
    assert_eq!(line(&eval.stdout, "Test R²: "), test_line);
    assert_eq!(
        line(&eval.stdout, "Train R²: "),
        line(&train.stdout, "Train R²: ")
    );
    // predict: one value per row, near the truth (the test RMSE is a few thousand).
    let predict = ok(dnn_in(dir, &["predict", "--model", "m.h5", "rows.csv"]));
    let mut lines = predict.stdout.lines();
    assert_eq!(lines.next(), Some("row,price"));
    let values: Vec<f64> = lines
        .map(|l| {
            l.split_once(',')
                .expect("row,value")
                .1
                .parse()
                .expect("a number")
        })
        .collect();
    assert_eq!(values.len(), 5);
    // The same rows tab-separated, as dnn train reads a .tsv: the same output.
    let tsv = ok(dnn_in(dir, &["predict", "--model", "m.h5", "rows.tsv"]));
    assert_eq!(tsv.stdout, predict.stdout);
    let rmse = r["regression"]["test"]["rmse"].as_f64().expect("rmse");
    for (v, t) in values.iter().zip(&truth) {
        assert!(
            (v - t).abs() < 5.0 * rmse,
            "predicted {v} for {t} (test RMSE {rmse})"
        );
    }
    // --target names the column of true values, not one of the inputs.
    let run = dnn_in(
        dir,
        &[
            "evaluate",
            "--model",
            "m.h5",
            "--data",
            "houses.csv",
            "--target",
            "area",
        ],
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("--target area is one of m.h5's inputs; --target names the column of the true values (the model's is `price`)"),
        "{}",
        run.stderr
    );
    // A house far beyond the training data is predicted beyond f64's range, with a warning.
    std::fs::write(
        dir.join("far.csv"),
        "area,rooms,age\n80,3,20\n1.7e308,3,20\n",
    )
    .unwrap();
    let run = ok(dnn_in(dir, &["predict", "--model", "m.h5", "far.csv"]));
    assert!(
        run.stderr.contains(
            "warning: 1 row is predicted as a number beyond f64's range (the first: row 2,"
        ),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    // --classes names classes, which a number to predict has none of.
    let run = dnn_in(
        dir,
        &["train", "--data", "houses.csv", "--classes", "a,b", "-q"],
    );
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("class names were given (--classes), but the target `price` is a number to predict (a regression); give --task classify"), "{}", run.stderr);
    // --task classify makes its 600 prices classes, and the split says what that means.
    let run = dnn_in(
        dir,
        &["train", "--data", "houses.csv", "--task", "classify", "-q"],
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains("A measurement of numbers to predict is a regression (--task regress)"),
        "{}",
        run.stderr
    );
    assert!(!dir.join("model.h5").exists());
}

/// Targets of 1e300 and of 1e-200: `dnn predict` writes each value as the shortest text that
/// reads back as it, with an exponent (`2.49e300`, not 300 digits; `2.1e-200`, not `0.000…`
/// with 200 zeros), as the `Target:` and score lines already write such numbers; and says
/// `Saved 1 prediction` of one row.
#[test]
fn huge_and_tiny_predictions_are_written_in_full_with_an_exponent() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let mut rng = dnn_core::NumpyRng::new(3);
    let u = rng.rand(2, 40);
    for (name, scale, exponent) in [("huge", 1e300, "e300"), ("tiny", 1e-200, "e-200")] {
        let mut text = String::from("a,b,y\n");
        for j in 0..40 {
            let (a, b) = (u[[0, j]], u[[1, j]]);
            text.push_str(&format!("{a},{b},{:e}\n", (a + 2.0 * b + 1.0) * scale));
        }
        let data = format!("{name}.csv");
        let model = format!("{name}.h5");
        std::fs::write(dir.join(&data), &text).unwrap();
        let train = ok(dnn_in(
            dir,
            &[
                "train",
                "--data",
                &data,
                "--task",
                "regress",
                "--hidden",
                "4",
                "--iterations",
                "20",
                "-q",
                "--save",
                &model,
            ],
        ));
        assert!(
            line(&train.stdout, "Target: ").contains(exponent),
            "{}",
            train.stdout
        );
        let predict = ok(dnn_in(dir, &["predict", "--model", &model, &data]));
        let values: Vec<&str> = predict
            .stdout
            .lines()
            .skip(1)
            .map(|l| l.split_once(',').expect("row,value").1)
            .collect();
        assert_eq!(values.len(), 40);
        for text in values {
            let v: f64 = text.parse().expect("a number");
            // The shortest round-trip text of v, in exponent form: no digit more or less.
            assert_eq!(text, format!("{v:e}"), "{name}");
        }
        std::fs::write(dir.join("one.csv"), "a,b\n0.5,0.5\n").unwrap();
        let run = ok(dnn_in(
            dir,
            &[
                "predict",
                "--model",
                &model,
                "one.csv",
                "--output",
                "one_out.csv",
            ],
        ));
        assert_eq!(run.stdout, "Saved 1 prediction to one_out.csv\n");
    }
}

/// The model, not the data, decides what `evaluate` scores: a classifier on a table whose
/// target has fractions is refused as classes it does not know, and a network with an
/// identity output whose file records no target scale cannot be evaluated at all.
#[test]
fn evaluate_scores_what_the_model_predicts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let mut text = String::from("a,b,y\n");
    for j in 0..60 {
        text.push_str(&format!("{},{},{}.5\n", j % 7, j % 3, j % 11));
    }
    std::fs::write(dir.join("t.csv"), &text).unwrap();
    fixtures::write_table_model(&dir.join("classes.h5"), &["a", "b"], &["lo", "hi"]);
    let run = dnn_in(
        dir,
        &[
            "evaluate",
            "--model",
            "classes.h5",
            "--data",
            "t.csv",
            "--target",
            "y",
        ],
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("which the model does not know"),
        "{}",
        run.stderr
    );
    let net = dnn_core::Network::<f64>::builder(&[2, 3, 1])
        .output(dnn_core::Activation::Identity)
        .build(&mut dnn_core::NumpyRng::new(1))
        .unwrap();
    dnn_data::model::save_model(dir.join("bare.h5"), &net, &Default::default()).unwrap();
    let run = dnn_in(dir, &["evaluate", "--model", "bare.h5", "--data", "t.csv"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains(
            "bare.h5 has an identity output (a regression) but does not record its target's scale"
        ),
        "{}",
        run.stderr
    );
    // Whole numbers read as many classes: a warning that names --task regress.
    let mut text = String::from("a,y\n");
    for j in 0..300 {
        text.push_str(&format!("{},{}\n", j % 7, j % 30));
    }
    std::fs::write(dir.join("counts.csv"), &text).unwrap();
    let run = ok(dnn_in(
        dir,
        &["train", "--data", "counts.csv", "--iterations", "2", "-q"],
    ));
    assert!(
        run.stderr.contains("warning: the target `y` is read as 30 classes, one per whole number; if it is a quantity to predict, give --task regress"),
        "{}",
        run.stderr
    );
}

/// A table of bytes (a 2-D uint8 npz `x`) is read as numbers, as a CSV of its rows is: the
/// model scores that CSV exactly as it scores the archive. Divided by 255 on the way in (as
/// pictures are), it was trained on inputs that `dnn predict`, `dnn evaluate` on a CSV and the
/// exported graph never give it, since a model file records no such step for a table.
#[test]
fn a_uint8_npz_table_and_a_csv_of_its_rows_are_scored_alike() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let (m, n) = (80, 4);
    // Class 1 where x0 + x1 > 200: a rule on the raw values.
    let x = ndarray::Array2::from_shape_fn((m, n), |(j, i)| {
        ((j * 37 + i * 91 + j * i * 13) % 200) as u8
    });
    let y = ndarray::Array1::from_shape_fn(m, |j| {
        i64::from(u16::from(x[[j, 0]]) + u16::from(x[[j, 1]]) > 200)
    });
    fixtures::write_xy_npz(&dir.join("t.npz"), &x, &y);
    let mut csv = String::from("x0,x1,x2,x3,y\n");
    for j in 0..m {
        let row: Vec<String> = x.row(j).iter().map(u8::to_string).collect();
        csv.push_str(&format!("{},{}\n", row.join(","), y[j]));
    }
    std::fs::write(dir.join("t.csv"), csv).expect("csv");
    let run = ok(dnn_in(
        dir,
        &[
            "train",
            "--data",
            "t.npz",
            "--hidden",
            "8",
            "--learning-rate",
            "0.5",
            "--iterations",
            "300",
            "-q",
            "--save",
            "m.h5",
        ],
    ));
    let scored = |data: &str| {
        let run = ok(dnn_in(
            dir,
            &[
                "evaluate", "--model", "m.h5", "--data", data, "--parts", "whole", "--report",
                "e.json",
            ],
        ));
        let r = report(dir, "e.json");
        (run, r["parts"].clone())
    };
    let (npz_run, npz_parts) = scored("t.npz");
    let (csv_run, csv_parts) = scored("t.csv");
    assert_eq!(
        npz_parts, csv_parts,
        "npz:\n{}\ncsv:\n{}",
        npz_run.stdout, csv_run.stdout
    );
    // The rule was learnt, so the comparison is between two good scores, not two poor ones.
    let accuracy = npz_parts[0]["accuracy"].as_f64().expect("accuracy");
    assert!(accuracy > 0.9, "{}\n{}", run.stdout, npz_run.stdout);
}

/// Labels written two ways (`Yes`, `yes`) are two classes, as a text column's values are two
/// inputs: both are warned about, with what to do.
#[test]
fn classes_that_differ_only_in_case_are_warned_about() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let mut text = String::from("a,label\n");
    for j in 0..30 {
        text.push_str(&format!("{j},{}\n", ["Yes", "yes", "no"][j % 3]));
    }
    std::fs::write(dir.join("case.csv"), &text).unwrap();
    let run = ok(dnn_in(
        dir,
        &["train", "--data", "case.csv", "--iterations", "2", "-q"],
    ));
    assert!(
        run.stderr.contains(
            "warning: the classes `Yes` and `yes` differ only in case or spaces, and are two \
             classes; write them one way in the data if they are one"
        ),
        "{}",
        run.stderr
    );
    // Written one way, no warning.
    std::fs::write(dir.join("one.csv"), text.replace("Yes", "yes")).unwrap();
    let run = ok(dnn_in(
        dir,
        &["train", "--data", "one.csv", "--iterations", "2", "-q"],
    ));
    assert!(
        !run.stderr.contains("differ only in case"),
        "{}",
        run.stderr
    );
}

/// A model whose z-score covers 4 inputs, given an npz of 5: evaluate and --from say what the
/// model takes and what the data has (the z-score is applied as the data is read, in the
/// type it trains in, so its width is what finds the mismatch first).
#[test]
fn a_standardised_model_given_data_of_another_width_says_both() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let write = |name: &str, n: usize| {
        let x = ndarray::Array2::from_shape_fn((40, n), |(j, i)| (j * 7 + i * 3) as f64 / 11.0);
        let y = ndarray::Array1::from_shape_fn(40, |j| (j % 2) as i64);
        fixtures::write_xy_npz(&dir.join(name), &x, &y);
    };
    write("four.npz", 4);
    write("five.npz", 5);
    ok(dnn_in(
        dir,
        &[
            "train",
            "--data",
            "four.npz",
            "--hidden",
            "3",
            "--iterations",
            "5",
            "-q",
            "--save",
            "m.h5",
        ],
    ));
    let says = "error: m.h5 takes 4 columns (x0, x1, x2, x3) but --data five.npz has 5 columns \
                (x0, x1, x2, x3, x4)\n";
    for dtype in ["f64", "f32"] {
        for args in [
            vec!["evaluate", "--model", "m.h5", "--data", "five.npz"],
            vec![
                "train", "--from", "m.h5", "--data", "five.npz", "--dtype", dtype, "-q", "--save",
                "n.h5",
            ],
        ] {
            let run = dnn_in(dir, &args);
            assert_eq!(run.code, Some(1), "{args:?}: {run:?}");
            assert_eq!(run.stderr, says, "{args:?}");
        }
    }
    assert!(!dir.join("n.h5").exists());
}

/// Pictures of 2 channels train, with a warning that no picture file will feed the model
/// (`dnn predict` says so only after training); 3 channels get none.
#[test]
fn pictures_of_channels_no_picture_file_has_are_warned_about() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    for (name, channels) in [("two.npz", 2), ("rgb.npz", 3)] {
        let x = ndarray::Array4::from_shape_fn((30, 8, 8, channels), |(j, r, c, k)| {
            ((j * 31 + r * 7 + c * 3 + k) % 256) as u8
        });
        let y = ndarray::Array1::from_shape_fn(30, |j| (j % 2) as i64);
        fixtures::write_xy_npz(&dir.join(name), &x, &y);
    }
    let warning = "warning: the pictures have 2 channels, and a picture file gives 1 (grey), 3 \
                   (RGB) or 4 (RGBA): the model will score data of this kind (dnn evaluate), but \
                   dnn predict and dnn serve cannot read a picture file for it";
    let run = ok(dnn_in(
        dir,
        &["train", "--data", "two.npz", "--iterations", "2", "-q"],
    ));
    assert!(run.stderr.contains(warning), "{}", run.stderr);
    let run = ok(dnn_in(
        dir,
        &["train", "--data", "rgb.npz", "--iterations", "2", "-q"],
    ));
    assert!(!run.stderr.contains("channels"), "{}", run.stderr);
}

#[test]
fn adam_without_a_learning_rate_takes_adams_own_default_not_the_exercises() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = dir.path();
    fixtures::write_blobs_csv(&w.join("blobs.csv"), 60, 0.3);
    let rate_of = |extra: &[&str]| -> Value {
        let args = [
            &[
                "train",
                "--data",
                "blobs.csv",
                "--hidden",
                "3",
                "--batch-size",
                "16",
            ][..],
            &[
                "--epochs", "2", "-q", "--report", "r.json", "--save", "m.h5",
            ][..],
            extra,
        ]
        .concat();
        let run = dnn_in(w, &args);
        assert_eq!(run.code, Some(0), "{run:?}");
        let report: Value =
            serde_json::from_slice(&std::fs::read(w.join("r.json")).expect("report"))
                .expect("json");
        report["learning_rate"].clone()
    };
    assert_eq!(rate_of(&["--optimizer", "adam"]), 0.001);
    assert_eq!(
        rate_of(&["--optimizer", "adam", "--learning-rate", "0.02"]),
        0.02
    );
    assert_eq!(rate_of(&["--optimizer", "momentum"]), 0.0075);
    assert_eq!(rate_of(&[]), 0.0075);
}

#[test]
fn an_input_the_model_cannot_take_is_named_by_its_table_row_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = dir.path();
    let mut table = String::from("a,b,y\n");
    for i in 0..200 {
        let (a, b) = ((i % 17) as f64 / 4.0, (i % 5) as f64 * 0.01);
        table.push_str(&format!("{a},{b},{}\n", i % 2));
    }
    std::fs::write(w.join("t.csv"), table).expect("csv");
    let train = |extra: &[&str], save: &str| {
        let args = [
            &[
                "train",
                "--data",
                "t.csv",
                "--hidden",
                "3",
                "--iterations",
                "5",
                "-q",
            ][..],
            extra,
            &["--save", save],
        ]
        .concat();
        let run = dnn_in(w, &args);
        assert_eq!(run.code, Some(0), "{run:?}");
    };
    train(&[], "m.h5");
    train(&["--dtype", "f32", "--no-standardize"], "m32.h5");
    // Row 9000, past the first block of 8192 rows: its number is the table's.
    let mut rows = String::from("a,b\n");
    for _ in 1..9000 {
        rows.push_str("1,0.02\n");
    }
    std::fs::write(w.join("z.csv"), format!("{rows}2,1e308\n")).expect("csv");
    std::fs::write(w.join("f.csv"), "a,b\n1,0.02\n1e39,0\n").expect("csv");
    let z = dnn_in(w, &["predict", "--model", "m.h5", "z.csv"]);
    assert_eq!(z.code, Some(1), "{z:?}");
    assert_eq!(
        z.stderr,
        "error: z.csv: row 9000, column `b`: `1e308` became inf when standardised (the model's \
         z-score: (value - mean) / standard deviation); it is far beyond the values the model \
         was trained on, so check it\n"
    );
    let f = dnn_in(w, &["predict", "--model", "m32.h5", "f.csv"]);
    assert_eq!(
        f.stderr,
        "error: f.csv: row 2, column `a`: `1e39` is beyond f32's range, which this f32 model \
         computes in; check it, or scale the column\n"
    );
}
