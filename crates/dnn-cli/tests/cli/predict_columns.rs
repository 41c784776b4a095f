//! What `dnn predict` writes beside each prediction: every class's probability
//! (`--probabilities`), checked against a forward pass of the model's own weights computed
//! here and against the default output's winning class; the input's own columns copied as
//! written (`--keep`); and a warning for the missing numbers a model fills.

use std::path::Path;

use dnn_core::Activation;
use dnn_data::model::{load_model, AnyNetwork};
use dnn_data::Input;
use ndarray::Array2;

use crate::common::{dnn_fed, dnn_in, Run};
use crate::common::{ok, records, train_small};
use crate::fixtures;

fn failed(run: Run) -> Run {
    assert_eq!(run.code, Some(1), "dnn did not fail as it should: {run:?}");
    run
}

/// The probabilities the model at `path` gives the table rows `rows` (the model's columns, in
/// its order), by a forward pass written out here: the z-score, then each layer's
/// `g(W a + b)`, from the weights in the file. One column per class (for one sigmoid output,
/// `1 - p` and `p`).
fn forward(path: &Path, rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let model = load_model(path).expect("load the model");
    let spec = model.spec.expect("a spec");
    let AnyNetwork::F64(net) = model.network else {
        panic!("an f64 model")
    };
    let z = spec.standardization.expect("standardised");
    let mut a = Array2::from_shape_fn((rows[0].len(), rows.len()), |(i, j)| {
        (rows[j][i] - z.mean[i]) / z.std[i]
    });
    for layer in net.layers() {
        let mut next = layer.weights().dot(&a) + layer.bias();
        match layer.activation() {
            Activation::Relu => next.mapv_inplace(|v| v.max(0.0)),
            Activation::Tanh => next.mapv_inplace(f64::tanh),
            Activation::Sigmoid => next.mapv_inplace(|v| 1.0 / (1.0 + (-v).exp())),
            Activation::Softmax => {
                for mut col in next.columns_mut() {
                    let top = col.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
                    col.mapv_inplace(|v| (v - top).exp());
                    let sum = col.sum();
                    col.mapv_inplace(|v| v / sum);
                }
            }
            Activation::Identity => {}
        }
        a = next;
    }
    a.columns()
        .into_iter()
        .map(|p| match p.len() {
            1 => vec![1.0 - p[0], p[0]],
            _ => p.to_vec(),
        })
        .collect()
}

/// Checks `--probabilities`' CSV `with` against the default output `plain` of the same rows
/// and against the probabilities `want` computed here: the same rows, classes and winning
/// probabilities; one column per class of `classes`, each row summing to 1.
fn check_probabilities(with: &str, plain: &str, classes: &[&str], want: &[Vec<f64>]) {
    let with = records(with);
    let plain = records(plain);
    let mut header = vec!["row", "class", "probability"];
    let named: Vec<String> = classes.iter().map(|c| format!("probability_{c}")).collect();
    header.extend(named.iter().map(String::as_str));
    assert_eq!(with[0], header);
    assert_eq!(with.len(), plain.len());
    assert_eq!(with.len(), want.len() + 1);
    for ((w, p), want) in with[1..].iter().zip(&plain[1..]).zip(want) {
        assert_eq!(w[..3], p[..], "the default columns are kept as they were");
        let all: Vec<f64> = w[3..]
            .iter()
            .map(|v| v.parse().expect("a number"))
            .collect();
        assert_eq!(all.len(), classes.len());
        let sum: f64 = all.iter().sum();
        assert!((sum - 1.0).abs() <= 1e-12, "{w:?} sums to {sum}");
        let winner = classes.iter().position(|c| *c == w[1]).expect("a class");
        let top = all.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(all[winner], top, "{w:?}: the class is the most probable");
        assert_eq!(format!("{:.6}", all[winner]), p[2], "{w:?} against {p:?}");
        for (got, want) in all.iter().zip(want) {
            assert!((got - want).abs() <= 1e-12, "{w:?}: {got} against {want}");
        }
    }
}

#[test]
fn probabilities_give_every_class_a_column_summing_to_one() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    fixtures::write_blobs_csv(&w.join("blobs.csv"), 60, 0.6);
    train_small(w, "blobs.csv", &["--target", "kind"], "m.h5");
    // The model's columns are x, y, z; another order here, and an id it does not take.
    let rows = [
        [0.1, 0.2, 0.3],
        [2.0, -1.0, 0.0],
        [4.0, 0.0, 3.0],
        [1.0, 0.5, 1.5],
    ];
    let mut text = String::from("z,id,y,x\n");
    for (j, [x, y, z]) in rows.iter().enumerate() {
        text.push_str(&format!("{z},r{j},{y},{x}\n"));
    }
    std::fs::write(w.join("new.csv"), text).expect("write");
    let plain = ok(dnn_in(w, &["predict", "--model", "m.h5", "new.csv"]));
    let with = ok(dnn_in(
        w,
        &["predict", "--model", "m.h5", "new.csv", "--probabilities"],
    ));
    let want = forward(
        &w.join("m.h5"),
        &rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
    );
    check_probabilities(
        &with.stdout,
        &plain.stdout,
        &["alpha", "beta", "gamma"],
        &want,
    );
    // --output writes the same CSV.
    let saved = ok(dnn_in(
        w,
        &[
            "predict",
            "--model",
            "m.h5",
            "new.csv",
            "--probabilities",
            "--output",
            "p.csv",
        ],
    ));
    assert_eq!(saved.stdout, "Saved 4 predictions to p.csv\n");
    assert_eq!(
        std::fs::read_to_string(w.join("p.csv")).expect("p.csv"),
        with.stdout
    );
}

#[test]
fn a_sigmoid_model_gives_both_classes_probabilities() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    fixtures::write_gaussian_blobs(&w.join("two.csv"), 60, 2, 2, 1.5);
    train_small(w, "two.csv", &[], "m.h5");
    let model = load_model(w.join("m.h5")).expect("model");
    assert_eq!(model.network.output_size(), 1, "one sigmoid output");
    let rows = [[0.0, 0.0], [1.5, 0.0], [0.0, 1.5], [3.0, -1.0]];
    let mut text = String::from("f1,f0\n");
    for [f0, f1] in rows {
        text.push_str(&format!("{f1},{f0}\n"));
    }
    std::fs::write(w.join("new.csv"), text).expect("write");
    let plain = ok(dnn_in(w, &["predict", "--model", "m.h5", "new.csv"]));
    let with = ok(dnn_in(
        w,
        &["predict", "--model", "m.h5", "new.csv", "--probabilities"],
    ));
    let want = forward(
        &w.join("m.h5"),
        &rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
    );
    check_probabilities(&with.stdout, &plain.stdout, &["c0", "c1"], &want);
    let classes: Vec<String> = records(&plain.stdout)[1..]
        .iter()
        .map(|r| r[1].clone())
        .collect();
    assert!(
        classes.contains(&"c0".to_owned()) && classes.contains(&"c1".to_owned()),
        "rows of both classes: {classes:?}"
    );
}

#[test]
fn class_names_with_commas_and_quotes_are_quoted_in_the_header() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let names = ["\"a,b\"", "plain", "\"say \"\"hi\"\"\""];
    let mut text = String::from("x,y,label\n");
    for j in 0..60 {
        let k = j % 3;
        let x = k as f64 * 2.0 + (j as f64 * 0.37).sin() * 0.3;
        let y = (j as f64 * 0.91).cos() * 0.3;
        text.push_str(&format!("{x},{y},{}\n", names[k]));
    }
    std::fs::write(w.join("t.csv"), text).expect("write");
    train_small(w, "t.csv", &[], "m.h5");
    std::fs::write(w.join("new.csv"), "x,y\n0,0\n2,0\n4,0\n").expect("write");
    let with = ok(dnn_in(
        w,
        &["predict", "--model", "m.h5", "new.csv", "--probabilities"],
    ));
    let header = with.stdout.lines().next().expect("a header");
    assert_eq!(
        header,
        "row,class,probability,\"probability_a,b\",probability_plain,\"probability_say \
         \"\"hi\"\"\""
    );
    let plain = ok(dnn_in(w, &["predict", "--model", "m.h5", "new.csv"]));
    let want = forward(
        &w.join("m.h5"),
        &[vec![0.0, 0.0], vec![2.0, 0.0], vec![4.0, 0.0]],
    );
    check_probabilities(
        &with.stdout,
        &plain.stdout,
        &["a,b", "plain", "say \"hi\""],
        &want,
    );
}

#[test]
fn probabilities_are_refused_for_a_regression_and_given_for_pictures() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let mut text = String::from("x,price\n");
    for j in 0..40 {
        text.push_str(&format!("{j},{}\n", j as f64 * 1.5 + 0.25));
    }
    std::fs::write(w.join("houses.csv"), text).expect("write");
    train_small(w, "houses.csv", &[], "r.h5");
    std::fs::write(w.join("new.csv"), "id,x\n007,3\n").expect("write");
    let refused = failed(dnn_in(
        w,
        &["predict", "--model", "r.h5", "new.csv", "--probabilities"],
    ));
    assert_eq!(
        refused.stderr,
        "error: --probabilities gives each class's probability, but r.h5 predicts `price`, a \
         number, and has no classes; leave out --probabilities\n"
    );
    // --keep serves a regression too.
    let kept = ok(dnn_in(
        w,
        &["predict", "--model", "r.h5", "new.csv", "--keep", "id"],
    ));
    let rows = records(&kept.stdout);
    assert_eq!(rows[0], ["row", "id", "price"]);
    assert_eq!(rows[1][..2], ["1", "007"]);
    // A picture model prints every class's probability on each picture's line.
    fixtures::write_model(&w.join("cat.h5"), &[12288, 3, 1]);
    fixtures::write_png(&w.join("a.png"), 8, 8, image::ColorType::Rgb8);
    let plain = ok(dnn_in(w, &["predict", "--model", "cat.h5", "a.png"]));
    let with = ok(dnn_in(
        w,
        &["predict", "--model", "cat.h5", "a.png", "--probabilities"],
    ));
    let csv = ok(dnn_in(
        w,
        &[
            "predict",
            "--model",
            "cat.h5",
            "a.png",
            "--probabilities",
            "--output",
            "-",
        ],
    ));
    let rows = records(&csv.stdout);
    assert_eq!(
        rows[0],
        [
            "file",
            "class",
            "probability",
            "probability_non-cat",
            "probability_cat"
        ]
    );
    let p: f64 = rows[1][4].parse().expect("a number");
    let q: f64 = rows[1][3].parse().expect("a number");
    assert!((p + q - 1.0).abs() <= 1e-12);
    let line = plain.stdout.trim_end().strip_suffix(')').expect("a line");
    assert_eq!(
        with.stdout,
        format!("{line}; non-cat: {q:.4}, cat: {p:.4})\n")
    );
}

/// A model trained on `people.csv` (`id` dropped), and rows to predict whose ids are text
/// that looks like numbers.
/// Trains `m.h5` on 60 people's heights and weights in `w`, missing numbers filled with the
/// median; returns what `dnn train` printed.
fn people(w: &Path) -> String {
    let mut text = String::from("id,height,weight,label\n");
    for j in 0..60 {
        let k = j % 2;
        let height = 160.0 + k as f64 * 15.0 + (j as f64 * 0.7).sin() * 4.0;
        let weight = 60.0 + k as f64 * 20.0 + (j as f64 * 1.3).cos() * 5.0;
        text.push_str(&format!(
            "{j:03},{height:.1},{weight:.1},{}\n",
            ["f", "m"][k]
        ));
    }
    std::fs::write(w.join("people.csv"), text).expect("write");
    train_small(
        w,
        "people.csv",
        &["--drop", "id", "--fill-missing", "median"],
        "m.h5",
    )
}

#[test]
fn keep_copies_the_tables_columns_as_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    people(w);
    let rows =
        "weight,id,height,note\n61.50,007,161,\"tall, thin\"\n80,1e3,175,\n70,\" 12\",170,x\n";
    std::fs::write(w.join("new.csv"), rows).expect("write");
    let plain = ok(dnn_in(w, &["predict", "--model", "m.h5", "new.csv"]));
    let kept = ok(dnn_in(
        w,
        &[
            "predict",
            "--model",
            "m.h5",
            "new.csv",
            "--keep",
            "id,note,weight",
        ],
    ));
    let got = records(&kept.stdout);
    assert_eq!(
        got[0],
        ["row", "id", "note", "weight", "class", "probability"]
    );
    let ids: Vec<&str> = got[1..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(ids, ["007", "1e3", " 12"], "ids as written, not as numbers");
    assert_eq!(got[1][2], "tall, thin");
    assert_eq!(
        got[1][3], "61.50",
        "a model's column is kept as written too"
    );
    assert!(kept.stdout.contains(",\"tall, thin\","), "{}", kept.stdout);
    for (k, p) in got[1..].iter().zip(&records(&plain.stdout)[1..]) {
        assert_eq!(k[0], p[0], "row numbers kept");
        assert_eq!(k[4..], p[1..], "the same predictions");
    }
    // The rows piped in are kept as the file's are.
    let piped = dnn_fed(
        w,
        &[
            "predict",
            "--model",
            "m.h5",
            "-",
            "--keep",
            "id,note,weight",
        ],
        rows.as_bytes(),
    );
    assert_eq!(piped.stdout, kept.stdout, "{piped:?}");
    // With --probabilities, the kept columns come first.
    let both = ok(dnn_in(
        w,
        &[
            "predict",
            "--model",
            "m.h5",
            "new.csv",
            "--keep",
            "id",
            "--probabilities",
            "--output",
            "p.csv",
        ],
    ));
    assert_eq!(both.stdout, "Saved 3 predictions to p.csv\n");
    let saved = records(&std::fs::read_to_string(w.join("p.csv")).expect("p.csv"));
    assert_eq!(
        saved[0],
        [
            "row",
            "id",
            "class",
            "probability",
            "probability_f",
            "probability_m"
        ]
    );
    assert_eq!(saved[1][1], "007");
}

#[test]
fn keep_refuses_an_unknown_column_a_name_of_its_own_and_pictures() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    people(w);
    std::fs::write(w.join("new.csv"), "weight,id,height,class\n61,007,161,m\n").expect("write");
    let unknown = failed(dnn_in(
        w,
        &[
            "predict", "--model", "m.h5", "new.csv", "--keep", "id,nope", "--output", "p.csv",
        ],
    ));
    assert_eq!(
        unknown.stderr,
        "error: new.csv: no column `nope` (given to --keep); the columns are: weight, id, \
         height, class\n"
    );
    assert!(!w.join("p.csv").exists(), "no output file after an error");
    let clash = failed(dnn_in(
        w,
        &["predict", "--model", "m.h5", "new.csv", "--keep", "class"],
    ));
    assert_eq!(
        clash.stderr,
        "error: new.csv: --keep class: the predictions have a column `class` of their own; \
         rename that column in the table to keep it\n"
    );
    // Pictures, given as files or listed by an image CSV, have no columns to keep.
    fixtures::write_model(&w.join("cat.h5"), &[12288, 3, 1]);
    fixtures::write_png(&w.join("a.png"), 8, 8, image::ColorType::Rgb8);
    std::fs::write(w.join("list.csv"), "id,file\n007,a.png\n").expect("write");
    for input in ["a.png", "list.csv"] {
        let refused = failed(dnn_in(
            w,
            &["predict", "--model", "cat.h5", input, "--keep", "id"],
        ));
        assert_eq!(
            refused.stderr,
            "error: --keep id: cat.h5 takes 64x64x3 pictures, named in the predictions by \
             their files, not a table whose columns could be kept; leave out --keep\n",
            "{input}"
        );
    }
}

#[test]
fn missing_numbers_filled_are_warned_about_row_by_row() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    let trained = people(w);
    let model = load_model(w.join("m.h5")).expect("model");
    let Some(Input::Table { filled, .. }) = model.spec.map(|s| s.input) else {
        panic!("a table model")
    };
    let height_value = filled
        .iter()
        .find(|f| f.column == "height")
        .expect("a fill value")
        .value;
    // Each fill value as training's own line shows it ("... median: height 167.45, weight 70").
    let fill_line = trained
        .lines()
        .find_map(|l| {
            l.strip_prefix("Missing numbers are filled with each column's training median: ")
        })
        .expect("the fill line");
    let shown = |column: &str| {
        fill_line
            .split(", ")
            .find_map(|part| part.strip_prefix(&format!("{column} ")))
            .expect("the column's fill value")
            .to_owned()
    };
    let (height, weight) = (shown("height"), shown("weight"));
    // Row 2 misses its height; rows 1 and 3 to 6 their weight (empty, NA, ?, spaces).
    let rows = "height,weight\n170,\n,70\n160, NA\n171,?\n172,  \n165,\n175,80\n";
    std::fs::write(w.join("new.csv"), rows).expect("write");
    let run = ok(dnn_in(w, &["predict", "--model", "m.h5", "new.csv"]));
    assert_eq!(
        run.stderr,
        format!(
            "warning: column `height`: 1 row missing (row 2), filled with {height} as in \
             training\nwarning: column `weight`: 5 rows missing (rows 1, 3, 4 and 2 more), \
             filled with {weight} as in training\n"
        )
    );
    assert!(!run.stdout.contains("warning"), "{}", run.stdout);
    // The row missing its height is predicted as the same row with the fill value written in.
    std::fs::write(
        w.join("filled.csv"),
        format!(
            "height,weight\n{},70\n",
            dnn_data::number::exact(height_value)
        ),
    )
    .expect("write");
    let filled_in = ok(dnn_in(w, &["predict", "--model", "m.h5", "filled.csv"]));
    assert_eq!(
        records(&run.stdout)[2][1..],
        records(&filled_in.stdout)[1][1..]
    );
    assert_eq!(filled_in.stderr, "", "nothing missing, no warning");
    // With --output, the warning is on stderr and not in the file.
    let saved = ok(dnn_in(
        w,
        &["predict", "--model", "m.h5", "new.csv", "--output", "p.csv"],
    ));
    assert_eq!(saved.stderr, run.stderr);
    assert_eq!(
        std::fs::read_to_string(w.join("p.csv")).expect("p.csv"),
        run.stdout
    );
    // Piped in, the same.
    let piped = dnn_fed(w, &["predict", "--model", "m.h5", "-"], rows.as_bytes());
    assert_eq!((piped.stdout, piped.stderr), (run.stdout, run.stderr));
}
