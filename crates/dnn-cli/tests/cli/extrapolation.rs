//! Rows well beyond what a model was trained on: `dnn predict` and `dnn evaluate` warn, with
//! the rows counted and each input's reach in the file's own units, and say nothing for rows
//! like the training ones.

use std::path::Path;

use crate::common::{dnn_in, ok};

/// `n` rows of a date in 2012 to 2015 (days 1 to 28 of each month), a temperature from -5 to
/// 30 (each end held by 16 rows of 200, so that the training part holds both), and whether
/// it rained (cold days).
fn weather(n: usize) -> String {
    let mut text = String::from("date,temp,weather\n");
    for i in 0..n {
        let day = (7 * i) % 1461;
        let (year, rest) = (2012 + day / 366, day % 366);
        let (month, d) = (1 + rest / 31 % 12, 1 + rest % 28);
        let temp = (-8.0 + 41.0 * ((i * 37) % 100) as f64 / 99.0).clamp(-5.0, 30.0);
        let weather = if temp < 12.0 { "rain" } else { "sun" };
        text.push_str(&format!("{year}-{month:02}-{d:02},{temp:.2},{weather}\n"));
    }
    text
}

fn trained(dir: &Path) {
    std::fs::write(dir.join("weather.csv"), weather(200)).unwrap();
    ok(dnn_in(
        dir,
        &[
            "train",
            "--data",
            "weather.csv",
            "--hidden",
            "4",
            "--iterations",
            "50",
            "-q",
            "--save",
            "m.h5",
        ],
    ));
}

#[test]
fn rows_far_beyond_training_are_warned_about_in_the_files_units() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    trained(dir);
    // 2016 is a year past 2012-2015 (a third of their width), 2030 far more; 2015-12-28
    // and 31 degrees are within a tenth of the width (35 degrees: 3.5) of the range.
    std::fs::write(
        dir.join("new.csv"),
        "date,temp,weather\n2014-05-01,20,sun\n2016-05-01,20,sun\n2030-01-09,-20,rain\n\
         2015-12-28,31,sun\n2013-02-02,75.5,sun\n",
    )
    .unwrap();
    let expected = "warning: rows well beyond what m.h5 was trained on: 3 of 5 (more than a \
                    tenth of the training range past it); its answers there are extrapolations: \
                    `date.year` up to 2030 in 2 rows (trained on 2012 to 2015); `temp` down to \
                    -20 and up to 75.5 in 2 rows (trained on -5 to 30)";
    let predict = ok(dnn_in(dir, &["predict", "--model", "m.h5", "new.csv"]));
    assert!(predict.stderr.contains(expected), "{}", predict.stderr);
    assert_eq!(
        predict.stdout.lines().count(),
        6,
        "every row is still answered"
    );
    let evaluate = ok(dnn_in(
        dir,
        &["evaluate", "--model", "m.h5", "--data", "new.csv"],
    ));
    assert!(evaluate.stderr.contains(expected), "{}", evaluate.stderr);
    // The training file's own rows, and its test part, are within the ranges.
    for args in [
        &["predict", "--model", "m.h5", "weather.csv"][..],
        &["evaluate", "--model", "m.h5", "--data", "weather.csv"],
    ] {
        let run = ok(dnn_in(dir, args));
        assert!(!run.stderr.contains("beyond"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn a_model_saved_without_ranges_is_not_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    trained(dir);
    // The model as a file written before dnn recorded ranges: the two data sets removed.
    let older = dnn_data::model::load_model(dir.join("m.h5")).unwrap();
    let spec = dnn_data::DataSpec {
        ranges: None,
        ..older.spec.clone().unwrap()
    };
    let dnn_data::model::AnyNetwork::F64(net) = &older.network else {
        panic!("an f64 model")
    };
    dnn_data::model::save_model_with(dir.join("old.h5"), net, &older.setup, &spec).unwrap();
    std::fs::write(dir.join("far.csv"), "date,temp\n2030-01-01,90\n").unwrap();
    let run = ok(dnn_in(dir, &["predict", "--model", "old.h5", "far.csv"]));
    assert!(!run.stderr.contains("beyond"), "{}", run.stderr);
    let run = ok(dnn_in(dir, &["predict", "--model", "m.h5", "far.csv"]));
    assert!(
        run.stderr.contains("trained on: 1 of 1 ("),
        "{}",
        run.stderr
    );
}
