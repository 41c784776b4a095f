//! `dnn evaluate` on data a model was not trained on: the model file records its training
//! data's name and SHA-256, the data of that digest is scored in training's parts again, any
//! other data whole (every example, one part), and `--parts` overrides either. The scores of
//! data read whole are checked against `dnn predict`'s answers for the same rows.

use crate::common;
use crate::common::ok;
use crate::fixtures;

use std::path::Path;
use std::process::Command;

use common::dnn_in;

fn line<'a>(stdout: &'a str, prefix: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{stdout}"))
}

fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8(out.stdout).expect("utf-8")[..64].to_owned()
}

/// How many of `table`'s rows `dnn predict` puts in the class their `kind` column names.
fn correct_by_predict(dir: &Path, model: &str, table: &str) -> (usize, usize) {
    let pred = ok(dnn_in(dir, &["predict", "--model", model, table]));
    let text = std::fs::read_to_string(dir.join(table)).expect("table");
    let kinds: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).expect("kind"))
        .collect();
    let predicted: Vec<&str> = pred
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).expect("class"))
        .collect();
    assert_eq!(predicted.len(), kinds.len(), "{}", pred.stdout);
    let correct = predicted.iter().zip(&kinds).filter(|(p, k)| p == k).count();
    (correct, kinds.len())
}

/// `r.json`, as `dnn evaluate --report r.json` wrote it.
fn report(dir: &Path) -> dnn_report::EvaluateReport {
    let text = std::fs::read_to_string(dir.join("r.json")).expect("report");
    serde_json::from_str(&text).expect("an EvaluateReport")
}

fn train_blobs(dir: &Path) {
    fixtures::write_blobs_csv(&dir.join("blobs.csv"), 60, 0.3);
    ok(dnn_in(
        dir,
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
            "-q",
            "--save",
            "blobs.h5",
        ],
    ));
}

#[test]
fn other_data_is_scored_whole_and_the_training_data_in_its_parts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    train_blobs(w);
    let model = dnn_data::model::load_model(w.join("blobs.h5")).expect("model");
    assert_eq!(model.setup.data.as_deref(), Some("blobs.csv"));
    assert_eq!(
        model.setup.data_sha256.as_deref(),
        Some(sha256sum(&w.join("blobs.csv")).as_str())
    );

    // The training data: its parts again.
    let eval = ok(dnn_in(
        w,
        &[
            "evaluate",
            "--model",
            "blobs.h5",
            "--data",
            "blobs.csv",
            "--report",
            "r.json",
        ],
    ));
    assert_eq!(
        line(&eval.stdout, "Data: "),
        "blobs.csv (csv): the data blobs.h5 was trained on (the same SHA-256), in its parts again"
    );
    assert!(line(&eval.stdout, "Train accuracy: ").ends_with("of 48 correct)"));
    assert!(line(&eval.stdout, "Test accuracy: ").ends_with("of 12 correct)"));
    let r = report(w);
    assert_eq!(r.data.trained_on, Some(true));
    assert!(!r.data.whole);
    let names: Vec<&str> = r.parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["train", "test"]);
    assert_eq!(
        line(&eval.stdout, "Test accuracy: "),
        format!(
            "{:.6} ({} of 12 correct)",
            r.parts[1].accuracy.expect("accuracy"),
            r.parts[1].correct.expect("correct")
        )
    );

    // Other rows of the same kind, with more noise: one part, every row.
    fixtures::write_blobs_csv(&w.join("more.csv"), 45, 0.9);
    let eval = ok(dnn_in(
        w,
        &[
            "evaluate", "--model", "blobs.h5", "--data", "more.csv", "--report", "r.json",
        ],
    ));
    assert_eq!(
        line(&eval.stdout, "Data: "),
        "more.csv (csv): not byte for byte the data blobs.h5 was trained on (`blobs.csv`; its SHA-256 differs), so all 45 examples are scored as one part (any examples it was trained on included)"
    );
    assert!(!eval.stdout.contains("Train accuracy"), "{}", eval.stdout);
    assert!(!eval.stdout.contains("Test"), "{}", eval.stdout);
    let (correct, total) = correct_by_predict(w, "blobs.h5", "more.csv");
    assert!(
        correct < total,
        "the noise should cost some rows: {correct} of {total}"
    );
    assert_eq!(
        line(&eval.stdout, "Accuracy: "),
        format!(
            "{:.6} ({correct} of {total} correct)",
            correct as f64 / total as f64
        )
    );
    assert!(
        eval.stdout
            .contains("\nConfusion matrix (rows: true class, columns: predicted):\n"),
        "{}",
        eval.stdout
    );
    let r = report(w);
    assert_eq!(r.data.trained_on, Some(false));
    assert!(r.data.whole);
    let digest = sha256sum(&w.join("more.csv"));
    assert_eq!(r.data.sha256.as_deref(), Some(digest.as_str()));
    assert_eq!(r.parts.len(), 1);
    let all = &r.parts[0];
    assert_eq!(
        (all.name.as_str(), all.examples, all.correct),
        ("all", 45, Some(correct))
    );
    let confusion = all.confusion.as_ref().expect("confusion");
    assert_eq!(confusion.iter().flatten().sum::<usize>(), 45);
    assert_eq!((0..3).map(|k| confusion[k][k]).sum::<usize>(), correct);

    // One row: said so.
    let text = std::fs::read_to_string(w.join("more.csv")).expect("more");
    let one: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(w.join("one.csv"), one).expect("write");
    let eval = ok(dnn_in(
        w,
        &["evaluate", "--model", "blobs.h5", "--data", "one.csv"],
    ));
    assert!(
        line(&eval.stdout, "Data: ").contains("so its one example is scored as one part"),
        "{}",
        eval.stdout
    );

    // --parts whole on the training data: every row, training rows included.
    let eval = ok(dnn_in(
        w,
        &[
            "evaluate",
            "--model",
            "blobs.h5",
            "--data",
            "blobs.csv",
            "--parts",
            "whole",
        ],
    ));
    assert_eq!(
        line(&eval.stdout, "Data: "),
        "blobs.csv (csv): all 60 examples are scored as one part (--parts whole), those blobs.h5 was trained on included"
    );
    let (correct, total) = correct_by_predict(w, "blobs.h5", "blobs.csv");
    assert_eq!(
        line(&eval.stdout, "Accuracy: "),
        format!(
            "{:.6} ({correct} of {total} correct)",
            correct as f64 / total as f64
        )
    );

    // --parts split on other data: split as training split its data, and said to be so.
    let eval = ok(dnn_in(
        w,
        &[
            "evaluate", "--model", "blobs.h5", "--data", "more.csv", "--parts", "split",
        ],
    ));
    assert!(
        line(&eval.stdout, "Data: ")
            .ends_with("more.csv (csv): in parts (--parts split: a stratified 0.2 test split, seed 0, as recorded in the model), but not byte for byte the data blobs.h5 was trained on (`blobs.csv`; its SHA-256 differs), so dnn cannot tell whether they are that data's parts"),
        "{}",
        eval.stdout
    );
    assert!(line(&eval.stdout, "Train accuracy: ").ends_with("of 36 correct)"));
}

#[test]
fn a_model_that_records_no_digest_is_split_and_says_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    train_blobs(w);
    let file = hdf5::File::open_rw(w.join("blobs.h5")).expect("open");
    file.delete_attr("data_sha256").expect("delete");
    drop(file);
    fixtures::write_blobs_csv(&w.join("more.csv"), 45, 0.9);
    let eval = ok(dnn_in(
        w,
        &["evaluate", "--model", "blobs.h5", "--data", "more.csv"],
    ));
    assert_eq!(
        line(&eval.stdout, "Data: "),
        "more.csv (csv): in parts (a stratified 0.2 test split, seed 0, as recorded in the model); blobs.h5 does not record the SHA-256 of its training data, so dnn cannot tell whether they are that data's parts (--parts whole scores every example as one part)"
    );
    assert!(line(&eval.stdout, "Test accuracy: ").ends_with("of 9 correct)"));
    let eval = ok(dnn_in(
        w,
        &[
            "evaluate", "--model", "blobs.h5", "--data", "more.csv", "--parts", "whole",
        ],
    ));
    assert_eq!(
        line(&eval.stdout, "Data: "),
        "more.csv (csv): all 45 examples are scored as one part (--parts whole)"
    );
}

#[test]
fn a_picture_folder_is_known_by_its_pictures_wherever_it_lies() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    fixtures::write_picture_folder(&w.join("shapes"), &["red", "green", "blue"], 10, 12);
    ok(dnn_in(
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
        ],
    ));
    // The same pictures elsewhere: the same data.
    fixtures::write_picture_folder(&w.join("copy/shapes"), &["red", "green", "blue"], 10, 12);
    let eval = ok(dnn_in(
        w,
        &["evaluate", "--model", "shapes.h5", "--data", "copy/shapes"],
    ));
    assert!(
        line(&eval.stdout, "Data: ")
            .ends_with("the data shapes.h5 was trained on (the same SHA-256), in its parts again"),
        "{}",
        eval.stdout
    );
    // Four more pictures per class, and a red one filed as blue: other data, all 43 scored,
    // the one mistake drawn (colours are easy: the model gets every other picture right).
    fixtures::write_picture_folder(&w.join("more"), &["red", "green", "blue"], 14, 12);
    std::fs::copy(w.join("more/red/000.png"), w.join("more/blue/zzz.png")).expect("copy");
    let eval = ok(dnn_in(
        w,
        &[
            "evaluate",
            "--model",
            "shapes.h5",
            "--data",
            "more",
            "--mislabeled",
            "m.png",
            "--report",
            "r.json",
        ],
    ));
    assert_eq!(
        line(&eval.stdout, "Data: "),
        "more (image-folder): not byte for byte the data shapes.h5 was trained on (`shapes`; its SHA-256 differs), so all 43 examples are scored as one part (any examples it was trained on included)"
    );
    assert_eq!(
        line(&eval.stdout, "Accuracy: "),
        "0.976744 (42 of 43 correct)"
    );
    assert!(eval.stdout.contains("Saved 1 mislabelled image to m.png"));
    // blue is class 0, red class 2 (sorted): the one mistake is a red called blue.
    let confusion = report(w).parts[0].confusion.clone().expect("confusion");
    assert_eq!(confusion[0][2], 1, "{confusion:?}");
    // The tile drawn is that red picture: red pixels, and none of the blue or green ones'.
    let grid = image::open(w.join("m.png")).expect("the grid").to_rgb8();
    let bright = |ch: usize| {
        grid.pixels()
            .filter(|p| p.0[ch] >= 190 && (0..3).all(|o| o == ch || p.0[o] <= 80))
            .count()
    };
    let (red, green, blue) = (bright(0), bright(1), bright(2));
    assert!(
        red >= 12 * 12 && green == 0 && blue == 0,
        "red {red}, green {green}, blue {blue}"
    );
    // Nor may the report replace what was read.
    let run = dnn_in(
        w,
        &[
            "evaluate",
            "--model",
            "shapes.h5",
            "--data",
            "more",
            "--report",
            "shapes.h5",
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stderr.trim_end(),
        "error: --report shapes.h5 is the model file; give another name (it would be replaced)"
    );
    // Trained on `--data .`, a model records its folder's name.
    ok(dnn_in(
        &w.join("shapes"),
        &[
            "train",
            "--data",
            ".",
            "--image-size",
            "6",
            "--hidden",
            "5",
            "--iterations",
            "5",
            "-q",
            "--save",
            "../dot.h5",
        ],
    ));
    let dot = dnn_data::model::load_model(w.join("dot.h5")).expect("model");
    assert_eq!(dot.setup.data.as_deref(), Some("shapes"));
}

#[test]
fn a_regression_scored_whole_has_the_r2_rmse_and_mae_of_dnn_predicts_values() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let table = |rows: std::ops::Range<usize>| {
        let mut text = String::from("x,price\n");
        for r in rows {
            let x = r as f64 / 10.0;
            text.push_str(&format!("{x},{}\n", 3.0 * x + 0.5 + (r % 7) as f64 * 0.1));
        }
        text
    };
    std::fs::write(w.join("train.csv"), table(0..80)).expect("write");
    std::fs::write(w.join("new.csv"), table(80..100)).expect("write");
    ok(dnn_in(
        w,
        &[
            "train",
            "--data",
            "train.csv",
            "--hidden",
            "8",
            "--optimizer",
            "adam",
            "--learning-rate",
            "0.01",
            "--iterations",
            "300",
            "-q",
            "--save",
            "p.h5",
        ],
    ));
    let eval = ok(dnn_in(
        w,
        &[
            "evaluate", "--model", "p.h5", "--data", "new.csv", "--report", "r.json",
        ],
    ));
    assert!(
        line(&eval.stdout, "Data: ").contains("so all 20 examples are scored as one part"),
        "{}",
        eval.stdout
    );
    // R², RMSE and MAE of `dnn predict`'s values, computed here.
    let pred = ok(dnn_in(w, &["predict", "--model", "p.h5", "new.csv"]));
    let values: Vec<f64> = pred
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).expect("value").parse().expect("number"))
        .collect();
    let truth: Vec<f64> = table(80..100)
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).expect("price").parse().expect("number"))
        .collect();
    let n = truth.len() as f64;
    let mean = truth.iter().sum::<f64>() / n;
    let residual: f64 = values
        .iter()
        .zip(&truth)
        .map(|(v, t)| (v - t).powi(2))
        .sum();
    let total: f64 = truth.iter().map(|t| (t - mean).powi(2)).sum();
    let mae = values
        .iter()
        .zip(&truth)
        .map(|(v, t)| (v - t).abs())
        .sum::<f64>()
        / n;
    let r2 = line(&eval.stdout, "R²: ");
    let (r2_text, rest) = r2.split_once(" (RMSE ").expect("RMSE");
    let got: f64 = r2_text.parse().expect("R²");
    assert!((got - (1.0 - residual / total)).abs() < 1e-6, "{r2}");
    let rmse: f64 = rest
        .split(',')
        .next()
        .expect("rmse")
        .parse()
        .expect("number");
    assert!(((rmse - (residual / n).sqrt()) / rmse).abs() < 1e-5, "{r2}");
    let mae_text = rest
        .split("MAE ")
        .nth(1)
        .expect("MAE")
        .split(',')
        .next()
        .expect("mae");
    let got_mae: f64 = mae_text.parse().expect("number");
    assert!(((got_mae - mae) / mae).abs() < 1e-5, "{r2}");
    assert!(rest.ends_with(", 20 examples)"), "{r2}");
    // A regression has no mislabelled pictures: refused before anything is printed.
    let run = dnn_in(
        w,
        &[
            "evaluate",
            "--model",
            "p.h5",
            "--data",
            "new.csv",
            "--mislabeled",
            "m.png",
        ],
    );
    assert_eq!((run.code, run.stdout.as_str()), (Some(1), ""), "{run:?}");
    assert!(
        run.stderr
            .starts_with("error: --mislabeled draws the mislabelled test pictures of a classifier"),
        "{}",
        run.stderr
    );
    let scores = report(w).parts[0].regression.expect("scores");
    assert_eq!(format!("{:.6}", scores.r2.expect("r2")), r2_text);
    assert!(
        ((scores.mae - mae) / mae).abs() < 1e-12,
        "{scores:?} against {mae}"
    );
}
