//! Text columns of CSV tables: detected, sorted and one-hot encoded for training (missing
//! cells as no value), forced with `--one-hot`, left out with `--drop`; read again with a
//! model's values (a value it never met is counted, and no value); recorded in model files
//! (HDF5 and safetensors); and every mistake named in one line.

use std::path::{Path, PathBuf};

use dnn_core::{Init, Network, NumpyRng};
use dnn_data::categories::{ColumnValues, Unseen};
use dnn_data::dataset::{load, LoadOptions};
use dnn_data::export::{export, Format};
use dnn_data::model::{load_model, save_model_with, TrainingSetup};
use dnn_data::table::{read_table, Columns};
use dnn_data::{DataSpec, Input, OneHot};
use ndarray::array;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

const SHOP: &str = "size,colour,label\n\
                    1.5,red,a\n\
                    2.5,blue,b\n\
                    3.5,,a\n\
                    4.5,NA,b\n\
                    5.5,green,a\n\
                    6.5, red ,b\n";

#[test]
fn a_text_column_is_one_hot_encoded_with_sorted_values_and_missing_cells_as_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "shop.csv", SHOP);
    let which = Columns {
        labels_required: true,
        ..Columns::default()
    };
    let t = read_table(&path, which).unwrap();
    assert_eq!(t.columns, ["size", "colour"]);
    assert_eq!(
        t.features[1],
        ColumnValues::Text {
            values: strings(&["blue", "green", "red"]),
            codes: vec![2, 0, u32::MAX, u32::MAX, 1, 2],
        }
    );
    let counts = t.features[1]
        .text_counts("colour", &[0, 1, 2, 3, 4, 5])
        .unwrap();
    assert_eq!((counts.rows, counts.rows_without_value), (vec![1, 1, 2], 2));
    assert_eq!(t.inputs(), 4);
    assert_eq!(
        t.matrix(&[0, 1, 2, 4]),
        array![
            [1.5, 2.5, 3.5, 5.5],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
            [1.0, 0.0, 0.0, 0.0],
        ]
    );
    assert_eq!(
        t.one_hot(),
        [OneHot {
            column: "colour".into(),
            values: strings(&["blue", "green", "red"]),
        }]
    );
}

#[test]
fn loading_records_the_text_columns_and_their_inputs() {
    let dir = tempfile::tempdir().unwrap();
    // Each colour four times, twice in each class: the test part (one row per class) cannot
    // hold all of one.
    let mut text = String::from("size,colour,label\n");
    for i in 0..12 {
        let colour = ["red", "blue", "green"][i % 3];
        text.push_str(&format!("{}.5,{colour},{}\n", i, ["a", "b"][i % 2]));
    }
    let path = write(dir.path(), "shop.csv", &text);
    let data = load(&path, &LoadOptions::default()).unwrap();
    assert_eq!(data.test_len(), 2);
    let Input::Table {
        columns, one_hot, ..
    } = &data.spec.input
    else {
        panic!("a table: {:?}", data.spec.input)
    };
    assert_eq!(columns, &strings(&["size", "colour"]));
    assert_eq!(one_hot[0].values, strings(&["blue", "green", "red"]));
    assert_eq!(data.features(), 4);
    assert_eq!(data.spec.input.features(), 4);
    assert_eq!(
        data.spec.input.input_names(),
        ["size", "colour=blue", "colour=green", "colour=red"]
    );
    // Every example has at most one 1 among its colour inputs.
    for x in [&data.train_x, &data.test_x] {
        for example in x.columns() {
            let ones = example.iter().skip(1).filter(|&&v| v == 1.0).count();
            let zeros = example.iter().skip(1).filter(|&&v| v == 0.0).count();
            assert!(ones <= 1 && ones + zeros == 3, "{example}");
        }
    }
}

#[test]
fn one_hot_forces_text_on_codes_and_drop_leaves_columns_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "codes.csv",
        "id,zip,w,label\n1,10,0.5,a\n2,2,0.25,b\n3,10,1,a\n4,,2,b\n",
    );
    let zip_and_no_id = Columns {
        labels_required: true,
        drop: &strings(&["id"]),
        text: &strings(&["zip"]),
        ..Columns::default()
    };
    let t = read_table(&path, zip_and_no_id).unwrap();
    assert_eq!(t.columns, ["zip", "w"]);
    // Numbers read as text sort as numbers, as class names do.
    assert_eq!(
        t.features[0],
        ColumnValues::Text {
            values: strings(&["2", "10"]),
            codes: vec![1, 0, 1, u32::MAX],
        }
    );
    assert_eq!(
        t.matrix(&[0, 1, 3]),
        array![[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.5, 0.25, 2.0]]
    );
    // Without the flags `zip` has an empty cell among numbers.
    let plain = Columns {
        labels_required: true,
        ..Columns::default()
    };
    let err = read_table(&path, plain).unwrap_err().to_string();
    assert!(
        err.contains("row 4 (line 5), column `zip`: the cell is empty, in a column of numbers")
            && err.contains("--drop zip"),
        "{err}"
    );
}

/// A model's table input: `size`, and `colour` one-hot with the values `red` and `blue`.
fn size_and_colour() -> Input {
    Input::Table {
        columns: strings(&["size", "colour"]),
        target: "label".into(),
        one_hot: vec![OneHot {
            column: "colour".into(),
            values: strings(&["red", "blue"]),
        }],
        filled: vec![],
        dates: vec![],
    }
}

#[test]
fn a_model_reads_its_values_and_counts_those_it_never_met() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "new.csv",
        "colour,size\npurple,1\nred,2\n,3\nmauve,4\nblue,5\n",
    );
    let input = size_and_colour();
    let t = read_table(&path, Columns::of_model(&input)).unwrap();
    assert_eq!(t.columns, ["size", "colour"]);
    assert_eq!(
        t.unseen,
        [Unseen {
            column: "colour".into(),
            rows: 2,
            first: ("purple".into(), 1),
        }]
    );
    // The model's order of values, not the sorted one; unseen and empty cells are no value.
    assert_eq!(
        t.matrix(&[0, 1, 2, 3, 4]),
        array![
            [1.0, 2.0, 3.0, 4.0, 5.0],
            [0.0, 1.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 1.0],
        ]
    );
    assert_eq!(t.inputs(), input.features());
}

/// Read with a model's columns, a table's other columns (a pandas index without a name, an id,
/// a note) are not read and are named, the target apart; read without a model, none is left
/// out.
#[test]
fn a_model_reads_its_columns_and_names_the_others_it_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "new.csv",
        ",id,colour,size,note,label\n0,7,red,1,x,a\n1,8,blue,2,y,b\n",
    );
    let input = size_and_colour();
    let t = read_table(&path, Columns::of_model(&input)).unwrap();
    assert_eq!(t.columns, ["size", "colour"]);
    assert_eq!(
        t.left_out,
        [(1, String::new()), (2, "id".into()), (5, "note".into())]
    );
    let named = write(dir.path(), "named.csv", "id,size,label\n7,1,a\n8,2,b\n");
    let training = Columns {
        labels_required: true,
        ..Columns::default()
    };
    let t = read_table(&named, training).unwrap();
    assert_eq!(t.columns, ["id", "size"]);
    assert!(t.left_out.is_empty(), "{:?}", t.left_out);
}

fn network() -> Network<f64> {
    Network::<f64>::builder(&[4, 3, 1])
        .init(Init::He)
        .build(&mut NumpyRng::new(1))
        .unwrap()
}

fn shop_spec() -> DataSpec {
    DataSpec {
        ranges: None,
        regression: None,
        classes: strings(&["a", "b"]),
        input: Input::Table {
            columns: strings(&["size", "colour"]),
            target: "label".into(),
            one_hot: vec![OneHot {
                column: "colour".into(),
                values: strings(&["blue", "green", "red"]),
            }],
            filled: vec![],
            dates: vec![],
        },
        standardization: None,
    }
}

#[test]
fn model_files_record_the_text_columns_and_their_values() {
    let dir = tempfile::tempdir().unwrap();
    let spec = shop_spec();
    let h5 = dir.path().join("m.h5");
    save_model_with(&h5, &network(), &TrainingSetup::default(), &spec).unwrap();
    assert_eq!(load_model(&h5).unwrap().spec, Some(spec.clone()));
    let st = dir.path().join("m.safetensors");
    let model = load_model(&h5).unwrap();
    export(&st, &model, Format::Safetensors).unwrap();
    assert_eq!(load_model(&st).unwrap().spec, Some(spec.clone()));

    // A column listed twice would be read twice: refused.
    let mut twice = spec.clone();
    if let Input::Table { columns, .. } = &mut twice.input {
        columns[0] = "colour".into();
    }
    let err = save_model_with(
        dir.path().join("twice.h5"),
        &network(),
        &TrainingSetup::default(),
        &twice,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("its column `colour` is listed twice"), "{err}");
    // A spec whose text column is not among its columns, or has a value twice, is refused
    // before anything is written.
    for (column, value, says) in [
        ("shade", "blue", "`shade` is not one of its columns"),
        ("colour", "red", "has the value `red` twice"),
    ] {
        let mut wrong = spec.clone();
        if let Input::Table { one_hot, .. } = &mut wrong.input {
            one_hot[0].column = column.into();
            one_hot[0].values[0] = value.into();
        }
        let bad = dir.path().join("bad.h5");
        let err = save_model_with(&bad, &network(), &TrainingSetup::default(), &wrong)
            .unwrap_err()
            .to_string();
        assert!(err.contains(says), "{err}");
        assert!(!bad.exists());
    }
}

#[test]
fn mistakes_in_text_and_number_columns_are_named_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let many: String = (0..101).fold("id,label\n".to_owned(), |s, i| {
        s + &format!("user{i},{}\n", ["a", "b"][i % 2])
    });
    let (nope, label, x) = (["nope".to_owned()], ["label".to_owned()], ["x".to_owned()]);
    let xy = ["x".to_owned(), "y".to_owned()];
    let cases: Vec<(&str, String, Columns<'_>, Vec<&str>)> = vec![
        (
            "word.csv",
            "x,label\n1,a\n2,b\nthree,a\n".into(),
            Columns::default(),
            vec![
                "row 3 (line 4), column `x`",
                "`three` is not a number, in a column of numbers; mend the cell",
                "--fill-missing",
                "--drop x",
            ],
        ),
        (
            "number_in_text.csv",
            "c,label\nred,a\n5,b\n".into(),
            Columns::default(),
            vec![
                "row 2 (line 3), column `c`",
                "`5` is a number, in a column of text (`red` in row 1)",
                "--one-hot c",
            ],
        ),
        (
            "missing_then_number.csv",
            "x,label\n,a\nNA,b\n3,a\n".into(),
            Columns::default(),
            vec![
                "row 1 (line 2), column `x`",
                "the cell is empty, in a column of numbers",
                "--drop x",
            ],
        ),
        (
            "all_missing.csv",
            "x,y,label\n,1,a\n?,2,b\n".into(),
            Columns::default(),
            vec!["column `x` has no number, only missing cells; leave it out with --drop x"],
        ),
        (
            "percent_in_text.csv",
            "c,label\nred,a\n12%,b\n".into(),
            Columns::default(),
            vec![
                "row 2 (line 3), column `c`",
                "`12%` is a number as written by hand, in a column of text (`red` in row 1)",
            ],
        ),
        (
            "dollars.csv",
            "price,label\n$5.00,a\n$7.50,b\n".into(),
            Columns::default(),
            vec![
                "row 1 (line 2), column `price`",
                "`$5.00` is not a number as dnn reads them; write it plainly (5.00)",
            ],
        ),
        (
            "thousands.csv",
            "n,label\n\"1,000\",a\n".into(),
            Columns::default(),
            vec!["`1,000` is not a number as dnn reads them; write it plainly (1000, or 1.000 if the comma marks decimals)"],
        ),
        (
            "unicode_minus.csv",
            "n,label\n1,a\n\u{2212}1.5,b\n".into(),
            Columns::default(),
            vec!["row 2 (line 3)", "write it plainly (-1.5)"],
        ),
        (
            "crlf.csv",
            "n,label\r\n1,a\r\n2,b\r\nthree,a\r\n".into(),
            Columns::default(),
            vec!["row 3 (line 4), column `n`: `three` is not a number"],
        ),
        (
            "drop_all.csv",
            "x,y,label\n1,2,a\n".into(),
            Columns {
                drop: &xy,
                ..Columns::default()
            },
            vec!["no feature columns are left: --drop leaves out every column but the label `label`"],
        ),
        (
            "many.csv",
            many.clone(),
            Columns::default(),
            vec![
                "column `id` is text with 101 different values",
                "--drop id",
                "--one-hot id",
            ],
        ),
        (
            "drop_unknown.csv",
            "x,label\n1,a\n".into(),
            Columns {
                drop: &nope,
                ..Columns::default()
            },
            vec![
                "no column `nope` (given to --drop)",
                "the columns are: x, label",
            ],
        ),
        (
            "drop_target.csv",
            "x,label\n1,a\n".into(),
            Columns {
                labels_required: true,
                drop: &label,
                ..Columns::default()
            },
            vec!["`label` is given to --drop but is the label column"],
        ),
        (
            "both.csv",
            "x,y,label\n1,2,a\n".into(),
            Columns {
                drop: &x,
                text: &x,
                ..Columns::default()
            },
            vec!["`x` is given to both --drop and --one-hot"],
        ),
    ];
    for (name, text, which, says) in cases {
        let path = write(dir.path(), name, &text);
        let which = Columns {
            labels_required: true,
            ..which
        };
        let err = match read_table(&path, which) {
            Ok(t) => panic!("{name} was read: {:?}", t.columns),
            Err(e) => e.to_string(),
        };
        assert!(!err.contains('\n'), "{name}: one line: {err}");
        assert!(err.contains(name), "{name}: names the file: {err}");
        for s in says {
            assert!(err.contains(s), "{name}: {err:?} should say {s:?}");
        }
    }
    // --one-hot takes a column of many values all the same.
    let path = write(dir.path(), "many.csv", &many);
    let forced = Columns {
        labels_required: true,
        text: &["id".to_owned()],
        ..Columns::default()
    };
    assert_eq!(read_table(&path, forced).unwrap().inputs(), 101);
}

/// The values of a text column are those of the training part, as a `OneHotEncoder` fitted
/// on it has: a value met only in the test part is no value there, and reported.
#[test]
fn values_met_only_in_the_test_part_are_not_the_models() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("x,c,label\n");
    for i in 0..40 {
        let c = if i == 7 { "rare" } else { ["a", "b"][i % 2] };
        text.push_str(&format!("{i},{c},{}\n", ["p", "q"][i % 2]));
    }
    let path = write(dir.path(), "rare.csv", &text);
    let mut outcomes = [false, false];
    for seed in 0..20 {
        let options = LoadOptions {
            split_seed: seed,
            ..LoadOptions::default()
        };
        let data = load(&path, &options).unwrap();
        let Input::Table { one_hot, .. } = &data.spec.input else {
            panic!("a table")
        };
        let in_test = data.test_x.row(0).iter().any(|&x| x == 7.0);
        outcomes[usize::from(in_test)] = true;
        if in_test {
            assert_eq!(one_hot[0].values, strings(&["a", "b"]), "seed {seed}");
            assert_eq!(
                data.source.unseen,
                [Unseen {
                    column: "c".into(),
                    rows: 1,
                    first: ("rare".into(), 8),
                }]
            );
            let row = data
                .test_x
                .columns()
                .into_iter()
                .find(|c| c[0] == 7.0)
                .unwrap();
            assert_eq!(row.to_vec(), [7.0, 0.0, 0.0], "no value");
        } else {
            assert_eq!(
                one_hot[0].values,
                strings(&["a", "b", "rare"]),
                "seed {seed}"
            );
            assert!(data.source.unseen.is_empty());
        }
    }
    assert_eq!(outcomes, [true, true], "the rare row fell on both sides");

    // A column with no value in the training part (all empty) is refused, --one-hot or not.
    let path = write(
        dir.path(),
        "empty.csv",
        "a,b,y\n1,,p\n2,,q\n3,,p\n4,,q\n5,,p\n",
    );
    let options = LoadOptions {
        one_hot_columns: strings(&["b"]),
        ..LoadOptions::default()
    };
    let err = load(&path, &options).unwrap_err().to_string();
    assert!(
        err.contains("column `b` has no value in the training part") && err.contains("--drop b"),
        "{err}"
    );
}

/// Missing-value markers are pandas' (and `?`), compared exactly: `None`... is missing, `-`
/// and `none` are values.
#[test]
fn missing_markers_are_pandas_and_question_marks() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "m.csv",
        "c,label\nNone,a\n-,b\nnone,a\n?,b\n<NA>,a\nN/A,b\n",
    );
    let which = Columns {
        labels_required: true,
        ..Columns::default()
    };
    let t = read_table(&path, which).unwrap();
    assert_eq!(
        t.features[0],
        ColumnValues::Text {
            values: strings(&["-", "none"]),
            codes: vec![u32::MAX, 0, 1, u32::MAX, u32::MAX, u32::MAX],
        }
    );
}

/// `--one-hot` on an id column of many rows would ask for more memory than there is: an
/// error that names the column, not the end of the process.
#[test]
fn a_one_hot_column_too_wide_for_memory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,x,label\n");
    for i in 0..70_000 {
        text.push_str(&format!("u{i},{},{}\n", i % 7, ["a", "b"][i % 2]));
    }
    let path = write(dir.path(), "ids.csv", &text);
    let options = LoadOptions {
        one_hot_columns: strings(&["id"]),
        ..LoadOptions::default()
    };
    let err = load(&path, &options).unwrap_err().to_string();
    assert!(
        err.contains("more than this machine can hold")
            && err.contains(
                "the text column `id` alone makes 56000 of them: leave it out with --drop id"
            ),
        "{err}"
    );
}
